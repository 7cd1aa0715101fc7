// Slurm executor: each job is a batch script submitted with sbatch, chained
// to the jobs it depends on with --dependency=afterok, so the whole pipeline
// can be queued at once and the scheduler runs it without us.
//
// One monitor thread polls: it follows every job's output files (written
// by slurmstepd under options.scratch_dir, which must be on a filesystem
// the compute nodes share with this machine), asks `squeue` for the states
// of all outstanding jobs at once, and `scontrol show job` for the end state
// and exit code of each job squeue no longer lists (sacct would need
// accounting, which many clusters, and the test cluster, do not run).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include "core/error.h"
#include "core/file_system.h"
#include "core/subprocess.h"
#include "pipeline/executor.h"
#include "pipeline/job_output.h"
#include "pipeline/slurm_text.h"

namespace leanops {
namespace {

// How long CancelAll waits for Slurm to confirm that cancelled jobs ended
// (slurmstepd sends SIGKILL KillWait seconds after SIGTERM; 30 s by default).
constexpr auto kCancelWait = std::chrono::seconds(40);
// How often the monitor polls while a CancelAll waits.
constexpr auto kCancelPoll = std::chrono::milliseconds(200);
// Our mark for a job `scontrol` no longer knows.
constexpr std::string_view kVanished = "(vanished)";

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  size_t start = text.find_first_not_of(" \n");
  return start == std::string::npos ? std::string() : text.substr(start);
}

// A file slurmstepd appends to, read as it grows. It may not exist yet (the
// job is pending). Only the monitor thread uses it.
class FollowedFile {
 public:
  FollowedFile(std::string path, bool is_stderr) : path_(std::move(path)), is_stderr_(is_stderr) {}
  ~FollowedFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  FollowedFile(const FollowedFile&) = delete;
  FollowedFile& operator=(const FollowedFile&) = delete;

  // Passes the complete lines appended since the last call to `sink`;
  // with `at_end`, also the unterminated rest.
  void Read(SerialSink& sink, const std::string& job, bool at_end) {
    auto emit = [&](std::string_view line) { sink.Line(job, is_stderr_, line); };
    if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ >= 0) {
      char buffer[65536];
      for (;;) {
        ssize_t n = ::pread(fd_, buffer, sizeof(buffer), offset_);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        offset_ += n;
        lines_.Append(std::string_view(buffer, static_cast<size_t>(n)), emit);
      }
    }
    if (at_end) lines_.Flush(emit);
  }

 private:
  std::string path_;
  bool is_stderr_;
  int fd_ = -1;
  off_t offset_ = 0;
  LineBuffer lines_;
};

struct SlurmJob {
  SlurmJob(std::string name, std::string slurm_id, std::vector<std::string> after,
           const std::string& log_base)
      : name(std::move(name)),
        id(std::move(slurm_id)),
        after(std::move(after)),
        out(log_base + ".out", false),
        err(log_base + ".err", true) {}
  std::string name;
  std::string id;                  // Slurm job id
  std::vector<std::string> after;  // names of the jobs it depends on
  FollowedFile out;                // these three: monitor thread only
  FollowedFile err;
  bool noted_running = false;
  bool cancel_requested = false;  // guarded by the executor's mutex
};

enum class Outcome { kActive, kSucceeded, kFailed };

class SlurmExecutor final : public Executor {
 public:
  SlurmExecutor(OutputSink& sink, SlurmOptions options)
      : sink_(sink), options_(std::move(options)) {
    if (options_.scratch_dir.empty()) ThrowInternal("Slurm executor without a scratch directory");
    monitor_ = std::thread([this] { Monitor(); });
  }
  ~SlurmExecutor() override;

  bool chains() const override { return true; }
  void Submit(const StageJob& job) override;
  std::optional<JobResult> WaitAny(std::chrono::milliseconds timeout) override;
  size_t outstanding() const override;
  void CancelAll() override;

 private:
  using JobPtr = std::shared_ptr<SlurmJob>;

  std::string UniqueLogBase(const std::string& name);
  void Monitor();
  // One round: output, states; returns the jobs that ended and how.
  std::vector<std::pair<JobPtr, SlurmJobInfo>> Poll(const std::vector<JobPtr>& jobs);
  // Records `job`'s end and queues its result. Requires mutex_.
  void Finish(const JobPtr& job, JobResult result);

  SerialSink sink_;
  const SlurmOptions options_;
  std::thread monitor_;

  mutable std::mutex mutex_;                 // guards everything below
  std::condition_variable changed_;          // a job was added or ended, or stopping_
  std::condition_variable poll_now_;         // the monitor should poll at once
  std::map<std::string, Outcome> outcomes_;  // every job submitted, by name
  std::map<std::string, std::string> ids_;   // Slurm id of every job submitted, by name
  std::set<std::string> log_bases_;
  std::list<JobPtr> active_;       // submitted and not ended
  std::deque<JobResult> results_;  // ended and not reported
  bool cancelling_ = false;
  bool stopping_ = false;
};

