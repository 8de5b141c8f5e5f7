/*
 * TEMPORARY stub until the rpc and proto branches are merged: a server
 * that listens on its unix sockets (modes, group, stale and live sockets
 * as virnetserver.h says) and serves nothing.
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "remote/remote_daemon_dispatch.h"
#include "util/virerror.h"

#define VIR_FROM_THIS VIR_FROM_RPC

struct _virNetServer {
    virNetServerConfig cfg;
    GPtrArray *paths;
    GArray *fds;
};

void
virNetServerConfigDefaults(virNetServerConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->minWorkers = 5;
    cfg->maxWorkers = 20;
    cfg->maxClients = 5000;
    cfg->maxClientRequests = 5;
    cfg->maxMessageSize = VIR_NET_MESSAGE_LIMIT;
    cfg->keepaliveInterval = 5;
    cfg->keepaliveCount = 5;
    cfg->handshakeTimeout = 60;
}

virNetServer *
virNetServerNew(const virNetServerConfig *cfg)
{
    virNetServer *srv = g_new0(virNetServer, 1);

    srv->cfg = *cfg;
    srv->paths = g_ptr_array_new_with_free_func(g_free);
    srv->fds = g_array_new(FALSE, FALSE, sizeof(int));
    return srv;
}

void
virNetServerUpdateConfig(virNetServer *srv, const virNetServerConfig *cfg)
{
    srv->cfg = *cfg;
}

int
virNetServerAddUnixSocket(virNetServer *srv, const char *path, mode_t mode,
                          gid_t group, bool readonly G_GNUC_UNUSED)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "socket path '%s' is too long", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0) {
        close(fd);
        virReportError(VIR_ERR_OPERATION_INVALID,
                       "socket '%s' is in use by another server", path);
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 30) < 0) {
        virReportSystemError(errno, "cannot listen on '%s'", path);
        close(fd);
        return -1;
    }
    if (chmod(path, mode) < 0 ||
        (group != (gid_t) -1 && chown(path, -1, group) < 0)) {
        virReportSystemError(errno, "cannot set the mode or group of '%s'", path);
        close(fd);
        unlink(path);
        return -1;
    }
    g_ptr_array_add(srv->paths, g_strdup(path));
    g_array_append_val(srv->fds, fd);
    return 0;
}

int
virNetServerStart(virNetServer *srv G_GNUC_UNUSED)
{
    return 0;
}

void
virNetServerStop(virNetServer *srv)
{
    for (guint i = 0; i < srv->fds->len; i++) {
        close(g_array_index(srv->fds, int, i));
        unlink(g_ptr_array_index(srv->paths, i));
    }
    g_array_set_size(srv->fds, 0);
    g_ptr_array_set_size(srv->paths, 0);
}

void
virNetServerFree(virNetServer *srv)
{
    if (!srv)
        return;
    virNetServerStop(srv);
    g_ptr_array_unref(srv->paths);
    g_array_unref(srv->fds);
    g_free(srv);
}

size_t
virNetServerClientCount(virNetServer *srv G_GNUC_UNUSED)
{
    return 0;
}

int
remoteDaemonAddPrograms(virNetServer *srv G_GNUC_UNUSED,
                        const char *systemURI G_GNUC_UNUSED)
{
    return 0;
}
