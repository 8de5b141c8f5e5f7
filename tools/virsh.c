/*
 * virsh.c: virsh's connection, its command groups and main(); the shell
 * itself (options, parsing, help, readline) is vsh.c.
 */
#include <config.h>

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "virsh.h"

#define VIR_FROM_THIS VIR_FROM_NONE

#define VIRSH_PROMPT_RW "virsh # "
#define VIRSH_PROMPT_RO "virsh > "


/* ------------------------------------------------------------------ */
/* The connection                                                       */
/* ------------------------------------------------------------------ */

/* Open the connection (read-only with -r) unless one is open and alive:
 * the shell's connHandler. Returns true if connected, false with an error
 * printed. */
static bool
virshConnectionEnsure(vshControl *ctl)
{
    virshControl *priv = ctl->privData;

    /* A connection whose far end went away (libvirtd restarted) is
     * replaced, as libvirt's virsh does. */
    if (priv->conn && virConnectIsAlive(priv->conn) == 0) {
        virConnectClose(priv->conn);
        priv->conn = NULL;
    }
    vshResetLibvirtError(ctl);
    if (priv->conn)
        return true;
    if (priv->readonly)
        priv->conn = virConnectOpenReadOnly(priv->uri);
    else
        priv->conn = virConnectOpen(priv->uri);
    if (!priv->conn) {
        vshError(ctl, "failed to connect to the hypervisor");
        return false;
    }
    return true;
}

static const char *
virshPrompt(vshControl *ctl)
{
    virshControl *priv = ctl->privData;

    return priv->readonly ? VIRSH_PROMPT_RO : VIRSH_PROMPT_RW;
}

static const vshClientHooks virshHooks = {
    .connHandler = virshConnectionEnsure,
    .prompt = virshPrompt,
};

static const vshCmdOptDef opts_connect[] = {
    {.name = "name", .type = VSH_OT_STRING, .flags = VSH_OFLAG_POS,
     .help = "hypervisor connection URI"},
    {.name = "readonly", .type = VSH_OT_BOOL,
     .help = "read-only connection"},
    {.name = NULL}
};

static bool
cmdConnect(vshControl *ctl, const vshCmd *cmd)
{
    virshControl *priv = ctl->privData;
    const char *name = vshCommandOptString(cmd, "name");

    if (priv->conn) {
        virConnectClose(priv->conn);
        priv->conn = NULL;
    }
    if (name) {
        g_free(priv->uri);
        priv->uri = g_strdup(name);
    }
    priv->readonly = vshCommandOptBool(cmd, "readonly");
    return virshConnectionEnsure(ctl);
}


/* ------------------------------------------------------------------ */
/* The command groups                                                   */
/* ------------------------------------------------------------------ */

static const vshCmdDef virshCmds[] = {
    {.name = "connect", .handler = cmdConnect, .opts = opts_connect,
     .help = "(re)connect to hypervisor",
     .desc = "Connect to the hypervisor at URI (the current one when left "
             "out), closing the current connection.",
     .flags = VSH_CMD_FLAG_NOCONNECT},
    VSH_CMD_EXIT,
    VSH_CMD_HELP,
    VSH_CMD_QUIT,
    {.name = NULL}
};

static const vshCmdGrp virshCmdGroups[] = {
    {"Domain Management", "domain", virshDomainManagementCmds},
    {"Domain Monitoring", "monitor", virshDomainMonitorCmds},
    {"Block Pull", "pull", virshBlockPullCmds},
    {"Domain Events", "events", virshEventCmds},
    {"Host and Hypervisor", "host", virshHostCmds},
    {"Virsh itself", "virsh", virshCmds},
    {NULL, NULL, NULL}
};


/* ------------------------------------------------------------------ */
/* main                                                                 */
/* ------------------------------------------------------------------ */

