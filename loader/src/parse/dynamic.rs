//! PT_DYNAMIC: the `DT_*` tags, the string table they name, and the [`Dynamic`] record.

use super::header::Phdr;
use super::reader::Reader;
pub(super) use super::strings::StrTab;
use super::Diagnostics;
use crate::limits::MAX_NEEDED;
use crate::model::{Class, Dynamic, Name};
use goblin::elf::dynamic as dt;

/// DT_RELR (glibc elf/elf.h); goblin does not name it.
const DT_RELR: u64 = 36;
/// The processor-specific tag range (glibc elf/elf.h).
const DT_LOPROC: u64 = 0x7000_0000;
const DT_HIPROC: u64 = 0x7fff_ffff;

/// The tags the parser uses. Single-valued tags keep the last occurrence, as glibc
/// elf/get-dynamic-info.h does (`info[tag] = dyn`); DT_NEEDED keeps all, in order.
#[derive(Debug, Default)]
pub(super) struct Tags {
    pub needed: Vec<u64>,
    pub soname: Option<u64>,
    pub rpath: Option<u64>,
    pub runpath: Option<u64>,
    pub strtab: Option<u64>,
    pub strsz: Option<u64>,
    pub symtab: Option<u64>,
    pub syment: Option<u64>,
    pub hash: Option<u64>,
    pub gnu_hash: Option<u64>,
    pub versym: Option<u64>,
    pub verdef: Option<u64>,
    pub verdefnum: Option<u64>,
    pub verneed: Option<u64>,
    pub verneednum: Option<u64>,
    pub rel: Option<u64>,
    pub relsz: Option<u64>,
    pub relent: Option<u64>,
    pub rela: Option<u64>,
    pub relasz: Option<u64>,
    pub relaent: Option<u64>,
    /// DT_RELCOUNT / DT_RELACOUNT: how many leading entries of DT_REL / DT_RELA glibc takes
    /// as relative relocations without reading their symbol.
    pub relcount: Option<u64>,
    pub relacount: Option<u64>,
    pub jmprel: Option<u64>,
    pub pltrelsz: Option<u64>,
    pub pltrel: Option<u64>,
    pub flags: u64,
    pub flags_1: u64,
    pub bind_now: bool,
    pub symbolic: bool,
    pub relr: bool,
    /// Processor-specific tags present (DT_LOPROC..=DT_HIPROC), in file order: their meaning
    /// depends on the machine, so the caller interprets them.
    pub proc: Vec<u64>,
}

impl Tags {
    /// Every address of a table the parse reads (translated through PT_LOAD).
    pub fn table_addresses(&self) -> impl Iterator<Item = u64> + '_ {
        [
            self.strtab,
            self.symtab,
            self.hash,
            self.gnu_hash,
            self.versym,
            self.verdef,
            self.verneed,
            self.rel,
            self.rela,
            self.jmprel,
        ]
        .into_iter()
        .flatten()
    }
}

