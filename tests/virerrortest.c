/*
 * virerrortest.c: the public error calls: per-thread last error, copies,
 * the error handler, connection errors, and the codes of common failures.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <stdbool.h>

#include "libvirt/libvirt.h"
#include "testutils.h"

static void
testLastError(void)
{
    virErrorPtr err;
    virError copy = { 0 };
    virErrorPtr saved;

    virResetLastError();
    g_assert_null(virGetLastError());
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "no error");
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OK);

    /* A failing call leaves its error behind... */
    g_assert_cmpint(virDomainFree(NULL), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_INVALID_DOMAIN);
    g_assert_cmpint(err->level, ==, VIR_ERR_ERROR);
    g_assert_nonnull(strstr(err->message, "virDomainFree"));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_DOMAIN);

    /* ...which can be copied and saved. */
    g_assert_cmpint(virCopyLastError(&copy), ==, VIR_ERR_INVALID_DOMAIN);
    g_assert_cmpstr(copy.message, ==, err->message);
    virResetError(&copy);
    g_assert_null(copy.message);
    saved = virSaveLastError();
    g_assert_cmpint(saved->code, ==, VIR_ERR_INVALID_DOMAIN);

    /* The next call resets it, successful or not. */
    {
        unsigned long ver = 0;
        g_assert_cmpint(virGetVersion(&ver, NULL, NULL), ==, 0);
        g_assert_cmpuint(ver, ==, LIBVIR_VERSION_NUMBER);
    }
    g_assert_null(virGetLastError());
    g_assert_cmpint(saved->code, ==, VIR_ERR_INVALID_DOMAIN);
    virFreeError(saved);
    virFreeError(NULL);
    g_assert_cmpint(virCopyLastError(NULL), ==, -1);
}

static gpointer
otherThread(gpointer data G_GNUC_UNUSED)
{
    /* Errors are per thread: this one has none of the main thread's. */
    if (virGetLastError() != NULL)
        return GINT_TO_POINTER(1);
    virConnectClose(NULL);
    return GINT_TO_POINTER(virGetLastErrorCode() == VIR_ERR_INVALID_CONN ? 0 : 2);
}

static void
testPerThread(void)
{
    GThread *t;

    g_assert_cmpint(virDomainFree(NULL), ==, -1);
    t = g_thread_new("other", otherThread, NULL);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(t)), ==, 0);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_DOMAIN);
}

static int handlerCalls;
static int handlerCode;

static void
handler(void *userData, virErrorPtr err)
{
    g_assert_cmpstr(userData, ==, "data");
    handlerCalls++;
    handlerCode = err->code;
}

static void
testHandler(void)
{
    virSetErrorFunc((void *) "data", handler);
    g_assert_null(virConnectOpen("nosuchscheme:///x"));
    g_assert_cmpint(handlerCalls, >=, 1);
    g_assert_cmpint(handlerCode, ==, VIR_ERR_NO_CONNECT);
    virSetErrorFunc(NULL, NULL);
    handlerCalls = 0;
    g_assert_null(virConnectOpen("nosuchscheme:///x"));
    g_assert_cmpint(handlerCalls, ==, 0);
}

/* The last error of each connection, on @uri. */
static void
testConnErrorOn(const char *uri)
{
    virConnectPtr conn = virConnectOpen(uri);
    virError copy = { 0 };

    g_assert_nonnull(conn);
    g_assert_null(virConnGetLastError(conn));
    g_assert_null(virDomainLookupByName(conn, "nope"));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_DOMAIN);
    /* The connection remembers its last failure too. */
    g_assert_nonnull(virConnGetLastError(conn));
    g_assert_cmpint(virConnGetLastError(conn)->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(virConnCopyLastError(conn, &copy), ==, VIR_ERR_NO_DOMAIN);
    g_assert_nonnull(strstr(copy.message, "nope"));
    virResetError(&copy);
    virConnResetLastError(conn);
    g_assert_null(virConnGetLastError(conn));
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
testConnError(void)
{
    testConnErrorOn("test:///default");
#ifdef WITH_QEMU
    {
        g_autofree char *dir = virTestMakeDir("vbperr-XXXXXX");
        g_autofree char *uri = g_strdup_printf("qemu:///embed?root=%s", dir);

        testConnErrorOn(uri);
        virTestCleanupDir(dir);
    }
#endif
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    g_test_add_func("/error/last", testLastError);
    g_test_add_func("/error/per-thread", testPerThread);
    g_test_add_func("/error/handler", testHandler);
    g_test_add_func("/error/connection", testConnError);
    return g_test_run();
}
