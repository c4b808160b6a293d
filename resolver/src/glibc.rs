//! glibc's ld.so: mapping DT_NEEDED objects breadth-first (elf/dl-deps.c: _dl_map_object_deps)
//! and finding each one (elf/dl-load.c: _dl_map_object, open_path, open_verify).

use foldhash::HashMap;
use ldsim_loader::arch::arch_of;
use ldsim_loader::{Class, ElfObject, Endian, ET_DYN, ET_EXEC};

use ldsim_sysroots::FileId;
use tracing::debug;

use crate::cache::CacheQuery;
use crate::dst::{self, Tokens};
use crate::environment::Environment;
use crate::graph::{lossy, LinkMap, MapObject, Role};
use crate::loader_config::GlibcConfig;
use crate::report::{CandidateOutcome, Problem, SearchStep, Via};
use crate::store::{Opened, Store};
use crate::voice::Voice;

use ldsim_sysroots::errno::{EACCES, ENOENT, ENOTDIR};
use ldsim_sysroots::strerror;

/// What open_verify and the mapping checks make of a candidate.
enum OpenVerify {
    Usable(Opened),
    /// Soft reject: the search goes on.
    WrongClass(Class),
    WrongMachine(u16),
    /// Hard error: loading ends. (objname, message)
    Fatal(Vec<u8>, String),
}

/// One search's memory: a wrong-class file seen, the last errno.
#[derive(Default)]
struct SearchState {
    other_class: Option<Class>,
    errno: i32,
    tried_any: bool,
    tried: Vec<SearchStep>,
}

/// A search's result: `None` = go on, `Some(Ok)` = found, `Some(Err((objname, msg)))` = fatal.
type Step = Option<Result<(Vec<u8>, Opened, Via), (Vec<u8>, String)>>;

enum Found {
    MapObject(usize),
    Fatal(Vec<u8>, String),
}

pub(crate) struct Glibc<'a, 'r> {
    pub store: &'a Store<'r>,
    pub cfg: &'a GlibcConfig,
    pub env: &'a Environment,
    pub voice: Voice<'a>,
    pub map: LinkMap,
    /// The candidates of the last failed search, for the problem report.
    pub last_tried: Vec<SearchStep>,
    /// The search list being built: the global scope of a program, or the local scope of
    /// a dlopen'ed object (elf/dl-deps.c: _dl_map_object_deps builds `l_searchlist`).
    list: Vec<usize>,
    /// (name, requester) pairs already searched in vain.
    not_found: foldhash::HashSet<(Vec<u8>, usize)>,
    /// The same by the name's bytes' address (interned names), with the number of nodes
    /// when it was recorded: still valid while nothing new is loaded.
    not_found_raw: HashMap<(usize, usize, usize), usize>,
    /// The members of `list`, for a membership test that does not walk it.
    listed: foldhash::HashSet<usize>,
    /// Which loaded object answers to a name or is a file.
    loaded: Loaded,
    /// [`Glibc::subdirs`], made at the first directory search of the run.
    subdirs: Option<std::sync::Arc<[String]>>,
}

/// glibc finds an already-loaded object by walking the list (elf/dl-load.c: _dl_lookup_map,
/// _dl_map_object_from_fd's file-id check); this index gives the same first match without
/// the walk, so loading costs its edges, not their square.
#[derive(Debug, Default)]
struct Loaded {
    /// Every name an object answers to (`l_name`, `l_libname`; not the main program's),
    /// and every DT_SONAME: the lowest node index for each.
    by_name: HashMap<Vec<u8>, usize>,
    by_file: HashMap<FileId, usize>,
    /// For each node, the nearest object at or above it along the loader links that has a
    /// DT_RPATH: the RPATH chain is walked in the number of such objects, not its depth.
    nearest_rpath: Vec<Option<usize>>,
}

impl Loaded {
    fn of(map: &LinkMap) -> Self {
        let mut loaded = Loaded::default();
        for i in 0..map.nodes.len() {
            loaded.add_node(map, i);
        }
        loaded
    }

