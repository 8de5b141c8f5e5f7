/*
 * virnettlstest.c: TLS of the remote protocol for real: certificates
 * made by certtool (tests/tlscerts.sh) in a temporary directory, a
 * server listening on TCP of loopback (IPv4 and IPv6) and the rpc client.
 * Loading our own files, each refusal with the reason the client gets and
 * the one the server logs, a peer that speaks no TLS, and one that stalls
 * mid-handshake while another is served.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib.h>

#include "rpc/virnetserver.h"
#include "rpc/virnetclient.h"
#include "rpc/virnettls.h"
#include "util/virerror.h"
#include "tests/virnettestprotocol.h"
#include "testutils.h"
#include "testutilsvirt.h"

#define TIMEOUT_MS 10000
/* The servers' handshake timeout, but for the stalled handshake's case: a
 * hang catcher, not a timing (under valgrind the process's first
 * handshakes take seconds). */
#define HANDSHAKE_TIMEOUT_S 60

static char *testDir;       /* the certificates and the server's log */
static char *certs;
static char *logPath;

/* ---- a server of the tests' program ---- */

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
    return 0;
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
    r->uid = uid;
    r->pid = pid;
    return 0;
}

typedef char testNone;
static bool_t
xdr_testNone(XDR *xdrs G_GNUC_UNUSED, testNone *none G_GNUC_UNUSED)
{
    return TRUE;
}

static const virNetServerProc testProcs[] = {
    { VIRNET_TEST_PROC_ECHO, testDispatchEcho,
      sizeof(virnet_test_echo_args), (xdrproc_t) xdr_virnet_test_echo_args,
      sizeof(virnet_test_echo_ret), (xdrproc_t) xdr_virnet_test_echo_ret, false },
    { VIRNET_TEST_PROC_IDENTITY, testDispatchIdentity,
      sizeof(testNone), (xdrproc_t) xdr_testNone,
      sizeof(virnet_test_identity_ret), (xdrproc_t) xdr_virnet_test_identity_ret,
      false },
};

static char *
testPki(const char *set, const char *file)
{
    return g_build_filename(certs, set, file, NULL);
}

static virNetTLSContext *
testServerContext(const char *set, const char *const *dnList, bool sanity)
{
    virNetTLSFiles files = {
        .cacert = testPki(set, "cacert.pem"),
        .cacrl = g_build_filename(certs, "server", "cacrl.pem", NULL),
        .cert = testPki(set, "servercert.pem"),
        .key = testPki(set, "serverkey.pem"),
    };
    virNetTLSContext *ctx = virNetTLSContextNew(true, &files, dnList, sanity,
                                                true, NULL);

    if (!ctx)
        g_error("server context of '%s': %s", set, virGetLastErrorMessage());
    virNetTLSFilesClear(&files);
    return ctx;
}

static virNetTLSContext *
testClientContext(const char *set, bool sanity, bool requireValid)
{
    g_autofree char *dir = g_build_filename(certs, set, NULL);
    virNetTLSFiles files = { 0 };
    virNetTLSContext *ctx;

    virNetTLSFilesClient(dir, &files);
    ctx = virNetTLSContextNew(false, &files, NULL, sanity, requireValid, NULL);
    if (!ctx)
        g_error("client context of '%s': %s", set, virGetLastErrorMessage());
    virNetTLSFilesClear(&files);
    return ctx;
}

static char *
testFreePort(void)
{
    return g_strdup_printf("%d", virTestFreeTCPPort());
}

typedef struct {
    virNetServer *srv;
    char *port;
} testServer;

/* A server of the tests' program, not listening yet. */
static virNetServer *
testServerProgram(const virNetServerConfig *cfg)
{
    virNetServer *srv = virNetServerNew(cfg);

    g_assert_nonnull(srv);
    g_assert_cmpint(virNetServerAddProgram(srv,
                        virNetServerProgramNew(VIRNET_TEST_PROGRAM,
                                               VIRNET_TEST_PROTOCOL_VERSION,
                                               testProcs,
                                               G_N_ELEMENTS(testProcs))), ==, 0);
    return srv;
}

/* A server on 127.0.0.1 and ::1 with the certificates of @set; @sanity
 * false: its own certificate is not checked (tls_no_sanity_certificate).
 * A client whose handshake is not done after @handshakeTimeout seconds
 * is dropped. */
