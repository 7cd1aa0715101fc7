// Helpers shared by the pipeline unit tests: a scratch directory per test,
// reading and writing files, catching leanops::Error, and running python3
// as an independent oracle for DVC's algorithms.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/subprocess.h"
#include "pipeline/dvc_lock.h"

namespace leanops {

inline void PrintTo(ErrorKind kind, std::ostream* os) {
  switch (kind) {
    case ErrorKind::kUsage:
      *os << "kUsage";
      return;
    case ErrorKind::kData:
      *os << "kData";
      return;
    case ErrorKind::kIO:
      *os << "kIO";
      return;
    case ErrorKind::kInternal:
      *os << "kInternal";
      return;
    case ErrorKind::kFailed:
      *os << "kFailed";
      return;
    case ErrorKind::kInterrupted:
      *os << "kInterrupted";
      return;
  }
  *os << "ErrorKind(" << static_cast<int>(kind) << ")";
}

/// Readable test failure output for lock entries.
inline void PrintTo(const LockedEntry& e, std::ostream* os) {
  *os << "{path: " << e.path << ", md5: " << e.md5;
  if (e.size) *os << ", size: " << *e.size;
  if (e.nfiles) *os << ", nfiles: " << *e.nfiles;
  if (e.isexec) *os << ", isexec";
  if (e.legacy_hash) *os << ", legacy";
  *os << "}";
}

}  // namespace leanops

namespace leanops::pipeline_test {

/// `entries` sorted by path (as dvc.lock and the run cache store them).
inline std::vector<LockedEntry> ByPath(std::vector<LockedEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const LockedEntry& a, const LockedEntry& b) { return a.path < b.path; });
  return entries;
}

/// A fresh directory named after the running test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("leanops-pl-") + info->test_suite_name() + "-" + info->name() +
                       "-" + std::to_string(::getpid());
    for (char& c : name)
      if (c == '/') c = '_';
    path_ = (std::filesystem::temp_directory_path() / name).string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

/// Writes `data` to `path`, creating its parent directories.
inline void WriteText(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

/// The file's contents ("" when it cannot be read).
inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline bool Exists(const std::string& path) { return std::filesystem::exists(path); }

/// Runs `fn`, which must throw leanops::Error; returns its kind and stores
/// its message in `*message`.
inline ErrorKind ErrorOf(const std::function<void()>& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no leanops::Error thrown";
  if (message) message->clear();
  return ErrorKind::kInternal;
}

/// The message of a kData error thrown by `fn` ("" and a test failure otherwise).
inline std::string DataError(const std::function<void()>& fn) {
  std::string message;
  ErrorKind kind = ErrorOf(fn, &message);
  EXPECT_EQ(kind, ErrorKind::kData) << message;
  return message;
}

inline bool HavePython() { return RunCapture({"python3", "-c", "pass"}, ".").exit_code == 0; }

/// Runs a python3 program with `input` on stdin; returns its stdout with
/// one trailing newline removed. A failing program fails the test.
inline std::string Python(const std::string& program, const std::string& input = "") {
  ProcessResult r = RunCapture({"python3", "-c", program}, ".", input);
  EXPECT_EQ(r.exit_code, 0) << "python3 failed: " << program;
  if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

}  // namespace leanops::pipeline_test
