/*
 * remote_driver_domain.c: the remote driver's calls: each entry of the
 * hypervisor table as one procedure of libvirt's remote program (the QEMU
 * program for the monitor command, ours for the block pull calls), the
 * daemon's errors passed on as it sent them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "remote/remote_driver_priv.h"
#include "remote/qemu_protocol.h"
#include "remote/bp_protocol.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

#define XDR(type) ((xdrproc_t) xdr_ ## type)

/* ------------------------------------------------------------------ */
/* The connection                                                       */

static int
remoteConnectGetVersion(virConnectPtr conn, unsigned long *hvVer)
{
    remote_connect_get_version_ret ret = { 0 };

    if (remoteCall(conn, REMOTE_PROC_CONNECT_GET_VERSION, NULL, NULL,
                   XDR(remote_connect_get_version_ret), &ret) < 0)
        return -1;
    *hvVer = ret.hv_ver;
    return 0;
}

/* The type is asked once: the public call hands out a constant string. */
static const char *
remoteConnectGetType(virConnectPtr conn)
{
    remotePrivate *priv = remoteGetPrivate(conn);
    remote_connect_get_type_ret ret = { 0 };
    const char *type;

    g_mutex_lock(&priv->lock);
    type = priv->type;
    g_mutex_unlock(&priv->lock);
    if (type)
        return type;
    if (remoteCall(conn, REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                   XDR(remote_connect_get_type_ret), &ret) < 0)
        return NULL;
    g_mutex_lock(&priv->lock);
    if (!priv->type)
        priv->type = g_strdup(ret.type);
    type = priv->type;
    g_mutex_unlock(&priv->lock);
    xdr_free(XDR(remote_connect_get_type_ret), (char *) &ret);
    return type;
}

static char *
remoteConnectGetHostname(virConnectPtr conn)
{
    remote_connect_get_hostname_ret ret = { 0 };
    char *hostname;

    if (remoteCall(conn, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, NULL,
                   XDR(remote_connect_get_hostname_ret), &ret) < 0)
        return NULL;
    hostname = g_strdup(ret.hostname);
    xdr_free(XDR(remote_connect_get_hostname_ret), (char *) &ret);
    return hostname;
}

static int
remoteConnectNumOfDomains(virConnectPtr conn)
{
    remote_connect_num_of_domains_ret ret = { 0 };

    if (remoteCall(conn, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, NULL, NULL,
                   XDR(remote_connect_num_of_domains_ret), &ret) < 0)
        return -1;
    return ret.num;
}

static int
remoteConnectNumOfDefinedDomains(virConnectPtr conn)
{
    remote_connect_num_of_defined_domains_ret ret = { 0 };

    if (remoteCall(conn, REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, NULL, NULL,
                   XDR(remote_connect_num_of_defined_domains_ret), &ret) < 0)
        return -1;
    return ret.num;
}

/* The daemon's list may not be longer than what the caller has room for. */
static int
remoteCheckListLength(const char *what, size_t len, int max)
{
    if (len > (size_t) max) {
        virReportError(VIR_ERR_RPC,
                       "the daemon sent %zu %s where at most %d were asked for",
                       len, what, max);
        return -1;
    }
    return 0;
}

