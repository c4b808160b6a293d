//! Reference libraries the tests compare the built-in tables with, for releases no fixture root
//! has: Debian trixie's amd64 libc6 (glibc 2.41), libstdc++6, libgcc-s1 and musl, unpacked
//! (`dpkg-deb -x` layout, no root of their own) into `<fixtures>/reference/trixie-amd64/`.

use crate::debs::{self, Suite, DEBIAN};
use crate::util::{remove_dir, run};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Bump to force the reference trees to be unpacked again.
const REFERENCE_VERSION: &str = "1";
const TRIXIE: Suite = Suite {
    mirror: DEBIAN,
    name: "trixie",
};
const PACKAGES: [&str; 4] = ["libc6", "libstdc++6", "libgcc-s1", "musl"];
const MARKER: &str = ".ldsim-reference";

/// Unpacks the trixie amd64 packages once; reused while the marker names this code's version.
pub fn trixie_amd64(fixtures: &Path) -> Result<()> {
    let name = "trixie-amd64";
    let parent = fixtures.join("reference");
    let done = parent.join(name);
    let marker_head = format!("{name} {REFERENCE_VERSION}\n");
    if std::fs::read_to_string(done.join(MARKER))
        .ok()
        .is_some_and(|m| m.starts_with(&marker_head))
    {
        return Ok(());
    }
    let tmp = parent.join(format!(".{name}.tmp"));
    remove_dir(&tmp)?;
    std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut marker = marker_head;
    for package in PACKAGES {
        let deb = debs::fetch_deb(&fixtures.join("abi"), TRIXIE, "amd64", package)?;
        // Several packages into one tree: dpkg-deb -x merges (debs::extract would empty it).
        run(Command::new("dpkg-deb").arg("-x").arg(&deb.path).arg(&tmp))
            .with_context(|| format!("unpacking {}", deb.url))?;
        let _ = writeln!(
            marker,
            "{package} {} {} {}",
            deb.version, deb.url, deb.sha256
        );
    }
    std::fs::write(tmp.join(MARKER), marker)?;
    remove_dir(&done)?;
    std::fs::rename(&tmp, &done)
        .with_context(|| format!("renaming {} to {}", tmp.display(), done.display()))?;
    eprintln!(
        "xtask: reference libraries unpacked into {}",
        done.display()
    );
    Ok(())
}

/// Packages the tests install into a copy of the Debian 12 base root: a library the base
/// image lacks (`libpng16-16`), to check that the package ldsim names for a missing library
/// is the one whose installation makes the program load. Fetched once (verified against the
/// suite's index) into `<fixtures>/reference/bookworm-debs/<package>.deb`.
pub fn bookworm_debs(fixtures: &Path) -> Result<()> {
    const BOOKWORM: Suite = Suite {
        mirror: DEBIAN,
        name: "bookworm",
    };
    let dir = fixtures.join("reference/bookworm-debs");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for package in ["libpng16-16"] {
        let target = dir.join(format!("{package}.deb"));
        if target.is_file() {
            continue;
        }
        let deb = debs::fetch_deb(&fixtures.join("abi"), BOOKWORM, "amd64", package)?;
        std::fs::copy(&deb.path, &target)
            .with_context(|| format!("copying {} to {}", deb.path.display(), target.display()))?;
    }
    Ok(())
}

/// Every release whose base image has a table (amd64): target, suite, mirror.
const RELEASES: [(&str, &str, &str); 7] = [
    ("debian-11", "bullseye", DEBIAN),
    ("debian-12", "bookworm", DEBIAN),
    ("debian-13", "trixie", DEBIAN),
    ("ubuntu-18.04", "bionic", debs::UBUNTU),
    ("ubuntu-20.04", "focal", debs::UBUNTU),
    ("ubuntu-22.04", "jammy", debs::UBUNTU),
    ("ubuntu-24.04", "noble", debs::UBUNTU),
];

/// debootstrap's arguments for a minbase amd64 root of `suite` in `dir` (`options` before
/// the suite, where debootstrap reads them). Ubuntu's releases
/// use debootstrap's gutsy script, which every Ubuntu suite links to (this host's debootstrap
/// may predate them).
fn debootstrap(suite: &str, mirror: &str, dir: &Path, options: &[&str]) -> Command {
    let mut cmd = Command::new("debootstrap");
    cmd.args(["--variant=minbase", "--arch=amd64"])
        .args(options)
        .arg(suite)
        .arg(dir)
        .arg(mirror);
    if mirror == debs::UBUNTU {
        cmd.arg("/usr/share/debootstrap/scripts/gutsy");
    }
    cmd
}

/// Real minbase roots, made by debootstrap itself, of the releases the fixture roots do not
/// cover (Debian 11 and 12 are the fixtures' base roots): `<fixtures>/minbase/<target>`, made
/// once, which the base-image tables are compared with symbol for symbol
/// (tests/tests/base_images.rs). About half a minute and 130–200 MB each.
pub fn minbase_roots(fixtures: &Path) -> Result<()> {
    for (target, suite, mirror) in RELEASES {
        if matches!(suite, "bullseye" | "bookworm") {
            continue;
        }
        let root = fixtures.join("minbase").join(target);
        if root.join(".ldsim-minbase").is_file() {
            continue;
        }
        let tmp = fixtures.join("minbase").join(format!(".{target}.tmp"));
        crate::util::remove_dir(&tmp)?;
        std::fs::create_dir_all(&tmp)?;
        eprintln!("xtask: debootstrap {suite} (the {target} base image, about half a minute)");
        crate::util::run(&mut debootstrap(suite, mirror, &tmp, &[]))
            .with_context(|| format!("debootstrap {suite} (needs root and network)"))?;
        std::fs::write(tmp.join(".ldsim-minbase"), format!("{target}\n"))?;
        crate::util::remove_dir(&root)?;
        std::fs::rename(&tmp, &root)?;
    }
    Ok(())
}

/// What `debootstrap --variant=minbase --print-debs` lists for each release whose base image
/// has a table (amd64): the package sets the tests compare the tables with, one per line in
/// `<fixtures>/reference/minbase/<target>.txt`, made once.
pub fn minbase_lists(fixtures: &Path) -> Result<()> {
    let dir = fixtures.join("reference/minbase");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for (target, suite, mirror) in RELEASES {
        let list = dir.join(format!("{target}.txt"));
        if list.is_file() {
            continue;
        }
        let scratch = tempfile::tempdir()?;
        let out = debootstrap(suite, mirror, scratch.path(), &["--print-debs"])
            .output()
            .with_context(|| format!("debootstrap --print-debs {suite}"))?;
        if !out.status.success() {
            anyhow::bail!(
                "debootstrap --print-debs {suite}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut packages: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        packages.sort();
        std::fs::write(&list, packages.join("\n") + "\n")
            .with_context(|| format!("writing {}", list.display()))?;
    }
    Ok(())
}
