/*
 * securitytest.c: the security manager: DAC labels grant and revoke access.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "security/security_manager.h"
#include "security/security_dac.h"
#include "util/virerror.h"
#include "securitytestutils.h"


static void
testNew(void)
{
    g_autoptr(virSecurityManager) dac = NULL;
    g_autoptr(virSecurityManager) deflt = NULL;
    g_autoptr(virSecurityManager) none = NULL;
    g_autoptr(virSecurityManager) numeric = NULL;

    dac = virSecurityManagerNew("dac", "nobody", "nogroup");
    g_assert_nonnull(dac);
    g_assert_cmpstr(virSecurityManagerGetDriver(dac), ==, "dac");
    g_assert_cmpuint(virSecurityManagerGetUser(dac), ==, nobodyUid);
    g_assert_cmpuint(virSecurityManagerGetGroup(dac), ==, nogroupGid);
    g_assert_true(virSecurityManagerIsActive(dac) == (geteuid() == 0));

    deflt = virSecurityManagerNew(NULL, NULL, NULL);
    g_assert_nonnull(deflt);
    g_assert_cmpstr(virSecurityManagerGetDriver(deflt), ==, "dac");
    g_assert_cmpuint(virSecurityManagerGetUser(deflt), ==, nobodyUid);
    g_assert_cmpuint(virSecurityManagerGetGroup(deflt), ==, nogroupGid);

    none = virSecurityManagerNew("none", NULL, NULL);
    g_assert_nonnull(none);
    g_assert_cmpstr(virSecurityManagerGetDriver(none), ==, "none");
    g_assert_false(virSecurityManagerIsActive(none));

    /* A user given by number need not exist. */
    numeric = virSecurityManagerNew("dac", "+1234", "+4321");
    g_assert_nonnull(numeric);
    g_assert_cmpuint(virSecurityManagerGetUser(numeric), ==, 1234);
    g_assert_cmpuint(virSecurityManagerGetGroup(numeric), ==, 4321);

    g_assert_null(virSecurityManagerNew("selinux", NULL, NULL));
    testAssertSecurityError(VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_null(virSecurityManagerNew("", NULL, NULL));
    testAssertSecurityError(VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_null(virSecurityManagerNew("dac", "no-such-user-here", NULL));
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_null(virSecurityManagerNew("dac", "nobody", "no-such-group-here"));
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_null(virSecurityManagerNew("dac", "+12x", NULL));
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_null(virSecurityManagerNew("dac", "nobody", "+"));
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_null(virSecurityManagerNew("dac", "+4294967295", NULL));
    g_assert_nonnull(strstr(virGetLastErrorMessage(),
                            "user '+4294967295' is neither a name nor '+' followed "
                            "by a number from 0 to 4294967294"));
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_null(virSecurityManagerNew("dac", "nobody", "+4294967295"));
    g_assert_nonnull(strstr(virGetLastErrorMessage(),
                            "group '+4294967295' is neither a name nor '+' followed "
                            "by a number from 0 to 4294967294"));
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
}


/* "none" (and "dac" without root) leaves everything alone. */
static void
testNone(void)
{
    g_autoptr(virSecurityManager) mgr = virSecurityManagerNew("none", NULL, NULL);
    g_autofree char *dir = testMakeDir("none");
    uid_t uid = geteuid();
    gid_t gid = getegid();
    g_autofree char *img = testMakeImage(dir, "img", 0600, uid, gid);
    const char *paths[] = { img, img };
    g_auto(GStrv) holders = NULL;
    uid_t ruid;
    gid_t rgid;

    g_assert_nonnull(mgr);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, uid, gid, 0600);
    g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, paths, 2, HOLDER_A), ==, 0);
    testAssertOwner(img, uid, gid, 0600);
    if (uid == 0)
        testAssertRemembered(img, NULL, NULL);
    g_assert_cmpint(virSecurityDACGetRemembered(img, &ruid, &rgid, &holders), ==, 0);
    g_assert_nonnull(holders);
    g_assert_cmpuint(g_strv_length(holders), ==, 0);
    g_assert_cmpuint(ruid, ==, (uid_t) -1);
    g_assert_cmpuint(rgid, ==, (gid_t) -1);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabels(mgr, paths, 2, HOLDER_A), ==, 0);
    testAssertOwner(img, uid, gid, 0600);
    g_assert_cmpint(virSecurityManagerSetPrivateOwner(mgr, dir), ==, 0);
    testAssertOwner(dir, uid, gid, 0755);

    /* A bad holder is a bug in the caller, whichever driver runs. */
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, "a,b"), ==, -1);
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, NULL), ==, -1);
    testAssertSecurityError(VIR_ERR_INVALID_ARG);

    /* The QEMU child keeps our identity. */
    g_assert_cmpint(virSecurityManagerDropPrivilegesInChild(mgr), ==, 0);
    g_assert_cmpuint(geteuid(), ==, uid);
    g_assert_cmpint(testChildOpen(mgr, img), ==, CHILD_OPENED);
}

