/*
 * securitytestutils.c: helpers shared by the files of securitytest (see
 * securitytestutils.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "security/security_dac.h"
#include "util/virerror.h"
#include "testutils.h"
#include "testutilsvirt.h"
#include "securitytestutils.h"

/* The 0755 directory every test makes its files in (virTestMakeDir: the
 * reaper removes it, and detaches what is mounted in it, if the test
 * dies). */
static char *testRoot;

/* A file system mounted by the running test. */
static char testMount[PATH_MAX];

uid_t nobodyUid;
gid_t nogroupGid;


void
testUnmountNow(void)
{
    if (testMount[0]) {
        umount2(testMount, MNT_DETACH);
        testMount[0] = '\0';
    }
}

void
testCleanup(void)
{
    testUnmountNow();
    virTestCleanupDir(testRoot);
    g_clear_pointer(&testRoot, g_free);
}

/*
 * Running as anyone but root, the DAC driver does nothing, so its tests
 * would prove nothing: fail them, unless the caller says it knows.
 */
bool
testRequireRoot(void)
{
    if (geteuid() == 0)
        return true;

    if (g_strcmp0(g_getenv("VIR_TEST_ALLOW_NONROOT"), "1") == 0) {
        g_test_skip("DAC labels need root (VIR_TEST_ALLOW_NONROOT=1 is set)");
        return false;
    }

    g_test_message("the DAC tests must run as root: they chown files and "
                   "drop privileges; set VIR_TEST_ALLOW_NONROOT=1 to skip them");
    g_test_fail();
    return false;
}

/* A fresh directory for one test, 0755 so that QEMU's user may look in. */
char *
testMakeDir(const char *name)
{
    char *dir = g_build_filename(testRoot, name, NULL);

    g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
    g_assert_cmpint(chmod(dir, 0755), ==, 0);
    return dir;
}

char *
testMakeImage(const char *dir,
              const char *name,
              mode_t mode,
              uid_t uid,
              gid_t gid)
{
    char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    g_assert_true(g_file_set_contents(path, "QFI\xfb image data", -1, &err));
    g_assert_no_error(err);
    g_assert_cmpint(chmod(path, mode), ==, 0);
    g_assert_cmpint(chown(path, uid, gid), ==, 0);
    return path;
}

void
testAssertOwner(const char *path,
                uid_t uid,
                gid_t gid,
                mode_t mode)
{
    struct stat sb;

    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpuint(sb.st_uid, ==, uid);
    g_assert_cmpuint(sb.st_gid, ==, gid);
    g_assert_cmpint(sb.st_mode & 07777, ==, mode);
}

/* The value of attribute @name of @path, or NULL if it has none. */
char *
testGetAttr(const char *path,
            const char *name)
{
    char buf[8192];
    ssize_t len = getxattr(path, name, buf, sizeof(buf) - 1);

    if (len < 0) {
        g_assert_cmpint(errno, ==, ENODATA);
        return NULL;
    }
    buf[len] = '\0';
    return g_strdup(buf);
}

/*
 * The attributes of @path are exactly @owner ("UID:GID:MODE[:ACL]") and
 * @holders (the comma-separated list), NULL meaning absent.
 */
void
testAssertRemembered(const char *path,
                     const char *owner,
                     const char *holders)
{
    g_autofree char *gotOwner = testGetAttr(path, VIR_SECURITY_DAC_XATTR_OWNER);
    g_autofree char *gotHolders = testGetAttr(path, VIR_SECURITY_DAC_XATTR_HOLDERS);

    g_assert_cmpstr(gotOwner, ==, owner);
    g_assert_cmpstr(gotHolders, ==, holders);
    /* The old count is gone for good. */
    g_assert_null(testGetAttr(path, "trusted.libvirt-bp.dac.refcount"));
}

/* virSecurityDACGetRemembered reports @nholders holders. */
void
testAssertHolderCount(const char *path,
                      guint nholders)
{
    g_auto(GStrv) holders = NULL;

    g_assert_cmpint(virSecurityDACGetRemembered(path, NULL, NULL, &holders), ==, 0);
    g_assert_nonnull(holders);
    g_assert_cmpuint(g_strv_length(holders), ==, nholders);
}

void
testSetAttr(const char *path,
            const char *name,
            const char *value,
            size_t len)
{
    g_assert_cmpint(setxattr(path, name, value, len, 0), ==, 0);
}

void
testAssertSecurityError(int code)
{
    virTestAssertErrorFull(VIR_FROM_SECURITY, code, NULL);
    virResetLastError();
}

/*
 * Fork a child that drops to @mgr's user the way the QEMU child does and
 * tries to open @path with @flags (O_RDONLY, O_WRONLY...). Returns a
 * CHILD_* code.
 */
