/*
 * security_manager.c: grant and revoke QEMU's access to disk images.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "security/security_manager.h"
#include "security/security_dac.h"
#include "util/virerror.h"
#include "util/virid.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_SECURITY

#define VIR_SECURITY_DEFAULT_USER "nobody"
#define VIR_SECURITY_DEFAULT_GROUP "nogroup"
/* The group that may open /dev/kvm (root:kvm 0660 on Debian). */
#define VIR_SECURITY_KVM_GROUP "kvm"

typedef enum {
    VIR_SECURITY_DRIVER_NONE,
    VIR_SECURITY_DRIVER_DAC,

    VIR_SECURITY_DRIVER_LAST
} virSecurityDriverType;

static const char *const virSecurityDriverNames[VIR_SECURITY_DRIVER_LAST] = {
    [VIR_SECURITY_DRIVER_NONE] = "none",
    [VIR_SECURITY_DRIVER_DAC] = "dac",
};

struct _virSecurityManager {
    virSecurityDriverType type;
    bool active;            /* DAC, and we may chown: root */
    uid_t uid;
    gid_t gid;
    /*
     * QEMU's supplementary groups, worked out here because the child
     * that drops to them runs between fork and exec, where looking up
     * the group database is not safe.
     */
    gid_t *groups;
    size_t ngroups;
};

/* Scratch space for the get*_r calls, grown until the entry fits. */
static size_t
virSecurityManagerPwBufSize(void)
{
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);

    return size > 0 ? size : 1024;
}

/*
 * Look up a user by name or "+UID". Sets *found to false for a user
 * that does not exist (a "+UID" need not exist), then leaves @uid and
 * @primary alone unless given by number.
 */
static int
virSecurityManagerLookupUser(const char *name,
                             uid_t *uid,
                             gid_t *primary,
                             char **pwname,
                             bool *found)
{
    size_t bufsize = virSecurityManagerPwBufSize();
    struct passwd pwbuf;
    struct passwd *pw = NULL;
    guint32 num = 0;
    int numeric;
    int rc;

    if ((numeric = virIDParseNumeric(name, &num)) < 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "user '%s' is neither a name nor '+' followed by a number from 0 to %u",
                       name, VIR_ID_MAX);
        return -1;
    }

    for (;;) {
        g_autofree char *buf = g_malloc(bufsize);

        if (numeric)
            rc = getpwuid_r(num, &pwbuf, buf, bufsize, &pw);
        else
            rc = getpwnam_r(name, &pwbuf, buf, bufsize, &pw);
        if (rc == ERANGE) {
            bufsize *= 2;
            continue;
        }
        if (rc != 0) {
            virReportSystemError(rc, "cannot look up user '%s'", name);
            return -1;
        }
        if (pw) {
            *uid = pw->pw_uid;
            *primary = pw->pw_gid;
            *pwname = g_strdup(pw->pw_name);
        }
        break;
    }

    *found = pw != NULL;
    if (numeric)
        *uid = num;
    return 0;
}

/*
 * Look up a group by name or "+GID". Returns 0 and sets *found to false
 * if a group given by name does not exist.
 */
static int
virSecurityManagerLookupGroup(const char *name,
                              gid_t *gid,
                              bool *found)
{
    size_t bufsize = virSecurityManagerPwBufSize();
    struct group grbuf;
    struct group *gr = NULL;
    guint32 num;
    int rc;

    switch (virIDParseNumeric(name, &num)) {
    case -1:
        virReportError(VIR_ERR_INVALID_ARG,
                       "group '%s' is neither a name nor '+' followed by a number from 0 to %u",
                       name, VIR_ID_MAX);
        return -1;
    case 1:
        *gid = num;
        *found = true;
        return 0;
    }

    for (;;) {
        g_autofree char *buf = g_malloc(bufsize);

        rc = getgrnam_r(name, &grbuf, buf, bufsize, &gr);
        if (rc == ERANGE) {
            bufsize *= 2;
            continue;
        }
        if (rc != 0) {
            virReportSystemError(rc, "cannot look up group '%s'", name);
            return -1;
        }
        if (gr)
            *gid = gr->gr_gid;
        break;
    }

    *found = gr != NULL;
    return 0;
}

