/* domainconftest.c: domain XML parsing and formatting, generated UUIDs, backing chains of real images. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "testutils.h"
#include "conf/domain_conf.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* Fail the current test (not the whole binary) with a message. */
#define TEST_FAIL(...) \
    do { \
        g_test_message(__VA_ARGS__); \
        g_test_fail(); \
    } while (0)

static char *
testDataPath(const char *name)
{
    return virTestSrcPath("tests", "domainconfdata", name, NULL);
}

static char *
testReadData(const char *name)
{
    g_autofree char *path = testDataPath(name);
    g_autoptr(GError) err = NULL;
    char *contents = NULL;

    if (!g_file_get_contents(path, &contents, NULL, &err))
        g_error("cannot read test data '%s': %s", path, err->message);
    return contents;
}

static virDomainDef *
testParse(const char *xml, unsigned int flags)
{
    virDomainDef *def = virDomainDefParseString(xml, flags);

    if (!def)
        TEST_FAIL("unexpected parse failure: %s", virGetLastErrorMessage());
    return def;
}

/* ------------------------------------------------------------------ */
/* Golden files                                                         */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *input;          /* NAME.xml */
    const char *output;         /* the expected formatting */
    unsigned int parseFlags;
    unsigned int formatFlags;
} testGolden;

static const testGolden testGoldens[] = {
    { "minimal", "minimal-out", 0, VIR_DOMAIN_DEF_FORMAT_INACTIVE },
    { "full", "full-out", 0, VIR_DOMAIN_DEF_FORMAT_INACTIVE },
    { "backing-chain", "backing-chain-out", 0, VIR_DOMAIN_DEF_FORMAT_INACTIVE },
    { "backing-chain", "backing-chain-live-out", 0, VIR_DOMAIN_DEF_FORMAT_LIVE },
    { "two-disks", "two-disks-out", 0, VIR_DOMAIN_DEF_FORMAT_INACTIVE },
    { "serial-console", "serial-console-out", 0, VIR_DOMAIN_DEF_FORMAT_INACTIVE },
    { "running", "running-live-out", VIR_DOMAIN_DEF_PARSE_STATUS, VIR_DOMAIN_DEF_FORMAT_LIVE },
    { "running", "running-out", VIR_DOMAIN_DEF_PARSE_STATUS, VIR_DOMAIN_DEF_FORMAT_INACTIVE },
    { "running", "running-config-live-out", 0, VIR_DOMAIN_DEF_FORMAT_LIVE },
    { "status", "status-out", VIR_DOMAIN_DEF_PARSE_STATUS, VIR_DOMAIN_DEF_FORMAT_STATUS },
    { "status", "status-live-out", VIR_DOMAIN_DEF_PARSE_STATUS, VIR_DOMAIN_DEF_FORMAT_LIVE },
    { "status", "status-inactive-out", VIR_DOMAIN_DEF_PARSE_STATUS, VIR_DOMAIN_DEF_FORMAT_INACTIVE },
};

static void
testGoldenRun(gconstpointer data)
{
    const testGolden *t = data;
    g_autofree char *inName = g_strdup_printf("%s.xml", t->input);
    g_autofree char *outName = g_strdup_printf("%s.xml", t->output);
    g_autofree char *outPath = testDataPath(outName);
    g_autofree char *xml = testReadData(inName);
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) again = NULL;
    g_autoptr(virDomainDef) copy = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out3 = NULL;
    unsigned int reparse;

    if (!(def = testParse(xml, t->parseFlags)))
        return;
    out = virDomainDefFormat(def, t->formatFlags);
    virTestCompareToFile(out, outPath);

    /* Parse -> format -> parse -> format gives the same text. Live data is
     * only read back from status files. */
    reparse = (t->formatFlags & VIR_DOMAIN_DEF_FORMAT_INACTIVE) ? 0 : VIR_DOMAIN_DEF_PARSE_STATUS;
    if (!(again = testParse(out, reparse)))
        return;
    out2 = virDomainDefFormat(again, t->formatFlags);
    g_assert_cmpstr(out2, ==, out);

    /* What we show users passes our own schema (status files are ours). */
    if (!(t->formatFlags & VIR_DOMAIN_DEF_FORMAT_STATUS)) {
        g_autoptr(virDomainDef) plain = testParse(out, 0);

        g_assert_nonnull(plain);
    }

    copy = virDomainDefCopy(def);
    out3 = virDomainDefFormat(copy, t->formatFlags);
    g_assert_cmpstr(out3, ==, out);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *file;
    int code;
    const char *needles[3];     /* all must appear in the message */
} testError;

static const testError testErrors[] = {
    { "error-malformed", VIR_ERR_XML_ERROR,
      { "line 4", "memroy", NULL } },
    { "error-unknown-element", VIR_ERR_XML_INVALID_SCHEMA,
      { "element 'cache'", "line 12", NULL } },
    { "error-unknown-attribute", VIR_ERR_XML_INVALID_SCHEMA,
      { "'startupPolicy'", "element 'source'", "line 10" } },
    { "error-memory-unit", VIR_ERR_XML_DETAIL,
      { "'XiB'", "element 'memory'", "line 4" } },
    { "error-memory-zero", VIR_ERR_XML_DETAIL,
      { "element 'memory'", "line 4", NULL } },
    { "error-current-memory", VIR_ERR_XML_DETAIL,
      { "element 'currentMemory'", "line 5", NULL } },
    { "error-vcpu-zero", VIR_ERR_XML_DETAIL,
      { "element 'vcpu'", "line 5", NULL } },
    { "error-duplicate-target", VIR_ERR_XML_DETAIL,
      { "'vda'", "element 'target'", "line 15" } },
    { "error-duplicate-image", VIR_ERR_CONFIG_UNSUPPORTED,
      { "'/images/one.qcow2'", "element 'source'", "line 14" } },
    { "error-relative-path", VIR_ERR_XML_DETAIL,
      { "'images/relative.qcow2'", "element 'source'", "line 10" } },
    { "error-backing-unterminated", VIR_ERR_XML_DETAIL,
      { "<backingStore/>", "element 'backingStore'", "line 12" } },
    { "error-backing-loop", VIR_ERR_CONFIG_UNSUPPORTED,
      { "'/images/top.qcow2'", "twice", "line 11" } },
    { "error-bad-bus", VIR_ERR_XML_INVALID_SCHEMA,
      { "'usb'", "element 'target'", "line 11" } },
    { "error-name-slash", VIR_ERR_XML_DETAIL,
      { "'a/b'", "element 'name'", "line 3" } },
    { "error-uuid", VIR_ERR_XML_DETAIL,
      { "element 'uuid'", "line 3", NULL } },
    { "error-root", VIR_ERR_XML_INVALID_SCHEMA,
      { "'network'", "line 1", NULL } },
    { "error-doctype", VIR_ERR_XML_ERROR,
      { "document type", "line 3", NULL } },
    { "error-missing-os", VIR_ERR_XML_INVALID_SCHEMA,
      { "'os'", "element 'domain'", "line 1" } },
    { "error-emulator-relative", VIR_ERR_XML_DETAIL,
      { "element 'emulator'", "line 8", NULL } },
};

