/*
 * remotedispatchtest.c: the daemon's dispatch (remote_daemon_dispatch.c)
 * on a real server (virnetserver) in this process, driven by a raw
 * client (virnetclient) over unix sockets, against the test driver: the
 * handshake a libvirt 9.0 client makes, opening (the system URI mapped,
 * others refused), lists and lookups, the lifecycle, errors coming back
 * whole, the read-only socket refusing every mutating procedure, and
 * events registered, received with their callback id and dropped with
 * the client. Needs neither QEMU nor root.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "rpc/virnetserver.h"
#include "rpc/virnetclient.h"
#include "remote/remote_daemon_dispatch.h"
#include "remote/remote_protocol.h"
#include "remote/qemu_protocol.h"
#include "remote/bp_protocol.h"
#include "testutils.h"
#include "testutilsvirt.h"

#define TIMEOUT_MS 10000
#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
/* What "qemu:///system" opens in this test: the test driver. */
#define SYSTEM_URI "test:///default"

#define XDR(f) ((xdrproc_t) (void (*)(void)) (f))

static struct {
    virNetServer *srv;
    char *dir;
    char *rwPath;
    char *roPath;
} server;

/* ------------------------------------------------------------------ */
/* A raw client                                                         */

typedef struct {
    virNetClient *nc;
    GMutex lock;
    GCond cond;
    GPtrArray *events;          /* "PROC CALLBACKID NAME A B", in order */
} Client;

static void
clientEvent(virNetClient *nc G_GNUC_UNUSED, virNetMessage *msg, void *opaque)
{
    Client *c = opaque;
    char *line = NULL;

    if (msg->header.prog == REMOTE_PROGRAM &&
        msg->header.proc == REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE) {
        remote_domain_event_callback_lifecycle_msg ev = { 0 };

        g_assert_cmpint(virNetMessageDecodePayload(msg,
                            XDR(xdr_remote_domain_event_callback_lifecycle_msg), &ev), ==, 0);
        line = g_strdup_printf("lifecycle %d %s %d %d", ev.callbackID,
                               ev.msg.dom.name, ev.msg.event, ev.msg.detail);
        xdr_free(XDR(xdr_remote_domain_event_callback_lifecycle_msg), (char *) &ev);
    } else {
        line = g_strdup_printf("other %u %d", msg->header.prog, msg->header.proc);
    }
    g_mutex_lock(&c->lock);
    g_ptr_array_add(c->events, line);
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
}

static int
clientCall(Client *c, unsigned int prog, int proc,
           xdrproc_t argsFilter, void *args, xdrproc_t retFilter, void *ret)
{
    unsigned int vers = 1;

    virResetLastError();
    return virNetClientCall(c->nc, prog, vers, proc,
                            argsFilter ? argsFilter : XDR(xdr_void), args,
                            retFilter ? retFilter : XDR(xdr_void), ret);
}

static int
remoteCall(Client *c, int proc, xdrproc_t argsFilter, void *args,
           xdrproc_t retFilter, void *ret)
{
    return clientCall(c, REMOTE_PROGRAM, proc, argsFilter, args, retFilter, ret);
}

static int
clientOpen(Client *c, const char *uri, unsigned int flags)
{
    char *name = (char *) uri;
    remote_connect_open_args args = { uri ? &name : NULL, flags };

    return remoteCall(c, REMOTE_PROC_CONNECT_OPEN,
                      XDR(xdr_remote_connect_open_args), &args, NULL, NULL);
}

/* A client of @path; opened on @uri unless it is NULL. */
static Client *
clientNew(const char *path, const char *uri, unsigned int flags)
{
    Client *c = g_new0(Client, 1);

    g_mutex_init(&c->lock);
    g_cond_init(&c->cond);
    c->events = g_ptr_array_new_with_free_func(g_free);
    c->nc = virNetClientNewUnix(path);
    g_assert_nonnull(c->nc);
    g_assert_cmpint(virNetClientAddProgramEvents(c->nc, REMOTE_PROGRAM, 1,
                                                 clientEvent, c), ==, 0);
    g_assert_cmpint(virNetClientAddProgramEvents(c->nc, BP_PROGRAM, 1,
                                                 clientEvent, c), ==, 0);
    if (uri)
        g_assert_cmpint(clientOpen(c, uri, flags), ==, 0);
    return c;
}

static void
clientFree(Client *c)
{
    virNetClientClose(c->nc);
    virNetClientUnref(c->nc);
    g_ptr_array_unref(c->events);
    g_mutex_clear(&c->lock);
    g_cond_clear(&c->cond);
    g_free(c);
}

/* Wait until @c received @n events; returns the @i-th's line. */
static void
clientWaitEvents(Client *c, guint n)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

    g_mutex_lock(&c->lock);
    while (c->events->len < n) {
        if (!g_cond_wait_until(&c->cond, &c->lock, end))
            g_error("waited for %u events, got %u", n, c->events->len);
    }
    g_mutex_unlock(&c->lock);
}

static const char *
clientEventAt(Client *c, guint i)
{
    const char *line;

    g_mutex_lock(&c->lock);
    g_assert_cmpuint(i, <, c->events->len);
    line = g_ptr_array_index(c->events, i);
    g_mutex_unlock(&c->lock);
    return line;
}

static guint
clientEventCount(Client *c)
{
    guint n;

    g_mutex_lock(&c->lock);
    n = c->events->len;
    g_mutex_unlock(&c->lock);
    return n;
}

/* Look a domain up by name into @dom (the caller frees it). */
static void
lookup(Client *c, const char *name, remote_nonnull_domain *dom)
{
    remote_domain_lookup_by_name_args args = { (char *) name };
    remote_domain_lookup_by_name_ret ret = { 0 };

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                               XDR(xdr_remote_domain_lookup_by_name_args), &args,
                               XDR(xdr_remote_domain_lookup_by_name_ret), &ret), ==, 0);
    *dom = ret.dom;
}

static void
domClear(remote_nonnull_domain *dom)
{
    xdr_free(XDR(xdr_remote_nonnull_domain), (char *) dom);
}

static int
getState(Client *c, remote_nonnull_domain *dom)
{
    remote_domain_get_state_args args = { *dom, 0 };
    remote_domain_get_state_ret ret = { 0 };

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_STATE,
                               XDR(xdr_remote_domain_get_state_args), &args,
                               XDR(xdr_remote_domain_get_state_ret), &ret), ==, 0);
    return ret.state;
}

/* A call on @dom alone (create, destroy, suspend, resume, undefine). */
static int
domCall(Client *c, int proc, remote_nonnull_domain *dom)
{
    remote_domain_create_args args = { *dom };

    return remoteCall(c, proc, XDR(xdr_remote_domain_create_args), &args, NULL, NULL);
}

static char *
domainXML(const char *name)
{
    return g_strdup_printf("<domain type='qemu'>\n"
                           "  <name>%s</name>\n"
                           "  <memory>65536</memory>\n"
                           "  <vcpu>1</vcpu>\n"
                           "  <os><type>hvm</type></os>\n"
                           "</domain>\n", name);
}