    fn add_node(&mut self, map: &LinkMap, i: usize) {
        let n = &map.nodes[i];
        if n.role != Role::Main {
            self.add_name(&n.name, i);
            for name in &n.names {
                self.add_name(name, i);
            }
        }
        if let Some(soname) = n.parsed.object.soname() {
            self.add_name(soname, i);
        }
        self.by_file.entry(n.resolved.id).or_insert(i);
        let nearest = if rpath(&n.parsed.object).is_some() {
            Some(i)
        } else {
            // A loader is mapped before what it loads (a later one is not followed).
            n.loader
                .filter(|&l| l < i)
                .and_then(|l| self.nearest_rpath.get(l).copied().flatten())
        };
        self.nearest_rpath.resize(i + 1, None);
        self.nearest_rpath[i] = nearest;
    }

    /// The objects with a DT_RPATH on the loader chain from `from` up, nearest first.
    fn rpath_chain(&self, map: &LinkMap, from: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.nearest_rpath.get(from).copied().flatten();
        while let Some(i) = cur {
            if chain.contains(&i) {
                break;
            }
            chain.push(i);
            cur = map.nodes[i]
                .loader
                .filter(|&l| l < i)
                .and_then(|l| self.nearest_rpath.get(l).copied().flatten());
        }
        chain
    }

    fn add_name(&mut self, name: &[u8], i: usize) {
        // Most names are known already (a library's path, its request and its soname
        // often coincide): copied only when new.
        match self.by_name.get_mut(name) {
            Some(first) => *first = (*first).min(i),
            None => {
                self.by_name.insert(name.to_vec(), i);
            }
        }
    }
}

/// What became of one DT_NEEDED (or preload) request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Loaded,
    /// Not found: trace mode fakes an empty object and goes on (elf/dl-load.c:
    /// _dl_map_object, `l_faked`); a real run stops.
    NotFound,
    /// A hard error (a file that is not a loadable object): loading ends even in trace mode.
    Fatal,
}

impl<'a, 'r> Glibc<'a, 'r> {
    pub fn new(
        store: &'a Store<'r>,
        cfg: &'a GlibcConfig,
        env: &'a Environment,
        voice: Voice<'a>,
        map: LinkMap,
    ) -> Self {
        Glibc {
            loaded: Loaded::of(&map),
            store,
            cfg,
            env,
            voice,
            map,
            last_tried: Vec::new(),
            list: Vec::new(),
            listed: Default::default(),
            not_found: Default::default(),
            not_found_raw: HashMap::default(),
            subdirs: None,
        }
    }

    /// A program's start-up: preloads, then the DT_NEEDED closure breadth-first, in trace
    /// mode (as `ldd -r` runs it): a library that is not found is reported and loading goes
    /// on, so every missing library is known; the real run stops at the first of them.
    pub fn load_program(mut self) -> LinkMap {
        self.list = std::mem::take(&mut self.map.scope);
        self.listed = self.list.iter().copied().collect();
        self.preload();
        if !self.closure(0) {
            self.map.load_failed = true;
        }
        self.map.scope = std::mem::take(&mut self.list);
        self.map
    }

    /// `dlopen(file)` called from `caller` (elf/dl-open.c: dl_open_worker): map the file,
    /// then its closure. Returns the map and the new object's search list (its local
    /// scope), empty when the file itself could not be mapped.
    pub fn load_dlopen(mut self, file: &[u8], caller: usize) -> (LinkMap, Vec<usize>) {
        self.list.clear();
        self.listed.clear();
        match self.load_needed(file, caller, Via::Direct) {
            Request::Loaded => {}
            Request::NotFound | Request::Fatal => {
                self.map.load_failed = true;
                return (self.map, Vec::new());
            }
        }
        if !self.closure(0) {
            self.map.load_failed = true;
        }
        let list = std::mem::take(&mut self.list);
        (self.map, list)
    }

