/* qemu_command.c: build the QEMU argv of a domain and the names it uses. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "qemu_command.h"
#include "util/virerror.h"
#include "util/virjson.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

#ifndef QEMU_SYSTEM_PATH
# define QEMU_SYSTEM_PATH "/usr/bin/qemu-system-x86_64"
#endif

#define QEMU_NODE_NAME_PREFIX "libvirt-"
#define QEMU_DEFAULT_MACHINE "pc"

/* The i440fx ('pc') machine has two IDE buses with two units each. */
#define QEMU_IDE_BUSES 2
#define QEMU_IDE_UNITS 2
/* An AHCI controller (ich9-ahci, or q35's built-in one) has six ports. */
#define QEMU_SATA_PORTS 6
/* isa-serial index 0..3 (COM1..COM4). */
#define QEMU_ISA_SERIAL_PORTS 4


/*
 * The number N of a node name "libvirt-N-format" / "libvirt-N-storage", or
 * 0 if @name is not one of ours.
 */
static unsigned long long
qemuNodeNameIndex(const char *name)
{
    const char *p;
    char *end = NULL;
    unsigned long long idx;

    if (!name || !g_str_has_prefix(name, QEMU_NODE_NAME_PREFIX))
        return 0;
    p = name + strlen(QEMU_NODE_NAME_PREFIX);
    if (!g_ascii_isdigit(*p))
        return 0;
    idx = g_ascii_strtoull(p, &end, 10);
    if (strcmp(end, "-format") != 0 && strcmp(end, "-storage") != 0)
        return 0;
    return idx;
}


/*
 * The index encoded in a disk target name: "vda" -> 0, "hdb" -> 1,
 * "sdz" -> 25, "sdaa" -> 26. -1 if @dst is not of that form.
 */
static int
qemuDiskNameToIndex(const char *dst)
{
    static const char *prefixes[] = { "vd", "hd", "sd" };
    const char *p = NULL;
    int idx = 0;
    size_t i;

    if (!dst)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        if (g_str_has_prefix(dst, prefixes[i])) {
            p = dst + strlen(prefixes[i]);
            break;
        }
    }
    /* Up to 5 letters: far beyond any bus, far from overflowing an int. */
    if (!p || !*p || strlen(p) > 5)
        return -1;
    for (; *p; p++) {
        if (*p < 'a' || *p > 'z')
            return -1;
        idx = idx * 26 + (*p - 'a' + 1);
    }
    return idx - 1;
}


static char *
qemuDiskAlias(const virDomainDiskDef *disk, size_t pos)
{
    int idx = qemuDiskNameToIndex(disk->dst);

    /* A target we cannot read still gets a unique, stable alias. */
    if (idx < 0)
        idx = pos;

    switch (disk->bus) {
    case VIR_DOMAIN_DISK_BUS_VIRTIO:
        return g_strdup_printf("virtio-disk%d", idx);
    case VIR_DOMAIN_DISK_BUS_IDE:
        return g_strdup_printf("ide0-%d-%d", idx / QEMU_IDE_UNITS,
                               idx % QEMU_IDE_UNITS);
    case VIR_DOMAIN_DISK_BUS_SATA:
        return g_strdup_printf("sata0-0-%d", idx);
    case VIR_DOMAIN_DISK_BUS_SCSI:
        return g_strdup_printf("scsi0-0-0-%d", idx);
    case VIR_DOMAIN_DISK_BUS_LAST:
        break;
    }
    return g_strdup_printf("disk%zu", pos);
}


/**
 * qemuDomainAssignNodeNamesCounter:
 * @def: the live definition of a domain about to start (or being extended)
 * @counter: in: the last N handed out for this domain (0: none yet);
 *           out: the last N handed out now
 *
 * Give every image of every disk's chain that has none a pair of QEMU
 * block node names, "libvirt-N-format" and "libvirt-N-storage", and every
 * disk without one a device alias ("virtio-disk0", "ide0-0-0", "sata0-0-1",
 * "scsi0-0-0-2"), derived from its bus and target name as libvirt does.
 *
 * Names already present are kept. N counts on from @counter, or from the
 * highest N found in @def if that is higher (so a definition read back from
 * the status file continues its own count), disk by disk in order and, in
 * each chain, from the top image down: a fresh domain gets 1 for the top
 * image of its first disk. A driver that keeps @counter with the domain
 * never reuses an N, not even one of nodes it has deleted since.
 * The chains must be resolved before (see virDomainDefResolveChains).
 */
