#![no_main]
//! `cargo xtask fuzz ldso_cache`: see `ldsim_tests::fuzz_entry::ldso_cache`.

use ldsim_tests::fuzz_entry::{capped_alloc::CappedAlloc, ldso_cache};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: CappedAlloc = CappedAlloc::new();

fuzz_target!(|data: &[u8]| ldso_cache(data));
