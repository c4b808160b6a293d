//! Container images: the candidates an OCI image layout (image-spec image-layout.md) or a
//! `docker save` archive (manifest.json) offers, how `--image` / `--platform` pick one, and
//! its layers applied in order into one [`Tree`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::blob::Blob;
use super::compress::{unpack, Budget, Compression};
use super::error::ArchiveError;
use super::platform::Platform;
use super::store::Store;
use super::tar::{entries, is_tar, Entry};
use super::tree::{Tree, Whiteouts};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Index nesting deeper than this is refused (real images nest once).
const MAX_INDEX_DEPTH: usize = 8;
/// Descriptors (indexes and manifests) visited while walking an OCI layout's index, in all:
/// depth alone does not bound a walk whose indexes list their children many times. A
/// multi-platform image visits a few dozen.
pub const MAX_MANIFESTS: usize = 4096;

/// One image an archive offers.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Names it is known by: docker-save RepoTags, OCI ref.name annotations.
    pub names: Arc<[String]>,
    pub platform: Option<Arc<Platform>>,
    /// Layers, lowest first (shared by every path to the same manifest).
    pub layers: Arc<[Layer]>,
}

/// One layer: where its blob is in the store, and how to name it (its digest for OCI).
#[derive(Debug, Clone)]
pub struct Layer {
    pub blob: String,
    pub name: String,
}

impl Candidate {
    /// `alpine:3.19 (linux/amd64)`, for messages.
    pub fn describe(&self) -> String {
        let name = self.names.first().map_or("<unnamed>", String::as_str);
        match &self.platform {
            Some(platform) => format!("{name} ({platform})"),
            None => name.to_owned(),
        }
    }

    /// Is this image called `wanted`? Exact, or as docker normalises references
    /// (`alpine` = `docker.io/library/alpine:latest`), or a bare-tag OCI ref.name equal to
    /// the wanted tag.
    pub fn is_named(&self, wanted: &str) -> bool {
        let wanted_norm = normalize_reference(wanted);
        self.names.iter().any(|name| {
            name == wanted
                || normalize_reference(name) == wanted_norm
                || (is_bare_tag(name) && tag_of(&wanted_norm) == Some(name.as_str()))
        })
    }
}

/// What to pick: `--image`, `--platform`, and the platform of the file being checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageSelector<'a> {
    pub image: Option<&'a str>,
    pub platform: Option<&'a Platform>,
    /// Used when several images remain and no `--platform` was given.
    pub default_platform: Option<&'a Platform>,
}

/// Choose among `candidates`: by name, then by platform when several remain.
pub fn select<'c>(
    candidates: &'c [Candidate],
    selector: &ImageSelector<'_>,
) -> Result<&'c Candidate, ArchiveError> {
    let mut pool: Vec<&Candidate> = candidates.iter().collect();
    if let Some(name) = selector.image {
        pool.retain(|c| c.is_named(name));
        if pool.is_empty() {
            return Err(ArchiveError::NoImageNamed {
                name: name.to_owned(),
                available: list(candidates.iter()),
            });
        }
    }
    let wanted = selector.platform.or(if pool.len() > 1 {
        selector.default_platform
    } else {
        None
    });
    if let Some(wanted) = wanted {
        let before = pool.clone();
        pool.retain(|c| c.platform.as_ref().is_some_and(|p| p.satisfies(wanted)));
        if pool.is_empty() {
            return Err(ArchiveError::NoPlatform {
                wanted: wanted.to_string(),
                available: list(before.into_iter()),
            });
        }
    }
    match pool.as_slice() {
        [one] => Ok(one),
        _ => Err(ArchiveError::SeveralImages(list(pool.into_iter()))),
    }
}

/// Images named in a message: at most this many, then how many more.
const LISTED_IMAGES: usize = 16;

fn list<'a>(candidates: impl Iterator<Item = &'a Candidate>) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut more = 0usize;
    for candidate in candidates {
        if names.len() < LISTED_IMAGES {
            names.push(candidate.describe());
        } else {
            more += 1;
        }
    }
    if names.is_empty() {
        "no images".to_owned()
    } else if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    }
}

/// Layers applied to one image, after consecutive repeats are merged: docker refuses images
/// deeper than 125 layers (moby `layer/layer_store.go`, `maxLayerDepth`), so 128 leaves room
/// and bounds the work a short manifest can ask for (each application rebuilds its entries).
pub const MAX_LAYERS: usize = 128;

