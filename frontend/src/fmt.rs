//! Dates, times and numbers as the panel shows them, written out by hand: chrono's `format`
//! (a strftime interpreter) and float formatting cost the wasm more than these few lines.

use chrono::{DateTime, Datelike, Local, NaiveDate, Timelike, Utc};

/// `2026-12-05`.
pub fn date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The day in the browser's time zone.
pub fn local_day(t: DateTime<Utc>) -> String {
    date(t.with_timezone(&Local).date_naive())
}

/// `2026-12-05 16:23` in the browser's time zone.
pub fn local_minute(t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&Local);
    format!("{} {:02}:{:02}", date(l.date_naive()), l.hour(), l.minute())
}

/// `2026-12-05 16:23:09` in the browser's time zone.
pub fn local_second(t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&Local);
    format!("{}:{:02}", local_minute(t), l.second())
}

/// A share (0.0–1.0) in thousandths, rounded.
pub fn per_mille(share: f64) -> u32 {
    (share.clamp(0.0, 1.0) * 1000.0).round() as u32
}

/// Thousandths as a decimal: `0.042`, `1.000`.
pub fn mille_text(pm: u32) -> String {
    format!("{}.{:03}", pm / 1000, pm % 1000)
}

/// A file size: `178 KB`, `12.4 MB`.
pub fn size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = bytes * 10 / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_out() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5);
        assert_eq!(d.map(date).as_deref(), Some("2026-01-05"));
        assert_eq!(per_mille(0.0424), 42);
        assert_eq!(per_mille(1.7), 1000);
        assert_eq!(mille_text(42), "0.042");
        assert_eq!(mille_text(1000), "1.000");
        assert_eq!(size(3451), "4 KB");
        assert_eq!(size(12 * 1024 * 1024 + 500_000), "12.4 MB");
        assert_eq!(size(0), "0 KB");
    }
}
