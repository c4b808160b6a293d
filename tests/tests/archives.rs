//! Target roots given as tarballs and container images (`--sysroot FILE` or an OCI layout):
//! each form must give, byte for byte, the JSON the equivalent directory gives (the contract's
//! equivalence promise), layers must honour whiteouts and opaque directories, `--platform` and
//! `--image` must pick the right image, and hostile archives must give one clear error line with
//! exit status 2, never a panic. Everything is built at test time from the fixture roots.

use ldsim_tests::images::{
    copy_tree, gzip, header_offsets, sh, skopeo_copy, tar_of, tar_root, tar_with_raw_name,
    Compress, Entry, Layout, OCI_INDEX, REF_NAME,
};
use ldsim_tests::{fixtures, ldsim_bin, Manifest};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// What one ldsim run printed.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `ldsim check --format json --sysroot SYSROOT EXTRA… --in-target PROGRAMS…`; never a panic.
fn check(sysroot: &Path, extra: &[&str], programs: &[String]) -> Run {
    let mut args: Vec<OsString> = vec![
        "check".into(),
        "--format".into(),
        "json".into(),
        "--sysroot".into(),
        sysroot.into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    args.push("--in-target".into());
    args.extend(programs.iter().map(OsString::from));
    let out = Command::new(ldsim_bin())
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ldsim: {e}"));
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "ldsim panicked on {}: {}",
        sysroot.display(),
        run.stderr
    );
    run
}

/// The run's JSON, which must report (a verdict, not an error) on every program.
fn reports(run: &Run, what: &str) -> Value {
    assert!(
        matches!(run.code, 0 | 1),
        "{what}: exit {}; stderr: {}",
        run.code,
        run.stderr
    );
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}): {}", run.stdout));
    let files = json["files"].as_array().expect("files[]");
    assert!(!files.is_empty(), "{what}: no report: {json:#}");
    for f in files {
        assert!(f["verdict"].is_string(), "{what}: not a report: {f:#}");
    }
    json
}

/// The first line where `a` and `b` differ, with a little context.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = la
        .iter()
        .zip(&lb)
        .position(|(x, y)| x != y)
        .unwrap_or(la.len().min(lb.len()));
    let from = at.saturating_sub(6);
    let show = |l: &[&str]| l[from.min(l.len())..(at + 3).min(l.len())].join("\n");
    format!(
        "line {}:\n--- directory\n{}\n--- archive\n{}",
        at + 1,
        show(&la),
        show(&lb)
    )
}

/// Checks `programs` with `dir` and with `archive` (plus `extra` options): same exit status,
/// same stderr and the same JSON byte for byte, reporting on every program. Returns the JSON.
fn assert_same(dir: &Path, archive: &Path, extra: &[&str], programs: &[String]) -> Value {
    let want = check(dir, &[], programs);
    let json = reports(&want, &dir.display().to_string());
    let got = check(archive, extra, programs);
    let what = format!("{} {extra:?}", archive.display());
    assert_eq!(
        (got.code, got.stderr.as_str()),
        (want.code, want.stderr.as_str()),
        "{what}: exit status and stderr differ from the directory's"
    );
    assert!(
        got.stdout == want.stdout,
        "{what}: JSON differs from the directory {}'s at {}",
        dir.display(),
        first_difference(&want.stdout, &got.stdout)
    );
    json
}

/// The report on `program` in the run's JSON.
fn report<'a>(json: &'a Value, program: &str) -> &'a Value {
    json["files"]
        .as_array()
        .and_then(|f| f.iter().find(|r| r["file"] == program))
        .unwrap_or_else(|| panic!("no report on {program}: {json:#}"))
}

/// Whether the report's problems say `library` is missing.
fn reports_missing(file: &Value, library: &str) -> bool {
    file["problems"].as_array().is_some_and(|p| {
        p.iter()
            .any(|p| p["kind"] == "missing-library" && p["library"] == library)
    })
}

