//! The ELF header and program headers, and the vaddr → file offset map built from PT_LOAD.

use super::reader::{Image, Reader};
use super::ElfError;
use crate::model::{Class, Endian, Header};

const EI_NIDENT: usize = 16;
const EI_CLASS: usize = 4;
const EI_DATA: usize = 5;
const EI_VERSION: usize = 6;
const EI_OSABI: usize = 7;
const EI_ABIVERSION: usize = 8;
const EI_PAD: usize = 9;
const ELFMAG: &[u8; 4] = b"\x7fELF";
const EHDR32_SIZE: u64 = 52;
const EHDR64_SIZE: u64 = 64;
const PHDR32_SIZE: u64 = 32;
const PHDR64_SIZE: u64 = 56;

/// One program header, widened to 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Phdr {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub align: u64,
}

/// Read the ELF header and the program headers.
///
/// Refuses only what cannot be read at all. The order follows glibc elf/dl-load.c:
/// open_verify: the length test comes before the magic test, so a short text file is "file
/// too short". glibc compares against its own Ehdr size, which the parser does not know; we
/// use the smallest Ehdr (ELFCLASS32) before the class is known and the file's class after.
/// Everything open_verify checks later (version, OS ABI, padding, phentsize) is recorded raw.
pub(super) fn read(image: Image<'_>) -> Result<(Header, Reader<'_>, Vec<Phdr>), ElfError> {
    if image.len() < EHDR32_SIZE {
        return Err(ElfError::TooShort);
    }
    let ident = image.slice(0, EI_NIDENT as u64).ok_or(ElfError::TooShort)?;
    if ident.get(..4) != Some(&ELFMAG[..]) {
        return Err(ElfError::BadMagic);
    }
    let byte = |i: usize| ident.get(i).copied().unwrap_or(0);
    let class = match byte(EI_CLASS) {
        1 => Class::Elf32,
        2 => Class::Elf64,
        // glibc treats any other class as "not mine" (a soft skip); there is no wording.
        other => return Err(ElfError::Malformed(format!("invalid ELF class {other}"))),
    };
    let endian = match byte(EI_DATA) {
        1 => Endian::Little,
        2 => Endian::Big,
        // glibc's "ELF file data encoding not little-endian" depends on the loader's own byte
        // order, which the parser does not know.
        other => {
            return Err(ElfError::Malformed(format!(
                "invalid ELF data encoding {other}"
            )))
        }
    };
    let (ehdr_size, phdr_size) = match class {
        Class::Elf32 => (EHDR32_SIZE, PHDR32_SIZE),
        Class::Elf64 => (EHDR64_SIZE, PHDR64_SIZE),
    };
    if image.len() < ehdr_size {
        return Err(ElfError::TooShort);
    }
    let r = Reader {
        image,
        endian,
        class,
    };
    let short = || ElfError::TooShort;
    let e_type = r.u16(16).ok_or_else(short)?;
    let machine = r.u16(18).ok_or_else(short)?;
    let e_version = r.u32(20).ok_or_else(short)?;
    // e_phoff, e_flags, e_phentsize, e_phnum.
    let (phoff, flags, phentsize, phnum) = match class {
        Class::Elf32 => (r.word(28), r.u32(36), r.u16(42), r.u16(44)),
        Class::Elf64 => (r.word(32), r.u32(48), r.u16(54), r.u16(56)),
    };
    let (phoff, flags, phentsize, phnum) = (
        phoff.ok_or_else(short)?,
        flags.ok_or_else(short)?,
        phentsize.ok_or_else(short)?,
        phnum.ok_or_else(short)?,
    );
    let header = Header {
        class,
        endian,
        ident_version: byte(EI_VERSION),
        osabi: byte(EI_OSABI),
        abiversion: byte(EI_ABIVERSION),
        ident_padding_zero: ident
            .get(EI_PAD..)
            .is_some_and(|p| p.iter().all(|&b| b == 0)),
        e_type,
        machine,
        e_version,
        flags,
        phentsize_ok: u64::from(phentsize) == phdr_size,
    };
    let phdrs = read_phdrs(&r, phoff, phnum, phdr_size)?;
    Ok((header, r, phdrs))
}

