/*
 * qemuxml2argvtest.c: QEMU argv of domain definitions: golden files and a
 * real QEMU.
 *
 * The cases are data, in tests/qemuxml2argvdata/, listed by name in the
 * tables below (testCases, testErrorCases; a test checks that every file
 * there is listed):
 *
 *   NAME.xml + NAME.args  the domain XML, and the argv it gives, one option
 *                         a line (VIR_TEST_REGENERATE_OUTPUT=1 rewrites the
 *                         .args files from the XML: review the diff). With
 *                         integration tests each case also runs in a real
 *                         QEMU ('kvm' ones as TCG too), which must show
 *                         exactly the block nodes, files and devices of
 *                         the XML.
 *   error-NAME.xml        a definition the command line builder refuses,
 *                         with the error code and a part of the message
 *                         in testErrorCases.
 *   status-*.xml          inputs of the node name tests, read as a status
 *                         file is.
 *
 * Image and output paths in the XML are written '@IMAGES@/file': the token
 * is replaced when a file is loaded, by TEST_GOLDEN_DIR for the golden
 * argv (so the .args files do not depend on the host), and by a temp dir
 * of the case's own for a real QEMU, where every image of every disk's
 * chain is first created as the XML gives it (format, backing image), the
 * bottom first. A real run refuses an XML whose paths are not all in
 * there, so a data file cannot make the test touch another file.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutils.h"
#include "testutilsvirt.h"
#include "qemu/qemu_command.h"
#include "util/virerror.h"
#include "util/virjson.h"

/* The fd number QEMU finds its monitor socket at, in golden files and runs. */
#define TEST_MONITOR_FD 3
/* Paths golden files use: fixed, so the files do not depend on the host. */
#define TEST_GOLDEN_DIR "/var/lib/libvirt/images"
/* Stands for the images' dir in the XML of the cases. */
#define TEST_IMAGES_TOKEN "@IMAGES@"
#define TEST_GOLDEN_EMULATOR "/usr/bin/qemu-system-x86_64"
#define TEST_QMP_TIMEOUT_SEC 30

/* This run's temp dir (the reaper removes it, and kills the QEMUs in it,
 * if the test dies): one subdirectory per real QEMU case. */
static char *testTmpDir;

/* ------------------------------------------------------------------ */
/* Cases                                                               */

typedef struct {
    const char *name;   /* NAME.xml and NAME.args */
    bool pidfile;       /* the argv has QEMU write a pid file */
} testCase;

static const testCase testCases[] = {
    { "minimal", false },
    { "disk-virtio-chain", true },
    { "disk-qcow2-2levels", true },
    { "disk-buses", true },
    { "disk-q35-sata", true },
    { "serial-console", true },
    { "console-only", true },
    { "serials", true },
    { "commas", true },
    { "kvm", true },
};

/* An error case, built as on a host without KVM and without pid file. */
typedef struct {
    const char *name;       /* error-NAME.xml */
    virErrorNumber code;
    const char *message;    /* a part of the message */
} testErrorCase;

static const testErrorCase testErrorCases[] = {
    { "kvm-unusable", VIR_ERR_CONFIG_UNSUPPORTED,
      "domain 'needs-kvm' has type 'kvm' but KVM is not usable" },
    { "unresolved-chain", VIR_ERR_INTERNAL_ERROR,
      "the backing chain of image '" TEST_GOLDEN_DIR "/top.qcow2' of disk 'vda' was not resolved" },
    { "ide-readonly", VIR_ERR_CONFIG_UNSUPPORTED,
      "disk 'hda': read-only disks are not supported on bus 'ide'" },
    { "q35-ide", VIR_ERR_CONFIG_UNSUPPORTED,
      "machine 'pc-q35-7.2' has no IDE controller" },
    { "ide-hde", VIR_ERR_CONFIG_UNSUPPORTED,
      "IDE disk target 'hde' is out of range" },
    { "sata-sdg", VIR_ERR_CONFIG_UNSUPPORTED,
      "SATA disk target 'sdg' is out of range" },
    { "same-address", VIR_ERR_CONFIG_UNSUPPORTED,
      "disk 'hda' uses the same bus address as another disk ('sata0-0-0')" },
    { "raw-backing", VIR_ERR_CONFIG_UNSUPPORTED,
      "raw image '" TEST_GOLDEN_DIR "/a.img' of disk 'vda' cannot have a backing image" },
    { "consoles", VIR_ERR_CONFIG_UNSUPPORTED,
      "domain 'consoles' has 2 consoles" },
    { "serial-port-range", VIR_ERR_CONFIG_UNSUPPORTED,
      "serial port 4 is out of range" },
    { "serial-port-twice", VIR_ERR_CONFIG_UNSUPPORTED,
      "serial port 1 is used twice" },
};

