/* qemumonitortest.c: the QMP monitor against a mock QEMU, then against the real QEMU. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutils.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_json.h"
#include "util/virerror.h"
#include "util/vireventthread.h"
#include "util/virjson.h"

#define VIR_FROM_THIS VIR_FROM_NONE

#ifndef QEMU_SYSTEM_PATH
# define QEMU_SYSTEM_PATH "/usr/bin/qemu-system-x86_64"
#endif

/* Long enough for a loaded machine, short enough to fail a hung test. */
#define TEST_WAIT_US (10 * G_USEC_PER_SEC)

#define MOCK_GREETING \
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 1, \"minor\": 2, " \
    "\"major\": 7}, \"package\": \"mock\"}, \"capabilities\": [\"oob\"]}}\r\n"

#define MOCK_EMPTY_REPLY "{\"return\": {}}"

/* ------------------------------------------------------------------ */
/* The mock QEMU: a thread serving one end of a socket pair.           */

typedef enum {
    MOCK_SPLIT = 1 << 0,    /* write the reply a few bytes at a time */
    MOCK_HOLD = 1 << 1,     /* keep the reply back until the next command,
                             * then write both in one write, newest first */
    MOCK_RAW = 1 << 2,      /* write @reply as it is, without an id */
    MOCK_HALF = 1 << 3,     /* write only the first half of the reply */
    MOCK_EOF = 1 << 4,      /* close the connection after the reply */
    MOCK_ECHO = 1 << 5,     /* reply with the "command-line" argument */
} mockFlags;

typedef struct {
    char *cmd;              /* the "execute" expected */
    char *args;             /* expected "arguments" as JSON; "-" none;
                             * NULL not checked */
    char *reply;            /* reply JSON (id added); NULL never answer */
    char *before;           /* raw text written just before the reply */
    unsigned int flags;
    unsigned int delayMs;   /* wait this long before replying */
} mockItem;

typedef struct {
    int fd;                 /* QEMU's end */
    GThread *thread;
    char *greeting;
    GMutex lock;
    GQueue items;
    GString *errors;        /* every mismatch seen */
    GString *held;          /* replies kept back by MOCK_HOLD */
    guint commands;         /* how many commands arrived */
} mockQEMU;


static void
mockItemFree(mockItem *item)
{
    if (!item)
        return;
    g_free(item->cmd);
    g_free(item->args);
    g_free(item->reply);
    g_free(item->before);
    g_free(item);
}


static void
mockError(mockQEMU *mock,
          const char *fmt,
          ...) G_GNUC_PRINTF(2, 3);

static void
mockError(mockQEMU *mock,
          const char *fmt,
          ...)
{
    va_list ap;

    g_mutex_lock(&mock->lock);
    va_start(ap, fmt);
    g_string_append_vprintf(mock->errors, fmt, ap);
    va_end(ap);
    g_string_append_c(mock->errors, '\n');
    g_mutex_unlock(&mock->lock);
}


static bool
mockWrite(mockQEMU *mock,
          const char *buf,
          size_t len)
{
    while (len > 0) {
        ssize_t n = send(mock->fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= n;
    }
    return true;
}


/* Write raw text to the monitor from the test's own thread (events). */
static void
mockSend(mockQEMU *mock,
         const char *text)
{
    g_assert_true(mockWrite(mock, text, strlen(text)));
}


static void
mockExpect(mockQEMU *mock,
           const char *cmd,
           const char *args,
           const char *reply,
           unsigned int flags)
{
    mockItem *item = g_new0(mockItem, 1);

    item->cmd = g_strdup(cmd);
    item->args = g_strdup(args);
    item->reply = g_strdup(reply);
    item->flags = flags;
    g_mutex_lock(&mock->lock);
    g_queue_push_tail(&mock->items, item);
    g_mutex_unlock(&mock->lock);
}


/* Like mockExpect, with text to write before the reply and a delay. */
static void
mockExpectFull(mockQEMU *mock,
               const char *cmd,
               const char *reply,
               const char *before,
               unsigned int flags,
               unsigned int delayMs)
{
    mockItem *item = g_new0(mockItem, 1);

    item->cmd = g_strdup(cmd);
    item->reply = g_strdup(reply);
    item->before = g_strdup(before);
    item->flags = flags;
    item->delayMs = delayMs;
    g_mutex_lock(&mock->lock);
    g_queue_push_tail(&mock->items, item);
    g_mutex_unlock(&mock->lock);
}


/* The text to send for @item in answer to @command, or NULL for none. */
static char *
mockFormatReply(mockQEMU *mock,
                mockItem *item,
                json_object *command)
{
    g_autoptr(virJSONValue) reply = NULL;
    json_object *id = NULL;
    json_object *args = NULL;
    json_object *line = NULL;

    if (item->flags & MOCK_RAW)
        return g_strdup(item->reply);

    if (item->flags & MOCK_ECHO) {
        if (!json_object_object_get_ex(command, "arguments", &args) ||
            !json_object_object_get_ex(args, "command-line", &line)) {
            mockError(mock, "'%s' has no command-line to echo", item->cmd);
            return NULL;
        }
        reply = json_object_new_object();
        json_object_object_add(reply, "return", json_object_get(line));
    } else if (!(reply = json_tokener_parse(item->reply))) {
        mockError(mock, "canned reply for '%s' is not JSON", item->cmd);
        return NULL;
    }

    if (json_object_object_get_ex(command, "id", &id))
        json_object_object_add(reply, "id", json_object_get(id));
    return g_strdup_printf("%s\r\n",
                           json_object_to_json_string_ext(reply,
                                                          JSON_C_TO_STRING_PLAIN));
}


/* Check one command against the next item and answer it. Returns false
 * when the mock should stop serving. */
static bool
mockHandle(mockQEMU *mock,
           json_object *command)
{
    g_autoptr(virJSONValue) expected = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    json_object *execute = NULL;
    json_object *args = NULL;
    json_object *id = NULL;
    const char *name = "(none)";
    mockItem *item;
    bool keep = true;

    if (json_object_object_get_ex(command, "execute", &execute))
        name = json_object_get_string(execute);
    if (!json_object_object_get_ex(command, "id", &id) ||
        !json_object_is_type(id, json_type_string))
        mockError(mock, "command '%s' has no string id", name);
    json_object_object_get_ex(command, "arguments", &args);

    g_mutex_lock(&mock->lock);
    mock->commands++;
    item = g_queue_pop_head(&mock->items);
    g_mutex_unlock(&mock->lock);

    if (!item || strcmp(item->cmd, name) != 0) {
        mockError(mock, "unexpected command '%s' (expected '%s')",
                  name, item ? item->cmd : "nothing");
        mockItemFree(item);
        item = g_new0(mockItem, 1);
        item->cmd = g_strdup(name);
        item->reply = g_strdup("{\"error\": {\"class\": \"GenericError\", "
                               "\"desc\": \"unexpected command\"}}");
    }

    if (item->args && strcmp(item->args, "-") == 0) {
        if (args)
            mockError(mock, "'%s' has arguments %s, expected none", name,
                      json_object_to_json_string(args));
    } else if (item->args) {
        expected = json_tokener_parse(item->args);
        if (!expected || !args || !json_object_equal(expected, args))
            mockError(mock, "'%s' has arguments %s, expected %s", name,
                      args ? json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN) : "none",
                      item->args);
    }

    if (item->delayMs)
        g_usleep(item->delayMs * 1000);

    if (!item->reply) {
        mockItemFree(item);
        return true;
    }

    if (!(text = mockFormatReply(mock, item, command))) {
        mockItemFree(item);
        return true;
    }

    if (item->flags & MOCK_HOLD) {
        g_string_append(mock->held, item->before ? item->before : "");
        g_string_append(mock->held, text);
        mockItemFree(item);
        return true;
    }

    g_string_append(out, item->before ? item->before : "");
    g_string_append(out, text);
    g_string_append(out, mock->held->str);
    g_string_truncate(mock->held, 0);

    if (item->flags & MOCK_HALF)
        g_string_truncate(out, out->len / 2);

    if (item->flags & MOCK_SPLIT) {
        size_t off;

        for (off = 0; off < out->len && keep; off += 7) {
            keep = mockWrite(mock, out->str + off, MIN(7, out->len - off));
            g_usleep(500);
        }
    } else {
        keep = mockWrite(mock, out->str, out->len);
    }

    if (item->flags & MOCK_EOF) {
        shutdown(mock->fd, SHUT_RDWR);
        keep = false;
    }
    mockItemFree(item);
    return keep;
}


