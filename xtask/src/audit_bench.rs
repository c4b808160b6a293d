//! `cargo xtask bench audit` (and the last part of `cargo xtask bench`): auditing a whole
//! image, issue 11. Every ELF file of the audit root (`audit_root.rs`) is checked against the
//! root itself by ldsim (libraries, versions, symbols, shared objects listed), by libtree
//! (libraries only, chrooted into the root) and by the root's own `ldd -r` one file at a time,
//! in the same run; then the same files against older Debian roots (cross-release), and this
//! machine's /usr/lib/x86_64-linux-gnu against the default built-in targets.

use crate::audit_root::{audit_root, PACKAGES};
use crate::bench::{median_run, median_runs_interleaved, RUNS};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// `ldd -r` over every file takes minutes: fewer runs.
const LDD_RUNS: usize = 3;

/// ldsim and libtree take a tenth of a second each: more rounds, for a steadier ratio.
const LIBTREE_RUNS: usize = 11;

pub fn run(ldsim: &Path, fixtures: &Path) -> Result<()> {
    let root = audit_root(fixtures)?;
    let files = elf_files(&root)?;
    let shared = files.iter().filter(|f| f.shared).count();
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    println!(
        "\nImage audit: Debian 13 root with {} packages requested ({} installed), {} ELF files \
         ({} programs, {} shared objects); {RUNS} runs each unless said \
         (ldsim and libtree: {LIBTREE_RUNS} rounds, alternating), median wall time, largest peak RSS\n",
        PACKAGES.len(),
        installed_packages(&root),
        files.len(),
        files.len() - shared,
        shared
    );
    println!("| tool, same files | checks | wall | peak RSS |");
    println!("|---|---|---:|---:|");
    // ldsim and libtree alternate: the ratio between them is the figure that matters.
    let [(ldsim_time, ldsim_peak), (libtree_time, libtree_peak)] = median_runs_interleaved(
        LIBTREE_RUNS,
        || {
            let mut cmd = Command::new(ldsim);
            cmd.args(["check", "--quiet", "--sysroot"])
                .arg(&root)
                .arg("--in-target")
                .args(&paths);
            cmd
        },
        || in_root(&root, "libtree -vv \"$@\"", &paths),
    )?;
    row(
        "ldsim, every file against the root",
        "libraries + versions + symbols, shared objects listed",
        ldsim_time,
        ldsim_peak,
    );
    row(
        "libtree -vv, chrooted into the root",
        "libraries only",
        libtree_time,
        libtree_peak,
    );
    let (ldd_time, ldd_peak) = median_run(LDD_RUNS, || {
        in_root(&root, "for f; do ldd -r \"$f\"; done", &paths)
    })?;
    row(
        &format!("the root's ldd -r, one process per file ({LDD_RUNS} runs)"),
        "everything",
        ldd_time,
        ldd_peak,
    );
    println!(
        "\nldsim / libtree: {:.2}× (target ≤ 1.5×); ldd -r / ldsim: {:.0}× (target ≥ 90×); \
         ldsim peak {} MiB (target ≤ 64 MiB)",
        ldsim_time.as_secs_f64() / libtree_time.as_secs_f64(),
        ldd_time.as_secs_f64() / ldsim_time.as_secs_f64(),
        ldsim_peak / 1024
    );

    println!("\nCross-release: the same files (host files) against older roots\n");
    println!(
        "| root | ldsim wall | ldsim peak RSS | libtree -vv wall, same view | the root's ldd -r, same view ({LDD_RUNS} runs) |"
    );
    println!("|---|---:|---:|---:|---:|");
    let host_paths: Vec<String> = paths
        .iter()
        .map(|p| root.join(p.trim_start_matches('/')).display().to_string())
        .collect();
    for (name, suite) in [("Debian 12", "bookworm"), ("Debian 11", "bullseye")] {
        let old = fixtures.join("base").join(suite);
        let ldsim_run = || {
            let mut cmd = Command::new(ldsim);
            cmd.args(["check", "--quiet", "--sysroot"])
                .arg(&old)
                .args(&host_paths);
            cmd
        };
        // libtree and ldd see what ldsim sees: the old root with the audit root at its host
        // path.
        let view = CrossView::mount(&old, &root)?;
        let (time, peak, libtree) = if view.has_libtree {
            let [(time, peak), (libtree, _)] =
                median_runs_interleaved(LIBTREE_RUNS, ldsim_run, || {
                    in_root(view.dir(), "/usr/local/bin/libtree -vv \"$@\"", &host_paths)
                })?;
            (time, peak, format!("{:.3} s", libtree.as_secs_f64()))
        } else {
            // As many runs as where libtree alternates with it (the header says 11 for ldsim).
            let (time, peak) = median_run(LIBTREE_RUNS, ldsim_run)?;
            (time, peak, "libtree needs a newer glibc".to_owned())
        };
        let (ldd, _) = median_run(LDD_RUNS, || {
            in_root(view.dir(), "for f; do ldd -r \"$f\"; done", &host_paths)
        })?;
        println!(
            "| {name} ({suite}) | {:.3} s | {} MiB | {libtree} | {:.3} s ({:.0}×) |",
            time.as_secs_f64(),
            peak / 1024,
            ldd.as_secs_f64(),
            ldd.as_secs_f64() / time.as_secs_f64()
        );
    }

    let libs = Path::new("/usr/lib/x86_64-linux-gnu");
    let count = elf_files(libs).map(|f| f.len()).unwrap_or(0);
    let (time, peak) = median_run(RUNS, || {
        let mut cmd = Command::new(ldsim);
        cmd.args(["check", "--quiet"]).arg(libs);
        cmd
    })?;
    println!(
        "\nThis machine's /usr/lib/x86_64-linux-gnu ({count} ELF files) against the default \
         built-in targets: {:.3} s, {} MiB (target ≤ 2 s, ≤ 256 MiB)",
        time.as_secs_f64(),
        peak / 1024
    );
    Ok(())
}

