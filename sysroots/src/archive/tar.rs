//! The entries of a tar archive (ustar, GNU and PAX: long names and links, PAX sizes), read in
//! place: a regular file's contents are a window onto the archive's bytes, never copied.

use std::io::{self, Read};

use tar::EntryType;

use super::blob::Blob;
use super::error::ArchiveError;

/// One archive member, its name split into plain components.
#[derive(Debug)]
pub struct Entry {
    /// Components of the member name: no empty, `.` or `..` parts; empty for the root itself.
    pub path: Vec<Vec<u8>>,
    /// The name as written in the archive, for messages.
    pub name: String,
    pub mode: u32,
    pub kind: EntryKind,
}

#[derive(Debug)]
pub enum EntryKind {
    File(Blob),
    Dir,
    Symlink(Vec<u8>),
    /// A hard link to an earlier member (its name, raw).
    HardLink(Vec<u8>),
    /// Character or block device, fifo.
    Other,
}

/// Does this look like a tar archive? The ustar magic, or an old-style header whose checksum
/// is right.
pub fn is_tar(bytes: &[u8]) -> bool {
    let Some(header) = bytes.get(..512) else {
        return false;
    };
    if header.get(257..262) == Some(b"ustar") {
        return true;
    }
    let mut block = [0u8; 512];
    block.copy_from_slice(header);
    let header = tar::Header::from_byte_slice(&block);
    let stored = header.cksum().ok();
    let computed: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    stored == Some(computed) && block[0] != 0
}

/// Every member of the archive, in order. Member names with a `..` component are refused
/// (GNU tar refuses to extract them too); a leading `/` is dropped, as GNU tar does.
pub fn entries(archive: &Blob) -> Result<Vec<Entry>, ArchiveError> {
    let mut tar = tar::Archive::new(archive.reader());
    let mut out = Vec::new();
    let iter = tar.entries_with_seek().map_err(|e| tar_error(e, None))?;
    for entry in iter {
        let last: Option<&Entry> = out.last();
        let mut entry = entry.map_err(|e| tar_error(e, last))?;
        let raw_name = entry.path_bytes().into_owned();
        let name = String::from_utf8_lossy(&raw_name).into_owned();
        let path =
            split_member_name(&raw_name).ok_or_else(|| ArchiveError::Traversal(name.clone()))?;
        let mode = entry.header().mode().unwrap_or(0o644) & 0o7777;
        let entry_type = entry.header().entry_type();
        let kind = match entry_type {
            EntryType::Regular | EntryType::Continuous => {
                let size = entry.size();
                let offset = entry.raw_file_position();
                let data = archive.slice(offset, size).ok_or_else(|| {
                    ArchiveError::Truncated(format!(
                        "tar archive: '{name}' ends past the end of the archive"
                    ))
                })?;
                EntryKind::File(data)
            }
            EntryType::GNUSparse => EntryKind::File(read_sparse(&mut entry, &name)?),
            EntryType::Directory => EntryKind::Dir,
            EntryType::Symlink => EntryKind::Symlink(link_name(&entry)),
            EntryType::Link => EntryKind::HardLink(link_name(&entry)),
            EntryType::Char | EntryType::Block | EntryType::Fifo => EntryKind::Other,
            // PAX global headers, GNU volume labels and the like name no file.
            _ => continue,
        };
        out.push(Entry {
            path,
            name,
            mode,
            kind,
        });
    }
    Ok(out)
}

/// A member name as plain components; `None` when a component is `..`.
pub fn split_member_name(name: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut parts = Vec::new();
    for part in name.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => return None,
            _ => parts.push(part.to_vec()),
        }
    }
    Some(parts)
}

fn link_name<R: Read>(entry: &tar::Entry<'_, R>) -> Vec<u8> {
    entry
        .link_name_bytes()
        .map(|l| l.into_owned())
        .unwrap_or_default()
}

/// A GNU sparse member: its holes must be filled in, so it is read (the only copy made).
fn read_sparse<R: Read>(entry: &mut tar::Entry<'_, R>, name: &str) -> Result<Blob, ArchiveError> {
    let mut data = Vec::new();
    entry.read_to_end(&mut data).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            ArchiveError::Truncated(format!(
                "tar archive: '{name}' ends past the end of the archive"
            ))
        } else {
            ArchiveError::Corrupt(format!("tar archive: '{name}': {e}"))
        }
    })?;
    Ok(Blob::in_memory(data))
}

/// The tar crate's error for the header after `last`, classified.
fn tar_error(err: io::Error, last: Option<&Entry>) -> ArchiveError {
    let text = err.to_string();
    if text.contains("checksum") {
        ArchiveError::Checksum {
            after: last.map_or_else(|| "the start".to_owned(), |e| format!("'{}'", e.name)),
        }
    } else if err.kind() == io::ErrorKind::UnexpectedEof || text.contains("entire block") {
        ArchiveError::Truncated("tar archive".to_owned())
    } else {
        ArchiveError::Corrupt(format!("tar archive: {text}"))
    }
}
