// SqlStore: connection pool, experiments, runs, logging and metric history.
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "track/api_error.h"
#include "track/search_filter.h"
#include "track/sql_store_internal.h"

namespace leanops::track {

const char* const kRunColumns =
    "r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, "
    "r.artifact_uri, r.lifecycle_stage";

namespace {

constexpr int64_t kDefaultExperimentId = 0;
constexpr int64_t kSearchLimit = 50000;

std::string NewRunId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) ThrowInternal("no random bytes for a run id");
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // a version-4 UUID
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

// Run names as MLflow generates them: "<adjective>-<noun>-<number>".
std::string NewRunName() {
  static constexpr const char* kAdjectives[] = {
      "able",  "bold",  "brave", "bright", "calm",  "clever", "crisp", "eager",
      "fair",  "fast",  "fond",  "gentle", "glad",  "keen",   "kind",  "lucid",
      "merry", "noble", "quick", "quiet",  "sharp", "smart",  "swift", "warm"};
  static constexpr const char* kNouns[] = {"ant",  "bass",  "bear", "crow", "deer", "dove",
                                           "eel",  "fox",   "frog", "hawk", "lark", "lynx",
                                           "mole", "moth",  "newt", "owl",  "ram",  "seal",
                                           "slug", "snail", "toad", "vole", "wasp", "wren"};
  unsigned char bytes[3];
  if (RAND_bytes(bytes, sizeof bytes) != 1) ThrowInternal("no random bytes for a run name");
  return fmt::format("{}-{}-{}", kAdjectives[bytes[0] % std::size(kAdjectives)],
                     kNouns[bytes[1] % std::size(kNouns)], bytes[2] % 1000);
}

// MLflow's name rules (mlflow/utils/validation.py): word characters, '.',
// '-', '/', ' ' and ':'; not a path that normalises to something else.
void ValidateKey(const char* what, const std::string& key) {
  if (key.empty()) ThrowInvalid("Missing value for required parameter '{}'", what);
  if (key.size() > kMaxKeyBytes) {
    ThrowInvalid("{} name '{}' had length {}, which exceeded length limit of {}", what, key,
                 key.size(), kMaxKeyBytes);
  }
  for (unsigned char c : key) {
    const bool ok = std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '/' || c == ' ' ||
                    c == ':' || c >= 0x80;
    if (!ok) {
      ThrowInvalid(
          "Invalid {} name: '{}'. Names may only contain alphanumerics, underscores (_), dashes "
          "(-), periods (.), spaces ( ), colon(:) and slashes (/).",
          what, key);
    }
  }
  if (key.front() == '/' || key == "." || key == ".." || key.find("//") != std::string::npos ||
      key.find("/./") != std::string::npos || key.find("/../") != std::string::npos ||
      key.ends_with("/..") || key.starts_with("../") || key.starts_with("./") ||
      key.ends_with("/") || key.ends_with("/.")) {
    ThrowInvalid(
        "Invalid {} name: '{}'. Names may be treated as files in certain cases, and must "
        "not resolve to other names when treated as such.",
        what, key);
  }
}

void ValidateValue(const char* what, const std::string& key, const std::string& value,
                   size_t limit) {
  if (value.size() > limit) {
    ThrowInvalid("{} '{}' had length {}, which exceeded length limit of {}", what, key,
                 value.size(), limit);
  }
}

// Is metric a later than b? MLflow's SQL store orders by (step, timestamp,
// value), NaN below every number.
bool IsLater(const Metric& a, const Metric& b) {
  if (a.step != b.step) return a.step > b.step;
  if (a.timestamp != b.timestamp) return a.timestamp > b.timestamp;
  if (std::isnan(b.value)) return !std::isnan(a.value);
  if (std::isnan(a.value)) return false;
  return a.value > b.value;
}

std::string ExperimentArtifactLocation(const std::string& root, int64_t experiment_id) {
  std::string location = root;
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  if (!location.empty() && location.back() != '/' && location.back() != ':') location += '/';
  if (location.ends_with(":")) location += '/';  // "mlflow-artifacts:" + "/0"
  return location + std::to_string(experiment_id);
}

}  // namespace

// ---------------------------------------------------------------- helpers --

std::optional<int64_t> ParseId(const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < 0) {
    return std::nullopt;
  }
  return value;
}

std::string TextOrder(SqlDialect dialect, const std::string& column) {
  return dialect == SqlDialect::kPostgres ? column + " COLLATE \"C\"" : column;
}

