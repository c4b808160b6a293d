//! Errors: what `open(2)` would say about a target path, and failures to open a root at all.

use std::io;
use std::path::PathBuf;

/// Why a path could not be opened, with the errno the real `open(2)`/`read(2)` would give.
///
/// The messages are the C `strerror` texts because loader messages quote them
/// (glibc elf/dl-load.c: `_dl_signal_error` with the errno of the failed open).
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("No such file or directory")]
    NotFound,
    #[error("Not a directory")]
    NotADirectory,
    #[error("Is a directory")]
    IsADirectory,
    #[error("Too many levels of symbolic links")]
    Loop,
    #[error("File name too long")]
    NameTooLong,
    #[error("Permission denied")]
    PermissionDenied,
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl FsError {
    /// The Linux errno this error stands for (ENOENT, ENOTDIR, EISDIR, ELOOP, ENAMETOOLONG,
    /// EACCES, or the raw OS error / EIO).
    pub fn errno(&self) -> i32 {
        match self {
            FsError::NotFound => libc::ENOENT,
            FsError::NotADirectory => libc::ENOTDIR,
            FsError::IsADirectory => libc::EISDIR,
            FsError::Loop => libc::ELOOP,
            FsError::NameTooLong => libc::ENAMETOOLONG,
            FsError::PermissionDenied => libc::EACCES,
            FsError::Io(e) => e.raw_os_error().unwrap_or(libc::EIO),
        }
    }

    /// Classify a host I/O error, keeping its errno: the named variants for the errnos the
    /// loaders report specially, [`FsError::Io`] for the rest.
    pub(crate) fn from_host(err: io::Error) -> FsError {
        match err.raw_os_error() {
            Some(libc::ENOENT) => FsError::NotFound,
            Some(libc::ENOTDIR) => FsError::NotADirectory,
            Some(libc::EISDIR) => FsError::IsADirectory,
            Some(libc::ELOOP) => FsError::Loop,
            Some(libc::ENAMETOOLONG) => FsError::NameTooLong,
            Some(libc::EACCES) => FsError::PermissionDenied,
            _ => FsError::Io(err),
        }
    }
}

/// The C library's text for `errno`, as the loaders quote it in their messages (the texts
/// of glibc and musl agree for every errno a search or a load ends with).
pub fn strerror(errno: i32) -> String {
    match errno {
        libc::ENOEXEC => "Exec format error".into(),
        n => FsError::from_host(io::Error::from_raw_os_error(n)).to_string(),
    }
}

/// The errnos the loaders treat specially, by name (Linux values, as `libc` has them).
pub mod errno {
    pub use libc::{EACCES, ENAMETOOLONG, ENOENT, ENOEXEC, ENOTDIR};
}

/// Failure to open a root or overlay at all (an input error: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0}: not a directory")]
    NotADirectory(PathBuf),
    #[error("{path}: {source}")]
    Archive {
        path: PathBuf,
        source: crate::archive::ArchiveError,
    },
}

#[cfg(test)]
mod tests {
    use super::FsError;
    use std::io;

    #[test]
    fn strerror_is_the_c_librarys_text() {
        assert_eq!(super::strerror(libc::ENOENT), "No such file or directory");
        assert_eq!(super::strerror(libc::ENOEXEC), "Exec format error");
        assert_eq!(
            super::strerror(libc::ELOOP),
            "Too many levels of symbolic links"
        );
        assert_eq!(super::strerror(libc::EISDIR), "Is a directory");
    }

    #[test]
    fn errno_of_each_variant() {
        let cases = [
            (FsError::NotFound, libc::ENOENT),
            (FsError::NotADirectory, libc::ENOTDIR),
            (FsError::IsADirectory, libc::EISDIR),
            (FsError::Loop, libc::ELOOP),
            (FsError::NameTooLong, libc::ENAMETOOLONG),
            (FsError::PermissionDenied, libc::EACCES),
            (
                FsError::Io(io::Error::from_raw_os_error(libc::EIO)),
                libc::EIO,
            ),
            (
                FsError::Io(io::Error::from_raw_os_error(libc::EMFILE)),
                libc::EMFILE,
            ),
            (FsError::Io(io::Error::other("no errno")), libc::EIO),
        ];
        for (err, want) in cases {
            assert_eq!(err.errno(), want, "{err:?}");
        }
    }

    #[test]
    fn host_errors_keep_their_errno() {
        for errno in [
            libc::ENOENT,
            libc::ENOTDIR,
            libc::EISDIR,
            libc::ELOOP,
            libc::ENAMETOOLONG,
            libc::EACCES,
            libc::EMFILE,
        ] {
            let err = FsError::from_host(io::Error::from_raw_os_error(errno));
            assert_eq!(err.errno(), errno, "{err:?}");
        }
        assert!(matches!(
            FsError::from_host(io::Error::from_raw_os_error(libc::EACCES)),
            FsError::PermissionDenied
        ));
    }

    #[test]
    fn messages_are_strerror_texts() {
        assert_eq!(FsError::NotFound.to_string(), "No such file or directory");
        assert_eq!(
            FsError::Loop.to_string(),
            "Too many levels of symbolic links"
        );
    }
}