/// Exit status 2 and exactly one stderr line `ldsim: cannot open the sysroot: ROOT: …problem…`.
fn assert_open_error(run: &Run, root: &Path, problems: &[&str]) {
    assert_eq!(run.code, 2, "{}: stderr: {}", root.display(), run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one error line: {:?}", run.stderr);
    let prefix = format!("ldsim: cannot open the sysroot: {}: ", root.display());
    assert!(
        lines[0].starts_with(&prefix),
        "{:?} starts with {prefix:?}",
        lines[0]
    );
    for p in problems {
        assert!(lines[0].contains(p), "{:?} says {p:?}", lines[0]);
    }
}

/// Every case program installed in fixture root `root`, sorted.
fn programs_in(m: &Manifest, root: &str) -> Vec<String> {
    let set: BTreeSet<&str> = m
        .cases
        .iter()
        .filter(|c| c.roots.iter().any(|r| r == root))
        .map(|c| c.program.as_str())
        .collect();
    assert!(!set.is_empty(), "no case installed in {root}");
    set.into_iter().map(str::to_string).collect()
}

fn root_of(m: &Manifest, root: &str) -> PathBuf {
    m.roots
        .get(root)
        .unwrap_or_else(|| panic!("no fixture root {root}: rerun `cargo xtask fixtures`"))
        .clone()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir")
}

/// Packs fixture root `name` in each of `forms` (tar options, compressor) and checks that every
/// archive predicts what the directory does for every case program of that root.
fn assert_tarballs_equal_root(name: &str, forms: &[(&[&str], Compress)]) {
    let m = fixtures();
    let root = root_of(&m, name);
    let programs = programs_in(&m, name);
    let tmp = tempdir();
    for (i, (tar_args, compress)) in forms.iter().enumerate() {
        let archive = tmp.path().join(format!("{name}-{i}.archive"));
        tar_root(&root, &archive, tar_args, *compress);
        assert_same(&root, &archive, &[], &programs);
        std::fs::remove_file(&archive).ok();
    }
}

#[test]
fn glibc_root_as_plain_and_gzip_tarball() {
    assert_tarballs_equal_root("glibc", &[(&[], Compress::None), (&[], Compress::Gzip)]);
}

#[test]
fn bullseye_root_as_zstd_tarball() {
    assert_tarballs_equal_root("bullseye", &[(&[], Compress::Zstd)]);
}

#[test]
fn musl_root_as_xz_zstd_and_bzip2_tarballs() {
    assert_tarballs_equal_root(
        "musl",
        &[
            (&[], Compress::Xz),
            (&[], Compress::Zstd),
            (&[], Compress::Bzip2),
        ],
    );
}

#[test]
fn gcompat_root_as_pax_gzip_tarball() {
    assert_tarballs_equal_root("gcompat", &[(&["--format=posix"], Compress::Gzip)]);
}

/// GNU tar's long-name records (`././@LongLink`) for a file, a hard link to it and a symlink
/// whose target is longer than the 100-byte name field.
#[test]
fn gnu_long_names_hard_links_and_long_symlinks() {
    let m = fixtures();
    let tmp = tempdir();
    let root = tmp.path().join("root");
    copy_tree(&root_of(&m, "musl"), &root);
    let deep = format!("/t/deep/{}", "directory-".repeat(12));
    assert!(deep.len() > 110);
    let host_deep = root.join(deep.trim_start_matches('/'));
    std::fs::create_dir_all(&host_deep).unwrap();
    std::fs::copy(
        root.join("t/musl/weak_undefined/main"),
        host_deep.join("main"),
    )
    .unwrap();
    std::fs::hard_link(host_deep.join("main"), host_deep.join("main-hard-link")).unwrap();
    let main = format!("{deep}/main");
    std::os::unix::fs::symlink(&main, root.join("t/short")).unwrap();

    let archive = tmp.path().join("long.tar");
    tar_root(&root, &archive, &["--format=gnu"], Compress::None);
    let bytes = std::fs::read(&archive).unwrap();
    let long_links = bytes.windows(13).filter(|w| w == b"././@LongLink").count();
    assert!(long_links >= 3, "GNU long-name records: {long_links}");

    let hard = format!("{deep}/main-hard-link");
    let programs = vec![main.clone(), hard.clone(), "/t/short".to_string()];
    let json = assert_same(&root, &archive, &[], &programs);
    for p in &programs {
        assert_eq!(report(&json, p)["verdict"], "ok", "{p}: {json:#}");
    }
}

/// The musl root as container images: layer 1 is the whole root, layer 2 (made by umoci) deletes
/// /opt/mpath/libM.so.1 (a whiteout) and adds /usr/lib/libnope.so.1.
#[derive(Debug)]
struct MuslImages {
    base_dir: PathBuf,
    /// The directory equal to the merged layers of `ldsim/musl:mod`.
    mod_dir: PathBuf,
    /// Images `ldsim/musl:base` and `ldsim/musl:mod`.
    two: Layout,
    /// Only `ldsim/musl:mod`.
    single: Layout,
    single_tar: PathBuf,
    single_tar_gz: PathBuf,
    /// `docker save` form of `ldsim/musl:mod` (skopeo docker-archive), and zstd-compressed.
    docker: PathBuf,
    docker_zst: PathBuf,
    programs: Vec<String>,
}

/// What layer 2 changes.
fn layer2_change(rootfs: &Path) {
    std::fs::remove_file(rootfs.join("opt/mpath/libM.so.1")).expect("remove libM");
    std::fs::copy(
        rootfs.join("t/musl/rpath_inherited/rp/libA.so.1"),
        rootfs.join("usr/lib/libnope.so.1"),
    )
    .expect("add libnope");
}

fn musl_images() -> &'static MuslImages {
    static IMAGES: OnceLock<MuslImages> = OnceLock::new();
    IMAGES.get_or_init(|| {
        let m = fixtures();
        let base_dir = root_of(&m, "musl");
        // A fixed place (rebuilt each run) so that the images can be inspected after a failure.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("archives-musl-images");
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).unwrap();

        let mod_dir = dir.join("mod-dir");
        copy_tree(&base_dir, &mod_dir);
        layer2_change(&mod_dir);

        let work = Layout::umoci_from_root(&dir.join("umoci"), "base", &base_dir, &dir.join("b1"));
        work.umoci_derive("base", "mod", &dir.join("b2"), layer2_change);
        let two = Layout {
            dir: dir.join("two"),
        };
        let single = Layout {
            dir: dir.join("single"),
        };
        for (tag, layout) in [("base", &two), ("mod", &two), ("mod", &single)] {
            skopeo_copy(
                &format!("oci:{}", work.image_ref(tag)),
                &format!("oci:{}", layout.image_ref(&format!("ldsim/musl:{tag}"))),
            );
        }
        let single_tar = dir.join("single-layout.tar");
        tar_root(&single.dir, &single_tar, &[], Compress::None);
        let single_tar_gz = dir.join("single-layout.tar.gz");
        tar_root(&single.dir, &single_tar_gz, &[], Compress::Gzip);
        let docker = dir.join("docker-save.tar");
        skopeo_copy(
            &format!("oci:{}", work.image_ref("mod")),
            &format!("docker-archive:{}:ldsim/musl:mod", docker.display()),
        );
        let docker_zst = dir.join("docker-save.tar.zst");
        sh("zstd -q -c \"$1\" > \"$2\"", &[&docker, &docker_zst]);
        MuslImages {
            base_dir,
            mod_dir,
            two,
            single,
            single_tar,
            single_tar_gz,
            docker,
            docker_zst,
            programs: programs_in(&m, "musl"),
        }
    })
}

