//! The `insats` binary: parses the command line, runs it, and turns failures into one clear
//! line and a non-zero exit code.

use clap::Parser;
use insats::cli::{Cli, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Panics (bugs, never user mistakes) get color-eyre's report; personal data never reaches
    // a panic message.
    if color_eyre::install().is_err() {
        eprintln!("insats: could not install the error reporter");
    }
    insats::service::quiet_panic_hook();
    let cli = Cli::parse();
    let lang = insats::cli::paths::lang(cli.global.lang.as_deref());
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("insats: {}", e.message(lang));
            ExitCode::FAILURE
        }
    }
}
