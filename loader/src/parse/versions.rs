//! DT_VERDEF and DT_VERNEED chains.
//!
//! glibc walks both by their `*_next` offsets until 0 and ignores DT_VERDEFNUM/DT_VERNEEDNUM
//! (glibc elf/dl-version.c: _dl_check_map_versions), so do we. On hostile input a walk stops
//! at an offset outside the segment, at a record already read by any chain of the same table
//! (a loop, or one Vernaux chain shared by many Verneed records: read once, not once per
//! record), and after [`MAX_VERSION_RECORDS`] records across all chains of the table; every
//! such stop is a diagnostic.

use std::collections::BTreeSet;

use super::dynamic::{string, StrTab, Tags};
use super::header::AddressMap;
use super::reader::Reader;
use super::Diagnostics;
use crate::limits::MAX_VERSION_RECORDS;
use crate::model::{Verdef, Vernaux, Verneed};

const VERDEF_SIZE: u64 = 20;
const VERNEED_SIZE: u64 = 16;
const VERNAUX_SIZE: u64 = 16;

/// What one table's walk has read so far, across all of its chains.
struct Walk {
    table: &'static str,
    seen: BTreeSet<u64>,
    capped: bool,
}

impl Walk {
    fn new(table: &'static str) -> Self {
        Walk {
            table,
            seen: BTreeSet::new(),
            capped: false,
        }
    }
}

/// Follows one `*_next` chain inside `[start, end)`.
struct Chain {
    what: &'static str,
    at: Option<u64>,
    end: u64,
}

impl Chain {
    fn new(what: &'static str, start: u64, end: u64) -> Self {
        Chain {
            what,
            at: Some(start),
            end,
        }
    }

    /// The next record offset, if the chain goes on, the record fits and was not read yet.
    fn next_record(&mut self, walk: &mut Walk, size: u64, diags: &mut Diagnostics) -> Option<u64> {
        let at = self.at.take()?;
        if walk.seen.len() >= MAX_VERSION_RECORDS {
            if !walk.capped {
                walk.capped = true;
                diags.push(format!(
                    "{}: more than {MAX_VERSION_RECORDS} records across its chains; stopped (limits::MAX_VERSION_RECORDS)",
                    walk.table
                ));
            }
            return None;
        }
        if !matches!(at.checked_add(size), Some(e) if e <= self.end) {
            diags.push(format!(
                "{}: record at file offset {at:#x} runs past its segment",
                self.what
            ));
            return None;
        }
        if !walk.seen.insert(at) {
            diags.push(format!(
                "{}: chain reaches file offset {at:#x} again (a loop, or a record shared with another chain)",
                self.what
            ));
            return None;
        }
        Some(at)
    }

    /// Advance by `next` bytes from `at` (0 ends the chain).
    fn advance(&mut self, at: u64, next: u32) {
        if next != 0 {
            self.at = at.checked_add(u64::from(next));
        }
    }
}

fn count_check(what: &str, declared: Option<u64>, found: usize, diags: &mut Diagnostics) {
    if let Some(declared) = declared {
        if declared != found as u64 {
            diags.push(format!(
                "{what}: {found} entries found, {declared} declared"
            ));
        }
    }
}

