//! Bad input: every unreadable FILE or sysroot gives one clear line on stderr naming it, exit
//! status 2, never a panic, and the other FILEs of the same run are still checked.

use ldsim_tests::run_ldsim;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A real dynamically linked ELF of this machine, copied into `dir`.
fn good_elf(dir: &Path) -> PathBuf {
    let p = dir.join("good");
    std::fs::copy("/usr/bin/true", &p).expect("copy /usr/bin/true");
    p
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Runs ldsim (JSON) and checks what every run must satisfy: no panic.
fn run(args: &[String]) -> (i32, Value, String) {
    let (code, json, stderr) = run_ldsim(args);
    assert!(!stderr.contains("panicked"), "ldsim panicked: {stderr}");
    (code, json, stderr)
}

/// The JSON report of `file`.
fn report<'a>(json: &'a Value, file: &str) -> Option<&'a Value> {
    json["files"]
        .as_array()?
        .iter()
        .find(|f| f["file"].as_str() == Some(file))
}

/// Exit 2, exactly one stderr line naming `bad` with `problem`, and `good` checked on stdout.
fn assert_input_error(code: i32, json: &Value, stderr: &str, bad: &str, problem: &str, good: &str) {
    assert_eq!(code, 2, "exit status for {bad}; stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one error line for {bad}: {stderr:?}");
    assert!(lines[0].contains(bad), "error names {bad}: {}", lines[0]);
    assert!(
        lines[0].contains(problem),
        "error says {problem:?}: {}",
        lines[0]
    );
    let g = report(json, good).unwrap_or_else(|| panic!("{good} not checked: {json:#}"));
    assert!(g["verdict"].is_string(), "{good} got a verdict: {g:#}");
}

fn check_host(files: &[&Path]) -> (i32, Value, String) {
    let mut a = vec!["check".to_string(), "--format".into(), "json".into()];
    a.extend(files.iter().map(|p| s(p)));
    run(&a)
}

#[test]
fn non_elf_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "this is a text file, not an ELF\n".repeat(20)).unwrap();
    let good = good_elf(dir.path());
    let (code, json, stderr) = check_host(&[&text, &good]);
    assert_input_error(code, &json, &stderr, &s(&text), "not an ELF", &s(&good));
}

#[test]
fn truncated_elf() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_elf(dir.path());
    let bytes = std::fs::read(&good).unwrap();
    for len in [10, 40, 63, 100, bytes.len() / 2] {
        let cut = dir.path().join(format!("cut{len}"));
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let (code, json, stderr) = check_host(&[&cut, &good]);
        // Half of /usr/bin/true still holds the program headers but not PT_DYNAMIC (nor the
        // data segment): the file cannot be read completely, so it is an input error.
        assert_input_error(code, &json, &stderr, &s(&cut), "", &s(&good));
    }
}

/// Byte flips in the program header table must never panic; exit 2 must come with one line.
#[test]
fn corrupted_program_headers() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_elf(dir.path());
    let bytes = std::fs::read(&good).unwrap();
    let phoff = u64::from_le_bytes(bytes[32..40].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(bytes[56..58].try_into().unwrap()) as usize;
    let table = phoff..phoff + phnum * 56;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64: reproducible without a dependency.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..60 {
        let mut b = bytes.clone();
        for _ in 0..1 + next() % 8 {
            let at = table.start + (next() as usize) % table.len();
            b[at] ^= 1 << (next() % 8);
        }
        let bad = dir.path().join(format!("flip{round}"));
        std::fs::write(&bad, &b).unwrap();
        let (code, json, stderr) = check_host(&[&bad, &good]);
        assert!(
            matches!(code, 0..=2),
            "round {round}: exit {code}: {stderr}"
        );
        if code == 2 {
            assert_input_error(code, &json, &stderr, &s(&bad), "", &s(&good));
        }
        assert!(
            report(&json, &s(&good)).is_some(),
            "round {round}: {json:#}"
        );
    }
}

#[test]
fn missing_sysroot_directory() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_elf(dir.path());
    let root = dir.path().join("no-such-root");
    let (code, _json, stderr) = run(&["check".into(), "--sysroot".into(), s(&root), s(&good)]);
    assert_eq!(code, 2, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr:?}");
    assert!(lines[0].contains(&s(&root)), "{stderr}");
    assert!(lines[0].contains("No such file or directory"), "{stderr}");
}

