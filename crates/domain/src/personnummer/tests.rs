//! Personnummer parsing, check digits, century rules, error messages and privacy: known values
//! and property tests (any input is refused or parsed without panicking; valid numbers round-trip).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use proptest::prelude::*;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as DeError, StrDeserializer};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn reference() -> NaiveDate {
    date(2026, 5, 9)
}

/// Appends the correct check digit to 9 digits written as text.
fn with_check(nine: &str) -> String {
    let values: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    format!("{nine}{}", luhn_check_digit(&values))
}

fn parse(s: &str) -> Result<Personnummer, PnrError> {
    Personnummer::parse(s, reference())
}

#[test]
fn luhn_known_values() {
    assert_eq!(luhn_check_digit(&[8, 1, 1, 2, 1, 8, 9, 8, 7]), 6);
    assert_eq!(luhn_check_digit(&[1, 2, 1, 2, 1, 2, 1, 2, 1]), 2);
    assert_eq!(luhn_check_digit(&[7, 0, 1, 0, 6, 3, 2, 3, 9]), 1);
    assert_eq!(luhn_check_digit(&[5, 5, 6, 0, 1, 6, 0, 6, 8]), 0);
    assert_eq!(luhn_check_digit(&[]), 0);
    // Out-of-range values do not panic.
    let _ = luhn_check_digit(&[255; 64]);
}

#[test]
fn accepts_every_format() {
    let expected = "198112189876";
    for input in [
        "811218-9876",
        "8112189876",
        "198112189876",
        "19811218-9876",
        "  811218-9876\t",
        "\n19811218-9876 ",
    ] {
        let p = parse(input).unwrap();
        assert_eq!(p.digits12(), expected, "format {input:?}");
    }
    let plus = parse("121212+1212").unwrap();
    assert_eq!(plus.digits12(), "191212121212");
}

#[test]
fn known_valid_number_fields() {
    let p = parse("811218-9876").unwrap();
    assert_eq!(p.birth_date(), date(1981, 12, 18));
    assert_eq!(p.kind(), PnrKind::Personnummer);
    assert_eq!(p.gender(), Gender::Man);
    assert_eq!(p.formatted(), "19811218-9876");
    assert_eq!(p.to_string(), "19811218-9876");
    assert_eq!(p.masked(), "19811218-****");
}

#[test]
fn century_from_reference_and_separator() {
    // Minus or no separator: under 100 and not born after the reference date.
    let p = Personnummer::parse("121212-1212", date(2026, 1, 1)).unwrap();
    assert_eq!(p.digits12(), "201212121212");
    let p = Personnummer::parse("1212121212", date(2026, 1, 1)).unwrap();
    assert_eq!(p.digits12(), "201212121212");
    let p = Personnummer::parse("121212-1212", date(2012, 12, 12)).unwrap();
    assert_eq!(p.digits12(), "201212121212");
    let p = Personnummer::parse("121212-1212", date(2012, 12, 11)).unwrap();
    assert_eq!(p.digits12(), "191212121212");
    let p = Personnummer::parse("121212-1212", date(2010, 6, 1)).unwrap();
    assert_eq!(p.digits12(), "191212121212");
    // Plus: 100 or older.
    let p = Personnummer::parse("121212+1212", date(2026, 1, 1)).unwrap();
    assert_eq!(p.digits12(), "191212121212");
    let p = Personnummer::parse("121212+1212", date(2010, 6, 1)).unwrap();
    assert_eq!(p.digits12(), "181212121212");
    // A birthday later in the reference year goes back one century.
    let n = with_check("261231123");
    let p = Personnummer::parse(&n, date(2026, 6, 1)).unwrap();
    assert_eq!(p.birth_date(), date(1926, 12, 31));
    assert_eq!(p.age_on(date(2026, 6, 1)), 99);
}

#[test]
fn plus_century() {
    let p = parse("121212+1212").unwrap();
    assert_eq!(p.birth_date(), date(1912, 12, 12));
    assert_eq!(p.age_on(reference()), 113);
    // Exactly 100 on the reference date with 12 digits and a plus.
    let n = format!("19{}", with_check("261212123"));
    let plus12 = format!("{}+{}", &n[..8], &n[8..]);
    assert!(Personnummer::parse(&plus12, date(2026, 12, 12)).is_ok());
    assert_eq!(
        Personnummer::parse(&plus12, date(2026, 12, 11)),
        Err(PnrError::Separator)
    );
    // Twelve digits with a minus are fine at any age.
    let minus12 = format!("{}-{}", &n[..8], &n[8..]);
    assert!(Personnummer::parse(&minus12, date(2030, 1, 1)).is_ok());
    assert_eq!(
        Personnummer::parse("19811218+9876", reference()),
        Err(PnrError::Separator)
    );
}

