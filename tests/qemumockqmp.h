/*
 * qemumockqmp.h: a scripted QMP peer, QEMU's side of a monitor
 * connection for the tests: a queue of expected commands with canned
 * replies, events to write at given points, waits for a signal, and the
 * end of the connection. Whatever arrives that the queue did not expect,
 * and whatever the queue still holds at the end, is reported. It shares
 * no code with the driver's monitor; tests/qemumonitortestutils.c runs it
 * in a thread on a socket pair, tests/qemumockqemu.c as a QEMU binary.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#define MOCK_QMP_GREETING \
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 1, \"minor\": 2, " \
    "\"major\": 7}, \"package\": \"mock\"}, \"capabilities\": [\"oob\"]}}\r\n"

#define MOCK_QMP_EMPTY_REPLY "{\"return\": {}}"

/* How an expected command is answered. */
typedef enum {
    MOCK_SPLIT = 1 << 0,    /* write the reply a few bytes at a time */
    MOCK_HOLD = 1 << 1,     /* keep the reply back until the next command,
                             * then write both in one write, in order */
    MOCK_RAW = 1 << 2,      /* write @reply as it is (no id echoed) */
    MOCK_HALF = 1 << 3,     /* write only the first half of the reply */
    MOCK_EOF = 1 << 4,      /* close the connection after the reply */
    MOCK_ECHO = 1 << 5,     /* reply with the "command-line" argument */
    MOCK_SUBSET = 1 << 6,   /* @args need only be part of the arguments */
    MOCK_SIGNALED = 1 << 7, /* write the reply when mockQMPSignal() comes
                             * (what follows in the queue goes on) */
} mockQMPFlags;

/* What the peer's owner does next. */
typedef enum {
    MOCK_QMP_CONTINUE = 0,  /* go on reading */
    MOCK_QMP_HANGUP,        /* the connection ended (MOCK_EOF, write error) */
    MOCK_QMP_EXIT,          /* the script ends here: QEMU exits */
} mockQMPResult;

typedef struct _mockQMP mockQMP;

mockQMP *mockQMPNew(void);
void mockQMPFree(mockQMP *mock);

/* Answer qmp_capabilities at any time with an empty reply, outside the
 * queue (a QEMU the driver reconnects to negotiates again). */
void mockQMPSetAutoNegotiate(mockQMP *mock, bool autoNegotiate);

/*
 * Expect @cmd next. @args: the expected "arguments" as JSON (all of them,
 * or with MOCK_SUBSET those keys only), "-" for none, NULL unchecked.
 * @reply: the reply JSON (its "id" is added), NULL never to answer.
 * @before: raw text written just before the reply, or NULL. The reply
 * is written @delayMs after the command came.
 */
void mockQMPExpect(mockQMP *mock, const char *cmd, const char *args,
                   const char *reply, const char *before, unsigned int flags,
                   unsigned int delayMs);

/* Write @text (events, say) as soon as everything before it is done. */
void mockQMPEmit(mockQMP *mock, const char *text);

/* Go no further until mockQMPSignal() says so (once per call; a signal
 * that comes early is kept). */
void mockQMPWaitSignal(mockQMP *mock);

/* Call @fn(@data) as soon as everything before it is done (@data is
 * freed with @freeData then). */
void mockQMPCall(mockQMP *mock, void (*fn)(void *data), void *data,
                 GDestroyNotify freeData);

/* The script ends here: mockQMPFeed() and friends return MOCK_QMP_EXIT. */
void mockQMPExit(mockQMP *mock);

/* A connection starts on @fd: write what leads the queue. */
mockQMPResult mockQMPConnected(mockQMP *mock, int fd);

/* Bytes from the monitor: handle every whole command among them. */
mockQMPResult mockQMPFeed(mockQMP *mock, int fd, const char *buf, size_t len);

/* The test's go-ahead for mockQMPWaitSignal(); @fd -1 while there is no
 * connection (the queue goes on once there is one). A reply kept back by
 * MOCK_SIGNALED is written first. */
mockQMPResult mockQMPSignal(mockQMP *mock, int fd);

/* Note a failure of the test's own (it ends up in the report). */
void mockQMPError(mockQMP *mock, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* How many commands arrived. */
guint mockQMPCommands(mockQMP *mock);

/* The failures seen, then what the queue still expects: "" when all went
 * as scripted. Freed by the caller. */
char *mockQMPReport(mockQMP *mock);

/* Write all of @buf to a socket. Returns false if the peer is gone. */
bool mockQMPWrite(int fd, const char *buf, size_t len);
