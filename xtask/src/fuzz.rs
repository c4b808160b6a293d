//! `cargo xtask fuzz TARGET --time SECS`: build the libFuzzer target in `fuzz/` with the
//! sanitizer-coverage flags, seed its corpus, run it, and keep every crash, memory blow-up
//! or timeout as a regression input in `fuzz/regressions/TARGET/` (replayed by
//! `tests/tests/fuzz_regressions.rs`). `cargo xtask fuzz --list` names the targets.
//!
//! Works on the stable toolchain: libfuzzer-sys only needs `-Cpasses=sancov-module` and the
//! `-sanitizer-coverage-*` LLVM options, which stable rustc accepts. `--toolchain nightly`
//! builds with another toolchain; `--asan` (nightly only) adds AddressSanitizer, useful for
//! the C decompressors linked in.

use crate::util::{run_streamed, workspace_root};
use anyhow::{bail, Context, Result};
use ldsim_tests::fuzz_entry::seeds::{gzip, seeds};
use ldsim_tests::fuzz_entry::{read_input, COMPRESS_ABOVE, TARGETS};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The host triple the fuzz targets are built for: an explicit `--target` keeps the
/// coverage flags away from build scripts and proc macros.
const TRIPLE: &str = "x86_64-unknown-linux-gnu";

const COVERAGE_FLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg fuzzing",
];

struct Options {
    target: String,
    time: u64,
    toolchain: Option<String>,
    asan: bool,
    jobs: u32,
    keep_going: bool,
    extra: Vec<String>,
}

pub fn run(args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "--list") {
        for t in TARGETS {
            println!("{t}");
        }
        return Ok(());
    }
    if args.iter().any(|a| a == "--write-seeds") {
        return write_seeds();
    }
    let opts = parse(args)?;
    let root = workspace_root();
    let fuzz = root.join("fuzz");
    let binary = build(&fuzz, &opts)?;
    let corpus = fuzz.join("corpus").join(&opts.target);
    seed(&fuzz, &corpus, &opts.target)?;
    let artifacts = fuzz.join("artifacts").join(&opts.target);
    fs::create_dir_all(&artifacts)?;
    let before = listing(&artifacts);
    let committed = fuzz.join("seeds").join(&opts.target);

    let mut cmd = Command::new(&binary);
    cmd.arg(&corpus);
    if committed.is_dir() {
        cmd.arg(&committed);
    }
    if !opts.extra.iter().any(|a| a.starts_with("-max_len=")) {
        // Room for the blow-up shapes (many references to one long string) without making
        // the byte-scanning loader inspection slow.
        let max_len = match opts.target.as_str() {
            "loader_inspection" | "ldso_cache" => 64 << 10,
            _ => 1 << 20,
        };
        cmd.arg(format!("-max_len={max_len}"));
    }
    cmd.arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg(format!("-max_total_time={}", opts.time))
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg("-print_final_stats=1")
        .args(&opts.extra)
        .current_dir(&fuzz)
        .stderr(Stdio::piped());
    // Fork mode: a crash, blow-up or timeout is recorded and fuzzing goes on (a known bug
    // found again at once would otherwise end every run).
    if opts.jobs > 1 || opts.keep_going {
        cmd.arg(format!("-fork={}", opts.jobs))
            .arg("-ignore_crashes=1")
            .arg("-ignore_ooms=1")
            .arg("-ignore_timeouts=1");
    }
    eprintln!("running {cmd:?}");
    let mut child = cmd.spawn().with_context(|| format!("starting {cmd:?}"))?;
    // From the final stats (summed over fork-mode jobs), else the last progress line.
    let mut executions: u64 = 0;
    let mut progress: u64 = 0;
    let mut last_error = String::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            if let Some(n) = line
                .strip_prefix("stat::number_of_executed_units:")
                .and_then(|n| n.trim().parse::<u64>().ok())
            {
                executions += n;
            } else if let Some(n) = progress_executions(&line) {
                progress = progress.max(n);
            }
            if line.contains("==ldsim-fuzz==")
                || line.contains("panicked at")
                || line.contains("ERROR: libFuzzer")
                || line.starts_with("==") && line.contains("ERROR")
            {
                last_error = line.clone();
            }
        }
    }
    let status = child.wait()?;
    if executions == 0 {
        executions = progress;
    }
    let found = keep_findings(&fuzz, &opts.target, &artifacts, &before, &last_error)?;
    println!(
        "fuzz {}: {executions} executions in {} s, {} new finding(s){}",
        opts.target,
        opts.time,
        found.len(),
        if status.success() {
            ""
        } else {
            " (libFuzzer stopped on a finding)"
        }
    );
    for f in &found {
        println!("  kept {}", f.display());
    }
    Ok(())
}

