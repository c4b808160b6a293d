//! `tables/data/musl/exports` and its PROVENANCE.md: the dynamic symbols the real libc.so of
//! each musl release exports, per architecture, read from Debian's and Ubuntu's musl packages.
//! The table layout is described in `tables/src/musl.rs`.

use crate::debs::{self, FetchedDeb, Suite, DEBIAN, UBUNTU};
use crate::util::workspace_root;
use anyhow::{bail, Context, Result};
use ldsim_loader::{
    arch::arch_of, parse, Arch, STB_GLOBAL, STB_GNU_UNIQUE, STB_WEAK, STT_FUNC, STT_NOTYPE,
    STT_OBJECT, STV_DEFAULT, STV_PROTECTED,
};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One Debian architecture and where musl's libc.so is inside its package.
pub(crate) struct DebArch {
    pub debian: &'static str,
    pub arch: Arch,
    /// The multiarch directory of musl's files, e.g. `x86_64-linux-musl`.
    musl_triplet: &'static str,
}

pub(crate) const ARCHES: [DebArch; 4] = [
    DebArch {
        debian: "amd64",
        arch: Arch::X86_64,
        musl_triplet: "x86_64-linux-musl",
    },
    DebArch {
        debian: "arm64",
        arch: Arch::Aarch64,
        musl_triplet: "aarch64-linux-musl",
    },
    DebArch {
        debian: "i386",
        arch: Arch::I386,
        musl_triplet: "i386-linux-musl",
    },
    DebArch {
        debian: "armhf",
        arch: Arch::ArmHf,
        musl_triplet: "arm-linux-musleabihf",
    },
];

/// A musl release and the suite packaging it.
struct Source {
    release: &'static str,
    suite: Suite,
    component: &'static str,
    /// Debian architecture names; Ubuntu's ports (arm64, armhf) are unreachable from here and
    /// noble has no i386 musl.
    arches: &'static [&'static str],
}

const ALL: &[&str] = &["amd64", "arm64", "i386", "armhf"];

const SOURCES: &[Source] = &[
    Source {
        release: "1.2.2",
        suite: Suite {
            mirror: DEBIAN,
            name: "bullseye",
        },
        component: "main",
        arches: ALL,
    },
    Source {
        release: "1.2.3",
        suite: Suite {
            mirror: DEBIAN,
            name: "bookworm",
        },
        component: "main",
        arches: ALL,
    },
    Source {
        release: "1.2.4",
        suite: Suite {
            mirror: UBUNTU,
            name: "noble",
        },
        component: "universe",
        arches: &["amd64"],
    },
    Source {
        release: "1.2.5",
        suite: Suite {
            mirror: DEBIAN,
            name: "trixie",
        },
        component: "main",
        arches: ALL,
    },
    Source {
        release: "1.2.6",
        suite: Suite {
            mirror: DEBIAN,
            name: "forky",
        },
        component: "main",
        arches: ALL,
    },
];

fn data_dir() -> PathBuf {
    workspace_root().join("tables/data/musl")
}

/// Regenerates (or with `check`, verifies) the table and its provenance.
pub fn run(cache: &Path, check: bool) -> Result<()> {
    let mut columns: Vec<(String, BTreeSet<(String, String)>)> = Vec::new();
    let mut debs: Vec<FetchedDeb> = Vec::new();
    for source in SOURCES {
        for debian in source.arches {
            let arch = ARCHES
                .iter()
                .find(|a| a.debian == *debian)
                .with_context(|| format!("no musl layout for {debian}"))?;
            let deb = debs::fetch_deb_from(cache, source.suite, source.component, debian, "musl")?;
            // The suite must still carry the release the table names it by.
            if !deb.version.starts_with(&format!("{}-", source.release)) {
                bail!(
                    "{} {debian} now has musl {}, not {}: update SOURCES in abi_musl.rs",
                    source.suite.name,
                    deb.version,
                    source.release
                );
            }
            let exports = exports_of_deb(cache, &deb, arch)?;
            columns.push((
                format!("{}/{}", source.release, arch.arch.info().name),
                exports,
            ));
            debs.push(deb);
        }
    }
    let text = render(&columns);
    let lines = text.lines().filter(|l| !l.starts_with('#')).count();
    let provenance = provenance(&debs, &columns, lines.saturating_sub(1));
    let dir = data_dir();
    crate::abi_gcc::write_or_check(&dir.join("exports"), &text, check)?;
    crate::abi_gcc::write_or_check(&dir.join("PROVENANCE.md"), &provenance, check)
}

/// Unpacks the package and reads its libc.so (in `lib/<triplet>`, `usr/lib/<triplet>` from trixie on).
fn exports_of_deb(
    cache: &Path,
    deb: &FetchedDeb,
    arch: &DebArch,
) -> Result<BTreeSet<(String, String)>> {
    let dir = cache
        .join("extract")
        .join(format!("musl-{}-{}", deb.suite.name, deb.arch));
    debs::extract(&deb.path, &dir)?;
    let libc = ["lib", "usr/lib"]
        .iter()
        .map(|d| dir.join(d).join(arch.musl_triplet).join("libc.so"))
        .find(|p| p.is_file())
        .with_context(|| format!("{} has no libc.so for {}", deb.url, arch.musl_triplet))?;
    let bytes = std::fs::read(&libc).with_context(|| format!("reading {}", libc.display()))?;
    musl_exports(&bytes, arch.arch).with_context(|| format!("{} in {}", libc.display(), deb.url))
}

