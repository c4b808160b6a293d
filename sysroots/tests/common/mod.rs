//! A one-string fixture language for host trees.
//!
//! One entry per line, parents created as needed:
//! `dir/` a directory, `path: text` a file holding `text`, `path -> target` a symlink.

#![allow(dead_code)] // each test binary uses a different part

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use ldsim_sysroots::{FsError, Sysroot, TargetPath};
use tempfile::TempDir;

/// Create the entries of `spec` below `dir`.
pub fn build(dir: &Path, spec: &str) {
    for line in spec.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some((path, target)) = line.split_once(" -> ") {
            let path = dir.join(path.trim());
            make_parent(&path);
            symlink(target.trim(), &path).unwrap();
        } else if let Some((path, text)) = line.split_once(':') {
            let path = dir.join(path.trim());
            make_parent(&path);
            fs::write(&path, text.trim()).unwrap();
        } else if let Some(path) = line.strip_suffix('/') {
            fs::create_dir_all(dir.join(path)).unwrap();
        } else {
            panic!("bad fixture line {line:?}");
        }
    }
}

fn make_parent(path: &Path) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
}

/// A temporary root built from `spec`, and the [`Sysroot`] on it.
pub fn root(spec: &str) -> (TempDir, Sysroot) {
    let dir = TempDir::new().unwrap();
    build(dir.path(), spec);
    let sysroot = Sysroot::from_dir(dir.path()).unwrap();
    (dir, sysroot)
}

/// Resolve `path` from `/` and render the outcome as `"/canonical/path"` or the error text.
pub fn resolve(sysroot: &Sysroot, path: &str) -> String {
    render(
        sysroot
            .resolve(path.as_bytes(), &TargetPath::root())
            .map(|r| r.path.display()),
    )
}

/// Read `path` from `/` and render the outcome as the file's text or the error text.
pub fn read(sysroot: &Sysroot, path: &str) -> String {
    render(
        sysroot
            .read(path.as_bytes(), &TargetPath::root())
            .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned()),
    )
}

/// List `path` and render the names joined by spaces, or the error text.
pub fn list(sysroot: &Sysroot, path: &str) -> String {
    render(
        sysroot
            .read_dir(path.as_bytes(), &TargetPath::root())
            .map(|names| {
                names
                    .iter()
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
    )
}

fn render(outcome: Result<String, FsError>) -> String {
    match outcome {
        Ok(text) => text,
        Err(e) => format!("error: {e}"),
    }
}
