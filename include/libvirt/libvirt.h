/*
 * libvirt.h: the public API of libvirt-bp, a libvirt-shaped library that
 * manages QEMU virtual machines and pulls their disks' backing images into
 * the overlay while they run ("block pull").
 *
 * Names and numeric values are libvirt's, except for the block pull API,
 * which follows the "block pull" RFC v5 proposal (see docs/blockpull.md).
 * This library is not ABI compatible with libvirt: it is installed as
 * libvirt-bp.so.0 with versioned symbols (LIBVIRT_BP_0), so a program built
 * against it cannot silently run on a distribution's libvirt.so.0.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_H
#define LIBVIRT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * LIBVIR_VERSION_NUMBER:
 *
 * The libvirt API level this library claims: 9000000, libvirt 9.0.0
 * (major * 1,000,000 + minor * 1,000 + micro). Clients written for
 * libvirt test this number (directly, or with LIBVIR_CHECK_VERSION()) to
 * decide which calls they may use; 9.0.0 is the release whose names,
 * numbers and semantics this library follows. It is also what
 * virGetVersion() and virConnectGetLibVersion() report. It does not mean
 * that every call of libvirt 9.0 exists here: only those declared in this
 * header do (a client gating on the version alone may still find one
 * missing at build time, never at run time). The version of this project
 * itself is LIBVIRT_BP_VERSION_NUMBER.
 */
#define LIBVIR_VERSION_NUMBER 9000000

/**
 * LIBVIR_CHECK_VERSION:
 * @major: major component of the version number
 * @minor: minor component of the version number
 * @micro: micro component of the version number
 *
 * True (1) at compile time if LIBVIR_VERSION_NUMBER is at least
 * @major.@minor.@micro, as in libvirt: e.g. LIBVIR_CHECK_VERSION(1, 2, 14)
 * holds, LIBVIR_CHECK_VERSION(9, 1, 0) does not.
 */
#define LIBVIR_CHECK_VERSION(major, minor, micro) \
    ((major) * 1000000 + (minor) * 1000 + (micro) <= LIBVIR_VERSION_NUMBER)

/**
 * LIBVIRT_BP_VERSION_NUMBER:
 *
 * The version of libvirt-bp itself (0.1.0), in the same encoding; not
 * libvirt's (see LIBVIR_VERSION_NUMBER).
 */
#define LIBVIRT_BP_VERSION_NUMBER 1000

/* ------------------------------------------------------------------ */
/* Connections                                                          */
/* ------------------------------------------------------------------ */

typedef struct _virConnect virConnect;
/**
 * virConnectPtr:
 *
 * A connection to a hypervisor driver, from virConnectOpen(). Reference
 * counted: virConnectRef() takes a reference, virConnectClose() drops one.
 */
typedef virConnect *virConnectPtr;

typedef struct _virDomain virDomain;
/**
 * virDomainPtr:
 *
 * A handle to a domain (a virtual machine). Reference counted: every
 * function returning one gives the caller a reference, released with
 * virDomainFree(). A handle keeps its connection alive.
 */
typedef virDomain *virDomainPtr;

#include <libvirt/virterror.h>

/**
 * virFreeCallback:
 * @opaque: the data to free
 *
 * Frees the user data of a callback once the library no longer needs it.
 */
typedef void (*virFreeCallback)(void *opaque);

/**
 * virConnectFlags:
 *
 * Flags of virConnectOpenAuth(); VIR_CONNECT_RO is what
 * virConnectOpenReadOnly() uses.
 */
typedef enum {
    VIR_CONNECT_RO = (1 << 0),          /* a read-only connection */
    VIR_CONNECT_NO_ALIASES = (1 << 1),  /* do not resolve URI aliases */
} virConnectFlags;

/**
 * virConnectCredentialType:
 *
 * The kinds of credentials a driver may ask for through a virConnectAuth.
 */
typedef enum {
    VIR_CRED_USERNAME = 1,      /* the identity to act as */
    VIR_CRED_AUTHNAME = 2,      /* the identity to authorize as */
    VIR_CRED_LANGUAGE = 3,      /* an RFC 1766 language code */
    VIR_CRED_CNONCE = 4,        /* a client-supplied nonce */
    VIR_CRED_PASSPHRASE = 5,    /* a secret, not shown as it is typed */
    VIR_CRED_ECHOPROMPT = 6,    /* a challenge answered, shown as typed */
    VIR_CRED_NOECHOPROMPT = 7,  /* a challenge answered, not shown */
    VIR_CRED_REALM = 8,         /* an authentication realm */
    VIR_CRED_EXTERNAL = 9,      /* obtained outside the application */
#ifdef VIR_ENUM_SENTINELS
    VIR_CRED_LAST
#endif
} virConnectCredentialType;

typedef struct _virConnectCredential virConnectCredential;

/**
 * virConnectCredential:
 *
 * One credential a driver asks for. The callback sets @result (allocated
 * with malloc(): the driver frees it with free()) and @resultlen.
 */
struct _virConnectCredential {
    int type;                   /* a virConnectCredentialType */
    const char *prompt;         /* what to show the user */
    const char *challenge;      /* extra information, or NULL */
    const char *defresult;      /* the answer if none is given, or NULL */
    char *result;               /* the answer, set by the callback */
    unsigned int resultlen;     /* its length in bytes */
};

/**
 * virConnectCredentialPtr:
 *
 * A pointer to a virConnectCredential.
 */
typedef virConnectCredential *virConnectCredentialPtr;

/**
 * virConnectAuthCallbackPtr:
 * @cred: the credentials asked for
 * @ncred: how many
 * @cbdata: the virConnectAuth's @cbdata
 *
 * Fill in the result of every credential in @cred.
 *
 * Returns 0, or -1 if any could not be obtained (the open then fails).
 */
typedef int (*virConnectAuthCallbackPtr)(virConnectCredentialPtr cred,
                                         unsigned int ncred,
                                         void *cbdata);

typedef struct _virConnectAuth virConnectAuth;

/**
 * virConnectAuth:
 *
 * How an application answers a driver's questions at open: the credential
 * types its callback can provide, and the callback.
 */
struct _virConnectAuth {
    int *credtype;              /* the virConnectCredentialType it supports */
    unsigned int ncredtype;
    virConnectAuthCallbackPtr cb;
    void *cbdata;               /* passed to @cb */
};

/**
 * virConnectAuthPtr:
 *
 * A pointer to a virConnectAuth.
 */
typedef virConnectAuth *virConnectAuthPtr;

/**
 * virConnectAuthPtrDefault:
 *
 * An authentication on the terminal: each credential's prompt is written
 * to standard output and the answer read from standard input, a
 * passphrase (and a NOECHOPROMPT) without being shown. It supports every
 * credential type but VIR_CRED_EXTERNAL.
 */
extern virConnectAuthPtr virConnectAuthPtrDefault;

