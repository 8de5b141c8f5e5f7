/*
 * remote_daemon_config.c: libvirtd.conf's keys, their defaults and checks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "remote/remote_daemon_config.h"
#include "util/virconf.h"
#include "util/virerror.h"
#include "util/virid.h"
#include "rpc/virnettls.h"

#define VIR_FROM_THIS VIR_FROM_CONF

const char *
remoteDaemonConfigDefaultFile(void)
{
    return SYSCONFDIR "/libvirt-bp/libvirtd.conf";
}

remoteDaemonConfig *
remoteDaemonConfigNew(void)
{
    remoteDaemonConfig *cfg = g_new0(remoteDaemonConfig, 1);

    /* Beside, never over, a distribution's libvirt (/run/libvirt,
     * /var/lib/libvirt): the names carry "libvirt-bp". */
    cfg->unixSockDir = g_strdup(RUNSTATEDIR "/libvirt-bp");
    cfg->unixSockGid = (gid_t) -1;
    cfg->unixSockRwPerms = 0700;
    cfg->unixSockRoPerms = 0777;
    /* libvirt's defaults. */
    cfg->minWorkers = 5;
    cfg->maxWorkers = 20;
    cfg->maxClients = 5000;
    cfg->maxClientRequests = 5;
    cfg->maxMessageSize = REMOTE_DAEMON_MESSAGE_MAX;
    cfg->keepaliveInterval = 5;
    cfg->keepaliveCount = 5;
    cfg->qemuRoot = g_strdup(LOCALSTATEDIR "/lib/libvirt-bp/qemu");
    cfg->warnings = g_ptr_array_new_with_free_func(g_free);
    cfg->listenTLS = true;
    cfg->tlsPort = g_strdup(VIR_NET_TLS_PORT);
    cfg->keyFile = g_strdup(VIR_NET_TLS_SERVERKEY);
    cfg->certFile = g_strdup(VIR_NET_TLS_SERVERCERT);
    cfg->caFile = g_strdup(VIR_NET_TLS_CACERT);
    cfg->crlFile = g_strdup(VIR_NET_TLS_CACRL);
    cfg->tlsPriority = g_strdup(VIR_NET_TLS_PRIORITY);
    return cfg;
}

char *
remoteDaemonConfigSessionFile(void)
{
    return g_build_filename(g_get_user_config_dir(), "libvirt-bp",
                            "libvirtd.conf", NULL);
}

void
remoteDaemonConfigSetSession(remoteDaemonConfig *cfg)
{
    g_free(cfg->unixSockDir);
    /* The directory the clients' qemu:///session looks in
     * (remoteSessionSocketDir()). */
    cfg->unixSockDir = g_build_filename(g_get_user_runtime_dir(), "libvirt-bp", NULL);
    cfg->unixSockRwPerms = 0700;
    g_free(cfg->qemuRoot);
    /* The root holds the VMs' definitions and logs as well as their
     * runtime state: data, not configuration. */
    cfg->qemuRoot = g_build_filename(g_get_user_data_dir(), "libvirt-bp", "qemu", NULL);
}

void
remoteDaemonConfigFree(remoteDaemonConfig *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->unixSockDir);
    g_free(cfg->unixSockGroup);
    g_free(cfg->qemuRoot);
    g_free(cfg->tlsPort);
    g_free(cfg->listenAddr);
    g_free(cfg->keyFile);
    g_free(cfg->certFile);
    g_free(cfg->caFile);
    g_free(cfg->crlFile);
    g_strfreev(cfg->tlsAllowedDNList);
    g_free(cfg->tlsPriority);
    g_ptr_array_unref(cfg->warnings);
    g_free(cfg);
}

/* The keys this daemon reads. Anything else is ignored with a warning. */
static const char *const remoteDaemonConfigKeys[] = {
    "unix_sock_dir", "unix_sock_group", "unix_sock_rw_perms",
    "unix_sock_ro_perms", "min_workers", "max_workers", "max_clients",
    "max_client_requests", "max_message_size", "keepalive_interval",
    "keepalive_count", "log_level", "qemu_root",
    "listen_tls", "listen_tcp", "tls_port", "listen_addr", "key_file",
    "cert_file", "ca_file", "crl_file", "tls_no_sanity_certificate",
    "tls_no_verify_certificate", "tls_allowed_dn_list", "tls_priority",
    "auth_tls",
};

