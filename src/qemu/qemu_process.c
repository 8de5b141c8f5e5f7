/*
 * qemu_process.c: the life of a QEMU process: start (argv, labels, fork
 * into its own session as the QEMU user, monitor), stop (kill, restore),
 * reconnect after our own restart, and the monitor's events.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu_process.h"
#include "qemu_backing.h"
#include "qemu_blockjob.h"
#include "qemu_command.h"
#include "qemu_monitor.h"
#include "util/virerror.h"
#include "util/virfile.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/* QEMU finds its monitor's listening socket at this descriptor. */
#define QEMU_MONITOR_FD 3
/* Where the child reports a failed exec to us (close-on-exec). */
#define QEMU_STATUS_FD 4
/* Where the child waits for our go-ahead to exec (close-on-exec). */
#define QEMU_GO_FD 5

#define QEMU_LOG_TAIL_LINES 10

/* What the monitor told, for the event worker: typed, no JSON (json-c's
 * reference counts are not atomic: nothing of QEMU's message crosses
 * threads, only copies of its strings). */
typedef enum {
    QEMU_PROCESS_EVENT_JOB_STATUS_CHANGE,
    QEMU_PROCESS_EVENT_BLOCK_JOB_ERROR,
    QEMU_PROCESS_EVENT_MONITOR_EOF,
} qemuProcessEventType;

typedef struct {
    virDomainObj *vm;               /* reference */
    qemuProcessEventType type;
    char *jobid;                    /* the job events */
    qemuMonitorJobStatus status;    /* JOB_STATUS_CHANGE */
    char *operation;                /* BLOCK_JOB_ERROR */
    char *action;                   /* BLOCK_JOB_ERROR */
    bool eofError;                  /* MONITOR_EOF */
} qemuProcessEvent;

static void
qemuProcessCloseFD(gpointer fd)
{
    close(*(int *) fd);
}

static void
qemuProcessEventFree(qemuProcessEvent *ev)
{
    virDomainObjUnref(ev->vm);
    g_free(ev->jobid);
    g_free(ev->operation);
    g_free(ev->action);
    g_free(ev);
}

/* ------------------------------------------------------------------ */
/* Monitor callbacks: they run in the monitor's thread and only hand the
 * work to the driver's workers, which may block on QMP replies.
 *
 * Each domain has a queue of its own (qemuDomainObjPrivate.workQueue):
 * one worker at a time takes its events, in the order QEMU sent them, so
 * that a pull's pending, concluded and the rest are handled one after
 * another; different domains' queues are served by different workers of
 * the driver's pool (at most QEMU_DRIVER_WORKERS), so that 50 pulls
 * ending together are finished side by side, not each waiting for the
 * QMP round trips and fsyncs of the ones before it. A domain whose QEMU
 * hangs in the middle of a finish holds one worker, never the others. */

static qemuProcessEvent *
qemuProcessEventNew(virDomainObj *vm, qemuProcessEventType type)
{
    qemuProcessEvent *ev = g_new0(qemuProcessEvent, 1);

    virDomainObjRef(vm);
    ev->vm = vm;
    ev->type = type;
    return ev;
}

/* Append @ev to its domain's queue, and hand the domain to the pool if no
 * worker has it already. */
static void
qemuProcessQueueEvent(qemuProcessEvent *ev)
{
    qemuDomainObjPrivate *priv = ev->vm->privateData;
    qemuDriver *driver = priv->driver;
    bool schedule;

    g_mutex_lock(&driver->workLock);
    g_queue_push_tail(&priv->workQueue, ev);
    schedule = !priv->workScheduled;
    priv->workScheduled = true;
    g_mutex_unlock(&driver->workLock);
    if (schedule)
        g_thread_pool_push(driver->workerPool, virDomainObjRef(ev->vm), NULL);
}

static void
qemuProcessHandleJobStatusChange(qemuMonitor *mon G_GNUC_UNUSED,
                                 const char *jobid,
                                 qemuMonitorJobStatus status,
                                 void *opaque)
{
    qemuProcessEvent *ev = qemuProcessEventNew(opaque,
                                               QEMU_PROCESS_EVENT_JOB_STATUS_CHANGE);

    ev->jobid = g_strdup(jobid);
    ev->status = status;
    qemuProcessQueueEvent(ev);
}

static void
qemuProcessHandleBlockJobError(qemuMonitor *mon G_GNUC_UNUSED,
                               const char *jobid,
                               const char *operation,
                               const char *action,
                               void *opaque)
{
    qemuProcessEvent *ev = qemuProcessEventNew(opaque,
                                               QEMU_PROCESS_EVENT_BLOCK_JOB_ERROR);

    ev->jobid = g_strdup(jobid);
    ev->operation = g_strdup(operation);
    ev->action = g_strdup(action);
    qemuProcessQueueEvent(ev);
}

/* Right here, not through the worker: the STOP that follows a SHUTDOWN
 * must already see it (see qemuProcessHandleStop()). */
static void
qemuProcessHandleShutdown(qemuMonitor *mon G_GNUC_UNUSED,
                          bool guest G_GNUC_UNUSED,
                          const char *reason G_GNUC_UNUSED,
                          void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv = vm->privateData;

    virDomainObjLock(vm);
    priv->gotShutdown = true;
    virDomainObjUnlock(vm);
}

