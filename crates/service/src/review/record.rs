//! The review record of a period: which rules (with their parameters) and samples (with their
//! seeds) ran, how many entries each looked at, the verdicts, and the follow-ups still open —
//! as tables the command line writes as text, CSV or a workbook, and the terminal UI shows.

use super::judge::QueueRow;
use crate::error::ServiceError;
use crate::reports::{Cell, Row, Table};
use crate::session::Session;
use insats_domain::ids::{AssociationId, UserId};
use insats_domain::review::{Period, Run, RunKind, VerdictKind};
use insats_store::{org, review};
use std::collections::HashMap;

/// One run in the record, with the verdicts on its items (the latest per item).
#[derive(Debug, Clone)]
pub struct RecordRun {
    pub run: Run,
    pub justified: u32,
    pub follow_up: u32,
    pub unauthorised: u32,
    pub not_judged: u32,
}

/// The review record of a period.
#[derive(Debug, Clone)]
pub struct ReviewRecord {
    pub association: AssociationId,
    pub period: Period,
    /// The runs whose period shares a day with this one, oldest first.
    pub runs: Vec<RecordRun>,
    /// The items of those runs still open (not judged, or judged "needs follow-up").
    pub open: Vec<QueueRow>,
    /// Usernames of the staff named.
    pub names: HashMap<UserId, String>,
}

impl Session {
    /// The review record of the period (log reviewer of the association).
    pub fn review_record(
        &self,
        association: Option<AssociationId>,
        period: Period,
    ) -> Result<ReviewRecord, ServiceError> {
        let tx = self.service.store().read()?;
        let tx = &*tx;
        self.live(tx)?;
        let a = self.reviewed_association(tx, association)?;
        let runs: Vec<Run> = review::runs_of(tx, a)?
            .into_iter()
            .filter(|r| r.period.overlaps(&period))
            .collect();
        let mut by_run: HashMap<_, RecordRun> = runs
            .iter()
            .map(|r| {
                (
                    r.id,
                    RecordRun {
                        run: r.clone(),
                        justified: 0,
                        follow_up: 0,
                        unauthorised: 0,
                        not_judged: 0,
                    },
                )
            })
            .collect();
        let mut open = Vec::new();
        for item in review::items_of(tx, a)? {
            let Some(rr) = by_run.get_mut(&item.run) else {
                continue;
            };
            let latest = review::verdicts_of(tx, item.id)?.pop();
            match latest.as_ref().map(|v| v.kind) {
                None => rr.not_judged += 1,
                Some(VerdictKind::Justified) => rr.justified += 1,
                Some(VerdictKind::FollowUp) => rr.follow_up += 1,
                Some(VerdictKind::Unauthorised) => rr.unauthorised += 1,
            }
            let row = QueueRow { item, latest };
            if row.is_open() {
                open.push(row);
            }
        }
        let names = org::users(tx)?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect();
        let runs = runs.iter().filter_map(|r| by_run.remove(&r.id)).collect();
        Ok(ReviewRecord {
            association: a,
            period,
            runs,
            open,
            names,
        })
    }
}

impl ReviewRecord {
    /// The title and the lines under it.
    pub fn head(&self, sv: bool) -> Vec<String> {
        // Runs over the same days look at the same entries: the most any run looked at.
        let entries: u64 = self
            .runs
            .iter()
            .map(|r| r.run.entries_checked)
            .max()
            .unwrap_or(0);
        if sv {
            vec![
                format!("Logggranskning {} – {}", self.association, self.period),
                format!(
                    "{} körningar över {} loggposter, {} öppna poster",
                    self.runs.len(),
                    entries,
                    self.open.len()
                ),
            ]
        } else {
            vec![
                format!("Log review {} – {}", self.association, self.period),
                format!(
                    "{} runs over {} log entries, {} open items",
                    self.runs.len(),
                    entries,
                    self.open.len()
                ),
            ]
        }
    }

    fn name(&self, u: Option<UserId>) -> String {
        u.map_or_else(
            || "-".to_owned(),
            |u| self.names.get(&u).cloned().unwrap_or_else(|| u.to_string()),
        )
    }

