/*
 * qemuembedtest.c: opening qemu:///embed?root=DIR: the URI's parameter,
 * and the root refused when anyone but root or the caller could change
 * it, a directory above it, its qemu.conf or its domain files. Runs as
 * root (it hands files to another uid).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define OTHER_UID 65534     /* nobody: "another user" */
#define OTHER_GID 65534

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static int
compareLines(gconstpointer a, gconstpointer b)
{
    /* g_ptr_array_sort hands pointers to the elements. */
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every path under @dir with its owner and mode, sorted: what a refused
 * open must leave exactly as it was. */
static char *
treeSnapshot(const char *dir)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func(g_free);
    GString *out = g_string_new(NULL);

    g_ptr_array_add(todo, g_strdup(dir));
    while (todo->len > 0) {
        g_autofree char *cur = g_ptr_array_steal_index(todo, todo->len - 1);
        g_autoptr(GDir) d = NULL;
        const char *ent;
        struct stat sb;

        g_assert_cmpint(lstat(cur, &sb), ==, 0);
        g_ptr_array_add(lines, g_strdup_printf("%s %u:%u %o", cur + strlen(dir),
                                               (unsigned int) sb.st_uid,
                                               (unsigned int) sb.st_gid,
                                               (unsigned int) sb.st_mode));
        if (!S_ISDIR(sb.st_mode))
            continue;
        d = g_dir_open(cur, 0, NULL);
        g_assert_nonnull(d);
        while ((ent = g_dir_read_name(d)))
            g_ptr_array_add(todo, g_build_filename(cur, ent, NULL));
    }
    g_ptr_array_sort(lines, compareLines);
    for (guint i = 0; i < lines->len; i++)
        g_string_append_printf(out, "%s\n", (char *) g_ptr_array_index(lines, i));
    return g_string_free(out, FALSE);
}

/*
 * Open @uri, which must fail with @code and a message holding every
 * needle (beginning with it, for a needle that starts with '^'), and
 * leave @watch (a directory, or NULL) as it was.
 */
static void
assertOpenRefused(const char *uri, const char *watch, int code,
                  const char *const *needles)
{
    g_autofree char *before = watch ? treeSnapshot(watch) : NULL;
    virConnectPtr conn = virConnectOpen(uri);

    if (conn) {
        virConnectClose(conn);
        g_error("'%s' was opened, it must be refused", uri);
    }
    g_test_message("refused '%s': %s", uri, virGetLastErrorMessage());
    virTestAssertError(code);
    for (size_t i = 0; needles && needles[i]; i++) {
        const char *msg = virGetLastErrorMessage();
        bool found = needles[i][0] == '^' ?
            g_str_has_prefix(msg, needles[i] + 1) : !!strstr(msg, needles[i]);

        if (!found)
            g_error("error '%s' lacks '%s'", msg, needles[i]);
    }
    if (watch) {
        g_autofree char *after = treeSnapshot(watch);

        g_assert_cmpstr(after, ==, before);
    }
    virResetLastError();
}

static void
assertOpens(const char *uri)
{
    g_assert_cmpint(virConnectClose(virTestOpen(uri)), ==, 0);
}

static void
writeFile(const char *path, const char *content, mode_t mode)
{
    g_assert_true(g_file_set_contents(path, content, -1, NULL));
    g_assert_cmpint(chmod(path, mode), ==, 0);
}

/* A root that was opened once (its directories exist) in a new 0755
 * temporary directory @dir. */
static char *
makeRoot(char **dir)
{
    char *root;
    g_autofree char *uri = NULL;

    *dir = virTestMakeDir("vbpembed-XXXXXX");
    root = g_build_filename(*dir, "root", NULL);
    uri = virTestEmbedURI(root);
    assertOpens(uri);
    return root;
}

/* ------------------------------------------------------------------ */
/* The URI                                                              */

static void
testURIDuplicateRoot(void)
{
    g_autofree char *dir = virTestMakeDir("vbpembed-XXXXXX");
    g_autofree char *uri = g_strdup_printf("qemu:///embed?root=%s/a&root=%s/b",
                                           dir, dir);
    const char *needles[] = { "'root' parameter more than once", NULL };

    /* Neither root is created: which one did the user mean? */
    assertOpenRefused(uri, dir, VIR_ERR_INVALID_ARG, needles);
    virTestCleanupDir(dir);
}

