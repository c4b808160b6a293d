//! After loading: glibc's version check of every object (elf/dl-version.c:
//! _dl_check_all_versions) and symbol binding for both flavours (glibc elf/dl-reloc.c,
//! dl-lookup.c; musl ldso/dynlink.c: do_relocs).

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::collections::BTreeSet;
use std::sync::Arc;

use foldhash::{HashMap, HashSet};
use hashbrown::HashTable;

use ldsim_loader::binding::{
    self, check_version, glibc_lookup, musl_lookup, LookupClass, LookupName, ScopeEntry,
    VersionCheck,
};
use ldsim_loader::STB_WEAK;

use crate::graph::{lossy, LinkMap, Role, MAX_PROBLEMS_PER_OBJECT};
use crate::report::{Finding, Problem, When};
use crate::store::{Bound, Definer, Knowledge};
use crate::voice::Voice;

/// glibc: every Vernaux of every object in `objects` (load order) against its provider's
/// Verdefs (elf/dl-version.c: _dl_check_map_versions). Returns the set of (object index,
/// version name) that are missing.
pub(crate) fn glibc_versions(
    map: &mut LinkMap,
    objects: &[usize],
    voice: Voice<'_>,
) -> BTreeSet<(usize, Vec<u8>)> {
    let mut missing = BTreeSet::new();
    let mut problems = Vec::new();
    let not_found: foldhash::HashSet<&[u8]> = map.missing.iter().map(Vec::as_slice).collect();
    for &idx in objects {
        let node = &map.nodes[idx];
        let obj = &node.parsed.object;
        let required_by = || object_name(node, voice.argv0);
        for need in &obj.verneeds {
            // find_needed: any loaded object requested under that name.
            let provider = map.nodes.iter().position(|n| {
                n.role != Role::Main
                    && (n.name == *need.file || n.names.iter().any(|x| *x == *need.file))
            });
            let Some(provider) = provider else {
                if not_found.contains(&*need.file) {
                    // Trace mode's faked object for a library not found: not checked.
                    continue;
                }
                // A Verneed naming a file that is not loaded trips an assertion in ld.so
                // (elf/dl-version.c: _dl_check_map_versions, `needed != NULL`).
                let library = lossy(&need.file);
                let required_by = required_by();
                problems.push(Problem::MissingVersion {
                    version: need.entries.first().map(|a| lossy(&a.name)).unwrap_or_default(),
                    provider: None,
                    required_by: required_by.clone(),
                    symbols: Vec::new(),
                    weak: false,
                    message: "Inconsistency detected by ld.so: dl-version.c: _dl_check_map_versions: \
                              Assertion `needed != NULL' failed!"
                        .to_string(),
                    reason: format!(
                        "{required_by} has version requirements on {library}, which is not loaded (not among its dependencies)"
                    ),
                    library,
                });
                continue;
            };
            let pnode = &map.nodes[provider];
            if pnode.parsed.knowledge == Knowledge::Unknown {
                // Nothing is known of its versions: not checked (reported as unknown).
                continue;
            }
            for aux in &need.entries {
                match check_version(&pnode.parsed.object, aux) {
                    VersionCheck::Ok => {}
                    VersionCheck::NoVersionInfo => map.warnings.push(format!(
                        "{}: {}: no version information available (required by {})",
                        lossy(voice.argv0),
                        lossy(&pnode.name),
                        required_by()
                    )),
                    VersionCheck::Missing => {
                        if !aux.is_weak() {
                            missing.insert((idx, aux.name.to_vec()));
                        }
                        let version = lossy(&aux.name);
                        let provider_name = lossy(&pnode.name);
                        let required_by = required_by();
                        // Nobody reads the words (`--quiet`): the symbols, reason and message
                        // of each missing version are not gathered.
                        let (symbols, reason, message) = if voice.terse {
                            (Vec::new(), String::new(), String::new())
                        } else {
                            let symbols = symbols_needing(obj, aux.other);
                            let reason = version_reason(&version, &lossy(&need.file), &symbols);
                            let message = if aux.is_weak() {
                                format!("weak version `{version}' not found (required by {required_by})")
                            } else {
                                voice.version_error(&provider_name, &version, &required_by)
                            };
                            (symbols, reason, message)
                        };
                        problems.push(Problem::MissingVersion {
                            library: lossy(&need.file),
                            weak: aux.is_weak(),
                            reason,
                            message,
                            provider: Some(provider_name),
                            required_by,
                            version,
                            symbols,
                        });
                    }
                }
            }
        }
    }
    map.problems.extend(problems.into_iter().map(Finding::new));
    missing
}

