#!/usr/bin/env bash
# Configures and builds leanops into ./build (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEANOPS_WERROR=ON >/dev/null
ninja -C build
