/*
 * domainschematest.c: the schema explainer's tables (domain_explain.c)
 * against docs/schemas/domain.rng: the same elements where each may
 * appear, the same attributes, value types and enumerated values, the
 * same required and repeatable ones. Adding to one without the other
 * fails here, naming what differs.
 *
 * The schema is read as a RelaxNG grammar: refs are followed; optional,
 * zeroOrMore and choice make what they hold not required (an alternative
 * of a choice is required only if every alternative requires it);
 * zeroOrMore and oneOrMore make it repeatable; a choice of <value>s, a
 * <value>, <data> or <text/> is the type of an attribute's value or of an
 * element's text.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>

#include "conf/domain_explain.h"
#include "util/virerror.h"
#include "util/virfile.h"
#include "util/virxml.h"

/* What one element of the schema allows, gathered from its patterns. */
typedef struct {
    char *name;                 /* first: see testFindNamed() */
    virDomainSchemaValue kind;
    GPtrArray *values;          /* ENUM: the names, sorted */
    bool required;
} testAttr;

typedef struct {
    const char *name;           /* first: see testFindNamed() */
    xmlNode *element;           /* its <element> pattern */
    bool required;
    bool multiple;
} testChild;

typedef struct {
    GPtrArray *attrs;           /* testAttr */
    GPtrArray *children;        /* testChild */
    bool hasText;
    virDomainSchemaValue text;
    GPtrArray *textValues;      /* ENUM: sorted */
} testContent;

/* The grammar and the differences found so far. */
typedef struct {
    GHashTable *defines;        /* name -> <define> */
    GPtrArray *problems;        /* char *, what differs */
    GHashTable *compared;       /* "table@element" pairs done */
} testRng;

static const char *const testKindNames[VIR_DOMAIN_SCHEMA_VALUE_LAST] = {
    "any text", "an enumeration", "an unsigned integer", "a positive integer",
    "a name", "a disk target", "no text",
};

static void
testAttrFree(gpointer data)
{
    testAttr *attr = data;

    g_free(attr->name);
    if (attr->values)
        g_ptr_array_unref(attr->values);
    g_free(attr);
}

static void
testContentInit(testContent *c)
{
    memset(c, 0, sizeof(*c));
    c->attrs = g_ptr_array_new_with_free_func(testAttrFree);
    c->children = g_ptr_array_new_with_free_func(g_free);
}

static void
testContentClear(testContent *c)
{
    g_ptr_array_unref(c->attrs);
    g_ptr_array_unref(c->children);
    if (c->textValues)
        g_ptr_array_unref(c->textValues);
}

static void G_GNUC_PRINTF(2, 3)
testProblem(testRng *rng, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(rng->problems, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static gint
testCompareStrings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Add @value to the sorted set @values (created if NULL). */
static void
testValuesAdd(GPtrArray **values, const char *value)
{
    guint i;

    if (!*values)
        *values = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < (*values)->len; i++) {
        if (strcmp(g_ptr_array_index(*values, i), value) == 0)
            return;
    }
    g_ptr_array_add(*values, g_strdup(value));
    g_ptr_array_sort(*values, testCompareStrings);
}

/* The values as "'a', 'b'" for messages. */
static char *
testValuesString(const GPtrArray *values)
{
    g_autoptr(GString) str = g_string_new(NULL);
    guint i;

    for (i = 0; values && i < values->len; i++) {
        g_string_append_printf(str, "%s'%s'", i ? ", " : "",
                               (const char *)g_ptr_array_index(values, i));
    }
    return g_string_free(g_steal_pointer(&str), FALSE);
}

static char *
testNodeText(xmlNode *node)
{
    xmlChar *text = xmlNodeGetContent(node);
    char *ret = g_strstrip(g_strdup(text ? (const char *)text : ""));

    xmlFree(text);
    return ret;
}

/* The type of a <data> pattern, as the tables say it. */
static virDomainSchemaValue
testDataKind(testRng *rng, xmlNode *data)
{
    static const struct {
        const char *pattern;
        virDomainSchemaValue kind;
    } patterns[] = {
        { "[a-zA-Z0-9_\\.\\-]+", VIR_DOMAIN_SCHEMA_VALUE_NAME },
        { "[a-zA-Z0-9_\\-.]+", VIR_DOMAIN_SCHEMA_VALUE_NAME },
        { "(hd|sd|vd)[a-z]+", VIR_DOMAIN_SCHEMA_VALUE_DISKDEV },
    };
    g_autofree char *type = virXMLPropString(data, "type");
    xmlNode *param = virXMLNodeGetChild(data, "param");
    g_autofree char *pattern = param ? testNodeText(param) : NULL;
    size_t i;

    if (g_strcmp0(type, "unsignedInt") == 0 || g_strcmp0(type, "unsignedShort") == 0 ||
        g_strcmp0(type, "unsignedLong") == 0)
        return VIR_DOMAIN_SCHEMA_VALUE_UINT;
    if (g_strcmp0(type, "positiveInteger") == 0)
        return VIR_DOMAIN_SCHEMA_VALUE_POSINT;
    for (i = 0; pattern && i < G_N_ELEMENTS(patterns); i++) {
        if (g_strcmp0(type, "string") == 0 && strcmp(pattern, patterns[i].pattern) == 0)
            return patterns[i].kind;
    }
    testProblem(rng, "domain.rng has data of type '%s' (pattern '%s') at line %ld that the explainer's value kinds do not express",
                type ? type : "", pattern ? pattern : "", xmlGetLineNo(data));
    return VIR_DOMAIN_SCHEMA_VALUE_ANY;
}

static void testCollect(testRng *rng, xmlNode *pattern, bool required,
                        bool multiple, testContent *out);

/* Collect all patterns under @parent. */
static void
testCollectChildren(testRng *rng, xmlNode *parent, bool required,
                    bool multiple, testContent *out)
{
    xmlNode *child;

    for (child = parent->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE)
            testCollect(rng, child, required, multiple, out);
    }
}