/* Holder ids: the driver's form, and what is refused. */
static void
testHolderID(void)
{
    static const unsigned char uuid[16] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
        0x08, 0x09, 0x0a, 0x0b, 0x0c, 0xad, 0xbe, 0xef,
    };
    g_autofree char *abc = virSecurityManagerHolderID("abc", uuid);
    g_autofree char *empty = virSecurityManagerHolderID(NULL, uuid);
    g_autofree char *other = virSecurityManagerHolderID("/var/lib/other", uuid);
    g_autofree char *big = g_strnfill(VIR_SECURITY_DAC_HOLDER_MAX, 'x');
    g_autofree char *tooBig = g_strnfill(VIR_SECURITY_DAC_HOLDER_MAX + 1, 'x');

    /* SHA-256("abc") and SHA-256("") begin with these. */
    g_assert_cmpstr(abc, ==, "ba7816bf:00010203-0405-0607-0809-0a0b0cadbeef");
    g_assert_cmpstr(empty, ==, "e3b0c442:00010203-0405-0607-0809-0a0b0cadbeef");
    g_assert_cmpstr(other, !=, abc);
    g_assert_cmpint(virSecurityDACCheckHolder(abc), ==, 0);

    g_assert_null(virSecurityManagerHolderID("abc", NULL));
    testAssertSecurityError(VIR_ERR_INVALID_ARG);

    g_assert_cmpint(virSecurityDACCheckHolder(big), ==, 0);
    g_assert_cmpint(virSecurityDACCheckHolder("x"), ==, 0);
    g_assert_cmpint(virSecurityDACCheckHolder(tooBig), ==, -1);
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virSecurityDACCheckHolder(""), ==, -1);
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virSecurityDACCheckHolder(NULL), ==, -1);
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virSecurityDACCheckHolder(","), ==, -1);
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virSecurityDACCheckHolder("a,b"), ==, -1);
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
}

/* Bad holder ids are refused before anything changes. */
static void
testBadHolder(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *big = g_strnfill(VIR_SECURITY_DAC_HOLDER_MAX, 'y');
    g_autofree char *tooBig = g_strnfill(VIR_SECURITY_DAC_HOLDER_MAX + 1, 'y');
    const char *const bad[] = { NULL, "", ",", "a,", ",a", "a,b", tooBig };
    const char *paths[1];
    size_t i;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("badholder");
    img = testMakeImage(dir, "img", 0600, 0, 0);
    paths[0] = img;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("holder '%s'", bad[i] ? bad[i] : "(null)");
        g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, bad[i]), ==, -1);
        testAssertSecurityError(VIR_ERR_INVALID_ARG);
        g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, paths, 1, bad[i]), ==, -1);
        testAssertSecurityError(VIR_ERR_INVALID_ARG);
        g_assert_cmpint(virSecurityDACSetImageLabel(img, nobodyUid, nogroupGid,
                                                    bad[i]), ==, -1);
        testAssertSecurityError(VIR_ERR_INVALID_ARG);
        testAssertOwner(img, 0, 0, 0600);
        testAssertRemembered(img, NULL, NULL);
    }

    /* The longest allowed id works, and is what gets refused below. */
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, big), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0600);
    testAssertRemembered(img, "0:0:0600", big);

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, bad[i]), ==, -1);
        testAssertSecurityError(VIR_ERR_INVALID_ARG);
        g_assert_cmpint(virSecurityManagerRestoreImageLabels(mgr, paths, 1, bad[i]), ==, -1);
        testAssertSecurityError(VIR_ERR_INVALID_ARG);
        g_assert_cmpint(virSecurityDACRestoreImageLabel(img, bad[i]), ==, -1);
        testAssertSecurityError(VIR_ERR_INVALID_ARG);
        testAssertOwner(img, nobodyUid, nogroupGid, 0600);
        testAssertRemembered(img, "0:0:0600", big);
    }

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, big), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);
}

static void
testLabelRestoreIn(const char *dir)
{
    g_autoptr(virSecurityManager) mgr = testNewDAC();
    g_autofree char *img600 = testMakeImage(dir, "base.qcow2", 0600, 0, 0);
    g_autofree char *img640 = testMakeImage(dir, "top.qcow2", 0640, 0, 0);
    g_auto(GStrv) holders = NULL;
    uid_t uid;
    gid_t gid;

    /* Before: root's, the QEMU user can't read either. */
    g_assert_cmpint(testChildOpen(mgr, img600), ==, CHILD_DENIED);
    g_assert_cmpint(testChildOpen(mgr, img640), ==, CHILD_DENIED);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img600, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img640, HOLDER_A), ==, 0);

    testAssertOwner(img600, nobodyUid, nogroupGid, 0600);
    testAssertOwner(img640, nobodyUid, nogroupGid, 0640);
    testAssertRemembered(img600, "0:0:0600", HOLDER_A);
    testAssertRemembered(img640, "0:0:0640", HOLDER_A);
    g_assert_cmpint(virSecurityDACGetRemembered(img640, &uid, &gid, &holders), ==, 0);
    g_assert_cmpuint(uid, ==, 0);
    g_assert_cmpuint(gid, ==, 0);
    g_assert_cmpuint(g_strv_length(holders), ==, 1);
    g_assert_cmpstr(holders[0], ==, HOLDER_A);
    g_clear_pointer(&holders, g_strfreev);

    g_assert_cmpint(testChildOpen(mgr, img600), ==, CHILD_OPENED);
    g_assert_cmpint(testChildOpen(mgr, img640), ==, CHILD_OPENED);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img600, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img640, HOLDER_A), ==, 0);

    testAssertOwner(img600, 0, 0, 0600);
    testAssertOwner(img640, 0, 0, 0640);
    testAssertRemembered(img600, NULL, NULL);
    testAssertRemembered(img640, NULL, NULL);
    g_assert_cmpint(virSecurityDACGetRemembered(img640, &uid, &gid, &holders), ==, 0);
    g_assert_cmpuint(g_strv_length(holders), ==, 0);
    g_assert_cmpuint(uid, ==, (uid_t) -1);
    g_assert_cmpuint(gid, ==, (gid_t) -1);

    g_assert_cmpint(testChildOpen(mgr, img600), ==, CHILD_DENIED);
    g_assert_cmpint(testChildOpen(mgr, img640), ==, CHILD_DENIED);

    /* Nothing remembered any more: a further restore changes nothing. */
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img600, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img600, HOLDER_B), ==, 0);
    testAssertOwner(img600, 0, 0, 0600);
    testAssertRemembered(img600, NULL, NULL);
}

