/*
 * qemu_domain.h: the QEMU driver's state: the driver object for one root,
 * its domain objects, jobs, and status files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <sys/types.h>

#include "conf/domain_conf.h"
#include "conf/domain_event.h"
#include "qemu_conf.h"
#include "qemu_monitor.h"
#include "security/security_manager.h"
#include "vireventthread.h"

typedef struct _qemuDriver qemuDriver;
typedef struct _virDomainObj virDomainObj;
typedef struct _qemuBlockJob qemuBlockJob;

/*
 * The driver's state for one embed root: one per root per process, started
 * and stopped by whoever hosts it (qemuStateInitialize(),
 * qemuStateCleanup()); connections attach to it.
 */
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
    GThreadPool *workerPool;        /* processes monitor events, in order */

    GMutex lock;                    /* protects the fields below */
    GHashTable *domains;            /* uuid string -> virDomainObj (ref) */
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
};

/* A domain known to the driver: persistent, running, or both. */
struct _virDomainObj {
    gint refs;
    GMutex lock;
    GCond cond;                 /* job, state and block job changes */

    /* Read by lookups without the lock (a lookup holds the list's lock,
     * and the list's lock is never taken before a domain's): name and
     * uuid never change once listed; liveID is written atomically. */
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    gint liveID;                /* def->id while running, -1 otherwise */

    virDomainDef *def;          /* live definition while running, else persistent */
    virDomainDef *newDef;       /* the persistent definition while running */
    bool persistent;
    bool removed;               /* no longer in the driver's list */
    int state;                  /* virDomainState */
    int reason;

    /* private to the QEMU driver */
    qemuDriver *driver;         /* the driver this domain belongs to */
    bool gotShutdown;           /* QEMU reported a guest shutdown */
    bool job;                   /* a modifying job holds the domain */
    pid_t pid;
    /* Who @pid is: its start time and the boot it started in, recorded
     * with it, so that a later process with the same pid is never taken
     * for our QEMU (0 and NULL in status files older than this). */
    unsigned long long pidStartTime;
    char *pidBootID;
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
};

virDomainObj *virDomainObjNew(void);
void virDomainObjRef(virDomainObj *vm);
void virDomainObjUnref(virDomainObj *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainObj, virDomainObjUnref);

/* Lookups return a new reference, the object unlocked; NULL when not found
 * (no error reported). */
virDomainObj *qemuDomainObjFindByUUID(qemuDriver *driver, const unsigned char *uuid);
virDomainObj *qemuDomainObjFindByName(qemuDriver *driver, const char *name);
virDomainObj *qemuDomainObjFindByID(qemuDriver *driver, int id);

/* Add @vm to the list (takes a reference). */
void qemuDomainObjListAdd(qemuDriver *driver, virDomainObj *vm);
/* Remove @vm from the list. */
void qemuDomainObjListRemove(qemuDriver *driver, virDomainObj *vm);
/* All domains, new references. */
GPtrArray *qemuDomainObjListGetAll(qemuDriver *driver);

/* Jobs: with vm->lock held; BeginJob waits for the current job to end. */
void qemuDomainObjBeginJob(virDomainObj *vm);
void qemuDomainObjEndJob(virDomainObj *vm);

/* Monitor use outside the lock: Enter (lock held) returns the monitor or
 * NULL with an error if QEMU is gone, and drops the lock; Exit retakes it. */
qemuMonitor *qemuDomainObjEnterMonitor(virDomainObj *vm);
void qemuDomainObjExitMonitor(virDomainObj *vm);

bool virDomainObjIsActive(virDomainObj *vm);
void virDomainObjSetState(virDomainObj *vm, int state, int reason);

/* Status file: ROOT/run/qemu/NAME.xml, rewritten atomically. Lock held.
 * A successful save also queues the domain's pending events. */
int qemuDomainSaveStatus(qemuDriver *driver, virDomainObj *vm);

/*
 * Save the status, then queue @event (stolen, may be NULL): an outcome is
 * told only once it is durable, so that a process that reads the status
 * file after ours tells the same, and nothing twice. If the save fails
 * (the file system is full, say), @event waits with the domain until a
 * later save succeeds: retried every second, and at every other save of
 * the domain. Lock held. Returns the save's result.
 */
int qemuDomainSaveStatusEvent(qemuDriver *driver, virDomainObj *vm,
                              virDomainEvent *event);

/* Queue the events still waiting for a save: the domain stopped, and with
 * its status file gone nothing can contradict them. Lock held. */
void qemuDomainQueuePendingEvents(qemuDriver *driver, virDomainObj *vm);

/* The driver goes away: stop retrying (the events left waiting are told
 * by the next process, which reads the older status from QEMU's state). */
void qemuDomainSaveRetryCancel(qemuDriver *driver);
/* Load a status file into a new domain object (not started, not listed). */
virDomainObj *qemuDomainLoadStatus(qemuDriver *driver, const char *path);
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
const char *qemuBlockJobStateToString(qemuBlockJobState state);

/* Queue a domain event for the applications of this driver. */
void qemuDomainEventQueue(qemuDriver *driver, virDomainEvent *event);

/* Paths of a domain's files. */
char *qemuDomainStatusPath(qemuDriver *driver, const char *name);
char *qemuDomainConfigPath(qemuDriver *driver, const char *name);