/* Define @name through @c into @dom. */
static void
define(Client *c, const char *name, remote_nonnull_domain *dom)
{
    g_autofree char *xml = domainXML(name);
    remote_domain_define_xml_args args = { xml };
    remote_domain_define_xml_ret ret = { 0 };

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_DEFINE_XML,
                               XDR(xdr_remote_domain_define_xml_args), &args,
                               XDR(xdr_remote_domain_define_xml_ret), &ret), ==, 0);
    g_assert_cmpstr(ret.dom.name, ==, name);
    g_assert_cmpint(ret.dom.id, ==, -1);
    *dom = ret.dom;
}

/* ------------------------------------------------------------------ */
/* The handshake                                                        */

static void
testHandshake(void)
{
    Client *c = clientNew(server.rwPath, NULL, 0);
    remote_auth_list_ret auth = { 0 };
    remote_connect_supports_feature_args feat = { 10 };
    remote_connect_supports_feature_ret sup = { 0 };
    remote_connect_get_uri_ret uri = { 0 };
    remote_connect_get_type_ret type = { 0 };
    remote_connect_get_hostname_ret host = { 0 };
    remote_connect_get_lib_version_ret libver = { 0 };
    remote_connect_get_version_ret hvver = { 0 };
    remote_connect_is_secure_ret secure = { 0 };
    remote_node_get_security_model_ret secmodel = { 0 };
    remote_connect_get_max_vcpus_args vcpusArgs = { NULL };
    remote_connect_get_max_vcpus_ret vcpus = { 0 };

    /* Before the open: the authentication list and keepalive, as a
     * libvirt 9.0 client asks them; anything else is refused. */
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_AUTH_LIST, NULL, NULL,
                               XDR(xdr_remote_auth_list_ret), &auth), ==, 0);
    g_assert_cmpuint(auth.types.types_len, ==, 1);
    g_assert_cmpint(auth.types.types_val[0], ==, REMOTE_AUTH_NONE);
    xdr_free(XDR(xdr_remote_auth_list_ret), (char *) &auth);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                               XDR(xdr_remote_connect_supports_feature_args), &feat,
                               XDR(xdr_remote_connect_supports_feature_ret), &sup), ==, 0);
    g_assert_cmpint(sup.supported, ==, 1);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                               XDR(xdr_remote_connect_get_type_ret), &type), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_INTERNAL_ERROR, "not open", NULL);

    /* The open: the default URI is the system one. */
    g_assert_cmpint(clientOpen(c, NULL, 0), ==, 0);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_URI, NULL, NULL,
                               XDR(xdr_remote_connect_get_uri_ret), &uri), ==, 0);
    g_assert_cmpstr(uri.uri, ==, "qemu:///system");
    xdr_free(XDR(xdr_remote_connect_get_uri_ret), (char *) &uri);
    g_assert_cmpint(clientOpen(c, "qemu:///system", 0), ==, -1);
    virTestAssertErrorFull(VIR_FROM_REMOTE, VIR_ERR_INTERNAL_ERROR, "already open", NULL);

    /* What a libvirt client probes after the open. */
    feat.feature = 14;  /* REMOTE_EVENT_CALLBACK */
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                               XDR(xdr_remote_connect_supports_feature_args), &feat,
                               XDR(xdr_remote_connect_supports_feature_ret), &sup), ==, 0);
    g_assert_cmpint(sup.supported, ==, 1);
    feat.feature = 15;  /* REMOTE_CLOSE_CALLBACK: not served */
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                               XDR(xdr_remote_connect_supports_feature_args), &feat,
                               XDR(xdr_remote_connect_supports_feature_ret), &sup), ==, 0);
    g_assert_cmpint(sup.supported, ==, 0);

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                               XDR(xdr_remote_connect_get_type_ret), &type), ==, 0);
    g_assert_cmpstr(type.type, ==, "Test");
    xdr_free(XDR(xdr_remote_connect_get_type_ret), (char *) &type);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_HOSTNAME, NULL, NULL,
                               XDR(xdr_remote_connect_get_hostname_ret), &host), ==, 0);
    g_assert_cmpstr(host.hostname, !=, "");
    xdr_free(XDR(xdr_remote_connect_get_hostname_ret), (char *) &host);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_LIB_VERSION, NULL, NULL,
                               XDR(xdr_remote_connect_get_lib_version_ret), &libver), ==, 0);
    g_assert_cmpuint(libver.lib_ver, >=, 9000000);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_VERSION, NULL, NULL,
                               XDR(xdr_remote_connect_get_version_ret), &hvver), ==, 0);
    g_assert_cmpuint(hvver.hv_ver, ==, 2);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_IS_SECURE, NULL, NULL,
                               XDR(xdr_remote_connect_is_secure_ret), &secure), ==, 0);
    g_assert_cmpint(secure.secure, ==, 1);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_NODE_GET_SECURITY_MODEL, NULL, NULL,
                               XDR(xdr_remote_node_get_security_model_ret), &secmodel), ==, 0);
    g_assert_cmpuint(secmodel.model.model_len, ==, 1);
    g_assert_cmpint(secmodel.model.model_val[0], ==, '\0');
    xdr_free(XDR(xdr_remote_node_get_security_model_ret), (char *) &secmodel);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_MAX_VCPUS,
                               XDR(xdr_remote_connect_get_max_vcpus_args), &vcpusArgs,
                               XDR(xdr_remote_connect_get_max_vcpus_ret), &vcpus), ==, 0);
    g_assert_cmpint(vcpus.max_vcpus, >, 1);

    /* Our own clients say they know BP_PROGRAM (its event may be sent to
     * them); libvirt's daemon would answer 0. */
    feat.feature = BP_FEATURE_PROGRAM;
    sup.supported = 0;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                               XDR(xdr_remote_connect_supports_feature_args), &feat,
                               XDR(xdr_remote_connect_supports_feature_ret), &sup), ==, 0);
    g_assert_cmpint(sup.supported, ==, 1);

    /* Closing the connection: the client may not use it any more. */
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_CLOSE, NULL, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                               XDR(xdr_remote_connect_get_type_ret), &type), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_INTERNAL_ERROR, "not open", NULL);
    clientFree(c);
}

/* The host's facts: node info from /proc, and a capabilities document a
 * client (virsh) can read. */
