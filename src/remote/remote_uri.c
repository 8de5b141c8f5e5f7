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

/* The transports libvirt knows; "unix", "ssh" and "tls" reach a daemon. */
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
    g_free(ruri->host);
    g_free(ruri->user);
    g_free(ruri->command);
    g_free(ruri->keyfile);
    g_free(ruri->knownHosts);
    g_free(ruri->netcat);
    g_free(ruri->helperURI);
    g_free(ruri->pkipath);
    g_free(ruri->tlsPriority);
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

/* The values libvirt takes as booleans are integers, any but 0 true. */
static int
remoteURIParseBool(const char *key, const char *value, bool *result)
{
    char *end = NULL;
    gint64 n = 0;

    if (!*value || (n = g_ascii_strtoll(value, &end, 10), *end != '\0')) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "URI parameter '%s' takes an integer (0 or 1), not '%s'",
                       key, value);
        return -1;
    }
    *result = n != 0;
    return 0;
}

/* A parameter whose value is a path or a program: an empty one would
 * reach ssh as an empty argument, so it is refused here. */
static int
remoteURIParseString(const char *key, char **value, char **field)
{
    if (!**value) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "URI parameter '%s' needs a value: %s=PATH", key, key);
        return -1;
    }
    g_free(*field);
    *field = g_steal_pointer(value);
    return 0;
}

static const char *const remoteProxies[] = { "auto", "netcat", "native", NULL };
G_STATIC_ASSERT(REMOTE_PROXY_AUTO == 0 && REMOTE_PROXY_NETCAT == 1 &&
                REMOTE_PROXY_NATIVE == 2);

/*
 * Go through the parameters of @query into @ruri (socket, name and the
 * ssh ones; *@proxyGiven says proxy= was there), check mode and the
 * booleans, append every parameter that is not the client's to
 * @passthrough (raw, as given) for the daemon's URI, as libvirt does.
 */
static int
remoteURIParseParams(const char *query, remoteURI *ruri, bool *proxyGiven,
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
            g_free(ruri->socket);
            ruri->socket = g_steal_pointer(&value);
        } else if (g_ascii_strcasecmp(key, "name") == 0) {
            g_free(ruri->name);
            ruri->name = g_steal_pointer(&value);
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
        } else if (g_ascii_strcasecmp(key, "no_sanity") == 0) {
            if (remoteURIParseBool(key, value, &ruri->noSanity) < 0)
                return -1;
        } else if (g_ascii_strcasecmp(key, "pkipath") == 0) {
            /* Empty: the default layout, as libvirt's. */
            g_free(ruri->pkipath);
            ruri->pkipath = *value ? g_steal_pointer(&value) : NULL;
        } else if (g_ascii_strcasecmp(key, "tls_priority") == 0) {
            g_free(ruri->tlsPriority);
            ruri->tlsPriority = *value ? g_steal_pointer(&value) : NULL;
        } else if (g_ascii_strcasecmp(key, "no_verify") == 0) {
            if (remoteURIParseBool(key, value, &ruri->noVerify) < 0)
                return -1;
        } else if (g_ascii_strcasecmp(key, "no_tty") == 0) {
            if (remoteURIParseBool(key, value, &ruri->noTTY) < 0)
                return -1;
        } else if (g_ascii_strcasecmp(key, "keyfile") == 0) {
            if (remoteURIParseString(key, &value, &ruri->keyfile) < 0)
                return -1;
        } else if (g_ascii_strcasecmp(key, "known_hosts") == 0) {
            if (remoteURIParseString(key, &value, &ruri->knownHosts) < 0)
                return -1;
        } else if (g_ascii_strcasecmp(key, "command") == 0) {
            if (remoteURIParseString(key, &value, &ruri->command) < 0)
                return -1;
        } else if (g_ascii_strcasecmp(key, "netcat") == 0) {
            if (remoteURIParseString(key, &value, &ruri->netcat) < 0)
                return -1;
        } else if (g_ascii_strcasecmp(key, "proxy") == 0) {
            /* Case-sensitive, as libvirt's. */
            size_t p;

            for (p = 0; remoteProxies[p]; p++) {
                if (strcmp(remoteProxies[p], value) == 0)
                    break;
            }
            if (!remoteProxies[p]) {
                virReportError(VIR_ERR_INVALID_ARG,
                               "unknown proxy '%s' in URI parameter 'proxy' (use auto, netcat or native)",
                               value);
                return -1;
            }
            ruri->proxy = p;
            *proxyGiven = true;
        }
    }
    return 0;
}

/*
 * The far side of ssh (@ruri has its parameters): which proxy runs there
 * and the socket nc connects to, as libvirt's client picks them. A
 * socket= or netcat= asks for nc, a /session URI for virt-ssh-helper
 * (the user's socket path is the far side's to know), else virt-ssh-
 * helper with nc as the fallback.
 */
