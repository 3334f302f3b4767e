//! Identity newtypes: each `parse` is the only way to build the value, so holding one proves
//! the input passed the platform's rules.

use chrono::{Datelike, NaiveDate};
use std::fmt;

use crate::ValidationError;

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_inner(self) -> String {
                self.0
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Login account name: 6–18 ASCII letters and digits with at least one letter (an all-digit
/// name could be mistaken for a phone number at login).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountName(String);
string_newtype!(AccountName);

impl AccountName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        const E: ValidationError = ValidationError::new("account_name", "invalid_account_name");
        let s = input.trim();
        let len = s.chars().count();
        if !(6..=18).contains(&len)
            || !s.chars().all(|c| c.is_ascii_alphanumeric())
            || !s.chars().any(|c| c.is_ascii_alphabetic())
        {
            return Err(E);
        }
        Ok(Self(s.to_owned()))
    }
}

/// A person's real name as on the ID card: 2–30 characters, either Chinese (CJK ideographs,
/// with `·` as used in minority names) or Latin letters with spaces, `.`, `-`, `'` and `·`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RealName(String);
string_newtype!(RealName);

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

impl RealName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        const E: ValidationError = ValidationError::new("real_name", "invalid_real_name");
        let s = input.trim();
        let len = s.chars().count();
        if !(2..=30).contains(&len) {
            return Err(E);
        }
        let chinese = s.chars().all(|c| is_cjk(c) || c == '·') && s.chars().any(is_cjk);
        let latin = s
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '.' | '-' | '\'' | '·'))
            && s.chars().any(|c| c.is_ascii_alphabetic());
        let separators_ok = !s.starts_with(['·', ' ', '.', '-', '\''])
            && !s.ends_with(['·', ' ', '-', '\''])
            && !s.contains("  ");
        if (chinese || latin) && separators_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(E)
        }
    }
}

/// Mainland China resident ID-card number (GB 11643-1999): 17 digits and a check digit
/// (`0`–`9` or `X`), a known province code and a valid birth date.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNumber(String);

impl fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The raw number is personal data: never print it.
        write!(f, "IdCardNumber({})", self.masked())
    }
}

const PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

impl IdCardNumber {
    /// Parses the number; `today` bounds the birth date (nobody is born in the future).
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, ValidationError> {
        const FIELD: &str = "id_card_number";
        let s = input.trim().to_ascii_uppercase();
        let bytes = s.as_bytes();
        if bytes.len() != 18
            || !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(ValidationError::new(FIELD, "invalid_id_card_number"));
        }
        let digit = |i: usize| u32::from(bytes[i] - b'0');
        let province = digit(0) * 10 + digit(1);
        if !PROVINCES.contains(&province) {
            return Err(ValidationError::new(FIELD, "invalid_id_card_region"));
        }
        let year = (0..4).fold(0, |acc, i| acc * 10 + digit(6 + i)) as i32;
        let month = digit(10) * 10 + digit(11);
        let day = digit(12) * 10 + digit(13);
        match NaiveDate::from_ymd_opt(year, month, day) {
            Some(birth) if year >= 1900 && birth <= today => {}
            _ => return Err(ValidationError::new(FIELD, "invalid_id_card_birth_date")),
        }
        if Self::check_digit(&bytes[..17]) != bytes[17] {
            return Err(ValidationError::new(FIELD, "invalid_id_card_checksum"));
        }
        Ok(Self(s))
    }

    /// GB 11643 check character for the first 17 digits (ISO 7064 MOD 11-2).
    pub fn check_digit(first17: &[u8]) -> u8 {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CODES: &[u8; 11] = b"10X98765432";
        let sum: u32 = first17
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        CODES[(sum % 11) as usize]
    }

    /// The number itself; callers must encrypt it before storing it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `3501**********1234`: the form shown to users and written to logs.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }

    pub fn birth_year(&self) -> i32 {
        self.0[6..10].parse().unwrap_or_default()
    }
}

