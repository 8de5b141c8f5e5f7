/*
 * virsystemd.h: what a daemon started by systemd needs of it, without
 * libsystemd: the sockets of socket activation (sd_listen_fds(3)'s
 * LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES) and readiness notification
 * (sd_notify(3)'s datagram to NOTIFY_SOCKET). Outside systemd both are
 * no-ops: a daemon works the same with and without it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* The first descriptor systemd passes (SD_LISTEN_FDS_START). */
#define VIR_SYSTEMD_LISTEN_FDS_START 3

typedef struct _virSystemdListenFD virSystemdListenFD;
struct _virSystemdListenFD {
    int fd;
    char *name;     /* its FileDescriptorName=, NULL if none was given */
};

/*
 * Take the sockets systemd passed to this process: none (0, *@fds NULL)
 * unless LISTEN_PID is our pid. The variables are removed from the
 * environment either way, so that no child takes them for its own, and
 * each descriptor is made close-on-exec. Returns the count (>= 0) with
 * *@fds an array of that many (free it with virSystemdListenFDsFree), or
 * -1 with an error for variables that do not parse.
 */
int virSystemdGetListenFDs(virSystemdListenFD **fds);
void virSystemdListenFDsFree(virSystemdListenFD *fds, int nfds);

/*
 * Take NOTIFY_SOCKET from the environment (removed from it, for the same
 * reason). Returns its value, NULL when unset; the caller frees it.
 */
char *virSystemdTakeNotifySocket(void);

/*
 * Send @state ("READY=1", "STOPPING=1") to the systemd socket @path (an
 * absolute path, or "@name" for an abstract one); nothing if @path is
 * NULL. Returns 0, or -1 with an error naming @path.
 */
int virSystemdNotify(const char *path, const char *state);
