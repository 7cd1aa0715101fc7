// C libraries loaded at run time with dlopen: dependencies only some
// commands need (libcurl for S3 and http tracking, libpq for PostgreSQL)
// cost the other commands nothing, and a machine without them runs every
// command that does not need them.
//
//   const Curl& curl = LoadOnce<Curl>([] {
//     SharedLibrary lib("libcurl.so.4", "S3 remotes", "libcurl4", "a libcurl 7.x or newer");
//     Curl c;
//     lib.Resolve("curl_easy_init", &c.easy_init);
//     return c;
//   });
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "core/error.h"

namespace leanops {

class SharedLibrary {
 public:
  /// Opens `soname` (kept open for the life of the process); throws kIO
  /// "cannot load SONAME, needed for PURPOSE (WHY); install the PACKAGE
  /// package".
  SharedLibrary(std::string soname, std::string purpose, std::string package,
                std::string version_hint);

  /// Sets `*function` to the library's `name`; throws kIO naming the
  /// symbol and what to install (`version_hint`, such as "a libcurl 7.x or
  /// newer") when the library lacks it: it is too old.
  template <typename Function>
  void Resolve(const char* name, Function* function) const {
    *function = reinterpret_cast<Function>(Symbol(name));
  }

 private:
  void* Symbol(const char* name) const;

  void* handle_ = nullptr;
  std::string soname_;
  std::string version_hint_;
};

/// The result of `load()`, run once per process (per Library type); every
/// call after a failed load throws the same error again.
template <typename Library, typename Load>
const Library& LoadOnce(Load load) {
  static std::once_flag once;
  static std::optional<Library> library;
  static std::string error;
  std::call_once(once, [&] {
    try {
      library = load();
    } catch (const Error& e) {
      error = e.what();
    }
  });
  if (!library) ThrowIO("{}", error);
  return *library;
}

}  // namespace leanops
