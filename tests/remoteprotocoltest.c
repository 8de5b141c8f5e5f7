/*
 * remoteprotocoltest.c: the XDR of the remote, QEMU and block pull
 * programs. Every procedure's arguments and reply (and every event
 * message) filled with distinct values, encoded, decoded and encoded
 * again: the decoded value must give the same bytes, use all of them, and
 * keep the values put in. The procedure numbers are checked against
 * libvirt's, and a few encodings byte for byte against what a libvirt
 * 9.0 client or daemon puts on the wire; hostile input (truncated
 * buffers, oversized lengths) is refused without a crash.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <rpc/rpc.h>

#include "remote/remote_protocol.h"
#include "remote/qemu_protocol.h"
#include "remote/bp_protocol.h"
#include "testutils.h"

#define BUF_MAX (1024 * 1024)

/* ------------------------------------------------------------------ */
/* Filling values                                                       */

/* A counter makes every value of a struct distinct, so that two fields
 * swapped in a layout would not round-trip. */
static unsigned int seed;

static char *
str(void)
{
    return g_strdup_printf("s%u-/\xc3\xa9", ++seed);
}

static char **
optstr(void)
{
    char **p = g_new0(char *, 1);

    *p = str();
    return p;
}

static void
fillDom(remote_nonnull_domain *d)
{
    d->name = str();
    for (size_t i = 0; i < VIR_UUID_BUFLEN; i++)
        d->uuid[i] = (char) (seed * 7 + i);
    d->id = (int) ++seed;
}

static remote_domain
optDom(void)
{
    remote_nonnull_domain *d = g_new0(remote_nonnull_domain, 1);

    fillDom(d);
    return d;
}

static unsigned int u32(void) { return 0x80000000u + ++seed; }
static int i32(void) { return -(int) ++seed; }
static u_quad_t u64(void) { return 0xfedcba9800000000ull + ++seed; }

typedef void (*fillFunc)(void *p);

#define FILL(type, body) \
    static void fill_##type(void *p) { type *v = p; body; }

FILL(remote_connect_open_args, v->name = optstr(); v->flags = u32())
FILL(remote_connect_supports_feature_args, v->feature = i32())
FILL(remote_connect_supports_feature_ret, v->supported = i32())
FILL(remote_connect_get_type_ret, v->type = str())
FILL(remote_connect_get_version_ret, v->hv_ver = u64())
FILL(remote_connect_get_lib_version_ret, v->lib_ver = u64())
FILL(remote_connect_get_hostname_ret, v->hostname = str())
FILL(remote_connect_get_uri_ret, v->uri = str())
FILL(remote_connect_get_max_vcpus_args, v->type = optstr())
FILL(remote_connect_get_max_vcpus_ret, v->max_vcpus = i32())
FILL(remote_node_get_info_ret,
     g_strlcpy(v->model, "x86_64 model name", sizeof(v->model));
     v->memory = u64(); v->cpus = i32(); v->mhz = i32(); v->nodes = i32();
     v->sockets = i32(); v->cores = i32(); v->threads = i32())
FILL(remote_connect_get_capabilities_ret, v->capabilities = str())
FILL(remote_auth_list_ret,
     v->types.types_len = 2;
     v->types.types_val = g_new0(remote_auth_type, 2);
     v->types.types_val[0] = REMOTE_AUTH_NONE;
     v->types.types_val[1] = REMOTE_AUTH_POLKIT)
FILL(remote_connect_is_secure_ret, v->secure = i32())
FILL(remote_node_get_security_model_ret,
     v->model.model_val = g_strdup("selinux");
     v->model.model_len = 8;
     v->doi.doi_val = g_strdup("0");
     v->doi.doi_len = 2)
FILL(remote_connect_list_domains_args, v->maxids = i32())
FILL(remote_connect_list_domains_ret,
     v->ids.ids_len = 3;
     v->ids.ids_val = g_new0(int, 3);
     for (int i = 0; i < 3; i++) v->ids.ids_val[i] = i32())
FILL(remote_connect_num_of_domains_ret, v->num = i32())
FILL(remote_connect_list_defined_domains_args, v->maxnames = i32())
FILL(remote_connect_list_defined_domains_ret,
     v->names.names_len = 2;
     v->names.names_val = g_new0(char *, 2);
     v->names.names_val[0] = str(); v->names.names_val[1] = str())