/// A root holding /bin/good (a real program) for in-target checks.
fn root_with_good() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    std::fs::copy("/usr/bin/true", dir.path().join("bin/good")).unwrap();
    dir
}

fn check_in(root: &Path, files: &[&str]) -> (i32, Value, String) {
    let mut a = vec![
        "check".to_string(),
        "--format".into(),
        "json".into(),
        "--sysroot".into(),
        s(root),
        "--in-target".into(),
    ];
    a.extend(files.iter().map(|f| f.to_string()));
    run(&a)
}

#[test]
fn symlink_loop_given_as_file() {
    let root = root_with_good();
    std::os::unix::fs::symlink("b", root.path().join("bin/a")).unwrap();
    std::os::unix::fs::symlink("a", root.path().join("bin/b")).unwrap();
    let (code, json, stderr) = check_in(root.path(), &["/bin/a", "/bin/good"]);
    assert_input_error(
        code,
        &json,
        &stderr,
        "/bin/a",
        "Too many levels of symbolic links",
        "/bin/good",
    );
}

#[test]
fn escaping_symlinks_stay_inside_the_root() {
    let root = root_with_good();
    // bin/app -> ../../../../usr/bin/ls: the root has no /usr/bin/ls, the host does.
    std::os::unix::fs::symlink("../../../../usr/bin/ls", root.path().join("bin/app")).unwrap();
    let (code, json, stderr) = check_in(root.path(), &["/bin/app", "/bin/good"]);
    assert_input_error(
        code,
        &json,
        &stderr,
        "/bin/app",
        "No such file or directory",
        "/bin/good",
    );
    assert!(report(&json, "/bin/app").is_none_or(|r| r.get("verdict").is_none()));

    // lib -> ../../../../../etc is clamped to the root's /etc: the root's file is checked …
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::copy("/usr/bin/true", root.path().join("etc/app")).unwrap();
    std::os::unix::fs::symlink("../../../../../etc", root.path().join("lib")).unwrap();
    let (code, json, stderr) = check_in(root.path(), &["/lib/app"]);
    let r = report(&json, "/lib/app").unwrap_or_else(|| panic!("{json:#} {stderr}"));
    // … and, the root having no loader, it fails for want of an interpreter.
    assert_eq!(r["verdict"], "fails", "{r:#}");
    assert_eq!(code, 1);
    // … while the host's /etc/passwd (absent from the root) is never reached.
    let (code, json, stderr) = check_in(root.path(), &["/lib/passwd", "/bin/good"]);
    assert_input_error(
        code,
        &json,
        &stderr,
        "/lib/passwd",
        "No such file or directory",
        "/bin/good",
    );
}

#[test]
fn interpreter_symlink_loop_is_a_broken_target() {
    let root = root_with_good();
    let lib64 = root.path().join("lib64");
    std::fs::create_dir_all(&lib64).unwrap();
    std::os::unix::fs::symlink("y", lib64.join("x")).unwrap();
    std::os::unix::fs::symlink("x", lib64.join("y")).unwrap();
    std::os::unix::fs::symlink("x", lib64.join("ld-linux-x86-64.so.2")).unwrap();
    let (code, json, stderr) = check_in(root.path(), &["/bin/good"]);
    assert_eq!(code, 1, "the target is broken, not the input: {stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");
    let r = report(&json, "/bin/good").expect("report");
    assert_eq!(r["verdict"], "fails");
    assert_eq!(r["exit_status"], 127);
    let p = &r["problems"][0];
    assert_eq!(p["kind"], "missing-interpreter", "{r:#}");
    assert_eq!(p["interpreter"], "/lib64/ld-linux-x86-64.so.2");
}

/// A directory FILE in which nothing is an ELF file is an input error naming it, not silence.
#[test]
fn directory_without_elf_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_elf(dir.path());
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("empty")).unwrap();
    std::fs::write(docs.join("README"), "no program here\n").unwrap();
    let (code, json, stderr) = check_host(&[&docs, &good]);
    assert_input_error(
        code,
        &json,
        &stderr,
        &s(&docs),
        "no ELF file in this directory",
        &s(&good),
    );
    let entry = report(&json, &s(&docs)).unwrap_or_else(|| panic!("{json:#}"));
    assert!(entry["error"].is_string(), "{entry:#}");

    // The same inside a target root (--in-target).
    let root = root_with_good();
    std::fs::create_dir_all(root.path().join("usr/share/doc")).unwrap();
    std::fs::write(root.path().join("usr/share/doc/README"), "text\n").unwrap();
    let (code, json, stderr) = check_in(root.path(), &["/usr/share/doc", "/bin/good"]);
    assert_input_error(
        code,
        &json,
        &stderr,
        "/usr/share/doc",
        "no ELF file in this directory",
        "/bin/good",
    );
}

