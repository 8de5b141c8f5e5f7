/* domain_format.c: a virDomainDef as domain XML, as libvirt 9.0 writes it. */
#include <config.h>

#include "conf/domain_conf.h"
#include "util/viruuid.h"
#include "util/virxml.h"

typedef struct {
    virXMLBuffer buf;
    bool live;              /* id, aliases, indexes, probed chains */
    bool status;            /* also node names and private data */
    unsigned int nextIndex; /* for images that have no index yet */
} virDomainFormatter;

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
    g_autofree char *file = virXMLEscapeAttr(src->path ? src->path : "");
    g_autofree char *indexAttr = index ? g_strdup_printf(" index='%u'", index)
                                       : g_strdup("");

    if (!f->status || (!src->nodeformat && !src->nodestorage)) {
        virXMLBufferAddLine(&f->buf, "<source file='%s'%s/>", file, indexAttr);
        return;
    }
    virXMLBufferOpen(&f->buf, "<source file='%s'%s>", file, indexAttr);
    virXMLBufferOpen(&f->buf, "<privateData>");
    virXMLBufferOpen(&f->buf, "<nodenames>");
    if (src->nodestorage) {
        g_autofree char *name = virXMLEscapeAttr(src->nodestorage);

        virXMLBufferAddLine(&f->buf, "<nodename type='storage' name='%s'/>", name);
    }
    if (src->nodeformat) {
        g_autofree char *name = virXMLEscapeAttr(src->nodeformat);

        virXMLBufferAddLine(&f->buf, "<nodename type='format' name='%s'/>", name);
    }
    virXMLBufferClose(&f->buf, "nodenames");
    virXMLBufferClose(&f->buf, "privateData");
    virXMLBufferClose(&f->buf, "source");
}

static void
virDomainFormatChain(virDomainFormatter *f, const virStorageSource *top)
{
    const virStorageSource *src;
    size_t depth = 0;

    /* Open each image's element, print the terminator, then close them. */
    for (src = top->backingStore; src; src = src->backingStore) {
        if (src->type == VIR_STORAGE_TYPE_NONE) {
            virXMLBufferAddLine(&f->buf, "<backingStore/>");
            break;
        }
        if (f->live) {
            virXMLBufferOpen(&f->buf, "<backingStore type='file' index='%u'>",
                             virDomainFormatIndex(f, src));
        } else {
            virXMLBufferOpen(&f->buf, "<backingStore type='file'>");
        }
        depth++;
        if (src->format != VIR_STORAGE_FILE_NONE)
            virXMLBufferAddLine(&f->buf, "<format type='%s'/>",
                                virStorageFileFormatToString(src->format));
        virDomainFormatSource(f, src, 0);
    }
    while (depth-- > 0)
        virXMLBufferClose(&f->buf, "backingStore");
}

static void
virDomainFormatDisk(virDomainFormatter *f, const virDomainDiskDef *disk)
{
    const virStorageSource *src = disk->src;
    bool showChain;

    virXMLBufferOpen(&f->buf, "<disk type='file' device='disk'>");

    if (disk->driverName || (src && src->format != VIR_STORAGE_FILE_NONE)) {
        g_autofree char *name = disk->driverName
            ? g_strdup_printf(" name='%s'", disk->driverName) : g_strdup("");
        g_autofree char *type = src && src->format != VIR_STORAGE_FILE_NONE
            ? g_strdup_printf(" type='%s'", virStorageFileFormatToString(src->format))
            : g_strdup("");

        virXMLBufferAddLine(&f->buf, "<driver%s%s/>", name, type);
    }

    if (src) {
        virDomainFormatSource(f, src, f->live ? virDomainFormatIndex(f, src) : 0);
        /* The persistent view keeps only a chain the user gave. */
        showChain = src->backingStore && (f->live || src->backingFromXML);
        if (showChain)
            virDomainFormatChain(f, src);
    }

    if (disk->dst) {
        virXMLBufferAddLine(&f->buf, "<target dev='%s' bus='%s'/>", disk->dst,
                            virDomainDiskBusToString(disk->bus));
    }
    if (disk->readonly)
        virXMLBufferAddLine(&f->buf, "<readonly/>");
    if (f->live && disk->alias) {
        g_autofree char *alias = virXMLEscapeAttr(disk->alias);

        virXMLBufferAddLine(&f->buf, "<alias name='%s'/>", alias);
    }
    if (f->status && src && src->backingStore) {
        virXMLBufferOpen(&f->buf, "<privateData>");
        virXMLBufferAddLine(&f->buf, "<chain origin='%s'/>",
                            src->backingFromXML ? "config" : "probe");
        virXMLBufferClose(&f->buf, "privateData");
    }

    virXMLBufferClose(&f->buf, "disk");
}

