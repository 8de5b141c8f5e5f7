/*
 * security_dac.c: chown images to QEMU's user, remembering the owner,
 * mode and access ACL to give back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "security/security_dac.h"
#include "util/virerror.h"
#include "util/virid.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_SECURITY

/*
 * How long to wait for another process (another daemon sharing a backing
 * image) to finish its read-modify-write of the label. Each holds the lock
 * for a few system calls only, so running out means something is wrong,
 * e.g. a file system that emulates flock() with byte-range locks that a
 * QEMU holds.
 */
#define VIR_SECURITY_DAC_LOCK_TIMEOUT_US (30 * G_USEC_PER_SEC)

/*
 * Enough to tell whether OWNER exists: a longer value reads as ERANGE,
 * which says so too. The record itself is read whole, however long.
 */
#define VIR_SECURITY_DAC_ATTR_MAX 64

/*
 * The access ACL of a file, as the kernel hands it out: a little-endian
 * 32-bit version (2), then 8 bytes per entry. Default ACLs exist only on
 * directories, so an image has none.
 */
#define VIR_SECURITY_DAC_ACL_ACCESS "system.posix_acl_access"
#define VIR_SECURITY_DAC_ACL_HEADER 4
#define VIR_SECURITY_DAC_ACL_ENTRY 8

/*
 * What an image's label is made of, and why each step happens in the
 * order it does. An image handed to QEMU carries up to three attributes:
 * OWNER, what to give back (the owner and the mode the image had before
 * its first holder, and whether it had an access ACL), ACL, that ACL
 * (only if it had one), and HOLDERS, who needs the label now. A
 * label is a set of holders, not a count, so that doing a step twice (a
 * new process replaying what a crashed one may or may not have done)
 * changes nothing: adding a present holder or removing an absent one is
 * a no-op.
 *
 * ACL is the outermost layer, OWNER the middle one, HOLDERS the inner one:
 *
 *   Set, first holder:  write ACL, then OWNER (unless OWNER is present)
 *                       -> chown -> write HOLDERS
 *   Restore, last one:  remove HOLDERS -> give back -> remove OWNER,
 *                       then ACL
 *
 * where "give back" is chown, put the ACL back (or remove any), chmod
 * (see virSecurityDACFileGiveBack): each of these can be done again, so
 * together they are one step here. A crash at any point leaves one of
 * these states:
 *
 *   - nothing: untouched, or fully restored;
 *   - OWNER and no HOLDERS, whatever the file's owner, mode and ACL are:
 *     a label that was being set or restored when its process died.
 *     Nobody holds it (HOLDERS is written last and removed first), so the
 *     next Restore, by any holder, finishes giving the image back, and
 *     the next Set keeps the OWNER it finds: the file's current owner may
 *     already be QEMU's user, its mode and ACL already what that user
 *     made of them;
 *   - OWNER, HOLDERS and QEMU's user as owner: labelled.
 *
 * Why the mode and the ACL: while QEMU's user owns the image it may chmod
 * it, or give itself (or anyone) an ACL entry, and chowning back alone
 * would leave it that access. OWNER is written once, before the first
 * chown, is never rewritten while it exists, and cannot be written by
 * QEMU's user (the trusted. namespace needs CAP_SYS_ADMIN), so what a
 * restore gives back is what the image was before, whatever QEMU's user
 * did meanwhile.
 *
 * HOLDERS is never present without OWNER, so a stray one is not trusted;
 * nor is an ACL without OWNER (a crash between the two writes or the two
 * removals left it): the next Set writes it anew, the next Restore
 * removes it. Adding or removing a holder beside others rewrites HOLDERS
 * only, in one fsetxattr().
 *
 * OWNER reads "UID:GID:MODE", MODE in octal (with the setuid, setgid and
 * sticky bits), then ":acl" if the image had an access ACL, which ACL
 * holds: its VIR_SECURITY_DAC_ACL_ACCESS value, byte for byte. Byte for
 * byte, not in text, because on ext4 all the attributes of a file share
 * one 4 KiB block, which the ACL itself already uses: a copy twice its
 * size (hex) left no room for an ACL of a few hundred entries. A record
 * that still has no room is refused with an error that says so (see
 * virSecurityDACSetAttr). A build before this one wrote ":HEX", the ACL
 * in hex inside OWNER: still read. A record of only "UID:GID" was
 * written by a build that did not keep modes; see
 * virSecurityDACFileGiveBack for what such a restore does.
 */

/*
 * Labelling is a read-modify-write of two attributes and the owner; this
 * lock orders the threads of this process, flock() orders processes.
 */
static GMutex virSecurityDACLock;

/* An image opened for relabelling. */
typedef struct {
    char *real;         /* the resolved path: what the messages name */
    int fd;
    bool locked;
    struct stat sb;
} virSecurityDACFile;