static void
testURINul(void)
{
    g_autofree char *dir = virTestMakeDir("vbpembed-XXXXXX");
    g_autofree char *nul = g_strdup_printf("qemu:///embed?root=%s/r%%00x", dir);
    const char *needles[] = { "contains a NUL byte (%00)", "'root=", NULL };

    assertOpenRefused("qemu:///embed?root=%00", NULL, VIR_ERR_INVALID_ARG, needles);
    /* Never truncated at the NUL: DIR/r is not created. */
    assertOpenRefused(nul, dir, VIR_ERR_INVALID_ARG, needles);
    virTestCleanupDir(dir);
}

static void
testURIOtherParams(void)
{
    const char *noroot[] = { "needs a root directory", NULL };
    const char *other[] = { "takes only the 'root' parameter, not 'foo=1'", NULL };
    const char *utf8[] = { "is not valid UTF-8", NULL };

    assertOpenRefused("qemu:///embed?root", NULL, VIR_ERR_INVALID_ARG, noroot);
    assertOpenRefused("qemu:///embed?root=", NULL, VIR_ERR_INVALID_ARG, noroot);
    assertOpenRefused("qemu:///embed?root=/tmp/x&foo=1", NULL, VIR_ERR_INVALID_ARG,
                      other);
    assertOpenRefused("qemu:///embed?root=/tmp/x%E9", NULL, VIR_ERR_INVALID_ARG, utf8);
}

/* Escaped characters in the root are unescaped once, and the URI the
 * connection reports opens the same root again. */
static void
testURIEscaped(void)
{
    g_autofree char *dir = virTestMakeDir("vbpembed-XXXXXX");
    g_autofree char *uri = g_strdup_printf("qemu:///embed?root=%s/a%%20b%%26c%%3Dd", dir);
    g_autofree char *want = g_strdup_printf("qemu:///embed?root=%s/a%%20b%%26c%%3Dd", dir);
    g_autofree char *root = g_build_filename(dir, "a b&c=d", NULL);
    virConnectPtr conn = virConnectOpen(uri);
    char *got;

    g_assert_nonnull(conn);
    g_assert_true(g_file_test(root, G_FILE_TEST_IS_DIR));
    got = virConnectGetURI(conn);
    g_assert_cmpstr(got, ==, want);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    assertOpens(got);
    free(got);
    virTestCleanupDir(dir);
}

/* ------------------------------------------------------------------ */
/* The root and the directories above it                               */

static void
testRootOwner(void)
{
    g_autofree char *dir = virTestMakeDir("vbpembed-XXXXXX");
    g_autofree char *root = g_build_filename(dir, "root", NULL);
    g_autofree char *uri = virTestEmbedURI(root);
    g_autofree char *who = g_strdup_printf("^embed root '%s' is owned by uid %d, "
                                           "neither root nor the caller (uid 0)",
                                           root, OTHER_UID);
    g_autofree char *fix = g_strdup_printf("fix it with chown 0 '%s'", root);
    const char *needles[] = { who, fix, NULL };

    g_assert_cmpint(mkdir(root, 0700), ==, 0);
    g_assert_cmpint(chown(root, OTHER_UID, OTHER_GID), ==, 0);
    assertOpenRefused(uri, dir, VIR_ERR_OPERATION_DENIED, needles);
    virTestCleanupDir(dir);
}

