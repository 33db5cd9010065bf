//! Data-subject requests, retention and reveals behind `insats extract`, `correct-identity`,
//! `retention` and `reveal`. The rules and the audit entries are in the service; this file only
//! parses arguments and prints.

use super::CliError;
use super::admin::io;
use crate::domain::consent::Signer;
use crate::domain::ids::Pseudonym;
use crate::domain::ids::Subject;
use crate::domain::questionnaire::{AnswerValue, Answers, Catalogue};
use crate::service::{Extract, Lang, RetentionReport, Session};
use clap::Args;
use std::io::Write;

const REASON_HELP: &str = "Why: e.g. the request's date and case number. Kept in the audit log for good, so never a name or a personnummer (those are refused)";

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The person's personnummer or samordningsnummer
    pub pnr: String,
    #[arg(long, help = REASON_HELP)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct CorrectIdentityArgs {
    /// The person's personnummer or samordningsnummer
    pub pnr: String,
    /// The correct name
    #[arg(long)]
    pub name: Option<String>,
    /// The correct home municipality code, e.g. 0180
    #[arg(long)]
    pub municipality: Option<String>,
    #[arg(long, help = REASON_HELP)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// Purge participations registered out more than this many years ago
    #[arg(long, default_value_t = 5)]
    pub years: u32,
    /// Purge for real (without it: a dry run that only counts)
    #[arg(long)]
    pub apply: bool,
}

#[derive(Debug, Args)]
pub struct RevealArgs {
    /// The pseudonym as the audit log shows it (ps-…)
    pub pseudonym: String,
    #[arg(long, help = REASON_HELP)]
    pub reason: String,
}

/// Picks the Swedish or the English text.
fn t(l: Lang, sv: &'static str, en: &'static str) -> &'static str {
    if l == Lang::Sv { sv } else { en }
}

fn time(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms).map_or_else(String::new, |t| {
        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    })
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "-".into(), |d| d.to_string())
}

/// `extract …` for a signed-in system administrator; its lines go to `out`.
pub(super) fn extract_in(
    s: &Session,
    a: &ExtractArgs,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let x = s.extract(&a.pnr, &a.reason)?;
    print_extract(&x, s.service().clock().today(), l, out)
}

