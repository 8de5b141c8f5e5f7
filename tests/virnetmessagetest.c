/*
 * virnetmessagetest.c: one message of the remote protocol: what goes
 * out decodes back the same, the length word counts itself, and short,
 * long, truncated or padded messages are refused; errors keep their
 * code, domain and message across the wire.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <arpa/inet.h>

#include <glib.h>

#include "rpc/virnetmessage.h"
#include "rpc/virkeepaliveprotocol.h"
#include "util/virerror.h"
#include "testutils.h"
#include "testutilsvirt.h"

/* An error with every field set, as the payload of the tests. */
static void
testFillError(virNetMessageError *rerr)
{
    memset(rerr, 0, sizeof(*rerr));
    rerr->code = VIR_ERR_OPERATION_INVALID;
    rerr->domain = VIR_FROM_QEMU;
    rerr->level = VIR_ERR_ERROR;
    rerr->message = g_new0(char *, 1);
    *rerr->message = g_strdup("domain 'vm1' is not running");
    rerr->str1 = g_new0(char *, 1);
    *rerr->str1 = g_strdup("vm1");
    rerr->int1 = 7;
    rerr->int2 = -3;
}

static virNetMessage *
testEncode(void)
{
    g_autoptr(virNetMessage) msg = virNetMessageNew();
    virNetMessageError rerr;

    msg->header.prog = 0x20008086;
    msg->header.vers = 1;
    msg->header.proc = 42;
    msg->header.type = VIR_NET_REPLY;
    msg->header.serial = 0xdeadbeef;
    msg->header.status = VIR_NET_ERROR;
    testFillError(&rerr);
    g_assert_cmpint(virNetMessageEncodeHeader(msg), ==, 0);
    g_assert_cmpint(virNetMessageEncodePayload(msg, (xdrproc_t) xdr_virNetMessageError,
                                               &rerr), ==, 0);
    virNetMessageFreeError(&rerr);
    return g_steal_pointer(&msg);
}

/* Read @buf of @len bytes as the server and client do: the length word,
 * then the rest. Returns the message, or NULL with the error set. */
static virNetMessage *
testDecode(const char *buf, size_t len, size_t max)
{
    g_autoptr(virNetMessage) msg = virNetMessageNew();

    virResetLastError();
    virNetMessagePrepareRead(msg);
    g_assert_cmpuint(msg->bufferLength, ==, 4);
    g_assert_cmpuint(len, >=, 4);
    memcpy(msg->buffer, buf, 4);
    msg->bufferOffset = 4;
    if (virNetMessageDecodeLength(msg, max) < 0)
        return NULL;
    g_assert_cmpuint(msg->bufferLength, <=, len);
    memcpy(msg->buffer + 4, buf + 4, msg->bufferLength - 4);
    msg->bufferOffset = msg->bufferLength;
    if (virNetMessageDecodeHeader(msg) < 0)
        return NULL;
    return g_steal_pointer(&msg);
}

static void
testSetLength(char *buf, uint32_t len)
{
    uint32_t word = htonl(len);

    memcpy(buf, &word, 4);
}