static void
testRootMode(void)
{
    static const struct {
        mode_t mode;
        const char *who;
    } modes[] = {
        { 0775, "its group (mode 0775)" },
        { 0757, "others (mode 0757)" },
        { 0777, "its group and others (mode 0777)" },
        { 0730, "its group (mode 0730)" },
        /* The sticky bit does not make the root itself safe: others
         * could create etc/qemu.conf in it. */
        { 01777, "its group and others (mode 1777)" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        g_autofree char *dir = virTestMakeDir("vbpembed-XXXXXX");
        g_autofree char *root = g_build_filename(dir, "root", NULL);
        g_autofree char *uri = virTestEmbedURI(root);
        g_autofree char *who = g_strdup_printf("^embed root '%s' is writable by %s",
                                               root, modes[i].who);
        g_autofree char *fix = g_strdup_printf("fix it with chmod go-w '%s'", root);
        const char *needles[] = { who, fix, NULL };

        g_assert_cmpint(mkdir(root, 0700), ==, 0);
        g_assert_cmpint(chmod(root, modes[i].mode), ==, 0);
        assertOpenRefused(uri, dir, VIR_ERR_OPERATION_DENIED, needles);
        virTestCleanupDir(dir);
    }
}

/* A directory above the root that others can write (without the sticky
 * bit) or that another user owns lets them swap the root: refused, for
 * an existing root and for one still to be created (which then is not). */
static void
testAncestors(void)
{
    g_autofree char *dir = virTestMakeDir("vbpembed-XXXXXX");
    g_autofree char *shared = g_build_filename(dir, "shared", NULL);
    g_autofree char *existing = g_build_filename(shared, "existing", NULL);
    g_autofree char *missing = g_build_filename(shared, "a", "b", "root", NULL);
    g_autofree char *uriExisting = virTestEmbedURI(existing);
    g_autofree char *uriMissing = virTestEmbedURI(missing);
    g_autofree char *who = g_strdup_printf("directory '%s' on the way to embed root",
                                           shared);
    g_autofree char *fix = g_strdup_printf("chmod go-w '%s', or chmod +t '%s'",
                                           shared, shared);
    g_autofree char *owner = g_strdup_printf("is owned by uid %d, neither root nor "
                                             "the caller (uid 0)", OTHER_UID);
    const char *writable[] = { who, "is writable by others (mode 0757)", fix, NULL };
    const char *owned[] = { who, owner, NULL };

    g_assert_cmpint(mkdir(shared, 0757), ==, 0);
    g_assert_cmpint(chmod(shared, 0757), ==, 0);
    g_assert_cmpint(mkdir(existing, 0700), ==, 0);
    assertOpenRefused(uriExisting, shared, VIR_ERR_OPERATION_DENIED, writable);
    assertOpenRefused(uriMissing, shared, VIR_ERR_OPERATION_DENIED, writable);

    g_assert_cmpint(chmod(shared, 0755), ==, 0);
    g_assert_cmpint(chown(shared, OTHER_UID, OTHER_GID), ==, 0);
    assertOpenRefused(uriExisting, shared, VIR_ERR_OPERATION_DENIED, owned);
    assertOpenRefused(uriMissing, shared, VIR_ERR_OPERATION_DENIED, owned);

    /* Like /tmp: root's, world-writable and sticky. Others cannot rename
     * or remove what is ours in it: fine, and a missing root is made. */
    g_assert_cmpint(chown(shared, 0, 0), ==, 0);
    g_assert_cmpint(chmod(shared, 01777), ==, 0);
    assertOpens(uriExisting);
    assertOpens(uriMissing);
    g_assert_true(g_file_test(missing, G_FILE_TEST_IS_DIR));
    virTestCleanupDir(dir);
}

/* Symbolic links on the way are followed, and everything passed is
 * checked: where a link leads, the directory it sits in, and who owns the
 * link itself (in a sticky directory like /tmp its owner may replace it:
 * a link another user made in /tmp to some root-owned directory is
 * refused). The URI names the real root. */
static void
testRootSymlink(void)
{
    g_autofree char *dir = virTestMakeDir("vbpembed-XXXXXX");
    g_autofree char *theirs = g_build_filename(dir, "theirs", NULL);
    g_autofree char *real = g_build_filename(theirs, "root", NULL);
    g_autofree char *good = g_build_filename(dir, "good", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);
    g_autofree char *sticky = g_build_filename(dir, "sticky", NULL);
    g_autofree char *planted = g_build_filename(sticky, "vms", NULL);
    g_autofree char *uri = virTestEmbedURI(link);
    g_autofree char *uriPlanted = virTestEmbedURI(planted);
    g_autofree char *who = g_strdup_printf("directory '%s' on the way to embed root '%s' "
                                           "is owned by uid 65534", theirs, link);
    g_autofree char *whoLink = g_strdup_printf("symbolic link '%s' on the way to embed "
                                               "root '%s' is owned by uid 65534", planted,
                                               planted);
    g_autofree char *fixLink = g_strdup_printf("make it yours with chown -h 0 '%s'", planted);
    const char *needles[] = { who, NULL };
    const char *needlesLink[] = { whoLink, fixLink, NULL };

    /* To a directory inside another user's. */
    g_assert_cmpint(mkdir(theirs, 0755), ==, 0);
    g_assert_cmpint(mkdir(real, 0700), ==, 0);
    g_assert_cmpint(chown(theirs, OTHER_UID, OTHER_GID), ==, 0);
    g_assert_cmpint(symlink(real, link), ==, 0);
    assertOpenRefused(uri, dir, VIR_ERR_OPERATION_DENIED, needles);

    /* Through another user's directory (relative link in it), to a good one. */
    g_assert_cmpint(mkdir(good, 0700), ==, 0);
    {
        g_autofree char *via = g_build_filename(theirs, "hop", NULL);
        g_autofree char *uriVia = virTestEmbedURI(via);
        g_autofree char *whoVia = g_strdup_printf("directory '%s' on the way to "
                                                  "embed root '%s'", theirs, via);
        const char *needlesVia[] = { whoVia, NULL };

        g_assert_cmpint(symlink("../good", via), ==, 0);
        assertOpenRefused(uriVia, dir, VIR_ERR_OPERATION_DENIED, needlesVia);
    }

    /* Planted by another user in a sticky directory, to a good root. */
    g_assert_cmpint(mkdir(sticky, 01777), ==, 0);
    g_assert_cmpint(chmod(sticky, 01777), ==, 0);
    g_assert_cmpint(symlink(good, planted), ==, 0);
    g_assert_cmpint(lchown(planted, OTHER_UID, OTHER_GID), ==, 0);
    assertOpenRefused(uriPlanted, dir, VIR_ERR_OPERATION_DENIED, needlesLink);

    /* Ours (root's), to a good directory, and with '..' on the way: fine,
     * and the URI names the real root. */
    g_assert_cmpint(lchown(planted, 0, 0), ==, 0);
    g_assert_cmpint(unlink(link), ==, 0);
    g_assert_cmpint(symlink(good, link), ==, 0);
    {
        g_autofree char *want = virTestEmbedURI(good);
        g_autofree char *dotdot = g_strdup_printf("qemu:///embed?root=%s/../link",
                                                  sticky);
        const char *uris[] = { uri, uriPlanted, dotdot };

        for (size_t i = 0; i < G_N_ELEMENTS(uris); i++) {
            virConnectPtr conn = virConnectOpen(uris[i]);
            char *got;

            if (!conn)
                g_error("'%s': %s", uris[i], virGetLastErrorMessage());
            got = virConnectGetURI(conn);
            g_assert_cmpstr(got, ==, want);
            free(got);
            virConnectClose(conn);
        }
    }
    virTestCleanupDir(dir);
}

/* ------------------------------------------------------------------ */
/* Inside the root                                                      */

/* The directories the driver keeps its state in. */
static void
testSubdirs(void)
{
    static const char *const subs[] = {
        "etc", "etc/qemu", "run", "run/qemu", "log", "log/qemu", "lib", "lib/qemu",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
        g_autofree char *dir = NULL;
        g_autofree char *root = makeRoot(&dir);
        g_autofree char *uri = virTestEmbedURI(root);
        g_autofree char *sub = g_build_filename(root, subs[i], NULL);
        g_autofree char *other = g_build_filename(dir, "elsewhere", NULL);
        g_autofree char *owned = g_strdup_printf("directory '%s' is owned by uid %d",
                                                 sub, OTHER_UID);
        g_autofree char *writable = g_strdup_printf("directory '%s' is writable by "
                                                    "others (mode 0703)", sub);
        g_autofree char *link = g_strdup_printf("directory '%s' is a symbolic link", sub);
        const char *n1[] = { owned, NULL };
        const char *n2[] = { writable, NULL };
        const char *n3[] = { link, NULL };
        g_autofree char *moved = g_strdup_printf("%s.real", sub);

        g_assert_cmpint(chown(sub, OTHER_UID, OTHER_GID), ==, 0);
        assertOpenRefused(uri, root, VIR_ERR_OPERATION_DENIED, n1);
        g_assert_cmpint(chown(sub, 0, 0), ==, 0);

        g_assert_cmpint(chmod(sub, 0703), ==, 0);
        assertOpenRefused(uri, root, VIR_ERR_OPERATION_DENIED, n2);
        g_assert_cmpint(chmod(sub, 0700), ==, 0);

        /* A link to a directory that is fine in itself: still refused,
         * the driver's own directories are real ones. */
        g_assert_cmpint(mkdir(other, 0700), ==, 0);
        g_assert_cmpint(rename(sub, moved), ==, 0);
        g_assert_cmpint(symlink(other, sub), ==, 0);
        assertOpenRefused(uri, root, VIR_ERR_OPERATION_DENIED, n3);
        g_assert_cmpint(unlink(sub), ==, 0);
        g_assert_cmpint(rename(moved, sub), ==, 0);

        assertOpens(uri);
        virTestCleanupDir(dir);
    }
}

/*
 * The attack: another user who can write the root's etc/ (here: etc is
 * theirs) puts a qemu.conf there that runs their program as root. Open
 * must be refused; had it been accepted, starting any domain would run
 * the program, which leaves a mark.
 */
static void
testConfAttack(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *root = makeRoot(&dir);
    g_autofree char *uri = virTestEmbedURI(root);
    g_autofree char *etc = g_build_filename(root, "etc", NULL);
    g_autofree char *conf = g_build_filename(etc, "qemu.conf", NULL);
    g_autofree char *evil = g_build_filename(dir, "evil.sh", NULL);
    g_autofree char *mark = g_build_filename(dir, "mark", NULL);
    g_autofree char *script = g_strdup_printf("#!/bin/sh\nid -u > '%s'\n"
                                              "exec qemu-system-x86_64 \"$@\"\n", mark);
    g_autofree char *settings = g_strdup_printf("user = \"+0\"\ngroup = \"+0\"\n"
                                                "emulator = \"%s\"\n", evil);
    g_autofree char *owned = g_strdup_printf("configuration file '%s' is owned by uid %d",
                                             conf, OTHER_UID);
    const char *needles[] = { owned, "fix it with chown 0 '", NULL };
    g_autofree char *before = treeSnapshot(root);
    virConnectPtr conn;

    writeFile(evil, script, 0755);
    writeFile(conf, settings, 0644);
    g_assert_cmpint(chown(conf, OTHER_UID, OTHER_GID), ==, 0);

    if ((conn = virConnectOpen(uri))) {
        /* What the attacker gets from a driver that trusts the file. */
        g_autofree char *xml = virTestDomainXML("victim", NULL);
        virDomainPtr dom = virDomainCreateXML(conn, xml, 0);

        if (dom) {
            virDomainDestroy(dom);
            virDomainFree(dom);
        }
        virConnectClose(conn);
        if (g_file_test(mark, G_FILE_TEST_EXISTS)) {
            g_autofree char *uid = NULL;

            g_file_get_contents(mark, &uid, NULL, NULL);
            g_error("the other user's qemu.conf was used: their program ran as uid %s",
                    g_strstrip(uid));
        }
        g_error("'%s' was opened with another user's qemu.conf", uri);
    }
    g_test_message("refused: %s", virGetLastErrorMessage());
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    for (size_t i = 0; needles[i]; i++)
        g_assert_nonnull(strstr(virGetLastErrorMessage(), needles[i]));
    virResetLastError();
    g_assert_false(g_file_test(mark, G_FILE_TEST_EXISTS));

    /* The same file in mode 0664 or 0646 (owned by root) is refused too. */
    g_assert_cmpint(chown(conf, 0, 0), ==, 0);
    {
        const char *group[] = { "is writable by its group (mode 0664)", NULL };
        const char *others[] = { "is writable by others (mode 0646)", NULL };

        g_assert_cmpint(chmod(conf, 0664), ==, 0);
        assertOpenRefused(uri, root, VIR_ERR_OPERATION_DENIED, group);
        g_assert_cmpint(chmod(conf, 0646), ==, 0);
        assertOpenRefused(uri, root, VIR_ERR_OPERATION_DENIED, others);
    }
    /* Nothing else was made in the root by any of the refused opens. */
    g_assert_cmpint(unlink(conf), ==, 0);
    {
        g_autofree char *after = treeSnapshot(root);

        g_assert_cmpstr(after, ==, before);
    }
    virTestCleanupDir(dir);
}

/* A definition or status file someone else could have written. */
static void
testDomainFiles(void)
{
    static const char *const subs[] = { "etc/qemu", "run/qemu" };

    for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
        g_autofree char *dir = NULL;
        g_autofree char *root = makeRoot(&dir);
        g_autofree char *uri = virTestEmbedURI(root);
        g_autofree char *file = g_strdup_printf("%s/%s/vm.xml", root, subs[i]);
        g_autofree char *xml = virTestDomainXML("vm", NULL);
        g_autofree char *owned = g_strdup_printf("domain file '%s' is owned by uid %d",
                                                 file, OTHER_UID);
        g_autofree char *writable = g_strdup_printf("domain file '%s' is writable by "
                                                    "others (mode 0602)", file);
        const char *n1[] = { owned, NULL };
        const char *n2[] = { writable, NULL };

        writeFile(file, xml, 0600);
        g_assert_cmpint(chown(file, OTHER_UID, OTHER_GID), ==, 0);
        assertOpenRefused(uri, root, VIR_ERR_OPERATION_DENIED, n1);
        g_assert_cmpint(chown(file, 0, 0), ==, 0);
        g_assert_cmpint(chmod(file, 0602), ==, 0);
        assertOpenRefused(uri, root, VIR_ERR_OPERATION_DENIED, n2);
        virTestCleanupDir(dir);
    }
}