static int
remoteConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    remote_connect_list_domains_args args = { .maxids = maxids };
    remote_connect_list_domains_ret ret = { 0 };
    int n = -1;

    if (maxids > REMOTE_DOMAIN_LIST_MAX) {
        virReportError(VIR_ERR_RPC, "too many domain ids asked for: %d > %d",
                       maxids, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (remoteCall(conn, REMOTE_PROC_CONNECT_LIST_DOMAINS,
                   XDR(remote_connect_list_domains_args), &args,
                   XDR(remote_connect_list_domains_ret), &ret) < 0)
        return -1;
    if (remoteCheckListLength("domain ids", ret.ids.ids_len, maxids) == 0) {
        for (n = 0; n < (int) ret.ids.ids_len; n++)
            ids[n] = ret.ids.ids_val[n];
    }
    xdr_free(XDR(remote_connect_list_domains_ret), (char *) &ret);
    return n;
}

static int
remoteConnectListDefinedDomains(virConnectPtr conn, char **const names,
                                int maxnames)
{
    remote_connect_list_defined_domains_args args = { .maxnames = maxnames };
    remote_connect_list_defined_domains_ret ret = { 0 };
    int n = -1;

    if (maxnames > REMOTE_DOMAIN_LIST_MAX) {
        virReportError(VIR_ERR_RPC, "too many domain names asked for: %d > %d",
                       maxnames, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (remoteCall(conn, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
                   XDR(remote_connect_list_defined_domains_args), &args,
                   XDR(remote_connect_list_defined_domains_ret), &ret) < 0)
        return -1;
    if (remoteCheckListLength("domain names", ret.names.names_len, maxnames) == 0) {
        for (n = 0; n < (int) ret.names.names_len; n++)
            names[n] = g_strdup(ret.names.names_val[n]);
    }
    xdr_free(XDR(remote_connect_list_defined_domains_ret), (char *) &ret);
    return n;
}

static int
remoteConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                            unsigned int flags)
{
    remote_connect_list_all_domains_args args = { 0 };
    remote_connect_list_all_domains_ret ret = { 0 };
    int n;

    args.need_results = domains != NULL;
    args.flags = flags;
    if (remoteCall(conn, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                   XDR(remote_connect_list_all_domains_args), &args,
                   XDR(remote_connect_list_all_domains_ret), &ret) < 0)
        return -1;
    n = ret.ret;
    if (domains) {
        virDomainPtr *doms = g_new0(virDomainPtr, ret.domains.domains_len + 1);

        for (size_t i = 0; i < ret.domains.domains_len; i++)
            doms[i] = remoteDriverGetDomain(conn, &ret.domains.domains_val[i]);
        *domains = doms;
        n = ret.domains.domains_len;
    }
    xdr_free(XDR(remote_connect_list_all_domains_ret), (char *) &ret);
    return n;
}

/* ------------------------------------------------------------------ */
/* Domains: lifecycle and lookups                                       */

/* Most calls return a domain: a handle of the caller's, and the reply
 * freed. */
static virDomainPtr
remoteDomainFromRet(virConnectPtr conn, remote_nonnull_domain *rdom,
                    xdrproc_t retFilter, void *ret)
{
    virDomainPtr dom = remoteDriverGetDomain(conn, rdom);

    xdr_free(retFilter, (char *) ret);
    return dom;
}

static virDomainPtr
remoteDomainDefineXMLFlags(virConnectPtr conn, const char *xml,
                           unsigned int flags)
{
    remote_domain_define_xml_flags_args args = { .xml = (char *) xml, .flags = flags };
    remote_domain_define_xml_flags_ret ret = { 0 };

    if (remoteCall(conn, REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS,
                   XDR(remote_domain_define_xml_flags_args), &args,
                   XDR(remote_domain_define_xml_flags_ret), &ret) < 0)
        return NULL;
    return remoteDomainFromRet(conn, &ret.dom,
                               XDR(remote_domain_define_xml_flags_ret), &ret);
}

static virDomainPtr
remoteDomainCreateXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    remote_domain_create_xml_args args = { .xml_desc = (char *) xml, .flags = flags };
    remote_domain_create_xml_ret ret = { 0 };

    if (remoteCall(conn, REMOTE_PROC_DOMAIN_CREATE_XML,
                   XDR(remote_domain_create_xml_args), &args,
                   XDR(remote_domain_create_xml_ret), &ret) < 0)
        return NULL;
    return remoteDomainFromRet(conn, &ret.dom, XDR(remote_domain_create_xml_ret),
                               &ret);
}

static virDomainPtr
remoteDomainLookupByName(virConnectPtr conn, const char *name)
{
    remote_domain_lookup_by_name_args args = { .name = (char *) name };
    remote_domain_lookup_by_name_ret ret = { 0 };

    if (remoteCall(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                   XDR(remote_domain_lookup_by_name_args), &args,
                   XDR(remote_domain_lookup_by_name_ret), &ret) < 0)
        return NULL;
    return remoteDomainFromRet(conn, &ret.dom,
                               XDR(remote_domain_lookup_by_name_ret), &ret);
}

static virDomainPtr
remoteDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    remote_domain_lookup_by_uuid_args args;
    remote_domain_lookup_by_uuid_ret ret = { 0 };

    memcpy(args.uuid, uuid, VIR_UUID_BUFLEN);
    if (remoteCall(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID,
                   XDR(remote_domain_lookup_by_uuid_args), &args,
                   XDR(remote_domain_lookup_by_uuid_ret), &ret) < 0)
        return NULL;
    return remoteDomainFromRet(conn, &ret.dom,
                               XDR(remote_domain_lookup_by_uuid_ret), &ret);
}

