//! Per-architecture facts of both loaders: which ABI an ELF header belongs to, and what each
//! ABI's glibc and musl were built with (interpreter names, default directories, ld.so.cache
//! flags, `$PLATFORM`, glibc-hwcaps names, the relocation types that matter for binding).

use crate::model::{Class, Endian, Header, RelocKind};

/// e_machine values (glibc elf/elf.h).
const EM_386: u16 = goblin::elf::header::EM_386;
const EM_ARM: u16 = goblin::elf::header::EM_ARM;
const EM_X86_64: u16 = goblin::elf::header::EM_X86_64;
const EM_AARCH64: u16 = goblin::elf::header::EM_AARCH64;
const EM_RISCV: u16 = goblin::elf::header::EM_RISCV;
const EM_PPC64: u16 = goblin::elf::header::EM_PPC64;
const EM_S390: u16 = goblin::elf::header::EM_S390;
/// Pre-standard s390 machine number; glibc sysdeps/s390/s390-64/dl-machine.h:
/// elf_machine_matches_host accepts it too.
const EM_S390_OLD: u16 = 0xa390;

/// ARM e_flags (glibc elf/elf.h).
const EF_ARM_EABIMASK: u32 = 0xff00_0000;
const EF_ARM_EABI_VER5: u32 = 0x0500_0000;
const EF_ARM_ABI_FLOAT_SOFT: u32 = 0x200;
const EF_ARM_ABI_FLOAT_HARD: u32 = 0x400;
/// RISC-V e_flags (glibc elf/elf.h).
const EF_RISCV_FLOAT_ABI: u32 = 0x6;
const EF_RISCV_FLOAT_ABI_DOUBLE: u32 = 0x4;

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
    /// glibc PT_INTERP paths for this ABI, canonical first (glibc sysdeps/unix/sysv/linux/*/
    /// shlib-versions `ld=`, under the `slibdir`/`rtlddir` the ABI installs it in).
    pub glibc_interpreters: &'static [&'static str],
    /// musl LDSO_ARCH (`/lib/ld-musl-$ARCH.so.1`, `/etc/ld-musl-$ARCH.path`).
    pub musl_arch: &'static str,
    /// Upstream glibc's compiled-in system dirs (used when the target's ld.so cannot tell),
    /// without trailing slash.
    pub glibc_default_dirs: &'static [&'static str],
    /// Upstream `$LIB`.
    pub glibc_lib_dst: &'static str,
    /// ld.so.cache entry flags this loader accepts (`_dl_cache_check_flags`).
    pub cache_flags: &'static [i32],
    /// `_DL_CACHE_DEFAULT_ID`: an accepted cache entry with exactly these flags ends the search
    /// at once; an entry with another accepted value (e.g. the generic 0x0001) is remembered and
    /// the search goes on for a better one (glibc elf/dl-cache.c: search_cache). ARM defines no
    /// own value, so it is the generic 3 there although its own flag (0x0903/0x0b03) is accepted.
    pub cache_default_flag: i32,
    /// AT_PLATFORM default (`$PLATFORM`). The kernel derives it from the CPU on some
    /// architectures; this is the value of a typical baseline machine. Empty when the kernel
    /// passes no AT_PLATFORM at all (riscv: arch/riscv/include/asm/elf.h defines ELF_PLATFORM
    /// as NULL), in which case glibc drops any path element that uses `$PLATFORM`.
    pub platform: &'static str,
    /// glibc-hwcaps subdirectory names, highest level first
    /// (glibc sysdeps/*/dl-hwcaps-subdirs.c).
    pub hwcaps_subdirs: &'static [&'static str],
    /// R_*_JUMP_SLOT (R_*_JMP_SLOT) number: the one relocation type glibc defers in DT_JMPREL
    /// (`sysdeps/<arch>/dl-machine.h`: elf_machine_lazy_rel; x86_64, i386, aarch64, arm,
    /// riscv, powerpc64, s390-64). Every other symbol relocation (GLOB_DAT, the absolute
    /// word, TLS) is bound at start-up.
    pub reloc_jump_slot: u32,
    /// R_*_COPY number: looked up skipping the executable (elf_machine_type_class returns
    /// ELF_RTYPE_CLASS_COPY for it in the same files).
    pub reloc_copy: u32,
    /// How this ABI marks PLT calls to functions with a variant calling convention, and
    /// whether glibc then binds them at start-up; `None` where the ABI has no such marking.
    pub variant_call: Option<VariantCall>,
}

