/* domain_conf.c: domain XML parsing (libxml2 + our RelaxNG schema), checks and formatting. */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "conf/domain_conf.h"
#include "conf/domain_schema.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

/* Backing chains deeper than this are refused (also a guard against loops). */
#define VIR_DOMAIN_MAX_CHAIN_DEPTH 64

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainChrDef, virDomainChrDefFree);

static void
virDomainXMLFreeDoc(xmlDoc *doc)
{
    if (doc)
        xmlFreeDoc(doc);
}
typedef xmlDoc virDomainXMLDoc;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainXMLDoc, virDomainXMLFreeDoc);

/* ------------------------------------------------------------------ */
/* Enum <-> string                                                      */
/* ------------------------------------------------------------------ */

static const char *const virDomainVirtTypeNames[VIR_DOMAIN_VIRT_LAST] = {
    "qemu", "kvm",
};
G_STATIC_ASSERT(G_N_ELEMENTS(virDomainVirtTypeNames) == VIR_DOMAIN_VIRT_LAST);

static const char *const virStorageFileFormatNames[VIR_STORAGE_FILE_LAST] = {
    "none", "raw", "qcow2",
};

static const char *const virDomainDiskBusNames[VIR_DOMAIN_DISK_BUS_LAST] = {
    "virtio", "ide", "sata", "scsi",
};

static const char *const virDomainLifecycleNames[VIR_DOMAIN_LIFECYCLE_ACTION_LAST] = {
    "destroy", "restart", "preserve", "rename-restart",
};

static const char *const virDomainChrTypeNames[VIR_DOMAIN_CHR_TYPE_LAST] = {
    "null", "file",
};

static int
virDomainEnumFromString(const char *const *names, int n, const char *str)
{
    int i;

    if (!str)
        return -1;
    for (i = 0; i < n; i++) {
        if (strcmp(names[i], str) == 0)
            return i;
    }
    return -1;
}

static const char *
virDomainEnumToString(const char *const *names, int n, int value)
{
    if (value < 0 || value >= n)
        return NULL;
    return names[value];
}

/**
 * virStorageFileFormatToString:
 * @fmt: an image format
 *
 * Returns the name used in XML and on the QEMU command line ("raw",
 * "qcow2"; "none" for VIR_STORAGE_FILE_NONE), or NULL for a bad value.
 */
const char *
virStorageFileFormatToString(virStorageFileFormat fmt)
{
    return virDomainEnumToString(virStorageFileFormatNames,
                                 VIR_STORAGE_FILE_LAST, fmt);
}

/**
 * virStorageFileFormatFromString:
 * @str: a format name
 *
 * Returns the virStorageFileFormat named @str ("raw" or "qcow2"), or -1
 * if there is none (no error is reported).
 */
int
virStorageFileFormatFromString(const char *str)
{
    int ret = virDomainEnumFromString(virStorageFileFormatNames,
                                      VIR_STORAGE_FILE_LAST, str);

    return ret == VIR_STORAGE_FILE_NONE ? -1 : ret;
}

/**
 * virDomainDiskBusToString:
 * @bus: a disk bus
 *
 * Returns "virtio", "ide", "sata" or "scsi"; NULL for a bad value.
 */
const char *
virDomainDiskBusToString(virDomainDiskBus bus)
{
    return virDomainEnumToString(virDomainDiskBusNames,
                                 VIR_DOMAIN_DISK_BUS_LAST, bus);
}

/**
 * virDomainVirtTypeToString:
 * @type: a virtualization type
 *
 * Returns "qemu" or "kvm"; NULL for a bad value.
 */
const char *
virDomainVirtTypeToString(virDomainVirtType type)
{
    return virDomainEnumToString(virDomainVirtTypeNames,
                                 VIR_DOMAIN_VIRT_LAST, type);
}

/* ------------------------------------------------------------------ */
/* UUIDs                                                                */
/* ------------------------------------------------------------------ */

/**
 * virUUIDParse:
 * @str: a UUID as 32 hex digits, optionally grouped 8-4-4-4-12 by dashes
 * @uuid: VIR_UUID_BUFLEN bytes for the result
 *
 * Returns 0 on success, -1 if @str is not a UUID (nothing is reported:
 * the caller knows what the string was for).
 */
int
virUUIDParse(const char *str, unsigned char *uuid)
{
    size_t pos = 0;
    size_t i;
    bool dashes;

    if (!str || !uuid)
        return -1;
    /* Either all four dashes at their places, or none at all. */
    dashes = strlen(str) == VIR_UUID_STRING_BUFLEN - 1;
    if (!dashes && strlen(str) != VIR_UUID_BUFLEN * 2)
        return -1;

    for (i = 0; i < VIR_UUID_BUFLEN; i++) {
        int hi, lo;

        if (dashes && (pos == 8 || pos == 13 || pos == 18 || pos == 23)) {
            if (str[pos] != '-')
                return -1;
            pos++;
        }
        hi = g_ascii_xdigit_value(str[pos]);
        lo = hi < 0 ? -1 : g_ascii_xdigit_value(str[pos + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        uuid[i] = (unsigned char)((hi << 4) | lo);
        pos += 2;
    }
    return str[pos] == '\0' ? 0 : -1;
}

/**
 * virUUIDFormat:
 * @uuid: VIR_UUID_BUFLEN bytes
 * @str: VIR_UUID_STRING_BUFLEN bytes for the result
 *
 * Write @uuid in its usual lower-case 8-4-4-4-12 form.
 */
void
virUUIDFormat(const unsigned char *uuid, char *str)
{
    g_snprintf(str, VIR_UUID_STRING_BUFLEN,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
               "%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
               uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
               uuid[12], uuid[13], uuid[14], uuid[15]);
}

/**
 * virUUIDGenerate:
 * @uuid: VIR_UUID_BUFLEN bytes for the result
 *
 * Fill @uuid with a new random (version 4) UUID.
 */
void
virUUIDGenerate(unsigned char *uuid)
{
    g_autofree char *str = g_uuid_string_random();

    if (virUUIDParse(str, uuid) < 0)
        g_assert_not_reached();
}

/* ------------------------------------------------------------------ */
/* Allocation, freeing, copying                                         */
/* ------------------------------------------------------------------ */

/**
 * virStorageSourceNew:
 *
 * Returns a new image description of type file with nothing known below
 * it (backingStore NULL); free with virStorageSourceFree().
 */
virStorageSource *
virStorageSourceNew(void)
{
    virStorageSource *src = g_new0(virStorageSource, 1);

    src->type = VIR_STORAGE_TYPE_FILE;
    return src;
}

/**
 * virStorageSourceFree:
 * @src: an image, may be NULL
 *
 * Free @src and the whole chain below it.
 */
void
virStorageSourceFree(virStorageSource *src)
{
    while (src) {
        virStorageSource *next = src->backingStore;

        g_free(src->path);
        g_free(src->nodeformat);
        g_free(src->nodestorage);
        g_free(src);
        src = next;
    }
}

/**
 * virStorageSourceCopy:
 * @src: an image, may be NULL
 *
 * Returns a deep copy of @src and its chain (NULL for NULL); never fails.
 */
virStorageSource *
virStorageSourceCopy(const virStorageSource *src)
{
    virStorageSource *ret = NULL;
    virStorageSource **next = &ret;

    for (; src; src = src->backingStore) {
        virStorageSource *copy = g_new0(virStorageSource, 1);

        copy->type = src->type;
        copy->path = g_strdup(src->path);
        copy->format = src->format;
        copy->readonly = src->readonly;
        copy->nodeformat = g_strdup(src->nodeformat);
        copy->nodestorage = g_strdup(src->nodestorage);
        copy->index = src->index;
        copy->backingFromXML = src->backingFromXML;
        *next = copy;
        next = &copy->backingStore;
    }
    return ret;
}

/**
 * virDomainDiskDefFree:
 * @disk: a disk, may be NULL
 *
 * Free @disk and its images.
 */
void
virDomainDiskDefFree(virDomainDiskDef *disk)
{
    if (!disk)
        return;
    virStorageSourceFree(disk->src);
    g_free(disk->driverName);
    g_free(disk->dst);
    g_free(disk->alias);
    g_free(disk);
}

/**
 * virDomainChrDefFree:
 * @chr: a serial port or console, may be NULL
 */
void
virDomainChrDefFree(virDomainChrDef *chr)
{
    if (!chr)
        return;
    g_free(chr->path);
    g_free(chr);
}

/**
 * virDomainDefNew:
 *
 * Returns an empty definition with libvirt's defaults (not running: id -1;
 * one vCPU; on_reboot restart, on_poweroff and on_crash destroy); free with
 * virDomainDefFree().
 */
virDomainDef *
virDomainDefNew(void)
{
    virDomainDef *def = g_new0(virDomainDef, 1);

    def->virtType = VIR_DOMAIN_VIRT_QEMU;
    def->id = -1;
    def->vcpus = 1;
    def->onPoweroff = VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY;
    def->onReboot = VIR_DOMAIN_LIFECYCLE_ACTION_RESTART;
    def->onCrash = VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY;
    return def;
}

/**
 * virDomainDefFree:
 * @def: a definition, may be NULL
 */
void
virDomainDefFree(virDomainDef *def)
{
    size_t i;

    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->osType);
    g_free(def->arch);
    g_free(def->machine);
    g_free(def->emulator);
    for (i = 0; i < def->ndisks; i++)
        virDomainDiskDefFree(def->disks[i]);
    g_free(def->disks);
    for (i = 0; i < def->nserials; i++)
        virDomainChrDefFree(def->serials[i]);
    g_free(def->serials);
    for (i = 0; i < def->nconsoles; i++)
        virDomainChrDefFree(def->consoles[i]);
    g_free(def->consoles);
    g_free(def);
}

static virDomainChrDef **
virDomainChrDefListCopy(virDomainChrDef *const *list, size_t n)
{
    virDomainChrDef **ret = g_new0(virDomainChrDef *, n ? n : 1);
    size_t i;

    for (i = 0; i < n; i++) {
        ret[i] = g_new0(virDomainChrDef, 1);
        ret[i]->type = list[i]->type;
        ret[i]->path = g_strdup(list[i]->path);
        ret[i]->port = list[i]->port;
    }
    return ret;
}

/**
 * virDomainDefCopy:
 * @def: a definition
 *
 * Returns a deep copy of @def (free with virDomainDefFree()); never fails.
 */
virDomainDef *
virDomainDefCopy(const virDomainDef *def)
{
    virDomainDef *ret = g_new0(virDomainDef, 1);
    size_t i;

    ret->virtType = def->virtType;
    ret->id = def->id;
    ret->name = g_strdup(def->name);
    memcpy(ret->uuid, def->uuid, VIR_UUID_BUFLEN);
    ret->title = g_strdup(def->title);
    ret->description = g_strdup(def->description);
    ret->maxMemKiB = def->maxMemKiB;
    ret->curMemKiB = def->curMemKiB;
    ret->vcpus = def->vcpus;
    ret->osType = g_strdup(def->osType);
    ret->arch = g_strdup(def->arch);
    ret->machine = g_strdup(def->machine);
    ret->onPoweroff = def->onPoweroff;
    ret->onReboot = def->onReboot;
    ret->onCrash = def->onCrash;
    ret->emulator = g_strdup(def->emulator);

    ret->disks = g_new0(virDomainDiskDef *, def->ndisks ? def->ndisks : 1);
    ret->ndisks = def->ndisks;
    for (i = 0; i < def->ndisks; i++) {
        const virDomainDiskDef *disk = def->disks[i];
        virDomainDiskDef *copy = g_new0(virDomainDiskDef, 1);

        copy->src = virStorageSourceCopy(disk->src);
        copy->driverName = g_strdup(disk->driverName);
        copy->dst = g_strdup(disk->dst);
        copy->bus = disk->bus;
        copy->readonly = disk->readonly;
        copy->alias = g_strdup(disk->alias);
        ret->disks[i] = copy;
    }
    ret->serials = virDomainChrDefListCopy(def->serials, def->nserials);
    ret->nserials = def->nserials;
    ret->consoles = virDomainChrDefListCopy(def->consoles, def->nconsoles);
    ret->nconsoles = def->nconsoles;
    return ret;
}

/* ------------------------------------------------------------------ */
/* Chains and lookups                                                   */
/* ------------------------------------------------------------------ */

/**
 * virStorageSourceChainLength:
 * @src: the top image of a disk, may be NULL
 *
 * Returns the number of backing images known below @src (the top image
 * and the chain's terminator are not counted): 0 if it has none.
 */
size_t
virStorageSourceChainLength(const virStorageSource *src)
{
    size_t n = 0;

    if (!src)
        return 0;
    for (src = src->backingStore; src && src->type != VIR_STORAGE_TYPE_NONE;
         src = src->backingStore)
        n++;
    return n;
}

/**
 * virStorageSourceChainHasPath:
 * @src: the top image of a disk, may be NULL
 * @path: an image path
 *
 * Returns true if @path names @src or one of its known backing images.
 */
bool
virStorageSourceChainHasPath(const virStorageSource *src, const char *path)
{
    if (!path)
        return false;
    for (; src && src->type != VIR_STORAGE_TYPE_NONE; src = src->backingStore) {
        if (src->path && strcmp(src->path, path) == 0)
            return true;
    }
    return false;
}

/**
 * virDomainDiskByName:
 * @def: a definition
 * @name: a target name ("vda") or the path of a disk's top image
 *
 * Returns the disk (owned by @def), or NULL if there is none (no error is
 * reported).
 */
virDomainDiskDef *
virDomainDiskByName(virDomainDef *def, const char *name)
{
    size_t i;

    if (!def || !name)
        return NULL;
    for (i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];

        if (disk->dst && strcmp(disk->dst, name) == 0)
            return disk;
    }
    for (i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];

        if (disk->src && disk->src->path && strcmp(disk->src->path, name) == 0)
            return disk;
    }
    return NULL;
}

