//! Loader rules, each stated as a small root and the outcome the loaders' source gives.

use ldsim_loader::arch::Arch;

use super::{obj, Scenario, Summary};
use crate::report::{Mode, Problem, Verdict};

#[test]
fn scenario_example_from_the_module_doc() {
    let r = Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libA.so.1",
            obj().soname("libA.so.1").defines(["a"]),
        )
        .program(
            "/t/app",
            obj()
                .needs(["libA.so.1", "libB.so.1"])
                .calls(["a", "b"])
                .data(["d"]),
        )
        .check("/t/app");
    assert_eq!(r.mode, Mode::Run);
    assert_eq!(
        r.problem_kinds(),
        [
            "missing-library libB.so.1 (first)",
            "undefined-symbol d",
            "undefined-symbol b (lazy)"
        ]
    );
    assert_eq!(r.verdict, Verdict::Fails);
}

// glibc elf/dl-load.c: _dl_map_object (trace mode fakes a missing object, `l_faked`, and
// goes on); elf/dl-deps.c: _dl_map_object_deps (breadth-first); elf/dl-version.c:
// _dl_check_map_versions (a faked map's Verneed is skipped, not asserted).
#[test]
fn glibc_trace_mode_goes_on_after_a_missing_library() {
    let r = Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libA.so.1",
            obj()
                .soname("libA.so.1")
                .needs(["libC.so.1"])
                .defines(["a"]),
        )
        .lib(
            "/usr/lib/libB.so.1",
            obj().soname("libB.so.1").defines(["b@@B_1"]),
        )
        .program(
            "/t/app",
            obj()
                .needs(["libA.so.1", "libX.so.1", "libB.so.1"])
                .verneed("libX.so.1", ["X_1"])
                .verneed("libB.so.1", ["B_2"])
                .data(["a", "gone"]),
        )
        .check("/t/app");
    assert_eq!(
        r.problem_kinds(),
        [
            // Breadth-first: the program's own DT_NEEDED first, then libA's.
            "missing-library libX.so.1 (first)",
            "missing-library libC.so.1",
            // The loaded rest is still checked.
            "missing-version B_2 libB.so.1",
            "undefined-symbol gone",
        ]
    );
    assert_eq!(
        r.first_message(),
        Some("/t/app: error while loading shared libraries: libX.so.1: cannot open shared object file: No such file or directory")
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, Some(127));
}

// glibc elf/rtld.c: version_check_doit (a missing version ends start-up with _exit(1)) and
// elf/dl-lookup.c: _dl_lookup_symbol_x (`undefined symbol: X, version V` in trace mode).
#[test]
fn glibc_missing_version_is_first_and_its_symbols_are_listed_with_it() {
    let r = Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libA.so.1",
            obj().soname("libA.so.1").defines(["a@@A_1"]),
        )
        .program(
            "/t/app",
            obj()
                .needs(["libA.so.1"])
                .verneed("libA.so.1", ["A_2"])
                .calls(["a@A_2"]),
        )
        .check("/t/app");
    assert_eq!(
        r.problem_kinds(),
        [
            "missing-version A_2 libA.so.1 (first)",
            "undefined-symbol a version A_2 (lazy)"
        ]
    );
    assert_eq!(
        r.first_message(),
        Some("/t/app: /usr/lib/libA.so.1: version `A_2' not found (required by /t/app)")
    );
    assert_eq!(
        r.messages()[1],
        "/t/app: symbol lookup error: /t/app: undefined symbol: a, version A_2"
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, Some(1));
}

// glibc elf/dl-reloc.c: _dl_relocate_object (DT_REL(A) bound at start-up, DT_JMPREL lazily
// unless LD_BIND_NOW, elf/rtld.c: process_envvars) and elf/dl-runtime.c: _dl_fixup.
#[test]
fn glibc_real_run_first_problem_is_the_start_up_data_reference_not_the_list_order() {
    let root = Scenario::glibc("2.36")
        .lib("/usr/lib/libA.so.1", obj().soname("libA.so.1").calls(["f"]))
        .program("/t/app", obj().needs(["libA.so.1"]).data(["d"]))
        .lib(
            "/usr/lib/libcall.so.1",
            obj().soname("libcall.so.1").calls(["f"]),
        )
        .program("/t/calls", obj().needs(["libcall.so.1"]));
    // List mode relocates libA before the program, so `f` is listed first; the real run
    // dies at start-up on `d` and never calls `f`.
    let r = root.check("/t/app");
    assert_eq!(
        r.problem_kinds(),
        ["undefined-symbol f (lazy)", "undefined-symbol d (first)"]
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, Some(127));
    // Only the lazily bound call: the program starts and dies at the call.
    let r = root.check("/t/calls");
    assert_eq!(r.problem_kinds(), ["undefined-symbol f (lazy, first)"]);
    assert_eq!(r.verdict, Verdict::FailsOnCall);
    assert_eq!(r.exit_status, None);
    // LD_BIND_NOW: the call is bound at start-up.
    let r = root.clone().bind_now().check("/t/calls");
    assert_eq!(r.problem_kinds(), ["undefined-symbol f (first)"]);
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, Some(127));
    assert_eq!(
        r.first_message(),
        Some("/t/calls: symbol lookup error: /usr/lib/libcall.so.1: undefined symbol: f")
    );
}