static void
testSetText(testRng *rng, testContent *out, virDomainSchemaValue kind,
            const char *value, xmlNode *where)
{
    if (out->hasText && out->text != kind) {
        testProblem(rng, "domain.rng mixes value types at line %ld", xmlGetLineNo(where));
        return;
    }
    out->hasText = true;
    out->text = kind;
    if (value)
        testValuesAdd(&out->textValues, value);
}

/* The item of @items (testAttr or testChild, both of which begin with
 * their name) named @name, or NULL. */
static gpointer
testFindNamed(GPtrArray *items, const char *name)
{
    guint i;

    for (i = 0; i < items->len; i++) {
        const char *const *item = g_ptr_array_index(items, i);

        if (strcmp(*item, name) == 0)
            return (gpointer)item;
    }
    return NULL;
}

#define testFindAttr(attrs, name) ((testAttr *)testFindNamed((attrs), (name)))
#define testFindChild(children, name) ((testChild *)testFindNamed((children), (name)))

/*
 * Merge the alternatives of a choice into @out: an attribute or element
 * is required only if every alternative requires it, repeatable if one
 * does; an attribute's enumerated values are joined.
 */
static void
testMergeChoice(testRng *rng, testContent *alts, size_t nalts, testContent *out,
                xmlNode *where)
{
    size_t i;
    size_t j;
    guint k;

    for (i = 0; i < nalts; i++) {
        for (k = 0; k < alts[i].attrs->len; k++) {
            testAttr *attr = g_ptr_array_index(alts[i].attrs, k);
            testAttr *merged = testFindAttr(out->attrs, attr->name);
            guint v;

            if (!merged) {
                merged = g_new0(testAttr, 1);
                merged->name = g_strdup(attr->name);
                merged->kind = attr->kind;
                merged->required = true;
                for (j = 0; j < nalts; j++) {
                    testAttr *other = testFindAttr(alts[j].attrs, attr->name);

                    merged->required &= other && other->required;
                }
                g_ptr_array_add(out->attrs, merged);
            } else if (merged->kind != attr->kind) {
                testProblem(rng, "attribute '%s' has another type in each alternative of the choice at line %ld of domain.rng",
                            attr->name, xmlGetLineNo(where));
            }
            for (v = 0; attr->values && v < attr->values->len; v++)
                testValuesAdd(&merged->values, g_ptr_array_index(attr->values, v));
        }
        for (k = 0; k < alts[i].children->len; k++) {
            testChild *child = g_ptr_array_index(alts[i].children, k);
            testChild *merged = testFindChild(out->children, child->name);

            if (!merged) {
                merged = g_new0(testChild, 1);
                *merged = *child;
                merged->required = true;
                for (j = 0; j < nalts; j++) {
                    testChild *other = testFindChild(alts[j].children, child->name);

                    merged->required &= other && other->required;
                }
                g_ptr_array_add(out->children, merged);
            } else if (merged->element != child->element) {
                testProblem(rng, "element '%s' is defined differently in each alternative of the choice at line %ld of domain.rng",
                            child->name, xmlGetLineNo(where));
            }
            merged->multiple |= child->multiple;
        }
        if (alts[i].hasText) {
            guint v;

            testSetText(rng, out, alts[i].text, NULL, where);
            for (v = 0; alts[i].textValues && v < alts[i].textValues->len; v++)
                testValuesAdd(&out->textValues, g_ptr_array_index(alts[i].textValues, v));
        }
    }
}

