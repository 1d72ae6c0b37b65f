#!/usr/bin/env bash
# A realistic release pair from real Debian packages, for benchmarks and tests:
#   release 1.0 = a minimal Debian 12 (bookworm) system from debootstrap (required + important
#                 packages, plus $DEBIAN_PAIR_INCLUDE), as installed from the point release;
#   release 1.1 = a writable snapshot of 1.0 after `apt-get upgrade` with bookworm-security and
#                 bookworm-updates enabled, made read-only again.
# Built once on a loopback btrfs pool and cached as btrfs send streams (1.0 full, 1.1 incremental
# on 1.0) in the cache directory, so reruns take seconds and see the same trees even after the
# mirror moves on. Concurrent runs wait for each other (flock).
#
# Usage: scripts/debian-release-pair.sh                 build if missing; print the cached files (KEY=value)
#        scripts/debian-release-pair.sh --receive DIR   also receive both into DIR (a directory on btrfs):
#                                                       read-only subvolumes DIR/1.0 and DIR/1.1
#        scripts/debian-release-pair.sh --rebuild       build again from the mirror (fresh versions)
# Environment: AU_BENCH_CACHE (default /var/cache/atomicupdate-bench), DEBIAN_MIRROR,
#              DEBIAN_SECURITY_MIRROR, DEBIAN_PAIR_INCLUDE (comma-separated extra packages).
# From C#: create a LoopbackFilesystem, run this script with --receive <mount point>/pool, and
# publish from that pool (see tests/Benchmarks/DebianReleasePair.cs). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi

cache=${AU_BENCH_CACHE:-/var/cache/atomicupdate-bench}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
include=${DEBIAN_PAIR_INCLUDE:-ca-certificates,openssl}
suite=bookworm
receive_into=""
rebuild=false
while [ $# -gt 0 ]; do
  case "$1" in
    --receive) receive_into=${2:?--receive needs a directory on a btrfs filesystem}; shift 2 ;;
    --rebuild) rebuild=true; shift ;;
    *) echo "error: unknown argument '$1' (known: --receive DIR, --rebuild)" >&2; exit 2 ;;
  esac
done

pair="$cache/debian-12-pair"
stream_a="$pair/1.0.send"
stream_b="$pair/1.1-from-1.0.send"
manifest="$pair/pair.env"

for tool in debootstrap btrfs mkfs.btrfs chroot flock; do
  command -v "$tool" >/dev/null || missing_tool=$tool
done
if [ -n "${missing_tool:-}" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap btrfs-progs util-linux >/dev/null
fi

mkdir -p "$cache"
exec 9>"$cache/debian-12-pair.lock"
flock 9

build() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/atomicupdate-debian-pair-XXXXXX")
  mnt="$work/mnt"
  mkdir -p "$mnt" "$cache/debootstrap-debs" "$cache/apt-archives/partial"
  cleanup_build() {
    for m in "$mnt/build/var/cache/apt/archives" "$mnt/build/dev/pts" "$mnt/build/dev" "$mnt/build/proc" "$mnt/build/sys"; do
      if mountpoint -q "$m" 2>/dev/null; then umount -l "$m"; fi
    done
    if mountpoint -q "$mnt"; then umount "$mnt"; fi
    rm -rf "$work"
  }
  trap cleanup_build EXIT
  truncate -s 8G "$work/pool.img"
  mkfs.btrfs -q "$work/pool.img" >/dev/null 2>&1 || { echo "error: mkfs.btrfs failed on $work/pool.img" >&2; exit 1; }
  mount -o loop "$work/pool.img" "$mnt"
  root="$mnt/build"
  btrfs -q subvolume create "$root"

  echo "debootstrap $suite from $mirror (packages cached in $cache/debootstrap-debs)" >&2
  debootstrap --cache-dir="$cache/debootstrap-debs" --include="$include" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # A released image does not ship the downloaded packages (debootstrap leaves them in the target).
  rm -f "$root/var/cache/apt/archives/"*.deb
  cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
  mount -t proc proc "$root/proc"
  mount -t sysfs sys "$root/sys"
  mount --bind /dev "$root/dev"
  mount --bind /dev/pts "$root/dev/pts"
  mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
  chroot "$root" apt-get update -qq
  # Release 1.0 is the point release as debootstrap installed it; list what the upgrade will change.
  chroot "$root" apt-get -s upgrade | awk '/^Inst /{print $2, $3, $4}' | tr -d '[]()' >"$work/upgradable"
  if [ ! -s "$work/upgradable" ]; then
    echo "error: bookworm-security and bookworm-updates have nothing newer than the point release for this package set; set DEBIAN_PAIR_INCLUDE to packages that have updates" >&2
    exit 1
  fi
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin
  btrfs -q subvolume snapshot -r "$root" "$mnt/1.0"

  # No daemons start inside the chroot while packages are upgraded.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  chroot "$root" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get upgrade -y -qq -o Dpkg::Options::=--force-confold >"$work/upgrade.log" 2>&1 \
    || { tail -20 "$work/upgrade.log" >&2; exit 1; }
  for m in "$root/var/cache/apt/archives" "$root/dev/pts" "$root/dev" "$root/proc" "$root/sys"; do umount "$m"; done
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/usr/sbin/policy-rc.d"
  btrfs -q subvolume snapshot -r "$root" "$mnt/1.1"
  sync

  rm -rf "$pair.new"
  mkdir -p "$pair.new"
  btrfs send -q -f "$pair.new/1.0.send" "$mnt/1.0"
  btrfs send -q -f "$pair.new/1.1-from-1.0.send" -p "$mnt/1.0" "$mnt/1.1"
  {
    echo "BUILT=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "MIRROR=$mirror"
    echo "SECURITY_MIRROR=$security_mirror"
    echo "INCLUDE=$include"
    echo "POINT_RELEASE=$(cat "$mnt/1.0/etc/debian_version")"
    echo "PACKAGES_A=$(chroot "$mnt/1.0" dpkg-query -W | wc -l)"
    echo "UPGRADED=$(wc -l <"$work/upgradable")"
    echo "TREE_A_BYTES=$(du -sb "$mnt/1.0" | cut -f1)"
    echo "TREE_B_BYTES=$(du -sb "$mnt/1.1" | cut -f1)"
  } >"$pair.new/pair.env"
  cp "$work/upgradable" "$pair.new/upgraded-packages.txt"
  rm -rf "$pair"
  mv "$pair.new" "$pair"
  cleanup_build
  trap - EXIT
}

if $rebuild || [ ! -f "$manifest" ]; then
  build
fi

if [ -n "$receive_into" ]; then
  mkdir -p "$receive_into"
  btrfs receive -q -f "$stream_a" "$receive_into"
  btrfs receive -q -f "$stream_b" "$receive_into"
  # btrfs send names a received subvolume by its received UUID, not its own; making it writable
  # for a moment drops the received UUID, so the releases look like ones built on this pool.
  for release in 1.0 1.1; do
    btrfs property set -f -ts "$receive_into/$release" ro false
    btrfs property set -ts "$receive_into/$release" ro true
  done
fi

echo "STREAM_A=$stream_a"
echo "STREAM_B_FROM_A=$stream_b"
echo "UPGRADED_LIST=$pair/upgraded-packages.txt"
cat "$manifest"
if [ -n "$receive_into" ]; then
  echo "RELEASE_A=$(realpath "$receive_into/1.0")"
  echo "RELEASE_B=$(realpath "$receive_into/1.1")"
fi
