//! The embedded glibc tables agree with real glibc libraries: for each Debian suite's libc6 at
//! hand (bullseye 2.31 and bookworm 2.36 fixture roots, trixie 2.41 reference libraries), every
//! public (`GLIBC_2.*`) symbol version its libraries export — name, version and
//! default-or-hidden — is what `GlibcAbi::exports` says for x86_64 at that release, except for
//! differences a rule below explains; and every version definition of each library is exactly
//! what the abilists, the symbol-less nodes table and the soname account for.

use ldsim_loader::{parse, ElfObject, SHN_UNDEF, VER_FLG_BASE};
use ldsim_tables::abilists::{GlibcAbi, GlibcRelease, MERGED_INTO_LIBC};
use ldsim_tables::glibc_nodes::SymbollessNodes;
use ldsim_tests::fixtures;
use ldsim_tests::manifest::trixie_amd64_reference;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const TARGET: &str = "x86_64-linux-gnu";

/// (table library, file name in the library directory).
const LIBRARIES: &[(&str, &str)] = &[
    ("c", "libc.so.6"),
    ("m", "libm.so.6"),
    ("pthread", "libpthread.so.0"),
    ("dl", "libdl.so.2"),
    ("rt", "librt.so.1"),
    ("util", "libutil.so.1"),
    ("resolv", "libresolv.so.2"),
    ("ld", "ld-linux-x86-64.so.2"),
];

/// libanl's symbols, which moved into libc in 2.34; libanl is not among the table's libraries.
const LIBANL: &[&str] = &["gai_cancel", "gai_error", "gai_suspend", "getaddrinfo_a"];

/// glibc defines one `__lib<name>_version_placeholder` (`__rtld_version_placeholder` in ld.so)
/// per version node that would otherwise have no symbol (the 2.34 stub libraries, ld.so's
/// GLIBC_2.34); abilist files leave them out.
fn is_placeholder(name: &str) -> bool {
    name.starts_with("__") && name.ends_with("_version_placeholder")
}

/// (name, version, default)
type Entry = (String, String, bool);

fn real_exports(obj: &ElfObject) -> BTreeSet<Entry> {
    let mut out = BTreeSet::new();
    for sym in &obj.symbols {
        if sym.shndx == SHN_UNDEF {
            continue;
        }
        let Some(index) = sym.version_index() else {
            continue;
        };
        let Some(def) = obj.verdefs.iter().find(|d| d.index == index) else {
            continue;
        };
        let version = String::from_utf8_lossy(&def.name).into_owned();
        let name = String::from_utf8_lossy(&sym.name).into_owned();
        // Public versions only; the symbol named after its version is the version's own marker.
        if !version.starts_with("GLIBC_2.") || name == version {
            continue;
        }
        out.insert((name, version, !sym.version_hidden()));
    }
    out
}

/// What one library's comparison found.
#[derive(Debug, Default)]
struct Outcome {
    real: usize,
    table: usize,
    explained: Vec<String>,
    unexplained: Vec<String>,
}

type Pair = (String, String);

fn pairs(set: &BTreeSet<Entry>) -> BTreeSet<Pair> {
    set.iter().map(|(n, v, _)| (n.clone(), v.clone())).collect()
}

