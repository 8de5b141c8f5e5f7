/*
 * remote_session.c: the user's session daemon (see remote_transport.h):
 * where its socket is, and starting it when a client finds none there.
 *
 * Starting it follows libvirt's autostart: the clients of one user that
 * find no daemon take a lock beside the socket, so that only the first
 * starts one and the others find it listening once they get the lock;
 * the daemon is started with --timeout=120 (it exits when it has been
 * idle that long) and --daemon, so that it outlives the client and is
 * not the client's child (no zombie, no SIGCHLD in the application).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "remote/remote_transport.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

/* How long a client waits for the lock, and for the daemon it started to
 * listen: long enough for a loaded machine to start it, bounded so that
 * a daemon that hangs at start is an error, not a hung client. */
#define REMOTE_SESSION_START_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define REMOTE_SESSION_POLL_US (10 * 1000)

char *
remoteSessionSocketDir(void)
{
    return g_build_filename(g_get_user_runtime_dir(), "libvirt-bp", NULL);
}

/* The session daemon's log, which its start-up errors go to:
 * $XDG_CACHE_HOME/libvirt-bp/libvirtd.log. */
static char *
remoteSessionLogFile(void)
{
    return g_build_filename(g_get_user_cache_dir(), "libvirt-bp",
                            "libvirtd.log", NULL);
}

/* LIBVIRTD_PATH (libvirt's variable) or the installed daemon. */
static const char *
remoteSessionDaemonBinary(void)
{
    const char *env = g_getenv("LIBVIRTD_PATH");

    return env && *env ? env : SBINDIR "/libvirtd";
}

/*
 * Does a daemon answer at @path? 1: yes; 0: nothing listens there (no
 * socket, or a stale one); -1 with an error for anything else (a path
 * too long, no permission), which starting a daemon would not mend.
 */
static int
remoteSessionProbe(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;
    int rc;
    int err;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "the session daemon's socket path '%s' is too long for a unix socket",
                       path);
        return -1;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        virReportSystemError(errno, "%s", "cannot create a unix socket");
        return -1;
    }
    rc = connect(fd, (struct sockaddr *) &addr, sizeof(addr));
    err = errno;
    close(fd);
    if (rc == 0)
        return 1;
    if (err == ENOENT || err == ECONNREFUSED)
        return 0;
    virReportSystemError(err, "cannot connect to the session daemon's socket '%s'", path);
    return -1;
}

/* Take the lock on @fd (@path), waiting at most until @deadline. */
static int
remoteSessionLock(int fd, const char *path, gint64 deadline)
{
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            virReportSystemError(errno, "cannot lock '%s'", path);
            return -1;
        }
        if (g_get_monotonic_time() >= deadline) {
            virReportError(VIR_ERR_OPERATION_TIMEOUT,
                           "another client starting the session daemon held the lock '%s' for more than %d seconds",
                           path, (int) (REMOTE_SESSION_START_TIMEOUT_US / G_USEC_PER_SEC));
            return -1;
        }
        g_usleep(REMOTE_SESSION_POLL_US);
    }
    return 0;
}

/* The last line of the log @path, or "" (for an error message). */
static char *
remoteSessionLogTail(const char *path)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    char *line;

    if (!g_file_get_contents(path, &text, &len, NULL))
        return g_strdup("");
    g_strchomp(text);
    line = strrchr(text, '\n');
    return g_strdup(line ? line + 1 : text);
}

/*
 * Run "@binary --timeout=120 --daemon" with its output appended to
 * @logPath, and wait (until @deadline) for the first process to exit:
 * it does once the daemon listens (status 0) or failed to start. The
 * daemon itself is the first process's grandchild, not ours.
 */
