//! Go programs (built by `cargo xtask fixtures` with the machine's Go toolchain): their build
//! information as `go version -m` reads it, the fix each cgo build is told on a musl root,
//! and `GOAMD64` against the CPU level — checked against the real run where this machine's
//! CPU can show it.

use ldsim_tests::manifest::fixtures_dir;
use ldsim_tests::{fixtures, run_ldsim};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const PROGRAMS: &[&str] = &[
    "netuser",
    "netuser_netgo",
    "ownc",
    "plain",
    "plain_v3",
    "netuser_static",
    // Go 1.15 (Debian 11's fzf): build information in the pointer form.
    "fzf_go1.15",
];

fn program(name: &str) -> PathBuf {
    let path = fixtures_dir().join("go").join(name);
    assert!(
        path.is_file(),
        "Go fixture {} missing: run `cargo xtask fixtures`",
        path.display()
    );
    path
}

fn report(root: &str, name: &str, extra: &[&str]) -> (i32, Value) {
    let m = fixtures();
    let mut args = vec![
        "check".to_owned(),
        "--format".into(),
        "json".into(),
        "--sysroot".into(),
        m.roots[root].display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(program(name).display().to_string());
    let (code, json, stderr) = run_ldsim(&args);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code, json["files"][0].clone())
}

#[test]
fn build_information_is_what_go_version_m_says() {
    for name in PROGRAMS {
        let out = Command::new("go")
            .args(["version", "-m"])
            .arg(program(name))
            .output()
            .expect("go version -m (golang-go)");
        let text = String::from_utf8_lossy(&out.stdout);
        let version = text.lines().next().unwrap().rsplit(' ').next().unwrap();
        let settings: Vec<String> = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("build\t"))
            .map(|s| s.replace('"', ""))
            .collect();
        let (_, file) = report("glibc", name, &[]);
        let go = &file["go"];
        assert_eq!(go["version"], version, "{name}");
        let found: Vec<String> = go["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().replace('"', ""))
            .collect();
        assert_eq!(found, settings, "{name}");
    }
}

#[test]
fn cgo_builds_on_musl_are_told_the_go_build_that_needs_no_libc() {
    let fix = |name: &str| report("musl", name, &[]);
    // net and os/user only: the tags fix.
    let (code, file) = fix("netuser");
    assert_eq!(code, 1);
    let first = &file["problems"][0];
    assert_eq!(first["kind"], "missing-interpreter");
    let text = first["fix"].as_str().unwrap();
    assert!(text.contains("-tags netgo,osusergo"), "{text}");
    // Its own C code: no tag removes it.
    let (_, file) = fix("ownc");
    let text = file["problems"][0]["fix"].as_str().unwrap();
    assert!(
        text.contains("CGO_ENABLED=0") && !text.contains("netgo"),
        "{text}"
    );
    // What those fixes build runs: static, no loader.
    for name in ["netuser_netgo", "plain"] {
        let (code, file) = fix(name);
        assert_eq!((code, file["verdict"].as_str()), (0, Some("ok")), "{name}");
        assert_eq!(file["mode"], "static", "{name}");
    }
}

#[test]
fn goamd64_against_the_cpu_level() {
    let (code, file) = report("glibc", "plain_v3", &["--cpu", "x86-64-v2"]);
    assert_eq!(code, 1);
    let p = &file["problems"][0];
    assert_eq!(p["kind"], "go-cpu-level");
    assert_eq!(
        p["message"],
        "This program can only be run on AMD64 processors with v3 microarchitecture support."
    );
    assert_eq!(file["exit_status"], 1);
    assert!(p["fix"].as_str().unwrap().contains("GOAMD64=v2"));
    let (code, _) = report("glibc", "plain_v3", &["--cpu", "x86-64-v3"]);
    assert_eq!(code, 0);
    // The real run on this machine agrees with ldsim told this machine's level.
    let level = ldsim_tests::cpu::host_cpu_level().unwrap();
    let (code, file) = report("glibc", "plain_v3", &["--cpu", level]);
    let real = Command::new(program("plain_v3")).output().unwrap();
    assert_eq!(real.status.code(), Some(code), "{file}");
    if code == 1 {
        assert_eq!(
            String::from_utf8_lossy(&real.stderr).trim_end(),
            file["problems"][0]["message"].as_str().unwrap()
        );
    }
}
