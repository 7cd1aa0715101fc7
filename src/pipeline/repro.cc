#include "pipeline/repro.h"

#include <map>
#include <set>

#include "core/error.h"
#include "data/output_hash.h"
#include "pipeline/dag.h"
#include "pipeline/run_cache.h"
#include "pipeline/stage_state.h"

namespace leanops {

std::atomic<bool>& InterruptFlag() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {

enum class State { kPending, kRunning, kOk, kFailed };

// What examining a stage decided.
enum class Decision { kSkip, kRun };

// Whether the lock records exactly the outputs dvc.yaml declares (adding or
// removing one means the stage must run, not be restored).
bool SameOutputs(const StageDef& def, const LockedStage& locked) {
  std::set<std::string> declared, recorded;
  for (const OutDecl& o : def.outs) declared.insert(o.path);
  for (const LockedEntry& e : locked.outs) recorded.insert(e.path);
  return declared == recorded;
}

std::string Describe(const StageStatus& status) {
  if (status.never_run) return "never ran";
  if (status.always_changed) return "always changed";
  std::vector<std::string> why;
  if (status.cmd_changed) why.push_back("command changed");
  for (const PathChange& c : status.deps) why.push_back("dep " + c.path + " " + c.state);
  for (const ParamChange& c : status.params)
    why.push_back("param " + c.file + ":" + c.key + " " + c.state);
  for (const PathChange& c : status.outs) why.push_back("out " + c.path + " " + c.state);
  std::string text;
  for (const std::string& w : why) text += (text.empty() ? "" : ", ") + w;
  return text;
}

class Engine {
 public:
  Engine(Repo& repo, const ReproOptions& options, Executor& executor, ReproListener& listener)
      : repo_(repo), options_(options), executor_(executor), listener_(listener) {}

  ReproSummary Run() {
    pipelines_ = LoadRepoPipelines(repo_);
    if (pipelines_.empty()) ThrowData("no dvc.yaml found in '{}'", repo_.root());
    graph_ = std::make_unique<PipelineGraph>(pipelines_);
    std::vector<size_t> targets;
    if (!options_.targets.empty()) targets = graph_->Resolve(options_.targets, repo_.root());
    plan_ =
        graph_->Plan(targets, options_.targets.empty(), options_.single_item, options_.downstream);
    in_plan_.assign(graph_->nodes().size(), false);
    for (size_t n : plan_) in_plan_[n] = true;
    if (options_.force) {
      for (size_t n : options_.single_item ? targets : plan_) forced_.insert(n);
    }
    for (const Pipeline& p : pipelines_)
      locks_[p.path] = LoadLockFile(repo_.fs(), LockPathFor(p), DisplayLock(p));
    state_.assign(graph_->nodes().size(), State::kPending);
    ShareWalks();

    if (executor_.chains() && !options_.dry)
      RunChained();
    else
      RunOneByOne();

    if (!failures_.empty()) {
      std::string list;
      for (const std::string& f : failures_) list += (list.empty() ? "" : "; ") + f;
      ThrowFailed("failed to reproduce: {}", list);
    }
    return summary_;
  }

 private:
  std::string DisplayLock(const Pipeline& p) const { return repo_.RelPath(LockPathFor(p)); }

  const StageNode& Node(size_t n) const { return graph_->node(n); }

  // Deps often overlap (one stage reads `in/`, others `in/d00`...): walk
  // each outermost dependency directory once and let the others reuse it.
  // The walks are forgotten whenever a stage changes the work tree.
  void ShareWalks() {
    repo_.EnableWalkSharing(true);
    std::set<std::string> dirs;
    for (size_t n : plan_)
      for (const std::string& dep : Node(n).dep_paths)
        if (repo_.fs().StatFollow(dep).is_dir()) dirs.insert(dep);
    // In path order a directory comes after its ancestors, so it finds
    // their walk already kept.
    for (const std::string& dir : dirs)
      if (!repo_.SharedWalk(dir)) WalkOutput(repo_, dir);
  }

  void CheckInterrupt() {
    if (!InterruptFlag().load()) return;
    std::vector<std::string> stopped;
    for (size_t n = 0; n < state_.size(); ++n)
      if (state_[n] == State::kRunning) stopped.push_back(Node(n).address);
    executor_.CancelAll();
    while (executor_.outstanding() > 0) {
      if (!executor_.WaitAny(std::chrono::milliseconds(200))) break;
    }
    std::string list;
    for (const std::string& s : stopped) list += (list.empty() ? "" : ", ") + s;
    throw Error(ErrorKind::kInterrupted,
                stopped.empty()
                    ? std::string("interrupted")
                    : "interrupted: stopped " + list + "; their dvc.lock entries are unchanged");
  }

  // Upstream stages (inside the plan) that have not succeeded, if any failed.
  bool UpstreamFailed(size_t n) const {
    for (size_t up : Node(n).upstream)
      if (in_plan_[up] && state_[up] == State::kFailed) return true;
    return false;
  }
  bool UpstreamDone(size_t n) const {
    for (size_t up : Node(n).upstream)
      if (in_plan_[up] && state_[up] != State::kOk && state_[up] != State::kFailed) return false;
    return true;
  }

  void Fail(size_t n, const std::string& why) {
    state_[n] = State::kFailed;
    ++summary_.failed;
    failures_.push_back("'" + Node(n).address + "': " + why);
    listener_.OnStage(Node(n).address, StageEvent::kFailed, why);
  }

  void SkipForUpstream(size_t n) {
    state_[n] = State::kFailed;  // its dependents are skipped too
    listener_.OnStage(Node(n).address, StageEvent::kSkippedUpstream, "");
  }

  void WriteLock(size_t n, const LockedStage& entry) {
    const Pipeline& p = *Node(n).pipeline;
    LockFile& lock = locks_[p.path];
    lock.Set(Node(n).def->name, entry);
    LockTextCache& texts = lock_texts_[p.path];
    texts.erase(Node(n).def->name);
    SaveLockFile(repo_.fs(), LockPathFor(p), lock, &texts);
    listener_.OnStage(Node(n).address, StageEvent::kLockUpdated, DisplayLock(p));
  }

  // Decides whether stage n must run; handles the cases that need no run
  // (up to date, outputs checked out of the cache, frozen).
  Decision Examine(size_t n, bool upstream_runs) {
    const StageNode& node = Node(n);
    const StageDef& def = *node.def;
    if (def.frozen) {
      state_[n] = State::kOk;
      listener_.OnStage(node.address, StageEvent::kFrozen, "");
      return Decision::kSkip;
    }
    bool forced = forced_.count(n) > 0;
    if (upstream_runs) {
      // Chained submission: the inputs are not known yet.
      return Prepare(n, forced ? "forced" : "a stage it depends on runs", nullptr);
    }
    LockedStage inputs = MeasureInputs(repo_, def, options_.hash_jobs);
    for (const LockedEntry& dep : inputs.deps) {
      if (dep.md5.empty()) {
        if (options_.dry && DryUpstreamRuns(n)) break;
        Fail(n, "dependency '" + repo_.RelPath(NormalizePath(def.wdir + "/" + dep.path)) +
                    "' does not exist");
        return Decision::kSkip;
      }
    }
    const LockedStage* locked = locks_[node.pipeline->path].Find(def.name);
    StageStatus status = CompareWithLock(repo_, def, inputs, locked, options_.hash_jobs);
    if (options_.dry) {
      bool runs = forced || status.changed() || DryUpstreamRuns(n);
      if (runs) {
        dry_runs_.insert(n);
        ++summary_.ran;
        listener_.OnStage(node.address, StageEvent::kWouldRun,
                          forced             ? "forced"
                          : status.changed() ? Describe(status)
                                             : "a stage it depends on would run");
      } else {
        ++summary_.unchanged;
        listener_.OnStage(node.address, StageEvent::kUnchanged, "");
      }
      state_[n] = State::kOk;
      return Decision::kSkip;
    }
    if (!forced && !status.changed()) {
      state_[n] = State::kOk;
      ++summary_.unchanged;
      listener_.OnStage(node.address, StageEvent::kUnchanged, "");
      return Decision::kSkip;
    }
    if (!forced && status.only_outs_changed() && SameOutputs(def, *locked) &&
        (repo_.ForgetWalks(), RestoreOutputs(repo_, def, *locked))) {
      state_[n] = State::kOk;
      ++summary_.checked_out;
      listener_.OnStage(node.address, StageEvent::kCheckedOut, "outputs checked out of the cache");
      return Decision::kSkip;
    }
    if (!forced && options_.run_cache) {
      if (std::optional<LockedStage> cached = LookupRunCache(repo_, def, inputs)) {
        repo_.ForgetWalks();
        RemoveOutputs(repo_, def);
        if (RestoreOutputs(repo_, def, *cached)) {
          LockedStage entry = inputs;
          entry.outs = cached->outs;
          state_[n] = State::kOk;
          ++summary_.checked_out;
          listener_.OnStage(node.address, StageEvent::kCheckedOut,
                            "same inputs ran before: outputs restored from the run cache");
          WriteLock(n, entry);
          return Decision::kSkip;
        }
      }
    }
    return Prepare(n, forced ? "forced" : Describe(status), &inputs);
  }

  bool DryUpstreamRuns(size_t n) const {
    for (size_t up : Node(n).upstream)
      if (dry_runs_.count(up)) return true;
    return false;
  }

  Decision Prepare(size_t n, const std::string& why, const LockedStage* inputs) {
    if (inputs) inputs_[n] = *inputs;
    (void)why;
    return Decision::kRun;
  }

  StageJob JobFor(size_t n) const {
    const StageDef& def = *Node(n).def;
    StageJob job{Node(n).address, def.wdir, def.cmd, {}};
    for (size_t up : Node(n).upstream)
      if (in_plan_[up] && state_[up] == State::kRunning) job.after.push_back(Node(up).address);
    return job;
  }

  void Start(size_t n) {
    const StageDef& def = *Node(n).def;
    repo_.ForgetWalks();
    RemoveOutputs(repo_, def);
    std::string commands;
    for (const std::string& c : def.cmd) commands += (commands.empty() ? "" : "\n") + c;
    listener_.OnStage(Node(n).address, StageEvent::kStarting, commands);
    StageJob job = JobFor(n);
    state_[n] = State::kRunning;
    by_name_[job.name] = n;
    executor_.Submit(job);
  }

  void Finish(const JobResult& result) {
    auto it = by_name_.find(result.name);
    if (it == by_name_.end()) ThrowInternal("executor reported unknown job '{}'", result.name);
    size_t n = it->second;
    repo_.ForgetWalks();  // the job wrote to the work tree
    if (!result.ok) {
      // Jobs the scheduler dropped, or that we cancelled, because an earlier
      // stage failed did not fail themselves.
      if (result.message == "upstream failed" ||
          (cancelled_after_failure_ && result.message == "cancelled"))
        SkipForUpstream(n);
      else
        Fail(n, result.message);
      return;
    }
    const StageDef& def = *Node(n).def;
    try {
      LockedStage entry;
      auto pre = inputs_.find(n);
      // Chained stages were submitted before their inputs existed: measure now.
      entry = pre != inputs_.end() ? pre->second : MeasureInputs(repo_, def, options_.hash_jobs);
      bool cacheable = options_.run_cache && RunCacheKey(def, entry).has_value();
      CommitOutputs(repo_, def, entry, options_.hash_jobs, cacheable);
      WriteLock(n, entry);
      if (cacheable) SaveRunCache(repo_, def, entry);
    } catch (const Error& e) {
      Fail(n, e.what());
      return;
    }
    state_[n] = State::kOk;
    ++summary_.ran;
    listener_.OnStage(Node(n).address, StageEvent::kSucceeded, "");
  }

  bool Stopping() const { return !failures_.empty() && !options_.keep_going; }

  // Local executor: a stage is examined once everything it depends on has
  // finished; up to `jobs` stages run at once.
  void RunOneByOne() {
    size_t max_running = options_.dry ? 1 : std::max(1, options_.jobs);
    std::vector<size_t> pending = plan_;
    while (true) {
      CheckInterrupt();
      bool progressed = false;
      for (size_t i = 0; i < pending.size() && !Stopping();) {
        size_t n = pending[i];
        if (!UpstreamDone(n)) {
          ++i;
          continue;
        }
        if (UpstreamFailed(n)) {
          SkipForUpstream(n);
          pending.erase(pending.begin() + i);
          progressed = true;
          continue;
        }
        if (executor_.outstanding() >= max_running) break;
        pending.erase(pending.begin() + i);
        progressed = true;
        Decision d;
        try {
          d = Examine(n, false);
        } catch (const Error& e) {
          if (e.kind() == ErrorKind::kInternal) throw;
          Fail(n, e.what());
          continue;
        }
        if (d == Decision::kRun) Start(n);
      }
      if (executor_.outstanding() == 0) {
        if (pending.empty() || Stopping() || !progressed) break;
        continue;
      }
      if (std::optional<JobResult> r = executor_.WaitAny(std::chrono::milliseconds(100)))
        Finish(*r);
    }
    if (Stopping())
      for (size_t n : pending)
        if (state_[n] == State::kPending)
          listener_.OnStage(Node(n).address, StageEvent::kSkippedUpstream, "");
  }

  // Slurm: decide everything now and submit the stages that run with
  // dependencies on the upstream jobs; then collect the results.
  void RunChained() {
    std::set<size_t> runs;
    for (size_t n : plan_) {
      CheckInterrupt();
      if (UpstreamFailed(n)) {
        SkipForUpstream(n);
        continue;
      }
      bool upstream_runs = false;
      for (size_t up : Node(n).upstream) upstream_runs |= runs.count(up) > 0;
      Decision d;
      try {
        d = Examine(n, upstream_runs);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::kInternal) throw;
        Fail(n, e.what());
        continue;
      }
      if (d == Decision::kRun) {
        runs.insert(n);
        Start(n);
      }
    }
    while (executor_.outstanding() > 0) {
      CheckInterrupt();
      if (std::optional<JobResult> r = executor_.WaitAny(std::chrono::milliseconds(200))) {
        Finish(*r);
        if (Stopping() && executor_.outstanding() > 0 && !cancelled_after_failure_) {
          cancelled_after_failure_ = true;
          executor_.CancelAll();
        }
      }
    }
  }

  Repo& repo_;
  const ReproOptions& options_;
  Executor& executor_;
  ReproListener& listener_;
  std::vector<Pipeline> pipelines_;
  std::unique_ptr<PipelineGraph> graph_;
  std::vector<size_t> plan_;
  std::vector<bool> in_plan_;
  std::set<size_t> forced_;
  std::set<size_t> dry_runs_;
  std::map<std::string, LockFile> locks_;
  std::map<std::string, LockTextCache> lock_texts_;  // per lock file
  std::vector<State> state_;
  std::map<size_t, LockedStage> inputs_;
  std::map<std::string, size_t> by_name_;
  std::vector<std::string> failures_;
  bool cancelled_after_failure_ = false;
  ReproSummary summary_;
};

}  // namespace

ReproSummary Reproduce(Repo& repo, const ReproOptions& options, Executor& executor,
                       ReproListener& listener) {
  return Engine(repo, options, executor, listener).Run();
}

}  // namespace leanops
