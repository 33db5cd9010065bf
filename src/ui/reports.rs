//! The report screen: the follow-up reports of what the user's role reaches (every role), for
//! a budget year and optionally one gender, switched and scrolled from the keyboard, and
//! exported as CSV and Excel. Each report shown is a run of the service, and so an audit entry.

use super::action::Action;
use super::app::{App, Overlay, ReportView};
use super::i18n::{Lang, tr};
use super::keymap::{Context, Key};
use crate::domain::person::Gender;
use crate::service::ServiceError;
use crate::service::reports::{ReportFilter, ReportKind};
use std::fmt::Write as _;

impl App {
    /// `r`: the results report of the budget year the interventions pane shows.
    pub(super) fn open_report(&mut self) -> Result<(), ServiceError> {
        let view = self.run_report(ReportKind::Results, self.year, Choice::default())?;
        self.overlay = Some(Overlay::Report(Box::new(view)));
        Ok(())
    }

    fn run_report(
        &self,
        kind: ReportKind,
        year: i32,
        choice: Choice,
    ) -> Result<ReportView, ServiceError> {
        let filter = ReportFilter {
            gender: choice.gender,
            interventions: choice.intervention.into_iter().collect(),
            age_groups: choice.age.into_iter().collect(),
            ..ReportFilter::year(year)
        };
        let report = self
            .session
            .report(kind, &filter, self.lang() == Lang::Sv)?;
        Ok(ReportView {
            kind,
            year,
            gender: choice.gender,
            intervention: choice.intervention,
            age: choice.age,
            report,
            scroll: 0,
            hscroll: 0,
        })
    }

    /// A key on the report screen.
    pub(super) fn report_key(&mut self, k: Key) {
        let lang = self.lang();
        let action = self
            .opts
            .keymap
            .resolve_only(Context::Report, k)
            .or_else(|| {
                self.opts
                    .keymap
                    .resolve_only(Context::Global, k)
                    .filter(|a| matches!(a, Action::ToggleMask | Action::Lock | Action::Quit))
            });
        let Some(Overlay::Report(r)) = &mut self.overlay else {
            return;
        };
        let page = self.page_rows.get().max(1);
        let page = u16::try_from(page).unwrap_or(u16::MAX);
        let (mut kind, mut year) = (r.kind, r.year);
        let before = Choice {
            gender: r.gender,
            intervention: r.intervention,
            age: r.age,
        };
        let mut choice = before;
        let reach: Vec<crate::domain::ids::InterventionId> = self
            .interventions
            .iter()
            .map(|v| v.intervention.id)
            .collect();
        // Wide tables scroll sideways with the arrow keys, whatever the keymap.
        match k.code {
            super::keymap::KeyName::Left => {
                r.hscroll = r.hscroll.saturating_sub(8);
                return;
            }
            super::keymap::KeyName::Right => {
                r.hscroll = r.hscroll.saturating_add(8);
                return;
            }
            _ => {}
        }
        match action {
            Some(Action::Up) => r.scroll = r.scroll.saturating_sub(1),
            Some(Action::Down) => r.scroll = r.scroll.saturating_add(1),
            Some(Action::PageUp) => r.scroll = r.scroll.saturating_sub(page),
            Some(Action::PageDown) => r.scroll = r.scroll.saturating_add(page),
            Some(Action::Back | Action::Cancel) => {
                self.overlay = None;
                return;
            }
            Some(a @ (Action::ToggleMask | Action::Lock | Action::Quit)) => {
                self.run(a);
                return;
            }
            Some(Action::ExportReport) => {
                self.export_report();
                return;
            }
            Some(Action::NextReport | Action::PrevReport) => {
                let all = ReportKind::ALL;
                let at = all.iter().position(|x| *x == kind).unwrap_or(0);
                let n = all.len();
                let to = if action == Some(Action::NextReport) {
                    (at + 1) % n
                } else {
                    (at + n - 1) % n
                };
                kind = all[to];
            }
            Some(Action::PrevYear) => year -= 1,
            Some(Action::NextYear) => year += 1,
            Some(Action::ReportGender) => {
                choice.gender = match choice.gender {
                    None => Some(Gender::Woman),
                    Some(Gender::Woman) => Some(Gender::Man),
                    Some(Gender::Man) => None,
                };
            }
            Some(Action::ReportIntervention) => {
                // All, then each intervention in reach in the pane's order, then all again.
                choice.intervention = match choice.intervention {
                    None => reach.first().copied(),
                    Some(i) => reach
                        .iter()
                        .position(|x| *x == i)
                        .and_then(|at| reach.get(at + 1).copied()),
                };
            }
            Some(Action::ReportAge) => {
                let groups = u8::try_from(crate::domain::follow_up::AGE_GROUPS.len()).unwrap_or(0);
                choice.age = match choice.age {
                    None => Some(0),
                    Some(g) if g + 1 < groups => Some(g + 1),
                    Some(_) => None,
                };
            }
            Some(_) => return,
            None => {
                let text = super::commands::unbound(lang, &k.to_string());
                self.refuse(text);
                return;
            }
        }
        if (kind, year, choice) != (r.kind, r.year, before) {
            match self.run_report(kind, year, choice) {
                Ok(view) => self.overlay = Some(Overlay::Report(Box::new(view))),
                Err(e) => self.fail(&e),
            }
            // The run is in the log: show it.
            let _ = self.load_audit(self.audit.this);
        }
    }

