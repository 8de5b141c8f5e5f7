/*
 * testutilstest.c: what a failed test leaves behind: nothing. The reaper
 * of tests/testutils.c removes a test's temporary roots, detaches what is
 * mounted in them and kills their QEMUs however the test ends (g_error()'s
 * SIGTRAP, a failed g_assert's SIGABRT, SIGKILL); and the test programs
 * that make temporary files or run QEMU all use it: each, made to die in
 * the middle of a case by tests/testfaultmock.c, leaves its $TMPDIR empty
 * and no QEMU running.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutils.h"

#define HANG_MS (120 * 1000)    /* a hang catcher, not a timing */

/* ------------------------------------------------------------------ */
/* Running a program to its death                                       */

static const char *
testBuildDir(void)
{
    const char *dir = g_getenv("abs_top_builddir");

    return dir && *dir ? dir : ABS_TOP_BUILDDIR;
}

/* Run @argv with @envp, its output going to @logPath, and wait for it.
 * Returns its wait status. Not through pipes: a process it left behind
 * could hold them open for ever. */
static int
testRunToEnd(const char *const *argv, const char *const *envp,
             const char *logPath)
{
    g_autoptr(GError) err = NULL;
    int logfd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    GPid pid;
    int status = 0;

    g_assert_cmpint(logfd, >=, 0);
    if (!g_spawn_async_with_pipes_and_fds(NULL, argv, envp,
                                          G_SPAWN_DO_NOT_REAP_CHILD |
                                          G_SPAWN_CHILD_INHERITS_STDIN,
                                          NULL, NULL, -1, logfd, logfd,
                                          NULL, NULL, 0, &pid,
                                          NULL, NULL, NULL, &err))
        g_error("cannot run '%s': %s", argv[0], err->message);
    close(logfd);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    return status;
}

static const char *
testSignalName(int status)
{
    if (WIFEXITED(status))
        return "none (it exited)";
    return g_strsignal(WTERMSIG(status));
}

/* Is @pid a QEMU of @dir, or one started with @dir as its $TMPDIR (a
 * QEMU a test started itself need not name the directory)? */
static bool
testQemuOf(pid_t pid, const char *dir)
{
    g_autofree char *want = g_strdup_printf("TMPDIR=%s", dir);
    g_auto(GStrv) env = NULL;

    if (virTestQemuIsUnder(pid, dir))
        return true;
    if (!virTestProcessIsQemu(pid) || !(env = virTestProcessStrings(pid, "environ")))
        return false;
    return g_strv_contains((const char *const *) env, want);
}

/* Does process @pid name a path under @dir on its command line (a
 * daemon a test started, its config there)? */
static bool
testNamesDir(pid_t pid, const char *dir)
{
    g_autofree char *prefix = g_strdup_printf("%s/", dir);
    g_auto(GStrv) cmdline = virTestProcessStrings(pid, "cmdline");

    for (size_t i = 0; cmdline && cmdline[i]; i++) {
        if (strstr(cmdline[i], prefix))
            return true;
    }
    return false;
}

/* What is left of @dir's QEMUs, other processes and mounts, and in @dir itself (its
 * entries when @keep, itself otherwise): "" when nothing. */
static char *
testLeftovers(const char *dir, bool keep)
{
    g_autoptr(GString) left = g_string_new(NULL);
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    g_autofree char *mounts = NULL;
    g_autofree char *prefix = g_strdup_printf(" %s/", dir);
    const char *ent;

    while (proc && (ent = g_dir_read_name(proc))) {
        pid_t pid = atoi(ent);

        if (pid > 1 && virTestProcessAlive(pid) && testQemuOf(pid, dir))
            g_string_append_printf(left, "QEMU %d; ", (int) pid);
        else if (pid > 1 && virTestProcessAlive(pid) && testNamesDir(pid, dir))
            g_string_append_printf(left, "process %d; ", (int) pid);
    }
    g_assert_true(g_file_get_contents("/proc/self/mounts", &mounts, NULL, NULL));
    if (strstr(mounts, prefix))
        g_string_append(left, "a mount; ");
    if (keep) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);

        while (d && (ent = g_dir_read_name(d)))
            g_string_append_printf(left, "'%s/%s'; ", dir, ent);
    } else if (g_file_test(dir, G_FILE_TEST_EXISTS)) {
        g_string_append_printf(left, "'%s'; ", dir);
    }
    return g_strdup(left->str);
}

