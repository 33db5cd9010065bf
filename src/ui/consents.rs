//! The consents of the shown intervention that no registration uses yet: the handler opens the
//! list (`u`), registers the person in with the chosen consent (Enter: the registration form,
//! on that consent), or removes it (`d`, a typed confirmation: it erases personal data).

use super::action::Action;
use super::app::{App, ConfirmKind, Consents, Overlay, Target};
use super::forms::build;
use super::i18n::tr;
use super::keymap::{Context, Key};
use crate::service::ServiceError;

impl App {
    /// Opens the list for the shown intervention (a handler assigned to it only; the service
    /// decides).
    pub(super) fn open_consents(&mut self) -> Result<(), ServiceError> {
        let Some(view) = self.selected_intervention() else {
            self.say(tr(
                self.lang(),
                "Choose an intervention first",
                "Välj en insats först",
            ));
            return Ok(());
        };
        let intervention = view.intervention.id;
        view.require_handler()?;
        let rows = self.session.unused_consents_in(intervention)?;
        self.participants.unused = u64::try_from(rows.len()).unwrap_or(u64::MAX);
        self.overlay = Some(Overlay::Consents(Box::new(Consents {
            intervention,
            rows,
            selected: 0,
        })));
        Ok(())
    }

    /// A key in the list: move, register in with the chosen consent, remove it, or close.
    pub(super) fn consents_key(&mut self, k: Key) {
        let lang = self.lang();
        let action = self
            .opts
            .keymap
            .resolve_only(Context::Consents, k)
            .or_else(|| {
                // The privacy mask, the lock and quitting work here too.
                self.opts
                    .keymap
                    .resolve_only(Context::Global, k)
                    .filter(|a| matches!(a, Action::ToggleMask | Action::Lock | Action::Quit))
            });
        let Some(Overlay::Consents(c)) = &mut self.overlay else {
            return;
        };
        let last = c.rows.len().saturating_sub(1);
        match action {
            Some(Action::Up) => c.selected = c.selected.saturating_sub(1),
            Some(Action::Down) => c.selected = (c.selected + 1).min(last),
            Some(Action::Top) => c.selected = 0,
            Some(Action::Bottom) => c.selected = last,
            Some(Action::UseConsent) => self.use_consent(),
            Some(Action::RemoveConsent) => self.ask_remove_consent(),
            Some(Action::Back | Action::Cancel) => self.overlay = None,
            Some(a @ (Action::ToggleMask | Action::Lock | Action::Quit)) => self.run(a),
            Some(_) => {}
            None => {
                let text = super::commands::unbound(lang, &k.to_string());
                self.refuse(text);
            }
        }
    }

    /// Enter: the registration-in form on the chosen consent (the consent's rules are checked
    /// again by the service when it is saved).
    fn use_consent(&mut self) {
        let lang = self.lang();
        let today = self.today();
        let Some(Overlay::Consents(c)) = &self.overlay else {
            return;
        };
        let Some(row) = c.rows.get(c.selected) else {
            self.refuse(tr(
                lang,
                "There is no unused consent to use",
                "Det finns inget oanvänt samtycke att använda",
            ));
            return;
        };
        let (intervention, consent, gender) =
            (c.intervention, row.consent.id, row.identity.pnr.gender());
        let name = if self.mask {
            "••••••".to_owned()
        } else {
            row.identity.name.clone()
        };
        let signed = row.consent.evidence.signed_on;
        match self.session.questionnaire(intervention) {
            Ok(catalogue) => {
                let mut form = build::register_in(
                    intervention,
                    Some(consent),
                    &catalogue,
                    Some(gender),
                    today,
                    lang,
                );
                form.intro = match lang {
                    crate::ui::i18n::Lang::En => {
                        format!("{name}, on the consent signed {signed}. {}", form.intro)
                    }
                    crate::ui::i18n::Lang::Sv => format!(
                        "{name}, med samtycket undertecknat {signed}. {}",
                        form.intro
                    ),
                };
                self.overlay = Some(Overlay::Form(Box::new(form)));
            }
            Err(e) => self.fail(&e),
        }
    }

    /// `d`: the typed confirmation, naming the person and the consent.
    fn ask_remove_consent(&mut self) {
        let lang = self.lang();
        let Some(Overlay::Consents(c)) = &self.overlay else {
            return;
        };
        let Some(row) = c.rows.get(c.selected) else {
            self.refuse(tr(
                lang,
                "There is no unused consent to remove",
                "Det finns inget oanvänt samtycke att ta bort",
            ));
            return;
        };
        let (target, who) = (Target::Consent(row.consent.id), row.identity.clone());
        let when = match lang {
            crate::ui::i18n::Lang::En => format!(
                "consent signed {}, recorded {}",
                row.consent.evidence.signed_on, row.consent.recorded_on
            ),
            crate::ui::i18n::Lang::Sv => format!(
                "samtycke undertecknat {}, registrerat {}",
                row.consent.evidence.signed_on, row.consent.recorded_on
            ),
        };
        let name = self
            .selected_intervention()
            .map_or_else(String::new, |v| v.intervention.name.clone());
        self.ask_about(ConfirmKind::RemoveConsent, target, who, name, when);
    }
}
