#include "table/csv_reader.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <span>

#include "core/error.h"
#include "core/parallel.h"
#include "table/csv_tokenizer.h"
#include "table/csv_typing.h"
#include "table/mapped_file.h"
#include "table/value_parsing.h"

namespace leanops::table {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The unit of parallel work: small enough that a block's text and fields
// stay in the core's cache between the two passes over it.
constexpr uint64_t kBlockBytes = 256 << 10;

}  // namespace

struct CsvReader::State {
  State(std::string path_in, CsvOptions options_in)
      : path(std::move(path_in)), options(std::move(options_in)), file(path), text(file.text()) {}

  // "FILE:LINE:COLUMN: message" for the byte at `offset`.
  [[noreturn]] void Fail(uint64_t offset, std::string_view message) const {
    uint64_t line_start = 0;
    uint64_t line = 1;
    const char* data = text.data();
    for (const char* p = data;
         (p = static_cast<const char*>(std::memchr(p, '\n', data + offset - p))) != nullptr; ++p) {
      ++line;
      line_start = static_cast<uint64_t>(p - data) + 1;
    }
    if (line == 1) line_start = std::min<uint64_t>(bom_size, offset);
    ThrowData("{}:{}:{}: {}", path, line, offset - line_start + 1, message);
  }

  void ReadHeader();
  std::vector<ColumnType> TypesOrDefault() const;

  std::string path;
  CsvOptions options;
  MappedFile file;
  std::string_view text;
  uint64_t bom_size = 0;
  std::vector<std::string> names;
  std::vector<std::optional<ColumnType>> declared;  // by column index
  std::vector<uint8_t> selected;                    // by column index: read it
  std::vector<uint8_t> presence_only;               // by column index: validity only
  // By column index: a string column stored without a dictionary. Fixed by
  // the first chunk.
  std::optional<std::vector<uint8_t>> plain;
  // Fixed by the first chunk (or the constructor, when all are declared).
  std::optional<std::vector<ColumnType>> types;
  size_t inferred_from_rows = 0;
  uint64_t pos = 0;  // where the next chunk starts
  // A quoted field holding a line break crossed a guessed block cut: cut
  // by counting quotes from then on.
  bool quoted_line_breaks = false;
  int jobs = 1;
  // The fields of a chunk's blocks, kept from chunk to chunk so that their
  // buffers are allocated (and their pages touched) once.
  std::vector<TokenizedPiece> pieces;
};

void CsvReader::State::ReadHeader() {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) bom_size = kUtf8Bom.size();
  pos = bom_size;
  std::vector<std::string> fields;
  uint64_t row_start = pos;
  if (std::optional<SyntaxFailure> failure = ReadOneRow(text, &pos, options.delimiter, &fields)) {
    Fail(failure->offset, failure->message);
  }
  if (fields.empty()) ThrowData("{}: empty file: no header and no rows", path);
  // Blank lines before the header were skipped.
  uint64_t header_start = text.find_first_not_of("\r\n", bom_size);
  if (!options.has_header) {
    pos = row_start;
    for (size_t i = 0; i < fields.size(); ++i) names.push_back(fmt::format("column_{}", i + 1));
    return;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string& name = fields[i];
    if (std::optional<size_t> bad = FindInvalidUtf8(name)) {
      Fail(header_start, fmt::format("invalid UTF-8 in the name of column {} (byte {} of the name)",
                                     i + 1, *bad + 1));
    }
    if (name.empty()) name = fmt::format("column_{}", i + 1);
    auto earlier = std::find(fields.begin(), fields.begin() + static_cast<ptrdiff_t>(i), name);
    if (earlier != fields.begin() + static_cast<ptrdiff_t>(i)) {
      Fail(header_start, fmt::format("duplicate column name \"{}\" (columns {} and {})", name,
                                     earlier - fields.begin() + 1, i + 1));
    }
  }
  names = std::move(fields);
}

std::vector<ColumnType> CsvReader::State::TypesOrDefault() const {
  if (types) return *types;
  std::vector<ColumnType> result;
  for (const auto& type : declared) result.push_back(type.value_or(ColumnType::kString));
  return result;
}

