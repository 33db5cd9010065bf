//! A log reviewer's verdict on a finding or sampled entry: the verdict and a comment.

use crate::domain::ids::ReviewItemId;
use crate::domain::review::VerdictKind;
use crate::ui::forms::field::{Choice, Field};
use crate::ui::forms::form::{Form, Purpose};
use crate::ui::i18n::{Lang, sv, tr};

/// The verdict form for `item` (`what`: the item in words, for the intro).
pub fn verdict(item: ReviewItemId, what: &str, lang: Lang) -> Form {
    let options = VerdictKind::ALL
        .iter()
        .map(|v| Choice::new(v.key(), v.label(sv(lang))))
        .collect();
    let fields = vec![
        Field::one("verdict", tr(lang, "Verdict", "Bedömning"), options, None),
        Field::text("comment", tr(lang, "Comment", "Kommentar"), "", None, false).with_note(tr(
            lang,
            "Why: the task, a case number. No names or personnummer: the record is kept for years.",
            "Varför: uppdraget, ett diarienummer. Inga namn eller personnummer: protokollet sparas i flera år.",
        )),
    ];
    let intro = match lang {
        Lang::En => format!(
            "{item}: {what}. \"Needs follow-up\" keeps it open until a later verdict closes it; every verdict is kept and logged."
        ),
        Lang::Sv => format!(
            "{item}: {what}. \"Kräver uppföljning\" håller den öppen tills en senare bedömning stänger den; varje bedömning sparas och loggas."
        ),
    };
    Form::new(
        tr(lang, "Judge the finding", "Bedöm fyndet").to_owned(),
        intro,
        Purpose::Verdict { item },
        fields,
    )
}

/// The chosen verdict and the comment.
pub fn verdict_input(form: &Form) -> (Option<VerdictKind>, String) {
    (
        form.one("verdict").and_then(|k| VerdictKind::parse(k).ok()),
        form.text("comment"),
    )
}
