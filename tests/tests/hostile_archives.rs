//! Archives built to exhaust memory or time (issue 10), generated here at test time: a GNU
//! sparse member declaring a huge hole, a `docker save` manifest listing one layer 2,000 times,
//! an OCI layout whose indexes nest with fan-out 10 nine levels deep. Each must end, with the
//! one-line error (exit 2) or the right verdict, in under a second of CPU and under 64 MiB of
//! peak RSS, measured on the `ldsim` process alone (`ldsim_tests::measured`).

use ldsim_tests::fixtures;
use ldsim_tests::images::{sha256_hex, tar_of, Entry};
use ldsim_tests::measured::{measure, Measured};
use serde_json::{json, Value};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A static musl program of the fixtures: `ok` in any root.
const STATIC_PROGRAM: &str = "t/musl/static/main";

/// `ldsim check --format json --sysroot ROOT EXTRA… --in-target /bin/app`, measured and
/// bounded.
fn measured_check(root: &Path, extra: &[&str]) -> Measured {
    let mut args: Vec<OsString> = vec!["check".into(), "--format".into(), "json".into()];
    args.extend(["--sysroot".into(), root.into()]);
    args.extend(extra.iter().map(OsString::from));
    args.extend(["--in-target".into(), "/bin/app".into()]);
    let run = measure(args);
    run.assert_bounded(&format!("{} {extra:?}", root.display()));
    run
}

/// The run is the one-line open error containing every one of `words`, exit status 2.
fn assert_one_line_error(run: &Measured, root: &Path, words: &[&str]) {
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one error line: {:?}", run.stderr);
    let prefix = format!("ldsim: cannot open the sysroot: {}: ", root.display());
    assert!(lines[0].starts_with(&prefix), "{:?}", lines[0]);
    for w in words {
        assert!(lines[0].contains(w), "{:?} mentions {w:?}", lines[0]);
    }
}

/// The run reports `/bin/app` as `ok`.
fn assert_ok(run: &Measured) {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let file = &json["files"][0];
    assert_eq!(file["file"], "/bin/app", "{json:#}");
    assert_eq!(file["verdict"], "ok", "{json:#}");
}

fn static_program() -> Vec<u8> {
    let m = fixtures();
    let root = m.roots.get("musl").expect("fixture root musl");
    std::fs::read(root.join(STATIC_PROGRAM)).expect("the static musl program")
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir")
}

fn write(path: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path.to_path_buf()
}

// ---- GNU sparse members ---------------------------------------------------------------------

/// A tar numeric field: octal digits and a NUL when they fit, else base-256 (high bit set,
/// big-endian binary), as GNU tar writes large sizes.
fn numeric(field: &mut [u8], value: u64) {
    let digits = format!("{value:0width$o}", width = field.len() - 1);
    if digits.len() < field.len() {
        field[..digits.len()].copy_from_slice(digits.as_bytes());
        field[digits.len()] = 0;
    } else {
        field.fill(0);
        let be = value.to_be_bytes();
        let n = field.len();
        field[n - 8..].copy_from_slice(&be);
        field[0] = 0x80;
    }
}

/// One GNU sparse member (typeflag `S`), header bytes written by hand: `map` is its
/// (offset, length) data segments (at most four: no extension headers), `real_size` the
/// expanded size, and the archive holds only the segments' bytes, taken from `data`.
fn sparse_member(name: &str, map: &[(u64, u64)], real_size: u64, data: &[u8]) -> Vec<u8> {
    assert!(map.len() <= 4);
    let stored: u64 = map.iter().map(|&(_, len)| len).sum();
    assert_eq!(stored, data.len() as u64);
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    numeric(&mut h[100..108], 0o644); // mode
    numeric(&mut h[108..116], 0); // uid
    numeric(&mut h[116..124], 0); // gid
    numeric(&mut h[124..136], stored); // size: the bytes in the archive
    numeric(&mut h[136..148], 1_700_000_000); // mtime
    h[156] = b'S';
    h[257..263].copy_from_slice(b"ustar ");
    h[263..265].copy_from_slice(b" \0");
    for (i, &(offset, len)) in map.iter().enumerate() {
        let at = 386 + 24 * i;
        numeric(&mut h[at..at + 12], offset);
        numeric(&mut h[at + 12..at + 24], len);
    }
    h[482] = 0; // not extended
    numeric(&mut h[483..495], real_size);
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512), 0);
    out
}

