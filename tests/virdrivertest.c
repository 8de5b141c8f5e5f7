/*
 * virdrivertest.c: the driver model, with drivers of the test's own
 * registered beside the built-in ones (the library is linked statically):
 * URIs offered to the registered drivers in order, declined, refused, or
 * claimed by none; credentials asked through virConnectOpenAuth(), by a
 * callback and by virConnectAuthPtrDefault on a terminal; state drivers
 * started by the first connection to an embed root, attached to by the
 * others, stopped with the last, and a daemon's state that outlives its
 * connections; the QEMU driver's state on that lifecycle.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "datatypes.h"
#include "driver.h"
#include "libvirt_internal.h"
#include "util/virerror.h"
#include "util/virlog.h"
#include "testutils.h"
#include "testutilsvirt.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* What the test's drivers were asked, in order. */
static GMutex callsLock;
static GPtrArray *calls;

static void
callsAdd(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void
callsAdd(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_mutex_lock(&callsLock);
    g_ptr_array_add(calls, g_strdup_vprintf(fmt, ap));
    g_mutex_unlock(&callsLock);
    va_end(ap);
}

/* The calls since the last take, joined by "; ". */
static char *
callsTake(void)
{
    char *ret;

    g_mutex_lock(&callsLock);
    g_ptr_array_add(calls, NULL);
    ret = g_strjoinv("; ", (char **) calls->pdata);
    g_ptr_array_set_size(calls, 0);
    g_mutex_unlock(&callsLock);
    return ret;
}

static void
callsReset(void)
{
    g_free(callsTake());
}

static void
assertCalls(const char *want)
{
    g_autofree char *got = callsTake();

    g_assert_cmpstr(got, ==, want);
}

/* ------------------------------------------------------------------ */
/* Connection drivers of the test's own                                 */

/* "fake:" URIs, local only: accepts /a, refuses /error, declines the rest. */
static virDrvOpenStatus
fakeAOpen(virConnectPtr conn G_GNUC_UNUSED, GUri *uri,
          virConnectAuthPtr auth G_GNUC_UNUSED, unsigned int flags)
{
    const char *path = g_uri_get_path(uri);

    callsAdd("A open %s flags=%u", path, flags);
    if (strcmp(path, "/error") == 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s", "driver A refuses /error");
        return VIR_DRV_OPEN_ERROR;
    }
    return strcmp(path, "/a") == 0 ? VIR_DRV_OPEN_SUCCESS : VIR_DRV_OPEN_DECLINED;
}

static int
fakeAGetVersion(virConnectPtr conn G_GNUC_UNUSED, unsigned long *hvVer)
{
    *hvVer = 101;
    return 0;
}

static int
fakeClose(virConnectPtr conn)
{
    callsAdd("%s close", conn->driver->name);
    return 0;
}

static virHypervisorDriver fakeAHypervisor = {
    .name = "A",
    .connectOpen = fakeAOpen,
    .connectClose = fakeClose,
    .connectGetVersion = fakeAGetVersion,
};
static const char *const fakeASchemes[] = { "fake", NULL };
static virConnectDriver fakeA = {
    .localOnly = true,
    .uriSchemes = fakeASchemes,
    .uriHelp = "fake:///a",
    .hypervisorDriver = &fakeAHypervisor,
};

/* Every scheme, hosts too (as the remote driver will): accepts /b. */
static virDrvOpenStatus
fakeBOpen(virConnectPtr conn G_GNUC_UNUSED, GUri *uri,
          virConnectAuthPtr auth G_GNUC_UNUSED, unsigned int flags)
{
    const char *path = g_uri_get_path(uri);

    callsAdd("B open %s://%s%s flags=%u", g_uri_get_scheme(uri),
             g_uri_get_host(uri) ? g_uri_get_host(uri) : "", path, flags);
    return strcmp(path, "/b") == 0 ? VIR_DRV_OPEN_SUCCESS : VIR_DRV_OPEN_DECLINED;
}

static int
fakeBGetVersion(virConnectPtr conn G_GNUC_UNUSED, unsigned long *hvVer)
{
    *hvVer = 202;
    return 0;
}

static virHypervisorDriver fakeBHypervisor = {
    .name = "B",
    .connectOpen = fakeBOpen,
    .connectClose = fakeClose,
    .connectGetVersion = fakeBGetVersion,
};
static virConnectDriver fakeB = {
    .uriHelp = "ANY:///b",
    .hypervisorDriver = &fakeBHypervisor,
};

/* "auth:///": asks a user name (default "guest") and a passphrase
 * through the caller's virConnectAuth; opens for alice/s3cret only. */
static virDrvOpenStatus
fakeAuthOpen(virConnectPtr conn G_GNUC_UNUSED, GUri *uri G_GNUC_UNUSED,
             virConnectAuthPtr auth, unsigned int flags G_GNUC_UNUSED)
{
    virConnectCredential cred[] = {
        { VIR_CRED_USERNAME, "Username", NULL, "guest", NULL, 0 },
        { VIR_CRED_PASSPHRASE, "Password", NULL, NULL, NULL, 0 },
    };
    bool ok;

    if (!auth || !auth->cb) {
        virReportError(VIR_ERR_AUTH_UNAVAILABLE, "%s",
                       "auth:/// needs credentials: open it with virConnectOpenAuth()");
        return VIR_DRV_OPEN_ERROR;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cred); i++) {
        bool supported = false;

        for (unsigned int j = 0; j < auth->ncredtype; j++)
            supported |= auth->credtype[j] == cred[i].type;
        if (!supported) {
            virReportError(VIR_ERR_AUTH_UNAVAILABLE,
                           "auth:/// needs credential type %d", cred[i].type);
            return VIR_DRV_OPEN_ERROR;
        }
    }
    if (auth->cb(cred, G_N_ELEMENTS(cred), auth->cbdata) < 0) {
        if (!virErrorIsSet())
            virReportError(VIR_ERR_AUTH_CANCELLED, "%s", "no credentials given");
        return VIR_DRV_OPEN_ERROR;
    }
    ok = g_strcmp0(cred[0].result, "alice") == 0 &&
        g_strcmp0(cred[1].result, "s3cret") == 0 &&
        cred[1].resultlen == strlen("s3cret");
    if (!ok)
        virReportError(VIR_ERR_AUTH_FAILED, "wrong passphrase for user '%s'",
                       NULLSTR(cred[0].result));
    else
        callsAdd("auth open as %s", cred[0].result);
    free(cred[0].result);
    free(cred[1].result);
    return ok ? VIR_DRV_OPEN_SUCCESS : VIR_DRV_OPEN_ERROR;
}