#[test]
fn image_layers_apply_whiteouts_in_every_image_form() {
    let im = musl_images();
    let forms = [
        &im.single.dir,
        &im.single_tar,
        &im.single_tar_gz,
        &im.docker,
        &im.docker_zst,
    ];
    for form in forms {
        let json = assert_same(&im.mod_dir, form, &[], &im.programs);
        // The whiteout in layer 2 hides layer 1's libM …
        let r = report(&json, "/t/musl/musl_path_file/main");
        assert_eq!(r["verdict"], "fails", "{r:#}");
        assert!(reports_missing(r, "libM.so.1"), "{r:#}");
        // … and the library layer 2 adds is found.
        let r = report(&json, "/t/musl/missing_library/main");
        let objs = r["objects"].as_array().expect("objects");
        assert!(
            objs.iter()
                .any(|o| o["needed"] == "libnope.so.1" && o["path"] == "/usr/lib/libnope.so.1"),
            "{r:#}"
        );
    }
    // The same program loads on the unmodified root: the image result is not the root's.
    let base = reports(&check(&im.base_dir, &[], &im.programs), "musl root");
    assert_eq!(
        report(&base, "/t/musl/musl_path_file/main")["verdict"],
        "ok"
    );
}

#[test]
fn opaque_directory_hides_what_lower_layers_put_there() {
    let im = musl_images();
    let tmp = tempdir();
    let layout = Layout {
        dir: tmp.path().join("layout"),
    };
    copy_tree(&im.single.dir, &layout.dir);
    let rp = "t/musl/rpath_inherited/rp";
    let lib_a = std::fs::read(im.mod_dir.join(rp).join("libA.so.1")).unwrap();
    let (dir_entry, opq, new_a) = (
        format!("{rp}/"),
        format!("{rp}/.wh..wh..opq"),
        format!("{rp}/libA.so.1"),
    );
    let layer = tar_of(&[
        Entry::Dir(&dir_entry),
        Entry::File(&opq, b""),
        Entry::File(&new_a, &lib_a),
    ]);
    let mut desc = layout.add_image(&layout.manifest("ldsim/musl:mod"), &[layer], "amd64");
    desc["annotations"] = json!({REF_NAME: "ldsim/musl:opaque"});
    layout.set_index(vec![desc]);

    // The equivalent directory: rp emptied but for what the layer adds.
    let want = tmp.path().join("dir");
    copy_tree(&im.mod_dir, &want);
    std::fs::remove_dir_all(want.join(rp)).unwrap();
    std::fs::create_dir_all(want.join(rp)).unwrap();
    std::fs::write(want.join(&new_a), &lib_a).unwrap();
    sh("chmod 755 \"$1\"", &[want.join(&new_a)]);

    let json = assert_same(&want, &layout.dir, &[], &im.programs);
    let r = report(&json, "/t/musl/rpath_inherited/main");
    assert_eq!(r["verdict"], "fails", "{r:#}");
    assert!(reports_missing(r, "libB.so.1"), "{r:#}");
}

