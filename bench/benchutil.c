/*
 * benchutil.c: what the benchmarks share (see benchutil.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"

gint64
benchNow(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (gint64) ts.tv_sec * G_GINT64_CONSTANT(1000000000) + ts.tv_nsec;
}

static int
benchCompareDouble(const void *a, const void *b)
{
    double x = *(const double *) a;
    double y = *(const double *) b;

    return (x > y) - (x < y);
}

double
benchMedian(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof(*v), benchCompareDouble);
    if (n % 2)
        return v[n / 2];
    return (v[n / 2 - 1] + v[n / 2]) / 2;
}

double
benchPercentile(const double *v, size_t n, int pct)
{
    size_t rank = (n * pct + 99) / 100;

    if (n == 0)
        return NAN;
    return v[rank > 0 ? rank - 1 : 0];
}

int
benchRun(const char *const *argv)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    g_autofree char *cmdline = g_strjoinv(" ", (char **) argv);
    int status = 0;

    if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                      NULL, NULL, &out, &errout, &status, &err)) {
        g_printerr("%s: cannot run '%s': %s\n", g_get_prgname(), cmdline,
                   err->message);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_printerr("%s: '%s' failed: %s%s\n", g_get_prgname(), cmdline,
                   out ? out : "", errout ? errout : "");
        return -1;
    }
    return 0;
}

static int
benchSyncFile(const char *path)
{
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) < 0) {
        g_printerr("%s: cannot sync '%s': %s\n", g_get_prgname(), path,
                   g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int
benchMakeChain(const char *base, const char *top, unsigned int sizeMiB)
{
    g_autofree char *size = g_strdup_printf("%uM", sizeMiB);
    g_autofree char *write = g_strdup_printf("write -q -P 0x5a 0 %uM", sizeMiB);
    const char *create[] = { QEMU_IMG_PATH, "create", "-q", "-f", "raw",
                             base, size, NULL };
    const char *fill[] = { "qemu-io", "-f", "raw", "-c", write, base, NULL };
    const char *overlay[] = { QEMU_IMG_PATH, "create", "-q", "-f", "qcow2",
                              "-b", base, "-F", "raw", top, NULL };

    if (benchRun(create) < 0 || benchRun(fill) < 0 || benchRun(overlay) < 0)
        return -1;
    if (benchSyncFile(base) < 0 || benchSyncFile(top) < 0)
        return -1;
    return 0;
}

static int
benchRemoveEntry(const char *path, const struct stat *sb G_GNUC_UNUSED,
                 int type G_GNUC_UNUSED, struct FTW *ftw G_GNUC_UNUSED)
{
    if (remove(path) < 0 && errno != ENOENT)
        g_printerr("%s: cannot remove '%s': %s\n", g_get_prgname(), path,
                   g_strerror(errno));
    return 0;
}

void
benchRemoveTree(const char *path)
{
    nftw(path, benchRemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}
