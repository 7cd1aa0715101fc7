// The flags every command that reads a CSV file takes, read one way:
// --delimiter C and --type COLUMN:TYPE (repeatable).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "table/csv_reader.h"

namespace leanops::cli {

struct CsvFlags {
  std::string delimiter = ",";
  std::vector<std::string> column_types;  // COLUMN:TYPE
};

/// Adds --delimiter and --type to `command`, stored in `flags`.
void AddCsvFlags(CLI::App* command, CsvFlags* flags);

/// The reader's options from the flags; a delimiter of more than one
/// character or a bad COLUMN:TYPE is a usage error.
table::CsvOptions CsvOptionsFrom(const CsvFlags& flags);

/// Makes the folder of an output file (a report, a suite) before the work
/// that writes it, as a pipeline stage's outputs have their folders made.
void MakeParentDirs(const std::string& path);

}  // namespace leanops::cli
