//! The ELF note walk shared by every note reader: `Elf_Nhdr` records one after another in a
//! segment, each name and descriptor padded to the segment's note alignment (gABI "Note
//! Section"; glibc's ELF_NOTE_NEXT_OFFSET).

use super::header::Phdr;
use super::reader::Reader;
use crate::model::NT_GO_BUILD_ID;
use goblin::elf::program_header::PT_NOTE;

/// Size of `Elf_Nhdr` (namesz, descsz, type), the same in both classes.
pub(super) const NHDR_SIZE: u64 = 12;

/// One note header and where its parts start; the parts are not checked against anything.
#[derive(Debug, Clone, Copy)]
pub(super) struct Note {
    /// File offset of the header.
    pub offset: u64,
    pub namesz: u32,
    pub descsz: u32,
    pub n_type: u32,
    /// File offset of the name (right after the header).
    pub name: u64,
    /// File offset of the descriptor (after the name, padded).
    pub desc: u64,
}

impl Note {
    /// Where the name ends (exclusive).
    pub fn name_end(&self) -> Option<u64> {
        self.name.checked_add(u64::from(self.namesz))
    }
    /// Where the descriptor ends (exclusive).
    pub fn desc_end(&self) -> Option<u64> {
        self.desc.checked_add(u64::from(self.descsz))
    }
}

/// The notes of `[start, end)`, in order. Stops when no whole header is left before `end`,
/// when a header cannot be read, or when the next offset would overflow; every step moves
/// forward by at least [`NHDR_SIZE`], so the walk ends.
#[derive(Debug, Clone)]
pub(super) struct Notes<'r, 'a> {
    r: &'r Reader<'a>,
    next: Option<u64>,
    end: u64,
    align: u64,
}

impl<'r, 'a> Notes<'r, 'a> {
    /// `align` must be a power of two (4 or 8).
    pub fn new(r: &'r Reader<'a>, start: u64, end: u64, align: u64) -> Self {
        Notes {
            r,
            next: Some(start),
            end,
            align,
        }
    }
}

impl Iterator for Notes<'_, '_> {
    type Item = Note;

    fn next(&mut self) -> Option<Note> {
        let offset = self.next.take()?;
        if offset.checked_add(NHDR_SIZE)? > self.end {
            return None;
        }
        let (namesz, descsz, n_type) = (
            self.r.u32(offset)?,
            self.r.u32(offset + 4)?,
            self.r.u32(offset + 8)?,
        );
        let desc_rel = align_up(NHDR_SIZE + u64::from(namesz), self.align)?;
        let desc = offset.checked_add(desc_rel)?;
        // ELF_NOTE_NEXT_OFFSET: header and name, padded; then the descriptor, padded. On
        // overflow this note is still returned and the walk ends after it.
        self.next = desc_rel
            .checked_add(u64::from(descsz))
            .and_then(|n| align_up(n, self.align))
            .and_then(|n| offset.checked_add(n));
        Some(Note {
            offset,
            namesz,
            descsz,
            n_type,
            name: offset + NHDR_SIZE,
            desc,
        })
    }
}

/// `n` rounded up to `align` (a power of two), `None` on overflow.
pub(super) fn align_up(n: u64, align: u64) -> Option<u64> {
    Some(n.checked_add(align - 1)? & !(align - 1))
}

/// Whether a PT_NOTE segment holds the Go linker's build ID note (owner `Go`). Damage is
/// left to the other note readers to report: this only looks.
pub(super) fn has_go_build_id(r: &Reader<'_>, phdrs: &[Phdr]) -> bool {
    phdrs.iter().filter(|ph| ph.p_type == PT_NOTE).any(|ph| {
        let end = ph.offset.saturating_add(ph.filesz).min(r.len());
        let align = if ph.align == 8 { 8 } else { 4 };
        Notes::new(r, ph.offset, end, align).any(|note| {
            note.n_type == NT_GO_BUILD_ID
                // "Go\0\0" in cmd/link (namesz 4); "Go\0" as the gABI would write it.
                && matches!(note.namesz, 3 | 4)
                && r.slice(note.name, 3) == Some(b"Go\0")
        })
    })
}
