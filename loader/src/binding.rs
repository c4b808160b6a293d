//! Symbol-version checks and symbol lookup, per loader flavour.
//!
//! glibc: elf/dl-version.c (`_dl_check_map_versions`, `match_symbol`) and elf/dl-lookup.c
//! (`do_lookup_x`, `check_match`). musl: ldso/dynlink.c (`find_sym2`, `do_relocs`).

use foldhash::HashMap;
use hashbrown::HashTable;
use std::sync::LazyLock;

/// The one hasher of symbol names in a run, seeded at random: names come from the files
/// checked, and a fixed hash would let a file choose thousands of colliding names (every
/// export index probed by one `LookupName` must use the same seed).
static NAME_HASHER: LazyLock<foldhash::fast::RandomState> = LazyLock::new(Default::default);
use std::hash::BuildHasher;

use crate::gnu_hash::gnu_hash;
use crate::model::*;

/// A symbol name as lookup carries it: hashed once, then probed in every object's index
/// (glibc likewise computes a name's hash once per `_dl_lookup_symbol_x`).
#[derive(Debug, Clone)]
pub struct LookupName<'a> {
    pub bytes: &'a [u8],
    /// The run's hash of it, for name indexes; taken at the first such probe (most objects
    /// are searched through their DT_GNU_HASH table instead).
    hash: std::cell::OnceCell<u64>,
    /// Its GNU hash, for objects searched through DT_GNU_HASH.
    gnu: u32,
}

impl<'a> LookupName<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self::with_gnu_hash(bytes, gnu_hash(bytes))
    }

    /// A name whose GNU hash is known already (a [`Reference`] carries it).
    pub fn with_gnu_hash(bytes: &'a [u8], gnu: u32) -> Self {
        LookupName {
            bytes,
            hash: std::cell::OnceCell::new(),
            gnu,
        }
    }

    pub fn hash(&self) -> u64 {
        *self.hash.get_or_init(|| NAME_HASHER.hash_one(self.bytes))
    }
}

/// One exported name of an object: its hash, its first symbol (whose name it is) and, when
/// more symbols carry it (several versions of one name), where their list is.
#[derive(Debug, Clone, Copy)]
struct Export {
    hash: u64,
    first: u32,
    /// 1 + index into [`ExportIndex::more`], 0 when `first` is the only one.
    more: u32,
}

/// Exported definitions of one object by name, built once per parsed object. 16 bytes a name:
/// names are compared against the object's own symbol table, never copied.
#[derive(Debug, Default)]
pub struct ExportIndex {
    by_name: HashTable<Export>,
    /// Every symbol of a name carried by more than one, in symbol-table order.
    more: Vec<Vec<u32>>,
}

impl ExportIndex {
    pub fn new(obj: &ElfObject) -> Self {
        let symbols = &obj.symbols;
        let mut by_name: HashTable<Export> = HashTable::with_capacity(symbols.len());
        let mut more: Vec<Vec<u32>> = Vec::new();
        // The parser shares one `Name` among the symbols naming one long string offset: hash
        // each such name once, not once per symbol (a long name referenced by many symbols).
        let mut long_names: HashMap<*const u8, u64> = HashMap::default();
        for (i, s) in symbols.iter().enumerate().skip(1) {
            // An undefined symbol with a zero value can never be a definition.
            if s.name.is_empty() || (s.is_undefined() && s.value == 0) {
                continue;
            }
            let hash = if s.name.len() < crate::parse::SHORT_SCAN {
                NAME_HASHER.hash_one(&*s.name)
            } else {
                *long_names
                    .entry(s.name.as_ptr())
                    .or_insert_with(|| NAME_HASHER.hash_one(&*s.name))
            };
            let same_name = |e: &Export| e.hash == hash && symbols[e.first as usize].name == s.name;
            match by_name.entry(hash, same_name, |e| e.hash) {
                hashbrown::hash_table::Entry::Occupied(mut found) => {
                    let export = found.get_mut();
                    if export.more == 0 {
                        more.push(vec![export.first]);
                        export.more = more.len() as u32;
                    }
                    more[export.more as usize - 1].push(i as u32);
                }
                hashbrown::hash_table::Entry::Vacant(slot) => {
                    slot.insert(Export {
                        hash,
                        first: i as u32,
                        more: 0,
                    });
                }
            }
        }
        ExportIndex { by_name, more }
    }

