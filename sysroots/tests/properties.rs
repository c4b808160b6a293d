//! Property tests on random link graphs: resolution never leaves the root, never hangs, and
//! agrees with the kernel's own in-root resolution (`openat2` with `RESOLVE_IN_ROOT`, which
//! applies the chroot rules of linux fs/namei.c to a directory fd).

mod common;

use std::ffi::CString;
use std::fs::{self, File};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};

use ldsim_sysroots::{FsError, Node, NodeKind, Sysroot, TargetPath};
use proptest::prelude::*;
use tempfile::TempDir;

/// Entries of the random roots; `d` and `d/d2` are always directories so that relative links
/// have somewhere to climb from.
const SLOTS: [&str; 6] = ["a", "b", "c", "d/e", "d/f", "d/d2/g"];
/// Path pieces links and queries are made of, with names that also exist outside the root.
const TOKENS: [&str; 12] = [
    "..", "..", ".", "", "a", "b", "c", "d", "e", "d2", "etc", "passwd",
];
const INSIDE: &str = "inside";
const OUTSIDE: &str = "OUTSIDE";

#[derive(Debug, Clone)]
enum Entry {
    Absent,
    File,
    Dir,
    Link(String),
}

fn path_text(max_tokens: usize) -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(prop::sample::select(&TOKENS[..]), 1..=max_tokens),
        any::<bool>(),
    )
        .prop_map(|(absolute, tokens, trailing_slash)| {
            let mut text = tokens.join("/");
            if absolute {
                text.insert(0, '/');
            }
            if trailing_slash {
                text.push('/');
            }
            if text.is_empty() {
                text.push('.');
            }
            text
        })
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        1 => Just(Entry::Absent),
        2 => Just(Entry::File),
        1 => Just(Entry::Dir),
        6 => path_text(4).prop_map(Entry::Link),
    ]
}

/// `tmp/root` holds the random tree; `tmp` itself holds decoys an escape would reach.
fn build(entries: &[Entry]) -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    common::build(
        tmp.path(),
        "a: OUTSIDE
         b: OUTSIDE
         passwd: OUTSIDE
         etc/passwd: OUTSIDE
         d/e: OUTSIDE
         root/d/d2/",
    );
    let root = tmp.path().join("root");
    for (slot, entry) in SLOTS.iter().zip(entries) {
        let path = root.join(slot);
        match entry {
            Entry::Absent => {}
            Entry::File => fs::write(&path, INSIDE).unwrap(),
            Entry::Dir => fs::create_dir(&path).unwrap(),
            Entry::Link(target) => symlink(target, &path).unwrap(),
        }
    }
    (tmp, root)
}

/// `root/c1/…/cn`, asserting that no component is a host symlink.
fn host_path_without_links(root: &Path, path: &TargetPath) -> PathBuf {
    let mut host = root.to_path_buf();
    for comp in path.components() {
        host.push(std::ffi::OsStr::from_bytes(comp));
        let meta = fs::symlink_metadata(&host).unwrap();
        assert!(
            !meta.file_type().is_symlink(),
            "{} is a link",
            host.display()
        );
    }
    host
}

/// Mirrors `struct open_how` (linux/openat2.h); libc's is non-exhaustive.
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// What the kernel makes of `path` inside `root`: the opened (O_PATH) fd or the errno.
// openat2 has no safe wrapper in std or libc.
#[allow(unsafe_code)]
fn kernel_open(root: &File, path: &str, follow: bool) -> Result<OwnedFd, i32> {
    let c_path = CString::new(path).unwrap();
    let mut flags = libc::O_PATH | libc::O_CLOEXEC;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    let how = OpenHow {
        flags: flags as u64,
        mode: 0,
        resolve: libc::RESOLVE_IN_ROOT,
    };
    // SAFETY: valid fd, NUL-terminated path and a correctly sized open_how.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            root.as_raw_fd(),
            c_path.as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO));
    }
    let fd = i32::try_from(fd).unwrap();
    // SAFETY: the kernel just returned this fd to us and nobody else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Is `openat2` usable here (Linux ≥ 5.6, not filtered by seccomp)?