/*
 * The groups QEMU runs with: @gid and every group that lists @pwname as
 * a member, as initgroups() would set them (a user known only by number
 * gets @gid alone), plus the "kvm" group where there is one.
 *
 * libvirt's packages make their QEMU user a member of "kvm" so that QEMU
 * can open /dev/kvm; our default user, "nobody", is a member of nothing,
 * so without it every <domain type='kvm'> would fail. The udev rules give
 * the group the virtualization devices (/dev/kvm, /dev/vhost-net and the
 * like): what QEMU exists to use, and nothing else.
 */
static int
virSecurityManagerLookupGroupList(virSecurityManager *mgr,
                                  const char *pwname)
{
    int ngroups = 16;
    gid_t kvm;
    bool found;

    if (!pwname) {
        mgr->groups = g_new0(gid_t, 2);
        mgr->groups[0] = mgr->gid;
        mgr->ngroups = 1;
    } else {
        for (;;) {
            int n = ngroups;

            /* One more slot than asked for: room for "kvm". */
            mgr->groups = g_renew(gid_t, mgr->groups, ngroups + 1);
            if (getgrouplist(pwname, mgr->gid, mgr->groups, &n) >= 0) {
                mgr->ngroups = n;
                break;
            }
            /* n now holds the number needed; guard against it not growing. */
            ngroups = MAX(n, ngroups * 2);
        }
    }

    /* Optional: a group database that cannot answer (an NSS or LDAP
     * outage) must not keep every root from opening. QEMU then runs
     * without it, as on a host that has no such group. */
    if (virSecurityManagerLookupGroup(VIR_SECURITY_KVM_GROUP, &kvm, &found) < 0) {
        VIR_WARN("QEMU runs without the '%s' group, which could not be looked up: %s",
                 VIR_SECURITY_KVM_GROUP, virGetLastErrorMessage());
        virResetLastError();
        return 0;
    }
    if (!found)
        return 0;
    for (size_t i = 0; i < mgr->ngroups; i++) {
        if (mgr->groups[i] == kvm)
            return 0;
    }
    mgr->groups[mgr->ngroups++] = kvm;
    return 0;
}

/**
 * virSecurityManagerNew:
 * @driver: "dac", "none", or NULL for "dac"
 * @user: the user QEMU runs as: a name or "+UID"; NULL for "nobody"
 * @group: its group: a name or "+GID"; NULL for "nogroup" (or, where no
 *         such group exists, the user's primary group)
 *
 * Create a security manager. The "dac" driver hands every image to
 * @user:@group while QEMU uses it and makes the QEMU child drop to them,
 * with @user's supplementary groups and the "kvm" group if the host has
 * one (for /dev/kvm; a group database that cannot be read counts as none,
 * with a warning); it does so only when running as root, and otherwise
 * behaves like "none", which changes nothing.
 *
 * Returns the manager (free with virSecurityManagerFree), or NULL with
 * VIR_ERR_CONFIG_UNSUPPORTED for an unknown driver or VIR_ERR_INVALID_ARG
 * for an unknown user or group.
 */
virSecurityManager *
virSecurityManagerNew(const char *driver,
                      const char *user,
                      const char *group)
{
    g_autoptr(virSecurityManager) mgr = g_new0(virSecurityManager, 1);
    g_autofree char *pwname = NULL;
    gid_t primary = (gid_t) -1;
    bool found = false;
    size_t i;

    VIR_DEBUG("driver=%s user=%s group=%s",
              NULLSTR(driver), NULLSTR(user), NULLSTR(group));

    if (!driver)
        driver = virSecurityDriverNames[VIR_SECURITY_DRIVER_DAC];
    for (i = 0; i < VIR_SECURITY_DRIVER_LAST; i++) {
        if (g_str_equal(driver, virSecurityDriverNames[i]))
            break;
    }
    if (i == VIR_SECURITY_DRIVER_LAST) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "security driver '%s' is not supported, use 'dac' or 'none'",
                       driver);
        return NULL;
    }
    mgr->type = i;

    if (!user)
        user = VIR_SECURITY_DEFAULT_USER;
    if (virSecurityManagerLookupUser(user, &mgr->uid, &primary,
                                     &pwname, &found) < 0)
        return NULL;
    if (!found && user[0] != '+') {
        virReportError(VIR_ERR_INVALID_ARG, "user '%s' does not exist", user);
        return NULL;
    }

    if (group) {
        if (virSecurityManagerLookupGroup(group, &mgr->gid, &found) < 0)
            return NULL;
        if (!found) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "group '%s' does not exist", group);
            return NULL;
        }
    } else {
        if (virSecurityManagerLookupGroup(VIR_SECURITY_DEFAULT_GROUP,
                                          &mgr->gid, &found) < 0)
            return NULL;
        if (!found) {
            if (primary == (gid_t) -1) {
                virReportError(VIR_ERR_INVALID_ARG,
                               "no group is set for user '%s' and there is no group '%s' to default to",
                               user, VIR_SECURITY_DEFAULT_GROUP);
                return NULL;
            }
            mgr->gid = primary;
        }
    }

    if (virSecurityManagerLookupGroupList(mgr, pwname) < 0)
        return NULL;

    if (mgr->type == VIR_SECURITY_DRIVER_DAC) {
        if (geteuid() == 0)
            mgr->active = true;
        else
            VIR_DEBUG("not running as root: the dac driver leaves images alone");
    }

    VIR_DEBUG("security driver '%s' (%s), QEMU runs as %u:%u with %zu groups",
              virSecurityDriverNames[mgr->type],
              mgr->active ? "active" : "inactive",
              (unsigned int) mgr->uid, (unsigned int) mgr->gid, mgr->ngroups);

    return g_steal_pointer(&mgr);
}