/// Mainland mobile phone number: 11 digits starting with `1` and a second digit 3–9. A `+86`
/// or `86` prefix and spaces or dashes are accepted and removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);
string_newtype!(PhoneNumber);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let s = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("86").filter(|r| r.len() == 11))
            .unwrap_or(&compact);
        let b = s.as_bytes();
        if b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && b[1] >= b'3' {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new("phone", "invalid_phone"))
        }
    }

    /// `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// A password that meets the policy: 8–64 characters with at least two of the classes
/// letters, digits and symbols. Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let len = input.chars().count();
        if !(8..=64).contains(&len) {
            return Err(ValidationError::new("password", "password_length"));
        }
        if input.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "password",
                "password_invalid_character",
            ));
        }
        let letters = input.chars().any(char::is_alphabetic);
        let digits = input.chars().any(|c| c.is_ascii_digit());
        let symbols = input.chars().any(|c| !c.is_alphanumeric());
        if [letters, digits, symbols].iter().filter(|b| **b).count() < 2 {
            return Err(ValidationError::new("password", "password_too_weak"));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A six-digit SMS verification code as typed by the user.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsCode(String);

impl fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmsCode(***)")
    }
}

impl SmsCode {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new("sms_code", "invalid_sms_code_format"))
        }
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A certificate PIN: 6–12 digits. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(***)")
    }
}

impl Drop for Pin {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl Pin {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        if (6..=12).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(input.to_owned()))
        } else {
            Err(ValidationError::new("pin", "invalid_pin"))
        }
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Unified social credit code of an organisation (GB 32100-2015): 18 characters from the
/// code set `0-9A-HJ-NPQRTUWXY`, the last one a check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);
string_newtype!(Uscc);

impl Uscc {
    const CHARSET: &'static [u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        const E: ValidationError = ValidationError::new("uscc", "invalid_uscc");
        let s = input.trim().to_ascii_uppercase();
        let values: Option<Vec<u32>> = s
            .bytes()
            .map(|b| Self::CHARSET.iter().position(|c| *c == b).map(|p| p as u32))
            .collect();
        let values = values.ok_or(E)?;
        if values.len() != 18 {
            return Err(E);
        }
        let sum: u32 = values[..17]
            .iter()
            .zip(Self::WEIGHTS)
            .map(|(v, w)| v * w)
            .sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return Err(ValidationError::new("uscc", "invalid_uscc_checksum"));
        }
        Ok(Self(s))
    }
}

/// Organisation display name: 2–60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgName(String);
string_newtype!(OrgName);

impl OrgName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        let len = s.chars().count();
        if (2..=60).contains(&len) && !s.chars().any(char::is_control) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new("name", "invalid_org_name"))
        }
    }
}