static void
testErrorRun(gconstpointer data)
{
    const testError *t = data;
    g_autofree char *name = g_strdup_printf("%s.xml", t->file);
    g_autofree char *xml = testReadData(name);
    g_autoptr(virDomainDef) def = NULL;
    virErrorPtr err;
    size_t i;

    virResetLastError();
    def = virDomainDefParseString(xml, 0);
    g_assert_null(def);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_test_message("%s: %s", virErrorCodeName(err->code), err->message);
    g_assert_cmpstr(virErrorCodeName(err->code), ==, virErrorCodeName(t->code));
    g_assert_cmpint(err->domain, ==, VIR_FROM_DOMAIN);
    for (i = 0; i < G_N_ELEMENTS(t->needles) && t->needles[i]; i++) {
        if (!strstr(err->message, t->needles[i]))
            TEST_FAIL("message '%s' lacks '%s'", err->message, t->needles[i]);
    }
}

/* The status parser (no schema) checks values as well. */
static void
testErrorStatus(void)
{
    static const char *xml =
        "<domain type='qemu' id='1'>\n"
        "  <name>s</name>\n"
        "  <memory unit='potatoes'>1</memory>\n"
        "  <os><type>hvm</type></os>\n"
        "</domain>\n";
    static const char *noname =
        "<domain type='qemu'>\n"
        "  <memory>1024</memory>\n"
        "  <os><type>hvm</type></os>\n"
        "</domain>\n";

    g_assert_null(virDomainDefParseString(xml, VIR_DOMAIN_DEF_PARSE_STATUS));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_XML_DETAIL);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "line 3"));

    g_assert_null(virDomainDefParseString(noname, VIR_DOMAIN_DEF_PARSE_STATUS));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_NAME);
}

/*
 * Disk targets too short or with a bad tail are refused, also by the
 * status parser that has no schema in front of it (a one-letter target
 * once read past the end of the string: found by fuzz/xml).
 */
static void
testErrorDiskTarget(void)
{
    static const struct {
        const char *dst;
        bool ok;
    } cases[] = {
        { "", false }, { "v", false }, { "vd", false }, { "vdA", false },
        { "vd1", false }, { "xda", false }, { "vda ", false },
        { "vda", true }, { "hdz", true }, { "sdaa", true },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *dst = cases[i].dst;
        g_autofree char *xml = g_strdup_printf(
            "<domain type='qemu' id='1'>\n"
            "  <name>t</name>\n"
            "  <memory>65536</memory>\n"
            "  <os><type>hvm</type></os>\n"
            "  <devices><disk type='file' device='disk'>\n"
            "    <source file='/images/t.qcow2'/><target dev='%s'/>\n"
            "  </disk></devices>\n"
            "</domain>\n", dst);
        g_autoptr(virDomainDef) def = NULL;

        virResetLastError();
        def = virDomainDefParseString(xml, VIR_DOMAIN_DEF_PARSE_STATUS);
        if (cases[i].ok) {
            g_assert_nonnull(def);
            g_assert_cmpstr(def->disks[0]->dst, ==, dst);
            continue;
        }
        g_assert_null(def);
        g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_XML_DETAIL);
        if (!strstr(virGetLastErrorMessage(), "disk target"))
            TEST_FAIL("target '%s': message '%s' lacks 'disk target'",
                      dst, virGetLastErrorMessage());
    }
}

/*
 * Parse a minimal domain named by the XML text @nameXML with @flags (an
 * id too with VIR_DOMAIN_DEF_PARSE_STATUS). With @needle NULL it must be
 * accepted, its name read as @parsed, no error left; otherwise refused
 * with VIR_ERR_XML_DETAIL, the message holding @needle and the element.
 */
static void
testCheckName(const char *nameXML, unsigned int flags, const char *needle,
              const char *parsed)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'%s>\n"
        "  <name>%s</name>\n"
        "  <memory>65536</memory>\n"
        "  <os><type>hvm</type></os>\n"
        "</domain>\n",
        flags & VIR_DOMAIN_DEF_PARSE_STATUS ? " id='1'" : "", nameXML);
    g_autoptr(virDomainDef) def = NULL;

    virResetLastError();
    def = virDomainDefParseString(xml, flags);
    if (!needle) {
        if (!def)
            TEST_FAIL("name '%s' refused (flags 0x%x): %s", nameXML, flags,
                      virGetLastErrorMessage());
        g_assert_cmpstr(def->name, ==, parsed);
        g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OK);
        return;
    }
    if (def)
        TEST_FAIL("name '%s' accepted (flags 0x%x)", nameXML, flags);
    g_test_message("%s: %s", nameXML, virGetLastErrorMessage());
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_XML_DETAIL);
    if (!strstr(virGetLastErrorMessage(), needle) ||
        !strstr(virGetLastErrorMessage(), "element 'name' at line 2"))
        TEST_FAIL("message '%s' lacks '%s'", virGetLastErrorMessage(), needle);
}

/* Names: what would be a directory, a control character or a blank at
 * either end is refused, by both parsers; the rest of libvirt's freedom
 * stays. The name is given as XML text. */
static void
testNames(void)
{
    static const struct {
        const char *xml;            /* the <name> element's content */
        const char *needle;         /* NULL: valid, parsed as @parsed */
        const char *parsed;
    } names[] = {
        { ".", "'.' is not allowed, it names a directory", NULL },
        { "..", "'..' is not allowed, it names a directory", NULL },
        { "a/b", "'a/b' contains '/'", NULL },
        { "a\tb", "'a\\tb' contains a control character (U+0009", NULL },
        { "a&#9;b", "'a\\tb' contains a control character (U+0009", NULL },
        { "a&#10;b", "'a\\nb' contains a control character (U+000A", NULL },
        { "a&#13;", "contains a control character (U+000D", NULL },
        { "a&#127;b", "contains a control character (U+007F", NULL },
        { "a&#133;b", "contains a control character (U+0085", NULL },
        { " vm", "' vm' begins or ends with a blank", NULL },
        { "vm ", "'vm ' begins or ends with a blank", NULL },
        { "vm&#160;", "begins or ends with a blank", NULL },
        { "&#x3000;vm", "begins or ends with a blank", NULL },
        { "", "the domain name is empty", NULL },
        /* Valid, and kept exactly. */
        { "a,b='c' d=e", NULL, "a,b='c' d=e" },
        { "a b", NULL, "a b" },
        { "...", NULL, "..." },
        { ".vm", NULL, ".vm" },
        { "caf\xc3\xa9", NULL, "caf\xc3\xa9" },
    };
    static const unsigned int flags[] = { 0, VIR_DOMAIN_DEF_PARSE_STATUS };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(flags); j++)
            testCheckName(names[i].xml, flags[j], names[i].needle, names[i].parsed);
    }
}

