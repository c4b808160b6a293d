//! End-to-end checks of the built-in targets (`ldsim check --target NAME`, and the default set):
//! they must agree with the real fixture roots they model, and predict exactly which targets a
//! program built on bookworm fails on, with the versions and symbols an independent oracle
//! (`objdump`) names.

use ldsim_tests::manifest::{trixie_amd64_reference, Case};
use ldsim_tests::oracle::observe_case;
use ldsim_tests::{fixtures, run_ldsim, Manifest};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Fixture root → the built-in target that models it.
const EQUIVALENT: [(&str, &str); 3] = [
    ("glibc", "debian-12"),
    ("bullseye", "debian-11"),
    ("musl", "musl-1.2.3"),
];

/// Sonames the built-in tables describe: an "unknown" library is never one of these.
const TABLE_SONAMES: &[&str] = &[
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
    "libanl.so.1",
    "libnsl.so.1",
    "libmvec.so.1",
    "libBrokenLocale.so.1",
    "libthread_db.so.1",
    "libc_malloc_debug.so.0",
    "ld-linux-x86-64.so.2",
    "libstdc++.so.6",
    "libgcc_s.so.1",
    "libc.musl-x86_64.so.1",
    "ld-musl-x86_64.so.1",
];

fn cpu_arg(m: &Manifest) -> &str {
    match m.cpu_level.as_str() {
        "x86-64" => "baseline",
        level => level,
    }
}

/// Runs `ldsim check --format json ARGS`; the whole document. Exit 0 or 1 only.
fn check_json(args: &[String]) -> Value {
    let mut all: Vec<String> = vec!["check".into(), "--format".into(), "json".into()];
    all.extend_from_slice(args);
    let (code, json, stderr) = run_ldsim(&all);
    assert!(
        (code == 0 || code == 1) && json["files"].is_array(),
        "ldsim {all:?}: exit {code}: {stderr}"
    );
    json
}

fn env_args(case: &Case) -> Vec<String> {
    case.env
        .iter()
        .flat_map(|(k, v)| ["--env".to_string(), format!("{k}={v}")])
        .collect()
}

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

fn problems<'a>(report: &'a Value, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    report["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |p| p["kind"] == kind)
}

/// (library, version) of every missing-version problem.
fn missing_versions(report: &Value) -> BTreeSet<(String, String)> {
    problems(report, "missing-version")
        .map(|p| (str_of(p, "library"), str_of(p, "version")))
        .collect()
}

fn undefined_symbols(report: &Value) -> BTreeSet<String> {
    problems(report, "undefined-symbol")
        .map(|p| str_of(p, "symbol"))
        .collect()
}

fn string_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}

