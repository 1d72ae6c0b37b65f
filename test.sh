#!/usr/bin/env bash
# Installs what the tests need (safe to run twice), builds, and runs every test.
# Tests mount loopback btrfs images, so this runs as root.
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/prerequisites.sh
./build.sh
# The house style is part of the build: .editorconfig rules, import order, formatting.
dotnet format AtomicUpdate.sln --verify-no-changes --no-restore

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test AtomicUpdate.sln -c "${CONFIGURATION:-Release}" --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line for CI: the totals over every test project.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { gsub(",", "", f); printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