/// `file` in `dir`, the directory holding a suite's x86_64 glibc libraries.
fn load(dir: &Path, file: &str) -> ElfObject {
    let path: PathBuf = dir.join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn table_exports(lib: &str, release: GlibcRelease) -> BTreeSet<Entry> {
    GlibcAbi::embedded()
        .exports(lib, TARGET, release)
        .into_iter()
        .map(|e| (e.name, e.version, e.default))
        .collect()
}

/// Every (name, version) the table places in a library other than libc.
fn table_outside_libc(release: GlibcRelease) -> BTreeSet<Pair> {
    LIBRARIES
        .iter()
        .filter(|(lib, _)| *lib != "c")
        .flat_map(|(lib, _)| pairs(&table_exports(lib, release)))
        .collect()
}

fn compare(root: &Path, release: GlibcRelease) -> Vec<(String, Outcome)> {
    let real_libc = pairs(&real_exports(&load(root, "libc.so.6")));
    let table_elsewhere = table_outside_libc(release);
    // glibc 2.34 moved the malloc hooks and malloc_{get,set}_state out of libc into
    // libc_malloc_debug.so.0, which is outside the table.
    let malloc_debug_path = root.join("libc_malloc_debug.so.0");
    let malloc_debug = if malloc_debug_path.exists() {
        pairs(&real_exports(&load(root, "libc_malloc_debug.so.0")))
    } else {
        BTreeSet::new()
    };
    let mut out = Vec::new();
    for (lib, file) in LIBRARIES {
        let real = real_exports(&load(root, file));
        let table = table_exports(lib, release);
        let (real_pairs, table_pairs) = (pairs(&real), pairs(&table));
        let mut o = Outcome {
            real: real.len(),
            table: table.len(),
            ..Outcome::default()
        };
        for (n, v) in real_pairs.difference(&table_pairs) {
            let line = format!("lib{lib}: {n}@{v} only in the real library");
            // Rule "moved into libc": glibc moves symbols into libc keeping their old versions
            // (libresolv's __dn_* in 2.34, libpthread/libdl/librt/libutil in 2.34); the tool that
            // made the table records a version only in the library whose abilist had it first.
            if *lib == "c" && table_elsewhere.contains(&(n.clone(), v.clone())) {
                o.explained.push(format!("{line} (moved into libc)"));
            } else if *lib == "c" && LIBANL.contains(&n.as_str()) && release >= MERGED_INTO_LIBC {
                o.explained
                    .push(format!("{line} (moved into libc from libanl)"));
            } else if is_placeholder(n) {
                o.explained.push(format!("{line} (version placeholder)"));
            } else {
                o.unexplained.push(line);
            }
        }
        for (n, v) in table_pairs.difference(&real_pairs) {
            let line = format!("lib{lib}: {n}@{v} only in the table");
            // Rule "left for libc": the table has no removals, so a symbol that a library gave up
            // to libc (libpthread's pthread_attr_* in 2.28, librt's clock_* , every symbol of the
            // 2.34 stub libraries) is still listed under it; real libc must define it instead.
            if *lib != "c" && real_libc.contains(&(n.clone(), v.clone())) {
                o.explained.push(format!("{line} (now defined by libc)"));
            } else if *lib == "c" && malloc_debug.contains(&(n.clone(), v.clone())) {
                o.explained
                    .push(format!("{line} (now in libc_malloc_debug.so.0)"));
            } else {
                o.unexplained.push(line);
            }
        }
        for (n, v, real_default) in &real {
            let Some((_, _, table_default)) = table.iter().find(|(tn, tv, _)| tn == n && tv == v)
            else {
                continue;
            };
            if real_default == table_default {
                continue;
            }
            let line = format!(
                "lib{lib}: {n}@{v} is {} in the real library, {} in the table",
                if *real_default { "default" } else { "hidden" },
                if *table_default { "default" } else { "hidden" }
            );
            // Rule "compat-only": a compat symbol (no default version at all, e.g. libm's
            // matherr) looks like any other in glibc's abilist files, so the table makes its newest
            // version the default.
            let real_has_default = real.iter().any(|(rn, _, d)| rn == n && *d);
            if !real_default && *table_default && !real_has_default {
                o.explained.push(format!("{line} (compat-only symbol)"));
            } else {
                o.unexplained.push(line);
            }
        }
        out.push((lib.to_string(), o));
    }
    out
}

/// The version nodes a real library defines (`GLIBC_2.*` only) next to the table's, with the
/// real-only ones whose every symbol is a placeholder, or (in libc) a symbol the table keeps in the
/// library it moved from, removed: the table derives nodes from symbols, so it cannot know them.
fn version_node_differences(
    root: &Path,
    lib: &str,
    file: &str,
    release: GlibcRelease,
    table_elsewhere: &BTreeSet<Pair>,
) -> Vec<String> {
    let obj = load(root, file);
    let real: BTreeSet<String> = obj
        .verdefs
        .iter()
        .map(|d| String::from_utf8_lossy(&d.name).into_owned())
        .filter(|n| n.starts_with("GLIBC_2."))
        .collect();
    let exports = real_exports(&obj);
    let table: BTreeSet<String> = GlibcAbi::embedded()
        .version_nodes(lib, TARGET, release)
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for node in real.difference(&table) {
        let only_placeholders = exports
            .iter()
            .filter(|(_, v, _)| v == node)
            .all(|(n, v, _)| {
                is_placeholder(n)
                    || (lib == "c" && table_elsewhere.contains(&(n.clone(), v.clone())))
            });
        if !only_placeholders {
            out.push(format!(
                "lib{lib}: version node {node} only in the real library"
            ));
        }
    }
    for node in table.difference(&real) {
        out.push(format!("lib{lib}: version node {node} only in the table"));
    }
    out
}

/// The x86_64 library directory of fixture root `root_name`.
fn root_libraries(root_name: &str) -> PathBuf {
    let manifest = fixtures();
    let root = manifest
        .roots
        .get(root_name)
        .unwrap_or_else(|| panic!("fixture root {root_name} missing: run `cargo xtask fixtures`"));
    root.join("lib/x86_64-linux-gnu")
}

/// Debian trixie's libraries, unpacked by `cargo xtask fixtures` (never skipped when missing).
fn trixie_libraries() -> PathBuf {
    let dir = trixie_amd64_reference().join("usr/lib/x86_64-linux-gnu");
    assert!(
        dir.join("libc.so.6").is_file(),
        "trixie reference libraries missing in {}: run `cargo xtask fixtures`",
        dir.display()
    );
    dir
}

/// One Debian suite: every library compared, counts printed, unexplained differences fail.
fn check_suite(root_name: &str, root: &Path, release: GlibcRelease) {
    // The root really is that release: the newest GLIBC_x.y node its libraries define (libc
    // alone may lack it: 2.31 added symbols only to libpthread).
    let newest = LIBRARIES
        .iter()
        .flat_map(|(_, file)| load(root, file).verdefs)
        .filter_map(|d| {
            GlibcRelease::parse(std::str::from_utf8(&d.name).ok()?.strip_prefix("GLIBC_")?)
        })
        .max();
    assert_eq!(newest, Some(release), "{root_name}'s glibc release");

    let table_elsewhere = table_outside_libc(release);
    let mut failures = Vec::new();
    for (lib, o) in compare(root, release) {
        println!(
            "glibc {release} lib{lib}: {} real and {} table symbol versions compared, \
             {} differences explained, {} unexplained",
            o.real,
            o.table,
            o.explained.len(),
            o.unexplained.len()
        );
        failures.extend(o.unexplained);
    }
    for (lib, file) in LIBRARIES {
        failures.extend(version_node_differences(
            root,
            lib,
            file,
            release,
            &table_elsewhere,
        ));
    }
    assert!(
        failures.is_empty(),
        "glibc {release} ({root_name}): the embedded table disagrees with the real libraries:\n{}",
        failures.join("\n")
    );
}

#[test]
fn table_agrees_with_debian_bullseye_glibc_2_31() {
    check_suite(
        "bullseye",
        &root_libraries("bullseye"),
        GlibcRelease::new(2, 31, 0),
    );
}

#[test]
fn table_agrees_with_debian_bookworm_glibc_2_36() {
    check_suite(
        "bookworm",
        &root_libraries("glibc"),
        GlibcRelease::new(2, 36, 0),
    );
}

#[test]
fn table_agrees_with_debian_trixie_glibc_2_41() {
    check_suite("trixie", &trixie_libraries(), GlibcRelease::new(2, 41, 0));
}

/// Every version definition of every library is the soname's base definition, a node the
/// abilists derive from its symbols, or a node of the symbol-less table — exactly.
fn check_version_definitions(suite: &str, dir: &Path, release: GlibcRelease) {
    let mut failures = Vec::new();
    for (lib, file) in LIBRARIES {
        let obj = load(dir, file);
        let real: BTreeSet<String> = obj
            .verdefs
            .iter()
            .map(|d| String::from_utf8_lossy(&d.name).into_owned())
            .collect();
        let bases: Vec<String> = obj
            .verdefs
            .iter()
            .filter(|d| d.flags & VER_FLG_BASE != 0)
            .map(|d| String::from_utf8_lossy(&d.name).into_owned())
            .collect();
        // glibc names the base definition after the soname, which is the file name here.
        assert_eq!(bases, [file.to_string()], "{suite} {file}: base definition");
        let mut expected: BTreeSet<String> = GlibcAbi::embedded()
            .version_nodes(lib, TARGET, release)
            .into_iter()
            .collect();
        expected.extend(SymbollessNodes::embedded().nodes(lib, TARGET, release));
        expected.insert(file.to_string());
        for node in real.difference(&expected) {
            failures.push(format!("{suite} {file}: {node} defined but not expected"));
        }
        for node in expected.difference(&real) {
            failures.push(format!("{suite} {file}: {node} expected but not defined"));
        }
        println!("{suite} {file}: {} version definitions", real.len());
    }
    assert!(
        failures.is_empty(),
        "glibc {release} ({suite}): version definitions differ:\n{}",
        failures.join("\n")
    );
}

#[test]
fn version_definitions_are_accounted_for_in_bullseye_glibc_2_31() {
    check_version_definitions(
        "bullseye",
        &root_libraries("bullseye"),
        GlibcRelease::new(2, 31, 0),
    );
}

#[test]
fn version_definitions_are_accounted_for_in_bookworm_glibc_2_36() {
    check_version_definitions(
        "bookworm",
        &root_libraries("glibc"),
        GlibcRelease::new(2, 36, 0),
    );
}

#[test]
fn version_definitions_are_accounted_for_in_trixie_glibc_2_41() {
    check_version_definitions("trixie", &trixie_libraries(), GlibcRelease::new(2, 41, 0));
}
