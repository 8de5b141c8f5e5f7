/*
 * securityrevoke.c: securitytest's cases for revocation: the DAC driver
 * gives back the owner, the mode and the access ACL, whatever QEMU's user
 * did to an image while it owned it (chmod, setfacl), so that it cannot
 * open it after.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <glib.h>

#include "security/security_manager.h"
#include "security/security_dac.h"
#include "util/virerror.h"
#include "testutils.h"
#include "securitytestutils.h"

/*
 * What the first holder writes down: the owner, the mode (setuid and all)
 * and, in an attribute of its own, the access ACL byte for byte.
 */
static void
testRecord(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *plain = NULL;
    g_autofree char *suid = NULL;
    g_autofree char *withACL = NULL;
    g_autofree char *acl = NULL;
    g_autofree char *owner = NULL;
    const char *chain[3];

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("record");
    plain = testMakeImage(dir, "plain", 0604, 0, 0);
    suid = testMakeImage(dir, "suid", 0750, 1234, 5678);
    g_assert_cmpint(chmod(suid, 06750), ==, 0);
    withACL = testMakeImage(dir, "acl", 0600, 0, 0);
    {
        const char *setfacl[] = { "setfacl", "-m", "u:1234:r,g:5678:rw", withACL, NULL };
        virTestRun(setfacl, NULL);
    }
    acl = testGetACL(withACL);
    g_assert_nonnull(acl);
    /* Version 2, then USER_OBJ rw: the hex of the kernel's bytes. */
    g_assert_true(g_str_has_prefix(acl, "02000000" "0100" "0600"));
    owner = g_strdup("0:0:0660:acl");

    chain[0] = plain;
    chain[1] = suid;
    chain[2] = withACL;
    g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, chain, 3, HOLDER_A), ==, 0);
    testAssertRemembered(plain, "0:0:0604", HOLDER_A);
    testAssertRemembered(suid, "1234:5678:6750", HOLDER_A);
    testAssertRemembered(withACL, owner, HOLDER_A);
    /* The ACL itself, byte for byte, in an attribute of its own. */
    {
        g_autofree char *copy = testGetAttrHex(withACL, VIR_SECURITY_DAC_XATTR_ACL);
        g_autofree char *none = testGetAttrHex(plain, VIR_SECURITY_DAC_XATTR_ACL);

        g_assert_cmpstr(copy, ==, acl);
        g_assert_null(none);
    }

    g_assert_cmpint(virSecurityManagerRestoreImageLabels(mgr, chain, 3, HOLDER_A), ==, 0);
    testAssertOwner(plain, 0, 0, 0604);
    testAssertOwner(suid, 1234, 5678, 06750);
    testAssertOwner(withACL, 0, 0, 0660);
    testAssertACL(withACL, acl);
    testAssertACL(plain, NULL);
    testAssertRemembered(withACL, NULL, NULL);
    g_assert_null(testGetAttrHex(withACL, VIR_SECURITY_DAC_XATTR_ACL));
}

/*
 * While QEMU's user owns an image it may open it up with chmod (to
 * everyone, setuid and setgid included): the restore gives back the mode
 * as it was, and neither QEMU's user nor anyone else keeps a way in.
 */
static void
testRevokeMode(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autoptr(virSecurityManager) stranger = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    g_autofree char *mid = NULL;
    g_autofree char *suid = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    stranger = virSecurityManagerNew("dac", "+4321", "+4321");
    g_assert_nonnull(stranger);
    dir = testMakeDir("revoke-mode");
    base = testMakeImage(dir, "base", 0600, 0, 0);
    mid = testMakeImage(dir, "mid", 0640, 1234, 5678);
    /* Changing the owner clears setuid: the mode must come back after. */
    suid = testMakeImage(dir, "suid", 04750, 1234, 5678);
    g_assert_cmpint(chmod(suid, 04750), ==, 0);

    {
        const char *chain[] = { base, mid, suid };
        g_assert_cmpint(virSecurityManagerSetImageLabels(mgr, chain, 3, HOLDER_A), ==, 0);
    }
    testAssertOwner(suid, nobodyUid, nogroupGid, 04750 & ~S_ISUID);

    /* What a compromised QEMU could do to the files it owns. */
    {
        const char *chmodBase[] = { "chmod", "06666", base, NULL };
        const char *chmodMid[] = { "chmod", "0666", mid, NULL };
        const char *chmodSuid[] = { "chmod", "0777", suid, NULL };

        g_assert_cmpint(testChildExec(mgr, chmodBase), ==, 0);
        g_assert_cmpint(testChildExec(mgr, chmodMid), ==, 0);
        g_assert_cmpint(testChildExec(mgr, chmodSuid), ==, 0);
    }
    testAssertOwner(base, nobodyUid, nogroupGid, 06666);
    g_assert_cmpint(testChildOpenFlags(stranger, base, O_RDWR), ==, CHILD_OPENED);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, base, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, mid, HOLDER_A), ==, 0);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, suid, HOLDER_A), ==, 0);

    testAssertOwner(base, 0, 0, 0600);
    testAssertOwner(mid, 1234, 5678, 0640);
    testAssertOwner(suid, 1234, 5678, 04750);
    testAssertRemembered(base, NULL, NULL);
    testAssertRemembered(mid, NULL, NULL);
    testAssertACL(base, NULL);
    testAssertLockedOut(mgr, base);
    testAssertLockedOut(mgr, mid);
    testAssertLockedOut(mgr, suid);
    testAssertLockedOut(stranger, base);
    testAssertLockedOut(stranger, mid);
}

