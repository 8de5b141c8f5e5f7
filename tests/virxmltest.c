/*
 * virxmltest.c: src/util/virxml.c: safe parsing of strings and files, the
 * getters and their errors (in the caller's error domain, naming the
 * element and line), escaping and the indenting writer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "testutils.h"
#include "testutilsvirt.h"
#include "util/virerror.h"
#include "util/virxml.h"

/* The helpers report in the caller's domain: ours. */
#define VIR_FROM_THIS VIR_FROM_TEST

/* A document parsed by libxml2 itself, for the getters. */
static xmlDoc *
testDoc(const char *xml)
{
    xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);

    g_assert_nonnull(doc);
    return doc;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */
/* ------------------------------------------------------------------ */

static void
testParseString(void)
{
    g_autoptr(xmlDoc) doc = virXMLParseString("<a>\n  <b x='1'/>\n</a>\n", "test XML");

    g_assert_nonnull(doc);
    g_assert_cmpstr((const char *)xmlDocGetRootElement(doc)->name, ==, "a");

    virResetLastError();
    g_assert_null(virXMLParseString("<a>\n  <b>\n</a>\n", "test XML"));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_ERROR, "malformed XML document at line 3:",
                           "b", NULL);

    g_assert_null(virXMLParseString("", "test XML"));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_ERROR, "malformed XML document", NULL);

    /* An undefined entity is malformed, not left for later. */
    g_assert_null(virXMLParseString("<a>&secret;</a>", "test XML"));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_ERROR, "line 1", "secret", NULL);
}

/* A document type declaration could declare entities that read files:
 * refused whatever it declares, and nothing it names is read. */
static void
testParseDoctype(void)
{
    static const char *xml =
        "<?xml version='1.0'?>\n"
        "<!DOCTYPE a [\n"
        "  <!ENTITY e SYSTEM '/etc/passwd'>\n"
        "]>\n"
        "<a>&e;</a>\n";

    g_assert_null(virXMLParseString(xml, "test XML"));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_ERROR,
                           "document type declarations are not allowed in test XML",
                           "element 'a' at line 5", NULL);
    g_assert_null(strstr(virGetLastErrorMessage(), "root:"));
}

static void
testParseFile(void)
{
    g_autofree char *dir = virTestMakeDir("virxmltest-XXXXXX");
    g_autofree char *good = g_build_filename(dir, "good.xml", NULL);
    g_autofree char *bad = g_build_filename(dir, "bad.xml", NULL);
    g_autofree char *fifo = g_build_filename(dir, "fifo.xml", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.xml", NULL);
    g_autoptr(xmlDoc) doc = NULL;

    g_assert_true(g_file_set_contents(good, "<status>\n  <x/>\n</status>\n", -1, NULL));
    g_assert_true(g_file_set_contents(bad, "<status>\n  <x>\n", -1, NULL));
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);

    doc = virXMLParseFile(good, "status file");
    g_assert_nonnull(doc);
    g_assert_cmpint(xmlGetLineNo(xmlDocGetRootElement(doc)->children->next), ==, 2);
    /* A fault in a document read from a file names the file, as it is
     * (not URI-escaped: the name has a space). */
    {
        g_autofree char *spaced = g_build_filename(dir, "a b.xml", NULL);
        g_autoptr(xmlDoc) sdoc = NULL;
        guint64 val;

        g_assert_true(g_file_set_contents(spaced, "<status pid='-1'/>\n", -1, NULL));
        sdoc = virXMLParseFile(spaced, "status file");
        g_assert_nonnull(sdoc);
        g_assert_cmpint(virXMLPropUIntRequired(xmlDocGetRootElement(sdoc), "pid",
                                               0, G_MAXINT, &val), ==, -1);
        virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL, "invalid pid '-1'",
                               "(element 'status' at line 1 of '", spaced, "')",
                               NULL);
        g_assert_cmpint(virXMLPropUIntRequired(xmlDocGetRootElement(sdoc), "ppid",
                                               0, G_MAXINT, &val), ==, -1);
        virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL,
                               "missing attribute 'ppid'", spaced, NULL);
        unlink(spaced);
    }

    g_assert_null(virXMLParseFile(bad, "status file"));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_ERROR, "malformed XML document '", bad,
                           "' at line 3", NULL);

    g_assert_null(virXMLParseFile(missing, "status file"));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_SYSTEM_ERROR, missing, NULL);

    /* Neither a FIFO nor a directory is read (opening a FIFO would block
     * until a writer comes): alarm() turns a hang into a failure. */
    alarm(60);
    g_assert_null(virXMLParseFile(fifo, "status file"));
    alarm(0);
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_ERROR, fifo, "not a regular file", NULL);
    g_assert_null(virXMLParseFile(dir, "status file"));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_ERROR, dir, "not a regular file", NULL);

    virTestCleanupDir(dir);
}

