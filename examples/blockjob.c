/*
 * blockjob.c: a client written the way OpenStack Nova drives a block pull
 * through libvirt's block job API, using only the public header: no event
 * loop, only polling. On a three-image chain (base.raw <- mid.qcow2 <-
 * top.qcow2) it rebases the disk onto the base (virDomainBlockRebase),
 * polls virDomainGetBlockJobInfo every half second until cur == end or no
 * job is left, and checks that the middle image left the chain and was
 * given back; then it starts a whole pull, slowed down, and takes the abort
 * path (virDomainBlockJobAbort), checking that the chain is unchanged.
 *
 * Build: cc -Werror=implicit-function-declaration blockjob.c \
 *            $(pkg-config --cflags --libs libvirt)
 * Run (as root): ./blockjob [WORKDIR]
 * Exits 0 only if every check held.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#define POLL_MS 500
#define GIVE_UP_POLLS 240           /* two minutes */

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
    fprintf(stderr, "blockjob: %s: %s\n", what, virGetLastErrorMessage());
    return -1;
}

static void
sleepMs(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/*
 * Nova's loop: ask for the job every half second; done when the job is
 * gone (0) or has copied everything (cur == end). Then, unlike Nova, wait
 * until the job is really gone, so that what follows sees its end: the
 * old images are given back before the job disappears.
 */
static int
waitForJob(virDomainPtr dom, const char *disk)
{
    virDomainBlockJobInfo info;
    int polls = 0;
    int rc;

    for (;;) {
        if ((rc = virDomainGetBlockJobInfo(dom, disk, &info, 0)) < 0)
            return fail("block job info");
        if (rc == 0) {
            printf("job: none left\n");
            return 0;
        }
        if (info.type != VIR_DOMAIN_BLOCK_JOB_TYPE_PULL || info.end == 0 ||
            info.cur > info.end) {
            fprintf(stderr, "blockjob: bad job info: type %d, %llu/%llu\n",
                    info.type, info.cur, info.end);
            return -1;
        }
        printf("job: pull %llu of %llu bytes, limit %lu MiB/s\n",
               info.cur, info.end, info.bandwidth);
        fflush(stdout);
        if (info.cur == info.end)
            break;
        if (++polls > GIVE_UP_POLLS) {
            fprintf(stderr, "blockjob: the job did not end in time\n");
            return -1;
        }
        sleepMs(POLL_MS);
    }
    /* Copied: the job ends in a moment. */
    while ((rc = virDomainGetBlockJobInfo(dom, disk, &info, 0)) == 1) {
        if (++polls > GIVE_UP_POLLS) {
            fprintf(stderr, "blockjob: the copied job did not go away\n");
            return -1;
        }
        sleepMs(50);
    }
    if (rc < 0)
        return fail("block job info");
    printf("job: copied, and gone\n");
    return 0;
}

/* The backing file named in @image's header, as qemu-img shows it ("" for
 * none); -U: the running QEMU holds a lock on the image. */
static char *
backingFile(const char *image)
{
    char *cmd = strf("qemu-img info -U %s", image);
    char line[4096];
    char *found = strf("%s", "");
    FILE *fp;

    if (!(fp = popen(cmd, "r"))) {
        free(cmd);
        return found;
    }
    while (fgets(line, sizeof(line), fp)) {
        const char *key = "backing file: ";

        if (strncmp(line, key, strlen(key)) == 0) {
            free(found);
            found = strf("%s", line + strlen(key));
            found[strcspn(found, "\n")] = '\0';
        }
    }
    pclose(fp);
    free(cmd);
    return found;
}

static int
xmlMentions(virDomainPtr dom, const char *needle)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    int found;

    if (!xml)
        return -1;
    found = strstr(xml, needle) != NULL;
    free(xml);
    return found;
}

static int
ownedBy(const char *path, uid_t uid)
{
    struct stat sb;

    return stat(path, &sb) == 0 && sb.st_uid == uid;
}

/* Rebase onto the base, the way Nova deletes a snapshot in the middle of a
 * chain, and check the result. */
static int
rebaseOntoBase(virDomainPtr dom, const char *base, const char *mid,
               const char *top, uid_t owner)
{
    char *backing;
    int ok;

    /* 16 MiB/s: a few polls' worth for the 8 MiB in the middle image. */
    if (virDomainBlockRebase(dom, "vda", base, 16, 0) < 0)
        return fail("rebase");
    printf("rebase of vda onto %s started\n", base);
    if (waitForJob(dom, "vda") < 0)
        return -1;

    backing = backingFile(top);
    printf("top image's backing file: %s\n", backing);
    ok = strcmp(backing, base) == 0;
    free(backing);
    if (!ok) {
        fprintf(stderr, "blockjob: the top image does not name the base\n");
        return -1;
    }
    if (xmlMentions(dom, mid) != 0 || xmlMentions(dom, base) != 1) {
        fprintf(stderr, "blockjob: the live XML is not top -> base\n");
        return -1;
    }
    if (!ownedBy(mid, owner)) {
        fprintf(stderr, "blockjob: the middle image is not given back\n");
        return -1;
    }
    printf("after the rebase: %s left the chain and is given back\n", mid);
    return 0;
}

