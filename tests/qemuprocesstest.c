/*
 * qemuprocesstest.c: the life of a QEMU process on a real QEMU, across
 * restarts and crashes of the process that embeds the driver: which QEMU is
 * ours, starts cut short by SIGKILL, long and odd names (and names older
 * versions accepted), start-up errors, and the groups QEMU runs with.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define QEMU_UID 65534
#define QEMU_GID 65534

typedef struct {
    char *dir;          /* images, 0755 */
    char *root;         /* embed root */
    char *uri;
    char *base;         /* raw base image, 0600 */
    char *top;          /* qcow2 on base, 0600 */
} Fixture;

static void
fixtureSetUp(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    f->dir = virTestMakeDir("vbpproc-XXXXXX");
    f->root = virTestEmbedRoot(f->dir, &f->uri);
    f->base = virTestImageNew(f->dir, "base.raw", "raw", "16M", NULL, NULL,
                              0600);
    f->top = virTestImageNew(f->dir, "top.qcow2", "qcow2", NULL, f->base,
                             "raw", 0600);
}

static void
fixtureTearDown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virTestCleanupDir(f->dir);
    g_free(f->dir);
    g_free(f->root);
    g_free(f->uri);
    g_free(f->base);
    g_free(f->top);
}

static char *
domainXML(Fixture *f, const char *name)
{
    const char *disks[] = { f->top, NULL };

    return virTestDomainXML(name, disks);
}

static void
assertOwnedByQemu(Fixture *f)
{
    virTestAssertOwner(f->top, QEMU_UID, QEMU_GID);
    virTestAssertOwner(f->base, QEMU_UID, QEMU_GID);
}

static void
assertGivenBack(Fixture *f)
{
    virTestAssertOwner(f->top, 0, 0);
    virTestAssertOwner(f->base, 0, 0);
    g_assert_false(virTestUserCanRead(f->base, QEMU_UID, QEMU_GID));
}

/* The pids of the processes whose command line holds @needle as one
 * argument, or, with @whole, is exactly @needle (arguments joined by NUL,
 * @wholeLen bytes). */
static GArray *
findProcesses(const char *needle, const char *whole, gsize wholeLen)
{
    GArray *pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    const char *ent;

    while (proc && (ent = g_dir_read_name(proc))) {
        g_autofree char *path = NULL;
        g_autofree char *cmdline = NULL;
        pid_t pid = atoi(ent);
        gsize len;
        bool match = false;

        if (pid <= 1 || pid == getpid())
            continue;
        path = g_strdup_printf("/proc/%s/cmdline", ent);
        if (!g_file_get_contents(path, &cmdline, &len, NULL) || len == 0)
            continue;
        if (whole && len == wholeLen && memcmp(cmdline, whole, len) == 0)
            match = true;
        for (gsize i = 0; needle && !match && i < len;
             i += strlen(cmdline + i) + 1) {
            if (strcmp(cmdline + i, needle) == 0)
                match = true;
        }
        if (match && virTestProcessAlive(pid))
            g_array_append_val(pids, pid);
    }
    return pids;
}

static size_t
countProcesses(const char *needle, const char *whole, gsize wholeLen)
{
    g_autoptr(GArray) pids = findProcesses(needle, whole, wholeLen);

    return pids->len;
}

/* ------------------------------------------------------------------ */
/* Children: other processes that embed the driver                     */

/* "start NAME": start the defined domain; "create FILE": start a transient
 * domain from the XML in FILE. Both exit without closing anything, as a
 * crash of the embedding process would. */
