//! From FILE arguments to the list of files to check: directories are walked (recursively,
//! sorted, directory symlinks not followed, non-ELF files skipped silently; a named directory
//! holding no ELF file at all is an input error).

use foldhash::HashMap;
use ldsim_loader::arch::Arch;
use ldsim_resolver::ParsedFile;
use ldsim_sysroots::{FileId, FsError, Node, NodeKind, Sysroot, TargetPath};
use rayon::prelude::*;
use std::ffi::OsStr;
use std::fs::FileType;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
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
    /// Every host file read, by canonical path: each is memory-mapped and parsed once per
    /// run, and this view serves every target (architecture, mounts, the checker's parse).
    /// A file that could not be read has no entry (the checker reports it).
    pub files: HostFiles,
    /// Host files mounted but not checked themselves: a host `--loaded-by` program.
    pub programs: Vec<PathBuf>,
}

/// Host files by canonical path, sorted by its bytes: a canonical path has one spelling, and
/// `Path`'s own hash and order go component by component (hashing a thousand paths into maps
/// three times was a millisecond of the serial start of an audit).
#[derive(Debug, Default)]
pub struct HostFiles(Vec<(PathBuf, HostFile)>);

impl HostFiles {
    pub fn get(&self, path: &Path) -> Option<&HostFile> {
        self.position(path).ok().map(|i| &self.0[i].1)
    }

    fn position(&self, path: &Path) -> Result<usize, usize> {
        self.0
            .binary_search_by(|(known, _)| known.as_os_str().cmp(path.as_os_str()))
    }

    #[cfg(test)]
    fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.0.iter().map(|(path, _)| path)
    }

    fn insert(&mut self, path: PathBuf, file: HostFile) {
        if let Err(at) = self.position(&path) {
            self.0.insert(at, (path, file));
        }
    }
}

/// One host file as read once: its identity and what parsing it gave.
#[derive(Debug)]
pub struct HostFile {
    /// st_dev/st_ino of the file read: the checker adopts the parse only where the target
    /// path is this very file.
    pub id: FileId,
    /// Its architecture, from its ELF header (also when the rest does not parse).
    pub arch: Option<Arch>,
    /// The parse, when the file is a loadable ELF file.
    pub object: Option<ParsedFile>,
}

impl HostInputs {
    /// The ELF architecture of a host job's file, when it has one ldsim knows.
    pub fn arch_of(&self, job: &Job) -> Option<Arch> {
        match &job.kind {
            JobKind::Check {
                host: Some(host), ..
            } => self.files.get(host)?.arch,
            _ => None,
        }
    }

    /// Every host file to mount: the jobs' files and the host programs.
    pub fn host_paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.jobs
            .iter()
            .filter_map(|job| match &job.kind {
                JobKind::Check { host, .. } => host.as_ref(),
                JobKind::Error(_) => None,
            })
            .chain(&self.programs)
    }

    /// Add a host program (canonical path) that is mounted and read like a FILE, but not
    /// checked itself.
    pub fn add_program(&mut self, path: PathBuf) {
        if self.files.get(&path).is_none() {
            if let Ok(Read::Elf(file) | Read::Other(file)) = read_host(&path, false) {
                self.files.insert(path.clone(), file);
            }
        }
        self.programs.push(path);
    }
}

/// What FILE arguments name before any file is read.
enum Named {
    File {
        display: String,
        path: PathBuf,
        /// Known to be a regular file (no need to stat it again before opening it).
        regular: bool,
    },
    Error(Job),
    /// A named directory and what its walk found.
    Dir {
        display: String,
        canonical: PathBuf,
        found: Vec<Walked>,
    },
}

/// What a directory walk found before any file is read.
enum Walked {
    File { display: String, path: PathBuf },
    Error(Job),
}

/// What reading a host file gave.
enum Read {
    /// Starts with the ELF magic and is not a relocatable object or core dump.
    Elf(HostFile),
    /// Anything else (a walk skips it; a named FILE is still checked).
    Other(HostFile),
}

