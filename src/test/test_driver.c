/*
 * test_driver.c: the test driver, test:///default, as libvirt's: domains
 * that live in memory only, with the lifecycle calls and their events and
 * no hypervisor behind them, for client authors to test against. At open
 * one domain, "test", is running. Connections open at the same time share
 * one state (an event caused on one is seen on the others); the state
 * starts afresh once all of them are closed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "driver.h"
#include "conf/domain_conf.h"
#include "conf/domain_event.h"
#include "conf/virdomainobjlist.h"
#include "hypervisor/domain_driver.h"
#include "test/test_driver.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_TEST

/*
 * libvirt's default domain, but for its type: this library's domain XML
 * knows the types 'qemu' and 'kvm' only (no 'test'), and the test driver
 * takes the XML the QEMU driver takes, so that a client's definitions can
 * be tried here unchanged. Nothing is ever run.
 */
static const char testDefaultDomainXML[] =
    "<domain type='qemu'>\n"
    "  <name>test</name>\n"
    "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
    "  <memory>8388608</memory>\n"
    "  <currentMemory>2097152</currentMemory>\n"
    "  <vcpu>2</vcpu>\n"
    "  <os>\n"
    "    <type>hvm</type>\n"
    "  </os>\n"
    "</domain>\n";

/* The test driver's part of a domain object (virDomainObj.privateData). */
typedef struct {
    gint64 startTime;           /* monotonic, microseconds: the CPU time */
} testDomainObjPrivate;

/*
 * The state of the test:///default connections. Its lock serializes every
 * call: the domain objects' own locks are not taken (nothing here waits
 * or runs long), and the list's is taken inside it.
 */
typedef struct {
    GMutex lock;                /* every call; protects nextID */
    virDomainXMLOption *xmlopt; /* testDomainObjPrivate */
    virDomainObjList *domains;
    int nextID;
    virDomainEventState *eventState;
} testDriver;

/* The shared state of the test:///default connections open now. */
static GMutex testDefaultLock;
static testDriver *testDefaultDriver;
static unsigned int testDefaultConnections;

static void *
testDomainObjPrivateAlloc(void *opaque G_GNUC_UNUSED)
{
    return g_new0(testDomainObjPrivate, 1);
}

static void
testDriverFree(testDriver *driver)
{
    if (!driver)
        return;
    virDomainEventStateFree(driver->eventState);
    virDomainObjListFree(driver->domains);
    virDomainXMLOptionFree(driver->xmlopt);
    g_mutex_clear(&driver->lock);
    g_free(driver);
}

/* ------------------------------------------------------------------ */
/* Domain objects (driver lock held)                                    */

/* The domain of a handle, a new reference (g_autoptr); NULL with
 * VIR_ERR_NO_DOMAIN. */
static virDomainObj *
testDomObjFromDomain(testDriver *driver, virDomainPtr dom)
{
    virDomainObj *vm = virDomainObjListFindByUUID(driver->domains, dom->uuid);

    if (!vm)
        virDomainDriverReportNoDomain(dom->uuid, dom->name);
    return vm;
}

/*
 * The domain @def may be defined or started as: the one with its name and
 * UUID (*@existing, a new reference), or a new one (NULL). A name or UUID
 * that another domain has fails with VIR_ERR_OPERATION_FAILED, as in the
 * QEMU driver.
 */
static int
testDomainObjCheckConflict(testDriver *driver, const virDomainDef *def,
                           virDomainObj **existing)
{
    g_autoptr(virDomainObj) byuuid = virDomainObjListFindByUUID(driver->domains,
                                                                def->uuid);
    g_autoptr(virDomainObj) byname = virDomainObjListFindByName(driver->domains,
                                                                def->name);
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    *existing = NULL;
    if (byuuid != byname) {
        virUUIDFormat(byuuid ? def->uuid : byname->def->uuid, uuidstr);
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "domain '%s' already exists with uuid %s",
                       byuuid ? byuuid->def->name : def->name, uuidstr);
        return -1;
    }
    *existing = g_steal_pointer(&byuuid);
    return 0;
}

static void
testDomainEventQueue(testDriver *driver, virDomainObj *vm, int type, int detail)
{
    virDomainEventStateQueue(driver->eventState,
                             virDomainEventLifecycleNew(vm->def->name, vm->def->uuid,
                                                        vm->def->id, type, detail));
}