/* Definitions and status files already on disk
 * (VIR_DOMAIN_DEF_PARSE_ON_DISK): the names older versions accepted load
 * (with a warning), those they refused still do not. */
static void
testNamesOnDisk(void)
{
    static const struct {
        const char *xml;            /* the <name> element's content */
        const char *needle;         /* NULL: loaded as @parsed */
        const char *parsed;
    } names[] = {
        { ".", NULL, "." },
        { "..", NULL, ".." },
        { "a\tb", NULL, "a\tb" },
        { "a&#127;b", NULL, "a\177b" },
        { " vm", NULL, " vm" },
        { "vm ", NULL, "vm " },
        /* Never accepted: not a file name, or not one line of a table. */
        { "", "the domain name is empty", NULL },
        { "a/b", "'a/b' contains '/'", NULL },
        { "../x", "'../x' contains '/'", NULL },
        { "a&#10;b", "'a\\nb' contains a control character (U+000A", NULL },
    };
    static const unsigned int flags[] = {
        VIR_DOMAIN_DEF_PARSE_ON_DISK,
        VIR_DOMAIN_DEF_PARSE_ON_DISK | VIR_DOMAIN_DEF_PARSE_STATUS,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(flags); j++)
            testCheckName(names[i].xml, flags[j], names[i].needle, names[i].parsed);
    }
}

static void
testErrorFlags(void)
{
    g_autofree char *xml = testReadData("minimal.xml");

    g_assert_null(virDomainDefParseString(xml, 1U << 7));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_null(virDomainDefParseString(NULL, 0));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
}

/* Memory sizes in every unit libvirt knows, rounded up to KiB. */
static void
testMemoryUnits(void)
{
    static const struct {
        const char *unit;
        const char *value;
        unsigned long long kib;
    } cases[] = {
        { NULL, "1000", 1000 },
        { "b", "1025", 2 },
        { "bytes", "1024", 1 },
        { "k", "3", 3 },
        { "KiB", "3", 3 },
        { "KB", "1000", 977 },
        { "M", "2", 2048 },
        { "MiB", "2", 2048 },
        { "MB", "1", 977 },
        { "G", "1", 1048576 },
        { "GiB", "2", 2097152 },
        { "T", "1", 1073741824ULL },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *unit = cases[i].unit
            ? g_strdup_printf(" unit='%s'", cases[i].unit) : g_strdup("");
        g_autofree char *xml = g_strdup_printf(
            "<domain type='qemu'><name>m</name>"
            "<memory%s>%s</memory><os><type>hvm</type></os></domain>",
            unit, cases[i].value);
        g_autoptr(virDomainDef) def = testParse(xml, 0);

        if (!def)
            return;
        g_assert_cmpuint(def->maxMemKiB, ==, cases[i].kib);
        g_assert_cmpuint(def->curMemKiB, ==, cases[i].kib);
    }

    {
        const char *big = "<domain type='qemu'><name>m</name>"
                          "<memory unit='EiB'>100000</memory>"
                          "<os><type>hvm</type></os></domain>";

        g_assert_null(virDomainDefParseString(big, 0));
        g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_XML_DETAIL);
        g_assert_nonnull(strstr(virGetLastErrorMessage(), "too large"));
    }
}

/* ------------------------------------------------------------------ */
/* Generated UUIDs and small helpers                                    */
/* ------------------------------------------------------------------ */

static void
testUUIDGenerated(void)
{
    static const unsigned char zero[VIR_UUID_BUFLEN] = { 0 };
    const char *xml = "<domain type='qemu'><name>nouuid</name>"
                      "<memory>1024</memory><os><type>hvm</type></os></domain>";
    g_autoptr(virDomainDef) def = testParse(xml, 0);
    g_autoptr(virDomainDef) again = NULL;
    g_autofree char *out = NULL;

    if (!def)
        return;
    g_assert_true(memcmp(def->uuid, zero, VIR_UUID_BUFLEN) != 0);
    out = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    if (!(again = testParse(out, 0)))
        return;
    g_assert_cmpmem(def->uuid, VIR_UUID_BUFLEN, again->uuid, VIR_UUID_BUFLEN);
}

static void
testEnums(void)
{
    g_assert_cmpstr(virStorageFileFormatToString(VIR_STORAGE_FILE_QCOW2), ==, "qcow2");
    g_assert_cmpstr(virStorageFileFormatToString(VIR_STORAGE_FILE_RAW), ==, "raw");
    g_assert_cmpint(virStorageFileFormatFromString("qcow2"), ==, VIR_STORAGE_FILE_QCOW2);
    g_assert_cmpint(virStorageFileFormatFromString("raw"), ==, VIR_STORAGE_FILE_RAW);
    g_assert_cmpint(virStorageFileFormatFromString("vmdk"), ==, -1);
    g_assert_cmpint(virStorageFileFormatFromString("none"), ==, -1);
    g_assert_cmpstr(virDomainDiskBusToString(VIR_DOMAIN_DISK_BUS_SATA), ==, "sata");
    g_assert_null(virDomainDiskBusToString(VIR_DOMAIN_DISK_BUS_LAST));
    g_assert_cmpstr(virDomainVirtTypeToString(VIR_DOMAIN_VIRT_KVM), ==, "kvm");
}

