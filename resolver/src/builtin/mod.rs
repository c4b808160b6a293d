//! Built-in target data: tables embedded in the binary that describe what a libc release exports,
//! so a file can be checked against a release with no image of it at hand.

pub mod abilists;
pub mod gcc;
pub mod glibc_nodes;
pub mod musl;