/// An ELF file a walk should check: the ELF magic, and not a relocatable object (`.o`,
/// `.a`-named objects) or a core dump, which are not loaded at run time (a named one is
/// still checked and reported as not loadable).
fn is_runtime_elf(bytes: &[u8]) -> bool {
    const ET_REL: u16 = 1;
    const ET_CORE: u16 = 4;
    if !bytes.starts_with(ELF_MAGIC) {
        return false;
    }
    // EI_DATA 2 is big-endian.
    let endian = if bytes.get(5) == Some(&2) {
        ldsim_loader::Endian::Big
    } else {
        ldsim_loader::Endian::Little
    };
    let Some(e_type) = endian.u16_at(bytes, 16) else {
        return true;
    };
    e_type != ET_REL && e_type != ET_CORE
}

/// Expand host FILEs. A host file is checked at its canonical absolute path: the main
/// program's `$ORIGIN` is the directory of `/proc/self/exe`, symlinks resolved (glibc
/// sysdeps/unix/sysv/linux/dl-origin.c: _dl_get_origin).
///
/// Names are gathered first (directories walked), then every file is read and parsed once,
/// in parallel; a walked file is kept only if it is ELF.
pub fn expand_host(files: &[PathBuf]) -> HostInputs {
    let mut named = Vec::new();
    let canonicals = canonicalize_all(files);
    for (file, canonical) in files.iter().zip(canonicals) {
        let display = file.to_string_lossy().into_owned();
        let (canonical, kind) = match canonical {
            Ok(found) => found,
            Err(err) => {
                named.push(Named::Error(error_job(display, &err)));
                continue;
            }
        };
        if kind.is_some_and(|k| k.is_dir()) {
            let mut found = Vec::new();
            walk_host(file, &canonical, 0, &mut found);
            named.push(Named::Dir {
                display,
                canonical,
                found,
            });
        } else {
            named.push(Named::File {
                display,
                path: canonical,
                regular: kind.is_some_and(|k| k.is_file()),
            });
        }
    }

    // Each path with whether it is known to be a regular file (a walk only keeps those).
    let mut paths: Vec<(PathBuf, bool)> = Vec::new();
    for n in &named {
        match n {
            Named::File { path, regular, .. } => paths.push((path.clone(), *regular)),
            Named::Dir { found, .. } => paths.extend(found.iter().filter_map(|w| match w {
                Walked::File { path, .. } => Some((path.clone(), true)),
                Walked::Error(_) => None,
            })),
            Named::Error(_) => {}
        }
    }
    // By bytes: Path's own order compares component by component, a tenth of the serial
    // time of a thousand-file audit.
    paths.sort_unstable_by(|(a, _), (b, _)| a.as_os_str().cmp(b.as_os_str()));
    paths.dedup_by(|(a, _), (b, _)| a.as_os_str() == b.as_os_str());
    // Beside `paths`, in the same order.
    let read: Vec<std::io::Result<Read>> = paths
        .par_iter()
        .map(|(path, regular)| read_host(path, *regular))
        .collect();
    let index_of = |path: &Path| {
        paths
            .binary_search_by(|(known, _)| known.as_os_str().cmp(path.as_os_str()))
            .ok()
    };

    let mut inputs = HostInputs::default();
    for n in named {
        match n {
            Named::Error(job) => inputs.jobs.push(job),
            // A named file is checked even if not ELF (the checker says what it is).
            Named::File { display, path, .. } => inputs.jobs.push(host_job(display, path)),
            Named::Dir {
                display,
                canonical,
                found,
            } => {
                let before = inputs.jobs.len();
                for walked in found {
                    match walked {
                        Walked::Error(job) => inputs.jobs.push(job),
                        Walked::File { display, path } => match index_of(&path).map(|i| &read[i]) {
                            Some(Ok(Read::Elf(_))) => inputs.jobs.push(host_job(display, path)),
                            Some(Ok(Read::Other(_))) | None => {}
                            Some(Err(err)) => inputs.jobs.push(error_job(display, err)),
                        },
                    }
                }
                if inputs.jobs.len() == before {
                    inputs.jobs.push(error_job(display, &NO_ELF_IN_DIRECTORY));
                }
                inputs.dirs.push(canonical);
            }
        }
    }
    // The views of the files to check (a file named twice is read once).
    let mut checked = vec![false; paths.len()];
    for i in inputs.host_paths().filter_map(|path| index_of(path)) {
        checked[i] = true;
    }
    let files = paths
        .into_iter()
        .zip(read)
        .zip(checked)
        .filter(|(_, checked)| *checked)
        .filter_map(|(((path, _), read), _)| match read {
            Ok(Read::Elf(file) | Read::Other(file)) => Some((path, file)),
            Err(_) => None,
        })
        .collect();
    // `paths` is sorted by bytes: so is this.
    inputs.files = HostFiles(files);
    inputs
}

