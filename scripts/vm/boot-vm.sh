#!/usr/bin/env bash
# Boots a disk set up by bootloader/grub/setup-disk.sh once, in QEMU with UEFI (OVMF), no network
# (unless VM_NETWORK=user),
# the serial console written to LOG; the machine's reboot ends QEMU (-no-reboot), so the caller
# decides about the next boot. Software emulation (TCG) unless
# VM_ACCEL=kvm (a /dev/kvm that opens may still fail to run a guest, so KVM is opt-in). The UEFI variables live beside the disk (DISK.vars).
# Usage: boot-vm.sh DISK LOG [UPDATE_DISK]      (exec's QEMU: this process's pid is QEMU's)
set -euo pipefail
disk=${1:?usage: boot-vm.sh DISK LOG [UPDATE_DISK]} log=${2:?usage: boot-vm.sh DISK LOG [UPDATE_DISK]} update=${3:-}
firmware=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
[ -f "$disk.vars" ] || cp "${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}" "$disk.vars"
drives=(-drive "if=virtio,format=raw,file=$disk")
if [ -n "$update" ]; then drives+=(-drive "if=virtio,format=raw,readonly=on,file=$update"); fi
# VM_NETWORK=user gives the guest QEMU's user networking (the host is 10.0.2.2; no boot ROM, so
# the firmware never tries a network boot); VM_REBOOT=1 lets the guest reboot itself in place.
network=(-net none)
if [ "${VM_NETWORK:-}" = user ]; then network=(-netdev user,id=net0 -device virtio-net-pci,netdev=net0,romfile=); fi
reboot=(-no-reboot)
if [ "${VM_REBOOT:-}" = 1 ]; then reboot=(); fi
exec qemu-system-x86_64 -machine q35 -accel "${VM_ACCEL:-tcg}" -m 1024 -smp 2 "${network[@]}" "${reboot[@]}" \
  -display none -monitor none -serial "file:$log" \
  -drive "if=pflash,format=raw,readonly=on,file=$firmware" -drive "if=pflash,format=raw,file=$disk.vars" \
  "${drives[@]}"
