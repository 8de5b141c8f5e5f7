/* vsh.c: the generic shell: options, parsing, help, readline (see vsh.h). */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "vsh.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* One parsed command: its definition and the values of its options,
 * stored in the order of the definition's option table. */
struct _vshCmd {
    const vshCmdDef *def;
    size_t nopts;
    bool *seen;
    char **values;              /* NULL for booleans */
    bool help;                  /* "--help" was given */
};

/* The thread that runs the commands: see vshErrorHandler(). */
static GThread *vshMainThread;


/* ------------------------------------------------------------------ */
/* Messages and errors                                                  */
/* ------------------------------------------------------------------ */

/**
 * vshError:
 * @ctl: the shell
 * @fmt: printf-style message
 *
 * Print "error: MESSAGE" on stderr, after whatever stdout holds.
 */
void
vshError(vshControl *ctl G_GNUC_UNUSED, const char *fmt, ...)
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
 * vshPrint:
 * @ctl: the shell
 * @fmt: printf-style text
 *
 * Print command output on stdout.
 */
void
vshPrint(vshControl *ctl G_GNUC_UNUSED, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

/**
 * vshPrintExtra:
 * @ctl: the shell
 * @fmt: printf-style text
 *
 * Print an informational message on stdout, unless -q was given.
 */
void
vshPrintExtra(vshControl *ctl, const char *fmt, ...)
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
 * such as the library's free functions that reset the thread's error. */
static void
vshErrorHandler(void *opaque, virErrorPtr err G_GNUC_UNUSED)
{
    vshControl *ctl = opaque;

    if (g_thread_self() != vshMainThread)
        return;
    g_clear_pointer(&ctl->lastError, virFreeError);
    ctl->lastError = virSaveLastError();
}

/**
 * vshResetLibvirtError:
 * @ctl: the shell
 *
 * Forget the library's last error, for failures the command handled.
 */
void
vshResetLibvirtError(vshControl *ctl)
{
    g_clear_pointer(&ctl->lastError, virFreeError);
    virResetLastError();
}

/**
 * vshReportError:
 * @ctl: the shell
 *
 * After a failure: print the library's error, if it left one, and forget
 * it.
 */
void
vshReportError(vshControl *ctl)
{
    virErrorPtr err = ctl->lastError;

    if (!err || err->code == VIR_ERR_OK)
        err = virGetLastError();
    if (err && err->code != VIR_ERR_OK)
        vshError(ctl, "%s", err->message ? err->message : "unknown error");
    vshResetLibvirtError(ctl);
}

/**
 * vshInit:
 * @ctl: the shell, its name, groups and hooks filled in
 *
 * Take the library's errors raised in this thread, the one that runs the
 * commands, into @ctl.
 */
void
vshInit(vshControl *ctl)
{
    vshMainThread = g_thread_self();
    virSetErrorFunc(ctl, vshErrorHandler);
}

/**
 * vshDeinit:
 * @ctl: the shell
 *
 * Undo vshInit(), after the client closed its connection.
 */
void
vshDeinit(vshControl *ctl)
{
    virSetErrorFunc(NULL, NULL);
    vshResetLibvirtError(ctl);
}


/* ------------------------------------------------------------------ */
/* Options of a parsed command                                          */
/* ------------------------------------------------------------------ */

static void
vshCmdFree(vshCmd *cmd)
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
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vshCmd, vshCmdFree);

static ssize_t
vshCmdOptIndex(const vshCmdDef *def, const char *name)
{
    size_t i;

    for (i = 0; def->opts && def->opts[i].name; i++) {
        if (g_str_equal(def->opts[i].name, name))
            return i;
    }
    return -1;
}

/**
 * vshCommandOptBool:
 * @cmd: the command
 * @name: an option of the command, of any type
 *
 * Returns true if the option was given.
 */
bool
vshCommandOptBool(const vshCmd *cmd, const char *name)
{
    ssize_t i = vshCmdOptIndex(cmd->def, name);

    g_assert(i >= 0);
    return cmd->seen[i];
}

/**
 * vshCommandOptString:
 * @cmd: the command
 * @name: an option of the command taking a value
 *
 * Returns the value (owned by @cmd), or NULL if the option was not given.
 */
