//! The information a participant is owed when their consent is recorded (GDPR Art. 13; domain
//! §10): who is responsible and how to reach them, why the data is recorded and on what legal
//! basis, what is recorded, how long it is kept, the rights to an extract and to correction,
//! withdrawing consent, and complaining to IMY — filled from the association's settings, in
//! Swedish or English (the participant's language, not necessarily the handler's).

use crate::organisation::Association;

/// One part of the text: a heading and its paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub text: String,
}

/// Where a setting the text needs is empty: said so, so that the gap is seen and filled.
fn or_missing(value: &str, swedish: bool) -> String {
    let v = value.trim();
    if !v.is_empty() {
        v.to_owned()
    } else if swedish {
        "(kontaktuppgift saknas: förbundets administratör fyller i den)".to_owned()
    } else {
        "(contact missing: the association's administrator fills it in)".to_owned()
    }
}

/// The title of the text.
pub fn title(a: &Association, swedish: bool) -> String {
    if swedish {
        format!("Så behandlas dina personuppgifter – {}", a.name)
    } else {
        format!("How your personal data is processed – {}", a.name)
    }
}

/// The information to a participant of one of `a`'s interventions. `legal_basis` is the
/// association's own wording where it has given one (its processing record); otherwise the text
/// names consent on form 9443, which every registration in this register rests on.
pub fn participant_information(
    a: &Association,
    legal_basis: Option<&str>,
    swedish: bool,
) -> Vec<Section> {
    let s = |heading: &str, text: String| Section {
        heading: heading.to_owned(),
        text,
    };
    let controller = or_missing(&a.controller, swedish);
    let dpo = or_missing(&a.dpo, swedish);
    let years = a.retention_years;
    let basis = legal_basis.map(str::trim).filter(|b| !b.is_empty());
    if swedish {
        vec![
            s(
                "Personuppgiftsansvarig",
                format!(
                    "{} ({}) ansvarar för behandlingen av dina personuppgifter. Kontakt: {controller}. Dataskyddsombud: {dpo}.",
                    a.name, a.org_number
                ),
            ),
            s(
                "Varför uppgifterna registreras",
                "För att följa upp de insatser som samordningsförbundet finansierar, i uppföljningssystemet för finansiell samordning (SUS). Resultaten redovisas bara som sammanställningar där ingen enskild kan pekas ut.".to_owned(),
            ),
            s(
                "Rättslig grund",
                basis.map_or_else(
                    || "Ditt skriftliga samtycke på Försäkringskassans blankett 9443. Det är frivilligt: du kan delta i insatsen även om du inte samtycker, och då registreras du bara som anonym (kön och startår).".to_owned(),
                    ToOwned::to_owned,
                ),
            ),
            s(
                "Vad som registreras",
                "Ditt namn, personnummer eller samordningsnummer, folkbokföringskommun och kön; vilken insats du deltar i och när du börjar och slutar; dina svar om din situation (sysselsättning, försörjning, utbildning, tid med offentlig försörjning, aktivitetsförmåga) när du börjar och när du slutar; och varför du slutar. Namn och personnummer lagras krypterade. Bara handläggare som arbetar med insatsen ser uppgifter om dig, och varje gång någon gör det loggas det.".to_owned(),
            ),
            s(
                "Hur länge",
                format!(
                    "Uppgifter som kan knytas till dig gallras {years} år efter att du skrivits ut ur insatsen. Därefter finns bara sammanställningar kvar."
                ),
            ),
            s(
                "Dina rättigheter",
                "Du har rätt att få ett registerutdrag med allt som finns om dig, också vem som har tittat på uppgifterna och när, och att få felaktiga uppgifter rättade. Vänd dig till din handläggare eller till den personuppgiftsansvarige.".to_owned(),
            ),
            s(
                "Återkalla samtycket",
                "Du kan när som helst återkalla ditt samtycke. Från den dagen registreras inga nya uppgifter om dig; det som redan har registrerats finns kvar tills det gallras.".to_owned(),
            ),
            s(
                "Klagomål",
                "Om du anser att dina uppgifter behandlas fel kan du klaga hos Integritetsskyddsmyndigheten (IMY), www.imy.se, Box 8114, 104 20 Stockholm.".to_owned(),
            ),
        ]
    } else {
        vec![
            s(
                "Controller",
                format!(
                    "{} ({}) is responsible for processing your personal data. Contact: {controller}. Data-protection officer: {dpo}.",
                    a.name, a.org_number
                ),
            ),
            s(
                "Why the data is recorded",
                "To follow up the interventions the coordination association funds, in the follow-up system for financial coordination (SUS). Results are only ever reported as totals in which no one can be singled out.".to_owned(),
            ),
            s(
                "Legal basis",
                basis.map_or_else(
                    || "Your written consent on Försäkringskassan's form 9443. It is voluntary: you may take part in the intervention without consenting, and you are then only counted anonymously (gender and start year).".to_owned(),
                    ToOwned::to_owned,
                ),
            ),
            s(
                "What is recorded",
                "Your name, personal identity or coordination number, municipality of residence and gender; which intervention you take part in and when you start and end; your answers about your situation (occupation, income, education, time on public support, ability to take part in activities) when you start and when you end; and why you end. Names and identity numbers are stored encrypted. Only the staff working with the intervention see your data, and every time they do, it is logged.".to_owned(),
            ),
            s(
                "How long",
                format!(
                    "Data that can be linked to you is deleted {years} years after you are registered out of the intervention. Only totals remain after that."
                ),
            ),
            s(
                "Your rights",
                "You have the right to an extract of everything held about you, including who has looked at it and when, and to have wrong data corrected. Ask your case handler or the controller.".to_owned(),
            ),
            s(
                "Withdrawing consent",
                "You may withdraw your consent at any time. From that day no new data about you is recorded; what has already been recorded stays until it is deleted.".to_owned(),
            ),
            s(
                "Complaints",
                "If you think your data is processed wrongly, you may complain to the Swedish Authority for Privacy Protection (IMY), www.imy.se, Box 8114, 104 20 Stockholm, Sweden.".to_owned(),
            ),
        ]
    }
}

