#!/usr/bin/env bash
# Benchmarks that print figures next to a baseline measured in the same run.
# Usage: ./bench.sh                 the whole suite on a Debian 12 release pair; writes BENCHMARKS.md
#        ./bench.sh [stream [MB] | publish [MB] | agent [MB] | apply | fleet [DEVICES] [SECONDS]]   single benchmarks
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
scripts/prerequisites.sh
if [ $# -eq 0 ] || [ "$1" = "suite" ]; then
  # Only the suite needs these: the release pair's debootstrap and the systems it compares with.
  missing=()
  for package in debootstrap ostree casync; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  set -- suite "$PWD/BENCHMARKS.md" "${@:2}"
fi
dotnet build server/AtomicUpdate.Server -c Release -v quiet -nologo >/dev/null
dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
# The agent's memory is measured on what devices run: the self-contained publish (see build.sh).
dotnet publish device/AtomicUpdate.Agent -c Release -r linux-x64 -o artifacts/agent -v quiet -nologo >/dev/null
exec dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll "$@"
