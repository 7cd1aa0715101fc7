// The leanops binary's allocator settings: jemalloc (linked in CMakeLists.txt)
// reads this string when it starts, before main; MALLOC_CONF in the
// environment still overrides it.
//
// Why (docs/architecture.md, "Allocation"): reading a CSV allocates each
// chunk's column arrays, megabytes at a time, on a thread the checks then
// free them from, and on virtual machines a 4 KiB page fault costs several
// times the clearing of the page. With glibc's malloc a 1M-row validation
// took about 13,000 page faults, a third of its CPU time. Here:
// - thp:always puts jemalloc's memory on transparent huge pages (asked for
//   with madvise, the kernel's default policy), one fault per 2 MiB;
// - narenas:1 keeps one arena, so the pages one thread frees are the ones
//   the next allocation reuses whichever thread makes it (per-thread caches
//   still serve small allocations without a lock).
// Measured on 1M rows: 13,000 -> 2,800 page faults, CPU time -35%.
#if defined(LEANOPS_JEMALLOC)
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
const char* malloc_conf = "narenas:1,thp:always";
}
#endif
