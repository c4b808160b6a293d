//! The directory tree of an archive, or of an image's layers applied in order, and the
//! [`Backend`] that serves it.
//!
//! Layers follow the OCI image spec (image-spec layer.md, "Whiteouts"): `.wh.NAME` deletes
//! NAME from lower layers, `.wh..wh..opq` hides everything lower layers put in its directory;
//! neither hides what its own layer adds. A plain root tarball has no whiteout semantics.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::error::ArchiveError;
use super::tar::{Entry, EntryKind};
use crate::error::FsError;
use crate::node::{Backend, FileBytes, FileId, Node};

const WHITEOUT_PREFIX: &[u8] = b".wh.";
const OPAQUE_MARKER: &[u8] = b".wh..wh..opq";
/// Symlinks followed while placing one member (Linux's own limit).
const MAX_LINKS: usize = 40;
const ROOT: usize = 0;

/// Each tree gets its own device number, so that file identities never collide with another
/// tree's or the host's (which uses small real device numbers).
static NEXT_DEVICE: AtomicU64 = AtomicU64::new(0x1d51_0000_0000);

#[derive(Debug)]
enum Content {
    Dir(BTreeMap<Vec<u8>, usize>),
    File(FileBytes),
    Symlink(Vec<u8>),
    Other,
}

#[derive(Debug)]
struct Inode {
    content: Content,
    mode: u32,
    /// The layer that last wrote this entry (whiteouts only hide lower layers' entries).
    layer: usize,
    /// The directory holding a directory (directories are never hard-linked, so it is
    /// unique); the root is its own parent. Unused for other inodes.
    parent: usize,
}

/// Whether `.wh.` names are whiteouts (image layers) or ordinary names (root tarballs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whiteouts {
    Honour,
    Literal,
}

