#include "pipeline/dvc_yaml.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "data/repo.h"
#include "pipeline/interpolate.h"

namespace leanops {
namespace {

const std::set<std::string> kTopLevelKeys = {"stages", "vars",      "params",  "metrics",
                                             "plots",  "artifacts", "datasets"};
const std::set<std::string> kStageKeys = {
    "cmd",  "wdir", "deps", "params",  "outs", "metrics", "plots", "frozen", "always_changed",
    "desc", "meta", "vars", "foreach", "do",   "matrix"};
const std::set<std::string> kOutFlags = {"cache", "persist", "remote", "push",
                                         "desc",  "type",    "labels", "meta"};
const std::set<std::string> kPlotProps = {"template", "x",     "y",     "x_label",
                                          "y_label",  "title", "header"};

OutDecl Out(std::string path, OutKind kind) {
  OutDecl out;
  out.path = std::move(path);
  out.kind = kind;
  return out;
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class Parser {
 public:
  Parser(FileSystem& fs, const std::string& abs_path, const std::string& display)
      : fs_(fs), abs_path_(abs_path), display_(display), dir_(DirName(abs_path)) {}

  Pipeline Parse(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      ThrowData("{}:{}:{}: invalid YAML: {}", display_, e.mark.line + 1, e.mark.column + 1, e.msg);
    }
    Pipeline pipeline;
    pipeline.path = abs_path_;
    pipeline.display = display_;
    if (!root || root.IsNull()) return pipeline;
    if (!root.IsMap()) ThrowData("{}: expected a mapping at the top level", Where(root));
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (!kTopLevelKeys.count(key))
        ThrowData("{}: unknown key '{}' (expected one of: {})", Where(kv.first), key,
                  Join(kTopLevelKeys));
    }
    LoadGlobalVars(root["vars"]);
    if (const YAML::Node& stages = root["stages"]) {
      if (!stages.IsMap()) ThrowData("{}: 'stages' must be a mapping", Where(stages));
      std::set<std::string> seen;
      for (const auto& kv : stages) {
        std::string name = kv.first.as<std::string>();
        CheckStageName(name, kv.first);
        if (!seen.insert(name).second)
          ThrowData("{}: stage '{}' is defined twice", Where(kv.first), name);
        ExpandStage(name, kv.first, kv.second, pipeline.stages);
      }
    }
    pipeline.metrics = StringList(root["metrics"], "metrics", context_);
    pipeline.params = StringList(root["params"], "params", context_);
    pipeline.plots = TopLevelPlots(root["plots"]);
    return pipeline;
  }

 private:
  std::string Where(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return display_;
    return fmt::format("{}:{}:{}", display_, mark.line + 1, mark.column + 1);
  }

  void CheckStageName(const std::string& name, const YAML::Node& node) const {
    if (name.empty() || name.find_first_of(":/\\@") != std::string::npos)
      ThrowData("{}: invalid stage name '{}': it may not contain ':', '/', '\\' or '@'",
                Where(node), name);
  }

  // vars entries: "file", "file:key1,key2", or a mapping. params.yaml beside
  // dvc.yaml is loaded first when it exists, as DVC does.
  void LoadGlobalVars(const YAML::Node& vars) {
    context_ = Json::object();
    std::string default_params = dir_ + "/params.yaml";
    if (auto params = LoadParamsFile(fs_, default_params, "params.yaml")) {
      if (params->is_object()) MergeVars(context_, *params, "params.yaml");
      loaded_files_.insert(default_params);
    }
    LoadVars(vars, dir_, context_);
  }

  void LoadVars(const YAML::Node& vars, const std::string& base_dir, Json& context) {
    if (!vars) return;
    if (!vars.IsSequence()) ThrowData("{}: 'vars' must be a list", Where(vars));
    for (const YAML::Node& entry : vars) {
      if (entry.IsMap()) {
        MergeVars(context, YamlToJson(entry), Where(entry));
        continue;
      }
      if (!entry.IsScalar())
        ThrowData("{}: a 'vars' entry must be a file or a mapping", Where(entry));
      std::string spec = entry.as<std::string>();
      std::string file = spec;
      std::vector<std::string> keys;
      if (size_t colon = spec.find(':'); colon != std::string::npos) {
        file = spec.substr(0, colon);
        keys = Split(spec.substr(colon + 1), ',', false);
      }
      std::string abs = NormalizePath(base_dir + "/" + file);
      if (keys.empty() && loaded_files_.count(abs)) continue;
      std::optional<Json> data = LoadParamsFile(fs_, abs, file);
      if (!data) ThrowData("{}: vars file '{}' does not exist", Where(entry), file);
      if (!data->is_object()) ThrowData("{}: vars file '{}' is not a mapping", Where(entry), file);
      if (keys.empty()) {
        MergeVars(context, *data, file);
        loaded_files_.insert(abs);
      } else {
        Json selected = Json::object();
        for (const std::string& key : keys) {
          const Json* value = FindDotted(*data, key);
          if (!value) ThrowData("{}: '{}' not found in '{}'", Where(entry), key, file);
          selected[key] = *value;
        }
        MergeVars(context, selected, file);
      }
    }
  }

