//! `cargo xtask bench`: how long opening a target root in each accepted form and checking one
//! binary takes, and the peak memory, with the release build.
//!
//! The image is the Debian 12 fixture root plus the Debian 11 root's /usr under
//! /opt/bullseye (about 300 MB of files), in every form `--sysroot` accepts. Images are built
//! once into `$LDSIM_FIXTURES/bench` and reused while the fixtures are unchanged.

use crate::util::{self, make_parent, remove_dir, run_streamed, workspace_root};
use crate::{audit_bench, fixtures};
use anyhow::{bail, Context, Result};
use ldsim_tests::manifest::fixtures_dir;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs per form; the median time and the largest peak memory are reported.
pub(crate) const RUNS: usize = 5;
/// What is checked inside the image: a dynamically linked program with a few libraries.
const BINARY: &str = "/usr/bin/ls";

struct Form {
    name: &'static str,
    path: PathBuf,
}

/// `cargo xtask bench [audit]`: everything, or only the image audit.
pub fn run(args: &[String]) -> Result<()> {
    let audit_only = args.iter().any(|a| a == "audit");
    fixtures::run()?;
    let ws = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_streamed(
        Command::new(&cargo)
            .args(["build", "--release", "-p", "ldsim"])
            .current_dir(&ws),
    )?;
    let ldsim = ws.join("target/release/ldsim");
    if audit_only {
        return audit_bench::run(&ldsim, &fixtures_dir());
    }
    let dir = fixtures_dir().join("bench");
    let stamp = std::fs::read_to_string(fixtures_dir().join("stamp")).unwrap_or_default();
    let forms = build_images(&dir, &stamp)?;

    let size = tree_size(&dir.join("root"))?;
    println!(
        "ldsim bench: open a {} MB target root (Debian 12 root + Debian 11 /usr under \
         /opt/bullseye) in each form and check {BINARY} in it",
        size >> 20
    );
    println!("{RUNS} runs each, release build; median wall time, largest peak RSS\n");
    println!("| form | file size | wall time | peak RSS |");
    println!("|---|---:|---:|---:|");
    for form in &forms {
        let (median, peak_kb) = median_run(RUNS, || {
            let mut cmd = Command::new(&ldsim);
            cmd.args(["check", "--in-target", "--sysroot"])
                .arg(&form.path)
                .arg(BINARY)
                .stdout(std::process::Stdio::null());
            cmd
        })?;
        println!(
            "| {} | {} MB | {:.3} s | {} MB |",
            form.name,
            file_size(&form.path)? >> 20,
            median.as_secs_f64(),
            peak_kb / 1024
        );
    }
    bench_builtin(&ldsim, &dir.join("root"))?;
    bench_audit(&ldsim, &fixtures_dir().join("roots/glibc"))?;
    audit_bench::run(&ldsim, &fixtures_dir())
}

/// Auditing a whole root: every ELF file of the Debian 12 fixture root's /usr/bin and
/// /usr/lib/x86_64-linux-gnu against the root itself, programs run and shared objects listed
/// (plugins of the root's own python by it); and the libraries against the built-in targets.
fn bench_audit(ldsim: &Path, root: &Path) -> Result<()> {
    println!("\nAuditing a root (every ELF file, shared objects included): {RUNS} runs each\n");
    println!("| what | wall time | peak RSS |");
    println!("|---|---:|---:|");
    let dirs = ["/usr/bin", "/usr/lib/x86_64-linux-gnu"];
    let in_root = || {
        let mut cmd = Command::new(ldsim);
        cmd.args(["check", "--quiet", "--in-target", "--sysroot"])
            .arg(root)
            .args(dirs)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };
    let (median, peak_kb) = median_run(RUNS, in_root)?;
    println!(
        "| Debian 12 root's {} against the root itself | {:.3} s | {} MB |",
        dirs.join(" + "),
        median.as_secs_f64(),
        peak_kb / 1024
    );
    let libs = root.join("usr/lib/x86_64-linux-gnu");
    let (median, peak_kb) = median_run(RUNS, || {
        let mut cmd = Command::new(ldsim);
        cmd.args(["check", "--quiet"])
            .arg(&libs)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    })?;
    println!(
        "| Debian 12 root's /usr/lib/x86_64-linux-gnu against every default target | {:.3} s | {} MB |",
        median.as_secs_f64(),
        peak_kb / 1024
    );
    Ok(())
}

