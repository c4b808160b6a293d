//! Path resolution inside a root: the kernel's chroot rules (linux fs/namei.c).

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;

use common::{list, read, resolve, root};
use ldsim_sysroots::{Backend, DirBackend, FsError, Node, NodeKind, Sysroot, TargetPath};

fn check(sysroot: &Sysroot, cases: &[(&str, &str)]) {
    for (path, want) in cases {
        assert_eq!(resolve(sysroot, path), *want, "resolve({path:?})");
    }
}

#[test]
fn absolute_symlink_is_rerooted_at_the_target_root() {
    // The host has /etc/passwd and /bin; the root has neither.
    assert!(Path::new("/etc/passwd").exists());
    let (_dir, sysroot) = root(
        "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2: ld
         lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
         lib64/passwd -> /etc/passwd
         lib64/bin -> /bin",
    );
    check(
        &sysroot,
        &[
            (
                "/lib64/ld-linux-x86-64.so.2",
                "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
            ),
            ("/lib64/passwd", "error: No such file or directory"),
            ("/lib64/bin/sh", "error: No such file or directory"),
        ],
    );
    assert_eq!(read(&sysroot, "/lib64/ld-linux-x86-64.so.2"), "ld");
}

#[test]
fn dotdot_is_clamped_at_the_root() {
    let (dir, sysroot) = root("lib/evil -> ../../../../etc/passwd");
    check(
        &sysroot,
        &[
            ("/lib/evil", "error: No such file or directory"),
            ("/../../../etc/passwd", "error: No such file or directory"),
            ("/..", "/"),
            ("/lib/../../..", "/"),
        ],
    );
    common::build(dir.path(), "etc/passwd: target passwd");
    // A root is read as it is when opened (lookups are remembered): open it again.
    let sysroot = Sysroot::from_dir(dir.path()).unwrap();
    check(
        &sysroot,
        &[
            ("/lib/evil", "/etc/passwd"),
            ("/../../../etc/passwd", "/etc/passwd"),
        ],
    );
    assert_eq!(read(&sysroot, "/lib/evil"), "target passwd");
}

#[test]
fn symlink_loop_is_eloop() {
    let (_dir, sysroot) = root(
        "a -> b
         b -> a
         self -> self
         d/up -> ../d/up",
    );
    for path in ["/a", "/b", "/self", "/d/up", "/a/x"] {
        let err = sysroot
            .resolve(path.as_bytes(), &TargetPath::root())
            .unwrap_err();
        assert!(matches!(err, FsError::Loop), "{path}: {err:?}");
        assert_eq!(err.errno(), libc::ELOOP);
    }
    // lstat of the link itself does not follow it.
    assert!(matches!(
        sysroot.lstat(b"/a", &TargetPath::root()),
        Ok(Node::Symlink { .. })
    ));
}

/// `l1 -> l2 -> … -> lN -> file`.
fn chain(links: usize) -> (tempfile::TempDir, Sysroot) {
    let (dir, sysroot) = root("file: end");
    for i in 1..=links {
        let target = if i == links {
            "file".to_owned()
        } else {
            format!("l{}", i + 1)
        };
        symlink(target, dir.path().join(format!("l{i}"))).unwrap();
    }
    (dir, sysroot)
}

#[test]
fn forty_symlinks_are_followed_the_forty_first_is_eloop() {
    let (_dir, sysroot) = chain(40);
    assert_eq!(resolve(&sysroot, "/l1"), "/file");
    let (_dir, sysroot) = chain(41);
    assert_eq!(
        resolve(&sysroot, "/l1"),
        "error: Too many levels of symbolic links"
    );
    // The count is per lookup: links met in directories count too.
    let (dir, sysroot) = chain(40);
    symlink(".", dir.path().join("here")).unwrap();
    assert_eq!(
        resolve(&sysroot, "/here/l1"),
        "error: Too many levels of symbolic links"
    );
}

