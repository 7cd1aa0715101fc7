// MLflow's search grammar, read the way MLflow reads it: the lexer follows
// the token rules of sqlparse, which MLflow parses filters with (numbers,
// quoting, escapes), and the checks follow SearchUtils and its experiment and
// registry subclasses in mlflow/utils/search_utils.py.
#include "track/search_filter.h"

#include <openssl/evp.h>

#include <cctype>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <utility>

#include "track/api_error.h"

namespace leanops::track {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// sqlparse's [_A-ZÀ-Ü] (case-insensitive); any byte of a UTF-8 sequence counts.
bool IsLetter(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || c == '_' || u >= 0x80;
}
bool IsWordChar(char c) { return IsLetter(c) || IsDigit(c); }
bool IsNameChar(char c) { return IsWordChar(c) || c == '$' || c == '#'; }
bool IsSpace(char c) { return std::string_view(" \t\n\r\f\v").find(c) != std::string_view::npos; }
bool IsOperatorChar(char c) { return std::string_view("<>=~!").find(c) != std::string_view::npos; }
bool IsSegmentStart(char c) { return IsWordChar(c) || c == '"' || c == '`'; }

size_t SkipDigits(std::string_view s, size_t i) {
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i;
}

// Length of the number at the start of `s`, 0 if there is none. sqlparse's
// three number rules, tried in order: -?\d+(\.\d+)?E-?\d+, then
// -?(\d+\.\d*|\.\d+) and -?\d+, each not followed by a letter. So 1e-3, -2
// and .5 are numbers; 1e+3, +1 and 0x1F are not.
size_t NumberLength(std::string_view s) {
  const size_t start = s.empty() || s[0] != '-' ? 0 : 1;
  const size_t int_end = SkipDigits(s, start);
  const bool has_int = int_end > start;
  auto not_before_letter = [&](size_t end) { return end < s.size() && IsLetter(s[end]) ? 0 : end; };
  if (has_int) {
    size_t i = int_end;
    if (i + 1 < s.size() && s[i] == '.' && IsDigit(s[i + 1])) i = SkipDigits(s, i + 1);
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      const size_t exp = i + 1 < s.size() && s[i + 1] == '-' ? i + 2 : i + 1;
      const size_t exp_end = SkipDigits(s, exp);
      if (exp_end > exp) return exp_end;
    }
  }
  if (int_end < s.size() && s[int_end] == '.' &&
      (has_int || (int_end + 1 < s.size() && IsDigit(s[int_end + 1])))) {
    if (size_t end = not_before_letter(SkipDigits(s, int_end + 1))) return end;
  }
  return has_int ? not_before_letter(int_end) : 0;
}

struct Token {
  enum Kind { kEnd, kName, kNumber, kString, kOperator, kOpen, kClose, kComma };
  Kind kind = kEnd;
  size_t pos = 0;
  std::string_view raw;  // as written, quotes included
  std::string unquoted;  // kName: the dotted segments without their quotes
  size_t segments = 0;   // kName: how many dotted segments
  bool quoted = false;   // kName: some segment is in "" or ``
};

bool IsWord(const Token& t, std::string_view word) {
  if (t.kind != Token::kName || t.segments != 1 || t.quoted || t.raw.size() != word.size())
    return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.raw[i])) != word[i]) return false;
  }
  return true;
}

