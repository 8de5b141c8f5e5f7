/*
 * test_driver.h: registering the test driver (test:///default).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* Register the test connection driver. Returns 0, or -1 with an error. */
int testRegister(void);
