/*
 * virxml.h: reading and writing XML documents with libxml2, safely (no
 * network, no entity expansion, no document type declarations), knowing
 * nothing of what the documents describe.
 *
 * The helpers that find a fault in a document report it in the error
 * domain of their caller (VIR_FROM_THIS where the macro is used): the
 * document is the caller's, so is the error. Their messages name the
 * element and its line: "... (element 'memory' at line 4)".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);

/* ------------------------------------------------------------------ */
/* libxml2's own errors                                                 */
/* ------------------------------------------------------------------ */

#if LIBXML_VERSION >= 21200
typedef const xmlError *virXMLErrorPtr;
#else
typedef xmlErrorPtr virXMLErrorPtr;
#endif

typedef struct _virXMLErrors virXMLErrors;
/* What libxml2 reported during one parse or one validation. */
struct _virXMLErrors {
    bool seen;
    int line;               /* of the first error */
    char *element;          /* the element of the first error, if known */
    GString *messages;      /* all error messages, "; "-separated */
};

/* A structured error handler (xmlStructuredErrorFunc) that records into
 * the virXMLErrors @opaque; warnings are ignored. */
void virXMLErrorsCollect(void *opaque, virXMLErrorPtr err);

/* Free what @errs holds and zero it. */
void virXMLErrorsClear(virXMLErrors *errs);

/* ------------------------------------------------------------------ */
/* Parsing documents                                                    */
/* ------------------------------------------------------------------ */

xmlDoc *virXMLParseHelper(int domcode, const char *path, const char *xml,
                          const char *what);

/* Parse the string @xml; @what names the kind of document in messages
 * ("domain XML"). See virXMLParseHelper(). */
#define virXMLParseString(xml, what) \
    virXMLParseHelper(VIR_FROM_THIS, NULL, (xml), (what))

/* Parse the file at @path (a regular file); @what as above. */
#define virXMLParseFile(path, what) \
    virXMLParseHelper(VIR_FROM_THIS, (path), NULL, (what))

/* ------------------------------------------------------------------ */
/* Reading elements                                                     */
/* ------------------------------------------------------------------ */

/* Is @node an element named @name? */
bool virXMLNodeNameEqual(const xmlNode *node, const char *name);

/* The first element child of @node named @name, or NULL. */
xmlNode *virXMLNodeGetChild(const xmlNode *node, const char *name);

/* Has @node any element child? */
bool virXMLNodeHasElements(const xmlNode *node);

/* The value of attribute @name (without a namespace) of @node, a new
 * string, or NULL if it has none. */
char *virXMLPropString(xmlNode *node, const char *name);

void virXMLNodeReportErrorFull(int domcode, const char *filename,
                               const char *funcname, size_t linenr,
                               const xmlNode *node, int code,
                               const char *fmt, ...)
    G_GNUC_PRINTF(7, 8);

/* Report @code with the message "<fmt...> (element 'NAME' at line N)",
 * "... at line N of 'FILE')" in a document read from a file. */
#define virXMLNodeReportError(node, code, ...) \
    virXMLNodeReportErrorFull(VIR_FROM_THIS, __FILE__, __func__, __LINE__, \
                              (node), (code), __VA_ARGS__)

char *virXMLPropStringRequiredHelper(int domcode, xmlNode *node,
                                     const char *name);
/* virXMLPropString(), reporting a missing attribute (VIR_ERR_XML_DETAIL). */
#define virXMLPropStringRequired(node, name) \
    virXMLPropStringRequiredHelper(VIR_FROM_THIS, (node), (name))

char *virXMLNodeContentStringHelper(int domcode, xmlNode *node);
/* The text of @node (a new string, maybe empty); NULL with
 * VIR_ERR_XML_DETAIL reported if it holds an entity reference, which is
 * never expanded. */
#define virXMLNodeContentString(node) \
    virXMLNodeContentStringHelper(VIR_FROM_THIS, (node))

int virXMLParseUIntHelper(int domcode, xmlNode *node, const char *what,
                          const char *str, guint64 min, guint64 max,
                          guint64 *value);
/* Read @str (found in @node, blanks around it allowed) as a decimal
 * integer from @min to @max; 0, or -1 with VIR_ERR_XML_DETAIL reported
 * ("invalid @what 'STR': an integer from MIN to MAX is needed"). */
#define virXMLParseUInt(node, what, str, min, max, value) \
    virXMLParseUIntHelper(VIR_FROM_THIS, (node), (what), (str), (min), \
                          (max), (value))

int virXMLPropUIntHelper(int domcode, xmlNode *node, const char *name,
                         guint64 min, guint64 max, guint64 *value);
/* Read attribute @name of @node with virXMLParseUInt(): 1 if it was read
 * into @value, 0 if there is none (@value untouched), -1 on error. */
#define virXMLPropUInt(node, name, min, max, value) \
    virXMLPropUIntHelper(VIR_FROM_THIS, (node), (name), (min), (max), (value))

int virXMLPropUIntRequiredHelper(int domcode, xmlNode *node, const char *name,
                                 guint64 min, guint64 max, guint64 *value);
/* virXMLPropUInt() for an attribute that must be there: 0, or -1 with
 * VIR_ERR_XML_DETAIL reported (a bad value, or "missing attribute"). */
#define virXMLPropUIntRequired(node, name, min, max, value) \
    virXMLPropUIntRequiredHelper(VIR_FROM_THIS, (node), (name), (min), \
                                 (max), (value))

int virXMLPropYesNoHelper(int domcode, xmlNode *node, const char *name,
                          bool *value);
/* Read attribute @name of @node, 'yes' or 'no': 1 if it was read into
 * @value, 0 if there is none (@value untouched), -1 with
 * VIR_ERR_XML_DETAIL reported for anything else. */
#define virXMLPropYesNo(node, name, value) \
    virXMLPropYesNoHelper(VIR_FROM_THIS, (node), (name), (value))

int virXMLNodeContentSizeKiBHelper(int domcode, xmlNode *node,
                                   unsigned long long *kib);
/* Read @node's text as a size in its 'unit' attribute (see
 * virXMLNodeContentSizeKiBHelper()), in KiB rounded up. */
#define virXMLNodeContentSizeKiB(node, kib) \
    virXMLNodeContentSizeKiBHelper(VIR_FROM_THIS, (node), (kib))

/* ------------------------------------------------------------------ */
/* Writing documents                                                    */
/* ------------------------------------------------------------------ */

/* @str escaped for element text (a new string). */
char *virXMLEscapeText(const char *str);

/* @str escaped for an attribute value quoted with ' (a new string). */
char *virXMLEscapeAttr(const char *str);

typedef struct _virXMLBuffer virXMLBuffer;
/* Lines of XML appended to a GString, each indented by @indent spaces. */
struct _virXMLBuffer {
    GString *str;           /* not owned */
    int indent;
};

/* Append one line: the indentation, the formatted text, a newline. */
void virXMLBufferAddLine(virXMLBuffer *buf, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* Append an opening tag line (as virXMLBufferAddLine()) and indent the
 * lines that follow by two more spaces, until virXMLBufferClose(). @buf is
 * evaluated twice. */
#define virXMLBufferOpen(buf, ...) \
    do { \
        virXMLBufferAddLine((buf), __VA_ARGS__); \
        (buf)->indent += 2; \
    } while (0)

/* Indent by two spaces less and append "</@name>". */
void virXMLBufferClose(virXMLBuffer *buf, const char *name);
