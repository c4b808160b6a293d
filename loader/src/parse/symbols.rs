//! `.dynsym` as the runtime finds it: DT_SYMTAB, its length from the hash table, names from
//! DT_STRTAB and version indices from DT_VERSYM.

use super::dynamic::{StrTab, Tags};
use super::header::AddressMap;
use super::reader::Reader;
use super::Diagnostics;
use crate::gnu_hash::GnuHash;
use crate::limits::MAX_SYMBOLS;
use crate::model::{Class, Name, Symbol};

const SYM32_SIZE: u64 = 16;
const SYM64_SIZE: u64 = 24;

/// How many entries DT_SYMTAB has. The dynamic section does not say, and glibc never needs
/// to know: a relocation's symbol is read straight at its index (sysdeps/*/dl-machine.h:
/// elf_machine_rel[a], `&symtab[ELFW(R_SYM) (reloc->r_info)]`), and only lookup goes
/// through the hash table:
/// - DT_HASH's nchain is the count (the ELF gABI: one chain entry per symbol); a relocation
///   past it is damage, reported and skipped by the caller.
/// - DT_GNU_HASH describes only the hashed (defined, exported) symbols; walking it to the end
///   of the chain that starts at the highest bucket counts up to the last of those. Undefined
///   symbols are not hashed, and when an object defines nothing, binutils writes the empty
///   table (one bucket, symoffset 1: bfd/elflink.c, "Empty .gnu.hash ... section is
///   special") whatever the size of .dynsym. A PIE from Debian 12's aarch64 GCC, which
///   reaches extern data through the GOT instead of COPY relocations, has exactly that table.
///   So with DT_GNU_HASH the count is at least `min` (the highest symbol index a relocation
///   uses, plus one).
fn symbol_count(
    r: &Reader<'_>,
    map: &AddressMap,
    tags: &Tags,
    machine: u16,
    min: u64,
    diags: &mut Diagnostics,
) -> u64 {
    if let Some(addr) = tags.hash {
        // s390x (and alpha) use 64-bit hash words (glibc sysdeps/unix/sysv/linux/s390/
        // bits/elfclass.h: Elf_Symndx).
        let wide = machine == goblin::elf::header::EM_S390 && r.class == Class::Elf64;
        let nchain = map.translate(addr).and_then(|(off, _)| {
            if wide {
                r.u64(off.checked_add(8)?)
            } else {
                r.u32(off.checked_add(4)?).map(u64::from)
            }
        });
        match nchain {
            Some(n) => return n,
            None => diags.push(format!("DT_HASH: table at {addr:#x} cannot be read")),
        }
    }
    if let Some(addr) = tags.gnu_hash {
        match gnu_hash_count(r, map, addr) {
            Some(n) => return n.max(min),
            None => diags.push(format!("DT_GNU_HASH: table at {addr:#x} cannot be read")),
        }
    }
    if tags.hash.is_none() && tags.gnu_hash.is_none() {
        diags.push(
            "DT_SYMTAB: no DT_HASH or DT_GNU_HASH; symbol count taken from relocations".to_owned(),
        );
    }
    min
}

fn gnu_hash_count(r: &Reader<'_>, map: &AddressMap, addr: u64) -> Option<u64> {
    let (off, avail) = map.translate(addr)?;
    let nbuckets = u64::from(r.u32(off)?);
    let symoffset = u64::from(r.u32(off.checked_add(4)?)?);
    let bloom_words = u64::from(r.u32(off.checked_add(8)?)?);
    let buckets = bloom_words
        .checked_mul(r.word_size())?
        .checked_add(16)?
        .checked_add(off)?;
    let chains = nbuckets.checked_mul(4)?.checked_add(buckets)?;
    let end = off.checked_add(avail)?;
    if chains > end {
        return None;
    }
    let mut max = 0u64;
    for i in 0..nbuckets {
        max = max.max(u64::from(r.u32(buckets + i * 4)?));
    }
    if max < symoffset {
        return Some(symoffset);
    }
    // The chain of the highest bucket ends at the last hashed symbol (low bit set). Bounded:
    // each step reads a new word inside the segment.
    let mut index = max;
    loop {
        let at = index
            .checked_sub(symoffset)?
            .checked_mul(4)?
            .checked_add(chains)?;
        if at.checked_add(4)? > end {
            return None;
        }
        if r.u32(at)? & 1 != 0 {
            return index.checked_add(1);
        }
        index += 1;
    }
}

