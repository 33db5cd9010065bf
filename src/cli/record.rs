//! `association record F1`: the association's record of processing activities (GDPR art. 30),
//! printed in --lang's language, exported as TOML to edit (`--export toml`) and set again from
//! the edited file (`--set FILE`, its association administrator). Over SSH exec printing and
//! exporting work; setting is refused, since the file named would be the server's.

use super::CliError;
use super::admin::{Files, io};
use crate::domain::ids::AssociationId;
use crate::domain::record;
use crate::service::{Lang, Session};
use std::io::Write;
use std::path::PathBuf;

/// How the record is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// Plain text in --lang's language, to read or print
    Text,
    /// A TOML file with both languages, to edit and read back with --set
    Toml,
}

#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The association (F1)
    pub association: String,
    /// Print it as text (the default) or as a TOML file to edit
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "text")]
    pub export: RecordFormat,
    /// Set it from an edited TOML file (association administrator); nothing changes if any
    /// field is wrong
    #[arg(long, value_name = "FILE", conflicts_with = "export")]
    pub set: Option<PathBuf>,
}

fn association_id(text: &str, l: Lang) -> Result<AssociationId, CliError> {
    AssociationId::parse(text)
        .filter(|_| text.trim().starts_with('F'))
        .ok_or_else(|| {
            CliError::Usage(
                match l {
                    Lang::En => "name the association as F1, F2, …",
                    Lang::Sv => "ange förbundet som F1, F2, …",
                }
                .into(),
            )
        })
}

pub(super) fn record_in(
    s: &Session,
    a: RecordArgs,
    l: Lang,
    files: Files,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let id = association_id(&a.association, l)?;
    let Some(file) = a.set else {
        let view = s.processing_record(id)?;
        let text = match a.export {
            RecordFormat::Text => view.text(l == Lang::Sv),
            RecordFormat::Toml => view.toml(),
        };
        return write!(out, "{text}").map_err(io);
    };
    if files == Files::Refused {
        return Err(CliError::Usage(match l {
            Lang::En => format!(
                "over SSH the file would be the server's: set the record on the server (insats association record {id} --set FILE); over SSH export it with --export toml"
            ),
            Lang::Sv => format!(
                "via SSH vore filen serverns: sätt förteckningen på servern (insats association record {id} --set FIL); via SSH exporterar du den med --export toml"
            ),
        }));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| {
        CliError::Io(match l {
            Lang::En => format!("cannot read {}: {e}", file.display()),
            Lang::Sv => format!("kan inte läsa {}: {e}", file.display()),
        })
    })?;
    let parsed = record::from_toml(&text).map_err(|e| {
        CliError::Usage(match l {
            Lang::En => format!("{}: {e}", file.display()),
            Lang::Sv => format!("{}: {}", file.display(), e.message_sv()),
        })
    })?;
    let fields = s.set_processing_record(id, &parsed)?;
    writeln!(out, "{id}: {}", fields.join(", ")).map_err(io)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use crate::service::{AssociationInput, FixedClock, InitInput, Lang, Service, Session};

    fn office(dir: &std::path::Path) -> Service {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        let service = Service::create(
            &dir.join("t.redb"),
            None,
            false,
            Box::new(FixedClock::on(today)),
        )
        .unwrap();
        service
            .init(&InitInput {
                association: AssociationInput {
                    name: "Förbundet".into(),
                    org_number: "222000-1230".into(),
                    description: String::new(),
                    municipalities: "0180".into(),
                    start: "2020-01-01".into(),
                    end: String::new(),
                },
                admin_username: "admin".into(),
                admin_display_name: "Ada Admin".into(),
            })
            .unwrap();
        service
    }

    /// Over SSH exec the record prints and exports; setting it from a file is refused in the
    /// command's language (the file would be the server's), and nothing changes.
    #[test]
    fn over_ssh_exec_the_record_prints_and_exports_but_is_not_set_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let service = office(dir.path());
        let s = Session::sign_in(&service, "admin", None).unwrap();
        let exec = |command: &str| {
            let mut out = Vec::new();
            let r = crate::cli::remote::run(&s, command, Lang::En, &mut out);
            (r, String::from_utf8(out).unwrap())
        };
        let (r, out) = exec("association record F1 --lang sv");
        assert_eq!(r, Ok(()));
        assert!(out.starts_with("Register över behandling"), "{out}");
        let (r, toml) = exec("association record F1 --export toml");
        assert_eq!(r, Ok(()));
        assert!(toml.contains("[[purpose]]"), "{toml}");
        let file = dir.path().join("r.toml");
        std::fs::write(
            &file,
            toml.replacen("legal_basis_en = \"\"", "legal_basis_en = \"x\"", 1),
        )
        .unwrap();
        for (lang, words) in [
            ("en", "over SSH the file would be the server's"),
            ("sv", "via SSH vore filen serverns"),
        ] {
            let (r, _) = exec(&format!(
                "association record F1 --lang {lang} --set {}",
                file.display()
            ));
            let err = r.unwrap_err();
            assert!(err.contains(words), "{err}");
        }
        assert!(
            s.processing_record(crate::domain::ids::AssociationId(1))
                .unwrap()
                .is_default
        );
    }
}
