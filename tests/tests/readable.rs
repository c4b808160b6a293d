//! Human output shows C++ names demangled (the floor, reasons, symbol lists); the loader's
//! message and JSON keep the names as the file has them.

use ldsim_tests::{fixtures, ldsim_bin, run_ldsim};
use std::process::Command;

#[test]
fn cxx_names_are_demangled_for_people_only() {
    let m = fixtures();
    let cxx = m.roots["glibc"].join("t/glibc/newer_glibc/cxx");
    let out = Command::new(ldsim_bin())
        .args(["check", "-v", "--target", "debian-11"])
        .arg(&cxx)
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("std::condition_variable::wait(std::unique_lock<std::mutex>&)"),
        "{human}"
    );
    // The loader's own line keeps the mangled name it prints.
    assert!(
        human.contains(
            "undefined symbol: _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE, version GLIBCXX_3.4.30"
        ),
        "{human}"
    );
    let (_, json, _) = run_ldsim([
        "check",
        "--format",
        "json",
        "--target",
        "debian-11",
        cxx.to_str().unwrap(),
    ]);
    let text = json.to_string();
    assert!(text.contains("_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE"));
    assert!(!text.contains("std::condition_variable::wait"));
}

#[test]
fn verdicts_are_coloured_only_when_asked_or_on_a_terminal() {
    let m = fixtures();
    let stat = m.roots["glibc"].join("t/glibc/newer_glibc/stat");
    let run = |color: &str| {
        let out = Command::new(ldsim_bin())
            .args([
                "check",
                "--color",
                color,
                "--target",
                "debian-11",
                "--target",
                "debian-12",
            ])
            .arg(&stat)
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let always = run("always");
    assert!(always.contains("\u{1b}[31mfails"), "{always:?}");
    assert!(always.contains("\u{1b}[32mruns"), "{always:?}");
    // Standard output is a pipe here: auto means none, as never does.
    for choice in ["auto", "never"] {
        assert!(!run(choice).contains('\u{1b}'), "--color {choice}");
    }
    // Without colour the text is the same, byte for byte, once the codes are removed.
    let stripped = always
        .replace("\u{1b}[1m", "")
        .replace("\u{1b}[31m", "")
        .replace("\u{1b}[32m", "")
        .replace("\u{1b}[0m", "");
    assert_eq!(stripped, run("never"));
}
