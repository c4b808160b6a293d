//! Backends on the host filesystem: a directory ([`DirBackend`]) and a single file
//! ([`FileBackend`], for `--overlay HOST_FILE:TARGET_FILE`).
//!
//! Architecture Invariant: the OS is only ever handed `root/c1/…/cn` (as `c1/…/cn` relative
//! to the root directory's descriptor) where every `ci` is a plain name that the
//! [`crate::Sysroot`] walk has already checked is not a symlink (the final one is `lstat`ed,
//! opened with `O_NOFOLLOW`). Host symlinks are reported, never followed, and no host path is
//! ever canonicalised.

use std::ffi::OsStr;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::Mode;

use crate::error::{FsError, OpenError};
use crate::memo::Memo;
use crate::node::{Backend, FileBytes, FileId, Node, OpenFile};

/// Files smaller than this are read (whole, or in the parts a caller asks for); larger ones
/// are memory-mapped. Unmapping
/// in a multi-threaded process interrupts every other thread's CPU (a TLB shootdown): a read
/// is cheaper for the many files of a few hundred KiB an image holds.
const MMAP_THRESHOLD: u64 = 256 * 1024;

/// A host directory as a backend. Never follows host symlinks: they are reported as
/// [`Node::Symlink`] and resolved by [`crate::Sysroot`] inside the root.
#[derive(Debug)]
pub struct DirBackend {
    root: PathBuf,
    /// The root directory, opened once: every lookup below it names a path relative to it, so
    /// the OS does not walk the root's own host path again each time.
    dir: std::os::fd::OwnedFd,
    /// What `lstat` said of each path asked, with its errno when it failed: a root is only
    /// read, and a run resolves the same directories for every library it looks for.
    seen: Memo<Node>,
}

impl DirBackend {
    /// Open `root`, which must be a directory (a symlink given by the user as the root itself
    /// is followed: it is the user's choice of root, not content of the target).
    pub fn new(root: &Path) -> Result<Self, OpenError> {
        let meta = fs::metadata(root).map_err(|source| OpenError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(OpenError::NotADirectory(root.to_path_buf()));
        }
        let dir = nix::fcntl::open(
            root,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|errno| OpenError::Io {
            path: root.to_path_buf(),
            source: io::Error::from(errno),
        })?;
        Ok(DirBackend {
            root: root.to_path_buf(),
            dir,
            seen: Memo::default(),
        })
    }

    /// `root/c1/…/cn`, refusing anything but plain names so that no caller can climb out.
    fn host_path(&self, components: &[&[u8]]) -> Result<PathBuf, FsError> {
        let mut path = self.root.clone();
        for &c in components {
            if !is_plain_name(c) {
                return Err(invalid_component());
            }
            path.push(OsStr::from_bytes(c));
        }
        Ok(path)
    }
}

impl Backend for DirBackend {
    fn lstat(&self, components: &[&[u8]]) -> Result<Node, FsError> {
        // Checked before the memo too: its keys join plain names with '/'.
        let key = relative_path(components)?;
        if let Some(seen) = self.seen.get(&key) {
            return seen;
        }
        let result = self.lstat_host(components, &key);
        self.seen.remember(key, &result);
        result
    }

    fn read(&self, components: &[&[u8]]) -> Result<FileBytes, FsError> {
        self.open(components)?.into_bytes()
    }

    fn open(&self, components: &[&[u8]]) -> Result<OpenFile, FsError> {
        if components.is_empty() {
            let path = self.host_path(components)?;
            return open_host_file(&path, false);
        }
        // O_NOFOLLOW: the final component comes from the target (the walk saw a file there).
        let relative = relative_path(components)?;
        let fd = nix::fcntl::openat(
            &self.dir,
            OsStr::from_bytes(&relative),
            OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(host_errno)?;
        serve(File::from(fd))
    }

    fn list(&self, components: &[&[u8]]) -> Result<Vec<Vec<u8>>, FsError> {
        let path = self.host_path(components)?;
        list_host_dir(&path)
    }
}

impl DirBackend {
    /// `relative`: the components joined with `/` (plain names, checked by the caller).
    fn lstat_host(&self, components: &[&[u8]], relative: &[u8]) -> Result<Node, FsError> {
        if components.is_empty() {
            // The root itself: followed, like the user's choice of root in `new`.
            let path = self.host_path(components)?;
            let meta = fs::metadata(&path).map_err(FsError::from_host)?;
            return Ok(node_from_metadata(&meta));
        }
        let relative = OsStr::from_bytes(relative);
        let stat = nix::sys::stat::fstatat(&self.dir, relative, AtFlags::AT_SYMLINK_NOFOLLOW)
            .map_err(host_errno)?;
        if stat.st_mode & libc::S_IFMT == libc::S_IFLNK {
            let target = nix::fcntl::readlinkat(&self.dir, relative).map_err(host_errno)?;
            return Ok(Node::Symlink {
                target: target.into_vec(),
            });
        }
        Ok(node_of(
            stat.st_dev,
            stat.st_ino,
            stat.st_mode,
            u64::try_from(stat.st_size).unwrap_or(0),
        ))
    }
}

/// A single host file mounted at one target path. The host path is the user's own choice, so
/// a host symlink there is followed.
#[derive(Debug)]
pub struct FileBackend {
    path: PathBuf,
}

impl FileBackend {
    pub fn new(path: &Path) -> Result<Self, OpenError> {
        fs::metadata(path).map_err(|source| OpenError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(FileBackend {
            path: path.to_path_buf(),
        })
    }
}

impl Backend for FileBackend {
    fn lstat(&self, components: &[&[u8]]) -> Result<Node, FsError> {
        if !components.is_empty() {
            return Err(FsError::NotADirectory);
        }
        let meta = fs::metadata(&self.path).map_err(FsError::from_host)?;
        Ok(node_from_metadata(&meta))
    }

