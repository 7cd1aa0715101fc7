// libcurl, loaded on first use with dlopen.
//
// Only the S3 remote needs HTTP, yet linking libcurl pulls some 30 shared
// libraries (TLS, Kerberos, LDAP, ...) into every process: about 8 ms of
// dynamic loading and constructors on each `leanops status`. Loading it when
// an S3 remote is first used keeps start-up near that of git. The functions
// are libcurl's own, resolved from libcurl.so.4 (Debian package libcurl4).
#pragma once

#include <curl/curl.h>

namespace leanops {

struct CurlLibrary {
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_reset)(CURL*);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

/// Loads libcurl (and runs curl_global_init) once; throws kIO when the
/// library is not installed.
const CurlLibrary& Curl();

}  // namespace leanops
