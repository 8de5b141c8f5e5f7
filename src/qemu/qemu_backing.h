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
 * Read the backing chains of @def's disks from the image headers, as a
 * define does: top image path -> GPtrArray of backing image paths. Disks
 * whose chain is given in the XML, and disks whose headers cannot be read
 * (yet), are left out. Never fails; free with g_hash_table_unref().
 */
GHashTable *qemuBackingProbe(const virDomainDef *def);

/*
 * Record @probed (from qemuBackingProbe()) as the chains domain @def is
 * known to use. A disk left out of @probed keeps what the old record said
 * about it. Returns 0, or -1 with an error reported.
 */
int qemuBackingRecordSave(qemuDriver *driver, const virDomainDef *def,
                          GHashTable *probed);

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
