#include "data/curl_library.h"

#include "core/error.h"
#include "core/shared_library.h"

namespace leanops {
namespace {

CurlLibrary Load() {
  SharedLibrary handle("libcurl.so.4", "S3 remotes and http:// tracking URIs", "libcurl4",
                       "a libcurl 7.x or newer");
  CurlLibrary lib{};
  handle.Resolve("curl_easy_init", &lib.easy_init);
  handle.Resolve("curl_easy_setopt", &lib.easy_setopt);
  handle.Resolve("curl_easy_perform", &lib.easy_perform);
  handle.Resolve("curl_easy_getinfo", &lib.easy_getinfo);
  handle.Resolve("curl_easy_reset", &lib.easy_reset);
  handle.Resolve("curl_easy_cleanup", &lib.easy_cleanup);
  handle.Resolve("curl_easy_strerror", &lib.easy_strerror);
  handle.Resolve("curl_slist_append", &lib.slist_append);
  handle.Resolve("curl_slist_free_all", &lib.slist_free_all);
  CURLcode (*global_init)(long);
  handle.Resolve("curl_global_init", &global_init);
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) ThrowIO("libcurl failed to initialise");
  return lib;  // the handle stays open for the life of the process
}

}  // namespace

const CurlLibrary& Curl() { return LoadOnce<CurlLibrary>(Load); }

}  // namespace leanops
