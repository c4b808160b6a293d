//! Decoding the three ld.so.cache layouts (glibc sysdeps/generic/dl-cache.h), with the acceptance
//! rules of glibc elf/dl-cache.c: _dl_load_cache_lookup. Every read is bounds-checked.

use super::{CacheError, CacheFormat, RawEntry};
use ldsim_loader::Endian;

pub(super) const OLD_MAGIC: &[u8] = b"ld.so-1.7.0";
/// CACHEMAGIC_VERSION_NEW: magic and version are compared together.
pub(super) const NEW_MAGIC: &[u8] = b"glibc-ld.so.cache1.1";
/// sizeof (struct cache_file): magic, one padding byte, nlibs.
const OLD_HEADER: usize = 16;
const OLD_ENTRY: usize = 12;
/// sizeof (struct cache_file_new).
const NEW_HEADER: usize = 48;
const NEW_ENTRY: usize = 24;
/// __alignof__ (struct cache_file_new) on 64-bit targets. i386 aligns it to 4, but ldconfig
/// pads the old entry count to an even number so both give the same offset.
const NEW_ALIGN: usize = 8;
/// cache_extension_magic, written in glibc as (uint32_t) -358342284.
const EXTENSION_MAGIC: u32 = 0xeaa4_2174;
const TAG_GENERATOR: u32 = 0;
const TAG_GLIBC_HWCAPS: u32 = 1;

/// Byte reader in the target's byte order.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reader<'a> {
    pub bytes: &'a [u8],
    pub endian: Endian,
}

impl Reader<'_> {
    pub fn u32_at(&self, off: usize) -> Option<u32> {
        self.endian.u32_at(self.bytes, off)
    }
    pub fn u64_at(&self, off: usize) -> Option<u64> {
        self.endian.u64_at(self.bytes, off)
    }
}

/// Where the entries and the string table of the part the loader uses are.
#[derive(Debug)]
pub(super) struct Layout {
    pub format: CacheFormat,
    /// File offset of the entry the string offsets count from.
    pub string_base: usize,
    pub raw: Vec<RawEntry>,
    /// File offset of the new header, when the new part is used.
    pub new_header: Option<usize>,
}

/// Identify the format and decode the entries of the part glibc would use.
pub(super) fn layout(r: Reader<'_>) -> Result<Layout, CacheError> {
    let size = r.bytes.len();
    // glibc tries the new format first; it requires the file to be strictly larger than the
    // header and the entries to fit.
    if r.bytes.starts_with(NEW_MAGIC) {
        if size <= NEW_HEADER {
            return Err(CacheError::Truncated);
        }
        let nlibs = r.u32_at(20).ok_or(CacheError::Truncated)?;
        if (size - NEW_HEADER) / NEW_ENTRY < nlibs as usize {
            return Err(CacheError::Truncated);
        }
        check_endian(r, 0)?;
        return Ok(Layout {
            format: CacheFormat::New,
            string_base: 0,
            raw: new_entries(r, 0, nlibs)?,
            new_header: Some(0),
        });
    }
    if !r.bytes.starts_with(OLD_MAGIC) {
        return Err(CacheError::BadMagic);
    }
    if size <= OLD_HEADER {
        return Err(CacheError::Truncated);
    }
    let nlibs = r.u32_at(12).ok_or(CacheError::Truncated)?;
    if (size - OLD_HEADER) / OLD_ENTRY < nlibs as usize {
        return Err(CacheError::Truncated);
    }
    let old_end = OLD_HEADER + nlibs as usize * OLD_ENTRY;
    let new_at = old_end.div_ceil(NEW_ALIGN) * NEW_ALIGN;
    let embedded = new_at
        .checked_add(NEW_HEADER)
        .is_some_and(|end| end <= size)
        && r.bytes
            .get(new_at..)
            .is_some_and(|b| b.starts_with(NEW_MAGIC));
    if embedded {
        // A mismatching endianness makes glibc drop the old part as well.
        check_endian(r, new_at)?;
        let n = r.u32_at(new_at + 20).ok_or(CacheError::Truncated)?;
        // glibc does not check the embedded count; reading past the end would be its bug.
        if (size - new_at - NEW_HEADER) / NEW_ENTRY < n as usize {
            return Err(CacheError::Truncated);
        }
        return Ok(Layout {
            format: CacheFormat::Compat,
            string_base: new_at,
            raw: new_entries(r, new_at, n)?,
            new_header: Some(new_at),
        });
    }
    let mut raw = Vec::with_capacity(nlibs as usize);
    for i in 0..nlibs as usize {
        let at = OLD_HEADER + i * OLD_ENTRY;
        let field = |k: usize| r.u32_at(at + 4 * k).ok_or(CacheError::Truncated);
        raw.push(RawEntry {
            flags: field(0)? as i32,
            key: field(1)?,
            value: field(2)?,
            hwcap: None,
        });
    }
    Ok(Layout {
        format: CacheFormat::Old,
        string_base: old_end,
        raw,
        new_header: None,
    })
}