static testServer *
testServerNew(const char *set, const char *const *dnList, bool sanity,
              int handshakeTimeout)
{
    testServer *ts = g_new0(testServer, 1);
    g_autoptr(virNetTLSContext) ctx = testServerContext(set, dnList, sanity);
    virNetServerConfig cfg;

    virNetServerConfigDefaults(&cfg);
    cfg.minWorkers = 1;
    cfg.maxWorkers = 4;
    cfg.handshakeTimeout = handshakeTimeout;
    ts->srv = testServerProgram(&cfg);
    ts->port = testFreePort();
    if (virNetServerAddTCPSocket(ts->srv, "127.0.0.1", ts->port, ctx) < 0 ||
        virNetServerAddTCPSocket(ts->srv, "::1", ts->port, ctx) < 0)
        g_error("listen on port %s: %s", ts->port, virGetLastErrorMessage());
    g_assert_cmpint(virNetServerStart(ts->srv), ==, 0);
    return ts;
}

static void
testServerFree(testServer *ts)
{
    virNetServerFree(ts->srv);
    g_free(ts->port);
    g_free(ts);
}

static bool
testNoClients(void *opaque)
{
    return virNetServerClientCount(opaque) == 0;
}

/* An echo call must come back whole over @client. */
static void
testEcho(virNetClient *client, const char *text)
{
    virnet_test_echo_args args = { .text = (char *) text, .value = 42 };
    virnet_test_echo_ret ret = { 0 };

    g_assert_cmpint(virNetClientCall(client, VIRNET_TEST_PROGRAM,
                                     VIRNET_TEST_PROTOCOL_VERSION,
                                     VIRNET_TEST_PROC_ECHO,
                                     (xdrproc_t) xdr_virnet_test_echo_args, &args,
                                     (xdrproc_t) xdr_virnet_test_echo_ret, &ret), ==, 0);
    g_assert_cmpstr(ret.text, ==, text);
    g_assert_cmpint(ret.value, ==, 42);
    xdr_free((xdrproc_t) xdr_virnet_test_echo_ret, (char *) &ret);
}

/* A TLS client to @host:@port with @ctx: connected, served an echo of
 * @what, closed. */
static void
testEchoOver(const char *host, const char *port, virNetTLSContext *ctx,
             const char *what)
{
    virNetClient *client = virNetClientNewTLS(host, port, ctx);

    if (!client)
        g_error("%s: %s", what, virGetLastErrorMessage());
    testEcho(client, what);
    virNetClientClose(client);
    virNetClientUnref(client);
}

static char *
testLog(void)
{
    char *log = NULL;

    g_assert_true(g_file_get_contents(logPath, &log, NULL, NULL));
    return log;
}

static void
testLogClear(void)
{
    g_assert_cmpint(truncate(logPath, 0), ==, 0);
}

/* The server logs (VIR_WARN) @part, within the timeout. */
static bool
testLogHasCond(void *opaque)
{
    g_autofree char *log = testLog();

    return strstr(log, opaque) != NULL;
}

static void
testAssertLogged(const char *part)
{
    if (!virTestWaitFor(testLogHasCond, (void *) part, TIMEOUT_MS)) {
        g_autofree char *log = testLog();

        g_error("the server's log lacks '%s'; it holds:\n%s", part, log);
    }
}

/* ---- loading our own files ---- */

typedef struct {
    const char *name;
    bool isServer;
    const char *cacert;         /* relative to the certificates' dir */
    const char *cert;
    const char *key;
    bool sanity;
    const char *priority;
    const char *error;          /* NULL: it loads; "%s": the dir */
} LoadCase;