fn parse(args: &[String]) -> Result<Options> {
    let usage = "usage: cargo xtask fuzz TARGET [--time SECS] [--jobs N] [--toolchain NAME] \
                 [--asan] [--keep-going] [-- LIBFUZZER-ARGS]\n       cargo xtask fuzz --list";
    let mut opts = Options {
        target: String::new(),
        time: 60,
        toolchain: None,
        asan: false,
        jobs: 1,
        keep_going: false,
        extra: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--time" => opts.time = it.next().context(usage)?.parse().context("--time SECS")?,
            "--jobs" => opts.jobs = it.next().context(usage)?.parse().context("--jobs N")?,
            "--toolchain" => opts.toolchain = Some(it.next().context(usage)?.clone()),
            "--asan" => opts.asan = true,
            "--keep-going" => opts.keep_going = true,
            "--" => opts.extra.extend(it.by_ref().cloned()),
            t if !t.starts_with('-') && opts.target.is_empty() => opts.target = t.to_owned(),
            other => bail!("unknown argument {other}\n{usage}"),
        }
    }
    if !TARGETS.contains(&opts.target.as_str()) {
        bail!(
            "unknown fuzz target {:?}; targets: {}\n{usage}",
            opts.target,
            TARGETS.join(", ")
        );
    }
    if opts.asan && opts.toolchain.is_none() {
        opts.toolchain = Some("nightly".into());
    }
    Ok(opts)
}

/// Build the target; returns the binary.
fn build(fuzz: &Path, opts: &Options) -> Result<PathBuf> {
    let mut flags: Vec<String> = COVERAGE_FLAGS.iter().map(|s| s.to_string()).collect();
    if opts.asan {
        flags.push("-Zsanitizer=address".into());
    }
    let mut cmd = Command::new("cargo");
    if let Some(tc) = &opts.toolchain {
        cmd.arg(format!("+{tc}"));
    }
    // AddressSanitizer builds get their own directory, so switching rebuilds nothing twice.
    let target_dir = if opts.asan {
        fuzz.join("target").join("asan")
    } else {
        fuzz.join("target")
    };
    cmd.args([
        "build",
        "--release",
        "--target",
        TRIPLE,
        "--bin",
        &opts.target,
    ])
    .arg("--manifest-path")
    .arg(fuzz.join("Cargo.toml"))
    .arg("--target-dir")
    .arg(&target_dir)
    .env("RUSTFLAGS", flags.join(" "))
    .env_remove("RUSTUP_TOOLCHAIN")
    .env_remove("CARGO")
    .env_remove("RUSTC");
    run_streamed(&mut cmd)?;
    Ok(target_dir.join(TRIPLE).join("release").join(&opts.target))
}

/// Write the generated and fixture seeds into `corpus` (existing files are kept).
fn seed(fuzz: &Path, corpus: &Path, target: &str) -> Result<()> {
    fs::create_dir_all(corpus)?;
    let fixtures = std::env::var_os("LDSIM_FIXTURES")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/ldsim/fixtures")))
        .filter(|p| p.is_dir());
    for (name, bytes) in seeds(target, fixtures.as_deref()) {
        let path = corpus.join(format!("seed-{name}"));
        if !path.exists() {
            fs::write(&path, bytes)?;
        }
    }
    // Regression inputs are good seeds too: they reach the code that once failed.
    let regressions = fuzz.join("regressions").join(target);
    for entry in fs::read_dir(&regressions).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".md") {
            if let Ok(bytes) = read_input(&entry.path()) {
                let name = name.trim_end_matches(".gz");
                fs::write(corpus.join(format!("regression-{name}")), bytes)?;
            }
        }
    }
    Ok(())
}

/// The committed seeds (`fuzz/seeds/TARGET/`): the generated ones, a few KB each, which the
/// regression test also replays.
fn write_seeds() -> Result<()> {
    let dir = workspace_root().join("fuzz").join("seeds");
    for target in TARGETS {
        let to = dir.join(target);
        fs::create_dir_all(&to)?;
        for (name, bytes) in seeds(target, None) {
            if bytes.len() <= 8 << 10 {
                fs::write(to.join(name), bytes)?;
            }
        }
    }
    Ok(())
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `#123456 ...` progress lines carry the running execution count.
fn progress_executions(line: &str) -> Option<u64> {
    let rest = line.strip_prefix('#')?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Copy the new crash-/oom-/timeout- artifacts into `fuzz/regressions/TARGET/` with a note.
fn keep_findings(
    fuzz: &Path,
    target: &str,
    artifacts: &Path,
    before: &[String],
    error: &str,
) -> Result<Vec<PathBuf>> {
    let dest = fuzz.join("regressions").join(target);
    let mut kept = Vec::new();
    for name in listing(artifacts) {
        let finding = ["crash-", "oom-", "timeout-", "leak-"]
            .iter()
            .any(|p| name.starts_with(p));
        if !finding || before.contains(&name) {
            continue;
        }
        fs::create_dir_all(&dest)?;
        let bytes = fs::read(artifacts.join(&name))?;
        let (to, stored) = if bytes.len() > COMPRESS_ABOVE {
            (dest.join(format!("{name}.gz")), gzip(&bytes))
        } else {
            (dest.join(&name), bytes)
        };
        fs::write(&to, stored)?;
        let note = format!(
            "- `{}`: found by `cargo xtask fuzz {target}`; {}\n",
            to.file_name().unwrap_or_default().to_string_lossy(),
            if error.is_empty() {
                "see the libFuzzer output".to_owned()
            } else {
                format!("`{}`", error.trim())
            }
        );
        let notes = dest.join("NOTES.md");
        let mut text = fs::read_to_string(&notes)
            .unwrap_or_else(|_| format!("# Regression inputs of `{target}`\n\n"));
        text.push_str(&note);
        fs::write(&notes, text)?;
        kept.push(to);
    }
    Ok(kept)
}
