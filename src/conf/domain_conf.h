/*
 * domain_conf.h: the domain definition (a strict subset of libvirt's domain
 * XML), its parser, validator and formatter, backing chains read from
 * image headers, and the domain object drivers keep (definitions, state,
 * the driver's private data) with its status file. Implemented by job:
 * domain_conf.c (objects, enums, lookups, chains), domain_parse.c,
 * domain_validate.c (with the schema explainer in domain_explain.c),
 * domain_format.c and storage_file.c; the list of domain objects is in
 * virdomainobjlist.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>
#include "libvirt/libvirt.h"
#include "util/virenum.h"
#include "util/viruuid.h"
#include "util/virxml.h"

/* Backing chains deeper than this are refused (also a guard against loops
 * we cannot see). */
#define VIR_DOMAIN_MAX_CHAIN_DEPTH 64

typedef enum {
    VIR_DOMAIN_VIRT_QEMU = 0,   /* TCG */
    VIR_DOMAIN_VIRT_KVM,

    VIR_DOMAIN_VIRT_LAST
} virDomainVirtType;

typedef enum {
    VIR_STORAGE_TYPE_NONE = 0,  /* the end of a backing chain (<backingStore/>) */
    VIR_STORAGE_TYPE_FILE,

    VIR_STORAGE_TYPE_LAST
} virStorageType;

typedef enum {
    VIR_STORAGE_FILE_NONE = 0,
    VIR_STORAGE_FILE_RAW,
    VIR_STORAGE_FILE_QCOW2,

    VIR_STORAGE_FILE_LAST
} virStorageFileFormat;

typedef enum {
    VIR_DOMAIN_DISK_BUS_VIRTIO = 0,
    VIR_DOMAIN_DISK_BUS_IDE,
    VIR_DOMAIN_DISK_BUS_SATA,
    VIR_DOMAIN_DISK_BUS_SCSI,

    VIR_DOMAIN_DISK_BUS_LAST
} virDomainDiskBus;

typedef enum {
    VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY = 0,
    VIR_DOMAIN_LIFECYCLE_ACTION_RESTART,
    VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE,
    VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME,

    VIR_DOMAIN_LIFECYCLE_ACTION_LAST
} virDomainLifecycleAction;

typedef enum {
    VIR_DOMAIN_CHR_TYPE_NULL = 0,
    VIR_DOMAIN_CHR_TYPE_FILE,       /* guest output appended to a file */

    VIR_DOMAIN_CHR_TYPE_LAST
} virDomainChrType;

typedef struct _virStorageSource virStorageSource;
/*
 * One image of a disk's chain. A disk's chain is src -> backingStore -> ...
 * and ends with a source of type VIR_STORAGE_TYPE_NONE. A NULL backingStore
 * means the chain below this image is not known yet (not given in the XML,
 * not read from the image headers).
 */
struct _virStorageSource {
    virStorageType type;
    char *path;                     /* absolute path of the image file */
    virStorageFileFormat format;    /* NONE: not given */
    bool readonly;
    virStorageSource *backingStore;

    /* Live only: the QEMU block nodes of this image (see qemu_command.c). */
    char *nodeformat;
    char *nodestorage;

    /*
     * Live only: the image's index in the live XML (<source index=...> of
     * the top image, <backingStore index=...> below), unique in the domain;
     * 0: not assigned (see virDomainDefAssignStorageIndexes).
     */
    unsigned int index;

    /*
     * The chain below this image was given in the domain XML (trusted and
     * kept in the persistent config), not read from the image headers.
     */
    bool backingFromXML;
};

typedef struct _virDomainDiskDef virDomainDiskDef;
struct _virDomainDiskDef {
    virStorageSource *src;          /* the top image */
    char *driverName;               /* <driver name=...>, "qemu" */
    char *dst;                      /* <target dev=...> e.g. "vda" */
    virDomainDiskBus bus;
    bool readonly;                  /* <readonly/> */
    char *alias;                    /* live only: QEMU device id, e.g. "virtio-disk0" */
};

typedef struct _virDomainChrDef virDomainChrDef;
/* <serial> or <console> */
struct _virDomainChrDef {
    virDomainChrType type;
    char *path;                     /* type file: <source path=...> */
    int port;                       /* <target port=...>, -1 if absent */
};