  // A stage entry: a plain definition, a foreach/do, or a matrix.
  void ExpandStage(const std::string& name, const YAML::Node& key_node, const YAML::Node& def,
                   std::vector<StageDef>& out) {
    if (!def.IsMap()) ThrowData("{}: stage '{}' must be a mapping", Where(def), name);
    for (const auto& kv : def) {
      std::string key = kv.first.as<std::string>();
      if (!kStageKeys.count(key))
        ThrowData("{}: unknown key '{}' in stage '{}' (expected one of: {})", Where(kv.first), key,
                  name, Join(kStageKeys));
    }
    if (def["foreach"]) {
      if (!def["do"]) ThrowData("{}: stage '{}' has 'foreach' without 'do'", Where(def), name);
      for (const auto& kv : def) {
        std::string key = kv.first.as<std::string>();
        if (key != "foreach" && key != "do")
          ThrowData("{}: '{}' is not allowed beside 'foreach' in stage '{}'; put it under 'do'",
                    Where(kv.first), key, name);
      }
      Json items = ResolveValue(def["foreach"], context_);
      if (items.is_array()) {
        bool scalars = std::none_of(items.begin(), items.end(),
                                    [](const Json& v) { return v.is_structured(); });
        for (size_t i = 0; i < items.size(); ++i) {
          Json ctx = context_;
          ctx["item"] = items[i];
          std::string suffix = scalars ? FormatScalar(items[i]) : std::to_string(i);
          out.push_back(BuildStage(name + "@" + suffix, key_node, def["do"], ctx));
        }
      } else if (items.is_object()) {
        for (auto it = items.begin(); it != items.end(); ++it) {
          Json ctx = context_;
          ctx["item"] = it.value();
          ctx["key"] = it.key();
          out.push_back(BuildStage(name + "@" + it.key(), key_node, def["do"], ctx));
        }
      } else {
        ThrowData("{}: 'foreach' of stage '{}' must be a list or a mapping", Where(def["foreach"]),
                  name);
      }
      return;
    }
    if (def["do"]) ThrowData("{}: stage '{}' has 'do' without 'foreach'", Where(def["do"]), name);
    if (const YAML::Node& matrix = def["matrix"]) {
      if (!matrix.IsMap()) ThrowData("{}: 'matrix' must be a mapping", Where(matrix));
      std::vector<std::pair<std::string, Json>> axes;
      for (const auto& kv : matrix) {
        Json values = ResolveValue(kv.second, context_);
        if (!values.is_array() || values.empty())
          ThrowData("{}: matrix axis '{}' must be a non-empty list", Where(kv.second),
                    kv.first.as<std::string>());
        axes.emplace_back(kv.first.as<std::string>(), values);
      }
      std::vector<size_t> index(axes.size(), 0);
      while (true) {
        Json item = Json::object();
        std::string suffix;
        for (size_t a = 0; a < axes.size(); ++a) {
          const Json& value = axes[a].second[index[a]];
          item[axes[a].first] = value;
          suffix +=
              (a ? "-" : "") + (value.is_structured() ? axes[a].first + std::to_string(index[a])
                                                      : FormatScalar(value));
        }
        Json ctx = context_;
        ctx["item"] = item;
        out.push_back(BuildStage(name + "@" + suffix, key_node, def, ctx));
        size_t a = axes.size();
        while (a > 0) {
          --a;
          if (++index[a] < axes[a].second.size()) break;
          index[a] = 0;
          if (a == 0) return;
        }
        if (axes.empty()) return;
      }
    }
    out.push_back(BuildStage(name, key_node, def, context_));
  }

