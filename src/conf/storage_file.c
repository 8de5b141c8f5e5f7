/* storage_file.c: reading image headers: backing chains and virtual sizes (qcow2, raw). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/domain_conf.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/* qcow2 header layout (all fields big-endian). */
#define QCOW2_MAGIC "QFI\xfb"
#define QCOW2_OFF_VERSION 4
#define QCOW2_OFF_BACKING_OFFSET 8
#define QCOW2_OFF_BACKING_SIZE 16
#define QCOW2_OFF_CLUSTER_BITS 20
#define QCOW2_OFF_SIZE 24
#define QCOW2_OFF_CRYPT_METHOD 32
#define QCOW2_OFF_INCOMPAT_FEATURES 72
#define QCOW2_OFF_HEADER_LENGTH 100
#define QCOW2_V2_HEADER_LENGTH 72
#define QCOW2_V3_MIN_HEADER_LENGTH 104
#define QCOW2_EXT_END 0x00000000
#define QCOW2_EXT_BACKING_FORMAT 0xE2792ACAU
/* Incompatible feature bit 2: the guest data lives in another file. */
#define QCOW2_INCOMPAT_DATA_FILE (1ULL << 2)
/* QEMU refuses backing file names longer than this. */
#define QCOW2_MAX_BACKING_NAME 1023

static guint32
virStorageReadBE32(const unsigned char *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | (guint32)p[3];
}

static guint64
virStorageReadBE64(const unsigned char *p)
{
    return ((guint64)virStorageReadBE32(p) << 32) | virStorageReadBE32(p + 4);
}

/* What a file of mode @mode is, for messages. */
static const char *
virStorageFileTypeName(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    return "a special file";
}

/*
 * Only regular files and block devices are images. Anything else is refused
 * before it is opened: opening a FIFO blocks until someone opens its other
 * end (for ever, with the driver's lock held), and opening a device may have
 * effects of its own.
 */
static int
virStorageFileCheckType(const char *path, const struct stat *sb)
{
    if (S_ISREG(sb->st_mode) || S_ISBLK(sb->st_mode))
        return 0;
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   "image '%s' is %s, not a regular file or a block device",
                   path, virStorageFileTypeName(sb->st_mode));
    return -1;
}

/* stat() an image and check its type; a missing one is VIR_ERR_NO_SOURCE. */
static int
virStorageFileStat(const char *path, struct stat *sb)
{
    if (stat(path, sb) < 0) {
        if (errno == ENOENT) {
            virReportError(VIR_ERR_NO_SOURCE, "image '%s' does not exist", path);
        } else {
            virReportSystemError(errno, "cannot access image '%s'", path);
        }
        return -1;
    }
    return virStorageFileCheckType(path, sb);
}

/*
 * Open an image for reading its header, never blocking: the type is
 * checked before the open and again on the descriptor (the name may have
 * been given to another file in between; O_NONBLOCK keeps a FIFO swapped in
 * meanwhile from blocking the open).
 */
static int
virStorageFileOpen(const char *path, struct stat *sb)
{
    int fd;

    if (virStorageFileStat(path, sb) < 0)
        return -1;
    if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
        if (errno == ENOENT) {
            virReportError(VIR_ERR_NO_SOURCE, "image '%s' does not exist", path);
        } else {
            virReportSystemError(errno, "cannot open image '%s'", path);
        }
        return -1;
    }
    if (fstat(fd, sb) < 0) {
        virReportSystemError(errno, "cannot stat image '%s'", path);
        close(fd);
        return -1;
    }
    if (virStorageFileCheckType(path, sb) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read exactly @len bytes at @offset, or report that the header is cut short. */
static int
virStorageFileReadAt(int fd, const char *path, void *buf, size_t len, off_t offset)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, offset + (off_t)done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            virReportSystemError(errno, "cannot read image '%s'", path);
            return -1;
        }
        if (n == 0) {
            virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                           "the qcow2 header of image '%s' is truncated", path);
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

/* Is @name a protocol (nbd:..., json:{...}, http://...) rather than a file? */
static bool
virStorageNameIsProtocol(const char *name)
{
    const char *p;

    for (p = name; *p && *p != '/'; p++) {
        if (*p == ':')
            return p != name;
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '-' && *p != '.' && *p != '_')
            return false;
    }
    return false;
}

/*
 * Find the backing format header extension of a qcow2 image. Extensions
 * follow the header and end with a zero magic; each is {magic, length,
 * data padded to 8 bytes}. @hdr holds @len bytes from the image's start.
 * Returns 0 (*format NULL when there is none) or -1.
 */