/* What the attributes of an image say. */
typedef struct {
    bool haveOwner;
    uid_t uid;
    gid_t gid;
    bool haveMode;      /* false in a record that predates modes */
    mode_t mode;        /* permission, setuid, setgid and sticky bits */
    guint8 *acl;        /* the access ACL to put back, NULL if none */
    size_t aclLen;
    bool aclInAttr;     /* OWNER says ":acl": ACL holds it */
    bool haveHolders;   /* the attribute exists (possibly empty) */
    GPtrArray *holders; /* char *: distinct holder ids, in order */
} virSecurityDACRecord;

static void
virSecurityDACRecordClear(virSecurityDACRecord *rec)
{
    g_clear_pointer(&rec->holders, g_ptr_array_unref);
    g_clear_pointer(&rec->acl, g_free);
    rec->aclLen = 0;
    rec->aclInAttr = false;
    rec->haveOwner = false;
    rec->haveMode = false;
    rec->haveHolders = false;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virSecurityDACRecord, virSecurityDACRecordClear);

static void
virSecurityDACFileClear(virSecurityDACFile *file)
{
    if (file->fd >= 0) {
        /* Unlock explicitly: a child forked meanwhile may share the fd. */
        if (file->locked)
            flock(file->fd, LOCK_UN);
        close(file->fd);
    }
    file->fd = -1;
    file->locked = false;
    g_clear_pointer(&file->real, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virSecurityDACFile, virSecurityDACFileClear);

/* Fill file->sb; only a regular file or a block device is labelled. */
static int
virSecurityDACFileCheck(virSecurityDACFile *file)
{
    if (fstat(file->fd, &file->sb) < 0) {
        virReportSystemError(errno, "cannot stat image '%s'", file->real);
        return -1;
    }

    if (!S_ISREG(file->sb.st_mode) && !S_ISBLK(file->sb.st_mode)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "image '%s' is neither a regular file nor a block device",
                       file->real);
        return -1;
    }

    return 0;
}

/*
 * Resolve @path and open the file it names. A symlinked image path is
 * legitimate: the label goes on the file at its end. After resolving,
 * O_NOFOLLOW refuses a symlink swapped in for that file meanwhile, and
 * every later operation goes through the descriptor, not the name.
 *
 * Returns 0 when open, 1 if @path does not exist and @missingOK (nothing
 * reported), -1 on error.
 */
static int
virSecurityDACFileOpen(virSecurityDACFile *file,
                       const char *path,
                       bool missingOK)
{
    file->fd = -1;
    /* realpath() mallocs, which g_free() may free (GLib >= 2.46). */
    if (!(file->real = realpath(path, NULL))) {
        int err = errno;

        if (err == ENOENT && missingOK)
            return 1;
        virReportSystemError(err, "cannot resolve image path '%s'", path);
        return -1;
    }

    file->fd = open(file->real,
                    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (file->fd < 0) {
        int err = errno;

        if (err == ENOENT && missingOK)
            return 1;
        virReportSystemError(err, "cannot open image '%s'", file->real);
        return -1;
    }

    return virSecurityDACFileCheck(file);
}

/*
 * Take flock() @op on @file, waiting a bounded time for other processes,
 * and refresh file->sb: the owner seen at open may be stale by then.
 */
static int
virSecurityDACFileLock(virSecurityDACFile *file,
                       int op)
{
    gint64 deadline = g_get_monotonic_time() + VIR_SECURITY_DAC_LOCK_TIMEOUT_US;
    gulong delay = 1000;

    while (flock(file->fd, op | LOCK_NB) < 0) {
        int err = errno;

        if (err == EINTR)
            continue;
        if (err != EWOULDBLOCK) {
            virReportSystemError(err, "cannot lock image '%s'", file->real);
            return -1;
        }
        if (g_get_monotonic_time() >= deadline) {
            virReportError(VIR_ERR_OPERATION_TIMEOUT,
                           "timed out waiting for another process to release the lock on image '%s'",
                           file->real);
            return -1;
        }
        g_usleep(delay);
        delay = MIN(delay * 2, 50000);
    }

    file->locked = true;

    /* Whoever held the lock before us may have changed the owner. */
    if (fstat(file->fd, &file->sb) < 0) {
        virReportSystemError(errno, "cannot stat image '%s'", file->real);
        return -1;
    }
    return 0;
}

/*
 * Read attribute @name into @buf as a string.
 *
 * Returns 1 if found, 0 if absent, -1 with errno set on failure
 * (ENOTSUP: the file system has no trusted attributes; ERANGE: too long).
 */
static int
virSecurityDACGetAttr(int fd,
                      const char *name,
                      char *buf,
                      size_t buflen)
{
    ssize_t len = fgetxattr(fd, name, buf, buflen - 1);

    if (len < 0) {
        if (errno == ENODATA)
            return 0;
        return -1;
    }
    buf[len] = '\0';
    return 1;
}

/*
 * Set attribute @name of @file to @len bytes of @value. A file system
 * whose attributes are full (ext4 gives all of a file's attributes one
 * block: a long access ACL fills it) says so in words, not as "No space
 * left on device" on a disk that has plenty.
 */
static int
virSecurityDACSetAttrBytes(virSecurityDACFile *file,
                           const char *name,
                           const void *value,
                           size_t len)
{
    if (fsetxattr(file->fd, name, value, len, 0) < 0) {
        if (errno == ENOSPC || errno == E2BIG) {
            virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                           "there is no room left in the extended attributes of image '%s' to remember its owner, mode and access ACL (its file system gives all of a file's attributes one block, and a long ACL fills it): shorten its ACL with setfacl, or give it to QEMU's user by hand",
                           file->real);
        } else {
            virReportSystemError(errno,
                                 "cannot set extended attribute '%s' of image '%s'",
                                 name, file->real);
        }
        return -1;
    }
    return 0;
}

