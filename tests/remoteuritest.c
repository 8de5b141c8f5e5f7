/*
 * remoteuritest.c: the URIs the remote driver claims, declines and
 * refuses, the socket each one reaches and the URI it sends the daemon.
 * Needs no daemon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "remote/remote_uri.h"
#include "util/virerror.h"
#include "testutilsvirt.h"

#define DIR "/run/lbp"
/* The user's runtime directory for the session cases: set before GLib
 * reads (and caches) it. */
#define RUNTIME "/run/user/4242"

/* What a qemu+ssh:// URI parses into, beside socket and name. */
typedef struct {
    const char *host;
    int port;
    const char *user;
    const char *keyfile;
    const char *knownHosts;
    const char *command;
    const char *netcat;
    bool noVerify;
    bool noTTY;
    remoteProxy proxy;
    bool session;
} SSHExpect;

typedef struct {
    const char *uri;
    bool readonly;
    int ret;                    /* 0, -1 (error), -2 (declined) */
    const char *socket;         /* when 0 */
    const char *name;           /* when 0 (for ssh also virt-ssh-helper's URI) */
    int code;                   /* when -1 */
    const char *msgPart;        /* when -1: part of the message */
    const SSHExpect *ssh;       /* when 0: a qemu+ssh:// URI */
} UriCase;

#define SSH(...) (&(const SSHExpect) { __VA_ARGS__ })
#define SOCK DIR "/libvirt-sock"

