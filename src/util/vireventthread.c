/*
 * vireventthread.c: a GLib main loop in a private thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "vireventthread.h"

struct _virEventThread {
    GThread *thread;
    GMainContext *context;
    GMainLoop *loop;
};

static gpointer
virEventThreadRun(gpointer opaque)
{
    virEventThread *evt = opaque;

    g_main_context_push_thread_default(evt->context);
    g_main_loop_run(evt->loop);
    g_main_context_pop_thread_default(evt->context);
    return NULL;
}

virEventThread *
virEventThreadNew(const char *name)
{
    virEventThread *evt = g_new0(virEventThread, 1);

    evt->context = g_main_context_new();
    evt->loop = g_main_loop_new(evt->context, FALSE);
    evt->thread = g_thread_new(name, virEventThreadRun, evt);
    return evt;
}

static gboolean
virEventThreadQuit(gpointer opaque)
{
    g_main_loop_quit(opaque);
    return G_SOURCE_REMOVE;
}

void
virEventThreadFree(virEventThread *evt)
{
    GSource *src;

    if (!evt)
        return;
    /* Quit from inside the loop: a quit issued before the loop started
     * running would otherwise be lost. */
    src = g_idle_source_new();
    g_source_set_callback(src, virEventThreadQuit, evt->loop, NULL);
    g_source_attach(src, evt->context);
    g_source_unref(src);
    g_thread_join(evt->thread);
    g_main_loop_unref(evt->loop);
    g_main_context_unref(evt->context);
    g_free(evt);
}

GMainContext *
virEventThreadGetContext(virEventThread *evt)
{
    return evt->context;
}

bool
virEventThreadIsSelf(virEventThread *evt)
{
    return g_thread_self() == evt->thread;
}

void
virEventSourceUpdateUnixFD(GSource *source, gpointer tag,
                           GIOCondition *events, GIOCondition want)
{
    if (want == *events)
        return;
    g_source_modify_unix_fd(source, tag, want);
    *events = want;
}