static int
childMain(const char *what, const char *uri, const char *arg)
{
    virConnectPtr c = virConnectOpen(uri);
    virDomainPtr d;

    if (!c)
        return 1;
    if (strcmp(what, "start") == 0)
        return (d = virDomainLookupByName(c, arg)) && virDomainCreate(d) == 0 ? 0 : 1;
    if (strcmp(what, "create") == 0) {
        g_autofree char *xml = NULL;

        if (!g_file_get_contents(arg, &xml, NULL, NULL))
            return 1;
        return virDomainCreateXML(c, xml, 0) ? 0 : 1;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Names that QEMU's option syntax must escape                          */

static const char *const oddNames[] = { "web,1", "a=b", "it's", "with space", NULL };

/* Started by another process that then dies, the domain is found running
 * by the next one: same QEMU, images still QEMU's, and destroy works and
 * only then gives them back. */
static void
testOddNames(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    for (size_t i = 0; oddNames[i]; i++) {
        for (int transient = 0; transient <= 1; transient++) {
            const char *name = oddNames[i];
            g_autofree char *xml = domainXML(f, name);
            g_autofree char *xmlfile = g_build_filename(f->dir, "dom.xml", NULL);
            virConnectPtr conn;
            virDomainPtr dom;
            pid_t pid;

            g_test_message("name '%s', %s", name, transient ? "transient" : "persistent");
            if (transient) {
                g_assert_true(g_file_set_contents(xmlfile, xml, -1, NULL));
                g_assert_cmpint(virTestRunSelf("create", f->uri, xmlfile), ==, 0);
            } else {
                conn = virTestOpen(f->uri);
                virDomainFree(virTestDefineDomain(conn, xml));
                virConnectClose(conn);
                g_assert_cmpint(virTestRunSelf("start", f->uri, name), ==, 0);
            }
            pid = virTestDomainPid(f->root, name);
            g_assert_cmpint(pid, >, 0);
            g_assert_true(virTestProcessAlive(pid));

            conn = virTestOpen(f->uri);
            dom = virDomainLookupByName(conn, name);
            if (!dom)
                g_error("domain '%s' is lost: %s", name, virGetLastErrorMessage());
            virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
            g_assert_cmpint(virDomainIsPersistent(dom), ==, !transient);
            g_assert_true(virTestProcessAlive(pid));
            assertOwnedByQemu(f);

            if (virDomainDestroy(dom) < 0)
                g_error("destroy of '%s' failed: %s", name, virGetLastErrorMessage());
            g_assert_false(virTestProcessAlive(pid));
            assertGivenBack(f);
            virTestAssertStateDirClean(f->root);
            if (transient) {
                g_assert_null(virDomainLookupByName(conn, name));
            } else {
                g_assert_cmpint(virDomainUndefine(dom), ==, 0);
            }
            virDomainFree(dom);
            virConnectClose(conn);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Which process is ours                                                */

static void
replaceInStatus(Fixture *f, const char *name, const char *from, const char *to)
{
    g_autofree char *path = g_strdup_printf("%s/run/qemu/%s.xml", f->root, name);
    g_autofree char *xml = NULL;
    g_autoptr(GString) s = NULL;

    g_assert_true(g_file_get_contents(path, &xml, NULL, NULL));
    s = g_string_new(xml);
    g_assert_cmpuint(g_string_replace(s, from, to, 1), ==, 1);
    g_assert_true(g_file_set_contents(path, s->str, -1, NULL));
}

/* Our QEMU died while nobody watched and its pid went to a process whose
 * command line is a copy of QEMU's (name, uuid and all): that process is
 * not ours, it survives, and the domain is cleaned up as crashed. */
static void
testRecycledPid(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virConnectPtr conn = virTestOpen(f->uri);
    g_autofree char *xml = domainXML(f, "copy");
    virDomainPtr dom = virTestDefineDomain(conn, xml);
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree char *from = NULL;
    g_autofree char *to = NULL;
    GPid decoy;
    pid_t pid;

    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    pid = virTestDomainPid(f->root, "copy");
    virDomainFree(dom);
    virConnectClose(conn);

    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    while (virTestProcessAlive(pid))
        g_usleep(10 * 1000);
    {
        /* A shell that stops itself (a builtin: no child to outlive it)
         * and keeps these arguments. */
        const char *argv[] = { "/bin/sh", "-c", "kill -STOP $$", "qemu-system-x86_64",
                               "-name", "guest=copy,debug-threads=on", "-uuid", uuid,
                               NULL };
        g_assert_true(g_spawn_async(NULL, (char **) argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD |
                                    G_SPAWN_STDOUT_TO_DEV_NULL |
                                    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                    &decoy, NULL));
    }
    from = g_strdup_printf("pid='%d'", (int) pid);
    to = g_strdup_printf("pid='%d'", (int) decoy);
    replaceInStatus(f, "copy", from, to);

    conn = virTestOpen(f->uri);
    g_assert_true(virTestProcessAlive(decoy));
    dom = virDomainLookupByName(conn, "copy");
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED);
    assertGivenBack(f);
    virTestAssertStateDirClean(f->root);
    kill(decoy, SIGKILL);
    waitpid(decoy, NULL, 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

/* A status file written before start times were recorded: the QEMU is
 * still recognised (by its -uuid) and taken over. */
static void
testLegacyStatus(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virConnectPtr conn = virTestOpen(f->uri);
    g_autofree char *xml = domainXML(f, "old,style");
    virDomainPtr dom = virTestDefineDomain(conn, xml);
    g_autofree char *path = g_strdup_printf("%s/run/qemu/old,style.xml", f->root);
    g_autofree char *status = NULL;
    GRegex *attrs;
    g_autofree char *stripped = NULL;
    pid_t pid;

    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    pid = virTestDomainPid(f->root, "old,style");
    virDomainFree(dom);
    virConnectClose(conn);

    g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
    attrs = g_regex_new(" (starttime|bootid)='[^']*'", 0, 0, NULL);
    stripped = g_regex_replace_literal(attrs, status, -1, 0, "", 0, NULL);
    g_regex_unref(attrs);
    g_assert_cmpstr(stripped, !=, status);
    g_assert_true(g_file_set_contents(path, stripped, -1, NULL));

    conn = virTestOpen(f->uri);
    dom = virDomainLookupByName(conn, "old,style");
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_true(virTestProcessAlive(pid));
    assertOwnedByQemu(f);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_false(virTestProcessAlive(pid));
    assertGivenBack(f);
    virDomainFree(dom);
    virConnectClose(conn);
}

/* ------------------------------------------------------------------ */
/* Names older versions accepted                                        */

/* Rename domain @from's file @dir/FROM@suffix to @dir/TO@suffix, with
 * every "FROM" of @texts (NULL-terminated) inside replaced by "TO". */
static void
renameFile(const char *dir, const char *suffix, const char *from,
           const char *to, const char *const *texts)
{
    g_autofree char *fromName = g_strdup_printf("%s%s", from, suffix);
    g_autofree char *toName = g_strdup_printf("%s%s", to, suffix);
    g_autofree char *fromPath = g_build_filename(dir, fromName, NULL);
    g_autofree char *toPath = g_build_filename(dir, toName, NULL);
    g_autofree char *content = NULL;
    g_autoptr(GString) s = NULL;

    g_assert_true(g_file_get_contents(fromPath, &content, NULL, NULL));
    s = g_string_new(content);
    for (size_t i = 0; texts && texts[i]; i += 2)
        g_string_replace(s, texts[i], texts[i + 1], 0);
    g_assert_true(g_file_set_contents(toPath, s->str, -1, NULL));
    g_assert_cmpint(chmod(toPath, 0600), ==, 0);
    g_assert_cmpint(unlink(fromPath), ==, 0);
}

/*
 * A domain an older version defined and started under a name this one
 * refuses for new domains (@data: a blank at either end, a tab, '.'): its
 * definition and status file are as that version wrote them. Opening the
 * root takes the running QEMU over, as any other: the domain is running,
 * its QEMU the same, its images still QEMU's; a start is refused as for
 * any running domain (no second QEMU); destroy gives the images back; it
 * starts again and can be undefined. Only defining it anew is refused.
 */
static void
testOldRulesName(Fixture *f, gconstpointer data)
{
    const char *name = data;
    g_autofree char *xml = domainXML(f, "oldrules");
    g_autofree char *etc = g_build_filename(f->root, "etc", "qemu", NULL);
    g_autofree char *run = g_build_filename(f->root, "run", "qemu", NULL);
    g_autofree char *log = g_build_filename(f->root, "log", "qemu", NULL);
    g_auto(GStrv) tabs = g_strsplit(name, "\t", -1);
    g_autofree char *inAttr = g_strjoinv("&#9;", tabs);   /* as escaped there */
    g_autofree char *toLog = g_strdup_printf("/%s.log'", inAttr);
    g_autofree char *toName = g_strdup_printf("<name>%s</name>", name);
    g_autofree char *newXML = NULL;
    const char *texts[] = { "<name>oldrules</name>", toName,
                            "/oldrules.log'", toLog, NULL };
    char uuid[VIR_UUID_STRING_BUFLEN];
    virConnectPtr conn = virTestOpen(f->uri);
    virDomainPtr dom = virTestDefineDomain(conn, xml);
    pid_t pid;

    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    pid = virTestDomainPid(f->root, "oldrules");
    virDomainFree(dom);
    virConnectClose(conn);

    renameFile(etc, ".xml", "oldrules", name, texts);
    renameFile(run, ".xml", "oldrules", name, texts);
    renameFile(run, ".pid", "oldrules", name, NULL);
    renameFile(log, ".log", "oldrules", name, NULL);

    conn = virTestOpen(f->uri);
    dom = virDomainLookupByName(conn, name);
    if (!dom)
        g_error("domain '%s' was not loaded: %s", name, virGetLastErrorMessage());
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 1);
    g_assert_cmpint(virTestDomainPid(f->root, name), ==, pid);
    g_assert_true(virTestProcessAlive(pid));
    assertOwnedByQemu(f);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpuint(countProcesses(uuid, NULL, 0), ==, 1);

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_false(virTestProcessAlive(pid));
    assertGivenBack(f);
    virTestAssertStateDirClean(f->root);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);

    /* New input keeps the rules. */
    newXML = domainXML(f, name);
    g_assert_null(virDomainDefineXML(conn, newXML));
    virTestAssertError(VIR_ERR_XML_DETAIL);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL, 0), ==, 0);
    assertGivenBack(f);
    virTestAssertStateDirClean(f->root);
    virConnectClose(conn);
}

/* ------------------------------------------------------------------ */
/* SIGKILL of the process that starts a domain                          */

/* Whether no process holds the root's driver lock (ROOT/run/qemu/
 * driver.lock), tried as the driver takes it, and let go at once. */
static bool
rootLockFree(Fixture *f)
{
    g_autofree char *path = g_strdup_printf("%s/run/qemu/driver.lock", f->root);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    bool held;

    if (fd < 0)
        return errno == ENOENT;
    held = flock(fd, LOCK_EX | LOCK_NB) < 0;
    close(fd);
    return !held;
}

typedef enum {
    KILL_AT_FORK,       /* as soon as a process forked for QEMU shows */
    KILL_AT_PIDFILE,    /* as soon as QEMU's pid file shows */
    KILL_AT_EXEC,       /* as soon as QEMU itself runs */
} KillPoint;

/* The embedding process is killed in the middle of a start, between the
 * fork of QEMU's process and the end of the start. Whatever the exact
 * point: no QEMU is left that nobody knows of, and the next process
 * reports the start failed, with the images given back. */
static void
testKilledWhileStarting(Fixture *f, gconstpointer data)
{
    KillPoint point = GPOINTER_TO_INT(data);
    g_autofree char *xml = domainXML(f, "half");
    g_autofree char *self = virTestSelfPath();
    g_autofree char *pidfile = g_strdup_printf("%s/run/qemu/half.pid", f->root);
    const char *argv[] = { self, "--child", "start", f->uri, "half", NULL };
    g_autoptr(GString) whole = g_string_new(NULL);
    char uuid[VIR_UUID_STRING_BUFLEN];
    gint64 deadline;
    virConnectPtr conn;
    virDomainPtr dom;
    GPid child;
    int status;

    for (size_t i = 0; argv[i]; i++)
        g_string_append_len(whole, argv[i], strlen(argv[i]) + 1);

    conn = virTestOpen(f->uri);
    dom = virTestDefineDomain(conn, xml);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);

    g_assert_true(g_spawn_async(NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &child, NULL));
    deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    for (;;) {
        bool now;

        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        if (point == KILL_AT_FORK) {
            /* A copy of the child that is not the child (the helpers of
             * the fork, before their exec), or QEMU itself. */
            g_autoptr(GArray) pids = findProcesses(uuid, whole->str, whole->len);
            now = false;
            for (guint i = 0; i < pids->len; i++)
                now |= g_array_index(pids, pid_t, i) != child;
        } else if (point == KILL_AT_PIDFILE) {
            now = access(pidfile, F_OK) == 0;
        } else {
            now = countProcesses(uuid, NULL, 0) > 0;
        }
        if (now)
            break;
        g_usleep(500);
    }
    g_assert_cmpint(kill(child, SIGKILL), ==, 0);
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
    /* Killed half way, not finished before the kill. */
    g_assert_true(WIFSIGNALED(status));
    {
        /* Which window the kill hit, for the log. */
        g_autofree char *path = g_strdup_printf("%s/run/qemu/half.xml", f->root);
        g_autofree char *st = NULL;
        g_autoptr(GArray) qemus = findProcesses(uuid, NULL, 0);

        g_file_get_contents(path, &st, NULL, NULL);
        g_test_message("killed: status '%.60s', %u QEMU(s) running",
                       st ? st : "(none)", qemus->len);
    }

    /* The helpers it forked go away on their own, without a QEMU: they
     * share its descriptors (the root's lock among them) until they do.
     * A helper's command line is gone as soon as it starts exiting, but
     * its descriptors close a little later (under ASan, after a large
     * address space is torn down), so the lock itself is the witness.
     * A generous bound: it only catches a helper that never goes (a busy
     * machine took more than 5 s to reap them). */
    deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    while ((countProcesses(NULL, whole->str, whole->len) > 0 ||
            !rootLockFree(f)) &&
           g_get_monotonic_time() < deadline)
        g_usleep(1000);
    g_assert_cmpuint(countProcesses(NULL, whole->str, whole->len), ==, 0);
    g_assert_true(rootLockFree(f));

    conn = virTestOpen(f->uri);
    dom = virDomainLookupByName(conn, "half");
    g_assert_nonnull(dom);
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    assertGivenBack(f);
    virTestAssertStateDirClean(f->root);

    /* The open killed the QEMU it may have left; none runs. */
    g_assert_cmpuint(countProcesses(uuid, NULL, 0), ==, 0);

    /* And it starts normally afterwards. */
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

/* ------------------------------------------------------------------ */
/* Long names                                                           */

/* A name far beyond what a unix socket's path can hold works, over and
 * over, and leaves nothing behind; one too long for a file name is refused
 * up front with a clear error. */
static void
testLongName(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *name = g_strnfill(200, 'n');
    g_autofree char *xml = domainXML(f, name);
    g_autofree char *tooLong = g_strnfill(248, 'x');
    g_autofree char *longest = g_strnfill(247, 'y');
    virConnectPtr conn = virTestOpen(f->uri);
    virDomainPtr dom = virTestDefineDomain(conn, xml);

    for (int i = 0; i < 2; i++) {
        pid_t pid;

        if (virDomainCreate(dom) < 0)
            g_error("start %d failed: %s", i, virGetLastErrorMessage());
        pid = virTestDomainPid(f->root, name);
        g_assert_true(virTestProcessAlive(pid));
        virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
        g_assert_cmpint(virDomainDestroy(dom), ==, 0);
        g_assert_false(virTestProcessAlive(pid));
        virTestAssertStateDirClean(f->root);
        assertGivenBack(f);
    }
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);

    /* The longest name the driver's file names allow, across a reconnect. */
    g_clear_pointer(&xml, g_free);
    xml = domainXML(f, longest);
    dom = virTestDefineDomain(conn, xml);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
    conn = virTestOpen(f->uri);
    dom = virDomainLookupByName(conn, longest);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virTestAssertStateDirClean(f->root);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);

    /* One byte more: refused, by define and by create alike. */
    g_clear_pointer(&xml, g_free);
    xml = domainXML(f, tooLong);
    g_assert_null(virDomainDefineXML(conn, xml));
    virTestAssertError(VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "248 bytes long"));
    g_assert_nonnull(strstr(virGetLastErrorMessage(), tooLong));
    g_assert_null(virDomainCreateXML(conn, xml, 0));
    virTestAssertError(VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL, 0), ==, 0);
    virTestAssertStateDirClean(f->root);
    assertGivenBack(f);
    virConnectClose(conn);
}

