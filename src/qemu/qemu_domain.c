/*
 * qemu_domain.c: domain objects of the QEMU driver, their jobs, and the
 * status files that let a new process carry on with running domains.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "qemu_domain.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

/* How often a status save that failed is tried again while an event waits
 * for it (the file system may be full). */
#define QEMU_DOMAIN_SAVE_RETRY_MS 1000

static void qemuDomainSaveRetrySchedule(qemuDriver *driver);

virDomainObj *
virDomainObjNew(void)
{
    virDomainObj *vm = g_new0(virDomainObj, 1);

    vm->refs = 1;
    vm->liveID = -1;
    g_mutex_init(&vm->lock);
    g_cond_init(&vm->cond);
    vm->state = VIR_DOMAIN_SHUTOFF;
    vm->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
    vm->blockjobs = g_ptr_array_new();
    vm->pendingEvents = g_ptr_array_new_with_free_func((GDestroyNotify) virDomainEventFree);
    return vm;
}

void
virDomainObjRef(virDomainObj *vm)
{
    g_atomic_int_inc(&vm->refs);
}

static void
qemuBlockJobFree(qemuBlockJob *job)
{
    if (!job)
        return;
    g_free(job->disk);
    g_free(job->jobid);
    g_free(job->errmsg);
    g_free(job);
}

void
virDomainObjUnref(virDomainObj *vm)
{
    if (!vm || !g_atomic_int_dec_and_test(&vm->refs))
        return;
    virDomainDefFree(vm->def);
    virDomainDefFree(vm->newDef);
    g_free(vm->name);
    g_free(vm->monPath);
    g_free(vm->pidPath);
    g_free(vm->pidBootID);
    g_free(vm->logPath);
    g_strfreev(vm->labels);
    for (guint i = 0; i < vm->blockjobs->len; i++)
        qemuBlockJobFree(g_ptr_array_index(vm->blockjobs, i));
    g_ptr_array_unref(vm->blockjobs);
    g_ptr_array_unref(vm->pendingEvents);
    g_mutex_clear(&vm->lock);
    g_cond_clear(&vm->cond);
    g_free(vm);
}

bool
virDomainObjIsActive(virDomainObj *vm)
{
    return vm->def && vm->def->id >= 0;
}

void
virDomainObjSetState(virDomainObj *vm, int state, int reason)
{
    vm->state = state;
    vm->reason = reason;
    g_atomic_int_set(&vm->liveID, vm->def && vm->def->id >= 0 ? vm->def->id : -1);
    g_cond_broadcast(&vm->cond);
}

/* ------------------------------------------------------------------ */
/* The list                                                             */

static char *
qemuUUIDKey(const unsigned char *uuid)
{
    char *str = g_new0(char, VIR_UUID_STRING_BUFLEN);
    virUUIDFormat(uuid, str);
    return str;
}

void
qemuDomainObjListAdd(qemuDriver *driver, virDomainObj *vm)
{
    virDomainObjRef(vm);
    vm->removed = false;
    if (!vm->name) {
        vm->name = g_strdup(vm->def->name);
        memcpy(vm->uuid, vm->def->uuid, VIR_UUID_BUFLEN);
    }
    g_atomic_int_set(&vm->liveID, vm->def->id >= 0 ? vm->def->id : -1);
    g_mutex_lock(&driver->lock);
    g_hash_table_insert(driver->domains, qemuUUIDKey(vm->uuid), vm);
    g_mutex_unlock(&driver->lock);
}

void
qemuDomainObjListRemove(qemuDriver *driver, virDomainObj *vm)
{
    g_autofree char *key = qemuUUIDKey(vm->uuid);

    vm->removed = true;
    g_mutex_lock(&driver->lock);
    if (g_hash_table_lookup(driver->domains, key) == vm)
        g_hash_table_remove(driver->domains, key);
    g_mutex_unlock(&driver->lock);
}

typedef bool (*qemuDomainObjMatch)(virDomainObj *vm, const void *data);