pub(super) fn read_verdefs(
    r: &Reader<'_>,
    map: &AddressMap,
    tags: &Tags,
    mut strtab: Option<&mut StrTab<'_>>,
    diags: &mut Diagnostics,
) -> Vec<Verdef> {
    let Some(addr) = tags.verdef else {
        return Vec::new();
    };
    let Some((start, avail)) = map.translate(addr) else {
        diags.push(format!(
            "DT_VERDEF: address {addr:#x} is not in any PT_LOAD segment"
        ));
        return Vec::new();
    };
    let mut walk = Walk::new("DT_VERDEF");
    let mut chain = Chain::new("DT_VERDEF", start, start + avail);
    let mut defs = Vec::new();
    while let Some(at) = chain.next_record(&mut walk, VERDEF_SIZE, diags) {
        let (Some(version), Some(flags), Some(index), Some(hash), Some(aux), Some(next)) = (
            r.u16(at),
            r.u16(at + 2),
            r.u16(at + 4),
            r.u32(at + 8),
            r.u32(at + 12),
            r.u32(at + 16),
        ) else {
            break;
        };
        if version != 1 {
            // glibc elf/dl-version.c: match_symbol refuses it when a symbol needs this object.
            diags.push(format!(
                "DT_VERDEF: entry {index} has unsupported vd_version {version}"
            ));
        }
        // The first Verdaux names the version (glibc reads it whatever vd_cnt says).
        let name = at
            .checked_add(u64::from(aux))
            .filter(|a| a.checked_add(8).is_some_and(|e| e <= chain.end))
            .and_then(|a| r.u32(a));
        let name = match name {
            Some(idx) => string(strtab.as_deref_mut(), u64::from(idx), "DT_VERDEF", diags),
            None => {
                diags.push(format!("DT_VERDEF: entry {index} has no readable Verdaux"));
                None
            }
        };
        if let Some(name) = name {
            defs.push(Verdef {
                index,
                flags,
                hash,
                name,
            });
        }
        chain.advance(at, next);
    }
    count_check("DT_VERDEF", tags.verdefnum, defs.len(), diags);
    defs
}

pub(super) fn read_verneeds(
    r: &Reader<'_>,
    map: &AddressMap,
    tags: &Tags,
    mut strtab: Option<&mut StrTab<'_>>,
    diags: &mut Diagnostics,
) -> Vec<Verneed> {
    let Some(addr) = tags.verneed else {
        return Vec::new();
    };
    let Some((start, avail)) = map.translate(addr) else {
        diags.push(format!(
            "DT_VERNEED: address {addr:#x} is not in any PT_LOAD segment"
        ));
        return Vec::new();
    };
    let end = start + avail;
    let mut walk = Walk::new("DT_VERNEED");
    let mut chain = Chain::new("DT_VERNEED", start, end);
    let mut needs = Vec::new();
    while let Some(at) = chain.next_record(&mut walk, VERNEED_SIZE, diags) {
        let (Some(version), Some(file), Some(aux), Some(next)) =
            (r.u16(at), r.u32(at + 4), r.u32(at + 8), r.u32(at + 12))
        else {
            break;
        };
        if version != 1 {
            // glibc elf/dl-version.c: _dl_check_map_versions, "unsupported version of
            // Verneed record".
            diags.push(format!(
                "DT_VERNEED: entry has unsupported vn_version {version}"
            ));
        }
        let file = string(
            strtab.as_deref_mut(),
            u64::from(file),
            "DT_VERNEED file",
            diags,
        );
        let entries = match at.checked_add(u64::from(aux)) {
            Some(first) => read_vernaux(r, strtab.as_deref_mut(), &mut walk, first, end, diags),
            None => Vec::new(),
        };
        if let Some(file) = file {
            needs.push(Verneed { file, entries });
        }
        chain.advance(at, next);
    }
    count_check("DT_VERNEED", tags.verneednum, needs.len(), diags);
    needs
}

fn read_vernaux(
    r: &Reader<'_>,
    mut strtab: Option<&mut StrTab<'_>>,
    walk: &mut Walk,
    first: u64,
    end: u64,
    diags: &mut Diagnostics,
) -> Vec<Vernaux> {
    let mut chain = Chain::new("DT_VERNEED aux", first, end);
    let mut entries = Vec::new();
    while let Some(at) = chain.next_record(walk, VERNAUX_SIZE, diags) {
        let (Some(hash), Some(flags), Some(other), Some(name), Some(next)) = (
            r.u32(at),
            r.u16(at + 4),
            r.u16(at + 6),
            r.u32(at + 8),
            r.u32(at + 12),
        ) else {
            break;
        };
        if let Some(name) = string(
            strtab.as_deref_mut(),
            u64::from(name),
            "DT_VERNEED entry",
            diags,
        ) {
            entries.push(Vernaux {
                name,
                hash,
                flags,
                other,
            });
        }
        chain.advance(at, next);
    }
    entries
}