/**
 * virConnectOpenAuth:
 * @name: the URI of the hypervisor, or NULL for the default
 * @auth: how to answer the driver's questions for credentials, or NULL
 *        (a driver that needs credentials then fails to open)
 * @flags: bitwise-OR of virConnectFlags
 *
 * Open a connection. The default URI is $LIBVIRT_DEFAULT_URI, or
 * "qemu:///system" when that is unset. The registered drivers are offered
 * the URI in turn, and the first that accepts it serves the connection
 * (docs/uri.md): "qemu:///embed?root=DIR" runs the QEMU driver
 * inside the calling process, with all its state under DIR (the process
 * hosts that state from its first connection to DIR to its last);
 * "test:///default" is a driver of in-memory domains, with one running
 * domain "test" at first, for testing applications (a library built
 * --without-qemu has only this one). "qemu:///system",
 * "qemu:///session", "qemu+unix:///system", "qemu+ssh://host/system" and
 * "qemu+tls://host/system" will talk to libvirtd.
 *
 * With VIR_CONNECT_RO the connection may only query: every call that
 * changes anything fails with VIR_ERR_OPERATION_DENIED.
 *
 * Returns a new connection (the caller owns the reference and releases it
 * with virConnectClose()), or NULL on error: VIR_ERR_NO_CONNECT if no
 * driver accepts the URI, VIR_ERR_INVALID_ARG for unknown @flags.
 */
virConnectPtr virConnectOpenAuth(const char *name, virConnectAuthPtr auth,
                                 unsigned int flags);

/**
 * virConnectOpen:
 * @name: the URI of the hypervisor, or NULL for the default
 *
 * Open a read-write connection: virConnectOpenAuth() without
 * authentication. See there for the URIs.
 *
 * Returns a new connection (the caller owns the reference and releases it
 * with virConnectClose()), or NULL on error.
 */
virConnectPtr virConnectOpen(const char *name);

/**
 * virConnectOpenReadOnly:
 * @name: the URI of the hypervisor, or NULL for the default
 *
 * virConnectOpenAuth() with VIR_CONNECT_RO and without authentication:
 * the connection may only query, calls that change anything fail with
 * VIR_ERR_OPERATION_DENIED.
 *
 * Returns a new connection or NULL on error.
 */
virConnectPtr virConnectOpenReadOnly(const char *name);

/**
 * virConnectRef:
 * @conn: the connection
 *
 * Take one more reference on @conn, to be released with virConnectClose().
 *
 * Returns 0, or -1 if @conn is invalid.
 */
int virConnectRef(virConnectPtr conn);

/**
 * virConnectClose:
 * @conn: the connection
 *
 * Release one reference on @conn; the last one closes it. Domains of the
 * connection hold references of their own.
 *
 * Returns the number of references left (0 once closed), or -1 on error.
 */
int virConnectClose(virConnectPtr conn);

/**
 * virConnectGetURI:
 * @conn: the connection
 *
 * Returns the canonical URI of the connection, to be freed with free(),
 * or NULL on error.
 */
char *virConnectGetURI(virConnectPtr conn);

/**
 * virConnectIsAlive:
 * @conn: the connection
 *
 * Returns 1 if the connection is usable, 0 if it is not (the remote end
 * went away), -1 on error.
 */
int virConnectIsAlive(virConnectPtr conn);

/**
 * virConnectGetType:
 * @conn: the connection
 *
 * The name of the connection's hypervisor driver: "QEMU" for a
 * qemu:/// connection, "Test" for test:///default, as libvirt's drivers
 * call themselves. It names the driver, not the accelerator (a QEMU
 * connection runs TCG and KVM guests alike).
 *
 * Returns a static string (not to be freed), or NULL on error.
 */
const char *virConnectGetType(virConnectPtr conn);

/**
 * virConnectGetHostname:
 * @conn: the connection
 *
 * The name of the host the hypervisor runs on (for the local drivers,
 * this host's name, from gethostname(), made fully qualified when the
 * resolver knows it).
 *
 * Returns the hostname (free with free()), or NULL on error.
 */
char *virConnectGetHostname(virConnectPtr conn);

/**
 * virConnectSetKeepAlive:
 * @conn: the connection
 * @interval: seconds of inactivity before a keepalive message is sent
 *            (<= 0: none are sent)
 * @count: how many may go unanswered before the connection is closed
 *
 * Keepalive messages detect a dead peer of a remote connection
 * (qemu:///system, qemu+unix:///system?socket=PATH): a message is sent
 * every @interval seconds, and once @count of them are unanswered the
 * connection is closed (its close callback is told
 * VIR_CONNECT_CLOSE_REASON_KEEPALIVE) and every call on it fails. A remote
 * connection starts with an interval of 5 and a count of 5 when its
 * daemon supports keepalive; this call changes them or, with @interval
 * <= 0, stops the messages. The local connections (qemu:///embed,
 * test:///default) have no peer: as libvirt 9.0 answers for a driver
 * without keepalive (its local drivers), the call fails with
 * VIR_ERR_NO_SUPPORT and changes nothing.
 *
 * Returns 0 on success, 1 when the peer does not support keepalive, -1 on
 * error (VIR_ERR_NO_SUPPORT on every local connection).
 */
int virConnectSetKeepAlive(virConnectPtr conn, int interval,
                           unsigned int count);

/**
 * virConnectCloseReason:
 *
 * Why a connection was closed, as given to a virConnectCloseFunc.
 */
typedef enum {
    VIR_CONNECT_CLOSE_REASON_ERROR = 0,     /* misc I/O error */
    VIR_CONNECT_CLOSE_REASON_EOF = 1,       /* end of file from the peer */
    VIR_CONNECT_CLOSE_REASON_KEEPALIVE = 2, /* keepalive timer expired */
    VIR_CONNECT_CLOSE_REASON_CLIENT = 3,    /* closed by the client */
#ifdef VIR_ENUM_SENTINELS
    VIR_CONNECT_CLOSE_REASON_LAST
#endif
} virConnectCloseReason;

/**
 * virConnectCloseFunc:
 * @conn: the connection that was closed
 * @reason: a virConnectCloseReason
 * @opaque: the user data given at registration
 *
 * Called when the link to the hypervisor breaks.
 */
typedef void (*virConnectCloseFunc)(virConnectPtr conn, int reason,
                                    void *opaque);

/**
 * virConnectRegisterCloseCallback:
 * @conn: the connection
 * @cb: called when the connection's link to the hypervisor is closed
 * @opaque: passed to @cb
 * @freecb: frees @opaque when the callback is unregistered, or NULL
 *
 * Register the connection's close callback (one per connection), as in
 * libvirt: the registration holds a reference on @conn until
 * virConnectUnregisterCloseCallback(), so a client unregisters before
 * its last virConnectClose(). A remote connection (qemu:///system,
 * qemu+unix:///system?socket=PATH) calls it once when its link to the
 * daemon breaks, with the reason (VIR_CONNECT_CLOSE_REASON_EOF: the daemon
 * went away; _KEEPALIVE: it stopped answering; _ERROR), in the
 * application's event loop (in a thread of its own if no event loop is
 * registered), never for virConnectClose(). The callback may close the
 * connection. As with libvirt's local drivers, the in-process connections
 * (qemu:///embed, test:///default) never call it: they have no link that
 * can break.
 *
 * Returns 0 on success, -1 on error (VIR_ERR_INVALID_ARG for a NULL @cb,
 * VIR_ERR_OPERATION_INVALID if a callback is registered already).
 */
