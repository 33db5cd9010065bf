//! The questionnaire's promises: the default catalogue as specified, the catalogue's rules,
//! answer checking, comparison, serde round trips, and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use super::load::DEFAULT_TOML;
use super::*;
use chrono::NaiveDate;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn today() -> NaiveDate {
    date(2026, 3, 1)
}

fn one(option: &str) -> AnswerValue {
    AnswerValue::One(option.to_owned())
}

fn many(options: &[&str]) -> AnswerValue {
    AnswerValue::Many(options.iter().map(|o| (*o).to_owned()).collect())
}

fn full_answers() -> Answers {
    let mut answers = Answers::new(1);
    answers.set("occupation", one("job_seeking"));
    answers.set(
        "income_sources",
        many(&["social_assistance", "activity_grant"]),
    );
    answers.set("education", one("upper_secondary"));
    answers.set("public_support_time", one("years_3_5"));
    answers.set("activity_ability", one("partial"));
    answers
}

/// The `[[end_reasons]]` part of the default catalogue, to complete small fixtures.
fn end_reasons_toml() -> &'static str {
    &DEFAULT_TOML[DEFAULT_TOML.find("[[end_reasons]]").unwrap()..]
}

fn fixture(questions: &str) -> String {
    format!("version = 3\n{questions}\n{}", end_reasons_toml())
}

fn supplementary(key: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Question {
    Question {
        key: key.to_owned(),
        label_sv: "Har du körkort?".to_owned(),
        label_en: "Do you have a driving licence?".to_owned(),
        kind: QuestionKind::Single,
        options: vec![
            Choice {
                key: "yes".to_owned(),
                label_sv: "Ja".to_owned(),
                label_en: "Yes".to_owned(),
            },
            Choice {
                key: "no".to_owned(),
                label_sv: "Nej".to_owned(),
                label_en: "No".to_owned(),
            },
        ],
        exclusive: Vec::new(),
        order: 15,
        supplementary: false,
        valid_from: from,
        valid_to: to,
    }
}

#[test]
fn default_catalogue_parses_with_five_questions_and_ten_end_reasons() {
    let catalogue = Catalogue::load_default().expect("the embedded default catalogue is valid");
    assert_eq!(catalogue, Catalogue::default_catalogue());
    assert_eq!(catalogue.version, 1);
    let keys: Vec<&str> = catalogue
        .questions_on(today())
        .iter()
        .map(|q| q.key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "occupation",
            "income_sources",
            "education",
            "public_support_time",
            "activity_ability"
        ]
    );
    assert_eq!(catalogue.end_reasons.len(), 10);
    for question in &catalogue.questions {
        assert!(!question.supplementary);
        assert!(question.valid_from.is_none() && question.valid_to.is_none());
        assert!(!question.label_sv.is_empty() && !question.label_en.is_empty());
        for option in &question.options {
            assert!(!option.label_sv.is_empty() && !option.label_en.is_empty());
        }
    }
}

#[test]
fn default_catalogue_has_the_specified_options_and_swedish_labels() {
    let catalogue = Catalogue::default_catalogue();
    let counts: Vec<(&str, QuestionKind, usize)> = catalogue
        .questions
        .iter()
        .map(|q| (q.key.as_str(), q.kind, q.options.len()))
        .collect();
    assert_eq!(
        counts,
        [
            ("occupation", QuestionKind::Single, 4),
            ("income_sources", QuestionKind::Multi, 9),
            ("education", QuestionKind::Single, 5),
            ("public_support_time", QuestionKind::Single, 5),
            ("activity_ability", QuestionKind::Single, 5),
        ]
    );
    assert_eq!(
        catalogue.question("income_sources").unwrap().exclusive,
        ["none"]
    );
    assert_eq!(
        catalogue.question("occupation").unwrap().label(true),
        "Sysselsättning"
    );
    assert_eq!(
        catalogue.question("income_sources").unwrap().label(true),
        "Försörjningskällor"
    );
    assert_eq!(
        catalogue.option_label("occupation", "employed", true),
        Some("Förvärvsarbete")
    );
    assert_eq!(
        catalogue.option_label("occupation", "other", true),
        Some("Övrigt")
    );
    assert_eq!(
        catalogue.option_label("income_sources", "social_assistance", true),
        Some("Ekonomiskt bistånd")
    );
    assert_eq!(
        catalogue.option_label("activity_ability", "low", true),
        Some("Låg")
    );
    assert_eq!(
        catalogue.option_label("activity_ability", "low", false),
        Some("Low")
    );
    assert_eq!(
        catalogue.option_label("activity_ability", "nope", false),
        None
    );
    assert_eq!(catalogue.option_label("nope", "low", false), None);
}

