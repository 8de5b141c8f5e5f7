/*
 * fuzz-xml.c: libFuzzer target for domain XML (virDomainDefParseString():
 * libxml2, the RelaxNG schema and our semantic checks) and the driver's
 * status files (virDomainObjParseString() with the QEMU driver's private
 * data callbacks: monitor, labels, block jobs). A definition comes from
 * any client that may define a domain; a status file is the driver's
 * own, but is read back by a newer version. Parsing never touches a
 * file: the images a definition names are only read when a domain starts.
 *
 * The first byte picks what the rest is read as: 0 a new definition,
 * 1 a definition on disk (VIR_DOMAIN_DEF_PARSE_ON_DISK), 2 the live part
 * of a status file (VIR_DOMAIN_DEF_PARSE_STATUS), 3 a whole status file.
 * What parses is formatted, and what we format must parse again to the
 * same text: a definition we wrote and cannot read back would be lost.
 * FUZZ_VERBOSE=1 in the environment prints what each input gave.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_domain.h"
#include "util/virerror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* qemu_domain.c queues domain events (domain_event.c), whose connection
 * objects (datatypes.c) release an embedded driver through the driver
 * registry (driver.c, which brings every driver along). Parsing never
 * makes an event or a connection: reaching this is a bug. */
void virStateEmbedRelease(const char *root);
void
virStateEmbedRelease(const char *root G_GNUC_UNUSED)
{
    abort();
}

/* Our own output must read back to the same text. */
static void
fuzzRoundTrip(const virDomainDef *def, unsigned int fmtFlags,
              unsigned int parseFlags)
{
    g_autofree char *xml = virDomainDefFormat(def, fmtFlags);
    g_autoptr(virDomainDef) again = NULL;
    g_autofree char *xml2 = NULL;

    if (!xml)
        __builtin_trap();
    if (!(again = virDomainDefParseString(xml, parseFlags))) {
        fprintf(stderr, "our own XML does not parse again (%s):\n%s\n",
                virGetLastErrorMessage(), xml);
        __builtin_trap();
    }
    xml2 = virDomainDefFormat(again, fmtFlags);
    if (strcmp(xml, xml2) != 0) {
        fprintf(stderr, "our own XML reads back differently:\n%s\n---\n%s\n",
                xml, xml2);
        __builtin_trap();
    }
}

static void
fuzzStatus(const char *text)
{
    static virDomainXMLOption *xmlopt;
    g_autoptr(virDomainObj) vm = NULL;
    g_autoptr(virDomainObj) again = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;

    if (!xmlopt)
        xmlopt = qemuDomainXMLOptionNew(NULL);
    if (!(vm = virDomainObjParseString(text, "fuzz-status.xml", xmlopt))) {
        if (!virErrorIsSet())
            __builtin_trap();
        return;
    }
    xml = virDomainObjFormat(vm, xmlopt);
    if (!(again = virDomainObjParseString(xml, "fuzz-status-again.xml", xmlopt))) {
        fprintf(stderr, "our own status file does not parse again (%s):\n%s\n",
                virGetLastErrorMessage(), xml);
        __builtin_trap();
    }
    xml2 = virDomainObjFormat(again, xmlopt);
    if (strcmp(xml, xml2) != 0) {
        fprintf(stderr, "our own status file reads back differently:\n%s\n---\n%s\n",
                xml, xml2);
        __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = NULL;
    g_autoptr(virDomainDef) def = NULL;
    unsigned int mode;

    if (size < 1)
        return 0;
    mode = data[0] % 4;
    /* A C string, as every caller has: a NUL ends it. */
    text = g_strndup((const char *) data + 1, size - 1);

    switch (mode) {
    case 0:
        if ((def = virDomainDefParseString(text, 0))) {
            fuzzRoundTrip(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE, 0);
            fuzzRoundTrip(def, 0, 0);
        }
        break;
    case 1:
        if ((def = virDomainDefParseString(text, VIR_DOMAIN_DEF_PARSE_ON_DISK)))
            fuzzRoundTrip(def, VIR_DOMAIN_DEF_FORMAT_INACTIVE,
                          VIR_DOMAIN_DEF_PARSE_ON_DISK);
        break;
    case 2:
        if ((def = virDomainDefParseString(text, VIR_DOMAIN_DEF_PARSE_STATUS |
                                           VIR_DOMAIN_DEF_PARSE_ON_DISK)))
            fuzzRoundTrip(def, VIR_DOMAIN_DEF_FORMAT_STATUS,
                          VIR_DOMAIN_DEF_PARSE_STATUS |
                          VIR_DOMAIN_DEF_PARSE_ON_DISK);
        break;
    case 3:
        fuzzStatus(text);
        break;
    }
    if (mode != 3 && !def && !virErrorIsSet())
        __builtin_trap();
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "mode %u: %s\n", mode,
                virErrorIsSet() ? virGetLastErrorMessage() : "parsed");
    virResetLastError();
    return 0;
}
