//! The floor a file needs: the oldest glibc, libstdc++ and libgcc_s that define every
//! symbol version it requires, and for each version the symbols that require it — the answer
//! to "which symbol is too new?". Read from the file's own Verneed entries.

use serde::Serialize;

use ldsim_loader::ElfObject;

use crate::gcc::GccAbi;

/// One required version node and what needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequiredVersion {
    /// The library the requirement names (vn_file), e.g. `libc.so.6`.
    pub library: String,
    /// The version node, e.g. `GLIBC_2.34`.
    pub version: String,
    /// The release that introduced it: `glibc 2.34`, `GCC 12`.
    pub introduced_in: Option<String>,
    /// Undefined symbols of the file bound to this version.
    pub symbols: Vec<String>,
}

/// The minimum releases a file needs; `None` where it requires no version of that family.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Floor {
    /// Minimum glibc release, e.g. `2.34`.
    pub glibc: Option<String>,
    /// Newest `GLIBCXX_` node required.
    pub glibcxx: Option<String>,
    /// Newest `CXXABI_` node required.
    pub cxxabi: Option<String>,
    /// Newest libgcc_s `GCC_` node required.
    pub gcc_s: Option<String>,
    /// Oldest GCC release whose libstdc++ and libgcc_s define every node required.
    pub gcc: Option<String>,
    /// Every version required, newest first within each library.
    pub versions: Vec<RequiredVersion>,
    /// The libraries the file names (DT_NEEDED), in its order: what a baseline compares.
    pub needed: Vec<String>,
}

/// Which family a version node belongs to, with its number for ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Family {
    Glibc,
    Glibcxx,
    Cxxabi,
    GccS,
    Other,
}

pub(crate) fn classify(version: &str) -> (Family, Vec<u32>) {
    let numbers = release_numbers;
    if version == "GLIBC_ABI_DT_RELR" {
        // Required by DT_RELR objects; glibc 2.36 introduced it.
        return (Family::Glibc, vec![2, 36]);
    }
    for (prefix, family) in [
        ("GLIBC_", Family::Glibc),
        ("GLIBCXX_", Family::Glibcxx),
        ("CXXABI_", Family::Cxxabi),
        ("GCC_", Family::GccS),
    ] {
        if let Some(rest) = version.strip_prefix(prefix) {
            let n = numbers(rest);
            if !n.is_empty() {
                return (family, n);
            }
        }
    }
    (Family::Other, Vec::new())
}

