//! One-liners for the pure rules, and real loaders from this machine: the host's glibc ld.so,
//! Debian's musl, and Debian's libc6-*-cross / libc6-i386 loaders when installed.

use super::*;

fn s(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

fn dirs(g: &GlibcLdso) -> Vec<String> {
    g.system_dirs.iter().map(|d| s(d)).collect()
}

#[test]
fn musl_path_file_prefix_is_ldso_name_before_second_to_last_slash() {
    let p = |n: &str, a| s(&musl_path_file(n.as_bytes(), a));
    assert_eq!(
        p("/lib/ld-musl-x86_64.so.1", "x86_64"),
        "/etc/ld-musl-x86_64.path"
    );
    assert_eq!(
        p("/usr/local/musl/lib/ld-musl-x86_64.so.1", "x86_64"),
        "/usr/local/musl/etc/ld-musl-x86_64.path"
    );
    assert_eq!(
        p("/lib64/ld-linux-x86-64.so.2", "x86_64"),
        "/etc/ld-musl-x86_64.path"
    );
    assert_eq!(
        p("/ld-musl-aarch64.so.1", "aarch64"),
        "/etc/ld-musl-aarch64.path"
    );
    // gcompat runs musl in command mode: ldso.name is a bare argv[0].
    assert_eq!(
        p("ld-linux-x86-64.so.2", "x86_64"),
        "/etc/ld-musl-x86_64.path"
    );
    assert_eq!(
        p("a/b/ld-musl-x86_64.so.1", "x86_64"),
        "/etc/ld-musl-x86_64.path"
    );
}

#[test]
fn musl_path_file_splits_on_colon_and_newline() {
    let p = |c: &[u8]| parse_musl_path(c).iter().map(|d| s(d)).collect::<Vec<_>>();
    assert_eq!(
        p(b"/lib/x86_64-linux-musl\n/usr/lib/x86_64-linux-musl\n"),
        ["/lib/x86_64-linux-musl", "/usr/lib/x86_64-linux-musl"]
    );
    assert_eq!(p(b"/a:/b\n\n::/c"), ["/a", "/b", "/c"]);
    assert_eq!(p(b"/opt/x"), ["/opt/x"]);
    assert!(p(b"").is_empty());
    assert!(p(b"\n:\n").is_empty());
    assert_eq!(p(b"/a\0/b"), ["/a"]);
    assert_eq!(p(b"/with space"), ["/with space"]);
}

#[test]
fn glibc_version_is_highest_glibc_verdef() {
    let v = |names: &[&str]| glibc_version_from_verdefs(names.iter().map(|n| n.as_bytes()));
    assert_eq!(
        v(&[
            "libc.so.6",
            "GLIBC_2.2.5",
            "GLIBC_2.34",
            "GLIBC_2.4",
            "GLIBC_PRIVATE"
        ]),
        Some(ldsim_loader::Release::new(2, 34, 0))
    );
    assert_eq!(
        v(&["GLIBC_2.36", "GLIBC_2.9"]),
        Some(ldsim_loader::Release::new(2, 36, 0))
    );
    assert_eq!(v(&["ld-linux-x86-64.so.2", "GLIBC_PRIVATE"]), None);
    assert_eq!(v(&["GLIBC_2.x", "GLIBCXX_3.4"]), None);
}

#[test]
fn classify_loader_by_soname() {
    let c = |so: &str| classify_loader(Some(so.as_bytes()), false, b"");
    assert_eq!(c("ld-linux-x86-64.so.2"), Some(LoaderKind::Glibc));
    assert_eq!(c("ld-linux.so.2"), Some(LoaderKind::Glibc));
    assert_eq!(c("ld-linux-aarch64.so.1"), Some(LoaderKind::Glibc));
    assert_eq!(c("ld64.so.2"), Some(LoaderKind::Glibc));
    assert_eq!(c("ld.so.1"), Some(LoaderKind::Glibc));
    assert_eq!(c("libc.so"), Some(LoaderKind::Musl));
    assert_eq!(c("libc.musl-x86_64.so.1"), Some(LoaderKind::Musl));
    assert_eq!(c("libc.so.6"), None);
    assert_eq!(c("libfoo.so.1"), None);
}

#[test]
fn classify_gcompat_stub_from_its_strings() {
    let stub = b"\x7fELF junk\0/lib/ld-musl-x86_64.so.1\0--argv0\0/lib/libgcompat.so.0 \0other\0";
    assert_eq!(
        classify_loader(None, true, stub),
        Some(LoaderKind::GcompatStub {
            musl_loader: b"/lib/ld-musl-x86_64.so.1".to_vec(),
            preload: b"/lib/libgcompat.so.0".to_vec()
        })
    );
    // Without the preload string it is just some static program.
    assert_eq!(
        classify_loader(None, true, b"\0/lib/ld-musl-x86_64.so.1\0"),
        None
    );
    // Not static-pie: not a stub.
    assert_eq!(classify_loader(None, false, stub), None);
}

#[test]
fn inspect_glibc_upstream_layout_and_fallbacks() {
    let bin = b"\x7fELF\0\0junk\0/lib64/\0/usr/lib64/\0lib64\0ld.so (GNU libc) stable release version 2.40.\n\0/opt/g/etc/ld.so.cache\0/opt/g/etc/ld.so.preload\0";
    let g = inspect_glibc(bin, &["/lib/"], "lib");
    assert_eq!(dirs(&g), ["/lib64", "/usr/lib64"]);
    assert_eq!(g.lib_dst.as_deref(), Some(&b"lib64"[..]));
    assert_eq!(g.version, Some(ldsim_loader::Release::new(2, 40, 0)));
    assert_eq!(s(&g.cache_path), "/opt/g/etc/ld.so.cache");
    assert_eq!(s(&g.preload_path), "/opt/g/etc/ld.so.preload");

    let g = inspect_glibc(b"nothing here /lib/\0", &["/lib/", "/usr/lib"], "lib");
    assert_eq!(dirs(&g), ["/lib", "/usr/lib"]);
    assert_eq!(g.lib_dst.as_deref(), Some(&b"lib"[..]));
    assert_eq!(g.version, None);
    assert_eq!(s(&g.cache_path), "/etc/ld.so.cache");
    assert_eq!(s(&g.preload_path), "/etc/ld.so.preload");
    // A single path-like string is not a directory list.
    assert_eq!(
        dirs(&inspect_glibc(b"\0/usr/lib/\0x\0", &["/lib"], "lib")),
        ["/lib"]
    );
}

#[test]
fn ldso_helpers_never_panic_on_garbage() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for len in 0..300usize {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let alphabet = b"/lib\0.9 musl libc (Version 1.libgcompat.so.0release version 2.";
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect();
        let _ = inspect_glibc(&bytes, &[], "");
        let _ = classify_loader(None, true, &bytes);
        let _ = musl_version(&bytes);
        let _ = musl_path_file(&bytes, "x86_64");
        let _ = parse_musl_path(&bytes);
    }
}

