/*
 * virerror.c: the per-thread last error and the public error calls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

static void
virErrorFreeThread(gpointer data)
{
    virFreeError(data);
}

static GPrivate virLastErr = G_PRIVATE_INIT(virErrorFreeThread);

static GMutex virErrorFuncLock;
static virErrorFunc virErrorHandler;
static void *virErrorUserData;

static virErrorPtr
virLastErrorObject(void)
{
    virErrorPtr err = g_private_get(&virLastErr);

    if (!err) {
        err = g_new0(virError, 1);
        g_private_set(&virLastErr, err);
    }
    return err;
}

void
virResetError(virErrorPtr err)
{
    if (!err)
        return;
    g_free(err->message);
    g_free(err->str1);
    g_free(err->str2);
    g_free(err->str3);
    memset(err, 0, sizeof(*err));
}

void
virFreeError(virErrorPtr err)
{
    virResetError(err);
    g_free(err);
}

int
virErrorCopy(const virError *from, virErrorPtr to)
{
    virResetError(to);
    to->code = from->code;
    to->domain = from->domain;
    to->level = from->level;
    to->message = g_strdup(from->message);
    to->str1 = g_strdup(from->str1);
    to->str2 = g_strdup(from->str2);
    to->str3 = g_strdup(from->str3);
    to->int1 = from->int1;
    to->int2 = from->int2;
    return to->code;
}

virErrorPtr
virErrorGetCurrent(void)
{
    virErrorPtr err = g_private_get(&virLastErr);

    if (!err || err->code == VIR_ERR_OK)
        return NULL;
    return err;
}

bool
virErrorIsSet(void)
{
    return virErrorGetCurrent() != NULL;
}

virErrorPtr
virGetLastError(void)
{
    return virErrorGetCurrent();
}

const char *
virGetLastErrorMessage(void)
{
    virErrorPtr err = virErrorGetCurrent();

    if (!err)
        return "no error";
    if (!err->message)
        return "unknown error";
    return err->message;
}

int
virGetLastErrorCode(void)
{
    virErrorPtr err = virErrorGetCurrent();
    return err ? err->code : VIR_ERR_OK;
}

int
virGetLastErrorDomain(void)
{
    virErrorPtr err = virErrorGetCurrent();
    return err ? err->domain : VIR_FROM_NONE;
}

void
virResetLastError(void)
{
    virErrorPtr err = g_private_get(&virLastErr);
    virResetError(err);
}

virErrorPtr
virSaveLastError(void)
{
    virErrorPtr to = g_new0(virError, 1);
    virErrorPtr err = virErrorGetCurrent();

    if (err)
        virErrorCopy(err, to);
    return to;
}

int
virCopyLastError(virErrorPtr to)
{
    virErrorPtr err = virErrorGetCurrent();

    if (!to)
        return -1;
    if (!err) {
        virResetError(to);
        return 0;
    }
    return virErrorCopy(err, to);
}

void
virSetErrorFunc(void *userData, virErrorFunc handler)
{
    g_mutex_lock(&virErrorFuncLock);
    virErrorHandler = handler;
    virErrorUserData = userData;
    g_mutex_unlock(&virErrorFuncLock);
}

void
virErrorPreserveLast(virErrorPtr *saveerr)
{
    virErrorPtr err = virErrorGetCurrent();

    *saveerr = NULL;
    if (err) {
        *saveerr = virSaveLastError();
        virResetLastError();
    }
}

void
virErrorRestore(virErrorPtr *savederr)
{
    if (!*savederr)
        return;
    virErrorCopy(*savederr, virLastErrorObject());
    g_clear_pointer(savederr, virFreeError);
}

static void
virRaiseErrorMessage(int domain, int code, virErrorLevel level,
                     char *message, const char *filename,
                     const char *funcname, size_t linenr)
{
    virErrorPtr err = virLastErrorObject();
    virErrorFunc handler;
    void *userData;

    virResetError(err);
    err->domain = domain;
    err->code = code;
    err->level = level;
    err->message = message;

    virLogMessage(VIR_LOG_ERROR, filename, linenr, funcname,
                  "error %d (%s): %s", code, virErrorCodeName(code), message);

    g_mutex_lock(&virErrorFuncLock);
    handler = virErrorHandler;
    userData = virErrorUserData;
    g_mutex_unlock(&virErrorFuncLock);
    if (handler)
        handler(userData, err);
}

void
virRaiseErrorFull(const char *filename, const char *funcname, size_t linenr,
                  int domain, int code, virErrorLevel level,
                  const char *fmt, ...)
{
    va_list ap;
    char *msg;
    int save_errno = errno;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    virRaiseErrorMessage(domain, code, level, msg, filename, funcname, linenr);
    errno = save_errno;
}

void
virReportSystemErrorFull(int domain, int theerrno, const char *filename,
                         const char *funcname, size_t linenr,
                         const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    int save_errno = errno;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    virRaiseErrorMessage(domain, VIR_ERR_SYSTEM_ERROR, VIR_ERR_ERROR,
                         g_strdup_printf("%s: %s", msg, g_strerror(theerrno)),
                         filename, funcname, linenr);
    errno = save_errno;
}

const char *
virErrorCodeName(int code)
{
    switch ((virErrorNumber) code) {
    case VIR_ERR_OK: return "VIR_ERR_OK";
    case VIR_ERR_INTERNAL_ERROR: return "VIR_ERR_INTERNAL_ERROR";
    case VIR_ERR_NO_MEMORY: return "VIR_ERR_NO_MEMORY";
    case VIR_ERR_NO_SUPPORT: return "VIR_ERR_NO_SUPPORT";
    case VIR_ERR_NO_CONNECT: return "VIR_ERR_NO_CONNECT";
    case VIR_ERR_INVALID_CONN: return "VIR_ERR_INVALID_CONN";
    case VIR_ERR_INVALID_DOMAIN: return "VIR_ERR_INVALID_DOMAIN";
    case VIR_ERR_INVALID_ARG: return "VIR_ERR_INVALID_ARG";
    case VIR_ERR_OPERATION_FAILED: return "VIR_ERR_OPERATION_FAILED";
    case VIR_ERR_NO_SOURCE: return "VIR_ERR_NO_SOURCE";
    case VIR_ERR_XML_ERROR: return "VIR_ERR_XML_ERROR";
    case VIR_ERR_DOM_EXIST: return "VIR_ERR_DOM_EXIST";
    case VIR_ERR_OPERATION_DENIED: return "VIR_ERR_OPERATION_DENIED";
    case VIR_ERR_OPEN_FAILED: return "VIR_ERR_OPEN_FAILED";
    case VIR_ERR_READ_FAILED: return "VIR_ERR_READ_FAILED";
    case VIR_ERR_PARSE_FAILED: return "VIR_ERR_PARSE_FAILED";
    case VIR_ERR_CONF_SYNTAX: return "VIR_ERR_CONF_SYNTAX";
    case VIR_ERR_WRITE_FAILED: return "VIR_ERR_WRITE_FAILED";
    case VIR_ERR_XML_DETAIL: return "VIR_ERR_XML_DETAIL";
    case VIR_ERR_SYSTEM_ERROR: return "VIR_ERR_SYSTEM_ERROR";
    case VIR_ERR_RPC: return "VIR_ERR_RPC";
    case VIR_ERR_NO_DOMAIN: return "VIR_ERR_NO_DOMAIN";
    case VIR_ERR_OPERATION_INVALID: return "VIR_ERR_OPERATION_INVALID";
    case VIR_ERR_CONFIG_UNSUPPORTED: return "VIR_ERR_CONFIG_UNSUPPORTED";
    case VIR_ERR_OPERATION_TIMEOUT: return "VIR_ERR_OPERATION_TIMEOUT";
    case VIR_ERR_ARGUMENT_UNSUPPORTED: return "VIR_ERR_ARGUMENT_UNSUPPORTED";
    case VIR_ERR_OPERATION_ABORTED: return "VIR_ERR_OPERATION_ABORTED";
    case VIR_ERR_OPERATION_UNSUPPORTED: return "VIR_ERR_OPERATION_UNSUPPORTED";
    case VIR_ERR_RESOURCE_BUSY: return "VIR_ERR_RESOURCE_BUSY";
    case VIR_ERR_ACCESS_DENIED: return "VIR_ERR_ACCESS_DENIED";
    case VIR_ERR_XML_INVALID_SCHEMA: return "VIR_ERR_XML_INVALID_SCHEMA";
    default: break;
    }
    return "VIR_ERR_OTHER";
}
