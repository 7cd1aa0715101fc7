#!/usr/bin/env bash
# Installs the Debian 12 packages leanops builds and tests with (run as root).
# Quiet when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libssl-dev libcurl4-openssl-dev libsqlite3-dev libyaml-cpp-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libtoml11-dev
  libpq-dev libboost-dev rapidjson-dev libpcre2-dev
  libxgboost-dev libeigen3-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-yaml python3-ruamel.yaml openssl
  python3-xgboost python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
