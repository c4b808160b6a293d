//! Release policies (`--policy`, `--max-glibc` …) and `ldsim.toml`: the versions over a limit,
//! with the symbols that require them, must be exactly what `objdump -T` says the program
//! imports above that limit; exceptions and their reasons come from the configuration, and
//! flags win over it.

use ldsim_tests::{fixtures, ldsim_bin, run_ldsim, Manifest};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Programs built on bookworm needing glibc 2.33–2.36 and a newer libstdc++.
const PROGRAMS: &[&str] = &[
    "newer_glibc/stat",
    "newer_glibc/pthread",
    "newer_glibc/arc4random",
    "newer_glibc/cxx",
];

fn host_path(m: &Manifest, name: &str) -> PathBuf {
    let case = m
        .cases
        .iter()
        .find(|c| c.flavour == "glibc" && c.name == name)
        .unwrap_or_else(|| panic!("no fixture glibc/{name}: rerun `cargo xtask fixtures`"));
    m.roots["glibc"].join(case.program.trim_start_matches('/'))
}

/// version → symbols, for the undefined symbols `objdump -T` shows with a GLIBC_ version.
fn glibc_imports(file: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new("objdump")
        .arg("-T")
        .arg(file)
        .output()
        .unwrap();
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if !line.contains("*UND*") {
            continue;
        }
        let (Some(open), Some(close)) = (line.find('('), line.find(')')) else {
            continue;
        };
        let version = &line[open + 1..close];
        if version.starts_with("GLIBC_2") {
            map.entry(version.to_owned())
                .or_default()
                .insert(line[close + 1..].trim().to_owned());
        }
    }
    map
}

fn numbers(version: &str) -> Vec<u32> {
    version
        .trim_start_matches("GLIBC_")
        .split('.')
        .map(|p| p.parse().unwrap())
        .collect()
}

/// The policy section of ldsim's JSON for `files` checked on their own root with `flags`.
fn policy_of(m: &Manifest, files: &[PathBuf], flags: &[&str]) -> (i32, Value) {
    let mut args: Vec<String> = vec!["check".into(), "--format".into(), "json".into()];
    args.push("--sysroot".into());
    args.push(m.roots["glibc"].display().to_string());
    args.extend(flags.iter().map(|f| f.to_string()));
    args.extend(files.iter().map(|f| f.display().to_string()));
    let (code, json, stderr) = run_ldsim(&args);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code, json["policy"].clone())
}

#[test]
fn glibc_limits_name_exactly_the_versions_and_symbols_over_them() {
    let m = fixtures();
    let files: Vec<PathBuf> = PROGRAMS.iter().map(|p| host_path(&m, p)).collect();
    for limit in ["2.28", "2.33", "2.34", "2.36"] {
        let (code, policy) = policy_of(&m, &files, &["--max-glibc", limit]);
        let mut any = false;
        for (file, entry) in files.iter().zip(policy["files"].as_array().unwrap()) {
            let expected: BTreeMap<String, BTreeSet<String>> = glibc_imports(file)
                .into_iter()
                .filter(|(v, _)| numbers(v) > numbers(&format!("GLIBC_{limit}")))
                .collect();
            let found: BTreeMap<String, BTreeSet<String>> = entry["violations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    let symbols = v["symbols"].as_array().unwrap();
                    (
                        v["version"].as_str().unwrap().to_owned(),
                        symbols
                            .iter()
                            .map(|s| s.as_str().unwrap().to_owned())
                            .collect(),
                    )
                })
                .collect();
            assert_eq!(found, expected, "{} under glibc {limit}", file.display());
            assert_eq!(entry["passes"], expected.is_empty());
            any |= !expected.is_empty();
        }
        // The programs load on their own root: only the policy can fail the run.
        assert_eq!(code, i32::from(any), "exit status under glibc {limit}");
    }
}

