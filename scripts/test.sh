#!/usr/bin/env bash
# Installs dependencies, builds, starts the test services that are available
# (the S3 server, the one-node Slurm cluster and PostgreSQL from
# ../shared/services), and runs every test with ctest: the GoogleTest unit
# tests and the CLI integration tests in tests/cli. Tests of a service that
# did not start skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

services=$PWD/../shared/services  # absolute: the EXIT trap runs after `cd build`
started=()
stop_services() {
  local service
  for service in "${started[@]}"; do
    bash "$services/$service.sh" stop >/dev/null 2>&1 || true
  done
}
trap stop_services EXIT
if [ -f "$services/s3.sh" ]; then
  started+=(s3)  # stopped at exit even when the start fails half-way
  if envs=$(bash "$services/s3.sh" start); then
    eval "$envs"
  else
    echo "test.sh: the S3 server did not start; S3 tests will be skipped" >&2
  fi
fi
if [ -f "$services/slurm.sh" ]; then
  started+=(slurm)  # stopped at exit even when the start fails half-way
  if envs=$(bash "$services/slurm.sh" start); then
    eval "$envs"
  else
    echo "test.sh: the Slurm cluster did not start; Slurm tests will be skipped" >&2
  fi
fi
if [ -f "$services/postgres.sh" ]; then
  started+=(postgres)  # stopped at exit even when the start fails half-way
  if envs=$(bash "$services/postgres.sh" start); then
    eval "$envs"  # LEANOPS_PG_URL and friends
  else
    echo "test.sh: PostgreSQL did not start; PostgreSQL tests will be skipped" >&2
  fi
fi

cd build
ctest --output-on-failure -j2 --timeout 900
