/*
 * remote_driver.h: the remote driver, the client side of libvirtd: it
 * claims qemu:///system and qemu+unix:///system?socket=PATH (libvirt's
 * URI parameters) and carries every call and event over the wire.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* Register it; last of the builtin drivers. Returns 0 or -1. */
int remoteRegister(void);