/*
 * The index of an image in live XML: its own, or else the N of a node
 * name "libvirt-N-format" (libvirt's live XML shows that N), or 0.
 */
static unsigned int
virStorageSourceGetIndex(const virStorageSource *src)
{
    const char *p;
    guint64 num;
    g_autofree char *digits = NULL;

    if (src->index > 0)
        return src->index;
    if (!src->nodeformat || !g_str_has_prefix(src->nodeformat, "libvirt-") ||
        !g_str_has_suffix(src->nodeformat, "-format"))
        return 0;
    p = src->nodeformat + strlen("libvirt-");
    digits = g_strndup(p, strlen(p) - strlen("-format"));
    if (!g_ascii_string_to_unsigned(digits, 10, 1, G_MAXUINT, &num, NULL))
        return 0;
    return (unsigned int)num;
}

static unsigned int
virDomainDefMaxStorageIndex(const virDomainDef *def)
{
    unsigned int max = 0;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        const virStorageSource *src;

        for (src = def->disks[i]->src;
             src && src->type != VIR_STORAGE_TYPE_NONE;
             src = src->backingStore) {
            if (virStorageSourceGetIndex(src) > max)
                max = virStorageSourceGetIndex(src);
        }
    }
    return max;
}

/**
 * virDomainDefAssignStorageIndexes:
 * @def: a definition
 *
 * Give each image of each disk's known chain that has no index yet the
 * next free one: the highest index in use plus one, in disk order, each
 * chain from its top down.
 */
void
virDomainDefAssignStorageIndexes(virDomainDef *def)
{
    unsigned int next = virDomainDefMaxStorageIndex(def) + 1;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        virStorageSource *src;

        for (src = def->disks[i]->src;
             src && src->type != VIR_STORAGE_TYPE_NONE;
             src = src->backingStore) {
            if (src->index == 0)
                src->index = virStorageSourceGetIndex(src);
            if (src->index == 0)
                src->index = next++;
        }
    }
}

/*
 * Check a disk's image paths against the disks before it (0..n-1):
 * returns the conflict as a message (the caller reports it), or NULL.
 */
static char *
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

/* ------------------------------------------------------------------ */
/* libxml2: errors, parsing, the schema                                 */
/* ------------------------------------------------------------------ */

#if LIBXML_VERSION >= 21200
typedef const xmlError *virDomainXMLErrorPtr;
#else
typedef xmlErrorPtr virDomainXMLErrorPtr;
#endif

/* What libxml2 reported during one parse or one validation. */
typedef struct {
    bool seen;
    int line;               /* of the first error */
    char *element;          /* the element of the first error, if known */
    GString *messages;      /* all error messages, "; "-separated */
} virDomainXMLErrors;

static void
virDomainXMLErrorsClear(virDomainXMLErrors *errs)
{
    g_free(errs->element);
    if (errs->messages)
        g_string_free(errs->messages, TRUE);
    memset(errs, 0, sizeof(*errs));
}

static void
virDomainXMLErrorCollect(void *opaque, virDomainXMLErrorPtr err)
{
    virDomainXMLErrors *errs = opaque;
    g_autofree char *msg = NULL;

    if (!errs || !err || err->level == XML_ERR_WARNING)
        return;
    msg = g_strstrip(g_strdup(err->message ? err->message : "unknown error"));

    if (!errs->seen) {
        xmlNode *node = err->node;

        errs->seen = true;
        errs->line = err->line;
        if (node && node->type == XML_ELEMENT_NODE && node->name) {
            errs->element = g_strdup((const char *)node->name);
            if (errs->line <= 0)
                errs->line = (int)xmlGetLineNo(node);
        }
        errs->messages = g_string_new(msg);
    } else if (errs->messages->len < 1024) {
        g_string_append_printf(errs->messages, "; %s", msg);
    }
}

/* Parse @xml into a document; VIR_ERR_XML_ERROR with libxml2's line. */
static xmlDoc *
virDomainXMLParseString(const char *xml)
{
    virDomainXMLErrors errs = { 0 };
    xmlStructuredErrorFunc oldFunc;
    void *oldCtxt;
    xmlParserCtxt *ctxt;
    xmlDoc *doc = NULL;
    /* No network access, no entity substitution (entities stay references
     * and are refused below), line numbers past 65535 kept. */
    int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES;

    xmlInitParser();
    /* The handler is per thread in libxml2: set it for this parse only and
     * put back what the calling thread had. */
    oldFunc = xmlStructuredError;
    oldCtxt = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&errs, virDomainXMLErrorCollect);

    if ((ctxt = xmlNewParserCtxt())) {
        doc = xmlCtxtReadMemory(ctxt, xml, (int)strlen(xml), "domain.xml",
                                NULL, options);
        if (doc && !ctxt->wellFormed) {
            xmlFreeDoc(doc);
            doc = NULL;
        }
        xmlFreeParserCtxt(ctxt);
    }

    xmlSetStructuredErrorFunc(oldCtxt, oldFunc);

    if (!doc) {
        if (errs.seen) {
            virReportError(VIR_ERR_XML_ERROR,
                           "malformed XML document at line %d: %s",
                           errs.line, errs.messages->str);
        } else {
            virReportError(VIR_ERR_XML_ERROR, "%s",
                           "malformed XML document: empty or unreadable");
        }
    } else if (doc->intSubset || doc->extSubset) {
        xmlNode *root = xmlDocGetRootElement(doc);

        virReportError(VIR_ERR_XML_ERROR,
                       "document type declarations are not allowed in domain XML (before element '%s' at line %ld)",
                       root ? (const char *)root->name : "",
                       root ? xmlGetLineNo(root) : -1L);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    virDomainXMLErrorsClear(&errs);
    return doc;
}

static char *virDomainSchemaError;

