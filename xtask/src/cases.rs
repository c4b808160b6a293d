//! The fixture cases: each is named after the loader rule it proves (loader-facts.md section in
//! the comment) and builds its programs and libraries for one flavour.

use crate::build::{args, CaseBuild, Flavour, Place, GLIBC, MUSL};
use crate::util::make_parent;
use anyhow::{Context, Result};

pub type BuildFn = fn(&mut CaseBuild) -> Result<()>;

/// Every case, the flavours it is built for, and its builder.
pub const CASES: &[(&str, &[Flavour], BuildFn)] = &[
    ("rpath_inherited", &[GLIBC, MUSL], rpath_inherited),
    (
        "runpath_not_inherited",
        &[GLIBC, MUSL],
        runpath_not_inherited,
    ),
    (
        "ld_library_path_between",
        &[GLIBC, MUSL],
        ld_library_path_between,
    ),
    ("hwcaps_subdir", &[GLIBC, MUSL], hwcaps_subdir),
    ("origin_lib_dst", &[GLIBC, MUSL], origin_lib_dst),
    ("stale_cache", &[GLIBC], stale_cache),
    ("nodeflib", &[GLIBC], nodeflib),
    ("wrong_class_first", &[GLIBC, MUSL], wrong_class_first),
    ("absolute_symlink", &[GLIBC, MUSL], absolute_symlink),
    ("musl_path_file", &[MUSL], musl_path_file),
    ("musl_reserved_names", &[MUSL], musl_reserved_names),
    ("weak_undefined", &[GLIBC, MUSL], weak_undefined),
    ("data_vs_plt", &[GLIBC, MUSL], data_vs_plt),
    ("fortify", &[GLIBC], fortify),
    ("version_too_new", &[GLIBC], version_too_new),
    (
        "symbol_version_missing",
        &[GLIBC, MUSL],
        symbol_version_missing,
    ),
    ("preload", &[GLIBC, MUSL], preload),
    ("missing_library", &[GLIBC, MUSL], missing_library),
    (
        "hidden_version_default",
        &[GLIBC, MUSL],
        hidden_version_default,
    ),
    ("static", &[GLIBC, MUSL], static_exe),
    ("static_pie", &[GLIBC, MUSL], static_pie),
    ("needed_by_path", &[GLIBC, MUSL], needed_by_path),
    ("newer_glibc", &[GLIBC], newer_glibc),
];

/// /etc/ld.so.conf.d/ldsim.conf in every root (read by the glibc roots' ldconfig).
pub const LDSO_CONF: &str = "/opt/hw\n/opt/stale\n";

/// /etc/ld-musl-x86_64.path in the musl and gcompat roots: musl's built-in default
/// (/lib:/usr/local/lib:/usr/lib, musl ldso/dynlink.c: load_library) plus /opt/mpath, so the
/// other musl cases see the default search unchanged.
pub const MUSL_PATH: &str = "/lib\n/usr/local/lib\n/usr/lib\n/opt/mpath\n";

/// `common/str.c`: a library whose `func()` returns `text`.
fn str_lib(
    c: &CaseBuild,
    place: Place,
    target: &str,
    soname: &str,
    func: &str,
    text: &str,
    extra: &[&str],
) -> Result<String> {
    let mut a = vec![
        c.src("common/str.c"),
        format!("-DFN={func}"),
        format!("-DWHERE=\"{text}\""),
    ];
    a.extend(args(extra));
    c.lib(place, target, soname, &a)
}

/// `common/main_call.c`: prints "started", then `func()`.
fn main_call(
    c: &mut CaseBuild,
    rel: &str,
    func: &str,
    extra: &[String],
    env: &[(&str, &str)],
) -> Result<()> {
    let mut a = vec![c.src("common/main_call.c"), format!("-DFN={func}")];
    a.extend_from_slice(extra);
    c.exe(rel, &a, env)
}

fn rpath(dirs: &str) -> String {
    format!("-Wl,--disable-new-dtags,-rpath,{dirs}")
}

fn runpath(dirs: &str) -> String {
    format!("-Wl,--enable-new-dtags,-rpath,{dirs}")
}

