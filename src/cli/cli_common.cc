#include "cli/cli_common.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "core/clock.h"
#include "core/error.h"
#include "core/file_system.h"
#include "pipeline/lock_pointers.h"

namespace leanops::cli {
namespace {

// Redraws one status line at most ten times a second:
//   Adding   1,234/20,000 files  512.0 MiB/1.0 GiB  210.3 MiB/s  ETA 0:03
class TerminalProgress : public Progress {
 public:
  void Begin(const std::string& phase, uint64_t total_files, uint64_t total_bytes) override {
    std::lock_guard<std::mutex> lock(mutex_);
    phase_ = phase;
    total_files_ = total_files;
    total_bytes_ = total_bytes;
    files_ = 0;
    bytes_ = 0;
    start_ = Now();
    last_draw_ = 0;
  }
  void Advance(uint64_t files, uint64_t bytes) override {
    files_ += files;
    bytes_ += bytes;
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return;
    double now = Now();
    if (now - last_draw_ < 0.1) return;
    last_draw_ = now;
    Draw(now);
  }
  void End() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (last_draw_ > 0) std::fputs("\r\033[K", stderr);
    last_draw_ = 0;
  }

 private:
  static double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void Draw(double now) {
    double elapsed = std::max(now - start_, 1e-3);
    uint64_t bytes = bytes_;
    uint64_t files = files_;
    double rate = bytes / elapsed;
    std::string line = fmt::format("{:<9}{}/{} files", phase_, files, total_files_);
    if (total_bytes_ > 0)
      line += fmt::format("  {}/{}", HumanBytes(bytes), HumanBytes(total_bytes_));
    line += fmt::format("  {}/s", HumanBytes(static_cast<uint64_t>(rate)));
    if (total_bytes_ > 0 && rate > 0 && bytes <= total_bytes_) {
      int eta = static_cast<int>((total_bytes_ - bytes) / rate);
      line += fmt::format("  ETA {}:{:02}", eta / 60, eta % 60);
    } else if (total_files_ > 0 && files > 0) {
      int eta = static_cast<int>((total_files_ - files) * elapsed / files);
      line += fmt::format("  ETA {}:{:02}", eta / 60, eta % 60);
    }
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
  }

  std::mutex mutex_;
  std::string phase_;
  uint64_t total_files_ = 0;
  uint64_t total_bytes_ = 0;
  std::atomic<uint64_t> files_{0};
  std::atomic<uint64_t> bytes_{0};
  double start_ = 0;
  double last_draw_ = 0;
};

}  // namespace

GlobalOptions& Globals() {
  static GlobalOptions options;
  return options;
}

Session OpenForRead() {
  Session session;
  session.repo = Repo::Open(RealFs(), RealClock(), ".");
  // Pipeline outputs recorded in dvc.lock are tracked data too.
  session.repo->SetPointerSource(MakePipelinePointerSource());
  return session;
}

Session OpenForWrite(bool no_wait) {
  Session session = OpenForRead();
  session.lock = session.repo->Lock(Globals().command_line, no_wait, [](const std::string& holder) {
    std::fprintf(stderr, "leanops: waiting for lock held by %s\n", holder.c_str());
  });
  return session;
}

Progress& CommandProgress() {
  static TerminalProgress terminal;
  if (!Globals().quiet && ::isatty(STDERR_FILENO)) return terminal;
  return NoProgress();
}

void Say(const std::string& line) {
  if (!Globals().quiet) std::printf("%s\n", line.c_str());
}

void PrintJson(const nlohmann::json& value) { std::printf("%s\n", value.dump(2).c_str()); }

std::string HumanBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

int64_t ReproducibleTimeMicros() {
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    long long seconds = std::strtoll(epoch, &end, 10);
    if (*end != '\0' || seconds < 0)
      ThrowUsage("SOURCE_DATE_EPOCH must be a number of seconds, not '{}'", epoch);
    return static_cast<int64_t>(seconds) * 1000000;
  }
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace leanops::cli