std::string LikeSql(SqlDialect dialect, const std::string& column, Comparator op) {
  if (op == Comparator::kLike) return column + " LIKE ?";
  if (dialect == SqlDialect::kPostgres) return column + " ILIKE ?";
  return "lower(" + column + ") LIKE lower(?)";
}

const char* SqlOperator(Comparator op) {
  switch (op) {
    case Comparator::kEq:
      return "=";
    case Comparator::kNe:
      return "<>";
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      return ">=";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    default:
      return "=";
  }
}

void CheckMaxResults(int64_t max_results, int64_t limit) {
  if (max_results <= 0 || max_results > limit) {
    ThrowInvalid(
        "Invalid value {} for parameter 'max_results' supplied. It must be a positive "
        "integer at most {}",
        max_results, limit);
  }
}

RunInfo ReadRunInfo(const SqlRow& row, int first) {
  RunInfo info;
  info.run_id = std::string(row.Text(first));
  info.run_name = std::string(row.Text(first + 1));
  info.experiment_id = std::to_string(row.Int(first + 2));
  info.user_id = std::string(row.Text(first + 3));
  info.status = ParseRunStatus(std::string(row.Text(first + 4)));
  info.start_time = row.Int(first + 5);
  if (!row.IsNull(first + 6)) info.end_time = row.Int(first + 6);
  info.artifact_uri = std::string(row.Text(first + 7));
  info.lifecycle_stage =
      row.Text(first + 8) == "deleted" ? LifecycleStage::kDeleted : LifecycleStage::kActive;
  return info;
}

// ------------------------------------------------------------------- pool --

Lease::~Lease() {
  if (db_ && std::uncaught_exceptions() == exceptions_) store_->Release(std::move(db_));
}

SqlStore::SqlStore(SqlStoreOptions options) : options_(std::move(options)) {
  if (!options_.now_ms) {
    options_.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  auto db = options_.connect();
  dialect_ = db->dialect();
  MigrateSchema(*db);
  Release(std::move(db));
  EnsureDefaultExperiment();
}

Lease SqlStore::Connect() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  return Lease(this, options_.connect());
}

void SqlStore::Release(std::unique_ptr<SqlDb> db) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(db));
}

std::unique_ptr<Store> OpenSqlStore(SqlStoreOptions options) {
  return std::make_unique<SqlStore>(std::move(options));
}

// ------------------------------------------------------------ experiments --

void SqlStore::EnsureDefaultExperiment() {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    bool exists = false;
    db->Exec("SELECT 1 FROM experiments WHERE experiment_id = ?", {kDefaultExperimentId},
             [&](const SqlRow&) { exists = true; });
    if (exists) return;
    const std::string location =
        ExperimentArtifactLocation(options_.default_artifact_root, kDefaultExperimentId);
    const int64_t now = Now();
    db->Exec(
        "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, "
        "creation_time, last_update_time) VALUES (?, 'Default', ?, 'active', ?, ?) "
        "ON CONFLICT DO NOTHING",
        {kDefaultExperimentId, location, now, now});
  });
}

Experiment SqlStore::LoadExperiment(SqlDb& db, int64_t experiment_id) {
  std::optional<Experiment> found;
  db.Exec(
      "SELECT name, artifact_location, lifecycle_stage, creation_time, last_update_time "
      "FROM experiments WHERE experiment_id = ?",
      {experiment_id}, [&](const SqlRow& row) {
        Experiment e;
        e.experiment_id = std::to_string(experiment_id);
        e.name = std::string(row.Text(0));
        e.artifact_location = std::string(row.Text(1));
        e.lifecycle_stage =
            row.Text(2) == "deleted" ? LifecycleStage::kDeleted : LifecycleStage::kActive;
        e.creation_time = row.Int(3);
        e.last_update_time = row.Int(4);
        found = std::move(e);
      });
  if (!found) ThrowNotFound("No Experiment with id={} exists", experiment_id);
  db.Exec("SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY " +
              TextOrder(dialect_, "key"),
          {experiment_id}, [&](const SqlRow& row) {
            found->tags.push_back({std::string(row.Text(0)), std::string(row.Text(1))});
          });
  return *found;
}

