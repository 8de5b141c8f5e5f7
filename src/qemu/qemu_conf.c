/* qemu_conf.c: read the QEMU driver's settings from qemu.conf (libvirt's syntax). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu_conf.h"
#include "util/virerror.h"
#include "util/virfile.h"
#include "util/virid.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

#ifndef QEMU_SYSTEM_PATH
# define QEMU_SYSTEM_PATH "/usr/bin/qemu-system-x86_64"
#endif

/* libvirt's own, every setting commented, is under 64 KiB. */
#define QEMU_CONF_MAX_SIZE (1024 * 1024)

/*
 * The file format, as libvirt has it:
 *
 *   # a comment
 *   key = "a string"
 *   key = 'a string'
 *   key = 42
 *   key = [ "a", "b", ]      (may span lines; comments allowed inside)
 *
 * One setting per line; a ';' may end it. Strings have no escapes and do
 * not span lines. We parse the whole file first, then apply the settings
 * to a copy of the configuration, so a bad file leaves the caller's
 * configuration untouched.
 */

typedef enum {
    QEMU_CONF_VALUE_STRING,
    QEMU_CONF_VALUE_INT,
    QEMU_CONF_VALUE_LIST,
} qemuConfValueType;

typedef struct _qemuConfValue qemuConfValue;
struct _qemuConfValue {
    qemuConfValueType type;
    char *str;                      /* STRING */
    bool negative;                  /* INT: sign ... */
    unsigned long long magnitude;   /* ... and absolute value */
    GPtrArray *items;               /* LIST: qemuConfValue, no nested lists */
};

typedef struct _qemuConfEntry qemuConfEntry;
struct _qemuConfEntry {
    char *key;
    int line;
    qemuConfValue *value;
};

typedef struct _qemuConfParser qemuConfParser;
struct _qemuConfParser {
    const char *file;
    const char *cur;
    const char *end;
    int line;
};


static void
qemuConfValueFree(qemuConfValue *val)
{
    if (!val)
        return;
    g_free(val->str);
    if (val->items)
        g_ptr_array_unref(val->items);
    g_free(val);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(qemuConfValue, qemuConfValueFree);


static void
qemuConfEntryFree(qemuConfEntry *entry)
{
    if (!entry)
        return;
    g_free(entry->key);
    qemuConfValueFree(entry->value);
    g_free(entry);
}


/*
 * Syntax errors belong to the configuration file parser (VIR_FROM_CONF, as
 * in libvirt); they always name the file and the line.
 */
static void G_GNUC_PRINTF(2, 3)
qemuConfSyntaxError(qemuConfParser *parser, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *detail = NULL;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_CONF,
                      VIR_ERR_CONF_SYNTAX, VIR_ERR_ERROR,
                      "syntax error in configuration file '%s' at line %d: %s",
                      parser->file, parser->line, detail);
}


static bool
qemuConfAtEnd(qemuConfParser *parser)
{
    return parser->cur >= parser->end;
}


/* Skip spaces and comments; with @newlines also line ends. */
static void
qemuConfSkipBlanks(qemuConfParser *parser, bool newlines)
{
    while (!qemuConfAtEnd(parser)) {
        char c = *parser->cur;

        if (c == ' ' || c == '\t' || c == '\r') {
            parser->cur++;
        } else if (c == '#') {
            while (!qemuConfAtEnd(parser) && *parser->cur != '\n')
                parser->cur++;
        } else if (c == '\n' && newlines) {
            parser->line++;
            parser->cur++;
        } else {
            break;
        }
    }
}


static qemuConfValue *
qemuConfParseString(qemuConfParser *parser)
{
    char quote = *parser->cur;
    const char *start = ++parser->cur;
    g_autoptr(qemuConfValue) val = g_new0(qemuConfValue, 1);

    while (!qemuConfAtEnd(parser) && *parser->cur != quote) {
        if (*parser->cur == '\n')
            break;
        parser->cur++;
    }
    if (qemuConfAtEnd(parser) || *parser->cur != quote) {
        qemuConfSyntaxError(parser, "unterminated string");
        return NULL;
    }

    val->type = QEMU_CONF_VALUE_STRING;
    val->str = g_strndup(start, parser->cur - start);
    parser->cur++;
    return g_steal_pointer(&val);
}


