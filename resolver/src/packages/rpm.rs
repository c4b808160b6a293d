//! rpm's sqlite database (`rpmdb.sqlite`: RHEL 9, Fedora 33 and later, Amazon Linux 2023, and
//! rpm ≥ 4.16 elsewhere): the `Packages` table holds one header per installed package
//! (rpm lib/backend/sqlite.c). Read from the root's bytes into memory, never opened in place.
//!
//! Not read: the Berkeley DB `Packages` file of older releases (RHEL 7 and 8, CentOS, Amazon
//! Linux 2): no maintained Rust crate reads that format. The write-ahead log (`-wal`) of a
//! database left open is not applied: an image's database is checkpointed when rpm exits.

use std::sync::Arc;

use ldsim_sysroots::{Sysroot, TargetPath};
use rusqlite::{Connection, OpenFlags, MAIN_DB};

use super::rpm_header::Header;
use super::{PackageDb, PackageManager, MAX_DATABASE_BYTES};

/// Where rpm keeps the database: Fedora 36 and later moved it under /usr (`%_dbpath`), and
/// /var/lib/rpm stays a link to it.
const LOCATIONS: &[&[u8]] = &[
    b"/usr/lib/sysimage/rpm/rpmdb.sqlite",
    b"/var/lib/rpm/rpmdb.sqlite",
];

/// Byte offsets of the file format's write and read versions (sqlite's file format: 2 is
/// WAL mode, which an in-memory database cannot be opened in; 1 is the rollback journal).
const FORMAT_VERSIONS: std::ops::Range<usize> = 18..20;

pub(super) fn read(root: &Sysroot) -> Option<PackageDb> {
    let (resolved, bytes) = LOCATIONS
        .iter()
        .find_map(|path| root.read(path, &TargetPath::root()).ok())?;
    if resolved.size > MAX_DATABASE_BYTES {
        return None;
    }
    let mut image = bytes.to_vec();
    if let Some(versions) = image.get_mut(FORMAT_VERSIONS) {
        if versions == [2, 2] {
            versions.copy_from_slice(&[1, 1]);
        }
    }
    let mut conn = Connection::open_with_flags(
        ":memory:",
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    let len = image.len();
    conn.deserialize_read_exact(MAIN_DB, image.as_slice(), len, true)
        .ok()?;
    let mut db = PackageDb::new(PackageManager::Rpm);
    let mut statement = conn.prepare("SELECT blob FROM Packages").ok()?;
    let mut rows = statement.query([]).ok()?;
    while let Ok(Some(row)) = rows.next() {
        let Ok(blob) = row.get_ref(0).and_then(|v| Ok(v.as_blob()?)) else {
            continue;
        };
        let Some(files) = Header::parse(blob).and_then(|h| h.package_files()) else {
            continue;
        };
        let package: Arc<str> = String::from_utf8_lossy(&files.name).into();
        for path in files.paths {
            db.add(path, &package);
        }
    }
    Some(db)
}
