//! An rpm header as the rpm database stores it (rpm lib/header.c: headerImport): the entry
//! count and data size (big-endian 32-bit), the index entries (tag, type, offset, count), then
//! the data. Only what names a package and its files is read.

/// RPMTAG_NAME (rpm lib/rpmtag.h).
const TAG_NAME: u32 = 1000;
/// RPMTAG_OLDFILENAMES: whole paths, in packages built before compressed file names.
const TAG_OLDFILENAMES: u32 = 1027;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;

/// rpm's own bounds on a header (lib/header_internal.h: HEADER_TAGS_MAX, HEADER_DATA_MAX).
const MAX_ENTRIES: u32 = 0xffff;
const MAX_DATA: u32 = 256 << 20;

/// One index entry.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    kind: u32,
    offset: u32,
    count: u32,
}

/// A header's entries and its data.
#[derive(Debug)]
pub(super) struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

/// A package as its header names it: its name and every path it installs.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct PackageFiles {
    pub name: Vec<u8>,
    pub paths: Vec<Vec<u8>>,
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    ldsim_loader::Endian::Big.u32_at(bytes, at)
}

impl<'a> Header<'a> {
    /// The header in `blob`, or `None` when it is not one (bounds as rpm's own).
    pub fn parse(blob: &'a [u8]) -> Option<Header<'a>> {
        let count = be32(blob, 0)?;
        let size = be32(blob, 4)?;
        if count > MAX_ENTRIES || size > MAX_DATA {
            return None;
        }
        let data_start = 8usize.checked_add((count as usize).checked_mul(16)?)?;
        let data = blob.get(data_start..data_start.checked_add(size as usize)?)?;
        let entries = (0..count as usize)
            .map(|i| {
                let at = 8 + i * 16;
                Some(Entry {
                    tag: be32(blob, at)?,
                    kind: be32(blob, at + 4)?,
                    offset: be32(blob, at + 8)?,
                    count: be32(blob, at + 12)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Header { entries, data })
    }

    fn entry(&self, tag: u32, kind: u32) -> Option<Entry> {
        self.entries
            .iter()
            .copied()
            .find(|e| e.tag == tag && e.kind == kind)
    }

    /// The `count` NUL-terminated strings an entry's data starts with.
    fn strings(&self, tag: u32, kind: u32) -> Option<Vec<&'a [u8]>> {
        let entry = self.entry(tag, kind)?;
        let mut rest = self.data.get(entry.offset as usize..)?;
        // Each string takes at least its NUL: a count past the data is damage.
        if entry.count as usize > rest.len() {
            return None;
        }
        let mut out = Vec::with_capacity(entry.count as usize);
        for _ in 0..entry.count {
            let nul = rest.iter().position(|&b| b == 0)?;
            out.push(&rest[..nul]);
            rest = &rest[nul + 1..];
        }
        Some(out)
    }

    fn int32s(&self, tag: u32) -> Option<Vec<u32>> {
        let entry = self.entry(tag, TYPE_INT32)?;
        let start = entry.offset as usize;
        let bytes = self
            .data
            .get(start..start.checked_add((entry.count as usize).checked_mul(4)?)?)?;
        Some(bytes.chunks_exact(4).filter_map(|b| be32(b, 0)).collect())
    }

    /// The package's name and the paths it installs (directory + base name, or the old
    /// whole file names), `None` without a name.
    pub fn package_files(&self) -> Option<PackageFiles> {
        let name = self.strings(TAG_NAME, TYPE_STRING)?.first()?.to_vec();
        let mut paths = Vec::new();
        if let (Some(bases), Some(dirs), Some(index)) = (
            self.strings(TAG_BASENAMES, TYPE_STRING_ARRAY),
            self.strings(TAG_DIRNAMES, TYPE_STRING_ARRAY),
            self.int32s(TAG_DIRINDEXES),
        ) {
            for (base, &dir) in bases.iter().zip(&index) {
                if let Some(dir) = dirs.get(dir as usize) {
                    paths.push([*dir, *base].concat());
                }
            }
        } else if let Some(old) = self.strings(TAG_OLDFILENAMES, TYPE_STRING_ARRAY) {
            paths.extend(old.iter().map(|p| p.to_vec()));
        }
        Some(PackageFiles { name, paths })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header laid out as rpm writes one: the index, then each entry's data.
    fn header(entries: &[(u32, u32, u32, Vec<u8>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, count, bytes) in entries {
            // INT32 data is 4-aligned, as rpm aligns it.
            if *kind == TYPE_INT32 {
                data.resize(data.len().next_multiple_of(4), 0);
            }
            for v in [*tag, *kind, data.len() as u32, *count] {
                index.extend_from_slice(&v.to_be_bytes());
            }
            data.extend_from_slice(bytes);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        blob.extend(index);
        blob.extend(data);
        blob
    }

    fn strings(list: &[&str]) -> Vec<u8> {
        list.iter()
            .flat_map(|s| [s.as_bytes(), b"\0"].concat())
            .collect()
    }

    #[test]
    fn compressed_file_names_are_joined_to_their_directories() {
        let ints: Vec<u8> = [0u32, 1, 1].iter().flat_map(|i| i.to_be_bytes()).collect();
        let blob = header(&[
            (TAG_NAME, TYPE_STRING, 1, strings(&["zlib"])),
            (
                TAG_BASENAMES,
                TYPE_STRING_ARRAY,
                3,
                strings(&["lib64", "libz.so.1", "libz.so.1.2.11"]),
            ),
            (TAG_DIRINDEXES, TYPE_INT32, 3, ints),
            (
                TAG_DIRNAMES,
                TYPE_STRING_ARRAY,
                2,
                strings(&["/", "/usr/lib64/"]),
            ),
        ]);
        let files = Header::parse(&blob).unwrap().package_files().unwrap();
        assert_eq!(files.name, b"zlib");
        assert_eq!(
            files.paths,
            [
                b"/lib64".to_vec(),
                b"/usr/lib64/libz.so.1".to_vec(),
                b"/usr/lib64/libz.so.1.2.11".to_vec()
            ]
        );
    }

    #[test]
    fn old_file_names_are_whole_paths() {
        let blob = header(&[
            (TAG_NAME, TYPE_STRING, 1, strings(&["old"])),
            (
                TAG_OLDFILENAMES,
                TYPE_STRING_ARRAY,
                1,
                strings(&["/lib/libold.so.1"]),
            ),
        ]);
        let files = Header::parse(&blob).unwrap().package_files().unwrap();
        assert_eq!(files.paths, [b"/lib/libold.so.1".to_vec()]);
    }

    #[test]
    fn damaged_headers_are_refused_not_read_past() {
        let good = header(&[(TAG_NAME, TYPE_STRING, 1, strings(&["x"]))]);
        // Truncated anywhere: no header, or no name.
        for cut in 0..good.len() {
            let parsed = Header::parse(&good[..cut]).and_then(|h| h.package_files());
            assert!(parsed.is_none(), "cut at {cut}");
        }
        // A string count far past the data, an offset past it, an entry count past rpm's bound.
        let mut lying = good.clone();
        lying[20..24].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Header::parse(&lying).unwrap().package_files().is_none());
        let mut far = good.clone();
        far[16..20].copy_from_slice(&1000u32.to_be_bytes());
        assert!(Header::parse(&far).unwrap().package_files().is_none());
        let mut many = good;
        many[0..4].copy_from_slice(&0x10000u32.to_be_bytes());
        assert!(Header::parse(&many).is_none());
    }
}
