//! Opening the terminal UI from the command line: keymap, language, look, idle lock.

use super::{CliError, Global, paths};
use crate::service::Session;
use crate::ui::keymap::Keymap;
use crate::ui::theme::Theme;
use crate::ui::{App, Options};
use std::time::{Duration, Instant};

/// The UI options from the command line. A broken keymap is an error here, before anything
/// else happens: the app never starts with half a keymap.
pub fn options(g: &Global) -> Result<Options, CliError> {
    let spec = g.keymap.clone().unwrap_or_else(|| "default".to_owned());
    let keymap = Keymap::load(&spec)
        .map_err(|e| CliError::Usage(e.message(paths::lang(g.lang.as_deref()))))?;
    let minutes = g.lock_after.unwrap_or(5);
    if minutes == 0 {
        return Err(CliError::Usage("--lock-after: at least 1 minute".into()));
    }
    Ok(Options {
        lang: paths::lang(g.lang.as_deref()),
        keymap,
        theme: Theme::from_env(g.plain),
        idle_lock: Duration::from_secs(minutes.saturating_mul(60)),
        export_dir: Some(paths::data_dir().join("reports")),
    })
}

/// Runs the UI for `session` on this terminal.
pub fn run(session: Session, opts: Options) -> Result<(), CliError> {
    let mut app = App::new(session, opts, Instant::now())?;
    crate::server::local::run(&mut app).map_err(|e| CliError::Io(format!("terminal: {e}")))?;
    // Ended by itself (access withdrawn, too many wrong unlock codes): say why, exit non-zero.
    match app.ended.take() {
        Some(text) => Err(CliError::Ended(text)),
        None => Ok(()),
    }
}
