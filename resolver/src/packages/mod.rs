//! Which installed package owns a file of the root, from the root's own package database:
//! dpkg (`dpkg.rs`), apk (`apk.rs`) or rpm's sqlite database (`rpm.rs`; rpm's older Berkeley
//! DB format is not read).
//!
//! A database lists the paths a package installed as the package spelt them (`/lib/…` on a
//! merged-/usr root whose files now live under `/usr/lib/…`), so an owner is found by file
//! name first and then confirmed by identity: the listed path and the asked one resolve in the
//! root to the same file.

use foldhash::HashMap;
use std::sync::{Arc, Mutex};

use ldsim_sysroots::{FileId, Node, Sysroot, TargetPath};

mod apk;
mod dpkg;
mod rpm;
mod rpm_header;

/// The package manager whose database a root has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Dpkg,
    Apk,
    Rpm,
}

/// Bytes of database read at most (every `.list` file together): a root's database is a few
/// MB; a hostile one stops being read there.
pub(super) const MAX_DATABASE_BYTES: u64 = 256 << 20;
/// `.list` files read at most.
pub(super) const MAX_LIST_FILES: usize = 200_000;

/// One path a package lists.
#[derive(Debug)]
struct Listed {
    path: Vec<u8>,
    package: Arc<str>,
}

/// A root's package database, indexed by file name.
#[derive(Debug)]
pub struct PackageDb {
    manager: PackageManager,
    /// File name → where packages list a file of that name.
    by_file_name: HashMap<Vec<u8>, Vec<Listed>>,
    /// Owners already worked out, by file identity.
    known: Mutex<HashMap<FileId, Option<Arc<str>>>>,
}

impl PackageDb {
    /// The root's package database, or None when it has none this reads.
    pub fn read(root: &Sysroot) -> Option<PackageDb> {
        dpkg::read(root)
            .or_else(|| apk::read(root))
            .or_else(|| rpm::read(root))
    }

    pub fn manager(&self) -> PackageManager {
        self.manager
    }

    /// The package that installed the file at `path` (any path reaching it in the root).
    pub fn owner(&self, root: &Sysroot, path: &[u8]) -> Option<Arc<str>> {
        let resolved = root.resolve(path, &TargetPath::root()).ok()?;
        let lock = || self.known.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = lock().get(&resolved.id) {
            return known.clone();
        }
        // The file's owner is the package listing the file itself (under any spelling of its
        // directories: /lib/… on a merged-/usr root); a package listing only a link to it (a
        // -dev package's `libfoo.so`) owns the link, not the file.
        let names = [file_name(resolved.path.as_bytes()), file_name(path)];
        let candidates = || {
            names
                .iter()
                .filter_map(|name| self.by_file_name.get(*name))
                .flatten()
        };
        let is_the_file = |listed: &[u8]| {
            matches!(root.lstat(listed, &TargetPath::root()),
                Ok(Node::File { id, .. }) if id == resolved.id)
        };
        let leads_to_it = |listed: &[u8]| {
            root.resolve(listed, &TargetPath::root())
                .is_ok_and(|r| r.id == resolved.id)
        };
        let owner = candidates()
            .find(|l| is_the_file(&l.path))
            .or_else(|| candidates().find(|l| leads_to_it(&l.path)))
            .map(|l| l.package.clone());
        lock().insert(resolved.id, owner.clone());
        owner
    }

    pub(super) fn new(manager: PackageManager) -> PackageDb {
        PackageDb {
            manager,
            by_file_name: HashMap::default(),
            known: Mutex::new(HashMap::default()),
        }
    }

    pub(super) fn add(&mut self, path: Vec<u8>, package: &Arc<str>) {
        let name = file_name(&path).to_vec();
        self.by_file_name.entry(name).or_default().push(Listed {
            path,
            package: package.clone(),
        });
    }
}

fn file_name(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    /// apk's installed database as `apk` writes it (apk-tools: `P:` starts a package, `F:` a
    /// directory relative to the root, `R:` a file in the last `F:`), on a root with links.
    #[test]
    fn apk_database_names_the_owner_of_files_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["lib/apk/db", "usr/lib", "usr/bin"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(root.join("lib/ld-musl-x86_64.so.1"), b"musl").unwrap();
        symlink(
            "ld-musl-x86_64.so.1",
            root.join("lib/libc.musl-x86_64.so.1"),
        )
        .unwrap();
        fs::write(root.join("usr/lib/libz.so.1.3.1"), b"zlib").unwrap();
        symlink("libz.so.1.3.1", root.join("usr/lib/libz.so.1")).unwrap();
        fs::write(root.join("usr/lib/libunlisted.so.1"), b"?").unwrap();
        fs::write(
            root.join("lib/apk/db/installed"),
            "C:Q1abc=\nP:musl\nV:1.2.5-r1\nF:lib\nR:ld-musl-x86_64.so.1\nZ:Q1x=\n\
             R:libc.musl-x86_64.so.1\n\nC:Q1def=\nP:zlib\nV:1.3.1-r2\nF:usr\nF:usr/lib\n\
             R:libz.so.1\nR:libz.so.1.3.1\n\n",
        )
        .unwrap();
        let sysroot = Sysroot::from_dir(root).unwrap();
        let db = PackageDb::read(&sysroot).expect("an apk database");
        assert_eq!(db.manager(), PackageManager::Apk);
        let owner = |path: &str| db.owner(&sysroot, path.as_bytes()).map(|p| p.to_string());
        assert_eq!(owner("/lib/libc.musl-x86_64.so.1").as_deref(), Some("musl"));
        assert_eq!(owner("/lib/ld-musl-x86_64.so.1").as_deref(), Some("musl"));
        assert_eq!(owner("/usr/lib/libz.so.1").as_deref(), Some("zlib"));
        assert_eq!(owner("/usr/lib/libunlisted.so.1"), None);
        assert_eq!(owner("/usr/lib/absent.so"), None);
    }

    /// A root without a database this reads has no owners, rather than guessed ones.
    #[test]
    fn no_database_no_owners() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("usr/lib")).unwrap();
        let sysroot = Sysroot::from_dir(dir.path()).unwrap();
        assert!(PackageDb::read(&sysroot).is_none());
    }
}
