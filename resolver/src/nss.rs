//! `/etc/nsswitch.conf` as glibc ≥ 2.33 reads it (nss/nss_database.c: process_line,
//! nss_database_reload, nss_database_select_default; nss/nss_action_parse.c): which service
//! each database asks, in order. Bytes in, data out.
//!
//! glibc's own quirks are kept, because they decide which modules load:
//! - A line is `<database> ":" <service> ( "[" <status>=<action> … "]" )? …`; a line naming no
//!   database glibc knows (a `#` comment, `sudoers:`) is skipped, but a trailing `# comment`
//!   is not a comment: `passwd: files # systemd` asks the services `files`, `#` and
//!   `systemd` (observed with glibc 2.36: `find library=libnss_#.so.2`).
//! - The last line counts only if it ends with a newline (getline sets end-of-file on it).
//! - A malformed `[…]` makes glibc reject the whole file: every lookup fails.
//! - A database not named gets glibc's default; `shadow` defaults to `passwd`'s line and
//!   `gshadow` to `group`'s.

/// The databases of nss/databases.def, sorted as glibc searches them.
pub(crate) const DATABASES: [&str; 17] = [
    "aliases",
    "ethers",
    "group",
    "group_compat",
    "gshadow",
    "hosts",
    "initgroups",
    "netgroup",
    "networks",
    "passwd",
    "passwd_compat",
    "protocols",
    "publickey",
    "rpc",
    "services",
    "shadow",
    "shadow_compat",
];

/// At most this many services per line, and this long a service name: a hostile file
/// cannot make the list large.
const MAX_SERVICES: usize = 32;
const MAX_NAME: usize = 64;

/// One database's line, as given or as defaulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Database {
    pub name: &'static str,
    pub services: Vec<String>,
    /// The file has a line for it (not a default, nor copied from `passwd` or `group`).
    pub named: bool,
}

/// What glibc makes of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NssConfig {
    /// Each database with the services it asks, in [`DATABASES`] order. `initgroups`
    /// without a line has none (glibc then uses `group`). Empty when the file is rejected.
    pub databases: Vec<Database>,
    /// The line glibc rejects, which makes it read no configuration at all.
    pub rejected: Option<String>,
}

/// `file`: the contents of /etc/nsswitch.conf, `None` when glibc cannot open it (then
/// every database takes its default).
pub(crate) fn read(file: Option<&[u8]>) -> NssConfig {
    let mut lines: Vec<Option<Vec<String>>> = vec![None; DATABASES.len()];
    let mut rejected = None;
    if let Some(bytes) = file {
        // Only newline-terminated lines are processed.
        let complete = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(&bytes[..0], |end| &bytes[..=end]);
        for line in complete.split(|&b| b == b'\n') {
            match process_line(line) {
                Ok(Some((db, services))) => lines[db] = Some(services),
                Ok(None) => {}
                Err(()) => {
                    rejected = Some(String::from_utf8_lossy(line).into_owned());
                    break;
                }
            }
        }
    }
    if rejected.is_some() {
        return NssConfig {
            databases: Vec::new(),
            rejected,
        };
    }
    let index = |name: &str| DATABASES.iter().position(|&d| d == name);
    let copy_if_unset = |lines: &mut Vec<Option<Vec<String>>>, to: &str, from: &str| {
        if let (Some(to), Some(from)) = (index(to), index(from)) {
            if lines[to].is_none() {
                lines[to] = lines[from].clone();
            }
        }
    };
    let named: Vec<bool> = lines.iter().map(Option::is_some).collect();
    copy_if_unset(&mut lines, "shadow_compat", "passwd_compat");
    copy_if_unset(&mut lines, "shadow", "passwd");
    copy_if_unset(&mut lines, "gshadow", "group");
    let databases = DATABASES
        .iter()
        .zip(lines)
        .zip(named)
        .map(|((&name, services), named)| Database {
            name,
            services: services.unwrap_or_else(|| default_services(name)),
            named,
        })
        .collect();
    NssConfig {
        databases,
        rejected,
    }
}

/// nss_database_select_default, for a glibc built without the obsolete NSL services.
fn default_services(db: &str) -> Vec<String> {
    let line: &[&str] = match db {
        "hosts" | "networks" => &["dns", "files"],
        "initgroups" => &[],
        "passwd_compat" | "group_compat" | "shadow_compat" => &["nis"],
        "publickey" => &["nis", "nisplus"],
        _ => &["files"],
    };
    line.iter().map(|s| (*s).to_owned()).collect()
}

/// One line: `Ok(None)` when it names no known database (glibc skips it), `Err` when its
/// service list is malformed (glibc rejects the file).
fn process_line(line: &[u8]) -> Result<Option<(usize, Vec<String>)>, ()> {
    let line = trim_start(line);
    let name_end = line
        .iter()
        .position(|&b| is_space(b) || b == b':')
        .unwrap_or(line.len());
    if name_end == 0 || name_end == line.len() {
        return Ok(None);
    }
    let Some(db) = std::str::from_utf8(&line[..name_end])
        .ok()
        .and_then(|name| DATABASES.iter().position(|&d| d == name))
    else {
        return Ok(None);
    };
    let mut rest = &line[name_end..];
    while let Some((&b, tail)) = rest.split_first() {
        if is_space(b) || b == b':' {
            rest = tail;
        } else {
            break;
        }
    }
    parse_services(rest).map(|services| Some((db, services)))
}

