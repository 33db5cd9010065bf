//! The register's flows as the screen runs them: open the right form or question, send the
//! filled form to the service, and show its refusal in words or the result.

use super::action::Action;
use super::app::{App, ConfirmKind, Overlay, Pane, Target};
use super::forms::{Form, Purpose, build};
use super::i18n::tr;
use crate::domain::participation::{Occasion, State};
use crate::service::ServiceError;

impl App {
    /// A participant command from the keymap: checks that there is something to act on, then
    /// opens its form or confirmation. The service decides whether it is allowed.
    pub(super) fn start_flow(&mut self, action: Action) -> Result<(), ServiceError> {
        let lang = self.lang();
        let Some(view) = self.selected_intervention() else {
            self.say(tr(
                lang,
                "Choose an intervention first",
                "Välj en insats först",
            ));
            return Ok(());
        };
        let intervention = view.intervention.id;
        view.require_handler()?;
        match action {
            Action::RecordConsent => {
                self.new_consent_form();
                return Ok(());
            }
            Action::RegisterAnonymous => {
                let form = build::anonymous(intervention, self.today(), lang);
                self.overlay = Some(Overlay::Form(Box::new(form)));
                return Ok(());
            }
            _ => {}
        }
        let (row, who) = match &self.overlay {
            Some(Overlay::Detail(d, _)) => (d.row.participation.clone(), d.row.identity.clone()),
            _ => match self.selected_participant() {
                Some(r) if self.focus == Pane::Participants => {
                    (r.participation.clone(), r.identity.clone())
                }
                _ => {
                    self.say(tr(
                        lang,
                        "Choose a participant first",
                        "Välj en deltagare först",
                    ));
                    return Ok(());
                }
            },
        };
        match action {
            Action::RegisterOut => {
                if row.state() != State::RegisteredIn {
                    self.say(tr(lang, "Already registered out", "Redan utskriven"));
                    return Ok(());
                }
                let catalogue = self.session.questionnaire(intervention)?;
                let form = build::register_out(
                    intervention,
                    row.id,
                    &catalogue,
                    &row.answers_in,
                    row.consent_withdrawn,
                    self.today(),
                    lang,
                );
                self.overlay = Some(Overlay::Form(Box::new(form)));
            }
            Action::CorrectAnswers => {
                let catalogue = self.session.questionnaire(intervention)?;
                let (occasion, given, on) = match (&row.answers_out, row.out_date) {
                    (Some(out), Some(date)) => (Occasion::Out, out, date),
                    _ => (Occasion::In, &row.answers_in, row.in_date),
                };
                let form =
                    build::correct(intervention, row.id, occasion, &catalogue, given, on, lang);
                self.overlay = Some(Overlay::Form(Box::new(form)));
            }
            Action::Misregister => self.ask(ConfirmKind::Misregister, &row, who),
            Action::MarkProtected => self.ask(ConfirmKind::Protected, &row, who),
            Action::WithdrawConsent => self.ask(ConfirmKind::Withdraw, &row, who),
            _ => {}
        }
        Ok(())
    }

    /// Save: checks every field, then sends the form to the service. A refusal stays in the
    /// form, in words, with everything typed kept.
    pub(super) fn submit_form(&mut self) {
        let lang = self.lang();
        let today = self.today();
        let Some(Overlay::Form(form)) = &mut self.overlay else {
            return;
        };
        if !form.check_all(lang) {
            form.refusal = Some(
                tr(
                    lang,
                    "Some fields need attention (marked with !)",
                    "Några fält behöver rättas (markerade med !)",
                )
                .to_owned(),
            );
            return;
        }
        let purpose = form.purpose;
        if purpose == Purpose::ReportFilter {
            self.submit_report_filter();
            return;
        }
        if let Purpose::Verdict { item } = purpose {
            self.submit_verdict(item);
            return;
        }
        let result = self.send(purpose, today);
        match result {
            Ok(Some(next)) => self.overlay = Some(Overlay::Form(Box::new(next))),
            Ok(None) => {
                self.overlay = None;
                self.after_change();
            }
            Err(e) => {
                if let Some(Overlay::Form(form)) = &mut self.overlay {
                    form.refusal = Some(e.message(lang));
                }
            }
        }
    }

