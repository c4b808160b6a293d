//! Bounds-checked, endian-aware reads from the file image. Every read returns `None` rather
//! than panicking when it would leave the file or overflow.
//!
//! The image may be only some pieces of the file ([`Image`]): a read inside the file but
//! outside every piece returns `None` like one past its end, and marks the image as having
//! missed, so that the caller parses the whole file instead of trusting the result.

use std::cell::Cell;

use crate::model::{Class, Endian};

/// Bytes of a file at a known offset.
#[derive(Debug, Clone, Copy)]
pub struct Piece<'a> {
    pub offset: u64,
    pub bytes: &'a [u8],
}

/// A file of `len` bytes, of which the pieces are at hand.
#[derive(Debug, Clone, Copy)]
pub(super) struct Image<'a> {
    pieces: &'a [Piece<'a>],
    len: u64,
    missed: &'a Cell<bool>,
}

impl<'a> Image<'a> {
    pub fn new(pieces: &'a [Piece<'a>], len: u64, missed: &'a Cell<bool>) -> Self {
        Image {
            pieces,
            len,
            missed,
        }
    }

    /// The file's length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// The bytes `off..off + len`, when one piece holds them all.
    pub fn slice(&self, off: u64, len: u64) -> Option<&'a [u8]> {
        for piece in self.pieces {
            let Some(start) = off
                .checked_sub(piece.offset)
                .and_then(|s| usize::try_from(s).ok())
            else {
                continue;
            };
            let end = start.checked_add(usize::try_from(len).ok()?)?;
            if let Some(bytes) = piece.bytes.get(start..end) {
                return Some(bytes);
            }
        }
        if off.checked_add(len).is_some_and(|end| end <= self.len) {
            self.missed.set(true);
        }
        None
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Reader<'a> {
    pub image: Image<'a>,
    pub endian: Endian,
    pub class: Class,
}

impl<'a> Reader<'a> {
    pub fn len(&self) -> u64 {
        self.image.len()
    }

