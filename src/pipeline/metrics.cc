#include "pipeline/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/subprocess.h"
#include "data/repo.h"
#include "pipeline/revision_fs.h"

namespace leanops {
namespace {

// `abs` relative to `root`, or nullopt when outside it (such files cannot
// be read at a revision and DVC refuses them too).
std::optional<std::string> RootRelative(const std::string& root, const std::string& abs) {
  std::string norm = NormalizePath(abs);
  if (norm.size() > root.size() && norm.compare(0, root.size(), root) == 0 &&
      norm[root.size()] == '/')
    return norm.substr(root.size() + 1);
  return std::nullopt;
}

void AddUnique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

bool IsNumber(const Json& v) { return v.is_number() || v.is_boolean(); }
bool IsIntegral(const Json& v) { return v.is_number_integer() || v.is_boolean(); }

int64_t AsInt(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_unsigned()) return static_cast<int64_t>(v.get<uint64_t>());
  return v.get<int64_t>();
}
double AsDouble(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}

// Python's ==: numbers (bools included) compare by value across types.
bool PyEqual(const Json& a, const Json& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (IsIntegral(a) && IsIntegral(b)) return AsInt(a) == AsInt(b);
    return AsDouble(a) == AsDouble(b);
  }
  return a == b;
}

// new - old with Python's types: int - int is an int, anything with a float a float.
Json PyMinus(const Json& new_value, const Json& old_value) {
  if (IsIntegral(new_value) && IsIntegral(old_value))
    return Json(AsInt(new_value) - AsInt(old_value));
  return Json(AsDouble(new_value) - AsDouble(old_value));
}

// A file's data as {dotted key: value}: nested mappings flattened, a lone
// value under "".
std::map<std::string, Json> FlatMap(const Json& data) {
  std::map<std::string, Json> out;
  for (auto& [key, value] : FlattenParams(data)) out[key] = value;
  return out;
}

// Lists become their Python text (dvc's format_dict), so they compare and
// print whole.
Json FormatLists(const Json& value) { return value.is_array() ? Json(PythonRepr(value)) : value; }

std::string Cell(const Json& value, bool round) {
  if (value.is_null()) return "-";
  if (round && value.is_number_float()) return RoundedFloatText(value.get<double>(), 5);
  return PythonStr(value);
}

size_t TextWidth(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count UTF-8 code points
  return n;
}

