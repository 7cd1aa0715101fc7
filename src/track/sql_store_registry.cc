// SqlStore: the model registry (registered models, versions, legacy stages,
// aliases and their history).
#include <algorithm>
#include <cctype>

#include "track/api_error.h"
#include "track/sql_store_internal.h"

namespace leanops::track {
namespace {

constexpr const char* kDeletedStage = "Deleted_Internal";
constexpr int64_t kModelSearchLimit = 1000;
constexpr int64_t kVersionSearchLimit = 200000;
constexpr const char* kVersionColumns =
    "name, version, creation_time, last_updated_time, description, user_id, current_stage, "
    "source, run_id, run_link, status, status_message";

void ValidateModelName(const std::string& name) {
  if (name.empty()) ThrowInvalid("Registered model name cannot be empty.");
}

// MLflow reserves "latest" and version-like names ("v1", "V12") for URIs.
void ValidateAlias(const std::string& alias) {
  if (alias.empty()) ThrowInvalid("Alias name cannot be empty.");
  if (alias.size() > 256) ThrowInvalid("Alias name '{}' exceeds the limit of 256 bytes.", alias);
  std::string lower = alias;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool version_like =
      lower.size() > 1 && lower[0] == 'v' &&
      std::all_of(lower.begin() + 1, lower.end(), [](unsigned char c) { return std::isdigit(c); });
  if (lower == "latest" || version_like) {
    ThrowInvalid("'{}' alias name (case insensitive) is reserved.", alias);
  }
}

ModelVersionStatus ParseVersionStatus(std::string_view text) {
  if (text == "PENDING_REGISTRATION") return ModelVersionStatus::kPendingRegistration;
  if (text == "FAILED_REGISTRATION") return ModelVersionStatus::kFailedRegistration;
  return ModelVersionStatus::kReady;
}

ModelVersion ReadVersion(const SqlRow& row) {
  ModelVersion v;
  v.name = std::string(row.Text(0));
  v.version = row.Int(1);
  v.creation_timestamp = row.Int(2);
  v.last_updated_timestamp = row.Int(3);
  v.description = std::string(row.Text(4));
  v.user_id = std::string(row.Text(5));
  v.current_stage = std::string(row.Text(6));
  v.source = std::string(row.Text(7));
  v.run_id = std::string(row.Text(8));
  v.run_link = std::string(row.Text(9));
  v.status = ParseVersionStatus(row.Text(10));
  v.status_message = std::string(row.Text(11));
  return v;
}

}  // namespace

// ---------------------------------------------------------------- helpers --

void SqlStore::RequireRegisteredModel(SqlDb& db, const std::string& name) {
  bool exists = false;
  db.Exec("SELECT 1 FROM registered_models WHERE name = ?", {name},
          [&](const SqlRow&) { exists = true; });
  if (!exists) ThrowNotFound("Registered Model with name={} not found", name);
}

std::vector<ModelVersion> SqlStore::QueryModelVersions(SqlDb& db, const std::string& where,
                                                       std::span<const SqlValue> params) {
  std::vector<ModelVersion> versions;
  db.Exec(std::string("SELECT ") + kVersionColumns + " FROM model_versions WHERE " + where, params,
          [&](const SqlRow& row) { versions.push_back(ReadVersion(row)); });
  for (ModelVersion& v : versions) {
    db.Exec("SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? ORDER BY " +
                TextOrder(dialect_, "key"),
            {v.name, v.version}, [&](const SqlRow& row) {
              v.tags.push_back({std::string(row.Text(0)), std::string(row.Text(1))});
            });
    db.Exec("SELECT alias FROM model_aliases WHERE name = ? AND version = ? ORDER BY " +
                TextOrder(dialect_, "alias"),
            {v.name, v.version}, [&](const SqlRow& row) { v.aliases.emplace_back(row.Text(0)); });
  }
  return versions;
}

ModelVersion SqlStore::LoadModelVersion(SqlDb& db, const std::string& name, int64_t version) {
  auto versions = QueryModelVersions(
      db, std::string("name = ? AND version = ? AND current_stage <> '") + kDeletedStage + "'",
      std::initializer_list<SqlValue>{name, version});
  if (versions.empty())
    ThrowNotFound("Model Version (name={}, version={}) not found", name, version);
  return std::move(versions.front());
}

RegisteredModel SqlStore::LoadRegisteredModel(SqlDb& db, const std::string& name) {
  std::optional<RegisteredModel> model;
  db.Exec(
      "SELECT name, creation_time, last_updated_time, description, user_id "
      "FROM registered_models WHERE name = ?",
      {name}, [&](const SqlRow& row) {
        RegisteredModel m;
        m.name = std::string(row.Text(0));
        m.creation_timestamp = row.Int(1);
        m.last_updated_timestamp = row.Int(2);
        m.description = std::string(row.Text(3));
        m.user_id = std::string(row.Text(4));
        model = std::move(m);
      });
  if (!model) ThrowNotFound("Registered Model with name={} not found", name);
  db.Exec("SELECT key, value FROM registered_model_tags WHERE name = ? ORDER BY " +
              TextOrder(dialect_, "key"),
          {name}, [&](const SqlRow& row) {
            model->tags.push_back({std::string(row.Text(0)), std::string(row.Text(1))});
          });
  db.Exec("SELECT alias, version FROM model_aliases WHERE name = ? ORDER BY " +
              TextOrder(dialect_, "alias"),
          {name}, [&](const SqlRow& row) {
            model->aliases.push_back({std::string(row.Text(0)), row.Int(1)});
          });
  // The latest version of each stage, as MLflow's latest_versions.
  model->latest_versions = QueryModelVersions(
      db,
      std::string("name = ? AND current_stage <> '") + kDeletedStage +
          "' AND version IN (SELECT MAX(version) FROM model_versions WHERE name = ? AND "
          "current_stage <> '" +
          kDeletedStage + "' GROUP BY current_stage) ORDER BY version",
      std::initializer_list<SqlValue>{name, name});
  return *model;
}

void SqlStore::RecordAliasMove(SqlDb& db, const std::string& name, const std::string& alias,
                               std::optional<int64_t> from, std::optional<int64_t> to,
                               const AliasChange& change) {
  auto version = [](std::optional<int64_t> v) -> SqlValue {
    return v ? SqlValue(*v) : SqlValue(nullptr);
  };
  db.Exec(
      "INSERT INTO alias_history (name, alias, from_version, to_version, user_id, time, reason) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {name, alias, version(from), version(to), change.user, Now(), change.reason});
}

// --------------------------------------------------------- registered models --

RegisteredModel SqlStore::CreateRegisteredModel(const std::string& name,
                                                const std::vector<Tag>& tags,
                                                const std::string& description) {
  ValidateModelName(name);
  auto db = Connect();
  return InWriteTransaction(*db, [&] {
    bool exists = false;
    db->Exec("SELECT 1 FROM registered_models WHERE name = ?", {name},
             [&](const SqlRow&) { exists = true; });
    if (exists) ThrowAlreadyExists("Registered Model (name={}) already exists.", name);
    const int64_t now = Now();
    db->Exec(
        "INSERT INTO registered_models (name, creation_time, last_updated_time, description, "
        "user_id) VALUES (?, ?, ?, ?, '')",
        {name, now, now, description});
    for (const Tag& tag : tags) {
      db->Exec(
          "INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) "
          "ON CONFLICT (name, key) DO UPDATE SET value = excluded.value",
          {name, tag.key, tag.value});
    }
    return LoadRegisteredModel(*db, name);
  });
}

RegisteredModel SqlStore::RenameRegisteredModel(const std::string& name,
                                                const std::string& new_name) {
  ValidateModelName(new_name);
  auto db = Connect();
  return InWriteTransaction(*db, [&] {
    RequireRegisteredModel(*db, name);
    bool taken = false;
    db->Exec("SELECT 1 FROM registered_models WHERE name = ?", {new_name},
             [&](const SqlRow&) { taken = true; });
    if (taken) ThrowAlreadyExists("Registered Model (name={}) already exists.", new_name);
    // Versions, tags and aliases follow by ON UPDATE CASCADE; the history
    // has no foreign key (it outlives deleted versions), so it is renamed here.
    db->Exec("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?",
             {new_name, Now(), name});
    db->Exec("UPDATE alias_history SET name = ? WHERE name = ?", {new_name, name});
    return LoadRegisteredModel(*db, new_name);
  });
}

RegisteredModel SqlStore::UpdateRegisteredModel(const std::string& name,
                                                const std::string& description) {
  auto db = Connect();
  return InWriteTransaction(*db, [&] {
    RequireRegisteredModel(*db, name);
    db->Exec("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?",
             {description, Now(), name});
    return LoadRegisteredModel(*db, name);
  });
}

void SqlStore::DeleteRegisteredModel(const std::string& name) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    RequireRegisteredModel(*db, name);
    db->Exec("DELETE FROM registered_models WHERE name = ?", {name});
    db->Exec("DELETE FROM alias_history WHERE name = ?", {name});
  });
}

