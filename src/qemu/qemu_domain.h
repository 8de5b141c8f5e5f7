/*
 * qemu_domain.h: the QEMU driver's state: the driver object for one root,
 * its part of each domain object (private data), jobs, and status files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <sys/types.h>

#include "conf/domain_conf.h"
#include "conf/domain_event.h"
#include "conf/virdomainobjlist.h"
#include "util/virenum.h"
#include "qemu_conf.h"
#include "qemu_monitor.h"
#include "security/security_manager.h"
#include "util/vireventthread.h"

typedef struct _qemuDriver qemuDriver;
typedef struct _qemuBlockJob qemuBlockJob;

/*
 * The driver's state for one embed root: one per root per process, started
 * and stopped by whoever hosts it (qemuStateInitialize(),
 * qemuStateCleanup()); connections attach to it.
 */
/* How many threads handle monitor events (finish pulls) at most: that
 * many domains' events are handled at the same time, each domain's in
 * order. More would add little on a small host: each finish mostly waits
 * for QEMU's replies and the status file's fsync. */
#define QEMU_DRIVER_WORKERS 8

struct _qemuDriver {
    char *root;
    char *configDir;        /* ROOT/etc/qemu: persistent definitions */
    char *stateDir;         /* ROOT/run/qemu: status files, sockets, pids */
    char *logDir;           /* ROOT/log/qemu */
    char *libDir;           /* ROOT/lib/qemu */
    int lockFd;             /* ROOT/run/qemu/driver.lock, held while open */
    int stateDirFd;         /* O_PATH fd: short socket paths via /proc/self/fd */
    qemuDriverConfig *cfg;
    virSecurityManager *securityManager;
    virDomainEventState *eventState;
    virEventThread *eventThread;    /* monitor I/O */
    /* Monitor events: each domain's in its own queue (workQueue of its
     * private data), in order; the pool's threads serve the domains, one
     * thread per domain at a time (see qemu_process.c). */
    GThreadPool *workerPool;        /* of virDomainObj (references) */
    GMutex workLock;                /* the domains' workQueue, workScheduled */
    virDomainXMLOption *xmlopt;     /* qemuDomainObjPrivate, status files */
    virDomainObjList *domains;

    GMutex lock;                    /* protects the fields below */
    int nextID;
    GSource *saveRetry;             /* retries failed status saves, on eventThread */
    bool saveRetryNeeded;           /* a save failed since the retry last ran */
    bool shuttingDown;              /* no new retries */
};

typedef enum {
    QEMU_BLOCKJOB_STATE_NEW = 0,    /* recorded, block-stream not yet accepted */
    QEMU_BLOCKJOB_STATE_RUNNING,    /* pulling in the background */
    QEMU_BLOCKJOB_STATE_PAUSED,     /* step-wise: paused between steps */
    QEMU_BLOCKJOB_STATE_PENDING,    /* finished copying, finalize sent */
    QEMU_BLOCKJOB_STATE_CONCLUDED,  /* QEMU concluded it: result known */
    QEMU_BLOCKJOB_STATE_LAST
} qemuBlockJobState;

struct _qemuBlockJob {
    char *disk;                 /* target name, e.g. "vda" */
    char *jobid;                /* QEMU job id */
    unsigned int serial;        /* unique in this process: tells this pull's
                                 * events from those of the disk's older pulls */
    qemuBlockJobState state;
    bool stepwise;              /* started (and currently driven) by steps */
    bool abortRequested;        /* CANCELED, not FAILED, when it ends with an error */
    bool failed;                /* concluded with an error */
    char *errmsg;               /* QEMU's error text */
    unsigned long long cur;     /* last progress seen: never goes backwards */
    unsigned long long end;
    char *base;                 /* the image kept below (virDomainBlockRebase's
                                 * base), NULL: the whole chain is pulled */
    unsigned long long bandwidth; /* the caller's limit, bytes/s, 0: none */
};

/*
 * The QEMU driver's part of a domain object (virDomainObj.privateData),
 * protected by the object's lock. What a new process needs to carry on
 * with a running domain is in its status file (qemuDomainXMLOptionNew()):
 * the monitor and log paths, the labelled images and the block jobs.
 */
typedef struct _qemuDomainObjPrivate qemuDomainObjPrivate;
struct _qemuDomainObjPrivate {
    qemuDriver *driver;         /* the driver this domain belongs to */

    /* The job: one modifying call (or internal task) at a time. */
    const char *jobName;        /* who holds it (a static string), NULL: free */
    gint64 jobStarted;          /* since when (g_get_monotonic_time()) */

    bool gotShutdown;           /* QEMU reported a guest shutdown */
    int pausedReason;           /* the virDomainPausedReason of the next STOP:
                                 * set by whoever sends "stop" */
    qemuMonitor *mon;
    int monUsers;               /* threads using mon outside the lock */
    bool monEOF;                /* the monitor closed: QEMU is gone */
    bool beingDestroyed;        /* destroy asked for the end of QEMU */
    char *monPath;
    char *pidPath;
    char *logPath;
    off_t logStart;             /* where this start's QEMU output begins */
    char **labels;              /* images labelled for QEMU (NULL-terminated) */
    GPtrArray *blockjobs;       /* qemuBlockJob */
    GPtrArray *pendingEvents;   /* virDomainEvent: told once the status file
                                 * records what they tell */
    bool statusDirty;           /* the status file is older than the object:
                                 * a save failed, the retry saves it */

    /* Under driver->workLock, not the object's lock: */
    GQueue workQueue;           /* the monitor's events not handled yet
                                 * (qemu_process.c), each holding a
                                 * reference on the object */
    bool workScheduled;         /* a worker has the domain, or will */
};

