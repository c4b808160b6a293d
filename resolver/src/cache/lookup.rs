//! glibc's cache lookup (glibc elf/dl-cache.c: search_cache), with an explanation of every
//! entry it looked at.

use super::{is_hwcaps, libcmp, LdSoCache, RawEntry, ISA_LEVEL_MASK};
use std::cmp::Ordering;

/// What the target's loader and CPU bring to a lookup.
#[derive(Debug, Clone, Copy)]
pub struct CacheQuery<'a> {
    /// Flags values `_dl_cache_check_flags` accepts, e.g. `[0x303]` on x86-64,
    /// `[0x1, 0x3]` for the generic check (per-arch dl-cache.h).
    pub accepted_flags: &'a [i32],
    /// `_DL_CACHE_DEFAULT_ID`: a plain entry with exactly these flags ends the search.
    pub default_flag: i32,
    /// glibc-hwcaps subdirectory names the loader considers, in priority order (highest first):
    /// `--glibc-hwcaps-prepend` names, then the active built-in ones (glibc elf/dl-hwcaps.c:
    /// compute_priorities).
    pub active_hwcaps: &'a [&'a str],
    /// x86 `isa_1` bits: bit0 baseline, bit1 v2, bit2 v3, bit3 v4. Other arches have no ISA
    /// check (sysdeps/generic/dl-isa-level.h): pass `u32::MAX`, which accepts every level.
    pub isa_supported_levels: u32,
    /// Version of the target's glibc; selects the lookup rules of that release.
    pub glibc_version: ldsim_loader::Release,
    /// Before glibc 2.40, plain entries with a legacy `hwcap` value are used only if its bits
    /// are within `(dl_hwcap & hwcap_mask) | platform bits` — pass that value here (0 when
    /// unknown: no legacy entry is usable). The separate platform-equality test is not
    /// modelled; ldconfig has not written legacy hwcap values since 2.32.
    pub legacy_hwcap_mask: u64,
}

/// Result of a lookup: the chosen path and every entry with a matching soname that the loader
/// examined, with the reason it was skipped, or "used".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CacheLookup {
    pub found: Option<Vec<u8>>,
    pub considered: Vec<(Vec<u8>, String)>,
}

/// _DL_HWCAP_TLS_MASK: always allowed by the legacy check.
const HWCAP_TLS: u64 = 1 << 63;
const CANDIDATE: &str = "candidate";

impl LdSoCache {
    /// Look `soname` up as glibc's `search_cache` does: binary search on the sorted entries,
    /// back to the first equal key, then walk the equal keys. hwcaps entries (sorted first)
    /// compete by priority; the first plain entry ends the walk once something was found; a
    /// plain entry with the default flags ends it at once.
    pub fn lookup(&self, soname: &[u8], q: &CacheQuery<'_>) -> CacheLookup {
        let mut walk = Walk {
            cache: self,
            q,
            notes: Vec::new(),
            best: None,
        };
        if let Some((first, left, right)) = self.equal_range(soname) {
            if q.glibc_version < ldsim_loader::Release::new(2, 33, 0) {
                walk.before_2_33(soname, first, left, right);
            } else {
                walk.since_2_33(soname, first, left, right);
            }
        }
        walk.finish()
    }

    /// Binary search as glibc does it, stopping (not found) at the first bogus key offset.
    /// Returns the first equal index, the index the search hit, and the upper bound.
    fn equal_range(&self, name: &[u8]) -> Option<(usize, usize, usize)> {
        let (mut left, mut right) = (0i64, self.raw.len() as i64 - 1);
        while left <= right {
            let middle = (left + right) / 2;
            let key = self.key_at(middle as usize)?;
            match libcmp(name, key) {
                Ordering::Equal => {
                    let hit = middle as usize;
                    let mut first = hit;
                    while first > 0
                        && self
                            .key_at(first - 1)
                            .is_some_and(|k| libcmp(name, k) == Ordering::Equal)
                    {
                        first -= 1;
                    }
                    return Some((first, hit, right as usize));
                }
                Ordering::Less => left = middle + 1,
                Ordering::Greater => right = middle - 1,
            }
        }
        None
    }

    /// The path of entry `i`, read from the file (empty for a bad offset).
    fn value_at(&self, i: usize) -> Option<Vec<u8>> {
        let e = self.raw.get(i)?;
        Some(self.string(e.value).unwrap_or_default().to_vec())
    }

    /// The key string of entry `i`, if its offset is inside the string table.
    fn key_at(&self, i: usize) -> Option<&[u8]> {
        self.raw.get(i).and_then(|e| self.string(e.key))
    }

    /// glibc elf/dl-cache.c: glibc_hwcaps_priorities_init — a merge of the cache's sorted
    /// name array with the loader's priorities sorted by name. Index i gets the priority of
    /// the matching name, 0 (unusable) otherwise.
    fn hwcaps_priorities(&self, active: &[&str]) -> Vec<u32> {
        let mut right: Vec<(&[u8], u32)> = active
            .iter()
            .zip(1u32..)
            .map(|(n, p)| (n.as_bytes(), p))
            .collect();
        right.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = vec![0u32; self.hwcaps.len()];
        let (mut l, mut r) = (0usize, 0usize);
        while l < out.len() && r < right.len() {
            // An offset outside the file never matches (glibc loops forever there).
            let Some(name) = self.hwcaps_name(l as u32) else {
                l += 1;
                continue;
            };
            match name.cmp(right[r].0) {
                Ordering::Equal => {
                    out[l] = right[r].1;
                    l += 1;
                    r += 1;
                }
                Ordering::Less => l += 1,
                Ordering::Greater => r += 1,
            }
        }
        out
    }
}

