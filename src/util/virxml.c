/* virxml.c: reading and writing XML documents with libxml2, safely, for any kind of document. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "util/virxml.h"
#include "util/virerror.h"
#include "util/virfile.h"

#define VIR_FROM_THIS VIR_FROM_XML

/* An XML document read from a file is never larger than this. */
#define VIR_XML_MAX_FILE_SIZE (16 * 1024 * 1024)

/* libxml2's messages beyond the first are kept up to about this length. */
#define VIR_XML_MAX_MESSAGES 1024

/* Report an error in @domcode, as found here. */
#define virXMLReportError(domcode, code, ...) \
    virRaiseErrorFull(__FILE__, __func__, __LINE__, (domcode), (code), \
                      VIR_ERR_ERROR, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* libxml2's own errors                                                 */
/* ------------------------------------------------------------------ */

/**
 * virXMLErrorsClear:
 * @errs: what a parse or validation collected
 *
 * Free what @errs holds and zero it for another use.
 */
void
virXMLErrorsClear(virXMLErrors *errs)
{
    g_free(errs->element);
    if (errs->messages)
        g_string_free(errs->messages, TRUE);
    memset(errs, 0, sizeof(*errs));
}

/**
 * virXMLErrorsCollect:
 * @opaque: a virXMLErrors
 * @err: an error libxml2 reports
 *
 * A structured error handler for libxml2's parser and RelaxNG calls: the
 * first error's line and element are kept, and every message (up to about
 * 1 KiB of them); warnings are ignored.
 */
void
virXMLErrorsCollect(void *opaque, virXMLErrorPtr err)
{
    virXMLErrors *errs = opaque;
    g_autofree char *msg = NULL;

    if (!errs || !err || err->level == XML_ERR_WARNING)
        return;
    msg = g_strstrip(g_strdup(err->message ? err->message : "unknown error"));

    if (!errs->seen) {
        xmlNode *node = err->node;

        errs->seen = true;
        errs->line = err->line;
        if (node && node->type == XML_ELEMENT_NODE && node->name) {
            errs->element = g_strdup((const char *)node->name);
            if (errs->line <= 0)
                errs->line = (int)xmlGetLineNo(node);
        }
        errs->messages = g_string_new(msg);
    } else if (errs->messages->len < VIR_XML_MAX_MESSAGES) {
        g_string_append_printf(errs->messages, "; %s", msg);
    }
}

/* ------------------------------------------------------------------ */
/* Parsing documents                                                    */
/* ------------------------------------------------------------------ */

/*
 * Read the document at @path: a regular file, opened without blocking (a
 * FIFO put in its place must not hang the reader) and never larger than
 * VIR_XML_MAX_FILE_SIZE.
 */
static char *
virXMLReadFile(int domcode, const char *path)
{
    struct stat sb;
    size_t len;
    char *ret;
    int fd;

    if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
        virReportSystemErrorFull(domcode, errno, __FILE__, __func__, __LINE__,
                                 "cannot open XML document '%s'", path);
        return NULL;
    }
    if (fstat(fd, &sb) < 0) {
        virReportSystemErrorFull(domcode, errno, __FILE__, __func__, __LINE__,
                                 "cannot stat XML document '%s'", path);
        close(fd);
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        virXMLReportError(domcode, VIR_ERR_XML_ERROR,
                          "XML document '%s' is not a regular file", path);
        close(fd);
        return NULL;
    }
    ret = virFileReadAllFd(fd, path, VIR_XML_MAX_FILE_SIZE, &len);
    close(fd);
    return ret;
}

/**
 * virXMLParseHelper:
 * @domcode: the error domain of the caller
 * @path: the file to read, or NULL to parse @xml
 * @xml: the document, if @path is NULL
 * @what: the kind of document, for messages ("domain XML")
 *
 * Parse a document without network access and without expanding entities
 * (they stay references, which virXMLNodeContentString() refuses); a
 * document type declaration is refused (it could declare entities). Line
 * numbers past 65535 are kept. libxml2's error handler of the calling
 * thread is left as it was.
 *
 * Returns the document (free with xmlFreeDoc()), or NULL with
 * VIR_ERR_XML_ERROR reported: "malformed XML document ['PATH'] at line N:
 * <libxml2's messages>", or that a document type declaration is not
 * allowed in @what; a file that cannot be read is a system error, one that
 * is not a regular file VIR_ERR_XML_ERROR.
 */