#[test]
fn every_end_reason_has_a_label_in_both_languages() {
    let catalogue = Catalogue::default_catalogue();
    for reason in EndReason::ALL {
        let sv = catalogue.end_reason_label(reason, true);
        let en = catalogue.end_reason_label(reason, false);
        assert_ne!(sv, reason.key(), "{reason:?} lacks a Swedish label");
        assert_ne!(en, reason.key(), "{reason:?} lacks an English label");
    }
    assert_eq!(
        catalogue.end_reason_label(EndReason::Misregistration, true),
        "Felregistrering"
    );
    assert_eq!(
        catalogue.end_reason_label(EndReason::Referred, true),
        "Hänvisad till annan aktör"
    );
    assert_eq!(
        Catalogue::empty().end_reason_label(EndReason::Moved, true),
        "moved"
    );
}

#[derive(Serialize, Deserialize)]
struct Wrap {
    reason: EndReason,
}

#[test]
fn end_reason_keys_match_serde_names_and_round_trip() {
    for reason in EndReason::ALL {
        assert_eq!(EndReason::from_key(reason.key()), Some(reason));
        let value = toml::Value::try_from(Wrap { reason }).unwrap();
        assert_eq!(
            value.get("reason").and_then(toml::Value::as_str),
            Some(reason.key())
        );
        assert_eq!(value.try_into::<Wrap>().unwrap().reason, reason);
        assert_eq!(
            reason.is_misregistration(),
            reason == EndReason::Misregistration
        );
    }
    assert_eq!(EndReason::from_key("unknown"), None);
    let distinct: HashSet<&str> = EndReason::ALL.iter().map(|r| r.key()).collect();
    assert_eq!(distinct.len(), 10);
}

#[test]
fn full_valid_answer_set_passes() {
    let catalogue = Catalogue::default_catalogue();
    assert_eq!(catalogue.validate(&full_answers(), today()), Ok(()));
    let mut alone = full_answers();
    alone.set("income_sources", many(&["none"]));
    assert_eq!(catalogue.validate(&alone, today()), Ok(()));
}

#[test]
fn missing_answer_is_refused() {
    let mut answers = full_answers();
    answers.values.remove("education");
    assert_eq!(
        Catalogue::default_catalogue().validate(&answers, today()),
        Err(AnswerError::Missing {
            question: "education".to_owned()
        })
    );
}

#[test]
fn unknown_question_is_refused() {
    let mut answers = full_answers();
    answers.set("shoe_size", one("42"));
    assert_eq!(
        Catalogue::default_catalogue().validate(&answers, today()),
        Err(AnswerError::UnknownQuestion {
            question: "shoe_size".to_owned()
        })
    );
}

#[test]
fn unknown_option_is_refused_in_single_and_multi() {
    let catalogue = Catalogue::default_catalogue();
    let mut answers = full_answers();
    answers.set("occupation", one("astronaut"));
    assert_eq!(
        catalogue.validate(&answers, today()),
        Err(AnswerError::UnknownOption {
            question: "occupation".to_owned(),
            option: "astronaut".to_owned()
        })
    );
    let mut answers = full_answers();
    answers.set("income_sources", many(&["salary", "lottery"]));
    assert_eq!(
        catalogue.validate(&answers, today()),
        Err(AnswerError::UnknownOption {
            question: "income_sources".to_owned(),
            option: "lottery".to_owned()
        })
    );
}

#[test]
fn wrong_kind_is_refused() {
    let catalogue = Catalogue::default_catalogue();
    let mut answers = full_answers();
    answers.set("occupation", many(&["employed"]));
    assert_eq!(
        catalogue.validate(&answers, today()),
        Err(AnswerError::WrongKind {
            question: "occupation".to_owned()
        })
    );
    let mut answers = full_answers();
    answers.set("income_sources", one("salary"));
    assert_eq!(
        catalogue.validate(&answers, today()),
        Err(AnswerError::WrongKind {
            question: "income_sources".to_owned()
        })
    );
}

