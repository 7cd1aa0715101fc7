// Pipeline outputs as tracked data: a PointerSource (data/repo.h) that
// presents each stage's outputs recorded in dvc.lock as a read-only
// DvcFile, so push, pull, fetch, checkout, ls and gc handle them as DVC
// does. Outputs with `cache: false` are listed with cache = false (never
// transferred or checked out); `push: false` ones are left out.
#pragma once

#include <memory>

#include "data/repo.h"

namespace leanops {

std::unique_ptr<PointerSource> MakePipelinePointerSource();

}  // namespace leanops
