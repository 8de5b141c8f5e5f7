/*
 * qemu_monitor_json.h: one function per QMP command (C values in, C
 * structs out, no driver state) and QEMU's events parsed into typed
 * callbacks. Called by qemu_monitor.c, which checks and logs first, and
 * by the transport for events; the driver calls qemu_monitor.h instead.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu_monitor.h"

void
qemuMonitorJSONHandleEvent(qemuMonitor *mon,
                           json_object *obj);

bool
qemuMonitorJSONEventTableIsSorted(void);

int
qemuMonitorJSONSetCapabilities(qemuMonitor *mon,
                               int timeout_ms);

int
qemuMonitorJSONCheckReply(const char *cmd,
                          json_object *reply,
                          json_type want,
                          json_object **ret);

int
qemuMonitorJSONParseStatus(json_object *ret,
                           bool *running,
                           char **status);

int
qemuMonitorJSONQueryStatus(qemuMonitor *mon,
                           bool *running,
                           char **status);

int
qemuMonitorJSONCont(qemuMonitor *mon);

int
qemuMonitorJSONStop(qemuMonitor *mon);

int
qemuMonitorJSONSystemPowerdown(qemuMonitor *mon);

int
qemuMonitorJSONQuit(qemuMonitor *mon);

int
qemuMonitorJSONBlockStream(qemuMonitor *mon,
                           const char *jobid,
                           const char *device,
                           const char *baseNode,
                           const char *backingFile,
                           unsigned long long speed,
                           bool autoFinalize,
                           bool autoDismiss);

int
qemuMonitorJSONBlockJobPause(qemuMonitor *mon,
                             const char *jobid);

int
qemuMonitorJSONBlockJobResume(qemuMonitor *mon,
                              const char *jobid);

int
qemuMonitorJSONBlockJobCancel(qemuMonitor *mon,
                              const char *jobid,
                              bool force);

int
qemuMonitorJSONBlockJobSetSpeed(qemuMonitor *mon,
                                const char *jobid,
                                unsigned long long speed);

int
qemuMonitorJSONJobFinalize(qemuMonitor *mon,
                           const char *jobid);

int
qemuMonitorJSONJobDismiss(qemuMonitor *mon,
                          const char *jobid);

int
qemuMonitorJSONQueryBlockJobs(qemuMonitor *mon,
                              qemuMonitorBlockJobInfo **jobs,
                              size_t *njobs);

int
qemuMonitorJSONQueryJobs(qemuMonitor *mon,
                         qemuMonitorJobInfo **jobs,
                         size_t *njobs);

int
qemuMonitorJSONRunBatch(qemuMonitor *mon,
                        qemuMonitorBatchItem *items,
                        size_t nitems);

int
qemuMonitorJSONBlockdevDel(qemuMonitor *mon,
                           const char *nodename);

int
qemuMonitorJSONQueryNamedBlockNodes(qemuMonitor *mon,
                                    char ***nodenames);

int
qemuMonitorJSONBlockNodeHasBacking(qemuMonitor *mon,
                                   const char *nodename,
                                   bool *hasBacking);

int
qemuMonitorJSONHumanCommand(qemuMonitor *mon,
                            const char *cmdline,
                            char **reply);

int
qemuMonitorJSONArbitraryCommand(qemuMonitor *mon,
                                const char *cmd,
                                json_object *args,
                                json_object **ret);