static gpointer
mockRun(gpointer opaque)
{
    mockQEMU *mock = opaque;
    json_tokener *tok = json_tokener_new();
    char buf[4096];

    if (mock->greeting &&
        !mockWrite(mock, mock->greeting, strlen(mock->greeting)))
        goto done;

    for (;;) {
        ssize_t n = recv(mock->fd, buf, sizeof(buf), 0);
        size_t off = 0;

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;

        while (off < (size_t) n) {
            g_autoptr(virJSONValue) obj = NULL;
            enum json_tokener_error err;

            obj = json_tokener_parse_ex(tok, buf + off, n - off);
            err = json_tokener_get_error(tok);
            if (err == json_tokener_continue)
                break;
            if (err != json_tokener_success || !obj) {
                mockError(mock, "the monitor sent something that is not JSON");
                goto done;
            }
            off += json_tokener_get_parse_end(tok);
            if (!mockHandle(mock, obj))
                goto done;
        }
    }

 done:
    json_tokener_free(tok);
    return NULL;
}


/* Start a mock QEMU; *clientFd gets the monitor's end of the pair. */
static mockQEMU *
mockNew(const char *greeting,
        int *clientFd)
{
    mockQEMU *mock = g_new0(mockQEMU, 1);
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                    ==, 0);
    mock->fd = sv[0];
    *clientFd = sv[1];
    mock->greeting = g_strdup(greeting);
    g_mutex_init(&mock->lock);
    g_queue_init(&mock->items);
    mock->errors = g_string_new(NULL);
    mock->held = g_string_new(NULL);
    mock->thread = g_thread_new("mock-qemu", mockRun, mock);
    return mock;
}


/* Wait for the mock to end (the monitor must be closed, or the mock
 * closed the connection itself) and check it saw exactly what it was
 * told to expect. */
static void
mockFinish(mockQEMU *mock)
{
    mockItem *item;
    g_autoptr(GString) unused = g_string_new(NULL);

    if (!mock)
        return;
    g_thread_join(mock->thread);
    close(mock->fd);

    while ((item = g_queue_pop_head(&mock->items))) {
        g_string_append_printf(unused, "'%s' ", item->cmd);
        mockItemFree(item);
    }
    g_assert_cmpstr(mock->errors->str, ==, "");
    g_assert_cmpstr(unused->str, ==, "");

    g_string_free(mock->errors, TRUE);
    g_string_free(mock->held, TRUE);
    g_free(mock->greeting);
    g_mutex_clear(&mock->lock);
    g_free(mock);
}


/* ------------------------------------------------------------------ */
/* The monitor's owner: records what its callbacks saw.                */

typedef struct {
    char *name;
    char *data;             /* JSON text, NULL without data */
    long long seconds;
    unsigned int micros;
} testEvent;

typedef struct {
    virEventThread *evt;
    mockQEMU *mock;
    qemuMonitor *mon;

    GMutex lock;
    GCond cond;
    GPtrArray *events;      /* testEvent */
    int eofCount;
    bool eofError;
    bool closeOnEOF;        /* the eof callback closes the monitor */
    bool wrongThread;       /* a callback ran outside the context thread */
} testFixture;


static void
testEventFree(gpointer opaque)
{
    testEvent *ev = opaque;

    g_free(ev->name);
    g_free(ev->data);
    g_free(ev);
}


static void
testOnEvent(qemuMonitor *mon,
            const char *name,
            json_object *data,
            long long seconds,
            unsigned int micros,
            void *opaque)
{
    testFixture *fx = opaque;
    testEvent *ev = g_new0(testEvent, 1);

    ev->name = g_strdup(name);
    if (data)
        ev->data = g_strdup(json_object_to_json_string_ext(data,
                                                           JSON_C_TO_STRING_PLAIN));
    ev->seconds = seconds;
    ev->micros = micros;

    g_mutex_lock(&fx->lock);
    if (!virEventThreadIsSelf(fx->evt))
        fx->wrongThread = true;
    g_ptr_array_add(fx->events, ev);
    g_cond_broadcast(&fx->cond);
    g_mutex_unlock(&fx->lock);
}


