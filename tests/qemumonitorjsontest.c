/*
 * qemumonitorjsontest.c: the monitor's QMP layer against a mock QEMU: the
 * arguments each command sends, the C structs made of each reply,
 * replies that break the schema, QEMU's errors, and every event of the
 * table turned into its typed callback.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "qemumonitortestutils.h"
#include "qemu/qemu_monitor_json.h"
#include "util/virerror.h"
#include "util/virjson.h"

#define VIR_FROM_THIS VIR_FROM_NONE

/* ------------------------------------------------------------------ */
/* Commands                                                             */

static void
testQueryStatus(testFixture *fx,
                gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *status = NULL;
    g_autofree char *status2 = NULL;
    bool running = true;

    mockExpect(fx->mock, "query-status", "-",
               "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, "
               "\"running\": false}}", 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpstr(status, ==, "prelaunch");

    mockExpect(fx->mock, "query-status", "-",
               "{\"return\": {\"status\": \"running\", \"singlestep\": false, "
               "\"running\": true}}", 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, &status2), ==, 0);
    g_assert_true(running);
    g_assert_cmpstr(status2, ==, "running");
}


/* Every simple command sends exactly the arguments QMP names. */
static void
testCommandArgs(testFixture *fx,
                gconstpointer data G_GNUC_UNUSED)
{
    mockQEMU *m = fx->mock;
    qemuMonitor *mon = fx->mon;
    g_auto(GStrv) names = NULL;
    g_autofree char *out = NULL;
    g_autoptr(virJSONValue) ret = NULL;

    mockExpect(m, "cont", "-", MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorCont(mon), ==, 0);
    mockExpect(m, "stop", "-", MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorStop(mon), ==, 0);
    mockExpect(m, "system_powerdown", "-", MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorSystemPowerdown(mon), ==, 0);

    mockExpect(m, "block-stream",
               "{\"job-id\": \"pull-vda\", \"device\": \"vda-fmt-0\", "
               "\"auto-finalize\": false, \"auto-dismiss\": false}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockStream(mon, "pull-vda", "vda-fmt-0",
                                           NULL, NULL, 0, false, false), ==, 0);
    mockExpect(m, "block-stream",
               "{\"job-id\": \"pull-vda\", \"device\": \"vda-fmt-0\", "
               "\"base-node\": \"libvirt-3-format\", \"backing-file\": \"base.qcow2\", "
               "\"auto-finalize\": false, \"auto-dismiss\": false}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockStream(mon, "pull-vda", "vda-fmt-0",
                                           "libvirt-3-format", "base.qcow2",
                                           0, false, false), ==, 0);
    mockExpect(m, "block-stream",
               "{\"job-id\": \"j\", \"device\": \"n\", \"speed\": 1048576, "
               "\"auto-finalize\": true, \"auto-dismiss\": true}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockStream(mon, "j", "n", NULL, NULL, 1048576,
                                           true, true), ==, 0);

    mockExpect(m, "block-job-pause", "{\"device\": \"pull-vda\"}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockJobPause(mon, "pull-vda"), ==, 0);
    mockExpect(m, "block-job-resume", "{\"device\": \"pull-vda\"}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockJobResume(mon, "pull-vda"), ==, 0);
    mockExpect(m, "block-job-cancel",
               "{\"device\": \"pull-vda\", \"force\": true}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockJobCancel(mon, "pull-vda", true), ==, 0);
    mockExpect(m, "block-job-cancel",
               "{\"device\": \"pull-vda\", \"force\": false}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockJobCancel(mon, "pull-vda", false), ==, 0);
    mockExpect(m, "block-job-set-speed",
               "{\"device\": \"pull-vda\", \"speed\": 0}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockJobSetSpeed(mon, "pull-vda", 0), ==, 0);
    mockExpect(m, "job-finalize", "{\"id\": \"pull-vda\"}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorJobFinalize(mon, "pull-vda"), ==, 0);
    mockExpect(m, "job-dismiss", "{\"id\": \"pull-vda\"}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorJobDismiss(mon, "pull-vda"), ==, 0);
    mockExpect(m, "blockdev-del", "{\"node-name\": \"vdb-fmt-1\"}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockdevDel(mon, "vdb-fmt-1"), ==, 0);

    mockExpect(m, "query-named-block-nodes", "{\"flat\": true}",
               "{\"return\": []}", 0);
    g_assert_cmpint(qemuMonitorQueryNamedBlockNodes(mon, &names), ==, 0);
    g_assert_nonnull(names);
    g_assert_null(names[0]);

    mockExpect(m, "human-monitor-command",
               "{\"command-line\": \"info version\"}",
               "{\"return\": \"7.2.1\\r\\n\"}", 0);
    g_assert_cmpint(qemuMonitorHumanCommand(mon, "info version", &out), ==, 0);
    g_assert_cmpstr(out, ==, "7.2.1\r\n");

    mockExpect(m, "quit", "-", MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorQuit(mon), ==, 0);

    /* layer 2 hands any command through, return value included */
    mockExpect(m, "query-version", "{\"x\": 1}",
               "{\"return\": {\"qemu\": {\"major\": 7}}}", 0);
    {
        json_object *args = json_object_new_object();

        json_object_object_add(args, "x", json_object_new_int(1));
        g_assert_cmpint(qemuMonitorArbitraryCommand(mon, "query-version", args,
                                                    &ret), ==, 0);
    }
    g_assert_cmpstr(json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN),
                    ==, "{\"qemu\":{\"major\":7}}");

    /* checked before anything is sent */
    g_assert_cmpint(qemuMonitorBlockStream(mon, NULL, "n", NULL, NULL, 0,
                                           false, false),
                    ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INVALID_ARG, "job-id", NULL);
    g_assert_cmpint(qemuMonitorBlockJobSetSpeed(mon, "j", G_MAXUINT64), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OVERFLOW, "speed", NULL);
    g_assert_cmpint(qemuMonitorHumanCommand(mon, NULL, NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INVALID_ARG, "command-line", NULL);
}


static void
testQueryBlockJobs(testFixture *fx,
                   gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-block-jobs.json");
    qemuMonitorBlockJobInfo *jobs = NULL;
    size_t njobs = 0;

    mockExpect(fx->mock, "query-block-jobs", "-", reply, 0);
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx->mon, &jobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 2);

    g_assert_cmpstr(jobs[0].id, ==, "pull-vda");
    g_assert_cmpstr(jobs[0].device, ==, "pull-vda");
    g_assert_cmpstr(jobs[0].type, ==, "stream");
    g_assert_cmpuint(jobs[0].offset, ==, 50331648);
    g_assert_cmpuint(jobs[0].len, ==, 268435456);
    g_assert_cmpuint(jobs[0].speed, ==, 1048576);
    g_assert_true(jobs[0].busy);
    g_assert_false(jobs[0].paused);
    g_assert_false(jobs[0].ready);
    g_assert_cmpstr(jobs[0].status, ==, "running");

    g_assert_cmpstr(jobs[1].id, ==, "pull-vdb");
    g_assert_cmpuint(jobs[1].offset, ==, 0);
    g_assert_cmpuint(jobs[1].len, ==, 1073741824);
    g_assert_cmpuint(jobs[1].speed, ==, 0);
    g_assert_false(jobs[1].busy);
    g_assert_true(jobs[1].paused);
    g_assert_cmpstr(jobs[1].status, ==, "paused");
    qemuMonitorBlockJobInfoListFree(jobs, njobs);

    mockExpect(fx->mock, "query-block-jobs", "-", "{\"return\": []}", 0);
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx->mon, &jobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 0);
    qemuMonitorBlockJobInfoListFree(jobs, njobs);
}


static void
testQueryJobs(testFixture *fx,
              gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-jobs.json");
    qemuMonitorJobInfo *jobs = NULL;
    size_t njobs = 0;

    mockExpect(fx->mock, "query-jobs", "-", reply, 0);
    g_assert_cmpint(qemuMonitorQueryJobs(fx->mon, &jobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 2);

    g_assert_cmpstr(jobs[0].id, ==, "pull-vda");
    g_assert_cmpstr(jobs[0].type, ==, "stream");
    g_assert_cmpint(jobs[0].status, ==, QEMU_MONITOR_JOB_STATUS_RUNNING);
    g_assert_cmpuint(jobs[0].current, ==, 134217728);
    g_assert_cmpuint(jobs[0].total, ==, 268435456);
    g_assert_null(jobs[0].error);

    g_assert_cmpstr(jobs[1].id, ==, "pull-vdb");
    g_assert_cmpint(jobs[1].status, ==, QEMU_MONITOR_JOB_STATUS_CONCLUDED);
    g_assert_cmpuint(jobs[1].current, ==, 4194304);
    g_assert_cmpuint(jobs[1].total, ==, 1073741824);
    g_assert_cmpstr(jobs[1].error, ==, "Input/output error");
    qemuMonitorJobInfoListFree(jobs, njobs);
}


/* A batch goes out whole before any reply is read: QEMU here keeps each
 * reply back until the next command comes (MOCK_HOLD), which a client
 * waiting for every reply before the next command would never send. Each
 * item gets its own result: QEMU's error, the parsed query-jobs list. */
static void
testBatch(testFixture *fx,
          gconstpointer data G_GNUC_UNUSED)
{
    qemuMonitorBatchItem items[] = {
        { .cmd = QEMU_MONITOR_BATCH_JOB_FINALIZE, .arg = "pull-vda" },
        { .cmd = QEMU_MONITOR_BATCH_QUERY_JOBS },
        { .cmd = QEMU_MONITOR_BATCH_JOB_DISMISS, .arg = "pull-vda" },
        { .cmd = QEMU_MONITOR_BATCH_BLOCKDEV_DEL, .arg = "libvirt-2-format" },
        { .cmd = QEMU_MONITOR_BATCH_BLOCKDEV_DEL, .arg = "libvirt-2-storage" },
    };
    qemuMonitorBatchItem bad[] = {
        { .cmd = QEMU_MONITOR_BATCH_QUERY_JOBS },
        { .cmd = QEMU_MONITOR_BATCH_BLOCKDEV_DEL, .arg = "n" },
    };
    qemuMonitorBatchItem none[] = {
        { .cmd = QEMU_MONITOR_BATCH_JOB_DISMISS, .arg = NULL },
    };
    guint before = mockCommands(fx->mock);

    mockExpect(fx->mock, "job-finalize", "{\"id\": \"pull-vda\"}",
               MOCK_EMPTY_REPLY, MOCK_HOLD);
    mockExpect(fx->mock, "query-jobs", "-",
               "{\"return\": [{\"id\": \"pull-vda\", \"type\": \"stream\", "
               "\"status\": \"concluded\", \"current-progress\": 1048576, "
               "\"total-progress\": 1048576}]}", MOCK_HOLD);
    mockExpect(fx->mock, "job-dismiss", "{\"id\": \"pull-vda\"}",
               MOCK_EMPTY_REPLY, MOCK_HOLD);
    mockExpect(fx->mock, "blockdev-del", "{\"node-name\": \"libvirt-2-format\"}",
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Node 'libvirt-2-format' is busy\"}}", MOCK_HOLD);
    mockExpect(fx->mock, "blockdev-del", "{\"node-name\": \"libvirt-2-storage\"}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorRunBatch(fx->mon, items, G_N_ELEMENTS(items)), ==, 0);
    g_assert_cmpuint(mockCommands(fx->mock), ==, before + 5);
    g_assert_null(virGetLastError());

    g_assert_cmpint(items[0].rc, ==, 0);
    g_assert_null(items[0].error);
    g_assert_cmpint(items[1].rc, ==, 0);
    g_assert_cmpuint(items[1].njobs, ==, 1);
    g_assert_cmpstr(items[1].jobs[0].id, ==, "pull-vda");
    g_assert_cmpint(items[1].jobs[0].status, ==, QEMU_MONITOR_JOB_STATUS_CONCLUDED);
    g_assert_null(items[1].jobs[0].error);
    g_assert_cmpint(items[2].rc, ==, 0);
    g_assert_cmpint(items[3].rc, ==, -1);
    g_assert_cmpstr(items[3].error, ==,
                    "QEMU command 'blockdev-del' failed: Node 'libvirt-2-format' "
                    "is busy (GenericError)");
    g_assert_cmpint(items[4].rc, ==, 0);
    g_assert_null(items[4].error);
    qemuMonitorBatchClear(items, G_N_ELEMENTS(items));
    g_assert_null(items[1].jobs);

    /* A reply that breaks the schema fails its item only. */
    mockExpect(fx->mock, "query-jobs", "-", "{\"return\": {}}", 0);
    mockExpect(fx->mock, "blockdev-del", "{\"node-name\": \"n\"}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorRunBatch(fx->mon, bad, G_N_ELEMENTS(bad)), ==, 0);
    g_assert_cmpint(bad[0].rc, ==, -1);
    g_assert_cmpstr(bad[0].error, ==,
                    "QEMU reply to 'query-jobs' is not of the expected type 'array'");
    g_assert_null(bad[0].jobs);
    g_assert_cmpint(bad[1].rc, ==, 0);
    qemuMonitorBatchClear(bad, G_N_ELEMENTS(bad));

    /* A command without its argument is refused before anything goes out. */
    g_assert_cmpint(qemuMonitorRunBatch(fx->mon, none, G_N_ELEMENTS(none)), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INVALID_ARG,
                           "QEMU command 'job-dismiss' needs a value for 'id'", NULL);
    g_assert_cmpint(none[0].rc, ==, -1);
    g_assert_cmpuint(mockCommands(fx->mock), ==, before + 7);
    qemuMonitorBatchClear(none, G_N_ELEMENTS(none));

    /* QEMU goes away after the first reply: the first item has its
     * result, the second fails saying why, and so does the batch. */
    mockExpect(fx->mock, "job-dismiss", "{\"id\": \"pull-vda\"}",
               MOCK_EMPTY_REPLY, MOCK_EOF);
    g_assert_cmpint(qemuMonitorRunBatch(fx->mon, items + 2, 2), ==, -1);
    g_assert_nonnull(virGetLastError());
    g_assert_cmpint(items[2].rc, ==, 0);
    g_assert_null(items[2].error);
    g_assert_cmpint(items[3].rc, ==, -1);
    g_assert_nonnull(strstr(items[3].error, "the monitor closed"));
    qemuMonitorBatchClear(items, G_N_ELEMENTS(items));
}


static void
testJobStatusNames(void)
{
    static const char *const names[] = {
        "undefined", "created", "running", "paused", "ready", "standby",
        "waiting", "pending", "aborting", "concluded", "null",
    };
    size_t i;

    G_STATIC_ASSERT(G_N_ELEMENTS(names) == QEMU_MONITOR_JOB_STATUS_LAST);
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_cmpstr(qemuMonitorJobStatusToString(i), ==, names[i]);
        g_assert_cmpint(qemuMonitorJobStatusFromString(names[i]), ==, i);
    }
    g_assert_null(qemuMonitorJobStatusToString(-1));
    g_assert_null(qemuMonitorJobStatusToString(QEMU_MONITOR_JOB_STATUS_LAST));
    g_assert_cmpint(qemuMonitorJobStatusFromString("bogus"), ==, -1);
    g_assert_cmpint(qemuMonitorJobStatusFromString(NULL), ==, -1);
}


static void
testQueryNamedBlockNodes(testFixture *fx,
                         gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-named-block-nodes.json");
    g_auto(GStrv) names = NULL;

    mockExpect(fx->mock, "query-named-block-nodes", "{\"flat\": true}",
               reply, 0);
    g_assert_cmpint(qemuMonitorQueryNamedBlockNodes(fx->mon, &names), ==, 0);
    /* the third node has no name and is left out */
    g_assert_cmpuint(g_strv_length(names), ==, 2);
    g_assert_cmpstr(names[0], ==, "vda-fmt-0");
    g_assert_cmpstr(names[1], ==, "vda-file-0");
}


/* Whether QEMU reads through a backing node: query-block's entry of the
 * disk whose top node it is says (a real QEMU 7.2 reply: a qcow2 overlay
 * on a base, a raw disk, and a drive with no medium). */
static void
testBlockNodeHasBacking(testFixture *fx,
                        gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-block.json");
    bool backing = false;

    mockExpect(fx->mock, "query-block", NULL, reply, 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "libvirt-1-format",
                                                   &backing), ==, 0);
    g_assert_true(backing);

    mockExpect(fx->mock, "query-block", NULL, reply, 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "libvirt-3-format",
                                                   &backing), ==, 0);
    g_assert_false(backing);

    /* a node that is no disk's top (the base) is not a disk's */
    mockExpect(fx->mock, "query-block", NULL, reply, 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "libvirt-2-format",
                                                   &backing), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED,
                           "QEMU has no disk whose top block node is 'libvirt-2-format'",
                           NULL);

    mockExpect(fx->mock, "query-block", NULL,
               "{\"return\": [{\"inserted\": {\"node-name\": \"vda-fmt-0\"}}]}", 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "vda-fmt-0",
                                                   &backing), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR,
                           "QEMU reply to 'query-block' lacks key 'image'", NULL);

    mockExpect(fx->mock, "query-block", NULL,
               "{\"return\": [{\"inserted\": 7}]}", 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "vda-fmt-0",
                                                   &backing), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR, "key 'inserted'", NULL);

    mockExpect(fx->mock, "query-block", NULL,
               "{\"return\": [{\"inserted\": {\"node-name\": \"vda-fmt-0\", "
               "\"image\": {\"backing-image\": \"base\"}}}]}", 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "vda-fmt-0",
                                                   &backing), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR, "key 'backing-image'", NULL);
}


/* Replies that break the schema are reported naming key and command. */
static void
testBadReplies(testFixture *fx,
               gconstpointer data G_GNUC_UNUSED)
{
    qemuMonitorBlockJobInfo *bjobs = NULL;
    qemuMonitorJobInfo *jobs = NULL;
    size_t n = 0;
    g_autofree char *status = NULL;
    g_auto(GStrv) names = NULL;
    bool running;

    mockExpect(fx->mock, "query-block-jobs", NULL,
               "{\"return\": [{\"type\": \"stream\", \"device\": \"j\", "
               "\"len\": 10, \"busy\": false, \"paused\": false, "
               "\"speed\": 0, \"ready\": false, \"status\": \"running\"}]}", 0);
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx->mon, &bjobs, &n), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR,
                           "QEMU reply to 'query-block-jobs' lacks key 'offset'", NULL);
    g_assert_null(bjobs);
    g_assert_cmpuint(n, ==, 0);

    mockExpect(fx->mock, "query-block-jobs", NULL,
               "{\"return\": [{\"type\": \"stream\", \"device\": \"j\", "
               "\"len\": \"10\", \"offset\": 0, \"busy\": false, "
               "\"paused\": false, \"speed\": 0, \"ready\": false, "
               "\"status\": \"running\"}]}", 0);
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx->mon, &bjobs, &n), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR, "key 'len'", NULL);

    mockExpect(fx->mock, "query-jobs", NULL,
               "{\"return\": [{\"id\": \"j\", \"type\": \"stream\", "
               "\"status\": \"running\", \"current-progress\": 1, "
               "\"total-progress\": 2, \"error\": 5}]}", 0);
    g_assert_cmpint(qemuMonitorQueryJobs(fx->mon, &jobs, &n), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR,
                           "QEMU reply to 'query-jobs' has key 'error'", NULL);

    mockExpect(fx->mock, "query-jobs", NULL, "{\"return\": [3]}", 0);
    g_assert_cmpint(qemuMonitorQueryJobs(fx->mon, &jobs, &n), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR, "not an object", NULL);

    mockExpect(fx->mock, "query-status", NULL, "{\"return\": []}", 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, &status), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR, "'query-status'", NULL);
    g_assert_null(status);

    mockExpect(fx->mock, "query-status", NULL,
               "{\"return\": {\"running\": false}}", 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, &status), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR, "lacks key 'status'", NULL);

    mockExpect(fx->mock, "query-named-block-nodes", NULL,
               "{\"return\": {}}", 0);
    g_assert_cmpint(qemuMonitorQueryNamedBlockNodes(fx->mon, &names), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR,
                           "'query-named-block-nodes'", NULL);
    g_assert_null(names);

    /* the connection survives all of this */
    g_assert_true(qemuMonitorIsAlive(fx->mon));
}