    /// The symbols of `symbols` (the object this index was built from) that may define
    /// `name`, in symbol-table order.
    pub fn candidates<'s>(&'s self, symbols: &[Symbol], name: &LookupName<'_>) -> &'s [u32] {
        let hash = name.hash();
        let found = self.by_name.find(hash, |e| {
            e.hash == hash
                && symbols
                    .get(e.first as usize)
                    .is_some_and(|s| *s.name == *name.bytes)
        });
        match found {
            None => &[],
            Some(e) if e.more == 0 => std::slice::from_ref(&e.first),
            Some(e) => self
                .more
                .get(e.more as usize - 1)
                .map_or(&[], Vec::as_slice),
        }
    }

    /// How many distinct names the object exports.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Every exported name of `symbols` (the object this index was built from) with its hash.
    pub fn names<'s>(&'s self, symbols: &'s [Symbol]) -> impl Iterator<Item = (u64, &'s [u8])> {
        self.by_name
            .iter()
            .filter_map(move |e| symbols.get(e.first as usize).map(|s| (e.hash, &*s.name)))
    }
}

/// What lookup indexes of an object, each built the first time it is needed: its
/// [`ExportIndex`] (lookup goes through DT_GNU_HASH where the object has one, so most real
/// objects never need it) and its version names by index.
#[derive(Debug, Default)]
pub struct LazyIndexes {
    exports: std::sync::OnceLock<ExportIndex>,
    versions: std::sync::OnceLock<VersionSlots>,
}

impl LazyIndexes {
    /// The export index of `object`, which must be the object these indexes belong to.
    pub fn exports(&self, object: &ElfObject) -> &ExportIndex {
        self.exports.get_or_init(|| ExportIndex::new(object))
    }

    /// [`version_at`] of `object` (the object these indexes belong to), without scanning
    /// its Verdefs for every symbol lookup matches.
    fn version_at<'o>(&self, object: &'o ElfObject, index: u16) -> Option<(&'o [u8], u32)> {
        let slots = self.versions.get_or_init(|| VersionSlots::new(object));
        match slots.0.get(usize::from(index)) {
            Some(VersionSlot::Nothing) => None,
            Some(VersionSlot::Def(at)) => {
                object.verdefs.get(*at as usize).map(|d| (&*d.name, d.hash))
            }
            Some(VersionSlot::Need(need, aux)) => object
                .verneeds
                .get(*need as usize)
                .and_then(|n| n.entries.get(*aux as usize))
                .map(|a| (&*a.name, a.hash)),
            // Past the table (a hostile file's index): scanned for.
            None => version_at(object, index),
        }
    }
}

/// What [`version_at`] gives for each index up to the largest an object uses (at most
/// [`MAX_DENSE_INDEX`]), as positions in its version tables.
#[derive(Debug)]
struct VersionSlots(Box<[VersionSlot]>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VersionSlot {
    /// No version there, or the BASE Verdef (nameless in glibc).
    Nothing,
    Def(u32),
    Need(u32, u32),
}

impl VersionSlots {
    fn new(object: &ElfObject) -> Self {
        let largest = object
            .verdefs
            .iter()
            .map(|d| d.index)
            .chain(
                object
                    .verneeds
                    .iter()
                    .flat_map(|n| n.entries.iter().map(|a| a.other & !VERSYM_HIDDEN)),
            )
            .map(usize::from)
            .filter(|&i| i <= MAX_DENSE_INDEX)
            .max()
            .unwrap_or(0);
        let mut slots: Vec<Option<VersionSlot>> = vec![None; largest + 1];
        // A Verdef with the index decides before any Vernaux, the first of each.
        for (at, d) in object.verdefs.iter().enumerate() {
            if let Some(slot) = slots.get_mut(usize::from(d.index)) {
                slot.get_or_insert(if d.flags & VER_FLG_BASE != 0 {
                    VersionSlot::Nothing
                } else {
                    VersionSlot::Def(at as u32)
                });
            }
        }
        for (need, n) in object.verneeds.iter().enumerate() {
            for (aux, a) in n.entries.iter().enumerate() {
                if let Some(slot) = slots.get_mut(usize::from(a.other & !VERSYM_HIDDEN)) {
                    slot.get_or_insert(VersionSlot::Need(need as u32, aux as u32));
                }
            }
        }
        // Indices 0 and 1 never name a version.
        for slot in slots.iter_mut().take(2) {
            *slot = Some(VersionSlot::Nothing);
        }
        VersionSlots(
            slots
                .into_iter()
                .map(|s| s.unwrap_or(VersionSlot::Nothing))
                .collect(),
        )
    }
}

/// An object taking part in symbol lookup.
#[derive(Debug, Clone, Copy)]
pub struct ScopeEntry<'a> {
    pub object: &'a ElfObject,
    pub indexes: &'a LazyIndexes,
    /// The main executable (skipped for copy relocations).
    pub is_main: bool,
}