void
qemuProcessSetPaused(qemuDriver *driver, virDomainObj *vm, int reason)
{
    if (vm->state != VIR_DOMAIN_RUNNING)
        return;
    VIR_DEBUG("domain '%s' paused, reason %d", vm->def->name, reason);
    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, reason);
    qemuDomainSaveStatus(driver, vm);
    qemuDomainEventQueue(driver,
                         virDomainEventLifecycleNew(vm->def->name, vm->def->uuid,
                                                    vm->def->id,
                                                    VIR_DOMAIN_EVENT_SUSPENDED,
                                                    VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
}

void
qemuProcessSetRunning(qemuDriver *driver, virDomainObj *vm, int reason)
{
    if (vm->state != VIR_DOMAIN_PAUSED ||
        vm->reason == VIR_DOMAIN_PAUSED_STARTING_UP)
        return;
    VIR_DEBUG("domain '%s' running, reason %d", vm->def->name, reason);
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, reason);
    qemuDomainSaveStatus(driver, vm);
    qemuDomainEventQueue(driver,
                         virDomainEventLifecycleNew(vm->def->name, vm->def->uuid,
                                                    vm->def->id,
                                                    VIR_DOMAIN_EVENT_RESUMED,
                                                    VIR_DOMAIN_EVENT_RESUMED_UNPAUSED));
}

/*
 * STOP and RESUME are handled in the monitor's thread, not by the worker,
 * so that they are in order with the replies: QEMU sends STOP before its
 * reply to "stop", so virDomainSuspend() finds the state already set
 * (and the event already queued) when its reply comes, and an event the
 * worker would get late could not undo a later virDomainResume(). A
 * change the driver did not ask for (a "stop" sent through
 * virDomainQemuMonitorCommand(), QEMU pausing on its own) is told too.
 * Ignored: what comes while the domain starts (the start sets the state
 * itself), after a SHUTDOWN (QEMU stops the CPUs on its way out) or once
 * the domain is being stopped.
 */
static bool
qemuProcessRunStateIgnored(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;

    return !virDomainObjIsActive(vm) || !priv->mon || priv->monEOF ||
        priv->beingDestroyed || priv->gotShutdown ||
        (vm->state == VIR_DOMAIN_PAUSED &&
         vm->reason == VIR_DOMAIN_PAUSED_STARTING_UP);
}

static void
qemuProcessHandleStop(qemuMonitor *mon G_GNUC_UNUSED, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv = vm->privateData;

    virDomainObjLock(vm);
    if (!qemuProcessRunStateIgnored(vm))
        qemuProcessSetPaused(priv->driver, vm, priv->pausedReason);
    virDomainObjUnlock(vm);
}

static void
qemuProcessHandleResume(qemuMonitor *mon G_GNUC_UNUSED, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv = vm->privateData;

    virDomainObjLock(vm);
    if (!qemuProcessRunStateIgnored(vm))
        qemuProcessSetRunning(priv->driver, vm, VIR_DOMAIN_RUNNING_UNPAUSED);
    virDomainObjUnlock(vm);
}

static void
qemuProcessHandleMonitorEOF(qemuMonitor *mon G_GNUC_UNUSED, bool error,
                            void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv = vm->privateData;
    qemuProcessEvent *ev;

    /* Wake whoever waits for QEMU right away: nothing more will come. */
    virDomainObjLock(vm);
    priv->monEOF = true;
    virDomainObjBroadcast(vm);
    virDomainObjUnlock(vm);
    ev = qemuProcessEventNew(vm, QEMU_PROCESS_EVENT_MONITOR_EOF);
    ev->eofError = error;
    qemuProcessQueueEvent(ev);
}

/* The BLOCK_JOB_* ends are not needed: JOB_STATUS_CHANGE drives the
 * pull. */
static const qemuMonitorCallbacks qemuProcessMonitorCallbacks = {
    .jobStatusChange = qemuProcessHandleJobStatusChange,
    .blockJobError = qemuProcessHandleBlockJobError,
    .stop = qemuProcessHandleStop,
    .resume = qemuProcessHandleResume,
    .shutdown = qemuProcessHandleShutdown,
    .eof = qemuProcessHandleMonitorEOF,
};

/*
 * Fill @addr for bind()/connect() on the socket at @path, a file of the
 * state directory. sun_path holds 108 bytes and an embed root can be
 * longer, so a long path is reached through the state directory's
 * descriptor; the socket's own name is short (see qemuProcessStart), so
 * that always fits. A path that still would not is refused: cut short, it
 * would name another file.
 */
static int
qemuProcessSocketAddr(qemuDriver *driver, const char *path,
                      struct sockaddr_un *addr)
{
    g_autofree char *viafd = NULL;
    const char *use = path;

    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        viafd = g_strdup_printf("/proc/self/fd/%d/%s", driver->stateDirFd,
                                strrchr(path, '/') + 1);
        use = viafd;
    }
    if (strlen(use) >= sizeof(addr->sun_path)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "monitor socket path '%s' is too long for a unix socket",
                       path);
        return -1;
    }
    memcpy(addr->sun_path, use, strlen(use) + 1);
    return 0;
}

/*
 * Connect to the monitor socket: it was listening before QEMU started, and
 * only QEMU holds it, so a refused connection means QEMU is gone (never
 * worth a retry, unlike a socket QEMU makes itself): *@gone says so.
 */
