//! What can be wrong with an archive or image as a whole (an input error: exit 2).

use std::io;

/// Why an archive or container image cannot serve as a target root.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("not a directory, tar archive or container image")]
    NotAnArchive,
    #[error("unsupported compression: {0}")]
    UnsupportedCompression(&'static str),
    #[error("truncated {0}")]
    Truncated(String),
    #[error("corrupt {0}")]
    Corrupt(String),
    #[error("corrupt tar archive: header checksum mismatch after {after}")]
    Checksum { after: String },
    #[error("entry '{0}' climbs out of the root (a '..' component)")]
    Traversal(String),
    #[error("hard link '{name}' points to '{target}', which is not in the archive")]
    HardLinkMissing { name: String, target: String },
    #[error("hard link '{name}' points to '{target}', which is a directory")]
    HardLinkToDirectory { name: String, target: String },
    #[error("decompressed data exceeds the unpack limit of {}", human_size(*.0))]
    UnpackLimit(u64),
    #[error("the image has {layers} layers (after merging repeats); at most {limit} are applied")]
    TooManyLayers { layers: usize, limit: usize },
    #[error("image index: more than {0} manifests and indexes to visit")]
    TooManyManifests(usize),
    #[error("no image for platform {wanted} (the image has: {available})")]
    NoPlatform { wanted: String, available: String },
    #[error("several images ({0}): choose one with --image")]
    SeveralImages(String),
    #[error("no image named {name} (the archive has: {available})")]
    NoImageNamed { name: String, available: String },
    #[error("{0} is a root filesystem, not a container image: {1} does not apply")]
    NotAnImage(&'static str, &'static str),
    #[error("missing blob {0}")]
    MissingBlob(String),
    #[error("{file}: {message}")]
    BadJson { file: String, message: String },
    #[error("layer {layer}: {source}")]
    Layer {
        layer: String,
        source: Box<ArchiveError>,
    },
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// `16 GiB`, `512 MiB`, `1000 bytes`: the largest binary unit that divides the size evenly.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 4] = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)];
    for (unit, shift) in UNITS {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_in_the_largest_exact_unit() {
        assert_eq!(human_size(16 << 30), "16 GiB");
        assert_eq!(human_size(3 << 20), "3 MiB");
        assert_eq!(human_size(1536), "1536 bytes");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}