int64_t SqlStore::RequireExperiment(SqlDb& db, const std::string& experiment_id) {
  auto id = ParseId(experiment_id);
  bool exists = false;
  if (id) {
    db.Exec("SELECT 1 FROM experiments WHERE experiment_id = ?", {*id},
            [&](const SqlRow&) { exists = true; });
  }
  if (!exists) ThrowNotFound("No Experiment with id={} exists", experiment_id);
  return *id;
}

std::string SqlStore::CreateExperiment(const std::string& name,
                                       const std::string& artifact_location,
                                       const std::vector<Tag>& tags) {
  if (name.empty()) ThrowInvalid("Invalid experiment name: ''");
  for (const Tag& tag : tags) {
    ValidateKey("tag", tag.key);
    ValidateValue("Tag value", tag.key, tag.value, kMaxTagValueBytes);
  }
  auto db = Connect();
  return InWriteTransaction(*db, [&] {
    bool taken = false;
    db->Exec("SELECT 1 FROM experiments WHERE name = ?", {name},
             [&](const SqlRow&) { taken = true; });
    if (taken) ThrowAlreadyExists("Experiment '{}' already exists.", name);
    const int64_t now = Now();
    int64_t id = 0;
    db->Exec(
        "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, "
        "last_update_time) VALUES (?, '', 'active', ?, ?) RETURNING experiment_id",
        {name, now, now}, [&](const SqlRow& row) { id = row.Int(0); });
    const std::string location =
        artifact_location.empty() ? ExperimentArtifactLocation(options_.default_artifact_root, id)
                                  : artifact_location;
    db->Exec("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
             {location, id});
    for (const Tag& tag : tags) {
      db->Exec(
          "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) "
          "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
          {id, tag.key, tag.value});
    }
    return std::to_string(id);
  });
}

Experiment SqlStore::GetExperiment(const std::string& experiment_id) {
  auto id = ParseId(experiment_id);
  if (!id) ThrowNotFound("No Experiment with id={} exists", experiment_id);
  auto db = Connect();
  return InReadTransaction(*db, [&] { return LoadExperiment(*db, *id); });
}

Experiment SqlStore::GetExperimentByName(const std::string& name) {
  auto db = Connect();
  return InReadTransaction(*db, [&] {
    std::optional<int64_t> id;
    db->Exec("SELECT experiment_id FROM experiments WHERE name = ?", {name},
             [&](const SqlRow& row) { id = row.Int(0); });
    if (!id) ThrowNotFound("Could not find experiment with name '{}'", name);
    return LoadExperiment(*db, *id);
  });
}

Page<Experiment> SqlStore::SearchExperiments(const ExperimentQuery& query) {
  CheckMaxResults(query.max_results, kSearchLimit);
  const std::vector<Comparison> filter = ParseExperimentFilter(query.filter);
  std::vector<OrderBy> order;
  for (const std::string& clause : query.order_by) order.push_back(ParseExperimentOrderBy(clause));
  const int64_t offset = ParsePageToken(query.page_token);

  std::string sql = "SELECT e.experiment_id FROM experiments e WHERE 1 = 1";
  std::vector<std::string> texts;  // keeps bound text alive
  texts.reserve(filter.size() * 2 + 2);
  std::vector<SqlValue> params;
  if (query.view == ViewType::kActiveOnly) sql += " AND e.lifecycle_stage = 'active'";
  if (query.view == ViewType::kDeletedOnly) sql += " AND e.lifecycle_stage = 'deleted'";
  for (const Comparison& c : filter) {
    if (c.type == EntityType::kTag) {
      texts.push_back(c.key);
      params.emplace_back(std::string_view(texts.back()));
      texts.push_back(std::get<std::string>(c.value));
      const bool like = c.op == Comparator::kLike || c.op == Comparator::kILike;
      sql +=
          " AND EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = "
          "e.experiment_id AND t.key = ? AND " +
          (like ? LikeSql(dialect_, "t.value", c.op)
                : std::string("t.value ") + SqlOperator(c.op) + " ?") +
          ")";
      params.emplace_back(std::string_view(texts.back()));
    } else if (c.key == "name") {
      texts.push_back(std::get<std::string>(c.value));
      const bool like = c.op == Comparator::kLike || c.op == Comparator::kILike;
      sql += " AND " + (like ? LikeSql(dialect_, "e.name", c.op)
                             : std::string("e.name ") + SqlOperator(c.op) + " ?");
      params.emplace_back(std::string_view(texts.back()));
    } else {  // creation_time, last_update_time
      sql += " AND e." + c.key + " " + SqlOperator(c.op) + " ?";
      params.emplace_back(std::get<double>(c.value));
    }
  }
  std::string order_sql;
  bool has_id = false;
  if (order.empty()) {
    order_sql = "e.creation_time DESC";
  }
  for (const OrderBy& o : order) {
    if (!order_sql.empty()) order_sql += ", ";
    const std::string column = "e." + o.key;
    order_sql +=
        (o.key == "name" ? TextOrder(dialect_, column) : column) + (o.ascending ? " ASC" : " DESC");
    has_id = has_id || o.key == "experiment_id";
  }
  if (!has_id) order_sql += ", e.experiment_id ASC";
  sql += " ORDER BY " + order_sql + " LIMIT ? OFFSET ?";
  params.emplace_back(query.max_results + 1);
  params.emplace_back(offset);

  auto db = Connect();
  return InReadTransaction(*db, [&] {
    std::vector<int64_t> ids;
    db->Exec(sql, params, [&](const SqlRow& row) { ids.push_back(row.Int(0)); });
    Page<Experiment> page;
    if (static_cast<int64_t>(ids.size()) > query.max_results) {
      ids.pop_back();
      page.next_page_token = MakePageToken(offset + query.max_results);
    }
    for (int64_t id : ids) page.items.push_back(LoadExperiment(*db, id));
    return page;
  });
}

