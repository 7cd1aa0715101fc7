// The request message of one API call: where its fields come from and how
// they are checked, as MLflow's _get_request_message and
// _validate_param_against_schema do it.
#include <algorithm>
#include <cctype>
#include <string_view>

#include "track/api_error.h"
#include "track/rest_handlers.h"
#include "track/rest_json.h"

namespace leanops::track::rest {
namespace {

using nlohmann::json;

constexpr const char* kSeeDocs = " See the API docs for more information about request parameters.";

// Python's name for the type of a decoded JSON value, as MLflow's messages
// show it ("Hint: Value was of type 'str'").
const char* PythonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "str";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "int";
    case json::value_t::number_float:
      return "float";
    case json::value_t::array:
      return "list";
    case json::value_t::object:
      return "dict";
    default:
      return "NoneType";
  }
}

// What Python's json.dumps(value, sort_keys=True, separators=(",", ":"))
// prints: compact, keys sorted, non-ASCII escaped.
std::string PythonJson(const json& value) {
  return value.dump(-1, ' ', true, json::error_handler_t::replace);
}

// MLflow's check that a Content-Type may be echoed back in a message.
bool PrintableContentType(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-/;,+_ ").find(c) != std::string_view::npos;
  });
}

std::string LowerTrimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void Call::ThrowBadValue(const char* name, const json& value) {
  ThrowInvalid("Invalid value {} for parameter '{}' supplied:  Hint: Value was of type '{}'.{}",
               PythonJson(value), name, PythonTypeName(value), kSeeDocs);
}

void Call::ThrowMissing(const char* name) {
  ThrowInvalid("Missing value for required parameter '{}'.{}", name, kSeeDocs);
}

void Call::Parse() {
  parsed_ = true;
  fields_ = json::object();
  if (request.method == "GET" && !request.query.empty()) {
    // A field given once is a scalar, a repeated one a list; accessors of
    // list fields accept both.
    for (const auto& [key, value] : request.query) {
      auto it = fields_.find(key);
      if (it == fields_.end()) {
        fields_[key] = value;
      } else {
        if (!it->is_array()) *it = json::array({*it});
        it->push_back(value);
      }
    }
    return;
  }
  if (request.method == "POST" || request.method == "PUT") {
    // MLflow refuses other content types, which also keeps a browser form
    // on another site from posting to the API.
    const std::string* header = request.Header("content-type");
    std::string type = header == nullptr ? "" : LowerTrimmed(header->substr(0, header->find(';')));
    if (type != "application/json") {
      std::string got;
      if (header != nullptr && PrintableContentType(*header)) {
        got = " Got '" + header->substr(0, header->find(';')) + "'.";
      }
      ThrowInvalid("Bad Request. Content-Type must be one of [application/json].{}", got);
    }
  }
  std::string text = body.ReadAll();
  body_size_ = text.size();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return;
  json parsed = json::parse(text, nullptr, false);
  // Older clients post their JSON encoded a second time, as a string.
  if (parsed.is_string()) parsed = json::parse(parsed.get<std::string>(), nullptr, false);
  if (parsed.is_discarded()) {
    throw Error(ErrorKind::kData, kBadRequest, "Malformed JSON in the request body");
  }
  if (!parsed.is_object()) {
    throw Error(ErrorKind::kData, kBadRequest, "The request body must be a JSON object");
  }
  fields_ = std::move(parsed);
}

const json& Call::Fields() {
  if (!parsed_) Parse();
  return fields_;
}

const json* Call::Raw(const char* name) {
  const json& fields = Fields();
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return nullptr;
  // A scalar field repeated in a query string: Flask's args.get takes the first.
  if (request.method == "GET" && it->is_array() && !it->empty() && it->front().is_string()) {
    return &it->front();
  }
  return &*it;
}

std::string Call::String(const char* name) {
  const json* value = Raw(name);
  if (value == nullptr) return "";
  if (value->is_string()) return value->get<std::string>();
  // MLflow turns numeric experiment ids into strings before parsing
  // (proto_json_utils._stringify_all_experiment_ids).
  if (value->is_number_integer() && std::string_view(name) == "experiment_id") return value->dump();
  ThrowBadValue(name, *value);
}

std::string Call::RequiredString(const char* name) {
  std::string value = String(name);
  if (value.empty()) ThrowMissing(name);
  return value;
}

std::optional<int64_t> Call::Int(const char* name) {
  const json* value = Raw(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) ThrowBadValue(name, *value);
  try {
    return Int64FromJson(*value, name);
  } catch (const Error&) {
    ThrowBadValue(name, *value);
  }
}

int64_t Call::RequiredInt(const char* name) {
  const json* value = Raw(name);
  if (value == nullptr || (value->is_string() && value->get_ref<const std::string&>().empty())) {
    ThrowMissing(name);
  }
  return *Int(name);
}

std::optional<double> Call::Double(const char* name) {
  const json* value = Raw(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) ThrowBadValue(name, *value);
  try {
    return DoubleFromJson(*value, name);
  } catch (const Error&) {
    ThrowBadValue(name, *value);
  }
}

double Call::RequiredDouble(const char* name) {
  const json* value = Raw(name);
  if (value == nullptr || (value->is_string() && value->get_ref<const std::string&>().empty())) {
    ThrowMissing(name);
  }
  return *Double(name);
}

std::optional<bool> Call::Bool(const char* name) {
  const json* value = Raw(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  if (request.method == "GET" && value->is_string()) {
    std::string text = LowerTrimmed(value->get<std::string>());
    if (text == "true") return true;
    if (text == "false") return false;
    ThrowInvalid("Invalid boolean value: {}, must be 'true' or 'false'.",
                 value->get<std::string>());
  }
  ThrowBadValue(name, *value);
}

std::vector<std::string> Call::StringList(const char* name) {
  std::vector<std::string> out;
  const json& fields = Fields();
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return out;
  if (it->is_string() && request.method == "GET") return {it->get<std::string>()};
  if (!it->is_array()) ThrowBadValue(name, *it);
  for (const json& item : *it) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_number_integer() && std::string_view(name) == "experiment_ids") {
      out.push_back(item.dump());
    } else {
      ThrowBadValue(name, *it);
    }
  }
  return out;
}

std::vector<Tag> Call::Tags(const char* name) {
  std::vector<Tag> out;
  const json* list = Raw(name);
  if (list == nullptr) return out;
  if (!list->is_array()) ThrowBadValue(name, *list);
  for (const json& item : *list) {
    try {
      out.push_back(TagFromJson(item));
    } catch (const Error&) {
      ThrowBadValue(name, *list);
    }
  }
  return out;
}

void Call::Reply(const json& message) {
  response.status = 200;
  response.content_type = "application/json";
  response.body = message.dump(-1, ' ', false, json::error_handler_t::replace);
}

void Call::ReplyJsonText(std::string text) {
  response.status = 200;
  response.content_type = "application/json";
  response.body = std::move(text);
}

}  // namespace leanops::track::rest