static void
testLabelRestore(void)
{
    g_autofree char *dir = NULL;

    if (!testRequireRoot())
        return;
    dir = testMakeDir("label");
    testLabelRestoreIn(dir);
}

/* A label is a set of holders: labelling twice for one holder is one. */
static void
testSameHolder(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *top1 = NULL;
    g_autofree char *top2 = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("same");
    img = testMakeImage(dir, "img", 0640, 1234, 1234);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    testAssertRemembered(img, "1234:1234:0640", HOLDER_A);
    testAssertHolderCount(img, 1);

    /* One restore lets go of it. */
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 1234, 1234, 0640);
    testAssertRemembered(img, NULL, NULL);

    /*
     * A domain whose two disks share a backing image lists it twice:
     * labelled once, and one listing's restore is enough, the other's
     * changes nothing.
     */
    top1 = testMakeImage(dir, "top1", 0600, 0, 0);
    top2 = testMakeImage(dir, "top2", 0600, 0, 0);
    {
        const char *chain[] = { top1, img, top2, img };

        g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, chain, 4, HOLDER_A), ==, 0);
        testAssertRemembered(img, "1234:1234:0640", HOLDER_A);
        testAssertRemembered(top1, "0:0:0600", HOLDER_A);
        testAssertRemembered(top2, "0:0:0600", HOLDER_A);

        /* Another domain shares the backing image. */
        g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_B), ==, 0);
        testAssertRemembered(img, "1234:1234:0640", HOLDER_A "," HOLDER_B);

        g_assert_cmpint(virSecurityManagerRestoreImageLabels(mgr, chain, 4, HOLDER_A), ==, 0);
        testAssertOwner(top1, 0, 0, 0600);
        testAssertOwner(top2, 0, 0, 0600);
        testAssertOwner(img, nobodyUid, nogroupGid, 0640);
        testAssertRemembered(img, "1234:1234:0640", HOLDER_B);
        g_assert_cmpint(testChildOpen(mgr, img), ==, CHILD_OPENED);

        g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_B), ==, 0);
        testAssertOwner(img, 1234, 1234, 0640);
        testAssertRemembered(img, NULL, NULL);
    }
}

/* A backing image shared by two domains: the last restore wins. */
static void
testShared(void)
{
    g_autoptr(virSecurityManager) mgr1 = NULL;
    g_autoptr(virSecurityManager) mgr2 = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;

    if (!testRequireRoot())
        return;
    mgr1 = testNewDAC();
    mgr2 = testNewDAC();
    dir = testMakeDir("shared");
    img = testMakeImage(dir, "base.qcow2", 0640, 0, 0);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr1, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr2, img, HOLDER_B), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    testAssertRemembered(img, "0:0:0640", HOLDER_A "," HOLDER_B);
    testAssertHolderCount(img, 2);

    /* Neither a stranger nor a holder's duplicate label changes anything. */
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr1, img, HOLDER_C), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr2, img, HOLDER_B), ==, 0);
    testAssertRemembered(img, "0:0:0640", HOLDER_A "," HOLDER_B);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr1, img, HOLDER_A), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    testAssertRemembered(img, "0:0:0640", HOLDER_B);
    g_assert_cmpint(testChildOpen(mgr2, img), ==, CHILD_OPENED);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr2, img, HOLDER_B), ==, 0);
    testAssertOwner(img, 0, 0, 0640);
    testAssertRemembered(img, NULL, NULL);
    g_assert_cmpint(testChildOpen(mgr2, img), ==, CHILD_DENIED);

    /* The other order: the first holder outlasts the second. */
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr1, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr2, img, HOLDER_B), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr2, img, HOLDER_B), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    testAssertRemembered(img, "0:0:0640", HOLDER_A);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr1, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0640);
    testAssertRemembered(img, NULL, NULL);
}

/*
 * A process restores an image for its domain, then dies before it can
 * write down that it did: its successor restores it again. That must not
 * take the label from the other domain that still uses the image.
 */
static void
testReplay(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    int status;
    pid_t pid;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("replay");
    img = testMakeImage(dir, "base.qcow2", 0600, 0, 0);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_B), ==, 0);

    /* The first process: restores for A, then is killed. */
    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        virSecurityManager *child = virSecurityManagerNew("dac", NULL, NULL);

        if (child && virSecurityManagerRestoreImageLabel(child, img, HOLDER_A) == 0)
            raise(SIGKILL);
        _exit(1);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);
    testAssertRemembered(img, "0:0:0600", HOLDER_B);

    /* Its successor replays the restore, twice for good measure. */
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0600);
    testAssertRemembered(img, "0:0:0600", HOLDER_B);
    g_assert_cmpint(testChildOpen(mgr, img), ==, CHILD_OPENED);

    /*
     * The other window: a label set, then a crash before the status file
     * says so. Starting that domain again labels nothing twice, and its
     * stop gives the image back.
     */
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertRemembered(img, "0:0:0600", HOLDER_B "," HOLDER_A);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_B), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);

    /* Replays after the last restore change nothing either. */
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_B), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);
}