fn version_reason(version: &str, library: &str, symbols: &[String]) -> String {
    let what = if symbols.is_empty() {
        "no symbol (a marker version)".to_string()
    } else {
        symbols.join(", ")
    };
    format!(
        "{library} on the target is older than the one linked against; needing {version}: {what}"
    )
}

/// Symbols of `obj` whose versym points at the Vernaux with this `other` index: undefined
/// references, and data the executable copy-relocated (defined in its .bss, yet still bound
/// to the library's version, e.g. `__libc_single_threaded@GLIBC_2.32`). Vernaux indices are
/// distinct from Verdef indices, so nothing the object defines itself matches.
fn symbols_needing(obj: &ldsim_loader::ElfObject, other: u16) -> Vec<String> {
    let index = other & !ldsim_loader::VERSYM_HIDDEN;
    let mut names: Vec<String> = obj
        .symbols
        .iter()
        .filter(|s| s.version_index() == Some(index))
        .map(|s| lossy(&s.name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The order a real start-up relocates objects in: dependencies first, the main program
/// last (glibc l_initfini reversed; since 2.39 libc.so.6 first, commit 78ca44da01).
fn relocation_order(map: &LinkMap, objects: &[usize], libc_first: bool) -> Vec<usize> {
    let mut order: Vec<usize> = objects.iter().rev().copied().collect();
    if libc_first {
        if let Some(pos) = order
            .iter()
            .position(|&i| map.nodes[i].parsed.object.soname() == Some(b"libc.so.6"))
        {
            let libc = order.remove(pos);
            order.insert(0, libc);
        }
    }
    order
}

/// One glibc binding pass: which objects are relocated, in which scope, and how.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GlibcPass<'p> {
    /// The objects relocated, in load order (the program's scope, or a dlopen's new objects).
    pub objects: &'p [usize],
    /// The lookup scope: the global scope, then a dlopen'ed object's local scope.
    pub scope: &'p [usize],
    /// LD_BIND_NOW set (a run); every relocation is immediate for dlopen(RTLD_NOW) too.
    pub bind_now: bool,
    /// dlopen(RTLD_NOW): everything is bound before dlopen returns.
    pub dlopen: bool,
    pub glibc_version: ldsim_loader::Release,
}

/// glibc symbol binding as list mode does it (`ldd -r`: every object but ld.so relocated
/// immediately, last loaded first, every failure reported, elf/rtld.c: dl_main's trace
/// branch), including symbols whose version is missing (`undefined symbol: X, version V`).
/// Each problem is ranked by when the real run meets it: start-up relocation in
/// [`relocation_order`], then lazily bound calls.
pub(crate) fn glibc_symbols(map: &mut LinkMap, pass: GlibcPass<'_>, voice: Voice<'_>) {
    let real_order = relocation_order(
        map,
        pass.objects,
        pass.glibc_version >= ldsim_loader::Release::new(2, 39, 0),
    );
    // Positions by node, so that a long scope is not searched once per object.
    let mut real_rank = ByNode::new(map.nodes.len());
    for (r, &i) in real_order.iter().enumerate() {
        real_rank.set(i, r);
    }
    let mut scope_position = ByNode::new(map.nodes.len());
    // Each object of the scope by identity, and whether it is the main program there.
    let mut in_scope: HashMap<u64, bool> = HashMap::default();
    for (p, &i) in pass.scope.iter().enumerate() {
        scope_position.set_first(i, p);
        in_scope
            .entry(map.nodes[i].parsed.serial)
            .or_insert(map.nodes[i].role == Role::Main);
    }
    // Every object of the scope read from a file: none may define what no symbol table
    // shows, and what binding leaves undefined can be remembered (store.rs: Bound).
    let scope_complete = pass
        .scope
        .iter()
        .all(|&i| map.nodes[i].parsed.knowledge == Knowledge::Complete);
    // This scope holds every one of these definers where it defined what it did.
    let holds_all = |definers: &[Definer]| {
        definers.iter().all(|d| {
            in_scope
                .get(&d.object)
                .is_some_and(|&is_main| !(is_main && d.not_as_main))
        })
    };
    // The scope by serial but its main program, made when a binding is first remembered.
    let mut searched: Option<Arc<[u64]>> = None;
    // Appended to where they end up: tens of thousands of findings are not moved twice.
    let mut problems = std::mem::take(&mut map.problems);
    let mut omitted = 0;
    let mut unverified = BTreeSet::new();
    // Objects whose references were all defined once by objects this scope also holds
    // bind without a problem again: only the others are bound.
    let to_bind: Vec<ToBind<'_>> = pass
        .objects
        .iter()
        .rev()
        .copied()
        .filter(|&i| map.nodes[i].role != Role::Interpreter)
        .filter_map(|i| {
            let remembered = map.nodes[i].parsed.bindings.find(holds_all);
            match &remembered {
                // Every reference defined again: nothing to bind.
                Some(bound) if bound.missing.is_empty() => None,
                // Remembered bindings hold only among objects read whole (`opaque_may_define`).
                _ if !scope_complete => Some((i, None)),
                _ => Some((i, remembered)),
            }
        })
        .map(|(i, remembered)| (i, map.nodes[i].parsed.references(), remembered))
        .collect();
    let scope = Scope::new(map, pass.scope);
    let by_request = requested_names(map);
    let mut near = Near::new(pass.scope.len(), map.nodes.len());
    // The scope positions that defined a reference of the object being bound (bit 1) or a
    // copy-relocated one (bit 2): hundreds of references, a handful of definers. Reset for
    // each object.
    let mut defined_at: Vec<u8> = vec![0; pass.scope.len()];
    let mut definer_positions: Vec<usize> = Vec::new();
    for (idx, refs, remembered) in to_bind {
        let node = &map.nodes[idx];
        let obj = &node.parsed.object;
        let now =
            pass.dlopen || pass.bind_now || obj.dynamic.as_ref().is_some_and(|d| d.binds_now());
        let symbolic =
            obj.dynamic.as_ref().is_some_and(|d| d.symbolic()) && node.role != Role::Main;
        let self_pos = scope_position.get(idx);
        let referrer = Referrer {
            name: object_name(node, voice.argv0),
            rank: real_rank.get(idx).unwrap_or(0) as u64,
            binds_now: now,
            pass: &pass,
            voice: &voice,
        };
        let requirements = binding::Requirements::new(obj);
        if let Some(remembered) = remembered {
            // Only the objects not searched then can define what was missing.
            let unsearched: Vec<ScopeEntry<'_>> = pass
                .scope
                .iter()
                .enumerate()
                .filter(|&(_, &i)| {
                    remembered
                        .searched
                        .binary_search(&map.nodes[i].parsed.serial)
                        .is_err()
                })
                .map(|(p, _)| scope.entries()[p])
                .collect();
            let mut listed = 0;
            for &ref_index in remembered.missing.iter() {
                let ref_index = ref_index as usize;
                let Some((r, sym)) = refs
                    .get(ref_index)
                    .and_then(|r| Some((r, obj.symbols.get(r.symbol as usize)?)))
                else {
                    continue;
                };
                let version = requirements.of(sym);
                let name = LookupName::with_gnu_hash(&sym.name, r.name_hash);
                if glibc_lookup(&unsearched, &name, version.as_ref(), lookup_class(r)).is_some() {
                    continue;
                }
                if listed == MAX_PROBLEMS_PER_OBJECT {
                    omitted += 1;
                    continue;
                }
                listed += 1;
                problems.push(referrer.undefined(obj, r, ref_index, sym, version.as_ref()));
            }
            continue;
        }
        // The object and its direct dependencies: where most references are defined. Its
        // wider dependency closure is only gathered when a reference is first found elsewhere.
        let mut direct: Vec<usize> = self_pos.into_iter().collect();
        for needed in obj.needed().iter().take(MAX_NEAR_OBJECTS) {
            if let Some(p) = by_request
                .get(&**needed)
                .and_then(|&n| scope_position.get(n))
            {
                direct.push(p);
            }
        }
        // Whether a reference is defined does not depend on the order the scope is searched
        // in (each object matches or not on its own): the direct dependencies, where the
        // linker found most definitions, are tried first and the whole scope only after.
        let direct_entries: Vec<ScopeEntry<'_>> =
            direct.iter().map(|&p| scope.entries()[p]).collect();
        let mut near_gathered = false;
        let mut near_walk: Option<Vec<u32>> = None;
        let mut listed = 0;
        for p in definer_positions.drain(..) {
            defined_at[p] = 0;
        }
        let mut all_defined = true;
        let mut missing: Vec<u32> = Vec::new();
        for (ref_index, r) in refs.iter().enumerate() {
            let Some(sym) = obj.symbols.get(r.symbol as usize) else {
                continue;
            };
            if sym.binding == ldsim_loader::STB_LOCAL {
                continue;
            }
            let version = requirements.of(sym);
            let class = lookup_class(r);
            let name = LookupName::with_gnu_hash(&sym.name, r.name_hash);
            let own = match (symbolic, self_pos) {
                (true, Some(p)) => {
                    glibc_lookup(&scope.entries()[p..=p], &name, version.as_ref(), class).map(|_| p)
                }
                _ => None,
            };
            let found = own
                .or_else(|| {
                    glibc_lookup(&direct_entries, &name, version.as_ref(), class)
                        .map(|d| direct[d.scope_index])
                })
                .or_else(|| scope.first(&name, version.as_ref(), class));
            // Found at all decides the problems; which definer is recorded decides how often
            // the object is bound again: one of its own dependencies is in every scope that
            // loads it, where an earlier object of this scope (the main program, a library
            // defining the same inline function) may not be.
            let found = match found {
                Some(p) if direct.contains(&p) || (near_gathered && near.holds(p)) => Some(p),
                Some(p) => {
                    if !near_gathered {
                        near.gather(map, idx, &by_request, &scope_position);
                        near_gathered = true;
                    }
                    if near.holds(p) {
                        Some(p)
                    } else {
                        let near_positions: Cow<'_, [u32]> = match scope.built_index() {
                            None => Cow::Borrowed(
                                near_walk
                                    .get_or_insert_with(|| {
                                        (0..pass.scope.len() as u32)
                                            .filter(|&q| near.holds(q as usize))
                                            .collect()
                                    })
                                    .as_slice(),
                            ),
                            Some(index) => index
                                .positions(&name)
                                .iter()
                                .copied()
                                .filter(|&q| near.holds(q as usize))
                                .collect(),
                        };
                        scope
                            .lookup(&near_positions, &name, version.as_ref(), class)
                            .or(Some(p))
                    }
                }
                None => None,
            };
            if let Some(p) = found {
                let bit = if class == LookupClass::Copy { 2 } else { 1 };
                if let Some(mark) = defined_at.get_mut(p) {
                    if *mark == 0 {
                        definer_positions.push(p);
                    }
                    *mark |= bit;
                }
                continue;
            }
            if sym.is_undefined() && sym.binding == STB_WEAK {
                continue;
            }
            all_defined = false;
            if !scope_complete && map.opaque_may_define(pass.scope, version.as_ref()) {
                unverified.insert(lossy(&sym.name));
                continue;
            }
            // Only a binding among objects read whole is remembered.
            if scope_complete {
                missing.push(ref_index as u32);
            }
            if listed == MAX_PROBLEMS_PER_OBJECT {
                omitted += 1;
                continue;
            }
            listed += 1;
            problems.push(referrer.undefined(obj, r, ref_index, sym, version.as_ref()));
        }
        if all_defined || scope_complete {
            let mut definers: Vec<Definer> = Vec::new();
            for &p in &definer_positions {
                let object = map.nodes[pass.scope[p]].parsed.serial;
                for (bit, not_as_main) in [(1, false), (2, true)] {
                    if defined_at[p] & bit != 0 {
                        definers.push(Definer {
                            object,
                            not_as_main,
                        });
                    }
                }
            }
            definers.sort_unstable();
            definers.dedup();
            let searched = if all_defined {
                Arc::from([])
            } else {
                searched
                    .get_or_insert_with(|| {
                        let mut serials: Vec<u64> = pass
                            .scope
                            .iter()
                            .map(|&i| &map.nodes[i])
                            .filter(|n| n.role != Role::Main)
                            .map(|n| n.parsed.serial)
                            .collect();
                        serials.sort_unstable();
                        serials.dedup();
                        serials.into()
                    })
                    .clone()
            };
            node.parsed.bindings.remember(Bound {
                definers: definers.into_boxed_slice(),
                missing: missing.into_boxed_slice(),
                searched,
            });
        }
    }
    drop(scope);
    map.problems = problems;
    map.omitted_problems += omitted;
    map.unverified.extend(unverified);
}

/// An object a pass binds: its node, its references, and a binding of it remembered from a
/// scope this one holds every definer of, where some references were missing.
type ToBind<'m> = (usize, &'m [binding::Reference], Option<&'m Bound>);

/// The object whose references a binding pass is looking up, as its undefined ones are
/// reported.
struct Referrer<'a> {
    name: String,
    /// Its place in the real start-up's relocation order.
    rank: u64,
    /// Bound at start-up whatever the relocation (LD_BIND_NOW, DF_BIND_NOW, dlopen).
    binds_now: bool,
    pass: &'a GlibcPass<'a>,
    voice: &'a Voice<'a>,
}

