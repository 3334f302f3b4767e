//! Times: conversions from X.509 times, and a `GeneralizedTime` that accepts the fractional
//! seconds RFC 3161 allows (DER `GeneralizedTime` in the `der` crate does not).

use chrono::{DateTime, NaiveDate, Utc};
use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Tag, Writer};

/// A `GeneralizedTime` in UTC (`YYYYMMDDhhmmss[.f…]Z`), with optional fractional seconds
/// (kept to the nanosecond). Encodes without a fraction when it is zero, and with the
/// shortest fraction otherwise, as DER requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GenTime(pub DateTime<Utc>);

impl GenTime {
    /// The time.
    pub fn to_chrono(self) -> DateTime<Utc> {
        self.0
    }

    fn text(&self) -> String {
        let base = self.0.format("%Y%m%d%H%M%S").to_string();
        let nanos = self.0.timestamp_subsec_nanos();
        if nanos == 0 {
            format!("{base}Z")
        } else {
            let frac = format!("{nanos:09}");
            format!("{base}.{}Z", frac.trim_end_matches('0'))
        }
    }

    /// Parses the text form; `None` if it is not `YYYYMMDDhhmmss[.f…]Z`.
    fn parse(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let body = text.strip_suffix('Z')?;
        let (main, frac) = match body.split_once('.') {
            Some((m, f)) => (m, Some(f)),
            None => (body, None),
        };
        if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let num = |r: std::ops::Range<usize>| main.get(r)?.parse::<u32>().ok();
        let year = i32::try_from(num(0..4)?).ok()?;
        let date = NaiveDate::from_ymd_opt(year, num(4..6)?, num(6..8)?)?;
        let mut nanos = 0u32;
        if let Some(f) = frac {
            if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let padded = format!("{f:0<9}");
            nanos = padded.parse().ok()?;
        }
        let dt = date.and_hms_nano_opt(num(8..10)?, num(10..12)?, num(12..14)?, nanos)?;
        Some(Self(dt.and_utc()))
    }
}

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GenTime {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let len = usize::try_from(header.length())?;
        if len > 64 {
            return Err(der::ErrorKind::Length { tag: Self::TAG }.into());
        }
        let mut buf = vec![0u8; len];
        reader.read_into(&mut buf)?;
        Self::parse(&buf).ok_or_else(|| der::ErrorKind::DateTime.into())
    }
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.text().len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.text().as_bytes())
    }
}

/// An X.509 `Time` as a chrono time (`None` when out of chrono's range).
pub fn x509_time(time: &x509_cert::time::Time) -> Option<DateTime<Utc>> {
    let d = time.to_unix_duration();
    let secs = i64::try_from(d.as_secs()).ok()?;
    DateTime::from_timestamp(secs, d.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn generalized_time_with_and_without_fraction() {
        for text in [
            "20240102030405Z",
            "20240102030405.5Z",
            "20240102030405.123456789Z",
        ] {
            let mut der = vec![0x18, u8::try_from(text.len()).unwrap()];
            der.extend_from_slice(text.as_bytes());
            let t = GenTime::from_der(&der).unwrap();
            assert_eq!(t.to_der().unwrap(), der, "{text}");
        }
        for bad in [
            "20240102030405",
            "2024010203040Z",
            "20241302030405Z",
            "20240102030405.Z",
        ] {
            let mut der = vec![0x18, u8::try_from(bad.len()).unwrap()];
            der.extend_from_slice(bad.as_bytes());
            assert!(GenTime::from_der(&der).is_err(), "{bad}");
        }
    }
}
