/*
 * security_dac.h: chown images to QEMU's user, remembering the owner,
 * mode and access ACL to give back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/*
 * Where what to give back ("UID:GID:MODE", MODE in octal, then ":acl" if
 * the image had an access ACL), the ACL itself (the bytes of its
 * system.posix_acl_access) and the holders of an image's label (a
 * comma-separated list of holder ids, e.g. one per running domain) are
 * kept. The trusted. namespace is writable only with CAP_SYS_ADMIN, so
 * QEMU's user cannot forge the owner, mode or ACL of a file it has been
 * handed, and it works on tmpfs.
 */
#define VIR_SECURITY_DAC_XATTR_OWNER "trusted.libvirt-bp.dac.owner"
#define VIR_SECURITY_DAC_XATTR_ACL "trusted.libvirt-bp.dac.acl"
#define VIR_SECURITY_DAC_XATTR_HOLDERS "trusted.libvirt-bp.dac.holders"

/* The longest holder id, in bytes (without the terminating NUL). */
#define VIR_SECURITY_DAC_HOLDER_MAX 128

int
virSecurityDACCheckHolder(const char *holder);

int
virSecurityDACSetImageLabel(const char *path,
                            uid_t uid,
                            gid_t gid,
                            const char *holder);

int
virSecurityDACSetImageLabelFD(int fd,
                              const char *path,
                              uid_t uid,
                              gid_t gid,
                              const char *holder);

int
virSecurityDACRestoreImageLabel(const char *path,
                                const char *holder);

int
virSecurityDACGetRemembered(const char *path,
                            uid_t *uid,
                            gid_t *gid,
                            char ***holders);

int
virSecurityDACSetOwner(const char *path,
                       uid_t uid,
                       gid_t gid);
