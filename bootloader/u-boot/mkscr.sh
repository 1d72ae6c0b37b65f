#!/usr/bin/env bash
# Compiles boot.cmd into boot.scr, the legacy script image U-Boot's distro boot looks for.
# Usage: mkscr.sh [output, default boot.scr next to boot.cmd]   (needs mkimage from u-boot-tools)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
output=${1:-$here/boot.scr}
command -v mkimage >/dev/null || { echo "error: mkimage not found (install u-boot-tools)" >&2; exit 1; }
# The architecture field is informational for script images; 'source' runs them on any board.
mkimage -A arm64 -O linux -T script -C none -n "AtomicUpdate boot script" -d "$here/boot.cmd" "$output" >/dev/null
echo "$output"