xmlDoc *
virXMLParseHelper(int domcode, const char *path, const char *xml,
                  const char *what)
{
    virXMLErrors errs = { 0 };
    g_autofree char *contents = NULL;
    g_autofree char *name = NULL;
    xmlStructuredErrorFunc oldFunc;
    void *oldCtxt;
    xmlParserCtxt *ctxt;
    xmlDoc *doc = NULL;
    size_t len;
    /* No network access, no entity substitution (entities stay references
     * and are refused by whoever reads the text), line numbers past 65535
     * kept. */
    int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES;

    if (path) {
        if (!(contents = virXMLReadFile(domcode, path)))
            return NULL;
        xml = contents;
        name = g_strdup_printf(" '%s'", path);
    } else {
        name = g_strdup("");
    }
    len = strlen(xml);
    if (len > G_MAXINT) {
        virXMLReportError(domcode, VIR_ERR_XML_ERROR,
                          "XML document%s is too large (%zu bytes)", name, len);
        return NULL;
    }

    xmlInitParser();
    /* The handler is per thread in libxml2: set it for this parse only and
     * put back what the calling thread had. */
    oldFunc = xmlStructuredError;
    oldCtxt = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&errs, virXMLErrorsCollect);

    if ((ctxt = xmlNewParserCtxt())) {
        doc = xmlCtxtReadMemory(ctxt, xml, (int)len, path, NULL, options);
        if (doc && !ctxt->wellFormed) {
            xmlFreeDoc(doc);
            doc = NULL;
        }
        xmlFreeParserCtxt(ctxt);
    }

    xmlSetStructuredErrorFunc(oldCtxt, oldFunc);

    if (!doc) {
        if (errs.seen) {
            virXMLReportError(domcode, VIR_ERR_XML_ERROR,
                              "malformed XML document%s at line %d: %s",
                              name, errs.line, errs.messages->str);
        } else {
            virXMLReportError(domcode, VIR_ERR_XML_ERROR,
                              "malformed XML document%s: empty or unreadable",
                              name);
        }
    } else if (doc->intSubset || doc->extSubset) {
        xmlNode *root = xmlDocGetRootElement(doc);

        virXMLReportError(domcode, VIR_ERR_XML_ERROR,
                          "document type declarations are not allowed in %s (before element '%s' at line %ld)",
                          what, root ? (const char *)root->name : "",
                          root ? xmlGetLineNo(root) : -1L);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    if (doc && path) {
        /* libxml2 keeps the name URI-escaped ("a%20b.xml"); messages name
         * the file as it is. */
        xmlFree((xmlChar *)doc->URL);
        doc->URL = xmlStrdup((const xmlChar *)path);
    }
    virXMLErrorsClear(&errs);
    return doc;
}

/* ------------------------------------------------------------------ */
/* Reading elements                                                     */
/* ------------------------------------------------------------------ */

/**
 * virXMLNodeNameEqual:
 * @node: a node
 * @name: an element name
 *
 * Returns true if @node is an element named @name.
 */
bool
virXMLNodeNameEqual(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0;
}

/**
 * virXMLNodeGetChild:
 * @node: an element
 * @name: an element name
 *
 * Returns the first element child of @node named @name, or NULL.
 */
xmlNode *
virXMLNodeGetChild(const xmlNode *node, const char *name)
{
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if (virXMLNodeNameEqual(child, name))
            return child;
    }
    return NULL;
}

/**
 * virXMLNodeHasElements:
 * @node: an element
 *
 * Returns true if @node has an element child.
 */
bool
virXMLNodeHasElements(const xmlNode *node)
{
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE)
            return true;
    }
    return false;
}

/**
 * virXMLPropString:
 * @node: an element
 * @name: an attribute name
 *
 * Returns the value of @node's attribute @name (one without a namespace),
 * a new string to be freed with g_free(), or NULL if there is none.
 */