    /// The record's tables: the runs with their verdicts, and the open items.
    pub fn tables(&self, sv: bool) -> Vec<Table> {
        let t = |en: &str, s: &str| if sv { s.to_owned() } else { en.to_owned() };
        let mut rows = Vec::new();
        let mut sums = [0u64; 6];
        for r in &self.runs {
            let (kind, what) = match &r.run.kind {
                RunKind::Rules { settings } => (
                    t("rules", "regler"),
                    insats_domain::review::RuleKind::ALL
                        .into_iter()
                        .filter(|k| settings.enabled(*k))
                        .map(|k| {
                            let p = settings.parameters(k);
                            if p.is_empty() {
                                k.key().to_owned()
                            } else {
                                format!("{} ({p})", k.key())
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                RunKind::Sample {
                    seed,
                    per_user_month,
                } => (
                    t("sample", "stickprov"),
                    if sv {
                        format!("frö {seed}, {per_user_month} per användare och månad")
                    } else {
                        format!("seed {seed}, {per_user_month} per user and month")
                    },
                ),
            };
            let counts = [
                r.run.entries_checked,
                u64::from(r.run.items),
                u64::from(r.justified),
                u64::from(r.follow_up),
                u64::from(r.unauthorised),
                u64::from(r.not_judged),
            ];
            // Entries: the most any run looked at (runs over the same days share them).
            sums[0] = sums[0].max(counts[0]);
            for (s, c) in sums.iter_mut().zip(counts).skip(1) {
                *s += c;
            }
            let mut cells = vec![
                Cell::Text(kind),
                Cell::Text(r.run.period.to_string()),
                Cell::Text(self.name(Some(r.run.by))),
                Cell::Text(what),
            ];
            cells.extend(counts.into_iter().map(Cell::Count));
            rows.push(Row {
                label: r.run.id.to_string(),
                cells,
            });
        }
        let mut total = vec![Cell::Text(String::new()); 4];
        total.extend(sums.into_iter().map(Cell::Count));
        rows.push(Row {
            label: t("Total", "Summa"),
            cells: total,
        });
        let runs = Table {
            title: t("Runs and verdicts", "Körningar och bedömningar"),
            columns: [
                ("Kind", "Slag"),
                ("Period", "Period"),
                ("By", "Av"),
                ("Rules and parameters / seed", "Regler och parametrar / frö"),
                ("Entries checked", "Granskade poster"),
                ("Items", "Att bedöma"),
                ("Justified", "Befogade"),
                ("Follow-up", "Uppföljning"),
                ("Unauthorised", "Obehöriga"),
                ("Not judged", "Ej bedömda"),
            ]
            .iter()
            .map(|(e, s)| t(e, s))
            .collect(),
            rows,
            row_sums: Vec::new(),
            column_sums: Vec::new(),
        };
        let open = Table {
            title: t("Open items", "Öppna poster"),
            columns: [
                ("Source", "Källa"),
                ("User", "Användare"),
                ("Day", "Dag"),
                ("Entries", "Poster"),
                ("Status", "Status"),
                ("Comment", "Kommentar"),
            ]
            .iter()
            .map(|(e, s)| t(e, s))
            .collect(),
            rows: self
                .open
                .iter()
                .map(|q| Row {
                    label: q.item.id.to_string(),
                    cells: vec![
                        Cell::Text(q.item.source.label(sv).to_owned()),
                        Cell::Text(self.name(q.item.user)),
                        Cell::Text(q.item.day.to_string()),
                        Cell::Count(u64::from(q.item.matched)),
                        Cell::Text(q.latest.as_ref().map_or(t("not judged", "ej bedömd"), |v| {
                            v.kind.label(sv).to_owned()
                        })),
                        Cell::Text(
                            q.latest
                                .as_ref()
                                .map(|v| v.comment.clone())
                                .unwrap_or_default(),
                        ),
                    ],
                })
                .collect(),
            row_sums: Vec::new(),
            column_sums: Vec::new(),
        };
        vec![runs, open]
    }
}
