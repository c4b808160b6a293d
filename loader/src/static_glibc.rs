//! What a statically linked glibc program carries of glibc: the parts that load code from
//! the system at run time.
//!
//! A static glibc program still dlopens NSS service modules (`libnss_<service>.so.2`, named
//! by `/etc/nsswitch.conf`), gconv modules for charset conversion, and libidn2 for IDN
//! names, with the copy of the dynamic loader linked into it. The modules then bind to the
//! system's libc.so.6 and ld.so, whose private layout must be the release the program was
//! linked with (elf/rtld_static_init.c writes into the loaded ld.so's `_rtld_global_ro`).
//!
//! Nothing here reads section headers or a symbol table (both are usually stripped): the
//! facts come from the strings glibc's own code puts in the loaded segments. glibc does not
//! record its release in a static program, so the release is compared by fingerprint: the
//! names of the tunables (`glibc.malloc.hugetlb` …) its loader knows, which change with most
//! releases and which the target's ld.so lists too.

use crate::parse::{loaded_ranges, ElfError};
use memchr::memmem;

/// The glibc runtime found in a static program's loaded segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticGlibc {
    /// Sorted tunable names (`glibc.<namespace>.<name>`): the release's fingerprint.
    pub tunables: Vec<Box<str>>,
    /// The NSS machinery is linked in (`/etc/nsswitch.conf`): it dlopens the services that
    /// file names.
    pub nss: bool,
    /// The `files` service (and so `dns`, built in by the same release, 2.34) is part of the
    /// program (nss_files' `/etc/ethers` and `/etc/netgroup`): those two are never loaded.
    pub nss_built_in: bool,
    /// getaddrinfo's IDN support is linked in: it dlopens `libidn2.so.0` for AI_IDN.
    pub idn: bool,
    /// The compiled-in gconv module directory (charsets beyond the built-in UTF-8, UTF-16,
    /// UTF-32, UCS-2/4 and ASCII are converted by modules loaded from there).
    pub gconv_dir: Option<Box<str>>,
}

/// At most this many tunable names are kept (glibc 2.41 has about 45): a hostile file full
/// of look-alikes cannot make the list large.
pub const MAX_TUNABLES: usize = 256;
/// Longest tunable name accepted (glibc's own limit, TUNABLE_NAME_MAX, is well below).
const MAX_TUNABLE_NAME: usize = 96;
/// Longest gconv directory accepted.
const MAX_DIR: usize = 512;

/// Scan an ELF file (the whole file's bytes) for a static glibc runtime; `None` when its
/// loaded segments hold no glibc (a musl or Go program, or not ELF).
pub fn scan(file: &[u8]) -> Result<Option<StaticGlibc>, ElfError> {
    let segments: Vec<&[u8]> = disjoint(loaded_ranges(file)?)
        .into_iter()
        .map(|range| &file[range])
        .collect();
    let has = |needle: &[u8]| segments.iter().any(|s| has_c_string(s, needle));
    // glibc's loader (static dlopen) reads the cache and knows its private version; musl has
    // neither string.
    if !has(b"/etc/ld.so.cache") || !(has(b"GLIBC_TUNABLES") || has(b"GLIBC_PRIVATE")) {
        return Ok(None);
    }
    let mut tunables = Vec::new();
    for segment in &segments {
        collect_tunables(segment, &mut tunables);
    }
    tunables.sort_unstable();
    tunables.dedup();
    Ok(Some(StaticGlibc {
        tunables,
        nss: has(b"/etc/nsswitch.conf"),
        nss_built_in: has(b"/etc/ethers") && has(b"/etc/netgroup"),
        idn: has(b"libidn2.so.0"),
        gconv_dir: segments.iter().find_map(|s| gconv_dir(s)),
    }))
}

