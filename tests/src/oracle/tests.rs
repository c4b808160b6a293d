//! Parser tests with the exact lines quoted in loader-facts §7, §8, §10.2.
use super::*;

#[test]
fn glibc_missing_library() {
    let m = parse_messages("./prog: error while loading shared libraries: libA.so.1: cannot open shared object file: No such file or directory\n");
    assert_eq!(
        m.missing_libraries,
        BTreeSet::from(["libA.so.1".to_string()])
    );
    assert!(m.undefined_symbols.is_empty() && m.missing_versions.is_empty());
}

#[test]
fn glibc_wrong_class_names_the_library() {
    let m = parse_messages("./progb_runpath: error while loading shared libraries: libA.so.1: wrong ELF class: ELFCLASS32");
    assert_eq!(
        m.missing_libraries,
        BTreeSet::from(["libA.so.1".to_string()])
    );
}

#[test]
fn glibc_missing_versions_keep_path_and_version() {
    let m = parse_messages(
        "./progv: /t/ver1/libv.so.1: version `VERS_2.0' not found (required by ./progv)\n\
         ./p: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by ./p)\n",
    );
    assert_eq!(
        m.missing_versions,
        BTreeSet::from([
            (
                "/lib/x86_64-linux-gnu/libc.so.6".to_string(),
                "GLIBC_2.34".to_string()
            ),
            ("/t/ver1/libv.so.1".to_string(), "VERS_2.0".to_string()),
        ])
    );
}

#[test]
fn glibc_no_version_information_is_only_a_warning() {
    let m = parse_messages("./p: /path/lib.so: no version information available (required by ./p)");
    assert_eq!(m, Messages::default());
}

#[test]
fn glibc_undefined_symbol_with_and_without_version() {
    let m = parse_messages(
        "./mu_call_only: symbol lookup error: ./mu_call_only: undefined symbol: f_call\n\
         ./progv3: symbol lookup error: ./progv3: undefined symbol: new_fn, version VERS_2.0\n",
    );
    assert_eq!(m.undefined_symbols, ["f_call", "new_fn"]);
}

#[test]
fn ldd_r_undefined_symbol_line() {
    let m = parse_messages("undefined symbol: f_call\t(./mu_call_only)");
    assert_eq!(m.undefined_symbols, ["f_call"]);
}

#[test]
fn musl_messages() {
    let m = parse_messages(
        "Error loading shared library libA.so.1: No such file or directory (needed by /t/m/b/libB.so)\n\
         Error relocating ./fort: __strcpy_chk: symbol not found\n\
         Error relocating ./fort: __printf_chk: symbol not found\n\
         Error relocating ./x: unsupported relocation type 37\n",
    );
    assert_eq!(
        m.missing_libraries,
        BTreeSet::from(["libA.so.1".to_string()])
    );
    assert_eq!(m.undefined_symbols, ["__strcpy_chk", "__printf_chk"]);
}

#[test]
fn list_lines() {
    let glibc = "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibA.so.1 => /t/rp/libA.so.1 (0x00007f0a)\n\
                 \tlibnope.so.1 => not found\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f0b)\n";
    assert_eq!(
        parse_list(glibc),
        [
            ListEntry {
                name: "libA.so.1".into(),
                path: Some("/t/rp/libA.so.1".into())
            },
            ListEntry {
                name: "libnope.so.1".into(),
                path: None
            },
        ]
    );
    let musl = "\t/lib64/ld-linux-x86-64.so.2 (0x7f0a6dfab000)\n\
                \tlibc.so.6 => /lib64/ld-linux-x86-64.so.2 (0x7f0a6dfab000)\n";
    assert_eq!(
        parse_list(musl)[0].path.as_deref(),
        Some("/lib64/ld-linux-x86-64.so.2")
    );
}

#[test]
fn verdicts() {
    let ok = RealRun {
        exit: 0,
        started: true,
        stdout: "started\n".into(),
        ..Default::default()
    };
    assert_eq!(observe(&ok, None).verdict, "ok");
    let on_call = RealRun {
        exit: 127,
        started: true,
        stderr: "./p: symbol lookup error: ./p: undefined symbol: f_call\n".into(),
        ..Default::default()
    };
    assert_eq!(observe(&on_call, None).verdict, "fails-on-call");
    let startup = RealRun {
        started: false,
        ..on_call.clone()
    };
    assert_eq!(observe(&startup, None).verdict, "fails");
    let no_interp = RealRun {
        exit: 127,
        exec_errno: Some(libc::ENOENT),
        ..Default::default()
    };
    let obs = observe(&no_interp, None);
    assert_eq!(
        (obs.verdict.as_str(), obs.missing_interpreter),
        ("fails", true)
    );
}

