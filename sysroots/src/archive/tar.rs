//! The entries of a tar archive (ustar, GNU and PAX: long names and links, PAX sizes), read in
//! place: a regular file's contents are a window onto the archive's bytes, never copied.

use std::io::{self, Read};
use std::os::unix::fs::FileExt;

use tar::EntryType;

use super::blob::Blob;
use super::compress::Budget;
use super::error::ArchiveError;

/// A sparse member up to this size is assembled in memory; a larger one in an unlinked
/// temporary file whose holes stay holes, mapped, so a hole costs nothing until read.
const SPARSE_IN_MEMORY: u64 = 1 << 20;

/// One archive member, its name split into plain components.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Components of the member name: no empty, `.` or `..` parts; empty for the root itself.
    pub path: Vec<Vec<u8>>,
    /// The name as written in the archive, for messages.
    pub name: String,
    pub mode: u32,
    pub kind: EntryKind,
}

#[derive(Debug, Clone)]
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
/// (GNU tar refuses to extract them too); a leading `/` is dropped, as GNU tar does. A GNU
/// sparse member's expanded size is charged to `budget` (its holes are bytes a read can
/// materialise), before anything is assembled.
pub fn entries(archive: &Blob, budget: &Budget) -> Result<Vec<Entry>, ArchiveError> {
    let mut tar = tar::Archive::new(archive.reader());
    let mut out = Vec::new();
    let iter = tar.entries_with_seek().map_err(|e| tar_error(e, None))?;
    for entry in iter {
        let last: Option<&Entry> = out.last();
        let entry = entry.map_err(|e| tar_error(e, last))?;
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
            EntryType::GNUSparse => EntryKind::File(sparse_file(archive, &entry, &name, budget)?),
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

/// A GNU sparse member (type `S`): its data segments placed at their offsets, the holes
/// between them zeros. The expanded size is charged to `budget` first; then the file is built
/// in memory when small, else in a sparse temporary file (holes are never written), mapped.
/// The tar crate has already checked the map (ordered, within the real size, the data
/// accounted for); its extension headers follow the member's header, the data after them.
fn sparse_file<R: Read>(
    archive: &Blob,
    entry: &tar::Entry<'_, R>,
    name: &str,
    budget: &Budget,
) -> Result<Blob, ArchiveError> {
    let corrupt = |what: &str| ArchiveError::Corrupt(format!("tar archive: '{name}': {what}"));
    let truncated = || {
        ArchiveError::Truncated(format!(
            "tar archive: '{name}' ends past the end of the archive"
        ))
    };
    let gnu = entry
        .header()
        .as_gnu()
        .ok_or_else(|| corrupt("sparse member without a GNU header"))?;
    let real_size = entry.size();
    budget.spend(real_size)?;

    // The sparse map: the header's four slots, then 21 per extension block while the
    // previous block says it is extended.
    let mut map: Vec<(u64, u64)> = Vec::new();
    let mut add = |block: &tar::GnuSparseHeader| -> Result<(), ArchiveError> {
        if !block.is_empty() {
            let offset = block.offset().map_err(|e| corrupt(&e.to_string()))?;
            let length = block.length().map_err(|e| corrupt(&e.to_string()))?;
            map.push((offset, length));
        }
        Ok(())
    };
    gnu.sparse.iter().try_for_each(&mut add)?;
    let mut next = entry.raw_file_position();
    let mut extended = gnu.is_extended();
    while extended {
        let block = archive.get(usize::try_from(next).map_err(|_| truncated())?..);
        let block = block.and_then(|b| b.get(..512)).ok_or_else(truncated)?;
        let mut ext = tar::GnuExtSparseHeader::new();
        ext.as_mut_bytes().copy_from_slice(block);
        ext.sparse.iter().try_for_each(&mut add)?;
        extended = ext.is_extended();
        next += 512;
    }

    let mut data_at = next;
    let mut segments = Vec::with_capacity(map.len());
    for (offset, length) in map {
        let end = offset.checked_add(length).filter(|&e| e <= real_size);
        if end.is_none() {
            return Err(corrupt("sparse map past the file's size"));
        }
        let data = archive.slice(data_at, length).ok_or_else(truncated)?;
        data_at += length;
        if length > 0 {
            segments.push((offset, data));
        }
    }
    if real_size <= SPARSE_IN_MEMORY {
        let mut bytes = vec![0u8; usize::try_from(real_size).unwrap_or_default()];
        for (offset, data) in &segments {
            let at = usize::try_from(*offset).unwrap_or_default();
            if let Some(dst) = bytes.get_mut(at..at + data.len()) {
                dst.copy_from_slice(data);
            }
        }
        return Ok(Blob::in_memory(bytes));
    }
    let file = tempfile::tempfile()?;
    file.set_len(real_size)?;
    for (offset, data) in &segments {
        file.write_all_at(data, *offset)?;
    }
    // Unlinked and private to this process: nothing else can change it while mapped.
    Ok(Blob::from_file(file)?)
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
        assert!(entries(&empty, &Budget::new(u64::MAX)).unwrap().is_empty());
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
        let members = entries(&blob, &Budget::new(u64::MAX)).unwrap();
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

    /// A tar with one GNU sparse member: `segments` (offset, bytes) in a file of `real_size`.
    fn sparse_archive(segments: &[(u64, &[u8])], real_size: u64) -> Blob {
        let mut h = tar::Header::new_gnu();
        h.set_path("sparse").unwrap();
        h.set_entry_type(EntryType::GNUSparse);
        h.set_mode(0o644);
        let stored: usize = segments.iter().map(|(_, d)| d.len()).sum();
        h.set_size(stored as u64);
        let gnu = h.as_gnu_mut().unwrap();
        for (slot, (offset, data)) in gnu.sparse.iter_mut().zip(segments) {
            slot.set_offset(*offset);
            slot.set_length(data.len() as u64);
        }
        gnu.set_real_size(real_size);
        h.set_cksum();
        let mut out = h.as_bytes().to_vec();
        for (_, data) in segments {
            out.extend_from_slice(data);
        }
        out.resize(out.len().next_multiple_of(512) + 1024, 0);
        Blob::in_memory(out)
    }

    fn sparse_contents(blob: &Blob, budget: &Budget) -> Result<Blob, ArchiveError> {
        let mut members = entries(blob, budget)?;
        match members.pop().map(|m| m.kind) {
            Some(EntryKind::File(data)) => Ok(data),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sparse_members_have_their_data_at_its_offsets_and_zeros_between() {
        let a = [0xaa_u8; 512];
        let b = [0xbb_u8; 100];
        for real_size in [4096 + 100 + 7, (3 << 20) + 5] {
            let holes_at = real_size - 107;
            // A zero-length segment at the real size marks the trailing hole (as GNU tar does).
            let blob = sparse_archive(&[(512, &a), (holes_at, &b), (real_size, &[])], real_size);
            let data = sparse_contents(&blob, &Budget::new(u64::MAX)).unwrap();
            assert_eq!(data.len() as u64, real_size);
            let at = usize::try_from(holes_at).unwrap();
            assert!(data[..512].iter().all(|&x| x == 0));
            assert_eq!(&data[512..1024], &a);
            assert!(data[1024..at].iter().all(|&x| x == 0));
            assert_eq!(&data[at..at + 100], &b);
            assert!(data[at + 100..].iter().all(|&x| x == 0));
        }
    }

    #[test]
    fn a_sparse_member_is_charged_its_expanded_size() {
        let blob = sparse_archive(&[(2 << 20, &[1; 512])], (2 << 20) + 512);
        let err = sparse_contents(&blob, &Budget::new(1 << 20)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "decompressed data exceeds the unpack limit of 1 MiB"
        );
        assert!(sparse_contents(&blob, &Budget::new(3 << 20)).is_ok());
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
