//! [`Blob`]: the bytes of an archive or layer, mapped, plus a way to read them with `pread`.
//!
//! Indexing a tar reads one 512-byte header per member, scattered through the file. Through a
//! mapping each of those reads faults in (and maps) the pages around it, so the whole archive
//! would end up resident; read with `pread`, only the page cache sees them. File contents are
//! served from the mapping, and only the files the simulation opens are touched.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::ops::Deref;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use crate::node::FileBytes;

#[derive(Debug, Clone)]
pub struct Blob {
    bytes: FileBytes,
    /// The same bytes in a file, when they are in one.
    window: Option<Window>,
}

#[derive(Debug, Clone)]
struct Window {
    file: Arc<File>,
    base: u64,
}

/// Reads the archive through its file when it has one, else from memory.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

impl Blob {
    pub fn in_memory(bytes: Vec<u8>) -> Blob {
        Blob {
            bytes: FileBytes::from_vec(bytes),
            window: None,
        }
    }

    /// Map a host file the user named (an archive, an image blob). Followed if a symlink.
    pub fn open(path: &Path) -> io::Result<Blob> {
        Blob::from_file(File::open(path)?)
    }

    /// Map `file` (read-only; nobody else modifies it during the analysis).
    pub fn from_file(file: File) -> io::Result<Blob> {
        if file.metadata()?.len() == 0 {
            return Ok(Blob::in_memory(Vec::new()));
        }
        // SAFETY: a read-only private map of input that is not modified while we run (the
        // same assumption as every mmap-based ELF tool; spilled data is our own unlinked file).
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }?;
        Ok(Blob {
            bytes: FileBytes::from_mmap(map),
            window: Some(Window {
                file: Arc::new(file),
                base: 0,
            }),
        })
    }

    /// Bytes `offset..offset + len`, sharing storage; `None` when out of range.
    pub fn slice(&self, offset: u64, len: u64) -> Option<Blob> {
        Some(Blob {
            bytes: self.bytes.slice(offset, len)?,
            window: self.window.as_ref().map(|w| Window {
                file: Arc::clone(&w.file),
                base: w.base + offset,
            }),
        })
    }

    pub fn bytes(&self) -> &FileBytes {
        &self.bytes
    }

    /// A sequential reader over the bytes (through `pread` when they are in a file).
    pub fn reader(&self) -> Box<dyn ReadSeek + '_> {
        match &self.window {
            Some(window) => Box::new(WindowReader {
                file: &window.file,
                base: window.base,
                len: self.bytes.len() as u64,
                pos: 0,
                buffer: Vec::new(),
                buffer_start: 0,
            }),
            None => Box::new(Cursor::new(&self.bytes[..])),
        }
    }
}

impl Deref for Blob {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// Bytes read per `pread`: a tar header and the small files after it come in one call.
const READ_SIZE: usize = 64 << 10;

/// `len` bytes of `file` from `base`, read with `pread` (no shared file offset) through a
/// buffer that, unlike `BufReader`'s, survives seeks that land inside it.
struct WindowReader<'a> {
    file: &'a File,
    base: u64,
    len: u64,
    pos: u64,
    buffer: Vec<u8>,
    /// Position of `buffer[0]` in the window.
    buffer_start: u64,
}

impl WindowReader<'_> {
    fn buffered(&self) -> Option<&[u8]> {
        let offset = usize::try_from(self.pos.checked_sub(self.buffer_start)?).ok()?;
        self.buffer.get(offset..).filter(|rest| !rest.is_empty())
    }

    fn refill(&mut self) -> io::Result<()> {
        let left = self.len.saturating_sub(self.pos);
        let want = READ_SIZE.min(usize::try_from(left).unwrap_or(usize::MAX));
        self.buffer.resize(want, 0);
        let mut filled = 0;
        while filled < want {
            let rest = self.buffer.get_mut(filled..).unwrap_or_default();
            match self
                .file
                .read_at(rest, self.base + self.pos + filled as u64)
            {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.buffer.truncate(filled);
        self.buffer_start = self.pos;
        Ok(())
    }
}

impl Read for WindowReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.buffered().is_none() {
            self.refill()?;
        }
        let Some(available) = self.buffered() else {
            return Ok(0);
        };
        let n = available.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for WindowReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn file_windows_read_what_the_map_holds() {
        let mut file = tempfile::tempfile().unwrap();
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        file.write_all(&data).unwrap();
        let blob = Blob::from_file(file).unwrap();
        let part = blob.slice(1000, 5000).unwrap();
        assert_eq!(&part[..], &data[1000..6000]);
        let mut read = Vec::new();
        part.reader().read_to_end(&mut read).unwrap();
        assert_eq!(read, &data[1000..6000]);
        let mut reader = part.reader();
        reader.seek(SeekFrom::Start(4990)).unwrap();
        let mut tail = Vec::new();
        reader.read_to_end(&mut tail).unwrap();
        assert_eq!(tail, &data[5990..6000]);
        assert!(blob.slice(99_999, 2).is_none());
    }
}
