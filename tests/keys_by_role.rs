//! Every role, every pane, both languages: each key the footer and help show is one the role can
//! use there (pressing it is no refusal), and every other key of the keymap answers with a
//! message that names the reason. Keys bound to nothing say so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use insats::cli::screens;
use insats::service::{Lang, Session};
use insats::ui::keymap::{Context, Key};
use insats::ui::{App, Pane, screenshot, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;

/// One demo user per role.
const USERS: [&str; 6] = ["hanna", "maja", "agnes", "rut", "lars", "siv"];
const PANES: [(Pane, Context); 3] = [
    (Pane::Interventions, Context::Interventions),
    (Pane::Participants, Context::Participants),
    (Pane::Audit, Context::Audit),
];

fn draw(app: &App) -> (String, String) {
    let mut t = Terminal::new(TestBackend::new(200, 60)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    let text = screenshot::to_text(t.backend().buffer());
    let footer = text.lines().last().unwrap_or("").to_owned();
    (text, footer)
}

/// Back to the pane, with nothing open and nothing said.
fn reset(app: &mut App, pane: Pane) {
    app.overlay = None;
    app.status = None;
    app.filtering = None;
    app.focus = pane;
    app.quit = false;
    app.locked = false;
    app.mask = false;
}

/// `user`'s screen on `pane`; in a handler's list, a participant still registered in is
/// chosen, so every command of the pane has something to act on.
fn screen_of(service: &insats::service::Service, user: &str, lang: Lang, pane: Pane) -> App {
    let session = Session::sign_in(service, user, None).unwrap();
    let opts = screens::options(lang, false).unwrap();
    let mut app = App::new(session, opts, Instant::now()).unwrap();
    app.focus = Pane::Participants;
    for _ in 0..100 {
        if app.selected_state().is_none()
            || app.selected_state() == Some(insats::domain::participation::State::RegisteredIn)
        {
            break;
        }
        app.on_key(Key::parse("down").unwrap().to_event(), Instant::now());
    }
    reset(&mut app, pane);
    app
}

#[test]
fn every_key_a_role_is_shown_works_and_every_other_key_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.redb");
    insats::cli::demo::create(&path).unwrap();
    let service = screens::demo_service(&path).unwrap();
    for lang in [Lang::En, Lang::Sv] {
        for user in USERS {
            let keymap = screens::options(lang, false).unwrap().keymap;
            for (pane, context) in PANES {
                let mut app = screen_of(&service, user, lang, pane);
                let (_, footer) = draw(&app);
                app.on_key(Key::parse("?").unwrap().to_event(), Instant::now());
                let (help, _) = draw(&app);
                let bindings: Vec<_> = keymap
                    .bindings(context)
                    .iter()
                    .chain(keymap.bindings(Context::Global))
                    .cloned()
                    .collect();
                for b in bindings {
                    let key = b.key;
                    let Some(action) = keymap.resolve(context, key, |_| true) else {
                        continue;
                    };
                    let shown_in_footer = footer.contains(&format!("{key} {}", action.hint(lang)));
                    // Help lines read "  KEY         what it does" (English: the keymap's text).
                    let label = if lang == Lang::En && !b.desc.is_empty() {
                        b.desc.clone()
                    } else {
                        b.action.label(lang).to_owned()
                    };
                    let shown_in_help = b.action == action
                        && help.contains(&format!("  {:<12}{label}", key.to_string()));
                    let mut app = screen_of(&service, user, lang, pane);
                    app.on_key(key.to_event(), Instant::now());
                    let refusal = app.status.clone().filter(|s| s.error);
                    let here = format!("{user} {lang:?} {pane:?} {key} ({})", action.key());
                    if shown_in_footer || shown_in_help {
                        assert!(refusal.is_none(), "{here}: shown but refused: {refusal:?}");
                    } else {
                        let r = refusal.unwrap_or_else(|| panic!("{here}: not shown, yet ran"));
                        assert!(r.text.chars().count() > 10, "{here}: {}", r.text);
                        assert!(!r.text.contains("does nothing"), "{here}: {}", r.text);
                    }
                }
                // A key bound to nothing here says so, in the user's language.
                reset(&mut app, pane);
                app.on_key(Key::parse("z").unwrap().to_event(), Instant::now());
                let s = app.status.clone().unwrap();
                assert!(s.error);
                let words = if lang == Lang::Sv {
                    "gör inget här"
                } else {
                    "does nothing here"
                };
                assert!(s.text.contains(words), "{}", s.text);
            }
        }
    }
}