/**
 * virSecurityManagerFree:
 * @mgr: (nullable): a security manager
 *
 * Free @mgr. Labels it set stay on the images (they are remembered in
 * the images themselves, and another manager can restore them).
 */
void
virSecurityManagerFree(virSecurityManager *mgr)
{
    if (!mgr)
        return;
    g_free(mgr->groups);
    g_free(mgr);
}

/**
 * virSecurityManagerGetDriver:
 * @mgr: a security manager
 *
 * Returns the configured driver's name, "dac" or "none" (see
 * virSecurityManagerIsActive for whether "dac" does anything).
 */
const char *
virSecurityManagerGetDriver(virSecurityManager *mgr)
{
    return virSecurityDriverNames[mgr->type];
}

/**
 * virSecurityManagerIsActive:
 * @mgr: a security manager
 *
 * Returns true if @mgr labels images and drops privileges: the "dac"
 * driver while running as root.
 */
bool
virSecurityManagerIsActive(virSecurityManager *mgr)
{
    return mgr->active;
}

/**
 * virSecurityManagerGetUser:
 * @mgr: a security manager
 *
 * Returns the uid that QEMU runs as when @mgr is active.
 */
uid_t
virSecurityManagerGetUser(virSecurityManager *mgr)
{
    return mgr->uid;
}

/**
 * virSecurityManagerGetGroup:
 * @mgr: a security manager
 *
 * Returns the gid that QEMU runs as when @mgr is active.
 */
gid_t
virSecurityManagerGetGroup(virSecurityManager *mgr)
{
    return mgr->gid;
}

/**
 * virSecurityManagerHolderID:
 * @scope: what the ids of @uuid are unique in, e.g. the driver's root
 *         directory; NULL is the same as ""
 * @uuid: the 16 bytes of a domain's UUID
 *
 * Make the holder id under which a domain labels its images: the first 8
 * hex digits of the SHA-256 of @scope, a colon, and @uuid in its usual
 * text form, e.g. "1a2b3c4d:8f0e...-...". Two drivers with different
 * roots that run domains with the same UUID get different ids; the id is
 * the same in every process, so a restarted daemon can drop the labels
 * its predecessor set.
 *
 * Returns the id (free with g_free), or NULL if @uuid is NULL (reported).
 */
char *
virSecurityManagerHolderID(const char *scope,
                           const unsigned char *uuid)
{
    /* Group sizes of the text form of a UUID, in bytes: 8-4-4-4-12 digits. */
    static const int groups[] = { 4, 2, 2, 2, 6 };
    g_autofree char *hash = NULL;
    g_autoptr(GString) id = NULL;
    size_t byte = 0;

    if (!uuid) {
        virReportInvalidNonNullArg(uuid);
        return NULL;
    }

    hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
                                         scope ? scope : "", -1);
    id = g_string_new(NULL);
    g_string_append_printf(id, "%.8s:", hash);
    for (size_t g = 0; g < G_N_ELEMENTS(groups); g++) {
        if (g > 0)
            g_string_append_c(id, '-');
        for (int i = 0; i < groups[g]; i++)
            g_string_append_printf(id, "%02x", uuid[byte++]);
    }
    return g_string_free(g_steal_pointer(&id), FALSE);
}