FILL(remote_connect_num_of_defined_domains_ret, v->num = i32())
FILL(remote_connect_list_all_domains_args, v->need_results = i32(); v->flags = u32())
FILL(remote_connect_list_all_domains_ret,
     v->domains.domains_len = 2;
     v->domains.domains_val = g_new0(remote_nonnull_domain, 2);
     fillDom(&v->domains.domains_val[0]); fillDom(&v->domains.domains_val[1]);
     v->ret = u32())
FILL(remote_domain_lookup_by_id_args, v->id = i32())
FILL(remote_domain_lookup_by_id_ret, fillDom(&v->dom))
FILL(remote_domain_lookup_by_uuid_args, memset(v->uuid, 0xa5, VIR_UUID_BUFLEN))
FILL(remote_domain_lookup_by_uuid_ret, fillDom(&v->dom))
FILL(remote_domain_lookup_by_name_args, v->name = str())
FILL(remote_domain_lookup_by_name_ret, fillDom(&v->dom))
FILL(remote_domain_create_xml_args, v->xml_desc = str(); v->flags = u32())
FILL(remote_domain_create_xml_ret, fillDom(&v->dom))
FILL(remote_domain_define_xml_args, v->xml = str())
FILL(remote_domain_define_xml_ret, fillDom(&v->dom))
FILL(remote_domain_define_xml_flags_args, v->xml = str(); v->flags = u32())
FILL(remote_domain_define_xml_flags_ret, fillDom(&v->dom))
FILL(remote_domain_undefine_args, fillDom(&v->dom))
FILL(remote_domain_undefine_flags_args, fillDom(&v->dom); v->flags = u32())
FILL(remote_domain_create_args, fillDom(&v->dom))
FILL(remote_domain_create_with_flags_args, fillDom(&v->dom); v->flags = u32())
FILL(remote_domain_create_with_flags_ret, fillDom(&v->dom))
FILL(remote_domain_destroy_args, fillDom(&v->dom))
FILL(remote_domain_destroy_flags_args, fillDom(&v->dom); v->flags = u32())
FILL(remote_domain_suspend_args, fillDom(&v->dom))
FILL(remote_domain_resume_args, fillDom(&v->dom))
FILL(remote_domain_get_state_args, fillDom(&v->dom); v->flags = u32())
FILL(remote_domain_get_state_ret, v->state = i32(); v->reason = i32())
FILL(remote_domain_get_info_args, fillDom(&v->dom))
FILL(remote_domain_get_info_ret,
     v->state = 0xfe; v->maxMem = u64(); v->memory = u64();
     v->nrVirtCpu = 0xfffe; v->cpuTime = u64())
FILL(remote_domain_get_xml_desc_args, fillDom(&v->dom); v->flags = u32())
FILL(remote_domain_get_xml_desc_ret, v->xml = str())
FILL(remote_domain_is_active_args, fillDom(&v->dom))
FILL(remote_domain_is_active_ret, v->active = i32())
FILL(remote_domain_is_persistent_args, fillDom(&v->dom))
FILL(remote_domain_is_persistent_ret, v->persistent = i32())
FILL(remote_domain_get_autostart_args, fillDom(&v->dom))
FILL(remote_domain_get_autostart_ret, v->autostart = i32())
FILL(remote_domain_get_os_type_args, fillDom(&v->dom))
FILL(remote_domain_get_os_type_ret, v->type = str())
FILL(remote_domain_has_managed_save_image_args, fillDom(&v->dom); v->flags = u32())
FILL(remote_domain_has_managed_save_image_ret, v->result = i32())
FILL(remote_domain_get_security_label_args, fillDom(&v->dom))
FILL(remote_domain_get_security_label_ret,
     v->label.label_val = g_strdup("system_u:system_r:svirt_t:s0:c1,c2");
     v->label.label_len = strlen(v->label.label_val) + 1;
     v->enforcing = i32())
FILL(remote_domain_get_messages_args, fillDom(&v->dom); v->flags = u32())
FILL(remote_domain_get_messages_ret,
     v->msgs.msgs_len = 2;
     v->msgs.msgs_val = g_new0(char *, 2);
     v->msgs.msgs_val[0] = str(); v->msgs.msgs_val[1] = str())
FILL(remote_domain_block_job_abort_args,
     fillDom(&v->dom); v->path = str(); v->flags = u32())
FILL(remote_domain_get_block_job_info_args,
     fillDom(&v->dom); v->path = str(); v->flags = u32())
FILL(remote_domain_get_block_job_info_ret,
     v->found = i32(); v->type = i32(); v->bandwidth = u64(); v->cur = u64();
     v->end = u64())
