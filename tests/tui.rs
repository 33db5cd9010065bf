//! The terminal UI through ratatui's `TestBackend`: every screen and form in both languages at
//! 80×24 and 160×48 (insta snapshots), keymaps, help generated from the keymap, the screenshots
//! in the repo kept fresh, and a whole registration driven by keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use insats::cli::screens::{self, SCENES};
use insats::service::{Lang, Service};
use insats::ui::action::Action;
use insats::ui::keymap::{Context, Key, KeyName, Keymap, SHIPPED};
use insats::ui::{App, screenshot, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::OnceLock;
use std::time::Instant;

/// One demo database for the whole file, built once.
fn demo() -> &'static (tempfile::TempDir, std::path::PathBuf) {
    static DEMO: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.redb");
        insats::cli::demo::create(&path).unwrap();
        (dir, path)
    })
}

fn fresh_demo() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.redb");
    std::fs::copy(&demo().1, &path).unwrap();
    std::fs::copy(
        insats_store::default_key_path(&demo().1),
        insats_store::default_key_path(&path),
    )
    .unwrap();
    let service = screens::demo_service(&path).unwrap();
    (dir, service)
}

#[test]
fn every_screen_in_both_languages_at_80x24_and_160x48() {
    // One database, scenes in a fixed order: opening a record is logged, and later screens
    // show the log.
    let (_dir, service) = fresh_demo();
    for (w, h) in [(80, 24), (160, 48)] {
        for lang in [Lang::En, Lang::Sv] {
            let tag = if lang == Lang::Sv { "sv" } else { "en" };
            for scene in SCENES {
                let buf = screens::render(
                    &service,
                    scene,
                    screens::options(lang, false).unwrap(),
                    w,
                    h,
                )
                .unwrap();
                insta::assert_snapshot!(
                    format!("{}-{tag}-{w}x{h}", scene.name),
                    screenshot::to_text(&buf)
                );
            }
        }
    }
}

#[test]
fn the_screenshots_in_the_repo_are_fresh() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    insats::cli::screens::command(&insats::cli::ScreenshotsArgs { out, check: true })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_shipped_keymap_loads() {
    for (name, _) in SHIPPED {
        let k = Keymap::load(name).unwrap();
        for action in [
            Action::Quit,
            Action::Help,
            Action::RecordConsent,
            Action::Lookup,
        ] {
            assert!(
                Context::ALL.iter().any(|c| k.key_for(*c, action).is_some()),
                "{name}: {action:?} unbound"
            );
        }
    }
}

#[test]
fn every_invalid_keymap_fixture_fails_with_its_own_message() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keymaps/invalid");
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("# expect: ")
            .to_owned();
        let (line, msg) = expect.split_once(": ").unwrap();
        let err = Keymap::load(path.to_str().unwrap()).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains(path.to_str().unwrap()), "{shown}");
        assert_eq!(
            format!("line {}", err.line),
            line,
            "{}: {shown}",
            path.display()
        );
        assert!(
            err.problem.to_string().contains(msg.trim()),
            "{}: {shown}",
            path.display()
        );
        assert!(
            seen.insert(err.problem.to_string()),
            "two fixtures give the same message: {shown}"
        );
    }
    assert!(seen.len() >= 10, "{} fixtures", seen.len());
}

#[test]
fn a_users_keymap_overrides_part_of_a_shipped_one() {
    let k = Keymap::parse(
        "base = \"vim\"\n[global]\nkeymap = [ { on = \"q\", run = \"none\" }, { on = \"ctrl-q\", run = \"quit\", desc = \"Quit\" } ]\n",
        "mine.toml",
        Some("default"),
    )
    .unwrap();
    assert_eq!(
        k.resolve(Context::Interventions, Key::parse("q").unwrap(), |_| false),
        None
    );
    assert_eq!(
        k.resolve(
            Context::Interventions,
            Key::parse("ctrl-q").unwrap(),
            |_| false
        ),
        Some(Action::Quit)
    );
    assert_eq!(
        k.resolve(Context::Interventions, Key::parse("j").unwrap(), |_| false),
        Some(Action::Down)
    );
    assert_eq!(
        Key::parse("G").unwrap(),
        Key {
            code: KeyName::Char('G'),
            ctrl: false,
            alt: false,
            shift: true
        }
    );
}

#[test]
fn every_action_reachable_in_the_default_keymap_appears_in_help() {
    // Help shows what the user can do where they are: a handler with a participant who is
    // registered in, an intervention manager on a count-only intervention and an association
    // administrator, each opening help from every pane in turn, meet every binding between them.
    let (_dir, service) = fresh_demo();
    for lang in [Lang::En, Lang::Sv] {
        let opts = screens::options(lang, false).unwrap();
        let keymap = opts.keymap.clone();
        let mut text = String::new();
        // Lars, the log reviewer, reaches the review queue from the audit pane.
        for user in ["hanna", "maja", "agnes", "lars"] {
            let session = insats::service::Session::sign_in(&service, user, None).unwrap();
            let mut app = App::new(session, opts.clone(), Instant::now()).unwrap();
            if user == "maja" {
                // Her count-only intervention, where monthly figures are entered.
                press(&mut app, &["/"]);
                typed(&mut app, "öppen");
                press(&mut app, &["enter"]);
            }
            if user == "hanna" {
                press(&mut app, &["enter"]);
                for _ in 0..100 {
                    if app.selected_state()
                        == Some(insats::domain::participation::State::RegisteredIn)
                    {
                        break;
                    }
                    press(&mut app, &["down"]);
                }
            }
            for _pane in 0..3 {
                app.on_key(Key::parse("?").unwrap().to_event(), Instant::now());
                // Tall enough for the whole help text.
                let mut t = Terminal::new(TestBackend::new(120, 200)).unwrap();
                t.draw(|f| view::draw(f, &app)).unwrap();
                text.push_str(&screenshot::to_text(t.backend().buffer()));
                press(&mut app, &["esc", "tab"]);
            }
        }
        for &context in Context::ALL {
            for b in keymap.bindings(context) {
                let label = if lang == Lang::En && !b.desc.is_empty() {
                    b.desc.clone()
                } else {
                    b.action.label(lang).to_owned()
                };
                let line = format!("{:<12}{label}", b.key.to_string());
                assert!(
                    text.contains(&line),
                    "{lang:?}: help lacks '{line}'\n{text}"
                );
            }
        }
    }
}

