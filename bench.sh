#!/usr/bin/env bash
# Benchmarks that print figures next to a baseline measured in the same run.
# Usage: ./bench.sh [stream [MB] | publish [MB] | agent [MB] | fleet [DEVICES] [SECONDS]]   (default: stream 256)
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
scripts/prerequisites.sh
dotnet build server/AtomicUpdate.Server -c Release -v quiet -nologo >/dev/null
dotnet build tests/Benchmarks -c Release -v quiet -nologo >/dev/null
exec dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll "${@:-stream}"
