// The pipeline graph: every stage of every dvc.yaml in the repository,
// with an edge from a stage to each stage that depends on one of its
// outputs (same path, or one inside the other).
//
// Building it checks what DVC checks: two stages may not write the same
// output (or one inside another's), and the graph may not have a cycle
// (the error names the cycle: "a -> b -> a").
#pragma once

#include <string>
#include <vector>

#include "pipeline/dvc_yaml.h"

namespace leanops {

struct StageNode {
  std::string address;  // "train", or "sub/dvc.yaml:train" outside the root dvc.yaml
  const Pipeline* pipeline = nullptr;
  const StageDef* def = nullptr;
  std::vector<std::string> dep_paths;  // absolute, normalised
  std::vector<std::string> out_paths;  // absolute, normalised
  std::vector<size_t> upstream;        // stages producing this one's deps
  std::vector<size_t> downstream;      // stages consuming this one's outs
};

class PipelineGraph {
 public:
  /// Builds the graph; `pipelines` must outlive it. Throws kData on
  /// duplicate or overlapping outputs and on cycles.
  explicit PipelineGraph(const std::vector<Pipeline>& pipelines);

  const std::vector<StageNode>& nodes() const { return nodes_; }
  const StageNode& node(size_t i) const { return nodes_[i]; }

  /// Stage indices named by `targets`: "name", "file:name", a dvc.yaml file
  /// (all of its stages), or a foreach/matrix group name ("train" for every
  /// "train@..."). `cwd_rel` is the user's directory relative to the repo
  /// root, for relative dvc.yaml paths. Throws kData for unknown targets.
  std::vector<size_t> Resolve(const std::vector<std::string>& targets,
                              const std::string& root) const;

  /// The stages to visit for `targets` (all stages when empty): with
  /// `single_item` only the targets, with `downstream` the targets and all
  /// their dependents, otherwise the targets and all their dependencies.
  /// In topological order (ties broken by definition order).
  std::vector<size_t> Plan(const std::vector<size_t>& targets, bool all, bool single_item,
                           bool downstream) const;

  /// Text, Graphviz dot and Mermaid renderings of the stages in `subset`
  /// (every stage when empty).
  std::string RenderText(const std::vector<size_t>& subset) const;
  std::string RenderDot(const std::vector<size_t>& subset) const;
  std::string RenderMermaid(const std::vector<size_t>& subset) const;

 private:
  std::vector<size_t> TopologicalOrder(const std::vector<bool>& include) const;
  std::vector<StageNode> nodes_;
};

/// Whether `a` and `b` (absolute, normalised) are the same path or one lies
/// inside the other.
bool PathsOverlap(const std::string& a, const std::string& b);

}  // namespace leanops
