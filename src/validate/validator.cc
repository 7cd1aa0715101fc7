#include "validate/validator.h"

#include <memory>

#include "core/error.h"
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

  table::CsvReader reader(data_path, options);
  size_t first_row = 0;
  bool any_chunk = false;
  auto feed = [&](const table::Table& chunk) {
    for (Entry& entry : entries) {
      if (!entry.error.empty()) continue;
      try {
        entry.check->Add(chunk, first_row);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kData) throw;
        entry.error = e.what();
      }
    }
    first_row += chunk.num_rows();
  };
  while (std::optional<table::Table> chunk = reader.Next()) {
    any_chunk = true;
    feed(*chunk);
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