RegisteredModel SqlStore::GetRegisteredModel(const std::string& name) {
  auto db = Connect();
  return InReadTransaction(*db, [&] { return LoadRegisteredModel(*db, name); });
}

Page<RegisteredModel> SqlStore::SearchRegisteredModels(const ModelSearch& query) {
  CheckMaxResults(query.max_results, kModelSearchLimit);
  const auto filter = ParseRegisteredModelFilter(query.filter);
  const int64_t offset = ParsePageToken(query.page_token);
  std::vector<std::string> texts;
  texts.reserve(filter.size() * 2);
  std::vector<SqlValue> params;
  std::string sql = "SELECT m.name FROM registered_models m WHERE 1 = 1";
  for (const Comparison& c : filter) {
    const bool like = c.op == Comparator::kLike || c.op == Comparator::kILike;
    std::string column = "m.name";
    if (c.type == EntityType::kTag) {
      texts.push_back(c.key);
      params.emplace_back(std::string_view(texts.back()));
      sql +=
          " AND EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = m.name AND "
          "t.key = ? AND ";
      column = "t.value";
    } else {
      sql += " AND (";
    }
    texts.push_back(std::get<std::string>(c.value));
    sql += (like ? LikeSql(dialect_, column, c.op) : column + " " + SqlOperator(c.op) + " ?") + ")";
    params.emplace_back(std::string_view(texts.back()));
  }
  std::string order_sql;
  bool has_name = false;
  for (const std::string& clause : query.order_by) {
    const OrderBy o = ParseRegisteredModelOrderBy(clause);
    const std::string column = o.key == "name"                     ? TextOrder(dialect_, "m.name")
                               : o.key == "last_updated_timestamp" ? "m.last_updated_time"
                                                                   : "m.creation_time";
    order_sql += column + (o.ascending ? " ASC, " : " DESC, ");
    has_name = has_name || o.key == "name";
  }
  order_sql += has_name ? "m.name" : TextOrder(dialect_, "m.name") + " ASC";
  sql += " ORDER BY " + order_sql + " LIMIT ? OFFSET ?";
  params.emplace_back(query.max_results + 1);
  params.emplace_back(offset);
  auto db = Connect();
  return InReadTransaction(*db, [&] {
    std::vector<std::string> names;
    db->Exec(sql, params, [&](const SqlRow& row) { names.emplace_back(row.Text(0)); });
    Page<RegisteredModel> page;
    if (static_cast<int64_t>(names.size()) > query.max_results) {
      names.pop_back();
      page.next_page_token = MakePageToken(offset + query.max_results);
    }
    for (const std::string& name : names) page.items.push_back(LoadRegisteredModel(*db, name));
    return page;
  });
}