fn kernel_oracle_available() -> bool {
    let root = File::open("/").unwrap();
    match kernel_open(&root, "/", true) {
        Ok(_) => true,
        Err(errno) if errno == libc::ENOSYS || errno == libc::EPERM => {
            eprintln!("openat2 unavailable (errno {errno}): kernel comparison skipped");
            false
        }
        Err(errno) => panic!("openat2 of / failed with errno {errno}"),
    }
}

fn check_against_kernel(sysroot: &Sysroot, root: &Path, root_fd: &File, query: &str) {
    let ours = sysroot.resolve(query.as_bytes(), &TargetPath::root());
    let kernel = kernel_open(root_fd, query, true);
    match (&ours, kernel) {
        (Ok(resolved), Ok(fd)) => {
            let meta = File::from(fd).metadata().unwrap();
            assert_eq!(
                (resolved.id.dev, resolved.id.ino),
                (meta.dev(), meta.ino()),
                "{query}: other file than the kernel's"
            );
            assert_eq!(resolved.kind == NodeKind::Dir, meta.is_dir(), "{query}");
            let host = host_path_without_links(root, &resolved.path);
            assert_eq!(fs::metadata(host).unwrap().ino(), meta.ino(), "{query}");
        }
        (Err(err), Err(errno)) => assert_eq!(err.errno(), errno, "{query}: {err}"),
        (ours, kernel) => panic!("{query}: ours {ours:?}, kernel {:?}", kernel.map(|_| ())),
    }

    let ours = sysroot.lstat(query.as_bytes(), &TargetPath::root());
    match (ours, kernel_open(root_fd, query, false)) {
        (Ok(node), Ok(fd)) => {
            let meta = File::from(fd).metadata().unwrap();
            let is_link = matches!(node, Node::Symlink { .. });
            assert_eq!(is_link, meta.file_type().is_symlink(), "lstat {query}");
        }
        (Err(err), Err(errno)) => assert_eq!(err.errno(), errno, "lstat {query}: {err}"),
        (ours, kernel) => panic!(
            "lstat {query}: ours {ours:?}, kernel {:?}",
            kernel.map(|_| ())
        ),
    }
}

fn check_contained(sysroot: &Sysroot, root: &Path, query: &str, cwd: &TargetPath) {
    let Ok(resolved) = sysroot.resolve(query.as_bytes(), cwd) else {
        return;
    };
    assert!(resolved.path.as_bytes().starts_with(b"/"));
    let host = host_path_without_links(root, &resolved.path);
    let meta = fs::symlink_metadata(&host).unwrap();
    assert_eq!((resolved.id.dev, resolved.id.ino), (meta.dev(), meta.ino()));
    match sysroot.read(query.as_bytes(), cwd) {
        Ok((_, bytes)) => assert_eq!(&*bytes, INSIDE.as_bytes(), "{query} read outside"),
        Err(FsError::IsADirectory) => assert_eq!(resolved.kind, NodeKind::Dir),
        Err(e) => panic!("{query}: resolved but unreadable: {e}"),
    }
    assert_ne!(
        fs::read(&host).unwrap_or_default(),
        OUTSIDE.as_bytes(),
        "{query}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn resolution_never_leaves_the_root_and_matches_the_kernel(
        entries in prop::collection::vec(entry(), SLOTS.len()),
        queries in prop::collection::vec(path_text(6), 1..8),
    ) {
        let (_tmp, root) = build(&entries);
        let sysroot = Sysroot::from_dir(&root).unwrap();
        let root_fd = File::open(&root).unwrap();
        let oracle = kernel_oracle_available();
        let slot_queries = SLOTS.iter().map(|s| format!("/{s}"));
        for query in slot_queries.chain(queries) {
            check_contained(&sysroot, &root, &query, &TargetPath::root());
            check_contained(&sysroot, &root, &query, &TargetPath::new(b"/d/d2"));
            if oracle {
                check_against_kernel(&sysroot, &root, &root_fd, &query);
            }
        }
    }
}
