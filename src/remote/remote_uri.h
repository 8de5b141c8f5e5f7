/*
 * remote_uri.h: which URIs the remote driver opens, and what it makes of
 * them: the socket to connect to and the URI to hand to the daemon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef enum {
    REMOTE_TRANSPORT_UNIX,      /* unix (and a scheme without transport, no host) */
    REMOTE_TRANSPORT_SSH,       /* ssh: OpenSSH's ssh to virt-ssh-helper */
    REMOTE_TRANSPORT_TLS,       /* tls (and a scheme without transport, with host) */
} remoteTransport;

/* How the far side of ssh reaches the daemon (libvirt's "proxy"). */
typedef enum {
    REMOTE_PROXY_AUTO,          /* virt-ssh-helper if there, else nc */
    REMOTE_PROXY_NETCAT,        /* nc -U socket (also when socket= is given) */
    REMOTE_PROXY_NATIVE,        /* virt-ssh-helper only */
} remoteProxy;

typedef struct _remoteURI remoteURI;
struct _remoteURI {
    char *driver;       /* the scheme without its transport: "qemu" */
    char *transport;    /* "unix" (also for a scheme without one), "ssh", "tls" */
    remoteTransport kind;
    bool session;       /* the path is /session */
    char *socket;       /* unix: the socket to connect to; ssh: the far
                         * side's socket (socket=, or the default one for
                         * nc), NULL for virt-ssh-helper to find */
    bool autostart;     /* unix, /session, no socket=: start the user's
                         * daemon when none listens (remote_session.c) */
    char *name;         /* the URI sent to the daemon in CONNECT_OPEN */

    /* ssh and tls */
    char *host;         /* as in the URI (an IPv6 address without [ ]) */
    int port;           /* 0: the transport's default (ssh: ssh's; tls: 16514) */
    char *user;         /* ssh: user@ of the URI, NULL: ssh's default */
    bool noVerify;      /* no_verify=1: ssh: StrictHostKeyChecking=no;
                         * tls: the server's certificate is not checked */

    /* ssh */
    char *command;      /* command=: the ssh binary, NULL: "ssh" */
    char *keyfile;      /* keyfile= */
    char *knownHosts;   /* known_hosts= */
    bool noTTY;         /* no_tty=1: BatchMode=yes, never a prompt */
    char *netcat;       /* netcat=: nc on the far side (implies NETCAT) */
    remoteProxy proxy;  /* proxy= (auto, netcat, native); socket= or
                         * netcat= make it NETCAT, as libvirt's */
    char *helperURI;    /* the URI virt-ssh-helper gets: "qemu:///system" */

    /* tls */
    char *pkipath;      /* pkipath=: cacert.pem, clientcert.pem,
                         * private/clientkey.pem or clientkey.pem */
    char *tlsPriority;  /* tls_priority= (GnuTLS priority string) */
    bool noSanity;      /* no_sanity=1: our own certificate is not checked
                         * before connecting (the server still checks it) */
};

void remoteURIFree(remoteURI *ruri);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(remoteURI, remoteURIFree);

/*
 * Parse @uri for the remote driver, for a read-only open if @readonly.
 * Returns 0 with *@ruri set (the caller frees it); -2 (VIR_DRV_OPEN_DECLINED)
 * if the URI is not the remote driver's, with no error; -1 with an error
 * for a URI that is the remote driver's but cannot be opened (a transport
 * libvirt knows and we do not carry: libssh, libssh2, tcp, ext; a bad
 * parameter). @defaultSocketDir is the directory of the daemon's sockets
 * when the URI names none (the build's $(runstatedir)/libvirt-bp).
 */
int remoteURIParse(GUri *uri, bool readonly, const char *defaultSocketDir,
                   remoteURI **ruri);
