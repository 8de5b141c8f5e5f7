/*
 * testutilsvirt.h: the test helpers around libvirt's error and event
 * calls. They need only what src/util provides and the public library
 * exports (virGetLastError, virEventRunDefaultImpl...), so a test links
 * them with whichever of the two it uses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Fail the test unless the last error has @code (its message says what
 * the error was instead). */
void virTestAssertError(int code);

/*
 * Fail the test unless the last error has @code, comes from error domain
 * @domain (any, if -1), has a message, and that message holds each of
 * the strings that follow, up to a NULL. The error stays set.
 */
void virTestAssertErrorFull(int domain, int code, ...) G_GNUC_NULL_TERMINATED;

/* Run the default event loop in a thread of its own (for event tests). */
void virTestEventLoopStart(void);