  StageDef BuildStage(const std::string& name, const YAML::Node& key_node, const YAML::Node& def,
                      Json ctx) {
    if (!def.IsMap()) ThrowData("{}: stage '{}' must be a mapping", Where(def), name);
    for (const auto& kv : def) {
      std::string key = kv.first.as<std::string>();
      if (!kStageKeys.count(key) || key == "foreach" || key == "do")
        ThrowData("{}: unknown key '{}' in stage '{}'", Where(kv.first), key, name);
    }
    StageDef stage;
    stage.name = name;
    stage.line = key_node.Mark().line + 1;
    std::string wdir_text = ".";
    if (const YAML::Node& w = def["wdir"]) wdir_text = ScalarString(w, ctx, "wdir");
    stage.wdir = NormalizePath(dir_ + "/" + wdir_text);
    if (def["vars"]) LoadVars(def["vars"], stage.wdir, ctx);

    const YAML::Node& cmd = def["cmd"];
    if (!cmd) ThrowData("{}: stage '{}' has no 'cmd'", Where(key_node), name);
    if (cmd.IsSequence()) {
      stage.cmd_is_list = true;
      for (const YAML::Node& c : cmd) stage.cmd.push_back(ScalarString(c, ctx, "cmd"));
      if (stage.cmd.empty()) ThrowData("{}: 'cmd' of stage '{}' is empty", Where(cmd), name);
    } else {
      stage.cmd.push_back(ScalarString(cmd, ctx, "cmd"));
    }
    stage.deps = StringList(def["deps"], "deps", ctx);
    stage.params = ParamsList(def["params"], ctx);
    ReadOuts(def["outs"], OutKind::kOut, ctx, stage.outs);
    ReadOuts(def["metrics"], OutKind::kMetric, ctx, stage.outs);
    ReadOuts(def["plots"], OutKind::kPlot, ctx, stage.outs);
    stage.frozen = Bool(def["frozen"], "frozen");
    stage.always_changed = Bool(def["always_changed"], "always_changed");
    if (const YAML::Node& d = def["desc"]) stage.desc = ScalarString(d, ctx, "desc");
    return stage;
  }

  Json ResolveValue(const YAML::Node& node, const Json& ctx) {
    if (node.IsScalar() && node.Tag() != "!") {
      std::string text = node.as<std::string>();
      if (HasInterpolation(text)) return Interpolate(text, ctx, Where(node));
    }
    return YamlToJson(node);
  }

  std::string ScalarString(const YAML::Node& node, const Json& ctx, const char* field) {
    if (!node.IsScalar()) ThrowData("{}: '{}' must be a string", Where(node), field);
    return InterpolateString(node.as<std::string>(), ctx, Where(node));
  }

  bool Bool(const YAML::Node& node, const char* field) {
    if (!node) return false;
    try {
      return node.as<bool>();
    } catch (const YAML::Exception&) {
      ThrowData("{}: '{}' must be true or false", Where(node), field);
    }
  }

