//! Release policies: the newest glibc, libstdc++ (GLIBCXX, CXXABI) and libgcc_s (GCC)
//! versions a file may require, given as limits (`--max-glibc 2.28`) or by a named wheel
//! policy (`manylinux_2_28`, `musllinux_1_2`), checked against the file's [`Floor`] with
//! the symbols that break each limit.
//!
//! A manylinux policy's glibc limit is its name (PEP 600: `manylinux_X_Y` runs on glibc ≥
//! X.Y). Its libstdc++ and libgcc_s limits are the newest versions auditwheel's policy allows
//! on x86_64 (pypa/auditwheel src/auditwheel/policy/manylinux-policy.json, 2026-08): the
//! runtime of the policy's reference distribution. A musllinux policy allows no glibc
//! version at all (musl has no symbol versions). Neither checks the policies' library lists.

use serde::Serialize;

use crate::floor::{classify, Family, Floor};

/// The newest versions a file may require, each as its numbers; `None`: no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    pub glibc: Option<Vec<u32>>,
    pub glibcxx: Option<Vec<u32>>,
    pub cxxabi: Option<Vec<u32>>,
    pub gcc_s: Option<Vec<u32>>,
    /// No glibc version is allowed (a musl policy).
    pub no_glibc: bool,
}

/// A named policy or limits given one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `manylinux_2_28`, or `limits` for limits given one by one.
    pub name: String,
    pub limits: Limits,
}

/// An exception the user allows, with the reason printed whenever it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allowed {
    /// What is allowed: a library (`libfoo.so.1`), a symbol (`memcpy`) or a version
    /// (`GLIBC_2.29`).
    pub what: String,
    pub reason: String,
}

/// One required version beyond a limit, with the symbols that require it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub library: String,
    pub version: String,
    /// The limit it breaks, e.g. `glibc 2.28`, `GLIBCXX_3.4.24`.
    pub limit: String,
    pub symbols: Vec<String>,
}

/// A required version the limits would refuse, let through by an exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excused {
    pub library: String,
    pub version: String,
    pub limit: String,
    /// The symbols it covers (those an exception did not already remove).
    pub symbols: Vec<String>,
    pub allowed: Allowed,
}

/// What the policy says of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Compliance {
    pub violations: Vec<Violation>,
    pub excused: Vec<Excused>,
}

impl Compliance {
    pub fn passes(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Why a policy name or limit was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("unknown policy {0:?} (manylinux_2_5 … manylinux_2_41, manylinux1, manylinux2010, manylinux2014, musllinux_1_1, musllinux_1_2)")]
    UnknownPolicy(String),
    #[error("{0:?} is not a version (expected numbers such as 2.28 or 3.4.25)")]
    BadVersion(String),
}

/// Newest GLIBCXX, CXXABI and GCC versions per manylinux glibc release (see the module
/// documentation for the source): `(glibc minor, GLIBCXX, CXXABI, GCC)`.
const MANYLINUX: &[(u32, &str, &str, &str)] = &[
    (5, "3.4.8", "1.3.1", "4.2.0"),
    (12, "3.4.13", "1.3.3", "4.3.0"),
    (17, "3.4.19", "1.3.7", "4.8.0"),
    (24, "3.4.22", "1.3.10", "4.8.0"),
    (26, "3.4.22", "1.3.10", "4.8.0"),
    (27, "3.4.24", "1.3.11", "7.0.0"),
    (28, "3.4.24", "1.3.11", "7.0.0"),
    (31, "3.4.28", "1.3.12", "7.0.0"),
    (34, "3.4.29", "1.3.13", "7.0.0"),
    (35, "3.4.30", "1.3.13", "12.0.0"),
    (36, "3.4.30", "1.3.13", "12.0.0"),
    (37, "3.4.30", "1.3.13", "12.0.0"),
    (38, "3.4.30", "1.3.13", "12.0.0"),
    (39, "3.4.33", "1.3.15", "14.0.0"),
    (40, "3.4.33", "1.3.15", "14.0.0"),
    (41, "3.4.33", "1.3.15", "14.0.0"),
];

/// `2.28` → `[2, 28]`.
pub fn parse_version(text: &str) -> Result<Vec<u32>, PolicyError> {
    let numbers: Option<Vec<u32>> = text.split('.').map(|p| p.parse().ok()).collect();
    match numbers {
        Some(n) if !n.is_empty() && n.len() <= 4 => Ok(n),
        _ => Err(PolicyError::BadVersion(text.to_owned())),
    }
}