static virDomainPtr
remoteDomainLookupByID(virConnectPtr conn, int id)
{
    remote_domain_lookup_by_id_args args = { .id = id };
    remote_domain_lookup_by_id_ret ret = { 0 };

    if (remoteCall(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
                   XDR(remote_domain_lookup_by_id_args), &args,
                   XDR(remote_domain_lookup_by_id_ret), &ret) < 0)
        return NULL;
    return remoteDomainFromRet(conn, &ret.dom,
                               XDR(remote_domain_lookup_by_id_ret), &ret);
}

static int
remoteDomainCreateWithFlags(virDomainPtr dom, unsigned int flags)
{
    remote_domain_create_with_flags_args args = { .flags = flags };
    remote_domain_create_with_flags_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCall(dom->conn, REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS,
                   XDR(remote_domain_create_with_flags_args), &args,
                   XDR(remote_domain_create_with_flags_ret), &ret) < 0)
        return -1;
    /* The caller's handle learns its new id, as with a local driver. */
    dom->id = ret.dom.id;
    xdr_free(XDR(remote_domain_create_with_flags_ret), (char *) &ret);
    return 0;
}

static int
remoteDomainDestroyFlags(virDomainPtr dom, unsigned int flags)
{
    remote_domain_destroy_flags_args args = { .flags = flags };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCall(dom->conn, REMOTE_PROC_DOMAIN_DESTROY_FLAGS,
                   XDR(remote_domain_destroy_flags_args), &args, NULL, NULL) < 0)
        return -1;
    dom->id = -1;
    return 0;
}

static int
remoteDomainUndefineFlags(virDomainPtr dom, unsigned int flags)
{
    remote_domain_undefine_flags_args args = { .flags = flags };

    remoteDriverMakeDomain(&args.dom, dom);
    return remoteCall(dom->conn, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS,
                      XDR(remote_domain_undefine_flags_args), &args, NULL, NULL);
}

static int
remoteDomainSuspend(virDomainPtr dom)
{
    remote_domain_suspend_args args;

    remoteDriverMakeDomain(&args.dom, dom);
    return remoteCall(dom->conn, REMOTE_PROC_DOMAIN_SUSPEND,
                      XDR(remote_domain_suspend_args), &args, NULL, NULL);
}

static int
remoteDomainResume(virDomainPtr dom)
{
    remote_domain_resume_args args;

    remoteDriverMakeDomain(&args.dom, dom);
    return remoteCall(dom->conn, REMOTE_PROC_DOMAIN_RESUME,
                      XDR(remote_domain_resume_args), &args, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Domains: queries                                                     */

static int
remoteDomainGetState(virDomainPtr dom, int *state, int *reason,
                     unsigned int flags)
{
    remote_domain_get_state_args args = { .flags = flags };
    remote_domain_get_state_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_STATE,
                   XDR(remote_domain_get_state_args), &args,
                   XDR(remote_domain_get_state_ret), &ret) < 0)
        return -1;
    *state = ret.state;
    if (reason)
        *reason = ret.reason;
    return 0;
}

static int
remoteDomainGetInfo(virDomainPtr dom, virDomainInfoPtr info)
{
    remote_domain_get_info_args args;
    remote_domain_get_info_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_INFO,
                   XDR(remote_domain_get_info_args), &args,
                   XDR(remote_domain_get_info_ret), &ret) < 0)
        return -1;
    info->state = ret.state;
    info->maxMem = ret.maxMem;
    info->memory = ret.memory;
    info->nrVirtCpu = ret.nrVirtCpu;
    info->cpuTime = ret.cpuTime;
    return 0;
}

static char *
remoteDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    remote_domain_get_xml_desc_args args = { .flags = flags };
    remote_domain_get_xml_desc_ret ret = { 0 };
    char *xml;

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_XML_DESC,
                   XDR(remote_domain_get_xml_desc_args), &args,
                   XDR(remote_domain_get_xml_desc_ret), &ret) < 0)
        return NULL;
    xml = g_strdup(ret.xml);
    xdr_free(XDR(remote_domain_get_xml_desc_ret), (char *) &ret);
    return xml;
}

