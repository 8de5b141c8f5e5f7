/*
 * qemu_blockjob_api.c: libvirt's block job API on the pull engine. These
 * calls only translate (a base given as a path or "vda[N]", bandwidths in
 * MiB/s or bytes/s, libvirt's flags and return values); the pull itself,
 * its end, the revocation and the events are qemu_blockjob.c's, shared
 * with the seed's calls, so that each API sees and stops the other's pull.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qemu_blockjob_api.h"
#include "datatypes.h"
#include "qemu_blockjob.h"
#include "qemu_driver.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

#define QEMU_MIB (1024ULL * 1024ULL)

/* @bandwidth in bytes/s: as given with the BYTES flag, else MiB/s
 * converted, refused (as libvirt does) when it does not fit in 63 bits. */
static int
qemuBlockJobApiBandwidth(unsigned long bandwidth, bool bytes,
                         unsigned long long *out)
{
    unsigned long long value = bandwidth;

    if (!bytes) {
        if (value > (unsigned long long) LLONG_MAX / QEMU_MIB) {
            virReportError(VIR_ERR_OVERFLOW, "bandwidth must be less than %llu MiB/s",
                           (unsigned long long) LLONG_MAX / QEMU_MIB + 1);
            return -1;
        }
        value *= QEMU_MIB;
    } else if (value > (unsigned long long) LLONG_MAX) {
        virReportError(VIR_ERR_OVERFLOW, "bandwidth must be less than %llu bytes/s",
                       (unsigned long long) LLONG_MAX + 1);
        return -1;
    }
    *out = value;
    return 0;
}

/*
 * The image of @disk's chain (below the top) that @base names: its path,
 * or "TARGET[N]" with N its index in the live XML, as libvirt accepts.
 */
static virStorageSource *
qemuBlockJobApiFindBase(virDomainObj *vm, virDomainDiskDef *disk,
                        const char *base)
{
    const char *bracket = strchr(base, '[');
    unsigned int index = 0;
    bool byIndex = false;

    if (bracket && base[0] != '/') {
        g_autofree char *target = g_strndup(base, bracket - base);
        const char *digits = bracket + 1;
        char *endp = NULL;
        unsigned long long n;

        if (!g_ascii_isdigit(*digits) ||
            (n = g_ascii_strtoull(digits, &endp, 10)) > G_MAXUINT ||
            g_strcmp0(endp, "]") != 0) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "invalid base image index '%s': expected a path or %s[N]",
                           base, disk->dst);
            return NULL;
        }
        if (strcmp(target, disk->dst) != 0) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "requested target '%s' does not match target '%s'",
                           target, disk->dst);
            return NULL;
        }
        index = n;
        byIndex = true;
    }
    for (virStorageSource *src = disk->src->backingStore;
         src && src->type == VIR_STORAGE_TYPE_FILE; src = src->backingStore) {
        if (byIndex ? virStorageSourceGetIndex(src) == index
                    : g_strcmp0(src->path, base) == 0)
            return src;
    }
    virReportError(VIR_ERR_INVALID_ARG,
                   "could not find image '%s' beneath disk '%s' of domain '%s'",
                   base, disk->dst, vm->def->name);
    return NULL;
}

/*
 * The name of @base relative to the directory of @top, as QEMU resolves a
 * relative backing name (the overlay's directory joined with it), checked
 * to lead to the very file @base is.
 */
static char *
qemuBlockJobApiRelativeName(const char *top, const char *base)
{
    g_autofree char *topDir = g_path_get_dirname(top);
    g_autofree char *canonDir = g_canonicalize_filename(topDir, NULL);
    g_autofree char *canonBase = g_canonicalize_filename(base, NULL);
    g_auto(GStrv) from = g_strsplit(canonDir, "/", -1);
    g_auto(GStrv) to = g_strsplit(canonBase, "/", -1);
    g_autoptr(GString) rel = g_string_new(NULL);
    g_autofree char *joined = NULL;
    struct stat a;
    struct stat b;
    size_t common = 0;

    while (from[common] && to[common] && to[common + 1] &&
           strcmp(from[common], to[common]) == 0)
        common++;
    for (size_t i = common; from[i]; i++) {
        if (*from[i])
            g_string_append(rel, "../");
    }
    for (size_t i = common; to[i]; i++) {
        if (!*to[i])
            continue;
        g_string_append(rel, to[i]);
        if (to[i + 1])
            g_string_append_c(rel, '/');
    }
    joined = g_build_filename(topDir, rel->str, NULL);
    if (rel->len == 0 || stat(joined, &a) < 0 || stat(base, &b) < 0 ||
        a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "can't keep relative backing relationship: no relative name from '%s' leads to '%s'",
                       top, base);
        return NULL;
    }
    return g_string_free(g_steal_pointer(&rel), FALSE);
}

