/*
 * virlogtest.c: LIBVIRT_DEBUG and LIBVIRT_LOG_FILE through the public API:
 * the levels that log what, and values that are not a level failing the
 * library's first call with a clear error. The environment is read once
 * per process, so each case runs in a subprocess of its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <stdbool.h>

#include "libvirt/libvirt.h"
#include "testutils.h"
#include "testutilsvirt.h"

typedef struct {
    const char *value;      /* LIBVIRT_DEBUG */
    bool debug;             /* debug lines expected in the log */
    bool error;             /* error lines expected in the log */
} testLevel;

static const testLevel testLevels[] = {
    { "1", true, true },
    { "debug", true, true },
    { "2", false, true },
    { "info", false, true },
    { "3", false, true },
    { "warning", false, true },
    { "4", false, true },
    { "error", false, true },
    /* Empty is unset, as in libvirt: nothing is logged. */
    { "", false, false },
};

static const char *const testInvalid[] = {
    "0", "abc", "9", "-1", "5", "DEBUG", " 1", "debug ", "1x",
};

/* A temporary log file name (the file itself is not created). */
static char *
testLogPath(char **dir)
{
    *dir = virTestMakeDir("virlogtest-XXXXXX");
    return g_build_filename(*dir, "log", NULL);
}

/* Nothing but the log was written in @dir: it is empty once the log is
 * gone. */
static void
testLogDirDone(const char *dir)
{
    g_assert_cmpint(rmdir(dir), ==, 0);
    virTestCleanupDir(dir);
}

static void
testAssertBadLevel(const char *value)
{
    g_autofree char *quoted = g_strdup_printf("'%s'", value);

    virTestAssertErrorFull(-1, VIR_ERR_INVALID_ARG, "LIBVIRT_DEBUG", quoted,
                           "'debug'", NULL);
}

static gpointer
testOtherThread(gpointer data)
{
    /* Each thread that calls in gets the error, not only the first. */
    if (virConnectOpen("bogus:///x") != NULL)
        return GINT_TO_POINTER(1);
    testAssertBadLevel(data);
    return NULL;
}

static void
testInvalidRun(gconstpointer data)
{
    const char *value = data;
    g_autofree char *dir = NULL;
    g_autofree char *log = NULL;
    unsigned long ver = 0;
    GThread *t;

    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
        g_test_trap_assert_passed();
        return;
    }

    log = testLogPath(&dir);
    g_setenv("LIBVIRT_DEBUG", value, TRUE);
    g_setenv("LIBVIRT_LOG_FILE", log, TRUE);

    g_assert_cmpint(virInitialize(), ==, -1);
    testAssertBadLevel(value);
    virResetLastError();

    /* The calls a program starts with fail the same way... */
    g_assert_null(virConnectOpen("bogus:///x"));
    testAssertBadLevel(value);
    g_assert_null(virConnectOpenReadOnly(NULL));
    testAssertBadLevel(value);
    g_assert_cmpint(virGetVersion(&ver, NULL, NULL), ==, -1);
    testAssertBadLevel(value);
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, -1);
    testAssertBadLevel(value);
    g_assert_cmpint(virInitialize(), ==, -1);
    testAssertBadLevel(value);
    t = g_thread_new("other", testOtherThread, (gpointer) value);
    g_assert_null(g_thread_join(t));

    /* ...and nothing was logged, not even the errors. */
    g_assert_false(g_file_test(log, G_FILE_TEST_EXISTS));
    testLogDirDone(dir);
}

static void
testLevelRun(gconstpointer data)
{
    const testLevel *t = data;
    g_autofree char *dir = NULL;
    g_autofree char *log = NULL;
    g_autofree char *content = NULL;

    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
        g_test_trap_assert_passed();
        return;
    }

    log = testLogPath(&dir);
    g_setenv("LIBVIRT_DEBUG", t->value, TRUE);
    g_setenv("LIBVIRT_LOG_FILE", log, TRUE);

    g_assert_cmpint(virInitialize(), ==, 0);
    /* Logs "name=bogus:///x" at debug level, then an error. */
    g_assert_null(virConnectOpen("bogus:///x"));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_CONNECT);

    if (!t->debug && !t->error) {
        g_assert_false(g_file_test(log, G_FILE_TEST_EXISTS));
    } else {
        g_assert_true(g_file_get_contents(log, &content, NULL, NULL));
        g_test_message("log:\n%s", content);
        g_assert_cmpint(!!strstr(content, ": debug : "), ==, t->debug);
        g_assert_cmpint(!!strstr(content, "name=bogus:///x"), ==, t->debug);
        g_assert_cmpint(!!strstr(content, ": error : "), ==, t->error);
        g_assert_cmpint(!!strstr(content, "no connection driver available"), ==,
                        t->error);
        g_assert_cmpint(unlink(log), ==, 0);
    }
    testLogDirDone(dir);
}

int
main(int argc, char **argv)
{
    size_t i;

    virTestInit(&argc, &argv);
    /* The cases set these themselves, in their subprocess. */
    g_unsetenv("LIBVIRT_DEBUG");
    g_unsetenv("LIBVIRT_LOG_FILE");

    for (i = 0; i < G_N_ELEMENTS(testLevels); i++) {
        g_autofree char *name = g_strdup_printf("/log/level/'%s'",
                                                testLevels[i].value);
        g_test_add_data_func(name, &testLevels[i], testLevelRun);
    }
    for (i = 0; i < G_N_ELEMENTS(testInvalid); i++) {
        g_autofree char *name = g_strdup_printf("/log/invalid/'%s'",
                                                testInvalid[i]);
        g_test_add_data_func(name, testInvalid[i], testInvalidRun);
    }
    return g_test_run();
}