/* Lookups read only what needs no domain lock (see virDomainObj): a
 * domain busy for seconds (starting, being killed) never holds up calls on
 * the others, and the lock order stays domain, then list. */
static virDomainObj *
qemuDomainObjFind(qemuDriver *driver, qemuDomainObjMatch match, const void *data)
{
    GHashTableIter iter;
    gpointer value;
    virDomainObj *found = NULL;

    g_mutex_lock(&driver->lock);
    g_hash_table_iter_init(&iter, driver->domains);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        virDomainObj *vm = value;

        if (match(vm, data)) {
            found = vm;
            virDomainObjRef(vm);
            break;
        }
    }
    g_mutex_unlock(&driver->lock);
    return found;
}

static bool
qemuMatchUUID(virDomainObj *vm, const void *data)
{
    return memcmp(vm->uuid, data, VIR_UUID_BUFLEN) == 0;
}

static bool
qemuMatchName(virDomainObj *vm, const void *data)
{
    return strcmp(vm->name, data) == 0;
}

static bool
qemuMatchID(virDomainObj *vm, const void *data)
{
    gint id = g_atomic_int_get(&vm->liveID);
    return id >= 0 && id == *(const int *) data;
}

virDomainObj *
qemuDomainObjFindByUUID(qemuDriver *driver, const unsigned char *uuid)
{
    return qemuDomainObjFind(driver, qemuMatchUUID, uuid);
}

virDomainObj *
qemuDomainObjFindByName(qemuDriver *driver, const char *name)
{
    return qemuDomainObjFind(driver, qemuMatchName, name);
}

virDomainObj *
qemuDomainObjFindByID(qemuDriver *driver, int id)
{
    return qemuDomainObjFind(driver, qemuMatchID, &id);
}

GPtrArray *
qemuDomainObjListGetAll(qemuDriver *driver)
{
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify) virDomainObjUnref);
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&driver->lock);
    g_hash_table_iter_init(&iter, driver->domains);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        virDomainObjRef(value);
        g_ptr_array_add(all, value);
    }
    g_mutex_unlock(&driver->lock);
    return all;
}

/* ------------------------------------------------------------------ */
/* Jobs and monitor access                                              */

void
qemuDomainObjBeginJob(virDomainObj *vm)
{
    while (vm->job)
        g_cond_wait(&vm->cond, &vm->lock);
    vm->job = true;
}

void
qemuDomainObjEndJob(virDomainObj *vm)
{
    vm->job = false;
    g_cond_broadcast(&vm->cond);
}

qemuMonitor *
qemuDomainObjEnterMonitor(virDomainObj *vm)
{
    if (!vm->mon || vm->monEOF) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "domain '%s' is not running (its QEMU is gone)",
                       vm->def->name);
        return NULL;
    }
    vm->monUsers++;
    g_mutex_unlock(&vm->lock);
    return vm->mon;
}

void
qemuDomainObjExitMonitor(virDomainObj *vm)
{
    g_mutex_lock(&vm->lock);
    vm->monUsers--;
    g_cond_broadcast(&vm->cond);
}

/* ------------------------------------------------------------------ */
/* Block jobs                                                           */

static const char *const qemuBlockJobStateNames[] = {
    "new", "running", "paused", "pending", "concluded",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemuBlockJobStateNames) == QEMU_BLOCKJOB_STATE_LAST);

const char *
qemuBlockJobStateToString(qemuBlockJobState state)
{
    if (state >= QEMU_BLOCKJOB_STATE_LAST)
        return "unknown";
    return qemuBlockJobStateNames[state];
}

static int
qemuBlockJobStateFromString(const char *str)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qemuBlockJobStateNames); i++) {
        if (str && strcmp(str, qemuBlockJobStateNames[i]) == 0)
            return i;
    }
    return -1;
}