/// A `--sysroot` that cannot be opened (missing, or not an archive) beside built-in targets:
/// the JSON document is still printed, with a `{file, target, error}` entry for the broken
/// root and the reports of the other targets; one stderr line; exit status 2.
#[test]
fn broken_sysroot_beside_builtin_targets() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_elf(dir.path());
    let not_archive = dir.path().join("broken.tar");
    std::fs::write(&not_archive, "not a tar archive\n".repeat(40)).unwrap();
    let missing = dir.path().join("no-such-root");
    for (root, problem) in [
        (
            &not_archive,
            "not a directory, tar archive or container image",
        ),
        (&missing, "No such file or directory"),
    ] {
        let root = s(root);
        let args: Vec<String> = [
            "check",
            "--format",
            "json",
            "--sysroot",
            &root,
            "--target",
            "debian-12",
            "--target",
            "debian-11",
            &s(&good),
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        let (code, json, stderr) = run(&args);
        assert_eq!(code, 2, "{stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line for the broken root: {stderr:?}");
        assert!(
            lines[0].starts_with(&format!("ldsim: cannot open the sysroot: {root}: ")),
            "{stderr}"
        );
        assert!(lines[0].contains(problem), "{stderr}");
        let files = json["files"].as_array().unwrap_or_else(|| panic!("{json}"));
        let targets: Vec<&str> = files.iter().filter_map(|f| f["target"].as_str()).collect();
        assert_eq!(
            targets,
            [root.as_str(), "debian-12", "debian-11"],
            "{json:#}"
        );
        assert_eq!(files[0]["file"], s(&good));
        assert!(files[0]["error"].as_str().unwrap().contains(problem));
        assert!(files[1]["verdict"].is_string() && files[2]["verdict"].is_string());

        // Human output: the same one line on stderr, the other targets still printed.
        let mut human = vec!["check".to_string()];
        human.extend_from_slice(&args[3..]);
        let out = std::process::Command::new(ldsim_tests::ldsim_bin())
            .args(&human)
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().collect::<Vec<_>>(), lines, "{stderr}");
        for target in ["debian-12", "debian-11"] {
            assert!(
                stdout
                    .lines()
                    .any(|l| l.split_whitespace().nth(1) == Some(target)),
                "{target} printed: {stdout}"
            );
        }
    }
}

/// A lone broken `--sysroot` with `--format json` still prints the JSON document, with the
/// error entry for each file.
#[test]
fn broken_sysroot_alone_still_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_elf(dir.path());
    let root = dir.path().join("no-such-root");
    let (code, json, stderr) = run(&[
        "check".into(),
        "--format".into(),
        "json".into(),
        "--sysroot".into(),
        s(&root),
        s(&good),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert_eq!(json["schema_version"], 1, "{json:#}");
    let entry = report(&json, &s(&good)).unwrap_or_else(|| panic!("{json:#}"));
    assert!(
        entry["error"]
            .as_str()
            .is_some_and(|e| e.contains("No such file or directory")),
        "{entry:#}"
    );
}

/// A run of several files ends its human output with one tally line (a file that loads, one
/// that fails, one that is an input error), and draws no progress bar when stderr is not a
/// terminal: stderr holds only the input error.
#[test]
fn many_files_end_with_a_tally_and_no_progress_bar_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_elf(dir.path());
    let object = dir.path().join("x.o");
    let status = std::process::Command::new("gcc")
        .args(["-c", "-x", "c", "-", "-o"])
        .arg(&object)
        .stdin(std::fs::File::open("/dev/null").unwrap())
        .status()
        .expect("gcc");
    assert!(status.success());
    let missing = dir.path().join("missing");
    let out = std::process::Command::new(ldsim_tests::ldsim_bin())
        .args(["check", "--sysroot", "/"])
        .args([&good, &object, &missing])
        .output()
        .expect("run ldsim");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("3 files: 1 loads, 1 fails, 1 error"),
        "{stdout}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr:?}");
    assert!(lines[0].contains(&s(&missing)), "{stderr:?}");
}
