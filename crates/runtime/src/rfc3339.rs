//! RFC 3339 timestamps as Docker writes them (`2026-11-29T02:53:48.275796927Z`,
//! Go's RFC3339Nano), turned into milliseconds since the Unix epoch.
//!
//! Hand-written because one format does not justify a date crate.

/// Milliseconds since 1970-01-01T00:00:00Z, or `None` when `text` is not an
/// RFC 3339 date-time. Go's zero time (year 1) parses; callers decide what
/// it means.
pub fn unix_millis(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    // Leap second 60 is allowed by RFC 3339; it folds into the next second.
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let mut rest = &b[19..];
    let mut millis = 0;
    if rest.first() == Some(&b'.') {
        let frac_len = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if frac_len == 0 {
            return None;
        }
        // Only the first three digits matter; the rest is below a millisecond.
        let frac = &rest[1..1 + frac_len];
        millis = frac
            .iter()
            .chain(b"00")
            .take(3)
            .fold(0, |acc, d| acc * 10 + i64::from(d - b'0'));
        rest = &rest[1 + frac_len..];
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let minutes = digits(&[*h1, *h2])? * 60 + digits(&[*m1, *m2])?;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };

    let seconds = days_since_epoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    // Count from 0000-03-01 so that the leap day ends a year: a year of the
    // shifted calendar starts in March, and 400 years hold 146097 days.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719468 days separate 0000-03-01 from 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::unix_millis;

    #[test]
    fn docker_timestamps_parse_to_the_millisecond() {
        // date -d 2026-11-29T02:53:48Z +%s gives 1795920828.
        assert_eq!(
            unix_millis("2026-11-29T02:53:48.275796927Z"),
            Some(1_795_920_828_275)
        );
        assert_eq!(unix_millis("2026-11-29T02:53:48Z"), Some(1_795_920_828_000));
        assert_eq!(
            unix_millis("2026-11-29T02:53:48.9Z"),
            Some(1_795_920_828_900)
        );
        assert_eq!(unix_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_millis("2000-02-29T12:00:00Z"), Some(951_825_600_000));
        assert_eq!(unix_millis("1969-12-31T23:59:59.5Z"), Some(-500));
    }

    #[test]
    fn offsets_are_applied() {
        assert_eq!(
            unix_millis("2026-11-29T03:53:48+01:00"),
            unix_millis("2026-11-29T02:53:48Z")
        );
        assert_eq!(
            unix_millis("2026-11-28T21:23:48-05:30"),
            unix_millis("2026-11-29T02:53:48Z")
        );
    }

    #[test]
    fn go_zero_time_parses_far_in_the_past() {
        assert_eq!(
            unix_millis("0001-01-01T00:00:00Z"),
            Some(-62_135_596_800_000)
        );
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for bad in [
            "",
            "2026-11-29",
            "2026-11-29 02:53:48Z",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-29T24:00:00Z",
            "2026-11-29T02:53:48.Z",
            "2026-11-29T02:53:48",
            "2026-11-29T02:53:48+0100",
            "2026-11-29T02:53:48Zjunk",
            "２026-11-29T02:53:48Z",
        ] {
            assert_eq!(unix_millis(bad), None, "{bad}");
        }
    }
}
