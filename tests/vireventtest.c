/*
 * vireventtest.c: the default event loop behind virEventAddHandle and
 * virEventAddTimeout: dispatch, update, removal, free callbacks, and
 * sources added from another thread waking the loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <unistd.h>

#include <glib.h>
#include <stdbool.h>

#include "libvirt/libvirt.h"

typedef struct {
    int calls;
    int lastEvents;
    bool freed;
} Counter;

static void
handleCb(int watch G_GNUC_UNUSED, int fd, int events, void *opaque)
{
    Counter *c = opaque;
    char buf[16];

    c->calls++;
    c->lastEvents = events;
    if (events & VIR_EVENT_HANDLE_READABLE)
        g_assert_cmpint(read(fd, buf, sizeof(buf)), >, 0);
}

static void
timerCb(int timer G_GNUC_UNUSED, void *opaque)
{
    ((Counter *) opaque)->calls++;
}

static void
freeCb(void *opaque)
{
    ((Counter *) opaque)->freed = true;
}

static void
testNoLoop(void)
{
    /* Before registration nothing can be added and nothing runs. */
    g_assert_cmpint(virEventRunDefaultImpl(), ==, -1);
    g_assert_cmpint(virEventAddTimeout(0, timerCb, NULL, NULL), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), !=, VIR_ERR_OK);
}

static void
testHandle(void)
{
    Counter c = { 0 };
    int fds[2];
    int watch;

    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    g_assert_cmpint(pipe(fds), ==, 0);
    watch = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, handleCb, &c, freeCb);
    g_assert_cmpint(watch, >, 0);
    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);
    while (c.calls == 0)
        g_assert_cmpint(virEventRunDefaultImpl(), ==, 0);
    g_assert_cmpint(c.lastEvents & VIR_EVENT_HANDLE_READABLE, !=, 0);

    /* Paused: data waits, the callback is not called. */
    virEventUpdateHandle(watch, 0);
    g_assert_cmpint(write(fds[1], "y", 1), ==, 1);
    {
        int timer = virEventAddTimeout(20, timerCb, &(Counter){ 0 }, NULL);
        Counter t = { 0 };
        virEventRemoveTimeout(timer);
        timer = virEventAddTimeout(20, timerCb, &t, NULL);
        while (t.calls == 0)
            virEventRunDefaultImpl();
        virEventRemoveTimeout(timer);
    }
    g_assert_cmpint(c.calls, ==, 1);
    virEventUpdateHandle(watch, VIR_EVENT_HANDLE_READABLE);
    while (c.calls == 1)
        virEventRunDefaultImpl();

    /* Hang-up of the other end is reported. */
    close(fds[1]);
    while (!(c.lastEvents & VIR_EVENT_HANDLE_HANGUP))
        virEventRunDefaultImpl();

    /* A handle's id is not a timer's: the timer calls leave it alone. */
    g_assert_cmpint(virEventRemoveTimeout(watch), ==, -1);
    g_assert_cmpint(virEventRemoveHandle(watch), ==, 0);
    g_assert_cmpint(virEventRemoveHandle(watch), ==, -1);
    /* The free callback runs from the loop, after removal. */
    while (!c.freed)
        virEventRunDefaultImpl();
    close(fds[0]);
}

static gpointer
addFromThread(gpointer opaque)
{
    g_usleep(50 * 1000);
    return GINT_TO_POINTER(virEventAddTimeout(0, timerCb, opaque, NULL));
}

static void
testTimer(void)
{
    Counter c = { 0 };
    GThread *t;
    int timer;

    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    /* A disabled timer never fires; enabled with 0 it fires each turn. */
    timer = virEventAddTimeout(-1, timerCb, &c, freeCb);
    g_assert_cmpint(timer, >, 0);
    virEventUpdateTimeout(timer, 0);
    while (c.calls < 3)
        virEventRunDefaultImpl();
    virEventUpdateTimeout(timer, -1);
    c.calls = 0;
    g_assert_cmpint(virEventRemoveTimeout(timer), ==, 0);
    while (!c.freed)
        virEventRunDefaultImpl();
    g_assert_cmpint(c.calls, ==, 0);

    /* A source added by another thread wakes a loop blocked in poll. */
    c.calls = 0;
    t = g_thread_new("adder", addFromThread, &c);
    while (c.calls == 0)
        virEventRunDefaultImpl();
    timer = GPOINTER_TO_INT(g_thread_join(t));
    g_assert_cmpint(virEventRemoveTimeout(timer), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/event/no-loop", testNoLoop);
    g_test_add_func("/event/handle", testHandle);
    g_test_add_func("/event/timer", testTimer);
    return g_test_run();
}