/// A merged directory tree. Hard links share one inode, as on disk.
#[derive(Debug)]
pub struct Tree {
    inodes: Vec<Inode>,
    device: u64,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Tree {
    pub fn new() -> Tree {
        Tree {
            inodes: vec![Inode {
                content: Content::Dir(BTreeMap::new()),
                mode: 0o755,
                layer: 0,
                parent: ROOT,
            }],
            device: NEXT_DEVICE.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Apply one archive's members, in order, as layer `layer` (0 for the lowest).
    pub fn apply(
        &mut self,
        entries: Vec<Entry>,
        layer: usize,
        whiteouts: Whiteouts,
    ) -> Result<(), ArchiveError> {
        for entry in entries {
            self.apply_entry(entry, layer, whiteouts)?;
        }
        Ok(())
    }

    fn apply_entry(
        &mut self,
        entry: Entry,
        layer: usize,
        whiteouts: Whiteouts,
    ) -> Result<(), ArchiveError> {
        let Some((last, dirs)) = entry.path.split_last() else {
            // The root itself (`./`): only its mode matters.
            if matches!(entry.kind, EntryKind::Dir) {
                if let Some(root) = self.inodes.get_mut(ROOT) {
                    root.mode = entry.mode;
                }
            }
            return Ok(());
        };
        let Some(parent) = self.make_dirs(dirs, layer) else {
            // GNU tar cannot create this member either (ENOTDIR / ELOOP): it is skipped.
            tracing::debug!(
                member = entry.name,
                "parent is not a directory: member skipped"
            );
            return Ok(());
        };
        if whiteouts == Whiteouts::Honour {
            if last.as_slice() == OPAQUE_MARKER {
                self.hide_lower(parent, layer);
                return Ok(());
            }
            if let Some(hidden) = last.strip_prefix(WHITEOUT_PREFIX) {
                // `.wh..wh.*` names other than the opaque marker are aufs bookkeeping.
                if !hidden.starts_with(WHITEOUT_PREFIX) {
                    self.remove_lower(parent, hidden, layer);
                }
                return Ok(());
            }
        }
        let content = match entry.kind {
            EntryKind::Dir => {
                if let Some(existing) = self.child(parent, last) {
                    if let Some(inode) = self.inodes.get_mut(existing) {
                        if matches!(inode.content, Content::Dir(_)) {
                            // An existing directory keeps its children (layers merge).
                            inode.mode = entry.mode;
                            inode.layer = layer;
                            return Ok(());
                        }
                    }
                }
                Content::Dir(BTreeMap::new())
            }
            EntryKind::File(blob) => Content::File(blob.bytes().clone()),
            EntryKind::Symlink(target) => Content::Symlink(target),
            EntryKind::Other => Content::Other,
            EntryKind::HardLink(target) => {
                let inode = self.hard_link_target(&entry.name, &target)?;
                self.link(parent, last.clone(), inode);
                return Ok(());
            }
        };
        let inode = self.push(content, entry.mode, layer, parent);
        self.link(parent, last.clone(), inode);
        Ok(())
    }

    fn push(&mut self, content: Content, mode: u32, layer: usize, parent: usize) -> usize {
        self.inodes.push(Inode {
            content,
            mode,
            layer,
            parent,
        });
        self.inodes.len() - 1
    }

    fn children(&self, dir: usize) -> Option<&BTreeMap<Vec<u8>, usize>> {
        match &self.inodes.get(dir)?.content {
            Content::Dir(children) => Some(children),
            _ => None,
        }
    }

    fn children_mut(&mut self, dir: usize) -> Option<&mut BTreeMap<Vec<u8>, usize>> {
        match &mut self.inodes.get_mut(dir)?.content {
            Content::Dir(children) => Some(children),
            _ => None,
        }
    }

    fn child(&self, dir: usize, name: &[u8]) -> Option<usize> {
        self.children(dir)?.get(name).copied()
    }

    fn link(&mut self, dir: usize, name: Vec<u8>, inode: usize) {
        if let Some(children) = self.children_mut(dir) {
            children.insert(name, inode);
        }
    }

    /// The directory at `dirs`, creating what is missing (archives often omit directory
    /// members) and following symlinks inside the tree, as extracting over the lower
    /// layers would. `None` when a non-directory (or a dangling or looping link) is in the way.
    fn make_dirs(&mut self, dirs: &[Vec<u8>], layer: usize) -> Option<usize> {
        let mut current = ROOT;
        for name in dirs {
            current = match self.child(current, name) {
                Some(found) => self.follow_to_dir(current, found)?,
                None => {
                    let dir = self.push(Content::Dir(BTreeMap::new()), 0o755, layer, current);
                    self.link(current, name.clone(), dir);
                    dir
                }
            };
        }
        Some(current)
    }

    /// `inode` (an entry of directory `parent`) if it is a directory, or the directory a
    /// symlink there leads to, resolved inside the tree.
    fn follow_to_dir(&self, parent: usize, inode: usize) -> Option<usize> {
        match &self.inodes.get(inode)?.content {
            Content::Dir(_) => Some(inode),
            Content::Symlink(target) => {
                let mut budget = MAX_LINKS;
                let found = self.resolve(parent, target, &mut budget)?;
                self.children(found).map(|_| found)
            }
            _ => None,
        }
    }

    /// Resolve `path` from directory `cwd` inside the tree, following every symlink;
    /// `..` stops at the root, absolute targets restart from it. `None` when missing, not a
    /// directory on the way, or more than [`MAX_LINKS`] symlinks.
    fn resolve(&self, cwd: usize, path: &[u8], budget: &mut usize) -> Option<usize> {
        let mut current = if path.starts_with(b"/") { ROOT } else { cwd };
        for part in path.split(|&b| b == b'/') {
            match part {
                b"" | b"." => continue,
                b".." => {
                    current = self.inodes.get(current)?.parent;
                    continue;
                }
                _ => {}
            }
            let found = self.child(current, part)?;
            current = match &self.inodes.get(found)?.content {
                Content::Symlink(target) => {
                    *budget = budget.checked_sub(1)?;
                    self.resolve(current, target, budget)?
                }
                _ => found,
            };
        }
        Some(current)
    }

    /// The inode a hard link member names: the target as a member name from the root,
    /// intermediate symlinks followed, the last component not (link(2) semantics).
    fn hard_link_target(&self, name: &str, target: &[u8]) -> Result<usize, ArchiveError> {
        let missing = || ArchiveError::HardLinkMissing {
            name: name.to_owned(),
            target: String::from_utf8_lossy(target).into_owned(),
        };
        let parts = super::tar::split_member_name(target)
            .ok_or_else(|| ArchiveError::Traversal(String::from_utf8_lossy(target).into_owned()))?;
        let (last, dirs) = parts.split_last().ok_or_else(missing)?;
        let mut dir = ROOT;
        for part in dirs {
            let found = self.child(dir, part).ok_or_else(missing)?;
            dir = self.follow_to_dir(dir, found).ok_or_else(missing)?;
        }
        let inode = self.child(dir, last).ok_or_else(missing)?;
        if self.children(inode).is_some() {
            return Err(ArchiveError::HardLinkToDirectory {
                name: name.to_owned(),
                target: String::from_utf8_lossy(target).into_owned(),
            });
        }
        Ok(inode)
    }

    /// `.wh.NAME`: NAME disappears unless its own layer wrote it.
    fn remove_lower(&mut self, dir: usize, name: &[u8], layer: usize) {
        let Some(found) = self.child(dir, name) else {
            return;
        };
        if self.inodes.get(found).is_some_and(|i| i.layer < layer) {
            if let Some(children) = self.children_mut(dir) {
                children.remove(name);
            }
        }
    }

    /// `.wh..wh..opq`: everything lower layers put under `dir` disappears; what this layer
    /// wrote stays (including re-declared directories, whose lower contents still go).
    fn hide_lower(&mut self, dir: usize, layer: usize) {
        let mut pending = vec![dir];
        let mut visited = 0usize;
        while let Some(dir) = pending.pop() {
            visited += 1;
            if visited > self.inodes.len() {
                break; // hard-linked directories cannot exist, but never loop
            }
            let Some(children) = self.children(dir) else {
                continue;
            };
            let mut doomed = Vec::new();
            for (name, &child) in children {
                match self.inodes.get(child) {
                    Some(inode) if inode.layer < layer => doomed.push(name.clone()),
                    Some(Inode {
                        content: Content::Dir(_),
                        ..
                    }) => pending.push(child),
                    _ => {}
                }
            }
            if let Some(children) = self.children_mut(dir) {
                for name in doomed {
                    children.remove(&name);
                }
            }
        }
    }

    /// Number of inodes (for logs).
    pub fn inode_count(&self) -> usize {
        self.inodes.len()
    }

    /// The inode at plain `components` (the [`Backend`] contract: no symlinks on the way).
    fn lookup(&self, components: &[&[u8]]) -> Result<usize, FsError> {
        let mut current = ROOT;
        for &name in components {
            let children = self.children(current).ok_or(FsError::NotADirectory)?;
            current = *children.get(name).ok_or(FsError::NotFound)?;
        }
        Ok(current)
    }
}

/// A [`Tree`] as a target root backend; cheap to clone (the tree is shared).
#[derive(Debug, Clone)]
pub struct TreeBackend(pub Arc<Tree>);

impl Backend for TreeBackend {
    fn lstat(&self, components: &[&[u8]]) -> Result<Node, FsError> {
        let tree = &self.0;
        let index = tree.lookup(components)?;
        let inode = tree.inodes.get(index).ok_or(FsError::NotFound)?;
        let id = FileId {
            dev: tree.device,
            ino: index as u64 + 1,
        };
        let mode = inode.mode;
        Ok(match &inode.content {
            Content::Dir(_) => Node::Dir { id, mode },
            Content::File(bytes) => Node::File {
                id,
                mode,
                size: bytes.len() as u64,
            },
            Content::Symlink(target) => Node::Symlink {
                target: target.clone(),
            },
            Content::Other => Node::Other { id, mode },
        })
    }

    fn read(&self, components: &[&[u8]]) -> Result<FileBytes, FsError> {
        let tree = &self.0;
        let index = tree.lookup(components)?;
        match &tree.inodes.get(index).ok_or(FsError::NotFound)?.content {
            Content::File(bytes) => Ok(bytes.clone()),
            Content::Dir(_) => Err(FsError::IsADirectory),
            // The walk follows symlinks before reading; devices are never read.
            Content::Symlink(_) => Err(FsError::Loop),
            Content::Other => Err(FsError::PermissionDenied),
        }
    }

    fn list(&self, components: &[&[u8]]) -> Result<Vec<Vec<u8>>, FsError> {
        let tree = &self.0;
        let index = tree.lookup(components)?;
        let children = tree.children(index).ok_or(FsError::NotADirectory)?;
        Ok(children.keys().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Sysroot, TargetPath};

    fn entry(name: &str, kind: EntryKind) -> Entry {
        Entry {
            path: super::super::tar::split_member_name(name.as_bytes()).unwrap(),
            name: name.to_owned(),
            mode: 0o755,
            kind,
        }
    }

    fn file(name: &str, data: &str) -> Entry {
        entry(
            name,
            EntryKind::File(super::super::blob::Blob::in_memory(
                data.as_bytes().to_vec(),
            )),
        )
    }

    fn root(tree: Tree) -> Sysroot {
        Sysroot::from_backend(Box::new(TreeBackend(Arc::new(tree))), "test".to_owned())
    }

    fn read(root: &Sysroot, path: &str) -> Result<String, FsError> {
        root.read(path.as_bytes(), &TargetPath::root())
            .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
    }

    fn layered(layers: Vec<Vec<Entry>>) -> Sysroot {
        let mut tree = Tree::new();
        for (i, layer) in layers.into_iter().enumerate() {
            tree.apply(layer, i + 1, Whiteouts::Honour).unwrap();
        }
        root(tree)
    }

    #[test]
    fn a_whiteout_hides_a_lower_file_only() {
        let root = layered(vec![
            vec![file("lib/a.so", "A"), file("lib/b.so", "B")],
            vec![
                file("lib/.wh.a.so", ""),
                file("lib/c.so", "C"),
                file("lib/.wh.c.so", ""),
            ],
        ]);
        assert!(matches!(read(&root, "/lib/a.so"), Err(FsError::NotFound)));
        assert_eq!(read(&root, "/lib/b.so").unwrap(), "B");
        // A whiteout never hides what its own layer adds.
        assert_eq!(read(&root, "/lib/c.so").unwrap(), "C");
        assert_eq!(
            root.read_dir(b"/lib", &TargetPath::root()).unwrap(),
            vec![b"b.so".to_vec(), b"c.so".to_vec()]
        );
    }

    #[test]
    fn an_opaque_directory_hides_everything_lower_below_it() {
        let root = layered(vec![
            vec![
                file("usr/lib/a.so", "A"),
                file("usr/lib/sub/b.so", "B"),
                file("usr/bin/x", "X"),
            ],
            vec![
                entry("usr/lib/sub", EntryKind::Dir),
                file("usr/lib/new.so", "N"),
                file("usr/lib/.wh..wh..opq", ""),
            ],
        ]);
        assert!(matches!(
            read(&root, "/usr/lib/a.so"),
            Err(FsError::NotFound)
        ));
        assert!(matches!(
            read(&root, "/usr/lib/sub/b.so"),
            Err(FsError::NotFound)
        ));
        assert_eq!(read(&root, "/usr/lib/new.so").unwrap(), "N");
        assert_eq!(read(&root, "/usr/bin/x").unwrap(), "X");
    }

    #[test]
    fn whiteout_names_are_literal_in_a_root_tarball() {
        let mut tree = Tree::new();
        tree.apply(
            vec![file("a", "A"), file(".wh.a", "")],
            0,
            Whiteouts::Literal,
        )
        .unwrap();
        let root = root(tree);
        assert_eq!(read(&root, "/a").unwrap(), "A");
        assert_eq!(read(&root, "/.wh.a").unwrap(), "");
    }

    #[test]
    fn hard_links_share_one_file_identity() {
        let mut tree = Tree::new();
        tree.apply(
            vec![
                file("usr/lib/libz.so.1.3", "Z"),
                entry(
                    "lib2/libz.so.1",
                    EntryKind::HardLink(b"./usr/lib/libz.so.1.3".to_vec()),
                ),
            ],
            0,
            Whiteouts::Literal,
        )
        .unwrap();
        let root = root(tree);
        let a = root
            .resolve(b"/usr/lib/libz.so.1.3", &TargetPath::root())
            .unwrap();
        let b = root
            .resolve(b"/lib2/libz.so.1", &TargetPath::root())
            .unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(read(&root, "/lib2/libz.so.1").unwrap(), "Z");
    }

    #[test]
    fn hard_links_to_missing_names_or_directories_are_errors() {
        let mut tree = Tree::new();
        let err = tree
            .apply(
                vec![entry("a", EntryKind::HardLink(b"nowhere".to_vec()))],
                0,
                Whiteouts::Literal,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "hard link 'a' points to 'nowhere', which is not in the archive"
        );
        let err = tree
            .apply(
                vec![
                    entry("d", EntryKind::Dir),
                    entry("b", EntryKind::HardLink(b"d".to_vec())),
                ],
                0,
                Whiteouts::Literal,
            )
            .unwrap_err();
        assert!(
            matches!(err, ArchiveError::HardLinkToDirectory { .. }),
            "{err}"
        );
    }

    #[test]
    fn members_below_a_symlinked_directory_land_in_its_target() {
        // Debian's merged /usr: `lib -> usr/lib`; an upper layer writing lib/x.so.
        let root = layered(vec![
            vec![
                entry("usr/lib", EntryKind::Dir),
                entry("lib", EntryKind::Symlink(b"usr/lib".to_vec())),
            ],
            vec![file("lib/x.so", "X")],
        ]);
        assert_eq!(read(&root, "/usr/lib/x.so").unwrap(), "X");
        let node = root.lstat(b"/lib", &TargetPath::root()).unwrap();
        assert!(matches!(node, Node::Symlink { .. }));
    }

    #[test]
    fn escaping_symlinks_and_loops_stay_inside() {
        let mut tree = Tree::new();
        tree.apply(
            vec![
                file("etc/passwd", "inside"),
                entry("up", EntryKind::Symlink(b"../../../../etc/passwd".to_vec())),
                entry("loop1", EntryKind::Symlink(b"loop2".to_vec())),
                entry("loop2", EntryKind::Symlink(b"/loop1".to_vec())),
                // Placing a member through a looping or escaping link never leaves the tree.
                file("loop1/x", "X"),
            ],
            0,
            Whiteouts::Literal,
        )
        .unwrap();
        let root = root(tree);
        assert_eq!(read(&root, "/up").unwrap(), "inside");
        assert!(matches!(read(&root, "/loop2"), Err(FsError::Loop)));
        // The member below the looping link could not be placed (GNU tar fails it too).
        assert!(matches!(read(&root, "/loop1/x"), Err(FsError::Loop)));
    }
}