/// libB (no paths) needs libA; both only in main's DT_RPATH dir (§1.3 step 1: the chain).
fn rpath_inherited(c: &mut CaseBuild) -> Result<()> {
    let rp = c.t("rp");
    let a = str_lib(
        c,
        Place::Stage,
        &format!("{rp}/libA.so.1"),
        "libA.so.1",
        "a_where",
        "rp",
        &[],
    )?;
    let b = chain_lib(c, &format!("{rp}/libB.so.1"), &a)?;
    main_call(c, "main", "b_where", &[b, rpath(&rp)], &[])
}

/// libB that forwards b_where() to libA's a_where().
fn chain_lib(c: &CaseBuild, target: &str, lib_a: &str) -> Result<String> {
    let a = vec![
        c.src("common/chain.c"),
        "-DFN=b_where".into(),
        "-DNEXT=a_where".into(),
        lib_a.to_string(),
    ];
    c.lib(Place::Stage, target, "libB.so.1", &a)
}

/// DT_RUNPATH applies to the object's own NEEDED only (§1.3 step 3); musl inherits it (§10.1).
fn runpath_not_inherited(c: &mut CaseBuild) -> Result<()> {
    let (bdir, rn) = (c.t("bdir"), c.t("rn"));
    let a = str_lib(
        c,
        Place::Stage,
        &format!("{rn}/libA.so.1"),
        "libA.so.1",
        "a_where",
        "rn",
        &[],
    )?;
    let b = chain_lib(c, &format!("{bdir}/libB.so.1"), &a)?;
    let link = c.rpath_link(Place::Stage, &rn);
    main_call(
        c,
        "main",
        "b_where",
        &[b, runpath(&format!("{bdir}:{rn}")), link],
        &[],
    )
}

/// LD_LIBRARY_PATH is searched after DT_RPATH and before DT_RUNPATH (§1.3); musl searches it first.
fn ld_library_path_between(c: &mut CaseBuild) -> Result<()> {
    let mut copies = Vec::new();
    for (dir, text) in [
        ("rp", "rpath"),
        ("llp", "ld_library_path"),
        ("rn", "runpath"),
    ] {
        let target = format!("{}/libA.so.1", c.t(dir));
        copies.push(str_lib(
            c,
            Place::Stage,
            &target,
            "libA.so.1",
            "a_where",
            text,
            &[],
        )?);
    }
    let llp = c.t("llp");
    let env = [("LD_LIBRARY_PATH", llp.as_str())];
    let (rp, rn) = (rpath(&c.t("rp")), runpath(&c.t("rn")));
    main_call(c, "rpath", "a_where", &[copies[0].clone(), rp], &env)?;
    main_call(c, "runpath", "a_where", &[copies[0].clone(), rn], &env)
}

/// libH in D and in D/glibc-hwcaps/x86-64-v{2,3}; returns the base copy's host path.
fn hwcaps_copies(c: &CaseBuild, dir: &str) -> Result<String> {
    for level in ["x86-64-v2", "x86-64-v3"] {
        let target = format!("{dir}/glibc-hwcaps/{level}/libH.so.1");
        let march = format!("-march={level}");
        str_lib(
            c,
            Place::Stage,
            &target,
            "libH.so.1",
            "h_where",
            level,
            &[&march],
        )?;
    }
    str_lib(
        c,
        Place::Stage,
        &format!("{dir}/libH.so.1"),
        "libH.so.1",
        "h_where",
        "base",
        &[],
    )
}

/// glibc-hwcaps subdirectories, by directory search and by ld.so.cache (§2); musl has neither.
fn hwcaps_subdir(c: &mut CaseBuild) -> Result<()> {
    let hw = c.t("hw");
    let base = hwcaps_copies(c, &hw)?;
    main_call(c, "runpath", "h_where", &[base, runpath(&hw)], &[])?;
    if c.fl == GLIBC {
        // /opt/hw is listed in LDSO_CONF.
        let base = hwcaps_copies(c, "/opt/hw")?;
        main_call(c, "cache", "h_where", &[base], &[])?;
    }
    Ok(())
}

