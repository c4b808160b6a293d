//! `cargo xtask dist`: a fully static `ldsim` (glibc, `+crt-static`) in `target/dist/ldsim`,
//! which runs on any x86_64 Linux; then checked by itself against every default built-in
//! target, as a user would check a release: it must run on each one.

use std::process::Command;

use anyhow::{bail, Context as _, Result};

use crate::util::{run, workspace_root};

const TARGET: &str = "x86_64-unknown-linux-gnu";

pub fn run_dist() -> Result<()> {
    let ws = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Its own target directory: the static flags must not rebuild the ordinary one.
    let build_dir = ws.join("target/dist-build");
    run(Command::new(&cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "ldsim",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(&build_dir)
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .current_dir(&ws))?;
    let dist = ws.join("target/dist");
    std::fs::create_dir_all(&dist)?;
    let binary = dist.join("ldsim");
    std::fs::copy(build_dir.join(TARGET).join("release/ldsim"), &binary)
        .context("copying the static build to target/dist")?;

    let out = Command::new(&binary)
        .args(["check", "--format", "json"])
        .arg(&binary)
        .output()
        .context("running the static ldsim on itself")?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "its own report is not JSON: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let files = json["files"].as_array().cloned().unwrap_or_default();
    if files.is_empty() {
        bail!("the static ldsim reported nothing about itself");
    }
    let failing: Vec<String> = files
        .iter()
        .filter(|f| f["verdict"] != "ok" || f["mode"] != "static")
        .map(|f| format!("{}: {} ({})", f["target"], f["verdict"], f["mode"]))
        .collect();
    if !failing.is_empty() {
        bail!(
            "target/dist/ldsim does not run everywhere: {}",
            failing.join("; ")
        );
    }
    eprintln!(
        "xtask dist: {} (static; runs on all {} default targets by its own check)",
        binary.display(),
        files.len()
    );
    Ok(())
}
