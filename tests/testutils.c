/*
 * testutils.c: helpers shared by the tests (see testutils.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "testutils.h"

static int reaperFd = -1;

static void
virTestKillWait(pid_t pid)
{
    kill(pid, SIGKILL);
    for (int i = 0; i < 500 && virTestProcessAlive(pid); i++)
        g_usleep(10 * 1000);
}

/* Kill every QEMU that belongs to @root: those with a pid file in an embed
 * root under it, and any QEMU whose command line names a path under it
 * (its images live there). */
static void
virTestKillRoot(const char *root)
{
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    g_autofree char *prefix = g_strdup_printf("%s/", root);
    const char *ent;

    while (proc && (ent = g_dir_read_name(proc))) {
        g_autofree char *path = NULL;
        g_autofree char *cmdline = NULL;
        gsize len;
        bool qemu = false, ours = false;
        pid_t pid = atoi(ent);

        if (pid <= 1 || pid == getpid())
            continue;
        path = g_strdup_printf("/proc/%s/cmdline", ent);
        if (!g_file_get_contents(path, &cmdline, &len, NULL))
            continue;
        for (gsize i = 0; i < len; i += strlen(cmdline + i) + 1) {
            if (strstr(cmdline + i, "qemu-system"))
                qemu = true;
            if (strstr(cmdline + i, prefix))
                ours = true;
        }
        if (qemu && ours)
            virTestKillWait(pid);
    }
}

/* Detach whatever a test mounted under @root (a small tmpfs, say). */
static void
virTestUnmountUnder(const char *root)
{
    g_autofree char *mounts = NULL;
    g_autofree char *prefix = g_strdup_printf("%s/", root);
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/self/mounts", &mounts, NULL, NULL))
        return;
    lines = g_strsplit(mounts, "\n", 0);
    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) fields = g_strsplit(lines[i], " ", 3);
        if (g_strv_length(fields) >= 2 && g_str_has_prefix(fields[1], prefix))
            umount2(fields[1], MNT_DETACH);
    }
}

static void
virTestRemoveTree(const char *root)
{
    const char *argv[] = { "rm", "-rf", root, NULL };

    virTestUnmountUnder(root);
    g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, NULL, NULL, NULL, NULL);
}

/* The reaper: reads root paths from the pipe; at end of file (the test
 * process is gone, however it ended) kills their QEMUs and removes them. */
static void
virTestReaper(int fd)
{
    g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[4096];
    ssize_t n;

    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        g_string_append_len(buf, chunk, n);
    }
    {
        g_auto(GStrv) lines = g_strsplit(buf->str, "\n", 0);
        for (size_t i = 0; lines[i]; i++) {
            if (lines[i][0] == '-')
                continue;
            if (*lines[i])
                g_ptr_array_add(roots, g_strdup(lines[i]));
        }
        for (size_t i = 0; lines[i]; i++) {
            /* "-PATH": cleaned up by the test itself already */
            if (lines[i][0] == '-') {
                for (guint j = 0; j < roots->len; j++) {
                    if (strcmp(g_ptr_array_index(roots, j), lines[i] + 1) == 0) {
                        g_ptr_array_remove_index(roots, j);
                        break;
                    }
                }
            }
        }
    }
    for (guint i = 0; i < roots->len; i++) {
        virTestKillRoot(g_ptr_array_index(roots, i));
        virTestRemoveTree(g_ptr_array_index(roots, i));
    }
}

void
virTestInit(int *argc, char ***argv)
{
    int fds[2];
    pid_t pid;

    g_test_init(argc, argv, NULL);
    /* Files the tests write (qemu.conf) must not be group-writable, or
     * the driver refuses them, whatever umask the caller had. */
    umask(022);
    if (pipe2(fds, O_CLOEXEC) < 0)
        abort();
    if ((pid = fork()) < 0)
        abort();
    if (pid == 0) {
        /* A fresh session: a Ctrl-C or kill of the test's group leaves the
         * reaper to do its work. */
        setsid();
        close(fds[1]);
        virTestReaper(fds[0]);
        _exit(0);
    }
    close(fds[0]);
    reaperFd = fds[1];
}

static void
virTestReaperSend(const char *line)
{
    g_autofree char *msg = g_strdup_printf("%s\n", line);
    if (reaperFd >= 0 && write(reaperFd, msg, strlen(msg)) < 0)
        g_warning("cannot reach the reaper: %s", g_strerror(errno));
}

char *
virTestMakeDir(const char *tmpl)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp(tmpl ? tmpl : "vbptest-XXXXXX", &err);

    g_assert_no_error(err);
    g_assert_cmpint(chmod(dir, 0755), ==, 0);
    virTestReaperSend(dir);
    return dir;
}

void
virTestCleanupDir(const char *root)
{
    g_autofree char *msg = g_strdup_printf("-%s", root);

    virTestKillRoot(root);
    virTestRemoveTree(root);
    virTestReaperSend(msg);
}

