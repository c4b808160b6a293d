//! `tables/data/gcc/nodes` and its PROVENANCE.md: the version nodes of libstdc++.so.6 and
//! libgcc_s.so.1 per GCC release series and architecture. Series with a reachable package are
//! read from the real libraries (Debian, Ubuntu); the others are derived from the libstdc++
//! manual's ABI history (`manual/abi.html`, shipped by Debian's libstdc++-15-doc) applied to the
//! next real library of the same architecture. The table layout is described in
//! `tables/src/gcc.rs`.

use crate::abi_musl::{DebArch, ARCHES};
use crate::debs::{self, FetchedDeb, Suite, DEBIAN, UBUNTU};
use crate::util::workspace_root;
use anyhow::{bail, Context, Result};
use ldsim_loader::{arch::arch_of, parse, Arch, VER_FLG_BASE};
use ldsim_tables::gcc::GccRelease;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A suite whose libstdc++6 and libgcc were built by one GCC release series.
struct Source {
    gcc: u8,
    suite: Suite,
    arches: &'static [&'static str],
    /// libgcc_s.so.1's package: `libgcc1` until GCC 10 renamed it `libgcc-s1`.
    libgcc: &'static str,
}

const ALL: &[&str] = &["amd64", "arm64", "i386", "armhf"];
/// Ubuntu's arm64/armhf archive (ports.ubuntu.com) is unreachable from here.
const UBUNTU_ARCHES: &[&str] = &["amd64", "i386"];

const fn debian(gcc: u8, name: &'static str) -> Source {
    Source {
        gcc,
        suite: Suite {
            mirror: DEBIAN,
            name,
        },
        arches: ALL,
        libgcc: "libgcc-s1",
    }
}

const fn ubuntu(gcc: u8, name: &'static str, libgcc: &'static str) -> Source {
    Source {
        gcc,
        suite: Suite {
            mirror: UBUNTU,
            name,
        },
        arches: UBUNTU_ARCHES,
        libgcc,
    }
}

/// The libraries the table is read from, one source per (series, arch).
const SOURCES: &[Source] = &[
    ubuntu(8, "bionic", "libgcc1"),
    debian(10, "bullseye"),
    debian(12, "bookworm"),
    debian(14, "trixie"),
    debian(16, "forky"),
];

/// Same series, other builds: their node sets must equal the source's (they are not in the
/// table, only checked, and recorded in PROVENANCE.md).
const CROSS_CHECKS: &[Source] = &[
    ubuntu(10, "focal", "libgcc-s1"),
    ubuntu(12, "jammy", "libgcc-s1"),
    ubuntu(14, "noble", "libgcc-s1"),
];

/// The manual and where it is in its package.
const MANUAL_SUITE: Suite = Suite {
    mirror: DEBIAN,
    name: "forky",
};
const MANUAL_PACKAGE: &str = "libstdc++-15-doc";
const MANUAL_PATH: &str = "usr/share/doc/gcc-15-base/libstdc++/manual/abi.html";

/// The first series described: the oldest still met in practice (RHEL 7's GCC 4.8).
const FIRST: GccRelease = GccRelease::new(4, 8);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Lib {
    Libstdcxx,
    LibgccS,
}

impl Lib {
    fn name(self) -> &'static str {
        match self {
            Lib::Libstdcxx => "libstdc++",
            Lib::LibgccS => "libgcc_s",
        }
    }
    fn file(self) -> &'static str {
        match self {
            Lib::Libstdcxx => "libstdc++.so.6",
            Lib::LibgccS => "libgcc_s.so.1",
        }
    }
}

/// The node sets of one (series, arch).
type Nodes = BTreeMap<Lib, BTreeSet<String>>;

fn data_dir() -> PathBuf {
    workspace_root().join("tables/data/gcc")
}

