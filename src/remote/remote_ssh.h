/*
 * remote_ssh.h: what remote_ssh.c builds, for its tests: ssh's command
 * line for a qemu+ssh:// URI and the command run on the far side.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

#include "remote/remote_uri.h"

char *remoteSSHFarCommand(const remoteURI *ruri, bool readonly);
char **remoteSSHArgv(const remoteURI *ruri, bool readonly);
