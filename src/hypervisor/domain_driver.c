/*
 * domain_driver.c: what every hypervisor driver does the same way with
 * domains (see domain_driver.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static gint
virDomainDriverCompareInt(gconstpointer a, gconstpointer b)
{
    int x = *(const int *) a;
    int y = *(const int *) b;

    return (x > y) - (x < y);
}

int
virDomainDriverExportIDs(GArray *ids, int *out, int maxids)
{
    guint n = MIN(ids->len, (guint) maxids);

    g_array_sort(ids, virDomainDriverCompareInt);
    for (guint i = 0; i < n; i++)
        out[i] = g_array_index(ids, int, i);
    return n;
}

static gint
virDomainDriverCompareName(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int
virDomainDriverExportNames(GPtrArray *names, char **const out, int maxnames)
{
    guint n = MIN(names->len, (guint) maxnames);

    g_ptr_array_sort(names, virDomainDriverCompareName);
    for (guint i = 0; i < n; i++) {
        /* Public strings are released with free(). */
        if (!(out[i] = strdup(g_ptr_array_index(names, i)))) {
            for (guint j = 0; j < i; j++)
                g_clear_pointer(&out[j], free);
            virReportError(VIR_ERR_NO_MEMORY, "%s", "out of memory");
            return -1;
        }
    }
    return n;
}

char *
virDomainDriverGetHostname(void)
{
    struct addrinfo hints = { .ai_flags = AI_CANONNAME, .ai_family = AF_UNSPEC };
    struct addrinfo *info = NULL;
    char host[HOST_NAME_MAX + 1] = "";
    char *ret;

    if (gethostname(host, sizeof(host) - 1) < 0) {
        virReportSystemError(errno, "%s", "cannot get the host name");
        return NULL;
    }
    /* A name with a dot is taken as it is; else the resolver may know the
     * fully qualified one, and not knowing it is no error. */
    if (!strchr(host, '.') && getaddrinfo(host, NULL, &hints, &info) == 0 &&
        info && info->ai_canonname && *info->ai_canonname &&
        strcmp(info->ai_canonname, "localhost") != 0) {
        ret = strdup(info->ai_canonname);
    } else {
        ret = strdup(host);
    }
    if (info)
        freeaddrinfo(info);
    if (!ret)
        virReportError(VIR_ERR_NO_MEMORY, "%s", "out of memory");
    return ret;
}
