//! The report screen: the follow-up reports of what the user's role reaches (every role), for
//! a period of months (a budget year to begin with), interventions, a gender and age groups, switched and scrolled from the keyboard, and
//! exported as CSV and Excel. Each report shown is a run of the service, and so an audit entry.

use super::action::Action;
use super::app::{App, Overlay, ReportView};
use super::i18n::{Lang, tr};
use super::keymap::{Context, Key};
use crate::domain::follow_up::month_text;
use crate::domain::ids::InterventionId;
use crate::domain::person::Gender;
use crate::service::ServiceError;
use crate::service::reports::{ReportFilter, ReportKind};
use std::fmt::Write as _;

impl App {
    /// `r`: the results report of the budget year the interventions pane shows.
    pub(super) fn open_report(&mut self) -> Result<(), ServiceError> {
        let view = self.run_report(ReportKind::Results, ReportFilter::year(self.year))?;
        self.overlay = Some(Overlay::Report(Box::new(view)));
        Ok(())
    }

    fn run_report(
        &self,
        kind: ReportKind,
        filter: ReportFilter,
    ) -> Result<ReportView, ServiceError> {
        let report = self
            .session
            .report(kind, &filter, self.lang() == Lang::Sv)?;
        Ok(ReportView {
            kind,
            filter,
            report,
            scroll: 0,
            hscroll: 0,
        })
    }

    /// Shows `kind` over `filter` in place of the report screen `behind`; a refusal keeps the
    /// report that was shown and says why.
    fn rerun(&mut self, behind: Box<ReportView>, kind: ReportKind, filter: ReportFilter) {
        match self.run_report(kind, filter) {
            Ok(view) => self.overlay = Some(Overlay::Report(Box::new(view))),
            Err(e) => {
                self.overlay = Some(Overlay::Report(behind));
                self.fail(&e);
            }
        }
        // The run is in the log: show it.
        let _ = self.load_audit(self.audit.this);
    }

    /// The interventions a report can be narrowed to: those in the pane, in its order.
    fn report_reach(&self) -> Vec<(InterventionId, String)> {
        self.interventions
            .iter()
            .map(|v| (v.intervention.id, v.intervention.name.clone()))
            .collect()
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
        let named = self.report_reach();
        let reach: Vec<InterventionId> = named.iter().map(|r| r.0).collect();
        let Some(Overlay::Report(r)) = &mut self.overlay else {
            return;
        };
        let page = self.page_rows.get().max(1);
        let page = u16::try_from(page).unwrap_or(u16::MAX);
        let mut kind = r.kind;
        let mut filter = r.filter.clone();
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
            Some(Action::ReportFilter) => {
                let form = super::forms::build::report_filter(&r.filter, &named, lang);
                if let Some(Overlay::Report(view)) = self.overlay.take() {
                    self.report_behind = Some(view);
                }
                self.overlay = Some(Overlay::Form(Box::new(form)));
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
            // The period moves a budget year, whatever its length.
            Some(Action::PrevYear) => (filter.from, filter.to) = (filter.from - 12, filter.to - 12),
            Some(Action::NextYear) => (filter.from, filter.to) = (filter.from + 12, filter.to + 12),
            Some(Action::ReportGender) => {
                filter.gender = match filter.gender {
                    None => Some(Gender::Woman),
                    Some(Gender::Woman) => Some(Gender::Man),
                    Some(Gender::Man) => None,
                };
            }
            Some(Action::ReportIntervention) => {
                // All, then each intervention in reach in the pane's order, then all again; a
                // choice of several (from the filter form) starts again from the first.
                filter.interventions = match filter.interventions.as_slice() {
                    [i] => reach
                        .iter()
                        .position(|x| x == i)
                        .and_then(|at| reach.get(at + 1).copied())
                        .into_iter()
                        .collect(),
                    _ => reach.first().copied().into_iter().collect(),
                };
            }
            Some(Action::ReportAge) => {
                let groups = u8::try_from(crate::domain::follow_up::AGE_GROUPS.len()).unwrap_or(0);
                // All, then each group, then all again; several start from the first.
                filter.age_groups = match filter.age_groups.as_slice() {
                    [g] if g + 1 < groups => vec![g + 1],
                    [_] => Vec::new(),
                    _ => vec![0],
                };
            }
            Some(_) => return,
            None => {
                let text = super::commands::unbound(lang, &k.to_string());
                self.refuse(text);
                return;
            }
        }
        if (kind, &filter) != (r.kind, &r.filter) {
            let Some(Overlay::Report(behind)) = self.overlay.take() else {
                return;
            };
            self.rerun(behind, kind, filter);
        }
    }

    /// Saving the filter form: the report screen behind it, run over the new filter. A refusal
    /// (a period that ends before it starts) stays in the form.
    pub(super) fn submit_report_filter(&mut self) {
        let lang = self.lang();
        let (Some(Overlay::Form(form)), Some(behind)) = (&mut self.overlay, &self.report_behind)
        else {
            return;
        };
        let filter = super::forms::build::report_filter_input(form, &behind.filter);
        match self.run_report(behind.kind, filter) {
            Ok(view) => {
                self.report_behind = None;
                self.overlay = Some(Overlay::Report(Box::new(view)));
                let _ = self.load_audit(self.audit.this);
            }
            Err(e) => {
                if let Some(Overlay::Form(form)) = &mut self.overlay {
                    form.refusal = Some(e.message(lang));
                }
            }
        }
    }

    /// Leaving the filter form without saving: back to the report as it was.
    pub(super) fn cancel_report_filter(&mut self) {
        self.overlay = self.report_behind.take().map(Overlay::Report);
    }

    /// `x`: the shown report as CSV and an Excel workbook in the export folder; over SSH, the
    /// command that streams it to the user's own machine.
    fn export_report(&mut self) {
        let lang = self.lang();
        let Some(Overlay::Report(r)) = &self.overlay else {
            return;
        };
        let sv = lang == Lang::Sv;
        let f = &r.filter;
        let whole_year = f.whole_years() && f.from.div_euclid(12) == f.to.div_euclid(12);
        let (name, period) = if whole_year {
            let y = f.from.div_euclid(12);
            (format!("{}-{y}", r.kind.key()), format!("--year {y}"))
        } else {
            let (from, to) = (month_text(f.from), month_text(f.to));
            (
                format!("{}-{from}-{to}", r.kind.key()),
                format!("--from {from} --to {to}"),
            )
        };
        let mut args = match f.gender {
            None => String::new(),
            Some(Gender::Woman) => " --gender women".to_owned(),
            Some(Gender::Man) => " --gender men".to_owned(),
        };
        if !f.interventions.is_empty() {
            let ids: Vec<String> = f.interventions.iter().map(ToString::to_string).collect();
            let _ = write!(args, " --intervention {}", ids.join(","));
        }
        if !f.age_groups.is_empty() {
            let ages: Vec<String> = f.age_groups.iter().map(|g| age_arg(*g)).collect();
            let _ = write!(args, " --age {}", ages.join(","));
        }
        let Some(dir) = self.opts.export_dir.clone() else {
            let command = format!(
                "ssh … report {} {period}{args} --format xlsx > {name}.xlsx",
                r.kind.key(),
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

/// An age group as `insats report --age` takes it.
fn age_arg(g: u8) -> String {
    let groups = crate::domain::follow_up::AGE_GROUPS;
    let low = groups.get(usize::from(g)).copied().unwrap_or(0);
    if low == 0 {
        return "under-20".to_owned();
    }
    groups
        .get(usize::from(g) + 1)
        .map_or_else(|| low.to_string(), |next| format!("{low}-{}", next - 1))
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
