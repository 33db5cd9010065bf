//! The processing record's promises: the default tells the truth about this register in both
//! languages, empty legal bases are flagged, the TOML file goes there and back, and a bad file
//! is refused naming its line and key without repeating its text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::information::{Section, render};
use crate::organisation::{Association, OrgNumber};

fn association() -> Association {
    Association {
        id: crate::ids::AssociationId(1),
        name: "Samordningsförbundet Norrvik".into(),
        org_number: OrgNumber::parse("222000-1230").unwrap_or_else(|_| unreachable!()),
        description: String::new(),
        municipalities: Vec::new(),
        start: chrono::NaiveDate::default(),
        end: None,
        supplementary: Vec::new(),
        focus_options: Vec::new(),
        controller: "forbundet@norrvik.example".into(),
        dpo: String::new(),
        retention_years: 7,
        small_cell_threshold: 3,
    }
}

const FACTS: RetentionFacts = RetentionFacts {
    unused_consent_days: 30,
};

fn as_text(r: &ProcessingRecord, swedish: bool) -> String {
    let a = association();
    render(&title(&a, swedish), &sections(&a, r, true, FACTS, swedish))
}

fn section<'a>(s: &'a [Section], heading: &str) -> &'a str {
    s.iter()
        .find(|x| x.heading == heading)
        .map_or_else(|| panic!("no section {heading}"), |x| x.text.as_str())
}

#[test]
fn the_default_describes_this_register_truthfully_in_both_languages() {
    let r = ProcessingRecord::default_for_this_register();
    // It is a valid record as it stands, every text in both languages.
    assert_eq!(r.checked().as_ref(), Ok(&r));
    let all = r
        .purposes
        .iter()
        .map(|p| &p.purpose)
        .chain(&r.people)
        .chain(&r.data)
        .chain(&r.recipients)
        .chain(&r.security)
        .chain(std::iter::once(&r.transfers));
    for t in all {
        assert!(!t.sv.is_empty() && !t.en.is_empty(), "{t:?}");
    }
    let a = association();
    let en = sections(&a, &r, true, FACTS, false);
    // What the register really records, protects and gives.
    for (heading, words) in [
        (
            "Categories of data subjects",
            &["form 9443", "Anonymous participants", "Staff"][..],
        ),
        (
            "Categories of personal data",
            &[
                "personal identity or coordination number",
                "municipality of residence (encrypted)",
                "pseudonym (never a name or number)",
                "argon2",
                "supplementary questions",
            ][..],
        ),
        (
            "Security measures",
            &[
                "ChaCha20-Poly1305",
                "HMAC-SHA256",
                "insats audit checkpoint",
                "keys only, no passwords",
                "0600",
                "unlock code",
                "free pages",
            ][..],
        ),
        ("Recipients", &["No recipient outside the association"][..]),
        ("Transfers to third countries", &["None."][..]),
        // Retention from the association's settings and the program's rules.
        (
            "Retention",
            &[
                "7 years after registration out",
                "30 days",
                "never purges the log",
            ][..],
        ),
        (
            "Controller",
            &[
                "Samordningsförbundet Norrvik (222000-1230)",
                "forbundet@norrvik.example",
                "Data-protection officer: (missing",
            ][..],
        ),
        (
            "About this record",
            &["has not changed it", "--set record.toml"][..],
        ),
    ] {
        let text = section(&en, heading);
        for w in words {
            assert!(text.contains(w), "{heading}: {w}: {text}");
        }
    }
    let sv = as_text(&r, true);
    for w in [
        "Register över behandling",
        "Ändamål och rättslig grund",
        "blankett 9443",
        "7 år efter utskrivningen",
        "Inga. Programmet skickar inga uppgifter",
    ] {
        assert!(sv.contains(w), "{w}: {sv}");
    }
}

#[test]
fn empty_legal_bases_are_flagged_as_the_associations_to_fill_in() {
    let mut r = ProcessingRecord::default_for_this_register();
    let n = r.purposes.len();
    assert_eq!(r.missing_legal_bases(), (1..=n).collect::<Vec<_>>());
    assert_eq!(r.follow_up_legal_basis(true), None);
    let en = as_text(&r, false);
    assert_eq!(
        en.matches("Legal basis: (to be filled in by the association)")
            .count(),
        n,
        "{en}"
    );
    assert!(en.contains(&format!(
        "The legal basis is missing for {n} of {n} purposes"
    )));
    let sv = as_text(&r, true);
    assert_eq!(sv.matches("(fylls i av förbundet)").count(), n, "{sv}");

    // One filled in, in Swedish only: shown in English too, and no longer flagged.
    r.purposes[0].legal_basis = Text::new("Samtycke, art. 6.1 a och 9.2 a", "");
    assert_eq!(r.missing_legal_bases(), (2..=n).collect::<Vec<_>>());
    assert_eq!(
        r.follow_up_legal_basis(false),
        Some("Samtycke, art. 6.1 a och 9.2 a")
    );
    let en = as_text(&r, false);
    assert!(en.contains("Legal basis: Samtycke, art. 6.1 a"), "{en}");
    assert_eq!(
        en.matches("(to be filled in by the association)").count(),
        n - 1
    );
    // All filled in: no flag at all.
    for p in &mut r.purposes {
        p.legal_basis = Text::new("Allmänt intresse", "Public interest");
    }
    assert!(r.missing_legal_bases().is_empty());
    let en = as_text(&r, false);
    assert!(
        !en.contains("to be filled in") && !en.contains("is missing"),
        "{en}"
    );
}

