/*
 * domain_driver.h: what every hypervisor driver does the same way with
 * domains: the filters of virConnectListAllDomains(), handing out lists
 * and XML the way the public API promises.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "libvirt/libvirt.h"
#include "conf/domain_conf.h"
#include "conf/virdomainobjlist.h"

#define VIR_CONNECT_LIST_DOMAINS_FILTERS_ACTIVE \
    (VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE)
#define VIR_CONNECT_LIST_DOMAINS_FILTERS_PERSISTENT \
    (VIR_CONNECT_LIST_DOMAINS_PERSISTENT | VIR_CONNECT_LIST_DOMAINS_TRANSIENT)
#define VIR_CONNECT_LIST_DOMAINS_FILTERS_STATE \
    (VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED | \
     VIR_CONNECT_LIST_DOMAINS_SHUTOFF | VIR_CONNECT_LIST_DOMAINS_OTHER)
/* Every flag of virConnectListAllDomains() a driver supports. */
#define VIR_CONNECT_LIST_DOMAINS_FILTERS_ALL \
    (VIR_CONNECT_LIST_DOMAINS_FILTERS_ACTIVE | \
     VIR_CONNECT_LIST_DOMAINS_FILTERS_PERSISTENT | \
     VIR_CONNECT_LIST_DOMAINS_FILTERS_STATE)

/*
 * Does a domain that is @active, @persistent and in @state (a
 * virDomainState) pass the filters @flags of virConnectListAllDomains()?
 * Within each group of filters a domain must match one of the given
 * flags; a group without flags does not filter.
 */
bool virDomainDriverListMatch(bool active, bool persistent, int state,
                              unsigned int flags);

/*
 * The result of virConnectListAllDomains() from @handles, the matching
 * domains' handles (NULL entries when the caller only counts): with
 * @domains, a NULL-terminated array the caller frees with free() (the
 * handles move into it). Returns the count, or -1 with VIR_ERR_NO_MEMORY
 * (the handles are released).
 */
int virDomainDriverListExport(GPtrArray *handles, virDomainPtr **domains);

/*
 * The XML virDomainGetXMLDesc() returns for a domain whose definition is
 * @def and, while it runs (@active) with a persistent definition apart,
 * @newDef: the live definition, or with VIR_DOMAIN_XML_INACTIVE in @flags
 * the persistent one. A string to be freed with free(), or NULL with
 * VIR_ERR_NO_MEMORY.
 */
char *virDomainDriverFormatXML(const virDomainDef *def,
                               const virDomainDef *newDef,
                               bool active, unsigned int flags);

/*
 * Report VIR_ERR_NO_DOMAIN for the UUID @uuid, naming the domain as the
 * caller's handle does (@name, or NULL for a bare UUID lookup).
 */
void virDomainDriverReportNoDomain(const unsigned char *uuid, const char *name);

/*
 * A domain of @domains by name, UUID or id, with a reference (release it
 * with virDomainObjUnref()), or NULL with VIR_ERR_NO_DOMAIN naming what
 * was looked for: the lookups every driver's table has.
 */
virDomainObj *virDomainDriverFindByName(virDomainObjList *domains,
                                        const char *name);
virDomainObj *virDomainDriverFindByUUID(virDomainObjList *domains,
                                        const unsigned char *uuid);
virDomainObj *virDomainDriverFindByID(virDomainObjList *domains, int id);

/*
 * A public handle on @vm (its name, UUID and id), read under @vm's lock
 * unless @locked says the caller holds it; NULL if the allocation fails.
 */
virDomainPtr virDomainDriverHandle(virConnectPtr conn, virDomainObj *vm,
                                   bool locked);

/*
 * The old list calls' arrays: @ids (of int) sorted into @out, at most
 * @maxids of them; @names (of strings the caller keeps) sorted and
 * copied into @out (the caller's, to be freed with free()), at most
 * @maxnames. Return how many were stored, or -1 (out of memory).
 */
int virDomainDriverExportIDs(GArray *ids, int *out, int maxids);
int virDomainDriverExportNames(GPtrArray *names, char **const out, int maxnames);

/* This host's name for virConnectGetHostname(): gethostname(), made
 * fully qualified when the resolver knows it. Free with free(); NULL with
 * an error reported. */
char *virDomainDriverGetHostname(void);