impl<'a> ScopeEntry<'a> {
    /// The object's exported names, indexed.
    pub fn exports(&self) -> &'a ExportIndex {
        self.indexes.exports(self.object)
    }

    /// The symbols of the object named `name`, in the order the loaders try them: along its
    /// DT_GNU_HASH chain when it has that table (what the table does not reach is not found,
    /// as in both loaders), else every symbol of that name in table order.
    pub fn candidates<'s>(&'s self, name: &'s LookupName<'_>) -> Candidates<'s> {
        match &self.object.gnu_hash {
            Some(table) => {
                let (start, chain) = table.chain(name.gnu);
                Candidates::Chain {
                    symbols: &self.object.symbols,
                    name: name.bytes,
                    hash: name.gnu,
                    next: start,
                    chain: chain.iter(),
                }
            }
            None => {
                Candidates::Listed(self.exports().candidates(&self.object.symbols, name).iter())
            }
        }
    }
}

/// The symbols of one object that may define a name ([`ScopeEntry::candidates`]).
#[derive(Debug)]
pub enum Candidates<'s> {
    Listed(std::slice::Iter<'s, u32>),
    Chain {
        symbols: &'s [Symbol],
        name: &'s [u8],
        hash: u32,
        /// The symbol index of the chain's next hash value.
        next: u32,
        /// Hash values from the next on; the chain ends at the first with its low bit set.
        chain: std::slice::Iter<'s, u32>,
    },
}

impl Iterator for Candidates<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            Candidates::Listed(listed) => listed.next().copied(),
            Candidates::Chain {
                symbols,
                name,
                hash,
                next,
                chain,
            } => {
                while let Some(&value) = chain.next() {
                    let index = *next;
                    *next += 1;
                    if value & 1 != 0 {
                        // The chain's last entry.
                        *chain = [].iter();
                    }
                    if (value ^ *hash) >> 1 == 0
                        && symbols
                            .get(index as usize)
                            .is_some_and(|s| *s.name == **name)
                    {
                        return Some(index);
                    }
                }
                None
            }
        }
    }
}

/// The version a reference asks for (glibc `struct r_found_version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionReq<'a> {
    pub name: &'a [u8],
    pub hash: u32,
    pub hidden: bool,
    /// vn_file: the library the requirement names.
    pub file: &'a [u8],
}

/// The version requirement of an undefined reference, from its versym index and the
/// object's Vernaux entries. `None` means an unversioned lookup (index 0/1, no versym, or an
/// index whose entry has hash 0 — elf/dl-runtime.c: _dl_fixup).
pub fn version_requirement<'a>(obj: &'a ElfObject, sym: &Symbol) -> Option<VersionReq<'a>> {
    let index = sym.version_index()?;
    if index < 2 {
        return None;
    }
    for need in &obj.verneeds {
        for aux in &need.entries {
            if aux.other & !VERSYM_HIDDEN == index {
                if aux.hash == 0 {
                    return None;
                }
                return Some(VersionReq {
                    name: &aux.name,
                    hash: aux.hash,
                    hidden: aux.other & VERSYM_HIDDEN != 0,
                    file: &need.file,
                });
            }
        }
    }
    // A defined symbol's own version (verdef) also names a version to look up.
    obj.verdefs
        .iter()
        .find(|d| d.index == index && d.flags & VER_FLG_BASE == 0 && d.hash != 0)
        .map(|d| VersionReq {
            name: &d.name,
            hash: d.hash,
            hidden: false,
            file: b"",
        })
}

