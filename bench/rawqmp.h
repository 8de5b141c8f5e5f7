/*
 * rawqmp.h: a minimal QMP client for the benchmark's raw baseline. It
 * shares no code with the driver: a unix socket, poll() and json-c. One
 * client per QEMU, used by one thread at a time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <json-c/json.h>

typedef struct _RawQmp RawQmp;

/* One event as it arrived. */
typedef struct {
    char *name;                 /* "BLOCK_JOB_COMPLETED", ... */
    json_object *data;          /* its "data", or NULL; owned by the event */
    gint64 qemuUs;              /* QEMU's timestamp, us since the epoch */
    gint64 arrivalRealUs;       /* when we parsed it, same clock */
    gint64 arrivalMonoNs;       /* the same instant, CLOCK_MONOTONIC */
} RawQmpEvent;

void rawQmpEventFree(RawQmpEvent *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RawQmpEvent, rawQmpEventFree);

/* Connect to the QMP socket @path, retrying until QEMU has created it or
 * @timeoutMs passes, read the greeting and negotiate capabilities.
 * NULL on failure (the reason on stderr). */
RawQmp *rawQmpConnect(const char *path, int timeoutMs);

void rawQmpClose(RawQmp *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RawQmp, rawQmpClose);

/* The socket, to poll() for several clients at once. */
int rawQmpFd(const RawQmp *q);

/* Send @cmd (a full QMP command, JSON text) and wait up to @timeoutMs for
 * its reply; events that come meanwhile are queued. Returns 0 with the
 * "return" value in *@ret (if @ret; the caller puts it), -1 on an error
 * reply, a timeout or a broken connection (the reason on stderr). */
int rawQmpCommand(RawQmp *q, const char *cmd, json_object **ret, int timeoutMs);

/* Send @cmd without waiting for the reply (read later by rawQmpCommand's
 * successor or dropped by rawQmpNextEvent). Returns 0 or -1. */
int rawQmpSend(RawQmp *q, const char *cmd);

/* How many replies to rawQmpSend() commands were errors so far. */
unsigned int rawQmpSkippedErrors(const RawQmp *q);

/* The next event, queued or read within @timeoutMs (-1: no limit); NULL
 * on timeout or a broken connection. Replies read meanwhile are dropped. */
RawQmpEvent *rawQmpNextEvent(RawQmp *q, int timeoutMs);

/* Read whatever the socket has now, without waiting; queues the events.
 * Returns 0, or -1 when the connection is broken. */
int rawQmpReadAvailable(RawQmp *q);

/* The oldest queued event, or NULL; does not read. */
RawQmpEvent *rawQmpPopEvent(RawQmp *q);