int
testChildOpenFlags(virSecurityManager *mgr,
                   const char *path,
                   int flags)
{
    bool active = virSecurityManagerIsActive(mgr);
    uid_t uid = active ? virSecurityManagerGetUser(mgr) : geteuid();
    gid_t gid = active ? virSecurityManagerGetGroup(mgr) : getegid();
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);

    if (pid == 0) {
        int fd;

        if (virSecurityManagerDropPrivilegesInChild(mgr) < 0)
            _exit(CHILD_DROP_FAILED);
        if (getuid() != uid || geteuid() != uid ||
            getgid() != gid || getegid() != gid)
            _exit(CHILD_WRONG_IDS);
        if (uid != 0 && setuid(0) == 0)
            _exit(CHILD_CAN_REGAIN_ROOT);
        if ((fd = open(path, flags)) >= 0)
            _exit(CHILD_OPENED);
        _exit(errno == EACCES ? CHILD_DENIED : CHILD_OPEN_FAILED);
    }

    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Can @mgr's user read @path? (a CHILD_* code) */
int
testChildOpen(virSecurityManager *mgr,
              const char *path)
{
    return testChildOpenFlags(mgr, path, O_RDONLY);
}

/*
 * @mgr's user can neither read nor write @path, nor open it for both.
 */
void
testAssertLockedOut(virSecurityManager *mgr,
                    const char *path)
{
    g_assert_cmpint(testChildOpenFlags(mgr, path, O_RDONLY), ==, CHILD_DENIED);
    g_assert_cmpint(testChildOpenFlags(mgr, path, O_WRONLY), ==, CHILD_DENIED);
    g_assert_cmpint(testChildOpenFlags(mgr, path, O_RDWR), ==, CHILD_DENIED);
}

/*
 * Run @argv (a command in $PATH) as @mgr's user, dropped to the way the
 * QEMU child is: what QEMU's user could do to a file it owns. Returns the
 * command's exit status.
 */
int
testChildExec(virSecurityManager *mgr,
              const char *const *argv)
{
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        if (virSecurityManagerDropPrivilegesInChild(mgr) < 0)
            _exit(CHILD_DROP_FAILED);
        execvp(argv[0], (char *const *) argv);
        _exit(127);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* The access ACL of @path in hex, as the kernel stores it, or NULL if none. */
char *
testGetACL(const char *path)
{
    return testGetAttrHex(path, "system.posix_acl_access");
}

char *
testGetAttrHex(const char *path,
               const char *name)
{
    guint8 buf[65536];
    ssize_t len = getxattr(path, name, buf, sizeof(buf));
    GString *hex;

    if (len < 0) {
        g_assert_cmpint(errno, ==, ENODATA);
        return NULL;
    }
    hex = g_string_new(NULL);
    for (ssize_t i = 0; i < len; i++)
        g_string_append_printf(hex, "%02x", buf[i]);
    return g_string_free(hex, FALSE);
}

/* The access ACL of @path is @acl (hex, as testGetACL), or none if NULL. */
void
testAssertACL(const char *path,
              const char *acl)
{
    g_autofree char *got = testGetACL(path);

    g_assert_cmpstr(got, ==, acl);
}

virSecurityManager *
testNewDAC(void)
{
    virSecurityManager *mgr = virSecurityManagerNew("dac", NULL, NULL);

    g_assert_nonnull(mgr);
    g_assert_true(virSecurityManagerIsActive(mgr));
    return mgr;
}

/* Mount @fstype on @dir for the running test (the reaper detaches it if
 * the test dies). */
void
testMountOrFail(const char *dir,
                const char *fstype,
                const char *options)
{
    if (mount(fstype, dir, fstype, 0, options) < 0) {
        g_test_message("cannot mount %s on '%s': %s",
                       fstype, dir, g_strerror(errno));
        g_assert_not_reached();
    }
    g_strlcpy(testMount, dir, sizeof(testMount));
}

int
testSecurityInit(int *argc,
                 char ***argv,
                 const char *name)
{
    g_autofree char *tmpl = g_strdup_printf("%s-XXXXXX", name);
    struct passwd *pw;
    struct group *gr;

    virTestInit(argc, argv);

    if (!(pw = getpwnam("nobody")) || !(gr = getgrnam("nogroup"))) {
        g_printerr("%s needs the user 'nobody' and the group 'nogroup'\n", name);
        return -1;
    }
    nobodyUid = pw->pw_uid;
    nogroupGid = gr->gr_gid;

    testRoot = virTestMakeDir(tmpl);
    return 0;
}