typedef struct _virDomainDef virDomainDef;
struct _virDomainDef {
    virDomainVirtType virtType;
    int id;                         /* -1 when not running */
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char *title;                    /* optional */
    char *description;              /* optional */
    unsigned long long maxMemKiB;   /* <memory>, in KiB */
    unsigned long long curMemKiB;   /* <currentMemory>, in KiB (= maxMemKiB if absent) */
    unsigned int vcpus;             /* <vcpu>, default 1 */
    char *osType;                   /* "hvm" */
    char *arch;                     /* "x86_64" */
    char *machine;                  /* e.g. "pc", may be NULL */
    virDomainLifecycleAction onPoweroff;
    virDomainLifecycleAction onReboot;
    virDomainLifecycleAction onCrash;
    char *emulator;                 /* NULL: the driver's default */
    virDomainDiskDef **disks;
    size_t ndisks;
    virDomainChrDef **serials;
    size_t nserials;
    virDomainChrDef **consoles;
    size_t nconsoles;
};

typedef enum {
    /* Formatting: show live-only data (id, chain with index, aliases). */
    VIR_DOMAIN_DEF_FORMAT_LIVE = 1 << 0,
    /* Formatting: the persistent view (no id, no aliases, no probed chain). */
    VIR_DOMAIN_DEF_FORMAT_INACTIVE = 1 << 1,
    /* Formatting: for the driver's status file (everything, incl. node names). */
    VIR_DOMAIN_DEF_FORMAT_STATUS = 1 << 2,
} virDomainDefFormatFlags;

typedef enum {
    /* Parsing: accept the status file's extra data (node names, aliases, id). */
    VIR_DOMAIN_DEF_PARSE_STATUS = 1 << 0,
    /*
     * Parsing: a definition the driver saved itself (a persistent config or
     * a status file already on disk), perhaps by an older version. Rules
     * added since for new definitions (the domain name rules of
     * virDomainDefParseNode()) are not applied to it: what an older version
     * accepted and still runs must load, or its domain would be lost (a
     * QEMU nobody knows, images left with QEMU's user). A warning is
     * logged instead.
     */
    VIR_DOMAIN_DEF_PARSE_ON_DISK = 1 << 1,
} virDomainDefParseFlags;

/* domain_conf.c */

virDomainDef *virDomainDefNew(void);
void virDomainDefFree(virDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainDef, virDomainDefFree);

void virDomainDiskDefFree(virDomainDiskDef *disk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainDiskDef, virDomainDiskDefFree);
void virDomainChrDefFree(virDomainChrDef *chr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainChrDef, virDomainChrDefFree);
virStorageSource *virStorageSourceNew(void);
void virStorageSourceFree(virStorageSource *src);   /* frees the whole chain below */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageSource, virStorageSourceFree);

/* Deep copy; never fails. */
virDomainDef *virDomainDefCopy(const virDomainDef *def);
virStorageSource *virStorageSourceCopy(const virStorageSource *src); /* with chain */

/* Find a disk by target name ("vda") or by its top image path; NULL if none. */
virDomainDiskDef *virDomainDiskByName(virDomainDef *def, const char *name);

/*
 * Give every image of every known chain an index (live XML, node names)
 * where it has none: the N of its node name "libvirt-N-format" if it has
 * one, else the highest index in use plus one, counting in disk order, each
 * chain from the top down (as libvirt numbers a starting domain). The live
 * XML formatter uses the same rule for images whose index is still 0.
 */
void virDomainDefAssignStorageIndexes(virDomainDef *def);

/* The index an image has in live XML (its own, or from its node name), 0
 * if none; and the highest in use in @def. */
unsigned int virStorageSourceGetIndex(const virStorageSource *src);
unsigned int virDomainDefMaxStorageIndex(const virDomainDef *def);

/* Length of the disk's known backing chain: 0 if it has no backing image. */
size_t virStorageSourceChainLength(const virStorageSource *src);

/* Does the chain hold an image with this path (top included)? */
bool virStorageSourceChainHasPath(const virStorageSource *src, const char *path);