    /// Sends a checked form; returns the form that follows (consent → registration in).
    fn send(
        &mut self,
        purpose: Purpose,
        today: chrono::NaiveDate,
    ) -> Result<Option<Form>, ServiceError> {
        let lang = self.lang();
        let Some(Overlay::Form(form)) = &self.overlay else {
            return Ok(None);
        };
        match purpose {
            Purpose::Consent { intervention } => {
                // Checked as the service would record it, but not saved: the consent is saved
                // together with the registration in, so a cancelled questionnaire leaves no
                // consent behind.
                let (identity, consent) = build::consent_inputs(form);
                self.session
                    .check_consent(intervention, &identity, &consent)?;
                let catalogue = self.session.questionnaire(intervention)?;
                let from_pnr =
                    crate::domain::personnummer::Personnummer::parse(&identity.pnr, today)
                        .ok()
                        .map(|p| p.gender());
                let mut next =
                    build::register_in(intervention, None, &catalogue, from_pnr, today, lang);
                next.carried = Some(Box::new((identity, consent)));
                Ok(Some(next))
            }
            Purpose::RegisterIn {
                intervention,
                consent,
            } => {
                let catalogue = self.session.questionnaire(intervention)?;
                match (consent, &form.carried) {
                    (Some(consent), _) => {
                        let input = build::register_in_input(form, consent, &catalogue, today);
                        self.session.register_in(&input)?;
                    }
                    (None, Some(carried)) => {
                        let (identity, consent) = &**carried;
                        let input = build::registration_input(form, &catalogue, today);
                        self.session
                            .register_new(intervention, identity, consent, &input)?;
                    }
                    (None, None) => return Ok(None),
                }
                self.say(tr(lang, "Registered in", "Inskriven"));
                Ok(None)
            }
            Purpose::RegisterOut {
                intervention,
                participation,
                answers: with_answers,
            } => {
                let catalogue = self.session.questionnaire(intervention)?;
                let (date, reason, answers) = build::register_out_input(form, &catalogue, today);
                let Some(reason) = reason else {
                    return Ok(None);
                };
                self.session.register_out(
                    participation,
                    &date,
                    reason,
                    with_answers.then_some(answers),
                )?;
                self.overlay = None;
                self.say(tr(lang, "Registered out", "Utskriven"));
                Ok(None)
            }
            Purpose::Correct {
                intervention,
                participation,
                occasion,
                on,
            } => {
                let catalogue = self.session.questionnaire(intervention)?;
                let answers = build::corrected_answers(form, &catalogue, on);
                self.session
                    .correct_answers(participation, occasion, answers)?;
                self.say(tr(lang, "Answers corrected", "Svaren rättade"));
                Ok(None)
            }
            Purpose::EditIntervention { intervention } => {
                let edit = build::intervention_edit(form);
                let fields = self.session.edit_intervention(intervention, &edit)?;
                self.say(saved(lang, &fields));
                Ok(None)
            }
            Purpose::Plan { intervention } => {
                let input = build::plan_input(form);
                let fields = self.session.set_plan(intervention, &input)?;
                self.say(saved(lang, &fields));
                Ok(None)
            }
            Purpose::Volume { intervention } => {
                let input = build::volume_input(form);
                self.session.set_volume(intervention, &input)?;
                self.say(saved(lang, &["women", "men"]));
                Ok(None)
            }
            Purpose::Association { association } => {
                let edit = build::association_edit(form);
                let fields = self.session.edit_association(association, &edit)?;
                self.say(saved(lang, &fields));
                Ok(None)
            }
            // Saved by the report screen (see `submit_report_filter`) and the review queue
            // (see `submit_verdict`).
            Purpose::ReportFilter | Purpose::Verdict { .. } => Ok(None),
            Purpose::Anonymous { intervention } => {
                let Some((year, women, men)) = build::anonymous_input(form) else {
                    return Ok(None);
                };
                self.session
                    .register_anonymous(intervention, year, women, men)?;
                self.say(tr(
                    lang,
                    "Anonymous participants registered",
                    "Anonyma deltagare registrerade",
                ));
                Ok(None)
            }
        }
    }