/* A new domain of @def (stolen), listed. Returns a borrowed pointer: the
 * list holds it. */
static virDomainObj *
testDomainObjAdd(testDriver *driver, virDomainDef *def)
{
    g_autoptr(virDomainObj) vm = virDomainObjNew(driver->xmlopt);

    vm->def = def;
    virDomainObjListAdd(driver->domains, vm);
    return vm;
}

/* Make @vm run, as a live copy of its definition with the next id. */
static void
testDomainObjSetRunning(testDriver *driver, virDomainObj *vm, bool paused)
{
    testDomainObjPrivate *priv = vm->privateData;
    virDomainDef *live = virDomainDefCopy(vm->def);

    if (vm->persistent)
        vm->newDef = g_steal_pointer(&vm->def);
    else
        virDomainDefFree(vm->def);
    vm->def = live;
    vm->def->id = driver->nextID++;
    priv->startTime = g_get_monotonic_time();
    virDomainObjSetState(vm, paused ? VIR_DOMAIN_PAUSED : VIR_DOMAIN_RUNNING,
                         paused ? VIR_DOMAIN_PAUSED_USER : VIR_DOMAIN_RUNNING_BOOTED);
}

/* Start @vm, telling it as the QEMU driver does. */
static void
testDomainObjStart(testDriver *driver, virDomainObj *vm, bool paused)
{
    testDomainObjSetRunning(driver, vm, paused);
    testDomainEventQueue(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                         VIR_DOMAIN_EVENT_STARTED_BOOTED);
    if (paused)
        testDomainEventQueue(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                             VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
}

/* Stop @vm; a transient domain goes away (the caller keeps its reference). */
static void
testDomainObjStop(testDriver *driver, virDomainObj *vm, int reason, int detail)
{
    testDomainEventQueue(driver, vm, VIR_DOMAIN_EVENT_STOPPED, detail);
    if (vm->newDef) {
        virDomainDefFree(vm->def);
        vm->def = g_steal_pointer(&vm->newDef);
    }
    vm->def->id = -1;
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, reason);
    if (!vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
}

/* Parse @xml as a definition to add: its id is -1 until it starts. */
static virDomainDef *
testDomainDefParse(const char *xml)
{
    virDomainDef *def = virDomainDefParseString(xml, 0);

    if (def)
        def->id = -1;
    return def;
}

/* ------------------------------------------------------------------ */
/* Connections                                                          */

static testDriver *
testDriverNewDefault(void)
{
    static const virDomainXMLPrivateDataCallbacks priv = {
        .alloc = testDomainObjPrivateAlloc,
        .free = g_free,
    };
    testDriver *driver = g_new0(testDriver, 1);
    virDomainDef *def;
    virDomainObj *vm;

    g_mutex_init(&driver->lock);
    driver->xmlopt = virDomainXMLOptionNew(&priv, driver);
    driver->domains = virDomainObjListNew();
    driver->eventState = virDomainEventStateNew();
    driver->nextID = 1;
    if (!(def = testDomainDefParse(testDefaultDomainXML))) {
        testDriverFree(driver);
        return NULL;
    }
    vm = testDomainObjAdd(driver, def);
    vm->persistent = true;
    /* Running from the start, as libvirt's: id 1, and no event told. */
    testDomainObjSetRunning(driver, vm, false);
    return driver;
}

static virDrvOpenStatus
testConnectOpen(virConnectPtr conn, GUri *uri,
                virConnectAuthPtr auth G_GNUC_UNUSED, unsigned int flags)
{
    const char *path = g_uri_get_path(uri);

    virCheckFlags(VIR_CONNECT_RO, VIR_DRV_OPEN_ERROR);
    if (g_strcmp0(path, "/default") != 0) {
        /* libvirt's also reads a file of domains named by the path. */
        virReportError(VIR_ERR_INVALID_ARG,
                       "the test driver opens test:///default only, not '%s'",
                       conn->uri);
        return VIR_DRV_OPEN_ERROR;
    }
    g_mutex_lock(&testDefaultLock);
    if (!testDefaultDriver && !(testDefaultDriver = testDriverNewDefault())) {
        g_mutex_unlock(&testDefaultLock);
        return VIR_DRV_OPEN_ERROR;
    }
    testDefaultConnections++;
    conn->privateData = testDefaultDriver;
    g_mutex_unlock(&testDefaultLock);
    return VIR_DRV_OPEN_SUCCESS;
}

static int
testConnectClose(virConnectPtr conn)
{
    testDriver *driver = conn->privateData;

    if (!driver)
        return 0;
    virDomainEventStateDeregisterConn(driver->eventState, conn);
    conn->privateData = NULL;
    g_mutex_lock(&testDefaultLock);
    if (--testDefaultConnections == 0)
        g_clear_pointer(&testDefaultDriver, testDriverFree);
    g_mutex_unlock(&testDefaultLock);
    return 0;
}

static int
testConnectGetVersion(virConnectPtr conn G_GNUC_UNUSED, unsigned long *hvVer)
{
    *hvVer = 2;     /* libvirt's test driver says 0.0.2 */
    return 0;
}

/* ------------------------------------------------------------------ */
/* Domain calls                                                         */

static virDomainPtr
testDomainDefineXMLFlags(virConnectPtr conn, const char *xml, unsigned int flags)
{
    testDriver *driver = conn->privateData;
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainObj) existing = NULL;
    virDomainObj *vm;
    virDomainPtr ret = NULL;
    int detail = VIR_DOMAIN_EVENT_DEFINED_ADDED;

    virCheckFlags(VIR_DOMAIN_DEFINE_VALIDATE, NULL);
    if (!(def = testDomainDefParse(xml)))
        return NULL;
    g_mutex_lock(&driver->lock);
    if (testDomainObjCheckConflict(driver, def, &existing) < 0)
        goto cleanup;
    if (!(vm = existing)) {
        vm = testDomainObjAdd(driver, g_steal_pointer(&def));
    } else if (virDomainObjIsActive(vm)) {
        /* For the next start. */
        virDomainDefFree(vm->newDef);
        vm->newDef = g_steal_pointer(&def);
    } else {
        virDomainDefFree(vm->def);
        vm->def = g_steal_pointer(&def);
    }
    if (vm->persistent)
        detail = VIR_DOMAIN_EVENT_DEFINED_UPDATED;
    vm->persistent = true;
    testDomainEventQueue(driver, vm, VIR_DOMAIN_EVENT_DEFINED, detail);
    ret = virDomainDriverHandle(conn, vm, true);

 cleanup:
    g_mutex_unlock(&driver->lock);
    return ret;
}

