//! The log reviewer's queue, opened from the audit pane (`R`): findings of the review rules and
//! sampled entries, open ones first; Enter shows one (its entries, pseudonyms only, and its
//! verdicts); `v` opens the verdict form. Rules are run and samples drawn from the command line
//! (`insats audit review run|sample`), where the period and the seed are typed.

use super::action::Action;
use super::app::QUEUE_WINDOW;
use super::app::{App, Overlay, ReviewView};
use super::forms::build;
use super::i18n::{Lang, tr};
use super::keymap::{Context, Key};
use crate::domain::ids::ReviewItemId;
use crate::service::{QueueRow, ServiceError};

impl ReviewView {
    /// The chosen row, when it is read.
    pub fn chosen(&self) -> Option<&QueueRow> {
        self.selected
            .checked_sub(self.page.start)
            .and_then(|i| self.page.rows.get(i))
    }
}

impl App {
    /// `R` on the audit pane: the queue (a log reviewer's; the service refuses other roles).
    pub(super) fn open_review(&mut self) -> Result<(), ServiceError> {
        let page = self
            .session
            .review_queue_page(None, false, 0, QUEUE_WINDOW)?;
        self.overlay = Some(Overlay::Review(Box::new(ReviewView {
            page,
            selected: 0,
            detail: None,
            scroll: 0,
        })));
        Ok(())
    }

    /// Reads the stretch of the queue around `selected` when the rows on screen up to it are
    /// not all read (a long queue is never read whole).
    fn follow_selection(&mut self) {
        let room = self.page_rows.get().max(1);
        let Some(Overlay::Review(v)) = &mut self.overlay else {
            return;
        };
        let first = v.selected.saturating_sub(room);
        let end = v.page.start + v.page.rows.len();
        let inside = first >= v.page.start && (v.selected < end || v.page.rows.is_empty());
        if inside {
            return;
        }
        let start = v.selected.saturating_sub(QUEUE_WINDOW / 2);
        match self
            .session
            .review_queue_page(None, false, start, QUEUE_WINDOW)
        {
            Ok(page) => {
                v.selected = v.selected.min(page.total.saturating_sub(1));
                v.page = page;
            }
            Err(e) => self.fail(&e),
        }
    }

    /// A key in the queue or a shown finding.
    pub(super) fn review_key(&mut self, k: Key) {
        let lang = self.lang();
        let action = self
            .opts
            .keymap
            .resolve_only(Context::Review, k)
            .or_else(|| {
                self.opts
                    .keymap
                    .resolve_only(Context::Global, k)
                    .filter(|a| matches!(a, Action::ToggleMask | Action::Lock | Action::Quit))
            });
        let page = self.page_rows.get().max(1);
        let Some(Overlay::Review(v)) = &mut self.overlay else {
            return;
        };
        let last = v.page.total.saturating_sub(1);
        let step = u16::try_from(page).unwrap_or(u16::MAX);
        match (action, v.detail.is_some()) {
            (Some(Action::Up), false) => v.selected = v.selected.saturating_sub(1),
            (Some(Action::Down), false) => v.selected = (v.selected + 1).min(last),
            (Some(Action::PageUp), false) => v.selected = v.selected.saturating_sub(page),
            (Some(Action::PageDown), false) => v.selected = (v.selected + page).min(last),
            (Some(Action::Up), true) => v.scroll = v.scroll.saturating_sub(1),
            (Some(Action::Down), true) => v.scroll = v.scroll.saturating_add(1),
            (Some(Action::PageUp), true) => v.scroll = v.scroll.saturating_sub(step),
            (Some(Action::PageDown), true) => v.scroll = v.scroll.saturating_add(step),
            (Some(Action::Open), _) => {
                let Some(id) = v.chosen().map(|r| r.item.id) else {
                    self.say(tr(lang, "The queue is empty", "Kön är tom"));
                    return;
                };
                match self.session.review_item(id) {
                    Ok(d) => {
                        v.detail = Some(d);
                        v.scroll = 0;
                    }
                    Err(e) => self.fail(&e),
                }
            }
            (Some(Action::JudgeItem), _) => self.open_verdict(),
            (Some(Action::Back | Action::Cancel), true) => v.detail = None,
            (Some(Action::Back | Action::Cancel), false) => self.overlay = None,
            (Some(a @ (Action::ToggleMask | Action::Lock | Action::Quit)), _) => self.run(a),
            (Some(_), _) => {}
            (None, _) => {
                let text = super::commands::unbound(lang, &k.to_string());
                self.refuse(text);
            }
        }
        self.follow_selection();
    }

    /// `v`: the verdict form for the chosen (or shown) item; the queue waits behind it.
    fn open_verdict(&mut self) {
        let lang = self.lang();
        let Some(Overlay::Review(v)) = &self.overlay else {
            return;
        };
        let Some(row) = v.chosen() else {
            self.say(tr(lang, "The queue is empty", "Kön är tom"));
            return;
        };
        let what = format!(
            "{}, {} {}",
            row.item.source.label(lang == Lang::Sv),
            row.item.day,
            row.item
                .user
                .and_then(|u| self.user_names.get(&u))
                .map_or("-", String::as_str)
        );
        let form = build::verdict(row.item.id, &what, lang);
        if let Some(Overlay::Review(view)) = self.overlay.take() {
            self.review_behind = Some(view);
        }
        self.overlay = Some(Overlay::Form(Box::new(form)));
    }

    /// Saving the verdict form: the service keeps the verdict with its audit entry (or refuses,
    /// e.g. the reviewer's own access: the refusal stays in the form); then back to the queue,
    /// read afresh.
    pub(super) fn submit_verdict(&mut self, item: ReviewItemId) {
        let lang = self.lang();
        let Some(Overlay::Form(form)) = &mut self.overlay else {
            return;
        };
        let (kind, comment) = build::verdict_input(form);
        let Some(kind) = kind else {
            form.refusal = Some(
                tr(
                    lang,
                    "Choose a verdict (space or enter on it)",
                    "Välj en bedömning (mellanslag eller enter på den)",
                )
                .to_owned(),
            );
            return;
        };
        match self.session.judge(item, kind, &comment) {
            Ok(v) => {
                let behind = self.review_behind.take();
                self.reopen_review(behind, item);
                self.say(match lang {
                    Lang::En => format!("{item} judged: {}", v.kind.label(false)),
                    Lang::Sv => format!("{item} bedömd: {}", v.kind.label(true)),
                });
                let _ = self.load_audit(self.audit.this);
            }
            Err(e) => {
                if let Some(Overlay::Form(form)) = &mut self.overlay {
                    form.refusal = Some(e.message(lang));
                }
            }
        }
    }

    /// Leaving the verdict form without saving: back to the queue as it was.
    pub(super) fn cancel_verdict(&mut self) {
        self.overlay = self.review_behind.take().map(Overlay::Review);
    }

    /// The queue read afresh after a verdict, on the same item (and its finding, if shown).
    fn reopen_review(&mut self, behind: Option<Box<ReviewView>>, item: ReviewItemId) {
        let shown = behind.as_ref().is_some_and(|b| b.detail.is_some());
        match self.session.review_queue_around(None, item, QUEUE_WINDOW) {
            Ok((page, selected)) => {
                let detail = if shown {
                    self.session.review_item(item).ok()
                } else {
                    None
                };
                self.overlay = Some(Overlay::Review(Box::new(ReviewView {
                    page,
                    selected,
                    detail,
                    scroll: 0,
                })));
            }
            Err(e) => {
                self.overlay = behind.map(Overlay::Review);
                self.fail(&e);
            }
        }
    }
}