CsvReader::CsvReader(std::string path, CsvOptions options)
    : state_(std::make_unique<State>(std::move(path), std::move(options))) {
  State& s = *state_;
  char delimiter = s.options.delimiter;
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    ThrowUsage("CSV delimiter cannot be a quote or a line break");
  }
  s.jobs = s.options.jobs > 0 ? s.options.jobs : DefaultJobs();
  s.ReadHeader();
  s.declared.assign(s.names.size(), std::nullopt);
  const bool all_columns = s.options.columns.empty() && s.options.presence_only.empty();
  s.selected.assign(s.names.size(), all_columns ? 1 : 0);
  for (const std::string& name : s.options.columns) {
    auto it = std::find(s.names.begin(), s.names.end(), name);
    if (it == s.names.end()) {
      ThrowData("{}: column \"{}\" was asked for, but the file does not have it", s.path, name);
    }
    s.selected[static_cast<size_t>(it - s.names.begin())] = 1;
  }
  s.presence_only.assign(s.names.size(), 0);
  for (const std::string& name : s.options.presence_only) {
    auto it = std::find(s.names.begin(), s.names.end(), name);
    if (it == s.names.end()) {
      ThrowData("{}: column \"{}\" was asked for, but the file does not have it", s.path, name);
    }
    const auto c = static_cast<size_t>(it - s.names.begin());
    s.selected[c] = 1;
    s.presence_only[c] = 1;
  }
  for (const auto& [name, type] : s.options.column_types) {
    auto it = std::find(s.names.begin(), s.names.end(), name);
    if (it == s.names.end()) {
      ThrowData("{}: the schema names column \"{}\", which the file does not have", s.path, name);
    }
    s.declared[static_cast<size_t>(it - s.names.begin())] = type;
  }
  for (size_t c = 0; c < s.names.size(); ++c) {
    if (s.presence_only[c]) s.declared[c] = ColumnType::kString;
  }
  if (std::all_of(s.declared.begin(), s.declared.end(), [](auto& t) { return t.has_value(); })) {
    s.types = s.TypesOrDefault();
  }
}

CsvReader::~CsvReader() = default;
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;

const std::vector<std::string>& CsvReader::column_names() const { return state_->names; }

uint64_t CsvReader::bytes_read() const { return state_->pos; }
uint64_t CsvReader::file_bytes() const { return state_->text.size(); }

std::vector<Field> CsvReader::schema() const {
  std::vector<ColumnType> types = state_->TypesOrDefault();
  std::vector<Field> fields;
  for (size_t c = 0; c < types.size(); ++c) {
    if (state_->selected[c]) fields.push_back({state_->names[c], types[c]});
  }
  return fields;
}

namespace {

// What the first pass learns about one block of a chunk.
struct BlockSummary {
  size_t rows = 0;
  uint64_t end = 0;  // where its last row ended
  std::optional<SyntaxFailure> failure;
  std::vector<std::optional<ColumnType>> inferred;  // by column; empty when not inferring
  std::vector<uint8_t> mostly_distinct;             // by column; block 0 of the first chunk
  size_t worker = 0;                                // who converted it (second pass)
};

// A column's value failure in a block.
struct ColumnFailure {
  ValueFailure failure;
  size_t column = 0;
};

// Runs `work(worker, block)` for every block, in file order, on `jobs`
// threads; each worker index is used by one thread at a time, so a worker
// can keep buffers and dictionaries across its blocks.
template <typename Work>
void ForEachBlock(size_t blocks, int jobs, size_t workers, Work work) {
  std::atomic<size_t> next{0};
  ParallelFor(workers, jobs, [&](size_t worker) {
    for (size_t block = next++; block < blocks; block = next++) work(worker, block);
  });
}

// About how many bytes the fields of the `selected` columns of the rows in
// [begin, end) take as CellSpans, from the row length of its first 64 KiB.
uint64_t EstimatedFieldBytes(std::string_view text, uint64_t begin, uint64_t end,
                             const std::vector<uint8_t>& selected) {
  uint64_t sample_end = std::min<uint64_t>(end, begin + (64 << 10));
  auto lines =
      static_cast<uint64_t>(std::count(text.data() + begin, text.data() + sample_end, '\n'));
  uint64_t rows = (lines + 1) * (end - begin) / std::max<uint64_t>(1, sample_end - begin);
  auto columns = static_cast<uint64_t>(std::count(selected.begin(), selected.end(), 1));
  return rows * columns * sizeof(CellSpan);
}

// Makes `column` plain from the blocks' buffers: block b's rows are
// [first_rows[b], first_rows[b + 1]), and offsets[row + 1] is where the row
// ends in its block's buffer.
void JoinPlainStrings(const std::vector<size_t>& first_rows, std::vector<std::string> block_bytes,
                      RowVector<uint64_t> offsets, int jobs, Column* column) {
  std::vector<uint64_t> starts(block_bytes.size() + 1, 0);
  for (size_t b = 0; b < block_bytes.size(); ++b) {
    starts[b + 1] = starts[b] + block_bytes[b].size();
  }
  RowVector<char> bytes;
  bytes.resize(starts.back());  // each block's bytes are copied in on its own thread
  ParallelFor(block_bytes.size(), jobs, [&](size_t b) {
    std::memcpy(bytes.data() + starts[b], block_bytes[b].data(), block_bytes[b].size());
    std::string().swap(block_bytes[b]);
    for (size_t row = first_rows[b]; row < first_rows[b + 1]; ++row) offsets[row + 1] += starts[b];
  });
  column->set_plain_strings(std::move(bytes), std::move(offsets));
}

}  // namespace