/*
 * Run @func on the domain of @dom with the driver's lock held: every call
 * on a domain handle. Returns what @func returns, or -1 (VIR_ERR_NO_DOMAIN).
 */
typedef int (*testDomainFunc)(testDriver *driver, virDomainPtr dom,
                              virDomainObj *vm, void *opaque);

static int
testDomainCall(virDomainPtr dom, testDomainFunc func, void *opaque)
{
    testDriver *driver = dom->conn->privateData;
    g_autoptr(virDomainObj) vm = NULL;
    int ret = -1;

    g_mutex_lock(&driver->lock);
    if ((vm = testDomObjFromDomain(driver, dom)))
        ret = func(driver, dom, vm, opaque);
    g_mutex_unlock(&driver->lock);
    return ret;
}

static int
testDomainUndefineFunc(testDriver *driver, virDomainPtr dom G_GNUC_UNUSED,
                       virDomainObj *vm, void *opaque G_GNUC_UNUSED)
{
    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "cannot undefine transient domain '%s'", vm->def->name);
        return -1;
    }
    testDomainEventQueue(driver, vm, VIR_DOMAIN_EVENT_UNDEFINED,
                         VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    vm->persistent = false;
    if (virDomainObjIsActive(vm))
        g_clear_pointer(&vm->newDef, virDomainDefFree);
    else
        virDomainObjListRemove(driver->domains, vm);
    return 0;
}

static int
testDomainUndefineFlags(virDomainPtr dom, unsigned int flags)
{
    virCheckFlags(0, -1);
    return testDomainCall(dom, testDomainUndefineFunc, NULL);
}

static int
testDomainCreateFunc(testDriver *driver, virDomainPtr dom, virDomainObj *vm,
                     void *opaque)
{
    unsigned int flags = *(unsigned int *) opaque;

    if (virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is already running", vm->def->name);
        return -1;
    }
    testDomainObjStart(driver, vm, flags & VIR_DOMAIN_START_PAUSED);
    dom->id = vm->def->id;
    return 0;
}

