/* virsh-domain.c: virsh commands for a domain's lifecycle and its facts. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virsh-util.h"
#include "vsh-table.h"

#define VIR_FROM_THIS VIR_FROM_NONE

#define VIRSH_OPT_FILE(what) \
    {.name = "file", .type = VSH_OT_STRING, \
     .flags = VSH_OFLAG_REQ | VSH_OFLAG_POS, \
     .help = what}


/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

/* The words libvirt's virsh uses for @state ("shut off"). */
static const char *
virshDomainStateToString(int state)
{
    switch ((virDomainState) state) {
    case VIR_DOMAIN_RUNNING: return "running";
    case VIR_DOMAIN_BLOCKED: return "idle";
    case VIR_DOMAIN_PAUSED: return "paused";
    case VIR_DOMAIN_SHUTDOWN: return "in shutdown";
    case VIR_DOMAIN_SHUTOFF: return "shut off";
    case VIR_DOMAIN_CRASHED: return "crashed";
    case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
    case VIR_DOMAIN_NOSTATE:
    default:
        return "no state";
    }
}

static const char *
virshDomainStateReasonToString(int state, int reason)
{
    static const char *const running[] = {
        "unknown", "booted", "migrated", "restored", "from snapshot",
        "unpaused", "migration canceled", "save canceled", "event wakeup",
        "crashed", "post-copy", "post-copy failed",
    };
    static const char *const paused[] = {
        "unknown", "user", "migrating", "saving", "dumping", "I/O error",
        "watchdog", "from snapshot", "shutting down", "creating snapshot",
        "crashed", "starting up", "post-copy", "post-copy failed",
    };
    static const char *const shutoff[] = {
        "unknown", "shutdown", "destroyed", "crashed", "migrated", "saved",
        "failed", "from snapshot", "daemon",
    };
    static const char *const shutdown[] = { "unknown", "user" };
    static const char *const crashed[] = { "unknown", "panicked" };
    const char *const *names = NULL;
    size_t n = 0;

    switch ((virDomainState) state) {
    case VIR_DOMAIN_RUNNING:
        names = running;
        n = G_N_ELEMENTS(running);
        break;
    case VIR_DOMAIN_PAUSED:
        names = paused;
        n = G_N_ELEMENTS(paused);
        break;
    case VIR_DOMAIN_SHUTOFF:
        names = shutoff;
        n = G_N_ELEMENTS(shutoff);
        break;
    case VIR_DOMAIN_SHUTDOWN:
        names = shutdown;
        n = G_N_ELEMENTS(shutdown);
        break;
    case VIR_DOMAIN_CRASHED:
        names = crashed;
        n = G_N_ELEMENTS(crashed);
        break;
    case VIR_DOMAIN_NOSTATE:
    case VIR_DOMAIN_BLOCKED:
    case VIR_DOMAIN_PMSUSPENDED:
    default:
        break;
    }
    if (reason >= 0 && (size_t) reason < n)
        return names[reason];
    return "unknown";
}

/* The whole of @file, or NULL with an error printed. */
static char *
virshReadFile(vshControl *ctl, const char *file)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[8192];
    FILE *fp;
    size_t got;
    bool failed;

    if (!(fp = fopen(file, "re"))) {
        vshError(ctl, "Failed to open file '%s': %s", file, g_strerror(errno));
        return NULL;
    }
    while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        g_string_append_len(buf, chunk, got);
    failed = ferror(fp);
    fclose(fp);
    if (failed) {
        vshError(ctl, "Failed to read file '%s'", file);
        return NULL;
    }
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


/* ------------------------------------------------------------------ */
/* Domain management                                                    */
/* ------------------------------------------------------------------ */

static const vshCmdOptDef opts_define[] = {
    VIRSH_OPT_FILE("file containing an XML domain description"),
    {.name = "validate", .type = VSH_OT_BOOL,
     .help = "validate the XML against the schema"},
    {.name = NULL}
};