/// A root tarball: `/bin/app` (the static program, plain or as a sparse member with `tail`
/// bytes of trailing hole) and `var/log/lastlog`, sparse with a `hole`-byte hole before 512
/// bytes of data.
fn sparse_root(program: &[u8], sparse_program_tail: Option<u64>, hole: u64) -> Vec<u8> {
    let mut entries = vec![Entry::Dir("bin/"), Entry::Dir("var/log/")];
    if sparse_program_tail.is_none() {
        entries.push(Entry::File("bin/app", program));
    }
    let mut tar = tar_of(&entries);
    tar.truncate(tar.len() - 1024); // the end-of-archive blocks go after the sparse members
    if let Some(tail) = sparse_program_tail {
        let len = program.len() as u64;
        // The program's bytes from offset 0, then a zero-length segment at the real size
        // (how GNU tar marks a trailing hole).
        tar.extend(sparse_member(
            "bin/app",
            &[(0, len), (len + tail, 0)],
            len + tail,
            program,
        ));
    }
    tar.extend(sparse_member(
        "var/log/lastlog",
        &[(hole, 512)],
        hole + 512,
        &[0x5a; 512],
    ));
    tar.extend([0u8; 1024]);
    tar
}

#[test]
fn a_sparse_hole_is_charged_to_the_unpack_limit_and_never_materialised() {
    let program = static_program();
    let tmp = tempdir();
    // 3 GiB hole: within the default limit, the member is served lazily (the holes are never
    // in memory); under --unpack-limit 100M it is the one-line limit error.
    let three = write(
        &tmp.path().join("sparse-3g.tar"),
        &sparse_root(&program, None, 3 << 30),
    );
    assert_ok(&measured_check(&three, &[]));
    let run = measured_check(&three, &["--unpack-limit", "100M"]);
    assert_one_line_error(&run, &three, &["exceeds the unpack limit of 100 MiB"]);
    // 64 GiB hole: over the default 16 GiB limit.
    let sixty_four = write(
        &tmp.path().join("sparse-64g.tar"),
        &sparse_root(&program, None, 64 << 30),
    );
    let run = measured_check(&sixty_four, &[]);
    assert_one_line_error(&run, &sixty_four, &["exceeds the unpack limit of 16 GiB"]);
}

#[test]
fn a_sparse_program_with_a_huge_trailing_hole_is_checked_in_place() {
    let program = static_program();
    let tmp = tempdir();
    let root = write(
        &tmp.path().join("sparse-program.tar"),
        &sparse_root(&program, Some(3 << 30), 4096),
    );
    assert_ok(&measured_check(&root, &[]));
}

// ---- docker save: one layer listed 2,000 times ---------------------------------------------

/// An uncompressed layer of `files` empty files plus `/bin/app`.
fn big_layer(program: &[u8], files: usize) -> Vec<u8> {
    let names: Vec<String> = (0..files)
        .map(|i| format!("f/{:03}/{i:05}", i / 100))
        .collect();
    let mut entries = vec![Entry::Dir("bin/"), Entry::File("bin/app", program)];
    entries.extend(names.iter().map(|n| Entry::File(n, b"")));
    tar_of(&entries)
}

/// A `docker save` archive (uncompressed) whose manifest lists `layers` (names of `blobs`).
fn docker_save(blobs: &[(&str, &[u8])], layers: &[&str]) -> Vec<u8> {
    let manifest = json!([{
        "Config": "config.json",
        "RepoTags": ["ldsim/hostile:1"],
        "Layers": layers,
    }])
    .to_string();
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": []},
    })
    .to_string();
    let mut entries = vec![
        Entry::File("manifest.json", manifest.as_bytes()),
        Entry::File("config.json", config.as_bytes()),
    ];
    entries.extend(blobs.iter().map(|&(name, bytes)| Entry::File(name, bytes)));
    tar_of(&entries)
}

#[test]
fn a_layer_listed_two_thousand_times_is_read_once() {
    let program = static_program();
    let tmp = tempdir();
    let layer = big_layer(&program, 20_000);
    let listed = vec!["layer.tar"; 2_000];
    let archive = write(
        &tmp.path().join("repeated.tar"),
        &docker_save(&[("layer.tar", &layer)], &listed),
    );
    assert_ok(&measured_check(&archive, &[]));
}

