/*
 * datatypes.c: creating and releasing the public handles.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "datatypes.h"
#include "driver.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

virConnectPtr
virGetConnect(void)
{
    virConnectPtr conn = g_new0(virConnect, 1);

    conn->magic = VIR_CONNECT_MAGIC;
    conn->refs = 1;
    g_mutex_init(&conn->lock);
    return conn;
}

bool
virConnectIsValid(virConnectPtr conn)
{
    return conn && conn->magic == VIR_CONNECT_MAGIC &&
        g_atomic_int_get(&conn->refs) > 0;
}

bool
virDomainIsValid(virDomainPtr dom)
{
    return dom && dom->magic == VIR_DOMAIN_MAGIC &&
        g_atomic_int_get(&dom->refs) > 0 && virConnectIsValid(dom->conn);
}

virDomainPtr
virGetDomain(virConnectPtr conn, const char *name,
             const unsigned char *uuid, int id)
{
    virDomainPtr dom = g_new0(virDomain, 1);

    dom->magic = VIR_DOMAIN_MAGIC;
    dom->refs = 1;
    g_atomic_int_inc(&conn->refs);
    dom->conn = conn;
    dom->name = g_strdup(name);
    memcpy(dom->uuid, uuid, VIR_UUID_BUFLEN);
    dom->id = id;
    return dom;
}

static void
virConnectDispose(virConnectPtr conn)
{
    VIR_DEBUG("closing connection %p (%s)", conn, NULLSTR(conn->uri));
    if (conn->driver && conn->driver->connectClose)
        conn->driver->connectClose(conn);
    /* After the driver let go: the last hold stops the hosted state. */
    if (conn->embedRoot)
        virStateEmbedRelease(conn->embedRoot);
    g_free(conn->embedRoot);
    virResetError(&conn->err);
    g_mutex_clear(&conn->lock);
    g_free(conn->uri);
    conn->magic = 0;
    g_free(conn);
}

bool
virConnectRefIfAlive(virConnectPtr conn)
{
    gint refs;

    do {
        refs = g_atomic_int_get(&conn->refs);
        if (refs <= 0)
            return false;
    } while (!g_atomic_int_compare_and_exchange(&conn->refs, refs, refs + 1));
    return true;
}

void
virObjectUnrefConnect(virConnectPtr conn)
{
    if (!conn)
        return;
    if (g_atomic_int_dec_and_test(&conn->refs))
        virConnectDispose(conn);
}

void
virObjectUnrefDomain(virDomainPtr dom)
{
    virConnectPtr conn;

    if (!dom)
        return;
    if (!g_atomic_int_dec_and_test(&dom->refs))
        return;
    conn = dom->conn;
    dom->magic = 0;
    g_free(dom->name);
    g_free(dom);
    virObjectUnrefConnect(conn);
}
