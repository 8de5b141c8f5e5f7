/*
 * domain_parse.c: domain XML to a virDomainDef: the document is parsed
 * safely, checked against the schema (domain_validate.c), then read with
 * the checks of values that deserve a message naming their element; and
 * status files to a virDomainObj.
 */
#include <config.h>

#include <string.h>

#include "conf/domain_conf.h"
#include "conf/domain_validate.h"
#include "util/virerror.h"
#include "util/virlog.h"
#include "util/virxml.h"

#define VIR_FROM_THIS VIR_FROM_DOMAIN

/* An absolute path without line breaks (libvirt's schema refuses those). */
static int
virDomainCheckPath(xmlNode *node, const char *what, const char *path)
{
    if (!path || path[0] != '/' || path[1] == '\0') {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "%s '%s' is not an absolute path", what,
                              path ? path : "");
        return -1;
    }
    if (strpbrk(path, "\n\r")) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "%s '%s' contains a line break", what, path);
        return -1;
    }
    return 0;
}

/* STATUS only: <privateData><nodenames><nodename type=.. name=../>... */
static void
virDomainParseSourcePrivate(xmlNode *source, virStorageSource *src)
{
    xmlNode *priv = virXMLNodeGetChild(source, "privateData");
    xmlNode *names = priv ? virXMLNodeGetChild(priv, "nodenames") : NULL;
    xmlNode *n;

    if (!names)
        return;
    for (n = names->children; n; n = n->next) {
        g_autofree char *type = NULL;

        if (!virXMLNodeNameEqual(n, "nodename"))
            continue;
        type = virXMLPropString(n, "type");
        if (g_strcmp0(type, "format") == 0) {
            g_free(src->nodeformat);
            src->nodeformat = virXMLPropString(n, "name");
        } else if (g_strcmp0(type, "storage") == 0) {
            g_free(src->nodestorage);
            src->nodestorage = virXMLPropString(n, "name");
        }
    }
}

static int
virDomainParseIndex(xmlNode *node, unsigned int flags, unsigned int *index)
{
    guint64 val;
    int rc;

    /* Indexes belong to a running domain: taken from status files only. */
    if (!(flags & VIR_DOMAIN_DEF_PARSE_STATUS))
        return 0;
    if ((rc = virXMLPropUInt(node, "index", 1, G_MAXUINT, &val)) < 0)
        return -1;
    if (rc > 0)
        *index = (unsigned int)val;
    return 0;
}