/// Program headers are read with the native size whatever e_phentsize says (glibc rejects a
/// wrong e_phentsize itself, and so does the kernel). A table that runs past the end of the
/// file is what glibc reports as "cannot read file data" (the short pread in open_verify).
fn read_phdrs(r: &Reader<'_>, phoff: u64, phnum: u16, size: u64) -> Result<Vec<Phdr>, ElfError> {
    let mut phdrs = Vec::with_capacity(usize::from(phnum));
    // The whole table in one bounds check when one piece holds it (headers are read three
    // times per file read in parts); header by header where that does not decode.
    let table = u64::from(phnum)
        .checked_mul(size)
        .and_then(|len| r.slice(phoff, len));
    for i in 0..u64::from(phnum) {
        let from_table = table.and_then(|t| {
            let start = usize::try_from(i.checked_mul(size)?).ok()?;
            decode_phdr(r, t.get(start..)?)
        });
        let ph = match from_table {
            Some(ph) => ph,
            None => i
                .checked_mul(size)
                .and_then(|o| o.checked_add(phoff))
                .and_then(|at| read_phdr(r, at))
                .ok_or_else(|| ElfError::Malformed("cannot read file data".to_owned()))?,
        };
        phdrs.push(ph);
    }
    Ok(phdrs)
}

fn read_phdr(r: &Reader<'_>, at: u64) -> Option<Phdr> {
    phdr_fields(
        r.class,
        |o| r.u32(at.checked_add(o)?),
        |o| r.word(at.checked_add(o)?),
    )
}

/// A program header from the start of `b`, as [`read_phdr`] reads it at its offset.
fn decode_phdr(r: &Reader<'_>, b: &[u8]) -> Option<Phdr> {
    let u32_at = |o: u64| {
        let o = usize::try_from(o).ok()?;
        Some(r.u32_from(b.get(o..o + 4)?.try_into().ok()?))
    };
    let word_at = |o: u64| match r.class {
        Class::Elf32 => u32_at(o).map(u64::from),
        Class::Elf64 => {
            let o = usize::try_from(o).ok()?;
            Some(r.u64_from(b.get(o..o + 8)?.try_into().ok()?))
        }
    };
    phdr_fields(r.class, u32_at, word_at)
}

/// The fields of a program header of `class`, each read at its offset in the header.
fn phdr_fields(
    class: Class,
    u32_at: impl Fn(u64) -> Option<u32>,
    word_at: impl Fn(u64) -> Option<u64>,
) -> Option<Phdr> {
    Some(match class {
        Class::Elf32 => Phdr {
            p_type: u32_at(0)?,
            offset: word_at(4)?,
            vaddr: word_at(8)?,
            filesz: word_at(16)?,
            flags: u32_at(24)?,
            align: word_at(28)?,
        },
        Class::Elf64 => Phdr {
            p_type: u32_at(0)?,
            flags: u32_at(4)?,
            offset: word_at(8)?,
            vaddr: word_at(16)?,
            filesz: word_at(32)?,
            align: word_at(48)?,
        },
    })
}

/// Where each PT_LOAD's file bytes appear in memory: how the runtime's `l_addr + d_ptr`
/// becomes a file offset for us.
#[derive(Debug, Default)]
pub(super) struct AddressMap {
    /// (p_vaddr, p_offset, p_filesz) of each PT_LOAD, in program header order.
    loads: Vec<(u64, u64, u64)>,
    file_len: u64,
}

impl AddressMap {
    pub fn new(phdrs: &[Phdr], file_len: u64) -> Self {
        let loads = phdrs
            .iter()
            .filter(|p| p.p_type == goblin::elf::program_header::PT_LOAD)
            .map(|p| (p.vaddr, p.offset, p.filesz))
            .collect();
        AddressMap { loads, file_len }
    }

