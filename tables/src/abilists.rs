//! glibc's exported symbols per release, target and library, decoded from zig's `abilists` file.
//!
//! The data (`tables/data/glibc/abilists`, see `tables/data/glibc/PROVENANCE.md`) is the
//! compact table zig ships to link against any glibc without having it: every symbol glibc's
//! own `*.abilist` files declare (GLIBC_2.0 … newest, 31 Linux targets), produced by
//! `ziglang/glibc-abi-tool` (`glibc/consolidate.zig`) and read by zig's `src/libs/glibc.zig`
//! (`loadMetaData`, `buildSharedObjects`). This decoder is written from those two descriptions.
//!
//! Layout (all counts little-endian, strings NUL-terminated):
//! - `u8` library count, library names (`m`, `c`, `ld`, …; the index is the library id);
//! - `u8` version count, then `major, minor, patch` bytes each, ascending (`2.2.5` …);
//! - `u8` target count, target names (`x86_64-linux-gnu` …; the index is a bit in a `u64` mask);
//! - three sections (functions, objects, TLS), each a `u16` inclusion count followed by
//!   inclusions. An inclusion starts with a symbol name when it is the first of its symbol,
//!   then a ULEB128 target mask, (objects only) a ULEB128 size, a library byte (low 5 bits the
//!   library id, bit 7 "last inclusion of this symbol", bits 5 and 6 reserved for unversioned
//!   and weak symbols, never set) and version bytes (low 7 bits a version index, bit 7 "last").
//!
//! An inclusion says: on these targets, this library defines this symbol at each of these
//! versions. A program linked against release R can bind to every version ≤ R; the newest of
//! them is the default (`@@`) one, as zig's stub libraries declare it.
//!
//! What the data does not hold (glibc's abilist files leave it out): `GLIBC_PRIVATE` symbols,
//! symbol-less version definitions (`GLIBC_ABI_DT_RELR`, the base version), whether a symbol is
//! a compat-only symbol (no default version at all), and the old versions of the symbols that
//! moved from libpthread/libdl/librt/libutil into libc in 2.34 (see [`GlibcAbi::exports`]).

use std::cmp::Ordering;
use std::sync::OnceLock;
use thiserror::Error;

/// The table zig 0.17.1 ships (`ziglang/lib/libc/glibc/abilists`), regenerated and verified by
/// `cargo xtask abi-tables`.
static EMBEDDED: &[u8] = include_bytes!("../data/glibc/abilists");

/// Version indices are 7-bit (the high bit ends a list).
const MAX_VERSIONS: usize = 128;
/// Targets are bits of a `u64`.
const MAX_TARGETS: usize = 64;
/// Library byte: low bits are the id, the rest are flags.
const LIB_ID_MASK: u8 = 0b0001_1111;
const LIB_LAST: u8 = 0b1000_0000;
const LIB_RESERVED: u8 = 0b0110_0000;
const VERSION_LAST: u8 = 0b1000_0000;

/// The table's glibc libraries and their sonames; ld.so, whose name depends on the
/// architecture, is the table's "ld". Hand-kept (glibc's shlib-versions), as the abilists
/// name libraries, not files.
pub const GLIBC_SONAMES: &[(&str, &str)] = &[
    ("c", "libc.so.6"),
    ("m", "libm.so.6"),
    ("pthread", "libpthread.so.0"),
    ("dl", "libdl.so.2"),
    ("rt", "librt.so.1"),
    ("util", "libutil.so.1"),
    ("resolv", "libresolv.so.2"),
];

/// The first release in which libpthread, libdl, librt and libutil are empty stubs whose
/// symbols live in libc (glibc 2.34 NEWS; zig's `libs` table marks them `removed_in` 2.34).
pub const MERGED_INTO_LIBC: GlibcRelease = GlibcRelease::new(2, 34, 0);

