/*
 * virfile.h: files and processes: atomic writes, log tails, locks, pids,
 * and who may change the files we trust.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/stat.h>
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

/* Read all of @fd, at most @maxlen bytes, NUL-terminated; its length in
 * *@len. @path names it in errors. NULL with a reported error on failure. */
char *virFileReadAllFd(int fd, const char *path, size_t maxlen, size_t *len);

/**
 * virFileCheckTrusted:
 * @what: what the file is, with its path, for messages
 *        ("configuration file '/srv/vms/etc/qemu.conf'")
 * @path: the file's path, for the chown/chmod the message suggests
 * @sb: its lstat() (a symbolic link is refused) or fstat()
 * @type: S_IFDIR or S_IFREG that it must be, or 0 for any
 * @ancestor: @path is a directory on the way to what is trusted: the
 *            sticky bit then makes write access for others harmless
 *
 * Can nobody but root and the caller (the effective uid) change the file?
 * It must be owned by one of them and not be writable by its group or
 * others.
 *
 * Returns 0 if so, or -1 with VIR_ERR_OPERATION_DENIED naming @what, the
 * owner or mode found and the command that fixes it.
 */
int virFileCheckTrusted(const char *what, const char *path,
                        const struct stat *sb, mode_t type, bool ancestor);

/**
 * virFileResolveTrusted:
 * @what: what @path is, with the path, for messages ("embed root '/srv/vms'")
 * @path: an absolute path
 * @exists: set to whether all of @path exists
 *
 * Resolve @path as the kernel would (symbolic links, '.', '..'), checking
 * everything passed on the way: every directory with virFileCheckTrusted()
 * as an @ancestor (owned by root or the caller; writable by others only
 * if sticky), every symbolic link owned by root or the caller. Nobody
 * else can then redirect @path. What the path ends at is not checked:
 * that is for the caller, by its own rules. Stops at the first component
 * that does not exist.
 *
 * Returns the resolved path, or if part of it does not exist the
 * resolved part that does, joined with the rest as given (free with
 * g_free); NULL with an error (VIR_ERR_OPERATION_DENIED naming what
 * failed and how to fix it) otherwise.
 */
char *virFileResolveTrusted(const char *what, const char *path, bool *exists);

/**
 * virFileMakeTrustedDir:
 * @path: a directory inside a checked one
 * @mode: its mode if it is created
 *
 * Create @path unless it exists, then check that it is a directory (not a
 * symbolic link) that only root and the caller can change.
 *
 * Returns 0, or -1 with an error.
 */
int virFileMakeTrustedDir(const char *path, mode_t mode);