/// `user`'s screen in `lang`, freshly signed in.
fn app_for(service: &Service, user: &str, lang: Lang) -> App {
    let session = insats::service::Session::sign_in(service, user, None).unwrap();
    App::new(
        session,
        screens::options(lang, false).unwrap(),
        Instant::now(),
    )
    .unwrap()
}

fn press(app: &mut App, keys: &[&str]) {
    for k in keys {
        app.on_key(Key::parse(k).unwrap().to_event(), Instant::now());
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let e = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        );
        app.on_key(e, Instant::now());
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    screenshot::to_text(t.backend().buffer())
}

#[test]
fn a_refused_registration_keeps_the_form_and_says_why_in_words() {
    let (_dir, service) = fresh_demo();
    let mut app = app_for(&service, "hanna", Lang::En);
    press(&mut app, &["enter", "n"]);
    // A personnummer with a wrong check digit is flagged while typing.
    typed(&mut app, "19900215-9811");
    let s = screen(&app);
    assert!(s.contains("! "), "{s}");
    // Saving with empty required fields names them and saves nothing.
    press(&mut app, &["ctrl-s"]);
    let s = screen(&app);
    assert!(s.contains("Some fields need attention"), "{s}");
    assert!(s.contains("New participant: consent"), "{s}");
    // Esc backs out; nothing was written.
    press(&mut app, &["esc"]);
    assert!(!screen(&app).contains("New participant"));
}

#[test]
fn the_privacy_mask_and_the_idle_lock_hide_every_name() {
    let (_dir, service) = fresh_demo();
    let session = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let start = Instant::now();
    let mut app = App::new(session, screens::options(Lang::En, false).unwrap(), start).unwrap();
    press(&mut app, &["enter"]);
    let name = app.selected_participant().unwrap().identity.name.clone();
    let pnr = app.selected_participant().unwrap().identity.pnr.to_string();
    assert!(screen(&app).contains(&pnr));
    press(&mut app, &["ctrl-p"]);
    let s = screen(&app);
    assert!(!s.contains(&pnr) && !s.contains(&name), "{s}");
    press(&mut app, &["ctrl-p", "n"]);
    typed(&mut app, "1990");
    // Idle past the lock time: everything personal disappears; the form is kept.
    assert!(app.tick(start + std::time::Duration::from_secs(3601)));
    let s = screen(&app);
    assert!(
        s.contains("The screen is locked") && s.contains("unsaved form is kept"),
        "{s}"
    );
    assert!(!s.contains(&pnr) && !s.contains(&name), "{s}");
    // Enter alone no longer opens it: the unlock code does (see tests/unlock.rs).
    press(&mut app, &["enter"]);
    assert!(app.locked);
    typed(&mut app, insats::cli::demo::DEMO_UNLOCK_CODE);
    press(&mut app, &["enter"]);
    assert!(!app.locked);
    assert!(screen(&app).contains("1990"));
}

#[test]
fn plain_mode_draws_no_box_drawing_and_no_color_draws_no_colour() {
    let (_dir, service) = fresh_demo();
    for scene in SCENES {
        let mut opts = screens::options(Lang::Sv, true).unwrap();
        opts.theme.color = false;
        let buf = screens::render(&service, scene, opts, 80, 24).unwrap();
        let text = screenshot::to_text(&buf);
        assert!(
            !text.chars().any(|c| ('\u{2500}'..='\u{257f}').contains(&c)),
            "{}: box drawing in plain mode\n{text}",
            scene.name
        );
        for cell in buf.content() {
            assert!(
                cell.fg == ratatui::style::Color::Reset && cell.bg == ratatui::style::Color::Reset,
                "{}: a coloured cell under NO_COLOR",
                scene.name
            );
        }
    }
}

#[test]
fn moving_through_a_long_list_visits_every_row_once_in_order_across_windows() {
    let (_dir, service) = fresh_demo();
    let session = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let first = session.interventions().unwrap()[0].intervention.id;
    let all: Vec<u64> = session
        .participants_page(first, None, 10_000)
        .unwrap()
        .iter()
        .map(|r| r.participation.id.0)
        .collect();
    assert!(all.len() > 250, "{}", all.len());
    let mut app = App::new(
        session,
        screens::options(Lang::En, false).unwrap(),
        Instant::now(),
    )
    .unwrap();
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    press(&mut app, &["enter"]);
    let mut seen = Vec::new();
    for _ in 0..all.len() {
        t.draw(|f| view::draw(f, &app)).unwrap();
        seen.push(app.selected_participant().unwrap().participation.id.0);
        press(&mut app, &["down"]);
    }
    assert_eq!(
        seen, all,
        "down visits every row once, in the store's order"
    );
    let mut back = Vec::new();
    for _ in 0..all.len() {
        t.draw(|f| view::draw(f, &app)).unwrap();
        back.push(app.selected_participant().unwrap().participation.id.0);
        press(&mut app, &["up"]);
    }
    back.reverse();
    assert_eq!(back, all, "up visits them all again");
    // Windows keep memory bounded: never more than one window of rows is held.
    assert!(app.participants.list.rows.len() <= insats::ui::app::WINDOW);
}

#[test]
fn the_session_loop_takes_in_other_sessions_changes_while_keys_keep_coming() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use insats::server::session::{self, Input};
    let (_dir, service) = fresh_demo();
    let hanna = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    // Another session of the same user (another terminal): its changes reach this screen.
    let other = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let mut app = App::new(
        hanna,
        screens::options(Lang::En, false).unwrap(),
        Instant::now(),
    )
    .unwrap();
    let shown = app.interventions[0].intervention.id;
    let anonymous = |app: &App| app.interventions[0].counters.anonymous.total();
    let before = anonymous(&app);
    let (writer, mute) = insats::server::paint::Muted::new(std::io::sink());
    let mut terminal: insats::server::paint::Term<std::io::Sink> = Terminal::with_options(
        ratatui::backend::CrosstermBackend::new(writer),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 160, 48)),
        },
    )
    .unwrap();
    let mut calls = 0;
    // A key every 10 ms, never a pause: the loop still looks at change notices.
    session::run(&mut terminal, mute, &mut app, |_| {
        calls += 1;
        std::thread::sleep(std::time::Duration::from_millis(10));
        if calls == 5 {
            other.register_anonymous(shown, 2026, 1, 0).unwrap();
        }
        Ok(Some(if calls > 60 {
            Input::Closed
        } else {
            Input::Key(KeyEvent::new(KeyCode::Home, KeyModifiers::NONE))
        }))
    })
    .unwrap();
    assert_eq!(anonymous(&app), before + 1);
}

