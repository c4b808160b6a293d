//! Replays every input the fuzzers kept (`fuzz/regressions/TARGET/*`) and the committed seeds
//! (`fuzz/seeds/TARGET/*`) through the same entry functions the fuzz targets call
//! (`ldsim_tests::fuzz_entry`), under the same capped allocator: each must return without a
//! panic, within the live-heap cap (above it the allocator aborts the test binary, after the
//! input's name was printed) and within a time bound. A `*.gz` input is decompressed first.
//!
//! An input that shows a known, not yet fixed bug is listed in `fuzz/regressions/KNOWN`
//! (`TARGET/FILE  reason`) and skipped here, with the reason printed; remove the line when the
//! bug is fixed, so the input guards the fix.

#![allow(unsafe_code)] // the #[global_allocator] static only

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ldsim_tests::fuzz_entry::capped_alloc::{CappedAlloc, LIVE_HEAP_LIMIT};
use ldsim_tests::fuzz_entry::{read_input, run, TARGETS};

#[global_allocator]
static ALLOC: CappedAlloc = CappedAlloc::new();

/// Per input, in an unoptimised test build; libFuzzer's own timeout is 10 s optimised.
const TIME_LIMIT: Duration = Duration::from_secs(60);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("fuzz")
}

/// `TARGET/FILE` → reason, from `fuzz/regressions/KNOWN`.
fn known() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(fuzz_dir().join("regressions/KNOWN")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((k, why)) => (k.to_owned(), why.trim().to_owned()),
            None => (l.to_owned(), String::new()),
        })
        .collect()
}

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fuzz_dir().join(kind).join(target))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
}

fn replay(kind: &str) -> usize {
    let known = known();
    let mut replayed = 0;
    for target in TARGETS {
        for path in inputs(kind, target) {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let key = format!("{target}/{name}");
            if let Some(why) = known.get(&key).filter(|_| kind == "regressions") {
                eprintln!("skipping {kind}/{key}: known bug, see fuzz/regressions/KNOWN: {why}");
                continue;
            }
            let data = read_input(&path).expect("read fuzz input");
            eprintln!("replaying {kind}/{key} ({} bytes)", data.len());
            ALLOC.reset_peak();
            let start = Instant::now();
            let outcome = std::panic::catch_unwind(|| run(target, &data));
            let took = start.elapsed();
            assert!(
                outcome.is_ok(),
                "{kind}/{key}: the fuzz entry panicked (see above)"
            );
            assert!(
                ALLOC.peak() <= LIVE_HEAP_LIMIT,
                "{kind}/{key}: {} MiB live heap",
                ALLOC.peak() >> 20
            );
            assert!(took < TIME_LIMIT, "{kind}/{key}: took {took:?}");
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn kept_fuzz_findings_replay_cleanly() {
    let n = replay("regressions");
    eprintln!("{n} regression input(s) replayed");
}

#[test]
fn committed_seeds_replay_cleanly() {
    let n = replay("seeds");
    assert!(n > 0, "fuzz/seeds/ holds no seed");
}

#[test]
fn known_list_names_kept_inputs() {
    for key in known().keys() {
        assert!(
            fuzz_dir().join("regressions").join(key).is_file(),
            "fuzz/regressions/KNOWN names {key}, which is not kept"
        );
    }
}

#[test]
fn every_target_replays() {
    for target in TARGETS {
        assert!(run(target, b""), "{target} is not a fuzz entry");
        assert!(run(target, b"\x7fELF\x02\x01\x01"), "{target}");
    }
}