static virHypervisorDriver fakeAuthHypervisor = {
    .name = "Auth",
    .connectOpen = fakeAuthOpen,
};
static const char *const fakeAuthSchemes[] = { "auth", NULL };
static virConnectDriver fakeAuth = {
    .localOnly = true,
    .uriSchemes = fakeAuthSchemes,
    .hypervisorDriver = &fakeAuthHypervisor,
};

/* "fakeembed:///embed?root=DIR": attaches to the hosted state of DIR. */
static virDrvOpenStatus
fakeEmbedOpen(virConnectPtr conn, GUri *uri G_GNUC_UNUSED,
              virConnectAuthPtr auth G_GNUC_UNUSED, unsigned int flags G_GNUC_UNUSED)
{
    callsAdd("Embed open %s", NULLSTR(conn->embedRoot));
    return conn->embedRoot ? VIR_DRV_OPEN_SUCCESS : VIR_DRV_OPEN_DECLINED;
}

static virHypervisorDriver fakeEmbedHypervisor = {
    .name = "Embed",
    .connectOpen = fakeEmbedOpen,
    .connectClose = fakeClose,
};
static const char *const fakeEmbedSchemes[] = { "fakeembed", NULL };
static virConnectDriver fakeEmbed = {
    .localOnly = true,
    .embeddable = true,
    .uriSchemes = fakeEmbedSchemes,
    .hypervisorDriver = &fakeEmbedHypervisor,
};

/* ------------------------------------------------------------------ */
/* State drivers of the test's own                                      */

static virDrvStateInitResult
fakeS1Initialize(bool privileged G_GNUC_UNUSED, const char *root,
                 virStateInhibitCallback callback G_GNUC_UNUSED,
                 void *opaque G_GNUC_UNUSED)
{
    g_autofree char *name = root ? g_path_get_basename(root) : g_strdup("daemon");

    callsAdd("S1 init %s", name);
    return VIR_DRV_STATE_INIT_COMPLETE;
}

/* Refuses a root named "fail". */
static virDrvStateInitResult
fakeS2Initialize(bool privileged G_GNUC_UNUSED, const char *root,
                 virStateInhibitCallback callback G_GNUC_UNUSED,
                 void *opaque G_GNUC_UNUSED)
{
    g_autofree char *name = root ? g_path_get_basename(root) : g_strdup("daemon");

    callsAdd("S2 init %s", name);
    if (strcmp(name, "fail") == 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s", "S2 cannot host 'fail'");
        return VIR_DRV_STATE_INIT_ERROR;
    }
    return VIR_DRV_STATE_INIT_COMPLETE;
}

