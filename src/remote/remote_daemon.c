/*
 * remote_daemon.c: libvirtd, the daemon hosting the QEMU driver's system
 * instance (qemu:///system) behind the remote protocol's unix sockets.
 *
 * The main thread runs the library's event loop (domain event callbacks
 * are called there) and this file's signals and timers; the server reads
 * clients on its own I/O thread and runs calls on its workers, so nothing
 * here waits on a client or on QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "remote/remote_daemon_activation.h"
#include "remote/remote_daemon_config.h"
#include "remote/remote_daemon_dispatch.h"
#include "rpc/virnetserver.h"
#include "rpc/virnettls.h"
#include "util/virerror.h"
#include "util/virlog.h"
#include "util/virsystemd.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

#define DEFAULT_PID_FILE RUNSTATEDIR "/libvirt-bp/libvirtd.pid"

/* max_message_size's range is the protocol's. */
G_STATIC_ASSERT(REMOTE_DAEMON_MESSAGE_MAX == VIR_NET_MESSAGE_LIMIT);

typedef struct {
    /* Options */
    char *configFile;           /* NULL: the default, which may be missing */
    char *pidFile;
    gboolean daemonize;
    gboolean verbose;
    gboolean version;
    gboolean listen;            /* --listen: TLS on TCP (listen_tls) too */
    gboolean system;            /* --system: not a session daemon, even if not root */
    int timeout;                /* seconds; 0: never exit when idle */

    remoteDaemonConfig *cfg;
    virNetServer *srv;
    virConnectPtr conn;         /* the system instance, held throughout */
    char *systemURI;
    int pidFd;
    int sigPipe[2];             /* the signal handler's self-pipe */
    int sigWatch;
    int timeoutTimer;
    gint64 idleSince;           /* monotonic us; 0: not idle */
    bool quit;
    int statusFd;               /* --daemon: tells the waiting parent */
    bool session;               /* not root: the user's session daemon */
    char *notifySocket;         /* systemd's NOTIFY_SOCKET, NULL: none */
} remoteDaemon;

static remoteDaemon daemonState = {
    .pidFd = -1, .sigPipe = { -1, -1 }, .sigWatch = -1, .timeoutTimer = -1,
    .statusFd = -1,
};

/* One line on stderr naming what failed; the caller exits 1. */
static void G_GNUC_PRINTF(1, 2)
remoteDaemonFail(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "libvirtd: %s\n", msg);
    fflush(stderr);
}

/* ------------------------------------------------------------------ */
/* Start-up                                                             */

static int
remoteDaemonParseOptions(remoteDaemon *d, int *argc, char ***argv)
{
    GOptionEntry entries[] = {
        { "config", 'f', 0, G_OPTION_ARG_FILENAME, &d->configFile,
          "read the configuration from FILE (default " SYSCONFDIR
          "/libvirt-bp/libvirtd.conf)", "FILE" },
        { "pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &d->pidFile,
          "write the daemon's pid to FILE, locked while it runs (default "
          DEFAULT_PID_FILE ")", "FILE" },
        { "daemon", 'd', 0, G_OPTION_ARG_NONE, &d->daemonize,
          "run in the background once started", NULL },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &d->verbose,
          "log informational messages to stderr", NULL },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &d->timeout,
          "exit after SECS seconds with no client connected and no domain running",
          "SECS" },
        { "system", 0, 0, G_OPTION_ARG_NONE, &d->system,
          "serve qemu:///system with the system defaults even when not run by root "
          "(by default such a daemon is its user's session daemon, qemu:///session)", NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &d->version,
          "print the version and exit", NULL },
        { "listen", 'l', 0, G_OPTION_ARG_NONE, &d->listen,
          "also listen for TLS clients on TCP (listen_tls, listen_addr, tls_port)",
          NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;

    g_option_context_set_summary(ctx,
        "Serve the QEMU driver's system instance (qemu:///system) on the "
        "unix sockets\nlibvirt-sock (read-write) and libvirt-sock-ro (read-only).");
    g_option_context_set_description(ctx,
        "Signals: SIGTERM or SIGINT stops the daemon (running VMs keep running),\n"
        "SIGHUP rereads the configuration file. See libvirtd(8).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        remoteDaemonFail("%s (see libvirtd --help)", err->message);
        return -1;
    }
    if (*argc > 1) {
        remoteDaemonFail("unexpected argument '%s' (see libvirtd --help)", (*argv)[1]);
        return -1;
    }
    if (d->timeout < 0) {
        remoteDaemonFail("--timeout must be a number of seconds >= 0, not %d", d->timeout);
        return -1;
    }
    if (d->pidFile && !*d->pidFile) {
        remoteDaemonFail("--pid-file needs a file name");
        return -1;
    }
    return 0;
}