static int
testDomainCreateWithFlags(virDomainPtr dom, unsigned int flags)
{
    virCheckFlags(VIR_DOMAIN_START_PAUSED, -1);
    return testDomainCall(dom, testDomainCreateFunc, &flags);
}

static virDomainPtr
testDomainCreateXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    testDriver *driver = conn->privateData;
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainObj) existing = NULL;
    virDomainObj *vm;
    virDomainPtr ret = NULL;

    virCheckFlags(VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_VALIDATE, NULL);
    if (!(def = testDomainDefParse(xml)))
        return NULL;
    g_mutex_lock(&driver->lock);
    if (testDomainObjCheckConflict(driver, def, &existing) < 0)
        goto cleanup;
    if (existing) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       "domain '%s' already exists", def->name);
        goto cleanup;
    }
    vm = testDomainObjAdd(driver, g_steal_pointer(&def));
    testDomainObjStart(driver, vm, flags & VIR_DOMAIN_START_PAUSED);
    ret = virDomainDriverHandle(conn, vm, true);

 cleanup:
    g_mutex_unlock(&driver->lock);
    return ret;
}

static int
testDomainDestroyFunc(testDriver *driver, virDomainPtr dom, virDomainObj *vm,
                      void *opaque G_GNUC_UNUSED)
{
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running", vm->def->name);
        return -1;
    }
    testDomainObjStop(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                      VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    dom->id = -1;
    return 0;
}

static int
testDomainDestroyFlags(virDomainPtr dom, unsigned int flags)
{
    virCheckFlags(VIR_DOMAIN_DESTROY_GRACEFUL, -1);
    return testDomainCall(dom, testDomainDestroyFunc, NULL);
}

static virDomainObj *
testDomainObjFindByID(virDomainObjList *domains, const void *id)
{
    return virDomainObjListFindByID(domains, *(const int *) id);
}

static virDomainObj *
testDomainObjFindByName(virDomainObjList *domains, const void *name)
{
    return virDomainObjListFindByName(domains, name);
}

static virDomainObj *
testDomainObjFindByUUID(virDomainObjList *domains, const void *uuid)
{
    return virDomainObjListFindByUUID(domains, uuid);
}

/* A handle on the domain @find finds for @key, or NULL (nothing reported). */
static virDomainPtr
testDomainLookup(virConnectPtr conn,
                 virDomainObj *(*find)(virDomainObjList *domains, const void *key),
                 const void *key)
{
    testDriver *driver = conn->privateData;
    g_autoptr(virDomainObj) vm = NULL;
    virDomainPtr ret = NULL;

    g_mutex_lock(&driver->lock);
    if ((vm = find(driver->domains, key)))
        ret = virDomainDriverHandle(conn, vm, true);
    g_mutex_unlock(&driver->lock);
    return ret;
}

static virDomainPtr
testDomainLookupByName(virConnectPtr conn, const char *name)
{
    virDomainPtr ret = testDomainLookup(conn, testDomainObjFindByName, name);

    if (!ret)
        virReportError(VIR_ERR_NO_DOMAIN, "no domain with matching name '%s'", name);
    return ret;
}

static virDomainPtr
testDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    virDomainPtr ret = testDomainLookup(conn, testDomainObjFindByUUID, uuid);

    if (!ret)
        virDomainDriverReportNoDomain(uuid, NULL);
    return ret;
}

static virDomainPtr
testDomainLookupByID(virConnectPtr conn, int id)
{
    virDomainPtr ret = testDomainLookup(conn, testDomainObjFindByID, &id);

    if (!ret)
        virReportError(VIR_ERR_NO_DOMAIN, "no domain with matching id %d", id);
    return ret;
}

static int
testConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains,
                          unsigned int flags)
{
    testDriver *driver = conn->privateData;
    g_autoptr(GPtrArray) out = g_ptr_array_new();
    g_autoptr(GPtrArray) all = NULL;

    virCheckFlags(VIR_CONNECT_LIST_DOMAINS_FILTERS_ALL, -1);
    g_mutex_lock(&driver->lock);
    all = virDomainObjListCollect(driver->domains);
    for (guint i = 0; i < all->len; i++) {
        virDomainObj *vm = g_ptr_array_index(all, i);

        if (virDomainDriverListMatch(virDomainObjIsActive(vm), vm->persistent,
                                     vm->state, flags))
            g_ptr_array_add(out, domains ? virDomainDriverHandle(conn, vm, true) : NULL);
    }
    g_mutex_unlock(&driver->lock);
    return virDomainDriverListExport(out, domains);
}

