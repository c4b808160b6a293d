//! The differential test: for every fixture program in every root, run the real loader (the
//! oracle) and `ldsim check`, lazily and with LD_BIND_NOW, and compare what both say. All
//! mismatches are collected and reported as one table.
//!
//! Besides the run itself, every program's COMPLETE problem set (every missing library,
//! missing version and undefined symbol, whether or not the run gets that far) is compared with
//! list mode (glibc `ldd -r`, musl `--list`), and the problem ldsim marks `"first": true` must
//! carry exactly the first loader error the real run printed. `many_problems` (two absent
//! libraries, a version and three symbols missing) is the case these comparisons are for: glibc's
//! run names only libmp_absent_a.so.1, its list mode names everything.

use ldsim_tests::manifest::Case;
use ldsim_tests::mismatch::{assert_none, Mismatch};
use ldsim_tests::oracle::{
    first_loader_error, list_program, observe_case, ListProblems, Observed, RealRun,
};
use ldsim_tests::sets::{diff, first_message, ldsim_sets, list_sets};
use ldsim_tests::{fixtures, run_ldsim, Manifest};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Justified divergences: (case name, root, field prefix, why). A mismatch matching one is
/// reported as known, not as a failure.
const KNOWN: &[(&str, &str, &str, &str)] = &[
    // Our gcompat stub is listed by musl run directly (`ld-musl --preload … --list`), so musl's
    // ldso.name is PT_INTERP and the listing names the preload by its path; the real stub runs
    // musl as `ld-linux-x86-64.so.2` where libc.so.6 maps to musl itself either way.
    (
        "*",
        "gcompat",
        "resolved[/lib/libgcompat.so.0]",
        "list-mode artefact of running musl by hand",
    ),
    // Listed by hand, musl's ldso.name is PT_INTERP (/lib64/ld-linux-x86-64.so.2); under the
    // real stub it is argv[0] `ld-linux-x86-64.so.2` (loader-facts §11 consequence 1), which is
    // what ldsim reports. Both mean "musl itself".
    (
        "glibc/",
        "gcompat",
        "resolved[libc.so.6]",
        "musl names itself by PT_INTERP when listed by hand, by argv[0] under the stub",
    ),
    // The same for libm.so.6, another name musl reserves for itself.
    (
        "glibc/",
        "gcompat",
        "resolved[libm.so.6]",
        "musl names itself by PT_INTERP when listed by hand, by argv[0] under the stub",
    ),
];

/// What ldsim reported, in the oracle's terms.
#[derive(Debug, Default)]
struct Predicted {
    verdict: String,
    missing_interpreter: bool,
    missing_libraries: BTreeSet<String>,
    missing_versions: BTreeSet<String>,
    /// Start-up symbols first, then first-call ones, each in report order.
    undefined_symbols: Vec<String>,
    resolved: BTreeMap<String, String>,
}

fn predicted(report: &Value) -> Predicted {
    let mut p = Predicted {
        verdict: report["verdict"].as_str().unwrap_or("?").to_string(),
        ..Predicted::default()
    };
    let str_of = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let mut first_call = Vec::new();
    for problem in report["problems"].as_array().into_iter().flatten() {
        match problem["kind"].as_str().unwrap_or_default() {
            "missing-interpreter" => p.missing_interpreter = true,
            "missing-library" | "bad-library" => {
                p.missing_libraries.insert(str_of(problem, "library"));
            }
            "missing-version" => {
                p.missing_versions.insert(str_of(problem, "version"));
            }
            "undefined-symbol" => {
                let sym = str_of(problem, "symbol");
                if problem["when"] == "startup" {
                    p.undefined_symbols.push(sym);
                } else {
                    first_call.push(sym);
                }
            }
            _ => {}
        }
    }
    p.undefined_symbols.extend(first_call);
    for object in report["objects"].as_array().into_iter().flatten() {
        p.resolved
            .entry(str_of(object, "needed"))
            .or_insert_with(|| str_of(object, "path"));
    }
    p
}