impl Referrer<'_> {
    /// The finding for reference `r` (the `ref_index`th of the object's) that no object of
    /// the scope defines, ranked by when the real run meets it.
    fn undefined(
        &self,
        obj: &ldsim_loader::ElfObject,
        r: &binding::Reference,
        ref_index: usize,
        sym: &ldsim_loader::Symbol,
        version: Option<&binding::VersionReq<'_>>,
    ) -> Finding {
        let when = if !self.binds_now && r.glibc_lazy(obj, self.pass.glibc_version) {
            When::FirstCall
        } else {
            When::Startup
        };
        // The symbol's name is kept under `--quiet` too: a plugin's verdict leaves out by name
        // what its host provides. Its version and referrer are only words.
        let name = lossy(&sym.name);
        let phase = u64::from(when == When::FirstCall);
        let rank = phase << 48 | self.rank << 24 | ref_index as u64;
        let (reason, message, vname, required_by) = if self.voice.terse {
            (String::new(), String::new(), None, String::new())
        } else {
            let vname = version.map(|v| lossy(v.name));
            (
                undefined_reason(&name, vname.as_deref(), when, self.pass.dlopen),
                self.voice.symbol_error(&self.name, &name, vname.as_deref()),
                vname,
                self.name.clone(),
            )
        };
        Finding::ranked(
            Problem::UndefinedSymbol {
                reason,
                message,
                symbol: name,
                version: vname,
                required_by,
                when,
            },
            rank,
        )
    }
}

