/*
 * libvirtdclient.c: a minimal client of libvirtd's socket for
 * tests/libvirtdtest.sh, on the rpc client alone (no remote driver):
 *
 *   libvirtdclient SOCKET count     open qemu:///system, print the number
 *                                   of running domains
 *   libvirtdclient SOCKET define F  open, define the domain XML in file F:
 *                                   print "defined" or the error
 *   libvirtdclient SOCKET hold      open, print "held", then stay
 *                                   connected until stdin ends (exit 0)
 *                                   or the daemon closes (print "closed",
 *                                   exit 3)
 *
 * An error prints "error: CODE: MESSAGE" (CODE as virErrorCodeName())
 * and exits 1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "remote/remote_protocol.h"
#include "rpc/virnetclient.h"
#include "util/virerror.h"

/* xdr_void's type is not xdrproc_t's: cast through a plain function. */
#define XDR_VOID ((xdrproc_t) (void (*)(void)) xdr_void)

static int
fail(void)
{
    virErrorPtr err = virGetLastError();

    printf("error: %s: %s\n", err ? virErrorCodeName(err->code) : "none",
           err ? err->message : "unknown error");
    return 1;
}

int
main(int argc, char **argv)
{
    remote_connect_open_args open = { 0 };
    char *name = (char *) "qemu:///system";
    virNetClient *client;
    int ret = 1;

    if (argc < 3) {
        fprintf(stderr, "usage: %s SOCKET count|define FILE|hold\n", argv[0]);
        return 2;
    }
    if (!(client = virNetClientNewUnix(argv[1])))
        return fail();
    open.name = &name;
    if (virNetClientCall(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                         REMOTE_PROC_CONNECT_OPEN,
                         (xdrproc_t) xdr_remote_connect_open_args, &open,
                         XDR_VOID, NULL) < 0) {
        ret = fail();
        goto cleanup;
    }

    if (strcmp(argv[2], "count") == 0) {
        remote_connect_num_of_domains_ret num = { 0 };

        if (virNetClientCall(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                             REMOTE_PROC_CONNECT_NUM_OF_DOMAINS,
                             XDR_VOID, NULL,
                             (xdrproc_t) xdr_remote_connect_num_of_domains_ret,
                             &num) < 0) {
            ret = fail();
            goto cleanup;
        }
        printf("%d\n", num.num);
        ret = 0;
    } else if (strcmp(argv[2], "define") == 0 && argc == 4) {
        remote_domain_define_xml_args args = { 0 };
        remote_domain_define_xml_ret def;
        g_autofree char *xml = NULL;

        memset(&def, 0, sizeof(def));
        if (!g_file_get_contents(argv[3], &xml, NULL, NULL)) {
            fprintf(stderr, "cannot read '%s'\n", argv[3]);
            goto cleanup;
        }
        args.xml = xml;
        if (virNetClientCall(client, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                             REMOTE_PROC_DOMAIN_DEFINE_XML,
                             (xdrproc_t) xdr_remote_domain_define_xml_args, &args,
                             (xdrproc_t) xdr_remote_domain_define_xml_ret, &def) < 0) {
            ret = fail();
            goto cleanup;
        }
        xdr_free((xdrproc_t) xdr_remote_domain_define_xml_ret, (char *) &def);
        printf("defined\n");
        ret = 0;
    } else if (strcmp(argv[2], "hold") == 0) {
        printf("held\n");
        fflush(stdout);
        for (;;) {
            struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
            char buf[64];

            if (!virNetClientIsOpen(client)) {
                printf("closed\n");
                ret = 3;
                break;
            }
            if (poll(&pfd, 1, 100) > 0 && read(STDIN_FILENO, buf, sizeof(buf)) <= 0) {
                ret = 0;
                break;
            }
        }
    } else {
        fprintf(stderr, "unknown command '%s'\n", argv[2]);
        ret = 2;
    }

 cleanup:
    virNetClientClose(client);
    virNetClientUnref(client);
    return ret;
}
