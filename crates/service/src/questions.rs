//! An association's supplementary questions (*kompletterande frågor*), asked after the default
//! questionnaire at registration in and out.

use super::error::ServiceError;
use super::session::Session;
use insats_domain::audit::Action;
use insats_domain::ids::AssociationId;
use insats_domain::questionnaire::{Catalogue, Question};
use insats_store::org;
use serde::Deserialize;

/// A file of supplementary questions: `[[questions]]` tables as in the default catalogue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionsFile {
    questions: Vec<Question>,
}

/// Reads supplementary questions from TOML text (the `[[questions]]` format of
/// `catalogue/default.toml`).
///
/// # Errors
///
/// A `Catalogue` error naming the line when the text cannot be read.
pub fn parse_questions(text: &str) -> Result<Vec<Question>, ServiceError> {
    let file: QuestionsFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| {
            text.get(..s.start)
                .map_or(1, |t| t.matches('\n').count() + 1)
        });
        insats_domain::questionnaire::CatalogueError::Parse {
            line,
            message: e.message().trim().to_owned(),
        }
    })?;
    Ok(file.questions)
}

impl Session {
    /// Replaces an association's supplementary questions (its association administrator).
    /// They are checked against the default catalogue (keys, labels, options, periods) before
    /// anything is written; answers already given keep the questions they were given under.
    pub fn set_supplementary(
        &self,
        association: AssociationId,
        questions: &[Question],
    ) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        self.require_association_admin(&tx, association)?;
        let mut a = org::association(&tx, association)?.ok_or(ServiceError::NotFound {
            what: "association",
            id: association.to_string(),
        })?;
        let checked: Catalogue = self.service.catalogue().with_supplementary(questions)?;
        a.supplementary = checked
            .questions
            .into_iter()
            .filter(|q| q.supplementary)
            .collect();
        let note = format!("{} supplementary questions", a.supplementary.len());
        org::put_association(&tx, &a)?;
        self.commit_admin(
            tx,
            Action::UpdateAssociation,
            Some(association),
            None,
            &["supplementary"],
            note,
        )
    }
}
