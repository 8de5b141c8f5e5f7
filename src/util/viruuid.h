/*
 * viruuid.h: UUIDs as 16 raw bytes and as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "libvirt/libvirt.h"

int virUUIDParse(const char *str, unsigned char *uuid);
void virUUIDFormat(const unsigned char *uuid, char *str);
void virUUIDGenerate(unsigned char *uuid);