/// `$ORIGIN/../$LIB` (§1.6); musl ignores an rpath containing any DST but $ORIGIN (§10.1).
fn origin_lib_dst(c: &mut CaseBuild) -> Result<()> {
    let target = c.t("lib/x86_64-linux-gnu/libO.so.1");
    let lib = str_lib(
        c,
        Place::Stage,
        &target,
        "libO.so.1",
        "o_where",
        "origin",
        &[],
    )?;
    // Passed without a shell: the DSTs reach the linker literally.
    main_call(
        c,
        "bin/main",
        "o_where",
        &[lib, rpath("$ORIGIN/../$LIB")],
        &[],
    )
}

/// A library installed after ldconfig in a listed dir is unknown to the loader (§3.4).
fn stale_cache(c: &mut CaseBuild) -> Result<()> {
    std::fs::create_dir_all(c.host(Place::Stage, "/opt/stale"))?;
    let lib = str_lib(
        c,
        Place::Late,
        "/opt/stale/libS.so.1",
        "libS.so.1",
        "s_where",
        "stale",
        &[],
    )?;
    main_call(c, "main", "s_where", &[lib], &[])
}

/// DF_1_NODEFLIB (ld: -z nodefaultlib): cache hits in system dirs and the system dirs are skipped (§1.3 steps 4-5).
fn nodeflib(c: &mut CaseBuild) -> Result<()> {
    let target = "/usr/lib/x86_64-linux-gnu/libnodeflib.so.1";
    let lib = str_lib(
        c,
        Place::Stage,
        target,
        "libnodeflib.so.1",
        "n_where",
        "system",
        &[],
    )?;
    main_call(
        c,
        "main",
        "n_where",
        &[lib.clone(), "-Wl,-z,nodefaultlib".into()],
        &[],
    )?;
    main_call(c, "control", "n_where", &[lib], &[])
}

/// A wrong-class candidate is skipped by glibc and the search goes on (§4).
fn wrong_class_first(c: &mut CaseBuild) -> Result<()> {
    let (dir1, dir2) = (c.t("dir1"), c.t("dir2"));
    let lib32 = c.host(Place::Stage, &format!("{dir1}/libW.so.1"));
    let a32 = vec![
        "-m32".into(),
        "-shared".into(),
        "-fPIC".into(),
        "-nostdlib".into(),
        "-Wl,-soname,libW.so.1".into(),
        c.src("common/str.c"),
        "-DFN=w_where".into(),
        "-DWHERE=\"32\"".into(),
    ];
    c.cc_with("gcc", &lib32, &a32)?;
    let lib64 = str_lib(
        c,
        Place::Stage,
        &format!("{dir2}/libW.so.1"),
        "libW.so.1",
        "w_where",
        "64",
        &[],
    )?;
    main_call(
        c,
        "main",
        "w_where",
        &[lib64.clone(), rpath(&format!("{dir1}:{dir2}"))],
        &[],
    )?;
    main_call(c, "only32", "w_where", &[lib64, rpath(&dir1)], &[])
}

/// An absolute symlink inside the root points inside the root, not at the host.
fn absolute_symlink(c: &mut CaseBuild) -> Result<()> {
    let real = format!("/opt/real/{}/libY.so.1", c.fl.name);
    let symdir = format!("/opt/symdir/{}", c.fl.name);
    let lib = str_lib(c, Place::Stage, &real, "libY.so.1", "y_where", "real", &[])?;
    let link = c.host(Place::Stage, &format!("{symdir}/libY.so.1"));
    make_parent(&link)?;
    std::os::unix::fs::symlink(&real, &link)
        .with_context(|| format!("symlink {}", link.display()))?;
    main_call(c, "main", "y_where", &[lib, rpath(&symdir)], &[])
}

/// /etc/ld-musl-x86_64.path replaces musl's default dirs (§10.1); see MUSL_PATH.
fn musl_path_file(c: &mut CaseBuild) -> Result<()> {
    let lib = str_lib(
        c,
        Place::Stage,
        "/opt/mpath/libM.so.1",
        "libM.so.1",
        "m_where",
        "mpath",
        &[],
    )?;
    main_call(c, "main", "m_where", &[lib], &[])
}

