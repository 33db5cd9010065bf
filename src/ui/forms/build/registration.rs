//! Registration in and out and corrections: the questionnaire as fields, and the filled form as the service's input.

use super::checks::date_check;
use crate::domain::ids::{ConsentId, InterventionId, ParticipationId};
use crate::domain::participation::Occasion;
use crate::domain::person::Gender;
use crate::domain::questionnaire::{AnswerValue, Answers, Catalogue, EndReason, QuestionKind};
use crate::service::{NewRegistration, RegisterInInput};
use crate::ui::forms::field::{Choice, Field};
use crate::ui::forms::form::{Form, Purpose};
use crate::ui::i18n::{Lang, sv, tr};
use chrono::NaiveDate;

/// The questionnaire's questions as fields, prefilled from `given`.
fn questions(
    catalogue: &Catalogue,
    on: NaiveDate,
    given: Option<&Answers>,
    lang: Lang,
) -> Vec<Field> {
    catalogue
        .questions_on(on)
        .into_iter()
        .map(|q| {
            let options: Vec<Choice> = q
                .options
                .iter()
                .map(|o| Choice::new(&o.key, o.label(sv(lang))))
                .collect();
            let label = if q.supplementary {
                format!(
                    "{} ({})",
                    q.label(sv(lang)),
                    tr(lang, "supplementary", "kompletterande")
                )
            } else {
                q.label(sv(lang)).to_owned()
            };
            let before = given.and_then(|a| a.values.get(&q.key));
            match q.kind {
                QuestionKind::Single => {
                    let chosen = match before {
                        Some(AnswerValue::One(k)) => options.iter().position(|o| &o.key == k),
                        _ => None,
                    };
                    Field::one(&q.key, &label, options, chosen).with_note(tr(
                        lang,
                        "←/→ or a digit chooses",
                        "←/→ eller en siffra väljer",
                    ))
                }
                QuestionKind::Multi => {
                    let chosen: Vec<String> = match before {
                        Some(AnswerValue::Many(k)) => k.clone(),
                        Some(AnswerValue::One(k)) => vec![k.clone()],
                        None => Vec::new(),
                    };
                    Field::many(&q.key, &label, options, &chosen, &q.exclusive).with_note(tr(
                        lang,
                        "←/→ move, space or a digit chooses; several allowed",
                        "←/→ flyttar, mellanslag eller siffra väljer; flera går",
                    ))
                }
            }
        })
        .collect()
}

fn answers_of(form: &Form, catalogue: &Catalogue, on: NaiveDate) -> Answers {
    let mut a = Answers::new(catalogue.version);
    for q in catalogue.questions_on(on) {
        let Some(f) = form.field(&q.key) else {
            continue;
        };
        match q.kind {
            QuestionKind::Single => {
                if let Some(k) = f.one_value() {
                    a.set(&q.key, AnswerValue::One(k.to_owned()));
                }
            }
            QuestionKind::Multi => {
                let keys = f.many_value();
                if !keys.is_empty() {
                    a.set(&q.key, AnswerValue::Many(keys));
                }
            }
        }
    }
    a
}

/// Registration in: date, gender and the questionnaire (situation before), on a recorded consent
/// (`Some`) or on the new one the form carries (`None`, saved together with the registration).
/// `from_pnr` is the gender the personnummer gives, shown on the default choice.
pub fn register_in(
    intervention: InterventionId,
    consent: Option<ConsentId>,
    catalogue: &Catalogue,
    from_pnr: Option<Gender>,
    today: NaiveDate,
    lang: Lang,
) -> Form {
    let from_pnr_label = match from_pnr {
        Some(Gender::Woman) => tr(
            lang,
            "From the personnummer: woman",
            "Enligt personnumret: kvinna",
        ),
        Some(Gender::Man) => tr(
            lang,
            "From the personnummer: man",
            "Enligt personnumret: man",
        ),
        None => tr(lang, "From the personnummer", "Enligt personnumret"),
    };
    let mut fields = vec![
        Field::text(
            "in_date",
            tr(lang, "Registered in on", "Inskriven datum"),
            &today.to_string(),
            Some(date_check(lang, "in-date")),
            true,
        ),
        Field::one(
            "gender",
            tr(lang, "Gender", "Kön"),
            vec![
                Choice::new("pnr", from_pnr_label),
                Choice::new("woman", tr(lang, "Woman", "Kvinna")),
                Choice::new("man", tr(lang, "Man", "Man")),
            ],
            Some(0),
        ),
    ];
    fields.extend(questions(catalogue, today, None, lang));
    Form::new(
        tr(lang, "Register in: situation before", "Inskrivning: situationen före").to_owned(),
        tr(lang, "Answer every question about the participant's situation now. Nothing is saved until you save.", "Besvara varje fråga om deltagarens situation nu. Inget sparas förrän du sparar.").to_owned(),
        Purpose::RegisterIn { intervention, consent },
        fields,
    )
}