#define QEMU_DOMAIN_PRIVATE(vm) ((qemuDomainObjPrivate *) (vm)->privateData)

/*
 * The domain objects' options for @driver: qemuDomainObjPrivate as their
 * private data, written to and read from the status file (@driver may be
 * NULL for a reader of status files that runs no domain).
 */
virDomainXMLOption *qemuDomainXMLOptionNew(qemuDriver *driver);

/*
 * Jobs (vm locked; dropped while waiting). BeginJob waits for the job
 * for at most qemu.conf's job_wait_timeout, so that a call stuck on a
 * hung QEMU cannot pin every later call on the domain: then -1 with
 * VIR_ERR_OPERATION_TIMEOUT naming who holds it. @job names the caller
 * (the API, "virDomainBlockPull"; or an internal task): a static string.
 * BeginInternalJob is for what the driver must do whatever the wait (a
 * QEMU gone to clean up after): it waits as long as it takes, logging a
 * warning naming the holder each time the bound passes.
 */
int qemuDomainObjBeginJob(virDomainObj *vm, const char *job);
void qemuDomainObjBeginInternalJob(virDomainObj *vm, const char *job);
void qemuDomainObjEndJob(virDomainObj *vm);

/* Monitor use outside the lock: Enter (lock held) returns the monitor or
 * NULL with an error if QEMU is gone, and drops the lock; Exit retakes it. */
qemuMonitor *qemuDomainObjEnterMonitor(virDomainObj *vm);
void qemuDomainObjExitMonitor(virDomainObj *vm);

/*
 * Status file: ROOT/run/qemu/NAME.xml (virDomainObjFormat() with the
 * private data), rewritten atomically. Lock held. A successful save also
 * queues the domain's pending events.
 *
 * The policy for a save that fails (a full or read-only file system):
 *
 * - qemuDomainSaveStatusRequired() is for the few places that must not go
 *   on unless the file records the change first, because a crash right
 *   after would leave something no later process knows of: the images
 *   about to be labelled and the pid about to become QEMU (start), the
 *   running state that keeps a restart from stopping the domain as a
 *   start cut short, and a pull recorded before QEMU is asked to begin
 *   it. It returns -1 with the error reported, and the caller undoes.
 *
 * - qemuDomainSaveStatus(), everywhere else: the change stands in memory
 *   (and in QEMU), the domain's status is marked dirty and saved again
 *   by the driver's retry (every second, and at the domain's next save),
 *   a warning logged once per failure spell. Events that tell an outcome
 *   wait with the domain until it is saved (qemuDomainSaveStatusEvent()).
 *   Nothing is returned: there is nothing for the caller to do.
 */
int qemuDomainSaveStatusRequired(qemuDriver *driver, virDomainObj *vm);
void qemuDomainSaveStatus(qemuDriver *driver, virDomainObj *vm);

/*
 * Save the status, then queue @event (stolen, may be NULL): an outcome is
 * told only once it is durable, so that a process that reads the status
 * file after ours tells the same, and nothing twice. If the save fails,
 * @event waits with the domain until a later save succeeds (see
 * qemuDomainSaveStatus()). Lock held.
 */
void qemuDomainSaveStatusEvent(qemuDriver *driver, virDomainObj *vm,
                               virDomainEvent *event);

/* Queue the events still waiting for a save: the domain stopped, and with
 * its status file gone nothing can contradict them. Lock held. */
void qemuDomainQueuePendingEvents(qemuDriver *driver, virDomainObj *vm);

/* The driver goes away: stop retrying (the events left waiting are told
 * by the next process, which reads the older status from QEMU's state). */
void qemuDomainSaveRetryCancel(qemuDriver *driver);
/* Load a status file into a new domain object (not started, not listed). */
virDomainObj *qemuDomainLoadStatus(qemuDriver *driver, const char *path);
/* Remove the status file; the domain stopped (lock held). */
void qemuDomainRemoveStatus(qemuDriver *driver, virDomainObj *vm);

/* Refuse a name too long for the driver's files (VIR_ERR_CONFIG_UNSUPPORTED). */
int qemuDomainCheckName(const char *name);

/* Persistent config: ROOT/etc/qemu/NAME.xml. */
int qemuDomainSaveConfig(qemuDriver *driver, const virDomainDef *def);
void qemuDomainRemoveConfig(qemuDriver *driver, const char *name);

/* Block jobs of a domain (lock held). */
qemuBlockJob *qemuBlockJobFind(virDomainObj *vm, const char *disk);
qemuBlockJob *qemuBlockJobFindByJobID(virDomainObj *vm, const char *jobid);
qemuBlockJob *qemuBlockJobAdd(virDomainObj *vm, const char *disk);
void qemuBlockJobRemove(virDomainObj *vm, qemuBlockJob *job);
/* The names of block job states in status files ("running"). */
VIR_ENUM_DECL(qemuBlockJobState, qemuBlockJobState);

/* Queue a domain event for the applications of this driver. */
void qemuDomainEventQueue(qemuDriver *driver, virDomainEvent *event);

/*
 * Queue @event (stolen, may be NULL), an event of @vm (locked); the end of
 * a pull that no registered callback wants is kept in @vm for the
 * callbacks registered later (virDomainEventStateQueueHold()), unless a
 * newer pull of the disk runs. Returns true if @vm changed: the caller
 * saves its status (if it runs).
 */
bool qemuDomainEventQueueHold(qemuDriver *driver, virDomainObj *vm,
                              virDomainEvent *event);

/* Paths of a domain's files. */
char *qemuDomainStatusPath(qemuDriver *driver, const char *name);
char *qemuDomainConfigPath(qemuDriver *driver, const char *name);