typedef struct {
    const char *dir;
    bool keep;
} testWatch;

static bool
testNothingLeft(void *opaque)
{
    testWatch *w = opaque;
    g_autofree char *left = testLeftovers(w->dir, w->keep);

    return !*left;
}

static void
testKillOne(pid_t pid, const char *dir)
{
    if (testQemuOf(pid, dir))
        kill(pid, SIGKILL);
}

/*
 * Fail unless the reaper leaves nothing of @dir (nothing in it when
 * @keep): no QEMU, no mount, no file, once it had the time. What it did
 * leave is cleaned up here, so that a failure does not leak either.
 */
static void
testAssertNothingLeft(const char *dir, bool keep)
{
    testWatch w = { dir, keep };
    g_autofree char *left = NULL;
    g_autoptr(GDir) proc = NULL;
    const char *ent;

    if (virTestWaitFor(testNothingLeft, &w, HANG_MS))
        return;
    left = testLeftovers(dir, keep);
    proc = g_dir_open("/proc", 0, NULL);
    while (proc && (ent = g_dir_read_name(proc)))
        testKillOne(atoi(ent), dir);
    if (keep) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);

        while (d && (ent = g_dir_read_name(d))) {
            g_autofree char *path = g_build_filename(dir, ent, NULL);

            virTestRemoveTree(path);
        }
    } else {
        virTestRemoveTree(dir);
    }
    g_error("left behind: %s", left);
}

/* ------------------------------------------------------------------ */
/* The reaper, in a child that dies                                     */

typedef struct {
    const char *how;    /* "trap", "abort", "kill" */
    int signal;         /* what the child dies of */
    bool qemu;          /* it runs two QEMUs in its root */
    bool mount;         /* it mounts a tmpfs in its root */
} testDeath;

/* A QEMU that only the reaper can end: not our child once we are gone,
 * in a session of its own, not killed when we die. It runs in @cwd and
 * names @arg on its command line (either may be NULL). */
static pid_t
testStartLoneQemu(const char *cwd, const char *arg)
{
    const char *argv[] = {
        QEMU_SYSTEM_PATH, "-S", "-nodefaults", "-display", "none",
        "-machine", "none", "-accel", "tcg", arg ? "-pidfile" : NULL, arg, NULL,
    };
    g_autoptr(GError) err = NULL;
    GPid pid;

    if (!g_spawn_async(cwd, (char **) argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                       G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &err))
        g_error("cannot start QEMU: %s", err->message);
    return pid;
}

typedef struct {
    pid_t pid;
    const char *dir;
} testQemuWait;

static bool
testQemuUp(void *opaque)
{
    testQemuWait *w = opaque;

    return virTestQemuIsUnder(w->pid, w->dir);
}

/* "--child HOW [qemu] [mount]": make a root with a tree, QEMUs and a
 * mount in it as asked, print "dir: ROOT" and "qemu: PID" lines, then
 * die as HOW says. */
