#!/usr/bin/env bash
# Installs brook's build dependencies from Debian 12 packages, only those
# missing. Idempotent; prints nothing when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev libabsl-dev libgtest-dev libgmock-dev
  clang libclang-rt-14-dev python3
  # The Kafka backend's client, and a real broker for its tests
  # (tools/kafka/broker: Java 17 runs it, Maven fetches it; Maven needs
  # only a runtime, not a JDK).
  librdkafka-dev openjdk-17-jre-headless maven
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "brook: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "brook: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