static int
qemuProcessMonitorConnect(qemuDriver *driver, const char *path, bool *gone)
{
    struct sockaddr_un addr;
    int fd;

    if (qemuProcessSocketAddr(driver, path, &addr) < 0)
        return -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        virReportSystemError(errno, "%s", "cannot create a unix socket");
        return -1;
    }
    while (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        if (errno == EINTR)
            continue;
        *gone = errno == ECONNREFUSED;
        virReportSystemError(errno, "cannot connect to QEMU monitor '%s'", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* Has the other end of connection @fd closed it (QEMU on its way out)?
 * Asks without waiting. */
static bool
qemuProcessPeerClosed(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLRDHUP };

    if (poll(&pfd, 1, 0) <= 0)
        return false;
    return pfd.revents & (POLLRDHUP | POLLHUP | POLLERR);
}

/*
 * Connect the domain's monitor (vm locked; dropped meanwhile). On failure
 * *@gone (may be NULL) tells whether QEMU closed the monitor, which it
 * does only when it exits, or did not (a QEMU that does not answer).
 */
static int
qemuProcessMonitorOpen(qemuDriver *driver, virDomainObj *vm, bool *gone)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    qemuMonitor *mon = NULL;
    bool closed = false;
    int fd;

    /* The monitor's callbacks hold a reference on the domain. */
    virDomainObjRef(vm);
    priv->monEOF = false;
    virDomainObjUnlock(vm);
    if ((fd = qemuProcessMonitorConnect(driver, priv->monPath, &closed)) >= 0) {
        /* Our own look at the connection, for when the monitor fails: it
         * closes its descriptor, not the connection we keep open here. */
        int peek = fcntl(fd, F_DUPFD_CLOEXEC, 0);

        mon = qemuMonitorOpenFD(fd, virEventThreadGetContext(driver->eventThread),
                                &qemuProcessMonitorCallbacks, vm,
                                driver->cfg->monitorTimeout);
        if (!mon && peek >= 0)
            closed = qemuProcessPeerClosed(peek);
        if (peek >= 0)
            close(peek);
    }
    if (gone)
        *gone = closed;
    virDomainObjLock(vm);
    if (!mon) {
        virDomainObjUnref(vm);
        return -1;
    }
    qemuMonitorSetCommandTimeout(mon, driver->cfg->monitorTimeout);
    priv->mon = mon;
    return 0;
}

/* Close the monitor (vm locked): waits for the threads still using it. */
static void
qemuProcessMonitorClose(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    qemuMonitor *mon = priv->mon;

    if (!mon)
        return;
    priv->monEOF = true;
    virDomainObjBroadcast(vm);
    while (priv->monUsers > 0)
        virDomainObjWait(vm);
    priv->mon = NULL;
    /* Closing waits for the monitor thread, whose callbacks take vm->lock. */
    virDomainObjUnlock(vm);
    qemuMonitorClose(mon);
    virDomainObjLock(vm);
    virDomainObjUnref(vm);
}

/* ------------------------------------------------------------------ */
/* Start                                                                */

static int
qemuProcessCreateMonitorSocket(qemuDriver *driver, const char *path)
{
    struct sockaddr_un addr;
    int fd;

    if (qemuProcessSocketAddr(driver, path, &addr) < 0)
        return -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        virReportSystemError(errno, "%s", "cannot create the monitor socket");
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        virReportSystemError(errno, "cannot listen on monitor socket '%s'", path);
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Every file QEMU opens by path: each image of each chain, then the
 * serial/console files (*@nimages is where the images end).
 */
static char **
qemuProcessCollectPaths(virDomainDef *def, size_t *nimages)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; i < def->ndisks; i++) {
        for (virStorageSource *src = def->disks[i]->src;
             src && src->type == VIR_STORAGE_TYPE_FILE; src = src->backingStore)
            g_ptr_array_add(paths, g_strdup(src->path));
    }
    *nimages = paths->len;
    for (size_t i = 0; i < def->nserials; i++) {
        if (def->serials[i]->type == VIR_DOMAIN_CHR_TYPE_FILE)
            g_ptr_array_add(paths, g_strdup(def->serials[i]->path));
    }
    for (size_t i = 0; i < def->nconsoles; i++) {
        if (def->consoles[i]->type == VIR_DOMAIN_CHR_TYPE_FILE)
            g_ptr_array_add(paths, g_strdup(def->consoles[i]->path));
    }
    g_ptr_array_add(paths, NULL);
    return (char **) g_ptr_array_free(g_steal_pointer(&paths), FALSE);
}

/*
 * Open a serial/console output file, creating it (as root) if missing,
 * before it is labelled; returns its descriptor, which is what gets
 * labelled. It must be a regular file: opening a FIFO for writing blocks
 * until a reader comes, for ever with the driver's lock held.
 *
 * No symbolic link is followed anywhere in its path. The file is handed
 * to QEMU's user, so a link there is a way to have the driver give that
 * user any file: whoever can write a directory on the way (QEMU's user,
 * if the log lives in a directory it may write) could plant one or point
 * it elsewhere between two starts, and the driver, as root, would chown
 * its target. A link could be made safe only by checking who can change
 * it and every directory it passes through; a log needs no link at all,
 * so none is taken: the administrator names the file itself.
 */
static int
qemuProcessPrepareChrFile(const char *path)
{
    g_autofree char *want = g_canonicalize_filename(path, "/");
    g_autofree char *proc = NULL;
    g_autofree char *opened = NULL;
    struct stat sb;
    int fd;

    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        g_autofree char *target = g_file_read_link(path, NULL);

        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "serial log '%s' is a symbolic link (to '%s'), which is not followed: name the file itself",
                       path, NULLSTR(target));
        return -1;
    }
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "serial log '%s' is not a regular file", path);
        return -1;
    }
    /* Nothing is created through a symlinked directory either (checked
     * again on what was opened, below, for a link put there meanwhile). */
    {
        g_autofree char *dir = g_path_get_dirname(want);
        g_autofree char *realdir = realpath(dir, NULL);

        if (realdir && strcmp(realdir, dir) != 0) {
            g_autofree char *base = g_path_get_basename(want);
            g_autofree char *real = g_build_filename(realdir, base, NULL);

            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "serial log '%s' is reached through a symbolic link (it is '%s'), which is not followed: name the file by its own path",
                           path, real);
            return -1;
        }
    }
    /* O_EXCL and O_NOFOLLOW fail on a symlink put there meanwhile. */
    fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
              O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
                  O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        if (errno == ELOOP) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "serial log '%s' is a symbolic link, which is not followed: name the file itself",
                           path);
        } else {
            virReportSystemError(errno, "cannot open serial log '%s'", path);
        }
        return -1;
    }
    /* The name may have been given to something else since the lstat(). */
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "serial log '%s' is not a regular file", path);
        close(fd);
        return -1;
    }
    /* A directory on the way that is a link: the kernel's name of what
     * was opened is not the one given. */
    proc = g_strdup_printf("/proc/self/fd/%d", fd);
    if (!(opened = g_file_read_link(proc, NULL)) || strcmp(opened, want) != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "serial log '%s' is reached through a symbolic link (it is '%s'), which is not followed: name the file by its own path",
                       path, NULLSTR(opened));
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Open every serial/console output file (see qemuProcessPrepareChrFile):
 * their descriptors, in the order qemuProcessCollectPaths lists them.
 * NULL on error.
 */
