/*
 * qemu_conf.h: the QEMU driver's configuration, read from qemu.conf.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Defaults of the settings qemu.conf can change. */
#define QEMU_DRIVER_CONFIG_DEFAULT_USER "nobody"
#define QEMU_DRIVER_CONFIG_DEFAULT_GROUP "nogroup"
#define QEMU_DRIVER_CONFIG_DEFAULT_SECURITY_DRIVER "dac"
#define QEMU_DRIVER_CONFIG_DEFAULT_MONITOR_TIMEOUT 30000
#define QEMU_DRIVER_CONFIG_DEFAULT_JOB_WAIT_TIMEOUT 30000

typedef struct _qemuDriverConfig qemuDriverConfig;
struct _qemuDriverConfig {
    char *user;                     /* QEMU runs as this user ("nobody") */
    char *group;                    /* ... and group ("nogroup") */
    char *securityDriver;           /* "dac" or "none" */
    unsigned long long blockPullMaxBandwidth; /* bytes/s, 0 = unlimited */
    char *emulator;                 /* default QEMU binary (absolute path) */
    int monitorTimeout;             /* ms to wait for a monitor reply (> 0) */
    int jobWaitTimeout;             /* ms a call waits for a domain's job (> 0) */
    char *configFile;               /* the file last loaded, NULL if none */
    /* Backing images under these directories may be used whatever the
     * domain's record says (absolute paths, NULL-terminated, may be NULL). */
    char **backingDirs;
};

qemuDriverConfig *qemuDriverConfigNew(void);
int qemuDriverConfigLoadFile(qemuDriverConfig *cfg, const char *path);
/* The same for a text already read (@name: where it came from). */
int qemuDriverConfigLoadString(qemuDriverConfig *cfg, const char *content,
                               size_t len, const char *name);
void qemuDriverConfigFree(qemuDriverConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuDriverConfig, qemuDriverConfigFree);
