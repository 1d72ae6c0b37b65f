#!/usr/bin/env bash
# Builds everything a guest VM needs, in WORK (which must be on btrfs: the build pool lives there):
# keys and a signed repository (repo/), guest release 1.0 and the given later releases imported
# and published with au-publish (pool/, channel stable, hardware qemu-x86_64), an offline bundle
# per release (bundles/<version>.aub), and base.img: a disk set up with setup-disk.sh and 1.0
# committed, whose @data holds a checked sentinel file. Boot it with boot-vm.sh.
#
# Usage: build-guest-images.sh WORK AGENT_DIR AU_PUBLISH AGENT_CONFIG [VERSION BASE CHANGE]...
#   AGENT_DIR     the self-contained au-agent to put in the releases (./build.sh's artifacts/agent)
#   AGENT_CONFIG  the agent.json of the releases (bootBackend grub, stateDirectory on /data)
#   VERSION BASE CHANGE  a later release: the tree of BASE with /etc/release = VERSION, then the
#                 shell command CHANGE run inside the tree ("" for none); the bundle is the delta from BASE.
set -euo pipefail
usage="usage: build-guest-images.sh WORK AGENT_DIR AU_PUBLISH AGENT_CONFIG [VERSION BASE CHANGE]..."
work=${1:?$usage} agent=$(realpath "${2:?$usage}") publish=$(realpath "${3:?$usage}") config=$(realpath "${4:?$usage}")
shift 4
here=$(cd "$(dirname "$0")" && pwd)
cd "$work"
mkdir -p pool keys bundles data

for key in root targets timestamp; do "$publish" keys generate --out "keys/$key.pem" >/dev/null; done
"$publish" repo init --repo repo --root-key keys/root.pem --targets-key keys/targets.pem \
  --snapshot-key keys/targets.pem --timestamp-key keys/timestamp.pem >/dev/null
release() { # VERSION [BASE]: import rootfs/ as VERSION and publish it
  "$publish" release import --pool pool --version "$1" --from-dir rootfs ${2:+--base "$2"} >/dev/null
  "$publish" release publish --pool pool --repo repo --version "$1" --channel stable --hardware qemu-x86_64 \
    --deltas 5 --compression-level 1 --key keys/targets.pem --key keys/timestamp.pem >/dev/null
  cp -a --reflink=auto rootfs "tree-$1"
}

"$here/build-guest-root.sh" rootfs "$agent" "$config" repo/1.root.json 1.0
release 1.0
deltas=()
while [ $# -ge 3 ]; do
  version=$1 base=$2 change=$3
  shift 3
  rm -rf rootfs
  cp -a --reflink=auto "tree-$base" rootfs
  echo "$version" > rootfs/etc/release
  if [ -n "$change" ]; then (cd rootfs && eval "$change"); fi
  release "$version" "$base"
  deltas+=("$version:$base")
done
rm -rf rootfs

# Bundles carry the repository's metadata as it is when they are made: all from the final state,
# or a device provisioned from a newer one refuses an older one (a rollback attack, to TUF).
"$publish" bundle --repo repo --version 1.0 --out bundles/1.0.aub >/dev/null
for delta in "${deltas[@]}"; do
  "$publish" bundle --repo repo --version "${delta%%:*}" --from "${delta#*:}" --out "bundles/${delta%%:*}.aub" >/dev/null
done

# @data's content, checked by the guest at every boot (sha256sum -c).
head -c 1000000 /dev/urandom > data/sentinel
(cd data && sha256sum sentinel | sed 's# sentinel$# /data/sentinel#' > sentinel.sha256)
"$here/../../bootloader/grub/setup-disk.sh" --disk base.img --size 1G --bundle bundles/1.0.aub \
  --agent-config "$config" --trusted-root repo/1.root.json --agent "$agent/au-agent" --data data >/dev/null
echo "built $work/base.img (release 1.0 committed) and bundles: $(cd bundles && echo *.aub)"