struct Walk<'c, 'q> {
    cache: &'c LdSoCache,
    q: &'q CacheQuery<'q>,
    notes: Vec<(usize, String)>,
    best: Option<usize>,
}

impl Walk<'_, '_> {
    fn note(&mut self, i: usize, why: impl Into<String>) {
        self.notes.push((i, why.into()));
    }

    fn choose(&mut self, i: usize) {
        self.best = Some(i);
        self.note(i, CANDIDATE);
    }

    /// Entries after the first hit must still have the same key (checked lazily by glibc).
    fn same_key(&self, name: &[u8], i: usize, hit: usize) -> bool {
        i <= hit
            || self
                .cache
                .key_at(i)
                .is_some_and(|k| libcmp(name, k) == Ordering::Equal)
    }

    /// Flags check and value offset check, shared by every release.
    fn usable(&mut self, i: usize, e: &RawEntry) -> bool {
        if !self.q.accepted_flags.contains(&e.flags) {
            self.note(
                i,
                format!("flags {:#x} not accepted by this loader", e.flags),
            );
            false
        } else if self.cache.string(e.value).is_none() {
            self.note(i, "path offset outside the file");
            false
        } else {
            true
        }
    }

    fn legacy_excluded(&self, hwcap: u64) -> bool {
        hwcap & !(self.q.legacy_hwcap_mask | HWCAP_TLS) != 0
    }

    /// glibc 2.33 and later.
    fn since_2_33(&mut self, name: &[u8], first: usize, hit: usize, right: usize) {
        let priorities = self.cache.hwcaps_priorities(self.q.active_hwcaps);
        let mut best_priority = 0u32;
        for i in first..=right {
            let Some(&e) = self.cache.raw.get(i) else {
                break;
            };
            if !self.same_key(name, i, hit) {
                break;
            }
            if !self.usable(i, &e) {
                continue;
            }
            let mut named = false;
            // Entries of the old layout are too small to carry hwcap data.
            if let Some(hwcap) = e.hwcap {
                named = is_hwcaps(hwcap);
                if named && !self.isa_compatible(hwcap) {
                    let level = (hwcap >> 32) & ISA_LEVEL_MASK;
                    self.note(i, format!("ISA level {level} not supported by the CPU"));
                    continue;
                }
                if !named && self.best.is_some() {
                    break;
                }
                if !named && hwcap != 0 {
                    // glibc 2.40 (c5aa5fd40a) dropped legacy hwcap matching in the cache.
                    if self.q.glibc_version >= ldsim_loader::Release::new(2, 40, 0) {
                        self.note(
                            i,
                            format!("legacy hwcap {hwcap:#x} (ignored since glibc 2.40)"),
                        );
                        continue;
                    }
                    if self.legacy_excluded(hwcap) {
                        self.note(i, format!("legacy hwcap {hwcap:#x} not enabled"));
                        continue;
                    }
                }
                if named {
                    let p = priorities.get(hwcap as u32 as usize).copied().unwrap_or(0);
                    if p == 0 {
                        self.note(i, "glibc-hwcaps subdirectory not active");
                        continue;
                    }
                    if self.best.is_some() && p >= best_priority {
                        self.note(i, "lower glibc-hwcaps priority than an earlier entry");
                        continue;
                    }
                    best_priority = p;
                }
            }
            self.choose(i);
            if !named && e.flags == self.q.default_flag {
                break;
            }
        }
    }

    /// glibc 2.32 and earlier (elf/dl-cache.c: SEARCH_CACHE): the first usable entry is kept
    /// unless a later one has exactly the default flags. Those loaders do not know bit 62, so
    /// hwcaps entries fail the legacy hwcap check.
    fn before_2_33(&mut self, name: &[u8], first: usize, hit: usize, right: usize) {
        for i in first..=right {
            let Some(&e) = self.cache.raw.get(i) else {
                break;
            };
            if !self.same_key(name, i, hit) {
                break;
            }
            if !self.usable(i, &e) {
                continue;
            }
            if self.best.is_some() && e.flags != self.q.default_flag {
                self.note(
                    i,
                    "an earlier entry was kept (only the default flags replace it)",
                );
                continue;
            }
            if let Some(hwcap) = e.hwcap.filter(|&h| self.legacy_excluded(h)) {
                self.note(i, format!("hwcap {hwcap:#x} not enabled"));
                continue;
            }
            self.choose(i);
            if e.flags == self.q.default_flag {
                break;
            }
        }
    }

    /// x86 sysdeps/x86/dl-isa-level.h: dl_cache_hwcap_isa_level_compatible.
    fn isa_compatible(&self, hwcap: u64) -> bool {
        if self.q.isa_supported_levels == u32::MAX {
            return true;
        }
        let level = ((hwcap >> 32) & ISA_LEVEL_MASK) as u32;
        1u32.checked_shl(level)
            .is_some_and(|bit| bit & self.q.isa_supported_levels == bit)
    }

    fn finish(self) -> CacheLookup {
        let best = self.best;
        let considered = self
            .notes
            .into_iter()
            .map(|(i, why)| {
                let why = if why != CANDIDATE {
                    why
                } else if Some(i) == best {
                    "used".to_owned()
                } else {
                    "superseded by a later entry".to_owned()
                };
                let path = self.cache.value_at(i);
                (path.unwrap_or_default(), why)
            })
            .collect();
        let found = best.and_then(|i| self.cache.value_at(i));
        CacheLookup { found, considered }
    }
}