static gpointer
virDomainSchemaLoad(gpointer data G_GNUC_UNUSED)
{
    virDomainXMLErrors errs = { 0 };
    xmlRelaxNGParserCtxt *ctxt;
    xmlRelaxNG *schema = NULL;

    xmlInitParser();
    ctxt = xmlRelaxNGNewMemParserCtxt(virDomainSchemaRNG,
                                      (int)sizeof(virDomainSchemaRNG) - 1);
    if (ctxt) {
        xmlRelaxNGSetParserStructuredErrors(ctxt, virDomainXMLErrorCollect, &errs);
        schema = xmlRelaxNGParse(ctxt);
        xmlRelaxNGFreeParserCtxt(ctxt);
    }
    if (!schema) {
        virDomainSchemaError = g_strdup(errs.seen ? errs.messages->str
                                                  : "out of memory");
    }
    virDomainXMLErrorsClear(&errs);
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

/* ------------------------------------------------------------------ */
/* Parsing helpers                                                      */
/* ------------------------------------------------------------------ */

/* Report @code for @node: "<detail> (element 'NAME' at line N)". */
static void G_GNUC_PRINTF(3, 4)
virDomainNodeError(xmlNode *node, int code, const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    va_list ap;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    virReportError(code, "%s (element '%s' at line %ld)", detail,
                   node && node->name ? (const char *)node->name : "?",
                   node ? xmlGetLineNo(node) : -1L);
}

static bool
virDomainNodeIs(xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0;
}

static char *
virDomainNodeProp(xmlNode *node, const char *name)
{
    xmlChar *val = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *ret;

    if (!val)
        return NULL;
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}

/* The text of @node; entity references are refused (never expanded). */
static char *
virDomainNodeText(xmlNode *node)
{
    GString *str = g_string_new(NULL);
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
            if (child->content)
                g_string_append(str, (const char *)child->content);
        } else if (child->type == XML_ENTITY_REF_NODE) {
            virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                               "entity references are not allowed");
            g_string_free(str, TRUE);
            return NULL;
        }
    }
    return g_string_free(str, FALSE);
}

/* The first element child of @node named @name, or NULL. */
static xmlNode *
virDomainNodeChild(xmlNode *node, const char *name)
{
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if (virDomainNodeIs(child, name))
            return child;
    }
    return NULL;
}

static bool
virDomainNodeHasElements(xmlNode *node)
{
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE)
            return true;
    }
    return false;
}

/* A required attribute: reports its absence. */
static char *
virDomainNodePropRequired(xmlNode *node, const char *name)
{
    char *val = virDomainNodeProp(node, name);

    if (!val) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "missing attribute '%s'", name);
    }
    return val;
}

static int
virDomainParseUInt(xmlNode *node, const char *what, const char *str,
                   guint64 min, guint64 max, guint64 *value)
{
    g_autofree char *copy = g_strstrip(g_strdup(str));
    g_autoptr(GError) err = NULL;

    if (!g_ascii_string_to_unsigned(copy, 10, min, max, value, &err)) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "invalid %s '%s': an integer from %" G_GUINT64_FORMAT
                           " to %" G_GUINT64_FORMAT " is needed",
                           what, str, min, max);
        return -1;
    }
    return 0;
}

/* An absolute path without line breaks (libvirt's schema refuses those). */
static int
virDomainCheckPath(xmlNode *node, const char *what, const char *path)
{
    if (!path || path[0] != '/' || path[1] == '\0') {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "%s '%s' is not an absolute path", what,
                           path ? path : "");
        return -1;
    }
    if (strpbrk(path, "\n\r")) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "%s '%s' contains a line break", what, path);
        return -1;
    }
    return 0;
}

/*
 * A size with a unit, as libvirt reads it: b/byte/bytes; k, K, KiB (1024)
 * or KB (1000); likewise M, G, T, P, E. The default unit is KiB. Rounded
 * up to whole KiB.
 */
static int
virDomainParseSizeKiB(xmlNode *node, unsigned long long *kib)
{
    g_autofree char *text = NULL;
    g_autofree char *unit = virDomainNodeProp(node, "unit");
    guint64 value;
    guint64 scale = 1024;
    guint64 bytes;

    if (!(text = virDomainNodeText(node)))
        return -1;
    if (virDomainParseUInt(node, "size", text, 0, G_MAXUINT64, &value) < 0)
        return -1;

    if (unit) {
        const char *powers = "kmgtpe";
        const char *p = NULL;
        g_autofree char *lower = g_ascii_strdown(unit, -1);

        if (strcmp(lower, "b") == 0 || strcmp(lower, "byte") == 0 ||
            strcmp(lower, "bytes") == 0) {
            scale = 1;
        } else if (lower[0] != '\0' && (p = strchr(powers, lower[0])) &&
                   (lower[1] == '\0' || strcmp(lower + 1, "ib") == 0 ||
                    strcmp(lower + 1, "b") == 0)) {
            guint64 base = strcmp(lower + 1, "b") == 0 ? 1000 : 1024;
            int i;

            scale = 1;
            for (i = 0; i <= p - powers; i++)
                scale *= base;
        } else {
            virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                               "unknown unit '%s' (use b, KiB, MiB, GiB or TiB)",
                               unit);
            return -1;
        }
    }

    if (value > G_MAXUINT64 / scale) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "size '%s' %s is too large", text, unit ? unit : "KiB");
        return -1;
    }
    bytes = value * scale;
    *kib = bytes / 1024 + (bytes % 1024 ? 1 : 0);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Schema errors that name the element and its line                     */
/* ------------------------------------------------------------------ */

/*
 * libxml2's RelaxNG messages for content inside <interleave> (most of the
 * domain format) often carry no line and name only the enclosing element
 * ("Extra element devices in interleave"). When the schema refuses a
 * document, the tables below, which mirror the schema's structure, find
 * the first element or attribute at fault so that the error can name it
 * and its line. The schema stays the judge: this only explains.
 */

typedef enum {
    VIR_DOMAIN_VALUE_ANY = 0,
    VIR_DOMAIN_VALUE_ENUM,      /* one of .values */
    VIR_DOMAIN_VALUE_UINT,      /* unsigned integer */
    VIR_DOMAIN_VALUE_POSINT,    /* integer >= 1 */
    VIR_DOMAIN_VALUE_NAME,      /* [a-zA-Z0-9_.-]+ */
    VIR_DOMAIN_VALUE_DISKDEV,   /* (hd|sd|vd)[a-z]+ */
    VIR_DOMAIN_VALUE_EMPTY,     /* element text only: none at all */
} virDomainValueKind;

typedef struct {
    const char *name;
    virDomainValueKind kind;
    const char *const *values;
    bool required;
} virDomainSchemaAttr;

typedef struct _virDomainSchemaElem virDomainSchemaElem;
struct _virDomainSchemaElem {
    const char *name;
    const virDomainSchemaAttr *attrs;           /* ends with a NULL name */
    const virDomainSchemaElem *const *children; /* ends with NULL */
    virDomainValueKind text;
    const char *const *textValues;
    bool required;
    bool multiple;
};

static const char *const virDomainSchemaVirtTypes[] = { "qemu", "kvm", NULL };
static const char *const virDomainSchemaFormats[] = { "raw", "qcow2", NULL };
static const char *const virDomainSchemaBuses[] = { "virtio", "ide", "sata", "scsi", NULL };
static const char *const virDomainSchemaActions[] = {
    "destroy", "restart", "preserve", "rename-restart", NULL,
};
static const char *const virDomainSchemaChrTypes[] = { "file", "null", NULL };
static const char *const virDomainSchemaFile[] = { "file", NULL };
static const char *const virDomainSchemaDisk[] = { "disk", NULL };
static const char *const virDomainSchemaQemu[] = { "qemu", NULL };
static const char *const virDomainSchemaStatic[] = { "static", NULL };
static const char *const virDomainSchemaArch[] = { "x86_64", NULL };
static const char *const virDomainSchemaHvm[] = { "hvm", NULL };

#define ATTR_END { NULL, 0, NULL, false }
#define LEAF(elname, txt, vals, req) \
    { .name = elname, .text = txt, .textValues = vals, .required = req }

