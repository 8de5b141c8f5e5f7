/*
 * qemu_monitor.h: the QMP monitor connection to a QEMU process (transport
 * and the generic command call; one function per QMP command lives in
 * qemu_monitor_json.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <json-c/json.h>

typedef struct _qemuMonitor qemuMonitor;

/*
 * What the owner of a monitor hears from it. Every callback runs in the
 * thread iterating the GMainContext given at open, never with a monitor
 * lock held, and never after qemuMonitorClose() has returned.
 */
typedef struct {
    /* a QMP event; @data may be NULL; @seconds / @micros are QEMU's
     * timestamp of the event (0 when QEMU sent none). @data belongs to
     * the monitor and lives until the callback returns. To use it later
     * in another thread take a json_object_deep_copy(), not a
     * json_object_get(): json-c's reference counts are not atomic, and
     * the monitor drops its own reference in the context thread. */
    void (*event)(qemuMonitor *mon, const char *name, json_object *data,
                  long long seconds, unsigned int micros, void *opaque);
    /* the connection ended: end of file (@error false; also a connection
     * reset by an exiting QEMU) or an I/O error or garbage from QEMU
     * (@error true). Called at most once, never after qemuMonitorClose().
     * It may call qemuMonitorClose(). */
    void (*eof)(qemuMonitor *mon, bool error, void *opaque);
} qemuMonitorCallbacks;

/* How long a command waits for its reply unless told otherwise. */
#define QEMU_MONITOR_DEFAULT_COMMAND_TIMEOUT_MS 30000

/* Cap on the size of one message from QEMU; larger input is garbage. */
#define QEMU_MONITOR_MAX_MESSAGE_SIZE (10 * 1024 * 1024)

qemuMonitor *
qemuMonitorOpen(const char *socketPath,
                GMainContext *ctx,
                const qemuMonitorCallbacks *cb,
                void *opaque,
                int timeout_ms);

qemuMonitor *
qemuMonitorOpenFD(int fd,
                  GMainContext *ctx,
                  const qemuMonitorCallbacks *cb,
                  void *opaque,
                  int timeout_ms);

void
qemuMonitorClose(qemuMonitor *mon);

qemuMonitor *
qemuMonitorRef(qemuMonitor *mon);

void
qemuMonitorUnref(qemuMonitor *mon);

void
qemuMonitorSetCommandTimeout(qemuMonitor *mon,
                             int timeout_ms);

int
qemuMonitorCommand(qemuMonitor *mon,
                   const char *cmd,
                   json_object *args,
                   json_object **ret);

const char *
qemuMonitorLastErrorClass(void);

unsigned long long
qemuMonitorGetVersion(qemuMonitor *mon,
                      unsigned int *major,
                      unsigned int *minor,
                      unsigned int *micro);

const char *
qemuMonitorGetVersionPackage(qemuMonitor *mon);

bool
qemuMonitorIsAlive(qemuMonitor *mon);