void SqlStore::DeleteExperiment(const std::string& experiment_id) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const int64_t id = RequireExperiment(*db, experiment_id);
    if (LoadExperiment(*db, id).lifecycle_stage != LifecycleStage::kActive) {
      ThrowNotFound("No Experiment with id={} exists", experiment_id);  // MLflow: active only
    }
    if (id == kDefaultExperimentId) ThrowInvalid("Cannot delete the default experiment '0'.");
    const int64_t now = Now();
    db->Exec(
        "UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? "
        "WHERE experiment_id = ?",
        {now, id});
    db->Exec(
        "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? "
        "WHERE experiment_id = ? AND lifecycle_stage = 'active'",
        {now, id});
  });
}

void SqlStore::RestoreExperiment(const std::string& experiment_id) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const int64_t id = RequireExperiment(*db, experiment_id);
    const Experiment e = LoadExperiment(*db, id);
    if (e.lifecycle_stage != LifecycleStage::kDeleted) {
      ThrowNotFound("No deleted Experiment with id={} exists", experiment_id);  // as MLflow
    }
    db->Exec(
        "UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? "
        "WHERE experiment_id = ?",
        {Now(), id});
    db->Exec(
        "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL "
        "WHERE experiment_id = ? AND lifecycle_stage = 'deleted'",
        {id});
  });
}

void SqlStore::RenameExperiment(const std::string& experiment_id, const std::string& new_name) {
  if (new_name.empty()) ThrowInvalid("Invalid experiment name: ''");
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const int64_t id = RequireExperiment(*db, experiment_id);
    if (LoadExperiment(*db, id).lifecycle_stage != LifecycleStage::kActive) {
      ThrowInvalidState("Cannot rename a non-active experiment.");
    }
    bool taken = false;
    db->Exec("SELECT 1 FROM experiments WHERE name = ? AND experiment_id <> ?", {new_name, id},
             [&](const SqlRow&) { taken = true; });
    if (taken) ThrowAlreadyExists("Experiment '{}' already exists.", new_name);
    db->Exec("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?",
             {new_name, Now(), id});
  });
}

void SqlStore::SetExperimentTag(const std::string& experiment_id, const Tag& tag) {
  ValidateKey("tag", tag.key);
  ValidateValue("Tag value", tag.key, tag.value, kMaxTagValueBytes);
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const int64_t id = RequireExperiment(*db, experiment_id);
    if (LoadExperiment(*db, id).lifecycle_stage != LifecycleStage::kActive) {
      ThrowInvalid("The experiment {} must be in the 'active' state. Current state is deleted.",
                   experiment_id);
    }
    db->Exec(
        "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
        {id, tag.key, tag.value});
  });
}

void SqlStore::DeleteExperimentTag(const std::string& experiment_id, const std::string& key) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const int64_t id = RequireExperiment(*db, experiment_id);
    if (db->Exec("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", {id, key}) ==
        0) {
      ThrowNotFound("No tag with name: {} in experiment with id {}", key, experiment_id);
    }
  });
}

// ------------------------------------------------------------------- runs --