FILL(remote_domain_block_job_set_speed_args,
     fillDom(&v->dom); v->path = str(); v->bandwidth = u64(); v->flags = u32())
FILL(remote_domain_block_pull_args,
     fillDom(&v->dom); v->path = str(); v->bandwidth = u64(); v->flags = u32())
FILL(remote_domain_block_rebase_args,
     fillDom(&v->dom); v->path = str(); v->base = optstr();
     v->bandwidth = u64(); v->flags = u32())
FILL(remote_connect_domain_event_callback_register_any_args,
     v->eventID = i32(); v->dom = optDom())
FILL(remote_connect_domain_event_callback_register_any_ret, v->callbackID = i32())
FILL(remote_connect_domain_event_callback_deregister_any_args, v->callbackID = i32())
FILL(remote_domain_event_callback_lifecycle_msg,
     v->callbackID = i32(); fillDom(&v->msg.dom); v->msg.event = i32();
     v->msg.detail = i32())
FILL(remote_domain_event_block_job_msg,
     fillDom(&v->dom); v->path = str(); v->type = i32(); v->status = i32())
FILL(remote_domain_event_callback_block_job_msg,
     v->callbackID = i32(); fillDom(&v->msg.dom); v->msg.path = str();
     v->msg.type = i32(); v->msg.status = i32())
FILL(remote_domain_event_block_job_2_msg,
     v->callbackID = i32(); fillDom(&v->dom); v->dst = str(); v->type = i32();
     v->status = i32())
FILL(qemu_domain_monitor_command_args,
     fillDom(&v->dom); v->cmd = str(); v->flags = u32())
FILL(qemu_domain_monitor_command_ret, v->result = str())
FILL(bp_domain_block_pull_args, fillDom(&v->dom); v->path = str(); v->flags = u32())
FILL(bp_domain_block_pull_ret, v->info.cur = u64(); v->info.end = u64())
FILL(bp_domain_get_block_pull_info_ret, v->info.cur = u64(); v->info.end = u64())
FILL(bp_domain_event_callback_block_pull_msg,
     v->callbackID = i32(); fillDom(&v->dom); v->path = str(); v->status = i32();
     v->serial = u32(); v->held = i32(); v->disk = str())

/* ------------------------------------------------------------------ */
/* The procedures                                                       */

typedef struct {
    const char *name;
    xdrproc_t filter;
    size_t size;
    fillFunc fill;
} XdrType;

typedef struct {
    unsigned int program;
    int proc;           /* our enum's value */
    int libvirtNumber;  /* the number libvirt gives it (written out) */
    XdrType args;
    XdrType ret;
} ProcCase;

#define T(type) { #type, (xdrproc_t) (void (*)(void)) xdr_##type, sizeof(type), fill_##type }
#define NONE { NULL, NULL, 0, NULL }
#define REMOTE(proc, num, a, r) { REMOTE_PROGRAM, REMOTE_PROC_##proc, num, a, r }
#define QEMU(proc, num, a, r) { QEMU_PROGRAM, QEMU_PROC_##proc, num, a, r }
#define BP(proc, num, a, r) { BP_PROGRAM, BP_PROC_##proc, num, a, r }

