//! The record as this register really is, before an association changes it: what the program
//! records, to whom it gives anything, and how it protects it. Each line is true of the code
//! (see the comments); the legal bases are left empty for the association to fill in.

use super::{ProcessingRecord, Purpose, Text};

fn t(sv: &str, en: &str) -> Text {
    Text::new(sv, en)
}

fn purpose(sv: &str, en: &str) -> Purpose {
    Purpose {
        purpose: t(sv, en),
        legal_basis: Text::default(),
    }
}

impl ProcessingRecord {
    /// The record describing this register as the program keeps it; legal bases empty.
    pub fn default_for_this_register() -> ProcessingRecord {
        ProcessingRecord {
            purposes: vec![
                // domain §9: follow-up is the register's purpose.
                purpose(
                    "Uppföljning av de insatser som förbundet finansierar: deltagare registreras in och ut med sina svar om sin situation före och efter, och resultaten sammanställs till statistik där ingen enskild kan pekas ut.",
                    "Follow-up of the interventions the association funds: participants are registered in and out with their answers about their situation before and after, and the results are summed into statistics in which no one can be singled out.",
                ),
                // domain §8, §10: the audit log, its review and the reveal of a pseudonym.
                purpose(
                    "Loggning och granskning av åtkomst: varje ändring och varje visning av en persons uppgifter loggas, och loggen granskas, för att skydda uppgifterna.",
                    "Logging and review of access: every change and every view of a person's data is logged, and the log is reviewed, to protect the data.",
                ),
                // domain §5: extracts, corrections, withdrawal, protected identity, erasure.
                purpose(
                    "De registrerades rättigheter: registerutdrag (också vem som har sett uppgifterna), rättelse, återkallat samtycke, skyddade personuppgifter och radering av felregistreringar.",
                    "The data subjects' rights: extracts (including who has seen the data), correction, withdrawn consent, protected identity and erasure of misregistrations.",
                ),
                // domain §2: users, roles, assignments, SSH keys, unlock codes.
                purpose(
                    "Personalens behörigheter: användare, roller, uppdrag, inloggningsnycklar och upplåsningskoder.",
                    "The staff's access: users, roles, assignments, sign-in keys and unlock codes.",
                ),
            ],
            people: vec![
                t(
                    "Deltagare i förbundets insatser som har samtyckt på Försäkringskassans blankett 9443.",
                    "Participants in the association's interventions who have consented on Försäkringskassan's form 9443.",
                ),
                // domain §4: anonymous participants carry no link to a person.
                t(
                    "Anonyma deltagare (utan samtycke eller med skyddade personuppgifter): bara insats, kön och startår, utan koppling till en person.",
                    "Anonymous participants (without consent or with protected identity): only the intervention, gender and start year, with no link to a person.",
                ),
                t(
                    "Personal som använder registret: deltagaransvariga, insatsansvariga, samverkansadministratörer, uppföljare, logggranskare och systemadministratörer.",
                    "Staff who use the register: participant handlers, intervention managers, association administrators, report readers, log reviewers and system administrators.",
                ),
            ],
            data: vec![
                // insats_domain::person::Identity, Participation::gender.
                t(
                    "Identitet: personnummer eller samordningsnummer, namn och folkbokföringskommun (krypterade), kön.",
                    "Identity: personal identity or coordination number, name and municipality of residence (encrypted), gender.",
                ),
                // insats_domain::consent::ConsentEvidence, PersonRow::withdrawn_on.
                t(
                    "Samtycket: när det undertecknades, av deltagaren eller vårdnadshavaren, om en minderårig bedömts mogen, vem som tog emot det och när originalet skickades vidare; när det återkallades.",
                    "The consent: when it was signed, by the participant or a guardian, whether a minor was judged mature, who received it and when the original was sent on; when it was withdrawn.",
                ),
                // insats_domain::participation::Participation.
                t(
                    "Deltagandet: insats, datum för in- och utskrivning, ålder vid inskrivningen och avslutningsanledning.",
                    "The participation: intervention, dates registered in and out, age when registered in and the reason for ending.",
                ),
                // catalogue/default.toml and the association's supplementary questions.
                t(
                    "Svar vid in- och utskrivning: sysselsättning, försörjningskällor, utbildningsnivå, tid i offentlig försörjning, självskattad aktivitetsförmåga och förbundets kompletterande frågor. Svar om sjukpenning, sjuk- eller aktivitetsersättning och aktivitetsförmåga kan säga något om hälsa.",
                    "Answers when registered in and out: occupation, sources of income, education, time on public support, self-rated activity ability and the association's supplementary questions. Answers about sickness benefit, sickness or activity compensation and activity ability can say something about health.",
                ),
                // insats_domain::audit::Draft: pseudonyms, never names or numbers.
                t(
                    "Loggen: tid, användare, roll, session, förbund och insats, deltagarens pseudonym (aldrig namn eller personnummer), vad som gjordes och vilka fält som ändrades.",
                    "The log: time, user, role, session, association and intervention, the participant's pseudonym (never a name or number), what was done and which fields changed.",
                ),
                // insats_domain::user::User, Assignment, SshKey, UnlockCode.
                t(
                    "Personal: användarnamn, namn, roller, uppdrag, publika SSH-nycklar och upplåsningskod (bara som argon2-hash).",
                    "Staff: user name, name, roles, assignments, public SSH keys and unlock code (only as an argon2 hash).",
                ),
            ],
            recipients: vec![
                // Reports are aggregates with small cells hidden (domain §9); nothing is sent.
                t(
                    "Inga mottagare utanför förbundet får personuppgifter ur registret. Uppföljningsrapporter lämnar det bara som sammanställningar, där små tal döljs för alla roller utom deltagaransvariga.",
                    "No recipient outside the association receives personal data from the register. Follow-up reports leave it only as totals, with small numbers hidden for every role except participant handlers.",
                ),
                t(
                    "Den registrerade själv: ett registerutdrag på begäran.",
                    "The data subject: an extract on request.",
                ),
            ],
            retention: Vec::new(),
            security: vec![
                // insats_store::crypto: ChaCha20-Poly1305 fields, HMAC-SHA256 blind index.
                t(
                    "Personnummer, namn och folkbokföringskommun krypteras fält för fält (ChaCha20-Poly1305) med en nyckel i en nyckelfil utanför databasen; sökning på personnummer går via en nycklad hash (HMAC-SHA256), så numret finns aldrig i klartext i filen.",
                    "Personal identity numbers, names and municipalities are encrypted field by field (ChaCha20-Poly1305) with a key in a key file outside the database; look-ups by number go through a keyed hash (HMAC-SHA256), so the number is never in the file in clear.",
                ),
                // insats_service policy: every call checks role and assignment.
                t(
                    "Behörighet efter roll och uppdrag, prövad vid varje anrop: bara deltagaransvariga med aktivt uppdrag i insatsen ser enskilda deltagare; övriga roller ser sammanställningar. Otillåtna rollkombinationer nekas.",
                    "Access by role and assignment, checked on every call: only participant handlers with an active assignment to the intervention see individual participants; other roles see totals. Forbidden combinations of roles are refused.",
                ),
                // insats_store::audit, insats audit verify / checkpoint.
                t(
                    "Varje ändring och varje visning av en persons uppgifter loggas i samma transaktion; loggposterna är kedjade med HMAC-SHA256 (insats audit verify), och kontrollpunkter av kedjan sparas utanför servern (insats audit checkpoint), så att en omskriven logg upptäcks.",
                    "Every change and every view of a person's data is logged in the same transaction; the entries are chained with HMAC-SHA256 (insats audit verify), and checkpoints of the chain are kept off the server (insats audit checkpoint), so that a rewritten log is caught.",
                ),
                t(
                    "Loggen visar bara pseudonymer; en logggranskare kan ta fram identiteten bakom en pseudonym bara med ett angivet skäl, som själv loggas.",
                    "The log shows only pseudonyms; a log reviewer can reveal the identity behind one only with a stated reason, which is logged too.",
                ),
                // src/server/ssh: public keys only; revoked sessions end (README).
                t(
                    "Inloggning över SSH bara med nycklar, inga lösenord; tas en nyckel bort eller en användare inaktiveras avslutas pågående sessioner inom en sekund.",
                    "Sign-in over SSH with keys only, no passwords; removing a key or deactivating a user ends their open sessions within a second.",
                ),
                // src/ui lock: --lock-after 5, argon2id, three tries.
                t(
                    "Skärmen låses efter inaktivitet (standard 5 minuter) och öppnas bara med användarens personliga upplåsningskod, sparad som argon2id-hash; tre fel i rad avslutar sessionen. Integritetsläget döljer namn och personnummer på skärmen.",
                    "The screen locks when idle (5 minutes by default) and opens only with the user's personal unlock code, kept as an argon2id hash; three wrong codes in a row end the session. The privacy mask hides names and numbers on screen.",
                ),
                // src/cli/modes.rs.
                t(
                    "Databasfilen och nyckelfilen kan bara läsas av sin ägare (0600), datamappen 0700; servern startar inte om någon annan kan läsa dem.",
                    "The database and key files can be read only by their owner (0600), the data folder is 0700; the server does not start if anyone else could read them.",
                ),
                // insats_store::Store::scrub.
                t(
                    "Raderade uppgifter skrivs över: efter en radering nollställs databasfilens lediga sidor.",
                    "Erased data is overwritten: after an erasure the free pages of the database file are zeroed.",
                ),
                // insats_service::backup, insats_store::journal (README "Backups").
                t(
                    "Säkerhetskopior tas medan registret används och krypteras (age) till en nyckel som inte finns på servern; nyckelfilen ingår inte i dem. Varje radering förs också, utan personuppgifter, i en raderingsjournal utanför säkerhetskopiorna, och en återställning gör om varje radering som gjorts efter kopian, så att en raderad person aldrig kommer tillbaka. Schemalagda kopior sparas högst 35 dagar.",
                    "Backups are taken while the register is in use and encrypted (age) to a key that is not on the server; the key file is not inside them. Every erasure is also recorded, without personal data, in an erasure journal kept apart from the backups, and a restore re-applies every erasure made after the backup, so an erased person never comes back. Scheduled backups are kept at most 35 days.",
                ),
            ],
            transfers: t(
                "Inga. Programmet skickar inga uppgifter någonstans: allt finns i databasfilen och nyckelfilen på den dator där det körs.",
                "None. The program sends data nowhere: everything is in the database and key files on the computer it runs on.",
            ),
        }
    }
}