/// A position for each node of a link map (its index there): a vector, not a map, as the
/// nodes are numbered from 0.
struct ByNode(Vec<u32>);

impl ByNode {
    fn new(nodes: usize) -> Self {
        ByNode(vec![u32::MAX; nodes])
    }

    fn set(&mut self, node: usize, position: usize) {
        if let Some(slot) = self.0.get_mut(node) {
            *slot = u32::try_from(position).unwrap_or(u32::MAX);
        }
    }

    /// Set unless set before (an object's first position in a scope).
    fn set_first(&mut self, node: usize, position: usize) {
        if self.get(node).is_none() {
            self.set(node, position);
        }
    }

    fn get(&self, node: usize) -> Option<usize> {
        self.0
            .get(node)
            .filter(|&&p| p != u32::MAX)
            .map(|&p| p as usize)
    }
}

/// Every name an object of the map was requested by, to its node.
fn requested_names(map: &LinkMap) -> HashMap<&[u8], usize> {
    let mut by_request: HashMap<&[u8], usize> = HashMap::default();
    for (i, node) in map.nodes.iter().enumerate() {
        for name in node.names.iter().chain(std::iter::once(&node.name)) {
            by_request.entry(name.as_slice()).or_insert(i);
        }
    }
    by_request
}

/// How many of an object's dependencies [`Near::gather`] marks: enough for any real library,
/// and a bound on the work for a chain of thousands (the preference it serves only decides
/// how often an object is bound again, never what binding finds).
const MAX_NEAR_OBJECTS: usize = 256;

