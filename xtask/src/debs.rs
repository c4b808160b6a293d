//! Binary packages straight from a Debian or Ubuntu mirror, for the ABI tables: the suite's
//! `Packages` index names the file and its sha256, the download is verified against it and cached
//! under `<fixtures>/abi/debs/`. No apt configuration of the host is involved, so any suite and
//! architecture can be fetched from any host.

use crate::util::run;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A mirror and suite: where a package index lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    /// e.g. `http://deb.debian.org/debian`
    pub mirror: &'static str,
    /// e.g. `bookworm`, `noble`
    pub name: &'static str,
}

pub const DEBIAN: &str = "http://deb.debian.org/debian";
/// amd64 and i386 only: ports.ubuntu.com (arm64, armhf) is not reachable from here.
pub const UBUNTU: &str = "http://archive.ubuntu.com/ubuntu";

/// One package as fetched: what the provenance files record.
#[derive(Debug, Clone)]
pub struct FetchedDeb {
    pub suite: Suite,
    /// Debian architecture name (amd64, arm64, i386, armhf).
    pub arch: String,
    pub package: String,
    pub version: String,
    pub url: String,
    pub sha256: String,
    /// The verified .deb in the cache.
    pub path: PathBuf,
}

/// The fields of one stanza of a `Packages` index that we use.
#[derive(Debug, Clone)]
struct Stanza {
    version: String,
    filename: String,
    sha256: String,
    priority: String,
    /// `Pre-Depends` and `Depends`, as written.
    depends: Vec<String>,
}

/// Downloads (or reuses from the cache) `package` for `arch` from `suite`'s main component.
pub fn fetch_deb(cache: &Path, suite: Suite, arch: &str, package: &str) -> Result<FetchedDeb> {
    fetch_deb_from(cache, suite, "main", arch, package)
}

/// [`fetch_deb`] from another component, e.g. Ubuntu's `universe` (where its musl is).
pub fn fetch_deb_from(
    cache: &Path,
    suite: Suite,
    component: &str,
    arch: &str,
    package: &str,
) -> Result<FetchedDeb> {
    let index = packages_index(cache, suite, component, arch)?;
    let stanza = index.get(package).with_context(|| {
        format!(
            "{package} is not in {} {}/{component}/{arch}",
            suite.mirror, suite.name
        )
    })?;
    let url = format!("{}/{}", suite.mirror, stanza.filename);
    let file_name = stanza
        .filename
        .rsplit('/')
        .next()
        .unwrap_or(&stanza.filename)
        .to_owned();
    let dir = cache.join("debs");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(&file_name);
    if !(path.exists() && file_sha256(&path)? == stanza.sha256) {
        download(&url, &path)?;
        let digest = file_sha256(&path)?;
        if digest != stanza.sha256 {
            bail!("{url}: sha256 {digest}, the index says {}", stanza.sha256);
        }
    }
    Ok(FetchedDeb {
        suite,
        arch: arch.to_owned(),
        package: package.to_owned(),
        version: stanza.version.clone(),
        url,
        sha256: stanza.sha256.clone(),
        path,
    })
}

/// The packages `debootstrap --variant=minbase` installs from `suite` (debootstrap's
/// scripts/debian-common and scripts/gutsy, work_out_debs: every package of Priority required,
/// and apt; Debian 12 also usr-is-merged, and from Debian 12 on a dependency on usrmerge is
/// dropped; then functions: resolve_deps: Pre-Depends and Depends, the first alternative of
/// each, version constraints and architecture qualifiers dropped, names without a package of
/// their own skipped), sorted.
pub fn minbase_packages(cache: &Path, suite: Suite, arch: &str) -> Result<Vec<String>> {
    let index = packages_index(cache, suite, "main", arch)?;
    let debian = suite.mirror == DEBIAN;
    let excluded: &[&str] = match suite.name {
        "bullseye" => &[],
        _ if debian => &["usrmerge"],
        _ => &[],
    };
    let mut todo: Vec<String> = index
        .iter()
        .filter(|(_, s)| s.priority == "required")
        .map(|(name, _)| name.clone())
        .collect();
    todo.push("apt".to_owned());
    if debian && suite.name == "bookworm" {
        todo.push("usr-is-merged".to_owned());
    }
    let mut chosen = std::collections::BTreeSet::new();
    while let Some(package) = todo.pop() {
        let Some(stanza) = index.get(&package) else {
            continue;
        };
        if !chosen.insert(package) {
            continue;
        }
        for group in stanza.depends.iter().flat_map(|d| d.split(',')) {
            let first = group.split('|').next().unwrap_or_default();
            let name = first
                .split(['(', ' '])
                .find(|s| !s.is_empty())
                .unwrap_or_default();
            let name = name.split(':').next().unwrap_or_default().trim();
            if !name.is_empty() && !chosen.contains(name) && !excluded.contains(&name) {
                todo.push(name.to_owned());
            }
        }
    }
    Ok(chosen.into_iter().collect())
}

