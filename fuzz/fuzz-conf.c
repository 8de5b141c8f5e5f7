/*
 * fuzz-conf.c: libFuzzer target for libvirtd.conf (virconf's reader and
 * every key's checks, remoteDaemonConfigLoadString()): a config file may
 * be hostile, and must get an error naming the file and line, never a
 * crash or a hang.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>

#include "remote/remote_daemon_config.h"
#include "util/virerror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(remoteDaemonConfig) cfg = remoteDaemonConfigNew();

    /* Not NUL-terminated: the reader gets the length, as from a file. */
    if (remoteDaemonConfigLoadString(cfg, (const char *) data, size, "fuzz.conf") < 0 &&
        !virErrorIsSet())
        __builtin_trap();
    virResetLastError();
    return 0;
}
