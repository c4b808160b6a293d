//! Building target roots in the forms `ldsim check --sysroot` accepts besides a directory:
//! tarballs (plain or compressed), OCI image layouts (plain or packed in a tar) and `docker save`
//! archives. They are made at test time from the fixture roots with the tools a user would use
//! (GNU tar, gzip/xz/zstd/bzip2, umoci, skopeo); hand-made layers and hostile tars use the `tar`
//! crate, with raw header edits where the crate refuses to write a bad entry.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs `cmd`, panicking with its stderr when it fails; returns its stdout.
pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs the shell `script` with positional parameters `$1…` = `args` (paths stay unquoted-safe).
pub fn sh<S: AsRef<std::ffi::OsStr>>(script: &str, args: &[S]) -> Vec<u8> {
    run(Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .args(args))
}

/// Copies the tree `src` to `dst` (created), keeping links, modes and hard links (`cp -a`).
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap_or_else(|e| panic!("mkdir {}: {e}", dst.display()));
    let mut from = src.as_os_str().to_owned();
    from.push("/.");
    run(Command::new("cp").arg("-a").arg(from).arg(dst));
}

/// The compressors a root tarball may be passed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compress {
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

impl Compress {
    /// The filter command (stdin to stdout); fast levels keep the big roots quick.
    fn filter(self) -> &'static str {
        match self {
            Compress::None => "cat",
            Compress::Gzip => "gzip -1 -c",
            Compress::Xz => "xz -1 -T1 -c",
            Compress::Zstd => "zstd -q -c",
            Compress::Bzip2 => "bzip2 -c",
        }
    }
}

/// `tar -C root <tar_args> -cf - . | <compressor> > out`, as one packs a root filesystem.
pub fn tar_root(root: &Path, out: &Path, tar_args: &[&str], compress: Compress) {
    let script = format!(
        "set -e; tar -C \"$1\" {} -cf - . | {} > \"$2\"",
        tar_args.join(" "),
        compress.filter()
    );
    sh(&script, &[root.as_os_str(), out.as_os_str()]);
}

