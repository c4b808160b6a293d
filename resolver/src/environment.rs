//! The ambient inputs of a simulated run: what the environment and the machine give the
//! loader. Every phase takes them from here, never from the host.

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