/* Enum <-> string helpers used in XML and argv (see
 * VIR_ENUM_DECL); FromString returns -1 for an unknown name, and for
 * "none" as a format (nothing reported). */
const char *virStorageFileFormatToString(virStorageFileFormat fmt);
int virStorageFileFormatFromString(const char *str);
VIR_ENUM_DECL(virDomainDiskBus, virDomainDiskBus);
VIR_ENUM_DECL(virDomainVirtType, virDomainVirtType);
VIR_ENUM_DECL(virDomainLifecycleAction, virDomainLifecycleAction);
VIR_ENUM_DECL(virDomainChrType, virDomainChrType);

/* domain_parse.c */

/*
 * Parse and validate domain XML (well-formedness, then our RelaxNG schema,
 * then semantic checks). Errors: VIR_ERR_XML_ERROR for malformed XML (line
 * number in the message), VIR_ERR_XML_INVALID_SCHEMA for a document our
 * schema refuses (line and element named), VIR_ERR_XML_DETAIL /
 * VIR_ERR_CONFIG_UNSUPPORTED for bad values. Missing uuid: one is generated.
 */
virDomainDef *virDomainDefParseString(const char *xml, unsigned int flags);

/* Parse a <domain> element of an already parsed document (status files). */
virDomainDef *virDomainDefParseNode(xmlDocPtr xml, xmlNodePtr root,
                                    unsigned int flags);

/* domain_validate.c */

/*
 * Check the image paths of all disks: no image may appear twice in one
 * chain, and a disk's top image (written by the guest) may not appear in
 * any other disk's chain. Backing images may be shared. 0 / -1 (reported).
 */
int virDomainDefCheckImagePaths(const virDomainDef *def);

/* domain_format.c */

/* Format as libvirt 9.0 would; returns a new string. */
char *virDomainDefFormat(const virDomainDef *def, unsigned int flags);

/* Append the formatted <domain> to @buf, each line indented by @indent spaces. */
void virDomainDefFormatBuf(GString *buf, const virDomainDef *def,
                           unsigned int flags, int indent);

/* storage_file.c */

/*
 * A backing image named by an image header, asked about before anything
 * opens it: return 0 to use it, or -1 with an error reported to refuse it.
 * @image is the image whose header names it, @name the name QEMU would
 * open (see virStorageFileGetBacking), @backing the file that leads to: an
 * absolute path with every symlink resolved, which is what would be
 * labelled and given to QEMU.
 */
typedef int (*virDomainBackingCheck)(const virDomainDiskDef *disk,
                                     const char *image, const char *name,
                                     const char *backing, void *opaque);

/*
 * Read the backing chain of every disk whose chain is not known, from the
 * image headers (qcow2: backing file name and the backing format header
 * extension; raw: no backing). An image whose header names a backing file
 * but no backing format is refused (VIR_ERR_CONFIG_UNSUPPORTED): the format
 * is never guessed. A missing image: VIR_ERR_NO_SOURCE / system error.
 * Only regular files and block devices are opened (never blocking); a
 * FIFO, directory or device is refused (VIR_ERR_CONFIG_UNSUPPORTED).
 * Relative backing names are resolved as QEMU resolves them: appended to
 * the directory part of the name of the image that names them, then
 * resolved by the kernel (never lexically); the chain holds the result
 * with every symlink resolved. ...Check asks @check about each backing
 * image read from a header before it is opened.
 */
int virDomainDefResolveChains(virDomainDef *def);
int virDomainDefResolveChainsCheck(virDomainDef *def, virDomainBackingCheck check,
                                   void *opaque);
/* The same for one disk, without virDomainDefCheckImagePaths(). */
int virDomainDiskResolveChain(virDomainDiskDef *disk, virDomainBackingCheck check,
                              void *opaque);

/* Read one image's header: the name QEMU would open for its backing file
 * (absolute, not canonicalized, or NULL for none) and the backing format.
 * VIR_STORAGE_FILE_NONE is read as raw (formats are never probed). */
int virStorageFileGetBacking(const char *path, virStorageFileFormat format,
                             char **backingPath,
                             virStorageFileFormat *backingFormat);

/*
 * The virtual size of an image: from the header for qcow2, the size of
 * the file or device for raw (VIR_STORAGE_FILE_NONE is read as raw).
 * Opened as virStorageFileGetBacking() opens images: never blocking. 0 /
 * -1 (reported).
 */
