//! musl's ldso: load_library for every DT_NEEDED in list order (ldso/dynlink.c: load_deps,
//! load_library, path_open). Errors are reported and loading goes on.

use ldsim_sysroots::FsError;
use tracing::debug;

use crate::dst;
use crate::environment::Environment;
use crate::graph::{lossy, LinkMap, MapObject, Role};
use crate::loader_config::MuslConfig;
use crate::report::{CandidateOutcome, Problem, SearchStep, Via};
use crate::store::{Opened, Store};

use ldsim_sysroots::errno::{EACCES, ENAMETOOLONG, ENOENT, ENOEXEC, ENOTDIR};
use ldsim_sysroots::strerror;

/// Names musl reserves for itself: `lib` + one of these prefixes (ldso/dynlink.c).
const RESERVED: &[&[u8]] = &[
    b"c.",
    b"pthread.",
    b"rt.",
    b"m.",
    b"dl.",
    b"util.",
    b"xnet.",
];

pub(crate) struct Musl<'a, 'r> {
    pub store: &'a Store<'r>,
    pub cfg: &'a MuslConfig,
    pub env: &'a Environment,
    pub map: LinkMap,
    /// Index of the ldso node (musl's libc), appended to the list when first requested.
    pub ldso: usize,
    /// Candidates of the current search.
    pub tried: Vec<SearchStep>,
}

enum Load {
    MapObject(usize),
    Failed(String),
}

impl<'a, 'r> Musl<'a, 'r> {
    /// musl in a program that has started (`map` is its link map): for dlopen.
    pub fn started(
        store: &'a Store<'r>,
        cfg: &'a MuslConfig,
        env: &'a Environment,
        map: LinkMap,
    ) -> Self {
        Musl {
            ldso: crate::simulate::interpreter_index(&map),
            store,
            cfg,
            env,
            map,
            tried: Vec::new(),
        }
    }

    /// A program's start-up: preloads, then every DT_NEEDED in list order (ldso/dynlink.c:
    /// __dls3, load_preload, load_deps); errors are reported and loading goes on.
    pub fn load_program(mut self) -> LinkMap {
        // Preloads (LD_PRELOAD, gcompat's --preload) load first with no needed_by: no rpath.
        let mut preloads: Vec<Vec<u8>> = Vec::new();
        if let Some(p) = &self.cfg.gcompat_preload {
            preloads.push(p.clone());
        }
        if let Some(list) = &self.env.ld_preload {
            preloads.extend(
                list.split(|c| c.is_ascii_whitespace() || *c == b':')
                    .filter(|s| !s.is_empty())
                    .map(<[u8]>::to_vec),
            );
        }
        for name in preloads {
            // Preload failures are silent in musl.
            if let Load::MapObject(i) = self.load_library(&name, None) {
                self.push_scope(i);
                if self.map.nodes[i].via != Via::Interpreter {
                    self.map.nodes[i].via = Via::Preload;
                }
            }
        }
        self.load_deps(0);
        self.map
    }

    /// `dlopen(file)` (ldso/dynlink.c: dlopen): load_library with the main program as
    /// `needed_by`, then its dependencies. Returns the map and the new objects in list order
    /// (the first is the opened object), empty when the file itself could not be loaded.
    pub fn load_dlopen(mut self, file: &[u8]) -> (LinkMap, Vec<usize>) {
        let before = self.map.scope.len();
        match self.load_library(file, Some(0)) {
            Load::MapObject(n) => {
                if self.map.in_scope(n) {
                    // Already loaded: nothing new to relocate.
                    return (self.map, vec![n]);
                }
                self.push_scope(n);
            }
            Load::Failed(err) => {
                let tried = std::mem::take(&mut self.tried);
                self.map.problems.push(
                    Problem::MissingLibrary {
                        library: lossy(file),
                        needed_by: String::new(),
                        reason: format!("musl cannot open {} ({err})", lossy(file)),
                        tried,
                        message: format!("Error loading shared library {}: {err}", lossy(file)),
                        packages: Vec::new(),
                    }
                    .into(),
                );
                self.map.load_failed = true;
                return (self.map, Vec::new());
            }
        }
        self.load_deps(before);
        let new = self.map.scope[before..].to_vec();
        (self.map, new)
    }

    /// Where `dlopen(name)` called from `needed_by` would find `name` (the object only):
    /// its path, or what dlerror() would say. Nothing is added to the map.
    pub fn probe(mut self, name: &[u8], needed_by: usize) -> (LinkMap, Result<Vec<u8>, String>) {
        let nodes = self.map.nodes.len();
        let steps = self.map.steps.len();
        let result = match self.load_library(name, Some(needed_by)) {
            Load::MapObject(i) => Ok(self.map.nodes[i].name.clone()),
            Load::Failed(err) => Err(format!(
                "Error loading shared library {}: {err}",
                lossy(name)
            )),
        };
        self.map.nodes.truncate(nodes);
        self.map.steps.truncate(steps);
        (self.map, result)
    }

