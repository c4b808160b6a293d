//! Bounds-checked, endian-aware reads from the file image. Every read returns `None` rather
//! than panicking when it would leave the file or overflow.

use crate::model::{Class, Endian};

#[derive(Debug, Clone, Copy)]
pub(super) struct Reader<'a> {
    pub bytes: &'a [u8],
    pub endian: Endian,
    pub class: Class,
}

impl<'a> Reader<'a> {
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub fn slice(&self, off: u64, len: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(off).ok()?;
        let len = usize::try_from(len).ok()?;
        self.bytes.get(start..start.checked_add(len)?)
    }

    fn array<const N: usize>(&self, off: u64) -> Option<[u8; N]> {
        self.slice(off, N as u64)?.try_into().ok()
    }

    pub fn u8(&self, off: u64) -> Option<u8> {
        self.slice(off, 1)?.first().copied()
    }

    pub fn u16(&self, off: u64) -> Option<u16> {
        let b = self.array(off)?;
        Some(match self.endian {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        })
    }

    pub fn u32(&self, off: u64) -> Option<u32> {
        let b = self.array(off)?;
        Some(match self.endian {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        })
    }

    pub fn u64(&self, off: u64) -> Option<u64> {
        let b = self.array(off)?;
        Some(match self.endian {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b),
        })
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
        let le = Reader {
            bytes: &bytes,
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
    }

    #[test]
    fn cstr_needs_a_nul_before_the_limit() {
        let bytes = b"abc\0def";
        let r = Reader {
            bytes,
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
