//! Shared helpers for ldsim's scenario and differential tests: the fixture manifest, the host
//! CPU level, running `ldsim`, and the oracle that runs the real loaders.

pub mod cpu;
pub mod manifest;
