//! `audit review …`: the log reviewer's desk on the command line and over SSH exec — the
//! association's rules, a rule run and a random sample over a period, the queue, one item,
//! a verdict, and the review record as a table, CSV or a workbook.

use super::CliError;
use super::admin::io;
use super::report::{Format, csv_of, text_of, xlsx_of};
use crate::domain::date::parse_iso;
use crate::domain::ids::{AssociationId, ReviewItemId, UserId};
use crate::domain::review::{Period, ReviewSettings, RuleKind, VerdictKind};
use crate::service::{Lang, QueueRow, RunReport, Session};
use chrono::{Datelike, NaiveDate};
use clap::{Args, Subcommand};
use std::collections::HashMap;
use std::io::Write;

#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// The first day, YYYY-MM-DD (or a month, YYYY-MM: its first day)
    #[arg(long)]
    pub from: String,
    /// The last day, YYYY-MM-DD (or a month, YYYY-MM: its last day)
    #[arg(long)]
    pub to: String,
    /// The association (F1; the default: the first you review)
    #[arg(long)]
    pub association: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The association's review rules and their parameters; --set changes them (association
    /// administrator; audited)
    Rules {
        /// The association (F1; the default: your first)
        #[arg(long)]
        association: Option<String>,
        /// KEY=VALUE: office-hours=7-18, weekends=off|office, max-participants=N,
        /// lookups-per-day=N, refused-per-day=N, old-after-days=N, sample=N, or RULE=on|off; repeatable
        #[arg(long, value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Run the review rules over a period; the findings go in the queue (log reviewer; audited)
    Run(PeriodArgs),
    /// Draw the period's random sample: N entries per user and month among views and changes
    /// of personal data, from a recorded seed (log reviewer; audited)
    Sample {
        #[command(flatten)]
        period: PeriodArgs,
        /// Entries per user and month (the default: the association's setting)
        #[arg(long)]
        per_user: Option<u32>,
        /// The seed (the default: a fresh random one); the same seed draws the same sample
        #[arg(long)]
        seed: Option<u64>,
    },
    /// The review queue: findings and sampled entries with their status, open ones first
    Queue {
        #[arg(long)]
        association: Option<String>,
        /// Only the open ones (not judged, or needing follow-up)
        #[arg(long)]
        open: bool,
    },
    /// One finding or sampled entry (G3): its entries, pseudonyms only, and its verdicts
    Show { item: String },
    /// Judge a finding or sampled entry: justified, follow-up or unauthorised (audited); a new
    /// verdict on the same item is kept beside the earlier ones
    Judge {
        item: String,
        #[arg(long)]
        verdict: String,
        /// Why (no names or personnummer: the record is kept for years)
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// The review record of a period: rules with parameters, samples with seeds, entries
    /// checked, verdicts, open items — as a table, CSV (for Excel) or an Excel workbook
    Record {
        #[command(flatten)]
        period: PeriodArgs,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

fn t(l: Lang, en: &str, sv: &str) -> String {
    if l == Lang::Sv { sv } else { en }.to_owned()
}

fn association(text: Option<&str>, l: Lang) -> Result<Option<AssociationId>, CliError> {
    text.map(|x| {
        AssociationId::parse(x)
            .ok_or_else(|| CliError::Usage(t(l, "--association takes F1", "--association tar F1")))
    })
    .transpose()
}

/// A day, or a month's first (`last` false) or last day.
fn day(text: &str, last: bool, l: Lang) -> Result<NaiveDate, CliError> {
    let bad = || {
        CliError::Usage(t(
            l,
            "write a day as YYYY-MM-DD or a month as YYYY-MM",
            "skriv en dag som ÅÅÅÅ-MM-DD eller en månad som ÅÅÅÅ-MM",
        ))
    };
    let text = text.trim();
    if text.len() == 7 {
        let first = parse_iso(&format!("{text}-01")).map_err(|_| bad())?;
        if !last {
            return Ok(first);
        }
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        };
        return next.and_then(|n| n.pred_opt()).ok_or_else(bad);
    }
    parse_iso(text).map_err(|_| bad())
}

fn period(p: &PeriodArgs, l: Lang) -> Result<(Option<AssociationId>, Period), CliError> {
    let period = Period::new(day(&p.from, false, l)?, day(&p.to, true, l)?)
        .map_err(crate::service::ServiceError::from)?;
    Ok((association(p.association.as_deref(), l)?, period))
}

fn item(text: &str, l: Lang) -> Result<ReviewItemId, CliError> {
    ReviewItemId::parse(text).ok_or_else(|| {
        CliError::Usage(t(
            l,
            "an item is written G and its number, as the queue shows it (G3)",
            "en granskningspost skrivs G och dess nummer, som kön visar den (G3)",
        ))
    })
}

/// `audit review …` for a signed-in user; the service checks the role of each.
pub(super) fn review_in(
    s: &Session,
    c: ReviewCommand,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let sv = l == Lang::Sv;
    let names: HashMap<UserId, String> = s.user_names()?.into_iter().collect();
    let who = |u: Option<UserId>| {
        u.map_or_else(
            || "-".to_owned(),
            |u| names.get(&u).cloned().unwrap_or_else(|| u.to_string()),
        )
    };
    match c {
        ReviewCommand::Rules {
            association: a,
            set,
        } => {
            let a = association(a.as_deref(), l)?;
            let (a, settings) = if set.is_empty() {
                s.review_settings(a)?
            } else {
                let changed = s.set_review_settings(a, &set)?;
                (s.review_settings(a)?.0, changed)
            };
            rules_lines(a, &settings, sv, out)
        }
        ReviewCommand::Run(p) => {
            let (a, period) = period(&p, l)?;
            let r = s.run_review_rules(a, period)?;
            run_lines(&r, sv, &who, out)
        }
        ReviewCommand::Sample {
            period: p,
            per_user,
            seed,
        } => {
            let (a, period) = period(&p, l)?;
            let r = s.draw_review_sample(a, period, per_user, seed)?;
            run_lines(&r, sv, &who, out)
        }
        ReviewCommand::Queue {
            association: a,
            open,
        } => {
            // Read and written a stretch at a time: a year's queue is never held whole.
            let a = association(a.as_deref(), l)?;
            let mut start = 0;
            loop {
                let page = s.review_queue_page(a, open, start, 2_000)?;
                if page.total == 0 {
                    writeln!(out, "{}", t(l, "the queue is empty", "kön är tom")).map_err(io)?;
                }
                for r in &page.rows {
                    writeln!(out, "{}", queue_line(r, sv, &who)).map_err(io)?;
                }
                start += page.rows.len();
                if page.rows.is_empty() || start >= page.total {
                    return Ok(());
                }
            }
        }
        ReviewCommand::Show { item: i } => {
            let d = s.review_item(item(&i, l)?)?;
            writeln!(
                out,
                "{}",
                queue_line(
                    &QueueRow {
                        item: d.item.clone(),
                        latest: d.verdicts.last().cloned()
                    },
                    sv,
                    &who
                )
            )
            .map_err(io)?;
            for e in &d.entries {
                let at =
                    crate::domain::review::time::swedish_local(e.at_ms).format("%Y-%m-%d %H:%M");
                writeln!(
                    out,
                    "  {:>6} {at} {:<8} {:<20} {} {}",
                    e.seq,
                    who(e.draft.user),
                    e.draft.action.key(),
                    e.draft
                        .intervention
                        .map_or_else(|| "-".into(), |i| i.to_string()),
                    e.draft
                        .subject
                        .map_or_else(|| "-".into(), |p| p.to_string()),
                )
                .map_err(io)?;
            }
            if d.item.matched as usize > d.entries.len() {
                writeln!(
                    out,
                    "  … {} {}",
                    d.item.matched as usize - d.entries.len(),
                    t(l, "more entries matched", "poster till matchade")
                )
                .map_err(io)?;
            }
            for v in &d.verdicts {
                let at =
                    crate::domain::review::time::swedish_local(v.at_ms).format("%Y-%m-%d %H:%M");
                writeln!(
                    out,
                    "{} {at} {}: {} {}",
                    t(l, "verdict", "bedömning"),
                    who(Some(v.reviewer)),
                    v.kind.label(sv),
                    v.comment
                )
                .map_err(io)?;
            }
            Ok(())
        }
        ReviewCommand::Judge {
            item: i,
            verdict,
            comment,
        } => {
            let kind = VerdictKind::parse(&verdict).map_err(crate::service::ServiceError::from)?;
            let v = s.judge(item(&i, l)?, kind, &comment)?;
            writeln!(
                out,
                "{} {}: {} ({} {})",
                v.item,
                t(l, "judged", "bedömd"),
                v.kind.label(sv),
                t(l, "audit entry", "loggpost"),
                v.audit_seq
            )
            .map_err(io)
        }
        ReviewCommand::Record { period: p, format } => {
            let (a, period) = period(&p, l)?;
            let r = s.review_record(a, period)?;
            let head = r.head(sv);
            let tables = r.tables(sv);
            match format {
                Format::Table => out
                    .write_all(text_of(&head, &tables, &[], sv).as_bytes())
                    .map_err(io),
                Format::Json => Err(CliError::Usage(t(
                    l,
                    "the review record is written as table, csv or xlsx",
                    "granskningsprotokollet skrivs som table, csv eller xlsx",
                ))),
                Format::Csv => out.write_all(&csv_of(&head, &tables, &[], sv)?).map_err(io),
                Format::Xlsx => {
                    let title = t(l, "Log review", "Logggranskning");
                    out.write_all(&xlsx_of(&title, &head, &tables, &[], sv)?)
                        .map_err(io)
                }
            }
        }
    }
}

fn rules_lines(
    a: AssociationId,
    settings: &ReviewSettings,
    sv: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    writeln!(
        out,
        "{} {a}",
        if sv {
            "Granskningsregler för"
        } else {
            "Review rules of"
        }
    )
    .map_err(io)?;
    for r in RuleKind::ALL {
        let state = match (settings.enabled(r), sv) {
            (true, true) => "på",
            (true, false) => "on",
            (false, true) => "av",
            (false, false) => "off",
        };
        writeln!(
            out,
            "{:<18} {:<4} {} — {}",
            r.key(),
            state,
            r.name(sv),
            r.description(settings, sv)
        )
        .map_err(io)?;
    }
    writeln!(
        out,
        "{:<18} {:<4} {}",
        "sample",
        settings.sample_per_user_month,
        if sv {
            "stickprov: poster per användare och månad"
        } else {
            "random sample: entries per user and month"
        }
    )
    .map_err(io)
}

fn run_lines(
    r: &RunReport,
    sv: bool,
    who: &dyn Fn(Option<UserId>) -> String,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let seed = match &r.run.kind {
        crate::domain::review::RunKind::Sample { seed, .. } => {
            format!(", {} {seed}", if sv { "frö" } else { "seed" })
        }
        crate::domain::review::RunKind::Rules { .. } => String::new(),
    };
    writeln!(
        out,
        "{} {}: {} {}, {} {}{seed}",
        r.run.id,
        r.run.period,
        r.run.entries_checked,
        if sv {
            "poster granskade"
        } else {
            "entries checked"
        },
        r.run.items,
        if sv { "att bedöma" } else { "to judge" },
    )
    .map_err(io)?;
    for i in &r.items {
        let row = QueueRow {
            item: i.clone(),
            latest: None,
        };
        writeln!(out, "{}", queue_line(&row, sv, who)).map_err(io)?;
    }
    let more = u64::from(r.run.items).saturating_sub(r.items.len() as u64);
    if more > 0 {
        let text = if sv {
            format!("… och {more} till: `audit review queue` listar alla")
        } else {
            format!("… and {more} more: `audit review queue` lists them all")
        };
        writeln!(out, "{text}").map_err(io)?;
    }
    Ok(())
}

/// One line of the queue: item, status, source, user, day, how many entries.
pub(super) fn queue_line(r: &QueueRow, sv: bool, who: &dyn Fn(Option<UserId>) -> String) -> String {
    let status = match &r.latest {
        None => if sv { "ej bedömd" } else { "not judged" }.to_owned(),
        Some(v) => v.kind.label(sv).to_owned(),
    };
    format!(
        "{:<5} {:<18} {:<38} {:<8} {} {} {}",
        r.item.id.to_string(),
        status,
        r.item.source.label(sv),
        who(r.item.user),
        r.item.day,
        r.item.matched,
        match (sv, r.item.matched) {
            (true, 1) => "post",
            (true, _) => "poster",
            (false, 1) => "entry",
            (false, _) => "entries",
        }
    )
}
