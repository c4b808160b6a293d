//! `cargo xtask ci`: everything CI checks, in order, with output streamed.
//!
//! `cargo build -p ldsim` comes before the tests because the differential tests run the
//! `ldsim` binary from target/debug (a binary of another package is not available to them
//! through CARGO_BIN_EXE_*).

use crate::util::{run_streamed, workspace_root};
use anyhow::Result;
use std::process::Command;

/// Debian packages the fixtures and the oracle need (libc6-dev-i386 and lib32gcc-12-dev for
/// gcc -m32 — not gcc-multilib, which conflicts with the cross compilers —: the 32-bit library of
/// wrong_class_first; busybox-static: a shell in the musl roots; tar, the compressors, umoci
/// and skopeo: the archives and images the archive tests and `cargo xtask bench` build; curl:
/// the reference packages of the built-in table tests; g++: the C++ fixture; the cross
/// compilers and qemu-user-static: the foreign-architecture roots, xtask/src/foreign.rs; their
/// i386 root is built with gcc -m32 and run natively).
const PACKAGES: &[&str] = &[
    "gcc",
    "g++",
    "curl",
    "libc6-dev",
    "musl",
    "musl-tools",
    "debootstrap",
    "libc6-dev-i386",
    "lib32gcc-12-dev",
    "binutils",
    "ca-certificates",
    "busybox-static",
    "file",
    "tar",
    "gzip",
    "xz-utils",
    "zstd",
    "bzip2",
    "umoci",
    "skopeo",
    "time",
    "gcc-aarch64-linux-gnu",
    "gcc-arm-linux-gnueabihf",
    "gcc-riscv64-linux-gnu",
    "gcc-powerpc64le-linux-gnu",
    "gcc-s390x-linux-gnu",
    // Only recommended by the cross compilers, and recommends are not installed.
    "libc6-dev-arm64-cross",
    "libc6-dev-armhf-cross",
    "libc6-dev-riscv64-cross",
    "libc6-dev-ppc64el-cross",
    "libc6-dev-s390x-cross",
    "qemu-user-static",
    // rpmbuild and rpm: the rpm database of the package-owner test (tests/tests/packages.rs).
    "rpm",
    // xmllint: the JUnit output is validated against the JUnit XSD (tests/tests/ci_formats.rs).
    "libxml2-utils",
    // The Go toolchain: the Go fixtures (xtask/src/go_fixtures.rs).
    "golang-go",
    // What a static glibc program opens at run time (tests/tests/static_glibc.rs).
    "strace",
];

/// Install whatever of [`PACKAGES`] is missing, so that `cargo xtask ci` alone works on a
/// fresh Debian machine (as root, the way CI runs).
fn install_prerequisites() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask ci: installing {}", missing.join(" "));
    run_streamed(Command::new("apt-get").arg("update"))?;
    run_streamed(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

pub fn run() -> Result<()> {
    install_prerequisites()?;
    let ws = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let steps: [&[&str]; 4] = [
        &["fmt", "--all", "--", "--check"],
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &["xtask", "fixtures"],
        &["build", "-p", "ldsim"],
    ];
    for step in steps {
        eprintln!("xtask ci: cargo {}", step.join(" "));
        run_streamed(Command::new(&cargo).args(step).current_dir(&ws))?;
    }
    // The API documentation builds without a warning (a broken intra-doc link is one).
    eprintln!("xtask ci: RUSTDOCFLAGS='-D warnings' cargo doc --workspace --no-deps");
    run_streamed(
        Command::new(&cargo)
            .args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings")
            .current_dir(&ws),
    )?;
    eprintln!("xtask ci: cargo test --workspace");
    let (passed, failed, ok) = run_tests(
        Command::new(&cargo)
            .args(["test", "--workspace"])
            .current_dir(&ws),
    )?;
    if !ok {
        println!("tests: {passed} passed, {failed} failed");
        anyhow::bail!("cargo test failed");
    }
    // The release binary: static, and by its own check it runs on every default target.
    eprintln!("xtask ci: cargo xtask dist");
    crate::dist::run_dist()?;
    eprintln!("xtask ci: all steps passed");
    // The closing line adds up every test binary (cargo's own last line is a doc-test run).
    println!("tests: {passed} passed, {failed} failed");
    Ok(())
}

/// Runs cargo test with its output passed through, adding up the `test result:` lines.
fn run_tests(cmd: &mut Command) -> Result<(u64, u64, bool)> {
    use std::io::{BufRead, BufReader};
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn()?;
    let (mut passed, mut failed) = (0, 0);
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line?;
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                let count = |word: &str| {
                    rest.split(';')
                        .find_map(|part| {
                            part.trim()
                                .strip_suffix(word)?
                                .trim()
                                .rsplit(' ')
                                .next()?
                                .parse::<u64>()
                                .ok()
                        })
                        .unwrap_or(0)
                };
                passed += count("passed");
                failed += count("failed");
            }
        }
    }
    let ok = child.wait()?.success();
    Ok((passed, failed, ok))
}