/// `ranges` sorted and merged where they overlap or touch: a hostile file with thousands of
/// PT_LOAD entries over the same bytes has them scanned once, so a scan costs at most the
/// file's size.
fn disjoint(mut ranges: Vec<std::ops::Range<usize>>) -> Vec<std::ops::Range<usize>> {
    ranges.sort_unstable_by_key(|r| r.start);
    let mut out: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// The tunable names in `bytes` (an ld.so image, or any bytes), sorted.
pub fn tunable_names(bytes: &[u8]) -> Vec<Box<str>> {
    let mut names = Vec::new();
    collect_tunables(bytes, &mut names);
    names.sort_unstable();
    names.dedup();
    names
}

/// Every NUL-terminated `glibc.<namespace>.<name>` not preceded by a name character (the
/// names are NUL-separated strings or NUL-padded arrays in tunable_list).
fn collect_tunables(bytes: &[u8], out: &mut Vec<Box<str>>) {
    let is_name_byte = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
    for at in memmem::find_iter(bytes, b"glibc.") {
        if out.len() >= MAX_TUNABLES {
            return;
        }
        if at > 0 && (is_name_byte(bytes[at - 1]) || bytes[at - 1] == b'.') {
            continue;
        }
        let rest = &bytes[at..];
        let Some(len) = rest.iter().take(MAX_TUNABLE_NAME + 1).position(|&b| b == 0) else {
            continue;
        };
        let name = &rest[..len];
        let parts: Vec<&[u8]> = name.split(|&b| b == b'.').collect();
        let well_formed = parts.len() == 3
            && parts[1..]
                .iter()
                .all(|p| !p.is_empty() && p.iter().all(|&b| is_name_byte(b)));
        if well_formed {
            // ASCII by construction.
            if let Ok(text) = std::str::from_utf8(name) {
                out.push(text.into());
            }
        }
    }
}

/// `needle` as a whole C string: NUL (or the start) before, NUL after.
fn has_c_string(bytes: &[u8], needle: &[u8]) -> bool {
    memmem::find_iter(bytes, needle)
        .any(|at| (at == 0 || bytes[at - 1] == 0) && bytes.get(at + needle.len()) == Some(&0))
}

/// The directory of `<dir>/gconv-modules.cache` (iconv/gconv_cache.c: GCONV_MODULES_CACHE),
/// an absolute path.
fn gconv_dir(bytes: &[u8]) -> Option<Box<str>> {
    const FILE: &[u8] = b"/gconv-modules.cache\0";
    memmem::find_iter(bytes, FILE).find_map(|at| {
        let start = bytes[..at]
            .iter()
            .rposition(|&b| b == 0)
            .map_or(0, |p| p + 1);
        let dir = &bytes[start..at];
        let printable = dir.iter().all(|&b| b.is_ascii_graphic());
        (dir.starts_with(b"/") && dir.len() <= MAX_DIR && printable)
            .then(|| std::str::from_utf8(dir).ok().map(Into::into))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tunables_are_whole_names_of_three_parts() {
        let bytes = b"\0glibc.malloc.hugetlb\0xglibc.not.this\0glibc.two\0glibc.a.b.c\0\
                      glibc.cpu.x86_ibt\0glibc.malloc.hugetlb\0glibc.rtld.nns";
        assert_eq!(
            tunable_names(bytes),
            vec!["glibc.cpu.x86_ibt".into(), "glibc.malloc.hugetlb".into()]
        );
    }

    #[test]
    fn c_strings_must_be_whole() {
        assert!(has_c_string(b"\0/etc/ld.so.cache\0", b"/etc/ld.so.cache"));
        assert!(!has_c_string(
            b"\0/etc/ld.so.cache.x\0",
            b"/etc/ld.so.cache"
        ));
        assert!(!has_c_string(b"x/etc/ld.so.cache\0", b"/etc/ld.so.cache"));
    }

    #[test]
    fn gconv_dir_is_the_cache_files_directory() {
        let bytes = b"\0/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache\0";
        assert_eq!(
            gconv_dir(bytes).as_deref(),
            Some("/usr/lib/x86_64-linux-gnu/gconv")
        );
        assert_eq!(gconv_dir(b"\0relative/gconv-modules.cache\0"), None);
    }

    #[test]
    fn overlapping_segments_are_scanned_once() {
        assert_eq!(
            disjoint(vec![5..9, 0..4, 2..6, 20..30, 30..31]),
            vec![0..9, 20..31]
        );
        assert_eq!(disjoint(vec![0..100; 3]), vec![0..100]);
    }

    #[test]
    fn not_elf_is_an_error_not_a_panic() {
        assert!(scan(b"\x7fELF").is_err());
        assert!(scan(b"").is_err());
    }
}