static int
virSecurityDACSetAttr(virSecurityDACFile *file,
                      const char *name,
                      const char *value)
{
    return virSecurityDACSetAttrBytes(file, name, value, strlen(value));
}

static int
virSecurityDACRemoveAttr(virSecurityDACFile *file,
                         const char *name)
{
    if (fremovexattr(file->fd, name) < 0 && errno != ENODATA) {
        virReportSystemError(errno,
                             "cannot remove extended attribute '%s' of image '%s'",
                             name, file->real);
        return -1;
    }
    return 0;
}

/*
 * Does the file system of @file keep trusted attributes? Asked before
 * taking the lock: file systems without them (NFS) may also lack a
 * flock() that works on a read-only descriptor.
 *
 * Returns 1 if yes, 0 if not, -1 on error.
 */
static int
virSecurityDACFileHasAttrs(virSecurityDACFile *file)
{
    char buf[VIR_SECURITY_DAC_ATTR_MAX];

    if (virSecurityDACGetAttr(file->fd, VIR_SECURITY_DAC_XATTR_OWNER,
                              buf, sizeof(buf)) < 0) {
        if (errno == ENOTSUP)
            return 0;
        /* A bad value is reported by virSecurityDACReadRecord. */
        if (errno != ERANGE) {
            virReportSystemError(errno,
                                 "cannot read extended attributes of image '%s'",
                                 file->real);
            return -1;
        }
    }
    return 1;
}

/**
 * virSecurityDACCheckHolder:
 * @holder: a holder id
 *
 * Check that @holder can be stored in an image's list of holders: not
 * empty, no comma, at most VIR_SECURITY_DAC_HOLDER_MAX bytes.
 *
 * Returns 0 if it can, -1 with VIR_ERR_INVALID_ARG reported if not.
 */
int
virSecurityDACCheckHolder(const char *holder)
{
    if (!holder) {
        virReportInvalidNonNullArg(holder);
        return -1;
    }
    if (!*holder) {
        virReportError(VIR_ERR_INVALID_ARG, "a label holder id must not be empty");
        return -1;
    }
    if (strlen(holder) > VIR_SECURITY_DAC_HOLDER_MAX) {
        /* Don't quote it: it may be huge. */
        virReportError(VIR_ERR_INVALID_ARG,
                       "a label holder id of %zu bytes is too long, the limit is %d",
                       strlen(holder), VIR_SECURITY_DAC_HOLDER_MAX);
        return -1;
    }
    if (strchr(holder, ',')) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "label holder id '%s' must not contain a comma", holder);
        return -1;
    }
    return 0;
}

/*
 * Read attribute @name whole, however long, into *value (NUL-terminated,
 * its length in *len).
 *
 * Returns 1 if found, 0 if absent, -1 with errno set on failure.
 */
static int
virSecurityDACGetAttrAlloc(int fd,
                           const char *name,
                           char **value,
                           size_t *len)
{
    for (;;) {
        g_autofree char *buf = NULL;
        ssize_t size = fgetxattr(fd, name, NULL, 0);
        ssize_t got;

        if (size < 0)
            return errno == ENODATA ? 0 : -1;

        buf = g_malloc(size + 1);
        if ((got = fgetxattr(fd, name, buf, size)) < 0) {
            /* Grown since we asked for the size: ask again. */
            if (errno == ERANGE)
                continue;
            return errno == ENODATA ? 0 : -1;
        }
        buf[got] = '\0';
        *len = got;
        *value = g_steal_pointer(&buf);
        return 1;
    }
}

/* Remove what to give back: OWNER, then the ACL it names (the outer
 * layer goes last). */
static int
virSecurityDACRemoveRecord(virSecurityDACFile *file)
{
    if (virSecurityDACRemoveAttr(file, VIR_SECURITY_DAC_XATTR_OWNER) < 0 ||
        virSecurityDACRemoveAttr(file, VIR_SECURITY_DAC_XATTR_ACL) < 0)
        return -1;
    return 0;
}

static bool
virSecurityDACHoldersContain(GPtrArray *holders,
                             const char *holder)
{
    return g_ptr_array_find_with_equal_func(holders, holder, g_str_equal,
                                            NULL);
}

/* Remove @holder from @holders. Returns true if it was there. */
static bool
virSecurityDACHoldersRemove(GPtrArray *holders,
                            const char *holder)
{
    guint i;

    if (!g_ptr_array_find_with_equal_func(holders, holder, g_str_equal, &i))
        return false;
    g_ptr_array_remove_index(holders, i);
    return true;
}