    /// Enter in a confirm dialog.
    pub(super) fn confirm(&mut self) {
        let lang = self.lang();
        let Some(Overlay::Confirm(c)) = &mut self.overlay else {
            return;
        };
        if let Some(word) = c.word {
            let typed = c.typed.lines().join("");
            if typed.trim() != word {
                c.refusal = Some(format!(
                    "{} {word}",
                    tr(lang, "To erase, type", "Skriv för att radera:")
                ));
                return;
            }
        }
        let kind = c.kind;
        let result = match (kind, c.target) {
            (ConfirmKind::Misregister, Target::Participation(id)) => self.session.misregister(id),
            (ConfirmKind::Protected, Target::Participation(id)) => self.session.mark_protected(id),
            (ConfirmKind::Withdraw, Target::Participation(id)) => self.session.withdraw_consent(id),
            (ConfirmKind::RemoveConsent, Target::Consent(id)) => {
                self.session.remove_unused_consent(id)
            }
            // A dialog is always opened with the target its kind acts on.
            _ => Ok(()),
        };
        match result {
            Ok(()) => {
                self.overlay = None;
                self.say(match kind {
                    ConfirmKind::Misregister => tr(
                        lang,
                        "Erased: the participation leaves no trace",
                        "Raderad: deltagandet lämnar inga spår",
                    ),
                    ConfirmKind::Protected => tr(
                        lang,
                        "Now one anonymous participant; identity and answers erased",
                        "Nu en anonym deltagare; identitet och svar raderade",
                    ),
                    ConfirmKind::Withdraw => tr(
                        lang,
                        "Consent withdrawn: no new personal data from now on",
                        "Samtycket återkallat: inga nya personuppgifter från nu",
                    ),
                    ConfirmKind::RemoveConsent => tr(
                        lang,
                        "Erased: the unused consent is gone",
                        "Raderat: det oanvända samtycket är borta",
                    ),
                });
                self.after_change();
            }
            Err(e) => {
                if let Some(Overlay::Confirm(c)) = &mut self.overlay {
                    c.refusal = Some(e.message(lang));
                }
            }
        }
    }

    /// Enter in the look-up dialog: search (logged), or open the chosen hit.
    pub(super) fn lookup_enter(&mut self) {
        let lang = self.lang();
        let Some(Overlay::Lookup(l)) = &mut self.overlay else {
            return;
        };
        if let Some(hits) = &l.hits {
            let Some(hit) = hits.get(l.selected).cloned() else {
                return;
            };
            if let Some(i) = self
                .interventions
                .iter()
                .position(|v| v.intervention.id == hit.intervention)
            {
                self.int_selected = i;
                self.participants.list = super::app::Window::default();
            }
            self.focus = Pane::Participants;
            let opened = self
                .load_participants(None)
                .and_then(|()| self.session.open_participant(hit.participation.id))
                .and_then(|d| {
                    let questions = self
                        .session
                        .questionnaire(d.row.participation.intervention)?;
                    Ok((d, questions))
                });
            match opened {
                Ok((d, questions)) => {
                    self.overlay = Some(Overlay::Detail(Box::new(d), Box::new(questions)));
                }
                Err(e) => {
                    self.overlay = None;
                    self.fail(&e);
                }
            }
            // The opening is logged: show it (this session's own notices are not reloaded).
            let _ = self.load_audit(self.audit.this);
            if let Some(i) = self
                .participants
                .list
                .rows
                .iter()
                .position(|r| r.participation.id == hit.participation.id)
            {
                self.participants.list.selected = i;
            }
            return;
        }
        let pnr = l.input.lines().join("");
        match self.session.lookup(&pnr) {
            Ok(hits) => {
                if let Some(Overlay::Lookup(l)) = &mut self.overlay {
                    l.error = hits.is_empty().then(|| {
                        tr(
                            lang,
                            "Not found in any intervention you may see",
                            "Finns inte i någon insats du får se",
                        )
                        .to_owned()
                    });
                    l.selected = 0;
                    l.hits = (!hits.is_empty()).then_some(hits);
                }
            }
            Err(e) => {
                if let Some(Overlay::Lookup(l)) = &mut self.overlay {
                    l.error = Some(e.message(lang));
                }
            }
        }
        let _ = self.load_audit(self.audit.this);
    }

    /// After a change of this session: reload what shows it.
    fn after_change(&mut self) {
        let result = self
            .load_interventions()
            .and_then(|()| self.refresh_participants())
            .and_then(|()| self.load_audit(None));
        if let Err(e) = result {
            self.fail(&e);
        }
    }
}

/// "Saved: name, end date" in the user's language, naming the fields that changed.
fn saved(lang: super::i18n::Lang, fields: &[&str]) -> String {
    let names: Vec<&str> = fields
        .iter()
        .map(|f| super::i18n::audit_field(f, lang))
        .collect();
    format!("{} {}", tr(lang, "Saved:", "Sparat:"), names.join(", "))
}
