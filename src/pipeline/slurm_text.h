// The text the Slurm executor writes and reads (internal to src/pipeline):
// batch scripts, and the output of `squeue` and `scontrol show job`. Kept
// apart from the executor so it can be tested without a cluster.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/executor.h"

namespace leanops {

/// `text` in single quotes for /bin/sh ('it'\''s').
std::string ShellQuote(std::string_view text);

/// A file name for a stage address: characters other than letters, digits,
/// '.', '-' and '_' become '_' ("sub/dvc.yaml:train@1" -> "sub_dvc.yaml_train_1").
/// Not unique: the caller resolves clashes.
std::string SafeFileName(std::string_view name);

/// `path` for sbatch's --output/--error, which expand '%' patterns.
std::string EscapeSlurmPattern(std::string_view path);

/// The batch script for `job`: cd to its wdir, run each command with
/// `sh -c` in order, stop at the first failure with its exit code.
std::string BatchScript(const StageJob& job);

struct SlurmJobInfo {
  std::string state;   // "PENDING", "RUNNING", "COMPLETED", "FAILED", ...
  std::string reason;  // "None", "Dependency", "DependencyNeverSatisfied", ...
  int exit_code = 0;   // ExitCode=N:S (scontrol only)
  int signal = 0;
};

/// Lines of `squeue -h -o "%i %T %r"`, by job id.
std::map<std::string, SlurmJobInfo> ParseSqueue(std::string_view text);

/// `scontrol show job ID`; nullopt when it has no JobState.
std::optional<SlurmJobInfo> ParseScontrolJob(std::string_view text);

/// True for the states a job has ended in and does not leave.
bool IsFinalState(std::string_view state);

/// The result of job `name` that ended in `info`. `cancel_requested`: we
/// scancelled it; `upstream_failed`: one of the jobs it depends on failed.
JobResult SlurmResult(const std::string& name, const SlurmJobInfo& info, bool cancel_requested,
                      bool upstream_failed);

}  // namespace leanops