std::optional<Table> CsvReader::Next() {
  State& s = *state_;
  const size_t num_columns = s.names.size();
  while (s.pos < s.text.size()) {
    // Cut the chunk into blocks small enough to stay in cache between their
    // two passes, at row boundaries.
    uint64_t room = s.text.size() - s.pos;
    uint64_t target = s.pos + std::min<uint64_t>(room, s.options.chunk_bytes);
    size_t wanted = static_cast<size_t>((target - s.pos) / kBlockBytes + 1);
    s.file.Populate(s.pos, target + kBlockBytes);  // the chunk, and the row running past it
    std::vector<uint64_t> bounds = s.quoted_line_breaks
                                       ? SplitAtRowBoundaries(s.text, s.pos, target, wanted, s.jobs)
                                       : GuessRowBoundaries(s.text, s.pos, target, wanted);
    const size_t num_blocks = bounds.size() - 1;
    const size_t workers = std::min<size_t>(num_blocks, static_cast<size_t>(s.jobs));
    const bool infer = !s.types.has_value();
    const bool choose_plain = !s.plain.has_value();
    // The first pass keeps each block's fields for the second when they
    // take less memory than the chunk's text (the columns read are a part
    // of the fields, or the fields are long); otherwise the second pass
    // splits each block again and the first records no field it does not
    // need.
    const bool keep_fields =
        EstimatedFieldBytes(s.text, s.pos, bounds.back(), s.selected) <= bounds.back() - s.pos;
    std::vector<TokenizedPiece>& pieces = s.pieces;
    pieces.resize(std::max(pieces.size(), keep_fields ? num_blocks : workers));
    auto piece_of = [&](size_t worker, size_t b) -> TokenizedPiece& {
      return pieces[keep_fields ? b : worker];
    };
    std::vector<BlockSummary> blocks(num_blocks);
    const std::vector<uint8_t> nothing(num_columns, 0);

    // First pass: split into fields (checking the syntax), count the rows
    // and, for the first chunk, infer the types.
    ForEachBlock(num_blocks, s.jobs, workers, [&](size_t worker, size_t b) {
      TokenizedPiece& piece = piece_of(worker, b);
      // Counting rows and checking the syntax needs no field.
      bool record = keep_fields || infer || (choose_plain && b == 0);
      TokenizeRows(s.text, bounds[b], bounds[b + 1], num_columns, s.options.delimiter, &piece,
                   record ? &s.selected : &nothing);
      blocks[b].rows = piece.rows;
      blocks[b].end = piece.end;
      blocks[b].failure = std::move(piece.failure);
      if (blocks[b].failure) return;
      if (choose_plain && b == 0 && !s.options.always_dictionary) {
        blocks[b].mostly_distinct.resize(num_columns);
        for (size_t c = 0; c < num_columns; ++c) {
          if (s.selected[c] && !s.presence_only[c]) {
            blocks[b].mostly_distinct[c] =
                LooksMostlyDistinct(s.text.data() + bounds[b], piece.columns[c]);
          }
        }
      }
      if (!infer) return;
      blocks[b].inferred.resize(num_columns);
      for (size_t c = 0; c < num_columns; ++c) {
        if (!s.declared[c] && s.selected[c])
          blocks[b].inferred[c] = InferType(s.text.data() + bounds[b], piece.columns[c]);
      }
    });
    // A syntax error makes the quote counts after it meaningless, so only
    // the earliest one in the file is real. With guessed cuts, a block is
    // read from a row start when every block before it ended at its cut; a
    // quoted line break across a cut is found at the first block that ran
    // past it, and the chunk is read again with cuts from counted quotes
    // (and so is the rest of the file: such a file likely has more).
    // A block that ran past its cut over blank lines only is fine: the next
    // one skips them too.
    auto ran_past = [&](size_t b) {
      std::string_view past = s.text.substr(bounds[b + 1], blocks[b].end - bounds[b + 1]);
      return past.find_first_not_of("\r\n") != std::string_view::npos;
    };
    const SyntaxFailure* first_syntax = nullptr;
    bool guess_missed = false;
    for (size_t b = 0; b < num_blocks && !first_syntax && !guess_missed; ++b) {
      if (blocks[b].failure) {
        first_syntax = &*blocks[b].failure;
      } else if (!s.quoted_line_breaks && ran_past(b)) {
        guess_missed = true;
      }
    }
    if (first_syntax) s.Fail(first_syntax->offset, first_syntax->message);
    if (guess_missed) {
      s.quoted_line_breaks = true;
      continue;
    }

    std::vector<size_t> first_rows(num_blocks + 1, 0);
    for (size_t b = 0; b < num_blocks; ++b) first_rows[b + 1] = first_rows[b] + blocks[b].rows;
    const size_t rows = first_rows.back();
    if (infer) {
      std::vector<ColumnType> types;
      for (size_t c = 0; c < num_columns; ++c) {
        std::optional<ColumnType> type = s.declared[c];
        for (size_t b = 0; b < num_blocks && !s.declared[c]; ++b) {
          if (!blocks[b].inferred[c]) continue;
          type = type ? WidenType(*type, *blocks[b].inferred[c]) : *blocks[b].inferred[c];
        }
        types.push_back(type.value_or(ColumnType::kString));
      }
      s.types = std::move(types);
      s.inferred_from_rows = rows;
    }
    if (choose_plain) {
      std::vector<uint8_t> plain(num_columns, 0);
      for (size_t c = 0; c < num_columns && !blocks[0].mostly_distinct.empty(); ++c) {
        plain[c] = blocks[0].mostly_distinct[c] && (*s.types)[c] == ColumnType::kString;
      }
      for (size_t c = 0; c < num_columns; ++c) plain[c] |= s.presence_only[c];
      s.plain = std::move(plain);
    }
    const std::vector<uint8_t>& plain = *s.plain;
    s.pos = bounds.back();
    if (rows == 0) continue;  // only blank lines

    // Second pass: split each block again (it is still in cache) and convert
    // its fields into its rows of the columns.
    std::vector<Column> columns;
    for (size_t c = 0; c < num_columns; ++c) {
      columns.emplace_back(s.names[c], (*s.types)[c]);
      // Pass two writes every row, each block on its own thread.
      if (s.selected[c]) columns.back().ResizeUninitialized(rows);
    }
    std::vector<std::vector<StringDictionary>> dictionaries(
        workers, std::vector<StringDictionary>(num_columns));
    // Plain string columns: each block writes its values into a buffer of
    // its own and where each row ends in it; JoinPlainStrings joins them.
    std::vector<RowVector<uint64_t>> plain_offsets(num_columns);
    std::vector<std::vector<std::string>> plain_bytes(num_columns);
    for (size_t c = 0; c < num_columns; ++c) {
      if (!s.selected[c] || !plain[c]) continue;
      plain_offsets[c].resize(rows + 1);  // pass two writes all but the first
      plain_offsets[c][0] = 0;
      plain_bytes[c].resize(num_blocks);
    }
    std::vector<std::optional<ColumnFailure>> failures(num_blocks);
    ForEachBlock(num_blocks, s.jobs, workers, [&](size_t worker, size_t b) {
      TokenizedPiece& piece = piece_of(worker, b);
      if (!keep_fields) {
        TokenizeRows(s.text, bounds[b], bounds[b + 1], num_columns, s.options.delimiter, &piece,
                     &s.selected);
      }
      blocks[b].worker = worker;
      for (size_t c = 0; c < num_columns; ++c) {
        if (!s.selected[c]) continue;
        if (s.presence_only[c]) {  // no bytes: every row's value ends at 0
          MarkPresent(piece.columns[c],
                      columns[c].mutable_validity().subspan(first_rows[b], blocks[b].rows));
          std::span<uint64_t> ends =
              std::span(plain_offsets[c]).subspan(first_rows[b] + 1, blocks[b].rows);
          std::fill(ends.begin(), ends.end(), 0);
          continue;
        }
        std::optional<ValueFailure> failure =
            plain[c] ? ConvertPlainStrings(
                           s.text, piece.begin, piece.columns[c],
                           std::span(plain_offsets[c]).subspan(first_rows[b] + 1, blocks[b].rows),
                           columns[c].mutable_validity().subspan(first_rows[b], blocks[b].rows),
                           &plain_bytes[c][b])
                     : ConvertCells(s.text, piece.begin, piece.columns[c], first_rows[b],
                                    &columns[c], &dictionaries[worker][c]);
        if (failure && (!failures[b] || failure->offset < failures[b]->failure.offset)) {
          failures[b] = ColumnFailure{std::move(*failure), c};
        }
      }
    });
    const ColumnFailure* first = nullptr;
    for (const auto& failure : failures) {
      if (failure && (!first || failure->failure.offset < first->failure.offset)) first = &*failure;
    }
    if (first) {
      const std::string& name = s.names[first->column];
      bool guessed = !infer && !s.declared[first->column];
      std::string hint = guessed
                             ? fmt::format(
                                   "; its type was inferred from the first {} rows: declare the "
                                   "column's type in the schema",
                                   s.inferred_from_rows)
                             : "";
      s.Fail(first->failure.offset,
             fmt::format("{} (column \"{}\"{})", first->failure.message, name, hint));
    }

    // One dictionary per string column, its values in order of first
    // appearance in the file, whatever the number of workers.
    std::vector<size_t> string_columns;
    for (size_t c = 0; c < num_columns; ++c) {
      if (!s.selected[c] || columns[c].type() != ColumnType::kString) continue;
      if (plain[c]) {
        JoinPlainStrings(first_rows, std::move(plain_bytes[c]), std::move(plain_offsets[c]), s.jobs,
                         &columns[c]);
      } else {
        string_columns.push_back(c);
      }
    }
    ParallelFor(string_columns.size(), s.jobs, [&](size_t k) {
      size_t c = string_columns[k];
      if (workers == 1) {  // one worker met the blocks in file order
        columns[c].set_dictionary(std::move(dictionaries[0][c]));
        return;
      }
      // Find each worker value's first row in file order, then intern those
      // values in that order (in batches, prefetching, with the hashes the
      // workers computed), then rewrite the codes.
      constexpr uint32_t kUnmapped = UINT32_MAX;
      std::vector<std::vector<uint32_t>> remap(workers);
      size_t total = 0;
      for (size_t w = 0; w < workers; ++w) {
        remap[w].assign(dictionaries[w][c].size(), kUnmapped);
        total += dictionaries[w][c].size();
      }
      std::span<uint32_t> codes = columns[c].mutable_codes();
      std::span<const uint8_t> validity = columns[c].validity();
      std::vector<std::pair<uint32_t, uint32_t>> first_seen;  // (worker, code)
      first_seen.reserve(total);
      for (size_t b = 0; b < num_blocks; ++b) {
        uint32_t w = static_cast<uint32_t>(blocks[b].worker);
        for (size_t row = first_rows[b]; row < first_rows[b + 1]; ++row) {
          if (!validity[row] || remap[w][codes[row]] != kUnmapped) continue;
          remap[w][codes[row]] = 0;
          first_seen.emplace_back(w, codes[row]);
        }
      }
      StringDictionary merged;
      merged.Reserve(first_seen.size());
      constexpr size_t kBatch = 16;
      for (size_t start = 0; start < first_seen.size(); start += kBatch) {
        size_t end = std::min(first_seen.size(), start + kBatch);
        for (size_t k = start; k < end; ++k) {
          merged.Prefetch(dictionaries[first_seen[k].first][c].HashOf(first_seen[k].second));
        }
        for (size_t k = start; k < end; ++k) {
          const auto& [w, code] = first_seen[k];
          const StringDictionary& local = dictionaries[w][c];
          remap[w][code] = merged.Intern(local.values()[code], local.HashOf(code));
        }
      }
      for (size_t b = 0; b < num_blocks; ++b) {
        const std::vector<uint32_t>& to = remap[blocks[b].worker];
        for (size_t row = first_rows[b]; row < first_rows[b + 1]; ++row) {
          if (validity[row]) codes[row] = to[codes[row]];
        }
      }
      columns[c].set_dictionary(std::move(merged));
    });

    s.file.Release(s.pos);
    Table table;
    for (size_t c = 0; c < num_columns; ++c) {
      if (s.selected[c]) table.AddColumn(std::move(columns[c]));
    }
    return table;
  }
  return std::nullopt;
}

Table ReadCsv(const std::string& path, CsvOptions options) {
  options.chunk_bytes = std::numeric_limits<size_t>::max();
  CsvReader reader(path, std::move(options));
  if (std::optional<Table> table = reader.Next()) return std::move(*table);
  Table empty;
  for (const Field& field : reader.schema()) empty.AddColumn(Column(field.name, field.type));
  return empty;
}

}  // namespace leanops::table
