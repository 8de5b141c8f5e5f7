/*
 * virnettls.h: TLS for the remote protocol, on GnuTLS. A context holds
 * one side's credentials (the CA, an optional CRL, its own certificate
 * and key) and the checks it makes of the peer's certificate; a session
 * is one connection's TLS on a non-blocking socket, stepped by the
 * caller's event loop (it never waits).
 *
 * The checks and their order are libvirt's: the peer's certificate must
 * be signed by the CA, not revoked, active and not expired; a client
 * checks the server's against the host name it dialled, a server checks
 * the client's Distinguished Name against its allowed list (glob
 * patterns). Then the server sends one byte, '\1', in an encrypted
 * record: the client may use the connection once it has read it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

typedef struct _virNetTLSContext virNetTLSContext;
typedef struct _virNetTLSSession virNetTLSSession;

/* The byte a server sends once it accepted the client's certificate. */
#define VIR_NET_TLS_CONFIRM '\1'

/* The port of qemu+tls:// and libvirtd's tls_port. */
#define VIR_NET_TLS_PORT "16514"

/* libvirt's default pki layout (SYSCONFDIR/pki/...). */
#define VIR_NET_TLS_PKI_DIR SYSCONFDIR "/pki"
#define VIR_NET_TLS_CACERT VIR_NET_TLS_PKI_DIR "/CA/cacert.pem"
#define VIR_NET_TLS_CACRL VIR_NET_TLS_PKI_DIR "/CA/cacrl.pem"
#define VIR_NET_TLS_SERVERCERT VIR_NET_TLS_PKI_DIR "/libvirt/servercert.pem"
#define VIR_NET_TLS_SERVERKEY VIR_NET_TLS_PKI_DIR "/libvirt/private/serverkey.pem"
#define VIR_NET_TLS_CLIENTCERT VIR_NET_TLS_PKI_DIR "/libvirt/clientcert.pem"
#define VIR_NET_TLS_CLIENTKEY VIR_NET_TLS_PKI_DIR "/libvirt/private/clientkey.pem"

/* GnuTLS's defaults, as libvirt's build default. */
#define VIR_NET_TLS_PRIORITY "NORMAL"

typedef struct _virNetTLSFiles virNetTLSFiles;
struct _virNetTLSFiles {
    char *cacert;
    char *cacrl;        /* NULL or a file that does not exist: no CRL */
    char *cert;
    char *key;
};
void virNetTLSFilesClear(virNetTLSFiles *files);

/*
 * Where a client's files are, as libvirt looks for them: all in @pkipath
 * when given (cacert.pem, cacrl.pem, clientcert.pem, clientkey.pem);
 * otherwise, for a user other than root, $HOME/.pki/libvirt where the
 * files exist there (the CA, the CRL, the certificate and key as a pair),
 * and the system's layout for the rest.
 */
void virNetTLSFilesClient(const char *pkipath, virNetTLSFiles *files);

/*
 * A server's (@isServer) or a client's context. Loading checks the
 * files: each must be readable, the key must match the certificate, and
 * unless !@sanityCheck, the CA must be a CA certificate, our own
 * certificate must be signed by it, active, not expired, and meant for
 * its side (TLS server or client). A server checks each client's
 * certificate and its DN against @dnList (NULL: any DN), a client the
 * server's certificate and name (unless !@requireValid: failures are
 * then only logged).
 * @priority is a GnuTLS priority string (NULL: VIR_NET_TLS_PRIORITY).
 * Returns NULL with an error naming the file and what is wrong.
 */
virNetTLSContext *virNetTLSContextNew(bool isServer,
                                      const virNetTLSFiles *files,
                                      const char *const *dnList,
                                      bool sanityCheck, bool requireValid,
                                      const char *priority);
virNetTLSContext *virNetTLSContextRef(virNetTLSContext *ctx);
void virNetTLSContextUnref(virNetTLSContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetTLSContext, virNetTLSContextUnref);

/*
 * A session over the connected non-blocking socket @fd (not taken: the
 * caller closes it after freeing the session). A client gives the
 * @hostname it dialled, which the server's certificate must match.
 */
virNetTLSSession *virNetTLSSessionNew(virNetTLSContext *ctx, int fd,
                                      const char *hostname);
void virNetTLSSessionFree(virNetTLSSession *sess);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetTLSSession, virNetTLSSessionFree);

/*
 * One step of the handshake: 1 when it is complete, 0 when the socket
 * must become ready first (virNetTLSSessionWants() says which way),
 * -1 with an error (the peer's TLS alert or GnuTLS's reason, naming
 * @peer, e.g. a peer that speaks no TLS).
 */
int virNetTLSSessionHandshake(virNetTLSSession *sess, const char *peer);

/*
 * The peer's certificate against the context's checks, after the
 * handshake. Returns 0; or -1 with an error saying which check failed,
 * naming @peer. A context made with !requireValid (tls_no_verify_
 * certificate, no_verify=1) logs the failure (VIR_WARN) and returns 0. *@dn (if given) gets the peer's
 * Distinguished Name if it sent a certificate (caller frees).
 */
int virNetTLSSessionCheckPeer(virNetTLSSession *sess, const char *peer,
                              char **dn);

/* What the last call that could not go on waits for: G_IO_IN or G_IO_OUT. */
GIOCondition virNetTLSSessionWants(virNetTLSSession *sess);

/*
 * Records, as send() and recv() on a non-blocking socket: the count of
 * bytes; 0 from Recv at the end of the stream; -1 with errno EAGAIN
 * (try again when virNetTLSSessionWants() is ready), ECONNRESET (the
 * peer went away) or EIO (a TLS error, *@why set to GnuTLS's reason, a
 * static string).
 */
ssize_t virNetTLSSessionSend(virNetTLSSession *sess, const void *buf,
                             size_t len, const char **why);
ssize_t virNetTLSSessionRecv(virNetTLSSession *sess, void *buf, size_t len,
                             const char **why);
/* Bytes already decrypted and buffered: a reader must take them before
 * it waits for the socket (poll() does not see them). */
size_t virNetTLSSessionPending(virNetTLSSession *sess);