bool IsKeyword(const Token& t) {
  for (std::string_view word : {"AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "ASC", "DESC"}) {
    if (IsWord(t, word)) return true;
  }
  return false;
}

class Lexer {
 public:
  Lexer(const char* what, std::string_view text) : what_(what), text_(text) {}

  /// Throws INVALID_PARAMETER_VALUE naming the character position of `pos`.
  [[noreturn]] void Fail(size_t pos, std::string_view reason) const {
    size_t chars = 0;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) {
      chars += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
    }
    ThrowInvalid("Invalid {} '{}' at position {}: {}", what_, text_, chars, reason);
  }

  Token Next() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
    Token t;
    t.pos = pos_;
    if (pos_ == text_.size()) return t;
    const std::string_view rest = text_.substr(pos_);
    const char c = rest[0];
    size_t length = 1;
    if (c == '\'') {
      length = QuotedLength(rest, '\'');
      if (length == 0) Fail(pos_, "unterminated string");
      t.kind = Token::kString;
    } else if ((length = NumberLength(rest)) > 0) {
      t.kind = Token::kNumber;
    } else if (IsSegmentStart(c)) {
      return ReadName();
    } else if (IsOperatorChar(c)) {
      length = 1;
      while (length < rest.size() && IsOperatorChar(rest[length])) ++length;
      t.kind = Token::kOperator;
    } else if (c == '(' || c == ')' || c == ',') {
      length = 1;
      t.kind = c == '(' ? Token::kOpen : c == ')' ? Token::kClose : Token::kComma;
    } else {
      Fail(pos_, fmt::format("unexpected character '{}'", c));
    }
    t.raw = rest.substr(0, length);
    pos_ += length;
    return t;
  }

  Token Peek() {
    const size_t saved = pos_;
    Token t = Next();
    pos_ = saved;
    return t;
  }

 private:
  // Length of the quoted text at the start of `s`, 0 if it is not closed. A
  // doubled quote stands for one; in '' and "" strings so do \' and \",
  // and a doubled backslash for one backslash. As sqlparse's regular
  // expression backtracks, text that is never closed ends at the last quote
  // that could close it ('C:\' is C, colon, backslash).
  static size_t QuotedLength(std::string_view s, char quote) {
    const bool backslashes = quote != '`';
    size_t last_closable = 0;
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == quote) {
        if (i + 1 == s.size() || s[i + 1] != quote) return i + 1;
        last_closable = i++;
      } else if (backslashes && s[i] == '\\' && i + 1 < s.size() &&
                 (s[i + 1] == quote || s[i + 1] == '\\')) {
        if (s[++i] == quote) last_closable = i;
      }
    }
    return last_closable == 0 ? 0 : last_closable + 1;
  }

  // A dotted name: segments of name characters, "double" or `back` quoted,
  // joined by dots without spaces (tags.mlflow.user, params."a b").
  Token ReadName() {
    Token t;
    t.kind = Token::kName;
    t.pos = pos_;
    while (true) {
      const char c = text_[pos_];
      if (c == '"' || c == '`') {
        const size_t length = QuotedLength(text_.substr(pos_), c);
        if (length == 0) Fail(pos_, "unterminated quoted name");
        t.unquoted.append(text_.substr(pos_ + 1, length - 2));
        t.quoted = true;
        pos_ += length;
      } else {
        const size_t start = pos_;
        while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
        t.unquoted.append(text_.substr(start, pos_ - start));
      }
      ++t.segments;
      if (pos_ + 1 >= text_.size() || text_[pos_] != '.' || !IsSegmentStart(text_[pos_ + 1])) {
        break;
      }
      t.unquoted += '.';
      ++pos_;
    }
    t.raw = text_.substr(t.pos, pos_ - t.pos);
    return t;
  }

  const char* what_;
  std::string_view text_;
  size_t pos_ = 0;
};

// --------------------------------------------------------------- grammars

constexpr uint32_t Bit(Comparator op) { return 1u << static_cast<unsigned>(op); }
constexpr uint32_t kOrderOps = Bit(Comparator::kEq) | Bit(Comparator::kNe) | Bit(Comparator::kGt) |
                               Bit(Comparator::kGe) | Bit(Comparator::kLt) | Bit(Comparator::kLe);
constexpr uint32_t kTextOps =
    Bit(Comparator::kEq) | Bit(Comparator::kNe) | Bit(Comparator::kLike) | Bit(Comparator::kILike);
constexpr uint32_t kListOps = Bit(Comparator::kIn) | Bit(Comparator::kNotIn);

// What a value may be, besides the list that IN and NOT IN take.
enum class Values { kNumber, kString, kNumberOrQuotedNumber };