static const virDomainSchemaAttr virDomainSchemaSizeAttrs[] = {
    { "unit", VIR_DOMAIN_VALUE_ANY, NULL, false }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaVcpuAttrs[] = {
    { "placement", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaStatic, false }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaOSTypeAttrs[] = {
    { "arch", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaArch, false },
    { "machine", VIR_DOMAIN_VALUE_NAME, NULL, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaDriverAttrs[] = {
    { "name", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaQemu, false },
    { "type", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaFormats, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaImageAttrs[] = {
    { "file", VIR_DOMAIN_VALUE_ANY, NULL, true },
    { "index", VIR_DOMAIN_VALUE_POSINT, NULL, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaBackingAttrs[] = {
    { "type", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaFile, false },
    { "index", VIR_DOMAIN_VALUE_POSINT, NULL, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaFormatAttrs[] = {
    { "type", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaFormats, true }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaTargetAttrs[] = {
    { "dev", VIR_DOMAIN_VALUE_DISKDEV, NULL, true },
    { "bus", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaBuses, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaAliasAttrs[] = {
    { "name", VIR_DOMAIN_VALUE_NAME, NULL, true }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaDiskAttrs[] = {
    { "type", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaFile, true },
    { "device", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaDisk, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaChrAttrs[] = {
    { "type", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaChrTypes, true }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaChrSourceAttrs[] = {
    { "path", VIR_DOMAIN_VALUE_ANY, NULL, true }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaChrTargetAttrs[] = {
    { "port", VIR_DOMAIN_VALUE_UINT, NULL, false }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaDomainAttrs[] = {
    { "type", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaVirtTypes, true },
    { "id", VIR_DOMAIN_VALUE_UINT, NULL, false },
    ATTR_END,
};

/* <backingStore> nests in itself. */
static const virDomainSchemaElem virDomainSchemaBackingStore;

static const virDomainSchemaElem virDomainSchemaImageSource = {
    .name = "source", .attrs = virDomainSchemaImageAttrs,
    .text = VIR_DOMAIN_VALUE_EMPTY, .required = true,
};
/* Required in a non-empty <backingStore> only: see ExplainChoices. */
static const virDomainSchemaElem virDomainSchemaBackingSource = {
    .name = "source", .attrs = virDomainSchemaImageAttrs,
    .text = VIR_DOMAIN_VALUE_EMPTY,
};
static const virDomainSchemaElem virDomainSchemaFormat = {
    .name = "format", .attrs = virDomainSchemaFormatAttrs,
    .text = VIR_DOMAIN_VALUE_EMPTY,
};
static const virDomainSchemaElem *const virDomainSchemaBackingChildren[] = {
    &virDomainSchemaFormat, &virDomainSchemaBackingSource,
    &virDomainSchemaBackingStore, NULL,
};
static const virDomainSchemaElem virDomainSchemaBackingStore = {
    .name = "backingStore", .attrs = virDomainSchemaBackingAttrs,
    .children = virDomainSchemaBackingChildren, .text = VIR_DOMAIN_VALUE_EMPTY,
};

static const virDomainSchemaElem virDomainSchemaDriver = {
    .name = "driver", .attrs = virDomainSchemaDriverAttrs,
    .text = VIR_DOMAIN_VALUE_EMPTY,
};
static const virDomainSchemaElem virDomainSchemaTarget = {
    .name = "target", .attrs = virDomainSchemaTargetAttrs,
    .text = VIR_DOMAIN_VALUE_EMPTY, .required = true,
};
static const virDomainSchemaElem virDomainSchemaReadonly =
    LEAF("readonly", VIR_DOMAIN_VALUE_EMPTY, NULL, false);
static const virDomainSchemaElem virDomainSchemaAlias = {
    .name = "alias", .attrs = virDomainSchemaAliasAttrs,
    .text = VIR_DOMAIN_VALUE_EMPTY,
};
static const virDomainSchemaElem *const virDomainSchemaDiskChildren[] = {
    &virDomainSchemaDriver, &virDomainSchemaImageSource,
    &virDomainSchemaBackingStore, &virDomainSchemaTarget,
    &virDomainSchemaReadonly, &virDomainSchemaAlias, NULL,
};
static const virDomainSchemaElem virDomainSchemaDiskElem = {
    .name = "disk", .attrs = virDomainSchemaDiskAttrs,
    .children = virDomainSchemaDiskChildren, .text = VIR_DOMAIN_VALUE_EMPTY,
    .multiple = true,
};

static const virDomainSchemaElem virDomainSchemaChrSource = {
    .name = "source", .attrs = virDomainSchemaChrSourceAttrs,
    .text = VIR_DOMAIN_VALUE_EMPTY,
};
static const virDomainSchemaElem virDomainSchemaChrTarget = {
    .name = "target", .attrs = virDomainSchemaChrTargetAttrs,
    .text = VIR_DOMAIN_VALUE_EMPTY,
};
static const virDomainSchemaElem *const virDomainSchemaChrChildren[] = {
    &virDomainSchemaChrSource, &virDomainSchemaChrTarget, NULL,
};
static const virDomainSchemaElem virDomainSchemaSerial = {
    .name = "serial", .attrs = virDomainSchemaChrAttrs,
    .children = virDomainSchemaChrChildren, .text = VIR_DOMAIN_VALUE_EMPTY,
    .multiple = true,
};
static const virDomainSchemaElem virDomainSchemaConsole = {
    .name = "console", .attrs = virDomainSchemaChrAttrs,
    .children = virDomainSchemaChrChildren, .text = VIR_DOMAIN_VALUE_EMPTY,
    .multiple = true,
};

static const virDomainSchemaElem virDomainSchemaEmulator =
    LEAF("emulator", VIR_DOMAIN_VALUE_ANY, NULL, false);
static const virDomainSchemaElem *const virDomainSchemaDevicesChildren[] = {
    &virDomainSchemaEmulator, &virDomainSchemaDiskElem,
    &virDomainSchemaSerial, &virDomainSchemaConsole, NULL,
};
static const virDomainSchemaElem virDomainSchemaDevices = {
    .name = "devices", .children = virDomainSchemaDevicesChildren,
    .text = VIR_DOMAIN_VALUE_EMPTY,
};

static const virDomainSchemaElem virDomainSchemaOSType = {
    .name = "type", .attrs = virDomainSchemaOSTypeAttrs,
    .text = VIR_DOMAIN_VALUE_ENUM, .textValues = virDomainSchemaHvm, .required = true,
};
static const virDomainSchemaElem *const virDomainSchemaOSChildren[] = {
    &virDomainSchemaOSType, NULL,
};
static const virDomainSchemaElem virDomainSchemaOS = {
    .name = "os", .children = virDomainSchemaOSChildren,
    .text = VIR_DOMAIN_VALUE_EMPTY, .required = true,
};

static const virDomainSchemaElem virDomainSchemaName =
    LEAF("name", VIR_DOMAIN_VALUE_ANY, NULL, true);
static const virDomainSchemaElem virDomainSchemaUUID =
    LEAF("uuid", VIR_DOMAIN_VALUE_ANY, NULL, false);
static const virDomainSchemaElem virDomainSchemaTitle =
    LEAF("title", VIR_DOMAIN_VALUE_ANY, NULL, false);
static const virDomainSchemaElem virDomainSchemaDescription =
    LEAF("description", VIR_DOMAIN_VALUE_ANY, NULL, false);
static const virDomainSchemaElem virDomainSchemaMemory = {
    .name = "memory", .attrs = virDomainSchemaSizeAttrs,
    .text = VIR_DOMAIN_VALUE_UINT, .required = true,
};
static const virDomainSchemaElem virDomainSchemaCurMemory = {
    .name = "currentMemory", .attrs = virDomainSchemaSizeAttrs,
    .text = VIR_DOMAIN_VALUE_UINT,
};
static const virDomainSchemaElem virDomainSchemaVcpu = {
    .name = "vcpu", .attrs = virDomainSchemaVcpuAttrs, .text = VIR_DOMAIN_VALUE_UINT,
};
static const virDomainSchemaElem virDomainSchemaOnPoweroff =
    LEAF("on_poweroff", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaActions, false);
static const virDomainSchemaElem virDomainSchemaOnReboot =
    LEAF("on_reboot", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaActions, false);
static const virDomainSchemaElem virDomainSchemaOnCrash =
    LEAF("on_crash", VIR_DOMAIN_VALUE_ENUM, virDomainSchemaActions, false);

static const virDomainSchemaElem *const virDomainSchemaDomainChildren[] = {
    &virDomainSchemaName, &virDomainSchemaUUID, &virDomainSchemaTitle,
    &virDomainSchemaDescription, &virDomainSchemaMemory, &virDomainSchemaCurMemory,
    &virDomainSchemaVcpu, &virDomainSchemaOS, &virDomainSchemaOnPoweroff,
    &virDomainSchemaOnReboot, &virDomainSchemaOnCrash, &virDomainSchemaDevices,
    NULL,
};
static const virDomainSchemaElem virDomainSchemaDomain = {
    .name = "domain", .attrs = virDomainSchemaDomainAttrs,
    .children = virDomainSchemaDomainChildren, .text = VIR_DOMAIN_VALUE_EMPTY,
    .required = true,
};

#undef ATTR_END
#undef LEAF

/* Does @value fit @kind? */
static bool
virDomainSchemaValueOK(virDomainValueKind kind, const char *const *values,
                       const char *value)
{
    g_autofree char *stripped = g_strstrip(g_strdup(value ? value : ""));
    const char *p;
    guint64 num;

    switch (kind) {
    case VIR_DOMAIN_VALUE_ANY:
        return true;
    case VIR_DOMAIN_VALUE_EMPTY:
        return stripped[0] == '\0';
    case VIR_DOMAIN_VALUE_ENUM:
        return values && g_strv_contains(values, stripped);
    case VIR_DOMAIN_VALUE_UINT:
    case VIR_DOMAIN_VALUE_POSINT:
        return g_ascii_string_to_unsigned(stripped, 10,
                                          kind == VIR_DOMAIN_VALUE_POSINT ? 1 : 0,
                                          G_MAXUINT64, &num, NULL);
    case VIR_DOMAIN_VALUE_NAME:
        for (p = stripped; *p; p++) {
            if (!g_ascii_isalnum(*p) && !strchr("_.-", *p))
                return false;
        }
        return stripped[0] != '\0';
    case VIR_DOMAIN_VALUE_DISKDEV:
        if (!g_str_has_prefix(stripped, "vd") && !g_str_has_prefix(stripped, "hd") &&
            !g_str_has_prefix(stripped, "sd"))
            return false;
        for (p = stripped + 2; *p; p++) {
            if (!g_ascii_islower(*p))
                return false;
        }
        return stripped[2] != '\0';
    }
    return false;
}

static char *
virDomainSchemaExpected(virDomainValueKind kind, const char *const *values)
{
    switch (kind) {
    case VIR_DOMAIN_VALUE_ENUM: {
        g_autofree char *list = g_strjoinv("', '", (char **)values);

        return g_strdup_printf("expected '%s'", list);
    }
    case VIR_DOMAIN_VALUE_UINT:
        return g_strdup("expected an unsigned integer");
    case VIR_DOMAIN_VALUE_POSINT:
        return g_strdup("expected a positive integer");
    case VIR_DOMAIN_VALUE_NAME:
        return g_strdup("expected letters, digits, '_', '.' or '-'");
    case VIR_DOMAIN_VALUE_DISKDEV:
        return g_strdup("expected vdX, hdX or sdX");
    case VIR_DOMAIN_VALUE_EMPTY:
        return g_strdup("expected no text");
    case VIR_DOMAIN_VALUE_ANY:
        break;
    }
    return g_strdup("unexpected value");
}

static const virDomainSchemaElem *
virDomainSchemaFindChild(const virDomainSchemaElem *elem, const char *name)
{
    size_t i;

    for (i = 0; elem->children && elem->children[i]; i++) {
        if (strcmp(elem->children[i]->name, name) == 0)
            return elem->children[i];
    }
    return NULL;
}

/* Attributes of @node against @elem: the first fault, or NULL. */
static char *
virDomainSchemaExplainAttrs(xmlNode *node, const virDomainSchemaElem *elem)
{
    const virDomainSchemaAttr *attr;
    xmlAttr *prop;

    for (prop = node->properties; prop; prop = prop->next) {
        const char *pname = (const char *)prop->name;
        g_autofree char *value = NULL;

        for (attr = elem->attrs; attr && attr->name; attr++) {
            if (strcmp(attr->name, pname) == 0)
                break;
        }
        if (!attr || !attr->name || prop->ns) {
            return g_strdup_printf("unknown attribute '%s' of element '%s'",
                                   pname, elem->name);
        }
        value = virDomainNodeProp(node, pname);
        if (!virDomainSchemaValueOK(attr->kind, attr->values, value)) {
            g_autofree char *expected = virDomainSchemaExpected(attr->kind, attr->values);

            return g_strdup_printf("invalid value '%s' of attribute '%s' (%s)",
                                   value ? value : "", pname, expected);
        }
    }
    for (attr = elem->attrs; attr && attr->name; attr++) {
        if (attr->required && !xmlHasProp(node, (const xmlChar *)attr->name))
            return g_strdup_printf("missing attribute '%s'", attr->name);
    }
    return NULL;
}

/* The text of @node against @elem: the first fault, or NULL. */
static char *
virDomainSchemaExplainText(xmlNode *node, const virDomainSchemaElem *elem)
{
    GString *text = g_string_new(NULL);
    g_autofree char *str = NULL;
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
            child->content)
            g_string_append(text, (const char *)child->content);
    }
    str = g_string_free(text, FALSE);

    if (elem->text == VIR_DOMAIN_VALUE_EMPTY) {
        if (!virDomainSchemaValueOK(VIR_DOMAIN_VALUE_EMPTY, NULL, str))
            return g_strdup_printf("element '%s' may not contain text", elem->name);
    } else if (!virDomainSchemaValueOK(elem->text, elem->textValues, str)) {
        g_autofree char *expected = virDomainSchemaExpected(elem->text, elem->textValues);

        return g_strdup_printf("invalid content '%s' (%s)", g_strstrip(str), expected);
    }
    return NULL;
}

/* The choices of the schema that the tables do not express. */
static char *
virDomainSchemaExplainChoices(xmlNode *node, const virDomainSchemaElem *elem)
{
    if (elem == &virDomainSchemaBackingStore &&
        (node->properties || virDomainNodeHasElements(node))) {
        if (!virDomainNodeChild(node, "format"))
            return g_strdup("missing element 'format' in a non-empty 'backingStore'");
        if (!virDomainNodeChild(node, "source"))
            return g_strdup("missing element 'source' in a non-empty 'backingStore'");
    }
    if (elem == &virDomainSchemaSerial || elem == &virDomainSchemaConsole) {
        g_autofree char *type = virDomainNodeProp(node, "type");
        bool hasSource = virDomainNodeChild(node, "source") != NULL;

        if (g_strcmp0(type, "file") == 0 && !hasSource)
            return g_strdup("missing element 'source' for type 'file'");
        if (g_strcmp0(type, "null") == 0 && hasSource)
            return g_strdup("element 'source' is not allowed for type 'null'");
    }
    return NULL;
}

/*
 * The first fault in @node, described by @elem, depth first: returns the
 * explanation and sets *where to the element at fault, or returns NULL.
 */
static char *
virDomainSchemaExplain(xmlNode *node, const virDomainSchemaElem *elem,
                       xmlNode **where)
{
    xmlNode *child;
    char *found;
    size_t i;

    *where = node;
    if ((found = virDomainSchemaExplainAttrs(node, elem)))
        return found;

    for (child = node->children; child; child = child->next) {
        const virDomainSchemaElem *celem;
        xmlNode *other;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        celem = virDomainSchemaFindChild(elem, (const char *)child->name);
        if (!celem || child->ns) {
            *where = child;
            return g_strdup_printf("unknown element '%s' in element '%s'",
                                   (const char *)child->name, elem->name);
        }
        if (celem->multiple)
            continue;
        for (other = child->next; other; other = other->next) {
            if (virDomainNodeIs(other, celem->name)) {
                *where = other;
                return g_strdup_printf("element '%s' may appear only once in element '%s'",
                                       celem->name, elem->name);
            }
        }
    }

    if ((found = virDomainSchemaExplainText(node, elem)) ||
        (found = virDomainSchemaExplainChoices(node, elem)))
        return found;

    for (i = 0; elem->children && elem->children[i]; i++) {
        if (elem->children[i]->required &&
            !virDomainNodeChild(node, elem->children[i]->name))
            return g_strdup_printf("missing element '%s'", elem->children[i]->name);
    }

    for (child = node->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        found = virDomainSchemaExplain(child,
                                       virDomainSchemaFindChild(elem, (const char *)child->name),
                                       where);
        if (found)
            return found;
    }
    *where = node;
    return NULL;
}

/* Validate @root (the whole of @doc, or one element of it) against our schema. */
static int
virDomainXMLValidate(xmlDoc *doc, xmlNode *root)
{
    virDomainXMLErrors errs = { 0 };
    g_autoptr(virDomainXMLDoc) copy = NULL;
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
    xmlRelaxNGSetValidStructuredErrors(vctxt, virDomainXMLErrorCollect, &errs);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);

    if (rc == 0) {
        virDomainXMLErrorsClear(&errs);
        return 0;
    }

    if (!virDomainNodeIs(root, "domain")) {
        explained = g_strdup_printf("unexpected root element '%s', expecting 'domain'",
                                    (const char *)root->name);
    } else {
        explained = virDomainSchemaExplain(root, &virDomainSchemaDomain, &where);
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
    virDomainXMLErrorsClear(&errs);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */
/* ------------------------------------------------------------------ */

/* STATUS only: <privateData><nodenames><nodename type=.. name=../>... */
static void
virDomainParseSourcePrivate(xmlNode *source, virStorageSource *src)
{
    xmlNode *priv = virDomainNodeChild(source, "privateData");
    xmlNode *names = priv ? virDomainNodeChild(priv, "nodenames") : NULL;
    xmlNode *n;

    if (!names)
        return;
    for (n = names->children; n; n = n->next) {
        g_autofree char *type = NULL;

        if (!virDomainNodeIs(n, "nodename"))
            continue;
        type = virDomainNodeProp(n, "type");
        if (g_strcmp0(type, "format") == 0) {
            g_free(src->nodeformat);
            src->nodeformat = virDomainNodeProp(n, "name");
        } else if (g_strcmp0(type, "storage") == 0) {
            g_free(src->nodestorage);
            src->nodestorage = virDomainNodeProp(n, "name");
        }
    }
}

static int
virDomainParseIndex(xmlNode *node, unsigned int flags, unsigned int *index)
{
    g_autofree char *str = NULL;
    guint64 val;

    /* Indexes belong to a running domain: taken from status files only. */
    if (!(flags & VIR_DOMAIN_DEF_PARSE_STATUS))
        return 0;
    if (!(str = virDomainNodeProp(node, "index")))
        return 0;
    if (virDomainParseUInt(node, "index", str, 1, G_MAXUINT, &val) < 0)
        return -1;
    *index = (unsigned int)val;
    return 0;
}

/* <source file=.../> of a disk or a backing store. */
static int
virDomainParseSource(xmlNode *node, unsigned int flags, virStorageSource *src)
{
    g_autofree char *file = NULL;

    if (!(file = virDomainNodePropRequired(node, "file")))
        return -1;
    if (virDomainCheckPath(node, "image path", file) < 0)
        return -1;
    src->type = VIR_STORAGE_TYPE_FILE;
    src->path = g_steal_pointer(&file);
    if (virDomainParseIndex(node, flags, &src->index) < 0)
        return -1;
    if (flags & VIR_DOMAIN_DEF_PARSE_STATUS)
        virDomainParseSourcePrivate(node, src);
    return 0;
}

static int
virDomainParseFormat(xmlNode *node, const char *attr, virStorageFileFormat *fmt)
{
    g_autofree char *str = virDomainNodeProp(node, attr);
    int val;

    if (!str)
        return 0;
    if ((val = virStorageFileFormatFromString(str)) < 0) {
        virDomainNodeError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported image format '%s'", str);
        return -1;
    }
    *fmt = val;
    return 0;
}

/*
 * A <backingStore> element: either the empty terminator, or an image with
 * the rest of the chain below it, which must end with the terminator.
 */
static virStorageSource *
virDomainParseBackingStore(xmlNode *node, unsigned int flags, size_t depth)
{
    g_autoptr(virStorageSource) src = virStorageSourceNew();
    g_autofree char *type = virDomainNodeProp(node, "type");
    xmlNode *format;
    xmlNode *source;
    xmlNode *next;

    src->backingFromXML = true;
    src->readonly = true;

    if (!type && !virDomainNodeHasElements(node)) {
        src->type = VIR_STORAGE_TYPE_NONE;
        return g_steal_pointer(&src);
    }
    if (depth >= VIR_DOMAIN_MAX_CHAIN_DEPTH) {
        virDomainNodeError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                           "backing chain deeper than %d images",
                           VIR_DOMAIN_MAX_CHAIN_DEPTH);
        return NULL;
    }
    if (type && strcmp(type, "file") != 0) {
        virDomainNodeError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported backing store type '%s'", type);
        return NULL;
    }
    if (virDomainParseIndex(node, flags, &src->index) < 0)
        return NULL;

    if (!(format = virDomainNodeChild(node, "format"))) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "a backing store needs a <format> element");
        return NULL;
    }
    if (virDomainParseFormat(format, "type", &src->format) < 0)
        return NULL;
    if (src->format == VIR_STORAGE_FILE_NONE) {
        virDomainNodeError(format, VIR_ERR_XML_DETAIL, "missing attribute 'type'");
        return NULL;
    }

    if (!(source = virDomainNodeChild(node, "source"))) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "a backing store needs a <source> element");
        return NULL;
    }
    if (virDomainParseSource(source, flags, src) < 0)
        return NULL;

    if (!(next = virDomainNodeChild(node, "backingStore"))) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "the backing chain given for image '%s' must end with an empty <backingStore/>",
                           src->path);
        return NULL;
    }
    if (!(src->backingStore = virDomainParseBackingStore(next, flags, depth + 1)))
        return NULL;
    return g_steal_pointer(&src);
}

static int
virDomainParseDiskTarget(xmlNode *node, virDomainDiskDef *disk)
{
    g_autofree char *bus = virDomainNodeProp(node, "bus");
    const char *p;

    if (!(disk->dst = virDomainNodePropRequired(node, "dev")))
        return -1;
    for (p = disk->dst + 2; *p && g_ascii_islower(*p); p++)
        ;
    if (strlen(disk->dst) < 3 || *p != '\0' ||
        (!g_str_has_prefix(disk->dst, "vd") && !g_str_has_prefix(disk->dst, "hd") &&
         !g_str_has_prefix(disk->dst, "sd"))) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "invalid disk target '%s' (expected vdX, hdX or sdX)",
                           disk->dst);
        return -1;
    }

    if (bus) {
        int val = virDomainEnumFromString(virDomainDiskBusNames,
                                          VIR_DOMAIN_DISK_BUS_LAST, bus);

        if (val < 0) {
            virDomainNodeError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                               "unsupported disk bus '%s'", bus);
            return -1;
        }
        disk->bus = val;
    } else if (g_str_has_prefix(disk->dst, "hd")) {
        disk->bus = VIR_DOMAIN_DISK_BUS_IDE;
    } else if (g_str_has_prefix(disk->dst, "sd")) {
        disk->bus = VIR_DOMAIN_DISK_BUS_SCSI;
    } else {
        disk->bus = VIR_DOMAIN_DISK_BUS_VIRTIO;
    }
    return 0;
}

static virDomainDiskDef *
virDomainParseDisk(xmlNode *node, unsigned int flags, virDomainDef *def)
{
    g_autoptr(virDomainDiskDef) disk = g_new0(virDomainDiskDef, 1);
    g_autofree char *type = virDomainNodeProp(node, "type");
    g_autofree char *device = virDomainNodeProp(node, "device");
    g_autofree char *conflict = NULL;
    xmlNode *source = NULL;
    xmlNode *target = NULL;
    xmlNode *backing = NULL;
    xmlNode *child;
    size_t i;

    if (g_strcmp0(type, "file") != 0) {
        virDomainNodeError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported disk type '%s' (only 'file' is supported)",
                           type ? type : "");
        return NULL;
    }
    if (device && strcmp(device, "disk") != 0) {
        virDomainNodeError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported disk device '%s' (only 'disk' is supported)",
                           device);
        return NULL;
    }
    disk->src = virStorageSourceNew();

    for (child = node->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (virDomainNodeIs(child, "driver")) {
            g_autofree char *name = virDomainNodeProp(child, "name");

            if (name && strcmp(name, "qemu") != 0) {
                virDomainNodeError(child, VIR_ERR_CONFIG_UNSUPPORTED,
                                   "unsupported disk driver '%s'", name);
                return NULL;
            }
            g_free(disk->driverName);
            disk->driverName = g_steal_pointer(&name);
            if (virDomainParseFormat(child, "type", &disk->src->format) < 0)
                return NULL;
        } else if (virDomainNodeIs(child, "source")) {
            source = child;
        } else if (virDomainNodeIs(child, "backingStore")) {
            backing = child;
        } else if (virDomainNodeIs(child, "target")) {
            target = child;
        } else if (virDomainNodeIs(child, "readonly")) {
            disk->readonly = true;
        } else if (virDomainNodeIs(child, "alias")) {
            /* Device ids are the driver's: only a status file sets them. */
            if (flags & VIR_DOMAIN_DEF_PARSE_STATUS) {
                g_free(disk->alias);
                disk->alias = virDomainNodeProp(child, "name");
            }
        }
    }

    if (!source) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL, "a disk needs a <source> element");
        return NULL;
    }
    if (!target) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL, "a disk needs a <target> element");
        return NULL;
    }
    if (virDomainParseSource(source, flags, disk->src) < 0)
        return NULL;
    disk->src->readonly = disk->readonly;
    if (virDomainParseDiskTarget(target, disk) < 0)
        return NULL;
    for (i = 0; i < def->ndisks; i++) {
        if (strcmp(def->disks[i]->dst, disk->dst) == 0) {
            virDomainNodeError(target, VIR_ERR_XML_DETAIL,
                               "duplicate disk target '%s'", disk->dst);
            return NULL;
        }
    }

    if (backing) {
        if (!(disk->src->backingStore = virDomainParseBackingStore(backing, flags, 0)))
            return NULL;
        disk->src->backingFromXML = true;
    }

    if (flags & VIR_DOMAIN_DEF_PARSE_STATUS) {
        xmlNode *priv = virDomainNodeChild(node, "privateData");
        xmlNode *chain = priv ? virDomainNodeChild(priv, "chain") : NULL;
        g_autofree char *origin = chain ? virDomainNodeProp(chain, "origin") : NULL;

        /* A status file says where a known chain came from. */
        if (backing && g_strcmp0(origin, "probe") == 0) {
            virStorageSource *src;

            for (src = disk->src; src; src = src->backingStore)
                src->backingFromXML = false;
        }
    }

    if ((conflict = virDomainDiskCheckPaths(def, def->ndisks, disk))) {
        virDomainNodeError(source, VIR_ERR_CONFIG_UNSUPPORTED, "%s", conflict);
        return NULL;
    }
    return g_steal_pointer(&disk);
}

static virDomainChrDef *
virDomainParseChr(xmlNode *node)
{
    g_autoptr(virDomainChrDef) chr = g_new0(virDomainChrDef, 1);
    g_autofree char *type = virDomainNodeProp(node, "type");
    xmlNode *source = virDomainNodeChild(node, "source");
    xmlNode *target = virDomainNodeChild(node, "target");
    int val;

    chr->port = -1;
    if ((val = virDomainEnumFromString(virDomainChrTypeNames,
                                       VIR_DOMAIN_CHR_TYPE_LAST, type)) < 0) {
        virDomainNodeError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported character device type '%s' (use 'file' or 'null')",
                           type ? type : "");
        return NULL;
    }
    chr->type = val;

    if (chr->type == VIR_DOMAIN_CHR_TYPE_FILE) {
        if (!source) {
            virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                               "a character device of type 'file' needs a <source> element");
            return NULL;
        }
        if (!(chr->path = virDomainNodePropRequired(source, "path")))
            return NULL;
        if (virDomainCheckPath(source, "output path", chr->path) < 0)
            return NULL;
    }

    if (target) {
        g_autofree char *port = virDomainNodeProp(target, "port");
        guint64 num;

        if (port) {
            if (virDomainParseUInt(target, "port", port, 0, G_MAXINT, &num) < 0)
                return NULL;
            chr->port = (int)num;
        }
    }
    return g_steal_pointer(&chr);
}