/// An object's [`version_requirement`]s by versym index, gathered once for binding all of
/// its references (a scan of the Vernaux entries per reference was a twentieth of an audit).
#[derive(Debug)]
pub struct Requirements<'a> {
    obj: &'a ElfObject,
    /// By version index up to [`MAX_DENSE_INDEX`]: `None` when no entry has the index, else
    /// what [`version_requirement`] gives.
    by_index: Vec<Option<Option<VersionReq<'a>>>>,
}

/// Indices up to this are looked up in a table; real objects use a few dozen, and a hostile
/// file's larger ones are scanned for as before.
const MAX_DENSE_INDEX: usize = 512;

impl<'a> Requirements<'a> {
    pub fn new(obj: &'a ElfObject) -> Self {
        let mut by_index: Vec<Option<Option<VersionReq<'a>>>> = Vec::new();
        let mut set = |index: u16, req: Option<VersionReq<'a>>| {
            let index = usize::from(index);
            if !(2..=MAX_DENSE_INDEX).contains(&index) {
                return;
            }
            if by_index.len() <= index {
                by_index.resize(index + 1, None);
            }
            // The first entry with an index decides, as in the scan.
            by_index[index].get_or_insert(req);
        };
        for need in &obj.verneeds {
            for aux in &need.entries {
                let req = (aux.hash != 0).then_some(VersionReq {
                    name: &aux.name,
                    hash: aux.hash,
                    hidden: aux.other & VERSYM_HIDDEN != 0,
                    file: &need.file,
                });
                set(aux.other & !VERSYM_HIDDEN, req);
            }
        }
        for d in &obj.verdefs {
            // Only a Verdef that qualifies ends the scan for its index.
            if d.flags & VER_FLG_BASE == 0 && d.hash != 0 {
                set(
                    d.index,
                    Some(VersionReq {
                        name: &d.name,
                        hash: d.hash,
                        hidden: false,
                        file: b"",
                    }),
                );
            }
        }
        Requirements { obj, by_index }
    }

    /// [`version_requirement`] of `sym`, a symbol of this object.
    pub fn of(&self, sym: &Symbol) -> Option<VersionReq<'a>> {
        let index = sym.version_index()?;
        match self.by_index.get(usize::from(index)) {
            Some(Some(known)) => *known,
            // Not in the table: no entry has that index, unless it is past the table.
            _ if usize::from(index) <= MAX_DENSE_INDEX => None,
            _ => version_requirement(self.obj, sym),
        }
    }
}

/// The name and hash at a version index of a defining object (`l_versions[ndx]`): Verdefs
/// except the BASE one, which glibc deliberately leaves nameless.
fn version_at(obj: &ElfObject, index: u16) -> Option<(&[u8], u32)> {
    if index < 2 {
        return None;
    }
    if let Some(d) = obj.verdef(index) {
        if d.flags & VER_FLG_BASE != 0 {
            return None;
        }
        return Some((&d.name, d.hash));
    }
    obj.verneeds
        .iter()
        .flat_map(|n| n.entries.iter())
        .find(|a| a.other & !VERSYM_HIDDEN == index)
        .map(|a| (&*a.name, a.hash))
}

/// What kind of relocation asks, which decides what may satisfy it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupClass {
    /// PLT (jump slot): an undefined symbol with a canonical PLT address does not count.
    Plt,
    /// Copy relocation: the executable is skipped.
    Copy,
    /// Anything else.
    Other,
}

/// A definition found by lookup: index into the scope and symbol index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definition {
    pub scope_index: usize,
    pub symbol: u32,
}