struct KeyRule {
  uint32_t ops;
  Values values;
};
constexpr KeyRule kNumeric{kOrderOps, Values::kNumber};
constexpr KeyRule kText{kTextOps, Values::kString};
constexpr KeyRule kTextOrList{kTextOps | kListOps, Values::kString};

// A key's name as written, what it may be compared with, and the key it
// stands for when it is an alias.
struct Key {
  std::string_view name;
  KeyRule rule = kText;
  std::string_view alias_of = {};
  std::string_view canonical() const { return alias_of.empty() ? name : alias_of; }
};

// RunInfo's searchable attributes and MLflow's aliases of them. MLflow also
// lets IN take string attributes other than run_id, but then rejects their
// list value, so only run_id has them here.
constexpr Key kRunAttributes[] = {{"run_id", kTextOrList},
                                  {"run_name"},
                                  {"run name", kText, "run_name"},
                                  {"Run name", kText, "run_name"},
                                  {"Run Name", kText, "run_name"},
                                  {"user_id"},
                                  {"status"},
                                  {"artifact_uri"},
                                  {"start_time", kNumeric},
                                  {"end_time", kNumeric},
                                  {"created", kNumeric, "start_time"},
                                  {"Created", kNumeric, "start_time"}};
constexpr Key kDatasetKeys[] = {
    {"name", kTextOrList}, {"digest", kTextOrList}, {"context", kTextOrList}};
constexpr Key kExperimentAttributes[] = {
    {"name"}, {"creation_time", kNumeric}, {"last_update_time", kNumeric}};
constexpr Key kModelAttributes[] = {{"name"}};
// Model versions take IN but not NOT IN, and a version number quoted too.
constexpr Key kVersionAttributes[] = {
    {"name"},
    {"source_path"},
    {"run_id", {kTextOps | Bit(Comparator::kIn), Values::kString}},
    {"version_number", {kOrderOps, Values::kNumberOrQuotedNumber}}};

constexpr Key kRunOrderKeys[] = {{"run_id"},
                                 {"run_name"},
                                 {"user_id"},
                                 {"status"},
                                 {"artifact_uri"},
                                 {"start_time"},
                                 {"end_time"},
                                 {"created", kText, "start_time"},
                                 {"Created", kText, "start_time"}};
constexpr Key kExperimentOrderKeys[] = {
    {"name"}, {"experiment_id"}, {"creation_time"}, {"last_update_time"}};
// MLflow's file store takes creation_timestamp; its SQL store takes
// "timestamp" for last_updated_timestamp. Both are accepted.
constexpr Key kModelOrderKeys[] = {{"name"},
                                   {"creation_timestamp"},
                                   {"last_updated_timestamp"},
                                   {"timestamp", kText, "last_updated_timestamp"}};
constexpr Key kVersionOrderKeys[] = {
    {"name"}, {"version_number"}, {"creation_timestamp"}, {"last_updated_timestamp"}};

struct Grammar {
  std::span<const Key> attributes;
  std::span<const Key> order_keys;
  // Runs know metrics, params and datasets, and every spelling of the entity
  // types; experiments and the registry only "attribute", "tag" and "tags".
  bool runs;
  // Runs and experiments unquote an attribute key before looking it up; the
  // registry does not, so `"name" = 'x'` is an error there, as in MLflow.
  bool unquote_attribute_keys;
};
constexpr Grammar kRuns{kRunAttributes, kRunOrderKeys, true, true};
constexpr Grammar kExperiments{kExperimentAttributes, kExperimentOrderKeys, false, true};
constexpr Grammar kModels{kModelAttributes, kModelOrderKeys, false, false};
constexpr Grammar kVersions{kVersionAttributes, kVersionOrderKeys, false, false};

