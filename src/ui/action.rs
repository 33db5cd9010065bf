//! What a key can do: every action of the terminal UI, declared once — the name keymap files
//! use, what help says it does, and the short word the footer shows, in English and Swedish.

use super::i18n::{Lang, tr};
use serde::Deserialize;

macro_rules! actions {
    ($(
        $name:ident = $key:literal,
        label($en:literal, $sv:literal)
        $(, hint($hen:literal, $hsv:literal))?;
    )*) => {
        /// An action a key runs. Keymap files name them in snake_case (`run = "register_in"`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Action {
            $($name,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$name,)*];

            /// The name keymap files use.
            pub fn key(self) -> &'static str {
                match self {
                    $(Action::$name => $key,)*
                }
            }

            /// What the action does, for help.
            #[must_use]
            pub fn label(self, lang: Lang) -> &'static str {
                match self {
                    $(Action::$name => tr(lang, $en, $sv),)*
                }
            }

            /// A short word for the footer (the label where none is shorter).
            #[must_use]
            pub fn hint(self, lang: Lang) -> &'static str {
                match self {
                    $(Action::$name => actions!(@hint lang, $en, $sv $(, $hen, $hsv)?),)*
                }
            }
        }
    };
    (@hint $lang:ident, $en:literal, $sv:literal) => { tr($lang, $en, $sv) };
    (@hint $lang:ident, $en:literal, $sv:literal, $hen:literal, $hsv:literal) => {
        tr($lang, $hen, $hsv)
    };
}

