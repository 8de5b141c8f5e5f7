/*
 * testutilsdaemon.c: the suites over libvirtd (see testutilsdaemon.h).
 * GLib and libc only: the daemon is a program run with a config file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutils.h"
#include "testutilsdaemon.h"
#include "testutilsdaemonpriv.h"

#define DAEMON_START_MS (60 * 1000)     /* hang catchers, not timings */
#define DAEMON_STOP_MS (30 * 1000)
/* How long a client that closed may take to be seen gone by the daemon;
 * an open that finds clients after this keeps the daemon as it is. */
#define DAEMON_CLIENTS_MS (5 * 1000)

static GMutex daemonsLock;
static GPtrArray *daemons;  /* virTestDaemon, never freed: a few per test */

virTestTransport
virTestDaemonTransportKind(void)
{
    const char *t = g_getenv("VIR_TEST_TRANSPORT");

    if (!t || !*t || strcmp(t, "embed") == 0)
        return VIR_TEST_TRANSPORT_EMBED;
    if (strcmp(t, "daemon") == 0)
        return VIR_TEST_TRANSPORT_DAEMON;
    if (strcmp(t, "ssh") == 0)
        return VIR_TEST_TRANSPORT_SSH;
    if (strcmp(t, "tls") == 0)
        return VIR_TEST_TRANSPORT_TLS;
    g_error("VIR_TEST_TRANSPORT='%s': expected 'embed', 'daemon', 'ssh' or 'tls'", t);
    return VIR_TEST_TRANSPORT_EMBED;
}

bool
virTestDaemonTransport(void)
{
    return virTestDaemonTransportKind() != VIR_TEST_TRANSPORT_EMBED;
}

static const char *
daemonBinary(void)
{
    static char *path;
    const char *env = g_getenv("VIR_TEST_LIBVIRTD");
    const char *builddir = g_getenv("abs_top_builddir");

    if (path)
        return path;
    if (env && *env)
        path = g_strdup(env);
    else
        path = g_build_filename(builddir && *builddir ? builddir : ABS_TOP_BUILDDIR,
                                "src", "remote", "libvirtd", NULL);
    if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
        g_error("VIR_TEST_TRANSPORT=daemon: no libvirtd at '%s' (build it, or "
                "set VIR_TEST_LIBVIRTD)", path);
    return path;
}

static virTestDaemon *
daemonLookup(const char *uri, const char *root)
{
    virTestDaemon *found = NULL;

    g_mutex_lock(&daemonsLock);
    for (guint i = 0; daemons && i < daemons->len && !found; i++) {
        virTestDaemon *d = g_ptr_array_index(daemons, i);

        if ((uri && strcmp(d->uri, uri) == 0) || (root && strcmp(d->root, root) == 0))
            found = d;
    }
    g_mutex_unlock(&daemonsLock);
    return found;
}