/// Regenerates (or with `check`, verifies) the table and its provenance.
pub fn run(cache: &Path, check: bool) -> Result<()> {
    let mut real: BTreeMap<Arch, BTreeMap<GccRelease, Nodes>> = BTreeMap::new();
    let mut used: Vec<(GccRelease, Arch, FetchedDeb)> = Vec::new();
    for source in SOURCES {
        for (arch, nodes, debs) in read_source(cache, source)? {
            let series = GccRelease::new(source.gcc, 0);
            real.entry(arch).or_default().insert(series, nodes);
            used.extend(debs.into_iter().map(|d| (series, arch, d)));
        }
    }
    let mut checked: Vec<(GccRelease, Arch, FetchedDeb)> = Vec::new();
    for source in CROSS_CHECKS {
        for (arch, nodes, debs) in read_source(cache, source)? {
            let series = GccRelease::new(source.gcc, 0);
            let ours = real.get(&arch).and_then(|r| r.get(&series));
            if ours != Some(&nodes) {
                bail!(
                    "{} {arch:?}: GCC {series} nodes differ from the table's source",
                    source.suite.name
                );
            }
            checked.extend(debs.into_iter().map(|d| (series, arch, d)));
        }
    }
    let manual_deb = debs::fetch_deb(cache, MANUAL_SUITE, "amd64", MANUAL_PACKAGE)?;
    let manual = read_manual(cache, &manual_deb)?;

    let newest = real
        .values()
        .flat_map(|r| r.keys().copied())
        .max()
        .context("no real library read")?;
    let releases = series_list(newest);
    let mut table: BTreeMap<Arch, BTreeMap<GccRelease, Nodes>> = BTreeMap::new();
    for (arch, reals) in &real {
        check_growth(*arch, reals)?;
        check_manual_agrees(*arch, reals, &manual)?;
        table.insert(*arch, derive(*arch, reals, &manual, &releases)?);
    }
    let text = render(&releases, &real, &table)?;
    let provenance = provenance(&used, &checked, &manual_deb, &real, &table, &manual);
    let dir = data_dir();
    write_or_check(&dir.join("nodes"), &text, check)?;
    write_or_check(&dir.join("PROVENANCE.md"), &provenance, check)
}

/// Fetches and reads one source's libraries on each of its architectures.
fn read_source(cache: &Path, source: &Source) -> Result<Vec<(Arch, Nodes, Vec<FetchedDeb>)>> {
    let mut out = Vec::new();
    for debian in source.arches {
        let arch = ARCHES
            .iter()
            .find(|a| a.debian == *debian)
            .with_context(|| format!("unknown architecture {debian}"))?;
        let mut nodes = Nodes::new();
        let mut debs = Vec::new();
        for (lib, package) in [
            (Lib::Libstdcxx, "libstdc++6"),
            (Lib::LibgccS, source.libgcc),
        ] {
            let deb = debs::fetch_deb(cache, source.suite, debian, package)?;
            let major = gcc_major_of_version(&deb.version)
                .with_context(|| format!("version {} of {}", deb.version, deb.url))?;
            if major != source.gcc {
                bail!(
                    "{} {debian} now has {package} {} (GCC {major}), not GCC {}: update abi_gcc.rs",
                    source.suite.name,
                    deb.version,
                    source.gcc
                );
            }
            nodes.insert(lib, verdefs_of_deb(cache, &deb, arch, lib)?);
            debs.push(deb);
        }
        out.push((arch.arch, nodes, debs));
    }
    Ok(out)
}

