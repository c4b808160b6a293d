//! Reading an [`ElfObject`] from bytes the way the runtime reads it.
//!
//! Phases, one module each:
//! 1. [`header`]: ELF header and program headers (the only part that may fail the parse),
//!    and the vaddr → offset map built from PT_LOAD.
//! 2. Segments: PT_INTERP, PT_GNU_STACK, PT_LOAD presence (here).
//! 3. [`dynamic`]: PT_DYNAMIC's `DT_*` tags and the strings they name.
//! 4. [`relocs`], [`symbols`], [`versions`]: tables found through `DT_*` addresses.
//! 5. [`property`]: the x86 ISA level note; [`dlopen`]: `.note.dlopen` metadata (both walk
//!    notes with [`note`]).
//!
//! Section headers are never read: they may be stripped, and the loaders do not use them.
//! Every read is bounds-checked; a damaged optional table becomes one `diagnostics` line.

mod dlopen;
mod dynamic;
mod header;
mod note;
mod property;
mod reader;
mod relocs;
mod strings;

use reader::Image;
pub use reader::Piece;
use std::cell::Cell;
pub use strings::NulRuns;
pub(crate) use strings::SHORT_SCAN;
mod symbols;
mod versions;

use crate::arch::arch_of;
use crate::model::{ElfObject, Header, InterpError, RelocKind, RelocTable, SymbolReloc, PATH_MAX};
use goblin::elf::program_header::{PF_X, PT_DYNAMIC, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_NOTE};

/// Why bytes could not be read as an ELF object at all. Messages are glibc's where glibc has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    #[error("file too short")]
    TooShort,
    #[error("invalid ELF header")]
    BadMagic,
    #[error("{0}")]
    Malformed(String),
}

/// Collected diagnostics, capped so a hostile file cannot make the list huge.
#[derive(Debug, Default)]
struct Diagnostics {
    lines: Vec<String>,
    dropped: usize,
}

impl Diagnostics {
    const MAX: usize = 64;

    fn push(&mut self, line: String) {
        if self.lines.len() < Self::MAX {
            self.lines.push(line);
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.lines
                .push(format!("{} more problems not listed", self.dropped));
        }
        self.lines
    }
}

/// Only the ELF header (and program headers): enough to know a file's architecture from its
/// first pages.
pub fn parse_header(bytes: &[u8]) -> Result<Header, ElfError> {
    let pieces = [Piece { offset: 0, bytes }];
    let missed = Cell::new(false);
    header::read(Image::new(&pieces, bytes.len() as u64, &missed)).map(|(header, _, _)| header)
}

/// The file ranges the PT_LOAD segments map (offset .. offset + p_filesz, clamped to the
/// file), in program-header order: what a process holds of the file.
pub fn loaded_ranges(bytes: &[u8]) -> Result<Vec<std::ops::Range<usize>>, ElfError> {
    Ok(load_segments(bytes)?
        .into_iter()
        .map(|(_, range)| range)
        .collect())
}

/// Each PT_LOAD segment's virtual address with the file range it maps (see
/// [`loaded_ranges`]).
pub fn load_segments(bytes: &[u8]) -> Result<Vec<(u64, std::ops::Range<usize>)>, ElfError> {
    let pieces = [Piece { offset: 0, bytes }];
    let missed = Cell::new(false);
    let (_, _, phdrs) = header::read(Image::new(&pieces, bytes.len() as u64, &missed))?;
    Ok(phdrs
        .iter()
        .filter(|p| p.p_type == PT_LOAD)
        .filter_map(|p| {
            let start = usize::try_from(p.offset).ok()?.min(bytes.len());
            let end = usize::try_from(p.offset.saturating_add(p.filesz))
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            (start < end).then_some((p.vaddr, start..end))
        })
        .collect())
}

/// Parse an ELF file the way the runtime reads it: header, program headers, PT_INTERP,
/// PT_DYNAMIC and everything it points to (translated through PT_LOAD), PT_NOTE/PT_GNU_PROPERTY
/// (the x86 ISA level, `.note.dlopen` metadata).
/// Never panics on hostile input; damaged optional parts become `diagnostics`.
pub fn parse(bytes: &[u8]) -> Result<ElfObject, ElfError> {
    let pieces = [Piece { offset: 0, bytes }];
    let missed = Cell::new(false);
    parse_image(Image::new(&pieces, bytes.len() as u64, &missed))
}

