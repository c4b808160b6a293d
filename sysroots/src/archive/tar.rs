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

/// Does this look like a tar archive? The ustar magic, an old-style header whose checksum
/// is right, or an empty archive (only end-of-archive zero blocks: the well-known empty layer
/// `sha256:5f70bf18…` of docker images is one, gzipped).
pub fn is_tar(bytes: &[u8]) -> bool {
    let Some(header) = bytes.get(..512) else {
        return false;
    };
    if bytes.len() >= 1024 && bytes.len().is_multiple_of(512) && bytes.iter().all(|&b| b == 0) {
        return true;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Blob {
        let mut builder = tar::Builder::new(Vec::new());
        build(&mut builder);
        Blob::in_memory(builder.into_inner().unwrap())
    }

    #[test]
    fn an_empty_archive_is_a_tar_with_no_members() {
        let empty = Blob::in_memory(vec![0; 1024]);
        assert!(is_tar(&empty));
        assert!(entries(&empty).unwrap().is_empty());
        assert!(!is_tar(&[0; 100]));
        assert!(!is_tar(b"hello, this is text, not an archive at all"));
    }

    #[test]
    fn file_contents_are_windows_onto_the_archive() {
        let blob = archive(|b| {
            let mut h = tar::Header::new_gnu();
            h.set_size(5);
            h.set_mode(0o755);
            let long = format!("usr/{}/lib.so", "d".repeat(150));
            b.append_data(&mut h, &long, &b"hello"[..]).unwrap();
        });
        let members = entries(&blob).unwrap();
        let [member] = members.as_slice() else {
            panic!("{members:?}")
        };
        assert_eq!(member.path.len(), 3, "GNU long name: {:?}", member.name);
        assert_eq!(member.mode, 0o755);
        let EntryKind::File(data) = &member.kind else {
            panic!("{member:?}")
        };
        assert_eq!(&data[..], b"hello");
        // The window points into the archive's own bytes: no copy was made.
        let inside = blob.as_ptr_range();
        assert!(inside.contains(&data.as_ptr()));
    }

    #[test]
    fn member_names_are_plain_components() {
        assert_eq!(
            split_member_name(b"/./usr//lib/"),
            Some(vec![b"usr".to_vec(), b"lib".to_vec()])
        );
        assert_eq!(split_member_name(b"a/../b"), None);
        assert_eq!(split_member_name(b"./"), Some(vec![]));
    }
}