static void
testQemuError(testFixture *fx,
              gconstpointer data G_GNUC_UNUSED)
{
    virErrorPtr err;

    mockExpect(fx->mock, "blockdev-del", "{\"node-name\": \"nope\"}",
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Failed to find node with node-name='nope'\"}}", 0);
    g_assert_cmpint(qemuMonitorBlockdevDel(fx->mon, "nope"), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_OPERATION_FAILED);
    g_assert_cmpint(err->domain, ==, VIR_FROM_QEMU);
    g_assert_cmpstr(err->message, ==,
                    "QEMU command 'blockdev-del' failed: Failed to find node "
                    "with node-name='nope' (GenericError)");
    g_assert_cmpstr(qemuMonitorLastErrorClass(), ==, "GenericError");

    mockExpect(fx->mock, "block-job-pause", NULL,
               "{\"error\": {\"class\": \"DeviceNotActive\", \"desc\": "
               "\"No active block job on device 'x'\"}}", 0);
    g_assert_cmpint(qemuMonitorBlockJobPause(fx->mon, "x"), ==, -1);
    virTestAssertErrorFull(VIR_FROM_QEMU, VIR_ERR_OPERATION_FAILED,
                           "No active block job on device 'x' (DeviceNotActive)", NULL);
    g_assert_cmpstr(qemuMonitorLastErrorClass(), ==, "DeviceNotActive");

    /* the class belongs to the last command only */
    mockExpect(fx->mock, "cont", NULL, MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, 0);
    g_assert_null(qemuMonitorLastErrorClass());
}