#define FAKE_STATE_CALL(fn, who, what) \
    static int \
    fn(const char *root) \
    { \
        g_autofree char *name = root ? g_path_get_basename(root) : g_strdup("daemon"); \
        callsAdd("%s %s %s", who, what, name); \
        return 0; \
    }
FAKE_STATE_CALL(fakeS1Cleanup, "S1", "cleanup")
FAKE_STATE_CALL(fakeS1Reload, "S1", "reload")
FAKE_STATE_CALL(fakeS2Cleanup, "S2", "cleanup")
FAKE_STATE_CALL(fakeS2Reload, "S2", "reload")

static virStateDriver fakeS1 = {
    .name = "S1",
    .stateInitialize = fakeS1Initialize,
    .stateCleanup = fakeS1Cleanup,
    .stateReload = fakeS1Reload,
};
static virStateDriver fakeS2 = {
    .name = "S2",
    .stateInitialize = fakeS2Initialize,
    .stateCleanup = fakeS2Cleanup,
    .stateReload = fakeS2Reload,
};

/* ------------------------------------------------------------------ */
/* Registration and URIs                                                */

static unsigned long
versionOf(virConnectPtr conn)
{
    unsigned long v = 0;

    g_assert_cmpint(virConnectGetVersion(conn, &v), ==, 0);
    return v;
}

/* Offered in registration order; a decline goes on to the next driver,
 * an error stops; schemes, local-only and embeddable decide who is
 * offered what. */
static void
testDispatch(void)
{
    virConnectPtr conn;

    callsReset();
    conn = virConnectOpen("fake:///a");
    g_assert_nonnull(conn);
    g_assert_cmpuint(versionOf(conn), ==, 101);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    assertCalls("A open /a flags=0; A close");

    conn = virConnectOpenReadOnly("fake:///b");
    g_assert_nonnull(conn);
    g_assert_cmpuint(versionOf(conn), ==, 202);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    /* The read-only flag reaches the drivers. */
    assertCalls("A open /b flags=1; B open fake:///b flags=1; B close");

    /* A claims only "fake:", and is local only. */
    conn = virConnectOpen("other:///b");
    g_assert_nonnull(conn);
    virConnectClose(conn);
    assertCalls("B open other:///b flags=0; B close");
    conn = virConnectOpen("fake://host/b");
    g_assert_nonnull(conn);
    virConnectClose(conn);
    assertCalls("B open fake://host/b flags=0; B close");

    /* An error is final: B is not asked. */
    g_assert_null(virConnectOpen("fake:///error"));
    virTestAssertError(VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "driver A refuses /error");
    assertCalls("A open /error flags=0");

    /* The built-in drivers come after: B declines, test takes it. */
    conn = virConnectOpen("test:///default");
    g_assert_nonnull(conn);
    g_assert_cmpuint(versionOf(conn), ==, 2);
    virConnectClose(conn);
    assertCalls("B open test:///default flags=0");
}

/* A URI no driver accepts: the error as before, naming what this build
 * opens; an embed URI is offered to embeddable drivers only. */
static void
testUnclaimed(void)
{
    g_autofree char *dir = virTestMakeDir("vbpdrv-XXXXXX");
    g_autofree char *root = g_build_filename(dir, "r", NULL);
    g_autofree char *embed = g_strdup_printf("fake:///embed?root=%s", root);
    g_autofree char *want = NULL;

    callsReset();
    g_assert_null(virConnectOpen("bogus:///x"));
    virTestAssertError(VIR_ERR_NO_CONNECT);
    want = g_strdup_printf("no connection driver available for 'bogus:///x' (this build "
                           "supports fake:///a, ANY:///b%s, test:///default, "
                           "qemu:///system, qemu:///session, "
                           "qemu+unix:///system?socket=PATH, "
                           "qemu+ssh://[user@]host/system, qemu+tls://host/system)",
#ifdef WITH_QEMU
                           ", qemu:///embed?root=DIR"
#else
                           ""
#endif
                           );
    g_assert_cmpstr(virGetLastErrorMessage(), ==, want);
    assertCalls("B open bogus:///x flags=0");

    /* Neither A nor B is embeddable: nothing is offered, nothing created. */
    g_assert_null(virConnectOpen(embed));
    virTestAssertError(VIR_ERR_NO_CONNECT);
    assertCalls("");
    g_assert_false(g_file_test(root, G_FILE_TEST_EXISTS));

    g_assert_null(virConnectOpenAuth("fake:///a", NULL, 1 << 10));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    assertCalls("");
    virTestCleanupDir(dir);
}

