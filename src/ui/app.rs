//! The model of one session's screen: what is loaded, what is selected, which dialog is open.
//! Lists hold one window of rows read from the store, never a whole table. Keys arrive in
//! `update.rs`; drawing only reads the model (`view.rs`).

use super::forms::Form;
use super::i18n::{Lang, tr};
use super::keymap::Keymap;
use super::theme::Theme;
use crate::domain::anonymous::AnonymousCount;
use crate::domain::audit::Entry;
use crate::domain::date::Year;
use crate::domain::ids::{ConsentId, InterventionId, ParticipationId, UserId};
use crate::domain::report::Counters;
use crate::domain::user::Access;
use crate::service::{
    InterventionView, LookupHit, Notice, ParticipantDetail, ParticipantRow, ServiceError, Session,
    SwitchTarget, UnusedConsent,
};
use ratatui_textarea::TextArea;
use std::cell::Cell;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

pub use super::window::{Plan, WINDOW, Window};

/// How the UI is set up.
#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Idle time after which the screen locks and hides personal data.
    pub idle_lock: Duration,
    /// Where the report screen saves an export (`None` over SSH, where a file would land on the
    /// server: the screen names the command that streams it instead).
    pub export_dir: Option<std::path::PathBuf>,
}

/// The three panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Interventions,
    Participants,
    Audit,
}

/// A question that must be confirmed before a destructive or far-reaching change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmKind {
    Misregister,
    Protected,
    Withdraw,
    RemoveConsent,
}

/// What a confirmed change acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Participation(ParticipationId),
    Consent(ConsentId),
}

pub struct Confirm {
    pub kind: ConfirmKind,
    pub target: Target,
    /// Who and which participation (or consent) the change is about, as the dialog names them.
    pub who: crate::domain::person::Identity,
    pub intervention_name: String,
    /// The dates beside the intervention: the participation's period, or when the consent
    /// was signed.
    pub when: String,
    /// The word to type before an erasing change (misregistration, protected identity) goes
    /// through.
    pub word: Option<&'static str>,
    pub typed: TextArea<'static>,
    pub refusal: Option<String>,
}

/// The report screen: which report, for which year and gender, scrolled how far.
pub struct ReportView {
    pub kind: crate::service::reports::ReportKind,
    /// The period (months), interventions, gender and age groups the report is narrowed to.
    pub filter: crate::service::reports::ReportFilter,
    pub report: crate::service::reports::Report,
    pub scroll: u16,
    /// Columns scrolled to the right (wide tables: ← and →).
    pub hscroll: u16,
}

/// The consents of the shown intervention that no registration uses yet.
pub struct Consents {
    pub intervention: InterventionId,
    pub rows: Vec<UnusedConsent>,
    pub selected: usize,
}

pub struct Lookup {
    pub input: TextArea<'static>,
    pub hits: Option<Vec<LookupHit>>,
    pub selected: usize,
    pub error: Option<String>,
}

/// What covers the panes.
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Form(Box<Form>),
    Confirm(Box<Confirm>),
    Lookup(Box<Lookup>),
    Consents(Box<Consents>),
    Report(Box<ReportView>),
    /// One participant's record, with the questionnaire of its association (supplementary
    /// questions included) to name the answers.
    Detail(
        Box<ParticipantDetail>,
        Box<crate::domain::questionnaire::Catalogue>,
    ),
    Roles {
        targets: Vec<SwitchTarget>,
        selected: usize,
    },
    /// Setting or changing the user's unlock code (typed masked).
    UnlockCode(Box<super::unlock::CodeForm>),
    /// The information to a participant (GDPR art. 13), in the participant's language; or the
    /// association's record of processing activities (GDPR art. 30).
    Information(Box<InformationView>),
    /// The log reviewer's queue, or one finding of it.
    Review(Box<ReviewView>),
}

/// The log reviewer's queue as shown: a stretch of its rows (open ones first) read around the
/// chosen one, the chosen one's place in the whole queue, and the finding opened from it (its
/// entries and verdicts), scrolled.
#[derive(Debug)]
pub struct ReviewView {
    /// The rows read, from place `page.start` of the whole queue, and the queue's counts.
    pub page: crate::service::QueuePage,
    /// The chosen row's place in the whole queue.
    pub selected: usize,
    pub detail: Option<crate::service::ItemDetail>,
    pub scroll: u16,
}

/// Rows of the review queue read at a time.
pub const QUEUE_WINDOW: usize = 200;

/// Which text an [`InformationView`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The information to a participant of the intervention.
    Participant,
    /// The record of processing activities of the intervention's association.
    Record(crate::domain::ids::AssociationId),
}

/// The information to a participant of one intervention, or the record of its association, as
/// shown.
#[derive(Debug)]
pub struct InformationView {
    pub intervention: InterventionId,
    pub shown: Shown,
    pub swedish: bool,
    pub info: crate::service::Information,
    pub scroll: u16,
}