/// `12.2.0-14+deb12u1` → 12, `1:8-20180414-1ubuntu2` → 8 (epoch dropped).
fn gcc_major_of_version(version: &str) -> Option<u8> {
    let version = version.split_once(':').map_or(version, |(_, v)| v);
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn verdefs_of_deb(
    cache: &Path,
    deb: &FetchedDeb,
    arch: &DebArch,
    lib: Lib,
) -> Result<BTreeSet<String>> {
    let dir = cache
        .join("extract")
        .join(format!("{}-{}-{}", deb.package, deb.suite.name, deb.arch));
    debs::extract(&deb.path, &dir)?;
    let path = find_file(&dir, lib.file(), 0)?
        .with_context(|| format!("{} has no {}", deb.url, lib.file()))?;
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    verdef_names(&bytes, arch.arch).with_context(|| format!("{} in {}", path.display(), deb.url))
}

/// The first regular file (or symlink to one) named `name` under `dir`, depth-first, sorted.
fn find_file(dir: &Path, name: &str, depth: usize) -> Result<Option<PathBuf>> {
    if depth > 8 {
        return Ok(None);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for path in entries {
        if path.file_name().is_some_and(|n| n == name) && path.is_file() {
            return Ok(Some(path));
        }
        if path.is_dir() && !path.is_symlink() {
            if let Some(found) = find_file(&path, name, depth + 1)? {
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

/// The version definitions of a library, without the base version (its soname, VER_FLG_BASE).
pub(crate) fn verdef_names(bytes: &[u8], arch: Arch) -> Result<BTreeSet<String>> {
    let obj = parse(bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    if arch_of(&obj.header) != Some(arch) {
        bail!("is not a {arch:?} object");
    }
    let mut out = BTreeSet::new();
    for def in obj.verdefs.iter().filter(|d| d.flags & VER_FLG_BASE == 0) {
        let name = String::from_utf8(def.name.to_vec()).context("a version name is not UTF-8")?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            bail!("version name {name:?} cannot be written in the table");
        }
        out.insert(name);
    }
    if out.is_empty() {
        bail!("defines no versions");
    }
    Ok(out)
}

/// What the manual's ABI page says: for each release, the newest `GLIBCXX_3.4.x` and
/// `CXXABI_1.3.x` of libstdc++, and the `GCC_x` labels libgcc_s gained.
#[derive(Debug, Default)]
struct Manual {
    /// (series, newest GLIBCXX, newest CXXABI), in the page's order.
    libstdcxx: Vec<(GccRelease, Option<String>, Option<String>)>,
    /// label → series that introduced it.
    libgcc_s: BTreeMap<String, GccRelease>,
}

impl Manual {
    /// The series that introduced `node`, if the page dates it.
    fn date(&self, lib: Lib, node: &str) -> Option<GccRelease> {
        match lib {
            Lib::LibgccS => self.libgcc_s.get(node).copied(),
            Lib::Libstdcxx => {
                let (prefix, want) = sequence_number(node)?;
                self.libstdcxx.iter().find_map(|(series, glibcxx, cxxabi)| {
                    let newest = if prefix == "GLIBCXX_" {
                        glibcxx
                    } else {
                        cxxabi
                    };
                    let (p, have) = sequence_number(newest.as_deref()?)?;
                    (p == prefix && have >= want).then_some(*series)
                })
            }
        }
    }
}

/// `GLIBCXX_3.4.21` → ("GLIBCXX_", [3, 4, 21]); only the two numbered sequences the manual
/// tracks (`GLIBCXX_3.4[.x]`, `CXXABI_1.3[.x]`), not `CXXABI_TM_1` and the like.
fn sequence_number(node: &str) -> Option<(&'static str, Vec<u32>)> {
    let (prefix, rest) = if let Some(rest) = node.strip_prefix("GLIBCXX_") {
        ("GLIBCXX_", rest)
    } else {
        ("CXXABI_", node.strip_prefix("CXXABI_")?)
    };
    let numbers = rest
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    Some((prefix, numbers))
}

fn read_manual(cache: &Path, deb: &FetchedDeb) -> Result<Manual> {
    let dir = cache
        .join("extract")
        .join(format!("{}-{}", deb.package, deb.suite.name));
    debs::extract(&deb.path, &dir)?;
    let path = dir.join(MANUAL_PATH);
    let html =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let manual = parse_manual(&html);
    if manual.libstdcxx.is_empty() || manual.libgcc_s.is_empty() {
        bail!(
            "{}: no version history found (page layout changed?)",
            path.display()
        );
    }
    Ok(manual)
}

/// Reads the `<p>GCC x.y.z: LABEL[, LABEL]</p>` list items of the page; text in parentheses
/// (e.g. "(CXXABI_1.3.16 for RISC-V only)") is a remark, not the label.
fn parse_manual(html: &str) -> Manual {
    let mut manual = Manual::default();
    for item in html.split("<p>GCC ").skip(1) {
        let Some((number, rest)) = item.split_once(": ") else {
            continue;
        };
        let Some(body) = rest.split("</p>").next() else {
            continue;
        };
        let Some(series) = GccRelease::parse(number) else {
            continue;
        };
        let body = body.split('(').next().unwrap_or_default();
        let labels: Vec<&str> = body.split(',').map(str::trim).collect();
        let find = |prefix: &str| {
            labels
                .iter()
                .find(|l| sequence_number(l).is_some_and(|(p, _)| p == prefix))
                .map(|l| (*l).to_owned())
        };
        let (glibcxx, cxxabi) = (find("GLIBCXX_"), find("CXXABI_"));
        if glibcxx.is_some() || cxxabi.is_some() {
            manual.libstdcxx.push((series, glibcxx, cxxabi));
        } else if let [label] = labels.as_slice() {
            if label.starts_with("GCC_") {
                manual.libgcc_s.entry((*label).to_owned()).or_insert(series);
            }
        }
    }
    manual
}

/// 4.8, 4.9, 5, 6, …, `newest`.
fn series_list(newest: GccRelease) -> Vec<GccRelease> {
    let mut out = vec![FIRST, GccRelease::new(4, 9)];
    out.extend((5..=newest.major).map(|m| GccRelease::new(m, 0)));
    out
}

/// The table stores first releases, which holds only if each real library's nodes include the
/// previous one's.
fn check_growth(arch: Arch, reals: &BTreeMap<GccRelease, Nodes>) -> Result<()> {
    for ((older, a), (newer, b)) in reals.iter().zip(reals.iter().skip(1)) {
        for (lib, nodes) in a {
            let next = b.get(lib).cloned().unwrap_or_default();
            if let Some(lost) = nodes.iter().find(|n| !next.contains(*n)) {
                bail!(
                    "{arch:?}: {} of GCC {older} has {lost}, GCC {newer}'s lacks it",
                    lib.file()
                );
            }
        }
    }
    Ok(())
}

/// Every real library agrees with the manual: it has exactly the dated nodes the manual gives
/// its series (among those its architecture has at all).
fn check_manual_agrees(
    arch: Arch,
    reals: &BTreeMap<GccRelease, Nodes>,
    manual: &Manual,
) -> Result<()> {
    let Some(newest) = reals.values().last() else {
        return Ok(());
    };
    for (series, nodes) in reals {
        for (lib, all) in newest {
            let have = nodes.get(lib).cloned().unwrap_or_default();
            for node in all {
                let Some(date) = manual.date(*lib, node) else {
                    continue;
                };
                if (date <= *series) != have.contains(node) {
                    bail!(
                        "{arch:?}: the manual dates {node} at GCC {date}, but GCC {series}'s {} {} it",
                        lib.file(),
                        if have.contains(node) { "has" } else { "lacks" }
                    );
                }
            }
        }
    }
    Ok(())
}

/// Every series' nodes on one architecture: a real library's own, else the next real library's
/// nodes that (a) the previous real library already has, or (b) the manual dates at or before
/// the series, or (c) when no real library precedes, the manual does not date at all (nodes
/// older than the history cares about, e.g. `CXXABI_TM_1`, `GLIBC_2.0`).
fn derive(
    arch: Arch,
    reals: &BTreeMap<GccRelease, Nodes>,
    manual: &Manual,
    releases: &[GccRelease],
) -> Result<BTreeMap<GccRelease, Nodes>> {
    let mut out = BTreeMap::new();
    for &series in releases {
        if let Some(nodes) = reals.get(&series) {
            out.insert(series, nodes.clone());
            continue;
        }
        let (_, next) = reals
            .range(series..)
            .next()
            .with_context(|| format!("{arch:?}: no real library at or after GCC {series}"))?;
        let previous = reals.range(..series).next_back().map(|(_, n)| n);
        let mut nodes = Nodes::new();
        for (lib, all) in next {
            let kept = all
                .iter()
                .filter(|node| {
                    let in_previous = previous
                        .and_then(|p| p.get(lib))
                        .is_some_and(|p| p.contains(*node));
                    match manual.date(*lib, node) {
                        _ if in_previous => true,
                        Some(date) => date <= series,
                        None => previous.is_none(),
                    }
                })
                .cloned()
                .collect();
            nodes.insert(*lib, kept);
        }
        out.insert(series, nodes);
    }
    Ok(out)
}

/// One markdown table row per package: what the provenance records of each .deb.
fn package_table(text: &mut String, debs: &[(GccRelease, Arch, FetchedDeb)]) {
    text.push_str("| series/arch | package | suite | mirror | version | sha256 of the .deb |\n|---|---|---|---|---|---|\n");
    for (series, arch, deb) in debs {
        let _ = writeln!(
            text,
            "| {series}/{} | {} | {} | {} | {} | `{}` |",
            arch.info().name,
            deb.package,
            deb.suite.name,
            deb.suite.mirror,
            deb.version,
            deb.sha256
        );
    }
}

/// Natural order of node names: `GLIBCXX_3.4.9` before `GLIBCXX_3.4.10`.
fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u64::MAX),
                ));
                digits.clear();
            }
            text.push(c);
        }
    }
    out.push((text, digits.parse().unwrap_or(0)));
    out
}

