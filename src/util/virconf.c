/*
 * virconf.c: libvirt's configuration file format, tokenised by GLib's
 * GScanner; this file only says what sequence of tokens makes a setting.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "virconf.h"
#include "virerror.h"
#include "virfile.h"

#define VIR_FROM_THIS VIR_FROM_CONF

typedef struct {
    char *key;
    virConfValue *value;
} virConfEntry;

struct _virConf {
    char *name;
    GPtrArray *entries;         /* of virConfEntry, in file order */
};

static void
virConfValueFree(virConfValue *val)
{
    if (!val)
        return;
    g_free(val->str);
    if (val->list)
        g_ptr_array_unref(val->list);
    g_free(val);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConfValue, virConfValueFree);

static void
virConfEntryFree(virConfEntry *entry)
{
    if (!entry)
        return;
    g_free(entry->key);
    virConfValueFree(entry->value);
    g_free(entry);
}

void
virConfFree(virConf *conf)
{
    if (!conf)
        return;
    g_free(conf->name);
    g_ptr_array_unref(conf->entries);
    g_free(conf);
}

const char *
virConfGetName(virConf *conf)
{
    return conf->name;
}

const char *
virConfTypeName(virConfType type)
{
    switch (type) {
    case VIR_CONF_LLONG:
    case VIR_CONF_ULLONG:
        return "an integer";
    case VIR_CONF_STRING:
        return "a string";
    case VIR_CONF_LIST:
        return "a list";
    case VIR_CONF_NONE:
    case VIR_CONF_LAST:
        break;
    }
    return "nothing";
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */

typedef struct {
    GScanner *sc;
    const char *name;
} virConfParser;

static int G_GNUC_PRINTF(3, 4)
virConfSyntax(virConfParser *p, guint line, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    virReportError(VIR_ERR_CONF_SYNTAX, "%s:%u: %s", p->name, line, msg);
    return -1;
}

/* What the scanner returned, for messages: "end of file", "'x'". */
static char *
virConfDescribe(GScanner *sc, GTokenType tok)
{
    switch ((int) tok) {
    case G_TOKEN_EOF:
        return g_strdup("the end of the file");
    case G_TOKEN_IDENTIFIER: {
        const char *id = sc->value.v_identifier;
        if (strlen(id) > 40)
            return g_strdup_printf("'%.40s...'", id);
        return g_strdup_printf("'%s'", id);
    }
    case G_TOKEN_STRING:
        return g_strdup("a string");
    case G_TOKEN_INT:
        return g_strdup("an integer");
    case G_TOKEN_ERROR:
        return g_strdup("an invalid token");
    default:
        if (tok > 0 && tok < 128 && g_ascii_isprint(tok))
            return g_strdup_printf("'%c'", (char) tok);
        if (tok > 0 && tok < 256)
            return g_strdup_printf("the byte 0x%02x", (unsigned int) tok);
        return g_strdup_printf("token %d", (int) tok);
    }
}

/* The reason for a G_TOKEN_ERROR. */
static const char *
virConfScanError(GScanner *sc)
{
    switch (sc->value.v_error) {
    case G_ERR_UNEXP_EOF_IN_STRING:
        return "unterminated string";
    case G_ERR_UNEXP_EOF_IN_COMMENT:
        return "unterminated comment";
    /* GScanner's error for a number such as "0x10" or "12abc" when it
     * scans decimal integers only. */
    case G_ERR_UNKNOWN:
    case G_ERR_NON_DIGIT_IN_CONST:
    case G_ERR_DIGIT_RADIX:
    case G_ERR_FLOAT_RADIX:
    case G_ERR_FLOAT_MALFORMED:
        return "malformed number (only decimal integers are numbers)";
    case G_ERR_UNEXP_EOF:
    default:
        return "unexpected character";
    }
}

/* An integer's token (after an optional '-'): into @val, checked. */
static int
virConfParseInt(virConfParser *p, bool negative, virConfValue *val)
{
    guint64 n = p->sc->value.v_int64;
    guint line = g_scanner_cur_line(p->sc);

    if (negative) {
        if (n > (guint64) LLONG_MAX + 1)
            return virConfSyntax(p, line, "integer out of range (below %lld)", LLONG_MIN);
        if (n == 0) {
            val->type = VIR_CONF_ULLONG;
            val->ul = 0;
        } else {
            val->type = VIR_CONF_LLONG;
            val->l = (n == (guint64) LLONG_MAX + 1) ? LLONG_MIN : -(long long) n;
        }
        return 0;
    }
    /* strtoull's overflow gives G_MAXUINT64, which GScanner does not
     * tell from the number itself: that one is refused as too large. */
    if (n == G_MAXUINT64)
        return virConfSyntax(p, line, "integer out of range (above %llu)",
                             (unsigned long long) G_MAXUINT64 - 1);
    val->type = VIR_CONF_ULLONG;
    val->ul = n;
    return 0;
}

/*
 * A string token's value. Strings end on the line they start on, as in
 * libvirt: one running over lines is an unterminated string.
 */
static int
virConfParseStringTok(virConfParser *p, virConfValue *val)
{
    const char *s = p->sc->value.v_string;
    guint line = g_scanner_cur_line(p->sc);
    const char *nl;

    if ((nl = strchr(s, '\n'))) {
        guint breaks = 0;
        for (; nl; nl = strchr(nl + 1, '\n'))
            breaks++;
        return virConfSyntax(p, line > breaks ? line - breaks : 1,
                             "unterminated string (a string ends on the line it starts on)");
    }
    val->type = VIR_CONF_STRING;
    val->str = g_strdup(s);
    return 0;
}

static virConfValue *virConfParseValue(virConfParser *p, guint eqline,
                                       bool inList);

static int
virConfParseList(virConfParser *p, virConfValue *val)
{
    guint open = g_scanner_cur_line(p->sc);
    GTokenType tok;

    val->type = VIR_CONF_LIST;
    val->list = g_ptr_array_new_with_free_func((GDestroyNotify) virConfValueFree);
    for (;;) {
        virConfValue *elem;

        tok = g_scanner_peek_next_token(p->sc);
        if (tok == G_TOKEN_RIGHT_BRACE) {
            g_scanner_get_next_token(p->sc);
            return 0;
        }
        if (tok == G_TOKEN_EOF)
            return virConfSyntax(p, open, "unterminated list: no ']' for the '[' on this line");
        if (!(elem = virConfParseValue(p, 0, true)))
            return -1;
        g_ptr_array_add(val->list, elem);

        tok = g_scanner_get_next_token(p->sc);
        if (tok == G_TOKEN_RIGHT_BRACE)
            return 0;
        if (tok != G_TOKEN_COMMA) {
            g_autofree char *what = virConfDescribe(p->sc, tok);
            if (tok == G_TOKEN_EOF)
                return virConfSyntax(p, open, "unterminated list: no ']' for the '[' on this line");
            if (tok == G_TOKEN_ERROR)
                return virConfSyntax(p, g_scanner_cur_line(p->sc), "%s",
                                     virConfScanError(p->sc));
            return virConfSyntax(p, g_scanner_cur_line(p->sc),
                                 "expected ',' or ']' in the list, found %s", what);
        }
    }
}

/*
 * A value: an integer, a string, or (not inside a list) a list. Outside a
 * list it must start on the line of its '=' (@eqline).
 */
static virConfValue *
virConfParseValue(virConfParser *p, guint eqline, bool inList)
{
    g_autoptr(virConfValue) val = g_new0(virConfValue, 1);
    GTokenType tok = g_scanner_peek_next_token(p->sc);
    bool negative = false;

    /* A string running over lines ends on a later line: said below. */
    bool overLines = (tok == G_TOKEN_STRING && strchr(p->sc->next_value.v_string, '\n')) ||
                     (tok == G_TOKEN_ERROR &&
                      p->sc->next_value.v_error == G_ERR_UNEXP_EOF_IN_STRING);

    if (!inList && (tok == G_TOKEN_EOF || (p->sc->next_line != eqline && !overLines))) {
        virConfSyntax(p, eqline, "expected a value after '='");
        return NULL;
    }
    tok = g_scanner_get_next_token(p->sc);
    val->line = g_scanner_cur_line(p->sc);
    if (tok == '-') {
        negative = true;
        tok = g_scanner_peek_next_token(p->sc);
        if (tok != G_TOKEN_INT || p->sc->next_line != (guint) val->line) {
            virConfSyntax(p, val->line, "expected a number after '-'");
            return NULL;
        }
        tok = g_scanner_get_next_token(p->sc);
    }

    switch ((int) tok) {
    case G_TOKEN_INT:
        if (virConfParseInt(p, negative, val) < 0)
            return NULL;
        break;
    case G_TOKEN_STRING:
        if (virConfParseStringTok(p, val) < 0)
            return NULL;
        break;
    case G_TOKEN_LEFT_BRACE:
        if (inList) {
            virConfSyntax(p, val->line, "a list cannot hold a list");
            return NULL;
        }
        if (virConfParseList(p, val) < 0)
            return NULL;
        break;
    case G_TOKEN_ERROR:
        /* An unterminated string runs to the end of the file: name the
         * line of its '=' rather than the last one. */
        virConfSyntax(p, (!inList && p->sc->value.v_error == G_ERR_UNEXP_EOF_IN_STRING) ?
                      eqline : g_scanner_cur_line(p->sc), "%s", virConfScanError(p->sc));
        return NULL;
    case G_TOKEN_IDENTIFIER: {
        g_autofree char *what = virConfDescribe(p->sc, tok);
        virConfSyntax(p, val->line,
                      "expected a value, found %s (strings need quotes)", what);
        return NULL;
    }
    default: {
        g_autofree char *what = virConfDescribe(p->sc, tok);
        virConfSyntax(p, val->line,
                      inList ? "expected a value in the list, found %s"
                             : "expected a value after '=', found %s", what);
        return NULL;
    }
    }
    return g_steal_pointer(&val);
}

/* One "key = value" line into @conf. */
static int
virConfParseSetting(virConfParser *p, virConf *conf)
{
    g_autofree char *key = NULL;
    virConfValue *val;
    virConfEntry *entry;
    GTokenType tok = g_scanner_get_next_token(p->sc);
    guint line = g_scanner_cur_line(p->sc);
    guint end;

    if (tok == G_TOKEN_ERROR)
        return virConfSyntax(p, line, "%s", virConfScanError(p->sc));
    if (tok != G_TOKEN_IDENTIFIER) {
        g_autofree char *what = virConfDescribe(p->sc, tok);
        return virConfSyntax(p, line, "expected a setting (name = value), found %s", what);
    }
    key = g_strdup(p->sc->value.v_identifier);

    tok = g_scanner_peek_next_token(p->sc);
    if (tok != G_TOKEN_EQUAL_SIGN || p->sc->next_line != line)
        return virConfSyntax(p, line, "expected '=' after '%s'", key);
    g_scanner_get_next_token(p->sc);

    if (!(val = virConfParseValue(p, line, false)))
        return -1;
    entry = g_new0(virConfEntry, 1);
    entry->key = g_steal_pointer(&key);
    entry->value = val;
    g_ptr_array_add(conf->entries, entry);

    /* The setting ends its line (a ';' may close it, as in libvirt). */
    end = g_scanner_cur_line(p->sc);
    tok = g_scanner_peek_next_token(p->sc);
    if (tok == ';' && p->sc->next_line == end) {
        g_scanner_get_next_token(p->sc);
        tok = g_scanner_peek_next_token(p->sc);
    }
    if (tok != G_TOKEN_EOF && p->sc->next_line == end) {
        g_autofree char *what = NULL;
        g_scanner_get_next_token(p->sc);
        if (tok == G_TOKEN_ERROR)
            return virConfSyntax(p, end, "%s", virConfScanError(p->sc));
        what = virConfDescribe(p->sc, tok);
        return virConfSyntax(p, end, "expected the end of the line after the value of '%s', found %s",
                             entry->key, what);
    }
    return 0;
}

static const GScannerConfig virConfScannerConfig = {
    .cset_skip_characters = (char *) " \t\r\n\f\v",
    .cset_identifier_first = (char *) G_CSET_a_2_z G_CSET_A_2_Z "_",
    .cset_identifier_nth = (char *) G_CSET_a_2_z G_CSET_A_2_Z "_0123456789",
    .cpair_comment_single = (char *) "#\n",
    .case_sensitive = TRUE,
    .skip_comment_multi = FALSE,
    .skip_comment_single = TRUE,
    .scan_comment_multi = FALSE,
    .scan_identifier = TRUE,
    .scan_identifier_1char = TRUE,
    .scan_identifier_NULL = FALSE,
    .scan_symbols = FALSE,
    /* Numbers are decimal, as libvirt's: "0700" is seven hundred. */
    .scan_binary = FALSE,
    .scan_octal = FALSE,
    .scan_float = FALSE,
    .scan_hex = FALSE,
    .scan_hex_dollar = FALSE,
    .scan_string_sq = TRUE,
    .scan_string_dq = TRUE,
    .numbers_2_int = TRUE,
    .int_2_float = FALSE,
    .identifier_2_string = FALSE,
    .char_2_token = TRUE,
    .symbol_2_token = FALSE,
    .scope_0_fallback = FALSE,
    .store_int64 = TRUE,
};

virConf *
virConfReadString(const char *content, size_t len, const char *name)
{
    g_autoptr(virConf) conf = g_new0(virConf, 1);
    virConfParser p = { .name = name };
    const char *nul;
    int ret = 0;

    conf->name = g_strdup(name);
    conf->entries = g_ptr_array_new_with_free_func((GDestroyNotify) virConfEntryFree);

    if (len > VIR_CONF_MAX_SIZE) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s: larger than %d bytes: not a configuration file",
                       name, VIR_CONF_MAX_SIZE);
        return NULL;
    }
    /* GScanner stops at a NUL as at the end: say so rather than ignore
     * what follows it. */
    if ((nul = memchr(content, '\0', len))) {
        guint line = 1;
        for (const char *c = content; c < nul; c++)
            line += *c == '\n';
        virReportError(VIR_ERR_CONF_SYNTAX, "%s:%u: a NUL byte: not a text file",
                       name, line);
        return NULL;
    }

    p.sc = g_scanner_new(&virConfScannerConfig);
    p.sc->input_name = name;
    g_scanner_input_text(p.sc, content, len);
    while (g_scanner_peek_next_token(p.sc) != G_TOKEN_EOF) {
        if ((ret = virConfParseSetting(&p, conf)) < 0)
            break;
    }
    g_scanner_destroy(p.sc);
    if (ret < 0)
        return NULL;
    return g_steal_pointer(&conf);
}

