// `${...}` interpolation in dvc.yaml, as DVC's parser does it
// (dvc/parsing/interpolate.py):
//
//   - `${name}`, `${a.b.c}`, `${list[0]}`, `${item}`, `${key}`: a lookup in
//     the context (vars files, params.yaml, `vars:` dicts, foreach/matrix
//     item and key).
//   - A value that is exactly one `${...}` takes the looked-up value with
//     its type (a list for `foreach: ${models}`); inside a longer string the
//     value is formatted as text (true/false, Python's float text), and
//     lists or dicts there are an error.
//   - `\${` is a literal `${`.
#pragma once

#include <string>

#include "pipeline/params_file.h"

namespace leanops {

/// True when `text` contains an unescaped `${`.
bool HasInterpolation(const std::string& text);

/// Resolves `text` against `context`. A text that is one whole `${...}`
/// returns the value itself; otherwise a string. Unknown names and
/// malformed expressions throw kData prefixed with `where` ("dvc.yaml:3:10").
Json Interpolate(const std::string& text, const Json& context, const std::string& where);

/// Interpolate() that must produce a string (numbers and booleans are
/// formatted; lists and dicts are an error naming `where`).
std::string InterpolateString(const std::string& text, const Json& context,
                              const std::string& where);

/// How a scalar is written into a string: "true", "3", "0.1", "abc".
std::string FormatScalar(const Json& value);

/// Adds every key of `more` to `context`; a key present in both is an
/// error (DVC refuses to redefine a variable), naming `source`.
void MergeVars(Json& context, const Json& more, const std::string& source);

}  // namespace leanops