// glibc elf/rtld.c: dl_main relocates the search list last-loaded first; since 2.39
// libc.so.6 is relocated before everything else (commit 78ca44da01, bug 31083).
#[test]
fn glibc_2_39_relocates_libc_first() {
    let root = |release| {
        Scenario::glibc(release)
            .lib(
                "/usr/lib/libc.so.6",
                obj().soname("libc.so.6").defines(["puts"]).data(["y"]),
            )
            .lib("/usr/lib/libA.so.1", obj().soname("libA.so.1").data(["x"]))
            .program("/t/app", obj().needs(["libc.so.6", "libA.so.1"]))
    };
    let r = root("2.38").check("/t/app");
    assert_eq!(
        r.problem_kinds(),
        ["undefined-symbol x (first)", "undefined-symbol y"]
    );
    let r = root("2.39").check("/t/app");
    assert_eq!(
        r.problem_kinds(),
        ["undefined-symbol x", "undefined-symbol y (first)"]
    );
    assert_eq!(
        r.first_message(),
        Some("/t/app: symbol lookup error: /usr/lib/libc.so.6: undefined symbol: y")
    );
}

// glibc dlfcn/dlerror.c: dlerror (`OBJNAME: ERRSTRING`); a shared object on its own is the
// main map of a trace run (elf/rtld.c: dl_main, `ldd -r`).
#[test]
fn glibc_shared_object_is_listed_in_list_mode_wording() {
    let r = Scenario::glibc("2.36")
        .lib(
            "/t/lib.so",
            obj().soname("lib.so").needs(["libX.so.1"]).calls(["f"]),
        )
        .check("/t/lib.so");
    assert_eq!(r.mode, Mode::List);
    assert_eq!(
        r.problem_kinds(),
        ["missing-library libX.so.1 (first)", "undefined-symbol f"]
    );
    assert_eq!(
        r.messages(),
        ["libX.so.1 => not found", "undefined symbol: f\t(/t/lib.so)"]
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, None);
}

/// A host program and plugins, for the `--loaded-by` rules.
fn host_root() -> Scenario {
    Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libhost.so.1",
            obj().soname("libhost.so.1").defines(["host_lib_fn"]),
        )
        .lib(
            "/opt/host/lib/libdep.so.1",
            obj().soname("libdep.so.1").defines(["dep"]),
        )
        .lib(
            "/opt/host/libshared.so",
            obj().soname("libshared.so.1").defines(["shared"]),
        )
        .lib(
            "/usr/lib/libshared.so.1",
            obj().soname("libshared.so.1").defines(["other_shared"]),
        )
        .program(
            "/usr/bin/host",
            obj()
                .needs(["libhost.so.1", "/opt/host/libshared.so"])
                .rpath("/opt/host/lib")
                .defines(["host_api"]),
        )
}

// glibc elf/dl-open.c: dl_open_worker (the plugin's symbols bound in the global scope, which
// holds the host program's exports).
#[test]
fn glibc_dlopen_plugin_using_host_exports_loads() {
    let r = host_root()
        .lib(
            "/t/plug.so",
            obj().calls(["host_api", "host_lib_fn"]).data(["shared"]),
        )
        .check_loaded_by("/t/plug.so", "/usr/bin/host");
    assert_eq!(r.mode, Mode::Dlopen);
    assert_eq!(r.problem_kinds(), Vec::<String>::new());
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(r.exit_status, None);
    assert_eq!(
        r.loaded_by.as_ref().map(|l| l.program.as_str()),
        Some("/usr/bin/host")
    );
}

