/*
 * remote_daemon_dispatch_domain.c: the daemon's handlers of the domain
 * procedures (remote program), of the QEMU program's monitor command and
 * of the block pull program. Each decodes nothing itself (the server did),
 * finds the domain by its UUID, makes the public call on the client's
 * connection and fills the reply; a failure leaves the library's error,
 * which goes back whole.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "remote/remote_daemon_dispatch_priv.h"
#include "util/virerror.h"
#include "util/virxml.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

/* libvirt's virDomainBlockPull() flag: the bandwidth is in bytes/s. Its
 * value is that of VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES. */
#define REMOTE_BLOCK_PULL_BANDWIDTH_BYTES (1 << 6)

/* Find the domain of @args->dom into a local @dom, or fail. */
#define REMOTE_GET_DOMAIN(dom, wire) \
    REMOTE_AUTO_DOMAIN virDomainPtr dom = remoteGetDomain(conn, (wire)); \
    if (!dom) \
        return -1

static int
remoteCheckListMax(int max, const char *what)
{
    if (max > REMOTE_DOMAIN_LIST_MAX) {
        virReportError(VIR_ERR_RPC,
                       "too many %s asked for (%d, at most %d)",
                       what, max, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    return 0;
}

/* ---- Lookups and lists --------------------------------------------- */

REMOTE_DISPATCH_CONN(DomainLookupByID, remote_domain_lookup_by_id_args,
                     remote_domain_lookup_by_id_ret)
{
    REMOTE_AUTO_DOMAIN virDomainPtr dom = virDomainLookupByID(conn, args->id);

    if (!dom)
        return -1;
    remoteMakeDomain(&ret->dom, dom);
    return 0;
}

REMOTE_DISPATCH_CONN(DomainLookupByName, remote_domain_lookup_by_name_args,
                     remote_domain_lookup_by_name_ret)
{
    REMOTE_AUTO_DOMAIN virDomainPtr dom = virDomainLookupByName(conn, args->name);

    if (!dom)
        return -1;
    remoteMakeDomain(&ret->dom, dom);
    return 0;
}

REMOTE_DISPATCH_CONN(DomainLookupByUUID, remote_domain_lookup_by_uuid_args,
                     remote_domain_lookup_by_uuid_ret)
{
    remote_nonnull_domain wire = { .name = (char *) "" };

    memcpy(wire.uuid, args->uuid, VIR_UUID_BUFLEN);
    {
        REMOTE_GET_DOMAIN(dom, &wire);
        remoteMakeDomain(&ret->dom, dom);
    }
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectNumOfDomains, void,
                     remote_connect_num_of_domains_ret)
{
    (void)args;
    if ((ret->num = virConnectNumOfDomains(conn)) < 0)
        return -1;
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectListDomains, remote_connect_list_domains_args,
                     remote_connect_list_domains_ret)
{
    g_autofree int *ids = NULL;
    int n;

    if (remoteCheckListMax(args->maxids, "domain ids") < 0)
        return -1;
    ids = g_new0(int, MAX(args->maxids, 1));
    if ((n = virConnectListDomains(conn, ids, args->maxids)) < 0)
        return -1;
    ret->ids.ids_len = n;
    ret->ids.ids_val = g_steal_pointer(&ids);
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectNumOfDefinedDomains, void,
                     remote_connect_num_of_defined_domains_ret)
{
    (void)args;
    if ((ret->num = virConnectNumOfDefinedDomains(conn)) < 0)
        return -1;
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectListDefinedDomains,
                     remote_connect_list_defined_domains_args,
                     remote_connect_list_defined_domains_ret)
{
    char **names = NULL;
    int n;

    if (remoteCheckListMax(args->maxnames, "domain names") < 0)
        return -1;
    names = g_new0(char *, MAX(args->maxnames, 1));
    if ((n = virConnectListDefinedDomains(conn, names, args->maxnames)) < 0) {
        g_free(names);
        return -1;
    }
    ret->names.names_len = n;
    ret->names.names_val = names;
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectListAllDomains, remote_connect_list_all_domains_args,
                     remote_connect_list_all_domains_ret)
{
    virDomainPtr *doms = NULL;
    int n;
    int i;

    if ((n = virConnectListAllDomains(conn, args->need_results ? &doms : NULL,
                                      args->flags)) < 0)
        return -1;
    if (n > REMOTE_DOMAIN_LIST_MAX) {
        for (i = 0; doms && i < n; i++)
            remoteDomainUnrefp(&doms[i]);
        free(doms);
        virReportError(VIR_ERR_RPC, "too many domains to list (%d, at most %d)",
                       n, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (doms) {
        ret->domains.domains_val = g_new0(remote_nonnull_domain, MAX(n, 1));
        ret->domains.domains_len = n;
        for (i = 0; i < n; i++) {
            remoteMakeDomain(&ret->domains.domains_val[i], doms[i]);
            remoteDomainUnrefp(&doms[i]);
        }
        free(doms);
    }
    ret->ret = n;
    return 0;
}

/* ---- Lifecycle ----------------------------------------------------- */

REMOTE_DISPATCH_CONN(DomainCreateXML, remote_domain_create_xml_args,
                     remote_domain_create_xml_ret)
{
    REMOTE_AUTO_DOMAIN virDomainPtr dom =
        virDomainCreateXML(conn, args->xml_desc, args->flags);

    if (!dom)
        return -1;
    remoteMakeDomain(&ret->dom, dom);
    return 0;
}

REMOTE_DISPATCH_CONN(DomainDefineXML, remote_domain_define_xml_args,
                     remote_domain_define_xml_ret)
{
    REMOTE_AUTO_DOMAIN virDomainPtr dom = virDomainDefineXML(conn, args->xml);

    if (!dom)
        return -1;
    remoteMakeDomain(&ret->dom, dom);
    return 0;
}

REMOTE_DISPATCH_CONN(DomainDefineXMLFlags, remote_domain_define_xml_flags_args,
                     remote_domain_define_xml_flags_ret)
{
    REMOTE_AUTO_DOMAIN virDomainPtr dom =
        virDomainDefineXMLFlags(conn, args->xml, args->flags);

    if (!dom)
        return -1;
    remoteMakeDomain(&ret->dom, dom);
    return 0;
}

REMOTE_DISPATCH_CONN(DomainUndefine, remote_domain_undefine_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainUndefine(dom);
}

REMOTE_DISPATCH_CONN(DomainUndefineFlags, remote_domain_undefine_flags_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainUndefineFlags(dom, args->flags);
}

REMOTE_DISPATCH_CONN(DomainCreate, remote_domain_create_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainCreate(dom);
}

REMOTE_DISPATCH_CONN(DomainCreateWithFlags, remote_domain_create_with_flags_args,
                     remote_domain_create_with_flags_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);

    if (virDomainCreateWithFlags(dom, args->flags) < 0)
        return -1;
    /* The reply tells the client the id the domain runs with now. */
    {
        REMOTE_GET_DOMAIN(running, &args->dom);
        remoteMakeDomain(&ret->dom, running);
    }
    return 0;
}

REMOTE_DISPATCH_CONN(DomainDestroy, remote_domain_destroy_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainDestroy(dom);
}

REMOTE_DISPATCH_CONN(DomainDestroyFlags, remote_domain_destroy_flags_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainDestroyFlags(dom, args->flags);
}

REMOTE_DISPATCH_CONN(DomainSuspend, remote_domain_suspend_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainSuspend(dom);
}

REMOTE_DISPATCH_CONN(DomainResume, remote_domain_resume_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainResume(dom);
}

/* ---- Queries ------------------------------------------------------- */

REMOTE_DISPATCH_CONN(DomainGetState, remote_domain_get_state_args,
                     remote_domain_get_state_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    return virDomainGetState(dom, &ret->state, &ret->reason, args->flags);
}

REMOTE_DISPATCH_CONN(DomainGetInfo, remote_domain_get_info_args,
                     remote_domain_get_info_ret)
{
    virDomainInfo info = { 0 };

    REMOTE_GET_DOMAIN(dom, &args->dom);
    if (virDomainGetInfo(dom, &info) < 0)
        return -1;
    ret->state = info.state;
    ret->maxMem = info.maxMem;
    ret->memory = info.memory;
    ret->nrVirtCpu = info.nrVirtCpu;
    ret->cpuTime = info.cpuTime;
    return 0;
}

REMOTE_DISPATCH_CONN(DomainGetXMLDesc, remote_domain_get_xml_desc_args,
                     remote_domain_get_xml_desc_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    if (!(ret->xml = virDomainGetXMLDesc(dom, args->flags)))
        return -1;
    return 0;
}

REMOTE_DISPATCH_CONN(DomainIsActive, remote_domain_is_active_args,
                     remote_domain_is_active_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    if ((ret->active = virDomainIsActive(dom)) < 0)
        return -1;
    return 0;
}

REMOTE_DISPATCH_CONN(DomainIsPersistent, remote_domain_is_persistent_args,
                     remote_domain_is_persistent_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    if ((ret->persistent = virDomainIsPersistent(dom)) < 0)
        return -1;
    return 0;
}

/* Autostart is not supported: every domain is "not autostarted". */
REMOTE_DISPATCH_CONN(DomainGetAutostart, remote_domain_get_autostart_args,
                     remote_domain_get_autostart_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    ret->autostart = 0;
    return 0;
}

/* Managed save is not supported: no domain has an image. */
REMOTE_DISPATCH_CONN(DomainHasManagedSaveImage,
                     remote_domain_has_managed_save_image_args,
                     remote_domain_has_managed_save_image_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    if (args->flags != 0) {
        virReportError(VIR_ERR_INVALID_ARG, "unsupported flags (0x%x)",
                       args->flags);
        return -1;
    }
    ret->result = 0;
    return 0;
}

/* No security driver labels the domains as libvirt's would (the daemon
 * answers an empty model): the label is empty, as libvirt's is then. */
REMOTE_DISPATCH_CONN(DomainGetSecurityLabel, remote_domain_get_security_label_args,
                     remote_domain_get_security_label_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    ret->label.label_val = g_new0(char, 1);
    ret->label.label_len = 1;
    ret->enforcing = 0;
    return 0;
}

REMOTE_DISPATCH_CONN(DomainGetMessages, remote_domain_get_messages_args,
                     remote_domain_get_messages_ret)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    if (args->flags & ~3U) {
        virReportError(VIR_ERR_INVALID_ARG, "unsupported flags (0x%x)",
                       args->flags & ~3U);
        return -1;
    }
    ret->msgs.msgs_len = 0;
    ret->msgs.msgs_val = NULL;
    return 0;
}

/* The OS type of the domain's XML (/domain/os/type). */
REMOTE_DISPATCH_CONN(DomainGetOSType, remote_domain_get_os_type_args,
                     remote_domain_get_os_type_ret)
{
    g_autofree char *xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlXPathContextPtr ctxt = NULL;
    xmlXPathObjectPtr obj = NULL;

    REMOTE_GET_DOMAIN(dom, &args->dom);
    if (!(xml = virDomainGetXMLDesc(dom, 0)))
        return -1;
    doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc && (ctxt = xmlXPathNewContext(doc)))
        obj = xmlXPathEvalExpression(BAD_CAST "string(/domain/os/type)", ctxt);
    if (obj && obj->type == XPATH_STRING && obj->stringval && obj->stringval[0])
        ret->type = g_strdup((const char *) obj->stringval);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctxt);
    if (!ret->type) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "the XML of domain '%s' has no OS type",
                       virDomainGetName(dom));
        return -1;
    }
    return 0;
}

