//! glibc's soname ordering for ld.so.cache (glibc elf/dl-cache.c: _dl_cache_libcmp).

use std::cmp::Ordering;

/// Compare two sonames as `_dl_cache_libcmp` does: runs of digits compare numerically, a digit
/// sorts above any non-digit, other bytes compare as C `char`. The end of a slice (or a NUL byte)
/// terminates the string, like the NUL in the cache's string table.
///
/// `char` is signed on x86, so bytes ≥ 0x80 sort below ASCII there; ldsim follows x86 (the
/// sort order only matters for non-ASCII sonames).
pub fn libcmp(a: &[u8], b: &[u8]) -> Ordering {
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let (mut i, mut j) = (0usize, 0usize);
    loop {
        let (c1, c2) = (at(a, i), at(b, j));
        if c1 == 0 {
            return cmp_char(c1, c2);
        }
        if c1.is_ascii_digit() {
            if !c2.is_ascii_digit() {
                return Ordering::Greater;
            }
            let (v1, ni) = number(a, i);
            let (v2, nj) = number(b, j);
            if v1 != v2 {
                return v1.cmp(&v2);
            }
            (i, j) = (ni, nj);
        } else if c2.is_ascii_digit() {
            return Ordering::Less;
        } else if c1 != c2 {
            return cmp_char(c1, c2);
        } else {
            (i, j) = (i + 1, j + 1);
        }
    }
}

/// The value of the digit run starting at `i` and the index after it. glibc accumulates in an
/// `int` (overflow is undefined there); saturating keeps huge runs ordered and panic-free.
fn number(s: &[u8], mut i: usize) -> (u64, usize) {
    let mut v = 0u64;
    while let Some(d) = s.get(i).filter(|d| d.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(u64::from(d - b'0'));
        i += 1;
    }
    (v, i)
}

fn cmp_char(c1: u8, c2: u8) -> Ordering {
    // Reinterpreting the byte as C's signed `char` is the point here.
    #[allow(clippy::cast_possible_wrap)]
    (c1 as i8).cmp(&(c2 as i8))
}

#[cfg(test)]
mod tests {
    use super::libcmp;
    use std::cmp::Ordering::{Equal, Greater, Less};

    fn check(a: &str, b: &str, want: std::cmp::Ordering) {
        assert_eq!(libcmp(a.as_bytes(), b.as_bytes()), want, "{a} vs {b}");
        assert_eq!(
            libcmp(b.as_bytes(), a.as_bytes()),
            want.reverse(),
            "{b} vs {a}"
        );
    }

    #[test]
    fn libcmp_digits_compare_numerically() {
        check("libfoo.so.10", "libfoo.so.9", Greater);
        check("libfoo10.so", "libfoo9.so", Greater);
        check("libfoo.so.01", "libfoo.so.1", Equal);
        check("libfoo.so.1.2", "libfoo.so.1.10", Less);
    }

    #[test]
    fn libcmp_digit_sorts_above_non_digit() {
        check("libfoo1.so", "libfoo.so", Greater);
        check("libfoo.so.1", "libfoo.so", Greater);
        check("lib1", "libz", Greater);
    }

    #[test]
    fn libcmp_plain_bytes_and_prefixes() {
        check("libA.so.1", "libA.so.1", Equal);
        check("liba.so", "libb.so", Less);
        check("libA.so", "liba.so", Less);
        check("libc.so", "libc.so.6", Less);
        check("", "", Equal);
        check("", "a", Less);
    }

    #[test]
    fn libcmp_high_bytes_are_signed_chars() {
        assert_eq!(libcmp(b"lib\xc3", b"liba"), Less);
    }

    #[test]
    fn libcmp_stops_at_nul() {
        assert_eq!(libcmp(b"libA.so.1\0junk", b"libA.so.1"), Equal);
    }

    #[test]
    fn libcmp_huge_numbers_do_not_panic() {
        check("lib99999999999999999999999999", "lib1", Greater);
    }
}
