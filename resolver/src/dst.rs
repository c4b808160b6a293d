//! Dynamic string tokens and path lists (glibc elf/dl-load.c: is_dst, _dl_dst_substitute,
//! fillin_rpath; musl ldso/dynlink.c: fixup_rpath).

/// Values the tokens expand to for one object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tokens<'a> {
    /// Directory of the object (`$ORIGIN`); `None` when unknown.
    pub origin: Option<&'a [u8]>,
    pub lib: &'a [u8],
    pub platform: &'a [u8],
}

/// Length of the token `name` at `input` (after the `$`), 0 if it is not that token.
fn token_len(input: &[u8], name: &[u8]) -> usize {
    if let Some(rest) = input.strip_prefix(b"{") {
        if rest.starts_with(name) && rest.get(name.len()) == Some(&b'}') {
            return name.len() + 2;
        }
        return 0;
    }
    if !input.starts_with(name) {
        return 0;
    }
    match input.get(name.len()) {
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => 0,
        _ => name.len(),
    }
}

/// Expand glibc's `$ORIGIN`, `$LIB` and `$PLATFORM` (braced or not). Unknown `$X` stays literal.
/// `None` when a token cannot be expanded (unknown origin): glibc drops such an element.
pub(crate) fn expand_glibc(input: &[u8], tokens: &Tokens<'_>) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'$' {
            let rest = &input[i + 1..];
            let origin = token_len(rest, b"ORIGIN");
            let lib = token_len(rest, b"LIB");
            let platform = token_len(rest, b"PLATFORM");
            if origin > 0 {
                out.extend_from_slice(tokens.origin?);
                i += 1 + origin;
                continue;
            } else if lib > 0 {
                out.extend_from_slice(tokens.lib);
                i += 1 + lib;
                continue;
            } else if platform > 0 {
                out.extend_from_slice(tokens.platform);
                i += 1 + platform;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    Some(out)
}

/// Does the string contain any glibc DST?
pub(crate) fn has_dst(input: &[u8]) -> bool {
    input.iter().enumerate().any(|(i, &c)| {
        c == b'$' && {
            let rest = &input[i + 1..];
            token_len(rest, b"ORIGIN") + token_len(rest, b"LIB") + token_len(rest, b"PLATFORM") > 0
        }
    })
}

/// Split a glibc path list: RPATH/RUNPATH on ':', LD_LIBRARY_PATH on ':' and ';'. Empty
/// elements are kept (they mean the current directory).
pub(crate) fn split_glibc(list: &[u8], semicolon_too: bool) -> Vec<&[u8]> {
    list.split(|&c| c == b':' || (semicolon_too && c == b';'))
        .collect()
}

/// Normalise a directory as fillin_rpath does: trailing slashes stripped (the root stays `/`).
pub(crate) fn trim_dir(dir: &[u8]) -> &[u8] {
    let mut end = dir.len();
    while end > 1 && dir[end - 1] == b'/' {
        end -= 1;
    }
    &dir[..end]
}

/// `dir/name`, with the empty directory meaning the current directory.
pub(crate) fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(dir.len() + 1 + name.len());
    join_into(&mut p, dir, name);
    p
}

/// [`join`], appended to `out`.
pub(crate) fn join_into(out: &mut Vec<u8>, dir: &[u8], name: &[u8]) {
    out.extend_from_slice(dir);
    if !dir.is_empty() && !dir.ends_with(b"/") {
        out.push(b'/');
    }
    out.extend_from_slice(name);
}

/// The directory part of a path (`/a/b` → `/a`, `b` → `.`).
pub(crate) fn dirname(path: &[u8]) -> Vec<u8> {
    match path.iter().rposition(|&c| c == b'/') {
        Some(0) => b"/".to_vec(),
        Some(i) => path[..i].to_vec(),
        None => b".".to_vec(),
    }
}

/// musl's rpath: `$ORIGIN`/`${ORIGIN}` only; any other `$` makes the whole list unusable
/// (ldso/dynlink.c: fixup_rpath). `None` = ignored.
pub(crate) fn expand_musl(rpath: &[u8], origin: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(rpath.len());
    let mut i = 0;
    while i < rpath.len() {
        if rpath[i] == b'$' {
            let rest = &rpath[i + 1..];
            if rest.starts_with(b"ORIGIN") {
                out.extend_from_slice(origin);
                i += 7;
                continue;
            }
            if rest.starts_with(b"{ORIGIN}") {
                out.extend_from_slice(origin);
                i += 9;
                continue;
            }
            return None;
        }
        out.push(rpath[i]);
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(s: &str) -> Option<String> {
        let t = Tokens {
            origin: Some(b"/opt/app/bin"),
            lib: b"lib/x86_64-linux-gnu",
            platform: b"x86_64",
        };
        expand_glibc(s.as_bytes(), &t).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn glibc_tokens() {
        assert_eq!(ex("$ORIGIN/../lib").as_deref(), Some("/opt/app/bin/../lib"));
        assert_eq!(ex("${ORIGIN}/x").as_deref(), Some("/opt/app/bin/x"));
        assert_eq!(
            ex("/usr/$LIB").as_deref(),
            Some("/usr/lib/x86_64-linux-gnu")
        );
        assert_eq!(
            ex("/p/$PLATFORM/${LIB}").as_deref(),
            Some("/p/x86_64/lib/x86_64-linux-gnu")
        );
        assert_eq!(ex("$ORIGINX/a").as_deref(), Some("$ORIGINX/a"));
        assert_eq!(ex("$HOME/a").as_deref(), Some("$HOME/a"));
        assert_eq!(ex("${ORIGIN/a").as_deref(), Some("${ORIGIN/a"));
    }

    #[test]
    fn unknown_origin_drops_element() {
        let t = Tokens {
            origin: None,
            lib: b"lib",
            platform: b"x",
        };
        assert_eq!(expand_glibc(b"$ORIGIN/a", &t), None);
        assert_eq!(expand_glibc(b"/a/$LIB", &t), Some(b"/a/lib".to_vec()));
    }

    #[test]
    fn musl_rpath() {
        assert_eq!(
            expand_musl(b"$ORIGIN/../lib", b"/a"),
            Some(b"/a/../lib".to_vec())
        );
        assert_eq!(expand_musl(b"${ORIGIN}:/x", b"/a"), Some(b"/a:/x".to_vec()));
        assert_eq!(expand_musl(b"$ORIGIN/../$LIB", b"/a"), None);
    }

    #[test]
    fn lists_and_dirs() {
        assert_eq!(split_glibc(b"/a:;/b", true), vec![&b"/a"[..], b"", b"/b"]);
        assert_eq!(split_glibc(b"/a;/b", false), vec![&b"/a;/b"[..]]);
        assert_eq!(trim_dir(b"/a//"), b"/a");
        assert_eq!(trim_dir(b"/"), b"/");
        assert_eq!(join(b"/a", b"x"), b"/a/x");
        assert_eq!(join(b"", b"x"), b"x");
        assert_eq!(dirname(b"/a/b"), b"/a");
        assert_eq!(dirname(b"/b"), b"/");
    }
}
