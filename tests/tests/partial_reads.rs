//! A check reads only the parts of a file the parse needs (headers, the segments they name,
//! the tables the dynamic section points to). Every ELF file of every fixture root, each
//! architecture's included, must parse from those parts exactly as from the whole file,
//! and without falling back to reading it whole.

use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use ldsim_loader::{parse, parse_in_parts, PartsRead};
use ldsim_tests::fixtures;
use ldsim_tests::foreign::foreign_fixtures;

/// Regular ELF files under the root's library and program directories (symlinks not
/// followed), each file once.
fn elf_files(root: &Path) -> Vec<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut files = Vec::new();
    let mut dirs: Vec<PathBuf> = ["usr/bin", "usr/lib", "usr/libexec", "lib", "lib64"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.is_dir() {
                dirs.push(entry.path());
            } else if meta.is_file()
                && seen.insert((meta.dev(), meta.ino()))
                && std::fs::read(entry.path()).is_ok_and(|b| b.starts_with(b"\x7fELF"))
            {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_elf_file_of_every_root_parses_from_its_parts_as_from_the_whole() {
    let mut roots: Vec<(String, PathBuf)> = fixtures().roots.into_iter().collect();
    roots.extend(
        foreign_fixtures()
            .roots
            .into_iter()
            .map(|r| (r.arch, r.root)),
    );
    let mut failures = Vec::new();
    let mut total = 0;
    for (name, root) in &roots {
        let files = elf_files(root);
        assert!(!files.is_empty(), "{name}: no ELF files");
        total += files.len();
        let (mut whole_bytes, mut read_bytes) = (0u64, 0u64);
        for file in &files {
            let bytes = std::fs::read(file).expect("read");
            let len = bytes.len() as u64;
            let expected = parse(&bytes);
            // The first read as a check makes it (16 KiB), and one too small for the program
            // headers of some files, which must then be asked for.
            for first in [16 * 1024, 64] {
                let mut read = 0u64;
                let (parsed, how) = parse_in_parts(len, first, |offset, size| {
                    let start = (offset as usize).min(bytes.len());
                    let end = start.saturating_add(size as usize).min(bytes.len());
                    read += (end - start) as u64;
                    Ok::<_, ()>(&bytes[start..end])
                })
                .unwrap();
                if parsed != expected {
                    failures.push(format!("{}: differs (first {first})", file.display()));
                } else if how != PartsRead::Parts {
                    failures.push(format!(
                        "{}: the parts were not enough (first {first})",
                        file.display()
                    ));
                }
                if first == 16 * 1024 {
                    whole_bytes += len;
                    read_bytes += read.min(len);
                }
            }
        }
        eprintln!(
            "{name}: {} files, {} of {} MB read",
            files.len(),
            read_bytes / 1_000_000,
            whole_bytes / 1_000_000
        );
    }
    assert!(total > 1000, "only {total} ELF files in the fixture roots");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