/* ---- Block jobs ---------------------------------------------------- */

REMOTE_DISPATCH_CONN(DomainBlockJobAbort, remote_domain_block_job_abort_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainBlockJobAbort(dom, args->path, args->flags);
}

REMOTE_DISPATCH_CONN(DomainGetBlockJobInfo, remote_domain_get_block_job_info_args,
                     remote_domain_get_block_job_info_ret)
{
    virDomainBlockJobInfo info = { 0 };
    int rv;

    REMOTE_GET_DOMAIN(dom, &args->dom);
    if ((rv = virDomainGetBlockJobInfo(dom, args->path, &info, args->flags)) < 0)
        return -1;
    ret->found = rv;
    if (rv == 1) {
        ret->type = info.type;
        ret->bandwidth = info.bandwidth;
        ret->cur = info.cur;
        ret->end = info.end;
    }
    return 0;
}

REMOTE_DISPATCH_CONN(DomainBlockJobSetSpeed, remote_domain_block_job_set_speed_args,
                     void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainBlockJobSetSpeed(dom, args->path, args->bandwidth,
                                     args->flags);
}

/* libvirt's virDomainBlockPull: the whole pull in the background, which
 * is virDomainBlockRebase() without a base here. */
REMOTE_DISPATCH_CONN(DomainBlockPull, remote_domain_block_pull_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    if (args->flags & ~REMOTE_BLOCK_PULL_BANDWIDTH_BYTES) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "unsupported flags (0x%x) of a block pull",
                       args->flags & ~REMOTE_BLOCK_PULL_BANDWIDTH_BYTES);
        return -1;
    }
    return virDomainBlockRebase(dom, args->path, NULL, args->bandwidth,
                                args->flags);
}

