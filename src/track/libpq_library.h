// libpq, PostgreSQL's client library, loaded on first use with dlopen.
//
// Only a store on a PostgreSQL server needs it, yet linking libpq (or
// libpqxx, which wraps it) makes the dynamic loader map about 25 shared
// libraries (TLS, Kerberos, LDAP, ...) at every start of every leanops
// command: +6.7 ms measured on `leanops status`, several times what the
// command itself costs. Loading it when a PostgreSQL store is first opened
// keeps start-up as it is; the same is done for libcurl
// (data/curl_library.h). The functions are libpq's own, resolved from
// libpq.so.5 (Debian package libpq5), with the types of <libpq-fe.h>.
#pragma once

#include <libpq-fe.h>

namespace leanops::track {

struct PqLibrary {
  decltype(&::PQconnectdb) connectdb;
  decltype(&::PQstatus) status;
  decltype(&::PQtransactionStatus) transaction_status;
  decltype(&::PQerrorMessage) error_message;
  decltype(&::PQfinish) finish;
  decltype(&::PQhost) host;
  decltype(&::PQport) port;
  decltype(&::PQdb) db;
  decltype(&::PQpass) pass;
  decltype(&::PQsetNoticeProcessor) set_notice_processor;
  decltype(&::PQprepare) prepare;
  decltype(&::PQexecPrepared) exec_prepared;
  decltype(&::PQexec) exec;
  decltype(&::PQresultStatus) result_status;
  decltype(&::PQresultErrorField) result_error_field;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQnfields) nfields;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQgetlength) getlength;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQcmdStatus) cmd_status;
  decltype(&::PQcmdTuples) cmd_tuples;
  decltype(&::PQclear) clear;
};

/// Loads libpq once per process; throws kIO (naming the libpq5 package) when
/// it is not installed. Thread-safe.
const PqLibrary& Pq();

}  // namespace leanops::track