qemuBlockJob *
qemuBlockJobFind(virDomainObj *vm, const char *disk)
{
    for (guint i = 0; i < vm->blockjobs->len; i++) {
        qemuBlockJob *job = g_ptr_array_index(vm->blockjobs, i);
        if (strcmp(job->disk, disk) == 0)
            return job;
    }
    return NULL;
}

qemuBlockJob *
qemuBlockJobFindByJobID(virDomainObj *vm, const char *jobid)
{
    for (guint i = 0; i < vm->blockjobs->len; i++) {
        qemuBlockJob *job = g_ptr_array_index(vm->blockjobs, i);
        if (strcmp(job->jobid, jobid) == 0)
            return job;
    }
    return NULL;
}

qemuBlockJob *
qemuBlockJobAdd(virDomainObj *vm, const char *disk)
{
    static gint lastSerial;
    qemuBlockJob *job = g_new0(qemuBlockJob, 1);

    /* Also for a job read back from a status file: a pull started later
     * in this process always has a different serial. */
    job->serial = (unsigned int) g_atomic_int_add(&lastSerial, 1) + 1;
    job->disk = g_strdup(disk);
    job->jobid = g_strdup_printf("pull-%s", disk);
    g_ptr_array_add(vm->blockjobs, job);
    return job;
}

void
qemuBlockJobRemove(virDomainObj *vm, qemuBlockJob *job)
{
    g_ptr_array_remove(vm->blockjobs, job);
    qemuBlockJobFree(job);
    g_cond_broadcast(&vm->cond);
}

/* ------------------------------------------------------------------ */
/* Status and config files                                              */

static const char *const virDomainStateNames[] = {
    "nostate", "running", "blocked", "paused", "shutdown", "shutoff",
    "crashed", "pmsuspended",
};

char *
qemuDomainStatusPath(qemuDriver *driver, const char *name)
{
    return g_strdup_printf("%s/%s.xml", driver->stateDir, name);
}

char *
qemuDomainConfigPath(qemuDriver *driver, const char *name)
{
    return g_strdup_printf("%s/%s.xml", driver->configDir, name);
}

static void
qemuXMLEscapeAttr(GString *buf, const char *name, const char *value)
{
    g_autofree char *esc = g_markup_escape_text(value, -1);
    g_string_append_printf(buf, " %s='%s'", name, esc);
}