/// The participants pane: individuals for assigned handlers, aggregates for everyone.
#[derive(Default)]
pub struct Participants {
    pub intervention: Option<InterventionId>,
    pub access: Option<Access>,
    pub list: Window<ParticipantRow>,
    /// A search of the whole intervention (the filter, after Enter): the list holds its hits.
    pub search: Option<String>,
    /// The search found more hits than one window holds (the newest are shown).
    pub search_capped: bool,
    pub counters: Counters,
    pub anonymous: Vec<(Year, AnonymousCount)>,
    /// Consents of the intervention no registration uses yet (handlers only; else 0).
    pub unused: u64,
}

/// Where a scrolling list drew its rows in the last frame: lets the painter move the rows on
/// the terminal with a scroll instead of rewriting them all (see `server::paint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScrollMark {
    /// Which list and which window of it (a change means: not a scroll).
    pub key: u64,
    /// First screen row of the list's rows, and how many rows it shows.
    pub top: u16,
    pub height: u16,
    /// Index (among the visible rows) of the first row shown.
    pub start: usize,
}

/// A message on the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub error: bool,
    pub text: String,
}

pub struct App {
    pub session: Session,
    pub opts: Options,
    notices: broadcast::Receiver<Notice>,
    pub focus: Pane,
    pub interventions: Vec<InterventionView>,
    pub int_selected: usize,
    pub int_filter: String,
    /// The budget year whose planned and actual participants the interventions pane shows.
    pub year: Year,
    pub participants: Participants,
    pub audit: Window<Entry>,
    pub user_names: HashMap<UserId, String>,
    pub association: Option<String>,
    pub overlay: Option<Overlay>,
    /// The report screen while its filter form is open over it (back to it on save or cancel).
    pub report_behind: Option<Box<ReportView>>,
    /// The review queue behind an open verdict form (back to it on save or Esc).
    pub review_behind: Option<Box<ReviewView>>,
    /// While set, `/` input for the focused list.
    pub filtering: Option<TextArea<'static>>,
    pub mask: bool,
    /// The idle lock: personal data hidden until the user's unlock code is typed.
    pub locked: bool,
    /// What is typed at the lock, and what the last try said.
    pub lock: super::unlock::LockState,
    /// Why the session ended by itself (access withdrawn, too many wrong unlock codes): the
    /// terminal shows it as the session closes.
    pub ended: Option<String>,
    /// Why it ended, in a word for the system log ("deactivated", "wrong-unlock-codes", …).
    pub end_reason: Option<&'static str>,
    /// The day the lists were read on: on a new day they are read again (an assignment that
    /// ended yesterday no longer reaches anything).
    pub(super) day: chrono::NaiveDate,
    /// When other sessions' changes are next read in (see [`RELOAD_SPACING`]).
    pub reload_due: Option<Instant>,
    /// When they were last read in.
    pub last_reload: Option<Instant>,
    /// How many times other sessions' changes were read in.
    pub reloads: u64,
    pub last_input: Instant,
    pub status: Option<Status>,
    pub quit: bool,
    /// Rows the focused list showed in the last frame (for page up/down).
    pub page_rows: Cell<usize>,
    /// The participants and audit lists' positions in the last frame.
    pub scroll_marks: Cell<[Option<ScrollMark>; 2]>,
}

impl App {
    /// Opens the screen for a signed-in session and loads the first windows.
    pub fn new(session: Session, opts: Options, now: Instant) -> Result<App, ServiceError> {
        let notices = session.service().subscribe();
        let today = session.service().clock().today();
        let year = crate::domain::date::budget_year(today);
        let mut app = App {
            session,
            opts,
            notices,
            focus: Pane::Interventions,
            interventions: Vec::new(),
            int_selected: 0,
            int_filter: String::new(),
            year,
            participants: Participants::default(),
            audit: Window::default(),
            user_names: HashMap::new(),
            association: None,
            overlay: None,
            report_behind: None,
            review_behind: None,
            reload_due: None,
            last_reload: None,
            reloads: 0,
            filtering: None,
            mask: false,
            locked: false,
            lock: super::unlock::LockState::default(),
            ended: None,
            end_reason: None,
            day: today,
            last_input: now,
            status: None,
            quit: false,
            page_rows: Cell::new(10),
            scroll_marks: Cell::new([None, None]),
        };
        app.reload_all()?;
        // A user without an unlock code is asked for one at once (they may put it off; until
        // they set one, the idle lock cannot be opened and leaving it ends the session).
        if !app.session.has_unlock_code()? {
            app.open_code_form(true);
        }
        Ok(app)
    }

    pub fn lang(&self) -> Lang {
        self.opts.lang
    }

    /// Shows a service error in the status line, in the user's language.
    pub fn fail(&mut self, e: &ServiceError) {
        self.status = Some(Status {
            error: true,
            text: e.message(self.lang()),
        });
    }

