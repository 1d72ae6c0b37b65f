#!/usr/bin/env bash
# Sets a device's disk (or a disk image) up for AtomicUpdate with GRUB on UEFI:
#   partition 1  ESP (FAT, label ESP): EFI/BOOT/BOOTX64.EFI, grub.cfg, device.cfg, grubenv, grubenv.b
#   partition 2  btrfs pool (label rootfs): @releases, @deploy, @data, .atomicupdate/good.env
# and provisions the first release from an offline bundle with `au-agent offline install --commit`.
# Nothing is mounted but the pool (through a loop device at the partition's offset); the ESP is
# written with mtools, so this works on hosts that cannot mount vfat.
#
# Usage: setup-disk.sh --disk FILE|DEVICE [--size SIZE] --bundle FILE --agent-config FILE
#                      --trusted-root FILE [--agent PATH] [--data DIR] [--console DEV]
#                      [--esp-size MIB] [--state-in-pool PATH]
#   --size           create (or resize) FILE as a sparse image of SIZE (truncate syntax: 1G, 800M)
#   --agent-config   the agent.json the device runs (its tries, hardware id, ...)
#   --trusted-root   the repository's root.json the device trusts (the bundle is verified against it)
#   --agent          au-agent (default: artifacts/bin/au-agent of this repository)
#   --data DIR       initial content of @data
#   --console DEV    the kernel console (default ttyS0,115200)
#   --state-in-pool  where the agent's stateDirectory lives inside the pool (default @data/atomicupdate,
#                    which the device mounts so that the state outlives every release)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
disk= size= bundle= config= trusted_root= data= console=ttyS0,115200 esp_mib=64 state_in_pool=@data/atomicupdate
agent=$here/../../artifacts/bin/au-agent
while [ $# -gt 0 ]; do
  case "$1" in
    --disk) disk=$2 ;; --size) size=$2 ;; --bundle) bundle=$2 ;; --agent-config) config=$2 ;;
    --trusted-root) trusted_root=$2 ;; --agent) agent=$2 ;; --data) data=$2 ;; --console) console=$2 ;;
    --esp-size) esp_mib=$2 ;; --state-in-pool) state_in_pool=$2 ;;
    *) echo "error: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
  shift 2
done
for required in disk bundle config trusted_root; do
  [ -n "${!required}" ] || { echo "error: --${required//_/-} is required" >&2; exit 2; }
done
for file in "$bundle" "$config" "$trusted_root" "$agent"; do
  [ -e "$file" ] || { echo "error: $file does not exist" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "error: run as root (the pool is formatted and mounted through a loop device)" >&2; exit 2; }

work=$(mktemp -d)
loop= mounted=
cleanup() {
  if [ -n "$mounted" ]; then umount "$work/pool" || true; fi
  if [ -n "$loop" ]; then losetup -d "$loop" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Partitions: GPT, the ESP first, the pool over the rest.
if [ -n "$size" ]; then truncate -s "$size" "$disk"; fi
sfdisk --quiet --wipe always "$disk" <<EOF
label: gpt
start=2048, size=$((esp_mib * 2048)), type=U, name="ESP"
type=L, name="rootfs"
EOF
read -r esp_start esp_sectors < <(partx -g -n 1 -o START,SECTORS "$disk")
read -r pool_start pool_sectors < <(partx -g -n 2 -o START,SECTORS "$disk")

# The pool, through a loop device over partition 2.
loop=$(losetup -f --show -o $((pool_start * 512)) --sizelimit $((pool_sectors * 512)) "$disk")
mkfs.btrfs -q -f -L rootfs "$loop" >/dev/null
pool_uuid=$(blkid -s UUID -o value "$loop")
mkdir -p "$work/pool"
mount -t btrfs -o subvolid=5 "$loop" "$work/pool"
mounted=1
for subvolume in @releases @deploy @data; do btrfs -q subvolume create "$work/pool/$subvolume"; done
mkdir -p "$work/pool/$state_in_pool"
if [ -n "$data" ]; then cp -a "$data/." "$work/pool/@data/"; fi

# The first release, committed without a trial (there is nothing to fall back to yet). The agent
# works on the mounted pool with its GRUB backend: it writes the environment of bootloader/README.md,
# copies A and B into $work/esp (copied onto the ESP below) and the known-good record on the pool;
# from here on the device's agent keeps them.
mkdir -p "$work/esp" "$work/root" "$work/hooks"
output=$(AU_AGENT_TRUSTED_ROOT="$trusted_root" AU_AGENT_HOOKS_DIRECTORY="$work/hooks" \
  AU_AGENT_BOOT_BACKEND=grub AU_AGENT_BOOT_ENVIRONMENT="$work/esp/grubenv" \
  "$agent" offline install --config "$config" --pool "$work/pool" --root "$work/root" \
  --state "$work/pool/$state_in_pool" --bundle "$bundle" --commit 2>&1) \
  || { echo "error: provisioning from $bundle failed: $output" >&2; exit 1; }
version=$(sed -n 's/^Committed: \([^ ]*\) .*/\1/p' <<<"$output")
[ -n "$version" ] || { echo "error: the agent did not commit the bundle's release: $output" >&2; exit 1; }
entry=@deploy/$version
[ -f "$work/pool/$entry/boot/vmlinuz" ] && [ -f "$work/pool/$entry/boot/initrd.img" ] \
  || { echo "error: release $version has no /boot/vmlinuz and /boot/initrd.img; GRUB boots those" >&2; exit 1; }
umount "$work/pool"
mounted=
losetup -d "$loop"
loop=

# The ESP: GRUB with our script, this device's constants, the environment.
cat > "$work/esp/device.cfg" <<EOF
# This device's constants for grub.cfg, written by setup-disk.sh.
set au_pool_uuid=$pool_uuid
set au_root=UUID=$pool_uuid
set au_console=$console
EOF
"$here/build-grub-image.sh" "$work/esp/BOOTX64.EFI"
mkfs.fat -F 32 -s 1 -n ESP --offset "$esp_start" "$disk" $((esp_sectors / 2)) >/dev/null 2>&1 || { echo "error: mkfs.fat failed on $disk" >&2; exit 1; }
esp="$disk@@$((esp_start * 512))"
export MTOOLS_SKIP_CHECK=1
mmd -i "$esp" ::/EFI ::/EFI/BOOT
mcopy -i "$esp" "$work/esp/BOOTX64.EFI" "$here/grub.cfg" "$work/esp/device.cfg" "$work/esp/grubenv" "$work/esp/grubenv.b" ::/EFI/BOOT/
echo "set up $disk: ESP with GRUB, pool $pool_uuid, release $version committed ($entry)"
