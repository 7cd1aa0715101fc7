// validate: checks a CSV file against an expectation suite (validate/), as
// a pipeline stage or a CI gate: exit 1 when an expectation is not met.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cli/cli_common.h"
#include "cli/csv_flags.h"
#include "core/error.h"
#include "core/file_system.h"
#include "table/csv_reader.h"
#include "validate/report.h"
#include "validate/suite.h"
#include "validate/validator.h"

namespace leanops::cli {
namespace {

struct ValidateFlags {
  std::string data;
  std::string suite;
  bool json = false;
  std::string report;
  CsvFlags csv;
};

ValidateFlags& Flags() {
  static ValidateFlags flags;
  return flags;
}

// The validation time results and reports carry: now, or SOURCE_DATE_EPOCH
// (seconds) when set, the reproducible-builds convention, so that a
// pipeline stage writing a report can give the same bytes on a re-run.
std::string ValidationTime() {
  int64_t micros = ReproducibleTimeMicros();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:06}Z", text, micros % 1000000);
}

void RunValidate() {
  const ValidateFlags& f = Flags();
  const table::CsvOptions options = CsvOptionsFrom(f.csv);
  ReuseChunkMemory();
  validate::Suite suite = validate::LoadSuite(f.suite);
  if (!f.report.empty()) MakeParentDirs(f.report);
  Json result = validate::ValidateCsv(f.data, suite, options, ValidationTime());
  if (!f.report.empty()) {
    RealFs().WriteFileAtomic(f.report, validate::RenderHtmlReport(result), 0644);
  }
  if (f.json) {
    std::printf("%s\n", result.dump(2).c_str());
  } else if (!Globals().quiet) {
    std::fputs(validate::RenderTextSummary(result).c_str(), stdout);
  }
  if (!result.at("success").get<bool>()) {
    const Json& stats = result.at("statistics");
    ThrowFailed("{}: suite {} failed: {} of {} expectations not met{}", f.data, suite.name,
                stats.at("unsuccessful_expectations").dump(),
                stats.at("evaluated_expectations").dump(),
                f.report.empty() ? "" : " (report: " + f.report + ")");
  }
}

}  // namespace

void RegisterValidateCommand(CLI::App& app) {
  ValidateFlags& f = Flags();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check a CSV file against a Great Expectations-style suite (exit 1 if it fails)");
  cmd->add_option("data", f.data, "CSV file to validate")->required();
  cmd->add_option("--suite", f.suite, "Expectation suite (GX JSON, or the same in YAML)")
      ->required();
  cmd->add_flag("--json", f.json, "Print the validation result (GX's shape) as JSON");
  cmd->add_option("--report", f.report, "Also write a self-contained HTML report to this file");
  AddCsvFlags(cmd, &f.csv);
  cmd->callback(RunValidate);
}

}  // namespace leanops::cli