static const ProcCase procCases[] = {
    REMOTE(CONNECT_OPEN, 1, T(remote_connect_open_args), NONE),
    REMOTE(CONNECT_CLOSE, 2, NONE, NONE),
    REMOTE(CONNECT_GET_TYPE, 3, NONE, T(remote_connect_get_type_ret)),
    REMOTE(CONNECT_GET_VERSION, 4, NONE, T(remote_connect_get_version_ret)),
    REMOTE(CONNECT_GET_MAX_VCPUS, 5, T(remote_connect_get_max_vcpus_args),
           T(remote_connect_get_max_vcpus_ret)),
    REMOTE(NODE_GET_INFO, 6, NONE, T(remote_node_get_info_ret)),
    REMOTE(CONNECT_GET_CAPABILITIES, 7, NONE, T(remote_connect_get_capabilities_ret)),
    REMOTE(DOMAIN_CREATE, 9, T(remote_domain_create_args), NONE),
    REMOTE(DOMAIN_CREATE_XML, 10, T(remote_domain_create_xml_args),
           T(remote_domain_create_xml_ret)),
    REMOTE(DOMAIN_DEFINE_XML, 11, T(remote_domain_define_xml_args),
           T(remote_domain_define_xml_ret)),
    REMOTE(DOMAIN_DESTROY, 12, T(remote_domain_destroy_args), NONE),
    REMOTE(DOMAIN_GET_XML_DESC, 14, T(remote_domain_get_xml_desc_args),
           T(remote_domain_get_xml_desc_ret)),
    REMOTE(DOMAIN_GET_AUTOSTART, 15, T(remote_domain_get_autostart_args),
           T(remote_domain_get_autostart_ret)),
    REMOTE(DOMAIN_GET_INFO, 16, T(remote_domain_get_info_args),
           T(remote_domain_get_info_ret)),
    REMOTE(DOMAIN_GET_OS_TYPE, 19, T(remote_domain_get_os_type_args),
           T(remote_domain_get_os_type_ret)),
    REMOTE(CONNECT_LIST_DEFINED_DOMAINS, 21, T(remote_connect_list_defined_domains_args),
           T(remote_connect_list_defined_domains_ret)),
    REMOTE(DOMAIN_LOOKUP_BY_ID, 22, T(remote_domain_lookup_by_id_args),
           T(remote_domain_lookup_by_id_ret)),
    REMOTE(DOMAIN_LOOKUP_BY_NAME, 23, T(remote_domain_lookup_by_name_args),
           T(remote_domain_lookup_by_name_ret)),
    REMOTE(DOMAIN_LOOKUP_BY_UUID, 24, T(remote_domain_lookup_by_uuid_args),
           T(remote_domain_lookup_by_uuid_ret)),
    REMOTE(CONNECT_NUM_OF_DEFINED_DOMAINS, 25, NONE,
           T(remote_connect_num_of_defined_domains_ret)),
    REMOTE(DOMAIN_RESUME, 28, T(remote_domain_resume_args), NONE),
    REMOTE(DOMAIN_SUSPEND, 34, T(remote_domain_suspend_args), NONE),
    REMOTE(DOMAIN_UNDEFINE, 35, T(remote_domain_undefine_args), NONE),
    REMOTE(CONNECT_LIST_DOMAINS, 37, T(remote_connect_list_domains_args),
           T(remote_connect_list_domains_ret)),
    REMOTE(CONNECT_NUM_OF_DOMAINS, 51, NONE, T(remote_connect_num_of_domains_ret)),
    REMOTE(CONNECT_GET_HOSTNAME, 59, NONE, T(remote_connect_get_hostname_ret)),
    REMOTE(CONNECT_SUPPORTS_FEATURE, 60, T(remote_connect_supports_feature_args),
           T(remote_connect_supports_feature_ret)),
    REMOTE(AUTH_LIST, 66, NONE, T(remote_auth_list_ret)),
    REMOTE(CONNECT_GET_URI, 110, NONE, T(remote_connect_get_uri_ret)),
    REMOTE(DOMAIN_GET_SECURITY_LABEL, 121, T(remote_domain_get_security_label_args),
           T(remote_domain_get_security_label_ret)),
    REMOTE(NODE_GET_SECURITY_MODEL, 122, NONE, T(remote_node_get_security_model_ret)),
    REMOTE(CONNECT_IS_SECURE, 149, NONE, T(remote_connect_is_secure_ret)),
    REMOTE(DOMAIN_IS_ACTIVE, 150, T(remote_domain_is_active_args),
           T(remote_domain_is_active_ret)),
    REMOTE(DOMAIN_IS_PERSISTENT, 151, T(remote_domain_is_persistent_args),
           T(remote_domain_is_persistent_ret)),
    REMOTE(CONNECT_GET_LIB_VERSION, 157, NONE, T(remote_connect_get_lib_version_ret)),
    REMOTE(DOMAIN_HAS_MANAGED_SAVE_IMAGE, 183,
           T(remote_domain_has_managed_save_image_args),
           T(remote_domain_has_managed_save_image_ret)),
    REMOTE(DOMAIN_CREATE_WITH_FLAGS, 196, T(remote_domain_create_with_flags_args),
           T(remote_domain_create_with_flags_ret)),
    REMOTE(DOMAIN_GET_STATE, 212, T(remote_domain_get_state_args),
           T(remote_domain_get_state_ret)),
    REMOTE(DOMAIN_UNDEFINE_FLAGS, 231, T(remote_domain_undefine_flags_args), NONE),
    REMOTE(DOMAIN_DESTROY_FLAGS, 234, T(remote_domain_destroy_flags_args), NONE),
    REMOTE(DOMAIN_BLOCK_JOB_ABORT, 237, T(remote_domain_block_job_abort_args), NONE),
    REMOTE(DOMAIN_GET_BLOCK_JOB_INFO, 238, T(remote_domain_get_block_job_info_args),
           T(remote_domain_get_block_job_info_ret)),
    REMOTE(DOMAIN_BLOCK_JOB_SET_SPEED, 239, T(remote_domain_block_job_set_speed_args),
           NONE),
    REMOTE(DOMAIN_BLOCK_PULL, 240, T(remote_domain_block_pull_args), NONE),
    REMOTE(DOMAIN_EVENT_BLOCK_JOB, 241, T(remote_domain_event_block_job_msg), NONE),
    REMOTE(DOMAIN_BLOCK_REBASE, 266, T(remote_domain_block_rebase_args), NONE),
    REMOTE(CONNECT_LIST_ALL_DOMAINS, 273, T(remote_connect_list_all_domains_args),
           T(remote_connect_list_all_domains_ret)),
    REMOTE(CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, 316,
           T(remote_connect_domain_event_callback_register_any_args),
           T(remote_connect_domain_event_callback_register_any_ret)),
    REMOTE(CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, 317,
           T(remote_connect_domain_event_callback_deregister_any_args), NONE),
    REMOTE(DOMAIN_EVENT_CALLBACK_LIFECYCLE, 318,
           T(remote_domain_event_callback_lifecycle_msg), NONE),
    REMOTE(DOMAIN_EVENT_CALLBACK_BLOCK_JOB, 326,
           T(remote_domain_event_callback_block_job_msg), NONE),
    REMOTE(DOMAIN_EVENT_BLOCK_JOB_2, 339, T(remote_domain_event_block_job_2_msg), NONE),
    REMOTE(DOMAIN_DEFINE_XML_FLAGS, 350, T(remote_domain_define_xml_flags_args),
           T(remote_domain_define_xml_flags_ret)),
    REMOTE(DOMAIN_GET_MESSAGES, 426, T(remote_domain_get_messages_args),
           T(remote_domain_get_messages_ret)),
    QEMU(DOMAIN_MONITOR_COMMAND, 1, T(qemu_domain_monitor_command_args),
         T(qemu_domain_monitor_command_ret)),
    BP(DOMAIN_BLOCK_PULL, 1, T(bp_domain_block_pull_args), T(bp_domain_block_pull_ret)),
    BP(DOMAIN_BLOCK_PULL_ALL, 2, T(bp_domain_block_pull_args), NONE),
    BP(DOMAIN_BLOCK_PULL_ABORT, 3, T(bp_domain_block_pull_args), NONE),
    BP(DOMAIN_GET_BLOCK_PULL_INFO, 4, T(bp_domain_block_pull_args),
       T(bp_domain_get_block_pull_info_ret)),
    BP(DOMAIN_EVENT_CALLBACK_BLOCK_PULL, 5,
       T(bp_domain_event_callback_block_pull_msg), NONE),
};

