//! /etc/ld.so.cache reader and glibc's cache lookup. Bytes in, data out: no I/O.
//!
//! Formats (glibc sysdeps/generic/dl-cache.h): the old "ld.so-1.7.0" layout, the new
//! "glibc-ld.so.cache1.1" layout with its extension directory, and the compat layout (old
//! header and entries, the new part hidden in the old string table). As in glibc
//! elf/dl-cache.c: _dl_load_cache_lookup, the new part is used whenever present.
//!
//! The cache is written in the byte order of the machine that ran ldconfig, which is the
//! target's own; so every integer is read in the target's [`Endian`].
//!
//! An [`Err`] from [`parse`] means the loader ignores the file entirely and behaves as if
//! there were no cache (glibc unmaps it and never retries).

mod libcmp;
mod lookup;
mod parse;
#[cfg(test)]
mod tests;

pub use libcmp::libcmp;
pub use lookup::{CacheLookup, CacheQuery};

use foldhash::HashMap;
use std::sync::Arc;

use ldsim_loader::{Endian, NulRuns};
use parse::Reader;

/// Bytes of distinct strings the entries of [`LdSoCache::entries`] may copy: this many times
/// the file's size (at least [`MIN_NAME_BYTES`]). Entries naming one string share it, so
/// only distinct offsets that overlap (every suffix of one long string) can reach it.
pub const NAME_BYTES_PER_FILE_BYTE: usize = 4;
/// The floor of the entries' string budget.
pub const MIN_NAME_BYTES: usize = 1 << 20;

/// Which layout the file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheFormat {
    /// "ld.so-1.7.0" only (`ldconfig -c old`).
    Old,
    /// "glibc-ld.so.cache1.1" only (the default since glibc 2.32).
    New,
    /// Old layout with the new one embedded (`ldconfig -c compat`); the new part is used.
    Compat,
}

/// Why the loader would not use a cache file. Every variant means "no cache".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    #[error("read ld.so.cache: unknown magic")]
    BadMagic,
    #[error("read ld.so.cache: file shorter than its header and entries")]
    Truncated,
    /// The new header's endianness bits (flags & 3) name the other byte order or "invalid"
    /// (glibc sysdeps/generic/dl-cache.h: cache_file_new_matches_endian).
    #[error("read ld.so.cache: written for another byte order (flags {0:#x})")]
    WrongEndian(u8),
}

/// One cache entry, strings resolved. An out-of-range string offset gives an empty `key` or
/// `value` here; the lookup still sees the raw offset and treats it as glibc does. Strings
/// are shared per offset (entries naming one string share one copy); past
/// [`NAME_BYTES_PER_FILE_BYTE`] times the file's size of distinct strings, they are empty here
/// too (the lookup reads them from the file, uncopied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// The soname (DT_SONAME, or the file name when there is none).
    pub key: Arc<[u8]>,
    /// The path the loader opens.
    pub value: Arc<[u8]>,
    /// FLAG_ELF_LIBC6 | arch bits, e.g. 0x303 for x86-64 (glibc sysdeps/generic/ldconfig.h).
    pub flags: i32,
    /// The new format's hwcap field; 0 in the old format.
    pub hwcap: u64,
}

/// DL_CACHE_HWCAP_EXTENSION: the entry comes from a glibc-hwcaps subdirectory.
const HWCAP_EXTENSION: u64 = 1 << 62;
/// DL_CACHE_HWCAP_ISA_LEVEL_MASK (10 bits above bit 32).
const ISA_LEVEL_MASK: u64 = (1 << 10) - 1;

impl CacheEntry {
    /// True for a glibc-hwcaps entry (glibc sysdeps/generic/dl-cache.h:
    /// dl_cache_hwcap_extension: only bit 62 set in the upper half, ignoring the ISA level).
    pub fn is_hwcaps(&self) -> bool {
        is_hwcaps(self.hwcap)
    }

    /// The glibc-hwcaps subdirectory name of a hwcaps entry, as the loader reads it from the
    /// tag-1 extension (for the compat format that is garbage, exactly as glibc sees it).
    pub fn hwcaps_subdir<'c>(&self, cache: &'c LdSoCache) -> Option<&'c [u8]> {
        if !self.is_hwcaps() {
            return None;
        }
        cache.hwcaps_name(self.hwcap as u32)
    }

    /// The x86 ISA level recorded for a hwcaps entry: 0 baseline, 1 v2, 2 v3, 3 v4.
    pub fn isa_level(&self) -> Option<u32> {
        self.is_hwcaps()
            .then_some(((self.hwcap >> 32) & ISA_LEVEL_MASK) as u32)
    }
}

fn is_hwcaps(hwcap: u64) -> bool {
    (hwcap >> 32) & !ISA_LEVEL_MASK == HWCAP_EXTENSION >> 32
}