/* Every name an entry point checks itself against must be classified. */
static void
testAccessCheck(void)
{
    virConnectPtr rw = virConnectOpen("test:///default");
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");

    g_assert_cmpint(virAPICheckAccess(rw, "virDomainCreate", 0), ==, 0);
    g_assert_cmpint(virAPICheckAccess(ro, "virDomainCreate", 0), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virAPICheckAccess(ro, "virDomainGetXMLDesc", 0), ==, 0);
    g_assert_cmpint(virAPICheckAccess(ro, "virDomainGetXMLDesc",
                                      VIR_DOMAIN_XML_SECURE), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virAPICheckAccess(rw, "virDomainSomethingNew", 0), ==, -1);
    virTestAssertError(VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "public function 'virDomainSomethingNew' has no read-only "
                    "classification (add it to src/libvirt_access.h)");
    virConnectClose(ro);
    virConnectClose(rw);
}

/* ------------------------------------------------------------------ */
/* Credentials                                                          */

typedef struct {
    const char *user;
    const char *pass;
    unsigned int asked;
} AuthAnswers;

static int
authCb(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    AuthAnswers *a = cbdata;

    if (!a->pass)
        return -1;
    for (unsigned int i = 0; i < ncred; i++) {
        const char *answer = cred[i].type == VIR_CRED_USERNAME ? a->user : a->pass;

        cred[i].result = strdup(answer);
        cred[i].resultlen = strlen(answer);
        a->asked++;
    }
    return 0;
}

static void
testAuthCallback(void)
{
    int types[] = { VIR_CRED_USERNAME, VIR_CRED_PASSPHRASE };
    int noPass[] = { VIR_CRED_USERNAME };
    AuthAnswers answers = { "alice", "s3cret", 0 };
    virConnectAuth auth = { types, G_N_ELEMENTS(types), authCb, &answers };
    virConnectAuth authNoPass = { noPass, G_N_ELEMENTS(noPass), authCb, &answers };
    virConnectPtr conn;

    callsReset();
    conn = virConnectOpenAuth("auth:///", &auth, 0);
    g_assert_nonnull(conn);
    g_assert_cmpuint(answers.asked, ==, 2);
    /* B, registered before, declines it first. */
    assertCalls("B open auth:/// flags=0; auth open as alice");
    virConnectClose(conn);

    /* Read-only through OpenAuth. */
    conn = virConnectOpenAuth("auth:///", &auth, VIR_CONNECT_RO);
    g_assert_nonnull(conn);
    g_assert_null(virDomainDefineXML(conn, "<domain/>"));
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    virConnectClose(conn);
    callsReset();

    answers.pass = "wrong";
    g_assert_null(virConnectOpenAuth("auth:///", &auth, 0));
    virTestAssertError(VIR_ERR_AUTH_FAILED);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "wrong passphrase for user 'alice'");
    answers.pass = NULL;
    g_assert_null(virConnectOpenAuth("auth:///", &auth, 0));
    virTestAssertError(VIR_ERR_AUTH_CANCELLED);
    g_assert_null(virConnectOpenAuth("auth:///", &authNoPass, 0));
    virTestAssertError(VIR_ERR_AUTH_UNAVAILABLE);
    /* virConnectOpen() is OpenAuth without one. */
    g_assert_null(virConnectOpen("auth:///"));
    virTestAssertError(VIR_ERR_AUTH_UNAVAILABLE);
    callsReset();

    /* A driver that needs none ignores it. */
    conn = virConnectOpenAuth("test:///default", &auth, 0);
    g_assert_nonnull(conn);
    virConnectClose(conn);
}

/* "--child-auth": open auth:/// with virConnectAuthPtrDefault on the
 * terminal we were given, and say how it went on it. */
static int
childAuth(void)
{
    virConnectPtr conn = virConnectOpenAuth("auth:///", virConnectAuthPtrDefault, 0);
    struct termios t;

    if (!conn) {
        printf("FAILED %d: %s\n", virGetLastErrorCode(), virGetLastErrorMessage());
        return 1;
    }
    virConnectClose(conn);
    /* The terminal shows what is typed again. */
    if (isatty(STDIN_FILENO) &&
        (tcgetattr(STDIN_FILENO, &t) < 0 || !(t.c_lflag & ECHO))) {
        printf("ECHO LEFT OFF\n");
        return 2;
    }
    printf("OPENED\n");
    return 0;
}

