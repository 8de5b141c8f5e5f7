/*
 * virenumtest.c: VIR_ENUM_SENTINELS. Our own sources (config.h) see each
 * public enum's _LAST member, one past its last value; a program using
 * the installed headers does not (virenumpublic.c, built without
 * config.h, declares the same names itself).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <glib.h>

#include "libvirt/libvirt.h"
#include "virenumtest.h"

#ifndef VIR_ENUM_SENTINELS
# error "config.h must define VIR_ENUM_SENTINELS for the library's own sources"
#endif

static void
testSentinels(void)
{
    g_assert_cmpint(VIR_CRED_LAST, ==, VIR_CRED_EXTERNAL + 1);
    g_assert_cmpint(VIR_DOMAIN_LAST, ==, VIR_DOMAIN_PMSUSPENDED + 1);
    g_assert_cmpint(VIR_DOMAIN_NOSTATE_LAST, ==, VIR_DOMAIN_NOSTATE_UNKNOWN + 1);
    g_assert_cmpint(VIR_DOMAIN_RUNNING_LAST, ==, VIR_DOMAIN_RUNNING_POSTCOPY + 1);
    g_assert_cmpint(VIR_DOMAIN_PAUSED_LAST, ==, VIR_DOMAIN_PAUSED_STARTING_UP + 1);
    g_assert_cmpint(VIR_DOMAIN_SHUTOFF_LAST, ==, VIR_DOMAIN_SHUTOFF_DAEMON + 1);
    g_assert_cmpint(VIR_DOMAIN_EVENT_ID_LAST, ==,
                    VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE + 1);
    g_assert_cmpint(VIR_DOMAIN_BLOCK_JOB_TYPE_LAST, ==, VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP + 1);
    g_assert_cmpint(VIR_DOMAIN_BLOCK_JOB_LAST, ==, VIR_DOMAIN_BLOCK_JOB_READY + 1);
    g_assert_cmpint(VIR_DOMAIN_EVENT_LAST, ==, VIR_DOMAIN_EVENT_CRASHED + 1);
    g_assert_cmpint(VIR_DOMAIN_EVENT_DEFINED_LAST, ==, VIR_DOMAIN_EVENT_DEFINED_UPDATED + 1);
    g_assert_cmpint(VIR_DOMAIN_EVENT_UNDEFINED_LAST, ==,
                    VIR_DOMAIN_EVENT_UNDEFINED_REMOVED + 1);
    g_assert_cmpint(VIR_DOMAIN_EVENT_STARTED_LAST, ==, VIR_DOMAIN_EVENT_STARTED_WAKEUP + 1);
    g_assert_cmpint(VIR_DOMAIN_EVENT_STOPPED_LAST, ==,
                    VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT + 1);
    g_assert_cmpint(VIR_DOMAIN_BLOCK_PULL_LAST, ==, VIR_DOMAIN_BLOCK_PULL_CANCELED + 1);
    g_assert_cmpint(VIR_ERR_LEVEL_LAST, ==, VIR_ERR_ERROR + 1);
    g_assert_cmpint(VIR_ERR_DOMAIN_LAST, ==, VIR_FROM_CH + 1);
    g_assert_cmpint(VIR_ERR_NUMBER_LAST, ==, VIR_ERR_NO_NETWORK_METADATA + 1);
}

static void
testHiddenFromClients(void)
{
    /* virenumpublic.c compiled with its own eighteen -1s: the headers
     * declared none of these names without VIR_ENUM_SENTINELS. */
    g_assert_cmpint(virEnumTestPublicSum(), ==, -18);
}

static void
testClientSentinels(void)
{
    g_assert_cmpint(VIR_DOMAIN_EVENT_SUSPENDED_LAST, ==,
                    VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED + 1);
    g_assert_cmpint(VIR_DOMAIN_EVENT_RESUMED_LAST, ==,
                    VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED + 1);
    g_assert_cmpint(VIR_CONNECT_CLOSE_REASON_LAST, ==,
                    VIR_CONNECT_CLOSE_REASON_CLIENT + 1);
    /* libvirt's values, which clients compare against. */
    g_assert_cmpint(VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, ==, 0);
    g_assert_cmpint(VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR, ==, 6);
    g_assert_cmpint(VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, ==, 0);
    g_assert_cmpint(VIR_CONNECT_CLOSE_REASON_EOF, ==, 1);
    g_assert_cmpint(virEnumTestPublicSumClient(), ==, -3);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/enum/sentinels", testSentinels);
    g_test_add_func("/enum/hidden-from-clients", testHiddenFromClients);
    g_test_add_func("/enum/client-sentinels", testClientSentinels);
    return g_test_run();
}