/* ------------------------------------------------------------------ */
/* Encoding                                                             */

/* Encode @data through @filter into a new buffer; its length in @len. */
static char *
encode(xdrproc_t filter, void *data, size_t *len)
{
    char *buf = g_malloc0(BUF_MAX);
    XDR xdr;

    xdrmem_create(&xdr, buf, BUF_MAX, XDR_ENCODE);
    g_assert_true(filter(&xdr, data, 0));
    *len = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    return buf;
}

/* Decode @len bytes of @buf into @data; returns whether it decoded, and
 * checks that it consumed exactly @len bytes. */
static bool
decode(xdrproc_t filter, const char *buf, size_t len, void *data)
{
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, (char *) buf, len, XDR_DECODE);
    ok = filter(&xdr, data, 0);
    if (ok)
        g_assert_cmpuint(xdr_getpos(&xdr), ==, len);
    xdr_destroy(&xdr);
    return ok;
}

static void
roundTrip(const XdrType *t)
{
    g_autofree void *orig = g_malloc0(t->size);
    g_autofree void *copy = g_malloc0(t->size);
    g_autofree char *buf1 = NULL;
    g_autofree char *buf2 = NULL;
    size_t len1, len2;

    t->fill(orig);
    buf1 = encode(t->filter, orig, &len1);
    g_assert_cmpuint(len1 % 4, ==, 0);
    g_assert_cmpuint(len1, >, 0);
    g_assert_true(decode(t->filter, buf1, len1, copy));
    buf2 = encode(t->filter, copy, &len2);
    g_assert_cmpmem(buf1, len1, buf2, len2);

    /* Every proper prefix is refused: no field may be silently absent. */
    for (size_t cut = 0; cut < len1; cut += (len1 > 64 ? 7 : 1)) {
        g_autofree void *part = g_malloc0(t->size);
        XDR xdr;
        bool ok;

        xdrmem_create(&xdr, buf1, cut, XDR_DECODE);
        ok = t->filter(&xdr, part, 0);
        xdr_destroy(&xdr);
        if (ok)
            g_error("%s decoded from %zu of its %zu bytes", t->name, cut, len1);
        xdr_free(t->filter, part);
    }

    xdr_free(t->filter, orig);
    xdr_free(t->filter, copy);
}