impl Policy {
    /// A named policy: `manylinux_2_28`, its legacy aliases, or `musllinux_1_1`/`_1_2`.
    pub fn named(name: &str) -> Result<Policy, PolicyError> {
        let unknown = || PolicyError::UnknownPolicy(name.to_owned());
        let canonical = match name {
            "manylinux1" => "manylinux_2_5",
            "manylinux2010" => "manylinux_2_12",
            "manylinux2014" => "manylinux_2_17",
            other => other,
        };
        if let Some(rest) = canonical.strip_prefix("musllinux_1_") {
            if rest == "1" || rest == "2" {
                return Ok(Policy {
                    name: canonical.to_owned(),
                    limits: Limits {
                        no_glibc: true,
                        ..Limits::default()
                    },
                });
            }
            return Err(unknown());
        }
        let minor: u32 = canonical
            .strip_prefix("manylinux_2_")
            .and_then(|m| m.parse().ok())
            .ok_or_else(unknown)?;
        let &(_, glibcxx, cxxabi, gcc) = MANYLINUX
            .iter()
            .find(|row| row.0 == minor)
            .ok_or_else(unknown)?;
        let parse = |v: &str| parse_version(v).ok();
        Ok(Policy {
            name: canonical.to_owned(),
            limits: Limits {
                glibc: Some(vec![2, minor]),
                glibcxx: parse(glibcxx),
                cxxabi: parse(cxxabi),
                gcc_s: parse(gcc),
                no_glibc: false,
            },
        })
    }

    /// The limits of `self` tightened by explicit ones (a flag beats the named policy).
    pub fn with_limits(mut self, explicit: &Limits) -> Policy {
        let pick = |named: &mut Option<Vec<u32>>, given: &Option<Vec<u32>>| {
            if given.is_some() {
                named.clone_from(given);
            }
        };
        pick(&mut self.limits.glibc, &explicit.glibc);
        pick(&mut self.limits.glibcxx, &explicit.glibcxx);
        pick(&mut self.limits.cxxabi, &explicit.cxxabi);
        pick(&mut self.limits.gcc_s, &explicit.gcc_s);
        self
    }

    /// Check `floor` against the limits, `allowed` exceptions applied.
    pub fn check(&self, floor: &Floor, allowed: &[Allowed]) -> Compliance {
        let mut verdict = Compliance::default();
        for required in &floor.versions {
            let Some(limit) = self.limit_broken(&required.version) else {
                continue;
            };
            let by = |what: &str| allowed.iter().find(|a| a.what == what);
            if let Some(a) = by(&required.library).or_else(|| by(&required.version)) {
                verdict.excused.push(Excused {
                    library: required.library.clone(),
                    version: required.version.clone(),
                    limit,
                    symbols: required.symbols.clone(),
                    allowed: a.clone(),
                });
                continue;
            }
            let (excused, remaining): (Vec<&String>, Vec<&String>) =
                required.symbols.iter().partition(|s| by(s).is_some());
            for symbol in excused {
                if let Some(a) = by(symbol) {
                    verdict.excused.push(Excused {
                        library: required.library.clone(),
                        version: required.version.clone(),
                        limit: limit.clone(),
                        symbols: vec![symbol.clone()],
                        allowed: a.clone(),
                    });
                }
            }
            // A version every symbol of which is excused still binds nothing else; one that
            // names no symbol (a bare Verneed) is required all the same.
            if remaining.is_empty() && !required.symbols.is_empty() {
                continue;
            }
            verdict.violations.push(Violation {
                library: required.library.clone(),
                version: required.version.clone(),
                limit,
                symbols: remaining.into_iter().cloned().collect(),
            });
        }
        verdict
    }

    /// The limit `version` breaks, said as the limit (`glibc 2.28`, `GLIBCXX_3.4.24`).
    fn limit_broken(&self, version: &str) -> Option<String> {
        let (family, number) = classify(version);
        let l = &self.limits;
        let dotted = |n: &[u32]| n.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
        let over = |limit: &Option<Vec<u32>>, said: &str| {
            limit
                .as_ref()
                .filter(|max| number > **max)
                .map(|max| format!("{said}{}", dotted(max)))
        };
        match family {
            Family::Glibc if l.no_glibc => Some(format!("no glibc ({})", self.name)),
            Family::Glibc => over(&l.glibc, "glibc "),
            Family::Glibcxx => over(&l.glibcxx, "GLIBCXX_"),
            Family::Cxxabi => over(&l.cxxabi, "CXXABI_"),
            Family::GccS => over(&l.gcc_s, "GCC_"),
            Family::Other if version == "GLIBC_PRIVATE" && (l.glibc.is_some() || l.no_glibc) => {
                Some("no GLIBC_PRIVATE (tied to one glibc build)".to_owned())
            }
            Family::Other => None,
        }
    }