/* Is @choice a choice among <value>s only (an enumeration)? */
static bool
testIsValueChoice(xmlNode *choice)
{
    xmlNode *child;

    for (child = choice->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && !virXMLNodeNameEqual(child, "value"))
            return false;
    }
    return true;
}

static void
testCollectChoice(testRng *rng, xmlNode *choice, bool required, bool multiple,
                  testContent *out)
{
    g_autofree testContent *alts = NULL;
    size_t nalts = 0;
    xmlNode *child;
    size_t i;

    if (testIsValueChoice(choice)) {
        for (child = choice->children; child; child = child->next) {
            g_autofree char *value = NULL;

            if (child->type != XML_ELEMENT_NODE)
                continue;
            value = testNodeText(child);
            testSetText(rng, out, VIR_DOMAIN_SCHEMA_VALUE_ENUM, value, child);
        }
        return;
    }

    alts = g_new0(testContent, xmlChildElementCount(choice));
    for (child = choice->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        testContentInit(&alts[nalts]);
        testCollect(rng, child, required, multiple, &alts[nalts]);
        nalts++;
    }
    testMergeChoice(rng, alts, nalts, out, choice);
    for (i = 0; i < nalts; i++)
        testContentClear(&alts[i]);
}

static void
testCollectAttribute(testRng *rng, xmlNode *pattern, bool required,
                     testContent *out)
{
    testContent value;
    testAttr *attr = g_new0(testAttr, 1);

    testContentInit(&value);
    testCollectChildren(rng, pattern, true, false, &value);
    if (value.attrs->len || value.children->len) {
        testProblem(rng, "attribute at line %ld of domain.rng holds more than a value",
                    xmlGetLineNo(pattern));
    }
    attr->name = virXMLPropString(pattern, "name");
    /* An attribute without a pattern holds any text. */
    attr->kind = value.hasText ? value.text : VIR_DOMAIN_SCHEMA_VALUE_ANY;
    attr->values = g_steal_pointer(&value.textValues);
    attr->required = required;
    if (!attr->name) {
        testProblem(rng, "attribute without a name at line %ld of domain.rng",
                    xmlGetLineNo(pattern));
        attr->name = g_strdup("");
    }
    if (testFindAttr(out->attrs, attr->name))
        testProblem(rng, "attribute '%s' is allowed twice at line %ld of domain.rng",
                    attr->name, xmlGetLineNo(pattern));
    g_ptr_array_add(out->attrs, attr);
    testContentClear(&value);
}

