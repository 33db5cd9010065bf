//! A form: fields in order, one focused, scrolled so the focused one is always in view, with the
//! service's refusal (if any) shown in words above them. Nothing is saved until Submit.

use super::field::Field;
use crate::domain::ids::{ConsentId, InterventionId, ParticipationId};
use crate::domain::participation::Occasion;
use crate::ui::i18n::{Lang, tr};
use crossterm::event::KeyEvent;

/// What saving the form does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Form 9443 and the person's identity; on success, registration in follows.
    Consent {
        intervention: InterventionId,
    },
    /// Registration in, on a recorded consent (`Some`) or on the new consent the form carries
    /// (`None`: both are saved together).
    RegisterIn {
        intervention: InterventionId,
        consent: Option<ConsentId>,
    },
    RegisterOut {
        intervention: InterventionId,
        participation: ParticipationId,
        /// False after consent was withdrawn: an end reason and no answers (domain §5).
        answers: bool,
    },
    Correct {
        intervention: InterventionId,
        participation: ParticipationId,
        occasion: Occasion,
        /// The date of that occasion: the questions asked then.
        on: chrono::NaiveDate,
    },
    Anonymous {
        intervention: InterventionId,
    },
    EditIntervention {
        intervention: InterventionId,
    },
    Plan {
        intervention: InterventionId,
    },
    Volume {
        intervention: InterventionId,
    },
    Association {
        association: crate::domain::ids::AssociationId,
    },
    /// The report screen's period and filters; saving runs the report anew.
    ReportFilter,
    /// A log reviewer's verdict on a finding or sampled entry; saving returns to the queue.
    Verdict {
        item: crate::domain::ids::ReviewItemId,
    },
}

/// An open form.
pub struct Form {
    pub title: String,
    pub intro: String,
    pub purpose: Purpose,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The service's refusal of the last attempt to save, in words.
    pub refusal: Option<String>,
    /// Whether anything was typed or chosen since the form opened.
    pub touched: bool,
    /// The checked but unsaved consent form a registration-in form carries: saved with the
    /// registration, or dropped with the form (Esc), leaving nothing behind.
    pub carried: Option<Box<(crate::service::IdentityInput, crate::service::ConsentInput)>>,
}

impl Form {
    pub fn new(title: String, intro: String, purpose: Purpose, fields: Vec<Field>) -> Form {
        Form {
            title,
            intro,
            purpose,
            fields,
            focus: 0,
            refusal: None,
            touched: false,
            carried: None,
        }
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn text(&self, key: &str) -> String {
        self.field(key).map(Field::text_value).unwrap_or_default()
    }

    pub fn one(&self, key: &str) -> Option<&str> {
        self.field(key).and_then(Field::one_value)
    }

    pub fn yes(&self, key: &str) -> bool {
        self.field(key).is_some_and(Field::yes_value)
    }

    pub fn next(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }

    pub fn prev(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }

    pub fn is_last(&self) -> bool {
        self.focus + 1 >= self.fields.len()
    }

    /// A key for the focused field; returns whether it was used.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let used = self
            .fields
            .get_mut(self.focus)
            .is_some_and(|f| f.input(key));
        self.touched |= used;
        used
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.paste(text);
            self.touched = true;
        }
    }

    pub fn toggle(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.toggle();
            self.touched = true;
        }
    }

    /// Checks every field strictly; focuses the first one in error. Returns whether all pass.
    pub fn check_all(&mut self, lang: Lang) -> bool {
        let missing = tr(lang, "required", "måste fyllas i");
        let mut first = None;
        for (i, f) in self.fields.iter_mut().enumerate() {
            if !f.check_with(true, missing) && first.is_none() {
                first = Some(i);
            }
        }
        if let Some(i) = first {
            self.focus = i;
        }
        first.is_none()
    }
}

mod draw;
pub use draw::dialog_area;
