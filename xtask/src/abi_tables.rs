//! `cargo xtask abi-tables [--check]`: regenerates the embedded glibc symbol table
//! (`tables/data/glibc/abilists`) from the pinned `ziglang` wheel on PyPI, verifying the wheel's
//! and the member's sha256 against the values recorded in `tables/data/glibc/PROVENANCE.md`.
//! `--check` verifies that the committed file is byte-identical to what the wheel holds. The
//! other tables follow (`--only sonames` makes the soname → package tables alone).

use crate::debs::file_sha256;
use crate::util::{run, workspace_root};
use anyhow::{bail, Context, Result};
use ldsim_tests::manifest::fixtures_dir;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned source; PROVENANCE.md records the same values.
const ZIG_VERSION: &str = "0.17.1";
const WHEEL: &str =
    "ziglang-0.17.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl";
const WHEEL_SHA256: &str = "ea6cc5d87b033cf0aedfbc8f9549a908cae6c50ac31f1698188fa48a74524b54";
const MEMBER: &str = "ziglang/lib/libc/glibc/abilists";
const MEMBER_SHA256: &str = "9327bdbeae15b383481c7a821f58d3ade9d2c6745ff19bb8b646df4c7a953037";

/// Where the generated file is committed.
fn output_path() -> PathBuf {
    workspace_root().join("tables/data/glibc/abilists")
}

pub fn run_abi_tables(args: &[String]) -> Result<()> {
    let usage = "usage: cargo xtask abi-tables [--check] [--only sonames|base]";
    let check = args.iter().any(|a| a == "--check");
    let only = match args.iter().position(|a| a == "--only") {
        Some(i) => Some(args.get(i + 1).map(String::as_str).context(usage)?),
        None => None,
    };
    if args
        .iter()
        .any(|a| a != "--check" && a != "--only" && Some(a.as_str()) != only)
    {
        bail!(usage);
    }
    let cache = fixtures_dir().join("abi");
    match only {
        None => {}
        Some("sonames") => return crate::abi_sonames::run(&cache, check),
        Some("base") => return crate::abi_base::run(&cache, check),
        Some(_) => bail!(usage),
    }
    check_provenance_mentions_pins()?;
    let wheel = fetch_wheel(&cache)?;
    let abilists = extract_member(&wheel)?;
    let digest = sha256(&abilists)?;
    if digest != MEMBER_SHA256 {
        bail!("{MEMBER} in {WHEEL} has sha256 {digest}, expected {MEMBER_SHA256}");
    }
    let out = output_path();
    if check {
        let committed =
            std::fs::read(&out).with_context(|| format!("reading {}", out.display()))?;
        if committed != abilists {
            bail!(
                "{} differs from {MEMBER} of ziglang {ZIG_VERSION}: run `cargo xtask abi-tables`",
                out.display()
            );
        }
        println!("{} is ziglang {ZIG_VERSION}'s {MEMBER}", out.display());
    } else {
        std::fs::write(&out, &abilists).with_context(|| format!("writing {}", out.display()))?;
        println!(
            "wrote {} ({} bytes, sha256 {digest})",
            out.display(),
            abilists.len()
        );
    }
    crate::abi_glibc_nodes::run(&cache, check)?;
    crate::abi_musl::run(&cache, check)?;
    crate::abi_gcc::run(&cache, check)?;
    crate::abi_sonames::run(&cache, check)?;
    crate::abi_base::run(&cache, check)?;
    Ok(())
}

/// The pinned wheel, from the cache when its checksum matches, else downloaded with pip.
fn fetch_wheel(cache: &Path) -> Result<PathBuf> {
    let wheel = cache.join(WHEEL);
    if wheel.exists() && file_sha256(&wheel)? == WHEEL_SHA256 {
        return Ok(wheel);
    }
    std::fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
    // The platform tags pin the one wheel whose checksum is recorded, whatever the host.
    run(Command::new("pip")
        .args(["download", "--no-deps", "--only-binary=:all:"])
        .args(["--platform", "manylinux2010_x86_64"])
        .arg(format!("ziglang=={ZIG_VERSION}"))
        .arg("-d")
        .arg(cache))?;
    let digest =
        file_sha256(&wheel).with_context(|| format!("pip did not produce {}", wheel.display()))?;
    if digest != WHEEL_SHA256 {
        bail!(
            "{} has sha256 {digest}, expected {WHEEL_SHA256}",
            wheel.display()
        );
    }
    Ok(wheel)
}

/// The member's bytes (a wheel is a zip; python's zipfile is there wherever pip is).
fn extract_member(wheel: &Path) -> Result<Vec<u8>> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))",
        ])
        .arg(wheel)
        .arg(MEMBER)
        .output()
        .context("failed to start python3")?;
    if !out.status.success() {
        bail!(
            "extracting {MEMBER} from {}: {}",
            wheel.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out.stdout)
}

fn sha256(bytes: &[u8]) -> Result<String> {
    let tmp = std::env::temp_dir().join(format!("ldsim-abilists-{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    let digest = file_sha256(&tmp);
    let _ = std::fs::remove_file(&tmp);
    digest
}

/// PROVENANCE.md must name the pins this code verifies, so the two cannot drift apart.
fn check_provenance_mentions_pins() -> Result<()> {
    let path = workspace_root().join("tables/data/glibc/PROVENANCE.md");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    for pin in [ZIG_VERSION, WHEEL, WHEEL_SHA256, MEMBER, MEMBER_SHA256] {
        if !text.contains(pin) {
            bail!("{} does not record {pin}", path.display());
        }
    }
    Ok(())
}