static const LoadCase loadCases[] = {
    { "good-server", true, "ca/cacert.pem", "server/servercert.pem",
      "server/serverkey.pem", true, NULL, NULL },
    { "good-client", false, "ca/cacert.pem", "client/clientcert.pem",
      "client/clientkey.pem", true, NULL, NULL },
    { "no-ca", true, "none/cacert.pem", "server/servercert.pem",
      "server/serverkey.pem", true, NULL,
      "cannot read the CA certificate '%s/none/cacert.pem': No such file or directory" },
    { "no-key", false, "ca/cacert.pem", "client/clientcert.pem",
      "client/nokey.pem", true, NULL,
      "cannot read the client key '%s/client/nokey.pem'" },
    { "garbage-ca", true, "tmpl/ca.tmpl", "server/servercert.pem",
      "server/serverkey.pem", true, NULL,
      "the CA certificate '%s/tmpl/ca.tmpl' holds no PEM certificate" },
    { "key-mismatch", true, "ca/cacert.pem", "server/servercert.pem",
      "client/clientkey.pem", true, NULL,
      "the server key '%s/client/clientkey.pem' does not match the server certificate '%s/server/servercert.pem'" },
    { "expired-server", true, "ca/cacert.pem", "server-expired/servercert.pem",
      "server/serverkey.pem", true, NULL,
      "the server certificate '%s/server-expired/servercert.pem' expired on 2020-01-01 00:00:00 UTC" },
    /* tls_no_sanity_certificate: loaded all the same. */
    { "expired-server-no-sanity", true, "ca/cacert.pem",
      "server-expired/servercert.pem", "server/serverkey.pem", false, NULL, NULL },
    { "future-client", false, "ca/cacert.pem", "client-future/clientcert.pem",
      "client/clientkey.pem", true, NULL,
      "the client certificate '%s/client-future/clientcert.pem' is not active until 2035-01-01 00:00:00 UTC" },
    { "wrong-ca", false, "ca/cacert.pem", "client-wrongca/clientcert.pem",
      "client/clientkey.pem", true, NULL,
      "the client certificate '%s/client-wrongca/clientcert.pem' is not signed by the CA of '%s/ca/cacert.pem'" },
    { "client-cert-as-server", true, "ca/cacert.pem", "client/clientcert.pem",
      "client/clientkey.pem", true, NULL,
      "the server certificate '%s/client/clientcert.pem' is not meant for a TLS server (its key purposes lack 1.3.6.1.5.5.7.3.1)" },
    { "ca-not-ca", true, "server/servercert.pem", "server/servercert.pem",
      "server/serverkey.pem", true, NULL,
      "the CA certificate '%s/server/servercert.pem' is not a CA certificate" },
    { "bad-priority", false, "ca/cacert.pem", "client/clientcert.pem",
      "client/clientkey.pem", true, "NORMAL:+BOGUS",
      "invalid TLS priority string 'NORMAL:+BOGUS'" },
};

static void
testLoad(const void *data)
{
    const LoadCase *c = data;
    virNetTLSFiles files = {
        .cacert = g_build_filename(certs, c->cacert, NULL),
        .cacrl = NULL,
        .cert = g_build_filename(certs, c->cert, NULL),
        .key = g_build_filename(certs, c->key, NULL),
    };
    g_autoptr(virNetTLSContext) ctx = NULL;

    virResetLastError();
    ctx = virNetTLSContextNew(c->isServer, &files, NULL, c->sanity, true,
                              c->priority);
    virNetTLSFilesClear(&files);
    if (!c->error) {
        if (!ctx)
            g_error("%s: %s", c->name, virGetLastErrorMessage());
        return;
    }
    g_assert_null(ctx);
    {
        g_autoptr(GString) want = g_string_new(c->error);

        g_string_replace(want, "%s", certs, 0);
        g_test_message("%s: %s", c->name, virGetLastErrorMessage());
        if (!strstr(virGetLastErrorMessage(), want->str))
            g_error("%s: expected '%s', got '%s'", c->name, want->str,
                    virGetLastErrorMessage());
    }
}

/* ---- connections ---- */

static void
testConnectGood(void)
{
    testServer *ts = testServerNew("server", NULL, true, HANDSHAKE_TIMEOUT_S);
    g_autoptr(virNetTLSContext) ctx = testClientContext("client", true, true);
    const char *hosts[] = { "127.0.0.1", "localhost", "::1" };

    for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++) {
        virNetClient *client = virNetClientNewTLS(hosts[i], ts->port, ctx);
        virnet_test_identity_ret id = { 0 };

        if (!client)
            g_error("%s: %s", hosts[i], virGetLastErrorMessage());
        testEcho(client, hosts[i]);
        /* A TCP client has no unix credentials: none are made up. */
        g_assert_cmpint(virNetClientCall(client, VIRNET_TEST_PROGRAM,
                                         VIRNET_TEST_PROTOCOL_VERSION,
                                         VIRNET_TEST_PROC_IDENTITY,
                                         (xdrproc_t) xdr_testNone, NULL,
                                         (xdrproc_t) xdr_virnet_test_identity_ret,
                                         &id), ==, 0);
        g_assert_cmpuint(id.uid, ==, (uid_t) -1);
        g_assert_cmpint(id.pid, ==, 0);
        virNetClientClose(client);
        virNetClientUnref(client);
    }
    g_assert_true(virTestWaitFor(testNoClients, ts->srv, TIMEOUT_MS));
    testServerFree(ts);
}