static qemuConfValue *
qemuConfParseInt(qemuConfParser *parser)
{
    g_autoptr(qemuConfValue) val = g_new0(qemuConfValue, 1);
    const char *start;
    const char *p;

    val->type = QEMU_CONF_VALUE_INT;
    if (*parser->cur == '-' || *parser->cur == '+') {
        val->negative = *parser->cur == '-';
        parser->cur++;
    }

    start = parser->cur;
    while (!qemuConfAtEnd(parser) && g_ascii_isdigit(*parser->cur))
        parser->cur++;
    for (p = start; p < parser->cur; p++) {
        unsigned int digit = *p - '0';

        if (val->magnitude > (G_MAXUINT64 - digit) / 10) {
            qemuConfSyntaxError(parser, "integer '%.*s' is too large",
                                (int) (parser->cur - start), start);
            return NULL;
        }
        val->magnitude = val->magnitude * 10 + digit;
    }

    if (parser->cur == start) {
        qemuConfSyntaxError(parser, "expected a digit after the sign");
        return NULL;
    }
    if (!qemuConfAtEnd(parser) &&
        (g_ascii_isalnum(*parser->cur) || *parser->cur == '_' ||
         *parser->cur == '.')) {
        qemuConfSyntaxError(parser,
                            "integers must be whole decimal numbers (found '%c' after the digits)",
                            *parser->cur);
        return NULL;
    }
    return g_steal_pointer(&val);
}


static qemuConfValue *qemuConfParseValue(qemuConfParser *parser, bool inList);

static qemuConfValue *
qemuConfParseList(qemuConfParser *parser)
{
    g_autoptr(qemuConfValue) val = g_new0(qemuConfValue, 1);

    val->type = QEMU_CONF_VALUE_LIST;
    val->items = g_ptr_array_new_with_free_func((GDestroyNotify) qemuConfValueFree);
    parser->cur++; /* '[' */

    while (true) {
        qemuConfValue *item;

        qemuConfSkipBlanks(parser, true);
        if (qemuConfAtEnd(parser)) {
            qemuConfSyntaxError(parser, "list is not closed with ']'");
            return NULL;
        }
        if (*parser->cur == ']')
            break;

        if (!(item = qemuConfParseValue(parser, true)))
            return NULL;
        g_ptr_array_add(val->items, item);

        qemuConfSkipBlanks(parser, true);
        if (qemuConfAtEnd(parser)) {
            qemuConfSyntaxError(parser, "list is not closed with ']'");
            return NULL;
        }
        if (*parser->cur == ',') {
            parser->cur++;
        } else if (*parser->cur != ']') {
            qemuConfSyntaxError(parser, "expected ',' or ']' in a list, found '%c'",
                                *parser->cur);
            return NULL;
        }
    }
    parser->cur++; /* ']' */
    return g_steal_pointer(&val);
}


static qemuConfValue *
qemuConfParseValue(qemuConfParser *parser, bool inList)
{
    char c;

    if (qemuConfAtEnd(parser) || *parser->cur == '\n') {
        qemuConfSyntaxError(parser, "expected a value");
        return NULL;
    }

    c = *parser->cur;
    if (c == '"' || c == '\'')
        return qemuConfParseString(parser);
    if (c == '-' || c == '+' || g_ascii_isdigit(c))
        return qemuConfParseInt(parser);
    if (c == '[') {
        if (inList) {
            qemuConfSyntaxError(parser, "lists cannot be nested");
            return NULL;
        }
        return qemuConfParseList(parser);
    }

    qemuConfSyntaxError(parser,
                        "expected a value (a quoted string, an integer or a list), found '%c'",
                        c);
    return NULL;
}


static qemuConfEntry *
qemuConfParseEntry(qemuConfParser *parser)
{
    const char *start = parser->cur;
    g_autofree char *key = NULL;
    qemuConfEntry *entry;
    qemuConfValue *val;
    int line = parser->line;

    if (!g_ascii_isalpha(*parser->cur) && *parser->cur != '_') {
        qemuConfSyntaxError(parser, "expected a setting name, found '%c'",
                            *parser->cur);
        return NULL;
    }
    while (!qemuConfAtEnd(parser) &&
           (g_ascii_isalnum(*parser->cur) || *parser->cur == '_' ||
            *parser->cur == '.'))
        parser->cur++;
    key = g_strndup(start, parser->cur - start);

    qemuConfSkipBlanks(parser, false);
    if (qemuConfAtEnd(parser) || *parser->cur != '=') {
        qemuConfSyntaxError(parser, "expected '=' after '%s'", key);
        return NULL;
    }
    parser->cur++;
    qemuConfSkipBlanks(parser, false);

    if (!(val = qemuConfParseValue(parser, false)))
        return NULL;

    entry = g_new0(qemuConfEntry, 1);
    entry->key = g_steal_pointer(&key);
    entry->line = line;
    entry->value = val;

    qemuConfSkipBlanks(parser, false);
    if (!qemuConfAtEnd(parser) && *parser->cur == ';') {
        parser->cur++;
        qemuConfSkipBlanks(parser, false);
    }
    if (!qemuConfAtEnd(parser) && *parser->cur != '\n') {
        qemuConfSyntaxError(parser, "unexpected '%c' after the value of '%s'",
                            *parser->cur, entry->key);
        qemuConfEntryFree(entry);
        return NULL;
    }
    return entry;
}