/// [`parse`] from some pieces of a file of `len` bytes (see [`wanted_ranges`]): `None` when
/// the parse needed a byte no piece holds, and then only a parse of the whole file answers.
/// Otherwise the same result as [`parse`] of the whole file, which differs only in bytes
/// the parse never looked at.
pub fn parse_pieces(pieces: &[Piece<'_>], len: u64) -> Option<Result<ElfObject, ElfError>> {
    let missed = Cell::new(false);
    let parsed = parse_image(Image::new(pieces, len, &missed));
    (!missed.get()).then_some(parsed)
}

/// The parts of a file of `len` bytes that [`parse_pieces`] will read and `pieces` do not
/// hold yet, as far as the pieces tell: from the program headers, the segments the parse
/// reads whole (PT_INTERP, PT_DYNAMIC, PT_NOTE, PT_GNU_PROPERTY); once PT_DYNAMIC is at
/// hand, the rest of the PT_LOAD segment each table it points to starts in (no table read
/// goes further). Empty when the pieces hold all of it; the whole file when the program
/// headers themselves are missing. Sorted, merged.
pub fn wanted_ranges(pieces: &[Piece<'_>], len: u64) -> Vec<std::ops::Range<u64>> {
    let missed = Cell::new(false);
    let image = Image::new(pieces, len, &missed);
    let Ok((_, r, phdrs)) = header::read(image) else {
        return if missed.get() {
            std::iter::once(0..len).collect()
        } else {
            Vec::new()
        };
    };
    let mut wanted: Vec<std::ops::Range<u64>> = Vec::new();
    let mut want = |start: u64, size: u64| {
        let end = start.saturating_add(size).min(len);
        if start < end && image.slice(start, end - start).is_none() {
            wanted.push(start..end);
        }
    };
    for ph in &phdrs {
        if matches!(
            ph.p_type,
            PT_INTERP | PT_DYNAMIC | PT_NOTE | goblin::elf::program_header::PT_GNU_PROPERTY
        ) {
            want(ph.offset, ph.filesz);
        }
    }
    if let Some(ph) = phdrs.iter().rev().find(|p| p.p_type == PT_DYNAMIC) {
        let end = ph.offset.saturating_add(ph.filesz).min(len);
        if image
            .slice(ph.offset, end.saturating_sub(ph.offset))
            .is_some()
        {
            let map = header::AddressMap::new(&phdrs, len);
            let tags = dynamic::read_tags(&r, ph, &mut Diagnostics::default());
            for addr in tags.table_addresses() {
                if let Some((offset, avail)) = map.translate(addr) {
                    want(offset, avail);
                }
            }
        }
    }
    wanted.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<u64>> = Vec::new();
    for range in wanted {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// How [`parse_in_parts`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartsRead {
    /// The parts were enough.
    Parts,
    /// The parse reached past them: the whole file was read and parsed.
    Whole,
}

/// [`parse`] of a file of `len` bytes from the parts it reads, fetched with `read(offset,
/// len)` (which may return fewer bytes at the end of the file): first `first` bytes, then
/// the segments the program headers name, then the tables the dynamic section points to (a
/// program's code and data are never asked for). When the parse needs anything else, the
/// whole file is read and parsed: the result is always that of [`parse`].
pub fn parse_in_parts<B: AsRef<[u8]>, E>(
    len: u64,
    first: u64,
    mut read: impl FnMut(u64, u64) -> Result<B, E>,
) -> Result<(Result<ElfObject, ElfError>, PartsRead), E> {
    let mut held: Vec<(u64, B)> = vec![(0, read(0, first.min(len))?)];
    // Two rounds: the segments, then the tables PT_DYNAMIC names.
    for _ in 0..2 {
        let wanted = wanted_ranges(&pieces_of(&held), len);
        if wanted.is_empty() {
            break;
        }
        for range in wanted {
            let bytes = read(range.start, range.end - range.start)?;
            held.push((range.start, bytes));
        }
    }
    if let Some(parsed) = parse_pieces(&pieces_of(&held), len) {
        return Ok((parsed, PartsRead::Parts));
    }
    drop(held);
    let whole = read(0, len)?;
    Ok((parse(whole.as_ref()), PartsRead::Whole))
}

/// Held reads as pieces, the latest first: later reads are the larger tables most reads go to.
fn pieces_of<B: AsRef<[u8]>>(held: &[(u64, B)]) -> Vec<Piece<'_>> {
    held.iter()
        .rev()
        .map(|(offset, bytes)| Piece {
            offset: *offset,
            bytes: bytes.as_ref(),
        })
        .collect()
}

fn parse_image(image: Image<'_>) -> Result<ElfObject, ElfError> {
    let (header, r, phdrs) = header::read(image)?;
    let mut diags = Diagnostics::default();
    let map = header::AddressMap::new(&phdrs, r.len());

    let (interpreter, interpreter_invalid) = match phdrs.iter().find(|p| p.p_type == PT_INTERP) {
        None => (None, None),
        Some(p) => match interp(&r, p) {
            Ok(path) => (Some(path), None),
            Err(e) => {
                diags.push(format!("PT_INTERP: the kernel refuses it: {e}"));
                (None, Some(e))
            }
        },
    };
    let has_load = phdrs.iter().any(|p| p.p_type == PT_LOAD);
    // A loadable or dynamic segment past the end of the file: the kernel or ld.so would map
    // it and fault on first access. Nothing useful can be said about such a file.
    if phdrs.iter().any(|p| {
        matches!(p.p_type, PT_LOAD | PT_DYNAMIC) && p.offset.saturating_add(p.filesz) > r.len()
    }) {
        return Err(ElfError::Malformed(
            "truncated file: a segment extends past its end".to_owned(),
        ));
    }
    // glibc elf/dl-load.c: _dl_map_object_from_fd keeps the last PT_GNU_STACK's flags.
    let exec_stack = phdrs
        .iter()
        .rev()
        .find(|p| p.p_type == PT_GNU_STACK)
        .is_some_and(|p| p.flags & PF_X != 0);
    let x86_isa_needed = match header.machine {
        goblin::elf::header::EM_X86_64 | goblin::elf::header::EM_386 => {
            property::x86_isa_needed(&r, &phdrs)
        }
        _ => 0,
    };
    let dlopen_notes = dlopen::read(&r, &phdrs, &mut diags);
    let go_build_id = note::has_go_build_id(&r, &phdrs);

    let mut object = ElfObject {
        interpreter,
        interpreter_invalid,
        has_load,
        x86_isa_needed,
        exec_stack,
        dlopen_notes,
        go_build_id,
        ..ElfObject::empty(header)
    };

    // glibc records the last PT_DYNAMIC (`l->l_ld` is overwritten for each one).
    if let Some(ph) = phdrs.iter().rev().find(|p| p.p_type == PT_DYNAMIC) {
        let tags = dynamic::read_tags(&r, ph, &mut diags);
        let mut strtab = dynamic::StrTab::locate(&r, &tags, &map, &mut diags);
        let mut dynamic = dynamic::dynamic(&tags, strtab.as_mut(), &mut diags);
        dynamic.variant_calls = arch_of(&object.header)
            .and_then(|a| a.info().variant_call.as_ref())
            .is_some_and(|v| tags.proc.contains(&v.tag));
        object.dynamic = Some(dynamic);
        let raw_relocs = relocs::read(&r, &map, &tags, &mut diags);
        let min_symbols = raw_relocs
            .iter()
            .map(|x| x.symbol.saturating_add(1))
            .max()
            .unwrap_or(0);
        let machine = object.header.machine;
        object.symbols = symbols::read(
            &r,
            &map,
            &tags,
            strtab.as_mut(),
            machine,
            min_symbols,
            &mut diags,
        );
        object.gnu_hash = symbols::read_gnu_hash(&r, &map, &tags, object.symbols.len(), &mut diags);
        object.verdefs = versions::read_verdefs(&r, &map, &tags, strtab.as_mut(), &mut diags);
        object.verneeds = versions::read_verneeds(&r, &map, &tags, strtab.as_mut(), &mut diags);
        object.relocs = classify(&object, &raw_relocs, &mut diags);
        if let Some(strtab) = &strtab {
            strtab.finish(&mut diags);
        }
    }
    object.diagnostics = diags.finish();
    Ok(object)
}

/// The first PT_INTERP as Linux's load_elf_binary (fs/binfmt_elf.c) takes it:
/// `p_filesz > PATH_MAX || p_filesz < 2` → ENOEXEC; the segment is read whole (`elf_read`: a
/// short read is EIO); its last byte must be NUL (ENOEXEC); the path is the bytes up to the
/// first NUL (`open_exec` takes a C string).
fn interp(r: &reader::Reader<'_>, p: &header::Phdr) -> Result<Vec<u8>, InterpError> {
    if p.filesz > PATH_MAX || p.filesz < 2 {
        return Err(if p.filesz < 2 {
            InterpError::TooShort { filesz: p.filesz }
        } else {
            InterpError::TooLong { filesz: p.filesz }
        });
    }
    let bytes = r.slice(p.offset, p.filesz).ok_or(InterpError::PastEnd)?;
    if bytes.last() != Some(&0) {
        return Err(InterpError::Unterminated);
    }
    let nul = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    Ok(bytes[..nul].to_vec())
}

/// Attach a kind to each relocation and drop those naming a symbol that does not exist.
/// A JUMP_SLOT type outside DT_JMPREL is bound eagerly like any other (glibc only defers
/// the DT_JMPREL range: elf/dynamic-link.h).
fn classify(
    object: &ElfObject,
    raw: &[relocs::RawReloc],
    diags: &mut Diagnostics,
) -> Vec<SymbolReloc> {
    let arch = arch_of(&object.header);
    let mut out = Vec::with_capacity(raw.len());
    let mut missing = 0usize;
    for reloc in raw {
        let Some(symbol) = u32::try_from(reloc.symbol)
            .ok()
            .filter(|&s| (s as usize) < object.symbols.len())
        else {
            missing += 1;
            continue;
        };
        let kind = match arch.map(|a| a.reloc_kind(reloc.r_type)) {
            Some(RelocKind::JumpSlot) if reloc.table != RelocTable::JmpRel => RelocKind::Other,
            Some(kind) => kind,
            None => RelocKind::Other,
        };
        out.push(SymbolReloc {
            table: reloc.table,
            kind,
            symbol,
        });
    }
    if missing > 0 {
        diags.push(format!(
            "relocations: {missing} name a symbol outside DT_SYMTAB and were skipped"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Class, Endian};

    #[test]
    fn pt_interp_is_validated_as_load_elf_binary_does() {
        let bytes = b"/lib/ld.so\0xyz/lib/ld.so\0\0";
        let pieces = [Piece { offset: 0, bytes }];
        let missed = Cell::new(false);
        let r = reader::Reader {
            image: reader::Image::new(&pieces, bytes.len() as u64, &missed),
            endian: Endian::Little,
            class: Class::Elf64,
        };
        let ph = |offset, filesz| header::Phdr {
            p_type: PT_INTERP,
            flags: 0,
            offset,
            vaddr: 0,
            filesz,
            align: 1,
        };
        assert_eq!(interp(&r, &ph(0, 11)), Ok(b"/lib/ld.so".to_vec()));
        // Padding NULs after the path: the path ends at the first NUL.
        assert_eq!(interp(&r, &ph(14, 12)), Ok(b"/lib/ld.so".to_vec()));
        assert_eq!(interp(&r, &ph(0, 10)), Err(InterpError::Unterminated));
        assert_eq!(interp(&r, &ph(0, 14)), Err(InterpError::Unterminated));
        assert_eq!(
            interp(&r, &ph(0, 1)),
            Err(InterpError::TooShort { filesz: 1 })
        );
        assert_eq!(
            interp(&r, &ph(0, PATH_MAX + 1)),
            Err(InterpError::TooLong {
                filesz: PATH_MAX + 1
            })
        );
        assert_eq!(interp(&r, &ph(20, 100)), Err(InterpError::PastEnd));
    }
}
