//! One test per loader rule: ldsim's prediction for the fixture that proves the rule, checked
//! the way a user reads it (verdict, which object came from where and why, the loader's
//! message). The human output of the main rules is snapshotted (it names only target paths).
//! Each expectation was checked against the real loader in the fixture root (chroot).

use ldsim_tests::manifest::Case;
use ldsim_tests::{fixtures, ldsim_bin, run_ldsim, Manifest};
use serde_json::Value;
use std::process::Command;

/// The manifest case `flavour`/`name`; a missing case fails the test.
fn case<'m>(m: &'m Manifest, flavour: &str, name: &str) -> &'m Case {
    m.cases
        .iter()
        .find(|c| c.flavour == flavour && c.name == name)
        .unwrap_or_else(|| panic!("no fixture {flavour}/{name}: rerun `cargo xtask fixtures`"))
}

/// Command-line arguments checking `program` on `root` with the case's environment and `extra`.
fn args(m: &Manifest, root: &str, c: &Case, extra: &[&str]) -> Vec<String> {
    let mut a = vec![
        "check".to_string(),
        "--sysroot".into(),
        m.roots[root].display().to_string(),
        "--in-target".into(),
    ];
    for (k, v) in &c.env {
        a.push("--env".into());
        a.push(format!("{k}={v}"));
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    a.push(c.program.clone());
    a
}

/// Runs ldsim (JSON) on the case in `root`: (exit code, the single `files[]` entry).
fn check(m: &Manifest, root: &str, c: &Case, extra: &[&str]) -> (i32, Value) {
    let mut a = args(m, root, c, extra);
    a.insert(1, "--format".into());
    a.insert(2, "json".into());
    let (code, json, stderr) = run_ldsim(&a);
    assert!(!stderr.contains("panicked"), "ldsim panicked: {stderr}");
    let files = json["files"]
        .as_array()
        .unwrap_or_else(|| panic!("no JSON report for {a:?}; stderr: {stderr}"));
    assert_eq!(files.len(), 1, "one report per FILE: {json}");
    (code, files[0].clone())
}

/// ldsim's human output for the case in `root`.
fn human(m: &Manifest, root: &str, c: &Case, extra: &[&str]) -> String {
    let out = Command::new(ldsim_bin())
        .args(args(m, root, c, extra))
        .output()
        .expect("run ldsim");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "ldsim panicked: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// ldsim's human output with `-v` (objects and where they came from), without the long
/// LD_DEBUG-like search trace.
fn human_v(m: &Manifest, root: &str, c: &Case) -> String {
    human(m, root, c, &["-v"])
        .lines()
        .take_while(|l| !l.contains("library search"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `objects[]` entry loaded for NEEDED `needed`.
fn object<'a>(file: &'a Value, needed: &str) -> &'a Value {
    file["objects"]
        .as_array()
        .and_then(|objs| objs.iter().find(|o| o["needed"] == needed))
        .unwrap_or_else(|| panic!("{needed} not among the loaded objects: {file:#}"))
}

fn has_object(file: &Value, needed: &str) -> bool {
    file["objects"]
        .as_array()
        .is_some_and(|objs| objs.iter().any(|o| o["needed"] == needed))
}

/// Asserts `needed` was loaded from `path` found `via`.
fn assert_loaded(file: &Value, needed: &str, path: &str, via: &str) {
    let o = object(file, needed);
    assert_eq!(o["path"], path, "path of {needed}: {o:#}");
    assert_eq!(o["via"], via, "how {needed} was found: {o:#}");
}

/// The problems of `kind`.
fn problems<'a>(file: &'a Value, kind: &str) -> Vec<&'a Value> {
    file["problems"]
        .as_array()
        .map(|ps| ps.iter().filter(|p| p["kind"] == kind).collect())
        .unwrap_or_default()
}

/// The single problem of `kind`.
fn problem<'a>(file: &'a Value, kind: &str) -> &'a Value {
    let ps = problems(file, kind);
    assert_eq!(ps.len(), 1, "expected one {kind} problem: {file:#}");
    ps[0]
}

fn assert_ok(code: i32, file: &Value) {
    assert_eq!(file["verdict"], "ok", "{file:#}");
    assert_eq!(code, 0);
    assert_eq!(file["problems"], serde_json::json!([]));
}

