/*
 * remote_transport.h: the remote driver's ways to a daemon, one file
 * each: a unix socket on this host (remote_driver.c), the user's session
 * daemon started on demand (remote_session.c), ssh to virt-ssh-helper on
 * another host (remote_ssh.c), TLS over TCP (remote_tls.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

#include "remote/remote_uri.h"
#include "rpc/virnetclient.h"

/*
 * A connection over ssh to the daemon of ruri->host: runs ssh (libvirt's
 * arguments) with the far side command libvirt's clients send (virt-ssh-
 * helper [-r] URI, or nc -U). NULL with an error that says what failed
 * (ssh's own message: host key, login refused, no helper) otherwise.
 */
virNetClient *remoteTransportOpenSSH(const remoteURI *ruri, bool readonly);

/*
 * A TLS connection to ruri->host:ruri->port, certificates from
 * ruri->pkipath or the default pki layout; the server's certificate
 * checked against its host name unless ruri->noVerify. NULL with an error
 * that says which check failed.
 */
virNetClient *remoteTransportOpenTLS(const remoteURI *ruri);

/*
 * Make sure the user's session daemon listens on @socketPath: if nothing
 * does, start libvirtd (LIBVIRTD_PATH, else the installed one) as a
 * session daemon that exits when idle, and wait until it listens. Safe
 * against several clients racing. Returns 0, or -1 with an error.
 */
int remoteSessionEnsureDaemon(const char *socketPath);

/* The user's session socket directory: $XDG_RUNTIME_DIR/libvirt-bp
 * (GLib's fallback when it is unset). The caller frees it. */
char *remoteSessionSocketDir(void);
