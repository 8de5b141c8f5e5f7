/*
 * fuzz-qemuconf.c: libFuzzer target for qemu.conf (the QEMU driver's own
 * reader and every key's checks, qemuDriverConfigLoadString()): a config
 * file may be hostile, and must get an error naming the file and line,
 * never a crash or a hang; a failed load leaves the configuration as it
 * was.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "qemu/qemu_conf.h"
#include "util/virerror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *user = g_strdup(cfg->user);

    /* Not NUL-terminated: the reader gets the length, as from a file. */
    if (qemuDriverConfigLoadString(cfg, (const char *) data, size,
                                   "fuzz-qemu.conf") < 0) {
        /* No error, one that names nothing, or a half-applied file. */
        if (!virErrorIsSet() || !strstr(virGetLastErrorMessage(), "fuzz-qemu.conf") ||
            !cfg->user || strcmp(cfg->user, user) != 0 || cfg->configFile)
            __builtin_trap();
    } else if (!cfg->user || !cfg->emulator || cfg->monitorTimeout <= 0 ||
               cfg->jobWaitTimeout <= 0 || !cfg->configFile) {
        __builtin_trap();
    }
    virResetLastError();
    return 0;
}
