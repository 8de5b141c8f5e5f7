/*
 * virid.h: user and group ids written as text ("+1000" in qemu.conf,
 * "1000" in a remembered owner).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

/*
 * The highest id a user or group may have: one more, 4294967295, is
 * (uid_t) -1, which chown() and setresuid() read as "leave unchanged", so
 * it never names an owner (QEMU given it would keep running as root).
 */
#define VIR_ID_MAX (G_MAXUINT32 - 1)

/**
 * virIDParse:
 * @str: the text
 * @id: (out): the id, set only on success
 *
 * Read a user or group id written in decimal: digits only (no sign, no
 * blanks), from 0 to VIR_ID_MAX.
 *
 * Returns true if @str is one, false (nothing reported) otherwise.
 */
bool virIDParse(const char *str, guint32 *id);

/**
 * virIDParseNumeric:
 * @str: a user or group as configured: a name, or '+' and its id
 * @id: (out): the id, set only when 1 is returned
 *
 * Tell the two spellings apart, the way qemu.conf's "user" and "group"
 * and the security manager read them: "+N" is the id N (checked with
 * virIDParse), anything that does not start with '+' is a name.
 *
 * Returns 1 for an id, 0 for a name, -1 for a '+' not followed by an id
 * (nothing reported: the caller knows what to name in its message).
 */
int virIDParseNumeric(const char *str, guint32 *id);
