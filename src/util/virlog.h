/*
 * virlog.h: debug logging, enabled with LIBVIRT_DEBUG=LEVEL (1 or debug,
 * 2 or info, 3 or warning, 4 or error; to stderr) and LIBVIRT_LOG_FILE=PATH.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef enum {
    VIR_LOG_DEBUG = 1,
    VIR_LOG_INFO,
    VIR_LOG_WARN,
    VIR_LOG_ERROR,
} virLogPriority;

void virLogMessage(virLogPriority prio, const char *filename, int linenr,
                   const char *funcname, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

int virLogInitialize(void);

/* Is anything at @prio going to be written? Cheap. */
bool virLogEnabled(virLogPriority prio);

#define VIR_LOG_AT(prio, ...) \
    do { \
        if (virLogEnabled(prio)) \
            virLogMessage(prio, __FILE__, __LINE__, __func__, __VA_ARGS__); \
    } while (0)

#define VIR_DEBUG(...) VIR_LOG_AT(VIR_LOG_DEBUG, __VA_ARGS__)
#define VIR_INFO(...) VIR_LOG_AT(VIR_LOG_INFO, __VA_ARGS__)
#define VIR_WARN(...) VIR_LOG_AT(VIR_LOG_WARN, __VA_ARGS__)
#define VIR_ERROR(...) VIR_LOG_AT(VIR_LOG_ERROR, __VA_ARGS__)

/* For printing strings that may be NULL. */
#define NULLSTR(s) ((s) ? (s) : "<null>")
