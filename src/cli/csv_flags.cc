#include "cli/csv_flags.h"

#include <malloc.h>

#include <filesystem>
#include <optional>

#include "core/error.h"
#include "core/file_system.h"

namespace leanops::cli {

void AddCsvFlags(CLI::App* command, CsvFlags* flags) {
  command->add_option("--delimiter", flags->delimiter, "Field delimiter (default: ,)");
  command->add_option("--type", flags->column_types,
                      "Declare a column's type instead of inferring it: COLUMN:TYPE (repeatable)");
}

table::CsvOptions CsvOptionsFrom(const CsvFlags& flags) {
  if (flags.delimiter.size() != 1)
    ThrowUsage("--delimiter must be one character, not '{}'", flags.delimiter);
  table::CsvOptions options;
  options.delimiter = flags.delimiter[0];
  for (const std::string& spec : flags.column_types) {
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

void ReuseChunkMemory() {
  // Fixed thresholds (setting them turns off glibc's adjusting ones): blocks
  // up to 256 MiB come from the heap, and the heap is trimmed only above 1 GiB free.
  ::mallopt(M_MMAP_THRESHOLD, 256 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void MakeParentDirs(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  if (!parent.empty()) RealFs().MakeDirs(parent);
}

}  // namespace leanops::cli
