/*
 * testutilstls.c: the suites' daemons over tls (see testutilsdaemonpriv.h):
 * certificates made by tests/tlscerts.sh (certtool) in the daemon's
 * directory, the daemon listening with them on a free port of
 * 127.0.0.1, and the URI qemu+tls://127.0.0.1:PORT/system?pkipath=...
 * of the good client's certificates.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "testutils.h"
#include "testutilsdaemonpriv.h"

typedef struct {
    int port;
} virTestTLS;

/* The Distinguished Name of the good client's certificate as GnuTLS
 * (and so the daemon) writes it. */
#define TEST_TLS_CLIENT_DN "O=libvirt-bp tests,CN=client"

void
virTestTLSPrepare(virTestDaemon *d, GString *conf)
{
    virTestTLS *t = g_new0(virTestTLS, 1);
    g_autofree char *pki = g_build_filename(d->dir, "pki", NULL);
    g_autofree char *script = virTestSrcPath("tests", "tlscerts.sh", NULL);
    g_autofree char *server = g_build_filename(pki, "server", NULL);
    g_autofree char *client = g_build_filename(pki, "client", NULL);
    g_autofree char *escaped = NULL;
    const char *argv[] = { "/bin/sh", script, pki, NULL };

    virTestRun(argv, NULL);
    t->port = virTestFreeTCPPort();
    g_string_append_printf(conf,
                           "# TLS on loopback (VIR_TEST_TRANSPORT=tls)\n"
                           "listen_tls = 1\n"
                           "listen_addr = \"127.0.0.1\"\n"
                           "tls_port = \"%d\"\n"
                           "ca_file = \"%s/cacert.pem\"\n"
                           "cert_file = \"%s/servercert.pem\"\n"
                           "key_file = \"%s/serverkey.pem\"\n"
                           "crl_file = \"%s/cacrl.pem\"\n"
                           "tls_allowed_dn_list = [\"" TEST_TLS_CLIENT_DN "\"]\n",
                           t->port, server, server, server, server);
    escaped = g_uri_escape_string(client, "/", FALSE);
    g_free(d->uri);
    d->uri = g_strdup_printf("qemu+tls://127.0.0.1:%d/system?pkipath=%s",
                             t->port, escaped);
    d->transport = t;
}

/* The TCP connections whose local end is @port in the kernel's table
 * @path in state ESTABLISHED (01) or CLOSE_WAIT (08: the peer closed, the
 * daemon has not yet); with @listening, whether a socket listens (0A). */
static guint
virTestTLSCountTable(const char *path, int port, bool listening)
{
    g_autofree char *table = NULL;
    g_auto(GStrv) lines = NULL;
    guint n = 0;

    /* No IPv6 on the host: no tcp6 table. */
    if (!g_file_get_contents(path, &table, NULL, NULL))
        return 0;
    lines = g_strsplit(table, "\n", 0);
    for (size_t i = 1; lines[i]; i++) {
        /* sl local_address rem_address st ... */
        g_auto(GStrv) f = g_strsplit_set(g_strstrip(lines[i]), " ", 0);
        g_autoptr(GPtrArray) cols = g_ptr_array_new();
        const char *colon;

        for (size_t j = 0; f[j]; j++) {
            if (*f[j])
                g_ptr_array_add(cols, f[j]);
        }
        if (cols->len < 4 ||
            !(colon = strrchr(g_ptr_array_index(cols, 1), ':')) ||
            g_ascii_strtoll(colon + 1, NULL, 16) != port)
            continue;
        if (listening ? strcmp(g_ptr_array_index(cols, 3), "0A") == 0
                      : (strcmp(g_ptr_array_index(cols, 3), "01") == 0 ||
                         strcmp(g_ptr_array_index(cols, 3), "08") == 0))
            n++;
    }
    return n;
}

guint
virTestTLSClients(virTestDaemon *d)
{
    virTestTLS *t = d->transport;

    return virTestTLSCountTable("/proc/net/tcp", t->port, false) +
        virTestTLSCountTable("/proc/net/tcp6", t->port, false);
}

bool
virTestTLSListening(virTestDaemon *d)
{
    virTestTLS *t = d->transport;

    return virTestTLSCountTable("/proc/net/tcp", t->port, true) > 0;
}
