#include "track/libpq_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "core/error.h"

namespace leanops::track {
namespace {

template <typename Fn>
void Resolve(void* handle, const char* name, Fn* out) {
  void* symbol = ::dlsym(handle, name);
  if (!symbol) ThrowIO("libpq.so.5 lacks {}; install libpq5 from PostgreSQL 12 or newer", name);
  *out = reinterpret_cast<Fn>(symbol);
}

PqLibrary Load() {
  void* handle = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    ThrowIO("cannot load libpq.so.5, needed for PostgreSQL stores ({}); install the libpq5 package",
            why ? why : "unknown reason");
  }
  PqLibrary lib{};
  Resolve(handle, "PQconnectdb", &lib.connectdb);
  Resolve(handle, "PQstatus", &lib.status);
  Resolve(handle, "PQtransactionStatus", &lib.transaction_status);
  Resolve(handle, "PQerrorMessage", &lib.error_message);
  Resolve(handle, "PQfinish", &lib.finish);
  Resolve(handle, "PQhost", &lib.host);
  Resolve(handle, "PQport", &lib.port);
  Resolve(handle, "PQdb", &lib.db);
  Resolve(handle, "PQpass", &lib.pass);
  Resolve(handle, "PQsetNoticeProcessor", &lib.set_notice_processor);
  Resolve(handle, "PQprepare", &lib.prepare);
  Resolve(handle, "PQexecPrepared", &lib.exec_prepared);
  Resolve(handle, "PQexec", &lib.exec);
  Resolve(handle, "PQresultStatus", &lib.result_status);
  Resolve(handle, "PQresultErrorField", &lib.result_error_field);
  Resolve(handle, "PQntuples", &lib.ntuples);
  Resolve(handle, "PQnfields", &lib.nfields);
  Resolve(handle, "PQgetvalue", &lib.getvalue);
  Resolve(handle, "PQgetlength", &lib.getlength);
  Resolve(handle, "PQgetisnull", &lib.getisnull);
  Resolve(handle, "PQcmdStatus", &lib.cmd_status);
  Resolve(handle, "PQcmdTuples", &lib.cmd_tuples);
  Resolve(handle, "PQclear", &lib.clear);
  return lib;  // the handle stays open for the life of the process
}

}  // namespace

const PqLibrary& Pq() {
  static std::once_flag once;
  static PqLibrary library;
  static std::string error;
  std::call_once(once, [] {
    try {
      library = Load();
    } catch (const Error& e) {
      error = e.what();
    }
  });
  if (!library.connectdb) ThrowIO("{}", error);
  return library;
}

}  // namespace leanops::track