static int
virDomainParseDevices(xmlNode *node, unsigned int flags, virDomainDef *def)
{
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (virDomainNodeIs(child, "emulator")) {
            g_free(def->emulator);
            if (!(def->emulator = virDomainNodeText(child)))
                return -1;
            if (virDomainCheckPath(child, "emulator", def->emulator) < 0)
                return -1;
        } else if (virDomainNodeIs(child, "disk")) {
            virDomainDiskDef *disk = virDomainParseDisk(child, flags, def);

            if (!disk)
                return -1;
            def->disks = g_renew(virDomainDiskDef *, def->disks, def->ndisks + 1);
            def->disks[def->ndisks++] = disk;
        } else if (virDomainNodeIs(child, "serial")) {
            virDomainChrDef *chr = virDomainParseChr(child);

            if (!chr)
                return -1;
            def->serials = g_renew(virDomainChrDef *, def->serials, def->nserials + 1);
            def->serials[def->nserials++] = chr;
        } else if (virDomainNodeIs(child, "console")) {
            virDomainChrDef *chr = virDomainParseChr(child);

            if (!chr)
                return -1;
            def->consoles = g_renew(virDomainChrDef *, def->consoles, def->nconsoles + 1);
            def->consoles[def->nconsoles++] = chr;
        }
    }
    return 0;
}