static GArray *
qemuProcessPrepareChrFiles(virDomainDef *def)
{
    virDomainChrDef **lists[] = { def->serials, def->consoles };
    size_t counts[] = { def->nserials, def->nconsoles };
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));

    g_array_set_clear_func(fds, qemuProcessCloseFD);
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            virDomainChrDef *chr = lists[l][i];
            int fd;

            if (chr->type != VIR_DOMAIN_CHR_TYPE_FILE)
                continue;
            if ((fd = qemuProcessPrepareChrFile(chr->path)) < 0)
                return NULL;
            g_array_append_val(fds, fd);
        }
    }
    return g_steal_pointer(&fds);
}

/*
 * Label what QEMU opens for vm: the images by path (a symlinked image
 * path is legitimate), then the serial logs by the descriptors @chrfds
 * that were opened and checked. vm locked. On failure priv->labels is
 * cleared if nothing stayed labelled, else kept for the caller's clean-up
 * to give back.
 */
static int
qemuProcessSetLabels(qemuDriver *driver, virDomainObj *vm, size_t nimages,
                     GArray *chrfds)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autofree char *holder = virSecurityManagerHolderID(driver->root,
                                                         vm->def->uuid);

    if (virSecurityManagerSetImageLabels(driver->securityManager,
                                         (const char *const *) priv->labels,
                                         nimages, holder) < 0) {
        /* Nothing stays labelled after a failed SetImageLabels. */
        g_clear_pointer(&priv->labels, g_strfreev);
        return -1;
    }
    for (guint i = 0; i < chrfds->len; i++) {
        if (virSecurityManagerSetImageLabelFD(driver->securityManager,
                                              g_array_index(chrfds, int, i),
                                              priv->labels[nimages + i],
                                              holder) < 0)
            return -1;
    }
    return 0;
}

static int
qemuProcessOpenLog(virDomainObj *vm, char **argv)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autofree char *cmdline = g_strjoinv(" ", argv);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");
    g_autofree char *header = NULL;
    int fd;

    if ((fd = open(priv->logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                   0600)) < 0) {
        virReportSystemError(errno, "cannot open log file '%s'", priv->logPath);
        return -1;
    }
    header = g_strdup_printf("%s: starting up\n%s\n", stamp, cmdline);
    if (write(fd, header, strlen(header)) < 0)
        VIR_WARN("cannot write to '%s': %s", priv->logPath, g_strerror(errno));
    /* The log keeps every earlier run: a failure of this start quotes only
     * what QEMU writes from here on. */
    if ((priv->logStart = lseek(fd, 0, SEEK_END)) < 0)
        priv->logStart = 0;
    return fd;
}

/*
 * Fork QEMU: it runs in a session of its own (so Ctrl-C in the caller's
 * terminal does not reach it) as a grandchild that init adopts (so it
 * outlives us and never needs reaping here), as the QEMU user, with the
 * monitor socket and the log as its only descriptors. Everything the child
 * needs is prepared before fork(): after it only async-signal-safe calls.
 *
 * The grandchild execs QEMU only once @recordPid has put its pid on disk
 * and we say so through a socket whose other end no one else keeps: were
 * we killed before, it reads end of file and exits without ever becoming
 * a QEMU that nobody knows of. (A socket, not a pipe: sending to a
 * grandchild that died early must fail with EPIPE, not raise SIGPIPE.)
 */
