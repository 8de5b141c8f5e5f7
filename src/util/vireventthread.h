/*
 * vireventthread.h: a private GLib main loop running in a thread of its own
 * (monitor I/O happens there, never in the application's thread).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct _virEventThread virEventThread;

/* Start a thread running a main loop on a new GMainContext. Never fails. */
virEventThread *virEventThreadNew(const char *name);

/* Stop the loop, join the thread and free. NULL is fine. Must not be called
 * from the thread itself. */
void virEventThreadFree(virEventThread *evt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virEventThread, virEventThreadFree);

/* The context the thread iterates (no new reference). */
GMainContext *virEventThreadGetContext(virEventThread *evt);

/* Is the calling thread this event thread? */
bool virEventThreadIsSelf(virEventThread *evt);

/* Poll @tag (of g_source_add_unix_fd() on @source) for @want from now
 * on; *@events is what it is polled for now, updated. GLib is told only
 * on a change: it wakes the loop up on every one, so a source doing it
 * in each prepare() would make the loop spin. */
void virEventSourceUpdateUnixFD(GSource *source, gpointer tag,
                                GIOCondition *events, GIOCondition want);