/*
 * The log level, set before the library logs anything: LIBVIRT_DEBUG if
 * set (as for every program of the library), else log_level; --verbose
 * lowers it to 2 (info). With none of them, nothing is logged, and the
 * daemon's own warnings and errors are single lines on stderr.
 */
static void
remoteDaemonSetupLogging(remoteDaemon *d)
{
    const char *env = g_getenv("LIBVIRT_DEBUG");
    int level = d->cfg->logLevel;
    g_autofree char *str = NULL;

    if (env && *env)
        return;
    if (d->verbose && (!level || level > VIR_LOG_INFO))
        level = VIR_LOG_INFO;
    if (!level)
        return;
    str = g_strdup_printf("%d", level);
    g_setenv("LIBVIRT_DEBUG", str, TRUE);
}

/* A warning (@error false) or error of the daemon's own: to the log if
 * it takes it, else one line on stderr. */
static void
remoteDaemonReport(bool error, const char *msg)
{
    if (virLogEnabled(error ? VIR_LOG_ERROR : VIR_LOG_WARN)) {
        if (error)
            VIR_ERROR("%s", msg);
        else
            VIR_WARN("%s", msg);
        return;
    }
    fprintf(stderr, "libvirtd: %s%s\n", error ? "" : "warning: ", msg);
    fflush(stderr);
}

static int
remoteDaemonLoadConfig(remoteDaemon *d, remoteDaemonConfig **cfg)
{
    g_autoptr(remoteDaemonConfig) c = remoteDaemonConfigNew();
    g_autofree char *sessionFile = NULL;
    const char *path = d->configFile;

    if (d->session)
        remoteDaemonConfigSetSession(c);
    if (!path) {
        if (d->session)
            path = sessionFile = remoteDaemonConfigSessionFile();
        else
            path = remoteDaemonConfigDefaultFile();
    }
    if (remoteDaemonConfigLoadFile(c, path, !d->configFile) < 0)
        return -1;
    *cfg = g_steal_pointer(&c);
    return 0;
}

/*
 * --daemon: fork twice (the daemon is no session leader's child and has
 * no terminal), the first process waiting until the daemon says it
 * started (one byte on a pipe) so that its exit status is the start's:
 * an error at start is printed on the caller's stderr, and exit 1.
 * Returns 0 in the daemon; the parents exit.
 */
static int
remoteDaemonDaemonize(remoteDaemon *d)
{
    int fds[2];
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) < 0) {
        remoteDaemonFail("cannot create a pipe: %s", g_strerror(errno));
        return -1;
    }
    if ((pid = fork()) < 0) {
        remoteDaemonFail("cannot fork: %s", g_strerror(errno));
        return -1;
    }
    if (pid > 0) {
        char status = 1;
        ssize_t got;
        int wstatus;

        close(fds[1]);
        do {
            got = read(fds[0], &status, 1);
        } while (got < 0 && errno == EINTR);
        /* The first child exits as soon as it forked the daemon. */
        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
            ;
        _exit(got == 1 && status == 0 ? 0 : 1);
    }

    close(fds[0]);
    if (setsid() < 0) {
        remoteDaemonFail("cannot start a session: %s", g_strerror(errno));
        _exit(1);
    }
    if ((pid = fork()) < 0) {
        remoteDaemonFail("cannot fork: %s", g_strerror(errno));
        _exit(1);
    }
    if (pid > 0)
        _exit(0);
    if (chdir("/") < 0) {
        remoteDaemonFail("cannot change to '/': %s", g_strerror(errno));
        _exit(1);
    }
    d->statusFd = fds[1];
    return 0;
}