    /// Says why something cannot be done (shown as an error).
    pub fn refuse(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            error: true,
            text: text.into(),
        });
    }

    pub fn say(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            error: false,
            text: text.into(),
        });
    }

    /// Called often by the session loop: applies change notices from other sessions and locks
    /// the screen after the idle time. A change to who may see what is checked first: a
    /// session whose access was withdrawn ends, one whose assignments narrowed drops what it
    /// may no longer show. Returns whether the screen must be redrawn.
    pub fn tick(&mut self, now: Instant) -> bool {
        // The database file cannot be written or read any more (a full disk): nothing more can
        // be saved, and the server stops to be started again. Say so, and end.
        if let Some(cause) = crate::service::storage_failure() {
            let text = storage_failed(cause, self.lang());
            self.end_session("storage-failed", text);
            return true;
        }
        let mut redraw = false;
        if !self.locked && now.duration_since(self.last_input) >= self.opts.idle_lock {
            self.lock_now();
            redraw = true;
        }
        let shown = self.participants.intervention;
        let mut reload = false;
        let mut lagged = false;
        let mut organisation = false;
        loop {
            match self.notices.try_recv() {
                // The service says whom a change concerns; this session's own changes were
                // reloaded when it made them.
                Ok(n) => {
                    reload |= n.concerns(self.session.session_id(), shown);
                    organisation |= n.scope == crate::service::NoticeScope::Organisation;
                }
                Err(broadcast::error::TryRecvError::Lagged(_)) => lagged = true,
                Err(_) => break,
            }
        }
        let new_day = self.today() != self.day;
        if organisation || lagged || new_day {
            self.day = self.today();
            if self.check_standing() {
                return true;
            }
            self.reload_narrowing();
            return true;
        }
        if reload && self.reload_due.is_none() {
            self.reload_due = Some(self.reload_time(now));
        }
        if self.reload_due.is_some_and(|due| now >= due) {
            self.reload_due = None;
            self.last_reload = Some(now);
            self.reloads += 1;
            let result = self
                .load_interventions()
                .and_then(|()| self.refresh_participants())
                .and_then(|()| self.load_audit(self.audit.this));
            if let Err(e) = result {
                self.fail(&e);
            }
            redraw = true;
        }
        redraw
    }

    /// When to read in other sessions' changes that arrived at `now`. A hundred sessions on one
    /// intervention all hear of every registration at the same moment; were they all to read
    /// their windows at once, for every registration, a keystroke arriving then would wait
    /// behind a hundred reloads on two cores. So each session reads in at most one batch of
    /// changes per [`RELOAD_SPACING`], and at its own offset in that interval (from its session
    /// id), so the reloads of many sessions are spread rather than stacked.
    fn reload_time(&self, now: Instant) -> Instant {
        let spacing = u64::try_from(RELOAD_SPACING.as_millis()).unwrap_or(500);
        let offset = std::time::Duration::from_millis(self.session.session_id() % spacing);
        let earliest = self
            .last_reload
            .map_or(now, |last| (last + RELOAD_SPACING).max(now));
        earliest + offset / 2
    }

    /// Records where list `which` (0 participants, 1 audit) drew its rows.
    pub fn mark_scroll(&self, which: usize, mark: ScrollMark) {
        let mut marks = self.scroll_marks.get();
        if let Some(m) = marks.get_mut(which) {
            *m = Some(mark);
        }
        self.scroll_marks.set(marks);
    }

    /// Text for the lock screen and the status line about the idle lock.
    pub fn idle_minutes(&self) -> u64 {
        self.opts.idle_lock.as_secs() / 60
    }

    /// "DEMO DATA" wherever the database is shown.
    pub fn demo_banner(&self) -> Option<&'static str> {
        self.session.is_demo().then(|| {
            tr(
                self.lang(),
                "DEMO DATA · every person is fictitious",
                "DEMODATA · alla personer är påhittade",
            )
        })
    }
}

/// The shortest time between two reads of other sessions' changes in one session; with the
/// session's own offset (up to half of it) a change by another session shows within about
/// three quarters of a second, plus the loop's tick.
pub const RELOAD_SPACING: std::time::Duration = std::time::Duration::from_millis(500);

/// What a user is told when the database's storage fails under their session.
fn storage_failed(cause: &str, lang: Lang) -> String {
    let full = cause.contains("os error 28") || cause.contains("No space left");
    match (lang, full) {
        (Lang::En, true) => "the server's disk is full, so nothing more can be saved. What you saved before is kept; what was not yet saved is not. The server restarts on its own once there is room: sign in again in a few minutes.".to_owned(),
        (Lang::Sv, true) => "serverns disk är full, så inget mer kan sparas. Det du sparat tidigare finns kvar; det som ännu inte var sparat är inte sparat. Servern startar om av sig själv när det finns plats: logga in igen om några minuter.".to_owned(),
        (Lang::En, false) => "the server cannot write to its database file (a disk error), so nothing more can be saved. What you saved before is kept. The server restarts on its own: sign in again in a few minutes.".to_owned(),
        (Lang::Sv, false) => "servern kan inte skriva till sin databasfil (ett diskfel), så inget mer kan sparas. Det du sparat tidigare finns kvar. Servern startar om av sig själv: logga in igen om några minuter.".to_owned(),
    }
}
