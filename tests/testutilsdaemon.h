/*
 * testutilsdaemon.h: the suites over libvirtd. With VIR_TEST_TRANSPORT=daemon
 * in the environment, an embed root made by virTestEmbedRoot() is served by
 * the built libvirtd instead (its qemu_root), and the URI the test gets is
 * the daemon's socket: the same test code runs over both transports.
 *
 * The daemon starts when the test first opens the URI with virTestOpen()
 * (after the test wrote its qemu.conf, mounted what it mounts in the
 * root), and is restarted by an open that finds it without clients: as
 * the embedded driver's state stops with its last connection and the next
 * open starts it again from the root, reading qemu.conf and reconnecting
 * to the QEMUs. virTestCleanupDir() stops it (SIGTERM: it must exit 0);
 * if the test dies first, it dies too (the reaper, and SIGKILL when the
 * test's thread that started it ends).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

/* Does VIR_TEST_TRANSPORT say "daemon"? ("embed" or unset: no; anything
 * else fails the test.) */
bool virTestDaemonTransport(void);

/* Root @root, in directory @dir made with virTestMakeDir(), is to be
 * served by a daemon of its own (config, sockets and pid file in @dir).
 * Returns the URI that reaches it. */
char *virTestDaemonAdd(const char *dir, const char *root);

/* The daemon URI of @root, or NULL if virTestDaemonAdd() did not add it. */
char *virTestDaemonURIOf(const char *root);

/* About to open @uri: if it is a daemon's, start the daemon, or restart
 * it if no client is connected to it any more. */
void virTestDaemonBeforeOpen(const char *uri);

/* Opening @uri failed: if it is a daemon's and that has died, fail the
 * test saying so. */
void virTestDaemonCheckAlive(const char *uri);
