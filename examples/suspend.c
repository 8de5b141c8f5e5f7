/*
 * suspend.c: pause a running domain's virtual CPUs and let them run again,
 * checking its state before and after each step, and printing the
 * lifecycle events the library sends for them.
 *
 * Build: cc suspend.c $(pkg-config --cflags --libs libvirt)
 * Run:   ./suspend URI DOMAIN
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static int eventsSeen;
static int timedOut;

static int
lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
          void *opaque)
{
    static const char *const names[] = {
        "defined", "undefined", "started", "suspended", "resumed",
        "stopped", "shut down", "pm-suspended", "crashed",
    };

    (void) conn;
    (void) opaque;
    printf("event: domain '%s' %s (detail %d)\n", virDomainGetName(dom),
           event >= 0 && event < (int) (sizeof(names) / sizeof(names[0])) ?
           names[event] : "?", detail);
    eventsSeen++;
    return 0;
}

static void
timeout(int timer, void *opaque)
{
    (void) timer;
    (void) opaque;
    timedOut = 1;
}

/* Run the event loop until one more event came (or 30 s passed). */
static int
waitEvent(void)
{
    int want = eventsSeen + 1;
    int timer;

    timedOut = 0;
    if ((timer = virEventAddTimeout(30 * 1000, timeout, NULL, NULL)) < 0)
        return -1;
    while (eventsSeen < want && !timedOut) {
        if (virEventRunDefaultImpl() < 0)
            break;
    }
    virEventRemoveTimeout(timer);
    return eventsSeen >= want ? 0 : -1;
}

/* Is @dom in @want? Says what it is. */
static int
checkState(virDomainPtr dom, int want, const char *wantName)
{
    int state, reason;

    if (virDomainGetState(dom, &state, &reason, 0) < 0)
        return -1;
    printf("state: %s (reason %d)\n", state == VIR_DOMAIN_RUNNING ? "running" :
           state == VIR_DOMAIN_PAUSED ? "paused" : "neither running nor paused",
           reason);
    if (state != want) {
        fprintf(stderr, "suspend: domain '%s' should be %s\n",
                virDomainGetName(dom), wantName);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    virConnectPtr conn = NULL;
    virDomainPtr dom = NULL;
    int cb = -1;
    int ret = EXIT_FAILURE;

    if (argc != 3) {
        fprintf(stderr, "usage: suspend URI DOMAIN\n");
        return EXIT_FAILURE;
    }
    /* Before the connection: events are delivered by this loop. */
    if (virEventRegisterDefaultImpl() < 0 ||
        !(conn = virConnectOpen(argv[1])) ||
        !(dom = virDomainLookupByName(conn, argv[2])) ||
        (cb = virConnectDomainEventRegisterAny(conn, dom,
                                               VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(lifecycle),
                                               NULL, NULL)) < 0)
        goto error;

    if (checkState(dom, VIR_DOMAIN_RUNNING, "running") < 0)
        goto cleanup;
    if (virDomainSuspend(dom) < 0)
        goto error;
    printf("Domain '%s' suspended\n", virDomainGetName(dom));
    if (waitEvent() < 0) {
        fprintf(stderr, "suspend: no event for the suspend\n");
        goto cleanup;
    }
    if (checkState(dom, VIR_DOMAIN_PAUSED, "paused") < 0)
        goto cleanup;

    if (virDomainResume(dom) < 0)
        goto error;
    printf("Domain '%s' resumed\n", virDomainGetName(dom));
    if (waitEvent() < 0) {
        fprintf(stderr, "suspend: no event for the resume\n");
        goto cleanup;
    }
    if (checkState(dom, VIR_DOMAIN_RUNNING, "running") < 0)
        goto cleanup;
    ret = EXIT_SUCCESS;
    goto cleanup;

 error:
    fprintf(stderr, "suspend: %s\n", virGetLastErrorMessage());
 cleanup:
    if (cb >= 0)
        virConnectDomainEventDeregisterAny(conn, cb);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    return ret;
}
