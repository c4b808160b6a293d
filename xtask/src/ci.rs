//! `cargo xtask ci`: everything CI checks, in order, with output streamed.
//!
//! `cargo build -p ldsim` comes before the tests because the differential tests run the
//! `ldsim` binary from target/debug (a binary of another package is not available to them
//! through CARGO_BIN_EXE_*).

use crate::util::{run_streamed, workspace_root};
use anyhow::Result;
use std::process::Command;

pub fn run() -> Result<()> {
    let ws = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let steps: [&[&str]; 5] = [
        &["fmt", "--all", "--", "--check"],
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &["xtask", "fixtures"],
        &["build", "-p", "ldsim"],
        &["test", "--workspace"],
    ];
    for step in steps {
        eprintln!("xtask ci: cargo {}", step.join(" "));
        run_streamed(Command::new(&cargo).args(step).current_dir(&ws))?;
    }
    eprintln!("xtask ci: all steps passed");
    Ok(())
}
