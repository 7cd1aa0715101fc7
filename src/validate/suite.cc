#include "validate/suite.h"

#include "core/error.h"
#include "core/file_system.h"
#include "validate/catalog.h"

namespace leanops::validate {
namespace {

// GX 0.x writes "expectation_suite_name" and "expectation_type"; GX 1.x
// writes "name" and "type".
std::string FirstString(const Json& object, const char* key, const char* other) {
  for (const char* name : {key, other}) {
    auto it = object.find(name);
    if (it != object.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

std::string KnownList() {
  std::string list;
  for (const std::string& type : KnownExpectationTypes()) {
    list += (list.empty() ? "" : ", ") + type;
  }
  return list;
}

}  // namespace

Suite ParseSuite(const std::string& text, const std::string& display_name) {
  // Read as params files are: .json as JSON, anything else as YAML 1.2
  // (which JSON also is), with line numbers in syntax errors.
  Json root = ParseParamsText(text, display_name);
  if (!root.is_object()) ThrowData("{}: a suite must be a JSON/YAML object", display_name);
  Suite suite;
  suite.name = FirstString(root, "expectation_suite_name", "name");
  if (suite.name.empty()) {
    ThrowData("{}: the suite has no \"expectation_suite_name\" (or \"name\")", display_name);
  }
  suite.meta = root.value("meta", Json::object());
  auto list = root.find("expectations");
  if (list == root.end() || !list->is_array()) {
    ThrowData("{}: the suite has no \"expectations\" list", display_name);
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    if (!item.is_object()) ThrowData("{}: expectations[{}] is not an object", display_name, i);
    Expectation expectation;
    expectation.type = FirstString(item, "expectation_type", "type");
    if (expectation.type.empty()) {
      ThrowData("{}: expectations[{}] has no \"expectation_type\"", display_name, i);
    }
    const ExpectationSpec* spec = FindExpectation(expectation.type);
    if (spec == nullptr) {
      ThrowData("{}: expectations[{}]: unknown expectation type '{}' (accepted: {})", display_name,
                i, expectation.type, KnownList());
    }
    expectation.kwargs = item.value("kwargs", Json::object());
    std::string problem = CheckKwargs(*spec, expectation.kwargs);
    if (!problem.empty()) {
      ThrowData("{}: expectations[{}] ({}): {}", display_name, i, expectation.type, problem);
    }
    expectation.meta = item.value("meta", Json::object());
    suite.expectations.push_back(std::move(expectation));
  }
  return suite;
}

Suite LoadSuite(const std::string& path) {
  FileSystem& fs = RealFs();
  if (!fs.Stat(path).exists()) ThrowData("suite file '{}' does not exist", path);
  return ParseSuite(fs.ReadFile(path), path);
}

}  // namespace leanops::validate
