// profile: per-column statistics of a CSV file (validate/profile.h), and a
// Great Expectations suite suggested from them that holds on that file.
#include <cstdio>
#include <filesystem>

#include "cli/cli_common.h"
#include "core/error.h"
#include "core/file_system.h"
#include "table/csv_reader.h"
#include "validate/profile.h"

namespace leanops::cli {
namespace {

struct ProfileFlags {
  std::string data;
  std::string suggest_suite;
  bool json = false;
  std::string delimiter = ",";
  std::vector<std::string> column_types;
};

ProfileFlags& Flags() {
  static ProfileFlags flags;
  return flags;
}

// The same flags, read the same way, as `leanops validate`: a suggested suite
// is meant to be checked with the options it was profiled with.
table::CsvOptions CsvOptionsFromFlags(const ProfileFlags& f) {
  if (f.delimiter.size() != 1)
    ThrowUsage("--delimiter must be one character, not '{}'", f.delimiter);
  table::CsvOptions options;
  options.delimiter = f.delimiter[0];
  for (const std::string& spec : f.column_types) {
    size_t colon = spec.rfind(':');
    std::optional<table::ColumnType> type = colon == std::string::npos
                                                ? std::nullopt
                                                : table::ColumnTypeFromName(spec.substr(colon + 1));
    if (!type || colon == 0) {
      ThrowUsage(
          "--type '{}': expected COLUMN:TYPE with TYPE one of int64, float64, bool, string, "
          "date, timestamp",
          spec);
    }
    options.column_types[spec.substr(0, colon)] = *type;
  }
  return options;
}

void RunProfile() {
  const ProfileFlags& f = Flags();
  const table::CsvOptions options = CsvOptionsFromFlags(f);
  const validate::TableProfile profile = validate::ProfileCsv(f.data, options);
  std::string suite_note;
  if (!f.suggest_suite.empty()) {
    const std::string name = std::filesystem::path(f.suggest_suite).stem().string();
    const Json suite = validate::SuggestSuite(profile, name);
    RealFs().WriteFileAtomic(f.suggest_suite, suite.dump(2) + "\n", 0644);
    suite_note = fmt::format("Suggested suite {} ({} expectations) written to {}", name,
                             suite.at("expectations").size(), f.suggest_suite);
  }
  if (f.json) {
    // stdout is the JSON document alone.
    std::printf("%s\n", validate::ProfileToJson(profile).dump(2).c_str());
    return;
  }
  if (!Globals().quiet) std::fputs(validate::RenderProfileText(profile).c_str(), stdout);
  if (!suite_note.empty()) Say(suite_note);
}

}  // namespace

void RegisterProfileCommand(CLI::App& app) {
  ProfileFlags& f = Flags();
  CLI::App* cmd = app.add_subcommand(
      "profile", "Describe a CSV file's columns; optionally suggest an expectation suite");
  cmd->add_option("data", f.data, "CSV file to profile")->required();
  cmd->add_option("--suggest-suite", f.suggest_suite,
                  "Write a Great Expectations suite (GX 0.x JSON) that holds on DATA to this file");
  cmd->add_flag("--json", f.json, "Print the profile as JSON");
  cmd->add_option("--delimiter", f.delimiter, "Field delimiter (default: ,)");
  cmd->add_option("--type", f.column_types,
                  "Declare a column's type instead of inferring it: COLUMN:TYPE (repeatable)");
  cmd->callback(RunProfile);
}

}  // namespace leanops::cli
