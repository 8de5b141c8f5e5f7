/*
 * virnetservertest.c: the transport's server and client for real, in one
 * process, over unix sockets in a temporary directory, with a program of
 * the tests' own (tests/virnettestprotocol.x): calls, concurrency,
 * events, errors, identity, hostile clients, keepalive both ways, stop
 * and limits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include <glib.h>

#include "rpc/virnetserver.h"
#include "rpc/virnetclient.h"
#include "rpc/virkeepaliveprotocol.h"
#include "util/virerror.h"
#include "tests/virnettestprotocol.h"
#include "testutils.h"
#include "testutilsvirt.h"

#define TIMEOUT_MS 10000

/* ---- the server's side: handlers and the state tests look at ---- */

static GMutex testLock;
static GCond testCond;
static bool slowReleased;
static int slowRunning;
static gint privCreated;
static gint privFreed;
static gint echoCalls;

static int
testDispatchEcho(virNetServer *srv G_GNUC_UNUSED,
                 virNetServerClient *client G_GNUC_UNUSED,
                 const virNetMessageHeader *header G_GNUC_UNUSED,
                 virNetMessageError *rerr G_GNUC_UNUSED,
                 void *args, void *ret)
{
    virnet_test_echo_args *a = args;
    virnet_test_echo_ret *r = ret;

    r->text = g_strdup(a->text);
    r->value = a->value;
    g_atomic_int_inc(&echoCalls);
    return 0;
}

static int
testDispatchFail(virNetServer *srv G_GNUC_UNUSED,
                 virNetServerClient *client G_GNUC_UNUSED,
                 const virNetMessageHeader *header G_GNUC_UNUSED,
                 virNetMessageError *rerr G_GNUC_UNUSED,
                 void *args, void *ret G_GNUC_UNUSED)
{
    virnet_test_fail_args *a = args;

    virRaiseErrorFull(__FILE__, __func__, __LINE__, a->domain, a->code,
                      VIR_ERR_ERROR, "%s", a->message);
    return -1;
}

static int
testDispatchIdentity(virNetServer *srv G_GNUC_UNUSED,
                     virNetServerClient *client,
                     const virNetMessageHeader *header G_GNUC_UNUSED,
                     virNetMessageError *rerr G_GNUC_UNUSED,
                     void *args G_GNUC_UNUSED, void *ret)
{
    virnet_test_identity_ret *r = ret;
    uid_t uid;
    gid_t gid;
    pid_t pid;

    virNetServerClientGetUnixIdentity(client, &uid, &gid, &pid);
    r->readonly = virNetServerClientIsReadonly(client);
    r->uid = uid;
    r->pid = pid;
    return 0;
}

static int
testDispatchSlow(virNetServer *srv G_GNUC_UNUSED,
                 virNetServerClient *client G_GNUC_UNUSED,
                 const virNetMessageHeader *header G_GNUC_UNUSED,
                 virNetMessageError *rerr G_GNUC_UNUSED,
                 void *args G_GNUC_UNUSED, void *ret G_GNUC_UNUSED)
{
    g_mutex_lock(&testLock);
    slowRunning++;
    g_cond_broadcast(&testCond);
    while (!slowReleased)
        g_cond_wait(&testCond, &testLock);
    slowRunning--;
    g_mutex_unlock(&testLock);
    return 0;
}

static int
testDispatchEvents(virNetServer *srv G_GNUC_UNUSED,
                   virNetServerClient *client,
                   const virNetMessageHeader *header G_GNUC_UNUSED,
                   virNetMessageError *rerr G_GNUC_UNUSED,
                   void *args, void *ret G_GNUC_UNUSED)
{
    virnet_test_events_args *a = args;
    int i;

    for (i = 0; i < a->count; i++) {
        virnet_test_event_msg ev = { .seq = i };

        if (virNetServerClientSendMessage(client, VIRNET_TEST_PROGRAM,
                                          VIRNET_TEST_PROTOCOL_VERSION,
                                          VIRNET_TEST_PROC_EVENT,
                                          (xdrproc_t) xdr_virnet_test_event_msg,
                                          &ev) < 0)
            return -1;
    }
    return 0;
}

static int
testDispatchKeepAlive(virNetServer *srv G_GNUC_UNUSED,
                      virNetServerClient *client,
                      const virNetMessageHeader *header G_GNUC_UNUSED,
                      virNetMessageError *rerr G_GNUC_UNUSED,
                      void *args G_GNUC_UNUSED, void *ret G_GNUC_UNUSED)
{
    virNetServerClientStartKeepAlive(client);
    return 0;
}

static int
testDispatchOpen(virNetServer *srv G_GNUC_UNUSED,
                 virNetServerClient *client,
                 const virNetMessageHeader *header G_GNUC_UNUSED,
                 virNetMessageError *rerr G_GNUC_UNUSED,
                 void *args G_GNUC_UNUSED, void *ret G_GNUC_UNUSED)
{
    virNetServerClientSetOpen(client);
    return 0;
}

static int
testDispatchNeedsOpen(virNetServer *srv G_GNUC_UNUSED,
                      virNetServerClient *client,
                      const virNetMessageHeader *header G_GNUC_UNUSED,
                      virNetMessageError *rerr G_GNUC_UNUSED,
                      void *args G_GNUC_UNUSED, void *ret G_GNUC_UNUSED)
{
    /* The private data is there while calls run. */
    return virNetServerClientGetPrivateData(client) ? 0 : -1;
}

