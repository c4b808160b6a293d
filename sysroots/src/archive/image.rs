//! Container images: the candidates an OCI image layout (image-spec image-layout.md) or a
//! `docker save` archive (manifest.json) offers, how `--image` / `--platform` pick one, and
//! its layers applied in order into one [`Tree`].

use std::collections::BTreeMap;

use serde::Deserialize;

use super::compress::{unpack, Budget};
use super::error::ArchiveError;
use super::platform::Platform;
use super::store::Store;
use super::tar::{entries, is_tar, Entry};
use super::tree::{Tree, Whiteouts};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Index nesting deeper than this is refused (real images nest once).
const MAX_INDEX_DEPTH: usize = 8;

/// One image an archive offers.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Names it is known by: docker-save RepoTags, OCI ref.name annotations.
    pub names: Vec<String>,
    pub platform: Option<Platform>,
    /// Layers, lowest first.
    pub layers: Vec<Layer>,
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

fn list<'a>(candidates: impl Iterator<Item = &'a Candidate>) -> String {
    let names: Vec<String> = candidates.map(Candidate::describe).collect();
    if names.is_empty() {
        "no images".to_owned()
    } else {
        names.join(", ")
    }
}

/// Unpack and index the candidate's layers (side by side, one thread per core), then apply
/// them in order.
pub fn build_tree(
    store: &Store,
    candidate: &Candidate,
    budget: &Budget,
) -> Result<Tree, ArchiveError> {
    let layers = &candidate.layers;
    let results: Vec<Mutex<Option<LayerResult>>> =
        layers.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(layers.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let (Some(layer), Some(slot)) = (layers.get(index), results.get(index)) else {
                    break;
                };
                let result = read_layer(store, layer, budget);
                let failed = result.is_err();
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                if failed {
                    break;
                }
            });
        }
    });
    let mut tree = Tree::new();
    for (index, (layer, slot)) in layers.iter().zip(results).enumerate() {
        let result = slot.into_inner().unwrap_or_else(|p| p.into_inner());
        // A worker stopped at an error: an earlier layer's error is reported first.
        let Some(members) = result.transpose()? else {
            return Err(ArchiveError::Layer {
                layer: layer.name.clone(),
                source: Box::new(ArchiveError::Corrupt("layer not read".to_owned())),
            });
        };
        tree.apply(members, index + 1, Whiteouts::Honour)
            .map_err(|source| ArchiveError::Layer {
                layer: layer.name.clone(),
                source: Box::new(source),
            })?;
        tracing::debug!(
            layer = layer.name,
            inodes = tree.inode_count(),
            "applied layer"
        );
    }
    Ok(tree)
}

type LayerResult = Result<Vec<Entry>, ArchiveError>;

/// One layer's members: its blob decompressed (within `budget`) and indexed.
fn read_layer(store: &Store, layer: &Layer, budget: &Budget) -> LayerResult {
    let in_layer = |source: ArchiveError| ArchiveError::Layer {
        layer: layer.name.clone(),
        source: Box::new(source),
    };
    let blob = store
        .get(&layer.blob)?
        .ok_or_else(|| ArchiveError::MissingBlob(layer.name.clone()))?;
    let plain = unpack(blob, budget).map_err(in_layer)?;
    // An empty blob is an empty layer (some tools write one for metadata-only steps).
    if plain.is_empty() {
        return Ok(Vec::new());
    }
    if !is_tar(&plain) {
        return Err(in_layer(ArchiveError::NotAnArchive));
    }
    entries(&plain).map_err(in_layer)
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

/// Every image manifest reachable from `index.json`.
pub fn oci_candidates(store: &Store) -> Result<Vec<Candidate>, ArchiveError> {
    let index: IndexOrManifest = store
        .json("index.json")?
        .ok_or_else(|| ArchiveError::MissingBlob("index.json".to_owned()))?;
    let mut out = Vec::new();
    for descriptor in index.manifests.unwrap_or_default() {
        let names = names_of(&descriptor, &[]);
        walk_descriptor(store, &descriptor, names, 0, &mut out)?;
    }
    Ok(out)
}

fn names_of(descriptor: &Descriptor, inherited: &[String]) -> Vec<String> {
    let mut names: Vec<String> = [CONTAINERD_NAME, REF_NAME]
        .iter()
        .filter_map(|key| descriptor.annotations.get(*key).cloned())
        .collect();
    if names.is_empty() {
        names = inherited.to_vec();
    }
    names
}

fn walk_descriptor(
    store: &Store,
    descriptor: &Descriptor,
    names: Vec<String>,
    depth: usize,
    out: &mut Vec<Candidate>,
) -> Result<(), ArchiveError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ArchiveError::Corrupt(format!(
            "image index: nested more than {MAX_INDEX_DEPTH} levels deep"
        )));
    }
    // Build attestations (docker buildx) are manifests of platform unknown/unknown.
    if descriptor.annotations.contains_key(REFERENCE_TYPE) {
        return Ok(());
    }
    let name = blob_name(&descriptor.digest)?;
    let body: IndexOrManifest = store
        .json(&name)?
        .ok_or_else(|| ArchiveError::MissingBlob(descriptor.digest.clone()))?;
    if let Some(children) = body.manifests {
        for child in &children {
            let child_names = names_of(child, &names);
            walk_descriptor(store, child, child_names, depth + 1, out)?;
        }
        return Ok(());
    }
    let (Some(config), Some(layers)) = (body.config, body.layers) else {
        tracing::debug!(
            media_type = descriptor.media_type,
            "not an image manifest: skipped"
        );
        return Ok(());
    };
    let mut platform = descriptor
        .platform
        .as_ref()
        .and_then(PlatformJson::platform);
    if platform.is_none() {
        let config: Option<ConfigJson> = store.json(&blob_name(&config.digest)?)?;
        platform = config.and_then(|c| c.platform.platform());
    }
    if platform.is_none() && descriptor.platform.is_some() {
        return Ok(()); // unknown/unknown: not a runnable image
    }
    let layers = layers
        .iter()
        .map(|l| {
            Ok(Layer {
                blob: blob_name(&l.digest)?,
                name: l.digest.clone(),
            })
        })
        .collect::<Result<Vec<_>, ArchiveError>>()?;
    out.push(Candidate {
        names,
        platform,
        layers,
    });
    Ok(())
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
    for entry in manifest {
        let config: Option<ConfigJson> = store.json(&entry.config)?;
        let config = config.ok_or_else(|| ArchiveError::MissingBlob(entry.config.clone()))?;
        out.push(Candidate {
            names: entry.repo_tags.unwrap_or_default(),
            platform: config.platform.platform(),
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
            platform: Some(platform.parse().unwrap()),
            layers: Vec::new(),
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