#[test]
fn a_new_assignment_reaches_an_open_screen_without_a_keypress() {
    use insats::domain::user::{Role, Scope};
    let (_dir, service) = fresh_demo();
    let hanna = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let hanna_id = hanna.user().id;
    let start = Instant::now();
    let mut app = App::new(hanna, screens::options(Lang::En, false).unwrap(), start).unwrap();
    let before: Vec<_> = app
        .interventions
        .iter()
        .map(|v| v.intervention.id)
        .collect();
    let sys =
        insats::service::Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let all = sys.interventions().unwrap();
    let new = all
        .iter()
        .find(|v| {
            !before.contains(&v.intervention.id) && v.association_name == all[0].association_name
        })
        .unwrap()
        .intervention
        .id;
    sys.assign(
        hanna_id,
        Role::ParticipantHandler,
        Scope::Intervention(new),
        "2026-01-01",
        "",
    )
    .unwrap();
    assert!(app.tick(start + std::time::Duration::from_secs(1)));
    assert!(app.interventions.iter().any(|v| v.intervention.id == new));
}

#[test]
fn the_participants_filter_searches_the_whole_intervention_on_enter() {
    let (_dir, service) = fresh_demo();
    let session = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let first = session.interventions().unwrap()[0].intervention.id;
    let all = session.participants_page(first, None, 10_000).unwrap();
    assert!(all.len() > 250, "{}", all.len());
    // Someone far outside the first window of 100, with a surname few others share.
    let far = &all[all.len() - 1];
    let surname = far.identity.name.split(' ').next_back().unwrap().to_owned();
    let expected: Vec<u64> = all
        .iter()
        .filter(|r| {
            r.identity
                .name
                .to_lowercase()
                .contains(&surname.to_lowercase())
        })
        .map(|r| r.participation.id.0)
        .collect();
    assert!(expected.len() < 100, "{}", expected.len());
    let mut app = App::new(
        session,
        screens::options(Lang::En, false).unwrap(),
        Instant::now(),
    )
    .unwrap();
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    press(&mut app, &["enter", "/"]);
    typed(&mut app, &surname);
    // While typing, the filter narrows the loaded window only.
    assert!(
        !app.participants
            .list
            .rows
            .iter()
            .any(|r| r.participation.id == far.participation.id)
    );
    t.draw(|f| view::draw(f, &app)).unwrap();
    let text = screenshot::to_text(t.backend().buffer());
    assert!(
        text.contains("Enter searches the whole intervention"),
        "{text}"
    );
    press(&mut app, &["enter"]);
    t.draw(|f| view::draw(f, &app)).unwrap();
    let text = screenshot::to_text(t.backend().buffer());
    let shown: Vec<u64> = app
        .visible_participants()
        .iter()
        .map(|&i| app.participants.list.rows[i].participation.id.0)
        .collect();
    assert_eq!(
        shown, expected,
        "every hit of the intervention, newest first"
    );
    assert!(
        text.contains(&format!(
            "{} hits in the whole intervention",
            expected.len()
        )),
        "{text}"
    );
    assert!(text.contains(&far.identity.name), "{text}");
    // Esc on a new filter line clears the search: back to the newest window.
    press(&mut app, &["/", "esc"]);
    assert!(app.participants.search.is_none());
    assert_eq!(app.participants.list.rows.len(), 100);
    assert_eq!(
        app.participants.list.rows[0].participation.id,
        all[0].participation.id
    );

    // A manager's participants pane holds aggregates only: nothing to search, and no promise.
    let maja = insats::service::Session::sign_in(&service, "maja", None).unwrap();
    let mut app = App::new(
        maja,
        screens::options(Lang::En, false).unwrap(),
        Instant::now(),
    )
    .unwrap();
    press(&mut app, &["enter", "/"]);
    assert_eq!(app.focus, insats::ui::app::Pane::Participants);
    t.draw(|f| view::draw(f, &app)).unwrap();
    let text = screenshot::to_text(t.backend().buffer());
    assert!(
        text.contains("Enter keeps") && !text.contains("searches the whole"),
        "{text}"
    );
}

#[test]
fn a_search_finds_a_personnummer_written_any_accepted_way_and_a_new_filter_starts_empty() {
    let (_dir, service) = fresh_demo();
    let session = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let first = session.interventions().unwrap()[0].intervention.id;
    let all = session.participants_page(first, None, 10_000).unwrap();
    // Someone outside the first window, looked for without the dash, with and without the
    // century.
    let far = &all[all.len() - 1];
    let twelve = far.identity.pnr.digits12().to_owned();
    let mut app = App::new(
        session,
        screens::options(Lang::En, false).unwrap(),
        Instant::now(),
    )
    .unwrap();
    for typed_form in [twelve.clone(), twelve[2..].to_owned()] {
        press(&mut app, &["enter", "/"]);
        assert_eq!(
            app.filtering.as_ref().unwrap().lines().join(""),
            "",
            "a new filter starts empty"
        );
        typed(&mut app, &typed_form);
        press(&mut app, &["enter"]);
        let shown: Vec<_> = app
            .visible_participants()
            .iter()
            .map(|&i| app.participants.list.rows[i].participation.id)
            .collect();
        assert_eq!(shown, vec![far.participation.id], "{typed_form}");
        let s = screen(&app);
        assert!(s.contains("· 1 hit in the whole intervention"), "{s}");
        press(&mut app, &["esc"]);
        app.end_participant_search();
        app.focus = insats::ui::Pane::Interventions;
    }
    // A search that finds nobody says so, not "no participants yet".
    press(&mut app, &["enter", "/"]);
    typed(&mut app, "Zzyzxq");
    press(&mut app, &["enter"]);
    let s = screen(&app);
    assert!(
        s.contains("No one in the whole intervention matches the search"),
        "{s}"
    );
    assert!(!s.contains("No participants yet"), "{s}");
}