const char *
vshCommandOptString(const vshCmd *cmd, const char *name)
{
    ssize_t i = vshCmdOptIndex(cmd->def, name);

    g_assert(i >= 0);
    return cmd->values[i];
}

/**
 * vshParseNumber:
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
vshParseNumber(const char *str, long long min, long long max,
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
 * vshCommandOptInt:
 * @ctl: the shell
 * @cmd: the command
 * @name: an option of type VSH_OT_INT
 * @value: set to the number when the option was given
 *
 * Returns 1 if the option was given, 0 if not, -1 (error printed) if its
 * value is not a number that fits an int.
 */
int
vshCommandOptInt(vshControl *ctl, const vshCmd *cmd,
                 const char *name, int *value)
{
    const char *str = vshCommandOptString(cmd, name);
    long long num;

    if (!str)
        return 0;
    if (vshParseNumber(str, G_MININT, G_MAXINT, &num) < 0) {
        vshError(ctl, "Numeric value '%s' for <%s> option is malformed or out of range",
                 str, name);
        return -1;
    }
    *value = num;
    return 1;
}

/**
 * vshCommandOptTimeout:
 * @ctl: the shell
 * @cmd: a command with a "timeout" option of type VSH_OT_INT, in seconds
 * @timeout: set to the timeout, 0 if the option was not given
 *
 * Returns false (error printed) if the value is not a number of seconds
 * that the event loop's millisecond timers can hold.
 */
bool
vshCommandOptTimeout(vshControl *ctl, const vshCmd *cmd, int *timeout)
{
    int rc = vshCommandOptInt(ctl, cmd, "timeout", timeout);

    if (rc < 0)
        return false;
    if (rc == 0) {
        *timeout = 0;
    } else if (*timeout < 1 || *timeout > G_MAXINT / 1000) {
        vshError(ctl, "invalid timeout '%d': must be between 1 and %d seconds",
                 *timeout, G_MAXINT / 1000);
        return false;
    }
    return true;
}

/**
 * vshCommandOptExclusive:
 * @ctl: the shell
 * @cmd: the command
 * @name1: an option
 * @name2: another option
 *
 * Returns false (error printed) if both options were given.
 */
bool
vshCommandOptExclusive(vshControl *ctl, const vshCmd *cmd,
                       const char *name1, const char *name2)
{
    if (vshCommandOptBool(cmd, name1) && vshCommandOptBool(cmd, name2)) {
        vshError(ctl, "Options --%s and --%s are mutually exclusive",
                 name1, name2);
        return false;
    }
    return true;
}

/**
 * vshCommandOptRequires:
 * @ctl: the shell
 * @cmd: the command
 * @name: an option
 * @needed: the option @name depends on
 *
 * Returns false (error printed) if @name was given without @needed.
 */
bool
vshCommandOptRequires(vshControl *ctl, const vshCmd *cmd,
                      const char *name, const char *needed)
{
    if (vshCommandOptBool(cmd, name) && !vshCommandOptBool(cmd, needed)) {
        vshError(ctl, "Option --%s is required by option --%s",
                 needed, name);
        return false;
    }
    return true;
}


/* ------------------------------------------------------------------ */
/* Parsing                                                              */
/* ------------------------------------------------------------------ */

/**
 * vshCmddefSearch:
 * @ctl: the shell
 * @name: a command name
 *
 * Returns the command's definition, or NULL if there is none.
 */
const vshCmdDef *
vshCmddefSearch(vshControl *ctl, const char *name)
{
    const vshCmdGrp *grp;
    const vshCmdDef *def;

    for (grp = ctl->groups; grp->name; grp++) {
        for (def = grp->commands; def->name; def++) {
            if (g_str_equal(def->name, name))
                return def;
        }
    }
    return NULL;
}

/* The word help shows for the value of @opt: "number" or "string". */
static const char *
vshOptTypeName(const vshCmdOptDef *opt)
{
    return opt->type == VSH_OT_INT ? "number" : "string";
}

