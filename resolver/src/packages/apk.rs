//! apk's database: `/lib/apk/db/installed` (`P:` package, `F:` directory, `R:` file in it).

use std::sync::Arc;

use ldsim_sysroots::{Sysroot, TargetPath};

use super::{PackageDb, PackageManager, MAX_DATABASE_BYTES};

const APK_INSTALLED: &[u8] = b"/lib/apk/db/installed";

pub(super) fn read(root: &Sysroot) -> Option<PackageDb> {
    let (resolved, bytes) = root.read(APK_INSTALLED, &TargetPath::root()).ok()?;
    if resolved.size > MAX_DATABASE_BYTES {
        return None;
    }
    let mut db = PackageDb::new(PackageManager::Apk);
    let mut package: Arc<str> = Arc::from("");
    let mut dir: Vec<u8> = Vec::new();
    for line in bytes.split(|&b| b == b'\n') {
        match line {
            [b'P', b':', name @ ..] => {
                package = String::from_utf8_lossy(name).into();
                dir.clear();
            }
            [b'F', b':', d @ ..] => dir = d.to_vec(),
            [b'R', b':', file @ ..] if !package.is_empty() => {
                let mut path = vec![b'/'];
                if !dir.is_empty() {
                    path.extend_from_slice(&dir);
                    path.push(b'/');
                }
                path.extend_from_slice(file);
                db.add(path, &package);
            }
            _ => {}
        }
    }
    Some(db)
}