static int
virStorageQcow2BackingFormat(const char *path, const unsigned char *hdr,
                             size_t len, size_t start, size_t end,
                             char **format)
{
    size_t off = start;

    *format = NULL;
    if (end > len)
        end = len;

    while (off + 8 <= end) {
        guint32 magic = virStorageReadBE32(hdr + off);
        guint32 extlen = virStorageReadBE32(hdr + off + 4);

        if (magic == QCOW2_EXT_END)
            return 0;
        if (extlen > end - off - 8) {
            virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                           "the qcow2 header extension at offset %zu of image '%s' is corrupt",
                           off, path);
            return -1;
        }
        if (magic == QCOW2_EXT_BACKING_FORMAT) {
            *format = g_strndup((const char *)hdr + off + 8, extlen);
            return 0;
        }
        off += 8 + (((size_t)extlen + 7) & ~(size_t)7);
    }
    return 0;
}

/* The fields of a qcow2 header that we use, checked. */
typedef struct {
    guint64 size;               /* the virtual size, in bytes */
    guint64 backingOffset;      /* 0: no backing file */
    guint32 backingSize;
    guint32 clusterBits;
    size_t headerLength;
} virStorageQcow2Header;

/*
 * Open the qcow2 image at @path (see virStorageFileOpen()) and read its
 * header into @hdr, refusing what we cannot use (an encrypted image, one
 * with an external data file, unknown versions). Returns the descriptor,
 * for the caller to close, or -1 with an error reported.
 */
static int
virStorageQcow2Open(const char *path, struct stat *sb, virStorageQcow2Header *hdr)
{
    unsigned char fixed[QCOW2_V3_MIN_HEADER_LENGTH];
    guint32 version;
    int fd;

    if ((fd = virStorageFileOpen(path, sb)) < 0)
        return -1;

    if (sb->st_size < QCOW2_V2_HEADER_LENGTH) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       "image '%s' is too small to be a qcow2 image", path);
        goto error;
    }
    memset(fixed, 0, sizeof(fixed));
    if (virStorageFileReadAt(fd, path, fixed,
                             MIN(sizeof(fixed), (size_t)sb->st_size), 0) < 0)
        goto error;

    if (memcmp(fixed, QCOW2_MAGIC, 4) != 0) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       "image '%s' is not a qcow2 image (no qcow2 magic)", path);
        goto error;
    }
    version = virStorageReadBE32(fixed + QCOW2_OFF_VERSION);
    hdr->backingOffset = virStorageReadBE64(fixed + QCOW2_OFF_BACKING_OFFSET);
    hdr->backingSize = virStorageReadBE32(fixed + QCOW2_OFF_BACKING_SIZE);
    hdr->clusterBits = virStorageReadBE32(fixed + QCOW2_OFF_CLUSTER_BITS);
    hdr->size = virStorageReadBE64(fixed + QCOW2_OFF_SIZE);

    if (version == 2) {
        hdr->headerLength = QCOW2_V2_HEADER_LENGTH;
    } else if (version == 3) {
        if ((size_t)sb->st_size < QCOW2_V3_MIN_HEADER_LENGTH) {
            virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                           "the qcow2 header of image '%s' is truncated", path);
            goto error;
        }
        hdr->headerLength = virStorageReadBE32(fixed + QCOW2_OFF_HEADER_LENGTH);
        if (hdr->headerLength < QCOW2_V3_MIN_HEADER_LENGTH) {
            virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                           "the qcow2 header of image '%s' is corrupt (header length %zu)",
                           path, hdr->headerLength);
            goto error;
        }
        if (virStorageReadBE64(fixed + QCOW2_OFF_INCOMPAT_FEATURES) &
            QCOW2_INCOMPAT_DATA_FILE) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "qcow2 image '%s' keeps its data in an external data file, which is not supported",
                           path);
            goto error;
        }
    } else {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "qcow2 image '%s' has unsupported version %u", path, version);
        goto error;
    }
    if (virStorageReadBE32(fixed + QCOW2_OFF_CRYPT_METHOD) != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "qcow2 image '%s' is encrypted, which is not supported", path);
        goto error;
    }
    if (hdr->clusterBits < 9 || hdr->clusterBits > 21) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       "the qcow2 header of image '%s' is corrupt (cluster bits %u)",
                       path, hdr->clusterBits);
        goto error;
    }
    return fd;

 error:
    close(fd);
    return -1;
}

