// Executors run a stage's commands somewhere: local processes or Slurm
// batch jobs. The repro engine decides what runs and in which order; an
// executor only starts jobs, reports their ends and can stop them.
//
// Jobs name the jobs they depend on. An executor that `chains` (Slurm)
// accepts a job before its dependencies finished and makes the scheduler
// hold it (`sbatch --dependency=afterok:...`); one that does not (local)
// is only given jobs whose dependencies have already succeeded.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanops {

struct StageJob {
  std::string name;  // stage address ("train", "sub/dvc.yaml:train@1"), unique per run
  std::string wdir;  // absolute working directory
  std::vector<std::string>
      commands;  // each run with `sh -c`, in order; the first failure ends the job
  std::vector<std::string> after;  // names of earlier-submitted jobs that must succeed first
};

struct JobResult {
  std::string name;
  bool ok = false;
  int exit_code = 0;    // of the failing command (128+N when killed by signal N;
                        // -1 when no command could be started, e.g. a missing wdir)
  std::string message;  // why it failed ("exit code 3", "killed by signal 9 (SIGKILL)",
                        // "cancelled", "upstream failed", "node failure", ...)
};

/// Receives the jobs' output as whole lines, tagged with the job's name.
/// Called from executor threads, one call at a time.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void Line(const std::string& job, bool is_stderr, std::string_view line) = 0;
  /// A note about a job's progress ("submitted as Slurm job 42").
  virtual void Note(const std::string& job, const std::string& text) = 0;
};

class Executor {
 public:
  virtual ~Executor() = default;
  /// True when jobs may be submitted before the jobs in their `after` end.
  virtual bool chains() const = 0;
  /// Starts (or queues) `job`. Throws leanops::Error when it cannot.
  virtual void Submit(const StageJob& job) = 0;
  /// Waits up to `timeout` for a submitted job to end; nullopt on timeout
  /// or when no job is outstanding.
  virtual std::optional<JobResult> WaitAny(std::chrono::milliseconds timeout) = 0;
  /// Number of submitted jobs that have not been reported by WaitAny.
  virtual size_t outstanding() const = 0;
  /// Stops every outstanding job (the whole process group / scancel) and
  /// waits, bounded, for them to end. Their results are then reported by
  /// WaitAny with ok = false.
  virtual void CancelAll() = 0;
};

/// Local processes: each command runs as `/bin/sh -c` in its own process
/// group, stdin from /dev/null, stdout and stderr piped to `sink` line by
/// line, with default signal dispositions and an empty signal mask. When a
/// command's shell exits, processes it left running in its group get
/// SIGTERM (SIGKILL 5 s later if they still hold its output): a stage's
/// outputs must not change after it is reported. CancelAll sends SIGTERM to
/// each group, SIGKILL after 5 s. The destructor cancels outstanding jobs.
std::unique_ptr<Executor> MakeLocalExecutor(OutputSink& sink);

struct SlurmOptions {
  std::string partition;                 // empty: the cluster's default
  std::vector<std::string> sbatch_args;  // extra arguments passed to sbatch as given
  std::string scratch_dir;               // absolute; job scripts and logs are written here
  std::chrono::milliseconds poll_interval{500};
};

/// Slurm: each job is an `sbatch` batch script; dependencies become
/// `--dependency=afterok:<ids>` with `--kill-on-invalid-dep=yes`. The job's
/// output file is followed and passed to `sink`; its end state is read with
/// `squeue`/`scontrol show job`. Uses the sbatch/squeue/scontrol/scancel on
/// PATH and SLURM_CONF from the environment. A job whose dependency failed
/// ends with "upstream failed". Submit throws kIO with sbatch's message when
/// sbatch is missing or refuses, kInternal when `after` names a job never
/// submitted. CancelAll scancels every outstanding job and waits up to 40 s
/// for Slurm to confirm; the destructor cancels outstanding jobs.
std::unique_ptr<Executor> MakeSlurmExecutor(OutputSink& sink, const SlurmOptions& options);

}  // namespace leanops