/// The dynamic symbols musl's loader can bind to in this libc.so, as (name, kind code): defined,
/// of a type in `OK_TYPES` and a binding in `OK_BINDS` (musl ldso/dynlink.c: `find_sym`), and
/// visible outside the object. Kind codes: `F`, `O<size>`, `N` (see tables/src/musl.rs).
pub(crate) fn musl_exports(bytes: &[u8], arch: Arch) -> Result<BTreeSet<(String, String)>> {
    let obj = parse(bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    if arch_of(&obj.header) != Some(arch) {
        bail!("is not a {arch:?} object");
    }
    let mut out = BTreeSet::new();
    for sym in obj.symbols.iter().skip(1) {
        if sym.is_undefined()
            || !matches!(sym.binding, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE)
            || !matches!(sym.visibility, STV_DEFAULT | STV_PROTECTED)
        {
            continue;
        }
        let name = String::from_utf8(sym.name.to_vec()).context("a symbol name is not UTF-8")?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            bail!("symbol name {name:?} cannot be written in the table");
        }
        let kind = match sym.kind {
            STT_FUNC => "F".to_owned(),
            STT_NOTYPE => "N".to_owned(),
            STT_OBJECT => {
                let size = u16::try_from(sym.size)
                    .with_context(|| format!("{name} is {} bytes", sym.size))?;
                format!("O{size}")
            }
            // TLS and common symbols would need a kind the table does not have yet.
            other => bail!("{name} has symbol type {other}, which the table cannot express"),
        };
        out.insert((name, kind));
    }
    if out.is_empty() {
        bail!("exports nothing");
    }
    Ok(out)
}

/// The table text: a header, the columns, one line per (name, kind).
fn render(columns: &[(String, BTreeSet<(String, String)>)]) -> String {
    let mut all: BTreeSet<&(String, String)> = BTreeSet::new();
    for (_, exports) in columns {
        all.extend(exports);
    }
    let mut text = String::from(
        "# musl libc.so dynamic exports per release/arch. Generated by `cargo xtask abi-tables`\n\
         # from Debian and Ubuntu musl packages (tables/data/musl/PROVENANCE.md); do not edit.\n\
         # Lines: <mask: one x/. per column, * = all> <kind: F func, O<size> object, N notype> <name>\n",
    );
    let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
    let _ = writeln!(text, "columns {}", names.join(" "));
    for key in all {
        let mask: String = columns
            .iter()
            .map(|(_, e)| if e.contains(key) { 'x' } else { '.' })
            .collect();
        let mask = if mask.bytes().all(|b| b == b'x') {
            "*".to_owned()
        } else {
            mask
        };
        let _ = writeln!(text, "{mask} {} {}", key.1, key.0);
    }
    text
}

fn provenance(
    debs: &[FetchedDeb],
    columns: &[(String, BTreeSet<(String, String)>)],
    lines: usize,
) -> String {
    let mut text = String::from(
        "# tables/data/musl/exports — provenance\n\n\
         Generated data, never edited by hand. Regenerate with `cargo xtask abi-tables`; verify the\n\
         committed copy (this file included) with `cargo xtask abi-tables --check`.\n\n\
         What it is: every dynamic symbol musl's loader can bind to in the real `libc.so` (which is\n\
         also musl's dynamic loader) of each package below: defined, binding GLOBAL/WEAK/UNIQUE,\n\
         type FUNC/OBJECT/NOTYPE, default or protected visibility (musl `ldso/dynlink.c`:\n\
         `find_sym`, `OK_TYPES`, `OK_BINDS`), with its kind and, for objects, its size. musl has\n\
         no symbol versions, so names are all a program can miss.\n\n\
         How: `xtask/src/abi_musl.rs` reads each suite's `Packages.xz` from the mirror, downloads\n\
         the `musl` package it names, checks the sha256 the index gives, unpacks it with\n\
         `dpkg-deb -x` and reads `lib/<triplet>/libc.so` (`usr/lib/<triplet>/` from trixie on).\n\n\
         Not in it: musl 1.2.4 on aarch64, i386 and armhf. The only package of 1.2.4 reachable\n\
         from here is Ubuntu noble's (universe); Ubuntu's arm64/armhf archive (ports.ubuntu.com)\n\
         is unreachable and noble builds no i386 musl. The decoder returns `None` for those pairs.\n\n",
    );
    let _ = writeln!(
        text,
        "Size: {} columns, {lines} (name, kind) lines.\n",
        columns.len()
    );
    text.push_str("| release/arch | suite | mirror | package version | sha256 of the .deb |\n");
    text.push_str("|---|---|---|---|---|\n");
    for ((column, _), deb) in columns.iter().zip(debs) {
        let _ = writeln!(
            text,
            "| {column} | {} | {} | musl {} ({}) | `{}` |",
            deb.suite.name, deb.suite.mirror, deb.version, deb.arch, deb.sha256
        );
    }
    text.push_str(
        "\nLicence: musl is MIT-licensed (Copyright © 2005-2020 Rich Felker, et al.); the table\n\
         lists interface names and sizes read from its binaries.\n",
    );
    text
}