static void
testLookups(void)
{
    g_autofree char *xml = testReadData("backing-chain.xml");
    g_autoptr(virDomainDef) def = testParse(xml, 0);
    virDomainDiskDef *vda;

    if (!def)
        return;
    vda = virDomainDiskByName(def, "vda");
    g_assert_nonnull(vda);
    g_assert_true(virDomainDiskByName(def, "/images/chain/top.qcow2") == vda);
    g_assert_true(virDomainDiskByName(def, "vdb") == def->disks[1]);
    g_assert_null(virDomainDiskByName(def, "vdc"));
    g_assert_null(virDomainDiskByName(def, "/images/chain/mid.qcow2"));

    g_assert_cmpuint(virStorageSourceChainLength(vda->src), ==, 2);
    g_assert_cmpuint(virStorageSourceChainLength(def->disks[1]->src), ==, 0);
    g_assert_true(virStorageSourceChainHasPath(vda->src, "/images/chain/base.raw"));
    g_assert_true(virStorageSourceChainHasPath(vda->src, "/images/chain/top.qcow2"));
    g_assert_false(virStorageSourceChainHasPath(vda->src, "/images/chain/flat.qcow2"));
    g_assert_true(vda->src->backingFromXML);
    g_assert_true(vda->src->backingStore->readonly);
    g_assert_cmpint(vda->src->backingStore->backingStore->format, ==, VIR_STORAGE_FILE_RAW);
    g_assert_cmpint(vda->src->backingStore->backingStore->backingStore->type, ==,
                    VIR_STORAGE_TYPE_NONE);

    /* Indexes: node names are respected, the rest counts on. */
    def->disks[1]->src->nodeformat = g_strdup("libvirt-7-format");
    virDomainDefAssignStorageIndexes(def);
    g_assert_cmpuint(vda->src->index, ==, 8);
    g_assert_cmpuint(vda->src->backingStore->index, ==, 9);
    g_assert_cmpuint(vda->src->backingStore->backingStore->index, ==, 10);
    g_assert_cmpuint(def->disks[1]->src->index, ==, 7);
}

/* A <domain> nested in a status-like wrapper, with and without the schema. */
static void
testParseNode(void)
{
    static const char *xml =
        "<domstatus state='running'>\n"
        "  <domain type='qemu' id='4'>\n"
        "    <name>nested</name>\n"
        "    <memory>1024</memory>\n"
        "    <os><type>hvm</type></os>\n"
        "    <devices><disk type='file'><source file='/n.qcow2'/>\n"
        "      <target dev='vda'/><alias name='virtio-disk0'/></disk></devices>\n"
        "  </domain>\n"
        "</domstatus>\n";
    static const char *bad =
        "<domstatus>\n"
        "  <domain type='qemu'>\n"
        "    <name>nested</name>\n"
        "    <memory>1024</memory>\n"
        "    <os><type>hvm</type><loader/></os>\n"
        "  </domain>\n"
        "</domstatus>\n";
    xmlDoc *doc = xmlReadMemory(xml, strlen(xml), "t.xml", NULL, XML_PARSE_NONET);
    xmlNode *node;
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) cfg = NULL;
    g_autoptr(GString) buf = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;
    size_t i;

    g_assert_nonnull(doc);
    for (node = xmlDocGetRootElement(doc)->children; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE)
            break;
    }
    g_assert_nonnull(node);
    def = virDomainDefParseNode(doc, node, VIR_DOMAIN_DEF_PARSE_STATUS);
    cfg = virDomainDefParseNode(doc, node, 0);
    g_assert_nonnull(def);
    g_assert_nonnull(cfg);
    g_assert_cmpint(def->id, ==, 4);
    g_assert_cmpstr(def->disks[0]->alias, ==, "virtio-disk0");
    g_assert_cmpint(cfg->id, ==, -1);
    g_assert_null(cfg->disks[0]->alias);
    g_assert_null(virDomainDefParseNode(doc, node, 1U << 9));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    xmlFreeDoc(doc);

    /* Indented output for embedding. */
    virDomainDefFormatBuf(buf, def, VIR_DOMAIN_DEF_FORMAT_STATUS, 4);
    lines = g_strsplit(buf->str, "\n", -1);
    for (i = 0; lines[i] && lines[i][0]; i++)
        g_assert_true(g_str_has_prefix(lines[i], "    "));
    g_assert_true(g_str_has_prefix(buf->str, "    <domain type='qemu' id='4'>\n"));

    /* Schema errors in a nested element name the line in the whole file. */
    doc = xmlReadMemory(bad, strlen(bad), "t.xml", NULL, XML_PARSE_NONET);
    g_assert_nonnull(doc);
    for (node = xmlDocGetRootElement(doc)->children; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE)
            break;
    }
    g_assert_null(virDomainDefParseNode(doc, node, 0));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_XML_INVALID_SCHEMA);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "'loader'"));
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "line 5"));
    xmlFreeDoc(doc);
}

static int testMarker;

#if LIBXML_VERSION >= 21200
static void
testXMLHandler(void *opaque G_GNUC_UNUSED, const xmlError *err G_GNUC_UNUSED)
#else
static void
testXMLHandler(void *opaque G_GNUC_UNUSED, xmlErrorPtr err G_GNUC_UNUSED)
#endif
{
}

/* A parse puts back the calling thread's libxml2 error handler. */
static void
testErrorHandlerRestored(void)
{
    g_autofree char *bad = testReadData("error-malformed.xml");

    xmlSetStructuredErrorFunc(&testMarker, testXMLHandler);
    g_assert_null(virDomainDefParseString(bad, 0));
    g_assert_true(xmlStructuredError == testXMLHandler);
    g_assert_true(xmlStructuredErrorContext == &testMarker);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

static gpointer
testThreadParse(gpointer data)
{
    const char *const *docs = data;
    int i;

    for (i = 0; i < 25; i++) {
        virDomainDef *good = virDomainDefParseString(docs[0], 0);
        virDomainDef *bad = virDomainDefParseString(docs[1], 0);
        virDomainDef *malformed = virDomainDefParseString(docs[2], 0);
        bool ok = good && !bad && !malformed &&
                  virGetLastErrorCode() == VIR_ERR_XML_ERROR;

        virDomainDefFree(good);
        virDomainDefFree(bad);
        if (!ok)
            return GINT_TO_POINTER(1);
    }
    return GINT_TO_POINTER(0);
}

/* Parses in several threads at once (schema compiled once, errors per thread). */
static void
testThreads(void)
{
    g_autofree char *good = testReadData("full.xml");
    g_autofree char *bad = testReadData("error-unknown-element.xml");
    g_autofree char *malformed = testReadData("error-malformed.xml");
    const char *docs[] = { good, bad, malformed };
    GThread *threads[4];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("parse", testThreadParse, docs);
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(threads[i])), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Backing chains read from real images                                 */
/* ------------------------------------------------------------------ */

typedef struct {
    char *dir;
} testImages;

static void
testImagesSetup(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    fx->dir = virTestMakeDir("domainconftest-XXXXXX");
}

static void
testImagesTeardown(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    virTestCleanupDir(fx->dir);
    g_free(fx->dir);
}

/* Run qemu-img with the given arguments (NULL-terminated); must succeed. */
static void G_GNUC_NULL_TERMINATED
testQemuImg(const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *arg;
    va_list ap;

    if (!g_file_test(QEMU_IMG_PATH, G_FILE_TEST_IS_EXECUTABLE))
        g_error("qemu-img is needed for this test and is not at '%s'", QEMU_IMG_PATH);
    g_ptr_array_add(argv, (char *)QEMU_IMG_PATH);
    va_start(ap, first);
    for (arg = first; arg; arg = va_arg(ap, const char *))
        g_ptr_array_add(argv, (char *)arg);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    virTestRun((const char *const *) argv->pdata, NULL);
}

static char *
testPath(testImages *fx, const char *name)
{
    return g_build_filename(fx->dir, name, NULL);
}

static virDomainDef *
testDefWithDisks(const char *top, const char *fmt, const char *top2, const char *fmt2)
{
    g_autofree char *disk2 = top2
        ? g_strdup_printf("<disk type='file'><driver name='qemu' type='%s'/>"
                          "<source file='%s'/><target dev='vdb'/></disk>", fmt2, top2)
        : g_strdup("");
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'><name>images</name><memory>1024</memory>"
        "<os><type>hvm</type></os><devices>"
        "<disk type='file'><driver name='qemu' type='%s'/>"
        "<source file='%s'/><target dev='vda'/></disk>%s"
        "</devices></domain>", fmt, top, disk2);

    return testParse(xml, 0);
}

