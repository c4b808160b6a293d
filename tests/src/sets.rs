//! Problem sets in list-mode terms, from ldsim's JSON report and from the oracle's
//! [`ListProblems`], so the differential tests compare COMPLETE problem sets.

use crate::oracle::ListProblems;
use serde_json::Value;
use std::collections::BTreeSet;

/// Missing libraries, missing versions and undefined symbols.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProblemSets {
    pub libraries: BTreeSet<String>,
    pub versions: BTreeSet<String>,
    /// `SYM`, or `SYM, version V` when glibc names a version (musl never does).
    pub symbols: BTreeSet<String>,
}

/// `SYM` or, for glibc, `SYM, version V` (how the loader names it).
pub fn symbol_key(symbol: &str, version: Option<&str>, musl: bool) -> String {
    match version {
        Some(v) if !musl => format!("{symbol}, version {v}"),
        _ => symbol.to_string(),
    }
}

/// A report's problems.
pub fn problems(report: &Value) -> impl Iterator<Item = &Value> {
    report["problems"].as_array().into_iter().flatten()
}

fn str_of(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

/// ldsim's sets: `missing-library` (and, for musl, `bad-library`, which musl's list mode prints
/// like a missing one; glibc's list mode stops at a bad file, compared through the first
/// problem's message), `missing-version`, `undefined-symbol`.
pub fn ldsim_sets(report: &Value, musl: bool) -> ProblemSets {
    let mut s = ProblemSets::default();
    for p in problems(report) {
        match p["kind"].as_str().unwrap_or_default() {
            "missing-library" => {
                s.libraries.insert(str_of(p, "library"));
            }
            "bad-library" if musl => {
                s.libraries.insert(str_of(p, "library"));
            }
            "missing-version" => {
                s.versions.insert(str_of(p, "version"));
            }
            "undefined-symbol" => {
                s.symbols.insert(symbol_key(
                    &str_of(p, "symbol"),
                    p["version"].as_str(),
                    musl,
                ));
            }
            _ => {}
        }
    }
    s
}

/// The list-mode run's sets.
pub fn list_sets(list: &ListProblems, musl: bool) -> ProblemSets {
    ProblemSets {
        libraries: list.not_found.iter().cloned().collect(),
        versions: list
            .missing_versions
            .iter()
            .map(|v| v.version.clone())
            .collect(),
        symbols: list
            .undefined
            .iter()
            .map(|u| symbol_key(&u.symbol, u.version.as_deref(), musl))
            .collect(),
    }
}

/// The field-by-field differences: (field, real, ldsim).
pub fn diff(real: &ProblemSets, ldsim: &ProblemSets) -> Vec<(&'static str, String, String)> {
    [
        ("missing_libraries", &real.libraries, &ldsim.libraries),
        ("missing_versions", &real.versions, &ldsim.versions),
        ("undefined_symbols", &real.symbols, &ldsim.symbols),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(f, a, b)| (f, format!("{a:?}"), format!("{b:?}")))
    .collect()
}

/// The message of the problem marked `"first": true`, if any.
pub fn first_message(report: &Value) -> Option<String> {
    problems(report)
        .find(|p| p["first"] == true)
        .map(|p| str_of(p, "message"))
}
