// Errors of the tracking store and registry, carrying MLflow's error codes so
// that the REST server can answer {"error_code": ..., "message": ...} with the
// matching HTTP status, and the CLI can exit with the documented code.
#pragma once

#include "core/error.h"

namespace leanops::track {

inline constexpr const char* kNotFound = "RESOURCE_DOES_NOT_EXIST";
inline constexpr const char* kAlreadyExists = "RESOURCE_ALREADY_EXISTS";
inline constexpr const char* kInvalidParameter = "INVALID_PARAMETER_VALUE";
inline constexpr const char* kInvalidState = "INVALID_STATE";
inline constexpr const char* kBadRequest = "BAD_REQUEST";

template <typename... Args>
[[noreturn]] void ThrowNotFound(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kData, kNotFound, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
[[noreturn]] void ThrowAlreadyExists(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kData, kAlreadyExists, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
[[noreturn]] void ThrowInvalid(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kData, kInvalidParameter, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
[[noreturn]] void ThrowInvalidState(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kData, kInvalidState, fmt::format(f, std::forward<Args>(args)...));
}

/// HTTP status for an error code, as MLflow's ERROR_CODE_TO_HTTP_STATUS;
/// 500 for codes it does not know.
int HttpStatusForCode(const char* code);

}  // namespace leanops::track