#[test]
fn the_record_goes_through_a_toml_file_and_back_unchanged() {
    let mut r = ProcessingRecord::default_for_this_register();
    r.purposes[1].legal_basis = Text::new("Art. 32 \"säkerhet\"", "Art. 32 security");
    r.retention
        .push(Text::new("Pappersblanketter: 2 år", "Paper forms: 2 years"));
    let file = to_toml(&r);
    assert!(
        file.starts_with("# The record of processing activities"),
        "{file}"
    );
    assert!(
        file.contains("[[purpose]]") && file.contains("legal_basis_sv"),
        "{file}"
    );
    assert_eq!(from_toml(&file), Ok(r.clone()));
    // Without retention notes the file has none, and still reads back.
    let plain = ProcessingRecord::default_for_this_register();
    assert_eq!(from_toml(&to_toml(&plain)), Ok(plain));
}

#[test]
fn a_bad_record_file_names_the_line_and_field_but_never_its_text() {
    let good = to_toml(&ProcessingRecord::default_for_this_register());
    // An unknown key.
    let bad = good.replacen("\nlegal_basis_sv =", "\nlegal_basis_se =", 1);
    let err = from_toml(&bad).unwrap_err();
    let line = bad
        .lines()
        .position(|l| l.starts_with("legal_basis_se"))
        .unwrap_or_else(|| unreachable!())
        + 1;
    // The misspelt key is not repeated (it could be anything): the table it is in is named.
    assert_eq!(
        err,
        RecordError::Toml {
            line,
            key: Some("purpose".into()),
            problem: TomlProblem::UnknownKey
        }
    );
    assert!(err.to_string().contains(&format!("line {line} (purpose)")));
    assert!(err.message_sv().contains(&format!("rad {line} (purpose)")));
    let err = from_toml("[[people]]\n19811218-9876 = \"x\"\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 2 (people): not a valid record (a key the record does not have)"
    );
    // A number where a text belongs: the table and key are named.
    let err = from_toml("[transfers]\nsv = 12\n").unwrap_err();
    assert_eq!(
        err,
        RecordError::Toml {
            line: 2,
            key: Some("transfers.sv".into()),
            problem: TomlProblem::WrongKind
        }
    );
    // Not TOML: the text on the line is not repeated.
    let err = from_toml("[[people]]\nsv = \"19811218-9876 Anna\n").unwrap_err();
    assert!(
        matches!(
            err,
            RecordError::Toml {
                problem: TomlProblem::Syntax,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("Anna") && !err.message_sv().contains("9876"));
    // A purpose with no text in either language.
    let mut r = ProcessingRecord::default_for_this_register();
    r.purposes[1].purpose = Text::new(" ", "");
    let err = r.checked().unwrap_err();
    assert_eq!(
        err,
        RecordError::Empty {
            field: "purpose 2".into()
        }
    );
    assert!(err.message_sv().starts_with("purpose 2: tom"));
    // A section left out.
    let mut r = ProcessingRecord::default_for_this_register();
    r.security.clear();
    assert_eq!(
        r.checked(),
        Err(RecordError::NoEntries {
            section: "security"
        })
    );
    // A line break inside a text, and one too long.
    let mut r = ProcessingRecord::default_for_this_register();
    r.data[0].en = "two\nlines".into();
    assert_eq!(
        r.checked(),
        Err(RecordError::Text {
            field: "data 1.en".into(),
            error: crate::person::TextError::ControlCharacter
        })
    );
    r.data[0].en = "x".repeat(MAX_TEXT + 1);
    assert!(matches!(
        r.checked(),
        Err(RecordError::Text {
            error: crate::person::TextError::TooLong { .. },
            ..
        })
    ));
}

#[test]
fn the_changed_sections_are_named_by_their_keys() {
    let before = ProcessingRecord::default_for_this_register();
    let mut after = before.clone();
    assert!(after.changed_sections(&before).is_empty());
    after.purposes[0].legal_basis = Text::new("Samtycke", "Consent");
    after.recipients.push(Text::new("Styrelsen", "The board"));
    assert_eq!(
        after.changed_sections(&before),
        vec!["legal_basis", "recipients"]
    );
}