static void
testOnEOF(qemuMonitor *mon,
          bool error,
          void *opaque)
{
    testFixture *fx = opaque;
    qemuMonitor *toClose = NULL;

    g_mutex_lock(&fx->lock);
    if (!virEventThreadIsSelf(fx->evt))
        fx->wrongThread = true;
    fx->eofCount++;
    fx->eofError = error;
    if (fx->closeOnEOF)
        toClose = g_steal_pointer(&fx->mon);
    g_mutex_unlock(&fx->lock);

    /* closing from inside the callback must not deadlock */
    qemuMonitorClose(toClose);

    g_mutex_lock(&fx->lock);
    g_cond_broadcast(&fx->cond);
    g_mutex_unlock(&fx->lock);
}


static const qemuMonitorCallbacks testCallbacks = {
    .event = testOnEvent,
    .eof = testOnEOF,
};


static void
testFixtureInit(testFixture *fx)
{
    fx->evt = virEventThreadNew("qemumonitortest");
    g_mutex_init(&fx->lock);
    g_cond_init(&fx->cond);
    fx->events = g_ptr_array_new_with_free_func(testEventFree);
}


/* Mock QEMU with the standard greeting, monitor open on it. */
static void
testSetup(testFixture *fx,
          gconstpointer data G_GNUC_UNUSED)
{
    int fd;

    testFixtureInit(fx);
    fx->mock = mockNew(MOCK_GREETING, &fd);
    mockExpect(fx->mock, "qmp_capabilities", "-", MOCK_EMPTY_REPLY, 0);
    fx->mon = qemuMonitorOpenFD(fd, virEventThreadGetContext(fx->evt),
                                &testCallbacks, fx, 5000);
    g_assert_nonnull(fx->mon);
}


static void
testTeardown(testFixture *fx,
             gconstpointer data G_GNUC_UNUSED)
{
    qemuMonitor *mon;

    g_mutex_lock(&fx->lock);
    mon = g_steal_pointer(&fx->mon);
    g_mutex_unlock(&fx->lock);
    qemuMonitorClose(mon);

    mockFinish(fx->mock);
    g_assert_false(fx->wrongThread);
    virEventThreadFree(fx->evt);
    g_ptr_array_unref(fx->events);
    g_cond_clear(&fx->cond);
    g_mutex_clear(&fx->lock);
}


/* Wait until the callbacks saw @nevents events and @neof eofs. */
static void
testWaitCallbacks(testFixture *fx,
                  guint nevents,
                  int neof)
{
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_US;

    g_mutex_lock(&fx->lock);
    while (fx->events->len < nevents || fx->eofCount < neof) {
        if (!g_cond_wait_until(&fx->cond, &fx->lock, deadline))
            break;
    }
    g_assert_cmpuint(fx->events->len, >=, nevents);
    g_assert_cmpint(fx->eofCount, >=, neof);
    g_mutex_unlock(&fx->lock);
}


static char *
testLoadData(const char *name)
{
    const char *srcdir = g_getenv("abs_top_srcdir");
    g_autofree char *path = NULL;
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!srcdir)
        srcdir = ABS_TOP_SRCDIR;
    path = g_build_filename(srcdir, "tests", "qemumonitordata", name, NULL);
    g_file_get_contents(path, &text, NULL, &err);
    g_assert_no_error(err);
    return text;
}


static void
testAssertError(int code,
                const char *part)
{
    virErrorPtr err = virGetLastError();

    g_assert_nonnull(err);
    g_assert_cmpstr(virErrorCodeName(err->code), ==, virErrorCodeName(code));
    g_assert_cmpint(err->domain, ==, VIR_FROM_QEMU);
    if (part && !strstr(err->message, part))
        g_error("error message '%s' does not contain '%s'",
                err->message, part);
}


/* ------------------------------------------------------------------ */
/* Mock tests                                                          */

static void
testGreeting(testFixture *fx,
             gconstpointer data G_GNUC_UNUSED)
{
    unsigned int major, minor, micro;

    g_assert_cmpuint(qemuMonitorGetVersion(fx->mon, &major, &minor, &micro),
                     ==, 7002001);
    g_assert_cmpuint(major, ==, 7);
    g_assert_cmpuint(minor, ==, 2);
    g_assert_cmpuint(micro, ==, 1);
    g_assert_cmpstr(qemuMonitorGetVersionPackage(fx->mon), ==, "mock");
    g_assert_true(qemuMonitorIsAlive(fx->mon));
}


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
    g_assert_cmpint(qemuMonitorBlockStream(mon, "pull-vda", "vda-fmt-0", 0,
                                           false, false), ==, 0);
    mockExpect(m, "block-stream",
               "{\"job-id\": \"j\", \"device\": \"n\", \"speed\": 1048576, "
               "\"auto-finalize\": true, \"auto-dismiss\": true}",
               MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorBlockStream(mon, "j", "n", 1048576,
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
        g_assert_cmpint(qemuMonitorCommand(mon, "query-version", args, &ret),
                        ==, 0);
    }
    g_assert_cmpstr(json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN),
                    ==, "{\"qemu\":{\"major\":7}}");

    /* checked before anything is sent */
    g_assert_cmpint(qemuMonitorBlockStream(mon, NULL, "n", 0, false, false),
                    ==, -1);
    testAssertError(VIR_ERR_INVALID_ARG, "job-id");
    g_assert_cmpint(qemuMonitorBlockJobSetSpeed(mon, "j", G_MAXUINT64), ==, -1);
    testAssertError(VIR_ERR_OVERFLOW, "speed");
    g_assert_cmpint(qemuMonitorHumanCommand(mon, NULL, NULL), ==, -1);
    testAssertError(VIR_ERR_INVALID_ARG, "command-line");
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


