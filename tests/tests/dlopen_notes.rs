//! `.note.dlopen` dependencies against the real loaders. For every file of
//! `Manifest::dlopen_notes` (xtask case `dlopen_note`: a program and the shared object it links
//! against, whose notes declare required libdlreq.so.1, recommended libdlrec.so.1 |
//! libdlrec.so.2 and suggested libz.so.1) in each of its roots, `ldsim check --in-target
//! --format json` is compared with the root's real dlopen, done by the flavour's dlhost
//! (`/t/<flavour>/dlhost/host SONAME`, RTLD_NOW) for every soname alternative:
//! - an entry's `found` is non-null iff at least one alternative really loads (and names a file
//!   that exists in the root);
//! - when none loads, its `error` is exactly the dlerror() line of the last alternative;
//! - the only problem is one `missing-dlopen-dependency` (libdlreq.so.1, the required one, its
//!   message the real dlerror), the verdict `fails-on-call`; recommended and suggested entries
//!   are never problems.
//!
//! All mismatches are collected and reported as one table.

use ldsim_tests::manifest::Case;
use ldsim_tests::mismatch::{assert_none, Mismatch};
use ldsim_tests::oracle::{dlopen_with_host, exists_in_root, run_program, DlopenRun};
use ldsim_tests::{fixtures, report_of, Manifest};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// What plugin_user.c declares: (sonames, priority).
const DECLARED: &[(&[&str], &str)] = &[
    (&["libdlreq.so.1"], "required"),
    (&["libdlrec.so.1", "libdlrec.so.2"], "recommended"),
    (&["libz.so.1"], "suggested"),
];

/// The flavour's plugin host.
fn host(case: &Case) -> String {
    format!("/t/{}/dlhost/host", case.flavour)
}

/// The real dlopen of every soname in `root`, by soname (one run each, shared by both files).
fn real_dlopens(root: &Path, case: &Case) -> BTreeMap<String, DlopenRun> {
    DECLARED
        .iter()
        .flat_map(|(sonames, _)| sonames.iter())
        .map(|s| {
            let run = dlopen_with_host(root, &host(case), s, &BTreeMap::new());
            (s.to_string(), run)
        })
        .collect()
}

