/*
 * virnetmessage.h: one message of the remote protocol, as it travels: a
 * 4-byte big-endian length (counting itself), the XDR header
 * (virNetMessageHeader of virnetprotocol.x: program, version, procedure,
 * type, serial, status) and the XDR payload. Encoding and decoding never
 * read or write past the buffer, and refuse a length over the cap the
 * caller gives.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include <rpc/rpc.h>

#include "rpc/virnetprotocol.h"

typedef struct _virNetMessage virNetMessage;
struct _virNetMessage {
    virNetMessageHeader header;
    char *buffer;               /* the whole message, length word first */
    size_t bufferLength;        /* bytes of buffer in use / to read */
    size_t bufferOffset;        /* bytes read or written so far */
    virNetMessage *next;        /* for queues of messages */
};

/* The payload cap the protocol allows (VIR_NET_MESSAGE_MAX of the .x). */
#define VIR_NET_MESSAGE_LIMIT ((size_t) VIR_NET_MESSAGE_MAX)

virNetMessage *virNetMessageNew(void);
void virNetMessageFree(virNetMessage *msg);
/* Empty it for reuse (header zeroed, no buffer). */
void virNetMessageClear(virNetMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetMessage, virNetMessageFree);

/*
 * Writing: virNetMessageEncodeHeader() starts the buffer with a length
 * placeholder and msg->header; virNetMessageEncodePayload() appends @data
 * through @filter (NULL filter: an empty payload) and sets the length.
 * Both return 0, or -1 with VIR_ERR_RPC (e.g. the message would be over
 * VIR_NET_MESSAGE_LIMIT). The message is then ready to send:
 * buffer[0..bufferLength), bufferOffset 0.
 */
int virNetMessageEncodeHeader(virNetMessage *msg);
int virNetMessageEncodePayload(virNetMessage *msg, xdrproc_t filter,
                               void *data);

/*
 * Reading: the reader first reads the 4 length bytes into a buffer the
 * message owns (virNetMessagePrepareRead() sets it up: bufferLength 4),
 * then virNetMessageDecodeLength() checks the length (at least the
 * header, at most @max bytes in all) and grows the buffer to it; once
 * the whole message is in, virNetMessageDecodeHeader() fills msg->header
 * and virNetMessageDecodePayload() decodes the rest through @filter.
 * Each returns 0, or -1 with VIR_ERR_RPC naming what is wrong (length,
 * header, payload: short, trailing bytes, bad XDR).
 */
void virNetMessagePrepareRead(virNetMessage *msg);
int virNetMessageDecodeLength(virNetMessage *msg, size_t max);
int virNetMessageDecodeHeader(virNetMessage *msg);
int virNetMessageDecodePayload(virNetMessage *msg, xdrproc_t filter,
                               void *data);

/*
 * Reading from a socket, a piece at a time. virNetMessageReadPending()
 * returns the message being read in *@rx, a new one (prepared with
 * virNetMessagePrepareRead()) if *@rx is NULL; the caller reads at most
 * bufferLength - bufferOffset bytes into buffer + bufferOffset. Then
 * virNetMessageReadDone() counts the @n bytes that came and, once the
 * length word is in, decodes it (virNetMessageDecodeLength() with @max).
 * It returns 1 when the whole message is in (the caller takes it from
 * *@rx), 0 while more bytes are wanted, or -1 with VIR_ERR_RPC when the
 * length is bad.
 */
virNetMessage *virNetMessageReadPending(virNetMessage **rx);
int virNetMessageReadDone(virNetMessage *msg, size_t n, size_t max);

/*
 * Queues of messages to send, linked by msg->next from *@head to *@tail
 * (both NULL when empty). virNetMessageQueuePush() appends @msg (the
 * queue owns it). virNetMessageQueueServe() unlinks the head and returns
 * it (the caller owns it), NULL if the queue is empty.
 * virNetMessageQueueClear() frees every message and empties the queue.
 */
void virNetMessageQueuePush(virNetMessage **head, virNetMessage **tail,
                            virNetMessage *msg);
virNetMessage *virNetMessageQueueServe(virNetMessage **head,
                                       virNetMessage **tail);
void virNetMessageQueueClear(virNetMessage **head, virNetMessage **tail);

/*
 * A keepalive message of procedure @proc (KEEPALIVE_PROC_PING or
 * KEEPALIVE_PROC_PONG of virkeepaliveprotocol.x): KEEPALIVE_PROGRAM,
 * type VIR_NET_MESSAGE, serial 0, status VIR_NET_OK, no payload, ready
 * to send. Returns it (the caller owns it), or NULL with VIR_ERR_RPC.
 */
virNetMessage *virNetMessageNewKeepAlive(int proc);

/*
 * Errors on the wire. virNetMessageSaveError() fills @rerr from the
 * calling thread's last error (VIR_ERR_INTERNAL_ERROR "unknown error" if
 * there is none), all fields. virNetMessageRaiseError() makes @rerr the
 * calling thread's last error, code, domain, message and the rest
 * unchanged. virNetMessageFreeError() frees what @rerr holds.
 */
void virNetMessageSaveError(virNetMessageError *rerr);
void virNetMessageRaiseError(const virNetMessageError *rerr);
void virNetMessageFreeError(virNetMessageError *rerr);