#define PROC(num, func, args, ret, open) \
    { num, func, sizeof(args), (xdrproc_t) xdr_ ## args, \
      sizeof(ret), (xdrproc_t) xdr_ ## ret, open }

/* No arguments or no return value. */
typedef char testNone;
static bool_t
xdr_testNone(XDR *xdrs G_GNUC_UNUSED, testNone *none G_GNUC_UNUSED)
{
    return TRUE;
}

static const virNetServerProc testProcs[] = {
    PROC(VIRNET_TEST_PROC_ECHO, testDispatchEcho,
         virnet_test_echo_args, virnet_test_echo_ret, false),
    PROC(VIRNET_TEST_PROC_FAIL, testDispatchFail,
         virnet_test_fail_args, testNone, false),
    PROC(VIRNET_TEST_PROC_IDENTITY, testDispatchIdentity,
         testNone, virnet_test_identity_ret, false),
    PROC(VIRNET_TEST_PROC_SLOW, testDispatchSlow, testNone, testNone, false),
    PROC(VIRNET_TEST_PROC_EVENTS, testDispatchEvents,
         virnet_test_events_args, testNone, false),
    PROC(VIRNET_TEST_PROC_KEEPALIVE, testDispatchKeepAlive,
         testNone, testNone, false),
    PROC(VIRNET_TEST_PROC_OPEN, testDispatchOpen, testNone, testNone, false),
    PROC(VIRNET_TEST_PROC_NEEDS_OPEN, testDispatchNeedsOpen,
         testNone, testNone, true),
};

static void *
testPrivNew(virNetServerClient *client G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
    g_atomic_int_inc(&privCreated);
    return g_strdup("private");
}

static void
testPrivFree(void *priv)
{
    g_assert_cmpstr(priv, ==, "private");
    g_free(priv);
    g_atomic_int_inc(&privFreed);
}

typedef struct {
    char *dir;
    char *rwPath;
    char *roPath;
    virNetServer *srv;
} testServer;

static void
testConfig(virNetServerConfig *cfg)
{
    virNetServerConfigDefaults(cfg);
    cfg->minWorkers = 2;
    cfg->maxWorkers = 8;
    cfg->maxClientRequests = 10;
    /* A hang catcher: a client's first message may take seconds under
     * valgrind (threads started, code first run). testHostile, which is
     * about it, sets 1 s. */
    cfg->handshakeTimeout = 60;
    cfg->maxMessageSize = 1024 * 1024;
    cfg->keepaliveInterval = 1;
    cfg->keepaliveCount = 1;
}

static testServer *
testServerNew(const virNetServerConfig *cfg)
{
    testServer *ts = g_new0(testServer, 1);
    virNetServerConfig defaults;

    if (!cfg) {
        testConfig(&defaults);
        cfg = &defaults;
    }
    g_mutex_lock(&testLock);
    slowReleased = false;
    g_mutex_unlock(&testLock);

    ts->dir = virTestMakeDir("virnetservertest-XXXXXX");
    ts->rwPath = g_build_filename(ts->dir, "sock", NULL);
    ts->roPath = g_build_filename(ts->dir, "sock-ro", NULL);
    ts->srv = virNetServerNew(cfg);
    g_assert_nonnull(ts->srv);
    g_assert_cmpint(virNetServerAddProgram(ts->srv,
                        virNetServerProgramNew(VIRNET_TEST_PROGRAM,
                                               VIRNET_TEST_PROTOCOL_VERSION,
                                               testProcs,
                                               G_N_ELEMENTS(testProcs))), ==, 0);
    virNetServerSetClientPrivate(ts->srv, testPrivNew, testPrivFree, NULL);
    g_assert_cmpint(virNetServerAddUnixSocket(ts->srv, ts->rwPath, 0700,
                                              (gid_t) -1, false), ==, 0);
    g_assert_cmpint(virNetServerAddUnixSocket(ts->srv, ts->roPath, 0777,
                                              (gid_t) -1, true), ==, 0);
    g_assert_cmpint(virNetServerStart(ts->srv), ==, 0);
    return ts;
}

static void
testServerRelease(void)
{
    g_mutex_lock(&testLock);
    slowReleased = true;
    g_cond_broadcast(&testCond);
    g_mutex_unlock(&testLock);
}

static void
testServerFree(testServer *ts)
{
    testServerRelease();
    virNetServerStop(ts->srv);
    /* Stopping removes the sockets it made. */
    g_assert_false(g_file_test(ts->rwPath, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(ts->roPath, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(virNetServerClientCount(ts->srv), ==, 0);
    virNetServerFree(ts->srv);
    virTestCleanupDir(ts->dir);
    g_free(ts->dir);
    g_free(ts->rwPath);
    g_free(ts->roPath);
    g_free(ts);
}

/* ---- the client's side ---- */

typedef struct {
    GMutex lock;
    GArray *seqs;               /* of the events, in the order they came */
    int callFromIOThread;       /* the error code a call from the handler got */
    int closeCount;
    int closeReason;
} testClientState;

static void
testEventFunc(virNetClient *client, virNetMessage *msg, void *opaque)
{
    testClientState *st = opaque;
    virnet_test_event_msg ev = { 0 };
    int rc;

    g_assert_cmpint(msg->header.proc, ==, VIRNET_TEST_PROC_EVENT);
    g_assert_cmpint(virNetMessageDecodePayload(msg, (xdrproc_t) xdr_virnet_test_event_msg,
                                               &ev), ==, 0);
    /* A call from here would wait for the thread that must read its
     * reply: refused, never a deadlock. */
    rc = virNetClientCall(client, VIRNET_TEST_PROGRAM, VIRNET_TEST_PROTOCOL_VERSION,
                          VIRNET_TEST_PROC_IDENTITY, NULL, NULL,
                          NULL, NULL);
    g_mutex_lock(&st->lock);
    g_array_append_val(st->seqs, ev.seq);
    st->callFromIOThread = rc < 0 ? virGetLastErrorCode() : 0;
    g_mutex_unlock(&st->lock);
    virResetLastError();
}

static void
testCloseFunc(virNetClient *client G_GNUC_UNUSED, int reason, void *opaque)
{
    testClientState *st = opaque;

    g_mutex_lock(&st->lock);
    st->closeCount++;
    st->closeReason = reason;
    g_mutex_unlock(&st->lock);
}

static testClientState *
testClientStateNew(void)
{
    testClientState *st = g_new0(testClientState, 1);

    g_mutex_init(&st->lock);
    st->seqs = g_array_new(FALSE, FALSE, sizeof(int));
    st->closeReason = -1;
    return st;
}

static void
testClientStateFree(testClientState *st)
{
    g_array_unref(st->seqs);
    g_mutex_clear(&st->lock);
    g_free(st);
}

static virNetClient *
testConnect(const char *path, testClientState *st)
{
    virNetClient *client = virNetClientNewUnix(path);

    if (!client)
        g_error("cannot connect to '%s': %s", path, virGetLastErrorMessage());
    if (st) {
        g_assert_cmpint(virNetClientAddProgramEvents(client, VIRNET_TEST_PROGRAM,
                                                     VIRNET_TEST_PROTOCOL_VERSION,
                                                     testEventFunc, st), ==, 0);
        virNetClientSetCloseCallback(client, testCloseFunc, st, NULL);
    }
    return client;
}

/* One ECHO call; *@ret is the caller's to free (xdr_free) on success. */
static int
testEchoCall(virNetClient *client, const char *text, int value,
             virnet_test_echo_ret *ret)
{
    virnet_test_echo_args args = { .text = (char *) text, .value = value };

    return virNetClientCall(client, VIRNET_TEST_PROGRAM, VIRNET_TEST_PROTOCOL_VERSION,
                            VIRNET_TEST_PROC_ECHO,
                            (xdrproc_t) xdr_virnet_test_echo_args, &args,
                            (xdrproc_t) xdr_virnet_test_echo_ret, ret);
}

static int
testEcho(virNetClient *client, const char *text, int value)
{
    virnet_test_echo_ret ret = { 0 };

    if (testEchoCall(client, text, value, &ret) < 0)
        return -1;
    g_assert_cmpstr(ret.text, ==, text);
    g_assert_cmpint(ret.value, ==, value);
    xdr_free((xdrproc_t) xdr_virnet_test_echo_ret, (char *) &ret);
    return 0;
}

static void
testAssertEcho(virNetClient *client)
{
    if (testEcho(client, "still here", 17) < 0)
        g_error("echo failed: %s", virGetLastErrorMessage());
}

static int
testSimpleCall(virNetClient *client, int proc)
{
    return virNetClientCall(client, VIRNET_TEST_PROGRAM, VIRNET_TEST_PROTOCOL_VERSION,
                            proc, NULL, NULL,
                            NULL, NULL);
}

static bool
testClientClosedCond(void *opaque)
{
    return !virNetClientIsOpen(opaque);
}

typedef struct {
    testServer *ts;
    size_t count;
} testCountData;

static bool
testClientCountCond(void *opaque)
{
    testCountData *d = opaque;

    return virNetServerClientCount(d->ts->srv) == d->count;
}

static void
testWaitClientCount(testServer *ts, size_t count)
{
    testCountData d = { ts, count };

    if (!virTestWaitFor(testClientCountCond, &d, TIMEOUT_MS))
        g_error("the server has %zu clients, not %zu",
                virNetServerClientCount(ts->srv), count);
}

/* ---- raw sockets, for the hostile peers ---- */

static int
testRawConnect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
    return fd;
}

static void
testRawWrite(int fd, const void *buf, size_t len)
{
    g_assert_cmpint(send(fd, buf, len, MSG_NOSIGNAL), ==, (ssize_t) len);
}

/* Send a call of the test program with one int argument (or none if
 * @arg is negative). */
static void
testRawCall(int fd, int proc, int arg)
{
    uint32_t words[8];
    size_t n = arg < 0 ? 7 : 8;

    words[0] = htonl(n * 4);
    words[1] = htonl(VIRNET_TEST_PROGRAM);
    words[2] = htonl(VIRNET_TEST_PROTOCOL_VERSION);
    words[3] = htonl(proc);
    words[4] = htonl(VIR_NET_CALL);
    words[5] = htonl(1);
    words[6] = htonl(VIR_NET_OK);
    words[7] = htonl(arg);
    testRawWrite(fd, words, n * 4);
}

/* Send PINGs (about 8 MiB of them) until done or the peer hangs up. */
static void
testRawPingFlood(int fd)
{
    uint32_t words[7 * 1024];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(words); i += 7) {
        words[i] = htonl(28);
        words[i + 1] = htonl(KEEPALIVE_PROGRAM);
        words[i + 2] = htonl(KEEPALIVE_PROTOCOL_VERSION);
        words[i + 3] = htonl(KEEPALIVE_PROC_PING);
        words[i + 4] = htonl(VIR_NET_MESSAGE);
        words[i + 5] = 0;
        words[i + 6] = htonl(VIR_NET_OK);
    }
    for (i = 0; i < 300; i++) {
        if (send(fd, words, sizeof(words), MSG_NOSIGNAL) < 0)
            return;
    }
}

/* Wait, reading nothing, until the peer closes; true if it did within
 * @ms. */
static bool
testRawWaitHangUp(int fd, int ms)
{
    struct pollfd pfd = { .fd = fd, .events = 0 };
    gint64 deadline = g_get_monotonic_time() + (gint64) ms * 1000;

    while (g_get_monotonic_time() < deadline) {
        int left = (int) ((deadline - g_get_monotonic_time()) / 1000);

        if (poll(&pfd, 1, MAX(left, 1)) > 0 && (pfd.revents & POLLHUP))
            return true;
    }
    return false;
}

/* Read and drop until the peer closes; true if it did within @ms. */
static bool
testRawWaitEOF(int fd, int ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) ms * 1000;

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        char buf[4096];
        ssize_t n;

        if (left <= 0 || poll(&pfd, 1, (int) left) <= 0)
            return false;
        n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return true;
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return false;
    }
}

