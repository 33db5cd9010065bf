//! Follow-up reports (domain §9): a small register built by hand, whose expected figures are
//! written out here — not computed by the code under test — and the rules of who sees what.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use insats::domain::audit::{Action, Entry};
use insats::domain::questionnaire::EndReason;
use insats::service::ServiceError;
use insats::service::reports::{Cell, Report, ReportFilter, ReportKind, Table};
use insats_store::{codec, schema};

/// The register of the golden test (today 2026-06-15; the intervention started 2025-01-01):
/// - A, a woman of 35, in 2026-03-01 (occupation "other"), out 2026-05-01 employed: 61 days;
/// - B, a man of 46, in 2026-02-01 ("other"), out 2026-06-01 still "other": 120 days;
/// - C, a woman of 23, in 2026-04-01, still in;
/// - D, a man, in 2026-04-02, then misregistered: he never counts;
/// - E, a woman of 30, in 2026-01-10, consent withdrawn, out 2026-02-10 with no answers: 31 days.
///
/// The pnr helper's third serial digit gives the gender: even a woman, odd a man.
struct Golden {
    f: Fixture,
}

fn golden() -> Golden {
    let f = Fixture::new();
    let cat = f.service.catalogue().clone();
    let h = &f.handler;
    let a = h
        .register_new(
            f.intervention,
            &identity(&pnr(date(1990, 5, 17), 122), "Anna A"),
            &consent_by_participant("2026-03-01"),
            &insats::service::NewRegistration {
                in_date: "2026-03-01".into(),
                gender: None,
                answers: other_answers(&cat),
            },
        )
        .unwrap();
    h.register_out(a, "2026-05-01", EndReason::Employment, Some(answers(&cat)))
        .unwrap();
    let b = h
        .register_new(
            f.intervention,
            &identity(&pnr(date(1980, 1, 10), 133), "Bertil B"),
            &consent_by_participant("2026-02-01"),
            &insats::service::NewRegistration {
                in_date: "2026-02-01".into(),
                gender: None,
                answers: other_answers(&cat),
            },
        )
        .unwrap();
    h.register_out(
        b,
        "2026-06-01",
        EndReason::CompletedAsPlanned,
        Some(other_answers(&cat)),
    )
    .unwrap();
    register(
        &f.handler,
        f.intervention,
        &pnr(date(2003, 1, 1), 144),
        "Cecilia C",
        "2026-04-01",
    );
    let d = register(
        &f.handler,
        f.intervention,
        &pnr(date(1975, 7, 7), 155),
        "David D",
        "2026-04-02",
    );
    h.misregister(d).unwrap();
    let e = register(
        &f.handler,
        f.intervention,
        &pnr(date(1995, 8, 8), 166),
        "Eva E",
        "2026-01-10",
    );
    h.withdraw_consent(e).unwrap();
    h.register_out(e, "2026-02-10", EndReason::OwnChoice, None)
        .unwrap();
    Golden { f }
}

fn table<'a>(r: &'a Report, title_starts: &str) -> &'a Table {
    r.tables
        .iter()
        .find(|t| t.title.starts_with(title_starts))
        .unwrap_or_else(|| {
            let titles: Vec<&str> = r.tables.iter().map(|t| t.title.as_str()).collect();
            panic!("no table '{title_starts}' among {titles:?}")
        })
}

/// A row's cells as text.
fn row(t: &Table, label: &str) -> Vec<String> {
    t.rows
        .iter()
        .find(|r| r.label == label)
        .unwrap_or_else(|| panic!("no row '{label}' in '{}'", t.title))
        .cells
        .iter()
        .map(|c| c.text(false))
        .collect()
}

fn year_2026() -> ReportFilter {
    ReportFilter::year(2026)
}