void DumpJson(const Json& value, int depth, std::string& out) {
  std::string pad(static_cast<size_t>(depth + 1) * 2, ' ');
  std::string close_pad(static_cast<size_t>(depth) * 2, ' ');
  switch (value.type()) {
    case Json::value_t::object: {
      if (value.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ",\n";
        first = false;
        out += pad + Json(key).dump(-1, ' ', false, Json::error_handler_t::replace) + ": ";
        DumpJson(item, depth + 1, out);
      }
      out += "\n" + close_pad + "}";
      return;
    }
    case Json::value_t::array: {
      if (value.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < value.size(); ++i) {
        if (i) out += ",\n";
        out += pad;
        DumpJson(value[i], depth + 1, out);
      }
      out += "\n" + close_pad + "]";
      return;
    }
    case Json::value_t::number_float: {
      double d = value.get<double>();
      if (std::isnan(d)) {
        out += "NaN";
      } else if (std::isinf(d)) {
        out += d > 0 ? "Infinity" : "-Infinity";
      } else {
        out += FormatPythonFloat(d);
      }
      return;
    }
    default:
      out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

// Opens a revision for reading: the workspace as is, or a git commit.
struct OpenedView {
  std::unique_ptr<RevisionFs> revision_fs;
  RevisionView view;
};

OpenedView OpenView(FileSystem& workspace_fs, const std::string& root, const std::string& rev) {
  OpenedView opened;
  if (rev == kWorkspace) {
    opened.view = LoadRevisionView(workspace_fs, root, rev, "");
  } else {
    opened.revision_fs = RevisionFs::Open(root, rev);
    opened.view = LoadRevisionView(*opened.revision_fs, root, rev, rev + ":");
  }
  return opened;
}

// DVC returns an empty diff in a git repository without commits.
bool GitHasNoCommits(const std::string& root) {
  ProcessResult top = RunCapture({"git", "rev-parse", "--git-dir"}, root);
  if (top.exit_code != 0) ThrowData("'{}' is not in a git repository: diffs need git", root);
  return !RevisionFs::ResolveCommit(root, "HEAD").has_value();
}

}  // namespace

std::vector<std::string> FindPipelineFiles(FileSystem& fs, const std::string& root) {
  std::vector<std::string> found;
  std::vector<std::string> stack{root};
  while (!stack.empty()) {
    std::string dir = stack.back();
    stack.pop_back();
    std::vector<std::string> names = fs.ListDir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      std::string path = dir + "/" + name;
      if (name == ".git" || name == ".dvc") continue;
      if (name == "dvc.yaml") {
        if (fs.StatFollow(path).is_file()) found.push_back(path);
        continue;
      }
      // A directory tracked by `<dir>.dvc` holds data, not pipelines.
      if (std::binary_search(names.begin(), names.end(), name + ".dvc")) continue;
      if (fs.Stat(path).is_dir()) stack.push_back(path);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

RevisionView LoadRevisionView(FileSystem& fs, const std::string& root, const std::string& rev,
                              const std::string& prefix) {
  RevisionView view;
  view.rev = rev;
  view.root = root;
  view.fs = &fs;
  view.prefix = prefix;
  for (const std::string& path : FindPipelineFiles(fs, root)) {
    std::string rel = RootRelative(root, path).value_or("dvc.yaml");
    view.pipelines.push_back(LoadPipeline(fs, path, prefix + rel));
  }
  return view;
}

std::vector<std::string> CollectMetricsFiles(const RevisionView& view) {
  // Stage outs of every pipeline first, then the top-level lists (the order
  // of dvc's _collect_metrics).
  std::vector<std::string> files;
  for (const Pipeline& pipeline : view.pipelines)
    for (const StageDef& stage : pipeline.stages)
      for (const OutDecl& out : stage.outs)
        if (out.kind == OutKind::kMetric)
          if (auto rel = RootRelative(view.root, stage.wdir + "/" + out.path))
            AddUnique(files, *rel);
  for (const Pipeline& pipeline : view.pipelines)
    for (const std::string& metric : pipeline.metrics)
      if (auto rel = RootRelative(view.root, DirName(pipeline.path) + "/" + metric))
        AddUnique(files, *rel);
  return files;
}

Json ExtractMetrics(const Json& data) {
  if (data.is_number() || data.is_boolean() || data.is_string()) return data;
  if (!data.is_object()) return Json(nullptr);
  Json out = Json::object();
  for (const auto& [key, value] : data.items()) {
    Json kept = ExtractMetrics(value);
    if (kept.is_null() || (kept.is_object() && kept.empty())) continue;
    out[key] = std::move(kept);
  }
  return out;
}

std::vector<FileData> ReadMetrics(const RevisionView& view) {
  std::vector<FileData> out;
  auto read_one = [&](const std::string& rel) {
    Json parsed = ParseParamsText(view.fs->ReadFile(view.root + "/" + rel), view.prefix + rel);
    Json data = ExtractMetrics(parsed);
    out.push_back({rel, data.is_null() ? Json::object() : data});
  };
  for (const std::string& rel : CollectMetricsFiles(view)) {
    std::string abs = view.root + "/" + rel;
    FileInfo info = view.fs->StatFollow(abs);
    if (info.is_dir()) {
      for (const WalkEntry& entry : view.fs->Walk(abs, {})) read_one(rel + "/" + entry.relpath);
    } else if (info.is_file()) {
      read_one(rel);
    }
  }
  return out;
}

std::vector<ParamsFileSpec> CollectParamsFiles(const RevisionView& view) {
  std::vector<ParamsFileSpec> specs;
  std::set<std::string> whole;  // files tracked whole somewhere
  auto add = [&](const std::string& path, const std::vector<std::string>& keys) {
    auto it = std::find_if(specs.begin(), specs.end(),
                           [&](const ParamsFileSpec& s) { return s.path == path; });
    if (it == specs.end()) {
      specs.push_back({path, {}});
      it = specs.end() - 1;
    }
    if (keys.empty()) whole.insert(path);
    for (const std::string& key : keys) AddUnique(it->keys, key);
  };
  for (const Pipeline& pipeline : view.pipelines)
    for (const StageDef& stage : pipeline.stages)
      for (const ParamsDecl& decl : stage.params)
        if (auto rel = RootRelative(view.root, stage.wdir + "/" + decl.file)) add(*rel, decl.keys);
  for (const Pipeline& pipeline : view.pipelines)
    for (const std::string& file : pipeline.params)
      if (auto rel = RootRelative(view.root, DirName(pipeline.path) + "/" + file)) add(*rel, {});
  if (view.fs->StatFollow(view.root + "/params.yaml").is_file()) add("params.yaml", {});
  for (ParamsFileSpec& spec : specs)
    if (whole.count(spec.path)) spec.keys.clear();
  return specs;
}

std::vector<FileData> ReadParams(const RevisionView& view) {
  std::vector<FileData> out;
  for (const ParamsFileSpec& spec : CollectParamsFiles(view)) {
    std::optional<Json> data =
        LoadParamsFile(*view.fs, view.root + "/" + spec.path, view.prefix + spec.path);
    if (!data) continue;
    Json flat = Json::object();
    auto put_flat = [&](const std::string& prefix, const Json& value) {
      for (auto& [key, leaf] : FlattenParams(value)) {
        std::string name = prefix.empty() ? key : key.empty() ? prefix : prefix + "." + key;
        flat[name] = FormatLists(leaf);
      }
    };
    if (spec.keys.empty()) {
      put_flat("", *data);
    } else {
      for (const std::string& key : spec.keys) {
        const Json* value = FindDotted(*data, key);
        if (!value) continue;
        if (value->is_object()) {
          put_flat(key, *value);
        } else {
          flat[key] = FormatLists(*value);
        }
      }
    }
    out.push_back({spec.path, std::move(flat)});
  }
  return out;
}

std::vector<DiffRow> DiffFileData(const std::vector<FileData>& old_files,
                                  const std::vector<FileData>& new_files, bool all) {
  std::map<std::string, std::map<std::string, Json>> old_data, new_data;
  std::set<std::string> paths;
  for (const FileData& f : old_files) {
    old_data[f.path] = FlatMap(f.data);
    paths.insert(f.path);
  }
  for (const FileData& f : new_files) {
    new_data[f.path] = FlatMap(f.data);
    paths.insert(f.path);
  }
  std::vector<DiffRow> rows;
  for (const std::string& path : paths) {
    const std::map<std::string, Json>& olds = old_data[path];
    const std::map<std::string, Json>& news = new_data[path];
    std::set<std::string> keys;
    for (const auto& kv : olds) keys.insert(kv.first);
    for (const auto& kv : news) keys.insert(kv.first);
    for (const std::string& key : keys) {
      auto o = olds.find(key);
      auto n = news.find(key);
      Json old_value = o == olds.end() ? Json(nullptr) : o->second;
      Json new_value = n == news.end() ? Json(nullptr) : n->second;
      if (!all && PyEqual(old_value, new_value)) continue;
      DiffRow row{path, key, old_value, new_value, std::nullopt};
      if (IsNumber(old_value) && IsNumber(new_value)) row.change = PyMinus(new_value, old_value);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::vector<DiffRow> DiffMetrics(FileSystem& workspace_fs, const std::string& root,
                                 const std::string& a, const std::string& b, bool all) {
  if (GitHasNoCommits(root)) return {};
  // Read in order (a before b), so an error names the first bad file.
  OpenedView old_view = OpenView(workspace_fs, root, a);
  std::vector<FileData> old_files = ReadMetrics(old_view.view);
  OpenedView new_view = OpenView(workspace_fs, root, b);
  std::vector<FileData> new_files = ReadMetrics(new_view.view);
  return DiffFileData(old_files, new_files, all);
}

std::vector<DiffRow> DiffParams(FileSystem& workspace_fs, const std::string& root,
                                const std::string& a, const std::string& b, bool all) {
  if (GitHasNoCommits(root)) return {};
  OpenedView old_view = OpenView(workspace_fs, root, a);
  std::vector<FileData> old_files = ReadParams(old_view.view);
  OpenedView new_view = OpenView(workspace_fs, root, b);
  std::vector<FileData> new_files = ReadParams(new_view.view);
  return DiffFileData(old_files, new_files, all);
}

std::vector<RevisionMetrics> ShowMetrics(FileSystem& workspace_fs, const std::string& root,
                                         bool all_branches, bool all_tags) {
  std::vector<RevisionMetrics> out;
  out.push_back({kWorkspace, ReadMetrics(LoadRevisionView(workspace_fs, root, kWorkspace, ""))});
  if (!all_branches && !all_tags) return out;
  std::vector<std::string> args{"git", "for-each-ref", "--format=%(refname:short)"};
  if (all_branches) args.push_back("refs/heads");
  if (all_tags) args.push_back("refs/tags");
  ProcessResult refs = RunCapture(args, root);
  if (refs.exit_code != 0) ThrowData("-a and -T need a git repository at {}", root);
  // Names of the same commit are listed once, joined with "," (DVC's brancher).
  std::vector<std::pair<std::string, std::string>> commits;  // commit, names
  for (const std::string& name : Split(refs.out, '\n', false)) {
    std::optional<std::string> commit = RevisionFs::ResolveCommit(root, name);
    if (!commit) continue;
    auto it = std::find_if(commits.begin(), commits.end(),
                           [&](const auto& c) { return c.first == *commit; });
    if (it == commits.end()) {
      commits.emplace_back(*commit, name);
    } else {
      it->second += "," + name;
    }
  }
  for (const auto& [commit, names] : commits) {
    std::unique_ptr<RevisionFs> fs = RevisionFs::Open(root, commit);
    out.push_back({names, ReadMetrics(LoadRevisionView(*fs, root, names, names + ":"))});
  }
  ProcessResult head = RunCapture({"git", "symbolic-ref", "--short", "HEAD"}, root);
  std::string branch = head.out.substr(0, head.out.find('\n'));
  auto current = std::find_if(out.begin() + 1, out.end(),
                              [&](const RevisionMetrics& r) { return r.rev == branch; });
  auto same = [](const RevisionMetrics& a, const RevisionMetrics& b) {
    if (a.files.size() != b.files.size()) return false;
    for (size_t i = 0; i < a.files.size(); ++i)
      if (a.files[i].path != b.files[i].path || a.files[i].data != b.files[i].data) return false;
    return true;
  };
  if (head.exit_code == 0 && current != out.end() && same(out[0], *current)) out.erase(out.begin());
  return out;
}

Json MetricsShowJson(const std::vector<RevisionMetrics>& revisions) {
  Json out = Json::object();
  for (const RevisionMetrics& r : revisions) {
    Json data = Json::object();
    for (const FileData& f : r.files) data[f.path] = Json{{"data", f.data}};
    out[r.rev] = Json{{"data", data}};
  }
  return out;
}

Json DiffJson(const std::vector<DiffRow>& rows) {
  Json out = Json::object();
  for (const DiffRow& row : rows) {
    Json entry = Json::object();
    entry["old"] = row.old_value;
    entry["new"] = row.new_value;
    if (row.change) entry["diff"] = *row.change;
    out[row.path][row.key] = std::move(entry);
  }
  return out;
}

TextTable MetricsShowTable(const std::vector<RevisionMetrics>& revisions, bool revision_column) {
  std::set<std::string> names;
  std::vector<std::map<std::string, Json>> flat;
  for (const RevisionMetrics& r : revisions)
    for (const FileData& f : r.files) {
      flat.push_back(FlatMap(f.data));
      for (const auto& kv : flat.back()) names.insert(kv.first);
    }
  TextTable table(1);
  if (revision_column) table[0].push_back("Revision");
  table[0].push_back("Path");
  for (const std::string& name : names) table[0].push_back(name);
  size_t i = 0;
  for (const RevisionMetrics& r : revisions)
    for (const FileData& f : r.files) {
      std::vector<std::string> row;
      if (revision_column) row.push_back(r.rev);
      row.push_back(f.path);
      for (const std::string& name : names) {
        auto it = flat[i].find(name);
        row.push_back(it == flat[i].end() ? "-" : Cell(it->second, true));
      }
      table.push_back(std::move(row));
      ++i;
    }
  return table;
}

TextTable DiffTable(const std::vector<DiffRow>& rows, const std::string& a_name,
                    const std::string& b_name, bool metrics) {
  TextTable table;
  table.push_back({"Path", metrics ? "Metric" : "Param", a_name, b_name});
  if (metrics) table[0].push_back("Change");
  for (const DiffRow& row : rows) {
    std::vector<std::string> cells{row.path, row.key, Cell(row.old_value, metrics),
                                   Cell(row.new_value, metrics)};
    if (metrics) cells.push_back(row.change ? Cell(*row.change, true) : "-");
    table.push_back(std::move(cells));
  }
  return table;
}

std::string RenderTable(const TextTable& table) {
  if (table.size() < 2) return "";
  std::vector<size_t> widths;
  for (const std::string& header : table[0]) widths.push_back(TextWidth(header) + 2);
  for (const auto& row : table)
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], TextWidth(row[c]));
  std::string out;
  for (const auto& row : table) {
    std::string line;
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      if (c) line += "  ";
      line += cell + std::string(widths[c] - TextWidth(cell), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string DumpJsonLikePython(const Json& value) {
  std::string out;
  DumpJson(value, 0, out);
  return out;
}

std::string RoundedFloatText(double value, int digits) {
  if (!std::isfinite(value)) return FormatPythonFloat(value);
  // printf rounds the exact binary value half-to-even, as Python's round().
  int size = std::snprintf(nullptr, 0, "%.*f", digits, value);
  std::string text(static_cast<size_t>(size) + 1, '\0');
  std::snprintf(text.data(), text.size(), "%.*f", digits, value);
  return FormatPythonFloat(std::strtod(text.c_str(), nullptr));
}

}  // namespace leanops
