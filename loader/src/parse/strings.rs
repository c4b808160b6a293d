//! DT_STRTAB reads, bounded in time and memory whatever the file does.
//!
//! - Time: a NUL within [`SHORT_SCAN`] bytes of a string's start ends it at once (a bounded
//!   cost per reference); beyond that, each byte of the table is scanned for a NUL at most
//!   once per parse. Every such scan records the run it covered (`start..=end`, `end` the NUL or the end of the table);
//!   a later read inside a known run takes its end from the record, and a scan that reaches
//!   a known run stops there and merges with it. So 40,000 references into an unterminated
//!   1 MiB table cost one pass over it, not 40,000.
//! - Memory: names are interned per string offset and are windows onto one copy of the table
//!   ([`Name`]), so N references to one string cost no copy of it; the bytes of distinct names are capped at
//!   [`NAME_BYTES_PER_TABLE_BYTE`] times the table size (distinct offsets into one string
//!   overlap: every suffix of a 1 MiB string is a different name).

use std::collections::BTreeMap;

use foldhash::HashMap;

/// A NUL found within this many bytes of a string's start ends it without consulting what
/// earlier scans learnt: the cost per reference stays bounded by this, the common case skips
/// the bookkeeping.
pub const SHORT_SCAN: usize = 256;

/// Where NUL-terminated strings in one byte table end, learnt so that each byte is scanned at
/// most once however many strings are read, in whatever order: 40,000 reads into a 1 MiB run
/// without a NUL cost one pass over it. Used for DT_STRTAB and for ld.so.cache.
#[derive(Debug, Clone, Default)]
pub struct NulRuns {
    /// Known runs: start → end, where `bytes[end]` is the NUL or `end` is `bytes.len()` (no
    /// NUL up to the end of the table). Disjoint.
    runs: BTreeMap<usize, usize>,
}

impl NulRuns {
    /// Where the string starting at `start` in `bytes` ends: the index of its NUL, or
    /// `bytes.len()` when there is none (also for `start >= bytes.len()`). Always pass the
    /// same `bytes`.
    pub fn end_of(&mut self, bytes: &[u8], start: usize) -> usize {
        if start >= bytes.len() {
            return bytes.len();
        }
        // Most names are short: found within SHORT_SCAN bytes, they are neither looked up nor
        // recorded (a bounded rescan per reference keeps every read linear).
        if let Some(len) = short_len(bytes, start) {
            return start + len;
        }
        if let Some((_, &end)) = self.runs.range(..=start).next_back() {
            if start <= end {
                return end;
            }
        }
        let next = self.runs.range(start + 1..).next().map(|(&s, &e)| (s, e));
        let limit = next.map_or(bytes.len(), |(s, _)| s);
        let scanned = bytes.get(start..limit).unwrap_or_default();
        let end = match scanned.iter().position(|&b| b == 0) {
            Some(nul) => start + nul,
            None => match next {
                // No NUL up to the next known run: this run extends it.
                Some((s, e)) => {
                    self.runs.remove(&s);
                    e
                }
                None => bytes.len(),
            },
        };
        self.runs.insert(start, end);
        end
    }
}

/// The length of the string starting at `start` when its NUL lies within [`SHORT_SCAN`]
/// bytes.
fn short_len(bytes: &[u8], start: usize) -> Option<usize> {
    let window = bytes.get(start..bytes.len().min(start.checked_add(SHORT_SCAN)?))?;
    // A word at a time: every symbol name of every object is measured here.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut words = window.chunks_exact(8);
    let mut scanned = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().ok()?);
        // The lowest flagged byte is the first NUL (a borrow only flags bytes above one).
        let nul = word.wrapping_sub(ONES) & !word & HIGHS;
        if nul != 0 {
            return Some(scanned + (nul.trailing_zeros() / 8) as usize);
        }
        scanned += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == 0)
        .map(|p| scanned + p)
}

use super::dynamic::Tags;
use super::header::AddressMap;
use super::reader::Reader;
use super::Diagnostics;
use crate::limits::{MIN_NAME_BYTES, NAME_BYTES_PER_TABLE_BYTE};
use crate::model::Name;
use crate::name::NameTable;