static void
testRoundTrip(void)
{
    g_autoptr(virNetMessage) out = testEncode();
    g_autoptr(virNetMessage) in = NULL;
    virNetMessageError rerr = { 0 };
    uint32_t word;

    /* The length word counts itself: it is the whole buffer. */
    g_assert_cmpuint(out->bufferOffset, ==, 0);
    memcpy(&word, out->buffer, 4);
    g_assert_cmpuint(ntohl(word), ==, out->bufferLength);

    in = testDecode(out->buffer, out->bufferLength, VIR_NET_MESSAGE_LIMIT);
    g_assert_nonnull(in);
    g_assert_cmpuint(in->header.prog, ==, 0x20008086);
    g_assert_cmpuint(in->header.vers, ==, 1);
    g_assert_cmpint(in->header.proc, ==, 42);
    g_assert_cmpint(in->header.type, ==, VIR_NET_REPLY);
    g_assert_cmpuint(in->header.serial, ==, 0xdeadbeef);
    g_assert_cmpint(in->header.status, ==, VIR_NET_ERROR);
    g_assert_cmpint(virNetMessageDecodePayload(in, (xdrproc_t) xdr_virNetMessageError,
                                               &rerr), ==, 0);
    g_assert_cmpint(rerr.code, ==, VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(rerr.domain, ==, VIR_FROM_QEMU);
    g_assert_cmpstr(*rerr.message, ==, "domain 'vm1' is not running");
    g_assert_cmpstr(*rerr.str1, ==, "vm1");
    g_assert_null(rerr.str2);
    g_assert_cmpint(rerr.int1, ==, 7);
    g_assert_cmpint(rerr.int2, ==, -3);
    virNetMessageFreeError(&rerr);

    /* The bytes on the wire are libvirt's: big-endian words, the header
     * right after the length. */
    g_assert_cmpint((unsigned char) out->buffer[4], ==, 0x20);
    g_assert_cmpint((unsigned char) out->buffer[7], ==, 0x86);
    g_assert_cmpint((unsigned char) out->buffer[15], ==, 42);
}

static void
testEmptyPayload(void)
{
    g_autoptr(virNetMessage) out = virNetMessageNew();
    g_autoptr(virNetMessage) in = NULL;

    out->header.prog = KEEPALIVE_PROGRAM;
    out->header.vers = KEEPALIVE_PROTOCOL_VERSION;
    out->header.proc = KEEPALIVE_PROC_PING;
    out->header.type = VIR_NET_MESSAGE;
    g_assert_cmpint(virNetMessageEncodeHeader(out), ==, 0);
    g_assert_cmpint(virNetMessageEncodePayload(out, NULL, NULL), ==, 0);
    g_assert_cmpuint(out->bufferLength, ==, 28);
    in = testDecode(out->buffer, out->bufferLength, 0);
    g_assert_nonnull(in);
    g_assert_cmpuint(in->header.prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpint(virNetMessageDecodePayload(in, NULL, NULL), ==, 0);
}

static void
testTruncated(void)
{
    g_autoptr(virNetMessage) out = testEncode();
    g_autoptr(virNetMessage) in = NULL;
    g_autofree char *buf = g_memdup2(out->buffer, out->bufferLength);
    size_t len = out->bufferLength - 8;
    virNetMessageError rerr = { 0 };

    /* A message whose length stops in the middle of its payload. */
    testSetLength(buf, len);
    in = testDecode(buf, len, 0);
    g_assert_nonnull(in);
    g_assert_cmpint(virNetMessageDecodePayload(in, (xdrproc_t) xdr_virNetMessageError,
                                               &rerr), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "cannot decode", NULL);
    /* Nothing half-decoded is left to leak. */
    g_assert_null(rerr.message);
}

static void
testTrailing(void)
{
    g_autoptr(virNetMessage) out = testEncode();
    g_autoptr(virNetMessage) in = NULL;
    g_autofree char *buf = g_malloc0(out->bufferLength + 4);
    virNetMessageError rerr = { 0 };

    memcpy(buf, out->buffer, out->bufferLength);
    testSetLength(buf, out->bufferLength + 4);
    in = testDecode(buf, out->bufferLength + 4, 0);
    g_assert_nonnull(in);
    g_assert_cmpint(virNetMessageDecodePayload(in, (xdrproc_t) xdr_virNetMessageError,
                                               &rerr), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "trailing", NULL);
    g_assert_null(rerr.message);

    /* An empty payload expected, 4 bytes there. */
    testSetLength(buf, 32);
    g_clear_pointer(&in, virNetMessageFree);
    in = testDecode(buf, 32, 0);
    g_assert_nonnull(in);
    g_assert_cmpint(virNetMessageDecodePayload(in, NULL, NULL), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "trailing", NULL);
}

static void
testLengthLimits(void)
{
    char buf[64] = { 0 };
    virNetMessage *in;

    /* Under the length word and header: refused. */
    testSetLength(buf, 0);
    g_assert_null(testDecode(buf, sizeof(buf), 0));
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "message length 0", NULL);
    testSetLength(buf, 4);
    g_assert_null(testDecode(buf, sizeof(buf), 0));
    testSetLength(buf, 27);
    g_assert_null(testDecode(buf, sizeof(buf), 0));
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "under", NULL);
    /* Exactly a header: fine. */
    testSetLength(buf, 28);
    in = testDecode(buf, sizeof(buf), 0);
    g_assert_nonnull(in);
    virNetMessageFree(in);

    /* Over the caller's cap, and over the protocol's. */
    testSetLength(buf, 64);
    in = testDecode(buf, sizeof(buf), 64);
    g_assert_nonnull(in);
    virNetMessageFree(in);
    testSetLength(buf, 65);
    g_assert_null(testDecode(buf, sizeof(buf), 64));
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "over the limit of 64 bytes", NULL);
    testSetLength(buf, 0xffffffff);
    g_assert_null(testDecode(buf, sizeof(buf), 0));
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "4294967295", NULL);
    testSetLength(buf, VIR_NET_MESSAGE_LIMIT + 1);
    g_assert_null(testDecode(buf, sizeof(buf), (size_t) -1));
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "over the limit", NULL);
}