static void
virDomainFormatChr(virDomainFormatter *f, const char *element,
                   const virDomainChrDef *chr)
{
    const char *type = virDomainChrTypeToString(chr->type);

    if (!chr->path && chr->port < 0) {
        virXMLBufferAddLine(&f->buf, "<%s type='%s'/>", element, type);
        return;
    }
    virXMLBufferOpen(&f->buf, "<%s type='%s'>", element, type);
    if (chr->path) {
        g_autofree char *path = virXMLEscapeAttr(chr->path);

        virXMLBufferAddLine(&f->buf, "<source path='%s'/>", path);
    }
    if (chr->port >= 0)
        virXMLBufferAddLine(&f->buf, "<target port='%d'/>", chr->port);
    virXMLBufferClose(&f->buf, element);
}

/* <NAME>TEXT</NAME>, escaped, if @text is set. */
static void
virDomainFormatText(virDomainFormatter *f, const char *name, const char *text)
{
    g_autofree char *escaped = NULL;

    if (!text)
        return;
    escaped = virXMLEscapeText(text);
    virXMLBufferAddLine(&f->buf, "<%s>%s</%s>", name, escaped, name);
}

/* <on_poweroff> and the like: an action out of range is shown as destroy. */
static void
virDomainFormatLifecycle(virDomainFormatter *f, const char *name,
                         virDomainLifecycleAction action)
{
    const char *str = virDomainLifecycleActionToString(action);

    virXMLBufferAddLine(&f->buf, "<%s>%s</%s>", name, str ? str : "destroy", name);
}