/* ---- the cases ---- */

static void
testCalls(void)
{
    testServer *ts = testServerNew(NULL);
    virNetClient *client = testConnect(ts->rwPath, NULL);
    g_autofree char *big = g_strnfill(60000, 'x');

    g_assert_true(virNetClientIsOpen(client));
    g_assert_cmpint(testEcho(client, "hello", 42), ==, 0);
    g_assert_cmpint(testEcho(client, "", -1), ==, 0);
    /* Bigger than one read or write of the socket. */
    g_assert_cmpint(testEcho(client, big, 1), ==, 0);

    /* Unknown procedure and program: error replies; the connection stays. */
    g_assert_cmpint(testSimpleCall(client, 999), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "unknown procedure: 999", NULL);
    g_assert_cmpint(virNetClientCall(client, 0x11111111, 1, 1,
                                     NULL, NULL,
                                     NULL, NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "program 0x11111111", NULL);
    g_assert_cmpint(virNetClientCall(client, VIRNET_TEST_PROGRAM, 2, 1,
                                     NULL, NULL,
                                     NULL, NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "version 2", NULL);

    /* Arguments that do not decode as the procedure's: an error reply. */
    g_assert_cmpint(testSimpleCall(client, VIRNET_TEST_PROC_ECHO), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "cannot decode", NULL);
    testAssertEcho(client);

    /* A procedure that needs an opened connection, before and after. */
    g_assert_cmpint(testSimpleCall(client, VIRNET_TEST_PROC_NEEDS_OPEN), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_INTERNAL_ERROR,
                           "connection not open", NULL);
    g_assert_cmpint(testSimpleCall(client, VIRNET_TEST_PROC_OPEN), ==, 0);
    g_assert_cmpint(testSimpleCall(client, VIRNET_TEST_PROC_NEEDS_OPEN), ==, 0);

    virNetClientClose(client);
    virNetClientClose(client);
    g_assert_false(virNetClientIsOpen(client));
    g_assert_cmpint(testEcho(client, "closed", 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, NULL);
    virNetClientUnref(client);
    testWaitClientCount(ts, 0);
    testServerFree(ts);
}

typedef struct {
    virNetClient *client;
    int index;
} testThreadData;

static gpointer
testConcurrentThread(gpointer opaque)
{
    testThreadData *d = opaque;
    int i;

    for (i = 0; i < 50; i++) {
        g_autofree char *text = g_strdup_printf("thread %d call %d", d->index, i);

        if (testEcho(d->client, text, d->index * 1000 + i) < 0)
            return GINT_TO_POINTER(1);
    }
    return NULL;
}

static void
testConcurrent(void)
{
    testServer *ts = testServerNew(NULL);
    virNetClient *client = testConnect(ts->rwPath, NULL);
    testThreadData data[8];
    GThread *threads[8];
    size_t i;

    /* Eight threads on one connection: each gets its own replies. */
    for (i = 0; i < G_N_ELEMENTS(threads); i++) {
        data[i].client = client;
        data[i].index = i;
        threads[i] = g_thread_new("caller", testConcurrentThread, &data[i]);
    }
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        g_assert_null(g_thread_join(threads[i]));
    virNetClientUnref(client);
    testServerFree(ts);
}

static gpointer
testSlowThread(gpointer opaque)
{
    virNetClient *client = opaque;

    return GINT_TO_POINTER(testSimpleCall(client, VIRNET_TEST_PROC_SLOW));
}

static bool
testSlowRunningCond(void *opaque G_GNUC_UNUSED)
{
    bool ret;

    g_mutex_lock(&testLock);
    ret = slowRunning > 0;
    g_mutex_unlock(&testLock);
    return ret;
}

static void
testSlowCall(void)
{
    testServer *ts = testServerNew(NULL);
    virNetClient *slow = testConnect(ts->rwPath, NULL);
    virNetClient *other = testConnect(ts->rwPath, NULL);
    GThread *thread;

    thread = g_thread_new("slow", testSlowThread, slow);
    g_assert_true(virTestWaitFor(testSlowRunningCond, NULL, TIMEOUT_MS));
    /* While one client's call is held, another's calls go through, and
     * so do the held client's other calls. */
    testAssertEcho(other);
    testAssertEcho(slow);
    testServerRelease();
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(thread)), ==, 0);
    virNetClientUnref(slow);
    virNetClientUnref(other);
    testServerFree(ts);
}

static void
testEvents(void)
{
    testServer *ts = testServerNew(NULL);
    testClientState *st = testClientStateNew();
    virNetClient *client = testConnect(ts->rwPath, st);
    virnet_test_events_args args = { .count = 200 };
    int i;

    g_assert_cmpint(virNetClientCall(client, VIRNET_TEST_PROGRAM,
                                     VIRNET_TEST_PROTOCOL_VERSION,
                                     VIRNET_TEST_PROC_EVENTS,
                                     (xdrproc_t) xdr_virnet_test_events_args, &args,
                                     NULL, NULL), ==, 0);
    /* The events were sent before the reply: all are in, in order. */
    g_mutex_lock(&st->lock);
    g_assert_cmpuint(st->seqs->len, ==, 200);
    for (i = 0; i < 200; i++)
        g_assert_cmpint(g_array_index(st->seqs, int, i), ==, i);
    g_assert_cmpint(st->callFromIOThread, ==, VIR_ERR_RPC);
    g_mutex_unlock(&st->lock);
    testAssertEcho(client);

    /* Closed by the client: the callback runs once, with CLIENT. */
    virNetClientClose(client);
    virNetClientClose(client);
    g_mutex_lock(&st->lock);
    g_assert_cmpint(st->closeCount, ==, 1);
    g_assert_cmpint(st->closeReason, ==, VIR_CONNECT_CLOSE_REASON_CLIENT);
    g_mutex_unlock(&st->lock);
    virNetClientUnref(client);
    testClientStateFree(st);
    testServerFree(ts);
}

static void
testErrors(void)
{
    testServer *ts = testServerNew(NULL);
    virNetClient *client = testConnect(ts->rwPath, NULL);
    virnet_test_fail_args args = {
        .code = VIR_ERR_OPERATION_DENIED,
        .domain = VIR_FROM_QEMU,
        .message = (char *) "read-only connection: 'vm1' stays as it is",
    };
    virErrorPtr err;

    g_assert_cmpint(virNetClientCall(client, VIRNET_TEST_PROGRAM,
                                     VIRNET_TEST_PROTOCOL_VERSION,
                                     VIRNET_TEST_PROC_FAIL,
                                     (xdrproc_t) xdr_virnet_test_fail_args, &args,
                                     NULL, NULL), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(err->domain, ==, VIR_FROM_QEMU);
    g_assert_cmpstr(err->message, ==, "read-only connection: 'vm1' stays as it is");

    args.code = VIR_ERR_NO_DOMAIN;
    args.domain = VIR_FROM_DOMAIN;
    args.message = (char *) "no domain with matching name 'x'";
    g_assert_cmpint(virNetClientCall(client, VIRNET_TEST_PROGRAM,
                                     VIRNET_TEST_PROTOCOL_VERSION,
                                     VIRNET_TEST_PROC_FAIL,
                                     (xdrproc_t) xdr_virnet_test_fail_args, &args,
                                     NULL, NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_DOMAIN, VIR_ERR_NO_DOMAIN,
                           "no domain with matching name 'x'", NULL);
    testAssertEcho(client);
    virNetClientUnref(client);
    testServerFree(ts);
}

static void
testIdentity(void)
{
    testServer *ts = testServerNew(NULL);
    virNetClient *rw = testConnect(ts->rwPath, NULL);
    virNetClient *ro = testConnect(ts->roPath, NULL);
    virnet_test_identity_ret ret = { 0 };
    struct stat sb;

    g_assert_cmpint(virNetClientCall(rw, VIRNET_TEST_PROGRAM, VIRNET_TEST_PROTOCOL_VERSION,
                                     VIRNET_TEST_PROC_IDENTITY, NULL, NULL,
                                     (xdrproc_t) xdr_virnet_test_identity_ret, &ret), ==, 0);
    g_assert_cmpint(ret.readonly, ==, 0);
    g_assert_cmpuint(ret.uid, ==, getuid());
    g_assert_cmpint(ret.pid, ==, getpid());
    g_assert_cmpint(virNetClientCall(ro, VIRNET_TEST_PROGRAM, VIRNET_TEST_PROTOCOL_VERSION,
                                     VIRNET_TEST_PROC_IDENTITY, NULL, NULL,
                                     (xdrproc_t) xdr_virnet_test_identity_ret, &ret), ==, 0);
    g_assert_cmpint(ret.readonly, ==, 1);
    g_assert_cmpuint(ret.uid, ==, getuid());

    /* The sockets' modes are the ones asked for. */
    g_assert_cmpint(stat(ts->rwPath, &sb), ==, 0);
    g_assert_true(S_ISSOCK(sb.st_mode));
    g_assert_cmpint(sb.st_mode & 07777, ==, 0700);
    g_assert_cmpint(stat(ts->roPath, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0777);

    virNetClientUnref(rw);
    virNetClientUnref(ro);
    testServerFree(ts);
}

static void
testPrivateData(void)
{
    testServer *ts = testServerNew(NULL);
    int created = g_atomic_int_get(&privCreated);
    int freed = g_atomic_int_get(&privFreed);
    virNetClient *client = testConnect(ts->rwPath, NULL);
    GThread *thread;

    g_assert_cmpint(testSimpleCall(client, VIRNET_TEST_PROC_OPEN), ==, 0);
    g_assert_cmpint(testSimpleCall(client, VIRNET_TEST_PROC_NEEDS_OPEN), ==, 0);
    g_assert_cmpint(g_atomic_int_get(&privCreated), ==, created + 1);

    /* A client gone in the middle of its call: its private data outlives
     * the call, then goes. */
    thread = g_thread_new("slow", testSlowThread, client);
    g_assert_true(virTestWaitFor(testSlowRunningCond, NULL, TIMEOUT_MS));
    virNetClientClose(client);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(thread)), ==, -1);
    virNetClientUnref(client);
    testWaitClientCount(ts, 0);
    g_assert_cmpint(g_atomic_int_get(&privFreed), ==, freed);
    testServerRelease();
    testServerFree(ts);
    g_assert_cmpint(g_atomic_int_get(&privFreed), ==, freed + 1);
}

static void
testHostile(void)
{
    virNetServerConfig cfg;
    testServer *ts;
    virNetClient *good;
    const char garbage[] = "GARBAGE, NOT A MESSAGE AT ALL\n";
    unsigned char small[4] = { 0, 0, 0, 8 };
    unsigned char huge[4] = { 0, 0x10, 0, 0 };     /* 1 MiB + ... */
    unsigned char partial[12] = { 0, 0, 0, 100, 0x7e, 0x57, 0x7e, 0x57 };
    int fd;

    testConfig(&cfg);
    cfg.handshakeTimeout = 1;
    ts = testServerNew(&cfg);
    good = testConnect(ts->rwPath, NULL);
    testAssertEcho(good);

    /* Garbage: its length word is absurd. */
    fd = testRawConnect(ts->rwPath);
    testRawWrite(fd, garbage, sizeof(garbage));
    g_assert_true(testRawWaitEOF(fd, TIMEOUT_MS));
    close(fd);
    testAssertEcho(good);

    /* A length under the header's. */
    fd = testRawConnect(ts->rwPath);
    testRawWrite(fd, small, sizeof(small));
    g_assert_true(testRawWaitEOF(fd, TIMEOUT_MS));
    close(fd);

    /* Over the server's max_message_size (1 MiB here), though under the
     * protocol's. */
    huge[3] = 1;
    fd = testRawConnect(ts->rwPath);
    testRawWrite(fd, huge, sizeof(huge));
    g_assert_true(testRawWaitEOF(fd, TIMEOUT_MS));
    close(fd);
    testAssertEcho(good);

    /* Half a message, then gone. */
    fd = testRawConnect(ts->rwPath);
    testRawWrite(fd, partial, sizeof(partial));
    testWaitClientCount(ts, 2);
    close(fd);
    testWaitClientCount(ts, 1);
    testAssertEcho(good);

    /* Asking for events and never reading them: dropped once its queue
     * is past twice max_message_size (2 MiB here), not kept growing. */
    fd = testRawConnect(ts->rwPath);
    testRawCall(fd, VIRNET_TEST_PROC_EVENTS, 1000000);
    g_assert_true(testRawWaitHangUp(fd, 60000));
    g_assert_true(testRawWaitEOF(fd, TIMEOUT_MS));
    close(fd);
    testAssertEcho(good);

    /* Pinging without end and never reading the PONGs: dropped as well. */
    fd = testRawConnect(ts->rwPath);
    testRawPingFlood(fd);
    g_assert_true(testRawWaitHangUp(fd, 60000));
    close(fd);
    testAssertEcho(good);

    /* Silent past the handshake timeout (1 s here): closed, while the
     * good client, silent as long, is not. */
    fd = testRawConnect(ts->rwPath);
    g_assert_true(testRawWaitEOF(fd, TIMEOUT_MS));
    close(fd);
    testAssertEcho(good);
    testWaitClientCount(ts, 1);

    virNetClientUnref(good);
    testServerFree(ts);
}

static bool
testCloseCountCond(void *opaque)
{
    testClientState *st = opaque;
    bool ret;

    g_mutex_lock(&st->lock);
    ret = st->closeCount > 0;
    g_mutex_unlock(&st->lock);
    return ret;
}

static gpointer
testEchoThread(gpointer opaque)
{
    virNetClient *client = opaque;
    int rc = testEcho(client, "waiting", 1);

    return GINT_TO_POINTER(rc < 0 ? virGetLastErrorCode() : 0);
}

/* A call whose reply may be anything a hostile peer made up: whatever it
 * decodes to is not checked, only that the call returns. */
static gpointer
testAnyReplyThread(gpointer opaque)
{
    virNetClient *client = opaque;
    virnet_test_echo_ret ret = { 0 };

    if (testEchoCall(client, "waiting", 1, &ret) < 0)
        return GINT_TO_POINTER(virGetLastErrorCode());
    xdr_free((xdrproc_t) xdr_virnet_test_echo_ret, (char *) &ret);
    return NULL;
}

static void
testClientKeepAlive(void)
{
    int sv[2];
    testClientState *st = testClientStateNew();
    virNetClient *client;
    GThread *thread;

    /* A peer that takes everything and never answers. */
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = virNetClientNewFD(sv[0]);
    g_assert_nonnull(client);
    virNetClientSetCloseCallback(client, testCloseFunc, st, NULL);
    g_assert_cmpint(virNetClientKeepAliveStart(client, 1, 2), ==, 0);
    thread = g_thread_new("waiting", testEchoThread, client);

    /* Found dead after about 3 s; the waiting call fails, no hang. */
    g_assert_true(virTestWaitFor(testCloseCountCond, st, TIMEOUT_MS));
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(thread)), ==, VIR_ERR_RPC);
    g_mutex_lock(&st->lock);
    g_assert_cmpint(st->closeCount, ==, 1);
    g_assert_cmpint(st->closeReason, ==, VIR_CONNECT_CLOSE_REASON_KEEPALIVE);
    g_mutex_unlock(&st->lock);
    g_assert_false(virNetClientIsOpen(client));
    g_assert_cmpint(virNetClientKeepAliveStart(client, 1, 2), ==, -1);
    virNetClientClose(client);
    g_assert_cmpint(st->closeCount, ==, 1);
    virNetClientUnref(client);
    close(sv[1]);
    testClientStateFree(st);
}

