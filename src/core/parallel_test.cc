// Tests of ParallelFor: coverage, real concurrency, and error propagation.
#include "core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"

namespace leanops {
namespace {

TEST(ParallelTest, DefaultJobsIsPositive) { EXPECT_GE(DefaultJobs(), 1); }

TEST(ParallelTest, EachIndexExactlyOnce) {
  for (int jobs : {-1, 0, 1, 2, 3, 8, 64}) {
    for (size_t count : {0u, 1u, 2u, 7u, 1000u}) {
      SCOPED_TRACE("jobs=" + std::to_string(jobs) + " count=" + std::to_string(count));
      std::vector<std::atomic<int>> hits(count);
      ParallelFor(count, jobs, [&](size_t i) {
        ASSERT_LT(i, count);
        hits[i]++;
      });
      for (size_t i = 0; i < count; ++i) EXPECT_EQ(hits[i].load(), 1) << "index " << i;
    }
  }
}

TEST(ParallelTest, UsesSeveralThreadsIncludingTheCaller) {
  std::mutex mutex;
  std::set<std::thread::id> ids;
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  ParallelFor(16, 4, [&](size_t) {
    int now = ++running;
    int seen = max_running.load();
    while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      ids.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --running;
  });
  EXPECT_GT(ids.size(), 1u);
  EXPECT_LE(ids.size(), 4u);
  EXPECT_LE(max_running.load(), 4);
  EXPECT_GT(max_running.load(), 1);
  EXPECT_TRUE(ids.count(std::this_thread::get_id())) << "the caller is one of the workers";
}

TEST(ParallelTest, SingleJobRunsInOrderOnCaller) {
  std::vector<size_t> order;
  const std::thread::id caller = std::this_thread::get_id();
  ParallelFor(5, 1, [&](size_t i) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    order.push_back(i);
  });
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

TEST(ParallelTest, ExceptionIsRethrownWithItsKind) {
  for (int jobs : {1, 4}) {
    try {
      ParallelFor(100, jobs, [&](size_t i) {
        if (i == 3) throw Error(ErrorKind::kIO, "item 3 failed");
      });
      ADD_FAILURE() << "no exception";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kIO);
      EXPECT_STREQ(e.what(), "item 3 failed");
    }
  }
  EXPECT_THROW(ParallelFor(3, 2, [](size_t) { throw std::logic_error("x"); }), std::logic_error);
}

TEST(ParallelTest, ErrorStopsNewWork) {
  // With one job, items run in order: nothing after the failing one starts.
  std::atomic<int> started{0};
  EXPECT_THROW(ParallelFor(1000, 1,
                           [&](size_t i) {
                             ++started;
                             if (i == 10) throw std::runtime_error("stop");
                           }),
               std::runtime_error);
  EXPECT_EQ(started.load(), 11);

  // With several jobs, at most the items already running when the error
  // happened (one per other thread) start after it; the rest never do.
  const int jobs = 4;
  started = 0;
  std::atomic<bool> failed{false};
  std::atomic<int> started_after_failure{0};
  EXPECT_THROW(ParallelFor(10000, jobs,
                           [&](size_t i) {
                             if (failed) ++started_after_failure;
                             ++started;
                             if (i == 20) {
                               failed = true;
                               throw std::runtime_error("stop");
                             }
                             std::this_thread::sleep_for(std::chrono::microseconds(200));
                           }),
               std::runtime_error);
  // (Each other thread may pick one item in the moment between the throw
  // and ParallelFor noticing it; allow some slack for a loaded machine.)
  EXPECT_LE(started_after_failure.load(), 2 * (jobs - 1));
  EXPECT_LT(started.load(), 21 + 3 * jobs);
}

TEST(ParallelTest, WaitsForRunningItemsBeforeRethrowing) {
  std::atomic<bool> slow_started{false};
  std::atomic<bool> slow_done{false};
  EXPECT_THROW(ParallelFor(2, 2,
                           [&](size_t i) {
                             if (i == 0) {
                               // Fail only once item 1 is under way on the other thread.
                               auto deadline =
                                   std::chrono::steady_clock::now() + std::chrono::seconds(2);
                               while (!slow_started && std::chrono::steady_clock::now() < deadline)
                                 std::this_thread::yield();
                               throw std::runtime_error("fast failure");
                             }
                             slow_started = true;
                             std::this_thread::sleep_for(std::chrono::milliseconds(50));
                             slow_done = true;
                           }),
               std::runtime_error);
  ASSERT_TRUE(slow_started.load());
  EXPECT_TRUE(slow_done.load()) << "ParallelFor returned while an item was still running";
}

TEST(ParallelTest, FirstErrorWins) {
  // Items 0..3 all throw; with one job only the first one runs.
  try {
    ParallelFor(4, 1, [](size_t i) { throw std::runtime_error("item " + std::to_string(i)); });
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "item 0");
  }
}

}  // namespace
}  // namespace leanops
