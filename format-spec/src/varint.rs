//! LEB128 variable-length integers and zigzag signed mapping (SPEC.md §2.2).

/// Longest LEB128 encoding of a u64.
pub const MAX_VARINT_LEN: usize = 10;

/// Appends `v` as unsigned LEB128.
#[inline]
pub fn put_uint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Maps a signed value onto an unsigned one so small magnitudes stay short.
#[inline]
pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Inverse of [`zigzag`].
#[inline]
pub fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends `v` as zigzag LEB128.
#[inline]
pub fn put_int(out: &mut Vec<u8>, v: i64) {
    put_uint(out, zigzag(v));
}

/// Reads one LEB128 value from the front of `buf`; returns it and the bytes used.
/// `None` when the input ends early, runs past 10 bytes or overflows 64 bits.
#[inline]
pub fn get_uint(buf: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for (i, &b) in buf.iter().take(MAX_VARINT_LEN).enumerate() {
        let low = u64::from(b & 0x7f);
        if i == MAX_VARINT_LEN - 1 && b > 1 {
            return None;
        }
        v |= low << (7 * i);
        if b < 0x80 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_edges() {
        for v in [
            0u64,
            1,
            127,
            128,
            300,
            u32::MAX as u64,
            u64::MAX - 1,
            u64::MAX,
        ] {
            let mut b = Vec::new();
            put_uint(&mut b, v);
            assert_eq!(get_uint(&b), Some((v, b.len())), "{v}");
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, -100] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
    }

    #[test]
    fn rejects_overlong_and_overflow() {
        assert_eq!(get_uint(&[0x80; 11]), None);
        assert_eq!(
            get_uint(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
            None
        );
        assert_eq!(get_uint(&[0x80]), None);
        assert_eq!(get_uint(&[]), None);
    }
}
