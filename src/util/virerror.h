/*
 * virerror.h: raising errors inside the library (one per thread).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include "libvirt/libvirt.h"

/*
 * Each source file defines VIR_FROM_THIS to its virErrorDomain before
 * using these macros.
 */
void virRaiseErrorFull(const char *filename, const char *funcname,
                       size_t linenr, int domain, int code,
                       virErrorLevel level, const char *fmt, ...)
    G_GNUC_PRINTF(7, 8);

void virReportSystemErrorFull(int domain, int theerrno,
                              const char *filename, const char *funcname,
                              size_t linenr, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

/**
 * virReportError:
 * @code: a virErrorNumber
 * @...: printf-style message: one sentence, user values in quotes
 *
 * Record an error for the calling thread, replacing any earlier one.
 */
#define virReportError(code, ...) \
    virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_THIS, \
                      (code), VIR_ERR_ERROR, __VA_ARGS__)

/**
 * virReportSystemError:
 * @theerrno: an errno value, appended to the message as text
 * @...: printf-style message
 */
#define virReportSystemError(theerrno, ...) \
    virReportSystemErrorFull(VIR_FROM_THIS, (theerrno), \
                             __FILE__, __func__, __LINE__, __VA_ARGS__)

/** virReportInvalidArg: @argname is NULL or otherwise invalid in the caller */
#define virReportInvalidArg(argname, fmt, ...) \
    virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_THIS, \
                      VIR_ERR_INVALID_ARG, VIR_ERR_ERROR, \
                      "%s: " fmt, __func__, __VA_ARGS__)

#define virReportInvalidNonNullArg(argname) \
    virReportInvalidArg(argname, "argument '%s' must not be NULL", #argname)

/**
 * virCheckFlags:
 * @supported: the flags the calling function understands
 * @retval: what to return on unknown flags
 *
 * Report VIR_ERR_INVALID_ARG and return @retval if the local variable
 * @flags holds any bit outside @supported.
 */
#define virCheckFlags(supported, retval) \
    do { \
        unsigned long __unsupported = flags & ~((unsigned long)(supported)); \
        if (__unsupported) { \
            virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_THIS, \
                              VIR_ERR_INVALID_ARG, VIR_ERR_ERROR, \
                              "%s: unsupported flags (0x%lx)", \
                              __func__, __unsupported); \
            return retval; \
        } \
    } while (0)

/* The calling thread's error, or NULL if there is none. */
virErrorPtr virErrorGetCurrent(void);

/* Is there an error pending in this thread? */
bool virErrorIsSet(void);

/*
 * Save the calling thread's error and clear it (for cleanup code that may
 * raise errors of its own); virErrorRestore puts the saved one back.
 */
void virErrorPreserveLast(virErrorPtr *saveerr);
void virErrorRestore(virErrorPtr *savederr);

/* Copy error @from into @to (strings duplicated). */
int virErrorCopy(const virError *from, virErrorPtr to);

/* Name of an error code, for messages and tests ("VIR_ERR_NO_DOMAIN"). */
const char *virErrorCodeName(int code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virError, virFreeError);