/*
 * QEMU's user gives itself (and a friend) an ACL entry on an image it
 * owns: the restore removes the ACL the image did not have.
 */
static void
testRevokeACL(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autoptr(virSecurityManager) friend = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *entries = NULL;
    g_autofree char *acl = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    friend = virSecurityManagerNew("dac", "+4321", "+4321");
    g_assert_nonnull(friend);
    dir = testMakeDir("revoke-acl");
    /*
     * With group bits in the mode, putting the mode back alone would leave
     * the mask open to QEMU's entry: the ACL itself must go.
     */
    img = testMakeImage(dir, "base", 0640, 0, 0);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);

    entries = g_strdup_printf("u:%u:rw,u:4321:rw,g:%u:rw",
                              (unsigned int) nobodyUid, (unsigned int) nogroupGid);
    {
        const char *setfacl[] = { "setfacl", "-m", entries, img, NULL };
        g_assert_cmpint(testChildExec(mgr, setfacl), ==, 0);
    }
    acl = testGetACL(img);
    g_assert_nonnull(acl);
    g_assert_cmpint(testChildOpenFlags(friend, img, O_RDWR), ==, CHILD_OPENED);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0640);
    testAssertRemembered(img, NULL, NULL);
    testAssertLockedOut(mgr, img);
    testAssertLockedOut(friend, img);
    testAssertACL(img, NULL);
}

/*
 * An image that has an ACL of its own gets exactly that ACL back,
 * whatever QEMU's user made of it meanwhile, and its entries still work.
 */
static void
testKeepACL(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autoptr(virSecurityManager) reader = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *acl = NULL;
    g_autofree char *mine = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    reader = virSecurityManagerNew("dac", "+1234", "+1234");
    g_assert_nonnull(reader);
    dir = testMakeDir("keep-acl");
    img = testMakeImage(dir, "base", 0600, 0, 0);
    {
        const char *setfacl[] = { "setfacl", "-m", "u:1234:r", img, NULL };
        virTestRun(setfacl, NULL);
    }
    /* The mask (r) is the mode's group bits. */
    testAssertOwner(img, 0, 0, 0640);
    acl = testGetACL(img);
    g_assert_nonnull(acl);
    g_assert_cmpint(testChildOpen(reader, img), ==, CHILD_OPENED);
    g_assert_cmpint(testChildOpen(mgr, img), ==, CHILD_DENIED);

    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    /* The ACL stays while labelled: the label changes only the owner. */
    testAssertACL(img, acl);

    {
        g_autofree char *entry = g_strdup_printf("u:%u:rw", (unsigned int) nobodyUid);
        const char *strip[] = { "setfacl", "-b", img, NULL };
        const char *add[] = { "setfacl", "-m", entry, img, NULL };
        const char *chmod[] = { "chmod", "0666", img, NULL };

        g_assert_cmpint(testChildExec(mgr, strip), ==, 0);
        g_assert_cmpint(testChildExec(mgr, add), ==, 0);
        g_assert_cmpint(testChildExec(mgr, chmod), ==, 0);
    }
    mine = testGetACL(img);
    g_assert_cmpstr(mine, !=, acl);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0640);
    testAssertRemembered(img, NULL, NULL);
    testAssertACL(img, acl);
    g_assert_cmpint(testChildOpen(reader, img), ==, CHILD_OPENED);
    g_assert_cmpint(testChildOpenFlags(reader, img, O_WRONLY), ==, CHILD_DENIED);
    testAssertLockedOut(mgr, img);
}

