/*
 * testutils.c: the core of the helpers the tests share, GLib and libc only
 * (see testutils.h).
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

#include "testutils.h"

static int reaperFd = -1;

/* The processes virTestDirAddProcess() gave to a root. */
typedef struct {
    char *dir;
    pid_t pid;
} virTestDirProcess;

static GMutex dirProcessesLock;
static GArray *dirProcesses;    /* virTestDirProcess */

static void
virTestKillWait(pid_t pid)
{
    kill(pid, SIGKILL);
    for (int i = 0; i < 500 && virTestProcessAlive(pid); i++)
        g_usleep(10 * 1000);
}

char **
virTestProcessStrings(pid_t pid, const char *what)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/%s", (int) pid, what);
    g_autofree char *data = NULL;
    g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
    gsize len;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return NULL;
    for (gsize i = 0; i < len; i += strlen(data + i) + 1)
        g_ptr_array_add(strings, g_strdup(data + i));
    g_ptr_array_add(strings, NULL);
    return (char **) g_ptr_array_free(g_steal_pointer(&strings), FALSE);
}

/* Does one of @strings hold @needle? */
static bool
virTestStringsHave(char **strings, const char *needle)
{
    for (size_t i = 0; strings && strings[i]; i++) {
        if (strstr(strings[i], needle))
            return true;
    }
    return false;
}

bool
virTestProcessIsQemu(pid_t pid)
{
    g_auto(GStrv) cmdline = virTestProcessStrings(pid, "cmdline");

    return virTestStringsHave(cmdline, "qemu-system");
}

bool
virTestQemuIsUnder(pid_t pid, const char *dir)
{
    g_autofree char *cwdLink = g_strdup_printf("/proc/%d/cwd", (int) pid);
    g_autofree char *prefix = g_strdup_printf("%s/", dir);
    g_auto(GStrv) cmdline = virTestProcessStrings(pid, "cmdline");
    g_autofree char *cwd = NULL;

    if (!virTestStringsHave(cmdline, "qemu-system"))
        return false;
    if (virTestStringsHave(cmdline, prefix))
        return true;
    return (cwd = g_file_read_link(cwdLink, NULL)) &&
        (strcmp(cwd, dir) == 0 || g_str_has_prefix(cwd, prefix));
}

/* Call @fn on the pid of every QEMU of @dir. */
static void
virTestQemuForeach(const char *dir, void (*fn)(pid_t pid, void *opaque),
                   void *opaque)
{
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    const char *ent;

    while (proc && (ent = g_dir_read_name(proc))) {
        pid_t pid = atoi(ent);

        if (pid > 1 && pid != getpid() && virTestQemuIsUnder(pid, dir))
            fn(pid, opaque);
    }
}

static void
virTestQemuKillOne(pid_t pid, void *opaque G_GNUC_UNUSED)
{
    virTestKillWait(pid);
}

static void
virTestQemuCountOne(pid_t pid G_GNUC_UNUSED, void *opaque)
{
    (*(size_t *) opaque)++;
}

size_t
virTestQemuCount(const char *dir)
{
    size_t n = 0;

    virTestQemuForeach(dir, virTestQemuCountOne, &n);
    return n;
}

/* Kill every QEMU that belongs to @root. */
static void
virTestKillRoot(const char *root)
{
    virTestQemuForeach(root, virTestQemuKillOne, NULL);
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

void
virTestRemoveTree(const char *root)
{
    const char *argv[] = { "rm", "-rf", "--", root, NULL };

    virTestUnmountUnder(root);
    g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, NULL, NULL, NULL, NULL);
}

/* When @pid started (in clock ticks since boot, field 22 of its stat
 * file), to tell it from a later process with the same pid; 0 if it is
 * gone. */
static unsigned long long
virTestProcessStartTime(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *stat = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;

    if (!g_file_get_contents(path, &stat, NULL, NULL) || !(p = strrchr(stat, ')')))
        return 0;
    fields = g_strsplit(p + 2, " ", 0);
    if (g_strv_length(fields) < 20)
        return 0;
    return g_ascii_strtoull(fields[19], NULL, 10);
}

/* SIGKILL the process of a reaper line "+PID STARTTIME", unless it is
 * gone (or its pid is another process's now). */