static int
remoteURIFinishSSH(remoteURI *ruri, const char *full, bool proxyGiven,
                   bool readonly, const char *defaultSocketDir)
{
    if (!proxyGiven) {
        if (ruri->socket || ruri->netcat)
            ruri->proxy = REMOTE_PROXY_NETCAT;
        else if (ruri->session)
            ruri->proxy = REMOTE_PROXY_NATIVE;
    } else if (ruri->proxy == REMOTE_PROXY_AUTO && ruri->netcat) {
        ruri->proxy = REMOTE_PROXY_NETCAT;
    }
    if (ruri->proxy == REMOTE_PROXY_NATIVE && (ruri->netcat || ruri->socket)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       "URI '%s': parameter '%s' is not valid with proxy=native: virt-ssh-helper finds the daemon's socket itself",
                       full, ruri->netcat ? "netcat" : "socket");
        return -1;
    }
    if (ruri->proxy != REMOTE_PROXY_NATIVE && !ruri->socket) {
        /* The session socket's path depends on the far side's user and
         * environment: only virt-ssh-helper knows it. */
        if (ruri->session) {
            virReportError(VIR_ERR_INVALID_ARG,
                           "URI '%s': nc cannot reach a session daemon without its socket path: give socket=PATH or use proxy=native (virt-ssh-helper)",
                           full);
            return -1;
        }
        ruri->socket = g_strdup_printf("%s/libvirt-sock%s", defaultSocketDir,
                                       readonly ? "-ro" : "");
    }
    ruri->helperURI = g_strdup(ruri->name);
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
    g_autoptr(GString) passthrough = g_string_new(NULL);
    g_autofree char *full = g_uri_to_string(uri);
    bool hasHost = host && *host;
    bool proxyGiven = false;

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
        if (strcmp(ret->transport, "ssh") == 0) {
            ret->kind = REMOTE_TRANSPORT_SSH;
        } else if (strcmp(ret->transport, "tls") == 0) {
            ret->kind = REMOTE_TRANSPORT_TLS;
        } else if (strcmp(ret->transport, "unix") != 0) {
            virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                           "transport '%s' of URI '%s' is not supported: use unix (qemu:///system), ssh (qemu+ssh://host/system) or tls (qemu+tls://host/system)",
                           ret->transport, full);
            return -1;
        } else if (hasHost) {
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
        if (g_strcmp0(path, "/system") != 0 && g_strcmp0(path, "/session") != 0)
            return -2;
        ret->driver = g_strdup(scheme);
        /* As libvirt's: TLS is the transport a host is reached by. */
        ret->transport = g_strdup(hasHost ? "tls" : "unix");
        if (hasHost)
            ret->kind = REMOTE_TRANSPORT_TLS;
    }
    ret->session = g_strcmp0(path, "/session") == 0;

    if (remoteURIParseParams(g_uri_get_query(uri), ret, &proxyGiven,
                             passthrough) < 0)
        return -1;

    if (!ret->name) {
        ret->name = g_strdup_printf("%s://%s%s%s%s%s", ret->driver,
                                    path ? path : "",
                                    passthrough->len ? "?" : "", passthrough->str,
                                    fragment ? "#" : "", fragment ? fragment : "");
    }

    if (ret->kind == REMOTE_TRANSPORT_SSH) {
        /* As libvirt's: no host is this one, over ssh all the same. */
        ret->host = g_strdup(hasHost ? host : "localhost");
        ret->port = MAX(g_uri_get_port(uri), 0);
        ret->user = g_strdup(g_uri_get_user(uri));
        if (remoteURIFinishSSH(ret, full, proxyGiven, readonly,
                               defaultSocketDir) < 0)
            return -1;
        VIR_DEBUG("URI '%s': ssh to '%s' port %d, proxy %s, socket '%s', helper URI '%s'",
                  full, ret->host, ret->port, remoteProxies[ret->proxy],
                  NULLSTR(ret->socket), ret->helperURI);
        *ruri = g_steal_pointer(&ret);
        return 0;
    }

    if (ret->kind == REMOTE_TRANSPORT_TLS) {
        /* libvirt's client dials localhost when the URI names no host;
         * a socket= is the unix transport's, of no use here. */
        ret->host = g_strdup(hasHost ? host : "localhost");
        ret->port = MAX(g_uri_get_port(uri), 0);
        g_clear_pointer(&ret->socket, g_free);
        VIR_DEBUG("URI '%s': tls to '%s' port %d, daemon URI '%s'", full,
                  ret->host, ret->port, ret->name);
        *ruri = g_steal_pointer(&ret);
        return 0;
    }

    /* The user's own daemon, started on demand unless the URI names a
     * socket (then somebody else runs that daemon). It has a single
     * socket, read-only opens included: the daemon marks those
     * connections read-only from CONNECT_OPEN's flag, as libvirt's. */
    if (ret->session && !ret->socket) {
        g_autofree char *dir = remoteSessionSocketDir();

        ret->socket = g_build_filename(dir, "libvirt-sock", NULL);
        ret->autostart = true;
    }
    if (!ret->socket) {
        ret->socket = g_strdup_printf("%s/libvirt-sock%s", defaultSocketDir,
                                      readonly ? "-ro" : "");
    }
    VIR_DEBUG("URI '%s': socket '%s', daemon URI '%s'", full, ret->socket,
              ret->name);
    *ruri = g_steal_pointer(&ret);
    return 0;
}