static int
virStorageQcow2GetBacking(const char *path, char **backingName,
                          char **backingFormat)
{
    virStorageQcow2Header qhdr;
    g_autofree unsigned char *hdr = NULL;
    size_t hdrLen;
    size_t extEnd;
    struct stat sb;
    int fd;
    int ret = -1;

    *backingName = NULL;
    *backingFormat = NULL;

    if ((fd = virStorageQcow2Open(path, &sb, &qhdr)) < 0)
        return -1;

    if (qhdr.backingOffset == 0) {
        ret = 0;
        goto cleanup;
    }
    if (qhdr.backingSize == 0 || qhdr.backingSize > QCOW2_MAX_BACKING_NAME ||
        qhdr.backingOffset > (guint64)sb.st_size ||
        qhdr.backingSize > (guint64)sb.st_size - qhdr.backingOffset) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       "the backing file name in the qcow2 header of image '%s' is corrupt",
                       path);
        goto cleanup;
    }

    /* Header extensions live between the header and the backing file name,
     * all within the first cluster. */
    extEnd = MIN((guint64)1 << qhdr.clusterBits, qhdr.backingOffset);
    hdrLen = MIN(extEnd, (size_t)sb.st_size);
    hdr = g_new0(unsigned char, hdrLen + 1);
    if (virStorageFileReadAt(fd, path, hdr, hdrLen, 0) < 0)
        goto cleanup;
    if (virStorageQcow2BackingFormat(path, hdr, hdrLen, qhdr.headerLength, extEnd,
                                     backingFormat) < 0)
        goto cleanup;

    *backingName = g_new0(char, qhdr.backingSize + 1);
    if (virStorageFileReadAt(fd, path, *backingName, qhdr.backingSize,
                             (off_t)qhdr.backingOffset) < 0)
        goto cleanup;
    if (strlen(*backingName) != qhdr.backingSize) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       "the backing file name in the qcow2 header of image '%s' is corrupt",
                       path);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    if (ret < 0) {
        g_clear_pointer(backingName, g_free);
        g_clear_pointer(backingFormat, g_free);
    }
    close(fd);
    return ret;
}

/*
 * The name QEMU opens for backing file @name of an image it knows as
 * @image: an absolute name as it is, a relative one appended to the
 * directory part of @image. Nothing is canonicalized: the kernel resolves
 * ".." after following the symlinks before it, so "/a/link/../b" may well
 * be another file than "/a/b".
 */
static char *
virStorageFileBackingName(const char *image, const char *name)
{
    const char *slash;

    if (g_path_is_absolute(name))
        return g_strdup(name);
    slash = strrchr(image, '/');
    return g_strdup_printf("%.*s%s", (int)(slash - image + 1), image, name);
}

/*
 * Read the header of the image at @path, which QEMU knows by @name (the
 * same string for an image given in the XML; for a backing image, the name
 * before symlinks were resolved): relative backing names are relative to
 * the directory part of @name, as in QEMU.
 */
static int
virStorageFileReadBacking(const char *path, const char *name,
                          virStorageFileFormat format, char **backingName,
                          virStorageFileFormat *backingFormat)
{
    g_autofree char *backing = NULL;
    g_autofree char *fmt = NULL;
    int fmtval;

    *backingName = NULL;
    *backingFormat = VIR_STORAGE_FILE_NONE;

    if (!path || path[0] != '/') {
        virReportError(VIR_ERR_INVALID_ARG, "image path '%s' is not absolute",
                       path ? path : "");
        return -1;
    }

    if (format == VIR_STORAGE_FILE_RAW || format == VIR_STORAGE_FILE_NONE) {
        struct stat sb;

        return virStorageFileStat(path, &sb);
    }
    if (format != VIR_STORAGE_FILE_QCOW2) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "image '%s' has an unsupported format", path);
        return -1;
    }

    if (virStorageQcow2GetBacking(path, &backing, &fmt) < 0)
        return -1;
    if (!backing)
        return 0;

    if (g_str_has_prefix(backing, "json:") || virStorageNameIsProtocol(backing)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "image '%s' has backing '%s', which is not a local file; only local backing files are supported",
                       path, backing);
        return -1;
    }
    if (!fmt) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "the backing format of backing file '%s' is not recorded in image '%s'; record it with 'qemu-img rebase -u -F FORMAT -b %s %s' (FORMAT: raw or qcow2) or give the chain with <backingStore> in the domain XML",
                       backing, path, backing, path);
        return -1;
    }
    if ((fmtval = virStorageFileFormatFromString(fmt)) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "backing file '%s' of image '%s' has unsupported format '%s' (only raw and qcow2 are supported)",
                       backing, path, fmt);
        return -1;
    }

    *backingName = virStorageFileBackingName(name, backing);
    *backingFormat = fmtval;
    return 0;
}