static void
testHost(void)
{
    Client *c = clientNew(server.rwPath, "qemu:///system", 0);
    remote_node_get_info_ret info = { 0 };
    remote_connect_get_capabilities_ret caps = { 0 };
    g_autofree char *machine = NULL;

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_NODE_GET_INFO, NULL, NULL,
                               XDR(xdr_remote_node_get_info_ret), &info), ==, 0);
    g_assert_cmpint(info.cpus, ==, sysconf(_SC_NPROCESSORS_ONLN));
    g_assert_cmpint(info.nodes * info.sockets * info.cores * info.threads, ==, info.cpus);
    g_assert_cmpuint(info.memory, >, 1024);
    g_assert_cmpuint(info.memory * 1024, <=,
                     (guint64) sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) + 1024 * 1024);
    g_assert_cmpstr(info.model, !=, "");

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_CAPABILITIES, NULL, NULL,
                               XDR(xdr_remote_connect_get_capabilities_ret), &caps), ==, 0);
    machine = g_strdup_printf("<arch>%s</arch>", info.model);
    g_assert_nonnull(strstr(caps.capabilities, machine));
    g_assert_nonnull(strstr(caps.capabilities, "<os_type>hvm</os_type>"));
    g_assert_nonnull(strstr(caps.capabilities, "<arch name='x86_64'>"));
    g_assert_nonnull(strstr(caps.capabilities, "<domain type='qemu'/>"));
    g_assert_true(g_str_has_prefix(caps.capabilities, "<capabilities>"));
    g_assert_true(g_str_has_suffix(caps.capabilities, "</capabilities>\n"));
    xdr_free(XDR(xdr_remote_connect_get_capabilities_ret), (char *) &caps);
    clientFree(c);
}

/* Only the system URI and test:/// URIs are opened; a refusal says why
 * and leaves the client free to open another. */
static void
testOpenRefused(void)
{
    const char *refused[] = { "qemu:///session", "qemu:///embed?root=/tmp/x",
                              "qemu+ssh://host/system", "xen:///", "bogus" };
    Client *c = clientNew(server.rwPath, NULL, 0);
    remote_connect_get_type_ret type = { 0 };

    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        g_assert_cmpint(clientOpen(c, refused[i], 0), ==, -1);
        virTestAssertErrorFull(VIR_FROM_REMOTE, VIR_ERR_NO_CONNECT, refused[i], NULL);
    }
    g_assert_cmpint(clientOpen(c, "qemu:///system", 0xff00), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_INVALID_ARG, "flags", NULL);
    g_assert_cmpint(clientOpen(c, "test:///default", 0), ==, 0);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_GET_TYPE, NULL, NULL,
                               XDR(xdr_remote_connect_get_type_ret), &type), ==, 0);
    g_assert_cmpstr(type.type, ==, "Test");
    xdr_free(XDR(xdr_remote_connect_get_type_ret), (char *) &type);
    clientFree(c);
}

/* ------------------------------------------------------------------ */
/* Domains                                                              */

static void
testListLookup(void)
{
    Client *c = clientNew(server.rwPath, "qemu:///system", 0);
    remote_nonnull_domain dom = { 0 };
    remote_connect_num_of_domains_ret num = { 0 };
    remote_connect_list_domains_args listArgs = { 10 };
    remote_connect_list_domains_ret list = { 0 };
    remote_connect_list_all_domains_args allArgs = { 1, 0 };
    remote_connect_list_all_domains_ret all = { 0 };
    remote_domain_lookup_by_id_args byIdArgs = { 0 };
    remote_domain_lookup_by_id_ret byId = { 0 };
    remote_domain_lookup_by_uuid_args byUUIDArgs = { { 0 } };
    remote_domain_lookup_by_uuid_ret byUUID = { 0 };
    remote_domain_get_info_args infoArgs = { { 0 } };
    remote_domain_get_info_ret info = { 0 };
    remote_domain_get_xml_desc_args xmlArgs = { { 0 }, 0 };
    remote_domain_get_xml_desc_ret xml = { 0 };
    remote_domain_get_os_type_args osArgs = { { 0 } };
    remote_domain_get_os_type_ret os = { 0 };
    remote_domain_is_active_ret active = { 0 };
    remote_domain_is_persistent_ret persistent = { 0 };
    remote_domain_get_autostart_ret autostart = { 1 };
    remote_domain_has_managed_save_image_args msArgs = { { 0 }, 0 };
    remote_domain_has_managed_save_image_ret ms = { 1 };
    remote_domain_get_messages_args msgArgs = { { 0 }, 0 };
    remote_domain_get_messages_ret msgs = { 0 };
    static const unsigned char uuid[] = { 0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
                                          0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f };
    bool found = false;

    lookup(c, "test", &dom);
    g_assert_cmpmem(dom.uuid, VIR_UUID_BUFLEN, uuid, VIR_UUID_BUFLEN);
    g_assert_cmpint(dom.id, >, 0);

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, NULL, NULL,
                               XDR(xdr_remote_connect_num_of_domains_ret), &num), ==, 0);
    g_assert_cmpint(num.num, >=, 1);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_LIST_DOMAINS,
                               XDR(xdr_remote_connect_list_domains_args), &listArgs,
                               XDR(xdr_remote_connect_list_domains_ret), &list), ==, 0);
    g_assert_cmpuint(list.ids.ids_len, ==, num.num);
    for (u_int i = 0; i < list.ids.ids_len; i++)
        found |= list.ids.ids_val[i] == dom.id;
    g_assert_true(found);
    xdr_free(XDR(xdr_remote_connect_list_domains_ret), (char *) &list);
    listArgs.maxids = REMOTE_DOMAIN_LIST_MAX + 1;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_LIST_DOMAINS,
                               XDR(xdr_remote_connect_list_domains_args), &listArgs,
                               XDR(xdr_remote_connect_list_domains_ret), &list), ==, -1);
    virTestAssertError(VIR_ERR_RPC);

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                               XDR(xdr_remote_connect_list_all_domains_args), &allArgs,
                               XDR(xdr_remote_connect_list_all_domains_ret), &all), ==, 0);
    g_assert_cmpuint(all.ret, ==, all.domains.domains_len);
    found = false;
    for (u_int i = 0; i < all.domains.domains_len; i++) {
        if (strcmp(all.domains.domains_val[i].name, "test") == 0) {
            found = true;
            g_assert_cmpmem(all.domains.domains_val[i].uuid, VIR_UUID_BUFLEN,
                            uuid, VIR_UUID_BUFLEN);
        }
    }
    g_assert_true(found);
    xdr_free(XDR(xdr_remote_connect_list_all_domains_ret), (char *) &all);
    allArgs.need_results = 0;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                               XDR(xdr_remote_connect_list_all_domains_args), &allArgs,
                               XDR(xdr_remote_connect_list_all_domains_ret), &all), ==, 0);
    g_assert_cmpuint(all.domains.domains_len, ==, 0);
    g_assert_cmpuint(all.ret, >=, 1);
    xdr_free(XDR(xdr_remote_connect_list_all_domains_ret), (char *) &all);

    byIdArgs.id = dom.id;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
                               XDR(xdr_remote_domain_lookup_by_id_args), &byIdArgs,
                               XDR(xdr_remote_domain_lookup_by_id_ret), &byId), ==, 0);
    g_assert_cmpstr(byId.dom.name, ==, "test");
    domClear(&byId.dom);
    memcpy(byUUIDArgs.uuid, uuid, VIR_UUID_BUFLEN);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID,
                               XDR(xdr_remote_domain_lookup_by_uuid_args), &byUUIDArgs,
                               XDR(xdr_remote_domain_lookup_by_uuid_ret), &byUUID), ==, 0);
    g_assert_cmpstr(byUUID.dom.name, ==, "test");
    g_assert_cmpint(byUUID.dom.id, ==, dom.id);
    domClear(&byUUID.dom);

    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_RUNNING);
    infoArgs.dom = dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_INFO,
                               XDR(xdr_remote_domain_get_info_args), &infoArgs,
                               XDR(xdr_remote_domain_get_info_ret), &info), ==, 0);
    g_assert_cmpuint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpuint(info.maxMem, ==, 8388608);
    g_assert_cmpuint(info.memory, ==, 2097152);
    g_assert_cmpuint(info.nrVirtCpu, ==, 2);
    xmlArgs.dom = dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_XML_DESC,
                               XDR(xdr_remote_domain_get_xml_desc_args), &xmlArgs,
                               XDR(xdr_remote_domain_get_xml_desc_ret), &xml), ==, 0);
    g_assert_nonnull(strstr(xml.xml, "<name>test</name>"));
    g_assert_nonnull(strstr(xml.xml, TEST_UUID));
    xdr_free(XDR(xdr_remote_domain_get_xml_desc_ret), (char *) &xml);
    osArgs.dom = dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_OS_TYPE,
                               XDR(xdr_remote_domain_get_os_type_args), &osArgs,
                               XDR(xdr_remote_domain_get_os_type_ret), &os), ==, 0);
    g_assert_cmpstr(os.type, ==, "hvm");
    xdr_free(XDR(xdr_remote_domain_get_os_type_ret), (char *) &os);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_IS_ACTIVE,
                               XDR(xdr_remote_domain_is_active_args), &osArgs,
                               XDR(xdr_remote_domain_is_active_ret), &active), ==, 0);
    g_assert_cmpint(active.active, ==, 1);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_IS_PERSISTENT,
                               XDR(xdr_remote_domain_is_persistent_args), &osArgs,
                               XDR(xdr_remote_domain_is_persistent_ret), &persistent), ==, 0);
    g_assert_cmpint(persistent.persistent, ==, 1);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_AUTOSTART,
                               XDR(xdr_remote_domain_get_autostart_args), &osArgs,
                               XDR(xdr_remote_domain_get_autostart_ret), &autostart), ==, 0);
    g_assert_cmpint(autostart.autostart, ==, 0);
    msArgs.dom = dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
                               XDR(xdr_remote_domain_has_managed_save_image_args), &msArgs,
                               XDR(xdr_remote_domain_has_managed_save_image_ret), &ms), ==, 0);
    g_assert_cmpint(ms.result, ==, 0);
    msgArgs.dom = dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_MESSAGES,
                               XDR(xdr_remote_domain_get_messages_args), &msgArgs,
                               XDR(xdr_remote_domain_get_messages_ret), &msgs), ==, 0);
    g_assert_cmpuint(msgs.msgs.msgs_len, ==, 0);

    domClear(&dom);
    clientFree(c);
}

