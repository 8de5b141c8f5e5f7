/*
 * qemu_driver_domain.h: the QEMU driver's client calls (type, hostname,
 * old list calls, suspend, resume), for the table in qemu_driver.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/domain_conf.h"
#include "libvirt/libvirt.h"

/* The domain object of a handle, locked, with a reference (for
 * virDomainObjEndAPI()); or NULL with VIR_ERR_NO_DOMAIN (qemu_driver.c). */
virDomainObj *qemuDomObjFromDomain(virDomainPtr dom);

const char *qemuConnectGetType(virConnectPtr conn);
char *qemuConnectGetHostname(virConnectPtr conn);
int qemuConnectNumOfDomains(virConnectPtr conn);
int qemuConnectListDomains(virConnectPtr conn, int *ids, int maxids);
int qemuConnectNumOfDefinedDomains(virConnectPtr conn);
int qemuConnectListDefinedDomains(virConnectPtr conn, char **const names,
                                  int maxnames);
int qemuDomainSuspend(virDomainPtr dom);
int qemuDomainResume(virDomainPtr dom);
