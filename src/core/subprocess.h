// Runs a helper program (git, sbatch) and captures its output.
#pragma once

#include <spawn.h>

#include <string>
#include <vector>

namespace leanops {

struct ProcessResult {
  int exit_code = -1;  // -1 when the program could not be started
  std::string out;     // standard output
};

/// Runs argv[0] (searched in PATH) in `cwd` with `input` on its standard
/// input and stderr discarded; returns its exit code and standard output.
ProcessResult RunCapture(const std::vector<std::string>& argv, const std::string& cwd,
                         const std::string& input = "");

struct ProcessOutput {
  int exit_code = -1;  // -1 when the program could not be started (`err` says why)
  std::string out;     // standard output
  std::string err;     // standard error
};

/// Runs argv[0] (searched in PATH) in `cwd` with standard input from
/// /dev/null and returns its exit code (128+N when killed by signal N),
/// standard output and standard error, for tools whose diagnostics the
/// user must see (sbatch). The child gets default signal dispositions and
/// an empty signal mask whatever the calling thread has.
ProcessOutput RunCaptureAll(const std::vector<std::string>& argv, const std::string& cwd);

/// Initialises `attr` for a child that must start with default signal
/// handling and an empty signal mask, whatever this process blocks or
/// handles (the repro engine handles SIGINT/SIGTERM); `extra_flags` are
/// added (POSIX_SPAWN_SETPGROUP...). The caller destroys it.
void InitChildSpawnAttributes(posix_spawnattr_t* attr, short extra_flags);

}  // namespace leanops
