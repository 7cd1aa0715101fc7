#include "data/curl_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "core/error.h"

namespace leanops {
namespace {

template <typename Fn>
void Resolve(void* handle, const char* name, Fn* out) {
  void* symbol = ::dlsym(handle, name);
  if (!symbol) ThrowIO("libcurl.so.4 lacks {}; install a libcurl 7.x or newer", name);
  *out = reinterpret_cast<Fn>(symbol);
}

CurlLibrary Load() {
  void* handle = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    ThrowIO(
        "cannot load libcurl.so.4, needed for S3 remotes and http:// tracking URIs ({}); "
        "install the libcurl4 package",
        why ? why : "unknown reason");
  }
  CurlLibrary lib{};
  Resolve(handle, "curl_easy_init", &lib.easy_init);
  Resolve(handle, "curl_easy_setopt", &lib.easy_setopt);
  Resolve(handle, "curl_easy_perform", &lib.easy_perform);
  Resolve(handle, "curl_easy_getinfo", &lib.easy_getinfo);
  Resolve(handle, "curl_easy_reset", &lib.easy_reset);
  Resolve(handle, "curl_easy_cleanup", &lib.easy_cleanup);
  Resolve(handle, "curl_easy_strerror", &lib.easy_strerror);
  Resolve(handle, "curl_slist_append", &lib.slist_append);
  Resolve(handle, "curl_slist_free_all", &lib.slist_free_all);
  CURLcode (*global_init)(long);
  Resolve(handle, "curl_global_init", &global_init);
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) ThrowIO("libcurl failed to initialise");
  return lib;  // the handle stays open for the life of the process
}

}  // namespace

const CurlLibrary& Curl() {
  static std::once_flag once;
  static CurlLibrary library;
  static std::string error;
  std::call_once(once, [] {
    try {
      library = Load();
    } catch (const Error& e) {
      error = e.what();
    }
  });
  if (!library.easy_init) ThrowIO("{}", error);
  return library;
}

}  // namespace leanops