#[test]
fn layers_alternating_a_thousand_times_are_refused() {
    let program = static_program();
    let tmp = tempdir();
    let a = big_layer(&program, 20_000);
    let b = tar_of(&[Entry::File("etc/b", b"b")]);
    let listed: Vec<&str> = (0..2_000)
        .map(|i| if i % 2 == 0 { "a.tar" } else { "b.tar" })
        .collect();
    let archive = write(
        &tmp.path().join("alternating.tar"),
        &docker_save(&[("a.tar", &a), ("b.tar", &b)], &listed),
    );
    let run = measured_check(&archive, &[]);
    assert_one_line_error(&run, &archive, &["2000 layers", "at most 128"]);
}

#[test]
fn a_layer_applied_again_after_another_is_indexed_once_and_applied_in_order() {
    // A puts /bin/app and 5,000 files, B deletes /bin/app (a whiteout); A, B, A, …, A, 127
    // layers, stays under the 128-layer bound, and A's entries are read once.
    let program = static_program();
    let tmp = tempdir();
    let a = big_layer(&program, 5_000);
    let b = tar_of(&[Entry::Dir("bin/"), Entry::File("bin/.wh.app", b"")]);
    let alternating: Vec<&str> = (0..127)
        .map(|i| if i % 2 == 0 { "a.tar" } else { "b.tar" })
        .collect();
    let blobs = [("a.tar", a.as_slice()), ("b.tar", b.as_slice())];
    let ends_with_a = write(
        &tmp.path().join("aba.tar"),
        &docker_save(&blobs, &alternating),
    );
    assert_ok(&measured_check(&ends_with_a, &[]));
    // The same layers ending with B: the whiteout applied last removes the program.
    let ends_with_b = write(
        &tmp.path().join("ab.tar"),
        &docker_save(&blobs, &alternating[..126]),
    );
    let run = measured_check(&ends_with_b, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("/bin/app"), "{}", run.stderr);
}

#[test]
fn uncompressed_layers_are_charged_to_the_unpack_limit() {
    let program = static_program();
    let tmp = tempdir();
    let layer = big_layer(&program, 20_000); // about 10 MiB of headers
    let archive = write(
        &tmp.path().join("charged.tar"),
        &docker_save(&[("layer.tar", &layer)], &["layer.tar"]),
    );
    let run = measured_check(&archive, &["--unpack-limit", "4M"]);
    assert_one_line_error(&run, &archive, &["exceeds the unpack limit of 4 MiB"]);
}

// ---- OCI: nested indexes with fan-out 10 -----------------------------------------------------

/// Stores `bytes` under blobs/sha256 of `dir`; returns its descriptor.
fn put_blob(dir: &Path, media_type: &str, bytes: &[u8]) -> Value {
    let hex = sha256_hex(bytes);
    write(&dir.join("blobs/sha256").join(&hex), bytes);
    json!({"mediaType": media_type, "digest": format!("sha256:{hex}"), "size": bytes.len()})
}

#[test]
fn nested_indexes_with_fan_out_ten_are_bounded() {
    const INDEX: &str = "application/vnd.oci.image.index.v1+json";
    let program = static_program();
    let tmp = tempdir();
    let dir = tmp.path().join("layout");
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    write(
        &dir.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    );
    let layer = put_blob(
        &dir,
        "application/vnd.oci.image.layer.v1.tar",
        &tar_of(&[Entry::Dir("bin/"), Entry::File("bin/app", &program)]),
    );
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]},
    });
    let config = put_blob(
        &dir,
        "application/vnd.oci.image.config.v1+json",
        config.to_string().as_bytes(),
    );
    let manifest = json!({"schemaVersion": 2, "config": config, "layers": [layer]});
    let mut child = put_blob(
        &dir,
        "application/vnd.oci.image.manifest.v1+json",
        manifest.to_string().as_bytes(),
    );
    // Eight nested index blobs, each listing its child ten times, and index.json listing the
    // top one ten times: 10⁹ paths to the one manifest, every level within the depth bound.
    for _ in 0..8 {
        let index = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": vec![child; 10]});
        child = put_blob(&dir, INDEX, index.to_string().as_bytes());
    }
    let index = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": vec![child; 10]});
    write(&dir.join("index.json"), index.to_string().as_bytes());
    let run = measured_check(&dir, &[]);
    assert_one_line_error(&run, &dir, &["more than 4096 manifests"]);
}