/* The daemon started: let the waiting parent go, and leave the terminal. */
static void
remoteDaemonDetached(remoteDaemon *d)
{
    char ok = 0;
    int null;

    if (d->statusFd < 0)
        return;
    if ((null = open("/dev/null", O_RDWR)) >= 0) {
        struct stat sb;

        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        /* A session daemon's stderr, when a file, is the log its client
         * opened for it (remote_session.c): later warnings go there too.
         * A terminal or a pipe would tie the daemon to its caller. */
        if (!d->session || fstat(STDERR_FILENO, &sb) < 0 || !S_ISREG(sb.st_mode))
            dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    if (write(d->statusFd, &ok, 1) != 1)
        VIR_WARN("cannot tell the parent process the daemon started: %s",
                 g_strerror(errno));
    close(d->statusFd);
    d->statusFd = -1;
}

/*
 * Create and lock the pid file: a second daemon with the same pid file
 * finds it locked and refuses to start. The lock goes with the process,
 * so a killed daemon leaves a stale file that the next one takes over.
 */
static int
remoteDaemonPidFileAcquire(remoteDaemon *d)
{
    g_autofree char *dir = g_path_get_dirname(d->pidFile);
    g_autofree char *pid = NULL;
    int fd;

    if (g_mkdir_with_parents(dir, d->session ? 0700 : 0755) < 0) {
        remoteDaemonFail("cannot create the pid file's directory '%s': %s",
                         dir, g_strerror(errno));
        return -1;
    }
    if ((fd = open(d->pidFile, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
        remoteDaemonFail("cannot open the pid file '%s': %s", d->pidFile, g_strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int err = errno;
        char buf[32] = "";
        ssize_t got = pread(fd, buf, sizeof(buf) - 1, 0);

        close(fd);
        if (err == EWOULDBLOCK) {
            g_strchomp(buf);
            remoteDaemonFail("another libvirtd%s%s%s is running: the pid file '%s' is locked",
                             got > 0 ? " (pid " : "", got > 0 ? buf : "",
                             got > 0 ? ")" : "", d->pidFile);
        } else {
            remoteDaemonFail("cannot lock the pid file '%s': %s", d->pidFile, g_strerror(err));
        }
        return -1;
    }
    pid = g_strdup_printf("%lld\n", (long long) getpid());
    if (ftruncate(fd, 0) < 0 ||
        pwrite(fd, pid, strlen(pid), 0) != (ssize_t) strlen(pid)) {
        remoteDaemonFail("cannot write the pid file '%s': %s", d->pidFile, g_strerror(errno));
        close(fd);
        return -1;
    }
    d->pidFd = fd;
    return 0;
}

static void
remoteDaemonPidFileRelease(remoteDaemon *d)
{
    if (d->pidFd < 0)
        return;
    /* Unlinked while still locked: no other daemon can have taken it. */
    if (unlink(d->pidFile) < 0 && errno != ENOENT)
        remoteDaemonReport(false, "cannot remove the pid file: it stays, unlocked");
    close(d->pidFd);
    d->pidFd = -1;
}

static void
remoteDaemonServerConfig(const remoteDaemonConfig *cfg, virNetServerConfig *scfg)
{
    virNetServerConfigDefaults(scfg);
    scfg->minWorkers = cfg->minWorkers;
    scfg->maxWorkers = cfg->maxWorkers;
    scfg->maxClients = cfg->maxClients;
    scfg->maxClientRequests = cfg->maxClientRequests;
    scfg->maxMessageSize = cfg->maxMessageSize;
    scfg->keepaliveInterval = cfg->keepaliveInterval;
    scfg->keepaliveCount = cfg->keepaliveCount;
}

/*
 * Open and hold the system instance: the QEMU driver's state for the
 * root qemu_root, the same as qemu:///embed?root=<qemu_root>. The library
 * creates the root (0700) when missing and refuses one that anybody but
 * root (and us) could change. Held until the daemon exits; closing it
 * saves the state and leaves the QEMUs running, and the next daemon
 * reconnects to them.
 */
static int
remoteDaemonOpenSystem(remoteDaemon *d)
{
    d->systemURI = remoteDaemonConfigSystemURI(d->cfg);
    if (!(d->conn = virConnectOpen(d->systemURI))) {
        remoteDaemonFail("cannot host the QEMU instance of qemu_root '%s': %s",
                         d->cfg->qemuRoot, virGetLastErrorMessage());
        return -1;
    }
    VIR_INFO("hosting %s", d->systemURI);
    return 0;
}

/*
 * Socket activation: take the sockets systemd passed (its units
 * libvirtd.socket, libvirtd-ro.socket, libvirtd-tls.socket), each matched
 * by name or address; @passed[kind] says which were. @tls is the
 * daemon's TLS context, NULL when it has none (no --listen).
 */
static int
remoteDaemonListenActivated(remoteDaemon *d, const char *rw, const char *ro,
                            virNetTLSContext *tls, bool *passed)
{
    virSystemdListenFD *fds = NULL;
    int nfds;
    int ret = -1;

    if ((nfds = virSystemdGetListenFDs(&fds)) < 0) {
        remoteDaemonFail("socket activation: %s", virGetLastErrorMessage());
        return -1;
    }
    for (int i = 0; i < nfds; i++) {
        int kind = remoteDaemonSocketKindOf(fds[i].fd, fds[i].name, rw, ro);
        int rc;

        if (kind < 0) {
            remoteDaemonFail("socket activation: %s", virGetLastErrorMessage());
            goto cleanup;
        }
        if (passed[kind]) {
            remoteDaemonFail("socket activation: systemd passed a second socket for %s (descriptor %d)",
                             remoteDaemonSocketKindUnit(kind), fds[i].fd);
            goto cleanup;
        }
        if (kind == REMOTE_DAEMON_SOCKET_TLS && !tls) {
            remoteDaemonFail("socket activation: systemd passed the TLS socket (%s, descriptor %d) but the daemon has no TLS context: start it with --listen and the certificates of libvirtd.conf, or disable %s",
                             remoteDaemonSocketKindUnit(kind), fds[i].fd,
                             remoteDaemonSocketKindUnit(kind));
            goto cleanup;
        }
        if (kind == REMOTE_DAEMON_SOCKET_TLS)
            rc = virNetServerAddTCPSocketFD(d->srv, fds[i].fd, tls);
        else
            rc = virNetServerAddUnixSocketFD(d->srv, fds[i].fd,
                                             kind == REMOTE_DAEMON_SOCKET_RO);
        if (rc < 0) {
            remoteDaemonFail("socket activation: %s: %s",
                             remoteDaemonSocketKindUnit(kind), virGetLastErrorMessage());
            goto cleanup;
        }
        VIR_INFO("listening on %s passed by systemd (descriptor %d)",
                 remoteDaemonSocketKindUnit(kind), fds[i].fd);
        passed[kind] = true;
    }
    ret = 0;

 cleanup:
    virSystemdListenFDsFree(fds, nfds);
    return ret;
}

/*
 * --listen: the TLS context for clients on listen_addr:tls_port (or the
 * TLS socket systemd passes), as libvirt's (listen_tls is on by default,
 * and only --listen opens the TCP socket). The server's certificate and
 * key are checked now: a bad one stops the start with its error rather
 * than refusing every client later. *@ctx stays NULL without --listen.
 */
static int
remoteDaemonTLSContext(remoteDaemon *d, virNetTLSContext **ctx)
{
    const remoteDaemonConfig *cfg = d->cfg;
    virNetTLSFiles files = {
        .cacert = cfg->caFile, .cacrl = cfg->crlFile,
        .cert = cfg->certFile, .key = cfg->keyFile,
    };

    *ctx = NULL;
    if (!d->listen || !cfg->listenTLS)
        return 0;
    *ctx = virNetTLSContextNew(true, &files,
                               (const char *const *) cfg->tlsAllowedDNList,
                               !cfg->tlsNoSanityCert, !cfg->tlsNoVerifyCert,
                               cfg->tlsPriority);
    if (!*ctx) {
        remoteDaemonFail("cannot set up TLS: %s", virGetLastErrorMessage());
        return -1;
    }
    return 0;
}

static int
remoteDaemonListenTLS(remoteDaemon *d, virNetTLSContext *ctx)
{
    const remoteDaemonConfig *cfg = d->cfg;

    if (virNetServerAddTCPSocket(d->srv, cfg->listenAddr, cfg->tlsPort, ctx) < 0) {
        remoteDaemonFail("%s", virGetLastErrorMessage());
        return -1;
    }
    VIR_INFO("listening for TLS clients on %s port %s",
             cfg->listenAddr ? cfg->listenAddr : "every address", cfg->tlsPort);
    return 0;
}

static int
remoteDaemonListen(remoteDaemon *d)
{
    g_autofree char *rw = remoteDaemonConfigSocketPath(d->cfg, false);
    /* A session daemon has its read-write socket only, as libvirt's. */
    g_autofree char *ro = d->session ? NULL : remoteDaemonConfigSocketPath(d->cfg, true);
    const remoteDaemonConfig *cfg = d->cfg;
    bool passed[REMOTE_DAEMON_SOCKET_LAST] = { false };
    g_autoptr(virNetTLSContext) tls = NULL;

    if (remoteDaemonTLSContext(d, &tls) < 0 ||
        remoteDaemonListenActivated(d, rw, ro, tls, passed) < 0)
        return -1;
    /* The sockets systemd did not pass, the daemon makes itself. */
    if (tls && !passed[REMOTE_DAEMON_SOCKET_TLS] && remoteDaemonListenTLS(d, tls) < 0)
        return -1;
    if (passed[REMOTE_DAEMON_SOCKET_RW] && (!ro || passed[REMOTE_DAEMON_SOCKET_RO]))
        return 0;
    if (g_mkdir_with_parents(cfg->unixSockDir, d->session ? 0700 : 0755) < 0) {
        remoteDaemonFail("cannot create unix_sock_dir '%s': %s",
                         cfg->unixSockDir, g_strerror(errno));
        return -1;
    }
    if ((!passed[REMOTE_DAEMON_SOCKET_RW] &&
         virNetServerAddUnixSocket(d->srv, rw, cfg->unixSockRwPerms,
                                   cfg->unixSockGid, false) < 0) ||
        (ro && !passed[REMOTE_DAEMON_SOCKET_RO] &&
         virNetServerAddUnixSocket(d->srv, ro, cfg->unixSockRoPerms,
                                   cfg->unixSockGid, true) < 0)) {
        remoteDaemonFail("%s", virGetLastErrorMessage());
        return -1;
    }
    VIR_INFO("listening on '%s'%s%s%s", rw, ro ? " and '" : "", ro ? ro : "",
             ro ? "'" : "");
    return 0;
}

/* SIGHUP: the TLS listener is set up at the start only. */
static bool
remoteDaemonTLSChanged(const remoteDaemonConfig *a, const remoteDaemonConfig *b)
{
    const char *const strs[][2] = {
        { a->tlsPort, b->tlsPort }, { a->listenAddr, b->listenAddr },
        { a->keyFile, b->keyFile }, { a->certFile, b->certFile },
        { a->caFile, b->caFile }, { a->crlFile, b->crlFile },
        { a->tlsPriority, b->tlsPriority },
    };
    g_autofree char *dnA = a->tlsAllowedDNList ?
        g_strjoinv("\n", a->tlsAllowedDNList) : NULL;
    g_autofree char *dnB = b->tlsAllowedDNList ?
        g_strjoinv("\n", b->tlsAllowedDNList) : NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(strs); i++) {
        if (g_strcmp0(strs[i][0], strs[i][1]) != 0)
            return true;
    }
    return a->listenTLS != b->listenTLS || a->tlsNoSanityCert != b->tlsNoSanityCert ||
        a->tlsNoVerifyCert != b->tlsNoVerifyCert || g_strcmp0(dnA, dnB) != 0;
}

/* SIGHUP: @cfg keeps the TLS settings of @old, the ones in force. */
static void
remoteDaemonKeepTLS(remoteDaemonConfig *cfg, remoteDaemonConfig *old)
{
    char **strs[][2] = {
        { &cfg->tlsPort, &old->tlsPort }, { &cfg->listenAddr, &old->listenAddr },
        { &cfg->keyFile, &old->keyFile }, { &cfg->certFile, &old->certFile },
        { &cfg->caFile, &old->caFile }, { &cfg->crlFile, &old->crlFile },
        { &cfg->tlsPriority, &old->tlsPriority },
    };
    char **dns = cfg->tlsAllowedDNList;

    for (size_t i = 0; i < G_N_ELEMENTS(strs); i++) {
        char *tmp = *strs[i][0];

        *strs[i][0] = *strs[i][1];
        *strs[i][1] = tmp;
    }
    cfg->tlsAllowedDNList = old->tlsAllowedDNList;
    old->tlsAllowedDNList = dns;
    cfg->listenTLS = old->listenTLS;
    cfg->tlsNoSanityCert = old->tlsNoSanityCert;
    cfg->tlsNoVerifyCert = old->tlsNoVerifyCert;
}

/* Tell systemd (Type=notify) how the daemon is: a failure to is logged,
 * the daemon works on. */
static void
remoteDaemonNotify(remoteDaemon *d, const char *state)
{
    if (virSystemdNotify(d->notifySocket, state) < 0) {
        remoteDaemonReport(false, virGetLastErrorMessage());
        virResetLastError();
    }
}

/* ------------------------------------------------------------------ */
/* Signals and timers, on the main loop                                 */

static void
remoteDaemonSignalHandler(int signum)
{
    int saved = errno;
    unsigned char c = signum;

    /* Nonblocking: a full pipe already holds a wake-up. */
    if (write(daemonState.sigPipe[1], &c, 1) < 0) {
        /* nothing to do in a signal handler */
    }
    errno = saved;
}

/* SIGHUP: reread the configuration; a bad file is logged and the old
 * settings kept. What only a restart can change is said so. */
static void
remoteDaemonReload(remoteDaemon *d)
{
    remoteDaemonConfig *cfg = NULL;
    virNetServerConfig scfg;

    VIR_INFO("SIGHUP: rereading the configuration");
    if (remoteDaemonLoadConfig(d, &cfg) < 0) {
        g_autofree char *msg =
            g_strdup_printf("SIGHUP: the configuration was not reloaded, the old one stays in force: %s",
                            virGetLastErrorMessage());
        remoteDaemonReport(true, msg);
        virResetLastError();
        return;
    }
    for (guint i = 0; i < cfg->warnings->len; i++)
        remoteDaemonReport(false, g_ptr_array_index(cfg->warnings, i));
    if (g_strcmp0(cfg->unixSockDir, d->cfg->unixSockDir) != 0 ||
        g_strcmp0(cfg->unixSockGroup, d->cfg->unixSockGroup) != 0 ||
        cfg->unixSockRwPerms != d->cfg->unixSockRwPerms ||
        cfg->unixSockRoPerms != d->cfg->unixSockRoPerms)
        remoteDaemonReport(false, "SIGHUP: the sockets' directory, group and modes change at the next start only");
    if (g_strcmp0(cfg->qemuRoot, d->cfg->qemuRoot) != 0)
        remoteDaemonReport(false, "SIGHUP: qemu_root changes at the next start only");
    if (cfg->logLevel != d->cfg->logLevel)
        remoteDaemonReport(false, "SIGHUP: log_level changes at the next start only");
    if (remoteDaemonTLSChanged(cfg, d->cfg))
        remoteDaemonReport(false, "SIGHUP: the TLS settings (listen_tls, tls_port, listen_addr, the certificates, tls_allowed_dn_list, tls_priority) change at the next start only");
    remoteDaemonServerConfig(cfg, &scfg);
    virNetServerUpdateConfig(d->srv, &scfg);
    /* Keep what was started with, for the next comparison. */
    g_free(cfg->unixSockDir);
    cfg->unixSockDir = g_strdup(d->cfg->unixSockDir);
    g_free(cfg->unixSockGroup);
    cfg->unixSockGroup = g_strdup(d->cfg->unixSockGroup);
    cfg->unixSockGid = d->cfg->unixSockGid;
    cfg->unixSockRwPerms = d->cfg->unixSockRwPerms;
    cfg->unixSockRoPerms = d->cfg->unixSockRoPerms;
    g_free(cfg->qemuRoot);
    cfg->qemuRoot = g_strdup(d->cfg->qemuRoot);
    cfg->logLevel = d->cfg->logLevel;
    remoteDaemonKeepTLS(cfg, d->cfg);
    remoteDaemonConfigFree(d->cfg);
    d->cfg = cfg;
    VIR_INFO("configuration reloaded");
}

static void
remoteDaemonSignalEvent(int watch G_GNUC_UNUSED, int fd, int events G_GNUC_UNUSED,
                        void *opaque)
{
    remoteDaemon *d = opaque;
    unsigned char sigs[64];
    ssize_t got;

    while ((got = read(fd, sigs, sizeof(sigs))) > 0) {
        for (ssize_t i = 0; i < got; i++) {
            if (sigs[i] == SIGHUP) {
                remoteDaemonReload(d);
            } else {
                VIR_INFO("signal %d: shutting down", sigs[i]);
                d->quit = true;
            }
        }
    }
}

static int
remoteDaemonSetupSignals(remoteDaemon *d)
{
    struct sigaction sa = { 0 };
    int sigs[] = { SIGTERM, SIGINT, SIGHUP };

    if (pipe2(d->sigPipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        remoteDaemonFail("cannot create a pipe: %s", g_strerror(errno));
        return -1;
    }
    if ((d->sigWatch = virEventAddHandle(d->sigPipe[0], VIR_EVENT_HANDLE_READABLE,
                                         remoteDaemonSignalEvent, d, NULL)) < 0) {
        remoteDaemonFail("cannot watch for signals: %s", virGetLastErrorMessage());
        return -1;
    }
    sa.sa_handler = remoteDaemonSignalHandler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++)
        sigaction(sigs[i], &sa, NULL);
    /* A client gone mid-write is the server's to notice, not a kill. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    return 0;
}

/*
 * --timeout: as libvirt, the daemon exits once it has had no client and
 * no running domain for the given time. Checked each second: the server
 * tells no one when its last client goes.
 */
static void
remoteDaemonTimeoutCheck(int timer G_GNUC_UNUSED, void *opaque)
{
    remoteDaemon *d = opaque;
    gint64 now = g_get_monotonic_time();
    int running = virConnectNumOfDomains(d->conn);

    if (virNetServerClientCount(d->srv) > 0 || running != 0) {
        d->idleSince = 0;
        return;
    }
    if (!d->idleSince) {
        d->idleSince = now;
        return;
    }
    if (now - d->idleSince >= (gint64) d->timeout * G_USEC_PER_SEC) {
        VIR_INFO("idle for %d seconds: shutting down", d->timeout);
        d->quit = true;
    }
}

/* ------------------------------------------------------------------ */

static void
remoteDaemonShutdown(remoteDaemon *d)
{
    if (d->timeoutTimer > 0)
        virEventRemoveTimeout(d->timeoutTimer);
    if (d->srv) {
        /* Stop accepting, finish the calls in flight, close the clients
         * (their event registrations go with their connections). */
        virNetServerStop(d->srv);
        virNetServerFree(d->srv);
        d->srv = NULL;
    }
    if (d->conn) {
        /* The last hold on the root: the QEMU driver saves its state and
         * lets go of its QEMUs, which keep running. */
        virConnectClose(d->conn);
        d->conn = NULL;
    }
    if (d->sigWatch > 0)
        virEventRemoveHandle(d->sigWatch);
    remoteDaemonPidFileRelease(d);
}

int
main(int argc, char **argv)
{
    remoteDaemon *d = &daemonState;
    virNetServerConfig scfg;
    int ret = 1;

    if (remoteDaemonParseOptions(d, &argc, &argv) < 0)
        return 1;
    if (d->version) {
        printf("libvirtd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
        return 0;
    }
    /* As libvirt's: a daemon not run by root is that user's session
     * daemon, everything under the user's XDG directories. --system
     * keeps an unprivileged daemon (a service account's, a test's) the
     * system one. */
    d->session = geteuid() != 0 && !d->system;
    if (!d->pidFile) {
        d->pidFile = d->session ?
            g_build_filename(g_get_user_runtime_dir(), "libvirt-bp", "libvirtd.pid", NULL) :
            g_strdup(DEFAULT_PID_FILE);
    }
    d->notifySocket = virSystemdTakeNotifySocket();

    if (remoteDaemonLoadConfig(d, &d->cfg) < 0) {
        remoteDaemonFail("%s", virGetLastErrorMessage());
        return 1;
    }
    remoteDaemonSetupLogging(d);
    if (virInitialize() < 0) {
        remoteDaemonFail("%s", virGetLastErrorMessage());
        return 1;
    }
    for (guint i = 0; i < d->cfg->warnings->len; i++)
        remoteDaemonReport(false, g_ptr_array_index(d->cfg->warnings, i));

    /* Before any thread starts. */
    if (d->daemonize && remoteDaemonDaemonize(d) < 0)
        return 1;

    if (remoteDaemonPidFileAcquire(d) < 0)
        goto cleanup;
    if (virEventRegisterDefaultImpl() < 0) {
        remoteDaemonFail("cannot set up the event loop: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (remoteDaemonSetupSignals(d) < 0)
        goto cleanup;
    if (remoteDaemonOpenSystem(d) < 0)
        goto cleanup;

    remoteDaemonServerConfig(d->cfg, &scfg);
    remoteDaemonSetSession(d->session);
    if (!(d->srv = virNetServerNew(&scfg)) ||
        remoteDaemonAddPrograms(d->srv, d->systemURI) < 0) {
        remoteDaemonFail("cannot set up the server: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (remoteDaemonListen(d) < 0)
        goto cleanup;
    if (virNetServerStart(d->srv) < 0) {
        remoteDaemonFail("cannot start the server: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (d->timeout > 0 &&
        (d->timeoutTimer = virEventAddTimeout(1000, remoteDaemonTimeoutCheck, d, NULL)) < 0) {
        remoteDaemonFail("cannot set up the --timeout timer: %s", virGetLastErrorMessage());
        goto cleanup;
    }

    VIR_INFO("libvirtd %s started, pid %lld%s", PACKAGE_VERSION, (long long) getpid(),
             d->session ? " (session daemon)" : "");
    remoteDaemonDetached(d);
    remoteDaemonNotify(d, "READY=1");
    while (!d->quit) {
        if (virEventRunDefaultImpl() < 0) {
            remoteDaemonReport(true, "the event loop failed");
            goto cleanup;
        }
    }
    ret = 0;

 cleanup:
    if (ret == 0)
        remoteDaemonNotify(d, "STOPPING=1");
    remoteDaemonShutdown(d);
    remoteDaemonConfigFree(d->cfg);
    g_free(d->systemURI);
    g_free(d->configFile);
    g_free(d->pidFile);
    g_free(d->notifySocket);
    if (d->sigPipe[0] >= 0)
        close(d->sigPipe[0]);
    if (d->sigPipe[1] >= 0)
        close(d->sigPipe[1]);
    VIR_INFO("libvirtd stopped");
    return ret;
}
