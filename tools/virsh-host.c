/* virsh-host.c: virsh commands about the connection and the host. */
#include <config.h>

#include <stdlib.h>

#include "virsh.h"

#define VIR_FROM_THIS VIR_FROM_NONE

static bool
cmdURI(vshControl *ctl, const vshCmd *cmd G_GNUC_UNUSED)
{
    virshControl *priv = ctl->privData;
    char *uri = virConnectGetURI(priv->conn);

    if (!uri) {
        vshError(ctl, "failed to get URI");
        return false;
    }
    vshPrint(ctl, "%s\n", uri);
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
cmdVersion(vshControl *ctl, const vshCmd *cmd G_GNUC_UNUSED)
{
    virshControl *priv = ctl->privData;
    g_autofree char *compiled = virshVersionString(LIBVIR_VERSION_NUMBER);
    g_autofree char *lib = NULL;
    g_autofree char *hv = NULL;
    unsigned long libVer = 0;
    unsigned long hvVer = 0;

    vshPrint(ctl, "Compiled against library: libvirt %s\n", compiled);
    if (virGetVersion(&libVer, NULL, NULL) < 0) {
        vshError(ctl, "failed to get the library version");
        return false;
    }
    lib = virshVersionString(libVer);
    vshPrint(ctl, "Using library: libvirt %s\n", lib);
    vshPrint(ctl, "Using API: QEMU %s\n", lib);

    if (virConnectGetVersion(priv->conn, &hvVer) < 0) {
        vshError(ctl, "failed to get the hypervisor version");
        return false;
    }
    if (hvVer == 0) {
        vshPrint(ctl, "Cannot extract running QEMU hypervisor version\n");
    } else {
        hv = virshVersionString(hvVer);
        vshPrint(ctl, "Running hypervisor: QEMU %s\n", hv);
    }
    return true;
}


/* ------------------------------------------------------------------ */
/* Command tables                                                       */
/* ------------------------------------------------------------------ */

const vshCmdDef virshHostCmds[] = {
    {.name = "uri", .handler = cmdURI, .help = "print the hypervisor canonical URI",
     .desc = "Print the URI of the current connection."},
    {.name = "version", .handler = cmdVersion,
     .help = "show version",
     .desc = "Print the versions of the library virsh was built against, "
             "of the library in use and of the running hypervisor."},
    {.name = NULL}
};
