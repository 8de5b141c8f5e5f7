/*
 * testdrivertest.c: test:///default through the public API: its default
 * domain, the lifecycle calls and their events, the state shared by the
 * connections open at the same time and started afresh after them, and
 * what it does not support. Needs neither QEMU nor root.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvirt/libvirt.h"
#include "libvirt/libvirt-qemu.h"
#include "testutils.h"
#include "testutilsapi.h"
#include "testutilsvirt.h"

#define URI "test:///default"
#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* Lifecycle events as "NAME EVENT DETAIL", in the order they came. */
typedef struct {
    GMutex lock;
    GPtrArray *seen;
} EventLog;

static int
lifecycleCb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event,
            int detail, void *opaque)
{
    EventLog *log = opaque;

    g_mutex_lock(&log->lock);
    g_ptr_array_add(log->seen, g_strdup_printf("%s %d %d", virDomainGetName(dom),
                                               event, detail));
    g_mutex_unlock(&log->lock);
    return 0;
}

static EventLog *
eventLogNew(void)
{
    EventLog *log = g_new0(EventLog, 1);

    g_mutex_init(&log->lock);
    log->seen = g_ptr_array_new_with_free_func(g_free);
    return log;
}

static void
eventLogFree(EventLog *log)
{
    g_ptr_array_unref(log->seen);
    g_mutex_clear(&log->lock);
    g_free(log);
}

typedef struct {
    EventLog *log;
    guint count;
} EventWait;

static bool
eventLogHas(void *opaque)
{
    EventWait *w = opaque;
    bool ret;

    g_mutex_lock(&w->log->lock);
    ret = w->log->seen->len >= w->count;
    g_mutex_unlock(&w->log->lock);
    return ret;
}

/* Wait for the next event, which must be @want ("NAME EVENT DETAIL"). */
static void
eventLogExpect(EventLog *log, guint *next, const char *name, int event, int detail)
{
    g_autofree char *want = g_strdup_printf("%s %d %d", name, event, detail);
    EventWait w = { log, *next + 1 };

    if (!virTestWaitFor(eventLogHas, &w, 5000))
        g_error("no event '%s' after %u events", want, *next);
    g_mutex_lock(&log->lock);
    g_assert_cmpstr(g_ptr_array_index(log->seen, *next), ==, want);
    g_mutex_unlock(&log->lock);
    (*next)++;
}

/* No event beyond the first @count, a while after the calls. */
static void
eventLogAssertCount(EventLog *log, guint count)
{
    g_usleep(100 * 1000);
    g_mutex_lock(&log->lock);
    g_assert_cmpuint(log->seen->len, ==, count);
    g_mutex_unlock(&log->lock);
}

static int
registerLifecycle(virConnectPtr conn, EventLog *log)
{
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                              log, NULL);

    g_assert_cmpint(id, >=, 0);
    return id;
}

static char *
domainXML(const char *name, const char *uuid, unsigned int memKiB)
{
    return g_strdup_printf("<domain type='qemu'>\n"
                           "  <name>%s</name>\n"
                           "  <uuid>%s</uuid>\n"
                           "  <memory>%u</memory>\n"
                           "  <os><type>hvm</type></os>\n"
                           "</domain>\n", name, uuid, memKiB);
}

static int
compareNames(gconstpointer a, gconstpointer b)
{
    /* g_ptr_array_sort hands pointers to the elements. */
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names of the domains that pass @flags, sorted, space-separated. */
static char *
listNames(virConnectPtr conn, unsigned int flags)
{
    virDomainPtr *doms = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    int n = virConnectListAllDomains(conn, &doms, flags);

    g_assert_cmpint(n, >=, 0);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL, flags), ==, n);
    g_assert_null(doms[n]);
    for (int i = 0; i < n; i++) {
        g_ptr_array_add(names, g_strdup(virDomainGetName(doms[i])));
        virDomainFree(doms[i]);
    }
    free(doms);
    g_ptr_array_sort(names, compareNames);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **) names->pdata);
}