void SqlStore::SetRegisteredModelTag(const std::string& name, const Tag& tag) {
  if (tag.key.empty()) ThrowInvalid("Missing value for required parameter 'key'");
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    RequireRegisteredModel(*db, name);
    db->Exec(
        "INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (name, key) DO UPDATE SET value = excluded.value",
        {name, tag.key, tag.value});
  });
}

void SqlStore::DeleteRegisteredModelTag(const std::string& name, const std::string& key) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    RequireRegisteredModel(*db, name);
    db->Exec("DELETE FROM registered_model_tags WHERE name = ? AND key = ?", {name, key});
  });
}

// --------------------------------------------------------------- versions --

std::vector<ModelVersion> SqlStore::GetLatestVersions(const std::string& name,
                                                      const std::vector<std::string>& stages) {
  std::vector<std::string> wanted;
  for (const std::string& stage : stages) wanted.push_back(CanonicalStage(stage));
  auto db = Connect();
  return InReadTransaction(*db, [&] {
    RegisteredModel model = LoadRegisteredModel(*db, name);
    std::vector<ModelVersion> out;
    for (ModelVersion& v : model.latest_versions) {
      if (wanted.empty() ||
          std::find(wanted.begin(), wanted.end(), v.current_stage) != wanted.end()) {
        out.push_back(std::move(v));
      }
    }
    return out;
  });
}

