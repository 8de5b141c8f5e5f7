/*
 * benchutil.h: what the benchmarks share: clocks, statistics, running a
 * helper program, making a backing chain and removing a scratch tree.
 * Errors go to stderr prefixed with g_get_prgname().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stddef.h>
#include <time.h>
#include <glib.h>

/* Nanoseconds on @clock. */
gint64 benchNow(clockid_t clock);

/* The median of @n values (sorts them in place); NAN if there are none. */
double benchMedian(double *v, size_t n);

/* The @pct percentile of the @n values @v, sorted by benchMedian(), by
 * nearest rank: with fewer than 100 values, p99 is the largest. */
double benchPercentile(const double *v, size_t n, int pct);

/* Run a helper program to completion; its output is shown only on
 * failure. Returns 0 or -1. */
int benchRun(const char *const *argv);

/* A raw base of @sizeMiB MiB, every byte written, under a thin qcow2
 * overlay that records its backing format; both synced to disk, so that
 * the kernel does not write them back in the middle of the pull that
 * follows. Returns 0 or -1. */
int benchMakeChain(const char *base, const char *top, unsigned int sizeMiB);

/* Remove @path and everything below it (symbolic links not followed). */
void benchRemoveTree(const char *path);
