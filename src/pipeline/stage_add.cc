#include "pipeline/stage_add.h"

#include <algorithm>
#include <optional>

#include "core/error.h"
#include "core/strings.h"
#include "pipeline/yaml_text.h"

namespace leanops {
namespace {

std::string Q(const std::string& s) { return YamlScalarText(Json(s)); }

bool IsBlankOrComment(const std::string& line) {
  size_t p = line.find_first_not_of(" \t");
  return p == std::string::npos || line[p] == '#';
}

int IndentOf(const std::string& line) { return static_cast<int>(line.find_first_not_of(' ')); }

// `stages:` at the top level (possibly with a trailing comment), or -1.
int FindStagesLine(const std::vector<std::string>& lines) {
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.rfind("stages:", 0) != 0) continue;
    std::string rest = l.substr(7);
    size_t p = rest.find_first_not_of(" \t");
    if (p == std::string::npos || rest[p] == '#' || rest.compare(p, 2, "{}") == 0)
      return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

bool IsValidStageName(const std::string& name) {
  return !name.empty() && name.find_first_of(":/\\@") == std::string::npos;
}

std::string RenderStage(const NewStage& stage, int indent) {
  std::string pad(indent, ' '), in(indent * 2, ' ');
  std::string out = pad + Q(stage.name) + ":\n";
  size_t deeper = in.size() + 2;
  if (!stage.desc.empty()) out += YamlLine(in + "desc:", Json(stage.desc), deeper);
  out += YamlLine(in + "cmd:", Json(stage.cmd), deeper);
  if (!stage.wdir.empty() && stage.wdir != ".")
    out += YamlLine(in + "wdir:", Json(stage.wdir), deeper);
  std::vector<std::string> deps = stage.deps;
  std::sort(deps.begin(), deps.end());
  if (!deps.empty()) {
    out += in + "deps:\n";
    for (const std::string& d : deps) out += YamlLine(in + "-", Json(d), deeper);
  }
  if (!stage.params.empty()) {
    // Keys of params.yaml first as plain names, other files as {file: [keys]}.
    std::vector<ParamsDecl> params = stage.params;
    std::sort(params.begin(), params.end(),
              [](const ParamsDecl& a, const ParamsDecl& b) { return a.file < b.file; });
    out += in + "params:\n";
    for (ParamsDecl& p : params) {
      std::sort(p.keys.begin(), p.keys.end());
      if (p.file == "params.yaml" && !p.keys.empty())
        for (const std::string& k : p.keys) out += in + "- " + Q(k) + "\n";
    }
    for (const ParamsDecl& p : params) {
      if (p.file == "params.yaml" && !p.keys.empty()) continue;
      if (p.keys.empty()) {
        out += in + "- " + Q(p.file) + ":\n";
        continue;
      }
      out += in + "- " + Q(p.file) + ":\n";
      for (const std::string& k : p.keys) out += in + "  - " + Q(k) + "\n";
    }
  }
  for (OutKind kind : {OutKind::kOut, OutKind::kMetric, OutKind::kPlot}) {
    std::vector<OutDecl> outs;
    for (const OutDecl& o : stage.outs)
      if (o.kind == kind) outs.push_back(o);
    if (outs.empty()) continue;
    std::sort(outs.begin(), outs.end(),
              [](const OutDecl& a, const OutDecl& b) { return a.path < b.path; });
    out += in +
           (kind == OutKind::kOut      ? "outs"
            : kind == OutKind::kMetric ? "metrics"
                                       : "plots") +
           ":\n";
    for (const OutDecl& o : outs) {
      if (o.cache && !o.persist) {
        out += in + "- " + Q(o.path) + "\n";
        continue;
      }
      out += in + "- " + Q(o.path) + ":\n";
      if (!o.cache) out += in + "    cache: false\n";
      if (o.persist) out += in + "    persist: true\n";
    }
  }
  if (stage.always_changed) out += in + "always_changed: true\n";
  return out;
}

void AddStageToFile(FileSystem& fs, const std::string& path, const std::string& display,
                    const NewStage& stage, bool force) {
  if (!IsValidStageName(stage.name))
    ThrowUsage("invalid stage name '{}': it may not contain ':', '/', '\\' or '@'", stage.name);
  std::string text = fs.Stat(path).is_file() ? fs.ReadFile(path) : "";
  if (!text.empty()) {
    Pipeline existing = ParsePipeline(fs, text, path, display);
    bool exists = std::any_of(existing.stages.begin(), existing.stages.end(),
                              [&](const StageDef& d) { return d.name == stage.name; });
    if (exists && !force)
      ThrowData("stage '{}' already exists in '{}'; use --force to overwrite it", stage.name,
                display);
  }
  std::vector<std::string> lines = Split(text, '\n', true);
  int stages_line = FindStagesLine(lines);
  if (stages_line < 0) {
    if (!lines.empty() && !lines.back().empty()) lines.push_back("");
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    lines.push_back("stages:");
    stages_line = static_cast<int>(lines.size()) - 1;
  } else {
    lines[stages_line] = "stages:";
  }
  // The stages block: indented, blank or comment lines after `stages:`.
  size_t end = stages_line + 1;
  int indent = 0;
  while (end < lines.size() && (IsBlankOrComment(lines[end]) || lines[end][0] == ' ')) {
    if (indent == 0 && !IsBlankOrComment(lines[end])) indent = IndentOf(lines[end]);
    ++end;
  }
  if (indent <= 0) indent = 2;
  // Drop the old definition when replacing it; the new one takes its place.
  std::optional<size_t> replaced_at;
  for (size_t i = stages_line + 1; i < end; ++i) {
    if (IndentOf(lines[i]) != indent || IsBlankOrComment(lines[i])) continue;
    std::string key = lines[i].substr(indent);
    if (key != Q(stage.name) + ":" && key.rfind(Q(stage.name) + ":", 0) != 0) continue;
    size_t stop = i + 1;
    // The block: deeper lines and blank lines; a comment at the stage
    // indentation belongs to the next stage.
    while (stop < end && (lines[stop].find_first_not_of(" \t") == std::string::npos ||
                          IndentOf(lines[stop]) > indent))
      ++stop;
    while (stop > i + 1 && lines[stop - 1].empty()) --stop;
    lines.erase(lines.begin() + i, lines.begin() + stop);
    end -= stop - i;
    replaced_at = i;
    break;
  }
  size_t insert_at = end;
  while (insert_at > static_cast<size_t>(stages_line) + 1 && lines[insert_at - 1].empty())
    --insert_at;
  if (replaced_at) insert_at = *replaced_at;
  std::vector<std::string> added = Split(RenderStage(stage, indent), '\n', false);
  lines.insert(lines.begin() + insert_at, added.begin(), added.end());
  std::string result;
  for (const std::string& l : lines) result += l + "\n";
  while (result.size() > 1 && result.ends_with("\n\n")) result.pop_back();
  ParsePipeline(fs, result, path, display);  // never write a file that does not parse
  fs.WriteFileAtomic(path, result);
}

}  // namespace leanops
