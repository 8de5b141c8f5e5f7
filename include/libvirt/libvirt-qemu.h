/*
 * libvirt-qemu.h: QEMU-specific calls, outside the hypervisor-neutral API.
 * Using them on a running domain may confuse the driver's view of it; they
 * exist for debugging and tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LIBVIRT_QEMU_H
#define LIBVIRT_QEMU_H

#include <libvirt/libvirt.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * virDomainQemuMonitorCommandFlags:
 *
 * Flags of virDomainQemuMonitorCommand().
 */
typedef enum {
    VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT = 0,
    VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP = (1 << 0), /* @cmd is a human monitor command */
} virDomainQemuMonitorCommandFlags;

/**
 * virDomainQemuMonitorCommand:
 * @domain: a running domain
 * @cmd: a QMP command as a JSON object ({"execute": ..., "arguments": ...}),
 *       or with VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP a human monitor command line
 * @result: where to store QEMU's answer (free with free()): the JSON reply
 *          {"return": ...}, or the human monitor's text output
 * @flags: bitwise-OR of virDomainQemuMonitorCommandFlags
 *
 * Send a command to the domain's QEMU monitor, behind the driver's back.
 *
 * Returns 0 on success, -1 on error (QEMU's error is in the message).
 */
int virDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd,
                                char **result, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_QEMU_H */