/// DT_GNU_HASH, when the object has one both loaders can search: `None` without one, and
/// with one that is damaged (then lookup falls back to every symbol the table holds, and a
/// diagnostic says so). `symbols` is the length of the symbol table read.
pub(super) fn read_gnu_hash(
    r: &Reader<'_>,
    map: &AddressMap,
    tags: &Tags,
    symbols: usize,
    diags: &mut Diagnostics,
) -> Option<GnuHash> {
    let addr = tags.gnu_hash?;
    let table = (|| {
        let (off, avail) = map.translate(addr)?;
        let end = off.checked_add(avail)?;
        let nbuckets = r.u32(off)?;
        let symoffset = r.u32(off.checked_add(4)?)?;
        let bloom_words = r.u32(off.checked_add(8)?)?;
        let shift = r.u32(off.checked_add(12)?)?;
        let word = r.word_size();
        let bloom_at = off.checked_add(16)?;
        let buckets_at = u64::from(bloom_words)
            .checked_mul(word)?
            .checked_add(bloom_at)?;
        let chains_at = u64::from(nbuckets)
            .checked_mul(4)?
            .checked_add(buckets_at)?;
        let chain_count = (symbols as u64).saturating_sub(u64::from(symoffset));
        if chain_count.checked_mul(4)?.checked_add(chains_at)? > end {
            return None;
        }
        let bloom = r.words(bloom_at, u64::from(bloom_words))?;
        let buckets = r.u32s(buckets_at, u64::from(nbuckets))?;
        let chains = r.u32s(chains_at, chain_count)?;
        Some(GnuHash::new(
            bloom,
            (word * 8) as u32,
            shift,
            symoffset,
            buckets,
            chains,
            symbols,
        ))
    })();
    match table {
        None => {
            diags.push(format!(
                "DT_GNU_HASH: table at {addr:#x} cannot be read; symbols are looked up by name"
            ));
            None
        }
        Some(Err(e)) => {
            diags.push(format!("DT_GNU_HASH: {e}; symbols are looked up by name"));
            None
        }
        Some(Ok(table)) => Some(table),
    }
}

