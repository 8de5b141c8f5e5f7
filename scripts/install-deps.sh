#!/bin/sh
# Install the Debian 12 packages needed to build, test and demo this project.
# A no-op when everything is already present. Must run as root.
set -eu

PKGS="build-essential autoconf automake libtool pkg-config make
libglib2.0-dev libxml2-dev libxml2-utils libjson-c-dev libtirpc-dev rpcsvc-proto
libreadline-dev libgnutls28-dev libattr1-dev attr acl
qemu-system-x86 qemu-utils procps util-linux passwd coreutils groff-base
libvirt-clients python3-libvirt libvirt-daemon libvirt-daemon-driver-qemu
openssh-server openssh-client gnutls-bin iproute2 clang valgrind
systemd python3"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

# Debian's libvirtd (a peer of tests/remotepeertest.sh) without
# libvirt-daemon-system: the accounts and directory that package would
# make. Nothing is started.
libvirt_accounts() {
    getent group kvm >/dev/null || groupadd -r kvm
    getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
        useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
    mkdir -p /var/log/libvirt/qemu
}

if [ -z "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        libvirt_accounts
    fi
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
libvirt_accounts