int virStorageFileGetVirtualSize(const char *path, virStorageFileFormat format,
                                 unsigned long long *size);

/* ------------------------------------------------------------------ */
/* Domain objects (domain_conf.c) and their status file                 */
/* (domain_format.c, domain_parse.c)                                    */

typedef struct _virDomainObj virDomainObj;

/*
 * What a driver keeps of its own in each domain object (libvirt's
 * virDomainXMLPrivateDataCallbacks): @alloc makes it for a new object
 * (@opaque is the one given to virDomainXMLOptionNew(), the driver;
 * never fails), @free frees it. @format writes it into the status file,
 * as elements of <domstatus> before <domain> (one line at a time into
 * @buf, never fails); @parse reads it back from the <domstatus> element
 * @root of the file @path, into @vm whose definitions and state are read
 * already, and refuses a value it cannot take with an error naming it
 * (0 / -1). @format and @parse may be NULL: nothing private is saved.
 */
typedef struct _virDomainXMLPrivateDataCallbacks virDomainXMLPrivateDataCallbacks;
struct _virDomainXMLPrivateDataCallbacks {
    void *(*alloc)(void *opaque);
    void (*free)(void *data);
    void (*format)(virXMLBuffer *buf, virDomainObj *vm);
    int (*parse)(xmlNode *root, virDomainObj *vm);
};

typedef struct _virDomainXMLOption virDomainXMLOption;
/* A driver's options for its domain objects and their XML: its private
 * data callbacks. One per driver; outlives every object made with it. */
struct _virDomainXMLOption {
    virDomainXMLPrivateDataCallbacks privateData;
    void *opaque;
};

/* A new option set; @priv (may be NULL) is copied. Never fails. */
virDomainXMLOption *virDomainXMLOptionNew(const virDomainXMLPrivateDataCallbacks *priv,
                                          void *opaque);
void virDomainXMLOptionFree(virDomainXMLOption *xmlopt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainXMLOption, virDomainXMLOptionFree);

/*
 * The outcome of a block pull that no registered callback wanted when it
 * ended (the application was away, or listened to other domains only):
 * kept with its domain, in the status file while it runs, and told to
 * each block pull callback registered later for the domain or for all
 * domains (see domain_event.h), until a newer pull of the disk starts.
 * One per disk at most: the newest.
 */
typedef struct _virDomainHeldOutcome virDomainHeldOutcome;
struct _virDomainHeldOutcome {
    char *disk;             /* the disk's target ("vda") */
    unsigned int serial;    /* the pull's serial in this process (not saved:
                             * 0 when read back, older than any pull started
                             * since) */
    char *path;             /* the event's path: the disk's top image */
    int status;             /* virConnectDomainEventBlockPullStatus */
    int happened;           /* the event state's stamp when it ended (not
                             * saved: 0, before any callback, when read back) */
};

/* The names of block pull outcomes in status files ("completed"). */
VIR_ENUM_DECL(virDomainBlockPullStatus, virConnectDomainEventBlockPullStatus);

/*
 * A domain a driver knows: persistent, running, or both. Reference
 * counted; the lock protects every field but those marked otherwise.
 */
struct _virDomainObj {
    gint refs;
    GMutex lock;
    GCond cond;                 /* virDomainObjBroadcast(): state, jobs, block jobs */

    /* Read by lookups without the lock (a lookup holds the list's lock,
     * and the list's lock is never taken before a domain's): name and
     * uuid never change once listed; liveID is written atomically. */
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    gint liveID;                /* def->id while running, -1 otherwise */

    virDomainDef *def;          /* live definition while running, else persistent */
    virDomainDef *newDef;       /* the persistent definition while running */
    bool persistent;
    bool removed;               /* no longer in its driver's list */
    int state;                  /* virDomainState */
    int reason;                 /* the state's reason (virDomainRunningReason...) */

    pid_t pid;                  /* the hypervisor's process, 0 if none */
    /* Who @pid is: its start time and the boot it started in, recorded
     * with it, so that a later process with the same pid is never taken
     * for the domain's (0 and NULL in status files older than this). */
    unsigned long long pidStartTime;
    char *pidBootID;