REMOTE_DISPATCH_CONN(DomainBlockRebase, remote_domain_block_rebase_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainBlockRebase(dom, args->path,
                                args->base ? *args->base : NULL,
                                args->bandwidth, args->flags);
}

/* ---- QEMU program -------------------------------------------------- */

REMOTE_DISPATCH_CONN(QemuDomainMonitorCommand, qemu_domain_monitor_command_args,
                     qemu_domain_monitor_command_ret)
{
    char *result = NULL;

    REMOTE_GET_DOMAIN(dom, &args->dom);
    if (virDomainQemuMonitorCommand(dom, args->cmd, &result, args->flags) < 0)
        return -1;
    ret->result = result;
    return 0;
}

/* ---- Block pull program -------------------------------------------- */

REMOTE_DISPATCH_CONN(BPDomainBlockPull, bp_domain_block_pull_args,
                     bp_domain_block_pull_ret)
{
    virDomainBlockPullInfo info = { 0 };

    REMOTE_GET_DOMAIN(dom, &args->dom);
    if (virDomainBlockPull(dom, args->path, &info, args->flags) < 0)
        return -1;
    ret->info.cur = info.cur;
    ret->info.end = info.end;
    return 0;
}

REMOTE_DISPATCH_CONN(BPDomainBlockPullAll, bp_domain_block_pull_all_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainBlockPullAll(dom, args->path, args->flags);
}

REMOTE_DISPATCH_CONN(BPDomainBlockPullAbort, bp_domain_block_pull_abort_args, void)
{
    REMOTE_GET_DOMAIN(dom, &args->dom);
    (void)ret;
    return virDomainBlockPullAbort(dom, args->path, args->flags);
}

REMOTE_DISPATCH_CONN(BPDomainGetBlockPullInfo, bp_domain_get_block_pull_info_args,
                     bp_domain_get_block_pull_info_ret)
{
    virDomainBlockPullInfo info = { 0 };

    REMOTE_GET_DOMAIN(dom, &args->dom);
    if (virDomainGetBlockPullInfo(dom, args->path, &info, args->flags) < 0)
        return -1;
    ret->info.cur = info.cur;
    ret->info.end = info.end;
    return 0;
}