static bool
cmdDefine(vshControl *ctl, const vshCmd *cmd)
{
    virshControl *priv = ctl->privData;
    const char *file = vshCommandOptString(cmd, "file");
    g_autofree char *xml = NULL;
    g_autoptr(virDomain) dom = NULL;

    if (!(xml = virshReadFile(ctl, file)))
        return false;
    if (vshCommandOptBool(cmd, "validate"))
        dom = virDomainDefineXMLFlags(priv->conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
    else
        dom = virDomainDefineXML(priv->conn, xml);
    if (!dom) {
        vshError(ctl, "Failed to define domain from %s", file);
        return false;
    }
    vshPrintExtra(ctl, "Domain '%s' defined from %s\n",
                  virDomainGetName(dom), file);
    return true;
}

static const vshCmdOptDef opts_create[] = {
    VIRSH_OPT_FILE("file containing an XML domain description"),
    {.name = "paused", .type = VSH_OT_BOOL,
     .help = "leave the guest paused after creation"},
    {.name = "validate", .type = VSH_OT_BOOL,
     .help = "validate the XML against the schema"},
    {.name = NULL}
};

static bool
cmdCreate(vshControl *ctl, const vshCmd *cmd)
{
    virshControl *priv = ctl->privData;
    const char *file = vshCommandOptString(cmd, "file");
    g_autofree char *xml = NULL;
    g_autoptr(virDomain) dom = NULL;
    unsigned int flags = 0;

    if (vshCommandOptBool(cmd, "paused"))
        flags |= VIR_DOMAIN_START_PAUSED;
    if (vshCommandOptBool(cmd, "validate"))
        flags |= VIR_DOMAIN_START_VALIDATE;
    if (!(xml = virshReadFile(ctl, file)))
        return false;
    if (!(dom = virDomainCreateXML(priv->conn, xml, flags))) {
        vshError(ctl, "Failed to create domain from %s", file);
        return false;
    }
    vshPrintExtra(ctl, "Domain '%s' created from %s\n",
                  virDomainGetName(dom), file);
    return true;
}

static const vshCmdOptDef opts_undefine[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    {.name = NULL}
};

static bool
cmdUndefine(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name;

    if (!(dom = virshCommandOptDomain(ctl, cmd, &name)))
        return false;
    if (virDomainUndefine(dom) < 0) {
        vshError(ctl, "Failed to undefine domain '%s'", name);
        return false;
    }
    vshPrintExtra(ctl, "Domain '%s' has been undefined\n", name);
    return true;
}

static const vshCmdOptDef opts_start[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    {.name = "paused", .type = VSH_OT_BOOL,
     .help = "leave the guest paused after start"},
    {.name = NULL}
};

static bool
cmdStart(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    int rc;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (virDomainIsActive(dom) == 1) {
        vshError(ctl, "Domain is already active");
        return false;
    }
    vshResetLibvirtError(ctl);

    if (vshCommandOptBool(cmd, "paused"))
        rc = virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED);
    else
        rc = virDomainCreate(dom);
    if (rc < 0) {
        vshError(ctl, "Failed to start domain '%s'", virDomainGetName(dom));
        return false;
    }
    vshPrintExtra(ctl, "Domain '%s' started\n", virDomainGetName(dom));
    return true;
}

static const vshCmdOptDef opts_destroy[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    {.name = "graceful", .type = VSH_OT_BOOL,
     .help = "terminate gracefully"},
    {.name = NULL}
};

static bool
cmdDestroy(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name;
    int rc;

    if (!(dom = virshCommandOptDomain(ctl, cmd, &name)))
        return false;
    if (vshCommandOptBool(cmd, "graceful"))
        rc = virDomainDestroyFlags(dom, VIR_DOMAIN_DESTROY_GRACEFUL);
    else
        rc = virDomainDestroy(dom);
    if (rc < 0) {
        vshError(ctl, "Failed to destroy domain '%s'", name);
        return false;
    }
    vshPrintExtra(ctl, "Domain '%s' destroyed\n", name);
    return true;
}

static bool
cmdSuspend(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name;

    if (!(dom = virshCommandOptDomain(ctl, cmd, &name)))
        return false;
    if (virDomainSuspend(dom) < 0) {
        vshError(ctl, "Failed to suspend domain '%s'", name);
        return false;
    }
    vshPrintExtra(ctl, "Domain '%s' suspended\n", name);
    return true;
}

static bool
cmdResume(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name;

    if (!(dom = virshCommandOptDomain(ctl, cmd, &name)))
        return false;
    if (virDomainResume(dom) < 0) {
        vshError(ctl, "Failed to resume domain '%s'", name);
        return false;
    }
    vshPrintExtra(ctl, "Domain '%s' resumed\n", name);
    return true;
}