SlurmExecutor::~SlurmExecutor() {
  bool any_active;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    any_active = !active_.empty();
  }
  if (any_active) CancelAll();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  poll_now_.notify_all();
  monitor_.join();
}

std::string SlurmExecutor::UniqueLogBase(const std::string& name) {
  std::string safe = SafeFileName(name);
  std::string base = safe;
  for (int n = 2; log_bases_.count(base) != 0; ++n) base = safe + "-" + std::to_string(n);
  log_bases_.insert(base);
  return options_.scratch_dir + "/" + base;
}

void SlurmExecutor::Submit(const StageJob& job) {
  std::vector<std::string> dependency_ids;
  bool upstream_failed = false;
  std::string log_base;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (outcomes_.count(job.name) != 0) ThrowInternal("stage '{}' submitted twice", job.name);
    for (const std::string& name : job.after) {
      auto it = outcomes_.find(name);
      if (it == outcomes_.end())
        ThrowInternal("stage '{}' submitted before '{}', which it depends on", job.name, name);
      // A dependency known to have succeeded needs no afterok (and Slurm
      // forgets finished jobs after MinJobAge, when afterok on it fails).
      if (it->second == Outcome::kActive) dependency_ids.push_back(ids_.at(name));
      if (it->second == Outcome::kFailed) upstream_failed = true;
    }
    if (upstream_failed) {
      // What --kill-on-invalid-dep would do, without a round trip.
      outcomes_[job.name] = Outcome::kFailed;
      JobResult result;
      result.name = job.name;
      result.message = "upstream failed";
      results_.push_back(std::move(result));
      changed_.notify_all();
      return;
    }
    log_base = UniqueLogBase(job.name);
  }

  FileSystem& fs = RealFs();
  fs.MakeDirs(options_.scratch_dir);
  std::string script = log_base + ".sh";
  fs.WriteFileAtomic(script, BatchScript(job), 0755);
  // Left from an earlier run: must not be taken for this job's output.
  fs.RemoveFile(log_base + ".out");
  fs.RemoveFile(log_base + ".err");

  std::vector<std::string> argv = {"sbatch",
                                   "--parsable",
                                   "--job-name=leanops:" + job.name,
                                   "--chdir=" + job.wdir,
                                   "--output=" + EscapeSlurmPattern(log_base + ".out"),
                                   "--error=" + EscapeSlurmPattern(log_base + ".err")};
  if (!options_.partition.empty()) argv.push_back("--partition=" + options_.partition);
  argv.insert(argv.end(), options_.sbatch_args.begin(), options_.sbatch_args.end());
  if (!dependency_ids.empty()) {
    std::string dependency = "--dependency=afterok";
    for (const std::string& id : dependency_ids) dependency += ":" + id;
    argv.push_back(dependency);
    argv.push_back("--kill-on-invalid-dep=yes");
  }
  argv.push_back(script);
  ProcessOutput submitted = RunCaptureAll(argv, options_.scratch_dir);
  if (submitted.exit_code != 0) {
    std::string why = Trim(submitted.err.empty() ? submitted.out : submitted.err);
    ThrowIO("cannot submit stage '{}' to Slurm: {}", job.name,
            why.empty() ? "sbatch exited with code " + std::to_string(submitted.exit_code) : why);
  }
  // --parsable prints "ID" or "ID;CLUSTER".
  std::string id = Trim(submitted.out);
  id = id.substr(0, id.find(';'));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    ThrowIO("cannot submit stage '{}' to Slurm: unexpected sbatch output '{}'", job.name,
            Trim(submitted.out));

  {
    std::lock_guard<std::mutex> lock(mutex_);
    outcomes_[job.name] = Outcome::kActive;
    ids_[job.name] = id;
    active_.push_back(std::make_shared<SlurmJob>(job.name, id, job.after, log_base));
  }
  changed_.notify_all();
  sink_.Note(job.name, "submitted as Slurm job " + id);
}

std::optional<JobResult> SlurmExecutor::WaitAny(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return !results_.empty() || active_.empty(); }))
    return std::nullopt;
  if (results_.empty()) return std::nullopt;  // nothing outstanding
  JobResult result = std::move(results_.front());
  results_.pop_front();
  return result;
}

size_t SlurmExecutor::outstanding() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_.size() + results_.size();
}

