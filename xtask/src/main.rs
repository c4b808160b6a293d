//! Project automation: fixtures, CI, benchmarks. SKELETON.
fn main() {}
