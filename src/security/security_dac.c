/*
 * security_dac.c: chown images to QEMU's user, remembering the owner.
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

/* Room for "4294967294:4294967294" and then some. */
#define VIR_SECURITY_DAC_ATTR_MAX 64

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
    bool haveRefcount;
    unsigned int refcount;
} virSecurityDACRecord;

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

static int
virSecurityDACSetAttr(virSecurityDACFile *file,
                      const char *name,
                      const char *value)
{
    if (fsetxattr(file->fd, name, value, strlen(value), 0) < 0) {
        virReportSystemError(errno,
                             "cannot set extended attribute '%s' of image '%s'",
                             name, file->real);
        return -1;
    }
    return 0;
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

static bool
virSecurityDACParseID(const char *str,
                      guint64 *id)
{
    /* (uid_t)-1 means "unchanged" to chown(): never a real owner. */
    return g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT32 - 1, id, NULL);
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

static int
virSecurityDACReadRecord(virSecurityDACFile *file,
                         virSecurityDACRecord *rec)
{
    char buf[VIR_SECURITY_DAC_ATTR_MAX];
    const char *attr = VIR_SECURITY_DAC_XATTR_OWNER;
    char *sep;
    guint64 uid;
    guint64 gid;
    guint64 count;
    int rc;

    memset(rec, 0, sizeof(*rec));

    if ((rc = virSecurityDACGetAttr(file->fd, attr, buf, sizeof(buf))) < 0)
        goto readerror;
    if (rc > 0) {
        if (!(sep = strchr(buf, ':')))
            goto corrupt;
        *sep = '\0';
        if (!virSecurityDACParseID(buf, &uid) ||
            !virSecurityDACParseID(sep + 1, &gid))
            goto corrupt;
        rec->haveOwner = true;
        rec->uid = uid;
        rec->gid = gid;
    }

    attr = VIR_SECURITY_DAC_XATTR_REFCOUNT;
    if ((rc = virSecurityDACGetAttr(file->fd, attr, buf, sizeof(buf))) < 0)
        goto readerror;
    if (rc > 0) {
        if (!g_ascii_string_to_unsigned(buf, 10, 0, G_MAXUINT, &count, NULL))
            goto corrupt;
        rec->haveRefcount = true;
        rec->refcount = count;
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
                   "extended attribute '%s' of image '%s' is corrupt, remove it and restore the owner by hand",
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

/**
 * virSecurityDACSetImageLabel:
 * @path: an image (a symlink to one is followed)
 * @uid: the user QEMU runs as
 * @gid: the group QEMU runs as
 *
 * Make the image at @path owned by @uid:@gid, leaving its mode alone.
 * The first label remembers the original owner in the image's trusted
 * attributes; each further one only counts up, so that an image shared
 * by several domains keeps its label until the last one lets go.
 *
 * The attributes are written in an order that survives a crash at any
 * point: the owner first (never overwritten while present), then the
 * chown, then the count.
 *
 * An image on a file system without trusted attributes is refused,
 * unless it already belongs to @uid.
 *
 * Returns 0 on success, -1 on error (reported).
 */
int
virSecurityDACSetImageLabel(const char *path,
                            uid_t uid,
                            gid_t gid)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&virSecurityDACLock);
    g_auto(virSecurityDACFile) file = { .fd = -1 };
    virSecurityDACRecord rec;
    g_autofree char *owner = NULL;
    g_autofree char *count = NULL;
    bool fresh = false;
    int rc;

    if (virSecurityDACFileOpen(&file, path, false) < 0)
        return -1;

    if ((rc = virSecurityDACFileHasAttrs(&file)) < 0)
        return -1;
    if (rc == 0)
        return virSecurityDACSetImageLabelUnsupported(&file, uid, gid);

    if (virSecurityDACFileLock(&file, LOCK_EX) < 0 ||
        virSecurityDACReadRecord(&file, &rec) < 0)
        return -1;

    if (!rec.haveOwner) {
        /* A count without an owner is not ours to trust: start afresh. */
        rec.refcount = 0;
        rec.uid = file.sb.st_uid;
        rec.gid = file.sb.st_gid;
        owner = g_strdup_printf("%u:%u",
                                (unsigned int) rec.uid, (unsigned int) rec.gid);
        if (virSecurityDACSetAttr(&file, VIR_SECURITY_DAC_XATTR_OWNER, owner) < 0)
            return -1;
        fresh = true;
    } else if (rec.refcount > 0 &&
               (file.sb.st_uid != uid || file.sb.st_gid != gid)) {
        /*
         * Labelled, yet not for us: taking it over would silently cut
         * off the QEMU that holds it now.
         */
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "image '%s' is in use with owner '%u:%u' by another domain, but this one runs as '%u:%u'",
                       file.real,
                       (unsigned int) file.sb.st_uid, (unsigned int) file.sb.st_gid,
                       (unsigned int) uid, (unsigned int) gid);
        return -1;
    }

    if (rec.refcount == G_MAXUINT) {
        virReportError(VIR_ERR_OVERFLOW,
                       "image '%s' has too many labels", file.real);
        return -1;
    }

    if (virSecurityDACFileChown(&file, uid, gid) < 0)
        goto undo;

    count = g_strdup_printf("%u", rec.refcount + 1);
    if (virSecurityDACSetAttr(&file, VIR_SECURITY_DAC_XATTR_REFCOUNT, count) < 0)
        goto undo;

    VIR_DEBUG("labelled image '%s' for %u:%u (owner %u:%u, count %u)",
              file.real, (unsigned int) uid, (unsigned int) gid,
              (unsigned int) rec.uid, (unsigned int) rec.gid, rec.refcount + 1);
    return 0;

 undo:
    if (fresh) {
        virErrorPtr saved = NULL;

        virErrorPreserveLast(&saved);
        if (virSecurityDACFileChown(&file, rec.uid, rec.gid) == 0)
            virSecurityDACRemoveAttr(&file, VIR_SECURITY_DAC_XATTR_OWNER);
        virErrorRestore(&saved);
    }
    return -1;
}