// glibc elf/dl-load.c: _dl_map_object (DT_RPATH of the loader chain, `l_loader`, up to the
// main program, unless the requesting object has DT_RUNPATH).
#[test]
fn glibc_dlopen_plugin_dependency_found_through_the_host_rpath() {
    let r = host_root()
        .lib("/t/plug.so", obj().needs(["libdep.so.1"]).calls(["dep"]))
        .check_loaded_by("/t/plug.so", "/usr/bin/host");
    assert_eq!(r.problem_kinds(), Vec::<String>::new());
    assert_eq!(r.verdict, Verdict::Ok);
    let dep = r.objects.iter().find(|o| o.needed == "libdep.so.1");
    assert_eq!(
        dep.map(|o| o.path.as_str()),
        Some("/opt/host/lib/libdep.so.1")
    );
}

// glibc elf/dl-load.c: _dl_map_object (the requesting object's own DT_RUNPATH).
#[test]
fn glibc_dlopen_plugin_dependency_found_through_its_own_runpath() {
    let r = host_root()
        .lib(
            "/opt/plug/lib/libpdep.so.1",
            obj().soname("libpdep.so.1").defines(["pdep"]),
        )
        .lib(
            "/t/plug.so",
            obj()
                .needs(["libpdep.so.1"])
                .runpath("/opt/plug/lib")
                .calls(["pdep"]),
        )
        .check_loaded_by("/t/plug.so", "/usr/bin/host");
    assert_eq!(r.problem_kinds(), Vec::<String>::new());
    assert_eq!(r.verdict, Verdict::Ok);
    let dep = r.objects.iter().find(|o| o.needed == "libpdep.so.1");
    assert_eq!(
        dep.map(|o| o.path.as_str()),
        Some("/opt/plug/lib/libpdep.so.1")
    );
}

// glibc dlfcn/dlerror.c: dlerror; elf/dl-load.c: _dl_map_object ("cannot open shared object
// file"); a failed dlopen ends nothing but the call.
#[test]
fn glibc_dlopen_plugin_needing_a_missing_library_fails_with_dlerror() {
    let r = host_root()
        .lib("/t/plug.so", obj().needs(["libnope.so.1"]))
        .check_loaded_by("/t/plug.so", "/usr/bin/host");
    assert_eq!(r.problem_kinds(), ["missing-library libnope.so.1 (first)"]);
    assert_eq!(
        r.first_message(),
        Some("libnope.so.1: cannot open shared object file: No such file or directory")
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, None);
}

// elf/rtld.c: dl_main — a host that cannot start never calls dlopen: its own start-up
// problem decides.
#[test]
fn glibc_dlopen_host_problems_are_the_host_s() {
    let r = Scenario::glibc("2.36")
        .program("/usr/bin/host", obj().needs(["libgone.so.1"]))
        .lib("/t/plug.so", obj())
        .check_loaded_by("/t/plug.so", "/usr/bin/host");
    assert_eq!(
        r.host_problem_kinds(),
        ["missing-library libgone.so.1 (first)"]
    );
    assert_eq!(r.problem_kinds(), Vec::<String>::new());
    assert_eq!(r.verdict, Verdict::Fails);
    // The host's own run: ld.so's fatal error exits 127.
    assert_eq!(r.exit_status, Some(127));
}

// glibc elf/dl-load.c: _dl_map_object (an already loaded object matches a request by its
// names or its DT_SONAME: the host's copy is reused, no search).
#[test]
fn glibc_dlopen_reuses_an_object_the_host_loaded_by_soname() {
    let r = host_root()
        .lib(
            "/t/plug.so",
            obj().needs(["libshared.so.1"]).calls(["shared"]),
        )
        .check_loaded_by("/t/plug.so", "/usr/bin/host");
    assert_eq!(r.problem_kinds(), Vec::<String>::new());
    let shared = r.objects.iter().find(|o| o.needed.contains("libshared"));
    assert_eq!(
        shared.map(|o| o.path.as_str()),
        Some("/opt/host/libshared.so")
    );
}

// musl ldso/dynlink.c: load_deps and do_relocs call error(), which at start-up only sets
// ldso_fail and goes on; __dls3 exits 127 after relocating everything.
#[test]
fn musl_reports_every_missing_library_and_every_undefined_symbol() {
    let r = Scenario::musl("1.2.5")
        .loader_defines(["puts"])
        .lib("/usr/lib/libC.so.1", obj().soname("libC.so.1"))
        .program(
            "/t/app",
            obj()
                .needs(["libA.so.1", "libB.so.1", "libC.so.1", "libc.so"])
                .calls(["puts", "f"])
                .data(["g"]),
        )
        .check("/t/app");
    assert_eq!(
        r.problem_kinds(),
        [
            "missing-library libA.so.1 (first)",
            "missing-library libB.so.1",
            // DT_JMPREL is relocated before DT_REL/DT_RELA (ldso/dynlink.c: reloc_all).
            "undefined-symbol f",
            "undefined-symbol g",
        ]
    );
    assert_eq!(
        r.first_message(),
        Some(
            "Error loading shared library libA.so.1: No such file or directory (needed by /t/app)"
        )
    );
    assert_eq!(
        r.messages()[3],
        "Error relocating /t/app: g: symbol not found"
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, Some(127));
}