std::optional<EntityType> EntityTypeOf(std::string_view word, bool runs) {
  if (!runs) {
    if (word == "attribute") return EntityType::kAttribute;
    if (word == "tag" || word == "tags") return EntityType::kTag;
    return std::nullopt;
  }
  if (word.size() >= 2 && word.front() == '`' && word.back() == '`') {
    word = word.substr(1, word.size() - 2);
  }
  if (word == "metric" || word == "metrics") return EntityType::kMetric;
  if (word == "parameter" || word == "parameters" || word == "param" || word == "params") {
    return EntityType::kParam;
  }
  if (word == "tag" || word == "tags") return EntityType::kTag;
  if (word == "attribute" || word == "attributes" || word == "attr" || word == "run") {
    return EntityType::kAttribute;
  }
  if (word == "dataset" || word == "datasets") return EntityType::kDataset;
  return std::nullopt;
}

const char* ValidTypes(bool runs) {
  return runs ? "metric, parameter, tag, attribute, dataset" : "attribute, tag";
}

std::string ValidKeys(std::span<const Key> table) {
  std::string list;
  for (const Key& key : table) {
    if (!key.alias_of.empty()) continue;
    list += list.empty() ? "" : ", ";
    list += key.name;
  }
  return list;
}

const Key* FindKey(std::span<const Key> table, std::string_view name) {
  for (const Key& key : table) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

// MLflow's _strip_quotes then _trim_backticks.
std::string_view Unquote(std::string_view key) {
  auto quoted = [&](char q) { return key.size() >= 2 && key.front() == q && key.back() == q; };
  if (quoted('\'') || quoted('"')) key = key.substr(1, key.size() - 2);
  if (quoted('`')) key = key.substr(1, key.size() - 2);
  return key;
}

// Python's str.islower(): some cased character and no upper-case one.
bool IsLowerCase(std::string_view s) {
  bool cased = false;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
    cased = cased || (c >= 'a' && c <= 'z');
  }
  return cased;
}

// A list item as MLflow reads it, with Python's ast.literal_eval: backslash
// escapes are decoded, and a doubled quote ends one literal and starts the
// next, which Python joins ('it''s' is "its"). nullopt if Python would not
// read it (a final lone backslash escapes the closing quote).
std::optional<std::string> PythonStringValue(std::string_view raw) {
  const std::string_view inner = raw.substr(1, raw.size() - 2);
  std::string value;
  for (size_t i = 0; i < inner.size(); ++i) {
    const char c = inner[i];
    if (c == '\'') {
      ++i;  // the lexer only lets a quote in as half of a pair
    } else if (c != '\\') {
      value += c;
    } else if (i + 1 == inner.size()) {
      return std::nullopt;
    } else {
      static constexpr std::string_view kEscapes = "ntr\\'\"", kMeanings = "\n\t\r\\'\"";
      const char e = inner[++i];
      if (const size_t k = kEscapes.find(e); k != std::string_view::npos) {
        value += kMeanings[k];
      } else if (e != '\n') {     // a backslash before a newline continues the line
        value.append({'\\', e});  // Python keeps unknown escapes
      }
    }
  }
  return value;
}