#[test]
fn empty_multi_answer_is_refused() {
    let mut answers = full_answers();
    answers.set("income_sources", many(&[]));
    assert_eq!(
        Catalogue::default_catalogue().validate(&answers, today()),
        Err(AnswerError::Empty {
            question: "income_sources".to_owned()
        })
    );
}

#[test]
fn exclusive_option_cannot_be_combined() {
    let mut answers = full_answers();
    answers.set("income_sources", many(&["salary", "none"]));
    assert_eq!(
        Catalogue::default_catalogue().validate(&answers, today()),
        Err(AnswerError::ExclusiveCombined {
            question: "income_sources".to_owned(),
            option: "none".to_owned()
        })
    );
}

#[test]
fn repeated_option_is_refused() {
    let mut answers = full_answers();
    answers.set("income_sources", many(&["salary", "salary"]));
    assert_eq!(
        Catalogue::default_catalogue().validate(&answers, today()),
        Err(AnswerError::Duplicate {
            question: "income_sources".to_owned(),
            option: "salary".to_owned()
        })
    );
    // "none" twice is a repeat, not a combination.
    answers.set("income_sources", many(&["none", "none"]));
    assert!(matches!(
        Catalogue::default_catalogue().validate(&answers, today()),
        Err(AnswerError::Duplicate { .. })
    ));
}

#[test]
fn answer_to_question_not_asked_on_the_date_is_refused() {
    let catalogue = Catalogue::default_catalogue()
        .with_supplementary(&[supplementary("licence", Some(date(2026, 1, 1)), None)])
        .unwrap();
    let mut answers = full_answers();
    answers.set("licence", one("yes"));
    assert_eq!(
        catalogue.validate(&answers, date(2025, 12, 31)),
        Err(AnswerError::NotValidOn {
            question: "licence".to_owned()
        })
    );
}

#[test]
fn answers_under_another_catalogue_version_are_refused() {
    let mut answers = full_answers();
    answers.catalogue_version = 2;
    assert_eq!(
        Catalogue::default_catalogue().validate(&answers, today()),
        Err(AnswerError::VersionMismatch {
            expected: 1,
            found: 2
        })
    );
}

#[test]
fn supplementary_question_is_required_only_inside_its_validity_period() {
    let base = Catalogue::default_catalogue();
    let catalogue = base
        .with_supplementary(&[supplementary(
            "licence",
            Some(date(2026, 1, 1)),
            Some(date(2026, 6, 30)),
        )])
        .unwrap();
    assert_eq!(catalogue.version, base.version);
    let added = catalogue.question("licence").unwrap();
    assert!(added.supplementary);

    let without = full_answers();
    let mut with = full_answers();
    with.set("licence", one("no"));
    for outside in [date(2025, 12, 31), date(2026, 7, 1)] {
        assert!(
            catalogue
                .questions_on(outside)
                .iter()
                .all(|q| q.key != "licence")
        );
        assert_eq!(catalogue.validate(&without, outside), Ok(()));
    }
    for inside in [date(2026, 1, 1), date(2026, 3, 15), date(2026, 6, 30)] {
        let keys: Vec<&str> = catalogue
            .questions_on(inside)
            .iter()
            .map(|q| q.key.as_str())
            .collect();
        assert_eq!(keys[1], "licence", "order 15 sorts between 10 and 20");
        assert_eq!(
            catalogue.validate(&without, inside),
            Err(AnswerError::Missing {
                question: "licence".to_owned()
            })
        );
        assert_eq!(catalogue.validate(&with, inside), Ok(()));
    }
}

#[test]
fn supplementary_key_clash_is_refused() {
    let base = Catalogue::default_catalogue();
    assert_eq!(
        base.with_supplementary(&[supplementary("occupation", None, None)]),
        Err(CatalogueError::KeyClash {
            question: "occupation".to_owned()
        })
    );
    assert_eq!(
        base.with_supplementary(&[
            supplementary("licence", None, None),
            supplementary("licence", None, None)
        ]),
        Err(CatalogueError::KeyClash {
            question: "licence".to_owned()
        })
    );
    let mut broken = supplementary("licence", Some(date(2026, 2, 1)), Some(date(2026, 1, 1)));
    assert_eq!(
        base.with_supplementary(std::slice::from_ref(&broken)),
        Err(CatalogueError::InvalidPeriod {
            question: "licence".to_owned()
        })
    );
    broken.valid_from = None;
    broken.key = "Körkort".to_owned();
    assert!(matches!(
        base.with_supplementary(&[broken]),
        Err(CatalogueError::BadKey { .. })
    ));
}

