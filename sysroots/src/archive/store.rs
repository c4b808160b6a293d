//! Where an image's files come from: an OCI layout directory on the host, or the members of a
//! tar archive (a `docker save` archive, an OCI layout packed in a tar).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::blob::Blob;
use super::error::ArchiveError;
use super::tar::{split_member_name, Entry, EntryKind};
use crate::host::DirBackend;
use crate::node::{Backend, Node};

#[derive(Debug)]
pub enum Store {
    /// A host directory; symlinks inside it are refused, so nothing outside it is read.
    Dir { root: PathBuf, backend: DirBackend },
    /// Regular-file members by their plain components (a member's hard link included).
    Members(BTreeMap<Vec<Vec<u8>>, Blob>),
}

impl Store {
    pub fn dir(path: &Path) -> Result<Store, ArchiveError> {
        DirBackend::new(path)
            .map(|backend| Store::Dir {
                root: path.to_path_buf(),
                backend,
            })
            .map_err(|e| ArchiveError::Io(std::io::Error::other(e.to_string())))
    }

    pub fn members(entries: Vec<Entry>) -> Store {
        let mut members: BTreeMap<Vec<Vec<u8>>, Blob> = BTreeMap::new();
        for entry in entries {
            match entry.kind {
                EntryKind::File(bytes) => {
                    members.insert(entry.path, bytes);
                }
                EntryKind::HardLink(target) => {
                    let found = split_member_name(&target).and_then(|t| members.get(&t).cloned());
                    if let Some(bytes) = found {
                        members.insert(entry.path, bytes);
                    }
                }
                _ => {}
            }
        }
        Store::Members(members)
    }

    /// The file `name` (a `/`-separated relative name); `None` when absent.
    pub fn get(&self, name: &str) -> Result<Option<Blob>, ArchiveError> {
        let Some(parts) = split_member_name(name.as_bytes()) else {
            return Err(ArchiveError::Traversal(name.to_owned()));
        };
        match self {
            Store::Members(members) => Ok(members.get(&parts).cloned()),
            Store::Dir { root, backend } => {
                let comps: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
                for end in 1..=comps.len() {
                    match backend.lstat(comps.get(..end).unwrap_or_default()) {
                        Ok(Node::Dir { .. }) if end < comps.len() => {}
                        Ok(Node::File { .. }) if end == comps.len() => {}
                        Ok(_) => return Ok(None),
                        Err(crate::FsError::NotFound | crate::FsError::NotADirectory) => {
                            return Ok(None)
                        }
                        Err(e) => {
                            return Err(ArchiveError::Io(std::io::Error::other(e.to_string())))
                        }
                    }
                }
                let path: PathBuf = parts.iter().map(|p| OsStr::from_bytes(p)).collect();
                Blob::open(&root.join(path))
                    .map(Some)
                    .map_err(|e| ArchiveError::Io(std::io::Error::other(format!("{name}: {e}"))))
            }
        }
    }

    /// The file `name`, parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, ArchiveError> {
        let Some(bytes) = self.get(name)? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| ArchiveError::BadJson {
                file: name.to_owned(),
                message: e.to_string(),
            })
    }
}
