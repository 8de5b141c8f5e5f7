/*
 * testutilsssh.c: the suites' daemons over ssh (see testutilsdaemonpriv.h):
 * one real sshd per daemon on 127.0.0.1, with throw-away keys, running
 * the build's virt-ssh-helper for qemu+ssh://root@127.0.0.1:PORT/system.
 *
 * virt-ssh-helper finds qemu:///system where the installed daemon would
 * listen (RUNSTATEDIR/libvirt-bp); the test's daemon listens in DIR/sock.
 * So sshd runs in a mount namespace of its own in which DIR/sock is bind
 * mounted there: the far side of every connection sees the test's
 * daemon as the system one, and nothing changes outside.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutils.h"
#include "testutilsdaemonpriv.h"

#define SSHD_PATH "/usr/sbin/sshd"
#define SSH_SOCKET_DIR RUNSTATEDIR "/libvirt-bp"
#define SSHD_START_MS (30 * 1000)   /* a hang catcher, not a timing */

typedef struct {
    char *dir;          /* DIR/ssh: keys, config, log */
    char *config;
    char *log;
    char *pidFile;
    int port;
    pid_t pid;          /* 0: not started */
} virTestSSH;

/* Run @argv (ssh-keygen), failing the test with its output if it fails. */
static void
sshRun(const char *const *argv)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      &out, &err, &status, &error))
        g_error("cannot run '%s': %s", argv[0], error->message);
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("'%s' failed (wait status 0x%x): %s%s", argv[0], status, out, err);
}

static void
sshKeygen(const char *path, const char *comment)
{
    const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                           "-C", comment, "-f", path, NULL };

    sshRun(argv);
}

/* A TCP port of 127.0.0.1 nobody listens on now. */
static int
sshFreePort(void)
{
    struct sockaddr_in addr = {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *) &addr, &len), ==, 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static char *
sshReadTrimmed(const char *path)
{
    g_autofree char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        g_error("cannot read '%s'", path);
    return g_strdup(g_strstrip(data));
}

/* The build tree, for virt-ssh-helper in the PATH of the far side. */
static const char *
sshBuildDir(void)
{
    const char *builddir = g_getenv("abs_top_builddir");

    return builddir && *builddir ? builddir : ABS_TOP_BUILDDIR;
}

void
virTestSSHPrepare(virTestDaemon *d, GString *conf G_GNUC_UNUSED)
{
    virTestSSH *s = g_new0(virTestSSH, 1);
    g_autofree char *hostKey = NULL;
    g_autofree char *hostPubPath = NULL;
    g_autofree char *userKey = NULL;
    g_autofree char *userPubPath = NULL;
    g_autofree char *authLine = NULL;
    g_autofree char *knownLine = NULL;
    g_autofree char *authorized = NULL;
    g_autofree char *knownHosts = NULL;
    g_autofree char *hostPub = NULL;
    g_autofree char *userPub = NULL;
    g_autofree char *helper = NULL;
    g_autofree char *config = NULL;
    g_autofree char *keyEsc = NULL;
    g_autofree char *knownEsc = NULL;

    s->dir = g_build_filename(d->dir, "ssh", NULL);
    g_assert_cmpint(g_mkdir_with_parents(s->dir, 0700), ==, 0);
    /* A name of its own, that CI's check for a leaked sshd (scripts/
     * test.sh) matches on. */
    s->config = g_build_filename(s->dir, "libvirt-bp-test-sshd_config", NULL);
    s->log = g_build_filename(s->dir, "sshd.log", NULL);
    s->pidFile = g_build_filename(s->dir, "sshd.pid", NULL);
    s->port = sshFreePort();
    hostKey = g_build_filename(s->dir, "host_key", NULL);
    userKey = g_build_filename(s->dir, "user_key", NULL);
    authorized = g_build_filename(s->dir, "authorized_keys", NULL);
    knownHosts = g_build_filename(s->dir, "known_hosts", NULL);
    helper = g_build_filename(sshBuildDir(), "tools", "virt-ssh-helper", NULL);
    if (!g_file_test(helper, G_FILE_TEST_IS_EXECUTABLE))
        g_error("VIR_TEST_TRANSPORT=ssh: no virt-ssh-helper at '%s' (build it)",
                helper);
    if (!g_file_test(SSHD_PATH, G_FILE_TEST_IS_EXECUTABLE))
        g_error("VIR_TEST_TRANSPORT=ssh: no sshd at '%s' (Debian package "
                "openssh-server, see scripts/install-deps.sh)", SSHD_PATH);

    sshKeygen(hostKey, "libvirt-bp test host key");
    sshKeygen(userKey, "libvirt-bp test user key");
    hostPubPath = g_strdup_printf("%s.pub", hostKey);
    userPubPath = g_strdup_printf("%s.pub", userKey);
    hostPub = sshReadTrimmed(hostPubPath);
    userPub = sshReadTrimmed(userPubPath);
    authLine = g_strdup_printf("%s\n", userPub);
    knownLine = g_strdup_printf("[127.0.0.1]:%d %s\n", s->port, hostPub);
    g_assert_true(g_file_set_contents(authorized, authLine, -1, NULL));
    g_assert_true(g_file_set_contents(knownHosts, knownLine, -1, NULL));

    /* Root logs in with the user key only; no PAM, no checks of the
     * temporary directory's modes; the far side's PATH has the build's
     * virt-ssh-helper first. */
    config = g_strdup_printf(
        "# sshd of one test daemon (tests/testutilsssh.c)\n"
        "ListenAddress 127.0.0.1\n"
        "Port %d\n"
        "HostKey %s\n"
        "PidFile %s\n"
        "AuthorizedKeysFile %s\n"
        "PermitRootLogin prohibit-password\n"
        "PubkeyAuthentication yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "UsePAM no\n"
        "StrictModes no\n"
        "PrintMotd no\n"
        "UseDNS no\n"
        "MaxStartups 100\n"
        "LogLevel VERBOSE\n"
        "SetEnv PATH=%s/tools:/usr/bin:/bin\n",
        s->port, hostKey, s->pidFile, authorized, sshBuildDir());
    g_assert_true(g_file_set_contents(s->config, config, -1, NULL));

    keyEsc = g_uri_escape_string(userKey, "/", FALSE);
    knownEsc = g_uri_escape_string(knownHosts, "/", FALSE);
    g_free(d->uri);
    d->uri = g_strdup_printf("qemu+ssh://root@127.0.0.1:%d/system?keyfile=%s"
                             "&known_hosts=%s&no_tty=1",
                             s->port, keyEsc, knownEsc);
    d->transport = s;
}