    /// ldso/dynlink.c: load_deps over the list from position `start`.
    fn load_deps(&mut self, start: usize) {
        let mut i = start;
        while i < self.map.scope.len() {
            let idx = self.map.scope[i];
            let needed = self.map.nodes[idx].parsed.object.needed().to_vec();
            for name in needed {
                match self.load_library(&name, Some(idx)) {
                    Load::MapObject(n) => self.push_scope(n),
                    Load::Failed(err) => {
                        let needed_by = lossy(&self.map.nodes[idx].name);
                        let message = format!(
                            "Error loading shared library {}: {} (needed by {})",
                            lossy(&name),
                            err,
                            needed_by
                        );
                        let tried = std::mem::take(&mut self.tried);
                        self.map.push_problem(
                            idx,
                            Problem::MissingLibrary {
                                library: lossy(&name),
                                needed_by,
                                reason: format!(
                                    "musl found no usable {} ({} places tried)",
                                    lossy(&name),
                                    tried.len()
                                ),
                                tried,
                                message,
                                packages: Vec::new(),
                            }
                            .into(),
                        );
                        self.map.load_failed = true;
                    }
                }
            }
            i += 1;
        }
    }

    fn push_scope(&mut self, idx: usize) {
        if !self.map.in_scope(idx) {
            self.map.scope.push(idx);
        }
    }

    /// ldso/dynlink.c: load_library.
    fn load_library(&mut self, name: &[u8], needed_by: Option<usize>) -> Load {
        self.tried.clear();
        if name.is_empty() {
            return Load::Failed("Invalid argument".into());
        }
        if let Some(rest) = name.strip_prefix(b"lib") {
            if RESERVED.iter().any(|r| rest.starts_with(r)) {
                return Load::MapObject(self.ldso_node(name, needed_by));
            }
        }
        if name == self.cfg.ldso_name.as_slice() {
            return Load::MapObject(self.ldso_node(name, needed_by));
        }
        let found = if name.contains(&b'/') {
            match self.open(name, Via::Direct) {
                Ok(o) => Some((name.to_vec(), o, Via::Direct)),
                Err(e) => return Load::Failed(e),
            }
        } else {
            if name.len() > 255 {
                return Load::Failed("File name too long".into());
            }
            // Already loaded under this short name (no DT_SONAME matching in musl).
            if let Some(i) = self
                .map
                .nodes
                .iter()
                .position(|n| n.shortname.as_deref() == Some(name))
            {
                return Load::MapObject(i);
            }
            match self.search(name, needed_by) {
                Ok(Some(f)) => Some(f),
                Ok(None) => None,
                Err(e) => return Load::Failed(e),
            }
        };
        let found = match found {
            None if !name.contains(&b'/') => self.store.unknown_library(name).map(|(r, p)| {
                let opened = Opened::Elf {
                    resolved: r,
                    parsed: p,
                };
                (name.to_vec(), opened, Via::Unknown)
            }),
            found => found,
        };
        let Some((path, opened, via)) = found else {
            return Load::Failed(FsError::NotFound.to_string());
        };
        let Opened::Elf { resolved, parsed } = opened else {
            return Load::Failed(match opened {
                Opened::Directory => FsError::IsADirectory.to_string(),
                _ => strerror(ENOEXEC),
            });
        };
        let searched = !name.contains(&b'/');
        // Same file already loaded (st_dev/st_ino).
        if let Some(i) = self
            .map
            .nodes
            .iter()
            .position(|n| n.resolved.id == resolved.id)
        {
            if self.map.nodes[i].shortname.is_none() && searched {
                self.map.nodes[i].shortname = Some(basename(&self.map.nodes[i].name).to_vec());
            }
            return Load::MapObject(i);
        }
        let obj = &parsed.object;
        if obj.header.class != self.map.nodes[0].parsed.object.header.class || obj.dynamic.is_none()
        {
            return Load::Failed(strerror(ENOEXEC));
        }
        // A glibc libc.so is replaced by musl itself (the guard of commit c49d3c8a).
        if defines(obj, b"__libc_start_main") && defines(obj, b"stdin") {
            return Load::MapObject(self.ldso_node(name, needed_by));
        }
        self.map.nodes.push(MapObject {
            shortname: searched.then(|| basename(&path).to_vec()),
            parsed,
            resolved,
            name: path,
            names: vec![name.to_vec()],
            loader: needed_by,
            needed: name.to_vec(),
            via,
            role: Role::Library,
        });
        Load::MapObject(self.map.nodes.len() - 1)
    }