static int
testChild(int argc, char **argv)
{
    g_autofree char *dir = NULL;
    g_autofree char *deep = NULL;
    g_autofree char *file = NULL;
    const char *how = argv[2];
    bool qemu = false;
    bool mnt = false;

    for (int i = 3; i < argc; i++) {
        qemu |= strcmp(argv[i], "qemu") == 0;
        mnt |= strcmp(argv[i], "mount") == 0;
    }
    virTestInit(&argc, &argv);
    dir = virTestMakeDir("testutilstest-child-XXXXXX");
    deep = g_build_filename(dir, "a", "b", NULL);
    file = g_build_filename(deep, "file", NULL);
    g_assert_cmpint(g_mkdir_with_parents(deep, 0700), ==, 0);
    g_assert_true(g_file_set_contents(file, "data", -1, NULL));
    printf("dir: %s\n", dir);

    if (qemu) {
        g_autofree char *sock = g_build_filename(dir, "mon.sock", NULL);
        g_autofree char *log = g_build_filename(dir, "qemu.log", NULL);
        g_autofree char *pidfile = g_build_filename(dir, "q.pid", NULL);
        const char *argvMon[] = {
            QEMU_SYSTEM_PATH, "-S", "-nodefaults", "-display", "none",
            "-machine", "none", "-accel", "tcg",
            "-chardev", "socket,id=mon,fd=3,server=on,wait=off",
            "-mon", "chardev=mon,mode=control", NULL,
        };
        /* Found by its directory, by its command line, and one that
         * dies with us. */
        pid_t pids[] = {
            testStartLoneQemu(dir, NULL),
            testStartLoneQemu(NULL, pidfile),
            virTestQemuSpawn(argvMon, dir, sock, log, 3),
        };

        for (size_t i = 0; i < G_N_ELEMENTS(pids); i++) {
            testQemuWait w = { pids[i], dir };

            if (!virTestWaitFor(testQemuUp, &w, HANG_MS))
                g_error("QEMU %d did not start", (int) pids[i]);
            printf("qemu: %d\n", (int) pids[i]);
        }
    }
    if (mnt) {
        g_autofree char *where = g_build_filename(dir, "mnt", NULL);

        g_assert_cmpint(mkdir(where, 0700), ==, 0);
        if (mount("tmpfs", where, "tmpfs", 0, "size=1m") < 0)
            g_error("cannot mount a tmpfs on '%s': %s", where, g_strerror(errno));
        printf("mounted\n");
    }
    fflush(stdout);

    if (strcmp(how, "trap") == 0)
        g_error("dying on purpose");
    if (strcmp(how, "abort") == 0)
        g_assert_not_reached();
    raise(SIGKILL);
    return EXIT_FAILURE;
}

/* The child died as asked, with its root, QEMUs and mount: the reaper
 * leaves none of them. */
static void
testReaper(gconstpointer data)
{
    const testDeath *d = data;
    g_autofree char *logDir = virTestMakeDir("testutilstest-XXXXXX");
    g_autofree char *log = g_build_filename(logDir, "child.log", NULL);
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *self = virTestSelfPath();
    const char *argv[] = { self, "--child", d->how,
                           d->qemu ? "qemu" : "", d->mount ? "mount" : "", NULL };
    g_autofree char *dir = NULL;
    size_t nqemu = 0;
    bool mounted = false;
    int status;

    status = testRunToEnd(argv, NULL, log);
    g_assert_true(g_file_get_contents(log, &out, NULL, NULL));
    g_test_message("the child said:\n%s", out);
    lines = g_strsplit(out, "\n", 0);
    for (size_t i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "dir: "))
            dir = g_strdup(lines[i] + strlen("dir: "));
        nqemu += g_str_has_prefix(lines[i], "qemu: ");
        mounted |= strcmp(lines[i], "mounted") == 0;
    }
    g_assert_nonnull(dir);
    g_assert_true(g_str_has_prefix(dir, g_get_tmp_dir()));
    g_assert_cmpuint(nqemu, ==, d->qemu ? 3 : 0);
    g_assert_true(mounted == d->mount);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != d->signal) {
        testAssertNothingLeft(dir, false);
        g_error("the child died of signal %s, not of %s", testSignalName(status),
                g_strsignal(d->signal));
    }
    testAssertNothingLeft(dir, false);
    virTestCleanupDir(logDir);
}

