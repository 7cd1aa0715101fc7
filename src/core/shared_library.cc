#include "core/shared_library.h"

#include <dlfcn.h>

namespace leanops {

SharedLibrary::SharedLibrary(std::string soname, std::string purpose, std::string package,
                             std::string version_hint)
    : soname_(std::move(soname)), version_hint_(std::move(version_hint)) {
  handle_ = ::dlopen(soname_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = ::dlerror();
    ThrowIO("cannot load {}, needed for {} ({}); install the {} package", soname_, purpose,
            why ? why : "unknown reason", package);
  }
}

void* SharedLibrary::Symbol(const char* name) const {
  void* symbol = ::dlsym(handle_, name);
  if (symbol == nullptr) {
    ThrowIO("{} lacks {}; install {}", soname_, name, version_hint_);
  }
  return symbol;
}

}  // namespace leanops
