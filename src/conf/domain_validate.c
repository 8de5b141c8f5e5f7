/*
 * domain_validate.c: is a domain acceptable? Its XML against the built-in
 * RelaxNG schema (a refusal explained by domain_explain.c), and the rules
 * on image paths that no schema can say.
 */
#include <config.h>

#include <string.h>

#include <libxml/relaxng.h>

#include "conf/domain_conf.h"
#include "conf/domain_explain.h"
#include "conf/domain_schema.h"
#include "conf/domain_validate.h"
#include "util/virerror.h"
#include "util/virxml.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

/* ------------------------------------------------------------------ */
/* The schema                                                           */
/* ------------------------------------------------------------------ */

static char *virDomainSchemaError;

static gpointer
virDomainSchemaLoad(gpointer data G_GNUC_UNUSED)
{
    virXMLErrors errs = { 0 };
    xmlRelaxNGParserCtxt *ctxt;
    xmlRelaxNG *schema = NULL;

    xmlInitParser();
    ctxt = xmlRelaxNGNewMemParserCtxt(virDomainSchemaRNG,
                                      (int)sizeof(virDomainSchemaRNG) - 1);
    if (ctxt) {
        xmlRelaxNGSetParserStructuredErrors(ctxt, virXMLErrorsCollect, &errs);
        schema = xmlRelaxNGParse(ctxt);
        xmlRelaxNGFreeParserCtxt(ctxt);
    }
    if (!schema) {
        virDomainSchemaError = g_strdup(errs.seen ? errs.messages->str
                                                  : "out of memory");
    }
    virXMLErrorsClear(&errs);
    return schema;
}

/* The compiled built-in schema, parsed once; read-only after that. */
static xmlRelaxNG *
virDomainSchemaGet(void)
{
    static GOnce once = G_ONCE_INIT;
    xmlRelaxNG *schema = g_once(&once, virDomainSchemaLoad, NULL);

    if (!schema) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "the built-in domain schema cannot be compiled: %s",
                       virDomainSchemaError);
    }
    return schema;
}

/**
 * virDomainDefValidateSchema:
 * @doc: a parsed document
 * @root: its <domain> element: the root, or one nested in another document
 *
 * Validate @root against the built-in schema (docs/schemas/domain.rng).
 *
 * Returns 0 if it passes, or -1 with VIR_ERR_XML_INVALID_SCHEMA reported
 * ("domain XML does not match the schema: WHY (element 'NAME' at line
 * N)", the first fault as domain_explain.c finds it, else libxml2's
 * messages), or VIR_ERR_INTERNAL_ERROR if the schema does not compile.
 */
int
virDomainDefValidateSchema(xmlDoc *doc, xmlNode *root)
{
    virXMLErrors errs = { 0 };
    g_autoptr(xmlDoc) copy = NULL;
    g_autofree char *explained = NULL;
    xmlRelaxNGValidCtxt *vctxt;
    xmlRelaxNG *schema;
    xmlNode *where = root;
    int rc;

    if (!(schema = virDomainSchemaGet()))
        return -1;

    if (root != xmlDocGetRootElement(doc)) {
        /* Validate a copy of the element as a document of its own. */
        copy = xmlNewDoc((const xmlChar *)"1.0");
        if (!copy)
            g_error("out of memory");
        xmlDocSetRootElement(copy, xmlDocCopyNode(root, copy, 1));
        doc = copy;
    }

    if (!(vctxt = xmlRelaxNGNewValidCtxt(schema)))
        g_error("out of memory");
    xmlRelaxNGSetValidStructuredErrors(vctxt, virXMLErrorsCollect, &errs);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);

    if (rc == 0) {
        virXMLErrorsClear(&errs);
        return 0;
    }

    if (!virXMLNodeNameEqual(root, "domain")) {
        explained = g_strdup_printf("unexpected root element '%s', expecting 'domain'",
                                    (const char *)root->name);
    } else {
        explained = virDomainSchemaExplain(root, &where);
    }

    if (explained) {
        virReportError(VIR_ERR_XML_INVALID_SCHEMA,
                       "domain XML does not match the schema: %s (element '%s' at line %ld)",
                       explained, (const char *)where->name, xmlGetLineNo(where));
    } else if (errs.seen && errs.element && errs.line > 0) {
        virReportError(VIR_ERR_XML_INVALID_SCHEMA,
                       "domain XML does not match the schema: %s (element '%s' at line %d)",
                       errs.messages->str, errs.element, errs.line);
    } else {
        virReportError(VIR_ERR_XML_INVALID_SCHEMA,
                       "domain XML does not match the schema: %s (element '%s' at line %ld)",
                       errs.seen ? errs.messages->str : "unknown reason",
                       (const char *)root->name, xmlGetLineNo(root));
    }
    virXMLErrorsClear(&errs);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Image paths                                                          */