/* ------------------------------------------------------------------ */
/* Reading elements                                                     */
/* ------------------------------------------------------------------ */

static void
testGetters(void)
{
    g_autoptr(xmlDoc) doc = testDoc("<a xmlns:o='urn:o' x='1' o:y='2'>\n"
                                    "  text\n"
                                    "  <b/>\n"
                                    "  <c><![CDATA[<raw>]]> and more</c>\n"
                                    "  <b z='3'/>\n"
                                    "</a>\n");
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *b;
    xmlNode *c;
    g_autofree char *x = virXMLPropString(root, "x");
    g_autofree char *y = virXMLPropString(root, "y");
    g_autofree char *req = NULL;
    g_autofree char *text = NULL;

    g_assert_true(virXMLNodeNameEqual(root, "a"));
    g_assert_false(virXMLNodeNameEqual(root, "b"));
    g_assert_false(virXMLNodeNameEqual(root->children, "text"));
    g_assert_true(virXMLNodeHasElements(root));

    /* The first of two. */
    b = virXMLNodeGetChild(root, "b");
    g_assert_nonnull(b);
    g_assert_null(xmlHasProp(b, (const xmlChar *)"z"));
    g_assert_false(virXMLNodeHasElements(b));
    g_assert_null(virXMLNodeGetChild(root, "d"));

    /* Attributes in a namespace are not ours. */
    g_assert_cmpstr(x, ==, "1");
    g_assert_null(y);

    virResetLastError();
    g_assert_null(virXMLPropStringRequired(b, "z"));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL, "missing attribute 'z'",
                           "(element 'b' at line 3)", NULL);
    req = virXMLPropStringRequired(root, "x");
    g_assert_cmpstr(req, ==, "1");

    c = virXMLNodeGetChild(root, "c");
    text = virXMLNodeContentString(c);
    g_assert_cmpstr(text, ==, "<raw> and more");

    virXMLNodeReportError(c, VIR_ERR_CONFIG_UNSUPPORTED, "odd value '%s'", "v");
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_CONFIG_UNSUPPORTED,
                           "odd value 'v' (element 'c' at line 4)", NULL);
}

/* An entity reference (possible only where a DTD declared the entity) is
 * refused, never expanded. */
static void
testContentEntity(void)
{
    g_autoptr(xmlDoc) doc = testDoc("<!DOCTYPE a [<!ENTITY e 'expanded'>]>\n"
                                    "<a>before &e; after</a>\n");
    xmlNode *root = xmlDocGetRootElement(doc);

    g_assert_null(virXMLNodeContentString(root));
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL, "entity references are not allowed",
                           "element 'a' at line 2", NULL);
}

static void
testNumbers(void)
{
    g_autoptr(xmlDoc) doc = testDoc("<a n=' 42 ' big='4294967296' neg='-1' x='4x'"
                                    " yes='yes' no='no' maybe='Yes'/>\n");
    xmlNode *root = xmlDocGetRootElement(doc);
    guint64 val = 7;
    bool flag = false;

    g_assert_cmpint(virXMLParseUInt(root, "count", "17", 0, 20, &val), ==, 0);
    g_assert_cmpuint(val, ==, 17);
    g_assert_cmpint(virXMLParseUInt(root, "count", "21", 0, 20, &val), ==, -1);
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL,
                           "invalid count '21': an integer from 0 to 20 is needed",
                           "(element 'a' at line 1)", NULL);

    g_assert_cmpint(virXMLPropUInt(root, "n", 0, G_MAXUINT, &val), ==, 1);
    g_assert_cmpuint(val, ==, 42);
    g_assert_cmpint(virXMLPropUInt(root, "absent", 0, G_MAXUINT, &val), ==, 0);
    g_assert_cmpuint(val, ==, 42);
    g_assert_cmpint(virXMLPropUInt(root, "big", 0, G_MAXUINT, &val), ==, -1);
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL, "invalid big '4294967296'", NULL);
    g_assert_cmpint(virXMLPropUInt(root, "neg", 0, G_MAXUINT, &val), ==, -1);
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL, "invalid neg '-1'", NULL);
    g_assert_cmpint(virXMLPropUInt(root, "x", 0, G_MAXUINT, &val), ==, -1);
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL, "invalid x '4x'", NULL);
    g_assert_cmpuint(val, ==, 42);

    g_assert_cmpint(virXMLPropYesNo(root, "yes", &flag), ==, 1);
    g_assert_true(flag);
    g_assert_cmpint(virXMLPropYesNo(root, "no", &flag), ==, 1);
    g_assert_false(flag);
    g_assert_cmpint(virXMLPropYesNo(root, "absent", &flag), ==, 0);
    g_assert_false(flag);
    g_assert_cmpint(virXMLPropYesNo(root, "maybe", &flag), ==, -1);
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL,
                           "invalid value 'Yes' of attribute 'maybe': 'yes' or 'no' is needed",
                           NULL);
}