int virConnectRegisterCloseCallback(virConnectPtr conn,
                                    virConnectCloseFunc cb,
                                    void *opaque,
                                    virFreeCallback freecb);

/**
 * virConnectUnregisterCloseCallback:
 * @conn: the connection
 * @cb: the callback registered
 *
 * Unregister the close callback, calling its free callback, and drop the
 * reference the registration held on @conn.
 *
 * Returns 0 on success, -1 on error (VIR_ERR_OPERATION_INVALID if @cb is
 * not the registered callback).
 */
int virConnectUnregisterCloseCallback(virConnectPtr conn,
                                      virConnectCloseFunc cb);

/**
 * virConnectGetLibVersion:
 * @conn: the connection
 * @libVer: where to store the version (major * 1,000,000 + minor * 1,000 + micro)
 *
 * Returns 0 on success, -1 on error.
 */
int virConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer);

/**
 * virConnectGetVersion:
 * @conn: the connection
 * @hvVer: where to store the hypervisor's version (same encoding)
 *
 * Returns 0 on success, -1 on error.
 */
int virConnectGetVersion(virConnectPtr conn, unsigned long *hvVer);

/**
 * virGetVersion:
 * @libVer: where to store the library version, may be NULL
 * @type: ignored, may be NULL
 * @typeVer: where to store the driver version, may be NULL
 *
 * Returns 0, or -1 if the library cannot be initialised (see
 * virInitialize()).
 */
int virGetVersion(unsigned long *libVer, const char *type,
                  unsigned long *typeVer);

/**
 * virInitialize:
 *
 * Initialise the library. Not needed: every call that needs the library
 * set up does it first; a program may call this at start to fail early.
 * It fails if the environment variable LIBVIRT_DEBUG is set to something
 * other than a log level (1 or "debug", 2 or "info", 3 or "warning",
 * 4 or "error"; empty means unset), and then so do virConnectOpen(),
 * virConnectOpenReadOnly(), virGetVersion() and
 * virEventRegisterDefaultImpl(), with the same error.
 *
 * Returns 0 on success, -1 with VIR_ERR_INVALID_ARG on failure.
 */
int virInitialize(void);

/**
 * virConnGetLastError:
 * @conn: the connection
 *
 * Returns the last error raised by a call on @conn (owned by @conn), or
 * NULL. Prefer virGetLastError(), which is per thread.
 */
virErrorPtr virConnGetLastError(virConnectPtr conn);

/**
 * virConnResetLastError:
 * @conn: the connection
 *
 * Clear the last error stored in @conn.
 */
void virConnResetLastError(virConnectPtr conn);

/**
 * virConnCopyLastError:
 * @conn: the connection
 * @to: where to copy the error
 *
 * Returns the error code copied, 0 if there is none, -1 on bad arguments.
 */
int virConnCopyLastError(virConnectPtr conn, virErrorPtr to);

/* ------------------------------------------------------------------ */
/* Domains                                                              */
/* ------------------------------------------------------------------ */

/**
 * VIR_UUID_BUFLEN:
 *
 * Bytes of a raw UUID.
 */
#define VIR_UUID_BUFLEN 16

/**
 * VIR_UUID_STRING_BUFLEN:
 *
 * Bytes of a UUID in its string form, with the terminating NUL.
 */
#define VIR_UUID_STRING_BUFLEN 37

/**
 * virDomainState:
 *
 * The state of a domain.
 */
typedef enum {
    VIR_DOMAIN_NOSTATE = 0,
    VIR_DOMAIN_RUNNING = 1,
    VIR_DOMAIN_BLOCKED = 2,
    VIR_DOMAIN_PAUSED = 3,
    VIR_DOMAIN_SHUTDOWN = 4,
    VIR_DOMAIN_SHUTOFF = 5,
    VIR_DOMAIN_CRASHED = 6,
    VIR_DOMAIN_PMSUSPENDED = 7,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_LAST
#endif
} virDomainState;

/**
 * virDomainNostateReason:
 *
 * Reasons for VIR_DOMAIN_NOSTATE.
 */
typedef enum {
    VIR_DOMAIN_NOSTATE_UNKNOWN = 0,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_NOSTATE_LAST
#endif
} virDomainNostateReason;

/**
 * virDomainRunningReason:
 *
 * Reasons for VIR_DOMAIN_RUNNING.
 */
typedef enum {
    VIR_DOMAIN_RUNNING_UNKNOWN = 0,
    VIR_DOMAIN_RUNNING_BOOTED = 1,
    VIR_DOMAIN_RUNNING_MIGRATED = 2,
    VIR_DOMAIN_RUNNING_RESTORED = 3,
    VIR_DOMAIN_RUNNING_FROM_SNAPSHOT = 4,
    VIR_DOMAIN_RUNNING_UNPAUSED = 5,
    VIR_DOMAIN_RUNNING_MIGRATION_CANCELED = 6,
    VIR_DOMAIN_RUNNING_SAVE_CANCELED = 7,
    VIR_DOMAIN_RUNNING_WAKEUP = 8,
    VIR_DOMAIN_RUNNING_CRASHED = 9,
    VIR_DOMAIN_RUNNING_POSTCOPY = 10,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_RUNNING_LAST
#endif
} virDomainRunningReason;

/**
 * virDomainPausedReason:
 *
 * Reasons for VIR_DOMAIN_PAUSED.
 */
typedef enum {
    VIR_DOMAIN_PAUSED_UNKNOWN = 0,
    VIR_DOMAIN_PAUSED_USER = 1,
    VIR_DOMAIN_PAUSED_MIGRATION = 2,
    VIR_DOMAIN_PAUSED_SAVE = 3,
    VIR_DOMAIN_PAUSED_DUMP = 4,
    VIR_DOMAIN_PAUSED_IOERROR = 5,
    VIR_DOMAIN_PAUSED_WATCHDOG = 6,
    VIR_DOMAIN_PAUSED_FROM_SNAPSHOT = 7,
    VIR_DOMAIN_PAUSED_SHUTTING_DOWN = 8,
    VIR_DOMAIN_PAUSED_SNAPSHOT = 9,
    VIR_DOMAIN_PAUSED_CRASHED = 10,
    VIR_DOMAIN_PAUSED_STARTING_UP = 11,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_PAUSED_LAST
#endif
} virDomainPausedReason;

/**
 * virDomainShutoffReason:
 *
 * Reasons for VIR_DOMAIN_SHUTOFF.
 */
typedef enum {
    VIR_DOMAIN_SHUTOFF_UNKNOWN = 0,
    VIR_DOMAIN_SHUTOFF_SHUTDOWN = 1,
    VIR_DOMAIN_SHUTOFF_DESTROYED = 2,
    VIR_DOMAIN_SHUTOFF_CRASHED = 3,
    VIR_DOMAIN_SHUTOFF_MIGRATED = 4,
    VIR_DOMAIN_SHUTOFF_SAVED = 5,
    VIR_DOMAIN_SHUTOFF_FAILED = 6,
    VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT = 7,
    VIR_DOMAIN_SHUTOFF_DAEMON = 8,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_SHUTOFF_LAST
#endif
} virDomainShutoffReason;