#[test]
fn after_consent_is_withdrawn_the_participant_is_registered_out_with_an_end_reason_and_no_answers()
{
    let (_dir, service) = fresh_demo();
    let mut app = app_for(&service, "hanna", Lang::En);
    press(&mut app, &["enter"]);
    for _ in 0..100 {
        let open = app.selected_participant().is_some_and(|r| {
            r.participation.state() == insats::domain::participation::State::RegisteredIn
                && !r.participation.consent_withdrawn
        });
        if open {
            break;
        }
        press(&mut app, &["down"]);
    }
    let id = app.selected_participant().unwrap().participation.id;
    // Consent withdrawn (confirmed), then register out: the form asks for no answers.
    press(&mut app, &["w", "enter"]);
    press(&mut app, &["o"]);
    let s = screen(&app);
    assert!(s.contains("Register out: consent withdrawn"), "{s}");
    assert!(!s.contains("Occupation"), "no questions: {s}");
    press(&mut app, &["tab"]);
    typed(&mut app, "1");
    press(&mut app, &["ctrl-s"]);
    let s = screen(&app);
    assert!(s.contains("Registered out"), "{s}");
    let detail = app.session.open_participant(id).unwrap();
    let p = &detail.row.participation;
    assert_eq!(
        p.state(),
        insats::domain::participation::State::RegisteredOut
    );
    assert!(p.end_reason.is_some());
    assert!(p.answers_out.is_none());
}

#[test]
fn the_consent_form_names_its_receiver_and_register_in_names_the_gender_of_the_personnummer() {
    let (_dir, service) = fresh_demo();
    let mut app = app_for(&service, "hanna", Lang::Sv);
    press(&mut app, &["enter", "n"]);
    let s = screen(&app);
    assert!(
        s.contains("Hanna Berg"),
        "received by starts as the user: {s}"
    );
    // 19121212-1212: the second-to-last digit is odd, a man.
    typed(&mut app, "19121212-1212");
    press(&mut app, &["tab"]);
    typed(&mut app, "Åke Ström");
    press(&mut app, &["tab"]);
    typed(&mut app, "0180");
    press(&mut app, &["ctrl-s"]);
    let s = screen(&app);
    assert!(s.contains("Enligt personnumret: man"), "{s}");
}

#[test]
fn erasing_dialogs_name_the_person_and_protected_identity_needs_the_typed_word() {
    let (_dir, service) = fresh_demo();
    let mut app = app_for(&service, "hanna", Lang::En);
    press(&mut app, &["enter"]);
    let row = app.selected_participant().unwrap().clone();
    for key in ["x", "p"] {
        press(&mut app, &[key]);
        let s = screen(&app);
        assert!(s.contains(&row.identity.name), "{key}: {s}");
        assert!(s.contains(&row.identity.pnr.to_string()), "{key}: {s}");
        assert!(
            s.contains(&row.participation.in_date.to_string()),
            "{key}: {s}"
        );
        // Enter alone erases nothing.
        press(&mut app, &["enter"]);
        assert!(screen(&app).contains("To erase, type ERASE"), "{key}");
        assert!(app.session.open_participant(row.participation.id).is_ok());
        press(&mut app, &["esc"]);
    }
    // Typed, the protected identity goes through: the participation is gone.
    press(&mut app, &["p"]);
    typed(&mut app, "ERASE");
    press(&mut app, &["enter"]);
    assert!(app.session.open_participant(row.participation.id).is_err());
}

#[test]
fn keymap_errors_speak_swedish_and_an_unreadable_file_names_no_line() {
    let e = Keymap::load("/nonexistent/keys.toml").unwrap_err();
    assert!(!e.to_string().contains("line 0"), "{e}");
    let sv = e.message(Lang::Sv);
    assert!(
        sv.starts_with("tangentfilen /nonexistent/keys.toml: filen kan inte läsas"),
        "{sv}"
    );
    let e = Keymap::parse(
        "[global]\nkeymap = [{ on = \"ctrl-enter\", run = \"quit\" }]\n",
        "mine.toml",
        Some("default"),
    )
    .unwrap_err();
    let sv = e.message(Lang::Sv);
    assert!(
        sv.contains("rad 2") && sv.contains("överlever inte SSH"),
        "{sv}"
    );
    assert!(e.to_string().contains("line 2"), "{e}");
}

#[test]
fn a_field_error_at_80_columns_is_wrapped_not_cut_before_its_reason() {
    let (_dir, service) = fresh_demo();
    let mut app = app_for(&service, "hanna", Lang::Sv);
    press(&mut app, &["enter", "n"]);
    typed(&mut app, "19900215-9811");
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| view::draw(f, &app)).unwrap();
    let s = screenshot::to_text(t.backend().buffer());
    // "personnummer: kontrollsiffran stämmer inte; kontrollera om något är felskrivet"
    assert!(s.contains("kontrollsiffran"), "{s}");
    assert!(
        s.contains("felskrivet"),
        "the reason's end is on screen:\n{s}"
    );
}

