/* virsh-host.c: virsh commands for the shell itself and the host. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "virsh.h"

#define VIR_FROM_THIS VIR_FROM_NONE

static void
virshHelpGroup(virshControl *ctl, const virshCmdGroup *grp)
{
    const virshCmdDef *def;

    virshPrint(ctl, " %s (help keyword '%s'):\n", grp->name, grp->keyword);
    for (def = grp->cmds; def->name; def++)
        virshPrint(ctl, "    %-30s %s\n", def->name, def->help);
    virshPrint(ctl, "\n");
}

/* Print @text indented by four columns, its lines at most 80 wide. */
static void
virshHelpWrap(virshControl *ctl, const char *text)
{
    g_auto(GStrv) words = g_strsplit(text, " ", -1);
    g_autoptr(GString) line = g_string_new(NULL);
    size_t i;

    for (i = 0; words[i]; i++) {
        if (!*words[i])
            continue;
        if (line->len > 0 && line->len + 1 + strlen(words[i]) > 76) {
            virshPrint(ctl, "    %s\n", line->str);
            g_string_truncate(line, 0);
        }
        if (line->len > 0)
            g_string_append_c(line, ' ');
        g_string_append(line, words[i]);
    }
    virshPrint(ctl, "    %s\n", line->str);
}

/**
 * virshHelpCommand:
 * @ctl: the shell
 * @def: a command
 *
 * Print the help of a command: NAME, SYNOPSIS, DESCRIPTION and OPTIONS.
 *
 * Returns true.
 */
bool
virshHelpCommand(virshControl *ctl, const virshCmdDef *def)
{
    g_autoptr(GString) synopsis = g_string_new(def->name);
    const virshCmdOptDef *opt;

    for (opt = def->opts; opt && opt->name; opt++) {
        bool req = opt->flags & VIRSH_OFLAG_REQ;

        g_string_append_c(synopsis, ' ');
        if (!req)
            g_string_append_c(synopsis, '[');
        if (opt->type == VIRSH_OT_BOOL)
            g_string_append_printf(synopsis, "--%s", opt->name);
        else if (opt->flags & VIRSH_OFLAG_POS)
            g_string_append_printf(synopsis, "<%s>", opt->name);
        else
            g_string_append_printf(synopsis, "--%s <%s>", opt->name,
                                   virshOptTypeName(opt));
        if (!req)
            g_string_append_c(synopsis, ']');
    }

    virshPrint(ctl, "  NAME\n    %s - %s\n\n", def->name, def->help);
    virshPrint(ctl, "  SYNOPSIS\n    %s\n\n", synopsis->str);
    virshPrint(ctl, "  DESCRIPTION\n");
    virshHelpWrap(ctl, def->desc);
    if (def->opts && def->opts[0].name) {
        virshPrint(ctl, "\n  OPTIONS\n");
        for (opt = def->opts; opt->name; opt++) {
            g_autofree char *left = NULL;

            if (opt->type == VIRSH_OT_BOOL)
                left = g_strdup_printf("--%s", opt->name);
            else if (opt->flags & VIRSH_OFLAG_POS)
                left = g_strdup_printf("[--%s] <%s>", opt->name,
                                       virshOptTypeName(opt));
            else
                left = g_strdup_printf("--%s <%s>", opt->name,
                                       virshOptTypeName(opt));
            virshPrint(ctl, "    %-15s  %s\n", left, opt->help);
        }
    }
    return true;
}

static const virshCmdOptDef opts_help[] = {
    {.name = "command", .type = VIRSH_OT_STRING, .flags = VIRSH_OFLAG_POS,
     .help = "a command or a command group keyword"},
    {.name = NULL}
};

static bool
cmdHelp(virshControl *ctl, const virshCmd *cmd)
{
    const char *name = virshCommandOptString(cmd, "command");
    const virshCmdGroup *grp;
    const virshCmdDef *def;

    if (!name) {
        virshPrint(ctl, "Grouped commands:\n\n");
        for (grp = virshGroups(); grp->name; grp++)
            virshHelpGroup(ctl, grp);
        return true;
    }
    if ((def = virshCommandLookup(name)))
        return virshHelpCommand(ctl, def);
    for (grp = virshGroups(); grp->name; grp++) {
        if (g_str_equal(grp->keyword, name)) {
            virshHelpGroup(ctl, grp);
            return true;
        }
    }
    virshError(ctl, "command or command group '%s' doesn't exist", name);
    return false;
}