/* ------------------------------------------------------------------ */


/**
 * virDomainDiskCheckPaths:
 * @def: a definition
 * @n: how many of @def's disks come before @disk
 * @disk: a disk, in @def or about to be added
 *
 * Check @disk's chain (no image twice, no deeper than
 * VIR_DOMAIN_MAX_CHAIN_DEPTH) and its image paths against disks 0..@n-1
 * of @def (see virDomainDefCheckImagePaths()).
 *
 * Returns the conflict as a message, for the caller to report where it
 * knows best (the parser names the element), or NULL if there is none.
 */
char *
virDomainDiskCheckPaths(const virDomainDef *def, size_t n,
                        const virDomainDiskDef *disk)
{
    const virStorageSource *a;
    const virStorageSource *b;
    size_t depth = 0;
    size_t i;

    for (a = disk->src; a && a->type != VIR_STORAGE_TYPE_NONE; a = a->backingStore) {
        if (++depth > VIR_DOMAIN_MAX_CHAIN_DEPTH + 1) {
            return g_strdup_printf("the backing chain of disk '%s' is deeper than %d images",
                                   disk->dst, VIR_DOMAIN_MAX_CHAIN_DEPTH);
        }
        for (b = a->backingStore; b && b->type != VIR_STORAGE_TYPE_NONE;
             b = b->backingStore) {
            if (a->path && b->path && strcmp(a->path, b->path) == 0) {
                return g_strdup_printf("image '%s' appears twice in the backing chain of disk '%s'",
                                       a->path, disk->dst);
            }
        }
    }

    for (i = 0; i < n; i++) {
        const virDomainDiskDef *other = def->disks[i];

        if (!other->src || !disk->src)
            continue;
        if (g_strcmp0(other->src->path, disk->src->path) == 0) {
            return g_strdup_printf("image '%s' is used by both disk '%s' and disk '%s'",
                                   disk->src->path, other->dst, disk->dst);
        }
        if (virStorageSourceChainHasPath(other->src, disk->src->path)) {
            return g_strdup_printf("image '%s' of disk '%s' is also a backing image of disk '%s'",
                                   disk->src->path, disk->dst, other->dst);
        }
        if (virStorageSourceChainHasPath(disk->src, other->src->path)) {
            return g_strdup_printf("image '%s' of disk '%s' is also a backing image of disk '%s'",
                                   other->src->path, other->dst, disk->dst);
        }
    }
    return NULL;
}

/**
 * virDomainDefCheckImagePaths:
 * @def: a definition
 *
 * Check that no image appears twice in a disk's chain and that no disk's
 * top image (the one the guest writes) is used by another disk, top or
 * backing. Backing images may be shared by several disks (read-only).
 *
 * Returns 0 if all is well, -1 with VIR_ERR_CONFIG_UNSUPPORTED reported.
 */
int
virDomainDefCheckImagePaths(const virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        g_autofree char *msg = virDomainDiskCheckPaths(def, i, def->disks[i]);

        if (msg) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s", msg);
            return -1;
        }
    }
    return 0;
}