/* Parse @len bytes of @content into a list of qemuConfEntry. */
static GPtrArray *
qemuConfParse(const char *file, const char *content, size_t len)
{
    g_autoptr(GPtrArray) entries =
        g_ptr_array_new_with_free_func((GDestroyNotify) qemuConfEntryFree);
    qemuConfParser parser = { file, content, content + len, 1 };
    const char *nul;

    /* Line numbers below would be off, but say where the NUL is anyway. */
    if ((nul = memchr(content, '\0', len))) {
        parser.end = nul;
        while (!qemuConfAtEnd(&parser)) {
            if (*parser.cur++ == '\n')
                parser.line++;
        }
        qemuConfSyntaxError(&parser, "the file contains a NUL byte");
        return NULL;
    }

    while (true) {
        qemuConfEntry *entry;

        qemuConfSkipBlanks(&parser, true);
        if (qemuConfAtEnd(&parser))
            break;
        if (!(entry = qemuConfParseEntry(&parser)))
            return NULL;
        g_ptr_array_add(entries, entry);
    }

    return g_steal_pointer(&entries);
}


static const char *
qemuConfValueTypeName(const qemuConfValue *val)
{
    switch (val->type) {
    case QEMU_CONF_VALUE_STRING:
        return "a string";
    case QEMU_CONF_VALUE_INT:
        return "an integer";
    case QEMU_CONF_VALUE_LIST:
        return "a list";
    }
    return "unknown";
}


static void
qemuConfWrongType(const char *file, const qemuConfEntry *entry,
                  const qemuConfValue *val, const char *expected)
{
    virReportError(VIR_ERR_CONF_SYNTAX,
                   "setting '%s' in configuration file '%s' at line %d must be %s, not %s",
                   entry->key, file, entry->line, expected,
                   qemuConfValueTypeName(val));
}


/* A non-empty string value. */
static int
qemuConfGetString(const char *file, const qemuConfEntry *entry,
                  const qemuConfValue *val, char **out)
{
    if (val->type != QEMU_CONF_VALUE_STRING) {
        qemuConfWrongType(file, entry, val, "a string");
        return -1;
    }
    if (!*val->str) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       "setting '%s' in configuration file '%s' at line %d must not be empty",
                       entry->key, file, entry->line);
        return -1;
    }
    g_free(*out);
    *out = g_strdup(val->str);
    return 0;
}


/* An integer from @min to @max. */
static int
qemuConfGetUInt(const char *file, const qemuConfEntry *entry,
                unsigned long long min, unsigned long long max,
                unsigned long long *out)
{
    const qemuConfValue *val = entry->value;

    if (val->type != QEMU_CONF_VALUE_INT) {
        qemuConfWrongType(file, entry, val, "an integer");
        return -1;
    }
    if ((val->negative && val->magnitude != 0) ||
        val->magnitude < min || val->magnitude > max) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       "setting '%s' in configuration file '%s' at line %d "
                       "must be between %llu and %llu",
                       entry->key, file, entry->line, min, max);
        return -1;
    }
    *out = val->magnitude;
    return 0;
}


/*
 * "user" and "group": a name, or '+' and a numeric id (see virid.h for
 * the range). The number is checked here, where the file and line are
 * known. Whether a name exists is for the security manager to find out
 * when the driver starts.
 */
