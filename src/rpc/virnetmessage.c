/*
 * virnetmessage.c: encoding and decoding one message of the remote
 * protocol (length word, header, payload) and the errors it carries.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <arpa/inet.h>

#include "rpc/virnetmessage.h"
#include "rpc/virkeepaliveprotocol.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_RPC

/* The header is six XDR words, whatever their values: the payload always
 * starts at this offset. */
#define VIR_NET_MESSAGE_PAYLOAD_OFFSET \
    (VIR_NET_MESSAGE_HEADER_XDR_LEN + VIR_NET_MESSAGE_HEADER_MAX)

virNetMessage *
virNetMessageNew(void)
{
    return g_new0(virNetMessage, 1);
}

void
virNetMessageClear(virNetMessage *msg)
{
    g_clear_pointer(&msg->buffer, g_free);
    memset(msg, 0, sizeof(*msg));
}

void
virNetMessageFree(virNetMessage *msg)
{
    if (!msg)
        return;
    g_free(msg->buffer);
    g_free(msg);
}

static void
virNetMessageSetLength(virNetMessage *msg, size_t len)
{
    uint32_t word = htonl((uint32_t) len);

    memcpy(msg->buffer, &word, sizeof(word));
    msg->bufferLength = len;
    msg->bufferOffset = 0;
}

int
virNetMessageEncodeHeader(virNetMessage *msg)
{
    XDR xdr;
    size_t len = VIR_NET_MESSAGE_PAYLOAD_OFFSET;

    g_free(msg->buffer);
    msg->buffer = g_malloc0(len);
    xdrmem_create(&xdr, msg->buffer + VIR_NET_MESSAGE_HEADER_XDR_LEN,
                  len - VIR_NET_MESSAGE_HEADER_XDR_LEN, XDR_ENCODE);
    if (!xdr_virNetMessageHeader(&xdr, &msg->header) ||
        xdr_getpos(&xdr) != VIR_NET_MESSAGE_HEADER_MAX) {
        xdr_destroy(&xdr);
        virReportError(VIR_ERR_RPC, "%s", "cannot encode the message header");
        return -1;
    }
    xdr_destroy(&xdr);
    virNetMessageSetLength(msg, len);
    return 0;
}

int
virNetMessageEncodePayload(virNetMessage *msg, xdrproc_t filter, void *data)
{
    size_t used = msg->bufferLength;
    size_t cap = VIR_NET_MESSAGE_INITIAL;

    if (!msg->buffer || used < VIR_NET_MESSAGE_PAYLOAD_OFFSET) {
        virReportError(VIR_ERR_RPC, "%s",
                       "cannot encode a payload before the message header");
        return -1;
    }
    if (!filter)
        return 0;

    /* Grow the buffer until the payload fits, up to the protocol's cap:
     * an encoding that fails at the cap is too large (or invalid). */
    for (;;) {
        XDR xdr;
        bool ok;
        size_t len;

        if (cap > VIR_NET_MESSAGE_LIMIT)
            cap = VIR_NET_MESSAGE_LIMIT;
        if (cap < used)
            cap = used;
        msg->buffer = g_realloc(msg->buffer, cap);
        xdrmem_create(&xdr, msg->buffer + used, cap - used, XDR_ENCODE);
        ok = filter(&xdr, data);
        len = used + xdr_getpos(&xdr);
        xdr_destroy(&xdr);
        if (ok) {
            msg->buffer = g_realloc(msg->buffer, len);
            virNetMessageSetLength(msg, len);
            return 0;
        }
        if (cap >= VIR_NET_MESSAGE_LIMIT) {
            msg->buffer = g_realloc(msg->buffer, used);
            virReportError(VIR_ERR_RPC,
                           "cannot encode the message payload: it is invalid or over %zu bytes",
                           VIR_NET_MESSAGE_LIMIT);
            return -1;
        }
        cap *= 2;
    }
}

void
virNetMessagePrepareRead(virNetMessage *msg)
{
    g_free(msg->buffer);
    msg->buffer = g_malloc0(VIR_NET_MESSAGE_HEADER_XDR_LEN);
    msg->bufferLength = VIR_NET_MESSAGE_HEADER_XDR_LEN;
    msg->bufferOffset = 0;
}