fn print_extract(
    x: &Extract,
    today: chrono::NaiveDate,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let sv = l == Lang::Sv;
    writeln!(
        out,
        "{} {today}",
        t(
            l,
            "REGISTERUTDRAG, insats —",
            "DATA-SUBJECT EXTRACT, insats —"
        )
    )
    .map_err(io)?;
    let Some(id) = &x.identity else {
        writeln!(
            out,
            "{}",
            t(
                l,
                "Registret innehåller inga uppgifter om personnumret.",
                "The register holds no data on this personnummer."
            )
        )
        .map_err(io)?;
        return Ok(());
    };
    writeln!(
        out,
        "{:<24}{}",
        t(l, "Personnummer:", "Personnummer:"),
        id.pnr.formatted()
    )
    .map_err(io)?;
    writeln!(out, "{:<24}{}", t(l, "Namn:", "Name:"), id.name).map_err(io)?;
    writeln!(
        out,
        "{:<24}{}",
        t(l, "Folkbokföringskommun:", "Municipality:"),
        id.municipality
    )
    .map_err(io)?;
    writeln!(
        out,
        "{:<24}{}",
        t(l, "Samtycke återkallat:", "Consent withdrawn:"),
        opt_date(x.withdrawn_on)
    )
    .map_err(io)?;
    if let Some(p) = x.pseudonym {
        writeln!(
            out,
            "{:<24}{p}",
            t(l, "Pseudonym i loggen:", "Pseudonym in the log:")
        )
        .map_err(io)?;
    }
    writeln!(
        out,
        "\n{} ({})",
        t(l, "Deltaganden", "Participations"),
        x.participations.len()
    )
    .map_err(io)?;
    let empty = Catalogue::empty();
    for e in &x.participations {
        let p = &e.participation;
        let cat = x.catalogues.get(&e.association).unwrap_or(&empty);
        writeln!(
            out,
            "  {} {} {}: {} {} – {}{}",
            p.id,
            p.intervention,
            e.intervention_name,
            p.state().label(sv),
            p.in_date,
            opt_date(p.out_date),
            p.end_reason.map_or_else(String::new, |r| format!(
                ", {} {}",
                t(l, "avslutningsanledning:", "end reason:"),
                cat.end_reason_label(r, sv)
            )),
        )
        .map_err(io)?;
        writeln!(
            out,
            "    {} {}",
            t(l, "pseudonym", "pseudonym"),
            p.pseudonym
        )
        .map_err(io)?;
        if p.consent_withdrawn {
            writeln!(
                out,
                "    {}",
                t(l, "samtycket återkallat", "consent withdrawn")
            )
            .map_err(io)?;
        }
        print_answers(
            t(l, "Före (vid inskrivning)", "Before (at registration in)"),
            &p.answers_in,
            cat,
            sv,
            out,
        )?;
        if let Some(answers) = &p.answers_out {
            print_answers(
                t(l, "Efter (vid utskrivning)", "After (at registration out)"),
                answers,
                cat,
                sv,
                out,
            )?;
        }
    }
    writeln!(
        out,
        "\n{} ({})",
        t(l, "Samtycken (blankett 9443)", "Consents (form 9443)"),
        x.consents.len()
    )
    .map_err(io)?;
    for e in &x.consents {
        let c = &e.consent;
        let ev = &c.evidence;
        let by = match ev.signed_by {
            Signer::Participant => t(l, "deltagaren", "the participant"),
            Signer::Guardian => t(l, "vårdnadshavare", "a guardian"),
        };
        writeln!(
            out,
            "  {} {} {}: {} {} {} {by}, {} {}, {} {}, {} {}, {} {}",
            c.id,
            c.intervention,
            e.intervention_name,
            t(l, "undertecknat", "signed"),
            ev.signed_on,
            t(l, "av", "by"),
            t(l, "mottaget av", "received by"),
            ev.received_by,
            t(l, "original skickat", "original sent"),
            opt_date(ev.original_sent_on),
            t(l, "registrerat", "recorded"),
            c.recorded_on,
            t(l, "används av", "used by"),
            c.used_by.map_or_else(|| "-".into(), |p| p.to_string()),
        )
        .map_err(io)?;
    }
    writeln!(
        out,
        "\n{} ({})",
        t(
            l,
            "Vem har sett eller ändrat uppgifterna",
            "Who viewed or changed the data"
        ),
        x.history.len()
    )
    .map_err(io)?;
    for e in &x.history {
        let user = match (&e.username, &e.user_display_name) {
            (Some(u), Some(d)) => format!("{u} ({d})"),
            (Some(u), None) => u.clone(),
            _ => "-".into(),
        };
        writeln!(
            out,
            "  {}  {user}  {}  {}  {}  {}",
            time(e.at_ms),
            e.role.map_or("-", |r| r.label(sv)),
            e.action.key(),
            e.intervention.map_or_else(|| "-".into(), |i| i.to_string()),
            e.fields.join(","),
        )
        .map_err(io)?;
    }
    Ok(())
}

fn print_answers(
    title: &str,
    answers: &Answers,
    cat: &Catalogue,
    sv: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    writeln!(out, "    {title}:").map_err(io)?;
    // In the catalogue's display order; questions it no longer has go last, by key.
    let mut values: Vec<_> = answers.values.iter().collect();
    values.sort_by_key(|(key, _)| (cat.question(key).map_or(u32::MAX, |q| q.order), *key));
    for (key, value) in values {
        let question = cat.question(key).map_or(key.as_str(), |q| q.label(sv));
        let label = |o: &String| cat.option_label(key, o, sv).unwrap_or(o).to_owned();
        let text = match value {
            AnswerValue::One(o) => label(o),
            AnswerValue::Many(os) => os.iter().map(label).collect::<Vec<_>>().join(", "),
        };
        writeln!(out, "      {question}: {text}").map_err(io)?;
    }
    Ok(())
}

