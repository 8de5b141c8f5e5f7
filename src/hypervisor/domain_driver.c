/*
 * domain_driver.c: what every hypervisor driver does the same way with
 * domains (see domain_driver.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "hypervisor/domain_driver.h"
#include "datatypes.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

bool
virDomainDriverListMatch(bool active, bool persistent, int state,
                         unsigned int flags)
{
    unsigned int stateFlag;

    if ((flags & VIR_CONNECT_LIST_DOMAINS_FILTERS_ACTIVE) &&
        !((active && (flags & VIR_CONNECT_LIST_DOMAINS_ACTIVE)) ||
          (!active && (flags & VIR_CONNECT_LIST_DOMAINS_INACTIVE))))
        return false;
    if ((flags & VIR_CONNECT_LIST_DOMAINS_FILTERS_PERSISTENT) &&
        !((persistent && (flags & VIR_CONNECT_LIST_DOMAINS_PERSISTENT)) ||
          (!persistent && (flags & VIR_CONNECT_LIST_DOMAINS_TRANSIENT))))
        return false;
    switch (state) {
    case VIR_DOMAIN_RUNNING: stateFlag = VIR_CONNECT_LIST_DOMAINS_RUNNING; break;
    case VIR_DOMAIN_PAUSED: stateFlag = VIR_CONNECT_LIST_DOMAINS_PAUSED; break;
    case VIR_DOMAIN_SHUTOFF: stateFlag = VIR_CONNECT_LIST_DOMAINS_SHUTOFF; break;
    default: stateFlag = VIR_CONNECT_LIST_DOMAINS_OTHER; break;
    }
    if ((flags & VIR_CONNECT_LIST_DOMAINS_FILTERS_STATE) && !(flags & stateFlag))
        return false;
    return true;
}

int
virDomainDriverListExport(GPtrArray *handles, virDomainPtr **domains)
{
    virDomainPtr *list;

    if (!domains)
        return handles->len;
    /* The array is the caller's, released with free(). */
    if (!(list = calloc(handles->len + 1, sizeof(*list)))) {
        for (guint i = 0; i < handles->len; i++)
            virObjectUnrefDomain(g_ptr_array_index(handles, i));
        virReportError(VIR_ERR_NO_MEMORY, "%s", "out of memory");
        return -1;
    }
    for (guint i = 0; i < handles->len; i++)
        list[i] = g_ptr_array_index(handles, i);
    *domains = list;
    return handles->len;
}

char *
virDomainDriverFormatXML(const virDomainDef *def, const virDomainDef *newDef,
                         bool active, unsigned int flags)
{
    g_autofree char *tmp = NULL;
    char *xml;

    if ((flags & VIR_DOMAIN_XML_INACTIVE) && newDef)
        tmp = virDomainDefFormat(newDef, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    else if (active && !(flags & VIR_DOMAIN_XML_INACTIVE))
        tmp = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_LIVE);
    else
        tmp = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    /* Public strings are released with free(). */
    if (!(xml = strdup(tmp)))
        virReportError(VIR_ERR_NO_MEMORY, "%s", "out of memory");
    return xml;
}

void
virDomainDriverReportNoDomain(const unsigned char *uuid, const char *name)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    virUUIDFormat(uuid, uuidstr);
    if (name)
        virReportError(VIR_ERR_NO_DOMAIN,
                       "no domain with matching uuid '%s' (%s)", uuidstr, name);
    else
        virReportError(VIR_ERR_NO_DOMAIN,
                       "no domain with matching uuid '%s'", uuidstr);
}

virDomainObj *
virDomainDriverFindByName(virDomainObjList *domains, const char *name)
{
    virDomainObj *vm = virDomainObjListFindByName(domains, name);

    if (!vm)
        virReportError(VIR_ERR_NO_DOMAIN, "no domain with matching name '%s'", name);
    return vm;
}

virDomainObj *
virDomainDriverFindByUUID(virDomainObjList *domains, const unsigned char *uuid)
{
    virDomainObj *vm = virDomainObjListFindByUUID(domains, uuid);

    if (!vm)
        virDomainDriverReportNoDomain(uuid, NULL);
    return vm;
}

virDomainObj *
virDomainDriverFindByID(virDomainObjList *domains, int id)
{
    virDomainObj *vm = virDomainObjListFindByID(domains, id);

    if (!vm)
        virReportError(VIR_ERR_NO_DOMAIN, "no domain with matching id %d", id);
    return vm;
}

virDomainPtr
virDomainDriverHandle(virConnectPtr conn, virDomainObj *vm, bool locked)
{
    virDomainPtr ret;

    if (!locked)
        virDomainObjLock(vm);
    ret = virGetDomain(conn, vm->def->name, vm->def->uuid, vm->def->id);
    if (!locked)
        virDomainObjUnlock(vm);
    return ret;
}