/* The other files of the data dir, read by the tests named. */
static const char *const testInputs[] = {
    "status-node-names.xml",    /* node-names-continue */
};

/* ------------------------------------------------------------------ */
/* Loading definitions                                                 */

/* tests/qemuxml2argvdata/@file of the source tree (the dir: @file NULL). */
static char *
testDataPath(const char *file)
{
    return virTestSrcPath("tests", "qemuxml2argvdata", file, NULL);
}

/*
 * Parse tests/qemuxml2argvdata/@file with @imagesDir for TEST_IMAGES_TOKEN
 * (@flags: virDomainDefParseFlags). Block node names and aliases are not
 * assigned yet.
 */
static virDomainDef *
testLoadDef(const char *file, const char *imagesDir, unsigned int flags)
{
    g_autofree char *path = testDataPath(file);
    g_autofree char *escaped = g_markup_escape_text(imagesDir, -1);
    g_autofree char *text = NULL;
    g_autofree char *xml = NULL;
    g_auto(GStrv) parts = NULL;
    g_autoptr(GError) err = NULL;
    virDomainDef *def;

    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("cannot read '%s': %s", path, err->message);
    parts = g_strsplit(text, TEST_IMAGES_TOKEN, -1);
    xml = g_strjoinv(escaped, parts);
    if (!(def = virDomainDefParseString(xml, flags)))
        g_error("cannot parse '%s': %s", path, virGetLastErrorMessage());
    return def;
}

/* The definition of case @name (NAME.xml), ready to build as the driver
 * makes it before a start: with its QEMU names. */
static virDomainDef *
testCaseDef(const char *name, const char *imagesDir)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    virDomainDef *def = testLoadDef(file, imagesDir, 0);

    qemuDomainAssignNodeNames(def);
    return def;
}

static bool
testCaseIsKVM(const testCase *tc)
{
    g_autoptr(virDomainDef) def = testCaseDef(tc->name, TEST_GOLDEN_DIR);

    return def->virtType == VIR_DOMAIN_VIRT_KVM;
}

/* Every .xml and .args file of the data dir belongs to a case or a test:
 * none is forgotten, and no case lacks its files. */
static void
testDataFilesListed(void)
{
    g_autofree char *dir = testDataPath(NULL);
    g_autoptr(GDir) dh = g_dir_open(dir, 0, NULL);
    g_autoptr(GHashTable) known = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                        g_free, NULL);
    const char *name;
    size_t i;

    g_assert_nonnull(dh);
    for (i = 0; i < G_N_ELEMENTS(testCases); i++) {
        g_hash_table_add(known, g_strdup_printf("%s.xml", testCases[i].name));
        g_hash_table_add(known, g_strdup_printf("%s.args", testCases[i].name));
    }
    for (i = 0; i < G_N_ELEMENTS(testErrorCases); i++)
        g_hash_table_add(known, g_strdup_printf("error-%s.xml", testErrorCases[i].name));
    for (i = 0; i < G_N_ELEMENTS(testInputs); i++)
        g_hash_table_add(known, g_strdup(testInputs[i]));

    while ((name = g_dir_read_name(dh))) {
        if (!g_str_has_suffix(name, ".xml") && !g_str_has_suffix(name, ".args"))
            continue;
        if (!g_hash_table_remove(known, name))
            g_error("'%s' in '%s' is no case of qemuxml2argvtest: list it in a table",
                    name, dir);
    }
    if (g_hash_table_size(known) > 0) {
        g_autofree const char **missing = (const char **) g_hash_table_get_keys_as_array(known, NULL);

        g_error("'%s' is missing in '%s'", missing[0], dir);
    }
}