static void
testConnectRefusedPort(void)
{
    g_autoptr(virNetTLSContext) ctx = testClientContext("client", true, true);
    g_autofree char *port = testFreePort();
    g_autofree char *want = g_strdup_printf("cannot connect to host '127.0.0.1' port '%s': Connection refused",
                                            port);

    virResetLastError();
    g_assert_null(virNetClientNewTLS("127.0.0.1", port, ctx));
    virTestAssertError(VIR_ERR_NO_CONNECT);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, want);
}

/* listen_addr unset: every address, IPv4 and IPv6 (two sockets); a port
 * in use is an error naming the address and port. */
static void
testListenEvery(void)
{
    g_autoptr(virNetTLSContext) sctx = testServerContext("server", NULL, true);
    g_autoptr(virNetTLSContext) ctx = testClientContext("client", true, true);
    g_autofree char *port = testFreePort();
    g_autofree char *want = NULL;
    virNetServerConfig cfg;
    virNetServer *srv;
    virNetServer *other;
    const char *hosts[] = { "127.0.0.1", "::1" };

    virNetServerConfigDefaults(&cfg);
    srv = testServerProgram(&cfg);
    g_assert_cmpint(virNetServerAddTCPSocket(srv, NULL, port, sctx), ==, 0);
    g_assert_cmpint(virNetServerStart(srv), ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++)
        testEchoOver(hosts[i], port, ctx, hosts[i]);

    other = virNetServerNew(&cfg);
    virResetLastError();
    g_assert_cmpint(virNetServerAddTCPSocket(other, "127.0.0.1", port, sctx), ==, -1);
    want = g_strdup_printf("cannot listen on 127.0.0.1 port %s: Address already in use",
                           port);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, want);
    virResetLastError();
    g_assert_cmpint(virNetServerAddTCPSocket(other, "no-such-host.invalid", port,
                                             sctx), ==, -1);
    g_test_message("%s", virGetLastErrorMessage());
    g_assert_true(g_str_has_prefix(virGetLastErrorMessage(),
                                   "cannot listen on no-such-host.invalid port "));
    virNetServerFree(other);
    virNetServerFree(srv);
}

/* A TCP socket bound and listening already (systemd's socket activation)
 * serves as one the server made; a unix socket is refused. */
static void
testListenFD(void)
{
    g_autoptr(virNetTLSContext) sctx = testServerContext("server", NULL, true);
    g_autoptr(virNetTLSContext) ctx = testClientContext("client", true, true);
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    g_autofree char *port = NULL;
    virNetServerConfig cfg;
    virNetServer *srv;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int ufd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ufd, >=, 0);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *) &sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(fd, 16), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *) &sin, &len), ==, 0);
    port = g_strdup_printf("%d", ntohs(sin.sin_port));

    virNetServerConfigDefaults(&cfg);
    srv = testServerProgram(&cfg);
    virResetLastError();
    g_assert_cmpint(virNetServerAddTCPSocketFD(srv, ufd, sctx), ==, -1);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "is not a listening TCP socket"));
    close(ufd);
    g_assert_cmpint(virNetServerAddTCPSocketFD(srv, fd, sctx), ==, 0);
    g_assert_cmpint(virNetServerStart(srv), ==, 0);
    testEchoOver("127.0.0.1", port, ctx, "socket activation");
    virNetServerFree(srv);
}

typedef struct {
    const char *name;
    const char *serverSet;
    const char *clientSet;
    const char *host;
    bool sanity;            /* the client checks its own files */
    bool noVerify;          /* no_verify=1 */
    const char *clientError;    /* NULL: accepted */
    const char *serverLog;      /* NULL: not checked */
} PeerCase;

#define SERVER_REFUSED "server verification (of our certificate or IP address) failed"