static void
testProcedure(const void *opaque)
{
    const ProcCase *c = opaque;

    g_assert_cmpint(c->proc, ==, c->libvirtNumber);
    if (c->args.filter)
        roundTrip(&c->args);
    if (c->ret.filter)
        roundTrip(&c->ret);
}

/* The values survive, not only the bytes: a few structs checked field by
 * field after a round trip. */
static void
testValues(void)
{
    remote_domain_get_info_ret info = { 0 }, info2 = { 0 };
    remote_connect_domain_event_callback_register_any_args reg = { 0 }, reg2 = { 0 };
    remote_domain_block_rebase_args rebase = { 0 }, rebase2 = { 0 };
    g_autofree char *buf = NULL;
    size_t len;

    fill_remote_domain_get_info_ret(&info);
    buf = encode((xdrproc_t) xdr_remote_domain_get_info_ret, &info, &len);
    g_assert_cmpuint(len, ==, 32);
    g_assert_true(decode((xdrproc_t) xdr_remote_domain_get_info_ret, buf, len, &info2));
    g_assert_cmpuint(info2.state, ==, 0xfe);
    g_assert_cmpuint(info2.nrVirtCpu, ==, 0xfffe);
    g_assert_cmpuint(info2.maxMem, ==, info.maxMem);
    g_assert_cmpuint(info2.memory, ==, info.memory);
    g_assert_cmpuint(info2.cpuTime, ==, info.cpuTime);
    g_clear_pointer(&buf, g_free);

    /* An absent domain stays absent, a present one keeps its fields. */
    reg.eventID = 16;
    buf = encode((xdrproc_t) xdr_remote_connect_domain_event_callback_register_any_args,
                 &reg, &len);
    g_assert_true(decode((xdrproc_t) xdr_remote_connect_domain_event_callback_register_any_args,
                         buf, len, &reg2));
    g_assert_cmpint(reg2.eventID, ==, 16);
    g_assert_null(reg2.dom);
    g_clear_pointer(&buf, g_free);

    fill_remote_domain_block_rebase_args(&rebase);
    buf = encode((xdrproc_t) xdr_remote_domain_block_rebase_args, &rebase, &len);
    g_assert_true(decode((xdrproc_t) xdr_remote_domain_block_rebase_args, buf, len,
                         &rebase2));
    g_assert_cmpstr(rebase2.dom.name, ==, rebase.dom.name);
    g_assert_cmpmem(rebase2.dom.uuid, VIR_UUID_BUFLEN, rebase.dom.uuid, VIR_UUID_BUFLEN);
    g_assert_cmpint(rebase2.dom.id, ==, rebase.dom.id);
    g_assert_cmpstr(rebase2.path, ==, rebase.path);
    g_assert_nonnull(rebase2.base);
    g_assert_cmpstr(*rebase2.base, ==, *rebase.base);
    g_assert_cmpuint(rebase2.bandwidth, ==, rebase.bandwidth);
    g_assert_cmpuint(rebase2.flags, ==, rebase.flags);
    xdr_free((xdrproc_t) xdr_remote_domain_block_rebase_args, (char *) &rebase);
    xdr_free((xdrproc_t) xdr_remote_domain_block_rebase_args, (char *) &rebase2);
    xdr_free((xdrproc_t) xdr_remote_connect_domain_event_callback_register_any_args,
             (char *) &reg2);
}

/* The program numbers and versions are libvirt's (and ours for BP). */
static void
testPrograms(void)
{
    g_assert_cmphex(REMOTE_PROGRAM, ==, 0x20008086);
    g_assert_cmpint(REMOTE_PROTOCOL_VERSION, ==, 1);
    g_assert_cmphex(QEMU_PROGRAM, ==, 0x20008087);
    g_assert_cmpint(QEMU_PROTOCOL_VERSION, ==, 1);
    g_assert_cmphex(BP_PROGRAM, ==, 0x20008099);
    g_assert_cmpint(BP_PROTOCOL_VERSION, ==, 1);
    g_assert_cmpint(REMOTE_STRING_MAX, ==, 4194304);
    g_assert_cmpint(REMOTE_DOMAIN_LIST_MAX, ==, 16384);
}

