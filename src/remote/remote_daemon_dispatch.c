/*
 * remote_daemon_dispatch.c: the daemon's side of the remote, QEMU and
 * block pull programs: the per-client state, the connection procedures
 * (open, close, the handshake's queries, host facts), event registration
 * and relaying, and the procedure tables. The domain procedures are in
 * remote_daemon_dispatch_domain.c.
 *
 * Each procedure runs on a worker of the server: it makes the public
 * call on the client's own connection, opened by CONNECT_OPEN (read-only
 * on the read-only socket, or when the client asked for it: the library
 * then refuses every call that changes anything), and the library's error
 * goes back to the client whole.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "remote/remote_daemon_dispatch.h"
#include "remote/remote_daemon_dispatch_priv.h"
#include "datatypes.h"
#include "conf/domain_event.h"
#include "util/virerror.h"
#include "util/virlog.h"
#include "util/viruuid.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

/* libvirt's driver feature numbers a client probes with
 * CONNECT_SUPPORTS_FEATURE (facts of the protocol). */
enum {
    REMOTE_FEATURE_PROGRAM_KEEPALIVE = 10,
    REMOTE_FEATURE_REMOTE_EVENT_CALLBACK = 14,
};

/* The URI a client names the daemon's own QEMU instance with. */
#define REMOTE_SYSTEM_URI "qemu:///system"
#define REMOTE_SESSION_URI "qemu:///session"

/* The name clients give the daemon's instance: one daemon per process. */
static const char *remotePublicURI = REMOTE_SYSTEM_URI;

void
remoteDaemonSetSession(bool session)
{
    remotePublicURI = session ? REMOTE_SESSION_URI : REMOTE_SYSTEM_URI;
}

/* ---- Handles ------------------------------------------------------- */

void
remoteDomainUnrefp(virDomainPtr *dom)
{
    virObjectUnrefDomain(*dom);
    *dom = NULL;
}

void
remoteConnUnrefp(virConnectPtr *conn)
{
    virObjectUnrefConnect(*conn);
    *conn = NULL;
}

virConnectPtr
remoteClientGetConn(virNetServerClient *client)
{
    remoteClient *priv = virNetServerClientGetPrivateData(client);
    virConnectPtr conn = NULL;

    g_mutex_lock(&priv->lock);
    if (priv->conn && virConnectRefIfAlive(priv->conn))
        conn = priv->conn;
    g_mutex_unlock(&priv->lock);
    if (!conn)
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", "connection not open");
    return conn;
}

virDomainPtr
remoteGetDomain(virConnectPtr conn, const remote_nonnull_domain *dom)
{
    char uuid[VIR_UUID_STRING_BUFLEN];

    virUUIDFormat((const unsigned char *) dom->uuid, uuid);
    return virDomainLookupByUUIDString(conn, uuid);
}

void
remoteMakeDomain(remote_nonnull_domain *out, virDomainPtr dom)
{
    out->name = g_strdup(dom->name);
    memcpy(out->uuid, dom->uuid, VIR_UUID_BUFLEN);
    out->id = dom->id;
}

/* ---- The client's state -------------------------------------------- */

/* Drop the client's event registrations and close its connection. */
static void
remoteClientCloseConnLocked(remoteClient *priv)
{
    guint i;

    for (i = 0; i < priv->callbacks->len; i++) {
        int id = g_array_index(priv->callbacks, int, i);

        if (virConnectDomainEventDeregisterAny(priv->conn, id) < 0)
            VIR_WARN("could not deregister event callback %d of a client", id);
    }
    g_array_set_size(priv->callbacks, 0);
    if (priv->conn)
        virConnectClose(priv->conn);
    priv->conn = NULL;
    g_clear_pointer(&priv->uri, g_free);
}

static void *
remoteClientNew(virNetServerClient *client, void *opaque)
{
    remoteClient *priv = g_new0(remoteClient, 1);

    g_mutex_init(&priv->lock);
    priv->client = client;
    priv->systemURI = opaque;
    priv->callbacks = g_array_new(FALSE, FALSE, sizeof(int));
    return priv;
}

static void
remoteClientFree(void *opaque)
{
    remoteClient *priv = opaque;

    if (!priv)
        return;
    g_mutex_lock(&priv->lock);
    remoteClientCloseConnLocked(priv);
    g_mutex_unlock(&priv->lock);
    g_array_unref(priv->callbacks);
    g_mutex_clear(&priv->lock);
    g_free(priv);
}

/* ---- Connection procedures ----------------------------------------- */

