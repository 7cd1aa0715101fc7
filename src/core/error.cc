#include "core/error.h"

#include <cstring>

namespace leanops {

int ExitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage:
      return 2;
    case ErrorKind::kData:
      return 3;
    case ErrorKind::kIO:
      return 4;
    case ErrorKind::kInternal:
      return 5;
    case ErrorKind::kFailed:
      return 1;
    case ErrorKind::kInterrupted:
      return 130;
  }
  return 5;
}

void ThrowErrno(const std::string& what, const std::string& path, int errno_value) {
  ThrowIO("{} '{}': {}", what, path, std::strerror(errno_value));
}

}  // namespace leanops
