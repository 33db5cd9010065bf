//! The `insats` binary: parses the command line, runs it, and turns failures into one clear
//! line and a non-zero exit code.

use insats::cli::run;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Panics (bugs, never user mistakes) get color-eyre's report; personal data never reaches
    // a panic message.
    if color_eyre::install().is_err() {
        eprintln!("insats: could not install the error reporter");
    }
    insats::service::quiet_panic_hook();
    let cli = match insats::cli::parse() {
        Ok(Some(cli)) => cli,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("insats: {}", e.message(insats::cli::paths::lang(None)));
            return ExitCode::FAILURE;
        }
    };
    let lang = insats::cli::paths::lang(cli.global.lang.as_deref());
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("insats: {}", e.message(lang));
            ExitCode::FAILURE
        }
    }
}
