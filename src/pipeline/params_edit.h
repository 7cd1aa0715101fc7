// Setting values in a parameter file while keeping its comments and layout,
// as a person would edit it: `leanops tune` writes the best values it found
// back into params.yaml, where `leanops repro` then sees them as changed
// params.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pipeline/params_file.h"

namespace leanops {

/// `text` (a YAML file in block style) with each dotted key set to its
/// value: an existing scalar is replaced on its line (a trailing comment
/// stays), a missing key is added at the end of its mapping. When a key on
/// the way is in flow style ({a: 1}) or holds a list, the whole document
/// is written out again instead (comments are then lost). `name` names the
/// file in parse errors.
std::string SetYamlValues(const std::string& text,
                          const std::vector<std::pair<std::string, Json>>& values,
                          const std::string& name);

}  // namespace leanops