/* ------------------------------------------------------------------ */
/* Start-up errors quote this start's QEMU output only                  */

static char *
writeScript(Fixture *f, const char *name, const char *body)
{
    char *path = g_build_filename(f->dir, name, NULL);
    g_autofree char *text = g_strdup_printf("#!/bin/sh\n%s\n", body);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_assert_cmpint(chmod(path, 0755), ==, 0);
    return path;
}

/* Define and start a domain that fails to start; returns the error's
 * message. */
static char *
startFails(virConnectPtr conn, const char *xml)
{
    virDomainPtr dom = virTestDefineDomain(conn, xml);
    char *msg;

    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_FAILED);
    msg = g_strdup(virGetLastErrorMessage());
    g_test_message("start failed: %s", msg);
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    return msg;
}

static char *
withEmulator(const char *xml, const char *emulator)
{
    g_autoptr(GString) s = g_string_new(xml);
    g_autofree char *elem = g_strdup_printf("<devices>\n    <emulator>%s</emulator>\n",
                                            emulator);

    g_assert_cmpuint(g_string_replace(s, "<devices>\n", elem, 1), ==, 1);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static void
testStartErrorThisRun(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virConnectPtr conn = virTestOpen(f->uri);
    g_autofree char *xml = domainXML(f, "logged");
    g_autofree char *noisy = writeScript(f, "noisy-qemu",
                                         "echo 'noisy-qemu: the widget is broken' >&2\n"
                                         "exit 1");
    g_autofree char *quiet = writeScript(f, "quiet-qemu", "exit 1");
    g_autofree char *logpath = g_strdup_printf("%s/log/qemu/logged.log", f->root);
    g_autofree char *log = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    g_autofree char *third = NULL;

    /* A first run fails with QEMU's own words. */
    {
        g_autoptr(GString) s = g_string_new(xml);
        g_string_replace(s, "machine='pc'", "machine='no-such-machine'", 1);
        first = startFails(conn, s->str);
        g_assert_nonnull(strstr(first, "unsupported machine type"));
    }

    /* The second run's error says what the second QEMU said, and nothing
     * of the first's, which stays in the log. */
    {
        g_autofree char *x = withEmulator(xml, noisy);
        second = startFails(conn, x);
        g_assert_nonnull(strstr(second, "the widget is broken"));
        g_assert_null(strstr(second, "unsupported machine type"));
        g_assert_null(strstr(second, "starting up"));
    }

    /* A QEMU that says nothing: nothing of the earlier runs is quoted. */
    {
        g_autofree char *x = withEmulator(xml, quiet);
        third = startFails(conn, x);
        g_assert_null(strstr(third, "unsupported machine type"));
        g_assert_null(strstr(third, "the widget is broken"));
        g_assert_null(strstr(third, "starting up"));
        g_assert_nonnull(strstr(third, "wrote nothing to its log"));
    }

    g_assert_true(g_file_get_contents(logpath, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "unsupported machine type"));
    g_assert_nonnull(strstr(log, "the widget is broken"));
    assertGivenBack(f);
    virConnectClose(conn);
}

/*
 * A QEMU that is alive but never answers (here: it writes a warning, then
 * stops before its monitor greets us). The start fails with what really
 * went wrong, the monitor's timeout, and the warning added to it: never
 * "QEMU exited", which it did not.
 */
static void
testStartErrorAlive(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *hung = writeScript(f, "hung-qemu",
                                        "echo 'hung-qemu: warning: the widget is slow' >&2\n"
                                        "kill -STOP $$");
    g_autofree char *plain = domainXML(f, "hung");
    g_autofree char *xml = withEmulator(plain, hung);
    g_autofree char *msg = NULL;
    virConnectPtr conn;
    virDomainPtr dom;

    virTestWriteQemuConf(f->root, "monitor_timeout = 1000\n");
    conn = virTestOpen(f->uri);
    dom = virTestDefineDomain(conn, xml);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    msg = g_strdup(virGetLastErrorMessage());
    g_test_message("start failed: %s", msg);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_TIMEOUT);
    g_assert_nonnull(strstr(msg, "timed out"));
    g_assert_nonnull(strstr(msg, "the widget is slow"));
    g_assert_null(strstr(msg, "exited"));
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    virTestAssertStateDirClean(f->root);
    assertGivenBack(f);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

/* ------------------------------------------------------------------ */
/* The groups QEMU runs with                                            */

typedef struct {
    uid_t uid;
    gid_t gid;
    GArray *groups;     /* gid_t */
} Creds;

/* The real ids and supplementary groups of @pid, from /proc/PID/status. */
static void
credsOfProcess(pid_t pid, Creds *c)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
    g_autofree char *status = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
    lines = g_strsplit(status, "\n", 0);
    c->groups = g_array_new(FALSE, FALSE, sizeof(gid_t));
    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit_set(lines[i], " \t", 0);
        gid_t g;

        if (!f[0] || !f[1])
            continue;
        if (strcmp(f[0], "Uid:") == 0)
            c->uid = atoi(f[1]);
        else if (strcmp(f[0], "Gid:") == 0)
            c->gid = atoi(f[1]);
        else if (strcmp(f[0], "Groups:") == 0) {
            for (size_t j = 1; f[j]; j++) {
                if (!*f[j])
                    continue;
                g = atoi(f[j]);
                g_array_append_val(c->groups, g);
            }
        }
    }
}