static const PeerCase peerCases[] = {
    { "accepted", "server", "client", "127.0.0.1", true, false, NULL, NULL },
    /* The server checks what the client's own checks would have caught
     * (no_sanity=1 on the client, as an old or careless one). */
    { "client-wrong-ca", "server", "client-wrongca", "127.0.0.1", false, false,
      SERVER_REFUSED,
      "(O=libvirt-bp tests,CN=client) is not signed by a trusted CA (CA file '%s/server/cacert.pem')" },
    { "client-expired", "server", "client-expired", "127.0.0.1", false, false,
      SERVER_REFUSED, "(O=libvirt-bp tests,CN=client) expired on 2020-01-01 00:00:00 UTC" },
    { "client-not-yet-active", "server", "client-future", "127.0.0.1", false, false,
      SERVER_REFUSED, "(O=libvirt-bp tests,CN=client) is not active until 2035-01-01 00:00:00 UTC" },
    { "client-not-on-list", "server", "client-intruder", "127.0.0.1", true, false,
      SERVER_REFUSED,
      "Distinguished Name 'O=libvirt-bp tests,CN=intruder' is not on tls_allowed_dn_list" },
    { "client-revoked", "server", "client-revoked", "127.0.0.1", true, false,
      SERVER_REFUSED, "(O=libvirt-bp tests,CN=revoked) has been revoked" },
    /* The client's own checks of the server. */
    { "server-wrong-ca", "server", "client-otherca", "127.0.0.1", false, false,
      "the server certificate of '127.0.0.1:%p' (O=libvirt-bp tests,CN=localhost) is not signed by a trusted CA (CA file '%s/client-otherca/cacert.pem')",
      NULL },
    { "server-other-host", "server-otherhost", "client", "127.0.0.1", true, false,
      "the server certificate of '127.0.0.1:%p' (O=libvirt-bp tests,CN=other.example) does not match host name '127.0.0.1'",
      NULL },
    { "server-other-host-no-verify", "server-otherhost", "client", "127.0.0.1",
      true, true, NULL, NULL },
    { "server-other-host-by-name", "server-otherhost", "client", "localhost",
      true, false, "does not match host name 'localhost'", NULL },
    { "server-expired", "server-expired", "client", "127.0.0.1", true, false,
      "the server certificate of '127.0.0.1:%p' (O=libvirt-bp tests,CN=localhost) expired on 2020-01-01 00:00:00 UTC",
      NULL },
};