/* Gather what @pattern allows into @out. */
static void
testCollect(testRng *rng, xmlNode *pattern, bool required, bool multiple,
            testContent *out)
{
    if (virXMLNodeNameEqual(pattern, "element")) {
        testChild *child = g_new0(testChild, 1);
        xmlAttr *name = xmlHasProp(pattern, (const xmlChar *)"name");

        /* The name stays with the document, which outlives the content. */
        if (!name || !name->children || !name->children->content) {
            testProblem(rng, "element without a name attribute at line %ld of domain.rng",
                        xmlGetLineNo(pattern));
            g_free(child);
            return;
        }
        child->name = (const char *)name->children->content;
        child->element = pattern;
        child->required = required;
        child->multiple = multiple;
        if (testFindChild(out->children, child->name))
            testProblem(rng, "element '%s' is allowed twice at line %ld of domain.rng",
                        child->name, xmlGetLineNo(pattern));
        g_ptr_array_add(out->children, child);
    } else if (virXMLNodeNameEqual(pattern, "attribute")) {
        testCollectAttribute(rng, pattern, required, out);
    } else if (virXMLNodeNameEqual(pattern, "optional")) {
        testCollectChildren(rng, pattern, false, multiple, out);
    } else if (virXMLNodeNameEqual(pattern, "zeroOrMore")) {
        testCollectChildren(rng, pattern, false, true, out);
    } else if (virXMLNodeNameEqual(pattern, "oneOrMore")) {
        testCollectChildren(rng, pattern, required, true, out);
    } else if (virXMLNodeNameEqual(pattern, "group") ||
               virXMLNodeNameEqual(pattern, "interleave")) {
        testCollectChildren(rng, pattern, required, multiple, out);
    } else if (virXMLNodeNameEqual(pattern, "choice")) {
        testCollectChoice(rng, pattern, required, multiple, out);
    } else if (virXMLNodeNameEqual(pattern, "ref")) {
        g_autofree char *name = virXMLPropString(pattern, "name");
        xmlNode *define = name ? g_hash_table_lookup(rng->defines, name) : NULL;

        if (!define) {
            testProblem(rng, "ref '%s' at line %ld of domain.rng has no define",
                        name ? name : "", xmlGetLineNo(pattern));
            return;
        }
        testCollectChildren(rng, define, required, multiple, out);
    } else if (virXMLNodeNameEqual(pattern, "text")) {
        testSetText(rng, out, VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, pattern);
    } else if (virXMLNodeNameEqual(pattern, "data")) {
        testSetText(rng, out, testDataKind(rng, pattern), NULL, pattern);
    } else if (virXMLNodeNameEqual(pattern, "value")) {
        g_autofree char *value = testNodeText(pattern);

        testSetText(rng, out, VIR_DOMAIN_SCHEMA_VALUE_ENUM, value, pattern);
    } else if (!virXMLNodeNameEqual(pattern, "empty")) {
        testProblem(rng, "domain.rng uses <%s> at line %ld, which this test does not read",
                    (const char *)pattern->name, xmlGetLineNo(pattern));
    }
}

/* Compare an attribute of the tables with the schema's. */
static void
testCompareAttr(testRng *rng, const char *path, const virDomainSchemaAttr *attr,
                const testAttr *found)
{
    g_autoptr(GPtrArray) values = NULL;
    g_autofree char *tableValues = NULL;
    g_autofree char *rngValues = NULL;
    size_t i;

    if (attr->kind != found->kind) {
        testProblem(rng, "attribute '%s' of %s is %s in the explainer's tables but %s in domain.rng",
                    attr->name, path, testKindNames[attr->kind], testKindNames[found->kind]);
        return;
    }
    if (attr->required != found->required) {
        testProblem(rng, "attribute '%s' of %s is %s in the explainer's tables but not in domain.rng",
                    attr->name, path, attr->required ? "required" : "optional");
    }
    for (i = 0; attr->values && attr->values[i]; i++)
        testValuesAdd(&values, attr->values[i]);
    tableValues = testValuesString(values);
    rngValues = testValuesString(found->values);
    if (strcmp(tableValues, rngValues) != 0) {
        testProblem(rng, "attribute '%s' of %s takes %s in the explainer's tables but %s in domain.rng",
                    attr->name, path, tableValues, rngValues);
    }
}

static void testCompareElem(testRng *rng, const char *parent,
                            const virDomainSchemaElem *elem, const testChild *found);

