#!/usr/bin/env bash
# The whole system end to end: a build-server pool on loopback btrfs, a signed repository, the
# fleet server (SQLite) serving it, and a device that is a QEMU virtual machine booting through
# real GRUB (UEFI) with the real agent inside. Release 1.0 is provisioned, 1.1 is rolled out and
# committed after a trial boot, and a broken 1.2 is rolled out and rolled back by GRUB.
# Usage: scripts/demo-system.sh [--keep]     (--keep: leave the work directory for a look afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
keep=false; [ "${1:-}" = "--keep" ] && keep=true
repo_dir=$PWD
bin=$repo_dir/artifacts/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/atomicupdate-demo-XXXXXX")
pool=$work/build-pool
server_pid= vm_pid=
cleanup() {
  [ -n "$vm_pid" ] && kill "$vm_pid" 2>/dev/null && wait "$vm_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if mountpoint -q "$pool"; then umount "$pool"; fi
  if $keep; then echo "kept $work (restart the dashboard: $bin/au-server --urls http://127.0.0.1:$port --config $work/server.json)"; else rm -rf "$work"; fi
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=http://127.0.0.1:$port
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

step "A build-server pool: a btrfs image on a loop device, and a signed repository"
truncate -s 4G "$work/build-pool.img"
mkfs.btrfs -q "$work/build-pool.img"
mkdir -p "$pool"
mount -o loop "$work/build-pool.img" "$pool"
mkdir -p "$pool/releases" "$work/keys"
for key in root targets timestamp; do "$bin/au-publish" keys generate --out "$work/keys/$key.pem" >/dev/null; done
"$bin/au-publish" repo init --repo "$work/repo" --root-key "$work/keys/root.pem" --targets-key "$work/keys/targets.pem" \
  --snapshot-key "$work/keys/targets.pem" --timestamp-key "$work/keys/timestamp.pem"

step "The fleet server (SQLite), serving the repository to devices at /repo/"
cat > "$work/server.json" <<EOF
{
  "DataDirectory": "$work/server",
  "EnrollmentSecret": "$secret",
  "Repository": { "Path": "$work/repo", "TrustedRoot": "$work/repo/1.root.json", "PublicUrl": "http://10.0.2.2:$port/repo/", "Serve": true },
  "Logging": { "LogLevel": { "Default": "Warning" } }
}
EOF
mkdir -p "$work/server"
key=$("$bin/au-server" apikey create --role admin --name demo --config "$work/server.json" | grep -o 'auk_[A-Za-z0-9_-]*' | head -1)
"$bin/au-server" --urls "$server" --config "$work/server.json" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 60); do curl -sf "$server/readyz" >/dev/null && break; sleep 1; done
curl -sf "$server/readyz" >/dev/null || { echo "the fleet server did not start:"; cat "$work/server.log"; exit 1; }
api() { curl -sf -X "$1" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' ${3:+-d "$3"} "$server$2"; }
echo "dashboard: $server/   (sign in with the API key $key)"

step "Release 1.0: a small Linux root filesystem with the Debian kernel and the real agent"
cat > "$work/agent.json" <<EOF
{
  "repositories": ["http://10.0.2.2:$port/repo/"],
  "server": "http://10.0.2.2:$port/",
  "enrollmentSecretFile": "/etc/atomicupdate/enrollment-secret",
  "channel": "stable",
  "hardwareId": "qemu-x86_64",
  "poolMountPoint": "/run/pool",
  "stateDirectory": "/data/atomicupdate",
  "carryOverPaths": ["etc/hostname", "etc/machine-id"],
  "tries": 2,
  "bootBackend": "grub",
  "bootEnvironment": "/boot/efi/EFI/BOOT/grubenv",
  "healthChecks": ["test -x /bin/au-agent"],
  "rebootCommand": "sync; reboot -f",
  "rebootAfterInstall": true,
  "pollInterval": "00:01:00",
  "pollJitter": "00:00:00",
  "socketGroup": "root"
}
EOF
rootfs=$work/rootfs
scripts/vm/build-guest-root.sh "$rootfs" "$repo_dir/artifacts/agent" "$work/agent.json" "$work/repo/1.root.json" 1.0
install -m 755 scripts/vm/guest/init-fleet "$rootfs/sbin/init"
printf '%s\n' "$secret" > "$rootfs/etc/atomicupdate/enrollment-secret"
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$rootfs/etc/machine-id"; echo >> "$rootfs/etc/machine-id"
echo demo-device-1 > "$rootfs/etc/hostname"
echo "Welcome to release 1.0" > "$rootfs/etc/motd"
du -sh "$rootfs" | sed 's/\t.*/ root filesystem/'
publish() {
  "$bin/au-publish" release import --pool "$pool/releases" --version "$1" --from-dir "$rootfs" ${2:+--base "$2"} >/dev/null
  "$bin/au-publish" release publish --pool "$pool/releases" --repo "$work/repo" --version "$1" --channel stable \
    --hardware qemu-x86_64 --compression-level 3 --key "$work/keys/targets.pem" --key "$work/keys/timestamp.pem"
  api POST /api/v1/releases "{\"version\":\"$1\"}" >/dev/null
  echo "registered $1 with the fleet server (it checked the signatures)"
}
publish 1.0

step "The device: a disk with GRUB on its ESP and a btrfs pool, provisioned with 1.0"
"$bin/au-publish" bundle --repo "$work/repo" --version 1.0 --out "$work/1.0.aub" >/dev/null
bootloader/grub/setup-disk.sh --disk "$work/device.img" --size 2G --bundle "$work/1.0.aub" \
  --agent-config "$work/agent.json" --trusted-root "$work/repo/1.root.json" --agent "$repo_dir/artifacts/agent/au-agent"

step "Power on: UEFI firmware, GRUB, the kernel, the agent enrolls with the fleet server"
console=$work/console.log
VM_NETWORK=user VM_REBOOT=1 scripts/vm/boot-vm.sh "$work/device.img" "$console" &
vm_pid=$!
echo "QEMU pid $vm_pid; the guest's serial console is $console"
watch() { scripts/demo-watch.py "$server" "$key" "$1" "$2" "$3" "$vm_pid" "$console"; }
watch Committed,Idle 1.0 600

step "Release 1.1: an upgrade, published as a delta and rolled out to channel stable"
echo "Welcome to release 1.1" > "$rootfs/etc/motd"
head -c 3000000 /dev/urandom > "$rootfs/usr/lib/atomicupdate-demo-app.so"
echo 1.1 > "$rootfs/etc/release"
publish 1.1 1.0
api POST /api/v1/rollouts '{"channel":"stable","version":"1.1","phases":[{"percent":100}],"minimumDevices":1}' >/dev/null
echo "rollout of 1.1 created; the device picks it up at its next poll (every minute)"
watch Committed,Idle 1.1 900

step "Release 1.2 is broken: its init dies. GRUB counts the tries down and falls back to 1.1"
printf '#!/bin/sh\necho "AU-INIT-FAILS: release 1.2 cannot start"\nexit 1\n' > "$rootfs/sbin/init"
echo 1.2 > "$rootfs/etc/release"
publish 1.2 1.1
rollout=$(api GET /api/v1/rollouts | python3 -c 'import json, sys; print([r["id"] for r in json.load(sys.stdin)["items"] if r["version"] == "1.1"][0])' 2>/dev/null || true)
[ -n "$rollout" ] && api POST "/api/v1/rollouts/$rollout/advance" >/dev/null || true
api POST /api/v1/rollouts '{"channel":"stable","version":"1.2","phases":[{"percent":100}],"minimumDevices":1}' >/dev/null
watch RolledBack 1.2 900

step "What the fleet server knows now (the same JSON the dashboard reads)"
scripts/demo-report.py "$server" "$key"
echo
echo "The dashboard showed each step at $server/ (API key $key); run ./demo.sh --keep to look at it afterwards."