/// `canonicalize` of every name, side by side, with each directory resolved once: an audit
/// names a thousand files in a few dozen directories, and realpath reads every component of
/// every one of them.
/// Each with its file type (`None` when it could not be read).
fn canonicalize_all(files: &[PathBuf]) -> Vec<std::io::Result<(PathBuf, Option<FileType>)>> {
    let mut parents: Vec<&Path> = files.iter().filter_map(|f| plain_parent(f)).collect();
    parents.sort();
    parents.dedup();
    let dirs: HashMap<&Path, std::io::Result<PathBuf>> = parents
        .par_iter()
        .map(|&dir| (dir, std::fs::canonicalize(dir)))
        .collect();
    let slow = |file: &Path| {
        let path = std::fs::canonicalize(file)?;
        let kind = std::fs::metadata(&path).ok().map(|m| m.file_type());
        Ok((path, kind))
    };
    files
        .par_iter()
        .map(|file| {
            let resolved_dir = plain_parent(file).and_then(|dir| dirs.get(dir)?.as_ref().ok());
            match (resolved_dir, file.file_name()) {
                (Some(dir), Some(name)) => {
                    let joined = dir.join(name);
                    // A symlink (or anything odd) as the last component: the slow way.
                    match std::fs::symlink_metadata(&joined) {
                        Ok(meta) if !meta.file_type().is_symlink() => {
                            Ok((joined, Some(meta.file_type())))
                        }
                        _ => slow(file),
                    }
                }
                _ => slow(file),
            }
        })
        .collect()
}

/// The directory of `path` when its last component is a plain name ("a/b", not "a/..",
/// "a/.", "b" or "/").
fn plain_parent(path: &Path) -> Option<&Path> {
    let parent = path.parent()?;
    let name = path.file_name()?;
    (!parent.as_os_str().is_empty() && name != ".." && name != ".").then_some(parent)
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
fn walk_host(shown: &Path, real: &Path, depth: usize, found: &mut Vec<Walked>) {
    let display = || shown.to_string_lossy().into_owned();
    let error = |found: &mut Vec<Walked>, err: &dyn std::fmt::Display| {
        found.push(Walked::Error(error_job(display(), err)));
    };
    if depth > MAX_DEPTH {
        return error(found, &"directories nested too deeply");
    }
    let entries = match std::fs::read_dir(real) {
        Ok(entries) => entries,
        Err(err) => return error(found, &err),
    };
    let mut names = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => names.push(entry.file_name()),
            Err(err) => return error(found, &err),
        }
    }
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for name in names {
        let (shown, real) = (shown.join(&name), real.join(&name));
        let shown_display = || shown.to_string_lossy().into_owned();
        let meta = match std::fs::symlink_metadata(&real) {
            Ok(meta) => meta,
            Err(err) => {
                found.push(Walked::Error(error_job(shown_display(), &err)));
                continue;
            }
        };
        let kind = meta.file_type();
        if kind.is_dir() {
            walk_host(&shown, &real, depth + 1, found);
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
        found.push(Walked::File {
            display: shown_display(),
            path: target,
        });
    }
}