// `text` is a number as NumberLength reads it, which from_chars reads too
// (and, unlike strtod, whatever the locale).
double ToDouble(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string Describe(const Comparison& c) {
  static constexpr const char* kNames[] = {"metric", "param", "tag", "attribute", "dataset key"};
  return fmt::format("{} '{}'", kNames[static_cast<int>(c.type)], c.key);
}

class FilterParser {
 public:
  FilterParser(std::string_view text, const Grammar& grammar)
      : lex_("filter", text), grammar_(grammar) {}

  std::vector<Comparison> Parse() {
    std::vector<Comparison> comparisons;
    if (lex_.Peek().kind == Token::kEnd) return comparisons;
    while (true) {
      Comparison c;
      const KeyRule rule = ReadIdentifier(c);
      ReadComparator(c, rule);
      ReadValue(c, rule);
      comparisons.push_back(std::move(c));
      const Token t = lex_.Next();
      if (t.kind == Token::kEnd) return comparisons;
      if (!IsWord(t, "AND")) {
        lex_.Fail(t.pos, IsWord(t, "OR") ? "OR is not supported, only AND" : "expected AND");
      }
    }
  }

 private:
  KeyRule ReadIdentifier(Comparison& c) {
    const Token id = lex_.Next();
    if (id.kind == Token::kEnd) lex_.Fail(id.pos, "expected a comparison");
    if (id.kind != Token::kName || IsKeyword(id)) {
      lex_.Fail(id.pos, grammar_.runs
                            ? "expected an identifier such as metrics.<key>, "
                              "params.<key>, tags.<key> or an attribute"
                            : "expected an identifier such as tags.<key> or an attribute");
    }
    c.position = id.pos;
    // MLflow splits the identifier as written at its first dot.
    const size_t dot = id.raw.find('.');
    std::string_view key = id.raw;
    if (dot != std::string_view::npos) {
      const std::string_view word = id.raw.substr(0, dot);
      const auto type = EntityTypeOf(word, grammar_.runs);
      if (!type) {
        lex_.Fail(id.pos, fmt::format("invalid entity type '{}', valid types are {}", word,
                                      ValidTypes(grammar_.runs)));
      }
      c.type = *type;
      key = id.raw.substr(dot + 1);
    }
    const bool unquote = c.type != EntityType::kAttribute || grammar_.unquote_attribute_keys;
    c.key = unquote ? Unquote(key) : key;
    if (c.key.empty()) lex_.Fail(id.pos, "empty key");
    if (c.type == EntityType::kMetric) return kNumeric;
    if (c.type == EntityType::kParam || c.type == EntityType::kTag) return kText;
    const bool dataset = c.type == EntityType::kDataset;
    const std::span<const Key> table = dataset ? kDatasetKeys : grammar_.attributes;
    const Key* found = FindKey(table, c.key);
    if (!found) {
      lex_.Fail(id.pos, fmt::format("invalid {} key '{}', valid keys are {}",
                                    dataset ? "dataset" : "attribute", c.key, ValidKeys(table)));
    }
    c.key = found->canonical();
    return found->rule;
  }

  std::optional<Comparator> ComparatorOf(const Token& t) {
    static constexpr std::pair<std::string_view, Comparator> kSymbols[] = {
        {"=", Comparator::kEq},  {"!=", Comparator::kNe}, {">", Comparator::kGt},
        {">=", Comparator::kGe}, {"<", Comparator::kLt},  {"<=", Comparator::kLe}};
    for (const auto& [text, op] : kSymbols) {
      if (t.kind == Token::kOperator && t.raw == text) return op;
    }
    for (Comparator op : {Comparator::kLike, Comparator::kILike, Comparator::kIn}) {
      if (IsWord(t, ComparatorText(op))) return op;
    }
    if (!IsWord(t, "NOT")) return std::nullopt;
    const Token next = lex_.Next();
    if (!IsWord(next, "IN")) lex_.Fail(next.pos, "only IN may follow NOT");
    return Comparator::kNotIn;
  }

  void ReadComparator(Comparison& c, const KeyRule& rule) {
    const Token t = lex_.Next();
    const std::optional<Comparator> op = ComparatorOf(t);
    if (!op) lex_.Fail(t.pos, "expected a comparator");
    c.op = *op;
    if ((rule.ops & Bit(c.op)) == 0) {
      std::string allowed;
      for (int bit = 0; bit <= static_cast<int>(Comparator::kNotIn); ++bit) {
        if ((rule.ops & (1u << bit)) == 0) continue;
        allowed += allowed.empty() ? "" : ", ";
        allowed += ComparatorText(static_cast<Comparator>(bit));
      }
      lex_.Fail(t.pos, fmt::format("comparator '{}' is not valid for {}, use one of {}",
                                   ComparatorText(c.op), Describe(c), allowed));
    }
  }

  void ReadValue(Comparison& c, const KeyRule& rule) {
    const Token v = lex_.Next();
    if (c.op == Comparator::kIn || c.op == Comparator::kNotIn) {
      c.value = ReadList(v);
      return;
    }
    // sqlparse reads "x" as a name, and MLflow takes it as a string value.
    const bool quoted = v.kind == Token::kString ||
                        (v.kind == Token::kName && v.segments == 1 && v.raw.front() == '"');
    if (v.kind == Token::kNumber && rule.values != Values::kString) {
      c.value = ToDouble(v.raw);
    } else if (quoted && rule.values == Values::kString) {
      c.value = std::string(v.raw.substr(1, v.raw.size() - 2));  // verbatim, as MLflow keeps it
    } else if (quoted && rule.values == Values::kNumberOrQuotedNumber) {
      const std::string_view text = v.raw.substr(1, v.raw.size() - 2);
      if (text.empty() || NumberLength(text) != text.size()) {
        lex_.Fail(v.pos, fmt::format("expected a number for {}, got {}", Describe(c), v.raw));
      }
      c.value = ToDouble(text);
    } else if (v.kind == Token::kOpen) {
      lex_.Fail(v.pos, "a list of values needs IN or NOT IN");
    } else if (v.kind == Token::kEnd) {
      lex_.Fail(v.pos, "expected a value");
    } else if (rule.values == Values::kString) {
      lex_.Fail(v.pos,
                fmt::format("expected a quoted string value for {} (e.g. 'my-value'), got {}",
                            Describe(c), v.raw));
    } else {
      lex_.Fail(v.pos, fmt::format("expected a number for {}, got {}", Describe(c), v.raw));
    }
  }

  // ('a', 'b'): single-quoted strings only, as MLflow checks lists; a comma
  // may end a list of two or more. MLflow then drops every item that is not
  // all lower case (run ids are), so ('ABC') matches nothing there either.
  std::vector<std::string> ReadList(const Token& open) {
    if (open.kind != Token::kOpen) {
      lex_.Fail(open.pos, "expected a list of quoted strings in parentheses, e.g. ('a', 'b')");
    }
    std::vector<std::string> items;
    while (true) {
      const Token item = lex_.Next();
      if (item.kind == Token::kClose && items.size() >= 2) break;
      if (item.kind != Token::kString) {
        lex_.Fail(item.pos, item.kind == Token::kClose && items.empty()
                                ? "the list is empty"
                                : "expected a single-quoted string");
      }
      std::optional<std::string> value = PythonStringValue(item.raw);
      if (!value) lex_.Fail(item.pos, "ill-formed string in the list");
      items.push_back(std::move(*value));
      const Token next = lex_.Next();
      if (next.kind == Token::kClose) break;
      if (next.kind != Token::kComma) lex_.Fail(next.pos, "expected ',' or ')'");
    }
    std::erase_if(items, [](const std::string& item) { return !IsLowerCase(item); });
    return items;
  }

  Lexer lex_;
  const Grammar& grammar_;
};

// MLflow reads "<identifier> [ASC|DESC]" with sqlparse, then unquotes it
// whole (shlex, with backticks as double quotes) before splitting off the
// type, so tags."a b" and tags.`a b` both name the key "a b".
OrderBy ParseOrderBy(std::string_view clause, const Grammar& grammar) {
  Lexer lex("order_by clause", clause);
  const Token id = lex.Next();
  if (id.kind != Token::kName || IsKeyword(id)) lex.Fail(id.pos, "expected a column to order by");
  OrderBy order;
  Token t = lex.Next();
  if (IsWord(t, "ASC") || IsWord(t, "DESC")) {
    order.ascending = IsWord(t, "ASC");
    t = lex.Next();
  }
  if (t.kind != Token::kEnd) lex.Fail(t.pos, "expected ASC, DESC or the end of the clause");
  const std::string_view text = id.unquoted;
  const size_t dot = text.find('.');
  std::string_view key = text;
  if (dot != std::string_view::npos) {
    const std::string_view word = text.substr(0, dot);
    const auto type = EntityTypeOf(word, grammar.runs);
    if (!type) {
      lex.Fail(id.pos, fmt::format("invalid entity type '{}', valid types are {}", word,
                                   ValidTypes(grammar.runs)));
    }
    if (*type == EntityType::kDataset || (!grammar.runs && *type != EntityType::kAttribute)) {
      lex.Fail(id.pos, fmt::format("cannot order by {}", word));
    }
    order.type = *type;
    key = text.substr(dot + 1);
  }
  if (order.type != EntityType::kAttribute) {
    if (key.empty()) lex.Fail(id.pos, "empty key");
    order.key = key;
    return order;
  }
  const Key* found = FindKey(grammar.order_keys, key);
  if (!found) {
    lex.Fail(id.pos, fmt::format("invalid order_by key '{}', valid keys are {}", key,
                                 ValidKeys(grammar.order_keys)));
  }
  order.key = found->canonical();
  return order;
}

[[noreturn]] void BadPageToken(std::string_view token, std::string_view reason) {
  ThrowInvalid("Invalid page token '{}': {}", token, reason);
}

bool IsBase64Char(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' || c == '/';
}

}  // namespace