/// A variant calling convention marking: a function whose callers may keep live values in
/// registers the base ABI lets a callee (and so the lazy-binding trampoline) clobber. The
/// linker marks the dynamic symbol with an st_other bit and the object calling it through the
/// PLT with a DT_LOPROC tag (glibc elf/elf.h).
#[derive(Debug)]
pub struct VariantCall {
    /// The dynamic tag: DT_AARCH64_VARIANT_PCS, DT_RISCV_VARIANT_CC.
    pub tag: u64,
    /// The st_other bit: STO_AARCH64_VARIANT_PCS, STO_RISCV_VARIANT_CC.
    pub sto: u8,
    /// The first glibc release whose `elf_machine_lazy_rel` resolves a JUMP_SLOT of such a
    /// symbol at once (in an object with the tag) instead of pointing it at the trampoline;
    /// `None`: glibc binds it lazily like any other call.
    pub eager_since: Option<crate::Release>,
}

/// aarch64 (glibc elf/elf.h: DT_AARCH64_VARIANT_PCS = DT_LOPROC + 5,
/// STO_AARCH64_VARIANT_PCS = 0x80). sysdeps/aarch64/dl-machine.h: elf_machine_lazy_rel
/// ("Avoid lazy resolution of variant PCS symbols") calls elf_machine_rela for such a
/// JUMP_SLOT. Added in 2.30 (commit 82bc69c012, "aarch64: handle STO_AARCH64_VARIANT_PCS"),
/// but only effective since 2.33: until then the check sat in the branch for a non-zero
/// `l_mach.plt`, which the common link never produces (commit 558251bd87, BZ #26798,
/// "variant PCS symbols may be incorrectly lazy bound", listed in 2.33's NEWS). Observed on
/// Debian 12's glibc 2.36 under qemu (tests/tests/foreign_arch.rs, variant_pcs).
const AARCH64_VARIANT_PCS: VariantCall = VariantCall {
    tag: 0x7000_0005,
    sto: 0x80,
    eager_since: Some(crate::Release::new(2, 33, 0)),
};

/// riscv (glibc elf/elf.h since 2.36: DT_RISCV_VARIANT_CC = DT_LOPROC + 1,
/// STO_RISCV_VARIANT_CC = 0x80). sysdeps/riscv/dl-machine.h: elf_machine_lazy_rel treats
/// every R_RISCV_JUMP_SLOT alike, so the call stays lazy: observed on Debian 13's glibc 2.41
/// under qemu (tests/tests/foreign_arch.rs, variant_cc).
const RISCV_VARIANT_CC: VariantCall = VariantCall {
    tag: 0x7000_0001,
    sto: 0x80,
    eager_since: None,
};

/// The architecture of an ELF header (machine, class, endianness and, for ARM, the float ABI
/// in e_flags). `None` for machines ldsim does not model (x32, 32-bit s390, big-endian ARM,
/// riscv64 with a float ABI other than lp64d, …).
pub fn arch_of(header: &Header) -> Option<Arch> {
    use Class::{Elf32, Elf64};
    use Endian::{Big, Little};
    match (header.machine, header.class, header.endian) {
        (EM_X86_64, Elf64, Little) => Some(Arch::X86_64),
        (EM_386, Elf32, Little) => Some(Arch::I386),
        (EM_AARCH64, Elf64, Little) => Some(Arch::Aarch64),
        (EM_AARCH64, Elf64, Big) => Some(Arch::Aarch64Be),
        (EM_ARM, Elf32, Little) => Some(arm_float_abi(header.flags)),
        (EM_RISCV, Elf64, Little)
            if header.flags & EF_RISCV_FLOAT_ABI == EF_RISCV_FLOAT_ABI_DOUBLE =>
        {
            Some(Arch::Riscv64)
        }
        (EM_PPC64, Elf64, Little) => Some(Arch::Ppc64le),
        (EM_PPC64, Elf64, Big) => Some(Arch::Ppc64),
        (EM_S390 | EM_S390_OLD, Elf64, Big) => Some(Arch::S390x),
        _ => None,
    }
}

