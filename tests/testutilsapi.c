/*
 * testutilsapi.c: the helpers of the tests that use the public library
 * (see testutilsapi.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <sys/stat.h>

#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsdaemon.h"

char *
virTestEmbedURI(const char *root)
{
    char *uri = virTestDaemonURIOf(root);

    return uri ? uri : g_strdup_printf("qemu:///embed?root=%s", root);
}

char *
virTestEmbedRoot(const char *dir, char **uri)
{
    char *root = g_build_filename(dir, "root", NULL);

    g_assert_cmpint(mkdir(root, 0700), ==, 0);
    if (virTestDaemonTransport())
        *uri = virTestDaemonAdd(dir, root);
    else
        *uri = virTestEmbedURI(root);
    return root;
}

void
virTestWriteQemuConf(const char *root, const char *conf)
{
    g_autofree char *etc = g_build_filename(root, "etc", NULL);
    g_autofree char *path = g_build_filename(etc, "qemu.conf", NULL);

    g_assert_cmpint(g_mkdir_with_parents(etc, 0700), ==, 0);
    g_assert_true(g_file_set_contents(path, conf, -1, NULL));
}

void
virTestAssertStateDirClean(const char *root)
{
    g_autofree char *run = g_build_filename(root, "run", "qemu", NULL);
    g_autoptr(GDir) d = g_dir_open(run, 0, NULL);
    const char *ent;

    g_assert_nonnull(d);
    while ((ent = g_dir_read_name(d)))
        g_assert_cmpstr(ent, ==, "driver.lock");
}

virConnectPtr
virTestOpen(const char *uri)
{
    virConnectPtr conn;

    virTestDaemonBeforeOpen(uri);
    if (!(conn = virConnectOpen(uri))) {
        g_autofree char *msg = g_strdup(virGetLastErrorMessage());

        virTestDaemonCheckAlive(uri);
        g_error("cannot open '%s': %s", uri, msg);
    }
    return conn;
}

virDomainPtr
virTestDefineDomain(virConnectPtr conn, const char *xml)
{
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    if (!dom)
        g_error("define failed: %s", virGetLastErrorMessage());
    return dom;
}

virDomainPtr
virTestCreateDomain(virConnectPtr conn, const char *xml)
{
    virDomainPtr dom = virDomainCreateXML(conn, xml, 0);

    if (!dom)
        g_error("start failed: %s", virGetLastErrorMessage());
    return dom;
}

void
virTestAssertState(virDomainPtr dom, int state, int reason)
{
    int s = -1;
    int r = -1;

    g_assert_cmpint(virDomainGetState(dom, &s, &r, 0), ==, 0);
    g_assert_cmpint(s, ==, state);
    g_assert_cmpint(r, ==, reason);
}

struct _virTestPullLog {
    GMutex lock;
    GPtrArray *paths;
    GArray *status;
};

virTestPullLog *
virTestPullLogNew(void)
{
    virTestPullLog *log = g_new0(virTestPullLog, 1);

    g_mutex_init(&log->lock);
    log->paths = g_ptr_array_new_with_free_func(g_free);
    log->status = g_array_new(FALSE, FALSE, sizeof(int));
    return log;
}

void
virTestPullLogFree(virTestPullLog *log)
{
    if (!log)
        return;
    g_ptr_array_unref(log->paths);
    g_array_unref(log->status);
    g_mutex_clear(&log->lock);
    g_free(log);
}

static void
virTestPullLogCallback(virConnectPtr conn G_GNUC_UNUSED,
                       virDomainPtr dom G_GNUC_UNUSED,
                       const char *path, int status, void *opaque)
{
    virTestPullLog *log = opaque;

    g_mutex_lock(&log->lock);
    g_ptr_array_add(log->paths, g_strdup(path));
    g_array_append_val(log->status, status);
    g_mutex_unlock(&log->lock);
}

int
virTestPullLogListen(virTestPullLog *log, virConnectPtr conn)
{
    int id = virConnectDomainEventRegisterAny(conn, NULL,
                                              VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                              VIR_DOMAIN_EVENT_CALLBACK(virTestPullLogCallback),
                                              log, NULL);

    g_assert_cmpint(id, >=, 0);
    return id;
}

void
virTestPullLogClear(virTestPullLog *log)
{
    g_mutex_lock(&log->lock);
    g_ptr_array_set_size(log->paths, 0);
    g_array_set_size(log->status, 0);
    g_mutex_unlock(&log->lock);
}

guint
virTestPullLogCount(virTestPullLog *log)
{
    guint n;

    g_mutex_lock(&log->lock);
    n = log->status->len;
    g_mutex_unlock(&log->lock);
    return n;
}

typedef struct {
    virTestPullLog *log;
    guint n;
} virTestPullLogWaitData;

static bool
virTestPullLogHas(void *opaque)
{
    virTestPullLogWaitData *w = opaque;

    return virTestPullLogCount(w->log) >= w->n;
}

void
virTestPullLogWait(virTestPullLog *log, guint n, int timeoutMs)
{
    virTestPullLogWaitData w = { log, n };

    if (!virTestWaitFor(virTestPullLogHas, &w, timeoutMs))
        g_error("no block pull event #%u within the hang bound (%u heard)",
                n, virTestPullLogCount(log));
}

const char *
virTestPullLogGet(virTestPullLog *log, guint i, int *status)
{
    const char *path;

    g_mutex_lock(&log->lock);
    g_assert_cmpuint(i, <, log->status->len);
    path = g_ptr_array_index(log->paths, i);
    *status = g_array_index(log->status, int, i);
    g_mutex_unlock(&log->lock);
    return path;
}

void
virTestPullLogExpect(virTestPullLog *log, guint nth, const char *path,
                     int status, int timeoutMs)
{
    const char *got;
    int gotStatus;

    virTestPullLogWait(log, nth, timeoutMs);
    got = virTestPullLogGet(log, nth - 1, &gotStatus);
    if (path)
        g_assert_cmpstr(got, ==, path);
    g_assert_cmpint(gotStatus, ==, status);
}
