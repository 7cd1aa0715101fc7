#include "track/libpq_library.h"

#include "core/shared_library.h"

namespace leanops::track {
namespace {

PqLibrary Load() {
  SharedLibrary handle("libpq.so.5", "PostgreSQL stores", "libpq5",
                       "libpq5 from PostgreSQL 12 or newer");
  PqLibrary lib{};
  handle.Resolve("PQconnectdb", &lib.connectdb);
  handle.Resolve("PQstatus", &lib.status);
  handle.Resolve("PQtransactionStatus", &lib.transaction_status);
  handle.Resolve("PQerrorMessage", &lib.error_message);
  handle.Resolve("PQfinish", &lib.finish);
  handle.Resolve("PQhost", &lib.host);
  handle.Resolve("PQport", &lib.port);
  handle.Resolve("PQdb", &lib.db);
  handle.Resolve("PQpass", &lib.pass);
  handle.Resolve("PQsetNoticeProcessor", &lib.set_notice_processor);
  handle.Resolve("PQprepare", &lib.prepare);
  handle.Resolve("PQexecPrepared", &lib.exec_prepared);
  handle.Resolve("PQexec", &lib.exec);
  handle.Resolve("PQresultStatus", &lib.result_status);
  handle.Resolve("PQresultErrorField", &lib.result_error_field);
  handle.Resolve("PQntuples", &lib.ntuples);
  handle.Resolve("PQnfields", &lib.nfields);
  handle.Resolve("PQgetvalue", &lib.getvalue);
  handle.Resolve("PQgetlength", &lib.getlength);
  handle.Resolve("PQgetisnull", &lib.getisnull);
  handle.Resolve("PQcmdStatus", &lib.cmd_status);
  handle.Resolve("PQcmdTuples", &lib.cmd_tuples);
  handle.Resolve("PQclear", &lib.clear);
  return lib;  // the handle stays open for the life of the process
}

}  // namespace

const PqLibrary& Pq() { return LoadOnce<PqLibrary>(Load); }

}  // namespace leanops::track
