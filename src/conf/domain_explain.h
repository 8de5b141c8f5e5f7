/*
 * domain_explain.h: the domain schema's structure as tables, to explain a
 * refusal of the RelaxNG validator (internal to src/conf and its tests).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <libxml/tree.h>

/* What an attribute's value or an element's text may be. */
typedef enum {
    VIR_DOMAIN_SCHEMA_VALUE_ANY = 0,
    VIR_DOMAIN_SCHEMA_VALUE_ENUM,       /* one of .values */
    VIR_DOMAIN_SCHEMA_VALUE_UINT,       /* unsigned integer */
    VIR_DOMAIN_SCHEMA_VALUE_POSINT,     /* integer >= 1 */
    VIR_DOMAIN_SCHEMA_VALUE_NAME,       /* [a-zA-Z0-9_.-]+ */
    VIR_DOMAIN_SCHEMA_VALUE_DISKDEV,    /* (hd|sd|vd)[a-z]+ */
    VIR_DOMAIN_SCHEMA_VALUE_EMPTY,      /* element text only: none at all */

    VIR_DOMAIN_SCHEMA_VALUE_LAST
} virDomainSchemaValue;

typedef struct _virDomainSchemaAttr virDomainSchemaAttr;
/* An attribute the schema allows on an element. */
struct _virDomainSchemaAttr {
    const char *name;
    virDomainSchemaValue kind;
    const char *const *values;                  /* ENUM: NULL-terminated */
    bool required;
};

typedef struct _virDomainSchemaElem virDomainSchemaElem;
/*
 * An element the schema allows, as its parent sees it. An element that
 * the schema allows with other content under another parent (<source> of
 * a disk and of a serial port) has one table per parent.
 */
struct _virDomainSchemaElem {
    const char *name;
    const virDomainSchemaAttr *attrs;           /* ends with a NULL name */
    const virDomainSchemaElem *const *children; /* ends with NULL */
    virDomainSchemaValue text;
    const char *const *textValues;              /* ENUM: NULL-terminated */
    bool required;                              /* in every parent */
    bool multiple;                              /* may appear more than once */
};

char *virDomainSchemaExplain(xmlNode *root, xmlNode **where);

const virDomainSchemaElem *virDomainSchemaExplainTables(void);