int
qemuDomainSaveStatus(qemuDriver *driver, virDomainObj *vm)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autofree char *path = qemuDomainStatusPath(driver, vm->def->name);

    g_string_append_printf(buf, "<domstatus state='%s' reason='%d' pid='%d' persistent='%s'",
                           virDomainStateNames[vm->state], vm->reason,
                           (int) vm->pid, vm->persistent ? "yes" : "no");
    if (vm->pid > 0 && vm->pidBootID) {
        g_string_append_printf(buf, " starttime='%llu'", vm->pidStartTime);
        qemuXMLEscapeAttr(buf, "bootid", vm->pidBootID);
    }
    g_string_append(buf, ">\n");
    if (vm->monPath) {
        g_string_append(buf, "  <monitor");
        qemuXMLEscapeAttr(buf, "path", vm->monPath);
        g_string_append(buf, "/>\n");
    }
    if (vm->logPath) {
        g_string_append(buf, "  <log");
        qemuXMLEscapeAttr(buf, "path", vm->logPath);
        g_string_append(buf, "/>\n");
    }
    if (vm->labels && vm->labels[0]) {
        g_string_append(buf, "  <labels>\n");
        for (size_t i = 0; vm->labels[i]; i++) {
            g_string_append(buf, "    <image");
            qemuXMLEscapeAttr(buf, "path", vm->labels[i]);
            g_string_append(buf, "/>\n");
        }
        g_string_append(buf, "  </labels>\n");
    }
    if (vm->blockjobs->len > 0) {
        g_string_append(buf, "  <blockjobs>\n");
        for (guint i = 0; i < vm->blockjobs->len; i++) {
            qemuBlockJob *job = g_ptr_array_index(vm->blockjobs, i);

            g_string_append(buf, "    <blockjob");
            qemuXMLEscapeAttr(buf, "disk", job->disk);
            qemuXMLEscapeAttr(buf, "jobid", job->jobid);
            g_string_append_printf(buf,
                                   " state='%s' stepwise='%s' abort='%s' failed='%s'"
                                   " cur='%llu' end='%llu'",
                                   qemuBlockJobStateToString(job->state),
                                   job->stepwise ? "yes" : "no",
                                   job->abortRequested ? "yes" : "no",
                                   job->failed ? "yes" : "no",
                                   job->cur, job->end);
            if (job->errmsg) {
                g_autofree char *esc = g_markup_escape_text(job->errmsg, -1);
                g_string_append_printf(buf, "><error>%s</error></blockjob>\n", esc);
            } else {
                g_string_append(buf, "/>\n");
            }
        }
        g_string_append(buf, "  </blockjobs>\n");
    }
    virDomainDefFormatBuf(buf, vm->def, VIR_DOMAIN_DEF_FORMAT_STATUS, 2);
    if (vm->newDef) {
        g_string_append(buf, "  <persistent>\n");
        virDomainDefFormatBuf(buf, vm->newDef, VIR_DOMAIN_DEF_FORMAT_INACTIVE, 4);
        g_string_append(buf, "  </persistent>\n");
    }
    g_string_append(buf, "</domstatus>\n");
    VIR_DEBUG("saving status of '%s'", vm->def->name);
    if (virFileWriteAtomic(path, buf->str, 0600) < 0) {
        if (vm->pendingEvents->len > 0)
            qemuDomainSaveRetrySchedule(driver);
        return -1;
    }
    qemuDomainQueuePendingEvents(driver, vm);
    return 0;
}

int
qemuDomainSaveStatusEvent(qemuDriver *driver, virDomainObj *vm,
                          virDomainEvent *event)
{
    if (event)
        g_ptr_array_add(vm->pendingEvents, event);
    return qemuDomainSaveStatus(driver, vm);
}

void
qemuDomainQueuePendingEvents(qemuDriver *driver, virDomainObj *vm)
{
    for (guint i = 0; i < vm->pendingEvents->len; i++)
        qemuDomainEventQueue(driver, g_steal_pointer(&vm->pendingEvents->pdata[i]));
    g_ptr_array_set_size(vm->pendingEvents, 0);
}

/* Runs in the monitor's event thread: it must never wait for a domain (a
 * thread holding one may wait for this very thread), so a busy domain is
 * left for the next round. */