RunRow SqlStore::RequireRun(SqlDb& db, const std::string& run_id) {
  std::optional<RunRow> found;
  db.Exec(std::string("SELECT r.id, ") + kRunColumns + " FROM runs r WHERE r.run_uuid = ?",
          {run_id}, [&](const SqlRow& row) {
            found = RunRow{row.Int(0), ReadRunInfo(row, 1)};
          });
  if (!found) ThrowNotFound("Run with id={} not found", run_id);
  return *found;
}

RunRow SqlStore::RequireActiveRun(SqlDb& db, const std::string& run_id) {
  RunRow run = RequireRun(db, run_id);
  if (run.info.lifecycle_stage != LifecycleStage::kActive) {
    ThrowInvalid("The run {} must be in the 'active' state. Current state is deleted.", run_id);
  }
  return run;
}

Run SqlStore::CreateRun(const NewRun& request) {
  for (const Tag& tag : request.tags) {
    ValidateKey("tag", tag.key);
    ValidateValue("Tag value", tag.key, tag.value, kMaxTagValueBytes);
  }
  const std::string experiment_id =
      request.experiment_id.empty() ? std::to_string(kDefaultExperimentId) : request.experiment_id;
  std::string name = request.run_name;
  for (const Tag& tag : request.tags) {
    if (tag.key == "mlflow.runName") {
      if (!name.empty() && name != tag.value) {
        ThrowInvalid(
            "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
            "different values (run_name='{}', mlflow.runName='{}').",
            name, tag.value);
      }
      name = tag.value;
    }
  }
  if (name.empty()) name = NewRunName();
  auto db = Connect();
  const std::string run_id = NewRunId();
  InWriteTransaction(*db, [&] {
    const int64_t exp_id = RequireExperiment(*db, experiment_id);
    const Experiment experiment = LoadExperiment(*db, exp_id);
    if (experiment.lifecycle_stage != LifecycleStage::kActive) {
      ThrowInvalid("The experiment {} must be in the 'active' state. Current state is deleted.",
                   experiment_id);
    }
    std::string location = experiment.artifact_location;
    while (location.size() > 1 && location.back() == '/') location.pop_back();
    const std::string artifact_uri = location + "/" + run_id + "/artifacts";
    const int64_t start = request.start_time.value_or(Now());
    int64_t id = 0;
    db->Exec(
        "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, "
        "artifact_uri, lifecycle_stage) VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, 'active') "
        "RETURNING id",
        {run_id, exp_id, name, request.user_id, start, artifact_uri},
        [&](const SqlRow& row) { id = row.Int(0); });
    RunRow run{id, {}};
    std::vector<Tag> tags = request.tags;
    if (std::none_of(tags.begin(), tags.end(),
                     [](const Tag& t) { return t.key == "mlflow.runName"; })) {
      tags.push_back({"mlflow.runName", name});
    }
    if (!request.user_id.empty() && std::none_of(tags.begin(), tags.end(), [](const Tag& t) {
          return t.key == "mlflow.user";
        })) {
      tags.push_back({"mlflow.user", request.user_id});
    }
    LogTags(*db, run, tags);
  });
  return GetRun(run_id);
}

RunInfo SqlStore::UpdateRun(const RunUpdate& update) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const RunRow run = RequireActiveRun(*db, update.run_id);
    if (update.status) {
      db->Exec("UPDATE runs SET status = ? WHERE id = ?",
               {std::string_view(RunStatusName(*update.status)), run.id});
    }
    if (update.end_time)
      db->Exec("UPDATE runs SET end_time = ? WHERE id = ?", {*update.end_time, run.id});
    if (update.run_name && !update.run_name->empty()) {
      const Tag tag{"mlflow.runName", *update.run_name};
      LogTags(*db, run, std::span<const Tag>(&tag, 1));
    }
  });
  auto db2 = Connect();
  return InReadTransaction(*db2, [&] { return RequireRun(*db2, update.run_id).info; });
}

void SqlStore::DeleteRun(const std::string& run_id) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const RunRow run = RequireRun(*db, run_id);
    db->Exec("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE id = ?",
             {Now(), run.id});
  });
}

void SqlStore::RestoreRun(const std::string& run_id) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const RunRow run = RequireRun(*db, run_id);
    db->Exec("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE id = ?",
             {run.id});
  });
}

