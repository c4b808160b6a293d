//! From FILE arguments to the list of files to check: directories are walked (recursively,
//! sorted, directory symlinks not followed, non-ELF files skipped silently; a named directory
//! holding no ELF file at all is an input error).

use ldsim_sysroots::{FsError, Node, NodeKind, Sysroot, TargetPath};
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Deeper nesting than this is reported rather than walked (bind-mount cycles, hostile trees).
const MAX_DEPTH: usize = 256;

const ELF_MAGIC: &[u8; 4] = b"\x7fELF";

/// The input error of a named directory in which the walk found nothing to check.
pub const NO_ELF_IN_DIRECTORY: &str = "no ELF file in this directory";

/// One file to check, or why a named path could not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The path as the user wrote it (or as the walk reached it): the report's `file`.
    pub display: String,
    pub kind: JobKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    Check {
        /// The absolute path inside the target.
        target: TargetPath,
        /// For a host file: its canonical host path (it is checked as installed there).
        host: Option<PathBuf>,
    },
    /// An input error, reported as `ldsim: FILE: error`.
    Error(String),
}

/// What the host FILE arguments expand to.
#[derive(Debug, Default)]
pub struct HostInputs {
    pub jobs: Vec<Job>,
    /// Canonical host paths of the directories named on the command line.
    pub dirs: Vec<PathBuf>,
}

/// Expand host FILEs. A host file is checked at its canonical absolute path: the main
/// program's `$ORIGIN` is the directory of `/proc/self/exe`, symlinks resolved (glibc
/// sysdeps/unix/sysv/linux/dl-origin.c: _dl_get_origin).
pub fn expand_host(files: &[PathBuf]) -> HostInputs {
    let mut inputs = HostInputs::default();
    for file in files {
        let display = file.to_string_lossy().into_owned();
        let canonical = match std::fs::canonicalize(file) {
            Ok(path) => path,
            Err(err) => {
                inputs.jobs.push(error_job(display, &err));
                continue;
            }
        };
        if canonical.is_dir() {
            let before = inputs.jobs.len();
            walk_host(file, &canonical, 0, &mut inputs.jobs);
            if inputs.jobs.len() == before {
                inputs.jobs.push(error_job(display, &NO_ELF_IN_DIRECTORY));
            }
            inputs.dirs.push(canonical);
        } else {
            inputs.jobs.push(host_job(display, canonical));
        }
    }
    inputs
}

fn host_job(display: String, canonical: PathBuf) -> Job {
    Job {
        display,
        kind: JobKind::Check {
            target: TargetPath::new(canonical.as_os_str().as_bytes()),
            host: Some(canonical),
        },
    }
}

fn error_job(display: String, err: &dyn std::fmt::Display) -> Job {
    Job {
        display,
        kind: JobKind::Error(err.to_string()),
    }
}

/// `shown` is the path as displayed, `real` its canonical counterpart (their relative parts
/// below the named directory are the same: no symlink is followed on the way down).
fn walk_host(shown: &Path, real: &Path, depth: usize, jobs: &mut Vec<Job>) {
    let display = || shown.to_string_lossy().into_owned();
    if depth > MAX_DEPTH {
        jobs.push(error_job(display(), &"directories nested too deeply"));
        return;
    }
    let entries = match std::fs::read_dir(real) {
        Ok(entries) => entries,
        Err(err) => return jobs.push(error_job(display(), &err)),
    };
    let mut names = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => names.push(entry.file_name()),
            Err(err) => return jobs.push(error_job(display(), &err)),
        }
    }
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for name in names {
        let (shown, real) = (shown.join(&name), real.join(&name));
        let shown_display = || shown.to_string_lossy().into_owned();
        let meta = match std::fs::symlink_metadata(&real) {
            Ok(meta) => meta,
            Err(err) => {
                jobs.push(error_job(shown_display(), &err));
                continue;
            }
        };
        let kind = meta.file_type();
        if kind.is_dir() {
            walk_host(&shown, &real, depth + 1, jobs);
            continue;
        }
        // A symlink to a directory is not followed; one to a file is checked where the link
        // points, as exec would run it.
        let target = if kind.is_symlink() {
            match std::fs::canonicalize(&real) {
                Ok(target) if target.is_file() => target,
                _ => continue,
            }
        } else if kind.is_file() {
            real
        } else {
            continue;
        };
        match host_is_elf(&target) {
            Ok(true) => jobs.push(host_job(shown_display(), target)),
            Ok(false) => {}
            Err(err) => jobs.push(error_job(shown_display(), &err)),
        }
    }
}