static int
remoteDispatchConnectOpen(virNetServer *server G_GNUC_UNUSED,
                          virNetServerClient *client,
                          const virNetMessageHeader *header G_GNUC_UNUSED,
                          virNetMessageError *rerr,
                          void *opaque, void *ret G_GNUC_UNUSED)
{
    remote_connect_open_args *args = opaque;
    remoteClient *priv = virNetServerClientGetPrivateData(client);
    const char *name = args->name ? *args->name : NULL;
    const char *uri;
    bool readonly;
    virConnectPtr conn;

    g_mutex_lock(&priv->lock);
    if (priv->conn) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", "connection already open");
        goto error;
    }
    if (args->flags & ~(unsigned int)(VIR_CONNECT_RO | VIR_CONNECT_NO_ALIASES)) {
        virReportError(VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) to open '%s'",
                       args->flags, name ? name : "");
        goto error;
    }
    if (!name || !*name || strcmp(name, remotePublicURI) == 0) {
        uri = priv->systemURI;
        name = remotePublicURI;
    } else if (g_str_has_prefix(name, "test:///")) {
        uri = name;
    } else {
        virReportError(VIR_ERR_NO_CONNECT,
                       "the daemon does not open '%s': it serves '%s' and "
                       "test:/// URIs only",
                       name, remotePublicURI);
        goto error;
    }

    readonly = virNetServerClientIsReadonly(client) || (args->flags & VIR_CONNECT_RO);
    VIR_DEBUG("client opens '%s' as '%s'%s", name, uri, readonly ? " read-only" : "");
    conn = readonly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
    if (!conn)
        goto error;
    /* Each of the client's registrations is one here, with its event's one
     * relay function: the remote driver registers each of its callbacks
     * apart (a new block pull callback is told the outcomes held for it),
     * so one function may be registered several times for one event. */
    conn->eventsByOpaque = true;
    priv->conn = conn;
    priv->uri = g_strdup(name);
    g_mutex_unlock(&priv->lock);
    virNetServerClientSetOpen(client);
    return 0;

 error:
    virNetMessageSaveError(rerr);
    g_mutex_unlock(&priv->lock);
    return -1;
}

/* The client is done with its connection; the socket closes after. */
static int
remoteDispatchConnectClose(virNetServer *server G_GNUC_UNUSED,
                           virNetServerClient *client,
                           const virNetMessageHeader *header G_GNUC_UNUSED,
                           virNetMessageError *rerr G_GNUC_UNUSED,
                           void *args G_GNUC_UNUSED, void *ret G_GNUC_UNUSED)
{
    remoteClient *priv = virNetServerClientGetPrivateData(client);

    g_mutex_lock(&priv->lock);
    remoteClientCloseConnLocked(priv);
    g_mutex_unlock(&priv->lock);
    return 0;
}

static int
remoteDispatchConnectSupportsFeature(virNetServer *server G_GNUC_UNUSED,
                                     virNetServerClient *client,
                                     const virNetMessageHeader *header G_GNUC_UNUSED,
                                     virNetMessageError *rerr,
                                     void *opaque, void *opaqueRet)
{
    remote_connect_supports_feature_args *args = opaque;
    remote_connect_supports_feature_ret *ret = opaqueRet;
    REMOTE_AUTO_CONN virConnectPtr conn = NULL;

    /* Asked before the connection is open: the client will answer our
     * keepalive pings, so we may send them. */
    if (args->feature == REMOTE_FEATURE_PROGRAM_KEEPALIVE) {
        virNetServerClientStartKeepAlive(client);
        ret->supported = 1;
        return 0;
    }
    /* A client of ours: BP_PROGRAM's event may be sent to it. */
    if (args->feature == BP_FEATURE_PROGRAM) {
        remoteClient *priv = virNetServerClientGetPrivateData(client);

        g_mutex_lock(&priv->lock);
        priv->bpAware = true;
        g_mutex_unlock(&priv->lock);
        ret->supported = 1;
        return 0;
    }
    if (!(conn = remoteClientGetConn(client))) {
        virNetMessageSaveError(rerr);
        return -1;
    }
    /* Events are registered per callback (316/317), filtered here. Close
     * callbacks, fd passing, migration and typed string parameters are
     * not served. */
    ret->supported = args->feature == REMOTE_FEATURE_REMOTE_EVENT_CALLBACK;
    return 0;
}

