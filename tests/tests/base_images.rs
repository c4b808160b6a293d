//! The base-image tables against real minbase roots made by debootstrap itself: the package set
//! is the one debootstrap installed, and every library of the table is the real root's file,
//! symbol for symbol (name, version, default or not), with its soname, needed libraries and
//! version definitions.

use std::collections::BTreeSet;
use std::path::Path;

use ldsim_loader::arch::Arch;
use ldsim_loader::{ElfObject, STB_LOCAL, STV_HIDDEN, STV_INTERNAL, VERSYM_HIDDEN, VER_FLG_BASE};
use ldsim_tests::manifest::debian_base_root;

/// Packages dpkg says are installed in the root.
fn installed(root: &Path) -> BTreeSet<String> {
    let status = std::fs::read_to_string(root.join("var/lib/dpkg/status")).expect("dpkg status");
    let mut out = BTreeSet::new();
    for stanza in status.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
        };
        if field("Status") == Some("install ok installed") {
            if let Some(package) = field("Package") {
                out.insert(package.to_owned());
            }
        }
    }
    out
}

/// An object's exports as the loaders see them: (name, version, default).
fn exports(object: &ElfObject) -> BTreeSet<(String, Option<String>, bool)> {
    object
        .symbols
        .iter()
        .skip(1)
        .filter(|s| {
            (!s.is_undefined() || s.value != 0)
                && s.binding != STB_LOCAL
                && !matches!(s.visibility, STV_HIDDEN | STV_INTERNAL)
                && !s.name.is_empty()
                && matches!(s.kind, 0 | 1 | 2 | 5 | 6 | 10)
        })
        .map(|s| {
            let index = s.versym.map(|v| v & !VERSYM_HIDDEN).filter(|&i| i >= 2);
            let version = index
                .and_then(|i| object.verdef(i))
                .map(|d| String::from_utf8_lossy(&d.name).into_owned());
            let default = s.versym.is_none_or(|v| v & VERSYM_HIDDEN == 0);
            (
                String::from_utf8_lossy(&s.name).into_owned(),
                version,
                default,
            )
        })
        .collect()
}

fn versions(object: &ElfObject) -> Vec<String> {
    object
        .verdefs
        .iter()
        .filter(|d| d.flags & VER_FLG_BASE == 0)
        .map(|d| String::from_utf8_lossy(&d.name).into_owned())
        .collect()
}

#[test]
fn base_image_tables_are_the_real_minbase_roots() {
    // Debian 11's fixture base root is a plain minbase; Debian 12's has python3 on top; the
    // other releases' are plain minbase roots made for this test (`cargo xtask fixtures`).
    let minbase = ldsim_tests::manifest::minbase_root;
    for (target, root, plain) in [
        ("debian-11", debian_base_root("bullseye"), true),
        ("debian-12", debian_base_root("bookworm"), false),
        ("debian-13", minbase("debian-13"), true),
        ("ubuntu-18.04", minbase("ubuntu-18.04"), true),
        ("ubuntu-20.04", minbase("ubuntu-20.04"), true),
        ("ubuntu-22.04", minbase("ubuntu-22.04"), true),
        ("ubuntu-24.04", minbase("ubuntu-24.04"), true),
    ] {
        let image = ldsim_tables::base::base_image(target, Arch::X86_64)
            .unwrap_or_else(|| panic!("{target}: no base-image table"));
        let real = installed(&root);
        let table: BTreeSet<String> = image.packages.iter().map(|(p, _)| p.clone()).collect();
        if plain {
            assert_eq!(
                table, real,
                "{target}: the package set debootstrap installed"
            );
        } else {
            let missing: Vec<_> = table.difference(&real).collect();
            assert!(
                missing.is_empty(),
                "{target}: not installed by debootstrap: {missing:?}"
            );
        }
        assert!(
            image.libraries.len() > 50,
            "{target}: {} libraries",
            image.libraries.len()
        );
        let mut wrong = Vec::new();
        for lib in &image.libraries {
            let file = root.join(&lib.path[1..]);
            let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let object = ldsim_loader::parse(&bytes).expect("an ELF file");
            let ours = lib.library.object(Arch::X86_64);
            if object.soname() != ours.soname() {
                wrong.push(format!("{}: soname", lib.path));
            }
            if object.needed() != ours.needed() {
                wrong.push(format!("{}: needed", lib.path));
            }
            if versions(&object) != versions(&ours) {
                wrong.push(format!("{}: version definitions", lib.path));
            }
            let (real_exports, table_exports) = (exports(&object), exports(&ours));
            if real_exports != table_exports {
                let extra = table_exports.difference(&real_exports).count();
                let lacking = real_exports.difference(&table_exports).count();
                wrong.push(format!(
                    "{}: exports ({extra} extra, {lacking} lacking)",
                    lib.path
                ));
            }
        }
        // Every shared object with a soname directly in the real root's library directories
        // is in the table (all of them for the plain minbase root).
        let tabled: BTreeSet<&str> = image
            .libraries
            .iter()
            .filter_map(|l| l.path.rsplit('/').next())
            .collect();
        let mut untabled = Vec::new();
        // Not merged-/usr (Ubuntu 18.04): /lib is a directory of its own.
        for dir in [
            "usr/lib/x86_64-linux-gnu",
            "usr/lib",
            "usr/lib64",
            "lib/x86_64-linux-gnu",
            "lib",
        ] {
            for entry in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                let path = entry.path();
                if !path.symlink_metadata().is_ok_and(|m| m.is_file()) {
                    continue;
                }
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let Ok(object) = ldsim_loader::parse(&bytes) else {
                    continue;
                };
                let name = entry.file_name().to_string_lossy().into_owned();
                if object.soname().is_some() && !tabled.contains(name.as_str()) {
                    untabled.push(format!("/{dir}/{name}"));
                }
            }
        }
        if plain {
            assert!(
                untabled.is_empty(),
                "{target}: not in the table: {untabled:?}"
            );
        }
        assert!(
            tabled.contains("libc.so.6") || tabled.iter().any(|n| n.starts_with("libc-")),
            "{target}: the table has no libc"
        );
        assert!(wrong.is_empty(), "{target}:\n{}", wrong.join("\n"));
    }
}

/// The package set of every base-image table is what debootstrap itself says it installs
/// (`--print-debs`, fetched by `cargo xtask fixtures`): Debian 11–13 and Ubuntu 18.04–24.04.
#[test]
fn base_image_package_sets_are_what_debootstrap_installs() {
    let lists = ldsim_tests::manifest::fixtures_dir().join("reference/minbase");
    for target in [
        "debian-11",
        "debian-12",
        "debian-13",
        "ubuntu-18.04",
        "ubuntu-20.04",
        "ubuntu-22.04",
        "ubuntu-24.04",
    ] {
        let image = ldsim_tables::base::base_image(target, Arch::X86_64)
            .unwrap_or_else(|| panic!("{target}: no base-image table"));
        let table: BTreeSet<&str> = image.packages.iter().map(|(p, _)| p.as_str()).collect();
        let text = std::fs::read_to_string(lists.join(format!("{target}.txt")))
            .unwrap_or_else(|e| panic!("{target}: run `cargo xtask fixtures` ({e})"));
        let mut printed: BTreeSet<&str> = text.lines().collect();
        // debootstrap's gutsy script adds usrmerge to what it prints after 21.04 "for germinate"
        // but does not install it in a fresh bootstrap (scripts/gutsy: work_out_debs).
        if target.starts_with("ubuntu-") && !table.contains("usrmerge") {
            printed.remove("usrmerge");
        }
        assert_eq!(table, printed, "{target}");
    }
}
