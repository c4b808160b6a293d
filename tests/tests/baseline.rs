//! `--baseline`: the same path built twice (Debian 11's `ls`, then Debian 12's; a program,
//! then one needing one more library) — the floor raised with exactly the symbols `objdump -T`
//! shows above the old floor, the library newly needed, the targets lost, and `--fail-on
//! regression` failing on those alone.

use ldsim_tests::{fixtures, ldsim_bin};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const TARGETS: &[&str] = &[
    "--target",
    "debian-10",
    "--target",
    "debian-11",
    "--target",
    "debian-12",
];

fn ldsim(args: &[&str], extra: &[&Path]) -> (i32, String) {
    let out = Command::new(ldsim_bin())
        .arg("check")
        .args(args)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `symbol@VERSION` of every undefined symbol with a GLIBC_ version newer than `floor`.
fn glibc_symbols_above(file: &Path, floor: &[u32]) -> BTreeSet<String> {
    let out = Command::new("objdump")
        .arg("-T")
        .arg(file)
        .output()
        .unwrap();
    let mut set = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (Some(open), Some(close)) = (line.find('('), line.find(')')) else {
            continue;
        };
        if !line.contains("*UND*") {
            continue;
        }
        let version = &line[open + 1..close];
        let Some(number) = version.strip_prefix("GLIBC_") else {
            continue;
        };
        let n: Vec<u32> = number.split('.').filter_map(|p| p.parse().ok()).collect();
        if n.as_slice() > floor {
            set.insert(format!("{}@{version}", line[close + 1..].trim()));
        }
    }
    set
}

#[test]
fn a_newer_build_raises_the_floor_and_loses_targets() {
    let m = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("ls");
    let before = dir.path().join("before.json");
    std::fs::copy(m.roots["bullseye"].join("usr/bin/ls"), &app).unwrap();
    let (_, json) = ldsim(&[&["--format", "json"][..], TARGETS].concat(), &[&app]);
    std::fs::write(&before, &json).unwrap();
    let earlier: Value = serde_json::from_str(&json).unwrap();
    let old_floor: Vec<u32> = earlier["floors"][0]["glibc"]
        .as_str()
        .unwrap()
        .split('.')
        .map(|p| p.parse().unwrap())
        .collect();

    // The same path, now Debian 12's build.
    std::fs::copy(m.roots["glibc"].join("usr/bin/ls"), &app).unwrap();
    let baseline = before.to_str().unwrap();
    let (code, json) = ldsim(
        &[&["--format", "json", "--baseline", baseline][..], TARGETS].concat(),
        &[&app],
    );
    assert_eq!(code, 1, "it fails on the older targets");
    let now: Value = serde_json::from_str(&json).unwrap();
    let changes = &now["baseline"];
    assert_eq!(changes["regressions"], 1);
    let file = &changes["files"][0];
    let raised = &file["raised"][0];
    assert_eq!(raised["family"], "glibc");
    assert_eq!(raised["from"], earlier["floors"][0]["glibc"]);
    assert_eq!(raised["to"], now["floors"][0]["glibc"]);
    let by: BTreeSet<String> = raised["by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(by, glibc_symbols_above(&app, &old_floor));
    // Lost: every target whose report went from ok to not ok, debian-11 among them.
    let verdicts = |doc: &Value, target: &str| {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["target"] == target)
            .map(|f| f["verdict"].as_str().unwrap().to_owned())
    };
    let lost: Vec<&str> = ["debian-10", "debian-11", "debian-12"]
        .into_iter()
        .filter(|t| {
            verdicts(&earlier, t).as_deref() == Some("ok")
                && verdicts(&now, t).as_deref() != Some("ok")
        })
        .collect();
    assert!(lost.contains(&"debian-11"), "{lost:?}");
    let now_failing: Vec<&str> = file["now_failing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(now_failing, lost);

    // --fail-on regression: 1 for the newer build, 0 for the earlier one (which still fails
    // on Debian 10 if it did: not a change).
    let (code, human) = ldsim(
        &[
            &["--baseline", baseline, "--fail-on", "regression"][..],
            TARGETS,
        ]
        .concat(),
        &[&app],
    );
    assert_eq!(code, 1);
    let section: String = human
        .lines()
        .skip_while(|l| !l.starts_with("since "))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(dir.path().to_str().unwrap(), "DIR");
    insta::assert_snapshot!("newer_ls", section);
    std::fs::copy(m.roots["bullseye"].join("usr/bin/ls"), &app).unwrap();
    let (code, human) = ldsim(
        &[
            &["--baseline", baseline, "--fail-on", "regression"][..],
            TARGETS,
        ]
        .concat(),
        &[&app],
    );
    assert_eq!(code, 0, "{human}");
    assert!(human.contains(": no change"), "{human}");
}

#[test]
fn a_library_more_is_a_regression() {
    let m = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    let before = dir.path().join("before.json");
    let program = |name: &str| {
        let case = m
            .cases
            .iter()
            .find(|c| c.flavour == "glibc" && c.name == name)
            .unwrap();
        m.roots["glibc"].join(case.program.trim_start_matches('/'))
    };
    let root = m.roots["glibc"].display().to_string();
    std::fs::copy(program("fortify"), &app).unwrap();
    let (_, json) = ldsim(&["--format", "json", "--sysroot", &root], &[&app]);
    std::fs::write(&before, json).unwrap();
    std::fs::copy(program("missing_library"), &app).unwrap();
    let (code, json) = ldsim(
        &[
            "--format",
            "json",
            "--sysroot",
            &root,
            "--baseline",
            before.to_str().unwrap(),
            "--fail-on",
            "regression",
        ],
        &[&app],
    );
    assert_eq!(code, 1);
    let now: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        now["baseline"]["files"][0]["new_libraries"],
        serde_json::json!(["libnope.so.1"])
    );
    assert_eq!(
        now["baseline"]["files"][0]["now_failing"],
        serde_json::json!(["the root"])
    );
}
