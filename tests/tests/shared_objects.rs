//! Shared objects and plugins against the real loaders:
//! (a) every shared object (ET_DYN without PT_INTERP) in each of its roots: ldsim's complete
//!     problem set (`--loaded-by none`, list mode) against the root's loader in list mode
//!     (glibc `ldd -r`, musl `--list`);
//! (b) every plugin: the real `dlopen(PLUGIN, RTLD_NOW)` of the dlhost program against
//!     `ldsim check --loaded-by HOST PLUGIN`: same verdict, and the first problem's message is
//!     exactly what dlerror() returned;
//! (c) the CPython extension modules: a real `import` by the root's python3 against
//!     `--loaded-by /usr/bin/python3`.
//! All mismatches are collected and reported as one table.

use ldsim_tests::manifest::{Case, PluginCase};
use ldsim_tests::mismatch::{assert_none, Mismatch};
use ldsim_tests::oracle::{dlopen_with_host, list_shared_object, python_import, DlopenRun};
use ldsim_tests::sets::{diff, first_message, ldsim_sets, list_sets, symbol_key};
use ldsim_tests::{fixtures, report_of, run_ldsim, Manifest};
use serde_json::Value;
use std::path::Path;

fn is_musl_root(root: &str) -> bool {
    root == "musl" || root == "gcompat"
}

/// `ldsim check --sysroot ROOT --in-target --loaded-by WHO --format json FILE`: the report.
fn check(root: &Path, loaded_by: &str, file: &str) -> Result<Value, String> {
    let root = root.display().to_string();
    let args = [
        "check",
        "--sysroot",
        root.as_str(),
        "--in-target",
        "--loaded-by",
        loaded_by,
        "--format",
        "json",
        file,
    ];
    report_of(args)
}

fn check_shared_object(m: &Manifest, case: &Case, root_name: &str, out: &mut Vec<Mismatch>) {
    let root = &m.roots[root_name];
    let musl = is_musl_root(root_name);
    let list = list_shared_object(root, musl, &case.program, &case.env);
    let mut push = |field: &str, real: String, ldsim: String| {
        out.push(Mismatch {
            case: format!("{}/{}", case.flavour, case.name),
            root: root_name.to_string(),
            field: field.to_string(),
            real,
            ldsim,
        })
    };
    let report = match check(root, "none", &case.program) {
        Ok(report) => report,
        Err(err) => {
            push("ldsim-run", format!("{:?}", list_sets(&list, musl)), err);
            return;
        }
    };
    if report["mode"] != "list" {
        push("mode", "list".into(), report["mode"].to_string());
    }
    let real_verdict = if list.is_clean() { "ok" } else { "fails" };
    let verdict = report["verdict"].as_str().unwrap_or("?");
    if (real_verdict == "ok") != (verdict == "ok") {
        push("verdict", real_verdict.into(), verdict.into());
    }
    for (field, real, ldsim) in diff(&list_sets(&list, musl), &ldsim_sets(&report, musl)) {
        push(field, real, ldsim);
    }
    // A glibc list mode that stops (a bad file on the path) and musl's first `Error` line are
    // what a real load reports first.
    let real_first = if musl {
        list.lines.first().cloned()
    } else {
        list.fatal.clone()
    };
    if let Some(line) = real_first {
        let got = first_message(&report);
        if got.as_deref() != Some(line.as_str()) {
            push("first.message", line, format!("{got:?}"));
        }
    }
}