fn assert_fails(code: i32, file: &Value, exit_status: i64) {
    assert_eq!(file["verdict"], "fails", "{file:#}");
    assert_eq!(code, 1);
    assert_eq!(file["exit_status"], exit_status, "{file:#}");
}

#[test]
fn rpath_inherited_from_the_executable() {
    let m = fixtures();
    // glibc: libB (found through main's RPATH) needs libA, found through main's RPATH too.
    let c = case(&m, "glibc", "rpath_inherited");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libB.so.1",
        "/t/glibc/rpath_inherited/rp/libB.so.1",
        "rpath",
    );
    let a = object(&f, "libA.so.1");
    assert_eq!(a["path"], "/t/glibc/rpath_inherited/rp/libA.so.1");
    assert_eq!(a["via"], "rpath");
    assert_eq!(a["needed_by"], "/t/glibc/rpath_inherited/rp/libB.so.1");
    insta::assert_snapshot!("rpath_inherited_glibc", human_v(&m, "glibc", c));

    let c = case(&m, "musl", "rpath_inherited");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libA.so.1",
        "/t/musl/rpath_inherited/rp/libA.so.1",
        "rpath",
    );
}

#[test]
fn runpath_does_not_reach_a_grandchild() {
    let m = fixtures();
    let c = case(&m, "glibc", "runpath_not_inherited");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_fails(code, &f, 127);
    assert_loaded(
        &f,
        "libB.so.1",
        "/t/glibc/runpath_not_inherited/bdir/libB.so.1",
        "runpath",
    );
    let p = problem(&f, "missing-library");
    assert_eq!(p["library"], "libA.so.1");
    assert_eq!(
        p["needed_by"],
        "/t/glibc/runpath_not_inherited/bdir/libB.so.1"
    );
    assert_eq!(
        p["message"],
        "/t/glibc/runpath_not_inherited/main: error while loading shared libraries: \
         libA.so.1: cannot open shared object file: No such file or directory"
    );
    // The loader never looked in main's RUNPATH directory for the grandchild.
    let tried = p["tried"].as_array().expect("tried list");
    assert!(
        tried.iter().all(|t| !t["path"]
            .as_str()
            .unwrap_or("")
            .starts_with("/t/glibc/runpath_not_inherited/rn/")),
        "RUNPATH of main must not be searched for libA: {p:#}"
    );
    insta::assert_snapshot!("runpath_not_inherited_glibc", human(&m, "glibc", c, &[]));

    // musl treats RUNPATH like RPATH: inherited, and the program runs.
    let c = case(&m, "musl", "runpath_not_inherited");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libA.so.1",
        "/t/musl/runpath_not_inherited/rn/libA.so.1",
        "rpath",
    );
    insta::assert_snapshot!("runpath_not_inherited_musl", human_v(&m, "musl", c));
}

#[test]
fn ld_library_path_between_rpath_and_runpath() {
    let m = fixtures();
    // DT_RPATH is searched before LD_LIBRARY_PATH …
    let c = case(&m, "glibc", "ld_library_path_between/rpath");
    assert_eq!(
        c.env.get("LD_LIBRARY_PATH").map(String::as_str),
        Some("/t/glibc/ld_library_path_between/llp")
    );
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libA.so.1",
        "/t/glibc/ld_library_path_between/rp/libA.so.1",
        "rpath",
    );
    // … and DT_RUNPATH after it.
    let c = case(&m, "glibc", "ld_library_path_between/runpath");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libA.so.1",
        "/t/glibc/ld_library_path_between/llp/libA.so.1",
        "ld_library_path",
    );
    insta::assert_snapshot!(
        "ld_library_path_between_runpath_glibc",
        human_v(&m, "glibc", c)
    );

    // musl searches LD_LIBRARY_PATH first, before RPATH and RUNPATH alike.
    for name in [
        "ld_library_path_between/rpath",
        "ld_library_path_between/runpath",
    ] {
        let c = case(&m, "musl", name);
        let (code, f) = check(&m, "musl", c, &[]);
        assert_ok(code, &f);
        assert_loaded(
            &f,
            "libA.so.1",
            "/t/musl/ld_library_path_between/llp/libA.so.1",
            "ld_library_path",
        );
    }
}