/* The state lives in the image: a new manager or process restores it. */
static void
testCrash(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img1 = NULL;
    g_autofree char *img2 = NULL;
    virSecurityManager *first;
    int status;
    pid_t pid;

    if (!testRequireRoot())
        return;
    dir = testMakeDir("crash");
    img1 = testMakeImage(dir, "a.qcow2", 0600, 1234, 1234);
    img2 = testMakeImage(dir, "b.qcow2", 0640, 0, 0);

    /* A manager that goes away without restoring. */
    first = testNewDAC();
    g_assert_cmpint(virSecurityManagerSetImageLabel(first, img1, HOLDER_A), ==, 0);
    virSecurityManagerFree(first);

    /* A process that is killed after labelling. */
    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        virSecurityManager *child = virSecurityManagerNew("dac", NULL, NULL);

        if (child && virSecurityManagerSetImageLabel(child, img2, HOLDER_B) == 0)
            raise(SIGKILL);
        _exit(1);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);

    testAssertOwner(img1, nobodyUid, nogroupGid, 0600);
    testAssertOwner(img2, nobodyUid, nogroupGid, 0640);
    testAssertRemembered(img1, "1234:1234:0600", HOLDER_A);
    testAssertRemembered(img2, "0:0:0640", HOLDER_B);

    mgr = testNewDAC();
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img1, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img2, HOLDER_B), ==, 0);
    testAssertOwner(img1, 1234, 1234, 0600);
    testAssertOwner(img2, 0, 0, 0640);
    testAssertRemembered(img1, NULL, NULL);
    testAssertRemembered(img2, NULL, NULL);
}

/*
 * A crash between the steps of a label or restore leaves the remembered
 * owner without holders, the image owned by either; it must still be the
 * remembered owner that comes back, and nobody holds the image.
 */
static void
testHalfDone(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("halfdone");

    /*
     * Crashed after the chown of a label, before the holders (or, the
     * same state, after a restore removed the holders, before the chown
     * back).
     */
    img = testMakeImage(dir, "img", 0600, nobodyUid, nogroupGid);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "1234:1234:0600", 14);
    testAssertHolderCount(img, 0);

    /* Labelling again keeps the remembered owner, not the current one. */
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertRemembered(img, "1234:1234:0600", HOLDER_A);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 1234, 1234, 0600);
    testAssertRemembered(img, NULL, NULL);

    /* Same state, restored directly, by any holder (nobody holds it). */
    g_assert_cmpint(chown(img, nobodyUid, nogroupGid), ==, 0);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0:0600", 8);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_B), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);

    /*
     * Crashed after the owner was remembered, before the chown (or after
     * a restore's chown back, before the owner was removed).
     */
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0:0600", 8);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0:0600", 8);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0600);
    testAssertRemembered(img, "0:0:0600", HOLDER_A);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);

    /*
     * A restore that died after removing the holders, before the mode and
     * ACL went back: QEMU's user had opened the image up. A new label
     * keeps the record (not what the image looks like now), and the next
     * restore finishes the job.
     */
    g_assert_cmpint(chown(img, nobodyUid, nogroupGid), ==, 0);
    g_assert_cmpint(chmod(img, 0666), ==, 0);
    {
        g_autofree char *entry = g_strdup_printf("u:%u:rw", (unsigned int) nobodyUid);
        const char *setfacl[] = { "setfacl", "-m", entry, img, NULL };
        virTestRun(setfacl, NULL);
    }
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0:0600", 8);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertRemembered(img, "0:0:0600", HOLDER_A);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);
    testAssertACL(img, NULL);
    testAssertLockedOut(mgr, img);

    /* An empty list is nobody. */
    g_assert_cmpint(chown(img, nobodyUid, nogroupGid), ==, 0);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0:0600", 8);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS, "", 0);
    testAssertHolderCount(img, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);

    /* Stray holders without an owner are not trusted... */
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS, HOLDER_B, strlen(HOLDER_B));
    testAssertHolderCount(img, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertRemembered(img, "0:0:0600", HOLDER_A);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);

    /* ...and a restore clears them away, changing no owner. */
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS, HOLDER_B, strlen(HOLDER_B));
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_B), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);

    /* A duplicate in the list (never written by us) counts once. */
    g_assert_cmpint(chown(img, nobodyUid, nogroupGid), ==, 0);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0:0600", 8);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS, "x,y,x", 5);
    testAssertHolderCount(img, 2);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, "x"), ==, 0);
    testAssertRemembered(img, "0:0:0600", "y");
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, "y"), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);
}