/// A path's last component is looked up in its directory's remembered resolution: asked in
/// any order, every path gives what a fresh root's whole walk gives.
#[test]
fn remembered_directories_give_what_the_whole_walk_gives() {
    let spec = "usr/lib/libfoo.so.1: foo
                lib -> usr/lib
                file: f
                linkdir -> lib
                dangling -> missing/dir
                l1 -> l2";
    let (dir, sysroot) = root(spec);
    // 39 more links: `l1` alone is 40, one more in the directory part is the 41st.
    for i in 2..=39 {
        symlink(format!("l{}", i + 1), dir.path().join(format!("l{i}"))).unwrap();
    }
    symlink("usr/lib/libfoo.so.1", dir.path().join("l40")).unwrap();
    symlink(".", dir.path().join("here")).unwrap();
    let queries = [
        "/lib",
        "/lib/libfoo.so.1",
        "/linkdir/libfoo.so.1",
        "/linkdir/missing.so",
        "/file",
        "/file/x",
        "/dangling",
        "/dangling/x",
        "/here",
        "/here/l1",
        "/l1",
        "/here/here/file",
        "/usr/lib/../lib/libfoo.so.1",
        "/usr//lib/libfoo.so.1",
    ];
    for query in queries.iter().chain(queries.iter().rev()) {
        let fresh = Sysroot::from_dir(dir.path()).unwrap();
        assert_eq!(resolve(&sysroot, query), resolve(&fresh, query), "{query}");
    }
    assert_eq!(resolve(&sysroot, "/file/x"), "error: Not a directory");
    assert_eq!(
        resolve(&sysroot, "/here/l1"),
        "error: Too many levels of symbolic links"
    );
    assert_eq!(resolve(&sysroot, "/l1"), "/usr/lib/libfoo.so.1");
}

#[test]
fn relative_symlink_is_relative_to_its_own_directory() {
    let (_dir, sysroot) = root(
        "usr/lib/libfoo.so.1: foo
         lib/libfoo.so -> ../usr/lib/libfoo.so.1
         lib/libbar.so -> libfoo.so
         usr/lib64 -> lib
         lib/dir -> ../usr/lib64/",
    );
    check(
        &sysroot,
        &[
            ("/lib/libfoo.so", "/usr/lib/libfoo.so.1"),
            ("/lib/libbar.so", "/usr/lib/libfoo.so.1"),
            ("/usr/lib64/libfoo.so.1", "/usr/lib/libfoo.so.1"),
            ("/lib/dir/libfoo.so.1", "/usr/lib/libfoo.so.1"),
            ("/lib/dir", "/usr/lib"),
            ("/lib/dir/..", "/usr"),
        ],
    );
}

#[test]
fn non_directory_in_the_middle_is_enotdir() {
    let (_dir, sysroot) = root(
        "etc/passwd: x
         lib/link -> ../etc/passwd
         lib/dirlink -> ../etc/passwd/",
    );
    let enotdir = "error: Not a directory";
    check(
        &sysroot,
        &[
            ("/etc/passwd/x", enotdir),
            ("/etc/passwd/", enotdir),
            ("/etc/passwd/.", enotdir),
            ("/etc/passwd/..", enotdir),
            ("/lib/link/x", enotdir),
            ("/lib/link/", enotdir),
            ("/lib/dirlink", enotdir),
            ("/etc/passwd", "/etc/passwd"),
            ("/etc/", "/etc"),
            ("/etc/.", "/etc"),
            ("/nonexistent/x", "error: No such file or directory"),
        ],
    );
}

#[test]
fn trailing_slash_follows_a_final_symlink_even_for_lstat() {
    let (_dir, sysroot) = root(
        "lib/
         lib64 -> lib",
    );
    let cwd = TargetPath::root();
    assert!(matches!(
        sysroot.lstat(b"/lib64", &cwd),
        Ok(Node::Symlink { .. })
    ));
    assert!(matches!(
        sysroot.lstat(b"/lib64/", &cwd),
        Ok(Node::Dir { .. })
    ));
    assert!(matches!(
        sysroot.lstat(b"/lib64/.", &cwd),
        Ok(Node::Dir { .. })
    ));
}

#[test]
fn relative_paths_start_at_cwd() {
    let (_dir, sysroot) = root(
        "usr/lib/libc.so.6: c
         usr/bin/",
    );
    let cwd = TargetPath::new(b"/usr/bin");
    let resolved = sysroot.resolve(b"../lib/libc.so.6", &cwd).unwrap();
    assert_eq!(resolved.path.display(), "/usr/lib/libc.so.6");
    assert_eq!(resolved.kind, NodeKind::File);
    assert_eq!(resolved.size, 1);
    let resolved = sysroot.resolve(b".", &cwd).unwrap();
    assert_eq!(resolved.path.display(), "/usr/bin");
    assert_eq!(resolved.kind, NodeKind::Dir);
    assert!(matches!(sysroot.resolve(b"", &cwd), Err(FsError::NotFound)));
}

