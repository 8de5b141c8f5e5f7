/*
 * testutilsvirt.c: the test helpers around libvirt's error and event
 * calls (see testutilsvirt.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#include "libvirt/libvirt.h"
#include "testutilsvirt.h"

void
virTestAssertError(int code)
{
    virTestAssertErrorFull(-1, code, NULL);
}

void
virTestAssertErrorFull(int domain, int code, ...)
{
    virErrorPtr err = virGetLastError();
    const char *needle;
    va_list ap;

    if (!err)
        g_error("expected error code %d, but no error is set", code);
    g_test_message("error code %d, domain %d: %s", err->code, err->domain,
                   err->message ? err->message : "(no message)");
    if (err->code != code)
        g_error("expected error code %d, got %d: %s", code, err->code,
                err->message ? err->message : "(no message)");
    if (domain >= 0 && err->domain != domain)
        g_error("expected an error of domain %d, got one of domain %d: %s",
                domain, err->domain, err->message ? err->message : "(no message)");
    if (!err->message)
        g_error("error code %d came without a message", code);

    va_start(ap, code);
    while ((needle = va_arg(ap, const char *))) {
        if (!strstr(err->message, needle))
            g_error("error message '%s' lacks '%s'", err->message, needle);
    }
    va_end(ap);
}

static gpointer
virTestEventLoop(gpointer opaque G_GNUC_UNUSED)
{
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

void
virTestEventLoopStart(void)
{
    static GThread *thread;

    if (thread)
        return;
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
    thread = g_thread_new("test-event-loop", virTestEventLoop, NULL);
}
