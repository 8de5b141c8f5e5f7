/*
 * qemu_driver.h: registering the QEMU driver with the library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/*
 * Register the QEMU connection driver (qemu:///embed?root=DIR) and its
 * state driver. Returns 0, or -1 with an error.
 */
int qemuRegister(void);