/*
 * A record from a build that kept only the owner ("UID:GID"): the mode it
 * had is unknown, so whatever could still let QEMU's user in goes (the
 * permissions of others, setuid, setgid and the ACL).
 */
static void
testLegacyOwner(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *entry = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("legacy");
    img = testMakeImage(dir, "base", 06666, nobodyUid, nogroupGid);
    entry = g_strdup_printf("u:%u:rw", (unsigned int) nobodyUid);
    {
        const char *setfacl[] = { "setfacl", "-m", entry, img, NULL };
        virTestRun(setfacl, NULL);
    }
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, "0:0", 3);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS, HOLDER_A, strlen(HOLDER_A));

    /* A new holder beside it keeps the old record as it is. */
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_B), ==, 0);
    testAssertRemembered(img, "0:0", HOLDER_A "," HOLDER_B);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_B), ==, 0);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0660);
    testAssertRemembered(img, NULL, NULL);
    testAssertACL(img, NULL);
    testAssertLockedOut(mgr, img);
}

/* Give @path @n named user entries (uid 20000 and up, read). */
static void
testSetManyACLEntries(const char *path,
                      guint n)
{
    g_autoptr(GString) entries = g_string_new(NULL);

    for (guint i = 0; i < n; i++)
        g_string_append_printf(entries, "%su:%u:r", i ? "," : "", 20000 + i);
    {
        const char *setfacl[] = { "setfacl", "-m", entries->str, path, NULL };
        virTestRun(setfacl, NULL);
    }
}

/*
 * A long access ACL (200 entries, 1.6 KiB): on ext4 all the attributes of
 * a file share one 4 KiB block, and the remembered copy must take no more
 * room than the ACL itself (in hex it took twice that, and labelling
 * failed with "No space left on device"). It comes back byte for byte,
 * whatever QEMU's user did to it.
 */
static void
testLargeACL(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *acl = NULL;
    g_autofree char *copy = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("large-acl");
    img = testMakeImage(dir, "base", 0640, 0, 0);
    testSetManyACLEntries(img, 200);
    acl = testGetACL(img);
    /* The version, then 8 bytes for each of the 200 entries and the 4
     * the kernel always has (owner, owning group, mask, others). */
    g_assert_cmpuint(strlen(acl), ==, 2 * (4 + 8 * 204));

    if (virSecurityManagerSetImageLabel(mgr, img, HOLDER_A) < 0)
        g_error("cannot label an image with a 200-entry ACL: %s",
                virGetLastErrorMessage());
    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    testAssertRemembered(img, "0:0:0640:acl", HOLDER_A);
    copy = testGetAttrHex(img, VIR_SECURITY_DAC_XATTR_ACL);
    g_assert_cmpstr(copy, ==, acl);
    {
        const char *strip[] = { "setfacl", "-b", img, NULL };
        g_assert_cmpint(testChildExec(mgr, strip), ==, 0);
    }
    testAssertACL(img, NULL);

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0640);
    testAssertACL(img, acl);
    testAssertRemembered(img, NULL, NULL);
    g_assert_null(testGetAttrHex(img, VIR_SECURITY_DAC_XATTR_ACL));
    testAssertLockedOut(mgr, img);
}

/*
 * An ACL too long for the record to fit beside it (300 entries: 2.4 KiB,
 * twice that with its copy) on a file system that gives a file's
 * attributes one 4 KiB block (ext4): refused with an error that says so,
 * and the image is left exactly as it was. Where attributes have room
 * (tmpfs, xfs, btrfs), it is labelled and given back like any other.
 */
static void
testTooLargeACL(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *acl = NULL;
    struct statfs fs;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("too-large-acl");
    img = testMakeImage(dir, "base", 0640, 0, 0);
    testSetManyACLEntries(img, 300);
    acl = testGetACL(img);
    g_assert_cmpint(statfs(img, &fs), ==, 0);

    if (fs.f_type == EXT4_SUPER_MAGIC) {
        g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, -1);
        g_test_message("%s", virGetLastErrorMessage());
        g_assert_nonnull(strstr(virGetLastErrorMessage(), img));
        g_assert_nonnull(strstr(virGetLastErrorMessage(), "no room"));
        g_assert_nonnull(strstr(virGetLastErrorMessage(), "setfacl"));
        testAssertSecurityError(VIR_ERR_OPERATION_UNSUPPORTED);
        testAssertOwner(img, 0, 0, 0640);
        testAssertACL(img, acl);
        testAssertRemembered(img, NULL, NULL);
        g_assert_null(testGetAttrHex(img, VIR_SECURITY_DAC_XATTR_ACL));
        return;
    }
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, nobodyUid, nogroupGid, 0640);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0640);
    testAssertACL(img, acl);
    testAssertRemembered(img, NULL, NULL);
}