int
virNetMessageDecodeLength(virNetMessage *msg, size_t max)
{
    uint32_t word;
    size_t len;

    if (!msg->buffer || msg->bufferLength != VIR_NET_MESSAGE_HEADER_XDR_LEN) {
        virReportError(VIR_ERR_RPC, "%s",
                       "the message length must be decoded from its first 4 bytes alone");
        return -1;
    }
    if (max == 0 || max > VIR_NET_MESSAGE_LIMIT)
        max = VIR_NET_MESSAGE_LIMIT;

    memcpy(&word, msg->buffer, sizeof(word));
    len = ntohl(word);
    if (len < VIR_NET_MESSAGE_PAYLOAD_OFFSET) {
        virReportError(VIR_ERR_RPC,
                       "message length %zu is under the %d bytes of length and header",
                       len, VIR_NET_MESSAGE_PAYLOAD_OFFSET);
        return -1;
    }
    if (len > max) {
        virReportError(VIR_ERR_RPC,
                       "message length %zu is over the limit of %zu bytes",
                       len, max);
        return -1;
    }
    msg->buffer = g_realloc(msg->buffer, len);
    msg->bufferLength = len;
    return 0;
}

int
virNetMessageDecodeHeader(virNetMessage *msg)
{
    XDR xdr;
    bool ok;

    if (!msg->buffer || msg->bufferLength < VIR_NET_MESSAGE_PAYLOAD_OFFSET) {
        virReportError(VIR_ERR_RPC, "message of %zu bytes is too short for a header",
                       msg->bufferLength);
        return -1;
    }
    xdrmem_create(&xdr, msg->buffer + VIR_NET_MESSAGE_HEADER_XDR_LEN,
                  VIR_NET_MESSAGE_HEADER_MAX, XDR_DECODE);
    ok = xdr_virNetMessageHeader(&xdr, &msg->header);
    xdr_destroy(&xdr);
    if (!ok) {
        virReportError(VIR_ERR_RPC, "%s", "cannot decode the message header");
        return -1;
    }
    return 0;
}

int
virNetMessageDecodePayload(virNetMessage *msg, xdrproc_t filter, void *data)
{
    XDR xdr;
    size_t avail;
    size_t used;
    bool ok = true;

    if (!msg->buffer || msg->bufferLength < VIR_NET_MESSAGE_PAYLOAD_OFFSET) {
        virReportError(VIR_ERR_RPC, "message of %zu bytes is too short for a header",
                       msg->bufferLength);
        return -1;
    }
    avail = msg->bufferLength - VIR_NET_MESSAGE_PAYLOAD_OFFSET;
    xdrmem_create(&xdr, msg->buffer + VIR_NET_MESSAGE_PAYLOAD_OFFSET,
                  avail, XDR_DECODE);
    if (filter)
        ok = filter(&xdr, data);
    used = xdr_getpos(&xdr);
    xdr_destroy(&xdr);

    if (!ok) {
        /* What the decoding allocated before it failed. */
        if (filter)
            xdr_free(filter, data);
        virReportError(VIR_ERR_RPC,
                       "cannot decode the payload of procedure %d (%zu bytes)",
                       msg->header.proc, avail);
        return -1;
    }
    if (used != avail) {
        if (filter)
            xdr_free(filter, data);
        virReportError(VIR_ERR_RPC,
                       "%zu trailing bytes after the payload of procedure %d",
                       avail - used, msg->header.proc);
        return -1;
    }
    return 0;
}

virNetMessage *
virNetMessageReadPending(virNetMessage **rx)
{
    if (!*rx) {
        *rx = virNetMessageNew();
        virNetMessagePrepareRead(*rx);
    }
    return *rx;
}