    fn ldso_node(&mut self, name: &[u8], needed_by: Option<usize>) -> usize {
        let n = &mut self.map.nodes[self.ldso];
        if n.loader.is_none() && n.needed.is_empty() {
            n.needed = name.to_vec();
            n.loader = needed_by;
        } else if n.needed != name && !self.map.interpreter_aliases.iter().any(|(a, _)| a == name) {
            if let Some(by) = needed_by {
                self.map.interpreter_aliases.push((name.to_vec(), by));
            }
        }
        self.ldso
    }

    /// LD_LIBRARY_PATH, then the rpath of the requester and of everything above it, then the
    /// system path. Err = a hard open error that stops the whole search.
    fn search(
        &mut self,
        name: &[u8],
        needed_by: Option<usize>,
    ) -> Result<Option<(Vec<u8>, Opened, Via)>, String> {
        debug!(target: "ldsim::libs", "find library={} [musl]", lossy(name));
        if let Some(llp) = self.env.ld_library_path.clone() {
            if let Some(f) = self.path_open(name, &llp, Via::LdLibraryPath)? {
                return Ok(Some(f));
            }
        }
        let mut cur = needed_by;
        // needed_by always names an object loaded earlier, so the chain ends; the bound only
        // guards a map built some other way (and keeps the walk linear in its depth).
        for _ in 0..=self.map.nodes.len() {
            let Some(i) = cur else { break };
            if let Some(rp) = self.rpath_of(i) {
                if let Some(f) = self.path_open(name, &rp, Via::Rpath)? {
                    return Ok(Some(f));
                }
            }
            cur = self.map.nodes[i].loader;
        }
        let sys: Vec<u8> = self.cfg.system_path.join(&b':');
        if let Some(err) = &self.cfg.path_file_error {
            return Err(err.clone());
        }
        if sys.is_empty() {
            // An empty path file: nothing is searched and errno stays 0.
            return Err("No error information".into());
        }
        self.path_open(name, &sys, Via::MuslPath)
    }

    /// The rpath musl uses for an object: DT_RUNPATH if present, else DT_RPATH, `$ORIGIN`
    /// expanded; any other `$` disables it (ldso/dynlink.c: fixup_rpath).
    fn rpath_of(&self, idx: usize) -> Option<Vec<u8>> {
        let n = &self.map.nodes[idx];
        let d = n.parsed.object.dynamic.as_ref()?;
        let raw = d.runpath.as_deref().or(d.rpath.as_deref())?;
        let origin = match n.role {
            Role::Main => dst::dirname(n.resolved.path.as_bytes()),
            _ => dst::dirname(&n.name),
        };
        dst::expand_musl(raw, &origin)
    }

    /// ldso/dynlink.c: path_open. Empty elements are skipped.
    fn path_open(
        &mut self,
        name: &[u8],
        list: &[u8],
        via: Via,
    ) -> Result<Option<(Vec<u8>, Opened, Via)>, String> {
        for dir in list
            .split(|&c| c == b':' || c == b'\n')
            .filter(|d| !d.is_empty())
        {
            let path = dst::join(dir, name);
            match self.store.open(&path) {
                Ok(o) => {
                    self.tried.push(SearchStep {
                        via,
                        path: lossy(&path),
                        outcome: CandidateOutcome::Found,
                    });
                    let tried = std::mem::take(&mut self.tried);
                    self.map.record_steps(&tried);
                    self.tried = tried;
                    return Ok(Some((path, o, via)));
                }
                Err(e) => {
                    self.tried.push(SearchStep {
                        via,
                        path: lossy(&path),
                        outcome: CandidateOutcome::Missing {
                            error: e.to_string(),
                        },
                    });
                    if ![ENOENT, ENOTDIR, EACCES, ENAMETOOLONG].contains(&e.errno()) {
                        return Err(e.to_string());
                    }
                }
            }
        }
        Ok(None)
    }

    fn open(&mut self, path: &[u8], via: Via) -> Result<Opened, String> {
        self.store.open(path).map_err(|e| {
            self.tried.push(SearchStep {
                via,
                path: lossy(path),
                outcome: CandidateOutcome::Missing {
                    error: e.to_string(),
                },
            });
            e.to_string()
        })
    }
}

fn basename(path: &[u8]) -> &[u8] {
    path.rsplit(|&c| c == b'/').next().unwrap_or(path)
}

fn defines(obj: &ldsim_loader::ElfObject, name: &[u8]) -> bool {
    obj.symbols
        .iter()
        .any(|s| &*s.name == name && !s.is_undefined())
}