static gboolean
qemuDomainSaveRetry(gpointer opaque)
{
    qemuDriver *driver = opaque;
    g_autoptr(GPtrArray) all = NULL;
    gboolean again;

    g_mutex_lock(&driver->lock);
    driver->saveRetryNeeded = false;
    g_mutex_unlock(&driver->lock);

    all = qemuDomainObjListGetAll(driver);
    for (guint i = 0; i < all->len; i++) {
        virDomainObj *vm = g_ptr_array_index(all, i);

        if (!g_mutex_trylock(&vm->lock)) {
            g_mutex_lock(&driver->lock);
            driver->saveRetryNeeded = true;
            g_mutex_unlock(&driver->lock);
            continue;
        }
        if (vm->pendingEvents->len > 0 && virDomainObjIsActive(vm) &&
            qemuDomainSaveStatus(driver, vm) < 0) {
            VIR_DEBUG("status of domain '%s' still cannot be saved: %s",
                      vm->def->name, virGetLastErrorMessage());
            virResetLastError();
        }
        g_mutex_unlock(&vm->lock);
    }

    /* Decided under the lock a failed save takes to ask for a retry: no
     * request falls between this round and the next source. */
    g_mutex_lock(&driver->lock);
    again = driver->saveRetryNeeded && !driver->shuttingDown;
    if (!again)
        g_clear_pointer(&driver->saveRetry, g_source_unref);
    g_mutex_unlock(&driver->lock);
    return again ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
qemuDomainSaveRetrySchedule(qemuDriver *driver)
{
    g_mutex_lock(&driver->lock);
    driver->saveRetryNeeded = true;
    if (!driver->saveRetry && !driver->shuttingDown && driver->eventThread) {
        VIR_DEBUG("retrying the failed status save in %d ms",
                  QEMU_DOMAIN_SAVE_RETRY_MS);
        driver->saveRetry = g_timeout_source_new(QEMU_DOMAIN_SAVE_RETRY_MS);
        g_source_set_callback(driver->saveRetry, qemuDomainSaveRetry, driver, NULL);
        g_source_attach(driver->saveRetry,
                        virEventThreadGetContext(driver->eventThread));
    }
    g_mutex_unlock(&driver->lock);
}

void
qemuDomainSaveRetryCancel(qemuDriver *driver)
{
    GSource *retry;

    g_mutex_lock(&driver->lock);
    driver->shuttingDown = true;
    retry = g_steal_pointer(&driver->saveRetry);
    g_mutex_unlock(&driver->lock);
    if (retry) {
        g_source_destroy(retry);
        g_source_unref(retry);
    }
}

void
qemuDomainRemoveStatus(qemuDriver *driver, virDomainObj *vm)
{
    g_autofree char *path = qemuDomainStatusPath(driver, vm->def->name);
    virFileUnlinkQuiet(path);
}

static char *
qemuXMLProp(xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetProp(node, BAD_CAST name);
    char *ret = v ? g_strdup((const char *) v) : NULL;
    xmlFree(v);
    return ret;
}

static xmlNodePtr
qemuXMLChild(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *) c->name, name) == 0)
            return c;
    }
    return NULL;
}

static bool
qemuXMLPropBool(xmlNodePtr node, const char *name)
{
    g_autofree char *v = qemuXMLProp(node, name);
    return v && strcmp(v, "yes") == 0;
}

static unsigned long long
qemuXMLPropULL(xmlNodePtr node, const char *name)
{
    g_autofree char *v = qemuXMLProp(node, name);
    return v ? g_ascii_strtoull(v, NULL, 10) : 0;
}

static void
qemuXMLDocFree(xmlDocPtr doc)
{
    xmlFreeDoc(doc);
}

typedef struct _xmlDoc virXMLDoc;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virXMLDoc, qemuXMLDocFree);