/// Unpack and index the candidate's layers and apply them in order. A layer listed again
/// right after itself is applied once (applying a layer over itself changes nothing); a
/// blob listed more than once (A, B, A) is decompressed and indexed once, its entry list kept
/// until its last application. Every application charges the layer's uncompressed size to
/// `budget`, compressed or not. Layers are unpacked and indexed side by side (one thread per
/// core) a window at a time, and each entry list is dropped after its blob's last
/// application, so only the lists of blobs still to be applied again are held at once.
pub fn build_tree(
    store: &Store,
    candidate: &Candidate,
    budget: &Budget,
) -> Result<Tree, ArchiveError> {
    let mut plan: Vec<&Layer> = Vec::new();
    for layer in candidate.layers.iter() {
        if plan.last().is_none_or(|last| last.blob != layer.blob) {
            plan.push(layer);
        }
    }
    if plan.len() > MAX_LAYERS {
        return Err(ArchiveError::TooManyLayers {
            layers: plan.len(),
            limit: MAX_LAYERS,
        });
    }
    // The last application of each blob: its unpacked bytes are released after it (the tree
    // still holds windows onto them where it keeps files).
    let mut last_use: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, layer) in plan.iter().enumerate() {
        last_use.insert(layer.blob.as_str(), index);
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut unpacked: BTreeMap<&str, Blob> = BTreeMap::new();
    let mut indexed: BTreeMap<&str, Vec<Entry>> = BTreeMap::new();
    let mut applied: BTreeSet<&str> = BTreeSet::new();
    let mut tree = Tree::new();
    for (window_index, window) in plan.chunks(workers.max(1)).enumerate() {
        let base = window_index * workers.max(1);
        // Blobs first needed in this window: decompressed (and charged) once.
        let mut fresh: Vec<&Layer> = Vec::new();
        for layer in window {
            if !unpacked.contains_key(layer.blob.as_str())
                && !fresh.iter().any(|l| l.blob == layer.blob)
            {
                fresh.push(layer);
            }
        }
        for (layer, blob) in fresh
            .iter()
            .zip(parallel(&fresh, |l| unpack_layer(store, l, budget)))
        {
            unpacked.insert(layer.blob.as_str(), blob?);
        }
        // Each blob's member list is read once, at its first application; a later
        // application reuses it (held until the blob's last use) and charges the layer's size
        // again, since it grows the tree as much as the first did.
        let unindexed: Vec<(&Layer, Blob)> = fresh
            .iter()
            .map(|layer| {
                let blob = unpacked
                    .get(layer.blob.as_str())
                    .cloned()
                    .unwrap_or_else(|| Blob::in_memory(Vec::new()));
                (*layer, blob)
            })
            .collect();
        let lists = parallel(&unindexed, |(layer, blob)| index_layer(layer, blob, budget));
        for ((layer, _), members) in unindexed.iter().zip(lists) {
            indexed.insert(layer.blob.as_str(), members?);
        }
        for (offset, layer) in window.iter().enumerate() {
            let index = base + offset;
            let name = layer.blob.as_str();
            let last = last_use.get(name) == Some(&index);
            if !applied.insert(name) {
                let size = unpacked.get(name).map_or(0, |b| b.len() as u64);
                budget.spend(size).map_err(|e| in_layer(layer, e))?;
            }
            let members = if last {
                indexed.remove(name).unwrap_or_default()
            } else {
                indexed.get(name).cloned().unwrap_or_default()
            };
            tree.apply(members, index + 1, Whiteouts::Honour)
                .map_err(|source| in_layer(layer, source))?;
            tracing::debug!(
                layer = layer.name,
                inodes = tree.inode_count(),
                "applied layer"
            );
            if last {
                unpacked.remove(name);
            }
        }
    }
    Ok(tree)
}

/// `f` over `items` on up to one thread per core; results in the items' order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let (Some(item), Some(slot)) = (items.get(index), results.get(index)) else {
                    break;
                };
                let result = f(item);
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
            });
        }
    });
    results
        .into_iter()
        .filter_map(|slot| slot.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect()
}

fn in_layer(layer: &Layer, source: ArchiveError) -> ArchiveError {
    ArchiveError::Layer {
        layer: layer.name.clone(),
        source: Box::new(source),
    }
}

/// One layer's plain bytes: its blob decompressed, or itself; either way its uncompressed
/// size is charged to `budget`.
fn unpack_layer(store: &Store, layer: &Layer, budget: &Budget) -> Result<Blob, ArchiveError> {
    let blob = store
        .get(&layer.blob)?
        .ok_or_else(|| ArchiveError::MissingBlob(layer.name.clone()))?;
    let compressed = Compression::sniff(&blob).map_err(|e| in_layer(layer, e))?;
    let plain = unpack(blob, budget).map_err(|e| in_layer(layer, e))?;
    if compressed == Compression::None {
        budget
            .spend(plain.len() as u64)
            .map_err(|e| in_layer(layer, e))?;
    }
    Ok(plain)
}