/* ------------------------------------------------------------------ */
/* Byte-exact layouts                                                   */

static void
assertBytes(xdrproc_t filter, void *data, const unsigned char *want, size_t wantLen)
{
    size_t len;
    g_autofree char *buf = encode(filter, data, &len);

    g_assert_cmpmem(buf, len, want, wantLen);
}

/* What a libvirt 9.0 client sends to open qemu:///system: the name as an
 * optional string (present: 1), its length, its bytes padded to 4, and
 * the flags. */
static void
testBytesConnectOpen(void)
{
    char *name = (char *) "qemu:///system";
    remote_connect_open_args args = { &name, 0 };
    remote_connect_open_args ro = { NULL, 1 };
    static const unsigned char want[] = {
        0, 0, 0, 1,
        0, 0, 0, 14,
        'q', 'e', 'm', 'u', ':', '/', '/', '/', 's', 'y', 's', 't', 'e', 'm', 0, 0,
        0, 0, 0, 0,
    };
    static const unsigned char wantNull[] = { 0, 0, 0, 0, 0, 0, 0, 1 };

    assertBytes((xdrproc_t) xdr_remote_connect_open_args, &args, want, sizeof(want));
    assertBytes((xdrproc_t) xdr_remote_connect_open_args, &ro, wantNull, sizeof(wantNull));
}

/* A domain: its name, its 16 raw UUID bytes (no length word), its id. */
static void
testBytesDomain(void)
{
    remote_nonnull_domain dom = { .name = (char *) "test", .id = -1 };
    static const unsigned char want[] = {
        0, 0, 0, 4, 't', 'e', 's', 't',
        0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
        0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f,
        0xff, 0xff, 0xff, 0xff,
    };

    memcpy(dom.uuid, want + 8, VIR_UUID_BUFLEN);
    assertBytes((xdrproc_t) xdr_remote_nonnull_domain, &dom, want, sizeof(want));
}

/* libvirt's node info: the model as 32 XDR chars (4 bytes each), then
 * the memory (hyper) and six ints: 160 bytes. */
static void
testBytesNodeInfo(void)
{
    remote_node_get_info_ret info = { .memory = 0x100000000ull, .cpus = 2,
                                      .mhz = 3000, .nodes = 1, .sockets = 1,
                                      .cores = 2, .threads = 1 };
    g_autofree char *buf = NULL;
    size_t len;
    static const unsigned char tail[] = {
        0, 0, 0, 1, 0, 0, 0, 0,
        0, 0, 0, 2, 0, 0, 0x0b, 0xb8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1,
    };

    g_strlcpy(info.model, "x86_64", sizeof(info.model));
    buf = encode((xdrproc_t) xdr_remote_node_get_info_ret, &info, &len);
    g_assert_cmpuint(len, ==, 160);
    g_assert_cmpmem(buf, 8, "\0\0\0x\0\0\0" "8", 8);
    g_assert_cmpmem(buf + 20, 4, "\0\0\0" "4", 4);
    g_assert_cmpmem(buf + 24, 4, "\0\0\0\0", 4);
    g_assert_cmpmem(buf + 128, len - 128, tail, sizeof(tail));
}

/* The event a libvirt 9.0 client decodes for a block job 2 end. */
static void
testBytesBlockJob2(void)
{
    remote_domain_event_block_job_2_msg msg = {
        .callbackID = 3,
        .dom = { .name = (char *) "vm", .id = 5 },
        .dst = (char *) "vda",
        .type = 1,
        .status = 0,
    };
    static const unsigned char want[] = {
        0, 0, 0, 3,
        0, 0, 0, 2, 'v', 'm', 0, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        0, 0, 0, 5,
        0, 0, 0, 3, 'v', 'd', 'a', 0,
        0, 0, 0, 1,
        0, 0, 0, 0,
    };

    for (int i = 0; i < VIR_UUID_BUFLEN; i++)
        msg.dom.uuid[i] = (char) i;
    assertBytes((xdrproc_t) xdr_remote_domain_event_block_job_2_msg, &msg,
                want, sizeof(want));
}

/* Our BLOCK_PULL event, held outcome told to a new registration: after
 * libvirt-style callbackID, domain, path, status, the serial, the held
 * mark and the disk's target, in this order. */