void
qemuDomainAssignNodeNamesCounter(virDomainDef *def, unsigned long long *counter)
{
    unsigned long long next = *counter;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        virStorageSource *src;

        for (src = def->disks[i]->src; src; src = src->backingStore) {
            next = MAX(next, qemuNodeNameIndex(src->nodeformat));
            next = MAX(next, qemuNodeNameIndex(src->nodestorage));
        }
    }

    for (i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];
        virStorageSource *src;

        for (src = disk->src; src; src = src->backingStore) {
            if (src->type == VIR_STORAGE_TYPE_NONE)
                continue;
            if (!src->nodeformat) {
                src->nodeformat = g_strdup_printf(QEMU_NODE_NAME_PREFIX "%llu-format",
                                                  ++next);
                if (!src->nodestorage)
                    src->nodestorage = g_strdup_printf(QEMU_NODE_NAME_PREFIX "%llu-storage",
                                                       next);
            } else if (!src->nodestorage) {
                src->nodestorage = g_strdup_printf(QEMU_NODE_NAME_PREFIX "%llu-storage",
                                                   ++next);
            }
        }

        if (!disk->alias)
            disk->alias = qemuDiskAlias(disk, i);
    }
    *counter = next;
}


/**
 * qemuDomainAssignNodeNames:
 * @def: the live definition of a domain about to start
 *
 * qemuDomainAssignNodeNamesCounter() with the count taken from @def alone
 * (the highest N among the names it already has, 0 for none).
 */
void
qemuDomainAssignNodeNames(virDomainDef *def)
{
    unsigned long long counter = 0;

    qemuDomainAssignNodeNamesCounter(def, &counter);
}


/* Double every ',' so @str can be a value in QEMU's key=value,... syntax. */
static char *
qemuEscapeComma(const char *str)
{
    GString *buf = g_string_sized_new(strlen(str) + 8);

    for (; *str; str++) {
        if (*str == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *str);
    }
    return g_string_free(buf, FALSE);
}


static void
qemuArgAdd(GPtrArray *argv, const char *arg)
{
    g_ptr_array_add(argv, g_strdup(arg));
}


static void
qemuArgAddPair(GPtrArray *argv, const char *opt, const char *val)
{
    g_ptr_array_add(argv, g_strdup(opt));
    g_ptr_array_add(argv, g_strdup(val));
}


static void G_GNUC_PRINTF(3, 4)
qemuArgAddPairFormat(GPtrArray *argv, const char *opt, const char *fmt, ...)
{
    va_list ap;

    g_ptr_array_add(argv, g_strdup(opt));
    va_start(ap, fmt);
    g_ptr_array_add(argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}


/* Add "@opt JSON" with @obj printed compactly and '/' left unescaped. */
static void
qemuArgAddJSON(GPtrArray *argv, const char *opt, json_object *obj)
{
    const char *str;

    str = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                              JSON_C_TO_STRING_NOSLASHESCAPE);
    qemuArgAddPair(argv, opt, str);
}


/* The QEMU block driver of an image format; NULL if QEMU has none. */
static const char *
qemuBlockDriverName(virStorageFileFormat format)
{
    switch (format) {
    case VIR_STORAGE_FILE_NONE:
    case VIR_STORAGE_FILE_RAW:
        return "raw";
    case VIR_STORAGE_FILE_QCOW2:
        return "qcow2";
    case VIR_STORAGE_FILE_LAST:
        break;
    }
    return NULL;
}


/*
 * Check one image of @disk's chain and return its format, or -1. @top says
 * whether it is the disk's top image.
 */