static int
remoteDispatchAuthList(virNetServer *server G_GNUC_UNUSED,
                       virNetServerClient *client G_GNUC_UNUSED,
                       const virNetMessageHeader *header G_GNUC_UNUSED,
                       virNetMessageError *rerr G_GNUC_UNUSED,
                       void *args G_GNUC_UNUSED, void *opaqueRet)
{
    remote_auth_list_ret *ret = opaqueRet;

    /* Unix socket permissions are the access control: no authentication. */
    ret->types.types_val = g_new0(remote_auth_type, 1);
    ret->types.types_val[0] = REMOTE_AUTH_NONE;
    ret->types.types_len = 1;
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectGetType, void, remote_connect_get_type_ret)
{
    const char *type = virConnectGetType(conn);

    (void)args;
    if (!type)
        return -1;
    ret->type = g_strdup(type);
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectGetVersion, void, remote_connect_get_version_ret)
{
    unsigned long ver = 0;

    (void)args;
    if (virConnectGetVersion(conn, &ver) < 0)
        return -1;
    ret->hv_ver = ver;
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectGetLibVersion, void, remote_connect_get_lib_version_ret)
{
    unsigned long ver = 0;

    (void)args;
    if (virConnectGetLibVersion(conn, &ver) < 0)
        return -1;
    ret->lib_ver = ver;
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectGetHostname, void, remote_connect_get_hostname_ret)
{
    (void)args;
    if (!(ret->hostname = virConnectGetHostname(conn)))
        return -1;
    return 0;
}

/* The URI the client opened, as it named it: a client that asked for the
 * default gets "qemu:///system", not the daemon's internal URI. */
static int
remoteDispatchConnectGetURI(virNetServer *server G_GNUC_UNUSED,
                            virNetServerClient *client,
                            const virNetMessageHeader *header G_GNUC_UNUSED,
                            virNetMessageError *rerr,
                            void *args G_GNUC_UNUSED, void *opaqueRet)
{
    remote_connect_get_uri_ret *ret = opaqueRet;
    remoteClient *priv = virNetServerClientGetPrivateData(client);

    g_mutex_lock(&priv->lock);
    if (priv->uri)
        ret->uri = g_strdup(priv->uri);
    g_mutex_unlock(&priv->lock);
    if (!ret->uri) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", "connection not open");
        virNetMessageSaveError(rerr);
        return -1;
    }
    return 0;
}

/* The most vCPUs a QEMU guest may be given (the i440fx machine's limit),
 * whatever the type asked. */
REMOTE_DISPATCH_CONN(ConnectGetMaxVcpus, remote_connect_get_max_vcpus_args,
                     remote_connect_get_max_vcpus_ret)
{
    (void)conn;
    (void)args;
    ret->max_vcpus = 255;
    return 0;
}

REMOTE_DISPATCH_CONN(ConnectIsSecure, void, remote_connect_is_secure_ret)
{
    (void)conn;
    (void)args;
    /* A unix socket, reached locally or through ssh/TLS tunnels. */
    ret->secure = 1;
    return 0;
}

/* No security model is reported: empty model and DOI (as libvirt's with
 * no security driver), NUL-terminated as they travel. */
REMOTE_DISPATCH_CONN(NodeGetSecurityModel, void, remote_node_get_security_model_ret)
{
    (void)conn;
    (void)args;
    ret->model.model_val = g_new0(char, 1);
    ret->model.model_len = 1;
    ret->doi.doi_val = g_new0(char, 1);
    ret->doi.doi_len = 1;
    return 0;
}

/* Read the first value of "key : value" lines of @path starting with @key. */
static char *
remoteProcValue(const char *path, const char *key)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t len = strlen(key);

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        const char *sep;

        if (strncmp(lines[i], key, len) != 0 ||
            !(sep = strchr(lines[i] + len, ':')))
            continue;
        return g_strstrip(g_strdup(sep + 1));
    }
    return NULL;
}

/* Count the distinct values of @key in /proc/cpuinfo (0 if absent). */
static int
remoteCpuinfoDistinct(const char *key)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, NULL);
    size_t len = strlen(key);

    if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL))
        return 0;
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        const char *sep;

        if (strncmp(lines[i], key, len) != 0 ||
            !(sep = strchr(lines[i] + len, ':')))
            continue;
        g_hash_table_add(seen, g_strstrip(g_strdup(sep + 1)));
    }
    return g_hash_table_size(seen);
}

