/*
 * testutils.h: the core of the helpers every test shares: temporary roots
 * that are removed, and whose QEMUs are killed, however the test ends;
 * commands, images, processes and file owners. Needs GLib and libc only
 * (the error and event helpers are in testutilsvirt.h, the connection
 * and domain helpers in testutilsapi.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/*
 * g_test_init() and the reaper: a process of its own session that
 * outlives the test, and once the test is gone, however it ended (a
 * g_assert's abort, g_error's SIGTRAP, a crash, a kill), kills every QEMU
 * of the roots made with virTestMakeDir() that the test did not clean up
 * itself, detaches what is mounted under them and removes them. Also sets
 * umask 022. Call first thing in main().
 */
void virTestInit(int *argc, char ***argv);

/* A new temporary directory (mode 0755, so the QEMU user can reach images
 * inside) named after @tmpl ("name-XXXXXX"; NULL for a default), in
 * $TMPDIR, registered with the reaper. */
char *virTestMakeDir(const char *tmpl);

/* Kill the QEMUs of @root, detach its mounts and remove it, now; the
 * reaper then forgets it. */
void virTestCleanupDir(const char *root);

/*
 * Process @pid, a child of this test (a daemon it started), belongs to
 * @dir: virTestCleanupDir(@dir) stops it (virTestStopProcess()) before it
 * kills the QEMUs of @dir, and the reaper kills it if the test is gone
 * first, however it ended.
 */
void virTestDirAddProcess(const char *dir, pid_t pid);

/*
 * Stop child @pid: SIGTERM, SIGKILL if it is still there after
 * @timeoutMs; reap it, and forget it if virTestDirAddProcess() added it.
 * Returns its wait status.
 */
int virTestStopProcess(pid_t pid, int timeoutMs);

/* Detach what is mounted under @path, then remove it and all below it
 * (a directory or a file; no error if it is missing). */
void virTestRemoveTree(const char *path);

/* @first and the names after it, up to a NULL, under the source tree
 * ($abs_top_srcdir as make check sets it, else the configured one). */
char *virTestSrcPath(const char *first, ...) G_GNUC_NULL_TERMINATED;

/*
 * Fail the test unless @actual is the content of the golden file @path;
 * with VIR_TEST_REGENERATE_OUTPUT=1 in the environment, write @actual
 * there instead (review the diff).
 */
void virTestCompareToFile(const char *actual, const char *path);

/* Run a command (found in $PATH unless absolute); fails the test with its
 * output unless it exits 0. Its standard output in *@out if not NULL. */
void virTestRun(const char *const *argv, char **out);

/* qemu-img create -f FMT [-b BACKING -F BACKINGFMT] PATH [SIZE] */
void virTestImageCreate(const char *path, const char *fmt, const char *size,
                        const char *backing, const char *backingFmt);

/* virTestImageCreate() of @dir/@name, then chmod to @mode. Returns the
 * image's path, to free. */
char *virTestImageNew(const char *dir, const char *name, const char *fmt,
                      const char *size, const char *backing,
                      const char *backingFmt, mode_t mode);

/* Write @len bytes of @pattern at @offset of a qcow2/raw image with qemu-io. */
void virTestImageWrite(const char *path, const char *fmt, char pattern,
                       const char *offset, const char *len);

/* A domain XML with one disk per path ("vda", "vdb"...), type='qemu'. */
char *virTestDomainXML(const char *name, const char *const *disks);

/* Owner of a file. */
void virTestGetOwner(const char *path, uid_t *uid, gid_t *gid);

/* Fail the test unless @path belongs to @uid:@gid. */
void virTestAssertOwner(const char *path, uid_t uid, gid_t gid);

/* Can @uid:@gid (no supplementary groups) open @path for reading? */
bool virTestUserCanRead(const char *path, uid_t uid, gid_t gid);

/* Is @pid alive (not a zombie)? */
bool virTestProcessAlive(pid_t pid);

/* Read the QEMU pid of domain @name under @root (0 if none). */
pid_t virTestDomainPid(const char *root, const char *name);

/* The NUL-separated strings of /proc/@pid/@what ("cmdline", "environ"),
 * or NULL if the process is gone. */
char **virTestProcessStrings(pid_t pid, const char *what);

/* Is @pid a QEMU (a qemu-system process, or one named like it)? */
bool virTestProcessIsQemu(pid_t pid);

/*
 * Is @pid a QEMU of @dir: a qemu-system process that names a path under
 * @dir on its command line (its images, its pid file) or runs in it?
 * What the reaper kills, and what a test counts to see none is left.
 */
bool virTestQemuIsUnder(pid_t pid, const char *dir);

/* How many QEMUs of @dir are running (see virTestQemuIsUnder). */
size_t virTestQemuCount(const char *dir);

/*
 * Start @argv (a QEMU) in @dir, its standard output and error going to
 * @logPath, with a socket listening at @sockPath handed to it as fd
 * @monitorFd for its monitor. It runs in @dir (so the reaper knows it)
 * and dies with the test. Returns its pid; the caller waits for it.
 */
pid_t virTestQemuSpawn(const char *const *argv, const char *dir,
                       const char *sockPath, const char *logPath,
                       int monitorFd);

/* Poll @cond (a function) every 10 ms up to @timeoutMs: for waiting on
 * asynchronous outcomes without sleeping a fixed time. */
bool virTestWaitFor(bool (*cond)(void *opaque), void *opaque, int timeoutMs);

/* A TCP port of 127.0.0.1 nobody listens on now (the kernel's pick). A
 * server started a moment later binds it; another program taking it in
 * between makes that start fail loudly, never silently. */
int virTestFreeTCPPort(void);

/*
 * The path of this test program, for running itself again (free it):
 * /proc/self/exe read as a link. Never exec "/proc/self/exe" itself:
 * under valgrind that is valgrind's own tool, which refuses to run, while
 * valgrind answers the link's reading with the test program's path.
 */
char *virTestSelfPath(void);

/* Run this test binary again as "--child WHAT URI NAME" and return its exit
 * status: another embedding process (a fork of a threaded process must not
 * call into the library). */
int virTestRunSelf(const char *what, const char *uri, const char *name);

/*
 * Whether the cases that need a real QEMU or root run: false after
 * ./configure --disable-integration-tests (make distcheck), and in a build
 * that has them when the environment says VIR_TEST_INTEGRATION=no (the
 * unit tests under valgrind, scripts/valgrind.sh); those cases are then
 * not registered at all (never skipped).
 */
#ifdef WITH_INTEGRATION_TESTS
# define VIR_TEST_INTEGRATION virTestIntegration()
#else
# define VIR_TEST_INTEGRATION false
#endif
bool virTestIntegration(void);