static int
qemuBuildCheckImage(const virDomainDiskDef *disk, const virStorageSource *src,
                    bool top)
{
    virStorageFileFormat format = src->format;

    if (src->type != VIR_STORAGE_TYPE_FILE || !src->path) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "disk '%s' has an image without a file path, only file images are supported",
                       disk->dst);
        return -1;
    }
    if (!src->nodeformat || !src->nodestorage) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "image '%s' of disk '%s' has no block node names",
                       src->path, disk->dst);
        return -1;
    }
    if (strlen(src->nodeformat) > QEMU_BLOCK_NODE_NAME_MAX ||
        strlen(src->nodestorage) > QEMU_BLOCK_NODE_NAME_MAX) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "block node names '%s' / '%s' of image '%s' are longer than %d characters",
                       src->nodeformat, src->nodestorage, src->path,
                       QEMU_BLOCK_NODE_NAME_MAX);
        return -1;
    }

    /* As libvirt, an unnamed top format is raw: formats are never probed.
     * A backing image's format comes from the chain, and must be known. */
    if (format == VIR_STORAGE_FILE_NONE) {
        if (!top) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "the format of backing image '%s' of disk '%s' is not known",
                           src->path, disk->dst);
            return -1;
        }
        format = VIR_STORAGE_FILE_RAW;
    }
    if (!qemuBlockDriverName(format)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "image '%s' of disk '%s' has an unsupported format",
                       src->path, disk->dst);
        return -1;
    }

    switch (format) {
    case VIR_STORAGE_FILE_QCOW2:
        /* Left unsaid, QEMU would open the backing file named in the
         * header itself: the chain must be known to build the argv. */
        if (!src->backingStore) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           "the backing chain of image '%s' of disk '%s' was not resolved",
                           src->path, disk->dst);
            return -1;
        }
        break;
    case VIR_STORAGE_FILE_RAW:
        if (src->backingStore &&
            src->backingStore->type != VIR_STORAGE_TYPE_NONE) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "raw image '%s' of disk '%s' cannot have a backing image",
                           src->path, disk->dst);
            return -1;
        }
        break;
    case VIR_STORAGE_FILE_NONE:
    case VIR_STORAGE_FILE_LAST:
        break;
    }
    return format;
}


static json_object *
qemuBuildStorageNodeProps(const virStorageSource *src)
{
    json_object *props = json_object_new_object();

    json_object_object_add(props, "driver", json_object_new_string("file"));
    json_object_object_add(props, "filename", json_object_new_string(src->path));
    json_object_object_add(props, "node-name",
                           json_object_new_string(src->nodestorage));
    /* The file node follows its format node: read-only unless written to. */
    json_object_object_add(props, "auto-read-only", json_object_new_boolean(true));
    json_object_object_add(props, "discard", json_object_new_string("unmap"));
    return props;
}


static json_object *
qemuBuildFormatNodeProps(const virStorageSource *src,
                         virStorageFileFormat format, bool readonly)
{
    json_object *props = json_object_new_object();

    json_object_object_add(props, "node-name",
                           json_object_new_string(src->nodeformat));
    json_object_object_add(props, "read-only", json_object_new_boolean(readonly));
    json_object_object_add(props, "driver",
                           json_object_new_string(qemuBlockDriverName(format)));
    json_object_object_add(props, "file", json_object_new_string(src->nodestorage));

    if (format == VIR_STORAGE_FILE_QCOW2) {
        /* Always explicit, null included: see qemuBuildCheckImage. */
        const virStorageSource *next = src->backingStore;

        if (next && next->type != VIR_STORAGE_TYPE_NONE)
            json_object_object_add(props, "backing",
                                   json_object_new_string(next->nodeformat));
        else
            json_object_object_add(props, "backing", NULL);
    }
    return props;
}