/*
 * What every call on one image checks first: @path is given and @holder
 * is a valid id (refused even when inactive, so that a caller's bad id
 * shows on every host).
 *
 * Returns 1 if the manager is to act, 0 if it is inactive (nothing to
 * do), -1 on error (reported).
 */
static int
virSecurityManagerCheckImageArgs(virSecurityManager *mgr,
                                 const char *path,
                                 const char *holder)
{
    if (!path) {
        virReportInvalidNonNullArg(path);
        return -1;
    }
    if (virSecurityDACCheckHolder(holder) < 0)
        return -1;
    return mgr->active ? 1 : 0;
}

/* The same for a list of images: @paths is given unless empty. Returns 0
 * or -1 (reported). */
static int
virSecurityManagerCheckImageListArgs(const char *const *paths,
                                     size_t npaths,
                                     const char *holder)
{
    if (npaths > 0 && !paths) {
        virReportInvalidNonNullArg(paths);
        return -1;
    }
    return virSecurityDACCheckHolder(holder);
}

/**
 * virSecurityManagerSetImageLabel:
 * @mgr: a security manager
 * @path: an image QEMU is to open (a symlink to it is followed)
 * @holder: who needs the label: an id of 1 to 128 bytes without a comma,
 *          e.g. one made by virSecurityManagerHolderID for a domain
 *
 * Grant QEMU's user access to the image at @path on behalf of @holder:
 * with an active "dac" driver, make it owned by QEMU's user and group
 * (the mode and ACL stay), remember the original owner, mode and access
 * ACL in the image, and add @holder to the image's holders. Labelling again for the same holder
 * changes nothing: the image stays labelled until
 * virSecurityManagerRestoreImageLabel with that holder (and every other
 * holder) is called, once is enough.
 *
 * Returns 0 on success (also when inactive), -1 on error (reported;
 * VIR_ERR_INVALID_ARG for a bad @holder, also when inactive).
 */
int
virSecurityManagerSetImageLabel(virSecurityManager *mgr,
                                const char *path,
                                const char *holder)
{
    int rc;

    if ((rc = virSecurityManagerCheckImageArgs(mgr, path, holder)) <= 0)
        return rc;
    return virSecurityDACSetImageLabel(path, mgr->uid, mgr->gid, holder);
}

/**
 * virSecurityManagerSetImageLabelFD:
 * @mgr: a security manager
 * @fd: a descriptor of the file, open in any mode (it stays open)
 * @path: the file's name, for messages and for the restore
 * @holder: who needs the label (see virSecurityManagerSetImageLabel)
 *
 * As virSecurityManagerSetImageLabel, for the file open at @fd: the file
 * the caller opened and checked, not whatever @path leads to by now (a
 * name in a directory others can write may be pointed elsewhere at any
 * moment). Restore it with virSecurityManagerRestoreImageLabel(@path):
 * a restore changes only a file that carries this label's record.
 *
 * Returns 0 on success (also when inactive), -1 on error (reported).
 */
int
virSecurityManagerSetImageLabelFD(virSecurityManager *mgr,
                                  int fd,
                                  const char *path,
                                  const char *holder)
{
    int rc;

    if ((rc = virSecurityManagerCheckImageArgs(mgr, path, holder)) <= 0)
        return rc;
    return virSecurityDACSetImageLabelFD(fd, path, mgr->uid, mgr->gid, holder);
}

/**
 * virSecurityManagerRestoreImageLabel:
 * @mgr: a security manager
 * @path: an image labelled by virSecurityManagerSetImageLabel
 * @holder: the holder that no longer needs it
 *
 * Drop @holder's grant of the image at @path; when no other holder
 * remains, give the image back its remembered owner, mode and access ACL,
 * undoing any chmod or ACL entry QEMU's user made while it owned the
 * image (an open file descriptor it kept is beyond reach). A holder that
 * does not hold the image (never did, or already let go: a restore
 * replayed after a crash) changes nothing, so another holder's grant is
 * never taken away. Works with any manager, in any process, after a
 * crash of the one that labelled it. A missing image or one with no
 * remembered owner is left alone.
 *
 * Returns 0 on success (also when inactive), -1 on error (reported;
 * VIR_ERR_INVALID_ARG for a bad @holder, also when inactive).
 */
int
virSecurityManagerRestoreImageLabel(virSecurityManager *mgr,
                                    const char *path,
                                    const char *holder)
{
    int rc;

    if ((rc = virSecurityManagerCheckImageArgs(mgr, path, holder)) <= 0)
        return rc;
    return virSecurityDACRestoreImageLabel(path, holder);
}