#[test]
fn hwcaps_copy_chosen_by_cpu_level() {
    let m = fixtures();
    let levels = [
        ("baseline", ""),
        ("x86-64-v2", "glibc-hwcaps/x86-64-v2/"),
        ("x86-64-v3", "glibc-hwcaps/x86-64-v3/"),
        // No v4 copy is installed: the best one below it wins.
        ("x86-64-v4", "glibc-hwcaps/x86-64-v3/"),
    ];
    for (program, dir, via) in [
        (
            "hwcaps_subdir/runpath",
            "/t/glibc/hwcaps_subdir/hw/",
            "runpath",
        ),
        ("hwcaps_subdir/cache", "/opt/hw/", "ld.so.cache"),
    ] {
        let c = case(&m, "glibc", program);
        for (cpu, sub) in levels {
            let (code, f) = check(&m, "glibc", c, &["--cpu", cpu]);
            assert_ok(code, &f);
            assert_loaded(&f, "libH.so.1", &format!("{dir}{sub}libH.so.1"), via);
        }
    }
    // musl knows no glibc-hwcaps: always the plain copy.
    let c = case(&m, "musl", "hwcaps_subdir/runpath");
    let (code, f) = check(&m, "musl", c, &["--cpu", "x86-64-v3"]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libH.so.1",
        "/t/musl/hwcaps_subdir/hw/libH.so.1",
        "rpath",
    );
}

#[test]
fn origin_lib_dst() {
    let m = fixtures();
    let c = case(&m, "glibc", "origin_lib_dst");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libO.so.1",
        "/t/glibc/origin_lib_dst/bin/../lib/x86_64-linux-gnu/libO.so.1",
        "rpath",
    );
    insta::assert_snapshot!("origin_lib_dst_glibc", human_v(&m, "glibc", c));

    // musl does not expand $LIB: the RPATH entry is dropped and libO is missing.
    let c = case(&m, "musl", "origin_lib_dst");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_fails(code, &f, 127);
    assert!(!has_object(&f, "libO.so.1"), "{f:#}");
    let p = problem(&f, "missing-library");
    assert_eq!(p["library"], "libO.so.1");
    assert_eq!(
        p["message"],
        "Error loading shared library libO.so.1: No such file or directory \
         (needed by /t/musl/origin_lib_dst/bin/main)"
    );
    insta::assert_snapshot!("origin_lib_dst_musl", human(&m, "musl", c, &[]));
}

#[test]
fn stale_cache_hides_a_library_on_disk() {
    let m = fixtures();
    let root = &m.roots["glibc"];
    // The library is on disk in a directory ld.so.conf lists, but ldconfig ran before it came.
    assert!(root.join("opt/stale/libS.so.1").is_file());
    let c = case(&m, "glibc", "stale_cache");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_fails(code, &f, 127);
    let p = problem(&f, "missing-library");
    assert_eq!(p["library"], "libS.so.1");
    assert_eq!(
        p["message"],
        "/t/glibc/stale_cache/main: error while loading shared libraries: \
         libS.so.1: cannot open shared object file: No such file or directory"
    );
    let tried = p["tried"].as_array().expect("tried list");
    assert!(
        tried.iter().all(|t| t["path"] != "/opt/stale/libS.so.1"),
        "only the cache knows /opt/stale: {p:#}"
    );
    insta::assert_snapshot!("stale_cache_glibc", human(&m, "glibc", c, &[]));
}

#[test]
fn wrong_class_library_earlier_in_the_path_is_skipped() {
    let m = fixtures();
    let c = case(&m, "glibc", "wrong_class_first");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libW.so.1",
        "/t/glibc/wrong_class_first/dir2/libW.so.1",
        "rpath",
    );
    insta::assert_snapshot!("wrong_class_first_glibc", human_v(&m, "glibc", c));

    let c = case(&m, "glibc", "wrong_class_first/only32");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_fails(code, &f, 127);
    let p = problem(&f, "missing-library");
    assert_eq!(
        p["message"],
        "/t/glibc/wrong_class_first/only32: error while loading shared libraries: \
         libW.so.1: wrong ELF class: ELFCLASS32"
    );

    // musl does not skip: the first file it opens is the 32-bit one, and it gives up.
    let c = case(&m, "musl", "wrong_class_first");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_fails(code, &f, 127);
    let p = &problems(&f, "missing-library")[0];
    assert_eq!(
        p["message"],
        "Error loading shared library libW.so.1: Exec format error \
         (needed by /t/musl/wrong_class_first/main)"
    );
}