static pid_t
qemuProcessFork(qemuDriver *driver, char **argv, int monfd, int logfd,
                int (*recordPid)(pid_t pid, void *opaque), void *opaque)
{
    int pipefd[2];
    int gofd[2];
    pid_t child, qemupid = -1;
    int childErrno = 0;
    int status;
    ssize_t n;
    int nullfd;

    if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, "%s", "cannot open /dev/null");
        return -1;
    }
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        virReportSystemError(errno, "%s", "cannot create a pipe");
        close(nullfd);
        return -1;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gofd) < 0) {
        virReportSystemError(errno, "%s", "cannot create a socket pair");
        close(pipefd[0]);
        close(pipefd[1]);
        close(nullfd);
        return -1;
    }

    if ((child = fork()) < 0) {
        virReportSystemError(errno, "%s", "cannot fork");
        close(pipefd[0]);
        close(pipefd[1]);
        close(gofd[0]);
        close(gofd[1]);
        close(nullfd);
        return -1;
    }

    if (child == 0) {
        sigset_t all;
        pid_t grandchild;
        char go;

        /* Only the parent may hold the go-ahead's write end. */
        close(gofd[1]);
        close(pipefd[0]);
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        if (setsid() < 0)
            _exit(1);
        if ((grandchild = fork()) < 0)
            _exit(1);
        if (grandchild > 0) {
            if (write(pipefd[1], &grandchild, sizeof(grandchild)) < 0)
                _exit(1);
            _exit(0);
        }
        /* Lay the descriptors out: 0 /dev/null, 1 and 2 the log, 3 the
         * monitor, 4 the status pipe, 5 the go-ahead; nothing else (nor
         * the go-ahead sockets of other starts). Move them above the
         * targets first so dup2() cannot clobber one with another. */
        {
            int mfd = fcntl(monfd, F_DUPFD, 10);
            int lfd = fcntl(logfd, F_DUPFD, 10);
            int nfd = fcntl(nullfd, F_DUPFD, 10);
            int sfd = fcntl(pipefd[1], F_DUPFD, 10);
            int gfd = fcntl(gofd[0], F_DUPFD, 10);

            if (mfd < 0 || lfd < 0 || nfd < 0 || sfd < 0 || gfd < 0 ||
                dup2(nfd, 0) < 0 || dup2(lfd, 1) < 0 || dup2(lfd, 2) < 0 ||
                dup2(mfd, QEMU_MONITOR_FD) < 0 || dup2(sfd, QEMU_STATUS_FD) < 0 ||
                dup2(gfd, QEMU_GO_FD) < 0)
                _exit(1);
            fcntl(QEMU_STATUS_FD, F_SETFD, FD_CLOEXEC);
            fcntl(QEMU_GO_FD, F_SETFD, FD_CLOEXEC);
            close_range(QEMU_GO_FD + 1, ~0U, 0);
        }
        while ((n = read(QEMU_GO_FD, &go, 1)) < 0 && errno == EINTR)
            ;
        if (n != 1)
            _exit(1);
        if (virSecurityManagerDropPrivilegesInChild(driver->securityManager) < 0) {
            int e = errno;
            if (write(QEMU_STATUS_FD, &e, sizeof(e)) < 0)
                _exit(1);
            _exit(1);
        }
        execv(argv[0], argv);
        {
            int e = errno;
            if (write(QEMU_STATUS_FD, &e, sizeof(e)) < 0)
                _exit(1);
        }
        _exit(127);
    }

    close(pipefd[1]);
    close(gofd[0]);
    close(nullfd);
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    n = read(pipefd[0], &qemupid, sizeof(qemupid));
    if (n != sizeof(qemupid)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "cannot start QEMU: the helper process failed");
        close(pipefd[0]);
        close(gofd[1]);
        return -1;
    }
    /* Record the pid before QEMU may exist: were we to die now, the
     * grandchild exits, and the next process finds it or nothing. */
    if (recordPid(qemupid, opaque) < 0) {
        /* End of file on the go-ahead: it exits without exec. */
        close(gofd[1]);
        close(pipefd[0]);
        return -1;
    }
    while ((n = send(gofd[1], "", 1, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    close(gofd[1]);
    /* End of file here means exec succeeded (the pipe was close-on-exec);
     * a child that failed before it says why here too. */
    {
        ssize_t r;

        while ((r = read(pipefd[0], &childErrno, sizeof(childErrno))) < 0 &&
               errno == EINTR)
            ;
        close(pipefd[0]);
        if (r == sizeof(childErrno)) {
            virReportSystemError(childErrno, "cannot execute QEMU binary '%s'",
                                 argv[0]);
            return -1;
        }
    }
    if (n != 1) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "cannot start QEMU: the helper process failed");
        return -1;
    }
    return qemupid;
}

/* The pid file and the status file learn QEMU's pid, and who it is. vm
 * locked. */
static int
qemuProcessRecordPid(pid_t pid, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autofree char *pidstr = g_strdup_printf("%d\n", (int) pid);

    vm->pid = pid;
    g_clear_pointer(&vm->pidBootID, g_free);
    if (virProcessGetStartTime(pid, &vm->pidStartTime) < 0 ||
        !(vm->pidBootID = virHostGetBootID()))
        return -1;
    if (virFileWriteAtomic(priv->pidPath, pidstr, 0644) < 0)
        return -1;
    return qemuDomainSaveStatusRequired(priv->driver, vm);
}

/*
 * A start failed once QEMU was forked: say why, with what QEMU wrote in
 * this run (after our header and command line: what an earlier run said
 * is not this failure's cause). "QEMU exited" only if it did: its process
 * is gone, or it closed the monitor (@closed), which it does only on its
 * way out, whether we saw "connection refused" or "end of file" first. A
 * QEMU that is still there (a monitor timeout, a refused command) keeps
 * the error that was found, its output added: a warning it printed is
 * not why the start failed. Nothing here waits (the vm lock is held).
 */
static void
qemuProcessReportStartFailure(virDomainObj *vm, bool closed)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autofree char *last = virFileReadTailFrom(priv->logPath, priv->logStart,
                                                QEMU_LOG_TAIL_LINES);
    g_autoptr(virError) orig = NULL;

    virErrorPreserveLast(&orig);
    if (closed || priv->monEOF || !virProcessIsAlive(vm->pid)) {
        if (last && *last) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           "QEMU exited during start-up of domain '%s': %s",
                           vm->def->name, last);
        } else {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           "QEMU exited during start-up of domain '%s' and wrote nothing to its log '%s'",
                           vm->def->name, priv->logPath);
        }
        return;
    }
    if (!orig) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "cannot start domain '%s'%s%s", vm->def->name,
                       last && *last ? "; QEMU wrote: " : "",
                       last && *last ? last : "");
        return;
    }
    if (last && *last) {
        virReportError(orig->code, "%s; QEMU wrote: %s",
                       orig->message ? orig->message : "unknown error", last);
        return;
    }
    virErrorRestore(&orig);
}

