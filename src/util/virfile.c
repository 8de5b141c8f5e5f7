/*
 * virfile.c: files and processes: atomic writes, log tails, locks, pids.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virfile.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

int
virFileWriteAtomic(const char *path, const char *content, mode_t mode)
{
    g_autofree char *tmp = g_strdup_printf("%s.new", path);
    size_t len = strlen(content);
    size_t done = 0;
    int fd;

    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0) {
        virReportSystemError(errno, "cannot create '%s'", tmp);
        return -1;
    }
    while (done < len) {
        ssize_t n = write(fd, content + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            virReportSystemError(errno, "cannot write '%s'", tmp);
            goto error;
        }
        done += n;
    }
    if (fsync(fd) < 0) {
        virReportSystemError(errno, "cannot sync '%s'", tmp);
        goto error;
    }
    if (close(fd) < 0) {
        fd = -1;
        virReportSystemError(errno, "cannot close '%s'", tmp);
        goto error;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        virReportSystemError(errno, "cannot rename '%s' to '%s'", tmp, path);
        goto error;
    }
    return 0;

 error:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}

/* How much of a log's end is read to find its last lines: QEMU's last
 * words fit, a runaway log is not read whole. */
#define VIR_FILE_TAIL_MAX_BYTES (64 * 1024)

char *
virFileReadTailFrom(const char *path, off_t offset, size_t maxLines)
{
    g_autofree char *data = NULL;
    struct stat sb;
    size_t len = 0;
    const char *p;
    size_t lines = 0;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return NULL;
    if (fstat(fd, &sb) < 0) {
        close(fd);
        return NULL;
    }
    if (sb.st_size - offset > VIR_FILE_TAIL_MAX_BYTES)
        offset = sb.st_size - VIR_FILE_TAIL_MAX_BYTES;
    data = g_new0(char, VIR_FILE_TAIL_MAX_BYTES + 1);
    while (offset < sb.st_size && len < VIR_FILE_TAIL_MAX_BYTES) {
        ssize_t n = pread(fd, data + len, VIR_FILE_TAIL_MAX_BYTES - len,
                          offset + len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += n;
    }
    close(fd);
    data[len] = '\0';
    while (len > 0 && data[len - 1] == '\n')
        data[--len] = '\0';
    p = data + len;
    while (p > data) {
        if (p[-1] == '\n' && ++lines == maxLines)
            break;
        p--;
    }
    return g_strdup(p);
}

char *
virFileReadTail(const char *path, size_t maxLines)
{
    return virFileReadTailFrom(path, 0, maxLines);
}

int
virFileMakePath(const char *path, mode_t mode)
{
    if (g_mkdir_with_parents(path, mode) < 0) {
        virReportSystemError(errno, "cannot create directory '%s'", path);
        return -1;
    }
    return 0;
}

int
virFileLockExclusive(const char *path, const char *what)
{
    int fd;

    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        virReportSystemError(errno, "cannot open lock file '%s'", path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           "%s is already in use by another process (lock '%s' is held)",
                           what, path);
        } else {
            virReportSystemError(err, "cannot lock '%s'", path);
        }
        return -1;
    }
    return fd;
}

bool
virProcessIsAlive(pid_t pid)
{
    g_autofree char *statpath = NULL;
    g_autofree char *stat = NULL;
    const char *p;

    if (pid <= 0)
        return false;
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return false;
    /* A zombie (nobody reaped it yet) is as dead as it gets. */
    statpath = g_strdup_printf("/proc/%d/stat", (int) pid);
    if (!g_file_get_contents(statpath, &stat, NULL, NULL))
        return false;
    if (!(p = strrchr(stat, ')')))
        return true;
    return !(p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

int
virProcessGetStartTime(pid_t pid, unsigned long long *start)
{
    g_autofree char *statpath = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *stat = NULL;
    g_auto(GStrv) fields = NULL;
    guint64 value;
    const char *p;

    /* The command name in parentheses may hold anything, spaces and ')'
     * included: the fields to count start after its last ')'. */
    if (!g_file_get_contents(statpath, &stat, NULL, NULL) ||
        !(p = strrchr(stat, ')'))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "cannot read the start time of process %d", (int) pid);
        return -1;
    }
    /* After ')' come field 3 (state) onwards: the start time is field 22. */
    fields = g_strsplit(p + 1, " ", 22);
    if (g_strv_length(fields) < 21 ||
        !g_ascii_string_to_unsigned(fields[20], 10, 0, G_MAXUINT64, &value, NULL)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "cannot parse '%s'", statpath);
        return -1;
    }
    *start = value;
    return 0;
}

char *
virHostGetBootID(void)
{
    g_autofree char *id = NULL;

    if (!(id = virFileReadAll("/proc/sys/kernel/random/boot_id", 64)))
        return NULL;
    return g_strdup(g_strstrip(id));
}

static bool
virProcessWaitGone(pid_t pid, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeoutMs * 1000;

    while (virProcessIsAlive(pid)) {
        if (g_get_monotonic_time() > deadline)
            return false;
        g_usleep(5 * 1000);
    }
    return true;
}

int
virProcessKillWait(pid_t pid, bool force, int timeoutMs)
{
    if (!virProcessIsAlive(pid))
        return 0;
    VIR_DEBUG("killing pid %d (%s)", (int) pid, force ? "SIGKILL" : "SIGTERM");
    if (kill(pid, force ? SIGKILL : SIGTERM) < 0 && errno != ESRCH) {
        virReportSystemError(errno, "cannot kill process %d", (int) pid);
        return -1;
    }
    if (virProcessWaitGone(pid, timeoutMs))
        return 0;
    if (!force) {
        kill(pid, SIGKILL);
        if (virProcessWaitGone(pid, timeoutMs))
            return 0;
    }
    virReportError(VIR_ERR_OPERATION_FAILED,
                   "process %d did not exit after SIGKILL", (int) pid);
    return -1;
}

char *
virFileReadAll(const char *path, size_t maxlen)
{
    g_autoptr(GError) gerr = NULL;
    char *data = NULL;
    gsize len;

    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        virReportError(VIR_ERR_READ_FAILED, "cannot read '%s': %s",
                       path, gerr->message);
        return NULL;
    }
    if (len > maxlen) {
        g_free(data);
        virReportError(VIR_ERR_READ_FAILED, "file '%s' is too large (%zu bytes)",
                       path, (size_t) len);
        return NULL;
    }
    return data;
}

void
virFileUnlinkQuiet(const char *path)
{
    if (path && unlink(path) < 0 && errno != ENOENT)
        VIR_WARN("cannot remove '%s': %s", path, g_strerror(errno));
}

void
virFileAppend(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0 || write(fd, text, strlen(text)) < 0)
        VIR_WARN("cannot append to '%s': %s", path, g_strerror(errno));
    if (fd >= 0)
        close(fd);
}
