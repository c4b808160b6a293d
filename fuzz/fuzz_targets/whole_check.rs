#![no_main]
//! `cargo xtask fuzz whole_check`: see `ldsim_tests::fuzz_entry::whole_check`. Structure-aware: the custom
//! mutator edits ELF headers, program headers, dynamic entries and string tables
//! (`ldsim_tests::fuzz_entry::elf_gen`), mixed with libFuzzer's byte-level mutations.

use ldsim_tests::fuzz_entry::{capped_alloc::CappedAlloc, elf_gen, whole_check};
use libfuzzer_sys::{fuzz_mutator, fuzz_target};

#[global_allocator]
static ALLOC: CappedAlloc = CappedAlloc::new();

fuzz_target!(|data: &[u8]| whole_check(data));

// The program part (after the mode byte, before the first separator) is mutated as ELF.
fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    elf_gen::mutate_whole_check(data, size, max_size, seed, &mut |d, s, m| {
        libfuzzer_sys::fuzzer_mutate(d, s, m)
    })
});