/// DT_STRTAB as a bounded region of the file, with what has been learnt about it.
#[derive(Debug)]
pub(super) struct StrTab<'a> {
    /// DT_STRSZ (or the rest of the segment): the bound for string offsets.
    size: u64,
    /// The table's bytes that are in the file (at most `size`).
    bytes: &'a [u8],
    /// What the scans for NULs have found.
    runs: NulRuns,
    /// Names handed out, by string offset.
    interned: HashMap<usize, Name>,
    /// The one copy of the table every name is a window onto, made at the first name.
    shared: Option<NameTable>,
    /// Bytes of distinct names still allowed.
    budget: usize,
    /// The budget ran out (reported once).
    exhausted: bool,
}

impl<'a> StrTab<'a> {
    /// Locate DT_STRTAB. Without DT_STRSZ the table may extend to the end of its PT_LOAD.
    pub fn locate(
        r: &Reader<'a>,
        tags: &Tags,
        map: &AddressMap,
        diags: &mut Diagnostics,
    ) -> Option<StrTab<'a>> {
        let addr = tags.strtab?;
        let Some((offset, avail)) = map.translate(addr) else {
            diags.push(format!(
                "DT_STRTAB: address {addr:#x} is not in any PT_LOAD segment"
            ));
            return None;
        };
        let size = match tags.strsz {
            Some(size) if size > avail => {
                diags.push(format!(
                    "DT_STRTAB: DT_STRSZ {size:#x} runs past its segment ({avail:#x} bytes readable)"
                ));
                avail
            }
            Some(size) => size,
            None => avail,
        };
        // `avail` never goes past the end of the file, so neither does `size`.
        let bytes = r.slice(offset, size).unwrap_or_default();
        Some(StrTab {
            size,
            bytes,
            runs: NulRuns::default(),
            interned: HashMap::default(),
            shared: None,
            budget: bytes
                .len()
                .saturating_mul(NAME_BYTES_PER_TABLE_BYTE)
                .max(MIN_NAME_BYTES),
            exhausted: false,
        })
    }

    /// The string at index `idx`, or why it cannot be read.
    pub fn get(&mut self, idx: u64) -> Result<&'a [u8], String> {
        if idx >= self.size {
            return Err(format!(
                "string offset {idx:#x} is outside DT_STRTAB (size {:#x})",
                self.size
            ));
        }
        let unterminated = || format!("string at offset {idx:#x} has no terminating NUL");
        let start = usize::try_from(idx).map_err(|_| unterminated())?;
        if start >= self.bytes.len() {
            return Err(unterminated());
        }
        let end = self.runs.end_of(self.bytes, start);
        let bytes: &'a [u8] = self.bytes;
        match bytes.get(start..end) {
            Some(s) if end < bytes.len() => Ok(s),
            _ => Err(unterminated()),
        }
    }

    /// The string at index `idx` as a shared [`Name`]: the same `Name` for every reference
    /// to one offset.
    pub fn name(&mut self, idx: u64) -> Result<Name, String> {
        // A short name costs a bounded scan and hash per reference: neither interned nor
        // charged to the budget (an interning map per symbol was a tenth of a whole check).
        if let Some(short) = usize::try_from(idx)
            .ok()
            .and_then(|start| short_len(self.bytes, start))
        {
            let bytes = self.bytes;
            let table = self.shared.get_or_insert_with(|| NameTable::new(bytes));
            return Ok(Name::in_table(table, idx as usize, short).unwrap_or_default());
        }
        if let Some(name) = usize::try_from(idx)
            .ok()
            .and_then(|i| self.interned.get(&i))
        {
            return Ok(name.clone());
        }
        let text = self.get(idx)?;
        if text.len() > self.budget {
            self.exhausted = true;
            return Err(format!(
                "string at offset {idx:#x} is past the name budget of this table ({} bytes of distinct names)",
                self.bytes.len().saturating_mul(NAME_BYTES_PER_TABLE_BYTE).max(MIN_NAME_BYTES)
            ));
        }
        self.budget -= text.len();
        let bytes = self.bytes;
        let table = self.shared.get_or_insert_with(|| NameTable::new(bytes));
        // `get` succeeded: the string lies inside the table.
        let name = Name::in_table(table, idx as usize, text.len()).unwrap_or_default();
        // `get` succeeded, so `idx` fits in usize.
        self.interned.insert(idx as usize, name.clone());
        Ok(name)
    }

    /// One diagnostic line if the name budget cut anything.
    pub fn finish(&self, diags: &mut Diagnostics) {
        if self.exhausted {
            diags.push(format!(
                "DT_STRTAB: names beyond {} bytes of distinct strings were not read (limits::NAME_BYTES_PER_TABLE_BYTE)",
                self.bytes.len().saturating_mul(NAME_BYTES_PER_TABLE_BYTE).max(MIN_NAME_BYTES)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Class, Endian};

    fn table(bytes: &[u8]) -> StrTab<'_> {
        StrTab {
            size: bytes.len() as u64,
            bytes,
            runs: NulRuns::default(),
            interned: HashMap::default(),
            shared: None,
            budget: 16,
            exhausted: false,
        }
    }

    #[test]
    fn reads_like_cstr_in_any_order() {
        let bytes = b"\0libc.so.6\0abc\0unterminated";
        let pieces = [super::super::reader::Piece { offset: 0, bytes }];
        let missed = std::cell::Cell::new(false);
        let r = Reader {
            image: super::super::reader::Image::new(&pieces, bytes.len() as u64, &missed),
            endian: Endian::Little,
            class: Class::Elf64,
        };
        let end = bytes.len() as u64;
        // Every offset, forwards and backwards, against the plain scan.
        for order in [
            (0..end).collect::<Vec<_>>(),
            (0..end).rev().collect::<Vec<_>>(),
        ] {
            let mut t = table(bytes);
            for idx in order {
                assert_eq!(t.get(idx).ok(), r.cstr(idx, end), "offset {idx}");
            }
        }
        let mut t = table(bytes);
        assert!(t.get(end).unwrap_err().contains("outside DT_STRTAB"));
        assert!(t.get(20).unwrap_err().contains("no terminating NUL"));
    }

    #[test]
    fn runs_stay_disjoint_and_cover_each_byte_once() {
        let mut bytes = vec![b'a'; 1000];
        bytes[500] = 0;
        let mut t = table(&bytes);
        for idx in (0..1000).rev() {
            let _ = t.get(idx);
        }
        // Two runs: 0..=500 (the NUL) and 501..=1000 (no NUL).
        assert_eq!(
            t.runs
                .runs
                .iter()
                .map(|(&s, &e)| (s, e))
                .collect::<Vec<_>>(),
            [(0, 500), (501, 1000)]
        );
    }

    #[test]
    fn names_are_shared_per_offset_and_budgeted() {
        let bytes = b"\0abcdefghij\0";
        let mut t = table(bytes);
        let a = t.name(1).unwrap();
        let b = t.name(1).unwrap();
        assert_eq!(
            a.as_ptr(),
            b.as_ptr(),
            "one offset, one window onto the table"
        );
        assert_eq!(&*a, b"abcdefghij");
        // Short names are not charged: every suffix is readable.
        for idx in 2..11 {
            assert_eq!(&*t.name(idx).unwrap(), &bytes[idx as usize..11]);
        }
        assert!(!t.exhausted);
    }

    #[test]
    fn long_names_are_interned_and_budgeted() {
        let mut bytes = vec![0u8];
        bytes.extend(std::iter::repeat_n(b'x', SHORT_SCAN + 10));
        bytes.push(0);
        let mut t = table(&bytes);
        t.budget = SHORT_SCAN + 15;
        let a = t.name(1).unwrap();
        let b = t.name(1).unwrap();
        assert_eq!(a.as_ptr(), b.as_ptr(), "one offset, one name");
        assert_eq!(a.len(), SHORT_SCAN + 10);
        // The suffix at 2 is another long name and no longer fits the budget.
        assert!(t.name(2).unwrap_err().contains("name budget"));
        assert!(t.exhausted);
    }
}
