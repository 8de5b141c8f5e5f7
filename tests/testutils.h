/*
 * testutils.h: helpers shared by the tests: temporary roots whose QEMUs are
 * always killed, images, domain XML, file owners and access checks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/*
 * Start the reaper: a process that outlives an aborted test and kills every
 * QEMU whose pid file lies under a registered root, then removes the
 * roots. Call first thing in main().
 */
void virTestInit(int *argc, char ***argv);

/* A new temporary directory (mode 0755, so the QEMU user can reach images
 * inside), registered with the reaper. */
char *virTestMakeDir(const char *tmpl);

/* Kill the QEMUs of @root now (from its pid files) and remove @root. */
void virTestCleanupDir(const char *root);

/* Run a command; fails the test if it does not exit 0. */
void virTestRun(const char *const *argv, char **out);

/* qemu-img create -f FMT [-b BACKING -F BACKINGFMT] PATH [SIZE] */
void virTestImageCreate(const char *path, const char *fmt, const char *size,
                        const char *backing, const char *backingFmt);

/* Write @len bytes of @pattern at @offset of a qcow2/raw image with qemu-io. */
void virTestImageWrite(const char *path, const char *fmt, char pattern,
                       const char *offset, const char *len);

/* A domain XML with one disk per path ("vda", "vdb"...), type='qemu'. */
char *virTestDomainXML(const char *name, const char *const *disks);

/* Owner of a file. */
void virTestGetOwner(const char *path, uid_t *uid, gid_t *gid);

/* Can @uid:@gid (no supplementary groups) open @path for reading? */
bool virTestUserCanRead(const char *path, uid_t uid, gid_t gid);

/* Run the default event loop in a thread of its own (for event tests). */
void virTestEventLoopStart(void);

/* Is @pid alive (not a zombie)? */
bool virTestProcessAlive(pid_t pid);

/* Read the QEMU pid of domain @name under @root (0 if none). */
pid_t virTestDomainPid(const char *root, const char *name);

/* Poll @cond (a function) every 10 ms up to @timeoutMs: for waiting on
 * asynchronous outcomes without sleeping a fixed time. */
bool virTestWaitFor(bool (*cond)(void *opaque), void *opaque, int timeoutMs);

/* Run this test binary again as "--child WHAT URI NAME" and return its exit
 * status: another embedding process (a fork of a threaded process must not
 * call into the library). */
int virTestRunSelf(const char *what, const char *uri, const char *name);

/* Fail the test unless @path belongs to @uid:@gid. */
void virTestAssertOwner(const char *path, uid_t uid, gid_t gid);

/* Fail the test unless the last call failed with error @code. */
void virTestAssertError(int code);

/*
 * Whether the cases that need a real QEMU or root run in this build: false
 * after ./configure --disable-integration-tests (make distcheck), where
 * those cases are not registered at all (never skipped).
 */
#ifdef WITH_INTEGRATION_TESTS
# define VIR_TEST_INTEGRATION true
#else
# define VIR_TEST_INTEGRATION false
#endif