#[test]
fn questions_on_sorts_by_order_then_key() {
    let mut b = supplementary("b_extra", None, None);
    b.order = 10;
    let mut a = supplementary("a_extra", None, None);
    a.order = 10;
    let catalogue = Catalogue::default_catalogue()
        .with_supplementary(&[b, a])
        .unwrap();
    let keys: Vec<&str> = catalogue
        .questions_on(today())
        .iter()
        .map(|q| q.key.as_str())
        .collect();
    assert_eq!(&keys[..3], ["a_extra", "b_extra", "occupation"]);
}

const SINGLE_OK: &str = r#"
[[questions]]
key = "occupation"
label_sv = "Sysselsättning"
label_en = "Occupation"
kind = "single"
order = 1
options = [{ key = "employed", label_sv = "Förvärvsarbete", label_en = "Employed" }]
"#;

#[test]
fn small_fixture_parses() {
    let catalogue = Catalogue::from_toml(&fixture(SINGLE_OK)).unwrap();
    assert_eq!(catalogue.version, 3);
    assert_eq!(catalogue.questions.len(), 1);
}

#[test]
fn duplicate_question_key_is_refused() {
    let text = fixture(&format!("{SINGLE_OK}{SINGLE_OK}"));
    assert_eq!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::DuplicateQuestion {
            question: "occupation".to_owned()
        })
    );
}

#[test]
fn duplicate_option_key_is_refused() {
    let text = fixture(
        r#"
[[questions]]
key = "income_sources"
label_sv = "Försörjningskällor"
label_en = "Sources of income"
kind = "multi"
order = 1
options = [
  { key = "salary", label_sv = "Lön", label_en = "Salary" },
  { key = "salary", label_sv = "Lön igen", label_en = "Salary again" },
]
"#,
    );
    assert_eq!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::DuplicateOption {
            question: "income_sources".to_owned(),
            option: "salary".to_owned()
        })
    );
}

#[test]
fn unknown_exclusive_option_is_refused() {
    let text = fixture(
        r#"
[[questions]]
key = "income_sources"
label_sv = "Försörjningskällor"
label_en = "Sources of income"
kind = "multi"
order = 1
exclusive = ["nothing"]
options = [{ key = "salary", label_sv = "Lön", label_en = "Salary" }]
"#,
    );
    assert_eq!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::UnknownExclusive {
            question: "income_sources".to_owned(),
            option: "nothing".to_owned()
        })
    );
}

#[test]
fn exclusive_on_single_question_is_refused() {
    let text = fixture(&SINGLE_OK.replace("order = 1", "order = 1\nexclusive = [\"employed\"]"));
    assert_eq!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::ExclusiveOnSingle {
            question: "occupation".to_owned()
        })
    );
}

#[test]
fn valid_from_after_valid_to_is_refused() {
    let text = fixture(&SINGLE_OK.replace(
        "order = 1",
        "order = 1\nvalid_from = \"2026-07-01\"\nvalid_to = \"2026-06-30\"",
    ));
    assert_eq!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::InvalidPeriod {
            question: "occupation".to_owned()
        })
    );
    let same_day = fixture(&SINGLE_OK.replace(
        "order = 1",
        "order = 1\nvalid_from = \"2026-06-30\"\nvalid_to = \"2026-06-30\"",
    ));
    let catalogue = Catalogue::from_toml(&same_day).unwrap();
    assert_eq!(catalogue.questions[0].valid_from, Some(date(2026, 6, 30)));
}

#[test]
fn malformed_dates_are_refused() {
    for bad in [
        "\"2026-02-30\"",
        "\"2026-1-1\"",
        "\"1 januari\"",
        "2026-01-01",
    ] {
        let text =
            fixture(&SINGLE_OK.replace("order = 1", &format!("order = 1\nvalid_from = {bad}")));
        assert!(
            matches!(
                Catalogue::from_toml(&text),
                Err(CatalogueError::Parse { .. })
            ),
            "{bad} was accepted"
        );
    }
}