static void
testLifecycle(void)
{
    Client *c = clientNew(server.rwPath, "qemu:///system", 0);
    remote_nonnull_domain dom = { 0 };
    remote_connect_num_of_defined_domains_ret ndef = { 0 };
    remote_connect_list_defined_domains_args defArgs = { 10 };
    remote_connect_list_defined_domains_ret def = { 0 };
    remote_domain_create_with_flags_args cwf = { { 0 }, 0 };
    remote_domain_create_with_flags_ret cwfRet = { 0 };
    remote_domain_destroy_flags_args dfl = { { 0 }, 0 };
    remote_domain_undefine_flags_args ufl = { { 0 }, 0 };
    remote_domain_define_xml_flags_args dxf = { NULL, 0 };
    remote_domain_define_xml_flags_ret dxfRet = { 0 };
    remote_domain_create_xml_args cx = { NULL, 0 };
    remote_domain_create_xml_ret cxRet = { 0 };
    g_autofree char *xml2 = domainXML("rdt-life-2");
    g_autofree char *xml3 = domainXML("rdt-life-3");
    bool found = false;

    define(c, "rdt-life", &dom);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, NULL, NULL,
                               XDR(xdr_remote_connect_num_of_defined_domains_ret), &ndef), ==, 0);
    g_assert_cmpint(ndef.num, >=, 1);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
                               XDR(xdr_remote_connect_list_defined_domains_args), &defArgs,
                               XDR(xdr_remote_connect_list_defined_domains_ret), &def), ==, 0);
    for (u_int i = 0; i < def.names.names_len; i++)
        found |= strcmp(def.names.names_val[i], "rdt-life") == 0;
    g_assert_true(found);
    xdr_free(XDR(xdr_remote_connect_list_defined_domains_ret), (char *) &def);
    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_SHUTOFF);

    /* Started: the reply carries the id it runs with. */
    cwf.dom = dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS,
                               XDR(xdr_remote_domain_create_with_flags_args), &cwf,
                               XDR(xdr_remote_domain_create_with_flags_ret), &cwfRet), ==, 0);
    g_assert_cmpint(cwfRet.dom.id, >, 0);
    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_SUSPEND, &dom), ==, 0);
    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_PAUSED);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_RESUME, &dom), ==, 0);
    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_DESTROY, &dom), ==, 0);
    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_CREATE, &dom), ==, 0);
    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_RUNNING);
    dfl.dom = dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_DESTROY_FLAGS,
                               XDR(xdr_remote_domain_destroy_flags_args), &dfl,
                               NULL, NULL), ==, 0);
    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_UNDEFINE, &dom), ==, 0);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_CREATE, &dom), ==, -1);
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    domClear(&dom);
    domClear(&cwfRet.dom);

    /* The flag variants of define and undefine. */
    dxf.xml = xml2;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS,
                               XDR(xdr_remote_domain_define_xml_flags_args), &dxf,
                               XDR(xdr_remote_domain_define_xml_flags_ret), &dxfRet), ==, 0);
    g_assert_cmpstr(dxfRet.dom.name, ==, "rdt-life-2");
    ufl.dom = dxfRet.dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS,
                               XDR(xdr_remote_domain_undefine_flags_args), &ufl,
                               NULL, NULL), ==, 0);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS,
                               XDR(xdr_remote_domain_undefine_flags_args), &ufl,
                               NULL, NULL), ==, -1);
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    domClear(&dxfRet.dom);

    /* A transient domain: gone once destroyed. */
    cx.xml_desc = xml3;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_CREATE_XML,
                               XDR(xdr_remote_domain_create_xml_args), &cx,
                               XDR(xdr_remote_domain_create_xml_ret), &cxRet), ==, 0);
    g_assert_cmpint(cxRet.dom.id, >, 0);
    g_assert_cmpint(getState(c, &cxRet.dom), ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_DESTROY, &cxRet.dom), ==, 0);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_DESTROY, &cxRet.dom), ==, -1);
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    domClear(&cxRet.dom);
    clientFree(c);
}

/* An error comes back whole: the code, domain and message the library
 * reports for the same call made locally. */