#[test]
fn the_results_of_a_small_register_are_the_figures_written_by_hand() {
    let g = golden();
    let r =
        g.f.handler
            .report(ReportKind::Results, &year_2026(), false)
            .unwrap();
    assert_eq!(r.protected_below, None, "a handler sees exact figures");
    let ended = table(&r, "Participations registered out");
    assert_eq!(row(ended, "Registered out"), ["2", "1", "3"]);
    assert_eq!(
        row(ended, "With answers in and out (compared below)"),
        ["1", "1", "2"]
    );
    // Occupation: before W other 1, M other 1; after W employed 1, M other 1.
    let occ = table(&r, "Occupation: before and after");
    assert_eq!(
        row(occ, "Employed"),
        ["0", "0", "0", "1", "0", "1", "+1", "–"]
    );
    assert_eq!(
        row(occ, "Other or none"),
        ["1", "1", "2", "0", "1", "1", "-1", "-50.0"]
    );
    let work = table(&r, "Work or studies");
    assert_eq!(row(work, "In work or studies after"), ["1", "0", "1"]);
    assert_eq!(
        row(work, "Moved into work or studies (neither before)"),
        ["1", "0", "1"]
    );
    // A had no salary before and one after; B had none either time.
    assert_eq!(
        row(
            work,
            "Salary, not a source before (started or increased work)"
        ),
        ["1", "0", "1"]
    );
    assert_eq!(
        row(
            work,
            "Student aid, not a source before (started or increased studies)"
        ),
        ["0", "0", "0"]
    );
    let reasons = table(&r, "End reasons");
    assert_eq!(row(reasons, "Employment"), ["1", "0", "1"]);
    assert_eq!(row(reasons, "Completed as planned"), ["0", "1", "1"]);
    assert_eq!(row(reasons, "Own choice to end"), ["1", "0", "1"]);
    // Days (nearest rank): women 31 and 61; men 120; all 31, 61, 120.
    let days = table(&r, "Time in the intervention");
    assert_eq!(row(days, "Lower quartile"), ["31", "120", "31"]);
    assert_eq!(row(days, "Median"), ["31", "120", "61"]);
    assert_eq!(row(days, "Upper quartile"), ["61", "120", "120"]);
}

#[test]
fn the_background_of_a_small_register_is_the_figures_written_by_hand() {
    let g = golden();
    let r =
        g.f.handler
            .report(ReportKind::Background, &year_2026(), false)
            .unwrap();
    // A, C and E started (women), B (a man); D was misregistered.
    assert_eq!(
        row(table(&r, "Participations registered in"), "Registered in"),
        ["3", "1", "4"]
    );
    let age = table(&r, "Age at registration in");
    assert_eq!(row(age, "20–24"), ["1", "0", "1"]);
    assert_eq!(row(age, "30–39"), ["2", "0", "2"]);
    assert_eq!(row(age, "40–49"), ["0", "1", "1"]);
    assert_eq!(row(age, "50–59"), ["0", "0", "0"]);
    let edu = table(&r, "Highest completed education");
    // C and E answered the first option, A and B the last (unknown).
    assert_eq!(row(edu, "Below upper secondary"), ["2", "0", "2"]);
    let unknown = &edu.rows.last().unwrap().cells;
    let unknown: Vec<String> = unknown.iter().map(|c| c.text(false)).collect();
    assert_eq!(unknown, ["1", "1", "2"]);
}

#[test]
fn misregistered_and_protected_participations_never_count_in_results() {
    let g = golden();
    let f = &g.f;
    let before = f
        .handler
        .report(ReportKind::Results, &year_2026(), false)
        .unwrap();
    // A participation registered out, then the person turns out to have protected identity.
    let cat = f.service.catalogue().clone();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1985, 3, 3), 177),
        "Fredrik F",
        "2026-03-03",
    );
    f.handler
        .register_out(p, "2026-04-04", EndReason::Moved, Some(answers(&cat)))
        .unwrap();
    let with = f
        .handler
        .report(ReportKind::Results, &year_2026(), false)
        .unwrap();
    assert_eq!(
        row(
            table(&with, "Participations registered out"),
            "Registered out"
        ),
        ["2", "2", "4"]
    );
    f.handler.mark_protected(p).unwrap();
    let after = f
        .handler
        .report(ReportKind::Results, &year_2026(), false)
        .unwrap();
    assert_eq!(after.tables, before.tables);
}

#[test]
fn anonymous_participants_count_only_in_their_start_year_and_never_in_results() {
    let g = golden();
    let f = &g.f;
    let results_before = f
        .handler
        .report(ReportKind::Results, &year_2026(), false)
        .unwrap();
    f.handler
        .register_anonymous(f.intervention, 2025, 2, 1)
        .unwrap();
    let results_after = f
        .handler
        .report(ReportKind::Results, &year_2026(), false)
        .unwrap();
    assert_eq!(results_before.tables, results_after.tables);
    let filter = ReportFilter {
        interventions: vec![f.intervention],
        ..ReportFilter::year(2025)
    };
    let r = f
        .handler
        .report(
            ReportKind::Interventions,
            &ReportFilter {
                to: year_2026().to,
                ..filter
            },
            false,
        )
        .unwrap();
    let t = &r.tables[0];
    let cells = |year: &str| -> Vec<String> {
        t.rows
            .iter()
            .find(|r| r.cells[0].text(false) == year)
            .unwrap()
            .cells
            .iter()
            .map(|c| c.text(false))
            .collect()
    };
    // Columns: year, started w/m, active w/m, ended w/m, anonymous w/m, counted w/m, total…
    assert_eq!(&cells("2025")[7..9], ["2", "1"]);
    assert_eq!(&cells("2026")[7..9], ["0", "0"]);
    // 2026: started A, C, E (w) and B (m); active the same; ended A, E (w), B (m).
    assert_eq!(&cells("2026")[1..7], ["3", "1", "3", "1", "2", "1"]);
    assert_eq!(cells("2026")[11], "4");
}

