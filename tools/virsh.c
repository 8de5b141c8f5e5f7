/* virsh.c: the shell's plumbing: options, parsing, the command table, readline. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "virsh.h"

#define VIR_FROM_THIS VIR_FROM_NONE

#define VIRSH_PROMPT_RW "virsh # "
#define VIRSH_PROMPT_RO "virsh > "

/* One parsed command: its definition and the values of its options,
 * stored in the order of the definition's option table. */
struct _virshCmd {
    const virshCmdDef *def;
    size_t nopts;
    bool *seen;
    char **values;              /* NULL for booleans */
    bool help;                  /* "--help" was given */
};

static GThread *virshMainThread;


/* ------------------------------------------------------------------ */
/* Messages and errors                                                  */
/* ------------------------------------------------------------------ */

/**
 * virshError:
 * @ctl: the shell
 * @fmt: printf-style message
 *
 * Print "error: MESSAGE" on stderr, after whatever stdout holds.
 */
void
virshError(virshControl *ctl G_GNUC_UNUSED, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/**
 * virshPrint:
 * @ctl: the shell
 * @fmt: printf-style text
 *
 * Print command output on stdout.
 */
void
virshPrint(virshControl *ctl G_GNUC_UNUSED, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

/**
 * virshPrintExtra:
 * @ctl: the shell
 * @fmt: printf-style text
 *
 * Print an informational message on stdout, unless -q was given.
 */
void
virshPrintExtra(virshControl *ctl, const char *fmt, ...)
{
    va_list ap;

    if (ctl->quiet)
        return;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

/* Called by the library for every error it raises. Only errors of the
 * shell's own thread are kept: the library's threads raise errors of their
 * own which are none of the command's business. The copy survives calls
 * such as virDomainFree() that reset the thread's error. */
static void
virshErrorHandler(void *opaque, virErrorPtr err G_GNUC_UNUSED)
{
    virshControl *ctl = opaque;

    if (g_thread_self() != virshMainThread)
        return;
    g_clear_pointer(&ctl->lastError, virFreeError);
    ctl->lastError = virSaveLastError();
}

/**
 * virshResetLibvirtError:
 * @ctl: the shell
 *
 * Forget the library's last error, for failures the command handled.
 */
void
virshResetLibvirtError(virshControl *ctl)
{
    g_clear_pointer(&ctl->lastError, virFreeError);
    virResetLastError();
}

/* After a failed command: print the library's error, if it left one. */
static void
virshReportError(virshControl *ctl)
{
    virErrorPtr err = ctl->lastError;

    if (!err || err->code == VIR_ERR_OK)
        err = virGetLastError();
    if (err && err->code != VIR_ERR_OK)
        virshError(ctl, "%s", err->message ? err->message : "unknown error");
    virshResetLibvirtError(ctl);
}


/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

struct _virshTable {
    size_t ncols;
    GPtrArray *rows;            /* of GStrv; the first is the header */
};

static GStrv
virshTableRowFromList(const char *first, va_list ap)
{
    g_autoptr(GPtrArray) cells = g_ptr_array_new();
    const char *cell;

    for (cell = first; cell; cell = va_arg(ap, const char *))
        g_ptr_array_add(cells, g_strdup(cell));
    g_ptr_array_add(cells, NULL);
    return (GStrv) g_ptr_array_free(g_steal_pointer(&cells), FALSE);
}

/**
 * virshTableNew:
 * @first: the title of the first column, followed by the others and NULL
 *
 * Returns a new table (free with virshTableFree()).
 */
virshTable *
virshTableNew(const char *first, ...)
{
    virshTable *table = g_new0(virshTable, 1);
    va_list ap;
    GStrv header;

    va_start(ap, first);
    header = virshTableRowFromList(first, ap);
    va_end(ap);
    table->ncols = g_strv_length(header);
    table->rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
    g_ptr_array_add(table->rows, header);
    return table;
}

/**
 * virshTableRowAppend:
 * @table: a table
 * @first: the first cell, followed by the others and NULL; there must be
 *         as many as the table has columns
 */
void
virshTableRowAppend(virshTable *table, const char *first, ...)
{
    va_list ap;
    GStrv row;

    va_start(ap, first);
    row = virshTableRowFromList(first, ap);
    va_end(ap);
    g_assert(g_strv_length(row) == table->ncols);
    g_ptr_array_add(table->rows, row);
}

static void
virshTablePrintRow(GString *out, GStrv row, const size_t *widths, size_t ncols)
{
    size_t i;

    g_string_append_c(out, ' ');
    for (i = 0; i < ncols; i++) {
        g_string_append(out, row[i]);
        if (i + 1 < ncols) {
            size_t pad = widths[i] - g_utf8_strlen(row[i], -1) + 3;
            while (pad--)
                g_string_append_c(out, ' ');
        }
    }
    g_string_append_c(out, '\n');
}

/**
 * virshTablePrint:
 * @ctl: the shell
 * @table: a table
 *
 * Print @table on stdout: columns left aligned, three spaces apart, the
 * header (left out with -q) over a line of dashes.
 */
void
virshTablePrint(virshControl *ctl, virshTable *table)
{
    g_autofree size_t *widths = g_new0(size_t, table->ncols);
    g_autoptr(GString) out = g_string_new(NULL);
    size_t total = 0;
    size_t i, j;

    for (i = 0; i < table->rows->len; i++) {
        GStrv row = g_ptr_array_index(table->rows, i);
        for (j = 0; j < table->ncols; j++)
            widths[j] = MAX(widths[j], (size_t) g_utf8_strlen(row[j], -1));
    }
    for (j = 0; j < table->ncols; j++)
        total += widths[j] + 3;

    if (!ctl->quiet) {
        virshTablePrintRow(out, g_ptr_array_index(table->rows, 0),
                           widths, table->ncols);
        for (i = 0; i < total; i++)
            g_string_append_c(out, '-');
        g_string_append_c(out, '\n');
    }
    for (i = 1; i < table->rows->len; i++)
        virshTablePrintRow(out, g_ptr_array_index(table->rows, i),
                           widths, table->ncols);
    fputs(out->str, stdout);
}

/**
 * virshTableFree:
 * @table: a table, or NULL
 */
void
virshTableFree(virshTable *table)
{
    if (!table)
        return;
    g_ptr_array_unref(table->rows);
    g_free(table);
}


/* ------------------------------------------------------------------ */
/* Options of a parsed command                                          */
/* ------------------------------------------------------------------ */

static void
virshCmdFree(virshCmd *cmd)
{
    size_t i;

    if (!cmd)
        return;
    for (i = 0; i < cmd->nopts; i++)
        g_free(cmd->values[i]);
    g_free(cmd->values);
    g_free(cmd->seen);
    g_free(cmd);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virshCmd, virshCmdFree);

static ssize_t
virshCmdOptIndex(const virshCmdDef *def, const char *name)
{
    size_t i;

    for (i = 0; def->opts && def->opts[i].name; i++) {
        if (g_str_equal(def->opts[i].name, name))
            return i;
    }
    return -1;
}

/**
 * virshCommandOptBool:
 * @cmd: the command
 * @name: an option of the command
 *
 * Returns true if the option was given.
 */
bool
virshCommandOptBool(const virshCmd *cmd, const char *name)
{
    ssize_t i = virshCmdOptIndex(cmd->def, name);

    g_assert(i >= 0);
    return cmd->seen[i];
}

/**
 * virshCommandOptString:
 * @cmd: the command
 * @name: an option of the command taking a value
 *
 * Returns the value (owned by @cmd), or NULL if the option was not given.
 */
const char *
virshCommandOptString(const virshCmd *cmd, const char *name)
{
    ssize_t i = virshCmdOptIndex(cmd->def, name);

    g_assert(i >= 0);
    return cmd->values[i];
}

/**
 * virshParseNumber:
 * @str: a decimal number, with an optional sign
 * @min: the smallest value accepted
 * @max: the largest value accepted
 * @value: set to the number
 *
 * Parse with strtoll() itself rather than GLib's helpers: those read errno
 * after a call that may wait on a lock another thread holds, and a wait
 * may leave errno set, making a good number look out of range.
 *
 * Returns 0 on success, -1 if @str is not such a number.
 */
int
virshParseNumber(const char *str, long long min, long long max,
                 long long *value)
{
    char *end = NULL;
    long long num;

    if (!g_ascii_isdigit(*str) && *str != '-' && *str != '+')
        return -1;
    errno = 0;
    num = strtoll(str, &end, 10);
    if (errno != 0 || end == str || *end || num < min || num > max)
        return -1;
    *value = num;
    return 0;
}

/**
 * virshCommandOptInt:
 * @ctl: the shell
 * @cmd: the command
 * @name: an option of type VIRSH_OT_INT
 * @value: set to the number when the option was given
 *
 * Returns 1 if the option was given, 0 if not, -1 (error printed) if its
 * value is not a number that fits an int.
 */
int
virshCommandOptInt(virshControl *ctl, const virshCmd *cmd,
                   const char *name, int *value)
{
    const char *str = virshCommandOptString(cmd, name);
    long long num;

    if (!str)
        return 0;
    if (virshParseNumber(str, G_MININT, G_MAXINT, &num) < 0) {
        virshError(ctl, "Numeric value '%s' for <%s> option is malformed or out of range",
                   str, name);
        return -1;
    }
    *value = num;
    return 1;
}

/**
 * virshCommandOptExclusive:
 * @ctl: the shell
 * @cmd: the command
 * @name1: an option
 * @name2: another option
 *
 * Returns false (error printed) if both options were given.
 */
bool
virshCommandOptExclusive(virshControl *ctl, const virshCmd *cmd,
                         const char *name1, const char *name2)
{
    if (virshCommandOptBool(cmd, name1) && virshCommandOptBool(cmd, name2)) {
        virshError(ctl, "Options --%s and --%s are mutually exclusive",
                   name1, name2);
        return false;
    }
    return true;
}

/**
 * virshCommandOptRequires:
 * @ctl: the shell
 * @cmd: the command
 * @name: an option
 * @needed: the option @name depends on
 *
 * Returns false (error printed) if @name was given without @needed.
 */
bool
virshCommandOptRequires(virshControl *ctl, const virshCmd *cmd,
                        const char *name, const char *needed)
{
    if (virshCommandOptBool(cmd, name) && !virshCommandOptBool(cmd, needed)) {
        virshError(ctl, "Option --%s is required by option --%s",
                   needed, name);
        return false;
    }
    return true;
}


/* ------------------------------------------------------------------ */
/* Parsing                                                              */
/* ------------------------------------------------------------------ */

/**
 * virshCommandLookup:
 * @name: a command name
 *
 * Returns the command's definition, or NULL if there is none.
 */
const virshCmdDef *
virshCommandLookup(const char *name)
{
    const virshCmdGroup *grp;
    const virshCmdDef *def;

    for (grp = virshGroups(); grp->name; grp++) {
        for (def = grp->cmds; def->name; def++) {
            if (g_str_equal(def->name, name))
                return def;
        }
    }
    return NULL;
}

/**
 * virshOptTypeName:
 * @opt: an option taking a value
 *
 * Returns the word help shows for its value: "number" or "string".
 */
const char *
virshOptTypeName(const virshCmdOptDef *opt)
{
    return opt->type == VIRSH_OT_INT ? "number" : "string";
}

/* Turn one command's words (the name first) into a virshCmd. */
static virshCmd *
virshCommandBuild(virshControl *ctl, GPtrArray *words)
{
    const char *name = g_ptr_array_index(words, 0);
    g_autoptr(virshCmd) cmd = NULL;
    const virshCmdDef *def;
    bool dataOnly = false;
    size_t i;

    if (!(def = virshCommandLookup(name))) {
        virshError(ctl, "unknown command: '%s'", name);
        return NULL;
    }
    cmd = g_new0(virshCmd, 1);
    cmd->def = def;
    while (def->opts && def->opts[cmd->nopts].name)
        cmd->nopts++;
    cmd->seen = g_new0(bool, cmd->nopts + 1);
    cmd->values = g_new0(char *, cmd->nopts + 1);

    for (i = 1; i < words->len; i++) {
        const char *arg = g_ptr_array_index(words, i);
        const virshCmdOptDef *opt;
        const char *value = NULL;
        ssize_t idx;

        if (!dataOnly && g_str_has_prefix(arg, "--")) {
            g_autofree char *optname = NULL;
            const char *eq = strchr(arg, '=');

            if (!arg[2]) {
                dataOnly = true;
                continue;
            }
            optname = eq ? g_strndup(arg + 2, eq - arg - 2) : g_strdup(arg + 2);
            if ((idx = virshCmdOptIndex(def, optname)) < 0) {
                if (g_str_equal(optname, "help")) {
                    cmd->help = true;
                    continue;
                }
                virshError(ctl, "command '%s' doesn't support option --%s",
                           def->name, optname);
                return NULL;
            }
            opt = &def->opts[idx];
            if (cmd->seen[idx]) {
                virshError(ctl, "option --%s already seen", optname);
                return NULL;
            }
            if (opt->type == VIRSH_OT_BOOL) {
                if (eq) {
                    virshError(ctl, "invalid '=' after option --%s", optname);
                    return NULL;
                }
            } else if (eq) {
                value = eq + 1;
            } else if (i + 1 < words->len) {
                value = g_ptr_array_index(words, ++i);
            } else {
                virshError(ctl, "expected syntax: --%s <%s>",
                           optname, virshOptTypeName(opt));
                return NULL;
            }
        } else {
            for (idx = 0; idx < (ssize_t) cmd->nopts; idx++) {
                if ((def->opts[idx].flags & VIRSH_OFLAG_POS) && !cmd->seen[idx])
                    break;
            }
            if (idx == (ssize_t) cmd->nopts) {
                virshError(ctl, "unexpected data '%s'", arg);
                return NULL;
            }
            value = arg;
        }
        cmd->seen[idx] = true;
        cmd->values[idx] = g_strdup(value);
    }

    for (i = 0; i < cmd->nopts && !cmd->help; i++) {
        const virshCmdOptDef *opt = &def->opts[i];

        if (!(opt->flags & VIRSH_OFLAG_REQ) || cmd->seen[i])
            continue;
        if (opt->flags & VIRSH_OFLAG_POS)
            virshError(ctl, "command '%s' requires <%s> option",
                       def->name, opt->name);
        else
            virshError(ctl, "command '%s' requires --%s option",
                       def->name, opt->name);
        return NULL;
    }
    return g_steal_pointer(&cmd);
}

static void
virshWordsAppend(GPtrArray *cmds, GPtrArray **words)
{
    if ((*words)->len > 0)
        g_ptr_array_add(cmds, *words);
    else
        g_ptr_array_unref(*words);
    *words = g_ptr_array_new_with_free_func(g_free);
}

/* Split a command line into commands, each a GPtrArray of words. Words
 * are separated by blanks; ';' ends a command; '#' at the start of a word
 * starts a comment; quotes and backslashes work as in a POSIX shell,
 * without expansions. */
static GPtrArray *
virshTokenize(virshControl *ctl, const char *line)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func(
        (GDestroyNotify) g_ptr_array_unref);
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    const char *p = line;

    while (true) {
        g_autoptr(GString) word = NULL;

        while (g_ascii_isspace(*p))
            p++;
        if (!*p)
            break;
        if (*p == ';') {
            virshWordsAppend(cmds, &words);
            p++;
            continue;
        }
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }

        word = g_string_new(NULL);
        while (*p && !g_ascii_isspace(*p) && *p != ';') {
            char quote = *p;

            if (quote == '\\') {
                if (p[1])
                    g_string_append_c(word, p[1]);
                p += p[1] ? 2 : 1;
            } else if (quote == '\'' || quote == '"') {
                for (p++; *p && *p != quote; p++) {
                    if (quote == '"' && *p == '\\' &&
                        (p[1] == '"' || p[1] == '\\'))
                        p++;
                    g_string_append_c(word, *p);
                }
                if (!*p) {
                    virshError(ctl, "missing %c", quote);
                    g_ptr_array_unref(words);
                    return NULL;
                }
                p++;
            } else {
                g_string_append_c(word, *p++);
            }
        }
        g_ptr_array_add(words, g_string_free(g_steal_pointer(&word), FALSE));
    }
    virshWordsAppend(cmds, &words);
    g_ptr_array_unref(words);
    return g_steal_pointer(&cmds);
}


/* ------------------------------------------------------------------ */
/* Running commands                                                     */
/* ------------------------------------------------------------------ */

/**
 * virshConnectionEnsure:
 * @ctl: the shell
 *
 * Open the connection (read-only with -r) unless one is open and alive.
 *
 * Returns true if connected, false with an error printed.
 */
bool
virshConnectionEnsure(virshControl *ctl)
{
    /* A connection whose far end went away (libvirtd restarted) is
     * replaced, as libvirt's virsh does. */
    if (ctl->conn && virConnectIsAlive(ctl->conn) == 0) {
        virConnectClose(ctl->conn);
        ctl->conn = NULL;
    }
    virshResetLibvirtError(ctl);
    if (ctl->conn)
        return true;
    if (ctl->readonly)
        ctl->conn = virConnectOpenReadOnly(ctl->uri);
    else
        ctl->conn = virConnectOpen(ctl->uri);
    if (!ctl->conn) {
        virshError(ctl, "failed to connect to the hypervisor");
        return false;
    }
    return true;
}

static bool
virshCommandRun(virshControl *ctl, const virshCmd *cmd)
{
    bool ret;

    virshResetLibvirtError(ctl);
    if (cmd->help)
        ret = virshHelpCommand(ctl, cmd->def);
    else if (!(cmd->def->flags & VIRSH_CMD_FLAG_NOCONNECT) &&
             !virshConnectionEnsure(ctl))
        ret = false;
    else
        ret = cmd->def->handler(ctl, cmd);

    if (!ret)
        virshReportError(ctl);
    fflush(stdout);
    return ret;
}

/* Build every command of @cmdwords first (a syntax error anywhere runs
 * none), then run them in order; like libvirt's virsh, a failed command
 * does not stop the ones after it, and a blank line follows each.
 * Returns the result of the last command, or -1 if there was none. */
static int
virshRunCommands(virshControl *ctl, GPtrArray *cmdwords)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func(
        (GDestroyNotify) virshCmdFree);
    int ret = -1;
    size_t i;

    for (i = 0; i < cmdwords->len; i++) {
        virshCmd *cmd = virshCommandBuild(ctl, g_ptr_array_index(cmdwords, i));

        if (!cmd)
            return 0;
        g_ptr_array_add(cmds, cmd);
    }

    for (i = 0; i < cmds->len && !ctl->quit; i++) {
        ret = virshCommandRun(ctl, g_ptr_array_index(cmds, i));
        if (ctl->quit)
            break;
        virshPrintExtra(ctl, "\n");
        fflush(stdout);
    }
    return ret;
}

