//! Overlays (`--overlay HOST:TARGET`): the longest mounted prefix wins, mount points create
//! their path, symlinks inside an overlay resolve in the target namespace like a bind mount.

mod common;

use common::{build, list, read, resolve, root};
use ldsim_sysroots::{NodeKind, OpenError, TargetPath};
use tempfile::TempDir;

fn host(spec: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    build(dir.path(), spec);
    dir
}

#[test]
fn directory_mounted_at_a_missing_target_path_creates_it() {
    let (_base, mut sysroot) = root("lib/libc.so.6: c");
    let vendor = host("libv.so: vendor");
    sysroot
        .mount(&TargetPath::new(b"/opt/vendor/lib"), vendor.path())
        .unwrap();
    assert_eq!(read(&sysroot, "/opt/vendor/lib/libv.so"), "vendor");
    assert_eq!(
        resolve(&sysroot, "/opt/vendor/../vendor/lib"),
        "/opt/vendor/lib"
    );
    let opt = sysroot.resolve(b"/opt", &TargetPath::root()).unwrap();
    assert_eq!(opt.kind, NodeKind::Dir);
    assert_eq!(list(&sysroot, "/"), "lib opt");
    assert_eq!(list(&sysroot, "/opt"), "vendor");
    assert_eq!(list(&sysroot, "/opt/vendor"), "lib");
    assert_eq!(list(&sysroot, "/opt/vendor/lib"), "libv.so");
    assert_eq!(read(&sysroot, "/lib/libc.so.6"), "c");
    assert_eq!(
        read(&sysroot, "/opt/other"),
        "error: No such file or directory"
    );
}

#[test]
fn single_file_mounted_at_its_target_path() {
    let (_base, mut sysroot) = root(
        "lib/libc.so.6: c
         lib/libm.so.6: base m",
    );
    let files = host("my-libm.so: overlay m");
    let file = files.path().join("my-libm.so");
    sysroot
        .mount(&TargetPath::new(b"/lib/libm.so.6"), &file)
        .unwrap();
    sysroot
        .mount(&TargetPath::new(b"/lib/libnew.so.1"), &file)
        .unwrap();
    assert_eq!(read(&sysroot, "/lib/libm.so.6"), "overlay m");
    assert_eq!(read(&sysroot, "/lib/libnew.so.1"), "overlay m");
    assert_eq!(read(&sysroot, "/lib/libc.so.6"), "c");
    assert_eq!(list(&sysroot, "/lib"), "libc.so.6 libm.so.6 libnew.so.1");
    assert_eq!(
        resolve(&sysroot, "/lib/libm.so.6/x"),
        "error: Not a directory"
    );
    let cwd = TargetPath::root();
    let a = sysroot.resolve(b"/lib/libm.so.6", &cwd).unwrap();
    let b = sysroot.resolve(b"/lib/libnew.so.1", &cwd).unwrap();
    assert_eq!(a.id, b.id, "one host file mounted twice is one file");
}

#[test]
fn longest_mount_prefix_wins() {
    let (_base, mut sysroot) = root("opt/b/x: base");
    let outer = host(
        "a: outer a
         b/x: outer x",
    );
    let inner = host("x: inner x");
    sysroot
        .mount(&TargetPath::new(b"/opt"), outer.path())
        .unwrap();
    sysroot
        .mount(&TargetPath::new(b"/opt/b"), inner.path())
        .unwrap();
    assert_eq!(read(&sysroot, "/opt/a"), "outer a");
    assert_eq!(read(&sysroot, "/opt/b/x"), "inner x");
    assert_eq!(list(&sysroot, "/opt"), "a b");
    // The order of the mounts does not matter.
    let (_base, mut sysroot) = root("opt/b/x: base");
    sysroot
        .mount(&TargetPath::new(b"/opt/b"), inner.path())
        .unwrap();
    sysroot
        .mount(&TargetPath::new(b"/opt"), outer.path())
        .unwrap();
    assert_eq!(read(&sysroot, "/opt/b/x"), "inner x");
}

