#include "core/progress.h"

namespace leanops {
namespace {

class NullProgress : public Progress {
 public:
  void Begin(const std::string&, uint64_t, uint64_t) override {}
  void Advance(uint64_t, uint64_t) override {}
  void End() override {}
};

}  // namespace

Progress& NoProgress() {
  static NullProgress progress;
  return progress;
}

}  // namespace leanops