/// glibc: look `name` up in `scope` order (elf/dl-lookup.c: _dl_lookup_symbol_x, do_lookup_x,
/// check_match).
pub fn glibc_lookup(
    scope: &[ScopeEntry<'_>],
    name: &LookupName<'_>,
    version: Option<&VersionReq<'_>>,
    class: LookupClass,
) -> Option<Definition> {
    for (scope_index, entry) in scope.iter().enumerate() {
        if class == LookupClass::Copy && entry.is_main {
            continue;
        }
        let obj = entry.object;
        let mut versioned: Option<u32> = None;
        let mut num_versions = 0;
        for idx in entry.candidates(name) {
            let Some(sym) = obj.symbols.get(idx as usize) else {
                continue;
            };
            if !glibc_is_definition(sym, class) {
                continue;
            }
            match version {
                Some(req) => {
                    let Some(raw) = sym.versym else {
                        // No versym table in the definer: any same-name symbol (glibc ≥ 2.41).
                        return Some(Definition {
                            scope_index,
                            symbol: idx,
                        });
                    };
                    let ndx = raw & !VERSYM_HIDDEN;
                    let at = entry.indexes.version_at(obj, ndx);
                    let exact = at.is_some_and(|(n, h)| h == req.hash && n == req.name);
                    let unversioned_fallback =
                        !req.hidden && at.is_none() && raw & VERSYM_HIDDEN == 0;
                    if exact || unversioned_fallback {
                        return Some(Definition {
                            scope_index,
                            symbol: idx,
                        });
                    }
                }
                None => {
                    if let Some(raw) = sym.versym {
                        if raw & !VERSYM_HIDDEN >= 3 {
                            // A non-default version: only accepted when it is the only one.
                            if raw & VERSYM_HIDDEN == 0 {
                                num_versions += 1;
                                if num_versions == 1 {
                                    versioned = Some(idx);
                                }
                            }
                            continue;
                        }
                    }
                    return Some(Definition {
                        scope_index,
                        symbol: idx,
                    });
                }
            }
        }
        if num_versions == 1 {
            if let Some(symbol) = versioned {
                return Some(Definition {
                    scope_index,
                    symbol,
                });
            }
        }
    }
    None
}

fn glibc_is_definition(sym: &Symbol, class: LookupClass) -> bool {
    if sym.value == 0 && sym.shndx != SHN_ABS && sym.kind != STT_TLS {
        return false;
    }
    if !matches!(
        sym.kind,
        STT_NOTYPE | STT_OBJECT | STT_FUNC | STT_COMMON | STT_TLS | STT_GNU_IFUNC
    ) {
        return false;
    }
    if class == LookupClass::Plt && sym.is_undefined() {
        return false;
    }
    if matches!(sym.visibility, STV_HIDDEN | STV_INTERNAL) {
        return false;
    }
    matches!(sym.binding, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE)
}

/// musl: the first definition in list order, versions ignored except that hidden (non-default)
/// versions are skipped (ldso/dynlink.c: find_sym2, gnu_lookup, sysv_lookup).
pub fn musl_lookup(
    scope: &[ScopeEntry<'_>],
    name: &LookupName<'_>,
    class: LookupClass,
) -> Option<Definition> {
    for (scope_index, entry) in scope.iter().enumerate() {
        if class == LookupClass::Copy && entry.is_main {
            continue;
        }
        // The object's answer is its first symbol of that name that is not a hidden
        // version (gnu_lookup / sysv_lookup return it); if that one is no definition, the
        // search goes on in the next object, not with another symbol of this one.
        let found = entry.candidates(name).find_map(|idx| {
            let sym = entry.object.symbols.get(idx as usize)?;
            (!sym.version_hidden()).then_some((idx, sym))
        });
        let Some((idx, sym)) = found else {
            continue;
        };
        if sym.is_undefined() && (class == LookupClass::Plt || sym.kind == STT_TLS) {
            continue;
        }
        if sym.value == 0 && sym.kind != STT_TLS {
            continue;
        }
        if !matches!(
            sym.kind,
            STT_NOTYPE | STT_OBJECT | STT_FUNC | STT_COMMON | STT_TLS
        ) {
            continue;
        }
        if !matches!(sym.binding, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE) {
            continue;
        }
        return Some(Definition {
            scope_index,
            symbol: idx,
        });
    }
    None
}

/// A symbol an object references through relocations, with how it is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub symbol: u32,
    /// The GNU hash of the symbol's name, taken once for every scope it is looked up in.
    pub name_hash: u32,
    /// Referenced only through jump slots: glibc binds it lazily at the first call.
    pub plt_only: bool,
    /// At least one copy relocation.
    pub copy: bool,
    /// At least one jump slot calls a function of a variant calling convention: the symbol has
    /// its architecture's STO_* bit and the object the matching DT_* tag
    /// ([`crate::arch::VariantCall`]).
    pub variant_call: bool,
}

impl Reference {
    /// glibc, with lazy binding on, binds this reference at the first call rather than at
    /// start-up: a reference only through jump slots (`sysdeps/<arch>/dl-machine.h`:
    /// elf_machine_lazy_rel defers R_*_JUMP_SLOT, R_PPC64_JMP_SLOT, R_390_JMP_SLOT, R_386_JMP_SLOT
    /// and nothing else that names a symbol), except a variant-calling-convention call on an
    /// architecture whose glibc of `glibc_version` resolves those at once (aarch64 >= 2.33).
    pub fn glibc_lazy(&self, obj: &ElfObject, glibc_version: crate::Release) -> bool {
        if !self.plt_only {
            return false;
        }
        let eager_since = crate::arch::arch_of(&obj.header)
            .and_then(|a| a.info().variant_call.as_ref())
            .and_then(|v| v.eager_since);
        !(self.variant_call && eager_since.is_some_and(|since| glibc_version >= since))
    }
}

/// Distinct symbol references of an object in first-relocation order, each table of glibc's
/// processing order (RELA/REL before JMPREL) kept.
pub fn references(obj: &ElfObject) -> Vec<Reference> {
    let mut order = distinct_references(obj, obj.relocs.iter());
    // Eager references are bound before lazy ones (glibc relocates DT_REL(A) before JMPREL).
    order.sort_by_key(|r| r.plt_only);
    order
}

/// Distinct symbol references in musl's processing order: DT_JMPREL first, then DT_REL, then
/// DT_RELA (musl ldso/dynlink.c: reloc_all).
pub fn musl_references(obj: &ElfObject) -> Vec<Reference> {
    let table = |t: RelocTable| match t {
        RelocTable::JmpRel => 0,
        RelocTable::Rel => 1,
        RelocTable::Rela => 2,
    };
    let mut relocs: Vec<&crate::model::SymbolReloc> = obj.relocs.iter().collect();
    relocs.sort_by_key(|r| table(r.table));
    distinct_references(obj, relocs.into_iter())
}

fn distinct_references<'o>(
    obj: &ElfObject,
    relocs: impl Iterator<Item = &'o crate::model::SymbolReloc>,
) -> Vec<Reference> {
    // The marking bit, when the object carries its architecture's tag.
    let sto = crate::arch::arch_of(&obj.header)
        .and_then(|a| a.info().variant_call.as_ref())
        .filter(|_| obj.dynamic.as_ref().is_some_and(|d| d.variant_calls))
        .map(|v| v.sto);
    let marked = |symbol: u32| {
        sto.is_some_and(|bit| {
            obj.symbols
                .get(symbol as usize)
                .is_some_and(|s| s.other & bit != 0)
        })
    };
    let mut order: Vec<Reference> = Vec::new();
    // Where each symbol's reference is in `order`, by symbol index: dense for the symbols the
    // table has, a map for indices past it (a hostile file's).
    let mut position: Vec<u32> = vec![u32::MAX; obj.symbols.len()];
    let mut beyond: HashMap<u32, usize> = HashMap::default();
    for r in relocs {
        if r.symbol == 0 {
            continue;
        }
        let plt = r.kind == RelocKind::JumpSlot;
        let variant = plt && marked(r.symbol);
        let known = match position.get(r.symbol as usize) {
            Some(&i) if i != u32::MAX => Some(i as usize),
            Some(_) => None,
            None => beyond.get(&r.symbol).copied(),
        };
        match known {
            Some(i) => {
                order[i].plt_only &= plt;
                order[i].copy |= r.kind == RelocKind::Copy;
                order[i].variant_call |= variant;
            }
            None => {
                match position.get_mut(r.symbol as usize) {
                    Some(slot) => *slot = order.len() as u32,
                    None => {
                        beyond.insert(r.symbol, order.len());
                    }
                }
                order.push(Reference {
                    symbol: r.symbol,
                    name_hash: obj
                        .symbols
                        .get(r.symbol as usize)
                        .map_or(0, |s| gnu_hash(&s.name)),
                    plt_only: plt,
                    copy: r.kind == RelocKind::Copy,
                    variant_call: variant,
                });
            }
        }
    }
    order
}