/* A remembered owner or holder list that is not well formed is refused. */
static void
testCorrupt(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *tooBig = g_strnfill(VIR_SECURITY_DAC_HOLDER_MAX + 1, 'z');
    g_autofree char *tooBigList = g_strdup_printf("a,%s", tooBig);
    static const char *const bad[] = {
        "", "root", "0", "0:", ":0", "-1:0", "4294967295:0", "0:x",
        /* the mode */
        "0:0:", "0:0:x", "0:0:8", "0:0:010000", "0:0:-1", "0:0:+600", "0:0: 600",
        /* the ACL: hex of a version 2 header and whole 8-byte entries */
        "0:0:0600:", "0:0:0600:0", "0:0:0600:zz", "0:0:0600:02000000",
        "0:0:0600:01000000" "0100060000000000",
        "0:0:0600:02000000" "01000600000000",
        "0:0:0600:02000000" "0100060000000000:",
        "0:0:0600:02000000" "0100060000000000:00",
        /* an ACL kept in its own attribute, which is missing */
        "0:0:0600:acl",
    };
    const char *const badHolders[] = { ",", "a,", ",a", "a,,b", tooBigList };
    size_t i;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("corrupt");
    img = testMakeImage(dir, "img", 0600, 0, 0);

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("owner attribute '%s'", bad[i]);
        testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, bad[i], strlen(bad[i]));
        g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, -1);
        testAssertSecurityError(VIR_ERR_OPERATION_FAILED);
        testAssertOwner(img, 0, 0, 0600);
        g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, -1);
        testAssertSecurityError(VIR_ERR_OPERATION_FAILED);
        testAssertOwner(img, 0, 0, 0600);
    }

    /* OWNER names an ACL attribute that holds no ACL. */
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0:0600:acl", 12);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_ACL, "\2\0\0", 3);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, -1);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), VIR_SECURITY_DAC_XATTR_ACL));
    testAssertSecurityError(VIR_ERR_OPERATION_FAILED);
    g_assert_cmpint(removexattr(img, VIR_SECURITY_DAC_XATTR_ACL), ==, 0);

    /* The image is labelled, its holder list broken: nothing changes. */
    g_assert_cmpint(chown(img, nobodyUid, nogroupGid), ==, 0);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0:0600", 8);
    for (i = 0; i < G_N_ELEMENTS(badHolders); i++) {
        g_test_message("holders attribute '%s'", badHolders[i]);
        testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS,
                    badHolders[i], strlen(badHolders[i]));
        g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, -1);
        testAssertSecurityError(VIR_ERR_OPERATION_FAILED);
        g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, -1);
        testAssertSecurityError(VIR_ERR_OPERATION_FAILED);
        g_assert_cmpint(virSecurityDACGetRemembered(img, NULL, NULL, NULL), ==, -1);
        testAssertSecurityError(VIR_ERR_OPERATION_FAILED);
        testAssertOwner(img, nobodyUid, nogroupGid, 0600);
        testAssertRemembered(img, "0:0:0600", badHolders[i]);
    }

    /* A NUL inside the list. */
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS, "a\0b", 3);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, "a"), ==, -1);
    testAssertSecurityError(VIR_ERR_OPERATION_FAILED);
    testAssertOwner(img, nobodyUid, nogroupGid, 0600);

    /* Repaired by hand, it restores. */
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS, "a", 1);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, "a"), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertRemembered(img, NULL, NULL);
}

/* An image labelled for a different QEMU user is not taken over. */
static void
testForeign(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autoptr(virSecurityManager) other = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    other = virSecurityManagerNew("dac", "+1234", "+1234");
    g_assert_nonnull(other);
    dir = testMakeDir("foreign");
    img = testMakeImage(dir, "img", 0640, 0, 0);

    g_assert_cmpint(virSecurityManagerSetImageLabel(other, img, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_B), ==, -1);
    testAssertSecurityError(VIR_ERR_OPERATION_INVALID);
    testAssertOwner(img, 1234, 1234, 0640);
    testAssertRemembered(img, "0:0:0640", HOLDER_A);

    /* Also for a holder that is listed: the image was taken from it. */
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, -1);
    testAssertSecurityError(VIR_ERR_OPERATION_INVALID);
    testAssertOwner(img, 1234, 1234, 0640);
    testAssertRemembered(img, "0:0:0640", HOLDER_A);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(other, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0640);
    testAssertRemembered(img, NULL, NULL);
}

/* A label through a symlink lands on the image, and comes off it. */
static void
testSymlink(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *link = NULL;
    struct stat sb;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("symlink");
    img = testMakeImage(dir, "img", 0600, 0, 0);
    link = g_build_filename(dir, "link", NULL);
    g_assert_cmpint(symlink("img", link), ==, 0);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, link, HOLDER_A), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0600);
    g_assert_cmpint(lstat(link, &sb), ==, 0);
    g_assert_cmpuint(sb.st_uid, ==, 0);
    testAssertHolderCount(link, 1);
    g_assert_cmpint(testChildOpen(mgr, link), ==, CHILD_OPENED);

    /* Labelling by the real name is the same label. */
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertRemembered(img, "0:0:0600", HOLDER_A);

    /* Restoring by the real name undoes what the link did. */
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0600);

    /* A dangling link: a missing image. */
    g_assert_cmpint(unlink(img), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, link, HOLDER_A), ==, -1);
    testAssertSecurityError(VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, link, HOLDER_A), ==, 0);
}

/*
 * Labelling by descriptor labels the file that was opened, even if its
 * name leads elsewhere by now (replaced with a link to another file); a
 * restore by that name then changes nothing that the label did not.
 */
static void
testLabelFD(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *log = NULL;
    g_autofree char *moved = NULL;
    g_autofree char *secret = NULL;
    int fd;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("label-fd");
    log = testMakeImage(dir, "serial.log", 0600, 0, 0);
    moved = g_build_filename(dir, "moved.log", NULL);
    secret = testMakeImage(dir, "secret", 0600, 0, 0);
    g_assert_cmpint((fd = open(log, O_WRONLY | O_APPEND | O_CLOEXEC)), >=, 0);
    g_assert_cmpint(rename(log, moved), ==, 0);
    g_assert_cmpint(symlink(secret, log), ==, 0);

    g_assert_cmpint(virSecurityManagerSetImageLabelFD(mgr, fd, log, HOLDER_A), ==, 0);
    testAssertOwner(moved, nobodyUid, nogroupGid, 0600);
    testAssertRemembered(moved, "0:0:0600", HOLDER_A);
    testAssertOwner(secret, 0, 0, 0600);
    testAssertRemembered(secret, NULL, NULL);

    /* The name leads to a file this label never touched: left alone. */
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, log, HOLDER_A), ==, 0);
    testAssertOwner(secret, 0, 0, 0600);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, moved, HOLDER_A), ==, 0);
    testAssertOwner(moved, 0, 0, 0600);
    close(fd);

    /* Only regular files and block devices. */
    g_assert_cmpint((fd = open(dir, O_RDONLY | O_CLOEXEC)), >=, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabelFD(mgr, fd, dir, HOLDER_A), ==, -1);
    testAssertSecurityError(VIR_ERR_OPERATION_INVALID);
    close(fd);
}

