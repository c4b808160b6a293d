//! The architecture's invariants that a reading of the source can check, as ordinary tests
//! (rust-analyzer's tidy tests are the model): each names the invariant of ARCHITECTURE.md
//! it enforces. Test code (a `#[cfg(test)]` module, a `tests.rs` file) is not held to them.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every `.rs` file under `dir`, recursively (build output excluded).
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != ".git" && name != "corpus" {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A source file's code that is not test code: files named `tests.rs` have none, others
/// end where their `#[cfg(test)]` module starts (the convention of this workspace).
fn non_test_code(file: &Path) -> String {
    if file.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(file).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// `(file, line)` of each line of `crate_src`'s non-test code holding one of `needles`.
fn offending(crate_src: &str, needles: &[&str], allowed: &[&str]) -> Vec<String> {
    let root = workspace();
    let mut found = Vec::new();
    for file in rust_files(&root.join(crate_src)) {
        let relative = file.strip_prefix(&root).unwrap().display().to_string();
        if allowed.contains(&relative.as_str()) {
            continue;
        }
        for line in non_test_code(&file).lines() {
            if needles.iter().any(|n| line.contains(n)) && !line.trim_start().starts_with("//") {
                found.push(format!("{relative}: {}", line.trim()));
            }
        }
    }
    found
}

/// Invariant: `loader` does no I/O and reads no environment.
#[test]
fn the_loader_does_no_io() {
    let found = offending(
        "loader/src",
        &[
            "std::fs",
            "std::env",
            "std::process",
            "std::net",
            "File::open",
            "std::io::Read",
            "read_to_string",
        ],
        &[],
    );
    assert!(found.is_empty(), "I/O in loader/src: {found:#?}");
}

/// Invariant: the resolver takes every ambient input explicitly (`Environment`), never from
/// the process.
#[test]
fn the_resolver_reads_no_environment() {
    let found = offending("resolver/src", &["std::env", "std::process"], &[]);
    assert!(
        found.is_empty(),
        "ambient input in resolver/src: {found:#?}"
    );
}

/// Invariant: an ELF object is read from program headers, never from section headers; the
/// one exception is Go's build information.
#[test]
fn section_headers_are_read_for_go_build_information_only() {
    let found = offending(
        "loader/src",
        &["shoff", "shnum", "shstrndx"],
        &["loader/src/go.rs"],
    );
    assert!(found.is_empty(), "section headers read in: {found:#?}");
}

/// Invariant: output is deterministic: the JSON contract types and the writers hold no
/// hash-ordered collection.
#[test]
fn output_never_follows_hash_order() {
    let root = workspace();
    let writers = [
        "resolver/src/report.rs",
        "cli/src/render.rs",
        "cli/src/matrix.rs",
        "cli/src/ci.rs",
        "cli/src/schema.rs",
        "cli/src/baseline.rs",
        "cli/src/policy.rs",
        "cli/src/summary.rs",
    ];
    for writer in writers {
        let code = non_test_code(&root.join(writer));
        assert!(
            !code.contains("HashMap") && !code.contains("HashSet"),
            "{writer} uses a hash-ordered collection"
        );
    }
}

/// No test is skipped: a test that cannot run here fails, with what it needs.
#[test]
fn no_test_is_ignored() {
    let needle = ["#[", "ignore"].concat();
    let root = workspace();
    let mut found = Vec::new();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        if text.lines().any(|l| l.trim_start().starts_with(&needle)) {
            found.push(file.strip_prefix(&root).unwrap().display().to_string());
        }
    }
    assert!(found.is_empty(), "ignored tests in {found:?}");
}

/// ARCHITECTURE.md's code map names every crate, every module folder and every module file.
#[test]
fn the_code_map_names_every_module() {
    let root = workspace();
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    for krate in [
        "sysroots", "loader", "tables", "resolver", "cli", "tests", "xtask", "fuzz",
    ] {
        assert!(
            root.join(krate).is_dir(),
            "{krate}/ is gone: update this list"
        );
        if !map.contains(&format!("`{krate}/`")) {
            missing.push(format!("{krate}/"));
        }
    }
    for krate in [
        "sysroots", "loader", "tables", "resolver", "cli", "tests", "xtask",
    ] {
        let src = root.join(krate).join("src");
        for file in rust_files(&src) {
            let relative = file.strip_prefix(&src).unwrap();
            // Folders: named with a trailing slash.
            for folder in relative.parent().into_iter().flat_map(Path::components) {
                let name = format!("{}/", folder.as_os_str().to_string_lossy());
                if !map.contains(&name) {
                    missing.push(format!("{krate}/src/{name}"));
                }
            }
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if matches!(name.as_str(), "lib.rs" | "main.rs" | "mod.rs" | "tests.rs") {
                continue;
            }
            let stem = name.trim_end_matches(".rs");
            if !(map.contains(&name) || map.contains(&format!("{stem}/"))) {
                missing.push(format!("{krate}/src/{}", relative.display()));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name: {missing:#?}"
    );
}
