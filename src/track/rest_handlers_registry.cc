// The model registry's endpoints (mlflow/protos/model_registry.proto), each
// as MLflow's handler in mlflow/server/handlers.py reads its request, plus
// the alias history that leanops keeps for `models rollback`.
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "track/api_error.h"
#include "track/http_server.h"
#include "track/rest_handlers.h"
#include "track/rest_json.h"

namespace leanops::track::rest {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Versions are strings on the wire and numbers in the store.
int64_t Version(Call& call) {
  const json* raw = call.Raw("version");
  if (raw != nullptr && raw->is_number_integer()) return raw->get<int64_t>();
  std::string text = call.RequiredString("version");
  bool digits = text.find_first_not_of("0123456789") == std::string::npos && text.size() < 19;
  if (!digits) ThrowInvalid("Parameter 'version' must be an integer, got '{}'.", text);
  return std::stoll(text);
}

ModelSearch SearchFields(Call& call, int64_t default_max, int64_t limit) {
  ModelSearch search;
  search.filter = call.String("filter");
  search.max_results = default_max;
  if (auto max_results = call.Int("max_results")) {
    if (*max_results > limit) Call::ThrowBadValue("max_results", *call.Raw("max_results"));
    search.max_results = *max_results;
  }
  search.order_by = call.StringList("order_by");
  search.page_token = call.String("page_token");
  return search;
}

// Local file paths, as mlflow.utils.uri.is_local_uri tells them apart: no
// scheme, or file: on this host.
bool IsLocalUri(const std::string& uri) {
  static const std::regex kScheme("^([A-Za-z][A-Za-z0-9+.-]*):");
  std::smatch match;
  if (!std::regex_search(uri, match, kScheme)) return true;
  if (match[1] != "file") return false;
  std::string rest = uri.substr(5);
  if (rest.rfind("//", 0) != 0) return true;
  std::string host = rest.substr(
      2, rest.find('/', 2) == std::string::npos ? std::string::npos : rest.find('/', 2) - 2);
  return host.empty() || host == "." || host.rfind("localhost", 0) == 0 ||
         host.rfind("127.0.0.1", 0) == 0;
}

std::string LocalUriToPath(const std::string& uri) {
  if (uri.rfind("file:", 0) != 0) return uri;
  std::string rest = uri.substr(5);
  if (rest.rfind("//", 0) == 0) {
    size_t slash = rest.find('/', 2);
    rest = slash == std::string::npos ? "/" : rest.substr(slash);
  }
  return http::DecodeUrl(rest, false);
}

std::string Resolved(const std::string& path) {
  std::error_code error;
  fs::path resolved = fs::weakly_canonical(fs::absolute(path, error), error);
  return resolved.lexically_normal().generic_string();
}

// A registered version may only point at local files inside its run's
// artifact folder, and a remote source may not climb out of its prefix
// with "..", so that the registry cannot be used to read arbitrary server
// files (MLflow's _validate_source_run).
void ValidateSource(Call& call, const std::string& source, const std::string& run_id) {
  if (IsLocalUri(source)) {
    std::string shown = source;
    if (!run_id.empty()) {
      std::string resolved = Resolved(LocalUriToPath(source));
      shown = resolved;
      std::string artifact_uri = call.store.GetRun(run_id).info.artifact_uri;
      if (IsLocalUri(artifact_uri)) {
        std::string root = Resolved(LocalUriToPath(artifact_uri));
        if (resolved == root || resolved.rfind(root + "/", 0) == 0 || root == "/") return;
      }
    }
    ThrowInvalid(
        "Invalid model version source: '{}'. To use a local path as a model version source, the "
        "run_id request parameter has to be specified and the local path has to be contained "
        "within the artifact directory of the run specified by the run_id.",
        shown);
  }
  std::string decoded = source;
  for (std::string next = http::DecodeUrl(decoded, true); next != decoded;
       next = http::DecodeUrl(decoded, true)) {
    decoded = next;
  }
  static const std::regex kAuthority("^[A-Za-z][A-Za-z0-9+.-]*:(//[^/?#]*)?");
  std::string path =
      std::regex_replace(decoded, kAuthority, "", std::regex_constants::format_first_only);
  path = path.substr(0, path.find_first_of("?#"));
  path = std::regex_replace(path, std::regex("/+"), "/");
  while (!path.empty() && path.back() == '/') path.pop_back();
  bool climbs = false;
  for (size_t start = 0; start <= decoded.size();) {
    size_t slash = decoded.find('/', start);
    if (slash == std::string::npos) slash = decoded.size();
    if (decoded.compare(start, slash - start, "..") == 0 && slash - start == 2) climbs = true;
    start = slash + 1;
  }
  // MLflow compares the path with pathlib's resolve() of it, which also
  // refuses an empty or relative path (it resolves against the cwd).
  std::string normal = fs::path(path).lexically_normal().generic_string();
  bool absolute = !path.empty() && path[0] == '/';
  if (path.find('\0') != std::string::npos || climbs || !absolute || normal != path) {
    ThrowInvalid(
        "Invalid model version source: '{}'. If supplying a source as an http, https, local file "
        "path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided "
        "without relative path references present. Please provide an absolute path.",
        source);
  }
}

void CreateRegisteredModel(Call& call) {
  std::string name = call.RequiredString("name");
  std::vector<Tag> tags = call.Tags("tags");
  RegisteredModel model = call.store.CreateRegisteredModel(name, tags, call.String("description"));
  call.Reply({{"registered_model", ToJson(model)}});
}

void GetRegisteredModel(Call& call) {
  call.Reply(
      {{"registered_model", ToJson(call.store.GetRegisteredModel(call.RequiredString("name")))}});
}

void UpdateRegisteredModel(Call& call) {
  std::string name = call.RequiredString("name");
  RegisteredModel model = call.store.UpdateRegisteredModel(name, call.String("description"));
  call.Reply({{"registered_model", ToJson(model)}});
}

void RenameRegisteredModel(Call& call) {
  std::string name = call.RequiredString("name");
  RegisteredModel model = call.store.RenameRegisteredModel(name, call.RequiredString("new_name"));
  call.Reply({{"registered_model", ToJson(model)}});
}

void DeleteRegisteredModel(Call& call) {
  call.store.DeleteRegisteredModel(call.RequiredString("name"));
  call.Reply(json::object());
}

void SearchRegisteredModels(Call& call) {
  json out = json::object();
  PutPage(out, "registered_models",
          call.store.SearchRegisteredModels(SearchFields(call, 100, 1000)),
          [](const RegisteredModel& model) { return ToJson(model); });
  call.Reply(out);
}

void GetLatestVersions(Call& call) {
  std::string name = call.RequiredString("name");
  json versions = json::array();
  for (const ModelVersion& version :
       call.store.GetLatestVersions(name, call.StringList("stages"))) {
    versions.push_back(ToJson(version));
  }
  json out = json::object();
  if (!versions.empty()) out["model_versions"] = std::move(versions);
  call.Reply(out);
}

void SetRegisteredModelTag(Call& call) {
  std::string name = call.RequiredString("name");
  Tag tag{call.RequiredString("key"), call.String("value")};
  call.store.SetRegisteredModelTag(name, tag);
  call.Reply(json::object());
}

void DeleteRegisteredModelTag(Call& call) {
  std::string name = call.RequiredString("name");
  call.store.DeleteRegisteredModelTag(name, call.RequiredString("key"));
  call.Reply(json::object());
}

void CreateModelVersion(Call& call) {
  NewModelVersion version;
  version.name = call.RequiredString("name");
  version.source = call.RequiredString("source");
  version.run_id = call.String("run_id");
  version.tags = call.Tags("tags");
  version.run_link = call.String("run_link");
  version.description = call.String("description");
  // Not in MLflow's request; leanops' client sends who registers.
  version.user_id = call.String("user_id");
  if (const char* pattern = std::getenv("MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX")) {
    if (*pattern != '\0' && !std::regex_search(version.source, std::regex(pattern))) {
      ThrowInvalid("Invalid model version source: '{}'.", version.source);
    }
  }
  ValidateSource(call, version.source, version.run_id);
  call.Reply({{"model_version", ToJson(call.store.CreateModelVersion(version))}});
}

void GetModelVersion(Call& call) {
  std::string name = call.RequiredString("name");
  call.Reply({{"model_version", ToJson(call.store.GetModelVersion(name, Version(call)))}});
}

void UpdateModelVersion(Call& call) {
  std::string name = call.RequiredString("name");
  int64_t version = Version(call);
  ModelVersion updated = call.store.UpdateModelVersion(name, version, call.String("description"));
  call.Reply({{"model_version", ToJson(updated)}});
}

void TransitionModelVersionStage(Call& call) {
  std::string name = call.RequiredString("name");
  int64_t version = Version(call);
  std::string stage = call.RequiredString("stage");
  bool archive = call.Bool("archive_existing_versions").value_or(false);
  ModelVersion moved = call.store.TransitionModelVersionStage(name, version, stage, archive);
  call.Reply({{"model_version", ToJson(moved)}});
}

void DeleteModelVersion(Call& call) {
  std::string name = call.RequiredString("name");
  call.store.DeleteModelVersion(name, Version(call));
  call.Reply(json::object());
}

void SearchModelVersions(Call& call) {
  json out = json::object();
  PutPage(out, "model_versions", call.store.SearchModelVersions(SearchFields(call, 200000, 200000)),
          [](const ModelVersion& version) { return ToJson(version); });
  call.Reply(out);
}

void GetModelVersionDownloadUri(Call& call) {
  std::string name = call.RequiredString("name");
  call.Reply({{"artifact_uri", call.store.GetModelVersionDownloadUri(name, Version(call))}});
}

void SetModelVersionTag(Call& call) {
  std::string name = call.RequiredString("name");
  int64_t version = Version(call);
  Tag tag{call.RequiredString("key"), call.String("value")};
  call.store.SetModelVersionTag(name, version, tag);
  call.Reply(json::object());
}

void DeleteModelVersionTag(Call& call) {
  std::string name = call.RequiredString("name");
  int64_t version = Version(call);
  call.store.DeleteModelVersionTag(name, version, call.RequiredString("key"));
  call.Reply(json::object());
}

// leanops clients say who moves an alias and why; MLflow's ignore it.
AliasChange Change(Call& call) {
  return AliasChange{call.String("leanops_user"), call.String("leanops_reason")};
}

void SetAlias(Call& call) {
  std::string name = call.RequiredString("name");
  std::string alias = call.RequiredString("alias");
  call.store.SetAlias(name, alias, Version(call), Change(call));
  call.Reply(json::object());
}

void DeleteAlias(Call& call) {
  std::string name = call.RequiredString("name");
  call.store.DeleteAlias(name, call.RequiredString("alias"), Change(call));
  call.Reply(json::object());
}

void GetModelVersionByAlias(Call& call) {
  std::string name = call.RequiredString("name");
  ModelVersion version = call.store.GetModelVersionByAlias(name, call.RequiredString("alias"));
  call.Reply({{"model_version", ToJson(version)}});
}

// GET /leanops/registered-models/alias-history?name=M[&alias=A], the
// format rest_client.cc documents.
void GetAliasHistory(Call& call) {
  std::string name = call.RequiredString("name");
  json events = json::array();
  for (const AliasEvent& event : call.store.GetAliasHistory(name, call.String("alias"))) {
    json entry = {{"model", event.model},
                  {"alias", event.alias},
                  {"user", event.user},
                  {"timestamp", event.timestamp},
                  {"reason", event.reason}};
    if (event.from_version) entry["from_version"] = std::to_string(*event.from_version);
    if (event.to_version) entry["to_version"] = std::to_string(*event.to_version);
    events.push_back(std::move(entry));
  }
  json out = json::object();
  if (!events.empty()) out["events"] = std::move(events);
  call.Reply(out);
}

}  // namespace