/* Whether QEMU reads through a backing node: the node's image says. */
static void
testBlockNodeHasBacking(testFixture *fx,
                        gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-named-block-nodes.json");
    bool backing = false;

    mockExpect(fx->mock, "query-named-block-nodes", "{\"flat\": false}",
               reply, 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "vda-fmt-0",
                                                   &backing), ==, 0);
    g_assert_true(backing);

    mockExpect(fx->mock, "query-named-block-nodes", "{\"flat\": false}",
               reply, 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "vda-file-0",
                                                   &backing), ==, 0);
    g_assert_false(backing);

    mockExpect(fx->mock, "query-named-block-nodes", "{\"flat\": false}",
               reply, 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "vdz-fmt-0",
                                                   &backing), ==, -1);
    testAssertError(VIR_ERR_OPERATION_FAILED,
                    "QEMU has no block node 'vdz-fmt-0'");

    mockExpect(fx->mock, "query-named-block-nodes", "{\"flat\": false}",
               "{\"return\": [{\"node-name\": \"vda-fmt-0\"}]}", 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "vda-fmt-0",
                                                   &backing), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "QEMU reply to 'query-named-block-nodes' lacks key 'image'");

    mockExpect(fx->mock, "query-named-block-nodes", "{\"flat\": false}",
               "{\"return\": [{\"node-name\": \"vda-fmt-0\", "
               "\"image\": {\"backing-image\": \"base\"}}]}", 0);
    g_assert_cmpint(qemuMonitorBlockNodeHasBacking(fx->mon, "vda-fmt-0",
                                                   &backing), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR, "key 'backing-image'");
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
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "QEMU reply to 'query-block-jobs' lacks key 'offset'");
    g_assert_null(bjobs);
    g_assert_cmpuint(n, ==, 0);

    mockExpect(fx->mock, "query-block-jobs", NULL,
               "{\"return\": [{\"type\": \"stream\", \"device\": \"j\", "
               "\"len\": \"10\", \"offset\": 0, \"busy\": false, "
               "\"paused\": false, \"speed\": 0, \"ready\": false, "
               "\"status\": \"running\"}]}", 0);
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx->mon, &bjobs, &n), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR, "key 'len'");

    mockExpect(fx->mock, "query-jobs", NULL,
               "{\"return\": [{\"id\": \"j\", \"type\": \"stream\", "
               "\"status\": \"running\", \"current-progress\": 1, "
               "\"total-progress\": 2, \"error\": 5}]}", 0);
    g_assert_cmpint(qemuMonitorQueryJobs(fx->mon, &jobs, &n), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR,
                    "QEMU reply to 'query-jobs' has key 'error'");

    mockExpect(fx->mock, "query-jobs", NULL, "{\"return\": [3]}", 0);
    g_assert_cmpint(qemuMonitorQueryJobs(fx->mon, &jobs, &n), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR, "not an object");

    mockExpect(fx->mock, "query-status", NULL, "{\"return\": []}", 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, &status), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR, "'query-status'");
    g_assert_null(status);

    mockExpect(fx->mock, "query-status", NULL,
               "{\"return\": {\"running\": false}}", 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, &status), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR, "lacks key 'status'");

    mockExpect(fx->mock, "query-named-block-nodes", NULL,
               "{\"return\": {}}", 0);
    g_assert_cmpint(qemuMonitorQueryNamedBlockNodes(fx->mon, &names), ==, -1);
    testAssertError(VIR_ERR_INTERNAL_ERROR, "'query-named-block-nodes'");
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
    testAssertError(VIR_ERR_OPERATION_FAILED,
                    "No active block job on device 'x' (DeviceNotActive)");
    g_assert_cmpstr(qemuMonitorLastErrorClass(), ==, "DeviceNotActive");

    /* the class belongs to the last command only */
    mockExpect(fx->mock, "cont", NULL, MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, 0);
    g_assert_null(qemuMonitorLastErrorClass());
}


static void
testGarbage(testFixture *fx,
            gconstpointer data G_GNUC_UNUSED)
{
    bool running;

    mockExpect(fx->mock, "query-status", NULL,
               "{\"event\": \"RESUME\"} this is not JSON\r\n", MOCK_RAW);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, NULL), ==, -1);
    testAssertError(VIR_ERR_OPERATION_FAILED, "monitor closed");
    g_assert_null(qemuMonitorLastErrorClass());

    testWaitCallbacks(fx, 0, 1);
    g_assert_true(fx->eofError);
    g_assert_false(qemuMonitorIsAlive(fx->mon));
    /* what came before the garbage was still delivered, in order */
    g_assert_cmpuint(fx->events->len, ==, 1);
    g_assert_cmpstr(((testEvent *) fx->events->pdata[0])->name, ==, "RESUME");

    /* later commands fail at once, without reaching QEMU */
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, -1);
    testAssertError(VIR_ERR_OPERATION_FAILED,
                    "cannot run QEMU command 'cont': the monitor closed");
    g_assert_cmpint(fx->eofCount, ==, 1);
}


static void
testNotAnObject(testFixture *fx,
                gconstpointer data G_GNUC_UNUSED)
{
    mockExpect(fx->mock, "cont", NULL, "[1, 2]\r\n", MOCK_RAW);
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, -1);
    testAssertError(VIR_ERR_OPERATION_FAILED, "not a JSON object");
    testWaitCallbacks(fx, 0, 1);
    g_assert_true(fx->eofError);
}


/* A message that never ends is cut off at the size limit. */
static void
testOversized(testFixture *fx,
              gconstpointer data G_GNUC_UNUSED)
{
    size_t len = QEMU_MONITOR_MAX_MESSAGE_SIZE + 65536;
    g_autofree char *huge = g_malloc(len + 1);

    memset(huge, 'a', len);
    huge[len] = '\0';
    memcpy(huge, "{\"return\": \"", 12);

    mockExpect(fx->mock, "query-status", NULL, huge, MOCK_RAW);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, NULL, NULL), ==, -1);
    testAssertError(VIR_ERR_OPERATION_FAILED, "larger than the limit");
    testWaitCallbacks(fx, 0, 1);
    g_assert_true(fx->eofError);
}