char *
virXMLPropString(xmlNode *node, const char *name)
{
    xmlChar *val = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *ret;

    if (!val)
        return NULL;
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}

/**
 * virXMLNodeReportErrorFull:
 * @domcode: the error domain
 * @filename: @funcname: @linenr: where the error was found
 * @node: the element at fault (may be NULL)
 * @code: a virErrorNumber
 * @fmt: printf-style: what is wrong, one sentence, values in quotes
 *
 * Report @code with "<message> (element 'NAME' at line N)", or "...
 * at line N of 'FILE')" when @node's document was read from a file (its
 * URL): a status file's reader names the file its fault is in. Use the
 * virXMLNodeReportError() macro.
 */
void
virXMLNodeReportErrorFull(int domcode, const char *filename,
                          const char *funcname, size_t linenr,
                          const xmlNode *node, int code, const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    va_list ap;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (node && node->doc && node->doc->URL) {
        virRaiseErrorFull(filename, funcname, linenr, domcode, code, VIR_ERR_ERROR,
                          "%s (element '%s' at line %ld of '%s')", detail,
                          node->name ? (const char *)node->name : "?",
                          xmlGetLineNo(node), (const char *)node->doc->URL);
        return;
    }
    virRaiseErrorFull(filename, funcname, linenr, domcode, code, VIR_ERR_ERROR,
                      "%s (element '%s' at line %ld)", detail,
                      node && node->name ? (const char *)node->name : "?",
                      node ? xmlGetLineNo(node) : -1L);
}

/* virXMLNodeReportError() in @domcode, from this file. */
#define virXMLNodeReportErrorIn(domcode, node, code, ...) \
    virXMLNodeReportErrorFull((domcode), __FILE__, __func__, __LINE__, \
                              (node), (code), __VA_ARGS__)

/**
 * virXMLPropStringRequiredHelper:
 * @domcode: the error domain
 * @node: an element
 * @name: an attribute name
 *
 * Returns virXMLPropString(), or NULL with VIR_ERR_XML_DETAIL reported
 * ("missing attribute 'NAME'") if @node has no such attribute.
 */
char *
virXMLPropStringRequiredHelper(int domcode, xmlNode *node, const char *name)
{
    char *val = virXMLPropString(node, name);

    if (!val) {
        virXMLNodeReportErrorIn(domcode, node, VIR_ERR_XML_DETAIL,
                                "missing attribute '%s'", name);
    }
    return val;
}

/**
 * virXMLNodeContentStringHelper:
 * @domcode: the error domain
 * @node: an element
 *
 * Returns the text of @node (its text and CDATA children joined; "" if
 * none), a new string, or NULL with VIR_ERR_XML_DETAIL reported if it
 * holds an entity reference: entities are never expanded.
 */
char *
virXMLNodeContentStringHelper(int domcode, xmlNode *node)
{
    g_autoptr(GString) str = g_string_new(NULL);
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
            if (child->content)
                g_string_append(str, (const char *)child->content);
        } else if (child->type == XML_ENTITY_REF_NODE) {
            virXMLNodeReportErrorIn(domcode, node, VIR_ERR_XML_DETAIL,
                                    "entity references are not allowed");
            return NULL;
        }
    }
    return g_string_free(g_steal_pointer(&str), FALSE);
}

/**
 * virXMLParseUIntHelper:
 * @domcode: the error domain
 * @node: the element @str was found in (an attribute's or its text)
 * @what: what the number is, for the message ("vCPU count")
 * @str: the text to read; blanks around the number are allowed
 * @min: @max: the range allowed
 * @value: set to the number read
 *
 * Returns 0, or -1 with VIR_ERR_XML_DETAIL reported: "invalid WHAT 'STR':
 * an integer from MIN to MAX is needed (element ...)".
 */
