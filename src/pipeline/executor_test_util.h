// Helpers shared by the executor tests: a sink that records what it gets,
// a scratch directory per test, and waiting for a number of job results.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pipeline/executor.h"

namespace leanops::testing_util {

struct SinkLine {
  std::string job;
  bool is_stderr;
  std::string text;
};

class RecordingSink : public OutputSink {
 public:
  void Line(const std::string& job, bool is_stderr, std::string_view line) override {
    std::lock_guard<std::mutex> lock(mutex_);
    EXPECT_FALSE(in_call_) << "sink called concurrently";
    in_call_ = true;
    lines_.push_back({job, is_stderr, std::string(line)});
    in_call_ = false;
  }
  void Note(const std::string& job, const std::string& text) override {
    std::lock_guard<std::mutex> lock(mutex_);
    notes_.push_back({job, false, text});
  }
  // Lines of `job` on one stream, in the order they arrived.
  std::vector<std::string> Lines(const std::string& job, bool is_stderr) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const SinkLine& l : lines_) {
      if (l.job == job && l.is_stderr == is_stderr) out.push_back(l.text);
    }
    return out;
  }
  std::vector<std::string> Notes(const std::string& job) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const SinkLine& l : notes_) {
      if (l.job == job) out.push_back(l.text);
    }
    return out;
  }

 private:
  std::mutex mutex_;
  bool in_call_ = false;
  std::vector<SinkLine> lines_;
  std::vector<SinkLine> notes_;
};

/// Collects `count` results (by job name), waiting at most `limit` in all.
inline std::map<std::string, JobResult> WaitFor(Executor& executor, size_t count,
                                                std::chrono::seconds limit) {
  std::map<std::string, JobResult> results;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (results.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::optional<JobResult> r = executor.WaitAny(std::chrono::milliseconds(500));
    if (r) results[r->name] = *r;
  }
  return results;
}

/// Waits (bounded) until `path` exists and is not empty.
inline bool WaitForFile(const std::string& path, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) > 0 && !ec) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// A fresh directory named after the running test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = (std::filesystem::temp_directory_path() /
             ("leanops-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
              std::to_string(::getpid())))
                .string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace leanops::testing_util