static char *
domXML(virDomainPtr dom, unsigned int flags)
{
    char *xml = virDomainGetXMLDesc(dom, flags);
    char *ret;

    g_assert_nonnull(xml);
    ret = g_strdup(xml);
    free(xml);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Cases                                                                */

/* As libvirt's: one running domain "test", id 1, with its UUID. */
static void
testDefaultDomain(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    virDomainPtr dom;
    virDomainInfo info;
    char uuid[VIR_UUID_STRING_BUFLEN];
    unsigned long ver = 0;
    g_autofree char *xml = NULL;
    g_autofree char *names = NULL;
    char *uri;

    g_assert_nonnull(conn);
    uri = virConnectGetURI(conn);
    g_assert_cmpstr(uri, ==, URI);
    free(uri);
    g_assert_cmpint(virConnectIsAlive(conn), ==, 1);
    g_assert_cmpint(virConnectGetVersion(conn, &ver), ==, 0);
    g_assert_cmpuint(ver, ==, 2);

    names = listNames(conn, 0);
    g_assert_cmpstr(names, ==, "test");
    dom = virDomainLookupByID(conn, 1);
    g_assert_nonnull(dom);
    g_assert_cmpstr(virDomainGetName(dom), ==, "test");
    g_assert_cmpuint(virDomainGetID(dom), ==, 1);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    g_assert_cmpstr(uuid, ==, TEST_UUID);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 1);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(virDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpuint(info.maxMem, ==, 8388608);
    g_assert_cmpuint(info.memory, ==, 2097152);
    g_assert_cmpuint(info.nrVirtCpu, ==, 2);
    xml = domXML(dom, 0);
    g_assert_nonnull(strstr(xml, "<domain type='qemu' id='1'>"));
    g_assert_nonnull(strstr(xml, "<uuid>" TEST_UUID "</uuid>"));
    virDomainFree(dom);

    dom = virDomainLookupByUUIDString(conn, TEST_UUID);
    g_assert_nonnull(dom);
    g_assert_cmpstr(virDomainGetName(dom), ==, "test");
    virDomainFree(dom);
    g_assert_null(virDomainLookupByName(conn, "nope"));
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    g_assert_null(virDomainLookupByID(conn, 7));
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* Define, start, redefine while running, stop, start paused, undefine:
 * each with its state and event, as the QEMU driver tells them. */
static void
testLifecycle(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    EventLog *log = eventLogNew();
    g_autofree char *xml = domainXML("t2", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c001", 65536);
    g_autofree char *bigger = domainXML("t2", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c001", 131072);
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;
    virDomainPtr dom;
    guint next = 0;
    int cb;

    g_assert_nonnull(conn);
    cb = registerLifecycle(conn, log);

    dom = virTestDefineDomain(conn, xml);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED);
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 1);
    g_assert_cmpuint(virDomainGetID(dom), ==, (unsigned int) -1);
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
    g_assert_cmpint(virDomainDestroy(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    /* The default domain took id 1. */
    g_assert_cmpuint(virDomainGetID(dom), ==, 2);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);

    /* A new definition while it runs is for its next start. */
    virDomainFree(virDomainDefineXML(conn, bigger));
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_UPDATED);
    live = domXML(dom, 0);
    inactive = domXML(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(strstr(live, "<memory unit='KiB'>65536</memory>"));
    g_assert_nonnull(strstr(live, "id='2'"));
    g_assert_nonnull(strstr(inactive, "<memory unit='KiB'>131072</memory>"));
    g_assert_null(strstr(inactive, "id='"));

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    virTestAssertState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
    g_assert_cmpuint(virDomainGetID(dom), ==, (unsigned int) -1);
    g_clear_pointer(&live, g_free);
    live = domXML(dom, 0);
    g_assert_nonnull(strstr(live, "<memory unit='KiB'>131072</memory>"));

    g_assert_cmpint(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED), ==, 0);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_SUSPENDED, 0);
    virTestAssertState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpuint(virDomainGetID(dom), ==, 3);

    /* Undefined while running: transient, and gone once stopped. */
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    g_assert_null(virDomainLookupByName(conn, "t2"));
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(virDomainIsActive(dom), ==, -1);
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    virDomainFree(dom);

    /* Undefined while stopped: gone at once. */
    dom = virDomainDefineXML(conn, xml);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED);
    g_assert_cmpint(virDomainUndefineFlags(dom, 0), ==, 0);
    eventLogExpect(log, &next, "t2", VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    g_assert_null(virDomainLookupByName(conn, "t2"));
    virDomainFree(dom);

    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, cb), ==, 0);
    eventLogAssertCount(log, next);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    eventLogFree(log);
}

