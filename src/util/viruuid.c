/* viruuid.c: UUIDs as 16 raw bytes and as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
#include <config.h>

#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "util/viruuid.h"

/**
 * virUUIDParse:
 * @str: a UUID as 32 hex digits, optionally grouped 8-4-4-4-12 by dashes
 * @uuid: VIR_UUID_BUFLEN bytes for the result
 *
 * Returns 0 on success, -1 if @str is not a UUID (nothing is reported:
 * the caller knows what the string was for).
 */
int
virUUIDParse(const char *str, unsigned char *uuid)
{
    size_t pos = 0;
    size_t i;
    bool dashes;

    if (!str || !uuid)
        return -1;
    /* Either all four dashes at their places, or none at all. */
    dashes = strlen(str) == VIR_UUID_STRING_BUFLEN - 1;
    if (!dashes && strlen(str) != VIR_UUID_BUFLEN * 2)
        return -1;

    for (i = 0; i < VIR_UUID_BUFLEN; i++) {
        int hi, lo;

        if (dashes && (pos == 8 || pos == 13 || pos == 18 || pos == 23)) {
            if (str[pos] != '-')
                return -1;
            pos++;
        }
        hi = g_ascii_xdigit_value(str[pos]);
        lo = hi < 0 ? -1 : g_ascii_xdigit_value(str[pos + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        uuid[i] = (unsigned char)((hi << 4) | lo);
        pos += 2;
    }
    return str[pos] == '\0' ? 0 : -1;
}

/**
 * virUUIDFormat:
 * @uuid: VIR_UUID_BUFLEN bytes
 * @str: VIR_UUID_STRING_BUFLEN bytes for the result
 *
 * Write @uuid in its usual lower-case 8-4-4-4-12 form.
 */
void
virUUIDFormat(const unsigned char *uuid, char *str)
{
    g_snprintf(str, VIR_UUID_STRING_BUFLEN,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
               "%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
               uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
               uuid[12], uuid[13], uuid[14], uuid[15]);
}

/**
 * virUUIDGenerate:
 * @uuid: VIR_UUID_BUFLEN bytes for the result
 *
 * Fill @uuid with a new random (version 4) UUID.
 */
void
virUUIDGenerate(unsigned char *uuid)
{
    g_autofree char *str = g_uuid_string_random();

    if (virUUIDParse(str, uuid) < 0)
        g_assert_not_reached();
}