static void
testKeepAliveAnswered(void)
{
    testServer *ts = testServerNew(NULL);
    testClientState *st = testClientStateNew();
    virNetClient *client = testConnect(ts->rwPath, st);
    int fd;

    /* Both sides ping every second and give up after one unanswered
     * ping: a connection that stays up 3 s was answered both ways. */
    g_assert_cmpint(testSimpleCall(client, VIRNET_TEST_PROC_KEEPALIVE), ==, 0);
    g_assert_cmpint(virNetClientKeepAliveStart(client, 1, 1), ==, 0);
    g_assert_false(virTestWaitFor(testCloseCountCond, st, 3500));
    testAssertEcho(client);

    /* A raw client that asked for keepalive and never answers: the
     * server pings it, then drops it. */
    fd = testRawConnect(ts->rwPath);
    testRawCall(fd, VIRNET_TEST_PROC_KEEPALIVE, -1);
    g_assert_true(testRawWaitEOF(fd, TIMEOUT_MS));
    close(fd);
    testAssertEcho(client);

    virNetClientUnref(client);
    testClientStateFree(st);
    testServerFree(ts);
}

static gpointer
testStopThread(gpointer opaque)
{
    virNetServerStop(opaque);
    return NULL;
}

static bool
testPathGoneCond(void *opaque)
{
    return !g_file_test(opaque, G_FILE_TEST_EXISTS);
}