static void
testEOFMidReply(testFixture *fx,
                gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-block-jobs.json");
    qemuMonitorBlockJobInfo *jobs = NULL;
    size_t njobs = 0;

    /* the owner closes the monitor from its eof callback */
    fx->closeOnEOF = true;
    mockExpect(fx->mock, "query-block-jobs", NULL, reply,
               MOCK_HALF | MOCK_EOF);
    qemuMonitorRef(fx->mon);
    {
        qemuMonitor *mon = fx->mon;

        g_assert_cmpint(qemuMonitorQueryBlockJobs(mon, &jobs, &njobs), ==, -1);
        testAssertError(VIR_ERR_OPERATION_FAILED, "end of file from QEMU");
        testWaitCallbacks(fx, 0, 1);
        g_assert_false(fx->eofError);
        g_mutex_lock(&fx->lock);
        g_assert_null(fx->mon);
        g_mutex_unlock(&fx->lock);
        qemuMonitorUnref(mon);
    }
    g_assert_null(jobs);
}


static void
testSplitReply(testFixture *fx,
               gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *reply = testLoadData("query-block-jobs.json");
    qemuMonitorBlockJobInfo *jobs = NULL;
    size_t njobs = 0;
    g_autofree char *status = NULL;

    mockExpect(fx->mock, "query-block-jobs", NULL, reply, MOCK_SPLIT);
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx->mon, &jobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 2);
    g_assert_cmpuint(jobs[1].len, ==, 1073741824);
    qemuMonitorBlockJobInfoListFree(jobs, njobs);

    /* an event split the same way, in front of the reply */
    mockExpectFull(fx->mock, "query-status",
                   "{\"return\": {\"status\": \"paused\", \"running\": false}}",
                   "{\"timestamp\": {\"seconds\": 5, \"microseconds\": 6}, "
                   "\"event\": \"STOP\"}\r\n", MOCK_SPLIT, 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, NULL, &status), ==, 0);
    g_assert_cmpstr(status, ==, "paused");
    testWaitCallbacks(fx, 1, 0);
    g_assert_cmpstr(((testEvent *) fx->events->pdata[0])->name, ==, "STOP");
}


/* A command larger than the socket buffer goes out in partial writes,
 * its echo comes back over many reads. */
static void
testLargeCommand(testFixture *fx,
                 gconstpointer data G_GNUC_UNUSED)
{
    size_t len = 4 * 1024 * 1024;
    g_autofree char *cmdline = g_malloc(len + 1);
    g_autofree char *out = NULL;

    memset(cmdline, 'x', len);
    cmdline[len] = '\0';
    mockExpect(fx->mock, "human-monitor-command", NULL, "", MOCK_ECHO);
    g_assert_cmpint(qemuMonitorHumanCommand(fx->mon, cmdline, &out), ==, 0);
    g_assert_cmpstr(out, ==, cmdline);
}


typedef struct {
    qemuMonitor *mon;
    const char *cmdline;
    int rc;
    int code;
    char *reply;
} testThreadCall;


static gpointer
testThreadHuman(gpointer opaque)
{
    testThreadCall *call = opaque;

    call->rc = qemuMonitorHumanCommand(call->mon, call->cmdline, &call->reply);
    call->code = virGetLastErrorCode();
    return NULL;
}


/* Two threads wait at once; both replies come in one write, in the
 * opposite order: each must get its own. */
static void
testConcurrent(testFixture *fx,
               gconstpointer data G_GNUC_UNUSED)
{
    testThreadCall a = { .mon = fx->mon, .cmdline = "info one" };
    testThreadCall b = { .mon = fx->mon, .cmdline = "info two" };
    GThread *ta;
    GThread *tb;

    mockExpect(fx->mock, "human-monitor-command", NULL, "", MOCK_ECHO | MOCK_HOLD);
    mockExpect(fx->mock, "human-monitor-command", NULL, "", MOCK_ECHO);
    ta = g_thread_new("a", testThreadHuman, &a);
    tb = g_thread_new("b", testThreadHuman, &b);
    g_thread_join(ta);
    g_thread_join(tb);

    g_assert_cmpint(a.rc, ==, 0);
    g_assert_cmpint(b.rc, ==, 0);
    g_assert_cmpstr(a.reply, ==, "info one");
    g_assert_cmpstr(b.reply, ==, "info two");
    g_free(a.reply);
    g_free(b.reply);
}


static void
testEvents(testFixture *fx,
           gconstpointer data G_GNUC_UNUSED)
{
    testEvent *ev;
    bool running;

    /* two events and the reply in one write */
    mockExpectFull(fx->mock, "query-status",
                   "{\"return\": {\"status\": \"running\", \"running\": true}}",
                   "{\"timestamp\": {\"seconds\": 1700000000, "
                   "\"microseconds\": 123456}, \"event\": \"BLOCK_JOB_READY\", "
                   "\"data\": {\"device\": \"job0\", \"len\": 5, \"offset\": 5, "
                   "\"speed\": 0, \"type\": \"stream\"}}\r\n"
                   "{\"timestamp\": {\"seconds\": 1700000001, "
                   "\"microseconds\": 7}, \"event\": \"RESUME\"}\r\n",
                   0, 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, &running, NULL), ==, 0);
    g_assert_true(running);

    /* an event on its own, between commands */
    mockSend(fx->mock,
             "{\"timestamp\": {\"seconds\": 1700000002, \"microseconds\": 0}, "
             "\"event\": \"JOB_STATUS_CHANGE\", \"data\": {\"status\": "
             "\"pending\", \"id\": \"job0\"}}\r\n");
    testWaitCallbacks(fx, 3, 0);

    ev = fx->events->pdata[0];
    g_assert_cmpstr(ev->name, ==, "BLOCK_JOB_READY");
    g_assert_cmpstr(ev->data, ==,
                    "{\"device\":\"job0\",\"len\":5,\"offset\":5,\"speed\":0,"
                    "\"type\":\"stream\"}");
    g_assert_cmpint(ev->seconds, ==, 1700000000);
    g_assert_cmpuint(ev->micros, ==, 123456);

    ev = fx->events->pdata[1];
    g_assert_cmpstr(ev->name, ==, "RESUME");
    g_assert_null(ev->data);
    g_assert_cmpint(ev->seconds, ==, 1700000001);
    g_assert_cmpuint(ev->micros, ==, 7);

    ev = fx->events->pdata[2];
    g_assert_cmpstr(ev->name, ==, "JOB_STATUS_CHANGE");
    g_assert_cmpstr(ev->data, ==, "{\"status\":\"pending\",\"id\":\"job0\"}");

    /* an event held back with a reply, delivered with the next one */
    mockExpectFull(fx->mock, "human-monitor-command", "",
                   "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 9, "
                   "\"microseconds\": 9}}\r\n", MOCK_ECHO | MOCK_HOLD, 0);
    mockExpect(fx->mock, "human-monitor-command", NULL, "", MOCK_ECHO);
    {
        testThreadCall a = { .mon = fx->mon, .cmdline = "a" };
        testThreadCall b = { .mon = fx->mon, .cmdline = "b" };
        GThread *ta = g_thread_new("a", testThreadHuman, &a);
        GThread *tb = g_thread_new("b", testThreadHuman, &b);

        g_thread_join(ta);
        g_thread_join(tb);
        g_assert_cmpstr(a.reply, ==, "a");
        g_assert_cmpstr(b.reply, ==, "b");
        g_free(a.reply);
        g_free(b.reply);
    }
    testWaitCallbacks(fx, 4, 0);
    g_assert_cmpstr(((testEvent *) fx->events->pdata[3])->name, ==, "STOP");
    g_assert_cmpint(fx->eofCount, ==, 0);
}