/* Can a process with exactly @c open @path read-write? */
static bool
credsCanOpen(const Creds *c, const char *path)
{
    pid_t pid = fork();
    int status;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        if (setgroups(c->groups->len, (gid_t *) c->groups->data) < 0 ||
            setgid(c->gid) < 0 || setuid(c->uid) < 0)
            _exit(2);
        _exit(open(path, O_RDWR) >= 0 ? 0 : 1);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), !=, 2);
    return WEXITSTATUS(status) == 0;
}

/* QEMU runs in the "kvm" group, so that it can open a root:kvm 0660
 * /dev/kvm as Debian makes it. Shown without /dev/kvm: on a device node
 * made that way, with the credentials QEMU really runs with. */
static void
testKvmGroup(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *node = g_build_filename(f->dir, "fake-kvm", NULL);
    g_autofree char *xml = domainXML(f, "kvmgroup");
    struct group *gr;
    gid_t kvm;
    virConnectPtr conn;
    virDomainPtr dom;
    Creds qemu = { 0 };
    Creds bare = { 0 };
    bool inKvm = false;
    pid_t pid;

    /* As Debian's packages would make it; left in place afterwards, like
     * theirs (an empty system group). Before the driver reads the groups. */
    if (!getgrnam("kvm")) {
        const char *argv[] = { "groupadd", "--system", "kvm", NULL };
        virTestRun(argv, NULL);
    }
    g_assert_nonnull((gr = getgrnam("kvm")));
    kvm = gr->gr_gid;

    conn = virTestOpen(f->uri);
    dom = virTestDefineDomain(conn, xml);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    pid = virTestDomainPid(f->root, "kvmgroup");
    credsOfProcess(pid, &qemu);
    g_assert_cmpuint(qemu.uid, ==, QEMU_UID);
    g_assert_cmpuint(qemu.gid, ==, QEMU_GID);
    for (guint i = 0; i < qemu.groups->len; i++)
        inKvm |= g_array_index(qemu.groups, gid_t, i) == kvm;
    if (!inKvm)
        g_error("QEMU (pid %d) does not run in group 'kvm' (%u)", (int) pid,
                (unsigned int) kvm);

    /* Made like /dev/kvm (root:kvm 0660), but with the numbers of
     * /dev/null (1:3), which any container lets us open. */
    g_assert_cmpint(mknod(node, S_IFCHR | 0660, makedev(1, 3)), ==, 0);
    g_assert_cmpint(chown(node, 0, kvm), ==, 0);
    g_assert_cmpint(chmod(node, 0660), ==, 0);
    g_assert_true(credsCanOpen(&qemu, node));
    /* The group is what lets it in: without it the same user cannot. */
    bare.uid = qemu.uid;
    bare.gid = qemu.gid;
    bare.groups = g_array_new(FALSE, FALSE, sizeof(gid_t));
    g_array_append_val(bare.groups, qemu.gid);
    g_assert_false(credsCanOpen(&bare, node));

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_array_unref(qemu.groups);
    g_array_unref(bare.groups);
    virDomainFree(dom);
    virConnectClose(conn);
}