fn host_is_elf(path: &Path) -> std::io::Result<bool> {
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(path)?;
    let mut filled = 0;
    // A short read is not the end of the file; stop only at EOF.
    while filled < magic.len() {
        match file.read(&mut magic[filled..])? {
            0 => return Ok(false),
            n => filled += n,
        }
    }
    Ok(&magic == ELF_MAGIC)
}

/// Expand FILEs that are paths inside the target root (relative ones relative to `/`).
pub fn expand_target(root: &Sysroot, files: &[PathBuf]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for file in files {
        let display = file.to_string_lossy().into_owned();
        let target = TargetPath::new(file.as_os_str().as_bytes());
        match root.resolve(target.as_bytes(), &TargetPath::root()) {
            Ok(resolved) if resolved.kind == NodeKind::Dir => {
                let before = jobs.len();
                walk_target(root, &target, file, 0, &mut jobs);
                if jobs.len() == before {
                    jobs.push(error_job(display, &NO_ELF_IN_DIRECTORY));
                }
            }
            // Anything else, errors included, goes to the checker, which reports it.
            _ => jobs.push(Job {
                display,
                kind: JobKind::Check { target, host: None },
            }),
        }
    }
    jobs
}

/// In-target FILEs as given, unexpanded: what a root that could not be opened is said to
/// have failed to check.
pub fn as_given(files: &[PathBuf]) -> Vec<Job> {
    files
        .iter()
        .map(|file| Job {
            display: file.to_string_lossy().into_owned(),
            kind: JobKind::Check {
                target: TargetPath::new(file.as_os_str().as_bytes()),
                host: None,
            },
        })
        .collect()
}

fn walk_target(root: &Sysroot, dir: &TargetPath, shown: &Path, depth: usize, jobs: &mut Vec<Job>) {
    let display = || shown.to_string_lossy().into_owned();
    if depth > MAX_DEPTH {
        jobs.push(error_job(display(), &"directories nested too deeply"));
        return;
    }
    let names = match root.read_dir(dir.as_bytes(), &TargetPath::root()) {
        Ok(names) => names,
        Err(err) => return jobs.push(error_job(display(), &err)),
    };
    for name in names {
        if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') {
            continue;
        }
        let path = dir.join(&name);
        let shown = shown.join(OsStr::from_bytes(&name));
        let shown_display = || shown.to_string_lossy().into_owned();
        let node = match root.lstat(path.as_bytes(), &TargetPath::root()) {
            Ok(node) => node,
            Err(err) => {
                jobs.push(error_job(shown_display(), &err));
                continue;
            }
        };
        let is_file = match node {
            Node::Dir { .. } => {
                walk_target(root, &path, &shown, depth + 1, jobs);
                continue;
            }
            Node::File { .. } => true,
            // Directory symlinks are not followed; file symlinks are checked.
            Node::Symlink { .. } => root
                .resolve(path.as_bytes(), &TargetPath::root())
                .is_ok_and(|r| r.kind == NodeKind::File),
            Node::Other { .. } => false,
        };
        if !is_file {
            continue;
        }
        match target_is_elf(root, &path) {
            Ok(true) => jobs.push(Job {
                display: shown_display(),
                kind: JobKind::Check {
                    target: path,
                    host: None,
                },
            }),
            Ok(false) => {}
            Err(err) => jobs.push(error_job(shown_display(), &err)),
        }
    }
}

