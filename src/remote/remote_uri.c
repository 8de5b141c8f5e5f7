/*
 * remote_uri.c: the URIs the remote driver claims (libvirt's forms and
 * parameters), turned into a socket path and the URI for the daemon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "remote/remote_transport.h"
#include "remote/remote_uri.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

/* The transports libvirt knows; only "unix" reaches a daemon today. */
static const char *const remoteTransports[] = {
    "unix", "ssh", "libssh", "libssh2", "tls", "tcp", "ext", NULL,
};

/* libvirt's parameters that are for the client's transport, not for the
 * daemon: taken out of the URI sent on. Those that matter only to
 * transports to other hosts are accepted and have no effect here. */
static const char *const remoteClientParams[] = {
    "name", "socket", "mode", "no_sanity", "no_verify", "no_tty",
    "command", "auth", "sshauth", "netcat", "keyfile", "pkipath",
    "known_hosts", "known_hosts_verify", "tls_priority", "proxy",
    "authfile", NULL,
};

void
remoteURIFree(remoteURI *ruri)
{
    if (!ruri)
        return;
    g_free(ruri->driver);
    g_free(ruri->transport);
    g_free(ruri->socket);
    g_free(ruri->name);
    g_free(ruri);
}

static bool
remoteStrInList(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++) {
        if (g_ascii_strcasecmp(list[i], s) == 0)
            return true;
    }
    return false;
}

/* Unescape @raw, a parameter's value, refusing NUL bytes and bad escapes
 * (a path with a NUL in it would name another file). */
static char *
remoteURIParamValue(const char *key, const char *raw)
{
    char *value = g_uri_unescape_string(raw, NULL);

    if (!value) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "the value of URI parameter '%s' is not properly %%-escaped (or holds a NUL byte): '%s'",
                       key, raw);
        return NULL;
    }
    return value;
}

/* The values libvirt takes as booleans are integers. */
static int
remoteURICheckBool(const char *key, const char *value)
{
    char *end = NULL;

    if (!*value || (g_ascii_strtoll(value, &end, 10), *end != '\0')) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "URI parameter '%s' takes an integer (0 or 1), not '%s'",
                       key, value);
        return -1;
    }
    return 0;
}

/*
 * Go through the parameters of @query: keep socket and name, check mode
 * and the booleans, append every parameter that is not the client's to
 * @passthrough (raw, as given) for the daemon's URI, as libvirt does.
 */
static int
remoteURIParseParams(const char *query, char **socketPath, char **name,
                     GString *passthrough)
{
    g_auto(GStrv) params = NULL;

    if (!query || !*query)
        return 0;
    params = g_strsplit_set(query, "&;", -1);
    for (size_t i = 0; params[i]; i++) {
        const char *eq = strchr(params[i], '=');
        g_autofree char *key = NULL;
        g_autofree char *value = NULL;

        if (!*params[i])
            continue;
        key = g_uri_unescape_segment(params[i], eq, NULL);
        if (!key) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "URI parameter '%s' is not properly %%-escaped",
                           params[i]);
            return -1;
        }
        if (!remoteStrInList(remoteClientParams, key)) {
            VIR_DEBUG("passing URI parameter '%s' on to the daemon", params[i]);
            g_string_append_printf(passthrough, "%s%s",
                                   passthrough->len ? "&" : "", params[i]);
            continue;
        }
        if (!(value = remoteURIParamValue(key, eq ? eq + 1 : "")))
            return -1;
        if (g_ascii_strcasecmp(key, "socket") == 0) {
            if (!*value) {
                virReportError(VIR_ERR_INVALID_ARG, "%s",
                               "URI parameter 'socket' needs the path of the daemon's socket: socket=PATH");
                return -1;
            }
            g_free(*socketPath);
            *socketPath = g_steal_pointer(&value);
        } else if (g_ascii_strcasecmp(key, "name") == 0) {
            g_free(*name);
            *name = g_steal_pointer(&value);
        } else if (g_ascii_strcasecmp(key, "mode") == 0) {
            /* libvirtd is the one daemon there is: "direct" would name a
             * per-driver daemon that does not exist. */
            if (g_ascii_strcasecmp(value, "direct") == 0) {
                virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                               "URI parameter 'mode=direct' is not supported: there are no per-driver daemons, use mode=legacy or mode=auto (libvirtd)");
                return -1;
            }
            if (g_ascii_strcasecmp(value, "legacy") != 0 &&
                g_ascii_strcasecmp(value, "auto") != 0) {
                virReportError(VIR_ERR_INVALID_ARG,
                               "unknown remote mode '%s' in URI parameter 'mode' (use auto, legacy or direct)",
                               value);
                return -1;
            }
        } else if (g_ascii_strcasecmp(key, "no_sanity") == 0 ||
                   g_ascii_strcasecmp(key, "no_verify") == 0 ||
                   g_ascii_strcasecmp(key, "no_tty") == 0) {
            if (remoteURICheckBool(key, value) < 0)
                return -1;
        }
    }
    return 0;
}

