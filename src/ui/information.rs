//! The information to a participant (GDPR art. 13), shown from the participants pane (`i`)
//! when consent is recorded: in the participant's language (`l` switches between Swedish and
//! English, whatever the screen's language), and saved as a text file to print (`x`; over SSH,
//! where a file would land on the server, the command that streams it instead).

use super::action::Action;
use super::app::{App, InformationView, Overlay};
use super::i18n::{Lang, tr};
use super::keymap::{Context, Key};
use crate::service::ServiceError;

impl App {
    /// `i`: the information for the shown intervention, in the screen's language to begin with.
    pub(super) fn open_information(&mut self) -> Result<(), ServiceError> {
        let Some(view) = self.selected_intervention() else {
            self.say(tr(
                self.lang(),
                "Choose an intervention first",
                "Välj en insats först",
            ));
            return Ok(());
        };
        let intervention = view.intervention.id;
        let swedish = self.lang() == Lang::Sv;
        let info = self
            .session
            .participant_information(intervention, swedish)?;
        self.overlay = Some(Overlay::Information(Box::new(InformationView {
            intervention,
            swedish,
            info,
            scroll: 0,
        })));
        Ok(())
    }

    /// A key while the information is shown.
    pub(super) fn information_key(&mut self, k: Key) {
        let lang = self.lang();
        let action = self
            .opts
            .keymap
            .resolve_only(Context::Information, k)
            .or_else(|| {
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
                let (intervention, swedish) = (v.intervention, !v.swedish);
                match self.session.participant_information(intervention, swedish) {
                    Ok(info) => {
                        self.overlay = Some(Overlay::Information(Box::new(InformationView {
                            intervention,
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
        let name = format!("information-{}-{code}.txt", v.intervention);
        let Some(dir) = self.opts.export_dir.clone() else {
            let command = format!(
                "ssh … association information {} --lang {code} > {name}",
                v.intervention
            );
            self.say(match lang {
                Lang::En => format!("Over SSH, get it on your computer with: {command}"),
                Lang::Sv => format!("Via SSH hämtar du den till din dator med: {command}"),
            });
            return;
        };
        let text = v.info.text();
        let path = dir.join(&name);
        let written = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text));
        match written {
            Ok(()) => self.say(match lang {
                Lang::En => format!("Saved {} (print it for the participant)", path.display()),
                Lang::Sv => format!("Sparad: {} (skriv ut den till deltagaren)", path.display()),
            }),
            Err(e) => self.refuse(match lang {
                Lang::En => format!("Could not save it in {}: {e}", dir.display()),
                Lang::Sv => format!("Kunde inte spara den i {}: {e}", dir.display()),
            }),
        }
    }
}