void
virTestRun(const char *const *argv, char **out)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *sout = NULL;
    g_autofree char *serr = NULL;
    int status;

    g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                 &sout, &serr, &status, &err);
    g_assert_no_error(err);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_autofree char *cmd = g_strjoinv(" ", (char **) argv);
        g_error("command '%s' failed: %s%s", cmd, sout, serr);
    }
    if (out)
        *out = g_steal_pointer(&sout);
}

void
virTestImageCreate(const char *path, const char *fmt, const char *size,
                   const char *backing, const char *backingFmt)
{
    const char *argv[12];
    size_t n = 0;

    argv[n++] = QEMU_IMG_PATH;
    argv[n++] = "create";
    argv[n++] = "-q";
    argv[n++] = "-f";
    argv[n++] = fmt;
    if (backing) {
        argv[n++] = "-b";
        argv[n++] = backing;
        argv[n++] = "-F";
        argv[n++] = backingFmt;
    }
    argv[n++] = path;
    if (size)
        argv[n++] = size;
    argv[n] = NULL;
    virTestRun(argv, NULL);
}

void
virTestImageWrite(const char *path, const char *fmt, char pattern,
                  const char *offset, const char *len)
{
    g_autofree char *cmd = g_strdup_printf("write -P 0x%02x %s %s",
                                           (unsigned char) pattern, offset, len);
    const char *argv[] = { "qemu-io", "-f", fmt, "-c", cmd, path, NULL };
    virTestRun(argv, NULL);
}

char *
virTestDomainXML(const char *name, const char *const *disks)
{
    GString *xml = g_string_new(NULL);

    g_string_append_printf(xml,
                           "<domain type='qemu'>\n"
                           "  <name>%s</name>\n"
                           "  <memory unit='MiB'>64</memory>\n"
                           "  <vcpu>1</vcpu>\n"
                           "  <os>\n"
                           "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                           "  </os>\n"
                           "  <devices>\n", name);
    for (size_t i = 0; disks && disks[i]; i++) {
        g_string_append_printf(xml,
                               "    <disk type='file' device='disk'>\n"
                               "      <driver name='qemu' type='qcow2'/>\n"
                               "      <source file='%s'/>\n"
                               "      <target dev='vd%c' bus='virtio'/>\n"
                               "    </disk>\n", disks[i], (char) ('a' + i));
    }
    g_string_append(xml, "  </devices>\n</domain>\n");
    return g_string_free(xml, FALSE);
}

void
virTestGetOwner(const char *path, uid_t *uid, gid_t *gid)
{
    struct stat sb;

    g_assert_cmpint(stat(path, &sb), ==, 0);
    *uid = sb.st_uid;
    *gid = sb.st_gid;
}

bool
virTestUserCanRead(const char *path, uid_t uid, gid_t gid)
{
    pid_t pid = fork();
    int status;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int fd;
        if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
            _exit(2);
        fd = open(path, O_RDONLY);
        _exit(fd >= 0 ? 0 : 1);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), !=, 2);
    return WEXITSTATUS(status) == 0;
}

static gpointer
virTestEventLoop(gpointer opaque G_GNUC_UNUSED)
{
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

void
virTestEventLoopStart(void)
{
    static GThread *thread;

    if (thread)
        return;
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    thread = g_thread_new("test-event-loop", virTestEventLoop, NULL);
}

bool
virTestProcessAlive(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *stat = NULL;
    const char *p;

    if (kill(pid, 0) < 0)
        return false;
    if (!g_file_get_contents(path, &stat, NULL, NULL) || !(p = strrchr(stat, ')')))
        return false;
    return p[2] != 'Z' && p[2] != 'X';
}

pid_t
virTestDomainPid(const char *root, const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/run/qemu/%s.pid", root, name);
    g_autofree char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return 0;
    return atoi(data);
}

bool
virTestWaitFor(bool (*cond)(void *opaque), void *opaque, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeoutMs * 1000;

    while (!cond(opaque)) {
        if (g_get_monotonic_time() > deadline)
            return false;
        g_usleep(10 * 1000);
    }
    return true;
}

int
virTestRunSelf(const char *what, const char *uri, const char *name)
{
    const char *argv[] = { "/proc/self/exe", "--child", what, uri, name, NULL };
    g_autoptr(GError) err = NULL;
    int status;

    g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                 NULL, NULL, &status, &err);
    g_assert_no_error(err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void
virTestAssertOwner(const char *path, uid_t uid, gid_t gid)
{
    uid_t u;
    gid_t g;

    virTestGetOwner(path, &u, &g);
    g_assert_cmpuint(u, ==, uid);
    g_assert_cmpuint(g, ==, gid);
}

void
virTestAssertError(int code)
{
    virErrorPtr err = virGetLastError();

    g_assert_nonnull(err);
    if (err->code != code)
        g_error("expected error code %d, got %d: %s", code, err->code,
                err->message);
}
