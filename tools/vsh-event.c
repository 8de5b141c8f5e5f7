/* vsh-event.c: waiting in the event loop, with Ctrl-C and timers. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "vsh-event.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* The write end of the pipe that turns SIGINT into a readable handle of
 * the event loop: a signal handler may do little more than write(). */
static int vshInterruptFd = -1;

static void
vshEventInterruptHandler(int sig G_GNUC_UNUSED)
{
    int save = errno;
    ssize_t rc G_GNUC_UNUSED;

    if (vshInterruptFd >= 0)
        rc = write(vshInterruptFd, "", 1);
    errno = save;
}

static void
vshEventInterruptReadable(int watch G_GNUC_UNUSED, int fd,
                          int events G_GNUC_UNUSED, void *opaque)
{
    bool *flag = opaque;
    char buf[16];

    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    *flag = true;
}

/**
 * vshEventLoopCheck:
 * @ctl: the shell
 *
 * Returns false (error printed) if the client could not register the
 * default event loop, which a command waiting for events needs.
 */
bool
vshEventLoopCheck(vshControl *ctl)
{
    if (!ctl->eventLoop) {
        vshError(ctl, "the default event loop could not be registered");
        return false;
    }
    return true;
}

/**
 * vshEventInterruptBegin:
 * @ctl: the shell
 * @intr: initialized with VSH_EVENT_INTERRUPT_INIT
 * @flag: set to true, from the event loop, when Ctrl-C is pressed
 *
 * Until vshEventInterruptEnd(), Ctrl-C sets *@flag instead of killing the
 * shell, so that a waiting command can undo what it started.
 *
 * Returns 0 on success, -1 with an error printed.
 */
int
vshEventInterruptBegin(vshControl *ctl, vshEventInterrupt *intr, bool *flag)
{
    struct sigaction sa;

    intr->watch = -1;
    if (!g_unix_open_pipe(intr->fds, FD_CLOEXEC, NULL)) {
        vshError(ctl, "failed to create a pipe: %s", g_strerror(errno));
        return -1;
    }
    g_unix_set_fd_nonblocking(intr->fds[0], TRUE, NULL);
    g_unix_set_fd_nonblocking(intr->fds[1], TRUE, NULL);
    intr->watch = virEventAddHandle(intr->fds[0], VIR_EVENT_HANDLE_READABLE,
                                    vshEventInterruptReadable, flag, NULL);
    if (intr->watch < 0) {
        close(intr->fds[0]);
        close(intr->fds[1]);
        vshError(ctl, "failed to watch for Ctrl-C");
        return -1;
    }
    vshInterruptFd = intr->fds[1];

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = vshEventInterruptHandler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &intr->old);
    return 0;
}

/**
 * vshEventInterruptEnd:
 * @intr: armed by vshEventInterruptBegin(), or not
 *
 * Give Ctrl-C back its usual meaning.
 */
void
vshEventInterruptEnd(vshEventInterrupt *intr)
{
    if (intr->watch < 0)
        return;
    sigaction(SIGINT, &intr->old, NULL);
    vshInterruptFd = -1;
    virEventRemoveHandle(intr->watch);
    close(intr->fds[0]);
    close(intr->fds[1]);
    intr->watch = -1;
}

static void
vshEventFlagTimer(int timer G_GNUC_UNUSED, void *opaque)
{
    bool *flag = opaque;

    *flag = true;
}

/**
 * vshEventTimerAdd:
 * @ms: the period, in milliseconds
 * @flag: set to true each time the timer fires
 *
 * Returns the timer's id for vshEventTimerRemove(), or -1.
 */
int
vshEventTimerAdd(int ms, bool *flag)
{
    return virEventAddTimeout(ms, vshEventFlagTimer, flag, NULL);
}

/**
 * vshEventTimerRemove:
 * @timer: a timer's id, or -1; set to -1
 */
void
vshEventTimerRemove(int *timer)
{
    if (*timer > 0)
        virEventRemoveTimeout(*timer);
    *timer = -1;
}

/**
 * vshEventRunOnce:
 * @ctl: the shell
 *
 * Run one iteration of the default event loop: dispatch what is ready,
 * waiting for something if nothing is.
 *
 * Returns false (error printed) if the loop failed.
 */
bool
vshEventRunOnce(vshControl *ctl)
{
    if (virEventRunDefaultImpl() < 0) {
        vshError(ctl, "failed to run the event loop");
        return false;
    }
    return true;
}
