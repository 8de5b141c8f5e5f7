/*
 * qemu_process.h: starting, stopping and reconnecting to QEMU processes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu_domain.h"

/* Start the domain (vm locked, job held, not active). @flags:
 * VIR_DOMAIN_START_PAUSED. On failure nothing is left behind. */
int qemuProcessStart(qemuDriver *driver, virDomainObj *vm, unsigned int flags);

/* Stop the domain (vm locked, job held, active): kill QEMU, close the
 * monitor, give every image back, remove the runtime files, and end the
 * block jobs. @reason: a virDomainShutoffReason. Once the domain is shut
 * off, queues the lifecycle event STOPPED with @detail (a
 * virDomainEventStoppedDetailType), then the events of the pulls the stop
 * ended: told once it is true, in the order it happened. */
void qemuProcessStop(qemuDriver *driver, virDomainObj *vm, int reason,
                     int detail);

/* Carry on with a domain found in a status file (vm locked, job held).
 * Returns 0 if QEMU is still there and the monitor is back; 1 if the
 * domain was stopped and cleaned up: its QEMU went away while nobody
 * watched (reason CRASHED), or the process that started it died before the
 * start was complete (reason FAILED, event STOPPED/FAILED; a QEMU or start
 * helper it left is killed). */
int qemuProcessReconnect(qemuDriver *driver, virDomainObj *vm);
int qemuProcessReconnectStart(qemuDriver *driver, virDomainObj *vm,
                              qemuMonitorOpening **op);
int qemuProcessReconnectFinish(qemuDriver *driver, virDomainObj *vm,
                               qemuMonitorOpening *op);

/* The driver's pool function (driver->workerPool): @data is a domain
 * (a reference, which it drops) whose queue of monitor events has work;
 * handles the next, in the order QEMU sent them. */
void qemuProcessEventWorker(gpointer data, gpointer opaque);

/*
 * The guest's CPUs stopped (vm locked, active): PAUSED for @reason (a
 * virDomainPausedReason), saved, and the lifecycle event SUSPENDED
 * (PAUSED) queued; nothing if the domain is not RUNNING, so that
 * virDomainSuspend() and QEMU's STOP event, whichever comes first, tell
 * it once.
 */
void qemuProcessSetPaused(qemuDriver *driver, virDomainObj *vm, int reason);

/* The CPUs run again: RUNNING for @reason, RESUMED (UNPAUSED) queued;
 * nothing unless the domain is PAUSED (and not starting up). */
void qemuProcessSetRunning(qemuDriver *driver, virDomainObj *vm, int reason);