/* -blockdev for every image of @disk's chain, the bottom first. */
static int
qemuBuildDiskChain(GPtrArray *argv, const virDomainDiskDef *disk)
{
    g_autoptr(GPtrArray) chain = g_ptr_array_new();
    g_autofree int *formats = NULL;
    virStorageSource *src;
    size_t i;

    if (!disk->src || disk->src->type == VIR_STORAGE_TYPE_NONE) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "disk '%s' has no source image", disk->dst);
        return -1;
    }

    for (src = disk->src; src && src->type != VIR_STORAGE_TYPE_NONE;
         src = src->backingStore)
        g_ptr_array_add(chain, src);

    formats = g_new0(int, chain->len);
    for (i = 0; i < chain->len; i++) {
        if ((formats[i] = qemuBuildCheckImage(disk, g_ptr_array_index(chain, i),
                                              i == 0)) < 0)
            return -1;
    }

    for (i = chain->len; i-- > 0;) {
        g_autoptr(virJSONValue) storage = NULL;
        g_autoptr(virJSONValue) format = NULL;
        bool readonly;

        src = g_ptr_array_index(chain, i);
        /* Backing images are never written; the top only without <readonly/>. */
        readonly = i > 0 || disk->readonly || src->readonly;

        storage = qemuBuildStorageNodeProps(src);
        format = qemuBuildFormatNodeProps(src, formats[i], readonly);
        qemuArgAddJSON(argv, "-blockdev", storage);
        qemuArgAddJSON(argv, "-blockdev", format);
    }
    return 0;
}


static bool
qemuMachineIsQ35(const char *machine)
{
    return g_str_has_prefix(machine, "q35") || g_str_has_prefix(machine, "pc-q35");
}


/* The -device of @disk (its chain is already on the command line). */
static int
qemuBuildDiskDevice(GPtrArray *argv, const virDomainDiskDef *disk,
                    const char *machine)
{
    g_autoptr(virJSONValue) dev = json_object_new_object();
    bool q35 = qemuMachineIsQ35(machine);
    int idx = qemuDiskNameToIndex(disk->dst);
    g_autofree char *bus = NULL;

    if (disk->bus != VIR_DOMAIN_DISK_BUS_VIRTIO && idx < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "disk target '%s' is not a valid name for bus '%s'",
                       disk->dst ? disk->dst : "", virDomainDiskBusToString(disk->bus));
        return -1;
    }

    switch (disk->bus) {
    case VIR_DOMAIN_DISK_BUS_VIRTIO:
        json_object_object_add(dev, "driver", json_object_new_string("virtio-blk-pci"));
        break;

    case VIR_DOMAIN_DISK_BUS_IDE:
        if (q35) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s': machine '%s' has no IDE controller, use bus 'sata'",
                           disk->dst, machine);
            return -1;
        }
        if (idx >= QEMU_IDE_BUSES * QEMU_IDE_UNITS) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "IDE disk target '%s' is out of range, "
                           "machine '%s' has IDE slots 'hda' to 'hdd'",
                           disk->dst, machine);
            return -1;
        }
        bus = g_strdup_printf("ide.%d", idx / QEMU_IDE_UNITS);
        json_object_object_add(dev, "driver", json_object_new_string("ide-hd"));
        json_object_object_add(dev, "bus", json_object_new_string(bus));
        json_object_object_add(dev, "unit", json_object_new_int(idx % QEMU_IDE_UNITS));
        break;

    case VIR_DOMAIN_DISK_BUS_SATA:
        if (idx >= QEMU_SATA_PORTS) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "SATA disk target '%s' is out of range, "
                           "the controller has ports 'sda' to 'sdf'",
                           disk->dst);
            return -1;
        }
        /* q35's built-in AHCI controller is called 'ide'. */
        bus = g_strdup_printf("%s.%d", q35 ? "ide" : "sata0", idx);
        json_object_object_add(dev, "driver", json_object_new_string("ide-hd"));
        json_object_object_add(dev, "bus", json_object_new_string(bus));
        break;

    case VIR_DOMAIN_DISK_BUS_SCSI:
        json_object_object_add(dev, "driver", json_object_new_string("scsi-hd"));
        json_object_object_add(dev, "bus", json_object_new_string("scsi0.0"));
        json_object_object_add(dev, "channel", json_object_new_int(0));
        json_object_object_add(dev, "scsi-id", json_object_new_int(0));
        json_object_object_add(dev, "lun", json_object_new_int(idx));
        break;

    case VIR_DOMAIN_DISK_BUS_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "disk '%s' has an unsupported bus", disk->dst);
        return -1;
    }

    /* IDE/SATA disks cannot be read-only in QEMU (libvirt refuses too). */
    if ((disk->readonly || disk->src->readonly) &&
        (disk->bus == VIR_DOMAIN_DISK_BUS_IDE ||
         disk->bus == VIR_DOMAIN_DISK_BUS_SATA)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "disk '%s': read-only disks are not supported on bus '%s', "
                       "use 'virtio' or 'scsi'",
                       disk->dst, virDomainDiskBusToString(disk->bus));
        return -1;
    }

    json_object_object_add(dev, "drive", json_object_new_string(disk->src->nodeformat));
    json_object_object_add(dev, "id", json_object_new_string(disk->alias));
    qemuArgAddJSON(argv, "-device", dev);
    return 0;
}