virConf *
virConfReadFile(const char *filename)
{
    g_autofree char *content = NULL;
    struct stat sb;
    size_t len = 0;
    int fd;

    /* Not blocking on a FIFO nobody writes to: only regular files are read. */
    if ((fd = open(filename, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
        virReportSystemError(errno, "cannot read configuration file '%s'", filename);
        return NULL;
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       "configuration file '%s' is not a regular file", filename);
        close(fd);
        return NULL;
    }
    content = virFileReadAllFd(fd, filename, VIR_CONF_MAX_SIZE, &len);
    close(fd);
    if (!content)
        return NULL;
    return virConfReadString(content, len, filename);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                              */

virConfValue *
virConfGetValue(virConf *conf, const char *key)
{
    /* The first setting of a key counts, as in libvirt. */
    for (guint i = 0; i < conf->entries->len; i++) {
        virConfEntry *entry = g_ptr_array_index(conf->entries, i);
        if (strcmp(entry->key, key) == 0)
            return entry->value;
    }
    return NULL;
}

int
virConfWalk(virConf *conf, virConfWalkCallback cb, void *opaque)
{
    for (guint i = 0; i < conf->entries->len; i++) {
        virConfEntry *entry = g_ptr_array_index(conf->entries, i);
        int rc = cb(entry->key, entry->value, opaque);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int
virConfWrongType(virConf *conf, const char *key, virConfValue *val,
                 const char *want)
{
    virReportError(VIR_ERR_CONF_SYNTAX, "%s:%d: '%s' must be %s, not %s",
                   conf->name, val->line, key, want, virConfTypeName(val->type));
    return -1;
}

int
virConfGetValueString(virConf *conf, const char *key, char **value)
{
    virConfValue *val = virConfGetValue(conf, key);

    if (!val)
        return 0;
    if (val->type != VIR_CONF_STRING)
        return virConfWrongType(conf, key, val, "a string");
    g_free(*value);
    *value = g_strdup(val->str);
    return 1;
}

int
virConfGetValueStringList(virConf *conf, const char *key, char ***value)
{
    virConfValue *val = virConfGetValue(conf, key);
    GStrv list;

    if (!val)
        return 0;
    if (val->type == VIR_CONF_STRING) {
        list = g_new0(char *, 2);
        list[0] = g_strdup(val->str);
    } else if (val->type == VIR_CONF_LIST) {
        list = g_new0(char *, val->list->len + 1);
        for (guint i = 0; i < val->list->len; i++) {
            virConfValue *elem = g_ptr_array_index(val->list, i);
            if (elem->type != VIR_CONF_STRING) {
                g_strfreev(list);
                virReportError(VIR_ERR_CONF_SYNTAX,
                               "%s:%d: '%s' must be a list of strings, its item %u is %s",
                               conf->name, elem->line, key, i + 1,
                               virConfTypeName(elem->type));
                return -1;
            }
            list[i] = g_strdup(elem->str);
        }
    } else {
        return virConfWrongType(conf, key, val, "a list of strings");
    }
    g_strfreev(*value);
    *value = list;
    return 1;
}

/* @key's integer, within [@min, @max]. */
static int
virConfGetValueRange(virConf *conf, const char *key, long long min,
                     unsigned long long max, long long *sval,
                     unsigned long long *uval)
{
    virConfValue *val = virConfGetValue(conf, key);

    if (!val)
        return 0;
    if (val->type == VIR_CONF_LLONG) {
        if (val->l < min) {
            virReportError(VIR_ERR_CONF_SYNTAX, "%s:%d: '%s' must be at least %lld, not %lld",
                           conf->name, val->line, key, min, val->l);
            return -1;
        }
        *sval = val->l;
        *uval = 0;
        return 1;
    }
    if (val->type != VIR_CONF_ULLONG)
        return virConfWrongType(conf, key, val, "an integer");
    if (val->ul > max) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s:%d: '%s' must be at most %llu, not %llu",
                       conf->name, val->line, key, max, val->ul);
        return -1;
    }
    *sval = (long long) val->ul;
    *uval = val->ul;
    return 1;
}

int
virConfGetValueInt(virConf *conf, const char *key, int *value)
{
    long long s;
    unsigned long long u;
    int rc = virConfGetValueRange(conf, key, INT_MIN, INT_MAX, &s, &u);

    if (rc == 1)
        *value = (int) s;
    return rc;
}

int
virConfGetValueUInt(virConf *conf, const char *key, unsigned int *value)
{
    long long s;
    unsigned long long u;
    int rc = virConfGetValueRange(conf, key, 0, UINT_MAX, &s, &u);

    if (rc == 1)
        *value = (unsigned int) u;
    return rc;
}

int
virConfGetValueSizeT(virConf *conf, const char *key, size_t *value)
{
    long long s;
    unsigned long long u;
    int rc = virConfGetValueRange(conf, key, 0, SIZE_MAX, &s, &u);

    if (rc == 1)
        *value = (size_t) u;
    return rc;
}

int
virConfGetValueBool(virConf *conf, const char *key, bool *value)
{
    virConfValue *val = virConfGetValue(conf, key);

    if (!val)
        return 0;
    if (val->type != VIR_CONF_ULLONG || val->ul > 1) {
        if (val->type == VIR_CONF_ULLONG || val->type == VIR_CONF_LLONG) {
            virReportError(VIR_ERR_CONF_SYNTAX, "%s:%d: '%s' must be 0 or 1",
                           conf->name, val->line, key);
            return -1;
        }
        return virConfWrongType(conf, key, val, "0 or 1");
    }
    *value = val->ul == 1;
    return 1;
}
