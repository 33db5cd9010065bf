//! Checks shared by the forms: dates and counts, as they are typed.

use crate::domain::date::parse_iso;
use crate::service::ServiceError;
use crate::ui::forms::field::Check;
use crate::ui::i18n::{Lang, tr};

pub(super) fn date_check(lang: Lang, field: &'static str) -> Check {
    Box::new(move |t| {
        parse_iso(t)
            .map(|_| ())
            .map_err(|e| ServiceError::date(field)(e).message(lang))
    })
}

pub(super) fn count_check(lang: Lang) -> Check {
    Box::new(move |t| {
        t.parse::<u32>().map(|_| ()).map_err(|_| {
            tr(lang, "a whole number, 0 or more", "ett heltal, 0 eller mer").to_owned()
        })
    })
}
