/*
 * virsh-util.h: what virsh's command files share: finding the domain a
 * command names and reading its XML.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "virsh.h"

virDomainPtr virshLookupDomain(vshControl *ctl, const char *str);
virDomainPtr virshCommandOptDomain(vshControl *ctl, const vshCmd *cmd,
                                   const char **name);
int virshDomainGetXML(vshControl *ctl, virDomainPtr dom, unsigned int flags,
                      xmlDocPtr *doc, xmlXPathContextPtr *ctxt);
char *virshXPathString(xmlXPathContextPtr ctxt, const char *expr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject);
