// Runs a helper program (git) and captures its output.
#pragma once

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

}  // namespace leanops