/// ldsim's report for `case` in `root`.
fn run_check(root: &Path, case: &Case, cpu: &str, bind_now: bool) -> Result<Value, String> {
    let mut args: Vec<String> = vec![
        "check".into(),
        "--sysroot".into(),
        root.display().to_string(),
        "--in-target".into(),
        "--format".into(),
        "json".into(),
        "--cpu".into(),
        cpu.into(),
    ];
    for (k, v) in &case.env {
        args.extend(["--env".into(), format!("{k}={v}")]);
    }
    if bind_now {
        args.extend(["--env".into(), "LD_BIND_NOW=1".into()]);
    }
    args.push(case.program.clone());
    let (code, json, stderr) = run_ldsim(&args);
    match json["files"].get(0) {
        Some(report) if code == 0 || code == 1 => Ok(report.clone()),
        _ => Err(format!("exit {code}: {}", stderr.trim())),
    }
}

fn compare(
    case: &Case,
    root: &str,
    mode: &str,
    real: &Observed,
    p: &Predicted,
    out: &mut Vec<Mismatch>,
) {
    let name = format!("{}/{}", case.flavour, case.name);
    let mut push = |field: String, real: String, ldsim: String| {
        out.push(Mismatch {
            case: name.clone(),
            root: root.to_string(),
            field: format!("{mode}:{field}"),
            real,
            ldsim,
        })
    };
    if real.verdict != p.verdict {
        push("verdict".into(), real.verdict.clone(), p.verdict.clone());
    }
    if real.missing_interpreter != p.missing_interpreter {
        push(
            "missing_interpreter".into(),
            real.missing_interpreter.to_string(),
            p.missing_interpreter.to_string(),
        );
    }
    let musl_like = root == "musl" || root == "gcompat";
    // musl reports every missing library; glibc only the first, but its list mode names the
    // rest: the reported one must be ldsim's, and ldsim may name no library list mode found.
    let libs_ok = if musl_like {
        real.missing_libraries == p.missing_libraries
    } else {
        real.missing_libraries.is_subset(&p.missing_libraries)
            && p.missing_libraries
                .iter()
                .all(|l| real.missing_libraries.contains(l) || real.listed_missing.contains(l))
    };
    if !libs_ok {
        push(
            "missing_libraries".into(),
            format!(
                "{:?} (listed {:?})",
                real.missing_libraries, real.listed_missing
            ),
            format!("{:?}", p.missing_libraries),
        );
    }
    let real_versions: BTreeSet<String> = real
        .missing_versions
        .iter()
        .map(|(_, v)| v.clone())
        .collect();
    // The version check runs only once everything is loaded: a glibc run that stopped at a
    // missing library printed none (list mode's complete set is compared separately).
    let run_reached_versions = musl_like || real.missing_libraries.is_empty();
    if run_reached_versions && real_versions != p.missing_versions {
        push(
            "missing_versions".into(),
            format!("{real_versions:?}"),
            format!("{:?}", p.missing_versions),
        );
    }
    if musl_like {
        // musl prints every unresolved symbol.
        let a: BTreeSet<_> = real.undefined_symbols.iter().collect();
        let b: BTreeSet<_> = p.undefined_symbols.iter().collect();
        if a != b {
            push(
                "undefined_symbols".into(),
                format!("{a:?}"),
                format!("{b:?}"),
            );
        }
    } else if let Some(first) = real.undefined_symbols.first() {
        // glibc stops at the first one: it must be ldsim's first.
        if p.undefined_symbols.first() != Some(first) {
            push(
                "undefined_symbols[0]".into(),
                first.clone(),
                format!("{:?}", p.undefined_symbols),
            );
        }
    }
    for (needed, path) in &real.resolved {
        let got = p.resolved.get(needed).cloned();
        // glibc's run stops at a missing library where list mode goes on: what ldsim never
        // reached is not compared then.
        if got.is_none() && !musl_like && !real.missing_libraries.is_empty() {
            continue;
        }
        let got = got.unwrap_or_else(|| "(absent)".into());
        if &got != path {
            push(format!("resolved[{needed}]"), path.clone(), got);
        }
    }
}

fn is_known(m: &Mismatch) -> Option<&'static str> {
    KNOWN.iter().find_map(|(case, root, field, why)| {
        let case_ok = *case == "*" || m.case.ends_with(case) || m.case.starts_with(case);
        let root_ok = *root == "*" || m.root == *root;
        let field_ok = m
            .field
            .split_once(':')
            .is_some_and(|(_, f)| f.starts_with(field));
        (case_ok && root_ok && field_ok).then_some(*why)
    })
}