static void
testStop(void)
{
    testServer *ts = testServerNew(NULL);
    testClientState *st = testClientStateNew();
    virNetClient *held = testConnect(ts->rwPath, NULL);
    virNetClient *waiting = testConnect(ts->rwPath, st);
    GThread *slow;
    GThread *stop;
    GThread *echo;

    testAssertEcho(waiting);
    slow = g_thread_new("slow", testSlowThread, held);
    g_assert_true(virTestWaitFor(testSlowRunningCond, NULL, TIMEOUT_MS));

    /* Stopping: the sockets go first, then it waits for the held call. */
    stop = g_thread_new("stop", testStopThread, ts->srv);
    g_assert_true(virTestWaitFor(testPathGoneCond, ts->rwPath, TIMEOUT_MS));
    g_assert_null(virNetClientNewUnix(ts->rwPath));
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_NO_CONNECT, ts->rwPath, NULL);

    /* A call made now is never run: it fails once the server is gone. */
    echo = g_thread_new("echo", testEchoThread, waiting);
    testServerRelease();
    g_thread_join(stop);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(echo)), ==, VIR_ERR_RPC);
    /* The held call finished before the server closed its client. */
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(slow)), ==, 0);
    g_assert_true(virTestWaitFor(testCloseCountCond, st, TIMEOUT_MS));
    g_assert_cmpint(st->closeReason, ==, VIR_CONNECT_CLOSE_REASON_EOF);
    g_assert_cmpint(testEcho(waiting, "after", 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC,
                           "the connection to the daemon was lost: end of file", NULL);

    virNetClientUnref(held);
    virNetClientUnref(waiting);
    testClientStateFree(st);
    testServerFree(ts);
}