static void
virDomainFormatOS(virDomainFormatter *f, const virDomainDef *def)
{
    g_autofree char *archEsc = def->arch ? virXMLEscapeAttr(def->arch) : NULL;
    g_autofree char *machineEsc = def->machine ? virXMLEscapeAttr(def->machine) : NULL;
    g_autofree char *arch = archEsc
        ? g_strdup_printf(" arch='%s'", archEsc) : g_strdup("");
    g_autofree char *machine = machineEsc
        ? g_strdup_printf(" machine='%s'", machineEsc) : g_strdup("");

    virXMLBufferOpen(&f->buf, "<os>");
    virXMLBufferAddLine(&f->buf, "<type%s%s>%s</type>", arch, machine,
                        def->osType ? def->osType : "hvm");
    virXMLBufferClose(&f->buf, "os");
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
    virDomainFormatter f = {
        .buf = { .str = buf, .indent = indent > 0 ? indent : 0 },
    };
    char uuid[VIR_UUID_STRING_BUFLEN];
    size_t i;

    f.status = !!(flags & VIR_DOMAIN_DEF_FORMAT_STATUS);
    f.live = f.status || !(flags & VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    f.nextIndex = virDomainDefMaxStorageIndex(def) + 1;

    if (f.live && def->id >= 0) {
        virXMLBufferOpen(&f.buf, "<domain type='%s' id='%d'>",
                         virDomainVirtTypeToString(def->virtType), def->id);
    } else {
        virXMLBufferOpen(&f.buf, "<domain type='%s'>",
                         virDomainVirtTypeToString(def->virtType));
    }

    virDomainFormatText(&f, "name", def->name);
    virUUIDFormat(def->uuid, uuid);
    virXMLBufferAddLine(&f.buf, "<uuid>%s</uuid>", uuid);
    virDomainFormatText(&f, "title", def->title);
    virDomainFormatText(&f, "description", def->description);
    virXMLBufferAddLine(&f.buf, "<memory unit='KiB'>%llu</memory>", def->maxMemKiB);
    virXMLBufferAddLine(&f.buf, "<currentMemory unit='KiB'>%llu</currentMemory>",
                        def->curMemKiB ? def->curMemKiB : def->maxMemKiB);
    virXMLBufferAddLine(&f.buf, "<vcpu placement='static'>%u</vcpu>",
                        def->vcpus ? def->vcpus : 1);
    virDomainFormatOS(&f, def);
    virDomainFormatLifecycle(&f, "on_poweroff", def->onPoweroff);
    virDomainFormatLifecycle(&f, "on_reboot", def->onReboot);
    virDomainFormatLifecycle(&f, "on_crash", def->onCrash);

    if (def->emulator || def->ndisks || def->nserials || def->nconsoles) {
        virXMLBufferOpen(&f.buf, "<devices>");
        virDomainFormatText(&f, "emulator", def->emulator);
        for (i = 0; i < def->ndisks; i++)
            virDomainFormatDisk(&f, def->disks[i]);
        for (i = 0; i < def->nserials; i++)
            virDomainFormatChr(&f, "serial", def->serials[i]);
        for (i = 0; i < def->nconsoles; i++)
            virDomainFormatChr(&f, "console", def->consoles[i]);
        virXMLBufferClose(&f.buf, "devices");
    }

    virXMLBufferClose(&f.buf, "domain");
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

/* <heldoutcomes>: the pull outcomes nobody heard yet (see
 * virDomainHeldOutcome). The stamps and serials belong to this process
 * and are not written. */
static void
virDomainObjFormatHeldOutcomes(virXMLBuffer *buf, virDomainObj *vm)
{
    if (vm->heldOutcomes->len == 0)
        return;
    virXMLBufferOpen(buf, "<heldoutcomes>");
    for (guint i = 0; i < vm->heldOutcomes->len; i++) {
        virDomainHeldOutcome *held = g_ptr_array_index(vm->heldOutcomes, i);
        g_autofree char *disk = virXMLEscapeAttr(held->disk);
        g_autofree char *path = virXMLEscapeAttr(held->path);

        virXMLBufferAddLine(buf, "<outcome disk='%s' path='%s' status='%s'/>",
                            disk, path,
                            virDomainBlockPullStatusToString(held->status));
    }
    virXMLBufferClose(buf, "heldoutcomes");
}

/**
 * virDomainObjFormat:
 * @vm: a domain object, locked by the caller
 * @xmlopt: its driver's options (for the private data)
 *
 * Returns @vm's status file (see domain_conf.h), a new string; never
 * fails.
 */
char *
virDomainObjFormat(virDomainObj *vm, virDomainXMLOption *xmlopt)
{
    GString *str = g_string_new(NULL);
    virXMLBuffer buf = { .str = str, .indent = 0 };
    g_autofree char *identity = NULL;
    const char *state = virDomainStateToString(vm->state);

    /* The pid's identity only with a pid to identify. */
    if (vm->pid > 0 && vm->pidBootID) {
        g_autofree char *bootid = virXMLEscapeAttr(vm->pidBootID);

        identity = g_strdup_printf(" starttime='%llu' bootid='%s'",
                                   vm->pidStartTime, bootid);
    }
    virXMLBufferOpen(&buf, "<domstatus state='%s' reason='%d' pid='%d' persistent='%s'%s>",
                     state ? state : "nostate", vm->reason, (int) vm->pid,
                     vm->persistent ? "yes" : "no", identity ? identity : "");
    if (xmlopt && xmlopt->privateData.format)
        xmlopt->privateData.format(&buf, vm);
    virDomainObjFormatHeldOutcomes(&buf, vm);
    virDomainDefFormatBuf(str, vm->def, VIR_DOMAIN_DEF_FORMAT_STATUS, buf.indent);
    if (vm->newDef) {
        virXMLBufferOpen(&buf, "<persistent>");
        virDomainDefFormatBuf(str, vm->newDef, VIR_DOMAIN_DEF_FORMAT_INACTIVE,
                              buf.indent);
        virXMLBufferClose(&buf, "persistent");
    }
    virXMLBufferClose(&buf, "domstatus");
    return g_string_free(str, FALSE);
}