REMOTE_DISPATCH_CONN(NodeGetInfo, void, remote_node_get_info_ret)
{
    struct utsname ut;
    g_autofree char *memtotal = remoteProcValue("/proc/meminfo", "MemTotal");
    g_autofree char *mhz = remoteProcValue("/proc/cpuinfo", "cpu MHz");
    g_autofree char *cores = remoteProcValue("/proc/cpuinfo", "cpu cores");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int sockets = remoteCpuinfoDistinct("physical id");

    (void)conn;
    (void)args;
    if (uname(&ut) < 0) {
        virReportSystemError(errno, "%s", "cannot read the host's machine type");
        return -1;
    }
    g_strlcpy(ret->model, ut.machine, sizeof(ret->model));
    ret->memory = memtotal ? g_ascii_strtoull(memtotal, NULL, 10) : 0;
    ret->cpus = cpus > 0 ? cpus : 1;
    ret->mhz = mhz ? (int) g_ascii_strtod(mhz, NULL) : 0;
    ret->nodes = 1;
    ret->sockets = sockets > 0 ? sockets : 1;
    ret->cores = cores ? atoi(cores) : 0;
    if (ret->cores <= 0 || ret->cpus % (ret->sockets * ret->cores) != 0) {
        /* Unknown or inconsistent topology: one socket of plain cores. */
        ret->sockets = 1;
        ret->cores = ret->cpus;
    }
    ret->threads = ret->cpus / (ret->sockets * ret->cores);
    return 0;
}

/* A minimal capabilities document: the host's architecture, and x86_64
 * HVM guests of domain type qemu (and kvm where /dev/kvm is there). */
REMOTE_DISPATCH_CONN(ConnectGetCapabilities, void,
                     remote_connect_get_capabilities_ret)
{
    struct utsname ut;
    GString *xml;

    (void)conn;
    (void)args;
    if (uname(&ut) < 0) {
        virReportSystemError(errno, "%s", "cannot read the host's machine type");
        return -1;
    }
    xml = g_string_new("<capabilities>\n\n  <host>\n    <cpu>\n");
    g_string_append_printf(xml, "      <arch>%s</arch>\n", ut.machine);
    g_string_append(xml,
                    "    </cpu>\n"
                    "    <power_management/>\n"
                    "    <iommu support='no'/>\n"
                    "  </host>\n\n"
                    "  <guest>\n"
                    "    <os_type>hvm</os_type>\n"
                    "    <arch name='x86_64'>\n"
                    "      <wordsize>64</wordsize>\n"
                    "      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                    "      <machine>pc</machine>\n"
                    "      <machine>q35</machine>\n"
                    "      <domain type='qemu'/>\n");
    if (access("/dev/kvm", F_OK) == 0)
        g_string_append(xml, "      <domain type='kvm'/>\n");
    g_string_append(xml,
                    "    </arch>\n"
                    "  </guest>\n\n"
                    "</capabilities>\n");
    ret->capabilities = g_string_free(xml, FALSE);
    return 0;
}

/* ---- Events -------------------------------------------------------- */

/*
 * One registration of a client: the opaque of the library's callback.
 * @lock is held while the registration is made, so an event that comes
 * at once waits until @callbackID is known.
 */
typedef struct {
    GMutex lock;
    virNetServerClient *client;     /* a reference */
    int eventID;
    int callbackID;                 /* what the client was answered */
    unsigned int serial;            /* events sent (BLOCK_PULL) */
} remoteEventCallback;

static void
remoteEventCallbackFree(void *opaque)
{
    remoteEventCallback *cb = opaque;

    virNetServerClientUnref(cb->client);
    g_mutex_clear(&cb->lock);
    g_free(cb);
}

/* The callback's id, or -1 if it was never answered (its registration
 * failed). Takes @cb's lock briefly: waits for a registration under way. */
static int
remoteEventCallbackID(remoteEventCallback *cb)
{
    int id;

    g_mutex_lock(&cb->lock);
    id = cb->callbackID;
    g_mutex_unlock(&cb->lock);
    return id;
}

static void
remoteEventSend(remoteEventCallback *cb, unsigned int program, int proc,
                xdrproc_t filter, void *msg)
{
    if (virNetServerClientSendMessage(cb->client, program, 1, proc,
                                      filter, msg) < 0)
        VIR_DEBUG("event %d not sent to callback %d: client gone",
                  proc, cb->callbackID);
}

static void
remoteEventDomain(remote_nonnull_domain *out, virDomainPtr dom)
{
    /* Borrowed: the message is encoded before @dom goes. */
    out->name = dom->name;
    memcpy(out->uuid, dom->uuid, VIR_UUID_BUFLEN);
    out->id = dom->id;
}

static int
remoteRelayLifecycle(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                     int event, int detail, void *opaque)
{
    remoteEventCallback *cb = opaque;
    remote_domain_event_callback_lifecycle_msg msg = { 0 };

    if ((msg.callbackID = remoteEventCallbackID(cb)) < 0)
        return 0;
    remoteEventDomain(&msg.msg.dom, dom);
    msg.msg.event = event;
    msg.msg.detail = detail;
    remoteEventSend(cb, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                    (xdrproc_t) xdr_remote_domain_event_callback_lifecycle_msg, &msg);
    return 0;
}

