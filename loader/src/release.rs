//! A release number (glibc 2.28, a symbol version's 2.2.5, musl 1.2.3): the one type the
//! binding rules (which change with glibc's release), the tables and the targets use for
//! them. A GCC *series* (`tables/src/gcc.rs`: `GccRelease`, "12" or "4.8") is another thing
//! and keeps its own type.

use std::fmt;

/// `major.minor.patch`, ordered numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    pub major: u8,
    pub minor: u8,
    pub patch: u8,
}

impl Release {
    pub const fn new(major: u8, minor: u8, patch: u8) -> Self {
        Release {
            major,
            minor,
            patch,
        }
    }

    /// Parses "2.28" or "2.2.5" (what `Display` prints).
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            Some(p) => p.parse().ok()?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Release::new(major, minor, patch))
    }

    /// Parses "1.2.3" only: all three numbers (musl's releases).
    pub fn parse_full(text: &str) -> Option<Self> {
        (text.split('.').count() == 3)
            .then(|| Release::parse(text))
            .flatten()
    }

    /// All three numbers, `1.2.0` (musl's way of writing a release).
    pub fn full(&self) -> String {
        format!("{}.{}.{}", self.major, self.minor, self.patch)
    }

    /// The glibc symbol version node of this number, e.g. `GLIBC_2.2.5`.
    pub fn version_name(&self) -> String {
        format!("GLIBC_{self}")
    }
}

/// `2.28`, `2.2.5`: the patch only when it is not 0 (glibc's way of writing a release).
impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Release;

    #[test]
    fn parse_and_print() {
        assert_eq!(Release::parse("2.28"), Some(Release::new(2, 28, 0)));
        assert_eq!(Release::parse("2.2.5").unwrap().to_string(), "2.2.5");
        assert_eq!(Release::parse("2.28").unwrap().version_name(), "GLIBC_2.28");
        assert_eq!(Release::parse("2"), None);
        assert_eq!(Release::parse("2.x"), None);
        assert_eq!(Release::parse("1.2.3.4"), None);
        assert_eq!(Release::parse_full("1.2"), None);
        assert_eq!(Release::parse_full("1.2.0").unwrap().full(), "1.2.0");
        assert!(Release::new(2, 9, 0) < Release::new(2, 28, 0));
    }
}
