# remotefuncs.sh: what the shell tests of the remote transports share
# (remotesshtest.sh, remotetlstest.sh, remotetwohosttest.sh), sourced
# after tapfuncs.sh. The caller sets T (its temporary directory) and
# HANG (the seconds after which a client counts as hung). A client run
# by virsh_with leaves its stdout in $T/out, its stderr in $T/err and
# its exit status in $RC; a "not ok" shows the three.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

RC=0
out_has() { grep -qE -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }
status() { [ "$RC" -eq "$1" ]; }

notok_diag() {
    echo "#   exit status: $RC"
    sed 's/^/#   stdout: /' "$T/out" 2>/dev/null
    sed 's/^/#   stderr: /' "$T/err" 2>/dev/null
}

# virsh_with VIRSH URI ARGS...: stdout in $T/out, stderr in $T/err.
virsh_with() {
    v=$1
    u=$2
    shift 2
    timeout -k 5 $HANG "$v" -c "$u" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

# A free TCP port of 127.0.0.1.
free_port() {
    "${PYTHON:-/usr/bin/python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (10 by
# default); returns the process's exit status.
stop_pid() {
    sp_limit=$((${2:-10} * 10))
    kill -TERM "$1" 2>/dev/null
    sp_i=0
    while kill -0 "$1" 2>/dev/null && [ $sp_i -lt $sp_limit ]; do
        sleep 0.1
        sp_i=$((sp_i + 1))
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# Every process but this shell with this test's directory in its
# command line (clients, QEMUs): killed.
kill_test_procs() {
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [ "$pid" = "$$" ] && continue
        if { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "$T/"; then
            kill -9 "$pid" 2>/dev/null
        fi
    done
}

# make_images DIR SIZE WRITTEN OVERLAY...: DIR/base.raw of SIZE whose
# first WRITTEN bytes are 0x5a, and a qcow2 overlay DIR/OVERLAY on it for
# each OVERLAY, readable by all.
make_images() {
    mi_dir=$1
    mi_size=$2
    mi_written=$3
    shift 3
    qemu-img create -q -f raw "$mi_dir/base.raw" "$mi_size" || return 1
    qemu-io -f raw -c "write -P 0x5a 0 $mi_written" "$mi_dir/base.raw" >/dev/null || return 1
    for mi_o in "$@"; do
        qemu-img create -q -f qcow2 -b "$mi_dir/base.raw" -F raw "$mi_dir/$mi_o" || return 1
    done
    chmod 0644 "$mi_dir"/*
}

# domain_xml NAME DISK: a TCG domain of 64 MiB whose virtio disk is the
# qcow2 file DISK.
domain_xml() {
    cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
}

# sshd_config ADDRESS PORT KEYDIR PIDDIR PATH: an sshd's configuration for
# the tests: on ADDRESS:PORT, the host key and authorized_keys of KEYDIR,
# its pid file in PIDDIR, root by key only, sessions with PATH.
sshd_config() {
    cat <<EOF
ListenAddress $1
Port $2
HostKey $3/host_key
PidFile $4/sshd.pid
AuthorizedKeysFile $3/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
LogLevel VERBOSE
SetEnv PATH=$5
EOF
}

backing_of() {
    qemu-img info -U "$1" | sed -n 's/^backing file: //p'
}

# overlay_standalone OVERLAY: the 64 MiB overlay of make_images ... 64M
# 16M, pulled: no backing file, the base's 0x5a in its first 16 MiB and
# zeros after.
overlay_standalone() {
    [ -z "$(backing_of "$1")" ] &&
        qemu-io -r -U -f qcow2 -c "read -P 0x5a 0 16M" -c "read -P 0 16M 48M" "$1" >"$T/out" 2>"$T/err" &&
        ! grep -q "Pattern verification failed" "$T/out"
}
