//! Commands over SSH exec (`ssh -p PORT HOST user add …`): while `insats serve` owns the
//! database, this is the way in for look-ups and for administration. The same command line as
//! `insats`, parsed by the same definition, run as the user the SSH key signed in, with the same
//! access rules and audit entries. The options that pick a database, a key file or another user
//! are refused, and so is reading a file named on the command line (it would be the server's).
//! No message repeats what was typed: a command may hold a personnummer.

use super::commands::{self, Ctx};
use super::{Cli, CliError, paths, usage_problem};
use crate::service::{Lang, Session};
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use std::io::Write;

/// Runs one exec command for the signed-in session `s`; its lines go to `out`. A failure comes
/// back as its one line, in the language the command asked for (`--lang`), else in `lang`.
pub fn run(s: &Session, command: &str, lang: Lang, out: &mut dyn Write) -> Result<(), String> {
    let mut lang = lang;
    run_in(s, command, &mut lang, out).map_err(|e| e.message(lang))
}

/// `run`, setting `lang` to the command's `--lang` once it is read.
fn run_in(
    s: &Session,
    command: &str,
    lang: &mut Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let words = split_words(command)?;
    let names = commands::exec_commands();
    if matches!(
        words.first().map(String::as_str),
        Some("help" | "--help" | "-h")
    ) {
        return writeln!(
            out,
            "Over SSH: {names}. Each shows its own help: ssh … user --help"
        )
        .map_err(|e| CliError::Io(format!("cannot write the output: {e}")));
    }
    if !words.first().is_some_and(|w| commands::runs_over_exec(w)) {
        return Err(CliError::Usage(format!(
            "unknown command; over SSH there are: {names} (each with --help)"
        )));
    }
    let parsed = exec_cli()
        .try_get_matches_from(std::iter::once("insats".to_owned()).chain(words))
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            return write!(out, "{}", e.render())
                .map_err(|e| CliError::Io(format!("cannot write the output: {e}")));
        }
        Err(e) => return Err(CliError::Usage(usage_problem(e.kind(), *lang).into())),
    };
    let g = &cli.global;
    if g.db.is_some()
        || g.key.is_some()
        || g.user.is_some()
        || g.keymap.is_some()
        || g.plain
        || g.lock_after.is_some()
        || g.erasure_journal.is_some()
    {
        return Err(CliError::Usage(
            "over SSH you act as the user your key signed in, on the server's database: --db, --key, --as, --keymap, --plain, --lock-after and --erasure-journal are not taken".into(),
        ));
    }
    paths::check_lang(g.lang.as_deref())?;
    if let Some(l) = g.lang.as_deref() {
        *lang = paths::lang(Some(l));
    }
    let chosen = g
        .as_role
        .as_deref()
        .map(super::admin::role_arg)
        .transpose()?;
    let Some(command) = cli.command else {
        return Err(CliError::Usage(format!(
            "name a command; over SSH there are: {names}"
        )));
    };
    let Some(row) = commands::row_of(&command).filter(|r| r.exec) else {
        return Err(CliError::Usage(format!(
            "not over SSH; over SSH there are: {names}"
        )));
    };
    let s = commands::in_role(s, row, chosen)?;
    let ctx = Ctx {
        lang: *lang,
        files: super::admin::Files::Refused,
    };
    commands::dispatch(&s, command, ctx, out)
}

/// The options SSH exec refuses (they pick a database, a key file, another user, or the
/// terminal UI's settings): hidden from its `--help`.
const REFUSED_OVER_EXEC: [&str; 7] = [
    "db",
    "key",
    "user",
    "keymap",
    "plain",
    "lock_after",
    "erasure_journal",
];

/// The command line as SSH exec offers it: the same definition, with the options it refuses
/// left out of help.
fn exec_cli() -> clap::Command {
    REFUSED_OVER_EXEC
        .iter()
        .fold(Cli::command(), |c, id| c.mut_arg(*id, |a| a.hide(true)))
}

/// Splits an exec command into words as a shell would for plain words: blanks separate them,
/// '…' keeps everything, "…" keeps everything but \" and \\, and \ outside quotes keeps the
/// next character.
fn split_words(command: &str) -> Result<Vec<String>, CliError> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    let unfinished = || CliError::Usage("a quote or a backslash is not closed".into());
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next().ok_or_else(unfinished)? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next().ok_or_else(unfinished)? {
                        '"' => break,
                        '\\' => match chars.next().ok_or_else(unfinished)? {
                            c @ ('"' | '\\') => w.push(c),
                            c => {
                                w.push('\\');
                                w.push(c);
                            }
                        },
                        c => w.push(c),
                    }
                }
            }
            '\\' => word
                .get_or_insert_with(String::new)
                .push(chars.next().ok_or_else(unfinished)?),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word {
        words.push(w);
    }
    Ok(words)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn help_over_exec_lists_no_option_that_exec_refuses() {
        for sub in ["user", "lookup", "audit", "extract"] {
            let mut cmd = exec_cli();
            cmd.build();
            let help = cmd
                .find_subcommand_mut(sub)
                .unwrap()
                .render_help()
                .to_string();
            for refused in [
                "--db",
                "--key",
                "--as ",
                "--keymap",
                "--plain",
                "--lock-after",
            ] {
                assert!(!help.contains(refused), "{sub}: {refused} in\n{help}");
            }
            assert!(help.contains("--lang"), "{sub}: {help}");
        }
    }

    #[test]
    fn help_over_exec_of_the_keeping_commands_shows_their_own_options_and_none_exec_refuses() {
        for (sub, nested, own) in [
            ("intervention", "edit", "--target-groups"),
            ("intervention", "end", "--reopen"),
            ("intervention", "plan", "--cost-budget"),
            ("intervention", "volume", "--women"),
            ("association", "edit", "--focus-options"),
        ] {
            let mut cmd = exec_cli();
            cmd.build();
            let help = cmd
                .find_subcommand_mut(sub)
                .and_then(|c| c.find_subcommand_mut(nested))
                .unwrap()
                .render_help()
                .to_string();
            assert!(help.contains(own) && help.contains("--lang"), "{help}");
            for refused in ["--db", "--key", "--as ", "--keymap", "--plain"] {
                assert!(
                    !help.contains(refused),
                    "{sub} {nested}: {refused} in\n{help}"
                );
            }
        }
    }

    #[test]
    fn words_split_as_a_shell_splits_plain_words() {
        let cases: &[(&str, &[&str])] = &[
            ("lookup 19121212-1212", &["lookup", "19121212-1212"]),
            ("  user   list ", &["user", "list"]),
            (
                "user add anna --name 'Anna Å. Berg' --role participant-handler",
                &[
                    "user",
                    "add",
                    "anna",
                    "--name",
                    "Anna Å. Berg",
                    "--role",
                    "participant-handler",
                ],
            ),
            (r#"a "b \"c\" \\ \d" e"#, &["a", r#"b "c" \ \d"#, "e"]),
            (r"a\ b c", &["a b", "c"]),
            ("x ''", &["x", ""]),
            ("", &[]),
        ];
        for (line, want) in cases {
            assert_eq!(split_words(line).unwrap(), *want, "{line}");
        }
        for bad in ["a 'b", "a \"b", "a \\"] {
            assert!(split_words(bad).is_err(), "{bad}");
        }
    }
}
