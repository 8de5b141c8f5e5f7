/*
 * blockpull.c: a block pull through the public API only: make a raw base
 * image with data and a thin qcow2 overlay on it, start a transient VM on
 * the overlay in an embedded QEMU driver, pull the base's data into the
 * overlay in the background while showing the progress from a timer of the
 * event loop, wait for the block pull event, and check that the VM no
 * longer uses the base: the live XML has no backing chain, the base has its
 * owner back, and qemu-img sees a standalone overlay.
 *
 * Build: cc blockpull.c $(pkg-config --cflags --libs libvirt)
 * Run (as root): ./blockpull [WORKDIR]
 * Exits 0 only if every check held.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

/* Pulls are fast (tens of MiB in a blink): cap the rate so that there is
 * some progress to watch. 16 MiB/s makes the 64 MiB disk take ~4 s. */
#define PULL_BANDWIDTH (16 * 1024 * 1024)
#define PROGRESS_MS 250
#define GIVE_UP_MS (120 * 1000)

typedef struct {
    virDomainPtr dom;
    int status;                 /* -1 until the event came */
    char *path;                 /* the event's path */
    int events;
    unsigned long long lastCur;
    int broken;                 /* a progress invariant did not hold */
    int timedOut;
} PullState;

/* A new string, printf-style; exits if out of memory. */
static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *
strf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(s = malloc(n + 1)))
        exit(1);
    va_start(ap, fmt);
    vsnprintf(s, n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int
run(const char *cmd)
{
    printf("$ %s\n", cmd);
    fflush(stdout);
    return system(cmd) == 0 ? 0 : -1;
}

static int
fail(const char *what)
{
    fprintf(stderr, "blockpull: %s: %s\n", what, virGetLastErrorMessage());
    return 1;
}

static const char *
statusName(int status)
{
    switch (status) {
    case VIR_DOMAIN_BLOCK_PULL_COMPLETED: return "completed";
    case VIR_DOMAIN_BLOCK_PULL_FAILED: return "failed";
    case VIR_DOMAIN_BLOCK_PULL_CANCELED: return "canceled";
    }
    return "unknown";
}

/* Called from virEventRunDefaultImpl() when the pull has ended. */
static void
pullDone(virConnectPtr conn, virDomainPtr dom, const char *path, int status,
         void *opaque)
{
    PullState *st = opaque;

    (void) conn;
    printf("event: block pull of '%s' in domain '%s': %s\n",
           path, virDomainGetName(dom), statusName(status));
    st->events++;
    st->status = status;
    free(st->path);
    st->path = strdup(path);
}

/* Called every PROGRESS_MS from the event loop: one query, no waiting. */
static void
showProgress(int timer, void *opaque)
{
    PullState *st = opaque;
    virDomainBlockPullInfo info;

    (void) timer;
    if (st->status >= 0)
        return;
    if (virDomainGetBlockPullInfo(st->dom, "vda", &info, 0) < 0) {
        fprintf(stderr, "blockpull: progress: %s\n", virGetLastErrorMessage());
        st->broken = 1;
        return;
    }
    if (info.end == 0) {
        /* No pull active any more: it just ended, the event is on its way. */
        printf("progress: no active pull (ended; waiting for the event)\n");
        return;
    }
    if (info.cur > info.end || info.cur < st->lastCur) {
        fprintf(stderr, "blockpull: bad progress %llu/%llu after %llu\n",
                info.cur, info.end, st->lastCur);
        st->broken = 1;
    }
    st->lastCur = info.cur;
    printf("progress: %llu of %llu bytes (%d %%)\n", info.cur, info.end,
           (int) (info.cur * 100.0 / info.end));
    fflush(stdout);
}

static void
setFlag(int timer, void *opaque)
{
    (void) timer;
    *(int *) opaque = 1;
}

/* Run the event loop for @ms milliseconds: deliver what is queued. */
static int
runLoopFor(int ms)
{
    int over = 0;
    int timer = virEventAddTimeout(ms, setFlag, &over, NULL);

    if (timer < 0)
        return -1;
    while (!over) {
        if (virEventRunDefaultImpl() < 0)
            return -1;
    }
    return virEventRemoveTimeout(timer);
}

/* Print the <disk> elements of the domain's live XML; returns whether they
 * mention @needle. */
static int
showDisks(virDomainPtr dom, const char *needle, int *found)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    const char *p;

    if (!xml)
        return -1;
    *found = strstr(xml, needle) != NULL;
    for (p = xml; (p = strstr(p, "<disk ")); ) {
        const char *end = strstr(p, "</disk>");

        if (!end)
            break;
        end += strlen("</disk>");
        while (p > xml && p[-1] == ' ')
            p--;
        printf("%.*s\n", (int) (end - p), p);
        p = end;
    }
    free(xml);
    return 0;
}