/// `ldsim check --sysroot ROOT --in-target --format json FILE`: the report.
fn check(root: &Path, file: &str) -> Result<Value, String> {
    let root = root.display().to_string();
    let args = [
        "check",
        "--sysroot",
        root.as_str(),
        "--in-target",
        "--format",
        "json",
        file,
    ];
    report_of(args)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn check_file(
    m: &Manifest,
    case: &Case,
    root_name: &str,
    real: &BTreeMap<String, DlopenRun>,
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
    let report = match check(root, &case.program) {
        Ok(report) => report,
        Err(err) => {
            push("ldsim-run", "a report".into(), err);
            return;
        }
    };
    let deps = report["dlopen_dependencies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let declared: Vec<Vec<String>> = DECLARED
        .iter()
        .map(|(s, _)| s.iter().map(|s| s.to_string()).collect())
        .collect();
    let got: Vec<Vec<String>> = deps.iter().map(|d| strings(&d["sonames"])).collect();
    if got != declared {
        push(
            "dlopen_dependencies[].sonames",
            format!("{declared:?}"),
            format!("{got:?}"),
        );
    }
    for dep in &deps {
        let sonames = strings(&dep["sonames"]);
        let field = |f: &str| format!("[{}].{f}", sonames.join("|"));
        let Some(last) = sonames.last() else {
            continue;
        };
        let loads = sonames.iter().any(|s| real.get(s).is_some_and(|r| r.ok));
        let found = dep["found"].as_str();
        if loads != found.is_some() {
            let real_text = sonames
                .iter()
                .map(|s| {
                    let r = &real[s];
                    format!("{s}: {}", r.dlerror.as_deref().unwrap_or("dlopen ok"))
                })
                .collect::<Vec<_>>()
                .join("; ");
            push(&field("found"), real_text, dep["found"].to_string());
        }
        if let Some(path) = found.filter(|p| !exists_in_root(root, p)) {
            push(&field("found"), "a file in the root".into(), path.into());
        }
        let want_error = if loads {
            None
        } else {
            real[last].dlerror.clone()
        };
        let error = dep["error"].as_str().map(str::to_string);
        if error != want_error {
            push(
                &field("error"),
                format!("{want_error:?}"),
                format!("{error:?}"),
            );
        }
        let priority = DECLARED
            .iter()
            .find(|(s, _)| s.iter().copied().eq(sonames.iter().map(String::as_str)))
            .map(|(_, p)| *p);
        if priority.is_some_and(|p| dep["priority"] != p) {
            push(
                &field("priority"),
                priority.unwrap_or_default().into(),
                dep["priority"].to_string(),
            );
        }
    }
    // The one problem: the required dependency, with the real dlerror as its message.
    let problems = report["problems"].as_array().cloned().unwrap_or_default();
    let summary = |p: &Value| {
        format!(
            "{} {}",
            p["kind"].as_str().unwrap_or("?"),
            p["library"].as_str().unwrap_or("")
        )
    };
    let got: Vec<String> = problems.iter().map(summary).collect();
    let want = vec!["missing-dlopen-dependency libdlreq.so.1".to_string()];
    if got != want {
        push("problems", format!("{want:?}"), format!("{got:?}"));
    }
    if let Some(p) = problems.first() {
        let real_msg = real["libdlreq.so.1"].dlerror.clone();
        let msg = p["message"].as_str().map(str::to_string);
        if msg != real_msg {
            push(
                "problems[0].message",
                format!("{real_msg:?}"),
                format!("{msg:?}"),
            );
        }
        if p["first"] != true {
            push("problems[0].first", "true".into(), p["first"].to_string());
        }
    }
    if report["verdict"] != "fails-on-call" {
        push(
            "verdict",
            "fails-on-call".into(),
            report["verdict"].to_string(),
        );
    }
}

fn notes(m: &Manifest) -> &[Case] {
    assert!(
        !m.dlopen_notes.is_empty(),
        "the manifest has no dlopen-note files: run `cargo xtask fixtures`"
    );
    &m.dlopen_notes
}

#[test]
fn dlopen_notes_agree_with_a_real_dlopen() {
    let m = fixtures();
    let mut out = Vec::new();
    let mut checked = 0;
    let mut real_by_root = BTreeMap::new();
    for case in notes(&m) {
        for root in &case.roots {
            let real = real_by_root
                .entry((case.flavour.clone(), root.clone()))
                .or_insert_with(|| real_dlopens(&m.roots[root], case));
            check_file(&m, case, root, real, &mut out);
            checked += 1;
        }
    }
    assert_none("dlopen-note file/root pairs", checked, &out);
}

/// The fixtures themselves (independent of ldsim): in every root the declared sonames really
/// load or fail as the case says, and the program starts (it never calls dlopen).
#[test]
fn dlopen_note_fixtures_do_what_they_are_named_after() {
    let m = fixtures();
    let mut wrong = Vec::new();
    for case in notes(&m) {
        for root_name in &case.roots {
            let root = &m.roots[root_name];
            if case.name.ends_with("/main") {
                let run = run_program(root, &case.program, &case.env, false);
                if !run.started || run.exit != 0 {
                    wrong.push(format!("{} in {root_name}: {run:?}", case.program));
                }
                continue;
            }
            let debian = root_name == "glibc";
            for (soname, real) in real_dlopens(root, case) {
                let shown = real.dlerror.as_deref().unwrap_or("dlopen ok");
                println!("{:<6} {root_name:<8} {soname:<14} {shown}", case.flavour);
                let should_load = soname == "libdlrec.so.2" || (soname == "libz.so.1" && debian);
                if real.ok != should_load || (!real.ok && real.dlerror.is_none()) {
                    wrong.push(format!(
                        "{soname} in {root_name}: ok={} {:?} stderr {:?}",
                        real.ok, real.dlerror, real.run.stderr
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