    /// Where `dlopen(name)` called from `loader` would find `name` (the object only, not its
    /// dependencies): its path, or what dlerror() would say. Nothing is added to the map.
    pub fn probe(mut self, name: &[u8], loader: usize) -> (LinkMap, Result<Vec<u8>, String>) {
        let nodes = self.map.nodes.len();
        let steps = self.map.steps.len();
        let result = match self.map_object(name, loader, Via::Default) {
            Found::MapObject(idx) => Ok(self.map.nodes[idx].name.clone()),
            Found::Fatal(objname, msg) => Err(format!("{}: {msg}", lossy(&objname))),
        };
        self.map.nodes.truncate(nodes);
        self.map.steps.truncate(steps);
        (self.map, result)
    }

    /// Breadth-first over the search list from `start`. False when a hard error ended it.
    fn closure(&mut self, start: usize) -> bool {
        let mut i = start;
        while i < self.list.len() {
            let idx = self.list[i];
            let needed = self.map.nodes[idx].parsed.object.needed().to_vec();
            for name in needed {
                if self.load_needed(&name, idx, Via::Default) == Request::Fatal {
                    return false;
                }
            }
            i += 1;
        }
        true
    }

    fn preload(&mut self) {
        let mut names: Vec<Vec<u8>> = Vec::new();
        if let Some(list) = &self.env.ld_preload {
            names.extend(
                list.split(|&c| c == b' ' || c == b':')
                    .filter(|s| !s.is_empty())
                    .map(<[u8]>::to_vec),
            );
        }
        names.extend(self.cfg.preload_file.iter().cloned());
        for name in names {
            let before = self.map.problems.len();
            let missing_before = self.map.missing.len();
            if self.load_needed(&name, 0, Via::Preload) != Request::Loaded {
                // Preload failures are never fatal (elf/rtld.c: do_preload).
                let reason = match self.map.problems.pop().map(|f| f.problem) {
                    Some(Problem::MissingLibrary { .. }) => "cannot open shared object file".into(),
                    Some(Problem::BadLibrary { message, .. }) => {
                        message.rsplit(": ").next().unwrap_or_default().to_string()
                    }
                    Some(p) => p.message().to_string(),
                    None => String::new(),
                };
                self.map.problems.truncate(before);
                self.map.missing.truncate(missing_before);
                self.map.warnings.push(format!(
                    "ERROR: ld.so: object '{}' from LD_PRELOAD cannot be preloaded ({}): ignored.",
                    lossy(&name),
                    reason
                ));
            }
        }
    }

