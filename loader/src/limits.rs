//! Every cap the ELF parser applies to what one file can make it build, in one place.
//!
//! A cap counts across the whole file, never per chain or per table, so caps cannot
//! multiply. Each is far above any real object; when one cuts, the parse records one
//! `diagnostics` line saying so. The time side is bounded separately: each byte of DT_STRTAB
//! is scanned for its NUL at most once per parse (`parse/strings.rs`), and each version
//! record is read at most once (a record reached again ends its chain).

/// DT_NEEDED entries kept (a large real program has a few hundred).
pub const MAX_NEEDED: usize = 16_384;

/// `.dynsym` entries read (libLLVM has about 60,000 dynamic symbols; the table is also
/// bounded by what fits in the file).
pub const MAX_SYMBOLS: usize = 1 << 22;

/// Relocations that name a symbol, across DT_REL, DT_RELA and DT_JMPREL together.
pub const MAX_RELOCS: usize = 1 << 22;

/// Version records read from DT_VERDEF (Verdef records; each reads its first Verdaux) and,
/// separately, from DT_VERNEED (Verneed and Vernaux records together), across all chains. libc.so.6 has
/// about 50 version definitions; a program's requirements are a few dozen.
pub const MAX_VERSION_RECORDS: usize = 4096;

/// Bytes of distinct names one parse may copy out of DT_STRTAB: this many times the table's
/// size (names are interned per string offset, so repeated references cost nothing; distinct
/// offsets that overlap, e.g. every suffix of one long string, are what this bounds). Real
/// string tables share only short suffixes, far below this.
pub const NAME_BYTES_PER_TABLE_BYTE: usize = 4;

/// The name budget never drops below this, however small the table.
pub const MIN_NAME_BYTES: usize = 1 << 20;