/* ------------------------------------------------------------------ */
/* Golden files                                                        */

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

/* NAME.xml gives NAME.args. */
static void
testGolden(gconstpointer data)
{
    const testCase *tc = data;
    g_autoptr(virDomainDef) def = testCaseDef(tc->name, TEST_GOLDEN_DIR);
    g_autofree char *pidfile = g_strdup_printf("/run/libvirt/qemu/%s.pid",
                                               def->name);
    g_auto(GStrv) argv = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *file = g_strdup_printf("%s.args", tc->name);
    g_autofree char *path = testDataPath(file);

    argv = qemuBuildCommandLine(def, TEST_GOLDEN_EMULATOR, TEST_MONITOR_FD,
                                tc->pidfile ? pidfile : NULL, true);
    if (!argv)
        g_error("building the command line failed: %s", virGetLastErrorMessage());
    g_assert_false(virErrorIsSet());

    actual = testFormatArgv(argv);
    virTestCompareToFile(actual, path);
}

/* ------------------------------------------------------------------ */
/* Node names, aliases and small helpers                               */

static void
testNodeNames(void)
{
    g_autoptr(virDomainDef) def = testCaseDef("disk-buses", "/images");
    virStorageSource *src;

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
    /* As after a restart: the first disk has its names from the status
     * file, the others were added since. */
    g_autoptr(virDomainDef) def = testLoadDef("status-node-names.xml", "/images",
                                              VIR_DOMAIN_DEF_PARSE_STATUS);

    g_assert_cmpstr(def->disks[0]->alias, ==, "virtio-disk0");
    g_assert_null(def->disks[1]->src->nodeformat);

    /* Names kept, count goes on. */
    qemuDomainAssignNodeNames(def);
    g_assert_cmpstr(def->disks[0]->src->nodeformat, ==, "libvirt-7-format");
    g_assert_cmpstr(def->disks[0]->src->backingStore->nodestorage, ==,
                    "libvirt-8-storage");
    g_assert_cmpstr(def->disks[1]->src->nodeformat, ==, "libvirt-9-format");
    g_assert_cmpstr(def->disks[1]->src->nodestorage, ==, "libvirt-9-storage");
    g_assert_cmpstr(def->disks[1]->alias, ==, "virtio-disk1");
    g_assert_cmpstr(def->disks[2]->src->nodeformat, ==, "libvirt-10-format");
    /* An unreadable target ('vdzzzzzz', too long for an index) falls
     * back to the disk's position. */
    g_assert_cmpstr(def->disks[2]->alias, ==, "virtio-disk2");

    /* Idempotent. */
    qemuDomainAssignNodeNames(def);
    g_assert_cmpstr(def->disks[2]->src->nodeformat, ==, "libvirt-10-format");
}

