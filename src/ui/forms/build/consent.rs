//! The consent form (9443) with the person's identity.

use super::checks::date_check;
use crate::domain::consent::Signer;
use crate::domain::ids::InterventionId;
use crate::domain::person::{MAX_NAME_CHARS, MunicipalityCode, clean_text};
use crate::domain::personnummer::Personnummer;
use crate::service::{ConsentInput, IdentityInput, ServiceError};
use crate::ui::forms::field::{Check, Choice, Field};
use crate::ui::forms::form::{Form, Purpose};
use crate::ui::i18n::{Lang, tr};
use chrono::NaiveDate;

/// Form 9443 and the person's identity. "Received by" starts as the signed-in user
/// (`received_by`), who usually did receive it.
pub fn consent(
    intervention: InterventionId,
    name: &str,
    received_by: &str,
    today: NaiveDate,
    lang: Lang,
) -> Form {
    let pnr_check: Check = Box::new(move |t| {
        Personnummer::parse(t, today)
            .map(|_| ())
            .map_err(|e| ServiceError::from(e).message(lang))
    });
    let name_check: Check = Box::new(move |t| {
        clean_text(t, MAX_NAME_CHARS)
            .map(|_| ())
            .map_err(|e| ServiceError::text("name")(e).message(lang))
    });
    let municipality_check: Check = Box::new(move |t| {
        MunicipalityCode::parse(t)
            .map(|_| ())
            .map_err(|e| ServiceError::text("municipality")(e).message(lang))
    });
    let fields = vec![
        Field::text(
            "pnr",
            tr(
                lang,
                "Personnummer or samordningsnummer",
                "Personnummer eller samordningsnummer",
            ),
            "",
            Some(pnr_check),
            true,
        )
        .personal()
        .with_note(tr(
            lang,
            "YYYYMMDD-NNNN or YYMMDD-NNNN",
            "ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN",
        )),
        Field::text("name", tr(lang, "Name", "Namn"), "", Some(name_check), true).personal(),
        Field::text(
            "municipality",
            tr(lang, "Home municipality (code)", "Hemkommun (kod)"),
            "",
            Some(municipality_check),
            true,
        )
        .with_note(tr(
            lang,
            "Four digits, e.g. 0180",
            "Fyra siffror, t.ex. 0180",
        )),
        Field::text(
            "signed_on",
            tr(lang, "Form 9443 signed on", "Blankett 9443 undertecknad"),
            &today.to_string(),
            Some(date_check(lang, "signed on")),
            true,
        ),
        Field::one(
            "signed_by",
            tr(lang, "Signed by", "Undertecknad av"),
            vec![
                Choice::new("participant", tr(lang, "The participant", "Deltagaren")),
                Choice::new("guardian", tr(lang, "A guardian", "Vårdnadshavare")),
            ],
            Some(0),
        )
        .with_note(tr(
            lang,
            "Under 15 a guardian signs; 15–17 only when judged mature themselves",
            "Under 15 år skriver vårdnadshavare under; 15–17 år själv bara om mogen",
        )),
        Field::yes(
            "judged_mature",
            tr(
                lang,
                "15–17: judged mature to consent",
                "15–17 år: bedömd mogen att samtycka",
            ),
            false,
        ),
        Field::text(
            "received_by",
            tr(lang, "Received by (staff)", "Mottagen av (personal)"),
            received_by,
            None,
            true,
        ),
        Field::text(
            "sent_on",
            tr(
                lang,
                "Original sent to Försäkringskassan on",
                "Original skickat till Försäkringskassan",
            ),
            "",
            Some(date_check(lang, "original sent on")),
            false,
        )
        .with_note(tr(
            lang,
            "Leave empty if not sent yet",
            "Lämna tomt om det inte skickats än",
        )),
    ];
    Form::new(
        format!("{} · {name}", tr(lang, "New participant: consent", "Ny deltagare: samtycke")),
        tr(lang, "Written consent on form 9443 is required for every new registration. Registration in follows.", "Skriftligt samtycke på blankett 9443 krävs för varje ny registrering. Inskrivningen följer sedan.").to_owned(),
        Purpose::Consent { intervention },
        fields,
    )
}

pub fn consent_inputs(form: &Form) -> (IdentityInput, ConsentInput) {
    (
        IdentityInput {
            pnr: form.text("pnr"),
            name: form.text("name"),
            municipality: form.text("municipality"),
        },
        ConsentInput {
            signed_on: form.text("signed_on"),
            signed_by: if form.one("signed_by") == Some("guardian") {
                Signer::Guardian
            } else {
                Signer::Participant
            },
            received_by: form.text("received_by"),
            original_sent_on: form.text("sent_on"),
            judged_mature: form.yes("judged_mature"),
        },
    )
}
