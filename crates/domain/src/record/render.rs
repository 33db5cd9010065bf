//! The record as a reader sees it, in the order of Art. 30(1): controller, purposes with their
//! legal bases, categories of people and data, recipients, transfers, retention, security —
//! then how it stands (the program's text or the association's own) and how it is changed.
//! Lists are one line per entry ("- …"); a section's lines are separated by `\n`.

use super::ProcessingRecord;
use crate::information::Section;
use crate::organisation::Association;

/// What the register applies besides the association's settings, for the retention section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionFacts {
    /// Days after which a retention run deletes a consent no registration uses.
    pub unused_consent_days: u32,
}

/// The title: the record and whose it is.
pub fn title(a: &Association, swedish: bool) -> String {
    if swedish {
        format!("Register över behandling (GDPR art. 30) – {}", a.name)
    } else {
        format!(
            "Record of processing activities (GDPR art. 30) – {}",
            a.name
        )
    }
}

fn or_missing(value: &str, swedish: bool) -> String {
    let v = value.trim();
    if !v.is_empty() {
        v.to_owned()
    } else if swedish {
        "(saknas: förbundets administratör fyller i den)".to_owned()
    } else {
        "(missing: the association's administrator fills it in)".to_owned()
    }
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|i| format!("- {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The record of `a` in one language. `is_default`: the association has not changed the
/// program's text.
pub fn sections(
    a: &Association,
    r: &ProcessingRecord,
    is_default: bool,
    facts: RetentionFacts,
    swedish: bool,
) -> Vec<Section> {
    let s = |sv: &str, en: &str, text: String| Section {
        heading: (if swedish { sv } else { en }).to_owned(),
        text,
    };
    let tr = |sv: &str, en: &str| (if swedish { sv } else { en }).to_owned();
    let texts = |v: &[super::Text]| list(v.iter().map(|t| t.get(swedish)));

    let controller = if swedish {
        format!(
            "{} ({}). Kontakt: {}. Dataskyddsombud: {}.",
            a.name,
            a.org_number,
            or_missing(&a.controller, true),
            or_missing(&a.dpo, true)
        )
    } else {
        format!(
            "{} ({}). Contact: {}. Data-protection officer: {}.",
            a.name,
            a.org_number,
            or_missing(&a.controller, false),
            or_missing(&a.dpo, false)
        )
    };

    let missing = r.missing_legal_bases();
    let mut purposes = Vec::new();
    if !missing.is_empty() {
        purposes.push(if swedish {
            format!(
                "Rättslig grund saknas för {} av {} ändamål: förbundet fyller i dem.",
                missing.len(),
                r.purposes.len()
            )
        } else {
            format!(
                "The legal basis is missing for {} of {} purposes: the association fills them in.",
                missing.len(),
                r.purposes.len()
            )
        });
    }
    for (n, p) in r.purposes.iter().enumerate() {
        let basis = p.legal_basis.get(swedish);
        let basis = if basis.is_empty() {
            tr(
                "(fylls i av förbundet)",
                "(to be filled in by the association)",
            )
        } else {
            basis.to_owned()
        };
        purposes.push(format!("{}. {}", n + 1, p.purpose.get(swedish)));
        purposes.push(format!(
            "   {}: {basis}",
            tr("Rättslig grund", "Legal basis")
        ));
    }

    let years = a.retention_years;
    let days = facts.unused_consent_days;
    let mut retention: Vec<String> = if swedish {
        vec![
            format!("Uppgifter som kan knytas till en deltagare: {years} år efter utskrivningen (förbundets inställning). Då blir deltagandet en anonym deltagare (kön, startår); svar och samtycke raderas, och personen när inget annat hänvisar till den. Gallringen körs av systemadministratören (insats retention)."),
            format!("Samtycken som ingen registrering använder: raderas {days} dagar efter att de registrerades."),
            "Felregistreringar raderas helt direkt. Vid skyddade personuppgifter raderas identitet och svar direkt och deltagandet blir anonymt.".to_owned(),
            "Loggen gallras inte av programmet (den ska sparas minst 5 år); den har pseudonymer, inga namn eller personnummer.".to_owned(),
        ]
    } else {
        vec![
            format!("Data that can be linked to a participant: {years} years after registration out (the association's setting). The participation then becomes an anonymous participant (gender, start year); answers and consent are deleted, and the person once nothing else refers to them. The system administrator runs the purge (insats retention)."),
            format!("Consents no registration uses: deleted {days} days after they were recorded."),
            "Misregistrations are erased completely at once. On protected identity the identity and answers are erased at once and the participation becomes anonymous.".to_owned(),
            "The program never purges the log (it is to be kept at least 5 years); it holds pseudonyms, no names or numbers.".to_owned(),
        ]
    };
    retention.extend(r.retention.iter().map(|t| t.get(swedish).to_owned()));

    let mut about = vec![if is_default {
        tr(
            "Detta är programmets text om registret; förbundet har inte ändrat den.",
            "This is the program's text about the register; the association has not changed it.",
        )
    } else {
        tr(
            "Förbundets egen förteckning.",
            "The association's own record.",
        )
    }];
    about.push(if swedish {
        format!(
            "Förbundets administratör ändrar den: insats association record {id} --export toml > förteckning.toml, redigera filen, insats association record {id} --set förteckning.toml.",
            id = a.id
        )
    } else {
        format!(
            "The association's administrator changes it: insats association record {id} --export toml > record.toml, edit the file, insats association record {id} --set record.toml.",
            id = a.id
        )
    });

    vec![
        s("Personuppgiftsansvarig", "Controller", controller),
        s(
            "Ändamål och rättslig grund",
            "Purposes and legal bases",
            purposes.join("\n"),
        ),
        s(
            "Kategorier av registrerade",
            "Categories of data subjects",
            texts(&r.people),
        ),
        s(
            "Kategorier av personuppgifter",
            "Categories of personal data",
            texts(&r.data),
        ),
        s("Mottagare", "Recipients", texts(&r.recipients)),
        s(
            "Överföring till tredje land",
            "Transfers to third countries",
            r.transfers.get(swedish).to_owned(),
        ),
        s(
            "Lagringstid och gallring",
            "Retention",
            list(retention.iter().map(String::as_str)),
        ),
        s("Säkerhetsåtgärder", "Security measures", texts(&r.security)),
        s("Om förteckningen", "About this record", about.join("\n")),
    ]
}