static int
remoteSessionSpawn(const char *binary, const char *logPath, gint64 deadline)
{
    const char *argv[] = { binary, "--timeout=120", "--daemon", NULL };
    g_autofree char *logDir = g_path_get_dirname(logPath);
    g_autoptr(GError) gerr = NULL;
    GPid pid = 0;
    int logFd;
    int status = 0;
    pid_t got;
    bool ok;

    if (g_mkdir_with_parents(logDir, 0700) < 0) {
        virReportSystemError(errno, "cannot create the session daemon's log directory '%s'",
                             logDir);
        return -1;
    }
    if ((logFd = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        virReportSystemError(errno, "cannot open the session daemon's log '%s'", logPath);
        return -1;
    }
    VIR_DEBUG("starting the session daemon: %s --timeout=120 --daemon (log '%s')",
              binary, logPath);
    ok = g_spawn_async_with_fds(NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                NULL, NULL, &pid, -1, logFd, logFd, &gerr);
    close(logFd);
    if (!ok) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "cannot run the session daemon '%s' (set LIBVIRTD_PATH to the libvirtd to run): %s",
                       binary, gerr->message);
        return -1;
    }

    while ((got = waitpid(pid, &status, WNOHANG)) == 0 ||
           (got < 0 && errno == EINTR)) {
        if (g_get_monotonic_time() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            virReportError(VIR_ERR_OPERATION_TIMEOUT,
                           "the session daemon '%s' did not start within %d seconds; see its log '%s'",
                           binary, (int) (REMOTE_SESSION_START_TIMEOUT_US / G_USEC_PER_SEC),
                           logPath);
            return -1;
        }
        g_usleep(REMOTE_SESSION_POLL_US);
    }
    if (got < 0) {
        /* The application reaped it (a SIGCHLD handler waiting for any
         * child): its status is lost, whether it listens tells. */
        if (errno == ECHILD)
            return 0;
        virReportSystemError(errno, "cannot wait for the session daemon '%s'", binary);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_autofree char *tail = remoteSessionLogTail(logPath);

        virReportError(VIR_ERR_OPERATION_FAILED,
                       "the session daemon '%s' failed to start (%s %d)%s%s; see its log '%s'",
                       binary, WIFEXITED(status) ? "exit status" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                       *tail ? ": " : "", tail, logPath);
        return -1;
    }
    return 0;
}

int
remoteSessionEnsureDaemon(const char *socketPath)
{
    g_autofree char *dir = g_path_get_dirname(socketPath);
    g_autofree char *lockPath = g_build_filename(dir, "libvirtd.lock", NULL);
    g_autofree char *logPath = remoteSessionLogFile();
    const char *binary = remoteSessionDaemonBinary();
    gint64 deadline = g_get_monotonic_time() + REMOTE_SESSION_START_TIMEOUT_US;
    int lockFd = -1;
    int ret = -1;
    int rc;

    if ((rc = remoteSessionProbe(socketPath)) != 0)
        return rc < 0 ? -1 : 0;
    /* Root's libvirtd is the system daemon, on other sockets: started
     * here it would never answer on the session's. */
    if (geteuid() == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "no session daemon listens on '%s', and root does not get one started: root's daemon is qemu:///system",
                       socketPath);
        return -1;
    }
    if (g_mkdir_with_parents(dir, 0700) < 0) {
        virReportSystemError(errno, "cannot create the session daemon's directory '%s'", dir);
        return -1;
    }
    if ((lockFd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        virReportSystemError(errno, "cannot open the session daemon's start lock '%s'", lockPath);
        return -1;
    }
    if (remoteSessionLock(lockFd, lockPath, deadline) < 0)
        goto cleanup;
    /* A client that held the lock before us may have started it. The
     * lock file stays: removing it would let a third client lock another
     * file of the same name while we hold this one. */
    if ((rc = remoteSessionProbe(socketPath)) != 0) {
        ret = rc < 0 ? -1 : 0;
        goto cleanup;
    }
    if (remoteSessionSpawn(binary, logPath, deadline) < 0)
        goto cleanup;
    /* Its first process exits once it listens; a daemon told to listen
     * elsewhere (unix_sock_dir in its libvirtd.conf) never will here. */
    while ((rc = remoteSessionProbe(socketPath)) == 0) {
        if (g_get_monotonic_time() >= deadline) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           "the session daemon '%s' started but does not listen on '%s' (does unix_sock_dir of its libvirtd.conf name another directory?); see its log '%s'",
                           binary, socketPath, logPath);
            goto cleanup;
        }
        g_usleep(REMOTE_SESSION_POLL_US);
    }
    if (rc < 0)
        goto cleanup;
    VIR_DEBUG("the session daemon listens on '%s'", socketPath);
    ret = 0;

 cleanup:
    close(lockFd);
    return ret;
}