/* Undo a start: kill, restore, remove files. vm locked. */
static void
qemuProcessCleanup(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autoptr(virError) saved = NULL;

    virErrorPreserveLast(&saved);
    qemuProcessMonitorClose(vm);
    if (vm->pid > 0)
        virProcessKillWait(vm->pid, true, 10000);
    if (priv->labels) {
        g_autofree char *holder = virSecurityManagerHolderID(driver->root,
                                                             vm->def->uuid);

        virSecurityManagerRestoreImageLabels(driver->securityManager,
                                             (const char *const *) priv->labels,
                                             g_strv_length(priv->labels), holder);
    }
    g_clear_pointer(&priv->labels, g_strfreev);
    if (priv->monPath)
        virFileUnlinkQuiet(priv->monPath);
    if (priv->pidPath)
        virFileUnlinkQuiet(priv->pidPath);
    qemuDomainRemoveStatus(driver, vm);
    g_clear_pointer(&priv->monPath, g_free);
    g_clear_pointer(&priv->pidPath, g_free);
    vm->pid = 0;
    vm->pidStartTime = 0;
    g_clear_pointer(&vm->pidBootID, g_free);
    priv->gotShutdown = false;
    priv->beingDestroyed = false;
    if (vm->newDef) {
        virDomainDefFree(vm->def);
        vm->def = g_steal_pointer(&vm->newDef);
    }
    vm->def->id = -1;
    virErrorRestore(&saved);
}

int
qemuProcessStart(qemuDriver *driver, virDomainObj *vm, unsigned int flags)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autoptr(virDomainDef) live = NULL;
    g_auto(GStrv) argv = NULL;
    g_autoptr(GArray) chrfds = NULL;
    const char *emulator;
    size_t nimages;
    bool paused = !!(flags & VIR_DOMAIN_START_PAUSED);
    int monfd = -1;
    int logfd = -1;
    pid_t pid;

    VIR_DEBUG("starting domain '%s' flags=0x%x", vm->def->name, flags);

    live = virDomainDefCopy(vm->def);
    emulator = live->emulator ? live->emulator : driver->cfg->emulator;
    if (access(emulator, X_OK) < 0) {
        virReportSystemError(errno, "cannot use QEMU binary '%s'", emulator);
        return -1;
    }
    if (qemuBackingResolveChains(driver, vm, live) < 0)
        return -1;
    qemuDomainAssignNodeNames(live);
    g_mutex_lock(&driver->lock);
    live->id = driver->nextID++;
    g_mutex_unlock(&driver->lock);

    if (!(argv = qemuBuildCommandLine(live, emulator, QEMU_MONITOR_FD, NULL,
                                      qemuHostHasKVM())))
        return -1;
    if (!(chrfds = qemuProcessPrepareChrFiles(live)))
        return -1;

    /* Named by the uuid, not the name: a unix socket's path has at most
     * 108 bytes, a name up to 247 (see qemuProcessSocketAddr). */
    {
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        virUUIDFormat(live->uuid, uuidstr);
        priv->monPath = g_strdup_printf("%s/%s.mon", driver->stateDir, uuidstr);
    }
    priv->pidPath = g_strdup_printf("%s/%s.pid", driver->stateDir, live->name);
    g_free(priv->logPath);
    priv->logPath = g_strdup_printf("%s/%s.log", driver->logDir, live->name);
    priv->labels = qemuProcessCollectPaths(live, &nimages);

    /* From here on the domain counts as running: status files describe
     * everything to undo if we crash half way. */
    if (vm->persistent)
        vm->newDef = g_steal_pointer(&vm->def);
    else
        virDomainDefFree(vm->def);
    vm->def = g_steal_pointer(&live);
    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP);

    /* The status file lists the images before they are labelled: killed in
     * between, the next process gives back whatever we labelled (giving
     * back a label never set changes nothing). */
    if (qemuDomainSaveStatusRequired(driver, vm) < 0 ||
        qemuProcessSetLabels(driver, vm, nimages, chrfds) < 0)
        goto error;
    g_clear_pointer(&chrfds, g_array_unref);

    if ((monfd = qemuProcessCreateMonitorSocket(driver, priv->monPath)) < 0)
        goto error;
    if ((logfd = qemuProcessOpenLog(vm, argv)) < 0)
        goto error;

    pid = qemuProcessFork(driver, argv, monfd, logfd, qemuProcessRecordPid, vm);
    /* Our copy of the listening socket must go, or a QEMU that dies early
     * would leave us waiting for a greeting that never comes. */
    close(monfd);
    monfd = -1;
    close(logfd);
    logfd = -1;
    if (pid < 0)
        goto error;
    VIR_DEBUG("domain '%s' QEMU pid %d", vm->def->name, (int) pid);

    {
        bool gone = false;

        if (qemuProcessMonitorOpen(driver, vm, &gone) < 0) {
            qemuProcessReportStartFailure(vm, gone);
            goto error;
        }
    }

    if (!paused) {
        qemuMonitor *mon;
        int rc;

        if (!(mon = qemuDomainObjEnterMonitor(vm)))
            goto error;
        rc = qemuMonitorCont(mon);
        qemuDomainObjExitMonitor(vm);
        if (rc < 0) {
            qemuProcessReportStartFailure(vm, !qemuMonitorIsAlive(priv->mon));
            goto error;
        }
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    } else {
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    }
    /* Saved before the start counts as done: a status file that still said
     * "starting up" would have the next process stop the domain. */
    if (qemuDomainSaveStatusRequired(driver, vm) < 0)
        goto error;

    qemuDomainEventQueue(driver,
                         virDomainEventLifecycleNew(vm->def->name, vm->def->uuid,
                                                    vm->def->id,
                                                    VIR_DOMAIN_EVENT_STARTED,
                                                    VIR_DOMAIN_EVENT_STARTED_BOOTED));
    if (paused) {
        qemuDomainEventQueue(driver,
                             virDomainEventLifecycleNew(vm->def->name, vm->def->uuid,
                                                        vm->def->id,
                                                        VIR_DOMAIN_EVENT_SUSPENDED,
                                                        VIR_DOMAIN_EVENT_SUSPENDED_PAUSED));
    }
    return 0;

 error:
    if (monfd >= 0)
        close(monfd);
    if (logfd >= 0)
        close(logfd);
    qemuProcessCleanup(driver, vm);
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Stop                                                                 */