fn render(
    releases: &[GccRelease],
    real: &BTreeMap<Arch, BTreeMap<GccRelease, Nodes>>,
    table: &BTreeMap<Arch, BTreeMap<GccRelease, Nodes>>,
) -> Result<String> {
    let arches: Vec<Arch> = ARCHES
        .iter()
        .map(|a| a.arch)
        .filter(|a| table.contains_key(a))
        .collect();
    let mut text = String::from(
        "# libstdc++.so.6 / libgcc_s.so.1 version nodes per GCC release series and arch. Generated\n\
         # by `cargo xtask abi-tables` (tables/data/gcc/PROVENANCE.md); do not edit.\n\
         # Node lines: <library> <node> <first series having it, per arch in `arches` order, - never>\n",
    );
    let names: Vec<&str> = arches.iter().map(|a| a.info().name).collect();
    let _ = writeln!(text, "arches {}", names.join(" "));
    let list: Vec<String> = releases.iter().map(ToString::to_string).collect();
    let _ = writeln!(text, "releases {}", list.join(" "));
    for arch in &arches {
        let list: Vec<String> = real
            .get(arch)
            .map(|r| r.keys().map(ToString::to_string).collect())
            .unwrap_or_default();
        let _ = writeln!(text, "real {} {}", arch.info().name, list.join(" "));
    }
    for lib in [Lib::Libstdcxx, Lib::LibgccS] {
        let mut all: Vec<&String> = table
            .values()
            .flat_map(|r| r.values())
            .filter_map(|n| n.get(&lib))
            .flatten()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        all.sort_by_key(|n| natural_key(n));
        for node in all {
            let mut firsts = Vec::new();
            for arch in &arches {
                let per = table.get(arch).context("arch in table")?;
                let first = per
                    .iter()
                    .find(|(_, n)| n.get(&lib).is_some_and(|s| s.contains(node)))
                    .map(|(r, _)| *r);
                // The table can only say "from this series on": check that is what we have.
                for (series, nodes) in per {
                    let has = nodes.get(&lib).is_some_and(|s| s.contains(node));
                    if has != first.is_some_and(|f| f <= *series) {
                        bail!("{arch:?}: {node} comes and goes across series (at GCC {series})");
                    }
                }
                firsts.push(first.map_or_else(|| "-".to_owned(), |f| f.to_string()));
            }
            let _ = writeln!(text, "{} {node} {}", lib.name(), firsts.join(" "));
        }
    }
    Ok(text)
}