static void
remoteRelayBlockPull(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                     const char *path, int status, void *opaque)
{
    remoteEventCallback *cb = opaque;
    bp_domain_event_callback_block_pull_msg msg = { 0 };
    const virDomainEvent *ev = virDomainEventDispatching();
    unsigned int pullSerial;
    const char *disk = ev ? virDomainEventBlockPullDisk(ev, &pullSerial) : NULL;

    if ((msg.callbackID = remoteEventCallbackID(cb)) < 0)
        return;
    remoteEventDomain(&msg.dom, dom);
    msg.path = (char *) path;
    msg.status = status;
    msg.serial = g_atomic_int_add(&cb->serial, 1) + 1;
    /* Whether it is an outcome held for new callbacks, and its disk: the
     * client drops it, as the embed state does, if it starts a newer
     * pull of the disk before delivering it. */
    msg.held = disk && virDomainEventBlockPullIsTold(ev);
    msg.disk = (char *) (disk ? disk : "");
    remoteEventSend(cb, BP_PROGRAM, BP_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_PULL,
                    (xdrproc_t) xdr_bp_domain_event_callback_block_pull_msg, &msg);
}

static void
remoteRelayBlockJob(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
                    const char *disk, int type, int status, void *opaque)
{
    remoteEventCallback *cb = opaque;
    int id = remoteEventCallbackID(cb);

    if (id < 0)
        return;
    if (cb->eventID == VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2) {
        remote_domain_event_block_job_2_msg msg = { 0 };

        msg.callbackID = id;
        remoteEventDomain(&msg.dom, dom);
        msg.dst = (char *) disk;
        msg.type = type;
        msg.status = status;
        remoteEventSend(cb, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2,
                        (xdrproc_t) xdr_remote_domain_event_block_job_2_msg, &msg);
    } else {
        remote_domain_event_callback_block_job_msg msg = { 0 };

        msg.callbackID = id;
        remoteEventDomain(&msg.msg.dom, dom);
        msg.msg.path = (char *) disk;
        msg.msg.type = type;
        msg.msg.status = status;
        remoteEventSend(cb, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB,
                        (xdrproc_t) xdr_remote_domain_event_callback_block_job_msg,
                        &msg);
    }
}

/* BLOCK_PULL for a client that does not know BP_PROGRAM: dropped. */
static void
remoteRelayBlockPullIgnored(virConnectPtr conn G_GNUC_UNUSED,
                            virDomainPtr dom G_GNUC_UNUSED,
                            const char *path G_GNUC_UNUSED,
                            int status G_GNUC_UNUSED,
                            void *opaque G_GNUC_UNUSED)
{
}

/* For the event kinds the library never emits. */
static void
remoteRelayNothing(virConnectPtr conn G_GNUC_UNUSED,
                   virDomainPtr dom G_GNUC_UNUSED,
                   void *opaque G_GNUC_UNUSED)
{
}

/* The relay of @eventID for a client; @bpAware: see BP_FEATURE_PROGRAM
 * (for a libvirt client id 7 is CONTROL_ERROR, never emitted here, and a
 * BP_PROGRAM message would cost it its connection). */
static virConnectDomainEventGenericCallback
remoteRelayFor(int eventID, bool bpAware)
{
    switch (eventID) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteRelayLifecycle);
    case VIR_DOMAIN_EVENT_ID_BLOCK_PULL:
        if (!bpAware)
            return VIR_DOMAIN_EVENT_CALLBACK(remoteRelayBlockPullIgnored);
        return VIR_DOMAIN_EVENT_CALLBACK(remoteRelayBlockPull);
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        return VIR_DOMAIN_EVENT_CALLBACK(remoteRelayBlockJob);
    default:
        return remoteRelayNothing;
    }
}