static void
testNodeNamesCounter(void)
{
    /* disk-buses: vdb (2 images), hda, hdc... shown one by one, as if
     * each were added to the running domain later. */
    g_autoptr(virDomainDef) def = testLoadDef("disk-buses.xml", "/images", 0);
    size_t ndisks = def->ndisks;
    unsigned long long counter = 0;

    def->ndisks = 1;
    qemuDomainAssignNodeNamesCounter(def, &counter);
    g_assert_cmpuint(counter, ==, 2);

    /* The backing image was pulled and its nodes deleted: its N is not
     * handed out again, though no name in @def holds it any more. */
    g_clear_pointer(&def->disks[0]->src->backingStore, virStorageSourceFree);
    def->disks[0]->src->backingStore = virStorageSourceNew();
    def->disks[0]->src->backingStore->type = VIR_STORAGE_TYPE_NONE;
    def->ndisks = 2;
    qemuDomainAssignNodeNamesCounter(def, &counter);
    g_assert_cmpstr(def->disks[1]->src->nodeformat, ==, "libvirt-3-format");
    g_assert_cmpuint(counter, ==, 3);

    /* A counter behind the names in @def catches up with them. */
    counter = 1;
    def->ndisks = 3;
    qemuDomainAssignNodeNamesCounter(def, &counter);
    g_assert_cmpstr(def->disks[2]->src->nodestorage, ==, "libvirt-4-storage");
    g_assert_cmpuint(counter, ==, 4);

    def->ndisks = ndisks;
}

static void
testNoSlashEscape(void)
{
    g_autoptr(virDomainDef) def = testCaseDef("disk-qcow2-2levels", "/some/dir");
    g_auto(GStrv) argv = NULL;
    size_t i;
    bool found = false;

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
    g_autoptr(virDomainDef) def = testCaseDef("minimal", TEST_GOLDEN_DIR);
    g_auto(GStrv) argv = NULL;

    g_free(def->emulator);
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

    virResetLastError();
    argv = qemuBuildCommandLine(def, NULL, 3, NULL, kvmUsable);
    g_assert_null(argv);
    virTestAssertErrorFull(VIR_FROM_QEMU, code, substring, NULL);
    virResetLastError();
}

/* error-NAME.xml is refused as testErrorCases says. */
static void
testError(gconstpointer data)
{
    const testErrorCase *tc = data;
    g_autofree char *file = g_strdup_printf("error-%s.xml", tc->name);
    g_autoptr(virDomainDef) def = testLoadDef(file, TEST_GOLDEN_DIR, 0);

    qemuDomainAssignNodeNames(def);
    testExpectError(def, false, tc->code, tc->message);
}

static void
testErrorNotPrepared(void)
{
    g_autoptr(virDomainDef) def = testLoadDef("disk-qcow2-2levels.xml",
                                              TEST_GOLDEN_DIR, 0);

    /* qemuDomainAssignNodeNames was not called. */
    testExpectError(def, false, VIR_ERR_INTERNAL_ERROR, "alias");
    def->disks[0]->alias = g_strdup("virtio-disk0");
    testExpectError(def, false, VIR_ERR_INTERNAL_ERROR, "node names");
}

/*
 * Definitions the XML parser refuses, refused by the builder too: a
 * definition may also come from a status file or a change by the driver.
 * Each is a case's XML with one thing changed.
 */