static void
virshUsage(vshControl *ctl)
{
    vshPrint(ctl, "\n"
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
    vshUsageGroups(ctl);
    vshPrint(ctl, "  (specify help <group> for details about the commands in the group)\n\n"
             "  (specify help <command> for details about the command)\n\n");
}

static void
virshShowVersion(vshControl *ctl, bool longVersion)
{
    g_autofree char *ver = virshVersionString(LIBVIRT_BP_VERSION_NUMBER);
    g_autofree char *api = virshVersionString(LIBVIR_VERSION_NUMBER);

    if (longVersion)
        vshPrint(ctl, "Virsh command line tool of libvirt-bp %s\n"
                 "A libvirt-bp build: block pull for QEMU domains, "
                 "on libvirt %s's API.\n", ver, api);
    else
        vshPrint(ctl, "%s\n", ver);
}

/* Parse the global options. Returns 1 to go on, 0 to exit with success,
 * -1 to exit with failure. */
static int
virshParseOptions(vshControl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        {"connect", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'},
        {"readonly", no_argument, NULL, 'r'},
        {"version", optional_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    virshControl *priv = ctl->privData;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:hqrvV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            g_free(priv->uri);
            priv->uri = g_strdup(optarg);
            break;
        case 'h':
            virshUsage(ctl);
            return 0;
        case 'q':
            ctl->quiet = true;
            break;
        case 'r':
            priv->readonly = true;
            break;
        case 'v':
            if (optarg && !g_str_equal(optarg, "short") &&
                !g_str_equal(optarg, "long")) {
                vshError(ctl, "unknown version type '%s'", optarg);
                return -1;
            }
            virshShowVersion(ctl, optarg && g_str_equal(optarg, "long"));
            return 0;
        case 'V':
            virshShowVersion(ctl, true);
            return 0;
        case ':':
            vshError(ctl, "option '%s' requires an argument", argv[optind - 1]);
            return -1;
        default:
            if (optopt)
                vshError(ctl, "unsupported option '-%c'. See --help.", optopt);
            else
                vshError(ctl, "unsupported option '%s'. See --help.",
                         argv[optind - 1]);
            return -1;
        }
    }
    return 1;
}

int
main(int argc, char **argv)
{
    virshControl virshCtl = { 0 };
    vshControl _ctl = {
        .name = "virsh",
        .groups = virshCmdGroups,
        .hooks = &virshHooks,
        .privData = &virshCtl,
    };
    vshControl *ctl = &_ctl;
    bool ret = false;
    int rc;

    setlocale(LC_ALL, "");
    vshInit(ctl);

    /* As libvirt's virsh: a bad environment (LIBVIRT_DEBUG) fails every
     * command, also those that need no connection. */
    if (virInitialize() < 0) {
        vshError(ctl, "Failed to initialize libvirt");
        vshReportError(ctl);
        vshDeinit(ctl);
        return EXIT_FAILURE;
    }

    /* Before any connection: the library routes domain events to the
     * default loop only if it is registered when the connection opens. */
    ctl->eventLoop = virEventRegisterDefaultImpl() == 0;
    vshResetLibvirtError(ctl);

    if (g_getenv("VIRSH_DEFAULT_CONNECT_URI"))
        virshCtl.uri = g_strdup(g_getenv("VIRSH_DEFAULT_CONNECT_URI"));

    if ((rc = virshParseOptions(ctl, argc, argv)) <= 0) {
        ret = rc == 0;
        goto cleanup;
    }

    if (optind == argc) {
        ret = vshInteractive(ctl,
                             "Welcome to virsh, the virtualization interactive terminal.\n\n"
                             "Type:  'help' for help with commands\n"
                             "       'quit' to quit\n\n");
    } else if (argc - optind == 1) {
        ret = vshCommandStringRun(ctl, argv[optind]);
    } else {
        ret = vshCommandArgvRun(ctl, argc - optind, argv + optind);
    }

 cleanup:
    fflush(stdout);
    if (virshCtl.conn)
        virConnectClose(virshCtl.conn);
    vshDeinit(ctl);
    g_free(virshCtl.uri);
    return ret ? EXIT_SUCCESS : EXIT_FAILURE;
}
