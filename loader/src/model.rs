//! The loader's view of one ELF file, built from program headers and `DT_*` tags the way the
//! runtime builds it (section headers may be stripped).

use serde::Serialize;

pub use crate::name::Name;

/// ELF class (EI_CLASS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Class {
    Elf32,
    Elf64,
}

impl Class {
    /// `ELFCLASS32` / `ELFCLASS64`, as glibc prints it.
    pub fn glibc_name(self) -> &'static str {
        match self {
            Class::Elf32 => "ELFCLASS32",
            Class::Elf64 => "ELFCLASS64",
        }
    }
}

/// Byte order (EI_DATA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Endian {
    /// Least significant byte first (ELFDATA2LSB).
    Little,
    /// Most significant byte first (ELFDATA2MSB).
    Big,
}

/// The one byte-order reader of the workspace: ELF, ld.so.cache, the rpm database and the
/// embedded tables all read their integers through it.
impl Endian {
    /// Two bytes in this order.
    pub fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    }

    /// Four bytes in this order.
    pub fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }

    /// Eight bytes in this order.
    pub fn u64(self, b: [u8; 8]) -> u64 {
        match self {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b),
        }
    }

    /// The 16-bit integer at `at` in `bytes`; `None` past the end.
    pub fn u16_at(self, bytes: &[u8], at: usize) -> Option<u16> {
        Some(self.u16(array_at(bytes, at)?))
    }

    /// The 32-bit integer at `at` in `bytes`; `None` past the end.
    pub fn u32_at(self, bytes: &[u8], at: usize) -> Option<u32> {
        Some(self.u32(array_at(bytes, at)?))
    }

    /// The 64-bit integer at `at` in `bytes`; `None` past the end.
    pub fn u64_at(self, bytes: &[u8], at: usize) -> Option<u64> {
        Some(self.u64(array_at(bytes, at)?))
    }

    /// A word of `width` bytes (4 or 8: an ELF class's address size) at `at`.
    pub fn word_at(self, bytes: &[u8], at: usize, width: usize) -> Option<u64> {
        match width {
            8 => self.u64_at(bytes, at),
            4 => self.u32_at(bytes, at).map(u64::from),
            _ => None,
        }
    }
}

fn array_at<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// The ELF header fields the loaders look at, raw where glibc's `open_verify` checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub class: Class,
    pub endian: Endian,
    /// `e_ident[EI_VERSION]`
    pub ident_version: u8,
    /// `e_ident[EI_OSABI]`
    pub osabi: u8,
    /// `e_ident[EI_ABIVERSION]`
    pub abiversion: u8,
    /// e_ident[EI_PAD..EI_NIDENT] all zero.
    pub ident_padding_zero: bool,
    /// e_type (ET_EXEC = 2, ET_DYN = 3, …)
    pub e_type: u16,
    pub machine: u16,
    pub e_version: u32,
    pub flags: u32,
    /// e_phentsize equals the size of a program header of this class.
    pub phentsize_ok: bool,
}

pub const ET_EXEC: u16 = 2;
pub const ET_DYN: u16 = 3;

pub const DF_SYMBOLIC: u64 = 0x2;
pub const DF_BIND_NOW: u64 = 0x8;
pub const DF_1_NOW: u64 = 0x1;
pub const DF_1_NODEFLIB: u64 = 0x800;
pub const DF_1_PIE: u64 = 0x0800_0000;

/// The dynamic section as the runtime reads it through PT_DYNAMIC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dynamic {
    /// DT_NEEDED strings, in order.
    pub needed: Vec<Name>,
    pub soname: Option<Vec<u8>>,
    pub rpath: Option<Vec<u8>>,
    pub runpath: Option<Vec<u8>>,
    /// DT_FLAGS
    pub flags: u64,
    /// DT_FLAGS_1
    pub flags_1: u64,
    /// A DT_BIND_NOW tag is present.
    pub bind_now_tag: bool,
    /// A DT_SYMBOLIC tag is present.
    pub symbolic_tag: bool,
    /// DT_RELR is present (glibc ≥ 2.36 then requires GLIBC_ABI_DT_RELR).
    pub has_relr: bool,
    /// The architecture's tag marking PLT calls to functions of a variant calling convention
    /// is present: DT_AARCH64_VARIANT_PCS on aarch64, DT_RISCV_VARIANT_CC on riscv
    /// ([`crate::arch::VariantCall`]). Read only where the architecture defines it: the same
    /// DT_LOPROC number means something else on another machine.
    pub variant_calls: bool,
}

