/*
 * remote_daemon_config.h: libvirtd.conf, the daemon's settings: sockets
 * (directory, group, modes), the worker pool, client limits, the message
 * size cap, keepalive, the log level and the root of the QEMU instance it
 * hosts. Every key has a default; a file may set any of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/* The protocol's own cap on a message (VIR_NET_MESSAGE_MAX of
 * virnetprotocol.x): max_message_size can only lower it. */
#define REMOTE_DAEMON_MESSAGE_MAX (32 * 1024 * 1024)
/* The smallest max_message_size taken: a handshake's replies must fit. */
#define REMOTE_DAEMON_MESSAGE_MIN (64 * 1024)

typedef struct _remoteDaemonConfig remoteDaemonConfig;
struct _remoteDaemonConfig {
    char *unixSockDir;          /* unix_sock_dir */
    char *unixSockGroup;        /* unix_sock_group; NULL: the daemon's */
    gid_t unixSockGid;          /* its id, (gid_t) -1 when unset */
    mode_t unixSockRwPerms;     /* unix_sock_rw_perms */
    mode_t unixSockRoPerms;     /* unix_sock_ro_perms */
    unsigned int minWorkers;
    unsigned int maxWorkers;
    unsigned int maxClients;
    unsigned int maxClientRequests;
    size_t maxMessageSize;      /* bytes */
    int keepaliveInterval;      /* seconds; -1 disables */
    unsigned int keepaliveCount;
    int logLevel;               /* 1 (debug) .. 4 (error); 0: unset */
    char *qemuRoot;             /* qemu_root */

    /* TLS (with --listen only, as libvirt's): see docs/tls.md */
    bool listenTLS;             /* listen_tls, default 1 */
    char *tlsPort;              /* tls_port, default "16514" */
    char *listenAddr;           /* listen_addr, NULL: every address */
    char *keyFile;              /* key_file, SYSCONFDIR/pki/libvirt/private/serverkey.pem */
    char *certFile;             /* cert_file, SYSCONFDIR/pki/libvirt/servercert.pem */
    char *caFile;               /* ca_file, SYSCONFDIR/pki/CA/cacert.pem */
    char *crlFile;              /* crl_file, SYSCONFDIR/pki/CA/cacrl.pem (optional) */
    bool tlsNoSanityCert;       /* tls_no_sanity_certificate, default 0 */
    bool tlsNoVerifyCert;       /* tls_no_verify_certificate, default 0 */
    char **tlsAllowedDNList;    /* tls_allowed_dn_list, NULL: any DN */
    char *tlsPriority;          /* tls_priority, default "NORMAL" */
    /* What the file had that is worth a warning (unknown keys), for the
     * caller to log once its logging is set up. */
    GPtrArray *warnings;
};

/* The configuration file read when none is given:
 * $(sysconfdir)/libvirt-bp/libvirtd.conf. */
const char *remoteDaemonConfigDefaultFile(void);

/* A configuration holding every default. */
remoteDaemonConfig *remoteDaemonConfigNew(void);

/*
 * A session daemon's (one run by a user other than root): its file is
 * $XDG_CONFIG_HOME/libvirt-bp/libvirtd.conf (the caller frees the name);
 * its defaults, set over @cfg's by remoteDaemonConfigSetSession(), keep
 * everything under the user's XDG directories: unix_sock_dir
 * $XDG_RUNTIME_DIR/libvirt-bp (GLib's fallback when unset), qemu_root
 * $XDG_DATA_HOME/libvirt-bp/qemu, the read-write socket 0700.
 */
char *remoteDaemonConfigSessionFile(void);
void remoteDaemonConfigSetSession(remoteDaemonConfig *cfg);
void remoteDaemonConfigFree(remoteDaemonConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(remoteDaemonConfig, remoteDaemonConfigFree);

/*
 * Read @path into @cfg over its defaults. A missing @path is no error
 * when @mayBeMissing (the default file): @cfg keeps its defaults. Keys
 * this daemon does not know are ignored, as libvirt does, each with a
 * warning in cfg->warnings. A key of the wrong type or with a value out of
 * its range is an error (VIR_ERR_CONF_SYNTAX, "FILE:LINE: reason").
 * Returns 0, or -1 with an error (@cfg then half updated: throw it away).
 */
int remoteDaemonConfigLoadFile(remoteDaemonConfig *cfg, const char *path,
                               bool mayBeMissing);

/* The same from the @len bytes of @text, named @name in errors. */
int remoteDaemonConfigLoadString(remoteDaemonConfig *cfg, const char *text,
                                 size_t len, const char *name);

/* <unix_sock_dir>/libvirt-sock, or libvirt-sock-ro if @readonly. */
char *remoteDaemonConfigSocketPath(const remoteDaemonConfig *cfg,
                                   bool readonly);

/* The URI of the QEMU instance the daemon hosts:
 * "qemu:///embed?root=<qemu_root>", the root %-escaped. */
char *remoteDaemonConfigSystemURI(const remoteDaemonConfig *cfg);