static int
qemuConfGetId(const char *file, const qemuConfEntry *entry, char **out)
{
    g_autofree char *val = NULL;
    guint32 id;

    if (qemuConfGetString(file, entry, entry->value, &val) < 0)
        return -1;
    if (virIDParseNumeric(val, &id) < 0) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       "setting '%s' in configuration file '%s' at line %d has the value '%s', "
                       "but a numeric id must be '+' followed by a number from 0 to %u",
                       entry->key, file, entry->line, val, VIR_ID_MAX);
        return -1;
    }
    g_free(*out);
    *out = g_steal_pointer(&val);
    return 0;
}


static int
qemuConfSetUser(qemuDriverConfig *cfg, const char *file,
                const qemuConfEntry *entry)
{
    return qemuConfGetId(file, entry, &cfg->user);
}


static int
qemuConfSetGroup(qemuDriverConfig *cfg, const char *file,
                 const qemuConfEntry *entry)
{
    return qemuConfGetId(file, entry, &cfg->group);
}


static int
qemuConfSetSecurityDriver(qemuDriverConfig *cfg, const char *file,
                          const qemuConfEntry *entry)
{
    const qemuConfValue *val = entry->value;
    g_autofree char *name = NULL;

    /* libvirt takes a list to stack drivers; we have only one at a time. */
    if (val->type == QEMU_CONF_VALUE_LIST) {
        if (val->items->len != 1) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           "setting '%s' in configuration file '%s' at line %d "
                           "lists %u security drivers, but exactly one is supported",
                           entry->key, file, entry->line, val->items->len);
            return -1;
        }
        val = g_ptr_array_index(val->items, 0);
    }
    if (qemuConfGetString(file, entry, val, &name) < 0)
        return -1;

    if (strcmp(name, "dac") != 0 && strcmp(name, "none") != 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "security driver '%s' in configuration file '%s' at line %d "
                       "is not supported, use 'dac' or 'none'",
                       name, file, entry->line);
        return -1;
    }
    g_free(cfg->securityDriver);
    cfg->securityDriver = g_steal_pointer(&name);
    return 0;
}


static int
qemuConfSetBlockPullMaxBandwidth(qemuDriverConfig *cfg, const char *file,
                                 const qemuConfEntry *entry)
{
    return qemuConfGetUInt(file, entry, 0, G_MAXUINT64,
                           &cfg->blockPullMaxBandwidth);
}


static int
qemuConfSetEmulator(qemuDriverConfig *cfg, const char *file,
                    const qemuConfEntry *entry)
{
    g_autofree char *path = NULL;

    if (qemuConfGetString(file, entry, entry->value, &path) < 0)
        return -1;
    if (!g_path_is_absolute(path)) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       "emulator '%s' in configuration file '%s' at line %d "
                       "must be an absolute path",
                       path, file, entry->line);
        return -1;
    }
    g_free(cfg->emulator);
    cfg->emulator = g_steal_pointer(&path);
    return 0;
}


/* A time in milliseconds, at least 1, into @ms. */
static int
qemuConfGetTimeout(const char *file, const qemuConfEntry *entry, int *ms)
{
    unsigned long long val;

    if (qemuConfGetUInt(file, entry, 1, G_MAXINT, &val) < 0)
        return -1;
    *ms = val;
    return 0;
}


static int
qemuConfSetMonitorTimeout(qemuDriverConfig *cfg, const char *file,
                          const qemuConfEntry *entry)
{
    return qemuConfGetTimeout(file, entry, &cfg->monitorTimeout);
}


static int
qemuConfSetJobWaitTimeout(qemuDriverConfig *cfg, const char *file,
                          const qemuConfEntry *entry)
{
    return qemuConfGetTimeout(file, entry, &cfg->jobWaitTimeout);
}


/* A list of absolute directories; [] clears it. */
static int
qemuConfSetBackingDirs(qemuDriverConfig *cfg, const char *file,
                       const qemuConfEntry *entry)
{
    const qemuConfValue *val = entry->value;
    g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);

    if (val->type != QEMU_CONF_VALUE_LIST) {
        qemuConfWrongType(file, entry, val, "a list of directories");
        return -1;
    }
    for (guint i = 0; i < val->items->len; i++) {
        g_autofree char *dir = NULL;

        if (qemuConfGetString(file, entry, g_ptr_array_index(val->items, i), &dir) < 0)
            return -1;
        if (!g_path_is_absolute(dir)) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           "directory '%s' of setting '%s' in configuration file '%s' at line %d must be an absolute path",
                           dir, entry->key, file, entry->line);
            return -1;
        }
        g_ptr_array_add(dirs, g_steal_pointer(&dir));
    }
    g_ptr_array_add(dirs, NULL);
    g_strfreev(cfg->backingDirs);
    cfg->backingDirs = (char **) g_ptr_array_free(g_steal_pointer(&dirs), FALSE);
    return 0;
}


