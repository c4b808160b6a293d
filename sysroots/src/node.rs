//! What a backend reports about an entry, and the [`Backend`] trait itself.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::error::FsError;
use crate::target_path::TargetPath;

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

/// The bytes of a file: memory-mapped when large, shared cheaply. A file inside an archive is
/// a window onto the archive's bytes (no copy).
#[derive(Clone)]
pub struct FileBytes {
    whole: Arc<dyn Deref<Target = [u8]> + Send + Sync>,
    start: usize,
    len: usize,
}

impl FileBytes {
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        let len = bytes.len();
        FileBytes {
            whole: Arc::new(bytes),
            start: 0,
            len,
        }
    }

    pub(crate) fn from_mmap(map: memmap2::Mmap) -> Self {
        let len = map.len();
        FileBytes {
            whole: Arc::new(map),
            start: 0,
            len,
        }
    }

    /// The bytes `offset..offset + len` of this file, sharing its storage; `None` when the
    /// range is not inside the file.
    pub fn slice(&self, offset: u64, len: u64) -> Option<FileBytes> {
        let offset = usize::try_from(offset).ok()?;
        let len = usize::try_from(len).ok()?;
        if offset.checked_add(len)? > self.len {
            return None;
        }
        Some(FileBytes {
            whole: Arc::clone(&self.whole),
            start: self.start + offset,
            len,
        })
    }
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // In range by construction (`slice` checks against the parent's length).
        &self.whole[self.start..self.start + self.len]
    }
}

impl AsRef<[u8]> for FileBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileBytes({} bytes)", self.len())
    }
}

/// A regular file opened for reading, whole or in parts ([`crate::Sysroot::open`]).
#[derive(Debug)]
pub struct OpenFile(Contents);

#[derive(Debug)]
enum Contents {
    /// Already in memory: a file in an archive, a mapped file.
    Bytes(FileBytes),
    /// A host file read on demand.
    Host { file: std::fs::File, len: u64 },
}

impl OpenFile {
    pub fn from_bytes(bytes: FileBytes) -> Self {
        OpenFile(Contents::Bytes(bytes))
    }

    /// A host file opened by the caller, `len` bytes long, read on demand (the CLI's host
    /// inputs read the same way as the root's files).
    pub fn host(file: std::fs::File, len: u64) -> Self {
        OpenFile(Contents::Host { file, len })
    }

    /// The file's length.
    pub fn len(&self) -> u64 {
        match &self.0 {
            Contents::Bytes(bytes) => bytes.len() as u64,
            Contents::Host { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reading parts of it costs less than reading it whole (it is not in memory already).
    pub fn reads_in_parts(&self) -> bool {
        matches!(self.0, Contents::Host { .. })
    }

    /// The bytes `offset..offset + len`, cut at the end of the file.
    pub fn read_at(&self, offset: u64, len: u64) -> Result<FileBytes, FsError> {
        let end = offset.saturating_add(len).min(self.len());
        let len = end.saturating_sub(offset);
        match &self.0 {
            Contents::Bytes(bytes) => Ok(bytes
                .slice(offset.min(end), len)
                .unwrap_or_else(|| FileBytes::from_vec(Vec::new()))),
            Contents::Host { file, .. } => {
                let too_big = || FsError::Io(std::io::Error::from_raw_os_error(libc::EFBIG));
                let size = usize::try_from(len).map_err(|_| too_big())?;
                // Not zeroed first: the reads fill it, and what they do not fill is cut off.
                let mut buf: Vec<u8> = Vec::with_capacity(size);
                while buf.len() < size {
                    let at = offset
                        .checked_add(buf.len() as u64)
                        .and_then(|at| libc::off_t::try_from(at).ok())
                        .ok_or_else(too_big)?;
                    let want = size - buf.len();
                    match pread_spare(file, &mut buf, want, at) {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(FsError::from_host(e)),
                    }
                }
                Ok(FileBytes::from_vec(buf))
            }
        }
    }

    /// All of it.
    pub fn into_bytes(self) -> Result<FileBytes, FsError> {
        match self.0 {
            Contents::Bytes(bytes) => Ok(bytes),
            Contents::Host { len, .. } => self.read_at(0, len),
        }
    }
}

/// One entry as a backend sees it, symlinks not followed. `mode` holds the permission and
/// setuid bits only (`st_mode & 0o7777`).
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
    /// A regular file opened to read parts of it; by default read whole.
    fn open(&self, components: &[&[u8]]) -> Result<OpenFile, FsError> {
        self.read(components).map(OpenFile::from_bytes)
    }
    /// Names in a directory, sorted.
    fn list(&self, components: &[&[u8]]) -> Result<Vec<Vec<u8>>, FsError>;
}

/// pread(2) of up to `want` bytes at `at` into the spare capacity of `buf`, which grows by
/// the bytes read. `want` must fit the spare capacity.
#[allow(unsafe_code)]
fn pread_spare(
    file: &std::fs::File,
    buf: &mut Vec<u8>,
    want: usize,
    at: libc::off_t,
) -> std::io::Result<usize> {
    use std::os::fd::AsRawFd;
    let spare = buf.spare_capacity_mut();
    let want = want.min(spare.len());
    // SAFETY: the kernel writes at most `want` bytes, all inside the spare capacity, and the
    // length grows only by the count it reports written (initialised bytes).
    let read = unsafe { libc::pread(file.as_raw_fd(), spare.as_mut_ptr().cast(), want, at) };
    let read = usize::try_from(read).map_err(|_| std::io::Error::last_os_error())?;
    // SAFETY: `read` ≤ `want` ≤ the spare capacity, and those bytes were written above.
    unsafe { buf.set_len(buf.len() + read) };
    Ok(read)
}