static const vshCmdOptDef opts_dumpxml[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    {.name = "inactive", .type = VSH_OT_BOOL,
     .help = "show inactive defined XML"},
    {.name = NULL}
};

static bool
cmdDumpXML(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int flags = 0;
    char *xml;

    if (vshCommandOptBool(cmd, "inactive"))
        flags |= VIR_DOMAIN_XML_INACTIVE;
    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(xml = virDomainGetXMLDesc(dom, flags)))
        return false;
    vshPrint(ctl, "%s", xml);
    if (*xml && xml[strlen(xml) - 1] != '\n')
        vshPrint(ctl, "\n");
    free(xml);
    return true;
}

static const vshCmdOptDef opts_domain_only[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    {.name = NULL}
};

static bool
cmdDomID(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int id;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    id = virDomainGetID(dom);
    if (id == (unsigned int) -1)
        vshPrint(ctl, "-\n");
    else
        vshPrint(ctl, "%u\n", id);
    vshResetLibvirtError(ctl);
    return true;
}

static bool
cmdDomName(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(name = virDomainGetName(dom)))
        return false;
    vshPrint(ctl, "%s\n", name);
    return true;
}

static bool
cmdDomUUID(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (virDomainGetUUIDString(dom, uuid) < 0) {
        vshError(ctl, "failed to get domain UUID");
        return false;
    }
    vshPrint(ctl, "%s\n", uuid);
    return true;
}


/* ------------------------------------------------------------------ */
/* Domain monitoring                                                    */
/* ------------------------------------------------------------------ */

static bool
cmdDomInfo(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autofree char *ostype = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    virDomainInfo info;
    unsigned int id;
    int persistent;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;

    id = virDomainGetID(dom);
    if (id == (unsigned int) -1)
        vshPrint(ctl, "%-15s %s\n", "Id:", "-");
    else
        vshPrint(ctl, "%-15s %u\n", "Id:", id);
    vshPrint(ctl, "%-15s %s\n", "Name:", virDomainGetName(dom));
    if (virDomainGetUUIDString(dom, uuid) == 0)
        vshPrint(ctl, "%-15s %s\n", "UUID:", uuid);

    if (virshDomainGetXML(ctl, dom, 0, &doc, &ctxt) == 0 &&
        (ostype = virshXPathString(ctxt, "./os/type")))
        vshPrint(ctl, "%-15s %s\n", "OS Type:", ostype);
    vshResetLibvirtError(ctl);

    if (virDomainGetInfo(dom, &info) < 0) {
        vshError(ctl, "failed to get information about domain '%s'",
                 virDomainGetName(dom));
        return false;
    }
    vshPrint(ctl, "%-15s %s\n", "State:", virshDomainStateToString(info.state));
    vshPrint(ctl, "%-15s %u\n", "CPU(s):", (unsigned int) info.nrVirtCpu);
    if (info.cpuTime != 0)
        vshPrint(ctl, "%-15s %.1lfs\n", "CPU time:", info.cpuTime / 1e9);
    vshPrint(ctl, "%-15s %lu KiB\n", "Max memory:", info.maxMem);
    vshPrint(ctl, "%-15s %lu KiB\n", "Used memory:", info.memory);

    persistent = virDomainIsPersistent(dom);
    vshPrint(ctl, "%-15s %s\n", "Persistent:",
             persistent < 0 ? "unknown" : persistent ? "yes" : "no");
    vshResetLibvirtError(ctl);
    return true;
}

static const vshCmdOptDef opts_domstate[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    {.name = "reason", .type = VSH_OT_BOOL, .help = "also print reason for the state"},
    {.name = NULL}
};

static bool
cmdDomState(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    int state;
    int reason;

    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (virDomainGetState(dom, &state, &reason, 0) < 0) {
        vshError(ctl, "Unable to get state of domain '%s'",
                 virDomainGetName(dom));
        return false;
    }
    if (vshCommandOptBool(cmd, "reason"))
        vshPrint(ctl, "%s (%s)\n", virshDomainStateToString(state),
                 virshDomainStateReasonToString(state, reason));
    else
        vshPrint(ctl, "%s\n", virshDomainStateToString(state));
    return true;
}