static int
qemuBuildDisks(GPtrArray *argv, const virDomainDef *def, const char *machine)
{
    g_autoptr(GHashTable) aliases = g_hash_table_new(g_str_hash, g_str_equal);
    bool scsi = false;
    bool sata = false;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        const virDomainDiskDef *disk = def->disks[i];

        if (!disk->alias) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           "disk '%s' has no device alias", disk->dst);
            return -1;
        }
        /* The alias encodes the bus address, so this catches clashes too. */
        if (!g_hash_table_add(aliases, disk->alias)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s' uses the same bus address as another disk ('%s')",
                           disk->dst, disk->alias);
            return -1;
        }
        scsi |= disk->bus == VIR_DOMAIN_DISK_BUS_SCSI;
        sata |= disk->bus == VIR_DOMAIN_DISK_BUS_SATA;
    }

    if (scsi)
        qemuArgAddPair(argv, "-device", "{\"driver\":\"virtio-scsi-pci\",\"id\":\"scsi0\"}");
    if (sata && !qemuMachineIsQ35(machine))
        qemuArgAddPair(argv, "-device", "{\"driver\":\"ich9-ahci\",\"id\":\"sata0\"}");

    for (i = 0; i < def->ndisks; i++) {
        if (qemuBuildDiskChain(argv, def->disks[i]) < 0 ||
            qemuBuildDiskDevice(argv, def->disks[i], machine) < 0)
            return -1;
    }
    return 0;
}


static int
qemuBuildSerial(GPtrArray *argv, const virDomainChrDef *chr, size_t idx,
                int port, const char *what)
{
    g_autofree char *chardev = NULL;
    g_autoptr(virJSONValue) dev = json_object_new_object();
    g_autofree char *chrid = g_strdup_printf("charserial%zu", idx);
    g_autofree char *devid = g_strdup_printf("serial%zu", idx);

    switch (chr->type) {
    case VIR_DOMAIN_CHR_TYPE_NULL:
        chardev = g_strdup_printf("null,id=%s", chrid);
        break;
    case VIR_DOMAIN_CHR_TYPE_FILE: {
        g_autofree char *path = NULL;

        if (!chr->path) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "%s of type 'file' has no source path", what);
            return -1;
        }
        path = qemuEscapeComma(chr->path);
        chardev = g_strdup_printf("file,id=%s,path=%s,append=on", chrid, path);
        break;
    }
    case VIR_DOMAIN_CHR_TYPE_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "%s has an unsupported type", what);
        return -1;
    }

    qemuArgAddPair(argv, "-chardev", chardev);
    json_object_object_add(dev, "driver", json_object_new_string("isa-serial"));
    json_object_object_add(dev, "chardev", json_object_new_string(chrid));
    json_object_object_add(dev, "id", json_object_new_string(devid));
    json_object_object_add(dev, "index", json_object_new_int(port));
    qemuArgAddJSON(argv, "-device", dev);
    return 0;
}


/*
 * Serial ports. On x86 the (one) console is the first serial port: when
 * there are <serial> elements it mirrors serial0 and adds nothing; without
 * any, it becomes serial0 itself.
 */