/**
 * virSecurityManagerSetImageLabels:
 * @mgr: a security manager
 * @paths: the images, e.g. every image of every disk's chain; the same
 *         image may be listed more than once (two disks sharing a
 *         backing image)
 * @npaths: how many
 * @holder: who needs the labels (see virSecurityManagerSetImageLabel)
 *
 * Label every image in @paths for @holder. If one fails, @holder is
 * dropped again from those before it, so that either all are labelled
 * or none: meant for a holder that holds none of them yet, such as a
 * domain that is starting.
 *
 * Returns 0 on success, -1 on error (the first failure is reported).
 */
int
virSecurityManagerSetImageLabels(virSecurityManager *mgr,
                                 const char *const *paths,
                                 size_t npaths,
                                 const char *holder)
{
    size_t i;

    if (virSecurityManagerCheckImageListArgs(paths, npaths, holder) < 0)
        return -1;

    for (i = 0; i < npaths; i++) {
        if (virSecurityManagerSetImageLabel(mgr, paths[i], holder) < 0)
            break;
    }
    if (i == npaths)
        return 0;

    if (i > 0) {
        virErrorPtr saved = NULL;

        virErrorPreserveLast(&saved);
        while (i-- > 0) {
            if (virSecurityManagerRestoreImageLabel(mgr, paths[i], holder) < 0) {
                virErrorPtr err = virGetLastError();

                VIR_WARN("cannot undo the label of image '%s': %s", paths[i],
                         err && err->message ? err->message : "unknown error");
            }
        }
        virErrorRestore(&saved);
    }
    return -1;
}

/**
 * virSecurityManagerRestoreImageLabels:
 * @mgr: a security manager
 * @paths: the images; an image listed twice is restored once
 * @npaths: how many
 * @holder: the holder that no longer needs them
 *
 * Drop @holder's grant of every image in @paths, carrying on past
 * failures so that one bad image doesn't leave the others handed out.
 *
 * Returns 0 on success, -1 if any failed (the first failure is reported).
 */
int
virSecurityManagerRestoreImageLabels(virSecurityManager *mgr,
                                     const char *const *paths,
                                     size_t npaths,
                                     const char *holder)
{
    virErrorPtr first = NULL;
    size_t i;
    int ret = 0;

    if (virSecurityManagerCheckImageListArgs(paths, npaths, holder) < 0)
        return -1;

    for (i = 0; i < npaths; i++) {
        if (virSecurityManagerRestoreImageLabel(mgr, paths[i], holder) < 0) {
            if (ret == 0)
                virErrorPreserveLast(&first);
            ret = -1;
        }
    }

    if (ret < 0)
        virErrorRestore(&first);
    return ret;
}

/**
 * virSecurityManagerSetPrivateOwner:
 * @mgr: a security manager
 * @path: a file or directory the driver made for QEMU (a per-domain
 *        directory, a log file)
 *
 * Hand @path to QEMU's user and group without remembering its owner: the
 * driver removes it itself when the domain stops. A final symlink is not
 * followed.
 *
 * Returns 0 on success (also when inactive), -1 on error (reported).
 */
int
virSecurityManagerSetPrivateOwner(virSecurityManager *mgr,
                                  const char *path)
{
    if (!path) {
        virReportInvalidNonNullArg(path);
        return -1;
    }
    if (!mgr->active)
        return 0;
    return virSecurityDACSetOwner(path, mgr->uid, mgr->gid);
}

/**
 * virSecurityManagerDropPrivilegesInChild:
 * @mgr: a security manager
 *
 * In a child between fork and exec: switch to QEMU's supplementary
 * groups (the user's, and "kvm"), group and user, for good (real, effective and saved ids), so
 * that QEMU opens every image as that user. Only system calls happen
 * here, everything was looked up by virSecurityManagerNew. Does nothing
 * when @mgr is inactive.
 *
 * Returns 0 on success, -1 with errno set on failure. Reports nothing.
 */
int
virSecurityManagerDropPrivilegesInChild(virSecurityManager *mgr)
{
    if (!mgr->active)
        return 0;

    /* Groups first: once the uid is dropped they can't be changed. */
    if (setgroups(mgr->ngroups, mgr->groups) < 0 ||
        setresgid(mgr->gid, mgr->gid, mgr->gid) < 0 ||
        setresuid(mgr->uid, mgr->uid, mgr->uid) < 0)
        return -1;

    return 0;
}