static int
virDomainParseOS(xmlNode *node, virDomainDef *def)
{
    xmlNode *type = virDomainNodeChild(node, "type");
    g_autofree char *text = NULL;
    g_autofree char *arch = NULL;

    if (!type) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL, "missing element 'type'");
        return -1;
    }
    if (!(text = virDomainNodeText(type)))
        return -1;
    g_strstrip(text);
    if (strcmp(text, "hvm") != 0) {
        virDomainNodeError(type, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported OS type '%s' (only 'hvm' is supported)", text);
        return -1;
    }
    arch = virDomainNodeProp(type, "arch");
    if (arch && strcmp(arch, "x86_64") != 0) {
        virDomainNodeError(type, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported architecture '%s' (only 'x86_64' is supported)",
                           arch);
        return -1;
    }
    g_free(def->osType);
    def->osType = g_steal_pointer(&text);
    g_free(def->arch);
    def->arch = arch ? g_steal_pointer(&arch) : g_strdup("x86_64");
    g_free(def->machine);
    def->machine = virDomainNodeProp(type, "machine");
    return 0;
}

static int
virDomainParseLifecycle(xmlNode *node, virDomainLifecycleAction *action)
{
    g_autofree char *text = virDomainNodeText(node);
    int val;

    if (!text)
        return -1;
    g_strstrip(text);
    if ((val = virDomainEnumFromString(virDomainLifecycleNames,
                                       VIR_DOMAIN_LIFECYCLE_ACTION_LAST, text)) < 0) {
        virDomainNodeError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported action '%s'", text);
        return -1;
    }
    *action = val;
    return 0;
}

/*
 * A name becomes part of file names (ROOT/etc/qemu/NAME.xml, the monitor
 * socket, the log) and a column in virsh's tables, and users type it
 * back: refuse what would make a path or a table ambiguous, or two names
 * look the same. ',', '=', quotes and inner spaces stay valid, as in
 * libvirt.
 */
static int
virDomainCheckName(xmlNode *node, const char *name)
{
    const char *p;
    gunichar first;
    gunichar last;

    if (!*name) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL, "the domain name is empty");
        return -1;
    }
    /* First, so that the names in the messages below are printable. */
    for (p = name; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if (g_unichar_iscntrl(c)) {
            g_autofree char *shown = g_strescape(name, NULL);

            virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                               "domain name '%s' contains a control character (U+%04X)",
                               shown, (unsigned int) c);
            return -1;
        }
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "domain name '%s' is not allowed, it names a directory",
                           name);
        return -1;
    }
    if (strchr(name, '/')) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "domain name '%s' contains '/'", name);
        return -1;
    }
    first = g_utf8_get_char(name);
    last = g_utf8_get_char(g_utf8_find_prev_char(name, name + strlen(name)));
    if (g_unichar_isspace(first) || g_unichar_isspace(last)) {
        virDomainNodeError(node, VIR_ERR_XML_DETAIL,
                           "domain name '%s' begins or ends with a blank", name);
        return -1;
    }
    return 0;
}

