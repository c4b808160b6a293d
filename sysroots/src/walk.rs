//! The path walk: components resolved one by one inside the root, the way the kernel resolves
//! them inside a chroot (linux fs/namei.c: `link_path_walk`, `walk_component`, `lookup_last`).
//!
//! Architecture Invariant: the walk only ever hands the mount table a prefix whose components
//! it has itself checked are directories (never symlinks), so a backend never needs to follow a
//! link, and no resolved path can leave the root: absolute link targets restart at the target
//! `/`, and `..` at `/` stays there.

use std::borrow::Cow;

use crate::error::FsError;
use crate::mounts::MountTable;
use crate::node::Node;
use crate::target_path::TargetPath;

/// linux include/linux/namei.h: `MAXSYMLINKS`; the 41st link followed in one lookup is ELOOP.
const MAX_SYMLINKS: u32 = 40;
/// Longest component the Linux filesystems accept (ext4, xfs, btrfs: ENAMETOOLONG beyond).
const NAME_MAX: usize = 255;
/// linux fs/namei.c: `getname` refuses a path of PATH_MAX bytes or more (with its NUL).
pub(crate) const PATH_MAX: usize = 4096;

/// The canonical prefix walked so far: `/c1/c2…` (empty buffer for `/`).
#[derive(Debug, Default)]
pub(crate) struct Prefix {
    buf: Vec<u8>,
    /// Index in `buf` of the `/` before each component.
    starts: Vec<usize>,
}

impl Prefix {
    fn push(&mut self, comp: &[u8]) {
        self.starts.push(self.buf.len());
        self.buf.push(b'/');
        self.buf.extend_from_slice(comp);
    }

    /// `..`: one component up, staying at the root.
    fn pop(&mut self) {
        if let Some(start) = self.starts.pop() {
            self.buf.truncate(start);
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.starts.clear();
    }

    pub(crate) fn components(&self) -> Vec<&[u8]> {
        let ends = self.starts.iter().skip(1).copied().chain([self.buf.len()]);
        self.starts
            .iter()
            .zip(ends)
            .map(|(&start, end)| self.buf.get(start + 1..end).unwrap_or(&[]))
            .collect()
    }

    pub(crate) fn into_target_path(self) -> TargetPath {
        TargetPath::from_buf(self.buf)
    }
}

/// A piece of path still to walk: the original path, the cwd, or a symlink body.
struct Segment<'a> {
    bytes: Cow<'a, [u8]>,
    pos: usize,
}

impl Segment<'_> {
    fn is_done(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

/// Whether the final component is followed when it is a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Last {
    Follow,
    NoFollow,
}

/// Walk `path` (relative to `cwd` unless absolute). Returns the canonical prefix and the node
/// there; with [`Last::NoFollow`] the node may be a symlink (lstat), otherwise it never is.
pub(crate) fn walk(
    mounts: &MountTable,
    path: &[u8],
    cwd: &TargetPath,
    last_mode: Last,
) -> Result<(Prefix, Node), FsError> {
    walk_counting(mounts, path, cwd, last_mode).map(|(prefix, node, _)| (prefix, node))
}

/// [`walk`], also telling how many symlinks the walk followed.
pub(crate) fn walk_counting(
    mounts: &MountTable,
    path: &[u8],
    cwd: &TargetPath,
    last_mode: Last,
) -> Result<(Prefix, Node, u32), FsError> {
    let path = checked_name(path)?;
    let mut prefix = Prefix::default();
    let mut stack: Vec<Segment<'_>> = Vec::new();
    push_segment(&mut stack, &mut prefix, Cow::Borrowed(path));
    if path.first() != Some(&b'/') {
        push_segment(&mut stack, &mut prefix, Cow::Borrowed(cwd.as_bytes()));
    }
    // The root, not looked up yet.
    follow(mounts, prefix, stack, None, 0, last_mode)
}

/// A directory resolved before, to walk on from: its canonical path, its node and the
/// symlinks its own resolution followed (one lookup's links count toward one limit).
pub(crate) struct KnownDir<'a> {
    pub path: &'a TargetPath,
    pub node: Node,
    pub links: u32,
}

/// Walk the single plain component `name` (no `/`, not `.` or `..`) inside `dir`: what
/// [`walk`] of `dir/name` gives, without walking `dir` again. A `dir` that is no directory
/// gives ENOTDIR, as the whole walk would.
pub(crate) fn walk_in(
    mounts: &MountTable,
    dir: KnownDir<'_>,
    name: &[u8],
    last_mode: Last,
) -> Result<(Prefix, Node, u32), FsError> {
    let mut prefix = Prefix::default();
    for comp in dir.path.components() {
        prefix.push(comp);
    }
    let stack = vec![Segment {
        bytes: Cow::Borrowed(name),
        pos: 0,
    }];
    follow(mounts, prefix, stack, Some(dir.node), dir.links, last_mode)
}