#[test]
fn a_handlers_report_covers_only_assigned_interventions() {
    let g = golden();
    let f = &g.f;
    let r = f
        .other_handler
        .report(ReportKind::Results, &year_2026(), false)
        .unwrap();
    assert_eq!(
        row(table(&r, "Participations registered out"), "Registered out"),
        ["0", "0", "0"]
    );
    // Naming an intervention outside the assignments is refused, not quietly left out.
    let filter = ReportFilter {
        interventions: vec![f.intervention],
        ..year_2026()
    };
    assert!(matches!(
        f.other_handler.report(ReportKind::Results, &filter, false),
        Err(ServiceError::Denied(_))
    ));
}

/// Every line whose cells add up to a total a reader knows: a single hidden cell is never
/// beside a visible count it could be recovered with (subtracting zeros gives back only the
/// total, which is then as small and hidden too).
fn no_cell_recoverable(t: &Table) {
    let leaks = |cells: Vec<&Cell>| {
        let hidden = cells
            .iter()
            .filter(|c| matches!(c, Cell::Hidden { .. } | Cell::Suppressed))
            .count();
        let visible = cells.iter().any(|c| c.count().is_some_and(|n| n > 0));
        hidden == 1 && visible
    };
    for (r, row) in t.rows.iter().enumerate() {
        for group in &t.row_sums {
            let cells = group.iter().map(|c| &row.cells[*c]).collect();
            assert!(
                !leaks(cells),
                "'{}' row {r}: recoverable in {group:?}",
                t.title
            );
        }
    }
    for c in &t.column_sums {
        let cells = t.rows.iter().map(|row| &row.cells[*c]).collect();
        assert!(!leaks(cells), "'{}' column {c}: recoverable", t.title);
    }
}

