//! The named built-in targets: libc releases, and distributions' base images described by the
//! releases they ship. The release numbers per distribution are facts about those images,
//! each with its source in `SOURCES.md` beside the data; everything the loader sees is then
//! derived from the generated tables (`abilists`, `glibc_nodes`, `musl`, `gcc`).

use ldsim_loader::arch::Arch;
use ldsim_loader::Release;

/// The C library of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibcSpec {
    /// A glibc release.
    Glibc(Release),
    /// A musl release.
    Musl(Release),
    /// No C library at all (distroless static): only static programs run.
    None,
}

/// Where a distribution puts the C library and what its `ld.so` searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// glibc's upstream defaults (`slibdir`, the ABI's PT_INTERP path).
    Upstream,
    /// Debian and Ubuntu: multiarch directories `/lib/<triplet>`, `/usr/lib/<triplet>`, with
    /// `/lib` a link to `usr/lib` (merged /usr).
    Multiarch,
    /// Debian and Ubuntu before the /usr merge (what debootstrap installs for Ubuntu up to 18.04,
    /// Debian up to 9): glibc and libgcc_s in `/lib/<triplet>`, libstdc++ and everything else
    /// in `/usr/lib/<triplet>`.
    MultiarchSplitUsr,
    /// Red Hat family and Amazon Linux: `/usr/lib64` (`/lib64` a symlink to it).
    Lib64,
    /// Alpine: musl in `/lib`, other libraries in `/usr/lib`.
    Alpine,
}

/// The C++ runtime (libstdc++, libgcc_s) of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CxxRuntime {
    /// Not described: a bare libc release says nothing about it.
    Unknown,
    /// In the base image, from this GCC release (12.2).
    Installed(Release),
    /// Not in the base image; the distribution's package is from this GCC release. The
    /// string says how to install it.
    Installable(Release, &'static str),
    /// Not in the image and nothing installs it (distroless base).
    Absent,
}

/// One named target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// Human description, e.g. "Debian 12 (bookworm)".
    pub summary: &'static str,
    pub libc: LibcSpec,
    pub cxx: CxxRuntime,
    pub layout: Layout,
    /// Alpine's gcompat package: glibc's loader name runs musl with libgcompat preloaded.
    pub gcompat: bool,
    /// Architectures the image exists for; the first is used for files of any other.
    pub platforms: &'static [Arch],
    /// Checked when no --sysroot or --target is given.
    pub default: bool,
}

use Arch::{Aarch64, ArmHf, I386, X86_64};
use CxxRuntime::{Absent, Installable, Installed};
use Layout::{Alpine, Lib64, Multiarch, MultiarchSplitUsr};
use LibcSpec::{Glibc, Musl};

const ALL4: &[Arch] = &[X86_64, Aarch64, I386, ArmHf];
const NO_I386: &[Arch] = &[X86_64, Aarch64, ArmHf];
const X64_ARM64: &[Arch] = &[X86_64, Aarch64];
const APK_LIBSTDCXX: &str = "apk add libstdc++";

// A table row: one argument per column.
#[allow(clippy::too_many_arguments)]
const fn distro(
    name: &'static str,
    aliases: &'static [&'static str],
    summary: &'static str,
    libc: LibcSpec,
    cxx: CxxRuntime,
    layout: Layout,
    platforms: &'static [Arch],
    default: bool,
) -> TargetSpec {
    TargetSpec {
        name,
        aliases,
        summary,
        libc,
        cxx,
        layout,
        gcompat: false,
        platforms,
        default,
    }
}

const fn alpine(
    name: &'static str,
    aliases: &'static [&'static str],
    summary: &'static str,
    musl: (u8, u8, u8),
    gcc: (u8, u8),
    gcompat: bool,
    default: bool,
) -> TargetSpec {
    TargetSpec {
        name,
        aliases,
        summary,
        libc: Musl(Release::new(musl.0, musl.1, musl.2)),
        cxx: Installable(Release::new(gcc.0, gcc.1, 0), APK_LIBSTDCXX),
        layout: Alpine,
        gcompat,
        platforms: ALL4,
        default,
    }
}