    /// `x`: the shown report as CSV and an Excel workbook in the export folder; over SSH, the
    /// command that streams it to the user's own machine.
    fn export_report(&mut self) {
        let lang = self.lang();
        let Some(Overlay::Report(r)) = &self.overlay else {
            return;
        };
        let sv = lang == Lang::Sv;
        let name = format!("{}-{}", r.kind.key(), r.year);
        let mut args = match r.gender {
            None => String::new(),
            Some(Gender::Woman) => " --gender women".to_owned(),
            Some(Gender::Man) => " --gender men".to_owned(),
        };
        if let Some(i) = r.intervention {
            let _ = write!(args, " --intervention {i}");
        }
        if let Some(g) = r.age {
            let low = crate::domain::follow_up::AGE_GROUPS
                .get(usize::from(g))
                .copied()
                .unwrap_or(0);
            let arg = crate::domain::follow_up::AGE_GROUPS
                .get(usize::from(g) + 1)
                .map_or_else(|| low.to_string(), |next| format!("{low}-{}", next - 1));
            let arg = if low == 0 { "under-20".to_owned() } else { arg };
            let _ = write!(args, " --age {arg}");
        }
        let Some(dir) = self.opts.export_dir.clone() else {
            let command = format!(
                "ssh … report {} --year {}{args} --format xlsx > {name}.xlsx",
                r.kind.key(),
                r.year
            );
            self.say(match lang {
                Lang::En => format!("Over SSH, get it on your computer with: {command}"),
                Lang::Sv => format!("Via SSH hämtar du den till din dator med: {command}"),
            });
            return;
        };
        let written = (|| -> Result<std::path::PathBuf, String> {
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let csv = crate::cli::report::csv(&r.report, sv).map_err(|e| e.to_string())?;
            let xlsx = crate::cli::report::xlsx(&r.report, sv).map_err(|e| e.to_string())?;
            std::fs::write(dir.join(format!("{name}.csv")), csv).map_err(|e| e.to_string())?;
            let book = dir.join(format!("{name}.xlsx"));
            std::fs::write(&book, xlsx).map_err(|e| e.to_string())?;
            Ok(book)
        })();
        match written {
            Ok(book) => self.say(match lang {
                Lang::En => format!("Saved {} (and .csv beside it)", book.display()),
                Lang::Sv => format!("Sparad: {} (och .csv bredvid)", book.display()),
            }),
            Err(e) => self.refuse(match lang {
                Lang::En => format!("Could not save the export in {}: {e}", dir.display()),
                Lang::Sv => format!("Kunde inte spara exporten i {}: {e}", dir.display()),
            }),
        }
    }
}

/// What the report screen narrows the report to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Choice {
    gender: Option<Gender>,
    intervention: Option<crate::domain::ids::InterventionId>,
    age: Option<u8>,
}

/// The report kinds as tabs are labelled.
pub(super) fn kind_label(kind: ReportKind, lang: Lang) -> &'static str {
    match kind {
        ReportKind::Results => tr(lang, "Results", "Resultat"),
        ReportKind::Background => tr(lang, "Background", "Bakgrund"),
        ReportKind::Interventions => tr(lang, "Interventions", "Insatser"),
        ReportKind::Costs => tr(lang, "Costs", "Kostnader"),
    }
}