/// Read the entries of PT_DYNAMIC up to DT_NULL, never past the segment or the file.
pub(super) fn read_tags(r: &Reader<'_>, ph: &Phdr, diags: &mut Diagnostics) -> Tags {
    let mut tags = Tags::default();
    let entsize = 2 * r.word_size();
    let count = ph.filesz / entsize;
    let mut terminated = false;
    // The whole segment in one bounds check when one piece holds it; entry by entry else.
    let table = count
        .checked_mul(entsize)
        .and_then(|len| r.slice(ph.offset, len));
    let word_in = |bytes: &[u8], o: usize| match r.class {
        Class::Elf32 => Some(u64::from(r.u32_from(bytes.get(o..o + 4)?.try_into().ok()?))),
        Class::Elf64 => Some(r.u64_from(bytes.get(o..o + 8)?.try_into().ok()?)),
    };
    for i in 0..count {
        let Some(at) = i
            .checked_mul(entsize)
            .and_then(|o| o.checked_add(ph.offset))
        else {
            break;
        };
        let in_table = table.and_then(|t| {
            let start = usize::try_from(i * entsize).ok()?;
            let word = usize::try_from(r.word_size()).ok()?;
            Some((word_in(t, start)?, word_in(t, start + word)?))
        });
        let (tag, val) = match in_table {
            Some((tag, val)) => (Some(tag), Some(val)),
            None => (
                r.word(at),
                at.checked_add(r.word_size()).and_then(|v| r.word(v)),
            ),
        };
        let (Some(tag), Some(val)) = (tag, val) else {
            diags.push(format!(
                "PT_DYNAMIC: entry {i} lies past the end of the file"
            ));
            terminated = true;
            break;
        };
        match tag {
            dt::DT_NULL => {
                terminated = true;
                break;
            }
            dt::DT_NEEDED => tags.needed.push(val),
            dt::DT_SONAME => tags.soname = Some(val),
            dt::DT_RPATH => tags.rpath = Some(val),
            dt::DT_RUNPATH => tags.runpath = Some(val),
            dt::DT_STRTAB => tags.strtab = Some(val),
            dt::DT_STRSZ => tags.strsz = Some(val),
            dt::DT_SYMTAB => tags.symtab = Some(val),
            dt::DT_SYMENT => tags.syment = Some(val),
            dt::DT_HASH => tags.hash = Some(val),
            dt::DT_GNU_HASH => tags.gnu_hash = Some(val),
            dt::DT_VERSYM => tags.versym = Some(val),
            dt::DT_VERDEF => tags.verdef = Some(val),
            dt::DT_VERDEFNUM => tags.verdefnum = Some(val),
            dt::DT_VERNEED => tags.verneed = Some(val),
            dt::DT_VERNEEDNUM => tags.verneednum = Some(val),
            dt::DT_REL => tags.rel = Some(val),
            dt::DT_RELSZ => tags.relsz = Some(val),
            dt::DT_RELENT => tags.relent = Some(val),
            dt::DT_RELA => tags.rela = Some(val),
            dt::DT_RELASZ => tags.relasz = Some(val),
            dt::DT_RELAENT => tags.relaent = Some(val),
            dt::DT_RELCOUNT => tags.relcount = Some(val),
            dt::DT_RELACOUNT => tags.relacount = Some(val),
            dt::DT_JMPREL => tags.jmprel = Some(val),
            dt::DT_PLTRELSZ => tags.pltrelsz = Some(val),
            dt::DT_PLTREL => tags.pltrel = Some(val),
            dt::DT_FLAGS => tags.flags = val,
            dt::DT_FLAGS_1 => tags.flags_1 = val,
            dt::DT_BIND_NOW => tags.bind_now = true,
            dt::DT_SYMBOLIC => tags.symbolic = true,
            DT_RELR => tags.relr = true,
            DT_LOPROC..=DT_HIPROC if !tags.proc.contains(&tag) => tags.proc.push(tag),
            _ => {}
        }
    }
    if !terminated {
        diags.push("PT_DYNAMIC: no DT_NULL entry within the segment".to_owned());
    }
    tags
}

/// Look up a string for a table named `what`, turning a failure into a diagnostic.
pub(super) fn string(
    strtab: Option<&mut StrTab<'_>>,
    idx: u64,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Name> {
    let Some(strtab) = strtab else {
        diags.push(format!(
            "{what}: no readable DT_STRTAB to take the name from"
        ));
        return None;
    };
    strtab
        .name(idx)
        .map_err(|e| diags.push(format!("{what}: {e}")))
        .ok()
}

/// The [`Dynamic`] record. A DT_NEEDED whose name cannot be read is left out and reported.
pub(super) fn dynamic(
    tags: &Tags,
    mut strtab: Option<&mut StrTab<'_>>,
    diags: &mut Diagnostics,
) -> Dynamic {
    if tags.needed.len() > MAX_NEEDED {
        diags.push(format!(
            "DT_NEEDED: {} entries; only the first {MAX_NEEDED} are read (limits::MAX_NEEDED)",
            tags.needed.len()
        ));
    }
    let mut string = |idx: u64, what: &str| string(strtab.as_deref_mut(), idx, what, diags);
    let needed = tags
        .needed
        .iter()
        .take(MAX_NEEDED)
        .enumerate()
        .filter_map(|(i, &idx)| string(idx, &format!("DT_NEEDED #{}", i + 1)))
        .collect();
    let mut owned = |idx: u64, what: &str| string(idx, what).map(|n| n.to_vec());
    Dynamic {
        needed,
        soname: tags.soname.and_then(|i| owned(i, "DT_SONAME")),
        rpath: tags.rpath.and_then(|i| owned(i, "DT_RPATH")),
        runpath: tags.runpath.and_then(|i| owned(i, "DT_RUNPATH")),
        flags: tags.flags,
        flags_1: tags.flags_1,
        bind_now_tag: tags.bind_now,
        symbolic_tag: tags.symbolic,
        has_relr: tags.relr,
        // Set by the caller, which knows the machine.
        variant_calls: false,
    }
}
