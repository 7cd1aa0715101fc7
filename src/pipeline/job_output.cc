#include "pipeline/job_output.h"

#include <fmt/format.h>

#include <cstring>

namespace leanops {

void LineBuffer::Append(std::string_view bytes, const Emit& emit) {
  size_t start = 0;
  while (start < bytes.size()) {
    size_t newline = bytes.find('\n', start);
    if (newline == std::string_view::npos) {
      pending_.append(bytes.substr(start));
      break;
    }
    std::string_view piece = bytes.substr(start, newline - start);
    if (pending_.empty()) {
      emit(piece);  // the common case: no copy
    } else {
      pending_.append(piece);
      emit(pending_);
      pending_.clear();
    }
    start = newline + 1;
  }
  while (pending_.size() >= kMaxLine) {
    emit(std::string_view(pending_).substr(0, kMaxLine));
    pending_.erase(0, kMaxLine);
  }
}

void LineBuffer::Flush(const Emit& emit) {
  if (pending_.empty()) return;
  emit(pending_);
  pending_.clear();
}

void SerialSink::Line(const std::string& job, bool is_stderr, std::string_view line) {
  std::lock_guard<std::mutex> lock(mutex_);
  sink_.Line(job, is_stderr, line);
}

void SerialSink::Note(const std::string& job, const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  sink_.Note(job, text);
}

std::string DescribeExit(int exit_code, int signal) {
  if (signal == 0) return fmt::format("exit code {}", exit_code);
  const char* abbrev = ::sigabbrev_np(signal);
  if (abbrev == nullptr) return fmt::format("killed by signal {}", signal);
  return fmt::format("killed by signal {} (SIG{})", signal, abbrev);
}

JobResult CommandResult(const std::string& name, int exit_code, int signal) {
  JobResult result;
  result.name = name;
  result.exit_code = signal != 0 ? 128 + signal : exit_code;
  result.ok = result.exit_code == 0;
  if (!result.ok) result.message = DescribeExit(exit_code, signal);
  return result;
}

}  // namespace leanops