/* An original owner other than root comes back exactly. */
static void
testOtherOwner(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_auto(GStrv) holders = NULL;
    uid_t uid;
    gid_t gid;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("owner");
    img = testMakeImage(dir, "img", 0640, 1234, 5678);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    g_assert_cmpint(virSecurityDACGetRemembered(img, &uid, &gid, &holders), ==, 0);
    g_assert_cmpuint(uid, ==, 1234);
    g_assert_cmpuint(gid, ==, 5678);
    g_assert_cmpuint(g_strv_length(holders), ==, 1);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 1234, 5678, 0640);
    testAssertRemembered(img, NULL, NULL);

    /* An image already owned by QEMU's user keeps that owner too. */
    g_assert_cmpint(chown(img, nobodyUid, nogroupGid), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertRemembered(img, "65534:65534:0640", HOLDER_A);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    testAssertRemembered(img, NULL, NULL);
}

/* A failure in the middle of a chain undoes the images done before it. */
static void
testLabelsRollback(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *c = NULL;
    g_autofree char *missing = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("rollback");
    a = testMakeImage(dir, "a", 0600, 0, 0);
    b = testMakeImage(dir, "b", 0640, 1234, 1234);
    c = testMakeImage(dir, "c", 0600, 0, 0);
    missing = g_build_filename(dir, "missing", NULL);

    {
        const char *chain[] = { a, b, a, missing, c };
        const char *good[] = { a, b, c, b };

        /* b is shared with a running domain: it must keep that label. */
        g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, b, HOLDER_B), ==, 0);

        g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, chain, 5, HOLDER_A), ==, -1);
        testAssertSecurityError(VIR_ERR_SYSTEM_ERROR);
        testAssertOwner(a, 0, 0, 0600);
        testAssertRemembered(a, NULL, NULL);
        testAssertOwner(b, nobodyUid, nogroupGid, 0640);
        testAssertRemembered(b, "1234:1234:0640", HOLDER_B);
        testAssertOwner(c, 0, 0, 0600);
        testAssertRemembered(c, NULL, NULL);

        g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, good, 4, HOLDER_A), ==, 0);
        testAssertRemembered(a, "0:0:0600", HOLDER_A);
        testAssertRemembered(b, "1234:1234:0640", HOLDER_B "," HOLDER_A);
        testAssertRemembered(c, "0:0:0600", HOLDER_A);

        /*
         * Restore carries on past a failure (a corrupt attribute on a)
         * and past a missing image, reporting the failure.
         */
        testSetAttr(a, VIR_SECURITY_DAC_XATTR_HOLDERS, "x,", 2);
        g_assert_cmpint(virSecurityManagerRestoreImageLabels(mgr, chain, 5, HOLDER_A), ==, -1);
        testAssertSecurityError(VIR_ERR_OPERATION_FAILED);
        testAssertOwner(a, nobodyUid, nogroupGid, 0600);
        testAssertOwner(b, nobodyUid, nogroupGid, 0640);
        testAssertRemembered(b, "1234:1234:0640", HOLDER_B);
        testAssertOwner(c, 0, 0, 0600);
        testAssertRemembered(c, NULL, NULL);

        /* Repaired, a replays: b was already let go and stays B's. */
        testSetAttr(a, VIR_SECURITY_DAC_XATTR_HOLDERS, HOLDER_A, strlen(HOLDER_A));
        g_assert_cmpint(virSecurityManagerRestoreImageLabels(mgr, chain, 2, HOLDER_A), ==, 0);
        testAssertOwner(a, 0, 0, 0600);
        testAssertRemembered(a, NULL, NULL);
        testAssertOwner(b, nobodyUid, nogroupGid, 0640);
        testAssertRemembered(b, "1234:1234:0640", HOLDER_B);

        g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, b, HOLDER_B), ==, 0);
        testAssertOwner(b, 1234, 1234, 0640);
        testAssertRemembered(b, NULL, NULL);
    }

    g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, NULL, 0, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabels(mgr, NULL, 0, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, NULL, 1, HOLDER_A), ==, -1);
    testAssertSecurityError(VIR_ERR_INVALID_ARG);
}


/* tmpfs keeps trusted attributes too (images in /dev/shm, /run). */
static void
testTmpfs(void)
{
    g_autofree char *dir = NULL;

    if (!testRequireRoot())
        return;
    dir = testMakeDir("tmpfs");
    testMountOrFail(dir, "tmpfs", "mode=0755,size=4m");
    testLabelRestoreIn(dir);
    testUnmountNow();
}

/*
 * ramfs keeps no attributes: a label that could not be undone is
 * refused, one that changes nothing is fine and leaves nothing to undo.
 */
static void
testNoAttrs(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *mine = NULL;
    const char *chain[2];

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("ramfs");
    testMountOrFail(dir, "ramfs", "mode=0755");
    img = testMakeImage(dir, "img", 0600, 0, 0);
    mine = testMakeImage(dir, "mine", 0600, nobodyUid, nogroupGid);
    g_assert_cmpint(setxattr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0", 3, 0), ==, -1);
    g_assert_cmpint(errno, ==, ENOTSUP);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, -1);
    testAssertSecurityError(VIR_ERR_OPERATION_UNSUPPORTED);
    testAssertOwner(img, 0, 0, 0600);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, mine, HOLDER_A), ==, 0);
    testAssertOwner(mine, nobodyUid, nogroupGid, 0600);
    testAssertHolderCount(mine, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, mine, HOLDER_A), ==, 0);
    testAssertOwner(mine, nobodyUid, nogroupGid, 0600);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0600);

    chain[0] = mine;
    chain[1] = img;
    g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, chain, 2, HOLDER_A), ==, -1);
    testAssertSecurityError(VIR_ERR_OPERATION_UNSUPPORTED);
    testAssertOwner(mine, nobodyUid, nogroupGid, 0600);
    testAssertOwner(img, 0, 0, 0600);

    g_clear_pointer(&img, g_free);
    g_clear_pointer(&mine, g_free);
    testUnmountNow();
}

