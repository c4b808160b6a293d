//! A target root filesystem as a read-only virtual filesystem.
//!
//! Every path is resolved *inside* the root the way the kernel resolves it inside a chroot:
//! absolute symlink targets are re-rooted, `..` stops at the root, and symlink loops are reported
//! (ELOOP after 40 links, as Linux does). Nothing outside the root, or outside an overlay's host
//! directory, is ever read. This crate knows nothing of ELF.
//!
//! Architecture Invariant: no host `canonicalize`, no host symlink is ever followed by the OS;
//! the [`Sysroot`] resolver walks every component itself through a [`Backend`].

// INTERFACE SKELETON — filled in by the sysroots implementation.

use std::fmt;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An absolute, lexically normalised path inside the target (bytes, never a host `Path`).
/// Always starts with `/`, has no `.` components, no empty components and no trailing `/`
/// (except the root itself). `..` components are kept by [`TargetPath::new`] only lexically
/// collapsed, clamped at the root.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetPath(Vec<u8>);

impl TargetPath {
    /// The root `/`.
    pub fn root() -> Self {
        TargetPath(b"/".to_vec())
    }
    /// Lexically normalise `path` (relative paths are taken relative to `/`).
    pub fn new(path: &[u8]) -> Self {
        let _ = path;
        unimplemented!()
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// `self/rel`, lexically normalised; an absolute `rel` replaces `self`.
    pub fn join(&self, rel: &[u8]) -> TargetPath {
        let _ = rel;
        unimplemented!()
    }
    /// The directory part (`/a/b` → `/a`, `/` → `/`).
    pub fn parent(&self) -> TargetPath {
        unimplemented!()
    }
    /// The last component (`/a/b` → `b`, `/` → empty).
    pub fn file_name(&self) -> &[u8] {
        unimplemented!()
    }
    /// Lossy UTF-8 for display.
    pub fn display(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl fmt::Debug for TargetPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.display())
    }
}
impl fmt::Display for TargetPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// Why a path could not be opened, with the errno the real `open(2)`/`read(2)` would give.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("No such file or directory")]
    NotFound,
    #[error("Not a directory")]
    NotADirectory,
    #[error("Is a directory")]
    IsADirectory,
    #[error("Too many levels of symbolic links")]
    Loop,
    #[error("File name too long")]
    NameTooLong,
    #[error("Permission denied")]
    PermissionDenied,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl FsError {
    /// The Linux errno this error stands for (ENOENT, ENOTDIR, EISDIR, ELOOP, ENAMETOOLONG,
    /// EACCES, or the raw OS error / EIO).
    pub fn errno(&self) -> i32 {
        unimplemented!()
    }
}

/// Failure to open a root or overlay at all (an input error: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}: not a directory")]
    NotADirectory(PathBuf),
}

/// What a fully resolved path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    File,
    Dir,
    /// Device node, fifo, socket: exists, cannot be loaded.
    Other,
}

/// Identity of a file, to find the same file reached through two paths (glibc compares
/// st_dev/st_ino, musl too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

/// A path after every symlink was followed inside the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Canonical path inside the target (no symlinks left).
    pub path: TargetPath,
    pub kind: NodeKind,
    pub id: FileId,
    /// st_mode permission and setuid bits.
    pub mode: u32,
    pub size: u64,
}

/// The bytes of a file: memory-mapped when large, shared cheaply.
#[derive(Clone)]
pub struct FileBytes(Arc<dyn Deref<Target = [u8]> + Send + Sync>);

impl FileBytes {
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        FileBytes(Arc::new(bytes))
    }
}
impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}
impl fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileBytes({} bytes)", self.len())
    }
}

/// One entry as a backend sees it, symlinks not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    File { id: FileId, mode: u32, size: u64 },
    Dir { id: FileId, mode: u32 },
    Symlink { target: Vec<u8> },
    Other { id: FileId, mode: u32 },
}

/// A source of target files: a host directory today; tarballs and images plug in here.
/// Paths given to a backend are lists of plain components (never `.`, `..` or empty), already
/// free of symlinks in every component but possibly the last.
pub trait Backend: Send + Sync + fmt::Debug {
    /// lstat: the entry itself, not following a final symlink.
    fn lstat(&self, components: &[&[u8]]) -> Result<Node, FsError>;
    /// The contents of a regular file.
    fn read(&self, components: &[&[u8]]) -> Result<FileBytes, FsError>;
    /// Names in a directory, sorted.
    fn list(&self, components: &[&[u8]]) -> Result<Vec<Vec<u8>>, FsError>;
}

/// A host directory as a backend. Never follows host symlinks: they are reported as
/// [`Node::Symlink`] and resolved by [`Sysroot`] inside the root.
#[derive(Debug)]
pub struct DirBackend {
    root: PathBuf,
}

impl DirBackend {
    pub fn new(root: &Path) -> Result<Self, OpenError> {
        let _ = root;
        unimplemented!()
    }
}

/// A target root: a base backend at `/` plus overlays mounted at exact target directories
/// (`--overlay HOST:TARGET`), the longest mount prefix winning.
#[derive(Debug)]
pub struct Sysroot {
    description: String,
}

impl Sysroot {
    /// A host directory as the target root.
    pub fn from_dir(host_dir: &Path) -> Result<Sysroot, OpenError> {
        let _ = host_dir;
        unimplemented!()
    }
    /// Any backend as the target root; `description` names it in messages.
    pub fn from_backend(backend: Box<dyn Backend>, description: String) -> Sysroot {
        let _ = backend;
        Sysroot { description }
    }
    /// Mount a host directory, or a single host file, at `target` (a directory path when the
    /// host path is a directory, the file's own path when it is a file).
    pub fn mount(&mut self, target: &TargetPath, host: &Path) -> Result<(), OpenError> {
        let _ = (target, host);
        unimplemented!()
    }
    /// What this root is (its host path), for messages.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// Resolve `path` (relative paths relative to `cwd`), following every symlink inside the root.
    pub fn resolve(&self, path: &[u8], cwd: &TargetPath) -> Result<Resolved, FsError> {
        let _ = (path, cwd);
        unimplemented!()
    }
    /// lstat inside the root: intermediate components followed, the last not.
    pub fn lstat(&self, path: &[u8], cwd: &TargetPath) -> Result<Node, FsError> {
        let _ = (path, cwd);
        unimplemented!()
    }
    /// Resolve and read a regular file. A directory gives [`FsError::IsADirectory`].
    pub fn read(&self, path: &[u8], cwd: &TargetPath) -> Result<(Resolved, FileBytes), FsError> {
        let _ = (path, cwd);
        unimplemented!()
    }
    /// Sorted names of a directory (symlinks followed to reach it).
    pub fn read_dir(&self, path: &[u8], cwd: &TargetPath) -> Result<Vec<Vec<u8>>, FsError> {
        let _ = (path, cwd);
        unimplemented!()
    }
}
