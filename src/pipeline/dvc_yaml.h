// dvc.yaml: the pipeline as declared, after `vars` and `${...}`
// interpolation and `foreach`/`matrix` expansion (see interpolate.h).
//
// Accepted layout (DVC 3, dvc/schema.py MULTI_STAGE_SCHEMA):
//
//     vars: [params.yaml, {name: value}]       # optional
//     stages:
//       train:
//         cmd: python train.py                  # or a list, run in order
//         wdir: .                               # relative to dvc.yaml
//         deps: [data/features, train.py]
//         params: [lr, {other.yaml: [a.b]}, {whole.toml: }]
//         outs: [model.bin, {big: {cache: false, persist: true}}]
//         metrics: [{metrics.json: {cache: false}}]
//         plots: [{roc.csv: {x: fpr, y: tpr}}]
//         frozen: false
//         always_changed: false
//         desc: ...
//         meta: ...                             # kept, not interpreted
//       sweep:
//         foreach: [a, b]                       # or a dict, or ${list}
//         do: {cmd: echo ${item}, outs: [${item}.txt]}
//     metrics: [summary.json]                   # top level, outside stages
//     params: [extra.yaml]
//     plots: [loss.csv, {roc: {x: fpr, y: {roc.csv: tpr}}}]
//
// Unknown keys and wrong types are kData errors "dvc.yaml:LINE:COL: ...".
#pragma once

#include <string>
#include <vector>

#include "core/file_system.h"
#include "data/repo.h"
#include "pipeline/params_file.h"

namespace leanops {

enum class OutKind { kOut, kMetric, kPlot };

struct OutDecl {
  std::string path;  // as written, relative to the stage's wdir
  OutKind kind = OutKind::kOut;
  bool cache = true;
  bool persist = false;
  bool push = true;
  std::string remote;
  std::string desc;
  Json plot_props = Json::object();  // x, y, template, title, ... (plots only)
};

struct ParamsDecl {
  std::string file;               // as written, relative to wdir ("params.yaml" by default)
  std::vector<std::string> keys;  // dotted keys; empty = the whole file
};

struct StageDef {
  std::string name;  // "train", or "train@key" for foreach/matrix instances
  std::string wdir;  // absolute, normalised
  std::vector<std::string> cmd;
  bool cmd_is_list = false;       // written as a list (kept so the lock records it as DVC does)
  std::vector<std::string> deps;  // as written, relative to wdir
  std::vector<ParamsDecl> params;
  std::vector<OutDecl> outs;  // outs, then metrics, then plots, each in file order
  bool frozen = false;
  bool always_changed = false;
  std::string desc;
  int line = 0;  // 1-based line of the stage's key in dvc.yaml
};

struct PlotDecl {
  std::string id;  // a file path, or a free name when `y` names the files
  Json props = Json::object();
};

struct Pipeline {
  std::string path;                  // absolute path of dvc.yaml
  std::string display;               // as shown to the user ("dvc.yaml", "sub/dvc.yaml")
  std::vector<StageDef> stages;      // in file order
  std::vector<std::string> metrics;  // top-level `metrics:` (relative to dvc.yaml's dir)
  std::vector<std::string> params;   // top-level `params:`
  std::vector<PlotDecl> plots;       // top-level `plots:`
};

/// Parses dvc.yaml text. `abs_path` is where the file lives (wdir and vars
/// files resolve against its directory); `display` names it in errors. vars
/// files and the default params.yaml are read through `fs`.
Pipeline ParsePipeline(FileSystem& fs, const std::string& text, const std::string& abs_path,
                       const std::string& display);

/// Reads and parses one dvc.yaml.
Pipeline LoadPipeline(FileSystem& fs, const std::string& abs_path, const std::string& display);

/// Every dvc.yaml of the repository's work tree, parsed (display names are
/// repo-relative).
std::vector<Pipeline> LoadRepoPipelines(Repo& repo);

/// The dvc.lock beside a dvc.yaml.
std::string LockPathFor(const Pipeline& pipeline);

}  // namespace leanops
