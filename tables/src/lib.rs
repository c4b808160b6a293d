//! Built-in target data: tables embedded in the binary that describe what a libc release, the
//! GCC runtime libraries and each distribution release export, so a file can be checked
//! against a release with no image of it at hand. Depends on `ldsim-loader` only: the tables
//! become [`ldsim_loader::ElfObject`]s ([`objects`]); turning a target into a root to check
//! against is the resolver's job.

pub mod abilists;
pub mod base;
pub mod catalog;
pub mod floor;
pub mod gcc;
pub mod glibc_nodes;
pub mod libraries;
pub mod musl;
pub mod objects;
pub mod packages;
mod packed;
pub mod policy;
/// The release-number type, the loader's (binding rules depend on glibc's release too).
pub use ldsim_loader::release;
mod targets;

pub use targets::{arch_name, Target, TargetError, OLDEST_GLIBC};
