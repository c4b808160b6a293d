//! The build information the Go linker embeds in every program (Go ≥ 1.18 writes it inline):
//! the `.go.buildinfo` section starts with the magic `\xff Go buildinf:`, the pointer size,
//! flags (bit 1: strings inline), then at offset 32 the Go version and the module information
//! as two uvarint-length-prefixed strings (cmd/link/internal/ld/data.go: buildinfo;
//! debug/buildinfo: Read). The module information holds one `build KEY=VALUE` line per
//! setting: `CGO_ENABLED`, `-tags`, `-ldflags`, `GOAMD64`, `-buildmode` …
//!
//! Reading is in two steps so that the caller reads only what is needed: [`section_range`]
//! finds the section through the section headers, [`parse`] decodes its bytes.

use crate::model::{Class, Endian};

/// The section's magic.
const MAGIC: &[u8] = b"\xff Go buildinf:";

/// Module information is wrapped in 16 bytes on each side (runtime/debug: modinfo).
const MODINFO_WRAP: usize = 16;

/// The most of the section read: version and module information of a real program are a few
/// KiB; a hostile length stops here.
pub const MAX_SECTION: u64 = 256 * 1024;

/// What `go version -m` shows of a program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoBuildInfo {
    /// `go1.19.8`.
    pub version: String,
    /// The main package's import path (`path` line), when recorded.
    pub path: Option<String>,
    /// Every `build KEY=VALUE` setting, in order.
    pub settings: Vec<(String, String)>,
}

impl GoBuildInfo {
    /// A build setting's value (`CGO_ENABLED`, `-tags`, `GOAMD64` …).
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The build tags (`-tags=netgo,osusergo`).
    pub fn tags(&self) -> Vec<&str> {
        self.setting("-tags")
            .map(|t| t.split(',').filter(|t| !t.is_empty()).collect())
            .unwrap_or_default()
    }

    /// The x86-64 level of `GOAMD64=vN` (1 when not set: Go's default).
    pub fn amd64_level(&self) -> Option<u8> {
        let level = self.setting("GOAMD64")?;
        level.strip_prefix('v')?.parse().ok()
    }
}

/// Where `.go.buildinfo` is in the file, from the ELF header and section headers read with
/// `read(offset, len)`: `(offset, size)`, the size capped at [`MAX_SECTION`].
pub fn section_range(
    class: Class,
    endian: Endian,
    mut read: impl FnMut(u64, u64) -> Option<Vec<u8>>,
) -> Option<(u64, u64)> {
    let wide = class == Class::Elf64;
    let header = read(0, if wide { 64 } else { 52 })?;
    let u16_at = |b: &[u8], at: usize| -> Option<u16> {
        let bytes: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(match endian {
            Endian::Little => u16::from_le_bytes(bytes),
            Endian::Big => u16::from_be_bytes(bytes),
        })
    };
    let u32_at = |b: &[u8], at: usize| -> Option<u32> {
        let bytes: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(match endian {
            Endian::Little => u32::from_le_bytes(bytes),
            Endian::Big => u32::from_be_bytes(bytes),
        })
    };
    let word_at = |b: &[u8], at: usize| -> Option<u64> {
        if wide {
            let bytes: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
            Some(match endian {
                Endian::Little => u64::from_le_bytes(bytes),
                Endian::Big => u64::from_be_bytes(bytes),
            })
        } else {
            u32_at(b, at).map(u64::from)
        }
    };
    let (shoff, shentsize, shnum, shstrndx) = if wide {
        (
            word_at(&header, 0x28)?,
            u16_at(&header, 0x3a)?,
            u16_at(&header, 0x3c)?,
            u16_at(&header, 0x3e)?,
        )
    } else {
        (
            word_at(&header, 0x20)?,
            u16_at(&header, 0x2e)?,
            u16_at(&header, 0x30)?,
            u16_at(&header, 0x32)?,
        )
    };
    let entsize = u64::from(shentsize);
    if shnum == 0 || shstrndx >= shnum || entsize < if wide { 64 } else { 40 } {
        return None;
    }
    let table = read(shoff, entsize.checked_mul(u64::from(shnum))?)?;
    // sh_name, sh_offset, sh_size of entry `i`.
    let entry = |i: u16| -> Option<(u32, u64, u64)> {
        let at = usize::try_from(u64::from(i) * entsize).ok()?;
        let name = u32_at(&table, at)?;
        let (offset, size) = if wide {
            (word_at(&table, at + 0x18)?, word_at(&table, at + 0x20)?)
        } else {
            (word_at(&table, at + 0x10)?, word_at(&table, at + 0x14)?)
        };
        Some((name, offset, size))
    };
    let (_, names_at, names_len) = entry(shstrndx)?;
    let names = read(names_at, names_len.min(MAX_SECTION))?;
    let wanted = b".go.buildinfo\0";
    (0..shnum).find_map(|i| {
        let (name, offset, size) = entry(i)?;
        let name = usize::try_from(name).ok()?;
        (names.get(name..name + wanted.len())? == wanted).then_some((offset, size.min(MAX_SECTION)))
    })
}

