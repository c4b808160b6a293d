//! Shared helpers for ldsim's scenario and differential tests: the fixture manifest, the host
//! CPU level, running `ldsim`, and the oracle that runs the real loaders.

pub mod cpu;
pub mod foreign;
pub mod fuzz_entry;
pub mod images;
pub mod ldsim;
pub mod manifest;
pub mod measured;
pub mod mismatch;
pub mod oracle;
pub mod sets;

pub use ldsim::{ldsim_bin, report_of, run_ldsim};
pub use manifest::Manifest;

/// The fixture manifest. A missing fixture set fails the test (never skips it).
pub fn fixtures() -> Manifest {
    let path = manifest::manifest_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "fixtures missing: run `cargo xtask fixtures` ({}: {e})",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "fixtures manifest {} is unreadable: {e}; run `cargo xtask fixtures`",
            path.display()
        )
    })
}