/// Read a host file once: its ELF magic checked, parsed if it has it. Only a regular file is
/// opened (a fifo would block; the checker reports what anything else is).
/// `regular`: the caller's own stat of it said it is a regular file.
fn read_host(path: &Path, regular: bool) -> std::io::Result<Read> {
    if !regular && !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let id = FileId {
        dev: meta.dev(),
        ino: meta.ino(),
    };
    let len = meta.len();
    let (elf, parsed, header) = if len >= MAP_FROM {
        let bytes = map(&file, len)?;
        let elf = is_runtime_elf(&bytes);
        let parsed = elf.then(|| ldsim_loader::parse(&bytes));
        (elf, parsed, ldsim_loader::parse_header(&bytes).ok())
    } else {
        // Small files are read, not mapped: only the parts the parse needs, and no unmapping
        // (each munmap of a thread pool's process interrupts every other core).
        let file = ldsim_sysroots::OpenFile::host(file, len);
        let head = file.read_at(0, FIRST_READ.min(len)).map_err(io_error)?;
        let elf = is_runtime_elf(&head);
        let parsed = if elf {
            let (parsed, _) = ldsim_loader::parse_in_parts(len, FIRST_READ, |offset, len| {
                file.read_at(offset, len)
            })
            .map_err(io_error)?;
            Some(parsed)
        } else {
            None
        };
        (elf, parsed, ldsim_loader::parse_header(&head).ok())
    };
    if !elf {
        return Ok(Read::Other(HostFile {
            id,
            arch: None,
            object: None,
        }));
    }
    // Parsed once, with its export index, for every target that serves this file.
    let object = parsed.and_then(Result::ok).map(ParsedFile::new);
    let arch = match &object {
        Some(object) => ldsim_loader::arch::arch_of(&object.object().header),
        None => header.and_then(|header| ldsim_loader::arch::arch_of(&header)),
    };
    Ok(Read::Elf(HostFile { id, arch, object }))
}

/// A read error as the I/O error it came from.
fn io_error(err: ldsim_sysroots::FsError) -> std::io::Error {
    match err {
        ldsim_sysroots::FsError::Io(io) => io,
        other => std::io::Error::other(other.to_string()),
    }
}

/// Files from this size on are mapped: their tables are a small part of them, and the pages
/// the parse touches are all it costs.
const MAP_FROM: u64 = 256 * 1024;

/// The first read of a smaller file: the headers and, in the usual layout, the tables.
const FIRST_READ: u64 = 16 * 1024;

/// The bytes of an open file, memory-mapped (an empty file cannot be mapped).
// Mapping a file is unsafe because another process could truncate it while mapped (SIGBUS).
// The inputs are files nobody modifies during an analysis, and the map lives only while the
// file is parsed (the parse owns its data); every mmap-based ELF tool assumes the same.
#[allow(unsafe_code)]
fn map(file: &std::fs::File, len: u64) -> std::io::Result<Bytes> {
    if len == 0 {
        return Ok(Bytes::Empty);
    }
    // SAFETY: see above; the map is read-only and private.
    unsafe { memmap2::Mmap::map(file) }.map(Bytes::Mapped)
}

enum Bytes {
    Empty,
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Empty => &[],
            Bytes::Mapped(map) => map,
        }
    }
}

/// Expand FILEs that are paths inside the target root (relative ones relative to `/`).
pub fn expand_target(root: &Sysroot, files: &[PathBuf]) -> Vec<Job> {
    // Each FILE is resolved in the root on its own: side by side (thousands of them, for an
    // audit), then in the order given.
    files
        .par_iter()
        .map(|file| expand_one_target(root, file))
        .collect::<Vec<Vec<Job>>>()
        .into_iter()
        .flatten()
        .collect()
}

