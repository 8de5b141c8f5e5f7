/*
 * viridtest.c: user and group ids written as text (src/util/virid.h), the
 * one rule qemu.conf, the security manager and the DAC record share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <glib.h>

#include "util/virid.h"

static void
testParse(void)
{
    const char *bad[] = { "", "4294967295", "4294967296", "-1", "+5", " 5",
                          "5 ", "0x10", "12x", "99999999999999999999" };
    guint32 id = 7;

    g_assert_true(virIDParse("0", &id));
    g_assert_cmpuint(id, ==, 0);
    g_assert_true(virIDParse("65534", &id));
    g_assert_cmpuint(id, ==, 65534);
    g_assert_true(virIDParse("4294967294", &id));
    g_assert_cmpuint(id, ==, 4294967294U);
    g_assert_cmpuint(VIR_ID_MAX, ==, 4294967294U);

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        id = 7;
        if (virIDParse(bad[i], &id))
            g_error("'%s' read as id %u", bad[i], id);
        g_assert_cmpuint(id, ==, 7);
    }
    g_assert_false(virIDParse(NULL, &id));
}

static void
testParseNumeric(void)
{
    const char *bad[] = { "+", "+-1", "++5", "+ 5", "+12x", "+4294967295" };
    guint32 id = 7;

    g_assert_cmpint(virIDParseNumeric("+0", &id), ==, 1);
    g_assert_cmpuint(id, ==, 0);
    g_assert_cmpint(virIDParseNumeric("+4294967294", &id), ==, 1);
    g_assert_cmpuint(id, ==, 4294967294U);

    /* Names, even ones made of digits: only '+' says "a number". */
    id = 7;
    g_assert_cmpint(virIDParseNumeric("nobody", &id), ==, 0);
    g_assert_cmpint(virIDParseNumeric("1000", &id), ==, 0);
    g_assert_cmpint(virIDParseNumeric("", &id), ==, 0);
    g_assert_cmpuint(id, ==, 7);

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(virIDParseNumeric(bad[i], &id), ==, -1);
    g_assert_cmpuint(id, ==, 7);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/id/parse", testParse);
    g_test_add_func("/id/parse-numeric", testParseNumeric);
    return g_test_run();
}