/* Compare the content of @elem (tables) with @content (schema). */
static void
testCompareContent(testRng *rng, const char *path, const virDomainSchemaElem *elem,
                   testContent *content)
{
    g_autoptr(GPtrArray) tableValues = NULL;
    g_autofree char *tableText = NULL;
    g_autofree char *rngText = NULL;
    virDomainSchemaValue text = content->hasText ? content->text
                                                 : VIR_DOMAIN_SCHEMA_VALUE_EMPTY;
    const virDomainSchemaAttr *attr;
    guint i;

    for (attr = elem->attrs; attr && attr->name; attr++) {
        testAttr *found = testFindAttr(content->attrs, attr->name);

        if (!found) {
            testProblem(rng, "attribute '%s' of %s is in the explainer's tables but not in domain.rng",
                        attr->name, path);
        } else {
            testCompareAttr(rng, path, attr, found);
        }
    }
    for (i = 0; i < content->attrs->len; i++) {
        testAttr *found = g_ptr_array_index(content->attrs, i);

        for (attr = elem->attrs; attr && attr->name; attr++) {
            if (strcmp(attr->name, found->name) == 0)
                break;
        }
        if (!attr || !attr->name) {
            testProblem(rng, "attribute '%s' of %s is in domain.rng but not in the explainer's tables",
                        found->name, path);
        }
    }

    for (i = 0; elem->children && elem->children[i]; i++) {
        testChild *found = testFindChild(content->children, elem->children[i]->name);

        if (!found) {
            testProblem(rng, "element '%s' in %s is in the explainer's tables but not in domain.rng",
                        elem->children[i]->name, path);
        } else {
            testCompareElem(rng, path, elem->children[i], found);
        }
    }
    for (i = 0; i < content->children->len; i++) {
        testChild *found = g_ptr_array_index(content->children, i);
        size_t j;

        for (j = 0; elem->children && elem->children[j]; j++) {
            if (strcmp(elem->children[j]->name, found->name) == 0)
                break;
        }
        if (!elem->children || !elem->children[j]) {
            testProblem(rng, "element '%s' in %s is in domain.rng but not in the explainer's tables",
                        found->name, path);
        }
    }

    if (elem->text != text) {
        testProblem(rng, "the text of %s is %s in the explainer's tables but %s in domain.rng",
                    path, testKindNames[elem->text], testKindNames[text]);
    }
    for (i = 0; elem->textValues && elem->textValues[i]; i++)
        testValuesAdd(&tableValues, elem->textValues[i]);
    tableText = testValuesString(tableValues);
    rngText = testValuesString(content->textValues);
    if (strcmp(tableText, rngText) != 0) {
        testProblem(rng, "the text of %s takes %s in the explainer's tables but %s in domain.rng",
                    path, tableText, rngText);
    }
}

/* Compare @elem (tables) with the element @found of the schema, in @parent. */
static void
testCompareElem(testRng *rng, const char *parent, const virDomainSchemaElem *elem,
                const testChild *found)
{
    g_autofree char *path = g_strdup_printf("%s/%s", parent, elem->name);
    char *key = g_strdup_printf("%p@%p", (void *)elem, (void *)found->element);
    testContent content;

    if (elem->required != found->required) {
        testProblem(rng, "element %s is %s in the explainer's tables but not in domain.rng",
                    path, elem->required ? "required" : "optional");
    }
    if (elem->multiple != found->multiple) {
        testProblem(rng, "element %s is %s in the explainer's tables but not in domain.rng",
                    path, elem->multiple ? "repeatable" : "single");
    }
    /* <backingStore> nests in itself: each pair once. */
    if (!g_hash_table_add(rng->compared, key))
        return;

    testContentInit(&content);
    testCollectChildren(rng, found->element, true, false, &content);
    testCompareContent(rng, path, elem, &content);
    testContentClear(&content);
}

/* Compare the tables with the grammar @doc; the differences, one a line. */
static char *
testCompareGrammar(xmlDoc *doc)
{
    testRng rng = { 0 };
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *start = virXMLNodeGetChild(root, "start");
    const virDomainSchemaElem *tables = virDomainSchemaExplainTables();
    testContent content;
    xmlNode *node;
    testChild *domain;
    char *ret;

    rng.defines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    rng.problems = g_ptr_array_new_with_free_func(g_free);
    rng.compared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (node = root->children; node; node = node->next) {
        if (virXMLNodeNameEqual(node, "define"))
            g_hash_table_insert(rng.defines, virXMLPropString(node, "name"), node);
    }
    g_assert_nonnull(start);

    testContentInit(&content);
    testCollectChildren(&rng, start, true, false, &content);
    g_assert_cmpuint(content.children->len, ==, 1);
    domain = g_ptr_array_index(content.children, 0);
    if (strcmp(domain->name, tables->name) != 0) {
        testProblem(&rng, "the root element is '%s' in domain.rng but '%s' in the explainer's tables",
                    domain->name, tables->name);
    } else {
        testCompareElem(&rng, "", tables, domain);
    }
    testContentClear(&content);

    g_ptr_array_add(rng.problems, NULL);
    ret = g_strjoinv("\n", (char **)rng.problems->pdata);
    g_ptr_array_unref(rng.problems);
    g_hash_table_unref(rng.defines);
    g_hash_table_unref(rng.compared);
    return ret;
}