#[test]
fn small_cells_are_protected_for_a_manager_and_a_report_reader_and_exact_for_a_handler() {
    let g = golden();
    let f = &g.f;
    for s in [&f.manager, &f.report_reader] {
        let r = s.report(ReportKind::Results, &year_2026(), false).unwrap();
        assert_eq!(r.protected_below, Some(3));
        let ended = table(&r, "Participations registered out");
        // 2 women, 1 man, 3 in all: both small cells hidden, the total of 3 shown.
        assert_eq!(row(ended, "Registered out"), ["<3", "<3", "3"]);
        for t in &r.tables {
            no_cell_recoverable(t);
        }
        let r = s
            .report(ReportKind::Background, &year_2026(), false)
            .unwrap();
        for t in &r.tables {
            no_cell_recoverable(t);
        }
    }
    // The association may turn protection off.
    let admin = insats::service::Session::sign_in(
        &f.service,
        "admin",
        Some(insats::domain::user::Role::AssociationAdmin),
    )
    .unwrap();
    admin
        .edit_association(
            f.association,
            &insats::service::AssociationEdit {
                small_cell_threshold: Some("0".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let r = f
        .report_reader
        .report(ReportKind::Results, &year_2026(), false)
        .unwrap();
    assert_eq!(r.protected_below, None);
    assert_eq!(
        row(table(&r, "Participations registered out"), "Registered out"),
        ["2", "1", "3"]
    );
}

#[test]
fn transitions_sum_to_their_totals() {
    let g = golden();
    let r =
        g.f.handler
            .report(ReportKind::Results, &year_2026(), false)
            .unwrap();
    let t = table(&r, "Sources of income: after");
    for row in &t.rows {
        let (after, had) = row.cells.split_at(row.cells.len() - 1);
        let sum: u64 = after.iter().filter_map(Cell::count).sum();
        assert_eq!(Some(sum), had[0].count(), "{}", row.label);
    }
    // A and B both had "none" before; A had a salary after, B none.
    let none = t.rows.iter().find(|r| r.label == "None").unwrap();
    let texts: Vec<String> = none.cells.iter().map(|c| c.text(false)).collect();
    assert_eq!(texts.first().map(String::as_str), Some("1"));
    assert_eq!(texts.last().map(String::as_str), Some("2"));
}

#[test]
fn every_report_run_is_an_audit_entry_without_personal_data() {
    let g = golden();
    let f = &g.f;
    for kind in ReportKind::ALL {
        f.report_reader.report(kind, &year_2026(), true).unwrap();
    }
    let tx = f.service.store().read().unwrap();
    let runs: Vec<Entry> = tx
        .open_table(schema::AUDIT)
        .unwrap()
        .range(0..)
        .unwrap()
        .map(|row| codec::decode::<Entry>(row.unwrap().1.value()).unwrap())
        .filter(|e| e.draft.action == Action::RunReport)
        .collect();
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[0].draft.note, "results 2026");
    assert_eq!(runs[3].draft.note, "costs 2026");
    assert_eq!(runs[0].draft.association, Some(f.association));
    for e in &runs {
        assert!(!e.draft.note.contains("Anna") && e.draft.subject.is_none());
    }
}

/// A period of months inside a year reads the months themselves; whole years read their
/// roll-ups; both give what was written by hand.
#[test]
fn a_period_of_months_counts_only_the_participations_ended_in_it() {
    let g = golden();
    // February to May 2026: E (10 February) and A (1 May) ended then; B ended in June.
    let filter = ReportFilter {
        from: 2026 * 12 + 1,
        to: 2026 * 12 + 4,
        ..year_2026()
    };
    let r =
        g.f.handler
            .report(ReportKind::Results, &filter, false)
            .unwrap();
    assert_eq!(r.filters, "2026-02 – 2026-05");
    assert_eq!(
        row(table(&r, "Participations registered out"), "Registered out"),
        ["2", "0", "2"]
    );
    // 2025 and 2026 together: the whole years' roll-ups, the same as 2026 alone here.
    let both = ReportFilter {
        from: 2025 * 12,
        ..year_2026()
    };
    let r =
        g.f.handler
            .report(ReportKind::Results, &both, false)
            .unwrap();
    assert_eq!(
        row(table(&r, "Participations registered out"), "Registered out"),
        ["2", "1", "3"]
    );
    // December 2025 to June 2026: a month, then whole months up to June.
    let across = ReportFilter {
        from: 2025 * 12 + 11,
        to: 2026 * 12 + 5,
        ..year_2026()
    };
    let r =
        g.f.handler
            .report(ReportKind::Results, &across, false)
            .unwrap();
    assert_eq!(
        row(table(&r, "Participations registered out"), "Registered out"),
        ["2", "1", "3"]
    );
}

/// "Started or increased work or studies" (domain §9) from the sources of income: a salary kept
/// from before is no start, a new salary or student aid is, whatever the occupation says.
#[test]
fn a_salary_kept_from_before_is_no_start_and_a_new_salary_or_student_aid_is() {
    let f = Fixture::new();
    let cat = f.service.catalogue().clone();
    let h = &f.handler;
    let with_income = |sources: &[&str]| {
        let mut a = answers(&cat);
        a.set(
            "income_sources",
            insats::domain::questionnaire::AnswerValue::Many(
                sources.iter().map(|s| (*s).to_owned()).collect(),
            ),
        );
        a
    };
    // F, a man: salary before and after (no start). G, a woman: student aid before, salary
    // and student aid after (a new salary only). H, a man: nothing before, student aid after.
    let people = [
        (pnr(date(1985, 3, 3), 113), &["salary"][..], &["salary"][..]),
        (
            pnr(date(1999, 4, 4), 124),
            &["student_aid"][..],
            &["salary", "student_aid"][..],
        ),
        (
            pnr(date(2001, 5, 5), 135),
            &["none"][..],
            &["student_aid"][..],
        ),
    ];
    for (who, before, after) in &people {
        let p = h
            .register_new(
                f.intervention,
                &identity(who, "Test Person"),
                &consent_by_participant("2026-02-01"),
                &insats::service::NewRegistration {
                    in_date: "2026-02-01".into(),
                    gender: None,
                    answers: with_income(before),
                },
            )
            .unwrap();
        h.register_out(
            p,
            "2026-05-01",
            EndReason::CompletedAsPlanned,
            Some(with_income(after)),
        )
        .unwrap();
    }
    let r = h.report(ReportKind::Results, &year_2026(), false).unwrap();
    let work = table(&r, "Work or studies");
    assert_eq!(
        row(
            work,
            "Salary, not a source before (started or increased work)"
        ),
        ["1", "0", "1"]
    );
    assert_eq!(
        row(
            work,
            "Student aid, not a source before (started or increased studies)"
        ),
        ["0", "1", "1"]
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("Started or increased work or studies")),
        "{:?}",
        r.notes
    );
}