static void
testErrorNotFromXML(void)
{
    g_autoptr(virDomainDef) noFormat = testCaseDef("disk-qcow2-2levels", TEST_GOLDEN_DIR);
    g_autoptr(virDomainDef) empty = testCaseDef("disk-qcow2-2levels", TEST_GOLDEN_DIR);
    g_autoptr(virDomainDef) mem = testCaseDef("minimal", TEST_GOLDEN_DIR);
    g_autoptr(virDomainDef) arch = testCaseDef("minimal", TEST_GOLDEN_DIR);
    g_autoptr(virDomainDef) nopath = testCaseDef("serials", TEST_GOLDEN_DIR);

    /* A backing image of unknown format. */
    noFormat->disks[0]->src->backingStore->format = VIR_STORAGE_FILE_NONE;
    testExpectError(noFormat, false, VIR_ERR_CONFIG_UNSUPPORTED, "format");

    /* A disk with nothing in it (a chain of just its end). */
    g_clear_pointer(&empty->disks[0]->src, virStorageSourceFree);
    empty->disks[0]->src = virStorageSourceNew();
    empty->disks[0]->src->type = VIR_STORAGE_TYPE_NONE;
    testExpectError(empty, false, VIR_ERR_CONFIG_UNSUPPORTED, "no source image");

    mem->maxMemKiB = 0;
    testExpectError(mem, false, VIR_ERR_CONFIG_UNSUPPORTED, "memory");

    g_free(arch->arch);
    arch->arch = g_strdup("aarch64");
    testExpectError(arch, false, VIR_ERR_CONFIG_UNSUPPORTED, "'aarch64'");

    /* A serial port of type 'file' without its file. */
    g_assert_cmpint(nopath->serials[1]->type, ==, VIR_DOMAIN_CHR_TYPE_FILE);
    g_clear_pointer(&nopath->serials[1]->path, g_free);
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
            const char *fmt = img->format == VIR_STORAGE_FILE_QCOW2 ? "qcow2" : "raw";

            if (below && below->type == VIR_STORAGE_TYPE_FILE) {
                const char *bfmt = below->format == VIR_STORAGE_FILE_QCOW2 ? "qcow2" : "raw";

                virTestImageCreate(img->path, fmt, NULL, below->path, bfmt);
            } else {
                virTestImageCreate(img->path, fmt, "16M", NULL, NULL);
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

    q->logPath = g_build_filename(dir, "qemu.log", NULL);
    q->buf = g_string_new(NULL);
    q->pid = virTestQemuSpawn((const char *const *) argv, dir, sockPath,
                              q->logPath, TEST_MONITOR_FD);
    memcpy(addr.sun_path, sockPath, strlen(sockPath) + 1);

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
    if (q->pid > 0) {
        kill(q->pid, SIGKILL);
        waitpid(q->pid, NULL, 0);
    }
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


/* Fail unless every image and output file of @def lies in @dir. */
static void
testAssertPathsIn(const virDomainDef *def, const char *dir)
{
    g_autofree char *prefix = g_strdup_printf("%s/", dir);
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        virStorageSource *src;

        for (src = def->disks[i]->src; src && src->type == VIR_STORAGE_TYPE_FILE;
             src = src->backingStore) {
            if (!g_str_has_prefix(src->path, prefix))
                g_error("image '%s' of disk '%s' is not in '%s': write it '%s/...'",
                        src->path, def->disks[i]->dst, dir, TEST_IMAGES_TOKEN);
        }
    }
    for (i = 0; i < def->nserials + def->nconsoles; i++) {
        const virDomainChrDef *chr = i < def->nserials ? def->serials[i]
                                                       : def->consoles[i - def->nserials];

        if (chr->path && !g_str_has_prefix(chr->path, prefix))
            g_error("output file '%s' is not in '%s': write it '%s/...'",
                    chr->path, dir, TEST_IMAGES_TOKEN);
    }
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
    g_autoptr(virDomainDef) def = testCaseDef(tc->name, dir);
    g_auto(GStrv) argv = NULL;
    testQemu q = { .mon = -1 };

    testAssertPathsIn(def, dir);
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
    g_autoptr(virDomainDef) def = testCaseDef("disk-qcow2-2levels", dir);
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

    testAssertPathsIn(def, dir);
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

/* ------------------------------------------------------------------ */
/* The test's own cleanup                                              */

/* "--child-error": fail with g_error() while a case's dir exists, after
 * printing the temp dir. */
static int
testChildError(int argc, char **argv)
{
    g_autofree char *dir = NULL;

    virTestInit(&argc, &argv);
    testTmpDir = virTestMakeDir("qemuxml2argvtest-XXXXXX");
    dir = testCaseDir("failing");
    printf("dir: %s\n", testTmpDir);
    fflush(stdout);
    g_error("failing on purpose in '%s'", dir);
    return EXIT_FAILURE;
}

static bool
testPathGone(void *opaque)
{
    return !g_file_test(opaque, G_FILE_TEST_EXISTS);
}

/* A case that fails with g_error() (bad data, QEMU not answering...)
 * leaves no temp dir behind: the reaper removes it once the test is gone. */
static void
testCleanupOnError(void)
{
    g_autofree char *self = virTestSelfPath();
    const char *argv[] = { self, "--child-error", NULL };
    g_autofree char *out = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    g_autoptr(GError) err = NULL;
    const char *line;
    int status = 0;

    g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &out, NULL, &status, &err);
    g_assert_no_error(err);
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    line = strstr(out, "dir: ");
    g_assert_nonnull(line);
    dir = g_strndup(line + strlen("dir: "), strcspn(line + strlen("dir: "), "\n"));
    base = g_path_get_basename(dir);
    g_assert_true(g_str_has_prefix(base, "qemuxml2argvtest-"));
    if (!virTestWaitFor(testPathGone, dir, 30 * 1000)) {
        virTestRemoveTree(dir);
        g_error("the failed run left '%s' behind", dir);
    }
}

int
main(int argc, char **argv)
{
    size_t i;
    int ret;

    if (argc == 2 && strcmp(argv[1], "--child-error") == 0)
        return testChildError(argc, argv);

    virTestInit(&argc, &argv);
    testTmpDir = virTestMakeDir("qemuxml2argvtest-XXXXXX");

    /* Tests that need QEMU never skip silently: no QEMU is a failure. */
    if (VIR_TEST_INTEGRATION &&
        (!g_file_test(QEMU_SYSTEM_PATH, G_FILE_TEST_IS_EXECUTABLE) ||
         !g_file_test(QEMU_IMG_PATH, G_FILE_TEST_IS_EXECUTABLE))) {
        g_printerr("qemuxml2argvtest needs %s and %s\n", QEMU_SYSTEM_PATH, QEMU_IMG_PATH);
        return EXIT_FAILURE;
    }

    g_test_add_func("/qemuxml2argv/data-files", testDataFilesListed);
    g_test_add_func("/qemuxml2argv/cleanup-on-error", testCleanupOnError);
    for (i = 0; i < G_N_ELEMENTS(testCases); i++) {
        g_autofree char *golden = g_strdup_printf("/qemuxml2argv/golden/%s",
                                                  testCases[i].name);
        g_autofree char *real = g_strdup_printf("/qemuxml2argv/qemu/%s",
                                                testCases[i].name);

        g_test_add_data_func(golden, &testCases[i], testGolden);
        if (VIR_TEST_INTEGRATION)
            g_test_add_data_func(real, &testCases[i], testRealQemu);
        if (VIR_TEST_INTEGRATION && testCaseIsKVM(&testCases[i])) {
            g_autofree char *tcg = g_strdup_printf("%s-as-tcg", real);

            g_test_add_data_func(tcg, &testCases[i], testRealQemuKVMAsTCG);
        }
    }
    for (i = 0; i < G_N_ELEMENTS(testErrorCases); i++) {
        g_autofree char *path = g_strdup_printf("/qemuxml2argv/error/%s",
                                                testErrorCases[i].name);

        g_test_add_data_func(path, &testErrorCases[i], testError);
    }
    g_test_add_func("/qemuxml2argv/node-names", testNodeNames);
    g_test_add_func("/qemuxml2argv/node-names-continue", testNodeNamesContinue);
    g_test_add_func("/qemuxml2argv/node-names-counter", testNodeNamesCounter);
    g_test_add_func("/qemuxml2argv/json-no-slash-escape", testNoSlashEscape);
    g_test_add_func("/qemuxml2argv/emulator", testEmulatorFromDef);
    g_test_add_func("/qemuxml2argv/to-string", testToString);
    g_test_add_func("/qemuxml2argv/host-has-kvm", testHostHasKVM);
    g_test_add_func("/qemuxml2argv/error/not-prepared", testErrorNotPrepared);
    g_test_add_func("/qemuxml2argv/error/not-from-xml", testErrorNotFromXML);
    if (VIR_TEST_INTEGRATION)
        g_test_add_func("/qemuxml2argv/qemu/chain-2-levels", testRealQemuChain);

    ret = g_test_run();
    virTestCleanupDir(testTmpDir);
    g_free(testTmpDir);
    return ret;
}