// musl ldso/dynlink.c: dlopen (load_library, load_deps, then do_relocs of the new objects in
// the global chain, which holds the host program).
#[test]
fn musl_dlopen_plugin_from_a_musl_host() {
    let root = Scenario::musl("1.2.5")
        .loader_defines(["puts"])
        .lib(
            "/usr/lib/libdep.so.1",
            obj().soname("libdep.so.1").defines(["dep"]),
        )
        .program(
            "/usr/bin/host",
            obj().needs(["libc.so"]).defines(["host_api"]),
        )
        .lib(
            "/t/plug.so",
            obj()
                .needs(["libdep.so.1", "libc.so"])
                .calls(["host_api", "dep", "puts"]),
        )
        .lib("/t/bad.so", obj().needs(["libnope.so.1"]));
    let r = root.check_loaded_by("/t/plug.so", "/usr/bin/host");
    assert_eq!(r.mode, Mode::Dlopen);
    assert_eq!(r.problem_kinds(), Vec::<String>::new());
    assert_eq!(r.verdict, Verdict::Ok);
    let r = root.check_loaded_by("/t/bad.so", "/usr/bin/host");
    assert_eq!(r.problem_kinds(), ["missing-library libnope.so.1 (first)"]);
    assert_eq!(
        r.first_message(),
        Some("Error loading shared library libnope.so.1: No such file or directory (needed by /t/bad.so)")
    );
    assert_eq!(r.verdict, Verdict::Fails);
}

// CPython Python/importdl.c: _PyImport_LoadDynamicModule (PyInit_<name>); the interpreter
// provides Py* symbols to its extension modules.
#[test]
fn plugin_symbols_expected_from_an_absent_host_are_not_problems() {
    let root = Scenario::glibc("2.36")
        .lib(
            "/t/x.so",
            obj()
                .defines(["PyInit_x"])
                .calls(["PyLong_FromLong"])
                .data(["_Py_NoneStruct"]),
        )
        .lib(
            "/t/y.so",
            obj()
                .defines(["PyInit_y"])
                .calls(["PyLong_FromLong", "missing_c"]),
        );
    let r = root.check("/t/x.so");
    assert_eq!(r.mode, Mode::List);
    let plugin = r.plugin.as_ref().expect("recognised as a CPython module");
    assert_eq!(plugin.host, "cpython");
    assert_eq!(
        plugin.expected_from_host,
        ["PyLong_FromLong", "_Py_NoneStruct"]
    );
    assert_eq!(r.problem_kinds(), Vec::<String>::new());
    assert_eq!(r.verdict, Verdict::Ok);
    // The verdict rests on the rest.
    let r = root.check("/t/y.so");
    assert_eq!(
        r.plugin.as_ref().map(|p| p.expected_from_host.clone()),
        Some(vec!["PyLong_FromLong".to_owned()])
    );
    assert_eq!(r.problem_kinds(), ["undefined-symbol missing_c (first)"]);
    assert_eq!(r.verdict, Verdict::Fails);
}

// Linux fs/binfmt_elf.c: load_elf_binary (elf_check_arch fails with ENOEXEC before the
// interpreter is looked at).
#[test]
fn kernel_rejects_a_foreign_machine_before_looking_for_its_interpreter() {
    let r = Scenario::glibc("2.36")
        .arch(Arch::Aarch64)
        .no_sh()
        .program(
            "/t/app",
            obj()
                .arch(Arch::X86_64)
                .interp("/lib64/ld-linux-x86-64.so.2"),
        )
        .check("/t/app");
    assert_eq!(r.problem_kinds(), ["wrong-machine x86-64 (first)"]);
    assert!(
        matches!(r.first_problem(), Some(Problem::WrongMachine { expected, .. }) if expected == "aarch64"),
        "{:?}",
        r.first_problem()
    );
    assert_eq!(
        r.first_message(),
        Some("sh: /t/app: cannot execute binary file: Exec format error")
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, Some(126));
}

