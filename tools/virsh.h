/*
 * virsh.h: the command line shell's plumbing shared by its command files.
 *
 * virsh uses only the public API (libvirt/libvirt.h). A command is a
 * virshCmdDef: a name, a handler and a table of options; commands come in
 * groups, each defined in its own file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "libvirt/libvirt.h"

/**
 * virshCmdOptType:
 *
 * How an option is written on the command line.
 */
typedef enum {
    VIRSH_OT_BOOL,      /* --name */
    VIRSH_OT_STRING,    /* --name VALUE, --name=VALUE */
    VIRSH_OT_INT,       /* as STRING, the value being a number */
} virshCmdOptType;

/**
 * virshCmdOptFlags:
 *
 * VIRSH_OFLAG_REQ: the option must be given.
 * VIRSH_OFLAG_POS: the value may also be given without "--name": bare
 * arguments fill the positional options in the order of the table.
 */
typedef enum {
    VIRSH_OFLAG_NONE = 0,
    VIRSH_OFLAG_REQ = (1 << 0),
    VIRSH_OFLAG_POS = (1 << 1),
} virshCmdOptFlags;

typedef struct _virshCmdOptDef virshCmdOptDef;
struct _virshCmdOptDef {
    const char *name;           /* NULL ends a table */
    virshCmdOptType type;
    unsigned int flags;         /* virshCmdOptFlags */
    const char *help;
};

typedef struct _virshControl virshControl;
typedef struct _virshCmd virshCmd;

/* A command's handler: returns true on success. */
typedef bool (*virshCmdHandler)(virshControl *ctl, const virshCmd *cmd);

/**
 * virshCmdFlags:
 *
 * VIRSH_CMD_FLAG_NOCONNECT: the command runs without a connection (the
 * shell otherwise opens one before running it).
 */
typedef enum {
    VIRSH_CMD_FLAG_NOCONNECT = (1 << 0),
} virshCmdFlags;

typedef struct _virshCmdDef virshCmdDef;
struct _virshCmdDef {
    const char *name;           /* NULL ends a table */
    virshCmdHandler handler;
    const virshCmdOptDef *opts; /* ended by an entry without name */
    const char *help;           /* one line, for the command list */
    const char *desc;           /* a paragraph, for "help COMMAND" */
    unsigned int flags;         /* virshCmdFlags */
};

typedef struct _virshCmdGroup virshCmdGroup;
struct _virshCmdGroup {
    const char *name;           /* "Domain Management" */
    const char *keyword;        /* "domain", for "help domain" */
    const virshCmdDef *cmds;
};

/* The state of the shell, one per process. */
struct _virshControl {
    virConnectPtr conn;         /* NULL until a command needs it */
    char *uri;                  /* from -c or connect, NULL for the default */
    bool readonly;              /* -r */
    bool quiet;                 /* -q: no informational messages */
    bool imode;                 /* interactive (or commands read from stdin) */
    bool eventLoop;             /* the default event loop is registered */
    bool quit;                  /* "quit" or "exit" was run */
    virErrorPtr lastError;      /* the library's last error, kept for reporting */
};

/* The command groups, each defined beside its commands. */
extern const virshCmdDef virshDomainManagementCmds[];
extern const virshCmdDef virshDomainMonitorCmds[];
extern const virshCmdDef virshBlockPullCmds[];
extern const virshCmdDef virshEventCmds[];
extern const virshCmdDef virshHostCmds[];
extern const virshCmdDef virshSelfCmds[];

/* The command table. */
const virshCmdGroup *virshGroups(void);
const virshCmdDef *virshCommandLookup(const char *name);
const char *virshOptTypeName(const virshCmdOptDef *opt);
bool virshHelpCommand(virshControl *ctl, const virshCmdDef *def);
bool virshConnectionEnsure(virshControl *ctl);
char *virshVersionString(unsigned long ver);

/* Messages. virshError prints "error: MESSAGE" to stderr. */
void virshError(virshControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void virshPrint(virshControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void virshPrintExtra(virshControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void virshResetLibvirtError(virshControl *ctl);

/* Options of the command being run. */
bool virshCommandOptBool(const virshCmd *cmd, const char *name);
const char *virshCommandOptString(const virshCmd *cmd, const char *name);
int virshParseNumber(const char *str, long long min, long long max,
                     long long *value);
int virshCommandOptInt(virshControl *ctl, const virshCmd *cmd,
                       const char *name, int *value);
bool virshCommandOptExclusive(virshControl *ctl, const virshCmd *cmd,
                              const char *name1, const char *name2);
bool virshCommandOptRequires(virshControl *ctl, const virshCmd *cmd,
                             const char *name, const char *needed);

/* Domains. */
virDomainPtr virshLookupDomain(virshControl *ctl, const char *str);
virDomainPtr virshCommandOptDomain(virshControl *ctl, const virshCmd *cmd,
                                   const char **name);
int virshDomainGetXML(virshControl *ctl, virDomainPtr dom, unsigned int flags,
                      xmlDocPtr *doc, xmlXPathContextPtr *ctxt);
char *virshXPathString(xmlXPathContextPtr ctxt, const char *expr);
const char *virshDomainStateToString(int state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject);

/* Tables shaped like libvirt's: " Id   Name   State" over a dashed line. */
typedef struct _virshTable virshTable;
virshTable *virshTableNew(const char *first, ...) G_GNUC_NULL_TERMINATED;
void virshTableRowAppend(virshTable *table, const char *first, ...)
    G_GNUC_NULL_TERMINATED;
void virshTablePrint(virshControl *ctl, virshTable *table);
void virshTableFree(virshTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virshTable, virshTableFree);
