/*
 * qemu_monitor_json.h: one C function per QMP command: C values in, C
 * structs out, no driver state.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu_monitor.h"

/* QEMU's JobStatus, in QAPI order. */
typedef enum {
    QEMU_MONITOR_JOB_STATUS_UNDEFINED = 0,
    QEMU_MONITOR_JOB_STATUS_CREATED,
    QEMU_MONITOR_JOB_STATUS_RUNNING,
    QEMU_MONITOR_JOB_STATUS_PAUSED,
    QEMU_MONITOR_JOB_STATUS_READY,
    QEMU_MONITOR_JOB_STATUS_STANDBY,
    QEMU_MONITOR_JOB_STATUS_WAITING,
    QEMU_MONITOR_JOB_STATUS_PENDING,
    QEMU_MONITOR_JOB_STATUS_ABORTING,
    QEMU_MONITOR_JOB_STATUS_CONCLUDED,
    QEMU_MONITOR_JOB_STATUS_NULL,

    QEMU_MONITOR_JOB_STATUS_LAST
} qemuMonitorJobStatus;

const char *
qemuMonitorJobStatusToString(int status);

int
qemuMonitorJobStatusFromString(const char *str);

/* One entry of query-block-jobs. QEMU reports the job id in "device";
 * @id and @device both hold it. */
typedef struct {
    char *id;
    char *type;                 /* "stream", "commit", ... */
    char *device;
    unsigned long long offset;  /* bytes done */
    unsigned long long len;     /* bytes in all (may change while running) */
    unsigned long long speed;   /* bytes per second, 0 unlimited */
    bool busy;
    bool paused;
    bool ready;
    char *status;               /* a JobStatus name */
} qemuMonitorBlockJobInfo;

/* One entry of query-jobs. */
typedef struct {
    char *id;
    char *type;
    qemuMonitorJobStatus status;
    unsigned long long current;
    unsigned long long total;
    char *error;                /* NULL unless the job failed */
} qemuMonitorJobInfo;

int
qemuMonitorQueryStatus(qemuMonitor *mon,
                       bool *running,
                       char **status);

int
qemuMonitorCont(qemuMonitor *mon);

int
qemuMonitorStop(qemuMonitor *mon);

int
qemuMonitorSystemPowerdown(qemuMonitor *mon);

int
qemuMonitorQuit(qemuMonitor *mon);

int
qemuMonitorBlockStream(qemuMonitor *mon,
                       const char *jobid,
                       const char *device,
                       unsigned long long speed,
                       bool autoFinalize,
                       bool autoDismiss);

int
qemuMonitorBlockJobPause(qemuMonitor *mon,
                         const char *jobid);

int
qemuMonitorBlockJobResume(qemuMonitor *mon,
                          const char *jobid);

int
qemuMonitorBlockJobCancel(qemuMonitor *mon,
                          const char *jobid,
                          bool force);

int
qemuMonitorBlockJobSetSpeed(qemuMonitor *mon,
                            const char *jobid,
                            unsigned long long speed);

int
qemuMonitorJobFinalize(qemuMonitor *mon,
                       const char *jobid);

int
qemuMonitorJobDismiss(qemuMonitor *mon,
                      const char *jobid);

int
qemuMonitorQueryBlockJobs(qemuMonitor *mon,
                          qemuMonitorBlockJobInfo **jobs,
                          size_t *njobs);

void
qemuMonitorBlockJobInfoListFree(qemuMonitorBlockJobInfo *jobs,
                                size_t njobs);

int
qemuMonitorQueryJobs(qemuMonitor *mon,
                     qemuMonitorJobInfo **jobs,
                     size_t *njobs);

void
qemuMonitorJobInfoListFree(qemuMonitorJobInfo *jobs,
                           size_t njobs);

int
qemuMonitorBlockdevDel(qemuMonitor *mon,
                       const char *nodename);

int
qemuMonitorQueryNamedBlockNodes(qemuMonitor *mon,
                                char ***nodenames);

int
qemuMonitorBlockNodeHasBacking(qemuMonitor *mon,
                               const char *nodename,
                               bool *hasBacking);

int
qemuMonitorHumanCommand(qemuMonitor *mon,
                        const char *cmdline,
                        char **reply);
