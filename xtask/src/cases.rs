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
    ("static_nss", &[GLIBC], static_nss),
    ("needed_by_path", &[GLIBC, MUSL], needed_by_path),
    ("newer_glibc", &[GLIBC], newer_glibc),
    ("many_problems", &[GLIBC, MUSL], many_problems),
    // Shared objects checked on their own (Manifest::shared_objects).
    ("so_plain", &[GLIBC, MUSL], so_plain),
    ("so_rpath", &[GLIBC, MUSL], so_rpath),
    ("so_runpath", &[GLIBC, MUSL], so_runpath),
    ("so_origin_runpath", &[GLIBC, MUSL], so_origin_runpath),
    ("so_missing_deps", &[GLIBC, MUSL], so_missing_deps),
    ("so_version_too_new", &[GLIBC, MUSL], so_version_too_new),
    ("so_undefined", &[GLIBC, MUSL], so_undefined),
    ("so_musl_on_glibc", &[MUSL], so_musl_on_glibc),
    // The plugin host first: plugin_rpath_from_host links against its library.
    ("dlhost", &[GLIBC, MUSL], dlhost),
    ("plugin_ok", &[GLIBC, MUSL], plugin_ok),
    ("plugin_host_symbols", &[GLIBC, MUSL], plugin_host_symbols),
    ("plugin_missing_dep", &[GLIBC, MUSL], plugin_missing_dep),
    (
        "plugin_version_too_new",
        &[GLIBC, MUSL],
        plugin_version_too_new,
    ),
    ("plugin_undefined", &[GLIBC, MUSL], plugin_undefined),
    (
        "plugin_rpath_from_host",
        &[GLIBC, MUSL],
        plugin_rpath_from_host,
    ),
    ("plugin_runpath_own", &[GLIBC, MUSL], plugin_runpath_own),
    // Checked against the real dlopen of each declared soname (Manifest::dlopen_notes).
    ("dlopen_note", &[GLIBC, MUSL], dlopen_note),
    ("py_extension", &[GLIBC], py_extension),
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

/// Where the static NSS program is installed (every root; tests/tests/static_glibc.rs).
pub const STATIC_NSS: &str = "/t/glibc/static_nss/main";