static char *
testReadSchema(void)
{
    const char *srcdir = g_getenv("abs_top_srcdir");
    g_autofree char *path = g_build_filename(srcdir ? srcdir : ABS_TOP_SRCDIR,
                                             "docs", "schemas", "domain.rng", NULL);
    char *rng = virFileReadAll(path, 1024 * 1024);

    if (!rng)
        g_error("%s", virGetLastErrorMessage());
    return rng;
}

static char *
testCompareString(const char *rng)
{
    g_autoptr(xmlDoc) doc = xmlReadMemory(rng, (int)strlen(rng), "domain.rng",
                                          NULL, XML_PARSE_NONET);

    g_assert_nonnull(doc);
    return testCompareGrammar(doc);
}

/* The tables say what docs/schemas/domain.rng says. */
static void
testTablesMatch(void)
{
    g_autofree char *rng = testReadSchema();
    g_autofree char *problems = testCompareString(rng);

    if (*problems) {
        g_test_message("the schema explainer's tables (src/conf/domain_explain.c) and docs/schemas/domain.rng differ:\n%s",
                       problems);
        g_test_fail();
    }
}

/* The comparison sees a change of the schema: each edit of domain.rng
 * below must be reported, naming what changed. */
typedef struct {
    const char *name;
    const char *find;           /* in domain.rng, once */
    const char *replace;
    const char *needle;         /* in the differences found */
} testEdit;

static const testEdit testEdits[] = {
    { "new-attribute", "<element name=\"driver\">",
      "<element name=\"driver\"><optional><attribute name=\"cache\"><text/></attribute></optional>",
      "attribute 'cache' of /domain/devices/disk/driver is in domain.rng but not in the explainer's tables" },
    { "new-value", "<value>qcow2</value>", "<value>qcow2</value><value>vmdk</value>",
      "takes 'qcow2', 'raw' in the explainer's tables but 'qcow2', 'raw', 'vmdk' in domain.rng" },
    { "removed-value", "<value>sata</value>", "",
      "attribute 'bus' of /domain/devices/disk/target takes" },
    { "new-element", "<element name=\"os\">",
      "<element name=\"os\"><optional><element name=\"boot\"><empty/></element></optional>",
      "element 'boot' in /domain/os is in domain.rng but not in the explainer's tables" },
    { "removed-element", "<optional>\n          <element name=\"readonly\">\n            <empty/>\n          </element>\n        </optional>",
      "", "element 'readonly' in /domain/devices/disk is in the explainer's tables but not in domain.rng" },
    { "now-required", "<optional>\n      <attribute name=\"unit\">\n        <text/>\n      </attribute>\n    </optional>",
      "<attribute name=\"unit\"><text/></attribute>",
      "attribute 'unit' of /domain/memory is optional in the explainer's tables but not in domain.rng" },
    { "new-type", "<data type=\"unsignedShort\"/>", "<text/>",
      "the text of /domain/vcpu is an unsigned integer in the explainer's tables but any text" },
    { "now-single", "<zeroOrMore>\n          <ref name=\"disk\"/>\n        </zeroOrMore>",
      "<optional><ref name=\"disk\"/></optional>",
      "element /domain/devices/disk is repeatable in the explainer's tables but not in domain.rng" },
};

static void
testEditSeen(gconstpointer data)
{
    const testEdit *edit = data;
    g_autofree char *rng = testReadSchema();
    g_autofree char *problems = NULL;
    g_auto(GStrv) parts = g_strsplit(rng, edit->find, -1);
    g_autofree char *edited = NULL;

    /* The text to edit is in the schema once, or the case is stale. */
    g_assert_cmpuint(g_strv_length(parts), ==, 2);
    edited = g_strjoinv(edit->replace, parts);
    problems = testCompareString(edited);
    g_test_message("%s", problems);
    g_assert_nonnull(strstr(problems, edit->needle));
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/domainschema/tables-match", testTablesMatch);
    for (i = 0; i < G_N_ELEMENTS(testEdits); i++) {
        g_autofree char *name = g_strdup_printf("/domainschema/edit-seen/%s",
                                                testEdits[i].name);

        g_test_add_data_func(name, &testEdits[i], testEditSeen);
    }
    return g_test_run();
}