/**
 * virDomainInfo:
 *
 * Basic facts about a domain, from virDomainGetInfo().
 */
typedef struct _virDomainInfo virDomainInfo;
struct _virDomainInfo {
    unsigned char state;        /* a virDomainState */
    unsigned long maxMem;       /* the maximum memory in KiB */
    unsigned long memory;       /* the memory in KiB used by the domain */
    unsigned short nrVirtCpu;   /* the number of virtual CPUs */
    unsigned long long cpuTime; /* CPU time used, in nanoseconds */
};

/**
 * virDomainInfoPtr:
 *
 * A pointer to a virDomainInfo.
 */
typedef virDomainInfo *virDomainInfoPtr;

/**
 * virDomainCreateFlags:
 *
 * Flags of virDomainCreateXML() and virDomainCreateWithFlags().
 */
typedef enum {
    VIR_DOMAIN_NONE = 0,
    VIR_DOMAIN_START_PAUSED = 1 << 0,   /* leave the guest's CPUs paused */
    VIR_DOMAIN_START_AUTODESTROY = 1 << 1,
    VIR_DOMAIN_START_BYPASS_CACHE = 1 << 2,
    VIR_DOMAIN_START_FORCE_BOOT = 1 << 3,
    VIR_DOMAIN_START_VALIDATE = 1 << 4, /* validate the XML against the schema */
} virDomainCreateFlags;

/**
 * virDomainXMLFlags:
 *
 * Flags of virDomainGetXMLDesc().
 */
typedef enum {
    VIR_DOMAIN_XML_SECURE = (1 << 0),
    VIR_DOMAIN_XML_INACTIVE = (1 << 1),  /* the persistent definition */
    VIR_DOMAIN_XML_UPDATE_CPU = (1 << 2),
    VIR_DOMAIN_XML_MIGRATABLE = (1 << 3),
} virDomainXMLFlags;

/**
 * virDomainDefineFlags:
 *
 * Flags of virDomainDefineXMLFlags().
 */
typedef enum {
    VIR_DOMAIN_DEFINE_VALIDATE = (1 << 0), /* validate the XML against the schema */
} virDomainDefineFlags;

/**
 * virDomainUndefineFlagsValues:
 *
 * Flags of virDomainUndefineFlags(); none is supported yet.
 */
typedef enum {
    VIR_DOMAIN_UNDEFINE_MANAGED_SAVE = (1 << 0),
    VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = (1 << 1),
    VIR_DOMAIN_UNDEFINE_NVRAM = (1 << 2),
    VIR_DOMAIN_UNDEFINE_KEEP_NVRAM = (1 << 3),
    VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = (1 << 4),
    VIR_DOMAIN_UNDEFINE_TPM = (1 << 5),
    VIR_DOMAIN_UNDEFINE_KEEP_TPM = (1 << 6),
} virDomainUndefineFlagsValues;

/**
 * virDomainDestroyFlagsValues:
 *
 * Flags of virDomainDestroyFlags().
 */
typedef enum {
    VIR_DOMAIN_DESTROY_DEFAULT = 0,
    VIR_DOMAIN_DESTROY_GRACEFUL = 1 << 0,
    VIR_DOMAIN_DESTROY_REMOVE_LOGS = 1 << 1,
} virDomainDestroyFlagsValues;

/**
 * virConnectListAllDomainsFlags:
 *
 * Filters of virConnectListAllDomains(). Within each group (active /
 * inactive, persistent / transient, state) a domain must match one of the
 * given flags; a group without flags does not filter.
 */
typedef enum {
    VIR_CONNECT_LIST_DOMAINS_ACTIVE = 1 << 0,
    VIR_CONNECT_LIST_DOMAINS_INACTIVE = 1 << 1,
    VIR_CONNECT_LIST_DOMAINS_PERSISTENT = 1 << 2,
    VIR_CONNECT_LIST_DOMAINS_TRANSIENT = 1 << 3,
    VIR_CONNECT_LIST_DOMAINS_RUNNING = 1 << 4,
    VIR_CONNECT_LIST_DOMAINS_PAUSED = 1 << 5,
    VIR_CONNECT_LIST_DOMAINS_SHUTOFF = 1 << 6,
    VIR_CONNECT_LIST_DOMAINS_OTHER = 1 << 7,
} virConnectListAllDomainsFlags;

/**
 * virDomainDefineXML:
 * @conn: a read-write connection
 * @xml: the domain XML
 *
 * Define a persistent domain, or replace the definition of an inactive
 * domain with the same name and UUID.
 *
 * Returns a new domain handle (free with virDomainFree()), or NULL on
 * error: VIR_ERR_XML_ERROR or VIR_ERR_XML_INVALID_SCHEMA for bad XML,
 * VIR_ERR_OPERATION_FAILED for a name or UUID already used by another domain.
 */
virDomainPtr virDomainDefineXML(virConnectPtr conn, const char *xml);

/**
 * virDomainDefineXMLFlags:
 * @conn: a read-write connection
 * @xml: the domain XML
 * @flags: bitwise-OR of virDomainDefineFlags
 *
 * As virDomainDefineXML().
 *
 * Returns a new domain handle or NULL on error.
 */
virDomainPtr virDomainDefineXMLFlags(virConnectPtr conn, const char *xml,
                                     unsigned int flags);

/**
 * virDomainUndefine:
 * @domain: a domain
 *
 * Remove the persistent definition of @domain. A running domain keeps
 * running and becomes transient; it disappears when it stops.
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainUndefine(virDomainPtr domain);

/**
 * virDomainUndefineFlags:
 * @domain: a domain
 * @flags: must be 0
 *
 * As virDomainUndefine().
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainUndefineFlags(virDomainPtr domain, unsigned int flags);

/**
 * virDomainCreate:
 * @domain: an inactive persistent domain
 *
 * Start the domain: run its QEMU and let its CPUs go.
 *
 * Returns 0 on success, -1 on error (VIR_ERR_OPERATION_INVALID if it is
 * already running; the message of a start failure names its cause, with
 * the last lines of QEMU's log when QEMU exited).
 */
int virDomainCreate(virDomainPtr domain);

/**
 * virDomainCreateWithFlags:
 * @domain: an inactive persistent domain
 * @flags: bitwise-OR of virDomainCreateFlags (VIR_DOMAIN_START_PAUSED)
 *
 * As virDomainCreate().
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainCreateWithFlags(virDomainPtr domain, unsigned int flags);

/**
 * virDomainCreateXML:
 * @conn: a read-write connection
 * @xmlDesc: the domain XML
 * @flags: bitwise-OR of virDomainCreateFlags
 *
 * Start a transient domain: it exists while it runs.
 *
 * Returns a new domain handle (free with virDomainFree()) or NULL on error.
 */
virDomainPtr virDomainCreateXML(virConnectPtr conn, const char *xmlDesc,
                                unsigned int flags);

