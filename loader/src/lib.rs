//! ELF object model and the dynamic loaders' binding rules.
//!
//! Architecture Invariant: this crate does no I/O and reads no environment. Bytes go in
//! ([`parse`]), an owned [`ElfObject`] comes out; binding rules take objects and return
//! results. An [`ElfObject`] is plain data so that it can also be built from an embedded
//! description rather than a file.

pub mod arch;
pub mod binding;
pub mod gnu_hash;
pub mod go;
pub mod limits;
mod model;
mod name;
mod parse;
pub mod release;
pub mod static_glibc;

pub use arch::{Arch, ArchInfo};
pub use model::*;
pub use parse::{
    load_segments, loaded_ranges, parse, parse_header, parse_in_parts, parse_pieces, wanted_ranges,
    ElfError, NulRuns, PartsRead, Piece,
};
pub use release::Release;