/// musl resolves libpthread.so.0 and libm.so.6 to itself (§10.1 step 1).
fn musl_reserved_names(c: &mut CaseBuild) -> Result<()> {
    let empty = vec![c.src("common/empty.c")];
    let pthread = c.lib(
        Place::Link,
        &c.t("stub/libpthread.so.0"),
        "libpthread.so.0",
        &empty,
    )?;
    let libm = c.lib(Place::Link, &c.t("stub/libm.so.6"), "libm.so.6", &empty)?;
    let a = vec![
        c.src("musl_reserved_names/main.c"),
        "-Wl,--no-as-needed".into(),
        pthread,
        libm,
    ];
    c.exe("main", &a, &[])
}

/// A weak undefined reference that nothing defines is 0, not an error (§6.2, §10.2).
fn weak_undefined(c: &mut CaseBuild) -> Result<()> {
    c.exe("main", &[c.src("weak_undefined/main.c")], &[])
}

/// JUMP_SLOT vs GLOB_DAT vs COPY against a library that lost the symbols (§6.3).
fn data_vs_plt(c: &mut CaseBuild) -> Result<()> {
    let v1 = vec![c.src("data_vs_plt/u_v1.c")];
    let v2 = vec![c.src("data_vs_plt/u_v2.c")];
    let linked = c.lib(Place::Link, &c.t("link/libU.so.1"), "libU.so.1", &v1)?;
    c.lib(Place::Stage, &c.t("lib/libU.so.1"), "libU.so.1", &v2)?;
    let rp = rpath(&c.t("lib"));
    for (name, src, extra) in [
        ("call_only", "call_only.c", None),
        ("fn_ptr", "fn_ptr.c", None),
        ("data", "data.c", None),
        ("call_znow", "call_only.c", Some("-Wl,-z,now")),
    ] {
        let mut a = vec![
            c.src(&format!("data_vs_plt/{src}")),
            linked.clone(),
            rp.clone(),
        ];
        a.extend(extra.map(String::from));
        c.exe(name, &a, &[])?;
    }
    Ok(())
}

/// glibc-only `_chk` entry points: missing from musl, provided by gcompat (§10.2, §11).
fn fortify(c: &mut CaseBuild) -> Result<()> {
    let a = args(&["-O2", "-D_FORTIFY_SOURCE=2"]);
    let mut full = vec![c.src("fortify/main.c")];
    full.extend(a);
    c.exe("main", &full, &[])
}

/// GLIBC_2.34 (every program built on bookworm) and GLIBC_2.36 (arc4random) are missing on
/// bullseye's glibc 2.31 (§5).
fn version_too_new(c: &mut CaseBuild) -> Result<()> {
    c.exe("main", &[c.src("version_too_new/main.c")], &[])
}

/// A version the installed library does not define (§5); musl ignores versions (§10.2).
fn symbol_version_missing(c: &mut CaseBuild) -> Result<()> {
    let d = "symbol_version_missing";
    let linked = vec![
        c.src(&format!("{d}/v2.c")),
        format!("-Wl,--version-script,{}", c.src(&format!("{d}/v2.map"))),
    ];
    let installed = vec![
        c.src(&format!("{d}/v1.c")),
        format!("-Wl,--version-script,{}", c.src(&format!("{d}/v1.map"))),
    ];
    let v2 = c.lib(Place::Link, &c.t("link/libv.so.1"), "libv.so.1", &linked)?;
    c.lib(Place::Stage, &c.t("lib/libv.so.1"), "libv.so.1", &installed)?;
    let a = vec![c.src(&format!("{d}/main.c")), v2, rpath(&c.t("lib"))];
    c.exe("main", &a, &[])
}

/// LD_PRELOAD found through main's RPATH interposes greet() (§1.7); musl preloads search no
/// rpath (§10.1) and silently drop it.
fn preload(c: &mut CaseBuild) -> Result<()> {
    let src = c.src("preload/greet.c");
    let lib = c.t("lib");
    let g = c.lib(
        Place::Stage,
        &format!("{lib}/libG.so.1"),
        "libG.so.1",
        &[src.clone(), "-DWHO=\"original\"".into()],
    )?;
    c.lib(
        Place::Stage,
        &format!("{lib}/libP.so.1"),
        "libP.so.1",
        &[src, "-DWHO=\"preloaded\"".into()],
    )?;
    main_call(
        c,
        "main",
        "greet",
        &[g, rpath(&lib)],
        &[("LD_PRELOAD", "libP.so.1")],
    )
}