/// An object and the objects its DT_NEEDED entries bring in, transitively, as loaded in this
/// map: marked by scope position, reused from one object to the next.
struct Near {
    /// By scope position.
    marked: Vec<bool>,
    /// By node.
    visited: Vec<bool>,
    marked_positions: Vec<usize>,
    visited_nodes: Vec<usize>,
}

impl Near {
    fn new(scope_len: usize, nodes: usize) -> Self {
        Near {
            marked: vec![false; scope_len],
            visited: vec![false; nodes],
            marked_positions: Vec::new(),
            visited_nodes: Vec::new(),
        }
    }

    /// Mark `start`'s dependencies, breadth first, up to [`MAX_NEAR_OBJECTS`].
    fn gather(
        &mut self,
        map: &LinkMap,
        start: usize,
        by_request: &HashMap<&[u8], usize>,
        scope_position: &ByNode,
    ) {
        for p in self.marked_positions.drain(..) {
            self.marked[p] = false;
        }
        for n in self.visited_nodes.drain(..) {
            self.visited[n] = false;
        }
        let mut queue = std::collections::VecDeque::from([start]);
        self.visit(start);
        let mut gathered = 0;
        while let Some(i) = queue.pop_front() {
            if gathered == MAX_NEAR_OBJECTS {
                break;
            }
            gathered += 1;
            if let Some(p) = scope_position.get(i) {
                self.marked[p] = true;
                self.marked_positions.push(p);
            }
            // Names are shared per string: in a long list, a repeated DT_NEEDED name is looked
            // up once (30,000 entries naming one long string).
            let needed = map.nodes[i].parsed.object.needed();
            let mut asked: Option<HashSet<*const u8>> = (needed.len() > 16).then(HashSet::default);
            for needed in needed {
                if asked.as_mut().is_some_and(|a| !a.insert(needed.as_ptr())) {
                    continue;
                }
                if let Some(&next) = by_request.get(&**needed) {
                    if self.visit(next) {
                        queue.push_back(next);
                    }
                }
            }
        }
    }

