//! ELF objects made from the tables: what the loader would read from a library's program
//! headers and dynamic section (soname, DT_NEEDED, Verdefs, exported symbols), nothing more.

use ldsim_loader::arch::Arch;
use ldsim_loader::{
    elf_hash, Dynamic, ElfObject, Header, Symbol, Verdef, ET_DYN, ET_EXEC, STB_GLOBAL, STT_FUNC,
    STT_NOTYPE, STT_OBJECT, STV_DEFAULT, VERSYM_HIDDEN, VER_FLG_BASE,
};

use crate::abilists::ExportKind;

/// One exported symbol: its version node (None for musl) and whether that is the default.
#[derive(Debug, Clone)]
pub struct SynthExport {
    pub name: String,
    pub version: Option<String>,
    pub default: bool,
    pub kind: ExportKind,
}

/// A shared library as the tables describe it.
#[derive(Debug, Clone, Default)]
pub struct SynthLibrary {
    pub soname: Option<String>,
    pub needed: Vec<String>,
    /// Version nodes besides the base one, in definition order.
    pub versions: Vec<String>,
    pub exports: Vec<SynthExport>,
}

/// The ELF header fields of `arch` as its toolchain writes them.
pub fn header(arch: Arch, e_type: u16) -> Header {
    Header::of(arch, e_type)
}

/// A program with no dynamic section (what `/bin/sh` needs to be for the kernel stage).
pub fn executable(arch: Arch) -> ElfObject {
    ElfObject {
        has_load: true,
        ..ElfObject::empty(header(arch, ET_EXEC))
    }
}

impl SynthLibrary {
    /// The object: symbol 0 null, then the exports; Verdef 1 the base (the soname, as GNU ld
    /// writes it), then one per version node.
    pub fn object(&self, arch: Arch) -> ElfObject {
        let mut verdefs = Vec::new();
        let has_versions = !self.versions.is_empty();
        if has_versions {
            let base = self.soname.clone().unwrap_or_default();
            verdefs.push(verdef(1, VER_FLG_BASE, &base));
            for (i, name) in self.versions.iter().enumerate() {
                let index = u16::try_from(i + 2).unwrap_or(u16::MAX);
                verdefs.push(verdef(index, 0, name));
            }
        }
        let index_of = |version: &str| {
            verdefs
                .iter()
                .find(|d| d.flags & VER_FLG_BASE == 0 && &*d.name == version.as_bytes())
                .map(|d| d.index)
        };
        let mut symbols = vec![Symbol {
            name: ldsim_loader::Name::default(),
            binding: 0,
            kind: 0,
            visibility: STV_DEFAULT,
            other: STV_DEFAULT,
            shndx: 0,
            value: 0,
            size: 0,
            versym: has_versions.then_some(0),
        }];
        for export in &self.exports {
            let versym = match (&export.version, has_versions) {
                (_, false) => None,
                (None, true) => Some(1),
                (Some(v), true) => {
                    let Some(index) = index_of(v) else {
                        continue;
                    };
                    Some(if export.default {
                        index
                    } else {
                        index | VERSYM_HIDDEN
                    })
                }
            };
            let (kind, size) = match export.kind {
                ExportKind::Function => (STT_FUNC, 0),
                ExportKind::Object { size } => (STT_OBJECT, u32::from(size)),
                ExportKind::NoType => (STT_NOTYPE, 0),
            };
            symbols.push(Symbol {
                name: export.name.as_bytes().into(),
                binding: STB_GLOBAL,
                kind,
                visibility: STV_DEFAULT,
                other: STV_DEFAULT,
                // Any defined section index: the loaders only ask "defined or not".
                shndx: 1,
                value: 0x1000,
                size,
                versym,
            });
        }
        ElfObject {
            has_load: true,
            dynamic: Some(Dynamic {
                needed: self.needed.iter().map(|n| n.as_bytes().into()).collect(),
                soname: self.soname.as_ref().map(|s| s.as_bytes().to_vec()),
                ..Dynamic::default()
            }),
            symbols,
            verdefs,
            ..ElfObject::empty(header(arch, ET_DYN))
        }
    }
}

fn verdef(index: u16, flags: u16, name: &str) -> Verdef {
    Verdef {
        index,
        flags,
        hash: elf_hash(name.as_bytes()),
        name: name.as_bytes().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_as_their_architecture() {
        for arch in Arch::ALL {
            assert_eq!(
                ldsim_loader::arch::arch_of(&header(arch, ET_DYN)),
                Some(arch),
                "{arch:?}"
            );
        }
    }

    #[test]
    fn versioned_exports_point_at_their_verdef_and_hidden_ones_are_marked() {
        let lib = SynthLibrary {
            soname: Some("libc.so.6".into()),
            needed: vec!["ld-linux-x86-64.so.2".into()],
            versions: vec!["GLIBC_2.2.5".into(), "GLIBC_2.34".into()],
            exports: vec![
                SynthExport {
                    name: "pthread_create".into(),
                    version: Some("GLIBC_2.2.5".into()),
                    default: false,
                    kind: ExportKind::Function,
                },
                SynthExport {
                    name: "pthread_create".into(),
                    version: Some("GLIBC_2.34".into()),
                    default: true,
                    kind: ExportKind::Function,
                },
            ],
        };
        let obj = lib.object(Arch::X86_64);
        assert_eq!(obj.soname(), Some(&b"libc.so.6"[..]));
        assert_eq!(obj.verdefs[0].flags, VER_FLG_BASE);
        assert_eq!(obj.symbols[1].versym, Some(2 | VERSYM_HIDDEN));
        assert_eq!(obj.symbols[2].versym, Some(3));
        assert_eq!(obj.verdefs[2].hash, elf_hash(b"GLIBC_2.34"));
    }
}