static void
virTestReaperKillProcess(const char *line)
{
    pid_t pid = 0;
    unsigned long long start = 0;

    if (sscanf(line, "+%d %llu", &pid, &start) != 2 || pid <= 1)
        return;
    if (virTestProcessStartTime(pid) == start)
        virTestKillWait(pid);
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
        /* "+PID STARTTIME": a daemon of a root; it goes first, before it
         * sees its QEMUs die. */
        for (size_t i = 0; lines[i]; i++) {
            if (lines[i][0] == '+')
                virTestReaperKillProcess(lines[i]);
        }
        for (size_t i = 0; lines[i]; i++) {
            if (lines[i][0] == '-' || lines[i][0] == '+')
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
virTestDirAddProcess(const char *dir, pid_t pid)
{
    virTestDirProcess p = { g_strdup(dir), pid };
    g_autofree char *msg = g_strdup_printf("+%d %llu", (int) pid,
                                           virTestProcessStartTime(pid));

    g_mutex_lock(&dirProcessesLock);
    if (!dirProcesses)
        dirProcesses = g_array_new(FALSE, FALSE, sizeof(virTestDirProcess));
    g_array_append_val(dirProcesses, p);
    g_mutex_unlock(&dirProcessesLock);
    virTestReaperSend(msg);
}

/* Take the first process virTestDirAddProcess() gave to @dir (any, if
 * @dir is NULL) and @pid (any, if 0) off the list; 0 if none. */
static pid_t
virTestDirTakeProcess(const char *dir, pid_t pid)
{
    pid_t found = 0;

    g_mutex_lock(&dirProcessesLock);
    for (guint i = 0; dirProcesses && i < dirProcesses->len; i++) {
        virTestDirProcess *p = &g_array_index(dirProcesses, virTestDirProcess, i);

        if ((!dir || strcmp(p->dir, dir) == 0) && (!pid || p->pid == pid)) {
            found = p->pid;
            g_free(p->dir);
            g_array_remove_index(dirProcesses, i);
            break;
        }
    }
    g_mutex_unlock(&dirProcessesLock);
    return found;
}

int
virTestStopProcess(pid_t pid, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeoutMs * 1000;
    int status = 0;
    pid_t rc;

    virTestDirTakeProcess(NULL, pid);
    kill(pid, SIGTERM);
    while ((rc = waitpid(pid, &status, WNOHANG)) == 0 &&
           g_get_monotonic_time() < deadline)
        g_usleep(10 * 1000);
    if (rc == 0) {
        g_test_message("process %d did not end within %d ms of SIGTERM: killing it",
                       (int) pid, timeoutMs);
        kill(pid, SIGKILL);
        rc = waitpid(pid, &status, 0);
    }
    return rc == pid ? status : -1;
}

void
virTestCleanupDir(const char *root)
{
    g_autofree char *msg = g_strdup_printf("-%s", root);
    pid_t pid;

    /* Its daemons first: they end as they would, their QEMUs left. */
    while ((pid = virTestDirTakeProcess(root, 0))) {
        int status = virTestStopProcess(pid, 30 * 1000);

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            g_test_message("process %d of '%s' did not exit cleanly on SIGTERM "
                           "(wait status 0x%x)", (int) pid, root, status);
            g_test_fail();
        }
    }
    virTestKillRoot(root);
    virTestRemoveTree(root);
    virTestReaperSend(msg);
}

char *
virTestSrcPath(const char *first, ...)
{
    const char *srcdir = g_getenv("abs_top_srcdir");
    g_autoptr(GPtrArray) parts = g_ptr_array_new();
    const char *part;
    va_list ap;

    g_ptr_array_add(parts, (char *) (srcdir && *srcdir ? srcdir : ABS_TOP_SRCDIR));
    va_start(ap, first);
    for (part = first; part; part = va_arg(ap, const char *))
        g_ptr_array_add(parts, (char *) part);
    va_end(ap);
    g_ptr_array_add(parts, NULL);
    return g_build_filenamev((char **) parts->pdata);
}

void
virTestCompareToFile(const char *actual, const char *path)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (g_strcmp0(g_getenv("VIR_TEST_REGENERATE_OUTPUT"), "1") == 0) {
        if (!g_file_set_contents(path, actual, -1, &err))
            g_error("cannot write '%s': %s", path, err->message);
        g_test_message("regenerated %s", path);
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, &err)) {
        g_test_message("cannot read '%s' (%s); run with VIR_TEST_REGENERATE_OUTPUT=1 to create it",
                       path, err->message);
        g_test_fail();
        return;
    }
    g_assert_cmpstr(actual, ==, expected);
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

char *
virTestImageNew(const char *dir, const char *name, const char *fmt,
                const char *size, const char *backing,
                const char *backingFmt, mode_t mode)
{
    char *path = g_build_filename(dir, name, NULL);

    virTestImageCreate(path, fmt, size, backing, backingFmt);
    if (chmod(path, mode) < 0)
        g_error("cannot chmod '%s': %s", path, g_strerror(errno));
    return path;
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

bool
virTestIntegration(void)
{
    return g_strcmp0(g_getenv("VIR_TEST_INTEGRATION"), "no") != 0;
}

char *
virTestSelfPath(void)
{
    g_autoptr(GError) err = NULL;
    char *self = g_file_read_link("/proc/self/exe", &err);

    g_assert_no_error(err);
    return self;
}

int
virTestRunSelf(const char *what, const char *uri, const char *name)
{
    g_autofree char *self = virTestSelfPath();
    const char *argv[] = { self, "--child", what, uri, name, NULL };
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

pid_t
virTestQemuSpawn(const char *const *argv, const char *dir,
                 const char *sockPath, const char *logPath, int monitorFd)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    pid_t parent = getpid();
    int lsock;
    int logfd;
    int nullfd;
    pid_t pid;

    g_assert_cmpuint(strlen(sockPath), <, sizeof(addr.sun_path));
    memcpy(addr.sun_path, sockPath, strlen(sockPath) + 1);
    lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(lsock, >=, 0);
    g_assert_cmpint(bind(lsock, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lsock, 1), ==, 0);
    logfd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(logfd, >=, 0);
    nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(nullfd, >=, 0);

    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        /* Only async-signal-safe calls until exec. The socket goes
         * through a high fd first: it may itself be @monitorFd. */
        int high = fcntl(lsock, F_DUPFD_CLOEXEC, 64);

        /* Die with the test, whatever kills it (the reaper would find
         * it too, by its directory, but only once the test is gone). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
            _exit(126);
        if (high < 0 || chdir(dir) < 0 ||
            dup2(nullfd, STDIN_FILENO) < 0 ||
            dup2(logfd, STDOUT_FILENO) < 0 ||
            dup2(logfd, STDERR_FILENO) < 0 ||
            dup2(high, monitorFd) < 0)
            _exit(126);
        execv(argv[0], (char **) argv);
        _exit(127);
    }
    close(lsock);
    close(logfd);
    close(nullfd);
    return pid;
}

int
virTestFreeTCPPort(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *) &sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *) &sin, &len), ==, 0);
    close(fd);
    return ntohs(sin.sin_port);
}