impl Dynamic {
    /// DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW: glibc binds every relocation of this object at
    /// start-up (elf/get-dynamic-info.h).
    pub fn binds_now(&self) -> bool {
        self.bind_now_tag || self.flags & DF_BIND_NOW != 0 || self.flags_1 & DF_1_NOW != 0
    }
    pub fn nodeflib(&self) -> bool {
        self.flags_1 & DF_1_NODEFLIB != 0
    }
    pub fn pie(&self) -> bool {
        self.flags_1 & DF_1_PIE != 0
    }
    pub fn symbolic(&self) -> bool {
        self.symbolic_tag || self.flags & DF_SYMBOLIC != 0
    }
}

pub const STB_LOCAL: u8 = 0;
pub const STB_GLOBAL: u8 = 1;
pub const STB_WEAK: u8 = 2;
pub const STB_GNU_UNIQUE: u8 = 10;
pub const STT_NOTYPE: u8 = 0;
pub const STT_OBJECT: u8 = 1;
pub const STT_FUNC: u8 = 2;
pub const STT_COMMON: u8 = 5;
pub const STT_TLS: u8 = 6;
pub const STT_GNU_IFUNC: u8 = 10;
pub const STV_DEFAULT: u8 = 0;
pub const STV_INTERNAL: u8 = 1;
pub const STV_HIDDEN: u8 = 2;
pub const STV_PROTECTED: u8 = 3;
pub const SHN_UNDEF: u16 = 0;
pub const SHN_ABS: u16 = 0xfff1;
/// versym bit 15: the version is hidden (`foo@V`, not the default `foo@@V`).
pub const VERSYM_HIDDEN: u16 = 0x8000;
pub const VER_FLG_BASE: u16 = 0x1;
pub const VER_FLG_WEAK: u16 = 0x2;

/// One `.dynsym` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: Name,
    /// STB_*
    pub binding: u8,
    /// STT_*
    pub kind: u8,
    /// STV_*
    pub visibility: u8,
    /// The whole st_other byte: the visibility and the processor-specific bits above it, e.g.
    /// STO_AARCH64_VARIANT_PCS / STO_RISCV_VARIANT_CC (0x80).
    pub other: u8,
    pub shndx: u16,
    pub value: u64,
    /// st_size, saturated at 4 GiB (no object is larger; it keeps a symbol in 48 bytes).
    pub size: u32,
    /// Raw DT_VERSYM entry (with the hidden bit), `None` when the object has no DT_VERSYM.
    pub versym: Option<u16>,
}

impl Symbol {
    pub fn is_undefined(&self) -> bool {
        self.shndx == SHN_UNDEF
    }
    /// Version index without the hidden bit.
    pub fn version_index(&self) -> Option<u16> {
        self.versym.map(|v| v & !VERSYM_HIDDEN)
    }
    pub fn version_hidden(&self) -> bool {
        self.versym.is_some_and(|v| v & VERSYM_HIDDEN != 0)
    }
}

/// A version definition (DT_VERDEF entry); `name` is its first Verdaux.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdef {
    pub index: u16,
    pub flags: u16,
    pub hash: u32,
    pub name: Name,
}

/// A version requirement on one file (DT_VERNEED entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verneed {
    /// vn_file: the DT_NEEDED name of the providing object.
    pub file: Name,
    pub entries: Vec<Vernaux>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vernaux {
    pub name: Name,
    pub hash: u32,
    pub flags: u16,
    /// vna_other: the version index symbols use to refer to this requirement.
    pub other: u16,
}

impl Vernaux {
    pub fn is_weak(&self) -> bool {
        self.flags & VER_FLG_WEAK != 0
    }
}

/// Which relocation table a symbol reference came from; decides when glibc binds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RelocTable {
    /// DT_REL
    Rel,
    /// DT_RELA
    Rela,
    /// DT_JMPREL
    JmpRel,
}

/// How a relocation uses its symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RelocKind {
    /// R_*_JUMP_SLOT in DT_JMPREL: bound lazily at first call unless bind-now.
    JumpSlot,
    /// R_*_COPY: looked up skipping the executable.
    Copy,
    /// Anything else that names a symbol (GLOB_DAT, absolute, TLS, …): bound at start-up.
    Other,
}