static int
qemuBuildSerials(GPtrArray *argv, const virDomainDef *def)
{
    bool used[QEMU_ISA_SERIAL_PORTS] = { false };
    g_autofree int *ports = NULL;
    size_t i;

    if (def->nconsoles > 1) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "domain '%s' has %zu consoles, "
                       "but only one (the first serial port) is supported",
                       def->name, def->nconsoles);
        return -1;
    }

    if (def->nserials == 0) {
        if (def->nconsoles == 1)
            return qemuBuildSerial(argv, def->consoles[0], 0, 0, "console");
        return 0;
    }

    ports = g_new0(int, def->nserials);

    /* Explicit ports first; the others get the free ones, as in libvirt. */
    for (i = 0; i < def->nserials; i++) {
        int port = def->serials[i]->port;

        ports[i] = port;
        if (port < 0)
            continue;
        if (port >= QEMU_ISA_SERIAL_PORTS) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "serial port %d is out of range, ports 0 to %d are available",
                           port, QEMU_ISA_SERIAL_PORTS - 1);
            return -1;
        }
        if (used[port]) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "serial port %d is used twice", port);
            return -1;
        }
        used[port] = true;
    }
    for (i = 0; i < def->nserials; i++) {
        int port;

        if (ports[i] >= 0)
            continue;
        for (port = 0; port < QEMU_ISA_SERIAL_PORTS && used[port]; port++)
            ;
        if (port == QEMU_ISA_SERIAL_PORTS) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "domain '%s' has more than %d serial ports",
                           def->name, QEMU_ISA_SERIAL_PORTS);
            return -1;
        }
        used[port] = true;
        ports[i] = port;
    }

    for (i = 0; i < def->nserials; i++) {
        if (qemuBuildSerial(argv, def->serials[i], i, ports[i], "serial port") < 0)
            return -1;
    }
    return 0;
}


static int
qemuBuildCheckDef(const virDomainDef *def, bool kvmUsable)
{
    if (!def->name || !*def->name) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "the domain has no name");
        return -1;
    }

    switch (def->virtType) {
    case VIR_DOMAIN_VIRT_QEMU:
        break;
    case VIR_DOMAIN_VIRT_KVM:
        if (!kvmUsable) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "domain '%s' has type 'kvm' but KVM is not usable on this host "
                           "('/dev/kvm' cannot be opened), use type 'qemu' for emulation",
                           def->name);
            return -1;
        }
        break;
    case VIR_DOMAIN_VIRT_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "domain '%s' has an unsupported virtualization type",
                       def->name);
        return -1;
    }

    if (def->osType && strcmp(def->osType, "hvm") != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "OS type '%s' is not supported, only 'hvm'", def->osType);
        return -1;
    }
    if (def->arch && strcmp(def->arch, "x86_64") != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "architecture '%s' is not supported, only 'x86_64'",
                       def->arch);
        return -1;
    }
    if (def->maxMemKiB == 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "domain '%s' has no memory, set <memory>", def->name);
        return -1;
    }
    return 0;
}


/**
 * qemuBuildCommandLine:
 * @def: the live definition, with node names and aliases assigned
 *       (qemuDomainAssignNodeNames) and disk chains resolved
 * @emulator: the QEMU binary; NULL means @def's <emulator>, then
 *            QEMU_SYSTEM_PATH
 * @monitorFd: the fd number at which QEMU finds the listening QMP socket
 *             (the caller places it there in the child)
 * @pidfile: path for QEMU's -pidfile, or NULL for none
 * @kvmUsable: whether KVM works on this host (see qemuHostHasKVM)
 *
 * Build the argv that starts @def paused (-S), with no default devices, a
 * QMP monitor on @monitorFd, every disk image as an explicit -blockdev node
 * pair (file + format, backing links always spelled out so QEMU opens no
 * image on its own) and the serial ports. type 'qemu' is TCG (-accel tcg),
 * type 'kvm' is -accel kvm and needs @kvmUsable.
 *
 * Returns a NULL-terminated argv (free with g_strfreev), or NULL with an
 * error reported: VIR_ERR_CONFIG_UNSUPPORTED for a definition QEMU cannot
 * run here (type 'kvm' without KVM, bad bus addresses, ...),
 * VIR_ERR_INTERNAL_ERROR for a definition not prepared as said above.
 */
