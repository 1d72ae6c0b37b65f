#!/usr/bin/env bash
# Builds the root filesystem tree of a small guest release that boots with the host's Debian
# kernel and runs the real agent: busybox, btrfs-progs, the self-contained au-agent (it brings its
# own trimmed .NET runtime), the kernel and a small initramfs in /boot, and guest/init as /sbin/init.
# Usage: build-guest-root.sh OUT_DIR AGENT_DIR AGENT_CONFIG TRUSTED_ROOT VERSION
#   AGENT_DIR     ./build.sh's artifacts/agent (the self-contained au-agent, as devices get it)
#   AGENT_CONFIG  the agent.json of the release; TRUSTED_ROOT: the repository's 1.root.json
set -euo pipefail
usage="usage: build-guest-root.sh OUT_DIR AGENT_DIR AGENT_CONFIG TRUSTED_ROOT VERSION"
out=${1:?$usage} agent=${2:?$usage} config=${3:?$usage} root_json=${4:?$usage} version=${5:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
kernel=$(ls /lib/modules | grep -- '-cloud-amd64$' | sort -V | tail -1)
kernel=${GUEST_KERNEL_VERSION:-$kernel}
[ -f "/boot/vmlinuz-$kernel" ] || { echo "error: no kernel /boot/vmlinuz-$kernel (install linux-image-cloud-amd64)" >&2; exit 1; }
[ -x "$agent/au-agent" ] || { echo "error: $agent/au-agent is missing (run ./build.sh)" >&2; exit 1; }
[ -f "$agent/libcoreclr.so" ] || { echo "error: $agent is not a self-contained au-agent (./build.sh's artifacts/agent)" >&2; exit 1; }

mkdir -p "$out"/{bin,sbin,lib64,lib/x86_64-linux-gnu,etc/atomicupdate,boot/efi,dev,proc,sys,run,tmp,data,usr/lib/atomicupdate,var/lib/atomicupdate}
cp /bin/busybox "$out/bin/"
for applet in $(busybox --list); do [ -e "$out/bin/$applet" ] || ln -s busybox "$out/bin/$applet"; done
cp "$(command -v btrfs)" "$out/bin/btrfs"
install -m 755 "$here/guest/init" "$out/sbin/init"

# The agent with its runtime; diagnostics-only native parts (the debugger's access library) are left out.
cp -a "$agent/." "$out/usr/lib/atomicupdate/"
find "$out/usr/lib/atomicupdate" \( -name 'libmscordaccore.so' -o -name 'libmscordbi.so' -o -name 'createdump' -o -name '*.xml' -o -name '*.pdb' \) -delete
ln -sf /usr/lib/atomicupdate/au-agent "$out/bin/au-agent"

# Shared libraries: what ldd names for btrfs and the agent's runtime, plus OpenSSL and zstd (loaded by name at run time).
libraries=$( { ldd "$out/bin/btrfs" "$out/usr/lib/atomicupdate/au-agent"; find "$out/usr/lib/atomicupdate" -name '*.so' -exec ldd {} \; ; } 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
for library in $libraries /lib/x86_64-linux-gnu/libssl.so.3 /lib/x86_64-linux-gnu/libcrypto.so.3 /lib/x86_64-linux-gnu/libzstd.so.1; do
  cp -L "$library" "$out/lib/x86_64-linux-gnu/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/"

cp "/boot/vmlinuz-$kernel" "$out/boot/vmlinuz"
"$here/build-initramfs.sh" "$kernel" "$out/boot/initrd.img"
cp "$config" "$out/etc/atomicupdate/agent.json"
cp "$root_json" "$out/etc/atomicupdate/root.json"
echo "$version" > "$out/etc/release"
echo guest > "$out/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$out/etc/passwd"
printf 'root:x:0:\n' > "$out/etc/group"