static void
testChainOneLevel(testImages *fx, gconstpointer data)
{
    const char *compat = data;
    g_autofree char *base = testPath(fx, "base.qcow2");
    g_autofree char *top = testPath(fx, "top.qcow2");
    g_autofree char *opts = g_strdup_printf("compat=%s", compat);
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) status = NULL;
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;
    g_autofree char *statusXML = NULL;
    g_autofree char *live2 = NULL;
    g_autofree char *inactive2 = NULL;
    g_autofree char *expectTop = NULL;
    g_autofree char *expectBacking = NULL;
    virStorageSource *src;

    testQemuImg("create", "-q", "-f", "qcow2", "-o", opts, base, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-o", opts, "-b", base, "-F", "qcow2",
                top, NULL);

    if (!(def = testDefWithDisks(top, "qcow2", NULL, NULL)))
        return;
    if (virDomainDefResolveChains(def) < 0) {
        TEST_FAIL("chain not resolved: %s", virGetLastErrorMessage());
        return;
    }
    src = def->disks[0]->src;
    g_assert_cmpuint(virStorageSourceChainLength(src), ==, 1);
    g_assert_false(src->backingFromXML);
    g_assert_cmpstr(src->backingStore->path, ==, base);
    g_assert_cmpint(src->backingStore->format, ==, VIR_STORAGE_FILE_QCOW2);
    g_assert_true(src->backingStore->readonly);
    g_assert_cmpint(src->backingStore->backingStore->type, ==, VIR_STORAGE_TYPE_NONE);

    /* Probed chains: in live XML with indexes, never in the persistent one. */
    live = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_LIVE);
    inactive = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    expectTop = g_strdup_printf("<source file='%s' index='1'/>", top);
    expectBacking = g_strdup_printf(
        "      <backingStore type='file' index='2'>\n"
        "        <format type='qcow2'/>\n"
        "        <source file='%s'/>\n"
        "        <backingStore/>\n"
        "      </backingStore>\n", base);
    g_assert_nonnull(strstr(live, expectTop));
    g_assert_nonnull(strstr(live, expectBacking));
    g_assert_null(strstr(inactive, "backingStore"));
    g_assert_null(strstr(inactive, "index="));

    /* A status file keeps where the chain came from. */
    statusXML = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_STATUS);
    if (!(status = testParse(statusXML, VIR_DOMAIN_DEF_PARSE_STATUS)))
        return;
    live2 = virDomainDefFormat(status, VIR_DOMAIN_DEF_FORMAT_LIVE);
    inactive2 = virDomainDefFormat(status, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
    g_assert_cmpstr(live2, ==, live);
    g_assert_cmpstr(inactive2, ==, inactive);
}

static void
testChainTwoLevelsRawBase(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *base = testPath(fx, "base.raw");
    g_autofree char *mid = testPath(fx, "mid.qcow2");
    g_autofree char *top = testPath(fx, "top.qcow2");
    g_autoptr(virDomainDef) def = NULL;
    virStorageSource *src;

    testQemuImg("create", "-q", "-f", "raw", base, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-b", base, "-F", "raw", mid, NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-b", mid, "-F", "qcow2", top, NULL);

    if (!(def = testDefWithDisks(top, "qcow2", NULL, NULL)))
        return;
    if (virDomainDefResolveChains(def) < 0) {
        TEST_FAIL("chain not resolved: %s", virGetLastErrorMessage());
        return;
    }
    src = def->disks[0]->src;
    g_assert_cmpuint(virStorageSourceChainLength(src), ==, 2);
    g_assert_cmpstr(src->backingStore->path, ==, mid);
    g_assert_cmpint(src->backingStore->format, ==, VIR_STORAGE_FILE_QCOW2);
    g_assert_cmpstr(src->backingStore->backingStore->path, ==, base);
    g_assert_cmpint(src->backingStore->backingStore->format, ==, VIR_STORAGE_FILE_RAW);
    g_assert_cmpint(src->backingStore->backingStore->backingStore->type, ==,
                    VIR_STORAGE_TYPE_NONE);
}

static void
testChainRelative(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *sub = testPath(fx, "sub");
    g_autofree char *base = testPath(fx, "base.qcow2");
    g_autofree char *top = testPath(fx, "sub/top.qcow2");
    g_autofree char *joined = testPath(fx, "sub/../base.qcow2");
    g_autofree char *backing = NULL;
    g_autoptr(virDomainDef) def = NULL;
    virStorageFileFormat fmt;

    g_assert_cmpint(mkdir(sub, 0755), ==, 0);
    testQemuImg("create", "-q", "-f", "qcow2", base, "1M", NULL);
    /* The name stored in the header is relative to top's directory. */
    testQemuImg("create", "-q", "-f", "qcow2", "-b", "../base.qcow2", "-F", "qcow2",
                top, NULL);

    /* The name QEMU opens: joined to top's directory, not canonicalized. */
    g_assert_cmpint(virStorageFileGetBacking(top, VIR_STORAGE_FILE_QCOW2,
                                             &backing, &fmt), ==, 0);
    g_assert_cmpstr(backing, ==, joined);
    g_assert_cmpint(fmt, ==, VIR_STORAGE_FILE_QCOW2);
    g_clear_pointer(&backing, g_free);

    /* The chain holds the file it leads to. */
    if (!(def = testDefWithDisks(top, "qcow2", NULL, NULL)))
        return;
    g_assert_cmpint(virDomainDefResolveChains(def), ==, 0);
    g_assert_cmpstr(def->disks[0]->src->backingStore->path, ==, base);

    g_assert_cmpint(virStorageFileGetBacking(base, VIR_STORAGE_FILE_QCOW2,
                                             &backing, &fmt), ==, 0);
    g_assert_null(backing);
    g_assert_cmpint(fmt, ==, VIR_STORAGE_FILE_NONE);
}