static void
testMaxClients(void)
{
    virNetServerConfig cfg;
    testServer *ts;
    virNetClient *a;
    virNetClient *b;
    virNetClient *c;

    testConfig(&cfg);
    cfg.maxClients = 2;
    ts = testServerNew(&cfg);
    a = testConnect(ts->rwPath, NULL);
    b = testConnect(ts->roPath, NULL);
    testAssertEcho(a);
    testAssertEcho(b);

    /* The third is refused: its connection is closed at once. */
    c = testConnect(ts->rwPath, NULL);
    g_assert_cmpint(testEcho(c, "refused", 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "lost", NULL);
    g_assert_true(virTestWaitFor(testClientClosedCond, c, TIMEOUT_MS));
    g_assert_cmpuint(virNetServerClientCount(ts->srv), ==, 2);
    testAssertEcho(a);
    virNetClientUnref(c);

    /* Once one goes, another may come. */
    virNetClientUnref(b);
    testWaitClientCount(ts, 1);
    c = testConnect(ts->rwPath, NULL);
    testAssertEcho(c);
    virNetClientUnref(c);
    testWaitClientCount(ts, 1);

    /* A new limit (a reload) applies to new connections only. */
    b = testConnect(ts->rwPath, NULL);
    testAssertEcho(b);
    cfg.maxClients = 1;
    virNetServerUpdateConfig(ts->srv, &cfg);
    c = testConnect(ts->rwPath, NULL);
    g_assert_cmpint(testEcho(c, "refused", 0), ==, -1);
    testAssertEcho(a);
    testAssertEcho(b);
    virNetClientUnref(c);
    virNetClientUnref(b);
    virNetClientUnref(a);
    testServerFree(ts);
}

static bool
testEchoCallsCond(void *opaque)
{
    return g_atomic_int_get(&echoCalls) >= GPOINTER_TO_INT(opaque);
}

static void
testClientRequests(void)
{
    virNetServerConfig cfg;
    testServer *ts;
    virNetClient *held;
    virNetClient *other;
    GThread *slow;
    GThread *echo;
    int calls;

    /* One call in flight per client: the held client's next call is not
     * even read until the first is done; other clients go on. */
    testConfig(&cfg);
    cfg.maxClientRequests = 1;
    ts = testServerNew(&cfg);
    held = testConnect(ts->rwPath, NULL);
    other = testConnect(ts->rwPath, NULL);
    slow = g_thread_new("slow", testSlowThread, held);
    g_assert_true(virTestWaitFor(testSlowRunningCond, NULL, TIMEOUT_MS));
    calls = g_atomic_int_get(&echoCalls);
    echo = g_thread_new("echo", testEchoThread, held);
    testAssertEcho(other);
    /* Given time, the held client's echo still does not run. */
    g_assert_false(virTestWaitFor(testEchoCallsCond, GINT_TO_POINTER(calls + 2), 500));
    g_assert_cmpint(g_atomic_int_get(&echoCalls), ==, calls + 1);
    testServerRelease();
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(slow)), ==, 0);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(echo)), ==, 0);
    virNetClientUnref(held);
    virNetClientUnref(other);
    testServerFree(ts);
}

