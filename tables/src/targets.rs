//! Target names as users write them (`debian-12`, `glibc-2.28-aarch64`, `musl-1.2`,
//! `alpine-3.20-gcompat`) and the list `ldsim targets` prints.

use ldsim_loader::arch::Arch;
use ldsim_loader::Release;

use crate::abilists::{GlibcAbi, GlibcRelease};
use crate::catalog::{CxxRuntime, Layout, LibcSpec, TargetSpec, DISTROS};
use crate::libraries;

/// The oldest glibc release offered as a target (the floor: RHEL 7's 2.17).
pub const OLDEST_GLIBC: (u32, u32) = (2, 17);

/// A built-in target, possibly pinned to one architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The canonical name, with the architecture suffix when one was asked for.
    pub name: String,
    pub summary: String,
    pub aliases: Vec<String>,
    pub libc: LibcSpec,
    pub cxx: CxxRuntime,
    pub layout: Layout,
    pub gcompat: bool,
    /// Architectures it exists for; the first stands in for any other.
    pub platforms: Vec<Arch>,
    /// `--target NAME-ARCH`: always this architecture.
    pub pinned: Option<Arch>,
    /// In the set checked when no target is named.
    pub default: bool,
}

/// A `--target` name that names nothing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("unknown target '{0}' (`ldsim targets` lists them)")]
    Unknown(String),
    #[error("target '{target}' has no tables for {arch}")]
    NoData { target: String, arch: String },
}

/// Architecture suffixes accepted after a target name.
const ARCH_SUFFIXES: &[(&str, Arch)] = &[
    ("x86_64", Arch::X86_64),
    ("amd64", Arch::X86_64),
    ("aarch64", Arch::Aarch64),
    ("arm64", Arch::Aarch64),
    ("i386", Arch::I386),
    ("i686", Arch::I386),
    ("x86", Arch::I386),
    ("armhf", Arch::ArmHf),
    ("armv7", Arch::ArmHf),
    ("armel", Arch::ArmEl),
    ("ppc64le", Arch::Ppc64le),
    ("s390x", Arch::S390x),
    ("riscv64", Arch::Riscv64),
];

impl Target {
    fn from_spec(spec: &TargetSpec) -> Target {
        Target {
            name: spec.name.to_owned(),
            summary: spec.summary.to_owned(),
            aliases: spec.aliases.iter().map(|a| (*a).to_owned()).collect(),
            libc: spec.libc,
            cxx: spec.cxx,
            layout: spec.layout,
            gcompat: spec.gcompat,
            platforms: spec.platforms.to_vec(),
            pinned: None,
            default: spec.default,
        }
    }

    fn glibc(release: GlibcRelease) -> Target {
        Target {
            name: format!("glibc-{}.{}", release.major, release.minor),
            summary: format!(
                "glibc {}.{} (upstream layout)",
                release.major, release.minor
            ),
            aliases: Vec::new(),
            libc: LibcSpec::Glibc(release),
            cxx: CxxRuntime::Unknown,
            layout: Layout::Upstream,
            gcompat: false,
            platforms: vec![Arch::X86_64, Arch::Aarch64, Arch::I386, Arch::ArmHf],
            pinned: None,
            default: false,
        }
    }

    fn musl(release: Release, name: String) -> Target {
        Target {
            name,
            summary: format!("musl {}", release.full()),
            aliases: Vec::new(),
            libc: LibcSpec::Musl(release),
            cxx: CxxRuntime::Unknown,
            layout: Layout::Alpine,
            gcompat: false,
            platforms: vec![Arch::X86_64, Arch::Aarch64, Arch::I386, Arch::ArmHf],
            pinned: None,
            default: false,
        }
    }

    /// Every target `ldsim targets` lists: distributions, then glibc releases from 2.17,
    /// then musl releases.
    pub fn all() -> Vec<Target> {
        let mut out: Vec<Target> = DISTROS.iter().map(Target::from_spec).collect();
        out.extend(glibc_releases().into_iter().map(Target::glibc));
        out.extend(
            libraries::musl_releases()
                .into_iter()
                .map(|r| Target::musl(r, format!("musl-{}", r.full()))),
        );
        out
    }

    /// The targets checked when none is named.
    pub fn defaults() -> Vec<Target> {
        DISTROS
            .iter()
            .filter(|s| s.default)
            .map(Target::from_spec)
            .collect()
    }