int
qemuDomainBlockRebase(virDomainPtr dom, const char *path, const char *base,
                      unsigned long bandwidth, unsigned int flags)
{
    qemuDriver *driver = dom->conn->privateData;
    qemuBlockPullParams params = { 0 };
    g_autofree char *backingFile = NULL;
    virDomainDiskDef *disk;
    virDomainObj *vm;
    int ret = -1;

    /* The copy flags were refused before the driver was reached. */
    virCheckFlags(VIR_DOMAIN_BLOCK_REBASE_RELATIVE |
                  VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES, -1);

    if ((flags & VIR_DOMAIN_BLOCK_REBASE_RELATIVE) && !base) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       "flag VIR_DOMAIN_BLOCK_REBASE_RELATIVE is valid only with a base");
        return -1;
    }
    if (qemuBlockJobApiBandwidth(bandwidth,
                                 flags & VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES,
                                 &params.bandwidth) < 0)
        return -1;
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainObjBeginJob(vm, "virDomainBlockRebase") < 0)
        goto cleanup;
    if (!(disk = qemuBlockPullFindDisk(vm, path)))
        goto endjob;
    if (base) {
        if (!(params.base = qemuBlockJobApiFindBase(vm, disk, base)))
            goto endjob;
        if ((flags & VIR_DOMAIN_BLOCK_REBASE_RELATIVE) &&
            !(backingFile = qemuBlockJobApiRelativeName(disk->src->path,
                                                        params.base->path)))
            goto endjob;
        params.backingFile = backingFile;
    }
    ret = qemuBlockPullStart(driver, vm, disk, &params);

 endjob:
    qemuDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

/* Progress needs no job: it may run beside any other call, the pull's
 * own steps included. */
int
qemuDomainGetBlockJobInfo(virDomainPtr dom, const char *path,
                          virDomainBlockJobInfoPtr info, unsigned int flags)
{
    qemuDriver *driver = dom->conn->privateData;
    virDomainBlockPullInfo progress = { 0 };
    virDomainDiskDef *disk;
    qemuBlockJob *job;
    unsigned long long speed = 0;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES, -1);
    memset(info, 0, sizeof(*info));
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (!(disk = qemuBlockPullFindDisk(vm, path)) ||
        qemuBlockPullGetInfo(vm, path, &progress) < 0)
        goto cleanup;
    /* While a pull is active its end is above 0 (see the engine). */
    if (progress.end == 0) {
        ret = 0;
        goto cleanup;
    }
    /* The lock was dropped while QEMU was asked: look again. */
    if ((disk = virDomainDiskByName(vm->def, path)) &&
        (job = qemuBlockJobFind(vm, disk->dst)))
        speed = qemuBlockJobBackgroundSpeed(driver, job->bandwidth);
    if (!(flags & VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES))
        speed = (speed + QEMU_MIB - 1) / QEMU_MIB;
    info->bandwidth = speed;
    if (info->bandwidth != speed) {
        virReportError(VIR_ERR_OVERFLOW,
                       "bandwidth %llu cannot be represented in result", speed);
        memset(info, 0, sizeof(*info));
        goto cleanup;
    }
    info->type = VIR_DOMAIN_BLOCK_JOB_TYPE_PULL;
    info->cur = progress.cur;
    info->end = progress.end;
    ret = 1;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainBlockJobAbort(virDomainPtr dom, const char *path, unsigned int flags)
{
    qemuDriver *driver = dom->conn->privateData;
    virDomainDiskDef *disk;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC |
                  VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT, -1);
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainObjBeginJob(vm, "virDomainBlockJobAbort") < 0)
        goto cleanup;
    if (!(disk = qemuBlockPullFindDisk(vm, path)))
        goto endjob;
    if (!qemuBlockJobFind(vm, disk->dst)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "disk '%s' of domain '%s' does not have an active block job",
                       disk->dst, vm->def->name);
        goto endjob;
    }
    if (flags & VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) {
        /* libvirt's answer for a job that never becomes ready: a pull. */
        virReportError(VIR_ERR_BLOCK_COPY_ACTIVE,
                       "block job '%s' not ready for pivot yet: a pull never is (only a copy can pivot)",
                       disk->dst);
        goto endjob;
    }
    ret = qemuBlockPullCancel(driver, vm, disk->dst,
                              flags & VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC);

 endjob:
    qemuDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

int
qemuDomainBlockJobSetSpeed(virDomainPtr dom, const char *path,
                           unsigned long bandwidth, unsigned int flags)
{
    qemuDriver *driver = dom->conn->privateData;
    unsigned long long bytes;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, -1);
    if (qemuBlockJobApiBandwidth(bandwidth,
                                 flags & VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES,
                                 &bytes) < 0)
        return -1;
    if (!(vm = qemuDomObjFromDomain(dom)))
        return -1;
    if (qemuDomainObjBeginJob(vm, "virDomainBlockJobSetSpeed") == 0) {
        ret = qemuBlockPullSetSpeed(driver, vm, path, bytes);
        qemuDomainObjEndJob(vm);
    }
    virDomainObjEndAPI(&vm);
    return ret;
}