static int
testDomainGetStateQuery(testDriver *driver G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                         virDomainObj *vm, void *opaque)
{
    int **out = opaque;

    *out[0] = vm->state;
    if (out[1])
        *out[1] = vm->reason;
    return 0;
}

static int
testDomainGetState(virDomainPtr dom, int *state, int *reason, unsigned int flags)
{
    int *out[] = { state, reason };

    virCheckFlags(0, -1);
    return testDomainCall(dom, testDomainGetStateQuery, out);
}

static int
testDomainGetInfoQuery(testDriver *driver G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                        virDomainObj *vm, void *opaque)
{
    testDomainObjPrivate *priv = vm->privateData;
    virDomainInfoPtr info = opaque;

    info->state = vm->state;
    info->maxMem = vm->def->maxMemKiB;
    info->memory = vm->def->curMemKiB;
    info->nrVirtCpu = vm->def->vcpus;
    /* Nothing runs: the time since the start stands in for CPU time. */
    if (virDomainObjIsActive(vm))
        info->cpuTime = (g_get_monotonic_time() - priv->startTime) * 1000ULL;
    return 0;
}

static int
testDomainGetInfo(virDomainPtr dom, virDomainInfoPtr info)
{
    return testDomainCall(dom, testDomainGetInfoQuery, info);
}

typedef struct {
    unsigned int flags;
    char *xml;
} testDomainXMLQuery;

static int
testDomainGetXMLDescQuery(testDriver *driver G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                           virDomainObj *vm, void *opaque)
{
    testDomainXMLQuery *q = opaque;

    q->xml = virDomainDriverFormatXML(vm->def, vm->newDef,
                                      virDomainObjIsActive(vm), q->flags);
    return q->xml ? 0 : -1;
}

static char *
testDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    testDomainXMLQuery q = { .flags = flags, .xml = NULL };

    virCheckFlags(VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE |
                  VIR_DOMAIN_XML_UPDATE_CPU | VIR_DOMAIN_XML_MIGRATABLE, NULL);
    testDomainCall(dom, testDomainGetXMLDescQuery, &q);
    return q.xml;
}

static int
testDomainIsActiveQuery(testDriver *driver G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                         virDomainObj *vm, void *opaque G_GNUC_UNUSED)
{
    return virDomainObjIsActive(vm);
}

static int
testDomainIsActive(virDomainPtr dom)
{
    return testDomainCall(dom, testDomainIsActiveQuery, NULL);
}

static int
testDomainIsPersistentQuery(testDriver *driver G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                             virDomainObj *vm, void *opaque G_GNUC_UNUSED)
{
    return vm->persistent;
}

static int
testDomainIsPersistent(virDomainPtr dom)
{
    return testDomainCall(dom, testDomainIsPersistentQuery, NULL);
}

static int
testConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom,
                                  int eventID,
                                  virConnectDomainEventGenericCallback cb,
                                  void *opaque, virFreeCallback freecb)
{
    testDriver *driver = conn->privateData;

    return virDomainEventStateRegisterID(driver->eventState, conn, dom, eventID,
                                         cb, opaque, freecb);
}

static int
testConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    testDriver *driver = conn->privateData;

    return virDomainEventStateDeregisterID(driver->eventState, conn, callbackID);
}

static const char *
testConnectGetType(virConnectPtr conn G_GNUC_UNUSED)
{
    return "Test";
}

static char *
testConnectGetHostname(virConnectPtr conn G_GNUC_UNUSED)
{
    return virDomainDriverGetHostname();
}

/* The ids of the running domains (@names NULL) or the names of the
 * inactive persistent ones (@ids NULL). */
static void
testConnectCollect(virConnectPtr conn, GArray *ids, GPtrArray *names)
{
    testDriver *driver = conn->privateData;
    g_autoptr(GPtrArray) all = NULL;

    g_mutex_lock(&driver->lock);
    all = virDomainObjListCollect(driver->domains);
    for (guint i = 0; i < all->len; i++) {
        virDomainObj *vm = g_ptr_array_index(all, i);

        if (ids && virDomainObjIsActive(vm))
            g_array_append_val(ids, vm->def->id);
        else if (names && !virDomainObjIsActive(vm) && vm->persistent)
            g_ptr_array_add(names, g_strdup(vm->def->name));
    }
    g_mutex_unlock(&driver->lock);
}