void
qemuProcessStop(qemuDriver *driver, virDomainObj *vm, int reason, int detail)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    g_autoptr(GPtrArray) events = g_ptr_array_new();
    virDomainEvent *stopped;

    VIR_DEBUG("stopping domain '%s' reason=%d", vm->def->name, reason);

    /* Let whoever still talks to QEMU finish first (the event worker may
     * be half way through finishing a pull): afterwards nobody else
     * touches the block jobs. */
    priv->monEOF = true;
    virDomainObjBroadcast(vm);
    while (priv->monUsers > 0)
        virDomainObjWait(vm);

    /* Made while the domain still has its id. */
    stopped = virDomainEventLifecycleNew(vm->def->name, vm->def->uuid, vm->def->id,
                                         VIR_DOMAIN_EVENT_STOPPED, detail);
    /* Block jobs end with the domain; their owners hear of it once the
     * domain is shut off and its images are given back. */
    qemuBlockJobsEndOnStop(vm, events);
    qemuProcessCleanup(driver, vm);
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, reason);
    /* In the order things happened: the ends of pulls that were waiting
     * for a status save (the status file is gone now), the stop, then the
     * pulls it ended. An application that hears FAILED already knows why. */
    qemuDomainQueuePendingEvents(driver, vm);
    qemuDomainEventQueue(driver, stopped);
    /* Nobody listening: kept in the domain object (with no status file
     * now, for this process only; a transient domain takes them along
     * when it goes). */
    for (guint i = 0; i < events->len; i++)
        qemuDomainEventQueueHold(driver, vm, g_ptr_array_index(events, i));
}

/* ------------------------------------------------------------------ */
/* Reconnect                                                            */

/*
 * Is vm->pid the process we forked for this domain (and not a recycled
 * pid)? The start time and boot recorded with the pid say so exactly,
 * whatever the process runs: before its exec it is still a copy of the
 * process that started it, with no QEMU arguments at all. Nothing is
 * parsed from its command line, where the name would have to be escaped
 * as QEMU escapes it.
 */
static bool
qemuProcessIsOurs(virDomainObj *vm)
{
    g_autofree char *bootid = NULL;
    unsigned long long start;

    if (!virProcessIsAlive(vm->pid))
        return false;

    if (vm->pidBootID) {
        if (!(bootid = virHostGetBootID()) ||
            virProcessGetStartTime(vm->pid, &start) < 0) {
            virResetLastError();
            return false;
        }
        return strcmp(bootid, vm->pidBootID) == 0 && start == vm->pidStartTime;
    }

    /* A status file written before start times were recorded: the best
     * left is QEMU's -uuid argument, which needs no escaping. (Such a
     * file's child did not wait to exec, so its pid is QEMU's.) */
    {
        g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int) vm->pid);
        g_autofree char *cmdline = NULL;
        char uuidstr[VIR_UUID_STRING_BUFLEN];
        bool prev = false;
        gsize len;

        if (!g_file_get_contents(path, &cmdline, &len, NULL))
            return false;
        virUUIDFormat(vm->def->uuid, uuidstr);
        for (gsize i = 0; i < len; i += strlen(cmdline + i) + 1) {
            const char *arg = cmdline + i;

            if (prev && strcmp(arg, uuidstr) == 0)
                return true;
            prev = strcmp(arg, "-uuid") == 0;
        }
        return false;
    }
}

/*
 * Take over a QEMU that runs already, in two halves so that the takeovers
 * of all domains of a root overlap: qemuProcessReconnectStart() checks
 * the pid is ours and sends what the monitor needs (qmp_capabilities and
 * query-status, one round trip together), qemuProcessReconnectFinish()
 * reads the replies and reconciles. Both with vm locked and its job held
 * by the caller from one to the other.
 *
 * Returns 0 when the second half must follow (*@op set), 1 when the
 * domain was found stopped (and was cleaned up as such).
 */
int
qemuProcessReconnectStart(qemuDriver *driver, virDomainObj *vm,
                          qemuMonitorOpening **op)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    bool closed = false;
    int fd = -1;

    VIR_DEBUG("reconnecting to domain '%s' pid %d", vm->def->name, (int) vm->pid);
    *op = NULL;

    g_free(priv->pidPath);
    priv->pidPath = g_strdup_printf("%s/%s.pid", driver->stateDir, vm->def->name);

    /* Whatever runs with a pid that is not ours is not ours to kill. */
    if (vm->pid > 0 && !qemuProcessIsOurs(vm))
        vm->pid = 0;

    /* The process that started it died half way: whatever it left (a
     * QEMU whose start nobody finished, or a helper waiting for a go-ahead
     * that never comes) is ended and the start reported failed, as it
     * would have been had that process lived to see it through. */
    if (vm->state == VIR_DOMAIN_PAUSED &&
        vm->reason == VIR_DOMAIN_PAUSED_STARTING_UP) {
        VIR_WARN("domain '%s' was still starting up when its process died: stopping it",
                 vm->def->name);
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED,
                        VIR_DOMAIN_EVENT_STOPPED_FAILED);
        return 1;
    }

    if (vm->pid > 0 &&
        (fd = qemuProcessMonitorConnect(driver, priv->monPath, &closed)) >= 0) {
        /* The monitor's callbacks hold a reference on the domain. */
        virDomainObjRef(vm);
        priv->monEOF = false;
        if (!(*op = qemuMonitorOpenFDStart(fd, virEventThreadGetContext(driver->eventThread),
                                           &qemuProcessMonitorCallbacks, vm)))
            virDomainObjUnref(vm);
    }
    if (!*op) {
        VIR_WARN("QEMU of domain '%s' went away while nobody watched",
                 vm->def->name);
        virResetLastError();
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED,
                        VIR_DOMAIN_EVENT_STOPPED_FAILED);
        return 1;
    }
    return 0;
}

