// Pieces shared by the executors (internal to src/pipeline): turning a
// job's byte stream into whole lines, serialising calls into the caller's
// OutputSink, and describing how a command ended.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "pipeline/executor.h"

namespace leanops {

/// Collects bytes of one stream and hands out complete lines (without the
/// '\n'). A line longer than kMaxLine is handed out in pieces, so that a
/// command writing megabytes without a newline cannot grow memory without
/// bound.
class LineBuffer {
 public:
  static constexpr size_t kMaxLine = 1 << 20;
  using Emit = std::function<void(std::string_view)>;

  void Append(std::string_view bytes, const Emit& emit);
  /// Hands out the unterminated rest, if any (at the end of the stream).
  void Flush(const Emit& emit);

 private:
  std::string pending_;
};

/// Forwards to an OutputSink one call at a time: the sink's contract, while
/// the executors call it from several threads.
class SerialSink {
 public:
  explicit SerialSink(OutputSink& sink) : sink_(sink) {}
  void Line(const std::string& job, bool is_stderr, std::string_view line);
  void Note(const std::string& job, const std::string& text);

 private:
  std::mutex mutex_;
  OutputSink& sink_;
};

/// "exit code 3", or "killed by signal 9 (SIGKILL)" when `signal` is not 0.
std::string DescribeExit(int exit_code, int signal);

/// Result of a command that ended with `exit_code` (or by `signal`, then the
/// code is 128+signal): ok when both are 0.
JobResult CommandResult(const std::string& name, int exit_code, int signal);

}  // namespace leanops
