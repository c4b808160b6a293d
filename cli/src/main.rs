//! The `ldsim` binary: arguments and rendering only. SKELETON.
fn main() {}
