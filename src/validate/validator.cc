#include "validate/validator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <future>
#include <memory>
#include <set>

#include "core/error.h"
#include "core/parallel.h"
#include "leanops_version.h"
#include "validate/check.h"

namespace leanops::validate {
namespace {

Json ExceptionInfo(const std::string* message) {
  return {{"raised_exception", message != nullptr},
          {"exception_message", message ? Json(*message) : Json()},
          {"exception_traceback", nullptr}};
}

}  // namespace

Json ValidateCsv(const std::string& data_path, const Suite& suite, const table::CsvOptions& options,
                 const std::string& validation_time) {
  struct Entry {
    std::unique_ptr<Check> check;
    std::string error;  // set once the check has failed to evaluate
  };
  std::vector<Entry> entries;
  for (const Expectation& expectation : suite.expectations) {
    Entry entry;
    try {
      entry.check = MakeCheck(expectation);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kData) throw;
      entry.error = e.what();
    }
    entries.push_back(std::move(entry));
  }

  // Read only the columns some expectation reads. One naming a column the
  // file lacks fails on its own, as in GX, without stopping the others.
  std::vector<std::string> file_columns = table::CsvReader(data_path, options).column_names();
  std::set<std::string> wanted;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].error.empty()) continue;
    for (const std::string& name : ColumnsRead(suite.expectations[i])) {
      if (std::find(file_columns.begin(), file_columns.end(), name) != file_columns.end()) {
        wanted.insert(name);
      } else {
        entries[i].error = fmt::format("column '{}' does not exist (columns: {})", name,
                                       fmt::join(file_columns, ", "));
      }
    }
  }
  for (const auto& [name, type] : options.column_types) wanted.insert(name);
  // A column only null checks read needs no value parsed, only whether each
  // row has one. A declared type is still checked, as the user asked.
  std::set<std::string> values_needed;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (suite.expectations[i].type == "expect_column_values_to_not_be_null") continue;
    for (const std::string& name : ColumnsRead(suite.expectations[i])) values_needed.insert(name);
  }
  table::CsvOptions read_options = options;
  read_options.columns.clear();
  for (const std::string& name : wanted) {
    bool presence_only = !values_needed.count(name) && !options.column_types.count(name);
    (presence_only ? read_options.presence_only : read_options.columns).push_back(name);
  }
  // A suite that reads no column still needs the rows counted.
  if (wanted.empty() && !file_columns.empty()) {
    read_options.presence_only.push_back(file_columns.front());
  }
  for (Entry& entry : entries) {
    if (entry.error.empty()) entry.check->Begin(file_columns);
  }

  table::CsvReader reader(data_path, read_options);
  size_t first_row = 0;
  bool any_chunk = false;
  // The checks are independent, so a chunk's run on all cores at once.
  auto feed = [&](const table::Table& chunk) {
    ParallelFor(entries.size(), options.jobs > 0 ? options.jobs : DefaultJobs(), [&](size_t i) {
      Entry& entry = entries[i];
      if (!entry.error.empty()) return;
      try {
        entry.check->Add(chunk, first_row);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kData) throw;
        entry.error = e.what();
      }
    });
    first_row += chunk.num_rows();
  };
  // The next chunk is read while the checks run on this one.
  std::optional<table::Table> chunk = reader.Next();
  if (chunk && reader.bytes_read() > 0) {
    const double share =
        static_cast<double>(reader.bytes_read()) / static_cast<double>(reader.file_bytes());
    const auto expected_rows = static_cast<size_t>(static_cast<double>(chunk->num_rows()) / share);
    for (Entry& entry : entries) {
      if (entry.error.empty()) entry.check->ExpectRows(expected_rows);
    }
  }
  while (chunk) {
    any_chunk = true;
    std::future<std::optional<table::Table>> next =
        std::async(std::launch::async, [&reader] { return reader.Next(); });
    feed(*chunk);
    chunk = next.get();
  }
  if (!any_chunk) {
    // A header without rows: the checks still see the columns.
    table::Table empty;
    for (const table::Field& field : reader.schema()) {
      empty.AddColumn(table::Column(field.name, field.type));
    }
    feed(empty);
  }

  Json results = Json::array();
  size_t successful = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& entry = entries[i];
    const Expectation& expectation = suite.expectations[i];
    Json result = Json::object();
    bool success = false;
    if (entry.error.empty()) {
      try {
        success = entry.check->Finish(result);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kData) throw;
        entry.error = e.what();
        result = Json::object();
      }
    }
    successful += success;
    results.push_back(
        {{"success", success},
         {"expectation_config",
          {{"expectation_type", expectation.type},
           {"kwargs", expectation.kwargs},
           {"meta", expectation.meta}}},
         {"result", std::move(result)},
         {"meta", Json::object()},
         {"exception_info", ExceptionInfo(entry.error.empty() ? nullptr : &entry.error)}});
  }
  const size_t evaluated = entries.size();
  Json statistics = {{"evaluated_expectations", evaluated},
                     {"successful_expectations", successful},
                     {"unsuccessful_expectations", evaluated - successful},
                     {"success_percent", evaluated ? Json(100.0 * static_cast<double>(successful) /
                                                          static_cast<double>(evaluated))
                                                   : Json()}};
  return {{"success", successful == evaluated},
          {"statistics", std::move(statistics)},
          {"results", std::move(results)},
          {"evaluation_parameters", Json::object()},
          {"meta",
           {{"expectation_suite_name", suite.name},
            {"data_asset_name", data_path},
            {"row_count", first_row},
            {"validation_time", validation_time},
            {"leanops_version", LEANOPS_VERSION}}}};
}

}  // namespace leanops::validate
