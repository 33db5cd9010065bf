//! One participant's record, answers in and out side by side.

use super::frame;
use crate::domain::consent::Signer;
use crate::domain::questionnaire::{AnswerValue, compare};
use crate::service::ParticipantDetail;
use crate::ui::app::App;
use crate::ui::i18n::{sv, tr};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn answer_text(
    app: &App,
    cat: &crate::domain::questionnaire::Catalogue,
    catalogue_q: &str,
    v: Option<&AnswerValue>,
) -> String {
    let Some(v) = v else { return "-".to_owned() };
    let label = |k: &str| {
        cat.option_label(catalogue_q, k, sv(app.lang()))
            .unwrap_or(k)
            .to_owned()
    };
    match v {
        AnswerValue::One(k) => label(k),
        AnswerValue::Many(ks) => ks.iter().map(|k| label(k)).collect::<Vec<_>>().join(", "),
    }
}

/// One participant's record (opening it was logged by the service).
pub fn detail(
    f: &mut Frame,
    area: Rect,
    app: &App,
    d: &ParticipantDetail,
    cat: &crate::domain::questionnaire::Catalogue,
) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let p = &d.row.participation;
    let (name, pnr) = if app.mask {
        ("••••••".to_owned(), "••••••••-••••".to_owned())
    } else {
        (d.row.identity.name.clone(), d.row.identity.pnr.to_string())
    };
    let inner = frame(
        f,
        area,
        app,
        &format!("{} · {}", tr(lang, "Participant", "Deltagare"), p.pseudonym),
        100,
    );
    let kv = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<22}"), theme.heading(true)),
            Span::raw(v),
        ])
    };
    let mut lines = vec![
        kv(tr(lang, "Name", "Namn"), name),
        kv(tr(lang, "Personnummer", "Personnummer"), pnr),
        kv(
            tr(lang, "Municipality", "Kommun"),
            format!("{:04}", d.row.identity.municipality.0),
        ),
        kv(tr(lang, "State", "Status"), {
            let mut s = p.state().label(sv(lang)).to_owned();
            if p.consent_withdrawn {
                s.push_str(tr(lang, " · consent withdrawn", " · samtycke återkallat"));
            }
            s
        }),
        kv(
            tr(lang, "In / out", "In / ut"),
            format!(
                "{} / {}",
                p.in_date,
                p.out_date.map_or_else(|| "-".into(), |d| d.to_string())
            ),
        ),
    ];
    if let Some(r) = p.end_reason {
        lines.push(kv(
            tr(lang, "End reason", "Avslutningsorsak"),
            app.session
                .service()
                .catalogue()
                .end_reason_label(r, sv(lang))
                .to_owned(),
        ));
    }
    if let Some(c) = &d.consent {
        let by = match c.evidence.signed_by {
            Signer::Participant => tr(lang, "participant", "deltagaren"),
            Signer::Guardian => tr(lang, "guardian", "vårdnadshavare"),
        };
        lines.push(kv(
            tr(lang, "Consent (9443)", "Samtycke (9443)"),
            format!(
                "{} · {by} · {}",
                c.evidence.signed_on, c.evidence.received_by
            ),
        ));
    }
    lines.push(Line::raw(""));
    // Each column as wide as its longest text (question labels and answers are never cut; the
    // dialog wraps a row that does not fit).
    let after = p.answers_out.clone().unwrap_or_default();
    let rows: Vec<(bool, String, String, String)> = compare(&p.answers_in, &after)
        .into_iter()
        .map(|ch| {
            let q = cat
                .question(&ch.question)
                .map_or(ch.question.clone(), |q| q.label(sv(lang)).to_owned());
            let before = answer_text(app, cat, &ch.question, ch.before.as_ref());
            let after = if p.answers_out.is_some() {
                answer_text(app, cat, &ch.question, ch.after.as_ref())
            } else {
                String::new()
            };
            (ch.changed && p.answers_out.is_some(), q, before, after)
        })
        .collect();
    let (question_h, before_h) = (tr(lang, "Question", "Fråga"), tr(lang, "Before", "Före"));
    let qw = rows
        .iter()
        .map(|r| r.1.chars().count())
        .chain([question_h.chars().count()])
        .max()
        .unwrap_or(0);
    let bw = rows
        .iter()
        .map(|r| r.2.chars().count())
        .chain([before_h.chars().count()])
        .max()
        .unwrap_or(0);
    lines.push(Line::styled(
        format!(
            " {question_h:<qw$} {before_h:<bw$} {}",
            tr(lang, "After", "Efter")
        ),
        theme.heading(true),
    ));
    for (changed, q, before, after) in rows {
        let mark = if changed { "*" } else { " " };
        lines.push(Line::raw(format!("{mark}{q:<qw$} {before:<bw$} {after}")));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(tr(lang, "Opening this record was logged. Esc closes; o register out, c correct, w consent withdrawn, p protected identity, x misregistration.", "Att öppna uppgifterna loggades. Esc stänger; o utskrivning, c rätta, w återkallat samtycke, p skyddad identitet, x felregistrering."), theme.dim()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
