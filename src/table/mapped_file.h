// A whole file mapped read-only into memory.
//
// The CSV reader parses straight from the mapping: no copy, pages come from
// the page cache on demand, and released ranges (Release) leave the process's
// memory, so streaming a file larger than memory keeps a bounded footprint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace leanops::table {

class MappedFile {
 public:
  /// Maps `path`; throws kIO naming the path when it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  /// The file's bytes (empty for an empty file).
  std::string_view text() const { return {data_, size_}; }
  /// Maps the pages of [begin, end) now, in one call, instead of one page
  /// fault per few pages as parsing touches them. Best effort: kernels
  /// before 5.14 fault them in as before.
  void Populate(uint64_t begin, uint64_t end);
  /// Drops the pages of [0, end) from the process's memory (the data stays
  /// readable; touching it again reads it back from the page cache).
  void Release(uint64_t end);

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  uint64_t released_ = 0;
};

}  // namespace leanops::table
