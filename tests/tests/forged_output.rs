//! Forged output: names and paths an input chooses (DT_NEEDED, symbol names, RUNPATH
//! directories, file names) may hold ESC, BEL, CR, LF, TAB or DEL. Human output and `-v` logs
//! show them as visible escapes (`\x1b`), so an image can neither recolour the terminal nor
//! print a line ldsim never wrote (`/bin/app: ok`); JSON carries them exactly.
//!
//! The binaries are built here with gcc, with plain marker names patched in place afterwards
//! (same length) into the hostile ones: the linker is never asked to write a control character.

use ldsim_tests::ldsim_bin;
use serde_json::Value;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The DT_NEEDED name and symbol payload: colour, bell, TAB, CR, and a forged verdict line.
const FORGE: &[u8] = b"\x1b[31m\x07\t\r\n/bin/app: ok\x7f";
/// How [`FORGE`] shows in human output.
const FORGE_SHOWN: &str = "\\x1b[31m\\x07\\x09\\x0d\\x0a/bin/app: ok\\x7f";
/// A directory and library name payload (no `/`): set the title, then clear the line.
const TITLE: &[u8] = b"\x1b]0;pwned\x07\r\x1b[2K";
const TITLE_SHOWN: &str = "\\x1b]0;pwned\\x07\\x0d\\x1b[2K";

