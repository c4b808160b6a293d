//! End-to-end runs of the `ldsim` binary: arguments, exit statuses, output shapes.
//! Programs are built with gcc; the target root is a minimal copy of the host's glibc.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ldsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ldsim"))
        .args(args)
        .env_remove("LDSIM_LOG")
        .output()
        .expect("run ldsim")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn gcc(args: &[&str]) {
    let status = Command::new("gcc").args(args).status().expect("run gcc");
    assert!(status.success(), "gcc {args:?}");
}

/// A root holding only the host's dynamic loader and libc, at Debian's paths.
fn minimal_root(dir: &Path) -> PathBuf {
    let root = dir.join("root");
    fs::create_dir_all(root.join("lib64")).unwrap();
    fs::create_dir_all(root.join("lib/x86_64-linux-gnu")).unwrap();
    fs::copy(
        "/lib64/ld-linux-x86-64.so.2",
        root.join("lib64/ld-linux-x86-64.so.2"),
    )
    .unwrap();
    fs::copy(
        "/lib/x86_64-linux-gnu/libc.so.6",
        root.join("lib/x86_64-linux-gnu/libc.so.6"),
    )
    .unwrap();
    root
}

/// `app/bin/app` needing `libfoo.so.1` through RUNPATH `$ORIGIN/../lib`.
fn origin_app(dir: &Path) -> PathBuf {
    let app = dir.join("app");
    fs::create_dir_all(app.join("bin")).unwrap();
    fs::create_dir_all(app.join("lib")).unwrap();
    fs::write(dir.join("foo.c"), "int foo(void) { return 1; }\n").unwrap();
    fs::write(
        dir.join("main.c"),
        "int foo(void);\nint main(void) { return foo() - 1; }\n",
    )
    .unwrap();
    let lib = app.join("lib/libfoo.so.1");
    let exe = app.join("bin/app");
    gcc(&[
        "-shared",
        "-fPIC",
        "-Wl,-soname,libfoo.so.1",
        "-o",
        lib.to_str().unwrap(),
        dir.join("foo.c").to_str().unwrap(),
    ]);
    gcc(&[
        "-o",
        exe.to_str().unwrap(),
        dir.join("main.c").to_str().unwrap(),
        lib.to_str().unwrap(),
        "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib",
    ]);
    exe
}

#[test]
fn help_documents_exit_statuses_targets_and_the_built_in_default() {
    let out = ldsim(&["check", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for needle in [
        "--sysroot",
        "--target",
        "own root",
        "default built-in targets",
        "ldsim targets",
        "Exit status:",
        "--in-target",
    ] {
        assert!(help.contains(needle), "{needle:?} missing from:\n{help}");
    }
}

#[test]
fn unsupported_env_is_a_usage_error_naming_the_supported_ones() {
    let out = ldsim(&["check", "--env", "LD_AUDIT=x", "/bin/true"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("LD_LIBRARY_PATH, LD_PRELOAD, LD_BIND_NOW"),
        "{err}"
    );
}

#[test]
fn missing_sysroot_is_an_input_error() {
    let out = ldsim(&["check", "--sysroot", "/nonexistent-ldsim-root", "/bin/true"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("ldsim: cannot open the sysroot: "));
}

#[test]
fn host_file_is_checked_as_installed_with_its_origin_libraries() {
    let tmp = tempfile::tempdir().unwrap();
    let root = minimal_root(tmp.path());
    let exe = origin_app(tmp.path());
    let (root, exe) = (root.to_str().unwrap(), exe.to_str().unwrap());

    let out = ldsim(&["check", "--sysroot", root, exe]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).starts_with(&format!("{exe}: ok (glibc ")));

    // Without the library beside it, the loader's own message, argv[0] being the path.
    fs::remove_file(tmp.path().join("app/lib/libfoo.so.1")).unwrap();
    let out = ldsim(&["check", "--sysroot", root, exe]);
    assert_eq!(out.status.code(), Some(1));
    let canonical = fs::canonicalize(exe).unwrap();
    let message = format!(
        "  {}: error while loading shared libraries: libfoo.so.1: cannot open shared object \
         file: No such file or directory\n",
        canonical.display()
    );
    assert!(
        text(&out.stdout).contains(&message),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn json_keeps_input_order_and_input_errors_win() {
    let tmp = tempfile::tempdir().unwrap();
    let root = minimal_root(tmp.path());
    let exe = origin_app(tmp.path());
    fs::remove_file(tmp.path().join("app/lib/libfoo.so.1")).unwrap();
    let not_elf = tmp.path().join("notes.txt");
    fs::write(
        &not_elf,
        "just text, long enough to be more than an ELF header would need\n".repeat(2),
    )
    .unwrap();
    let (root, exe, not_elf) = (
        root.to_str().unwrap(),
        exe.to_str().unwrap(),
        not_elf.to_str().unwrap(),
    );

    let out = ldsim(&["check", "--format", "json", "--sysroot", root, not_elf, exe]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(&format!("ldsim: {not_elf}: not an ELF file")));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], not_elf);
    assert!(files[0]["error"]
        .as_str()
        .unwrap()
        .starts_with("not an ELF file"));
    assert_eq!(files[1]["file"], exe);
    assert_eq!(files[1]["verdict"], "fails");
    assert_eq!(files[1]["problems"][0]["kind"], "missing-library");
}

#[test]
fn in_target_directory_checks_every_elf_file_sorted() {
    let tmp = tempfile::tempdir().unwrap();
    let root = minimal_root(tmp.path());
    fs::write(root.join("lib/x86_64-linux-gnu/README"), "not ELF").unwrap();
    let out = ldsim(&[
        "check",
        "--format",
        "json",
        "--in-target",
        "--sysroot",
        root.to_str().unwrap(),
        "/lib",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["/lib/x86_64-linux-gnu/libc.so.6"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