/**
 * virDomainDestroy:
 * @domain: a running domain
 *
 * Stop the domain at once (its QEMU is killed), and give back every
 * image's owner. A transient domain disappears.
 *
 * Returns 0 on success, -1 on error (VIR_ERR_OPERATION_INVALID if it is
 * not running).
 */
int virDomainDestroy(virDomainPtr domain);

/**
 * virDomainDestroyFlags:
 * @domain: a running domain
 * @flags: bitwise-OR of virDomainDestroyFlagsValues (GRACEFUL is accepted)
 *
 * As virDomainDestroy().
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainDestroyFlags(virDomainPtr domain, unsigned int flags);

/**
 * virDomainLookupByName:
 * @conn: the connection
 * @name: the domain's name
 *
 * Returns a new domain handle, or NULL (VIR_ERR_NO_DOMAIN if there is no
 * such domain).
 */
virDomainPtr virDomainLookupByName(virConnectPtr conn, const char *name);

/**
 * virDomainLookupByUUIDString:
 * @conn: the connection
 * @uuid: the domain's UUID as a string
 *
 * Returns a new domain handle, or NULL (VIR_ERR_INVALID_ARG for a
 * malformed UUID, VIR_ERR_NO_DOMAIN if there is no such domain).
 */
virDomainPtr virDomainLookupByUUIDString(virConnectPtr conn, const char *uuid);

/**
 * virDomainLookupByID:
 * @conn: the connection
 * @id: the id of a running domain
 *
 * Returns a new domain handle, or NULL (VIR_ERR_NO_DOMAIN if no running
 * domain has that id).
 */
virDomainPtr virDomainLookupByID(virConnectPtr conn, int id);

/**
 * virConnectListAllDomains:
 * @conn: the connection
 * @domains: where to store a NULL-terminated array of new handles, or NULL
 *           to only count
 * @flags: bitwise-OR of virConnectListAllDomainsFlags, 0 for all
 *
 * List domains. Free each handle with virDomainFree() and the array with
 * free().
 *
 * Returns the number of domains, or -1 on error.
 */
int virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                             unsigned int flags);

/**
 * virConnectNumOfDomains:
 * @conn: the connection
 *
 * Count the running domains (those with an id). Prefer
 * virConnectListAllDomains(), which lists without a window between the
 * count and the list.
 *
 * Returns the number of running domains, or -1 on error.
 */
int virConnectNumOfDomains(virConnectPtr conn);

/**
 * virConnectListDomains:
 * @conn: the connection
 * @ids: where to store the ids of the running domains
 * @maxids: how many @ids has room for
 *
 * The ids of the running domains, in increasing order, at most @maxids
 * of them. A domain that starts or stops between virConnectNumOfDomains()
 * and this call may be missing or listed; virConnectListAllDomains() has
 * no such window.
 *
 * Returns the number of ids stored, or -1 on error (VIR_ERR_INVALID_ARG
 * for a negative @maxids, or a NULL @ids with @maxids > 0).
 */
int virConnectListDomains(virConnectPtr conn, int *ids, int maxids);

/**
 * virConnectNumOfDefinedDomains:
 * @conn: the connection
 *
 * Count the inactive persistent domains (defined, not running).
 *
 * Returns their number, or -1 on error.
 */
int virConnectNumOfDefinedDomains(virConnectPtr conn);

/**
 * virConnectListDefinedDomains:
 * @conn: the connection
 * @names: where to store the names of the inactive persistent domains
 * @maxnames: how many @names has room for
 *
 * The names of the defined domains that are not running, sorted, at most
 * @maxnames of them. Each name is the caller's, to be freed with free().
 *
 * Returns the number of names stored, or -1 on error (VIR_ERR_INVALID_ARG
 * for a negative @maxnames, or a NULL @names with @maxnames > 0).
 */
int virConnectListDefinedDomains(virConnectPtr conn, char **const names,
                                 int maxnames);

/**
 * virDomainGetName:
 * @domain: a domain
 *
 * Returns the name (owned by @domain), or NULL on error.
 */
const char *virDomainGetName(virDomainPtr domain);

/**
 * virDomainGetUUIDString:
 * @domain: a domain
 * @buf: at least VIR_UUID_STRING_BUFLEN bytes
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainGetUUIDString(virDomainPtr domain, char *buf);

/**
 * virDomainGetUUID:
 * @domain: a domain
 * @uuid: at least VIR_UUID_BUFLEN bytes
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainGetUUID(virDomainPtr domain, unsigned char *uuid);

/**
 * virDomainGetID:
 * @domain: a domain
 *
 * Returns the id of a running domain, or (unsigned int)-1 if it is not
 * running or on error.
 */
unsigned int virDomainGetID(virDomainPtr domain);

/**
 * virDomainGetConnect:
 * @domain: a domain
 *
 * Returns the connection of @domain (no new reference), or NULL.
 */
virConnectPtr virDomainGetConnect(virDomainPtr domain);

/**
 * virDomainGetState:
 * @domain: a domain
 * @state: where to store a virDomainState
 * @reason: where to store the reason (a vir...Reason of that state), or NULL
 * @flags: must be 0
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainGetState(virDomainPtr domain, int *state, int *reason,
                      unsigned int flags);

/**
 * virDomainGetInfo:
 * @domain: a domain
 * @info: where to store the facts
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainGetInfo(virDomainPtr domain, virDomainInfoPtr info);

/**
 * virDomainSuspend:
 * @domain: a running domain
 *
 * Stop the guest's virtual CPUs (QEMU's "stop"). The domain keeps its
 * QEMU, memory and images; it is PAUSED with reason
 * VIR_DOMAIN_PAUSED_USER, and the lifecycle event SUSPENDED
 * (VIR_DOMAIN_EVENT_SUSPENDED_PAUSED) is emitted once. Block pulls go on
 * while the guest is paused: they are QEMU's I/O, not the guest's.
 * On a QEMU connection, suspending a domain that is paused already
 * succeeds and changes nothing (no event), as libvirt's QEMU driver; on
 * test:///default it fails with VIR_ERR_OPERATION_INVALID, as libvirt's
 * test driver.
 *
 * Returns 0 on success, -1 on error (VIR_ERR_OPERATION_INVALID if the
 * domain is not running).
 */
int virDomainSuspend(virDomainPtr domain);

/**
 * virDomainResume:
 * @domain: a paused domain
 *
 * Let the guest's virtual CPUs run again (QEMU's "cont"): the domain is
 * RUNNING with reason VIR_DOMAIN_RUNNING_UNPAUSED and the lifecycle event
 * RESUMED (VIR_DOMAIN_EVENT_RESUMED_UNPAUSED) is emitted once. Also
 * starts the CPUs of a domain started with VIR_DOMAIN_START_PAUSED.
 * On a QEMU connection, resuming a running domain succeeds and changes
 * nothing (no event); on test:///default it fails with
 * VIR_ERR_OPERATION_INVALID (as the two libvirt drivers do).
 *
 * Returns 0 on success, -1 on error (VIR_ERR_OPERATION_INVALID if the
 * domain is not active).
 */