/// A Vernaux the providing object does not define (glibc elf/dl-version.c: match_symbol).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionCheck {
    Ok,
    /// The provider has no DT_VERDEF: glibc warns "no version information available".
    NoVersionInfo,
    Missing,
}

/// Does `provider` define version `aux`?
pub fn check_version(provider: &ElfObject, aux: &Vernaux) -> VersionCheck {
    if provider.verdefs.is_empty() {
        return VersionCheck::NoVersionInfo;
    }
    if provider
        .verdefs
        .iter()
        .any(|d| d.hash == aux.hash && *d.name == *aux.name)
    {
        VersionCheck::Ok
    } else {
        VersionCheck::Missing
    }
}

/// musl ≥ 1.2.4 no longer exports the LFS64 names; its loader maps them to the plain symbol
/// (ldso/dynlink.c: get_lfs64).
pub fn musl_lfs64_alias(name: &[u8]) -> Option<&[u8]> {
    const LFS64: &[&str] = &[
        "aio_cancel64",
        "aio_error64",
        "aio_fsync64",
        "aio_read64",
        "aio_return64",
        "aio_suspend64",
        "aio_write64",
        "alphasort64",
        "creat64",
        "fallocate64",
        "fgetpos64",
        "fopen64",
        "freopen64",
        "fseeko64",
        "fsetpos64",
        "fstat64",
        "fstatat64",
        "fstatfs64",
        "fstatvfs64",
        "ftello64",
        "ftruncate64",
        "ftw64",
        "getdents64",
        "getrlimit64",
        "glob64",
        "globfree64",
        "lio_listio64",
        "lockf64",
        "lseek64",
        "lstat64",
        "mkostemp64",
        "mkostemps64",
        "mkstemp64",
        "mkstemps64",
        "mmap64",
        "nftw64",
        "open64",
        "openat64",
        "posix_fadvise64",
        "posix_fallocate64",
        "pread64",
        "preadv64",
        "prlimit64",
        "pwrite64",
        "pwritev64",
        "readdir64",
        "readdir64_r",
        "scandir64",
        "sendfile64",
        "setrlimit64",
        "stat64",
        "statfs64",
        "statvfs64",
        "tmpfile64",
        "truncate64",
        "versionsort64",
        "__fxstat64",
        "__fxstatat64",
        "__lxstat64",
        "__xstat64",
    ];
    if name == b"readdir64_r" {
        return Some(b"readdir_r");
    }
    if !LFS64.iter().any(|n| n.as_bytes() == name) {
        return None;
    }
    name.strip_suffix(b"64")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gnu_hash::{gnu_hash, GnuHash};

    fn defined(name: &str) -> Symbol {
        Symbol {
            name: Name::from(name.as_bytes()),
            binding: STB_GLOBAL,
            kind: STT_FUNC,
            visibility: STV_DEFAULT,
            other: 0,
            shndx: 1,
            value: 0x1000,
            size: 8,
            versym: None,
        }
    }

    /// Version tables with what a scan must get right: an index twice (the first decides),
    /// a hidden one, a zero hash, an index past the dense tables, a BASE Verdef, a zero-hash
    /// Verdef before a good one, a Verdef sharing a Vernaux's index.
    fn versioned_object() -> ElfObject {
        let aux = |name: &str, hash: u32, other: u16| Vernaux {
            name: Name::from(name),
            hash,
            flags: 0,
            other,
        };
        let def = |name: &str, index: u16, flags: u16, hash: u32| Verdef {
            index,
            flags,
            hash,
            name: Name::from(name),
        };
        ElfObject {
            verneeds: vec![
                Verneed {
                    file: Name::from("libc.so.6"),
                    // Index 3 twice (the first decides), a hidden one, a zero hash.
                    entries: vec![
                        aux("GLIBC_2.34", 1, 3),
                        aux("GLIBC_2.2.5", 2, 3),
                        aux("GLIBC_PRIVATE", 3, 4 | VERSYM_HIDDEN),
                        aux("NOHASH", 0, 5),
                    ],
                },
                Verneed {
                    file: Name::from("libm.so.6"),
                    entries: vec![aux("GLIBC_2.29", 4, 6), aux("FAR", 5, 40_000)],
                },
            ],
            // Its base version and a zero-hash one never answer; 6 is a Vernaux's first.
            verdefs: vec![
                def("libx.so", 1, VER_FLG_BASE, 9),
                def("X_1", 7, 0, 0),
                def("X_1b", 7, 0, 10),
                def("X_2", 6, 0, 11),
                def("BASE8", 8, VER_FLG_BASE, 12),
            ],
            ..library(&["f"], 1)
        }
    }

    #[test]
    fn requirements_table_gives_what_the_scan_gives() {
        let obj = versioned_object();
        let table = Requirements::new(&obj);
        for versym in (0..12).chain([40_000, 40_001, 0x8003]) {
            let sym = Symbol {
                versym: Some(versym),
                ..defined("f")
            };
            assert_eq!(
                table.of(&sym),
                version_requirement(&obj, &sym),
                "versym {versym:#x}"
            );
        }
        let unversioned = defined("f");
        assert_eq!(table.of(&unversioned), None);
    }

    #[test]
    fn version_slots_give_what_the_scan_gives() {
        let obj = versioned_object();
        let indexes = LazyIndexes::default();
        for index in (0..12).chain([40_000, 40_001]) {
            assert_eq!(
                indexes.version_at(&obj, index),
                version_at(&obj, index),
                "index {index}"
            );
        }
    }

    /// A library defining `names` (symbols 1..), with a DT_GNU_HASH table of one bucket that
    /// holds only the first `hashed` of them.
    fn library(names: &[&str], hashed: usize) -> ElfObject {
        let mut symbols = vec![Symbol {
            shndx: 0,
            value: 0,
            ..defined("")
        }];
        symbols.extend(names.iter().map(|n| defined(n)));
        let mut chains: Vec<u32> = names[..hashed]
            .iter()
            .map(|n| gnu_hash(n.as_bytes()) & !1)
            .collect();
        if let Some(last) = chains.last_mut() {
            *last |= 1;
        }
        // The unhashed symbols sit past the chain's end, as a damaged table leaves them.
        chains.extend(std::iter::repeat_n(1, names.len() - hashed));
        let table = GnuHash::new(
            Box::new([!0]),
            64,
            6,
            1,
            Box::new([1]),
            chains.into(),
            symbols.len(),
        )
        .unwrap();
        ElfObject {
            has_load: true,
            dynamic: Some(Dynamic::default()),
            symbols,
            gnu_hash: Some(table),
            ..ElfObject::empty(Header::of(crate::arch::Arch::X86_64, ET_DYN))
        }
    }

    fn finds(obj: &ElfObject, name: &str) -> bool {
        let indexes = LazyIndexes::default();
        let scope = [ScopeEntry {
            object: obj,
            indexes: &indexes,
            is_main: false,
        }];
        let name = LookupName::new(name.as_bytes());
        let glibc = glibc_lookup(&scope, &name, None, LookupClass::Other).is_some();
        let musl = musl_lookup(&scope, &name, LookupClass::Other).is_some();
        assert_eq!(glibc, musl, "both loaders search DT_GNU_HASH alike");
        glibc
    }

    /// Both loaders search DT_GNU_HASH rather than the symbol table: a definition the table
    /// does not reach is not found (glibc do_lookup_x, musl gnu_lookup).
    #[test]
    fn lookup_finds_what_the_gnu_hash_table_reaches_and_nothing_else() {
        let obj = library(&["malloc", "free", "hidden_from_hash"], 2);
        assert!(finds(&obj, "malloc"));
        assert!(finds(&obj, "free"));
        assert!(!finds(&obj, "hidden_from_hash"));
        assert!(!finds(&obj, "calloc"));
        // Without the table, every definition in the symbol table counts.
        let whole = ElfObject {
            gnu_hash: None,
            ..obj
        };
        assert!(finds(&whole, "hidden_from_hash"));
    }

    /// musl takes an object's first non-hidden symbol of a name and, when that one is no
    /// definition (here a PLT-only undefined entry), moves on to the next object rather than
    /// to a later symbol of the same object (ldso/dynlink.c: find_sym2); glibc's check_match
    /// looks at every symbol of the chain.
    #[test]
    fn musl_judges_an_object_by_its_first_symbol_of_the_name() {
        let mut obj = library(&["dup", "dup"], 2);
        obj.symbols[1].shndx = SHN_UNDEF;
        let indexes = LazyIndexes::default();
        let scope = [ScopeEntry {
            object: &obj,
            indexes: &indexes,
            is_main: false,
        }];
        let name = LookupName::new(b"dup");
        assert_eq!(musl_lookup(&scope, &name, LookupClass::Plt), None);
        assert_eq!(
            glibc_lookup(&scope, &name, None, LookupClass::Plt).map(|d| d.symbol),
            Some(2)
        );
    }
}