    /// The limits in words: `glibc ≤ 2.28, GLIBCXX ≤ 3.4.24, …`.
    pub fn describe(&self) -> String {
        let dotted = |n: &[u32]| n.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
        let l = &self.limits;
        let mut parts = Vec::new();
        if l.no_glibc {
            parts.push("no glibc versions".to_owned());
        }
        for (what, limit) in [
            ("glibc", &l.glibc),
            ("GLIBCXX", &l.glibcxx),
            ("CXXABI", &l.cxxabi),
            ("GCC", &l.gcc_s),
        ] {
            if let Some(m) = limit {
                parts.push(format!("{what} ≤ {}", dotted(m)));
            }
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::floor::RequiredVersion;

    fn floor(rows: &[(&str, &str, &[&str])]) -> Floor {
        Floor {
            versions: rows
                .iter()
                .map(|(library, version, symbols)| RequiredVersion {
                    library: library.to_string(),
                    version: version.to_string(),
                    introduced_in: None,
                    symbols: symbols.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
            ..Floor::default()
        }
    }

    #[test]
    fn manylinux_names_and_aliases() {
        let p = Policy::named("manylinux2014").unwrap();
        assert_eq!(p.name, "manylinux_2_17");
        assert_eq!(p.limits.glibc, Some(vec![2, 17]));
        assert_eq!(p.limits.glibcxx, Some(vec![3, 4, 19]));
        assert_eq!(
            Policy::named("manylinux_2_28").unwrap().describe(),
            "glibc ≤ 2.28, GLIBCXX ≤ 3.4.24, CXXABI ≤ 1.3.11, GCC ≤ 7.0.0"
        );
        assert!(Policy::named("manylinux_2_29").is_err());
        assert!(Policy::named("musllinux_1_3").is_err());
        assert!(Policy::named("musllinux_1_2").unwrap().limits.no_glibc);
    }

    #[test]
    fn versions_over_the_limit_with_their_symbols() {
        let p = Policy::named("manylinux_2_28").unwrap();
        let f = floor(&[
            (
                "libc.so.6",
                "GLIBC_2.34",
                &["__libc_start_main", "pthread_create"],
            ),
            ("libc.so.6", "GLIBC_2.28", &["statx"]),
            (
                "libstdc++.so.6",
                "GLIBCXX_3.4.30",
                &["_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE"],
            ),
            ("libstdc++.so.6", "GLIBCXX_3.4.21", &["x"]),
        ]);
        let v = p.check(&f, &[]);
        assert!(!v.passes());
        assert_eq!(v.violations.len(), 2);
        assert_eq!(v.violations[0].version, "GLIBC_2.34");
        assert_eq!(v.violations[0].limit, "glibc 2.28");
        assert_eq!(
            v.violations[0].symbols,
            ["__libc_start_main", "pthread_create"]
        );
        assert_eq!(v.violations[1].limit, "GLIBCXX_3.4.24");
    }

    #[test]
    fn exceptions_by_library_version_or_symbol() {
        let p = Policy {
            name: "limits".into(),
            limits: Limits {
                glibc: Some(vec![2, 28]),
                ..Limits::default()
            },
        };
        let f = floor(&[
            (
                "libc.so.6",
                "GLIBC_2.34",
                &["__libc_start_main", "pthread_create"],
            ),
            ("libm.so.6", "GLIBC_2.29", &["exp"]),
            ("libc.so.6", "GLIBC_2.33", &["stat"]),
        ]);
        let allow = |what: &str| Allowed {
            what: what.into(),
            reason: format!("because {what}"),
        };
        let v = p.check(
            &f,
            &[
                allow("libm.so.6"),
                allow("GLIBC_2.33"),
                allow("pthread_create"),
            ],
        );
        assert_eq!(v.violations.len(), 1);
        assert_eq!(v.violations[0].symbols, ["__libc_start_main"]);
        let excused: Vec<&str> = v.excused.iter().map(|e| e.allowed.what.as_str()).collect();
        assert_eq!(excused, ["pthread_create", "libm.so.6", "GLIBC_2.33"]);
        // Every symbol excused: the version passes.
        let v = p.check(
            &f,
            &[allow("libm.so.6"), allow("GLIBC_2.33"), allow("GLIBC_2.34")],
        );
        assert!(v.passes());
    }

    #[test]
    fn musllinux_refuses_any_glibc_version() {
        let p = Policy::named("musllinux_1_2").unwrap();
        let v = p.check(&floor(&[("libc.so.6", "GLIBC_2.2.5", &["puts"])]), &[]);
        assert_eq!(v.violations[0].limit, "no glibc (musllinux_1_2)");
        assert!(p.check(&Floor::default(), &[]).passes());
    }

    #[test]
    fn explicit_limits_override_the_named_ones() {
        let p = Policy::named("manylinux_2_28")
            .unwrap()
            .with_limits(&Limits {
                glibcxx: Some(vec![3, 4, 25]),
                ..Limits::default()
            });
        assert_eq!(p.limits.glibcxx, Some(vec![3, 4, 25]));
        assert_eq!(p.limits.glibc, Some(vec![2, 28]));
    }
}
