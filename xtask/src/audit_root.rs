//! The image-audit benchmark's root (issue 11): Debian 13 (trixie) minbase plus a realistic
//! package set, installed without recommends: media (ffmpeg, imagemagick, ghostscript,
//! poppler-utils, graphviz), GIS (gdal-bin), python3 with numpy and lxml, perl, git, curl,
//! openssl, sqlite3, and libtree (the libraries-only tool the benchmark compares against, run
//! inside the root). Built once into `<fixtures>/audit/trixie` (beside, not inside, the image
//! benchmark's directory, which is rebuilt whenever the fixtures change), like the fixtures
//! outside git, and reused while its marker matches; the downloaded packages are kept in
//! `<fixtures>/debs/audit-trixie` so a rebuild does not download them again.

use crate::util::{remove_dir, run};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const SUITE: &str = "trixie";

/// What the benchmark installs on top of minbase.
pub const PACKAGES: &[&str] = &[
    "ffmpeg",
    "imagemagick",
    "python3",
    "python3-numpy",
    "python3-lxml",
    "perl",
    "git",
    "curl",
    "gdal-bin",
    "openssl",
    "sqlite3",
    "ghostscript",
    "poppler-utils",
    "graphviz",
    "libtree",
];

/// Bump to force a rebuild.
const VERSION: &str = "1";

pub fn audit_root(fixtures: &Path) -> Result<PathBuf> {
    let root = fixtures.join("audit").join(SUITE);
    let marker = format!("{SUITE} {VERSION} {}\n", PACKAGES.join(" "));
    let marker_file = root.join(".ldsim-audit");
    if std::fs::read_to_string(&marker_file).ok().as_deref() == Some(marker.as_str()) {
        return Ok(root);
    }
    let tmp = root.with_extension("tmp");
    remove_dir(&tmp)?;
    let debs = fixtures.join("debs").join(format!("audit-{SUITE}"));
    std::fs::create_dir_all(&debs)?;
    eprintln!(
        "xtask: building the audit root (debootstrap {SUITE} + {} packages; minutes, once)",
        PACKAGES.len()
    );
    run(Command::new("debootstrap")
        .arg("--variant=minbase")
        .arg(format!("--cache-dir={}", debs.display()))
        .arg(SUITE)
        .arg(&tmp))
    .with_context(|| format!("debootstrap {SUITE} (needs root and network)"))?;
    // apt inside the root downloads into its own cache; seed it from ours and keep what it
    // fetched, so a rebuild is offline.
    let archives = tmp.join("var/cache/apt/archives");
    copy_debs(&debs, &archives)?;
    run(Command::new("chroot")
        .arg(&tmp)
        .args(["apt-get", "update", "-q"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
    .context("apt-get update in the audit root")?;
    run(Command::new("chroot")
        .arg(&tmp)
        .args(["apt-get", "install", "-q", "-y", "--no-install-recommends"])
        .args(PACKAGES)
        .env("DEBIAN_FRONTEND", "noninteractive"))
    .context("apt-get install in the audit root")?;
    copy_debs(&archives, &debs)?;
    run(Command::new("chroot").arg(&tmp).args(["apt-get", "clean"]))?;
    std::fs::write(tmp.join(".ldsim-audit"), marker)?;
    remove_dir(&root)?;
    std::fs::rename(&tmp, &root)?;
    Ok(root)
}

/// Copy the `.deb` files of `from` that `to` lacks.
fn copy_debs(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let Some(name) = path.file_name() else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "deb") && !to.join(name).exists() {
            std::fs::copy(&path, to.join(name))
                .with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}
