/*
 * datatypes.h: the public handles (virConnect, virDomain), reference counted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include "libvirt/libvirt.h"

typedef struct _virConnectDriver virConnectDriver;
typedef struct _virHypervisorDriver virHypervisorDriver;

#define VIR_CONNECT_MAGIC 0x4c425643u   /* tells a live handle from junk */
#define VIR_DOMAIN_MAGIC 0x4c42444fu

struct _virConnect {
    unsigned int magic;
    gint refs;
    unsigned int flags;         /* virConnectFlags: VIR_CONNECT_RO */
    char *uri;                  /* as given (canonical form from the driver) */
    virHypervisorDriver *driver;
    void *privateData;          /* the driver's */
    char *embedRoot;            /* of an embed URI: the root whose hosted
                                 * states this connection holds (released
                                 * when it is disposed), else NULL */

    GMutex lock;                /* protects err and the close callback */
    virError err;               /* last error of a call on this connection */

    /* virConnectRegisterCloseCallback(): called by the remote driver
     * when its link breaks, never on the local connections (see
     * libvirt.h). */
    virConnectCloseFunc closeCallback;
    void *closeOpaque;
    virFreeCallback closeFreeCallback;
};

struct _virDomain {
    unsigned int magic;
    gint refs;
    virConnectPtr conn;         /* holds a reference */
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;                     /* -1 when not running */
};

/* A new connection with one reference. */
virConnectPtr virGetConnect(void);

/* A new domain handle with one reference (holds one on @conn). */
virDomainPtr virGetDomain(virConnectPtr conn, const char *name,
                          const unsigned char *uuid, int id);

bool virConnectIsValid(virConnectPtr conn);
bool virDomainIsValid(virDomainPtr dom);

/* Take a reference unless the connection is already being closed (its
 * count reached 0). */
bool virConnectRefIfAlive(virConnectPtr conn);

/* Drop a reference; frees at zero. NULL is fine. */
void virObjectUnrefConnect(virConnectPtr conn);
void virObjectUnrefDomain(virDomainPtr dom);
