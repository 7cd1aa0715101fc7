// Parameter files (params.yaml and friends) as DVC reads them, and the
// conversion of their values to the one in-memory form the pipeline uses:
// nlohmann::ordered_json, which keeps the file's key order.
//
// The loader is picked by suffix as DVC does (dvc/utils/serialize): `.json`
// is JSON, `.toml` is TOML, anything else (`.yaml`, `.yml`, no suffix) is
// YAML. Plain YAML scalars are typed by the YAML 1.2 rules of DVC's ruamel
// loader (ruamel/yaml/resolver.py): `true`/`True`/`TRUE` (and false alike),
// `null`/`Null`/`NULL`/`~`/empty, integers (decimal, `0b`, `0o`, `0x`, `_`
// separators; `017` is 17), floats (`1.5`, `1e-5`, `.5`, `1.`, `.inf`,
// `.nan`); everything else (timestamps included), and every quoted or block
// scalar, is a string. Duplicate keys are an error, as in ruamel.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/file_system.h"

namespace leanops {

using Json = nlohmann::ordered_json;

/// Parses parameter-file text; `name` (the file's path as the user wrote
/// it) picks the format by suffix and names the file in errors, which are
/// kData with the line (and column where the parser gives one).
Json ParseParamsText(const std::string& text, const std::string& name);

/// Reads and parses `abs_path`; std::nullopt when the file does not exist.
/// `display` names the file in errors.
std::optional<Json> LoadParamsFile(FileSystem& fs, const std::string& abs_path,
                                   const std::string& display);

/// Converts a parsed YAML node (core schema, see above).
Json YamlToJson(const YAML::Node& node);

/// The value at a dotted key path ("train.lr"); a key that itself contains
/// dots is found too ("a.b" as one key). Lists are indexed by number
/// ("layers.0"). nullptr when absent.
const Json* FindDotted(const Json& root, const std::string& dotted);

/// Every leaf of `root` as ("a.b.c", value) pairs in file order; lists are
/// leaves (DVC compares them whole).
std::vector<std::pair<std::string, Json>> FlattenParams(const Json& root);

/// Emits `value` into a YAML emitter (block style for maps and lists, as
/// DVC's ruamel dumper writes dvc.lock) so that YamlToJson reads back the
/// same value and type: strings that YAML would read as another type are
/// quoted ('true', '1.0', ''), floats are written as ruamel writes Python
/// floats (repr: 0.1, 1e-05, 1e+16, .inf, .nan; ruamel adds ".0" before the
/// "e" only when dumping YAML 1.1, which DVC does not), integers as integers.
void EmitYamlValue(YAML::Emitter& emitter, const Json& value);

/// Python's repr() of a float: the shortest text that reads back the same
/// double, positional for exponents -4..15 ("0.1", "100.0", "0.0001"),
/// otherwise "1e-05", "1.5e+16"; "inf", "-inf", "nan". Also what Python's
/// json.dumps writes for finite floats.
std::string FormatPythonFloat(double value);
/// FormatPythonFloat with YAML's spellings of the non-finite values
/// (".inf", "-.inf", ".nan"), as ruamel writes them.
std::string FormatYamlFloat(double value);
/// Python's repr() of the equivalent Python value ("'a'", "[1, 'b']",
/// "{'k': True}", "None"), which DVC shows for lists in params diffs.
std::string PythonRepr(const Json& value);
/// Python's str(): a string as is, anything else as PythonRepr.
std::string PythonStr(const Json& value);

}  // namespace leanops