/// armhf vs armel. Only EABI5 objects carry the float-ABI bits (glibc
/// sysdeps/unix/sysv/linux/arm/ldsodefs.h: VALID_FLOAT_ABI). An unmarked object is compatible
/// with both loaders (ldconfig gives it the neutral cache flag 0x0003, sysdeps/unix/sysv/
/// linux/arm/readelflib.c); to name one ABI we pick armel, the one without a VFP requirement.
fn arm_float_abi(flags: u32) -> Arch {
    let eabi5 = flags & EF_ARM_EABIMASK == EF_ARM_EABI_VER5;
    if eabi5 && flags & EF_ARM_ABI_FLOAT_HARD != 0 && flags & EF_ARM_ABI_FLOAT_SOFT == 0 {
        Arch::ArmHf
    } else {
        // EF_ARM_ABI_FLOAT_SOFT, unmarked, or a pre-EABI5 object.
        Arch::ArmEl
    }
}

/// glibc upstream `slibdir:libdir` for the lib64 ABIs (loader-facts §1.5).
const LIB64_DIRS: &[&str] = &["/lib64", "/usr/lib64"];
const LIB_DIRS: &[&str] = &["/lib", "/usr/lib"];

static X86_64: ArchInfo = ArchInfo {
    arch: Arch::X86_64,
    name: "x86_64",
    multiarch: "x86_64-linux-gnu",
    glibc_interpreters: &["/lib64/ld-linux-x86-64.so.2"],
    musl_arch: "x86_64",
    glibc_default_dirs: LIB64_DIRS,
    glibc_lib_dst: "lib64",
    // sysdeps/x86_64/dl-cache.h
    cache_flags: &[0x0303],
    cache_default_flag: 0x0303,
    platform: "x86_64",
    // sysdeps/x86_64/dl-hwcaps-subdirs.c
    hwcaps_subdirs: &["x86-64-v4", "x86-64-v3", "x86-64-v2"],
    reloc_jump_slot: 7, // R_X86_64_JUMP_SLOT
    reloc_copy: 5,      // R_X86_64_COPY
    variant_call: None,
};

static I386: ArchInfo = ArchInfo {
    arch: Arch::I386,
    name: "i386",
    multiarch: "i386-linux-gnu",
    glibc_interpreters: &["/lib/ld-linux.so.2"],
    musl_arch: "i386",
    glibc_default_dirs: LIB_DIRS,
    glibc_lib_dst: "lib",
    // sysdeps/generic/dl-cache.h
    cache_flags: &[0x0001, 0x0003],
    cache_default_flag: 0x0003,
    // Kernel arch/x86: "i%c86" with the family capped at 6.
    platform: "i686",
    hwcaps_subdirs: &[],
    reloc_jump_slot: 7, // R_386_JMP_SLOT
    reloc_copy: 5,      // R_386_COPY
    variant_call: None,
};

