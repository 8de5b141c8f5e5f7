/*
 * virlog.c: debug log to stderr or a file, with microsecond timestamps so
 * that the latency of events can be read off a log.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "virlog.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

static GOnce virLogOnce = G_ONCE_INIT;
static int virLogLevel;     /* 0: off */
static FILE *virLogFile;
static GMutex virLogLock;
static char *virLogBadLevel;  /* LIBVIRT_DEBUG's value if it is not a level */

/* The values libvirt accepts, and no others: a typo must not turn on the
 * most verbose level (or silently leave logging off). */
static int
virLogParseLevel(const char *str)
{
    static const struct {
        const char *number;
        const char *name;
        virLogPriority prio;
    } levels[] = {
        { "1", "debug", VIR_LOG_DEBUG },
        { "2", "info", VIR_LOG_INFO },
        { "3", "warning", VIR_LOG_WARN },
        { "4", "error", VIR_LOG_ERROR },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(levels); i++) {
        if (strcmp(str, levels[i].number) == 0 ||
            strcmp(str, levels[i].name) == 0)
            return levels[i].prio;
    }
    return -1;
}

/*
 * Read the environment once. This runs on the first log call, wherever it
 * is, so it cannot report an error: a bad level is kept for
 * virLogInitialize() to report from the library's entry points, and
 * nothing is logged meanwhile.
 */
static gpointer
virLogInit(gpointer data G_GNUC_UNUSED)
{
    const char *dbg = g_getenv("LIBVIRT_DEBUG");
    const char *file = g_getenv("LIBVIRT_LOG_FILE");

    /* Empty counts as unset, as in libvirt: "LIBVIRT_DEBUG= cmd" turns
     * logging off. */
    if (dbg && *dbg) {
        int level = virLogParseLevel(dbg);

        if (level < 0)
            virLogBadLevel = g_strescape(dbg, NULL);
        else
            virLogLevel = level;
    }
    if (virLogLevel && file && *file)
        virLogFile = fopen(file, "ae");
    if (!virLogFile)
        virLogFile = stderr;
    return NULL;
}

/**
 * virLogInitialize:
 *
 * Read the logging settings from the environment (LIBVIRT_DEBUG,
 * LIBVIRT_LOG_FILE) if that has not happened yet, and check them.
 *
 * Returns 0, or -1 with VIR_ERR_INVALID_ARG if LIBVIRT_DEBUG is set to
 * something that is not a log level (reported again on every call).
 */
int
virLogInitialize(void)
{
    g_once(&virLogOnce, virLogInit, NULL);
    if (virLogBadLevel) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "environment variable LIBVIRT_DEBUG has the invalid value '%s', "
                       "expected a log level: 1 or 'debug', 2 or 'info', "
                       "3 or 'warning', 4 or 'error'",
                       virLogBadLevel);
        return -1;
    }
    return 0;
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
