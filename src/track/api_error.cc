#include "track/api_error.h"

#include <cstring>

namespace leanops::track {

int HttpStatusForCode(const char* code) {
  struct Entry {
    const char* code;
    int status;
  };
  // mlflow/exceptions.py ERROR_CODE_TO_HTTP_STATUS.
  static constexpr Entry kTable[] = {
      {"INVALID_PARAMETER_VALUE", 400},
      {"BAD_REQUEST", 400},
      {"RESOURCE_ALREADY_EXISTS", 400},
      {"UNAUTHENTICATED", 401},
      {"CUSTOMER_UNAUTHORIZED", 401},
      {"PERMISSION_DENIED", 403},
      {"RESOURCE_DOES_NOT_EXIST", 404},
      {"NOT_FOUND", 404},
      {"ENDPOINT_NOT_FOUND", 404},
      {"ABORTED", 409},
      {"RESOURCE_CONFLICT", 409},
      {"ALREADY_EXISTS", 409},
      {"REQUEST_LIMIT_EXCEEDED", 429},
      {"RESOURCE_EXHAUSTED", 429},
      {"CANCELLED", 499},
      {"INTERNAL_ERROR", 500},
      {"INVALID_STATE", 500},
      {"DATA_LOSS", 500},
      {"NOT_IMPLEMENTED", 501},
      {"TEMPORARILY_UNAVAILABLE", 503},
      {"DEADLINE_EXCEEDED", 504},
  };
  for (const Entry& entry : kTable) {
    if (std::strcmp(entry.code, code) == 0) return entry.status;
  }
  return 500;
}

}  // namespace leanops::track