static const testDeath testDeaths[] = {
    { "trap", SIGTRAP, false, false },
    { "abort", SIGABRT, false, false },
    { "kill", SIGKILL, false, false },
};

/* Need QEMU, and root for the mount. */
static const testDeath testDeathsReal[] = {
    { "trap", SIGTRAP, true, true },
    { "abort", SIGABRT, true, false },
    { "kill", SIGKILL, true, false },
};

/* virTestCleanupDir() kills a root's QEMUs and removes it at once. */
static void
testCleanupDirNow(void)
{
    g_autofree char *dir = virTestMakeDir("testutilstest-XXXXXX");
    g_autofree char *sub = g_build_filename(dir, "sub", NULL);
    g_autofree char *pidfile = g_build_filename(sub, "q.pid", NULL);
    testQemuWait w = { 0, dir };

    g_assert_cmpint(mkdir(sub, 0700), ==, 0);
    w.pid = testStartLoneQemu(NULL, pidfile);
    g_assert_true(virTestWaitFor(testQemuUp, &w, HANG_MS));
    g_assert_cmpuint(virTestQemuCount(dir), ==, 1);

    virTestCleanupDir(dir);
    g_assert_false(virTestProcessAlive(w.pid));
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(virTestQemuCount(dir), ==, 0);
    waitpid(w.pid, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* The test programs, made to die in the middle of a case               */

typedef struct {
    const char *prog;       /* a test program in tests/ */
    const char *path;       /* the case it runs (-p) */
    const char *fault;      /* VIR_TEST_FAULT: where it dies */
    const char *transport;  /* VIR_TEST_TRANSPORT, if not NULL */
} testFaultCase;

/* @tc's program dies of SIGTRAP at its fault, with its temporary files
 * made, its QEMUs running, its file systems mounted: it leaves its
 * $TMPDIR empty and no QEMU running. */
static void
testFault(gconstpointer data)
{
    const testFaultCase *tc = data;
    g_autofree char *tmp = virTestMakeDir("testutilstest-XXXXXX");
    g_autofree char *logDir = virTestMakeDir("testutilstest-log-XXXXXX");
    g_autofree char *log = g_build_filename(logDir, "prog.log", NULL);
    g_autofree char *prog = g_build_filename(testBuildDir(), "tests", tc->prog, NULL);
    g_autofree char *mock = g_build_filename(testBuildDir(), "tests", ".libs",
                                             "libtestfaultmock.so", NULL);
    const char *asan = g_getenv("ASAN_OPTIONS");
    g_autofree char *asanOpts = g_strdup_printf("%s%sverify_asan_link_order=0",
                                                asan ? asan : "", asan ? ":" : "");
    const char *argv[] = { prog, "-p", tc->path, NULL };
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *out = NULL;
    int status;

    g_assert_true(g_file_test(mock, G_FILE_TEST_IS_REGULAR));
    env = g_environ_setenv(env, "TMPDIR", tmp, TRUE);
    env = g_environ_setenv(env, "LD_PRELOAD", mock, TRUE);
    env = g_environ_setenv(env, "VIR_TEST_FAULT", tc->fault, TRUE);
    env = g_environ_setenv(env, "VIR_TEST_FAULT_PROG", tc->prog, TRUE);
    if (tc->transport)
        env = g_environ_setenv(env, "VIR_TEST_TRANSPORT", tc->transport, TRUE);
    env = g_environ_setenv(env, "ASAN_OPTIONS", asanOpts, TRUE);

    status = testRunToEnd(argv, (const char *const *) env, log);
    g_assert_true(g_file_get_contents(log, &out, NULL, NULL));
    g_test_message("%s -p %s said:\n%s", tc->prog, tc->path, out);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTRAP) {
        testAssertNothingLeft(tmp, true);
        g_error("%s did not die at its %s: signal %s", tc->prog, tc->fault,
                testSignalName(status));
    }
    testAssertNothingLeft(tmp, true);
    virTestCleanupDir(tmp);
    virTestCleanupDir(logDir);
}

/* Programs that need neither QEMU nor root. */
static const testFaultCase testFaults[] = {
    { "virxmltest", "/virxml/parse/file", "g_file_set_contents" },
    { "virconftest", "/conf/file", "g_file_set_contents" },
    { "libvirtdconftest", "/libvirtd/conf/file", "g_file_set_contents" },
    { "virnetservertest", "/rpc/server/calls", "connect" },
    { "remotedispatchtest", "/remote/dispatch/handshake", "connect" },
#ifdef WITH_QEMU
    { "qemuconftest", "/qemuconf/empty-file", "g_file_set_contents" },
#endif
};

/* Programs that run QEMU or qemu-img, or need root. */
static const testFaultCase testFaultsReal[] = {
    { "domainconftest", "/domainconf/chain/one-level-v3", "g_spawn_sync" },
    { "securitytest", "/security/dac/tmpfs", "mount" },
#ifdef WITH_QEMU
    { "qemumonitortest", "/monitor/real-qemu", "connect" },
    { "qemuxml2argvtest", "/qemuxml2argv/qemu/minimal", "connect" },
    { "qemudrivertest", "/qemu/driver/lifecycle", "connect" },
    { "qemublockpullmocktest", "/blockpull-mock/cancel", "connect" },
    { "qemublockjobtest", "/blockjob/refused", "connect" },
    /* the two clients', then the monitor's with QEMU running */
    { "remotedispatchqemutest", "/remote/dispatch/qemu/pull", "connect:3" },
    /* Dies with its libvirtd up: the daemon must go with it. */
    { "remotetest", "/remote/block-jobs", "connect:2" },
    /* Over libvirtd: it dies once the pull ended (at the qemu-img that
     * reads the overlay), its daemon and that daemon's QEMU running. */
    { "qemublockjobtest", "/blockjob/rebase-whole", "g_spawn_sync:8", "daemon" },
    /* The same over ssh (two ssh-keygen runs more before it): its sshd,
     * the ssh session and the virt-ssh-helper must go too. */
    { "qemublockjobtest", "/blockjob/rebase-whole", "g_spawn_sync:10", "ssh" },
#endif
};

int
main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--child") == 0)
        return testChild(argc, argv);
    virTestInit(&argc, &argv);

    for (size_t i = 0; i < G_N_ELEMENTS(testDeaths); i++) {
        g_autofree char *name = g_strdup_printf("/testutils/reaper/%s", testDeaths[i].how);

        g_test_add_data_func(name, &testDeaths[i], testReaper);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(testFaults); i++) {
        g_autofree char *name = g_strdup_printf("/testutils/fault/%s", testFaults[i].prog);

        g_test_add_data_func(name, &testFaults[i], testFault);
    }
    if (VIR_TEST_INTEGRATION) {
        for (size_t i = 0; i < G_N_ELEMENTS(testDeathsReal); i++) {
            g_autofree char *name = g_strdup_printf("/testutils/reaper/%s-qemu%s",
                                                    testDeathsReal[i].how,
                                                    testDeathsReal[i].mount ? "-mount" : "");

            g_test_add_data_func(name, &testDeathsReal[i], testReaper);
        }
        g_test_add_func("/testutils/cleanup-dir", testCleanupDirNow);
        for (size_t i = 0; i < G_N_ELEMENTS(testFaultsReal); i++) {
            g_autofree char *name = g_strdup_printf("/testutils/fault/%s%s%s",
                                                    testFaultsReal[i].prog,
                                                    testFaultsReal[i].transport ? "-" : "",
                                                    testFaultsReal[i].transport ?
                                                    testFaultsReal[i].transport : "");

            g_test_add_data_func(name, &testFaultsReal[i], testFault);
        }
    }
    return g_test_run();
}
