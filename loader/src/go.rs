//! The build information the Go linker embeds in every program (Go ≥ 1.18 writes it inline):
//! the `.go.buildinfo` section starts with the magic `\xff Go buildinf:`, the pointer size,
//! flags (bit 1: strings inline), then at offset 32 the Go version and the module information
//! as two uvarint-length-prefixed strings (cmd/link/internal/ld/data.go: buildinfo;
//! debug/buildinfo: Read). The module information holds one `build KEY=VALUE` line per
//! setting: `CGO_ENABLED`, `-tags`, `-ldflags`, `GOAMD64`, `-buildmode` …
//!
//! Reading is in two steps so that the caller reads only what is needed: [`section_range`]
//! finds the section through the section headers, [`parse`] decodes its bytes. Go before
//! 1.18 wrote no strings there but two pointers, to the Go string headers of the version and
//! the module information: [`parse_pointers`] follows them through the loaded segments.

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
    let u16_at = |b: &[u8], at: usize| endian.u16_at(b, at);
    let u32_at = |b: &[u8], at: usize| endian.u32_at(b, at);
    let word_at = |b: &[u8], at: usize| endian.word_at(b, at, if wide { 8 } else { 4 });
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
/// before 1.18 points to its strings instead of holding them: see [`parse_pointers`]).
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
    Some(decode(version, modinfo))
}

/// Decode Go < 1.18's pointer form: at 16 and 16 + pointer size, the addresses of the
/// `runtime.buildVersion` and `runtime.modinfo` string headers (data pointer, length), each
/// read with `read(address, len)` from the program's loaded segments (debug/buildinfo:
/// readString).
pub fn parse_pointers(
    section: &[u8],
    mut read: impl FnMut(u64, u64) -> Option<Vec<u8>>,
) -> Option<GoBuildInfo> {
    if !section.starts_with(MAGIC) {
        return None;
    }
    let size = *section.get(MAGIC.len())?;
    let flags = *section.get(MAGIC.len() + 1)?;
    if flags & 2 != 0 || !matches!(size, 4 | 8) {
        return None;
    }
    let endian = if flags & 1 != 0 {
        Endian::Big
    } else {
        Endian::Little
    };
    let size = usize::from(size);
    let word = |bytes: &[u8]| endian.word_at(bytes, 0, size);
    let mut string_at = |header_address: u64| -> Option<Vec<u8>> {
        let header = read(header_address, 2 * size as u64)?;
        let (data, len) = (word(&header)?, word(header.get(size..)?)?);
        read(data, len.min(MAX_SECTION))
    };
    // As debug/buildinfo reads them: a string that cannot be read (a header in .bss, the
    // empty modinfo of a GOPATH build) is empty, and a program without a version is none.
    let version = string_at(word(section.get(16..)?)?).filter(|v| !v.is_empty())?;
    let modinfo = word(section.get(16 + size..)?)
        .and_then(&mut string_at)
        .unwrap_or_default();
    Some(decode(&version, &modinfo))
}

/// The version and the module information's lines.
fn decode(version: &[u8], modinfo: &[u8]) -> GoBuildInfo {
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
    info
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

    /// Go < 1.18: the section points at string headers, which point at the strings.
    #[test]
    fn pointer_form_follows_the_string_headers() {
        let mut section = MAGIC.to_vec();
        section.extend([8, 0]);
        section.extend(0x1000u64.to_le_bytes()); // &runtime.buildVersion
        section.extend(0x2000u64.to_le_bytes()); // &runtime.modinfo
        let modinfo = format!("{}path\tfzf\n{}", "x".repeat(16), "y".repeat(16));
        let memory = |address: u64, len: u64| -> Option<Vec<u8>> {
            let bytes: Vec<u8> = match address {
                0x1000 => [0x3000u64.to_le_bytes(), 8u64.to_le_bytes()].concat(),
                0x2000 => [
                    0x4000u64.to_le_bytes(),
                    (modinfo.len() as u64).to_le_bytes(),
                ]
                .concat(),
                0x3000 => b"go1.15.9".to_vec(),
                0x4000 => modinfo.as_bytes().to_vec(),
                _ => return None,
            };
            Some(bytes[..len as usize].to_vec())
        };
        let info = parse_pointers(&section, memory).unwrap();
        assert_eq!(info.version, "go1.15.9");
        assert_eq!(info.path.as_deref(), Some("fzf"));
        // The inline form is not read as pointers, nor pointers as the inline form.
        assert_eq!(parse(&section), None);
        // A modinfo header in .bss (unreadable): no module information, still a version.
        let bss = |address: u64, len: u64| {
            if address == 0x2000 {
                None
            } else {
                memory(address, len)
            }
        };
        let info = parse_pointers(&section, bss).unwrap();
        assert_eq!((info.version.as_str(), info.path), ("go1.15.9", None));
        // No version: not build information.
        assert_eq!(parse_pointers(&section, |_, _| None), None);
    }
}