/*
 * Split @value (@len bytes) into distinct holder ids. A duplicate is
 * dropped (we never write one); an empty or over-long id, or a NUL
 * inside, makes the list corrupt.
 */
static bool
virSecurityDACParseHolders(const char *value,
                           size_t len,
                           GPtrArray *holders)
{
    g_auto(GStrv) parts = NULL;

    if (strlen(value) != len)
        return false;
    if (len == 0)
        return true;

    parts = g_strsplit(value, ",", -1);
    for (size_t i = 0; parts[i]; i++) {
        if (!*parts[i] || strlen(parts[i]) > VIR_SECURITY_DAC_HOLDER_MAX)
            return false;
        if (!virSecurityDACHoldersContain(holders, parts[i]))
            g_ptr_array_add(holders, g_strdup(parts[i]));
    }
    return true;
}

/* Write @holders to the image in one go; an empty list removes the attribute. */
static int
virSecurityDACWriteHolders(virSecurityDACFile *file,
                           GPtrArray *holders)
{
    g_autoptr(GString) value = g_string_new(NULL);

    if (holders->len == 0)
        return virSecurityDACRemoveAttr(file, VIR_SECURITY_DAC_XATTR_HOLDERS);

    for (guint i = 0; i < holders->len; i++) {
        if (i > 0)
            g_string_append_c(value, ',');
        g_string_append(value, g_ptr_array_index(holders, i));
    }
    return virSecurityDACSetAttr(file, VIR_SECURITY_DAC_XATTR_HOLDERS, value->str);
}

/*
 * Is @acl (@len bytes) shaped like an access ACL: version 2 and whole
 * entries? The kernel checks the entries themselves when it is put back.
 */
static bool
virSecurityDACCheckACL(const guint8 *acl,
                       size_t len)
{
    static const guint8 version[VIR_SECURITY_DAC_ACL_HEADER] = { 2, 0, 0, 0 };

    return len > VIR_SECURITY_DAC_ACL_HEADER &&
           (len - VIR_SECURITY_DAC_ACL_HEADER) % VIR_SECURITY_DAC_ACL_ENTRY == 0 &&
           memcmp(acl, version, sizeof(version)) == 0;
}

/* Decode the hex ACL of an OWNER record into rec->acl. */
static bool
virSecurityDACParseACL(const char *hex,
                       virSecurityDACRecord *rec)
{
    size_t len = strlen(hex) / 2;
    g_autofree guint8 *acl = NULL;

    if (strlen(hex) % 2 != 0)
        return false;

    acl = g_new0(guint8, len + 1);
    for (size_t i = 0; i < len; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        acl[i] = (hi << 4) | lo;
    }
    if (!virSecurityDACCheckACL(acl, len))
        return false;

    rec->acl = g_steal_pointer(&acl);
    rec->aclLen = len;
    return true;
}

/* Parse OWNER, "UID:GID[:MODE[:acl|:HEX]]" (see the top of this file). */
static bool
virSecurityDACParseOwner(const char *value,
                         size_t len,
                         virSecurityDACRecord *rec)
{
    g_auto(GStrv) fields = NULL;
    guint nfields;
    guint32 uid;
    guint32 gid;
    guint64 mode;

    if (strlen(value) != len)
        return false;

    fields = g_strsplit(value, ":", 5);
    nfields = g_strv_length(fields);
    if (nfields < 2 || nfields > 4 ||
        !virIDParse(fields[0], &uid) ||
        !virIDParse(fields[1], &gid))
        return false;

    if (nfields >= 3) {
        if (!g_ascii_string_to_unsigned(fields[2], 8, 0, 07777, &mode, NULL))
            return false;
        rec->haveMode = true;
        rec->mode = mode;
    }
    if (nfields == 4) {
        if (g_str_equal(fields[3], "acl"))
            rec->aclInAttr = true;
        else if (!virSecurityDACParseACL(fields[3], rec))
            return false;
    }

    rec->haveOwner = true;
    rec->uid = uid;
    rec->gid = gid;
    return true;
}

/* The OWNER record for @rec, which has a mode; its ACL goes to ACL. */
static char *
virSecurityDACFormatOwner(const virSecurityDACRecord *rec)
{
    return g_strdup_printf("%u:%u:%04o%s",
                           (unsigned int) rec->uid, (unsigned int) rec->gid,
                           (unsigned int) rec->mode, rec->acl ? ":acl" : "");
}