static void
testTimeout(testFixture *fx,
            gconstpointer data G_GNUC_UNUSED)
{
    gint64 start;
    gint64 elapsed;
    g_autofree char *status = NULL;

    qemuMonitorSetCommandTimeout(fx->mon, 200);

    /* answered too late: the reply must not go to the next command */
    mockExpectFull(fx->mock, "query-status",
                   "{\"return\": {\"status\": \"late\", \"running\": false}}",
                   NULL, 0, 500);
    start = g_get_monotonic_time();
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, NULL, &status), ==, -1);
    elapsed = (g_get_monotonic_time() - start) / 1000;
    testAssertError(VIR_ERR_OPERATION_TIMEOUT, "'query-status'");
    g_assert_cmpint(elapsed, >=, 190);
    g_assert_cmpint(elapsed, <, 2000);

    qemuMonitorSetCommandTimeout(fx->mon, 5000);
    mockExpect(fx->mock, "query-status", NULL,
               "{\"return\": {\"status\": \"running\", \"running\": true}}", 0);
    g_assert_cmpint(qemuMonitorQueryStatus(fx->mon, NULL, &status), ==, 0);
    g_assert_cmpstr(status, ==, "running");

    /* never answered */
    qemuMonitorSetCommandTimeout(fx->mon, 100);
    mockExpect(fx->mock, "stop", NULL, NULL, 0);
    g_assert_cmpint(qemuMonitorStop(fx->mon), ==, -1);
    testAssertError(VIR_ERR_OPERATION_TIMEOUT, "'stop'");
    g_assert_true(qemuMonitorIsAlive(fx->mon));
}


typedef struct {
    testFixture *fx;
    GMutex lock;
    GCond cond;
    bool done;
    int rc;
    int code;
} testInContext;


static gboolean
testCallInContext(gpointer opaque)
{
    testInContext *t = opaque;
    int rc = qemuMonitorCont(t->fx->mon);
    int code = virGetLastErrorCode();

    g_mutex_lock(&t->lock);
    t->rc = rc;
    t->code = code;
    t->done = true;
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);
    return G_SOURCE_REMOVE;
}


/* The context's own thread would have to read the reply: refused. */
static void
testContextThread(testFixture *fx,
                  gconstpointer data G_GNUC_UNUSED)
{
    testInContext t = { .fx = fx };
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_US;

    g_mutex_init(&t.lock);
    g_cond_init(&t.cond);
    g_main_context_invoke(virEventThreadGetContext(fx->evt),
                          testCallInContext, &t);
    g_mutex_lock(&t.lock);
    while (!t.done && g_cond_wait_until(&t.cond, &t.lock, deadline))
        ;
    g_assert_true(t.done);
    g_mutex_unlock(&t.lock);
    g_assert_cmpint(t.rc, ==, -1);
    g_assert_cmpint(t.code, ==, VIR_ERR_INTERNAL_ERROR);
    g_mutex_clear(&t.lock);
    g_cond_clear(&t.cond);

    /* and the monitor still works from other threads */
    mockExpect(fx->mock, "cont", NULL, MOCK_EMPTY_REPLY, 0);
    g_assert_cmpint(qemuMonitorCont(fx->mon), ==, 0);
}


/* Closing fails the commands still waiting, at once. */
static void
testClosePending(testFixture *fx,
                 gconstpointer data G_GNUC_UNUSED)
{
    testThreadCall a = { .cmdline = "info never" };
    GThread *ta;
    gint64 start;
    guint seen = 0;

    a.mon = qemuMonitorRef(fx->mon);
    mockExpect(fx->mock, "human-monitor-command", NULL, NULL, 0);
    ta = g_thread_new("a", testThreadHuman, &a);

    /* wait until the command reached the mock */
    start = g_get_monotonic_time();
    while (seen < 2 && g_get_monotonic_time() - start < TEST_WAIT_US) {
        g_usleep(1000);
        g_mutex_lock(&fx->mock->lock);
        seen = fx->mock->commands;
        g_mutex_unlock(&fx->mock->lock);
    }
    g_assert_cmpuint(seen, >=, 2);

    start = g_get_monotonic_time();
    g_mutex_lock(&fx->lock);
    qemuMonitorClose(g_steal_pointer(&fx->mon));
    g_mutex_unlock(&fx->lock);
    g_thread_join(ta);
    g_assert_cmpint((g_get_monotonic_time() - start) / 1000, <, 2000);

    g_assert_cmpint(a.rc, ==, -1);
    g_assert_cmpint(a.code, ==, VIR_ERR_OPERATION_FAILED);
    g_assert_null(a.reply);
    g_assert_false(qemuMonitorIsAlive(a.mon));
    qemuMonitorUnref(a.mon);
    /* closed by its owner: no eof callback */
    g_assert_cmpint(fx->eofCount, ==, 0);
}


