/*
 * openauth.c: open a connection with credentials of the program's own,
 * supplied by a callback (here from the environment, VIRT_USER and
 * VIRT_PASS) instead of asked on the terminal, keep watch of the
 * connection as long-running clients do (a close callback, keepalive where
 * the connection has it), and count the domains.
 *
 * The drivers of this library ask for no credentials on a local URI
 * (qemu:///embed, test:///default): there the callback is never called,
 * which the program says.
 *
 * Build: cc openauth.c $(pkg-config --cflags --libs libvirt)
 * Run:   VIRT_USER=admin VIRT_PASS=secret ./openauth URI
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* What the callback was asked, for the summary. */
static unsigned int credentialsAsked;

/* Answer each credential from the environment; anything else fails the
 * open (returning -1 cancels it). */
static int
answer(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    (void) cbdata;
    for (unsigned int i = 0; i < ncred; i++) {
        const char *value = NULL;

        credentialsAsked++;
        if (cred[i].type == VIR_CRED_AUTHNAME)
            value = getenv("VIRT_USER");
        else if (cred[i].type == VIR_CRED_PASSPHRASE)
            value = getenv("VIRT_PASS");
        if (!value) {
            fprintf(stderr, "openauth: cannot answer '%s'\n",
                    cred[i].prompt ? cred[i].prompt : "?");
            return -1;
        }
        /* The library frees it with free(). */
        if (!(cred[i].result = strdup(value)))
            return -1;
        cred[i].resultlen = strlen(value);
    }
    return 0;
}

static int credTypes[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE };

static virConnectAuth auth = {
    .credtype = credTypes,
    .ncredtype = sizeof(credTypes) / sizeof(credTypes[0]),
    .cb = answer,
    .cbdata = NULL,
};

static void
closed(virConnectPtr conn, int reason, void *opaque)
{
    (void) conn;
    (void) opaque;
    fprintf(stderr, "openauth: connection closed (reason %d)\n", reason);
}

int
main(int argc, char **argv)
{
    virConnectPtr conn;
    int running, defined, rc;

    if (argc != 2) {
        fprintf(stderr, "usage: openauth URI\n");
        return EXIT_FAILURE;
    }
    if (!(conn = virConnectOpenAuth(argv[1], &auth, 0))) {
        fprintf(stderr, "openauth: cannot connect: %s\n", virGetLastErrorMessage());
        return EXIT_FAILURE;
    }
    if (virConnectRegisterCloseCallback(conn, closed, NULL, NULL) < 0) {
        fprintf(stderr, "openauth: %s\n", virGetLastErrorMessage());
        virConnectClose(conn);
        return EXIT_FAILURE;
    }
    /* -1 with VIR_ERR_NO_SUPPORT on a connection without keepalive (a
     * local one), 1 if the peer does not speak it: neither is fatal. */
    rc = virConnectSetKeepAlive(conn, 5, 3);
    if (rc < 0 && virGetLastErrorCode() != VIR_ERR_NO_SUPPORT) {
        fprintf(stderr, "openauth: %s\n", virGetLastErrorMessage());
        return EXIT_FAILURE;
    }
    printf("Keepalive: %s\n", rc == 0 ? "on" : "not available on this connection");

    if ((running = virConnectNumOfDomains(conn)) < 0 ||
        (defined = virConnectNumOfDefinedDomains(conn)) < 0) {
        fprintf(stderr, "openauth: %s\n", virGetLastErrorMessage());
        return EXIT_FAILURE;
    }
    printf("Number of running domains: %d\n", running);
    printf("Number of defined domains: %d\n", defined);
    printf("Credentials asked for: %u\n", credentialsAsked);

    virConnectUnregisterCloseCallback(conn, closed);
    if (virConnectClose(conn) != 0) {
        fprintf(stderr, "openauth: references leaked on the connection\n");
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
