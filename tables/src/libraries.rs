//! The one place the built-in targets read the generated tables: glibc (abilists and the
//! symbol-less version nodes), musl, and the GCC runtime libraries.

use ldsim_loader::arch::Arch;
use ldsim_loader::Release;

use crate::abilists::{GlibcAbi, GlibcRelease, MERGED_INTO_LIBC};
use crate::glibc_nodes::SymbollessNodes;
use crate::objects::SynthExport;

/// zig's target name for an architecture's glibc ABI (the abilists' target list).
pub fn zig_target(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "x86_64-linux-gnu",
        Arch::I386 => "x86-linux-gnu",
        Arch::Aarch64 => "aarch64-linux-gnu",
        Arch::Aarch64Be => "aarch64_be-linux-gnu",
        Arch::ArmHf => "arm-linux-gnueabihf",
        Arch::ArmEl => "arm-linux-gnueabi",
        Arch::Riscv64 => "riscv64-linux-gnu",
        Arch::Ppc64le => "powerpc64le-linux-gnu",
        Arch::Ppc64 => "powerpc64-linux-gnu",
        Arch::S390x => "s390x-linux-gnu",
    }
}

/// Libraries whose symbols live in libc.so.6 from 2.34 on (the 2.34 merge); the files stay
/// as stubs with their version nodes.
pub const MERGED: &[&str] = &["pthread", "dl", "rt", "util"];

/// Does the glibc table know this architecture at all?
pub fn glibc_has_arch(arch: Arch) -> bool {
    GlibcAbi::embedded()
        .targets()
        .any(|t| t == zig_target(arch))
}

/// `library`'s exports in `release` (the table's library names: c, m, pthread, …, ld).
pub fn glibc_exports(library: &str, arch: Arch, release: GlibcRelease) -> Vec<SynthExport> {
    GlibcAbi::embedded()
        .exports(library, zig_target(arch), release)
        .into_iter()
        .map(|e| SynthExport {
            name: e.name,
            version: Some(e.version),
            default: e.default,
            kind: e.kind,
        })
        .collect()
}

/// Every version node `library` defines in `release`: those with symbols, and the
/// symbol-less ones (GLIBC_PRIVATE, GLIBC_ABI_DT_RELR, placeholders).
pub fn glibc_versions(library: &str, arch: Arch, release: GlibcRelease) -> Vec<String> {
    let target = zig_target(arch);
    let mut nodes = GlibcAbi::embedded().version_nodes(library, target, release);
    if library == "c" && release >= MERGED_INTO_LIBC {
        for merged in MERGED {
            nodes.extend(GlibcAbi::embedded().version_nodes(merged, target, release));
        }
    }
    nodes.extend(SymbollessNodes::embedded().nodes(library, target, release));
    sort_versions(&mut nodes);
    nodes
}

/// GLIBC_x.y nodes in numeric order, then the others by name (definition order is cosmetic).
fn sort_versions(nodes: &mut Vec<String>) {
    nodes.sort_by_key(|n| {
        let number = n.strip_prefix("GLIBC_").and_then(GlibcRelease::parse);
        (number.is_none(), number, n.clone())
    });
    nodes.dedup();
}

/// musl releases with a table, ascending.
pub fn musl_releases() -> Vec<Release> {
    let mut out: Vec<Release> = crate::musl::MuslAbi::embedded().releases();
    out.sort();
    out.dedup();
    out
}

/// musl's exports (libc.so, which is also its loader), or None without a table for the pair.
pub fn musl_exports(release: Release, arch: Arch) -> Option<Vec<SynthExport>> {
    let abi = crate::musl::MuslAbi::embedded();
    let wanted = abi.releases().into_iter().find(|r| *r == release)?;
    Some(
        abi.exports(wanted, arch)?
            .into_iter()
            .map(|e| SynthExport {
                name: e.name,
                version: None,
                default: true,
                kind: e.kind,
            })
            .collect(),
    )
}

/// Which C++ runtime library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CxxLibrary {
    Libstdcxx,
    LibgccS,
}

/// The version nodes of libstdc++.so.6 or libgcc_s.so.1 from GCC release `gcc` (12.2) on
/// `arch`: the table's newest GCC series not newer than it.
pub fn cxx_versions(library: CxxLibrary, gcc: Release, arch: Arch) -> Option<Vec<String>> {
    let abi = crate::gcc::GccAbi::embedded();
    let release = abi
        .releases()
        .into_iter()
        .filter(|r| (r.major, r.minor) <= (gcc.major, gcc.minor))
        .max()?;
    match library {
        CxxLibrary::Libstdcxx => abi.libstdcxx_nodes(release, arch),
        CxxLibrary::LibgccS => abi.libgcc_s_nodes(release, arch),
    }
}
