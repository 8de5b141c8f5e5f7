/*
 * qemumonitortestutils.h: what the monitor's tests share: a mock QEMU (a
 * scripted QMP peer in a thread, on a socket pair) and a monitor owner
 * that records what its callbacks saw.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qemu/qemu_monitor.h"
#include "util/vireventthread.h"
#include "testutilsvirt.h"
#include "qemumockqmp.h"

/* Long enough for a loaded machine, short enough to fail a hung test. */
#define TEST_WAIT_US (10 * G_USEC_PER_SEC)

#define MOCK_GREETING MOCK_QMP_GREETING
#define MOCK_EMPTY_REPLY MOCK_QMP_EMPTY_REPLY

/* The mock QEMU: a thread serving one end of a socket pair. */
typedef struct {
    int fd;                 /* QEMU's end */
    GThread *thread;
    char *greeting;
    mockQMP *qmp;
} mockQEMU;

/* Start a mock QEMU that sends @greeting (NULL: none); *clientFd gets the
 * monitor's end of the pair. */
mockQEMU *mockNew(const char *greeting, int *clientFd);

/* Expect @cmd next, answered with @reply: see mockQMPExpect(). */
void mockExpect(mockQEMU *mock, const char *cmd, const char *args,
                const char *reply, unsigned int flags);

/* Like mockExpect, with text to write before the reply and a delay. */
void mockExpectFull(mockQEMU *mock, const char *cmd, const char *reply,
                    const char *before, unsigned int flags,
                    unsigned int delayMs);

/* Write raw text to the monitor from the test's own thread (events). */
void mockSend(mockQEMU *mock, const char *text);

/* How many commands reached the mock. */
guint mockCommands(mockQEMU *mock);

/* Wait for the mock to end (the monitor must be closed, or the mock
 * closed the connection itself) and check it saw exactly what it was
 * told to expect. */
void mockFinish(mockQEMU *mock);

/* One event as the owner heard it: the domainEvent callback, then the
 * typed callback (@typed describes its arguments; NULL if none ran). */
typedef struct {
    char *name;
    long long seconds;
    unsigned int micros;
    char *typed;
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

/* The recording callbacks; their opaque is the testFixture. */
extern const qemuMonitorCallbacks testCallbacks;

void testFixtureInit(testFixture *fx);

/* Mock QEMU with the standard greeting, monitor open on it. */
void testSetup(testFixture *fx, gconstpointer data);
void testTeardown(testFixture *fx, gconstpointer data);

/* Wait until the callbacks saw @nevents events and @neof eofs, each event
 * with its typed callback done. */
void testWaitCallbacks(testFixture *fx, guint nevents, int neof);

/* The @i-th event heard. */
testEvent *testGetEvent(testFixture *fx, guint i);

/* A file of tests/qemumonitordata/. */
char *testLoadData(const char *name);