/* Read the pseudo-terminal until @out holds @want (or it closes). */
static bool
ptyReadUntil(int master, GString *out, const char *want)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!(want && strstr(out->str, want))) {
        struct pollfd pfd = { master, POLLIN, 0 };
        char buf[256];
        ssize_t n;

        if (g_get_monotonic_time() > deadline)
            return false;
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        if ((n = read(master, buf, sizeof(buf))) <= 0)
            return !want;   /* EIO: the child closed its side */
        g_string_append_len(out, buf, n);
    }
    return true;
}

/*
 * Run --child-auth on a new pseudo-terminal, answering each prompt with
 * the next of @answers; returns the exit status, and all the terminal
 * showed in @shown.
 */
static int
runAuthOnTerminal(const char *const *answers, char **shown)
{
    g_autofree char *self = virTestSelfPath();
    const char *argv[] = { self, "--child-auth", NULL };
    const char *prompts[] = { "Username [guest]: ", "Password: " };
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    int slave;
    GPid pid;
    int status;

    g_assert_cmpint(master, >=, 0);
    g_assert_cmpint(grantpt(master), ==, 0);
    g_assert_cmpint(unlockpt(master), ==, 0);
    slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    g_assert_cmpint(slave, >=, 0);
    g_spawn_async_with_fds(NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                           NULL, NULL, &pid, slave, slave, -1, &err);
    g_assert_no_error(err);
    close(slave);
    for (size_t i = 0; i < G_N_ELEMENTS(prompts) && answers[i]; i++) {
        g_autofree char *line = g_strdup_printf("%s\n", answers[i]);
        gsize start = out->len;

        if (!ptyReadUntil(master, out, prompts[i]))
            g_error("no prompt '%s' on the terminal, it showed: '%s'", prompts[i],
                    out->str);
        /* Each prompt once, after the answer to the one before. */
        g_assert_nonnull(strstr(out->str + start, prompts[i]));
        g_assert_cmpint(write(master, line, strlen(line)), ==, strlen(line));
    }
    ptyReadUntil(master, out, NULL);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    close(master);
    *shown = g_strdup(out->str);
    g_test_message("the terminal showed: %s", out->str);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
testAuthDefault(void)
{
    const char *right[] = { "alice", "s3cret", NULL };
    const char *guest[] = { "", "pw", NULL };
    g_autofree char *shown = NULL;

    /* The user name shows as it is typed, the passphrase does not. */
    g_assert_cmpint(runAuthOnTerminal(right, &shown), ==, 0);
    g_assert_nonnull(strstr(shown, "Username [guest]: alice"));
    g_assert_nonnull(strstr(shown, "Password: "));
    g_assert_null(strstr(shown, "s3cret"));
    g_assert_nonnull(strstr(shown, "OPENED"));
    g_clear_pointer(&shown, g_free);

    /* An empty answer takes the default. */
    g_assert_cmpint(runAuthOnTerminal(guest, &shown), ==, 1);
    g_assert_nonnull(strstr(shown, "wrong passphrase for user 'guest'"));
    g_assert_null(strstr(shown, "pw"));
}

/* With the input at its end there is no answer: cancelled, not hung. */
static void
testAuthDefaultNoInput(void)
{
    g_autofree char *self = virTestSelfPath();
    const char *argv[] = { self, "--child-auth", NULL };
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *want = g_strdup_printf("FAILED %d: no answer to 'Username': "
                                            "the input ended", VIR_ERR_AUTH_CANCELLED);
    int devnull = open("/dev/null", O_RDONLY);
    int fds[2];
    GPid pid;
    int status;

    g_assert_cmpint(pipe(fds), ==, 0);
    g_spawn_async_with_fds(NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                           NULL, NULL, &pid, devnull, fds[1], -1, &err);
    g_assert_no_error(err);
    close(fds[1]);
    close(devnull);
    {
        g_autoptr(GIOChannel) ch = g_io_channel_unix_new(fds[0]);

        g_io_channel_set_close_on_unref(ch, TRUE);
        g_io_channel_read_to_end(ch, &out, NULL, &err);
        g_assert_no_error(err);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_test_message("%s", out);
    g_assert_nonnull(strstr(out, want));
}

/* ------------------------------------------------------------------ */
/* State drivers                                                        */

static char *
embedURI(const char *scheme, const char *root)
{
    return g_strdup_printf("%s:///embed?root=%s", scheme, root);
}

/* The first connection to a root starts every state driver for it, the
 * others attach, the last one stops them, in reverse order; each root
 * on its own. */
static void
testEmbedHosting(void)
{
    g_autofree char *dir = virTestMakeDir("vbpdrv-XXXXXX");
    g_autofree char *r = g_build_filename(dir, "r", NULL);
    g_autofree char *s = g_build_filename(dir, "s", NULL);
    g_autofree char *uriR = embedURI("fakeembed", r);
    g_autofree char *uriS = embedURI("fakeembed", s);
    g_autofree char *got = NULL;
    g_autofree char *want = NULL;
    virConnectPtr c1, c2, c3;
    struct stat sb;

    callsReset();
    c1 = virConnectOpen(uriR);
    g_assert_nonnull(c1);
    want = g_strdup_printf("S1 init r; S2 init r; Embed open %s", r);
    assertCalls(want);
    g_assert_cmpint(stat(r, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0700);
    got = virConnectGetURI(c1);
    g_assert_cmpstr(got, ==, uriR);

    c2 = virConnectOpenReadOnly(uriR);
    g_assert_nonnull(c2);
    g_free(want);
    want = g_strdup_printf("Embed open %s", r);
    assertCalls(want);

    c3 = virConnectOpen(uriS);
    g_assert_nonnull(c3);
    g_free(want);
    want = g_strdup_printf("S1 init s; S2 init s; Embed open %s", s);
    assertCalls(want);

    g_assert_cmpint(virStateReload(r), ==, 0);
    assertCalls("S1 reload r; S2 reload r");

    virConnectClose(c1);
    assertCalls("Embed close");
    virConnectClose(c2);
    assertCalls("Embed close; S2 cleanup r; S1 cleanup r");
    g_assert_cmpint(virStateReload(r), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    virConnectClose(c3);
    assertCalls("Embed close; S2 cleanup s; S1 cleanup s");

    /* Open again: started anew. */
    c1 = virConnectOpen(uriR);
    g_assert_nonnull(c1);
    g_free(want);
    want = g_strdup_printf("S1 init r; S2 init r; Embed open %s", r);
    assertCalls(want);
    virConnectClose(c1);
    assertCalls("Embed close; S2 cleanup r; S1 cleanup r");
    virTestCleanupDir(dir);
}

/* A state driver that cannot start: the open fails with its error, the
 * drivers started before it are stopped again, nothing stays hosted. */
static void
testEmbedFailure(void)
{
    g_autofree char *dir = virTestMakeDir("vbpdrv-XXXXXX");
    g_autofree char *root = g_build_filename(dir, "fail", NULL);
    g_autofree char *uri = embedURI("fakeembed", root);

    callsReset();
    g_assert_null(virConnectOpen(uri));
    virTestAssertError(VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "S2 cannot host 'fail'");
    assertCalls("S1 init fail; S2 init fail; S1 cleanup fail");
    g_assert_cmpint(virStateReload(root), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    /* The URI's errors come before anything is started. */
    g_assert_null(virConnectOpen("fakeembed:///embed?root=relative"));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "embed root 'relative' must be an absolute path");
    g_assert_null(virConnectOpen("fakeembed:///embed"));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "URI 'fakeembed:///embed' needs a root directory: "
                    "fakeembed:///embed?root=DIR");
    assertCalls("");
    virTestCleanupDir(dir);
}

/* A daemon hosts its state (root NULL) from start to exit: connections
 * come and go without stopping it. */
static void
testDaemonState(void)
{
    virConnectPtr conn;

    callsReset();
    g_assert_cmpint(virStateInitialize(false, NULL, NULL, NULL), ==, 0);
    /* The QEMU driver has no daemon instance yet: skipped. */
    assertCalls("S1 init daemon; S2 init daemon");
    g_assert_cmpint(virStateInitialize(false, NULL, NULL, NULL), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    assertCalls("");

    conn = virConnectOpen("fake:///a");
    g_assert_nonnull(conn);
    virConnectClose(conn);
    assertCalls("A open /a flags=0; A close");

    g_assert_cmpint(virStateReload(NULL), ==, 0);
    assertCalls("S1 reload daemon; S2 reload daemon");
    g_assert_cmpint(virStateCleanup(NULL), ==, 0);
    assertCalls("S2 cleanup daemon; S1 cleanup daemon");
    g_assert_cmpint(virStateCleanup(NULL), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
}

/* ------------------------------------------------------------------ */
/* The QEMU driver's state                                              */

#ifdef WITH_QEMU
static int
childMain(const char *what, const char *uri)
{
    virConnectPtr c = virConnectOpen(uri);

    if (strcmp(what, "open-busy") == 0)
        return !c && virGetLastErrorCode() == VIR_ERR_OPERATION_INVALID ? 0 : 1;
    if (!c)
        return 1;
    virConnectClose(c);
    return 0;
}

static void
writeConfig(const char *root, const char *name, unsigned int memMiB)
{
    g_autofree char *path = g_strdup_printf("%s/etc/qemu/%s.xml", root, name);
    /* With its UUID, as the driver writes them: a file without one would
     * be a new domain at each reading. */
    g_autofree char *xml = g_strdup_printf("<domain type='qemu'>\n"
                                           "  <name>%s</name>\n"
                                           "  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa1</uuid>\n"
                                           "  <memory unit='MiB'>%u</memory>\n"
                                           "  <os><type>hvm</type></os>\n"
                                           "</domain>\n", name, memMiB);

    g_assert_true(g_file_set_contents(path, xml, -1, NULL));
    g_assert_cmpint(chmod(path, 0600), ==, 0);
}

/* The QEMU driver's lifecycle events, as "NAME EVENT DETAIL" (the test's
 * state drivers log into calls meanwhile: they are hosted for every root). */
static GPtrArray *qemuEvents;

static int
qemuLifecycleCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event,
                int detail, void *opaque G_GNUC_UNUSED)
{
    g_mutex_lock(&callsLock);
    g_ptr_array_add(qemuEvents, g_strdup_printf("%s %d %d", virDomainGetName(dom),
                                                event, detail));
    g_mutex_unlock(&callsLock);
    return 0;
}

static bool
qemuEventsPending(void *opaque)
{
    guint want = GPOINTER_TO_UINT(opaque);
    bool ret;

    g_mutex_lock(&callsLock);
    ret = qemuEvents->len >= want;
    g_mutex_unlock(&callsLock);
    return ret;
}

static char *
domainMemory(virConnectPtr conn, const char *name)
{
    virDomainPtr dom = virDomainLookupByName(conn, name);
    virDomainInfo info;

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 1);
    virDomainFree(dom);
    return g_strdup_printf("%lu", info.maxMem);
}

/*
 * qemu:///embed on the state lifecycle: the first connection starts the
 * state (the root is locked against other processes), the second
 * attaches, a reload reads definitions written behind the driver's back,
 * and the last close stops it (the root is free again).
 */
static void
testQemuState(void)
{
    g_autofree char *dir = virTestMakeDir("vbpdrv-XXXXXX");
    g_autofree char *root = g_build_filename(dir, "root", NULL);
    g_autofree char *uri = embedURI("qemu", root);
    g_autofree char *mem = NULL;
    g_autofree char *bad = g_build_filename(root, "etc", "qemu", "bad.xml", NULL);
    const char *disks[] = { NULL };
    g_autofree char *xml = virTestDomainXML("d1", disks);
    virConnectPtr c1, c2;
    virDomainPtr dom;
    int cb;

    c1 = virConnectOpen(uri);
    g_assert_nonnull(c1);
    g_assert_cmpint(virTestRunSelf("open-busy", uri, NULL), ==, 0);
    c2 = virConnectOpen(uri);
    g_assert_nonnull(c2);
    dom = virDomainDefineXML(c1, xml);
    g_assert_nonnull(dom);
    virDomainFree(dom);
    dom = virDomainLookupByName(c2, "d1");
    g_assert_nonnull(dom);
    virDomainFree(dom);
    /* Started once: a second start of the same root is refused. */
    g_assert_cmpint(virStateInitialize(false, root, NULL, NULL), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    /* Reload: a new file defines, a changed one updates, an unchanged
     * one and one that does not parse change nothing. */
    qemuEvents = g_ptr_array_new_with_free_func(g_free);
    cb = virConnectDomainEventRegisterAny(c2, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(qemuLifecycleCb),
                                          NULL, NULL);
    g_assert_cmpint(cb, >=, 0);
    writeConfig(root, "d2", 32);
    g_assert_true(g_file_set_contents(bad, "<domain>", -1, NULL));
    g_assert_cmpint(chmod(bad, 0600), ==, 0);
    g_assert_cmpint(virStateReload(root), ==, 0);
    g_assert_true(virTestWaitFor(qemuEventsPending, GUINT_TO_POINTER(1), 5000));
    mem = domainMemory(c1, "d2");
    g_assert_cmpstr(mem, ==, "32768");
    g_clear_pointer(&mem, g_free);
    writeConfig(root, "d2", 48);
    g_assert_cmpint(virStateReload(root), ==, 0);
    g_assert_true(virTestWaitFor(qemuEventsPending, GUINT_TO_POINTER(2), 5000));
    mem = domainMemory(c2, "d2");
    g_assert_cmpstr(mem, ==, "49152");
    g_assert_cmpint(virStateReload(root), ==, 0);
    g_usleep(200 * 1000);
    g_assert_cmpuint(qemuEvents->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(qemuEvents, 0), ==, "d2 0 0");
    g_assert_cmpstr(g_ptr_array_index(qemuEvents, 1), ==, "d2 0 1");
    g_assert_cmpint(virConnectDomainEventDeregisterAny(c2, cb), ==, 0);
    g_clear_pointer(&qemuEvents, g_ptr_array_unref);

    /* A file others could have written is refused, as at start. */
    g_assert_cmpint(chmod(bad, 0666), ==, 0);
    g_assert_cmpint(virStateReload(root), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(unlink(bad), ==, 0);

    /* One connection left: the state, and the lock, stay. */
    g_assert_cmpint(virConnectClose(c1), ==, 0);
    dom = virDomainLookupByName(c2, "d1");
    g_assert_nonnull(dom);
    virDomainFree(dom);
    g_assert_cmpint(virTestRunSelf("open-busy", uri, NULL), ==, 0);
    g_assert_cmpint(virConnectClose(c2), ==, 0);
    /* The last one closed: another process may take the root. */
    g_assert_cmpint(virTestRunSelf("open", uri, NULL), ==, 0);
    virTestCleanupDir(dir);
}

typedef struct {
    const char *uri;
    int failures;
    char *firstError;
} RaceData;

static gpointer
raceThread(gpointer opaque)
{
    RaceData *d = opaque;

    for (int i = 0; i < 40; i++) {
        virConnectPtr c = virConnectOpen(d->uri);

        if (!c) {
            if (d->failures++ == 0)
                d->firstError = g_strdup(virGetLastErrorMessage());
            continue;
        }
        virConnectClose(c);
    }
    return NULL;
}

/*
 * Connections of two threads open and close the same root at once: an
 * open that meets the last close of the other thread waits for the state
 * to stop, then starts it anew; it never finds the root locked by its
 * own process.
 */
static void
testQemuOpenCloseRace(void)
{
    g_autofree char *dir = virTestMakeDir("vbpdrv-XXXXXX");
    g_autofree char *root = g_build_filename(dir, "root", NULL);
    g_autofree char *uri = embedURI("qemu", root);
    RaceData a = { uri, 0, NULL };
    RaceData b = { uri, 0, NULL };
    GThread *ta = g_thread_new("race-a", raceThread, &a);
    GThread *tb = g_thread_new("race-b", raceThread, &b);

    g_thread_join(ta);
    g_thread_join(tb);
    if (a.failures || b.failures)
        g_error("%d and %d opens of 40 failed: %s", a.failures, b.failures,
                a.firstError ? a.firstError : b.firstError);
    virTestCleanupDir(dir);
}
#endif /* WITH_QEMU */

int
main(int argc, char **argv)
{
    calls = g_ptr_array_new_with_free_func(g_free);
    /* Before the library registers its own: offered first. */
    if (virRegisterConnectDriver(&fakeA) < 0 ||
        virRegisterConnectDriver(&fakeB) < 0 ||
        virRegisterConnectDriver(&fakeAuth) < 0 ||
        virRegisterConnectDriver(&fakeEmbed) < 0 ||
        virRegisterStateDriver(&fakeS1) < 0 ||
        virRegisterStateDriver(&fakeS2) < 0)
        return 1;

    if (argc == 2 && strcmp(argv[1], "--child-auth") == 0)
        return childAuth();
#ifdef WITH_QEMU
    if (argc >= 4 && strcmp(argv[1], "--child") == 0)
        return childMain(argv[2], argv[3]);
#endif
    virTestInit(&argc, &argv);
    virTestEventLoopStart();

    g_test_add_func("/driver/registration/dispatch", testDispatch);
    g_test_add_func("/driver/registration/unclaimed", testUnclaimed);
    g_test_add_func("/driver/access/check", testAccessCheck);
    g_test_add_func("/driver/auth/callback", testAuthCallback);
    g_test_add_func("/driver/auth/default-terminal", testAuthDefault);
    g_test_add_func("/driver/auth/default-no-input", testAuthDefaultNoInput);
    g_test_add_func("/driver/state/embed-hosting", testEmbedHosting);
    g_test_add_func("/driver/state/embed-failure", testEmbedFailure);
    g_test_add_func("/driver/state/daemon", testDaemonState);
#ifdef WITH_QEMU
    if (VIR_TEST_INTEGRATION) {
        g_test_add_func("/driver/state/qemu", testQemuState);
        g_test_add_func("/driver/state/qemu-open-close-race", testQemuOpenCloseRace);
    }
#endif
    return g_test_run();
}
