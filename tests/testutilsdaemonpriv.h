/*
 * testutilsdaemonpriv.h: the suites' daemons, inside: what the transports
 * to them (tests/testutilsssh.c, tests/testutilstls.c) share with
 * tests/testutilsdaemon.c.
 *
 * VIR_TEST_TRANSPORT=daemon reaches each root's libvirtd over its unix
 * socket; =ssh over a real sshd on loopback (one per daemon) running
 * virt-ssh-helper; =tls over TCP on loopback with certificates made by
 * certtool. Everything a transport makes lives in the daemon's directory
 * and every process it starts is registered with virTestDirAddProcess(),
 * so that virTestCleanupDir() (and the reaper, if the test dies) ends it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

typedef enum {
    VIR_TEST_TRANSPORT_EMBED,
    VIR_TEST_TRANSPORT_DAEMON,
    VIR_TEST_TRANSPORT_SSH,
    VIR_TEST_TRANSPORT_TLS,
} virTestTransport;

/* VIR_TEST_TRANSPORT: unset or "embed", "daemon", "ssh", "tls"; anything
 * else fails the test. */
virTestTransport virTestDaemonTransportKind(void);

typedef struct {
    char *dir;
    char *root;
    char *sock;         /* read-write socket */
    char *sockRo;
    char *uri;          /* what the test opens (set by the transport) */
    char *conf;
    char *pidFile;
    pid_t pid;          /* 0: not running */
    int starts;
    void *transport;    /* the transport's own state (ssh, tls) */
} virTestDaemon;

/* Start @argv (argv[0] an absolute path) as a child of the test that
 * dies with it, in /, its input /dev/null and its output on the test's
 * stderr, registered with virTestDirAddProcess(@dir). Returns its pid. */
pid_t virTestDaemonSpawn(const char *const *argv, const char *dir);

/* ssh (tests/testutilsssh.c). Prepare: called once when the daemon is
 * added, before its config is written: may append to @conf, must set
 * d->uri (qemu+ssh://...). Start: called after each start of the daemon,
 * once it listens: starts the sshd if it is not running yet. */
void virTestSSHPrepare(virTestDaemon *d, GString *conf);
void virTestSSHStart(virTestDaemon *d);

/* tls (tests/testutilstls.c). Prepare: as for ssh (certificates, the
 * listen keys in @conf, d->uri qemu+tls://...). Clients: how many TCP
 * connections the daemon has accepted and not yet seen closed. */
void virTestTLSPrepare(virTestDaemon *d, GString *conf);
guint virTestTLSClients(virTestDaemon *d);
/* Does the daemon listen on its TLS port yet? (It is started with
 * --listen, and ready once this and its unix socket are.) */
bool virTestTLSListening(virTestDaemon *d);
