//! [`Sysroot`]: a target root made of a base backend and mounted overlays.

use std::fs;
use std::path::Path;

use crate::error::{FsError, OpenError};
use crate::host::{DirBackend, FileBackend};
use crate::memo::Memo;
use crate::mounts::MountTable;
use crate::node::{Backend, FileBytes, Node, NodeKind, OpenFile, Resolved};
use crate::target_path::TargetPath;
use crate::walk::{walk, walk_counting, walk_in, KnownDir, Last, Prefix};

/// A target root: a base backend at `/` plus overlays mounted at exact target directories
/// (`--overlay HOST:TARGET`), the longest mount prefix winning.
#[derive(Debug)]
pub struct Sysroot {
    description: String,
    mounts: MountTable,
    /// What each absolute path resolved to (or its errno), with the symlinks that followed: a
    /// root does not change while it is read, and a run resolves the same library paths for
    /// every program. Cleared by `mount`.
    resolved: Memo<(Resolved, u32)>,
}

impl Sysroot {
    /// A host directory as the target root.
    pub fn from_dir(host_dir: &Path) -> Result<Sysroot, OpenError> {
        let backend = DirBackend::new(host_dir)?;
        Ok(Sysroot::from_backend(
            Box::new(backend),
            host_dir.display().to_string(),
        ))
    }

    /// Any backend as the target root; `description` names it in messages.
    pub fn from_backend(backend: Box<dyn Backend>, description: String) -> Sysroot {
        Sysroot {
            description,
            mounts: MountTable::new(backend),
            resolved: Memo::default(),
        }
    }

    /// Mount a host directory, or a single host file, at `target` (a directory path when the
    /// host path is a directory, the file's own path when it is a file).
    ///
    /// Like `mount --bind`, the directories leading to `target` are resolved inside the root
    /// first (so mounting at `/lib/x` when `/lib -> usr/lib` lands in `/usr/lib/x` instead of
    /// hiding the rest of `/lib`); the parts that do not exist are created virtually. The last
    /// component is taken literally: the overlay replaces whatever the base has there, even a
    /// symlink. Symlinks inside the overlay resolve in the target namespace.
    pub fn mount(&mut self, target: &TargetPath, host: &Path) -> Result<(), OpenError> {
        let meta = fs::metadata(host).map_err(|source| OpenError::Io {
            path: host.to_path_buf(),
            source,
        })?;
        let backend: Box<dyn Backend> = if meta.is_dir() {
            Box::new(DirBackend::new(host)?)
        } else {
            Box::new(FileBackend::new(host)?)
        };
        let point = self.mount_point(target);
        tracing::debug!(host = %host.display(), target = %target, "mount overlay");
        self.mounts.insert(point, backend);
        self.resolved.clear();
        Ok(())
    }

    /// The components of the mount point for `target`: the existing directories on the way
    /// resolved through the current mounts, the rest and the last component literal.
    fn mount_point(&self, target: &TargetPath) -> Vec<Vec<u8>> {
        let comps: Vec<&[u8]> = target.components().collect();
        let Some((last, dirs)) = comps.split_last() else {
            return Vec::new();
        };
        let mut point = TargetPath::root();
        let mut existing = true;
        for dir in dirs {
            let literal = point.join(dir);
            point = if existing {
                match walk(&self.mounts, literal.as_bytes(), &point, Last::Follow) {
                    Ok((prefix, Node::Dir { .. })) => prefix.into_target_path(),
                    _ => {
                        existing = false;
                        literal
                    }
                }
            } else {
                literal
            };
        }
        point
            .components()
            .chain([*last])
            .map(<[u8]>::to_vec)
            .collect()
    }

    /// What this root is (its host path), for messages.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Resolve `path` (relative paths relative to `cwd`), following every symlink inside the root.
    pub fn resolve(&self, path: &[u8], cwd: &TargetPath) -> Result<Resolved, FsError> {
        if !path.starts_with(b"/") {
            return self
                .resolve_walking(path, cwd)
                .map(|(resolved, _)| resolved);
        }
        self.resolve_absolute(path).map(|(resolved, _)| resolved)
    }

    /// An absolute path, memoised. A loader tries one name in many directories and many names
    /// in one directory: the last component is looked up in its directory's memoised
    /// resolution instead of walking the whole path again.
    fn resolve_absolute(&self, path: &[u8]) -> Result<(Resolved, u32), FsError> {
        if let Some(known) = self.resolved.get(path) {
            return known;
        }
        let result = match split_dir_name(path) {
            Some((dir, name)) => {
                let dir = match self.resolved.get(dir) {
                    Some(known) => known,
                    None => {
                        let walked = self.resolve_walking(dir, &TargetPath::root());
                        self.resolved.remember(dir.to_vec(), &walked);
                        walked
                    }
                };
                dir.and_then(|(dir, links)| self.resolve_in(&dir, links, name))
            }
            None => self.resolve_walking(path, &TargetPath::root()),
        };
        self.resolved.remember(path.to_vec(), &result);
        result
    }

