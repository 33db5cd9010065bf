//! Swedish and English. Every string on screen comes through here in both languages, so a
//! missing translation cannot compile.

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
        A::RemoveConsent => ("unused consent removed", "oanvänt samtycke borttaget"),
        A::SetPlan => ("year plan set", "årsplan angiven"),
        A::RunReport => ("report run", "rapport körd"),
        A::Backup => ("backup taken", "säkerhetskopia tagen"),
        A::Restore => ("restored from backup", "återställd från säkerhetskopia"),
        A::SetUnlockCode => ("unlock code set", "upplåsningskod satt"),
        A::ResetUnlockCode => ("unlock code reset", "upplåsningskod återställd"),
        A::UnlockFailed => ("wrong unlock code", "fel upplåsningskod"),
        A::UpdateProcessingRecord => ("processing record changed", "registerförteckning ändrad"),
        A::AccessRefused => ("access refused", "åtkomst nekad"),
        A::ReviewRun => ("log review run", "logggranskning körd"),
        A::ReviewVerdict => ("review verdict", "granskningsbedömning"),
        A::SetReviewRules => ("review rules changed", "granskningsregler ändrade"),
    };
    tr(lang, en, sv)
}

/// A field an audit entry names as changed, in words ("in date", "inskrivningsdatum"); a field
/// this version does not know keeps its stored name.
#[must_use]
pub fn audit_field(field: &str, lang: Lang) -> &str {
    let (en, sv) = match field {
        "*" => ("everything", "allt"),
        "consent" => ("consent", "samtycke"),
        "consent_withdrawn" => ("consent withdrawn", "samtycke återkallat"),
        "in_date" => ("in date", "inskrivningsdatum"),
        "out_date" => ("out date", "utskrivningsdatum"),
        "gender" => ("gender", "kön"),
        "answers_in" => ("answers in", "svar vid inskrivning"),
        "answers_out" => ("answers out", "svar vid utskrivning"),
        "end_reason" => ("end reason", "avslutningsorsak"),
        "pnr" => ("personnummer", "personnummer"),
        "name" => ("name", "namn"),
        "municipality" => ("municipality", "kommun"),
        "anonymous" => ("anonymous", "anonyma"),
        "volume" => ("volume", "volym"),
        "participations" => ("participations", "deltaganden"),
        "supplementary" => ("supplementary questions", "kompletterande frågor"),
        "ssh_key" => ("SSH key", "SSH-nyckel"),
        "username" => ("user name", "användarnamn"),
        "display_name" => ("full name", "namn"),
        "roles" => ("roles", "roller"),
        "role" => ("role", "roll"),
        "active" => ("active", "aktiv"),
        "scope" => ("scope", "omfattning"),
        "from" => ("from", "från"),
        "to" => ("to", "till"),
        "org_number" => ("organisation number", "organisationsnummer"),
        "start" => ("start", "start"),
        "measurement" => ("measurement method", "mätmetod"),
        "description" => ("description", "beskrivning"),
        "target_groups" => ("target groups", "målgrupper"),
        "focus" => ("detailed focus", "preciserad inriktning"),
        "direction" => ("direction", "inriktning"),
        "end" => ("end date", "slutdatum"),
        "planned_participants" => ("planned participants", "planerade deltagare"),
        "cost_budget" => ("cost budget", "budget kostnad"),
        "cost_outcome" => ("cost outcome", "utfall kostnad"),
        "esf_budget" => ("ESF budget", "budget ESF"),
        "esf_outcome" => ("ESF outcome", "utfall ESF"),
        "municipalities" => ("municipalities", "kommuner"),
        "controller" => ("controller", "personuppgiftsansvarig"),
        "dpo" => ("data-protection officer", "dataskyddsombud"),
        "retention_years" => ("retention years", "lagringstid"),
        "small_cell_threshold" => ("small-cell threshold", "gräns för små tal"),
        "focus_options" => ("detailed focuses", "preciserade inriktningar"),
        "plan" => ("year plan", "årsplan"),
        "women" => ("women", "kvinnor"),
        "men" => ("men", "män"),
        // The sections of the processing record.
        "purpose" => ("purposes", "ändamål"),
        "legal_basis" => ("legal bases", "rättsliga grunder"),
        "people" => ("categories of data subjects", "kategorier av registrerade"),
        "data" => (
            "categories of personal data",
            "kategorier av personuppgifter",
        ),
        "recipients" => ("recipients", "mottagare"),
        "retention" => ("retention", "lagringstid"),
        "security" => ("security measures", "säkerhetsåtgärder"),
        "transfers" => (
            "transfers to third countries",
            "överföring till tredje land",
        ),
        _ => return field,
    };
    match lang {
        Lang::En => en,
        Lang::Sv => sv,
    }
}
