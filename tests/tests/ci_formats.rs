//! The CI output formats (`--format sarif|junit|markdown|github`) over a matrix of fixture
//! programs and roots: SARIF validated against the published SARIF 2.1.0 schema (as
//! serde-sarif ships it), JUnit against the Jenkins JUnit XSD (as junit-report ships it,
//! with xmllint), and every format snapshotted.

use ldsim_tests::{fixtures, ldsim_bin, Manifest};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Programs of the glibc fixture set: one that loads on its own root, one whose library is
/// missing, one that needs a newer glibc than bullseye's; and a Go program built with cgo
/// (its fix is Go's).
const PROGRAMS: &[&str] = &["fortify", "missing_library", "version_too_new"];
const GO_PROGRAM: &str = "netuser";
const FILES: usize = PROGRAMS.len() + 1;

fn go_program() -> PathBuf {
    ldsim_tests::manifest::fixtures_dir()
        .join("go")
        .join(GO_PROGRAM)
}

/// Targets: a real older-glibc root (Debian 11, `--sysroot`) and two built-in targets, one
/// of them musl.
const BUILTIN: &[&str] = &["debian-12", "alpine-3.20"];
const TARGETS: usize = 1 + BUILTIN.len();

fn program(m: &Manifest, name: &str) -> String {
    m.cases
        .iter()
        .find(|c| c.flavour == "glibc" && c.name == name)
        .unwrap_or_else(|| panic!("no fixture glibc/{name}: rerun `cargo xtask fixtures`"))
        .program
        .clone()
}

/// ldsim's output in `format` for every program (host files of the glibc fixture root)
/// against every target.
fn output(m: &Manifest, format: &str) -> (i32, String) {
    let mut cmd = Command::new(ldsim_bin());
    // With a release policy: its verdicts are results of every format too.
    cmd.args([
        "check",
        "--policy",
        "manylinux_2_28",
        "--format",
        format,
        "--sysroot",
    ])
    .arg(&m.roots["bullseye"]);
    for target in BUILTIN {
        cmd.args(["--target", target]);
    }
    for name in PROGRAMS {
        let inside = program(m, name);
        cmd.arg(m.roots["glibc"].join(inside.trim_start_matches('/')));
    }
    cmd.arg(go_program());
    let out = cmd.output().expect("run ldsim");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "ldsim panicked: {stderr}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

/// `text` with the fixture paths (which hold the home directory) and JUnit's timestamps
/// made stable, for a snapshot.
fn stable(m: &Manifest, text: &str) -> String {
    let mut text = without_timestamps(text);
    text = text.replace(
        &ldsim_tests::manifest::fixtures_dir()
            .join("go")
            .display()
            .to_string(),
        "FIXTURES_go",
    );
    for root in ["glibc", "bullseye"] {
        text = text.replace(
            &m.roots[root].display().to_string(),
            &format!("ROOT_{root}"),
        );
    }
    text
}

fn without_timestamps(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find("timestamp=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "timestamp=\"".len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push_str("timestamp=\"<timestamp>\"");
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Every `pattern` of `schema` with the stray `]` of SARIF's `language` patterns, escaped
/// (`\\]`: the same literal); how many there were.
fn fix_patterns(schema: &mut serde_json::Value) -> usize {
    const QUIRK: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match schema {
        serde_json::Value::Object(map) => {
            let mut n = 0;
            for (key, value) in map.iter_mut() {
                if key == "pattern" && value == QUIRK {
                    *value = serde_json::Value::from(QUIRK.replace("]?$", "\\]?$"));
                    n += 1;
                } else {
                    n += fix_patterns(value);
                }
            }
            n
        }
        serde_json::Value::Array(items) => items.iter_mut().map(fix_patterns).sum(),
        _ => 0,
    }
}

/// Where cargo keeps a dependency's sources (`cargo metadata`), for the schema files the
/// format crates ship.
fn crate_dir(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let manifest = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name)
        .and_then(|p| p["manifest_path"].as_str())
        .unwrap_or_else(|| panic!("{name} is not a dependency of the workspace"));
    Path::new(manifest).parent().unwrap().to_path_buf()
}

/// Validate `log` against the published SARIF 2.1.0 schema, as serde-sarif ships it.
fn validate_sarif(log: &serde_json::Value) {
    let schema_path = crate_dir("serde-sarif").join("src/schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    assert_eq!(
        schema["$id"],
        "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json",
        "the published SARIF 2.1.0 schema"
    );
    // The published schema has a `pattern` (run.language) that is no valid ECMA regex, so
    // formats are not asserted: the structure, types and required members are.
    // The published schema's `language` patterns (run, toolComponent) have a stray `]`,
    // which ECMA regexes without Annex B refuse: read as the literal it is, or the schema
    // does not compile.
    let mut schema = schema;
    let fixed = fix_patterns(&mut schema);
    assert!(fixed >= 1, "the schema's known quirk is where it was");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    // The validator is not vacuous: a log without its version, or with a result level
    // SARIF does not have, is refused.
    let mut broken = log.clone();
    broken.as_object_mut().unwrap().remove("version");
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::Value::from("fatal");
    assert!(!validator.is_valid(&broken));
}

/// Validate JUnit XML against the Jenkins JUnit XSD, as junit-report ships it.
fn validate_junit(text: &str) {
    let xsd = crate_dir("junit-report").join("tests/JUnit.xsd");
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("report.xml");
    std::fs::write(&xml, text).unwrap();
    let lint = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&xml)
        .output()
        .expect("xmllint (Debian package libxml2-utils) runs");
    assert!(
        lint.status.success(),
        "JUnit XML does not validate: {}",
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let m = fixtures();
    let (code, text) = output(&m, "sarif");
    assert_eq!(code, 1, "some files fail: exit status 1");
    let log: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    validate_sarif(&log);
    // One result per problem, each on its file, with the rule of its kind and the fix.
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for result in results {
        let rule = result["ruleId"].as_str().unwrap();
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize], rule);
    }
    let missing = results
        .iter()
        .find(|r| r["ruleId"] == "missing-library")
        .expect("the missing library is a result");
    assert!(
        missing["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .contains("missing_library")
    );
    assert!(missing["properties"]["fix"]
        .as_str()
        .unwrap()
        .contains("$ORIGIN"));
    assert!(results.iter().any(
        |r| r["ruleId"] == "missing-interpreter" && r["properties"]["target"] == "alpine-3.20"
    ));
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "policy" && r["properties"]["policy"] == "manylinux_2_28"));
    // The cgo program on musl is told Go's own fix.
    assert!(results.iter().any(|r| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with(GO_PROGRAM))
            && r["properties"]["fix"]
                .as_str()
                .is_some_and(|f| f.contains("-tags netgo,osusergo"))
    }));
    insta::assert_snapshot!("sarif", stable(&m, &text));
}

