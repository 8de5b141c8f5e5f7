/*
 * virfile.c: files and processes: atomic writes, log tails, locks, pids,
 * and who may change the files we trust.
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

char *
virFileReadAllFd(int fd, const char *path, size_t maxlen, size_t *len)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    guint8 chunk[8192];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            virReportSystemError(errno, "cannot read '%s'", path);
            return NULL;
        }
        if (n == 0)
            break;
        if (buf->len + (size_t) n > maxlen) {
            virReportError(VIR_ERR_READ_FAILED,
                           "file '%s' is too large (more than %zu bytes)",
                           path, maxlen);
            return NULL;
        }
        g_byte_array_append(buf, chunk, n);
    }
    *len = buf->len;
    g_byte_array_append(buf, (const guint8 *) "", 1);
    return (char *) g_byte_array_free(g_steal_pointer(&buf), FALSE);
}

/*
 * Who may write to what we trust (an embed root, its qemu.conf): root and
 * the caller, nobody else, as ssh's StrictModes has it for ~/.ssh. Another
 * user who can change qemu.conf picks the program the driver runs and the
 * user it runs as; one who can rename entries in a directory on the way
 * can swap the whole root for one of their own. A POSIX ACL that grants
 * write shows in the group bits (its mask), so the mode covers it.
 */
int
virFileCheckTrusted(const char *what,
                    const char *path,
                    const struct stat *sb,
                    mode_t type,
                    bool ancestor)
{
    uid_t me = geteuid();
    g_autofree char *quoted = g_shell_quote(path);
    mode_t writers = sb->st_mode & (S_IWGRP | S_IWOTH);

    if (S_ISLNK(sb->st_mode)) {
        virReportError(VIR_ERR_OPERATION_DENIED,
                       "%s is a symbolic link, which is not trusted there: "
                       "replace it with the %s itself",
                       what, type == S_IFDIR ? "directory" : "file");
        return -1;
    }
    if (type && (sb->st_mode & S_IFMT) != type) {
        virReportError(VIR_ERR_OPERATION_DENIED, "%s is not a %s",
                       what, type == S_IFDIR ? "directory" : "regular file");
        return -1;
    }
    if (sb->st_uid != 0 && sb->st_uid != me) {
        virReportError(VIR_ERR_OPERATION_DENIED,
                       "%s is owned by uid %u, neither root nor the caller (uid %u), "
                       "and that user could change what the driver trusts: "
                       "fix it with chown %u %s",
                       what, (unsigned int) sb->st_uid, (unsigned int) me,
                       (unsigned int) me, quoted);
        return -1;
    }
    /* A sticky directory (/tmp) lets others add entries but not rename or
     * remove ours: fine on the way to the root, not for the root itself. */
    if (ancestor && (sb->st_mode & S_ISVTX))
        writers = 0;
    if (writers) {
        virReportError(VIR_ERR_OPERATION_DENIED,
                       "%s is writable by %s (mode %04o), who could change what the "
                       "driver trusts: fix it with chmod go-w %s%s%s",
                       what,
                       writers == (S_IWGRP | S_IWOTH) ? "its group and others" :
                       writers == S_IWGRP ? "its group" : "others",
                       (unsigned int) (sb->st_mode & 07777), quoted,
                       ancestor ? ", or chmod +t " : "",
                       ancestor ? quoted : "");
        return -1;
    }
    return 0;
}

/* Push the components of @path onto @todo, last first: the top of the
 * stack is the next component to walk. */
static void
virFilePushComponents(GPtrArray *todo, const char *path)
{
    g_auto(GStrv) comps = g_strsplit(path, "/", -1);
    guint n = g_strv_length(comps);

    while (n-- > 0) {
        if (*comps[n] && strcmp(comps[n], ".") != 0)
            g_ptr_array_add(todo, g_strdup(comps[n]));
    }
}

