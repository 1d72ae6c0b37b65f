#!/usr/bin/env bash
# Builds the guest's small initramfs: static busybox, the modules a virtio disk with btrfs and vfat
# needs (and virtio_net, for guests that talk to a fleet server), and guest/initramfs-init. Usage: build-initramfs.sh KERNEL_VERSION OUTPUT
set -euo pipefail
version=${1:?usage: build-initramfs.sh KERNEL_VERSION OUTPUT} output=${2:?usage: build-initramfs.sh KERNEL_VERSION OUTPUT}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work"/{bin,dev,proc,sys,modules,newroot}
cp /bin/busybox "$work/bin/busybox"
for applet in sh mount umount insmod findfs sleep reboot switch_root mkdir cat echo; do
  ln -s busybox "$work/bin/$applet"
done
cp "$here/guest/initramfs-init" "$work/init"
chmod 755 "$work/init"
# Dependencies first, each module once, in the order modprobe would load them.
for module in virtio_pci virtio_blk virtio_net btrfs vfat nls_cp437 nls_ascii; do
  modprobe -S "$version" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r path; do
  cp "$path" "$work/modules/"
  basename "$path" >> "$work/modules/order"
done
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$output"
