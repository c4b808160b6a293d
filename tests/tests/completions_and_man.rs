//! `ldsim completions SHELL` and `ldsim man`, generated from the clap definitions: every shell
//! gets a script that names the options, bash's parses, and the manual page is roff naming
//! them too.

use ldsim_tests::ldsim_bin;
use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(ldsim_bin()).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_completion_script_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, script) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for option in ["--sysroot", "--policy", "--baseline", "--format"] {
            assert!(script.contains(option), "{shell} completion lacks {option}");
        }
    }
    let (_, script) = run(&["completions", "bash"]);
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    bash.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(bash.wait().unwrap().success(), "bash -n refuses the script");
}

#[test]
fn the_manual_page_is_roff_naming_the_commands() {
    let (code, page) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH ldsim 1"), "{page}");
    for word in ["check", "targets", "completions"] {
        assert!(page.contains(word), "the page lacks {word}");
    }
}

#[test]
fn each_command_has_a_page_with_its_options() {
    let (code, page) = run(&["man", "check"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH ldsim-check 1"), "{page}");
    for option in ["sysroot", "policy", "baseline", "loaded\\-by", "fail\\-on"] {
        assert!(page.contains(option), "ldsim-check(1) lacks {option}");
    }
    let (code, page) = run(&["man", "targets"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH ldsim-targets 1"), "{page}");
    let (code, _) = run(&["man", "nosuch"]);
    assert_eq!(code, 2, "an unknown command is a usage error");
}