/// Built-in targets: the default set (no --sysroot) for one binary and for a whole /usr/bin,
/// whose files are host files here (mounted into each target's in-memory root).
fn bench_builtin(ldsim: &Path, root: &Path) -> Result<()> {
    let usr_bin = root.join("usr/bin");
    let files = std::fs::read_dir(&usr_bin)
        .with_context(|| format!("reading {}", usr_bin.display()))?
        .count();
    println!("\nBuilt-in targets (the default set, no --sysroot): {RUNS} runs each\n");
    println!("| what | wall time | peak RSS |");
    println!("|---|---:|---:|");
    let cases: [(String, Vec<PathBuf>); 2] = [
        (
            format!("{BINARY} against every default target"),
            vec![root.join(BINARY.trim_start_matches('/'))],
        ),
        (
            format!("Debian 12 /usr/bin ({files} entries) against every default target"),
            vec![usr_bin.clone()],
        ),
    ];
    for (what, args) in &cases {
        let (median, peak_kb) = median_run(RUNS, || {
            let mut cmd = Command::new(ldsim);
            cmd.arg("check")
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            cmd
        })?;
        println!(
            "| {what} | {:.3} s | {} MB |",
            median.as_secs_f64(),
            peak_kb / 1024
        );
    }
    Ok(())
}

/// `runs` rounds of two commands, run alternately (A, B, A, B …) so that a machine that slows
/// down or speeds up during the measurement (a shared VM) weighs on both alike: for each, the
/// median wall time and the largest peak RSS.
pub(crate) fn median_runs_interleaved(
    runs: usize,
    make_a: impl Fn() -> Command,
    make_b: impl Fn() -> Command,
) -> Result<[(Duration, i64); 2]> {
    let mut times = [Vec::new(), Vec::new()];
    let mut peaks = [0, 0];
    for _ in 0..runs {
        for (i, make) in [&make_a as &dyn Fn() -> Command, &make_b]
            .into_iter()
            .enumerate()
        {
            let (elapsed, rss_kb) = measure(&mut make())?;
            times[i].push(elapsed);
            peaks[i] = peaks[i].max(rss_kb);
        }
    }
    Ok([0, 1].map(|i| {
        times[i].sort();
        (
            times[i].get(runs / 2).copied().unwrap_or_default(),
            peaks[i],
        )
    }))
}

/// [`RUNS`] runs of the command `make` builds: the median wall time and the largest peak RSS.
pub(crate) fn median_run(runs: usize, make: impl Fn() -> Command) -> Result<(Duration, i64)> {
    let mut times = Vec::new();
    let mut peak_kb = 0;
    for _ in 0..runs {
        let (elapsed, rss_kb) = measure(&mut make())?;
        times.push(elapsed);
        peak_kb = peak_kb.max(rss_kb);
    }
    times.sort();
    Ok((times.get(runs / 2).copied().unwrap_or_default(), peak_kb))
}

/// Run `cmd` to completion: its wall time and peak resident set size (KiB).
///
/// The peak is taken by GNU time (`/usr/bin/time -f %M`), not from our own wait4: a child
/// spawned by this process starts with this process's high-water RSS as its own
/// (Linux exec_mmap keeps the old mm's hiwater), so after the fixtures step (which hashes
/// whole packages) every figure would read as xtask's peak. `time` itself is small.
fn measure(cmd: &mut Command) -> Result<(Duration, i64)> {
    let report = tempfile::NamedTempFile::new().context("a temporary file for time's report")?;
    let mut timed = Command::new("/usr/bin/time");
    // A clean environment: `cargo xtask` runs with cargo's LD_LIBRARY_PATH (six build
    // directories), which a chrooted libtree or ld.so would search for every library first,
    // slowing them by a third; ldsim reads no loader variables from its own environment.
    timed
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let started = Instant::now();
    let status = timed
        .status()
        .with_context(|| format!("running {cmd:?} under /usr/bin/time (Debian package time)"))?;
    let elapsed = started.elapsed();
    // 0 (loads) or 1 (fails) are both answers; 2 means the root could not be read.
    if !matches!(status.code(), Some(0 | 1)) {
        bail!("{cmd:?} failed ({status})");
    }
    let text = std::fs::read_to_string(report.path())?;
    // On a non-zero exit, time writes "Command exited with non-zero status N" first.
    let peak_kb = text
        .lines()
        .filter_map(|l| l.trim().parse::<i64>().ok())
        .next_back()
        .context("no peak RSS in time's report")?;
    Ok((elapsed, peak_kb))
}

