//! [`Name`]: a string read from an ELF string table, as a window onto one shared copy of that
//! table. N references to one string cost one `Name`'s 16 bytes each and no copy of it; a
//! table is copied once per parse however many names are read from it (a hostile file cannot
//! multiply a long string by referring to it many times, nor make one allocation per name).

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// One shared copy of a string table, as [`Name`]s refer to it: a thin pointer (its length
/// is in the allocation), so that a name, held once per symbol of every object parsed in a
/// run, stays at 16 bytes.
#[derive(Clone)]
pub struct NameTable(triomphe::ThinArc<(), u8>);

impl NameTable {
    /// A copy of `bytes`.
    pub fn new(bytes: &[u8]) -> NameTable {
        NameTable(triomphe::ThinArc::from_header_and_slice((), bytes))
    }

    fn bytes(&self) -> &[u8] {
        &self.0.slice
    }
}

impl fmt::Debug for NameTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameTable({} bytes)", self.bytes().len())
    }
}

/// A name taken from a string table (a symbol, a DT_NEEDED entry, a version). Compares,
/// orders and hashes as its bytes.
#[derive(Clone)]
pub struct Name {
    table: NameTable,
    start: u32,
    len: u32,
}

impl Name {
    /// `table[start..start + len]`; `None` when that is not inside the table (or does not fit
    /// the 32-bit window: string tables are far smaller).
    pub fn in_table(table: &NameTable, start: usize, len: usize) -> Option<Name> {
        let end = start.checked_add(len)?;
        if end > table.bytes().len() {
            return None;
        }
        Some(Name {
            table: table.clone(),
            start: u32::try_from(start).ok()?,
            len: u32::try_from(len).ok()?,
        })
    }
}

impl Deref for Name {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        let start = self.start as usize;
        self.table
            .bytes()
            .get(start..start + self.len as usize)
            .unwrap_or_default()
    }
}

impl AsRef<[u8]> for Name {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Borrow<[u8]> for Name {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl Default for Name {
    fn default() -> Self {
        Name::from(&[][..])
    }
}

impl From<&[u8]> for Name {
    /// A name of its own (not from a string table): tables, tests, built-in targets.
    fn from(bytes: &[u8]) -> Self {
        let table = NameTable::new(bytes);
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        Name {
            table,
            start: 0,
            len,
        }
    }
}

impl From<Vec<u8>> for Name {
    fn from(bytes: Vec<u8>) -> Self {
        Name::from(bytes.as_slice())
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Name::from(text.as_bytes())
    }
}

impl<const N: usize> From<&[u8; N]> for Name {
    fn from(bytes: &[u8; N]) -> Self {
        Name::from(&bytes[..])
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        **self == **other
    }
}

impl Eq for Name {}

impl PartialEq<[u8]> for Name {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl Hash for Name {
    /// As the bytes hash, so that a map keyed by `Name` is searched by `&[u8]`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_name_is_its_bytes() {
        let table = NameTable::new(b"\0libc.so.6\0puts\0");
        let libc = Name::in_table(&table, 1, 9).unwrap();
        let puts = Name::in_table(&table, 11, 4).unwrap();
        assert_eq!(&*libc, b"libc.so.6");
        assert_eq!(libc, Name::from("libc.so.6"));
        assert!(libc < puts);
        let mut map: HashMap<Name, u8> = HashMap::new();
        map.insert(puts.clone(), 1);
        assert_eq!(map.get(&b"puts"[..]), Some(&1));
        assert!(Name::in_table(&table, 12, 100).is_none());
    }

    #[test]
    fn names_and_symbols_stay_small() {
        // Hundreds of thousands of symbols are held for a whole-image audit.
        assert_eq!(std::mem::size_of::<Name>(), 16);
        assert!(std::mem::size_of::<crate::Symbol>() <= 40);
        assert_eq!(std::mem::size_of::<crate::model::SymbolReloc>(), 8);
    }
}