/* Does sshd accept connections on its port? */
static bool
sshReady(void *opaque)
{
    virTestSSH *s = opaque;
    struct sockaddr_in addr = {
        .sin_family = AF_INET,
        .sin_port = htons(s->port),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    int status;
    int fd;
    bool ok;

    if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
        g_autofree char *log = NULL;

        g_file_get_contents(s->log, &log, NULL, NULL);
        g_error("sshd (pid %d, %s) ended at its start (wait status 0x%x): %s",
                (int) s->pid, s->config, status, log ? log : "(no log)");
    }
    if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return false;
    ok = connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0;
    close(fd);
    return ok;
}

/*
 * The directory to mount a tmpfs on when RUNSTATEDIR/libvirt-bp does not
 * exist (the nearest ancestor that does), or NULL when it exists. Fails
 * the test if that tmpfs would hide the test's own files.
 */
static char *
sshTmpfsAncestor(const char *sockDir)
{
    g_autofree char *dir = g_strdup(SSH_SOCKET_DIR);
    const char *keep[] = { sockDir, sshBuildDir(), SSHD_PATH, "/usr", "/bin",
                           "/etc", "/run/sshd", NULL };

    if (g_file_test(dir, G_FILE_TEST_IS_DIR))
        return NULL;
    while (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        char *parent = g_path_get_dirname(dir);

        g_free(dir);
        dir = parent;
    }
    for (size_t i = 0; keep[i]; i++) {
        size_t len = strlen(dir);

        if (strcmp(dir, "/") == 0 ||
            (strncmp(keep[i], dir, len) == 0 &&
             (keep[i][len] == '/' || keep[i][len] == '\0')))
            g_error("VIR_TEST_TRANSPORT=ssh: '%s' does not exist, and a tmpfs on "
                    "'%s' (its nearest existing ancestor) to make it in sshd's "
                    "namespace would hide '%s'; create '%s' or build elsewhere",
                    SSH_SOCKET_DIR, dir, keep[i], SSH_SOCKET_DIR);
    }
    return g_steal_pointer(&dir);
}

void
virTestSSHStart(virTestDaemon *d)
{
    virTestSSH *s = d->transport;
    g_autofree char *sockDir = g_build_filename(d->dir, "sock", NULL);
    g_autofree char *ancestor = NULL;
    /* In the namespace: the tmpfs if needed, the bind mount, then sshd in
     * the foreground (-D, its pid is ours to stop), logging to a file. */
    const char *script =
        "set -e\n"
        "if [ -n \"$3\" ]; then\n"
        "    mount -t tmpfs -o mode=0755 libvirt-bp-test \"$3\"\n"
        "    mkdir -p \"$2\"\n"
        "fi\n"
        "mount --bind \"$1\" \"$2\"\n"
        "exec " SSHD_PATH " -D -f \"$4\" -E \"$5\"\n";
    const char *argv[] = {
        "/usr/bin/unshare", "--mount", "--propagation", "private",
        "/bin/sh", "-c", script, "sh", sockDir, SSH_SOCKET_DIR, NULL,
        s->config, s->log, NULL,
    };
    pid_t pid;

    if (s->pid) {
        int status;
        pid_t rc = waitpid(s->pid, &status, WNOHANG);

        if (rc == 0)
            return;
        /* ECHILD: stopped and reaped by virTestCleanupDir(). */
        if (rc > 0)
            g_error("sshd (pid %d, %s) ended by itself (wait status 0x%x)",
                    (int) s->pid, s->config, status);
        s->pid = 0;
    }
    ancestor = sshTmpfsAncestor(sockDir);
    argv[10] = ancestor ? ancestor : "";
    /* sshd's privilege separation directory (Debian's unit makes it). */
    if (g_mkdir_with_parents("/run/sshd", 0755) < 0)
        g_error("cannot create /run/sshd: %s", g_strerror(errno));

    pid = virTestDaemonSpawn(argv, d->dir);
    s->pid = pid;
    if (!virTestWaitFor(sshReady, s, SSHD_START_MS))
        g_error("sshd (pid %d, %s) did not listen on 127.0.0.1:%d within %d s",
                (int) pid, s->config, s->port, SSHD_START_MS / 1000);
    g_test_message("sshd (pid %d) on 127.0.0.1:%d serves '%s' as qemu:///system",
                   (int) pid, s->port, sockDir);
}
