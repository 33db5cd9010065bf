//! Swedish and English. Every string on screen comes through here in both languages, so a
//! missing translation cannot compile.

use super::action::Action;
pub use crate::service::Lang;

/// The English or Swedish text.
#[must_use]
pub fn tr(lang: Lang, en: &'static str, sv: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Sv => sv,
    }
}

/// Whether Swedish is used (the domain's labels take a `swedish` flag).
#[must_use]
pub fn sv(lang: Lang) -> bool {
    lang == Lang::Sv
}

/// What an action does, for help and hints.
#[must_use]
pub fn action_label(action: Action, lang: Lang) -> &'static str {
    let (en, sv) = match action {
        Action::Quit => ("Quit", "Avsluta"),
        Action::Help => ("Help: every key", "Hjälp: alla tangenter"),
        Action::NextPane => ("Next pane", "Nästa panel"),
        Action::PrevPane => ("Previous pane", "Föregående panel"),
        Action::Up => ("Up", "Upp"),
        Action::Down => ("Down", "Ned"),
        Action::PageUp => ("Page up", "Sida upp"),
        Action::PageDown => ("Page down", "Sida ned"),
        Action::Top => ("First", "Första"),
        Action::Bottom => ("Last", "Sista"),
        Action::Open => ("Open", "Öppna"),
        Action::Back => ("Back", "Tillbaka"),
        Action::Filter => ("Filter the list", "Filtrera listan"),
        Action::Lookup => ("Look up a personnummer", "Sök personnummer"),
        Action::RecordConsent => (
            "New: consent, then register in",
            "Ny: samtycke, sedan inskrivning",
        ),
        Action::RegisterOut => ("Register out", "Skriv ut"),
        Action::Misregister => ("Misregistration (erase)", "Felregistrering (radera)"),
        Action::MarkProtected => ("Protected identity", "Skyddad identitet"),
        Action::WithdrawConsent => ("Consent withdrawn", "Samtycke återkallat"),
        Action::CorrectAnswers => ("Correct answers", "Rätta svar"),
        Action::RegisterAnonymous => (
            "Register anonymous participants",
            "Registrera anonyma deltagare",
        ),
        Action::ToggleMask => (
            "Hide or show names (privacy mask)",
            "Dölj eller visa namn (integritetsskydd)",
        ),
        Action::Lock => ("Lock the screen", "Lås skärmen"),
        Action::SwitchRole => ("Switch role", "Byt roll"),
        Action::Refresh => ("Reload", "Läs om"),
        Action::Submit => ("Save or confirm", "Spara eller bekräfta"),
        Action::Cancel => ("Cancel (nothing is saved)", "Avbryt (inget sparas)"),
        Action::NextField => ("Next field", "Nästa fält"),
        Action::PrevField => ("Previous field", "Föregående fält"),
        Action::Toggle => ("Choose or unchoose an option", "Välj eller välj bort"),
        Action::Advance => (
            "Next field; on the last field, save",
            "Nästa fält; på sista fältet: spara",
        ),
    };
    tr(lang, en, sv)
}

/// A short label for footer hints.
#[must_use]
pub fn action_hint(action: Action, lang: Lang) -> &'static str {
    let (en, sv) = match action {
        Action::Quit => ("quit", "avsluta"),
        Action::Help => ("help", "hjälp"),
        Action::NextPane => ("pane", "panel"),
        Action::Open => ("open", "öppna"),
        Action::Back => ("back", "tillbaka"),
        Action::Filter => ("filter", "filtrera"),
        Action::Lookup => ("look up", "sök"),
        Action::RecordConsent => ("new", "ny"),
        Action::RegisterOut => ("out", "skriv ut"),
        Action::RegisterAnonymous => ("anonymous", "anonyma"),
        Action::ToggleMask => ("mask", "dölj"),
        Action::Submit => ("save", "spara"),
        Action::Advance => ("next", "nästa"),
        Action::Cancel => ("cancel", "avbryt"),
        Action::NextField => ("next field", "nästa fält"),
        Action::Toggle => ("choose", "välj"),
        Action::SwitchRole => ("role", "roll"),
        _ => return action_label(action, lang),
    };
    tr(lang, en, sv)
}

/// An audit action, in words.
#[must_use]
pub fn audit_action(action: crate::domain::audit::Action, lang: Lang) -> &'static str {
    use crate::domain::audit::Action as A;
    let (en, sv) = match action {
        A::Init => ("database created", "databas skapad"),
        A::CreateAssociation => ("association created", "förbund skapat"),
        A::UpdateAssociation => ("association changed", "förbund ändrat"),
        A::CreateIntervention => ("intervention created", "insats skapad"),
        A::UpdateIntervention => ("intervention changed", "insats ändrad"),
        A::CreateUser => ("user created", "användare skapad"),
        A::UpdateUser => ("user changed", "användare ändrad"),
        A::AddSshKey => ("SSH key added", "SSH-nyckel tillagd"),
        A::RemoveSshKey => ("SSH key removed", "SSH-nyckel borttagen"),
        A::Assign => ("assigned", "uppdrag givet"),
        A::EndAssignment => ("assignment ended", "uppdrag avslutat"),
        A::RecordConsent => ("consent recorded", "samtycke registrerat"),
        A::RegisterIn => ("registered in", "inskriven"),
        A::RegisterOut => ("registered out", "utskriven"),
        A::CorrectAnswers => ("answers corrected", "svar rättade"),
        A::WithdrawConsent => ("consent withdrawn", "samtycke återkallat"),
        A::ProtectedIdentity => ("protected identity", "skyddad identitet"),
        A::Misregistration => ("misregistration erased", "felregistrering raderad"),
        A::RegisterAnonymous => ("anonymous registered", "anonyma registrerade"),
        A::SetVolume => ("volume set", "volym angiven"),
        A::ViewParticipant => ("participant opened", "deltagare öppnad"),
        A::LookupPersonnummer => ("personnummer searched", "personnummer sökt"),
        A::ImportBatch => ("import", "import"),
        A::Login => ("signed in", "inloggning"),
        A::LoginFailed => ("failed sign-in", "misslyckad inloggning"),
        A::RetentionPurge => ("retention purge", "gallring"),
        A::DataSubjectExtract => ("register extract", "registerutdrag"),
        A::CorrectIdentity => ("identity corrected", "identitet rättad"),
        A::RevealIdentity => ("identity revealed", "identitet röjd"),
    };
    tr(lang, en, sv)
}
