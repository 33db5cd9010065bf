//! Keeping interventions from the interventions pane: the edit form (with the end date), the
//! year plan, a count-only month's figures and the association's settings. The service decides
//! who may; the pane offers each command with its reason when it cannot run.

use super::action::Action;
use super::app::{App, Overlay};
use super::forms::build;
use super::i18n::tr;
use crate::domain::intervention::Measurement;
use crate::domain::user::Role;
use crate::service::ServiceError;
use chrono::Datelike;

impl App {
    /// Opens the form of `action` for the selected intervention (or its association).
    pub(super) fn start_keeping(&mut self, action: Action) -> Result<(), ServiceError> {
        let lang = self.lang();
        let Some(view) = self.selected_intervention() else {
            self.say(tr(
                lang,
                "Choose an intervention first",
                "Välj en insats först",
            ));
            return Ok(());
        };
        let id = view.intervention.id;
        let association = view.intervention.association;
        let form = match action {
            Action::EditIntervention => {
                let (i, a) = self.session.kept(id)?;
                build::edit_intervention(&i, &a, lang)
            }
            Action::SetPlan => {
                let (i, _) = self.session.kept(id)?;
                build::plan(&i, self.year, lang)
            }
            Action::SetVolume => {
                let (i, _) = self.session.kept(id)?;
                // The latest month of the year shown that has begun.
                let today = self.today();
                let month = if self.year < today.year() {
                    12
                } else {
                    today.month()
                };
                let stored = self
                    .session
                    .volumes(id)?
                    .into_iter()
                    .find(|(y, m, _)| *y == self.year && u32::from(*m) == month)
                    .map(|(_, _, v)| v);
                build::volume(&i, (self.year, month), stored, lang)
            }
            Action::EditAssociation => {
                let a = self.session.association_settings(association)?;
                build::association(&a, lang)
            }
            _ => return Ok(()),
        };
        self.overlay = Some(Overlay::Form(Box::new(form)));
        Ok(())
    }

    /// Why a keeping command cannot run on the selected intervention (`Ok`: it can).
    pub(crate) fn keeping_check(&self, action: Action) -> Result<(), String> {
        let lang = self.lang();
        let Some(view) = self.selected_intervention() else {
            return Err(
                tr(lang, "Choose an intervention first", "Välj en insats först").to_owned(),
            );
        };
        let role = self.session.role();
        match action {
            Action::EditIntervention | Action::SetPlan => {
                self.session.require_keeper().map_err(|e| e.message(lang))
            }
            Action::SetVolume => {
                if role != Role::InterventionManager {
                    Err(tr(
                        lang,
                        "Only the intervention manager enters count-only figures",
                        "Bara insatsansvarig anger volymer",
                    )
                    .to_owned())
                } else if view.intervention.measurement != Measurement::CountOnly {
                    Err(tr(
                        lang,
                        "This intervention registers participants individually; it has no monthly figures",
                        "Insatsen registrerar deltagare individuellt; den har inga volymer",
                    )
                    .to_owned())
                } else {
                    Ok(())
                }
            }
            Action::EditAssociation => {
                if role == Role::AssociationAdmin {
                    Ok(())
                } else {
                    Err(tr(
                        lang,
                        "Only an association administrator changes the association's settings",
                        "Bara en samverkansadministratör ändrar förbundets inställningar",
                    )
                    .to_owned())
                }
            }
            _ => Ok(()),
        }
    }
}