std::vector<Route> RegistryRoutes() {
  return {
      {"POST", "/mlflow/registered-models/create", CreateRegisteredModel},
      {"POST", "/mlflow/registered-models/rename", RenameRegisteredModel},
      {"PATCH", "/mlflow/registered-models/update", UpdateRegisteredModel},
      {"DELETE", "/mlflow/registered-models/delete", DeleteRegisteredModel},
      {"GET", "/mlflow/registered-models/get", GetRegisteredModel},
      {"GET", "/mlflow/registered-models/search", SearchRegisteredModels},
      {"POST", "/mlflow/registered-models/get-latest-versions", GetLatestVersions},
      {"GET", "/mlflow/registered-models/get-latest-versions", GetLatestVersions},
      {"POST", "/mlflow/registered-models/set-tag", SetRegisteredModelTag},
      {"DELETE", "/mlflow/registered-models/delete-tag", DeleteRegisteredModelTag},
      {"POST", "/mlflow/registered-models/alias", SetAlias},
      {"DELETE", "/mlflow/registered-models/alias", DeleteAlias},
      {"GET", "/mlflow/registered-models/alias", GetModelVersionByAlias},
      {"POST", "/mlflow/model-versions/create", CreateModelVersion},
      {"PATCH", "/mlflow/model-versions/update", UpdateModelVersion},
      {"POST", "/mlflow/model-versions/transition-stage", TransitionModelVersionStage},
      {"DELETE", "/mlflow/model-versions/delete", DeleteModelVersion},
      {"GET", "/mlflow/model-versions/get", GetModelVersion},
      {"GET", "/mlflow/model-versions/search", SearchModelVersions},
      {"GET", "/mlflow/model-versions/get-download-uri", GetModelVersionDownloadUri},
      {"POST", "/mlflow/model-versions/set-tag", SetModelVersionTag},
      {"DELETE", "/mlflow/model-versions/delete-tag", DeleteModelVersionTag},
      {"GET", "/leanops/registered-models/alias-history", GetAliasHistory},
  };
}

}  // namespace leanops::track::rest
