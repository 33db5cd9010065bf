//! The main screens, rendered from fresh demo data with a fixed clock by pressing the same keys a
//! user would: `insats screenshots` writes them to `screenshots/` as `.txt` and `.svg`, and
//! `--check` (run by a test) fails when the files there are stale.

use super::{CliError, ScreenshotsArgs, demo};
use crate::service::{FixedClock, Lang, Service, ServiceError, Session};
use crate::ui::keymap::{Key, Keymap};
use crate::ui::theme::Theme;
use crate::ui::{App, Options, screenshot, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::path::Path;
use std::time::{Duration, Instant};

/// A screen: who is signed in and which keys they press, from the start screen (`text:…` types
/// the text character by character).
#[derive(Debug, Clone, Copy)]
pub struct Scene {
    pub name: &'static str,
    pub user: &'static str,
    pub keys: &'static [&'static str],
}

/// The screens worth showing, in the order the README tours them.
pub const SCENES: &[Scene] = &[
    scene("handler-start", "hanna", &[]),
    scene("handler-participants", "hanna", &["enter"]),
    scene("participant-record", "hanna", &["enter", "enter"]),
    scene("consent-form", "hanna", &["enter", "n"]),
    scene("consent-form-checked", "hanna", CONSENT_TYPO),
    scene("register-in-form", "hanna", REGISTER_IN),
    scene("register-out-form", "hanna", &["enter", "o"]),
    scene("correct-answers-form", "hanna", &["enter", "c"]),
    scene(
        "misregistration-confirm",
        "hanna",
        &["enter", "x", "R", "A"],
    ),
    scene("protected-identity-confirm", "hanna", &["enter", "p"]),
    scene("consent-withdrawn-confirm", "hanna", &["enter", "w"]),
    scene("anonymous-form", "hanna", &["enter", "a"]),
    scene("unused-consents", "hanna", &["enter", "u"]),
    scene("participant-information", "hanna", &["enter", "i"]),
    scene(
        "participant-information-other-language",
        "hanna",
        &["enter", "i", "l"],
    ),
    scene("unused-consent-remove", "hanna", &["enter", "u", "d"]),
    scene("lookup", "hanna", &["ctrl-f"]),
    scene("help", "hanna", &["?"]),
    scene("privacy-mask", "hanna", &["enter", "ctrl-p"]),
    scene("filter", "hanna", &["/", "a", "r", "b"]),
    scene(
        "participant-search",
        "hanna",
        &["enter", "/", "text:olsson", "enter"],
    ),
    scene("locked", "hanna", &["ctrl-l", "text:demo"]),
    scene(
        "locked-wrong-code",
        "hanna",
        &["ctrl-l", "text:gissning", "enter"],
    ),
    scene(
        "unlock-code-form",
        "hanna",
        &["ctrl-k", "text:demo1234", "tab", "text:ny-kod"],
    ),
    scene("manager-aggregates", "maja", &["enter"]),
    scene("manager-interventions", "maja", &[]),
    scene("intervention-edit-form", "maja", &["e"]),
    scene("year-plan-form", "maja", &["p"]),
    scene("volume-form", "maja", &["/", "text:öppen", "enter", "v"]),
    scene("volume-refused", "maja", &["v"]),
    scene("association-settings-form", "agnes", &["A"]),
    scene("processing-record", "agnes", &["R"]),
    scene("report-results-handler", "hanna", &["r"]),
    scene("report-results-reader", "rut", &["r"]),
    scene("report-interventions", "maja", &["r", "tab", "tab"]),
    scene("report-costs", "agnes", &["r", "shift-tab"]),
    scene("report-filter-form", "rut", &["r", "f", "tab", "tab"]),
    scene("report-period", "rut", REPORT_PERIOD),
    scene("log-reviewer-audit", "lars", &["tab", "tab"]),
    scene("review-queue", "lars", &["tab", "tab", "R"]),
    scene(
        "review-finding",
        "lars",
        &["tab", "tab", "R", "down", "enter"],
    ),
    scene(
        "review-verdict-form",
        "lars",
        &["tab", "tab", "R", "down", "v"],
    ),
    scene("switch-role-demo", "hanna", &["ctrl-r"]),
];

const fn scene(name: &'static str, user: &'static str, keys: &'static [&'static str]) -> Scene {
    Scene { name, user, keys }
}

/// A results report from March to August of 2025 over the first two interventions.
const REPORT_PERIOD: &[&str] = &[
    "r",
    "f",
    "backspace",
    "backspace",
    "backspace",
    "backspace",
    "backspace",
    "backspace",
    "backspace",
    "text:2025-03",
    "tab",
    "backspace",
    "backspace",
    "backspace",
    "backspace",
    "backspace",
    "backspace",
    "backspace",
    "text:2025-08",
    "tab",
    "2",
    "3",
    "ctrl-s",
];

/// The consent form with a municipality code of five digits: checked as typed.
const CONSENT_TYPO: &[&str] = &[
    "enter",
    "n",
    "text:19900215-9813",
    "tab",
    "text:Åsa Öberg",
    "tab",
    "text:01800",
];

