/*
 * virsh.h: virsh's own state and its command groups.
 *
 * virsh is the generic shell of vsh.h with commands that use only the
 * public API (libvirt/libvirt.h). Each command group is defined in its
 * own file; the helpers they share are in virsh-util.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

#include "libvirt/libvirt.h"
#include "vsh.h"

/* virsh's part of the shell's state (vshControl.privData). */
typedef struct _virshControl virshControl;
struct _virshControl {
    virConnectPtr conn;         /* NULL until a command needs it */
    char *uri;                  /* from -c or connect, NULL for the default */
    bool readonly;              /* -r, connect --readonly */
};

/* The option most commands start with. */
#define VIRSH_COMMON_OPT_DOMAIN \
    {.name = "domain", .type = VSH_OT_STRING, \
     .flags = VSH_OFLAG_REQ | VSH_OFLAG_POS, \
     .help = "domain name, id or uuid"}

/* The command groups, each defined beside its commands. */
extern const vshCmdDef virshDomainManagementCmds[];  /* virsh-domain.c */
extern const vshCmdDef virshDomainMonitorCmds[];     /* virsh-domain.c */
extern const vshCmdDef virshBlockPullCmds[];         /* virsh-blockpull.c */
extern const vshCmdDef virshEventCmds[];             /* virsh-blockpull.c: libvirt's name of a virDomainBlockJobType. */
const char *virshBlockJobTypeName(int type);

/* virsh-event.c */
extern const vshCmdDef virshHostCmds[];              /* virsh-host.c */

/* virsh-host.c */
char *virshVersionString(unsigned long ver);

/* virsh-blockpull.c: libvirt's name of a virDomainBlockJobType. */
const char *virshBlockJobTypeName(int type);

/* virsh-event.c */
char *virshEventBlockPullFormat(const char *domname, const char *path,
                                int status);
