#!/usr/bin/env bash
# Builds the GRUB EFI image (BOOTX64.EFI) for the AtomicUpdate boot script: every module the script
# uses is built in, so nothing is loaded from the ESP but grub.cfg, device.cfg and the environment.
# Usage: build-grub-image.sh OUTPUT.EFI      (needs grub-efi-amd64-bin: /usr/lib/grub/x86_64-efi)
set -euo pipefail
output=${1:?usage: build-grub-image.sh OUTPUT.EFI}

modules=(
  part_gpt part_msdos fat btrfs zstd      # the ESP and the pool (btrfs extents may be zstd-compressed)
  normal configfile echo test regexp true # the script language, source, [ ], regexp
  loadenv search search_fs_uuid           # the environment copies; finding the pool by UUID
  linux boot sleep reboot halt            # booting the kernel; the last resort
  serial terminal efi_gop                 # consoles
)
# The prefix is the ESP directory the image sits in: GRUB reads $prefix/grub.cfg at start.
grub-mkimage -O x86_64-efi -o "$output" -p /EFI/BOOT "${modules[@]}"