/// One application's members (sparse members charged to `budget`); `charge_again`: its
/// uncompressed size is charged again (a blob applied at a second place in the stack).
fn index_layer(layer: &Layer, plain: &Blob, budget: &Budget) -> Result<Vec<Entry>, ArchiveError> {
    // An empty blob is an empty layer (some tools write one for metadata-only steps).
    if plain.is_empty() {
        return Ok(Vec::new());
    }
    if !is_tar(plain) {
        return Err(in_layer(layer, ArchiveError::NotAnArchive));
    }
    entries(plain, budget).map_err(|e| in_layer(layer, e))
}

// ---- OCI image layout -------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct Descriptor {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    platform: Option<PlatformJson>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct PlatformJson {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

impl PlatformJson {
    fn platform(&self) -> Option<Platform> {
        if self.os.is_empty() || self.architecture.is_empty() || self.os == "unknown" {
            return None;
        }
        Some(Platform::new(
            &self.os,
            &self.architecture,
            self.variant.as_deref(),
        ))
    }
}

/// An image index or an image manifest (told apart by their fields, as media types are
/// optional in older layouts).
#[derive(Debug, Deserialize)]
struct IndexOrManifest {
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
}

/// Image config: only the platform fields matter here.
#[derive(Debug, Deserialize)]
struct ConfigJson {
    #[serde(flatten)]
    platform: PlatformJson,
}

const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";
const REFERENCE_TYPE: &str = "vnd.docker.reference.type";

/// Every image manifest reachable from `index.json`. Each blob is read and parsed once;
/// at most [`MAX_MANIFESTS`] descriptors are visited in all, at most [`MAX_INDEX_DEPTH`] deep.
pub fn oci_candidates(store: &Store) -> Result<Vec<Candidate>, ArchiveError> {
    let index: IndexOrManifest = store
        .json("index.json")?
        .ok_or_else(|| ArchiveError::MissingBlob("index.json".to_owned()))?;
    let mut walk = Walk {
        store,
        visited: 0,
        bodies: BTreeMap::new(),
        configs: BTreeMap::new(),
        out: Vec::new(),
    };
    let top = children(index.manifests.unwrap_or_default())?;
    let none: Arc<[String]> = Arc::from(Vec::new());
    for child in top.iter() {
        walk.visit(child, &none, 0)?;
    }
    Ok(walk.out)
}

/// A descriptor as the walk uses it, shared by every path that reaches it.
#[derive(Debug)]
struct Child {
    digest: String,
    /// `None` for an invalid digest (an error if the walk reaches it).
    blob: Option<String>,
    media_type: String,
    /// Its own names (annotations), if any; else it inherits its parent's.
    names: Option<Arc<[String]>>,
    /// The platform it declares, and whether it declared one at all.
    platform: Option<Arc<Platform>>,
    declares_platform: bool,
    attestation: bool,
}

fn children(descriptors: Vec<Descriptor>) -> Result<Arc<[Child]>, ArchiveError> {
    descriptors
        .into_iter()
        .map(|d| {
            let names: Vec<String> = [CONTAINERD_NAME, REF_NAME]
                .iter()
                .filter_map(|key| d.annotations.get(*key).cloned())
                .collect();
            Ok(Child {
                blob: blob_name(&d.digest).ok(),
                names: (!names.is_empty()).then(|| Arc::from(names)),
                platform: d
                    .platform
                    .as_ref()
                    .and_then(PlatformJson::platform)
                    .map(Arc::new),
                declares_platform: d.platform.is_some(),
                attestation: d.annotations.contains_key(REFERENCE_TYPE),
                media_type: d.media_type,
                digest: d.digest,
            })
        })
        .collect()
}

/// A parsed index or manifest blob.
#[derive(Debug)]
enum Body {
    Index(Arc<[Child]>),
    Manifest {
        config: String,
        layers: Arc<[Layer]>,
    },
    Other,
}

struct Walk<'s> {
    store: &'s Store,
    visited: usize,
    bodies: BTreeMap<String, Arc<Body>>,
    configs: BTreeMap<String, Option<Arc<Platform>>>,
    out: Vec<Candidate>,
}