static int
virshRunString(virshControl *ctl, const char *line)
{
    g_autoptr(GPtrArray) cmdwords = virshTokenize(ctl, line);

    if (!cmdwords)
        return 0;
    return virshRunCommands(ctl, cmdwords);
}

/* argv mode: a lone ";" separates commands, as on a command line. */
static int
virshRunArgv(virshControl *ctl, int argc, char **argv)
{
    g_autoptr(GPtrArray) cmdwords = g_ptr_array_new_with_free_func(
        (GDestroyNotify) g_ptr_array_unref);
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    int i;

    for (i = 0; i < argc; i++) {
        if (g_str_equal(argv[i], ";"))
            virshWordsAppend(cmdwords, &words);
        else
            g_ptr_array_add(words, g_strdup(argv[i]));
    }
    virshWordsAppend(cmdwords, &words);
    g_ptr_array_unref(words);
    return virshRunCommands(ctl, cmdwords);
}


static const virshCmdGroup virshCmdGroups[] = {
    {"Domain Management", "domain", virshDomainManagementCmds},
    {"Domain Monitoring", "monitor", virshDomainMonitorCmds},
    {"Block Pull", "pull", virshBlockPullCmds},
    {"Domain Events", "events", virshEventCmds},
    {"Host and Hypervisor", "host", virshHostCmds},
    {"Virsh itself", "virsh", virshSelfCmds},
    {NULL, NULL, NULL}
};