static AARCH64: ArchInfo = ArchInfo {
    arch: Arch::Aarch64,
    name: "aarch64",
    multiarch: "aarch64-linux-gnu",
    glibc_interpreters: &["/lib/ld-linux-aarch64.so.1"],
    musl_arch: "aarch64",
    glibc_default_dirs: LIB64_DIRS,
    glibc_lib_dst: "lib64",
    // sysdeps/unix/sysv/linux/aarch64/dl-cache.h
    cache_flags: &[0x0a03],
    cache_default_flag: 0x0a03,
    platform: "aarch64",
    hwcaps_subdirs: &[],
    reloc_jump_slot: 1026, // R_AARCH64_JUMP_SLOT
    reloc_copy: 1024,      // R_AARCH64_COPY
    variant_call: Some(AARCH64_VARIANT_PCS),
};

static AARCH64_BE: ArchInfo = ArchInfo {
    arch: Arch::Aarch64Be,
    name: "aarch64_be",
    multiarch: "aarch64_be-linux-gnu",
    glibc_interpreters: &["/lib/ld-linux-aarch64_be.so.1"],
    musl_arch: "aarch64_be",
    glibc_default_dirs: LIB64_DIRS,
    glibc_lib_dst: "lib64",
    cache_flags: &[0x0a03],
    cache_default_flag: 0x0a03,
    // arch/arm64/include/asm/elf.h: ELF_PLATFORM_STR under __AARCH64EB__.
    platform: "aarch64_be",
    hwcaps_subdirs: &[],
    reloc_jump_slot: 1026,
    reloc_copy: 1024,
    variant_call: Some(AARCH64_VARIANT_PCS),
};

static ARMHF: ArchInfo = ArchInfo {
    arch: Arch::ArmHf,
    name: "armhf",
    multiarch: "arm-linux-gnueabihf",
    glibc_interpreters: &["/lib/ld-linux-armhf.so.3"],
    musl_arch: "armhf",
    glibc_default_dirs: LIB_DIRS,
    glibc_lib_dst: "lib",
    // sysdeps/unix/sysv/linux/arm/dl-cache.h: FLAG_ARM_LIBHF|FLAG_ELF_LIBC6 or FLAG_ELF_LIBC6.
    cache_flags: &[0x0903, 0x0003],
    cache_default_flag: 0x0003,
    // Kernel arch/arm: "v7" plus the endianness letter on an ARMv7 CPU.
    platform: "v7l",
    hwcaps_subdirs: &[],
    reloc_jump_slot: 22, // R_ARM_JUMP_SLOT
    reloc_copy: 20,      // R_ARM_COPY
    variant_call: None,
};

static ARMEL: ArchInfo = ArchInfo {
    arch: Arch::ArmEl,
    name: "armel",
    multiarch: "arm-linux-gnueabi",
    glibc_interpreters: &["/lib/ld-linux.so.3"],
    musl_arch: "arm",
    glibc_default_dirs: LIB_DIRS,
    glibc_lib_dst: "lib",
    // FLAG_ARM_LIBSF|FLAG_ELF_LIBC6 or FLAG_ELF_LIBC6.
    cache_flags: &[0x0b03, 0x0003],
    cache_default_flag: 0x0003,
    platform: "v7l",
    hwcaps_subdirs: &[],
    reloc_jump_slot: 22,
    reloc_copy: 20,
    variant_call: None,
};

static RISCV64: ArchInfo = ArchInfo {
    arch: Arch::Riscv64,
    name: "riscv64",
    multiarch: "riscv64-linux-gnu",
    glibc_interpreters: &["/lib/ld-linux-riscv64-lp64d.so.1"],
    musl_arch: "riscv64",
    glibc_default_dirs: &["/lib64/lp64d", "/usr/lib64/lp64d"],
    glibc_lib_dst: "lp64d",
    // sysdeps/unix/sysv/linux/riscv/dl-cache.h: FLAG_RISCV_FLOAT_ABI_DOUBLE|FLAG_ELF_LIBC6.
    cache_flags: &[0x1003],
    cache_default_flag: 0x1003,
    platform: "",
    hwcaps_subdirs: &[],
    reloc_jump_slot: 5, // R_RISCV_JUMP_SLOT
    reloc_copy: 4,      // R_RISCV_COPY
    variant_call: Some(RISCV_VARIANT_CC),
};