static char *
testExpand(const char *fmt, const char *port)
{
    g_autoptr(GString) s = g_string_new(fmt);

    g_string_replace(s, "%s", certs, 0);
    g_string_replace(s, "%p", port, 0);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static void
testPeer(const void *data)
{
    const PeerCase *c = data;
    const char *dnList[] = { "O=libvirt-bp tests,CN=cl*", "O=libvirt-bp tests,CN=revoked", NULL };
    testServer *ts;
    g_autoptr(virNetTLSContext) ctx = NULL;

    /* The expired server certificate cannot pass its own checks: that
     * server runs with tls_no_sanity_certificate. */
    ts = testServerNew(c->serverSet, dnList,
                       strcmp(c->serverSet, "server-expired") != 0,
                       HANDSHAKE_TIMEOUT_S);
    ctx = testClientContext(c->clientSet, c->sanity, !c->noVerify);
    testLogClear();
    virResetLastError();
    if (!c->clientError) {
        testEchoOver(c->host, ts->port, ctx, c->name);
    } else {
        g_autofree char *want = testExpand(c->clientError, ts->port);

        g_assert_null(virNetClientNewTLS(c->host, ts->port, ctx));
        virTestAssertError(VIR_ERR_AUTH_FAILED);
        g_test_message("%s: the client says: %s", c->name, virGetLastErrorMessage());
        if (!strstr(virGetLastErrorMessage(), want))
            g_error("%s: expected '%s', got '%s'", c->name, want,
                    virGetLastErrorMessage());
    }
    if (c->serverLog) {
        g_autofree char *want = testExpand(c->serverLog, ts->port);
        testAssertLogged(want);
        testAssertLogged("refusing TLS client '127.0.0.1;");
    }
    /* A refused client is closed, not kept. */
    g_assert_true(virTestWaitFor(testNoClients, ts->srv, TIMEOUT_MS));
    testServerFree(ts);
}

/* A raw TCP connection to the server's port. */
static int
testRawConnect(const char *port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(atoi(port));
    g_assert_cmpint(connect(fd, (struct sockaddr *) &sin, sizeof(sin)), ==, 0);
    return fd;
}

/* Whether the server closed @fd (or sent on it) by now. */
static bool
testClosed(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    return poll(&pfd, 1, 0) != 0;
}

/* Wait for the server to close @fd: returns the milliseconds it took,
 * or fails the test after @ms. */
static gint64
testWaitClosed(int fd, int ms)
{
    gint64 start = g_get_monotonic_time();
    char buf[256];

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        if (poll(&pfd, 1, ms) <= 0)
            g_error("the server did not close the connection within %d ms", ms);
        n = read(fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            break;
        g_assert_cmpint(n, >, 0);   /* a TLS alert: read on to the end */
    }
    return (g_get_monotonic_time() - start) / 1000;
}

static void
testGarbage(void)
{
    testServer *ts = testServerNew("server", NULL, true, HANDSHAKE_TIMEOUT_S);
    g_autoptr(virNetTLSContext) ctx = testClientContext("client", true, true);
    const char http[] = "GET / HTTP/1.0\r\n\r\n";
    int fd;

    testLogClear();
    fd = testRawConnect(ts->port);
    g_assert_cmpint(write(fd, http, sizeof(http) - 1), ==, sizeof(http) - 1);
    testWaitClosed(fd, TIMEOUT_MS);
    close(fd);
    testAssertLogged("refusing TLS client '127.0.0.1;");
    testAssertLogged("TLS handshake with '127.0.0.1;");
    /* The server goes on serving. */
    testEchoOver("127.0.0.1", ts->port, ctx, "after garbage");
    testServerFree(ts);
}

/* A client that starts a handshake and stalls holds up nobody, and is
 * dropped after the handshake timeout (2 s here). */
static void
testStall(void)
{
    testServer *ts = testServerNew("server", NULL, true, 2);
    g_autoptr(virNetTLSContext) ctx = testClientContext("client", true, true);
    /* A TLS handshake record header announcing 512 bytes that never come. */
    const unsigned char partial[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
    virNetClient *client;
    gint64 start;
    gint64 took;
    int fd;
    int silent;

    testLogClear();
    fd = testRawConnect(ts->port);
    silent = testRawConnect(ts->port);
    g_assert_cmpint(write(fd, partial, sizeof(partial)), ==, sizeof(partial));
    start = g_get_monotonic_time();
    client = virNetClientNewTLS("127.0.0.1", ts->port, ctx);
    if (!client)
        g_error("a client beside a stalled one: %s", virGetLastErrorMessage());
    testEcho(client, "beside a stalled handshake");
    took = (g_get_monotonic_time() - start) / 1000;
    g_test_message("a good client was served in %" G_GINT64_FORMAT " ms", took);
    /* Served while the stalled one still waits for its timeout: the
     * server did not wait for it to be dropped first. */
    g_assert_false(testClosed(fd));
    virNetClientClose(client);
    virNetClientUnref(client);

    took = testWaitClosed(fd, TIMEOUT_MS);
    g_test_message("the stalled client was dropped after %" G_GINT64_FORMAT " ms more", took);
    testWaitClosed(silent, TIMEOUT_MS);
    close(fd);
    close(silent);
    testAssertLogged("no message within 2 seconds (TLS handshake not complete)");
    testServerFree(ts);
}

int
main(int argc, char **argv)
{
    g_autofree char *script = NULL;
    int ret;

    virTestInit(&argc, &argv);
    testDir = virTestMakeDir("virnettlstest-XXXXXX");
    certs = g_build_filename(testDir, "pki", NULL);
    logPath = g_build_filename(testDir, "server.log", NULL);
    script = virTestSrcPath("tests", "tlscerts.sh", NULL);
    {
        const char *cmd[] = { "/bin/sh", script, certs, NULL };

        virTestRun(cmd, NULL);
    }
    /* The server's warnings (why it refused a client) go to a file the
     * cases read. */
    g_assert_true(g_file_set_contents(logPath, "", 0, NULL));
    g_setenv("LIBVIRT_DEBUG", "3", TRUE);
    g_setenv("LIBVIRT_LOG_FILE", logPath, TRUE);

    for (size_t i = 0; i < G_N_ELEMENTS(loadCases); i++) {
        g_autofree char *path = g_strdup_printf("/tls/load/%s", loadCases[i].name);

        g_test_add_data_func(path, &loadCases[i], testLoad);
    }
    g_test_add_func("/tls/connect/good", testConnectGood);
    g_test_add_func("/tls/connect/refused-port", testConnectRefusedPort);
    g_test_add_func("/tls/connect/listen-every-address", testListenEvery);
    g_test_add_func("/tls/connect/listen-fd", testListenFD);
    for (size_t i = 0; i < G_N_ELEMENTS(peerCases); i++) {
        g_autofree char *path = g_strdup_printf("/tls/peer/%s", peerCases[i].name);

        g_test_add_data_func(path, &peerCases[i], testPeer);
    }
    g_test_add_func("/tls/server/garbage", testGarbage);
    g_test_add_func("/tls/server/stall", testStall);
    ret = g_test_run();
    virTestCleanupDir(testDir);
    return ret;
}