fn dotted(n: &[u32]) -> String {
    n.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

/// The leading dotted numbers of a release or version: `2.34` → [2, 34], `3.4.30` → [3, 4, 30],
/// `2.2.5` → [2, 2, 5]; what is not a number ends it.
pub fn release_numbers(text: &str) -> Vec<u32> {
    text.split('.').map_while(|p| p.parse().ok()).collect()
}

/// The floor of `obj` from its version requirements.
pub fn floor_of(obj: &ElfObject) -> Floor {
    floor_with(obj, true)
}

/// The releases of `obj`'s floor (glibc, libstdc++, libgcc_s, GCC) without the symbols of each
/// version or the needed libraries: what naming the targets that meet it needs, at a
/// fraction of the memory.
pub fn floor_releases(obj: &ElfObject) -> Floor {
    floor_with(obj, false)
}

fn floor_with(obj: &ElfObject, with_symbols: bool) -> Floor {
    let gcc_abi = GccAbi::embedded();
    let mut rows: Vec<(Family, Vec<u32>, RequiredVersion)> = Vec::new();
    for need in &obj.verneeds {
        for aux in &need.entries {
            let version = String::from_utf8_lossy(&aux.name).into_owned();
            let (family, number) = classify(&version);
            let introduced_in = match family {
                Family::Glibc => Some(format!("glibc {}", dotted(&number))),
                Family::Glibcxx | Family::Cxxabi | Family::GccS => {
                    gcc_abi.introduced_in(&version).map(|r| {
                        // The tables start at 4.8: older nodes are dated "4.8 or older".
                        if gcc_abi.releases().first() == Some(&r) {
                            format!("GCC {r} or older")
                        } else {
                            format!("GCC {r}")
                        }
                    })
                }
                Family::Other => None,
            };
            // Undefined references, and data copy-relocated into the executable (defined in
            // its .bss but still bound to the library's version, e.g.
            // __libc_single_threaded@GLIBC_2.32): a Vernaux index never names a Verdef.
            let index = aux.other & !ldsim_loader::VERSYM_HIDDEN;
            // Distinct names first, copied once each: a hostile file can point thousands of
            // symbols at one long string (the parse shares it; a copy each would not).
            let mut symbols = if with_symbols {
                distinct_in_order(
                    obj.symbols
                        .iter()
                        .filter(|s| s.version_index() == Some(index))
                        .map(|s| &s.name),
                )
            } else {
                Vec::new()
            };
            symbols.sort();
            rows.push((
                family,
                number,
                RequiredVersion {
                    library: String::from_utf8_lossy(&need.file).into_owned(),
                    version,
                    introduced_in,
                    symbols,
                },
            ));
        }
    }
    rows.sort_by(|a, b| {
        (a.0, &a.2.library)
            .cmp(&(b.0, &b.2.library))
            .then_with(|| b.1.cmp(&a.1))
            .then_with(|| a.2.version.cmp(&b.2.version))
    });
    let newest = |family: Family| {
        rows.iter()
            .filter(|r| r.0 == family)
            .max_by(|a, b| a.1.cmp(&b.1))
    };
    let mut floor = Floor {
        glibc: newest(Family::Glibc).map(|r| {
            // 2.2.5 is a version of glibc 2.2.5; releases are named by major.minor.
            dotted(&r.1)
        }),
        glibcxx: newest(Family::Glibcxx).map(|r| r.2.version.clone()),
        cxxabi: newest(Family::Cxxabi).map(|r| r.2.version.clone()),
        gcc_s: newest(Family::GccS).map(|r| r.2.version.clone()),
        gcc: None,
        versions: Vec::new(),
        needed: if with_symbols {
            distinct_in_order(obj.needed().iter())
        } else {
            Vec::new()
        },
    };
    floor.gcc = [&floor.glibcxx, &floor.cxxabi, &floor.gcc_s]
        .into_iter()
        .flatten()
        .filter_map(|v| gcc_abi.introduced_in(v))
        .max()
        .map(|r| r.to_string());
    floor.versions = rows.into_iter().map(|r| r.2).collect();
    floor
}

/// `names` without repeats, in first-seen order, each copied once: a hostile file can point
/// thousands of DT_NEEDED entries or symbols at one long string, which the parse shares.
/// Names that are one window onto the table (the same start and length) are told apart
/// without reading them; the distinct windows are bounded by the parse's name budget.
fn distinct_in_order<'a>(names: impl Iterator<Item = &'a ldsim_loader::Name>) -> Vec<String> {
    let mut windows = std::collections::HashSet::new();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for name in names {
        let bytes: &[u8] = name;
        if windows.insert((bytes.as_ptr() as usize, bytes.len())) && seen.insert(bytes) {
            out.push(String::from_utf8_lossy(bytes).into_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_numbers() {
        assert_eq!(classify("GLIBC_2.2.5"), (Family::Glibc, vec![2, 2, 5]));
        assert_eq!(classify("GLIBC_ABI_DT_RELR"), (Family::Glibc, vec![2, 36]));
        assert_eq!(
            classify("GLIBCXX_3.4.30"),
            (Family::Glibcxx, vec![3, 4, 30])
        );
        assert_eq!(classify("CXXABI_1.3.13"), (Family::Cxxabi, vec![1, 3, 13]));
        assert_eq!(classify("GCC_12.0.0"), (Family::GccS, vec![12, 0, 0]));
        assert_eq!(classify("GLIBC_PRIVATE").0, Family::Other);
        assert!(classify("GLIBC_2.34") > classify("GLIBC_2.4"));
    }
}
