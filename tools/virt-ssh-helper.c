/*
 * virt-ssh-helper.c: the far side of qemu+ssh://. ssh runs it with the
 * client's URI; it finds the daemon's socket for that URI as the client
 * library would on this host, connects, and copies bytes both ways
 * between its stdin/stdout (the ssh channel) and the socket until one
 * side ends.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <glib.h>

#include "remote/remote_uri.h"
#include "remote/remote_transport.h"
#include "util/virerror.h"

#define HELPER_SOCKET_DIR RUNSTATEDIR "/libvirt-bp"
#define HELPER_BUF_SIZE (64 * 1024)

/* Fixed, not argv[0]: ssh's error output should name the program the
 * user knows, whichever path ran it. */
static const char *const progname = "virt-ssh-helper";

/* One direction of the copy: bytes read from @in wait in @buf until
 * @out takes them. */
typedef struct {
    const char *from;           /* for messages */
    const char *to;
    int in;
    int out;
    char buf[HELPER_BUF_SIZE];
    size_t len;
    bool eof;                   /* @in ended; @buf may still hold bytes */
} helperPipe;

/* Say what failed on stderr (ssh hands it to the client) and exit 1. */
static void G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN
helperFail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

static void
helperNonBlock(int fd, const char *what)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        helperFail("cannot make %s non-blocking: %s", what, g_strerror(errno));
}

/* The socket of the daemon @uriStr names on this host, connected. */
static int
helperConnect(const char *uriStr, bool readonly)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GUri) uri = NULL;
    g_autoptr(remoteURI) ruri = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int rc;
    int fd;

    uri = g_uri_parse(uriStr, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS,
                      &err);
    if (!uri)
        helperFail("cannot parse URI '%s': %s", uriStr, err->message);
    rc = remoteURIParse(uri, readonly, HELPER_SOCKET_DIR, &ruri);
    if (rc == -2)
        helperFail("URI '%s' names no daemon (expected qemu:///system, qemu:///session or qemu+unix:///...?socket=PATH)",
                   uriStr);
    if (rc < 0)
        helperFail("URI '%s': %s", uriStr, virGetLastErrorMessage());
    /* The client hands on the URI it was given, with its transport
     * taken off: one that names a host again would loop. */
    if (ruri->kind != REMOTE_TRANSPORT_UNIX)
        helperFail("URI '%s' has transport '%s': only a daemon on this host (a unix socket) can be reached",
                   uriStr, ruri->transport);
    if (ruri->autostart && remoteSessionEnsureDaemon(ruri->socket) < 0)
        helperFail("%s", virGetLastErrorMessage());

    if (strlen(ruri->socket) >= sizeof(addr.sun_path))
        helperFail("cannot connect to '%s': the socket path is too long",
                   ruri->socket);
    g_strlcpy(addr.sun_path, ruri->socket, sizeof(addr.sun_path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        helperFail("cannot connect to '%s': cannot create a socket: %s",
                   ruri->socket, g_strerror(errno));
    while (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        if (errno == EINTR)
            continue;
        helperFail("cannot connect to '%s': %s (is libvirtd running there?)",
                   ruri->socket, g_strerror(errno));
    }
    return fd;
}

/* Read what @p->in has while there is room; @p->eof at its end. */
static void
helperPipeRead(helperPipe *p)
{
    while (!p->eof && p->len < sizeof(p->buf)) {
        ssize_t n = read(p->in, p->buf + p->len, sizeof(p->buf) - p->len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && errno != ECONNRESET)
            helperFail("cannot read from %s: %s", p->from, g_strerror(errno));
        if (n <= 0) {
            p->eof = true;
            return;
        }
        p->len += n;
    }
}

static void
helperPipeWrite(helperPipe *p)
{
    while (p->len > 0) {
        ssize_t n = write(p->out, p->buf, p->len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0)
            helperFail("cannot write to %s: %s", p->to, g_strerror(errno));
        memmove(p->buf, p->buf + n, p->len - n);
        p->len -= n;
    }
}

/*
 * Copy until the daemon's side ends. The client's end (stdin) only half
 * closes the socket, so that the daemon's last replies still come back.
 */
static void
helperRun(int sock)
{
    helperPipe *up = g_new0(helperPipe, 1);     /* client -> daemon */
    helperPipe *down = g_new0(helperPipe, 1);   /* daemon -> client */
    bool shutDown = false;

    up->from = "the client (stdin)";
    up->to = "the daemon's socket";
    up->in = STDIN_FILENO;
    up->out = sock;
    down->from = "the daemon's socket";
    down->to = "the client (stdout)";
    down->in = sock;
    down->out = STDOUT_FILENO;
    helperNonBlock(STDIN_FILENO, "stdin");
    helperNonBlock(STDOUT_FILENO, "stdout");
    helperNonBlock(sock, "the daemon's socket");

    for (;;) {
        struct pollfd fds[3] = {
            { .fd = -1 }, { .fd = -1 }, { .fd = -1 },
        };

        helperPipeWrite(up);
        helperPipeWrite(down);
        if (up->eof && up->len == 0 && !shutDown) {
            if (shutdown(sock, SHUT_WR) < 0 && errno != ENOTCONN)
                helperFail("cannot shut down the daemon's socket: %s",
                           g_strerror(errno));
            shutDown = true;
        }
        if (down->eof && down->len == 0)
            break;

        /* stdin, the socket (read and write) and stdout. */
        if (!up->eof && up->len < sizeof(up->buf))
            fds[0] = (struct pollfd) { .fd = STDIN_FILENO, .events = POLLIN };
        fds[1].fd = sock;
        fds[1].events = (!down->eof && down->len < sizeof(down->buf) ? POLLIN : 0) |
                        (up->len ? POLLOUT : 0);
        if (down->len)
            fds[2] = (struct pollfd) { .fd = STDOUT_FILENO, .events = POLLOUT };
        if (poll(fds, G_N_ELEMENTS(fds), -1) < 0) {
            if (errno == EINTR)
                continue;
            helperFail("poll failed: %s", g_strerror(errno));
        }
        if (fds[2].revents & (POLLERR | POLLHUP))
            helperFail("the client went away (stdout closed)");
        if (fds[0].revents)
            helperPipeRead(up);
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
            helperPipeRead(down);
    }
    g_free(up);
    g_free(down);
}

int
main(int argc, char **argv)
{
    gboolean readonly = FALSE;
    gboolean version = FALSE;
    g_autoptr(GError) err = NULL;
    g_autoptr(GOptionContext) ctx = NULL;
    GOptionEntry entries[] = {
        { "readonly", 'r', 0, G_OPTION_ARG_NONE, &readonly,
          "Connect to the daemon's read-only socket", NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version,
          "Print the version and exit", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    int sock;

    ctx = g_option_context_new("URI - join stdin and stdout to a libvirt-bp daemon's socket");
    g_option_context_set_summary(ctx,
        "The far side of qemu+ssh://: run by ssh for a client on another host.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        helperFail("%s (see --help)", err->message);
    if (version) {
        printf("%s (%s) %s\n", progname, PACKAGE_NAME, PACKAGE_VERSION);
        return EXIT_SUCCESS;
    }
    if (argc != 2)
        helperFail("expected one URI (such as qemu:///system), got %d arguments (see --help)",
                   argc - 1);

    /* A write to a client that is gone fails with EPIPE, reported. */
    signal(SIGPIPE, SIG_IGN);
    sock = helperConnect(argv[1], readonly);
    helperRun(sock);
    close(sock);
    return EXIT_SUCCESS;
}