    /// `name` looked up in the resolved `dir`, as the walk of the whole path would.
    fn resolve_in(
        &self,
        dir: &Resolved,
        links: u32,
        name: &[u8],
    ) -> Result<(Resolved, u32), FsError> {
        let node = match dir.kind {
            NodeKind::Dir => Node::Dir {
                id: dir.id,
                mode: dir.mode,
            },
            // The whole walk would find no directory to look `name` up in.
            NodeKind::File | NodeKind::Other => return Err(FsError::NotADirectory),
        };
        let known = KnownDir {
            path: &dir.path,
            node,
            links,
        };
        let (prefix, node, links) = walk_in(&self.mounts, known, name, Last::Follow)?;
        resolved(prefix, node).map(|r| (r, links))
    }

    fn resolve_walking(&self, path: &[u8], cwd: &TargetPath) -> Result<(Resolved, u32), FsError> {
        let (prefix, node, links) = walk_counting(&self.mounts, path, cwd, Last::Follow)?;
        resolved(prefix, node).map(|r| (r, links))
    }

    /// lstat inside the root: intermediate components followed, the last not.
    pub fn lstat(&self, path: &[u8], cwd: &TargetPath) -> Result<Node, FsError> {
        walk(&self.mounts, path, cwd, Last::NoFollow).map(|(_, node)| node)
    }

    /// Resolve and read a regular file. A directory gives [`FsError::IsADirectory`].
    ///
    /// A device, fifo or socket gives [`FsError::PermissionDenied`] (EACCES): a loader cannot
    /// map one, and reading a fifo could block forever, so it is never opened. (The real
    /// `open` of a character device would succeed and the loader then fail on the short
    /// read; no real root ships a device where a library is looked for.)
    pub fn read(&self, path: &[u8], cwd: &TargetPath) -> Result<(Resolved, FileBytes), FsError> {
        let resolved = self.resolve_file(path, cwd)?;
        let comps: Vec<&[u8]> = resolved.path.components().collect();
        let bytes = self.mounts.read(&comps)?;
        Ok((resolved, bytes))
    }

    /// Resolve and open a regular file to read it whole or in parts; the same checks as
    /// [`Sysroot::read`].
    pub fn open(&self, path: &[u8], cwd: &TargetPath) -> Result<(Resolved, OpenFile), FsError> {
        let resolved = self.resolve_file(path, cwd)?;
        let comps: Vec<&[u8]> = resolved.path.components().collect();
        let file = self.mounts.open(&comps)?;
        Ok((resolved, file))
    }

    /// [`Sysroot::resolve`], refusing anything but a regular file (see [`Sysroot::read`]).
    fn resolve_file(&self, path: &[u8], cwd: &TargetPath) -> Result<Resolved, FsError> {
        let resolved = self.resolve(path, cwd)?;
        match resolved.kind {
            NodeKind::File => Ok(resolved),
            NodeKind::Dir => Err(FsError::IsADirectory),
            NodeKind::Other => Err(FsError::PermissionDenied),
        }
    }

    /// Sorted names of a directory (symlinks followed to reach it).
    pub fn read_dir(&self, path: &[u8], cwd: &TargetPath) -> Result<Vec<Vec<u8>>, FsError> {
        let (prefix, node) = walk(&self.mounts, path, cwd, Last::Follow)?;
        if !matches!(node, Node::Dir { .. }) {
            return Err(FsError::NotADirectory);
        }
        self.mounts.list(&prefix.components())
    }
}

/// What a walk that followed every symlink found.
fn resolved(prefix: Prefix, node: Node) -> Result<Resolved, FsError> {
    let (kind, id, mode, size) = match node {
        Node::File { id, mode, size } => (NodeKind::File, id, mode, size),
        Node::Dir { id, mode } => (NodeKind::Dir, id, mode, 0),
        Node::Other { id, mode } => (NodeKind::Other, id, mode, 0),
        // Unreachable: with `Last::Follow` the walk expands every symlink it meets.
        Node::Symlink { .. } => return Err(FsError::Loop),
    };
    Ok(Resolved {
        path: prefix.into_target_path(),
        kind,
        id,
        mode,
        size,
    })
}

/// An absolute path as its directory and a last component that is a plain name, when it has
/// both; `None` for anything the whole walk must see (the root's own entries, `.`, `..`, a
/// trailing slash, a NUL, an over-long path).
fn split_dir_name(path: &[u8]) -> Option<(&[u8], &[u8])> {
    if path.len() >= crate::walk::PATH_MAX || path.contains(&0) {
        return None;
    }
    let slash = path.iter().rposition(|&b| b == b'/')?;
    let (dir, name) = (path.get(..slash)?, path.get(slash + 1..)?);
    let plain = !name.is_empty() && name != b"." && name != b"..";
    (plain && !dir.is_empty() && dir.first() == Some(&b'/')).then_some((dir, name))
}