static int
virSecurityDACReadRecord(virSecurityDACFile *file,
                         virSecurityDACRecord *rec)
{
    const char *attr = VIR_SECURITY_DAC_XATTR_OWNER;
    g_autofree char *owner = NULL;
    g_autofree char *value = NULL;
    size_t len = 0;
    int rc;

    virSecurityDACRecordClear(rec);
    rec->holders = g_ptr_array_new_with_free_func(g_free);

    if ((rc = virSecurityDACGetAttrAlloc(file->fd, attr, &owner, &len)) < 0)
        goto readerror;
    if (rc > 0 && !virSecurityDACParseOwner(owner, len, rec))
        goto corrupt;

    if (rec->aclInAttr) {
        g_autofree char *acl = NULL;

        attr = VIR_SECURITY_DAC_XATTR_ACL;
        if ((rc = virSecurityDACGetAttrAlloc(file->fd, attr, &acl, &len)) < 0)
            goto readerror;
        /* OWNER is written after ACL and removed before it. */
        if (rc == 0 || !virSecurityDACCheckACL((const guint8 *) acl, len))
            goto corrupt;
        rec->acl = (guint8 *) g_steal_pointer(&acl);
        rec->aclLen = len;
    }

    attr = VIR_SECURITY_DAC_XATTR_HOLDERS;
    if ((rc = virSecurityDACGetAttrAlloc(file->fd, attr, &value, &len)) < 0)
        goto readerror;
    if (rc > 0) {
        if (!virSecurityDACParseHolders(value, len, rec->holders))
            goto corrupt;
        rec->haveHolders = true;
    }

    return 0;

 readerror:
    if (errno != ERANGE) {
        virReportSystemError(errno,
                             "cannot read extended attribute '%s' of image '%s'",
                             attr, file->real);
        return -1;
    }
 corrupt:
    virReportError(VIR_ERR_OPERATION_FAILED,
                   "extended attribute '%s' of image '%s' is corrupt, remove it and restore the owner and mode by hand",
                   attr, file->real);
    return -1;
}

static int
virSecurityDACFileChown(virSecurityDACFile *file,
                        uid_t uid,
                        gid_t gid)
{
    if (file->sb.st_uid == uid && file->sb.st_gid == gid)
        return 0;

    if (fchown(file->fd, uid, gid) < 0) {
        virReportSystemError(errno, "cannot change the owner of image '%s' to '%u:%u'",
                             file->real, (unsigned int) uid, (unsigned int) gid);
        return -1;
    }
    file->sb.st_uid = uid;
    file->sb.st_gid = gid;
    return 0;
}

/*
 * Read the access ACL of @file into rec->acl: left NULL if the image has
 * none, or its file system keeps none.
 */
static int
virSecurityDACReadACL(virSecurityDACFile *file,
                      virSecurityDACRecord *rec)
{
    g_autofree char *acl = NULL;
    size_t len = 0;
    int rc;

    if ((rc = virSecurityDACGetAttrAlloc(file->fd, VIR_SECURITY_DAC_ACL_ACCESS,
                                         &acl, &len)) < 0) {
        if (errno == ENOTSUP)
            return 0;
        virReportSystemError(errno, "cannot read the access ACL of image '%s'",
                             file->real);
        return -1;
    }
    if (rc == 0)
        return 0;

    if (!virSecurityDACCheckACL((const guint8 *) acl, len)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "the access ACL of image '%s' is in a format this build does not know, so it could not be given back: remove it with 'setfacl -b'",
                       file->real);
        return -1;
    }
    rec->acl = (guint8 *) g_steal_pointer(&acl);
    rec->aclLen = len;
    return 0;
}

/* Put @acl back on @file, or remove its access ACL if @acl is NULL. */
static int
virSecurityDACFileSetACL(virSecurityDACFile *file,
                         const guint8 *acl,
                         size_t len)
{
    if (acl) {
        if (fsetxattr(file->fd, VIR_SECURITY_DAC_ACL_ACCESS, acl, len, 0) < 0) {
            virReportSystemError(errno, "cannot restore the access ACL of image '%s'",
                                 file->real);
            return -1;
        }
        return 0;
    }

    /* No ACL support: there is none to remove, and none was obeyed. */
    if (fremovexattr(file->fd, VIR_SECURITY_DAC_ACL_ACCESS) < 0 &&
        errno != ENODATA && errno != ENOTSUP) {
        virReportSystemError(errno, "cannot remove the access ACL of image '%s'",
                             file->real);
        return -1;
    }
    return 0;
}

/*
 * Give @file back as @rec remembers it: its owner, its access ACL (or
 * none: any that QEMU's user added goes) and its mode. The order matters:
 * changing the owner makes the kernel clear the setuid and setgid bits,
 * and putting back or removing an ACL rewrites the mode's group bits, so
 * the mode comes last and ends up exactly as remembered. With an ACL, the
 * mode's group bits are its mask, remembered at the same time: chmod
 * leaves the ACL as it was put back.
 *
 * A record from a build that did not keep modes says nothing of the mode,
 * and QEMU's user may have widened it: the mode loses what could still let
 * that user in (the permissions of others, setuid and setgid), and the
 * ACL goes. That may take away more than the image had.
 */
static int
virSecurityDACFileGiveBack(virSecurityDACFile *file,
                           const virSecurityDACRecord *rec)
{
    mode_t mode = rec->mode;

    if (!rec->haveMode) {
        mode = file->sb.st_mode & 07777 & ~(S_ISUID | S_ISGID | S_IRWXO);
        VIR_WARN("image '%s' was labelled without remembering its mode: giving it mode %04o and no ACL",
                 file->real, (unsigned int) mode);
    }

    if (virSecurityDACFileChown(file, rec->uid, rec->gid) < 0 ||
        virSecurityDACFileSetACL(file, rec->acl, rec->aclLen) < 0)
        return -1;

    if (fchmod(file->fd, mode) < 0) {
        virReportSystemError(errno, "cannot change the mode of image '%s' to '%04o'",
                             file->real, (unsigned int) mode);
        return -1;
    }
    file->sb.st_mode = (file->sb.st_mode & ~07777) | mode;
    return 0;
}