/// Markers of the payloads' lengths, replaced after linking.
fn marker(c: u8, payload: &[u8]) -> Vec<u8> {
    vec![c; payload.len()]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn gcc(dir: &Path, args: &[&OsStr]) {
    let out = Command::new("gcc")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("gcc (apt-get install gcc)");
    assert!(
        out.status.success(),
        "gcc {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Replaces every occurrence of each marker in `path` by its payload (same length).
fn patch(path: &Path, edits: &[(&[u8], &[u8])]) {
    let mut bytes = std::fs::read(path).unwrap();
    for (from, to) in edits {
        assert_eq!(from.len(), to.len());
        let mut found = 0;
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(from.len()).position(|w| w == *from) {
            bytes[at + i..at + i + from.len()].copy_from_slice(to);
            at += i + from.len();
            found += 1;
        }
        assert!(
            found > 0,
            "marker {} not in {}",
            String::from_utf8_lossy(from),
            path.display()
        );
    }
    std::fs::write(path, bytes).unwrap();
}

struct Forged {
    _dir: tempfile::TempDir,
    /// A program: RUNPATH `$ORIGIN/TITLE`, needing `libaTITLE.so` (there, found) and
    /// `libFORGE.so` (missing), and calling `symFORGE`.
    app: PathBuf,
    /// A shared object calling the undefined `symFORGE` (list mode's TAB form).
    lib: PathBuf,
}

fn forged() -> Forged {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (n, s) = (text(&marker(b'N', FORGE)), text(&marker(b'S', FORGE)));
    let (r, a) = (text(&marker(b'R', TITLE)), text(&marker(b'A', TITLE)));
    std::fs::write(d.join("a.c"), "int a_fn(void) { return 1; }\n").unwrap();
    std::fs::write(d.join("b.c"), format!("int sym{s}(void) {{ return 2; }}\n")).unwrap();
    std::fs::write(
        d.join("main.c"),
        format!(
            "int a_fn(void); int sym{s}(void);\nint main(void) {{ return a_fn() + sym{s}(); }}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("c.c"),
        format!("int sym{s}(void);\nint c_fn(void) {{ return sym{s}(); }}\n"),
    )
    .unwrap();
    let os = |s: &str| OsStr::new(s).to_owned();
    for (src, out, soname) in [
        ("a.c", format!("liba{a}.so"), format!("liba{a}.so")),
        ("b.c", format!("lib{n}.so"), format!("lib{n}.so")),
        ("c.c", "libc_forged.so".into(), "libc_forged.so".into()),
    ] {
        let soname = format!("-Wl,-soname,{soname}");
        let args = [
            os("-shared"),
            os("-fPIC"),
            os("-o"),
            os(&out),
            os(src),
            os(&soname),
        ];
        gcc(d, &args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    }
    let runpath = format!("-Wl,-rpath,$ORIGIN/{r}");
    let args = [
        os("-o"),
        os("app"),
        os("main.c"),
        os("-Wl,--no-as-needed"),
        os("-Wl,--enable-new-dtags"),
        os(&runpath),
        os(&format!("liba{a}.so")),
        os(&format!("lib{n}.so")),
    ];
    gcc(d, &args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    let (n, s, r, a) = (n.as_bytes(), s.as_bytes(), r.as_bytes(), a.as_bytes());
    let app = d.join("app");
    patch(&app, &[(n, FORGE), (s, FORGE), (r, TITLE), (a, TITLE)]);
    // libaTITLE.so in $ORIGIN/TITLE, as RUNPATH finds it; libFORGE.so nowhere.
    let libdir = d.join(OsStr::from_bytes(TITLE));
    std::fs::create_dir(&libdir).unwrap();
    let liba = libdir.join(OsStr::from_bytes(&[b"liba", TITLE, b".so"].concat()));
    std::fs::rename(d.join(format!("liba{}.so", text(a))), &liba).unwrap();
    patch(&liba, &[(a, TITLE)]);
    std::fs::remove_file(d.join(format!("lib{}.so", text(n)))).unwrap();
    let lib = d.join("libc_forged.so");
    patch(&lib, &[(s, FORGE)]);
    Forged {
        _dir: dir,
        app,
        lib,
    }
}

/// Runs ldsim: (exit code, stdout, stderr), both as text.
fn ldsim<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(ldsim_bin())
        .args(args)
        .output()
        .expect("run ldsim");
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert!(!stderr.contains("panicked"), "ldsim panicked: {stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr,
    )
}

/// No control character but ldsim's own line ends; a TAB only where `tab_ok` accepts the
/// line; and no line is the forged verdict.
fn assert_safe(what: &str, output: &str, tab_ok: impl Fn(&str) -> bool) {
    for line in output.split('\n') {
        for c in line.chars() {
            let allowed = c == '\t' && tab_ok(line);
            assert!(
                allowed || !(c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)),
                "{what}: raw {c:?} in line {line:?}\n--- whole output:\n{output}"
            );
        }
        assert!(
            !line.trim_start().starts_with("/bin/app: ok"),
            "{what}: forged line {line:?}"
        );
    }
}

fn no_tab(_: &str) -> bool {
    false
}

#[test]
fn human_report_escapes_names_and_paths() {
    let f = forged();
    for verbose in [false, true] {
        let mut args: Vec<&OsStr> = vec!["check".as_ref(), "--sysroot".as_ref(), "/".as_ref()];
        if verbose {
            args.push("-v".as_ref());
        }
        args.push(f.app.as_os_str());
        let (code, out, err) = ldsim(&args);
        assert_eq!(code, 1, "fails: the library is missing\n{out}\n{err}");
        assert_safe("stdout", &out, no_tab);
        assert!(
            out.contains(&format!("lib{FORGE_SHOWN}.so")),
            "the DT_NEEDED name, escaped:\n{out}"
        );
        assert!(
            out.contains(&format!("sym{FORGE_SHOWN}")),
            "the symbol, escaped:\n{out}"
        );
        if verbose {
            // The object found through RUNPATH in the TITLE directory, and the search.
            let found = format!("/{TITLE_SHOWN}/liba{TITLE_SHOWN}.so");
            assert!(
                out.contains(&format!("liba{TITLE_SHOWN}.so => ")) && out.contains(&found),
                "objects, escaped:\n{out}"
            );
            assert!(
                out.lines().any(
                    |l| l.contains("trying file=") && l.ends_with(&format!("{found}  (found)"))
                ),
                "search trace, escaped:\n{out}"
            );
            // -v logs: LD_DEBUG=libs lines on stderr, with glibc's own TABs in `search path=`.
            assert_safe("-v log", &err, |line| line.contains("search path="));
            // A name with a `/` is opened as written, not searched for.
            assert!(
                err.contains(&format!("file=lib{FORGE_SHOWN}.so [0];"))
                    && err.contains(&format!("trying file=lib{FORGE_SHOWN}.so\n")),
                "-v log names the library, escaped:\n{err}"
            );
            assert!(
                err.contains(&format!("find library=liba{TITLE_SHOWN}.so [0]")),
                "-v log names the library, escaped:\n{err}"
            );
            assert!(
                err.contains(&format!("/{TITLE_SHOWN}\t\t(")),
                "-v log search path, escaped, glibc's TABs kept:\n{err}"
            );
        }
    }
}

#[test]
fn list_mode_keeps_its_tab_and_escapes_the_symbol() {
    let f = forged();
    let (code, out, _) = ldsim(&[
        "check".as_ref(),
        "--sysroot".as_ref(),
        "/".as_ref(),
        "-v".as_ref(),
        f.lib.as_os_str(),
    ]);
    assert_eq!(code, 1, "{out}");
    // `undefined symbol: X\t(OBJ)`, as ldd -r prints it: the one TAB is the loader's.
    assert_safe("list mode", &out, |line| {
        line.contains(&format!("undefined symbol: sym{FORGE_SHOWN}\t("))
    });
    assert!(
        out.contains(&format!("undefined symbol: sym{FORGE_SHOWN}\t(")),
        "list mode's message, escaped around its TAB:\n{out}"
    );
}

#[test]
fn matrix_escapes_names() {
    let f = forged();
    for targets in [&["debian-12"][..], &["debian-12", "alpine-3.20"]] {
        for verbose in [false, true] {
            let mut args: Vec<&OsStr> = vec!["check".as_ref()];
            for t in targets {
                args.extend([OsStr::new("--target"), OsStr::new(t)]);
            }
            if verbose {
                args.push("-v".as_ref());
            }
            args.push(f.app.as_os_str());
            let (_, out, err) = ldsim(&args);
            let what = format!("--target {targets:?} -v {verbose}");
            assert_safe(&what, &out, no_tab);
            assert_safe(&what, &err, |line| line.contains("search path="));
            assert!(
                out.contains(&format!("lib{FORGE_SHOWN}.so")),
                "{what}: the DT_NEEDED name, escaped:\n{out}"
            );
            // The matrix's one line per target names the first problem only.
            if verbose || targets.len() == 1 {
                assert!(
                    out.contains(&format!("sym{FORGE_SHOWN}")),
                    "{what}: the symbol, escaped:\n{out}"
                );
            }
            if verbose {
                assert!(
                    out.contains(&format!("liba{TITLE_SHOWN}.so => ")),
                    "{what}: the objects, escaped:\n{out}"
                );
            }
        }
    }
}

#[test]
fn json_carries_the_exact_names() {
    let f = forged();
    let (code, out, _) = ldsim(&[
        "check".as_ref(),
        "--sysroot".as_ref(),
        "/".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        f.app.as_os_str(),
    ]);
    assert_eq!(code, 1);
    // serde_json writes C0 control characters as escapes (`\u001b`, `\r`); DEL needs none.
    assert!(
        !out.chars().any(|c| c < ' ' && c != '\n'),
        "raw control character in JSON:\n{out}"
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    let problems = json["files"][0]["problems"].as_array().unwrap();
    let needed = text(&[b"lib", FORGE, b".so"].concat());
    assert!(
        problems
            .iter()
            .any(|p| p["kind"] == "missing-library" && p["library"] == needed.as_str()),
        "the exact DT_NEEDED name {needed:?} in {problems:#?}"
    );
    let symbol = text(&[b"sym", FORGE].concat());
    assert!(
        problems
            .iter()
            .any(|p| p["kind"] == "undefined-symbol" && p["symbol"] == symbol.as_str()),
        "the exact symbol {symbol:?} in {problems:#?}"
    );
    let objects = json["files"][0]["objects"].as_array().unwrap();
    let liba = text(&[b"liba", TITLE, b".so"].concat());
    assert!(
        objects.iter().any(|o| o["needed"] == liba.as_str()),
        "{objects:#?}"
    );
}

#[test]
fn stderr_error_line_escapes_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir
        .path()
        .join(OsStr::from_bytes(b"bad\x1b[31m\x07\r\nldsim: ok"));
    std::fs::write(&bad, "not an ELF file\n".repeat(10)).unwrap();
    let good = dir.path().join("good");
    std::fs::copy("/usr/bin/true", &good).unwrap();
    let shown = format!(
        "{}/bad\\x1b[31m\\x07\\x0d\\x0aldsim: ok",
        dir.path().display()
    );
    for targets in [&["--sysroot", "/"][..], &["--target", "debian-12"]] {
        let mut args: Vec<&OsStr> = vec!["check".as_ref()];
        args.extend(targets.iter().map(OsStr::new));
        args.extend([bad.as_os_str(), good.as_os_str()]);
        let (code, out, err) = ldsim(&args);
        assert_eq!(code, 2, "{err}");
        assert_safe("stderr", &err, no_tab);
        assert_safe("stdout", &out, no_tab);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "one error line: {err:?}");
        assert!(
            lines[0].starts_with(&format!("ldsim: {shown}: not an ELF file")),
            "{targets:?}: {err:?}"
        );
    }
    // A directory walk finds the file under its own name.
    let (code, _, err) = ldsim(&[
        "check".as_ref(),
        "--sysroot".as_ref(),
        "/".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_safe("walk", &err, no_tab);
    assert!(code == 0 || code == 2, "{err}");
}