/// Consents recorded but not used show as a reminder; `u` lists them by name; Enter registers
/// the person in on that consent; `d` removes one only after the typed word. Both languages.
#[test]
fn a_handler_sees_unused_consents_and_registers_one_in_or_removes_one() {
    for lang in [Lang::En, Lang::Sv] {
        let (_dir, service) = fresh_demo();
        let mut app = app_for(&service, "hanna", lang);
        press(&mut app, &["enter"]);
        let intervention = app.participants.intervention.unwrap();
        let waiting = app.session.unused_consents_in(intervention).unwrap();
        assert_eq!(waiting.len(), 2, "the demo leaves two consents waiting");
        let s = screen(&app);
        let reminder = match lang {
            Lang::En => "2 consents not yet used: u shows them",
            Lang::Sv => "2 samtycken som inte använts: u visar dem",
        };
        assert!(s.contains(reminder), "{s}");
        // The list names both.
        press(&mut app, &["u"]);
        let s = screen(&app);
        for w in &waiting {
            assert!(s.contains(&w.identity.name), "{s}");
            assert!(s.contains(&w.identity.pnr.to_string()), "{s}");
        }
        // Enter: the registration form on the first consent, naming the person.
        press(&mut app, &["enter"]);
        let s = screen(&app);
        assert!(s.contains(&waiting[0].identity.name), "{s}");
        let title = match lang {
            Lang::En => "Register in: situation before",
            Lang::Sv => "Inskrivning: situationen före",
        };
        assert!(s.contains(title), "{s}");
        let questions = app
            .session
            .questionnaire(intervention)
            .unwrap()
            .questions_on(app.session.service().clock().today())
            .len();
        press(&mut app, &["tab", "tab"]);
        for _ in 0..questions {
            typed(&mut app, "1");
            press(&mut app, &["tab"]);
        }
        press(&mut app, &["ctrl-s"]);
        let s = screen(&app);
        let done = match lang {
            Lang::En => "Registered in",
            Lang::Sv => "Inskriven",
        };
        assert!(s.lines().any(|l| l.trim() == done), "{s}");
        let left = app.session.unused_consents_in(intervention).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].consent.id, waiting[1].consent.id);
        let reminder = match lang {
            Lang::En => "1 consent not yet used: u shows it",
            Lang::Sv => "1 samtycke som inte använts: u visar det",
        };
        assert!(screen(&app).contains(reminder));
        // `d` names the person and needs the typed word; Enter alone removes nothing.
        press(&mut app, &["u", "d"]);
        let s = screen(&app);
        assert!(s.contains(&waiting[1].identity.name), "{s}");
        press(&mut app, &["enter"]);
        assert_eq!(
            app.session.unused_consents_in(intervention).unwrap().len(),
            1
        );
        let word = match lang {
            Lang::En => "ERASE",
            Lang::Sv => "RADERA",
        };
        typed(&mut app, word);
        press(&mut app, &["enter"]);
        assert!(
            app.session
                .unused_consents_in(intervention)
                .unwrap()
                .is_empty()
        );
        let s = screen(&app);
        let gone = match lang {
            Lang::En => "Erased: the unused consent is gone",
            Lang::Sv => "Raderat: det oanvända samtycket är borta",
        };
        assert!(s.contains(gone), "{s}");
        assert!(
            !s.contains("not yet used") && !s.contains("inte använts"),
            "{s}"
        );
        // An empty list says so.
        press(&mut app, &["u"]);
        let empty = match lang {
            Lang::En => "No unused consents in this intervention.",
            Lang::Sv => "Inga oanvända samtycken i insatsen.",
        };
        assert!(screen(&app).contains(empty));
    }
}

/// At 80×24 the header keeps who is signed in and where (the banner gets shorter), a refusal
/// in the status line wraps rather than losing its reason, the footer shows only whole hints,
/// intervention counts stay whole, and an audit row too long for the pane ends in "…".
#[test]
fn at_80_columns_the_header_status_counts_and_audit_rows_are_whole_or_marked_cut() {
    let (_dir, service) = fresh_demo();
    for lang in [Lang::En, Lang::Sv] {
        let mut app = app_for(&service, "maja", lang);
        let draw = |app: &App| {
            let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
            t.draw(|f| view::draw(f, app)).unwrap();
            screenshot::to_text(t.backend().buffer())
        };
        let s = draw(&app);
        let header = s.lines().next().unwrap();
        assert!(
            header.trim_end().ends_with("Samordningsförbundet Norrvik"),
            "{header}"
        );
        // The manager asks to register someone: the whole reason is on screen.
        press(&mut app, &["enter", "n"]);
        let reason = app.status.clone().unwrap().text;
        assert!(
            reason.chars().count() > 78,
            "a reason longer than a line: {reason}"
        );
        let s = draw(&app);
        let last_words: Vec<&str> = reason.split_whitespace().rev().take(2).collect();
        for w in last_words {
            assert!(s.contains(w), "'{w}' of the reason is on screen:\n{s}");
        }
        // Footer hints are whole: the last one ends in its word, not a cut one.
        app.status = None;
        let s = draw(&app);
        let footer = s.lines().last().unwrap().trim_end();
        let hints = ["back", "tillbaka", "look up", "sök", "filter", "filtrera"];
        assert!(hints.iter().any(|h| footer.ends_with(h)), "{footer}");
        // Counts next to interventions are the real ones.
        for v in &app.interventions {
            let n = format!(" · {} · ", v.counters.total());
            assert!(s.contains(&n), "count {n} of {}:\n{s}", v.intervention.name);
        }
        // Audit rows: each fits, or ends in "…".
        // The demo clock is 12:00 UTC: 13:00 in Swedish winter time.
        let audit_rows: Vec<&str> = s.lines().filter(|l| l.contains(" 13:00 ")).collect();
        assert!(!audit_rows.is_empty(), "{s}");
        for row in audit_rows {
            let inside = row
                .rsplit('│')
                .nth(1)
                .or_else(|| row.rsplit('┃').nth(1))
                .unwrap();
            assert!(
                inside.ends_with(' ') || inside.ends_with('…') || inside.ends_with(']'),
                "cut mid-word: {row}"
            );
        }
    }
}

/// An intervention manager sets the plan of the budget year shown from the interventions pane:
/// the form starts with what is stored, saving names the changed fields, and the pane line
/// shows the year's participants against the new plan. `[` and `]` change the year shown.
#[test]
fn a_manager_sets_a_year_plan_and_the_pane_shows_it_against_the_actual_participants() {
    for lang in [Lang::En, Lang::Sv] {
        let (_dir, service) = fresh_demo();
        let mut app = app_for(&service, "maja", lang);
        let v = app.interventions[0].clone();
        let actual = v.year.actual();
        assert!(actual > 0, "the demo has participants this year");
        press(&mut app, &["p"]);
        let s = screen(&app);
        let planned = v.year.planned.unwrap().to_string();
        assert!(
            s.contains(&planned),
            "the form starts with the stored plan: {s}"
        );
        // Planned participants: twice the actual, so the pane says 50 %.
        press(&mut app, &["tab"]);
        for _ in 0..planned.chars().count() {
            press(&mut app, &["backspace"]);
        }
        typed(&mut app, &(actual * 2).to_string());
        press(&mut app, &["ctrl-s"]);
        let s = screen(&app);
        let saved = match lang {
            Lang::En => "Saved: planned participants",
            Lang::Sv => "Sparat: planerade deltagare",
        };
        assert!(s.contains(saved), "{s}");
        let line = match lang {
            Lang::En => format!("2026: {actual} of {} planned (50 %)", actual * 2),
            Lang::Sv => format!("2026: {actual} av {} planerade (50 %)", actual * 2),
        };
        assert!(s.contains(&line), "{s}");
        // The year before: its own figures, its own plan.
        press(&mut app, &["["]);
        let s = screen(&app);
        let title = match lang {
            Lang::En => "Interventions · 2025",
            Lang::Sv => "Insatser · 2025",
        };
        assert!(s.contains(title), "{s}");
        assert!(s.contains("  2025: "), "{s}");
        press(&mut app, &["]"]);
        assert!(screen(&app).contains(&line));
    }
}

