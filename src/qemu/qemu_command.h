/*
 * qemu_command.h: the QEMU command line of a domain, and the QEMU names
 * (block node names, device aliases) it relies on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain_conf.h"

/* Node names are "libvirt-N-format" / "libvirt-N-storage"; QEMU allows 31 chars. */
#define QEMU_BLOCK_NODE_NAME_MAX 31

void qemuDomainAssignNodeNames(virDomainDef *def);
void qemuDomainAssignNodeNamesCounter(virDomainDef *def,
                                      unsigned long long *counter);

char **qemuBuildCommandLine(const virDomainDef *def, const char *emulator,
                            int monitorFd, const char *pidfile,
                            bool kvmUsable);

char *qemuCommandLineToString(char *const *argv);

bool qemuHostHasKVM(void);