static void
testErrors(void)
{
    Client *c = clientNew(server.rwPath, "qemu:///system", 0);
    virConnectPtr local = virConnectOpen(SYSTEM_URI);
    remote_domain_lookup_by_name_args args = { (char *) "no-such-domain" };
    remote_domain_lookup_by_name_ret ret = { 0 };
    remote_nonnull_domain dom = { 0 };
    remote_domain_get_block_job_info_args jobArgs = { { 0 }, (char *) "vda", 0 };
    remote_domain_get_block_job_info_ret job = { 0 };
    remote_connect_domain_event_callback_deregister_any_args dereg = { 424242 };
    virErrorPtr want;
    virErrorPtr got;

    g_assert_nonnull(local);
    g_assert_null(virDomainLookupByName(local, "no-such-domain"));
    want = virSaveLastError();
    g_assert_nonnull(want);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                               XDR(xdr_remote_domain_lookup_by_name_args), &args,
                               XDR(xdr_remote_domain_lookup_by_name_ret), &ret), ==, -1);
    got = virGetLastError();
    g_assert_nonnull(got);
    g_assert_cmpint(got->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(got->code, ==, want->code);
    g_assert_cmpint(got->domain, ==, want->domain);
    g_assert_cmpstr(got->message, ==, want->message);
    g_assert_nonnull(strstr(got->message, "no-such-domain"));
    virFreeError(want);

    /* A call the test driver lacks: libvirt's "not supported". */
    lookup(c, "test", &dom);
    jobArgs.dom = dom;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO,
                               XDR(xdr_remote_domain_get_block_job_info_args), &jobArgs,
                               XDR(xdr_remote_domain_get_block_job_info_ret), &job), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);

    /* A bad XML: the parser's error, not a generic one. */
    {
        remote_domain_define_xml_args bad = { (char *) "<domain type='qemu'><name>x" };
        remote_domain_define_xml_ret badRet = { 0 };

        g_assert_null(virDomainDefineXML(local, bad.xml));
        want = virSaveLastError();
        g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_DEFINE_XML,
                                   XDR(xdr_remote_domain_define_xml_args), &bad,
                                   XDR(xdr_remote_domain_define_xml_ret), &badRet), ==, -1);
        got = virGetLastError();
        g_assert_cmpint(got->code, ==, want->code);
        g_assert_cmpint(got->domain, ==, want->domain);
        g_assert_cmpstr(got->message, ==, want->message);
        virFreeError(want);
    }

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                               XDR(xdr_remote_connect_domain_event_callback_deregister_any_args),
                               &dereg, NULL, NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_REMOTE, VIR_ERR_INVALID_ARG, "424242", NULL);

    domClear(&dom);
    virConnectClose(local);
    clientFree(c);
}

/* Arguments no libvirt client sends: refused with an error, the client
 * and the server unharmed. */
static int registerAny(Client *c, int eventID, remote_nonnull_domain *dom);

static void
testHostileArgs(void)
{
    Client *c = clientNew(server.rwPath, "qemu:///system", 0);
    remote_connect_list_domains_args listArgs = { -1 };
    remote_connect_list_domains_ret list = { 0 };
    remote_connect_list_defined_domains_args defArgs = { -7 };
    remote_connect_list_defined_domains_ret def = { 0 };
    remote_domain_lookup_by_id_args byId = { -5 };
    remote_domain_lookup_by_id_ret byIdRet = { 0 };
    remote_nonnull_domain ghost = { .name = (char *) "ghost", .id = 77 };
    remote_domain_get_state_args state = { { 0 }, 0xffffffff };
    remote_domain_get_state_ret stateRet = { 0 };
    remote_domain_get_xml_desc_args xmlArgs = { { 0 }, 0 };
    remote_domain_get_xml_desc_ret xml = { 0 };
    remote_connect_list_all_domains_args allArgs = { 1, 0x80000000 };
    remote_connect_list_all_domains_ret all = { 0 };
    remote_connect_num_of_domains_ret num = { 0 };

    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_LIST_DOMAINS,
                               XDR(xdr_remote_connect_list_domains_args), &listArgs,
                               XDR(xdr_remote_connect_list_domains_ret), &list), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
                               XDR(xdr_remote_connect_list_defined_domains_args), &defArgs,
                               XDR(xdr_remote_connect_list_defined_domains_ret), &def), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
                               XDR(xdr_remote_domain_lookup_by_id_args), &byId,
                               XDR(xdr_remote_domain_lookup_by_id_ret), &byIdRet), ==, -1);
    g_assert_nonnull(virGetLastError());
    /* A domain handle that names nothing. */
    memset(ghost.uuid, 0xee, VIR_UUID_BUFLEN);
    xmlArgs.dom = ghost;
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_XML_DESC,
                               XDR(xdr_remote_domain_get_xml_desc_args), &xmlArgs,
                               XDR(xdr_remote_domain_get_xml_desc_ret), &xml), ==, -1);
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(registerAny(c, -1, NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(registerAny(c, VIR_DOMAIN_EVENT_ID_LIFECYCLE, &ghost), ==, -1);
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    /* Unknown flags. */
    lookup(c, "test", &state.dom);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_GET_STATE,
                               XDR(xdr_remote_domain_get_state_args), &state,
                               XDR(xdr_remote_domain_get_state_ret), &stateRet), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                               XDR(xdr_remote_connect_list_all_domains_args), &allArgs,
                               XDR(xdr_remote_connect_list_all_domains_ret), &all), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);

    /* Still served. */
    g_assert_cmpint(remoteCall(c, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, NULL, NULL,
                               XDR(xdr_remote_connect_num_of_domains_ret), &num), ==, 0);
    g_assert_cmpint(num.num, >=, 1);
    domClear(&state.dom);
    clientFree(c);
}

/* ------------------------------------------------------------------ */
/* Read-only                                                            */

typedef struct {
    const char *name;
    unsigned int prog;
    int proc;
    xdrproc_t argsFilter;
    void *args;
    xdrproc_t retFilter;
    int expect;             /* 0: succeeds; else the error code */
} ROCase;

/* Every procedure, on a read-only connection: the ones that change
 * anything are refused, the others work (or fail as they would on a
 * read-write one). */
