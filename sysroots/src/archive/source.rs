//! [`RootSource`]: what `--sysroot` names, recognised from its content: a root directory, an
//! OCI layout directory, or a file holding a (compressed) root tarball, a `docker save`
//! archive or an OCI layout in a tar.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::blob::Blob;
use super::compress::{unpack, Budget, Compression};
use super::error::ArchiveError;
use super::image::{
    build_tree, docker_candidates, oci_candidates, select, Candidate, ImageSelector,
};
use super::store::Store;
use super::tar::{entries, is_tar};
use super::tree::{Tree, TreeBackend, Whiteouts};
use crate::error::OpenError;
use crate::sysroot::Sysroot;

/// Decompressed bytes one root may produce unless told otherwise.
pub const DEFAULT_UNPACK_LIMIT: u64 = 16 << 30;

/// How a root is read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// At most this many decompressed bytes for one root, all layers together.
    pub unpack_limit: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            unpack_limit: DEFAULT_UNPACK_LIMIT,
        }
    }
}

/// An opened `--sysroot`: indexed once, then asked for the root of the image wanted.
#[derive(Debug)]
pub struct RootSource {
    path: PathBuf,
    kind: Kind,
    limits: Limits,
}

#[derive(Debug)]
enum Kind {
    Dir,
    Tarball {
        tree: Arc<Tree>,
        format: String,
    },
    Image {
        store: Store,
        format: &'static str,
        candidates: Vec<Candidate>,
        /// Trees already built, by candidate index: each image is unpacked once per run.
        built: Mutex<BTreeMap<usize, Arc<Tree>>>,
    },
}

impl RootSource {
    /// Open and index `path`. Archive contents are read in place; a compressed file is
    /// decompressed once (within `limits`).
    pub fn open(path: &Path, limits: Limits) -> Result<RootSource, OpenError> {
        let archive_error = |source: ArchiveError| OpenError::Archive {
            path: path.to_path_buf(),
            source,
        };
        let meta = fs::metadata(path).map_err(|source| OpenError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let kind = if meta.is_dir() {
            if path.join("oci-layout").is_file() && path.join("index.json").is_file() {
                let store = Store::dir(path).map_err(archive_error)?;
                let candidates = oci_candidates(&store).map_err(archive_error)?;
                image(store, "OCI image layout", candidates)
            } else {
                Kind::Dir
            }
        } else {
            open_file(path, limits).map_err(archive_error)?
        };
        Ok(RootSource {
            path: path.to_path_buf(),
            kind,
            limits,
        })
    }

    /// What kind of root this is, for logs: `directory`, `gzip tar archive`, `docker save
    /// archive`…
    pub fn format(&self) -> &str {
        match &self.kind {
            Kind::Dir => "directory",
            Kind::Tarball { format, .. } => format,
            Kind::Image { format, .. } => format,
        }
    }

    /// Does the choice of image depend on the platform of the file checked (several images
    /// remain after `--image`)?
    pub fn depends_on_platform(&self, image: Option<&str>) -> bool {
        match &self.kind {
            Kind::Image { candidates, .. } => {
                candidates
                    .iter()
                    .filter(|c| image.is_none_or(|name| c.is_named(name)))
                    .count()
                    > 1
            }
            _ => false,
        }
    }

    /// The root filesystem `selector` picks. For an image, its layers are unpacked and
    /// merged on first use and reused afterwards.
    pub fn root(&self, selector: &ImageSelector<'_>) -> Result<Sysroot, OpenError> {
        let archive_error = |source: ArchiveError| OpenError::Archive {
            path: self.path.clone(),
            source,
        };
        let description = self.path.display().to_string();
        match &self.kind {
            Kind::Dir | Kind::Tarball { .. } => {
                if selector.image.is_some() {
                    return Err(archive_error(ArchiveError::NotAnImage(
                        self.what(),
                        "--image",
                    )));
                }
                if selector.platform.is_some() {
                    return Err(archive_error(ArchiveError::NotAnImage(
                        self.what(),
                        "--platform",
                    )));
                }
                match &self.kind {
                    Kind::Tarball { tree, .. } => Ok(Sysroot::from_backend(
                        Box::new(TreeBackend(Arc::clone(tree))),
                        description,
                    )),
                    _ => Sysroot::from_dir(&self.path),
                }
            }
            Kind::Image {
                store,
                candidates,
                built,
                ..
            } => {
                let chosen = select(candidates, selector).map_err(archive_error)?;
                let index = candidates
                    .iter()
                    .position(|c| std::ptr::eq(c, chosen))
                    .unwrap_or_default();
                let tree = {
                    let mut built = built.lock().unwrap_or_else(|p| p.into_inner());
                    match built.get(&index) {
                        Some(tree) => Arc::clone(tree),
                        None => {
                            let budget = Budget::new(self.limits.unpack_limit);
                            let tree = Arc::new(
                                build_tree(store, chosen, &budget).map_err(archive_error)?,
                            );
                            tracing::info!(
                                image = chosen.describe(),
                                inodes = tree.inode_count(),
                                "unpacked image"
                            );
                            built.insert(index, Arc::clone(&tree));
                            tree
                        }
                    }
                };
                Ok(Sysroot::from_backend(
                    Box::new(TreeBackend(tree)),
                    format!("{description} ({})", chosen.describe()),
                ))
            }
        }
    }

    fn what(&self) -> &'static str {
        match self.kind {
            Kind::Dir => "the directory",
            _ => "the archive",
        }
    }
}

fn image(store: Store, format: &'static str, candidates: Vec<Candidate>) -> Kind {
    Kind::Image {
        store,
        format,
        candidates,
        built: Mutex::new(BTreeMap::new()),
    }
}

/// A file: decompress if needed, then a tar that is a docker-save archive, an OCI layout or a
/// root filesystem.
fn open_file(path: &Path, limits: Limits) -> Result<Kind, ArchiveError> {
    let raw = Blob::open(path)?;
    let compression = Compression::sniff(&raw)?;
    let budget = Budget::new(limits.unpack_limit);
    let plain = unpack(raw, &budget)?;
    if !is_tar(&plain) {
        return Err(ArchiveError::NotAnArchive);
    }
    let members = entries(&plain, &budget)?;
    let top_level = |name: &[u8]| {
        members
            .iter()
            .any(|m| m.path.len() == 1 && m.path.first().is_some_and(|p| p == name))
    };
    let compressed = match compression {
        Compression::None => String::new(),
        other => format!("{} ", other.name()),
    };
    if top_level(b"oci-layout") && top_level(b"index.json") {
        let store = Store::members(members);
        let candidates = oci_candidates(&store)?;
        return Ok(image(store, "OCI image layout (tar)", candidates));
    }
    if is_docker_save(&members) {
        let store = Store::members(members);
        let candidates = docker_candidates(&store)?;
        return Ok(image(store, "docker save archive", candidates));
    }
    let mut tree = Tree::new();
    tree.apply(members, 0, Whiteouts::Literal)?;
    Ok(Kind::Tarball {
        tree: Arc::new(tree),
        format: format!("{compressed}tar archive"),
    })
}

/// A top-level manifest.json that is a JSON array (docker's format), beside no root
/// filesystem directories.
fn is_docker_save(members: &[super::tar::Entry]) -> bool {
    members.iter().any(|m| {
        m.path.len() == 1
            && m.path.first().is_some_and(|p| p == b"manifest.json")
            && matches!(&m.kind, super::tar::EntryKind::File(bytes)
                if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'['))
    })
}