/*
 * A relative name with ".." below a symlinked directory: the kernel
 * resolves ".." from where the link leads (as QEMU opens it), which is not
 * where dropping the last lexical component leads. Both files exist, so
 * only the right resolution passes.
 */
static void
testChainRelativeSymlink(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *realsub = testPath(fx, "real/sub");
    g_autofree char *link = testPath(fx, "link");
    g_autofree char *lexical = testPath(fx, "base.qcow2");
    g_autofree char *physical = testPath(fx, "real/base.qcow2");
    g_autofree char *top = testPath(fx, "link/top.qcow2");
    g_autofree char *joined = testPath(fx, "link/../base.qcow2");
    g_autofree char *backing = NULL;
    g_autoptr(virDomainDef) def = NULL;
    virStorageFileFormat fmt;

    g_assert_cmpint(g_mkdir_with_parents(realsub, 0755), ==, 0);
    g_assert_cmpint(symlink(realsub, link), ==, 0);
    testQemuImg("create", "-q", "-f", "qcow2", lexical, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", physical, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-b", "../base.qcow2", "-F", "qcow2",
                top, NULL);

    g_assert_cmpint(virStorageFileGetBacking(top, VIR_STORAGE_FILE_QCOW2,
                                             &backing, &fmt), ==, 0);
    g_assert_cmpstr(backing, ==, joined);

    if (!(def = testDefWithDisks(top, "qcow2", NULL, NULL)))
        return;
    if (virDomainDefResolveChains(def) < 0) {
        TEST_FAIL("chain not resolved: %s", virGetLastErrorMessage());
        return;
    }
    g_assert_cmpstr(def->disks[0]->src->backingStore->path, ==, physical);
}

/* What a check callback saw; it refuses everything. */
typedef struct {
    char *disk;
    char *image;
    char *name;
    char *backing;
} testCheckSeen;

static int
testCheckRefuse(const virDomainDiskDef *disk, const char *image,
                const char *name, const char *backing, void *opaque)
{
    testCheckSeen *seen = opaque;

    seen->disk = g_strdup(disk->dst);
    seen->image = g_strdup(image);
    seen->name = g_strdup(name);
    seen->backing = g_strdup(backing);
    virReportError(VIR_ERR_ACCESS_DENIED, "refused '%s'", backing);
    return -1;
}

/* The check sees the file a header names, resolved, before it is opened:
 * here a FIFO, which would block an open. */
static void
testChainCheck(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *fifo = testPath(fx, "fifo");
    g_autofree char *link = testPath(fx, "fifo-link");
    g_autofree char *top = testPath(fx, "top.qcow2");
    g_autoptr(virDomainDef) def = NULL;
    testCheckSeen seen = { 0 };

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_assert_cmpint(symlink("fifo", link), ==, 0);
    testQemuImg("create", "-q", "-f", "qcow2", "-u", "-b", "fifo-link", "-F", "raw",
                top, "1M", NULL);
    if (!(def = testDefWithDisks(top, "qcow2", NULL, NULL)))
        return;
    alarm(60);
    g_assert_cmpint(virDomainDefResolveChainsCheck(def, testCheckRefuse, &seen), ==, -1);
    alarm(0);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_ACCESS_DENIED);
    g_assert_cmpstr(seen.disk, ==, "vda");
    g_assert_cmpstr(seen.image, ==, top);
    g_assert_cmpstr(seen.name, ==, link);
    g_assert_cmpstr(seen.backing, ==, fifo);
    g_assert_null(def->disks[0]->src->backingStore);
    g_free(seen.disk);
    g_free(seen.image);
    g_free(seen.name);
    g_free(seen.backing);
}

/*
 * A FIFO (or a directory) as an image, given or named by a header: refused
 * at once, naming it, never opened (an open of a FIFO blocks until someone
 * opens its other end). alarm() turns a hang into a failure.
 */
static void
testChainFifo(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *fifo = testPath(fx, "fifo");
    g_autofree char *top = testPath(fx, "top.qcow2");
    g_autofree char *top2 = testPath(fx, "top2.qcow2");
    struct {
        const char *path;
        const char *fmt;
        const char *what;
    } cases[] = {
        { fifo, "qcow2", fifo },
        { fifo, "raw", fifo },
        { top, "qcow2", fifo },
        { top2, "qcow2", fx->dir },
    };

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    testQemuImg("create", "-q", "-f", "qcow2", "-u", "-b", fifo, "-F", "raw",
                top, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-u", "-b", fx->dir, "-F", "qcow2",
                top2, "1M", NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(virDomainDef) def = testDefWithDisks(cases[i].path, cases[i].fmt,
                                                       NULL, NULL);

        if (!def)
            return;
        alarm(60);
        g_assert_cmpint(virDomainDefResolveChains(def), ==, -1);
        alarm(0);
        g_test_message("%s", virGetLastErrorMessage());
        g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_CONFIG_UNSUPPORTED);
        g_assert_nonnull(strstr(virGetLastErrorMessage(), cases[i].what));
        g_assert_nonnull(strstr(virGetLastErrorMessage(),
                                i < 3 ? "is a FIFO" : "is a directory"));
    }
}

static void
testChainRawTop(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *raw = testPath(fx, "disk.raw");
    g_autoptr(virDomainDef) def = NULL;

    testQemuImg("create", "-q", "-f", "raw", raw, "1M", NULL);
    if (!(def = testDefWithDisks(raw, "raw", NULL, NULL)))
        return;
    g_assert_cmpint(virDomainDefResolveChains(def), ==, 0);
    g_assert_nonnull(def->disks[0]->src->backingStore);
    g_assert_cmpint(def->disks[0]->src->backingStore->type, ==, VIR_STORAGE_TYPE_NONE);
    g_assert_cmpuint(virStorageSourceChainLength(def->disks[0]->src), ==, 0);
}

