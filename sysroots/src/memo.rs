//! [`Memo`]: what a lookup into a root gave, by path, for the rest of the run. A root is only
//! read while ldsim runs, and a run asks the same paths for every library it looks for.

use std::io;
use std::sync::RwLock;

use std::hash::BuildHasher;

use foldhash::HashMap;

use crate::error::FsError;

/// Results by path; errors kept as their errno (an I/O error without one is not kept).
/// Sharded by the path's hash: every worker asks for every candidate path, and one lock
/// would bounce between the cores on each lookup.
#[derive(Debug)]
pub(crate) struct Memo<T> {
    shards: Box<[Shard<T>]>,
}

/// Some of the paths, each with what it gave (or its errno).
type Shard<T> = RwLock<HashMap<Vec<u8>, Result<T, i32>>>;

/// A power of two, several times the cores a run uses.
const SHARDS: usize = 16;

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
        }
    }
}

impl<T> Memo<T> {
    fn shard(&self, key: &[u8]) -> &Shard<T> {
        let hash = foldhash::fast::FixedState::with_seed(0).hash_one(key);
        // The top bits: the map inside the shard uses its own hash of the key.
        &self.shards[(hash >> 60) as usize % SHARDS]
    }
}

impl<T: Clone> Memo<T> {
    /// What `key` gave before, if it was asked.
    pub fn get(&self, key: &[u8]) -> Option<Result<T, FsError>> {
        let seen = self.shard(key).read().unwrap_or_else(|p| p.into_inner());
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
        self.shard(&key)
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, kept);
    }

    /// Forget everything (the root changed: a mount).
    pub fn clear(&mut self) {
        for shard in self.shards.iter_mut() {
            shard.get_mut().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }
}
