// OpenStore: from a tracking URI to a Store.
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "track/rest_client.h"
#include "track/sql_store.h"
#include "track/store.h"

namespace leanops::track {
namespace {

// sqlite:///rel.db -> "rel.db"; sqlite:////abs.db -> "/abs.db" (SQLAlchemy's form).
std::string SqlitePath(const std::string& uri) {
  std::string path = uri.substr(std::string("sqlite://").size());
  if (path.starts_with("/")) path.erase(0, 1);
  if (path.empty() || path == ":memory:") {
    ThrowData("tracking URI '{}' names no database file (sqlite:///path/to/file.db)", uri);
  }
  return path;
}

std::unique_ptr<Store> OpenSqlite(const std::string& path, const std::string& root) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  SqlStoreOptions options;
  options.connect = [path] { return OpenSqliteDb(path); };
  options.default_artifact_root = root;
  return OpenSqlStore(std::move(options));
}

}  // namespace

std::unique_ptr<Store> OpenStore(const std::string& uri, const std::string& default_artifact_root) {
  if (uri.starts_with("sqlite://")) return OpenSqlite(SqlitePath(uri), default_artifact_root);
  if (uri.starts_with("postgresql://") || uri.starts_with("postgres://") ||
      uri.starts_with("postgresql+psycopg2://")) {
    // SQLAlchemy-style driver suffixes mean nothing to libpq.
    std::string conninfo = uri;
    if (conninfo.starts_with("postgresql+psycopg2://")) {
      conninfo = "postgresql://" + conninfo.substr(std::string("postgresql+psycopg2://").size());
    }
    SqlStoreOptions options;
    options.connect = [conninfo] { return OpenPostgresDb(conninfo); };
    options.default_artifact_root = default_artifact_root;
    return OpenSqlStore(std::move(options));
  }
  if (uri.starts_with("http://") || uri.starts_with("https://")) {
    const char* token = std::getenv("MLFLOW_TRACKING_TOKEN");
    return OpenRestStore(uri, token ? token : "");
  }
  if (uri.find("://") == std::string::npos && !uri.empty()) {
    return OpenSqlite(uri, default_artifact_root);  // a plain database path
  }
  ThrowData(
      "unsupported tracking URI '{}': use sqlite:///path.db, postgresql://user:pass@host/db or "
      "http://host:port",
      uri);
}

}  // namespace leanops::track