static PPC64LE: ArchInfo = ArchInfo {
    arch: Arch::Ppc64le,
    name: "ppc64le",
    multiarch: "powerpc64le-linux-gnu",
    // ELFv2 ABI (sysdeps/unix/sysv/linux/powerpc/powerpc64/shlib-versions).
    glibc_interpreters: &["/lib64/ld64.so.2"],
    musl_arch: "powerpc64le",
    glibc_default_dirs: LIB64_DIRS,
    glibc_lib_dst: "lib64",
    // sysdeps/unix/sysv/linux/powerpc/powerpc64/dl-cache.h
    cache_flags: &[0x0503],
    cache_default_flag: 0x0503,
    // The kernel reports the CPU (cur_cpu_spec->platform); POWER9 is the common machine.
    platform: "power9",
    // sysdeps/powerpc/powerpc64/le/dl-hwcaps-subdirs.c
    hwcaps_subdirs: &["power10", "power9"],
    reloc_jump_slot: 21, // R_PPC64_JMP_SLOT
    reloc_copy: 19,      // R_PPC64_COPY
    variant_call: None,
};

static PPC64: ArchInfo = ArchInfo {
    arch: Arch::Ppc64,
    name: "ppc64",
    multiarch: "powerpc64-linux-gnu",
    // ELFv1 ABI, the one big-endian glibc distributions use.
    glibc_interpreters: &["/lib64/ld64.so.1"],
    musl_arch: "powerpc64",
    glibc_default_dirs: LIB64_DIRS,
    glibc_lib_dst: "lib64",
    cache_flags: &[0x0503],
    cache_default_flag: 0x0503,
    platform: "power9",
    hwcaps_subdirs: &[],
    reloc_jump_slot: 21,
    reloc_copy: 19,
    variant_call: None,
};

static S390X: ArchInfo = ArchInfo {
    arch: Arch::S390x,
    name: "s390x",
    multiarch: "s390x-linux-gnu",
    glibc_interpreters: &["/lib/ld64.so.1"],
    musl_arch: "s390x",
    glibc_default_dirs: LIB64_DIRS,
    glibc_lib_dst: "lib64",
    // sysdeps/unix/sysv/linux/s390/s390-64/dl-cache.h
    cache_flags: &[0x0403],
    cache_default_flag: 0x0403,
    // The kernel reports the machine generation; z13 is the Debian/RHEL baseline.
    platform: "z13",
    // sysdeps/s390/s390-64/dl-hwcaps-subdirs.c
    hwcaps_subdirs: &["z17", "z16", "z15", "z14", "z13"],
    reloc_jump_slot: 11, // R_390_JMP_SLOT
    reloc_copy: 9,       // R_390_COPY
    variant_call: None,
};

impl Arch {
    /// The OCI platform architecture and variant of images for this ABI (image-spec
    /// image-index.md: Go's GOARCH names; Docker's arm32v5 / arm32v7 images for armel /
    /// armhf). Big-endian arm64 has no registered name; Go's `arm64be` is used.
    pub fn oci_platform(self) -> (&'static str, Option<&'static str>) {
        match self {
            Arch::X86_64 => ("amd64", None),
            Arch::I386 => ("386", None),
            Arch::Aarch64 => ("arm64", None),
            Arch::Aarch64Be => ("arm64be", None),
            Arch::ArmHf => ("arm", Some("v7")),
            Arch::ArmEl => ("arm", Some("v5")),
            Arch::Riscv64 => ("riscv64", None),
            Arch::Ppc64le => ("ppc64le", None),
            Arch::Ppc64 => ("ppc64", None),
            Arch::S390x => ("s390x", None),
        }
    }

    /// Every modelled architecture, in declaration order.
    pub const ALL: [Arch; 10] = [
        Arch::X86_64,
        Arch::I386,
        Arch::Aarch64,
        Arch::Aarch64Be,
        Arch::ArmHf,
        Arch::ArmEl,
        Arch::Riscv64,
        Arch::Ppc64le,
        Arch::Ppc64,
        Arch::S390x,
    ];

