/*
 * driver-state.h: the state driver table. A driver whose state outlives a
 * call (its configuration, its domains, the QEMUs it runs, its threads)
 * has that state started and stopped by whoever hosts it: the process
 * that opens an embed URI (SCHEME:///embed?root=DIR) for DIR, and later
 * the daemon for the privileged instance. Connections attach to a hosted
 * state; they do not create it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VIR_DRIVER_H_ALLOW
# error "include driver.h, not driver-state.h"
#endif

typedef enum {
    VIR_DRV_STATE_INIT_ERROR = -1,
    VIR_DRV_STATE_INIT_SKIPPED,     /* nothing of this driver's to host there */
    VIR_DRV_STATE_INIT_COMPLETE,
} virDrvStateInitResult;

/*
 * Called by a driver with @inhibit true while it has work that should keep
 * its host running (running domains), false when it has none left. For a
 * daemon that exits when idle; an embedding process passes none.
 */
typedef void (*virStateInhibitCallback)(bool inhibit, void *opaque);

/*
 * Start the driver's state for @root: an embed root (an absolute, resolved
 * directory), or NULL for the instance a daemon hosts. @privileged: the
 * host runs as root. Returns COMPLETE, SKIPPED when the driver has no
 * state to host for @root, or ERROR with an error reported.
 */
typedef virDrvStateInitResult (*virDrvStateInitialize)(bool privileged,
                                                       const char *root,
                                                       virStateInhibitCallback callback,
                                                       void *opaque);
/*
 * Stop the state of @root (NULL: the daemon's). A process may host the
 * states of several embed roots at once, so unlike libvirt's these two
 * name the root. Returns 0, or -1 with an error reported.
 */
typedef int (*virDrvStateCleanup)(const char *root);
/* Re-read what may have changed on disk behind the driver's back
 * (persistent domain definitions). Returns 0 or -1. */
typedef int (*virDrvStateReload)(const char *root);

typedef struct _virStateDriver virStateDriver;
struct _virStateDriver {
    const char *name;
    virDrvStateInitialize stateInitialize;
    virDrvStateCleanup stateCleanup;
    virDrvStateReload stateReload;
};