/*
 * A record written by the build that kept the ACL in hex inside OWNER
 * ("UID:GID:MODE:HEX") is still read: the restore puts that ACL back.
 */
static void
testHexACLRecord(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *acl = NULL;
    g_autofree char *owner = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("hex-acl");
    img = testMakeImage(dir, "base", 0600, 0, 0);
    {
        const char *setfacl[] = { "setfacl", "-m", "u:1234:r", img, NULL };
        virTestRun(setfacl, NULL);
    }
    acl = testGetACL(img);
    owner = g_strdup_printf("0:0:0640:%s", acl);
    /* Labelled by that build, then QEMU's user made the ACL its own. */
    {
        const char *strip[] = { "setfacl", "-b", img, NULL };
        virTestRun(strip, NULL);
    }
    g_assert_cmpint(chown(img, nobodyUid, nogroupGid), ==, 0);
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_OWNER, owner, strlen(owner));
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_HOLDERS, HOLDER_A, strlen(HOLDER_A));

    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0640);
    testAssertACL(img, acl);
    testAssertRemembered(img, NULL, NULL);
}

/*
 * A crash between writing ACL and OWNER (or removing them) leaves an ACL
 * copy that no OWNER names: it is not trusted. The next label records
 * the image as it is now; the next restore just removes it.
 */
static void
testStrayACL(void)
{
    g_autoptr(virSecurityManager) mgr = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *img = NULL;
    g_autofree char *other = NULL;
    g_autofree char *acl = NULL;

    if (!testRequireRoot())
        return;
    mgr = testNewDAC();
    dir = testMakeDir("stray-acl");
    img = testMakeImage(dir, "base", 0600, 0, 0);
    other = testMakeImage(dir, "other", 0600, 0, 0);
    {
        const char *setfacl[] = { "setfacl", "-m", "u:1234:rw", other, NULL };
        virTestRun(setfacl, NULL);
    }
    acl = testGetACL(other);
    g_assert_nonnull(acl);

    /* A stray copy of some ACL on an image that has none. */
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_ACL, "\2\0\0\0" "\1\0\6\0\377\377\377\377"
                "\2\0\6\0\322\4\0\0" "\4\0\6\0\377\377\377\377"
                "\20\0\6\0\377\377\377\377" "\40\0\6\0\377\377\377\377", 44);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertRemembered(img, "0:0:0600", HOLDER_A);
    g_assert_null(testGetAttrHex(img, VIR_SECURITY_DAC_XATTR_ACL));
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    testAssertOwner(img, 0, 0, 0600);
    testAssertACL(img, NULL);

    /* On an image with an ACL of its own, the copy is rewritten. */
    testSetAttr(other, VIR_SECURITY_DAC_XATTR_ACL, "junk", 4);
    g_assert_cmpint(virSecurityManagerSetImageLabel(mgr, other, HOLDER_A), ==, 0);
    {
        g_autofree char *copy = testGetAttrHex(other, VIR_SECURITY_DAC_XATTR_ACL);
        g_assert_cmpstr(copy, ==, acl);
    }
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, other, HOLDER_A), ==, 0);
    testAssertACL(other, acl);
    g_assert_null(testGetAttrHex(other, VIR_SECURITY_DAC_XATTR_ACL));

    /* A restore that finds a stray copy and no OWNER removes it. */
    testSetAttr(img, VIR_SECURITY_DAC_XATTR_ACL, "junk", 4);
    g_assert_cmpint(virSecurityManagerRestoreImageLabel(mgr, img, HOLDER_A), ==, 0);
    g_assert_null(testGetAttrHex(img, VIR_SECURITY_DAC_XATTR_ACL));
    testAssertOwner(img, 0, 0, 0600);
}

void
testSecurityRevokeAdd(void)
{
    g_test_add_func("/security/dac/record", testRecord);
    g_test_add_func("/security/dac/revoke-mode", testRevokeMode);
    g_test_add_func("/security/dac/revoke-acl", testRevokeACL);
    g_test_add_func("/security/dac/keep-acl", testKeepACL);
    g_test_add_func("/security/dac/legacy-owner", testLegacyOwner);
    g_test_add_func("/security/dac/large-acl", testLargeACL);
    g_test_add_func("/security/dac/too-large-acl", testTooLargeACL);
    g_test_add_func("/security/dac/hex-acl-record", testHexACLRecord);
    g_test_add_func("/security/dac/stray-acl", testStrayACL);
}