/* Turn one command's words (the name first) into a vshCmd. */
static vshCmd *
vshCommandBuild(vshControl *ctl, GPtrArray *words)
{
    const char *name = g_ptr_array_index(words, 0);
    g_autoptr(vshCmd) cmd = NULL;
    const vshCmdDef *def;
    bool dataOnly = false;
    size_t i;

    if (!(def = vshCmddefSearch(ctl, name))) {
        vshError(ctl, "unknown command: '%s'", name);
        return NULL;
    }
    cmd = g_new0(vshCmd, 1);
    cmd->def = def;
    while (def->opts && def->opts[cmd->nopts].name)
        cmd->nopts++;
    cmd->seen = g_new0(bool, cmd->nopts + 1);
    cmd->values = g_new0(char *, cmd->nopts + 1);

    for (i = 1; i < words->len; i++) {
        const char *arg = g_ptr_array_index(words, i);
        const vshCmdOptDef *opt;
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
            if ((idx = vshCmdOptIndex(def, optname)) < 0) {
                if (g_str_equal(optname, "help")) {
                    cmd->help = true;
                    continue;
                }
                vshError(ctl, "command '%s' doesn't support option --%s",
                         def->name, optname);
                return NULL;
            }
            opt = &def->opts[idx];
            if (cmd->seen[idx]) {
                vshError(ctl, "option --%s already seen", optname);
                return NULL;
            }
            if (opt->type == VSH_OT_BOOL) {
                if (eq) {
                    vshError(ctl, "invalid '=' after option --%s", optname);
                    return NULL;
                }
            } else if (eq) {
                value = eq + 1;
            } else if (i + 1 < words->len) {
                value = g_ptr_array_index(words, ++i);
            } else {
                vshError(ctl, "expected syntax: --%s <%s>",
                         optname, vshOptTypeName(opt));
                return NULL;
            }
        } else {
            for (idx = 0; idx < (ssize_t) cmd->nopts; idx++) {
                if ((def->opts[idx].flags & VSH_OFLAG_POS) && !cmd->seen[idx])
                    break;
            }
            if (idx == (ssize_t) cmd->nopts) {
                vshError(ctl, "unexpected data '%s'", arg);
                return NULL;
            }
            value = arg;
        }
        cmd->seen[idx] = true;
        cmd->values[idx] = g_strdup(value);
    }

    for (i = 0; i < cmd->nopts && !cmd->help; i++) {
        const vshCmdOptDef *opt = &def->opts[i];

        if (!(opt->flags & VSH_OFLAG_REQ) || cmd->seen[i])
            continue;
        if (opt->flags & VSH_OFLAG_POS)
            vshError(ctl, "command '%s' requires <%s> option",
                     def->name, opt->name);
        else
            vshError(ctl, "command '%s' requires --%s option",
                     def->name, opt->name);
        return NULL;
    }
    return g_steal_pointer(&cmd);
}

static void
vshWordsAppend(GPtrArray *cmds, GPtrArray **words)
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
vshTokenize(vshControl *ctl, const char *line)
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
            vshWordsAppend(cmds, &words);
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
                    vshError(ctl, "missing %c", quote);
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
    vshWordsAppend(cmds, &words);
    g_ptr_array_unref(words);
    return g_steal_pointer(&cmds);
}

/* ------------------------------------------------------------------ */
/* Help                                                                 */
/* ------------------------------------------------------------------ */

/* The commands of @grp, one a line, under a title ending with @titleEnd. */
static void
vshCmdGrpList(vshControl *ctl, const vshCmdGrp *grp, const char *titleEnd)
{
    const vshCmdDef *def;

    vshPrint(ctl, " %s (help keyword '%s')%s\n", grp->name, grp->keyword,
             titleEnd);
    for (def = grp->commands; def->name; def++)
        vshPrint(ctl, "    %-30s %s\n", def->name, def->help);
    vshPrint(ctl, "\n");
}

/**
 * vshCmdGrpHelp:
 * @ctl: the shell
 * @grp: a command group
 *
 * Print the commands of @grp, as "help KEYWORD" does.
 *
 * Returns true.
 */
bool
vshCmdGrpHelp(vshControl *ctl, const vshCmdGrp *grp)
{
    vshCmdGrpList(ctl, grp, ":");
    return true;
}

