//! The mount table: the base backend at `/` and overlays at exact target paths.
//!
//! Each lookup goes to the mount with the longest target prefix of the path, like the kernel's
//! mount tree. The ancestors of a mount point are directories even when the backend below has
//! nothing there (the mount point "creates" its path virtually), and list the next component
//! of every mount below them.

use foldhash::HashMap;

use crate::error::FsError;
use crate::node::{Backend, FileBytes, FileId, Node, OpenFile};

/// Up to this many mounts, a lookup compares each mount point with the path; beyond, it
/// looks each prefix of the path up by hash (a host file checked against a built-in target
/// is one mount, and a run checks thousands).
const COMPARED_MOUNTS: usize = 16;

/// Device number of the directories that exist only because a mount point lies below them.
/// No real `st_dev` is all ones, so their [`FileId`] never equals a host file's.
const VIRTUAL_DEV: u64 = u64::MAX;

#[derive(Debug)]
struct Mount {
    /// Target components of the mount point (never empty: a mount at `/` replaces the base).
    target: Vec<Vec<u8>>,
    backend: Box<dyn Backend>,
}

#[derive(Debug)]
pub(crate) struct MountTable {
    base: Box<dyn Backend>,
    overlays: Vec<Mount>,
    /// Each mount point (components joined by '/') to its index in `overlays`: a host file
    /// checked against a built-in target is one mount, and a run checks thousands.
    by_target: HashMap<Vec<u8>, usize>,
    /// Every strict ancestor of a mount point (joined), with how many mount points lie below.
    ancestors: HashMap<Vec<u8>, usize>,
}

impl MountTable {
    pub(crate) fn new(base: Box<dyn Backend>) -> Self {
        MountTable {
            base,
            overlays: Vec::new(),
            by_target: HashMap::default(),
            ancestors: HashMap::default(),
        }
    }

    /// Mount `backend` at `target`; a later mount at the same point replaces the earlier one.
    pub(crate) fn insert(&mut self, target: Vec<Vec<u8>>, backend: Box<dyn Backend>) {
        if target.is_empty() {
            self.base = backend;
            return;
        }
        let key = target.join(&b'/');
        match self.by_target.get(&key) {
            Some(&index) => self.overlays[index].backend = backend,
            None => {
                for depth in 0..target.len() {
                    *self
                        .ancestors
                        .entry(target[..depth].join(&b'/'))
                        .or_default() += 1;
                }
                self.by_target.insert(key, self.overlays.len());
                self.overlays.push(Mount { target, backend });
            }
        }
    }

    /// The mount responsible for `path` (longest prefix), the components of `path` inside it,
    /// and whether a mount point lies strictly below `path`.
    fn governing<'p, 'c>(&self, path: &'p [&'c [u8]]) -> (&dyn Backend, &'p [&'c [u8]], bool) {
        let mut best: (&dyn Backend, usize) = (self.base.as_ref(), 0);
        if self.overlays.is_empty() {
            return (best.0, path, false);
        }
        if self.overlays.len() <= COMPARED_MOUNTS {
            // A few mounts: compared component by component, nothing joined or hashed.
            let mut below = false;
            for m in &self.overlays {
                if m.target.len() <= path.len() {
                    if m.target.len() > best.1
                        && is_prefix_of_target(&path[..m.target.len()], &m.target)
                    {
                        best = (m.backend.as_ref(), m.target.len());
                    }
                } else {
                    below |= is_prefix_of_target(path, &m.target);
                }
            }
            return (best.0, path.get(best.1..).unwrap_or(&[]), below);
        }
        let mut key: Vec<u8> = Vec::new();
        let mut below = self.ancestors.contains_key(&key);
        for (depth, component) in path.iter().enumerate() {
            if !below {
                // No mount point lies below the prefix walked so far: none deeper either.
                break;
            }
            if depth > 0 {
                key.push(b'/');
            }
            key.extend_from_slice(component);
            if let Some(&index) = self.by_target.get(&key) {
                best = (self.overlays[index].backend.as_ref(), depth + 1);
            }
            below = self.ancestors.contains_key(&key);
        }
        (best.0, path.get(best.1..).unwrap_or(&[]), below)
    }

    pub(crate) fn lstat(&self, path: &[&[u8]]) -> Result<Node, FsError> {
        let (backend, rest, mount_ancestor) = self.governing(path);
        let node = backend.lstat(rest);
        if !mount_ancestor {
            return node;
        }
        match node {
            Ok(dir @ Node::Dir { .. }) => Ok(dir),
            _ => Ok(Node::Dir {
                id: virtual_id(path),
                mode: 0o755,
            }),
        }
    }

    pub(crate) fn read(&self, path: &[&[u8]]) -> Result<FileBytes, FsError> {
        let (backend, rest, _) = self.governing(path);
        backend.read(rest)
    }

    pub(crate) fn open(&self, path: &[&[u8]]) -> Result<OpenFile, FsError> {
        let (backend, rest, _) = self.governing(path);
        backend.open(rest)
    }

    pub(crate) fn list(&self, path: &[&[u8]]) -> Result<Vec<Vec<u8>>, FsError> {
        let (backend, rest, mount_ancestor) = self.governing(path);
        let listed = backend.list(rest);
        let mut names = if mount_ancestor {
            listed.unwrap_or_default()
        } else {
            listed?
        };
        for m in &self.overlays {
            if m.target.len() > path.len() && is_prefix_of_target(path, &m.target) {
                if let Some(child) = m.target.get(path.len()) {
                    names.push(child.clone());
                }
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }
}

/// Is `path` a prefix of (or equal to) the mount point `target`?
fn is_prefix_of_target(path: &[&[u8]], target: &[Vec<u8>]) -> bool {
    path.len() <= target.len() && path.iter().zip(target).all(|(p, t)| *p == t.as_slice())
}

/// A stable identity for a virtual directory: FNV-1a of its path.
fn virtual_id(path: &[&[u8]]) -> FileId {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for c in path {
        for &b in std::iter::once(&b'/').chain(c.iter()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    FileId {
        dev: VIRTUAL_DEV,
        ino: hash,
    }
}
