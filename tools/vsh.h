/*
 * vsh.h: a generic command shell, as libvirt's vsh: command tables, their
 * options, the command line grammar, help, the interactive loop with
 * completion, output and error helpers. Tables are in vsh-table.h, waiting
 * in the event loop in vsh-event.h.
 *
 * It knows nothing of connections or domains: a client (virsh) defines its
 * commands in groups, keeps its own state behind vshControl.privData and
 * opens its connection through vshClientHooks when a command needs one.
 * Of the library it uses only the error and event loop calls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "libvirt/libvirt.h"

/*
 * The grammar of a command line:
 *
 *   line     = command { ";" command }
 *   command  = name { option | word } [ "--" { word } ]
 *   option   = "--" opt                    (a bool)
 *            | "--" opt " " value | "--" opt "=" value
 *   word     = a value for the next positional option not yet given
 *
 * Words are split at blanks; quotes and backslashes work as in a POSIX
 * shell, without expansions; '#' at the start of a word starts a comment.
 * On virsh's own command line a lone ";" argument separates commands.
 */

/**
 * vshCmdOptType:
 *
 * How an option is written on the command line.
 */
typedef enum {
    VSH_OT_BOOL,        /* --name */
    VSH_OT_STRING,      /* --name VALUE, --name=VALUE */
    VSH_OT_INT,         /* as STRING, the value being a number */
} vshCmdOptType;

/**
 * vshCmdOptFlags:
 *
 * VSH_OFLAG_REQ: the option must be given.
 * VSH_OFLAG_POS: the value may also be given without "--name": bare
 * words fill the positional options in the order of the table.
 */
typedef enum {
    VSH_OFLAG_NONE = 0,
    VSH_OFLAG_REQ = (1 << 0),
    VSH_OFLAG_POS = (1 << 1),
} vshCmdOptFlags;

typedef struct _vshCmdOptDef vshCmdOptDef;
struct _vshCmdOptDef {
    const char *name;           /* NULL ends a table */
    vshCmdOptType type;
    unsigned int flags;         /* vshCmdOptFlags */
    const char *help;
};

typedef struct _vshControl vshControl;
typedef struct _vshCmd vshCmd;

/* A command's handler: returns true on success, false with an error
 * printed or left in the library's last error. */
typedef bool (*vshCmdHandler)(vshControl *ctl, const vshCmd *cmd);

/**
 * vshCmdFlags:
 *
 * VSH_CMD_FLAG_NOCONNECT: the command runs without a connection (the
 * shell otherwise asks the client's connHandler for one first).
 */
typedef enum {
    VSH_CMD_FLAG_NOCONNECT = (1 << 0),
} vshCmdFlags;

typedef struct _vshCmdDef vshCmdDef;
struct _vshCmdDef {
    const char *name;           /* NULL ends a table */
    vshCmdHandler handler;
    const vshCmdOptDef *opts;   /* ended by an entry without name */
    const char *help;           /* one line, for the command list */
    const char *desc;           /* a paragraph, for "help COMMAND" */
    unsigned int flags;         /* vshCmdFlags */
};

typedef struct _vshCmdGrp vshCmdGrp;
struct _vshCmdGrp {
    const char *name;           /* "Domain Management"; NULL ends a table */
    const char *keyword;        /* "domain", for "help domain" */
    const vshCmdDef *commands;
};

/**
 * vshClientHooks:
 * @connHandler: make sure the client is connected before a command that
 *               needs it runs; returns false with an error printed
 * @prompt: the prompt of the interactive shell
 */
typedef struct _vshClientHooks vshClientHooks;
struct _vshClientHooks {
    bool (*connHandler)(vshControl *ctl);
    const char *(*prompt)(vshControl *ctl);
};

/* The state of the shell, one per process. The client fills in the first
 * four fields before vshInit(), and eventLoop once it registered the
 * library's default event loop. */
struct _vshControl {
    const char *name;           /* "virsh": readline's name, the history folder */
    const vshCmdGrp *groups;    /* the commands, ended by a group without name */
    const vshClientHooks *hooks;
    void *privData;             /* the client's own state */

    bool quiet;                 /* -q: no informational messages */
    bool imode;                 /* in vshInteractive(): commands from stdin */
    bool quit;                  /* "quit" or "exit" was run */
    bool eventLoop;             /* the default event loop is registered */
    virErrorPtr lastError;      /* the library's last error, kept for reporting */
};

/* Setting up and tearing down. */
void vshInit(vshControl *ctl);
void vshDeinit(vshControl *ctl);

/* Messages. vshError prints "error: MESSAGE" to stderr. */
void vshError(vshControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void vshPrint(vshControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void vshPrintExtra(vshControl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void vshResetLibvirtError(vshControl *ctl);
void vshReportError(vshControl *ctl);

/* The command tables and their help. */
const vshCmdDef *vshCmddefSearch(vshControl *ctl, const char *name);
bool vshCmddefHelp(vshControl *ctl, const vshCmdDef *def);
bool vshCmdGrpHelp(vshControl *ctl, const vshCmdGrp *grp);
void vshUsageGroups(vshControl *ctl);

/* Options of the command being run. */
bool vshCommandOptBool(const vshCmd *cmd, const char *name);
const char *vshCommandOptString(const vshCmd *cmd, const char *name);
int vshParseNumber(const char *str, long long min, long long max,
                   long long *value);
int vshCommandOptInt(vshControl *ctl, const vshCmd *cmd,
                     const char *name, int *value);
bool vshCommandOptTimeout(vshControl *ctl, const vshCmd *cmd, int *timeout);
bool vshCommandOptExclusive(vshControl *ctl, const vshCmd *cmd,
                            const char *name1, const char *name2);
bool vshCommandOptRequires(vshControl *ctl, const vshCmd *cmd,
                           const char *name, const char *needed);

/* Running commands. */
bool vshCommandStringRun(vshControl *ctl, const char *line);
bool vshCommandArgvRun(vshControl *ctl, int argc, char **argv);
bool vshInteractive(vshControl *ctl, const char *banner);

/* The commands every client has: help, quit and exit. */
bool cmdHelp(vshControl *ctl, const vshCmd *cmd);
bool cmdQuit(vshControl *ctl, const vshCmd *cmd);
extern const vshCmdOptDef opts_help[];

#define VSH_CMD_HELP \
    {.name = "help", .handler = cmdHelp, .opts = opts_help, \
     .help = "print help", \
     .desc = "Print the list of commands, the commands of a group, or the " \
             "help of one command.", \
     .flags = VSH_CMD_FLAG_NOCONNECT}

#define VSH_CMD_QUIT_NAMED(cmdname) \
    {.name = cmdname, .handler = cmdQuit, \
     .help = "quit this interactive terminal", \
     .desc = "Quit this interactive terminal.", \
     .flags = VSH_CMD_FLAG_NOCONNECT}
#define VSH_CMD_EXIT VSH_CMD_QUIT_NAMED("exit")
#define VSH_CMD_QUIT VSH_CMD_QUIT_NAMED("quit")