static const vshCmdOptDef opts_domblklist[] = {
    VIRSH_COMMON_OPT_DOMAIN,
    {.name = "inactive", .type = VSH_OT_BOOL,
     .help = "get inactive rather than running configuration"},
    {.name = "details", .type = VSH_OT_BOOL,
     .help = "additionally display the type and device value"},
    {.name = NULL}
};

static bool
cmdDomBlkList(vshControl *ctl, const vshCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) disks = NULL;
    g_autoptr(vshTable) table = NULL;
    bool details = vshCommandOptBool(cmd, "details");
    unsigned int flags = 0;
    int i;

    if (vshCommandOptBool(cmd, "inactive"))
        flags |= VIR_DOMAIN_XML_INACTIVE;
    if (!(dom = virshCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (virshDomainGetXML(ctl, dom, flags, &doc, &ctxt) < 0)
        return false;

    if (details)
        table = vshTableNew("Type", "Device", "Target", "Source", NULL);
    else
        table = vshTableNew("Target", "Source", NULL);

    disks = xmlXPathEval(BAD_CAST "./devices/disk", ctxt);
    for (i = 0; disks && disks->nodesetval && i < disks->nodesetval->nodeNr; i++) {
        g_autofree char *type = NULL;
        g_autofree char *device = NULL;
        g_autofree char *target = NULL;
        g_autofree char *source = NULL;

        ctxt->node = disks->nodesetval->nodeTab[i];
        type = virshXPathString(ctxt, "./@type");
        device = virshXPathString(ctxt, "./@device");
        if (!(target = virshXPathString(ctxt, "./target/@dev"))) {
            vshError(ctl, "unable to query block list");
            return false;
        }
        source = virshXPathString(ctxt, "./source/@file|./source/@dev|"
                                  "./source/@dir|./source/@name|"
                                  "./source/@volume|./source/@path");
        if (details)
            vshTableRowAppend(table, type ? type : "-",
                              device ? device : "disk", target,
                              source ? source : "-", NULL);
        else
            vshTableRowAppend(table, target, source ? source : "-", NULL);
    }
    vshTablePrint(ctl, table);
    return true;
}

static const vshCmdOptDef opts_list[] = {
    {.name = "inactive", .type = VSH_OT_BOOL, .help = "list inactive domains"},
    {.name = "all", .type = VSH_OT_BOOL,
     .help = "list inactive & active domains"},
    {.name = "uuid", .type = VSH_OT_BOOL, .help = "list uuid's only"},
    {.name = "name", .type = VSH_OT_BOOL, .help = "list domain names only"},
    {.name = NULL}
};

/* Running domains first, by id; then the others, by name. */
static gint
virshDomainSorter(gconstpointer a, gconstpointer b)
{
    virDomainPtr da = *(virDomainPtr *) a;
    virDomainPtr db = *(virDomainPtr *) b;
    unsigned int ida = virDomainGetID(da);
    unsigned int idb = virDomainGetID(db);

    if (ida != idb)
        return ida < idb ? -1 : 1;
    return g_strcmp0(virDomainGetName(da), virDomainGetName(db));
}

static bool
cmdList(vshControl *ctl, const vshCmd *cmd)
{
    virshControl *priv = ctl->privData;
    bool optName = vshCommandOptBool(cmd, "name");
    bool optUUID = vshCommandOptBool(cmd, "uuid");
    g_autoptr(vshTable) table = NULL;
    virDomainPtr *doms = NULL;
    unsigned int flags = VIR_CONNECT_LIST_DOMAINS_ACTIVE;
    int ndoms;
    int i;

    if (vshCommandOptBool(cmd, "all"))
        flags = 0;
    else if (vshCommandOptBool(cmd, "inactive"))
        flags = VIR_CONNECT_LIST_DOMAINS_INACTIVE;

    if ((ndoms = virConnectListAllDomains(priv->conn, &doms, flags)) < 0) {
        vshError(ctl, "Failed to list domains");
        return false;
    }
    qsort(doms, ndoms, sizeof(*doms), virshDomainSorter);

    if (!optName && !optUUID)
        table = vshTableNew("Id", "Name", "State", NULL);

    for (i = 0; i < ndoms; i++) {
        const char *name = virDomainGetName(doms[i]);
        char uuid[VIR_UUID_STRING_BUFLEN] = "";
        unsigned int id = virDomainGetID(doms[i]);
        g_autofree char *idstr = NULL;
        int state;

        if (optUUID && virDomainGetUUIDString(doms[i], uuid) < 0)
            continue;
        if (optName && optUUID) {
            vshPrint(ctl, "%-36s %s\n", uuid, name);
        } else if (optUUID) {
            vshPrint(ctl, "%s\n", uuid);
        } else if (optName) {
            vshPrint(ctl, "%s\n", name);
        } else {
            /* A domain may vanish between the listing and this query. */
            if (virDomainGetState(doms[i], &state, NULL, 0) < 0)
                continue;
            if (id == (unsigned int) -1)
                idstr = g_strdup("-");
            else
                idstr = g_strdup_printf("%u", id);
            vshTableRowAppend(table, idstr, name,
                              virshDomainStateToString(state), NULL);
        }
    }
    if (table)
        vshTablePrint(ctl, table);

    for (i = 0; i < ndoms; i++)
        virDomainFree(doms[i]);
    free(doms);
    vshResetLibvirtError(ctl);
    return true;
}


/* ------------------------------------------------------------------ */
/* Command tables                                                       */
/* ------------------------------------------------------------------ */

const vshCmdDef virshDomainManagementCmds[] = {
    {.name = "create", .handler = cmdCreate, .opts = opts_create,
     .help = "create a domain from an XML file",
     .desc = "Create and start a transient domain from an XML file: it "
             "disappears when it stops."},
    {.name = "define", .handler = cmdDefine, .opts = opts_define,
     .help = "define (but don't start) a domain from an XML file",
     .desc = "Define a persistent domain from an XML file, or update the "
             "definition of an inactive one."},
    {.name = "destroy", .handler = cmdDestroy, .opts = opts_destroy,
     .help = "destroy (stop) a domain",
     .desc = "Stop a running domain at once, as if its power cord were "
             "pulled. A transient domain disappears."},
    {.name = "domid", .handler = cmdDomID, .opts = opts_domain_only,
     .help = "convert a domain name or UUID to domain id",
     .desc = "Print the id of a running domain, or '-' for an inactive one."},
    {.name = "domname", .handler = cmdDomName, .opts = opts_domain_only,
     .help = "convert a domain id or UUID to domain name",
     .desc = "Print the name of a domain."},
    {.name = "domuuid", .handler = cmdDomUUID, .opts = opts_domain_only,
     .help = "convert a domain name or id to domain UUID",
     .desc = "Print the UUID of a domain."},
    {.name = "dumpxml", .handler = cmdDumpXML, .opts = opts_dumpxml,
     .help = "domain information in XML",
     .desc = "Print the domain's XML: of a running domain, its live "
             "definition with each disk's backing chain."},
    {.name = "resume", .handler = cmdResume, .opts = opts_domain_only,
     .help = "resume a domain",
     .desc = "Let the virtual CPUs of a paused domain run again."},
    {.name = "start", .handler = cmdStart, .opts = opts_start,
     .help = "start a (previously defined) inactive domain",
     .desc = "Start a (previously defined) inactive domain."},
    {.name = "suspend", .handler = cmdSuspend, .opts = opts_domain_only,
     .help = "suspend a domain",
     .desc = "Stop the virtual CPUs of a running domain; it keeps its "
             "memory and disks, and its block pulls go on."},
    {.name = "undefine", .handler = cmdUndefine, .opts = opts_undefine,
     .help = "undefine a domain",
     .desc = "Remove the persistent definition of a domain. A running "
             "domain keeps running, as a transient one."},
    {.name = NULL}
};

const vshCmdDef virshDomainMonitorCmds[] = {
    {.name = "domblklist", .handler = cmdDomBlkList, .opts = opts_domblklist,
     .help = "list all domain blocks",
     .desc = "Get the summary of block devices for a domain."},
    {.name = "dominfo", .handler = cmdDomInfo, .opts = opts_domain_only,
     .help = "domain information",
     .desc = "Returns basic information about the domain."},
    {.name = "domstate", .handler = cmdDomState, .opts = opts_domstate,
     .help = "domain state",
     .desc = "Returns state about a domain."},
    {.name = "list", .handler = cmdList, .opts = opts_list,
     .help = "list domains",
     .desc = "Returns list of domains: the running ones unless --all or "
             "--inactive is given."},
    {.name = NULL}
};