/// Real loaders: (path, expected system dirs, expected $LIB).
const REAL_GLIBC: &[(&str, &[&str], &str)] = &[
    (
        "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        &[
            "/lib/x86_64-linux-gnu",
            "/usr/lib/x86_64-linux-gnu",
            "/lib",
            "/usr/lib",
        ],
        "lib/x86_64-linux-gnu",
    ),
    (
        "/lib32/ld-linux.so.2",
        &["/lib32", "/usr/lib32", "/lib", "/usr/lib"],
        "lib32",
    ),
    (
        "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1",
        &[
            "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/lib",
            "/usr/lib",
        ],
        "lib/aarch64-linux-gnu",
    ),
    (
        "/usr/arm-linux-gnueabihf/lib/ld-linux-armhf.so.3",
        &[
            "/lib/arm-linux-gnueabihf",
            "/usr/lib/arm-linux-gnueabihf",
            "/lib",
            "/usr/lib",
        ],
        "lib/arm-linux-gnueabihf",
    ),
    (
        "/usr/riscv64-linux-gnu/lib/ld-linux-riscv64-lp64d.so.1",
        &[
            "/lib/riscv64-linux-gnu",
            "/usr/lib/riscv64-linux-gnu",
            "/lib",
            "/usr/lib",
        ],
        "lib/riscv64-linux-gnu",
    ),
    (
        "/usr/powerpc64le-linux-gnu/lib/ld64.so.2",
        &[
            "/lib/powerpc64le-linux-gnu",
            "/usr/lib/powerpc64le-linux-gnu",
            "/lib",
            "/usr/lib",
        ],
        "lib/powerpc64le-linux-gnu",
    ),
    (
        "/usr/s390x-linux-gnu/lib/ld64.so.1",
        &[
            "/lib/s390x-linux-gnu",
            "/usr/lib/s390x-linux-gnu",
            "/lib",
            "/usr/lib",
        ],
        "lib/s390x-linux-gnu",
    ),
    (
        "/usr/i686-linux-gnu/lib/ld-linux.so.2",
        &[
            "/lib/i386-linux-gnu",
            "/usr/lib/i386-linux-gnu",
            "/lib",
            "/usr/lib",
        ],
        "lib/i386-linux-gnu",
    ),
];

#[test]
fn real_glibc_loaders_reveal_their_system_dirs() {
    let mut checked = 0;
    for (path, want_dirs, want_lib) in REAL_GLIBC {
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("not installed, skipped: {path}");
            continue;
        };
        let g = inspect_glibc(&bytes, &[], "fallback");
        assert_eq!(dirs(&g), *want_dirs, "{path}");
        assert_eq!(
            g.lib_dst.as_deref().map(s).as_deref(),
            Some(*want_lib),
            "{path}"
        );
        assert_eq!(
            g.version,
            Some(ldsim_loader::Release::new(2, 36, 0)),
            "{path}"
        );
        assert_eq!(s(&g.cache_path), "/etc/ld.so.cache", "{path}");
        assert_eq!(s(&g.preload_path), "/etc/ld.so.preload", "{path}");
        assert_eq!(
            classify_loader(
                Some(path.rsplit('/').next().unwrap().as_bytes()),
                false,
                &bytes
            ),
            Some(LoaderKind::Glibc)
        );
        checked += 1;
    }
    // The host loader (Debian 12 is the supported build host) must always be checked.
    assert!(checked >= 1, "no glibc loader found on this machine");
}

#[test]
fn real_musl_libc_is_classified_and_versioned() {
    let path = "/usr/lib/x86_64-linux-musl/libc.so";
    let Ok(bytes) = std::fs::read(path) else {
        assert!(
            std::env::var_os("LDSIM_REQUIRE_TOOLS").is_none(),
            "{path} missing"
        );
        eprintln!("musl not installed, skipped");
        return;
    };
    // Debian's musl libc.so carries no DT_SONAME.
    assert_eq!(classify_loader(None, true, &bytes), Some(LoaderKind::Musl));
    assert_eq!(musl_version(&bytes).as_deref(), Some("1.2.3"));
    let glibc = std::fs::read("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2").unwrap_or_default();
    assert_eq!(musl_version(&glibc), None);
}
