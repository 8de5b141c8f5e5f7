/*
 * qemu_backing.h: the backing images a persistent domain is known to use,
 * and the start-time check that keeps a rewritten image header from
 * choosing what QEMU's user is given.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "qemu_domain.h"

/*
 * Save @def, a persistent definition being defined, with the record of
 * the backing chains its domain is known to use: both or neither (the
 * record is put back if the definition cannot be saved). @vm is the
 * domain it redefines, locked, or NULL for a new one.
 *
 * A disk whose top image path did not change keeps its recorded chain,
 * whatever the image's header says now; a disk given with <backingStore>
 * records that chain; a new top image has its headers read now, unless
 * it is in use by @vm, running, whose live chain is recorded instead (the
 * headers of images QEMU's user owns are never read for the record). So
 * a changed chain of an unchanged disk is accepted only through
 * <backingStore>, qemu.conf's backing_dirs, or undefine and define.
 *
 * Returns 0, or -1 with an error reported.
 */
int qemuBackingDefine(qemuDriver *driver, const virDomainDef *def,
                      virDomainObj *vm);

/* Remove the record of domain @def (undefine). */
void qemuBackingRecordRemove(qemuDriver *driver, const virDomainDef *def);

/*
 * Read the chains of @def, the live definition @vm is about to start
 * with, and refuse any backing image named by a header that @vm's record
 * does not list for that disk and that lies under no directory of
 * qemu.conf's backing_dirs. Disks the record does not know yet (a domain
 * defined by an older version, or whose images could not be read when it
 * was defined) are recorded as they are now. Transient domains are not
 * checked: their chains are what they were created with.
 * Returns 0, or -1 with an error reported (VIR_ERR_ACCESS_DENIED for a
 * backing image refused).
 */
int qemuBackingResolveChains(qemuDriver *driver, virDomainObj *vm,
                             virDomainDef *def);

/*
 * A pull of @vm's disk with top image @top completed: the images in
 * @paths left its chain and are no longer known to the domain. vm locked.
 */
void qemuBackingRecordForget(qemuDriver *driver, virDomainObj *vm,
                             const char *top, GPtrArray *paths);