/// The text as plain lines for print: the title, then each heading and its paragraph.
pub fn render(title: &str, sections: &[Section]) -> String {
    let mut out = title.to_owned();
    out.push('\n');
    for s in sections {
        out.push('\n');
        out.push_str(&s.heading);
        out.push('\n');
        out.push_str(&s.text);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organisation::OrgNumber;

    fn association(controller: &str, dpo: &str) -> Association {
        Association {
            id: crate::ids::AssociationId(1),
            name: "Samordningsförbundet Norrvik".into(),
            org_number: OrgNumber::parse("222000-1230").unwrap_or_else(|_| unreachable!()),
            description: String::new(),
            municipalities: Vec::new(),
            start: chrono::NaiveDate::default(),
            end: None,
            supplementary: Vec::new(),
            focus_options: Vec::new(),
            controller: controller.into(),
            dpo: dpo.into(),
            retention_years: 7,
            small_cell_threshold: 3,
        }
    }

    fn as_text(a: &Association, legal_basis: Option<&str>, swedish: bool) -> String {
        render(
            &title(a, swedish),
            &participant_information(a, legal_basis, swedish),
        )
    }

    #[test]
    fn the_participants_information_names_everything_article_13_asks_for_in_both_languages() {
        let a = association("forbundet@norrvik.example", "dso@norrvik.example");
        for (swedish, words) in [
            (
                true,
                &[
                    "Samordningsförbundet Norrvik",
                    "forbundet@norrvik.example",
                    "dso@norrvik.example",
                    "blankett 9443",
                    "7 år",
                    "registerutdrag",
                    "rättade",
                    "återkalla",
                    "IMY",
                ][..],
            ),
            (
                false,
                &[
                    "Samordningsförbundet Norrvik",
                    "forbundet@norrvik.example",
                    "dso@norrvik.example",
                    "form 9443",
                    "7 years",
                    "extract",
                    "corrected",
                    "withdraw",
                    "IMY",
                ][..],
            ),
        ] {
            let text = as_text(&a, None, swedish);
            for w in words {
                assert!(text.contains(w), "{w}: {text}");
            }
        }
        // The association's own legal basis replaces the default wording.
        let own = as_text(&a, Some("Samtycke, art. 6.1 a och 9.2 a"), true);
        assert!(own.contains("art. 6.1 a"));
        assert!(!own.contains("blankett 9443. Det är frivilligt"));
    }

    #[test]
    fn a_missing_contact_is_said_to_be_missing() {
        let a = association("", " ");
        let sv = as_text(&a, None, true);
        assert_eq!(sv.matches("kontaktuppgift saknas").count(), 2, "{sv}");
        let en = as_text(&a, None, false);
        assert_eq!(en.matches("contact missing").count(), 2, "{en}");
    }
}
