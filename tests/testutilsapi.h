/*
 * testutilsapi.h: the helpers of the tests that use the public library:
 * connections and domains, failing the test with the library's error
 * message when a call that must work does not, and the QEMU driver's
 * embed roots and their qemu.conf (files and URIs: no need for the
 * driver to be built in).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "libvirt/libvirt.h"

/* "qemu:///embed?root=@root" (the daemon's URI if @root is served by one:
 * see virTestEmbedRoot()). */
char *virTestEmbedURI(const char *root);

/* A new embed root "@dir/root" (mode 0700, empty: the driver makes its
 * directories at the first open); its URI in *@uri. With
 * VIR_TEST_TRANSPORT=daemon the root is a libvirtd's qemu_root instead and
 * the URI is the daemon's socket (see testutilsdaemon.h): same root, same
 * files, the calls over the wire. */
char *virTestEmbedRoot(const char *dir, char **uri);

/* Write @conf as etc/qemu.conf of embed root @root. */
void virTestWriteQemuConf(const char *root, const char *conf);

/* Fail the test unless the state directory of embed root @root holds
 * nothing but the driver's lock: no pid file, status file or monitor
 * socket of a domain (whatever its name). */
void virTestAssertStateDirClean(const char *root);

/* Open @uri, which must work (over the daemon: starts it first, or
 * restarts it if it has no client left). */
virConnectPtr virTestOpen(const char *uri);

/* Define, or start (a transient domain), the domain @xml: must work. */
virDomainPtr virTestDefineDomain(virConnectPtr conn, const char *xml);
virDomainPtr virTestCreateDomain(virConnectPtr conn, const char *xml);

/* Fail the test unless @dom is in @state for @reason. */
void virTestAssertState(virDomainPtr dom, int state, int reason);

/*
 * The block pull events heard on the connections a log listens on, in
 * the order they came (the callbacks run in the event loop's thread).
 */
typedef struct _virTestPullLog virTestPullLog;

virTestPullLog *virTestPullLogNew(void);
void virTestPullLogFree(virTestPullLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virTestPullLog, virTestPullLogFree);

/* Listen on @conn to the block pull events of all its domains; returns the
 * callback's id. The log must outlive the registration. */
int virTestPullLogListen(virTestPullLog *log, virConnectPtr conn);

/* Forget the events heard so far. */
void virTestPullLogClear(virTestPullLog *log);

/* How many events were heard. */
guint virTestPullLogCount(virTestPullLog *log);

/* Wait up to @timeoutMs for @n events; fails the test if they do not come. */
void virTestPullLogWait(virTestPullLog *log, guint n, int timeoutMs);

/* The @i-th event heard (from 0): its path (owned by the log) and status. */
const char *virTestPullLogGet(virTestPullLog *log, guint i, int *status);

/* Wait up to @timeoutMs for the @nth event (from 1) and fail the test
 * unless it has @status, and is for @path unless that is NULL. */
void virTestPullLogExpect(virTestPullLog *log, guint nth, const char *path,
                          int status, int timeoutMs);
