#!/usr/bin/env bash
# Installs dependencies, builds, starts the test services that are available
# (the S3 server from ../shared/services), and runs every test with ctest:
# the GoogleTest unit tests and the CLI integration tests in tests/cli.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

services=../shared/services
if [ -f "$services/s3.sh" ]; then
  if envs=$(bash "$services/s3.sh" start); then
    eval "$envs"
    trap 'bash "$services/s3.sh" stop >/dev/null 2>&1 || true' EXIT
  else
    echo "test.sh: the S3 server did not start; S3 tests will be skipped" >&2
  fi
fi

cd build
ctest --output-on-failure -j2 --timeout 900