/// Read the dynamic symbol table. `min_count` is the highest symbol index a relocation uses,
/// plus one: the count without DT_HASH (see [`symbol_count`]).
pub(super) fn read(
    r: &Reader<'_>,
    map: &AddressMap,
    tags: &Tags,
    mut strtab: Option<&mut StrTab<'_>>,
    machine: u16,
    min_count: u64,
    diags: &mut Diagnostics,
) -> Vec<Symbol> {
    let Some(addr) = tags.symtab else {
        return Vec::new();
    };
    let Some((offset, avail)) = map.translate(addr) else {
        diags.push(format!(
            "DT_SYMTAB: address {addr:#x} is not in any PT_LOAD segment"
        ));
        return Vec::new();
    };
    let native = match r.class {
        Class::Elf32 => SYM32_SIZE,
        Class::Elf64 => SYM64_SIZE,
    };
    let entsize = match tags.syment {
        Some(size) if size < native => {
            diags.push(format!(
                "DT_SYMENT: {size} is smaller than a symbol ({native})"
            ));
            native
        }
        Some(size) => size,
        None => native,
    };
    let declared = symbol_count(r, map, tags, machine, min_count, diags);
    let fits = (avail / entsize).max(u64::from(avail >= native));
    let mut count = declared.min(fits);
    if count < declared {
        diags.push(format!(
            "DT_SYMTAB: {declared} symbols expected but only {count} fit in the file"
        ));
    }
    if count > MAX_SYMBOLS as u64 {
        diags.push(format!(
            "DT_SYMTAB: {count} symbols; only the first {MAX_SYMBOLS} are read (limits::MAX_SYMBOLS)"
        ));
        count = MAX_SYMBOLS as u64;
    }
    let versym = tags.versym.map(|a| (a, map.translate(a)));
    let empty: Name = Name::from(&[][..]);
    // Only the first failure is reported, with a count: keep the count, not every message.
    let mut first_bad: Option<(u64, String)> = None;
    let mut bad_count = 0usize;
    let mut bad_versym = None;
    // Exactly as many as are read (growing by doubling would hold up to twice that): `count`
    // is bounded by the bytes in the file and by MAX_SYMBOLS.
    let mut symbols = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    // The whole table in one bounds check (`count` fits in the segment), entries decoded
    // from it; entry by entry only if that fails.
    let table = count
        .checked_mul(entsize)
        .and_then(|size| r.slice(offset, size));
    let versyms = match versym {
        Some((_, Some((voff, vavail)))) => r.slice(voff, vavail.min(count.saturating_mul(2))),
        _ => None,
    };
    for i in 0..count {
        let sym = match table {
            Some(table) => decode_symbol(r, &table[(i * entsize) as usize..]),
            None => read_symbol(r, offset + i * entsize),
        };
        let Some(sym) = sym else {
            diags.push(format!("DT_SYMTAB: symbol {i} cannot be read"));
            break;
        };
        let name = match strtab.as_deref_mut().map(|s| s.name(u64::from(sym.name))) {
            Some(Ok(name)) => name,
            Some(Err(e)) => {
                bad_count += 1;
                first_bad.get_or_insert((i, e));
                empty.clone()
            }
            None => {
                bad_count += 1;
                first_bad.get_or_insert_with(|| (i, "no readable DT_STRTAB".to_owned()));
                empty.clone()
            }
        };
        let version = match versym {
            None => None,
            Some((_, Some((voff, vavail)))) if i * 2 + 2 <= vavail => match versyms {
                Some(v) => v
                    .get(i as usize * 2..i as usize * 2 + 2)
                    .map(|b| r.u16_from([b[0], b[1]])),
                None => r.u16(voff + i * 2),
            },
            Some((vaddr, _)) => {
                bad_versym.get_or_insert((vaddr, i));
                None
            }
        };
        symbols.push(Symbol {
            name,
            binding: sym.info >> 4,
            kind: sym.info & 0xf,
            visibility: sym.other & 0x3,
            other: sym.other,
            shndx: sym.shndx,
            value: sym.value,
            size: u32::try_from(sym.size).unwrap_or(u32::MAX),
            versym: version,
        });
    }
    if let Some((i, e)) = first_bad {
        diags.push(format!(
            "DT_SYMTAB: {bad_count} symbol name(s) cannot be read (first: symbol {i}: {e})"
        ));
    }
    if let Some((vaddr, i)) = bad_versym {
        diags.push(format!(
            "DT_VERSYM: table at {vaddr:#x} cannot be read from symbol {i} on"
        ));
    }
    symbols
}

struct RawSym {
    name: u32,
    info: u8,
    other: u8,
    shndx: u16,
    value: u64,
    size: u64,
}

/// A symbol from the start of `bytes` (at least one entry of this class).
fn decode_symbol(r: &Reader<'_>, bytes: &[u8]) -> Option<RawSym> {
    let u16_at = |o: usize| Some(r.u16_from(bytes.get(o..o + 2)?.try_into().ok()?));
    let u32_at = |o: usize| Some(r.u32_from(bytes.get(o..o + 4)?.try_into().ok()?));
    let u64_at = |o: usize| Some(r.u64_from(bytes.get(o..o + 8)?.try_into().ok()?));
    Some(match r.class {
        Class::Elf32 => RawSym {
            name: u32_at(0)?,
            value: u64::from(u32_at(4)?),
            size: u64::from(u32_at(8)?),
            info: *bytes.get(12)?,
            other: *bytes.get(13)?,
            shndx: u16_at(14)?,
        },
        Class::Elf64 => RawSym {
            name: u32_at(0)?,
            info: *bytes.get(4)?,
            other: *bytes.get(5)?,
            shndx: u16_at(6)?,
            value: u64_at(8)?,
            size: u64_at(16)?,
        },
    })
}

fn read_symbol(r: &Reader<'_>, at: u64) -> Option<RawSym> {
    let f = |o: u64| at.checked_add(o);
    Some(match r.class {
        Class::Elf32 => RawSym {
            name: r.u32(at)?,
            value: r.word(f(4)?)?,
            size: r.word(f(8)?)?,
            info: r.u8(f(12)?)?,
            other: r.u8(f(13)?)?,
            shndx: r.u16(f(14)?)?,
        },
        Class::Elf64 => RawSym {
            name: r.u32(at)?,
            info: r.u8(f(4)?)?,
            other: r.u8(f(5)?)?,
            shndx: r.u16(f(6)?)?,
            value: r.word(f(8)?)?,
            size: r.word(f(16)?)?,
        },
    })
}
