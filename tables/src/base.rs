//! The base images of Debian and Ubuntu releases (`data/base/<target>-<arch>.txt`, generated
//! by `cargo xtask abi-tables` from the release's own packages: xtask/src/abi_base.rs says
//! how the package set is derived and the format): every shared object the image has, with
//! its soname, needed libraries, version definitions and exported symbols, and the links to it.

use ldsim_loader::arch::Arch;

use crate::abilists::ExportKind;
use crate::objects::{SynthExport, SynthLibrary};
use crate::packed::PackedTables;

/// By `<target>-<arch>`, sorted.
static TABLES: PackedTables<BaseImage> =
    PackedTables::new(include!(concat!(env!("OUT_DIR"), "/base_tables.rs")));

/// One shared object of a base image.
#[derive(Debug, Clone)]
pub struct BaseLibrary {
    /// Where its package installs it (before any /usr merge).
    pub path: String,
    pub package: String,
    pub library: SynthLibrary,
}

/// A release's base image as the table describes it.
#[derive(Debug, Clone, Default)]
pub struct BaseImage {
    /// Installed packages (name, version).
    pub packages: Vec<(String, String)>,
    pub libraries: Vec<BaseLibrary>,
    /// Links in the library directories: (path, target as written).
    pub links: Vec<(String, String)>,
}

/// Whether `target` has a base-image table for `arch`.
pub fn knows(target: &str, arch: Arch) -> bool {
    TABLES.contains(&format!("{target}-{}", crate::arch_name(arch)))
}

/// The base image of `target` on `arch`, decoded once per run.
pub fn base_image(target: &str, arch: Arch) -> Option<&'static BaseImage> {
    TABLES.get(&format!("{target}-{}", crate::arch_name(arch)), |text| {
        parse(&text)
    })
}

/// The table's text (see the generator for the format).
fn parse(text: &str) -> BaseImage {
    let mut image = BaseImage::default();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match (line.starts_with(' '), words.next()) {
            (false, Some("package")) => {
                if let (Some(name), Some(version)) = (words.next(), words.next()) {
                    image.packages.push((name.to_owned(), version.to_owned()));
                }
            }
            (false, Some("lib")) => {
                if let (Some(path), Some(package)) = (words.next(), words.next()) {
                    image.libraries.push(BaseLibrary {
                        path: path.to_owned(),
                        package: package.to_owned(),
                        library: SynthLibrary::default(),
                    });
                }
            }
            (false, Some("link")) => {
                if let (Some(path), Some(target)) = (words.next(), words.next()) {
                    image.links.push((path.to_owned(), target.to_owned()));
                }
            }
            (true, Some(field)) => {
                let Some(lib) = image.libraries.last_mut().map(|l| &mut l.library) else {
                    continue;
                };
                let value = words.next().unwrap_or_default().to_owned();
                match field {
                    "soname" => lib.soname = Some(value),
                    "needed" => lib.needed.push(value),
                    "version" => lib.versions.push(value),
                    "export" => {
                        let (Some(name), Some(version)) = (words.next(), words.next()) else {
                            continue;
                        };
                        let kind = match value.trim_end_matches('~') {
                            "F" => ExportKind::Function,
                            "O" => ExportKind::Object { size: 0 },
                            _ => ExportKind::NoType,
                        };
                        lib.exports.push(SynthExport {
                            name: name.to_owned(),
                            version: (version != "-").then(|| version.to_owned()),
                            default: !value.ends_with('~'),
                            kind,
                        });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    image
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_libraries_exports_and_links() {
        let image = parse(
            "# debian-12 x86_64\npackage zlib1g 1:1.2.13\n\
             lib /lib/x86_64-linux-gnu/libz.so.1.2.13 zlib1g\n soname libz.so.1\n needed libc.so.6\n \
             version ZLIB_1.2.0\n export F deflate -\n export F~ old ZLIB_1.2.0\n export O zlibVersion_data ZLIB_1.2.0\n\
             link /lib/x86_64-linux-gnu/libz.so.1 libz.so.1.2.13\n",
        );
        assert_eq!(
            image.packages,
            [("zlib1g".to_owned(), "1:1.2.13".to_owned())]
        );
        let lib = &image.libraries[0];
        assert_eq!(lib.path, "/lib/x86_64-linux-gnu/libz.so.1.2.13");
        assert_eq!(lib.library.soname.as_deref(), Some("libz.so.1"));
        assert_eq!(lib.library.needed, ["libc.so.6"]);
        assert_eq!(lib.library.versions, ["ZLIB_1.2.0"]);
        let exports: Vec<(&str, Option<&str>, bool)> = lib
            .library
            .exports
            .iter()
            .map(|e| (e.name.as_str(), e.version.as_deref(), e.default))
            .collect();
        assert_eq!(
            exports,
            [
                ("deflate", None, true),
                ("old", Some("ZLIB_1.2.0"), false),
                ("zlibVersion_data", Some("ZLIB_1.2.0"), true)
            ]
        );
        assert_eq!(image.links.len(), 1);
    }
}