static int
virDomainParseIdentity(xmlNode *name, xmlNode *uuid, xmlNode *title,
                       virDomainDef *def)
{
    if (!(def->name = virDomainNodeText(name)))
        return -1;
    if (virDomainCheckName(name, def->name) < 0)
        return -1;

    if (uuid) {
        g_autofree char *text = virDomainNodeText(uuid);

        /* As in libvirt's schema, no blanks around the UUID. */
        if (!text)
            return -1;
        if (virUUIDParse(text, def->uuid) < 0) {
            virDomainNodeError(uuid, VIR_ERR_XML_DETAIL, "malformed UUID '%s'", text);
            return -1;
        }
    } else {
        virUUIDGenerate(def->uuid);
    }

    if (title) {
        if (!(def->title = virDomainNodeText(title)))
            return -1;
        if (def->title[0] == '\0' || strchr(def->title, '\n')) {
            virDomainNodeError(title, VIR_ERR_XML_DETAIL,
                               "a title must be one non-empty line");
            return -1;
        }
    }
    return 0;
}

static virDomainDef *
virDomainParseDomain(xmlNode *root, unsigned int flags)
{
    g_autoptr(virDomainDef) def = virDomainDefNew();
    g_autofree char *type = NULL;
    xmlNode *name = NULL;
    xmlNode *uuid = NULL;
    xmlNode *title = NULL;
    xmlNode *memory = NULL;
    xmlNode *curMemory = NULL;
    xmlNode *os = NULL;
    xmlNode *child;
    int val;

    if (!root || !virDomainNodeIs(root, "domain")) {
        virReportError(VIR_ERR_XML_ERROR, "unexpected root element '%s', expecting 'domain'",
                       root && root->name ? (const char *)root->name : "");
        return NULL;
    }

    type = virDomainNodeProp(root, "type");
    if ((val = virDomainEnumFromString(virDomainVirtTypeNames,
                                       VIR_DOMAIN_VIRT_LAST, type)) < 0) {
        virDomainNodeError(root, VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported domain type '%s' (use 'qemu' or 'kvm')",
                           type ? type : "");
        return NULL;
    }
    def->virtType = val;

    if (flags & VIR_DOMAIN_DEF_PARSE_STATUS) {
        g_autofree char *id = virDomainNodeProp(root, "id");
        guint64 num;

        if (id) {
            if (virDomainParseUInt(root, "id", id, 0, G_MAXINT, &num) < 0)
                return NULL;
            def->id = (int)num;
        }
    }

    for (child = root->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (virDomainNodeIs(child, "name")) {
            name = child;
        } else if (virDomainNodeIs(child, "uuid")) {
            uuid = child;
        } else if (virDomainNodeIs(child, "title")) {
            title = child;
        } else if (virDomainNodeIs(child, "description")) {
            g_free(def->description);
            if (!(def->description = virDomainNodeText(child)))
                return NULL;
        } else if (virDomainNodeIs(child, "memory")) {
            memory = child;
        } else if (virDomainNodeIs(child, "currentMemory")) {
            curMemory = child;
        } else if (virDomainNodeIs(child, "vcpu")) {
            g_autofree char *text = virDomainNodeText(child);
            guint64 num;

            if (!text)
                return NULL;
            if (virDomainParseUInt(child, "vCPU count", text, 1, G_MAXUINT16, &num) < 0)
                return NULL;
            def->vcpus = (unsigned int)num;
        } else if (virDomainNodeIs(child, "os")) {
            os = child;
        } else if (virDomainNodeIs(child, "on_poweroff")) {
            if (virDomainParseLifecycle(child, &def->onPoweroff) < 0)
                return NULL;
        } else if (virDomainNodeIs(child, "on_reboot")) {
            if (virDomainParseLifecycle(child, &def->onReboot) < 0)
                return NULL;
        } else if (virDomainNodeIs(child, "on_crash")) {
            if (virDomainParseLifecycle(child, &def->onCrash) < 0)
                return NULL;
        }
    }

    if (!name) {
        virDomainNodeError(root, VIR_ERR_NO_NAME, "missing element 'name'");
        return NULL;
    }
    if (virDomainParseIdentity(name, uuid, title, def) < 0)
        return NULL;

    if (!memory) {
        virDomainNodeError(root, VIR_ERR_XML_DETAIL, "missing element 'memory'");
        return NULL;
    }
    if (virDomainParseSizeKiB(memory, &def->maxMemKiB) < 0)
        return NULL;
    if (def->maxMemKiB == 0) {
        virDomainNodeError(memory, VIR_ERR_XML_DETAIL,
                           "the memory size must be greater than zero");
        return NULL;
    }
    def->curMemKiB = def->maxMemKiB;
    if (curMemory) {
        if (virDomainParseSizeKiB(curMemory, &def->curMemKiB) < 0)
            return NULL;
        if (def->curMemKiB == 0 || def->curMemKiB > def->maxMemKiB) {
            virDomainNodeError(curMemory, VIR_ERR_XML_DETAIL,
                               "the current memory (%llu KiB) must be greater than zero and at most the memory (%llu KiB)",
                               def->curMemKiB, def->maxMemKiB);
            return NULL;
        }
    }

    if (!os) {
        virDomainNodeError(root, VIR_ERR_NO_OS, "missing element 'os'");
        return NULL;
    }
    if (virDomainParseOS(os, def) < 0)
        return NULL;

    for (child = root->children; child; child = child->next) {
        if (virDomainNodeIs(child, "devices") &&
            virDomainParseDevices(child, flags, def) < 0)
            return NULL;
    }
    return g_steal_pointer(&def);
}

/**
 * virDomainDefParseNode:
 * @xml: a parsed document
 * @root: its <domain> element (the root, or one nested in a status file)
 * @flags: bitwise-OR of virDomainDefParseFlags
 *
 * Parse a <domain> element. Without VIR_DOMAIN_DEF_PARSE_STATUS the
 * element is first validated against the built-in schema and live-only
 * data (id, aliases, image indexes) is ignored; with it, the schema is
 * skipped and the status file's extra data (id, aliases, indexes, node
 * names, where a chain came from) is read.
 *
 * Returns a new definition (free with virDomainDefFree()), or NULL with an
 * error reported (see virDomainDefParseString()).
 */
virDomainDef *
virDomainDefParseNode(xmlDocPtr xml, xmlNodePtr root, unsigned int flags)
{
    virCheckFlags(VIR_DOMAIN_DEF_PARSE_STATUS, NULL);

    if (!xml || !root) {
        virReportInvalidNonNullArg(root);
        return NULL;
    }
    if (!(flags & VIR_DOMAIN_DEF_PARSE_STATUS) &&
        virDomainXMLValidate(xml, root) < 0)
        return NULL;
    return virDomainParseDomain(root, flags);
}

/**
 * virDomainDefParseString:
 * @xml: domain XML
 * @flags: bitwise-OR of virDomainDefParseFlags
 *
 * Parse, validate and check domain XML: well-formedness, then the built-in
 * RelaxNG schema (skipped with VIR_DOMAIN_DEF_PARSE_STATUS), then values.
 * A missing UUID is generated.
 *
 * Returns a new definition (free with virDomainDefFree()), or NULL with
 * VIR_ERR_XML_ERROR (malformed XML, with libxml2's line and message),
 * VIR_ERR_XML_INVALID_SCHEMA (the schema's message, with line and element),
 * VIR_ERR_XML_DETAIL or VIR_ERR_CONFIG_UNSUPPORTED (a bad or unsupported
 * value; the message names the element and its line) reported.
 */
virDomainDef *
virDomainDefParseString(const char *xml, unsigned int flags)
{
    g_autoptr(virDomainXMLDoc) doc = NULL;

    virCheckFlags(VIR_DOMAIN_DEF_PARSE_STATUS, NULL);

    if (!xml) {
        virReportInvalidNonNullArg(xml);
        return NULL;
    }
    if (!(doc = virDomainXMLParseString(xml)))
        return NULL;
    return virDomainDefParseNode(doc, xmlDocGetRootElement(doc), flags);
}

/* ------------------------------------------------------------------ */
/* Formatting                                                           */
/* ------------------------------------------------------------------ */

typedef struct {
    GString *buf;
    int indent;             /* spaces before the current line */
    bool live;              /* id, aliases, indexes, probed chains */
    bool status;            /* also node names and private data */
    unsigned int nextIndex; /* for images that have no index yet */
} virDomainFormatter;

static void G_GNUC_PRINTF(2, 3)
virDomainFormatLine(virDomainFormatter *f, const char *fmt, ...)
{
    va_list ap;

    g_string_append_printf(f->buf, "%*s", f->indent, "");
    va_start(ap, fmt);
    g_string_append_vprintf(f->buf, fmt, ap);
    va_end(ap);
    g_string_append_c(f->buf, '\n');
}

/* Escape @str for XML text (@attr false) or an attribute value quoted
 * with ' (@attr true). */
static char *
virDomainXMLEscape(const char *str, bool attr)
{
    GString *out = g_string_sized_new(strlen(str) + 8);

    for (; *str; str++) {
        switch (*str) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '\'': g_string_append(out, attr ? "&apos;" : "'"); break;
        case '"': g_string_append(out, attr ? "&quot;" : "\""); break;
        /* Attribute values lose raw line breaks and tabs when read back. */
        case '\n': g_string_append(out, attr ? "&#10;" : "\n"); break;
        case '\r': g_string_append(out, "&#13;"); break;
        case '\t': g_string_append(out, attr ? "&#9;" : "\t"); break;
        default: g_string_append_c(out, *str); break;
        }
    }
    return g_string_free(out, FALSE);
}

static unsigned int
virDomainFormatIndex(virDomainFormatter *f, const virStorageSource *src)
{
    unsigned int index = virStorageSourceGetIndex(src);

    return index ? index : f->nextIndex++;
}

/* <source file=...> with, in status files, the image's node names. */
static void
virDomainFormatSource(virDomainFormatter *f, const virStorageSource *src,
                      unsigned int index)
{
    g_autofree char *file = virDomainXMLEscape(src->path ? src->path : "", true);
    g_autofree char *indexAttr = index ? g_strdup_printf(" index='%u'", index)
                                       : g_strdup("");

    if (!f->status || (!src->nodeformat && !src->nodestorage)) {
        virDomainFormatLine(f, "<source file='%s'%s/>", file, indexAttr);
        return;
    }
    virDomainFormatLine(f, "<source file='%s'%s>", file, indexAttr);
    f->indent += 2;
    virDomainFormatLine(f, "<privateData>");
    f->indent += 2;
    virDomainFormatLine(f, "<nodenames>");
    f->indent += 2;
    if (src->nodestorage) {
        g_autofree char *name = virDomainXMLEscape(src->nodestorage, true);

        virDomainFormatLine(f, "<nodename type='storage' name='%s'/>", name);
    }
    if (src->nodeformat) {
        g_autofree char *name = virDomainXMLEscape(src->nodeformat, true);

        virDomainFormatLine(f, "<nodename type='format' name='%s'/>", name);
    }
    f->indent -= 2;
    virDomainFormatLine(f, "</nodenames>");
    f->indent -= 2;
    virDomainFormatLine(f, "</privateData>");
    f->indent -= 2;
    virDomainFormatLine(f, "</source>");
}