/**
 * vshUsageGroups:
 * @ctl: the shell
 *
 * Print every group and its commands, as the client's usage lists them.
 */
void
vshUsageGroups(vshControl *ctl)
{
    const vshCmdGrp *grp;

    for (grp = ctl->groups; grp->name; grp++)
        vshCmdGrpList(ctl, grp, "");
}

/* Print @text indented by four columns, its lines at most 80 wide. */
static void
vshHelpWrap(vshControl *ctl, const char *text)
{
    g_auto(GStrv) words = g_strsplit(text, " ", -1);
    g_autoptr(GString) line = g_string_new(NULL);
    size_t i;

    for (i = 0; words[i]; i++) {
        if (!*words[i])
            continue;
        if (line->len > 0 && line->len + 1 + strlen(words[i]) > 76) {
            vshPrint(ctl, "    %s\n", line->str);
            g_string_truncate(line, 0);
        }
        if (line->len > 0)
            g_string_append_c(line, ' ');
        g_string_append(line, words[i]);
    }
    vshPrint(ctl, "    %s\n", line->str);
}

/**
 * vshCmddefHelp:
 * @ctl: the shell
 * @def: a command
 *
 * Print the help of a command: NAME, SYNOPSIS, DESCRIPTION and OPTIONS.
 *
 * Returns true.
 */
bool
vshCmddefHelp(vshControl *ctl, const vshCmdDef *def)
{
    g_autoptr(GString) synopsis = g_string_new(def->name);
    const vshCmdOptDef *opt;

    for (opt = def->opts; opt && opt->name; opt++) {
        bool req = opt->flags & VSH_OFLAG_REQ;

        g_string_append_c(synopsis, ' ');
        if (!req)
            g_string_append_c(synopsis, '[');
        if (opt->type == VSH_OT_BOOL)
            g_string_append_printf(synopsis, "--%s", opt->name);
        else if (opt->flags & VSH_OFLAG_POS)
            g_string_append_printf(synopsis, "<%s>", opt->name);
        else
            g_string_append_printf(synopsis, "--%s <%s>", opt->name,
                                   vshOptTypeName(opt));
        if (!req)
            g_string_append_c(synopsis, ']');
    }

    vshPrint(ctl, "  NAME\n    %s - %s\n\n", def->name, def->help);
    vshPrint(ctl, "  SYNOPSIS\n    %s\n\n", synopsis->str);
    vshPrint(ctl, "  DESCRIPTION\n");
    vshHelpWrap(ctl, def->desc);
    if (def->opts && def->opts[0].name) {
        vshPrint(ctl, "\n  OPTIONS\n");
        for (opt = def->opts; opt->name; opt++) {
            g_autofree char *left = NULL;

            if (opt->type == VSH_OT_BOOL)
                left = g_strdup_printf("--%s", opt->name);
            else if (opt->flags & VSH_OFLAG_POS)
                left = g_strdup_printf("[--%s] <%s>", opt->name,
                                       vshOptTypeName(opt));
            else
                left = g_strdup_printf("--%s <%s>", opt->name,
                                       vshOptTypeName(opt));
            vshPrint(ctl, "    %-15s  %s\n", left, opt->help);
        }
    }
    return true;
}

const vshCmdOptDef opts_help[] = {
    {.name = "command", .type = VSH_OT_STRING, .flags = VSH_OFLAG_POS,
     .help = "a command or a command group keyword"},
    {.name = NULL}
};

/**
 * cmdHelp:
 * @ctl: the shell
 * @cmd: "help [COMMAND|KEYWORD]"
 *
 * The "help" command (VSH_CMD_HELP): every group's commands, one group's
 * or one command's help.
 *
 * Returns false (error printed) for a name that is neither.
 */