int
virXMLParseUIntHelper(int domcode, xmlNode *node, const char *what,
                      const char *str, guint64 min, guint64 max,
                      guint64 *value)
{
    g_autofree char *copy = g_strstrip(g_strdup(str));

    if (!g_ascii_string_to_unsigned(copy, 10, min, max, value, NULL)) {
        virXMLNodeReportErrorIn(domcode, node, VIR_ERR_XML_DETAIL,
                                "invalid %s '%s': an integer from %" G_GUINT64_FORMAT
                                " to %" G_GUINT64_FORMAT " is needed",
                                what, str, min, max);
        return -1;
    }
    return 0;
}

/**
 * virXMLPropUIntHelper:
 * @domcode: the error domain
 * @node: an element
 * @name: an attribute name, also what the number is in the message
 * @min: @max: the range allowed
 * @value: set to the number read
 *
 * Returns 1 if @node has the attribute and it was read into @value, 0 if
 * it has none (@value is left alone), -1 with an error reported (see
 * virXMLParseUIntHelper()).
 */
int
virXMLPropUIntHelper(int domcode, xmlNode *node, const char *name,
                     guint64 min, guint64 max, guint64 *value)
{
    g_autofree char *str = virXMLPropString(node, name);

    if (!str)
        return 0;
    if (virXMLParseUIntHelper(domcode, node, name, str, min, max, value) < 0)
        return -1;
    return 1;
}

/**
 * virXMLPropUIntRequiredHelper:
 * @domcode: the error domain
 * @node: an element
 * @name: an attribute name, also what the number is in the message
 * @min: @max: the range allowed
 * @value: set to the number read
 *
 * Returns 0 if @node's attribute @name was read into @value, -1 with
 * VIR_ERR_XML_DETAIL reported if it is missing ("missing attribute
 * 'NAME'") or bad (see virXMLParseUIntHelper()).
 */
int
virXMLPropUIntRequiredHelper(int domcode, xmlNode *node, const char *name,
                             guint64 min, guint64 max, guint64 *value)
{
    g_autofree char *str = virXMLPropStringRequiredHelper(domcode, node, name);

    if (!str)
        return -1;
    return virXMLParseUIntHelper(domcode, node, name, str, min, max, value);
}

/**
 * virXMLPropYesNoHelper:
 * @domcode: the error domain
 * @node: an element
 * @name: an attribute name
 * @value: set to true for 'yes', false for 'no'
 *
 * Returns 1 if @node has the attribute and it was read into @value, 0 if
 * it has none (@value is left alone), -1 with VIR_ERR_XML_DETAIL reported
 * for any other value.
 */
int
virXMLPropYesNoHelper(int domcode, xmlNode *node, const char *name,
                      bool *value)
{
    g_autofree char *str = virXMLPropString(node, name);

    if (!str)
        return 0;
    if (strcmp(str, "yes") == 0) {
        *value = true;
    } else if (strcmp(str, "no") == 0) {
        *value = false;
    } else {
        virXMLNodeReportErrorIn(domcode, node, VIR_ERR_XML_DETAIL,
                                "invalid value '%s' of attribute '%s': 'yes' or 'no' is needed",
                                str, name);
        return -1;
    }
    return 1;
}

/* The multiplier of @unit (b/byte/bytes; k, K, KiB: 1024, KB: 1000;
 * likewise M, G, T, P, E), or 0 if it is none of those. */
static guint64
virXMLUnitScale(const char *unit)
{
    static const char powers[] = "kmgtpe";
    g_autofree char *lower = g_ascii_strdown(unit, -1);
    const char *p;
    guint64 base;
    guint64 scale = 1;
    size_t n;

    if (strcmp(lower, "b") == 0 || strcmp(lower, "byte") == 0 ||
        strcmp(lower, "bytes") == 0)
        return 1;
    if (lower[0] == '\0' || !(p = strchr(powers, lower[0])))
        return 0;
    if (lower[1] == '\0' || strcmp(lower + 1, "ib") == 0)
        base = 1024;
    else if (strcmp(lower + 1, "b") == 0)
        base = 1000;
    else
        return 0;
    for (n = 0; n <= (size_t)(p - powers); n++)
        scale *= base;
    return scale;
}