char *
virFileResolveTrusted(const char *what, const char *path, bool *exists)
{
    g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *cur = g_strdup("/");
    uid_t me = geteuid();
    int links = 0;
    struct stat sb;

    if (!g_path_is_absolute(path)) {
        virReportError(VIR_ERR_INVALID_ARG, "%s must be an absolute path", what);
        return NULL;
    }
    if (lstat("/", &sb) < 0) {
        virReportSystemError(errno, "cannot check directory '/' on the way to %s", what);
        return NULL;
    }
    {
        g_autofree char *desc = g_strdup_printf("directory '/' on the way to %s", what);

        if (virFileCheckTrusted(desc, "/", &sb, S_IFDIR, true) < 0)
            return NULL;
    }
    virFilePushComponents(todo, path);

    while (todo->len > 0) {
        g_autofree char *comp = g_ptr_array_steal_index(todo, todo->len - 1);
        g_autofree char *next = NULL;
        g_autofree char *desc = NULL;

        /* @cur has no symbolic links: its parent is its dirname. */
        if (strcmp(comp, "..") == 0) {
            char *up = g_path_get_dirname(cur);

            g_free(cur);
            cur = up;
            continue;
        }
        next = g_build_filename(cur, comp, NULL);
        if (lstat(next, &sb) < 0) {
            GString *rest;

            if (errno != ENOTDIR && errno != ENOENT) {
                virReportSystemError(errno, "cannot check '%s' on the way to %s",
                                     next, what);
                return NULL;
            }
            if (errno == ENOTDIR) {
                virReportError(VIR_ERR_OPERATION_DENIED,
                               "'%s' on the way to %s is not a directory", cur, what);
                return NULL;
            }
            /* Not there (yet): what follows is to be created. */
            rest = g_string_new(next);
            while (todo->len > 0) {
                g_autofree char *c = g_ptr_array_steal_index(todo, todo->len - 1);

                g_string_append_printf(rest, "/%s", c);
            }
            *exists = false;
            return g_string_free(rest, FALSE);
        }
        if (S_ISLNK(sb.st_mode)) {
            g_autoptr(GError) gerr = NULL;
            g_autofree char *target = NULL;

            /* In a sticky directory like /tmp the link's owner may
             * replace it at any time. */
            if (sb.st_uid != 0 && sb.st_uid != me) {
                g_autofree char *quoted = g_shell_quote(next);

                virReportError(VIR_ERR_OPERATION_DENIED,
                               "symbolic link '%s' on the way to %s is owned by uid %u, "
                               "neither root nor the caller (uid %u), and that user could "
                               "point it elsewhere: remove it, or make it yours with "
                               "chown -h %u %s",
                               next, what, (unsigned int) sb.st_uid, (unsigned int) me,
                               (unsigned int) me, quoted);
                return NULL;
            }
            if (++links > 40) {
                virReportError(VIR_ERR_OPERATION_DENIED,
                               "too many symbolic links on the way to %s", what);
                return NULL;
            }
            if (!(target = g_file_read_link(next, &gerr))) {
                virReportError(VIR_ERR_OPERATION_FAILED,
                               "cannot read symbolic link '%s' on the way to %s: %s",
                               next, what, gerr->message);
                return NULL;
            }
            if (g_path_is_absolute(target)) {
                g_free(cur);
                cur = g_strdup("/");
            }
            virFilePushComponents(todo, target);
            continue;
        }
        /* The end of the path is the caller's to check, by its rules. */
        if (todo->len > 0) {
            desc = g_strdup_printf("directory '%s' on the way to %s", next, what);
            if (virFileCheckTrusted(desc, next, &sb, S_IFDIR, true) < 0)
                return NULL;
        }
        g_free(cur);
        cur = g_steal_pointer(&next);
    }
    *exists = true;
    return g_steal_pointer(&cur);
}

int
virFileMakeTrustedDir(const char *path, mode_t mode)
{
    g_autofree char *desc = g_strdup_printf("directory '%s'", path);
    struct stat sb;

    if (mkdir(path, mode) < 0 && errno != EEXIST) {
        virReportSystemError(errno, "cannot create directory '%s'", path);
        return -1;
    }
    if (lstat(path, &sb) < 0) {
        virReportSystemError(errno, "cannot check directory '%s'", path);
        return -1;
    }
    return virFileCheckTrusted(desc, path, &sb, S_IFDIR, false);
}