char **
qemuBuildCommandLine(const virDomainDef *def, const char *emulator,
                     int monitorFd, const char *pidfile, bool kvmUsable)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *name = NULL;
    g_autofree char *machine = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (monitorFd < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "invalid monitor file descriptor %d", monitorFd);
        return NULL;
    }
    if (qemuBuildCheckDef(def, kvmUsable) < 0)
        return NULL;

    if (!emulator)
        emulator = def->emulator ? def->emulator : QEMU_SYSTEM_PATH;

    name = qemuEscapeComma(def->name);
    machine = qemuEscapeComma(def->machine ? def->machine : QEMU_DEFAULT_MACHINE);
    virUUIDFormat(def->uuid, uuid);

    qemuArgAdd(argv, emulator);
    qemuArgAddPairFormat(argv, "-name", "guest=%s,debug-threads=on", name);
    qemuArgAdd(argv, "-S");
    qemuArgAddPair(argv, "-machine", machine);
    qemuArgAddPair(argv, "-accel",
                   def->virtType == VIR_DOMAIN_VIRT_KVM ? "kvm" : "tcg");
    qemuArgAddPairFormat(argv, "-m", "size=%lluk", def->maxMemKiB);
    qemuArgAddPairFormat(argv, "-smp", "%u", def->vcpus ? def->vcpus : 1);
    qemuArgAddPair(argv, "-uuid", uuid);
    qemuArgAddPair(argv, "-display", "none");
    qemuArgAdd(argv, "-no-user-config");
    qemuArgAdd(argv, "-nodefaults");
    qemuArgAddPairFormat(argv, "-chardev",
                         "socket,id=charmonitor,fd=%d,server=on,wait=off",
                         monitorFd);
    qemuArgAddPair(argv, "-mon", "chardev=charmonitor,id=monitor,mode=control");
    if (pidfile)
        qemuArgAddPair(argv, "-pidfile", pidfile);
    qemuArgAddPair(argv, "-boot", "strict=on");

    if (qemuBuildDisks(argv, def, def->machine ? def->machine : QEMU_DEFAULT_MACHINE) < 0)
        return NULL;
    if (qemuBuildSerials(argv, def) < 0)
        return NULL;

    qemuArgAddPair(argv, "-msg", "timestamp=on");

    g_ptr_array_add(argv, NULL);
    return (char **) g_ptr_array_free(g_steal_pointer(&argv), FALSE);
}


/**
 * qemuCommandLineToString:
 * @argv: a NULL-terminated argv
 *
 * Returns @argv as one line a shell would read back the same (arguments
 * quoted where needed), for logs. Free with g_free.
 */
char *
qemuCommandLineToString(char *const *argv)
{
    GString *buf = g_string_new(NULL);
    size_t i;

    for (i = 0; argv[i]; i++) {
        const char *arg = argv[i];
        bool plain = *arg != '\0';
        const char *p;

        for (p = arg; *p && plain; p++) {
            plain = g_ascii_isalnum(*p) || strchr("-_./=,:+@%", *p);
        }
        if (i > 0)
            g_string_append_c(buf, ' ');
        if (plain) {
            g_string_append(buf, arg);
        } else {
            g_autofree char *quoted = g_shell_quote(arg);
            g_string_append(buf, quoted);
        }
    }
    return g_string_free(buf, FALSE);
}


/**
 * qemuHostHasKVM:
 *
 * Returns true if /dev/kvm opens read-write for the calling process and
 * speaks the KVM API. (QEMU must be able to open it too: when QEMU runs as
 * another user, that user needs access to /dev/kvm.)
 */
bool
qemuHostHasKVM(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int version;

    if (fd < 0) {
        VIR_DEBUG("cannot open /dev/kvm: %s", g_strerror(errno));
        return false;
    }
    version = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    if (version != KVM_API_VERSION) {
        VIR_DEBUG("/dev/kvm speaks KVM API %d, expected %d",
                  version, KVM_API_VERSION);
        return false;
    }
    return true;
}