static guint32
testBE32(const unsigned char *p)
{
    guint32 v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_BE(v);
}

/* Drop the backing format header extension from a qcow2 image, keeping
 * the other extensions (what an image made by an old qemu-img looks like). */
static void
testDropBackingFormat(const char *path)
{
    unsigned char buf[65536];
    guint32 version;
    size_t off;
    int fd = open(path, O_RDWR);
    ssize_t len;
    bool dropped = false;

    g_assert_cmpint(fd, >=, 0);
    len = pread(fd, buf, sizeof(buf), 0);
    g_assert_cmpint(len, >=, 104);
    g_assert_cmpmem(buf, 4, "QFI\xfb", 4);
    version = testBE32(buf + 4);
    off = version >= 3 ? testBE32(buf + 100) : 72;

    while (off + 8 <= (size_t)len) {
        guint32 magic = testBE32(buf + off);
        guint32 extlen = testBE32(buf + off + 4);
        size_t size = 8 + ((extlen + 7) & ~7U);

        if (magic == 0)
            break;
        if (magic == 0xE2792ACA) {
            size_t end = off + size;

            /* Find the terminator, move the rest up, clear the tail. */
            while (end + 8 <= (size_t)len && testBE32(buf + end) != 0)
                end += 8 + ((testBE32(buf + end + 4) + 7) & ~7U);
            memmove(buf + off, buf + off + size, end + 8 - (off + size));
            memset(buf + end + 8 - size, 0, size);
            dropped = true;
            break;
        }
        off += size;
    }
    g_assert_true(dropped);
    g_assert_cmpint(pwrite(fd, buf, len, 0), ==, len);
    close(fd);
}

static void
testChainNoBackingFormat(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *base = testPath(fx, "base.qcow2");
    g_autofree char *top = testPath(fx, "top.qcow2");
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *out = NULL;
    g_autofree char *outErr = NULL;
    g_autoptr(GError) err = NULL;
    const char *info[] = { QEMU_IMG_PATH, "info", "--output=json", top, NULL };
    int status;

    testQemuImg("create", "-q", "-f", "qcow2", base, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", top, NULL);
    testDropBackingFormat(top);

    /* qemu-img agrees that the image is intact and has no backing format. */
    g_assert_true(g_spawn_sync(NULL, (char **)info, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &outErr, &status, &err));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_nonnull(strstr(out, "\"backing-filename\""));
    g_assert_null(strstr(out, "\"backing-filename-format\""));

    if (!(def = testDefWithDisks(top, "qcow2", NULL, NULL)))
        return;
    virResetLastError();
    g_assert_cmpint(virDomainDefResolveChains(def), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_CONFIG_UNSUPPORTED);
    g_test_message("%s", virGetLastErrorMessage());
    g_assert_nonnull(strstr(virGetLastErrorMessage(), top));
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "not recorded"));
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "qemu-img rebase -u -F"));
    g_assert_null(def->disks[0]->src->backingStore);
}

static void
testChainMissingBacking(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *base = testPath(fx, "base.qcow2");
    g_autofree char *top = testPath(fx, "top.qcow2");
    g_autofree char *nothing = testPath(fx, "nothing.qcow2");
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) def2 = NULL;

    testQemuImg("create", "-q", "-f", "qcow2", base, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", top, NULL);
    g_assert_cmpint(unlink(base), ==, 0);

    if (!(def = testDefWithDisks(top, "qcow2", NULL, NULL)))
        return;
    g_assert_cmpint(virDomainDefResolveChains(def), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_SOURCE);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), base));

    /* A missing top image too. */
    if (!(def2 = testDefWithDisks(nothing, "qcow2", NULL, NULL)))
        return;
    g_assert_cmpint(virDomainDefResolveChains(def2), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_SOURCE);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), nothing));
}

static void
testChainProtocol(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    static const char *names[] = {
        "nbd://localhost:10809/export",
        "json:{\"driver\": \"raw\", \"file\": {\"driver\": \"file\", \"filename\": \"/x\"}}",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *top = testPath(fx, "proto.qcow2");
        g_autofree char *backing = NULL;
        virStorageFileFormat fmt;

        unlink(top);
        testQemuImg("create", "-q", "-f", "qcow2", "-u", "-b", names[i], "-F", "raw",
                    top, "1M", NULL);
        g_assert_cmpint(virStorageFileGetBacking(top, VIR_STORAGE_FILE_QCOW2,
                                                 &backing, &fmt), ==, -1);
        g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_CONFIG_UNSUPPORTED);
        g_assert_nonnull(strstr(virGetLastErrorMessage(), "not a local file"));
        g_assert_null(backing);
    }
}

static void
testChainLoop(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *a = testPath(fx, "a.qcow2");
    g_autofree char *b = testPath(fx, "b.qcow2");
    g_autoptr(virDomainDef) def = NULL;

    testQemuImg("create", "-q", "-f", "qcow2", "-u", "-b", b, "-F", "qcow2", a, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-u", "-b", a, "-F", "qcow2", b, "1M", NULL);
    if (!(def = testDefWithDisks(a, "qcow2", NULL, NULL)))
        return;
    g_assert_cmpint(virDomainDefResolveChains(def), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "loops"));
}

static void
testChainNotQcow2(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *raw = testPath(fx, "really.raw");
    g_autofree char *backing = NULL;
    virStorageFileFormat fmt;

    testQemuImg("create", "-q", "-f", "raw", raw, "1M", NULL);
    g_assert_cmpint(virStorageFileGetBacking(raw, VIR_STORAGE_FILE_QCOW2,
                                             &backing, &fmt), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_STORAGE_PROBE_FAILED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), raw));
}

/* Virtual sizes: the qcow2 header's, a raw file's own; a FIFO is refused
 * without being opened, and a raw file is not a qcow2 image. */