/// Lowercase hex SHA-256 of `bytes` (coreutils `sha256sum`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run sha256sum");
    child
        .stdin
        .take()
        .expect("sha256sum stdin")
        .write_all(bytes)
        .expect("feed sha256sum");
    let out = child.wait_with_output().expect("sha256sum output");
    assert!(out.status.success(), "sha256sum failed");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("sha256sum digest")
        .to_string()
}

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`).
#[derive(Debug, Clone)]
pub struct Layout {
    pub dir: PathBuf,
}

impl Layout {
    /// A new layout at `dir` whose image `tag` has one layer holding the whole of `root`
    /// (umoci init/new/unpack, copy the root in, umoci repack). `scratch` holds the bundle.
    pub fn umoci_from_root(dir: &Path, tag: &str, root: &Path, scratch: &Path) -> Layout {
        let layout = Layout {
            dir: dir.to_path_buf(),
        };
        run(Command::new("umoci").arg("init").arg("--layout").arg(dir));
        run(Command::new("umoci")
            .arg("new")
            .arg("--image")
            .arg(layout.image_ref(tag)));
        layout.umoci_derive(tag, tag, scratch, |rootfs| copy_tree(root, rootfs));
        layout
    }

    /// Adds image `to`: image `from` plus one layer made by umoci from what `change` does to its
    /// unpacked rootfs (deletions become `.wh.` whiteouts). `scratch` must not exist yet.
    pub fn umoci_derive(&self, from: &str, to: &str, scratch: &Path, change: impl FnOnce(&Path)) {
        // --rootless works for root too and keeps the tests runnable by a normal user.
        run(Command::new("umoci")
            .args(["unpack", "--rootless", "--image"])
            .arg(self.image_ref(from))
            .arg(scratch));
        change(&scratch.join("rootfs"));
        run(Command::new("umoci")
            .args(["repack", "--image"])
            .arg(self.image_ref(to))
            .arg(scratch));
        std::fs::remove_dir_all(scratch).ok();
    }

    /// `DIR:TAG`, as umoci and skopeo's `oci:` transport name an image of the layout.
    pub fn image_ref(&self, tag: &str) -> String {
        format!("{}:{tag}", self.dir.display())
    }

    /// The raw bytes of blob `digest` (`sha256:…`).
    pub fn blob(&self, digest: &str) -> Vec<u8> {
        let hex = digest.strip_prefix("sha256:").expect("sha256 digest");
        let p = self.dir.join("blobs/sha256").join(hex);
        std::fs::read(&p).unwrap_or_else(|e| panic!("read blob {}: {e}", p.display()))
    }

    pub fn json_blob(&self, digest: &str) -> Value {
        serde_json::from_slice(&self.blob(digest)).expect("JSON blob")
    }

    /// Stores `bytes` as a blob; returns its descriptor with `media_type`.
    pub fn put_blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let hex = sha256_hex(bytes);
        let p = self.dir.join("blobs/sha256").join(&hex);
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        json!({"mediaType": media_type, "digest": format!("sha256:{hex}"), "size": bytes.len()})
    }

    pub fn index(&self) -> Value {
        let p = self.dir.join("index.json");
        serde_json::from_slice(&std::fs::read(&p).expect("read index.json")).expect("index.json")
    }

    /// Replaces index.json's manifest list.
    pub fn set_index(&self, manifests: Vec<Value>) {
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
        std::fs::write(self.dir.join("index.json"), index.to_string()).expect("write index.json");
    }

    /// The index.json descriptor whose ref.name annotation is `tag`.
    pub fn descriptor(&self, tag: &str) -> Value {
        self.index()["manifests"]
            .as_array()
            .and_then(|m| m.iter().find(|d| d["annotations"][REF_NAME] == tag))
            .cloned()
            .unwrap_or_else(|| panic!("no image {tag} in {}", self.dir.display()))
    }

    /// The manifest of image `tag`.
    pub fn manifest(&self, tag: &str) -> Value {
        let d = self.descriptor(tag);
        self.json_blob(d["digest"].as_str().expect("digest"))
    }

    /// Writes an image made of `base` (a manifest) plus the uncompressed `extra_layers`, its
    /// config saying `architecture`; returns the new manifest's descriptor (not yet indexed).
    pub fn add_image(&self, base: &Value, extra_layers: &[Vec<u8>], architecture: &str) -> Value {
        let mut config = self.json_blob(base["config"]["digest"].as_str().expect("config"));
        config["architecture"] = json!(architecture);
        let mut manifest = base.clone();
        for layer in extra_layers {
            let d = self.put_blob(OCI_LAYER_TAR, layer);
            // Uncompressed layer: its diff_id is its own digest.
            push(&mut config["rootfs"]["diff_ids"], d["digest"].clone());
            push(
                &mut config["history"],
                json!({"created_by": "ldsim tests: hand-made layer"}),
            );
            push(&mut manifest["layers"], d);
        }
        manifest["config"] = self.put_blob(OCI_CONFIG, config.to_string().as_bytes());
        self.put_blob(OCI_MANIFEST, manifest.to_string().as_bytes())
    }
}

fn push(array: &mut Value, item: Value) {
    if !array.is_array() {
        *array = json!([]);
    }
    if let Some(a) = array.as_array_mut() {
        a.push(item);
    }
}

/// `skopeo copy SRC DST` (e.g. `oci:DIR:TAG` to `docker-archive:FILE:NAME:TAG`).
pub fn skopeo_copy(src: &str, dst: &str) {
    run(Command::new("skopeo").args(["copy", "-q", src, dst]));
}

/// One entry of a hand-made layer or archive.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    Dir(&'a str),
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
}

/// A tar (ustar, as layers are) holding `entries` in order, end-of-archive blocks included.
pub fn tar_of(entries: &[Entry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_ustar();
        h.set_mtime(1_700_000_000);
        h.set_uid(0);
        h.set_gid(0);
        let (path, data): (&str, &[u8]) = match *e {
            Entry::Dir(p) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                (p, &[])
            }
            Entry::File(p, data) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o755);
                (p, data)
            }
            Entry::Symlink(p, target) | Entry::HardLink(p, target) => {
                h.set_entry_type(if matches!(e, Entry::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                h.set_mode(0o777);
                h.set_link_name(target).expect("link name");
                (p, &[])
            }
        };
        h.set_size(data.len() as u64);
        b.append_data(&mut h, path, data).expect("tar entry");
    }
    b.into_inner().expect("finish tar")
}

/// A tar holding one regular file whose raw ustar name field is `name`, unchecked (the tar
/// crate refuses to write `..` components itself), after the `before` entries.
pub fn tar_with_raw_name(before: &[Entry], name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = tar_of(before);
    out.truncate(out.len().saturating_sub(1024)); // drop the end-of-archive blocks
    let mut h = tar::Header::new_ustar();
    {
        let field = &mut h.as_old_mut().name;
        let n = name.len().min(field.len());
        field[..n].copy_from_slice(&name[..n]);
    }
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_mtime(1_700_000_000);
    h.set_size(data.len() as u64);
    h.set_cksum();
    let mut b = tar::Builder::new(out);
    b.append(&h, data).expect("raw tar entry");
    b.into_inner().expect("finish tar")
}

/// Byte offsets of the headers of the entries of the (well-formed) tar `bytes`.
pub fn header_offsets(bytes: &[u8]) -> Vec<u64> {
    let mut a = tar::Archive::new(bytes);
    a.entries()
        .expect("tar entries")
        .map(|e| e.expect("tar entry").raw_header_position())
        .collect()
}

/// gzip of `bytes` (`gzip -1`).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}
