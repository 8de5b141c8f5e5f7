/*
 * security_dac.h: chown images to QEMU's user, remembering the owner.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/*
 * Where the original owner ("UID:GID") and the number of outstanding
 * labels (decimal) of an image are kept. The trusted. namespace is
 * writable only with CAP_SYS_ADMIN, so QEMU's user cannot forge the
 * owner of a file it has been handed, and it works on tmpfs.
 */
#define VIR_SECURITY_DAC_XATTR_OWNER "trusted.libvirt-bp.dac.owner"
#define VIR_SECURITY_DAC_XATTR_REFCOUNT "trusted.libvirt-bp.dac.refcount"

int
virSecurityDACSetImageLabel(const char *path,
                            uid_t uid,
                            gid_t gid);

int
virSecurityDACRestoreImageLabel(const char *path);

int
virSecurityDACGetRemembered(const char *path,
                            uid_t *uid,
                            gid_t *gid,
                            unsigned int *refcount);

int
virSecurityDACSetOwner(const char *path,
                       uid_t uid,
                       gid_t gid);
