//! OCI platforms (`linux/arm64`, `linux/arm/v7`): what `--platform` names and an image index
//! describes (image-spec image-index.md, "platform").

use std::fmt;
use std::str::FromStr;

/// An image's platform. Architecture names are Go's (`amd64`, `arm64`, `386`), as in OCI.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        let architecture = normalize_architecture(architecture);
        let variant = variant
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            // arm64 images are v8 unless they say otherwise (containerd's normalisation).
            .filter(|v| !(architecture == "arm64" && v == "v8"));
        Platform {
            os: os.to_owned(),
            architecture,
            variant,
        }
    }

    /// Does an image of platform `self` serve a request for `wanted`? A request without a
    /// variant accepts any variant.
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        self.os == wanted.os
            && self.architecture == wanted.architecture
            && (wanted.variant.is_none() || self.variant == wanted.variant)
    }
}

/// Accept the names people also use for architectures (`x86_64`, `aarch64`).
fn normalize_architecture(arch: &str) -> String {
    match arch {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "i386" | "i686" | "x86" => "386",
        "armhf" | "armel" => "arm",
        other => other,
    }
    .to_owned()
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = String;

    /// `OS/ARCH[/VARIANT]`.
    fn from_str(text: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform::new(os, arch, None)),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform::new(os, arch, Some(variant)))
            }
            _ => Err("expected OS/ARCH[/VARIANT], e.g. linux/arm64 or linux/arm/v7".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Platform;

    #[test]
    fn parse_and_print() {
        let p: Platform = "linux/arm/v7".parse().unwrap();
        assert_eq!(p.to_string(), "linux/arm/v7");
        assert_eq!(
            "linux/aarch64".parse::<Platform>().unwrap().to_string(),
            "linux/arm64"
        );
        assert_eq!(
            "linux/arm64/v8".parse::<Platform>().unwrap().to_string(),
            "linux/arm64"
        );
        assert!("linux".parse::<Platform>().is_err());
        assert!("linux//v7".parse::<Platform>().is_err());
        assert!("a/b/c/d".parse::<Platform>().is_err());
    }

    #[test]
    fn a_request_without_variant_accepts_any() {
        let v7: Platform = "linux/arm/v7".parse().unwrap();
        let arm: Platform = "linux/arm".parse().unwrap();
        let v6: Platform = "linux/arm/v6".parse().unwrap();
        assert!(v7.satisfies(&arm));
        assert!(!v6.satisfies(&v7));
        assert!(v7.satisfies(&v7));
        assert!(!arm.satisfies(&"linux/amd64".parse().unwrap()));
    }
}