int virDomainResume(virDomainPtr domain);

/**
 * virDomainGetXMLDesc:
 * @domain: a domain
 * @flags: bitwise-OR of virDomainXMLFlags
 *
 * The domain's XML: of a running domain, its live definition, with each
 * disk's backing chain as nested <backingStore> elements; with
 * VIR_DOMAIN_XML_INACTIVE, the persistent definition.
 *
 * Returns the XML (free with free()), or NULL on error.
 */
char *virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags);

/**
 * virDomainIsActive:
 * @domain: a domain
 *
 * Returns 1 if running, 0 if not, -1 on error.
 */
int virDomainIsActive(virDomainPtr domain);

/**
 * virDomainIsPersistent:
 * @domain: a domain
 *
 * Returns 1 if it has a persistent definition, 0 if not, -1 on error.
 */
int virDomainIsPersistent(virDomainPtr domain);

/**
 * virDomainRef:
 * @domain: a domain
 *
 * Take one more reference, released with virDomainFree().
 *
 * Returns 0, or -1 on error.
 */
int virDomainRef(virDomainPtr domain);

/**
 * virDomainFree:
 * @domain: a domain
 *
 * Release one reference on the handle (the domain itself is unaffected).
 *
 * Returns 0, or -1 on error.
 */
int virDomainFree(virDomainPtr domain);

/* ------------------------------------------------------------------ */
/* Block pull (RFC v5)                                                  */
/* ------------------------------------------------------------------ */

/**
 * virDomainBlockPullCursor:
 *
 * A position in a disk, in bytes.
 */
typedef unsigned long long virDomainBlockPullCursor;

typedef struct _virDomainBlockPullInfo virDomainBlockPullInfo;

/**
 * virDomainBlockPullInfo:
 *
 * Progress of a block pull. @cur is between 0 and @end; @end is the final
 * position and represents completion; @cur / @end approximates progress.
 * While a pull is active @end > 0; both are 0 when no pull is active.
 */
struct _virDomainBlockPullInfo {
    virDomainBlockPullCursor cur;
    virDomainBlockPullCursor end;
};

/**
 * virDomainBlockPullInfoPtr:
 *
 * A pointer to a virDomainBlockPullInfo.
 */
typedef virDomainBlockPullInfo *virDomainBlockPullInfoPtr;

/**
 * virDomainBlockStreamInfo:
 *
 * The RFC v4 name of virDomainBlockPullInfo, kept as an alias.
 */
typedef virDomainBlockPullInfo virDomainBlockStreamInfo;

/**
 * virDomainBlockStreamInfoPtr:
 *
 * The RFC v4 name of virDomainBlockPullInfoPtr, kept as an alias.
 */
typedef virDomainBlockPullInfo *virDomainBlockStreamInfoPtr;

/**
 * virDomainBlockPull:
 * @dom: a running domain
 * @path: the disk: its top image's path as in the domain XML, or its
 *        target name ("vda")
 * @pos: where to store the progress, or NULL
 * @flags: must be 0
 *
 * Populate a disk image with data from its backing image, one bounded step
 * per call: each call copies at least one chunk and returns within a
 * fraction of a second; between calls nothing is copied. The call that
 * reaches the end completes the pull exactly as virDomainBlockPullAll()
 * does: the disk no longer depends on its backing image, the domain loses
 * access to it, and VIR_DOMAIN_BLOCK_PULL_COMPLETED is emitted. A pull
 * started here may be continued in the background with
 * virDomainBlockPullAll(); while a background pull runs this call fails
 * with VIR_ERR_OPERATION_INVALID.
 *
 * NOT LIBVIRT'S virDomainBlockPull: libvirt's function of this name takes
 * (dom, disk, unsigned long bandwidth, flags) and starts a whole pull in
 * the background. This one is the RFC's step-wise call: code written for
 * libvirt that calls virDomainBlockPull(dom, "vda", 0, 0) compiles (0 is a
 * null @pos) but does only ONE STEP and leaves the pull paused. Port such
 * code to virDomainBlockRebase(dom, disk, NULL, bandwidth, flags), which
 * is libvirt's full pull, with the same meaning here as in libvirt.
 *
 * Returns 0 on success (@pos updated), -1 on error.
 */
int virDomainBlockPull(virDomainPtr dom, const char *path,
                       virDomainBlockPullInfoPtr pos, unsigned int flags);

/**
 * virDomainBlockPullAll:
 * @dom: a running domain
 * @path: the disk's top image path or target name
 * @flags: must be 0
 *
 * Populate a disk image with data from its backing images, in the
 * background. Progress is read with virDomainGetBlockPullInfo(); the pull
 * is stopped with virDomainBlockPullAbort(). When it ends, the event
 * VIR_DOMAIN_EVENT_ID_BLOCK_PULL tells how. On success the domain's access
 * to the images that left the chain is revoked before the event is sent.
 *
 * Returns 0 once the pull has started, -1 on failure.
 */
int virDomainBlockPullAll(virDomainPtr dom, const char *path,
                          unsigned int flags);

/**
 * virDomainBlockPullAbort:
 * @dom: a running domain
 * @path: the disk's top image path or target name
 * @flags: must be 0
 *
 * Cancel the active pull of the disk, running in the background or paused
 * between virDomainBlockPull() steps, and wait until QEMU confirms. The
 * chain is unchanged and the backing image stays in use; the event
 * reports VIR_DOMAIN_BLOCK_PULL_CANCELED. If QEMU had already finished
 * copying when the abort came, the pull completes instead (the event says
 * COMPLETED) and this call still returns 0.
 *
 * Returns 0 on success, -1 on error (VIR_ERR_OPERATION_INVALID if no pull
 * is active on that disk).
 */
int virDomainBlockPullAbort(virDomainPtr dom, const char *path,
                            unsigned int flags);

/**
 * virDomainGetBlockPullInfo:
 * @dom: a running domain
 * @path: the disk's top image path or target name
 * @info: where to store the progress
 * @flags: must be 0
 *
 * Progress of the active pull on the disk. When no pull is active,
 * @info->cur and @info->end are both 0.
 *
 * Returns 0 on success, -1 on error.
 */
int virDomainGetBlockPullInfo(virDomainPtr dom, const char *path,
                              virDomainBlockPullInfoPtr info,
                              unsigned int flags);

/* libvirt's block job API, on the same pull engine. */
#include <libvirt/libvirt-blockjob.h>

/* ------------------------------------------------------------------ */
/* Events                                                               */
/* ------------------------------------------------------------------ */

/**
 * virEventHandleType:
 *
 * What a file handle watch waits for, or saw.
 */
typedef enum {
    VIR_EVENT_HANDLE_READABLE = (1 << 0),
    VIR_EVENT_HANDLE_WRITABLE = (1 << 1),
    VIR_EVENT_HANDLE_ERROR = (1 << 2),
    VIR_EVENT_HANDLE_HANGUP = (1 << 3),
} virEventHandleType;

/**
 * virEventHandleCallback:
 * @watch: the watch id
 * @fd: the file descriptor
 * @events: what happened, bitwise-OR of virEventHandleType
 * @opaque: user data
 */
