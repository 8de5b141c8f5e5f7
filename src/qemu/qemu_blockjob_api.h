/*
 * qemu_blockjob_api.h: libvirt's block job calls (virDomainBlockRebase,
 * virDomainGetBlockJobInfo, virDomainBlockJobAbort,
 * virDomainBlockJobSetSpeed) in the QEMU driver's table, on the pull
 * engine of qemu_blockjob.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "libvirt/libvirt.h"

int qemuDomainBlockRebase(virDomainPtr dom, const char *disk, const char *base,
                          unsigned long bandwidth, unsigned int flags);
int qemuDomainGetBlockJobInfo(virDomainPtr dom, const char *disk,
                              virDomainBlockJobInfoPtr info, unsigned int flags);
int qemuDomainBlockJobAbort(virDomainPtr dom, const char *disk,
                            unsigned int flags);
int qemuDomainBlockJobSetSpeed(virDomainPtr dom, const char *disk,
                               unsigned long bandwidth, unsigned int flags);