    fn visit(&mut self, node: usize) -> bool {
        match self.visited.get_mut(node) {
            Some(seen) if !*seen => {
                *seen = true;
                self.visited_nodes.push(node);
                true
            }
            _ => false,
        }
    }

    fn holds(&self, position: usize) -> bool {
        self.marked.get(position).copied().unwrap_or(false)
    }
}

fn undefined_reason(name: &str, version: Option<&str>, when: When, dlopen: bool) -> String {
    let what = match version {
        Some(v) => format!("no loaded object defines {name} at version {v}"),
        None => format!("no loaded object defines {name}"),
    };
    match when {
        _ if dlopen => format!("{what}; dlopen(RTLD_NOW) binds every symbol before it returns"),
        When::Startup => format!("{what}; it is bound at start-up"),
        When::FirstCall => format!("{what}; it is called through the PLT and bound lazily, so the program dies when it is first called"),
    }
}

/// One musl binding pass: the objects relocated in musl's order and the global lookup chain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MuslPass<'p> {
    /// Relocated in this order (a program: its libraries in list order, then itself; a
    /// dlopen: the new object, then its new dependencies).
    pub order: &'p [usize],
    /// The global symbol chain in list order.
    pub scope: &'p [usize],
    /// musl ≥ 1.2.4 maps LFS64 names in the loader.
    pub lfs64_remap: bool,
    pub ldso: usize,
    /// No report is shown: no words for the problems.
    pub terse: bool,
}

/// musl binding: everything at once, versions ignored but hidden ones, every failure
/// reported (ldso/dynlink.c: do_relocs; a dlopen stops at the first, but the set is the same).
pub(crate) fn musl_symbols(map: &mut LinkMap, pass: MuslPass<'_>, app_name: &[u8]) {
    let scope = Scope::new(map, pass.scope);
    let ldso_scope: Vec<ScopeEntry<'_>> = scope
        .entries()
        .iter()
        .zip(pass.scope)
        .filter(|(_, &i)| i == pass.ldso)
        .map(|(e, _)| *e)
        .collect();
    let mut problems = Vec::new();
    let mut omitted = 0;
    let mut unverified = BTreeSet::new();
    for &idx in pass.order {
        let node = &map.nodes[idx];
        if node.role == Role::Interpreter {
            continue;
        }
        let obj = &node.parsed.object;
        let path = object_name(node, app_name);
        let mut listed = 0;
        for r in binding::musl_references(obj) {
            let Some(sym) = obj.symbols.get(r.symbol as usize) else {
                continue;
            };
            if sym.binding == ldsim_loader::STB_LOCAL {
                continue;
            }
            let class = lookup_class(&r);
            let name = LookupName::with_gnu_hash(&sym.name, r.name_hash);
            let mut found = musl_lookup(&scope.candidates(&name), &name, class).is_some();
            if !found && pass.lfs64_remap {
                if let Some(base) = binding::musl_lfs64_alias(&sym.name) {
                    let base = LookupName::new(base);
                    found = musl_lookup(&ldso_scope, &base, LookupClass::Plt).is_some();
                }
            }
            if found || (sym.is_undefined() && sym.binding == STB_WEAK) {
                continue;
            }
            if map.opaque_may_define(pass.scope, None) {
                unverified.insert(lossy(&sym.name));
                continue;
            }
            if listed == MAX_PROBLEMS_PER_OBJECT {
                omitted += 1;
                continue;
            }
            listed += 1;
            let name = lossy(&sym.name);
            let (message, reason) = if pass.terse {
                (String::new(), String::new())
            } else {
                (
                    format!("Error relocating {path}: {name}: symbol not found"),
                    format!(
                        "no object loaded by musl defines {name} (musl binds every symbol at start-up)"
                    ),
                )
            };
            problems.push(Problem::UndefinedSymbol {
                message,
                reason,
                symbol: name,
                version: None,
                required_by: path.clone(),
                when: When::Startup,
            });
        }
    }
    drop(ldso_scope);
    drop(scope);
    map.problems.extend(problems.into_iter().map(Finding::new));
    map.omitted_problems += omitted;
    map.unverified.extend(unverified);
}