typedef int (*qemuConfSetter)(qemuDriverConfig *cfg, const char *file,
                              const qemuConfEntry *entry);

static const struct {
    const char *key;
    qemuConfSetter set;
} qemuConfKeys[] = {
    { "user", qemuConfSetUser },
    { "group", qemuConfSetGroup },
    { "security_driver", qemuConfSetSecurityDriver },
    { "block_pull_max_bandwidth", qemuConfSetBlockPullMaxBandwidth },
    { "emulator", qemuConfSetEmulator },
    { "monitor_timeout", qemuConfSetMonitorTimeout },
    { "job_wait_timeout", qemuConfSetJobWaitTimeout },
    { "backing_dirs", qemuConfSetBackingDirs },
};


static int
qemuConfApplyEntry(qemuDriverConfig *cfg, const char *file,
                   const qemuConfEntry *entry)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuConfKeys); i++) {
        if (strcmp(qemuConfKeys[i].key, entry->key) == 0)
            return qemuConfKeys[i].set(cfg, file, entry);
    }

    /* As libvirt: settings of features we don't have are not fatal. */
    VIR_WARN("ignoring unknown setting '%s' in configuration file '%s' at line %d",
             entry->key, file, entry->line);
    return 0;
}


/**
 * qemuDriverConfigNew:
 *
 * Returns a new configuration holding the defaults: user "nobody", group
 * "nogroup", security driver "dac", no pull bandwidth limit, emulator
 * QEMU_SYSTEM_PATH, monitor timeout and job wait timeout 30000 ms, no
 * backing directories. Free with qemuDriverConfigFree().
 */
qemuDriverConfig *
qemuDriverConfigNew(void)
{
    qemuDriverConfig *cfg = g_new0(qemuDriverConfig, 1);

    cfg->user = g_strdup(QEMU_DRIVER_CONFIG_DEFAULT_USER);
    cfg->group = g_strdup(QEMU_DRIVER_CONFIG_DEFAULT_GROUP);
    cfg->securityDriver = g_strdup(QEMU_DRIVER_CONFIG_DEFAULT_SECURITY_DRIVER);
    cfg->blockPullMaxBandwidth = 0;
    cfg->emulator = g_strdup(QEMU_SYSTEM_PATH);
    cfg->monitorTimeout = QEMU_DRIVER_CONFIG_DEFAULT_MONITOR_TIMEOUT;
    cfg->jobWaitTimeout = QEMU_DRIVER_CONFIG_DEFAULT_JOB_WAIT_TIMEOUT;
    return cfg;
}


static qemuDriverConfig *
qemuDriverConfigCopy(const qemuDriverConfig *cfg)
{
    qemuDriverConfig *copy = g_new0(qemuDriverConfig, 1);

    copy->user = g_strdup(cfg->user);
    copy->group = g_strdup(cfg->group);
    copy->securityDriver = g_strdup(cfg->securityDriver);
    copy->blockPullMaxBandwidth = cfg->blockPullMaxBandwidth;
    copy->emulator = g_strdup(cfg->emulator);
    copy->monitorTimeout = cfg->monitorTimeout;
    copy->jobWaitTimeout = cfg->jobWaitTimeout;
    copy->configFile = g_strdup(cfg->configFile);
    copy->backingDirs = g_strdupv(cfg->backingDirs);
    return copy;
}


/*
 * Read qemu.conf if it exists and nobody but root and the caller can
 * change it: its settings choose the program the driver runs and the
 * user that runs it. Not through a symbolic link, and without blocking
 * on a FIFO. Returns 1 with the content in @content and @len, 0 if the
 * file does not exist, -1 with an error reported.
 */
static int
qemuConfReadFile(const char *path, char **content, size_t *len)
{
    g_autofree char *what = g_strdup_printf("configuration file '%s'", path);
    struct stat sb;
    int fd;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
        int err = errno;

        if (err == ENOENT) {
            VIR_DEBUG("configuration file '%s' does not exist, using defaults",
                      path);
            return 0;
        }
        /* O_NOFOLLOW's ELOOP: say it is a link. */
        if (err == ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
            virFileCheckTrusted(what, path, &sb, S_IFREG, false);
            return -1;
        }
        virReportSystemError(err, "cannot read configuration file '%s'", path);
        return -1;
    }
    if (fstat(fd, &sb) < 0) {
        virReportSystemError(errno, "cannot read configuration file '%s'", path);
        close(fd);
        return -1;
    }
    if (virFileCheckTrusted(what, path, &sb, S_IFREG, false) < 0 ||
        !(*content = virFileReadAllFd(fd, path, QEMU_CONF_MAX_SIZE, len))) {
        close(fd);
        return -1;
    }
    close(fd);
    return 1;
}