/// A static glibc program that dlopens NSS modules and libidn2 at run time (§12.2). Not a
/// `cases` program: it starts everywhere, and what it loads later is compared by
/// tests/tests/static_glibc.rs instead (on bullseye it aborts inside getaddrinfo).
fn static_nss(c: &mut CaseBuild) -> Result<()> {
    let out = c.host(Place::Stage, STATIC_NSS);
    let a = vec![c.src("static_nss/main.c"), "-O2".into(), "-static".into()];
    c.cc_with(c.fl.cc, &out, &a)
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

/// A link-time stub library with `soname` (only its name matters); returns its host path.
fn stub(c: &CaseBuild, soname: &str) -> Result<String> {
    let empty = vec![c.src("common/empty.c")];
    c.lib(Place::Link, &c.t(&format!("link/{soname}")), soname, &empty)
}

/// Every problem at once, for comparing complete problem sets with list mode (§6.3, §8,
/// §10.2): NEEDED libmp_absent_a.so.1 and libmp_absent_b.so.1 exist nowhere; libmp.so.1 is
/// installed without MP_2 (mp_new), mp_gone_data (read: start-up) and mp_gone_fn (called: lazy
/// under glibc). Expected: glibc's run stops at libmp_absent_a.so.1; its list mode (ldd -r)
/// names both absent libraries, `MP_2` not found, and the undefined mp_new (version MP_2),
/// mp_gone_data and mp_gone_fn; musl reports both libraries and all three symbols.
fn many_problems(c: &mut CaseBuild) -> Result<()> {
    let d = "many_problems";
    let absent_a = stub(c, "libmp_absent_a.so.1")?;
    let absent_b = stub(c, "libmp_absent_b.so.1")?;
    let linked = c.lib(
        Place::Link,
        &c.t("link/libmp.so.1"),
        "libmp.so.1",
        &[
            c.src(&format!("{d}/mp_v2.c")),
            format!("-Wl,--version-script,{}", c.src(&format!("{d}/mp_v2.map"))),
        ],
    )?;
    c.lib(
        Place::Stage,
        &c.t("lib/libmp.so.1"),
        "libmp.so.1",
        &[
            c.src(&format!("{d}/mp_v1.c")),
            format!("-Wl,--version-script,{}", c.src(&format!("{d}/mp_v1.map"))),
        ],
    )?;
    let a = vec![
        c.src(&format!("{d}/main.c")),
        "-Wl,--no-as-needed".into(),
        absent_a,
        linked,
        absent_b,
        rpath(&c.t("lib")),
    ];
    c.exe("main", &a, &[])
}

/// A shared object at `/t/<flavour>/<case>/lib.so`, recorded to be checked on its own.
fn shared_object(c: &mut CaseBuild, args: &[String]) -> Result<()> {
    let target = c.t("lib.so");
    c.lib(Place::Stage, &target, "lib.so", args)?;
    let roots = c.own_roots();
    let name = c.case;
    c.record_shared_object(name, &target, roots);
    Ok(())
}

/// A dependency `lib<stem>.so.1` (function `<stem>_where`) at `dir`; returns its host path.
fn dep_lib(c: &CaseBuild, dir: &str, stem: &str) -> Result<String> {
    let soname = format!("lib{stem}.so.1");
    str_lib(
        c,
        Place::Stage,
        &format!("{dir}/{soname}"),
        &soname,
        &format!("{stem}_where"),
        stem,
        &[],
    )
}

/// `common/chain.c` as `FN` forwarding to `NEXT`, plus `extra` arguments.
fn chain_args(c: &CaseBuild, func: &str, next: &str, extra: &[String]) -> Vec<String> {
    let mut a = vec![
        c.src("common/chain.c"),
        format!("-DFN={func}"),
        format!("-DNEXT={next}"),
    ];
    a.extend_from_slice(extra);
    a
}

/// A shared object needing only libc is fine on its own (§8 list mode on an ET_DYN).
fn so_plain(c: &mut CaseBuild) -> Result<()> {
    shared_object(c, &[c.src("shared_objects/plain.c")])
}

/// The object's own DT_RPATH finds its dependency (§1.3 step 1, §10.1).
fn so_rpath(c: &mut CaseBuild) -> Result<()> {
    let deps = c.t("deps");
    let dep = dep_lib(c, &deps, "sodep")?;
    let a = chain_args(c, "so_entry", "sodep_where", &[dep, rpath(&deps)]);
    shared_object(c, &a)
}

/// The object's own DT_RUNPATH finds its dependency (§1.3 step 3, §10.1).
fn so_runpath(c: &mut CaseBuild) -> Result<()> {
    let deps = c.t("deps");
    let dep = dep_lib(c, &deps, "sodep")?;
    let a = chain_args(c, "so_entry", "sodep_where", &[dep, runpath(&deps)]);
    shared_object(c, &a)
}

/// DT_RUNPATH `$ORIGIN/deps`: the origin of an object listed on its own is its own directory
/// (§1.6, §10.1).
fn so_origin_runpath(c: &mut CaseBuild) -> Result<()> {
    let dep = dep_lib(c, &c.t("deps"), "sodep")?;
    let a = chain_args(
        c,
        "so_entry",
        "sodep_where",
        &[dep, runpath("$ORIGIN/deps")],
    );
    shared_object(c, &a)
}

/// Two absent dependencies around a present one: list mode prints `not found` for both and
/// keeps loading (§8); musl reports both (§10.2).
fn so_missing_deps(c: &mut CaseBuild) -> Result<()> {
    let deps = c.t("deps");
    let absent1 = stub(c, "libso_absent1.so.1")?;
    let present = dep_lib(c, &deps, "so_present")?;
    let absent2 = stub(c, "libso_absent2.so.1")?;
    let a = chain_args(
        c,
        "so_entry",
        "so_present_where",
        &[
            "-Wl,--no-as-needed".into(),
            absent1,
            present,
            absent2,
            rpath(&deps),
        ],
    );
    shared_object(c, &a)
}

/// libfg.so.1 linked with f@V2 and g@V1, installed with g@V1 only: glibc reports `V2` not
/// found and, bound now, `undefined symbol: f, version V2` (§5, §6.2); musl, which ignores
/// versions, reports f not found (§10.2). Returns (linked, installed) host paths.
fn fg_libs(c: &CaseBuild) -> Result<(String, String)> {
    let lib = |place: Place, target: &str, v: &str| {
        c.lib(
            place,
            target,
            "libfg.so.1",
            &[
                c.src(&format!("shared_objects/fg_{v}.c")),
                format!(
                    "-Wl,--version-script,{}",
                    c.src(&format!("shared_objects/fg_{v}.map"))
                ),
            ],
        )
    };
    let linked = lib(Place::Link, &c.t("link/libfg.so.1"), "v2")?;
    let installed = lib(Place::Stage, &c.t("deps/libfg.so.1"), "v1")?;
    Ok((linked, installed))
}

fn so_version_too_new(c: &mut CaseBuild) -> Result<()> {
    let (linked, _) = fg_libs(c)?;
    let a = vec![
        c.src("shared_objects/uses_fg.c"),
        linked,
        rpath(&c.t("deps")),
    ];
    shared_object(c, &a)
}

/// A function (PLT) and a data object (GLOB_DAT) nobody defines (§6.2, §10.2).
fn so_undefined(c: &mut CaseBuild) -> Result<()> {
    shared_object(c, &[c.src("shared_objects/undefined.c")])
}

/// musl-built objects in the glibc roots (and the musl root, as control): `debian.so` as
/// Debian's musl-gcc links it (NEEDED libc.so), `alpine.so` as Alpine's does (NEEDED
/// libc.musl-x86_64.so.1, linked against a stub with that soname). glibc's list mode cannot
/// find the musl libc (or finds a libc.so linker script: invalid ELF header, §8).
fn so_musl_on_glibc(c: &mut CaseBuild) -> Result<()> {
    let roots: Vec<String> = ["glibc", "bullseye", "musl"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let plain = c.src("shared_objects/plain.c");
    let debian = c.t("debian.so");
    c.lib(
        Place::Stage,
        &debian,
        "debian.so",
        std::slice::from_ref(&plain),
    )?;
    c.record_shared_object("so_musl_on_glibc/debian", &debian, roots.clone());
    let libc = c.lib(
        Place::Link,
        &c.t("link/libc.musl-x86_64.so.1"),
        "libc.musl-x86_64.so.1",
        &[c.src("shared_objects/musl_libc_stub.c"), "-nostdlib".into()],
    )?;
    let alpine = c.t("alpine.so");
    c.lib(
        Place::Stage,
        &alpine,
        "alpine.so",
        &[plain, "-nodefaultlibs".into(), libc],
    )?;
    c.record_shared_object("so_musl_on_glibc/alpine", &alpine, roots);
    Ok(())
}

/// The plugin host of a flavour (not a `cases` program: it needs an argument).
fn dlhost_path(c: &CaseBuild) -> String {
    format!("/t/{}/dlhost/host", c.fl.name)
}

/// The directory only the host's DT_RPATH names.
fn dlhost_libdir(c: &CaseBuild) -> String {
    format!("/t/{}/dlhost/hostlib", c.fl.name)
}

/// `dlopen(argv[1], RTLD_NOW)`; exports host_api_version and host_counter (-rdynamic); its
/// DT_RPATH names hostlib/, where libhostdep.so.1 lives for plugin_rpath_from_host.
fn dlhost(c: &mut CaseBuild) -> Result<()> {
    dep_lib(c, &dlhost_libdir(c), "hostdep")?;
    let out = c.host(Place::Stage, &dlhost_path(c));
    let a = vec![
        c.src("dlhost/host.c"),
        "-rdynamic".into(),
        rpath(&dlhost_libdir(c)),
    ];
    c.cc_with(c.fl.cc, &out, &a)
}

/// A plugin at `/t/<flavour>/<case>/plugin.so`, recorded as loaded by the flavour's dlhost.
fn plugin(c: &mut CaseBuild, args: &[String]) -> Result<()> {
    let target = c.t("plugin.so");
    c.lib(Place::Stage, &target, "plugin.so", args)?;
    let roots = if c.fl == GLIBC {
        // Not bullseye: the host, built on bookworm, needs GLIBC_2.34 and never starts there.
        vec!["glibc".to_string()]
    } else {
        vec!["musl".to_string()]
    };
    let host = dlhost_path(c);
    c.record_plugin(&target, &host, roots);
    Ok(())
}

/// dlopen of a plugin needing only libc succeeds.
fn plugin_ok(c: &mut CaseBuild) -> Result<()> {
    plugin(c, &[c.src("shared_objects/plain.c")])
}

/// The host's -rdynamic exports (a function and a data object) satisfy the plugin: the main
/// program is first in the dlopen'ed object's scope (§6.1).
fn plugin_host_symbols(c: &mut CaseBuild) -> Result<()> {
    plugin(c, &[c.src("plugins/host_symbols.c")])
}

/// dlopen fails on the plugin's absent dependency.
fn plugin_missing_dep(c: &mut CaseBuild) -> Result<()> {
    let absent = stub(c, "libplugin_absent.so.1")?;
    plugin(
        c,
        &[
            c.src("shared_objects/plain.c"),
            "-Wl,--no-as-needed".into(),
            absent,
        ],
    )
}

/// As so_version_too_new, through dlopen.
fn plugin_version_too_new(c: &mut CaseBuild) -> Result<()> {
    let (linked, _) = fg_libs(c)?;
    plugin(
        c,
        &[
            c.src("shared_objects/uses_fg.c"),
            linked,
            rpath(&c.t("deps")),
        ],
    )
}

/// RTLD_NOW: an undefined data object and function make dlopen fail.
fn plugin_undefined(c: &mut CaseBuild) -> Result<()> {
    plugin(c, &[c.src("plugins/undefined.c")])
}

/// The plugin's dependency is only in the host's DT_RPATH directory: dlopen searches the
/// caller's and the main program's DT_RPATH (§1.3 step 1; musl: the needed_by chain, §10.1).
fn plugin_rpath_from_host(c: &mut CaseBuild) -> Result<()> {
    let dep = c.host(
        Place::Stage,
        &format!("{}/libhostdep.so.1", dlhost_libdir(c)),
    );
    let a = chain_args(
        c,
        "plugin_entry",
        "hostdep_where",
        &[dep.to_string_lossy().into_owned()],
    );
    plugin(c, &a)
}

/// The plugin's own DT_RUNPATH finds its dependency.
fn plugin_runpath_own(c: &mut CaseBuild) -> Result<()> {
    let deps = c.t("deps");
    let dep = dep_lib(c, &deps, "own")?;
    let a = chain_args(c, "plugin_entry", "own_where", &[dep, runpath(&deps)]);
    plugin(c, &a)
}

/// Where dlopen_note's satisfied alternative lives: /usr/local/lib is in musl's default path
/// (MUSL_PATH) and in Debian's /etc/ld.so.conf.d/libc.conf, so ldconfig caches it.
const DLREC_LIB: &str = "/usr/local/lib/libdlrec.so.2";

/// `.note.dlopen` dependencies (dlopen_note/plugin_user.c), simulated as dlopen calls from the
/// declaring object: required libdlreq.so.1 exists nowhere (a problem); recommended
/// libdlrec.so.1 | libdlrec.so.2 is satisfied by the second alternative (DLREC_LIB); suggested
/// libz.so.1 is in the Debian roots only. Built as `libplugin_user.so` and as `main`, a program
/// linked against it; both are checked in the roots where the flavour's dlhost starts (see
/// plugin()), not in `cases`: a run that never calls dlopen cannot show what ldsim predicts.
fn dlopen_note(c: &mut CaseBuild) -> Result<()> {
    if c.fl == GLIBC {
        // One file for every root (the staging tree is shared): no libc, so musl loads it too.
        let a = vec![c.src("dlopen_note/dlrec.c"), "-nostdlib".into()];
        c.lib(Place::Stage, DLREC_LIB, "libdlrec.so.2", &a)?;
    }
    let so = c.t("libplugin_user.so");
    let lib = c.lib(
        Place::Stage,
        &so,
        "libplugin_user.so",
        &[c.src("dlopen_note/plugin_user.c")],
    )?;
    let main = c.t("main");
    let out = c.host(Place::Stage, &main);
    let dir = c.t("");
    let a = vec![
        c.src("dlopen_note/main.c"),
        lib,
        rpath(dir.trim_end_matches('/')),
    ];
    c.cc_with(c.fl.cc, &out, &a)?;
    let roots: Vec<String> = if c.fl == GLIBC {
        vec!["glibc".into()]
    } else {
        vec!["musl".into(), "gcompat".into()]
    };
    c.record_dlopen_note("dlopen_note/main", &main, roots.clone());
    c.record_dlopen_note("dlopen_note/libplugin_user.so", &so, roots);
    Ok(())
}

/// CPython extension modules in /t/py, imported by the Debian 12 root's python3 (dlopen with
/// RTLD_NOW; the Py* symbols come from the python3 executable): ldsimext loads, ldsimbroken
/// needs an absent library, ldsimundef calls a function nothing defines.
fn py_extension(c: &mut CaseBuild) -> Result<()> {
    let root = c
        .python_root()
        .context("py_extension needs the Debian 12 base root")?
        .to_path_buf();
    let absent = stub(c, "libldsim_py_absent.so.1")?;
    let modules: [(&str, Vec<String>); 3] = [
        ("ldsimext", vec![]),
        ("ldsimbroken", vec!["-Wl,--no-as-needed".into(), absent]),
        ("ldsimundef", vec!["-DNEEDS_NOWHERE".into()]),
    ];
    for (module, extra) in modules {
        let target = format!("/t/py/{module}.cpython-311-x86_64-linux-gnu.so");
        let out = c.host(Place::Stage, &target);
        let mut a = vec![
            "-shared".to_string(),
            "-fPIC".into(),
            "-O2".into(),
            format!("-I{}", root.join("usr/include/python3.11").display()),
            format!(
                "-I{}",
                root.join("usr/include/x86_64-linux-gnu/python3.11")
                    .display()
            ),
            format!("-DMODNAME={module}"),
            c.src("py_extension/ldsimext.c"),
        ];
        a.extend(extra);
        c.cc_with("gcc", &out, &a)?;
        c.plugins.push(ldsim_tests::manifest::PluginCase {
            name: format!("py_extension/{module}"),
            flavour: c.fl.name.to_string(),
            plugin: target,
            host: "/usr/bin/python3".into(),
            roots: vec!["glibc".into()],
            env: Default::default(),
            module: Some(module.to_string()),
        });
    }
    Ok(())
}
