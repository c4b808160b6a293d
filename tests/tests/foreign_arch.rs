//! The foreign-architecture differential test: every program of every foreign root
//! (`cargo xtask fixtures`, tests/src/foreign.rs) runs under its real glibc loader through
//! qemu-user-static (i386 natively), lazily and with LD_BIND_NOW=1, and `ldsim check` must agree on the
//! verdict (ok / fails / fails-on-call) and the undefined symbols. Missing roots fail the
//! test (never skip it). The programs prove loader-facts §6.3 per architecture: a GLOB_DAT
//! or absolute data reference to a missing symbol is fatal at start-up, a PLT-only call only
//! at the first call, unless the object or the environment binds now; and the per-architecture
//! exceptions: aarch64's variant-PCS calls are bound at start-up, riscv64's variant-CC calls
//! are not.

use ldsim_tests::foreign::{foreign_fixtures, ForeignRoot, REQUIRED};
use ldsim_tests::oracle::{observe, run_program_qemu};
use ldsim_tests::run_ldsim;
use std::collections::BTreeMap;

/// ldsim's verdict and undefined symbols (start-up ones first) for one program.
fn predicted(
    root: &ForeignRoot,
    program: &str,
    bind_now: bool,
) -> Result<(String, Vec<String>), String> {
    let mut args: Vec<String> = vec![
        "check".into(),
        "--sysroot".into(),
        root.root.display().to_string(),
        "--in-target".into(),
        "--format".into(),
        "json".into(),
    ];
    if bind_now {
        args.extend(["--env".into(), "LD_BIND_NOW=1".into()]);
    }
    args.push(program.to_string());
    let (code, json, stderr) = run_ldsim(&args);
    let report = match json["files"].get(0) {
        Some(report) if code == 0 || code == 1 => report.clone(),
        _ => return Err(format!("ldsim exit {code}: {}", stderr.trim())),
    };
    let (mut startup, mut first_call) = (Vec::new(), Vec::new());
    for problem in report["problems"].as_array().into_iter().flatten() {
        if problem["kind"] == "undefined-symbol" {
            let sym = problem["symbol"].as_str().unwrap_or_default().to_string();
            if problem["when"] == "startup" {
                startup.push(sym);
            } else {
                first_call.push(sym);
            }
        }
    }
    startup.extend(first_call);
    let verdict = report["verdict"].as_str().unwrap_or("?").to_string();
    Ok((verdict, startup))
}

#[test]
fn foreign_architectures_agree_with_the_real_loader_under_qemu() {
    let manifest = foreign_fixtures();
    let arches: Vec<&str> = manifest.roots.iter().map(|r| r.arch.as_str()).collect();
    for arch in REQUIRED {
        assert!(
            arches.contains(arch),
            "no {arch} root in the foreign fixtures (have {arches:?}): run `cargo xtask fixtures`"
        );
    }
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for root in &manifest.roots {
        if let Some(qemu) = &root.qemu {
            assert!(
                root.root.join(qemu.trim_start_matches('/')).is_file(),
                "{}: {qemu} missing from the root: run `cargo xtask fixtures`",
                root.arch,
            );
        }
        for p in &root.programs {
            for bind_now in [false, true] {
                let run = run_program_qemu(
                    &root.root,
                    root.qemu.as_deref(),
                    &p.program,
                    &BTreeMap::new(),
                    bind_now,
                );
                let real = observe(&run, None);
                let mode = if bind_now { "LD_BIND_NOW=1" } else { "lazy" };
                // qemu itself failing (no binary, bad root) is not a loader verdict.
                assert!(
                    run.exec_errno.is_none() && !run.stderr.starts_with("qemu"),
                    "{} {} ({mode}): qemu could not run it: {}",
                    root.arch,
                    p.name,
                    run.stderr
                );
                let got = match predicted(root, &p.program, bind_now) {
                    Ok(got) => got,
                    Err(e) => {
                        mismatches.push(format!("{} {} ({mode}): {e}", root.arch, p.name));
                        continue;
                    }
                };
                compared += 1;
                // glibc prints only the first undefined symbol it meets.
                let first = got.1.first().cloned();
                let real_first = real.undefined_symbols.first().cloned();
                if got.0 != real.verdict || first != real_first {
                    mismatches.push(format!(
                        "{} {} ({mode}): real {} {:?}, ldsim {} {:?}\n    stderr: {}",
                        root.arch,
                        p.name,
                        real.verdict,
                        real_first,
                        got.0,
                        first,
                        run.stderr.trim()
                    ));
                }
            }
        }
    }
    assert!(compared > 0 || !mismatches.is_empty(), "nothing compared");
    assert!(
        mismatches.is_empty(),
        "{} of the foreign-architecture runs disagree:\n  {}",
        mismatches.len(),
        mismatches.join("\n  ")
    );
}

/// The programs must really exercise what the test is about: on every architecture the
/// lazy PLT-only call fails on call and every other data_vs_plt program at start-up; the
/// aarch64 variant-PCS call fails at start-up and the riscv64 variant-CC call on call (each
/// program's `expect`). Guards against a fixture that silently stops reproducing the rule.
#[test]
fn foreign_fixtures_cover_eager_and_lazy_binding() {
    let manifest = foreign_fixtures();
    for root in &manifest.roots {
        for p in &root.programs {
            let run = run_program_qemu(
                &root.root,
                root.qemu.as_deref(),
                &p.program,
                &BTreeMap::new(),
                false,
            );
            assert_eq!(
                observe(&run, None).verdict,
                p.expect,
                "{} {}: {}",
                root.arch,
                p.name,
                run.stderr
            );
        }
    }
}