static int G_GNUC_PRINTF(4, 5)
remoteDaemonConfigBad(virConf *conf, const char *key, const char *value,
                      const char *fmt, ...)
{
    virConfValue *val = virConfGetValue(conf, key);
    g_autofree char *why = NULL;
    va_list ap;

    va_start(ap, fmt);
    why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (value) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s:%d: '%s' = \"%s\": %s",
                       virConfGetName(conf), val ? val->line : 0, key, value, why);
    } else {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s:%d: '%s': %s",
                       virConfGetName(conf), val ? val->line : 0, key, why);
    }
    return -1;
}

/* A mode written as an octal string ("0770"), as libvirt has it. */
static int
remoteDaemonConfigPerms(virConf *conf, const char *key, mode_t *mode)
{
    g_autofree char *str = NULL;
    guint64 n = 0;
    int rc;

    if ((rc = virConfGetValueString(conf, key, &str)) <= 0)
        return rc;
    if (!*str || strspn(str, "01234567") != strlen(str) || strlen(str) > 6 ||
        (n = g_ascii_strtoull(str, NULL, 8)) > 0777) {
        return remoteDaemonConfigBad(conf, key, str,
                                     "not a file mode: give an octal string from \"0000\" to \"0777\"");
    }
    *mode = (mode_t) n;
    return 1;
}

static int
remoteDaemonConfigGroup(virConf *conf, remoteDaemonConfig *cfg)
{
    g_autofree char *name = NULL;
    guint32 id;
    int rc;

    if ((rc = virConfGetValueString(conf, "unix_sock_group", &name)) <= 0)
        return rc;
    if (!*name) {
        g_clear_pointer(&cfg->unixSockGroup, g_free);
        cfg->unixSockGid = (gid_t) -1;
        return 1;
    }
    rc = virIDParseNumeric(name, &id);
    if (rc < 0)
        return remoteDaemonConfigBad(conf, "unix_sock_group", name,
                                     "'+' must be followed by a group id");
    if (rc == 0) {
        struct group grbuf;
        struct group *gr = NULL;
        char buf[4096];
        int err = getgrnam_r(name, &grbuf, buf, sizeof(buf), &gr);

        if (err != 0 || !gr) {
            return remoteDaemonConfigBad(conf, "unix_sock_group", name,
                                         "no such group on this host%s%s",
                                         err ? ": " : "", err ? g_strerror(err) : "");
        }
        id = gr->gr_gid;
    }
    g_free(cfg->unixSockGroup);
    cfg->unixSockGroup = g_steal_pointer(&name);
    cfg->unixSockGid = (gid_t) id;
    return 1;
}

static int
remoteDaemonConfigPath(virConf *conf, const char *key, char **path)
{
    g_autofree char *str = NULL;
    int rc;

    if ((rc = virConfGetValueString(conf, key, &str)) <= 0)
        return rc;
    if (!g_path_is_absolute(str))
        return remoteDaemonConfigBad(conf, key, str, "must be an absolute path");
    if (strlen(str) > 4000)
        return remoteDaemonConfigBad(conf, key, NULL, "the path is too long");
    g_free(*path);
    *path = g_steal_pointer(&str);
    return 1;
}

/* An unsigned key that must be in [@min, @max]. */
static int
remoteDaemonConfigUInt(virConf *conf, const char *key, unsigned int min,
                       unsigned int max, unsigned int *value)
{
    unsigned int n = *value;
    int rc;

    if ((rc = virConfGetValueUInt(conf, key, &n)) <= 0)
        return rc;
    if (n < min || n > max)
        return remoteDaemonConfigBad(conf, key, NULL, "%u is out of range: give %u to %u",
                                     n, min, max);
    *value = n;
    return 1;
}

/* A string key that must not be empty. */
static int
remoteDaemonConfigNonEmpty(virConf *conf, const char *key, char **value)
{
    g_autofree char *str = NULL;
    int rc;

    if ((rc = virConfGetValueString(conf, key, &str)) <= 0)
        return rc;
    if (!*str)
        return remoteDaemonConfigBad(conf, key, str, "must not be empty");
    g_free(*value);
    *value = g_steal_pointer(&str);
    return 1;
}

