//! The allocator's heaps, tuned for a run that parses a thousand files on every core.
//!
//! Page faults were a seventh of an image audit's CPU: every 4 KiB page of the parsed objects
//! is touched once, and each first touch of a multi-threaded process also takes the address
//! space lock. glibc's `glibc.malloc.hugetlb=1` tunable (backing heaps with transparent huge
//! pages) cut the audit's wall time by a fifth for 4 MiB more peak RSS, but tunables are read
//! from the environment at start-up only. So each heap is advised here the way that tunable
//! would: `madvise(MADV_HUGEPAGE)`, which changes how memory is backed, never what it holds.

/// Grow heaps 64 MiB at a time.
///
/// glibc's malloc grows a heap with `brk`/`mprotect` a page or so at a time; each call takes
/// the address-space lock for writing, so the other threads' page faults wait. Grown 64 MiB
/// at a time instead (address space only: nothing is touched until used), the workers of an
/// image audit wait a twentieth less.
#[allow(unsafe_code)]
pub fn grow_in_large_steps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, TOP_PAD as libc::c_int);
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TOP_PAD: usize = 64 << 20;

/// A heap's size and alignment in glibc on 64-bit targets (malloc/arena.c: HEAP_MAX_SIZE,
/// twice DEFAULT_MMAP_THRESHOLD_MAX): a thread's heap is found from any pointer into it by
/// rounding down, as glibc's own heap_for_ptr does.
#[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
const THREAD_HEAP: usize = 64 << 20;

/// Advise the heap that serves this worker thread's allocations (glibc gives each thread of
/// the pool an arena of its own; the main thread only waits for them). Called once per
/// worker, before it allocates much. Best effort: on another
/// C library or a kernel without transparent huge pages nothing changes.
#[allow(unsafe_code)]
pub fn advise_this_threads_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
    {
        // Larger than glibc's per-thread cache serves, so that it comes from the thread's
        // own arena; black_box, or an allocation only looked at would be optimised away.
        let probe = std::hint::black_box(vec![0u8; 4096]);
        let at = probe.as_ptr() as usize;
        let start = at & !(THREAD_HEAP - 1);
        let len = THREAD_HEAP;
        // SAFETY: MADV_HUGEPAGE only marks the range's mappings as eligible for huge pages;
        // it never changes their contents or protection, and a range that is partly
        // unmapped is refused for the unmapped part only.
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
        drop(probe);
    }
}
