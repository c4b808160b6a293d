//! Running the `ldsim` binary.
//!
//! A binary of another package is not available through CARGO_BIN_EXE_*, so the tests use
//! `<target dir>/debug/ldsim`, which `cargo xtask ci` builds (`cargo build -p ldsim`) before
//! `cargo test`. `LDSIM_BIN` overrides the path.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Path of the built `ldsim` binary; panics with instructions when it is absent.
pub fn ldsim_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("LDSIM_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(Path::new("."))
                .join("target")
        });
    let bin = target.join("debug/ldsim");
    assert!(
        bin.is_file(),
        "ldsim binary missing at {}: run `cargo build -p ldsim` (cargo xtask ci does)",
        bin.display()
    );
    bin
}

/// Runs ldsim with `args`: (exit code, stdout parsed as JSON or Null, stderr).
pub fn run_ldsim<I, S>(args: I) -> (i32, serde_json::Value, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new(ldsim_bin())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ldsim: {e}"));
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `ldsim ARGS` (with `--format json` among them) for one file: its report, or the exit status
/// and first stderr line when ldsim gave none (an input error, exit 2).
pub fn report_of<I, S>(args: I) -> Result<serde_json::Value, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let (code, json, stderr) = run_ldsim(args);
    match json["files"].get(0) {
        Some(report) if (code == 0 || code == 1) && report.get("error").is_none() => {
            Ok(report.clone())
        }
        _ => Err(format!(
            "exit {code}: {}",
            stderr.lines().next().unwrap_or_default().trim()
        )),
    }
}