    /// A name as `--target` takes it: a target or alias, optionally followed by `-ARCH`.
    pub fn parse(name: &str) -> Result<Target, TargetError> {
        let lower = name.to_ascii_lowercase();
        if let Some(t) = Target::parse_unpinned(&lower) {
            return Ok(t);
        }
        for (suffix, arch) in ARCH_SUFFIXES {
            let Some(base) = lower.strip_suffix(suffix).and_then(|b| b.strip_suffix('-')) else {
                continue;
            };
            if let Some(mut t) = Target::parse_unpinned(base) {
                t.name = format!("{}-{suffix}", t.name);
                t.pinned = Some(*arch);
                return Ok(t);
            }
        }
        Err(TargetError::Unknown(name.to_owned()))
    }

    fn parse_unpinned(name: &str) -> Option<Target> {
        if let Some(spec) = DISTROS
            .iter()
            .find(|s| s.name == name || s.aliases.contains(&name))
        {
            return Some(Target::from_spec(spec));
        }
        if let Some(version) = name.strip_prefix("glibc-") {
            let release = GlibcRelease::parse(version)?;
            return glibc_releases()
                .into_iter()
                .find(|r| r.major == release.major && r.minor == release.minor)
                .map(Target::glibc);
        }
        if let Some(version) = name.strip_prefix("musl-") {
            let parts: Vec<u8> = version
                .split('.')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            let releases = libraries::musl_releases();
            let found = match parts.as_slice() {
                // `musl-1.2`: the newest 1.2.x.
                [major, minor] => releases
                    .into_iter()
                    .filter(|r| (r.major, r.minor) == (*major, *minor))
                    .max(),
                [major, minor, patch] => releases
                    .into_iter()
                    .find(|r| *r == Release::new(*major, *minor, *patch)),
                _ => None,
            }?;
            return Some(Target::musl(found, format!("musl-{version}")));
        }
        None
    }

    /// The architecture to simulate for a file of `file_arch`: the pinned one, the file's own
    /// when the target exists for it, else the target's first.
    pub fn arch_for(&self, file_arch: Option<Arch>) -> Arch {
        if let Some(arch) = self.pinned {
            return arch;
        }
        match file_arch {
            Some(a) if self.platforms.contains(&a) => a,
            _ => self.platforms.first().copied().unwrap_or(Arch::X86_64),
        }
    }
}

/// glibc releases with a table, from [`OLDEST_GLIBC`] on (patch releases folded: the ABI only
/// changes with minor releases).
fn glibc_releases() -> Vec<GlibcRelease> {
    let mut out: Vec<GlibcRelease> = GlibcAbi::embedded()
        .releases()
        .iter()
        .copied()
        .filter(|r| (u32::from(r.major), u32::from(r.minor)) >= OLDEST_GLIBC && r.patch == 0)
        .collect();
    out.dedup_by_key(|r| (r.major, r.minor));
    out
}

/// The name for an architecture in messages and target names.
pub fn arch_name(arch: Arch) -> &'static str {
    arch.info().name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_names_aliases_and_arch_suffixes() {
        assert_eq!(
            Target::parse("debian-12").unwrap().libc,
            LibcSpec::Glibc(Release::new(2, 36, 0))
        );
        assert_eq!(Target::parse("Bookworm").unwrap().name, "debian-12");
        let t = Target::parse("rocky-8-aarch64").unwrap();
        assert_eq!(
            (t.name.as_str(), t.pinned),
            ("rhel-8-aarch64", Some(Arch::Aarch64))
        );
        assert_eq!(t.libc, LibcSpec::Glibc(Release::new(2, 28, 0)));
        assert!(matches!(
            Target::parse("debian-99"),
            Err(TargetError::Unknown(_))
        ));
    }

    #[test]
    fn glibc_release_targets_from_2_17() {
        let t = Target::parse("glibc-2.28-arm64").unwrap();
        assert_eq!(t.libc, LibcSpec::Glibc(Release::new(2, 28, 0)));
        assert_eq!(t.arch_for(Some(Arch::X86_64)), Arch::Aarch64);
        assert!(Target::parse("glibc-2.16").is_err());
        assert!(Target::parse("glibc-2.17").is_ok());
        let all = Target::all();
        assert!(all.iter().any(|t| t.name == "glibc-2.17"));
        assert!(!all.iter().any(|t| t.name == "glibc-2.16"));
    }

    #[test]
    fn unpinned_targets_follow_the_file_when_they_can() {
        let t = Target::parse("rhel-9").unwrap();
        assert_eq!(t.arch_for(Some(Arch::Aarch64)), Arch::Aarch64);
        // No RHEL 9 for 32-bit ARM: the x86_64 image is what there is.
        assert_eq!(t.arch_for(Some(Arch::ArmHf)), Arch::X86_64);
    }
}