/* <source file=.../> of a disk or a backing store. */
static int
virDomainParseSource(xmlNode *node, unsigned int flags, virStorageSource *src)
{
    g_autofree char *file = NULL;

    if (!(file = virXMLPropStringRequired(node, "file")))
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
    g_autofree char *str = virXMLPropString(node, attr);
    int val;

    if (!str)
        return 0;
    if ((val = virStorageFileFormatFromString(str)) < 0) {
        virXMLNodeReportError(node, VIR_ERR_CONFIG_UNSUPPORTED,
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
    g_autofree char *type = virXMLPropString(node, "type");
    xmlNode *format;
    xmlNode *source;
    xmlNode *next;

    src->backingFromXML = true;
    src->readonly = true;

    if (!type && !virXMLNodeHasElements(node)) {
        src->type = VIR_STORAGE_TYPE_NONE;
        return g_steal_pointer(&src);
    }
    if (depth >= VIR_DOMAIN_MAX_CHAIN_DEPTH) {
        virXMLNodeReportError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                              "backing chain deeper than %d images",
                              VIR_DOMAIN_MAX_CHAIN_DEPTH);
        return NULL;
    }
    if (type && strcmp(type, "file") != 0) {
        virXMLNodeReportError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                              "unsupported backing store type '%s'", type);
        return NULL;
    }
    if (virDomainParseIndex(node, flags, &src->index) < 0)
        return NULL;

    if (!(format = virXMLNodeGetChild(node, "format"))) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "a backing store needs a <format> element");
        return NULL;
    }
    if (virDomainParseFormat(format, "type", &src->format) < 0)
        return NULL;
    if (src->format == VIR_STORAGE_FILE_NONE) {
        virXMLNodeReportError(format, VIR_ERR_XML_DETAIL, "missing attribute 'type'");
        return NULL;
    }

    if (!(source = virXMLNodeGetChild(node, "source"))) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "a backing store needs a <source> element");
        return NULL;
    }
    if (virDomainParseSource(source, flags, src) < 0)
        return NULL;

    if (!(next = virXMLNodeGetChild(node, "backingStore"))) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
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
    g_autofree char *bus = virXMLPropString(node, "bus");
    size_t len;

    if (!(disk->dst = virXMLPropStringRequired(node, "dev")))
        return -1;
    len = strlen(disk->dst);
    if (len < 3 ||
        strspn(disk->dst + 2, "abcdefghijklmnopqrstuvwxyz") != len - 2 ||
        (!g_str_has_prefix(disk->dst, "vd") && !g_str_has_prefix(disk->dst, "hd") &&
         !g_str_has_prefix(disk->dst, "sd"))) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                              "invalid disk target '%s' (expected vdX, hdX or sdX)",
                              disk->dst);
        return -1;
    }

    if (bus) {
        int val = virDomainDiskBusFromString(bus);

        if (val < 0) {
            virXMLNodeReportError(node, VIR_ERR_CONFIG_UNSUPPORTED,
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
    g_autofree char *type = virXMLPropString(node, "type");
    g_autofree char *device = virXMLPropString(node, "device");
    g_autofree char *conflict = NULL;
    xmlNode *source = NULL;
    xmlNode *target = NULL;
    xmlNode *backing = NULL;
    xmlNode *child;
    size_t i;

    if (g_strcmp0(type, "file") != 0) {
        virXMLNodeReportError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                              "unsupported disk type '%s' (only 'file' is supported)",
                              type ? type : "");
        return NULL;
    }
    if (device && strcmp(device, "disk") != 0) {
        virXMLNodeReportError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                              "unsupported disk device '%s' (only 'disk' is supported)",
                              device);
        return NULL;
    }
    disk->src = virStorageSourceNew();

    for (child = node->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (virXMLNodeNameEqual(child, "driver")) {
            g_autofree char *name = virXMLPropString(child, "name");

            if (name && strcmp(name, "qemu") != 0) {
                virXMLNodeReportError(child, VIR_ERR_CONFIG_UNSUPPORTED,
                                      "unsupported disk driver '%s'", name);
                return NULL;
            }
            g_free(disk->driverName);
            disk->driverName = g_steal_pointer(&name);
            if (virDomainParseFormat(child, "type", &disk->src->format) < 0)
                return NULL;
        } else if (virXMLNodeNameEqual(child, "source")) {
            source = child;
        } else if (virXMLNodeNameEqual(child, "backingStore")) {
            backing = child;
        } else if (virXMLNodeNameEqual(child, "target")) {
            target = child;
        } else if (virXMLNodeNameEqual(child, "readonly")) {
            disk->readonly = true;
        } else if (virXMLNodeNameEqual(child, "alias")) {
            /* Device ids are the driver's: only a status file sets them. */
            if (flags & VIR_DOMAIN_DEF_PARSE_STATUS) {
                g_free(disk->alias);
                disk->alias = virXMLPropString(child, "name");
            }
        }
    }

    if (!source) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL, "a disk needs a <source> element");
        return NULL;
    }
    if (!target) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL, "a disk needs a <target> element");
        return NULL;
    }
    if (virDomainParseSource(source, flags, disk->src) < 0)
        return NULL;
    disk->src->readonly = disk->readonly;
    if (virDomainParseDiskTarget(target, disk) < 0)
        return NULL;
    for (i = 0; i < def->ndisks; i++) {
        if (strcmp(def->disks[i]->dst, disk->dst) == 0) {
            virXMLNodeReportError(target, VIR_ERR_XML_DETAIL,
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
        xmlNode *priv = virXMLNodeGetChild(node, "privateData");
        xmlNode *chain = priv ? virXMLNodeGetChild(priv, "chain") : NULL;
        g_autofree char *origin = chain ? virXMLPropString(chain, "origin") : NULL;

        /* A status file says where a known chain came from. */
        if (backing && g_strcmp0(origin, "probe") == 0) {
            virStorageSource *src;

            for (src = disk->src; src; src = src->backingStore)
                src->backingFromXML = false;
        }
    }

    if ((conflict = virDomainDiskCheckPaths(def, def->ndisks, disk))) {
        virXMLNodeReportError(source, VIR_ERR_CONFIG_UNSUPPORTED, "%s", conflict);
        return NULL;
    }
    return g_steal_pointer(&disk);
}

static virDomainChrDef *
virDomainParseChr(xmlNode *node)
{
    g_autoptr(virDomainChrDef) chr = g_new0(virDomainChrDef, 1);
    g_autofree char *type = virXMLPropString(node, "type");
    xmlNode *source = virXMLNodeGetChild(node, "source");
    xmlNode *target = virXMLNodeGetChild(node, "target");
    int val;

    chr->port = -1;
    if ((val = virDomainChrTypeFromString(type)) < 0) {
        virXMLNodeReportError(node, VIR_ERR_CONFIG_UNSUPPORTED,
                              "unsupported character device type '%s' (use 'file' or 'null')",
                              type ? type : "");
        return NULL;
    }
    chr->type = val;

    if (chr->type == VIR_DOMAIN_CHR_TYPE_FILE) {
        if (!source) {
            virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                                  "a character device of type 'file' needs a <source> element");
            return NULL;
        }
        if (!(chr->path = virXMLPropStringRequired(source, "path")))
            return NULL;
        if (virDomainCheckPath(source, "output path", chr->path) < 0)
            return NULL;
    }

    if (target) {
        guint64 num;
        int rc;

        if ((rc = virXMLPropUInt(target, "port", 0, G_MAXINT, &num)) < 0)
            return NULL;
        if (rc > 0)
            chr->port = (int)num;
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
        if (virXMLNodeNameEqual(child, "emulator")) {
            g_free(def->emulator);
            if (!(def->emulator = virXMLNodeContentString(child)))
                return -1;
            if (virDomainCheckPath(child, "emulator", def->emulator) < 0)
                return -1;
        } else if (virXMLNodeNameEqual(child, "disk")) {
            virDomainDiskDef *disk = virDomainParseDisk(child, flags, def);

            if (!disk)
                return -1;
            def->disks = g_renew(virDomainDiskDef *, def->disks, def->ndisks + 1);
            def->disks[def->ndisks++] = disk;
        } else if (virXMLNodeNameEqual(child, "serial") ||
                   virXMLNodeNameEqual(child, "console")) {
            bool serial = virXMLNodeNameEqual(child, "serial");
            virDomainChrDef ***list = serial ? &def->serials : &def->consoles;
            size_t *n = serial ? &def->nserials : &def->nconsoles;
            virDomainChrDef *chr = virDomainParseChr(child);

            if (!chr)
                return -1;
            *list = g_renew(virDomainChrDef *, *list, *n + 1);
            (*list)[(*n)++] = chr;
        }
    }
    return 0;
}