    /// File offset of `vaddr` and how many bytes of that PT_LOAD's file image (and of the
    /// file) follow it. `None` when no PT_LOAD maps the address from the file.
    pub fn translate(&self, vaddr: u64) -> Option<(u64, u64)> {
        self.loads.iter().find_map(|&(start, offset, filesz)| {
            let delta = vaddr.checked_sub(start)?;
            if delta >= filesz {
                return None;
            }
            let at = offset.checked_add(delta)?;
            let in_file = self.file_len.checked_sub(at)?;
            Some((at, (filesz - delta).min(in_file)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translate_stays_inside_one_load_and_the_file() {
        let load = |vaddr, offset, filesz| Phdr {
            p_type: goblin::elf::program_header::PT_LOAD,
            flags: 0,
            offset,
            vaddr,
            filesz,
            align: 0x1000,
        };
        let map = AddressMap::new(&[load(0x1000, 0, 0x100), load(0x3000, 0x200, 0x100)], 0x280);
        assert_eq!(map.translate(0x1010), Some((0x10, 0xf0)));
        assert_eq!(map.translate(0x3010), Some((0x210, 0x70)));
        assert_eq!(map.translate(0x1100), None);
        assert_eq!(map.translate(0x0fff), None);
        assert_eq!(map.translate(0x3090), None); // past the end of the file
    }

    /// The table decoded at once gives what reading each header at its offset gives, for
    /// entries of any size (smaller ones overlap the next), in one piece or split in two.
    #[test]
    fn program_headers_from_the_table_or_one_by_one_agree() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(600).collect();
        for class in [Class::Elf32, Class::Elf64] {
            for size in [8u64, 32, 56, 64] {
                let whole = [super::super::reader::Piece {
                    offset: 0,
                    bytes: &bytes[..],
                }];
                let split = [
                    super::super::reader::Piece {
                        offset: 0,
                        bytes: &bytes[..150],
                    },
                    super::super::reader::Piece {
                        offset: 150,
                        bytes: &bytes[150..],
                    },
                ];
                let missed = std::cell::Cell::new(false);
                for pieces in [&whole[..], &split[..]] {
                    let r = Reader {
                        image: Image::new(pieces, bytes.len() as u64, &missed),
                        endian: crate::model::Endian::Little,
                        class,
                    };
                    let (phoff, phnum) = (40u64, 6u16);
                    let one_by_one: Option<Vec<Phdr>> = (0..u64::from(phnum))
                        .map(|i| read_phdr(&r, phoff + i * size))
                        .collect();
                    assert_eq!(
                        read_phdrs(&r, phoff, phnum, size).ok(),
                        one_by_one,
                        "{class:?} size {size}"
                    );
                }
            }
        }
    }

    fn read_all(bytes: &[u8]) -> Result<Header, ElfError> {
        let pieces = [super::super::reader::Piece { offset: 0, bytes }];
        let missed = std::cell::Cell::new(false);
        read(Image::new(&pieces, bytes.len() as u64, &missed)).map(|(h, _, _)| h)
    }

    #[test]
    fn short_and_foreign_files() {
        let read = read_all;
        assert_eq!(read(b"").unwrap_err(), ElfError::TooShort);
        assert_eq!(read(&[0u8; 51]).unwrap_err(), ElfError::TooShort);
        assert_eq!(read(&[b'#'; 100]).unwrap_err(), ElfError::BadMagic);
        let mut ehdr = [0u8; 60];
        ehdr[..4].copy_from_slice(ELFMAG);
        ehdr[EI_CLASS] = 2;
        ehdr[EI_DATA] = 1;
        // 60 bytes: enough for an Elf32_Ehdr, not for an Elf64_Ehdr.
        assert_eq!(read(&ehdr).unwrap_err(), ElfError::TooShort);
        ehdr[EI_CLASS] = 3;
        assert!(matches!(read(&ehdr).unwrap_err(), ElfError::Malformed(_)));
    }
}