static void
testOpenFailures(void)
{
    virEventThread *evt = virEventThreadNew("qemumonitortest-open");
    GMainContext *ctx = virEventThreadGetContext(evt);
    mockQEMU *mock;
    qemuMonitor *mon;
    int fd;

    /* no greeting in time */
    mock = mockNew(NULL, &fd);
    mon = qemuMonitorOpenFD(fd, ctx, &testCallbacks, NULL, 200);
    g_assert_null(mon);
    testAssertError(VIR_ERR_OPERATION_TIMEOUT, "greeting");
    mockFinish(mock);

    /* something else than a greeting */
    mock = mockNew("{\"hello\": 1}\r\n", &fd);
    mon = qemuMonitorOpenFD(fd, ctx, &testCallbacks, NULL, 5000);
    g_assert_null(mon);
    testAssertError(VIR_ERR_OPERATION_FAILED, "greeting");
    mockFinish(mock);

    /* negotiation refused */
    mock = mockNew(MOCK_GREETING, &fd);
    mockExpect(mock, "qmp_capabilities", NULL,
               "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
               "\"Capabilities negotiation is already complete\"}}", 0);
    mon = qemuMonitorOpenFD(fd, ctx, &testCallbacks, NULL, 5000);
    g_assert_null(mon);
    testAssertError(VIR_ERR_OPERATION_FAILED, "(CommandNotFound)");
    mockFinish(mock);

    /* QEMU gone before the greeting */
    mock = mockNew(NULL, &fd);
    shutdown(mock->fd, SHUT_RDWR);
    mon = qemuMonitorOpenFD(fd, ctx, &testCallbacks, NULL, 5000);
    g_assert_null(mon);
    testAssertError(VIR_ERR_OPERATION_FAILED, "end of file");
    mockFinish(mock);

    /* nobody listens */
    mon = qemuMonitorOpen("/nonexistent/qemumonitortest.sock", ctx,
                          &testCallbacks, NULL, 50);
    g_assert_null(mon);
    testAssertError(VIR_ERR_SYSTEM_ERROR, "/nonexistent/qemumonitortest.sock");

    qemuMonitorClose(NULL);
    virEventThreadFree(evt);
}


/* ------------------------------------------------------------------ */
/* The real QEMU                                                       */

static volatile pid_t testQemuPid;  /* killed if the test dies */
static char *testTmpDir;

/* What the temp dir holds, as plain paths a signal handler can unlink. */
#define TEST_TMP_FILES 3
static char testTmpPaths[TEST_TMP_FILES + 1][256];


static void
testKillQemu(void)
{
    pid_t pid = testQemuPid;

    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        testQemuPid = 0;
    }
}


static void
testRemoveTmpDir(void)
{
    GDir *dir;
    const char *name;

    if (!testTmpDir)
        return;
    if ((dir = g_dir_open(testTmpDir, 0, NULL))) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(testTmpDir, name, NULL);
            unlink(path);
        }
        g_dir_close(dir);
    }
    rmdir(testTmpDir);
    g_clear_pointer(&testTmpDir, g_free);
    memset(testTmpPaths, 0, sizeof(testTmpPaths));
}


static void
testAtExit(void)
{
    testKillQemu();
    testRemoveTmpDir();
}


/* Remember the temp dir's paths for testFatalSignal. */
static void
testRecordTmpPaths(void)
{
    static const char *const names[TEST_TMP_FILES] = {
        "mon.sock", "qemu.pid", "qemu.log",
    };
    size_t i;

    for (i = 0; i < TEST_TMP_FILES; i++)
        g_snprintf(testTmpPaths[i], sizeof(testTmpPaths[i]), "%s/%s",
                   testTmpDir, names[i]);
    g_snprintf(testTmpPaths[TEST_TMP_FILES], sizeof(testTmpPaths[0]), "%s",
               testTmpDir);
}


/* An assertion aborts: take QEMU down and clean up first (kill, waitpid,
 * unlink and rmdir are async-signal-safe), then die as we would have. */
static void
testFatalSignal(int sig)
{
    size_t i;

    testKillQemu();
    for (i = 0; i < TEST_TMP_FILES; i++) {
        if (testTmpPaths[i][0])
            unlink(testTmpPaths[i]);
    }
    if (testTmpPaths[TEST_TMP_FILES][0])
        rmdir(testTmpPaths[TEST_TMP_FILES]);
    signal(sig, SIG_DFL);
    raise(sig);
}


/* Start QEMU on a listening socket made here, handed over as fd 3. */
static pid_t
testStartQemu(const char *sockpath)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *logpath = g_build_filename(testTmpDir, "qemu.log", NULL);
    g_autofree char *pidpath = g_build_filename(testTmpDir, "qemu.pid", NULL);
    g_autofree char *pidtext = NULL;
    const char *argv[] = {
        QEMU_SYSTEM_PATH, "-S", "-nodefaults", "-display", "none",
        "-machine", "none", "-accel", "tcg",
        "-chardev", "socket,id=mon,fd=3,server=on,wait=off",
        "-mon", "chardev=mon,mode=control",
        NULL,
    };
    int lfd;
    int logfd;
    int nullfd;
    pid_t pid;

    g_assert_cmpuint(strlen(sockpath), <, sizeof(addr.sun_path));
    memcpy(addr.sun_path, sockpath, strlen(sockpath) + 1);
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(lfd, >=, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(logfd, >=, 0);
    nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(nullfd, >=, 0);

    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        /* only async-signal-safe calls between fork and exec */
        if (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
            _exit(127);
        if (lfd == 3) {
            if (fcntl(3, F_SETFD, 0) < 0)
                _exit(127);
        } else if (dup2(lfd, 3) < 0) {
            _exit(127);
        }
        execv(argv[0], (char **) argv);
        _exit(127);
    }
    testQemuPid = pid;
    pidtext = g_strdup_printf("%d\n", (int) pid);
    g_assert_true(g_file_set_contents(pidpath, pidtext, -1, NULL));

    close(lfd);
    close(logfd);
    close(nullfd);
    return pid;
}