ModelVersion SqlStore::CreateModelVersion(const NewModelVersion& request) {
  ValidateModelName(request.name);
  if (request.source.empty()) ThrowInvalid("Missing value for required parameter 'source'");
  auto db = Connect();
  return InWriteTransaction(*db, [&] {
    const int64_t now = Now();
    // Touching the model row first serialises concurrent registrations (a
    // row lock on PostgreSQL; SQLite's write lock is already held).
    if (db->Exec("UPDATE registered_models SET last_updated_time = ? WHERE name = ?",
                 {now, request.name}) == 0) {
      ThrowNotFound("Registered Model with name={} not found", request.name);
    }
    int64_t version = 1;
    db->Exec("SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?",
             {request.name}, [&](const SqlRow& row) { version = row.Int(0); });
    db->Exec(
        "INSERT INTO model_versions (name, version, creation_time, last_updated_time, "
        "description, user_id, current_stage, source, run_id, run_link, status, status_message) "
        "VALUES (?, ?, ?, ?, ?, ?, 'None', ?, ?, ?, 'READY', '')",
        {request.name, version, now, now, request.description, request.user_id, request.source,
         request.run_id, request.run_link});
    for (const Tag& tag : request.tags) {
      db->Exec(
          "INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
          {request.name, version, tag.key, tag.value});
    }
    return LoadModelVersion(*db, request.name, version);
  });
}

ModelVersion SqlStore::UpdateModelVersion(const std::string& name, int64_t version,
                                          const std::string& description) {
  auto db = Connect();
  return InWriteTransaction(*db, [&] {
    LoadModelVersion(*db, name, version);
    db->Exec(
        "UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND "
        "version = ?",
        {description, Now(), name, version});
    return LoadModelVersion(*db, name, version);
  });
}

ModelVersion SqlStore::TransitionModelVersionStage(const std::string& name, int64_t version,
                                                   const std::string& stage,
                                                   bool archive_existing) {
  const std::string target = CanonicalStage(stage);
  if (archive_existing && target != "Staging" && target != "Production") {
    ThrowInvalid(
        "Model version transition cannot archive existing model versions because '{}' "
        "is not an Active stage. Valid stages are Staging, Production",
        target);
  }
  auto db = Connect();
  return InWriteTransaction(*db, [&] {
    LoadModelVersion(*db, name, version);
    const int64_t now = Now();
    if (archive_existing && (target == "Staging" || target == "Production")) {
      db->Exec(
          "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? "
          "WHERE name = ? AND current_stage = ? AND version <> ?",
          {now, name, target, version});
    }
    db->Exec(
        "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND "
        "version = ?",
        {target, now, name, version});
    db->Exec("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", {now, name});
    return LoadModelVersion(*db, name, version);
  });
}

