// The one error model of leanops.
//
// Library code reports failure by throwing leanops::Error, the only exception
// type the project throws. Each error carries a Kind that maps to a documented
// process exit code; `main` catches it and prints one line:
//
//     leanops: error: <message>
//
// Messages name what the user can act on: the file (and line), the field, the
// remote, the object.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace leanops {

enum class ErrorKind {
  kUsage,        // bad command line: exit 2
  kData,         // bad user input or repository state (missing path, malformed file): exit 3
  kIO,           // filesystem, network, remote or lock failure: exit 4
  kInternal,     // a bug in leanops: exit 5
  kFailed,       // what the user asked to run or check ran and failed (a stage, a gate): exit 1
  kInterrupted,  // stopped by SIGINT/SIGTERM: exit 130
};

/// Process exit code for an error kind (see README "Exit codes").
int ExitCodeFor(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message)
      : std::runtime_error(std::move(message)), kind_(kind) {}
  /// `code` names the failure for API clients (an MLflow error code such as
  /// "RESOURCE_DOES_NOT_EXIST"); it must be a string literal.
  Error(ErrorKind kind, const char* code, std::string message)
      : std::runtime_error(std::move(message)), kind_(kind), code_(code) {}
  ErrorKind kind() const { return kind_; }
  /// The API error code, or "" when the thrower gave none.
  const char* code() const { return code_; }

 private:
  ErrorKind kind_;
  const char* code_ = "";
};

template <typename... Args>
[[noreturn]] void ThrowData(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kData, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
[[noreturn]] void ThrowIO(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kIO, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
[[noreturn]] void ThrowUsage(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kUsage, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
[[noreturn]] void ThrowFailed(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kFailed, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
[[noreturn]] void ThrowInternal(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kInternal, fmt::format(f, std::forward<Args>(args)...));
}

/// Throws an I/O error "<what> '<path>': <strerror(errno_value)>".
[[noreturn]] void ThrowErrno(const std::string& what, const std::string& path, int errno_value);

}  // namespace leanops