// glibc elf/dl-lookup.c: _dl_lookup_symbol_x (an undefined weak reference resolves to 0)
// and elf/get-dynamic-info.h (DF_BIND_NOW: every relocation of that object at start-up).
#[test]
fn glibc_weak_references_are_no_problem_and_bind_now_objects_bind_calls_at_start_up() {
    let r = Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libA.so.1",
            obj().soname("libA.so.1").bind_now().calls(["f"]),
        )
        .program("/t/app", obj().needs(["libA.so.1"]).weak(["w"]))
        .check("/t/app");
    assert_eq!(r.problem_kinds(), ["undefined-symbol f (first)"]);
    assert_eq!(r.verdict, Verdict::Fails);
}

// glibc elf/dl-version.c: match_symbol (a VER_FLG_WEAK requirement that is missing is only
// reported; a marker version with no symbol satisfies a requirement).
#[test]
fn glibc_marker_versions_satisfy_and_weak_versions_do_not_stop_the_run() {
    let r = Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libA.so.1",
            obj().soname("libA.so.1").versions(["A_1"]).defines(["a"]),
        )
        .program(
            "/t/app",
            obj()
                .needs(["libA.so.1"])
                .verneed("libA.so.1", ["A_1", "A_2?"])
                .calls(["a"]),
        )
        .check("/t/app");
    assert_eq!(r.problem_kinds(), ["missing-version A_2 libA.so.1 (weak)"]);
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(r.exit_status, None);
}

// glibc elf/dl-load.c: _dl_map_object (LD_LIBRARY_PATH before the system directories;
// symlinks followed, the object named by the path it was opened as).
#[test]
fn glibc_ld_library_path_comes_before_the_system_dirs_through_symlinks() {
    let r = Scenario::glibc("2.36")
        .system_dirs(["/usr/lib"])
        .lib(
            "/usr/lib/libA.so.1.0",
            obj().soname("libA.so.1").defines(["a"]),
        )
        .symlink("/usr/lib/libA.so.1", "libA.so.1.0")
        .lib(
            "/opt/l/libA.so.1.5",
            obj().soname("libA.so.1").defines(["a"]),
        )
        .symlink("/opt/l/libA.so.1", "libA.so.1.5")
        .program("/t/app", obj().needs(["libA.so.1"]).calls(["a"]));
    let r1 = r.check("/t/app");
    assert_eq!(
        r1.objects.first().map(|o| o.path.as_str()),
        Some("/usr/lib/libA.so.1")
    );
    let r2 = r.ld_library_path("/opt/l").check("/t/app");
    assert_eq!(
        r2.objects.first().map(|o| (o.path.as_str(), o.via)),
        Some(("/opt/l/libA.so.1", crate::report::Via::LdLibraryPath))
    );
    assert_eq!(r2.verdict, Verdict::Ok);
}

// glibc elf/dl-load.c: _dl_map_object_from_fd ("cannot dynamically load executable", a hard
// error that ends even a trace run).
#[test]
fn glibc_an_executable_as_a_library_is_a_bad_library() {
    let r = Scenario::glibc("2.36")
        .lib("/usr/lib/libA.so.1", obj().soname("libA.so.1").exec())
        .program("/t/app", obj().needs(["libA.so.1"]))
        .check("/t/app");
    assert_eq!(r.problem_kinds(), ["bad-library libA.so.1 (first)"]);
    assert_eq!(
        r.first_message(),
        Some("/t/app: error while loading shared libraries: libA.so.1: cannot dynamically load executable")
    );
}

// Linux fs/binfmt_elf.c: load_elf_binary (no PT_INTERP: the kernel runs it; an absent
// interpreter is ENOENT, worded by the shell).
#[test]
fn kernel_static_pie_runs_without_a_loader_and_a_missing_interpreter_is_enoent() {
    let root = Scenario::no_loader()
        .program("/t/static", obj().no_interp())
        .program("/t/dyn", obj().interp("/lib64/ld-linux-x86-64.so.2"));
    let r = root.check("/t/static");
    assert_eq!(r.mode, Mode::Static);
    assert_eq!(r.verdict, Verdict::Ok);
    let r = root.check("/t/dyn");
    assert_eq!(
        r.problem_kinds(),
        ["missing-interpreter /lib64/ld-linux-x86-64.so.2 (first)"]
    );
    assert_eq!(r.first_message(), Some("sh: /t/dyn: not found"));
    assert_eq!(r.exit_status, Some(127));
}

