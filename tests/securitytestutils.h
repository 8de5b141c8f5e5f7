/*
 * securitytestutils.h: helpers shared by the files of securitytest: a
 * temporary root removed even on abort, images, their labels, and
 * children that act as QEMU's user.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <glib.h>

#include "security/security_manager.h"

/* QEMU's default user and group, looked up by testSecurityInit. */
extern uid_t nobodyUid;
extern gid_t nogroupGid;

/* Holder ids as the QEMU driver makes them, and short ones. */
#define HOLDER_A "0badc0de:6f1c1e0a-7d8b-4c39-9a5e-3b2f1d0c9e8a"
#define HOLDER_B "0badc0de:1d7e0b55-2c3a-4f6e-8b9d-0a1b2c3d4e5f"
#define HOLDER_C "c"

/* How a child reports what it could do. */
enum {
    CHILD_OPENED = 0,
    CHILD_DENIED = 1,
    CHILD_OPEN_FAILED = 2,
    CHILD_DROP_FAILED = 3,
    CHILD_WRONG_IDS = 4,
    CHILD_CAN_REGAIN_ROOT = 5,
    CHILD_WRONG_GROUPS = 6,
};

/* virTestInit, the users, and a 0755 temp root named after @name (made by
 * virTestMakeDir: removed however the test ends). -1 if the users are
 * missing (printed). */
int testSecurityInit(int *argc, char ***argv, const char *name);

/* Unmount and remove the temp root, at the end of the run. */
void testCleanup(void);

/* Fail the test unless we are root (or VIR_TEST_ALLOW_NONROOT=1: skip). */
bool testRequireRoot(void);

/* A new 0755 directory @name under the temp root. */
char *testMakeDir(const char *name);

/* A small file @dir/@name with @mode (chmod before chown), @uid:@gid. */
char *testMakeImage(const char *dir, const char *name, mode_t mode,
                    uid_t uid, gid_t gid);

/* @path belongs to @uid:@gid with permission bits @mode (07777). */
void testAssertOwner(const char *path, uid_t uid, gid_t gid, mode_t mode);

/* Extended attributes of @path. */
char *testGetAttr(const char *path, const char *name);
void testSetAttr(const char *path, const char *name, const char *value,
                 size_t len);
void testAssertRemembered(const char *path, const char *owner,
                          const char *holders);
void testAssertHolderCount(const char *path, guint nholders);

/* The access ACL of @path in hex, or NULL if it has none; assert it. */
char *testGetACL(const char *path);
/* Attribute @name of @path in hex, or NULL if it has none. */
char *testGetAttrHex(const char *path, const char *name);
void testAssertACL(const char *path, const char *acl);

/* The last error is @code from the security domain; then reset it. */
void testAssertSecurityError(int code);

/* As @mgr's user, dropped the way the QEMU child is: open @path (a
 * CHILD_* code), check it can be neither read nor written, or run a
 * command (its exit status). */
int testChildOpenFlags(virSecurityManager *mgr, const char *path, int flags);
int testChildOpen(virSecurityManager *mgr, const char *path);
void testAssertLockedOut(virSecurityManager *mgr, const char *path);
int testChildExec(virSecurityManager *mgr, const char *const *argv);

/* A "dac" manager for nobody:nogroup, active (we are root). */
virSecurityManager *testNewDAC(void);

/* Mount a file system for the running test; unmount it now. */
void testMountOrFail(const char *dir, const char *fstype, const char *options);
void testUnmountNow(void);

/* Register the revocation cases (securityrevoke.c). */
void testSecurityRevokeAdd(void);