    GPtrArray *heldOutcomes;    /* virDomainHeldOutcome, one per disk at most */

    void *privateData;          /* the driver's (virDomainXMLPrivateDataCallbacks) */
    void (*privateDataFreeFunc)(void *data);
};

/*
 * A new domain object, shut off, with one reference (the caller's), its
 * private data made by @xmlopt's alloc callback (@xmlopt may be NULL: no
 * private data). Never fails.
 */
virDomainObj *virDomainObjNew(virDomainXMLOption *xmlopt);

/* Take a reference (returns @vm); drop one: the last frees the object,
 * its definitions and its private data. Unref accepts NULL. */
virDomainObj *virDomainObjRef(virDomainObj *vm);
void virDomainObjUnref(virDomainObj *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainObj, virDomainObjUnref);

/*
 * Keep the outcome of pull @serial of disk @disk (@vm locked), replacing
 * the disk's older one. Returns false, keeping nothing, if the disk has a
 * held outcome of a newer pull already (a larger @serial, 0 for one read
 * back from a status file).
 */
bool virDomainObjHoldOutcome(virDomainObj *vm, const char *disk,
                             unsigned int serial, const char *path,
                             int status, int happened);
/* Forget the held outcome of @disk (@vm locked). Returns whether it had one. */
bool virDomainObjDropHeldOutcome(virDomainObj *vm, const char *disk);

void virDomainObjLock(virDomainObj *vm);
void virDomainObjUnlock(virDomainObj *vm);

/* The end of a driver call on *@vm (locked, one reference of the call's):
 * unlock, drop the reference, and clear *@vm. Accepts a NULL *@vm. */
void virDomainObjEndAPI(virDomainObj **vm);

/* Wait (lock held; dropped while waiting) for virDomainObjBroadcast();
 * WaitUntil gives up at @deadline (g_get_monotonic_time() microseconds)
 * and returns false if it was reached. Callers check their condition
 * again: wake-ups may be spurious. */
void virDomainObjWait(virDomainObj *vm);
bool virDomainObjWaitUntil(virDomainObj *vm, gint64 deadline);
void virDomainObjBroadcast(virDomainObj *vm);

/* Is the domain running (it has a live definition with an id)? Lock held. */
bool virDomainObjIsActive(virDomainObj *vm);

/* Set the state and its reason, and wake whoever waits. Lock held. */
void virDomainObjSetState(virDomainObj *vm, int state, int reason);

/* The name of a virDomainState ("running"), NULL if out of range; and
 * back, -1 for an unknown name. */
VIR_ENUM_DECL(virDomainState, virDomainState);

/*
 * The status file of a running domain (libvirt's shape):
 *
 *   <domstatus state='running' reason='1' pid='123' persistent='yes'
 *              starttime='...' bootid='...'>
 *     ...the driver's private data (its format callback)...
 *     <domain ...>the live definition (VIR_DOMAIN_DEF_FORMAT_STATUS)</domain>
 *     <persistent>
 *       <domain>the persistent definition, if it has one</domain>
 *     </persistent>
 *   </domstatus>
 *
 * virDomainObjFormat() returns it, a new string; lock held; never fails.
 */
char *virDomainObjFormat(virDomainObj *vm, virDomainXMLOption *xmlopt);

/*
 * Read the status file @path (as virDomainObjFormat() writes it, or an
 * older version did) into a new domain object (not listed; private data
 * made by @xmlopt and read by its parse callback). Both definitions are
 * read with VIR_DOMAIN_DEF_PARSE_ON_DISK. A value out of range or not of
 * its type is refused, never taken as 0 or cut to fit: NULL with
 * VIR_ERR_XML_ERROR (not XML, not a regular file, or not a status file),
 * VIR_ERR_XML_DETAIL (a bad or missing value: the message names the
 * attribute or element, its line and the file) or a system error (the
 * file cannot be read).
 */
virDomainObj *virDomainObjParseFile(const char *path, virDomainXMLOption *xmlopt);
/* The same for the content of a status file (@name: where it came from). */
virDomainObj *virDomainObjParseString(const char *xml, const char *name,
                                      virDomainXMLOption *xmlopt);
