//! Opening and parsing target files once per run, shared across every file checked.

use foldhash::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use ldsim_loader::binding::LazyIndexes;
use ldsim_loader::{ElfError, ElfObject};
use ldsim_sysroots::{FileId, FsError, NodeKind, Resolved, Sysroot, TargetPath};

/// A parsed object with its lookup index.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub object: ElfObject,
    pub indexes: LazyIndexes,
    /// How much of the object's interface is known (less than all only for built-in targets).
    pub knowledge: Knowledge,
    /// How binding went in the first scopes this object was bound in (see [`Bound`]): the
    /// work of a library many programs load is done once per set of objects that define
    /// what it needs, not once per program.
    pub bindings: Bindings,
    /// Whether the file checked at this path is a plugin, worked out once.
    pub recognised: OnceLock<(Vec<u8>, Option<crate::plugin::Recognised>)>,
    /// The object's symbol references in glibc's binding order, gathered once for every
    /// scope it is bound in.
    pub references: OnceLock<Box<[ldsim_loader::binding::Reference]>>,
    /// The file's floor (built-in targets), computed once: it depends on the file alone.
    pub floor: OnceLock<Arc<ldsim_tables::floor::Floor>>,
    /// A Go program's embedded build information, read once (`None` inside: not a Go
    /// program, or none this reads).
    pub go: OnceLock<Option<Arc<ldsim_loader::go::GoBuildInfo>>>,
    /// A static program's glibc runtime, scanned once (`None` inside: no glibc in it).
    pub static_glibc: OnceLock<Option<Arc<ldsim_loader::static_glibc::StaticGlibc>>>,
    /// This parse's identity, never reused in a process (a parse can outlive one target's
    /// store and serve another, and an address can be reused once freed).
    pub serial: u64,
}

static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

/// A file parsed once by the caller (the CLI reads host files once) and shared, with its
/// export index, by every target that serves that very file.
#[derive(Debug, Clone)]
pub struct ParsedFile(Arc<Parsed>);

impl ParsedFile {
    pub fn new(object: ElfObject) -> Self {
        ParsedFile(Arc::new(Parsed::new(object, Knowledge::Complete)))
    }

    pub fn object(&self) -> &ElfObject {
        &self.0.object
    }
}

/// One object that defined references of another, as binding met it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Definer {
    /// The definer's parse ([`Parsed::serial`]), shared by every scope of a run.
    pub object: u64,
    /// It defined a copy-relocated symbol, which lookup never takes from the main program.
    pub not_as_main: bool,
}

/// One binding of an object's references, remembered. Whether an object defines a
/// reference depends on that object alone (and on whether it is the main program, which copy
/// relocations skip): so in any later scope holding every object that defined them here,
/// the references found here are found again, and only objects not searched here can
/// define the ones that were missing.
#[derive(Debug)]
pub(crate) struct Bound {
    /// The objects that defined the references that were found.
    pub definers: Box<[Definer]>,
    /// The references no object defined, by index in [`Parsed::references`], in order:
    /// empty when every one was defined.
    pub missing: Box<[u32]>,
    /// When some were missing, every object searched, by [`Parsed::serial`], sorted: the
    /// scope but its main program (copy relocations skip it, so it counts as not searched).
    pub searched: Arc<[u64]>,
}

/// The bindings of one object remembered, up to [`MAX_BINDINGS`]: a library of an audit
/// that mixes two releases binds against one set of definers or the other. Slots filled once
/// and never emptied, so that reading them (every object of every pass) takes no lock.
#[derive(Debug, Default)]
pub(crate) struct Bindings([OnceLock<Bound>; MAX_BINDINGS]);

/// How many bindings of one object are remembered.
const MAX_BINDINGS: usize = 4;

impl Bindings {
    /// A remembered binding this scope holds every definer of (`holds`): one with nothing
    /// missing first.
    pub fn find(&self, holds: impl Fn(&[Definer]) -> bool) -> Option<&Bound> {
        let held = || {
            self.0
                .iter()
                .filter_map(OnceLock::get)
                .filter(|b| holds(&b.definers))
        };
        held()
            .find(|b| b.missing.is_empty())
            .or_else(|| held().next())
    }

    /// Keep `bound` in the first free slot, if one is left.
    pub fn remember(&self, mut bound: Bound) {
        for slot in &self.0 {
            match slot.set(bound) {
                Ok(()) => return,
                Err(back) => bound = back,
            }
        }
    }
}

/// What a built-in target's tables say about an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Knowledge {
    /// Read from a real file, or every export is in the tables.
    Complete,
    /// Version nodes known, exported symbols not (libstdc++, libgcc_s).
    VersionsOnly,
    /// A library the target's tables do not describe: nothing known but that it may exist.
    Unknown,
}