#[test]
fn samordningsnummer() {
    let p = parse("701063-2391").unwrap();
    assert_eq!(p.kind(), PnrKind::Samordningsnummer);
    assert_eq!(p.birth_date(), date(1970, 10, 3));
    assert_eq!(p.digits12(), "197010632391");
    assert_eq!(p.formatted(), "19701063-2391");
    assert_eq!(p.gender(), Gender::Man);
    assert_eq!(parse("19701063-2391").unwrap(), p);
    assert_eq!(Personnummer::from_digits12("197010632391").unwrap(), p);
    // Day 91 is the highest (real day 31).
    let n = with_check("700191123");
    assert_eq!(parse(&n).unwrap().birth_date(), date(1970, 1, 31));
}

#[test]
fn leap_day() {
    let n = format!("20{}", with_check("000229123"));
    assert_eq!(parse(&n).unwrap().birth_date(), date(2000, 2, 29));
    // Ten digits: 2000 is a leap year, 1900 is not.
    let ten = with_check("000229123");
    let p = parse(&format!("{}-{}", &ten[..6], &ten[6..])).unwrap();
    assert_eq!(p.birth_date(), date(2000, 2, 29));
    assert_eq!(
        parse(&format!("{}+{}", &ten[..6], &ten[6..])),
        Err(PnrError::Day)
    );
    let n = format!("19{}", with_check("000229123"));
    assert_eq!(parse(&n), Err(PnrError::Day));
    let n = format!("20{}", with_check("010229123"));
    assert_eq!(parse(&n), Err(PnrError::Day));
    // Samordningsnummer on a leap day: day 89.
    let n = format!("20{}", with_check("040289123"));
    assert_eq!(parse(&n).unwrap().birth_date(), date(2004, 2, 29));
    // Age of someone born on 29 February.
    let p = Personnummer::from_digits12(&format!("20{}", with_check("000229123"))).unwrap();
    assert_eq!(p.age_on(date(2001, 2, 28)), 0);
    assert_eq!(p.age_on(date(2001, 3, 1)), 1);
    assert_eq!(p.age_on(date(2004, 2, 29)), 4);
}

#[test]
fn gender_from_ninth_digit() {
    assert_eq!(
        parse(&with_check("811218987")).unwrap().gender(),
        Gender::Man
    );
    assert_eq!(
        parse(&with_check("811218982")).unwrap().gender(),
        Gender::Woman
    );
    assert_eq!(
        parse(&with_check("811218980")).unwrap().gender(),
        Gender::Woman
    );
    assert_eq!(
        parse(&with_check("811218989")).unwrap().gender(),
        Gender::Man
    );
}

#[test]
fn age_in_whole_years() {
    let p = parse("811218-9876").unwrap();
    assert_eq!(p.age_on(date(2026, 12, 17)), 44);
    assert_eq!(p.age_on(date(2026, 12, 18)), 45);
    assert_eq!(p.age_on(date(1981, 12, 18)), 0);
    assert_eq!(p.age_on(date(1981, 12, 17)), 0);
    assert_eq!(p.age_on(date(1900, 1, 1)), 0);
}

#[test]
fn error_empty() {
    assert_eq!(parse(""), Err(PnrError::Empty));
    assert_eq!(parse("   \t "), Err(PnrError::Empty));
    assert_eq!(Personnummer::from_digits12(""), Err(PnrError::Empty));
}

#[test]
fn error_invalid_character() {
    for input in [
        "811218/9876",
        "81121a-9876",
        "811218 9876",
        "811218--9876",
        "811218-+9876",
        "٨١١٢١٨-٩٨٧٦",
        "811218–9876",
    ] {
        assert_eq!(parse(input), Err(PnrError::InvalidCharacter), "{input:?}");
    }
    assert_eq!(
        Personnummer::from_digits12("19811218-9876"),
        Err(PnrError::InvalidCharacter)
    );
}

