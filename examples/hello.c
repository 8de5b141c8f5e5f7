/*
 * hello.c: the first program a libvirt user writes: connect, tell what is
 * at the other end (driver, versions, host) and list the domains, the
 * running ones by id and the defined ones by name, with the calls that
 * have been in libvirt longest (virConnectNumOfDomains() and friends).
 *
 * Build: cc hello.c $(pkg-config --cflags --libs libvirt)
 * Run:   ./hello [URI]       (default: $LIBVIRT_DEFAULT_URI or qemu:///system)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#if !LIBVIR_CHECK_VERSION(0, 9, 0)
# error "this example needs a library with libvirt 0.9.0's API at least"
#endif

static void
printVersion(const char *what, const char *name, unsigned long v)
{
    printf("%s: %s %lu.%lu.%lu\n", what, name,
           v / 1000000, (v / 1000) % 1000, v % 1000);
}

/* The running domains, by id, and the defined ones that are not running. */
static int
listDomains(virConnectPtr conn)
{
    int *ids = NULL;
    char **names = NULL;
    int nids, nnames, i;
    int ret = -1;

    if ((nids = virConnectNumOfDomains(conn)) < 0)
        goto cleanup;
    ids = calloc(nids + 1, sizeof(*ids));
    if (!ids || (nids = virConnectListDomains(conn, ids, nids)) < 0)
        goto cleanup;
    printf("There are %d active domains\n", nids);
    for (i = 0; i < nids; i++) {
        virDomainPtr dom = virDomainLookupByID(conn, ids[i]);

        /* It may have stopped since it was listed. */
        if (!dom)
            continue;
        printf("  %4d  %s\n", ids[i], virDomainGetName(dom));
        virDomainFree(dom);
    }

    if ((nnames = virConnectNumOfDefinedDomains(conn)) < 0)
        goto cleanup;
    names = calloc(nnames + 1, sizeof(*names));
    if (!names || (nnames = virConnectListDefinedDomains(conn, names, nnames)) < 0)
        goto cleanup;
    printf("There are %d inactive domains\n", nnames);
    for (i = 0; i < nnames; i++) {
        printf("     -  %s\n", names[i]);
        free(names[i]);
    }
    ret = 0;

 cleanup:
    free(ids);
    free(names);
    return ret;
}

int
main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : NULL;
    virConnectPtr conn;
    unsigned long hvVer = 0, libVer = 0;
    const char *type;
    char *s;
    int ret = EXIT_FAILURE;

    printf("Connecting to %s\n", uri ? uri : "the default hypervisor");
    if (!(conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0))) {
        fprintf(stderr, "hello: cannot connect: %s\n", virGetLastErrorMessage());
        return EXIT_FAILURE;
    }
    if (!(s = virConnectGetURI(conn)))
        goto error;
    printf("Connected to \"%s\"\n", s);
    free(s);

    /* A static string: not freed. */
    if (!(type = virConnectGetType(conn)) ||
        virConnectGetVersion(conn, &hvVer) < 0 ||
        virConnectGetLibVersion(conn, &libVer) < 0)
        goto error;
    printVersion("Hypervisor", type, hvVer);
    printVersion("Library", "libvirt", libVer);
    if (!(s = virConnectGetHostname(conn)))
        goto error;
    printf("Host: %s\n", s);
    free(s);

    if (listDomains(conn) < 0)
        goto error;
    ret = EXIT_SUCCESS;
    goto done;

 error:
    fprintf(stderr, "hello: %s\n", virGetLastErrorMessage());
 done:
    if (virConnectClose(conn) != 0) {
        fprintf(stderr, "hello: references leaked on the connection\n");
        ret = EXIT_FAILURE;
    }
    printf("Disconnected\n");
    return ret;
}