static void
testSockets(void)
{
    testServer *ts = testServerNew(NULL);
    g_autofree char *stale = g_build_filename(ts->dir, "stale", NULL);
    g_autofree char *file = g_build_filename(ts->dir, "file", NULL);
    g_autofree char *missing = g_build_filename(ts->dir, "missing", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    virNetServerConfig cfg;
    virNetServer *other;
    virNetClient *client;
    struct stat sb;
    int fd;

    testConfig(&cfg);
    other = virNetServerNew(&cfg);

    /* A live socket is another server's: refused. */
    g_assert_cmpint(virNetServerAddUnixSocket(other, ts->rwPath, 0700,
                                              (gid_t) -1, false), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_OPERATION_FAILED, ts->rwPath, NULL);

    /* A file that is no socket is not ours to remove. */
    g_assert_true(g_file_set_contents(file, "keep me", -1, NULL));
    g_assert_cmpint(virNetServerAddUnixSocket(other, file, 0700,
                                              (gid_t) -1, false), ==, -1);
    g_assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));

    /* A stale one (its server died) is replaced. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_strlcpy(addr.sun_path, stale, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
    close(fd);
    g_assert_cmpint(virNetServerAddUnixSocket(other, stale, 0600,
                                              (gid_t) -1, false), ==, 0);
    g_assert_cmpint(virNetServerStart(other), ==, 0);
    client = testConnect(stale, NULL);
    /* The other server has no program: an error reply, not a hang. */
    g_assert_cmpint(testEcho(client, "x", 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "cannot find program", NULL);
    virNetClientUnref(client);
    virNetServerFree(other);
    g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));

    /* A socket handed over already listening (systemd), and one given a
     * group (ours). */
    other = virNetServerNew(&cfg);
    g_assert_cmpint(virNetServerAddUnixSocket(other, stale, 0660, getgid(),
                                              true), ==, 0);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_strlcpy(addr.sun_path, file, sizeof(addr.sun_path));
    g_assert_cmpint(unlink(file), ==, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 5), ==, 0);
    g_assert_cmpint(virNetServerAddUnixSocketFD(other, fd, false), ==, 0);
    g_assert_cmpint(virNetServerStart(other), ==, 0);
    client = testConnect(file, NULL);
    g_assert_cmpint(testEcho(client, "x", 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "cannot find program", NULL);
    virNetClientUnref(client);
    g_assert_cmpint(stat(stale, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0660);
    g_assert_cmpint(sb.st_gid, ==, getgid());
    g_assert_true(virNetClientIsOpen(client = testConnect(stale, NULL)));
    virNetClientUnref(client);
    virNetServerFree(other);
    /* Not ours to remove: it came as an fd. */
    g_assert_true(g_file_test(file, G_FILE_TEST_EXISTS));

    /* No server there: VIR_ERR_NO_CONNECT, with the path and the reason. */
    g_assert_null(virNetClientNewUnix(missing));
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_NO_CONNECT, missing,
                           "No such file", NULL);
    testServerFree(ts);
}

static double
testCpuSeconds(void)
{
    struct timespec ts;

    g_assert_cmpint(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts), ==, 0);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool
testNever(void *opaque G_GNUC_UNUSED)
{
    return false;
}

static void
testIdle(void)
{
    testServer *ts = testServerNew(NULL);
    virNetClient *client = testConnect(ts->rwPath, NULL);
    double before;
    double used;

    /* Connected and idle, the I/O threads of both sides sleep in poll():
     * a loop that spins shows here. */
    testAssertEcho(client);
    before = testCpuSeconds();
    virTestWaitFor(testNever, NULL, 1000);
    used = testCpuSeconds() - before;
    g_test_message("CPU while idle for 1 s: %.3f s", used);
    g_assert_cmpfloat(used, <, 0.2);

    virNetClientUnref(client);
    testServerFree(ts);
}

static void
testClientHostileServer(void)
{
    const char garbage[] = "\x7f\xff\xff\xff and then some";
    int sv[2];
    testClientState *st = testClientStateNew();
    virNetClient *client;
    GThread *thread;

    /* A keepalive stopped (interval 0) sends nothing more: the silent
     * peer is not given up. */
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = virNetClientNewFD(sv[0]);
    g_assert_nonnull(client);
    virNetClientSetCloseCallback(client, testCloseFunc, st, NULL);
    g_assert_cmpint(virNetClientKeepAliveStart(client, 1, 1), ==, 0);
    g_assert_cmpint(virNetClientKeepAliveStart(client, 0, 0), ==, 0);
    g_assert_false(virTestWaitFor(testCloseCountCond, st, 2500));

    /* A "server" answering a call with an absurd length: the connection
     * ends with an error; the call fails, no hang. */
    thread = g_thread_new("waiting", testEchoThread, client);
    testRawWrite(sv[1], garbage, sizeof(garbage));
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(thread)), ==, VIR_ERR_RPC);
    g_assert_true(virTestWaitFor(testCloseCountCond, st, TIMEOUT_MS));
    g_mutex_lock(&st->lock);
    g_assert_cmpint(st->closeCount, ==, 1);
    g_assert_cmpint(st->closeReason, ==, VIR_CONNECT_CLOSE_REASON_ERROR);
    g_mutex_unlock(&st->lock);
    g_assert_cmpint(testEcho(client, "after", 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "lost", "over the limit", NULL);
    virNetClientUnref(client);
    close(sv[1]);
    testClientStateFree(st);
}

/* A message of random words after a length word that fits them; with
 * @prog set, a call of that program to one of @procs. */
