// Writing YAML text by hand in the layout DVC's ruamel dumper produces
// (used for dvc.lock, the run cache and `stage add`).
#pragma once

#include <string>

#include "pipeline/params_file.h"

namespace leanops {

/// One scalar (or a small flow collection) as YAML text that reads back as
/// the same value and type: abc, 'true', 0.1, 'a: b'.
std::string YamlScalarText(const Json& value);

/// `prefix` (e.g. "    cmd:") followed by the scalar as ruamel writes it
/// in block style: a space, then the text folded at its best width of 80
/// columns (a long plain or single-quoted scalar continues on the next line
/// at column `indent`, breaking at a single space once past column 80), and
/// a newline. A null value is written as nothing after the prefix.
std::string YamlLine(const std::string& prefix, const Json& value, size_t indent);

}  // namespace leanops
