//! Roots of other architectures (`$LDSIM_FIXTURES/foreign/<arch>/root`), built by
//! `cargo xtask fixtures` from Debian's libc6 for that architecture and programs made with
//! Debian's cross compilers; the real loader runs under the qemu-user-static binary copied
//! into the root (no binfmt handler is needed), or natively for i386.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The architectures whose roots must exist; a missing one fails the test, never skips it.
pub const REQUIRED: &[&str] = &["aarch64", "armhf", "riscv64", "ppc64le", "s390x", "i386"];

/// `$LDSIM_FIXTURES/foreign/manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignManifest {
    pub roots: Vec<ForeignRoot>,
}

/// One architecture's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignRoot {
    /// ldsim's name of the architecture (`Arch::info().name`), e.g. "aarch64".
    pub arch: String,
    /// Absolute host path of the root.
    pub root: PathBuf,
    /// The qemu-user binary inside the root, e.g. "/qemu-aarch64-static"; `None` when the
    /// host kernel runs the programs itself (i386 on x86_64).
    pub qemu: Option<String>,
    /// Where libc6 came from: "package version url sha256".
    pub libc6: String,
    /// Programs (absolute paths inside the root), each named after the rule it proves.
    pub programs: Vec<ForeignProgram>,
}

/// One program of a foreign root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignProgram {
    /// e.g. "data_vs_plt/call_only".
    pub name: String,
    pub program: String,
    /// The real loader's verdict without LD_BIND_NOW ("fails", "fails-on-call"): what the
    /// fixture exists to show.
    pub expect: String,
}

/// The foreign manifest's path.
pub fn foreign_manifest_path() -> PathBuf {
    crate::manifest::fixtures_dir().join("foreign/manifest.json")
}

/// The foreign manifest; a missing one fails the test with instructions.
pub fn foreign_fixtures() -> ForeignManifest {
    let path = foreign_manifest_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "foreign-architecture fixtures missing: run `cargo xtask fixtures` (needs the \
             cross compilers and qemu-user-static that `cargo xtask ci` installs) ({}: {e})",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{} is unreadable: {e}; run `cargo xtask fixtures`",
            path.display()
        )
    })
}