    fn read(&self, components: &[&[u8]]) -> Result<FileBytes, FsError> {
        if !components.is_empty() {
            return Err(FsError::NotADirectory);
        }
        read_host_file(&self.path, false)
    }

    fn open(&self, components: &[&[u8]]) -> Result<OpenFile, FsError> {
        if !components.is_empty() {
            return Err(FsError::NotADirectory);
        }
        open_host_file(&self.path, false)
    }

    fn list(&self, _components: &[&[u8]]) -> Result<Vec<Vec<u8>>, FsError> {
        Err(FsError::NotADirectory)
    }
}

/// An errno from a call made through nix, as the host error it is.
fn host_errno(errno: nix::errno::Errno) -> FsError {
    FsError::from_host(io::Error::from(errno))
}

fn invalid_component() -> FsError {
    FsError::Io(io::Error::new(
        io::ErrorKind::InvalidInput,
        "invalid path component",
    ))
}

fn is_plain_name(c: &[u8]) -> bool {
    !c.is_empty() && c != b"." && c != b".." && !c.iter().any(|&b| b == b'/' || b == 0)
}

fn node_from_metadata(meta: &Metadata) -> Node {
    node_of(meta.dev(), meta.ino(), meta.mode(), meta.len())
}

/// A directory, a regular file or anything else, from `st_mode` (symlinks are handled by
/// the caller, lstat; a followed root never is one).
fn node_of(dev: u64, ino: u64, st_mode: u32, size: u64) -> Node {
    let id = FileId { dev, ino };
    let mode = st_mode & 0o7777;
    match st_mode & libc::S_IFMT {
        libc::S_IFDIR => Node::Dir { id, mode },
        libc::S_IFREG => Node::File { id, mode, size },
        _ => Node::Other { id, mode },
    }
}

/// `c1/…/cn` below the root, refusing anything but plain names so that no caller can climb
/// out.
fn relative_path(components: &[&[u8]]) -> Result<Vec<u8>, FsError> {
    if !components.iter().all(|c| is_plain_name(c)) {
        return Err(invalid_component());
    }
    Ok(components.join(&b'/'))
}

/// Read a regular file whole.
fn read_host_file(path: &Path, no_follow: bool) -> Result<FileBytes, FsError> {
    open_host_file(path, no_follow)?.into_bytes()
}

/// Open a regular file: a large one mapped, a small one left to be read in parts or whole.
/// `O_NONBLOCK` so that a fifo can never hang us; `O_NOFOLLOW` when the final component
/// comes from the target (the walk saw a file there, the OS must not follow).
fn open_host_file(path: &Path, no_follow: bool) -> Result<OpenFile, FsError> {
    let mut flags = libc::O_NONBLOCK;
    if no_follow {
        flags |= libc::O_NOFOLLOW;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(FsError::from_host)?;
    serve(file)
}

/// An opened file as the loader would get it: a regular file mapped or left to be read.
fn serve(file: File) -> Result<OpenFile, FsError> {
    let meta = file.metadata().map_err(FsError::from_host)?;
    if meta.is_dir() {
        return Err(FsError::IsADirectory);
    }
    if !meta.is_file() {
        // A device or fifo: never read (see `Sysroot::read`).
        return Err(FsError::PermissionDenied);
    }
    let size = meta.len();
    if size < MMAP_THRESHOLD {
        return Ok(OpenFile::host(file, size));
    }
    map_file(&file).map(OpenFile::from_bytes)
}

// Mapping a file is unsafe because another process could truncate it while mapped (SIGBUS).
// The target root is read-only input that nobody modifies during an analysis; every
// mmap-based ELF tool makes the same assumption.
#[allow(unsafe_code)]
fn map_file(file: &File) -> Result<FileBytes, FsError> {
    // SAFETY: see above; the map is read-only and private.
    let map = unsafe { memmap2::Mmap::map(file) }.map_err(FsError::from_host)?;
    Ok(FileBytes::from_mmap(map))
}

fn list_host_dir(path: &Path) -> Result<Vec<Vec<u8>>, FsError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(path).map_err(FsError::from_host)? {
        let entry = entry.map_err(FsError::from_host)?;
        names.push(entry.file_name().into_vec());
    }
    names.sort();
    Ok(names)
}
