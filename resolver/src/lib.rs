//! Search-path simulation per loader flavour, ld.so.cache, orchestration and the report.
//!
//! Architecture Invariant: every ambient input comes in explicitly through [`Environment`];
//! the libc flavour, architecture, system directories and cache come from the target root,
//! never from the host.

pub mod builtin;
pub mod cache;
pub mod ldso;
#[deny(missing_docs)]
mod report;

pub use report::*;

mod bind;
mod check;
mod dst;
mod environment;
mod fix;
mod glibc;
mod graph;
mod kernel;
mod loader_config;
mod musl;
mod nss;
mod packages;
mod plugin;
mod release;
#[cfg(test)]
mod scenario;
mod simulate;
mod store;
mod voice;
pub use check::{CheckError, Checker, HostChoice};
pub use environment::{CpuLevel, Environment};
pub use packages::{PackageDb, PackageManager};
pub use store::ParsedFile;
