//! dpkg's database: `/var/lib/dpkg/info/*.list`, one installed path per line.

use std::sync::Arc;

use ldsim_sysroots::{Sysroot, TargetPath};

use super::{PackageDb, PackageManager, MAX_DATABASE_BYTES, MAX_LIST_FILES};

const DPKG_INFO: &[u8] = b"/var/lib/dpkg/info";

pub(super) fn read(root: &Sysroot) -> Option<PackageDb> {
    let entries = root.read_dir(DPKG_INFO, &TargetPath::root()).ok()?;
    let mut db = PackageDb::new(PackageManager::Dpkg);
    let mut budget = MAX_DATABASE_BYTES;
    for entry in entries.iter().take(MAX_LIST_FILES) {
        let Some(stem) = entry.strip_suffix(b".list") else {
            continue;
        };
        // `libc6:amd64.list`: the package is `libc6`, as `dpkg -S` names it with its arch.
        let package: Arc<str> = String::from_utf8_lossy(stem).into();
        let mut path = DPKG_INFO.to_vec();
        path.push(b'/');
        path.extend_from_slice(entry);
        let Ok((resolved, bytes)) = root.read(&path, &TargetPath::root()) else {
            continue;
        };
        let Some(left) = budget.checked_sub(resolved.size) else {
            break;
        };
        budget = left;
        for line in bytes.split(|&b| b == b'\n') {
            // Directories are listed too; only files can be loaded, and a listed directory
            // costs nothing but its entry.
            if line.starts_with(b"/") && line.len() > 1 {
                db.add(line.to_vec(), &package);
            }
        }
    }
    Some(db)
}
