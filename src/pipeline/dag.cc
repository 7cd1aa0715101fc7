#include "pipeline/dag.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <set>

#include "core/error.h"
#include "data/repo.h"

namespace leanops {

bool PathsOverlap(const std::string& a, const std::string& b) {
  const std::string& shorter = a.size() <= b.size() ? a : b;
  const std::string& longer = a.size() <= b.size() ? b : a;
  if (longer.compare(0, shorter.size(), shorter) != 0) return false;
  return longer.size() == shorter.size() || longer[shorter.size()] == '/' || shorter == "/";
}

namespace {

std::string Address(const Pipeline& pipeline, const StageDef& def) {
  if (pipeline.display == "dvc.yaml") return def.name;
  return pipeline.display + ":" + def.name;
}

}  // namespace

PipelineGraph::PipelineGraph(const std::vector<Pipeline>& pipelines) {
  for (const Pipeline& pipeline : pipelines) {
    for (const StageDef& def : pipeline.stages) {
      StageNode node;
      node.address = Address(pipeline, def);
      node.pipeline = &pipeline;
      node.def = &def;
      for (const std::string& dep : def.deps)
        node.dep_paths.push_back(NormalizePath(def.wdir + "/" + dep));
      for (const OutDecl& out : def.outs)
        node.out_paths.push_back(NormalizePath(def.wdir + "/" + out.path));
      nodes_.push_back(std::move(node));
    }
  }
  // Outputs sorted by path: an exact or ancestor match is a map lookup per
  // parent of the dep, and outputs inside a dep directory are a range.
  std::map<std::string, size_t> producers;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (const std::string& out : nodes_[i].out_paths) {
      auto [it, inserted] = producers.emplace(out, i);
      if (!inserted) {
        if (it->second == i)
          ThrowData("stage '{}' lists output '{}' twice", nodes_[i].address, out);
        ThrowData("output '{}' is written by two stages: '{}' and '{}'", out,
                  nodes_[it->second].address, nodes_[i].address);
      }
    }
  }
  // An output inside another stage's output: look each one's parents up.
  for (const auto& [path, owner] : producers) {
    for (std::string p = DirName(path); p.size() > 1 && p != path; p = DirName(p)) {
      auto hit = producers.find(p);
      if (hit != producers.end())
        ThrowData("overlapping outputs: '{}' of stage '{}' contains '{}' of stage '{}'", p,
                  nodes_[hit->second].address, path, nodes_[owner].address);
    }
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    std::set<size_t> ups;
    for (const std::string& dep : nodes_[i].dep_paths) {
      for (std::string p = dep; !p.empty() && p != "/"; p = DirName(p)) {
        auto hit = producers.find(p);
        if (hit != producers.end()) ups.insert(hit->second);
      }
      for (auto it = producers.lower_bound(dep + "/");
           it != producers.end() && it->first.compare(0, dep.size() + 1, dep + "/") == 0; ++it)
        ups.insert(it->second);
    }
    for (size_t up : ups) {
      if (up == i) ThrowData("stage '{}' depends on its own output", nodes_[i].address);
      nodes_[i].upstream.push_back(up);
      nodes_[up].downstream.push_back(i);
    }
  }
  // Cycle check: depth-first, reporting the first cycle found.
  std::vector<int> color(nodes_.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<size_t> stack;
  std::function<void(size_t)> visit = [&](size_t n) {
    color[n] = 1;
    stack.push_back(n);
    for (size_t d : nodes_[n].downstream) {
      if (color[d] == 1) {
        std::string cycle;
        auto from = std::find(stack.begin(), stack.end(), d);
        for (auto it = from; it != stack.end(); ++it) cycle += nodes_[*it].address + " -> ";
        ThrowData("pipeline has a cycle: {}{}", cycle, nodes_[d].address);
      }
      if (color[d] == 0) visit(d);
    }
    stack.pop_back();
    color[n] = 2;
  };
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (color[i] == 0) visit(i);
}

std::vector<size_t> PipelineGraph::Resolve(const std::vector<std::string>& targets,
                                           const std::string& root) const {
  std::vector<size_t> found;
  for (const std::string& target : targets) {
    std::string file, name = target;
    if (size_t colon = target.rfind(':'); colon != std::string::npos) {
      file = target.substr(0, colon);
      name = target.substr(colon + 1);
    } else if (target.ends_with("dvc.yaml")) {
      file = target;
      name.clear();
    }
    std::string file_abs = file.empty() ? "" : AbsoluteFromCwd(file);
    std::vector<size_t> hits;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const StageNode& n = nodes_[i];
      if (!file_abs.empty() && n.pipeline->path != file_abs) continue;
      if (!name.empty() && n.def->name != name && !n.def->name.starts_with(name + "@")) continue;
      hits.push_back(i);
    }
    if (file.empty() && hits.size() > 1) {
      // The same name in several dvc.yaml files: prefer the one in the cwd,
      // then the root one, as DVC looks in the current directory's file.
      std::string here = AbsoluteFromCwd("dvc.yaml");
      for (const std::string& preferred : {here, root + "/dvc.yaml"}) {
        std::vector<size_t> narrowed;
        for (size_t i : hits)
          if (nodes_[i].pipeline->path == preferred) narrowed.push_back(i);
        if (!narrowed.empty()) {
          hits = narrowed;
          break;
        }
      }
    }
    if (hits.empty()) ThrowData("'{}' does not name a stage of any dvc.yaml", target);
    found.insert(found.end(), hits.begin(), hits.end());
  }
  return found;
}

