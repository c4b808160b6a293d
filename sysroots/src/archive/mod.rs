//! Target roots held in archives and container images, read in place: tar archives (plain,
//! gzip, xz, zstd, bzip2), `docker save` archives and OCI image layouts (as a directory or a
//! tar), layers applied with whiteouts. The result is a [`crate::Backend`] like any other, so
//! the same chroot path walk guards every lookup.

mod blob;
mod compress;
mod error;
mod image;
mod platform;
mod source;
mod store;
mod tar;
mod tree;
mod virtual_root;

pub use error::{human_size, ArchiveError};
pub use image::ImageSelector;
pub use platform::Platform;
pub use source::{Limits, RootSource, DEFAULT_UNPACK_LIMIT};
pub use virtual_root::VirtualRoot;