/**
 * virshGroups:
 *
 * Returns the command groups, ended by one without a name.
 */
const virshCmdGroup *
virshGroups(void)
{
    return virshCmdGroups;
}


/* ------------------------------------------------------------------ */
/* Interactive shell                                                    */
/* ------------------------------------------------------------------ */

/* Readline generator: command names, or the options of the command being
 * typed, that start with @text. */
static const virshCmdDef *virshCompleteDef;

static char *
virshCompleteGenerator(const char *text, int state)
{
    static const virshCmdGroup *grp;
    static size_t idx;
    size_t len = strlen(text);

    if (state == 0) {
        grp = virshGroups();
        idx = 0;
    }
    if (virshCompleteDef) {
        const virshCmdOptDef *opts = virshCompleteDef->opts;

        while (opts && opts[idx].name) {
            g_autofree char *word = g_strdup_printf("--%s", opts[idx++].name);
            if (strncmp(word, text, len) == 0)
                return strdup(word);
        }
        return NULL;
    }
    for (; grp->name; grp++, idx = 0) {
        while (grp->cmds[idx].name) {
            const char *name = grp->cmds[idx++].name;
            if (strncmp(name, text, len) == 0)
                return strdup(name);
        }
    }
    return NULL;
}

static char **
virshCompletion(const char *text, int start, int end G_GNUC_UNUSED)
{
    g_autofree char *before = g_strndup(rl_line_buffer, start);
    char *segment = strrchr(before, ';');
    g_auto(GStrv) words = NULL;

    segment = g_strstrip(segment ? segment + 1 : before);
    virshCompleteDef = NULL;
    if (*segment) {
        words = g_strsplit_set(segment, " \t", 2);
        if (!(virshCompleteDef = virshCommandLookup(words[0])))
            return NULL;
        if (text[0] != '-')
            return NULL;    /* a value: let readline complete file names */
    }
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, virshCompleteGenerator);
}