/// glibc sysdeps/generic/dl-cache.h: cache_file_new_matches_endian.
fn check_endian(r: Reader<'_>, header: usize) -> Result<(), CacheError> {
    let flags = *r.bytes.get(header + 28).ok_or(CacheError::Truncated)?;
    let want = match r.endian {
        Endian::Little => 2,
        Endian::Big => 3,
    };
    if flags == 0 || flags & 3 == want {
        Ok(())
    } else {
        Err(CacheError::WrongEndian(flags))
    }
}

fn new_entries(r: Reader<'_>, header: usize, nlibs: u32) -> Result<Vec<RawEntry>, CacheError> {
    let mut raw = Vec::with_capacity(nlibs as usize);
    for i in 0..nlibs as usize {
        let at = header + NEW_HEADER + i * NEW_ENTRY;
        let field = |k: usize| r.u32_at(at + 4 * k).ok_or(CacheError::Truncated);
        raw.push(RawEntry {
            flags: field(0)? as i32,
            key: field(1)?,
            value: field(2)?,
            hwcap: Some(r.u64_at(at + 16).ok_or(CacheError::Truncated)?),
        });
    }
    Ok(raw)
}

/// The sections of the extension directory the loader knows.
#[derive(Debug, Default)]
pub(super) struct Extensions {
    /// False when glibc's cache_extension_load fails: no generator, no hwcaps.
    pub valid: bool,
    pub generator: Option<Vec<u8>>,
    /// Tag 1: string offsets, counted from the start of the FILE (glibc reads them as
    /// `(const char *) cache + index`; in the compat format that is not the new header, so the
    /// names come out wrong there — `ldconfig -p` shows the same).
    pub hwcaps: Vec<u32>,
}

/// glibc sysdeps/generic/dl-cache.h: cache_extension_load and cache_extension_verify.
pub(super) fn extensions(r: Reader<'_>, header: usize) -> Extensions {
    let mut ext = Extensions::default();
    let size = r.bytes.len() as u64;
    let Some(offset) = r.u32_at(header + 32) else {
        return ext;
    };
    if offset == 0 {
        ext.valid = true;
        return ext;
    }
    if offset % 4 != 0 || u64::from(offset) + 8 > size {
        return ext;
    }
    let at = offset as usize;
    let (Some(magic), Some(count)) = (r.u32_at(at), r.u32_at(at + 4)) else {
        return ext;
    };
    if magic != EXTENSION_MAGIC || u64::from(offset) + 8 + u64::from(count) * 16 > size {
        return ext;
    }
    let mut generator = None;
    let mut hwcaps = None;
    for i in 0..count as usize {
        let s = at + 8 + i * 16;
        let field = |k: usize| r.u32_at(s + 4 * k).unwrap_or(0);
        let (tag, off, len) = (field(0), field(2), field(3));
        if u64::from(off) + u64::from(len) > size {
            return ext;
        }
        let data = r.bytes.get(off as usize..(off as usize + len as usize));
        match tag {
            TAG_GENERATOR => generator = data,
            // Later sections with the same tag replace earlier ones, as in glibc.
            TAG_GLIBC_HWCAPS => hwcaps = data.map(|d| (off, d)),
            _ => {}
        }
    }
    ext.valid = true;
    ext.generator = generator.map(<[u8]>::to_vec);
    if let Some((off, d)) = hwcaps {
        if !d.is_empty() && off % 4 == 0 && d.len() % 4 == 0 {
            let words = Reader {
                bytes: d,
                endian: r.endian,
            };
            ext.hwcaps = (0..d.len() / 4)
                .filter_map(|i| words.u32_at(i * 4))
                .collect();
        }
    }
    ext
}

/// The NUL-terminated string at `off` in `bytes`, if `off` is inside; a missing NUL ends the
/// string at the end of the data.
pub(super) fn c_str(bytes: &[u8], off: usize) -> Option<&[u8]> {
    let rest = bytes.get(off..)?;
    if rest.is_empty() {
        return None;
    }
    Some(rest.split(|&b| b == 0).next().unwrap_or(rest))
}