#[test]
fn junit_is_valid_against_the_junit_xsd() {
    let m = fixtures();
    let (code, text) = output(&m, "junit");
    assert_eq!(code, 1);
    validate_junit(&text);
    // A suite per target, a case per file; the programs that fail are failures.
    // A suite per target and one for the policy.
    assert_eq!(text.matches("<testsuite ").count(), TARGETS + 1);
    assert_eq!(text.matches("<testcase ").count(), (TARGETS + 1) * FILES);
    assert!(text.contains("type=\"missing-library\""));
    insta::assert_snapshot!("junit", stable(&m, &text));
}

#[test]
fn markdown_matrix_and_github_annotations() {
    let m = fixtures();
    let (code, markdown) = output(&m, "markdown");
    assert_eq!(code, 1);
    let markdown = stable(&m, &markdown);
    let header = markdown.lines().next().unwrap();
    assert_eq!(
        header,
        "| file | ROOT_bullseye | debian-12 | alpine-3.20 | policy manylinux\\_2\\_28 |"
    );
    assert_eq!(
        markdown
            .lines()
            .filter(|l| l.starts_with("| ROOT_glibc"))
            .count(),
        PROGRAMS.len()
    );
    insta::assert_snapshot!("markdown", markdown);
    let (code, github) = output(&m, "github");
    assert_eq!(code, 1);
    for line in github.lines() {
        assert!(
            ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|c| line.starts_with(c)),
            "{line}"
        );
        // One command per line: newlines inside the message are encoded.
        assert!(line.matches("::").count() >= 2, "{line}");
    }
    insta::assert_snapshot!("github", stable(&m, &github));
}

/// `--baseline` in every CI format: the same path built on Debian 11, then on Debian 12
/// (its `ls`): the raised floor and the lost target are a regression in each.
#[test]
fn every_format_reports_the_changes_since_a_baseline() {
    let m = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(ldsim_bin())
            .arg("check")
            .args(["--target", "debian-11", "--target", "debian-12"])
            .args(args)
            .arg("ls")
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    std::fs::copy(
        m.roots["bullseye"].join("usr/bin/ls"),
        dir.path().join("ls"),
    )
    .unwrap();
    let (_, before) = run(&["--format", "json"]);
    std::fs::write(dir.path().join("before.json"), before).unwrap();
    std::fs::copy(m.roots["glibc"].join("usr/bin/ls"), dir.path().join("ls")).unwrap();
    let with = |format: &str| run(&["--baseline", "before.json", "--format", format]);

    let (code, sarif) = with("sarif");
    assert_eq!(code, 1, "Debian 12's ls fails on debian-11");
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    validate_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let regression = results
        .iter()
        .find(|r| r["ruleId"] == "regression")
        .expect("the regression is a result");
    let text = regression["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("[since before.json] glibc floor raised from"),
        "{text}"
    );
    assert!(text.contains("ran, now fails on: debian-11"), "{text}");

    let (_, junit) = with("junit");
    validate_junit(&junit);
    assert!(
        junit.contains(" name=\"ldsim since before.json\""),
        "{junit}"
    );
    assert!(junit.contains("type=\"regression\""), "{junit}");

    let (_, markdown) = with("markdown");
    let since = markdown
        .split_once("**Since before.json**")
        .map(|(_, rest)| rest)
        .expect("a section for the baseline");
    assert!(since.starts_with(": 1 changed, 1 for the worse"), "{since}");
    assert!(since.contains("- ls (worse)"), "{since}");
    insta::assert_snapshot!("markdown_since_baseline", since);

    let (_, github) = with("github");
    let worse: Vec<&str> = github
        .lines()
        .filter(|l| l.contains("title=ldsim%3A worse since before.json"))
        .collect();
    assert_eq!(worse.len(), 1, "{github}");
    assert!(worse[0].starts_with("::error file=ls,"), "{github}");
}