fn cpu_arg(m: &Manifest) -> &str {
    match m.cpu_level.as_str() {
        "x86-64" => "baseline",
        level => level,
    }
}

/// The COMPLETE problem set against list mode, and the first problem's message against the
/// first loader error the real run printed (glibc: `error while loading shared libraries`,
/// `symbol lookup error`, `version … not found`; musl: the first `Error …` line).
fn compare_complete(
    case: &Case,
    root: &str,
    mode: &str,
    run: &RealRun,
    list: Option<&ListProblems>,
    report: &Value,
    out: &mut Vec<Mismatch>,
) {
    let musl_like = root == "musl" || root == "gcompat";
    let mut push = |field: &str, real: String, ldsim: String| {
        out.push(Mismatch {
            case: format!("{}/{}", case.flavour, case.name),
            root: root.to_string(),
            field: format!("{mode}:{field}"),
            real,
            ldsim,
        })
    };
    // No list mode without an interpreter in the root (static, missing interpreter).
    if let Some(list) = list {
        let real = list_sets(list, musl_like);
        // glibc's trace mode itself crashes (SIGSEGV) relocating a program whose libc.so.6
        // was not found (nodeflib): it never gets to print the undefined symbols ldsim lists.
        let crashed = list.run.exit > 128;
        for (field, a, b) in diff(&real, &ldsim_sets(report, musl_like)) {
            if crashed && field == "undefined_symbols" && a == "{}" {
                println!(
                    "known divergence: {}/{} in {root}: list mode crashed (exit {}), its undefined symbols unknown",
                    case.flavour, case.name, list.run.exit
                );
                continue;
            }
            push(&format!("complete.{field}"), a, b);
        }
    }
    let got = first_message(report);
    match first_loader_error(&run.stderr) {
        Some(line) if got.as_deref() != Some(line.as_str()) => {
            push("first.message", line, format!("{got:?}"));
        }
        Some(_) => {}
        // A run that worked has no first problem; an exec failure (missing interpreter) prints
        // the shell's message, which this in-process exec does not.
        None if run.exit == 0 && got.is_some() => {
            push("first.message", "(none: runs)".into(), format!("{got:?}"));
        }
        None => {}
    }
}

/// Checks one root: every case installed there, lazily and with LD_BIND_NOW.
fn check_root(m: &Manifest, root_name: &str) -> Vec<Mismatch> {
    let root = &m.roots[root_name];
    let mut out = Vec::new();
    for case in m
        .cases
        .iter()
        .filter(|c| c.roots.iter().any(|r| r == root_name))
    {
        let list = list_program(root, case);
        for (mode, bind_now) in [("lazy", false), ("now", true)] {
            let (real, run) = observe_case(root, case, bind_now);
            match run_check(root, case, cpu_arg(m), bind_now) {
                Ok(report) => {
                    compare(case, root_name, mode, &real, &predicted(&report), &mut out);
                    compare_complete(
                        case,
                        root_name,
                        mode,
                        &run,
                        list.as_ref(),
                        &report,
                        &mut out,
                    );
                }
                Err(err) => out.push(Mismatch {
                    case: format!("{}/{}", case.flavour, case.name),
                    root: root_name.to_string(),
                    field: format!("{mode}:ldsim-run"),
                    real: real.verdict.clone(),
                    ldsim: err,
                }),
            }
        }
    }
    out
}

#[test]
fn ldsim_agrees_with_the_real_loaders() {
    let m = fixtures();
    let mismatches: Vec<Mismatch> = std::thread::scope(|s| {
        let handles: Vec<_> = m
            .roots
            .keys()
            .map(|name| s.spawn(|| check_root(&m, name)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("differential worker panicked"))
            .collect()
    });
    let (known, real): (Vec<_>, Vec<_>) = mismatches.iter().partition(|m| is_known(m).is_some());
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    for k in &known {
        *by_reason
            .entry(is_known(k).unwrap_or_default())
            .or_default() += 1;
    }
    for (why, n) in by_reason {
        println!("known divergence ({n} times): {why}");
    }
    let checked = m.cases.iter().map(|c| c.roots.len()).sum::<usize>();
    let real: Vec<Mismatch> = real.into_iter().cloned().collect();
    assert_none("program/root pairs (lazy and LD_BIND_NOW)", checked, &real);
}