#[test]
fn question_without_options_is_refused() {
    let text = fixture(
        "[[questions]]\nkey = \"empty\"\nlabel_sv = \"Tom\"\nlabel_en = \"Empty\"\nkind = \"single\"\norder = 1\noptions = []\n",
    );
    assert_eq!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::NoOptions {
            question: "empty".to_owned()
        })
    );
}

#[test]
fn end_reasons_must_be_complete_known_and_unique() {
    let missing = DEFAULT_TOML.replace("key = \"misregistration\"", "key = \"moved\"");
    assert_eq!(
        Catalogue::from_toml(&missing),
        Err(CatalogueError::DuplicateEndReason {
            reason: "moved".to_owned()
        })
    );
    let cut = &DEFAULT_TOML[..DEFAULT_TOML.rfind("[[end_reasons]]").unwrap()];
    assert_eq!(
        Catalogue::from_toml(cut),
        Err(CatalogueError::MissingEndReason {
            reason: "misregistration".to_owned()
        })
    );
    let unknown = DEFAULT_TOML.replace("key = \"illness\"", "key = \"weather\"");
    assert_eq!(
        Catalogue::from_toml(&unknown),
        Err(CatalogueError::UnknownEndReason {
            reason: "weather".to_owned()
        })
    );
}

#[test]
fn bad_keys_empty_labels_and_unknown_fields_are_refused() {
    let text = fixture(&SINGLE_OK.replace("key = \"employed\"", "key = \"Förvärv\""));
    assert_eq!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::BadKey {
            key: "Förvärv".to_owned()
        })
    );
    let text = fixture(&SINGLE_OK.replace("label_en = \"Occupation\"", "label_en = \" \""));
    assert_eq!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::EmptyLabel {
            key: "occupation".to_owned()
        })
    );
    let text = fixture(&SINGLE_OK.replace("order = 1", "order = 1\nexlusive = []"));
    assert!(matches!(
        Catalogue::from_toml(&text),
        Err(CatalogueError::Parse { .. })
    ));
}

#[test]
fn broken_toml_reports_its_line() {
    let err = Catalogue::from_toml("version = 1\nquestions = [\n").unwrap_err();
    let CatalogueError::Parse { line, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(line.is_some());
    assert!(err.to_string().contains("line"));
    assert!(err.message_sv().contains("rad"));
    let err = Catalogue::from_toml("version = 1\nkind = \"sometimes\"\n").unwrap_err();
    assert!(
        matches!(err, CatalogueError::Parse { line: Some(2), .. }),
        "{err:?}"
    );
}

/// Serde round trip through a TOML value tree (the project builds `toml` without the
/// `display` feature, so there is no TOML text writer).
fn toml_round_trip<T: Serialize + serde::de::DeserializeOwned>(value: &T) -> (toml::Value, T) {
    let tree = toml::Value::try_from(value).unwrap();
    (tree.clone(), tree.try_into::<T>().unwrap())
}

#[test]
fn catalogue_round_trips_through_toml() {
    let catalogue = Catalogue::default_catalogue()
        .with_supplementary(&[supplementary(
            "licence",
            Some(date(2026, 1, 1)),
            Some(date(2026, 12, 31)),
        )])
        .unwrap();
    let (tree, back) = toml_round_trip(&catalogue);
    assert_eq!(back, catalogue);
    let licence = tree["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"].as_str() == Some("licence"))
        .unwrap();
    assert_eq!(licence["valid_from"].as_str(), Some("2026-01-01"));
    assert_eq!(licence["supplementary"].as_bool(), Some(true));
    let plain = Catalogue::default_catalogue();
    let (tree, back) = toml_round_trip(&plain);
    assert_eq!(back, plain);
    assert!(tree["questions"][0].get("valid_from").is_none());
}