/// A refusal in a keeping form stays in the form, in words, with the count that explains it;
/// a field is checked as it is typed; nothing is saved.
#[test]
fn keeping_forms_refuse_in_words_and_keep_what_was_typed() {
    let (_dir, service) = fresh_demo();
    let mut app = app_for(&service, "maja", Lang::Sv);
    let open = app.interventions[0].counters.open;
    assert!(open > 0);
    // Ending an intervention whose participants are still registered in.
    press(&mut app, &["e"]);
    for _ in 0..6 {
        press(&mut app, &["tab"]);
    }
    typed(&mut app, "2026-11-01");
    press(&mut app, &["ctrl-s"]);
    let s = screen(&app);
    assert!(
        s.contains(&format!(
            "medan {open} deltaganden fortfarande är inskrivna"
        )),
        "{s}"
    );
    assert!(s.contains("2026-11-01"), "what was typed stays: {s}");
    assert!(
        app.session.interventions().unwrap()[0]
            .intervention
            .end
            .is_none()
    );
    press(&mut app, &["esc"]);
    // An amount checked as it is typed.
    press(&mut app, &["p", "tab", "tab"]);
    typed(&mut app, "x");
    let s = screen(&app);
    assert!(s.contains("ett heltal"), "{s}");
    press(&mut app, &["esc"]);
    // The association's settings are the association administrator's.
    press(&mut app, &["A"]);
    let s = screen(&app);
    assert!(
        s.contains("Bara en samverkansadministratör ändrar förbundets inställningar"),
        "{s}"
    );
    let mut agnes = app_for(&service, "agnes", Lang::Sv);
    press(&mut agnes, &["A"]);
    for _ in 0..7 {
        press(&mut agnes, &["tab"]);
    }
    press(&mut agnes, &["backspace"]);
    typed(&mut agnes, "11");
    let s = screen(&agnes);
    assert!(s.contains("högst 10"), "{s}");
}

/// Every role opens the report screen with `r`: the results of the budget year shown, tables
/// and a chart; Tab moves to the next report, `[` to the year before, `g` to women only; a
/// report reader sees small cells hidden (in the chart too), a handler exact figures. Each run
/// is an audit entry. Over SSH (no export folder) `x` names the command that streams it.
#[test]
fn every_role_reads_the_reports_on_screen_and_small_cells_stay_hidden_for_a_reader() {
    let (_dir, service) = fresh_demo();
    for lang in [Lang::En, Lang::Sv] {
        for user in ["hanna", "maja", "agnes", "rut", "lars", "siv"] {
            let mut app = app_for(&service, user, lang);
            press(&mut app, &["r"]);
            let s = screen(&app);
            let (title, tab) = match lang {
                Lang::En => ("Follow-up reports", "Participations registered out"),
                Lang::Sv => ("Uppföljningsrapporter", "Deltaganden utskrivna"),
            };
            assert!(s.contains(title), "{user}: {s}");
            assert!(s.contains(tab), "{user}: {s}");
            press(&mut app, &["tab"]);
            let s = screen(&app);
            let age = match lang {
                Lang::En => "Age at registration in",
                Lang::Sv => "Ålder vid inskrivning",
            };
            assert!(s.contains(age), "{user}: {s}");
            press(&mut app, &["[", "g"]);
            let s = screen(&app);
            let women = match lang {
                Lang::En => "2025 · women",
                Lang::Sv => "2025 · kvinnor",
            };
            assert!(s.contains(women), "{user}: {s}");
            // One intervention (by name), then one age group.
            let first = app.interventions[0].intervention.name.clone();
            press(&mut app, &["i", "a"]);
            let s = screen(&app);
            let narrowed = match lang {
                Lang::En => "· women · under 20",
                Lang::Sv => "· kvinnor · under 20",
            };
            assert!(s.contains(narrowed), "{user}: {s}");
            assert!(s.contains(&first), "{user}: {s}");
            press(&mut app, &["esc"]);
            assert!(!screen(&app).contains(title));
        }
    }
    // A reader's figures are protected (and say so); a handler's are exact.
    let mut rut = app_for(&service, "rut", Lang::En);
    press(&mut rut, &["r"]);
    let s = screen(&rut);
    assert!(s.contains("counts under 3 shown as <3"), "{s}");
    let mut hanna = app_for(&service, "hanna", Lang::En);
    press(&mut hanna, &["r"]);
    assert!(!screen(&hanna).contains("<3"));
    // Over SSH the export names the command.
    press(&mut hanna, &["x"]);
    let s = screen(&hanna);
    assert!(
        s.contains("ssh … report results --year 2026 --format xlsx"),
        "{s}"
    );
}

