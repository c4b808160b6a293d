//! The oracle against the real loaders: checks that the fixtures and the oracle's parsing
//! reproduce the behaviour loader-facts.md records (so that a differential mismatch is ldsim's
//! fault, not the harness's). Prints every observation it makes.

use ldsim_tests::manifest::Case;
use ldsim_tests::oracle::{observe_case, Observed};
use ldsim_tests::{fixtures, Manifest};

fn observe(m: &Manifest, name: &str, flavour: &str, root: &str, bind_now: bool) -> Observed {
    let case: &Case = m
        .cases
        .iter()
        .find(|c| c.name == name && c.flavour == flavour)
        .unwrap_or_else(|| panic!("no fixture {flavour}/{name}: rerun `cargo xtask fixtures`"));
    let (obs, run) = observe_case(&m.roots[root], case, bind_now);
    println!(
        "{flavour}/{name} on {root} (bind_now={bind_now}): {obs:?}\n  stdout: {:?}\n  stderr: {:?}",
        run.stdout, run.stderr
    );
    obs
}

fn set(items: &[&str]) -> std::collections::BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn rpath_is_inherited_runpath_is_not_on_glibc() {
    let m = fixtures();
    let o = observe(&m, "rpath_inherited", "glibc", "glibc", false);
    assert_eq!(o.verdict, "ok");
    assert_eq!(
        o.resolved["libA.so.1"],
        "/t/glibc/rpath_inherited/rp/libA.so.1"
    );
    let o = observe(&m, "runpath_not_inherited", "glibc", "glibc", false);
    assert_eq!(o.verdict, "fails");
    assert_eq!(o.missing_libraries, set(&["libA.so.1"]));
    // musl inherits RUNPATH like RPATH.
    let o = observe(&m, "runpath_not_inherited", "musl", "musl", false);
    assert_eq!(o.verdict, "ok");
    assert_eq!(
        o.resolved["libA.so.1"],
        "/t/musl/runpath_not_inherited/rn/libA.so.1"
    );
}

#[test]
fn lazy_binding_fails_on_call_and_bind_now_at_startup() {
    let m = fixtures();
    let lazy = observe(&m, "data_vs_plt/call_only", "glibc", "glibc", false);
    assert_eq!(
        (lazy.verdict.as_str(), lazy.undefined_symbols.clone()),
        ("fails-on-call", vec!["f_call".to_string()])
    );
    let now = observe(&m, "data_vs_plt/call_only", "glibc", "glibc", true);
    assert_eq!(now.verdict, "fails");
    assert_eq!(now.undefined_symbols, ["f_call"]);
    let data = observe(&m, "data_vs_plt/data", "glibc", "glibc", false);
    assert_eq!(
        (data.verdict.as_str(), data.undefined_symbols.clone()),
        ("fails", vec!["f_data".to_string()])
    );
}

#[test]
fn bookworm_programs_need_newer_glibc_than_bullseye() {
    let m = fixtures();
    let o = observe(&m, "version_too_new", "glibc", "bullseye", false);
    assert_eq!(o.verdict, "fails");
    let versions: Vec<&str> = o.missing_versions.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(versions, ["GLIBC_2.34", "GLIBC_2.36"]);
    let o = observe(&m, "symbol_version_missing", "glibc", "glibc", false);
    assert!(o.missing_versions.contains(&(
        "/t/glibc/symbol_version_missing/lib/libv.so.1".to_string(),
        "VERS_2.0".to_string()
    )));
    // musl ignores versions.
    assert_eq!(
        observe(&m, "symbol_version_missing", "musl", "musl", false).verdict,
        "ok"
    );
}

#[test]
fn interpreter_and_gcompat() {
    let m = fixtures();
    let o = observe(&m, "fortify", "glibc", "musl", false);
    assert!(o.missing_interpreter && o.verdict == "fails");
    let o = observe(&m, "fortify", "glibc", "gcompat", false);
    assert_eq!(o.verdict, "ok");
    let o = observe(&m, "rpath_inherited", "musl", "glibc", false);
    assert!(o.missing_interpreter);
    assert_eq!(
        observe(&m, "static_pie", "musl", "glibc", false).verdict,
        "ok"
    );
}

