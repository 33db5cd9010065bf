//! A long review queue read a stretch at a time: 300 findings of a month, paged through the
//! service and through the terminal UI, open items first, a judged one moving to the closed
//! part; the queue's index checked by `insats check` and rebuilt for a schema-12 file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use insats::domain::audit::{Action, Draft};
use insats::domain::ids::{AssociationId, UserId};
use insats::domain::review::{Period, VerdictKind};
use insats::domain::user::{Role, Scope};
use insats::service::{AssociationInput, Clock, InitInput, Service, Session};
use insats_store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock the test sets: the log's times must grow with its sequence numbers.
#[derive(Debug, Clone, Default)]
struct SetClock(Arc<AtomicI64>);

impl SetClock {
    fn on(&self, month: u32, day: u32) {
        let ms = NaiveDate::from_ymd_opt(2026, month, day)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for SetClock {
    fn today(&self) -> NaiveDate {
        insats::domain::review::time::swedish_day(self.0.load(Ordering::SeqCst))
    }
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

const USERS: u64 = 10;
const DAYS: u32 = 30;

fn june() -> Period {
    Period::new(
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
    )
    .unwrap()
}

fn service_at(path: &Path, clock: &SetClock) -> Service {
    let store = if path.exists() {
        Store::open(path, None).unwrap()
    } else {
        Store::create(path, None, false).unwrap()
    };
    Service::new(store, Box::new(clock.clone()))
}

/// The clock of a register opened again after [`long_queue`]: July.
fn july() -> SetClock {
    let clock = SetClock::default();
    clock.on(7, 2);
    clock
}

/// A register whose June log holds one change of personal data at 22:00 for each of ten users
/// on each day: 300 findings of the off-hours rule once the rules run.
fn long_queue() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queue.redb");
    // Set up in May, the log written in June, the rules run in July.
    let clock = SetClock::default();
    clock.on(5, 31);
    let service = service_at(&path, &clock);
    let (association, _) = service
        .init(&InitInput {
            association: AssociationInput {
                name: "Förbundet".into(),
                org_number: "222000-1230".into(),
                description: String::new(),
                municipalities: "0180".into(),
                start: "2020-01-01".into(),
                end: String::new(),
            },
            admin_username: "admin".into(),
            admin_display_name: "Ada Admin".into(),
        })
        .unwrap();
    let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let lars = sys
        .create_user("lars", "Lars Granskare", &[Role::LogReviewer])
        .unwrap();
    sys.assign(
        lars,
        Role::LogReviewer,
        Scope::Association(association),
        "2020-01-01",
        "",
    )
    .unwrap();
    let store = service.store();
    let tx = store.write_fast().unwrap();
    for day in 1..=DAYS {
        for u in 0..USERS {
            // 22:00 Swedish summer time is 20:00 UTC.
            let at_ms = NaiveDate::from_ymd_opt(2026, 6, day)
                .unwrap()
                .and_hms_opt(20, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis();
            let draft = Draft {
                user: Some(UserId(1_000 + u)),
                role: Some(Role::ParticipantHandler),
                session: u,
                association: Some(association),
                intervention: None,
                subject: None,
                action: Action::CorrectAnswers,
                fields: Vec::new(),
                note: String::new(),
            };
            insats_store::audit::append(&tx, store.crypto(), at_ms, draft).unwrap();
        }
    }
    tx.commit().unwrap();
    clock.on(7, 1);
    let lars = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
    let run = lars.run_review_rules(None, june()).unwrap();
    assert_eq!(u64::from(run.run.items), USERS * u64::from(DAYS));
    // The run's report carries its first hundred items; the queue holds them all.
    assert_eq!(run.items.len(), 100);
    (dir, path)
}

fn ids(rows: &[insats::service::QueueRow]) -> Vec<u64> {
    rows.iter().map(|r| r.item.id.0).collect()
}

#[test]
fn a_long_queue_is_read_a_page_at_a_time_open_items_first() {
    let (_dir, path) = long_queue();
    let service = service_at(&path, &july());
    let lars = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
    let whole = lars.review_queue(None, false).unwrap();
    assert_eq!(whole.len(), 300);
    let mut paged = Vec::new();
    let mut start = 0;
    while start < 300 {
        let page = lars.review_queue_page(None, false, start, 70).unwrap();
        assert_eq!((page.start, page.total, page.open), (start, 300, 300));
        assert!(page.rows.len() <= 70);
        start += page.rows.len();
        paged.extend(page.rows);
    }
    assert_eq!(ids(&paged), ids(&whole));
    let mut sorted = ids(&whole);
    sorted.sort_unstable();
    assert_eq!(ids(&whole), sorted, "oldest first");
    assert!(
        lars.review_queue_page(None, false, 300, 70)
            .unwrap()
            .rows
            .is_empty()
    );

    // Judged justified, an item moves to the closed part, after every open one; judged
    // "needs follow-up", it stays open in its place.
    let (first, second) = (whole[0].item.id, whole[1].item.id);
    lars.judge(first, VerdictKind::Justified, "").unwrap();
    lars.judge(second, VerdictKind::FollowUp, "asked").unwrap();
    let page = lars.review_queue_page(None, false, 0, 1).unwrap();
    assert_eq!((page.total, page.open), (300, 299));
    assert_eq!(page.rows[0].item.id, second);
    assert_eq!(lars.review_queue_place(None, first).unwrap(), Some(299));
    assert_eq!(lars.review_queue_place(None, second).unwrap(), Some(0));
    let last = lars.review_queue_page(None, false, 299, 10).unwrap();
    assert_eq!(last.rows.len(), 1);
    assert_eq!(last.rows[0].item.id, first);
    assert_eq!(
        last.rows[0].latest.as_ref().map(|v| v.kind),
        Some(VerdictKind::Justified)
    );
    let open = lars.review_queue_page(None, true, 0, 1_000).unwrap();
    assert_eq!((open.total, open.rows.len()), (299, 299));
    // A later verdict opens it again.
    lars.judge(first, VerdictKind::FollowUp, "new facts")
        .unwrap();
    assert_eq!(lars.review_queue_place(None, first).unwrap(), Some(0));

    // The index matches the items and their verdicts.
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let report = admin.check_register().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // Someone else's queue is not a log reviewer's of another association.
    assert!(
        lars.review_queue_page(Some(AssociationId(999)), false, 0, 10)
            .is_err()
    );
}

#[test]
fn a_schema_12_file_gets_its_queue_index_from_the_items_and_verdicts() {
    use insats_store::schema::{META, META_SCHEMA, REVIEW_QUEUE, SCHEMA_VERSION};
    let (_dir, path) = long_queue();
    let judged = {
        let service = service_at(&path, &july());
        let lars = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
        let rows = lars.review_queue(None, false).unwrap();
        for r in rows.iter().take(5) {
            lars.judge(r.item.id, VerdictKind::Unauthorised, "")
                .unwrap();
        }
        ids(&lars.review_queue(None, false).unwrap())
    };
    {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        assert!(tx.delete_table(REVIEW_QUEUE).unwrap());
        tx.open_table(META)
            .unwrap()
            .insert(META_SCHEMA, 12u32.to_le_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let service = service_at(&path, &july());
    assert_eq!(
        insats_store::migrate::stored_version(service.store()).unwrap(),
        Some(SCHEMA_VERSION)
    );
    let lars = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
    let page = lars.review_queue_page(None, false, 0, 1_000).unwrap();
    assert_eq!((page.total, page.open), (300, 295));
    assert_eq!(ids(&page.rows), judged);
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    assert!(admin.check_register().unwrap().problems.is_empty());
}

/// The queue on screen at 80×24: the counts are the whole queue's, and paging down to its end
/// and back reads only a stretch around the chosen row at a time.
#[test]
fn the_terminal_ui_pages_through_a_long_queue_reading_a_stretch_at_a_time() {
    use insats::service::Lang;
    use insats::ui::app::Overlay;
    use insats::ui::keymap::Key;
    use insats::ui::{App, screenshot, view};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::time::Instant;

    let (_dir, path) = long_queue();
    let service = service_at(&path, &july());
    for lang in [Lang::En, Lang::Sv] {
        let session = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
        let opts = insats::cli::screens::options(lang, false).unwrap();
        let mut app = App::new(session, opts, Instant::now()).unwrap();
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut draw = |app: &App| {
            term.draw(|f| view::draw(f, app)).unwrap();
            screenshot::to_text(term.backend().buffer())
        };
        let press = |app: &mut App, k: &str| {
            app.on_key(Key::parse(k).unwrap().to_event(), Instant::now());
        };
        // Esc: the unlock code is set another day.
        for k in ["esc", "tab", "tab", "R"] {
            press(&mut app, k);
        }
        let s = draw(&app);
        let counts = match lang {
            Lang::En => "300 open of 300",
            Lang::Sv => "300 öppna av 300",
        };
        assert!(s.contains(counts), "{s}");
        let loaded = |app: &App| match &app.overlay {
            Some(Overlay::Review(v)) => (v.selected, v.page.start, v.page.rows.len()),
            _ => panic!("the queue is not shown"),
        };
        assert!(loaded(&app).2 <= insats::ui::app::QUEUE_WINDOW);
        // Page down to the end: the last item is chosen and on screen.
        for _ in 0..40 {
            press(&mut app, "pagedown");
            let (selected, start, len) = loaded(&app);
            assert!(len <= insats::ui::app::QUEUE_WINDOW);
            assert!(
                (start..start + len).contains(&selected),
                "{selected} {start} {len}"
            );
        }
        let (selected, _, _) = loaded(&app);
        assert_eq!(selected, 299);
        let last = service_last_item(&service);
        let s = draw(&app);
        assert!(s.contains(&format!(">{last}")), "{s}");
        // Enter on it shows that finding; back, and all the way up again.
        press(&mut app, "enter");
        let s = draw(&app);
        assert!(s.contains(&last), "{s}");
        press(&mut app, "esc");
        for _ in 0..40 {
            press(&mut app, "pageup");
        }
        assert_eq!(loaded(&app).0, 0);
        let s = draw(&app);
        assert!(s.contains(">G1 ") || s.contains(">G1"), "{s}");
    }
}

/// The id of the queue's last item, as the screen writes it.
fn service_last_item(service: &Service) -> String {
    let lars = Session::sign_in(service, "lars", Some(Role::LogReviewer)).unwrap();
    let page = lars.review_queue_page(None, false, 299, 1).unwrap();
    page.rows[0].item.id.to_string()
}
