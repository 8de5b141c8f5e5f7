/*
 * virnetclient.h: the client side of the remote protocol. One connection
 * to a server, with an I/O thread of its own: any number of threads may
 * make calls at once (each waits for the reply with its serial), events
 * are handed to the program's event handler in the order they came, and
 * keepalive PINGs are answered (and sent, once started). When the
 * connection is lost every waiting call and every later one fails with
 * VIR_ERR_RPC (never a hang) and the close callback fires once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "rpc/virnetmessage.h"

typedef struct _virNetClient virNetClient;

/* Connect to the unix socket @path. NULL with VIR_ERR_NO_CONNECT (naming
 * @path and why: no such file, refused, permission) on failure. */
virNetClient *virNetClientNewUnix(const char *path);
/* Over a connected stream socket or pipe pair: takes @fd. */
virNetClient *virNetClientNewFD(int fd);
/*
 * Run @argv (argv[0] looked up in PATH; ssh) with one end of a socket
 * pair as its stdin and stdout and a pipe as its stderr, and talk over
 * the other end. The command's signals start with their default actions.
 * When the connection ends by an end of file or an error, the error of
 * the calls says what the command wrote to stderr last (ssh: "Host key
 * verification failed.") and how it exited, after a bounded wait for it
 * to exit. Closing the client ends the command (SIGTERM, SIGKILL after a
 * bounded wait) and reaps it. NULL with VIR_ERR_NO_CONNECT if it cannot
 * be started.
 */
virNetClient *virNetClientNewCommand(const char *const *argv);

/* How long a TLS connection may take to be set up (connect, handshake,
 * the server's verdict), in seconds: a silent server is an error. */
#define VIR_NET_CLIENT_TLS_TIMEOUT 30

typedef struct _virNetTLSContext virNetTLSContext;
/*
 * TLS over TCP to @host port @port (IPv4 or IPv6): the handshake with
 * the credentials of @ctx, the server's certificate checked against
 * @host, then the server's confirmation that it accepted ours. NULL
 * with an error that says which step failed (VIR_ERR_NO_CONNECT naming
 * host and port, VIR_ERR_AUTH_FAILED for a certificate, the server's
 * refusal or a failed handshake, VIR_ERR_OPERATION_TIMEOUT).
 */
virNetClient *virNetClientNewTLS(const char *host, const char *port,
                                 virNetTLSContext *ctx);

/*
 * A call: encode @args through @argsFilter, send, wait for the reply and
 * decode it into @ret through @retFilter (the caller frees it with
 * xdr_free). Returns 0, or -1 with the server's error raised as is
 * (virNetMessageRaiseError()) or VIR_ERR_RPC when the connection failed.
 */
int virNetClientCall(virNetClient *client, unsigned int program,
                     unsigned int version, int proc,
                     xdrproc_t argsFilter, void *args,
                     xdrproc_t retFilter, void *ret);

/*
 * Events of @program: @func gets every VIR_NET_MESSAGE of that program
 * (decode its payload by msg->header.proc with virNetMessageDecodePayload).
 * It runs on the I/O thread: it must not block nor make calls (queue the
 * event to the application's loop). Returns 0 or -1.
 */
typedef void (*virNetClientEventFunc)(virNetClient *client,
                                      virNetMessage *msg, void *opaque);
int virNetClientAddProgramEvents(virNetClient *client, unsigned int program,
                                 unsigned int version,
                                 virNetClientEventFunc func, void *opaque);

/* Called once when the connection ends, with a VIR_CONNECT_CLOSE_REASON_*
 * (EOF, ERROR, KEEPALIVE; CLIENT for virNetClientClose()). */
typedef void (*virNetClientCloseFunc)(virNetClient *client, int reason,
                                      void *opaque);
void virNetClientSetCloseCallback(virNetClient *client,
                                  virNetClientCloseFunc func, void *opaque,
                                  GDestroyNotify freeFunc);

/* Send a PING every @interval seconds; after @count unanswered ones the
 * peer is dead: the connection is closed (reason KEEPALIVE). @interval
 * <= 0 stops it. Returns 0 or -1. */
int virNetClientKeepAliveStart(virNetClient *client, int interval,
                               unsigned int count);

bool virNetClientIsOpen(virNetClient *client);
/* Close (idempotent); calls waiting fail. */
void virNetClientClose(virNetClient *client);
virNetClient *virNetClientRef(virNetClient *client);
void virNetClientUnref(virNetClient *client);