    /// The ELF identity a toolchain writes for this ABI: (e_machine, class, byte order,
    /// e_flags) — what [`arch_of`] maps back to this architecture.
    pub fn elf_identity(self) -> (u16, Class, Endian, u32) {
        match self {
            Arch::X86_64 => (EM_X86_64, Class::Elf64, Endian::Little, 0),
            Arch::I386 => (EM_386, Class::Elf32, Endian::Little, 0),
            Arch::Aarch64 => (EM_AARCH64, Class::Elf64, Endian::Little, 0),
            Arch::Aarch64Be => (EM_AARCH64, Class::Elf64, Endian::Big, 0),
            // EF_ARM_EABI_VER5 with EF_ARM_ABI_FLOAT_HARD / _SOFT.
            Arch::ArmHf => (EM_ARM, Class::Elf32, Endian::Little, 0x0500_0400),
            Arch::ArmEl => (EM_ARM, Class::Elf32, Endian::Little, 0x0500_0200),
            // EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE.
            Arch::Riscv64 => (EM_RISCV, Class::Elf64, Endian::Little, 0x5),
            // ELFv2 (ppc64le) and ELFv1 (ppc64) ABIs.
            Arch::Ppc64le => (EM_PPC64, Class::Elf64, Endian::Little, 2),
            Arch::Ppc64 => (EM_PPC64, Class::Elf64, Endian::Big, 1),
            Arch::S390x => (EM_S390, Class::Elf64, Endian::Big, 0),
        }
    }

    pub fn info(self) -> &'static ArchInfo {
        match self {
            Arch::X86_64 => &X86_64,
            Arch::I386 => &I386,
            Arch::Aarch64 => &AARCH64,
            Arch::Aarch64Be => &AARCH64_BE,
            Arch::ArmHf => &ARMHF,
            Arch::ArmEl => &ARMEL,
            Arch::Riscv64 => &RISCV64,
            Arch::Ppc64le => &PPC64LE,
            Arch::Ppc64 => &PPC64,
            Arch::S390x => &S390X,
        }
    }

    /// Classify a relocation type of this architecture that names a symbol. JUMP_SLOT is
    /// only lazy when it sits in DT_JMPREL; the parser downgrades it to `Other` elsewhere.
    pub fn reloc_kind(self, r_type: u32) -> RelocKind {
        let info = self.info();
        if r_type == info.reloc_jump_slot {
            RelocKind::JumpSlot
        } else if r_type == info.reloc_copy {
            RelocKind::Copy
        } else {
            RelocKind::Other
        }
    }
}

