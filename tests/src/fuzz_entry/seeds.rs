//! Seed inputs for the fuzz targets, written by `cargo xtask fuzz` into the (uncommitted)
//! corpus: files generated here (small ELF files, archives of them) and, when the fixtures
//! are built, real files of the glibc root (its libraries, ld.so and ld.so.cache).

use std::io::Write;
use std::path::Path;

use super::elf_gen::{generate, Rng};
use super::join_files;

/// Largest fixture file taken as a seed: bigger inputs make every execution slow.
const MAX_FIXTURE_SEED: u64 = 256 << 10;

/// `(name, bytes)` seeds for `target`; `fixtures` is `$LDSIM_FIXTURES` when it exists.
pub fn seeds(target: &str, fixtures: Option<&Path>) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let generated: Vec<Vec<u8>> = (0..16).map(|i| generate(&mut Rng::new(i))).collect();
    let glibc = fixtures.map(|f| f.join("roots/glibc"));
    let lib_dir = glibc.as_ref().map(|g| g.join("usr/lib/x86_64-linux-gnu"));
    let fixture = |rel: &str| -> Option<Vec<u8>> {
        let path = glibc.as_ref()?.join(rel);
        let meta = std::fs::metadata(&path).ok()?;
        (meta.len() <= MAX_FIXTURE_SEED).then(|| std::fs::read(&path).ok())?
    };
    let small_libs = || -> Vec<(String, Vec<u8>)> {
        let Some(dir) = lib_dir.as_ref() else {
            return Vec::new();
        };
        let mut libs: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter(|e| e.file_name().to_string_lossy().contains(".so"))
            .filter(|e| e.metadata().is_ok_and(|m| m.len() <= 64 << 10))
            .filter_map(|e| {
                let bytes = std::fs::read(e.path()).ok()?;
                Some((e.file_name().to_string_lossy().into_owned(), bytes))
            })
            .collect();
        libs.sort();
        libs.truncate(24);
        libs
    };
    match target {
        "elf_parse" => {
            for (i, g) in generated.iter().enumerate() {
                out.push((format!("generated-{i}"), g.clone()));
            }
            out.extend(small_libs());
            if let Some(t) = fixture("usr/bin/true") {
                out.push(("true".into(), t));
            }
        }
        "loader_inspection" => {
            for (i, g) in generated.iter().take(4).enumerate() {
                out.push((format!("generated-{i}"), g.clone()));
            }
            if let Some(ld) = fixture("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2") {
                out.push(("glibc-ld.so".into(), ld));
            }
            out.push((
                "musl-strings".into(),
                b"\x7fELF\0musl libc (x86_64)\0Version %s\0%.*s/etc/ld-musl-x86_64.path\0".to_vec(),
            ));
            out.push((
                "gcompat-strings".into(),
                b"\x7fELF\0/lib/ld-musl-x86_64.so.1\0/lib/libgcompat.so.0\0".to_vec(),
            ));
            out.push((
                "glibc-strings".into(),
                b"\x7fELF\0/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0/lib/\0/usr/lib/\0\
                  lib/x86_64-linux-gnu\0/etc/ld.so.cache\0/etc/ld.so.preload\0\
                  GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.\0"
                    .to_vec(),
            ));
        }
        "ldso_cache" => {
            if let Some(c) = fixture("etc/ld.so.cache") {
                out.push(("glibc-ld.so.cache".into(), c));
            }
        }
        "archive_open" => {
            let files = [
                ("usr/bin/sh", generated[1].clone()),
                ("usr/lib/x86_64-linux-gnu/libc.so.6", generated[2].clone()),
                (
                    "etc/ld.so.cache",
                    fixture("etc/ld.so.cache").unwrap_or_default(),
                ),
            ];
            let root = tarball(&files, true);
            out.push(("root.tar.gz".into(), gzip(&root)));
            let layer = tarball(&files[..1], false);
            let whiteout = tarball(&[("usr/lib/.wh..wh..opq", Vec::new())], false);
            out.push((
                "docker-save.tar".into(),
                docker_save(&[&layer, &gzip(&whiteout)]),
            ));
            out.push(("root.tar".into(), root));
        }
        "whole_check" => {
            out.push((
                "generated-vroot".into(),
                join_files(0, &[&generated[1], &generated[3], &generated[5]]),
            ));
            out.push(("generated-builtin".into(), join_files(1, &[&generated[1]])));
            out.push((
                "generated-builtin-lib".into(),
                join_files(7, &[&generated[3], &generated[4]]),
            ));
            let real = [
                "usr/bin/true",
                "usr/lib/x86_64-linux-gnu/libattr.so.1.1.2501",
                "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "etc/ld.so.cache",
            ]
            .map(fixture);
            if let [Some(p), Some(l), Some(ld), Some(c)] = &real {
                out.push(("glibc-vroot".into(), join_files(0, &[p, l, ld, c])));
                out.push(("glibc-builtin".into(), join_files(1, &[p, l])));
            }
        }
        _ => {}
    }
    out
}

/// A tar of `files` (with a `bin -> usr/bin` symlink and a hard link when `links`).
pub fn tarball(files: &[(&str, Vec<u8>)], links: bool) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o755);
        h.set_entry_type(tar::EntryType::Regular);
        let _ = b.append_data(&mut h, path, &bytes[..]);
    }
    if links {
        for (kind, path, target) in [
            (tar::EntryType::Symlink, "bin", "usr/bin"),
            (
                tar::EntryType::Symlink,
                "lib64/ld-linux-x86-64.so.2",
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
            ),
            (tar::EntryType::Link, "usr/bin/dash", "usr/bin/sh"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(0);
            h.set_mode(0o777);
            h.set_entry_type(kind);
            let _ = b.append_link(&mut h, path, target);
        }
    }
    b.into_inner().unwrap_or_default()
}

/// gzip of `bytes` (archive seeds, large kept inputs).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// A `docker save` archive of `layers`.
fn docker_save(layers: &[&[u8]]) -> Vec<u8> {
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let names: Vec<String> = (0..layers.len())
        .map(|i| format!("layer{i}/layer.tar"))
        .collect();
    let manifest = serde_json::json!([{
        "Config": "config.json",
        "RepoTags": ["fuzz:latest"],
        "Layers": names,
    }])
    .to_string();
    let mut files: Vec<(&str, Vec<u8>)> = names
        .iter()
        .zip(layers)
        .map(|(n, l)| (n.as_str(), l.to_vec()))
        .collect();
    files.push(("config.json", config.to_vec()));
    files.push(("manifest.json", manifest.into_bytes()));
    tarball(&files, false)
}
