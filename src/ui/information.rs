//! The information to a participant (GDPR art. 13), shown from the participants pane (`i`)
//! when consent is recorded, and the association's record of processing activities (GDPR
//! art. 30), shown from the interventions pane (`R`): in either language (`l` switches between
//! Swedish and English, whatever the screen's language), and saved as a text file to print
//! (`x`; over SSH, where a file would land on the server, the command that streams it instead).

use super::action::Action;
use super::app::{App, InformationView, Overlay, Shown};
use super::i18n::{Lang, tr};
use super::keymap::{Context, Key};
use crate::service::{Information, ServiceError};

impl App {
    /// `i`: the information for the shown intervention, in the screen's language to begin with.
    pub(super) fn open_information(&mut self) -> Result<(), ServiceError> {
        self.open_text(|_| Shown::Participant)
    }

    /// `R`: the record of processing activities of the selected intervention's association.
    pub(super) fn open_record(&mut self) -> Result<(), ServiceError> {
        self.open_text(|i| Shown::Record(i.association))
    }

    fn open_text(
        &mut self,
        shown: impl FnOnce(&crate::domain::intervention::Intervention) -> Shown,
    ) -> Result<(), ServiceError> {
        let Some(view) = self.selected_intervention() else {
            self.say(tr(
                self.lang(),
                "Choose an intervention first",
                "Välj en insats först",
            ));
            return Ok(());
        };
        let intervention = view.intervention.id;
        let shown = shown(&view.intervention);
        let swedish = self.lang() == Lang::Sv;
        let info = self.text_of(intervention, shown, swedish)?;
        self.overlay = Some(Overlay::Information(Box::new(InformationView {
            intervention,
            shown,
            swedish,
            info,
            scroll: 0,
        })));
        Ok(())
    }

    fn text_of(
        &self,
        intervention: crate::domain::ids::InterventionId,
        shown: Shown,
        swedish: bool,
    ) -> Result<Information, ServiceError> {
        match shown {
            Shown::Participant => self.session.participant_information(intervention, swedish),
            Shown::Record(a) => Ok(self.session.processing_record(a)?.information(swedish)),
        }
    }

    /// A key while the information or the record is shown.
    pub(super) fn information_key(&mut self, k: Key) {
        let lang = self.lang();
        let context = match &self.overlay {
            Some(Overlay::Information(v)) if matches!(v.shown, Shown::Record(_)) => Context::Record,
            _ => Context::Information,
        };
        let action = self.opts.keymap.resolve_only(context, k).or_else(|| {
            self.opts
                .keymap
                .resolve_only(Context::Global, k)
                .filter(|a| matches!(a, Action::ToggleMask | Action::Lock | Action::Quit))
        });
        let page = u16::try_from(self.page_rows.get().max(1)).unwrap_or(u16::MAX);
        let Some(Overlay::Information(v)) = &mut self.overlay else {
            return;
        };
        match action {
            Some(Action::Up) => v.scroll = v.scroll.saturating_sub(1),
            Some(Action::Down) => v.scroll = v.scroll.saturating_add(1),
            Some(Action::PageUp) => v.scroll = v.scroll.saturating_sub(page),
            Some(Action::PageDown) => v.scroll = v.scroll.saturating_add(page),
            Some(Action::InformationLanguage) => {
                let (intervention, shown, swedish) = (v.intervention, v.shown, !v.swedish);
                match self.text_of(intervention, shown, swedish) {
                    Ok(info) => {
                        self.overlay = Some(Overlay::Information(Box::new(InformationView {
                            intervention,
                            shown,
                            swedish,
                            info,
                            scroll: 0,
                        })));
                    }
                    Err(e) => self.fail(&e),
                }
            }
            Some(Action::ExportInformation) => self.export_information(),
            Some(Action::Back | Action::Cancel) => self.overlay = None,
            Some(a @ (Action::ToggleMask | Action::Lock | Action::Quit)) => self.run(a),
            Some(_) => {}
            None => {
                let text = super::commands::unbound(lang, &k.to_string());
                self.refuse(text);
            }
        }
    }

    /// `x`: the text in the export folder, to print; over SSH the command that gets it.
    fn export_information(&mut self) {
        let lang = self.lang();
        let Some(Overlay::Information(v)) = &self.overlay else {
            return;
        };
        let code = if v.swedish { "sv" } else { "en" };
        let (name, command) = match v.shown {
            Shown::Participant => (
                format!("information-{}-{code}.txt", v.intervention),
                format!("association information {}", v.intervention),
            ),
            Shown::Record(a) => (
                format!("record-{a}-{code}.txt"),
                format!("association record {a}"),
            ),
        };
        let Some(dir) = self.opts.export_dir.clone() else {
            let command = format!("ssh … {command} --lang {code} > {name}");
            self.say(match lang {
                Lang::En => format!("Over SSH, get it on your computer with: {command}"),
                Lang::Sv => format!("Via SSH hämtar du den till din dator med: {command}"),
            });
            return;
        };
        let for_participant = v.shown == Shown::Participant;
        let text = v.info.text();
        let path = dir.join(&name);
        let written = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text));
        match written {
            Ok(()) if for_participant => self.say(match lang {
                Lang::En => format!("Saved {} (print it for the participant)", path.display()),
                Lang::Sv => format!("Sparad: {} (skriv ut den till deltagaren)", path.display()),
            }),
            Ok(()) => self.say(match lang {
                Lang::En => format!("Saved {}", path.display()),
                Lang::Sv => format!("Sparad: {}", path.display()),
            }),
            Err(e) => self.refuse(match lang {
                Lang::En => format!("Could not save it in {}: {e}", dir.display()),
                Lang::Sv => format!("Kunde inte spara den i {}: {e}", dir.display()),
            }),
        }
    }
}
