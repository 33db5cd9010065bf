//! When an administrator changes who may see what while a session is open: a session whose user
//! was deactivated, or whose SSH key was removed, ends with a message; one whose role was
//! withdrawn goes on in the user's next role; one whose assignments narrowed drops what it may
//! no longer show (the participants of that intervention, any form or record open for it), and
//! says why. The service refuses the same calls on its own; this is what the screen shows.

use super::app::{App, Overlay, Participants};
use super::forms::Purpose;
use super::i18n::Lang;
use crate::domain::ids::{AssociationId, InterventionId};
use crate::domain::user::Access;
use crate::service::{Revocation, ServiceError, Standing};

impl App {
    /// Reads where the session stands. Returns true when the screen changed so much that
    /// nothing else needs doing now: the session ended, or it goes on in another role.
    pub(super) fn check_standing(&mut self) -> bool {
        match self.session.standing() {
            Ok(Standing::Active) => false,
            Ok(Standing::Revoked(r)) => {
                self.end_session(r.key(), r.message(self.lang()).to_owned());
                true
            }
            Ok(Standing::RoleWithdrawn { remaining }) => {
                let old = self.session.role();
                let next = remaining.first().copied();
                match next.map(|r| (r, self.session.switch_role(r))) {
                    Some((role, Ok(()))) => {
                        self.overlay = None;
                        self.participants = Participants::default();
                        if let Err(e) = self.reload_all() {
                            self.hide_personal_data();
                            self.fail(&e);
                            return true;
                        }
                        let lang = self.lang();
                        self.refuse(match lang {
                            Lang::En => format!(
                                "Your role {} was withdrawn by an administrator; you now act as {}.",
                                old.label(lang == Lang::Sv),
                                role.label(lang == Lang::Sv)
                            ),
                            Lang::Sv => format!(
                                "Din roll {} har dragits in av en administratör; du agerar nu som {}.",
                                old.label(lang == Lang::Sv),
                                role.label(lang == Lang::Sv)
                            ),
                        });
                    }
                    _ => self.end_session(
                        Revocation::NoRole.key(),
                        Revocation::NoRole.message(self.lang()).to_owned(),
                    ),
                }
                true
            }
            Err(e) => {
                // Where it stands cannot be read: show nothing personal until it can.
                self.hide_personal_data();
                self.fail(&e);
                true
            }
        }
    }

    /// Reloads every list after a change to who may see what, and closes what was open for an
    /// intervention the session no longer reaches as it did.
    pub(super) fn reload_narrowing(&mut self) {
        let before: Vec<(InterventionId, String, Access)> = self
            .interventions
            .iter()
            .map(|v| (v.intervention.id, v.intervention.name.clone(), v.access))
            .collect();
        let shown = self.participants.intervention;
        let result = self
            .load_interventions()
            .and_then(|()| self.refresh_participants())
            .and_then(|()| self.load_audit(self.audit.this));
        if let Err(e) = result {
            self.hide_personal_data();
            self.fail(&e);
            return;
        }
        let lost: Vec<(InterventionId, String)> = before
            .into_iter()
            .filter(|(id, _, was)| self.access_now(*id) < *was)
            .map(|(id, name, _)| (id, name))
            .collect();
        let closed = self.close_overlay_of(&lost, shown);
        if lost.is_empty() && !closed {
            return;
        }
        let names = lost
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let lang = self.lang();
        let text = match (lang, closed, names.is_empty()) {
            (Lang::En, true, _) => format!(
                "Your access{}{names} was narrowed by an administrator; what was open for it was \
                 closed and nothing was saved.",
                if names.is_empty() { "" } else { " to " }
            ),
            (Lang::Sv, true, _) => format!(
                "Din behörighet{}{names} har begränsats av en administratör; det som var öppet \
                 stängdes och inget sparades.",
                if names.is_empty() { "" } else { " till " }
            ),
            (Lang::En, false, _) => {
                format!("Your access to {names} was narrowed by an administrator.")
            }
            (Lang::Sv, false, _) => {
                format!("Din behörighet till {names} har begränsats av en administratör.")
            }
        };
        self.refuse(text);
    }