impl Walk<'_> {
    fn visit(
        &mut self,
        child: &Child,
        inherited: &Arc<[String]>,
        depth: usize,
    ) -> Result<(), ArchiveError> {
        self.visited += 1;
        if self.visited > MAX_MANIFESTS {
            return Err(ArchiveError::TooManyManifests(MAX_MANIFESTS));
        }
        if depth > MAX_INDEX_DEPTH {
            return Err(ArchiveError::Corrupt(format!(
                "image index: nested more than {MAX_INDEX_DEPTH} levels deep"
            )));
        }
        // Build attestations (docker buildx) are manifests of platform unknown/unknown.
        if child.attestation {
            return Ok(());
        }
        let names = child.names.clone().unwrap_or_else(|| Arc::clone(inherited));
        let body = self.body(child)?;
        match &*body {
            Body::Index(grandchildren) => {
                for grandchild in grandchildren.iter() {
                    self.visit(grandchild, &names, depth + 1)?;
                }
                Ok(())
            }
            Body::Other => {
                tracing::debug!(
                    media_type = child.media_type,
                    "not an image manifest: skipped"
                );
                Ok(())
            }
            Body::Manifest { config, layers } => {
                let mut platform = child.platform.clone();
                if platform.is_none() {
                    platform = self.config_platform(config)?;
                }
                if platform.is_none() && child.declares_platform {
                    return Ok(()); // unknown/unknown: not a runnable image
                }
                self.out.push(Candidate {
                    names,
                    platform,
                    layers: Arc::clone(layers),
                });
                Ok(())
            }
        }
    }

    fn body(&mut self, child: &Child) -> Result<Arc<Body>, ArchiveError> {
        let blob = match &child.blob {
            Some(blob) => blob,
            None => {
                return Err(blob_name(&child.digest).err().unwrap_or_else(|| {
                    ArchiveError::Corrupt(format!("image: invalid digest '{}'", child.digest))
                }))
            }
        };
        if let Some(body) = self.bodies.get(blob) {
            return Ok(Arc::clone(body));
        }
        let parsed: IndexOrManifest = self
            .store
            .json(blob)?
            .ok_or_else(|| ArchiveError::MissingBlob(child.digest.clone()))?;
        let body = if let Some(manifests) = parsed.manifests {
            Body::Index(children(manifests)?)
        } else if let (Some(config), Some(layers)) = (parsed.config, parsed.layers) {
            let layers = layers
                .iter()
                .map(|l| {
                    Ok(Layer {
                        blob: blob_name(&l.digest)?,
                        name: l.digest.clone(),
                    })
                })
                .collect::<Result<Vec<_>, ArchiveError>>()?;
            Body::Manifest {
                config: blob_name(&config.digest)?,
                layers: Arc::from(layers),
            }
        } else {
            Body::Other
        };
        let body = Arc::new(body);
        self.bodies.insert(blob.clone(), Arc::clone(&body));
        Ok(body)
    }

    fn config_platform(&mut self, config: &str) -> Result<Option<Arc<Platform>>, ArchiveError> {
        if let Some(platform) = self.configs.get(config) {
            return Ok(platform.clone());
        }
        let parsed: Option<ConfigJson> = self.store.json(config)?;
        let platform = parsed.and_then(|c| c.platform.platform()).map(Arc::new);
        self.configs.insert(config.to_owned(), platform.clone());
        Ok(platform)
    }
}

/// `sha256:abc…` → `blobs/sha256/abc…`; anything but `algorithm:hex` is refused, so a digest
/// can never name a path outside the blobs directory.
fn blob_name(digest: &str) -> Result<String, ArchiveError> {
    let valid = digest.split_once(':').filter(|(algorithm, hex)| {
        !algorithm.is_empty()
            && algorithm
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
            && !hex.is_empty()
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
    });
    match valid {
        Some((algorithm, hex)) => Ok(format!("blobs/{algorithm}/{hex}")),
        None => Err(ArchiveError::Corrupt(format!(
            "image: invalid digest '{digest}'"
        ))),
    }
}

// ---- docker save ---------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct DockerManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// The images a `docker save` archive's manifest.json lists.
pub fn docker_candidates(store: &Store) -> Result<Vec<Candidate>, ArchiveError> {
    let manifest: Vec<DockerManifestEntry> = store
        .json("manifest.json")?
        .ok_or_else(|| ArchiveError::MissingBlob("manifest.json".to_owned()))?;
    let mut out = Vec::new();
    // Configs parsed once each, however many entries name them.
    let mut platforms: BTreeMap<String, Option<Arc<Platform>>> = BTreeMap::new();
    for entry in manifest {
        let platform = match platforms.get(&entry.config) {
            Some(platform) => platform.clone(),
            None => {
                let config: Option<ConfigJson> = store.json(&entry.config)?;
                let config =
                    config.ok_or_else(|| ArchiveError::MissingBlob(entry.config.clone()))?;
                let platform = config.platform.platform().map(Arc::new);
                platforms.insert(entry.config.clone(), platform.clone());
                platform
            }
        };
        out.push(Candidate {
            names: Arc::from(entry.repo_tags.unwrap_or_default()),
            platform,
            layers: entry
                .layers
                .into_iter()
                .map(|path| Layer {
                    blob: path.clone(),
                    name: path,
                })
                .collect(),
        });
    }
    Ok(out)
}