/// nss_action_parse: the service names, the `[…]` criteria checked and dropped.
fn parse_services(mut line: &[u8]) -> Result<Vec<String>, ()> {
    let mut services = Vec::new();
    loop {
        line = trim_start(line);
        if line.is_empty() {
            return Ok(services);
        }
        let end = line
            .iter()
            .position(|&b| is_space(b) || b == b'[')
            .unwrap_or(line.len());
        if end == 0 {
            // A `[` with no service before it ends the list.
            return Ok(services);
        }
        if services.len() < MAX_SERVICES {
            let name = &line[..end.min(MAX_NAME)];
            services.push(String::from_utf8_lossy(name).into_owned());
        }
        line = trim_start(&line[end..]);
        if let Some(criteria) = line.strip_prefix(b"[") {
            line = skip_criteria(criteria)?;
        }
    }
}

/// `( "!"? <status> "=" <action> )+ "]"`, returning what follows the `]`.
fn skip_criteria(mut line: &[u8]) -> Result<&[u8], ()> {
    let word_end = |l: &[u8]| {
        l.iter()
            .position(|&b| is_space(b) || b == b'=' || b == b']')
            .unwrap_or(l.len())
    };
    line = trim_start(line);
    loop {
        if let Some(tail) = line.strip_prefix(b"!") {
            line = tail;
        }
        let end = word_end(line);
        let status = &line[..end];
        if !["SUCCESS", "UNAVAIL", "NOTFOUND", "TRYAGAIN"]
            .iter()
            .any(|s| status.eq_ignore_ascii_case(s.as_bytes()))
        {
            return Err(());
        }
        line = trim_start(&line[end..]);
        line = line.strip_prefix(b"=").ok_or(())?;
        line = trim_start(line);
        let end = word_end(line);
        let action = &line[..end];
        if !["RETURN", "CONTINUE", "MERGE"]
            .iter()
            .any(|a| action.eq_ignore_ascii_case(a.as_bytes()))
        {
            return Err(());
        }
        line = trim_start(&line[end..]);
        if let Some(tail) = line.strip_prefix(b"]") {
            return Ok(tail);
        }
    }
}

/// C's isspace in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn trim_start(mut line: &[u8]) -> &[u8] {
    while let Some((&b, tail)) = line.split_first() {
        if !is_space(b) {
            break;
        }
        line = tail;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services<'a>(config: &'a NssConfig, db: &str) -> Vec<&'a str> {
        config
            .databases
            .iter()
            .find(|d| d.name == db)
            .map(|d| d.services.iter().map(String::as_str).collect())
            .unwrap()
    }

    #[test]
    fn debian_default_file() {
        let file = b"# /etc/nsswitch.conf\n\npasswd:         files systemd\ngroup:          files systemd\n\
                     hosts:          files mdns4_minimal [NOTFOUND=return] dns\n\
                     protocols:      db files\nnetgroup:       nis\n";
        let config = read(Some(file));
        assert_eq!(config.rejected, None);
        assert_eq!(services(&config, "passwd"), ["files", "systemd"]);
        // shadow follows passwd, gshadow follows group when not named.
        assert_eq!(services(&config, "shadow"), ["files", "systemd"]);
        assert_eq!(services(&config, "gshadow"), ["files", "systemd"]);
        assert_eq!(
            services(&config, "hosts"),
            ["files", "mdns4_minimal", "dns"]
        );
        assert_eq!(services(&config, "netgroup"), ["nis"]);
        assert_eq!(services(&config, "services"), ["files"]);
        assert!(services(&config, "initgroups").is_empty());
        let named = |db: &str| {
            config
                .databases
                .iter()
                .find(|d| d.name == db)
                .unwrap()
                .named
        };
        assert!(named("passwd") && !named("shadow") && !named("publickey"));
    }

    #[test]
    fn trailing_comment_is_a_service_and_the_unterminated_last_line_is_dropped() {
        let config = read(Some(b"passwd: files # systemd\nnetgroup: nis"));
        assert_eq!(services(&config, "passwd"), ["files", "#", "systemd"]);
        assert_eq!(services(&config, "netgroup"), ["files"]);
    }

    #[test]
    fn no_file_gives_glibcs_defaults() {
        let config = read(None);
        assert_eq!(services(&config, "hosts"), ["dns", "files"]);
        assert_eq!(services(&config, "passwd"), ["files"]);
        assert_eq!(services(&config, "publickey"), ["nis", "nisplus"]);
    }

    #[test]
    fn malformed_criteria_reject_the_file() {
        let config = read(Some(b"hosts: files [NOTFOUND=maybe] dns\n"));
        assert_eq!(
            config.rejected.as_deref(),
            Some("hosts: files [NOTFOUND=maybe] dns")
        );
        let config = read(Some(b"hosts: files [!UNAVAIL = return] dns\n"));
        assert_eq!(config.rejected, None);
        assert_eq!(services(&config, "hosts"), ["files", "dns"]);
    }

    #[test]
    fn hostile_lines_are_bounded() {
        let long = format!("passwd: {}\n", "x ".repeat(10_000));
        let config = read(Some(long.as_bytes()));
        assert_eq!(services(&config, "passwd").len(), MAX_SERVICES);
        let wide = format!("passwd: {}\n", "y".repeat(10_000));
        let config = read(Some(wide.as_bytes()));
        assert_eq!(services(&config, "passwd")[0].len(), MAX_NAME);
    }
}