/* ------------------------------------------------------------------ */
/* Another caller than root                                             */

/* "--child-as-nobody URI": open @uri as OTHER_UID, print the error. */
static int
childAsNobody(const char *uri)
{
    virConnectPtr conn;

    if (setgroups(0, NULL) < 0 ||
        setresgid(OTHER_GID, OTHER_GID, OTHER_GID) < 0 ||
        setresuid(OTHER_UID, OTHER_UID, OTHER_UID) < 0)
        return 2;
    if (!(conn = virConnectOpen(uri))) {
        g_print("%s\n", virGetLastErrorMessage());
        return 1;
    }
    virConnectClose(conn);
    return 0;
}

static int
runAsNobody(const char *uri, char **out)
{
    g_autofree char *self = virTestSelfPath();
    const char *argv[] = { self, "--child-as-nobody", uri, NULL };
    g_autoptr(GError) err = NULL;
    int status;

    g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                 out, NULL, &status, &err);
    g_assert_no_error(err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* An unprivileged caller may use a root it owns (or root owns), and not
 * one of another user's: the caller's uid is what counts. */
static void
testOtherCaller(void)
{
    g_autofree char *dir = virTestMakeDir("vbpembed-XXXXXX");
    g_autofree char *home = g_build_filename(dir, "home", NULL);
    g_autofree char *mine = g_build_filename(home, "root", NULL);
    g_autofree char *theirs = g_build_filename(dir, "theirs", NULL);
    g_autofree char *uriMine = virTestEmbedURI(mine);
    g_autofree char *uriTheirs = virTestEmbedURI(theirs);
    g_autofree char *msg = NULL;

    g_assert_cmpint(mkdir(home, 0755), ==, 0);
    g_assert_cmpint(chown(home, OTHER_UID, OTHER_GID), ==, 0);
    g_assert_cmpint(runAsNobody(uriMine, &msg), ==, 0);
    virTestAssertOwner(mine, OTHER_UID, OTHER_GID);
    g_clear_pointer(&msg, g_free);

    g_assert_cmpint(mkdir(theirs, 0700), ==, 0);
    g_assert_cmpint(chown(theirs, 1, 1), ==, 0);
    g_assert_cmpint(runAsNobody(uriTheirs, &msg), ==, 1);
    g_test_message("%s", msg);
    g_assert_nonnull(strstr(msg, "is owned by uid 1, neither root nor the caller "
                                 "(uid 65534)"));
    g_assert_nonnull(strstr(msg, "fix it with chown 65534 '"));
    virTestCleanupDir(dir);
}

int
main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child-as-nobody") == 0)
        _exit(childAsNobody(argv[2]));
    virTestInit(&argc, &argv);
    if (geteuid() != 0) {
        g_printerr("qemuembedtest must run as root (it hands files to another user)\n");
        return 1;
    }

    g_test_add_func("/qemu/embed/uri/duplicate-root", testURIDuplicateRoot);
    g_test_add_func("/qemu/embed/uri/nul", testURINul);
    g_test_add_func("/qemu/embed/uri/other-params", testURIOtherParams);
    g_test_add_func("/qemu/embed/uri/escaped", testURIEscaped);
    g_test_add_func("/qemu/embed/root/owner", testRootOwner);
    g_test_add_func("/qemu/embed/root/mode", testRootMode);
    g_test_add_func("/qemu/embed/root/ancestors", testAncestors);
    g_test_add_func("/qemu/embed/root/symlink", testRootSymlink);
    g_test_add_func("/qemu/embed/root/subdirs", testSubdirs);
    g_test_add_func("/qemu/embed/root/conf-attack", testConfAttack);
    g_test_add_func("/qemu/embed/root/domain-files", testDomainFiles);
    g_test_add_func("/qemu/embed/root/other-caller", testOtherCaller);
    return g_test_run();
}