/**
 * qemuDriverConfigLoadString:
 * @cfg: the configuration to update (usually fresh from qemuDriverConfigNew)
 * @content: the text of a qemu.conf (need not be NUL-terminated)
 * @len: its length in bytes
 * @name: the file it came from, for messages and @cfg->configFile
 *
 * Parse @content and apply its settings to @cfg, as
 * qemuDriverConfigLoadFile() does with the content of a file (without
 * its checks of the file itself). Unknown settings are logged as warnings
 * and ignored. On success @cfg->configFile is set to @name.
 *
 * Returns 0 on success, -1 with an error reported (VIR_ERR_CONF_SYNTAX
 * naming @name and the line for a malformed text or a value of the wrong
 * type or range, VIR_ERR_CONFIG_UNSUPPORTED for a security driver we
 * lack); on failure @cfg is left unchanged.
 */
int
qemuDriverConfigLoadString(qemuDriverConfig *cfg, const char *content,
                           size_t len, const char *name)
{
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(qemuDriverConfig) tmp = NULL;
    qemuDriverConfig swap;
    size_t i;

    if (!(entries = qemuConfParse(name, content, len)))
        return -1;

    tmp = qemuDriverConfigCopy(cfg);
    for (i = 0; i < entries->len; i++) {
        if (qemuConfApplyEntry(tmp, name, g_ptr_array_index(entries, i)) < 0)
            return -1;
    }
    g_free(tmp->configFile);
    tmp->configFile = g_strdup(name);

    /* Swap contents: @cfg gets the new values, @tmp frees the old ones. */
    swap = *cfg;
    *cfg = *tmp;
    *tmp = swap;

    VIR_DEBUG("loaded '%s': user='%s' group='%s' security_driver='%s' "
              "block_pull_max_bandwidth=%llu emulator='%s' monitor_timeout=%d "
              "job_wait_timeout=%d",
              name, cfg->user, cfg->group, cfg->securityDriver,
              cfg->blockPullMaxBandwidth, cfg->emulator, cfg->monitorTimeout,
              cfg->jobWaitTimeout);
    return 0;
}


/**
 * qemuDriverConfigLoadFile:
 * @cfg: the configuration to update (usually fresh from qemuDriverConfigNew)
 * @path: the qemu.conf to read
 *
 * Read @path and apply its settings to @cfg. A missing file is not an
 * error: @cfg keeps what it holds. Unknown settings are logged as warnings
 * and ignored. On success @cfg->configFile is set to @path. The file
 * itself must be a regular file (not a symbolic link) owned by root or
 * the caller and not writable by its group or others; the caller vouches
 * for the directories above it.
 *
 * Returns 0 on success, -1 with an error reported (VIR_ERR_CONF_SYNTAX
 * naming the file and line for a malformed file or a value of the wrong
 * type or range, VIR_ERR_CONFIG_UNSUPPORTED for a security driver we lack,
 * VIR_ERR_OPERATION_DENIED for a file others could change, a symbolic
 * link or not a regular file, VIR_ERR_SYSTEM_ERROR or VIR_ERR_READ_FAILED
 * if it cannot be read); on failure @cfg is left unchanged.
 */
int
qemuDriverConfigLoadFile(qemuDriverConfig *cfg, const char *path)
{
    g_autofree char *content = NULL;
    size_t len = 0;
    int rc;

    if ((rc = qemuConfReadFile(path, &content, &len)) <= 0)
        return rc;
    return qemuDriverConfigLoadString(cfg, content, len, path);
}


/**
 * qemuDriverConfigFree:
 * @cfg: a configuration or NULL
 *
 * Free @cfg and everything it holds.
 */
void
qemuDriverConfigFree(qemuDriverConfig *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->user);
    g_free(cfg->group);
    g_free(cfg->securityDriver);
    g_free(cfg->emulator);
    g_free(cfg->configFile);
    g_strfreev(cfg->backingDirs);
    g_free(cfg);
}
