//! The lists the screen shows: each a window of rows loaded from the service (never a whole
//! table), filtered as the user types and with its selection.

use super::app::{App, Overlay, Participants, WINDOW, Window};
use super::i18n::Lang;
use crate::domain::audit::Entry;
use crate::domain::ids::ParticipationId;
use crate::domain::participation::State;
use crate::domain::user::Access;
use crate::service::{AuditFilter, InterventionView, ParticipantRow, ServiceError};

impl App {
    /// Reloads everything (after sign-in, a role switch, or a lagging notice channel).
    pub fn reload_all(&mut self) -> Result<(), ServiceError> {
        self.user_names = self.session.user_names()?.into_iter().collect();
        self.association = self.session.association_name()?;
        self.load_interventions()?;
        self.load_participants(None)?;
        self.load_audit(None)
    }

    /// The interventions the session reaches, keeping the selection on the same one.
    pub fn load_interventions(&mut self) -> Result<(), ServiceError> {
        let keep = self.selected_intervention().map(|v| v.intervention.id);
        self.interventions = self.session.interventions_in(self.year)?;
        self.int_selected = keep
            .and_then(|id| {
                self.interventions
                    .iter()
                    .position(|v| v.intervention.id == id)
            })
            .unwrap_or(0);
        Ok(())
    }

    /// Indices of the interventions that pass the filter.
    pub fn visible_interventions(&self) -> Vec<usize> {
        let needle = self.int_filter.to_lowercase();
        self.interventions
            .iter()
            .enumerate()
            .filter(|(_, v)| {
                needle.is_empty() || v.intervention.name.to_lowercase().contains(&needle)
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub fn selected_intervention(&self) -> Option<&InterventionView> {
        self.interventions.get(self.int_selected)
    }

    /// Loads the window of participants starting below `before` (newest first).
    pub fn load_participants(&mut self, before: Option<u64>) -> Result<(), ServiceError> {
        let Some(view) = self.selected_intervention() else {
            self.participants = Participants::default();
            return Ok(());
        };
        let (id, access) = (view.intervention.id, view.access);
        if self.participants.intervention != Some(id) {
            self.participants = Participants {
                intervention: Some(id),
                ..Participants::default()
            };
        }
        let p = &mut self.participants;
        p.access = Some(access);
        let (counters, anonymous) = self.session.aggregates(id)?;
        p.counters = counters;
        p.anonymous = anonymous;
        p.unused = if access == Access::Individual {
            self.session.unused_consent_count(id)?
        } else {
            0
        };
        if access == Access::Individual {
            let mut rows = match &p.search {
                Some(needle) => self.session.search_participants(id, needle, WINDOW + 1)?,
                None => {
                    self.session
                        .participants_page(id, before.map(ParticipationId), WINDOW + 1)?
                }
            };
            p.list.more = rows.len() > WINDOW;
            rows.truncate(WINDOW);
            p.list.rows = rows;
            // A search's hits are one list, not a window to page from.
            p.search_capped = p.search.is_some() && p.list.more;
            if p.search.is_some() {
                p.list.more = false;
            }
        } else {
            p.list.rows = Vec::new();
            p.list.more = false;
        }
        p.list.this = before;
        p.list.selected = p.list.selected.min(p.list.rows.len().saturating_sub(1));
        Ok(())
    }

    /// Turns the participants filter into a search of the whole intervention, when the loaded
    /// window is not the whole list (Enter on the filter line).
    pub fn search_participants(&mut self) {
        let needle = self.participants.list.filter.trim().to_string();
        let list = &self.participants.list;
        let whole = !list.more && list.this.is_none() && self.participants.search.is_none();
        if needle.is_empty() || whole {
            return;
        }
        self.participants.search = Some(needle);
        self.participants.list = Window {
            filter: std::mem::take(&mut self.participants.list.filter),
            ..Window::default()
        };
        if let Err(e) = self.load_participants(None) {
            self.fail(&e);
        }
    }

    /// Back from a search of the whole intervention to its newest window.
    pub fn end_participant_search(&mut self) {
        if self.participants.search.take().is_some() {
            self.participants.list = Window::default();
            if let Err(e) = self.load_participants(None) {
                self.fail(&e);
            }
        }
    }

    /// Reloads the participants window in place (after a change or a notice).
    pub fn refresh_participants(&mut self) -> Result<(), ServiceError> {
        let this = self.participants.list.this;
        self.load_participants(this)
    }

    pub fn visible_participants(&self) -> Vec<usize> {
        let list = &self.participants.list;
        let needle = list.filter.trim().to_lowercase();
        let sv = self.lang() == Lang::Sv;
        // A personnummer matches in any form it is accepted in (with or without the dash, with
        // or without the century): compared digit by digit.
        let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
        let pnr_like = digits.len() >= 2
            && needle
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+'));
        list.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                needle.is_empty()
                    || (!self.mask
                        && (r.identity.name.to_lowercase().contains(&needle)
                            || (pnr_like && r.identity.pnr.digits12().contains(&digits))))
                    || r.participation.state().label(sv).contains(&needle)
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub fn selected_participant(&self) -> Option<&ParticipantRow> {
        self.participants
            .list
            .rows
            .get(self.participants.list.selected)
    }

    /// The state of the selected participation (for `when` conditions in the keymap).
    pub fn selected_state(&self) -> Option<State> {
        if let Some(Overlay::Detail(d, _)) = &self.overlay {
            return Some(d.row.participation.state());
        }
        self.selected_participant().map(|r| r.participation.state())
    }

    pub fn audit_filter(&self) -> AuditFilter {
        AuditFilter::default()
    }

    pub fn load_audit(&mut self, before: Option<u64>) -> Result<(), ServiceError> {
        let mut rows = self
            .session
            .audit_page(&self.audit_filter(), before, WINDOW + 1)?;
        self.audit.more = rows.len() > WINDOW;
        rows.truncate(WINDOW);
        self.audit.rows = rows;
        self.audit.this = before;
        self.audit.selected = self
            .audit
            .selected
            .min(self.audit.rows.len().saturating_sub(1));
        Ok(())
    }

    pub fn visible_audit(&self) -> Vec<usize> {
        let needle = self.audit.filter.to_lowercase();
        self.audit
            .rows
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                needle.is_empty() || self.audit_line_text(e).to_lowercase().contains(&needle)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The searchable text of an audit entry (what its row shows).
    pub fn audit_line_text(&self, e: &Entry) -> String {
        let who = e
            .draft
            .user
            .and_then(|u| self.user_names.get(&u))
            .map_or("-", String::as_str);
        format!(
            "{} {} {}",
            who,
            super::i18n::audit_action(e.draft.action, self.lang()),
            e.draft.subject.map(|s| s.to_string()).unwrap_or_default()
        )
    }
}