/**
 * virStorageFileGetBacking:
 * @path: an image (absolute path)
 * @format: its format; VIR_STORAGE_FILE_NONE is read as raw (formats are
 *          never probed)
 * @backingPath: set to the name QEMU would open for its backing image, or
 *               NULL
 * @backingFormat: set to the backing image's format (NONE if none)
 *
 * Read an image's header. Raw images have no backing image (the file
 * must still exist). For qcow2 the backing file name and the backing
 * format header extension are read. A relative name is appended to the
 * directory part of @path, as QEMU does, and nothing is canonicalized:
 * "/a/link/../b" stays so, because the kernel resolves ".." after
 * following "link", and may so reach another file than "/a/b" (use
 * realpath() on the result to learn which file it is).
 *
 * Only regular files and block devices are read; anything else (a FIFO, a
 * directory, a device) is refused before it is opened, so a probe never
 * blocks.
 *
 * Returns 0 on success; -1 with VIR_ERR_NO_SOURCE (no such image), a
 * system error (unreadable), VIR_ERR_STORAGE_PROBE_FAILED (not qcow2, or a
 * corrupt header) or VIR_ERR_CONFIG_UNSUPPORTED (not a regular file or
 * block device, a backing image without a recorded format, a network/json
 * backing name, an unsupported backing format, an encrypted image or one
 * with an external data file).
 */
int
virStorageFileGetBacking(const char *path, virStorageFileFormat format,
                         char **backingPath,
                         virStorageFileFormat *backingFormat)
{
    return virStorageFileReadBacking(path, path, format, backingPath,
                                     backingFormat);
}

/**
 * virStorageFileGetVirtualSize:
 * @path: an image
 * @format: its format; VIR_STORAGE_FILE_NONE is read as raw
 * @size: set to the size the guest sees, in bytes
 *
 * Read the virtual size of an image: from the qcow2 header, or the size of
 * a raw file or block device. The image is opened as for
 * virStorageFileGetBacking(): only a regular file or a block device, never
 * blocking.
 *
 * Returns 0, or -1 with an error reported (as virStorageFileGetBacking()
 * reports them).
 */
int
virStorageFileGetVirtualSize(const char *path, virStorageFileFormat format,
                             unsigned long long *size)
{
    struct stat sb;
    off_t end;
    int fd;

    if (format == VIR_STORAGE_FILE_QCOW2) {
        virStorageQcow2Header hdr;

        if ((fd = virStorageQcow2Open(path, &sb, &hdr)) < 0)
            return -1;
        close(fd);
        *size = hdr.size;
        return 0;
    }
    if (format != VIR_STORAGE_FILE_RAW && format != VIR_STORAGE_FILE_NONE) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "image '%s' has an unsupported format", path);
        return -1;
    }

    if ((fd = virStorageFileOpen(path, &sb)) < 0)
        return -1;
    /* A block device's size is not in its stat(). */
    end = S_ISBLK(sb.st_mode) ? lseek(fd, 0, SEEK_END) : sb.st_size;
    if (end < 0) {
        virReportSystemError(errno, "cannot read the size of image '%s'", path);
        close(fd);
        return -1;
    }
    close(fd);
    *size = (unsigned long long)end;
    return 0;
}

/*
 * The file a backing name leads to, every symlink resolved: what is
 * checked, labelled and given to QEMU is then one and the same file.
 */
static char *
virStorageFileResolveBacking(const char *backingName, const char *image,
                             const char *dst)
{
    char *real = realpath(backingName, NULL);
    char *ret;

    if (!real) {
        if (errno == ENOENT) {
            virReportError(VIR_ERR_NO_SOURCE,
                           "backing image '%s' of image '%s' (disk '%s') does not exist",
                           backingName, image, dst);
        } else {
            virReportSystemError(errno,
                                 "cannot resolve backing image '%s' of image '%s' (disk '%s')",
                                 backingName, image, dst);
        }
        return NULL;
    }
    /* realpath() returns libc memory: hand out a GLib string. */
    ret = g_strdup(real);
    free(real);
    return ret;
}

