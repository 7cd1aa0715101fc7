#include "pipeline/slurm_text.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>

#include "core/strings.h"
#include "pipeline/job_output.h"

namespace leanops {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The next whitespace-separated token of `text` from `pos`.
std::string_view NextToken(std::string_view text, size_t& pos) {
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
  size_t start = pos;
  while (pos < text.size() && !IsSpace(text[pos])) ++pos;
  return text.substr(start, pos - start);
}

int ToInt(std::string_view text) {
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

std::string ShellQuote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += '\'';
  return quoted;
}

std::string SafeFileName(std::string_view name) {
  std::string safe;
  for (char c : name) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    safe += keep ? c : '_';
  }
  // Leave room for a clash suffix and the extension within NAME_MAX.
  if (safe.size() > 200) safe.resize(200);
  if (safe.empty() || safe[0] == '.') safe.insert(0, "_");
  return safe;
}

std::string EscapeSlurmPattern(std::string_view path) {
  // sbatch reads a path with a backslash in it literally.
  if (path.find('\\') != std::string_view::npos) return std::string(path);
  std::string escaped;
  for (char c : path) {
    escaped += c;
    if (c == '%') escaped += '%';
  }
  return escaped;
}

std::string BatchScript(const StageJob& job) {
  // The commands run exactly as the local executor runs them (`sh -c`), so
  // a stage behaves the same on both; `|| exit $?` gives set -e semantics
  // that keep the failing command's exit code.
  std::string script = "#!/bin/sh\n";
  script += fmt::format("# leanops stage {}\n", job.name);
  script += fmt::format("cd {} || exit 1\n", ShellQuote(job.wdir));
  for (const std::string& command : job.commands) {
    script += fmt::format("sh -c {} || exit $?\n", ShellQuote(command));
  }
  script += "exit 0\n";
  return script;
}

std::map<std::string, SlurmJobInfo> ParseSqueue(std::string_view text) {
  std::map<std::string, SlurmJobInfo> jobs;
  for (const std::string& line : Split(text, '\n', /*keep_empty=*/false)) {
    size_t pos = 0;
    std::string id(NextToken(line, pos));
    SlurmJobInfo info;
    info.state = NextToken(line, pos);
    info.reason = NextToken(line, pos);
    if (!id.empty() && !info.state.empty()) jobs[id] = std::move(info);
  }
  return jobs;
}

std::optional<SlurmJobInfo> ParseScontrolJob(std::string_view text) {
  SlurmJobInfo info;
  bool have_state = false;
  bool have_reason = false;
  bool have_exit = false;
  size_t pos = 0;
  // The first occurrence of each key counts: later fields (Command=,
  // WorkDir=, StdOut=) hold paths that may contain anything.
  for (std::string_view token = NextToken(text, pos); !token.empty();
       token = NextToken(text, pos)) {
    if (!have_state && token.starts_with("JobState=")) {
      info.state = token.substr(9);
      have_state = true;
    } else if (!have_reason && token.starts_with("Reason=")) {
      info.reason = token.substr(7);
      have_reason = true;
    } else if (!have_exit && token.starts_with("ExitCode=")) {
      std::string_view value = token.substr(9);
      size_t colon = value.find(':');
      info.exit_code = ToInt(value.substr(0, colon));
      if (colon != std::string_view::npos) info.signal = ToInt(value.substr(colon + 1));
      have_exit = true;
    }
  }
  if (!have_state) return std::nullopt;
  return info;
}

bool IsFinalState(std::string_view state) {
  static constexpr std::array<std::string_view, 10> kFinal = {
      "COMPLETED",     "FAILED",    "CANCELLED", "TIMEOUT",  "NODE_FAIL",
      "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "REVOKED"};
  for (std::string_view final_state : kFinal) {
    if (state == final_state) return true;
  }
  return false;
}

JobResult SlurmResult(const std::string& name, const SlurmJobInfo& info, bool cancel_requested,
                      bool upstream_failed) {
  JobResult result = CommandResult(name, info.exit_code, info.signal);
  if (info.state == "COMPLETED") return result;  // exit code 0 by definition
  result.ok = false;
  if (info.state == "CANCELLED") {
    if (cancel_requested) {
      result.message = "cancelled";
    } else if (upstream_failed || info.reason.starts_with("Dependency")) {
      result.message = "upstream failed";
    } else {
      result.message = "cancelled in Slurm (scancel or an administrator)";
    }
  } else if (info.state == "FAILED") {
    // result.message already says "exit code N" or which signal
    if (result.message.empty()) result.message = "failed (" + info.reason + ")";
  } else if (info.state == "TIMEOUT") {
    result.message = "time limit reached";
  } else if (info.state == "NODE_FAIL") {
    result.message = "node failure";
  } else if (info.state == "OUT_OF_MEMORY") {
    result.message = "out of memory";
  } else if (info.state == "PREEMPTED") {
    result.message = "preempted";
  } else if (info.state == "BOOT_FAIL") {
    result.message = "node boot failure";
  } else if (info.state == "DEADLINE") {
    result.message = "deadline reached";
  } else {
    result.message = "ended in Slurm state " + info.state;
  }
  return result;
}

}  // namespace leanops
