/*
 * fuzz-uri.c: libFuzzer target for the remote driver's URI parsing
 * (remoteURIParse(), after GLib's g_uri_parse() as virConnectOpen() does
 * it): a URI is what a user, a config file or another program hands us.
 * The first byte picks a read-only open; the rest is the URI.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>

#include "remote/remote_uri.h"
#include "util/virerror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *str = NULL;
    g_autoptr(GUri) uri = NULL;
    g_autoptr(remoteURI) ruri = NULL;
    bool readonly;

    if (size < 1)
        return 0;
    readonly = data[0] & 1;
    /* A C string, as every caller has: a NUL ends it. */
    str = g_strndup((const char *) data + 1, size - 1);
    if (!(uri = g_uri_parse(str, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS,
                            NULL)))
        return 0;
    if (remoteURIParse(uri, readonly, "/run/fuzz/libvirt-bp", &ruri) == 0 &&
        (!ruri->name || !ruri->transport))
        __builtin_trap();
    virResetLastError();
    return 0;
}