static char *
virshHistoryPath(void)
{
    g_autofree char *dir = g_build_filename(g_get_user_cache_dir(), "virsh", NULL);

    if (g_mkdir_with_parents(dir, 0700) < 0)
        return NULL;
    return g_build_filename(dir, "history", NULL);
}

/* Read commands from stdin until EOF or quit: with readline, a prompt and
 * a history on a terminal; line by line otherwise. Returns the result of
 * the last command run. */
static bool
virshInteractive(virshControl *ctl)
{
    bool tty = isatty(STDIN_FILENO);
    g_autofree char *history = NULL;
    bool ret = true;

    if (tty) {
        virshPrintExtra(ctl, "Welcome to virsh, the virtualization interactive terminal.\n\n"
                        "Type:  'help' for help with commands\n"
                        "       'quit' to quit\n\n");
        rl_readline_name = "virsh";
        rl_attempted_completion_function = virshCompletion;
        if ((history = virshHistoryPath()))
            read_history(history);
    }

    while (!ctl->quit) {
        g_autofree char *line = NULL;
        int rc;

        if (tty) {
            char *input = readline(ctl->readonly ? VIRSH_PROMPT_RO : VIRSH_PROMPT_RW);

            if (!input) {
                virshPrint(ctl, "\n");
                break;
            }
            line = g_strdup(input);
            free(input);
            if (*line)
                add_history(line);
        } else {
            char *input = NULL;
            size_t size = 0;

            if (getline(&input, &size, stdin) < 0) {
                free(input);
                break;
            }
            line = g_strdup(input);
            free(input);
        }
        if ((rc = virshRunString(ctl, line)) >= 0)
            ret = rc;
    }

    if (history) {
        stifle_history(500);
        write_history(history);
    }
    return ret;
}


