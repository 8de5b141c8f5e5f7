/*
 * qemu_driver.h: registering the QEMU driver with the library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "libvirt/libvirt.h"
#include "conf/domain_conf.h"

/*
 * Register the QEMU connection driver (qemu:///embed?root=DIR) and its
 * state driver. Returns 0, or -1 with an error.
 */
int qemuRegister(void);

/* The domain object of a handle, locked, with a reference (for
 * virDomainObjEndAPI()); or NULL with VIR_ERR_NO_DOMAIN. For the driver's
 * calls that live in files of their own. */
virDomainObj *qemuDomObjFromDomain(virDomainPtr dom);