static int
remoteDispatchConnectDomainEventCallbackRegisterAny(virNetServer *server G_GNUC_UNUSED,
                                                    virNetServerClient *client,
                                                    const virNetMessageHeader *header G_GNUC_UNUSED,
                                                    virNetMessageError *rerr,
                                                    void *opaque, void *opaqueRet)
{
    remote_connect_domain_event_callback_register_any_args *args = opaque;
    remote_connect_domain_event_callback_register_any_ret *ret = opaqueRet;
    remoteClient *priv = virNetServerClientGetPrivateData(client);
    REMOTE_AUTO_CONN virConnectPtr conn = NULL;
    REMOTE_AUTO_DOMAIN virDomainPtr dom = NULL;
    remoteEventCallback *cb;
    int id;

    if (!(conn = remoteClientGetConn(client)))
        goto error;
    if (args->dom && !(dom = remoteGetDomain(conn, args->dom)))
        goto error;

    cb = g_new0(remoteEventCallback, 1);
    g_mutex_init(&cb->lock);
    cb->client = virNetServerClientRef(client);
    cb->eventID = args->eventID;
    cb->callbackID = -1;

    g_mutex_lock(&priv->lock);
    if (priv->conn != conn) {
        g_mutex_unlock(&priv->lock);
        remoteEventCallbackFree(cb);
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", "connection not open");
        goto error;
    }
    g_mutex_lock(&cb->lock);
    id = virConnectDomainEventRegisterAny(conn, dom, args->eventID,
                                          remoteRelayFor(args->eventID,
                                                         priv->bpAware),
                                          cb, remoteEventCallbackFree);
    if (id < 0) {
        g_mutex_unlock(&cb->lock);
        g_mutex_unlock(&priv->lock);
        remoteEventCallbackFree(cb);
        goto error;
    }
    cb->callbackID = id;
    g_array_append_val(priv->callbacks, id);
    g_mutex_unlock(&cb->lock);
    g_mutex_unlock(&priv->lock);

    ret->callbackID = id;
    return 0;

 error:
    virNetMessageSaveError(rerr);
    return -1;
}

static int
remoteDispatchConnectDomainEventCallbackDeregisterAny(virNetServer *server G_GNUC_UNUSED,
                                                      virNetServerClient *client,
                                                      const virNetMessageHeader *header G_GNUC_UNUSED,
                                                      virNetMessageError *rerr,
                                                      void *opaque, void *ret G_GNUC_UNUSED)
{
    remote_connect_domain_event_callback_deregister_any_args *args = opaque;
    remoteClient *priv = virNetServerClientGetPrivateData(client);
    guint i;

    g_mutex_lock(&priv->lock);
    if (!priv->conn) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s", "connection not open");
        goto error;
    }
    for (i = 0; i < priv->callbacks->len; i++) {
        if (g_array_index(priv->callbacks, int, i) == args->callbackID)
            break;
    }
    if (i == priv->callbacks->len) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "no domain event callback with id %d is registered",
                       args->callbackID);
        goto error;
    }
    if (virConnectDomainEventDeregisterAny(priv->conn, args->callbackID) < 0)
        goto error;
    g_array_remove_index(priv->callbacks, i);
    g_mutex_unlock(&priv->lock);
    return 0;

 error:
    virNetMessageSaveError(rerr);
    g_mutex_unlock(&priv->lock);
    return -1;
}

/* ---- The programs -------------------------------------------------- */

#define PROC(...) PROC_(__VA_ARGS__)
#define PROC_(num, name, argsT, argsF, retT, retF, open) \
    { num, remoteDispatch##name, argsT, (xdrproc_t) (void (*)(void)) (argsF), \
      retT, (xdrproc_t) (void (*)(void)) (retF), open }
#define ARGS(t) sizeof(t), xdr_##t
#define NOARGS 0, xdr_void

