//! The embedded musl and GCC runtime tables agree with real libraries at hand: the musl fixture
//! root's libc.so (Debian bookworm, musl 1.2.3) and trixie's (1.2.5) export exactly what the musl
//! table lists for x86_64; bullseye's (GCC 10), bookworm's (GCC 12) and trixie's (GCC 14)
//! libstdc++.so.6 and libgcc_s.so.1 define exactly the version nodes the GCC table lists.

use ldsim_loader::{
    parse, Arch, ElfObject, STB_GLOBAL, STB_GNU_UNIQUE, STB_WEAK, STT_FUNC, STT_NOTYPE, STT_OBJECT,
    STV_DEFAULT, STV_PROTECTED, VER_FLG_BASE,
};
use ldsim_tables::abilists::ExportKind;
use ldsim_tables::gcc::{GccAbi, GccRelease};
use ldsim_tables::musl::{MuslAbi, MuslRelease};
use ldsim_tests::fixtures;
use ldsim_tests::manifest::trixie_amd64_reference;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn load(path: &Path) -> ElfObject {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn root(name: &str) -> PathBuf {
    fixtures()
        .roots
        .get(name)
        .unwrap_or_else(|| panic!("fixture root {name} missing: run `cargo xtask fixtures`"))
        .clone()
}

/// What musl's loader can bind to in this libc.so (musl ldso/dynlink.c: `find_sym` takes a
/// defined symbol of an `OK_TYPES` type and `OK_BINDS` binding).
fn real_musl_exports(obj: &ElfObject) -> BTreeSet<(String, ExportKind)> {
    obj.symbols
        .iter()
        .skip(1)
        .filter(|s| !s.is_undefined())
        .filter(|s| matches!(s.binding, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE))
        .filter(|s| matches!(s.visibility, STV_DEFAULT | STV_PROTECTED))
        .map(|s| {
            let kind = match s.kind {
                STT_FUNC => ExportKind::Function,
                STT_OBJECT => ExportKind::Object {
                    size: u16::try_from(s.size).expect("object size fits"),
                },
                STT_NOTYPE => ExportKind::NoType,
                other => panic!("{:?} has type {other}", String::from_utf8_lossy(&s.name)),
            };
            (String::from_utf8_lossy(&s.name).into_owned(), kind)
        })
        .collect()
}

fn table_musl_exports(release: MuslRelease) -> BTreeSet<(String, ExportKind)> {
    let exports = MuslAbi::embedded()
        .exports(release, Arch::X86_64)
        .unwrap_or_else(|| panic!("the musl table has no {release} x86_64"));
    let count = exports.len();
    let set: BTreeSet<_> = exports.into_iter().map(|e| (e.name, e.kind)).collect();
    assert_eq!(set.len(), count, "musl {release}: duplicate exports");
    set
}

fn assert_same<T: Ord + std::fmt::Debug>(what: &str, table: &BTreeSet<T>, real: &BTreeSet<T>) {
    let missing: Vec<&T> = real.difference(table).collect();
    let extra: Vec<&T> = table.difference(real).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: the real library has {missing:?} the table lacks; the table has {extra:?} the \
         library lacks"
    );
}

#[test]
fn musl_1_2_3_table_is_the_musl_fixture_roots_libc() {
    // xtask/src/roots.rs: musl_root copies bookworm's libc.so to the loader path.
    let libc = load(&root("musl").join("lib/ld-musl-x86_64.so.1"));
    let real = real_musl_exports(&libc);
    assert!(real.len() > 1500, "{} exports", real.len());
    let table = table_musl_exports(MuslRelease::new(1, 2, 3));
    assert_same("musl 1.2.3 x86_64", &table, &real);
}

#[test]
fn musl_1_2_5_table_is_trixies_libc() {
    let path = trixie_amd64_reference().join("usr/lib/x86_64-linux-musl/libc.so");
    let real = real_musl_exports(&load(&path));
    let table = table_musl_exports(MuslRelease::new(1, 2, 5));
    assert_same("musl 1.2.5 x86_64", &table, &real);
}

/// The version definitions of a library, without the base version (its soname).
fn real_nodes(path: &Path) -> BTreeSet<String> {
    load(path)
        .verdefs
        .iter()
        .filter(|d| d.flags & VER_FLG_BASE == 0)
        .map(|d| String::from_utf8_lossy(&d.name).into_owned())
        .collect()
}

fn table_nodes(nodes: Option<Vec<String>>, what: &str) -> BTreeSet<String> {
    let nodes = nodes.unwrap_or_else(|| panic!("the gcc table has no {what}"));
    let count = nodes.len();
    let set: BTreeSet<String> = nodes.into_iter().collect();
    assert_eq!(set.len(), count, "{what}: duplicate nodes");
    set
}

fn assert_gcc_tables_match(lib_dir: &Path, gcc: u8) {
    let abi = GccAbi::embedded();
    let release = GccRelease::new(gcc, 0);
    let what = format!("GCC {gcc} x86_64");
    assert_eq!(abi.from_real_library(release, Arch::X86_64), Some(true));
    assert_same(
        &format!("{what} libstdc++.so.6"),
        &table_nodes(abi.libstdcxx_nodes(release, Arch::X86_64), &what),
        &real_nodes(&lib_dir.join("libstdc++.so.6")),
    );
    assert_same(
        &format!("{what} libgcc_s.so.1"),
        &table_nodes(abi.libgcc_s_nodes(release, Arch::X86_64), &what),
        &real_nodes(&lib_dir.join("libgcc_s.so.1")),
    );
}

#[test]
fn gcc_10_nodes_are_bullseyes_libraries() {
    assert_gcc_tables_match(&root("bullseye").join("usr/lib/x86_64-linux-gnu"), 10);
}

#[test]
fn gcc_12_nodes_are_bookworms_libraries() {
    assert_gcc_tables_match(&root("glibc").join("usr/lib/x86_64-linux-gnu"), 12);
}

#[test]
fn gcc_14_nodes_are_trixies_libraries() {
    assert_gcc_tables_match(
        &trixie_amd64_reference().join("usr/lib/x86_64-linux-gnu"),
        14,
    );
}

#[test]
fn the_floor_of_a_node_is_the_first_release_whose_library_has_it() {
    let abi = GccAbi::embedded();
    // bookworm's GCC 12 library is the first real one with GLIBCXX_3.4.30; bullseye's 10 lacks
    // it, and the manual dates it at 12.1.0.
    let bookworm = real_nodes(&root("glibc").join("usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
    let bullseye = real_nodes(&root("bullseye").join("usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
    assert!(bookworm.contains("GLIBCXX_3.4.30") && !bullseye.contains("GLIBCXX_3.4.30"));
    assert_eq!(
        abi.introduced_in("GLIBCXX_3.4.30"),
        Some(GccRelease::new(12, 0))
    );
    // Every node new in bookworm's library over bullseye's has a floor in 11..=12.
    for node in bookworm.difference(&bullseye) {
        let floor = abi.introduced_in(node).expect("known node");
        assert!(
            (GccRelease::new(11, 0)..=GccRelease::new(12, 0)).contains(&floor),
            "{node}: {floor}"
        );
    }
}