/* Start a whole pull, slowed down, and abort it: nothing changes. */
static int
abortPath(virDomainPtr dom, const char *base, const char *top)
{
    virDomainBlockJobInfo info;
    char *backing;
    int rc;
    int ok;

    /* libvirt's whole pull: a NULL base. 1 MiB/s: far from done when the
     * abort comes. */
    if (virDomainBlockRebase(dom, "vda", NULL, 1, 0) < 0)
        return fail("pull");
    sleepMs(POLL_MS);
    if ((rc = virDomainGetBlockJobInfo(dom, "vda", &info, 0)) != 1) {
        fprintf(stderr, "blockjob: no job while pulling (%d)\n", rc);
        return -1;
    }
    printf("job: pull %llu of %llu bytes, limit %lu MiB/s\n",
           info.cur, info.end, info.bandwidth);
    if (info.bandwidth != 1) {
        fprintf(stderr, "blockjob: the limit is not 1 MiB/s\n");
        return -1;
    }
    /* Synchronous: when it returns, the job is over. */
    if (virDomainBlockJobAbort(dom, "vda", 0) < 0)
        return fail("abort");
    if ((rc = virDomainGetBlockJobInfo(dom, "vda", &info, 0)) != 0) {
        fprintf(stderr, "blockjob: a job is left after the abort (%d)\n", rc);
        return -1;
    }
    printf("abort: no job left\n");
    backing = backingFile(top);
    ok = strcmp(backing, base) == 0;
    free(backing);
    if (!ok || xmlMentions(dom, base) != 1) {
        fprintf(stderr, "blockjob: the aborted pull changed the chain\n");
        return -1;
    }
    printf("after the abort: the chain is still top -> base\n");
    return 0;
}

int
main(int argc, char **argv)
{
    char dir[] = "/tmp/blockjob-XXXXXX";
    const char *work = argc > 1 ? argv[1] : mkdtemp(dir);
    char *cmd, *base, *mid, *top, *flat, *uri, *xml;
    virConnectPtr conn = NULL;
    virDomainPtr dom = NULL;
    struct stat sb;
    int ok = 0;

    if (!work)
        return 1;
    /* QEMU runs as an unprivileged user: it must reach the images. */
    chmod(work, 0755);
    base = strf("%s/base.raw", work);
    mid = strf("%s/mid.qcow2", work);
    top = strf("%s/top.qcow2", work);
    flat = strf("%s/flat.raw", work);

    /* Data at every level, and what the guest sees, flattened. */
    cmd = strf("qemu-img create -q -f raw %s 64M && "
               "qemu-io -f raw -c 'write -q -P 0x11 0 32M' %s && "
               "qemu-img create -q -f qcow2 -b %s -F raw %s && "
               "qemu-io -f qcow2 -c 'write -q -P 0x22 8M 8M' %s && "
               "qemu-img create -q -f qcow2 -b %s -F qcow2 %s && "
               "qemu-io -f qcow2 -c 'write -q -P 0x33 0 1M' %s && "
               "qemu-img convert -O raw %s %s && "
               "chmod 0600 %s %s %s",
               base, base, base, mid, mid, mid, top, top, top, flat,
               base, mid, top);
    if (run(cmd) < 0 || stat(mid, &sb) < 0)
        return 1;
    free(cmd);

    uri = strf("qemu:///embed?root=%s/root", work);
    if (!(conn = virConnectOpen(uri))) {
        fail("open");
        return 1;
    }
    xml = strf("<domain type='qemu'>\n"
               "  <name>job-example</name>\n"
               "  <memory unit='MiB'>64</memory>\n"
               "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
               "  <devices>\n"
               "    <disk type='file' device='disk'>\n"
               "      <driver name='qemu' type='qcow2'/>\n"
               "      <source file='%s'/>\n"
               "      <target dev='vda' bus='virtio'/>\n"
               "    </disk>\n"
               "  </devices>\n"
               "</domain>\n", top);
    if (!(dom = virDomainCreateXML(conn, xml, 0))) {
        fail("start");
        goto cleanup;
    }
    printf("domain '%s' is running on %s -> %s -> %s\n",
           virDomainGetName(dom), top, mid, base);

    if (rebaseOntoBase(dom, base, mid, top, sb.st_uid) < 0 ||
        abortPath(dom, base, top) < 0)
        goto cleanup;

    /* QEMU writes its caches out when it stops: then compare what the
     * guest sees with what it saw before. */
    if (virDomainDestroy(dom) < 0) {
        fail("destroy");
        goto cleanup;
    }
    cmd = strf("qemu-img compare -q %s %s", top, flat);
    if (run(cmd) < 0) {
        fprintf(stderr, "blockjob: the guest's data changed\n");
        free(cmd);
        goto cleanup;
    }
    free(cmd);
    printf("the guest sees the same data as before\n");
    ok = 1;

 cleanup:
    /* Never leave a VM behind, whatever failed. */
    if (dom && virDomainIsActive(dom) == 1)
        virDomainDestroy(dom);
    if (dom)
        virDomainFree(dom);
    virConnectClose(conn);
    if (ok && argc <= 1) {
        cmd = strf("rm -rf %s", work);
        run(cmd);
        free(cmd);
    } else if (!ok) {
        fprintf(stderr, "blockjob: the images and logs are kept in %s\n", work);
    }
    free(xml);
    free(uri);
    free(flat);
    free(top);
    free(mid);
    free(base);
    printf("%s\n", ok ? "block job example: all checks passed" :
           "block job example: FAILED");
    return ok ? 0 : 1;
}
