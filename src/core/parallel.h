// Runs independent work items on several threads.
#pragma once

#include <cstddef>
#include <functional>

namespace leanops {

/// Number of threads to use when the user gave none: the machine's cores.
int DefaultJobs();

/// Calls `fn(i)` for every i in [0, count) on up to `jobs` threads (the calling
/// thread is one of them). Items are handed out in order. When an item
/// throws, no new items start and the first exception is rethrown here after
/// the running ones finish.
void ParallelFor(size_t count, int jobs, const std::function<void(size_t)>& fn);

}  // namespace leanops
