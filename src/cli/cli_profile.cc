// profile: per-column statistics of a CSV file (validate/profile.h), and a
// Great Expectations suite suggested from them that holds on that file.
#include <cstdio>
#include <filesystem>

#include "cli/cli_common.h"
#include "cli/csv_flags.h"
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
  CsvFlags csv;  // read as `leanops validate` reads them: a suggested suite is checked with them
};

ProfileFlags& Flags() {
  static ProfileFlags flags;
  return flags;
}

void RunProfile() {
  const ProfileFlags& f = Flags();
  const table::CsvOptions options = CsvOptionsFrom(f.csv);
  ReuseChunkMemory();
  if (!f.suggest_suite.empty()) MakeParentDirs(f.suggest_suite);
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
  AddCsvFlags(cmd, &f.csv);
  cmd->callback(RunProfile);
}

}  // namespace leanops::cli
