/*
 * virfile.h: files and processes: atomic writes, log tails, locks, pids.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

/* Write @content to @path atomically (temporary file, fsync, rename). */
int virFileWriteAtomic(const char *path, const char *content, mode_t mode);

/* The last @maxLines lines of a text file, or NULL if it can't be read. */
char *virFileReadTail(const char *path, size_t maxLines);

/* The last @maxLines lines of what follows byte @offset of a text file, or
 * NULL if it can't be read. */
char *virFileReadTailFrom(const char *path, off_t offset, size_t maxLines);

/* mkdir -p with @mode for the directories created. */
int virFileMakePath(const char *path, mode_t mode);

/* Take an exclusive lock (flock) on @path, creating it; returns the fd (O_CLOEXEC)
 * or -1. Fails with VIR_ERR_OPERATION_INVALID when another process holds it. */
int virFileLockExclusive(const char *path, const char *what);

/* Is @pid a live process (not a zombie)? */
bool virProcessIsAlive(pid_t pid);

/* When @pid started, in clock ticks since boot (field 22 of /proc/PID/stat):
 * with the boot id, it tells a process from a later one with the same pid.
 * Returns 0, or -1 with an error reported. */
int virProcessGetStartTime(pid_t pid, unsigned long long *start);

/* The kernel's id of the current boot (a UUID string), or NULL with an error
 * reported. */
char *virHostGetBootID(void);

/* Send SIGTERM (or SIGKILL if @force), wait up to @timeoutMs for the process
 * to go, then SIGKILL and wait again. Returns 0 once it is gone, -1 if not. */
int virProcessKillWait(pid_t pid, bool force, int timeoutMs);

/* Read a whole small file; NULL with a reported error on failure. */
char *virFileReadAll(const char *path, size_t maxlen);

/* Remove a file, ignoring ENOENT. */
void virFileUnlinkQuiet(const char *path);

/* Append @text to the file at @path (created 0600); failures are logged. */
void virFileAppend(const char *path, const char *text);