int
remoteURIParse(GUri *uri, bool readonly, const char *defaultSocketDir,
               remoteURI **ruri)
{
    const char *scheme = g_uri_get_scheme(uri);
    const char *host = g_uri_get_host(uri);
    const char *path = g_uri_get_path(uri);
    const char *fragment = g_uri_get_fragment(uri);
    const char *plus = scheme ? strchr(scheme, '+') : NULL;
    g_autoptr(remoteURI) ret = NULL;
    g_autofree char *socketPath = NULL;
    g_autofree char *name = NULL;
    g_autoptr(GString) passthrough = g_string_new(NULL);
    g_autofree char *full = g_uri_to_string(uri);
    bool hasHost = host && *host;

    *ruri = NULL;
    if (!scheme)
        return -2;
    ret = g_new0(remoteURI, 1);
    if (plus) {
        ret->driver = g_strndup(scheme, plus - scheme);
        ret->transport = g_ascii_strdown(plus + 1, -1);
        if (!*ret->driver) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "URI '%s' names no driver before its transport '%s'",
                           full, plus + 1);
            return -1;
        }
        if (!remoteStrInList(remoteTransports, ret->transport)) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "transport '%s' of URI '%s' is not one libvirt knows (unix, ssh, libssh, libssh2, tls, tcp, ext)",
                           plus + 1, full);
            return -1;
        }
        if (strcmp(ret->transport, "unix") != 0) {
            virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                           "transport '%s' of URI '%s' is not supported yet: only a daemon on this host can be reached (qemu:///system, qemu+unix:///system?socket=PATH)",
                           ret->transport, full);
            return -1;
        }
        if (hasHost) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "URI '%s' names host '%s', which a unix socket cannot reach",
                           full, host);
            return -1;
        }
    } else {
        /* A bare scheme: only QEMU's URIs are ours; the local drivers
         * had their turn already, and never get an embed URI to us. */
        if (strcmp(scheme, "qemu") != 0)
            return -2;
        if (hasHost) {
            virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                           "transport 'tls' (the default for a host) of URI '%s' is not supported yet: only a daemon on this host can be reached (qemu:///system, qemu+unix:///system?socket=PATH)",
                           full);
            return -1;
        }
        if (g_strcmp0(path, "/system") != 0 && g_strcmp0(path, "/session") != 0)
            return -2;
        ret->driver = g_strdup(scheme);
        ret->transport = g_strdup("unix");
    }

    if (remoteURIParseParams(g_uri_get_query(uri), &socketPath, &name,
                             passthrough) < 0)
        return -1;

    if (ret->kind == REMOTE_TRANSPORT_UNIX && g_strcmp0(path, "/session") == 0) {
        ret->session = true;
        /* The user's own daemon, started on demand unless the URI names
         * a socket (then somebody else runs that daemon). It has a single
         * socket, read-only opens included: the daemon marks those
         * connections read-only from CONNECT_OPEN's flag, as libvirt's. */
        if (!socketPath) {
            g_autofree char *dir = remoteSessionSocketDir();

            socketPath = g_build_filename(dir, "libvirt-sock", NULL);
            ret->autostart = true;
        }
    }
    if (!socketPath) {
        socketPath = g_strdup_printf("%s/libvirt-sock%s", defaultSocketDir,
                                     readonly ? "-ro" : "");
    }
    if (!name) {
        name = g_strdup_printf("%s://%s%s%s%s%s", ret->driver, path ? path : "",
                               passthrough->len ? "?" : "", passthrough->str,
                               fragment ? "#" : "", fragment ? fragment : "");
    }
    ret->socket = g_steal_pointer(&socketPath);
    ret->name = g_steal_pointer(&name);
    VIR_DEBUG("URI '%s': socket '%s', daemon URI '%s'", full, ret->socket,
              ret->name);
    *ruri = g_steal_pointer(&ret);
    return 0;
}