static int
virDomainParseOS(xmlNode *node, virDomainDef *def)
{
    xmlNode *type = virXMLNodeGetChild(node, "type");
    g_autofree char *text = NULL;
    g_autofree char *arch = NULL;

    if (!type) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL, "missing element 'type'");
        return -1;
    }
    if (!(text = virXMLNodeContentString(type)))
        return -1;
    g_strstrip(text);
    if (strcmp(text, "hvm") != 0) {
        virXMLNodeReportError(type, VIR_ERR_CONFIG_UNSUPPORTED,
                              "unsupported OS type '%s' (only 'hvm' is supported)", text);
        return -1;
    }
    arch = virXMLPropString(type, "arch");
    if (arch && strcmp(arch, "x86_64") != 0) {
        virXMLNodeReportError(type, VIR_ERR_CONFIG_UNSUPPORTED,
                              "unsupported architecture '%s' (only 'x86_64' is supported)",
                              arch);
        return -1;
    }
    g_free(def->osType);
    def->osType = g_steal_pointer(&text);
    g_free(def->arch);
    def->arch = arch ? g_steal_pointer(&arch) : g_strdup("x86_64");
    g_free(def->machine);
    def->machine = virXMLPropString(type, "machine");
    return 0;
}

static int
virDomainParseLifecycle(xmlNode *node, virDomainLifecycleAction *action)
{
    g_autofree char *text = virXMLNodeContentString(node);
    int val;

    if (!text)
        return -1;
    g_strstrip(text);
    if ((val = virDomainLifecycleActionFromString(text)) < 0) {
        virXMLNodeReportError(node, VIR_ERR_CONFIG_UNSUPPORTED,
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
 * libvirt. Returns what is wrong with @name (a new string), NULL if
 * nothing.
 */
static char *
virDomainNameProblem(const char *name)
{
    const char *p;
    gunichar first;
    gunichar last;

    if (!*name)
        return g_strdup("the domain name is empty");
    /* First, so that the names in the messages below are printable. */
    for (p = name; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if (g_unichar_iscntrl(c)) {
            g_autofree char *shown = g_strescape(name, NULL);

            return g_strdup_printf("domain name '%s' contains a control character (U+%04X)",
                                   shown, (unsigned int) c);
        }
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return g_strdup_printf("domain name '%s' is not allowed, it names a directory",
                               name);
    if (strchr(name, '/'))
        return g_strdup_printf("domain name '%s' contains '/'", name);
    first = g_utf8_get_char(name);
    last = g_utf8_get_char(g_utf8_find_prev_char(name, name + strlen(name)));
    if (g_unichar_isspace(first) || g_unichar_isspace(last))
        return g_strdup_printf("domain name '%s' begins or ends with a blank", name);
    return NULL;
}

/*
 * The rules of virDomainNameProblem() for a new definition; for one
 * already on disk (VIR_DOMAIN_DEF_PARSE_ON_DISK) only those every version
 * had (a name, without '/' or a line feed: a file name): the others came
 * later, and a domain an older version defined or started under a name
 * they refuse must still load, or its QEMU would be orphaned. It cannot be
 * defined again under that name.
 */
static int
virDomainCheckName(xmlNode *node, const char *name, unsigned int flags)
{
    g_autofree char *problem = virDomainNameProblem(name);

    if (!problem)
        return 0;
    if (!(flags & VIR_DOMAIN_DEF_PARSE_ON_DISK) || !*name || strpbrk(name, "/\n")) {
        virXMLNodeReportError(node, VIR_ERR_XML_DETAIL, "%s", problem);
        return -1;
    }
    VIR_WARN("%s%s%s%s: loaded as an older version saved it, though no new definition may have this name",
             problem, node->doc && node->doc->URL ? " (in '" : "",
             node->doc && node->doc->URL ? (const char *) node->doc->URL : "",
             node->doc && node->doc->URL ? "')" : "");
    return 0;
}

static int
virDomainParseIdentity(xmlNode *name, xmlNode *uuid, xmlNode *title,
                       unsigned int flags, virDomainDef *def)
{
    if (!(def->name = virXMLNodeContentString(name)))
        return -1;
    if (virDomainCheckName(name, def->name, flags) < 0)
        return -1;

    if (uuid) {
        g_autofree char *text = virXMLNodeContentString(uuid);

        /* As in libvirt's schema, no blanks around the UUID. */
        if (!text)
            return -1;
        if (virUUIDParse(text, def->uuid) < 0) {
            virXMLNodeReportError(uuid, VIR_ERR_XML_DETAIL, "malformed UUID '%s'", text);
            return -1;
        }
    } else {
        virUUIDGenerate(def->uuid);
    }

    if (title) {
        if (!(def->title = virXMLNodeContentString(title)))
            return -1;
        if (def->title[0] == '\0' || strchr(def->title, '\n')) {
            virXMLNodeReportError(title, VIR_ERR_XML_DETAIL,
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

    if (!root || !virXMLNodeNameEqual(root, "domain")) {
        virReportError(VIR_ERR_XML_ERROR, "unexpected root element '%s', expecting 'domain'",
                       root && root->name ? (const char *)root->name : "");
        return NULL;
    }

    type = virXMLPropString(root, "type");
    if ((val = virDomainVirtTypeFromString(type)) < 0) {
        virXMLNodeReportError(root, VIR_ERR_CONFIG_UNSUPPORTED,
                              "unsupported domain type '%s' (use 'qemu' or 'kvm')",
                              type ? type : "");
        return NULL;
    }
    def->virtType = val;

    if (flags & VIR_DOMAIN_DEF_PARSE_STATUS) {
        guint64 num;
        int rc;

        if ((rc = virXMLPropUInt(root, "id", 0, G_MAXINT, &num)) < 0)
            return NULL;
        if (rc > 0)
            def->id = (int)num;
    }

    for (child = root->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (virXMLNodeNameEqual(child, "name")) {
            name = child;
        } else if (virXMLNodeNameEqual(child, "uuid")) {
            uuid = child;
        } else if (virXMLNodeNameEqual(child, "title")) {
            title = child;
        } else if (virXMLNodeNameEqual(child, "description")) {
            g_free(def->description);
            if (!(def->description = virXMLNodeContentString(child)))
                return NULL;
        } else if (virXMLNodeNameEqual(child, "memory")) {
            memory = child;
        } else if (virXMLNodeNameEqual(child, "currentMemory")) {
            curMemory = child;
        } else if (virXMLNodeNameEqual(child, "vcpu")) {
            g_autofree char *text = virXMLNodeContentString(child);
            guint64 num;

            if (!text)
                return NULL;
            if (virXMLParseUInt(child, "vCPU count", text, 1, G_MAXUINT16, &num) < 0)
                return NULL;
            def->vcpus = (unsigned int)num;
        } else if (virXMLNodeNameEqual(child, "os")) {
            os = child;
        } else if (virXMLNodeNameEqual(child, "on_poweroff")) {
            if (virDomainParseLifecycle(child, &def->onPoweroff) < 0)
                return NULL;
        } else if (virXMLNodeNameEqual(child, "on_reboot")) {
            if (virDomainParseLifecycle(child, &def->onReboot) < 0)
                return NULL;
        } else if (virXMLNodeNameEqual(child, "on_crash")) {
            if (virDomainParseLifecycle(child, &def->onCrash) < 0)
                return NULL;
        }
    }

    if (!name) {
        virXMLNodeReportError(root, VIR_ERR_NO_NAME, "missing element 'name'");
        return NULL;
    }
    if (virDomainParseIdentity(name, uuid, title, flags, def) < 0)
        return NULL;

    if (!memory) {
        virXMLNodeReportError(root, VIR_ERR_XML_DETAIL, "missing element 'memory'");
        return NULL;
    }
    if (virXMLNodeContentSizeKiB(memory, &def->maxMemKiB) < 0)
        return NULL;
    if (def->maxMemKiB == 0) {
        virXMLNodeReportError(memory, VIR_ERR_XML_DETAIL,
                              "the memory size must be greater than zero");
        return NULL;
    }
    def->curMemKiB = def->maxMemKiB;
    if (curMemory) {
        if (virXMLNodeContentSizeKiB(curMemory, &def->curMemKiB) < 0)
            return NULL;
        if (def->curMemKiB == 0 || def->curMemKiB > def->maxMemKiB) {
            virXMLNodeReportError(curMemory, VIR_ERR_XML_DETAIL,
                                  "the current memory (%llu KiB) must be greater than zero and at most the memory (%llu KiB)",
                                  def->curMemKiB, def->maxMemKiB);
            return NULL;
        }
    }

    if (!os) {
        virXMLNodeReportError(root, VIR_ERR_NO_OS, "missing element 'os'");
        return NULL;
    }
    if (virDomainParseOS(os, def) < 0)
        return NULL;

    for (child = root->children; child; child = child->next) {
        if (virXMLNodeNameEqual(child, "devices") &&
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
 * names, where a chain came from) is read. The name must be a file name
 * that reads unambiguously (no '/', no control character, no blank at
 * either end, not '.' or '..'); with VIR_DOMAIN_DEF_PARSE_ON_DISK only
 * the rules older versions had apply (not empty, no '/' or line feed), a
 * warning being logged for a name that breaks the others.
 *
 * Returns a new definition (free with virDomainDefFree()), or NULL with an
 * error reported (see virDomainDefParseString()).
 */
virDomainDef *
virDomainDefParseNode(xmlDocPtr xml, xmlNodePtr root, unsigned int flags)
{
    virCheckFlags(VIR_DOMAIN_DEF_PARSE_STATUS | VIR_DOMAIN_DEF_PARSE_ON_DISK, NULL);

    if (!xml || !root) {
        virReportInvalidNonNullArg(root);
        return NULL;
    }
    if (!(flags & VIR_DOMAIN_DEF_PARSE_STATUS) &&
        virDomainDefValidateSchema(xml, root) < 0)
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
    g_autoptr(xmlDoc) doc = NULL;

    virCheckFlags(VIR_DOMAIN_DEF_PARSE_STATUS | VIR_DOMAIN_DEF_PARSE_ON_DISK, NULL);

    if (!xml) {
        virReportInvalidNonNullArg(xml);
        return NULL;
    }
    if (!(doc = virXMLParseString(xml, "domain XML")))
        return NULL;
    return virDomainDefParseNode(doc, xmlDocGetRootElement(doc), flags);
}

/* The number of reasons of @state our public header names (reason 0,
 * "unknown", for the states it names none for). */
static int
virDomainStateReasonCount(int state)
{
    switch ((virDomainState) state) {
    case VIR_DOMAIN_RUNNING:
        return VIR_DOMAIN_RUNNING_LAST;
    case VIR_DOMAIN_PAUSED:
        return VIR_DOMAIN_PAUSED_LAST;
    case VIR_DOMAIN_SHUTOFF:
        return VIR_DOMAIN_SHUTOFF_LAST;
    case VIR_DOMAIN_NOSTATE:
    case VIR_DOMAIN_BLOCKED:
    case VIR_DOMAIN_SHUTDOWN:
    case VIR_DOMAIN_CRASHED:
    case VIR_DOMAIN_PMSUSPENDED:
    case VIR_DOMAIN_LAST:
        break;
    }
    return 1;
}

/* The attributes of <domstatus>: state, reason, the process and whether
 * the domain is persistent. */
static int
virDomainObjParseState(xmlNode *root, virDomainObj *vm)
{
    g_autofree char *state = NULL;
    g_autofree char *bootid = NULL;
    guint64 num;
    int val;
    int rc;

    if (!(state = virXMLPropStringRequired(root, "state")))
        return -1;
    if ((val = virDomainStateFromString(state)) < 0) {
        virXMLNodeReportError(root, VIR_ERR_XML_DETAIL,
                              "unknown domain state '%s'", state);
        return -1;
    }
    vm->state = val;
    if (virXMLPropUIntRequired(root, "reason", 0,
                               virDomainStateReasonCount(val) - 1, &num) < 0)
        return -1;
    vm->reason = (int) num;
    /* 0: no process yet (a start that had not forked). */
    if (virXMLPropUIntRequired(root, "pid", 0, G_MAXINT32, &num) < 0)
        return -1;
    vm->pid = (pid_t) num;
    if ((rc = virXMLPropYesNo(root, "persistent", &vm->persistent)) < 0)
        return -1;
    if (rc == 0) {
        virXMLNodeReportError(root, VIR_ERR_XML_DETAIL,
                              "missing attribute 'persistent'");
        return -1;
    }

    /* Both or neither: the one without the other identifies nothing. */
    bootid = virXMLPropString(root, "bootid");
    if ((rc = virXMLPropUInt(root, "starttime", 0, G_MAXUINT64, &num)) < 0)
        return -1;
    if ((rc > 0) != (bootid != NULL)) {
        virXMLNodeReportError(root, VIR_ERR_XML_DETAIL,
                              "attribute '%s' without '%s'",
                              bootid ? "bootid" : "starttime",
                              bootid ? "starttime" : "bootid");
        return -1;
    }
    if (bootid && !*bootid) {
        virXMLNodeReportError(root, VIR_ERR_XML_DETAIL,
                              "attribute 'bootid' is empty");
        return -1;
    }
    vm->pidStartTime = rc > 0 ? num : 0;
    vm->pidBootID = g_steal_pointer(&bootid);
    return 0;
}

/* <heldoutcomes> (see virDomainObjFormatHeldOutcomes()); files older
 * than it have none. */
static int
virDomainObjParseHeldOutcomes(xmlNode *root, virDomainObj *vm)
{
    xmlNode *node = virXMLNodeGetChild(root, "heldoutcomes");

    for (xmlNode *c = node ? node->children : NULL; c; c = c->next) {
        g_autofree char *disk = NULL;
        g_autofree char *path = NULL;
        g_autofree char *status = NULL;
        guint before;
        int st;

        if (!virXMLNodeNameEqual(c, "outcome"))
            continue;
        if (!(disk = virXMLPropStringRequired(c, "disk")) ||
            !(path = virXMLPropStringRequired(c, "path")) ||
            !(status = virXMLPropStringRequired(c, "status")))
            return -1;
        if (!*disk) {
            virXMLNodeReportError(c, VIR_ERR_XML_DETAIL,
                                  "held outcome with an empty disk target");
            return -1;
        }
        if (!g_path_is_absolute(path)) {
            virXMLNodeReportError(c, VIR_ERR_XML_DETAIL,
                                  "held outcome path '%s' is not absolute", path);
            return -1;
        }
        if ((st = virDomainBlockPullStatusFromString(status)) < 0) {
            virXMLNodeReportError(c, VIR_ERR_XML_DETAIL,
                                  "unknown block pull outcome '%s'", status);
            return -1;
        }
        /* One per disk: a second one would replace the first. */
        before = vm->heldOutcomes->len;
        virDomainObjHoldOutcome(vm, disk, 0, path, st, 0);
        if (vm->heldOutcomes->len == before) {
            virXMLNodeReportError(c, VIR_ERR_XML_DETAIL,
                                  "a second held outcome for disk '%s'", disk);
            return -1;
        }
    }
    return 0;
}

/* The status file @name (a path, or what a string came from), parsed
 * into @doc. */
static virDomainObj *
virDomainObjParseDoc(xmlDoc *doc, const char *name, virDomainXMLOption *xmlopt)
{
    g_autoptr(virDomainObj) vm = NULL;
    xmlNode *root;
    xmlNode *node;

    root = xmlDocGetRootElement(doc);
    if (!root || !virXMLNodeNameEqual(root, "domstatus")) {
        virReportError(VIR_ERR_XML_ERROR,
                       "'%s' is not a domain status file: its root element is '%s', not 'domstatus'",
                       name, root ? (const char *) root->name : "");
        return NULL;
    }
    vm = virDomainObjNew(xmlopt);
    if (virDomainObjParseState(root, vm) < 0)
        return NULL;

    if (!(node = virXMLNodeGetChild(root, "domain"))) {
        virXMLNodeReportError(root, VIR_ERR_XML_DETAIL, "missing element 'domain'");
        return NULL;
    }
    if (!(vm->def = virDomainDefParseNode(doc, node, VIR_DOMAIN_DEF_PARSE_STATUS |
                                          VIR_DOMAIN_DEF_PARSE_ON_DISK)))
        return NULL;
    if ((node = virXMLNodeGetChild(root, "persistent"))) {
        xmlNode *dnode = virXMLNodeGetChild(node, "domain");

        if (!dnode) {
            virXMLNodeReportError(node, VIR_ERR_XML_DETAIL,
                                  "missing element 'domain'");
            return NULL;
        }
        if (!(vm->newDef = virDomainDefParseNode(doc, dnode,
                                                 VIR_DOMAIN_DEF_PARSE_ON_DISK)))
            return NULL;
    }

    if (virDomainObjParseHeldOutcomes(root, vm) < 0)
        return NULL;
    if (xmlopt && xmlopt->privateData.parse &&
        xmlopt->privateData.parse(root, vm) < 0)
        return NULL;
    return g_steal_pointer(&vm);
}

/**
 * virDomainObjParseFile:
 * @path: a status file
 * @xmlopt: the driver's options (its private data callbacks)
 *
 * Read a status file (see domain_conf.h).
 *
 * Returns a new domain object, not listed, with one reference for the
 * caller; or NULL with an error reported.
 */
virDomainObj *
virDomainObjParseFile(const char *path, virDomainXMLOption *xmlopt)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = virXMLParseFile(path, "status file")))
        return NULL;
    return virDomainObjParseDoc(doc, path, xmlopt);
}

/**
 * virDomainObjParseString:
 * @xml: the content of a status file
 * @name: where it came from, for messages
 * @xmlopt: the driver's options (its private data callbacks)
 *
 * virDomainObjParseFile() for a status file already read.
 *
 * Returns a new domain object, not listed, with one reference for the
 * caller; or NULL with an error reported.
 */
virDomainObj *
virDomainObjParseString(const char *xml, const char *name,
                        virDomainXMLOption *xmlopt)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = virXMLParseString(xml, "status file")))
        return NULL;
    return virDomainObjParseDoc(doc, name, xmlopt);
}