// Linux fs/binfmt_elf.c: load_elf_binary runs only ET_EXEC and ET_DYN (ENOEXEC otherwise), and
// neither loader maps anything else: a relocatable object or a core dump is never `ok`.
#[test]
fn kernel_refuses_a_relocatable_object() {
    let root = Scenario::glibc("2.36").lib("/t/f.o", obj().e_type(1).no_interp());
    let r = root.check("/t/f.o");
    assert_eq!(
        r.problem_kinds(),
        ["not-loadable a relocatable object (ET_REL) (first)"]
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, Some(126));
}

// Node-API addons are loaded by node (src/node_api.cc: napi_module_register_by_symbol looks up
// napi_register_module_v1); the napi_*/uv_* symbols come from the node binary. With node in
// the target it is the host, automatically; without it they are expected from it.
#[test]
fn node_addons_are_loaded_by_node_or_expect_its_symbols() {
    let addon = || {
        obj().defines(["napi_register_module_v1"]).calls([
            "napi_create_function",
            "uv_default_loop",
            "missing_c",
        ])
    };
    let without = Scenario::glibc("2.36").lib("/t/addon.node", addon());
    let r = without.check("/t/addon.node");
    let plugin = r.plugin.as_ref().expect("recognised as a Node-API addon");
    assert_eq!(plugin.host, "node");
    assert_eq!(
        plugin.expected_from_host,
        ["napi_create_function", "uv_default_loop"]
    );
    assert_eq!(r.problem_kinds(), ["undefined-symbol missing_c (first)"]);

    let with = Scenario::glibc("2.36")
        .program(
            "/usr/bin/node",
            obj().defines(["napi_create_function", "uv_default_loop", "missing_c"]),
        )
        .lib("/t/addon.node", addon());
    let r = with.check("/t/addon.node");
    assert_eq!(r.mode, Mode::Dlopen);
    let host = r.loaded_by.as_ref().expect("node is the host");
    assert_eq!(
        (host.program.as_str(), host.automatic),
        ("/usr/bin/node", true)
    );
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", r.problem_kinds());
}

// JNI libraries get the JVM's function table as an argument (JNI_OnLoad(JavaVM *, …)), so
// they need no symbol of the JVM: recognised, nothing expected, the verdict is the rest.
#[test]
fn jni_libraries_are_recognised_and_need_nothing_of_the_jvm() {
    let r = Scenario::glibc("2.36")
        .lib(
            "/t/libnative.so",
            obj()
                .defines(["JNI_OnLoad", "Java_org_x_Native_run"])
                .calls(["gone"]),
        )
        .check("/t/libnative.so");
    let plugin = r.plugin.as_ref().expect("recognised as a JNI library");
    assert_eq!(plugin.host, "jni");
    assert!(plugin.expected_from_host.is_empty());
    assert_eq!(r.problem_kinds(), ["undefined-symbol gone (first)"]);
}

// glibc >= 2.33 sysdeps/aarch64/dl-machine.h: elf_machine_lazy_rel resolves a JUMP_SLOT of a
// STO_AARCH64_VARIANT_PCS symbol in an object with DT_AARCH64_VARIANT_PCS at start-up (the
// 2.30 code only became effective with BZ #26798 in 2.33); other calls stay lazy. riscv's
// DT_RISCV_VARIANT_CC has no such rule (glibc 2.41 observed under qemu).
#[test]
fn glibc_aarch64_variant_pcs_call_is_bound_at_start_up_since_2_33() {
    let root = |release: &str, arch: Arch| {
        Scenario::glibc(release)
            .arch(arch)
            .lib("/usr/lib/libV.so.1", obj().soname("libV.so.1"))
            .program(
                "/t/app",
                obj().needs(["libV.so.1"]).calls(["f"]).variant_calls(["v"]),
            )
            .check("/t/app")
    };
    let r = root("2.36", Arch::Aarch64);
    assert_eq!(
        r.problem_kinds(),
        ["undefined-symbol f (lazy)", "undefined-symbol v (first)"]
    );
    assert_eq!(r.verdict, Verdict::Fails);
    assert_eq!(r.exit_status, Some(127));
    // 2.32: the variant PCS call was still bound lazily; f comes first in DT_JMPREL.
    let r = root("2.32", Arch::Aarch64);
    assert_eq!(
        r.problem_kinds(),
        [
            "undefined-symbol f (lazy, first)",
            "undefined-symbol v (lazy)"
        ]
    );
    assert_eq!(r.verdict, Verdict::FailsOnCall);
    // riscv64: the variant CC call is lazy in every release.
    let r = root("2.41", Arch::Riscv64);
    assert_eq!(r.verdict, Verdict::FailsOnCall);
    assert!(r.problem_kinds().iter().all(|k| k.contains("lazy")));
}

