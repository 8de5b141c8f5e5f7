/*
 * remote_daemon_dispatch.h: the daemon's side of the remote, QEMU and
 * block pull programs: each procedure decoded, run through the public
 * API on the client's connection, its result encoded; events forwarded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "rpc/virnetserver.h"

/*
 * Add the programs to @srv and install the per-client state (the client's
 * connection, opened by REMOTE_PROC_CONNECT_OPEN, read-only on a
 * read-only socket; its event registrations, all dropped when it goes).
 * A client's "qemu:///system" (or an empty name) opens @systemURI, the
 * daemon's own QEMU instance; "test:///..." URIs open the test driver;
 * any other URI is refused (the daemon never opens a remote connection).
 * Returns 0 or -1.
 */
int remoteDaemonAddPrograms(virNetServer *srv, const char *systemURI);

/* A session daemon's instance is "qemu:///session" (instead of
 * "qemu:///system") to its clients; "qemu:///system" is then refused,
 * as by libvirt's session daemon. Set before the server starts. */
void remoteDaemonSetSession(bool session);
