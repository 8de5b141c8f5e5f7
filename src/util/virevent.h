/*
 * virevent.h: the default event loop implementation behind the public
 * virEvent* calls (a private GMainContext run by the application thread).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include "libvirt/libvirt.h"

/* Has virEventRegisterDefaultImpl() been called? */
bool virEventIsRegistered(void);