/// Consent recorded for a new person, then the questionnaire, first question answered.
const REGISTER_IN: &[&str] = &[
    "enter",
    "n",
    "text:19900215-9813",
    "tab",
    "text:Åsa Öberg",
    "tab",
    "text:0180",
    "tab",
    "tab",
    "tab",
    "tab",
    "text:Hanna Berg",
    "ctrl-s",
    "tab",
    "tab",
    "1",
    "tab",
];

/// Opens (or builds) a demo database at `path` with the demo's fixed clock.
pub fn demo_service(path: &Path) -> Result<Service, ServiceError> {
    if !path.exists() {
        demo::create(path)?;
    }
    Service::open(path, None, |_| Box::new(FixedClock::on(demo::demo_today())))
}

/// Options for rendering: the default keymap, colour, a long idle lock.
pub fn options(lang: Lang, plain: bool) -> Result<Options, CliError> {
    Ok(Options {
        lang,
        keymap: Keymap::load("default").map_err(|e| CliError::Usage(e.to_string()))?,
        theme: Theme { plain, color: true },
        idle_lock: Duration::from_hours(1),
        export_dir: None,
    })
}

/// Renders `scene` at `width`×`height`.
pub fn render(
    service: &Service,
    scene: &Scene,
    opts: Options,
    width: u16,
    height: u16,
) -> Result<Buffer, CliError> {
    let session = Session::sign_in(service, scene.user, None)?;
    let now = Instant::now();
    let mut app = App::new(session, opts, now)?;
    let mut terminal =
        Terminal::new(TestBackend::new(width, height)).map_err(|e| CliError::Io(e.to_string()))?;
    // One frame first, as the real loop draws before the first key (it sizes the lists).
    terminal
        .draw(|f| view::draw(f, &app))
        .map_err(|e| CliError::Io(e.to_string()))?;
    for k in scene.keys {
        if let Some(text) = k.strip_prefix("text:") {
            for c in text.chars() {
                let e = crossterm::event::KeyEvent::new(
                    crossterm::event::KeyCode::Char(c),
                    crossterm::event::KeyModifiers::NONE,
                );
                app.on_key(e, now);
            }
        } else {
            let key =
                Key::parse(k).map_err(|e| CliError::Usage(format!("scene {}: {e}", scene.name)))?;
            app.on_key(key.to_event(), now);
        }
        terminal
            .draw(|f| view::draw(f, &app))
            .map_err(|e| CliError::Io(e.to_string()))?;
    }
    Ok(terminal.backend().buffer().clone())
}

/// Every screenshot file: name → contents.
pub fn all_files(service: &Service) -> Result<Vec<(String, String)>, CliError> {
    let mut out = Vec::new();
    for lang in [Lang::En, Lang::Sv] {
        let tag = if lang == Lang::Sv { "sv" } else { "en" };
        for scene in SCENES {
            let buf = render(service, scene, options(lang, false)?, 120, 36)?;
            out.push((
                format!("{}.{tag}.txt", scene.name),
                screenshot::to_text(&buf),
            ));
            out.push((
                format!("{}.{tag}.svg", scene.name),
                screenshot::to_svg(&buf),
            ));
        }
    }
    let plain = render(service, &SCENES[1], options(Lang::En, true)?, 120, 36)?;
    out.push((
        "handler-participants.plain.en.txt".into(),
        screenshot::to_text(&plain),
    ));
    Ok(out)
}

/// `insats screenshots`.
pub fn command(a: &ScreenshotsArgs) -> Result<(), CliError> {
    let dir = tempfile_dir()?;
    let db = dir.join("demo.redb");
    let result = (|| {
        let service = demo_service(&db)?;
        let files = all_files(&service)?;
        if a.check {
            let stale: Vec<&str> = files
                .iter()
                .filter(|(name, body)| {
                    std::fs::read_to_string(a.out.join(name)).ok().as_deref() != Some(body.as_str())
                })
                .map(|(name, _)| name.as_str())
                .collect();
            if !stale.is_empty() {
                return Err(CliError::Usage(format!(
                    "stale screenshots in {} (run `cargo run -- screenshots`): {}",
                    a.out.display(),
                    stale.join(", ")
                )));
            }
            println!("{} screenshots are up to date", files.len());
            return Ok(());
        }
        std::fs::create_dir_all(&a.out)
            .map_err(|e| CliError::Io(format!("{}: {e}", a.out.display())))?;
        for (name, body) in &files {
            std::fs::write(a.out.join(name), body)
                .map_err(|e| CliError::Io(format!("{name}: {e}")))?;
        }
        println!("wrote {} files to {}", files.len(), a.out.display());
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A private scratch directory for the throwaway demo database.
fn tempfile_dir() -> Result<std::path::PathBuf, CliError> {
    let base = std::env::temp_dir().join(format!("insats-screens-{}", std::process::id()));
    std::fs::create_dir_all(&base).map_err(|e| CliError::Io(format!("{}: {e}", base.display())))?;
    Ok(base)
}