#[test]
fn list_mode_names_every_missing_library_separately() {
    let run = RealRun {
        exit: 127,
        ..Default::default()
    };
    let listing = Listing {
        entries: parse_list("\tlibA.so.1 => not found\n\tlibB.so.1 => /b/libB.so.1 (0x1)\n"),
        run: RealRun::default(),
    };
    let obs = observe(&run, Some(&listing));
    assert!(obs.missing_libraries.is_empty());
    assert_eq!(
        obs.listed_missing,
        BTreeSet::from(["libA.so.1".to_string()])
    );
    assert_eq!(
        obs.resolved.get("libB.so.1").map(String::as_str),
        Some("/b/libB.so.1")
    );
}

#[test]
fn exists_in_root_rerooted_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("lib/x")).unwrap();
    std::fs::write(root.join("lib/x/ld.so"), b"").unwrap();
    std::fs::create_dir_all(root.join("lib64")).unwrap();
    std::os::unix::fs::symlink("/lib/x/ld.so", root.join("lib64/abs")).unwrap();
    std::os::unix::fs::symlink("../lib/x/ld.so", root.join("lib64/rel")).unwrap();
    // An absolute link to a file that exists on the host but not in the root.
    std::os::unix::fs::symlink("/etc/passwd", root.join("lib64/host")).unwrap();
    assert!(exists_in_root(root, "/lib64/abs"));
    assert!(exists_in_root(root, "/lib64/rel"));
    assert!(!exists_in_root(root, "/lib64/host"));
    assert!(!exists_in_root(root, "/lib64/none"));
}

#[test]
fn list_problems_glibc_ldd_r() {
    let run = RealRun {
        stdout: "\tlinux-vdso.so.1 (0x00007ff0f7115000)\n\
                 \tlibmp_absent_a.so.1 => not found\n\
                 \tlibmp.so.1 => /t/lib/libmp.so.1 (0x00007ff0f7101000)\n\
                 \tlibmp_absent_b.so.1 => not found\n"
            .into(),
        stderr: "/t/main: /t/lib/libmp.so.1: version `MP_2' not found (required by /t/main)\n\
                 undefined symbol: mp_gone_data, version MP_1\t(/t/main)\n\
                 undefined symbol: so_nowhere_fn\t(/t/lib.so)\n"
            .into(),
        ..RealRun::default()
    };
    let p = parse_list_problems(run);
    assert_eq!(p.not_found, ["libmp_absent_a.so.1", "libmp_absent_b.so.1"]);
    assert_eq!(
        p.missing_versions,
        [MissingVersion {
            provider: "/t/lib/libmp.so.1".into(),
            version: "MP_2".into(),
            required_by: "/t/main".into(),
        }]
    );
    assert_eq!(
        p.undefined,
        [
            UndefinedRef {
                symbol: "mp_gone_data".into(),
                version: Some("MP_1".into()),
                object: "/t/main".into(),
            },
            UndefinedRef {
                symbol: "so_nowhere_fn".into(),
                version: None,
                object: "/t/lib.so".into(),
            },
        ]
    );
    assert!(p.fatal.is_none() && !p.is_clean());
}

#[test]
fn list_problems_glibc_fatal_and_musl_errors() {
    let glibc = parse_list_problems(RealRun {
        stderr: "/t/d.so: error while loading shared libraries: /lib/x86_64-linux-gnu/libc.so: invalid ELF header\n".into(),
        ..RealRun::default()
    });
    assert_eq!(
        glibc.fatal.as_deref(),
        Some("/t/d.so: error while loading shared libraries: /lib/x86_64-linux-gnu/libc.so: invalid ELF header")
    );
    let musl = parse_list_problems(RealRun {
        stdout: "\t/lib/ld-musl-x86_64.so.1 (0x7f2752e06000)\n".into(),
        stderr: "Error loading shared library libA.so.1: No such file or directory (needed by /t/l.so)\n\
                 Error relocating /t/l.so: f: symbol not found\n"
            .into(),
        ..RealRun::default()
    });
    assert_eq!(musl.not_found, ["libA.so.1"]);
    assert_eq!(musl.undefined[0].symbol, "f");
    assert_eq!(musl.undefined[0].object, "/t/l.so");
    assert_eq!(musl.lines.len(), 2);
}

#[test]
fn first_loader_error_skips_warnings() {
    let stderr = "ERROR: ld.so: object 'libP.so.1' from LD_PRELOAD cannot be preloaded (cannot open shared object file): ignored.\n\
                  ./p: /l.so: no version information available (required by ./p)\n\
                  ./p: symbol lookup error: ./p: undefined symbol: f_call\n";
    assert_eq!(
        first_loader_error(stderr).as_deref(),
        Some("./p: symbol lookup error: ./p: undefined symbol: f_call")
    );
    assert_eq!(
        first_loader_error("Error relocating ./m: g: symbol not found\n").as_deref(),
        Some("Error relocating ./m: g: symbol not found")
    );
    assert_eq!(first_loader_error("started\n"), None);
}
