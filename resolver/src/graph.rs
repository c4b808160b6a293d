//! The simulated link map: objects in the order they were loaded, shared by both flavours.

use std::sync::Arc;

use ldsim_sysroots::Resolved;

use crate::report::{Finding, LoadedObject, SearchStep, Via};
use crate::store::{Knowledge, Parsed};

/// What role an object plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Main,
    /// The dynamic loader itself (glibc's ld.so, or musl's libc which is its own loader).
    Interpreter,
    Library,
}

/// One object of the link map (glibc `struct link_map`, musl `struct dso`).
#[derive(Debug, Clone)]
pub(crate) struct MapObject {
    pub parsed: Arc<Parsed>,
    pub resolved: Resolved,
    /// The path it was opened as (`l_name`, musl `name`); for the main program, argv[0].
    pub name: Vec<u8>,
    /// Every string it was requested by (`l_libname`).
    pub names: Vec<Vec<u8>>,
    /// The object whose request loaded it (`l_loader`, musl `needed_by`).
    pub loader: Option<usize>,
    pub needed: Vec<u8>,
    pub via: Via,
    pub role: Role,
    /// musl: the basename, set when a path search found it.
    pub shortname: Option<Vec<u8>>,
}

/// The outcome of loading: the link map, the global scope (load order) and what went wrong.
#[derive(Debug, Default, Clone)]
pub(crate) struct LinkMap {
    pub nodes: Vec<MapObject>,
    /// Indices into `nodes` in global-scope (breadth-first load) order; main first.
    pub scope: Vec<usize>,
    pub problems: Vec<Finding>,
    /// Names trace mode did not find (its faked, empty objects): a Verneed on one of them is
    /// not checked (elf/dl-version.c: _dl_check_map_versions skips `l_faked` maps).
    pub missing: Vec<Vec<u8>>,
    pub steps: Vec<SearchStep>,
    pub warnings: Vec<String>,
    /// A library failed to load (glibc stops there; musl goes on).
    pub load_failed: bool,
    /// Further names that resolved to the interpreter (musl's reserved names), with the
    /// requesting object: listed as objects too, as `ldso --list` lists them.
    pub interpreter_aliases: Vec<(Vec<u8>, usize)>,
    /// Symbols left unchecked because an object of unknown exports may define them.
    pub unverified: std::collections::BTreeSet<String>,
    /// `.note.dlopen` dependencies of the loaded objects, simulated.
    pub dlopen_dependencies: Vec<crate::report::DlopenDependency>,
    /// Problems listed per object (by node), for [`MAX_PROBLEMS_PER_OBJECT`].
    pub listed_per_object: foldhash::HashMap<usize, usize>,
    /// Problems counted but not listed, past [`MAX_PROBLEMS_PER_OBJECT`].
    pub omitted_problems: usize,
    /// Search steps not kept, past [`MAX_SEARCH_STEPS`].
    pub omitted_steps: usize,
    /// No search step is kept (the report will not show them).
    pub drop_steps: bool,
}

/// The most search steps kept for the trace of one check (a real program's search is a few
/// hundred; a file needing 30,000 absent libraries would make a million).
pub const MAX_SEARCH_STEPS: usize = 20_000;

/// The most problems listed for one object (its missing libraries, or its undefined
/// symbols …); the rest are counted in `omitted_problems`. A hostile file with a million
/// references cannot make a million problems; a real one stays far below (libssl.so.3 on a
/// root without libcrypto: 496).
pub const MAX_PROBLEMS_PER_OBJECT: usize = 1000;

impl LinkMap {
    /// Could an object in scope whose exports the tables do not list define this symbol?
    /// An unknown library may define anything it is asked for (a versioned reference only
    /// when the requirement names it); libstdc++ or libgcc_s only at a version they define.
    pub fn opaque_may_define(
        &self,
        scope: &[usize],
        version: Option<&ldsim_loader::binding::VersionReq<'_>>,
    ) -> bool {
        scope.iter().any(|&i| {
            let node = &self.nodes[i];
            match (node.parsed.knowledge, version) {
                (Knowledge::Complete, _) => false,
                (_, None) => true,
                (Knowledge::Unknown, Some(v)) => {
                    node.names.iter().any(|n| n.as_slice() == v.file) || node.name == v.file
                }
                (Knowledge::VersionsOnly, Some(v)) => node
                    .parsed
                    .object
                    .verdefs
                    .iter()
                    .any(|d| *d.name == *v.name),
            }
        })
    }

    /// Record search steps for the trace (`-v`, `search[]`), up to [`MAX_SEARCH_STEPS`].
    pub fn record_steps(&mut self, steps: &[SearchStep]) {
        if self.drop_steps {
            return;
        }
        let room = MAX_SEARCH_STEPS.saturating_sub(self.steps.len());
        self.steps.extend(steps.iter().take(room).cloned());
        self.omitted_steps += steps.len().saturating_sub(room);
    }

    /// Record a problem of the object `owner`, unless it has had its share already.
    pub fn push_problem(&mut self, owner: usize, finding: Finding) {
        let listed = self.listed_per_object.entry(owner).or_default();
        if *listed < MAX_PROBLEMS_PER_OBJECT {
            *listed += 1;
            self.problems.push(finding);
        } else {
            self.omitted_problems += 1;
        }
    }

    pub fn in_scope(&self, idx: usize) -> bool {
        self.scope.contains(&idx)
    }

    /// The report's object list: everything in scope but the main program.
    pub fn objects(&self) -> Vec<LoadedObject> {
        self.objects_of(&self.scope)
    }

    /// The report's object list for a search list (a dlopen'ed object's, say).
    pub fn objects_of(&self, list: &[usize]) -> Vec<LoadedObject> {
        list.iter()
            .filter(|&&i| self.nodes[i].role != Role::Main)
            .map(|&i| {
                let n = &self.nodes[i];
                LoadedObject {
                    needed: lossy(&n.needed),
                    path: lossy(&n.name),
                    via: n.via,
                    needed_by: n.loader.map(|l| lossy(&self.nodes[l].name)),
                    package: None,
                }
            })
            .chain(self.interpreter_aliases.iter().filter_map(|(name, by)| {
                let interp = self.nodes.iter().find(|n| n.role == Role::Interpreter)?;
                Some(LoadedObject {
                    needed: lossy(name),
                    path: lossy(&interp.name),
                    via: Via::Interpreter,
                    needed_by: Some(lossy(&self.nodes[*by].name)),
                    package: None,
                })
            }))
            .collect()
    }
}

/// `b` as text, invalid UTF-8 replaced. Names are almost always valid: checked whole first
/// (the chunked lossy decoder cost a fortieth of an audit's instructions).
pub(crate) fn lossy(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}