/// One relocation that names a symbol: 8 bytes (an audit holds a third of a million). Its raw
/// r_type is only read to classify it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolReloc {
    pub table: RelocTable,
    pub kind: RelocKind,
    /// Index into [`ElfObject::symbols`].
    pub symbol: u32,
}

/// An object as the loaders see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfObject {
    pub header: Header,
    /// PT_INTERP string (without the NUL), when the kernel accepts the segment.
    pub interpreter: Option<Vec<u8>>,
    /// The first PT_INTERP is one the kernel refuses (then `interpreter` is `None`).
    pub interpreter_invalid: Option<InterpError>,
    /// Has at least one PT_LOAD.
    pub has_load: bool,
    /// PT_DYNAMIC contents, `None` when there is no PT_DYNAMIC.
    pub dynamic: Option<Dynamic>,
    /// `.dynsym` by index (index 0 is the null symbol).
    pub symbols: Vec<Symbol>,
    /// DT_GNU_HASH, which both loaders search instead of the whole table when it is there
    /// (`None` without one or when it is damaged: see `diagnostics`).
    pub gnu_hash: Option<crate::gnu_hash::GnuHash>,
    pub verdefs: Vec<Verdef>,
    pub verneeds: Vec<Verneed>,
    /// Relocations that name a symbol, in table order: DT_REL/DT_RELA first, then DT_JMPREL.
    pub relocs: Vec<SymbolReloc>,
    /// GNU_PROPERTY_X86_ISA_1_NEEDED bits (0 when absent).
    pub x86_isa_needed: u32,
    /// PT_GNU_STACK with PF_X.
    pub exec_stack: bool,
    /// The dependencies declared by `.note.dlopen` notes (owner `FDO`, type
    /// [`NT_FDO_DLOPEN_METADATA`]) in PT_NOTE segments: one entry per JSON object, in file
    /// order (segments in program-header order, notes in segment order, objects in array
    /// order). Notes that cannot be decoded are skipped with a `diagnostics` line.
    pub dlopen_notes: Vec<DlopenDependency>,
    /// Built by the Go linker: a PT_NOTE segment holds its build ID note (owner `Go`, type
    /// [`NT_GO_BUILD_ID`]; cmd/link writes `.note.go.buildid` into every Go ELF program, and
    /// external linkers keep the allocated note in a PT_NOTE segment).
    pub go_build_id: bool,
    /// Things the parser had to skip in a damaged file (one line each).
    pub diagnostics: Vec<String>,
}

/// The Go linker's build ID note type (cmd/link: ELF_NOTE_GOBUILDID_TAG).
pub const NT_GO_BUILD_ID: u32 = 4;

/// Linux's PATH_MAX (include/uapi/linux/limits.h), the longest PT_INTERP the kernel reads.
pub const PATH_MAX: u64 = 4096;

/// Why the kernel refuses a file's PT_INTERP (Linux fs/binfmt_elf.c: load_elf_binary, which
/// reads the first PT_INTERP only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum InterpError {
    /// `p_filesz > PATH_MAX`: ENOEXEC before anything is read.
    TooLong { filesz: u64 },
    /// `p_filesz < 2`: ENOEXEC (no room for a path and its NUL).
    TooShort { filesz: u64 },
    /// The segment's last byte is not NUL: ENOEXEC.
    Unterminated,
    /// The segment runs past the end of the file: `elf_read` comes back short, EIO.
    PastEnd,
}

impl InterpError {
    /// The errno execve fails with.
    pub fn errno_name(self) -> &'static str {
        match self {
            InterpError::PastEnd => "EIO",
            _ => "ENOEXEC",
        }
    }
}

impl std::fmt::Display for InterpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InterpError::TooLong { filesz } => {
                write!(f, "p_filesz {filesz} is larger than PATH_MAX ({PATH_MAX})")
            }
            InterpError::TooShort { filesz } => {
                write!(f, "p_filesz {filesz} is smaller than 2")
            }
            InterpError::Unterminated => write!(f, "its last byte is not a NUL"),
            InterpError::PastEnd => write!(f, "it extends past the end of the file"),
        }
    }
}

/// Note type of the ELF dlopen metadata note (<https://systemd.io/ELF_DLOPEN_METADATA/>).
pub const NT_FDO_DLOPEN_METADATA: u32 = 0x407c_0c0a;
/// Note owner of the dlopen metadata note (the name field, without its NUL).
pub const FDO_NOTE_OWNER: &[u8] = b"FDO";