void SlurmExecutor::CancelAll() {
  std::vector<std::string> argv = {"scancel"};
  std::vector<JobPtr> cancelled;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const JobPtr& job : active_) {
      job->cancel_requested = true;
      argv.push_back(job->id);
      cancelled.push_back(job);
    }
    cancelling_ = true;
  }
  if (!cancelled.empty()) RunCaptureAll(argv, "/");  // jobs that ended meanwhile are fine
  std::unique_lock<std::mutex> lock(mutex_);
  poll_now_.notify_all();
  auto all_ended = [&] {
    for (const JobPtr& job : cancelled) {
      for (const JobPtr& active : active_) {
        if (active == job) return false;
      }
    }
    return true;
  };
  changed_.wait_for(lock, kCancelWait, all_ended);
  // Slurm has accepted the cancellation but not confirmed the end (e.g. an
  // unreachable node): report the jobs anyway rather than hang.
  for (const JobPtr& job : cancelled) {
    for (const JobPtr& active : active_) {
      if (active != job) continue;
      JobResult result;
      result.name = job->name;
      result.message = "cancelled (Slurm has not confirmed the end of job " + job->id + ")";
      Finish(job, std::move(result));
      break;
    }
  }
  cancelling_ = false;
}

void SlurmExecutor::Finish(const JobPtr& job, JobResult result) {
  active_.remove(job);
  outcomes_[job->name] = result.ok ? Outcome::kSucceeded : Outcome::kFailed;
  results_.push_back(std::move(result));
  changed_.notify_all();
}

void SlurmExecutor::Monitor() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (active_.empty()) {
      changed_.wait(lock, [&] { return stopping_ || !active_.empty(); });
      continue;
    }
    auto interval = options_.poll_interval;
    if (cancelling_ && interval > kCancelPoll) interval = kCancelPoll;
    poll_now_.wait_for(lock, interval);
    if (stopping_) break;
    std::vector<JobPtr> jobs(active_.begin(), active_.end());
    lock.unlock();
    std::vector<std::pair<JobPtr, SlurmJobInfo>> ended = Poll(jobs);
    lock.lock();
    for (auto& [job, info] : ended) {
      bool still_active = false;
      for (const JobPtr& active : active_) still_active = still_active || active == job;
      if (!still_active) continue;  // CancelAll gave up on it meanwhile
      bool upstream_failed = false;
      for (const std::string& name : job->after) {
        auto it = outcomes_.find(name);
        upstream_failed =
            upstream_failed || (it != outcomes_.end() && it->second == Outcome::kFailed);
      }
      if (info.state == kVanished) {
        JobResult result;
        result.name = job->name;
        result.exit_code = -1;
        result.message = "Slurm no longer knows job " + job->id;
        Finish(job, std::move(result));
      } else {
        Finish(job, SlurmResult(job->name, info, job->cancel_requested, upstream_failed));
      }
    }
  }
}

std::vector<std::pair<std::shared_ptr<SlurmJob>, SlurmJobInfo>> SlurmExecutor::Poll(
    const std::vector<JobPtr>& jobs) {
  std::vector<std::pair<JobPtr, SlurmJobInfo>> ended;
  std::string ids;
  for (const JobPtr& job : jobs) {
    job->out.Read(sink_, job->name, false);
    job->err.Read(sink_, job->name, false);
    ids += (ids.empty() ? "" : ",") + job->id;
  }
  ProcessOutput queue = RunCaptureAll({"squeue", "-h", "-j", ids, "-o", "%i %T %r"}, "/");
  std::map<std::string, SlurmJobInfo> listed;
  if (queue.exit_code == 0) {
    listed = ParseSqueue(queue.out);
  } else if (queue.err.find("Invalid job id") == std::string::npos) {
    return ended;  // the controller did not answer: try again next round
  }                // else none of the jobs is still listed
  for (const JobPtr& job : jobs) {
    auto it = listed.find(job->id);
    if (it != listed.end() && !IsFinalState(it->second.state)) {
      const SlurmJobInfo& info = it->second;
      if (info.state == "RUNNING" && !job->noted_running) {
        job->noted_running = true;
        sink_.Note(job->name, "Slurm job " + job->id + " running");
      }
      if (info.state == "PENDING" && info.reason == "DependencyNeverSatisfied") {
        // The cluster does not honour --kill-on-invalid-dep: the job would
        // wait forever. Its CANCELLED state is read next round.
        RunCaptureAll({"scancel", job->id}, "/");
      }
      continue;
    }
    ProcessOutput shown = RunCaptureAll({"scontrol", "show", "job", job->id}, "/");
    SlurmJobInfo info;
    if (shown.exit_code != 0) {
      if (shown.err.find("Invalid job id") == std::string::npos) continue;  // try again
      info.state = kVanished;  // purged before we saw it end
    } else {
      std::optional<SlurmJobInfo> parsed = ParseScontrolJob(shown.out);
      if (!parsed || !IsFinalState(parsed->state)) continue;  // e.g. COMPLETING
      info = *parsed;
    }
    // The job's processes are gone: its output files are complete.
    job->out.Read(sink_, job->name, true);
    job->err.Read(sink_, job->name, true);
    ended.emplace_back(job, std::move(info));
  }
  return ended;
}

}  // namespace

std::unique_ptr<Executor> MakeSlurmExecutor(OutputSink& sink, const SlurmOptions& options) {
  return std::make_unique<SlurmExecutor>(sink, options);
}

}  // namespace leanops