/* The TLS listener's keys (libvirt's names and defaults). Only TLS with
 * certificates is carried: plain TCP and SASL are refused, never ignored,
 * so that nobody believes a socket is protected when it is not. */
static int
remoteDaemonConfigLoadTLS(remoteDaemonConfig *cfg, virConf *conf)
{
    g_autofree char *auth = NULL;
    g_autofree char *port = NULL;
    bool tcp = false;
    char **dns = NULL;
    int rc;

    if (virConfGetValueBool(conf, "listen_tls", &cfg->listenTLS) < 0 ||
        virConfGetValueBool(conf, "listen_tcp", &tcp) < 0 ||
        virConfGetValueBool(conf, "tls_no_sanity_certificate",
                            &cfg->tlsNoSanityCert) < 0 ||
        virConfGetValueBool(conf, "tls_no_verify_certificate",
                            &cfg->tlsNoVerifyCert) < 0)
        return -1;
    if (tcp)
        return remoteDaemonConfigBad(conf, "listen_tcp", NULL,
                                     "unencrypted TCP is not supported: use listen_tls (TLS with client certificates)");
    if (virConfGetValueString(conf, "auth_tls", &auth) < 0)
        return -1;
    if (auth && strcmp(auth, "none") != 0)
        return remoteDaemonConfigBad(conf, "auth_tls", auth,
                                     "only \"none\" is supported: TLS clients are authenticated by their certificate (tls_allowed_dn_list)");

    if ((rc = virConfGetValueString(conf, "tls_port", &port)) < 0)
        return -1;
    if (rc > 0) {
        guint64 n = 0;

        if (!*port || strspn(port, "0123456789") != strlen(port) ||
            strlen(port) > 5 || (n = g_ascii_strtoull(port, NULL, 10)) < 1 ||
            n > 65535)
            return remoteDaemonConfigBad(conf, "tls_port", port,
                                         "not a TCP port: give a number from 1 to 65535");
        g_free(cfg->tlsPort);
        cfg->tlsPort = g_steal_pointer(&port);
    }
    if (remoteDaemonConfigNonEmpty(conf, "listen_addr", &cfg->listenAddr) < 0 ||
        remoteDaemonConfigPath(conf, "key_file", &cfg->keyFile) < 0 ||
        remoteDaemonConfigPath(conf, "cert_file", &cfg->certFile) < 0 ||
        remoteDaemonConfigPath(conf, "ca_file", &cfg->caFile) < 0 ||
        remoteDaemonConfigPath(conf, "crl_file", &cfg->crlFile) < 0 ||
        remoteDaemonConfigNonEmpty(conf, "tls_priority", &cfg->tlsPriority) < 0)
        return -1;

    if ((rc = virConfGetValueStringList(conf, "tls_allowed_dn_list", &dns)) < 0)
        return -1;
    if (rc > 0) {
        g_strfreev(cfg->tlsAllowedDNList);
        cfg->tlsAllowedDNList = dns;
    }
    return 0;
}

typedef struct {
    remoteDaemonConfig *cfg;
    const char *name;
} remoteDaemonConfigWalk;

static int
remoteDaemonConfigWarnUnknown(const char *key, virConfValue *value,
                              void *opaque)
{
    remoteDaemonConfigWalk *walk = opaque;

    for (size_t i = 0; i < G_N_ELEMENTS(remoteDaemonConfigKeys); i++) {
        if (strcmp(key, remoteDaemonConfigKeys[i]) == 0)
            return 0;
    }
    g_ptr_array_add(walk->cfg->warnings,
                    g_strdup_printf("%s:%d: unknown setting '%s' ignored",
                                    walk->name, value->line, key));
    return 0;
}