/* ------------------------------------------------------------------ */
/* Events                                                               */

/* An event message as QEMU writes it. */
static char *
testEventText(const char *name,
              const char *data)
{
    return g_strdup_printf("{\"timestamp\": {\"seconds\": 1700000000, "
                           "\"microseconds\": 42}, \"event\": \"%s\"%s%s}\r\n",
                           name, data ? ", \"data\": " : "", data ? data : "");
}


/* Each event of the table reaches its typed callback with its fields. */
static void
testTypedEvents(testFixture *fx,
                gconstpointer data G_GNUC_UNUSED)
{
    static const struct {
        const char *name;
        const char *data;
        const char *typed;
    } cases[] = {
        { "JOB_STATUS_CHANGE", "{\"id\": \"pull-vda\", \"status\": \"pending\"}",
          "job pull-vda pending" },
        { "JOB_STATUS_CHANGE", "{\"status\": \"concluded\", \"id\": \"j\"}",
          "job j concluded" },
        /* a state of a later QEMU */
        { "JOB_STATUS_CHANGE", "{\"id\": \"j\", \"status\": \"exploded\"}",
          "job j undefined" },
        { "BLOCK_JOB_COMPLETED",
          "{\"device\": \"pull-vda\", \"len\": 268435456, "
          "\"offset\": 268435456, \"speed\": 0, \"type\": \"stream\"}",
          "block-job completed pull-vda stream offset=268435456 "
          "len=268435456 speed=0 error=-" },
        { "BLOCK_JOB_COMPLETED",
          "{\"device\": \"pull-vdb\", \"len\": 100, \"offset\": 7, "
          "\"speed\": 5, \"type\": \"stream\", "
          "\"error\": \"Input/output error\"}",
          "block-job completed pull-vdb stream offset=7 len=100 speed=5 "
          "error=Input/output error" },
        { "BLOCK_JOB_CANCELLED",
          "{\"device\": \"pull-vda\", \"len\": 10, \"offset\": 3, "
          "\"speed\": 1048576, \"type\": \"stream\"}",
          "block-job cancelled pull-vda stream offset=3 len=10 "
          "speed=1048576 error=-" },
        { "BLOCK_JOB_READY",
          "{\"device\": \"job0\", \"len\": 5, \"offset\": 5, \"speed\": 0, "
          "\"type\": \"mirror\"}",
          "block-job ready job0 mirror offset=5 len=5 speed=0 error=-" },
        { "BLOCK_JOB_PENDING", "{\"type\": \"stream\", \"id\": \"pull-vda\"}",
          "block-job pending pull-vda stream offset=0 len=0 speed=0 error=-" },
        { "BLOCK_JOB_ERROR",
          "{\"device\": \"pull-vda\", \"operation\": \"read\", "
          "\"action\": \"report\"}",
          "block-job-error pull-vda read report" },
        { "STOP", NULL, "stop" },
        { "RESUME", NULL, "resume" },
        { "SHUTDOWN", "{\"guest\": true, \"reason\": \"guest-shutdown\"}",
          "shutdown guest=1 reason=guest-shutdown" },
        { "SHUTDOWN", "{\"guest\": false, \"reason\": \"host-signal\"}",
          "shutdown guest=0 reason=host-signal" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = testEventText(cases[i].name, cases[i].data);
        testEvent *ev;

        mockSend(fx->mock, text);
        testWaitCallbacks(fx, i + 1, 0);
        ev = testGetEvent(fx, i);
        g_assert_cmpstr(ev->name, ==, cases[i].name);
        g_assert_cmpint(ev->seconds, ==, 1700000000);
        g_assert_cmpuint(ev->micros, ==, 42);
        g_assert_cmpstr(ev->typed, ==, cases[i].typed);
    }
    g_assert_cmpint(fx->eofCount, ==, 0);
}


/* Events the table lists without a handler, events it does not know, and
 * events whose data breaks the schema: the owner hears that they came and
 * nothing more; the connection goes on. */
static void
testUntypedEvents(testFixture *fx,
                  gconstpointer data G_GNUC_UNUSED)
{
    static const struct {
        const char *name;
        const char *data;
    } cases[] = {
        { "RESET", "{\"guest\": true, \"reason\": \"guest-reset\"}" },
        { "RTC_CHANGE", "{\"offset\": 1}" },
        { "BLOCK_IO_ERROR", "{\"device\": \"\", \"operation\": \"write\"}" },
        { "SOMETHING_NEW", "{\"x\": 1}" },
        /* no id, an id of the wrong type, no status, no data */
        { "JOB_STATUS_CHANGE", "{\"status\": \"pending\"}" },
        { "JOB_STATUS_CHANGE", "{\"id\": 5, \"status\": \"pending\"}" },
        { "JOB_STATUS_CHANGE", "{\"id\": \"j\"}" },
        { "JOB_STATUS_CHANGE", NULL },
        { "JOB_STATUS_CHANGE", "[\"id\", \"status\"]" },
        { "BLOCK_JOB_COMPLETED",
          "{\"device\": \"j\", \"len\": -1, \"offset\": 0, \"speed\": 0, "
          "\"type\": \"stream\"}" },
        { "BLOCK_JOB_COMPLETED",
          "{\"device\": \"j\", \"len\": 1, \"offset\": 0, \"speed\": 0, "
          "\"type\": \"stream\", \"error\": 3}" },
        { "BLOCK_JOB_CANCELLED", "{\"device\": \"j\"}" },
        { "BLOCK_JOB_ERROR", "{\"device\": \"j\", \"operation\": \"read\"}" },
        { "SHUTDOWN", "{\"guest\": \"yes\", \"reason\": \"host-signal\"}" },
        { "SHUTDOWN", NULL },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = testEventText(cases[i].name, cases[i].data);
        testEvent *ev;

        mockSend(fx->mock, text);
        testWaitCallbacks(fx, i + 1, 0);
        ev = testGetEvent(fx, i);
        g_assert_cmpstr(ev->name, ==, cases[i].name);
        if (ev->typed)
            g_error("event %zu (%s) reached a typed callback: %s", i,
                    cases[i].name, ev->typed);
    }

    /* and the monitor still works, and still hears events */
    mockExpect(fx->mock, "cont", "-", MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, 0);
    {
        g_autofree char *text = testEventText("STOP", NULL);

        mockSend(fx->mock, text);
    }
    testWaitCallbacks(fx, i + 1, 0);
    g_assert_cmpstr(testGetEvent(fx, i)->typed, ==, "stop");
    g_assert_cmpint(fx->eofCount, ==, 0);
    g_assert_true(qemuMonitorIsAlive(fx->mon));
}


/* A timestamp QEMU could not have written is no timestamp (0, 0), never
 * one cut to fit: microseconds of 1000000 or more or negative, a
 * negative or non-integer time, only one of the two (found by the
 * fuzzer: 123453456 microseconds went on as they were). The event itself
 * still counts. */
static void
testEventTimestamps(testFixture *fx,
                    gconstpointer data G_GNUC_UNUSED)
{
    static const struct {
        const char *stamp;
        long long seconds;
        unsigned int micros;
    } cases[] = {
        { "{\"seconds\": 1700000000, \"microseconds\": 999999}", 1700000000, 999999 },
        { "{\"seconds\": 0, \"microseconds\": 0}", 0, 0 },
        { "{\"seconds\": 1700000000, \"microseconds\": 123453456}", 0, 0 },
        { "{\"seconds\": 1700000000, \"microseconds\": 1000000}", 0, 0 },
        { "{\"seconds\": 1700000000, \"microseconds\": -1}", 0, 0 },
        { "{\"seconds\": 1700000000, \"microseconds\": 4294967338}", 0, 0 },
        { "{\"seconds\": -1, \"microseconds\": -1}", 0, 0 },
        { "{\"seconds\": \"1700000000\", \"microseconds\": 42}", 0, 0 },
        { "{\"seconds\": 1700000000}", 0, 0 },
        { "[1700000000, 42]", 0, 0 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text =
            g_strdup_printf("{\"timestamp\": %s, \"event\": \"STOP\"}\r\n",
                            cases[i].stamp);
        testEvent *ev;

        mockSend(fx->mock, text);
        testWaitCallbacks(fx, i + 1, 0);
        ev = testGetEvent(fx, i);
        g_assert_cmpstr(ev->name, ==, "STOP");
        g_assert_cmpint(ev->seconds, ==, cases[i].seconds);
        g_assert_cmpuint(ev->micros, ==, cases[i].micros);
        g_assert_cmpstr(ev->typed, ==, "stop");
    }
    g_assert_cmpint(fx->eofCount, ==, 0);
}


/* bsearch() finds every event only in a sorted table. */
static void
testEventTableSorted(void)
{
    g_assert_true(qemuMonitorJSONEventTableIsSorted());
}


int
main(int argc,
     char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD(path, func) \
    g_test_add(path, testFixture, NULL, testSetup, func, testTeardown)

    ADD("/monitor-json/query-status", testQueryStatus);
    ADD("/monitor-json/command-args", testCommandArgs);
    ADD("/monitor-json/query-block-jobs", testQueryBlockJobs);
    ADD("/monitor-json/query-jobs", testQueryJobs);
    ADD("/monitor-json/batch", testBatch);
    g_test_add_func("/monitor-json/job-status-names", testJobStatusNames);
    ADD("/monitor-json/query-named-block-nodes", testQueryNamedBlockNodes);
    ADD("/monitor-json/block-node-has-backing", testBlockNodeHasBacking);
    ADD("/monitor-json/bad-replies", testBadReplies);
    ADD("/monitor-json/qemu-error", testQemuError);
    ADD("/monitor-json/typed-events", testTypedEvents);
    ADD("/monitor-json/untyped-events", testUntypedEvents);
    ADD("/monitor-json/event-timestamps", testEventTimestamps);
    g_test_add_func("/monitor-json/event-table-sorted", testEventTableSorted);

#undef ADD

    return g_test_run();
}