#[test]
fn search_rules_seen_by_the_real_loaders() {
    let m = fixtures();
    let o = observe(&m, "stale_cache", "glibc", "glibc", false);
    assert_eq!(o.missing_libraries, set(&["libS.so.1"]));
    let o = observe(&m, "nodeflib", "glibc", "glibc", false);
    // Even libc.so.6 is out of reach: its cache entry and the default dirs are skipped.
    assert_eq!(o.missing_libraries, set(&["libnodeflib.so.1"]));
    assert_eq!(o.listed_missing, set(&["libc.so.6", "libnodeflib.so.1"]));
    assert_eq!(
        observe(&m, "nodeflib/control", "glibc", "glibc", false).verdict,
        "ok"
    );
    let o = observe(&m, "origin_lib_dst", "glibc", "glibc", false);
    assert_eq!(o.verdict, "ok");
    assert_eq!(
        observe(&m, "origin_lib_dst", "musl", "musl", false).verdict,
        "fails"
    );
    let o = observe(
        &m,
        "ld_library_path_between/runpath",
        "glibc",
        "glibc",
        false,
    );
    assert_eq!(
        o.resolved["libA.so.1"],
        "/t/glibc/ld_library_path_between/llp/libA.so.1"
    );
    let o = observe(&m, "absolute_symlink", "glibc", "glibc", false);
    assert_eq!(o.resolved["libY.so.1"], "/opt/symdir/glibc/libY.so.1");
    assert_eq!(
        observe(&m, "musl_path_file", "musl", "musl", false).verdict,
        "ok"
    );
    assert_eq!(
        observe(&m, "musl_reserved_names", "musl", "musl", false).verdict,
        "ok"
    );
    let o = observe(&m, "wrong_class_first/only32", "glibc", "glibc", false);
    assert_eq!(o.missing_libraries, set(&["libW.so.1"]));
}

#[test]
fn hwcaps_copy_follows_the_cpu_level() {
    let m = fixtures();
    // The fixtures have v2 and v3 copies; a v4 CPU uses v3.
    let expected = match m.cpu_level.as_str() {
        "x86-64-v4" | "x86-64-v3" => "x86-64-v3",
        "x86-64-v2" => "x86-64-v2",
        _ => "",
    };
    let o = observe(&m, "hwcaps_subdir/cache", "glibc", "glibc", false);
    assert_eq!(
        o.resolved["libH.so.1"],
        format!("/opt/hw/glibc-hwcaps/{expected}/libH.so.1").replace("glibc-hwcaps//", "")
    );
    let o = observe(&m, "hwcaps_subdir/runpath", "glibc", "glibc", false);
    assert!(o.resolved["libH.so.1"].contains(expected));
}

/// many_problems: glibc's run stops at the first absent library, its list mode (ldd -r) names
/// every problem; musl's run names every one too.
#[test]
fn many_problems_list_mode_names_everything() {
    use ldsim_tests::oracle::list_program;
    let m = fixtures();
    let find = |flavour: &str| {
        m.cases
            .iter()
            .find(|c| c.name == "many_problems" && c.flavour == flavour)
            .expect("many_problems fixture: run `cargo xtask fixtures`")
    };
    let glibc = list_program(&m.roots["glibc"], find("glibc")).expect("glibc list mode");
    println!("glibc list mode: {glibc:?}");
    assert_eq!(
        glibc.not_found,
        ["libmp_absent_a.so.1", "libmp_absent_b.so.1"]
    );
    assert_eq!(
        glibc
            .missing_versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["MP_2"]
    );
    let mut symbols: Vec<_> = glibc
        .undefined
        .iter()
        .map(|u| format!("{}@{}", u.symbol, u.version.as_deref().unwrap_or("")))
        .collect();
    symbols.sort();
    assert_eq!(
        symbols,
        ["mp_gone_data@MP_1", "mp_gone_fn@MP_1", "mp_new@MP_2"]
    );
    let run = observe(&m, "many_problems", "glibc", "glibc", false);
    assert_eq!(run.missing_libraries, set(&["libmp_absent_a.so.1"]));

    let musl = observe(&m, "many_problems", "musl", "musl", false);
    assert_eq!(
        musl.missing_libraries,
        set(&["libmp_absent_a.so.1", "libmp_absent_b.so.1"])
    );
    let mut symbols = musl.undefined_symbols.clone();
    symbols.sort();
    assert_eq!(symbols, ["mp_gone_data", "mp_gone_fn", "mp_new"]);
}
