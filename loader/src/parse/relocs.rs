//! DT_REL, DT_RELA and DT_JMPREL entries that name a symbol, in the order glibc processes
//! them (glibc elf/dynamic-link.h: _ELF_DYNAMIC_DO_RELOC).
//!
//! The first DT_RELCOUNT / DT_RELACOUNT entries of DT_REL / DT_RELA are not read: glibc
//! relocates them as relative without looking at their symbol (elf/do-rel.h:
//! `r = relative + nrelative`), and they are most of a large library's table. musl ignores the
//! count and reads every entry; linkers write the count of the leading R_*_RELATIVE entries,
//! so the two differ only for a file made by hand to put a symbol there.

use super::dynamic::Tags;
use super::header::AddressMap;
use super::reader::Reader;
use super::Diagnostics;
use crate::limits::MAX_RELOCS;
use crate::model::{Class, RelocTable};
use goblin::elf::dynamic::{DT_REL, DT_RELA};

/// A relocation before its symbol and kind are checked against the symbol table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RawReloc {
    pub table: RelocTable,
    pub r_type: u32,
    pub symbol: u64,
}

/// One table: where it is, how big, how wide each entry is.
struct Table {
    table: RelocTable,
    name: &'static str,
    addr: u64,
    size: u64,
    entsize: u64,
    /// Leading entries glibc relocates as relative without looking at them.
    relative: u64,
}

pub(super) fn read(
    r: &Reader<'_>,
    map: &AddressMap,
    tags: &Tags,
    diags: &mut Diagnostics,
) -> Vec<RawReloc> {
    let w = r.word_size();
    let (rel_ent, rela_ent) = (tags.relent.unwrap_or(2 * w), tags.relaent.unwrap_or(3 * w));
    let mut rel = table(
        RelocTable::Rel,
        "DT_REL",
        tags.rel,
        tags.relsz,
        rel_ent,
        diags,
    )
    .map(|t| t.with_relative(tags.relcount));
    let mut rela = table(
        RelocTable::Rela,
        "DT_RELA",
        tags.rela,
        tags.relasz,
        rela_ent,
        diags,
    )
    .map(|t| t.with_relative(tags.relacount));
    let jmprel = jmprel(tags, rel_ent, rela_ent, diags);

    // Linkers may make DT_RELASZ (DT_RELSZ) cover the PLT relocations too. glibc then
    // shortens the eager range so the JMPREL entries are processed once, as the lazy range:
    // `if (ranges[0].start + ranges[0].size == (start + size)) ranges[0].size -= size;`.
    if let Some(jmp) = &jmprel {
        let eager = match tags.pltrel {
            Some(DT_REL) => rel.as_mut(),
            _ => rela.as_mut(),
        };
        if let Some(eager) = eager {
            if eager.addr.checked_add(eager.size) == jmp.addr.checked_add(jmp.size) {
                eager.size = eager.size.saturating_sub(jmp.size);
            }
        }
    }

    let mut out = Vec::new();
    for t in [rel, rela, jmprel].into_iter().flatten() {
        read_table(r, map, &t, &mut out, diags);
    }
    out
}

fn table(
    table: RelocTable,
    name: &'static str,
    addr: Option<u64>,
    size: Option<u64>,
    entsize: u64,
    diags: &mut Diagnostics,
) -> Option<Table> {
    // With DT_RELR, DT_RELA/DT_REL may be present with the value 0 (dynamic-link.h).
    let addr = addr.filter(|&a| a != 0)?;
    let Some(size) = size else {
        diags.push(format!("{name}: no size tag; table skipped"));
        return None;
    };
    Some(Table {
        table,
        name,
        addr,
        size,
        entsize,
        relative: 0,
    })
}

impl Table {
    fn with_relative(self, count: Option<u64>) -> Table {
        Table {
            relative: count.unwrap_or(0),
            ..self
        }
    }
}

/// DT_JMPREL counts only with DT_PLTREL saying which format it has; glibc ignores it
/// otherwise (`if ((map)->l_info[DT_PLTREL] …)`).
fn jmprel(tags: &Tags, rel_ent: u64, rela_ent: u64, diags: &mut Diagnostics) -> Option<Table> {
    let addr = tags.jmprel?;
    let entsize = match tags.pltrel {
        Some(DT_REL) => rel_ent,
        Some(DT_RELA) => rela_ent,
        Some(other) => {
            diags.push(format!(
                "DT_JMPREL: DT_PLTREL {other} is neither DT_REL nor DT_RELA"
            ));
            return None;
        }
        None => {
            diags.push("DT_JMPREL: no DT_PLTREL; table skipped".to_owned());
            return None;
        }
    };
    table(
        RelocTable::JmpRel,
        "DT_JMPREL",
        Some(addr),
        tags.pltrelsz,
        entsize,
        diags,
    )
}

fn read_table(
    r: &Reader<'_>,
    map: &AddressMap,
    t: &Table,
    out: &mut Vec<RawReloc>,
    diags: &mut Diagnostics,
) {
    if t.size == 0 {
        return;
    }
    let w = r.word_size();
    if t.entsize < 2 * w {
        diags.push(format!(
            "{}: entry size {} is too small; table skipped",
            t.name, t.entsize
        ));
        return;
    }
    let Some((offset, avail)) = map.translate(t.addr) else {
        diags.push(format!(
            "{}: address {:#x} is not in any PT_LOAD segment",
            t.name, t.addr
        ));
        return;
    };
    let mut size = t.size;
    if size > avail {
        diags.push(format!(
            "{}: size {size:#x} runs past its segment ({avail:#x} bytes readable)",
            t.name
        ));
        size = avail;
    }
    let count = size / t.entsize;
    // The table in one bounds check, entries decoded from it (entry by entry if that fails).
    let table = r.slice(offset, count * t.entsize);
    for i in t.relative.min(count)..count {
        if out.len() >= MAX_RELOCS {
            diags.push(format!(
                "{}: more than {MAX_RELOCS} symbol relocations in the file; the rest are not read (limits::MAX_RELOCS)",
                t.name
            ));
            return;
        }
        let at = i * t.entsize + w;
        let info = match (table, r.class) {
            (Some(table), Class::Elf32) => table
                .get(at as usize..at as usize + 4)
                .map(|b| u64::from(r.u32_from([b[0], b[1], b[2], b[3]]))),
            (Some(table), Class::Elf64) => table
                .get(at as usize..at as usize + 8)
                .and_then(|b| b.try_into().ok())
                .map(|b| r.u64_from(b)),
            (None, _) => r.word(offset + at),
        };
        let Some(info) = info else {
            break;
        };
        let (symbol, r_type) = match r.class {
            Class::Elf32 => (info >> 8, (info & 0xff) as u32),
            Class::Elf64 => (info >> 32, (info & 0xffff_ffff) as u32),
        };
        if symbol != 0 {
            out.push(RawReloc {
                table: t.table,
                r_type,
                symbol,
            });
        }
    }
}
