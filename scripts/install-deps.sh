#!/bin/sh
# Install the Debian 12 packages needed to build, test and demo this project.
# A no-op when everything is already present. Must run as root.
set -eu

PKGS="build-essential autoconf automake libtool pkg-config make
libglib2.0-dev libxml2-dev libxml2-utils libjson-c-dev libtirpc-dev rpcsvc-proto
libreadline-dev libgnutls28-dev libattr1-dev attr acl
qemu-system-x86 qemu-utils procps util-linux passwd coreutils groff-base
libvirt-clients python3-libvirt"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: these packages are missing and installing them needs root:$missing" >&2
    exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