char *
virTestDaemonAdd(const char *dir, const char *root)
{
    virTestDaemon *d = g_new0(virTestDaemon, 1);
    g_autofree char *sockDir = g_build_filename(dir, "sock", NULL);
    g_autofree char *escaped = NULL;
    g_autoptr(GString) conf = NULL;
    struct sockaddr_un addr;

    d->dir = g_strdup(dir);
    d->root = g_strdup(root);
    d->sock = g_build_filename(sockDir, "libvirt-sock", NULL);
    d->sockRo = g_build_filename(sockDir, "libvirt-sock-ro", NULL);
    d->conf = g_build_filename(dir, "libvirtd.conf", NULL);
    d->pidFile = g_build_filename(dir, "libvirtd.pid", NULL);
    if (strlen(d->sockRo) >= sizeof(addr.sun_path))
        g_error("socket path '%s' is too long for a Unix socket: use a shorter TMPDIR",
                d->sockRo);
    escaped = g_uri_escape_string(d->sock, "/", FALSE);
    d->uri = g_strdup_printf("qemu+unix:///system?socket=%s", escaped);
    /* Calls of several threads of a test on one connection (a step that
     * waits for a stopped QEMU beside an abort) each need a worker. */
    conf = g_string_new(NULL);
    g_string_printf(conf, "# The test suite's daemon for one embed root.\n"
                           "unix_sock_dir = \"%s\"\n"
                           "qemu_root = \"%s\"\n"
                           "min_workers = 2\n"
                           "max_workers = 16\n"
                           "max_client_requests = 16\n"
                           "keepalive_interval = 5\n"
                           "keepalive_count = 5\n",
                           sockDir, root);
    /* The other transports reach the same daemon another way: they may
     * add to its config and give the URI that goes their way. */
    switch (virTestDaemonTransportKind()) {
    case VIR_TEST_TRANSPORT_SSH:
        virTestSSHPrepare(d, conf);
        break;
    case VIR_TEST_TRANSPORT_TLS:
        virTestTLSPrepare(d, conf);
        break;
    case VIR_TEST_TRANSPORT_EMBED:
    case VIR_TEST_TRANSPORT_DAEMON:
        break;
    }
    g_assert_cmpint(g_mkdir_with_parents(sockDir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(d->conf, conf->str, -1, NULL));

    g_mutex_lock(&daemonsLock);
    if (!daemons)
        daemons = g_ptr_array_new();
    g_ptr_array_add(daemons, d);
    g_mutex_unlock(&daemonsLock);
    return g_strdup(d->uri);
}

char *
virTestDaemonURIOf(const char *root)
{
    virTestDaemon *d = daemonLookup(NULL, root);

    return d ? g_strdup(d->uri) : NULL;
}

/* Is the daemon still running? If it ended without being asked, fail the
 * test saying how. */
static bool
daemonRunning(virTestDaemon *d)
{
    int status = 0;
    pid_t rc;

    if (!d->pid)
        return false;
    if ((rc = waitpid(d->pid, &status, WNOHANG)) == 0)
        return true;
    if (rc < 0 && errno == ECHILD) {
        /* Stopped and reaped by virTestCleanupDir(). */
        d->pid = 0;
        return false;
    }
    g_error("libvirtd (pid %d) of root '%s' ended by itself: %s %d (its output is "
            "in the test's log)", (int) d->pid, d->root,
            WIFSIGNALED(status) ? "signal" : "exit status",
            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return false;
}

/* Does the daemon accept connections? */
static bool
daemonReady(void *opaque)
{
    virTestDaemon *d = opaque;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;
    bool ok;

    if (!daemonRunning(d))
        return true;    /* not waiting for a dead one: daemonRunning() failed */
    memcpy(addr.sun_path, d->sock, strlen(d->sock) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return false;
    ok = connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0;
    close(fd);
    if (ok && virTestDaemonTransportKind() == VIR_TEST_TRANSPORT_TLS)
        ok = virTestTLSListening(d);
    return ok;
}

pid_t
virTestDaemonSpawn(const char *const *argv, const char *dir)
{
    pid_t parent = getpid();
    int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid;

    g_assert_cmpint(nullfd, >=, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        /* Only async-signal-safe calls until exec. Its output goes to the
         * test's standard error (its log), never to the TAP stream. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
            _exit(126);
        if (chdir("/") < 0 || dup2(nullfd, STDIN_FILENO) < 0 ||
            dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
            _exit(126);
        execv(argv[0], (char **) argv);
        _exit(127);
    }
    close(nullfd);
    virTestDirAddProcess(dir, pid);
    return pid;
}

static void
daemonStart(virTestDaemon *d)
{
    const char *bin = daemonBinary();
    bool tls = virTestDaemonTransportKind() == VIR_TEST_TRANSPORT_TLS;
    /* TLS only listens with --listen, as libvirt's. */
    /* --system: the tests of the system daemon run unprivileged too
     * (make distcheck as a user), where it would be a session daemon. */
    const char *argv[] = { bin, "--system", "--config", d->conf, "--pid-file",
                           d->pidFile, tls ? "--listen" : NULL, NULL };
    pid_t pid = virTestDaemonSpawn(argv, d->dir);

    d->pid = pid;
    d->starts++;
    if (!virTestWaitFor(daemonReady, d, DAEMON_START_MS))
        g_error("libvirtd (pid %d) of root '%s' did not listen on '%s' within %d s",
                (int) pid, d->root, d->sock, DAEMON_START_MS / 1000);
    g_test_message("libvirtd (pid %d) serves root '%s' (start %d)",
                   (int) pid, d->root, d->starts);
    if (virTestDaemonTransportKind() == VIR_TEST_TRANSPORT_SSH)
        virTestSSHStart(d);
}

/* How many clients the daemon has, seen from the kernel: the connected
 * sockets bound to its socket paths (the ends it accepted). */
static guint
daemonClients(virTestDaemon *d)
{
    g_autofree char *table = NULL;
    g_auto(GStrv) lines = NULL;
    guint n = 0;

    if (!g_file_get_contents("/proc/net/unix", &table, NULL, NULL))
        g_error("cannot read /proc/net/unix");
    lines = g_strsplit(table, "\n", 0);
    for (size_t i = 1; lines[i]; i++) {
        /* Num RefCount Protocol Flags Type St Inode Path */
        g_auto(GStrv) f = g_strsplit_set(lines[i], " ", 0);
        g_autoptr(GPtrArray) cols = g_ptr_array_new();

        for (size_t j = 0; f[j]; j++) {
            if (*f[j])
                g_ptr_array_add(cols, f[j]);
        }
        if (cols->len == 8 && strcmp(g_ptr_array_index(cols, 5), "03") == 0 &&
            (strcmp(g_ptr_array_index(cols, 7), d->sock) == 0 ||
             strcmp(g_ptr_array_index(cols, 7), d->sockRo) == 0))
            n++;
    }
    return n;
}

static bool
daemonIdle(void *opaque)
{
    virTestDaemon *d = opaque;
    guint n = daemonClients(d);

    if (virTestDaemonTransportKind() == VIR_TEST_TRANSPORT_TLS)
        n += virTestTLSClients(d);
    return n == 0;
}

void
virTestDaemonBeforeOpen(const char *uri)
{
    virTestDaemon *d = daemonLookup(uri, NULL);

    if (!d)
        return;
    if (daemonRunning(d)) {
        int status;

        if (!virTestWaitFor(daemonIdle, d, DAEMON_CLIENTS_MS)) {
            g_test_message("libvirtd of root '%s' keeps its %u client(s): no restart",
                           d->root, daemonClients(d));
            return;
        }
        /* Its last client closed: as the embedded driver's state, it
         * stops; the next open starts it again from the root. */
        status = virTestStopProcess(d->pid, DAEMON_STOP_MS);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            g_error("libvirtd (pid %d) of root '%s' did not exit cleanly on SIGTERM "
                    "(wait status 0x%x)", (int) d->pid, d->root, status);
        d->pid = 0;
    }
    daemonStart(d);
}

void
virTestDaemonCheckAlive(const char *uri)
{
    virTestDaemon *d = daemonLookup(uri, NULL);

    if (d)
        daemonRunning(d);
}