#[test]
fn error_length() {
    assert_eq!(parse("81121-9876"), Err(PnrError::Length { digits: 9 }));
    assert_eq!(parse("8112189876123"), Err(PnrError::Length { digits: 13 }));
    assert_eq!(parse("-"), Err(PnrError::Length { digits: 0 }));
    assert_eq!(parse("1981121898761"), Err(PnrError::Length { digits: 13 }));
    assert_eq!(
        Personnummer::from_digits12("8112189876"),
        Err(PnrError::Length { digits: 10 })
    );
    let long = "1".repeat(40);
    assert_eq!(parse(&long), Err(PnrError::Length { digits: 40 }));
}

#[test]
fn error_separator() {
    for input in [
        "8112-189876",
        "8112189876-",
        "-8112189876",
        "81121898-76",
        "8112189-876",
        "198112-189876",
    ] {
        assert_eq!(parse(input), Err(PnrError::Separator), "{input:?}");
    }
}

#[test]
fn error_month() {
    assert_eq!(parse(&with_check("811318123")), Err(PnrError::Month));
    assert_eq!(parse(&with_check("810018123")), Err(PnrError::Month));
    assert_eq!(
        Personnummer::from_digits12(&format!("19{}", with_check("819918123"))),
        Err(PnrError::Month)
    );
}

#[test]
fn error_day() {
    for nine in [
        "810230123",
        "810431123",
        "810100123",
        "810132123",
        "810160123",
        "810192123",
        "810299123",
    ] {
        assert_eq!(parse(&with_check(nine)), Err(PnrError::Day), "{nine}");
    }
}

#[test]
fn error_check_digit() {
    assert_eq!(parse("811218-9875"), Err(PnrError::CheckDigit));
    assert_eq!(parse("19811218-9877"), Err(PnrError::CheckDigit));
    assert_eq!(parse("701063-2392"), Err(PnrError::CheckDigit));
    assert_eq!(
        Personnummer::from_digits12("198112189870"),
        Err(PnrError::CheckDigit)
    );
}

#[test]
fn error_in_future() {
    let n = format!("20{}", with_check("301218123"));
    assert_eq!(parse(&n), Err(PnrError::InFuture));
    let n = format!("20{}", with_check("260510123"));
    assert_eq!(parse(&n), Err(PnrError::InFuture));
    let n = format!("20{}", with_check("260509123"));
    assert!(parse(&n).is_ok());
    // Without a reference date, from_digits12 does not check this.
    assert!(Personnummer::from_digits12(&format!("20{}", with_check("301218123"))).is_ok());
}

#[test]
fn messages_are_clear_and_translated() {
    let all = [
        PnrError::Empty,
        PnrError::InvalidCharacter,
        PnrError::Length { digits: 9 },
        PnrError::Separator,
        PnrError::Month,
        PnrError::Day,
        PnrError::CheckDigit,
        PnrError::InFuture,
    ];
    for e in all {
        assert!(!e.to_string().is_empty());
        assert!(!e.message_sv().is_empty());
    }
    assert_eq!(
        PnrError::Length { digits: 9 }.to_string(),
        "the personnummer has 9 digits; a personnummer has 10 or 12"
    );
    assert_eq!(
        PnrError::CheckDigit.to_string(),
        "the check digit is wrong; check for a typo"
    );
    assert_eq!(
        PnrError::CheckDigit.message_sv(),
        "kontrollsiffran stämmer inte; kontrollera om något är felskrivet"
    );
    assert!(
        PnrError::InvalidCharacter
            .to_string()
            .contains("may contain only digits and one - or +")
    );
}

#[test]
fn debug_does_not_reveal_digits() {
    let p = parse("811218-9876").unwrap();
    let debug = format!("{p:?}");
    assert_eq!(debug, "Personnummer(<redacted>)");
    assert!(!debug.chars().any(|c| c.is_ascii_digit()));
    let pretty = format!("{:#?}", Some(p));
    assert!(!pretty.chars().any(|c| c.is_ascii_digit()));
    let err = format!("{:?}", parse("811218-9875"));
    assert!(!err.contains("811218"));
}