Run SqlStore::GetRun(const std::string& run_id) {
  auto db = Connect();
  return InReadTransaction(*db, [&] {
    RunRow row = RequireRun(*db, run_id);
    Run run;
    run.info = std::move(row.info);
    Run* runs[] = {&run};
    LoadRunData(*db, std::span<const int64_t>(&row.id, 1), runs);
    return run;
  });
}

// ---------------------------------------------------------------- logging --

void SqlStore::LogParams(SqlDb& db, const RunRow& run, std::span<const Param> params) {
  for (const Param& param : params) {
    int64_t inserted = db.Exec(
        "INSERT INTO params (run, key, value) VALUES (?, ?, ?) ON CONFLICT (run, key) DO NOTHING",
        {run.id, param.key, param.value});
    if (inserted) continue;
    std::string existing;
    db.Exec("SELECT value FROM params WHERE run = ? AND key = ?", {run.id, param.key},
            [&](const SqlRow& row) { existing = std::string(row.Text(0)); });
    if (existing != param.value) {
      ThrowInvalid(
          "Changing param values is not allowed. Param with key='{}' was already logged with "
          "value='{}' for run ID='{}'. Attempted logging new value '{}'.",
          param.key, existing, run.info.run_id, param.value);
    }
  }
}

void SqlStore::LogTags(SqlDb& db, const RunRow& run, std::span<const Tag> tags) {
  for (const Tag& tag : tags) {
    db.Exec(
        "INSERT INTO tags (run, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (run, key) DO UPDATE SET value = excluded.value",
        {run.id, tag.key, tag.value});
    // The run's name and its mlflow.runName tag are one value, as in MLflow.
    if (tag.key == "mlflow.runName") {
      db.Exec("UPDATE runs SET name = ? WHERE id = ?", {tag.value, run.id});
    }
  }
}

void SqlStore::LogMetrics(SqlDb& db, const RunRow& run, std::span<const Metric> metrics) {
  // History: multi-row inserts of up to kChunk points, exact duplicates ignored.
  constexpr size_t kChunk = 100;
  static const std::string kChunkSql = [] {
    std::string sql = "INSERT INTO metrics (run, key, step, timestamp, value, is_nan) VALUES ";
    for (size_t i = 0; i < kChunk; ++i) sql += i ? ", (?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?)";
    return sql + " ON CONFLICT DO NOTHING";
  }();
  static const char* kOneSql =
      "INSERT INTO metrics (run, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING";
  std::vector<SqlValue> params;
  params.reserve(kChunk * 6);
  auto bind = [&](const Metric& m) {
    const bool nan = std::isnan(m.value);
    params.insert(params.end(), {run.id, std::string_view(m.key), m.step, m.timestamp,
                                 nan ? 0.0 : m.value, int64_t{nan}});
  };
  size_t i = 0;
  for (; i + kChunk <= metrics.size(); i += kChunk) {
    params.clear();
    for (size_t j = i; j < i + kChunk; ++j) bind(metrics[j]);
    db.Exec(kChunkSql, params);
  }
  for (; i < metrics.size(); ++i) {
    params.clear();
    bind(metrics[i]);
    db.Exec(kOneSql, params);
  }

  // Latest values: one upsert per key, with the batch's own latest point.
  std::map<std::string_view, const Metric*> latest;
  for (const Metric& m : metrics) {
    auto [it, inserted] = latest.emplace(m.key, &m);
    if (!inserted && IsLater(m, *it->second)) it->second = &m;
  }
  for (const auto& [key, m] : latest) {
    const bool nan = std::isnan(m->value);
    const double value = nan ? 0.0 : m->value;
    db.Exec(
        "INSERT INTO latest_metrics (run, key, step, timestamp, value, is_nan) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run, key) DO UPDATE SET step = excluded.step, "
        "timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan "
        "WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND "
        "(excluded.timestamp > latest_metrics.timestamp OR (excluded.timestamp = "
        "latest_metrics.timestamp AND ((latest_metrics.is_nan = 1 AND excluded.is_nan = 0) OR "
        "(excluded.is_nan = 0 AND excluded.value > latest_metrics.value)))))",
        {run.id, key, m->step, m->timestamp, value, int64_t{nan}});
  }
}