static void
testSizes(void)
{
    static const struct {
        const char *xml;
        unsigned long long kib;     /* 0: refused with @needle */
        const char *needle;
    } cases[] = {
        { "<m>5</m>", 5, NULL },
        { "<m unit='b'>1</m>", 1, NULL },
        { "<m unit='bytes'>2048</m>", 2, NULL },
        { "<m unit='KB'>1024</m>", 1000, NULL },
        { "<m unit='MiB'>3</m>", 3072, NULL },
        { "<m unit='e'>1</m>", 1ULL << 50, NULL },
        { "<m unit='EB'>1</m>", 976562500000000ULL, NULL },
        { "<m unit='XiB'>1</m>", 0, "unknown unit 'XiB' (use b, KiB, MiB, GiB or TiB)" },
        { "<m unit='kibibytes'>1</m>", 0, "unknown unit 'kibibytes'" },
        { "<m unit=''>1</m>", 0, "unknown unit ''" },
        { "<m unit='EiB'>16</m>", 0, "size '16' EiB is too large" },
        { "<m>lots</m>", 0, "invalid size 'lots'" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(xmlDoc) doc = testDoc(cases[i].xml);
        unsigned long long kib = 0;
        int rc = virXMLNodeContentSizeKiB(xmlDocGetRootElement(doc), &kib);

        g_test_message("%s", cases[i].xml);
        if (cases[i].needle) {
            g_assert_cmpint(rc, ==, -1);
            virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_XML_DETAIL, cases[i].needle,
                                   "element 'm'", NULL);
        } else {
            g_assert_cmpint(rc, ==, 0);
            g_assert_cmpuint(kib, ==, cases[i].kib);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

static void
testEscape(void)
{
    static const char *raw = "a&b<c>d'e\"f\ng\rh\ti";
    g_autofree char *text = virXMLEscapeText(raw);
    g_autofree char *attr = virXMLEscapeAttr(raw);
    g_autofree char *xml = g_strdup_printf("<a v='%s'>%s</a>", attr, text);
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *back = NULL;
    g_autofree char *content = NULL;

    g_assert_cmpstr(text, ==, "a&amp;b&lt;c&gt;d'e\"f\ng&#13;h\ti");
    g_assert_cmpstr(attr, ==, "a&amp;b&lt;c&gt;d&apos;e&quot;f&#10;g&#13;h&#9;i");

    /* What is written is read back as it was. */
    doc = testDoc(xml);
    back = virXMLPropString(xmlDocGetRootElement(doc), "v");
    content = virXMLNodeContentString(xmlDocGetRootElement(doc));
    g_assert_cmpstr(back, ==, raw);
    g_assert_cmpstr(content, ==, raw);
}

static void
testBuffer(void)
{
    g_autoptr(GString) str = g_string_new("<outer>\n");
    virXMLBuffer buf = { .str = str, .indent = 2 };

    virXMLBufferOpen(&buf, "<list n='%d'>", 2);
    virXMLBufferAddLine(&buf, "<item>%s</item>", "one");
    virXMLBufferOpen(&buf, "<item>");
    virXMLBufferAddLine(&buf, "<deep/>");
    virXMLBufferClose(&buf, "item");
    virXMLBufferClose(&buf, "list");
    g_assert_cmpint(buf.indent, ==, 2);
    g_string_append(str, "</outer>\n");

    g_assert_cmpstr(str->str, ==,
                    "<outer>\n"
                    "  <list n='2'>\n"
                    "    <item>one</item>\n"
                    "    <item>\n"
                    "      <deep/>\n"
                    "    </item>\n"
                    "  </list>\n"
                    "</outer>\n");
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);

    g_test_add_func("/virxml/parse/string", testParseString);
    g_test_add_func("/virxml/parse/doctype", testParseDoctype);
    g_test_add_func("/virxml/parse/file", testParseFile);
    g_test_add_func("/virxml/read/getters", testGetters);
    g_test_add_func("/virxml/read/entity", testContentEntity);
    g_test_add_func("/virxml/read/numbers", testNumbers);
    g_test_add_func("/virxml/read/sizes", testSizes);
    g_test_add_func("/virxml/write/escape", testEscape);
    g_test_add_func("/virxml/write/buffer", testBuffer);

    return g_test_run();
}