/*
 * The file system keeps no attributes, so nothing could bring the owner
 * back: go ahead only if there is nothing to change.
 */
static int
virSecurityDACSetImageLabelUnsupported(virSecurityDACFile *file,
                                       uid_t uid,
                                       gid_t gid)
{
    if (file->sb.st_uid == uid) {
        VIR_DEBUG("image '%s' is already owned by %u and its file system keeps no attributes: leaving it",
                  file->real, (unsigned int) uid);
        return 0;
    }

    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   "image '%s' is on a file system without trusted extended attributes, where its owner could not be restored: make it owned by '%u:%u' beforehand",
                   file->real, (unsigned int) uid, (unsigned int) gid);
    return -1;
}

/*
 * Label the open @file for @holder (see virSecurityDACSetImageLabel).
 * virSecurityDACLock held.
 */
static int
virSecurityDACLabelFile(virSecurityDACFile *file,
                        uid_t uid,
                        gid_t gid,
                        const char *holder)
{
    g_auto(virSecurityDACRecord) rec = { 0 };
    g_autofree char *owner = NULL;
    bool fresh = false;
    int rc;

    if ((rc = virSecurityDACFileHasAttrs(file)) < 0)
        return -1;
    if (rc == 0)
        return virSecurityDACSetImageLabelUnsupported(file, uid, gid);

    if (virSecurityDACFileLock(file, LOCK_EX) < 0 ||
        virSecurityDACReadRecord(file, &rec) < 0)
        return -1;

    if (!rec.haveOwner && rec.holders->len > 0) {
        /* We never write holders without an owner: not ours to trust. */
        VIR_WARN("image '%s' lists holders but no owner to restore: ignoring them",
                 file->real);
        g_ptr_array_set_size(rec.holders, 0);
    }

    if (rec.holders->len > 0) {
        if (file->sb.st_uid != uid || file->sb.st_gid != gid) {
            /*
             * Held, yet not for us: taking it over would silently cut
             * off the QEMU that holds it now.
             */
            virReportError(VIR_ERR_OPERATION_INVALID,
                           "image '%s' is in use with owner '%u:%u' by another domain, but this one runs as '%u:%u'",
                           file->real,
                           (unsigned int) file->sb.st_uid, (unsigned int) file->sb.st_gid,
                           (unsigned int) uid, (unsigned int) gid);
            return -1;
        }

        if (virSecurityDACHoldersContain(rec.holders, holder)) {
            VIR_DEBUG("image '%s' is already labelled for '%s'", file->real, holder);
            return 0;
        }

        /* Already ours: only the list changes, in one write. */
        g_ptr_array_add(rec.holders, g_strdup(holder));
        if (virSecurityDACWriteHolders(file, rec.holders) < 0)
            return -1;
        VIR_DEBUG("image '%s' labelled for '%s' too (%u holders)",
                  file->real, holder, rec.holders->len);
        return 0;
    }

    /* The first holder. */
    if (!rec.haveOwner) {
        rec.uid = file->sb.st_uid;
        rec.gid = file->sb.st_gid;
        rec.haveMode = true;
        rec.mode = file->sb.st_mode & 07777;
        if (virSecurityDACReadACL(file, &rec) < 0)
            return -1;
        /* ACL before OWNER; one a crash left without OWNER is replaced. */
        if (rec.acl) {
            if (virSecurityDACSetAttrBytes(file, VIR_SECURITY_DAC_XATTR_ACL,
                                           rec.acl, rec.aclLen) < 0)
                return -1;
        } else if (virSecurityDACRemoveAttr(file, VIR_SECURITY_DAC_XATTR_ACL) < 0) {
            return -1;
        }
        owner = virSecurityDACFormatOwner(&rec);
        if (virSecurityDACSetAttr(file, VIR_SECURITY_DAC_XATTR_OWNER, owner) < 0) {
            virErrorPtr saved = NULL;

            /* Nothing changed yet: leave no ACL copy behind either. */
            virErrorPreserveLast(&saved);
            virSecurityDACRemoveAttr(file, VIR_SECURITY_DAC_XATTR_ACL);
            virErrorRestore(&saved);
            return -1;
        }
        fresh = true;
    } else {
        /* Its mode and ACL may be what QEMU's user made of them: keep those too. */
        VIR_DEBUG("image '%s' was left half labelled or restored: keeping its remembered owner %u:%u",
                  file->real, (unsigned int) rec.uid, (unsigned int) rec.gid);
    }

    if (virSecurityDACFileChown(file, uid, gid) < 0)
        goto undo;

    g_ptr_array_add(rec.holders, g_strdup(holder));
    if (virSecurityDACWriteHolders(file, rec.holders) < 0)
        goto undo;

    VIR_DEBUG("labelled image '%s' for %u:%u, holder '%s' (owner %u:%u%s)",
              file->real, (unsigned int) uid, (unsigned int) gid, holder,
              (unsigned int) rec.uid, (unsigned int) rec.gid,
              fresh ? "" : ", kept");
    return 0;

 undo:
    {
        virErrorPtr saved = NULL;

        /*
         * Nobody holds the image: give it back as a restore would. If that
         * fails too, OWNER stays for the next restore to finish.
         */
        virErrorPreserveLast(&saved);
        if (virSecurityDACFileGiveBack(file, &rec) == 0)
            virSecurityDACRemoveRecord(file);
        virErrorRestore(&saved);
    }
    return -1;
}