static int
remoteDomainIsActive(virDomainPtr dom)
{
    remote_domain_is_active_args args;
    remote_domain_is_active_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCall(dom->conn, REMOTE_PROC_DOMAIN_IS_ACTIVE,
                   XDR(remote_domain_is_active_args), &args,
                   XDR(remote_domain_is_active_ret), &ret) < 0)
        return -1;
    return ret.active;
}

static int
remoteDomainIsPersistent(virDomainPtr dom)
{
    remote_domain_is_persistent_args args;
    remote_domain_is_persistent_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCall(dom->conn, REMOTE_PROC_DOMAIN_IS_PERSISTENT,
                   XDR(remote_domain_is_persistent_args), &args,
                   XDR(remote_domain_is_persistent_ret), &ret) < 0)
        return -1;
    return ret.persistent;
}

/* ------------------------------------------------------------------ */
/* The block pull calls (our program)                                   */

static int
remoteDomainBlockPull(virDomainPtr dom, const char *path,
                      virDomainBlockPullInfoPtr pos, unsigned int flags)
{
    bp_domain_block_pull_args args = { .path = (char *) path, .flags = flags };
    bp_domain_block_pull_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCallBP(dom->conn, BP_PROC_DOMAIN_BLOCK_PULL,
                     XDR(bp_domain_block_pull_args), &args,
                     XDR(bp_domain_block_pull_ret), &ret) < 0)
        return -1;
    if (pos) {
        pos->cur = ret.info.cur;
        pos->end = ret.info.end;
    }
    return 0;
}

static int
remoteDomainBlockPullAll(virDomainPtr dom, const char *path, unsigned int flags)
{
    bp_domain_block_pull_all_args args = { .path = (char *) path, .flags = flags };

    remoteDriverMakeDomain(&args.dom, dom);
    return remoteCallBP(dom->conn, BP_PROC_DOMAIN_BLOCK_PULL_ALL,
                        XDR(bp_domain_block_pull_all_args), &args, NULL, NULL);
}

static int
remoteDomainBlockPullAbort(virDomainPtr dom, const char *path,
                           unsigned int flags)
{
    bp_domain_block_pull_abort_args args = { .path = (char *) path, .flags = flags };

    remoteDriverMakeDomain(&args.dom, dom);
    return remoteCallBP(dom->conn, BP_PROC_DOMAIN_BLOCK_PULL_ABORT,
                        XDR(bp_domain_block_pull_abort_args), &args, NULL, NULL);
}

static int
remoteDomainGetBlockPullInfo(virDomainPtr dom, const char *path,
                             virDomainBlockPullInfoPtr info, unsigned int flags)
{
    bp_domain_get_block_pull_info_args args = { .path = (char *) path, .flags = flags };
    bp_domain_get_block_pull_info_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCallBP(dom->conn, BP_PROC_DOMAIN_GET_BLOCK_PULL_INFO,
                     XDR(bp_domain_get_block_pull_info_args), &args,
                     XDR(bp_domain_get_block_pull_info_ret), &ret) < 0)
        return -1;
    info->cur = ret.info.cur;
    info->end = ret.info.end;
    return 0;
}

/* ------------------------------------------------------------------ */
/* libvirt's block job calls                                            */

static int
remoteDomainBlockRebase(virDomainPtr dom, const char *disk, const char *base,
                        unsigned long bandwidth, unsigned int flags)
{
    remote_domain_block_rebase_args args = { 0 };
    char *basep = (char *) base;

    remoteDriverMakeDomain(&args.dom, dom);
    args.path = (char *) disk;
    args.base = base ? &basep : NULL;
    args.bandwidth = bandwidth;
    args.flags = flags;
    return remoteCall(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_REBASE,
                      XDR(remote_domain_block_rebase_args), &args, NULL, NULL);
}

static int
remoteDomainGetBlockJobInfo(virDomainPtr dom, const char *disk,
                            virDomainBlockJobInfoPtr info, unsigned int flags)
{
    remote_domain_get_block_job_info_args args = { .path = (char *) disk,
                                                   .flags = flags };
    remote_domain_get_block_job_info_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCall(dom->conn, REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO,
                   XDR(remote_domain_get_block_job_info_args), &args,
                   XDR(remote_domain_get_block_job_info_ret), &ret) < 0)
        return -1;
    if (!ret.found)
        return 0;
    info->type = ret.type;
    info->bandwidth = ret.bandwidth;
    info->cur = ret.cur;
    info->end = ret.end;
    return 1;
}