/// `correct-identity …` for a signed-in system administrator; its line goes to `out`.
pub(super) fn correct_identity_in(
    s: &Session,
    a: &CorrectIdentityArgs,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let fields = s.correct_identity(
        &a.pnr,
        a.name.as_deref(),
        a.municipality.as_deref(),
        &a.reason,
    )?;
    if fields.is_empty() {
        writeln!(
            out,
            "{}",
            t(
                l,
                "inget ändrat: uppgifterna stämde redan",
                "nothing changed: the data was already right"
            )
        )
        .map_err(io)?;
    } else {
        writeln!(
            out,
            "{} {}",
            t(l, "rättat:", "corrected:"),
            fields.join(", ")
        )
        .map_err(io)?;
    }
    Ok(())
}

/// `retention …` for a signed-in system administrator; its lines go to `out`.
pub(super) fn retention_in(
    s: &Session,
    a: &RetentionArgs,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let report = s.retention(a.years, a.apply)?;
    print_retention(&report, l, out)
}

fn print_retention(r: &RetentionReport, l: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "{} {} ({} {})",
        if r.applied {
            t(
                l,
                "Gallrat: deltaganden utskrivna före",
                "Purged: participations registered out before",
            )
        } else {
            t(
                l,
                "Provkörning, inget ändrat: deltaganden utskrivna före",
                "Dry run, nothing changed: participations registered out before",
            )
        },
        r.cutoff,
        r.years,
        t(l, "år", "years"),
    )
    .map_err(io)?;
    for c in &r.interventions {
        writeln!(
            out,
            "  {:<5} {:<32} {:>8}",
            c.intervention.to_string(),
            c.name,
            c.participations
        )
        .map_err(io)?;
    }
    writeln!(out, "  {:<38} {:>8}", t(l, "totalt", "total"), r.total()).map_err(io)?;
    if r.applied {
        writeln!(
            out,
            "{} {}",
            t(l, "personer borttagna:", "persons deleted:"),
            r.persons_deleted
        )
        .map_err(io)?;
    } else if r.total() > 0 {
        writeln!(
            out,
            "{}",
            t(
                l,
                "Kör igen med --apply för att gallra.",
                "Run again with --apply to purge."
            )
        )
        .map_err(io)?;
    }
    Ok(())
}

/// `reveal …` for a signed-in log reviewer; its lines go to `out`.
pub(super) fn reveal_in(
    s: &Session,
    a: &RevealArgs,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let pseudonym = Pseudonym::parse(&a.pseudonym).ok_or_else(|| {
        CliError::Usage(
            t(
                l,
                "en pseudonym skrivs ps- och 13 tecken, som i granskningsloggen",
                "a pseudonym is ps- and 13 characters, as the audit log shows it",
            )
            .into(),
        )
    })?;
    let r = s.reveal(pseudonym, &a.reason)?;
    let what = match r.subject {
        Subject::Person(_) => t(l, "personen", "the person").to_owned(),
        Subject::Participation(p) => format!("{} {p}", t(l, "deltagande", "participation")),
        Subject::Consent(c) => format!("{} {c}", t(l, "samtycke", "consent")),
    };
    writeln!(out, "{} → {what}", r.pseudonym).map_err(io)?;
    writeln!(
        out,
        "{:<14}{}",
        t(l, "Personnummer:", "Personnummer:"),
        r.pnr.formatted()
    )
    .map_err(io)?;
    writeln!(out, "{:<14}{}", t(l, "Namn:", "Name:"), r.name).map_err(io)?;
    writeln!(
        out,
        "{:<14}{}",
        t(l, "Pseudonym:", "Pseudonym:"),
        r.person_pseudonym
    )
    .map_err(io)?;
    Ok(())
}