/// A layout in `dir` whose one image `ldsim/musl:multi` is a nested multi-platform index:
/// first an `other_arch` image (the musl base plus `extra_layer`), then linux/amd64 (the musl
/// base itself). The other platform comes first so that a default must choose by platform.
fn multi_platform_layout(dir: &Path, extra_layer: Vec<u8>, other_arch: &str) -> Layout {
    let im = musl_images();
    let layout = Layout {
        dir: dir.join("layout"),
    };
    copy_tree(&im.two.dir, &layout.dir);
    let mut other = layout.add_image(
        &layout.manifest("ldsim/musl:base"),
        &[extra_layer],
        other_arch,
    );
    other["platform"] = json!({"os": "linux", "architecture": other_arch});
    let mut amd64 = layout.descriptor("ldsim/musl:base");
    amd64.as_object_mut().unwrap().remove("annotations");
    amd64["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let nested = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [other, amd64]});
    let mut top = layout.put_blob(OCI_INDEX, nested.to_string().as_bytes());
    top["annotations"] = json!({REF_NAME: "ldsim/musl:multi"});
    layout.set_index(vec![top]);
    layout
}

#[test]
fn platform_picks_the_image_of_a_multi_platform_index() {
    let im = musl_images();
    let tmp = tempdir();
    // arm64: the base image plus a layer deleting the musl loader (so its verdicts differ).
    let no_loader = tar_of(&[
        Entry::Dir("lib/"),
        Entry::File("lib/.wh.ld-musl-x86_64.so.1", b""),
    ]);
    let layout = multi_platform_layout(tmp.path(), no_loader, "arm64");

    let amd = assert_same(&im.base_dir, &layout.dir, &[], &im.programs);
    assert_same(
        &im.base_dir,
        &layout.dir,
        &["--platform", "linux/amd64"],
        &im.programs,
    );

    let arm_dir = tmp.path().join("arm64-dir");
    copy_tree(&im.base_dir, &arm_dir);
    std::fs::remove_file(arm_dir.join("lib/ld-musl-x86_64.so.1")).unwrap();
    let arm = assert_same(
        &arm_dir,
        &layout.dir,
        &["--platform", "linux/arm64"],
        &im.programs,
    );
    let p = "/t/musl/weak_undefined/main";
    assert_eq!(report(&amd, p)["verdict"], "ok");
    assert_eq!(report(&arm, p)["verdict"], "fails", "{:#}", report(&arm, p));

    let run = check(&layout.dir, &["--platform", "linux/s390x"], &im.programs);
    assert_open_error(
        &run,
        &layout.dir,
        &[
            "no image for platform linux/s390x",
            "linux/amd64",
            "linux/arm64",
        ],
    );
}

#[test]
fn image_picks_one_of_several_tagged_images() {
    let im = musl_images();
    let two = &im.two.dir;
    let run = check(two, &[], &im.programs);
    assert_open_error(
        &run,
        two,
        &["several images", "ldsim/musl:base", "ldsim/musl:mod"],
    );
    assert_same(
        &im.base_dir,
        two,
        &["--image", "ldsim/musl:base"],
        &im.programs,
    );
    assert_same(
        &im.mod_dir,
        two,
        &["--image", "ldsim/musl:mod"],
        &im.programs,
    );
    let run = check(two, &["--image", "ldsim/musl:nope"], &im.programs);
    assert_open_error(&run, two, &["no image named ldsim/musl:nope"]);

    // docker save names it docker.io/ldsim/musl:mod; both spellings pick it.
    for name in ["docker.io/ldsim/musl:mod", "ldsim/musl:mod"] {
        assert_same(&im.mod_dir, &im.docker, &["--image", name], &im.programs);
    }
}

#[test]
fn oci_layout_missing_a_layer_blob() {
    let im = musl_images();
    let tmp = tempdir();
    let layout = Layout {
        dir: tmp.path().join("layout"),
    };
    copy_tree(&im.single.dir, &layout.dir);
    let manifest = layout.manifest("ldsim/musl:mod");
    let digest = manifest["layers"][1]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let hex = digest.trim_start_matches("sha256:");
    std::fs::remove_file(layout.dir.join("blobs/sha256").join(hex)).unwrap();
    let run = check(&layout.dir, &[], &im.programs);
    assert_open_error(&run, &layout.dir, &[&format!("missing blob {digest}")]);
}

// ---- hostile archives ----

/// A tiny root: a directory and two files (the first one 8 KiB).
fn small_root_tar() -> Vec<u8> {
    tar_of(&[
        Entry::Dir("lib/"),
        Entry::File("lib/libc.so", &pseudo_random(8192, 1)),
        Entry::File("bin/sh", b"#!/bin/sh\n"),
    ])
}

/// Reproducible pseudo-random bytes (xorshift64), no dependency.
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

/// Writes `bytes` to a file and checks `/bin/sh` with it as the sysroot: the open error.
fn assert_rejected(bytes: &[u8], extra: &[&str], problems: &[&str]) {
    let tmp = tempdir();
    let archive = tmp.path().join("hostile");
    std::fs::write(&archive, bytes).unwrap();
    let run = check(&archive, extra, &["/bin/sh".to_string()]);
    assert_open_error(&run, &archive, problems);
}

#[test]
fn entry_climbing_out_of_the_root() {
    let tar = tar_with_raw_name(
        &[Entry::Dir("etc/")],
        b"../../etc/passwd",
        b"root:x:0:0::/root:/bin/sh\n",
    );
    assert_rejected(&tar, &[], &["climbs out of the root"]);
}

#[test]
fn truncated_tar() {
    let tar = small_root_tar();
    let file_header = header_offsets(&tar)[1] as usize;
    assert_rejected(&tar[..file_header + 512 + 3000], &[], &["truncated"]);
}

#[test]
fn truncated_gzip_stream() {
    let gz = gzip(&small_root_tar());
    assert!(gz.len() > 4096, "incompressible data keeps the stream long");
    assert_rejected(&gz[..gz.len() / 2], &[], &["truncated"]);
}

#[test]
fn bad_header_checksum() {
    let mut tar = small_root_tar();
    let second = header_offsets(&tar)[2] as usize;
    tar[second] ^= 0x01; // first byte of the name: the stored checksum no longer matches
    assert_rejected(&tar, &[], &["checksum"]);
}

#[test]
fn neither_archive_nor_directory() {
    let random = pseudo_random(4096, 7);
    assert_rejected(
        &random,
        &[],
        &["not a directory, tar archive or container image"],
    );
    assert_rejected(
        "these are notes, not a root filesystem\n"
            .repeat(40)
            .as_bytes(),
        &[],
        &["not a directory, tar archive or container image"],
    );
}

#[test]
fn lz4_is_an_unsupported_compression() {
    let mut lz4 = vec![0x04, 0x22, 0x4d, 0x18];
    lz4.extend(pseudo_random(1000, 3));
    assert_rejected(&lz4, &[], &["unsupported compression: lz4"]);
}

#[test]
fn lzip_is_an_unsupported_compression() {
    let mut lzip = b"LZIP\x01\x0c".to_vec();
    lzip.extend(pseudo_random(1000, 4));
    assert_rejected(&lzip, &[], &["unsupported compression: lzip"]);
}

#[test]
fn hard_link_to_a_missing_name() {
    let tar = tar_of(&[
        Entry::Dir("lib/"),
        Entry::HardLink("lib/libc.so", "lib/nothere.so"),
    ]);
    assert_rejected(&tar, &[], &["hard link", "lib/nothere.so"]);
    // A link to a name that only comes later is refused the same way (tar extracts in order).
    let tar = tar_of(&[
        Entry::Dir("lib/"),
        Entry::HardLink("lib/libc.so", "lib/later.so"),
        Entry::File("lib/later.so", b"not yet"),
    ]);
    assert_rejected(&tar, &[], &["hard link", "lib/later.so"]);
}

#[test]
fn decompression_bomb_hits_the_unpack_limit() {
    let m = fixtures();
    let tmp = tempdir();
    let bomb = tmp.path().join("bomb.tar.gz");
    let program = "t/musl/static/main";
    let static_main = std::fs::read(root_of(&m, "musl").join(program)).unwrap();
    {
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&bomb).unwrap(),
            flate2::Compression::fast(),
        );
        let mut b = tar::Builder::new(gz);
        let mut h = tar::Header::new_ustar();
        h.set_mode(0o644);
        h.set_size(64 << 20);
        b.append_data(
            &mut h,
            "zeros",
            std::io::Read::take(std::io::repeat(0), 64 << 20),
        )
        .unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_mode(0o755);
        h.set_size(static_main.len() as u64);
        b.append_data(&mut h, program, static_main.as_slice())
            .unwrap();
        b.into_inner().unwrap().finish().unwrap();
    }
    assert!(std::fs::metadata(&bomb).unwrap().len() < (1 << 20));
    let programs = vec![format!("/{program}")];
    let run = check(&bomb, &["--unpack-limit", "16M"], &programs);
    assert_open_error(&run, &bomb, &["unpack limit"]);
    // Under the default limit the same archive opens: the limit was the reason.
    let run = check(&bomb, &[], &programs);
    let json = reports(&run, "bomb under the default limit");
    assert_eq!(report(&json, &programs[0])["verdict"], "ok");
}