/// Build (or reuse) the image in every form.
fn build_images(dir: &Path, stamp: &str) -> Result<Vec<Form>> {
    let forms = vec![
        Form {
            name: "directory",
            path: dir.join("root"),
        },
        Form {
            name: "tar",
            path: dir.join("image.tar"),
        },
        Form {
            name: "tar.gz",
            path: dir.join("image.tar.gz"),
        },
        Form {
            name: "tar.zst",
            path: dir.join("image.tar.zst"),
        },
        Form {
            name: "tar.xz",
            path: dir.join("image.tar.xz"),
        },
        Form {
            name: "OCI layout (gzip layer)",
            path: dir.join("oci"),
        },
        Form {
            name: "docker save",
            path: dir.join("docker-save.tar"),
        },
    ];
    let stamp_file = dir.join("stamp");
    if std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp)
        && forms.iter().all(|f| f.path.exists())
    {
        return Ok(forms);
    }
    eprintln!(
        "xtask bench: building the benchmark image in {}",
        dir.display()
    );
    remove_dir(dir)?;
    let roots = fixtures_dir().join("roots");
    let root = dir.join("root");
    make_parent(&root.join("x"))?;
    // Hard-link copies: no file data is duplicated.
    util::run(
        Command::new("cp")
            .arg("-al")
            .arg(roots.join("glibc/."))
            .arg(&root),
    )?;
    let extra = root.join("opt/bullseye");
    std::fs::create_dir_all(&extra)?;
    util::run(
        Command::new("cp")
            .arg("-al")
            .arg(roots.join("bullseye/usr"))
            .arg(&extra),
    )?;

    let tar = dir.join("image.tar");
    util::run(
        Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg("."),
    )?;
    compress(&tar, "gzip", &["-6", "-k", "-f"])?;
    compress(&tar, "zstd", &["-q", "-T2", "-3", "-k", "-f"])?;
    compress(&tar, "xz", &["-T2", "-1", "-k", "-f"])?;

    let oci = dir.join("oci");
    util::run(Command::new("umoci").args(["init", "--layout"]).arg(&oci))?;
    let image = format!("{}:bench", oci.display());
    util::run(Command::new("umoci").args(["new", "--image", &image]))?;
    let bundle = dir.join("bundle");
    util::run(
        Command::new("umoci")
            .args(["unpack", "--image", &image])
            .arg(&bundle),
    )?;
    util::run(
        Command::new("cp")
            .arg("-a")
            .arg(root.join("."))
            .arg(bundle.join("rootfs")),
    )?;
    util::run(
        Command::new("umoci")
            .args(["repack", "--image", &image])
            .arg(&bundle),
    )?;
    remove_dir(&bundle)?;
    util::run(
        Command::new("skopeo")
            .arg("copy")
            .arg(format!("oci:{image}"))
            .arg(format!(
                "docker-archive:{}:ldsim/bench:latest",
                dir.join("docker-save.tar").display()
            )),
    )?;
    std::fs::write(&stamp_file, stamp)?;
    Ok(forms)
}

fn compress(tar: &Path, tool: &str, args: &[&str]) -> Result<()> {
    util::run(Command::new(tool).args(args).arg(tar))
}

fn file_size(path: &Path) -> Result<u64> {
    if path.is_dir() {
        return tree_size(path);
    }
    Ok(std::fs::metadata(path)?.len())
}

/// Apparent size of the regular files under `dir`.
fn tree_size(dir: &Path) -> Result<u64> {
    let out = Command::new("du")
        .args(["-s", "-b", "--apparent-size"])
        .arg(dir)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("du {}", dir.display()))
}