/// How much a program needs a library it loads with `dlopen` (the `priority` key).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DlopenPriority {
    /// Core functionality needs it: the program does not work without it.
    Required,
    /// Important functionality needs it; the default when the key is absent.
    #[default]
    Recommended,
    /// Only a full-featured installation needs it.
    Suggested,
}

impl DlopenPriority {
    /// The key's value as written in the note.
    pub fn as_str(self) -> &'static str {
        match self {
            DlopenPriority::Required => "required",
            DlopenPriority::Recommended => "recommended",
            DlopenPriority::Suggested => "suggested",
        }
    }

    /// The priority a note's `priority` value names, `None` for an unknown value.
    pub fn from_note_value(value: &str) -> Option<DlopenPriority> {
        match value {
            "required" => Some(DlopenPriority::Required),
            "recommended" => Some(DlopenPriority::Recommended),
            "suggested" => Some(DlopenPriority::Suggested),
            _ => None,
        }
    }
}

/// One object of a `.note.dlopen` JSON array: a library the object may `dlopen`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DlopenDependency {
    /// `soname`: alternative names, in order; loading any one of them satisfies the
    /// dependency. Never empty, no name is empty.
    pub sonames: Vec<Vec<u8>>,
    /// `feature`: a keyword for what the library enables.
    pub feature: Option<String>,
    /// `description`: human-readable text.
    pub description: Option<String>,
    /// `priority`, [`DlopenPriority::Recommended`] when absent.
    pub priority: DlopenPriority,
}

impl Header {
    /// The header `arch`'s toolchain writes for a file of type `e_type` (ET_EXEC, ET_DYN).
    pub fn of(arch: crate::arch::Arch, e_type: u16) -> Header {
        let (machine, class, endian, flags) = arch.elf_identity();
        Header {
            class,
            endian,
            ident_version: 1,
            osabi: 0,
            abiversion: 0,
            ident_padding_zero: true,
            e_type,
            machine,
            e_version: 1,
            flags,
            phentsize_ok: true,
        }
    }
}

impl ElfObject {
    /// An object with `header` and nothing else read yet (no segments, no dynamic section,
    /// no tables): what the parser and the table builders fill in.
    pub fn empty(header: Header) -> ElfObject {
        ElfObject {
            header,
            interpreter: None,
            interpreter_invalid: None,
            has_load: false,
            dynamic: None,
            symbols: Vec::new(),
            gnu_hash: None,
            verdefs: Vec::new(),
            verneeds: Vec::new(),
            relocs: Vec::new(),
            x86_isa_needed: 0,
            exec_stack: false,
            dlopen_notes: Vec::new(),
            go_build_id: false,
            diagnostics: Vec::new(),
        }
    }

    pub fn needed(&self) -> &[Name] {
        self.dynamic.as_ref().map_or(&[], |d| &d.needed)
    }
    pub fn soname(&self) -> Option<&[u8]> {
        self.dynamic.as_ref()?.soname.as_deref()
    }
    /// Has DT_VERSYM.
    pub fn has_versym(&self) -> bool {
        self.symbols.iter().any(|s| s.versym.is_some())
    }
    /// The Verdef with this index.
    pub fn verdef(&self, index: u16) -> Option<&Verdef> {
        self.verdefs.iter().find(|d| d.index == index)
    }
    /// Static executable: no PT_INTERP and no PT_DYNAMIC (or a static-pie: no PT_INTERP,
    /// PT_DYNAMIC, no DT_NEEDED).
    pub fn is_static(&self) -> bool {
        self.interpreter.is_none() && self.needed().is_empty()
    }
}

/// The SysV ELF hash (`vd_hash` / `vna_hash` of version names; gABI "Hash Table").
pub fn elf_hash(name: &[u8]) -> u32 {
    let mut h: u32 = 0;
    for &c in name {
        h = (h << 4).wrapping_add(u32::from(c));
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
        }
        h &= !g;
    }
    h
}

#[cfg(test)]
mod hash_tests {
    #[test]
    fn elf_hash_matches_known_values() {
        // Values as stored in glibc's own Verdef entries.
        assert_eq!(super::elf_hash(b"GLIBC_2.2.5"), 0x09691a75);
        assert_eq!(super::elf_hash(b"GLIBC_2.34"), 0x069691b4);
        assert_eq!(super::elf_hash(b""), 0);
    }
}
