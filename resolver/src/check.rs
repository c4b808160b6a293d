//! Orchestration: one [`Checker`] per target root, shared by every file checked in a run.
//! INTERFACE SKELETON.

use crate::report::Report;
use ldsim_sysroots::{Sysroot, TargetPath};

/// x86-64 micro-architecture level of the target CPU (glibc-hwcaps selection), 1 = baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct CpuLevel(pub u8);

/// Every ambient input of a simulated run.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// LD_LIBRARY_PATH, if set.
    pub ld_library_path: Option<Vec<u8>>,
    /// LD_PRELOAD, if set.
    pub ld_preload: Option<Vec<u8>>,
    /// LD_BIND_NOW non-empty, or `--bind-now`.
    pub bind_now: bool,
    /// Target CPU level (`--cpu x86-64-v2`); baseline when unset.
    pub cpu: CpuLevel,
}

/// Failure to analyse a file at all (exit 2): the file itself is unreadable or not ELF.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: ldsim_sysroots::FsError,
    },
    #[error("{path}: {source}")]
    NotElf {
        path: String,
        source: ldsim_loader::ElfError,
    },
}

/// Simulates the target's loader for files inside one root. Parsed objects are cached and
/// shared across every file checked (and across threads).
#[derive(Debug)]
pub struct Checker<'r> {
    root: &'r Sysroot,
    env: Environment,
}

impl<'r> Checker<'r> {
    pub fn new(root: &'r Sysroot, env: Environment) -> Self {
        Checker { root, env }
    }
    /// Check the file at `path` inside the root; `name` is how the report names it (and argv[0]
    /// in loader messages).
    pub fn check(&self, path: &TargetPath, name: &str) -> Result<Report, CheckError> {
        let _ = (path, name, &self.root, &self.env);
        unimplemented!()
    }
}
