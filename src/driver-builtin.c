/*
 * driver-builtin.c: the drivers compiled into the library, registered
 * when it is initialised, in the order they are offered URIs. This is the
 * only place that names them: a build without the QEMU driver
 * (./configure --without-qemu) has only the test driver and the remote
 * one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "driver.h"
#include "test/test_driver.h"
#ifdef WITH_QEMU
# include "qemu/qemu_driver.h"
#endif
#include "remote/remote_driver.h"

int
virDriverRegisterBuiltin(void)
{
#ifdef WITH_QEMU
    if (qemuRegister() < 0)
        return -1;
#endif
    if (testRegister() < 0)
        return -1;
    /* Last: it takes what the local drivers decline (and is never
     * offered an embed URI). */
    if (remoteRegister() < 0)
        return -1;
    return 0;
}