static const virNetServerProc remoteProcs[] = {
    PROC(REMOTE_PROC_CONNECT_OPEN, ConnectOpen,
         ARGS(remote_connect_open_args), NOARGS, false),
    PROC(REMOTE_PROC_CONNECT_CLOSE, ConnectClose, NOARGS, NOARGS, false),
    PROC(REMOTE_PROC_CONNECT_GET_TYPE, ConnectGetType,
         NOARGS, ARGS(remote_connect_get_type_ret), true),
    PROC(REMOTE_PROC_CONNECT_GET_VERSION, ConnectGetVersion,
         NOARGS, ARGS(remote_connect_get_version_ret), true),
    PROC(REMOTE_PROC_CONNECT_GET_MAX_VCPUS, ConnectGetMaxVcpus,
         ARGS(remote_connect_get_max_vcpus_args),
         ARGS(remote_connect_get_max_vcpus_ret), true),
    PROC(REMOTE_PROC_NODE_GET_INFO, NodeGetInfo,
         NOARGS, ARGS(remote_node_get_info_ret), true),
    PROC(REMOTE_PROC_CONNECT_GET_CAPABILITIES, ConnectGetCapabilities,
         NOARGS, ARGS(remote_connect_get_capabilities_ret), true),
    PROC(REMOTE_PROC_DOMAIN_CREATE, DomainCreate,
         ARGS(remote_domain_create_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_CREATE_XML, DomainCreateXML,
         ARGS(remote_domain_create_xml_args),
         ARGS(remote_domain_create_xml_ret), true),
    PROC(REMOTE_PROC_DOMAIN_DEFINE_XML, DomainDefineXML,
         ARGS(remote_domain_define_xml_args),
         ARGS(remote_domain_define_xml_ret), true),
    PROC(REMOTE_PROC_DOMAIN_DESTROY, DomainDestroy,
         ARGS(remote_domain_destroy_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_GET_XML_DESC, DomainGetXMLDesc,
         ARGS(remote_domain_get_xml_desc_args),
         ARGS(remote_domain_get_xml_desc_ret), true),
    PROC(REMOTE_PROC_DOMAIN_GET_AUTOSTART, DomainGetAutostart,
         ARGS(remote_domain_get_autostart_args),
         ARGS(remote_domain_get_autostart_ret), true),
    PROC(REMOTE_PROC_DOMAIN_GET_INFO, DomainGetInfo,
         ARGS(remote_domain_get_info_args),
         ARGS(remote_domain_get_info_ret), true),
    PROC(REMOTE_PROC_DOMAIN_GET_OS_TYPE, DomainGetOSType,
         ARGS(remote_domain_get_os_type_args),
         ARGS(remote_domain_get_os_type_ret), true),
    PROC(REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS, ConnectListDefinedDomains,
         ARGS(remote_connect_list_defined_domains_args),
         ARGS(remote_connect_list_defined_domains_ret), true),
    PROC(REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, DomainLookupByID,
         ARGS(remote_domain_lookup_by_id_args),
         ARGS(remote_domain_lookup_by_id_ret), true),
    PROC(REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, DomainLookupByName,
         ARGS(remote_domain_lookup_by_name_args),
         ARGS(remote_domain_lookup_by_name_ret), true),
    PROC(REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, DomainLookupByUUID,
         ARGS(remote_domain_lookup_by_uuid_args),
         ARGS(remote_domain_lookup_by_uuid_ret), true),
    PROC(REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, ConnectNumOfDefinedDomains,
         NOARGS, ARGS(remote_connect_num_of_defined_domains_ret), true),
    PROC(REMOTE_PROC_DOMAIN_RESUME, DomainResume,
         ARGS(remote_domain_resume_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_SUSPEND, DomainSuspend,
         ARGS(remote_domain_suspend_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_UNDEFINE, DomainUndefine,
         ARGS(remote_domain_undefine_args), NOARGS, true),
    PROC(REMOTE_PROC_CONNECT_LIST_DOMAINS, ConnectListDomains,
         ARGS(remote_connect_list_domains_args),
         ARGS(remote_connect_list_domains_ret), true),
    PROC(REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, ConnectNumOfDomains,
         NOARGS, ARGS(remote_connect_num_of_domains_ret), true),
    PROC(REMOTE_PROC_CONNECT_GET_HOSTNAME, ConnectGetHostname,
         NOARGS, ARGS(remote_connect_get_hostname_ret), true),
    PROC(REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, ConnectSupportsFeature,
         ARGS(remote_connect_supports_feature_args),
         ARGS(remote_connect_supports_feature_ret), false),
    PROC(REMOTE_PROC_AUTH_LIST, AuthList,
         NOARGS, ARGS(remote_auth_list_ret), false),
    PROC(REMOTE_PROC_CONNECT_GET_URI, ConnectGetURI,
         NOARGS, ARGS(remote_connect_get_uri_ret), true),
    PROC(REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL, DomainGetSecurityLabel,
         ARGS(remote_domain_get_security_label_args),
         ARGS(remote_domain_get_security_label_ret), true),
    PROC(REMOTE_PROC_NODE_GET_SECURITY_MODEL, NodeGetSecurityModel,
         NOARGS, ARGS(remote_node_get_security_model_ret), true),
    PROC(REMOTE_PROC_CONNECT_IS_SECURE, ConnectIsSecure,
         NOARGS, ARGS(remote_connect_is_secure_ret), true),
    PROC(REMOTE_PROC_DOMAIN_IS_ACTIVE, DomainIsActive,
         ARGS(remote_domain_is_active_args),
         ARGS(remote_domain_is_active_ret), true),
    PROC(REMOTE_PROC_DOMAIN_IS_PERSISTENT, DomainIsPersistent,
         ARGS(remote_domain_is_persistent_args),
         ARGS(remote_domain_is_persistent_ret), true),
    PROC(REMOTE_PROC_CONNECT_GET_LIB_VERSION, ConnectGetLibVersion,
         NOARGS, ARGS(remote_connect_get_lib_version_ret), true),
    PROC(REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, DomainHasManagedSaveImage,
         ARGS(remote_domain_has_managed_save_image_args),
         ARGS(remote_domain_has_managed_save_image_ret), true),
    PROC(REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, DomainCreateWithFlags,
         ARGS(remote_domain_create_with_flags_args),
         ARGS(remote_domain_create_with_flags_ret), true),
    PROC(REMOTE_PROC_DOMAIN_GET_STATE, DomainGetState,
         ARGS(remote_domain_get_state_args),
         ARGS(remote_domain_get_state_ret), true),
    PROC(REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, DomainUndefineFlags,
         ARGS(remote_domain_undefine_flags_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_DESTROY_FLAGS, DomainDestroyFlags,
         ARGS(remote_domain_destroy_flags_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT, DomainBlockJobAbort,
         ARGS(remote_domain_block_job_abort_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO, DomainGetBlockJobInfo,
         ARGS(remote_domain_get_block_job_info_args),
         ARGS(remote_domain_get_block_job_info_ret), true),
    PROC(REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED, DomainBlockJobSetSpeed,
         ARGS(remote_domain_block_job_set_speed_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_BLOCK_PULL, DomainBlockPull,
         ARGS(remote_domain_block_pull_args), NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_BLOCK_REBASE, DomainBlockRebase,
         ARGS(remote_domain_block_rebase_args), NOARGS, true),
    PROC(REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, ConnectListAllDomains,
         ARGS(remote_connect_list_all_domains_args),
         ARGS(remote_connect_list_all_domains_ret), true),
    PROC(REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
         ConnectDomainEventCallbackRegisterAny,
         ARGS(remote_connect_domain_event_callback_register_any_args),
         ARGS(remote_connect_domain_event_callback_register_any_ret), true),
    PROC(REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
         ConnectDomainEventCallbackDeregisterAny,
         ARGS(remote_connect_domain_event_callback_deregister_any_args),
         NOARGS, true),
    PROC(REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, DomainDefineXMLFlags,
         ARGS(remote_domain_define_xml_flags_args),
         ARGS(remote_domain_define_xml_flags_ret), true),
    PROC(REMOTE_PROC_DOMAIN_GET_MESSAGES, DomainGetMessages,
         ARGS(remote_domain_get_messages_args),
         ARGS(remote_domain_get_messages_ret), true),
};

static const virNetServerProc qemuProcs[] = {
    PROC(QEMU_PROC_DOMAIN_MONITOR_COMMAND, QemuDomainMonitorCommand,
         ARGS(qemu_domain_monitor_command_args),
         ARGS(qemu_domain_monitor_command_ret), true),
};

static const virNetServerProc bpProcs[] = {
    PROC(BP_PROC_DOMAIN_BLOCK_PULL, BPDomainBlockPull,
         ARGS(bp_domain_block_pull_args), ARGS(bp_domain_block_pull_ret), true),
    PROC(BP_PROC_DOMAIN_BLOCK_PULL_ALL, BPDomainBlockPullAll,
         ARGS(bp_domain_block_pull_all_args), NOARGS, true),
    PROC(BP_PROC_DOMAIN_BLOCK_PULL_ABORT, BPDomainBlockPullAbort,
         ARGS(bp_domain_block_pull_abort_args), NOARGS, true),
    PROC(BP_PROC_DOMAIN_GET_BLOCK_PULL_INFO, BPDomainGetBlockPullInfo,
         ARGS(bp_domain_get_block_pull_info_args),
         ARGS(bp_domain_get_block_pull_info_ret), true),
};

#undef PROC
#undef PROC_
#undef ARGS
#undef NOARGS

static int
remoteAddProgram(virNetServer *srv, unsigned int number, unsigned int version,
                 const virNetServerProc *procs, size_t nprocs)
{
    virNetServerProgram *prog = virNetServerProgramNew(number, version,
                                                       procs, nprocs);

    if (!prog)
        return -1;
    return virNetServerAddProgram(srv, prog);
}

int
remoteDaemonAddPrograms(virNetServer *srv, const char *systemURI)
{
    if (remoteAddProgram(srv, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
                         remoteProcs, G_N_ELEMENTS(remoteProcs)) < 0 ||
        remoteAddProgram(srv, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION,
                         qemuProcs, G_N_ELEMENTS(qemuProcs)) < 0 ||
        remoteAddProgram(srv, BP_PROGRAM, BP_PROTOCOL_VERSION,
                         bpProcs, G_N_ELEMENTS(bpProcs)) < 0)
        return -1;
    virNetServerSetClientPrivate(srv, remoteClientNew, remoteClientFree,
                                 (void *) systemURI);
    return 0;
}
