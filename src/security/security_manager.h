/*
 * security_manager.h: grant and revoke QEMU's access to disk images.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <glib.h>

/*
 * A security manager holds the configured driver ("dac" or "none") and
 * the user and group QEMU runs as. It is immutable once created and may
 * be shared by any number of threads; labelling is serialised inside.
 */
typedef struct _virSecurityManager virSecurityManager;

virSecurityManager *
virSecurityManagerNew(const char *driver,
                      const char *user,
                      const char *group);

void
virSecurityManagerFree(virSecurityManager *mgr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virSecurityManager, virSecurityManagerFree);

const char *
virSecurityManagerGetDriver(virSecurityManager *mgr);

bool
virSecurityManagerIsActive(virSecurityManager *mgr);

uid_t
virSecurityManagerGetUser(virSecurityManager *mgr);

gid_t
virSecurityManagerGetGroup(virSecurityManager *mgr);

char *
virSecurityManagerHolderID(const char *scope,
                           const unsigned char *uuid);

int
virSecurityManagerSetImageLabel(virSecurityManager *mgr,
                                const char *path,
                                const char *holder);

int
virSecurityManagerSetImageLabelFD(virSecurityManager *mgr,
                                  int fd,
                                  const char *path,
                                  const char *holder);

int
virSecurityManagerRestoreImageLabel(virSecurityManager *mgr,
                                    const char *path,
                                    const char *holder);

int
virSecurityManagerSetImageLabels(virSecurityManager *mgr,
                                 const char *const *paths,
                                 size_t npaths,
                                 const char *holder);

int
virSecurityManagerRestoreImageLabels(virSecurityManager *mgr,
                                     const char *const *paths,
                                     size_t npaths,
                                     const char *holder);

int
virSecurityManagerSetPrivateOwner(virSecurityManager *mgr,
                                  const char *path);

int
virSecurityManagerDropPrivilegesInChild(virSecurityManager *mgr);