enum { CONCURRENT_ROUNDS = 40 };

typedef struct {
    virSecurityManager *mgr;
    const char *path;
    const char *who;    /* prefix of this worker's holder ids */
    bool restore;
    int failures;
} testConcurrentData;

/*
 * Label (or restore) @path for CONCURRENT_ROUNDS holders of one worker;
 * a restore is done twice, as a replay after a crash would.
 */
static gpointer
testConcurrentThread(gpointer opaque)
{
    testConcurrentData *data = opaque;
    int i;

    for (i = 0; i < CONCURRENT_ROUNDS; i++) {
        g_autofree char *holder = g_strdup_printf("%s:%d", data->who, i);
        int rc;

        if (data->restore) {
            rc = virSecurityManagerRestoreImageLabel(data->mgr, data->path, holder);
            if (rc == 0)
                rc = virSecurityManagerRestoreImageLabel(data->mgr, data->path, holder);
        } else {
            rc = virSecurityManagerSetImageLabel(data->mgr, data->path, holder);
        }
        if (rc < 0)
            data->failures++;
    }
    return NULL;
}

/* Run the workers: two threads here and a forked process. */
static void
testConcurrentRun(virSecurityManager *mgr,
                  const char *img,
                  bool restore)
{
    static const char *const who[] = { "thread0", "thread1", "process" };
    testConcurrentData data[3];
    GThread *threads[2];
    int status;
    pid_t pid;
    size_t i;

    for (i = 0; i < 3; i++)
        data[i] = (testConcurrentData) { mgr, img, who[i], restore, 0 };

    /* Fork before any thread exists: the child holds no lock copies. */
    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        testConcurrentThread(&data[2]);
        _exit(data[2].failures == 0 ? 0 : 1);
    }

    for (i = 0; i < 2; i++)
        threads[i] = g_thread_new(who[i], testConcurrentThread, &data[i]);
    for (i = 0; i < 2; i++)
        g_thread_join(threads[i]);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpint(data[0].failures, ==, 0);
    g_assert_cmpint(data[1].failures, ==, 0);
}

/* Threads and another process adding holders to one image lose none. */
static void
testConcurrent(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_auto(GStrv) holders = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    uid_t uid;
    gid_t gid;
    size_t i;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("concurrent");
    img = testMakeImage(dir, "img", 0640, 1234, 1234);

    testConcurrentRun(mgr, img, false);

    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    g_assert_cmpint(virSecurityDACGetRemembered(img, &uid, &gid, &holders), ==, 0);
    g_assert_cmpuint(uid, ==, 1234);
    g_assert_cmpuint(gid, ==, 1234);
    g_assert_cmpuint(g_strv_length(holders), ==, 3 * CONCURRENT_ROUNDS);
    for (i = 0; holders[i]; i++)
        g_assert_true(g_hash_table_add(seen, holders[i]));
    for (i = 0; i < CONCURRENT_ROUNDS; i++) {
        g_autofree char *t0 = g_strdup_printf("thread0:%zu", i);
        g_autofree char *t1 = g_strdup_printf("thread1:%zu", i);
        g_autofree char *p = g_strdup_printf("process:%zu", i);

        g_assert_true(g_hash_table_contains(seen, t0));
        g_assert_true(g_hash_table_contains(seen, t1));
        g_assert_true(g_hash_table_contains(seen, p));
    }

    testConcurrentRun(mgr, img, true);

    testAssertOwner(img, 1234, 1234, 0640);
    testAssertRemembered(img, NULL, NULL);
}

/* The QEMU child ends up with exactly QEMU's ids and groups, for good. */
static void
testDropPrivileges(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    int status;
    pid_t pid;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();

    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        gid_t groups[64];
        uid_t ruid, euid, suid;
        gid_t rgid, egid, sgid;
        int n;
        int i;

        if (virSecurityManagerDropPrivilegesInChild(mgr) < 0)
            _exit(CHILD_DROP_FAILED);
        if (getresuid(&ruid, &euid, &suid) < 0 ||
            getresgid(&rgid, &egid, &sgid) < 0 ||
            ruid != nobodyUid || euid != nobodyUid || suid != nobodyUid ||
            rgid != nogroupGid || egid != nogroupGid || sgid != nogroupGid)
            _exit(CHILD_WRONG_IDS);
        if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
            _exit(CHILD_CAN_REGAIN_ROOT);
        if ((n = getgroups(G_N_ELEMENTS(groups), groups)) < 0)
            _exit(CHILD_WRONG_GROUPS);
        for (i = 0; i < n; i++) {
            if (groups[i] == 0)
                _exit(CHILD_WRONG_GROUPS);
        }
        /* A dac manager made by an unprivileged process does nothing. */
        {
            virSecurityManager *unpriv = virSecurityManagerNew("dac", NULL, NULL);

            if (!unpriv || virSecurityManagerIsActive(unpriv) ||
                g_strcmp0(virSecurityManagerGetDriver(unpriv), "dac") != 0 ||
                virSecurityManagerSetImageLabel(unpriv, "/nonexistent", HOLDER_A) != 0 ||
                virSecurityManagerDropPrivilegesInChild(unpriv) != 0)
                _exit(CHILD_WRONG_IDS);
        }
        _exit(CHILD_OPENED);
    }

    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, CHILD_OPENED);
}