static void
testVirtualSize(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *v2 = testPath(fx, "v2.qcow2");
    g_autofree char *v3 = testPath(fx, "v3.qcow2");
    g_autofree char *overlay = testPath(fx, "overlay.qcow2");
    g_autofree char *raw = testPath(fx, "disk.raw");
    g_autofree char *fifo = testPath(fx, "fifo");
    g_autofree char *missing = testPath(fx, "missing.qcow2");
    unsigned long long size = 0;

    testQemuImg("create", "-q", "-f", "qcow2", "-o", "compat=0.10", v2, "5M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", v3, "3G", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-b", v3, "-F", "qcow2", overlay, "4G", NULL);
    testQemuImg("create", "-q", "-f", "raw", raw, "3M", NULL);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);

    g_assert_cmpint(virStorageFileGetVirtualSize(v2, VIR_STORAGE_FILE_QCOW2, &size), ==, 0);
    g_assert_cmpuint(size, ==, 5ULL << 20);
    g_assert_cmpint(virStorageFileGetVirtualSize(v3, VIR_STORAGE_FILE_QCOW2, &size), ==, 0);
    g_assert_cmpuint(size, ==, 3ULL << 30);
    g_assert_cmpint(virStorageFileGetVirtualSize(overlay, VIR_STORAGE_FILE_QCOW2, &size), ==, 0);
    g_assert_cmpuint(size, ==, 4ULL << 30);
    g_assert_cmpint(virStorageFileGetVirtualSize(raw, VIR_STORAGE_FILE_RAW, &size), ==, 0);
    g_assert_cmpuint(size, ==, 3ULL << 20);
    g_assert_cmpint(virStorageFileGetVirtualSize(raw, VIR_STORAGE_FILE_NONE, &size), ==, 0);
    g_assert_cmpuint(size, ==, 3ULL << 20);

    size = 7;
    g_assert_cmpint(virStorageFileGetVirtualSize(raw, VIR_STORAGE_FILE_QCOW2, &size), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_STORAGE_PROBE_FAILED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), raw));
    g_assert_cmpint(virStorageFileGetVirtualSize(missing, VIR_STORAGE_FILE_QCOW2, &size), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_SOURCE);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), missing));
    alarm(60);
    g_assert_cmpint(virStorageFileGetVirtualSize(fifo, VIR_STORAGE_FILE_QCOW2, &size), ==, -1);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "is a FIFO"));
    g_assert_cmpint(virStorageFileGetVirtualSize(fifo, VIR_STORAGE_FILE_RAW, &size), ==, -1);
    alarm(0);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), fifo));
    g_assert_cmpuint(size, ==, 7);
}

/* A chain given in the XML is trusted: no image is opened. */
static void
testChainGivenKept(void)
{
    g_autofree char *xml = testReadData("backing-chain.xml");
    g_autoptr(virDomainDef) def = testParse(xml, 0);
    virStorageSource *before;

    if (!def)
        return;
    before = def->disks[0]->src->backingStore;
    g_assert_cmpint(virDomainDefResolveChains(def), ==, 0);
    g_assert_true(def->disks[0]->src->backingStore == before);
    g_assert_cmpuint(virStorageSourceChainLength(def->disks[0]->src), ==, 2);
}

static void
testChainShared(testImages *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *base = testPath(fx, "base.qcow2");
    g_autofree char *top1 = testPath(fx, "top1.qcow2");
    g_autofree char *top2 = testPath(fx, "top2.qcow2");
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) bad = NULL;

    testQemuImg("create", "-q", "-f", "qcow2", base, "1M", NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", top1, NULL);
    testQemuImg("create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", top2, NULL);

    /* Two overlays of one base: the base is only read. */
    if (!(def = testDefWithDisks(top1, "qcow2", top2, "qcow2")))
        return;
    if (virDomainDefResolveChains(def) < 0) {
        TEST_FAIL("chain not resolved: %s", virGetLastErrorMessage());
        return;
    }

    /* A disk writing what another disk reads as its backing image. */
    if (!(bad = testDefWithDisks(top1, "qcow2", base, "qcow2")))
        return;
    g_assert_cmpint(virDomainDefResolveChains(bad), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), base));
}

int
main(int argc, char **argv)
{
    size_t i;

    virTestInit(&argc, &argv);

    for (i = 0; i < G_N_ELEMENTS(testGoldens); i++) {
        g_autofree char *name = g_strdup_printf("/domainconf/golden/%s", testGoldens[i].output);

        g_test_add_data_func(name, &testGoldens[i], testGoldenRun);
    }
    for (i = 0; i < G_N_ELEMENTS(testErrors); i++) {
        g_autofree char *name = g_strdup_printf("/domainconf/error/%s", testErrors[i].file);

        g_test_add_data_func(name, &testErrors[i], testErrorRun);
    }
    g_test_add_func("/domainconf/error/status-values", testErrorStatus);
    g_test_add_func("/domainconf/error/flags", testErrorFlags);
    g_test_add_func("/domainconf/error/disk-target", testErrorDiskTarget);
    g_test_add_func("/domainconf/error/names", testNames);
    g_test_add_func("/domainconf/error/names-on-disk", testNamesOnDisk);
    g_test_add_func("/domainconf/error/handler-restored", testErrorHandlerRestored);
    g_test_add_func("/domainconf/memory-units", testMemoryUnits);
    g_test_add_func("/domainconf/uuid/generated", testUUIDGenerated);
    g_test_add_func("/domainconf/enums", testEnums);
    g_test_add_func("/domainconf/lookups", testLookups);
    g_test_add_func("/domainconf/parse-node", testParseNode);
    g_test_add_func("/domainconf/threads", testThreads);

    /* Images made by qemu-img: not in a build without QEMU. */
#define ADD_IMAGE_TEST(path, data, func) \
    do { \
        if (VIR_TEST_INTEGRATION) \
            g_test_add("/domainconf/chain/" path, testImages, data, \
                       testImagesSetup, func, testImagesTeardown); \
    } while (0)
    ADD_IMAGE_TEST("one-level-v3", "1.1", testChainOneLevel);
    ADD_IMAGE_TEST("one-level-v2", "0.10", testChainOneLevel);
    ADD_IMAGE_TEST("two-levels-raw-base", NULL, testChainTwoLevelsRawBase);
    ADD_IMAGE_TEST("relative", NULL, testChainRelative);
    ADD_IMAGE_TEST("relative-symlink", NULL, testChainRelativeSymlink);
    ADD_IMAGE_TEST("check", NULL, testChainCheck);
    ADD_IMAGE_TEST("fifo", NULL, testChainFifo);
    ADD_IMAGE_TEST("raw-top", NULL, testChainRawTop);
    ADD_IMAGE_TEST("no-backing-format", NULL, testChainNoBackingFormat);
    ADD_IMAGE_TEST("missing", NULL, testChainMissingBacking);
    ADD_IMAGE_TEST("protocol", NULL, testChainProtocol);
    ADD_IMAGE_TEST("loop", NULL, testChainLoop);
    ADD_IMAGE_TEST("not-qcow2", NULL, testChainNotQcow2);
    ADD_IMAGE_TEST("shared-base", NULL, testChainShared);
    ADD_IMAGE_TEST("virtual-size", NULL, testVirtualSize);
#undef ADD_IMAGE_TEST
    g_test_add_func("/domainconf/chain/given-kept", testChainGivenKept);

    return g_test_run();
}
