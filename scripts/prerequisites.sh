#!/usr/bin/env bash
# Installs what building, testing and the demo need when it is missing. Safe to run twice.
set -euo pipefail

packages=(btrfs-progs zstd libzstd1 util-linux e2fsprogs python3 attr acl rsync tar gzip openssl postgresql sqlite3 chromium nginx-light)
# Boot control: GRUB's and U-Boot's own environment tools, and the virtual machines that boot real
# GRUB (UEFI firmware, an x86_64 EFI GRUB, a FAT ESP written with mtools) and real U-Boot, with a
# Debian kernel and busybox for the guest's small root filesystem.
packages+=(grub-common grub-efi-amd64-bin mtools dosfstools fdisk qemu-system-x86 qemu-system-arm ovmf u-boot-qemu u-boot-tools libubootenv-tool linux-image-cloud-amd64 busybox-static cpio)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Node.js runs the TUF interoperability test (tuf-js); any Node 18.17+ will do, Debian's included.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
# Loop devices are created on demand by losetup; make sure the module is there.
modprobe loop 2>/dev/null || true
modprobe btrfs 2>/dev/null || true