static void
testBytesBlockPullEvent(void)
{
    bp_domain_event_callback_block_pull_msg msg = {
        .callbackID = 7,
        .dom = { .name = (char *) "vm", .id = -1 },
        .path = (char *) "/a.q",
        .status = 2,
        .serial = 9,
        .held = 1,
        .disk = (char *) "vdb",
    };
    static const unsigned char want[] = {
        0, 0, 0, 7,
        0, 0, 0, 2, 'v', 'm', 0, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 4, '/', 'a', '.', 'q',
        0, 0, 0, 2,
        0, 0, 0, 9,
        0, 0, 0, 1,
        0, 0, 0, 3, 'v', 'd', 'b', 0,
    };

    for (int i = 0; i < VIR_UUID_BUFLEN; i++)
        msg.dom.uuid[i] = (char) i;
    assertBytes((xdrproc_t) xdr_bp_domain_event_callback_block_pull_msg, &msg,
                want, sizeof(want));
}

/* The security model as libvirt sends "none": each string with its
 * terminating NUL, as XDR chars of 4 bytes. */
static void
testBytesSecurityModel(void)
{
    /* Writable: libtirpc's xdr_char stores back what it encodes. */
    char none[2] = "";
    remote_node_get_security_model_ret model = {
        .model = { 1, &none[0] },
        .doi = { 1, &none[1] },
    };
    static const unsigned char want[] = {
        0, 0, 0, 1, 0, 0, 0, 0,
        0, 0, 0, 1, 0, 0, 0, 0,
    };

    assertBytes((xdrproc_t) xdr_remote_node_get_security_model_ret, &model,
                want, sizeof(want));
}

/* ------------------------------------------------------------------ */
/* Hostile input                                                        */

/* Lengths over the protocol's bounds are refused before any allocation
 * of that size (truncations are checked with every round trip). */
static void
testHostile(void)
{
    static const unsigned char hugeString[] = { 0x7f, 0xff, 0xff, 0xff, 'a', 'b', 'c', 'd' };
    static const unsigned char hugeList[] = { 0x00, 0x01, 0x00, 0x00 };
    remote_domain_get_xml_desc_ret xml = { 0 };
    remote_connect_list_domains_ret ids = { 0 };
    remote_domain_lookup_by_name_args byName = { 0 };
    g_autofree char *big = g_malloc0(4 + REMOTE_STRING_MAX + 4);

    g_assert_false(decode((xdrproc_t) xdr_remote_domain_get_xml_desc_ret,
                          (const char *) hugeString, sizeof(hugeString), &xml));
    xdr_free((xdrproc_t) xdr_remote_domain_get_xml_desc_ret, (char *) &xml);
    g_assert_false(decode((xdrproc_t) xdr_remote_connect_list_domains_ret,
                          (const char *) hugeList, sizeof(hugeList), &ids));
    xdr_free((xdrproc_t) xdr_remote_connect_list_domains_ret, (char *) &ids);

    /* A string one byte over REMOTE_STRING_MAX, all bytes there. */
    big[0] = 0x00; big[1] = 0x40; big[2] = 0x00; big[3] = 0x01;
    g_assert_false(decode((xdrproc_t) xdr_remote_domain_lookup_by_name_args,
                          big, 4 + REMOTE_STRING_MAX + 4, &byName));
    xdr_free((xdrproc_t) xdr_remote_domain_lookup_by_name_args, (char *) &byName);
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);

    for (size_t i = 0; i < G_N_ELEMENTS(procCases); i++) {
        const ProcCase *c = &procCases[i];
        const char *prog = c->program == REMOTE_PROGRAM ? "remote" :
                           c->program == QEMU_PROGRAM ? "qemu" : "bp";
        g_autofree char *path = g_strdup_printf("/remote/protocol/%s/%d", prog,
                                                c->libvirtNumber);

        g_test_add_data_func(path, c, testProcedure);
    }
    g_test_add_func("/remote/protocol/programs", testPrograms);
    g_test_add_func("/remote/protocol/values", testValues);
    g_test_add_func("/remote/protocol/bytes/connect-open", testBytesConnectOpen);
    g_test_add_func("/remote/protocol/bytes/domain", testBytesDomain);
    g_test_add_func("/remote/protocol/bytes/node-info", testBytesNodeInfo);
    g_test_add_func("/remote/protocol/bytes/block-job-2", testBytesBlockJob2);
    g_test_add_func("/remote/protocol/bytes/block-pull-event", testBytesBlockPullEvent);
    g_test_add_func("/remote/protocol/bytes/security-model", testBytesSecurityModel);
    g_test_add_func("/remote/protocol/hostile", testHostile);
    return g_test_run();
}
