/* qemuxml2argvtest.c: QEMU argv of domain definitions: golden files and a real QEMU. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutils.h"
#include "qemu/qemu_command.h"
#include "util/virerror.h"
#include "util/virjson.h"

#ifndef QEMU_SYSTEM_PATH
# define QEMU_SYSTEM_PATH "/usr/bin/qemu-system-x86_64"
#endif
#ifndef QEMU_IMG_PATH
# define QEMU_IMG_PATH "/usr/bin/qemu-img"
#endif

/* The fd number QEMU finds its monitor socket at, in golden files and runs. */
#define TEST_MONITOR_FD 3
/* Paths golden files use: fixed, so the files do not depend on the host. */
#define TEST_GOLDEN_DIR "/var/lib/libvirt/images"
#define TEST_GOLDEN_EMULATOR "/usr/bin/qemu-system-x86_64"
#define TEST_QMP_TIMEOUT_SEC 30

/* ------------------------------------------------------------------ */
/* QEMU processes the test started: killed on exit and on abort.       */

#define TEST_MAX_PIDS 16
static volatile pid_t testPids[TEST_MAX_PIDS];
static char *testTmpDir;        /* this run's temp dir, removed at exit */
static char *testPidsFile;      /* testTmpDir/pids, one pid a line */

static void
testKillAll(void)
{
    size_t i;

    for (i = 0; i < TEST_MAX_PIDS; i++) {
        if (testPids[i] > 0) {
            kill(testPids[i], SIGKILL);
            waitpid(testPids[i], NULL, 0);
            testPids[i] = 0;
        }
    }
}

static void testRemoveTree(const char *path);

/*
 * g_assert failures abort(): kill QEMU, then clean up. The abort comes
 * synchronously from the failing assertion, not from an arbitrary point,
 * so removing the temp dir here is safe in practice.
 */