static int
remoteDomainBlockJobAbort(virDomainPtr dom, const char *disk, unsigned int flags)
{
    remote_domain_block_job_abort_args args = { .path = (char *) disk,
                                                .flags = flags };

    remoteDriverMakeDomain(&args.dom, dom);
    return remoteCall(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT,
                      XDR(remote_domain_block_job_abort_args), &args, NULL, NULL);
}

static int
remoteDomainBlockJobSetSpeed(virDomainPtr dom, const char *disk,
                             unsigned long bandwidth, unsigned int flags)
{
    remote_domain_block_job_set_speed_args args = { .path = (char *) disk,
                                                    .bandwidth = bandwidth,
                                                    .flags = flags };

    remoteDriverMakeDomain(&args.dom, dom);
    return remoteCall(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED,
                      XDR(remote_domain_block_job_set_speed_args), &args, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* The QEMU program                                                     */

static int
remoteDomainQemuMonitorCommand(virDomainPtr dom, const char *cmd,
                               char **result, unsigned int flags)
{
    qemu_domain_monitor_command_args args = { .cmd = (char *) cmd, .flags = flags };
    qemu_domain_monitor_command_ret ret = { 0 };

    remoteDriverMakeDomain(&args.dom, dom);
    if (remoteCallQemu(dom->conn, QEMU_PROC_DOMAIN_MONITOR_COMMAND,
                       XDR(qemu_domain_monitor_command_args), &args,
                       XDR(qemu_domain_monitor_command_ret), &ret) < 0)
        return -1;
    *result = g_strdup(ret.result);
    xdr_free(XDR(qemu_domain_monitor_command_ret), (char *) &ret);
    return 0;
}

/* ------------------------------------------------------------------ */

virHypervisorDriver remoteHypervisorDriver = {
    .name = "remote",
    .connectOpen = remoteConnectOpen,
    .connectClose = remoteConnectClose,
    /* connectGetURI: the URI the application gave, as libvirt. */
    .connectIsAlive = remoteConnectIsAlive,
    .connectGetVersion = remoteConnectGetVersion,
    .domainDefineXMLFlags = remoteDomainDefineXMLFlags,
    .domainUndefineFlags = remoteDomainUndefineFlags,
    .domainCreateWithFlags = remoteDomainCreateWithFlags,
    .domainCreateXML = remoteDomainCreateXML,
    .domainDestroyFlags = remoteDomainDestroyFlags,
    .domainLookupByName = remoteDomainLookupByName,
    .domainLookupByUUID = remoteDomainLookupByUUID,
    .domainLookupByID = remoteDomainLookupByID,
    .connectListAllDomains = remoteConnectListAllDomains,
    .domainGetState = remoteDomainGetState,
    .domainGetInfo = remoteDomainGetInfo,
    .domainGetXMLDesc = remoteDomainGetXMLDesc,
    .domainIsActive = remoteDomainIsActive,
    .domainIsPersistent = remoteDomainIsPersistent,
    .domainBlockPull = remoteDomainBlockPull,
    .domainBlockPullAll = remoteDomainBlockPullAll,
    .domainBlockPullAbort = remoteDomainBlockPullAbort,
    .domainGetBlockPullInfo = remoteDomainGetBlockPullInfo,
    .domainBlockRebase = remoteDomainBlockRebase,
    .domainGetBlockJobInfo = remoteDomainGetBlockJobInfo,
    .domainBlockJobAbort = remoteDomainBlockJobAbort,
    .domainBlockJobSetSpeed = remoteDomainBlockJobSetSpeed,
    .domainQemuMonitorCommand = remoteDomainQemuMonitorCommand,
    .connectDomainEventRegisterAny = remoteConnectDomainEventRegisterAny,
    .connectDomainEventDeregisterAny = remoteConnectDomainEventDeregisterAny,
    .connectGetType = remoteConnectGetType,
    .connectGetHostname = remoteConnectGetHostname,
    .connectSetKeepAlive = remoteConnectSetKeepAlive,
    .connectNumOfDomains = remoteConnectNumOfDomains,
    .connectListDomains = remoteConnectListDomains,
    .connectNumOfDefinedDomains = remoteConnectNumOfDefinedDomains,
    .connectListDefinedDomains = remoteConnectListDefinedDomains,
    .domainSuspend = remoteDomainSuspend,
    .domainResume = remoteDomainResume,
};