/**
 * virSecurityDACRestoreImageLabel:
 * @path: an image labelled by virSecurityDACSetImageLabel
 *
 * Drop one label of the image at @path. When it was the last, give the
 * image back to its remembered owner and remove the attributes. An image
 * that has no remembered owner is left alone; a missing one only logs a
 * warning (it may have been deleted).
 *
 * Returns 0 on success, -1 on error (reported).
 */
int
virSecurityDACRestoreImageLabel(const char *path)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&virSecurityDACLock);
    g_auto(virSecurityDACFile) file = { .fd = -1 };
    virSecurityDACRecord rec;
    g_autofree char *count = NULL;
    int rc;

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
        if (rec.haveRefcount)
            return virSecurityDACRemoveAttr(&file, VIR_SECURITY_DAC_XATTR_REFCOUNT);
        return 0;
    }

    if (rec.refcount > 1) {
        count = g_strdup_printf("%u", rec.refcount - 1);
        if (virSecurityDACSetAttr(&file, VIR_SECURITY_DAC_XATTR_REFCOUNT, count) < 0)
            return -1;
        VIR_DEBUG("image '%s' keeps its label (count %u)",
                  file.real, rec.refcount - 1);
        return 0;
    }

    /*
     * The last label (or one that a crash left half done): chown first,
     * so that whatever a crash leaves behind still names the owner.
     */
    if (virSecurityDACFileChown(&file, rec.uid, rec.gid) < 0 ||
        virSecurityDACRemoveAttr(&file, VIR_SECURITY_DAC_XATTR_REFCOUNT) < 0 ||
        virSecurityDACRemoveAttr(&file, VIR_SECURITY_DAC_XATTR_OWNER) < 0)
        return -1;

    VIR_DEBUG("restored image '%s' to %u:%u",
              file.real, (unsigned int) rec.uid, (unsigned int) rec.gid);
    return 0;
}

/**
 * virSecurityDACGetRemembered:
 * @path: an image
 * @uid: (out) (optional): the remembered owner, or (uid_t)-1 if none
 * @gid: (out) (optional): the remembered group, or (gid_t)-1 if none
 * @refcount: (out) (optional): the number of labels, 0 if none
 *
 * Tell what virSecurityDACSetImageLabel remembered about the image at
 * @path, for tests and status reports. An image on a file system without
 * trusted attributes has nothing remembered.
 *
 * Returns 0 on success, -1 on error (reported; also if @path is missing).
 */
int
virSecurityDACGetRemembered(const char *path,
                            uid_t *uid,
                            gid_t *gid,
                            unsigned int *refcount)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&virSecurityDACLock);
    g_auto(virSecurityDACFile) file = { .fd = -1 };
    virSecurityDACRecord rec = { 0 };
    int rc;

    if (virSecurityDACFileOpen(&file, path, false) < 0)
        return -1;

    if ((rc = virSecurityDACFileHasAttrs(&file)) < 0)
        return -1;
    if (rc > 0 &&
        (virSecurityDACFileLock(&file, LOCK_SH) < 0 ||
         virSecurityDACReadRecord(&file, &rec) < 0))
        return -1;

    if (uid)
        *uid = rec.haveOwner ? rec.uid : (uid_t) -1;
    if (gid)
        *gid = rec.haveOwner ? rec.gid : (gid_t) -1;
    if (refcount)
        *refcount = rec.haveOwner ? rec.refcount : 0;
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