typedef void (*virEventHandleCallback)(int watch, int fd, int events,
                                       void *opaque);

/**
 * virEventTimeoutCallback:
 * @timer: the timer id
 * @opaque: user data
 */
typedef void (*virEventTimeoutCallback)(int timer, void *opaque);

/**
 * virEventRegisterDefaultImpl:
 *
 * Register the library's own event loop implementation, run by the
 * application with virEventRunDefaultImpl(). Needed before registering
 * domain event callbacks. Calling it again does nothing.
 *
 * Returns 0 on success, -1 on error (the library cannot be initialised:
 * see virInitialize()).
 */
int virEventRegisterDefaultImpl(void);

/**
 * virEventRunDefaultImpl:
 *
 * Run one iteration of the default event loop: wait until a handle or
 * timer is ready, and dispatch it. Domain event callbacks are called from
 * here.
 *
 * Returns 0 on success, -1 if no default loop is registered.
 */
int virEventRunDefaultImpl(void);

/**
 * virEventAddHandle:
 * @fd: a file descriptor
 * @events: bitwise-OR of virEventHandleType to watch for
 * @cb: called when one happens, from virEventRunDefaultImpl()
 * @opaque: passed to @cb
 * @ff: frees @opaque when the watch is removed, or NULL
 *
 * Returns a watch id (> 0), or -1 on error.
 */
int virEventAddHandle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff);

/**
 * virEventUpdateHandle:
 * @watch: a watch id
 * @events: the new events to watch for (0 to pause the watch)
 */
void virEventUpdateHandle(int watch, int events);

/**
 * virEventRemoveHandle:
 * @watch: a watch id
 *
 * Returns 0 on success, -1 if there is no such watch.
 */
int virEventRemoveHandle(int watch);

/**
 * virEventAddTimeout:
 * @timeout: period in milliseconds; 0 fires at every iteration; -1 disables
 * @cb: called each period, from virEventRunDefaultImpl()
 * @opaque: passed to @cb
 * @ff: frees @opaque when the timer is removed, or NULL
 *
 * Returns a timer id (> 0), or -1 on error.
 */
int virEventAddTimeout(int timeout, virEventTimeoutCallback cb,
                       void *opaque, virFreeCallback ff);

/**
 * virEventUpdateTimeout:
 * @timer: a timer id
 * @timeout: the new period in milliseconds, -1 to disable
 */
void virEventUpdateTimeout(int timer, int timeout);

/**
 * virEventRemoveTimeout:
 * @timer: a timer id
 *
 * Returns 0 on success, -1 if there is no such timer.
 */
int virEventRemoveTimeout(int timer);

/**
 * virDomainEventID:
 *
 * Kinds of domain events, with libvirt 9.0's numbers, except 7: BLOCK_PULL
 * is 7 as in the RFC, so libvirt's CONTROL_ERROR (also 7) is not provided.
 * This driver emits LIFECYCLE, BLOCK_PULL, BLOCK_JOB and BLOCK_JOB_2;
 * registering a callback for any other id succeeds, as in libvirt, and
 * the callback is never called.
 */
typedef enum {
    VIR_DOMAIN_EVENT_ID_LIFECYCLE = 0,  /* virConnectDomainEventCallback */
    VIR_DOMAIN_EVENT_ID_REBOOT = 1,             /* never emitted here */
    VIR_DOMAIN_EVENT_ID_RTC_CHANGE = 2,         /* never emitted here */
    VIR_DOMAIN_EVENT_ID_WATCHDOG = 3,           /* never emitted here */
    VIR_DOMAIN_EVENT_ID_IO_ERROR = 4,           /* never emitted here */
    VIR_DOMAIN_EVENT_ID_GRAPHICS = 5,           /* never emitted here */
    VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON = 6,    /* never emitted here */
    VIR_DOMAIN_EVENT_ID_BLOCK_PULL = 7, /* virConnectDomainEventBlockPullCallback */
    /* virConnectDomainEventBlockJobCallback, @disk: the top image's path */
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB = 8,
    VIR_DOMAIN_EVENT_ID_DISK_CHANGE = 9,        /* never emitted here */
    VIR_DOMAIN_EVENT_ID_TRAY_CHANGE = 10,       /* never emitted here */
    VIR_DOMAIN_EVENT_ID_PMWAKEUP = 11,          /* never emitted here */
    VIR_DOMAIN_EVENT_ID_PMSUSPEND = 12,         /* never emitted here */
    VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE = 13,    /* never emitted here */
    VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK = 14,    /* never emitted here */
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED = 15,    /* never emitted here */
    /* virConnectDomainEventBlockJobCallback, @disk: the target ("vda") */
    VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 = 16,
    VIR_DOMAIN_EVENT_ID_TUNABLE = 17,           /* never emitted here */
    VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18,   /* never emitted here */
    VIR_DOMAIN_EVENT_ID_DEVICE_ADDED = 19,      /* never emitted here */
    VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION = 20, /* never emitted here */
    VIR_DOMAIN_EVENT_ID_JOB_COMPLETED = 21,     /* never emitted here */
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED = 22, /* never emitted here */
    VIR_DOMAIN_EVENT_ID_METADATA_CHANGE = 23,   /* never emitted here */
    VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD = 24,   /* never emitted here */
    VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE = 25,    /* never emitted here */
    VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE = 26, /* never emitted here */
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_ID_LAST
#endif
} virDomainEventID;

/**
 * virDomainEventType:
 *
 * The event of a lifecycle callback.
 */
typedef enum {
    VIR_DOMAIN_EVENT_DEFINED = 0,
    VIR_DOMAIN_EVENT_UNDEFINED = 1,
    VIR_DOMAIN_EVENT_STARTED = 2,
    VIR_DOMAIN_EVENT_SUSPENDED = 3,
    VIR_DOMAIN_EVENT_RESUMED = 4,
    VIR_DOMAIN_EVENT_STOPPED = 5,
    VIR_DOMAIN_EVENT_SHUTDOWN = 6,
    VIR_DOMAIN_EVENT_PMSUSPENDED = 7,
    VIR_DOMAIN_EVENT_CRASHED = 8,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_LAST
#endif
} virDomainEventType;

/**
 * virDomainEventDefinedDetailType:
 *
 * Details of VIR_DOMAIN_EVENT_DEFINED.
 */
typedef enum {
    VIR_DOMAIN_EVENT_DEFINED_ADDED = 0,
    VIR_DOMAIN_EVENT_DEFINED_UPDATED = 1,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_DEFINED_LAST
#endif
} virDomainEventDefinedDetailType;

/**
 * virDomainEventUndefinedDetailType:
 *
 * Details of VIR_DOMAIN_EVENT_UNDEFINED.
 */
typedef enum {
    VIR_DOMAIN_EVENT_UNDEFINED_REMOVED = 0,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_UNDEFINED_LAST
#endif
} virDomainEventUndefinedDetailType;

/**
 * virDomainEventStartedDetailType:
 *
 * Details of VIR_DOMAIN_EVENT_STARTED.
 */