static bool
cmdQuit(virshControl *ctl, const virshCmd *cmd G_GNUC_UNUSED)
{
    ctl->quit = true;
    return true;
}

static const virshCmdOptDef opts_connect[] = {
    {.name = "name", .type = VIRSH_OT_STRING, .flags = VIRSH_OFLAG_POS,
     .help = "hypervisor connection URI"},
    {.name = "readonly", .type = VIRSH_OT_BOOL,
     .help = "read-only connection"},
    {.name = NULL}
};

static bool
cmdConnect(virshControl *ctl, const virshCmd *cmd)
{
    const char *name = virshCommandOptString(cmd, "name");

    if (ctl->conn) {
        virConnectClose(ctl->conn);
        ctl->conn = NULL;
    }
    if (name) {
        g_free(ctl->uri);
        ctl->uri = g_strdup(name);
    }
    ctl->readonly = virshCommandOptBool(cmd, "readonly");
    return virshConnectionEnsure(ctl);
}

static bool
cmdURI(virshControl *ctl, const virshCmd *cmd G_GNUC_UNUSED)
{
    char *uri = virConnectGetURI(ctl->conn);

    if (!uri) {
        virshError(ctl, "failed to get URI");
        return false;
    }
    virshPrint(ctl, "%s\n", uri);
    free(uri);
    return true;
}

/**
 * virshVersionString:
 * @ver: a version as major * 1,000,000 + minor * 1,000 + micro
 *
 * Returns "major.minor.micro" (free with g_free()).
 */
char *
virshVersionString(unsigned long ver)
{
    return g_strdup_printf("%lu.%lu.%lu", ver / 1000000,
                           (ver / 1000) % 1000, ver % 1000);
}

static bool
cmdVersion(virshControl *ctl, const virshCmd *cmd G_GNUC_UNUSED)
{
    g_autofree char *compiled = virshVersionString(LIBVIR_VERSION_NUMBER);
    g_autofree char *lib = NULL;
    g_autofree char *hv = NULL;
    unsigned long libVer = 0;
    unsigned long hvVer = 0;

    virshPrint(ctl, "Compiled against library: libvirt %s\n", compiled);
    if (virGetVersion(&libVer, NULL, NULL) < 0) {
        virshError(ctl, "failed to get the library version");
        return false;
    }
    lib = virshVersionString(libVer);
    virshPrint(ctl, "Using library: libvirt %s\n", lib);
    virshPrint(ctl, "Using API: QEMU %s\n", lib);

    if (virConnectGetVersion(ctl->conn, &hvVer) < 0) {
        virshError(ctl, "failed to get the hypervisor version");
        return false;
    }
    if (hvVer == 0) {
        virshPrint(ctl, "Cannot extract running QEMU hypervisor version\n");
    } else {
        hv = virshVersionString(hvVer);
        virshPrint(ctl, "Running hypervisor: QEMU %s\n", hv);
    }
    return true;
}


/* ------------------------------------------------------------------ */
/* Command tables                                                       */
/* ------------------------------------------------------------------ */

const virshCmdDef virshHostCmds[] = {
    {.name = "uri", .handler = cmdURI, .help = "print the hypervisor canonical URI",
     .desc = "Print the URI of the current connection."},
    {.name = "version", .handler = cmdVersion,
     .help = "show version",
     .desc = "Print the versions of the library virsh was built against, "
             "of the library in use and of the running hypervisor."},
    {.name = NULL}
};

const virshCmdDef virshSelfCmds[] = {
    {.name = "connect", .handler = cmdConnect, .opts = opts_connect,
     .help = "(re)connect to hypervisor",
     .desc = "Connect to the hypervisor at URI (the current one when left "
             "out), closing the current connection.",
     .flags = VIRSH_CMD_FLAG_NOCONNECT},
    {.name = "exit", .handler = cmdQuit, .help = "quit this interactive terminal",
     .desc = "Quit this interactive terminal.",
     .flags = VIRSH_CMD_FLAG_NOCONNECT},
    {.name = "help", .handler = cmdHelp, .opts = opts_help,
     .help = "print help",
     .desc = "Print the list of commands, the commands of a group, or the "
             "help of one command.",
     .flags = VIRSH_CMD_FLAG_NOCONNECT},
    {.name = "quit", .handler = cmdQuit, .help = "quit this interactive terminal",
     .desc = "Quit this interactive terminal.",
     .flags = VIRSH_CMD_FLAG_NOCONNECT},
    {.name = NULL}
};
