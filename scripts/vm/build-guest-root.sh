#!/usr/bin/env bash
# Builds the root filesystem tree of a small guest release that boots with the host's Debian
# kernel and runs the real agent: busybox, btrfs-progs, the .NET runtime from the host's dotnet
# root, the framework-dependent au-agent, the kernel and a small initramfs in /boot, and
# guest/init as /sbin/init.
# Usage: build-guest-root.sh OUT_DIR AGENT_DIR AGENT_CONFIG TRUSTED_ROOT VERSION
#   AGENT_DIR     ./build.sh's artifacts/bin (au-agent and its assemblies)
#   AGENT_CONFIG  the agent.json of the release; TRUSTED_ROOT: the repository's 1.root.json
set -euo pipefail
usage="usage: build-guest-root.sh OUT_DIR AGENT_DIR AGENT_CONFIG TRUSTED_ROOT VERSION"
out=${1:?$usage} agent=${2:?$usage} config=${3:?$usage} root_json=${4:?$usage} version=${5:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
kernel=$(ls /lib/modules | grep -- '-cloud-amd64$' | sort -V | tail -1)
kernel=${GUEST_KERNEL_VERSION:-$kernel}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
[ -f "/boot/vmlinuz-$kernel" ] || { echo "error: no kernel /boot/vmlinuz-$kernel (install linux-image-cloud-amd64)" >&2; exit 1; }
[ -x "$agent/au-agent" ] || { echo "error: $agent/au-agent is missing (run ./build.sh)" >&2; exit 1; }

mkdir -p "$out"/{bin,sbin,lib64,lib/x86_64-linux-gnu,etc/atomicupdate,boot/efi,dev,proc,sys,run,tmp,data,usr/lib/atomicupdate,var/lib/atomicupdate}
cp /bin/busybox "$out/bin/"
for applet in $(busybox --list); do [ -e "$out/bin/$applet" ] || ln -s busybox "$out/bin/$applet"; done
cp "$(command -v btrfs)" "$out/bin/btrfs"
install -m 755 "$here/guest/init" "$out/sbin/init"

# The runtime the agent needs (Microsoft.NETCore.App and, for its local API, AspNetCore.App).
mkdir -p "$out/usr/lib/dotnet/shared"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$out/usr/lib/dotnet/"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$out/usr/lib/dotnet/shared/"
# Diagnostics-only native parts (lttng tracing, the debugger's access library) are left out.
find "$out/usr/lib/dotnet" \( -name 'libcoreclrtraceptprovider.so' -o -name 'libmscordaccore.so' -o -name 'libmscordbi.so' -o -name 'createdump' -o -name '*.xml' -o -name '*.pdb' \) -delete
find "$agent" -maxdepth 1 -type f \( -name 'au-agent*' -o -name '*.dll' \) ! -name '*.pdb' ! -name '*.xml' -exec cp {} "$out/usr/lib/atomicupdate/" \;
ln -sf /usr/lib/atomicupdate/au-agent "$out/bin/au-agent"

# Shared libraries: what ldd names for btrfs and the runtime, plus OpenSSL (loaded by name at run time).
libraries=$( { ldd "$out/bin/btrfs" "$out/usr/lib/dotnet/dotnet"; find "$out/usr/lib/dotnet" -name '*.so' -exec ldd {} \; ; } 2>/dev/null \
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