void SqlStore::DeleteModelVersion(const std::string& name, int64_t version) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    LoadModelVersion(*db, name, version);
    std::vector<std::string> aliases;
    db->Exec("SELECT alias FROM model_aliases WHERE name = ? AND version = ?", {name, version},
             [&](const SqlRow& row) { aliases.emplace_back(row.Text(0)); });
    for (const std::string& alias : aliases) {
      RecordAliasMove(*db, name, alias, version, std::nullopt,
                      {"", fmt::format("version {} deleted", version)});
    }
    db->Exec("DELETE FROM model_aliases WHERE name = ? AND version = ?", {name, version});
    db->Exec("DELETE FROM model_version_tags WHERE name = ? AND version = ?", {name, version});
    // Kept as a tombstone so that the number is never handed out again.
    db->Exec(
        "UPDATE model_versions SET current_stage = ?, description = '', source = '', run_id = '', "
        "run_link = '', user_id = '', last_updated_time = ? WHERE name = ? AND version = ?",
        {std::string_view(kDeletedStage), Now(), name, version});
  });
}

ModelVersion SqlStore::GetModelVersion(const std::string& name, int64_t version) {
  auto db = Connect();
  return InReadTransaction(*db, [&] { return LoadModelVersion(*db, name, version); });
}

Page<ModelVersion> SqlStore::SearchModelVersions(const ModelSearch& query) {
  CheckMaxResults(query.max_results, kVersionSearchLimit);
  const auto filter = ParseModelVersionFilter(query.filter);
  const int64_t offset = ParsePageToken(query.page_token);
  std::vector<std::string> texts;
  texts.reserve(filter.size() * 8);
  std::vector<SqlValue> params;
  std::string where = std::string("current_stage <> '") + kDeletedStage + "'";
  for (const Comparison& c : filter) {
    if (c.key == "version_number") {
      where += std::string(" AND version ") + SqlOperator(c.op) + " ?";
      params.emplace_back(std::get<double>(c.value));
      continue;
    }
    std::string column = c.key == "source_path" ? "source" : c.key;  // name, run_id
    if (c.type == EntityType::kTag) {
      texts.push_back(c.key);
      params.emplace_back(std::string_view(texts.back()));
      where +=
          " AND EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = "
          "model_versions.name AND t.version = model_versions.version AND t.key = ? AND ";
      column = "t.value";
    } else {
      where += " AND (";
    }
    if (c.op == Comparator::kIn || c.op == Comparator::kNotIn) {
      const auto& list = std::get<std::vector<std::string>>(c.value);
      where += column + (c.op == Comparator::kIn ? " IN (NULL" : " NOT IN (NULL");
      for (const std::string& item : list) {
        texts.push_back(item);
        where += ", ?";
        params.emplace_back(std::string_view(texts.back()));
      }
      where += "))";
      continue;
    }
    texts.push_back(std::get<std::string>(c.value));
    const bool like = c.op == Comparator::kLike || c.op == Comparator::kILike;
    where +=
        (like ? LikeSql(dialect_, column, c.op) : column + " " + SqlOperator(c.op) + " ?") + ")";
    params.emplace_back(std::string_view(texts.back()));
  }
  std::string order_sql;
  for (const std::string& clause : query.order_by) {
    const OrderBy o = ParseModelVersionOrderBy(clause);
    const std::string column = o.key == "name"                     ? TextOrder(dialect_, "name")
                               : o.key == "version_number"         ? "version"
                               : o.key == "last_updated_timestamp" ? "last_updated_time"
                                                                   : "creation_time";
    order_sql += column + (o.ascending ? " ASC, " : " DESC, ");
  }
  order_sql += TextOrder(dialect_, "name") + " ASC, version DESC";
  where += " ORDER BY " + order_sql + " LIMIT ? OFFSET ?";
  params.emplace_back(query.max_results + 1);
  params.emplace_back(offset);
  auto db = Connect();
  return InReadTransaction(*db, [&] {
    Page<ModelVersion> page;
    page.items = QueryModelVersions(*db, where, params);
    if (static_cast<int64_t>(page.items.size()) > query.max_results) {
      page.items.pop_back();
      page.next_page_token = MakePageToken(offset + query.max_results);
    }
    return page;
  });
}