/// An entry as stored: string offsets unresolved, so the lookup can reject bad ones the way
/// glibc does. `hwcap` is `None` in the old layout (entries too small to carry it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RawEntry {
    flags: i32,
    key: u32,
    value: u32,
    hwcap: Option<u64>,
}

/// A parsed ld.so.cache: the part of the file the loader uses.
#[derive(Debug, Clone)]
pub struct LdSoCache {
    format: CacheFormat,
    bytes: Vec<u8>,
    /// Where the string at each file offset the entries and the hwcaps extension name ends
    /// (found once per parse, each byte scanned at most once: [`NulRuns`]).
    ends: HashMap<usize, usize>,
    string_base: usize,
    raw: Vec<RawEntry>,
    entries: Vec<CacheEntry>,
    extensions_valid: bool,
    generator: Option<Vec<u8>>,
    hwcaps: Vec<u32>,
}

/// Parse a cache file written for a target of byte order `endian`.
pub fn parse(bytes: &[u8], endian: Endian) -> Result<LdSoCache, CacheError> {
    let r = Reader { bytes, endian };
    let layout = parse::layout(r)?;
    let ext = match layout.new_header {
        Some(h) => parse::extensions(r, h),
        None => parse::Extensions {
            valid: true,
            ..Default::default()
        },
    };
    let mut cache = LdSoCache {
        format: layout.format,
        bytes: bytes.to_vec(),
        ends: HashMap::default(),
        string_base: layout.string_base,
        raw: layout.raw,
        entries: Vec::new(),
        extensions_valid: ext.valid,
        generator: ext.generator,
        hwcaps: ext.hwcaps,
    };
    let mut runs = NulRuns::default();
    let offsets = cache
        .raw
        .iter()
        .flat_map(|e| [e.key, e.value])
        .filter_map(|off| cache.string_base.checked_add(off as usize))
        .chain(cache.hwcaps.iter().map(|&off| off as usize));
    let mut ends = HashMap::default();
    for off in offsets {
        if off < bytes.len() {
            ends.entry(off).or_insert_with(|| runs.end_of(bytes, off));
        }
    }
    cache.ends = ends;
    let mut interned: HashMap<u32, Arc<[u8]>> = HashMap::default();
    let mut budget = bytes
        .len()
        .saturating_mul(NAME_BYTES_PER_FILE_BYTE)
        .max(MIN_NAME_BYTES);
    let empty: Arc<[u8]> = Arc::from(&[][..]);
    let mut name = |off: u32| -> Arc<[u8]> {
        if let Some(name) = interned.get(&off) {
            return name.clone();
        }
        let text = cache.string(off).unwrap_or_default();
        if text.len() > budget {
            return empty.clone();
        }
        budget -= text.len();
        let name: Arc<[u8]> = text.into();
        interned.insert(off, name.clone());
        name
    };
    let entries = cache
        .raw
        .iter()
        .map(|e| CacheEntry {
            key: name(e.key),
            value: name(e.value),
            flags: e.flags,
            hwcap: e.hwcap.unwrap_or(0),
        })
        .collect();
    cache.entries = entries;
    Ok(cache)
}

impl LdSoCache {
    pub fn format(&self) -> CacheFormat {
        self.format
    }

    /// The entries of the used part, in file order (sorted as ldconfig sorts them).
    pub fn entries(&self) -> &[CacheEntry] {
        &self.entries
    }

    /// Tag-0 extension: the ldconfig that wrote the file, e.g.
    /// "ldconfig (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36".
    pub fn generator(&self) -> Option<&[u8]> {
        self.generator.as_deref()
    }

    /// False when the extension directory is malformed: glibc then uses no hwcaps entry.
    pub fn extensions_valid(&self) -> bool {
        self.extensions_valid
    }

    /// The glibc-hwcaps subdirectory names of the tag-1 extension, in file order (sorted).
    pub fn hwcaps_names(&self) -> Vec<&[u8]> {
        (0..self.hwcaps.len() as u32)
            .filter_map(|i| self.hwcaps_name(i))
            .collect()
    }

    fn hwcaps_name(&self, index: u32) -> Option<&[u8]> {
        let off = *self.hwcaps.get(index as usize)?;
        self.c_str(off as usize)
    }

    /// The string at a string-table offset of the used part.
    fn string(&self, off: u32) -> Option<&[u8]> {
        self.c_str(self.string_base.checked_add(off as usize)?)
    }

    /// The NUL-terminated string at file offset `off`, if `off` is inside; a missing NUL ends
    /// the string at the end of the data. Its end was found at parse time.
    fn c_str(&self, off: usize) -> Option<&[u8]> {
        let end = match self.ends.get(&off) {
            Some(&end) => end,
            // Every offset the entries and the extension name is known; keep the plain scan
            // for anything else.
            None => return parse::c_str(&self.bytes, off),
        };
        let rest = self.bytes.get(off..end)?;
        (off < self.bytes.len()).then_some(rest)
    }
}