static int
remoteDaemonConfigLoadConf(remoteDaemonConfig *cfg, virConf *conf)
{
    size_t size = cfg->maxMessageSize;
    int n;

    if (remoteDaemonConfigPath(conf, "unix_sock_dir", &cfg->unixSockDir) < 0 ||
        remoteDaemonConfigGroup(conf, cfg) < 0 ||
        remoteDaemonConfigPerms(conf, "unix_sock_rw_perms", &cfg->unixSockRwPerms) < 0 ||
        remoteDaemonConfigPerms(conf, "unix_sock_ro_perms", &cfg->unixSockRoPerms) < 0 ||
        remoteDaemonConfigUInt(conf, "min_workers", 1, 1000, &cfg->minWorkers) < 0 ||
        remoteDaemonConfigUInt(conf, "max_workers", 1, 1000, &cfg->maxWorkers) < 0 ||
        remoteDaemonConfigUInt(conf, "max_clients", 1, 1000000, &cfg->maxClients) < 0 ||
        remoteDaemonConfigUInt(conf, "max_client_requests", 1, 1000,
                               &cfg->maxClientRequests) < 0 ||
        remoteDaemonConfigUInt(conf, "keepalive_count", 0, 1000, &cfg->keepaliveCount) < 0 ||
        remoteDaemonConfigPath(conf, "qemu_root", &cfg->qemuRoot) < 0)
        return -1;

    if (cfg->minWorkers > cfg->maxWorkers) {
        return remoteDaemonConfigBad(conf, virConfGetValue(conf, "min_workers") ?
                                     "min_workers" : "max_workers", NULL,
                                     "min_workers (%u) must not exceed max_workers (%u)",
                                     cfg->minWorkers, cfg->maxWorkers);
    }

    if (virConfGetValueSizeT(conf, "max_message_size", &size) < 0)
        return -1;
    if (size < REMOTE_DAEMON_MESSAGE_MIN || size > REMOTE_DAEMON_MESSAGE_MAX) {
        return remoteDaemonConfigBad(conf, "max_message_size", NULL,
                                     "%zu bytes is out of range: give %d to %d",
                                     size, REMOTE_DAEMON_MESSAGE_MIN,
                                     REMOTE_DAEMON_MESSAGE_MAX);
    }
    cfg->maxMessageSize = size;

    n = cfg->keepaliveInterval;
    if (virConfGetValueInt(conf, "keepalive_interval", &n) < 0)
        return -1;
    if (n != -1 && (n < 1 || n > 3600)) {
        return remoteDaemonConfigBad(conf, "keepalive_interval", NULL,
                                     "%d is out of range: give 1 to 3600 seconds, or -1 to send no keepalive",
                                     n);
    }
    cfg->keepaliveInterval = n;

    n = cfg->logLevel;
    if (virConfGetValueInt(conf, "log_level", &n) < 0)
        return -1;
    if (n < 0 || n > 4 || (n == 0 && virConfGetValue(conf, "log_level"))) {
        return remoteDaemonConfigBad(conf, "log_level", NULL,
                                     "%d is not a level: give 1 (debug), 2 (info), 3 (warning) or 4 (error)",
                                     n);
    }
    cfg->logLevel = n;

    if (remoteDaemonConfigLoadTLS(cfg, conf) < 0)
        return -1;

    {
        remoteDaemonConfigWalk walk = { cfg, virConfGetName(conf) };
        virConfWalk(conf, remoteDaemonConfigWarnUnknown, &walk);
    }
    return 0;
}

int
remoteDaemonConfigLoadString(remoteDaemonConfig *cfg, const char *text,
                             size_t len, const char *name)
{
    g_autoptr(virConf) conf = virConfReadString(text, len, name);

    if (!conf)
        return -1;
    return remoteDaemonConfigLoadConf(cfg, conf);
}

int
remoteDaemonConfigLoadFile(remoteDaemonConfig *cfg, const char *path,
                           bool mayBeMissing)
{
    g_autoptr(virConf) conf = NULL;

    if (mayBeMissing && access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
    if (!(conf = virConfReadFile(path)))
        return -1;
    return remoteDaemonConfigLoadConf(cfg, conf);
}

char *
remoteDaemonConfigSocketPath(const remoteDaemonConfig *cfg, bool readonly)
{
    return g_build_filename(cfg->unixSockDir,
                            readonly ? "libvirt-sock-ro" : "libvirt-sock", NULL);
}

char *
remoteDaemonConfigSystemURI(const remoteDaemonConfig *cfg)
{
    g_autofree char *root = g_uri_escape_string(cfg->qemuRoot, "/", FALSE);

    return g_strdup_printf("qemu:///embed?root=%s", root);
}