/// Why an abilists file could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AbilistsError {
    #[error("abilists truncated at byte {offset} while reading {what}")]
    Truncated { what: &'static str, offset: usize },
    #[error("abilists: {what} at byte {offset} is empty or not UTF-8")]
    BadString { what: &'static str, offset: usize },
    #[error("abilists declares {count} {what}, more than the format allows ({max})")]
    TooMany {
        what: &'static str,
        count: usize,
        max: usize,
    },
    #[error("abilists versions are not strictly ascending at version {index}")]
    VersionsUnordered { index: usize },
    #[error("abilists: ULEB128 number at byte {offset} does not fit in {bits} bits")]
    Leb128Overflow { offset: usize, bits: u32 },
    #[error("abilists: inclusion at byte {offset} names library {index}, but there are {count}")]
    LibraryIndex {
        offset: usize,
        index: u8,
        count: usize,
    },
    #[error(
        "abilists: inclusion at byte {offset} names a version index {index}, but there are {count}"
    )]
    VersionIndex {
        offset: usize,
        index: u8,
        count: usize,
    },
    #[error("abilists: inclusion at byte {offset} names targets beyond the {count} declared")]
    TargetMask { offset: usize, count: usize },
    #[error("abilists: inclusion at byte {offset} uses the unversioned/weak flags, which this decoder does not model")]
    ReservedFlags { offset: usize },
    #[error("abilists: {count} TLS inclusions, a section this decoder does not model")]
    TlsUnsupported { count: u16 },
    #[error("abilists: section {section} ends in the middle of symbol {name:?}")]
    UnterminatedSymbol { section: &'static str, name: String },
    #[error("abilists has {count} unexpected bytes after its last section")]
    TrailingBytes { count: usize },
}

/// A glibc release, e.g. 2.28, or a symbol version's number (2.2.5 in `GLIBC_2.2.5`).
pub type GlibcRelease = crate::release::Release;

/// What kind of definition a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExportKind {
    /// STT_FUNC (glibc abilist `F`).
    Function,
    /// STT_OBJECT of `size` bytes (glibc abilist `D size`).
    Object { size: u16 },
    /// STT_NOTYPE, e.g. musl's `_dlstart` on x86: musl binds it like any other
    /// (ldso/dynlink.c: `OK_TYPES`); glibc's abilists have no such entry.
    NoType,
}

/// One symbol version a library exports in a release.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Export {
    pub name: String,
    /// The version node, e.g. `GLIBC_2.2.5`.
    pub version: String,
    /// The version's number (2.2.5), i.e. the release that introduced this version.
    pub since: GlibcRelease,
    /// Whether this is the default (`name@@version`) definition: the newest version of the
    /// symbol in that release. The data cannot tell compat-only symbols (no default at all, e.g.
    /// libm's `matherr` since 2.27), so for them the newest version is reported as default.
    pub default: bool,
    pub kind: ExportKind,
}

/// One inclusion: on `targets`, library `lib` defines the symbol at each of `versions`.
#[derive(Debug, Clone)]
struct Inclusion {
    targets: u64,
    lib: u8,
    versions: u128,
    size: Option<u16>,
}

#[derive(Debug, Clone)]
struct SymbolEntry {
    name: String,
    inclusions: Vec<Inclusion>,
}

/// The decoded table: libraries, releases, targets and every symbol's inclusions.
#[derive(Debug, Clone)]
pub struct GlibcAbi {
    libraries: Vec<&'static str>,
    library_names: Vec<String>,
    releases: Vec<GlibcRelease>,
    targets: Vec<String>,
    symbols: Vec<SymbolEntry>,
}

/// Library names in the canonical order of the libraries we know, mapped from the file's names
/// so `libraries()` can hand out `&'static str`.
const KNOWN_LIBRARIES: [&str; 8] = ["c", "m", "pthread", "dl", "rt", "util", "resolv", "ld"];