    /// This session's access to `id` as the reloaded list says.
    fn access_now(&self, id: InterventionId) -> Access {
        self.interventions
            .iter()
            .find(|v| v.intervention.id == id)
            .map_or(Access::None, |v| v.access)
    }

    /// Closes the open dialog when it belongs to an intervention in `lost` (`shown`: the one
    /// the participants pane showed, which a confirmation is about), or to an association the
    /// session no longer administers. Returns whether it closed one.
    fn close_overlay_of(
        &mut self,
        lost: &[(InterventionId, String)],
        shown: Option<InterventionId>,
    ) -> bool {
        let is_lost = |i: InterventionId| lost.iter().any(|(id, _)| *id == i);
        let close = match &self.overlay {
            None | Some(Overlay::Help { .. } | Overlay::Roles { .. } | Overlay::UnlockCode(_)) => {
                false
            }
            // The report behind a filter form sums what the session reached.
            Some(Overlay::Form(f)) if f.purpose == Purpose::ReportFilter => !lost.is_empty(),
            Some(Overlay::Form(f)) => match scope_of(f.purpose) {
                (Some(i), _) => is_lost(i),
                (None, association) => association.is_some_and(|a| {
                    matches!(
                        self.session.association_settings(a),
                        Err(ServiceError::Denied(_))
                    )
                }),
            },
            Some(Overlay::Detail(d, _)) => is_lost(d.row.participation.intervention),
            Some(Overlay::Confirm(_)) => shown.is_some_and(is_lost),
            Some(Overlay::Consents(c)) => is_lost(c.intervention),
            Some(Overlay::Information(i)) => is_lost(i.intervention),
            Some(Overlay::Lookup(l)) => l
                .hits
                .as_ref()
                .is_some_and(|h| h.iter().any(|hit| is_lost(hit.intervention))),
            // A report sums what the session reached when it ran: run it again.
            Some(Overlay::Report(_)) => !lost.is_empty(),
            // The queue is the association's: closed when the session may no longer read it.
            Some(Overlay::Review(_)) => matches!(
                self.session.review_queue_page(None, true, 0, 0),
                Err(ServiceError::Denied(_))
            ),
        };
        if close {
            self.overlay = None;
            self.report_behind = None;
            self.review_behind = None;
        }
        close
    }

    /// Drops every list and dialog that may show personal data.
    pub(super) fn hide_personal_data(&mut self) {
        self.participants = Participants::default();
        self.audit = super::app::Window::default();
        if !matches!(self.overlay, Some(Overlay::UnlockCode(_))) {
            self.overlay = None;
        }
    }

    /// Ends the session with `text`, shown as it closes (`reason`: a word for the system log);
    /// nothing personal stays on the screen.
    pub fn end_session(&mut self, reason: &'static str, text: String) {
        self.session.end();
        self.hide_personal_data();
        self.overlay = None;
        self.interventions = Vec::new();
        self.ended = Some(text);
        self.end_reason = Some(reason);
        self.quit = true;
    }

    /// Ends the session after too many wrong unlock codes.
    pub(super) fn end_after_wrong_codes(&mut self) {
        let n = crate::domain::unlock::UNLOCK_TRIES;
        let text = match self.lang() {
            Lang::En => format!("{n} wrong unlock codes in a row; the session ends."),
            Lang::Sv => format!("{n} fel upplåsningskoder i rad; sessionen avslutas."),
        };
        self.end_session("wrong-unlock-codes", text);
    }
}

/// The intervention (or association) a form is for.
fn scope_of(purpose: Purpose) -> (Option<InterventionId>, Option<AssociationId>) {
    match purpose {
        Purpose::Consent { intervention }
        | Purpose::RegisterIn { intervention, .. }
        | Purpose::RegisterOut { intervention, .. }
        | Purpose::Correct { intervention, .. }
        | Purpose::Anonymous { intervention }
        | Purpose::EditIntervention { intervention }
        | Purpose::Plan { intervention }
        | Purpose::Volume { intervention } => (Some(intervention), None),
        Purpose::Association { association } => (None, Some(association)),
        // Aggregates only (closed above when the session loses an intervention).
        Purpose::ReportFilter | Purpose::Verdict { .. } => (None, None),
    }
}
