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
}

impl<'r> Store<'r> {
    pub fn new(root: &'r Sysroot) -> Self {
        Store {
            root,
            parsed: Mutex::new(HashMap::new()),
        }
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
        let entry: Entry = ldsim_loader::parse(&bytes).map(|object| {
            let exports = ExportIndex::new(&object);
            Arc::new(Parsed { object, exports })
        });
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
