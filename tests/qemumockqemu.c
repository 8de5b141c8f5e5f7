/*
 * qemumockqemu.c: a stand-in for qemu-system-x86_64 that speaks QMP the
 * way QEMU does, from a script, for driver tests that need QEMU's replies
 * and events in an exact order (tests/qemublockpullmocktest.c).
 *
 * The driver starts it like QEMU, with the monitor's listening socket as
 * fd 3. It reads its script from ARGV0.script and, when it ends, writes
 * what went wrong to ARGV0.report ("" when everything went as scripted):
 * ARGV0 is the path it was started by, so a test links it as
 * DIR/qemu-system-x86_64 and names that link as the emulator. On every
 * connection it sends QEMU's greeting and answers qmp_capabilities; the
 * script says the rest, one directive a line ('#' starts a comment):
 *
 *   expect CMD [ARGS]   the next command must be CMD, with at least the
 *                       arguments in the JSON object ARGS; answered {}
 *   reply JSON          ... answered with this "return" value instead
 *   error CLASS DESC    ... or with this error
 *   held                ... written only when the test sends SIGUSR1
 *                       (the same signal passes a later wait-signal);
 *                       the directives after it go on meanwhile
 *   event NAME [DATA]   write this event (with a timestamp) as soon as
 *                       everything above it is done
 *   wait-signal         go on when the test sends SIGUSR1
 *   mark NAME           add the line NAME to ARGV0.marks when reached (for
 *                       the test to wait for)
 *   exit                close the connection and exit, as a QEMU that
 *                       dies
 *
 * A command that is not the next expected one is answered with an error
 * and reported; so is every directive left when it exits. When the driver
 * closes the connection it waits for the next (a reconnect). SIGTERM
 * makes it send SHUTDOWN and exit, as QEMU does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <json-c/json.h>

#include "qemumockqmp.h"

/* Where QEMU finds its monitor's listening socket. */
#define MOCK_MONITOR_FD 3

/* A mock nobody ends (its test crashed and the reaper missed it) does. */
#define MOCK_LIFETIME_S 600

typedef struct {
    mockQMP *qmp;
    char *marksPath;
    char *reply;            /* of the "expect" being read */
    char *cmd;
    char *args;
    unsigned int flags;     /* of the "expect" being read */
    GString *errors;        /* problems of the script itself */
} mockScript;


/* QEMU's event message for @name with @data (JSON, or NULL). */
static char *
mockEventText(const char *name, const char *data)
{
    gint64 now = g_get_real_time();

    return g_strdup_printf("{\"timestamp\": {\"seconds\": %lld, "
                           "\"microseconds\": %lld}, \"event\": \"%s\"%s%s}\r\n",
                           (long long) (now / G_USEC_PER_SEC),
                           (long long) (now % G_USEC_PER_SEC), name,
                           data ? ", \"data\": " : "", data ? data : "");
}


typedef struct {
    char *path;
    char *name;
} mockMark;


static void
mockMarkFree(void *opaque)
{
    mockMark *mark = opaque;

    g_free(mark->path);
    g_free(mark->name);
    g_free(mark);
}


/* The test polls the file: one whole line at a time. */
static void
mockMarkReached(void *opaque)
{
    mockMark *mark = opaque;
    g_autofree char *line = g_strdup_printf("%s\n", mark->name);
    FILE *fp = fopen(mark->path, "a");

    if (!fp)
        return;
    fputs(line, fp);
    fclose(fp);
}


/* The "expect" read last goes into the queue, with its answer. */
static void
mockScriptFlushExpect(mockScript *script)
{
    if (!script->cmd)
        return;
    mockQMPExpect(script->qmp, script->cmd, script->args,
                  script->reply ? script->reply : MOCK_QMP_EMPTY_REPLY, NULL,
                  (script->args ? MOCK_SUBSET : 0) | script->flags, 0);
    script->flags = 0;
    g_clear_pointer(&script->cmd, g_free);
    g_clear_pointer(&script->args, g_free);
    g_clear_pointer(&script->reply, g_free);
}