impl Parsed {
    pub fn new(object: ElfObject, knowledge: Knowledge) -> Self {
        Parsed {
            object,
            indexes: LazyIndexes::default(),
            knowledge,
            bindings: Bindings::default(),
            references: OnceLock::new(),
            floor: OnceLock::new(),
            go: OnceLock::new(),
            static_glibc: OnceLock::new(),
            recognised: OnceLock::new(),
            serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// [`Parsed::references`], gathered at the first call.
    pub fn references(&self) -> &[ldsim_loader::binding::Reference] {
        self.references
            .get_or_init(|| ldsim_loader::binding::references(&self.object).into())
    }
}

/// What a built-in target adds to its in-memory root: objects made from tables, and the
/// stand-in for libraries it does not describe.
pub(crate) trait Synthetic: Send + Sync + std::fmt::Debug {
    /// A stand-in for `name` (no '/') when the target's tables do not describe it; `None` when
    /// they do (a described library that is absent is missing, as on the real target).
    fn unknown_library(&self, name: &[u8]) -> Option<(Resolved, Arc<Parsed>)>;
}

/// What opening a candidate path gave.
#[derive(Debug, Clone)]
pub(crate) enum Opened {
    Elf {
        resolved: Resolved,
        parsed: Arc<Parsed>,
    },
    /// Opened, but the bytes are not a loadable ELF file.
    NotElf { error: ElfError },
    /// open(2) of a directory succeeds; reading it fails with EISDIR.
    Directory,
}

type Entry = Result<Arc<Parsed>, ElfError>;

/// Every file is read and parsed at most once (keyed by its identity, so two paths to one
/// file share the parse).
#[derive(Debug)]
pub(crate) struct Store<'r> {
    root: &'r Sysroot,
    /// One slot per file: the first thread to need a file parses it, any other waits for
    /// that parse rather than making its own.
    parsed: Mutex<HashMap<FileId, Arc<OnceLock<Entry>>>>,
    synthetic: Option<&'r dyn Synthetic>,
}

impl<'r> Store<'r> {
    /// The root the store reads.
    pub fn root(&self) -> &'r Sysroot {
        self.root
    }

    pub fn new(root: &'r Sysroot) -> Self {
        Store {
            root,
            parsed: Mutex::new(HashMap::default()),
            synthetic: None,
        }
    }

    /// A store over a built-in target's root: `objects` are the parses of its files (never
    /// read from bytes), keyed by path.
    pub fn synthetic(
        root: &'r Sysroot,
        objects: &[(Vec<u8>, Arc<Parsed>)],
        synthetic: &'r dyn Synthetic,
    ) -> Self {
        let mut parsed = HashMap::default();
        for (path, object) in objects {
            if let Ok(resolved) = root.resolve(path, &TargetPath::root()) {
                parsed.insert(resolved.id, Arc::new(OnceLock::from(Ok(object.clone()))));
            }
        }
        Store {
            root,
            parsed: Mutex::new(parsed),
            synthetic: Some(synthetic),
        }
    }

    /// A built-in target's stand-in for a library its tables do not describe.
    pub fn unknown_library(&self, name: &[u8]) -> Option<(Resolved, Arc<Parsed>)> {
        self.synthetic?.unknown_library(name)
    }

    /// open(2) + read as the loaders do it. Relative paths are relative to `/` (the simulated
    /// working directory).
    pub fn open(&self, path: &[u8]) -> Result<Opened, FsError> {
        let resolved = self.root.resolve(path, &TargetPath::root())?;
        match resolved.kind {
            NodeKind::Dir => return Ok(Opened::Directory),
            NodeKind::Other => return Err(FsError::PermissionDenied),
            NodeKind::File => {}
        }
        let slot = self.lock().entry(resolved.id).or_default().clone();
        let entry = match slot.get() {
            Some(entry) => entry.clone(),
            None => {
                let (_, file) = self.root.open(path, &TargetPath::root())?;
                let parsed = read_and_parse(file)?;
                slot.get_or_init(|| {
                    parsed.map(|object| Arc::new(Parsed::new(object, Knowledge::Complete)))
                })
                .clone()
            }
        };
        Ok(match entry {
            Ok(parsed) => Opened::Elf { resolved, parsed },
            Err(error) => Opened::NotElf { error },
        })
    }

    /// Take `object` as the parse of the file at `path`, parsed by the caller from the bytes
    /// of the file whose identity is `id`, so that opening it never reads or parses it again.
    ///
    /// Adopted only when `path` resolves in the root to a regular file with that identity
    /// (the caller's file is what the root serves there, e.g. a host file mounted at its own
    /// path); otherwise nothing is adopted and `false` is returned. The cache stays keyed by
    /// identity, so [`Store::open`] gives the same [`Resolved`] as without adoption. A parse
    /// the store already holds for that file is kept.
    pub fn adopt(&self, path: &[u8], id: FileId, file: &ParsedFile) -> bool {
        match self.root.resolve(path, &TargetPath::root()) {
            Ok(resolved) if resolved.kind == NodeKind::File && resolved.id == id => {
                let slot = self.lock().entry(id).or_default().clone();
                let _ = slot.set(Ok(file.0.clone()));
                true
            }
            _ => false,
        }
    }