int
virNetMessageReadDone(virNetMessage *msg, size_t n, size_t max)
{
    msg->bufferOffset += n;
    if (msg->bufferOffset < msg->bufferLength)
        return 0;
    /* The length word alone: what it says is read next. */
    if (msg->bufferLength == VIR_NET_MESSAGE_HEADER_XDR_LEN) {
        if (virNetMessageDecodeLength(msg, max) < 0)
            return -1;
        return 0;
    }
    return 1;
}

void
virNetMessageQueuePush(virNetMessage **head, virNetMessage **tail,
                       virNetMessage *msg)
{
    msg->next = NULL;
    if (*tail)
        (*tail)->next = msg;
    else
        *head = msg;
    *tail = msg;
}

virNetMessage *
virNetMessageQueueServe(virNetMessage **head, virNetMessage **tail)
{
    virNetMessage *msg = *head;

    if (!msg)
        return NULL;
    *head = msg->next;
    if (!*head)
        *tail = NULL;
    msg->next = NULL;
    return msg;
}

void
virNetMessageQueueClear(virNetMessage **head, virNetMessage **tail)
{
    virNetMessage *msg;

    while ((msg = virNetMessageQueueServe(head, tail)))
        virNetMessageFree(msg);
}

virNetMessage *
virNetMessageNewKeepAlive(int proc)
{
    g_autoptr(virNetMessage) msg = virNetMessageNew();

    msg->header.prog = KEEPALIVE_PROGRAM;
    msg->header.vers = KEEPALIVE_PROTOCOL_VERSION;
    msg->header.proc = proc;
    msg->header.type = VIR_NET_MESSAGE;
    msg->header.status = VIR_NET_OK;
    if (virNetMessageEncodeHeader(msg) < 0)
        return NULL;
    return g_steal_pointer(&msg);
}

static char **
virNetMessageStringDup(const char *str)
{
    char **ret;

    if (!str)
        return NULL;
    ret = g_new0(char *, 1);
    *ret = g_strdup(str);
    return ret;
}

void
virNetMessageSaveError(virNetMessageError *rerr)
{
    virErrorPtr err = virErrorGetCurrent();

    memset(rerr, 0, sizeof(*rerr));
    if (!err) {
        rerr->code = VIR_ERR_INTERNAL_ERROR;
        rerr->domain = VIR_FROM_RPC;
        rerr->level = VIR_ERR_ERROR;
        rerr->message = virNetMessageStringDup("unknown error");
        return;
    }
    rerr->code = err->code;
    rerr->domain = err->domain;
    rerr->level = err->level;
    rerr->message = virNetMessageStringDup(err->message);
    rerr->str1 = virNetMessageStringDup(err->str1);
    rerr->str2 = virNetMessageStringDup(err->str2);
    rerr->str3 = virNetMessageStringDup(err->str3);
    rerr->int1 = err->int1;
    rerr->int2 = err->int2;
}

void
virNetMessageRaiseError(const virNetMessageError *rerr)
{
    virErrorPtr err;
    int code = rerr->code;
    int level = rerr->level;

    /* An error reply always means failure: never leave the caller with
     * no error set. */
    if (code == VIR_ERR_OK)
        code = VIR_ERR_INTERNAL_ERROR;
    if (level < VIR_ERR_NONE || level > VIR_ERR_ERROR)
        level = VIR_ERR_ERROR;

    virRaiseErrorFull(__FILE__, __func__, __LINE__, rerr->domain, code,
                      (virErrorLevel) level, "%s",
                      rerr->message && *rerr->message ?
                      *rerr->message : "unknown error");
    err = virErrorGetCurrent();
    if (!err)
        return;
    err->str1 = rerr->str1 ? g_strdup(*rerr->str1) : NULL;
    err->str2 = rerr->str2 ? g_strdup(*rerr->str2) : NULL;
    err->str3 = rerr->str3 ? g_strdup(*rerr->str3) : NULL;
    err->int1 = rerr->int1;
    err->int2 = rerr->int2;
}

void
virNetMessageFreeError(virNetMessageError *rerr)
{
    if (!rerr)
        return;
    xdr_free((xdrproc_t) xdr_virNetMessageError, (char *) rerr);
    memset(rerr, 0, sizeof(*rerr));
}