#[test]
fn named_policies_check_libstdcxx_too() {
    let m = fixtures();
    let cxx = host_path(&m, "newer_glibc/cxx");
    let (code, policy) = policy_of(&m, &[cxx], &["--policy", "manylinux_2_28"]);
    assert_eq!(code, 1);
    assert_eq!(policy["name"], "manylinux_2_28");
    let limits: BTreeSet<&str> = policy["files"][0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["limit"].as_str().unwrap())
        .collect();
    assert!(limits.contains("glibc 2.28"), "{policy}");
    assert!(limits.contains("GLIBCXX_3.4.24"), "{policy}");
    // musllinux allows no glibc version at all.
    let stat = host_path(&m, "newer_glibc/stat");
    let (_, policy) = policy_of(&m, &[stat], &["--policy", "musllinux_1_2"]);
    assert_eq!(
        policy["files"][0]["violations"][0]["limit"],
        "no glibc (musllinux_1_2)"
    );
    // Unknown names and bad versions are usage errors.
    let (code, _, stderr) = run_ldsim(["check", "--policy", "manylinux_2_99", "x"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run_ldsim(["check", "--max-glibc", "two", "x"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn ldsim_toml_gives_files_targets_policy_and_exceptions() {
    let m = fixtures();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bin")).unwrap();
    for name in ["newer_glibc/stat", "newer_glibc/pthread"] {
        let base = name.rsplit('/').next().unwrap();
        std::fs::copy(host_path(&m, name), dir.path().join("bin").join(base)).unwrap();
    }
    std::fs::write(
        dir.path().join("ldsim.toml"),
        format!(
            "files = [\"bin/*\"]\nsysroot = \"{}\"\n\n[policy]\nglibc = \"2.33\"\n\n\
             [[allow]]\nsymbol = \"__libc_start_main\"\nreason = \"the old builder is back next release\"\n",
            m.roots["glibc"].display()
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let out = Command::new(ldsim_bin())
            .arg("check")
            .args(extra)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, json) = run(&["--format", "json"]);
    assert_eq!(code, 1, "pthread needs pthread_create@GLIBC_2.34");
    let json: Value = serde_json::from_str(&json).unwrap();
    let files = json["policy"]["files"].as_array().unwrap();
    let by_file: BTreeMap<&str, &Value> = files
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f))
        .collect();
    // The exception removes __libc_start_main everywhere, with its reason.
    let stat = by_file["bin/stat"];
    assert_eq!(stat["passes"], true, "{stat}");
    assert_eq!(stat["excused"][0]["allowed"]["what"], "__libc_start_main");
    assert_eq!(
        stat["excused"][0]["allowed"]["reason"],
        "the old builder is back next release"
    );
    let pthread = by_file["bin/pthread"];
    assert_eq!(pthread["passes"], false);
    let left: Vec<&str> = pthread["violations"][0]["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(left, ["pthread_create", "pthread_join"]);
    // A flag wins over the file.
    let (code, _) = run(&["--max-glibc", "2.36", "--quiet"]);
    assert_eq!(code, 0);
    let (_, human) = run(&[]);
    let section: String = human
        .lines()
        .skip_while(|l| !l.starts_with("policy "))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("toml_policy_human", section);
    // A key the configuration does not know is refused, naming the file.
    std::fs::write(dir.path().join("bad.toml"), "fils = []\n").unwrap();
    let out = Command::new(ldsim_bin())
        .args(["check", "--config", "bad.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
}

/// `[[plugins]]`: the files a glob matches are dlopened by the program it names (as
/// `--loaded-by`), the others checked as the command line says; `--loaded-by` wins for all.
#[test]
fn ldsim_toml_names_the_host_of_plugin_globs() {
    let m = fixtures();
    let root = m.roots["glibc"].display().to_string();
    let plugin = |name: &str| {
        m.plugins
            .iter()
            .find(|p| p.flavour == "glibc" && p.name == name)
            .unwrap_or_else(|| panic!("no plugin fixture {name}: rerun `cargo xtask fixtures`"))
            .clone()
    };
    let (ok, rpath) = (plugin("plugin_ok"), plugin("plugin_rpath_from_host"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ldsim.toml"),
        format!(
            "[[plugins]]\nfiles = \"/t/glibc/plugin_rpath_*/*.so\"\nloaded_by = \"{}\"\n",
            rpath.host
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| -> Value {
        let out = Command::new(ldsim_bin())
            .args([
                "check",
                "--format",
                "json",
                "--in-target",
                "--sysroot",
                &root,
            ])
            .args(extra)
            .args([&ok.plugin, &rpath.plugin])
            .current_dir(dir.path())
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let json = run(&[]);
    let (first, second) = (&json["files"][0], &json["files"][1]);
    // Not matched: a shared object on its own (list mode).
    assert_eq!(first["mode"], "list", "{first}");
    // Matched: loaded by the host, whose DT_RPATH finds the plugin's dependency.
    assert_eq!(second["mode"], "dlopen", "{second}");
    assert_eq!(second["loaded_by"]["program"], rpath.host.as_str());
    assert_eq!(second["verdict"], "ok", "{second}");
    // The command line wins for every file.
    let json = run(&["--loaded-by", "none"]);
    assert_eq!(json["files"][1]["mode"], "list");
    assert_eq!(json["files"][1]["verdict"], "fails", "{}", json["files"][1]);
}