fn provenance(
    used: &[(GccRelease, Arch, FetchedDeb)],
    checked: &[(GccRelease, Arch, FetchedDeb)],
    manual_deb: &FetchedDeb,
    real: &BTreeMap<Arch, BTreeMap<GccRelease, Nodes>>,
    table: &BTreeMap<Arch, BTreeMap<GccRelease, Nodes>>,
    manual: &Manual,
) -> String {
    let mut text = String::from(
        "# tables/data/gcc/nodes — provenance\n\n\
         Generated data, never edited by hand. Regenerate with `cargo xtask abi-tables`; verify the\n\
         committed copy (this file included) with `cargo xtask abi-tables --check`.\n\n\
         What it is: the version definitions (DT_VERDEF, base version excluded) of libstdc++.so.6\n\
         and libgcc_s.so.1 for each GCC release series from 4.8 to the newest packaged, on each\n\
         architecture. A series is `4.8`, `4.9`, then one per major (`5` … ); a real library of a\n\
         series is whatever point release the distribution ships.\n\n\
         How (`xtask/src/abi_gcc.rs`): each suite's `Packages.xz` names the package, the download\n\
         is checked against the index's sha256 and unpacked with `dpkg-deb -x`, and the libraries'\n\
         verdefs are read with ldsim's own ELF reader.\n\n\
         ## Which series come from a real library\n\n",
    );
    for (arch, reals) in real {
        let list: Vec<String> = reals.keys().map(ToString::to_string).collect();
        let derived: Vec<String> = table
            .get(arch)
            .map(|t| {
                t.keys()
                    .filter(|r| !reals.contains_key(r))
                    .map(ToString::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "- {}: real {}; derived {}",
            arch.info().name,
            list.join(", "),
            derived.join(", ")
        );
    }
    text.push_str(
        "\n## How the other series are derived\n\n\
         From the history in the libstdc++ manual's ABI page (`manual/abi.html`, package below):\n\
         for each release it names the newest `GLIBCXX_3.4.x` and `CXXABI_1.3.x` of libstdc++ and\n\
         the `GCC_x` labels libgcc_s gained; a label is dated at the series of the first release\n\
         listed with it (so `GLIBCXX_3.4.19`, new in 4.8.3, belongs to series 4.8). A derived\n\
         series S on an architecture takes the nodes of the next real library (the oldest real\n\
         series after S) that\n\
         1. the previous real library (the newest real series before S) already has; or\n\
         2. the manual dates at S or earlier; or\n\
         3. the manual does not date, when there is no previous real library (nodes older than\n\
         \x20  the oldest real library and than the history's concern, listed below).\n\
         A node neither dated by the manual nor in the previous real library is taken to be new\n\
         in the next real one, so it is missing from the derived series between them (listed\n\
         below). The generator checks that every real library has exactly the dated nodes the\n\
         manual gives its series, that node sets only grow, and that the Ubuntu builds listed\n\
         under cross-checks have the same nodes as the table's source for their series.\n\n",
    );
    text.push_str(
        "Undated nodes assumed present in the series before the oldest real library:\n\n",
    );
    for (arch, reals) in real {
        let Some(oldest) = reals.values().next() else {
            continue;
        };
        let undated: Vec<String> = oldest
            .iter()
            .flat_map(|(lib, n)| n.iter().filter(|n| manual.date(*lib, n).is_none()).cloned())
            .collect();
        let _ = writeln!(text, "- {}: {}", arch.info().name, undated.join(", "));
    }
    text.push_str(
        "\nUndated nodes first seen in a later real library (dated at that library's series):\n\n",
    );
    for (arch, reals) in real {
        let mut seen: Vec<String> = Vec::new();
        for ((_, older), (series, newer)) in reals.iter().zip(reals.iter().skip(1)) {
            for (lib, nodes) in newer {
                for node in nodes {
                    let before = older.get(lib).is_some_and(|o| o.contains(node));
                    if !before && manual.date(*lib, node).is_none() {
                        seen.push(format!("{node} ({series})"));
                    }
                }
            }
        }
        let _ = writeln!(text, "- {}: {}", arch.info().name, seen.join(", "));
    }
    text.push_str("\n## Packages\n\n");
    package_table(&mut text, used);
    text.push_str("\nCross-checks (builds with the same nodes as the table's source of their series; not used otherwise):\n\n");
    package_table(&mut text, checked);
    let _ = writeln!(
        text,
        "\nManual: `{MANUAL_PATH}` from {} {} ({}, {}), sha256 `{}`.\n",
        manual_deb.package,
        manual_deb.version,
        manual_deb.suite.name,
        manual_deb.suite.mirror,
        manual_deb.sha256
    );
    text.push_str(
        "Licence: libstdc++ and libgcc are GPL-3.0-or-later with the GCC Runtime Library Exception;\n\
         the manual is under the GNU FDL. The table holds only version names read from them.\n",
    );
    text
}

/// Writes `text` zstd-compressed to `path` (a `.zst` file: the large generated tables), or
/// with `check` fails unless the committed file decompresses to exactly `text`.
pub(crate) fn write_or_check_packed(path: &Path, text: &str, check: bool) -> Result<()> {
    write_or_check_as(path, text, check, true)
}

/// Writes `text` to `path`, or with `check` fails unless the committed file is exactly `text`.
pub(crate) fn write_or_check(path: &Path, text: &str, check: bool) -> Result<()> {
    write_or_check_as(path, text, check, false)
}

fn write_or_check_as(path: &Path, text: &str, check: bool, packed: bool) -> Result<()> {
    if check {
        let committed =
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let committed = if packed {
            zstd::decode_all(committed.as_slice())
                .with_context(|| format!("decompressing {}", path.display()))?
        } else {
            committed
        };
        if committed != text.as_bytes() {
            bail!(
                "{} differs from what its sources give: run `cargo xtask abi-tables`",
                path.display()
            );
        }
        println!("{} matches its sources", path.display());
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let bytes = if packed {
        zstd::encode_all(text.as_bytes(), 19)?
    } else {
        text.as_bytes().to_vec()
    };
    std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    println!(
        "wrote {} ({} bytes{})",
        path.display(),
        bytes.len(),
        if packed {
            format!(", {} before compression", text.len())
        } else {
            String::new()
        }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_items_date_labels() {
        let html = "<li><p>GCC 4.8.0: GCC_4.8.0</p></li><li><p>GCC 7.1.0: GCC_7.0.0</p></li>\
                    <li><p>GCC 4.8.3: GLIBCXX_3.4.19, CXXABI_1.3.7</p></li>\
                    <li><p>GCC 12.1.0: GLIBCXX_3.4.30, CXXABI_1.3.13</p></li>\
                    <li><p>GCC 15.1.0: GLIBCXX_3.4.34, CXXABI_1.3.15 (CXXABI_1.3.16 for RISC-V only)</p></li>";
        let m = parse_manual(html);
        assert_eq!(
            m.date(Lib::LibgccS, "GCC_7.0.0"),
            Some(GccRelease::new(7, 0))
        );
        assert_eq!(
            m.date(Lib::Libstdcxx, "GLIBCXX_3.4.19"),
            Some(GccRelease::new(4, 8))
        );
        assert_eq!(
            m.date(Lib::Libstdcxx, "GLIBCXX_3.4.29"),
            Some(GccRelease::new(12, 0))
        );
        assert_eq!(m.date(Lib::Libstdcxx, "CXXABI_1.3.16"), None);
        assert_eq!(m.date(Lib::Libstdcxx, "CXXABI_TM_1"), None);
    }

    #[test]
    fn versions_give_the_series() {
        assert_eq!(gcc_major_of_version("12.2.0-14+deb12u1"), Some(12));
        assert_eq!(gcc_major_of_version("1:8-20180414-1ubuntu2"), Some(8));
        assert_eq!(gcc_major_of_version("14-20240412-0ubuntu1"), Some(14));
    }

    #[test]
    fn natural_order_of_nodes() {
        let mut v = vec![
            "GLIBCXX_3.4.10",
            "GLIBCXX_3.4.9",
            "GLIBCXX_3.4",
            "CXXABI_1.3.2",
        ];
        v.sort_by_key(|n| natural_key(n));
        assert_eq!(
            v,
            [
                "CXXABI_1.3.2",
                "GLIBCXX_3.4",
                "GLIBCXX_3.4.9",
                "GLIBCXX_3.4.10"
            ]
        );
    }
}