static void
runReadOnly(Client *c, bool mutatingOnly)
{
    remote_nonnull_domain dom = { 0 };
    g_autofree char *xml = domainXML("rdt-ro");
    char *path = (char *) "vda";
    char *base = (char *) "/base.img";
    remote_domain_create_args domArgs = { { 0 } };
    remote_domain_destroy_flags_args domFlags = { { 0 }, 0 };
    remote_domain_get_xml_desc_args secureXML = { { 0 }, 1 /* SECURE */ };
    remote_domain_create_xml_args createXML = { xml, 0 };
    remote_domain_define_xml_args defineXML = { xml };
    remote_domain_define_xml_flags_args defineFlags = { xml, 0 };
    remote_domain_block_job_abort_args job = { { 0 }, path, 0 };
    remote_domain_block_job_set_speed_args speed = { { 0 }, path, 1, 0 };
    remote_domain_block_pull_args pull = { { 0 }, path, 0, 0 };
    remote_domain_block_rebase_args rebase = { { 0 }, path, &base, 0, 0 };
    qemu_domain_monitor_command_args monitor = { { 0 }, (char *) "{\"execute\":\"stop\"}", 0 };
    bp_domain_block_pull_args bp = { { 0 }, path, 0 };
    remote_connect_list_domains_args listArgs = { 10 };
    remote_connect_list_all_domains_args allArgs = { 1, 0 };
    remote_domain_lookup_by_name_args byName = { (char *) "test" };
    /* The mutating ones first. */
    const ROCase cases[] = {
        { "create", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CREATE,
          XDR(xdr_remote_domain_create_args), &domArgs, NULL, VIR_ERR_OPERATION_DENIED },
        { "create-xml", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CREATE_XML,
          XDR(xdr_remote_domain_create_xml_args), &createXML,
          XDR(xdr_remote_domain_create_xml_ret), VIR_ERR_OPERATION_DENIED },
        { "define-xml", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML,
          XDR(xdr_remote_domain_define_xml_args), &defineXML,
          XDR(xdr_remote_domain_define_xml_ret), VIR_ERR_OPERATION_DENIED },
        { "destroy", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY,
          XDR(xdr_remote_domain_destroy_args), &domArgs, NULL, VIR_ERR_OPERATION_DENIED },
        { "get-xml-desc SECURE", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_XML_DESC,
          XDR(xdr_remote_domain_get_xml_desc_args), &secureXML,
          XDR(xdr_remote_domain_get_xml_desc_ret), VIR_ERR_OPERATION_DENIED },
        { "resume", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_RESUME,
          XDR(xdr_remote_domain_resume_args), &domArgs, NULL, VIR_ERR_OPERATION_DENIED },
        { "suspend", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SUSPEND,
          XDR(xdr_remote_domain_suspend_args), &domArgs, NULL, VIR_ERR_OPERATION_DENIED },
        { "undefine", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_UNDEFINE,
          XDR(xdr_remote_domain_undefine_args), &domArgs, NULL, VIR_ERR_OPERATION_DENIED },
        { "create-with-flags", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS,
          XDR(xdr_remote_domain_create_with_flags_args), &domFlags,
          XDR(xdr_remote_domain_create_with_flags_ret), VIR_ERR_OPERATION_DENIED },
        { "undefine-flags", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS,
          XDR(xdr_remote_domain_undefine_flags_args), &domFlags, NULL,
          VIR_ERR_OPERATION_DENIED },
        { "destroy-flags", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY_FLAGS,
          XDR(xdr_remote_domain_destroy_flags_args), &domFlags, NULL,
          VIR_ERR_OPERATION_DENIED },
        { "block-job-abort", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT,
          XDR(xdr_remote_domain_block_job_abort_args), &job, NULL,
          VIR_ERR_OPERATION_DENIED },
        { "block-job-set-speed", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED,
          XDR(xdr_remote_domain_block_job_set_speed_args), &speed, NULL,
          VIR_ERR_OPERATION_DENIED },
        { "block-pull", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_PULL,
          XDR(xdr_remote_domain_block_pull_args), &pull, NULL, VIR_ERR_OPERATION_DENIED },
        { "block-rebase", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_REBASE,
          XDR(xdr_remote_domain_block_rebase_args), &rebase, NULL,
          VIR_ERR_OPERATION_DENIED },
        { "define-xml-flags", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS,
          XDR(xdr_remote_domain_define_xml_flags_args), &defineFlags,
          XDR(xdr_remote_domain_define_xml_flags_ret), VIR_ERR_OPERATION_DENIED },
        { "qemu-monitor-command", QEMU_PROGRAM, QEMU_PROC_DOMAIN_MONITOR_COMMAND,
          XDR(xdr_qemu_domain_monitor_command_args), &monitor,
          XDR(xdr_qemu_domain_monitor_command_ret), VIR_ERR_OPERATION_DENIED },
        { "bp-block-pull", BP_PROGRAM, BP_PROC_DOMAIN_BLOCK_PULL,
          XDR(xdr_bp_domain_block_pull_args), &bp,
          XDR(xdr_bp_domain_block_pull_ret), VIR_ERR_OPERATION_DENIED },
        { "bp-block-pull-all", BP_PROGRAM, BP_PROC_DOMAIN_BLOCK_PULL_ALL,
          XDR(xdr_bp_domain_block_pull_all_args), &bp, NULL, VIR_ERR_OPERATION_DENIED },
        { "bp-block-pull-abort", BP_PROGRAM, BP_PROC_DOMAIN_BLOCK_PULL_ABORT,
          XDR(xdr_bp_domain_block_pull_abort_args), &bp, NULL, VIR_ERR_OPERATION_DENIED },
        /* Queries: allowed. */
        { "get-xml-desc", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_XML_DESC,
          XDR(xdr_remote_domain_get_xml_desc_args), &domFlags,
          XDR(xdr_remote_domain_get_xml_desc_ret), 0 },
        { "get-state", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_STATE,
          XDR(xdr_remote_domain_get_state_args), &domFlags,
          XDR(xdr_remote_domain_get_state_ret), 0 },
        { "get-info", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_INFO,
          XDR(xdr_remote_domain_get_info_args), &domArgs,
          XDR(xdr_remote_domain_get_info_ret), 0 },
        { "get-os-type", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_OS_TYPE,
          XDR(xdr_remote_domain_get_os_type_args), &domArgs,
          XDR(xdr_remote_domain_get_os_type_ret), 0 },
        { "get-autostart", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_AUTOSTART,
          XDR(xdr_remote_domain_get_autostart_args), &domArgs,
          XDR(xdr_remote_domain_get_autostart_ret), 0 },
        { "is-active", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_IS_ACTIVE,
          XDR(xdr_remote_domain_is_active_args), &domArgs,
          XDR(xdr_remote_domain_is_active_ret), 0 },
        { "is-persistent", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_IS_PERSISTENT,
          XDR(xdr_remote_domain_is_persistent_args), &domArgs,
          XDR(xdr_remote_domain_is_persistent_ret), 0 },
        { "has-managed-save", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
          XDR(xdr_remote_domain_has_managed_save_image_args), &domFlags,
          XDR(xdr_remote_domain_has_managed_save_image_ret), 0 },
        { "get-security-label", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL,
          XDR(xdr_remote_domain_get_security_label_args), &domArgs,
          XDR(xdr_remote_domain_get_security_label_ret), 0 },
        { "get-messages", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_MESSAGES,
          XDR(xdr_remote_domain_get_messages_args), &domFlags,
          XDR(xdr_remote_domain_get_messages_ret), 0 },
        { "list-domains", REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_DOMAINS,
          XDR(xdr_remote_connect_list_domains_args), &listArgs,
          XDR(xdr_remote_connect_list_domains_ret), 0 },
        { "list-defined-domains", REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
          XDR(xdr_remote_connect_list_defined_domains_args), &listArgs,
          XDR(xdr_remote_connect_list_defined_domains_ret), 0 },
        { "num-of-domains", REMOTE_PROGRAM, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS,
          NULL, NULL, XDR(xdr_remote_connect_num_of_domains_ret), 0 },
        { "num-of-defined-domains", REMOTE_PROGRAM,
          REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS,
          NULL, NULL, XDR(xdr_remote_connect_num_of_defined_domains_ret), 0 },
        { "list-all-domains", REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
          XDR(xdr_remote_connect_list_all_domains_args), &allArgs,
          XDR(xdr_remote_connect_list_all_domains_ret), 0 },
        { "lookup-by-name", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
          XDR(xdr_remote_domain_lookup_by_name_args), &byName,
          XDR(xdr_remote_domain_lookup_by_name_ret), 0 },
        { "get-type", REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_TYPE,
          NULL, NULL, XDR(xdr_remote_connect_get_type_ret), 0 },
        { "get-hostname", REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
          NULL, NULL, XDR(xdr_remote_connect_get_hostname_ret), 0 },
        { "get-capabilities", REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_CAPABILITIES,
          NULL, NULL, XDR(xdr_remote_connect_get_capabilities_ret), 0 },
        { "node-get-info", REMOTE_PROGRAM, REMOTE_PROC_NODE_GET_INFO,
          NULL, NULL, XDR(xdr_remote_node_get_info_ret), 0 },
        /* Reads the test driver does not have: not supported, not denied. */
        { "get-block-job-info", REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO,
          XDR(xdr_remote_domain_get_block_job_info_args), &job,
          XDR(xdr_remote_domain_get_block_job_info_ret), VIR_ERR_NO_SUPPORT },
        { "bp-get-block-pull-info", BP_PROGRAM, BP_PROC_DOMAIN_GET_BLOCK_PULL_INFO,
          XDR(xdr_bp_domain_get_block_pull_info_args), &bp,
          XDR(xdr_bp_domain_get_block_pull_info_ret), VIR_ERR_NO_SUPPORT },
    };

    lookup(c, "test", &dom);
    domArgs.dom = domFlags.dom = secureXML.dom = job.dom = speed.dom = dom;
    pull.dom = rebase.dom = monitor.dom = bp.dom = dom;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ROCase *rc = &cases[i];
        char ret[1024] = { 0 };
        int rv;

        if (mutatingOnly && rc->expect != VIR_ERR_OPERATION_DENIED)
            continue;
        g_test_message("read-only: %s", rc->name);
        rv = clientCall(c, rc->prog, rc->proc, rc->argsFilter, rc->args,
                        rc->retFilter, ret);
        if (rc->expect == 0) {
            if (rv < 0)
                g_error("read-only %s failed: %s", rc->name,
                        virGetLastError() ? virGetLastError()->message : "?");
            xdr_free(rc->retFilter, ret);
        } else {
            g_assert_cmpint(rv, ==, -1);
            virTestAssertError(rc->expect);
        }
    }

    /* Nothing changed. */
    g_assert_cmpint(getState(c, &dom), ==, VIR_DOMAIN_RUNNING);
    {
        remote_domain_lookup_by_name_args ro = { (char *) "rdt-ro" };
        remote_domain_lookup_by_name_ret roRet = { 0 };

        g_assert_cmpint(remoteCall(c, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                   XDR(xdr_remote_domain_lookup_by_name_args), &ro,
                                   XDR(xdr_remote_domain_lookup_by_name_ret), &roRet), ==, -1);
        virTestAssertError(VIR_ERR_NO_DOMAIN);
    }
    domClear(&dom);
}

