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

typedef struct {
    const char *uri;
    bool readonly;
    int ret;                    /* 0, -1 (error), -2 (declined) */
    const char *socket;         /* when 0 */
    const char *name;           /* when 0 */
    int code;                   /* when -1 */
    const char *msgPart;        /* when -1: part of the message */
} UriCase;

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

    /* Ours, refused with a reason. */
    { "qemu+ssh://host/system", false, -1, NULL, NULL,
      VIR_ERR_OPERATION_UNSUPPORTED, "transport 'ssh'" },
    { "qemu+tls://host/system", false, -1, NULL, NULL,
      VIR_ERR_OPERATION_UNSUPPORTED, "transport 'tls'" },
    { "qemu://host/system", false, -1, NULL, NULL,
      VIR_ERR_OPERATION_UNSUPPORTED, "not supported yet" },
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
};

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
    return g_test_run();
}