    pub fn slice(&self, off: u64, len: u64) -> Option<&'a [u8]> {
        self.image.slice(off, len)
    }

    fn array<const N: usize>(&self, off: u64) -> Option<[u8; N]> {
        self.slice(off, N as u64)?.try_into().ok()
    }

    pub fn u8(&self, off: u64) -> Option<u8> {
        self.slice(off, 1)?.first().copied()
    }

    pub fn u16(&self, off: u64) -> Option<u16> {
        self.array(off).map(|b| self.u16_from(b))
    }

    pub fn u32(&self, off: u64) -> Option<u32> {
        self.array(off).map(|b| self.u32_from(b))
    }

    pub fn u64(&self, off: u64) -> Option<u64> {
        self.array(off).map(|b| self.u64_from(b))
    }

    /// `count` consecutive u32s at `off`, read from one slice (a hash table's chains hold one
    /// per symbol).
    pub fn u32s(&self, off: u64, count: u64) -> Option<Box<[u32]>> {
        let bytes = self.slice(off, count.checked_mul(4)?)?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|b| self.endian.u32(b.try_into().unwrap_or_default()))
                .collect(),
        )
    }

    /// `count` consecutive Addr/Off/Xwords of this class at `off`, widened to u64.
    pub fn words(&self, off: u64, count: u64) -> Option<Box<[u64]>> {
        let size = self.word_size();
        let bytes = self.slice(off, count.checked_mul(size)?)?;
        Some(match self.class {
            Class::Elf32 => bytes
                .chunks_exact(4)
                .map(|b| u64::from(self.endian.u32(b.try_into().unwrap_or_default())))
                .collect(),
            Class::Elf64 => bytes
                .chunks_exact(8)
                .map(|b| self.endian.u64(b.try_into().unwrap_or_default()))
                .collect(),
        })
    }

    /// Bytes already read, in the file's byte order.
    pub fn u16_from(&self, b: [u8; 2]) -> u16 {
        self.endian.u16(b)
    }

    pub fn u32_from(&self, b: [u8; 4]) -> u32 {
        self.endian.u32(b)
    }

    pub fn u64_from(&self, b: [u8; 8]) -> u64 {
        self.endian.u64(b)
    }

    /// Size of an Addr/Off/Xword of this class.
    pub fn word_size(&self) -> u64 {
        match self.class {
            Class::Elf32 => 4,
            Class::Elf64 => 8,
        }
    }

    /// An Addr/Off/Xword of this class, widened to u64.
    pub fn word(&self, off: u64) -> Option<u64> {
        match self.class {
            Class::Elf32 => self.u32(off).map(u64::from),
            Class::Elf64 => self.u64(off),
        }
    }

    /// The NUL-terminated string at `off`, searching no further than `end` (exclusive): the
    /// plain scan the string table's reads (`strings.rs`) are tested against.
    #[cfg(test)]
    pub fn cstr(&self, off: u64, end: u64) -> Option<&'a [u8]> {
        let end = end.min(self.len());
        let bytes = self.slice(off, end.checked_sub(off)?)?;
        let nul = bytes.iter().position(|&b| b == 0)?;
        bytes.get(..nul)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_endians_and_refuses_out_of_bounds() {
        let bytes = [1u8, 2, 3, 4, 5, 6, 7, 8];
        let pieces = [Piece {
            offset: 0,
            bytes: &bytes,
        }];
        let missed = Cell::new(false);
        let le = Reader {
            image: Image::new(&pieces, 8, &missed),
            endian: Endian::Little,
            class: Class::Elf32,
        };
        let be = Reader {
            endian: Endian::Big,
            ..le
        };
        assert_eq!(le.u16(0), Some(0x0201));
        assert_eq!(be.u16(0), Some(0x0102));
        assert_eq!(le.u32(4), Some(0x0807_0605));
        assert_eq!(be.word(4), Some(0x0506_0708));
        assert_eq!(le.u64(0), Some(0x0807_0605_0403_0201));
        assert_eq!(le.u32(5), None);
        assert_eq!(le.u64(u64::MAX), None);
        assert_eq!(le.slice(u64::MAX - 1, 4), None);
        assert!(!missed.get(), "past the end is not a miss");
    }

    #[test]
    fn a_read_outside_every_piece_is_a_miss() {
        let (a, b) = ([1u8, 2, 3, 4], [9u8, 8]);
        let pieces = [
            Piece {
                offset: 0,
                bytes: &a,
            },
            Piece {
                offset: 10,
                bytes: &b,
            },
        ];
        let missed = Cell::new(false);
        let image = Image::new(&pieces, 12, &missed);
        assert_eq!(image.slice(1, 2), Some(&[2u8, 3][..]));
        assert_eq!(image.slice(10, 2), Some(&[9u8, 8][..]));
        assert_eq!(image.slice(12, 1), None);
        assert!(!missed.get());
        // Straddling two pieces, or in the gap between them.
        assert_eq!(image.slice(3, 2), None);
        assert!(missed.get());
        missed.set(false);
        assert_eq!(image.slice(6, 1), None);
        assert!(missed.get());
    }

    #[test]
    fn cstr_needs_a_nul_before_the_limit() {
        let bytes = b"abc\0def";
        let pieces = [Piece { offset: 0, bytes }];
        let missed = Cell::new(false);
        let r = Reader {
            image: Image::new(&pieces, 7, &missed),
            endian: Endian::Little,
            class: Class::Elf64,
        };
        assert_eq!(r.cstr(0, 7), Some(&b"abc"[..]));
        assert_eq!(r.cstr(1, 4), Some(&b"bc"[..]));
        assert_eq!(r.cstr(0, 3), None);
        assert_eq!(r.cstr(4, 100), None);
        assert_eq!(r.cstr(9, 100), None);
    }
}