/// Age in whole years on `today`, from the birth date inside an ID number.
pub fn age_on(id: &IdCardNumber, today: NaiveDate) -> Option<i32> {
    let s = id.expose();
    let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").ok()?;
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    Some(age)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// Builds a valid ID number from 17 digits by appending the check digit.
    fn with_check(first17: &str) -> String {
        let c = IdCardNumber::check_digit(first17.as_bytes()) as char;
        format!("{first17}{c}")
    }

    #[test]
    fn account_name_rules() {
        assert!(AccountName::parse("zyying016").is_ok());
        assert!(AccountName::parse("abc123").is_ok());
        assert!(AccountName::parse("a23456789012345678").is_ok());
        for bad in [
            "abc12",
            "a234567890123456789",
            "13800138000",
            "abc 123",
            "张三abcdef",
            "",
        ] {
            assert_eq!(
                AccountName::parse(bad).unwrap_err().code,
                "invalid_account_name",
                "{bad}"
            );
        }
    }

    #[test]
    fn real_name_rules() {
        for ok in [
            "张三",
            "欧阳娜娜",
            "阿卜杜·热合曼",
            "John Smith",
            "Mary-Jane O'Neil",
            "Li",
        ] {
            assert!(RealName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "张",
            "张3",
            "John张",
            "·张三",
            "a",
            "John  Smith",
            &"张".repeat(31),
            "Joe1",
        ] {
            assert_eq!(
                RealName::parse(bad).unwrap_err().code,
                "invalid_real_name",
                "{bad}"
            );
        }
    }

    #[test]
    fn id_card_check_digit_known_values() {
        // Published GB 11643 example.
        assert_eq!(IdCardNumber::check_digit(b"11010519491231002"), b'X');
        assert!(IdCardNumber::parse("11010519491231002X", today()).is_ok());
        assert!(IdCardNumber::parse("11010519491231002x", today()).is_ok());
        assert_eq!(
            IdCardNumber::parse("110105194912310021", today())
                .unwrap_err()
                .code,
            "invalid_id_card_checksum"
        );
    }

    #[test]
    fn id_card_format_region_and_birth_date() {
        let e = |s: &str| IdCardNumber::parse(s, today()).unwrap_err().code;
        assert_eq!(e("1101051949123100"), "invalid_id_card_number");
        assert_eq!(e("11010519491231002Y"), "invalid_id_card_number");
        assert_eq!(
            e(&with_check("99010519491231002")),
            "invalid_id_card_region"
        );
        assert_eq!(
            e(&with_check("35010219900230123")),
            "invalid_id_card_birth_date"
        );
        assert_eq!(
            e(&with_check("35010218991231123")),
            "invalid_id_card_birth_date"
        );
        assert_eq!(
            e(&with_check("35010220991231123")),
            "invalid_id_card_birth_date"
        );
        let ok = IdCardNumber::parse(&with_check("35010219900228123"), today()).unwrap();
        assert_eq!(ok.masked(), format!("3501**********{}", &ok.expose()[14..]));
        assert!(!format!("{ok:?}").contains("19900228"));
        assert_eq!(age_on(&ok, today()), Some(36));
    }

    #[test]
    fn phone_rules() {
        assert_eq!(
            PhoneNumber::parse("+86 138-0013-8000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            PhoneNumber::parse("8613800138000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            PhoneNumber::parse("13800138000").unwrap().masked(),
            "138****8000"
        );
        for bad in [
            "1380013800",
            "23800138000",
            "12800138000",
            "1380013800a",
            "",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad).unwrap_err().code,
                "invalid_phone",
                "{bad}"
            );
        }
    }

    #[test]
    fn password_rules() {
        assert!(Password::parse("abcdefg1").is_ok());
        assert!(Password::parse("12345678!").is_ok());
        assert!(Password::parse("密码密码密码密码1").is_ok());
        assert_eq!(Password::parse("abc1").unwrap_err().code, "password_length");
        assert_eq!(
            Password::parse(&"a1".repeat(33)).unwrap_err().code,
            "password_length"
        );
        assert_eq!(
            Password::parse("abcdefgh").unwrap_err().code,
            "password_too_weak"
        );
        assert_eq!(
            Password::parse("12345678").unwrap_err().code,
            "password_too_weak"
        );
        assert_eq!(
            Password::parse("abc\u{0}12345").unwrap_err().code,
            "password_invalid_character"
        );
        assert_eq!(
            format!("{:?}", Password::parse("abcdefg1").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn sms_code_and_pin_rules() {
        assert!(SmsCode::parse("012345").is_ok());
        assert!(SmsCode::parse("12345").is_err());
        assert!(SmsCode::parse("12345a").is_err());
        assert!(Pin::parse("123456").is_ok());
        assert!(Pin::parse("123456789012").is_ok());
        assert!(Pin::parse("12345").is_err());
        assert!(Pin::parse("1234567890123").is_err());
        assert!(Pin::parse("12345a").is_err());
    }

    #[test]
    fn uscc_rules() {
        // A published example code.
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
        assert_eq!(
            Uscc::parse("91350100M000100Y44").unwrap_err().code,
            "invalid_uscc_checksum"
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y4").unwrap_err().code,
            "invalid_uscc"
        );
        assert_eq!(
            Uscc::parse("91350100M000100YI3").unwrap_err().code,
            "invalid_uscc"
        );
    }

    #[test]
    fn org_name_rules() {
        assert!(OrgName::parse("福建瑞术信息科技有限公司").is_ok());
        assert!(OrgName::parse("A").is_err());
        assert!(OrgName::parse("bad\nname").is_err());
    }
}
