/*
 * driver.h: how drivers plug into the library. A connection driver claims
 * URIs and brings the table of calls a connection dispatches to; a state
 * driver has a lifecycle of its own, hosted by the embedding process or a
 * daemon. Drivers register themselves (see driver-builtin.c for the ones
 * compiled in); src/libvirt.c names none of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "datatypes.h"

#define VIR_DRIVER_H_ALLOW
#include "driver-hypervisor.h"
#include "driver-state.h"
#undef VIR_DRIVER_H_ALLOW

/* A connection driver: the URIs it claims and the calls it implements. */
struct _virConnectDriver {
    /* Refuses URIs that name a host (those will be the remote driver's). */
    bool localOnly;
    /* Opens SCHEME:///embed?root=DIR, with its state for DIR hosted by the
     * calling process; no other driver is offered an embed URI. */
    bool embeddable;
    /* The URI schemes it claims, NULL-terminated; NULL claims every one. */
    const char *const *uriSchemes;
    /* The URIs it opens, for the error of a URI no driver accepts. */
    const char *uriHelp;
    virHypervisorDriver *hypervisorDriver;
};

/*
 * Register a connection driver (kept, not copied): virConnectOpen() offers
 * a URI to the registered drivers in registration order and uses the first
 * that accepts it. Returns 0, or -1 with an error if the table is full.
 */
int virRegisterConnectDriver(virConnectDriver *driver);

/* Register a state driver (kept, not copied). Returns 0 or -1. */
int virRegisterStateDriver(virStateDriver *driver);

/* The @i-th registered connection driver, NULL past the last. */
virConnectDriver *virConnectDriverGet(size_t i);

/*
 * Whether @driver is to be offered @uri: one of its schemes (or any), no
 * host for a local-only driver, and for an embed URI (@embed) only an
 * embeddable driver.
 */
bool virConnectDriverClaims(const virConnectDriver *driver, GUri *uri,
                            bool embed);

/* Register the drivers compiled into the library (driver-builtin.c), in
 * the order they are offered URIs. Returns 0 or -1. */
int virDriverRegisterBuiltin(void);

/*
 * Start, for @root (an embed root, or NULL for a daemon's instance), the
 * state of every registered state driver, in registration order; on a
 * failure the ones already started are stopped again. Returns 0, or -1
 * with the failing driver's error (VIR_ERR_OPERATION_INVALID if @root's
 * states are running already).
 */
int virStateInitialize(bool privileged, const char *root,
                       virStateInhibitCallback callback, void *opaque);

/* Stop the states started for @root, in reverse order. Returns 0, or -1
 * if one failed (the others are stopped all the same). */
int virStateCleanup(const char *root);

/* Reload the states of @root. Returns 0, or -1 if one failed. */
int virStateReload(const char *root);

/* Is SCHEME:///embed?... the form of @uri (no host, path "/embed")? */
bool virURIIsEmbed(GUri *uri);

/*
 * The root of an embed URI: its one "root" parameter, unescaped, checked
 * (only root and the caller may be able to change it or a directory above
 * it), created (0700) if missing, and resolved (one spelling per directory:
 * it names the hosted state). Returns a new string, or NULL with
 * VIR_ERR_INVALID_ARG (the URI) or VIR_ERR_OPERATION_DENIED (the root).
 */
char *virStateEmbedRoot(GUri *uri);

/*
 * Take a hold on the states of the embed root @root for a connection: the
 * first hold starts them (virStateInitialize()), the others attach to
 * them. Returns 0, or -1 with the error of the start.
 */
int virStateEmbedHold(const char *root);

/* Let go of a hold: the last one stops the states of @root. */
void virStateEmbedRelease(const char *root);
