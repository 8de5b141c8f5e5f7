#!/bin/sh
# tlscerts.sh DIR: the tests' certificates, made with GnuTLS's certtool
# (as docs/tls.md tells an administrator to), each set in a directory of
# libvirt's pkipath layout:
#
#   DIR/server           the daemon's: cacert.pem, servercert.pem (for
#                        127.0.0.1, ::1, localhost and $TLSCERTS_SERVER_IP
#                        if set), serverkey.pem,
#                        cacrl.pem (revokes client-revoked's certificate)
#   DIR/server-otherhost a server certificate for other.example only
#   DIR/server-expired   a server certificate that expired in 2020
#   DIR/client           a good client: CN=client,O=libvirt-bp tests
#   DIR/client-wrongca   its certificate signed by another CA
#   DIR/client-otherca   a good certificate, but it trusts another CA only
#   DIR/client-expired   expired on 2020-01-01
#   DIR/client-future    not active until 2035-01-01
#   DIR/client-intruder  CN=intruder (not on the tests' tls_allowed_dn_list)
#   DIR/client-revoked   CN=revoked, on the CA's revocation list
#
# Keys are shared between certificates of a side (RSA keys take time to
# make; what is tested is the certificates). certtool's output goes to
# DIR/certtool.log; a failure exits 1 naming the step.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -eu
dir=${1:?usage: tlscerts.sh DIR}
log=$dir/certtool.log
mkdir -p "$dir/tmpl"
: >"$log"

run() {
    step=$1
    shift
    if ! certtool "$@" >>"$log" 2>&1; then
        echo "tlscerts.sh: certtool failed to make $step (see $log)" >&2
        exit 1
    fi
}

key() {
    run "key $1" --generate-privkey --key-type rsa --bits 2048 --outfile "$1"
}

# cert NAME CAKEY CACERT KEY OUT TEMPLATE-LINES...
cert() {
    name=$1 cakey=$2 cacert=$3 k=$4 out=$5
    shift 5
    printf '%s\n' "$@" >"$dir/tmpl/$name.tmpl"
    run "certificate $name" --generate-certificate --load-privkey "$k" \
        --load-ca-privkey "$cakey" --load-ca-certificate "$cacert" \
        --template "$dir/tmpl/$name.tmpl" --outfile "$out"
}

ca() {
    mkdir -p "$dir/$1"
    key "$dir/$1/cakey.pem"
    printf '%s\n' "cn = \"$2\"" ca cert_signing_key crl_signing_key \
        'expiration_days = 3650' >"$dir/tmpl/$1.tmpl"
    run "CA $1" --generate-self-signed --load-privkey "$dir/$1/cakey.pem" \
        --template "$dir/tmpl/$1.tmpl" --outfile "$dir/$1/cacert.pem"
}

ca ca "libvirt-bp tests CA"
ca ca2 "another CA"
mkdir -p "$dir/keys"
key "$dir/keys/server.pem"
key "$dir/keys/client.pem"

CA="$dir/ca/cakey.pem $dir/ca/cacert.pem"
CA2="$dir/ca2/cakey.pem $dir/ca2/cacert.pem"

# server NAME CA-KEY CA-CERT TEMPLATE-LINES...
server() {
    d=$dir/$1 name=$1 cakey=$2 cacert=$3
    shift 3
    mkdir -p "$d"
    cert "$name" "$cakey" "$cacert" "$dir/keys/server.pem" "$d/servercert.pem" \
        'organization = "libvirt-bp tests"' tls_www_server signing_key \
        encryption_key "$@"
    cp "$dir/keys/server.pem" "$d/serverkey.pem"
    cp "$dir/ca/cacert.pem" "$d/cacert.pem"
}
# TLSCERTS_SERVER_IP: one more address of the daemon's certificate (a
# test's second host).
extra=
[ -n "${TLSCERTS_SERVER_IP:-}" ] && extra="ip_address = \"$TLSCERTS_SERVER_IP\""
# shellcheck disable=SC2086
server server $CA 'cn = "localhost"' 'dns_name = "localhost"' \
    'ip_address = "127.0.0.1"' 'ip_address = "::1"' ${extra:+"$extra"} \
    'expiration_days = 3650'
# shellcheck disable=SC2086
server server-otherhost $CA 'cn = "other.example"' \
    'dns_name = "other.example"' 'expiration_days = 3650'
# shellcheck disable=SC2086
server server-expired $CA 'cn = "localhost"' 'ip_address = "127.0.0.1"' \
    'activation_date = "2019-01-01 00:00:00"' \
    'expiration_date = "2020-01-01 00:00:00"'

# client NAME CACERT-TO-TRUST CA-KEY CA-CERT CN [TEMPLATE-LINES...]
# (no template lines: valid for ten years)
client() {
    d=$dir/$1 trust=$2 cakey=$3 cacert=$4 cn=$5
    shift 5
    [ $# -gt 0 ] || set -- 'expiration_days = 3650'
    mkdir -p "$d"
    cert "$(basename "$d")" "$cakey" "$cacert" "$dir/keys/client.pem" \
        "$d/clientcert.pem" "cn = \"$cn\"" 'organization = "libvirt-bp tests"' \
        tls_www_client signing_key encryption_key "$@"
    cp "$dir/keys/client.pem" "$d/clientkey.pem"
    cp "$trust" "$d/cacert.pem"
}
# shellcheck disable=SC2086
{
client client "$dir/ca/cacert.pem" $CA client
client client-wrongca "$dir/ca/cacert.pem" $CA2 client
client client-otherca "$dir/ca2/cacert.pem" $CA client
client client-intruder "$dir/ca/cacert.pem" $CA intruder
client client-revoked "$dir/ca/cacert.pem" $CA revoked
client client-expired "$dir/ca/cacert.pem" $CA client \
    'activation_date = "2019-01-01 00:00:00"' \
    'expiration_date = "2020-01-01 00:00:00"'
client client-future "$dir/ca/cacert.pem" $CA client \
    'activation_date = "2035-01-01 00:00:00"' \
    'expiration_date = "2036-01-01 00:00:00"'
}

printf '%s\n' 'crl_next_update = 3650' 'crl_number = 1' >"$dir/tmpl/crl.tmpl"
# shellcheck disable=SC2086
run "the revocation list" --generate-crl --load-ca-privkey "$dir/ca/cakey.pem" \
    --load-ca-certificate "$dir/ca/cacert.pem" \
    --load-certificate "$dir/client-revoked/clientcert.pem" \
    --template "$dir/tmpl/crl.tmpl" --outfile "$dir/server/cacrl.pem"