// Loading and binding cost the edges of the dependency graph, not their square or cube: a
// chain of 5,000 libraries, each needing the next and calling into it, took 15 s (the RPATH
// chain walked per search, every loaded object compared per request, every scope entry
// hashed per lookup). The bound is generous (the old code needed minutes in a debug build);
// `cargo xtask bench`-style figures are in the notes, not here.
#[test]
fn a_chain_of_5000_libraries_costs_its_length() {
    let n = 5000;
    let mut s = Scenario::glibc("2.36");
    for i in 0..n {
        let mut o = obj()
            .soname(&format!("lib{i}.so"))
            .defines([format!("f{i}").as_str()]);
        if i % 1000 == 0 {
            // Some DT_RPATHs on the way, searched by every library below them.
            o = o.rpath("/opt/none");
        }
        if i + 1 < n {
            o = o
                .needs([format!("lib{}.so", i + 1).as_str()])
                .calls([format!("f{}", i + 1).as_str()]);
        }
        s = s.lib(&format!("/usr/lib/lib{i}.so"), o);
    }
    s = s.program(
        "/t/app",
        obj().needs(["lib0.so", "lib4999.so"]).calls(["f0"]),
    );
    let started = std::time::Instant::now();
    let r = s.check("/t/app");
    let took = started.elapsed();
    assert_eq!(r.problem_kinds(), Vec::<String>::new());
    assert_eq!(r.objects.len(), n, "every library");
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
}

// What binding remembers of a library (store.rs: Bound) holds only in a scope holding every
// object that defined its references: a program defining a symbol a library calls does not
// vouch for that library in a program that does not.
#[test]
fn a_library_bound_once_is_bound_again_where_its_definers_are_missing() {
    let s = Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libplug.so",
            obj().soname("libplug.so").calls(["host_fn"]).bind_now(),
        )
        .program("/t/host", obj().needs(["libplug.so"]).defines(["host_fn"]))
        .program("/t/other", obj().needs(["libplug.so"]));
    let reports = s.check_all(&["/t/host", "/t/other", "/t/host", "/t/other"]);
    let kinds: Vec<Vec<String>> = reports.iter().map(|r| r.problem_kinds()).collect();
    assert_eq!(
        kinds,
        [
            vec![],
            vec!["undefined-symbol host_fn (first)".to_owned()],
            vec![],
            vec!["undefined-symbol host_fn (first)".to_owned()],
        ]
    );
}

// A library bound where a symbol it calls is missing is remembered with what it searched:
// in a later scope only the objects it did not search are searched for that symbol, and an
// object new there (here the main program) defines it; its other references, defined by its
// own dependency then, are defined again.
#[test]
fn a_symbol_missing_where_a_library_was_bound_is_found_in_a_new_object() {
    let s = Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libdep.so",
            obj().soname("libdep.so").defines(["dep_fn"]),
        )
        .lib(
            "/usr/lib/libplug.so",
            obj()
                .soname("libplug.so")
                .needs(["libdep.so"])
                .calls(["dep_fn", "host_fn", "other_fn"])
                .bind_now(),
        )
        .program("/t/bare", obj().needs(["libplug.so"]))
        .program("/t/host", obj().needs(["libplug.so"]).defines(["host_fn"]))
        .program(
            "/t/both",
            obj().needs(["libplug.so"]).defines(["host_fn", "other_fn"]),
        );
    let reports = s.check_all(&["/t/bare", "/t/host", "/t/both", "/t/bare", "/t/host"]);
    let kinds: Vec<Vec<String>> = reports.iter().map(|r| r.problem_kinds()).collect();
    let (host_first, other, other_first) = (
        "undefined-symbol host_fn (first)".to_owned(),
        "undefined-symbol other_fn".to_owned(),
        "undefined-symbol other_fn (first)".to_owned(),
    );
    assert_eq!(
        kinds,
        [
            vec![host_first.clone(), other.clone()],
            vec![other_first.clone()],
            vec![],
            vec![host_first, other],
            vec![other_first],
        ]
    );
}

/// One search-order rule: where `libA.so.1` exists, what the program says, what the loader
/// finds (`None`: missing).
struct SearchCase {
    rule: &'static str,
    musl: bool,
    rpath: Option<&'static str>,
    runpath: Option<&'static str>,
    ld_library_path: Option<&'static str>,
    copies_in: &'static [&'static str],
    found_in: Option<&'static str>,
}