fn target_is_elf(root: &Sysroot, path: &TargetPath) -> Result<bool, FsError> {
    let (_, bytes) = root.read(path.as_bytes(), &TargetPath::root())?;
    Ok(bytes.starts_with(ELF_MAGIC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const ELF: &[u8] = b"\x7fELF\x02\x01\x01";

    /// The walk as `display -> canonical host path` lines, relative to `base`.
    fn walk(base: &Path, arg: &str) -> Vec<String> {
        let canonical_base = fs::canonicalize(base).unwrap();
        let inputs = expand_host(&[base.join(arg)]);
        inputs
            .jobs
            .iter()
            .map(|job| {
                let shown = job
                    .display
                    .strip_prefix(&*base.to_string_lossy())
                    .unwrap_or(&job.display);
                match &job.kind {
                    JobKind::Check { host, target } => {
                        let host = host.as_ref().unwrap();
                        assert_eq!(target.as_bytes(), host.as_os_str().as_bytes());
                        let rel = host.strip_prefix(&canonical_base).unwrap();
                        format!("{shown} -> {}", rel.display())
                    }
                    JobKind::Error(e) => format!("{shown}: {e}"),
                }
            })
            .collect()
    }

    #[test]
    fn directory_walk_is_recursive_sorted_and_skips_non_elf() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("d");
        fs::create_dir_all(d.join("sub/deeper")).unwrap();
        fs::write(d.join("b"), ELF).unwrap();
        fs::write(d.join("a"), ELF).unwrap();
        fs::write(d.join("readme.txt"), "text").unwrap();
        fs::write(d.join("short"), b"\x7fE").unwrap();
        fs::write(d.join("sub/deeper/lib.so"), ELF).unwrap();
        fs::write(d.join("sub/c"), ELF).unwrap();
        assert_eq!(
            walk(tmp.path(), "d"),
            [
                "/d/a -> d/a",
                "/d/b -> d/b",
                "/d/sub/c -> d/sub/c",
                "/d/sub/deeper/lib.so -> d/sub/deeper/lib.so"
            ]
        );
    }

    #[test]
    fn directory_symlinks_are_not_followed_file_symlinks_are() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("d");
        fs::create_dir_all(d.join("real")).unwrap();
        fs::write(d.join("real/x"), ELF).unwrap();
        std::os::unix::fs::symlink("real", d.join("linkdir")).unwrap();
        std::os::unix::fs::symlink("real/x", d.join("linkfile")).unwrap();
        std::os::unix::fs::symlink("nowhere", d.join("dangling")).unwrap();
        assert_eq!(
            walk(tmp.path(), "d"),
            ["/d/linkfile -> d/real/x", "/d/real/x -> d/real/x"]
        );
    }

    #[test]
    fn a_named_file_is_checked_even_if_not_elf() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("t.txt"), "text").unwrap();
        assert_eq!(walk(tmp.path(), "t.txt"), ["/t.txt -> t.txt"]);
    }

    #[test]
    fn a_missing_file_is_an_input_error() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(
            walk(tmp.path(), "nope"),
            ["/nope: No such file or directory (os error 2)"]
        );
    }

    #[test]
    fn a_named_directory_is_remembered_for_mounting() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("d")).unwrap();
        fs::write(tmp.path().join("d/x"), ELF).unwrap();
        let inputs = expand_host(&[tmp.path().join("d/.")]);
        assert_eq!(inputs.jobs.len(), 1);
        assert_eq!(
            inputs.dirs,
            [fs::canonicalize(tmp.path().join("d")).unwrap()]
        );
    }

    #[test]
    fn a_directory_without_elf_files_is_an_input_error() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("d/empty-sub")).unwrap();
        fs::write(tmp.path().join("d/readme.txt"), "text").unwrap();
        assert_eq!(walk(tmp.path(), "d"), ["/d: no ELF file in this directory"]);
    }
}
