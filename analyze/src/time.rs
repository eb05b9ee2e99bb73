//! Turning capture timestamps (ns since boot) into wall-clock time.

use shrike_format::Header;

/// Wall-clock ns since the Unix epoch of an event timestamp.
pub fn wall_ns(header: &Header, ts: u64) -> i128 {
    i128::from(header.boot_time_ns) + i128::from(ts)
}

/// RFC 3339 UTC with nanoseconds, e.g. `2026-11-26T10:00:00.123456789Z`.
pub fn rfc3339(ns: i128) -> String {
    let mut out = Vec::with_capacity(30);
    write_rfc3339(&mut out, ns);
    String::from_utf8(out).expect("RFC 3339 text is ASCII")
}

/// [`rfc3339`], appended to `out` (a line being built, without a string of its own).
pub fn write_rfc3339(out: &mut Vec<u8>, ns: i128) {
    // Events come many to a second: the date and time of day are worked out
    // once per second (per thread), and only the nanoseconds per call.
    thread_local! {
        static SECOND: std::cell::RefCell<(i128, String)> =
            const { std::cell::RefCell::new((i128::MIN, String::new())) };
    }
    let (secs, nanos) = (ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000));
    SECOND.with_borrow_mut(|(at, text)| {
        if *at != secs {
            let Ok(t) = i64::try_from(secs)
                .map_err(|_| ())
                .and_then(|s| jiff::Timestamp::from_second(s).map_err(|_| ()))
            else {
                out.extend_from_slice(format!("(out of range: {ns} ns)").as_bytes());
                return;
            };
            *text = t.strftime("%Y-%m-%dT%H:%M:%S").to_string();
            *at = secs;
        }
        out.extend_from_slice(text.as_bytes());
        let mut digits = *b".000000000Z";
        let mut n = nanos as u32;
        for d in digits[1..10].iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend_from_slice(&digits);
    })
}

/// Falco's `evt.time`: time of day with nanoseconds, `HH:MM:SS.nnnnnnnnn` (UTC).
pub fn time_of_day(ns: i128) -> String {
    match jiff::Timestamp::from_nanosecond(ns) {
        Ok(t) => t.strftime("%H:%M:%S%.9f").to_string(),
        Err(_) => format!("{ns}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_nanoseconds() {
        assert_eq!(
            super::rfc3339(1_795_651_200_123_456_789),
            "2026-11-26T00:00:00.123456789Z"
        );
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00.000000000Z");
    }

    #[test]
    fn the_per_second_shortcut_formats_as_jiff_does() {
        let jiff = |ns: i128| match jiff::Timestamp::from_nanosecond(ns) {
            Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.9fZ").to_string(),
            Err(_) => format!("(out of range: {ns} ns)"),
        };
        let max = i128::from(jiff::Timestamp::MAX.as_second()) * 1_000_000_000 + 999_999_999;
        let min = i128::from(jiff::Timestamp::MIN.as_second()) * 1_000_000_000;
        for ns in [
            1_795_651_200_123_456_789,
            1_795_651_200_999_999_999,
            1_795_651_201_000_000_000,
            1_795_651_200_000_000_001,
            -1,
            -999_999_999,
            -1_000_000_000,
            -1_500_000_000,
            max,
            min,
            max + 1,
            min - 1,
            i128::MAX,
            i128::MIN,
        ] {
            assert_eq!(super::rfc3339(ns), jiff(ns), "{ns}");
        }
    }
}