/// (b) and (c): one real dlopen against ldsim's dlopen simulation.
fn check_dlopen(
    m: &Manifest,
    case: &PluginCase,
    root_name: &str,
    real: &DlopenRun,
    out: &mut Vec<Mismatch>,
) {
    let root = &m.roots[root_name];
    let mut push = |field: &str, real: String, ldsim: String| {
        out.push(Mismatch {
            case: format!("{}/{}", case.flavour, case.name),
            root: root_name.to_string(),
            field: field.to_string(),
            real,
            ldsim,
        })
    };
    let real_verdict = if real.ok { "ok" } else { "fails" };
    let report = match check(root, &case.host, &case.plugin) {
        Ok(report) => report,
        Err(err) => {
            push(
                "ldsim-run",
                format!("{real_verdict} {:?}", real.dlerror),
                err,
            );
            return;
        }
    };
    if report["mode"] != "dlopen" {
        push("mode", "dlopen".into(), report["mode"].to_string());
    }
    if report["loaded_by"]["program"] != case.host.as_str() {
        push(
            "loaded_by.program",
            case.host.clone(),
            report["loaded_by"]["program"].to_string(),
        );
    }
    let verdict = report["verdict"].as_str().unwrap_or("?");
    if (verdict == "ok") != real.ok {
        push("verdict", real_verdict.into(), verdict.into());
    }
    let got = first_message(&report);
    if got != real.dlerror {
        push(
            "first.message",
            format!("{:?}", real.dlerror),
            format!("{got:?}"),
        );
    }
    let host_problems = report["host_problems"].as_array().map_or(0, Vec::len);
    if host_problems != 0 {
        push(
            "host_problems",
            "[] (the host started)".into(),
            report["host_problems"].to_string(),
        );
    }
}

#[test]
fn shared_objects_agree_with_list_mode() {
    let m = fixtures();
    assert!(
        !m.shared_objects.is_empty(),
        "the manifest has no shared objects: run `cargo xtask fixtures`"
    );
    let mut out = Vec::new();
    let mut checked = 0;
    for case in &m.shared_objects {
        for root in &case.roots {
            check_shared_object(&m, case, root, &mut out);
            checked += 1;
        }
    }
    assert_none("shared-object/root pairs", checked, &out);
}

#[test]
fn plugins_agree_with_a_real_dlopen() {
    let m = fixtures();
    assert!(
        !m.plugins.is_empty(),
        "the manifest has no plugins: run `cargo xtask fixtures`"
    );
    let mut out = Vec::new();
    let mut checked = 0;
    for case in &m.plugins {
        for root in &case.roots {
            let real = dlopen_with_host(&m.roots[root], &case.host, &case.plugin, &case.env);
            check_dlopen(&m, case, root, &real, &mut out);
            checked += 1;
        }
    }
    assert_none("plugin/root pairs", checked, &out);
}

#[test]
fn python_extensions_agree_with_a_real_import() {
    let m = fixtures();
    assert!(
        !m.python_extensions.is_empty(),
        "the manifest has no extension modules: run `cargo xtask fixtures`"
    );
    let mut out = Vec::new();
    let mut checked = 0;
    for case in &m.python_extensions {
        let module = case
            .module
            .as_deref()
            .expect("an extension names its module");
        let dir = case.plugin.rsplit_once('/').map_or("/", |(d, _)| d);
        for root in &case.roots {
            let real = python_import(&m.roots[root], &case.host, dir, module, &case.env);
            check_dlopen(&m, case, root, &real, &mut out);
            checked += 1;
        }
    }
    assert_none("extension/root pairs", checked, &out);
}