virDomainObj *
qemuDomainLoadStatus(qemuDriver *driver G_GNUC_UNUSED, const char *path)
{
    g_autoptr(virXMLDoc) doc = NULL;
    g_autoptr(virDomainObj) vm = virDomainObjNew();
    g_autofree char *state = NULL;
    g_autoptr(GPtrArray) labels = g_ptr_array_new();
    xmlNodePtr root, node;

    if (!(doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING))) {
        virReportError(VIR_ERR_XML_ERROR, "cannot parse status file '%s'", path);
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *) root->name, "domstatus") != 0) {
        virReportError(VIR_ERR_XML_ERROR, "'%s' is not a domain status file", path);
        return NULL;
    }
    state = qemuXMLProp(root, "state");
    vm->state = VIR_DOMAIN_NOSTATE;
    for (size_t i = 0; state && i < G_N_ELEMENTS(virDomainStateNames); i++) {
        if (strcmp(state, virDomainStateNames[i]) == 0)
            vm->state = i;
    }
    vm->reason = (int) qemuXMLPropULL(root, "reason");
    vm->pid = (pid_t) qemuXMLPropULL(root, "pid");
    vm->pidStartTime = qemuXMLPropULL(root, "starttime");
    vm->pidBootID = qemuXMLProp(root, "bootid");
    vm->persistent = qemuXMLPropBool(root, "persistent");
    if ((node = qemuXMLChild(root, "monitor")))
        vm->monPath = qemuXMLProp(node, "path");
    if ((node = qemuXMLChild(root, "log")))
        vm->logPath = qemuXMLProp(node, "path");
    if ((node = qemuXMLChild(root, "labels"))) {
        for (xmlNodePtr c = node->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE)
                g_ptr_array_add(labels, qemuXMLProp(c, "path"));
        }
    }
    g_ptr_array_add(labels, NULL);
    vm->labels = (char **) g_ptr_array_free(g_steal_pointer(&labels), FALSE);
    if ((node = qemuXMLChild(root, "blockjobs"))) {
        for (xmlNodePtr c = node->children; c; c = c->next) {
            g_autofree char *disk = NULL;
            g_autofree char *jstate = NULL;
            qemuBlockJob *job;
            xmlNodePtr err;
            int st;

            if (c->type != XML_ELEMENT_NODE)
                continue;
            disk = qemuXMLProp(c, "disk");
            jstate = qemuXMLProp(c, "state");
            if (!disk || (st = qemuBlockJobStateFromString(jstate)) < 0) {
                virReportError(VIR_ERR_XML_ERROR,
                               "bad <blockjob> in status file '%s'", path);
                return NULL;
            }
            job = qemuBlockJobAdd(vm, disk);
            g_free(job->jobid);
            job->jobid = qemuXMLProp(c, "jobid");
            job->state = st;
            job->stepwise = qemuXMLPropBool(c, "stepwise");
            job->abortRequested = qemuXMLPropBool(c, "abort");
            job->failed = qemuXMLPropBool(c, "failed");
            job->cur = qemuXMLPropULL(c, "cur");
            job->end = qemuXMLPropULL(c, "end");
            if ((err = qemuXMLChild(c, "error"))) {
                xmlChar *txt = xmlNodeGetContent(err);
                job->errmsg = g_strdup((const char *) txt);
                xmlFree(txt);
            }
        }
    }
    if (!(node = qemuXMLChild(root, "domain")) ||
        !(vm->def = virDomainDefParseNode(doc, node, VIR_DOMAIN_DEF_PARSE_STATUS)))
        return NULL;
    if ((node = qemuXMLChild(root, "persistent"))) {
        xmlNodePtr dnode = qemuXMLChild(node, "domain");
        if (dnode && !(vm->newDef = virDomainDefParseNode(doc, dnode, 0)))
            return NULL;
    }
    return g_steal_pointer(&vm);
}

/* The longest file name the driver makes from a domain name is the
 * temporary "NAME.xml.new" of an atomic write; file names have at most
 * NAME_MAX (255) bytes. */
#define QEMU_DOMAIN_NAME_MAX (255 - (int) strlen(".xml.new"))

/**
 * qemuDomainCheckName:
 * @name: a domain name
 *
 * The driver keeps a domain's definition, status, pid file and log in files
 * named after it: refuse a name those file names cannot hold, before
 * anything is written.
 *
 * Returns 0 if @name fits, -1 with VIR_ERR_CONFIG_UNSUPPORTED reported.
 */
int
qemuDomainCheckName(const char *name)
{
    if (strlen(name) > QEMU_DOMAIN_NAME_MAX) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "domain name '%s' is %zu bytes long, more than the %d bytes the QEMU driver allows",
                       name, strlen(name), QEMU_DOMAIN_NAME_MAX);
        return -1;
    }
    return 0;
}

int
qemuDomainSaveConfig(qemuDriver *driver, const virDomainDef *def)
{
    g_autofree char *path = qemuDomainConfigPath(driver, def->name);
    g_autofree char *xml = virDomainDefFormat(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE);

    return virFileWriteAtomic(path, xml, 0600);
}

void
qemuDomainRemoveConfig(qemuDriver *driver, const char *name)
{
    g_autofree char *path = qemuDomainConfigPath(driver, name);
    virFileUnlinkQuiet(path);
}

void
qemuDomainEventQueue(qemuDriver *driver, virDomainEvent *event)
{
    virDomainEventStateQueue(driver->eventState, event);
}
