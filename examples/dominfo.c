/*
 * dominfo.c: what virDomainGetInfo() tells of a domain, on a read-only
 * connection (a monitoring tool needs no more).
 *
 * Build: cc dominfo.c $(pkg-config --cflags --libs libvirt)
 * Run:   ./dominfo URI DOMAIN     (DOMAIN: a name, or the id of a running one)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static const char *
stateName(int state)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING: return "running";
    case VIR_DOMAIN_BLOCKED: return "blocked";
    case VIR_DOMAIN_PAUSED: return "paused";
    case VIR_DOMAIN_SHUTDOWN: return "shutting down";
    case VIR_DOMAIN_SHUTOFF: return "shut off";
    case VIR_DOMAIN_CRASHED: return "crashed";
    case VIR_DOMAIN_PMSUSPENDED: return "suspended by guest power management";
    default: return "no state";
    }
}

int
main(int argc, char **argv)
{
    virConnectPtr conn;
    virDomainPtr dom;
    virDomainInfo info;
    char *end;
    long id;

    if (argc != 3) {
        fprintf(stderr, "usage: dominfo URI DOMAIN\n");
        return EXIT_FAILURE;
    }
    if (!(conn = virConnectOpenReadOnly(argv[1]))) {
        fprintf(stderr, "dominfo: cannot connect: %s\n", virGetLastErrorMessage());
        return EXIT_FAILURE;
    }
    id = strtol(argv[2], &end, 10);
    if (*argv[2] && !*end)
        dom = virDomainLookupByID(conn, (int) id);
    else
        dom = virDomainLookupByName(conn, argv[2]);
    if (!dom || virDomainGetInfo(dom, &info) < 0) {
        fprintf(stderr, "dominfo: %s\n", virGetLastErrorMessage());
        if (dom)
            virDomainFree(dom);
        virConnectClose(conn);
        return EXIT_FAILURE;
    }

    printf("Domain:     %s\n", virDomainGetName(dom));
    if (virDomainIsActive(dom) == 1)
        printf("Id:         %u\n", virDomainGetID(dom));
    else
        printf("Id:         -\n");
    printf("State:      %s\n", stateName(info.state));
    printf("Max memory: %lu KiB\n", info.maxMem);
    printf("Memory:     %lu KiB\n", info.memory);
    printf("vCPUs:      %u\n", (unsigned int) info.nrVirtCpu);
    /* Nanoseconds of host CPU time, of QEMU's process. */
    printf("CPU time:   %.1f s\n", info.cpuTime / 1e9);

    virDomainFree(dom);
    virConnectClose(conn);
    return EXIT_SUCCESS;
}
