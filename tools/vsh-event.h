/*
 * vsh-event.h: waiting in the default event loop, which runs in the
 * shell's own thread: Ctrl-C and timers set flags that the waiting command
 * checks between iterations of the loop, so that it can undo what it
 * started (abort a block pull) before it returns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "vsh.h"

/* Ctrl-C turned into a flag: see vshEventInterruptBegin(). */
typedef struct _vshEventInterrupt vshEventInterrupt;
struct _vshEventInterrupt {
    int fds[2];
    int watch;                  /* -1 when not armed */
    struct sigaction old;
};
#define VSH_EVENT_INTERRUPT_INIT { .fds = { -1, -1 }, .watch = -1 }

bool vshEventLoopCheck(vshControl *ctl);
int vshEventInterruptBegin(vshControl *ctl, vshEventInterrupt *intr,
                           bool *flag);
void vshEventInterruptEnd(vshEventInterrupt *intr);
int vshEventTimerAdd(int ms, bool *flag);
void vshEventTimerRemove(int *timer);
bool vshEventRunOnce(vshControl *ctl);
