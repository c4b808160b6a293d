//! A static glibc program that loads code at run time (tests/fixtures-src/static_nss): the
//! modules ldsim says it loads from each root, against what the program really opens there
//! (strace of its run in a chroot), and the release match against each root's own glibc.
//!
//! The oracle for "same release" is independent of ldsim's tunables fingerprint: the glibc
//! the fixture was linked with is this machine's (`getconf GNU_LIBC_VERSION`), the root's is
//! what its own getconf says.

use ldsim_tests::{fixtures, run_ldsim};
use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// xtask/src/cases.rs: STATIC_NSS.
const PROGRAM: &str = "/t/glibc/static_nss/main";

/// The databases the fixture queries (every lookup misses, so every service is asked).
const QUERIED: &[&str] = &["passwd", "group", "protocols", "services", "hosts", "idn"];

/// What the program opened in the real run: each module tried (by file name) and whether
/// one of the tries succeeded; and how the run ended.
struct RealRun {
    tried: BTreeSet<String>,
    opened: BTreeSet<String>,
    exited_normally: bool,
}

fn real_run(root: &Path) -> RealRun {
    let trace = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=openat,execve", "-o"])
        .arg(trace.path())
        .arg("chroot")
        .arg(root)
        .arg(PROGRAM)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("strace (apt-get install strace)");
    let text = std::fs::read_to_string(trace.path()).unwrap();
    // Only what the program itself opens: chroot, a dynamic program, loads the host's libc
    // before it executes the fixture.
    let after_exec = text
        .split_once(&format!("execve(\"{PROGRAM}\""))
        .map(|(_, rest)| rest)
        .expect("the fixture was executed");
    let mut tried = BTreeSet::new();
    let mut opened = BTreeSet::new();
    for line in after_exec.lines().filter(|l| l.contains("openat(")) {
        let Some(path) = line.split('"').nth(1) else {
            continue;
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        if !(name.starts_with("libnss_") || name == "libidn2.so.0") {
            continue;
        }
        tried.insert(name.to_owned());
        if !line.contains("= -1") {
            opened.insert(name.to_owned());
        }
    }
    RealRun {
        tried,
        opened,
        // A clean exit; a crash inside getaddrinfo shows as a signal (abort: SIGABRT).
        exited_normally: status.status.code() == Some(0),
    }
}

fn glibc_release(root: Option<&Path>) -> String {
    let mut cmd = match root {
        Some(root) => {
            let mut c = Command::new("chroot");
            c.arg(root).arg("getconf");
            c
        }
        None => Command::new("getconf"),
    };
    let out = cmd.arg("GNU_LIBC_VERSION").output().expect("getconf");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .trim_start_matches("glibc ")
        .to_owned()
}

/// ldsim's JSON report of one file against `root` (`file`: `--in-target PATH` or a host
/// path); a static program starts, so exit 0.
fn report(root: &Path, file: &[&OsStr]) -> Value {
    let mut args: Vec<&OsStr> = ["check", "--format", "json", "--sysroot"]
        .map(OsStr::new)
        .to_vec();
    args.push(root.as_os_str());
    args.extend_from_slice(file);
    let (code, json, stderr) = run_ldsim(args);
    assert_eq!(code, 0, "a static program starts: {stderr}");
    json["files"][0].clone()
}

fn in_target(path: &str) -> [&OsStr; 2] {
    [OsStr::new("--in-target"), OsStr::new(path)]
}

#[test]
fn modules_and_release_match_the_real_run() {
    let m = fixtures();
    let linked_with = glibc_release(None);
    for root_name in ["glibc", "bullseye"] {
        let root = &m.roots[root_name];
        assert!(
            root.join(PROGRAM.trim_start_matches('/')).is_file(),
            "{PROGRAM} missing in {root_name}: run `cargo xtask fixtures`"
        );
        let real = real_run(root);
        let file = report(root, &in_target(PROGRAM));
        let info = &file["static_glibc"];
        assert!(
            info.is_object(),
            "{root_name}: no static_glibc section: {file}"
        );
        assert_eq!(info["nss"], true, "{root_name}");

        // The modules of the databases the program queries are those it tried, found
        // where it opened them.
        let modules = info["modules"].as_array().unwrap();
        let queried: Vec<&Value> = modules
            .iter()
            .filter(|m| {
                m["used_for"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|u| QUERIED.contains(&u.as_str().unwrap()))
            })
            .collect();
        let predicted: BTreeSet<String> = queried
            .iter()
            .map(|m| m["module"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(predicted, real.tried, "{root_name}: modules tried");
        let found: BTreeSet<String> = queried
            .iter()
            .filter(|m| m["found"].is_string())
            .map(|m| m["module"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(found, real.opened, "{root_name}: modules opened");
        assert!(
            !real.opened.is_empty(),
            "{root_name}: the fixture should load libidn2 (a UTF-8 locale in the root?)"
        );

        // Same release by getconf ⇔ same by tunables; a crash only where ldsim warned.
        let same = glibc_release(Some(root)) == linked_with;
        assert_eq!(
            info["release_match"] == "same",
            same,
            "{root_name}: linked with {linked_with}: {info}"
        );
        assert_eq!(info["at_risk"], !same, "{root_name}: {info}");
        if !real.exited_normally {
            assert_eq!(info["at_risk"], true, "{root_name}: crashed unwarned");
            assert!(info["fix"].is_string(), "{root_name}: {info}");
        }
    }
}

#[test]
fn human_output_names_the_modules_and_the_warning() {
    let m = fixtures();
    let root = &m.roots["bullseye"];
    let out = Command::new(ldsim_tests::ldsim_bin())
        .args(["check", "--color", "never", "--sysroot"])
        .arg(root)
        .args(["--in-target", PROGRAM])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("static glibc: loads NSS service modules"),
        "{text}"
    );
    assert!(
        text.contains("idn libidn2.so.0 (getaddrinfo with AI_IDN): /"),
        "{text}"
    );
    if glibc_release(Some(root)) != glibc_release(None) {
        assert!(
            text.contains("  warning: name lookups load libidn2.so.0"),
            "{text}"
        );
        assert!(text.contains("  fix: link dynamically"), "{text}");
    }
}

#[test]
fn programs_without_glibc_say_nothing_of_it() {
    let m = fixtures();
    // The musl static program carries no glibc; the plain static glibc one makes no lookups.
    for (root, program) in [
        ("musl", "/t/musl/static/main"),
        ("glibc", "/t/glibc/static/main"),
    ] {
        let file = report(&m.roots[root], &in_target(program));
        let info = &file["static_glibc"];
        if program.contains("musl") {
            assert!(info.is_null(), "{program}: {info}");
        } else {
            // A static glibc program with no lookups: no NSS, nothing at risk.
            assert_eq!(info["nss"], false, "{program}: {info}");
            assert_eq!(info["at_risk"], false, "{program}: {info}");
        }
    }
}

/// A Go program linked statically against glibc (`-linkmode external -extldflags -static`)
/// is such a program too, and its fix is Go's own resolver.
#[test]
fn a_static_cgo_go_program_is_told_the_go_fix() {
    let m = fixtures();
    let program = ldsim_tests::manifest::fixtures_dir()
        .join("go")
        .join("netuser_static");
    for root_name in ["glibc", "bullseye"] {
        let root = &m.roots[root_name];
        let file = report(root, &[program.as_os_str()]);
        let info = &file["static_glibc"];
        assert_eq!(info["nss"], true, "{root_name}: {info}");
        let same = glibc_release(Some(root)) == glibc_release(None);
        assert_eq!(info["at_risk"], !same, "{root_name}: {info}");
        if !same {
            let fix = info["fix"].as_str().unwrap_or_default();
            assert!(fix.contains("CGO_ENABLED=0"), "{root_name}: {fix}");
        }
    }
}