/// `f` on the report screen opens its filter form: a period of months, several interventions, a
/// gender and age groups. Saving runs the report over them (and the export names the same
/// filters); a period that ends before it starts is refused in words with what was typed kept;
/// Esc goes back to the report as it was.
#[test]
fn a_reader_narrows_a_report_to_a_period_of_months_and_several_interventions() {
    let (_dir, service) = fresh_demo();
    for lang in [Lang::En, Lang::Sv] {
        let mut app = app_for(&service, "rut", lang);
        let (a, b) = (
            app.interventions[0].intervention.clone(),
            app.interventions[1].intervention.clone(),
        );
        press(&mut app, &["r", "f"]);
        let s = screen(&app);
        let title = match lang {
            Lang::En => "Report: period and filters",
            Lang::Sv => "Rapport: period och urval",
        };
        assert!(s.contains(title), "{s}");
        // A period that ends before it starts.
        press(&mut app, &["backspace"; 7]);
        typed(&mut app, "2025-09");
        press(&mut app, &["tab"]);
        press(&mut app, &["backspace"; 7]);
        typed(&mut app, "2025-03");
        press(&mut app, &["ctrl-s"]);
        let s = screen(&app);
        let backwards = match lang {
            Lang::En => "the period ends before it starts",
            Lang::Sv => "perioden slutar innan den börjar",
        };
        assert!(s.contains(backwards), "{s}");
        assert!(s.contains("2025-09") && s.contains(title), "kept: {s}");
        // March to August, the first two interventions, women, two age groups.
        press(&mut app, &["shift-tab"]);
        press(&mut app, &["backspace"; 7]);
        typed(&mut app, "2025-03");
        press(&mut app, &["tab"]);
        press(&mut app, &["backspace"; 7]);
        typed(&mut app, "2025-08");
        press(
            &mut app,
            &["tab", "2", "3", "tab", "2", "tab", "3", "4", "ctrl-s"],
        );
        let s = screen(&app);
        let head = match lang {
            Lang::En => format!(
                "2025-03 – 2025-08 · {},{} · women · 20–24,25–29",
                a.id, b.id
            ),
            Lang::Sv => format!(
                "2025-03 – 2025-08 · {},{} · kvinnor · 20–24,25–29",
                a.id, b.id
            ),
        };
        assert!(s.contains(&head), "{head}\n{s}");
        assert!(!s.contains(title), "{s}");
        // The run is in the log with the same filters.
        let log = insats::service::Session::sign_in(&service, "siv", None)
            .unwrap()
            .audit_page(&insats::service::AuditFilter::default(), None, 5)
            .unwrap();
        assert!(
            log.iter()
                .any(|e| e.draft.note.contains("2025-03 – 2025-08")),
            "{log:?}"
        );
        // `]` moves the period a year; the export names the same filters.
        press(&mut app, &["]", "x"]);
        let s = screen(&app);
        let command = format!(
            "report results --from 2026-03 --to 2026-08 --gender women --intervention {},{} --age 20-24,25-29",
            a.id, b.id
        );
        assert!(s.contains(&command), "{command}\n{s}");
        // Esc in the form goes back to the report as it was.
        press(&mut app, &["f", "tab", "tab", "1", "esc"]);
        let s = screen(&app);
        assert!(s.contains("2026-03 – 2026-08"), "{s}");
        assert!(!s.contains(title), "{s}");
        press(&mut app, &["esc"]);
    }
}

/// `i` on the participants pane shows the information to the participant (GDPR art. 13) from
/// the association's settings; `l` switches it to the other language whatever the screen's
/// language; over SSH (no export folder) `x` names the command that streams it. Every role that
/// reaches the intervention may show it: it holds no personal data.
#[test]
fn the_participants_information_is_shown_in_either_language_and_saved_to_print() {
    let (_dir, service) = fresh_demo();
    for lang in [Lang::En, Lang::Sv] {
        let mut app = app_for(&service, "hanna", lang);
        press(&mut app, &["enter", "i"]);
        let s = screen(&app);
        let (title, controller, imy) = match lang {
            Lang::En => ("Information to the participant", "Controller", "IMY"),
            Lang::Sv => (
                "Information till deltagaren",
                "Personuppgiftsansvarig",
                "IMY",
            ),
        };
        assert!(s.contains(title), "{s}");
        assert!(s.contains(controller), "{s}");
        // The demo association's contacts fill it.
        assert!(s.contains("dso@example.se"), "{s}");
        press(&mut app, &["pagedown", "pagedown"]);
        assert!(screen(&app).contains(imy), "{}", screen(&app));
        // The other language, for a participant who reads it better.
        press(&mut app, &["l"]);
        let s = screen(&app);
        let other = match lang {
            Lang::En => "Personuppgiftsansvarig",
            Lang::Sv => "Controller",
        };
        assert!(s.contains(other), "{s}");
        press(&mut app, &["x"]);
        let s = screen(&app);
        let code = if lang == Lang::En { "sv" } else { "en" };
        assert!(
            s.contains(&format!("association information I1 --lang {code}")),
            "{s}"
        );
        press(&mut app, &["esc"]);
        assert!(!screen(&app).contains(title));
    }
    // A report reader reaches the intervention too.
    let mut rut = app_for(&service, "rut", Lang::Sv);
    press(&mut rut, &["enter", "i"]);
    assert!(screen(&rut).contains("Information till deltagaren"));
}

/// Another session's burst of changes is read in as one batch, not once per change, and within
/// a second: a hundred sessions on one intervention do not all reload for every registration
/// (the 100-session keystroke tail, issue 15 item 8).
#[test]
fn a_burst_of_other_sessions_changes_is_read_in_once_and_within_a_second() {
    let (_dir, service) = fresh_demo();
    let hanna = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let other = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let start = Instant::now();
    let mut app = App::new(hanna, screens::options(Lang::En, false).unwrap(), start).unwrap();
    let shown = app.interventions[0].intervention.id;
    let anonymous = |app: &App| app.interventions[0].counters.anonymous.total();
    let before = anonymous(&app);
    let ms = std::time::Duration::from_millis;
    // Twenty registrations, one every 10 ms, the screen ticking every 10 ms meanwhile.
    let mut t = start;
    for _ in 0..20 {
        other.register_anonymous(shown, 2026, 1, 0).unwrap();
        t += ms(10);
        app.tick(t);
    }
    // Ticks for up to a second more: all twenty are read in, in at most two batches.
    while t < start + ms(1200) && anonymous(&app) < before + 20 {
        t += ms(10);
        app.tick(t);
    }
    assert_eq!(anonymous(&app), before + 20);
    assert!(t <= start + ms(1000), "read in after {:?}", t - start);
    assert!(
        (1..=2).contains(&app.reloads),
        "{} reloads for a burst of 20",
        app.reloads
    );
}

