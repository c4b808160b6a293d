//! [`Memo`]: what a lookup into a root gave, by path, for the rest of the run. A root is only
//! read while ldsim runs, and a run asks the same paths for every library it looks for.

use std::io;
use std::sync::RwLock;

use foldhash::HashMap;

use crate::error::FsError;

/// Results by path; errors kept as their errno (an I/O error without one is not kept).
#[derive(Debug)]
pub(crate) struct Memo<T> {
    seen: RwLock<HashMap<Vec<u8>, Result<T, i32>>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            seen: RwLock::default(),
        }
    }
}

impl<T: Clone> Memo<T> {
    /// What `key` gave before, if it was asked.
    pub fn get(&self, key: &[u8]) -> Option<Result<T, FsError>> {
        let seen = self.seen.read().unwrap_or_else(|p| p.into_inner());
        let known = seen.get(key)?.clone();
        Some(known.map_err(|errno| FsError::from_host(io::Error::from_raw_os_error(errno))))
    }

    /// Remember what `key` gave.
    pub fn remember(&self, key: Vec<u8>, result: &Result<T, FsError>) {
        let kept = match result {
            Ok(value) => Ok(value.clone()),
            Err(FsError::Io(e)) => match e.raw_os_error() {
                Some(errno) => Err(errno),
                None => return,
            },
            Err(e) => Err(e.errno()),
        };
        self.seen
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, kept);
    }

    /// Forget everything (the root changed: a mount).
    pub fn clear(&mut self) {
        self.seen
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}
