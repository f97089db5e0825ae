//! Calendar arithmetic for Unix seconds: RFC 3339 formatting and parsing, and the wording of
//! time distances in messages. The core never reads a clock; every time is a parameter.

use alloc::format;
use alloc::string::String;

/// Formats Unix seconds as an RFC 3339 UTC timestamp, e.g. `2026-01-02T00:00:00Z`.
///
/// Times before 1970 or after 9999 are clamped to those years' bounds; X.509 cannot express
/// anything outside them anyway.
pub fn rfc3339(unix: u64) -> String {
    let unix = unix.min(MAX_UNIX);
    let days = unix / 86_400;
    let secs = unix % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Parses an RFC 3339 timestamp (`2026-01-02T03:04:05Z`, optional fraction, `Z` or `±hh:mm`)
/// into Unix seconds. Returns `None` for anything else or for a time before 1970.
pub fn parse_rfc3339(text: &str) -> Option<u64> {
    let b = text.trim().as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: core::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &rest[1 + digits..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |c: &u8| c.is_ascii_digit().then(|| i64::from(c - b'0'));
            let hours = digit(h1)? * 10 + digit(h2)?;
            let minutes = digit(m1)? * 10 + digit(m2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let off = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let unix = days * 86_400 + h * 3600 + mi * 60 + s.min(59) - offset;
    u64::try_from(unix).ok()
}

/// Says how far apart two times are in words: "3 days", "5 hours", "42 seconds".
pub fn distance(a: u64, b: u64) -> String {
    let secs = a.abs_diff(b);
    let (n, unit) = if secs >= 2 * 86_400 {
        (secs / 86_400, "days")
    } else if secs >= 2 * 3600 {
        (secs / 3600, "hours")
    } else if secs >= 2 * 60 {
        (secs / 60, "minutes")
    } else if secs == 1 {
        (1, "second")
    } else {
        (secs, "seconds")
    };
    format!("{n} {unit}")
}

/// 9999-12-31T23:59:59Z, the latest time X.509's GeneralizedTime profile can express.
const MAX_UNIX: u64 = 253_402_300_799;

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's `days_from_civil` and `civil_from_days`
// (http://howardhinnant.github.io/date_algorithms.html), proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_312_000), "2026-01-02T00:00:00Z");
        assert_eq!(parse_rfc3339("2026-01-02T00:00:00Z"), Some(1_767_312_000));
        assert_eq!(parse_rfc3339("2026-01-02T01:00:00+01:00"), Some(1_767_312_000));
        assert_eq!(parse_rfc3339("2026-01-02T00:00:00.123Z"), Some(1_767_312_000));
        assert_eq!(parse_rfc3339("2024-02-29T12:00:00Z").map(rfc3339).as_deref(), Some("2024-02-29T12:00:00Z"));
        assert_eq!(parse_rfc3339("2023-02-29T12:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), None);
    }

    #[test]
    fn distances_read_naturally() {
        assert_eq!(distance(0, 3 * 86_400), "3 days");
        assert_eq!(distance(7200, 0), "2 hours");
        assert_eq!(distance(0, 1), "1 second");
    }
}