  // A list of strings; a whole-value `${var}` holding a list is spliced in.
  std::vector<std::string> StringList(const YAML::Node& node, const char* field, const Json& ctx) {
    std::vector<std::string> out;
    if (!node || node.IsNull()) return out;
    if (node.IsScalar()) {
      Json value = ResolveValue(node, ctx);
      if (!value.is_array()) ThrowData("{}: '{}' must be a list", Where(node), field);
      for (const Json& v : value) out.push_back(FormatScalar(v));
      return out;
    }
    if (!node.IsSequence()) ThrowData("{}: '{}' must be a list", Where(node), field);
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) ThrowData("{}: entries of '{}' must be paths", Where(item), field);
      Json value = ResolveValue(item, ctx);
      if (value.is_array()) {
        for (const Json& v : value) out.push_back(FormatScalar(v));
      } else {
        out.push_back(FormatScalar(value));
      }
    }
    return out;
  }

  // params: [key, {file: [keys]}, {file: null}] -> one ParamsDecl per file,
  // params.yaml first when used.
  std::vector<ParamsDecl> ParamsList(const YAML::Node& node, const Json& ctx) {
    std::vector<ParamsDecl> decls;
    auto decl_for = [&](const std::string& file) -> ParamsDecl& {
      for (ParamsDecl& d : decls)
        if (d.file == file) return d;
      decls.push_back(ParamsDecl{file, {}});
      return decls.back();
    };
    if (!node || node.IsNull()) return decls;
    if (!node.IsSequence()) ThrowData("{}: 'params' must be a list", Where(node));
    for (const YAML::Node& item : node) {
      if (item.IsScalar()) {
        decl_for("params.yaml").keys.push_back(ScalarString(item, ctx, "params"));
      } else if (item.IsMap()) {
        for (const auto& kv : item) {
          std::string file = InterpolateString(kv.first.as<std::string>(), ctx, Where(kv.first));
          ParamsDecl& d = decl_for(file);
          if (kv.second.IsNull()) continue;
          if (!kv.second.IsSequence())
            ThrowData("{}: params of '{}' must be a list of keys", Where(kv.second), file);
          for (const YAML::Node& key : kv.second)
            d.keys.push_back(ScalarString(key, ctx, "params"));
        }
      } else {
        ThrowData("{}: a 'params' entry must be a key or {{file: [keys]}}", Where(item));
      }
    }
    return decls;
  }

  void ReadOuts(const YAML::Node& node, OutKind kind, const Json& ctx, std::vector<OutDecl>& outs) {
    const char* field = kind == OutKind::kOut      ? "outs"
                        : kind == OutKind::kMetric ? "metrics"
                                                   : "plots";
    if (!node || node.IsNull()) return;
    if (!node.IsSequence()) {
      for (const std::string& path : StringList(node, field, ctx)) outs.push_back(Out(path, kind));
      return;
    }
    for (const YAML::Node& item : node) {
      if (item.IsScalar()) {
        Json value = ResolveValue(item, ctx);
        if (value.is_array()) {
          for (const Json& v : value) outs.push_back(Out(FormatScalar(v), kind));
        } else {
          outs.push_back(Out(FormatScalar(value), kind));
        }
        continue;
      }
      if (!item.IsMap() || item.size() != 1)
        ThrowData("{}: an entry of '{}' must be a path or {{path: {{flags}}}}", Where(item), field);
      auto kv = *item.begin();
      OutDecl out = Out(InterpolateString(kv.first.as<std::string>(), ctx, Where(kv.first)), kind);
      const YAML::Node& flags = kv.second;
      if (flags && !flags.IsNull()) {
        if (!flags.IsMap())
          ThrowData("{}: flags of '{}' must be a mapping", Where(flags), out.path);
        for (const auto& f : flags) {
          std::string name = f.first.as<std::string>();
          bool plot_prop = kind == OutKind::kPlot && kPlotProps.count(name);
          if (!kOutFlags.count(name) && !plot_prop) {
            std::set<std::string> allowed = kOutFlags;
            if (kind == OutKind::kPlot) allowed.insert(kPlotProps.begin(), kPlotProps.end());
            ThrowData("{}: unknown flag '{}' of '{}' (expected one of: {})", Where(f.first), name,
                      out.path, Join(allowed));
          }
          if (name == "cache")
            out.cache = Bool(f.second, "cache");
          else if (name == "persist")
            out.persist = Bool(f.second, "persist");
          else if (name == "push")
            out.push = Bool(f.second, "push");
          else if (name == "remote")
            out.remote = f.second.as<std::string>();
          else if (name == "desc")
            out.desc = f.second.as<std::string>();
          else if (plot_prop)
            out.plot_props[name] = YamlToJson(f.second);
        }
      }
      outs.push_back(std::move(out));
    }
  }

  std::vector<PlotDecl> TopLevelPlots(const YAML::Node& node) {
    std::vector<PlotDecl> plots;
    if (!node || node.IsNull()) return plots;
    if (!node.IsSequence()) ThrowData("{}: 'plots' must be a list", Where(node));
    for (const YAML::Node& item : node) {
      if (item.IsScalar()) {
        plots.push_back(PlotDecl{InterpolateString(item.as<std::string>(), context_, Where(item))});
        continue;
      }
      if (!item.IsMap() || item.size() != 1)
        ThrowData("{}: a 'plots' entry must be a path or {{name: {{props}}}}", Where(item));
      auto kv = *item.begin();
      PlotDecl plot{kv.first.as<std::string>()};
      if (kv.second && !kv.second.IsNull()) {
        if (!kv.second.IsMap())
          ThrowData("{}: plot properties must be a mapping", Where(kv.second));
        for (const auto& p : kv.second) {
          std::string prop = p.first.as<std::string>();
          if (!kPlotProps.count(prop))
            ThrowData("{}: unknown plot property '{}' (expected one of: {})", Where(p.first), prop,
                      Join(kPlotProps));
        }
        plot.props = YamlToJson(kv.second);
      }
      plots.push_back(std::move(plot));
    }
    return plots;
  }

  FileSystem& fs_;
  std::string abs_path_;
  std::string display_;
  std::string dir_;
  Json context_;
  std::set<std::string> loaded_files_;
};

}  // namespace

Pipeline ParsePipeline(FileSystem& fs, const std::string& text, const std::string& abs_path,
                       const std::string& display) {
  return Parser(fs, abs_path, display).Parse(text);
}

Pipeline LoadPipeline(FileSystem& fs, const std::string& abs_path, const std::string& display) {
  return ParsePipeline(fs, fs.ReadFile(abs_path), abs_path, display);
}

std::vector<Pipeline> LoadRepoPipelines(Repo& repo) {
  std::vector<Pipeline> pipelines;
  for (const std::string& path : repo.FindPipelineFiles())
    pipelines.push_back(LoadPipeline(repo.fs(), path, repo.RelPath(path)));
  return pipelines;
}

std::string LockPathFor(const Pipeline& pipeline) { return DirName(pipeline.path) + "/dvc.lock"; }

}  // namespace leanops
