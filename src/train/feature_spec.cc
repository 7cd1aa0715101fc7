// FeatureSpec's config form: parsing with errors that name the key and
// list what is accepted, and writing it back.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cmath>

#include "core/error.h"
#include "train/features.h"

namespace leanops::train {
namespace {

template <typename Enum, size_t N>
struct Names {
  std::array<std::pair<const char*, Enum>, N> entries;

  Enum Parse(const nlohmann::ordered_json& value, const std::string& where) const {
    if (value.is_string()) {
      for (const auto& [name, e] : entries)
        if (value.get<std::string>() == name) return e;
    }
    ThrowData("{}: {} is not one of: {}", where, value.dump(), List());
  }
  const char* Name(Enum e) const {
    for (const auto& [name, v] : entries)
      if (v == e) return name;
    return "?";
  }
  std::string List() const {
    std::vector<std::string> names;
    for (const auto& entry : entries) names.push_back(entry.first);
    return fmt::format("{}", fmt::join(names, ", "));
  }
};

constexpr Names<Impute, 5> kImputeNames{{{{"none", Impute::kNone},
                                          {"median", Impute::kMedian},
                                          {"mean", Impute::kMean},
                                          {"most_frequent", Impute::kMostFrequent},
                                          {"constant", Impute::kConstant}}}};
constexpr Names<Scale, 3> kScaleNames{
    {{{"none", Scale::kNone}, {"standard", Scale::kStandard}, {"minmax", Scale::kMinMax}}}};
constexpr Names<Encode, 2> kEncodeNames{
    {{{"onehot", Encode::kOneHot}, {"ordinal", Encode::kOrdinal}}}};
constexpr Names<DatePart, 7> kPartNames{{{{"year", DatePart::kYear},
                                          {"month", DatePart::kMonth},
                                          {"day", DatePart::kDay},
                                          {"day_of_week", DatePart::kDayOfWeek},
                                          {"day_of_year", DatePart::kDayOfYear},
                                          {"hour", DatePart::kHour},
                                          {"minute", DatePart::kMinute}}}};

// The keys each kind accepts.
const std::vector<std::string>& KeysOf(FeatureKind kind) {
  static const std::vector<std::string> numeric = {"impute", "fill", "clip", "log1p", "scale"};
  static const std::vector<std::string> categorical = {"impute", "fill", "encode", "min_frequency"};
  static const std::vector<std::string> datetime = {"parts", "impute"};
  switch (kind) {
    case FeatureKind::kNumeric:
      return numeric;
    case FeatureKind::kCategorical:
      return categorical;
    case FeatureKind::kDatetime:
      break;
  }
  return datetime;
}

std::optional<double> Bound(const nlohmann::ordered_json& value, const std::string& where) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_number())
    ThrowData("{}: a bound must be a number or null, not {}", where, value.dump());
  return value.get<double>();
}

}  // namespace

std::string_view FeatureKindName(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::kNumeric:
      return "numeric";
    case FeatureKind::kCategorical:
      return "categorical";
    case FeatureKind::kDatetime:
      break;
  }
  return "datetime";
}

