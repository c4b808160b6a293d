//! A target root filesystem as a read-only virtual filesystem.
//!
//! Every path is resolved *inside* the root the way the kernel resolves it inside a chroot:
//! absolute symlink targets are re-rooted, `..` stops at the root, and symlink loops are reported
//! (ELOOP after 40 links, as Linux does). Nothing outside the root, or outside an overlay's host
//! directory, is ever read. This crate knows nothing of ELF.
//!
//! Architecture Invariant: no host `canonicalize`, no host symlink is ever followed by the OS;
//! the [`Sysroot`] resolver walks every component itself through a [`Backend`].
//!
//! Code map: [`TargetPath`] (target_path.rs), errors (error.rs), the backend trait and what it
//! reports (node.rs), host backends (host.rs), archives and images ([`RootSource`], archive/), the mount table (mounts.rs), the component walk
//! (walk.rs) and the public [`Sysroot`] (sysroot.rs).

mod archive;
mod error;
mod host;
mod memo;
mod mounts;
mod node;
mod sysroot;
mod target_path;
mod walk;

pub use archive::{
    human_size, ArchiveError, ImageSelector, Limits, Platform, RootSource, VirtualRoot,
    DEFAULT_UNPACK_LIMIT,
};
pub use error::{errno, strerror, FsError, OpenError};
pub use host::{DirBackend, FileBackend};
pub use node::{Backend, FileBytes, FileId, Node, NodeKind, OpenFile, Resolved};
pub use sysroot::Sysroot;
pub use target_path::TargetPath;

/// A [`Sysroot`] is shared across rayon threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Sysroot>();
    assert_send_sync::<FileBytes>();
};
