//! Built-in target data: tables embedded in the binary that describe what a libc release exports,
//! so a file can be checked against a release with no image of it at hand.

pub mod abilists;
pub mod catalog;
pub mod gcc;
pub mod glibc_nodes;
pub mod musl;
mod root;
pub(crate) mod synth;
mod tables;
mod targets;

pub use root::BuiltinRoot;
pub use targets::{arch_name, Target, TargetError, OLDEST_GLIBC};