const char* ComparatorText(Comparator op) {
  static constexpr const char* kTexts[] = {"=",  "!=",   ">",     ">=", "<",
                                           "<=", "LIKE", "ILIKE", "IN", "NOT IN"};
  return kTexts[static_cast<int>(op)];
}

bool IsNumericRunAttribute(std::string_view key) {
  return key == "start_time" || key == "end_time";
}

std::vector<Comparison> ParseRunFilter(std::string_view filter) {
  return FilterParser(filter, kRuns).Parse();
}
OrderBy ParseRunOrderBy(std::string_view clause) { return ParseOrderBy(clause, kRuns); }

std::vector<Comparison> ParseExperimentFilter(std::string_view filter) {
  return FilterParser(filter, kExperiments).Parse();
}
OrderBy ParseExperimentOrderBy(std::string_view clause) {
  return ParseOrderBy(clause, kExperiments);
}

std::vector<Comparison> ParseRegisteredModelFilter(std::string_view filter) {
  return FilterParser(filter, kModels).Parse();
}
OrderBy ParseRegisteredModelOrderBy(std::string_view clause) {
  return ParseOrderBy(clause, kModels);
}

std::vector<Comparison> ParseModelVersionFilter(std::string_view filter) {
  return FilterParser(filter, kVersions).Parse();
}
OrderBy ParseModelVersionOrderBy(std::string_view clause) {
  return ParseOrderBy(clause, kVersions);
}

