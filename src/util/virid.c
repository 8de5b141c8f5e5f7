/*
 * virid.c: user and group ids written as text.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "virid.h"

bool
virIDParse(const char *str, guint32 *id)
{
    guint64 num;

    /* GLib's parser takes no sign and no blanks: "-1", " 5" are refused. */
    if (!str || !g_ascii_string_to_unsigned(str, 10, 0, VIR_ID_MAX, &num, NULL))
        return false;
    *id = num;
    return true;
}

int
virIDParseNumeric(const char *str, guint32 *id)
{
    if (!str || str[0] != '+')
        return 0;
    return virIDParse(str + 1, id) ? 1 : -1;
}
