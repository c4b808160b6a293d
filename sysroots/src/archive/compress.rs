//! Compressed streams: recognised from their magic bytes (never the file name) and
//! decompressed once, into memory when small, else into an anonymous temporary file that is
//! then mapped, so memory stays bounded whatever the image size.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use super::blob::Blob;
use super::error::ArchiveError;

/// Decompressed data up to this size stays in memory; beyond, it spills to a temporary file.
const IN_MEMORY_LIMIT: usize = 32 << 20;
const CHUNK: usize = 256 << 10;

/// How a blob is compressed, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

impl Compression {
    /// Recognise the compression from the magic bytes; formats we know but cannot read are an
    /// error, anything else is taken as uncompressed.
    pub fn sniff(bytes: &[u8]) -> Result<Compression, ArchiveError> {
        const UNSUPPORTED: [(&[u8], &str); 4] = [
            (&[0x04, 0x22, 0x4d, 0x18], "lz4"),
            (b"LZIP", "lzip"),
            (&[0x89, b'L', b'Z', b'O'], "lzop"),
            (&[0x1f, 0x9d], "compress (.Z)"),
        ];
        let compression = if bytes.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Compression::Xz
        } else if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if bytes.len() >= 4 && bytes.starts_with(b"BZh") && bytes[3].is_ascii_digit() {
            Compression::Bzip2
        } else {
            if let Some((_, name)) = UNSUPPORTED.iter().find(|(m, _)| bytes.starts_with(m)) {
                return Err(ArchiveError::UnsupportedCompression(name));
            }
            Compression::None
        };
        Ok(compression)
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
        }
    }
}

/// How much decompressed data one root may still produce (all layers together): the guard
/// against decompression bombs.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    /// Shared by the threads that unpack an image's layers side by side.
    used: AtomicU64,
}

impl Budget {
    pub fn new(limit: u64) -> Budget {
        Budget {
            limit,
            used: AtomicU64::new(0),
        }
    }

    /// Charge `bytes` materialised; the unpack-limit error once the total passes the limit.
    pub fn spend(&self, bytes: u64) -> Result<(), ArchiveError> {
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.limit {
            return Err(ArchiveError::UnpackLimit(self.limit));
        }
        Ok(())
    }
}

/// The blob's plain bytes: itself when uncompressed, else decompressed within `budget`.
pub fn unpack(blob: Blob, budget: &Budget) -> Result<Blob, ArchiveError> {
    let compression = Compression::sniff(&blob)?;
    // Decompressors read through the blob's file, not its mapping: the compressed input then
    // never becomes resident in this process.
    let input = || blob.reader();
    match compression {
        Compression::None => Ok(blob.clone()),
        Compression::Gzip => drain(
            flate2::read::MultiGzDecoder::new(input()),
            compression,
            budget,
        ),
        Compression::Xz => drain(
            liblzma::read::XzDecoder::new_multi_decoder(input()),
            compression,
            budget,
        ),
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::new(input())
                .map_err(|e| stream_error(compression, e))?;
            drain(decoder, compression, budget)
        }
        Compression::Bzip2 => drain(
            bzip2::read::MultiBzDecoder::new(input()),
            compression,
            budget,
        ),
    }
}

/// Read the whole decompressed stream into memory, spilling to a temporary file past
/// [`IN_MEMORY_LIMIT`].
fn drain(
    mut reader: impl Read,
    compression: Compression,
    budget: &Budget,
) -> Result<Blob, ArchiveError> {
    let mut memory = Vec::new();
    let mut spill: Option<std::fs::File> = None;
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(stream_error(compression, e)),
        };
        budget.spend(n as u64)?;
        let data = chunk.get(..n).unwrap_or_default();
        match spill.as_mut() {
            Some(file) => file.write_all(data)?,
            None if memory.len() + n > IN_MEMORY_LIMIT => {
                let mut file = tempfile::tempfile()?;
                file.write_all(&memory)?;
                file.write_all(data)?;
                memory = Vec::new();
                spill = Some(file);
            }
            None => memory.extend_from_slice(data),
        }
    }
    match spill {
        None => Ok(Blob::in_memory(memory)),
        // Unlinked and private to this process: nothing else can change it while mapped.
        Some(file) => Ok(Blob::from_file(file)?),
    }
}

fn stream_error(compression: Compression, err: io::Error) -> ArchiveError {
    let what = format!("{} stream", compression.name());
    if err.kind() == io::ErrorKind::UnexpectedEof {
        ArchiveError::Truncated(what)
    } else {
        ArchiveError::Corrupt(format!("{what}: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn zstd(data: &[u8]) -> Vec<u8> {
        zstd::stream::encode_all(data, 1).unwrap()
    }

    fn xz(data: &[u8]) -> Vec<u8> {
        let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 0);
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn bzip2(data: &[u8]) -> Vec<u8> {
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn unpack_vec(bytes: Vec<u8>, limit: u64) -> Result<Vec<u8>, ArchiveError> {
        unpack(Blob::in_memory(bytes), &Budget::new(limit)).map(|b| b.to_vec())
    }

    #[test]
    fn every_supported_compression_round_trips() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for (name, packed) in [
            ("gzip", gzip(&data)),
            ("zstd", zstd(&data)),
            ("xz", xz(&data)),
            ("bzip2", bzip2(&data)),
            ("none", data.clone()),
        ] {
            assert_eq!(unpack_vec(packed, u64::MAX).unwrap(), data, "{name}");
        }
    }

    #[test]
    fn large_output_spills_to_a_file_and_reads_back() {
        let data = vec![7u8; IN_MEMORY_LIMIT + 3 * CHUNK + 5];
        assert_eq!(unpack_vec(zstd(&data), u64::MAX).unwrap(), data);
    }

    #[test]
    fn truncated_streams_are_reported_as_truncated() {
        let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for (name, packed) in [
            ("gzip", gzip(&data)),
            ("zstd", zstd(&data)),
            ("xz", xz(&data)),
            ("bzip2", bzip2(&data)),
        ] {
            let cut = packed[..packed.len() / 2].to_vec();
            let err = unpack_vec(cut, u64::MAX).unwrap_err();
            assert!(matches!(err, ArchiveError::Truncated(_)), "{name}: {err:?}");
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
    }

    #[test]
    fn the_limit_stops_a_bomb() {
        let bomb = gzip(&vec![0u8; 8 << 20]);
        let err = unpack_vec(bomb, 1 << 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "decompressed data exceeds the unpack limit of 1 MiB"
        );
    }

    #[test]
    fn unsupported_formats_are_named() {
        let err = unpack_vec(vec![0x04, 0x22, 0x4d, 0x18, 1, 2, 3], u64::MAX).unwrap_err();
        assert_eq!(err.to_string(), "unsupported compression: lz4");
    }
}