#[test]
fn docker_save_naming_a_missing_layer() {
    let manifest = json!([{
        "Config": "config.json",
        "RepoTags": ["ldsim/broken:1"],
        "Layers": ["0123456789abcdef/layer.tar"],
    }])
    .to_string();
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", "0".repeat(64))]},
    })
    .to_string();
    let tar = tar_of(&[
        Entry::File("manifest.json", manifest.as_bytes()),
        Entry::File("config.json", config.as_bytes()),
    ]);
    assert_rejected(&tar, &[], &["missing"]);
}

// ---- archive content a directory can hold too: same answer as the directory ----

/// A copy of the musl root changed by `change`, and the same tree packed by GNU tar: both must
/// predict the same. Returns the JSON.
fn assert_changed_musl_root_agrees(change: impl FnOnce(&Path)) -> Value {
    let m = fixtures();
    let tmp = tempdir();
    let root = tmp.path().join("root");
    copy_tree(&root_of(&m, "musl"), &root);
    change(&root);
    let archive = tmp.path().join("root.tar");
    tar_root(&root, &archive, &[], Compress::None);
    assert_same(&root, &archive, &[], &programs_in(&m, "musl"))
}

#[test]
fn loader_symlink_climbing_out_resolves_inside_the_root() {
    let json = assert_changed_musl_root_agrees(|root| {
        std::fs::rename(
            root.join("lib/ld-musl-x86_64.so.1"),
            root.join("lib/real-ld"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            "../../../../../../lib/real-ld",
            root.join("lib/ld-musl-x86_64.so.1"),
        )
        .unwrap();
    });
    let r = report(&json, "/t/musl/weak_undefined/main");
    assert_eq!(r["verdict"], "ok", "{r:#}");
}

#[test]
fn symlink_loop_in_the_archive() {
    let json = assert_changed_musl_root_agrees(|root| {
        let rp = root.join("t/musl/rpath_inherited/rp");
        std::fs::remove_file(rp.join("libB.so.1")).unwrap();
        std::os::unix::fs::symlink("loop", rp.join("libB.so.1")).unwrap();
        std::os::unix::fs::symlink("libB.so.1", rp.join("loop")).unwrap();
    });
    let r = report(&json, "/t/musl/rpath_inherited/main");
    assert_eq!(r["verdict"], "fails", "{r:#}");
}

#[test]
fn absolute_entry_names_are_rerooted() {
    let m = fixtures();
    let root = root_of(&m, "musl");
    let tmp = tempdir();
    let archive = tmp.path().join("absolute.tar");
    // -P keeps the leading '/' the transform puts on every name ("./lib/…" → "/lib/…").
    tar_root(
        &root,
        &archive,
        &["-P", "--transform=s,^\\./,/,"],
        Compress::None,
    );
    let names = sh("tar -tPf \"$1\"", &[&archive]);
    assert!(
        String::from_utf8_lossy(&names)
            .lines()
            .any(|l| l == "/lib/ld-musl-x86_64.so.1"),
        "absolute names in the archive"
    );
    assert_same(&root, &archive, &[], &programs_in(&m, "musl"));
}

#[test]
fn device_node_where_a_library_is_expected() {
    let mut made = true;
    let json = assert_changed_musl_root_agrees(|root| {
        let lib = root.join("t/musl/runpath_not_inherited/bdir/libB.so.1");
        std::fs::remove_file(&lib).unwrap();
        // Character device 1,3 (a null device); only root may make one.
        made = Command::new("mknod")
            .arg(&lib)
            .args(["c", "1", "3"])
            .status()
            .is_ok_and(|s| s.success());
    });
    if !made {
        eprintln!("mknod needs root: the device node case was checked as a missing library");
    }
    let r = report(&json, "/t/musl/runpath_not_inherited/main");
    assert_eq!(r["verdict"], "fails", "{r:#}");
}

/// Host files of two architectures in one run: without --platform each is checked against
/// its own architecture's image of a multi-platform index (the contract's default).
#[test]
fn files_of_two_architectures_each_get_their_platforms_image() {
    let tmp = tempdir();
    // linux/386: the musl base plus glibc's i386 loader (and no 32-bit libc).
    let loader32 =
        std::fs::read("/lib32/ld-linux.so.2").expect("the i386 glibc loader (gcc-multilib)");
    let layer = tar_of(&[
        Entry::Dir("lib/"),
        Entry::File("lib/ld-linux.so.2", &loader32),
    ]);
    let layout = multi_platform_layout(tmp.path(), layer, "386");

    let src = tmp.path().join("hello.c");
    std::fs::write(&src, "int main(void) { return 0; }\n").unwrap();
    let main32 = tmp.path().join("main32");
    sh("gcc -m32 -o \"$1\" \"$2\"", &[&main32, &src]);
    let main64 = root_of(&fixtures(), "musl").join("t/musl/weak_undefined/main");

    let run_on = |extra: &[&str], files: &[&Path]| {
        let out = Command::new(ldsim_bin())
            .args(["check", "--format", "json", "--sysroot"])
            .arg(&layout.dir)
            .args(extra)
            .args(files)
            .output()
            .expect("run ldsim");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        reports(&run, "two architectures")
    };
    let both = run_on(&[], &[&main32, &main64]);
    let r32 = report(&both, main32.to_str().unwrap());
    let r64 = report(&both, main64.to_str().unwrap());
    // The i386 image has the i386 loader: the 32-bit file gets as far as its libc.
    assert_eq!(r32["problems"][0]["kind"], "missing-library", "{r32:#}");
    assert_eq!(r64["verdict"], "ok", "{r64:#}");
    // The same answers as naming each platform explicitly.
    let alone32 = run_on(&["--platform", "linux/386"], &[&main32]);
    assert_eq!(r32, report(&alone32, main32.to_str().unwrap()));
    let alone64 = run_on(&["--platform", "linux/amd64"], &[&main64]);
    assert_eq!(r64, report(&alone64, main64.to_str().unwrap()));
    // And against the amd64 image the 32-bit file has no loader at all.
    let wrong = run_on(&["--platform", "linux/amd64"], &[&main32]);
    let w = report(&wrong, main32.to_str().unwrap());
    assert_eq!(w["problems"][0]["kind"], "missing-interpreter", "{w:#}");
}