    /// Map `raw` requested by `loader` and append it to the search list; a failure is
    /// recorded as a problem.
    fn load_needed(&mut self, raw: &[u8], loader: usize, via_hint: Via) -> Request {
        // A name is interned per string offset: a file naming one library thousands of times
        // hands the same bytes each time. Nothing loaded since it was last not found for this
        // requester means the same answer, without reading the name again.
        let raw_key = (raw.as_ptr() as usize, raw.len(), loader);
        if self.not_found_raw.get(&raw_key) == Some(&self.map.nodes.len()) {
            return Request::NotFound;
        }
        let name: std::borrow::Cow<'_, [u8]> = if dst::has_dst(raw) {
            let origin = self.origin(loader);
            match dst::expand_glibc(raw, &self.tokens(origin.as_deref())) {
                // A NEEDED whose DST expands to nothing is skipped (elf/dl-deps.c: expand_dst).
                Some(n) if n.is_empty() => return Request::Loaded,
                Some(n) => n.into(),
                None => return Request::Loaded,
            }
        } else {
            raw.into()
        };
        let name = name.as_ref();
        // The same name not found for the same requester: trace mode would search again and
        // list it again; the answer and the problem are the same, so once is enough (a file
        // naming one library 30,000 times costs one search).
        if self.not_found.contains(&(name.to_vec(), loader))
            && !self.loaded.by_name.contains_key(name)
        {
            self.not_found_raw.insert(raw_key, self.map.nodes.len());
            return Request::NotFound;
        }
        debug!(target: "ldsim::libs", "file={} [0];  needed by {} [0]", lossy(name), lossy(&self.map.nodes[loader].name));
        match self.map_object(name, loader, via_hint) {
            Found::MapObject(idx) => {
                if self.listed.insert(idx) {
                    let node = &mut self.map.nodes[idx];
                    if node.role == Role::Interpreter && node.loader.is_none() {
                        // ld.so joins the scope where it is first requested.
                        node.needed = name.to_vec();
                        node.loader = Some(loader);
                    }
                    self.list.push(idx);
                }
                Request::Loaded
            }
            Found::Fatal(objname, msg) => {
                let needed_by = lossy(&self.map.nodes[loader].name);
                let not_found = msg.starts_with("cannot open shared object file")
                    || msg.starts_with("wrong ELF class");
                let message = self.voice.load_error(name, &objname, &msg, not_found);
                let problem = if not_found {
                    let tried = std::mem::take(&mut self.last_tried);
                    self.not_found.insert((name.to_vec(), loader));
                    self.not_found_raw.insert(raw_key, self.map.nodes.len());
                    self.map.missing.push(name.to_vec());
                    Problem::MissingLibrary {
                        library: lossy(name),
                        needed_by,
                        reason: missing_reason(&msg, &tried),
                        tried,
                        message,
                        packages: Vec::new(),
                    }
                } else {
                    Problem::BadLibrary {
                        library: lossy(name),
                        path: lossy(&objname),
                        needed_by,
                        reason: format!(
                            "{} is not a loadable shared object: {msg}",
                            lossy(&objname)
                        ),
                        message,
                    }
                };
                self.map.push_problem(loader, problem.into());
                if not_found {
                    Request::NotFound
                } else {
                    Request::Fatal
                }
            }
        }
    }

    fn tokens<'o>(&'o self, origin: Option<&'o [u8]>) -> Tokens<'o> {
        Tokens {
            origin,
            lib: &self.cfg.lib_dst,
            platform: &self.cfg.platform,
        }
    }

    /// `$ORIGIN` of an object: the main program's real (symlink-free) directory, a library's
    /// directory as it was opened (elf/dl-object.c: _dl_new_object; dl-origin.c).
    fn origin(&self, idx: usize) -> Option<Vec<u8>> {
        let n = self.map.nodes.get(idx)?;
        Some(match n.role {
            Role::Main => dst::dirname(n.resolved.path.as_bytes()),
            _ if n.name.starts_with(b"/") => dst::dirname(&n.name),
            _ => dst::dirname(&dst::join(b"/", &n.name)),
        })
    }

    /// elf/dl-load.c: _dl_map_object (with _dl_lookup_map).
    fn map_object(&mut self, name: &[u8], loader: usize, via_hint: Via) -> Found {
        // Already loaded: by any name it was requested by, or by its DT_SONAME (which then
        // joins its names).
        if let Some(&i) = self.loaded.by_name.get(name) {
            let n = &mut self.map.nodes[i];
            let by_name =
                n.role != Role::Main && (n.name == name || n.names.iter().any(|x| x == name));
            if !by_name {
                n.names.push(name.to_vec());
            }
            return Found::MapObject(i);
        }
        let mut state = SearchState::default();
        let result = if name.contains(&b'/') {
            self.try_candidate(name, name, Via::Direct, &mut state)
        } else {
            self.search(name, loader, &mut state)
        };
        match result {
            Some(Ok((path, opened, via))) => {
                let via = if via_hint == Via::Preload {
                    Via::Preload
                } else {
                    via
                };
                Found::MapObject(self.add_node(name, &path, opened, loader, via))
            }
            Some(Err((objname, msg))) => Found::Fatal(objname, msg),
            None if !name.contains(&b'/') && state.other_class.is_none() => {
                match self.store.unknown_library(name) {
                    Some((resolved, parsed)) => {
                        self.map.record_steps(&state.tried);
                        let opened = Opened::Elf { resolved, parsed };
                        Found::MapObject(self.add_node(name, name, opened, loader, Via::Unknown))
                    }
                    None => self.not_found(name, state),
                }
            }
            None => self.not_found(name, state),
        }
    }

    /// The search found nothing usable: the loader's error for `name`.
    fn not_found(&mut self, name: &[u8], mut state: SearchState) -> Found {
        self.map.record_steps(&state.tried);
        self.last_tried = std::mem::take(&mut state.tried);
        let msg = match state.other_class {
            Some(c) => format!("wrong ELF class: {}", c.glibc_name()),
            None if state.tried_any && state.errno != 0 => {
                format!("cannot open shared object file: {}", strerror(state.errno))
            }
            None => "cannot open shared object file".to_string(),
        };
        Found::Fatal(name.to_vec(), msg)
    }

    fn add_node(
        &mut self,
        name: &[u8],
        path: &[u8],
        opened: Opened,
        loader: usize,
        via: Via,
    ) -> usize {
        let Opened::Elf { resolved, parsed } = opened else {
            unreachable!("only usable candidates are added")
        };
        // The same file through another path is the same object (elf/dl-load.c:
        // _dl_map_object_from_fd, _dl_file_id_match_p).
        if let Some(&i) = self.loaded.by_file.get(&resolved.id) {
            self.map.nodes[i].names.push(name.to_vec());
            self.loaded.add_name(name, i);
            return i;
        }
        self.map.nodes.push(MapObject {
            parsed,
            resolved,
            name: path.to_vec(),
            names: vec![name.to_vec()],
            loader: Some(loader),
            needed: name.to_vec(),
            via,
            role: Role::Library,
            shortname: None,
        });
        let i = self.map.nodes.len() - 1;
        self.loaded.add_node(&self.map, i);
        i
    }

    /// The search order for a name without '/'.
    fn search(&mut self, name: &[u8], loader: usize, state: &mut SearchState) -> Step {
        debug!(target: "ldsim::libs", "find library={} [0]; searching", lossy(name));
        let loader_obj = &self.map.nodes[loader].parsed.object;
        let loader_has_runpath = runpath(loader_obj).is_some();
        // 1. DT_RPATH of the loader and its loaders, then main's, unless the loader has RUNPATH.
        if !loader_has_runpath {
            let mut chain = self.loaded.rpath_chain(&self.map, loader);
            if !chain.contains(&0) && rpath(&self.map.nodes[0].parsed.object).is_some() {
                chain.push(0);
            }
            for i in chain {
                if let Some(rpath) = rpath(&self.map.nodes[i].parsed.object).map(<[u8]>::to_vec) {
                    let origin = self.origin(i);
                    let dirs = self.expand_list(&rpath, false, origin.as_deref());
                    let from = format!("RPATH from file {}", lossy(&self.map.nodes[i].name));
                    if let Some(r) = self.search_dirs(&dirs, name, Via::Rpath, &from, state) {
                        return Some(r);
                    }
                }
            }
        }
        // 2. LD_LIBRARY_PATH, tokens expanded with the main program as origin.
        if let Some(llp) = self.env.ld_library_path.clone() {
            let origin = self.origin(0);
            let dirs = self.expand_list(&llp, true, origin.as_deref());
            if let Some(r) =
                self.search_dirs(&dirs, name, Via::LdLibraryPath, "LD_LIBRARY_PATH", state)
            {
                return Some(r);
            }
        }
        // 3. The loader's own DT_RUNPATH (not inherited).
        if let Some(rp) = runpath(&self.map.nodes[loader].parsed.object).map(<[u8]>::to_vec) {
            let origin = self.origin(loader);
            let dirs = self.expand_list(&rp, false, origin.as_deref());
            let from = format!("RUNPATH from file {}", lossy(&self.map.nodes[loader].name));
            if let Some(r) = self.search_dirs(&dirs, name, Via::Runpath, &from, state) {
                return Some(r);
            }
        }
        let nodeflib = self.map.nodes[loader]
            .parsed
            .object
            .dynamic
            .as_ref()
            .is_some_and(|d| d.nodeflib());
        // 4. ld.so.cache.
        if let Some(r) = self.search_cache(name, nodeflib, state) {
            return Some(r);
        }
        // 5. The compiled-in system directories.
        if !nodeflib {
            let dirs = self.cfg.system_dirs.clone();
            if let Some(r) =
                self.search_dirs(&dirs, name, Via::Default, "system search path", state)
            {
                return Some(r);
            }
        }
        None
    }

    fn search_cache(&mut self, name: &[u8], nodeflib: bool, state: &mut SearchState) -> Step {
        let cache = self.cfg.cache.as_ref()?;
        debug!(target: "ldsim::libs", " search cache={}", lossy(&self.cfg.cache_path));
        let info = self.cfg.arch.info();
        let active = self.active_hwcaps();
        let level = self.env.cpu.0.max(1);
        let query = CacheQuery {
            accepted_flags: info.cache_flags,
            default_flag: info.cache_default_flag,
            active_hwcaps: &active,
            isa_supported_levels: if info
                .hwcaps_subdirs
                .first()
                .is_some_and(|s| s.starts_with("x86-64"))
            {
                (1u32 << level) - 1
            } else {
                u32::MAX
            },
            glibc_version: self.cfg.version,
            legacy_hwcap_mask: 0,
        };
        let hit = cache.lookup(name, &query);
        let Some(path) = hit.found else {
            state.tried.push(SearchStep {
                via: Via::LdSoCache,
                path: lossy(&self.cfg.cache_path),
                outcome: CandidateOutcome::Missing {
                    error: "no usable entry in the cache".into(),
                },
            });
            return None;
        };
        if nodeflib
            && self
                .cfg
                .system_dirs
                .iter()
                .any(|d| path.starts_with(d) && path.get(d.len()) == Some(&b'/'))
        {
            state.tried.push(SearchStep {
                via: Via::LdSoCache,
                path: lossy(&path),
                outcome: CandidateOutcome::Skipped {
                    reason: "DF_1_NODEFLIB rejects a cache hit in a system directory".into(),
                },
            });
            return None;
        }
        self.try_candidate(&path, name, Via::LdSoCache, state)
    }

    /// Expand a path list into directories (elf/dl-load.c: fillin_rpath).
    fn expand_list(&self, list: &[u8], llp: bool, origin: Option<&[u8]>) -> Vec<Vec<u8>> {
        let tokens = self.tokens(origin);
        dst::split_glibc(list, llp)
            .into_iter()
            .filter_map(|el| dst::expand_glibc(el, &tokens))
            .map(|d| dst::trim_dir(&d).to_vec())
            .collect()
    }

    /// glibc-hwcaps subdirectories active for the target CPU (elf/dl-hwcaps.c), highest first.
    fn active_hwcaps(&self) -> Vec<&'static str> {
        if self.cfg.version < ldsim_loader::Release::new(2, 33, 0) {
            return Vec::new();
        }
        let subdirs = self.cfg.arch.info().hwcaps_subdirs;
        let level = self.env.cpu.0.max(1) as usize;
        if subdirs.first().is_some_and(|s| s.starts_with("x86-64")) {
            // x86-64-v4, v3, v2: active when the level is at least 4, 3, 2.
            subdirs
                .iter()
                .enumerate()
                .filter(|(i, _)| level >= 4 - i)
                .map(|(_, s)| *s)
                .collect()
        } else {
            // Other architectures' levels are not modelled: a baseline CPU activates none.
            Vec::new()
        }
    }

    /// The subdirectories tried inside every search directory, "" (the directory) last.
    fn subdirs(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .active_hwcaps()
            .into_iter()
            .map(|s| format!("glibc-hwcaps/{s}"))
            .collect();
        if self.cfg.version < ldsim_loader::Release::new(2, 37, 0) {
            // Legacy tls/$PLATFORM subdirectories (removed in 2.37, commit 6099908fb8).
            // Every subset of {tls, $PLATFORM, hwcap names}, most specific first. x86_64
            // always has the legacy hwcap name "x86_64" besides the platform (observed
            // with LD_DEBUG=libs on 2.36: tls/x86_64/x86_64, tls/x86_64, tls, x86_64/x86_64,
            // x86_64, "").
            let p = String::from_utf8_lossy(&self.cfg.platform).into_owned();
            if self.cfg.arch == ldsim_loader::Arch::X86_64 {
                out.extend([
                    format!("tls/{p}/x86_64"),
                    format!("tls/{p}"),
                    "tls/x86_64".into(),
                    "tls".into(),
                    format!("{p}/x86_64"),
                    p,
                    "x86_64".into(),
                ]);
            } else {
                out.extend([format!("tls/{p}"), "tls".into(), p]);
            }
            out.dedup();
        }
        out.push(String::new());
        out
    }

    /// elf/dl-load.c: open_path over directories.
    fn search_dirs(
        &mut self,
        dirs: &[Vec<u8>],
        name: &[u8],
        via: Via,
        from: &str,
        state: &mut SearchState,
    ) -> Step {
        debug!(target: "ldsim::libs", "  search path={}\t\t({from})", dirs.iter().map(|d| lossy(d)).collect::<Vec<_>>().join(":"));
        let subdirs = match &self.subdirs {
            Some(known) => known.clone(),
            None => self.subdirs.insert(self.subdirs().into()).clone(),
        };
        let mut path = Vec::new();
        for dir in dirs {
            for sub in subdirs.iter() {
                path.clear();
                if sub.is_empty() {
                    dst::join_into(&mut path, dir, name);
                } else {
                    dst::join_into(&mut path, dir, sub.as_bytes());
                    if !path.ends_with(b"/") {
                        path.push(b'/');
                    }
                    path.extend_from_slice(name);
                }
                match self.try_candidate(&path, name, via, state) {
                    Some(Ok(found)) => return Some(Ok(found)),
                    Some(Err(fatal)) => return Some(Err(fatal)),
                    None if state.errno != 0
                        && ![ENOENT, EACCES, ENOTDIR].contains(&state.errno) =>
                    {
                        // Any other open error stops this list.
                        return None;
                    }
                    None => {}
                }
            }
        }
        None
    }

    /// Open and verify one candidate. None = passed over (the search goes on).
    fn try_candidate(
        &mut self,
        path: &[u8],
        name: &[u8],
        via: Via,
        state: &mut SearchState,
    ) -> Step {
        debug!(target: "ldsim::libs", "   trying file={}", lossy(path));
        state.tried_any = true;
        let step = |outcome| SearchStep {
            via,
            path: lossy(path),
            outcome,
        };
        let opened = match self.store.open(path) {
            Ok(o) => o,
            Err(e) => {
                state.errno = e.errno();
                // A missing candidate is the common case (a library searched for in every
                // directory of a path): with no report shown, only its errno counts.
                if !self.voice.terse {
                    state.tried.push(step(CandidateOutcome::Missing {
                        error: e.to_string(),
                    }));
                }
                return None;
            }
        };
        match verify(&opened, &self.map.nodes[0].parsed.object, name) {
            OpenVerify::Usable(o) => {
                // Found: what was tried only matters to a report that shows it.
                if !self.map.drop_steps {
                    state.tried.push(step(CandidateOutcome::Found));
                    self.map.record_steps(&state.tried);
                }
                Some(Ok((path.to_vec(), o, via)))
            }
            OpenVerify::WrongClass(c) => {
                state.other_class = Some(c);
                state.errno = ENOENT;
                state.tried.push(step(CandidateOutcome::WrongClass {
                    class: c.glibc_name().into(),
                }));
                None
            }
            OpenVerify::WrongMachine(m) => {
                state.errno = ENOENT;
                state.tried.push(step(CandidateOutcome::WrongMachine {
                    machine: ldsim_loader::arch::machine_name(m),
                }));
                None
            }
            OpenVerify::Fatal(objname, msg) => {
                let objname = if objname.is_empty() {
                    path.to_vec()
                } else {
                    objname
                };
                state
                    .tried
                    .push(step(CandidateOutcome::Fatal { error: msg.clone() }));
                self.map.record_steps(&state.tried);
                Some(Err((objname, msg)))
            }
        }
    }
}