std::vector<size_t> PipelineGraph::TopologicalOrder(const std::vector<bool>& include) const {
  std::vector<size_t> indegree(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!include[i]) continue;
    for (size_t up : nodes_[i].upstream)
      if (include[up]) ++indegree[i];
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (include[i] && indegree[i] == 0) ready.push(i);
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t n = ready.top();
    ready.pop();
    order.push_back(n);
    for (size_t d : nodes_[n].downstream)
      if (include[d] && --indegree[d] == 0) ready.push(d);
  }
  return order;
}

std::vector<size_t> PipelineGraph::Plan(const std::vector<size_t>& targets, bool all,
                                        bool single_item, bool downstream) const {
  std::vector<bool> include(nodes_.size(), all);
  if (!all) {
    std::vector<size_t> todo = targets;
    for (size_t t : targets) include[t] = true;
    while (!single_item && !todo.empty()) {
      size_t n = todo.back();
      todo.pop_back();
      for (size_t next : downstream ? nodes_[n].downstream : nodes_[n].upstream) {
        if (!include[next]) {
          include[next] = true;
          todo.push_back(next);
        }
      }
    }
  }
  return TopologicalOrder(include);
}

namespace {

std::vector<bool> Mask(size_t n, const std::vector<size_t>& subset) {
  std::vector<bool> include(n, subset.empty());
  for (size_t i : subset) include[i] = true;
  return include;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string PipelineGraph::RenderText(const std::vector<size_t>& subset) const {
  // One line per stage in run order, each followed by the stages it feeds:
  // readable for the tens of stages a pipeline has, and stable to diff.
  std::vector<bool> include = Mask(nodes_.size(), subset);
  std::string out;
  for (size_t n : TopologicalOrder(include)) {
    out += "+ " + nodes_[n].address + "\n";
    for (size_t d : nodes_[n].downstream)
      if (include[d]) out += "  -> " + nodes_[d].address + "\n";
  }
  return out;
}

std::string PipelineGraph::RenderDot(const std::vector<size_t>& subset) const {
  std::vector<bool> include = Mask(nodes_.size(), subset);
  std::string out = "strict digraph  {\n";
  std::vector<size_t> order = TopologicalOrder(include);
  for (size_t n : order) out += Quote(nodes_[n].address) + ";\n";
  for (size_t n : order)
    for (size_t d : nodes_[n].downstream)
      if (include[d]) out += Quote(nodes_[n].address) + " -> " + Quote(nodes_[d].address) + ";\n";
  return out + "}\n";
}

std::string PipelineGraph::RenderMermaid(const std::vector<size_t>& subset) const {
  std::vector<bool> include = Mask(nodes_.size(), subset);
  std::string out = "flowchart TD\n";
  std::vector<size_t> order = TopologicalOrder(include);
  for (size_t n : order) out += fmt::format("\tnode{}[{}]\n", n, Quote(nodes_[n].address));
  for (size_t n : order)
    for (size_t d : nodes_[n].downstream)
      if (include[d]) out += fmt::format("\tnode{}-->node{}\n", n, d);
  return out;
}

}  // namespace leanops