typedef enum {
    VIR_DOMAIN_EVENT_STARTED_BOOTED = 0,
    VIR_DOMAIN_EVENT_STARTED_MIGRATED = 1,
    VIR_DOMAIN_EVENT_STARTED_RESTORED = 2,
    VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT = 3,
    VIR_DOMAIN_EVENT_STARTED_WAKEUP = 4,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_STARTED_LAST
#endif
} virDomainEventStartedDetailType;

/**
 * virDomainEventStoppedDetailType:
 *
 * Details of VIR_DOMAIN_EVENT_STOPPED.
 */
typedef enum {
    VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN = 0,
    VIR_DOMAIN_EVENT_STOPPED_DESTROYED = 1,
    VIR_DOMAIN_EVENT_STOPPED_CRASHED = 2,
    VIR_DOMAIN_EVENT_STOPPED_MIGRATED = 3,
    VIR_DOMAIN_EVENT_STOPPED_SAVED = 4,
    VIR_DOMAIN_EVENT_STOPPED_FAILED = 5,  /* QEMU died (killed or crashed) */
    VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT = 6,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_STOPPED_LAST
#endif
} virDomainEventStoppedDetailType;

/**
 * virDomainEventSuspendedDetailType:
 *
 * Details of VIR_DOMAIN_EVENT_SUSPENDED. This library emits PAUSED (by
 * virDomainSuspend(), a start with VIR_DOMAIN_START_PAUSED, or QEMU
 * stopping the CPUs on its own); the others are libvirt's values, kept
 * for clients that switch on them.
 */
typedef enum {
    VIR_DOMAIN_EVENT_SUSPENDED_PAUSED = 0,
    VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED = 1,
    VIR_DOMAIN_EVENT_SUSPENDED_IOERROR = 2,
    VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG = 3,
    VIR_DOMAIN_EVENT_SUSPENDED_RESTORED = 4,
    VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR = 6,
    VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY = 7,
    VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED = 8,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_SUSPENDED_LAST
#endif
} virDomainEventSuspendedDetailType;

/**
 * virDomainEventResumedDetailType:
 *
 * Details of VIR_DOMAIN_EVENT_RESUMED. This library emits UNPAUSED (by
 * virDomainResume(), or QEMU running the CPUs again on its own).
 */
typedef enum {
    VIR_DOMAIN_EVENT_RESUMED_UNPAUSED = 0,
    VIR_DOMAIN_EVENT_RESUMED_MIGRATED = 1,
    VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT = 2,
    VIR_DOMAIN_EVENT_RESUMED_POSTCOPY = 3,
    VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED = 4,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_EVENT_RESUMED_LAST
#endif
} virDomainEventResumedDetailType;

/**
 * virConnectDomainEventBlockPullStatus:
 *
 * How a block pull ended. CANCELED is an extension of the RFC: the pull
 * was stopped by virDomainBlockPullAbort(); the backing image is kept and
 * still in use. A pull that ends because its domain stopped (destroyed,
 * or its QEMU died) reports FAILED.
 */
typedef enum {
    VIR_DOMAIN_BLOCK_PULL_COMPLETED = 0,
    VIR_DOMAIN_BLOCK_PULL_FAILED = 1,
    VIR_DOMAIN_BLOCK_PULL_CANCELED = 2,
#ifdef VIR_ENUM_SENTINELS
    VIR_DOMAIN_BLOCK_PULL_LAST
#endif
} virConnectDomainEventBlockPullStatus;

/**
 * virConnectDomainEventCallback:
 * @conn: the connection
 * @dom: the domain (a reference valid during the call)
 * @event: a virDomainEventType
 * @detail: a detail of that event type
 * @opaque: user data
 *
 * The callback of VIR_DOMAIN_EVENT_ID_LIFECYCLE.
 */
typedef int (*virConnectDomainEventCallback)(virConnectPtr conn,
                                             virDomainPtr dom,
                                             int event,
                                             int detail,
                                             void *opaque);

/**
 * virConnectDomainEventBlockPullCallback:
 * @conn: the connection
 * @dom: the domain (a reference valid during the call)
 * @path: the disk's top image path (as in the domain XML)
 * @status: a virConnectDomainEventBlockPullStatus
 * @opaque: user data
 *
 * The callback of VIR_DOMAIN_EVENT_ID_BLOCK_PULL. When @status is
 * COMPLETED the domain's access to the old backing images has already been
 * revoked.
 */
typedef void (*virConnectDomainEventBlockPullCallback)(virConnectPtr conn,
                                                       virDomainPtr dom,
                                                       const char *path,
                                                       int status,
                                                       void *opaque);

/**
 * virConnectDomainEventGenericCallback:
 * @conn: the connection
 * @dom: the domain
 * @opaque: user data
 *
 * The type callbacks are cast to for virConnectDomainEventRegisterAny().
 */
typedef void (*virConnectDomainEventGenericCallback)(virConnectPtr conn,
                                                     virDomainPtr dom,
                                                     void *opaque);

/**
 * VIR_DOMAIN_EVENT_CALLBACK:
 *
 * Cast a specific event callback to the generic type (through void (*)(void),
 * so that -Wcast-function-type stays quiet).
 */
#define VIR_DOMAIN_EVENT_CALLBACK(cb) \
    ((virConnectDomainEventGenericCallback)(void (*)(void))(cb))

/**
 * virConnectDomainEventRegisterAny:
 * @conn: the connection
 * @dom: only events of this domain, or NULL for all
 * @eventID: a virDomainEventID
 * @cb: the callback, of the type @eventID names, cast with
 *      VIR_DOMAIN_EVENT_CALLBACK()
 * @opaque: passed to @cb
 * @freecb: frees @opaque when the callback is deregistered, or NULL
 *
 * Register a callback for domain events. Callbacks run from the event loop
 * (virEventRunDefaultImpl()), which must be registered first. A callback
 * receives the events that happen once it is registered.
 *
 * One exception, for VIR_DOMAIN_EVENT_ID_BLOCK_PULL: the end of a pull
 * that no registered callback wanted (the application was away, or
 * listened to other domains only) is kept with its domain, also by the
 * next process that manages it, and each block pull callback registered
 * later for that domain or for all domains is told it at once, that
 * callback alone, once. It is kept until a newer pull of the disk starts
 * (whose waiter must not take it for its own pull's end) or the domain
 * goes away. A callback that waits for a pull it starts should register
 * before starting it and take only an end delivered after the start
 * returned, while virDomainGetBlockPullInfo() shows no pull on the disk.
 *
 * Returns a callback id (>= 0) for virConnectDomainEventDeregisterAny(),
 * or -1 on error.
 */
int virConnectDomainEventRegisterAny(virConnectPtr conn,
                                     virDomainPtr dom,
                                     int eventID,
                                     virConnectDomainEventGenericCallback cb,
                                     void *opaque,
                                     virFreeCallback freecb);

/**
 * virConnectDomainEventDeregisterAny:
 * @conn: the connection
 * @callbackID: an id from virConnectDomainEventRegisterAny()
 *
 * Returns 0 on success, -1 on error.
 */
int virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_H */