typedef struct {
    char *data;
    u_int len;
} testBlob;

static bool_t
testXdrBlob(XDR *xdrs, testBlob *blob)
{
    return xdr_bytes(xdrs, &blob->data, &blob->len, ~0u);
}

static void
testEncodeLimits(void)
{
    g_autoptr(virNetMessage) msg = virNetMessageNew();
    testBlob blob = { 0 };

    /* A payload over the cap is refused, and the message stays as it was. */
    blob.len = VIR_NET_MESSAGE_LIMIT;
    blob.data = g_malloc0(blob.len);
    g_assert_cmpint(virNetMessageEncodeHeader(msg), ==, 0);
    g_assert_cmpint(virNetMessageEncodePayload(msg, (xdrproc_t) testXdrBlob, &blob), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "over", NULL);
    g_assert_cmpuint(msg->bufferLength, ==, 28);

    /* One that fits, bigger than the first buffer. */
    blob.len = 1024 * 1024;
    g_assert_cmpint(virNetMessageEncodePayload(msg, (xdrproc_t) testXdrBlob, &blob), ==, 0);
    g_assert_cmpuint(msg->bufferLength, ==, 28 + 4 + blob.len);
    g_free(blob.data);

    /* A payload before a header is a bug of the caller, not a crash. */
    virNetMessageClear(msg);
    g_assert_cmpint(virNetMessageEncodePayload(msg, NULL, NULL), ==, -1);
    g_assert_cmpint(virNetMessageDecodeHeader(msg), ==, -1);
}

static void
testErrorSaveRaise(void)
{
    virNetMessageError rerr;
    g_autoptr(virNetMessage) out = virNetMessageNew();
    g_autoptr(virNetMessage) in = NULL;
    virNetMessageError got = { 0 };
    virErrorPtr err;

    /* No error: a generic one, never an empty reply. */
    virResetLastError();
    virNetMessageSaveError(&rerr);
    g_assert_cmpint(rerr.code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(*rerr.message, ==, "unknown error");
    virNetMessageFreeError(&rerr);

    virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_QEMU,
                      VIR_ERR_OPERATION_DENIED, VIR_ERR_ERROR,
                      "read-only connection may not change domain '%s'", "vm1");
    err = virErrorGetCurrent();
    err->str1 = g_strdup("one");
    err->int1 = 11;
    virNetMessageSaveError(&rerr);
    virResetLastError();

    /* Across the wire and back. */
    out->header.type = VIR_NET_REPLY;
    out->header.status = VIR_NET_ERROR;
    g_assert_cmpint(virNetMessageEncodeHeader(out), ==, 0);
    g_assert_cmpint(virNetMessageEncodePayload(out, (xdrproc_t) xdr_virNetMessageError,
                                               &rerr), ==, 0);
    virNetMessageFreeError(&rerr);
    in = testDecode(out->buffer, out->bufferLength, 0);
    g_assert_nonnull(in);
    g_assert_cmpint(virNetMessageDecodePayload(in, (xdrproc_t) xdr_virNetMessageError,
                                               &got), ==, 0);
    virNetMessageRaiseError(&got);
    virNetMessageFreeError(&got);

    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(err->domain, ==, VIR_FROM_QEMU);
    g_assert_cmpint(err->level, ==, VIR_ERR_ERROR);
    g_assert_cmpstr(err->message, ==, "read-only connection may not change domain 'vm1'");
    g_assert_cmpstr(err->str1, ==, "one");
    g_assert_null(err->str2);
    g_assert_cmpint(err->int1, ==, 11);

    /* A hostile peer's error without code or message still fails. */
    memset(&got, 0, sizeof(got));
    got.level = 99;
    virNetMessageRaiseError(&got);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "unknown error");
    virResetLastError();
}

/* A message read in pieces, a byte at a time, as a socket may hand it
 * out: complete only with its last byte, and a bad length word fails. */