    /// Raw bytes of a small target file (ld.so.cache, path files, the interpreter).
    pub fn read_bytes(&self, path: &[u8]) -> Result<ldsim_sysroots::FileBytes, FsError> {
        self.root.read(path, &TargetPath::root()).map(|(_, b)| b)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<FileId, Arc<OnceLock<Entry>>>> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
        self.parsed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Files up to this size are read whole: one read costs less than the rounds below.
const READ_WHOLE_BELOW: u64 = 32 * 1024;
/// The first read of a larger file: the headers and, in the usual layout, the tables.
const FIRST_READ: u64 = 16 * 1024;

/// Parse a file from the parts the parse reads (the headers, the segments they name, the
/// tables the dynamic section points to: a program's code and data are never read), or
/// whole when it is small or already in memory.
fn read_and_parse(
    file: ldsim_sysroots::OpenFile,
) -> Result<Result<ldsim_loader::ElfObject, ldsim_loader::ElfError>, FsError> {
    let len = file.len();
    if !file.reads_in_parts() || len <= READ_WHOLE_BELOW {
        return Ok(ldsim_loader::parse(&file.into_bytes()?));
    }
    let (parsed, _) =
        ldsim_loader::parse_in_parts(len, FIRST_READ, |offset, len| file.read_at(offset, len))?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckError, Checker, Environment};
    use ldsim_loader::arch::Arch;
    use ldsim_tables::objects::executable;
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;

    /// A root (a host directory) with a host file mounted at `/opt/app`, as the CLI mounts a
    /// host FILE; the file's bytes are not ELF, so a parse can only come from adoption.
    struct Fixture {
        _dir: tempfile::TempDir,
        host_file: std::path::PathBuf,
        root: Sysroot,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("root/bin")).unwrap();
        std::fs::write(dir.path().join("root/bin/other"), b"another file").unwrap();
        std::os::unix::fs::symlink("/opt/app", dir.path().join("root/bin/app")).unwrap();
        let host_file = dir.path().join("app");
        std::fs::write(&host_file, b"not an ELF file").unwrap();
        let mut root = Sysroot::from_dir(&dir.path().join("root")).unwrap();
        root.mount(&TargetPath::new(b"/opt/app"), &host_file)
            .unwrap();
        Fixture {
            _dir: dir,
            host_file,
            root,
        }
    }

    fn id_of(host: &Path) -> FileId {
        let meta = std::fs::metadata(host).unwrap();
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    #[test]
    fn an_adopted_parse_is_what_opening_the_file_gives() {
        let fx = fixture();
        let id = id_of(&fx.host_file);
        let object = executable(Arch::X86_64);
        let store = Store::new(&fx.root);
        assert!(store.adopt(b"/opt/app", id, &ParsedFile::new(object.clone())));
        // Rewritten in place (same identity) after adoption: still the adopted parse.
        std::fs::write(&fx.host_file, b"rewritten, still not ELF").unwrap();
        assert_eq!(id_of(&fx.host_file), id);
        for path in [&b"/opt/app"[..], b"/bin/app"] {
            let Ok(Opened::Elf { resolved, parsed }) = store.open(path) else {
                panic!("{path:?} was read again");
            };
            assert_eq!(parsed.object, object);
            assert_eq!(parsed.knowledge, Knowledge::Complete);
            // The same Resolved as without adoption: identity and canonical path.
            assert_eq!(
                resolved,
                fx.root.resolve(path, &TargetPath::root()).unwrap()
            );
            assert_eq!(resolved.id, id);
        }
        // Without adoption the store reads the file: its bytes are not ELF.
        let fresh = Store::new(&fx.root);
        assert!(matches!(fresh.open(b"/opt/app"), Ok(Opened::NotElf { .. })));
    }

    #[test]
    fn nothing_is_adopted_where_the_root_has_another_file() {
        let fx = fixture();
        let id = id_of(&fx.host_file);
        let store = Store::new(&fx.root);
        assert!(!store.adopt(
            b"/bin/other",
            id,
            &ParsedFile::new(executable(Arch::X86_64))
        ));
        assert!(!store.adopt(
            b"/bin/missing",
            id,
            &ParsedFile::new(executable(Arch::X86_64))
        ));
        assert!(!store.adopt(b"/bin", id, &ParsedFile::new(executable(Arch::X86_64))));
        assert!(matches!(
            store.open(b"/bin/other"),
            Ok(Opened::NotElf { .. })
        ));
        assert!(matches!(store.open(b"/opt/app"), Ok(Opened::NotElf { .. })));
    }

    #[test]
    fn a_checker_checks_an_adopted_file_without_reading_it() {
        let fx = fixture();
        let path = TargetPath::new(b"/opt/app");
        let checker = Checker::new(&fx.root, Environment::default());
        assert!(matches!(
            checker.check(&path, "app"),
            Err(CheckError::NotElf { .. })
        ));
        let checker = Checker::new(&fx.root, Environment::default());
        assert!(checker.adopt(
            &path,
            id_of(&fx.host_file),
            &ParsedFile::new(executable(Arch::X86_64))
        ));
        let report = checker
            .check(&path, "app")
            .expect("the adopted parse is checked");
        assert_eq!(report.file, "app");
    }
}
