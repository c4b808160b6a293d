//! `ldsim` run as a measured child, for the bounds of issue 10: CPU time and peak RSS as GNU
//! time reports them for that process alone. A child spawned directly by a test would inherit
//! the test process's high-water RSS at exec, and wall-clock time measures the machine's load
//! (tests run side by side), not the work ldsim did.

use crate::ldsim_bin;
use std::ffi::OsStr;
use std::process::Command;
use std::time::{Duration, Instant};

/// CPU time (user + system) one hostile input may cost.
pub const MAX_CPU: Duration = Duration::from_secs(1);
/// Peak resident set one hostile input may cost.
pub const MAX_PEAK_KIB: u64 = 64 << 10;

/// What one measured ldsim run gave.
#[derive(Debug)]
pub struct Measured {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub cpu: Duration,
    pub wall: Duration,
    pub peak_kib: u64,
}

/// Run `ldsim ARGS…` under `/usr/bin/time`.
pub fn measure<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Measured {
    let report = tempfile::NamedTempFile::new().expect("a temporary file for GNU time");
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%U %S %M", "-o"])
        .arg(report.path())
        .arg(ldsim_bin())
        .args(args)
        .output()
        .expect("run ldsim under /usr/bin/time");
    let wall = start.elapsed();
    let text = std::fs::read_to_string(report.path()).expect("GNU time's report");
    // GNU time writes "Command exited with non-zero status N" first when the child fails.
    let fields: Vec<&str> = text
        .lines()
        .next_back()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let seconds = |s: &str| Duration::from_secs_f64(s.parse().expect("seconds from GNU time"));
    let [user, system, peak] = fields[..] else {
        panic!("unexpected GNU time report {text:?}");
    };
    let measured = Measured {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        cpu: seconds(user) + seconds(system),
        wall,
        peak_kib: peak.parse().expect("peak RSS in KiB"),
    };
    eprintln!(
        "exit {}, CPU {:.3} s, wall {:.3} s, peak RSS {} KiB",
        measured.code,
        measured.cpu.as_secs_f64(),
        measured.wall.as_secs_f64(),
        measured.peak_kib
    );
    measured
}

impl Measured {
    /// No crash, CPU time under [`MAX_CPU`], peak RSS under [`MAX_PEAK_KIB`].
    pub fn assert_bounded(&self, input: &str) {
        assert!(
            !self.stderr.contains("panicked"),
            "{input}: {}",
            self.stderr
        );
        assert!(
            self.peak_kib < MAX_PEAK_KIB,
            "{input}: peak RSS {} KiB (limit {MAX_PEAK_KIB})",
            self.peak_kib
        );
        assert!(
            self.cpu < MAX_CPU,
            "{input}: {:?} of CPU (limit {MAX_CPU:?})",
            self.cpu
        );
    }
}