static int
testConnectNumOfDomains(virConnectPtr conn)
{
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));

    testConnectCollect(conn, ids, NULL);
    return ids->len;
}

static int
testConnectListDomains(virConnectPtr conn, int *ids, int maxids)
{
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(int));

    testConnectCollect(conn, all, NULL);
    return virDomainDriverExportIDs(all, ids, maxids);
}

static int
testConnectNumOfDefinedDomains(virConnectPtr conn)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    testConnectCollect(conn, NULL, names);
    return names->len;
}

static int
testConnectListDefinedDomains(virConnectPtr conn, char **const names,
                              int maxnames)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);

    testConnectCollect(conn, NULL, all);
    return virDomainDriverExportNames(all, names, maxnames);
}

/*
 * Suspend (@opaque true) or resume a domain, as libvirt's test driver:
 * only a running domain may be suspended and only a paused one resumed
 * (VIR_ERR_OPERATION_INVALID otherwise; the QEMU driver takes a repeated
 * call as done). The state and event are the QEMU driver's.
 */
static int
testDomainSetRunStateFunc(testDriver *driver, virDomainPtr dom G_GNUC_UNUSED,
                          virDomainObj *vm, void *opaque)
{
    bool pause = *(bool *) opaque;

    if (pause && vm->state != VIR_DOMAIN_RUNNING) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running", vm->def->name);
        return -1;
    }
    if (!pause && vm->state != VIR_DOMAIN_PAUSED) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not paused", vm->def->name);
        return -1;
    }
    if (pause) {
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
        testDomainEventQueue(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                             VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    } else {
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
        testDomainEventQueue(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                             VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    }
    return 0;
}

static int
testDomainSuspend(virDomainPtr dom)
{
    bool pause = true;

    return testDomainCall(dom, testDomainSetRunStateFunc, &pause);
}

static int
testDomainResume(virDomainPtr dom)
{
    bool pause = false;

    return testDomainCall(dom, testDomainSetRunStateFunc, &pause);
}

/* Block pull and the QEMU monitor are left out: VIR_ERR_NO_SUPPORT. */
static virHypervisorDriver testHypervisorDriver = {
    .name = "Test",
    .connectOpen = testConnectOpen,
    .connectClose = testConnectClose,
    .connectGetVersion = testConnectGetVersion,
    .domainDefineXMLFlags = testDomainDefineXMLFlags,
    .domainUndefineFlags = testDomainUndefineFlags,
    .domainCreateWithFlags = testDomainCreateWithFlags,
    .domainCreateXML = testDomainCreateXML,
    .domainDestroyFlags = testDomainDestroyFlags,
    .domainLookupByName = testDomainLookupByName,
    .domainLookupByUUID = testDomainLookupByUUID,
    .domainLookupByID = testDomainLookupByID,
    .connectListAllDomains = testConnectListAllDomains,
    .domainGetState = testDomainGetState,
    .domainGetInfo = testDomainGetInfo,
    .domainGetXMLDesc = testDomainGetXMLDesc,
    .domainIsActive = testDomainIsActive,
    .domainIsPersistent = testDomainIsPersistent,
    .connectDomainEventRegisterAny = testConnectDomainEventRegisterAny,
    .connectDomainEventDeregisterAny = testConnectDomainEventDeregisterAny,
    .connectGetType = testConnectGetType,
    .connectGetHostname = testConnectGetHostname,
    .connectNumOfDomains = testConnectNumOfDomains,
    .connectListDomains = testConnectListDomains,
    .connectNumOfDefinedDomains = testConnectNumOfDefinedDomains,
    .connectListDefinedDomains = testConnectListDefinedDomains,
    .domainSuspend = testDomainSuspend,
    .domainResume = testDomainResume,
};

static const char *const testURISchemes[] = { "test", NULL };

static virConnectDriver testConnectDriver = {
    .localOnly = true,
    .uriSchemes = testURISchemes,
    .uriHelp = "test:///default",
    .hypervisorDriver = &testHypervisorDriver,
};

int
testRegister(void)
{
    return virRegisterConnectDriver(&testConnectDriver);
}
