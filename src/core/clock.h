// Time behind an interface so tests can run lock waits and retry backoff
// without sleeping.
#pragma once

#include <cstdint>

namespace leanops {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Monotonic milliseconds.
  virtual int64_t NowMs() = 0;
  virtual void SleepMs(int64_t ms) = 0;
};

/// The process-wide real clock (steady_clock, this_thread::sleep_for).
Clock& RealClock();

}  // namespace leanops