/// A human name for an e_machine value, for messages.
pub fn machine_name(machine: u16) -> String {
    let name = match machine {
        EM_X86_64 => "x86-64",
        EM_386 => "Intel 80386",
        EM_AARCH64 => "AArch64",
        EM_ARM => "ARM",
        EM_RISCV => "RISC-V",
        EM_PPC64 => "PowerPC64",
        goblin::elf::header::EM_PPC => "PowerPC",
        EM_S390 | EM_S390_OLD => "IBM S/390",
        goblin::elf::header::EM_MIPS => "MIPS",
        goblin::elf::header::EM_SPARCV9 => "SPARC v9",
        goblin::elf::header::EM_LOONGARCH => "LoongArch",
        _ => return format!("machine {machine}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(machine: u16, class: Class, endian: Endian, flags: u32) -> Header {
        Header {
            class,
            endian,
            machine,
            flags,
            ..Header::of(Arch::X86_64, crate::model::ET_DYN)
        }
    }

    #[test]
    fn arch_of_distinguishes_class_endianness_and_float_abi() {
        use Class::*;
        use Endian::*;
        let cases = [
            (EM_X86_64, Elf64, Little, 0, Some(Arch::X86_64)),
            (EM_X86_64, Elf32, Little, 0, None), // x32
            (EM_386, Elf32, Little, 0, Some(Arch::I386)),
            (EM_AARCH64, Elf64, Little, 0, Some(Arch::Aarch64)),
            (EM_AARCH64, Elf64, Big, 0, Some(Arch::Aarch64Be)),
            (EM_ARM, Elf32, Little, 0x0500_0400, Some(Arch::ArmHf)),
            (EM_ARM, Elf32, Little, 0x0500_0200, Some(Arch::ArmEl)),
            (EM_ARM, Elf32, Little, 0x0500_0000, Some(Arch::ArmEl)),
            (EM_ARM, Elf32, Big, 0x0500_0400, None),
            (EM_RISCV, Elf64, Little, 0x5, Some(Arch::Riscv64)),
            (EM_RISCV, Elf64, Little, 0x1, None), // lp64 soft-float
            (EM_PPC64, Elf64, Little, 2, Some(Arch::Ppc64le)),
            (EM_PPC64, Elf64, Big, 1, Some(Arch::Ppc64)),
            (EM_S390, Elf64, Big, 0, Some(Arch::S390x)),
            (EM_S390, Elf32, Big, 0, None),
            (8, Elf32, Big, 0, None), // MIPS
        ];
        for (machine, class, endian, flags, want) in cases {
            let got = arch_of(&header(machine, class, endian, flags));
            assert_eq!(
                got, want,
                "machine {machine} {class:?} {endian:?} flags {flags:#x}"
            );
        }
    }

    #[test]
    fn reloc_kind_per_arch() {
        let cases = [
            (Arch::X86_64, 7, RelocKind::JumpSlot),
            (Arch::X86_64, 5, RelocKind::Copy),
            (Arch::X86_64, 6, RelocKind::Other), // GLOB_DAT
            (Arch::I386, 7, RelocKind::JumpSlot),
            (Arch::Aarch64, 1026, RelocKind::JumpSlot),
            (Arch::Aarch64, 1024, RelocKind::Copy),
            (Arch::Aarch64, 1025, RelocKind::Other),
            (Arch::ArmHf, 22, RelocKind::JumpSlot),
            (Arch::ArmEl, 20, RelocKind::Copy),
            (Arch::Riscv64, 5, RelocKind::JumpSlot),
            (Arch::Riscv64, 4, RelocKind::Copy),
            (Arch::Ppc64le, 21, RelocKind::JumpSlot),
            (Arch::Ppc64, 19, RelocKind::Copy),
            (Arch::S390x, 11, RelocKind::JumpSlot),
            (Arch::S390x, 9, RelocKind::Copy),
            (Arch::S390x, 10, RelocKind::Other), // GLOB_DAT
        ];
        for (arch, r_type, want) in cases {
            assert_eq!(arch.reloc_kind(r_type), want, "{arch:?} type {r_type}");
        }
    }

    #[test]
    fn info_tables_are_consistent() {
        for arch in Arch::ALL {
            let info = arch.info();
            assert_eq!(info.arch, arch);
            assert!(
                info.cache_flags.contains(&info.cache_default_flag) || info.name.starts_with("arm")
            );
            for dir in info.glibc_default_dirs {
                assert!(dir.starts_with('/') && !dir.ends_with('/'), "{dir}");
            }
            assert!(info.glibc_interpreters[0].starts_with('/'));
        }
        assert_eq!(Arch::ArmHf.info().cache_default_flag, 3);
        assert_eq!(Arch::X86_64.info().glibc_lib_dst, "lib64");
        assert_eq!(
            Arch::Riscv64.info().glibc_default_dirs,
            ["/lib64/lp64d", "/usr/lib64/lp64d"]
        );
    }

    #[test]
    fn machine_names() {
        assert_eq!(machine_name(62), "x86-64");
        assert_eq!(machine_name(183), "AArch64");
        assert_eq!(machine_name(22), "IBM S/390");
        assert_eq!(machine_name(4242), "machine 4242");
    }
}