#[test]
fn over_long_names_are_enametoolong() {
    let (_dir, sysroot) = root("lib/");
    let long_name = format!("/lib/{}", "x".repeat(256));
    assert_eq!(resolve(&sysroot, &long_name), "error: File name too long");
    let max_name = format!("/lib/{}", "x".repeat(255));
    assert_eq!(
        resolve(&sysroot, &max_name),
        "error: No such file or directory"
    );
    let long_path = "/lib".repeat(1024);
    assert_eq!(resolve(&sysroot, &long_path), "error: File name too long");
}

#[test]
fn same_file_through_two_paths_has_one_id() {
    let (_dir, sysroot) = root(
        "lib/libc.so.6: c
         lib64 -> lib
         usr/lib/libc.so -> /lib64/libc.so.6",
    );
    let cwd = TargetPath::root();
    let a = sysroot.resolve(b"/lib/libc.so.6", &cwd).unwrap();
    let b = sysroot.resolve(b"/usr/lib/libc.so", &cwd).unwrap();
    assert_eq!(a, b);
    let c = sysroot.resolve(b"/lib", &cwd).unwrap();
    assert_ne!(a.id, c.id);
}

#[test]
fn read_gives_bytes_of_files_only() {
    let (dir, sysroot) = root(
        "lib/libc.so.6: libc bytes
         lib/empty:
         lib64 -> lib",
    );
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.path().join("lib/big.so"), &big).unwrap();
    let cwd = TargetPath::root();

    assert_eq!(read(&sysroot, "/lib64/libc.so.6"), "libc bytes");
    assert_eq!(read(&sysroot, "/lib/empty"), "");
    let (resolved, bytes) = sysroot.read(b"/lib64/big.so", &cwd).unwrap();
    assert_eq!(resolved.size, big.len() as u64);
    assert_eq!(&*bytes, &big[..]);

    let err = sysroot.read(b"/lib64", &cwd).unwrap_err();
    assert!(matches!(err, FsError::IsADirectory), "{err:?}");
    assert_eq!(err.errno(), libc::EISDIR);
    assert_eq!(
        read(&sysroot, "/lib/missing"),
        "error: No such file or directory"
    );
}

#[test]
fn special_files_exist_but_cannot_be_read() {
    let (dir, sysroot) = root("run/");
    let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("run/sock")).unwrap();
    let resolved = sysroot.resolve(b"/run/sock", &TargetPath::root()).unwrap();
    assert_eq!(resolved.kind, NodeKind::Other);
    let err = sysroot.read(b"/run/sock", &TargetPath::root()).unwrap_err();
    assert_eq!(err.errno(), libc::EACCES);
}

#[test]
fn read_dir_is_sorted_and_follows_symlinks() {
    let (_dir, sysroot) = root(
        "lib/b: b
         lib/a: a
         lib/c -> a
         lib64 -> lib",
    );
    assert_eq!(list(&sysroot, "/lib64"), "a b c");
    assert_eq!(list(&sysroot, "/"), "lib lib64");
    assert_eq!(list(&sysroot, "/lib/a"), "error: Not a directory");
    assert_eq!(list(&sysroot, "/nope"), "error: No such file or directory");
}

#[test]
fn a_host_symlink_as_the_root_itself_is_followed() {
    let (dir, _) = root("real/lib/libc.so.6: c");
    symlink(dir.path().join("real"), dir.path().join("alias")).unwrap();
    let sysroot = Sysroot::from_dir(&dir.path().join("alias")).unwrap();
    assert_eq!(read(&sysroot, "/lib/libc.so.6"), "c");
}

#[test]
fn opening_a_missing_or_non_directory_root_fails() {
    let (dir, _) = root("file: x");
    let err = Sysroot::from_dir(&dir.path().join("missing")).unwrap_err();
    assert!(
        err.to_string().contains("No such file or directory"),
        "{err}"
    );
    let err = Sysroot::from_dir(&dir.path().join("file")).unwrap_err();
    assert!(err.to_string().ends_with(": not a directory"), "{err}");
}

#[test]
fn dir_backend_refuses_components_that_could_climb_out() {
    let (dir, _) = root("lib/");
    let backend = DirBackend::new(&dir.path().join("lib")).unwrap();
    for bad in [&b".."[..], b".", b"", b"a/b", b"/etc"] {
        assert!(
            backend.lstat(&[bad]).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert!(matches!(backend.lstat(&[]), Ok(Node::Dir { .. })));
}
