/*
 * virenumpublic.c: the public headers as a program built against the
 * installed library sees them: without config.h, so without
 * VIR_ENUM_SENTINELS. The _LAST names are free then: declaring them here
 * again would not compile if the headers showed them (a _LAST value
 * changes whenever a member is added, so it is no ABI: libvirt's rule).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef VIR_ENUM_SENTINELS
# error "VIR_ENUM_SENTINELS must not be defined for this file"
#endif

#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>

#include "virenumtest.h"

enum {
    VIR_CRED_LAST = -1,
    VIR_DOMAIN_LAST = -1,
    VIR_DOMAIN_NOSTATE_LAST = -1,
    VIR_DOMAIN_RUNNING_LAST = -1,
    VIR_DOMAIN_PAUSED_LAST = -1,
    VIR_DOMAIN_SHUTOFF_LAST = -1,
    VIR_DOMAIN_EVENT_ID_LAST = -1,
    VIR_DOMAIN_EVENT_LAST = -1,
    VIR_DOMAIN_EVENT_DEFINED_LAST = -1,
    VIR_DOMAIN_EVENT_UNDEFINED_LAST = -1,
    VIR_DOMAIN_EVENT_STARTED_LAST = -1,
    VIR_DOMAIN_EVENT_STOPPED_LAST = -1,
    VIR_DOMAIN_BLOCK_PULL_LAST = -1,
    VIR_DOMAIN_BLOCK_JOB_TYPE_LAST = -1,
    VIR_DOMAIN_BLOCK_JOB_LAST = -1,
    VIR_ERR_LEVEL_LAST = -1,
    VIR_ERR_DOMAIN_LAST = -1,
    VIR_ERR_NUMBER_LAST = -1,
};

int
virEnumTestPublicSum(void)
{
    return VIR_CRED_LAST + VIR_DOMAIN_LAST + VIR_DOMAIN_NOSTATE_LAST +
        VIR_DOMAIN_RUNNING_LAST + VIR_DOMAIN_PAUSED_LAST + VIR_DOMAIN_SHUTOFF_LAST +
        VIR_DOMAIN_EVENT_ID_LAST + VIR_DOMAIN_EVENT_LAST +
        VIR_DOMAIN_EVENT_DEFINED_LAST + VIR_DOMAIN_EVENT_UNDEFINED_LAST +
        VIR_DOMAIN_EVENT_STARTED_LAST + VIR_DOMAIN_EVENT_STOPPED_LAST +
        VIR_DOMAIN_BLOCK_PULL_LAST + VIR_DOMAIN_BLOCK_JOB_TYPE_LAST +
        VIR_DOMAIN_BLOCK_JOB_LAST + VIR_ERR_LEVEL_LAST + VIR_ERR_DOMAIN_LAST +
        VIR_ERR_NUMBER_LAST;
}

/* The enums a libvirt client's lifecycle and connection code uses
 * (virDomainSuspend()'s and virDomainResume()'s events, the close
 * callback): kept apart so that each group of enums is checked on its
 * own. */
enum {
    VIR_DOMAIN_EVENT_SUSPENDED_LAST = -1,
    VIR_DOMAIN_EVENT_RESUMED_LAST = -1,
    VIR_CONNECT_CLOSE_REASON_LAST = -1,
};

int
virEnumTestPublicSumClient(void)
{
    return VIR_DOMAIN_EVENT_SUSPENDED_LAST + VIR_DOMAIN_EVENT_RESUMED_LAST +
        VIR_CONNECT_CLOSE_REASON_LAST;
}