actions! {
    Quit = "quit", label("Quit", "Avsluta"), hint("quit", "avsluta");
    Help = "help", label("Help: every key", "Hjälp: alla tangenter"), hint("help", "hjälp");
    NextPane = "next_pane", label("Next pane", "Nästa panel"), hint("pane", "panel");
    PrevPane = "prev_pane", label("Previous pane", "Föregående panel");
    Up = "up", label("Up", "Upp");
    Down = "down", label("Down", "Ned");
    PageUp = "page_up", label("Page up", "Sida upp");
    PageDown = "page_down", label("Page down", "Sida ned");
    Top = "top", label("First", "Första");
    Bottom = "bottom", label("Last", "Sista");
    Open = "open", label("Open", "Öppna"), hint("open", "öppna");
    Back = "back", label("Back", "Tillbaka"), hint("back", "tillbaka");
    Filter = "filter", label("Filter the list", "Filtrera listan"), hint("filter", "filtrera");
    Lookup = "lookup", label("Look up a personnummer", "Sök personnummer"), hint("look up", "sök");
    RecordConsent = "record_consent",
        label("New: consent, then register in", "Ny: samtycke, sedan inskrivning"),
        hint("new", "ny");
    // Not "skriv ut" (that reads as "print"): the register's word is utskrivning.
    RegisterOut = "register_out", label("Register out", "Registrera utskrivning"),
        hint("out", "utskrivning");
    Misregister = "misregister", label("Misregistration (erase)", "Felregistrering (radera)");
    MarkProtected = "mark_protected", label("Protected identity", "Skyddad identitet");
    WithdrawConsent = "withdraw_consent", label("Consent withdrawn", "Samtycke återkallat");
    CorrectAnswers = "correct_answers", label("Correct answers", "Rätta svar");
    UnusedConsents = "unused_consents",
        label("Consents not yet used: register in or remove", "Samtycken som inte använts: skriv in eller ta bort"),
        hint("consents", "samtycken");
    UseConsent = "use_consent",
        label("Register in with the chosen consent", "Skriv in med det valda samtycket");
    RemoveConsent = "remove_consent",
        label("Remove the unused consent (erase)", "Ta bort det oanvända samtycket (radera)");
    RegisterAnonymous = "register_anonymous",
        label("Register anonymous participants", "Registrera anonyma deltagare"),
        hint("anonymous", "anonyma");
    EditIntervention = "edit_intervention",
        label("Edit the intervention: name, focus, end date…", "Ändra insatsen: namn, inriktning, slutdatum…"),
        hint("edit", "ändra");
    SetPlan = "set_plan",
        label("Year plan: planned participants, budget, outcome", "Årsplan: planerade deltagare, budget, utfall"),
        hint("plan", "plan");
    SetVolume = "set_volume",
        label("Count-only figures of a month (women, men)", "Volym: antal deltagare en månad (kvinnor, män)"),
        hint("volume", "volym");
    EditAssociation = "edit_association",
        label("Association settings", "Förbundets inställningar"),
        hint("association", "förbund");
    PrevYear = "prev_year", label("Previous budget year", "Föregående budgetår");
    Report = "report", label("Follow-up reports", "Uppföljningsrapporter"), hint("reports", "rapporter");
    NextReport = "next_report", label("Next report", "Nästa rapport");
    PrevReport = "prev_report", label("Previous report", "Föregående rapport");
    ReportGender = "report_gender",
        label("Women, men or everyone", "Kvinnor, män eller alla");
    ReportIntervention = "report_intervention",
        label("One intervention or all", "En insats eller alla");
    ReportAge = "report_age", label("One age group or all", "En åldersgrupp eller alla");
    ReportFilter = "report_filter",
        label("Period, interventions, gender and age groups", "Period, insatser, kön och åldersgrupper");
    ParticipantInformation = "participant_information",
        label("Information to the participant (GDPR art. 13)", "Information till deltagaren (GDPR art. 13)"),
        hint("information", "information");
    ProcessingRecord = "processing_record",
        label("The association's processing record (GDPR art. 30)", "Förbundets registerförteckning (GDPR art. 30)"),
        hint("record", "förteckning");
    InformationLanguage = "information_language",
        label("The other language (Swedish or English)", "Det andra språket (svenska eller engelska)");
    ExportInformation = "export_information",
        label("Save it as a text file to print", "Spara den som textfil att skriva ut");
    ReviewQueue = "review_queue",
        label("Log review: findings and samples to judge", "Logggranskning: fynd och stickprov att bedöma"),
        hint("review", "granska");
    JudgeItem = "judge_item",
        label("Judge: justified, needs follow-up or unauthorised", "Bedöm: befogad, kräver uppföljning eller obehörig"),
        hint("judge", "bedöm");
    ExportReport = "export_report",
        label("Export the report (CSV and Excel)", "Exportera rapporten (CSV och Excel)"),
        hint("export", "exportera");
    NextYear = "next_year", label("Next budget year", "Nästa budgetår");
    ToggleMask = "toggle_mask",
        label("Hide or show names (privacy mask)", "Dölj eller visa namn (integritetsskydd)"),
        hint("mask", "dölj");
    Lock = "lock", label("Lock the screen", "Lås skärmen");
    SetUnlockCode = "set_unlock_code",
        label("Set or change your unlock code", "Ange eller byt din upplåsningskod"),
        hint("unlock code", "upplåsningskod");
    SwitchRole = "switch_role", label("Switch role", "Byt roll"), hint("role", "roll");
    Refresh = "refresh", label("Reload", "Läs om");
    Submit = "submit", label("Save or confirm", "Spara eller bekräfta"), hint("save", "spara");
    Cancel = "cancel", label("Cancel (nothing is saved)", "Avbryt (inget sparas)"),
        hint("cancel", "avbryt");
    NextField = "next_field", label("Next field", "Nästa fält"), hint("next field", "nästa fält");
    PrevField = "prev_field", label("Previous field", "Föregående fält");
    Toggle = "toggle", label("Choose or unchoose an option", "Välj eller välj bort"),
        hint("choose", "välj");
    Advance = "advance",
        label("Next field; on the last field, save", "Nästa fält; på sista fältet: spara"),
        hint("next", "nästa");
}

impl Action {
    pub fn from_key(key: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.key() == key)
    }
}
