//! A root described in memory rather than read from disk: what a built-in target is made of.
//! It is the same [`Tree`] an archive becomes, so it is walked with the same chroot rules.

use std::sync::Arc;

use super::blob::Blob;
use super::tar::{split_member_name, Entry, EntryKind};
use super::tree::{Tree, TreeBackend, Whiteouts};
use crate::Sysroot;

/// Files and symlinks to place, in order; parent directories are created as needed.
#[derive(Debug, Default)]
pub struct VirtualRoot {
    entries: Vec<Entry>,
}

impl VirtualRoot {
    pub fn new() -> Self {
        VirtualRoot::default()
    }

    /// A regular file (mode 0755). A path with `..` is ignored: nothing lands outside the root.
    pub fn file(&mut self, path: &str, bytes: Vec<u8>) -> &mut Self {
        self.push(path, EntryKind::File(Blob::in_memory(bytes)))
    }

    /// A symlink; `target` is resolved inside the root like any symlink.
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.push(path, EntryKind::Symlink(target.as_bytes().to_vec()))
    }

    /// A directory (for search paths that exist but hold nothing).
    pub fn dir(&mut self, path: &str) -> &mut Self {
        self.push(path, EntryKind::Dir)
    }

    fn push(&mut self, path: &str, kind: EntryKind) -> &mut Self {
        if let Some(components) = split_member_name(path.as_bytes()) {
            self.entries.push(Entry {
                path: components,
                name: path.to_owned(),
                mode: 0o755,
                kind,
            });
        }
        self
    }

    /// The root, named `description` in logs.
    pub fn into_sysroot(self, description: String) -> Sysroot {
        let mut tree = Tree::new();
        // Only hard links can fail to apply, and a virtual root has none.
        if let Err(err) = tree.apply(self.entries, 0, Whiteouts::Literal) {
            tracing::warn!(%err, "virtual root entry skipped");
        }
        Sysroot::from_backend(Box::new(TreeBackend(Arc::new(tree))), description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NodeKind, TargetPath};

    #[test]
    fn files_and_symlinks_resolve_inside_the_root() {
        let mut v = VirtualRoot::new();
        v.file("/lib/x86_64-linux-gnu/libc.so.6", b"libc".to_vec())
            .symlink(
                "/lib64/ld-linux-x86-64.so.2",
                "../lib/x86_64-linux-gnu/ld.so",
            )
            .file("/lib/x86_64-linux-gnu/ld.so", Vec::new())
            .symlink("/escape", "/../../etc/passwd")
            .file("/../outside", Vec::new());
        let root = v.into_sysroot("virtual".into());
        let (resolved, bytes) = root
            .read(b"/lib/x86_64-linux-gnu/libc.so.6", &TargetPath::root())
            .unwrap();
        assert_eq!(&bytes[..], b"libc");
        assert_eq!(resolved.kind, NodeKind::File);
        let interp = root
            .resolve(b"/lib64/ld-linux-x86-64.so.2", &TargetPath::root())
            .unwrap();
        assert_eq!(interp.path.display(), "/lib/x86_64-linux-gnu/ld.so");
        assert!(root.resolve(b"/escape", &TargetPath::root()).is_err());
        assert!(root.resolve(b"/outside", &TargetPath::root()).is_err());
    }
}