/// glibc ≥ 2.33 on x86: every loaded object's GNU_PROPERTY_X86_ISA_1_NEEDED must be within
/// the CPU's levels (bit 0 baseline … bit 3 v4); fatal after loading, not a search skip
/// (sysdeps/x86/dl-prop.h: dl_isa_level_check).
pub(crate) fn glibc_isa_levels(map: &mut LinkMap, objects: &[usize], argv0: &[u8], cpu_level: u8) {
    let supported = (1u32 << cpu_level.clamp(1, 4)) - 1;
    let mut problems = Vec::new();
    for &idx in objects {
        let node = &map.nodes[idx];
        let needed = node.parsed.object.x86_isa_needed;
        if needed & !supported == 0 {
            continue;
        }
        let object = object_name(node, argv0);
        let level = 32 - needed.leading_zeros();
        problems.push(Problem::IsaLevel {
            message: format!("{object}: CPU ISA level is lower than required"),
            reason: format!(
                "{object} is built for x86-64-v{level}; the target CPU is x86-64-v{} (see --cpu)",
                cpu_level.clamp(1, 4)
            ),
            object,
        });
    }
    map.problems.extend(problems.into_iter().map(Finding::new));
}

/// A name some entry of an indexed scope exports: the first entry's position and, when more
/// entries export it, where their positions are (16 bytes of a table entry per name, no
/// allocation unless a name is defined twice).
struct ScopeName<'m> {
    hash: u64,
    name: &'m [u8],
    first: u32,
    /// 1 + index into `Scope::Indexed::more`, 0 when only `first` defines the name.
    more: u32,
}

/// A lookup scope as binding searches it. Walking the scope probes each object's export index
/// (the real loader's way: lookups × scope length); indexing it costs the scope's exports
/// once, then a lookup visits only the entries that may define the name (a chain of 5,000
/// libraries). The scope is walked until walking has cost [`INDEX_AFTER`] times what indexing
/// would, then indexed: never more than about twice the cheaper of the two, without knowing
/// beforehand how many lookups will need the whole scope.
struct Scope<'m> {
    entries: Vec<ScopeEntry<'m>>,
    /// Entry probes walking may still spend before the scope is indexed.
    walk_budget: Cell<usize>,
    index: OnceCell<ScopeIndex<'m>>,
}

/// Walking a scope may cost this many probes per exported name before it is indexed.
const INDEX_AFTER: usize = 16;

/// Every name the entries of a scope export, to the positions that export it.
struct ScopeIndex<'m> {
    by_name: HashTable<ScopeName<'m>>,
    /// The positions of each name more than one entry defines.
    more: Vec<Vec<u32>>,
}

