/* TEMPORARY stub until the rpc branch is merged: what virnetmessage.h
 * needs of the generated header. */
#pragma once
#include <rpc/rpc.h>
typedef struct {
    unsigned int prog;
    unsigned int vers;
    int proc;
    int type;
    unsigned int serial;
    int status;
} virNetMessageHeader;
typedef struct {
    int code;
} virNetMessageError;
#define VIR_NET_MESSAGE_MAX 33554432