static void
testAbortHandler(int sig)
{
    size_t i;

    for (i = 0; i < TEST_MAX_PIDS; i++) {
        if (testPids[i] > 0) {
            kill(testPids[i], SIGKILL);
            waitpid(testPids[i], NULL, 0);
            testPids[i] = 0;
        }
    }
    if (testTmpDir)
        testRemoveTree(testTmpDir);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
testRemoveTree(const char *path)
{
    GDir *dir;

    if ((dir = g_dir_open(path, 0, NULL))) {
        const char *name;

        while ((name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
                !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                testRemoveTree(child);
            else
                unlink(child);
        }
        g_dir_close(dir);
    }
    rmdir(path);
}

static void
testAtExit(void)
{
    testKillAll();
    if (testTmpDir)
        testRemoveTree(testTmpDir);
}

static void
testRecordPid(pid_t pid)
{
    g_autofree char *line = g_strdup_printf("%d\n", (int) pid);
    FILE *fp;
    size_t i;

    for (i = 0; i < TEST_MAX_PIDS && testPids[i] > 0; i++)
        ;
    g_assert_cmpuint(i, <, TEST_MAX_PIDS);
    testPids[i] = pid;

    fp = fopen(testPidsFile, "ae");
    g_assert_nonnull(fp);
    fputs(line, fp);
    fclose(fp);
}

static void
testKillPid(pid_t pid)
{
    size_t i;

    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    for (i = 0; i < TEST_MAX_PIDS; i++) {
        if (testPids[i] == pid)
            testPids[i] = 0;
    }
}

/* ------------------------------------------------------------------ */
/* Building definitions                                                */

static virDomainDef *
testDefNew(const char *name)
{
    virDomainDef *def = virDomainDefNew();

    def->virtType = VIR_DOMAIN_VIRT_QEMU;
    def->name = g_strdup(name);
    g_assert_cmpint(virUUIDParse("8f2e1d3c-5b4a-4c69-9e7d-0a1b2c3d4e5f",
                                 def->uuid), ==, 0);
    def->maxMemKiB = 131072;
    def->curMemKiB = 131072;
    def->vcpus = 1;
    def->osType = g_strdup("hvm");
    def->arch = g_strdup("x86_64");
    return def;
}

/*
 * Add a disk whose chain is given top first as (file name, format) pairs
 * ending with NULL; the chain is closed with an empty source, as the
 * parser does for <backingStore/>. (@readonly is an int: va_start must
 * not follow a promoted type.)
 */
static virDomainDiskDef *
testAddDisk(virDomainDef *def, const char *dir, const char *dst,
            virDomainDiskBus bus, int readonly, ...)
{
    virDomainDiskDef *disk = g_new0(virDomainDiskDef, 1);
    virStorageSource **next = &disk->src;
    const char *file;
    va_list ap;

    disk->dst = g_strdup(dst);
    disk->bus = bus;
    disk->readonly = readonly;
    disk->driverName = g_strdup("qemu");

    va_start(ap, readonly);
    while ((file = va_arg(ap, const char *))) {
        virStorageSource *src = virStorageSourceNew();

        src->type = VIR_STORAGE_TYPE_FILE;
        src->path = g_build_filename(dir, file, NULL);
        src->format = va_arg(ap, int);
        *next = src;
        next = &src->backingStore;
    }
    va_end(ap);
    *next = virStorageSourceNew();
    (*next)->type = VIR_STORAGE_TYPE_NONE;

    def->disks = g_renew(virDomainDiskDef *, def->disks, def->ndisks + 1);
    def->disks[def->ndisks++] = disk;
    return disk;
}

static void
testAddChr(virDomainChrDef ***list, size_t *n, virDomainChrType type,
           const char *dir, const char *file, int port)
{
    virDomainChrDef *chr = g_new0(virDomainChrDef, 1);

    chr->type = type;
    chr->port = port;
    if (file)
        chr->path = g_build_filename(dir, file, NULL);
    *list = g_renew(virDomainChrDef *, *list, *n + 1);
    (*list)[(*n)++] = chr;
}

#define QCOW2 VIR_STORAGE_FILE_QCOW2
#define RAW VIR_STORAGE_FILE_RAW

static void
testBuildMinimal(virDomainDef *def, const char *dir)
{
}

static void
testBuildVirtioChain(virDomainDef *def, const char *dir)
{
    def->vcpus = 2;
    def->maxMemKiB = 262144;
    testAddDisk(def, dir, "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "top.qcow2", QCOW2, "mid.qcow2", QCOW2, "base.img", RAW, NULL);
    testAddDisk(def, dir, "vdb", VIR_DOMAIN_DISK_BUS_VIRTIO, true,
                "data.img", RAW, NULL);
}

static void
testBuildQcow2TwoLevels(virDomainDef *def, const char *dir)
{
    testAddDisk(def, dir, "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "top.qcow2", QCOW2, "base.qcow2", QCOW2, NULL);
}

static void
testBuildBuses(virDomainDef *def, const char *dir)
{
    testAddDisk(def, dir, "vdb", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "virtio-top.qcow2", QCOW2, "virtio-base.qcow2", QCOW2, NULL);
    testAddDisk(def, dir, "hda", VIR_DOMAIN_DISK_BUS_IDE, false,
                "ide.qcow2", QCOW2, NULL);
    testAddDisk(def, dir, "hdc", VIR_DOMAIN_DISK_BUS_IDE, false,
                "ide.img", RAW, NULL);
    testAddDisk(def, dir, "sda", VIR_DOMAIN_DISK_BUS_SATA, false,
                "sata-top.qcow2", QCOW2, "sata-base.img", RAW, NULL);
    testAddDisk(def, dir, "sdb", VIR_DOMAIN_DISK_BUS_SCSI, false,
                "scsi-top.qcow2", QCOW2, "scsi-base.qcow2", QCOW2, NULL);
    testAddDisk(def, dir, "sdc", VIR_DOMAIN_DISK_BUS_SCSI, true,
                "scsi-ro.img", RAW, NULL);
}

static void
testBuildQ35Sata(virDomainDef *def, const char *dir)
{
    def->machine = g_strdup("q35");
    testAddDisk(def, dir, "sda", VIR_DOMAIN_DISK_BUS_SATA, false,
                "top.qcow2", QCOW2, "base.qcow2", QCOW2, NULL);
    testAddDisk(def, dir, "sdc", VIR_DOMAIN_DISK_BUS_SATA, false,
                "other.img", RAW, NULL);
}

static void
testBuildSerialConsole(virDomainDef *def, const char *dir)
{
    testAddDisk(def, dir, "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "disk.qcow2", QCOW2, NULL);
    testAddChr(&def->serials, &def->nserials, VIR_DOMAIN_CHR_TYPE_FILE,
               dir, "serial0.log", 0);
    /* Mirrors serial0: no device of its own. */
    testAddChr(&def->consoles, &def->nconsoles, VIR_DOMAIN_CHR_TYPE_FILE,
               dir, "serial0.log", 0);
}

static void
testBuildConsoleOnly(virDomainDef *def, const char *dir)
{
    testAddChr(&def->consoles, &def->nconsoles, VIR_DOMAIN_CHR_TYPE_FILE,
               dir, "console.log", -1);
}

static void
testBuildSerials(virDomainDef *def, const char *dir)
{
    testAddChr(&def->serials, &def->nserials, VIR_DOMAIN_CHR_TYPE_NULL,
               dir, NULL, -1);
    testAddChr(&def->serials, &def->nserials, VIR_DOMAIN_CHR_TYPE_FILE,
               dir, "com3.log", 2);
}

static void
testBuildCommas(virDomainDef *def, const char *dir)
{
    g_free(def->name);
    def->name = g_strdup("guest,with,commas");
    def->machine = g_strdup("pc-i440fx-7.2");
    testAddDisk(def, dir, "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "my,top.qcow2", QCOW2, "my base.img", RAW, NULL);
    testAddChr(&def->serials, &def->nserials, VIR_DOMAIN_CHR_TYPE_FILE,
               dir, "serial,0.log", 0);
}

static void
testBuildKVM(virDomainDef *def, const char *dir)
{
    def->virtType = VIR_DOMAIN_VIRT_KVM;
    testAddDisk(def, dir, "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "top.qcow2", QCOW2, "base.qcow2", QCOW2, NULL);
}

typedef struct {
    const char *name;
    void (*build)(virDomainDef *def, const char *dir);
    bool pidfile;
} testCase;

static const testCase testCases[] = {
    { "minimal", testBuildMinimal, false },
    { "disk-virtio-chain", testBuildVirtioChain, true },
    { "disk-qcow2-2levels", testBuildQcow2TwoLevels, true },
    { "disk-buses", testBuildBuses, true },
    { "disk-q35-sata", testBuildQ35Sata, true },
    { "serial-console", testBuildSerialConsole, true },
    { "console-only", testBuildConsoleOnly, true },
    { "serials", testBuildSerials, true },
    { "commas", testBuildCommas, true },
    { "kvm", testBuildKVM, true },
};

static virDomainDef *
testCaseDef(const testCase *tc, const char *dir)
{
    virDomainDef *def = testDefNew("QEMUGuest1");

    tc->build(def, dir);
    qemuDomainAssignNodeNames(def);
    return def;
}

static bool
testCaseIsKVM(const testCase *tc)
{
    g_autoptr(virDomainDef) def = testCaseDef(tc, "/");

    return def->virtType == VIR_DOMAIN_VIRT_KVM;
}

/* ------------------------------------------------------------------ */
/* Golden files                                                        */

static const char *
testSrcDir(void)
{
    const char *dir = g_getenv("abs_top_srcdir");

    return dir && *dir ? dir : ABS_TOP_SRCDIR;
}

/* One option (with its value) per line, quoted so a shell can run it. */
static char *
testFormatArgv(char **argv)
{
    GString *buf = g_string_new(NULL);
    size_t i;

    for (i = 0; argv[i]; i++) {
        char *one[2] = { argv[i], NULL };
        g_autofree char *str = qemuCommandLineToString(one);

        if (i > 0)
            g_string_append(buf, argv[i][0] == '-' ? " \\\n" : " ");
        g_string_append(buf, str);
    }
    g_string_append_c(buf, '\n');
    return g_string_free(buf, FALSE);
}

static void
testCompareGolden(const char *file, const char *actual)
{
    g_autofree char *path = g_build_filename(testSrcDir(), "tests",
                                             "qemuxml2argvdata", file, NULL);
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (g_strcmp0(g_getenv("VIR_TEST_REGENERATE_OUTPUT"), "1") == 0) {
        g_assert_true(g_file_set_contents(path, actual, -1, &err));
        g_test_message("regenerated %s", path);
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, &err)) {
        g_test_message("cannot read '%s' (%s); run with VIR_TEST_REGENERATE_OUTPUT=1 to create it",
                       path, err->message);
        g_test_fail();
        return;
    }
    g_assert_cmpstr(actual, ==, expected);
}

static void
testGoldenCompareDef(const testCase *tc, const virDomainDef *def)
{
    g_autofree char *pidfile = g_strdup_printf("/run/libvirt/qemu/%s.pid",
                                               def->name);
    g_auto(GStrv) argv = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *file = g_strdup_printf("%s.args", tc->name);

    argv = qemuBuildCommandLine(def, TEST_GOLDEN_EMULATOR, TEST_MONITOR_FD,
                                tc->pidfile ? pidfile : NULL, true);
    if (!argv)
        g_error("building the command line failed: %s", virGetLastErrorMessage());
    g_assert_false(virErrorIsSet());

    actual = testFormatArgv(argv);
    testCompareGolden(file, actual);
}

/* The definition built in C. */
static void
testGolden(gconstpointer data)
{
    const testCase *tc = data;
    g_autoptr(virDomainDef) def = testCaseDef(tc, TEST_GOLDEN_DIR);

    testGoldenCompareDef(tc, def);
}

/* The same definition, parsed from tests/qemuxml2argvdata/NAME.xml: the
 * golden file must not change. */
static void
testGoldenXML(gconstpointer data)
{
    const testCase *tc = data;
    g_autofree char *file = g_strdup_printf("%s.xml", tc->name);
    g_autofree char *path = g_build_filename(testSrcDir(), "tests",
                                             "qemuxml2argvdata", file, NULL);
    g_autofree char *xml = NULL;
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_file_get_contents(path, &xml, NULL, &err))
        g_error("cannot read '%s': %s", path, err->message);
    if (!(def = virDomainDefParseString(xml, 0)))
        g_error("cannot parse '%s': %s", path, virGetLastErrorMessage());
    qemuDomainAssignNodeNames(def);

    /* Regenerating comes from the C definitions only. */
    if (g_strcmp0(g_getenv("VIR_TEST_REGENERATE_OUTPUT"), "1") == 0) {
        g_test_skip("golden files are being regenerated");
        return;
    }
    testGoldenCompareDef(tc, def);
}

/* ------------------------------------------------------------------ */
/* Node names, aliases and small helpers                               */

static void
testNodeNames(void)
{
    g_autoptr(virDomainDef) def = testDefNew("nodes");
    virStorageSource *src;

    testBuildBuses(def, "/images");
    qemuDomainAssignNodeNames(def);

    /* Counting from 1, the top first, disk after disk. */
    src = def->disks[0]->src;
    g_assert_cmpstr(src->nodeformat, ==, "libvirt-1-format");
    g_assert_cmpstr(src->nodestorage, ==, "libvirt-1-storage");
    g_assert_cmpstr(src->backingStore->nodeformat, ==, "libvirt-2-format");
    g_assert_cmpstr(src->backingStore->nodestorage, ==, "libvirt-2-storage");
    g_assert_null(src->backingStore->backingStore->nodeformat);
    g_assert_cmpstr(def->disks[1]->src->nodeformat, ==, "libvirt-3-format");
    g_assert_cmpstr(def->disks[2]->src->nodeformat, ==, "libvirt-4-format");
    g_assert_cmpstr(def->disks[3]->src->nodeformat, ==, "libvirt-5-format");
    g_assert_cmpstr(def->disks[3]->src->backingStore->nodeformat, ==,
                    "libvirt-6-format");
    g_assert_cmpstr(def->disks[5]->src->nodestorage, ==, "libvirt-9-storage");

    g_assert_cmpstr(def->disks[0]->alias, ==, "virtio-disk1");
    g_assert_cmpstr(def->disks[1]->alias, ==, "ide0-0-0");
    g_assert_cmpstr(def->disks[2]->alias, ==, "ide0-1-0");
    g_assert_cmpstr(def->disks[3]->alias, ==, "sata0-0-0");
    g_assert_cmpstr(def->disks[4]->alias, ==, "scsi0-0-0-1");
    g_assert_cmpstr(def->disks[5]->alias, ==, "scsi0-0-0-2");
}

static void
testNodeNamesContinue(void)
{
    g_autoptr(virDomainDef) def = testDefNew("hotplug");
    virDomainDiskDef *disk;

    /* As after a restart from the status file: names kept, count goes on. */
    disk = testAddDisk(def, "/images", "vda", VIR_DOMAIN_DISK_BUS_VIRTIO,
                       false, "a.qcow2", QCOW2, "b.qcow2", QCOW2, NULL);
    disk->src->nodeformat = g_strdup("libvirt-7-format");
    disk->src->nodestorage = g_strdup("libvirt-7-storage");
    disk->src->backingStore->nodeformat = g_strdup("libvirt-8-format");
    disk->src->backingStore->nodestorage = g_strdup("libvirt-8-storage");
    disk->alias = g_strdup("virtio-disk0");
    testAddDisk(def, "/images", "vdb", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "c.qcow2", QCOW2, NULL);
    testAddDisk(def, "/images", "bogus", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "d.img", RAW, NULL);

    qemuDomainAssignNodeNames(def);
    g_assert_cmpstr(def->disks[0]->src->nodeformat, ==, "libvirt-7-format");
    g_assert_cmpstr(def->disks[0]->src->backingStore->nodestorage, ==,
                    "libvirt-8-storage");
    g_assert_cmpstr(def->disks[1]->src->nodeformat, ==, "libvirt-9-format");
    g_assert_cmpstr(def->disks[1]->src->nodestorage, ==, "libvirt-9-storage");
    g_assert_cmpstr(def->disks[1]->alias, ==, "virtio-disk1");
    g_assert_cmpstr(def->disks[2]->src->nodeformat, ==, "libvirt-10-format");
    /* An unreadable target falls back to the disk's position. */
    g_assert_cmpstr(def->disks[2]->alias, ==, "virtio-disk2");

    /* Idempotent. */
    qemuDomainAssignNodeNames(def);
    g_assert_cmpstr(def->disks[2]->src->nodeformat, ==, "libvirt-10-format");
}

static void
testNodeNamesCounter(void)
{
    g_autoptr(virDomainDef) def = testDefNew("counter");
    unsigned long long counter = 0;

    testAddDisk(def, "/images", "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "a.qcow2", QCOW2, "b.qcow2", QCOW2, NULL);
    qemuDomainAssignNodeNamesCounter(def, &counter);
    g_assert_cmpuint(counter, ==, 2);

    /* The backing image was pulled and its nodes deleted: its N is not
     * handed out again, though no name in @def holds it any more. */
    g_clear_pointer(&def->disks[0]->src->backingStore, virStorageSourceFree);
    def->disks[0]->src->backingStore = virStorageSourceNew();
    def->disks[0]->src->backingStore->type = VIR_STORAGE_TYPE_NONE;
    testAddDisk(def, "/images", "vdb", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "c.qcow2", QCOW2, NULL);
    qemuDomainAssignNodeNamesCounter(def, &counter);
    g_assert_cmpstr(def->disks[1]->src->nodeformat, ==, "libvirt-3-format");
    g_assert_cmpuint(counter, ==, 3);

    /* A counter behind the names in @def catches up with them. */
    counter = 1;
    testAddDisk(def, "/images", "vdc", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "d.img", RAW, NULL);
    qemuDomainAssignNodeNamesCounter(def, &counter);
    g_assert_cmpstr(def->disks[2]->src->nodestorage, ==, "libvirt-4-storage");
    g_assert_cmpuint(counter, ==, 4);
}

static void
testNoSlashEscape(void)
{
    g_autoptr(virDomainDef) def = testDefNew("json");
    g_auto(GStrv) argv = NULL;
    size_t i;
    bool found = false;

    testBuildQcow2TwoLevels(def, "/some/dir");
    qemuDomainAssignNodeNames(def);
    argv = qemuBuildCommandLine(def, NULL, 3, NULL, false);
    g_assert_nonnull(argv);
    g_assert_cmpstr(argv[0], ==, QEMU_SYSTEM_PATH);
    for (i = 0; argv[i]; i++) {
        g_assert_null(strstr(argv[i], "\\/"));
        if (strstr(argv[i], "\"filename\":\"/some/dir/top.qcow2\""))
            found = true;
    }
    g_assert_true(found);
}

static void
testEmulatorFromDef(void)
{
    g_autoptr(virDomainDef) def = testDefNew("emulator");
    g_auto(GStrv) argv = NULL;

    def->emulator = g_strdup("/opt/qemu/bin/qemu-system-x86_64");
    argv = qemuBuildCommandLine(def, NULL, 3, NULL, false);
    g_assert_nonnull(argv);
    g_assert_cmpstr(argv[0], ==, "/opt/qemu/bin/qemu-system-x86_64");
    g_clear_pointer(&argv, g_strfreev);

    argv = qemuBuildCommandLine(def, "/usr/local/bin/qemu", 3, NULL, false);
    g_assert_nonnull(argv);
    g_assert_cmpstr(argv[0], ==, "/usr/local/bin/qemu");
}

static void
testToString(void)
{
    const char *argv[] = { "/usr/bin/qemu", "-name", "guest=a b",
                           "-blockdev", "{\"a\":1}", "-x", "", NULL };
    g_autofree char *str = qemuCommandLineToString((char *const *) argv);
    g_auto(GStrv) back = NULL;
    gint argc = 0;

    g_assert_cmpstr(str, ==,
                    "/usr/bin/qemu -name 'guest=a b' -blockdev '{\"a\":1}' -x ''");
    g_assert_true(g_shell_parse_argv(str, &argc, &back, NULL));
    g_assert_cmpint(argc, ==, 7);
    g_assert_cmpstr(back[4], ==, "{\"a\":1}");
}

static void
testHostHasKVM(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    /* Where /dev/kvm opens, it is a real KVM device. */
    g_assert_cmpint(qemuHostHasKVM(), ==, fd >= 0);
    if (fd >= 0)
        close(fd);
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

static void
testExpectError(const virDomainDef *def, bool kvmUsable, int code,
                const char *substring)
{
    g_auto(GStrv) argv = NULL;
    virErrorPtr err;

    virResetLastError();
    argv = qemuBuildCommandLine(def, NULL, 3, NULL, kvmUsable);
    g_assert_null(argv);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_test_message("expected error: %s", err->message);
    g_assert_cmpint(err->code, ==, code);
    g_assert_cmpint(err->domain, ==, VIR_FROM_QEMU);
    g_assert_nonnull(strstr(err->message, substring));
    virResetLastError();
}

static void
testErrorKVMUnusable(void)
{
    g_autoptr(virDomainDef) def = testDefNew("needs-kvm");

    testBuildKVM(def, "/images");
    qemuDomainAssignNodeNames(def);
    testExpectError(def, false, VIR_ERR_CONFIG_UNSUPPORTED, "KVM");
}

static void
testErrorNotPrepared(void)
{
    g_autoptr(virDomainDef) def = testDefNew("unprepared");

    /* qemuDomainAssignNodeNames was not called. */
    testBuildQcow2TwoLevels(def, "/images");
    testExpectError(def, false, VIR_ERR_INTERNAL_ERROR, "alias");
    def->disks[0]->alias = g_strdup("virtio-disk0");
    testExpectError(def, false, VIR_ERR_INTERNAL_ERROR, "node names");
}

static void
testErrorUnresolvedChain(void)
{
    g_autoptr(virDomainDef) def = testDefNew("unresolved");

    testAddDisk(def, "/images", "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "top.qcow2", QCOW2, NULL);
    /* Chain not read from the headers: never let QEMU guess it. */
    g_clear_pointer(&def->disks[0]->src->backingStore, virStorageSourceFree);
    qemuDomainAssignNodeNames(def);
    testExpectError(def, false, VIR_ERR_INTERNAL_ERROR, "not resolved");
}

static void
testErrorBadDisks(void)
{
    g_autoptr(virDomainDef) ideRO = testDefNew("ide-ro");
    g_autoptr(virDomainDef) q35IDE = testDefNew("q35-ide");
    g_autoptr(virDomainDef) hde = testDefNew("hde");
    g_autoptr(virDomainDef) dup = testDefNew("dup");
    g_autoptr(virDomainDef) rawBacking = testDefNew("raw-backing");
    g_autoptr(virDomainDef) noFormat = testDefNew("no-format");
    g_autoptr(virDomainDef) sataG = testDefNew("sdg");
    g_autoptr(virDomainDef) empty = testDefNew("empty");

    testAddDisk(ideRO, "/i", "hda", VIR_DOMAIN_DISK_BUS_IDE, true, "a.img", RAW, NULL);
    qemuDomainAssignNodeNames(ideRO);
    testExpectError(ideRO, false, VIR_ERR_CONFIG_UNSUPPORTED, "read-only");

    q35IDE->machine = g_strdup("pc-q35-7.2");
    testAddDisk(q35IDE, "/i", "hda", VIR_DOMAIN_DISK_BUS_IDE, false, "a.img", RAW, NULL);
    qemuDomainAssignNodeNames(q35IDE);
    testExpectError(q35IDE, false, VIR_ERR_CONFIG_UNSUPPORTED, "no IDE controller");

    testAddDisk(hde, "/i", "hde", VIR_DOMAIN_DISK_BUS_IDE, false, "a.img", RAW, NULL);
    qemuDomainAssignNodeNames(hde);
    testExpectError(hde, false, VIR_ERR_CONFIG_UNSUPPORTED, "'hde'");

    testAddDisk(sataG, "/i", "sdg", VIR_DOMAIN_DISK_BUS_SATA, false, "a.img", RAW, NULL);
    qemuDomainAssignNodeNames(sataG);
    testExpectError(sataG, false, VIR_ERR_CONFIG_UNSUPPORTED, "'sdg'");

    testAddDisk(dup, "/i", "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false, "a.img", RAW, NULL);
    testAddDisk(dup, "/i", "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false, "b.img", RAW, NULL);
    qemuDomainAssignNodeNames(dup);
    testExpectError(dup, false, VIR_ERR_CONFIG_UNSUPPORTED, "same bus address");

    testAddDisk(rawBacking, "/i", "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "a.img", RAW, "b.qcow2", QCOW2, NULL);
    qemuDomainAssignNodeNames(rawBacking);
    testExpectError(rawBacking, false, VIR_ERR_CONFIG_UNSUPPORTED,
                    "cannot have a backing image");

    testAddDisk(noFormat, "/i", "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false,
                "a.qcow2", QCOW2, "b.qcow2", VIR_STORAGE_FILE_NONE, NULL);
    qemuDomainAssignNodeNames(noFormat);
    testExpectError(noFormat, false, VIR_ERR_CONFIG_UNSUPPORTED, "format");

    /* A disk with nothing in it (a chain of just its end). */
    testAddDisk(empty, "/i", "vda", VIR_DOMAIN_DISK_BUS_VIRTIO, false, NULL);
    qemuDomainAssignNodeNames(empty);
    testExpectError(empty, false, VIR_ERR_CONFIG_UNSUPPORTED, "no source image");
}

static void
testErrorBadDomain(void)
{
    g_autoptr(virDomainDef) consoles = testDefNew("consoles");
    g_autoptr(virDomainDef) port = testDefNew("port");
    g_autoptr(virDomainDef) twice = testDefNew("twice");
    g_autoptr(virDomainDef) mem = testDefNew("mem");
    g_autoptr(virDomainDef) arch = testDefNew("arch");
    g_autoptr(virDomainDef) nopath = testDefNew("nopath");

    testAddChr(&consoles->consoles, &consoles->nconsoles,
               VIR_DOMAIN_CHR_TYPE_NULL, "/", NULL, -1);
    testAddChr(&consoles->consoles, &consoles->nconsoles,
               VIR_DOMAIN_CHR_TYPE_NULL, "/", NULL, -1);
    testExpectError(consoles, false, VIR_ERR_CONFIG_UNSUPPORTED, "consoles");

    testAddChr(&port->serials, &port->nserials, VIR_DOMAIN_CHR_TYPE_NULL,
               "/", NULL, 4);
    testExpectError(port, false, VIR_ERR_CONFIG_UNSUPPORTED, "out of range");

    testAddChr(&twice->serials, &twice->nserials, VIR_DOMAIN_CHR_TYPE_NULL,
               "/", NULL, 1);
    testAddChr(&twice->serials, &twice->nserials, VIR_DOMAIN_CHR_TYPE_NULL,
               "/", NULL, 1);
    testExpectError(twice, false, VIR_ERR_CONFIG_UNSUPPORTED, "used twice");

    mem->maxMemKiB = 0;
    testExpectError(mem, false, VIR_ERR_CONFIG_UNSUPPORTED, "memory");

    g_free(arch->arch);
    arch->arch = g_strdup("aarch64");
    testExpectError(arch, false, VIR_ERR_CONFIG_UNSUPPORTED, "'aarch64'");

    testAddChr(&nopath->serials, &nopath->nserials, VIR_DOMAIN_CHR_TYPE_FILE,
               "/", NULL, 0);
    testExpectError(nopath, false, VIR_ERR_CONFIG_UNSUPPORTED, "source path");
}

/* ------------------------------------------------------------------ */
/* Real QEMU                                                           */

typedef struct {
    pid_t pid;
    int mon;
    GString *buf;
    char *logPath;
} testQemu;

static void
testRun(const char *const *argv)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *cmd = qemuCommandLineToString((char *const *) argv);
    int status = 0;

    if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                      &out, &err, &status, &gerr))
        g_error("cannot run '%s': %s", cmd, gerr->message);
    if (!g_spawn_check_wait_status(status, &gerr))
        g_error("'%s' failed: %s %s", cmd, err, gerr->message);
}

/* Create every image of every disk, each chain from its bottom up. */
static void
testCreateImages(const virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        g_autoptr(GPtrArray) chain = g_ptr_array_new();
        virStorageSource *src;
        size_t j;

        for (src = def->disks[i]->src; src && src->type == VIR_STORAGE_TYPE_FILE;
             src = src->backingStore)
            g_ptr_array_add(chain, src);

        for (j = chain->len; j-- > 0;) {
            virStorageSource *img = g_ptr_array_index(chain, j);
            virStorageSource *below = img->backingStore;
            const char *fmt = img->format == QCOW2 ? "qcow2" : "raw";

            if (below && below->type == VIR_STORAGE_TYPE_FILE) {
                const char *bfmt = below->format == QCOW2 ? "qcow2" : "raw";
                const char *argv[] = { QEMU_IMG_PATH, "create", "-q", "-f", fmt,
                                       "-b", below->path, "-F", bfmt,
                                       img->path, NULL };
                testRun(argv);
            } else {
                const char *argv[] = { QEMU_IMG_PATH, "create", "-q", "-f", fmt,
                                       img->path, "16M", NULL };
                testRun(argv);
            }
        }
    }
}

static char *
testQemuLog(testQemu *q)
{
    char *log = NULL;

    if (!g_file_get_contents(q->logPath, &log, NULL, NULL))
        log = g_strdup("(no log)");
    return log;
}

/* Read one line (without the line end) from the monitor. */
static char *
testQemuReadLine(testQemu *q)
{
    while (true) {
        char chunk[4096];
        char *nl = memchr(q->buf->str, '\n', q->buf->len);
        ssize_t got;

        if (nl) {
            char *line = g_strndup(q->buf->str, nl - q->buf->str);

            g_string_erase(q->buf, 0, nl - q->buf->str + 1);
            return line;
        }
        got = read(q->mon, chunk, sizeof(chunk));
        if (got <= 0) {
            g_autofree char *log = testQemuLog(q);
            g_error("QEMU closed the monitor or did not answer (%s); its log:\n%s",
                    got < 0 ? g_strerror(errno) : "end of file", log);
        }
        g_string_append_len(q->buf, chunk, got);
    }
}

/* Send @cmd with @args (owned, may be NULL); return the reply's "return". */
static json_object *
testQemuCommand(testQemu *q, const char *cmd, json_object *args)
{
    g_autoptr(virJSONValue) msg = json_object_new_object();
    g_autofree char *text = NULL;

    json_object_object_add(msg, "execute", json_object_new_string(cmd));
    if (args)
        json_object_object_add(msg, "arguments", args);
    text = g_strdup_printf("%s\r\n", json_object_to_json_string_ext(msg,
                                                                     JSON_C_TO_STRING_PLAIN));
    g_assert_cmpint(write(q->mon, text, strlen(text)), ==, strlen(text));

    while (true) {
        g_autofree char *line = testQemuReadLine(q);
        g_autoptr(virJSONValue) reply = json_tokener_parse(line);
        json_object *ret;

        g_assert_nonnull(reply);
        if (json_object_object_get_ex(reply, "event", NULL))
            continue;
        if (json_object_object_get_ex(reply, "error", NULL))
            g_error("QMP '%s' failed: %s", cmd, line);
        g_assert_true(json_object_object_get_ex(reply, "return", &ret));
        return json_object_get(ret);
    }
}

/* Start QEMU with @argv, its monitor socket at TEST_MONITOR_FD. */
static void
testQemuStart(testQemu *q, char **argv, const char *dir)
{
    g_autofree char *sockPath = g_build_filename(dir, "mon.sock", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct timeval tv = { .tv_sec = TEST_QMP_TIMEOUT_SEC };
    g_autofree char *greeting = NULL;
    g_autoptr(virJSONValue) ret = NULL;
    int lsock;
    int logfd;
    pid_t pid;

    q->logPath = g_build_filename(dir, "qemu.log", NULL);
    q->buf = g_string_new(NULL);
    g_assert_cmpuint(strlen(sockPath), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, sockPath);

    lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(lsock, >=, 0);
    g_assert_cmpint(bind(lsock, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lsock, 1), ==, 0);
    logfd = open(q->logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(logfd, >=, 0);

    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        /* Only async-signal-safe calls until exec. */
        int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int high = fcntl(lsock, F_DUPFD_CLOEXEC, 64);

        /* Die with the test, whatever kills it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (nullfd < 0 || high < 0 ||
            dup2(nullfd, STDIN_FILENO) < 0 ||
            dup2(logfd, STDOUT_FILENO) < 0 ||
            dup2(logfd, STDERR_FILENO) < 0 ||
            dup2(high, TEST_MONITOR_FD) < 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    testRecordPid(pid);
    q->pid = pid;
    close(lsock);
    close(logfd);

    q->mon = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(q->mon, >=, 0);
    setsockopt(q->mon, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(q->mon, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        g_autofree char *log = testQemuLog(q);
        g_error("cannot connect to QEMU's monitor: %s; its log:\n%s",
                g_strerror(errno), log);
    }

    greeting = testQemuReadLine(q);
    g_assert_nonnull(strstr(greeting, "\"QMP\""));
    ret = testQemuCommand(q, "qmp_capabilities", NULL);
}

static void
testQemuStop(testQemu *q)
{
    if (q->pid > 0)
        testKillPid(q->pid);
    q->pid = 0;
    if (q->mon >= 0)
        close(q->mon);
    q->mon = -1;
    if (q->buf)
        g_string_free(q->buf, TRUE);
    q->buf = NULL;
    g_clear_pointer(&q->logPath, g_free);
}

/* The O_ACCMODE bits QEMU opened @path with, or -1 if it has no fd on it. */
static int
testQemuFileAccess(pid_t pid, const char *path)
{
    g_autofree char *fddir = g_strdup_printf("/proc/%d/fd", (int) pid);
    g_autoptr(GDir) dir = g_dir_open(fddir, 0, NULL);
    const char *name;
    int mode = -1;

    g_assert_nonnull(dir);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *link = g_build_filename(fddir, name, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        g_autofree char *info = NULL;
        g_autofree char *infoPath = NULL;
        const char *flags;

        if (!target || strcmp(target, path) != 0)
            continue;
        infoPath = g_strdup_printf("/proc/%d/fdinfo/%s", (int) pid, name);
        g_assert_true(g_file_get_contents(infoPath, &info, NULL, NULL));
        flags = strstr(info, "flags:");
        g_assert_nonnull(flags);
        /* Two fds on one file (never ours) would be a surprise: say so. */
        g_assert_cmpint(mode, ==, -1);
        mode = g_ascii_strtoull(flags + strlen("flags:"), NULL, 8) & O_ACCMODE;
    }
    return mode;
}

/*
 * Check QEMU has exactly the block nodes of @def, read-only where they
 * should be, and exactly the devices we named.
 */
static void
testQemuCheck(testQemu *q, const virDomainDef *def, const char *pidfile)
{
    g_autoptr(virJSONValue) nodes = testQemuCommand(q, "query-named-block-nodes", NULL);
    g_autoptr(virJSONValue) status = testQemuCommand(q, "query-status", NULL);
    g_autoptr(virJSONValue) qomArgs = json_object_new_object();
    g_autoptr(virJSONValue) devs = NULL;
    g_autoptr(GHashTable) nodeRO = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                         g_free, NULL);
    g_autoptr(GHashTable) expectDevs = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                             g_free, NULL);
    size_t nexpected = 0;
    size_t i;

    g_assert_cmpstr(json_object_get_string(json_object_object_get(status, "status")),
                    ==, "prelaunch");

    g_assert_true(json_object_is_type(nodes, json_type_array));
    for (i = 0; i < json_object_array_length(nodes); i++) {
        json_object *node = json_object_array_get_idx(nodes, i);
        const char *name = json_object_get_string(json_object_object_get(node, "node-name"));
        bool ro = json_object_get_boolean(json_object_object_get(node, "ro"));

        g_assert_nonnull(name);
        /* QEMU names nodes it opened on its own '#blockNNN'. */
        g_assert_false(g_str_has_prefix(name, "#"));
        g_assert_true(g_hash_table_insert(nodeRO, g_strdup(name), GINT_TO_POINTER(ro)));
    }

    for (i = 0; i < def->ndisks; i++) {
        const virDomainDiskDef *disk = def->disks[i];
        virStorageSource *src;
        bool top = true;

        for (src = disk->src; src && src->type == VIR_STORAGE_TYPE_FILE;
             src = src->backingStore) {
            bool readonly = !top || disk->readonly;
            int access;

            g_assert_true(g_hash_table_contains(nodeRO, src->nodeformat));
            g_assert_true(g_hash_table_contains(nodeRO, src->nodestorage));
            g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(nodeRO, src->nodeformat)),
                            ==, readonly);
            nexpected += 2;

            /* The file itself: auto-read-only opens it read-only below a
             * read-only format node. */
            access = testQemuFileAccess(q->pid, src->path);
            g_assert_cmpint(access, ==, readonly ? O_RDONLY : O_RDWR);
            top = false;
        }
        g_hash_table_add(expectDevs, g_strdup(disk->alias));
        if (disk->bus == VIR_DOMAIN_DISK_BUS_SCSI)
            g_hash_table_add(expectDevs, g_strdup("scsi0"));
        if (disk->bus == VIR_DOMAIN_DISK_BUS_SATA &&
            (!def->machine || !strstr(def->machine, "q35")))
            g_hash_table_add(expectDevs, g_strdup("sata0"));
    }
    g_assert_cmpuint(g_hash_table_size(nodeRO), ==, nexpected);

    for (i = 0; i < MAX(def->nserials, def->nconsoles ? 1 : 0); i++) {
        const virDomainChrDef *chr = def->nserials ? def->serials[i] : def->consoles[0];

        g_hash_table_add(expectDevs, g_strdup_printf("serial%zu", i));
        if (chr->type == VIR_DOMAIN_CHR_TYPE_FILE)
            g_assert_true(g_file_test(chr->path, G_FILE_TEST_IS_REGULAR));
    }

    json_object_object_add(qomArgs, "path", json_object_new_string("/machine/peripheral"));
    devs = testQemuCommand(q, "qom-list", json_object_get(qomArgs));
    for (i = 0; i < json_object_array_length(devs); i++) {
        json_object *dev = json_object_array_get_idx(devs, i);
        const char *name = json_object_get_string(json_object_object_get(dev, "name"));
        const char *type = json_object_get_string(json_object_object_get(dev, "type"));

        if (!g_str_has_prefix(type, "child<"))
            continue;
        if (!g_hash_table_remove(expectDevs, name))
            g_error("QEMU has an unexpected device '%s'", name);
    }
    g_assert_cmpuint(g_hash_table_size(expectDevs), ==, 0);

    if (pidfile) {
        g_autofree char *content = NULL;

        g_assert_true(g_file_get_contents(pidfile, &content, NULL, NULL));
        g_assert_cmpint(atoi(content), ==, q->pid);
    }
}

static char *
testCaseDir(const char *name)
{
    g_autofree char *dir = g_build_filename(testTmpDir, name, NULL);

    g_assert_cmpint(mkdir(dir, 0700), ==, 0);
    return g_steal_pointer(&dir);
}

/*
 * Replace the value of the one "-accel @from" in @argv by @to. Fails the
 * test unless there is exactly one, so that nothing else of the argv can
 * differ from what the golden file says.
 */
static void
testSwapAccel(char **argv, const char *from, const char *to)
{
    size_t found = 0;

    for (size_t i = 0; argv[i]; i++) {
        if (strcmp(argv[i], "-accel") == 0 && argv[i + 1]) {
            g_assert_cmpstr(argv[i + 1], ==, from);
            g_free(argv[i + 1]);
            argv[i + 1] = g_strdup(to);
            found++;
        }
    }
    g_assert_cmpuint(found, ==, 1);
}

/*
 * Start the argv of @tc in a real QEMU (in its own temp dir @dirname) and
 * check what QEMU made of it. With @asTCG a 'kvm' argv runs with '-accel
 * tcg' instead: QEMU still checks every other option of it.
 */
static void
testRealQemuRun(const testCase *tc, const char *dirname, bool asTCG)
{
    bool kvm = testCaseIsKVM(tc);
    g_autofree char *dir = testCaseDir(dirname);
    g_autofree char *pidfile = g_build_filename(dir, "qemu.pid", NULL);
    g_autoptr(virDomainDef) def = testCaseDef(tc, dir);
    g_auto(GStrv) argv = NULL;
    testQemu q = { .mon = -1 };

    testCreateImages(def);
    argv = qemuBuildCommandLine(def, QEMU_SYSTEM_PATH, TEST_MONITOR_FD,
                                tc->pidfile ? pidfile : NULL, kvm);
    if (!argv)
        g_error("building the command line failed: %s", virGetLastErrorMessage());
    if (asTCG)
        testSwapAccel(argv, "kvm", "tcg");

    testQemuStart(&q, argv, dir);
    testQemuCheck(&q, def, tc->pidfile ? pidfile : NULL);
    testQemuStop(&q);
}

/* Every golden case, really started. A 'kvm' case on a host without KVM
 * (CI machines may lack it) runs as TCG rather than being skipped. */
static void
testRealQemu(gconstpointer data)
{
    const testCase *tc = data;
    bool asTCG = testCaseIsKVM(tc) && !qemuHostHasKVM();

    if (asTCG)
        g_test_message("KVM is not usable on this host: running the '%s' argv "
                       "with '-accel tcg'", tc->name);
    testRealQemuRun(tc, tc->name, asTCG);
}

/* The same for 'kvm' cases as TCG, on every host: what a host without KVM
 * runs is tested on hosts with KVM too. */
static void
testRealQemuKVMAsTCG(gconstpointer data)
{
    const testCase *tc = data;
    g_autofree char *dirname = g_strdup_printf("%s-as-tcg", tc->name);

    testRealQemuRun(tc, dirname, true);
}

/*
 * The brief's check spelled out: a 2-level qcow2 chain made by qemu-img
 * gives exactly the four named nodes, the backing one read-only, and QEMU
 * opened no image on its own.
 */
static void
testRealQemuChain(void)
{
    g_autofree char *dir = testCaseDir("chain");
    g_autoptr(virDomainDef) def = testDefNew("chain");
    g_auto(GStrv) argv = NULL;
    g_autoptr(virJSONValue) nodes = NULL;
    g_autofree char *base = g_build_filename(dir, "base.qcow2", NULL);
    g_autofree char *top = g_build_filename(dir, "top.qcow2", NULL);
    const char *expected[] = { "libvirt-1-format", "libvirt-1-storage",
                               "libvirt-2-format", "libvirt-2-storage" };
    bool seen[G_N_ELEMENTS(expected)] = { false };
    testQemu q = { .mon = -1 };
    size_t i;
    size_t j;

    testBuildQcow2TwoLevels(def, dir);
    qemuDomainAssignNodeNames(def);
    testCreateImages(def);

    argv = qemuBuildCommandLine(def, QEMU_SYSTEM_PATH, TEST_MONITOR_FD, NULL, false);
    g_assert_nonnull(argv);
    testQemuStart(&q, argv, dir);

    nodes = testQemuCommand(&q, "query-named-block-nodes", NULL);
    g_assert_cmpuint(json_object_array_length(nodes), ==, G_N_ELEMENTS(expected));
    for (i = 0; i < json_object_array_length(nodes); i++) {
        json_object *node = json_object_array_get_idx(nodes, i);
        const char *name = json_object_get_string(json_object_object_get(node, "node-name"));
        const char *file = json_object_get_string(json_object_object_get(node, "file"));
        bool ro = json_object_get_boolean(json_object_object_get(node, "ro"));

        for (j = 0; j < G_N_ELEMENTS(expected); j++) {
            if (strcmp(name, expected[j]) == 0)
                break;
        }
        if (j == G_N_ELEMENTS(expected))
            g_error("unexpected block node '%s'", name);
        g_assert_false(seen[j]);
        seen[j] = true;

        g_assert_cmpstr(file, ==, g_str_has_prefix(name, "libvirt-1-") ? top : base);
        if (strcmp(name, "libvirt-2-format") == 0)
            g_assert_true(ro);
        if (strcmp(name, "libvirt-1-format") == 0) {
            json_object *image = json_object_object_get(node, "image");
            json_object *backing = json_object_object_get(image, "backing-image");

            g_assert_false(ro);
            g_assert_cmpstr(json_object_get_string(json_object_object_get(backing, "filename")),
                            ==, base);
        }
    }
    g_assert_cmpint(testQemuFileAccess(q.pid, base), ==, O_RDONLY);
    g_assert_cmpint(testQemuFileAccess(q.pid, top), ==, O_RDWR);

    testQemuStop(&q);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);

    testTmpDir = g_dir_make_tmp("qemuxml2argvtest-XXXXXX", NULL);
    g_assert_nonnull(testTmpDir);
    testPidsFile = g_build_filename(testTmpDir, "pids", NULL);
    atexit(testAtExit);
    signal(SIGABRT, testAbortHandler);

    /* Tests that need QEMU never skip silently: no QEMU is a failure. */
    if (VIR_TEST_INTEGRATION &&
        (!g_file_test(QEMU_SYSTEM_PATH, G_FILE_TEST_IS_EXECUTABLE) ||
         !g_file_test(QEMU_IMG_PATH, G_FILE_TEST_IS_EXECUTABLE))) {
        g_printerr("qemuxml2argvtest needs %s and %s\n", QEMU_SYSTEM_PATH, QEMU_IMG_PATH);
        return EXIT_FAILURE;
    }

    for (i = 0; i < G_N_ELEMENTS(testCases); i++) {
        g_autofree char *golden = g_strdup_printf("/qemuxml2argv/golden/%s",
                                                  testCases[i].name);
        g_autofree char *real = g_strdup_printf("/qemuxml2argv/qemu/%s",
                                                testCases[i].name);
        g_autofree char *xml = g_strdup_printf("/qemuxml2argv/xml/%s",
                                               testCases[i].name);

        g_test_add_data_func(golden, &testCases[i], testGolden);
        g_test_add_data_func(xml, &testCases[i], testGoldenXML);
        if (VIR_TEST_INTEGRATION)
            g_test_add_data_func(real, &testCases[i], testRealQemu);
        if (VIR_TEST_INTEGRATION && testCaseIsKVM(&testCases[i])) {
            g_autofree char *tcg = g_strdup_printf("%s-as-tcg", real);

            g_test_add_data_func(tcg, &testCases[i], testRealQemuKVMAsTCG);
        }
    }
    g_test_add_func("/qemuxml2argv/node-names", testNodeNames);
    g_test_add_func("/qemuxml2argv/node-names-continue", testNodeNamesContinue);
    g_test_add_func("/qemuxml2argv/node-names-counter", testNodeNamesCounter);
    g_test_add_func("/qemuxml2argv/json-no-slash-escape", testNoSlashEscape);
    g_test_add_func("/qemuxml2argv/emulator", testEmulatorFromDef);
    g_test_add_func("/qemuxml2argv/to-string", testToString);
    g_test_add_func("/qemuxml2argv/host-has-kvm", testHostHasKVM);
    g_test_add_func("/qemuxml2argv/error/kvm-unusable", testErrorKVMUnusable);
    g_test_add_func("/qemuxml2argv/error/not-prepared", testErrorNotPrepared);
    g_test_add_func("/qemuxml2argv/error/unresolved-chain", testErrorUnresolvedChain);
    g_test_add_func("/qemuxml2argv/error/bad-disks", testErrorBadDisks);
    g_test_add_func("/qemuxml2argv/error/bad-domain", testErrorBadDomain);
    if (VIR_TEST_INTEGRATION)
        g_test_add_func("/qemuxml2argv/qemu/chain-2-levels", testRealQemuChain);

    return g_test_run();
}
