//! Data-subject requests, retention and reveals behind `insats extract`, `correct-identity`,
//! `retention` and `reveal`. The rules and the audit entries are in the service; this file only
//! parses arguments and prints.

use super::CliError;
use super::admin::io;
use crate::domain::ids::Pseudonym;
use crate::domain::ids::Subject;
use crate::service::{Lang, RetentionReport, Session};
use clap::Args;
use std::io::Write;

mod extract;

use extract::print_extract;

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
    /// Purge participations registered out more than this many years ago, in every association
    /// [default: each association's own retention setting, as its processing record and its
    /// participants' information state it]
    #[arg(long)]
    pub years: Option<u32>,
    /// Delete consents no registration uses this many days after they were recorded
    #[arg(long, default_value_t = crate::service::UNUSED_CONSENT_DAYS, value_name = "DAYS")]
    pub unused_consent_days: u32,
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
    let report = s.retention_with(a.years, a.unused_consent_days, a.apply)?;
    print_retention(&report, l, out)
}

fn print_retention(r: &RetentionReport, l: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "{}",
        match (r.applied, r.years.is_some()) {
            (true, false) => t(
                l,
                "Gallrat: deltaganden utskrivna före varje förbunds gräns",
                "Purged: participations registered out before each association's limit",
            ),
            (true, true) => t(
                l,
                "Gallrat: deltaganden utskrivna före gränsen som angavs",
                "Purged: participations registered out before the limit given",
            ),
            (false, false) => t(
                l,
                "Provkörning, inget ändrat: deltaganden utskrivna före varje förbunds gräns",
                "Dry run, nothing changed: participations registered out before each association's limit",
            ),
            (false, true) => t(
                l,
                "Provkörning, inget ändrat: deltaganden utskrivna före gränsen som angavs",
                "Dry run, nothing changed: participations registered out before the limit given",
            ),
        }
    )
    .map_err(io)?;
    for rule in &r.rules {
        writeln!(
            out,
            "  {:<5} {:<32} {} ({} {})",
            rule.association.to_string(),
            rule.name,
            rule.cutoff,
            rule.years,
            t(l, "år", "years"),
        )
        .map_err(io)?;
    }
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
    let u = &r.unused_consents;
    writeln!(
        out,
        "{} {} ({} {})",
        t(
            l,
            "Oanvända samtycken registrerade senast",
            "Unused consents recorded on or before"
        ),
        u.cutoff,
        u.days,
        t(l, "dagar", "days"),
    )
    .map_err(io)?;
    for c in &u.interventions {
        writeln!(
            out,
            "  {:<5} {:<32} {:>8}",
            c.intervention.to_string(),
            c.name,
            c.consents
        )
        .map_err(io)?;
    }
    writeln!(out, "  {:<38} {:>8}", t(l, "totalt", "total"), u.total()).map_err(io)?;
    if r.applied {
        writeln!(
            out,
            "{} {}",
            t(l, "personer borttagna:", "persons deleted:"),
            r.persons_deleted + u.persons_deleted
        )
        .map_err(io)?;
    } else if r.total() + u.total() > 0 {
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