/// Decode the section's bytes; `None` when they are no build information this reads (Go
/// before 1.18 points to its strings instead of holding them).
pub fn parse(section: &[u8]) -> Option<GoBuildInfo> {
    if !section.starts_with(MAGIC) {
        return None;
    }
    let flags = *section.get(MAGIC.len() + 1)?;
    if flags & 2 == 0 {
        return None;
    }
    let mut rest = section.get(32..)?;
    let version = read_string(&mut rest)?;
    let modinfo = read_string(&mut rest)?;
    let modinfo = if modinfo.len() >= 2 * MODINFO_WRAP {
        &modinfo[MODINFO_WRAP..modinfo.len() - MODINFO_WRAP]
    } else {
        &modinfo[..0]
    };
    let text = String::from_utf8_lossy(modinfo);
    let mut info = GoBuildInfo {
        version: String::from_utf8_lossy(version).into_owned(),
        ..GoBuildInfo::default()
    };
    for line in text.lines() {
        let mut fields = line.splitn(2, '\t');
        match (fields.next(), fields.next()) {
            (Some("path"), Some(path)) => info.path = Some(path.to_owned()),
            (Some("build"), Some(setting)) => {
                if let Some((key, value)) = setting.split_once('=') {
                    // A value with spaces or quotes is quoted (strconv.Quote).
                    let value = value
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(value);
                    info.settings.push((key.to_owned(), value.to_owned()));
                }
            }
            _ => {}
        }
    }
    Some(info)
}

/// A uvarint-length-prefixed string, advancing `rest`.
fn read_string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let (&byte, tail) = rest.split_first()?;
        *rest = tail;
        len |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let len = usize::try_from(len).ok()?;
    let (string, tail) = (rest.get(..len)?, rest.get(len..)?);
    *rest = tail;
    Some(string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(version: &str, modinfo: &str) -> Vec<u8> {
        let mut s = MAGIC.to_vec();
        s.push(8);
        s.push(2);
        s.resize(32, 0);
        let wrapped = format!("{}{modinfo}{}", "x".repeat(16), "y".repeat(16));
        for text in [version, &wrapped] {
            let mut len = text.len();
            loop {
                let byte = (len & 0x7f) as u8;
                len >>= 7;
                if len == 0 {
                    s.push(byte);
                    break;
                }
                s.push(byte | 0x80);
            }
            s.extend_from_slice(text.as_bytes());
        }
        s
    }

    #[test]
    fn settings_tags_and_level() {
        let info = parse(&section(
            "go1.19.8",
            "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n\
             build\t-compiler=gc\nbuild\t-ldflags=\"-s -w\"\nbuild\t-tags=netgo,osusergo\n\
             build\tCGO_ENABLED=1\nbuild\tGOAMD64=v3\n",
        ))
        .unwrap();
        assert_eq!(info.version, "go1.19.8");
        assert_eq!(info.path.as_deref(), Some("example.com/app"));
        assert_eq!(info.setting("-ldflags"), Some("-s -w"));
        assert_eq!(info.tags(), ["netgo", "osusergo"]);
        assert_eq!(info.setting("CGO_ENABLED"), Some("1"));
        assert_eq!(info.amd64_level(), Some(3));
    }

    #[test]
    fn damage_is_no_build_info() {
        let good = section("go1.21.0", "build\tCGO_ENABLED=0\n");
        for cut in 0..good.len() {
            // Any prefix decodes or is refused; none panics.
            let _ = parse(&good[..cut]);
        }
        let mut old = good.clone();
        old[MAGIC.len() + 1] = 0;
        assert_eq!(parse(&old), None, "pointer-format build info is not read");
        assert_eq!(parse(b"not a go binary"), None);
    }
}