fn unknown_libraries(report: &Value) -> BTreeSet<String> {
    report["unknown_libraries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| str_of(u, "library"))
        .collect()
}

fn is_libc_version(version: &str) -> bool {
    version.starts_with("GLIBC_")
}

/// Compares the built-in target's report with the real root's for one program; one line per
/// disagreement.
fn compare_builtin(real: &Value, builtin: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let (rv, bv) = (str_of(real, "verdict"), str_of(builtin, "verdict"));
    let unknown = unknown_libraries(builtin);
    // A library outside the tables is unknown to a built-in target by design (the issue: "not
    // as a failure"), so the real root failing for want of it is the one allowed difference.
    let real_missing: BTreeSet<String> = problems(real, "missing-library")
        .map(|p| str_of(p, "library"))
        .collect();
    let explained_by_unknown = real_missing.iter().any(|l| unknown.contains(l));
    if rv != bv && !explained_by_unknown {
        out.push(format!("verdict: real {rv}, built-in {bv}"));
    }
    let resolved_by_real: BTreeSet<String> = real["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["path"].is_string())
        .map(|o| str_of(o, "needed"))
        .collect();
    for lib in &unknown {
        if TABLE_SONAMES.contains(&lib.as_str()) {
            out.push(format!("{lib} is unknown although the tables describe it"));
        } else if !resolved_by_real.contains(lib)
            && !real_missing.contains(lib)
            && real_missing.is_empty()
        {
            out.push(format!(
                "{lib} is unknown (verdict {bv}) but the real root does not load it (verdict {rv})"
            ));
        }
    }
    let (real_mv, builtin_mv) = (missing_versions(real), missing_versions(builtin));
    for (lib, version) in real_mv.iter().filter(|(_, v)| is_libc_version(v)) {
        if !builtin_mv.contains(&(lib.clone(), version.clone())) {
            out.push(format!(
                "real misses {lib} {version}, the built-in does not"
            ));
        }
    }
    // glibc stops at a missing library before it checks versions (glibc elf/dl-load.c:
    // _dl_map_object fails inside _dl_map_object_deps): only a real run that got that far
    // says which versions are missing.
    let real_stopped_early = problems(real, "missing-library").next().is_some()
        || problems(real, "missing-interpreter").next().is_some();
    for (lib, version) in builtin_mv.iter().filter(|(_, v)| is_libc_version(v)) {
        if !real_stopped_early && !real_mv.contains(&(lib.clone(), version.clone())) {
            out.push(format!(
                "built-in misses {lib} {version}, the real root does not"
            ));
        }
    }
    // A symbol the real loader cannot bind is reported by the built-in too, or left
    // unverified because a library of unknown exports might define it.
    let unverified = string_set(&builtin["unverified_symbols"]);
    let builtin_undef = undefined_symbols(builtin);
    for sym in undefined_symbols(real) {
        if !builtin_undef.contains(&sym) && !unverified.contains(&sym) {
            out.push(format!(
                "real cannot bind {sym}; the built-in neither reports nor leaves it unverified"
            ));
        }
    }
    out
}

#[test]
fn a_builtin_target_and_the_equivalent_real_root_give_the_same_verdict_for_every_fixture() {
    let m = fixtures();
    let cpu = cpu_arg(&m);
    let mut diverging = Vec::new();
    let mut checked = 0;
    for (root_name, target) in EQUIVALENT {
        let root = &m.roots[root_name];
        let overlay = format!("{}:/t", root.join("t").display());
        for case in m
            .cases
            .iter()
            .filter(|c| c.roots.iter().any(|r| r == root_name))
        {
            let mut real_args = vec![
                "--cpu".into(),
                cpu.into(),
                "--sysroot".into(),
                root.display().to_string(),
                "--in-target".into(),
            ];
            real_args.extend(env_args(case));
            real_args.push(case.program.clone());
            let mut builtin_args = vec![
                "--cpu".into(),
                cpu.into(),
                "--target".into(),
                target.into(),
                "--overlay".into(),
                overlay.clone(),
            ];
            builtin_args.extend(env_args(case));
            let host_program = root.join(case.program.trim_start_matches('/'));
            builtin_args.push(host_program.display().to_string());
            let real = check_json(&real_args);
            let builtin = check_json(&builtin_args);
            let builtin = &builtin["files"][0];
            assert_eq!(
                builtin["target"], target,
                "{}: report names its target",
                case.name
            );
            checked += 1;
            for why in compare_builtin(&real["files"][0], builtin) {
                diverging.push(format!(
                    "{:<8} {:<5} {:<36} {why}",
                    root_name, case.flavour, case.name
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} program/root pairs checked");
    assert!(
        diverging.is_empty(),
        "{} divergences over {checked} program/root pairs (root, flavour, case, why):\n{}",
        diverging.len(),
        diverging.join("\n")
    );
}

/// The other releases whose base image has a table, against their real minbase roots made by
/// debootstrap (`cargo xtask fixtures`: `<fixtures>/minbase/<target>`), with the glibc
/// fixtures' `/t` mounted in both: the same verdict, problems and resolved libraries.
#[test]
fn builtin_base_images_match_real_minbase_roots_for_every_glibc_fixture() {
    let m = fixtures();
    let cpu = cpu_arg(&m);
    let fixture_root = &m.roots["glibc"];
    let overlay = format!("{}:/t", fixture_root.join("t").display());
    let mut diverging = Vec::new();
    let mut checked = 0;
    for target in [
        "debian-13",
        "ubuntu-18.04",
        "ubuntu-20.04",
        "ubuntu-22.04",
        "ubuntu-24.04",
    ] {
        let root = ldsim_tests::manifest::minbase_root(target);
        for case in m
            .cases
            .iter()
            .filter(|c| c.flavour == "glibc" && c.roots.iter().any(|r| r == "glibc"))
        {
            let common = |how: [String; 2]| {
                let mut args: Vec<String> = vec!["--cpu".into(), cpu.into()];
                args.extend(how);
                args.extend(["--overlay".into(), overlay.clone(), "--in-target".into()]);
                args.extend(env_args(case));
                args.push(case.program.clone());
                check_json(&args)
            };
            let real = common(["--sysroot".into(), root.display().to_string()]);
            let builtin = common(["--target".into(), target.into()]);
            checked += 1;
            for why in compare_builtin(&real["files"][0], &builtin["files"][0]) {
                diverging.push(format!("{target:<12} {:<36} {why}", case.name));
            }
        }
    }
    assert!(checked > 100, "only {checked} program/root pairs checked");
    assert!(
        diverging.is_empty(),
        "{} divergences over {checked} program/root pairs (target, case, why):\n{}",
        diverging.len(),
        diverging.join("\n")
    );
}

// --- programs built on a newer glibc ---------------------------------------------------------

/// What `objdump` says a program needs: version → (libraries it is required from, symbols).
#[derive(Debug, Default)]
struct Needs {
    versions: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    /// Weak references: unresolved, they are 0, not an error.
    weak: BTreeSet<String>,
}

fn objdump(flag: &str, file: &Path) -> String {
    let out = Command::new("objdump")
        .arg(flag)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("objdump {flag} {}: {e}", file.display()));
    assert!(out.status.success(), "objdump {flag} {}", file.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Version references (`objdump -p`) and the undefined symbols of each version (`objdump -T`).
fn needs(file: &Path) -> Needs {
    let mut n = Needs::default();
    let private = objdump("-p", file);
    let mut from = None;
    let mut in_refs = false;
    for line in private.lines() {
        if line.starts_with("Version References:") {
            in_refs = true;
            continue;
        }
        if !in_refs {
            continue;
        }
        if let Some(lib) = line.trim().strip_prefix("required from ") {
            from = Some(lib.trim_end_matches(':').to_string());
        } else if let (Some(lib), Some(version)) = (&from, line.split_whitespace().nth(3)) {
            n.versions
                .entry(version.to_string())
                .or_default()
                .0
                .insert(lib.clone());
        } else if line.trim().is_empty() && from.is_some() {
            break;
        }
    }
    for line in objdump("-T", file).lines().filter(|l| l.contains("*UND*")) {
        let (Some(open), Some(close)) = (line.find('('), line.find(')')) else {
            continue;
        };
        let version = &line[open + 1..close];
        let symbol = line[close + 1..].trim();
        if line.split_whitespace().nth(1) == Some("w") {
            n.weak.insert(symbol.to_string());
        }
        n.versions
            .entry(version.to_string())
            .or_default()
            .1
            .insert(symbol.to_string());
    }
    n
}

/// "2.2.5" → [2, 2, 5]; "GCC 8.3" numbers the same way after the prefix.
fn numbers(text: &str) -> Vec<u32> {
    text.split('.')
        .map(|p| p.trim().parse().unwrap_or(0))
        .collect()
}

/// The GCC release that introduced a libstdc++ / libgcc_s version node (libstdc++ manual,
/// "ABI Policy and Guidelines", symbol versioning history), as (major, minor).
fn gcc_introducing(version: &str) -> (u32, u32) {
    match version {
        "GLIBCXX_3.4.11" => (4, 4),
        "GLIBCXX_3.4.29" => (11, 1),
        "GLIBCXX_3.4.30" => (12, 1),
        "CXXABI_1.3" => (3, 4),
        "GCC_3.0" => (3, 0),
        other => panic!("extend gcc_introducing with {other}"),
    }
}

/// The built-in targets (`ldsim targets --format json`).
fn targets() -> Vec<Value> {
    let (code, json, stderr) = run_ldsim(["targets", "--format", "json"]);
    assert_eq!(code, 0, "ldsim targets: {stderr}");
    json.as_array().cloned().expect("targets JSON is an array")
}

fn newer_glibc_programs(m: &Manifest) -> Vec<(String, std::path::PathBuf)> {
    let root = &m.roots["glibc"];
    let out: Vec<_> = m
        .cases
        .iter()
        .filter(|c| c.name.starts_with("newer_glibc/"))
        .map(|c| (c.name.clone(), root.join(c.program.trim_start_matches('/'))))
        .collect();
    assert!(
        out.len() >= 5,
        "newer_glibc fixtures missing: run `cargo xtask fixtures`"
    );
    out
}

/// Reports of `program` on every target in `names`, by target name.
fn reports_on(program: &Path, names: &[String]) -> BTreeMap<String, Value> {
    let mut args: Vec<String> = Vec::new();
    for name in names {
        args.extend(["--target".to_string(), name.clone()]);
    }
    args.push(program.display().to_string());
    let json = check_json(&args);
    let files = json["files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), names.len(), "one report per target");
    files
        .into_iter()
        .map(|r| (str_of(&r, "target"), r))
        .collect()
}

/// Missing-version problems as version → (libraries, symbols), the shape of [`Needs`].
fn missing_by_version(report: &Value) -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let mut out: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for p in problems(report, "missing-version") {
        let entry = out.entry(str_of(p, "version")).or_default();
        entry.0.insert(str_of(p, "library"));
        entry.1.extend(string_set(&p["symbols"]));
    }
    out
}

#[test]
fn programs_built_on_a_newer_glibc_fail_on_exactly_the_older_targets() {
    let m = fixtures();
    let all = targets();
    let glibc_targets: Vec<&Value> = all
        .iter()
        .filter(|t| str_of(t, "libc").starts_with("glibc "))
        .collect();
    assert!(
        glibc_targets.len() > 30,
        "glibc targets: {}",
        glibc_targets.len()
    );
    let names: Vec<String> = glibc_targets.iter().map(|t| str_of(t, "name")).collect();
    let mut wrong = Vec::new();
    for (name, program) in newer_glibc_programs(&m) {
        let need = needs(&program);
        let reports = reports_on(&program, &names);
        let cxx = need.versions.keys().any(|v| v.starts_with("GLIBCXX_"));
        for t in &glibc_targets {
            let target = str_of(t, "name");
            let report = &reports[&target];
            let glibc = numbers(str_of(t, "libc").trim_start_matches("glibc "));
            let libstdcxx = str_of(t, "libstdcxx");
            let gcc = libstdcxx.strip_prefix("GCC ").map(numbers).map(|v| {
                (
                    v.first().copied().unwrap_or(0),
                    v.get(1).copied().unwrap_or(0),
                )
            });
            let mut expected = BTreeMap::new();
            for (version, needed) in &need.versions {
                let newer = if let Some(v) = version.strip_prefix("GLIBC_") {
                    numbers(v) > glibc
                } else if version.starts_with("GLIBCXX_")
                    || version.starts_with("CXXABI_")
                    || version.starts_with("GCC_")
                {
                    gcc.is_some_and(|g| gcc_introducing(version) > g)
                } else {
                    false
                };
                if newer {
                    expected.insert(version.clone(), needed.clone());
                }
            }
            let got = missing_by_version(report);
            if got != expected {
                wrong.push(format!(
                    "{name} on {target}: missing versions {got:?}, objdump says {expected:?}"
                ));
            }
            let missing_libs: BTreeSet<String> = problems(report, "missing-library")
                .map(|p| str_of(p, "library"))
                .collect();
            let unknown = unknown_libraries(report);
            let fails = !expected.is_empty() || (cxx && libstdcxx == "none");
            if cxx && libstdcxx == "none" && !missing_libs.contains("libstdc++.so.6") {
                wrong.push(format!(
                    "{name} on {target}: libstdc++.so.6 not reported missing"
                ));
            }
            if cxx && libstdcxx == "not described" && !unknown.contains("libstdc++.so.6") {
                wrong.push(format!(
                    "{name} on {target}: libstdc++.so.6 not unknown: {unknown:?}"
                ));
            }
            let verdict = str_of(report, "verdict");
            if (verdict == "fails") != fails {
                wrong.push(format!(
                    "{name} on {target} ({} / {libstdcxx}): verdict {verdict}, expected {}",
                    str_of(t, "libc"),
                    if fails { "fails" } else { "ok" }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Undefined symbols of `program` that the reference musl libc (Debian trixie's 1.2.5) does
/// not export: the glibc-only ones.
fn glibc_only_symbols(program: &Path) -> BTreeSet<String> {
    let musl = trixie_amd64_reference().join("usr/lib/x86_64-linux-musl/libc.so");
    let exported: BTreeSet<String> = objdump("-T", &musl)
        .lines()
        .filter(|l| !l.contains("*UND*") && (l.contains(" DF ") || l.contains(" DO ")))
        .filter_map(|l| l.split_whitespace().last().map(String::from))
        .collect();
    assert!(
        exported.contains("printf"),
        "musl exports read from {}",
        musl.display()
    );
    let need = needs(program);
    need.versions
        .iter()
        .filter(|(v, _)| v.starts_with("GLIBC_"))
        .flat_map(|(_, (_, syms))| syms.iter().cloned())
        .filter(|s| !exported.contains(s) && !need.weak.contains(s))
        .collect()
}

#[test]
fn glibc_programs_on_musl_targets_miss_the_interpreter_or_the_glibc_only_symbols() {
    let m = fixtures();
    let musl_targets: Vec<String> = targets()
        .iter()
        .filter(|t| str_of(t, "libc").starts_with("musl "))
        .map(|t| str_of(t, "name"))
        .collect();
    let mut wrong = Vec::new();
    let mut glibc_only_seen = 0;
    for (name, program) in newer_glibc_programs(&m) {
        let only = glibc_only_symbols(&program);
        glibc_only_seen += only.len();
        let cxx = name.ends_with("/cxx");
        for (target, report) in reports_on(&program, &musl_targets) {
            let verdict = str_of(&report, "verdict");
            let interp_missing = problems(&report, "missing-interpreter").count() == 1;
            if !target.contains("gcompat") {
                // No /lib64/ld-linux-x86-64.so.2: execve fails (musl-X.Y.Z and alpine-X.Y).
                if !(interp_missing && verdict == "fails") {
                    wrong.push(format!("{name} on {target}: {verdict}, interpreter found"));
                }
                continue;
            }
            if interp_missing {
                wrong.push(format!(
                    "{name} on {target}: gcompat provides the interpreter"
                ));
            }
            if cxx {
                let libs: BTreeSet<String> = problems(&report, "missing-library")
                    .map(|p| str_of(p, "library"))
                    .collect();
                if !libs.contains("libstdc++.so.6") || verdict != "fails" {
                    wrong.push(format!(
                        "{name} on {target}: libstdc++ is not installed: {libs:?}"
                    ));
                }
                continue;
            }
            // musl lacks them; gcompat's exports are not in the tables: each is either
            // reported ("Error relocating …: SYM: symbol not found") or left unverified.
            let undefined: BTreeMap<String, String> = problems(&report, "undefined-symbol")
                .map(|p| (str_of(p, "symbol"), str_of(p, "message")))
                .collect();
            let unverified = string_set(&report["unverified_symbols"]);
            for sym in &only {
                let reported = undefined.get(sym).is_some_and(|msg| {
                    msg.starts_with("Error relocating ")
                        && msg.ends_with(&format!(": {sym}: symbol not found"))
                });
                if !reported && !unverified.contains(sym) {
                    wrong.push(format!(
                        "{name} on {target}: glibc-only {sym} accepted silently"
                    ));
                }
            }
            for sym in undefined.keys().chain(unverified.iter()) {
                if !only.contains(sym) {
                    wrong.push(format!(
                        "{name} on {target}: musl exports {sym}, yet it is flagged"
                    ));
                }
            }
            if only.is_empty() && verdict != "ok" {
                wrong.push(format!(
                    "{name} on {target}: verdict {verdict}, musl has all"
                ));
            }
        }
    }
    assert!(
        glibc_only_seen > 0,
        "no fixture needs a glibc-only symbol (arc4random_uniform)"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The real musl roots agree: without gcompat the interpreter is missing; behind our gcompat
/// stub (which does not define arc4random_uniform) musl prints "Error relocating", and
/// `ldsim --sysroot` says the same.
#[test]
fn the_real_musl_roots_agree_on_a_glibc_only_symbol() {
    let m = fixtures();
    let case = m
        .cases
        .iter()
        .find(|c| c.name == "newer_glibc/arc4random")
        .expect("newer_glibc/arc4random fixture: run `cargo xtask fixtures`");
    let (musl_real, _) = observe_case(&m.roots["musl"], case, false);
    assert!(musl_real.missing_interpreter, "{musl_real:?}");
    let root = &m.roots["gcompat"];
    let (real, run) = observe_case(root, case, false);
    assert_eq!(real.verdict, "fails", "{run:?}");
    assert_eq!(
        real.undefined_symbols,
        vec!["arc4random_uniform".to_string()],
        "{run:?}"
    );
    assert!(run.stderr.contains("Error relocating"), "{}", run.stderr);
    let json = check_json(&[
        "--sysroot".into(),
        root.display().to_string(),
        "--in-target".into(),
        case.program.clone(),
    ]);
    let report = &json["files"][0];
    assert_eq!(report["verdict"], "fails");
    assert_eq!(
        undefined_symbols(report),
        BTreeSet::from(["arc4random_uniform".to_string()])
    );
}

/// One verdict for one answer: a program checked against a single built-in target reads
/// `runs? if …` in its verdict line exactly where the matrix of several targets reads `runs?`
/// (a library outside the tables, glibc-only symbols left to libgcompat), and its JSON report
/// then says `"certain": false` (the verdict itself stays `ok`).
#[test]
fn a_single_target_report_says_runs_maybe_where_the_matrix_does() {
    let m = fixtures();
    let root = &m.roots["glibc"];
    let programs: Vec<String> = ["missing_library", "fortify", "newer_glibc/stat"]
        .iter()
        .map(|name| {
            let c = m
                .cases
                .iter()
                .find(|c| c.flavour == "glibc" && c.name == *name)
                .unwrap_or_else(|| panic!("no fixture glibc/{name}: run `cargo xtask fixtures`"));
            root.join(c.program.trim_start_matches('/'))
                .display()
                .to_string()
        })
        .collect();
    let targets = ["debian-12", "alpine-3.20-gcompat", "rhel-8"];
    let mut maybes = 0;
    for program in &programs {
        let mut all: Vec<String> = vec!["check".into()];
        for t in targets {
            all.extend(["--target".to_string(), t.to_string()]);
        }
        all.push(program.clone());
        let matrix = human(&all);
        for target in targets {
            // `  WORD   TARGET  detail` in the matrix.
            let word = matrix
                .lines()
                .find_map(|l| {
                    let mut words = l.split_whitespace();
                    let word = words.next()?;
                    (words.next() == Some(target)).then(|| word.to_string())
                })
                .unwrap_or_else(|| panic!("no line for {target}:\n{matrix}"));
            let single = human(&[
                "check".into(),
                "--target".into(),
                target.into(),
                program.clone(),
            ]);
            // human() writes the fixture directory as $FIXTURES.
            let shown = program.replace(
                &ldsim_tests::manifest::fixtures_dir().display().to_string(),
                "$FIXTURES",
            );
            let verdict_line = single
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{shown}: ")))
                .unwrap_or_else(|| panic!("no verdict line:\n{single}"))
                .trim_start()
                .strip_prefix(&format!("{shown}: "))
                .unwrap()
                .to_string();
            let expected = match word.as_str() {
                "runs?" => "runs? if ",
                "runs" => "ok (",
                "fails" => "fails on target (",
                other => panic!("unexpected matrix word {other:?}"),
            };
            assert!(
                verdict_line.starts_with(expected),
                "{program} on {target}: the matrix says {word:?}, the single report {verdict_line:?}"
            );
            let json = check_json(&["--target".into(), target.into(), program.clone()]);
            let report = &json["files"][0];
            assert_eq!(
                report["certain"].as_bool(),
                Some(word != "runs?"),
                "{program} on {target} ({word}): {report:#}"
            );
            if word == "runs?" {
                assert_eq!(report["verdict"], "ok", "{report:#}");
                maybes += 1;
            }
        }
    }
    // missing_library on both glibc-like targets, fortify under gcompat.
    assert!(maybes >= 3, "{maybes} runs? cases");
}

/// `--in-target` with `--target` and `--overlay`: the file the overlay places into the built-in
/// target (as `COPY app /opt/app` into that base image) is checked there, with the same answer
/// as the host file; several targets and a --sysroot root each get the overlay; a path the
/// target does not have is an input error for it.
#[test]
fn in_target_checks_what_the_overlay_places_into_a_builtin_target() {
    let m = fixtures();
    let (_, program) = newer_glibc_programs(&m)
        .into_iter()
        .find(|(name, _)| name == "newer_glibc/stat")
        .expect("newer_glibc/stat fixture");
    let targets = ["debian-11", "debian-12"];
    let mut target_args: Vec<String> = Vec::new();
    for t in targets {
        target_args.extend(["--target".to_string(), t.to_string()]);
    }
    let host = reports_on(&program, &targets.map(String::from));

    let overlay = format!("{}:/opt/app", program.display());
    let mut args = target_args.clone();
    args.extend(["--overlay".into(), overlay.clone(), "--in-target".into()]);
    args.push("/opt/app".into());
    let json = check_json(&args);
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{json:#}");
    for (report, target) in files.iter().zip(targets) {
        assert_eq!(report["file"], "/opt/app");
        assert_eq!(report["target"], target);
        assert_eq!(
            report["verdict"], host[target]["verdict"],
            "{target}: {report:#}"
        );
        assert_eq!(missing_versions(report), missing_versions(&host[target]));
    }
    assert_eq!(files[0]["verdict"], "fails", "stat needs glibc 2.33");
    assert_eq!(files[1]["verdict"], "ok");

    // Mixed with a real root (bullseye, as debian-11): the root gets the overlay too.
    let mut mixed = vec![
        "--sysroot".to_string(),
        m.roots["bullseye"].display().to_string(),
    ];
    mixed.extend(args.iter().cloned());
    let json = check_json(&mixed);
    let files = json["files"].as_array().unwrap();
    let got: Vec<(&str, &str)> = files
        .iter()
        .map(|f| {
            (
                f["target"].as_str().unwrap_or("--sysroot"),
                f["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("--sysroot", "fails"),
            ("debian-11", "fails"),
            ("debian-12", "ok")
        ],
        "{json:#}"
    );

    // A path the overlay does not provide: an input error for each target, exit 2.
    let mut absent = target_args.clone();
    absent.extend([
        "--format".into(),
        "json".into(),
        "--overlay".into(),
        overlay,
        "--in-target".into(),
        "/opt/nope".into(),
        "/opt/app".into(),
    ]);
    absent.insert(0, "check".into());
    let (code, json, stderr) = run_ldsim(&absent);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("/opt/nope") && stderr.contains("No such file or directory"),
        "{stderr}"
    );
    let files = json["files"].as_array().unwrap();
    assert!(files[0]["error"].is_string(), "{json:#}");
    assert_eq!(files.len(), 3, "/opt/app still checked on both: {json:#}");
}

// --- bad input and snapshots ---------------------------------------------------------------

#[test]
fn an_unknown_target_is_a_usage_error_naming_it() {
    let m = fixtures();
    let program = &newer_glibc_programs(&m)[0].1;
    let out = Command::new(ldsim_tests::ldsim_bin())
        .args(["check", "--target", "nosuch"])
        .arg(program)
        .output()
        .expect("run ldsim");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // clap's usage errors end with its "For more information, try '--help'." hint.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("For more information"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("'nosuch'"), "{stderr}");
    assert!(lines[0].contains("unknown target"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// `ldsim ARGS` stdout with the fixture directory written as `$FIXTURES`.
fn human(args: &[String]) -> String {
    let out = Command::new(ldsim_tests::ldsim_bin())
        .args(args)
        .output()
        .expect("run ldsim");
    let fixtures = ldsim_tests::manifest::fixtures_dir();
    String::from_utf8_lossy(&out.stdout).replace(&fixtures.display().to_string(), "$FIXTURES")
}

/// The default check: one line per default target (failing ones with the loader's message
/// and why) under the floor the program needs.
#[test]
fn default_targets_matrix_snapshot() {
    let m = fixtures();
    let (_, program) = newer_glibc_programs(&m)
        .into_iter()
        .find(|(name, _)| name == "newer_glibc/stat")
        .expect("newer_glibc/stat fixture");
    insta::assert_snapshot!(
        "default_targets_stat",
        human(&["check".into(), program.display().to_string()])
    );
}

#[test]
fn targets_listing_snapshot() {
    insta::assert_snapshot!("targets", human(&["targets".into()]));
}

/// The floor names every symbol bound to each required version — copy-relocated data too,
/// which the executable defines in its .bss (`__libc_single_threaded@GLIBC_2.32` in every
/// g++ ≥ 11 program) — exactly as `objdump -T` lists them.
#[test]
fn the_floor_names_every_symbol_bound_to_a_required_version_copy_relocated_data_included() {
    let m = fixtures();
    for (name, program) in newer_glibc_programs(&m) {
        let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for line in objdump("-T", &program).lines() {
            let (Some(open), Some(close)) = (line.find('('), line.find(')')) else {
                continue;
            };
            let version = &line[open + 1..close];
            if version == "Base" || !line.contains(" D") && !line.contains("*UND*") {
                continue;
            }
            expected
                .entry(version.to_string())
                .or_default()
                .insert(line[close + 1..].trim().to_string());
        }
        let json = check_json(&[
            "--target".into(),
            "debian-12".into(),
            program.display().to_string(),
        ]);
        let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for v in json["floors"][0]["versions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            got.insert(str_of(v, "version"), string_set(&v["symbols"]));
        }
        assert_eq!(got, expected, "{name}: floor symbols vs objdump -T");
    }
}