/*
 * The second half of a takeover (see qemuProcessReconnectStart()): @op
 * is taken. The guest's CPUs may have stopped or run again while no
 * process watched (a guest paused on an I/O error, or this process dying
 * between a "stop" and its status save): QEMU's word wins, the reason
 * unknown for a pause nobody here asked for. A query-status that failed
 * leaves the state as the status file said.
 *
 * Returns 0 if the domain runs, 1 if it was found stopped.
 */
int
qemuProcessReconnectFinish(qemuDriver *driver, virDomainObj *vm,
                           qemuMonitorOpening *op)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    qemuMonitor *mon;
    int running = -1;

    virDomainObjUnlock(vm);
    mon = qemuMonitorOpenFDFinish(op, driver->cfg->monitorTimeout, &running);
    virDomainObjLock(vm);
    if (!mon) {
        virDomainObjUnref(vm);
        VIR_WARN("QEMU of domain '%s' went away while nobody watched: %s",
                 vm->def->name, virGetLastErrorMessage());
        virResetLastError();
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_CRASHED,
                        VIR_DOMAIN_EVENT_STOPPED_FAILED);
        return 1;
    }
    qemuMonitorSetCommandTimeout(mon, driver->cfg->monitorTimeout);
    priv->mon = mon;

    g_mutex_lock(&driver->lock);
    if (vm->def->id >= driver->nextID)
        driver->nextID = vm->def->id + 1;
    g_mutex_unlock(&driver->lock);
    if (running == 1)
        qemuProcessSetRunning(driver, vm, VIR_DOMAIN_RUNNING_UNPAUSED);
    else if (running == 0)
        qemuProcessSetPaused(driver, vm, VIR_DOMAIN_PAUSED_UNKNOWN);
    /* Revocations first: a pull the next step finds completed is told
     * only once nothing of its old chain is left with QEMU. */
    qemuBlockJobsReconcile(driver, vm);
    if (qemuBlockJobsReconnect(driver, vm) < 0)
        VIR_WARN("block jobs of domain '%s' could not be reconciled: %s",
                 vm->def->name, virGetLastErrorMessage());
    return 0;
}

int
qemuProcessReconnect(qemuDriver *driver, virDomainObj *vm)
{
    qemuMonitorOpening *op = NULL;

    if (qemuProcessReconnectStart(driver, vm, &op) != 0)
        return 1;
    return qemuProcessReconnectFinish(driver, vm, op);
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

/* QEMU is gone without us asking: a crash (or a guest shutdown). */
static void
qemuProcessHandleEOF(qemuDriver *driver, virDomainObj *vm, bool error)
{
    qemuDomainObjPrivate *priv = vm->privateData;
    int reason = VIR_DOMAIN_SHUTOFF_CRASHED;
    int detail = VIR_DOMAIN_EVENT_STOPPED_FAILED;
    bool transient;

    /* Not bounded: a domain whose QEMU went away must be cleaned up, and
     * whoever holds the job is on its way out (the monitor closed). */
    qemuDomainObjBeginInternalJob(vm, "QEMU exit");
    if (!virDomainObjIsActive(vm) || priv->beingDestroyed || !priv->monEOF ||
        priv->mon == NULL) {
        qemuDomainObjEndJob(vm);
        return;
    }
    if (priv->gotShutdown) {
        reason = VIR_DOMAIN_SHUTOFF_SHUTDOWN;
        detail = VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN;
    }
    VIR_DEBUG("monitor of domain '%s' closed (error=%d): stopping, reason %d",
              vm->def->name, error, reason);
    qemuProcessStop(driver, vm, reason, detail);
    transient = !vm->persistent;
    qemuDomainObjEndJob(vm);
    if (transient)
        virDomainObjListRemove(driver->domains, vm);
}

/* Handle one monitor event of its domain. */
static void
qemuProcessEventHandle(qemuProcessEvent *ev)
{
    virDomainObj *vm = ev->vm;
    qemuDomainObjPrivate *priv = vm->privateData;
    qemuDriver *driver = priv->driver;

    virDomainObjLock(vm);
    switch (ev->type) {
    case QEMU_PROCESS_EVENT_JOB_STATUS_CHANGE:
        qemuBlockJobHandleStatusChange(driver, vm, ev->jobid, ev->status);
        break;
    case QEMU_PROCESS_EVENT_BLOCK_JOB_ERROR:
        qemuBlockJobHandleIOError(vm, ev->jobid, ev->operation, ev->action);
        break;
    case QEMU_PROCESS_EVENT_MONITOR_EOF:
        qemuProcessHandleEOF(driver, vm, ev->eofError);
        break;
    }
    virDomainObjUnlock(vm);
    virResetLastError();
}

void
qemuProcessEventWorker(gpointer data, gpointer opaque G_GNUC_UNUSED)
{
    virDomainObj *vm = data;
    qemuDomainObjPrivate *priv = vm->privateData;
    qemuDriver *driver = priv->driver;

    /* Until the queue is empty: the domain is given up under the same
     * lock that a new event takes to see whether it must be handed to
     * the pool, so none is left behind. (Not handed back to the pool
     * after each event: a pool being freed takes no new work.) */
    for (;;) {
        qemuProcessEvent *ev;

        g_mutex_lock(&driver->workLock);
        if (!(ev = g_queue_pop_head(&priv->workQueue)))
            priv->workScheduled = false;
        g_mutex_unlock(&driver->workLock);
        if (!ev)
            break;
        qemuProcessEventHandle(ev);
        qemuProcessEventFree(ev);
    }
    virDomainObjUnref(vm);
}