impl<'m> ScopeIndex<'m> {
    fn new(entries: &[ScopeEntry<'m>]) -> Self {
        let mut by_name: HashTable<ScopeName<'m>> = HashTable::new();
        let mut more: Vec<Vec<u32>> = Vec::new();
        for (position, entry) in entries.iter().enumerate() {
            let position = position as u32;
            for (hash, name) in entry.exports().names(&entry.object.symbols) {
                match by_name.entry(hash, |e| e.hash == hash && e.name == name, |e| e.hash) {
                    hashbrown::hash_table::Entry::Occupied(mut found) => {
                        let known = found.get_mut();
                        if known.more == 0 {
                            more.push(vec![known.first]);
                            known.more = more.len() as u32;
                        }
                        more[known.more as usize - 1].push(position);
                    }
                    hashbrown::hash_table::Entry::Vacant(slot) => {
                        slot.insert(ScopeName {
                            hash,
                            name,
                            first: position,
                            more: 0,
                        });
                    }
                }
            }
        }
        ScopeIndex { by_name, more }
    }

    /// The scope positions that may define `name`, in scope order.
    fn positions(&self, name: &LookupName<'_>) -> &[u32] {
        match self.by_name.find(name.hash(), |e| {
            e.hash == name.hash() && e.name == name.bytes
        }) {
            None => &[],
            Some(e) if e.more == 0 => std::slice::from_ref(&e.first),
            Some(e) => self
                .more
                .get(e.more as usize - 1)
                .map_or(&[], Vec::as_slice),
        }
    }
}

impl<'m> Scope<'m> {
    fn new(map: &'m LinkMap, scope: &[usize]) -> Self {
        let entries = scope_entries(map, scope);
        let exports: usize = entries.iter().map(|e| e.object.symbols.len()).sum();
        Scope {
            entries,
            walk_budget: Cell::new(exports.saturating_mul(INDEX_AFTER)),
            index: OnceCell::new(),
        }
    }

    fn entries(&self) -> &[ScopeEntry<'m>] {
        &self.entries
    }

    /// The index for a lookup about to search the whole scope: `None` (walk it) while the
    /// walking budget lasts, then the index, built once.
    fn index_for_lookup(&self) -> Option<&ScopeIndex<'m>> {
        if let Some(index) = self.index.get() {
            return Some(index);
        }
        match self.walk_budget.get().checked_sub(self.entries.len()) {
            Some(left) => {
                self.walk_budget.set(left);
                None
            }
            None => Some(self.index.get_or_init(|| ScopeIndex::new(&self.entries))),
        }
    }

    /// The index, if one has been built.
    fn built_index(&self) -> Option<&ScopeIndex<'m>> {
        self.index.get()
    }

    /// glibc's lookup of `name` in the whole scope: the position of the first definer.
    fn first(
        &self,
        name: &LookupName<'_>,
        version: Option<&binding::VersionReq<'_>>,
        class: LookupClass,
    ) -> Option<usize> {
        match self.index_for_lookup() {
            None => glibc_lookup(&self.entries, name, version, class).map(|d| d.scope_index),
            Some(index) => self.lookup(index.positions(name), name, version, class),
        }
    }

    /// glibc's lookup among the entries at `positions` (in scope order): the position of the
    /// first that defines `name`.
    fn lookup(
        &self,
        positions: &[u32],
        name: &LookupName<'_>,
        version: Option<&binding::VersionReq<'_>>,
        class: LookupClass,
    ) -> Option<usize> {
        let chosen: Vec<ScopeEntry<'m>> = positions
            .iter()
            .map(|&p| self.entries[p as usize])
            .collect();
        glibc_lookup(&chosen, name, version, class).map(|d| positions[d.scope_index] as usize)
    }

    /// The entries a lookup of `name` visits, in scope order (lookup keeps the first match).
    fn candidates(&self, name: &LookupName<'_>) -> Cow<'_, [ScopeEntry<'m>]> {
        match self.index_for_lookup() {
            None => Cow::Borrowed(&self.entries),
            Some(index) => Cow::Owned(
                index
                    .positions(name)
                    .iter()
                    .map(|&p| self.entries[p as usize])
                    .collect(),
            ),
        }
    }
}

/// A lookup scope as lookup sees it.
fn scope_entries<'m>(map: &'m LinkMap, scope: &[usize]) -> Vec<ScopeEntry<'m>> {
    scope
        .iter()
        .map(|&i| ScopeEntry {
            object: &map.nodes[i].parsed.object,
            indexes: &map.nodes[i].parsed.indexes,
            is_main: map.nodes[i].role == Role::Main,
        })
        .collect()
}

fn lookup_class(r: &binding::Reference) -> LookupClass {
    if r.copy {
        LookupClass::Copy
    } else if r.plt_only {
        LookupClass::Plt
    } else {
        LookupClass::Other
    }
}

/// How the loader names an object in messages: argv[0] for the main program, else its path.
fn object_name(node: &crate::graph::MapObject, argv0: &[u8]) -> String {
    if node.role == Role::Main {
        lossy(argv0)
    } else {
        lossy(&node.name)
    }
}
