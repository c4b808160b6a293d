//! The kernel stage of a run (Linux fs/binfmt_elf.c: load_elf_binary): does the target's
//! kernel accept the file's machine and class, and can it open the interpreter? Failures are
//! reported in the words of the target's shell, which is what the user sees.

use ldsim_loader::arch::{arch_of, machine_name, Arch};
use ldsim_loader::Class;

use crate::graph::lossy;
use crate::loader_config::InterpFailure;
use crate::report::Problem;
use crate::store::{Opened, Store};

/// The target's own architecture: its shell's, else its loader's or libc's when it has no
/// shell (a distroless or scratch image). None when the root holds none of them.
pub(crate) fn native_arch(store: &Store<'_>) -> Option<(Arch, Class)> {
    let elf_at = |path: &[u8]| match store.open(path) {
        Ok(Opened::Elf { parsed, .. }) => {
            arch_of(&parsed.object.header).map(|a| (a, parsed.object.header.class))
        }
        _ => None,
    };
    if let Some(found) = elf_at(b"/bin/sh") {
        return Some(found);
    }
    // The 64-bit ABI of a multilib root comes first in Arch::ALL, so it wins over its
    // 32-bit compat loader.
    Arch::ALL.iter().find_map(|&arch| {
        let info = arch.info();
        let musl = format!("/lib/ld-musl-{}.so.1", info.musl_arch);
        let libc = format!("/lib/{}/libc.so.6", info.multiarch);
        let found = info
            .glibc_interpreters
            .iter()
            .map(|s| s.as_bytes())
            .chain([musl.as_bytes(), libc.as_bytes()])
            .find_map(|path| elf_at(path).filter(|(a, _)| *a == arch));
        found
    })
}

/// elf_check_arch against the target's architecture (a 64-bit kernel also runs its 32-bit
/// compat ABI). `None` = accepted, or nothing tells what the target runs.
pub(crate) fn accepts(
    store: &Store<'_>,
    display: &str,
    arch: Arch,
    class: Class,
) -> Option<Problem> {
    let (native, native_class) = native_arch(store)?;
    if native == arch || compat_of(native).contains(&arch) {
        return None;
    }
    let native_name = native.info().name;
    if native.elf_identity().0 == arch.elf_identity().0 {
        let found = class.glibc_name().to_string();
        return Some(Problem::WrongClass {
            object: display.to_string(),
            expected: native_class.glibc_name().to_string(),
            message: format!(
                "{}: cannot execute binary file: Exec format error",
                shell_prefix(store, display)
            ),
            reason: format!(
                "the file is {found} but the target ({native_name}) cannot run that class"
            ),
            found,
        });
    }
    Some(wrong_machine(
        display,
        arch.elf_identity().0,
        Some((native_name, store)),
    ))
}

/// Only ET_EXEC and ET_DYN are run by the kernel (fs/binfmt_elf.c: load_elf_binary,
/// `elf_ex->e_type != ET_EXEC && elf_ex->e_type != ET_DYN` → ENOEXEC) or mapped by a loader.
pub(crate) fn loadable_type(store: &Store<'_>, display: &str, e_type: u16) -> Option<Problem> {
    let found = match e_type {
        ldsim_loader::ET_EXEC | ldsim_loader::ET_DYN => return None,
        1 => "a relocatable object (ET_REL)".to_owned(),
        4 => "a core dump (ET_CORE)".to_owned(),
        n => format!("an ELF file of type {n}"),
    };
    Some(Problem::NotLoadable {
        object: display.to_string(),
        message: format!(
            "{}: cannot execute binary file: Exec format error",
            shell_prefix(store, display)
        ),
        reason: format!("the file is {found}: neither the kernel nor a loader runs it; link it into a program or shared object first"),
        found,
    })
}

/// A PT_INTERP the kernel refuses before it opens anything (fs/binfmt_elf.c: load_elf_binary:
/// `p_filesz > PATH_MAX || p_filesz < 2` or a last byte that is not NUL → ENOEXEC; a segment
/// past the end of the file reads short → EIO).
pub(crate) fn invalid_interp(
    store: &Store<'_>,
    display: &str,
    obj: &ldsim_loader::ElfObject,
) -> Option<Problem> {
    let err = obj.interpreter_invalid?;
    let shell = shell_prefix(store, display);
    let message = match err {
        ldsim_loader::InterpError::PastEnd => format!("{shell}: Input/output error"),
        _ => format!("{shell}: cannot execute binary file: Exec format error"),
    };
    Some(Problem::NotLoadable {
        object: display.to_string(),
        message,
        reason: format!(
            "the kernel refuses the file's PT_INTERP ({err}); execve fails with {}",
            err.errno_name()
        ),
        found: format!("an invalid PT_INTERP ({err})"),
    })
}

/// The kernel cannot run this machine at all (ENOEXEC).
pub(crate) fn wrong_machine(
    display: &str,
    machine: u16,
    native: Option<(&str, &Store<'_>)>,
) -> Problem {
    let found = machine_name(machine);
    let (expected, sh) = match native {
        Some((name, store)) => (name.to_string(), shell_prefix(store, display)),
        None => (
            "a supported architecture".to_string(),
            format!("sh: {display}"),
        ),
    };
    Problem::WrongMachine {
        object: display.to_string(),
        message: format!("{sh}: cannot execute binary file: Exec format error"),
        reason: format!(
            "the file is for {found}, the target is {expected}; execve fails with ENOEXEC"
        ),
        expected,
        found,
    }
}

/// The interpreter named by PT_INTERP cannot run the program (ENOENT or ELIBBAD).
pub(crate) fn interpreter_problem(
    store: &Store<'_>,
    display: &str,
    interp: &[u8],
    failure: &InterpFailure,
) -> Problem {
    let interp_s = lossy(interp);
    let sh = shell_prefix(store, display);
    match failure {
        InterpFailure::Missing(err) => Problem::MissingInterpreter {
            interpreter: interp_s.clone(),
            message: shell_enoent(store, display),
            reason: format!("the ELF interpreter {interp_s} is not in the target ({err}); the kernel's execve fails with ENOENT"),
        },
        InterpFailure::Corrupt(err) => Problem::MissingInterpreter {
            interpreter: interp_s.clone(),
            message: format!("{sh}: Accessing a corrupted shared library"),
            reason: format!("the ELF interpreter {interp_s} cannot run this file ({err}); execve fails with ELIBBAD"),
        },
        InterpFailure::Unknown => Problem::MissingInterpreter {
            interpreter: interp_s.clone(),
            message: format!("{sh}: Accessing a corrupted shared library"),
            reason: format!("{interp_s} is neither glibc's nor musl's loader; ldsim cannot simulate it"),
        },
    }
}

/// 32-bit ABIs a 64-bit kernel of this architecture runs.
fn compat_of(native: Arch) -> &'static [Arch] {
    match native {
        Arch::X86_64 => &[Arch::I386],
        Arch::Aarch64 => &[Arch::ArmHf, Arch::ArmEl],
        _ => &[],
    }
}

/// The target's shell wording: bash when the root has it, busybox/dash style otherwise.
fn has_bash(store: &Store<'_>) -> bool {
    store.open(b"/bin/bash").is_ok()
}

fn shell_prefix(store: &Store<'_>, display: &str) -> String {
    if has_bash(store) {
        format!("bash: {display}")
    } else {
        format!("sh: {display}")
    }
}

fn shell_enoent(store: &Store<'_>, display: &str) -> String {
    if has_bash(store) {
        format!("bash: {display}: cannot execute: required file not found")
    } else {
        format!("sh: {display}: not found")
    }
}