/* Read the chain below @disk's top image from the image headers. */
static int
virStorageSourceResolveChain(const virDomainDiskDef *disk,
                             virDomainBackingCheck check, void *opaque)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, NULL);
    g_autoptr(virStorageSource) chain = NULL;
    virStorageSource *top = disk->src;
    virStorageSource **next = &chain;
    const char *dst = disk->dst;
    /* The file we read, and the name QEMU knows it by (see
     * virStorageFileReadBacking). */
    g_autofree char *path = g_strdup(top->path);
    g_autofree char *name = g_strdup(top->path);
    virStorageFileFormat format = top->format;
    size_t depth = 0;

    while (true) {
        g_autofree char *backingName = NULL;
        g_autofree char *backing = NULL;
        virStorageFileFormat backingFormat;
        struct stat sb;
        virStorageSource *src;

        if (virStorageFileReadBacking(path, name, format, &backingName,
                                      &backingFormat) < 0)
            return -1;

        /* The same file under two names is a loop as well: compare inodes. */
        if (stat(path, &sb) == 0) {
            char *key = g_strdup_printf("%llu:%llu", (unsigned long long)sb.st_dev,
                                        (unsigned long long)sb.st_ino);

            if (!g_hash_table_add(seen, key)) {
                virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                               "the backing chain of disk '%s' loops back to image '%s'",
                               dst, path);
                return -1;
            }
        }

        if (!backingName)
            break;
        if (++depth > VIR_DOMAIN_MAX_CHAIN_DEPTH) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "the backing chain of disk '%s' is deeper than %d images",
                           dst, VIR_DOMAIN_MAX_CHAIN_DEPTH);
            return -1;
        }

        if (!(backing = virStorageFileResolveBacking(backingName, path, dst)))
            return -1;
        /* Asked before the file is opened, even to read its header. */
        if (check && check(disk, path, backingName, backing, opaque) < 0)
            return -1;
        /* Said here to name the image that names it; opening checks again. */
        if (stat(backing, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "backing image '%s' of image '%s' (disk '%s') is %s, not a regular file or a block device",
                           backing, path, dst, virStorageFileTypeName(sb.st_mode));
            return -1;
        }

        src = virStorageSourceNew();
        src->path = g_strdup(backing);
        src->format = backingFormat;
        src->readonly = true;
        *next = src;
        next = &src->backingStore;

        g_free(path);
        path = g_steal_pointer(&backing);
        g_free(name);
        name = g_steal_pointer(&backingName);
        format = backingFormat;
    }

    *next = virStorageSourceNew();
    (*next)->type = VIR_STORAGE_TYPE_NONE;
    top->backingStore = g_steal_pointer(&chain);
    top->backingFromXML = false;
    return 0;
}

/**
 * virDomainDiskResolveChain:
 * @disk: a disk
 * @check: called for each backing image named by a header, or NULL
 * @opaque: passed to @check
 *
 * Read @disk's backing chain from the image headers unless it is known
 * already (given in the XML, or read before). Each backing image is the
 * file the kernel reaches from the name QEMU would open (see
 * virStorageFileGetBacking()), with every symlink resolved; @check may
 * refuse it before anything opens it. The chain read is marked as probed
 * (shown in live XML, not in the persistent one).
 *
 * Returns 0 on success, -1 with an error reported (@disk unchanged).
 */
int
virDomainDiskResolveChain(virDomainDiskDef *disk, virDomainBackingCheck check,
                          void *opaque)
{
    if (!disk->src || disk->src->backingStore)
        return 0;
    if (!disk->src->path) {
        virReportError(VIR_ERR_NO_SOURCE, "disk '%s' has no image", disk->dst);
        return -1;
    }
    VIR_DEBUG("reading the backing chain of disk '%s' from '%s'",
              disk->dst, disk->src->path);
    return virStorageSourceResolveChain(disk, check, opaque);
}

/**
 * virDomainDefResolveChainsCheck:
 * @def: a definition
 * @check: called for each backing image named by a header, or NULL
 * @opaque: passed to @check
 *
 * Read the backing chain of every disk whose chain is not known from the
 * image headers (virDomainDiskResolveChain()), then check the image paths
 * of all disks (virDomainDefCheckImagePaths()).
 *
 * Returns 0 on success, -1 with an error reported (disks resolved before
 * the failure keep their chains).
 */
int
virDomainDefResolveChainsCheck(virDomainDef *def, virDomainBackingCheck check,
                               void *opaque)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (virDomainDiskResolveChain(def->disks[i], check, opaque) < 0)
            return -1;
    }
    return virDomainDefCheckImagePaths(def);
}

/**
 * virDomainDefResolveChains:
 * @def: a definition
 *
 * virDomainDefResolveChainsCheck() with every backing image accepted.
 *
 * Returns 0 on success, -1 with an error reported.
 */
int
virDomainDefResolveChains(virDomainDef *def)
{
    return virDomainDefResolveChainsCheck(def, NULL, NULL);
}