/// The fixtures themselves: what each plugin and extension case is named after really
/// happens (independent of ldsim).
#[test]
fn plugin_fixtures_do_what_they_are_named_after() {
    let m = fixtures();
    let mut wrong = Vec::new();
    for case in m.plugins.iter().chain(&m.python_extensions) {
        for root in &case.roots {
            let real = match case.module.as_deref() {
                Some(module) => {
                    let dir = case.plugin.rsplit_once('/').map_or("/", |(d, _)| d);
                    python_import(&m.roots[root], &case.host, dir, module, &case.env)
                }
                None => dlopen_with_host(&m.roots[root], &case.host, &case.plugin, &case.env),
            };
            println!(
                "{:<8} {:<28} {:<9} {}",
                case.flavour,
                case.name,
                root,
                real.dlerror.as_deref().unwrap_or("dlopen ok")
            );
            let should_load = matches!(
                case.name.as_str(),
                "plugin_ok"
                    | "plugin_host_symbols"
                    | "plugin_rpath_from_host"
                    | "plugin_runpath_own"
                    | "py_extension/ldsimext"
            );
            if real.ok != should_load || (!real.ok && real.dlerror.is_none()) {
                wrong.push(format!(
                    "{}/{} in {root}: ok={} {:?} stderr {:?}",
                    case.flavour, case.name, real.ok, real.dlerror, real.run.stderr
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The shared-object fixtures' list mode reports what each case is named after.
#[test]
fn shared_object_fixtures_do_what_they_are_named_after() {
    let m = fixtures();
    let mut wrong = Vec::new();
    for case in &m.shared_objects {
        for root in &case.roots {
            let musl = is_musl_root(root);
            let list = list_shared_object(&m.roots[root], musl, &case.program, &case.env);
            println!(
                "{:<6} {:<26} {:<9} not found {:?} versions {:?} undefined {:?} fatal {:?}",
                case.flavour,
                case.name,
                root,
                list.not_found,
                list.missing_versions
                    .iter()
                    .map(|v| &v.version)
                    .collect::<Vec<_>>(),
                list.undefined
                    .iter()
                    .map(|u| symbol_key(&u.symbol, u.version.as_deref(), musl))
                    .collect::<Vec<_>>(),
                list.fatal
            );
            let ok = match case.name.as_str() {
                "so_plain" | "so_rpath" | "so_runpath" | "so_origin_runpath" => list.is_clean(),
                "so_missing_deps" => list.not_found.len() == 2,
                "so_version_too_new" => {
                    list.undefined.iter().any(|u| u.symbol == "f")
                        && (musl || list.missing_versions.iter().any(|v| v.version == "V2"))
                }
                "so_undefined" => list.undefined.len() == 2,
                name if name.starts_with("so_musl_on_glibc/") => {
                    // Loads under musl; the glibc roots cannot find (or cannot load) musl's libc.
                    musl == list.is_clean()
                }
                _ => true,
            };
            if !ok {
                wrong.push(format!(
                    "{}/{} in {root}: {list:?}",
                    case.flavour, case.name
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A CPython extension module is recognised (its `PyInit_*` export, its `cpython-311` tag)
/// and, with no `--loaded-by`, is dlopen'ed by the root's own python3.11 automatically: the
/// same answer as the explicit host, and the report says the host was chosen by ldsim.
/// `--loaded-by none` gives exactly the list-mode answer (python's symbols undefined); on a
/// target without python the Py* symbols are expected from the host, not missing.
#[test]
fn python_extensions_are_loaded_by_the_root_s_own_python_automatically() {
    let m = fixtures();
    let ok = m
        .python_extensions
        .iter()
        .find(|c| c.module.as_deref() == Some("ldsimext"))
        .expect("the ldsimext fixture: run `cargo xtask fixtures`");
    let root = &m.roots["glibc"];
    let (code, json, stderr) = run_ldsim([
        "check",
        "--sysroot",
        &root.display().to_string(),
        "--in-target",
        "--format",
        "json",
        ok.plugin.as_str(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report = &json["files"][0];
    assert_eq!(report["mode"], "dlopen", "{report:#}");
    assert_eq!(report["loaded_by"]["automatic"], true);
    assert_eq!(report["loaded_by"]["program"], "/usr/bin/python3.11");
    assert_eq!(report["plugin"]["host"], "cpython");

    // `--loaded-by none` is exactly list mode: python's symbols are undefined there.
    let listed = check(root, "none", &ok.plugin).expect("list mode");
    assert_eq!(listed["mode"], "list");
    assert_eq!(listed["verdict"], "fails", "{listed:#}");
    assert!(
        listed["plugin"]["expected_from_host"].is_null(),
        "{listed:#}"
    );
    // On a target without python (a built-in one), they are expected from the host.
    let module = root.join(ok.plugin.trim_start_matches('/'));
    let (_, json, stderr) = run_ldsim([
        "check",
        "--target",
        "debian-12",
        "--format",
        "json",
        &module.display().to_string(),
    ]);
    let listed = &json["files"][0];
    assert_eq!(listed["mode"], "list", "{stderr}");
    assert_eq!(listed["verdict"], "ok", "{listed:#}");
    let expected: Vec<&str> = listed["plugin"]["expected_from_host"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !expected.is_empty()
            && expected
                .iter()
                .all(|s| s.starts_with("Py") || s.starts_with("_Py")),
        "Py* symbols expected from the host: {expected:?}"
    );
}

/// Shared objects on built-in targets: a musl-linked object fails on a glibc target for want
/// of musl's libc (as `ldd` on the real image says) and loads on a musl target; a glibc
/// object's list-mode problems on a built-in target equal those on the real root it stands
/// for (debian-12 = the Debian 12 fixture root).
#[test]
fn shared_objects_on_builtin_targets() {
    let m = fixtures();
    let musl_root = &m.roots["musl"];
    let alpine_so = musl_root.join("t/musl/so_musl_on_glibc/alpine.so");
    let (_, json, stderr) = run_ldsim([
        "check",
        "--target",
        "debian-12",
        "--target",
        "musl-1.2.3",
        "--format",
        "json",
        &alpine_so.display().to_string(),
    ]);
    let reports: Vec<&Value> = json["files"].as_array().into_iter().flatten().collect();
    let on = |target: &str| {
        reports
            .iter()
            .find(|r| r["target"] == target)
            .unwrap_or_else(|| panic!("no report for {target}: {json:#} {stderr}"))
    };
    let debian = on("debian-12");
    assert_eq!(debian["mode"], "list");
    assert_eq!(debian["verdict"], "fails");
    assert!(
        debian["problems"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| {
                p["kind"] == "missing-library"
                    && p["library"] == "libc.musl-x86_64.so.1"
                    && p["first"] == true
            }),
        "{debian:#}"
    );
    assert_eq!(on("musl-1.2.3")["verdict"], "ok", "{:#}", on("musl-1.2.3"));

    let glibc_root = &m.roots["glibc"];
    for case in m
        .shared_objects
        .iter()
        .filter(|c| c.flavour == "glibc" && c.roots.iter().any(|r| r == "glibc"))
    {
        // Libraries the fixture installs itself are outside the built-in tables (unknown).
        let real = check(glibc_root, "none", &case.program).expect("real root");
        let host = glibc_root.join(case.program.trim_start_matches('/'));
        let (_, json, stderr) = run_ldsim([
            "check",
            "--target",
            "debian-12",
            "--loaded-by",
            "none",
            "--format",
            "json",
            &host.display().to_string(),
        ]);
        let builtin = &json["files"][0];
        assert_eq!(builtin["mode"], "list", "{}: {stderr}", case.name);
        let libc_versions = |r: &Value| -> Vec<String> {
            r["problems"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["kind"] == "missing-version" && p["library"] == "libc.so.6")
                .map(|p| p["version"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        assert_eq!(
            libc_versions(&real),
            libc_versions(builtin),
            "{}: libc versions on debian-12 vs the Debian 12 root",
            case.name
        );
        if real["verdict"] == "ok" {
            assert_eq!(builtin["verdict"], "ok", "{}: {builtin:#}", case.name);
        }
    }
}

/// `--loaded-by` a host program that is a host file (not in the target): it is mounted at its
/// own path, like FILE, and the plugin is dlopen'ed from it; without a host the symbols only
/// the host exports are undefined.
#[test]
fn loaded_by_a_host_file() {
    let m = fixtures();
    let root = &m.roots["glibc"];
    let dir = tempfile::tempdir().expect("temp dir");
    let host = dir.path().join("host");
    let plugin = dir.path().join("plugin.so");
    std::fs::copy(root.join("t/glibc/dlhost/host"), &host).expect("copy the dlopen host");
    std::fs::copy(root.join("t/glibc/plugin_host_symbols/plugin.so"), &plugin)
        .expect("copy the plugin");
    let sysroot = root.display().to_string();
    let run = |loaded_by: &str| {
        let (code, json, stderr) = run_ldsim([
            "check",
            "--sysroot",
            sysroot.as_str(),
            "--loaded-by",
            loaded_by,
            "--format",
            "json",
            &plugin.display().to_string(),
        ]);
        assert!(code == 0 || code == 1, "exit {code}: {stderr}");
        json["files"][0].clone()
    };
    let hosted = run(&host.display().to_string());
    assert_eq!(hosted["mode"], "dlopen", "{hosted:#}");
    assert_eq!(hosted["verdict"], "ok", "{hosted:#}");
    let alone = run("none");
    assert_eq!(alone["mode"], "list");
    assert_eq!(alone["verdict"], "fails");
    let undefined: Vec<&str> = alone["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["kind"] == "undefined-symbol")
        .filter_map(|p| p["symbol"].as_str())
        .collect();
    assert!(
        undefined.contains(&"host_api_version") && undefined.contains(&"host_counter"),
        "{undefined:?}"
    );
}