/// NEEDED libnope.so.1 exists nowhere.
fn missing_library(c: &mut CaseBuild) -> Result<()> {
    let nope = c.lib(
        Place::Link,
        &c.t("link/libnope.so.1"),
        "libnope.so.1",
        &[c.src("common/empty.c")],
    )?;
    let a = vec![
        c.src("missing_library/main.c"),
        "-Wl,--no-as-needed".into(),
        nope,
    ];
    c.exe("main", &a, &[])
}

/// foo@VD_1 (hidden) and foo@@VD_2: the reference binds VD_2 (§5, §10.2 hidden skip).
fn hidden_version_default(c: &mut CaseBuild) -> Result<()> {
    let d = "hidden_version_default";
    let a = vec![
        c.src(&format!("{d}/hv.c")),
        format!("-Wl,--version-script,{}", c.src(&format!("{d}/hv.map"))),
    ];
    let lib = c.lib(Place::Stage, &c.t("lib/libhv.so.1"), "libhv.so.1", &a)?;
    main_call(c, "main", "foo", &[lib, rpath(&c.t("lib"))], &[])
}

/// No PT_INTERP: runs in every root (§12.1).
fn static_exe(c: &mut CaseBuild) -> Result<()> {
    c.exe(
        "main",
        &[c.src("common/main_plain.c"), "-static".into()],
        &[],
    )
}

/// PT_DYNAMIC but no PT_INTERP (§12.1). Debian's musl-gcc specs always add -dynamic-linker
/// and link libc.so, so the musl static-pie is linked by hand from rcrt1.o and libc.a.
fn static_pie(c: &mut CaseBuild) -> Result<()> {
    let main = c.src("common/main_plain.c");
    if c.fl == GLIBC {
        return c.exe("main", &[main, "-static-pie".into()], &[]);
    }
    let m = "/usr/lib/x86_64-linux-musl";
    let obj = c.host(Place::Link, &c.t("main.o"));
    c.cc_with("musl-gcc", &obj, &["-fPIE".into(), "-c".into(), main])?;
    let libgcc =
        crate::util::output(std::process::Command::new("gcc").arg("-print-libgcc-file-name"))?;
    let link = vec![
        "-static-pie".into(),
        "-nostdlib".into(),
        "-nostartfiles".into(),
        format!("{m}/rcrt1.o"),
        format!("{m}/crti.o"),
        obj.to_string_lossy().into_owned(),
        format!("{m}/libc.a"),
        libgcc.trim().to_string(),
        format!("{m}/crtn.o"),
    ];
    let out = c.host(Place::Stage, &c.t("main"));
    c.cc_with("gcc", &out, &link)?;
    c.record("main", &[]);
    Ok(())
}

/// A DT_NEEDED that contains '/' is opened as written, without search (§1.2, §10.1). The
/// library's soname is its absolute in-root path, so linking against it records that path as
/// NEEDED (linking by that path on the host is impossible: it only exists inside the roots).
fn needed_by_path(c: &mut CaseBuild) -> Result<()> {
    let target = c.t("lib/libQ.so");
    let lib = str_lib(c, Place::Stage, &target, &target, "q_where", "by_path", &[])?;
    main_call(c, "main", "q_where", &[lib], &[])
}

/// Programs built on bookworm (glibc 2.36, GCC 12) that need symbol versions older targets lack
/// (§5): arc4random_uniform (GLIBC_2.36), stat/fstat (2.33), pthread_create in libc (2.34),
/// libm's exp/log2 (2.29), and a C++ program needing GLIBCXX_3.4.29/3.4.30 (GCC 11/12).
fn newer_glibc(c: &mut CaseBuild) -> Result<()> {
    for name in ["arc4random", "stat", "pthread"] {
        c.exe(name, &[c.src(&format!("newer_glibc/{name}.c"))], &[])?;
    }
    c.exe("libm", &[c.src("newer_glibc/libm.c"), "-lm".into()], &[])?;
    let out = c.host(Place::Stage, &c.t("cxx"));
    c.cc_with("g++", &out, &[c.src("newer_glibc/cxx.cc")])?;
    c.record("cxx", &[]);
    Ok(())
}