static void
mockScriptLine(mockScript *script, const char *line, int lineno)
{
    g_auto(GStrv) words = g_strsplit_set(line, " \t", 2);
    const char *verb = words[0];
    const char *rest = words[1] ? g_strstrip(words[1]) : NULL;

    if (rest && !*rest)
        rest = NULL;

    if (strcmp(verb, "reply") == 0 || strcmp(verb, "error") == 0) {
        if (!script->cmd || script->reply || !rest) {
            g_string_append_printf(script->errors,
                                   "script line %d: '%s' needs an 'expect' "
                                   "before it and a value\n", lineno, verb);
            return;
        }
        if (verb[0] == 'r') {
            script->reply = g_strdup_printf("{\"return\": %s}", rest);
        } else {
            g_auto(GStrv) parts = g_strsplit(rest, " ", 2);
            json_object *reply = json_object_new_object();
            json_object *error = json_object_new_object();

            json_object_object_add(error, "class",
                                   json_object_new_string(parts[0]));
            json_object_object_add(error, "desc",
                                   json_object_new_string(parts[1] ? parts[1] : ""));
            json_object_object_add(reply, "error", error);
            script->reply = g_strdup(json_object_to_json_string(reply));
            json_object_put(reply);
        }
        return;
    }

    if (strcmp(verb, "held") == 0 && !rest) {
        if (!script->cmd) {
            g_string_append_printf(script->errors,
                                   "script line %d: 'held' needs an 'expect' "
                                   "before it\n", lineno);
            return;
        }
        script->flags |= MOCK_SIGNALED;
        return;
    }

    mockScriptFlushExpect(script);
    if (strcmp(verb, "expect") == 0 && rest) {
        g_auto(GStrv) parts = g_strsplit_set(rest, " \t", 2);

        script->cmd = g_strdup(parts[0]);
        script->args = parts[1] ? g_strdup(g_strstrip(parts[1])) : NULL;
    } else if (strcmp(verb, "event") == 0 && rest) {
        g_auto(GStrv) parts = g_strsplit_set(rest, " \t", 2);
        g_autofree char *text = mockEventText(parts[0], parts[1]);

        mockQMPEmit(script->qmp, text);
    } else if (strcmp(verb, "mark") == 0 && rest) {
        mockMark *mark = g_new0(mockMark, 1);

        mark->path = g_strdup(script->marksPath);
        mark->name = g_strdup(rest);
        mockQMPCall(script->qmp, mockMarkReached, mark, mockMarkFree);
    } else if (strcmp(verb, "wait-signal") == 0 && !rest) {
        mockQMPWaitSignal(script->qmp);
    } else if (strcmp(verb, "exit") == 0 && !rest) {
        mockQMPExit(script->qmp);
    } else {
        g_string_append_printf(script->errors,
                               "script line %d: cannot read '%s'\n",
                               lineno, line);
    }
}


static void
mockScriptLoad(mockScript *script, const char *path)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_string_append_printf(script->errors, "cannot read the script: %s\n",
                               err->message);
        return;
    }
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);

        if (*line && *line != '#')
            mockScriptLine(script, line, i + 1);
    }
    mockScriptFlushExpect(script);
}


/* Write the report where the test looks for it, whole or not at all. */
static void
mockWriteReport(const char *path, mockScript *script)
{
    g_autofree char *qmp = mockQMPReport(script->qmp);
    g_autofree char *all = g_strdup_printf("%s%s", script->errors->str, qmp);
    g_autofree char *tmp = g_strdup_printf("%s.tmp", path);

    if (!g_file_set_contents(tmp, all, -1, NULL) || rename(tmp, path) < 0)
        fprintf(stderr, "qemumockqemu: cannot write '%s'\n", path);
}


int
main(int argc G_GNUC_UNUSED, char **argv)
{
    g_autofree char *scriptPath = g_strdup_printf("%s.script", argv[0]);
    g_autofree char *reportPath = g_strdup_printf("%s.report", argv[0]);
    g_autofree char *marksPath = g_strdup_printf("%s.marks", argv[0]);
    mockScript script = { .errors = g_string_new(NULL), .marksPath = marksPath };
    sigset_t mask;
    int sfd;
    int conn = -1;
    bool done = false;

    script.qmp = mockQMPNew();
    mockQMPSetAutoNegotiate(script.qmp, true);
    mockScriptLoad(&script, scriptPath);

    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGALRM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
        g_string_append_printf(script.errors, "cannot watch signals: %s\n",
                               g_strerror(errno));
        done = true;
    }
    alarm(MOCK_LIFETIME_S);

    while (!done) {
        struct pollfd fds[2] = {
            { .fd = conn >= 0 ? conn : MOCK_MONITOR_FD, .events = POLLIN },
            { .fd = sfd, .events = POLLIN },
        };
        mockQMPResult rc = MOCK_QMP_CONTINUE;

        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            g_string_append_printf(script.errors, "poll failed: %s\n",
                                   g_strerror(errno));
            break;
        }

        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;

            if (read(sfd, &si, sizeof(si)) != sizeof(si))
                continue;
            if (si.ssi_signo == SIGUSR1) {
                rc = mockQMPSignal(script.qmp, conn);
            } else {
                if (si.ssi_signo == SIGALRM)
                    g_string_append(script.errors, "nobody ended the mock\n");
                if (conn >= 0) {
                    g_autofree char *text =
                        mockEventText("SHUTDOWN", "{\"guest\": false, "
                                      "\"reason\": \"host-signal\"}");
                    mockQMPWrite(conn, text, strlen(text));
                }
                break;
            }
        } else if (conn < 0) {
            if ((conn = accept4(MOCK_MONITOR_FD, NULL, NULL, SOCK_CLOEXEC)) < 0)
                continue;
            if (!mockQMPWrite(conn, MOCK_QMP_GREETING,
                              strlen(MOCK_QMP_GREETING)))
                rc = MOCK_QMP_HANGUP;
            else
                rc = mockQMPConnected(script.qmp, conn);
        } else if (fds[0].revents) {
            char buf[65536];
            ssize_t n = recv(conn, buf, sizeof(buf), 0);

            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                rc = MOCK_QMP_HANGUP;
            else
                rc = mockQMPFeed(script.qmp, conn, buf, n);
        }

        if (rc == MOCK_QMP_EXIT)
            done = true;
        if (rc != MOCK_QMP_CONTINUE && conn >= 0) {
            close(conn);
            conn = -1;
        }
    }

    mockWriteReport(reportPath, &script);
    if (conn >= 0)
        close(conn);
    mockQMPFree(script.qmp);
    g_string_free(script.errors, TRUE);
    return 0;
}