#[test]
fn serde_as_twelve_digit_string() {
    let p = parse("811218-9876").unwrap();
    assert_eq!(String::from(p), "198112189876");
    let de: StrDeserializer<'_, DeError> = "198112189876".into_deserializer();
    assert_eq!(Personnummer::deserialize(de).unwrap(), p);
    let de: StrDeserializer<'_, DeError> = "198112189875".into_deserializer();
    let err = Personnummer::deserialize(de).unwrap_err().to_string();
    assert!(err.contains("check digit"));
    assert!(!err.contains("1981"));
    let de: StrDeserializer<'_, DeError> = "19811218-9876".into_deserializer();
    assert!(Personnummer::deserialize(de).is_err());
}

#[test]
fn ordering_follows_digits() {
    let a = parse("121212+1212").unwrap();
    let b = parse("811218-9876").unwrap();
    assert!(a < b);
}

fn any_reference() -> impl Strategy<Value = NaiveDate> {
    let min = NaiveDate::MIN.num_days_from_ce();
    let max = NaiveDate::MAX.num_days_from_ce();
    prop_oneof![
        (min..=max).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap()),
        (date(1990, 1, 1).num_days_from_ce()..=date(2040, 12, 31).num_days_from_ce())
            .prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap()),
    ]
}

/// A valid number: birth date 1900–2025, random serial, computed check digit.
fn valid_number() -> impl Strategy<Value = (NaiveDate, u32, bool)> {
    let first = date(1900, 1, 1).num_days_from_ce();
    let last = date(2025, 12, 31).num_days_from_ce();
    (
        (first..=last).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap()),
        1u32..=999, // birth number 000 is never issued
        any::<bool>(),
    )
}

fn build(birth: NaiveDate, serial: u32, samordning: bool) -> String {
    let day = birth.day() + if samordning { 60 } else { 0 };
    let nine = format!(
        "{:02}{:02}{:02}{:03}",
        birth.year() % 100,
        birth.month(),
        day,
        serial
    );
    format!("{}{}", birth.year() / 100, with_check(&nine))
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>(), r in any_reference()) {
        let _ = Personnummer::parse(&s, r);
        let _ = Personnummer::from_digits12(&s);
    }

    #[test]
    fn digit_like_strings_never_panic(s in "[0-9+ -]{0,16}", r in any_reference()) {
        if let Ok(p) = Personnummer::parse(&s, r) {
            prop_assert_eq!(p.digits12().len(), 12);
            prop_assert!(p.birth_date() <= r);
            let _ = (p.kind(), p.gender(), p.formatted(), p.masked(), p.age_on(r));
        }
        let _ = Personnummer::from_digits12(&s);
    }

    #[test]
    fn valid_numbers_round_trip((birth, serial, samordning) in valid_number()) {
        let reference = date(2030, 1, 1);
        let digits = build(birth, serial, samordning);
        let p = Personnummer::from_digits12(&digits).unwrap();
        prop_assert_eq!(p.digits12(), digits.as_str());
        prop_assert_eq!(p.birth_date(), birth);
        let kind = if samordning { PnrKind::Samordningsnummer } else { PnrKind::Personnummer };
        prop_assert_eq!(p.kind(), kind);
        // formatted() -> parse
        prop_assert_eq!(Personnummer::parse(&p.formatted(), reference).unwrap(), p);
        // digits12() -> from_digits12
        prop_assert_eq!(Personnummer::from_digits12(p.digits12()).unwrap(), p);
        // The 10-digit form with the right separator resolves to the same century.
        let sep = if p.age_on(reference) >= 100 { '+' } else { '-' };
        let ten = format!("{}{}{}", &digits[2..8], sep, &digits[8..]);
        prop_assert_eq!(Personnummer::parse(&ten, reference).unwrap(), p);
    }
}

#[test]
fn the_birth_number_000_is_never_issued() {
    // 20150916-0006 has a correct check digit, a real date and birth number 000.
    for text in ["20150916-0006", "150916-0006", "201509160006", "1509160006"] {
        assert_eq!(parse(text), Err(PnrError::BirthNumber), "{text}");
    }
    assert!(PnrError::BirthNumber.to_string().contains("000"));
    assert!(PnrError::BirthNumber.message_sv().contains("födelsenumret"));
    // One digit is one digit.
    assert!(
        PnrError::Length { digits: 1 }
            .to_string()
            .starts_with("the personnummer has 1 digit;")
    );
}
