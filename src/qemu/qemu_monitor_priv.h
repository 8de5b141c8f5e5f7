/*
 * qemu_monitor_priv.h: what the three layers of the monitor tell each
 * other and nobody else: the transport's calls (qemu_monitor_io.c) and
 * the middle layer's event and error hooks (qemu_monitor.c). The driver
 * includes qemu_monitor.h only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu_monitor.h"

/* ------------------------------------------------------------------ */
/* The transport (qemu_monitor_io.c)                                    */

/* For qemuMonitorIOSend(): wait as long as the monitor's command timeout. */
#define QEMU_MONITOR_IO_DEFAULT_TIMEOUT (-2)

/* For qemuMonitorIOOpenFD(): return without waiting for the greeting. */
#define QEMU_MONITOR_IO_NO_WAIT (-3)

int
qemuMonitorIOConnect(const char *socketPath,
                     int timeout_ms);

qemuMonitor *
qemuMonitorIOOpenFD(int fd,
                    GMainContext *ctx,
                    const qemuMonitorCallbacks *cb,
                    void *opaque,
                    int timeout_ms);

void
qemuMonitorIOClose(qemuMonitor *mon);

qemuMonitor *
qemuMonitorIORef(qemuMonitor *mon);

void
qemuMonitorIOUnref(qemuMonitor *mon);

int
qemuMonitorIOCheck(qemuMonitor *mon,
                   const char *cmd);

typedef struct _qemuMonitorIOMessage qemuMonitorIOMessage;

qemuMonitorIOMessage *
qemuMonitorIOSendStart(qemuMonitor *mon,
                       const char *cmd,
                       json_object *args,
                       bool negotiation);

int
qemuMonitorIOSendFinish(qemuMonitor *mon,
                        qemuMonitorIOMessage *msg,
                        json_object **reply,
                        int timeout_ms);

int
qemuMonitorIOSend(qemuMonitor *mon,
                  const char *cmd,
                  json_object *args,
                  json_object **reply,
                  int timeout_ms,
                  bool negotiation);

int
qemuMonitorIOSendMany(qemuMonitor *mon,
                      size_t n,
                      const char *const *cmds,
                      json_object **args,
                      json_object **replies,
                      int timeout_ms);

void
qemuMonitorIOSetCommandTimeout(qemuMonitor *mon,
                               int timeout_ms);

void
qemuMonitorIOGetVersion(qemuMonitor *mon,
                        unsigned int version[3]);

const char *
qemuMonitorIOGetVersionPackage(qemuMonitor *mon);

bool
qemuMonitorIOIsAlive(qemuMonitor *mon);

const qemuMonitorCallbacks *
qemuMonitorIOGetCallbacks(qemuMonitor *mon,
                          void **opaque);

/* ------------------------------------------------------------------ */
/* The middle layer's hooks (qemu_monitor.c)                            */

void
qemuMonitorSetLastErrorClass(const char *klass);

void
qemuMonitorEmitEvent(qemuMonitor *mon,
                     const char *name,
                     long long seconds,
                     unsigned int micros);

void
qemuMonitorEmitJobStatusChange(qemuMonitor *mon,
                               const char *jobid,
                               qemuMonitorJobStatus status);

void
qemuMonitorEmitBlockJob(qemuMonitor *mon,
                        const char *jobid,
                        const char *type,
                        qemuMonitorBlockJobEvent event,
                        unsigned long long offset,
                        unsigned long long len,
                        unsigned long long speed,
                        const char *error);

void
qemuMonitorEmitBlockJobError(qemuMonitor *mon,
                             const char *jobid,
                             const char *operation,
                             const char *action);

void
qemuMonitorEmitStop(qemuMonitor *mon);

void
qemuMonitorEmitResume(qemuMonitor *mon);

void
qemuMonitorEmitShutdown(qemuMonitor *mon,
                        bool guest,
                        const char *reason);

void
qemuMonitorEmitEOF(qemuMonitor *mon,
                   bool error);