static void
testReadPieces(void)
{
    g_autoptr(virNetMessage) out = testEncode();
    g_autoptr(virNetMessage) rx = NULL;
    virNetMessage *msg;
    char bad[4];
    size_t i;

    for (i = 0; i < out->bufferLength; i++) {
        msg = virNetMessageReadPending(&rx);
        g_assert_true(msg == rx);
        g_assert_cmpuint(msg->bufferOffset, <, msg->bufferLength);
        msg->buffer[msg->bufferOffset] = out->buffer[i];
        g_assert_cmpint(virNetMessageReadDone(msg, 1, VIR_NET_MESSAGE_LIMIT), ==,
                        i + 1 == out->bufferLength ? 1 : 0);
    }
    g_assert_cmpuint(rx->bufferLength, ==, out->bufferLength);
    g_assert_cmpint(virNetMessageDecodeHeader(rx), ==, 0);
    g_assert_cmpuint(rx->header.serial, ==, 0xdeadbeef);
    g_clear_pointer(&rx, virNetMessageFree);

    /* A length over the cap: refused once the length word is in. */
    msg = virNetMessageReadPending(&rx);
    testSetLength(bad, 100);
    memcpy(msg->buffer, bad, 3);
    g_assert_cmpint(virNetMessageReadDone(msg, 3, 64), ==, 0);
    msg->buffer[3] = bad[3];
    virResetLastError();
    g_assert_cmpint(virNetMessageReadDone(msg, 1, 64), ==, -1);
    virTestAssertErrorFull(VIR_FROM_RPC, VIR_ERR_RPC, "over the limit of 64 bytes", NULL);
}

/* A queue hands its messages out in the order they were pushed. */
static void
testQueue(void)
{
    virNetMessage *head = NULL;
    virNetMessage *tail = NULL;
    virNetMessage *msgs[3];
    virNetMessage *msg;
    size_t i;

    g_assert_null(virNetMessageQueueServe(&head, &tail));
    for (i = 0; i < G_N_ELEMENTS(msgs); i++) {
        msgs[i] = virNetMessageNew();
        msgs[i]->header.serial = i;
        virNetMessageQueuePush(&head, &tail, msgs[i]);
        g_assert_true(head == msgs[0]);
        g_assert_true(tail == msgs[i]);
    }
    msg = virNetMessageQueueServe(&head, &tail);
    g_assert_true(msg == msgs[0]);
    g_assert_null(msg->next);
    virNetMessageFree(msg);
    msg = virNetMessageQueueServe(&head, &tail);
    g_assert_true(msg == msgs[1]);
    virNetMessageFree(msg);
    msg = virNetMessageQueueServe(&head, &tail);
    g_assert_true(msg == msgs[2]);
    g_assert_null(head);
    g_assert_null(tail);
    virNetMessageFree(msg);

    /* Emptied (and every message freed: the sanitizers check). */
    virNetMessageQueuePush(&head, &tail, virNetMessageNew());
    virNetMessageQueuePush(&head, &tail, virNetMessageNew());
    virNetMessageQueueClear(&head, &tail);
    g_assert_null(head);
    g_assert_null(tail);
}

/* A PING as the peer decodes it: the keepalive program, no payload. */
static void
testKeepAlive(void)
{
    g_autoptr(virNetMessage) ping = virNetMessageNewKeepAlive(KEEPALIVE_PROC_PING);
    g_autoptr(virNetMessage) in = NULL;

    g_assert_nonnull(ping);
    in = testDecode(ping->buffer, ping->bufferLength, VIR_NET_MESSAGE_LIMIT);
    g_assert_nonnull(in);
    g_assert_cmpuint(in->header.prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpuint(in->header.vers, ==, KEEPALIVE_PROTOCOL_VERSION);
    g_assert_cmpint(in->header.proc, ==, KEEPALIVE_PROC_PING);
    g_assert_cmpint(in->header.type, ==, VIR_NET_MESSAGE);
    g_assert_cmpuint(in->header.serial, ==, 0);
    g_assert_cmpint(in->header.status, ==, VIR_NET_OK);
    g_assert_cmpint(virNetMessageDecodePayload(in, NULL, NULL), ==, 0);
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    g_test_add_func("/rpc/message/roundtrip", testRoundTrip);
    g_test_add_func("/rpc/message/empty-payload", testEmptyPayload);
    g_test_add_func("/rpc/message/truncated", testTruncated);
    g_test_add_func("/rpc/message/trailing", testTrailing);
    g_test_add_func("/rpc/message/length-limits", testLengthLimits);
    g_test_add_func("/rpc/message/encode-limits", testEncodeLimits);
    g_test_add_func("/rpc/message/error", testErrorSaveRaise);
    g_test_add_func("/rpc/message/read-pieces", testReadPieces);
    g_test_add_func("/rpc/message/queue", testQueue);
    g_test_add_func("/rpc/message/keepalive", testKeepAlive);
    return g_test_run();
}
