/*
 * virconf.h: libvirt's configuration file format (libvirtd.conf,
 * qemu.conf): "key = value" lines, where a value is an integer, a string
 * in single or double quotes, or a list of them in brackets (which may
 * span lines); '#' starts a comment. Parse errors name the file, the line
 * and what was wrong ("/etc/x.conf:12: expected a value after '='").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

typedef enum {
    VIR_CONF_NONE = 0,
    VIR_CONF_LLONG,     /* a negative integer */
    VIR_CONF_ULLONG,    /* an integer >= 0 */
    VIR_CONF_STRING,
    VIR_CONF_LIST,
    VIR_CONF_LAST
} virConfType;

/* The largest file read: what is bigger is no configuration file. */
#define VIR_CONF_MAX_SIZE (10 * 1024 * 1024)

typedef struct _virConfValue virConfValue;
struct _virConfValue {
    virConfType type;
    int line;                   /* where the value starts */
    long long l;                /* VIR_CONF_LLONG */
    unsigned long long ul;      /* VIR_CONF_ULLONG */
    char *str;                  /* VIR_CONF_STRING */
    GPtrArray *list;            /* VIR_CONF_LIST: of virConfValue */
};

typedef struct _virConf virConf;

/*
 * Read and parse @filename. Returns the configuration (free with
 * virConfFree()), or NULL with an error reported (VIR_ERR_CONF_SYNTAX
 * naming "FILE:LINE: reason", or a system error if it cannot be read).
 */
virConf *virConfReadFile(const char *filename);

/* Parse the @len bytes of @content, named @name in errors. As above. */
virConf *virConfReadString(const char *content, size_t len, const char *name);

void virConfFree(virConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConf, virConfFree);

/* The name errors give the configuration (its file name). */
const char *virConfGetName(virConf *conf);

/* The value of @key (the last one if set twice), or NULL if unset. */
virConfValue *virConfGetValue(virConf *conf, const char *key);

/* A type's name for messages: "an integer", "a string", "a list". */
const char *virConfTypeName(virConfType type);

/*
 * Call @cb for every setting in file order. Stops at the first @cb that
 * returns < 0 and returns that, else 0.
 */
typedef int (*virConfWalkCallback)(const char *key, virConfValue *value,
                                   void *opaque);
int virConfWalk(virConf *conf, virConfWalkCallback cb, void *opaque);

/*
 * Typed getters. Each returns 1 and sets *@value if @key is set, 0 and
 * leaves *@value alone if it is unset, or -1 with VIR_ERR_CONF_SYNTAX
 * ("FILE:LINE: 'key' must be a string, not an integer") if it has the
 * wrong type or is out of range.
 */
int virConfGetValueString(virConf *conf, const char *key, char **value);
int virConfGetValueStringList(virConf *conf, const char *key, char ***value);
int virConfGetValueInt(virConf *conf, const char *key, int *value);
int virConfGetValueUInt(virConf *conf, const char *key, unsigned int *value);
int virConfGetValueSizeT(virConf *conf, const char *key, size_t *value);
int virConfGetValueBool(virConf *conf, const char *key, bool *value);
