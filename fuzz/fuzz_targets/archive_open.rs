#![no_main]
//! `cargo xtask fuzz archive_open`: see `ldsim_tests::fuzz_entry::archive_open`.

use ldsim_tests::fuzz_entry::{archive_open, capped_alloc::CappedAlloc};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: CappedAlloc = CappedAlloc::new();

fuzz_target!(|data: &[u8]| archive_open(data));