std::string SqlStore::GetModelVersionDownloadUri(const std::string& name, int64_t version) {
  return GetModelVersion(name, version).source;
}

void SqlStore::SetModelVersionTag(const std::string& name, int64_t version, const Tag& tag) {
  if (tag.key.empty()) ThrowInvalid("Missing value for required parameter 'key'");
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    LoadModelVersion(*db, name, version);
    db->Exec(
        "INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
        {name, version, tag.key, tag.value});
  });
}

void SqlStore::DeleteModelVersionTag(const std::string& name, int64_t version,
                                     const std::string& key) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    LoadModelVersion(*db, name, version);
    db->Exec("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
             {name, version, key});
  });
}

// ---------------------------------------------------------------- aliases --

void SqlStore::SetAlias(const std::string& name, const std::string& alias, int64_t version,
                        const AliasChange& change) {
  ValidateAlias(alias);
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    LoadModelVersion(*db, name, version);
    std::optional<int64_t> previous;
    db->Exec("SELECT version FROM model_aliases WHERE name = ? AND alias = ?", {name, alias},
             [&](const SqlRow& row) { previous = row.Int(0); });
    if (previous == version) return;
    db->Exec(
        "INSERT INTO model_aliases (name, alias, version) VALUES (?, ?, ?) "
        "ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
        {name, alias, version});
    RecordAliasMove(*db, name, alias, previous, version, change);
  });
}

void SqlStore::DeleteAlias(const std::string& name, const std::string& alias,
                           const AliasChange& change) {
  auto db = Connect();
  InWriteTransaction(*db, [&] {
    RequireRegisteredModel(*db, name);
    std::optional<int64_t> previous;
    db->Exec("SELECT version FROM model_aliases WHERE name = ? AND alias = ?", {name, alias},
             [&](const SqlRow& row) { previous = row.Int(0); });
    if (!previous) return;  // MLflow: deleting a missing alias is not an error
    db->Exec("DELETE FROM model_aliases WHERE name = ? AND alias = ?", {name, alias});
    RecordAliasMove(*db, name, alias, previous, std::nullopt, change);
  });
}

ModelVersion SqlStore::GetModelVersionByAlias(const std::string& name, const std::string& alias) {
  auto db = Connect();
  return InReadTransaction(*db, [&] {
    RequireRegisteredModel(*db, name);
    std::optional<int64_t> version;
    db->Exec("SELECT version FROM model_aliases WHERE name = ? AND alias = ?", {name, alias},
             [&](const SqlRow& row) { version = row.Int(0); });
    if (!version) ThrowNotFound("Registered model alias {} not found.", alias);
    return LoadModelVersion(*db, name, *version);
  });
}

std::vector<AliasEvent> SqlStore::GetAliasHistory(const std::string& name,
                                                  const std::string& alias) {
  auto db = Connect();
  return InReadTransaction(*db, [&] {
    RequireRegisteredModel(*db, name);
    std::vector<AliasEvent> events;
    const std::string sql =
        "SELECT alias, from_version, to_version, user_id, time, reason FROM alias_history "
        "WHERE name = ?" +
        std::string(alias.empty() ? "" : " AND alias = ?") + " ORDER BY id";
    std::vector<SqlValue> params{std::string_view(name)};
    if (!alias.empty()) params.emplace_back(std::string_view(alias));
    db->Exec(sql, params, [&](const SqlRow& row) {
      AliasEvent e;
      e.model = name;
      e.alias = std::string(row.Text(0));
      if (!row.IsNull(1)) e.from_version = row.Int(1);
      if (!row.IsNull(2)) e.to_version = row.Int(2);
      e.user = std::string(row.Text(3));
      e.timestamp = row.Int(4);
      e.reason = std::string(row.Text(5));
      events.push_back(std::move(e));
    });
    return events;
  });
}

}  // namespace leanops::track