static void
virDomainFormatChain(virDomainFormatter *f, const virStorageSource *top)
{
    const virStorageSource *src;
    size_t depth = 0;

    /* Open each image's element, print the terminator, then close them. */
    for (src = top->backingStore; src; src = src->backingStore) {
        if (src->type == VIR_STORAGE_TYPE_NONE) {
            virDomainFormatLine(f, "<backingStore/>");
            break;
        }
        if (f->live) {
            virDomainFormatLine(f, "<backingStore type='file' index='%u'>",
                                virDomainFormatIndex(f, src));
        } else {
            virDomainFormatLine(f, "<backingStore type='file'>");
        }
        f->indent += 2;
        depth++;
        if (src->format != VIR_STORAGE_FILE_NONE)
            virDomainFormatLine(f, "<format type='%s'/>",
                                virStorageFileFormatToString(src->format));
        virDomainFormatSource(f, src, 0);
    }
    while (depth-- > 0) {
        f->indent -= 2;
        virDomainFormatLine(f, "</backingStore>");
    }
}

static void
virDomainFormatDisk(virDomainFormatter *f, const virDomainDiskDef *disk)
{
    const virStorageSource *src = disk->src;
    bool showChain;

    virDomainFormatLine(f, "<disk type='file' device='disk'>");
    f->indent += 2;

    if (disk->driverName || (src && src->format != VIR_STORAGE_FILE_NONE)) {
        g_autofree char *name = disk->driverName
            ? g_strdup_printf(" name='%s'", disk->driverName) : g_strdup("");
        g_autofree char *type = src && src->format != VIR_STORAGE_FILE_NONE
            ? g_strdup_printf(" type='%s'", virStorageFileFormatToString(src->format))
            : g_strdup("");

        virDomainFormatLine(f, "<driver%s%s/>", name, type);
    }

    if (src) {
        virDomainFormatSource(f, src, f->live ? virDomainFormatIndex(f, src) : 0);
        /* The persistent view keeps only a chain the user gave. */
        showChain = src->backingStore && (f->live || src->backingFromXML);
        if (showChain)
            virDomainFormatChain(f, src);
    }

    if (disk->dst) {
        virDomainFormatLine(f, "<target dev='%s' bus='%s'/>", disk->dst,
                            virDomainDiskBusToString(disk->bus));
    }
    if (disk->readonly)
        virDomainFormatLine(f, "<readonly/>");
    if (f->live && disk->alias) {
        g_autofree char *alias = virDomainXMLEscape(disk->alias, true);

        virDomainFormatLine(f, "<alias name='%s'/>", alias);
    }
    if (f->status && src && src->backingStore) {
        virDomainFormatLine(f, "<privateData>");
        f->indent += 2;
        virDomainFormatLine(f, "<chain origin='%s'/>",
                            src->backingFromXML ? "config" : "probe");
        f->indent -= 2;
        virDomainFormatLine(f, "</privateData>");
    }

    f->indent -= 2;
    virDomainFormatLine(f, "</disk>");
}

static void
virDomainFormatChr(virDomainFormatter *f, const char *element,
                   const virDomainChrDef *chr)
{
    const char *type = virDomainEnumToString(virDomainChrTypeNames,
                                             VIR_DOMAIN_CHR_TYPE_LAST, chr->type);

    if (!chr->path && chr->port < 0) {
        virDomainFormatLine(f, "<%s type='%s'/>", element, type);
        return;
    }
    virDomainFormatLine(f, "<%s type='%s'>", element, type);
    f->indent += 2;
    if (chr->path) {
        g_autofree char *path = virDomainXMLEscape(chr->path, true);

        virDomainFormatLine(f, "<source path='%s'/>", path);
    }
    if (chr->port >= 0)
        virDomainFormatLine(f, "<target port='%d'/>", chr->port);
    f->indent -= 2;
    virDomainFormatLine(f, "</%s>", element);
}

static const char *
virDomainLifecycleToString(virDomainLifecycleAction action)
{
    const char *str = virDomainEnumToString(virDomainLifecycleNames,
                                            VIR_DOMAIN_LIFECYCLE_ACTION_LAST, action);

    return str ? str : "destroy";
}

/**
 * virDomainDefFormatBuf:
 * @buf: where to append
 * @def: the definition
 * @flags: bitwise-OR of virDomainDefFormatFlags
 * @indent: spaces before every line (for a <domain> nested in a status file)
 *
 * Append @def as libvirt 9.0 formats domain XML (two-space indentation,
 * libvirt's element and attribute order). VIR_DOMAIN_DEF_FORMAT_INACTIVE:
 * the persistent view (no id, no aliases, no indexes, a backing chain only
 * if the XML gave it). VIR_DOMAIN_DEF_FORMAT_LIVE (or no flag): also the
 * id of a running domain, every known chain with index attributes, and
 * aliases. VIR_DOMAIN_DEF_FORMAT_STATUS: all of that plus node names and
 * where each chain came from, for the driver's status file (read back with
 * VIR_DOMAIN_DEF_PARSE_STATUS; not meant for libvirt's schema). STATUS wins
 * over INACTIVE, which wins over LIVE.
 */
void
virDomainDefFormatBuf(GString *buf, const virDomainDef *def,
                      unsigned int flags, int indent)
{
    virDomainFormatter f = { .buf = buf, .indent = indent > 0 ? indent : 0 };
    int base = f.indent;
    char uuid[VIR_UUID_STRING_BUFLEN];
    size_t i;

    f.status = !!(flags & VIR_DOMAIN_DEF_FORMAT_STATUS);
    f.live = f.status || !(flags & VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    f.nextIndex = virDomainDefMaxStorageIndex(def) + 1;

    if (f.live && def->id >= 0) {
        virDomainFormatLine(&f, "<domain type='%s' id='%d'>",
                            virDomainVirtTypeToString(def->virtType), def->id);
    } else {
        virDomainFormatLine(&f, "<domain type='%s'>",
                            virDomainVirtTypeToString(def->virtType));
    }
    f.indent += 2;

    if (def->name) {
        g_autofree char *name = virDomainXMLEscape(def->name, false);

        virDomainFormatLine(&f, "<name>%s</name>", name);
    }
    virUUIDFormat(def->uuid, uuid);
    virDomainFormatLine(&f, "<uuid>%s</uuid>", uuid);
    if (def->title) {
        g_autofree char *title = virDomainXMLEscape(def->title, false);

        virDomainFormatLine(&f, "<title>%s</title>", title);
    }
    if (def->description) {
        g_autofree char *desc = virDomainXMLEscape(def->description, false);

        virDomainFormatLine(&f, "<description>%s</description>", desc);
    }
    virDomainFormatLine(&f, "<memory unit='KiB'>%llu</memory>", def->maxMemKiB);
    virDomainFormatLine(&f, "<currentMemory unit='KiB'>%llu</currentMemory>",
                        def->curMemKiB ? def->curMemKiB : def->maxMemKiB);
    virDomainFormatLine(&f, "<vcpu placement='static'>%u</vcpu>",
                        def->vcpus ? def->vcpus : 1);

    virDomainFormatLine(&f, "<os>");
    f.indent += 2;
    {
        g_autofree char *archEsc = def->arch ? virDomainXMLEscape(def->arch, true) : NULL;
        g_autofree char *machineEsc = def->machine
            ? virDomainXMLEscape(def->machine, true) : NULL;
        g_autofree char *arch = archEsc
            ? g_strdup_printf(" arch='%s'", archEsc) : g_strdup("");
        g_autofree char *machine = machineEsc
            ? g_strdup_printf(" machine='%s'", machineEsc) : g_strdup("");

        virDomainFormatLine(&f, "<type%s%s>%s</type>", arch, machine,
                            def->osType ? def->osType : "hvm");
    }
    f.indent -= 2;
    virDomainFormatLine(&f, "</os>");

    virDomainFormatLine(&f, "<on_poweroff>%s</on_poweroff>",
                        virDomainLifecycleToString(def->onPoweroff));
    virDomainFormatLine(&f, "<on_reboot>%s</on_reboot>",
                        virDomainLifecycleToString(def->onReboot));
    virDomainFormatLine(&f, "<on_crash>%s</on_crash>",
                        virDomainLifecycleToString(def->onCrash));

    if (def->emulator || def->ndisks || def->nserials || def->nconsoles) {
        virDomainFormatLine(&f, "<devices>");
        f.indent += 2;
        if (def->emulator) {
            g_autofree char *emulator = virDomainXMLEscape(def->emulator, false);

            virDomainFormatLine(&f, "<emulator>%s</emulator>", emulator);
        }
        for (i = 0; i < def->ndisks; i++)
            virDomainFormatDisk(&f, def->disks[i]);
        for (i = 0; i < def->nserials; i++)
            virDomainFormatChr(&f, "serial", def->serials[i]);
        for (i = 0; i < def->nconsoles; i++)
            virDomainFormatChr(&f, "console", def->consoles[i]);
        f.indent -= 2;
        virDomainFormatLine(&f, "</devices>");
    }

    f.indent = base;
    virDomainFormatLine(&f, "</domain>");
}

/**
 * virDomainDefFormat:
 * @def: the definition
 * @flags: bitwise-OR of virDomainDefFormatFlags
 *
 * Returns @def as domain XML (see virDomainDefFormatBuf()), a new string
 * ending with a newline, to be freed with g_free(); never fails.
 */
char *
virDomainDefFormat(const virDomainDef *def, unsigned int flags)
{
    GString *buf = g_string_new(NULL);

    virDomainDefFormatBuf(buf, def, flags, 0);
    return g_string_free(buf, FALSE);
}