fn rpath(obj: &ElfObject) -> Option<&[u8]> {
    let d = obj.dynamic.as_ref()?;
    // An object with DT_RUNPATH ignores its own DT_RPATH (elf/get-dynamic-info.h).
    if d.runpath.as_deref().is_some_and(|r| !r.is_empty()) {
        return None;
    }
    d.rpath.as_deref().filter(|r| !r.is_empty())
}

fn runpath(obj: &ElfObject) -> Option<&[u8]> {
    obj.dynamic
        .as_ref()?
        .runpath
        .as_deref()
        .filter(|r| !r.is_empty())
}

/// open_verify's header checks and _dl_map_object_from_fd's, in glibc's order. The objname
/// of a fatal error is empty for "the candidate path", or the requested name.
fn verify(opened: &Opened, main: &ElfObject, name: &[u8]) -> OpenVerify {
    let obj = match opened {
        Opened::Directory => {
            return OpenVerify::Fatal(Vec::new(), "cannot read file data: Error 21".into())
        }
        Opened::NotElf { error, .. } => return OpenVerify::Fatal(Vec::new(), error.to_string()),
        Opened::Elf { parsed, .. } => &parsed.object,
    };
    let (h, want) = (&obj.header, &main.header);
    if h.class != want.class {
        return OpenVerify::WrongClass(h.class);
    }
    let fatal = |m: &str| OpenVerify::Fatal(Vec::new(), m.to_string());
    if h.endian != want.endian {
        return fatal(match want.endian {
            Endian::Little => "ELF file data encoding not little-endian",
            Endian::Big => "ELF file data encoding not big-endian",
        });
    }
    if h.ident_version != 1 {
        return fatal("ELF file version ident does not match current one");
    }
    let arm_aeabi = h.machine == 40 && h.osabi == 64;
    if !matches!(h.osabi, 0 | 3) && !arm_aeabi {
        return fatal("ELF file OS ABI invalid");
    }
    if (h.osabi == 0 && h.abiversion != 0) || (h.osabi == 3 && h.abiversion >= 4) {
        return fatal("ELF file ABI version invalid");
    }
    if !h.ident_padding_zero {
        return fatal("nonzero padding in e_ident");
    }
    if h.e_version != 1 {
        return fatal("ELF file version does not match current one");
    }
    if h.machine != want.machine {
        return OpenVerify::WrongMachine(h.machine);
    }
    if arch_of(h) != arch_of(want) {
        // ARM float-ABI mismatch: the header test fails without a specific message.
        return fatal("internal error");
    }
    if h.e_type != ET_DYN && h.e_type != ET_EXEC {
        return fatal("only ET_DYN and ET_EXEC can be loaded");
    }
    if !h.phentsize_ok {
        return fatal("ELF file's phentsize not the expected size");
    }
    let by_name = |m: &str| OpenVerify::Fatal(name.to_vec(), m.to_string());
    if h.e_type == ET_EXEC {
        return by_name("cannot dynamically load executable");
    }
    if obj.dynamic.as_ref().is_some_and(|d| d.pie()) {
        return by_name("cannot dynamically load position-independent executable");
    }
    if !obj.has_load {
        return by_name("object file has no loadable segments");
    }
    if obj.dynamic.is_none() {
        return by_name("object file has no dynamic section");
    }
    OpenVerify::Usable(opened.clone())
}

fn missing_reason(msg: &str, tried: &[SearchStep]) -> String {
    if msg.starts_with("wrong ELF class") {
        return "only a library of the other ELF class was found".into();
    }
    if tried.is_empty() {
        return "no directory was searched (DF_1_NODEFLIB or no search path)".into();
    }
    format!(
        "not found in any of the {} places the loader tried",
        tried.len()
    )
}
