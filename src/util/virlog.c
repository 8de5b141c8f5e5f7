/*
 * virlog.c: debug log to stderr or a file, with microsecond timestamps so
 * that the latency of events can be read off a log.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "virlog.h"

static GOnce virLogOnce = G_ONCE_INIT;
static int virLogLevel;     /* 0: off */
static FILE *virLogFile;
static GMutex virLogLock;

static gpointer
virLogInit(gpointer data G_GNUC_UNUSED)
{
    const char *dbg = g_getenv("LIBVIRT_DEBUG");
    const char *file = g_getenv("LIBVIRT_LOG_FILE");

    if (dbg && *dbg)
        virLogLevel = atoi(dbg) > 0 ? atoi(dbg) : 1;
    if (virLogLevel && file && *file)
        virLogFile = fopen(file, "ae");
    if (!virLogFile)
        virLogFile = stderr;
    return NULL;
}

bool
virLogEnabled(virLogPriority prio)
{
    g_once(&virLogOnce, virLogInit, NULL);
    return virLogLevel != 0 && (int) prio >= virLogLevel;
}

static const char *
virLogPriorityString(virLogPriority prio)
{
    switch (prio) {
    case VIR_LOG_DEBUG: return "debug";
    case VIR_LOG_INFO: return "info";
    case VIR_LOG_WARN: return "warning";
    case VIR_LOG_ERROR: return "error";
    }
    return "unknown";
}

void
virLogMessage(virLogPriority prio, const char *filename, int linenr,
              const char *funcname, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autoptr(GDateTime) now = NULL;
    g_autofree char *stamp = NULL;

    if (!virLogEnabled(prio))
        return;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    now = g_date_time_new_now_utc();
    stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");

    g_mutex_lock(&virLogLock);
    fprintf(virLogFile, "%s: %d: %s : %s:%d : %s : %s\n",
            stamp, (int) getpid(), virLogPriorityString(prio),
            filename, linenr, funcname, msg);
    fflush(virLogFile);
    g_mutex_unlock(&virLogLock);
}