/* Does "qemu-img info -U" show a backing file for @image? -U: the running
 * QEMU holds a lock on the image. */
static int
hasBackingFile(const char *image)
{
    char cmd[4096], line[4096];
    FILE *fp;
    int found = 0;

    snprintf(cmd, sizeof(cmd), "qemu-img info -U %s", image);
    printf("$ %s\n", cmd);
    fflush(stdout);
    if (!(fp = popen(cmd, "r")))
        return -1;
    while (fgets(line, sizeof(line), fp)) {
        fputs(line, stdout);
        if (strncmp(line, "backing file", strlen("backing file")) == 0)
            found = 1;
    }
    if (pclose(fp) != 0)
        return -1;
    return found;
}

int
main(int argc, char **argv)
{
    char dir[] = "/tmp/blockpull-XXXXXX";
    const char *work = argc > 1 ? argv[1] : mkdtemp(dir);
    char *cmd, *ls, *etc, *conf, *base, *overlay, *uri, *xml;
    PullState st = { .status = -1 };
    virConnectPtr conn = NULL;
    virDomainPtr dom = NULL;
    virDomainBlockPullInfo info;
    struct stat sb;
    uid_t baseOwner;
    int cbid = -1, progressTimer = -1, giveUpTimer = -1;
    int mentioned;
    int ok = 0;
    FILE *fp;

    if (!work)
        return 1;
    /* QEMU runs as an unprivileged user: it must reach the images. */
    chmod(work, 0755);
    base = strf("%s/base.raw", work);
    overlay = strf("%s/overlay.qcow2", work);
    ls = strf("ls -l %s %s", base, overlay);

    /* A 64 MiB raw base with 32 MiB of data, and a thin qcow2 overlay that
     * records its backing format. Only their owner may read them: QEMU can
     * open them only while they are labelled for it. */
    cmd = strf("qemu-img create -q -f raw %s 64M && "
               "qemu-io -f raw -c 'write -q -P 0x5a 0 32M' %s && "
               "qemu-img create -q -f qcow2 -b %s -F raw %s && "
               "chmod 0600 %s %s",
               base, base, base, overlay, base, overlay);
    if (run(cmd) < 0 || stat(base, &sb) < 0)
        return 1;
    free(cmd);
    baseOwner = sb.st_uid;

    /* The embedded driver's settings: a bandwidth cap for the pull. */
    etc = strf("%s/root/etc", work);
    conf = strf("%s/qemu.conf", etc);
    cmd = strf("mkdir -p %s", etc);
    if (run(cmd) < 0 || !(fp = fopen(conf, "w")))
        return 1;
    free(cmd);
    fprintf(fp, "block_pull_max_bandwidth = %d\n", PULL_BANDWIDTH);
    fclose(fp);

    /* Events are delivered from the application's event loop: register it
     * before anything else. */
    if (virEventRegisterDefaultImpl() < 0)
        return fail("event loop");
    uri = strf("qemu:///embed?root=%s/root", work);
    if (!(conn = virConnectOpen(uri)))
        return fail("open");
    cbid = virConnectDomainEventRegisterAny(conn, NULL,
                                            VIR_DOMAIN_EVENT_ID_BLOCK_PULL,
                                            VIR_DOMAIN_EVENT_CALLBACK(pullDone),
                                            &st, NULL);
    if (cbid < 0)
        return fail("register the block pull callback");

    xml = strf("<domain type='qemu'>\n"
               "  <name>pull-example</name>\n"
               "  <memory unit='MiB'>64</memory>\n"
               "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
               "  <devices>\n"
               "    <disk type='file' device='disk'>\n"
               "      <driver name='qemu' type='qcow2'/>\n"
               "      <source file='%s'/>\n"
               "      <target dev='vda' bus='virtio'/>\n"
               "    </disk>\n"
               "  </devices>\n"
               "</domain>\n", overlay);
    if (!(dom = virDomainCreateXML(conn, xml, 0)))
        return fail("start");
    st.dom = dom;
    printf("domain '%s' is running; its disk:\n", virDomainGetName(dom));
    if (showDisks(dom, base, &mentioned) < 0) {
        fail("dumpxml");
        goto cleanup;
    }
    run(ls);

    if (virDomainBlockPullAll(dom, "vda", 0) < 0) {
        fail("start the block pull");
        goto cleanup;
    }
    printf("block pull of vda started\n");
    progressTimer = virEventAddTimeout(PROGRESS_MS, showProgress, &st, NULL);
    giveUpTimer = virEventAddTimeout(GIVE_UP_MS, setFlag, &st.timedOut, NULL);
    if (progressTimer < 0 || giveUpTimer < 0) {
        fail("add timers");
        goto cleanup;
    }
    showProgress(progressTimer, &st);

    /* Wait for the event: the callback runs from inside this loop. */
    while (st.status < 0 && !st.timedOut) {
        if (virEventRunDefaultImpl() < 0) {
            fail("run the event loop");
            goto cleanup;
        }
    }
    if (st.timedOut) {
        fprintf(stderr, "blockpull: no block pull event within %d s\n",
                GIVE_UP_MS / 1000);
        virDomainBlockPullAbort(dom, "vda", 0);
        goto cleanup;
    }
    if (st.status != VIR_DOMAIN_BLOCK_PULL_COMPLETED) {
        fprintf(stderr, "blockpull: the pull did not complete: %s "
                "(QEMU's reason is in %s/root/log/qemu/pull-example.log)\n",
                statusName(st.status), work);
        goto cleanup;
    }
    if (st.broken)
        goto cleanup;
    if (!st.path || strcmp(st.path, overlay) != 0) {
        fprintf(stderr, "blockpull: the event names '%s', not '%s'\n",
                st.path ? st.path : "", overlay);
        goto cleanup;
    }

    /* COMPLETED comes after the access was revoked: the base already has
     * its owner back, and the live XML shows no backing chain. */
    run(ls);
    if (stat(base, &sb) < 0 || sb.st_uid != baseOwner) {
        fprintf(stderr, "blockpull: the base image is not given back\n");
        goto cleanup;
    }
    printf("after the pull, the disk:\n");
    if (showDisks(dom, base, &mentioned) < 0) {
        fail("dumpxml");
        goto cleanup;
    }
    if (mentioned) {
        fprintf(stderr, "blockpull: the live XML still names the base image\n");
        goto cleanup;
    }
    if (hasBackingFile(overlay) != 0) {
        fprintf(stderr, "blockpull: the overlay still has a backing file\n");
        goto cleanup;
    }
    if (virDomainGetBlockPullInfo(dom, "vda", &info, 0) < 0) {
        fail("pull info");
        goto cleanup;
    }
    if (info.cur != 0 || info.end != 0) {
        fprintf(stderr, "blockpull: a pull is still reported: %llu/%llu\n",
                info.cur, info.end);
        goto cleanup;
    }

    if (virDomainDestroy(dom) < 0) {
        fail("destroy");
        goto cleanup;
    }
    printf("domain destroyed\n");
    /* Let the loop deliver whatever the stop queued: nothing for a pull
     * that has ended, there is exactly one event per pull. */
    if (runLoopFor(200) < 0) {
        fail("run the event loop");
        goto cleanup;
    }
    if (st.events != 1) {
        fprintf(stderr, "blockpull: %d block pull events, expected 1\n",
                st.events);
        goto cleanup;
    }
    ok = 1;

 cleanup:
    if (progressTimer > 0)
        virEventRemoveTimeout(progressTimer);
    if (giveUpTimer > 0)
        virEventRemoveTimeout(giveUpTimer);
    /* Never leave a VM behind, whatever failed. */
    if (virDomainIsActive(dom) == 1)
        virDomainDestroy(dom);
    virConnectDomainEventDeregisterAny(conn, cbid);
    virDomainFree(dom);
    virConnectClose(conn);
    if (ok && argc <= 1) {
        cmd = strf("rm -rf %s", work);
        run(cmd);
        free(cmd);
    } else if (!ok) {
        fprintf(stderr, "blockpull: the images and logs are kept in %s\n", work);
    }
    free(st.path);
    free(xml);
    free(uri);
    free(conf);
    free(etc);
    free(ls);
    free(overlay);
    free(base);
    printf("%s\n", ok ? "block pull example: all checks passed" :
           "block pull example: FAILED");
    return ok ? 0 : 1;
}
