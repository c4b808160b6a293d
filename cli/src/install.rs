//! Mounting host files into the target root so that each is checked as if installed at its own
//! absolute path, with the files beside it and its `$ORIGIN`-relative library directories.

use crate::inputs::{HostInputs, JobKind};
use ldsim_resolver::host_install_mounts;
use ldsim_sysroots::{FsError, Sysroot, TargetPath};
use rayon::prelude::*;
use std::path::PathBuf;

/// Mount what the host inputs need, leaving alone what `overlays` already provide.
///
/// A directory is mounted only where the target has nothing: hiding the target's own
/// `/usr/lib` behind the host's (say for `$ORIGIN/../lib` of a file in `/usr/bin`) would
/// leak the host into the answer. A file whose directory was not mounted is mounted alone.
pub fn mount(
    root: &mut Sysroot,
    inputs: &HostInputs,
    overlays: &[TargetPath],
) -> anyhow::Result<()> {
    let files: Vec<&PathBuf> = inputs
        .jobs
        .iter()
        .filter_map(|job| match &job.kind {
            JobKind::Check { host, .. } => host.as_ref(),
            JobKind::Error(_) => None,
        })
        .collect();
    let mut candidates: Vec<(TargetPath, PathBuf)> = files
        .par_iter()
        .flat_map_iter(|file| directory_candidates(file))
        .collect();
    candidates.extend(
        inputs
            .dirs
            .iter()
            .filter(|dir| dir.as_os_str() != "/")
            .map(|dir| (target_of(dir), dir.clone())),
    );
    candidates.sort();
    candidates.dedup();

    let mut mounted: Vec<TargetPath> = overlays.to_vec();
    for (target, host) in candidates {
        if covered(&target, &mounted) || !host.is_dir() {
            continue;
        }
        match root.resolve(target.as_bytes(), &TargetPath::root()) {
            Err(FsError::NotFound) => {}
            _ => {
                tracing::info!(
                    "not mounting {}: the target already has {target}",
                    host.display()
                );
                continue;
            }
        }
        tracing::info!("mounting host {} at {target}", host.display());
        root.mount(&target, &host)
            .map_err(|err| anyhow::anyhow!("cannot mount {} at {target}: {err}", host.display()))?;
        mounted.push(target);
    }
    for file in files {
        let target = target_of(file);
        if !covered(&target, &mounted) {
            tracing::info!("mounting host file {} at {target}", file.display());
            root.mount(&target, file).map_err(|err| {
                anyhow::anyhow!("cannot mount {} at {target}: {err}", file.display())
            })?;
            mounted.push(target);
        }
    }
    Ok(())
}

/// The directories `file` wants mounted; none when it cannot be parsed (the checker reports
/// that file's error itself).
fn directory_candidates(file: &PathBuf) -> Vec<(TargetPath, PathBuf)> {
    let Ok(bytes) = std::fs::read(file) else {
        return Vec::new();
    };
    match ldsim_loader::parse(&bytes) {
        Ok(object) => host_install_mounts(file, &object),
        Err(_) => Vec::new(),
    }
}

fn target_of(host: &std::path::Path) -> TargetPath {
    use std::os::unix::ffi::OsStrExt;
    TargetPath::new(host.as_os_str().as_bytes())
}

/// `path` is at or below one of `mounts`.
fn covered(path: &TargetPath, mounts: &[TargetPath]) -> bool {
    mounts
        .iter()
        .any(|m| is_within(path.as_bytes(), m.as_bytes()))
}

fn is_within(path: &[u8], dir: &[u8]) -> bool {
    dir == b"/"
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with(b"/"))
}

#[cfg(test)]
mod tests {
    use super::is_within;

    #[test]
    fn within() {
        assert!(is_within(b"/a/b", b"/a"));
        assert!(is_within(b"/a", b"/a"));
        assert!(is_within(b"/a", b"/"));
        assert!(!is_within(b"/ab", b"/a"));
        assert!(!is_within(b"/a", b"/a/b"));
    }
}