FeatureSpec ParseFeatureSpec(const std::string& column, FeatureKind kind,
                             const nlohmann::ordered_json& options, const std::string& where) {
  FeatureSpec spec;
  spec.column = column;
  spec.kind = kind;
  if (kind == FeatureKind::kDatetime)
    spec.parts = {DatePart::kYear, DatePart::kMonth, DatePart::kDayOfWeek};
  if (options.is_null()) return spec;
  if (!options.is_object())
    ThrowData("{}: expected a mapping of options ({}), not {}", where,
              fmt::join(KeysOf(kind), ", "), options.dump());
  const std::vector<std::string>& keys = KeysOf(kind);
  for (const auto& [key, value] : options.items()) {
    std::string at = where + "." + key;
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      ThrowData("{}: unknown option for a {} feature (accepted: {})", at, FeatureKindName(kind),
                fmt::join(keys, ", "));
    if (key == "impute") {
      spec.impute = kImputeNames.Parse(value, at);
      bool allowed = kind == FeatureKind::kNumeric ||
                     (kind == FeatureKind::kCategorical &&
                      (spec.impute == Impute::kNone || spec.impute == Impute::kMostFrequent ||
                       spec.impute == Impute::kConstant)) ||
                     (kind == FeatureKind::kDatetime &&
                      (spec.impute == Impute::kNone || spec.impute == Impute::kMedian));
      if (!allowed)
        ThrowData("{}: '{}' does not apply to a {} feature", at, value.get<std::string>(),
                  FeatureKindName(kind));
    } else if (key == "fill") {
      if (!value.is_number() && !value.is_string())
        ThrowData("{}: expected a number or a string, not {}", at, value.dump());
      if (kind == FeatureKind::kNumeric && !value.is_number())
        ThrowData("{}: a numeric feature's fill must be a number, not {}", at, value.dump());
      spec.fill = value;
    } else if (key == "clip") {
      if (!value.is_array() || value.size() != 2)
        ThrowData("{}: expected [min, max] (either may be null), not {}", at, value.dump());
      spec.clip_min = Bound(value[0], at);
      spec.clip_max = Bound(value[1], at);
      if (spec.clip_min && spec.clip_max && *spec.clip_min > *spec.clip_max)
        ThrowData("{}: min {} is above max {}", at, *spec.clip_min, *spec.clip_max);
    } else if (key == "log1p") {
      if (!value.is_boolean()) ThrowData("{}: expected true or false, not {}", at, value.dump());
      spec.log1p = value.get<bool>();
    } else if (key == "scale") {
      spec.scale = value.is_boolean() ? (value.get<bool>() ? Scale::kStandard : Scale::kNone)
                                      : kScaleNames.Parse(value, at);
    } else if (key == "encode") {
      spec.encode = kEncodeNames.Parse(value, at);
    } else if (key == "min_frequency") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1)
        ThrowData("{}: expected a whole number of at least 1, not {}", at, value.dump());
      spec.min_frequency = value.get<int64_t>();
    } else if (key == "parts") {
      if (!value.is_array() || value.empty())
        ThrowData("{}: expected a list of parts ({}), not {}", at, kPartNames.List(), value.dump());
      spec.parts.clear();
      for (const nlohmann::ordered_json& part : value)
        spec.parts.push_back(kPartNames.Parse(part, at));
    }
  }
  if (spec.impute == Impute::kConstant && spec.fill.is_null())
    ThrowData("{}.impute: 'constant' needs a 'fill' value", where);
  return spec;
}

nlohmann::ordered_json FeatureSpecToJson(const FeatureSpec& spec) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["impute"] = kImputeNames.Name(spec.impute);
  if (!spec.fill.is_null()) json["fill"] = spec.fill;
  switch (spec.kind) {
    case FeatureKind::kNumeric:
      if (spec.clip_min || spec.clip_max)
        json["clip"] = {
            spec.clip_min ? nlohmann::ordered_json(*spec.clip_min) : nlohmann::ordered_json(),
            spec.clip_max ? nlohmann::ordered_json(*spec.clip_max) : nlohmann::ordered_json()};
      json["log1p"] = spec.log1p;
      json["scale"] = kScaleNames.Name(spec.scale);
      break;
    case FeatureKind::kCategorical:
      json["encode"] = kEncodeNames.Name(spec.encode);
      json["min_frequency"] = spec.min_frequency;
      break;
    case FeatureKind::kDatetime: {
      nlohmann::ordered_json parts = nlohmann::ordered_json::array();
      for (DatePart part : spec.parts) parts.push_back(kPartNames.Name(part));
      json["parts"] = parts;
      break;
    }
  }
  return json;
}

std::string_view DatePartName(DatePart part) { return kPartNames.Name(part); }

}  // namespace leanops::train