/**
 * virXMLNodeContentSizeKiBHelper:
 * @domcode: the error domain
 * @node: an element whose text is a size, and whose 'unit' attribute, if
 *        any, is its unit
 * @kib: set to the size in KiB, rounded up
 *
 * Read a size as libvirt does: units b, byte or bytes; k, K or KiB (1024)
 * or KB (1000); likewise M, G, T, P and E; KiB when there is none.
 *
 * Returns 0, or -1 with VIR_ERR_XML_DETAIL reported (not a number, an
 * unknown unit, or more bytes than 64 bits hold).
 */
int
virXMLNodeContentSizeKiBHelper(int domcode, xmlNode *node,
                               unsigned long long *kib)
{
    g_autofree char *text = NULL;
    g_autofree char *unit = virXMLPropString(node, "unit");
    guint64 value;
    guint64 scale = 1024;
    guint64 bytes;

    if (!(text = virXMLNodeContentStringHelper(domcode, node)))
        return -1;
    if (virXMLParseUIntHelper(domcode, node, "size", text, 0, G_MAXUINT64,
                              &value) < 0)
        return -1;
    if (unit && !(scale = virXMLUnitScale(unit))) {
        virXMLNodeReportErrorIn(domcode, node, VIR_ERR_XML_DETAIL,
                                "unknown unit '%s' (use b, KiB, MiB, GiB or TiB)",
                                unit);
        return -1;
    }
    if (value > G_MAXUINT64 / scale) {
        virXMLNodeReportErrorIn(domcode, node, VIR_ERR_XML_DETAIL,
                                "size '%s' %s is too large", text,
                                unit ? unit : "KiB");
        return -1;
    }
    bytes = value * scale;
    *kib = bytes / 1024 + (bytes % 1024 ? 1 : 0);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Writing documents                                                    */
/* ------------------------------------------------------------------ */

/* Escape @str for XML text (@attr false) or an attribute value quoted
 * with ' (@attr true). */
static char *
virXMLEscape(const char *str, bool attr)
{
    GString *out = g_string_sized_new(strlen(str) + 8);

    for (; *str; str++) {
        switch (*str) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '\'': g_string_append(out, attr ? "&apos;" : "'"); break;
        case '"': g_string_append(out, attr ? "&quot;" : "\""); break;
        /* Attribute values lose raw line breaks and tabs when read back. */
        case '\n': g_string_append(out, attr ? "&#10;" : "\n"); break;
        case '\r': g_string_append(out, "&#13;"); break;
        case '\t': g_string_append(out, attr ? "&#9;" : "\t"); break;
        default: g_string_append_c(out, *str); break;
        }
    }
    return g_string_free(out, FALSE);
}

/**
 * virXMLEscapeText:
 * @str: a string
 *
 * Returns @str escaped for the text of an element (&, <, > and carriage
 * returns as references), a new string.
 */
char *
virXMLEscapeText(const char *str)
{
    return virXMLEscape(str, false);
}

/**
 * virXMLEscapeAttr:
 * @str: a string
 *
 * Returns @str escaped for an attribute value between single quotes
 * (also both quotes, line breaks and tabs, which a parser would otherwise
 * turn into blanks), a new string.
 */
char *
virXMLEscapeAttr(const char *str)
{
    return virXMLEscape(str, true);
}

/**
 * virXMLBufferAddLine:
 * @buf: where to append
 * @fmt: printf-style: the line, escaped already
 *
 * Append the indentation, the formatted line and a newline.
 */
void
virXMLBufferAddLine(virXMLBuffer *buf, const char *fmt, ...)
{
    va_list ap;

    g_string_append_printf(buf->str, "%*s", buf->indent, "");
    va_start(ap, fmt);
    g_string_append_vprintf(buf->str, fmt, ap);
    va_end(ap);
    g_string_append_c(buf->str, '\n');
}

/**
 * virXMLBufferClose:
 * @buf: where to append
 * @name: the element to close
 *
 * Undo the indentation of virXMLBufferOpen() and append "</@name>".
 */
void
virXMLBufferClose(virXMLBuffer *buf, const char *name)
{
    buf->indent -= 2;
    virXMLBufferAddLine(buf, "</%s>", name);
}
