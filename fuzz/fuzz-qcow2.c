/*
 * fuzz-qcow2.c: libFuzzer target for reading image headers: the qcow2
 * header, its extensions and backing file name
 * (virStorageFileGetBacking(), virStorageFileGetVirtualSize()), and the
 * backing chain read from them (virDomainDiskResolveChain()). An image's
 * header is whatever the guest or whoever wrote the image put there.
 *
 * The input is the top image, written to top.qcow2 in a directory of the
 * fuzzer's own; a second image, "base", is there too: the bytes after
 * the marker "FUZZBASE" if the input has one, else the same bytes again.
 * A header may name any backing file: the chain's check callback, which
 * storage_file.c asks about each backing image before it opens it, refuses
 * every file outside that directory, so the fuzzer never opens (or reads)
 * a file it did not write, whatever the headers say. (Resolving the name
 * with realpath() before asking looks up the path, without opening it.)
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
#include <unistd.h>

#include "conf/domain_conf.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MARKER "FUZZBASE"
#define NULLSTR(s) ((s) ? (s) : "(none)")

static char *fuzzDir;
static char *fuzzTop;
static char *fuzzBase;

static void
fuzzCleanup(void)
{
    unlink(fuzzTop);
    unlink(fuzzBase);
    rmdir(fuzzDir);
}

/* Backing images inside the fuzzer's directory only. */
static int
fuzzCheck(const virDomainDiskDef *disk G_GNUC_UNUSED, const char *image,
          const char *name G_GNUC_UNUSED, const char *backing,
          void *opaque G_GNUC_UNUSED)
{
    size_t len = strlen(fuzzDir);

    /* The image naming it is one we gave or one we allowed. */
    if (strncmp(image, fuzzDir, len) != 0 || image[len] != '/')
        __builtin_trap();
    if (strncmp(backing, fuzzDir, len) != 0 || backing[len] != '/') {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "backing image '%s' is outside the fuzzer's directory",
                       backing);
        return -1;
    }
    return 0;
}

static void
fuzzWrite(const char *path, const uint8_t *data, size_t size)
{
    GError *err = NULL;

    if (!g_file_set_contents(path, (const char *) data, size, &err)) {
        fprintf(stderr, "cannot write %s: %s\n", path, err->message);
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(virDomainDiskDef) disk = g_new0(virDomainDiskDef, 1);
    g_autofree char *backing = NULL;
    virStorageFileFormat backingFormat;
    unsigned long long vsize;
    const uint8_t *marker;
    size_t topSize = size;
    bool verbose = getenv("FUZZ_VERBOSE") != NULL;

    if (!fuzzDir) {
        /* /dev/shm if there is one: a write per input. */
        const char *tmp = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
        g_autofree char *tmpl = g_build_filename(tmp, "fuzz-qcow2-XXXXXX", NULL);

        if (!(fuzzDir = g_mkdtemp(g_steal_pointer(&tmpl))))
            abort();
        fuzzTop = g_build_filename(fuzzDir, "top.qcow2", NULL);
        fuzzBase = g_build_filename(fuzzDir, "base", NULL);
        atexit(fuzzCleanup);
    }

    if ((marker = memmem(data, size, FUZZ_MARKER, strlen(FUZZ_MARKER)))) {
        size_t off = marker - data + strlen(FUZZ_MARKER);

        topSize = marker - data;
        fuzzWrite(fuzzBase, data + off, size - off);
    } else {
        fuzzWrite(fuzzBase, data, size);
    }
    fuzzWrite(fuzzTop, data, topSize);

    /* The header alone. */
    if (virStorageFileGetBacking(fuzzTop, VIR_STORAGE_FILE_QCOW2, &backing,
                                 &backingFormat) == 0) {
        if (verbose)
            fprintf(stderr, "backing: %s (%d)\n", NULLSTR(backing), backingFormat);
        if (backing && (backing[0] != '/' ||
                        (backingFormat != VIR_STORAGE_FILE_RAW &&
                         backingFormat != VIR_STORAGE_FILE_QCOW2)))
            __builtin_trap();
    } else if (!virErrorIsSet()) {
        __builtin_trap();
    } else if (verbose) {
        fprintf(stderr, "header: %s\n", virGetLastErrorMessage());
    }
    virResetLastError();
    if (virStorageFileGetVirtualSize(fuzzTop, VIR_STORAGE_FILE_QCOW2, &vsize) < 0 &&
        !virErrorIsSet())
        __builtin_trap();
    virResetLastError();

    /* The chain, as a domain's disk reads it. */
    disk->dst = g_strdup("vda");
    disk->src = virStorageSourceNew();
    disk->src->path = g_strdup(fuzzTop);
    disk->src->format = VIR_STORAGE_FILE_QCOW2;
    if (virDomainDiskResolveChain(disk, fuzzCheck, NULL) == 0) {
        if (verbose)
            fprintf(stderr, "chain: %zu images below the top\n",
                    virStorageSourceChainLength(disk->src));
        if (!disk->src->backingStore ||
            virStorageSourceChainLength(disk->src) > VIR_DOMAIN_MAX_CHAIN_DEPTH)
            __builtin_trap();
    } else if (!virErrorIsSet() || disk->src->backingStore) {
        __builtin_trap();
    } else if (verbose) {
        fprintf(stderr, "chain: %s\n", virGetLastErrorMessage());
    }
    virResetLastError();
    return 0;
}