/* What the driver makes for QEMU is handed over without remembering. */
static void
testPrivateOwner(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *sub = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("private");
    sub = g_build_filename(dir, "dom1", NULL);
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);

    g_assert_cmpint(virSecurityManagerSetPrivateOwner(mgr, sub), ==, 0);
    testAssertOwner(sub, nobodyUid, nogroupGid, 0700);
    testAssertRemembered(sub, NULL, NULL);

    g_assert_cmpint(rmdir(sub), ==, 0);
    g_assert_cmpint(virSecurityManagerSetPrivateOwner(mgr, sub), ==, -1);
    testAssertSecurityError(VIR_ERR_SYSTEM_ERROR);
}

/*
 * "--child-broken-groups ETC": in a mount namespace of its own, with ETC
 * as /etc (a passwd, and an nsswitch.conf whose group database is a file
 * that is not there: what a group service that is down looks like to
 * getgrnam_r), create a manager for a user and group given by number, so
 * that "kvm" is the only group looked up. Prints what happened.
 */
static int
testChildBrokenGroups(const char *etc)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    struct group grbuf;
    struct group *gr = NULL;
    char buf[4096];
    int rc;

    if (unshare(CLONE_NEWNS) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount(etc, "/etc", NULL, MS_BIND, NULL) < 0) {
        printf("cannot set up /etc: %s\n", g_strerror(errno));
        return 1;
    }
    /* The scenario: the lookup fails, which is not "no such group". */
    rc = getgrnam_r("kvm", &grbuf, buf, sizeof(buf), &gr);
    printf("lookup of kvm: %s\n", rc != 0 ? "error" : gr ? "found" : "not found");
    if (!(mgr = virSecurityManagerNew("dac", "+65534", "+65534"))) {
        printf("manager: %s\n", virGetLastErrorMessage());
        return 1;
    }
    printf("manager: created, QEMU runs as %u:%u\n",
           (unsigned int) virSecurityManagerGetUser(mgr),
           (unsigned int) virSecurityManagerGetGroup(mgr));
    return 0;
}

/*
 * The "kvm" group is optional: a lookup that fails (an NSS or LDAP
 * outage) must not keep the manager, and so every embed root, from
 * opening. It counts as no such group.
 */
static void
testKvmLookupFails(void)
{
    g_autofree char *etc = NULL;
    g_autofree char *passwd = NULL;
    g_autofree char *nss = NULL;
    g_autofree char *out = NULL;
    g_autofree char *contents = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *self = virTestSelfPath();
    const char *argv[] = { self, "--child-broken-groups", NULL, NULL };
    int status;

    if (!testRequireRoot())
        return;
    etc = testMakeDir("broken-etc");
    passwd = g_build_filename(etc, "passwd", NULL);
    nss = g_build_filename(etc, "nsswitch.conf", NULL);
    g_assert_true(g_file_get_contents("/etc/passwd", &contents, NULL, NULL));
    g_assert_true(g_file_set_contents(passwd, contents, -1, NULL));
    g_assert_true(g_file_set_contents(nss, "passwd: files\ngroup: files\n", -1, NULL));
    argv[2] = etc;

    g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, NULL, &status, &err));
    g_assert_no_error(err);
    g_test_message("%s", out);
    g_assert_nonnull(strstr(out, "lookup of kvm: error"));
    g_assert_nonnull(strstr(out, "manager: created, QEMU runs as 65534:65534"));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
}

int
main(int argc,
     char **argv)
{
    int ret;

    if (argc == 3 && strcmp(argv[1], "--child-broken-groups") == 0)
        return testChildBrokenGroups(argv[2]);
    if (testSecurityInit(&argc, &argv, "securitytest") < 0)
        return EXIT_FAILURE;

    g_test_add_func("/security/new", testNew);
    g_test_add_func("/security/none", testNone);
    g_test_add_func("/security/holder-id", testHolderID);
    /* These chown files, mount file systems and drop privileges: root
     * only, so not in a unit-test-only build. */
    if (VIR_TEST_INTEGRATION) {
        g_test_add_func("/security/dac/bad-holder", testBadHolder);
        g_test_add_func("/security/dac/label-restore", testLabelRestore);
        g_test_add_func("/security/dac/same-holder", testSameHolder);
        g_test_add_func("/security/dac/shared", testShared);
        g_test_add_func("/security/dac/replay", testReplay);
        g_test_add_func("/security/dac/crash", testCrash);
        g_test_add_func("/security/dac/half-done", testHalfDone);
        g_test_add_func("/security/dac/corrupt", testCorrupt);
        g_test_add_func("/security/dac/foreign", testForeign);
        g_test_add_func("/security/dac/symlink", testSymlink);
        g_test_add_func("/security/dac/label-fd", testLabelFD);
        g_test_add_func("/security/dac/other-owner", testOtherOwner);
        testSecurityRevokeAdd();
        g_test_add_func("/security/dac/labels-rollback", testLabelsRollback);
        g_test_add_func("/security/dac/tmpfs", testTmpfs);
        g_test_add_func("/security/dac/no-attrs", testNoAttrs);
        g_test_add_func("/security/dac/concurrent", testConcurrent);
        g_test_add_func("/security/dac/drop-privileges", testDropPrivileges);
        g_test_add_func("/security/dac/private-owner", testPrivateOwner);
        g_test_add_func("/security/kvm-lookup-fails", testKvmLookupFails);
    }

    ret = g_test_run();

    testCleanup();
    return ret;
}