int
main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--child") == 0)
        _exit(childMain(argv[2], argv[3], argv[4]));
    virTestInit(&argc, &argv);
    if (geteuid() != 0) {
        g_printerr("qemuprocesstest must run as root (it checks image owners)\n");
        return 1;
    }

#define ADD(name, fn, data) \
    g_test_add(name, Fixture, data, fixtureSetUp, fn, fixtureTearDown)
    ADD("/qemu/process/odd-names", testOddNames, NULL);
    ADD("/qemu/process/recycled-pid", testRecycledPid, NULL);
    ADD("/qemu/process/legacy-status", testLegacyStatus, NULL);
    ADD("/qemu/process/old-rules-name/leading-blank", testOldRulesName, " lead");
    ADD("/qemu/process/old-rules-name/tab", testOldRulesName, "a\tb");
    ADD("/qemu/process/old-rules-name/dot", testOldRulesName, ".");
    ADD("/qemu/process/killed-at-fork", testKilledWhileStarting,
        GINT_TO_POINTER(KILL_AT_FORK));
    ADD("/qemu/process/killed-at-pidfile", testKilledWhileStarting,
        GINT_TO_POINTER(KILL_AT_PIDFILE));
    ADD("/qemu/process/killed-at-exec", testKilledWhileStarting,
        GINT_TO_POINTER(KILL_AT_EXEC));
    ADD("/qemu/process/long-name", testLongName, NULL);
    ADD("/qemu/process/start-error-this-run", testStartErrorThisRun, NULL);
    ADD("/qemu/process/start-error-alive", testStartErrorAlive, NULL);
    ADD("/qemu/process/kvm-group", testKvmGroup, NULL);
    return g_test_run();
}