#[test]
fn absolute_symlink_in_the_root_is_re_rooted() {
    let m = fixtures();
    for flavour in ["glibc", "musl"] {
        let c = case(&m, flavour, "absolute_symlink");
        let (code, f) = check(&m, flavour, c, &[]);
        assert_ok(code, &f);
        assert_loaded(
            &f,
            "libY.so.1",
            &format!("/opt/symdir/{flavour}/libY.so.1"),
            "rpath",
        );
    }
    let c = case(&m, "glibc", "absolute_symlink");
    insta::assert_snapshot!("absolute_symlink_glibc", human_v(&m, "glibc", c));
}

#[test]
fn musl_path_file_and_reserved_names() {
    let m = fixtures();
    // /etc/ld-musl-x86_64.path replaces the default search path.
    let c = case(&m, "musl", "musl_path_file");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_ok(code, &f);
    assert_loaded(&f, "libM.so.1", "/opt/mpath/libM.so.1", "musl_path");

    // libpthread.so.0 & co. are satisfied by musl's libc itself, never searched for.
    let c = case(&m, "musl", "musl_reserved_names");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_ok(code, &f);
    let o = object(&f, "libpthread.so.0");
    assert_eq!(o["path"], "/lib/ld-musl-x86_64.so.1");
    insta::assert_snapshot!(
        "musl_path_file_musl",
        human_v(&m, "musl", case(&m, "musl", "musl_path_file"))
    );
}

#[test]
fn weak_undefined_reference_is_fine() {
    let m = fixtures();
    for flavour in ["glibc", "musl"] {
        let c = case(&m, flavour, "weak_undefined");
        let (code, f) = check(&m, flavour, c, &[]);
        assert_ok(code, &f);
        // Also with every symbol bound at start-up.
        let (code, f) = check(&m, flavour, c, &["--bind-now"]);
        assert_ok(code, &f);
    }
}

#[test]
fn data_reference_fails_at_startup_plt_call_fails_on_first_call() {
    let m = fixtures();
    let c = case(&m, "glibc", "data_vs_plt/call_only");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_eq!(f["verdict"], "fails-on-call", "{f:#}");
    assert_eq!(code, 1);
    let p = problem(&f, "undefined-symbol");
    assert_eq!(p["symbol"], "f_call");
    assert_eq!(p["when"], "first-call");
    assert_eq!(
        p["message"],
        "/t/glibc/data_vs_plt/call_only: symbol lookup error: \
         /t/glibc/data_vs_plt/call_only: undefined symbol: f_call"
    );
    insta::assert_snapshot!("data_vs_plt_call_only_glibc", human(&m, "glibc", c, &[]));

    // LD_BIND_NOW (or --bind-now) moves the failure to start-up.
    for extra in [&["--bind-now"][..], &["--env", "LD_BIND_NOW=1"][..]] {
        let (code, f) = check(&m, "glibc", c, extra);
        assert_fails(code, &f, 127);
        assert_eq!(problem(&f, "undefined-symbol")["when"], "startup");
    }

    for (program, symbol) in [
        ("data_vs_plt/call_znow", "f_call"),
        ("data_vs_plt/fn_ptr", "f_ptr"),
        ("data_vs_plt/data", "f_data"),
    ] {
        let c = case(&m, "glibc", program);
        let (code, f) = check(&m, "glibc", c, &[]);
        assert_fails(code, &f, 127);
        let p = problem(&f, "undefined-symbol");
        assert_eq!(p["symbol"], symbol, "{program}");
        assert_eq!(p["when"], "startup", "{program}");
    }

    // musl binds everything at start-up.
    let c = case(&m, "musl", "data_vs_plt/call_only");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_fails(code, &f, 127);
    let p = problem(&f, "undefined-symbol");
    assert_eq!(p["when"], "startup");
    assert_eq!(
        p["message"],
        "Error relocating /t/musl/data_vs_plt/call_only: f_call: symbol not found"
    );
}

#[test]
fn glibc_program_on_musl_root_has_no_interpreter() {
    let m = fixtures();
    let c = case(&m, "glibc", "fortify");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_fails(code, &f, 127);
    assert_eq!(f["loader"]["found"], false);
    assert_eq!(f["objects"], serde_json::json!([]));
    let p = problem(&f, "missing-interpreter");
    assert_eq!(p["interpreter"], "/lib64/ld-linux-x86-64.so.2");
    insta::assert_snapshot!("glibc_program_on_musl_root", human(&m, "musl", c, &[]));
}