static void
testRealQemu(void)
{
    testFixture fx = { 0 };
    g_autoptr(GError) gerr = NULL;
    g_autofree char *sockpath = NULL;
    g_autofree char *status = NULL;
    g_autofree char *human = NULL;
    g_autofree char *version = NULL;
    g_auto(GStrv) names = NULL;
    qemuMonitorJobInfo *jobs = NULL;
    qemuMonitorBlockJobInfo *bjobs = NULL;
    size_t njobs = 1;
    unsigned int major, minor, micro;
    bool running = true;
    bool shutdownSeen = false;
    int wstatus = 0;
    gint64 deadline;
    pid_t pid;
    guint i;

    /* this test is the point of the binary: a missing QEMU is a failure */
    if (access(QEMU_SYSTEM_PATH, X_OK) != 0)
        g_error("QEMU binary '%s' is missing: %s",
                QEMU_SYSTEM_PATH, g_strerror(errno));

    testTmpDir = g_dir_make_tmp("qemumonitortest-XXXXXX", &gerr);
    g_assert_no_error(gerr);
    g_assert_cmpuint(strlen(testTmpDir), <, 200);
    testRecordTmpPaths();
    sockpath = g_build_filename(testTmpDir, "mon.sock", NULL);

    testFixtureInit(&fx);
    pid = testStartQemu(sockpath);

    fx.mon = qemuMonitorOpen(sockpath, virEventThreadGetContext(fx.evt),
                             &testCallbacks, &fx, 30000);
    if (!fx.mon)
        g_error("cannot open the monitor: %s", virGetLastErrorMessage());

    g_assert_cmpuint(qemuMonitorGetVersion(fx.mon, &major, &minor, &micro),
                     >, 0);
    g_assert_cmpuint(major, >=, 2);

    g_assert_cmpint(qemuMonitorQueryStatus(fx.mon, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpstr(status, ==, "prelaunch");

    g_assert_cmpint(qemuMonitorQueryNamedBlockNodes(fx.mon, &names), ==, 0);
    g_assert_nonnull(names);
    g_assert_null(names[0]);

    g_assert_cmpint(qemuMonitorQueryJobs(fx.mon, &jobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 0);
    qemuMonitorJobInfoListFree(jobs, njobs);
    njobs = 1;
    g_assert_cmpint(qemuMonitorQueryBlockJobs(fx.mon, &bjobs, &njobs), ==, 0);
    g_assert_cmpuint(njobs, ==, 0);
    qemuMonitorBlockJobInfoListFree(bjobs, njobs);

    g_assert_cmpint(qemuMonitorHumanCommand(fx.mon, "info version", &human),
                    ==, 0);
    version = g_strdup_printf("%u.%u.%u", major, minor, micro);
    g_assert_nonnull(strstr(human, version));

    g_assert_cmpint(qemuMonitorBlockdevDel(fx.mon, "nope"), ==, -1);
    testAssertError(VIR_ERR_OPERATION_FAILED,
                    "QEMU command 'blockdev-del' failed: "
                    "Failed to find node with node-name='nope'");
    g_assert_cmpstr(qemuMonitorLastErrorClass(), ==, "GenericError");

    g_assert_cmpint(qemuMonitorBlockJobPause(fx.mon, "nojob"), ==, -1);
    testAssertError(VIR_ERR_OPERATION_FAILED, "nojob");

    g_assert_cmpint(qemuMonitorQuit(fx.mon), ==, 0);
    testWaitCallbacks(&fx, 1, 1);
    g_assert_false(fx.eofError);
    for (i = 0; i < fx.events->len; i++) {
        testEvent *ev = fx.events->pdata[i];

        if (strcmp(ev->name, "SHUTDOWN") == 0) {
            shutdownSeen = true;
            g_assert_nonnull(strstr(ev->data, "host-qmp-quit"));
            g_assert_cmpint(ev->seconds, >, 0);
        }
    }
    g_assert_true(shutdownSeen);

    deadline = g_get_monotonic_time() + TEST_WAIT_US;
    while (waitpid(pid, &wstatus, WNOHANG) == 0 &&
           g_get_monotonic_time() < deadline)
        g_usleep(10 * 1000);
    g_assert_true(WIFEXITED(wstatus));
    g_assert_cmpint(WEXITSTATUS(wstatus), ==, 0);
    testQemuPid = 0;
    g_assert_cmpint(kill(pid, 0), ==, -1);

    testTeardown(&fx, NULL);
    testRemoveTmpDir();
}


int
main(int argc,
     char **argv)
{
    g_test_init(&argc, &argv, NULL);

    atexit(testAtExit);
    signal(SIGABRT, testFatalSignal);
    signal(SIGSEGV, testFatalSignal);
    signal(SIGTERM, testFatalSignal);
    signal(SIGINT, testFatalSignal);

#define ADD(path, func) \
    g_test_add(path, testFixture, NULL, testSetup, func, testTeardown)

    ADD("/monitor/greeting", testGreeting);
    ADD("/monitor/query-status", testQueryStatus);
    ADD("/monitor/command-args", testCommandArgs);
    ADD("/monitor/query-block-jobs", testQueryBlockJobs);
    ADD("/monitor/query-jobs", testQueryJobs);
    g_test_add_func("/monitor/job-status-names", testJobStatusNames);
    ADD("/monitor/query-named-block-nodes", testQueryNamedBlockNodes);
    ADD("/monitor/block-node-has-backing", testBlockNodeHasBacking);
    ADD("/monitor/bad-replies", testBadReplies);
    ADD("/monitor/qemu-error", testQemuError);
    ADD("/monitor/garbage", testGarbage);
    ADD("/monitor/not-an-object", testNotAnObject);
    ADD("/monitor/oversized", testOversized);
    ADD("/monitor/eof-mid-reply", testEOFMidReply);
    ADD("/monitor/split-reply", testSplitReply);
    ADD("/monitor/large-command", testLargeCommand);
    ADD("/monitor/concurrent", testConcurrent);
    ADD("/monitor/events", testEvents);
    ADD("/monitor/timeout", testTimeout);
    ADD("/monitor/context-thread", testContextThread);
    ADD("/monitor/close-pending", testClosePending);
    g_test_add_func("/monitor/open-failures", testOpenFailures);
    /* The only case that runs QEMU. */
    if (VIR_TEST_INTEGRATION)
        g_test_add_func("/monitor/real-qemu", testRealQemu);

#undef ADD

    return g_test_run();
}
