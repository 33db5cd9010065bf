//! The register extract (registerutdrag) as plain text: everything held on a person, and who
//! viewed or changed it.

use super::t;
use crate::cli::CliError;
use crate::cli::admin::io;
use crate::domain::consent::Signer;
use crate::domain::questionnaire::{AnswerValue, Answers, Catalogue};
use crate::service::{Extract, Lang};
use std::io::Write;

fn time(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms).map_or_else(String::new, |t| {
        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    })
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "-".into(), |d| d.to_string())
}

pub(super) fn print_extract(
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