/// The registration a filled registration-in form describes.
pub fn registration_input(form: &Form, catalogue: &Catalogue, today: NaiveDate) -> NewRegistration {
    NewRegistration {
        in_date: form.text("in_date"),
        gender: match form.one("gender") {
            Some("woman") => Some(Gender::Woman),
            Some("man") => Some(Gender::Man),
            _ => None,
        },
        answers: answers_of(form, catalogue, today),
    }
}

/// The same, on a recorded consent.
pub fn register_in_input(
    form: &Form,
    consent: ConsentId,
    catalogue: &Catalogue,
    today: NaiveDate,
) -> RegisterInInput {
    let r = registration_input(form, catalogue, today);
    RegisterInInput {
        consent,
        in_date: r.in_date,
        gender: r.gender,
        answers: r.answers,
    }
}

/// Registration out: the date, the end reason and the questionnaire again (the situation
/// after). After consent was withdrawn (`withdrawn`) no new answers may be recorded: the form
/// asks for the date and the end reason only.
pub fn register_out(
    intervention: InterventionId,
    participation: ParticipationId,
    catalogue: &Catalogue,
    before: &Answers,
    withdrawn: bool,
    today: NaiveDate,
    lang: Lang,
) -> Form {
    let reasons: Vec<Choice> = EndReason::ALL
        .into_iter()
        .filter(|r| !r.is_misregistration())
        .map(|r| Choice::new(r.key(), catalogue.end_reason_label(r, sv(lang))))
        .collect();
    let mut fields = vec![
        Field::text(
            "out_date",
            tr(lang, "Registered out on", "Utskriven datum"),
            &today.to_string(),
            Some(date_check(lang, "out-date")),
            true,
        ),
        Field::one(
            "end_reason",
            tr(lang, "End reason", "Avslutningsorsak"),
            reasons,
            None,
        ),
    ];
    let purpose = Purpose::RegisterOut {
        intervention,
        participation,
        answers: !withdrawn,
    };
    if withdrawn {
        return Form::new(
            tr(lang, "Register out: consent withdrawn", "Utskrivning: samtycket återkallat").to_owned(),
            tr(lang, "Consent was withdrawn, so no new answers are recorded: the date and the end reason are all that is saved.", "Samtycket är återkallat, så inga nya svar registreras: bara datum och avslutningsorsak sparas.").to_owned(),
            purpose,
            fields,
        );
    }
    fields.extend(questions(catalogue, today, Some(before), lang));
    Form::new(
        tr(lang, "Register out: situation after", "Utskrivning: situationen efter").to_owned(),
        tr(lang, "The answers start from those at registration in; change what is different now. The difference is the result.", "Svaren utgår från inskrivningens; ändra det som är annorlunda nu. Skillnaden är resultatet.").to_owned(),
        purpose,
        fields,
    )
}

pub fn register_out_input(
    form: &Form,
    catalogue: &Catalogue,
    today: NaiveDate,
) -> (String, Option<EndReason>, Answers) {
    (
        form.text("out_date"),
        form.one("end_reason").and_then(EndReason::from_key),
        answers_of(form, catalogue, today),
    )
}

/// Correction (rättelse) of one occasion's answers.
pub fn correct(
    intervention: InterventionId,
    participation: ParticipationId,
    occasion: Occasion,
    catalogue: &Catalogue,
    given: &Answers,
    on: NaiveDate,
    lang: Lang,
) -> Form {
    let title = match occasion {
        Occasion::In => tr(
            lang,
            "Correct the answers at registration in",
            "Rätta svaren vid inskrivningen",
        ),
        Occasion::Out => tr(
            lang,
            "Correct the answers at registration out",
            "Rätta svaren vid utskrivningen",
        ),
    };
    Form::new(
        title.to_owned(),
        tr(
            lang,
            "Change what was recorded wrongly. The correction is logged.",
            "Ändra det som blev fel. Rättelsen loggas.",
        )
        .to_owned(),
        Purpose::Correct {
            intervention,
            participation,
            occasion,
            on,
        },
        questions(catalogue, on, Some(given), lang),
    )
}

pub fn corrected_answers(form: &Form, catalogue: &Catalogue, on: NaiveDate) -> Answers {
    answers_of(form, catalogue, on)
}
