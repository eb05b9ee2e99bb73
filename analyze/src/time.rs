//! Turning capture timestamps (ns since boot) into wall-clock time.

use shrike_format::Header;

/// Wall-clock ns since the Unix epoch of an event timestamp.
pub fn wall_ns(header: &Header, ts: u64) -> i128 {
    i128::from(header.boot_time_ns) + i128::from(ts)
}

/// RFC 3339 UTC with nanoseconds, e.g. `2026-11-26T10:00:00.123456789Z`.
pub fn rfc3339(ns: i128) -> String {
    match jiff::Timestamp::from_nanosecond(ns) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.9fZ").to_string(),
        Err(_) => format!("(out of range: {ns} ns)"),
    }
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
}
