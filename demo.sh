#!/usr/bin/env bash
# The end-to-end demo. For now it shows the send stream tools on a real loopback btrfs:
# two releases, the kernel's incremental stream between them, and what au-publish reads in it.
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
scripts/prerequisites.sh
./build.sh >/dev/null
exec scripts/demo-stream.sh "$@"