fn row(what: &str, checks: &str, time: Duration, peak_kib: i64) {
    println!(
        "| {what} | {checks} | {:.3} s | {} MiB |",
        time.as_secs_f64(),
        peak_kib / 1024
    );
}

/// `sh -c SCRIPT sh FILES…` chrooted into `root` (SCRIPT takes the files as "$@"), its output
/// discarded; the exit status is not the measure (missing libraries are answers), so the
/// script always ends with 0.
fn in_root(root: &Path, script: &str, files: &[String]) -> Command {
    let mut cmd = Command::new("chroot");
    cmd.arg(root)
        .args([
            "/bin/sh",
            "-c",
            &format!("{{ {script}; }} >/dev/null 2>&1; exit 0"),
            "sh",
        ])
        .args(files)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

struct ElfFile {
    /// The path inside the root.
    path: String,
    /// A shared object rather than a program: ET_DYN without an execute bit (Debian installs
    /// libraries and modules 0644, programs, PIE ones included, 0755). Only counted.
    shared: bool,
}

/// Every regular ELF program or shared object under `root` (symlinks not followed, /proc,
/// /sys and /dev skipped), as paths inside it, sorted.
fn elf_files(root: &Path) -> Result<Vec<ElfFile>> {
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).with_context(|| format!("{}", dir.display()))?;
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            let inside = format!("/{}", path.strip_prefix(root)?.display());
            if kind.is_dir() {
                if !matches!(inside.as_str(), "/proc" | "/sys" | "/dev") {
                    stack.push(path);
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let mut head = [0u8; 18];
            let Ok(mut file) = std::fs::File::open(&path) else {
                continue;
            };
            if file.read_exact(&mut head).is_err() || &head[..4] != b"\x7fELF" {
                continue;
            }
            // e_type (little-endian here): ET_EXEC 2, ET_DYN 3; objects and cores are not
            // loadable and not what an audit is about.
            if !matches!(head[16], 2 | 3) || head[17] != 0 {
                continue;
            }
            let executable = entry.metadata()?.permissions().mode() & 0o111 != 0;
            out.push(ElfFile {
                path: inside,
                shared: head[16] == 3 && !executable,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn installed_packages(root: &Path) -> usize {
    std::fs::read_to_string(root.join("var/lib/dpkg/status"))
        .map(|s| {
            s.lines()
                .filter(|l| *l == "Status: install ok installed")
                .count()
        })
        .unwrap_or(0)
}

/// An older root as libtree and ldd would see the cross-release check: an overlay of `old`
/// (never written: writes go to a temporary upper layer) with the audit root bound read-only
/// at its own host path and, where it runs there, the audit root's libtree in /usr/local/bin.
/// Unmounted when dropped.
struct CrossView {
    /// The audit root's libtree runs on this root's glibc and is in /usr/local/bin.
    has_libtree: bool,
    /// Holds the layers; removed after the mounts (fields drop after `drop`).
    _temp: tempfile::TempDir,
    mounts: Vec<PathBuf>,
}

impl CrossView {
    fn mount(old: &Path, audit: &Path) -> Result<CrossView> {
        let libtree = audit.join("usr/bin/libtree");
        let temp = tempfile::tempdir()?;
        let (upper, work, merged) = (
            temp.path().join("upper"),
            temp.path().join("work"),
            temp.path().join("merged"),
        );
        for dir in [&upper, &work, &merged] {
            std::fs::create_dir(dir)?;
        }
        let mut view = CrossView {
            has_libtree: runs_on(&libtree, old),
            _temp: temp,
            mounts: Vec::new(),
        };
        let options = format!(
            "lowerdir={},upperdir={},workdir={}",
            old.display(),
            upper.display(),
            work.display()
        );
        crate::util::run(
            Command::new("mount")
                .args(["-t", "overlay", "overlay", "-o", &options])
                .arg(&merged),
        )?;
        view.mounts.push(merged.clone());
        let inside = merged.join(audit.strip_prefix("/").unwrap_or(audit));
        std::fs::create_dir_all(&inside)?;
        crate::util::run(
            Command::new("mount")
                .args(["--bind", "-o", "ro"])
                .arg(audit)
                .arg(&inside),
        )?;
        view.mounts.push(inside);
        if view.has_libtree {
            std::fs::create_dir_all(merged.join("usr/local/bin"))?;
            std::fs::copy(&libtree, merged.join("usr/local/bin/libtree"))?;
        }
        Ok(view)
    }

    fn dir(&self) -> &Path {
        &self.mounts[0]
    }
}

impl Drop for CrossView {
    fn drop(&mut self) {
        for mount in self.mounts.iter().rev() {
            let _ = Command::new("umount").arg(mount).status();
        }
    }
}

/// Whether `program` (from the audit root) finds every glibc version it needs in `root`'s
/// libc: asked of ldsim's own loader model would be circular, so the versions are compared.
fn runs_on(program: &Path, root: &Path) -> bool {
    let needed = glibc_versions(program);
    let libc = root.join("lib/x86_64-linux-gnu/libc.so.6");
    let provided = glibc_versions(&libc);
    !needed.is_empty() && needed.iter().all(|v| provided.contains(v))
}

/// The GLIBC_x.y names `readelf -V` prints for a file (needed or defined).
fn glibc_versions(file: &Path) -> Vec<String> {
    let Ok(out) = Command::new("readelf").arg("-V").arg(file).output() else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ':')
        .filter(|w| w.starts_with("GLIBC_2"))
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}
