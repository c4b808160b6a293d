//! Opening and parsing target files once per run, shared across every file checked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ldsim_loader::binding::ExportIndex;
use ldsim_loader::{ElfError, ElfObject};
use ldsim_sysroots::{FileId, FsError, NodeKind, Resolved, Sysroot, TargetPath};

/// A parsed object with its lookup index.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub object: ElfObject,
    pub exports: ExportIndex,
    /// How much of the object's interface is known (less than all only for built-in targets).
    pub knowledge: Knowledge,
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
        let exports = ExportIndex::new(&object);
        Parsed {
            object,
            exports,
            knowledge,
        }
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
    parsed: Mutex<HashMap<FileId, Entry>>,
    synthetic: Option<&'r dyn Synthetic>,
}

impl<'r> Store<'r> {
    pub fn new(root: &'r Sysroot) -> Self {
        Store {
            root,
            parsed: Mutex::new(HashMap::new()),
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
        let mut parsed = HashMap::new();
        for (path, object) in objects {
            if let Ok(resolved) = root.resolve(path, &TargetPath::root()) {
                parsed.insert(resolved.id, Ok(object.clone()));
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
        if let Some(entry) = self.lock().get(&resolved.id).cloned() {
            return Ok(match entry {
                Ok(parsed) => Opened::Elf { resolved, parsed },
                Err(error) => Opened::NotElf { error },
            });
        }
        let (resolved, bytes) = self.root.read(path, &TargetPath::root())?;
        let entry: Entry = ldsim_loader::parse(&bytes)
            .map(|object| Arc::new(Parsed::new(object, Knowledge::Complete)));
        self.lock().insert(resolved.id, entry.clone());
        Ok(match entry {
            Ok(parsed) => Opened::Elf { resolved, parsed },
            Err(error) => Opened::NotElf { error },
        })
    }

    /// Raw bytes of a small target file (ld.so.cache, path files, the interpreter).
    pub fn read_bytes(&self, path: &[u8]) -> Result<ldsim_sysroots::FileBytes, FsError> {
        self.root.read(path, &TargetPath::root()).map(|(_, b)| b)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<FileId, Entry>> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
        self.parsed.lock().unwrap_or_else(|e| e.into_inner())
    }
}