// glibc elf/dl-load.c: _dl_map_object (DT_RPATH of the loader chain unless the object has
// DT_RUNPATH, then LD_LIBRARY_PATH, then DT_RUNPATH, then the system directories); musl
// ldso/dynlink.c: load_library (LD_LIBRARY_PATH, then the object's DT_RUNPATH or else
// DT_RPATH, then the system path).
const SEARCH_ORDER: &[SearchCase] = &[
    SearchCase {
        rule: "glibc: no search path set: the system directories",
        musl: false,
        rpath: None,
        runpath: None,
        ld_library_path: None,
        copies_in: &["/usr/lib"],
        found_in: Some("/usr/lib"),
    },
    SearchCase {
        rule: "glibc: DT_RPATH before LD_LIBRARY_PATH",
        musl: false,
        rpath: Some("/r"),
        runpath: None,
        ld_library_path: Some("/l"),
        copies_in: &["/r", "/l", "/usr/lib"],
        found_in: Some("/r"),
    },
    SearchCase {
        rule: "glibc: LD_LIBRARY_PATH before DT_RUNPATH",
        musl: false,
        rpath: None,
        runpath: Some("/u"),
        ld_library_path: Some("/l"),
        copies_in: &["/u", "/l", "/usr/lib"],
        found_in: Some("/l"),
    },
    SearchCase {
        rule: "glibc: DT_RUNPATH before the system directories",
        musl: false,
        rpath: None,
        runpath: Some("/u"),
        ld_library_path: None,
        copies_in: &["/u", "/usr/lib"],
        found_in: Some("/u"),
    },
    SearchCase {
        rule: "glibc: DT_RUNPATH makes the object's DT_RPATH ignored",
        musl: false,
        rpath: Some("/r"),
        runpath: Some("/u"),
        ld_library_path: None,
        copies_in: &["/r"],
        found_in: None,
    },
    SearchCase {
        rule: "glibc: LD_LIBRARY_PATH before the system directories",
        musl: false,
        rpath: None,
        runpath: None,
        ld_library_path: Some("/l"),
        copies_in: &["/l", "/usr/lib"],
        found_in: Some("/l"),
    },
    SearchCase {
        rule: "musl: LD_LIBRARY_PATH before DT_RPATH",
        musl: true,
        rpath: Some("/r"),
        runpath: None,
        ld_library_path: Some("/l"),
        copies_in: &["/r", "/l"],
        found_in: Some("/l"),
    },
    SearchCase {
        rule: "musl: DT_RPATH before the system path",
        musl: true,
        rpath: Some("/r"),
        runpath: None,
        ld_library_path: None,
        copies_in: &["/r", "/lib"],
        found_in: Some("/r"),
    },
    SearchCase {
        rule: "musl: DT_RUNPATH like DT_RPATH, before the system path",
        musl: true,
        rpath: None,
        runpath: Some("/u"),
        ld_library_path: None,
        copies_in: &["/u", "/lib"],
        found_in: Some("/u"),
    },
    SearchCase {
        rule: "musl: the system path in order",
        musl: true,
        rpath: None,
        runpath: None,
        ld_library_path: None,
        copies_in: &["/usr/lib", "/lib"],
        found_in: Some("/lib"),
    },
];

#[test]
fn search_order_rules() {
    for case in SEARCH_ORDER {
        let mut s = if case.musl {
            Scenario::musl("1.2.3")
        } else {
            Scenario::glibc("2.36").system_dirs(["/lib", "/usr/lib"])
        };
        for dir in case.copies_in {
            s = s.lib(
                &format!("{dir}/libA.so.1"),
                obj().soname("libA.so.1").defines(["a"]),
            );
        }
        let mut program = obj().needs(["libA.so.1"]).calls(["a"]);
        if let Some(rpath) = case.rpath {
            program = program.rpath(rpath);
        }
        if let Some(runpath) = case.runpath {
            program = program.runpath(runpath);
        }
        if let Some(list) = case.ld_library_path {
            s = s.ld_library_path(list);
        }
        let r = s.program("/t/app", program).check("/t/app");
        let found = r
            .objects
            .iter()
            .find(|o| o.needed == "libA.so.1")
            .map(|o| o.path.clone());
        let expected = case.found_in.map(|dir| format!("{dir}/libA.so.1"));
        assert_eq!(found, expected, "{}", case.rule);
        let missing = r.problem_kinds().iter().any(|k| k.contains("libA.so.1"));
        assert_eq!(missing, case.found_in.is_none(), "{}", case.rule);
    }
}