bool
cmdHelp(vshControl *ctl, const vshCmd *cmd)
{
    const char *name = vshCommandOptString(cmd, "command");
    const vshCmdGrp *grp;
    const vshCmdDef *def;

    if (!name) {
        vshPrint(ctl, "Grouped commands:\n\n");
        for (grp = ctl->groups; grp->name; grp++)
            vshCmdGrpHelp(ctl, grp);
        return true;
    }
    if ((def = vshCmddefSearch(ctl, name)))
        return vshCmddefHelp(ctl, def);
    for (grp = ctl->groups; grp->name; grp++) {
        if (g_str_equal(grp->keyword, name))
            return vshCmdGrpHelp(ctl, grp);
    }
    vshError(ctl, "command or command group '%s' doesn't exist", name);
    return false;
}

/**
 * cmdQuit:
 * @ctl: the shell
 * @cmd: "quit" or "exit"
 *
 * The "quit" and "exit" commands (VSH_CMD_QUIT, VSH_CMD_EXIT): no command
 * runs after it.
 *
 * Returns true.
 */
bool
cmdQuit(vshControl *ctl, const vshCmd *cmd G_GNUC_UNUSED)
{
    ctl->quit = true;
    return true;
}


/* ------------------------------------------------------------------ */
/* Running commands                                                     */
/* ------------------------------------------------------------------ */

static bool
vshCommandRun(vshControl *ctl, const vshCmd *cmd)
{
    bool ret;

    vshResetLibvirtError(ctl);
    if (cmd->help)
        ret = vshCmddefHelp(ctl, cmd->def);
    else if (!(cmd->def->flags & VSH_CMD_FLAG_NOCONNECT) &&
             !ctl->hooks->connHandler(ctl))
        ret = false;
    else
        ret = cmd->def->handler(ctl, cmd);

    if (!ret)
        vshReportError(ctl);
    fflush(stdout);
    return ret;
}

/* Build every command of @cmdwords first (a syntax error anywhere runs
 * none), then run them in order; like libvirt's virsh, a failed command
 * does not stop the ones after it, and a blank line follows each.
 * Returns the result of the last command, or -1 if there was none. */
static int
vshRunCommands(vshControl *ctl, GPtrArray *cmdwords)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func(
        (GDestroyNotify) vshCmdFree);
    int ret = -1;
    size_t i;

    for (i = 0; i < cmdwords->len; i++) {
        vshCmd *cmd = vshCommandBuild(ctl, g_ptr_array_index(cmdwords, i));

        if (!cmd)
            return 0;
        g_ptr_array_add(cmds, cmd);
    }

    for (i = 0; i < cmds->len && !ctl->quit; i++) {
        ret = vshCommandRun(ctl, g_ptr_array_index(cmds, i));
        if (ctl->quit)
            break;
        vshPrintExtra(ctl, "\n");
        fflush(stdout);
    }
    return ret;
}

/* As vshRunCommands(), from a line: 0 for a syntax error. */
static int
vshRunString(vshControl *ctl, const char *line)
{
    g_autoptr(GPtrArray) cmdwords = vshTokenize(ctl, line);

    if (!cmdwords)
        return 0;
    return vshRunCommands(ctl, cmdwords);
}

/**
 * vshCommandStringRun:
 * @ctl: the shell
 * @line: one or more commands, as typed at the prompt
 *
 * Run the commands of @line (none if any has a syntax error).
 *
 * Returns true if there was a command and the last one succeeded.
 */
bool
vshCommandStringRun(vshControl *ctl, const char *line)
{
    return vshRunString(ctl, line) == 1;
}

/**
 * vshCommandArgvRun:
 * @ctl: the shell
 * @argc: how many words
 * @argv: a command's name and its words; a lone ";" separates commands,
 *        as on virsh's command line
 *
 * Returns true if there was a command and the last one succeeded.
 */
bool
vshCommandArgvRun(vshControl *ctl, int argc, char **argv)
{
    g_autoptr(GPtrArray) cmdwords = g_ptr_array_new_with_free_func(
        (GDestroyNotify) g_ptr_array_unref);
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    int i;

    for (i = 0; i < argc; i++) {
        if (g_str_equal(argv[i], ";"))
            vshWordsAppend(cmdwords, &words);
        else
            g_ptr_array_add(words, g_strdup(argv[i]));
    }
    vshWordsAppend(cmdwords, &words);
    g_ptr_array_unref(words);
    return vshRunCommands(ctl, cmdwords) == 1;
}