/**
 * virSecurityDACSetImageLabel:
 * @path: an image (a symlink to one is followed)
 * @uid: the user QEMU runs as
 * @gid: the group QEMU runs as
 * @holder: who needs the label, e.g. one id per domain (see
 *          virSecurityDACCheckHolder)
 *
 * Make the image at @path owned by @uid:@gid, leaving its mode and ACL
 * alone, and add @holder to the image's holders. The first holder
 * remembers the original owner, mode and access ACL in the image's
 * trusted attributes (or keeps what a half-finished label or restore left
 * there); later ones are only added to the list, so that an image shared
 * by several domains keeps its label until the last one lets go. Adding
 * a holder that is already there changes nothing. The steps are ordered
 * to survive a crash at any point (see the comment at the top of this
 * file). The kernel clears the setuid and setgid bits of an image whose
 * owner changes; the restore puts them back with the mode.
 *
 * An image held for a different user or group is refused, and so is an
 * image on a file system without trusted attributes, unless it already
 * belongs to @uid.
 *
 * Returns 0 on success, -1 on error (reported).
 */
int
virSecurityDACSetImageLabel(const char *path,
                            uid_t uid,
                            gid_t gid,
                            const char *holder)
{
    g_autoptr(GMutexLocker) locker = NULL;
    g_auto(virSecurityDACFile) file = { .fd = -1 };

    if (virSecurityDACCheckHolder(holder) < 0)
        return -1;

    locker = g_mutex_locker_new(&virSecurityDACLock);
    if (virSecurityDACFileOpen(&file, path, false) < 0)
        return -1;
    return virSecurityDACLabelFile(&file, uid, gid, holder);
}

/**
 * virSecurityDACSetImageLabelFD:
 * @fd: a descriptor of the file to label, open in any mode (kept open)
 * @path: the file's name, for messages only
 * @uid: the user QEMU runs as
 * @gid: the group QEMU runs as
 * @holder: who needs the label (see virSecurityDACCheckHolder)
 *
 * As virSecurityDACSetImageLabel, for the file that is open at @fd rather
 * than whatever a name leads to now: for a file the caller opened and
 * checked itself, whose name others could point elsewhere meanwhile.
 *
 * Returns 0 on success, -1 on error (reported).
 */