// ---- references ----------------------------------------------------------------------------

/// Docker's reference normalisation: `alpine` → `docker.io/library/alpine:latest`,
/// `me/app:1` → `docker.io/me/app:1`.
fn normalize_reference(reference: &str) -> String {
    let (name, suffix) = match reference.find('@') {
        Some(at) => (&reference[..at], &reference[at..]),
        None => {
            let tag_at = reference
                .rfind(':')
                .filter(|&colon| !reference[colon..].contains('/'));
            match tag_at {
                Some(colon) => (&reference[..colon], &reference[colon..]),
                None => (reference, ":latest"),
            }
        }
    };
    let first = name.split('/').next().unwrap_or_default();
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let name = if has_registry {
        name.to_owned()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    format!("{name}{suffix}")
}

fn tag_of(normalized: &str) -> Option<&str> {
    let colon = normalized.rfind(':')?;
    let tag = &normalized[colon + 1..];
    (!tag.contains('/') && !normalized.contains('@')).then_some(tag)
}

/// OCI layouts written by umoci and skopeo name images by tag alone (`3.19`).
fn is_bare_tag(name: &str) -> bool {
    !name.contains(':') && !name.contains('/') && !name.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(names: &[&str], platform: &str) -> Candidate {
        Candidate {
            names: names.iter().map(|s| s.to_string()).collect(),
            platform: Some(Arc::new(platform.parse().unwrap())),
            layers: Arc::from(Vec::new()),
        }
    }

    #[test]
    fn references_normalise_like_docker() {
        assert_eq!(
            normalize_reference("alpine"),
            "docker.io/library/alpine:latest"
        );
        assert_eq!(
            normalize_reference("alpine:3.19"),
            "docker.io/library/alpine:3.19"
        );
        assert_eq!(normalize_reference("me/app:1"), "docker.io/me/app:1");
        assert_eq!(
            normalize_reference("registry.local:5000/app"),
            "registry.local:5000/app:latest"
        );
    }

    #[test]
    fn names_match_exactly_normalised_or_by_bare_tag() {
        let c = candidate(&["docker.io/library/alpine:3.19"], "linux/amd64");
        assert!(c.is_named("alpine:3.19"));
        assert!(c.is_named("docker.io/library/alpine:3.19"));
        assert!(!c.is_named("alpine:3.18"));
        let tag_only = candidate(&["v1"], "linux/amd64");
        assert!(tag_only.is_named("v1"));
        assert!(tag_only.is_named("anything:v1"));
        assert!(!tag_only.is_named("v2"));
    }

    #[test]
    fn platform_decides_only_among_several() {
        let amd = candidate(&["a"], "linux/amd64");
        let arm = candidate(&["a"], "linux/arm64");
        let arm64: Platform = "linux/arm64".parse().unwrap();
        let s390: Platform = "linux/s390x".parse().unwrap();
        let both = [amd.clone(), arm];
        let pick = |sel: ImageSelector<'_>| select(&both, &sel).map(Candidate::describe);
        assert_eq!(
            pick(ImageSelector {
                default_platform: Some(&arm64),
                ..Default::default()
            })
            .unwrap(),
            "a (linux/arm64)"
        );
        let err = pick(ImageSelector {
            platform: Some(&s390),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no image for platform linux/s390x (the image has: a (linux/amd64), a (linux/arm64))"
        );
        assert!(matches!(
            pick(ImageSelector::default()),
            Err(ArchiveError::SeveralImages(_))
        ));
        // A single image is used whatever the file's own architecture.
        let one = [amd];
        let sel = ImageSelector {
            default_platform: Some(&s390),
            ..Default::default()
        };
        assert!(select(&one, &sel).is_ok());
    }

    #[test]
    fn digests_cannot_escape_the_blobs_directory() {
        assert_eq!(blob_name("sha256:abc123").unwrap(), "blobs/sha256/abc123");
        for bad in [
            "sha256:../../etc",
            "../x:ab",
            "sha256:",
            "abc",
            ":ab",
            "sha256:ab/cd",
        ] {
            assert!(blob_name(bad).is_err(), "{bad}");
        }
    }
}