#[test]
fn glibc_program_under_gcompat() {
    let m = fixtures();
    let c = case(&m, "glibc", "fortify");
    let (code, f) = check(&m, "gcompat", c, &[]);
    assert_ok(code, &f);
    assert_eq!(f["loader"]["gcompat"], true, "{f:#}");
    assert_eq!(f["loader"]["found"], true);
    let g = object(&f, "/lib/libgcompat.so.0");
    assert_eq!(g["via"], "preload");
    insta::assert_snapshot!("glibc_program_under_gcompat", human_v(&m, "gcompat", c));
}

#[test]
fn glibc_2_34_program_on_bullseye() {
    let m = fixtures();
    let c = case(&m, "glibc", "fortify");
    let (code, f) = check(&m, "bullseye", c, &[]);
    assert_fails(code, &f, 1);
    let p = problem(&f, "missing-version");
    assert_eq!(p["library"], "libc.so.6");
    assert_eq!(p["version"], "GLIBC_2.34");
    let syms = p["symbols"].as_array().expect("symbols");
    assert!(syms.iter().any(|s| s == "__libc_start_main"), "{p:#}");
    assert_eq!(
        p["message"],
        "/t/glibc/fortify/main: /lib/x86_64-linux-gnu/libc.so.6: \
         version `GLIBC_2.34' not found (required by /t/glibc/fortify/main)"
    );
    insta::assert_snapshot!(
        "glibc_2_34_program_on_bullseye",
        human(&m, "bullseye", c, &[])
    );

    let c = case(&m, "glibc", "version_too_new");
    let (code, f) = check(&m, "bullseye", c, &[]);
    assert_fails(code, &f, 1);
    let ps = problems(&f, "missing-version");
    let v236 = ps
        .iter()
        .find(|p| p["version"] == "GLIBC_2.36")
        .unwrap_or_else(|| panic!("GLIBC_2.36 is needed: {f:#}"));
    assert_eq!(v236["symbols"], serde_json::json!(["arc4random"]));
    // The real loader reports GLIBC_2.36 first, then GLIBC_2.34.
    assert_eq!(ps[0]["version"], "GLIBC_2.36");
}

#[test]
fn symbol_version_missing() {
    let m = fixtures();
    let c = case(&m, "glibc", "symbol_version_missing");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_fails(code, &f, 1);
    let p = problem(&f, "missing-version");
    assert_eq!(p["version"], "VERS_2.0");
    assert_eq!(p["symbols"], serde_json::json!(["new_fn"]));
    assert_eq!(
        p["message"],
        "/t/glibc/symbol_version_missing/main: /t/glibc/symbol_version_missing/lib/libv.so.1: \
         version `VERS_2.0' not found (required by /t/glibc/symbol_version_missing/main)"
    );
    insta::assert_snapshot!("symbol_version_missing_glibc", human(&m, "glibc", c, &[]));

    // musl ignores symbol versions: the program runs.
    let c = case(&m, "musl", "symbol_version_missing");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_ok(code, &f);
    assert_loaded(
        &f,
        "libv.so.1",
        "/t/musl/symbol_version_missing/lib/libv.so.1",
        "rpath",
    );
}

#[test]
fn preload() {
    let m = fixtures();
    let c = case(&m, "glibc", "preload");
    assert_eq!(
        c.env.get("LD_PRELOAD").map(String::as_str),
        Some("libP.so.1")
    );
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_ok(code, &f);
    assert_loaded(&f, "libP.so.1", "/t/glibc/preload/lib/libP.so.1", "preload");
    assert_loaded(&f, "libG.so.1", "/t/glibc/preload/lib/libG.so.1", "rpath");
    // The preload comes first in load order.
    assert_eq!(f["objects"][0]["needed"], "libP.so.1");
    insta::assert_snapshot!("preload_glibc", human_v(&m, "glibc", c));

    // musl searches no RPATH for a preload: it is silently dropped and the program runs.
    let c = case(&m, "musl", "preload");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_ok(code, &f);
    assert!(!has_object(&f, "libP.so.1"), "{f:#}");
    assert_loaded(&f, "libG.so.1", "/t/musl/preload/lib/libG.so.1", "rpath");
}