static const UriCase cases[] = {
    /* The two forms of the issue, read-write and read-only. */
    { "qemu:///system", false, 0, DIR "/libvirt-sock", "qemu:///system", 0, NULL },
    { "qemu:///system", true, 0, DIR "/libvirt-sock-ro", "qemu:///system", 0, NULL },
    { "qemu+unix:///system?socket=/tmp/x/sock", false, 0, "/tmp/x/sock",
      "qemu:///system", 0, NULL },
    /* As libvirt: a socket given is used as is, read-only or not. */
    { "qemu+unix:///system?socket=/tmp/x/sock", true, 0, "/tmp/x/sock",
      "qemu:///system", 0, NULL },
    /* GUri lowercases the scheme. */
    { "QEMU+UNIX:///system?socket=/tmp/x/sock", false, 0, "/tmp/x/sock",
      "qemu:///system", 0, NULL },
    { "qemu+UNIX:///system?socket=/tmp/a%20b", false, 0, "/tmp/a b",
      "qemu:///system", 0, NULL },
    { "qemu+unix:///system", false, 0, DIR "/libvirt-sock", "qemu:///system", 0, NULL },
    /* name= replaces the URI sent; unknown parameters go to the daemon;
     * the client's own are taken out, case-insensitively. */
    { "qemu:///system?name=qemu:///embed", false, 0, DIR "/libvirt-sock",
      "qemu:///embed", 0, NULL },
    { "qemu:///system?foo=bar&SOCKET=/s&mode=legacy&no_tty=1&keyfile=k", false, 0,
      "/s", "qemu:///system?foo=bar", 0, NULL },
    { "qemu:///system?a=1;b=2", false, 0, DIR "/libvirt-sock",
      "qemu:///system?a=1&b=2", 0, NULL },
    { "test+unix:///default?socket=/s", false, 0, "/s", "test:///default", 0, NULL },
    { "qemu+unix:///session?socket=/s", false, 0, "/s", "qemu:///session", 0, NULL },

    /* Not ours: the local drivers', other hypervisors', embed. */
    { "test:///default", false, -2, NULL, NULL, 0, NULL },
    { "xen:///system", false, -2, NULL, NULL, 0, NULL },
    { "qemu:///embed?root=/x", false, -2, NULL, NULL, 0, NULL },
    { "qemu:///other", false, -2, NULL, NULL, 0, NULL },

    /* qemu+ssh://: the host, port and user of the URI, libvirt's
     * parameters; the socket is the one nc would connect to on the far
     * side (the default: the same path as here), the name is the URI
     * virt-ssh-helper and the daemon get. */
    { "qemu+ssh://host/system", false, 0, SOCK, "qemu:///system", 0, NULL,
      SSH(.host = "host", .proxy = REMOTE_PROXY_AUTO) },
    { "qemu+ssh://host/system", true, 0, SOCK "-ro", "qemu:///system", 0, NULL,
      SSH(.host = "host", .proxy = REMOTE_PROXY_AUTO) },
    { "qemu+ssh://root@10.0.0.2:2222/system", false, 0, SOCK, "qemu:///system",
      0, NULL, SSH(.host = "10.0.0.2", .port = 2222, .user = "root") },
    { "qemu+ssh://[::1]:22/system", false, 0, SOCK, "qemu:///system", 0, NULL,
      SSH(.host = "::1", .port = 22) },
    /* No host: this one, over ssh all the same (libvirt's). */
    { "qemu+ssh:///system", false, 0, SOCK, "qemu:///system", 0, NULL,
      SSH(.host = "localhost") },
    { "QEMU+SSH://h/system?keyfile=/k%20ey&known_hosts=/kh&no_verify=1&no_tty=1&command=/usr/bin/ssh",
      false, 0, SOCK, "qemu:///system", 0, NULL,
      SSH(.host = "h", .keyfile = "/k ey", .knownHosts = "/kh",
          .command = "/usr/bin/ssh", .noVerify = true, .noTTY = true) },
    { "qemu+ssh://h/system?no_verify=0&no_tty=0", false, 0, SOCK,
      "qemu:///system", 0, NULL, SSH(.host = "h") },
    /* The daemon's own parameters go on to it (and to the helper). */
    { "qemu+ssh://h/system?foo=bar&keyfile=/k", false, 0, SOCK,
      "qemu:///system?foo=bar", 0, NULL, SSH(.host = "h", .keyfile = "/k") },
    /* socket= and netcat= ask for nc; proxy= says which, explicitly. */
    { "qemu+ssh://h/system?socket=/s", false, 0, "/s", "qemu:///system", 0, NULL,
      SSH(.host = "h", .proxy = REMOTE_PROXY_NETCAT) },
    { "qemu+ssh://h/system?netcat=/bin/nc", false, 0, SOCK, "qemu:///system",
      0, NULL, SSH(.host = "h", .netcat = "/bin/nc", .proxy = REMOTE_PROXY_NETCAT) },
    { "qemu+ssh://h/system?proxy=auto&netcat=nc2", false, 0, SOCK,
      "qemu:///system", 0, NULL,
      SSH(.host = "h", .netcat = "nc2", .proxy = REMOTE_PROXY_NETCAT) },
    { "qemu+ssh://h/system?proxy=netcat", true, 0, SOCK "-ro", "qemu:///system",
      0, NULL, SSH(.host = "h", .proxy = REMOTE_PROXY_NETCAT) },
    { "qemu+ssh://h/system?proxy=native", false, 0, NULL, "qemu:///system",
      0, NULL, SSH(.host = "h", .proxy = REMOTE_PROXY_NATIVE) },
    { "qemu+ssh://h/system?proxy=auto&socket=/s", false, 0, "/s",
      "qemu:///system", 0, NULL, SSH(.host = "h", .proxy = REMOTE_PROXY_AUTO) },
    /* /session: only virt-ssh-helper knows the far user's socket. */
    { "qemu+ssh://u@h/session", false, 0, NULL, "qemu:///session", 0, NULL,
      SSH(.host = "h", .user = "u", .proxy = REMOTE_PROXY_NATIVE, .session = true) },
    { "qemu+ssh://h/session?socket=/run/user/1/s", false, 0, "/run/user/1/s",
      "qemu:///session", 0, NULL,
      SSH(.host = "h", .proxy = REMOTE_PROXY_NETCAT, .session = true) },
    { "qemu+ssh://h/system?name=qemu:///embed", false, 0, SOCK, "qemu:///embed",
      0, NULL, SSH(.host = "h") },

    /* Ours, refused with a reason. */
    { "qemu+ssh://h/system?proxy=Native", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "unknown proxy 'Native'" },
    { "qemu+ssh://h/system?proxy=", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "unknown proxy ''" },
    { "qemu+ssh://h/system?proxy=native&netcat=nc", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'netcat' is not valid with proxy=native" },
    { "qemu+ssh://h/system?proxy=native&socket=/s", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'socket' is not valid with proxy=native" },
    { "qemu+ssh://h/session?proxy=netcat", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "give socket=PATH or use proxy=native" },
    { "qemu+ssh://h/system?keyfile=", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'keyfile' needs a value" },
    { "qemu+ssh://h/system?known_hosts=", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'known_hosts' needs a value" },
    { "qemu+ssh://h/system?command=", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'command' needs a value" },
    { "qemu+ssh://h/system?netcat", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'netcat' needs a value" },
    { "qemu+ssh://h/system?no_tty=true", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'no_tty' takes an integer" },
    { "qemu+ssh://h/system?no_verify=", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'no_verify' takes an integer" },
    { "qemu+ssh://h/system?socket=", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'socket'" },
    { "qemu+ssh://h/system?keyfile=/a%00b", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "escaped" },
    { "qemu+ssh://h/system?mode=direct", false, -1, NULL, NULL,
      VIR_ERR_OPERATION_UNSUPPORTED, "mode=direct" },
    { "qemu+libssh2://h/system", false, -1, NULL, NULL,
      VIR_ERR_OPERATION_UNSUPPORTED, "transport 'libssh2'" },
    { "qemu+bogus:///system", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "transport 'bogus'" },
    { "qemu+unix://host/system", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "host 'host'" },
    { "qemu:///system?socket=", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'socket'" },
    { "qemu:///system?socket=/a%00b", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "escaped" },
    { "qemu:///system?mode=direct", false, -1, NULL, NULL,
      VIR_ERR_OPERATION_UNSUPPORTED, "mode=direct" },
    { "qemu:///system?mode=fast", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'fast'" },
    { "qemu:///system?no_verify=yes", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'no_verify'" },
    { "qemu+tls://h/system?no_verify=yes", false, -1, NULL, NULL,
      VIR_ERR_INVALID_ARG, "'no_verify'" },
};

/* qemu+tls:// and a host without transport: what the TLS transport gets. */
typedef struct {
    const char *uri;
    const char *host;
    int port;
    bool noVerify;
    const char *pkipath;
    const char *priority;
    const char *name;
    bool noSanity;
} TLSCase;

static const TLSCase tlsCases[] = {
    { "qemu+tls://host.example/system", "host.example", 0, false, NULL, NULL,
      "qemu:///system" },
    /* libvirt's default transport for a host is TLS. */
    { "qemu://host.example/system", "host.example", 0, false, NULL, NULL,
      "qemu:///system" },
    { "qemu+tls://127.0.0.1:16999/system?pkipath=/etc/my%20pki", "127.0.0.1",
      16999, false, "/etc/my pki", NULL, "qemu:///system" },
    { "qemu+tls://[::1]:17000/system?no_verify=1", "::1", 17000, true, NULL,
      NULL, "qemu:///system" },
    { "qemu+tls://h/system?no_verify=0&tls_priority=NORMAL:-VERS-TLS1.3&x=1",
      "h", 0, false, NULL, "NORMAL:-VERS-TLS1.3", "qemu:///system?x=1" },
    /* No host: libvirt's client dials localhost. */
    { "qemu+tls:///system", "localhost", 0, false, NULL, NULL, "qemu:///system" },
    { "qemu+TLS://h/session", "h", 0, false, NULL, NULL, "qemu:///session" },
    { "qemu+tls://h/system?no_sanity=1&pkipath=", "h", 0, false, NULL, NULL,
      "qemu:///system", true },
};

static void
testUriTLS(const void *data)
{
    const TLSCase *c = data;
    g_autoptr(GUri) uri = NULL;
    g_autoptr(remoteURI) ruri = NULL;

    uri = g_uri_parse(c->uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, NULL);
    g_assert_nonnull(uri);
    virResetLastError();
    g_assert_cmpint(remoteURIParse(uri, false, DIR, &ruri), ==, 0);
    g_assert_false(virErrorIsSet());
    g_assert_cmpint(ruri->kind, ==, REMOTE_TRANSPORT_TLS);
    g_assert_cmpstr(ruri->transport, ==, "tls");
    g_assert_cmpstr(ruri->host, ==, c->host);
    g_assert_cmpint(ruri->port, ==, c->port);
    g_assert_cmpint(ruri->noVerify, ==, c->noVerify);
    g_assert_cmpstr(ruri->pkipath, ==, c->pkipath);
    g_assert_cmpstr(ruri->tlsPriority, ==, c->priority);
    g_assert_cmpstr(ruri->name, ==, c->name);
    g_assert_cmpint(ruri->noSanity, ==, c->noSanity);
    g_assert_null(ruri->socket);
}

static void
testUri(const void *data)
{
    const UriCase *c = data;
    g_autoptr(GUri) uri = NULL;
    g_autoptr(remoteURI) ruri = NULL;
    int ret;

    uri = g_uri_parse(c->uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, NULL);
    g_assert_nonnull(uri);
    virResetLastError();
    ret = remoteURIParse(uri, c->readonly, DIR, &ruri);
    g_assert_cmpint(ret, ==, c->ret);
    switch (ret) {
    case 0:
        g_assert_nonnull(ruri);
        g_assert_cmpstr(ruri->socket, ==, c->socket);
        g_assert_cmpstr(ruri->name, ==, c->name);
        g_assert_false(virErrorIsSet());
        if (c->ssh) {
            g_assert_cmpint(ruri->kind, ==, REMOTE_TRANSPORT_SSH);
            g_assert_cmpstr(ruri->transport, ==, "ssh");
            g_assert_cmpstr(ruri->host, ==, c->ssh->host);
            g_assert_cmpint(ruri->port, ==, c->ssh->port);
            g_assert_cmpstr(ruri->user, ==, c->ssh->user);
            g_assert_cmpstr(ruri->keyfile, ==, c->ssh->keyfile);
            g_assert_cmpstr(ruri->knownHosts, ==, c->ssh->knownHosts);
            g_assert_cmpstr(ruri->command, ==, c->ssh->command);
            g_assert_cmpstr(ruri->netcat, ==, c->ssh->netcat);
            g_assert_cmpint(ruri->noVerify, ==, c->ssh->noVerify);
            g_assert_cmpint(ruri->noTTY, ==, c->ssh->noTTY);
            g_assert_cmpint(ruri->proxy, ==, c->ssh->proxy);
            g_assert_cmpint(ruri->session, ==, c->ssh->session);
            g_assert_false(ruri->autostart);
            g_assert_cmpstr(ruri->helperURI, ==, c->name);
        } else {
            g_assert_cmpint(ruri->kind, ==, REMOTE_TRANSPORT_UNIX);
            g_assert_null(ruri->host);
        }
        break;
    case -2:
        g_assert_null(ruri);
        g_assert_false(virErrorIsSet());
        break;
    default:
        g_assert_null(ruri);
        virTestAssertError(c->code);
        g_test_message("%s: %s", c->uri, virGetLastErrorMessage());
        g_assert_nonnull(strstr(virGetLastErrorMessage(), c->msgPart));
        break;
    }
}

/* The user's session daemon: one socket in the runtime directory, for
 * read-only opens too, started on demand unless socket= names one. */
typedef struct {
    const char *uri;
    bool readonly;
    const char *socket;
    const char *name;
    bool autostart;
} SessionCase;

static const SessionCase sessionCases[] = {
    { "qemu:///session", false, RUNTIME "/libvirt-bp/libvirt-sock",
      "qemu:///session", true },
    { "qemu:///session", true, RUNTIME "/libvirt-bp/libvirt-sock",
      "qemu:///session", true },
    { "qemu+unix:///session", false, RUNTIME "/libvirt-bp/libvirt-sock",
      "qemu:///session", true },
    { "qemu:///session?foo=bar", false, RUNTIME "/libvirt-bp/libvirt-sock",
      "qemu:///session?foo=bar", true },
    /* Somebody else's daemon: used as is, never started. */
    { "qemu+unix:///session?socket=/s", false, "/s", "qemu:///session", false },
    { "qemu:///session?socket=/s", true, "/s", "qemu:///session", false },
};

static void
testSession(const void *data)
{
    const SessionCase *c = data;
    g_autoptr(GUri) uri = NULL;
    g_autoptr(remoteURI) ruri = NULL;

    uri = g_uri_parse(c->uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, NULL);
    g_assert_nonnull(uri);
    virResetLastError();
    g_assert_cmpint(remoteURIParse(uri, c->readonly, DIR, &ruri), ==, 0);
    g_assert_false(virErrorIsSet());
    g_assert_cmpint(ruri->kind, ==, REMOTE_TRANSPORT_UNIX);
    g_assert_true(ruri->session);
    g_assert_cmpstr(ruri->socket, ==, c->socket);
    g_assert_cmpstr(ruri->name, ==, c->name);
    g_assert_cmpint(ruri->autostart, ==, c->autostart);
}

/* qemu:///system is never the session's, nor started on demand. */
static void
testSystemNoAutostart(void)
{
    g_autoptr(GUri) uri = g_uri_parse("qemu:///system", G_URI_FLAGS_NONE, NULL);
    g_autoptr(remoteURI) ruri = NULL;

    g_assert_cmpint(remoteURIParse(uri, false, DIR, &ruri), ==, 0);
    g_assert_false(ruri->session);
    g_assert_false(ruri->autostart);
}

int
main(int argc, char **argv)
{
    g_setenv("XDG_RUNTIME_DIR", RUNTIME, TRUE);
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(sessionCases); i++) {
        g_autofree char *path = g_strdup_printf("/remote/uri/session/%zu%s", i,
                                                sessionCases[i].readonly ? "-ro" : "");
        g_test_add_data_func(path, &sessionCases[i], testSession);
    }
    g_test_add_func("/remote/uri/system-no-autostart", testSystemNoAutostart);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/remote/uri/%zu%s", i,
                                                cases[i].readonly ? "-ro" : "");
        g_test_add_data_func(path, &cases[i], testUri);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(tlsCases); i++) {
        g_autofree char *path = g_strdup_printf("/remote/uri/tls/%zu", i);

        g_test_add_data_func(path, &tlsCases[i], testUriTLS);
    }
    return g_test_run();
}