impl GlibcAbi {
    /// The embedded table, decoded once.
    pub fn embedded() -> &'static GlibcAbi {
        static ABI: OnceLock<GlibcAbi> = OnceLock::new();
        ABI.get_or_init(|| {
            // The embedded file is generated and verified by `cargo xtask abi-tables --check`, and
            // the unit test `embedded_table_decodes` decodes it: failing here is a build defect.
            GlibcAbi::parse(EMBEDDED).expect("the embedded glibc abilists decodes")
        })
    }

    /// Decodes an abilists file.
    pub fn parse(bytes: &[u8]) -> Result<GlibcAbi, AbilistsError> {
        let mut r = Reader { bytes, pos: 0 };

        let lib_count = usize::from(r.u8("library count")?);
        let mut library_names = Vec::with_capacity(lib_count);
        for _ in 0..lib_count {
            library_names.push(r.string("library name")?);
        }
        if lib_count > usize::from(LIB_ID_MASK) + 1 {
            return Err(AbilistsError::TooMany {
                what: "libraries",
                count: lib_count,
                max: usize::from(LIB_ID_MASK) + 1,
            });
        }
        let libraries = library_names
            .iter()
            .map(|n| {
                KNOWN_LIBRARIES
                    .iter()
                    .copied()
                    .find(|k| k == n)
                    .unwrap_or("unknown")
            })
            .collect();

        let ver_count = usize::from(r.u8("version count")?);
        if ver_count > MAX_VERSIONS {
            return Err(AbilistsError::TooMany {
                what: "versions",
                count: ver_count,
                max: MAX_VERSIONS,
            });
        }
        let mut releases: Vec<GlibcRelease> = Vec::with_capacity(ver_count);
        for index in 0..ver_count {
            let major = r.u8("version")?;
            let minor = r.u8("version")?;
            let patch = r.u8("version")?;
            let release = GlibcRelease::new(major, minor, patch);
            // `exports` relies on index order being release order.
            if releases.last().is_some_and(|prev| *prev >= release) {
                return Err(AbilistsError::VersionsUnordered { index });
            }
            releases.push(release);
        }

        let target_count = usize::from(r.u8("target count")?);
        if target_count > MAX_TARGETS {
            return Err(AbilistsError::TooMany {
                what: "targets",
                count: target_count,
                max: MAX_TARGETS,
            });
        }
        let mut targets = Vec::with_capacity(target_count);
        for _ in 0..target_count {
            targets.push(r.string("target name")?);
        }

        let limits = Limits {
            libraries: lib_count,
            versions: ver_count,
            targets: target_count,
        };
        let mut symbols = Vec::new();
        r.section("functions", false, &limits, &mut symbols)?;
        r.section("objects", true, &limits, &mut symbols)?;
        let tls = r.u16("TLS inclusion count")?;
        if tls != 0 {
            return Err(AbilistsError::TlsUnsupported { count: tls });
        }
        let rest = bytes.len().saturating_sub(r.pos);
        if rest != 0 {
            return Err(AbilistsError::TrailingBytes { count: rest });
        }
        Ok(GlibcAbi {
            libraries,
            library_names,
            releases,
            targets,
            symbols,
        })
    }

    /// Every symbol version number the table knows (2.0, 2.1, …, 2.2.5, …, newest), ascending.
    /// The minor-only ones (`patch == 0`) are glibc releases.
    pub fn releases(&self) -> &[GlibcRelease] {
        &self.releases
    }

    /// The newest release the table describes.
    pub fn newest(&self) -> Option<GlibcRelease> {
        self.releases.last().copied()
    }

    /// zig's target names, e.g. `x86_64-linux-gnu`, `x86-linux-gnu`, `arm-linux-gnueabihf`.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.targets.iter().map(String::as_str)
    }

    /// Library names without `lib` and soname suffix: `c`, `m`, `pthread`, `dl`, `rt`, `util`,
    /// `resolv`, `ld` (the dynamic loader), in the file's order.
    pub fn libraries(&self) -> &[&'static str] {
        &self.libraries
    }

    /// The exports of `library` (`c`, `m`, …) on `target` (`x86_64-linux-gnu`) to a program
    /// linked against `release`: every version ≤ `release` of every symbol, sorted by name then
    /// version. Empty for an unknown library or target.
    ///
    /// From [`MERGED_INTO_LIBC`] (2.34) on, libpthread, libdl, librt and libutil are stubs whose
    /// symbols moved into libc; the data still lists those symbols under their old library, at
    /// their old versions, and does not list them in libc at those versions (only at the new
    /// GLIBC_2.34 version). They are reported here as the data has them.
    pub fn exports(&self, library: &str, target: &str, release: GlibcRelease) -> Vec<Export> {
        let (Some(lib), Some(target_bit)) = (self.library_index(library), self.target_bit(target))
        else {
            return Vec::new();
        };
        let usable = self.versions_up_to(release);
        let mut out = Vec::new();
        for symbol in &self.symbols {
            // Versions of this symbol, and the kind each is defined as.
            let mut found: u128 = 0;
            let mut kinds = [ExportKind::Function; MAX_VERSIONS];
            for inc in &symbol.inclusions {
                if inc.lib != lib || inc.targets & target_bit == 0 {
                    continue;
                }
                let versions = inc.versions & usable;
                found |= versions;
                let kind = match inc.size {
                    Some(size) => ExportKind::Object { size },
                    None => ExportKind::Function,
                };
                for (index, slot) in kinds.iter_mut().enumerate() {
                    if versions & (1u128 << index) != 0 {
                        *slot = kind;
                    }
                }
            }
            if found == 0 {
                continue;
            }
            // zig buildSharedObjects: the greatest version <= the target one is `@@`.
            let newest = 127 - found.leading_zeros() as usize;
            for (index, release) in self.releases.iter().enumerate() {
                if found & (1u128 << index) == 0 {
                    continue;
                }
                out.push(Export {
                    name: symbol.name.clone(),
                    version: release.version_name(),
                    since: *release,
                    default: index == newest,
                    kind: kinds.get(index).copied().unwrap_or(ExportKind::Function),
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.since.cmp(&b.since)));
        out
    }

    /// The `GLIBC_x.y` version nodes `library` defines in `release` on `target`, ascending —
    /// derived from its symbols, since the data holds no version definitions of its own: a
    /// version with no public symbol (`GLIBC_PRIVATE`, `GLIBC_ABI_DT_RELR`, or an empty
    /// `GLIBC_2.x`) is not in it.
    pub fn version_nodes(&self, library: &str, target: &str, release: GlibcRelease) -> Vec<String> {
        let (Some(lib), Some(target_bit)) = (self.library_index(library), self.target_bit(target))
        else {
            return Vec::new();
        };
        let usable = self.versions_up_to(release);
        let mut found: u128 = 0;
        for inc in self.symbols.iter().flat_map(|s| &s.inclusions) {
            if inc.lib == lib && inc.targets & target_bit != 0 {
                found |= inc.versions & usable;
            }
        }
        self.releases
            .iter()
            .enumerate()
            .filter(|(index, _)| found & (1u128 << index) != 0)
            .map(|(_, r)| r.version_name())
            .collect()
    }

    fn library_index(&self, library: &str) -> Option<u8> {
        let index = self.library_names.iter().position(|n| n == library)?;
        u8::try_from(index).ok()
    }

    fn target_bit(&self, target: &str) -> Option<u64> {
        let index = self.targets.iter().position(|t| t == target)?;
        1u64.checked_shl(u32::try_from(index).ok()?)
    }

    /// Bit set of the version indices whose number is ≤ `release`.
    fn versions_up_to(&self, release: GlibcRelease) -> u128 {
        self.releases
            .iter()
            .enumerate()
            .filter(|(_, r)| r.cmp(&&release) != Ordering::Greater)
            .fold(0u128, |acc, (index, _)| acc | (1u128 << index))
    }
}

/// Counts declared in the header, to validate the inclusions against.
struct Limits {
    libraries: usize,
    versions: usize,
    targets: usize,
}

/// A bounds-checked cursor over the file.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn u8(&mut self, what: &'static str) -> Result<u8, AbilistsError> {
        let byte = self
            .bytes
            .get(self.pos)
            .copied()
            .ok_or(AbilistsError::Truncated {
                what,
                offset: self.pos,
            })?;
        self.pos += 1;
        Ok(byte)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, AbilistsError> {
        let lo = self.u8(what)?;
        let hi = self.u8(what)?;
        Ok(ldsim_loader::Endian::Little.u16([lo, hi]))
    }

    /// A NUL-terminated, non-empty UTF-8 string.
    fn string(&mut self, what: &'static str) -> Result<String, AbilistsError> {
        let start = self.pos;
        let rest = self.bytes.get(start..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or(AbilistsError::Truncated {
                what,
                offset: start,
            })?;
        let text = rest
            .get(..len)
            .filter(|t| !t.is_empty())
            .and_then(|t| std::str::from_utf8(t).ok())
            .ok_or(AbilistsError::BadString {
                what,
                offset: start,
            })?;
        self.pos = start + len + 1;
        Ok(text.to_owned())
    }

    /// ULEB128 of at most `bits` bits (zig `std.leb.readUleb128`).
    fn uleb(&mut self, what: &'static str, bits: u32) -> Result<u64, AbilistsError> {
        let offset = self.pos;
        let overflow = AbilistsError::Leb128Overflow { offset, bits };
        let mut value: u64 = 0;
        let mut shift: u32 = 0;
        loop {
            let byte = self.u8(what)?;
            let payload = u64::from(byte & 0x7f);
            if shift < 64 {
                let shifted = payload << shift;
                if shifted >> shift != payload {
                    return Err(overflow);
                }
                value |= shifted;
            } else if payload != 0 {
                return Err(overflow);
            }
            if bits < 64 && value >> bits != 0 {
                return Err(overflow);
            }
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            // 10 bytes carry 70 bits: a longer number is malformed.
            if shift >= 70 {
                return Err(overflow);
            }
        }
    }

    /// One inclusion section; symbols are appended to `symbols`.
    fn section(
        &mut self,
        section: &'static str,
        objects: bool,
        limits: &Limits,
        symbols: &mut Vec<SymbolEntry>,
    ) -> Result<(), AbilistsError> {
        let count = self.u16("inclusion count")?;
        let mut current: Option<SymbolEntry> = None;
        for _ in 0..count {
            let mut symbol = match current.take() {
                Some(symbol) => symbol,
                None => SymbolEntry {
                    name: self.string("symbol name")?,
                    inclusions: Vec::new(),
                },
            };
            let offset = self.pos;
            let targets = self.uleb("target mask", 64)?;
            if limits.targets < MAX_TARGETS && targets >> limits.targets != 0 {
                return Err(AbilistsError::TargetMask {
                    offset,
                    count: limits.targets,
                });
            }
            let size = if objects {
                let size = self.uleb("object size", 16)?;
                Some(
                    u16::try_from(size)
                        .map_err(|_| AbilistsError::Leb128Overflow { offset, bits: 16 })?,
                )
            } else {
                None
            };
            let lib_byte = self.u8("library")?;
            if lib_byte & LIB_RESERVED != 0 {
                return Err(AbilistsError::ReservedFlags { offset });
            }
            let lib = lib_byte & LIB_ID_MASK;
            if usize::from(lib) >= limits.libraries {
                return Err(AbilistsError::LibraryIndex {
                    offset,
                    index: lib,
                    count: limits.libraries,
                });
            }
            let mut versions: u128 = 0;
            loop {
                let byte = self.u8("version index")?;
                let index = byte & !VERSION_LAST;
                if usize::from(index) >= limits.versions {
                    return Err(AbilistsError::VersionIndex {
                        offset,
                        index,
                        count: limits.versions,
                    });
                }
                versions |= 1u128 << index;
                if byte & VERSION_LAST != 0 {
                    break;
                }
            }
            symbol.inclusions.push(Inclusion {
                targets,
                lib,
                versions,
                size,
            });
            if lib_byte & LIB_LAST != 0 {
                symbols.push(symbol);
            } else {
                current = Some(symbol);
            }
        }
        match current {
            Some(symbol) => Err(AbilistsError::UnterminatedSymbol {
                section,
                name: symbol.name,
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X86_64: &str = "x86_64-linux-gnu";

    fn rel(minor: u8) -> GlibcRelease {
        GlibcRelease::new(2, minor, 0)
    }

    #[test]
    fn embedded_table_decodes() {
        let abi = GlibcAbi::parse(EMBEDDED).expect("decodes");
        assert_eq!(abi.releases().first(), Some(&rel(0)));
        assert!(abi.newest().is_some_and(|n| n >= rel(41)));
        for t in [
            "x86_64-linux-gnu",
            "aarch64-linux-gnu",
            "x86-linux-gnu",
            "arm-linux-gnueabihf",
        ] {
            assert!(abi.targets().any(|x| x == t), "{t}");
        }
        let mut libs = abi.libraries().to_vec();
        libs.sort_unstable();
        assert_eq!(
            libs,
            ["c", "dl", "ld", "m", "pthread", "resolv", "rt", "util"]
        );
    }

    #[test]
    fn release_display_and_parse() {
        assert_eq!(rel(28).to_string(), "2.28");
        assert_eq!(GlibcRelease::new(2, 2, 5).version_name(), "GLIBC_2.2.5");
        assert_eq!(
            GlibcRelease::parse("2.2.5"),
            Some(GlibcRelease::new(2, 2, 5))
        );
        assert_eq!(GlibcRelease::parse("2.28"), Some(rel(28)));
        assert_eq!(GlibcRelease::parse("2"), None);
        assert_eq!(GlibcRelease::parse("2.x"), None);
        assert!(GlibcRelease::new(2, 2, 5) < rel(3));
    }

    #[test]
    fn memcpy_versions_and_default_follow_the_release() {
        let abi = GlibcAbi::embedded();
        let memcpy = |r| -> Vec<(String, bool)> {
            abi.exports("c", X86_64, r)
                .into_iter()
                .filter(|e| e.name == "memcpy")
                .map(|e| (e.version, e.default))
                .collect()
        };
        assert_eq!(memcpy(rel(13)), [("GLIBC_2.2.5".to_string(), true)]);
        assert_eq!(
            memcpy(rel(17)),
            [
                ("GLIBC_2.2.5".to_string(), false),
                ("GLIBC_2.14".to_string(), true)
            ]
        );
        // aarch64 started at 2.17, with one memcpy.
        let aarch64: Vec<_> = abi
            .exports("c", "aarch64-linux-gnu", rel(36))
            .into_iter()
            .filter(|e| e.name == "memcpy")
            .map(|e| e.version)
            .collect();
        assert_eq!(aarch64, ["GLIBC_2.17"]);
    }

    #[test]
    fn objects_carry_their_size() {
        let abi = GlibcAbi::embedded();
        let environ = abi
            .exports("c", X86_64, rel(36))
            .into_iter()
            .find(|e| e.name == "environ")
            .expect("environ");
        assert_eq!(environ.kind, ExportKind::Object { size: 8 });
        let on_x86 = abi
            .exports("c", "x86-linux-gnu", rel(36))
            .into_iter()
            .find(|e| e.name == "environ")
            .expect("environ");
        assert_eq!(on_x86.kind, ExportKind::Object { size: 4 });
        assert_eq!(on_x86.version, "GLIBC_2.0");
    }

    #[test]
    fn version_nodes_grow_with_the_release() {
        let abi = GlibcAbi::embedded();
        let v31 = abi.version_nodes("c", X86_64, rel(31));
        let v36 = abi.version_nodes("c", X86_64, rel(36));
        assert_eq!(v31.first().map(String::as_str), Some("GLIBC_2.2.5"));
        assert!(v31.iter().all(|v| v36.contains(v)));
        assert!(v36.iter().any(|v| v == "GLIBC_2.34"));
        assert!(!v31.iter().any(|v| v == "GLIBC_2.34"));
    }

    #[test]
    fn unknown_names_export_nothing() {
        let abi = GlibcAbi::embedded();
        assert!(abi.exports("stdc++", X86_64, rel(36)).is_empty());
        assert!(abi.exports("c", "x86_64-linux-musl", rel(36)).is_empty());
        assert!(abi.version_nodes("c", "nope", rel(36)).is_empty());
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        for len in 0..EMBEDDED.len().min(4096) {
            assert!(GlibcAbi::parse(&EMBEDDED[..len]).is_err(), "prefix {len}");
        }
        let end = EMBEDDED.len();
        for len in end.saturating_sub(64)..end {
            assert!(GlibcAbi::parse(&EMBEDDED[..len]).is_err(), "prefix {len}");
        }
    }

    #[test]
    fn hostile_bytes_are_rejected() {
        // One library, one version, one target, one function whose version index is out of range.
        let mut bad = vec![1, b'c', 0, 1, 2, 0, 0, 1];
        bad.extend_from_slice(b"x86_64-linux-gnu\0");
        bad.extend_from_slice(&[1, 0]);
        bad.extend_from_slice(b"f\0");
        let good_tail = [0x01, 0x80, 0x80, 0, 0, 0, 0];
        let mut good = bad.clone();
        good.extend_from_slice(&good_tail);
        let abi = GlibcAbi::parse(&good).expect("minimal file");
        assert_eq!(abi.exports("c", "x86_64-linux-gnu", rel(0)).len(), 1);

        let mut wrong_version = bad.clone();
        wrong_version.extend_from_slice(&[0x01, 0x80, 0x85, 0, 0, 0, 0]);
        assert!(matches!(
            GlibcAbi::parse(&wrong_version),
            Err(AbilistsError::VersionIndex { index: 5, .. })
        ));
        let mut wrong_target = bad.clone();
        wrong_target.extend_from_slice(&[0x02, 0x80, 0x80, 0, 0, 0, 0]);
        assert!(matches!(
            GlibcAbi::parse(&wrong_target),
            Err(AbilistsError::TargetMask { .. })
        ));
        let mut wrong_lib = bad.clone();
        wrong_lib.extend_from_slice(&[0x01, 0x83, 0x80, 0, 0, 0, 0]);
        assert!(matches!(
            GlibcAbi::parse(&wrong_lib),
            Err(AbilistsError::LibraryIndex { index: 3, .. })
        ));
        let mut long_leb = bad.clone();
        long_leb.extend_from_slice(&[0xff; 12]);
        assert!(matches!(
            GlibcAbi::parse(&long_leb),
            Err(AbilistsError::Leb128Overflow { .. })
        ));
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(matches!(
            GlibcAbi::parse(&trailing),
            Err(AbilistsError::TrailingBytes { count: 1 })
        ));
        let mut unterminated = bad;
        unterminated.extend_from_slice(&[0x01, 0x00, 0x80, 0, 0, 0, 0]);
        assert!(GlibcAbi::parse(&unterminated).is_err());
    }
}