void SqlStore::LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                        const std::vector<Param>& params, const std::vector<Tag>& tags) {
  if (metrics.size() > kMaxBatchMetrics || params.size() > kMaxBatchParams ||
      tags.size() > kMaxBatchTags ||
      metrics.size() + params.size() + tags.size() > kMaxBatchEntries) {
    ThrowInvalid(
        "A batch logging request can contain at most {} metrics, {} params, {} tags and {} "
        "entries in total; got {} metrics, {} params and {} tags",
        kMaxBatchMetrics, kMaxBatchParams, kMaxBatchTags, kMaxBatchEntries, metrics.size(),
        params.size(), tags.size());
  }
  for (const Metric& m : metrics) ValidateKey("metric", m.key);
  std::map<std::string_view, std::string_view> seen_params;
  for (const Param& p : params) {
    ValidateKey("param", p.key);
    ValidateValue("Param value", p.key, p.value, kMaxParamValueBytes);
    auto [it, inserted] = seen_params.emplace(p.key, p.value);
    if (!inserted && it->second != p.value) {
      ThrowInvalid("Duplicate parameter keys have been submitted: '{}' with different values",
                   p.key);
    }
  }
  for (const Tag& t : tags) {
    ValidateKey("tag", t.key);
    ValidateValue("Tag value", t.key, t.value, kMaxTagValueBytes);
  }
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const RunRow run = RequireActiveRun(*db, run_id);
    LogParams(*db, run, params);
    LogTags(*db, run, tags);
    LogMetrics(*db, run, metrics);
  });
}

void SqlStore::DeleteTag(const std::string& run_id, const std::string& key) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const RunRow run = RequireActiveRun(*db, run_id);
    if (db->Exec("DELETE FROM tags WHERE run = ? AND key = ?", {run.id, key}) == 0) {
      ThrowNotFound("No tag with name: {} in run with id {}", key, run_id);
    }
  });
}

void SqlStore::LogInputs(const std::string& run_id, const std::vector<DatasetInput>& inputs) {
  for (const DatasetInput& input : inputs) {
    if (input.dataset.name.empty() || input.dataset.digest.empty()) {
      ThrowInvalid("A dataset input needs a name and a digest");
    }
  }
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    const RunRow run = RequireActiveRun(*db, run_id);
    const int64_t experiment = *ParseId(run.info.experiment_id);
    for (const DatasetInput& input : inputs) {
      const Dataset& d = input.dataset;
      db->Exec(
          "INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, "
          "profile) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name, digest) DO "
          "NOTHING",
          {experiment, d.name, d.digest, d.source_type, d.source, d.schema, d.profile});
      int64_t dataset = 0;
      db->Exec("SELECT id FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
               {experiment, d.name, d.digest}, [&](const SqlRow& row) { dataset = row.Int(0); });
      nlohmann::json tags = nlohmann::json::array();
      std::string context;
      for (const Tag& tag : input.tags) {
        tags.push_back({{"key", tag.key}, {"value", tag.value}});
        if (tag.key == "mlflow.data.context") context = tag.value;
      }
      const std::string tags_json = tags.dump();
      db->Exec(
          "INSERT INTO inputs (run, dataset, context, tags_json) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (run, dataset) DO NOTHING",
          {run.id, dataset, context, tags_json});
    }
  });
}

Page<Metric> SqlStore::GetMetricHistory(const std::string& run_id, const std::string& key,
                                        int64_t max_results, const std::string& page_token) {
  if (max_results < 0) CheckMaxResults(max_results, kSearchLimit);
  const int64_t offset = ParsePageToken(page_token);
  auto db = Connect();
  return InReadTransaction(*db, [&] {
    const RunRow run = RequireRun(*db, run_id);
    Page<Metric> page;
    const int64_t limit = max_results > 0 ? max_results + 1 : -1;
    db->Exec(
        "SELECT step, timestamp, value, is_nan FROM metrics WHERE run = ? AND key = ? "
        "ORDER BY timestamp, step, value LIMIT ? OFFSET ?",
        {run.id, key, limit < 0 ? std::numeric_limits<int64_t>::max() : limit, offset},
        [&](const SqlRow& row) {
          Metric m;
          m.key = key;
          m.step = row.Int(0);
          m.timestamp = row.Int(1);
          m.value = row.Int(3) ? std::nan("") : row.Double(2);
          page.items.push_back(std::move(m));
        });
    if (max_results > 0 && static_cast<int64_t>(page.items.size()) > max_results) {
      page.items.pop_back();
      page.next_page_token = MakePageToken(offset + max_results);
    }
    return page;
  });
}

}  // namespace leanops::track