int
virSecurityDACSetImageLabelFD(int fd,
                              const char *path,
                              uid_t uid,
                              gid_t gid,
                              const char *holder)
{
    g_autoptr(GMutexLocker) locker = NULL;
    g_auto(virSecurityDACFile) file = { .fd = -1 };

    if (virSecurityDACCheckHolder(holder) < 0)
        return -1;

    locker = g_mutex_locker_new(&virSecurityDACLock);
    file.real = g_strdup(path);
    if ((file.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
        virReportSystemError(errno, "cannot use the descriptor of '%s'", path);
        return -1;
    }
    if (virSecurityDACFileCheck(&file) < 0)
        return -1;
    return virSecurityDACLabelFile(&file, uid, gid, holder);
}


/**
 * virSecurityDACRestoreImageLabel:
 * @path: an image labelled by virSecurityDACSetImageLabel
 * @holder: the holder that no longer needs the label
 *
 * Remove @holder from the holders of the image at @path; removing one
 * that is not there changes nothing (a restore done twice, e.g. replayed
 * after a crash, cannot take the label from another holder). When no
 * holder remains, give the image back its remembered owner, mode and
 * access ACL (whatever QEMU's user did to them while it owned the image:
 * an ACL it added is removed) and remove the attributes: this also
 * finishes a label or restore that a crash left half done. The steps are
 * ordered to survive a crash at any point (see the comment at the top of
 * this file and virSecurityDACFileGiveBack).
 *
 * An image that has no remembered owner is left alone; a missing one only
 * logs a warning (it may have been deleted).
 *
 * Returns 0 on success, -1 on error (reported).
 */
int
virSecurityDACRestoreImageLabel(const char *path,
                                const char *holder)
{
    g_autoptr(GMutexLocker) locker = NULL;
    g_auto(virSecurityDACFile) file = { .fd = -1 };
    g_auto(virSecurityDACRecord) rec = { 0 };
    bool removed;
    int rc;

    if (virSecurityDACCheckHolder(holder) < 0)
        return -1;

    locker = g_mutex_locker_new(&virSecurityDACLock);
    if ((rc = virSecurityDACFileOpen(&file, path, true)) < 0)
        return -1;
    if (rc > 0) {
        VIR_WARN("image '%s' is gone, there is no owner to restore", path);
        return 0;
    }

    if ((rc = virSecurityDACFileHasAttrs(&file)) < 0)
        return -1;
    if (rc == 0) {
        VIR_DEBUG("image '%s' has no attributes: nothing to restore", file.real);
        return 0;
    }

    if (virSecurityDACFileLock(&file, LOCK_EX) < 0 ||
        virSecurityDACReadRecord(&file, &rec) < 0)
        return -1;

    if (!rec.haveOwner) {
        VIR_DEBUG("image '%s' has no remembered owner: nothing to restore",
                  file.real);
        if (rec.haveHolders &&
            virSecurityDACRemoveAttr(&file, VIR_SECURITY_DAC_XATTR_HOLDERS) < 0)
            return -1;
        return virSecurityDACRemoveAttr(&file, VIR_SECURITY_DAC_XATTR_ACL);
    }

    removed = virSecurityDACHoldersRemove(rec.holders, holder);
    if (!removed) {
        VIR_DEBUG("image '%s' is not labelled for '%s': nothing to drop",
                  file.real, holder);
    }

    if (rec.holders->len > 0) {
        if (removed && virSecurityDACWriteHolders(&file, rec.holders) < 0)
            return -1;
        VIR_DEBUG("image '%s' keeps its label (%u holders)",
                  file.real, rec.holders->len);
        return 0;
    }

    /*
     * Nobody holds it any more (or a crash left it half done): holders
     * first, so that whatever a crash leaves behind still names the owner
     * and reads as "held by nobody".
     */
    if ((rec.haveHolders &&
         virSecurityDACRemoveAttr(&file, VIR_SECURITY_DAC_XATTR_HOLDERS) < 0) ||
        virSecurityDACFileGiveBack(&file, &rec) < 0 ||
        virSecurityDACRemoveRecord(&file) < 0)
        return -1;

    VIR_DEBUG("restored image '%s' to %u:%u mode %04o%s (last holder '%s'%s)",
              file.real, (unsigned int) rec.uid, (unsigned int) rec.gid,
              (unsigned int) (file.sb.st_mode & 07777),
              rec.acl ? " with its ACL" : "",
              holder, removed ? "" : ", not listed");
    return 0;
}

/**
 * virSecurityDACGetRemembered:
 * @path: an image
 * @uid: (out) (optional): the remembered owner, or (uid_t)-1 if none
 * @gid: (out) (optional): the remembered group, or (gid_t)-1 if none
 * @holders: (out) (optional): the holders of the label, a NULL-terminated
 *           list (empty, never NULL, if none), free with g_strfreev
 *
 * Tell what virSecurityDACSetImageLabel remembered about the image at
 * @path, for tests and status reports. An image on a file system without
 * trusted attributes has nothing remembered, and holders without a
 * remembered owner are not reported (they are not trusted).
 *
 * Returns 0 on success, -1 on error (reported; also if @path is missing).
 */
int
virSecurityDACGetRemembered(const char *path,
                            uid_t *uid,
                            gid_t *gid,
                            char ***holders)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&virSecurityDACLock);
    g_auto(virSecurityDACFile) file = { .fd = -1 };
    g_auto(virSecurityDACRecord) rec = { 0 };
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    int rc;

    if (virSecurityDACFileOpen(&file, path, false) < 0)
        return -1;

    if ((rc = virSecurityDACFileHasAttrs(&file)) < 0)
        return -1;
    if (rc > 0 &&
        (virSecurityDACFileLock(&file, LOCK_SH) < 0 ||
         virSecurityDACReadRecord(&file, &rec) < 0))
        return -1;

    if (rec.haveOwner) {
        for (guint i = 0; i < rec.holders->len; i++)
            g_ptr_array_add(list, g_strdup(g_ptr_array_index(rec.holders, i)));
    }

    if (uid)
        *uid = rec.haveOwner ? rec.uid : (uid_t) -1;
    if (gid)
        *gid = rec.haveOwner ? rec.gid : (gid_t) -1;
    if (holders) {
        g_ptr_array_add(list, NULL);
        *holders = (char **) g_ptr_array_free(g_steal_pointer(&list), FALSE);
    }
    return 0;
}

/**
 * virSecurityDACSetOwner:
 * @path: a file or directory the driver made for QEMU
 * @uid: the new owner
 * @gid: the new group
 *
 * Chown @path (not following a final symlink) without remembering
 * anything: for what the driver creates for QEMU and removes itself.
 *
 * Returns 0 on success, -1 on error (reported).
 */
int
virSecurityDACSetOwner(const char *path,
                       uid_t uid,
                       gid_t gid)
{
    if (fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
        virReportSystemError(errno, "cannot change the owner of '%s' to '%u:%u'",
                             path, (unsigned int) uid, (unsigned int) gid);
        return -1;
    }
    return 0;
}
