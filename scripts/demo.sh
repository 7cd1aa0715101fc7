#!/usr/bin/env bash
# Installs dependencies, builds, and runs the end-to-end demo in examples/churn.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bash examples/churn/demo.sh