/* A transient domain exists while it runs; names and UUIDs stay unique. */
static void
testTransient(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    EventLog *log = eventLogNew();
    g_autofree char *xml = domainXML("tr", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c002", 65536);
    g_autofree char *sameName = domainXML("tr", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c003", 65536);
    g_autofree char *sameUUID = domainXML("other", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c002", 65536);
    g_autofree char *names = NULL;
    virDomainPtr dom;
    guint next = 0;

    g_assert_nonnull(conn);
    registerLifecycle(conn, log);
    dom = virTestCreateDomain(conn, xml);
    eventLogExpect(log, &next, "tr", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 0);
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);

    g_assert_null(virDomainCreateXML(conn, xml, 0));
    virTestAssertError(VIR_ERR_OPERATION_FAILED);
    g_assert_null(virDomainCreateXML(conn, sameName, 0));
    virTestAssertError(VIR_ERR_OPERATION_FAILED);
    g_assert_null(virDomainDefineXML(conn, sameUUID));
    virTestAssertError(VIR_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "domain 'tr' already exists"));
    g_assert_null(virDomainDefineXML(conn, "<domain type='qemu'><name>x</name></domain>"));
    virTestAssertError(VIR_ERR_XML_INVALID_SCHEMA);
    g_assert_null(virDomainCreateXML(conn, xml, 0x100));
    virTestAssertError(VIR_ERR_INVALID_ARG);

    names = listNames(conn, VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
    g_assert_cmpstr(names, ==, "tr");
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    eventLogExpect(log, &next, "tr", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    g_assert_null(virDomainLookupByName(conn, "tr"));
    virTestAssertError(VIR_ERR_NO_DOMAIN);
    eventLogAssertCount(log, next);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    eventLogFree(log);
}

/* The filters of virConnectListAllDomains, one group at a time and
 * together. */
static void
testListFilters(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    g_autofree char *off = domainXML("off", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c004", 65536);
    g_autofree char *paused = domainXML("paused", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c005", 65536);
    static const struct {
        unsigned int flags;
        const char *names;
    } cases[] = {
        { 0, "off paused test" },
        { VIR_CONNECT_LIST_DOMAINS_ACTIVE, "paused test" },
        { VIR_CONNECT_LIST_DOMAINS_INACTIVE, "off" },
        { VIR_CONNECT_LIST_DOMAINS_PERSISTENT, "off test" },
        { VIR_CONNECT_LIST_DOMAINS_TRANSIENT, "paused" },
        { VIR_CONNECT_LIST_DOMAINS_RUNNING, "test" },
        { VIR_CONNECT_LIST_DOMAINS_PAUSED, "paused" },
        { VIR_CONNECT_LIST_DOMAINS_SHUTOFF, "off" },
        { VIR_CONNECT_LIST_DOMAINS_OTHER, "" },
        { VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_PERSISTENT, "test" },
        { VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_SHUTOFF, "off test" },
    };
    virDomainPtr dom;

    g_assert_nonnull(conn);
    virDomainFree(virDomainDefineXML(conn, off));
    dom = virDomainCreateXML(conn, paused, VIR_DOMAIN_START_PAUSED);
    g_assert_nonnull(dom);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *names = listNames(conn, cases[i].flags);

        g_assert_cmpstr(names, ==, cases[i].names);
    }
    g_assert_cmpint(virConnectListAllDomains(conn, NULL, 1 << 30), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* Connections open at once share the state, events included; once all
 * are closed the next open starts afresh, as libvirt's test:///default. */
static void
testShared(void)
{
    virConnectPtr a = virConnectOpen(URI);
    virConnectPtr b = virConnectOpenReadOnly(URI);
    EventLog *log = eventLogNew();
    g_autofree char *xml = domainXML("shared", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c006", 65536);
    g_autofree char *names = NULL;
    virDomainPtr dom;
    guint next = 0;

    g_assert_nonnull(a);
    g_assert_nonnull(b);
    /* A read-only connection watches what another one does. */
    registerLifecycle(b, log);
    dom = virTestDefineDomain(a, xml);
    eventLogExpect(log, &next, "shared", VIR_DOMAIN_EVENT_DEFINED,
                   VIR_DOMAIN_EVENT_DEFINED_ADDED);
    virDomainFree(dom);
    dom = virDomainLookupByName(a, "test");
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    eventLogExpect(log, &next, "test", VIR_DOMAIN_EVENT_STOPPED,
                   VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    virDomainFree(dom);
    names = listNames(b, 0);
    g_assert_cmpstr(names, ==, "shared test");
    g_clear_pointer(&names, g_free);

    /* One left open: the state stays. */
    g_assert_cmpint(virConnectClose(a), ==, 0);
    a = virConnectOpen(URI);
    names = listNames(a, VIR_CONNECT_LIST_DOMAINS_INACTIVE);
    g_assert_cmpstr(names, ==, "shared test");
    g_clear_pointer(&names, g_free);
    g_assert_cmpint(virConnectClose(a), ==, 0);
    g_assert_cmpint(virConnectClose(b), ==, 0);
    eventLogAssertCount(log, next);

    /* All closed: afresh. */
    a = virConnectOpen(URI);
    names = listNames(a, 0);
    g_assert_cmpstr(names, ==, "test");
    dom = virDomainLookupByName(a, "test");
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    g_assert_cmpuint(virDomainGetID(dom), ==, 1);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(a), ==, 0);
    eventLogFree(log);
}

/* What test:///default does not do, and the URIs it does not take. */
static void
testUnsupported(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    virDomainBlockPullInfo info;
    virDomainBlockJobInfo jobInfo;
    char *result = NULL;

    g_assert_cmpint(virDomainBlockPull(dom, "vda", &info, 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virDomainBlockPullAll(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virDomainBlockPullAbort(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virDomainGetBlockPullInfo(dom, "vda", &info, 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    /* libvirt's block job calls: no pull engine here either. */
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", NULL, 0, 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virDomainGetBlockJobInfo(dom, "vda", &jobInfo, 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virDomainBlockJobSetSpeed(dom, "vda", 1, 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virDomainBlockJobAbort(dom, "vda", 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    /* A copy is refused for what it is, before any driver. */
    g_assert_cmpint(virDomainBlockRebase(dom, "vda", "/images/copy.qcow2", 0,
                                         VIR_DOMAIN_BLOCK_REBASE_COPY), ==, -1);
    virTestAssertError(VIR_ERR_ARGUMENT_UNSUPPORTED);
    g_assert_cmpint(virDomainQemuMonitorCommand(dom, "{\"execute\":\"stop\"}",
                                                &result, 0), ==, -1);
    virTestAssertError(VIR_ERR_NO_SUPPORT);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "virDomainQemuMonitorCommand"));
    /* Nothing changed. */
    virTestAssertState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);

    g_assert_null(virConnectOpen("test:///other"));
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "test:///default only"));
    /* Local only, and not embeddable. */
    g_assert_null(virConnectOpen("test://host/default"));
    virTestAssertError(VIR_ERR_NO_CONNECT);
    g_assert_null(virConnectOpen("test:///embed?root=/nonexistent/test-embed"));
    virTestAssertError(VIR_ERR_NO_CONNECT);
    g_assert_false(g_file_test("/nonexistent/test-embed", G_FILE_TEST_EXISTS));
}

/* Events are told to the callbacks of the domain they are for. */
static void
testEventPerDomain(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    EventLog *all = eventLogNew();
    EventLog *one = eventLogNew();
    g_autofree char *xml = domainXML("watched", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c007", 65536);
    virDomainPtr dom = virDomainDefineXML(conn, xml);
    virDomainPtr test = virDomainLookupByName(conn, "test");
    guint nextAll = 0;
    guint nextOne = 0;

    g_assert_nonnull(dom);
    registerLifecycle(conn, all);
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                                     one, NULL), >=, 0);
    g_assert_cmpint(virDomainDestroy(test), ==, 0);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    eventLogExpect(all, &nextAll, "test", VIR_DOMAIN_EVENT_STOPPED,
                   VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    eventLogExpect(all, &nextAll, "watched", VIR_DOMAIN_EVENT_STARTED,
                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
    eventLogExpect(one, &nextOne, "watched", VIR_DOMAIN_EVENT_STARTED,
                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
    eventLogAssertCount(one, nextOne);
    virDomainFree(dom);
    virDomainFree(test);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    eventLogFree(all);
    eventLogFree(one);
}

/* Suspend and resume: states, reasons, one event each, libvirt's test
 * driver's refusals. */
static void
testSuspendResume(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    virConnectPtr ro = virConnectOpenReadOnly(URI);
    EventLog *log = eventLogNew();
    g_autofree char *xml = domainXML("off", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c008", 65536);
    virDomainPtr test = virDomainLookupByName(conn, "test");
    virDomainPtr roTest = virDomainLookupByName(ro, "test");
    virDomainPtr off;
    virDomainInfo info;
    g_autofree char *paused = NULL;
    guint next = 0;

    g_assert_nonnull(test);
    g_assert_nonnull(roTest);
    off = virTestDefineDomain(conn, xml);
    registerLifecycle(conn, log);
    eventLogAssertCount(log, 0);

    g_assert_cmpint(virDomainSuspend(test), ==, 0);
    eventLogExpect(log, &next, "test", VIR_DOMAIN_EVENT_SUSPENDED,
                   VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    virTestAssertState(test, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_cmpint(virDomainGetInfo(test, &info), ==, 0);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_PAUSED);
    /* As libvirt's test driver: not twice. */
    g_assert_cmpint(virDomainSuspend(test), ==, -1);
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_OPERATION_INVALID,
                           "domain 'test' is not running", NULL);
    /* A paused domain is still active: listed with the running ids. */
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    paused = listNames(conn, VIR_CONNECT_LIST_DOMAINS_PAUSED);
    g_assert_cmpstr(paused, ==, "test");

    g_assert_cmpint(virDomainResume(test), ==, 0);
    eventLogExpect(log, &next, "test", VIR_DOMAIN_EVENT_RESUMED,
                   VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    virTestAssertState(test, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    g_assert_cmpint(virDomainResume(test), ==, -1);
    virTestAssertErrorFull(VIR_FROM_TEST, VIR_ERR_OPERATION_INVALID,
                           "domain 'test' is not paused", NULL);

    /* Neither on a domain that is not running. */
    g_assert_cmpint(virDomainSuspend(off), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainResume(off), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_INVALID);
    virTestAssertState(off, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);

    /* Nor on a read-only connection, nor with a bad handle. */
    g_assert_cmpint(virDomainSuspend(roTest), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainResume(roTest), ==, -1);
    virTestAssertError(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainSuspend(NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_DOMAIN);
    g_assert_cmpint(virDomainResume(NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_DOMAIN);
    virTestAssertState(test, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);

    /* A domain started paused resumes. */
    g_assert_cmpint(virDomainCreateWithFlags(off, VIR_DOMAIN_START_PAUSED), ==, 0);
    eventLogExpect(log, &next, "off", VIR_DOMAIN_EVENT_STARTED,
                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
    eventLogExpect(log, &next, "off", VIR_DOMAIN_EVENT_SUSPENDED,
                   VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    g_assert_cmpint(virDomainResume(off), ==, 0);
    eventLogExpect(log, &next, "off", VIR_DOMAIN_EVENT_RESUMED,
                   VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    virTestAssertState(off, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    g_assert_cmpint(virDomainDestroy(off), ==, 0);
    eventLogExpect(log, &next, "off", VIR_DOMAIN_EVENT_STOPPED,
                   VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    g_assert_cmpint(virDomainUndefine(off), ==, 0);
    eventLogExpect(log, &next, "off", VIR_DOMAIN_EVENT_UNDEFINED,
                   VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    eventLogAssertCount(log, next);

    virDomainFree(off);
    virDomainFree(test);
    virDomainFree(roTest);
    g_assert_cmpint(virConnectClose(ro), ==, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    eventLogFree(log);
}

/* Free the @n names of virConnectListDefinedDomains() into one string. */
static char *
joinNames(char **names, int n)
{
    g_autoptr(GString) out = g_string_new(NULL);

    for (int i = 0; i < n; i++) {
        g_string_append_printf(out, "%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
    return g_strdup(out->str);
}

/* The old list calls: ids of running domains (paused ones too), names of
 * inactive persistent ones; transient ones only while they run. */
static void
testListCalls(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    g_autofree char *bXML = domainXML("b-def", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c009", 65536);
    g_autofree char *aXML = domainXML("a-def", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c00a", 65536);
    g_autofree char *tXML = domainXML("trans", "2e8e2b7e-4b0c-4c5f-9d38-22f0a6f1c00b", 65536);
    g_autofree char *names = NULL;
    virDomainPtr a, b, t;
    char *list[4] = { NULL };
    int ids[4] = { 0 };

    g_assert_nonnull(conn);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    g_assert_cmpint(virConnectListDomains(conn, ids, 4), ==, 1);
    g_assert_cmpint(ids[0], ==, 1);
    g_assert_cmpint(virConnectNumOfDefinedDomains(conn), ==, 0);
    g_assert_cmpint(virConnectListDefinedDomains(conn, list, 4), ==, 0);

    b = virTestDefineDomain(conn, bXML);
    a = virTestDefineDomain(conn, aXML);
    t = virTestCreateDomain(conn, tXML);
    g_assert_cmpint(virConnectNumOfDefinedDomains(conn), ==, 2);
    g_assert_cmpint(virConnectListDefinedDomains(conn, list, 4), ==, 2);
    names = joinNames(list, 2);
    g_assert_cmpstr(names, ==, "a-def b-def");
    g_clear_pointer(&names, g_free);
    /* At most as many as there is room for. */
    g_assert_cmpint(virConnectListDefinedDomains(conn, list, 1), ==, 1);
    names = joinNames(list, 1);
    g_assert_cmpstr(names, ==, "a-def");
    g_clear_pointer(&names, g_free);
    g_assert_cmpint(virConnectListDefinedDomains(conn, NULL, 0), ==, 0);

    /* Running: "test" (1), the transient one (2), then b-def (3) paused. */
    g_assert_cmpint(virDomainCreate(b), ==, 0);
    g_assert_cmpint(virDomainSuspend(b), ==, 0);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 3);
    g_assert_cmpint(virConnectListDomains(conn, ids, 4), ==, 3);
    g_assert_cmpint(ids[0], ==, 1);
    g_assert_cmpint(ids[1], ==, (int) virDomainGetID(t));
    g_assert_cmpint(ids[2], ==, (int) virDomainGetID(b));
    g_assert_cmpint(ids[1], <, ids[2]);
    g_assert_cmpint(virConnectListDomains(conn, ids, 2), ==, 2);
    g_assert_cmpint(virConnectListDomains(conn, NULL, 0), ==, 0);
    g_assert_cmpint(virConnectNumOfDefinedDomains(conn), ==, 1);
    g_assert_cmpint(virConnectListDefinedDomains(conn, list, 4), ==, 1);
    names = joinNames(list, 1);
    g_assert_cmpstr(names, ==, "a-def");
    g_clear_pointer(&names, g_free);

    /* A stopped transient domain is gone from both. */
    g_assert_cmpint(virDomainDestroy(t), ==, 0);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 2);
    g_assert_cmpint(virConnectNumOfDefinedDomains(conn), ==, 1);

    /* Bad arguments. */
    g_assert_cmpint(virConnectListDomains(conn, ids, -1), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectListDomains(conn, NULL, 2), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectListDefinedDomains(conn, list, -1), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectListDefinedDomains(conn, NULL, 1), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectNumOfDomains(NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_CONN);
    g_assert_cmpint(virConnectNumOfDefinedDomains(NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_CONN);

    g_assert_cmpint(virDomainDestroy(b), ==, 0);
    g_assert_cmpint(virDomainUndefine(b), ==, 0);
    g_assert_cmpint(virDomainUndefine(a), ==, 0);
    virDomainFree(a);
    virDomainFree(b);
    virDomainFree(t);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
closeCb(virConnectPtr conn G_GNUC_UNUSED, int reason G_GNUC_UNUSED, void *opaque)
{
    (*(int *) opaque)++;
}

static void
closeCbOther(virConnectPtr conn G_GNUC_UNUSED, int reason G_GNUC_UNUSED,
             void *opaque G_GNUC_UNUSED)
{
}

static void
countFree(void *opaque)
{
    (*(int *) opaque) += 100;
}

/* Type, hostname, version, keepalive, close callback: what libvirt's
 * example clients ask of any connection. */
static void
testConnectCalls(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    unsigned long ver = 0;
    char *host;
    int calls = 0;

    g_assert_nonnull(conn);
    g_assert_cmpstr(virConnectGetType(conn), ==, "Test");
    g_assert_null(virConnectGetType(NULL));
    virTestAssertError(VIR_ERR_INVALID_CONN);
    host = virConnectGetHostname(conn);
    g_assert_nonnull(host);
    g_assert_cmpstr(host, !=, "");
    {
        char mine[256] = "";

        g_assert_cmpint(gethostname(mine, sizeof(mine) - 1), ==, 0);
        /* The short name, or the fully qualified one that starts with it. */
        g_assert_true(g_str_has_prefix(host, mine));
    }
    free(host);
    g_assert_cmpint(virConnectGetLibVersion(conn, &ver), ==, 0);
    g_assert_cmpuint(ver, ==, 9000000);
    g_assert_true(LIBVIR_CHECK_VERSION(9, 0, 0));
    g_assert_true(LIBVIR_CHECK_VERSION(1, 2, 14));
    g_assert_false(LIBVIR_CHECK_VERSION(9, 0, 1));
    g_assert_false(LIBVIR_CHECK_VERSION(10, 0, 0));

    /* As libvirt on a connection without keepalive. */
    g_assert_cmpint(virConnectSetKeepAlive(conn, 5, 3), ==, -1);
    virTestAssertErrorFull(VIR_FROM_NONE, VIR_ERR_NO_SUPPORT,
                           "virConnectSetKeepAlive", NULL);
    g_assert_cmpint(virConnectIsAlive(conn), ==, 1);

    /* One close callback; it holds the connection until unregistered. */
    g_assert_cmpint(virConnectRegisterCloseCallback(conn, NULL, NULL, NULL), ==, -1);
    virTestAssertError(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectRegisterCloseCallback(conn, closeCb, &calls,
                                                    countFree), ==, 0);
    g_assert_cmpint(virConnectRegisterCloseCallback(conn, closeCb, &calls,
                                                    NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_NONE, VIR_ERR_OPERATION_INVALID,
                           "already registered", NULL);
    g_assert_cmpint(virConnectUnregisterCloseCallback(conn, closeCbOther), ==, -1);
    virTestAssertErrorFull(VIR_FROM_NONE, VIR_ERR_OPERATION_INVALID,
                           "a different close callback", NULL);
    g_assert_cmpint(virConnectRef(conn), ==, 0);
    /* Two references of ours and the registration's. */
    g_assert_cmpint(virConnectClose(conn), ==, 2);
    g_assert_cmpint(virConnectUnregisterCloseCallback(conn, closeCb), ==, 0);
    /* Freed once, never called: nothing closed the link. */
    g_assert_cmpint(calls, ==, 100);
    g_assert_cmpint(virConnectUnregisterCloseCallback(conn, closeCb), ==, -1);
    virTestAssertErrorFull(VIR_FROM_NONE, VIR_ERR_OPERATION_INVALID,
                           "no close callback", NULL);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_assert_cmpint(calls, ==, 100);
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    virTestEventLoopStart();

    g_test_add_func("/test/default/domain", testDefaultDomain);
    g_test_add_func("/test/default/lifecycle", testLifecycle);
    g_test_add_func("/test/default/transient", testTransient);
    g_test_add_func("/test/default/list-filters", testListFilters);
    g_test_add_func("/test/default/shared", testShared);
    g_test_add_func("/test/default/unsupported", testUnsupported);
    g_test_add_func("/test/default/event-per-domain", testEventPerDomain);
    g_test_add_func("/test/default/suspend-resume", testSuspendResume);
    g_test_add_func("/test/default/list-calls", testListCalls);
    g_test_add_func("/test/default/connect-calls", testConnectCalls);
    return g_test_run();
}