static GByteArray *
testRandomMessage(unsigned int prog, const int *procs, size_t nprocs)
{
    GByteArray *buf = g_byte_array_new();
    size_t nwords = 6 + g_test_rand_int_range(0, 40);
    size_t i;

    for (i = 0; i < nwords + 1; i++) {
        uint32_t word = g_test_rand_int();

        /* Small numbers are lengths, counts and enums that decode. */
        if (g_test_rand_bit())
            word = g_test_rand_int_range(0, 40);
        if (i == 0)
            word = (nwords + 1) * 4;
        else if (prog && i == 1)
            word = prog;
        else if (prog && i == 2)
            word = 1;
        else if (prog && i == 3)
            word = procs[g_test_rand_int_range(0, nprocs)];
        else if (prog && (i == 4 || i == 6))
            word = 0;
        word = htonl(word);
        g_byte_array_append(buf, (guint8 *) &word, 4);
    }
    return buf;
}

static void
testFuzz(void)
{
    virNetServerConfig cfg;
    testServer *ts;
    virNetClient *good;
    /* Not the slow call (it waits for the test) nor the events (a
     * random count could be millions). */
    static const int procs[] = { 1, 2, 3, 7, 8, 9, 10, -1 };
    int fds[300];
    size_t i;

    /* The messages are the point here, not the timeouts: the good client
     * says nothing until the 300 sockets are written (seconds under
     * valgrind), and must not be dropped for its silence meanwhile. */
    testConfig(&cfg);
    cfg.handshakeTimeout = 60;
    cfg.keepaliveInterval = 5;
    cfg.keepaliveCount = 5;
    ts = testServerNew(&cfg);
    good = testConnect(ts->rwPath, NULL);

    /* The sockets stay open until the end: a call of a client gone is
     * never run, and these should be. */
    for (i = 0; i < G_N_ELEMENTS(fds); i++) {
        int fd = fds[i] = testRawConnect(i % 2 ? ts->rwPath : ts->roPath);
        int n = g_test_rand_int_range(1, 4);

        while (n-- > 0) {
            g_autoptr(GByteArray) buf =
                testRandomMessage(g_test_rand_bit() ? VIRNET_TEST_PROGRAM : 0,
                                  procs, G_N_ELEMENTS(procs));

            /* Sometimes only part of it. */
            if (g_test_rand_int_range(0, 4) == 0)
                g_byte_array_set_size(buf, g_test_rand_int_range(1, buf->len));
            if (send(fd, buf->data, buf->len, MSG_NOSIGNAL) < 0)
                break;
        }
    }
    testAssertEcho(good);
    for (i = 0; i < G_N_ELEMENTS(fds); i++)
        close(fds[i]);
    testAssertEcho(good);
    testWaitClientCount(ts, 1);
    virNetClientUnref(good);
    testServerFree(ts);
}

static void
testFuzzEventFunc(virNetClient *client G_GNUC_UNUSED, virNetMessage *msg,
                  void *opaque G_GNUC_UNUSED)
{
    virnet_test_event_msg ev = { 0 };

    if (virNetMessageDecodePayload(msg, (xdrproc_t) xdr_virnet_test_event_msg,
                                   &ev) < 0)
        virResetLastError();
}

static void
testClientFuzz(void)
{
    static const int procs[] = { 1, 2, 3 };
    int i;

    /* A "server" answering with random messages, some of them replies to
     * the waiting call: the call returns (success, or an error), or the
     * connection ends; nothing crashes or hangs. */
    for (i = 0; i < 100; i++) {
        g_autoptr(GByteArray) buf = NULL;
        testClientState *st = testClientStateNew();
        virNetClient *client;
        GThread *thread;
        int sv[2];
        uint32_t word;

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        client = virNetClientNewFD(sv[0]);
        g_assert_nonnull(client);
        g_assert_cmpint(virNetClientAddProgramEvents(client, VIRNET_TEST_PROGRAM,
                                                     VIRNET_TEST_PROTOCOL_VERSION,
                                                     testFuzzEventFunc, st), ==, 0);
        /* A made-up reply may decode as a valid echo of other text. */
        thread = g_thread_new("waiting", testAnyReplyThread, client);
        buf = testRandomMessage(g_test_rand_bit() ? VIRNET_TEST_PROGRAM : 0,
                                procs, G_N_ELEMENTS(procs));
        if (buf->len >= 28 && g_test_rand_bit()) {
            /* A reply (or an event) to serial 1, with status OK or ERROR. */
            word = htonl(g_test_rand_int_range(1, 3));
            memcpy(buf->data + 16, &word, 4);
            word = htonl(1);
            memcpy(buf->data + 20, &word, 4);
            word = htonl(g_test_rand_int_range(0, 2));
            memcpy(buf->data + 24, &word, 4);
            word = htonl(VIRNET_TEST_PROC_ECHO);
            memcpy(buf->data + 12, &word, 4);
        }
        testRawWrite(sv[1], buf->data, buf->len);
        /* Then the end, unless the message was a complete reply. */
        close(sv[1]);
        g_thread_join(thread);
        virNetClientUnref(client);
        testClientStateFree(st);
    }
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    g_test_add_func("/rpc/server/calls", testCalls);
    g_test_add_func("/rpc/server/concurrent", testConcurrent);
    g_test_add_func("/rpc/server/slow-call", testSlowCall);
    g_test_add_func("/rpc/server/events", testEvents);
    g_test_add_func("/rpc/server/errors", testErrors);
    g_test_add_func("/rpc/server/identity", testIdentity);
    g_test_add_func("/rpc/server/private-data", testPrivateData);
    g_test_add_func("/rpc/server/hostile", testHostile);
    g_test_add_func("/rpc/server/keepalive", testKeepAliveAnswered);
    g_test_add_func("/rpc/server/stop", testStop);
    g_test_add_func("/rpc/server/max-clients", testMaxClients);
    g_test_add_func("/rpc/server/client-requests", testClientRequests);
    g_test_add_func("/rpc/server/sockets", testSockets);
    g_test_add_func("/rpc/server/idle", testIdle);
    g_test_add_func("/rpc/server/fuzz", testFuzz);
    g_test_add_func("/rpc/client/keepalive", testClientKeepAlive);
    g_test_add_func("/rpc/client/hostile-server", testClientHostileServer);
    g_test_add_func("/rpc/client/fuzz", testClientFuzz);
    return g_test_run();
}
