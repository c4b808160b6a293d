//! Mounting host files into the target root so that each is checked as if installed at its own
//! absolute path, with the files beside it and its `$ORIGIN`-relative library directories.

mod origin;

use crate::inputs::HostInputs;
use ldsim_sysroots::{FsError, Sysroot, TargetPath};
use origin::host_install_mounts;
use rayon::prelude::*;
use std::path::PathBuf;

/// Mount what the host inputs need (the files and the host programs), leaving alone what
/// `overlays` already provide. Nothing is read: the `$ORIGIN` directories come from the
/// inputs' parses.
///
/// A directory is mounted only where the target has nothing: hiding the target's own
/// `/usr/lib` behind the host's (say for `$ORIGIN/../lib` of a file in `/usr/bin`) would
/// leak the host into the answer. A file whose directory was not mounted is mounted alone.
pub fn mount(
    root: &mut Sysroot,
    inputs: &HostInputs,
    overlays: &[TargetPath],
) -> anyhow::Result<()> {
    let files: Vec<&PathBuf> = inputs.host_paths().collect();
    // A file that is not a loadable ELF file wants nothing (the checker reports its error).
    // Side by side: an audit names thousands of files.
    let mut candidates: Vec<(TargetPath, PathBuf)> = files
        .par_iter()
        .filter_map(|&file| {
            let object = inputs.files.get(file)?.object.as_ref()?.object();
            Some(host_install_mounts(file, object))
        })
        .flatten_iter()
        .collect();
    candidates.extend(
        inputs
            .dirs
            .iter()
            .filter(|dir| dir.as_os_str() != "/")
            .map(|dir| (target_of(dir), dir.clone())),
    );
    candidates.sort_unstable();
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

pub fn target_of(host: &std::path::Path) -> TargetPath {
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
