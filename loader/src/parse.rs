//! Reading an [`ElfObject`] from bytes. INTERFACE SKELETON.

use crate::model::ElfObject;

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

/// Parse an ELF file the way the runtime reads it: header, program headers, PT_INTERP,
/// PT_DYNAMIC and everything it points to (translated through PT_LOAD), PT_NOTE/PT_GNU_PROPERTY.
/// Never panics on hostile input; damaged optional parts become `diagnostics`.
pub fn parse(bytes: &[u8]) -> Result<ElfObject, ElfError> {
    let _ = bytes;
    unimplemented!()
}
