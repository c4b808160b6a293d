//! Generated tables embedded zstd-compressed (listed by `build.rs`), each decompressed and
//! decoded the first time it is asked for, then kept for the run.

use std::sync::OnceLock;

/// Named compressed tables and their decoded forms.
pub(crate) struct PackedTables<T: 'static> {
    tables: &'static [(&'static str, &'static [u8])],
    decoded: OnceLock<Vec<OnceLock<T>>>,
}

impl<T> PackedTables<T> {
    pub const fn new(tables: &'static [(&'static str, &'static [u8])]) -> Self {
        PackedTables {
            tables,
            decoded: OnceLock::new(),
        }
    }

    /// The table names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        self.tables.iter().map(|(name, _)| *name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }

    /// Table `name` made into `T` by `decode` from its text, once.
    pub fn get(&'static self, name: &str, decode: impl FnOnce(String) -> T) -> Option<&'static T> {
        let at = self.tables.iter().position(|(n, _)| *n == name)?;
        let decoded = self
            .decoded
            .get_or_init(|| self.tables.iter().map(|_| OnceLock::new()).collect());
        Some(decoded.get(at)?.get_or_init(|| {
            let bytes = zstd::decode_all(self.tables[at].1).unwrap_or_default();
            decode(String::from_utf8_lossy(&bytes).into_owned())
        }))
    }
}