/// The distribution targets, oldest first within a family. Sources: SOURCES.md.
#[rustfmt::skip]
pub const DISTROS: &[TargetSpec] = &[
    distro(
        "debian-10",
        &["debian-buster", "buster"],
        "Debian 10 (buster)",
        Glibc(Release::new(2, 28, 0)),
        Installed(Release::new(8, 3, 0)),
        Multiarch,
        ALL4,
        true,
    ),
    distro(
        "debian-11",
        &["debian-bullseye", "bullseye"],
        "Debian 11 (bullseye)",
        Glibc(Release::new(2, 31, 0)),
        Installed(Release::new(10, 2, 0)),
        Multiarch,
        ALL4,
        true,
    ),
    distro(
        "debian-12",
        &["debian-bookworm", "bookworm"],
        "Debian 12 (bookworm)",
        Glibc(Release::new(2, 36, 0)),
        Installed(Release::new(12, 2, 0)),
        Multiarch,
        ALL4,
        true,
    ),
    distro(
        "debian-13",
        &["debian-trixie", "trixie", "debian"],
        "Debian 13 (trixie)",
        Glibc(Release::new(2, 41, 0)),
        Installed(Release::new(14, 2, 0)),
        Multiarch,
        ALL4,
        true,
    ),
    distro(
        "ubuntu-18.04",
        &["ubuntu-bionic", "bionic"],
        "Ubuntu 18.04 LTS (bionic)",
        Glibc(Release::new(2, 27, 0)),
        Installed(Release::new(8, 4, 0)),
        MultiarchSplitUsr,
        ALL4,
        true,
    ),
    distro(
        "ubuntu-20.04",
        &["ubuntu-focal", "focal"],
        "Ubuntu 20.04 LTS (focal)",
        Glibc(Release::new(2, 31, 0)),
        Installed(Release::new(10, 5, 0)),
        Multiarch,
        NO_I386,
        true,
    ),
    distro(
        "ubuntu-22.04",
        &["ubuntu-jammy", "jammy"],
        "Ubuntu 22.04 LTS (jammy)",
        Glibc(Release::new(2, 35, 0)),
        Installed(Release::new(12, 3, 0)),
        Multiarch,
        NO_I386,
        true,
    ),
    distro(
        "ubuntu-24.04",
        &["ubuntu-noble", "noble", "ubuntu"],
        "Ubuntu 24.04 LTS (noble)",
        Glibc(Release::new(2, 39, 0)),
        Installed(Release::new(14, 2, 0)),
        Multiarch,
        NO_I386,
        true,
    ),
    distro(
        "rhel-7",
        &["centos-7", "el7", "oraclelinux-7"],
        "RHEL / CentOS 7",
        Glibc(Release::new(2, 17, 0)),
        Installed(Release::new(4, 8, 0)),
        Lib64,
        X64_ARM64,
        true,
    ),
    distro(
        "rhel-8",
        &[
            "centos-8",
            "rocky-8",
            "alma-8",
            "almalinux-8",
            "oraclelinux-8",
            "el8",
        ],
        "RHEL / CentOS / Rocky / Alma 8",
        Glibc(Release::new(2, 28, 0)),
        Installed(Release::new(8, 5, 0)),
        Lib64,
        X64_ARM64,
        true,
    ),
    distro(
        "rhel-9",
        &[
            "centos-9",
            "centos-stream-9",
            "rocky-9",
            "alma-9",
            "almalinux-9",
            "oraclelinux-9",
            "el9",
        ],
        "RHEL / CentOS Stream / Rocky / Alma 9",
        Glibc(Release::new(2, 34, 0)),
        Installed(Release::new(11, 5, 0)),
        Lib64,
        X64_ARM64,
        true,
    ),
    distro(
        "rhel-10",
        &[
            "centos-10",
            "centos-stream-10",
            "rocky-10",
            "alma-10",
            "almalinux-10",
            "oraclelinux-10",
            "el10",
        ],
        "RHEL / CentOS Stream / Rocky / Alma 10",
        Glibc(Release::new(2, 39, 0)),
        Installed(Release::new(14, 2, 0)),
        Lib64,
        X64_ARM64,
        true,
    ),
    distro(
        "amazonlinux-2",
        &["al2", "amzn2"],
        "Amazon Linux 2",
        Glibc(Release::new(2, 26, 0)),
        Installed(Release::new(7, 3, 0)),
        Lib64,
        X64_ARM64,
        true,
    ),
    distro(
        "amazonlinux-2023",
        &["al2023", "amzn2023"],
        "Amazon Linux 2023",
        Glibc(Release::new(2, 34, 0)),
        Installed(Release::new(11, 4, 0)),
        Lib64,
        X64_ARM64,
        true,
    ),
    alpine(
        "alpine-3.16",
        &[],
        "Alpine 3.16",
        (1, 2, 3),
        (11, 2),
        false,
        false,
    ),
    alpine(
        "alpine-3.17",
        &[],
        "Alpine 3.17",
        (1, 2, 3),
        (12, 2),
        false,
        false,
    ),
    alpine(
        "alpine-3.18",
        &[],
        "Alpine 3.18",
        (1, 2, 4),
        (12, 2),
        false,
        false,
    ),
    alpine(
        "alpine-3.19",
        &[],
        "Alpine 3.19",
        (1, 2, 4),
        (13, 2),
        false,
        false,
    ),
    alpine(
        "alpine-3.20",
        &[],
        "Alpine 3.20",
        (1, 2, 5),
        (13, 2),
        false,
        false,
    ),
    alpine(
        "alpine-3.21",
        &[],
        "Alpine 3.21",
        (1, 2, 5),
        (14, 2),
        false,
        false,
    ),
    alpine(
        "alpine-3.22",
        &["alpine", "alpine-latest"],
        "Alpine 3.22",
        (1, 2, 5),
        (14, 2),
        false,
        true,
    ),
    alpine(
        "alpine-3.16-gcompat",
        &[],
        "Alpine 3.16 + gcompat",
        (1, 2, 3),
        (11, 2),
        true,
        false,
    ),
    alpine(
        "alpine-3.17-gcompat",
        &[],
        "Alpine 3.17 + gcompat",
        (1, 2, 3),
        (12, 2),
        true,
        false,
    ),
    alpine(
        "alpine-3.18-gcompat",
        &[],
        "Alpine 3.18 + gcompat",
        (1, 2, 4),
        (12, 2),
        true,
        false,
    ),
    alpine(
        "alpine-3.19-gcompat",
        &[],
        "Alpine 3.19 + gcompat",
        (1, 2, 4),
        (13, 2),
        true,
        false,
    ),
    alpine(
        "alpine-3.20-gcompat",
        &[],
        "Alpine 3.20 + gcompat",
        (1, 2, 5),
        (13, 2),
        true,
        false,
    ),
    alpine(
        "alpine-3.21-gcompat",
        &[],
        "Alpine 3.21 + gcompat",
        (1, 2, 5),
        (14, 2),
        true,
        false,
    ),
    alpine(
        "alpine-3.22-gcompat",
        &["alpine-gcompat", "alpine-latest-gcompat"],
        "Alpine 3.22 + gcompat",
        (1, 2, 5),
        (14, 2),
        true,
        true,
    ),
    distro(
        "distroless-static-debian12",
        &["distroless-static"],
        "distroless/static-debian12 (no libc)",
        LibcSpec::None,
        Absent,
        Multiarch,
        NO_I386,
        true,
    ),
    distro(
        "distroless-base-debian12",
        &["distroless-base"],
        "distroless/base-debian12",
        Glibc(Release::new(2, 36, 0)),
        Absent,
        Multiarch,
        NO_I386,
        true,
    ),
    distro(
        "distroless-cc-debian12",
        &["distroless-cc"],
        "distroless/cc-debian12",
        Glibc(Release::new(2, 36, 0)),
        Installed(Release::new(12, 2, 0)),
        Multiarch,
        NO_I386,
        true,
    ),
    distro(
        "distroless-base-debian13",
        &[],
        "distroless/base-debian13",
        Glibc(Release::new(2, 41, 0)),
        Absent,
        Multiarch,
        NO_I386,
        false,
    ),
    distro(
        "distroless-cc-debian13",
        &[],
        "distroless/cc-debian13",
        Glibc(Release::new(2, 41, 0)),
        Installed(Release::new(14, 2, 0)),
        Multiarch,
        NO_I386,
        false,
    ),
];
