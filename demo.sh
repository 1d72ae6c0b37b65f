#!/usr/bin/env bash
# The end-to-end demo: build-server pool, signed repository, fleet server and a device that is a
# QEMU virtual machine booting through real GRUB (scripts/demo-system.sh). Where QEMU with UEFI
# firmware cannot run (not an x86_64 host), the send stream and agent demo with a clearly labelled
# SIMULATED reboot runs instead (scripts/demo-stream.sh). Usage: ./demo.sh [--keep]
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
scripts/prerequisites.sh
build_log=$(mktemp)
./build.sh >"$build_log" 2>&1 || { cat "$build_log" >&2; rm -f "$build_log"; echo "error: the build failed" >&2; exit 1; }
rm -f "$build_log"
if [ "$(uname -m)" = x86_64 ] && command -v qemu-system-x86_64 >/dev/null && [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ]; then
  exec scripts/demo-system.sh "$@"
fi
echo "QEMU with UEFI firmware is not available here: running the demo with a SIMULATED reboot." >&2
exec scripts/demo-stream.sh "$@"
