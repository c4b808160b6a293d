//! Paths inside the target, as bytes.
//!
//! Architecture Invariant: a target path is never a host `std::path::Path`; it becomes one only
//! inside a backend, component by component, below the backend's own root.

use std::borrow::Cow;
use std::fmt;

/// An absolute, lexically normalised path inside the target (bytes, never a host `Path`).
/// Always starts with `/`, has no `.` components, no empty components and no trailing `/`
/// (except the root itself). `..` components are kept by [`TargetPath::new`] only lexically
/// collapsed, clamped at the root.
///
/// The root is a constant (a run names it for every path it resolves); any other path owns
/// its bytes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetPath(Cow<'static, [u8]>);

impl TargetPath {
    /// The root `/`.
    pub fn root() -> Self {
        TargetPath(Cow::Borrowed(b"/"))
    }

    /// Lexically normalise `path` (relative paths are taken relative to `/`).
    pub fn new(path: &[u8]) -> Self {
        let mut out = Vec::with_capacity(path.len() + 1);
        push_normalised(&mut out, path);
        TargetPath::from_buf(out)
    }

    /// A path already in normal form without its leading `/` for the root (empty = `/`).
    pub(crate) fn from_buf(mut buf: Vec<u8>) -> Self {
        if buf.is_empty() {
            buf.push(b'/');
        }
        TargetPath(Cow::Owned(buf))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The components, in order (none for the root).
    pub fn components(&self) -> impl Iterator<Item = &[u8]> {
        self.0.split(|&b| b == b'/').filter(|c| !c.is_empty())
    }

    /// Is this the root `/`?
    pub fn is_root(&self) -> bool {
        *self.0 == *b"/"
    }

    /// `self/rel`, lexically normalised; an absolute `rel` replaces `self`.
    pub fn join(&self, rel: &[u8]) -> TargetPath {
        if rel.first() == Some(&b'/') {
            return TargetPath::new(rel);
        }
        let mut out = Vec::with_capacity(self.0.len() + rel.len() + 1);
        if !self.is_root() {
            out.extend_from_slice(&self.0);
        }
        push_normalised(&mut out, rel);
        TargetPath::from_buf(out)
    }

    /// The directory part (`/a/b` → `/a`, `/` → `/`).
    pub fn parent(&self) -> TargetPath {
        match self.0.iter().rposition(|&b| b == b'/') {
            Some(0) | None => TargetPath::root(),
            Some(i) => TargetPath(Cow::Owned(self.0[..i].to_vec())),
        }
    }

    /// The last component (`/a/b` → `b`, `/` → empty).
    pub fn file_name(&self) -> &[u8] {
        match self.0.iter().rposition(|&b| b == b'/') {
            Some(i) => &self.0[i + 1..],
            None => &self.0,
        }
    }

    /// Lossy UTF-8 for display.
    pub fn display(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

/// Append the components of `path` to the normalised prefix `out` (empty = root), collapsing
/// `.`, empty components and `..` (clamped at the root).
fn push_normalised(out: &mut Vec<u8>, path: &[u8]) {
    for comp in path.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                let cut = out.iter().rposition(|&b| b == b'/').unwrap_or(0);
                out.truncate(cut);
            }
            _ => {
                out.push(b'/');
                out.extend_from_slice(comp);
            }
        }
    }
}

impl fmt::Debug for TargetPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.display())
    }
}

impl fmt::Display for TargetPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::TargetPath;

    fn new(p: &str) -> String {
        TargetPath::new(p.as_bytes()).display()
    }
    fn join(base: &str, rel: &str) -> String {
        TargetPath::new(base.as_bytes())
            .join(rel.as_bytes())
            .display()
    }
    fn parent(p: &str) -> String {
        TargetPath::new(p.as_bytes()).parent().display()
    }
    fn file_name(p: &str) -> String {
        String::from_utf8_lossy(TargetPath::new(p.as_bytes()).file_name()).into_owned()
    }

    #[test]
    fn new_normalises_lexically() {
        let cases = [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            (".", "/"),
            ("..", "/"),
            ("/..", "/"),
            ("/../../etc", "/etc"),
            ("a", "/a"),
            ("a/b", "/a/b"),
            ("/a/b/", "/a/b"),
            ("/a//b///c", "/a/b/c"),
            ("/a/./b/.", "/a/b"),
            ("/a/b/..", "/a"),
            ("/a/b/../..", "/"),
            ("/a/b/../../../..", "/"),
            ("/a/../b/../c", "/c"),
            ("/usr/lib/../lib64/./ld.so", "/usr/lib64/ld.so"),
            ("/...", "/..."),
            ("/a/.b/..c", "/a/.b/..c"),
        ];
        for (input, want) in cases {
            assert_eq!(new(input), want, "TargetPath::new({input:?})");
        }
    }

    #[test]
    fn join_relative_and_absolute() {
        let cases = [
            ("/", "lib", "/lib"),
            ("/usr", "lib", "/usr/lib"),
            ("/usr/lib", "../lib64", "/usr/lib64"),
            ("/usr/lib", "../../../x", "/x"),
            ("/usr/lib", "/etc", "/etc"),
            ("/usr/lib", "", "/usr/lib"),
            ("/usr/lib", ".", "/usr/lib"),
            ("/", "..", "/"),
        ];
        for (base, rel, want) in cases {
            assert_eq!(join(base, rel), want, "{base:?}.join({rel:?})");
        }
    }

    #[test]
    fn parent_and_file_name() {
        let cases = [
            ("/", "/", ""),
            ("/a", "/", "a"),
            ("/a/b", "/a", "b"),
            ("/a/b/c.so.1", "/a/b", "c.so.1"),
        ];
        for (path, want_parent, want_name) in cases {
            assert_eq!(parent(path), want_parent, "parent of {path:?}");
            assert_eq!(file_name(path), want_name, "file_name of {path:?}");
        }
    }

    #[test]
    fn components_of_root_and_path() {
        assert_eq!(TargetPath::root().components().count(), 0);
        let p = TargetPath::new(b"/usr/lib");
        assert_eq!(
            p.components().collect::<Vec<_>>(),
            vec![&b"usr"[..], b"lib"]
        );
    }
}