/// A table of a few mounts is searched mount by mount, a large one prefix by prefix: both
/// give the same answers (nested mounts, mount points creating their path, the base below).
#[test]
fn few_and_many_mounts_give_the_same_answers() {
    let outer = host(
        "a: outer a
         b/x: outer x",
    );
    let inner = host("x: inner x");
    let filler = host("f: filler");
    for fillers in [0, 40] {
        let (_base, mut sysroot) = root("opt/b/x: base\nlib/libc.so.6: c");
        for i in 0..fillers {
            let target = format!("/srv/m{i}/lib");
            sysroot
                .mount(&TargetPath::new(target.as_bytes()), filler.path())
                .unwrap();
        }
        sysroot
            .mount(&TargetPath::new(b"/opt/b"), inner.path())
            .unwrap();
        sysroot
            .mount(&TargetPath::new(b"/opt"), outer.path())
            .unwrap();
        let case = format!("{fillers} other mounts");
        assert_eq!(read(&sysroot, "/opt/a"), "outer a", "{case}");
        assert_eq!(read(&sysroot, "/opt/b/x"), "inner x", "{case}");
        assert_eq!(list(&sysroot, "/opt"), "a b", "{case}");
        assert_eq!(read(&sysroot, "/lib/libc.so.6"), "c", "{case}");
        assert_eq!(
            resolve(&sysroot, "/opt/missing"),
            "error: No such file or directory",
            "{case}"
        );
        if fillers > 0 {
            assert_eq!(read(&sysroot, "/srv/m7/lib/f"), "filler", "{case}");
            assert_eq!(resolve(&sysroot, "/srv/m39"), "/srv/m39", "{case}");
            assert_eq!(list(&sysroot, "/srv/m3"), "lib", "{case}");
        }
    }
}

#[test]
fn symlinks_in_an_overlay_resolve_in_the_target() {
    let (_base, mut sysroot) = root("lib/libz.so.1: base z");
    let overlay = host(
        "libz.so -> /lib/libz.so.1
         up -> ../../lib/libz.so.1
         passwd -> /etc/passwd",
    );
    sysroot
        .mount(&TargetPath::new(b"/opt/lib"), overlay.path())
        .unwrap();
    assert_eq!(resolve(&sysroot, "/opt/lib/libz.so"), "/lib/libz.so.1");
    assert_eq!(resolve(&sysroot, "/opt/lib/up"), "/lib/libz.so.1");
    assert_eq!(read(&sysroot, "/opt/lib/up"), "base z");
    // Never the host's /etc/passwd.
    assert_eq!(
        resolve(&sysroot, "/opt/lib/passwd"),
        "error: No such file or directory"
    );
}

#[test]
fn mount_below_a_symlinked_directory_lands_in_its_target() {
    let (_base, mut sysroot) = root(
        "usr/lib/libc.so.6: c
         lib -> usr/lib",
    );
    let extra = host("libe.so: e");
    sysroot
        .mount(&TargetPath::new(b"/lib/extra"), extra.path())
        .unwrap();
    assert_eq!(read(&sysroot, "/lib/extra/libe.so"), "e");
    assert_eq!(
        resolve(&sysroot, "/lib/extra/libe.so"),
        "/usr/lib/extra/libe.so"
    );
    // The rest of /lib is not hidden by the mount.
    assert_eq!(read(&sysroot, "/lib/libc.so.6"), "c");
    assert_eq!(list(&sysroot, "/usr/lib"), "extra libc.so.6");
}

#[test]
fn mount_over_a_symlink_replaces_it() {
    let (_base, mut sysroot) = root(
        "usr/lib/libc.so.6: c
         lib -> usr/lib",
    );
    let mine = host("libmine.so: mine");
    sysroot
        .mount(&TargetPath::new(b"/lib"), mine.path())
        .unwrap();
    assert_eq!(list(&sysroot, "/lib"), "libmine.so");
    assert_eq!(read(&sysroot, "/usr/lib/libc.so.6"), "c");
}

#[test]
fn mounting_a_missing_host_path_fails() {
    let (base, mut sysroot) = root("lib/");
    let err = sysroot
        .mount(&TargetPath::new(b"/opt"), &base.path().join("missing"))
        .unwrap_err();
    assert!(matches!(err, OpenError::Io { .. }), "{err:?}");
}