/* ------------------------------------------------------------------ */
/* main                                                                 */
/* ------------------------------------------------------------------ */

static void
virshUsage(void)
{
    const virshCmdGroup *grp;
    const virshCmdDef *def;

    printf("\n"
           "virsh [options]... [<command_string>]\n"
           "virsh [options]... <command> [args...]\n\n"
           "  options:\n"
           "    -c | --connect=URI      hypervisor connection URI\n"
           "    -h | --help             this help\n"
           "    -q | --quiet            quiet mode\n"
           "    -r | --readonly         connect readonly\n"
           "    -v                      short version\n"
           "    -V                      long version\n"
           "         --version[=TYPE]   version, TYPE is short or long (default short)\n"
           "  commands (non interactive mode):\n\n");
    for (grp = virshGroups(); grp->name; grp++) {
        printf(" %s (help keyword '%s')\n", grp->name, grp->keyword);
        for (def = grp->cmds; def->name; def++)
            printf("    %-30s %s\n", def->name, def->help);
        printf("\n");
    }
    printf("  (specify help <group> for details about the commands in the group)\n\n"
           "  (specify help <command> for details about the command)\n\n");
}

static void
virshShowVersion(bool longVersion)
{
    g_autofree char *ver = virshVersionString(LIBVIR_VERSION_NUMBER);

    if (longVersion)
        printf("Virsh command line tool of libvirt %s\n"
               "A libvirt-bp build: block pull for QEMU domains.\n", ver);
    else
        printf("%s\n", ver);
}

