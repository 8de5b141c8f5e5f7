/*
 * domain_validate.h: is a domain acceptable? The schema and the image
 * path rules (internal to src/conf; virDomainDefCheckImagePaths() is in
 * domain_conf.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libxml/tree.h>

#include "conf/domain_conf.h"

int virDomainDefValidateSchema(xmlDoc *doc, xmlNode *root);

char *virDomainDiskCheckPaths(const virDomainDef *def, size_t n,
                              const virDomainDiskDef *disk);
