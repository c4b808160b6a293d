//! Per-architecture facts of both loaders. INTERFACE SKELETON.

use crate::model::{Header, RelocKind};

/// A target architecture (ABI) as the loaders distinguish them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Arch {
    X86_64,
    I386,
    Aarch64,
    Aarch64Be,
    ArmHf,
    ArmEl,
    Riscv64,
    Ppc64le,
    Ppc64,
    S390x,
}

/// Facts about one architecture.
#[derive(Debug)]
pub struct ArchInfo {
    pub arch: Arch,
    /// Short name: x86_64, i386, aarch64, armhf, armel, riscv64, ppc64le, ppc64, s390x.
    pub name: &'static str,
    /// Debian multiarch triplet, e.g. `x86_64-linux-gnu`.
    pub multiarch: &'static str,
    /// glibc PT_INTERP paths for this ABI, canonical first.
    pub glibc_interpreters: &'static [&'static str],
    /// musl LDSO_ARCH (`/lib/ld-musl-$ARCH.so.1`, `/etc/ld-musl-$ARCH.path`).
    pub musl_arch: &'static str,
    /// Upstream glibc's compiled-in system dirs (used when the target's ld.so cannot tell).
    pub glibc_default_dirs: &'static [&'static str],
    /// Upstream `$LIB`.
    pub glibc_lib_dst: &'static str,
    /// ld.so.cache entry flags this loader accepts (`_dl_cache_check_flags`).
    pub cache_flags: &'static [i32],
    /// AT_PLATFORM default (`$PLATFORM`).
    pub platform: &'static str,
    /// glibc-hwcaps subdirectory names, highest level first.
    pub hwcaps_subdirs: &'static [&'static str],
}

/// The architecture of an ELF header (machine, class, endianness and, for ARM, the float ABI
/// in e_flags). `None` for machines ldsim does not model.
pub fn arch_of(header: &Header) -> Option<Arch> {
    let _ = header;
    unimplemented!()
}

impl Arch {
    pub fn info(self) -> &'static ArchInfo {
        unimplemented!()
    }
    /// Classify a relocation type of this architecture that names a symbol.
    pub fn reloc_kind(self, r_type: u32) -> RelocKind {
        let _ = r_type;
        unimplemented!()
    }
}