fn expand_one_target(root: &Sysroot, file: &Path) -> Vec<Job> {
    let mut jobs = Vec::new();
    let display = file.to_string_lossy().into_owned();
    let target = TargetPath::new(file.as_os_str().as_bytes());
    match root.resolve(target.as_bytes(), &TargetPath::root()) {
        Ok(resolved) if resolved.kind == NodeKind::Dir => {
            walk_target(root, &target, file, 0, &mut jobs);
            if jobs.is_empty() {
                jobs.push(error_job(display, &NO_ELF_IN_DIRECTORY));
            }
        }
        // Anything else, errors included, goes to the checker, which reports it.
        _ => jobs.push(Job {
            display,
            kind: JobKind::Check { target, host: None },
        }),
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
    Ok(is_runtime_elf(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const ELF: &[u8] = b"\x7fELF\x02\x01\x01";

    /// Resolving directories once gives realpath's answer for every shape of name: a plain
    /// file, a symlink as the last component, a symlinked and a `..` directory, a directory.
    #[test]
    fn canonicalize_all_agrees_with_realpath() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        fs::create_dir_all(base.join("real/sub")).unwrap();
        fs::write(base.join("real/file"), ELF).unwrap();
        std::os::unix::fs::symlink("file", base.join("real/link")).unwrap();
        std::os::unix::fs::symlink("real", base.join("alias")).unwrap();
        std::os::unix::fs::symlink("sub/../../real/link", base.join("real/climb")).unwrap();
        let names = [
            "real/file",
            "real/link",
            "alias/file",
            "alias/link",
            "real/sub/../file",
            "real/climb",
            "real/sub",
            "alias/sub/..",
            "real/missing",
        ];
        let paths: Vec<PathBuf> = names.iter().map(|n| base.join(n)).collect();
        for ((name, path), found) in names.iter().zip(&paths).zip(canonicalize_all(&paths)) {
            let real = fs::canonicalize(path).ok();
            let is_dir = real.as_ref().is_some_and(|r| r.is_dir());
            let found = found
                .ok()
                .map(|(path, kind)| (path, kind.is_some_and(|k| k.is_dir())));
            assert_eq!(found, real.map(|r| (r, is_dir)), "{name}");
        }
    }

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

    /// Each host file is read and parsed once, however often it is named or walked into, and
    /// its view carries what every target uses: identity, architecture, parse.
    #[test]
    fn each_host_file_has_one_parsed_view() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("d");
        fs::create_dir(&d).unwrap();
        fs::copy("/usr/bin/true", d.join("prog")).unwrap();
        fs::write(d.join("notes.txt"), "text").unwrap();
        fs::write(tmp.path().join("named.txt"), "text").unwrap();
        let prog = d.join("prog");
        let inputs = expand_host(&[prog.clone(), d.clone(), tmp.path().join("named.txt")]);
        assert_eq!(inputs.jobs.len(), 3, "{:?}", inputs.jobs);
        let canonical = fs::canonicalize(&prog).unwrap();
        let named = fs::canonicalize(tmp.path().join("named.txt")).unwrap();
        let mut viewed: Vec<&PathBuf> = inputs.files.paths().collect();
        viewed.sort();
        let mut expected = [&canonical, &named];
        expected.sort();
        assert_eq!(
            viewed, expected,
            "one view per file checked; a walked non-ELF file has none"
        );
        let view = inputs.files.get(&canonical).unwrap();
        let meta = fs::metadata(&canonical).unwrap();
        assert_eq!((view.id.dev, view.id.ino), (meta.dev(), meta.ino()));
        let object = view.object.as_ref().expect("parsed").object();
        assert_eq!(view.arch, ldsim_loader::arch::arch_of(&object.header));
        assert!(view.arch.is_some());
        assert_eq!(inputs.arch_of(&inputs.jobs[0]), view.arch);
        // Named but not ELF: still a job (the checker reports it), no parse, no architecture.
        let text = inputs.files.get(&named).unwrap();
        assert!(text.object.is_none() && text.arch.is_none());
    }

    #[test]
    fn a_directory_without_elf_files_is_an_input_error() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("d/empty-sub")).unwrap();
        fs::write(tmp.path().join("d/readme.txt"), "text").unwrap();
        assert_eq!(walk(tmp.path(), "d"), ["/d: no ELF file in this directory"]);
    }

    #[test]
    fn a_walk_skips_relocatable_objects_and_core_dumps() {
        let header = |e_type: u8, big: bool| {
            let mut h = b"\x7fELF\x02\x01\x01".to_vec();
            h[5] = if big { 2 } else { 1 };
            h.resize(18, 0);
            if big {
                h[17] = e_type;
            } else {
                h[16] = e_type;
            }
            h
        };
        assert!(!is_runtime_elf(&header(1, false)), "ET_REL");
        assert!(!is_runtime_elf(&header(4, true)), "ET_CORE, big-endian");
        assert!(is_runtime_elf(&header(2, false)), "ET_EXEC");
        assert!(is_runtime_elf(&header(3, true)), "ET_DYN, big-endian");
        assert!(
            is_runtime_elf(ELF),
            "too short to tell: checked, the checker says why"
        );
        assert!(!is_runtime_elf(b"#!/bin/sh\n"));
    }
}