/// Unpacks a .deb's data into `dir` (emptied first).
pub fn extract(deb: &Path, dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    run(Command::new("dpkg-deb").arg("-x").arg(deb).arg(dir))
}

/// The suite's `<component>/binary-<arch>/Packages` index, downloaded once per run of xtask
/// (indexes change with point releases, so a stale cached index would name files the mirror
/// dropped).
fn packages_index(
    cache: &Path,
    suite: Suite,
    component: &str,
    arch: &str,
) -> Result<std::sync::Arc<BTreeMap<String, Stanza>>> {
    // Decompressed and parsed once per run: fetching a hundred packages reads one index.
    type Indexes = BTreeMap<String, std::sync::Arc<BTreeMap<String, Stanza>>>;
    static PARSED: std::sync::Mutex<Indexes> = std::sync::Mutex::new(BTreeMap::new());
    let key = format!("{} {} {component} {arch}", suite.mirror, suite.name);
    if let Some(index) = PARSED.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(index.clone());
    }
    let index = std::sync::Arc::new(read_packages_index(cache, suite, component, arch)?);
    PARSED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, index.clone());
    Ok(index)
}

fn read_packages_index(
    cache: &Path,
    suite: Suite,
    component: &str,
    arch: &str,
) -> Result<BTreeMap<String, Stanza>> {
    let dir = cache.join("indexes");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let host = suite
        .mirror
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .replace('/', "_");
    let xz = match component {
        "main" => dir.join(format!("{host}_{}_{arch}_Packages.xz", suite.name)),
        _ => dir.join(format!(
            "{host}_{}_{component}_{arch}_Packages.xz",
            suite.name
        )),
    };
    let stamp = xz.with_extension("pid");
    let this_run = std::process::id().to_string();
    if !(xz.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&this_run)) {
        let url = format!(
            "{}/dists/{}/{component}/binary-{arch}/Packages.xz",
            suite.mirror, suite.name
        );
        download(&url, &xz)?;
        std::fs::write(&stamp, &this_run)?;
    }
    let out = Command::new("xz")
        .arg("-dc")
        .arg(&xz)
        .output()
        .context("failed to start xz")?;
    if !out.status.success() {
        bail!("xz -dc {} failed", xz.display());
    }
    Ok(parse_index(&String::from_utf8_lossy(&out.stdout)))
}

/// `Package:` → its stanza; when a name appears twice the later stanza wins (never seen in
/// one suite's main, but harmless).
fn parse_index(text: &str) -> BTreeMap<String, Stanza> {
    let mut map = BTreeMap::new();
    for block in text.split("\n\n") {
        let field = |name: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
                .map(str::to_owned)
        };
        if let (Some(pkg), Some(version), Some(filename), Some(sha256)) = (
            field("Package"),
            field("Version"),
            field("Filename"),
            field("SHA256"),
        ) {
            map.insert(
                pkg,
                Stanza {
                    version,
                    filename,
                    sha256,
                    priority: field("Priority").unwrap_or_default(),
                    depends: [field("Pre-Depends"), field("Depends")]
                        .into_iter()
                        .flatten()
                        .collect(),
                },
            );
        }
    }
    map
}

fn download(url: &str, to: &Path) -> Result<()> {
    let part = to.with_extension("part");
    run(Command::new("curl")
        .args(["-fsSL", "--retry", "3", "-o"])
        .arg(&part)
        .arg(url))
    .with_context(|| format!("downloading {url}"))?;
    std::fs::rename(&part, to).with_context(|| format!("renaming {}", part.display()))
}

pub fn file_sha256(path: &Path) -> Result<String> {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .context("failed to start sha256sum")?;
    if !out.status.success() {
        bail!("sha256sum {} failed", path.display());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_stanzas_are_read_by_package_name() {
        let text = "Package: libc6\nVersion: 2.36-9\nFilename: pool/main/g/glibc/libc6_2.36-9_amd64.deb\nSHA256: ab\n\nPackage: musl\nVersion: 1.2.3-1\nFilename: pool/main/m/musl/musl_1.2.3-1_amd64.deb\nSHA256: cd\n";
        let index = parse_index(text);
        assert_eq!(index["libc6"].version, "2.36-9");
        assert_eq!(
            index["musl"].filename,
            "pool/main/m/musl/musl_1.2.3-1_amd64.deb"
        );
        assert_eq!(index.len(), 2);
    }
}