#[test]
fn missing_library() {
    let m = fixtures();
    let c = case(&m, "glibc", "missing_library");
    let (code, f) = check(&m, "glibc", c, &[]);
    assert_fails(code, &f, 127);
    let p = problem(&f, "missing-library");
    assert_eq!(p["library"], "libnope.so.1");
    assert_eq!(
        p["message"],
        "/t/glibc/missing_library/main: error while loading shared libraries: \
         libnope.so.1: cannot open shared object file: No such file or directory"
    );
    insta::assert_snapshot!("missing_library_glibc", human(&m, "glibc", c, &[]));

    let c = case(&m, "musl", "missing_library");
    let (code, f) = check(&m, "musl", c, &[]);
    assert_fails(code, &f, 127);
    let p = problem(&f, "missing-library");
    assert_eq!(
        p["message"],
        "Error loading shared library libnope.so.1: No such file or directory \
         (needed by /t/musl/missing_library/main)"
    );
    insta::assert_snapshot!("missing_library_musl", human(&m, "musl", c, &[]));
}

#[test]
fn needed_by_path() {
    let m = fixtures();
    for flavour in ["glibc", "musl"] {
        let c = case(&m, flavour, "needed_by_path");
        let (code, f) = check(&m, flavour, c, &[]);
        assert_ok(code, &f);
        let lib = format!("/t/{flavour}/needed_by_path/lib/libQ.so");
        assert_loaded(&f, &lib, &lib, "direct");
    }
}

#[test]
fn static_and_static_pie() {
    let m = fixtures();
    for flavour in ["glibc", "musl"] {
        for name in ["static", "static_pie"] {
            let c = case(&m, flavour, name);
            // A static program needs no loader: it runs on any root, even a foreign one.
            for root in ["glibc", "musl"] {
                let (code, f) = check(&m, root, c, &[]);
                assert_ok(code, &f);
                assert_eq!(
                    f["loader"]["flavor"], "static",
                    "{flavour}/{name} on {root}"
                );
                assert_eq!(f["objects"], serde_json::json!([]));
            }
        }
    }
}

/// `ldsim check ARGS` in human form (stdout).
fn human_of(args: &[&str]) -> String {
    let out = Command::new(ldsim_bin())
        .args(args)
        .output()
        .expect("run ldsim");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "ldsim panicked: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A program with several problems: the output leads with the one the real run stops at
/// (the first library not found), then counts and names the rest of what list mode reports.
#[test]
fn every_problem_at_once_led_by_the_first() {
    let m = fixtures();
    let c = case(&m, "glibc", "many_problems");
    let (code, file) = check(&m, "glibc", c, &[]);
    assert_fails(code, &file, 127);
    let first: Vec<&Value> = file["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["first"] == true)
        .collect();
    assert_eq!(first.len(), 1, "exactly one first problem: {file:#}");
    assert_eq!(first[0]["kind"], "missing-library");
    insta::assert_snapshot!("many_problems_glibc", human(&m, "glibc", c, &[]));
    insta::assert_snapshot!(
        "many_problems_musl",
        human(&m, "musl", case(&m, "musl", "many_problems"), &[])
    );
}

/// A shared object on its own, in list mode's words; and a plugin dlopen'ed by its host,
/// in dlerror()'s.
#[test]
fn shared_object_listed_and_plugin_dlopened() {
    let m = fixtures();
    let root = m.roots["glibc"].display().to_string();
    let so = m
        .shared_objects
        .iter()
        .find(|c| c.name == "so_missing_deps" && c.flavour == "glibc")
        .expect("so_missing_deps fixture");
    insta::assert_snapshot!(
        "so_missing_deps_glibc",
        human_of(&["check", "--sysroot", &root, "--in-target", &so.program])
    );
    let plugin = m
        .plugins
        .iter()
        .find(|c| c.name == "plugin_version_too_new" && c.flavour == "glibc")
        .expect("plugin_version_too_new fixture");
    insta::assert_snapshot!(
        "plugin_version_too_new_glibc",
        human_of(&[
            "check",
            "--sysroot",
            &root,
            "--in-target",
            "--loaded-by",
            &plugin.host,
            &plugin.plugin,
        ])
    );
    let notes = m
        .dlopen_notes
        .iter()
        .find(|c| c.flavour == "glibc" && c.program.ends_with("/main"))
        .expect("dlopen_note program");
    insta::assert_snapshot!(
        "dlopen_note_program_glibc",
        human_of(&["check", "--sysroot", &root, "--in-target", &notes.program])
    );
}