/* Parse the global options. Returns 1 to go on, 0 to exit with success,
 * -1 to exit with failure. */
static int
virshParseOptions(virshControl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        {"connect", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'},
        {"readonly", no_argument, NULL, 'r'},
        {"version", optional_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:hqrvV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            g_free(ctl->uri);
            ctl->uri = g_strdup(optarg);
            break;
        case 'h':
            virshUsage();
            return 0;
        case 'q':
            ctl->quiet = true;
            break;
        case 'r':
            ctl->readonly = true;
            break;
        case 'v':
            if (optarg && !g_str_equal(optarg, "short") &&
                !g_str_equal(optarg, "long")) {
                virshError(ctl, "unknown version type '%s'", optarg);
                return -1;
            }
            virshShowVersion(optarg && g_str_equal(optarg, "long"));
            return 0;
        case 'V':
            virshShowVersion(true);
            return 0;
        case ':':
            virshError(ctl, "option '%s' requires an argument", argv[optind - 1]);
            return -1;
        default:
            if (optopt)
                virshError(ctl, "unsupported option '-%c'. See --help.", optopt);
            else
                virshError(ctl, "unsupported option '%s'. See --help.",
                           argv[optind - 1]);
            return -1;
        }
    }
    return 1;
}

int
main(int argc, char **argv)
{
    virshControl ctl = { 0 };
    bool ret = false;
    int rc;

    setlocale(LC_ALL, "");
    virshMainThread = g_thread_self();
    virSetErrorFunc(&ctl, virshErrorHandler);

    /* As libvirt's virsh: a bad environment (LIBVIRT_DEBUG) fails every
     * command, also those that need no connection. */
    if (virInitialize() < 0) {
        virshError(&ctl, "Failed to initialize libvirt");
        virshReportError(&ctl);
        virSetErrorFunc(NULL, NULL);
        return EXIT_FAILURE;
    }

    /* Before any connection: the library routes domain events to the
     * default loop only if it is registered when the connection opens. */
    ctl.eventLoop = virEventRegisterDefaultImpl() == 0;
    virshResetLibvirtError(&ctl);

    if (g_getenv("VIRSH_DEFAULT_CONNECT_URI"))
        ctl.uri = g_strdup(g_getenv("VIRSH_DEFAULT_CONNECT_URI"));

    if ((rc = virshParseOptions(&ctl, argc, argv)) <= 0) {
        ret = rc == 0;
        goto cleanup;
    }

    if (optind == argc) {
        ctl.imode = true;
        ret = virshInteractive(&ctl);
    } else if (argc - optind == 1) {
        ret = virshRunString(&ctl, argv[optind]) == 1;
    } else {
        ret = virshRunArgv(&ctl, argc - optind, argv + optind) == 1;
    }

 cleanup:
    fflush(stdout);
    if (ctl.conn)
        virConnectClose(ctl.conn);
    virSetErrorFunc(NULL, NULL);
    virshResetLibvirtError(&ctl);
    g_free(ctl.uri);
    return ret ? EXIT_SUCCESS : EXIT_FAILURE;
}