static void
testReadOnlySocket(void)
{
    Client *c = clientNew(server.roPath, "qemu:///system", 0);

    runReadOnly(c, false);
    clientFree(c);
}

/* A read-write socket, but the client asked for read-only. */
static void
testReadOnlyFlag(void)
{
    Client *c = clientNew(server.rwPath, "qemu:///system", VIR_CONNECT_RO);

    runReadOnly(c, true);
    clientFree(c);
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

static int
registerAny(Client *c, int eventID, remote_nonnull_domain *dom)
{
    remote_connect_domain_event_callback_register_any_args args = { eventID, dom };
    remote_connect_domain_event_callback_register_any_ret ret = { -1 };

    if (remoteCall(c, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                   XDR(xdr_remote_connect_domain_event_callback_register_any_args), &args,
                   XDR(xdr_remote_connect_domain_event_callback_register_any_ret), &ret) < 0)
        return -1;
    g_assert_cmpint(ret.callbackID, >=, 0);
    return ret.callbackID;
}

static int
deregisterAny(Client *c, int id)
{
    remote_connect_domain_event_callback_deregister_any_args args = { id };

    return remoteCall(c, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                      XDR(xdr_remote_connect_domain_event_callback_deregister_any_args),
                      &args, NULL, NULL);
}

static void
testEvents(void)
{
    /* The listener is read-only: events are queries. */
    Client *listener = clientNew(server.roPath, "qemu:///system", 0);
    Client *actor = clientNew(server.rwPath, "qemu:///system", 0);
    remote_nonnull_domain dom = { 0 };
    remote_nonnull_domain testDom = { 0 };
    g_autofree char *want = NULL;
    int all, one, pull, job, job2;
    guint n;

    all = registerAny(listener, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL);
    g_assert_cmpint(all, >=, 0);
    /* Every kind is accepted, each with an id of its own. */
    pull = registerAny(listener, VIR_DOMAIN_EVENT_ID_BLOCK_PULL, NULL);
    job = registerAny(listener, VIR_DOMAIN_EVENT_ID_BLOCK_JOB, NULL);
    lookup(listener, "test", &testDom);
    job2 = registerAny(listener, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, &testDom);
    g_assert_cmpint(pull, >=, 0);
    g_assert_cmpint(job, >=, 0);
    g_assert_cmpint(job2, >=, 0);
    g_assert_cmpint(pull, !=, all);
    g_assert_cmpint(job, !=, pull);
    g_assert_cmpint(job2, !=, job);
    g_assert_cmpint(registerAny(listener, 4242, NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);

    /* Events of the actor's calls reach the listener, in order, with the
     * id its registration was answered. */
    define(actor, "rdt-ev", &dom);
    g_assert_cmpint(domCall(actor, REMOTE_PROC_DOMAIN_CREATE, &dom), ==, 0);
    g_assert_cmpint(domCall(actor, REMOTE_PROC_DOMAIN_SUSPEND, &dom), ==, 0);
    clientWaitEvents(listener, 3);
    want = g_strdup_printf("lifecycle %d rdt-ev %d %d", all, VIR_DOMAIN_EVENT_DEFINED,
                           VIR_DOMAIN_EVENT_DEFINED_ADDED);
    g_assert_cmpstr(clientEventAt(listener, 0), ==, want);
    g_free(want);
    want = g_strdup_printf("lifecycle %d rdt-ev %d %d", all, VIR_DOMAIN_EVENT_STARTED,
                           VIR_DOMAIN_EVENT_STARTED_BOOTED);
    g_assert_cmpstr(clientEventAt(listener, 1), ==, want);
    g_free(want);
    want = g_strdup_printf("lifecycle %d rdt-ev %d %d", all, VIR_DOMAIN_EVENT_SUSPENDED,
                           VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    g_assert_cmpstr(clientEventAt(listener, 2), ==, want);
    g_clear_pointer(&want, g_free);

    /* A registration for one domain only; the one for all dropped: the
     * next event comes once, with the new id. */
    one = registerAny(listener, VIR_DOMAIN_EVENT_ID_LIFECYCLE, &dom);
    g_assert_cmpint(one, >=, 0);
    g_assert_cmpint(one, !=, all);
    g_assert_cmpint(deregisterAny(listener, all), ==, 0);
    g_assert_cmpint(deregisterAny(listener, all), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    n = clientEventCount(listener);
    g_assert_cmpint(domCall(actor, REMOTE_PROC_DOMAIN_DESTROY, &dom), ==, 0);
    clientWaitEvents(listener, n + 1);
    want = g_strdup_printf("lifecycle %d rdt-ev %d %d", one, VIR_DOMAIN_EVENT_STOPPED,
                           VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    g_assert_cmpstr(clientEventAt(listener, n), ==, want);
    g_clear_pointer(&want, g_free);

    /* Events of another domain do not reach the per-domain callback;
     * the actor's own undefine of rdt-ev does, after them. */
    g_assert_cmpint(domCall(actor, REMOTE_PROC_DOMAIN_SUSPEND, &testDom), ==, 0);
    g_assert_cmpint(domCall(actor, REMOTE_PROC_DOMAIN_RESUME, &testDom), ==, 0);
    g_assert_cmpint(domCall(actor, REMOTE_PROC_DOMAIN_UNDEFINE, &dom), ==, 0);
    clientWaitEvents(listener, n + 2);
    want = g_strdup_printf("lifecycle %d rdt-ev %d %d", one, VIR_DOMAIN_EVENT_UNDEFINED,
                           VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    g_assert_cmpstr(clientEventAt(listener, n + 1), ==, want);
    g_assert_cmpuint(clientEventCount(listener), ==, n + 2);

    g_assert_cmpint(deregisterAny(listener, one), ==, 0);
    g_assert_cmpint(deregisterAny(listener, pull), ==, 0);
    domClear(&dom);
    domClear(&testDom);
    clientFree(actor);
    clientFree(listener);
}

static bool
domainGone(void *opaque)
{
    const char *name = opaque;
    virConnectPtr local = virConnectOpen(SYSTEM_URI);
    virDomainPtr dom;
    bool gone;

    g_assert_nonnull(local);
    dom = virDomainLookupByName(local, name);
    gone = dom == NULL;
    if (dom)
        virDomainFree(dom);
    virConnectClose(local);
    return gone;
}

static bool
noClients(void *opaque G_GNUC_UNUSED)
{
    return virNetServerClientCount(server.srv) == 0;
}

/* A client that goes away (without closing its connection) loses its
 * connection and its registrations: the test driver, whose state lasts
 * while a connection is open, forgets what it defined; and an event that
 * comes while the client goes crashes nothing. */
static void
testClientGone(void)
{
    Client *c = clientNew(server.rwPath, "qemu:///system", 0);
    Client *other;
    remote_nonnull_domain dom = { 0 };

    define(c, "rdt-gone", &dom);
    g_assert_cmpint(registerAny(c, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL), >=, 0);
    g_assert_cmpint(registerAny(c, VIR_DOMAIN_EVENT_ID_BLOCK_JOB, NULL), >=, 0);
    g_assert_cmpint(domCall(c, REMOTE_PROC_DOMAIN_CREATE, &dom), ==, 0);
    clientFree(c);
    g_assert_true(virTestWaitFor(noClients, NULL, TIMEOUT_MS));
    g_assert_true(virTestWaitFor(domainGone, (void *) "rdt-gone", TIMEOUT_MS));

    /* A fresh client sees the driver's initial state. */
    other = clientNew(server.rwPath, "qemu:///system", 0);
    g_assert_cmpint(registerAny(other, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL), >=, 0);
    {
        remote_domain_lookup_by_name_args args = { (char *) "rdt-gone" };
        remote_domain_lookup_by_name_ret ret = { 0 };

        g_assert_cmpint(remoteCall(other, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                   XDR(xdr_remote_domain_lookup_by_name_args), &args,
                                   XDR(xdr_remote_domain_lookup_by_name_ret), &ret), ==, -1);
        virTestAssertError(VIR_ERR_NO_DOMAIN);
    }
    domClear(&dom);
    clientFree(other);
}

/* ------------------------------------------------------------------ */

static void
serverStart(void)
{
    virNetServerConfig cfg;

    virNetServerConfigDefaults(&cfg);
    cfg.minWorkers = 2;
    cfg.maxWorkers = 4;
    server.dir = virTestMakeDir("remotedispatchtest-XXXXXX");
    server.rwPath = g_build_filename(server.dir, "libvirt-sock", NULL);
    server.roPath = g_build_filename(server.dir, "libvirt-sock-ro", NULL);
    server.srv = virNetServerNew(&cfg);
    g_assert_nonnull(server.srv);
    g_assert_cmpint(remoteDaemonAddPrograms(server.srv, SYSTEM_URI), ==, 0);
    g_assert_cmpint(virNetServerAddUnixSocket(server.srv, server.rwPath, 0700,
                                              (gid_t) -1, false), ==, 0);
    g_assert_cmpint(virNetServerAddUnixSocket(server.srv, server.roPath, 0777,
                                              (gid_t) -1, true), ==, 0);
    g_assert_cmpint(virNetServerStart(server.srv), ==, 0);
}

static void
serverStop(void)
{
    virNetServerStop(server.srv);
    g_assert_cmpuint(virNetServerClientCount(server.srv), ==, 0);
    virNetServerFree(server.srv);
    virTestCleanupDir(server.dir);
    g_free(server.dir);
    g_free(server.rwPath);
    g_free(server.roPath);
}

int
main(int argc, char **argv)
{
    int ret;

    virTestInit(&argc, &argv);
    virTestEventLoopStart();
    serverStart();

    g_test_add_func("/remote/dispatch/handshake", testHandshake);
    g_test_add_func("/remote/dispatch/host", testHost);
    g_test_add_func("/remote/dispatch/open-refused", testOpenRefused);
    g_test_add_func("/remote/dispatch/list-lookup", testListLookup);
    g_test_add_func("/remote/dispatch/lifecycle", testLifecycle);
    g_test_add_func("/remote/dispatch/errors", testErrors);
    g_test_add_func("/remote/dispatch/hostile-args", testHostileArgs);
    g_test_add_func("/remote/dispatch/read-only/socket", testReadOnlySocket);
    g_test_add_func("/remote/dispatch/read-only/flag", testReadOnlyFlag);
    g_test_add_func("/remote/dispatch/events", testEvents);
    g_test_add_func("/remote/dispatch/client-gone", testClientGone);
    ret = g_test_run();
    serverStop();
    return ret;
}