#[test]
fn answers_round_trip_through_toml() {
    let answers = full_answers();
    assert_eq!(toml_round_trip(&answers).1, answers);
    let change = compare(&answers, &Answers::new(1));
    let wrapper = Wrapper {
        change: change[0].clone(),
    };
    assert_eq!(toml_round_trip(&wrapper).1.change, change[0]);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Wrapper {
    change: AnswerChange,
}

#[test]
fn compare_marks_changes() {
    let before = full_answers();
    let mut after = full_answers();
    after.set("occupation", one("employed"));
    after.set(
        "income_sources",
        many(&["activity_grant", "social_assistance"]),
    ); // reordered only
    after.set("public_support_time", one("years_3_5"));
    after.values.remove("activity_ability");
    after.set("licence", one("yes"));
    let changes = compare(&before, &after);
    let flags: Vec<(&str, bool)> = changes
        .iter()
        .map(|c| (c.question.as_str(), c.changed))
        .collect();
    assert_eq!(
        flags,
        [
            ("activity_ability", true),
            ("education", false),
            ("income_sources", false),
            ("licence", true),
            ("occupation", true),
            ("public_support_time", false),
        ]
    );
    let occupation = changes.iter().find(|c| c.question == "occupation").unwrap();
    assert_eq!(occupation.before, Some(one("job_seeking")));
    assert_eq!(occupation.after, Some(one("employed")));
    let ability = changes
        .iter()
        .find(|c| c.question == "activity_ability")
        .unwrap();
    assert_eq!(ability.after, None);

    let mut sorted = changes.clone();
    Catalogue::default_catalogue().sort_changes(&mut sorted);
    let order: Vec<&str> = sorted.iter().map(|c| c.question.as_str()).collect();
    assert_eq!(
        order,
        [
            "occupation",
            "income_sources",
            "education",
            "public_support_time",
            "activity_ability",
            "licence"
        ]
    );
}

#[test]
fn error_messages_name_keys_in_both_languages() {
    let err = AnswerError::UnknownOption {
        question: "occupation".to_owned(),
        option: "x".to_owned(),
    };
    assert!(err.to_string().contains("`occupation`") && err.to_string().contains("`x`"));
    assert!(err.message_sv().contains("`occupation`") && err.message_sv().contains("frågan"));
    assert_eq!(err.question(), Some("occupation"));
    let err = CatalogueError::KeyClash {
        question: "licence".to_owned(),
    };
    assert!(err.to_string().contains("`licence`"));
    assert!(err.message_sv().contains("kompletterande"));
}

fn valid_answers_strategy() -> impl Strategy<Value = Answers> {
    (
        0..4usize,
        prop::collection::btree_set(0..8usize, 1..=8),
        any::<bool>(),
        0..5usize,
        0..5usize,
        0..5usize,
    )
        .prop_map(|(occ, incomes, none, edu, time, ability)| {
            let catalogue = Catalogue::default_catalogue();
            let opt = |q: &str, i: usize| catalogue.question(q).unwrap().options[i].key.clone();
            let mut answers = Answers::new(1);
            answers.set("occupation", AnswerValue::One(opt("occupation", occ)));
            let incomes = if none {
                vec!["none".to_owned()]
            } else {
                incomes
                    .into_iter()
                    .map(|i| opt("income_sources", i))
                    .collect()
            };
            answers.set("income_sources", AnswerValue::Many(incomes));
            answers.set("education", AnswerValue::One(opt("education", edu)));
            answers.set(
                "public_support_time",
                AnswerValue::One(opt("public_support_time", time)),
            );
            answers.set(
                "activity_ability",
                AnswerValue::One(opt("activity_ability", ability)),
            );
            answers
        })
}

proptest! {
    #[test]
    fn generated_valid_answers_pass(answers in valid_answers_strategy()) {
        prop_assert_eq!(Catalogue::default_catalogue().validate(&answers, today()), Ok(()));
    }

    #[test]
    fn compare_with_itself_or_reordered_marks_nothing(answers in valid_answers_strategy()) {
        let mut reordered = answers.clone();
        for value in reordered.values.values_mut() {
            if let AnswerValue::Many(options) = value {
                options.reverse();
            }
        }
        prop_assert!(compare(&answers, &answers).iter().all(|c| !c.changed));
        prop_assert!(compare(&answers, &reordered).iter().all(|c| !c.changed));
        prop_assert_eq!(compare(&answers, &Answers::new(1)).len(), 5);
    }

    #[test]
    fn arbitrary_answers_never_panic(
        values in prop::collection::btree_map(
            "[a-z_]{1,20}",
            prop_oneof![
                "[a-z_]{0,12}".prop_map(AnswerValue::One),
                prop::collection::vec("[a-z_]{0,12}", 0..4).prop_map(AnswerValue::Many),
            ],
            0..8,
        ),
        day in 0i64..4000,
    ) {
        let answers = Answers { catalogue_version: 1, values };
        let on = date(2020, 1, 1) + chrono::Days::new(day.unsigned_abs());
        let _ = Catalogue::default_catalogue().validate(&answers, on);
    }
}
