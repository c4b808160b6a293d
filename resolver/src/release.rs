//! Which Debian or Ubuntu release a root is, from its os-release file (`ID`, `VERSION_ID`):
//! the name of the built-in target of that release (`debian-12`, `ubuntu-24.04`) when ldsim has
//! its package tables.

use ldsim_sysroots::{Sysroot, TargetPath};

/// os-release's places (os-release(5): /etc first, then /usr/lib).
const OS_RELEASE: &[&[u8]] = &[b"/etc/os-release", b"/usr/lib/os-release"];

/// The release of `root`, when it is one with package tables.
pub(crate) fn of_root(root: &Sysroot) -> Option<String> {
    let (resolved, bytes) = OS_RELEASE
        .iter()
        .find_map(|path| root.read(path, &TargetPath::root()).ok())?;
    // A real os-release is a few hundred bytes.
    if resolved.size > 64 * 1024 {
        return None;
    }
    of_os_release(&String::from_utf8_lossy(&bytes))
}

fn of_os_release(text: &str) -> Option<String> {
    let value = |key: &str| {
        text.lines().find_map(|line| {
            let rest = line.trim().strip_prefix(key)?.strip_prefix('=')?;
            Some(rest.trim_matches(|c| c == '"' || c == '\'').to_owned())
        })
    };
    let name = match (value("ID")?.as_str(), value("VERSION_ID")?) {
        ("debian", version) => format!("debian-{version}"),
        ("ubuntu", version) => format!("ubuntu-{version}"),
        _ => return None,
    };
    ldsim_tables::packages::knows(&name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::of_os_release;

    #[test]
    fn debian_and_ubuntu_releases_from_os_release() {
        let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
                      VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n";
        assert_eq!(of_os_release(debian).as_deref(), Some("debian-12"));
        let ubuntu = "NAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\n";
        assert_eq!(of_os_release(ubuntu).as_deref(), Some("ubuntu-24.04"));
        // Testing and unstable have no VERSION_ID; other distributions no tables.
        assert_eq!(
            of_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\n"),
            None
        );
        assert_eq!(of_os_release("ID=alpine\nVERSION_ID=3.20.3\n"), None);
        assert_eq!(of_os_release("ID=debian\nVERSION_ID=\"10\"\n"), None);
    }
}