std::string MakePageToken(int64_t offset) {
  // Python's json.dumps({"offset": offset}): a space after the colon.
  const std::string json = fmt::format("{{\"offset\": {}}}", offset);
  std::string token(4 * ((json.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(token.data()),
                                     reinterpret_cast<const unsigned char*>(json.data()),
                                     static_cast<int>(json.size()));
  token.resize(static_cast<size_t>(length));
  return token;
}

int64_t ParsePageToken(std::string_view token) {
  if (token.empty()) return 0;
  // EVP_DecodeBlock skips spaces and does not check padding, so the text is
  // checked first: groups of four, '=' only as the last one or two.
  size_t padding = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '=' && i + 2 >= token.size()) {
      ++padding;
    } else if (padding > 0 || !IsBase64Char(token[i])) {
      BadPageToken(token, "not base64");
    }
  }
  if (token.size() % 4 != 0) BadPageToken(token, "not base64");
  std::string decoded(token.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                     reinterpret_cast<const unsigned char*>(token.data()),
                                     static_cast<int>(token.size()));
  if (length < 0) BadPageToken(token, "not base64");
  decoded.resize(static_cast<size_t>(length) - padding);

  const auto json = nlohmann::json::parse(decoded, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("offset")) {
    BadPageToken(token, "expected the base64 of {\"offset\": N}");
  }
  const nlohmann::json& offset = json.at("offset");
  int64_t value = -1;
  if (offset.is_number_unsigned()) {
    const auto u = offset.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      value = static_cast<int64_t>(u);
  } else if (offset.is_number_integer()) {
    value = offset.get<int64_t>();
  } else if (offset.is_string()) {  // MLflow's int() reads "12" too
    const std::string& text = offset.get_ref<const std::string&>();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) value = -1;
  }
  if (value < 0) BadPageToken(token, "the offset must be a non-negative integer");
  return value;
}

}  // namespace leanops::track