/// The checks on a whole path before any component is looked up.
fn checked_name(path: &[u8]) -> Result<&[u8], FsError> {
    // A C caller's string stops at the first NUL.
    let path = match path.iter().position(|&b| b == 0) {
        Some(nul) => path.get(..nul).unwrap_or(&[]),
        None => path,
    };
    // linux fs/namei.c: getname_flags: an empty name is ENOENT, an over-long one ENAMETOOLONG.
    if path.is_empty() {
        return Err(FsError::NotFound);
    }
    if path.len() >= PATH_MAX {
        return Err(FsError::NameTooLong);
    }
    Ok(path)
}

/// The component loop: `current` is the node at `prefix` (`None`: a directory not looked up
/// yet, the root or after `..`), `links` the symlinks followed so far.
fn follow<'a>(
    mounts: &MountTable,
    mut prefix: Prefix,
    mut stack: Vec<Segment<'a>>,
    mut current: Option<Node>,
    mut links: u32,
    last_mode: Last,
) -> Result<(Prefix, Node, u32), FsError> {
    // A trailing slash demands a directory and follows a final symlink (fs/namei.c: lookup_last
    // sets LOOKUP_FOLLOW | LOOKUP_DIRECTORY, which then stay set for a trailing link's body).
    let mut must_be_dir = false;

    while let Some((seg, start, end, trailing_slash)) = next_component(&mut stack) {
        let is_last = stack.iter().all(Segment::is_done);
        must_be_dir |= is_last && trailing_slash;
        // fs/namei.c: link_path_walk: nothing can be looked up in a non-directory.
        if !is_dir(current.as_ref()) {
            return Err(FsError::NotADirectory);
        }
        let comp = stack
            .get(seg)
            .and_then(|s| s.bytes.get(start..end))
            .unwrap_or(&[]);
        match comp {
            b"" | b"." => continue,
            b".." => {
                // Clamped at the root: the chroot's `/` is its own parent (fs/namei.c:
                // follow_dotdot stops at the process root).
                prefix.pop();
                current = None;
                continue;
            }
            _ => {}
        }
        if comp.len() > NAME_MAX {
            return Err(FsError::NameTooLong);
        }
        prefix.push(comp);
        let node = mounts.lstat(&prefix.components())?;
        match node {
            Node::Symlink { target } if !is_last || last_mode == Last::Follow || must_be_dir => {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(FsError::Loop);
                }
                // fs/namei.c: get_link: an empty link body is ENOENT.
                if target.is_empty() {
                    return Err(FsError::NotFound);
                }
                // Relative bodies continue from the link's own directory.
                prefix.pop();
                current = None;
                push_segment(&mut stack, &mut prefix, Cow::Owned(target));
            }
            node => current = Some(node),
        }
    }

    let node = match current {
        Some(node) => node,
        None => mounts.lstat(&prefix.components())?,
    };
    if must_be_dir && !matches!(node, Node::Dir { .. }) {
        return Err(FsError::NotADirectory);
    }
    Ok((prefix, node, links))
}

fn is_dir(node: Option<&Node>) -> bool {
    matches!(node, None | Some(Node::Dir { .. }))
}

/// Put `bytes` on top of the walk. An absolute path restarts at the target root: this is where
/// an absolute symlink target is re-rooted instead of escaping to the host's `/`.
fn push_segment<'a>(stack: &mut Vec<Segment<'a>>, prefix: &mut Prefix, bytes: Cow<'a, [u8]>) {
    if bytes.first() == Some(&b'/') {
        prefix.clear();
    }
    let mut seg = Segment { bytes, pos: 0 };
    skip_slashes(&mut seg);
    stack.push(seg);
}

fn skip_slashes(seg: &mut Segment<'_>) {
    while seg.bytes.get(seg.pos) == Some(&b'/') {
        seg.pos += 1;
    }
}

/// The next component as (segment index, start, end, followed by a slash), dropping finished
/// segments. Segments on the stack never start at a slash, so every component is non-empty.
fn next_component(stack: &mut Vec<Segment<'_>>) -> Option<(usize, usize, usize, bool)> {
    while stack.last().is_some_and(Segment::is_done) {
        stack.pop();
    }
    let index = stack.len().checked_sub(1)?;
    let seg = stack.get_mut(index)?;
    let start = seg.pos;
    let len = seg
        .bytes
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| b == b'/'))
        .unwrap_or(seg.bytes.len() - start);
    let end = start + len;
    seg.pos = end;
    skip_slashes(seg);
    let trailing_slash = seg.pos > end;
    Some((index, start, end, trailing_slash))
}