/// `R` on the interventions pane shows the association's record of processing activities (GDPR
/// art. 30) to every role that reaches it, the legal bases flagged as the association's to fill
/// in; `l` the other language, `x` over SSH names the command; what the administrator sets is
/// what the screen shows.
#[test]
fn the_processing_record_is_shown_in_either_language_to_every_role_and_follows_its_edits() {
    let (_dir, service) = fresh_demo();
    for (user, lang) in [("agnes", Lang::En), ("rut", Lang::Sv), ("maja", Lang::En)] {
        let mut app = app_for(&service, user, lang);
        press(&mut app, &["R"]);
        let s = screen(&app);
        let (title, flag) = match lang {
            Lang::En => (
                "Record of processing activities (GDPR art. 30)",
                "(to be filled in by the association)",
            ),
            Lang::Sv => (
                "Register över behandling (GDPR art. 30)",
                "(fylls i av förbundet)",
            ),
        };
        assert!(s.contains(title) && s.contains(flag), "{user}: {s}");
        press(&mut app, &["pagedown", "pagedown", "pagedown"]);
        let s = screen(&app);
        let security = match lang {
            Lang::En => "ChaCha20-Poly1305",
            Lang::Sv => "fält för fält",
        };
        assert!(s.contains(security), "{user}: {s}");
        press(&mut app, &["l"]);
        let s = screen(&app);
        let other = match lang {
            Lang::En => "Ändamål och rättslig grund",
            Lang::Sv => "Purposes and legal bases",
        };
        assert!(s.contains(other), "{user}: {s}");
        press(&mut app, &["x"]);
        let code = if lang == Lang::En { "sv" } else { "en" };
        assert!(
            screen(&app).contains(&format!("association record F1 --lang {code}")),
            "{}",
            screen(&app)
        );
        press(&mut app, &["esc"]);
        assert!(!screen(&app).contains(title));
    }
    // The administrator fills in a legal basis: every screen shows it from then on.
    let agnes = insats::service::Session::sign_in(&service, "agnes", None).unwrap();
    let f1 = insats::domain::ids::AssociationId(1);
    let mut record = agnes.processing_record(f1).unwrap().record;
    record.purposes[0].legal_basis =
        insats::domain::record::Text::new("Samtycke (art. 6.1 a)", "Consent (art. 6(1)(a))");
    agnes.set_processing_record(f1, &record).unwrap();
    let mut rut = app_for(&service, "rut", Lang::En);
    press(&mut rut, &["R"]);
    let s = screen(&rut);
    assert!(s.contains("Legal basis: Consent (art. 6(1)(a))"), "{s}");
    assert!(s.contains("is missing for 3 of 4 purposes"), "{s}");
    // On this machine `x` saves the text as it is shown, in the language shown.
    let out = tempfile::tempdir().unwrap();
    let mut opts = screens::options(Lang::En, false).unwrap();
    opts.export_dir = Some(out.path().to_owned());
    let session = insats::service::Session::sign_in(&service, "hanna", None).unwrap();
    let mut hanna = App::new(session, opts, Instant::now()).unwrap();
    press(&mut hanna, &["R", "l", "x"]);
    let saved = out.path().join("record-F1-sv.txt");
    assert!(
        screen(&hanna).contains("record-F1-sv.txt"),
        "{}",
        screen(&hanna)
    );
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(
        text.starts_with("Register över behandling (GDPR art. 30)"),
        "{text}"
    );
    assert!(
        text.contains("Rättslig grund: Samtycke (art. 6.1 a)"),
        "{text}"
    );
    assert!(text.contains("Säkerhetsåtgärder"), "{text}");
}

/// The log reviewer's queue from the audit pane: `R` opens it, Enter shows a finding (its
/// entries as pseudonyms), `v` opens the verdict form; a comment holding a personnummer is
/// refused in words in the form and nothing is saved; a plain one is saved, the queue shows the
/// verdict and the log its entry. Other roles are told the queue is for log reviewers.
#[test]
fn a_log_reviewer_judges_a_finding_from_the_audit_pane() {
    for lang in [Lang::En, Lang::Sv] {
        let (_dir, service) = fresh_demo();
        let mut app = app_for(&service, "lars", lang);
        press(&mut app, &["tab", "tab", "R"]);
        let s = screen(&app);
        let (queue, refused, justified) = match lang {
            Lang::En => ("Log review: the queue", "Refused access", "justified"),
            Lang::Sv => ("Logggranskning: kön", "Nekad åtkomst", "befogad"),
        };
        assert!(s.contains(queue), "{s}");
        assert!(s.contains(refused), "{s}");
        // The refused opening is the second item: its finding names a pseudonym, no one.
        press(&mut app, &["down", "enter"]);
        let s = screen(&app);
        assert!(s.contains("ps-"), "{s}");
        press(&mut app, &["v"]);
        assert!(matches!(
            app.overlay,
            Some(insats::ui::app::Overlay::Form(_))
        ));
        press(&mut app, &["space", "tab"]);
        typed(&mut app, "gäller 19900101-0017");
        press(&mut app, &["ctrl-s"]);
        let s = screen(&app);
        // The refusal names the personnummer in both languages.
        assert!(s.contains("personnummer"), "{s}");
        assert!(matches!(
            app.overlay,
            Some(insats::ui::app::Overlay::Form(_))
        ));
        for _ in 0.."gäller 19900101-0017".chars().count() {
            press(&mut app, &["backspace"]);
        }
        typed(&mut app, "en behörig kontroll");
        press(&mut app, &["ctrl-s"]);
        // Back to the finding, with its verdict.
        let s = screen(&app);
        assert!(s.contains("G2"), "{s}");
        assert!(
            s.contains(&format!("lars: {justified} — en behörig kontroll")),
            "{s}"
        );
        // The queue shows it judged, after the open items; the log's newest entry is the
        // verdict.
        press(&mut app, &["esc"]);
        let s = screen(&app);
        assert!(s.contains(queue), "{s}");
        assert!(s.contains(justified), "{s}");
        press(&mut app, &["esc"]);
        let s = screen(&app);
        let entry =
            insats::ui::i18n::audit_action(insats::domain::audit::Action::ReviewVerdict, lang);
        assert!(s.contains(entry), "{s}");
        if lang == Lang::Sv {
            let mut hanna = app_for(&service, "hanna", Lang::Sv);
            press(&mut hanna, &["tab", "tab", "R"]);
            assert!(
                screen(&hanna).contains("För logggranskare"),
                "{}",
                screen(&hanna)
            );
        }
    }
}