/* ------------------------------------------------------------------ */
/* Interactive shell                                                    */
/* ------------------------------------------------------------------ */

/* The shell whose commands readline completes: readline's callbacks take
 * no opaque pointer. */
static vshControl *vshReadlineCtl;
/* The command being typed, whose options are completed; NULL while its
 * name is. */
static const vshCmdDef *vshCompleteDef;

/* Readline generator: command names, or the options of the command being
 * typed, that start with @text. */
static char *
vshCompleteGenerator(const char *text, int state)
{
    static const vshCmdGrp *grp;
    static size_t idx;
    size_t len = strlen(text);

    if (state == 0) {
        grp = vshReadlineCtl->groups;
        idx = 0;
    }
    if (vshCompleteDef) {
        const vshCmdOptDef *opts = vshCompleteDef->opts;

        while (opts && opts[idx].name) {
            g_autofree char *word = g_strdup_printf("--%s", opts[idx++].name);
            if (strncmp(word, text, len) == 0)
                return strdup(word);
        }
        return NULL;
    }
    for (; grp->name; grp++, idx = 0) {
        while (grp->commands[idx].name) {
            const char *name = grp->commands[idx++].name;
            if (strncmp(name, text, len) == 0)
                return strdup(name);
        }
    }
    return NULL;
}

static char **
vshCompletion(const char *text, int start, int end G_GNUC_UNUSED)
{
    g_autofree char *before = g_strndup(rl_line_buffer, start);
    char *segment = strrchr(before, ';');
    g_auto(GStrv) words = NULL;

    segment = g_strstrip(segment ? segment + 1 : before);
    vshCompleteDef = NULL;
    if (*segment) {
        words = g_strsplit_set(segment, " \t", 2);
        if (!(vshCompleteDef = vshCmddefSearch(vshReadlineCtl, words[0])))
            return NULL;
        if (text[0] != '-')
            return NULL;    /* a value: let readline complete file names */
    }
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, vshCompleteGenerator);
}

static char *
vshHistoryPath(vshControl *ctl)
{
    g_autofree char *dir = g_build_filename(g_get_user_cache_dir(), ctl->name, NULL);

    if (g_mkdir_with_parents(dir, 0700) < 0)
        return NULL;
    return g_build_filename(dir, "history", NULL);
}

/* The next line of input (free with g_free()), or NULL at its end: with
 * readline and the client's prompt on a terminal, as it is otherwise. */
static char *
vshReadline(vshControl *ctl, bool tty)
{
    char *input = NULL;
    char *line;

    if (tty) {
        if (!(input = readline(ctl->hooks->prompt(ctl))))
            return NULL;
        if (*input)
            add_history(input);
    } else {
        size_t size = 0;

        if (getline(&input, &size, stdin) < 0) {
            free(input);
            return NULL;
        }
    }
    /* Both hand out memory for free(): give the caller GLib's. */
    line = g_strdup(input);
    free(input);
    return line;
}

/**
 * vshInteractive:
 * @ctl: the shell
 * @banner: printed first on a terminal (unless -q was given)
 *
 * Read commands from stdin until its end or quit: with readline, a prompt,
 * completion of command and option names and a history on a terminal;
 * line by line otherwise.
 *
 * Returns the result of the last command run, true if none ran.
 */
bool
vshInteractive(vshControl *ctl, const char *banner)
{
    bool tty = isatty(STDIN_FILENO);
    g_autofree char *history = NULL;
    bool ret = true;

    ctl->imode = true;
    if (tty) {
        vshPrintExtra(ctl, "%s", banner);
        vshReadlineCtl = ctl;
        rl_readline_name = ctl->name;
        rl_attempted_completion_function = vshCompletion;
        if ((history = vshHistoryPath(ctl)))
            read_history(history);
    }

    while (!ctl->quit) {
        g_autofree char *line = NULL;
        int rc;

        if (!(line = vshReadline(ctl, tty))) {
            if (tty)
                vshPrint(ctl, "\n");
            break;
        }
        if ((rc = vshRunString(ctl, line)) >= 0)
            ret = rc;
    }

    if (history) {
        stifle_history(500);
        write_history(history);
    }
    return ret;
}
