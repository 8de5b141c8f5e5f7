/*
 * remotesshcommandtest.c: qemu+ssh:// without ssh. ssh's command line for a URI
 * (libvirt's, word for word); the far side command run by a real sh with
 * a stand-in virt-ssh-helper and nc that print their arguments, so that
 * the quoting is seen to give back the URI, however hostile; and the
 * command under the rpc client (virNetClientNewCommand): its stderr in
 * the error, its signals, and no process left behind.
 * tests/remotesshtest.sh does the same against a real sshd.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <rpc/xdr.h>

#include "remote/remote_ssh.h"
#include "remote/remote_transport.h"
#include "rpc/virnetclient.h"
#include "util/virerror.h"
#include "testutils.h"
#include "testutilsvirt.h"

/* xdr_void's type is not xdrproc_t's: cast through a plain function. */
#define XDR_VOID ((xdrproc_t) (void (*)(void)) xdr_void)

#define DIR "/run/lbp"
#define SOCK DIR "/libvirt-sock"

/* libvirt's nc fallback for @sock, as its client writes it. */
#define NC(sock) \
    "if 'nc' -q 2>&1 | grep \"requires an argument\" >/dev/null 2>&1; " \
    "then ARG=-q0;else ARG=;fi;'nc' $ARG -U " sock

typedef struct {
    const char *uri;
    bool readonly;
    const char *argv;           /* joined by '|' */
} ArgvCase;

static const ArgvCase argvCases[] = {
    { "qemu+ssh://host/system", false,
      "ssh|-T|-e|none|--|host|"
      "sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then "
      "    virt-ssh-helper 'qemu:///system'; else    " NC(SOCK) "; fi'" },
    { "qemu+ssh://host/system", true,
      "ssh|-T|-e|none|--|host|"
      "sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then "
      "    virt-ssh-helper -r 'qemu:///system'; else    " NC(SOCK "-ro") "; fi'" },
    { "qemu+ssh://root@10.1.1.1:2222/system?keyfile=/k&no_tty=1&no_verify=1"
      "&known_hosts=/kh&command=/opt/ssh&proxy=native", false,
      "/opt/ssh|-p|2222|-l|root|-i|/k|-T|-e|none|-o|BatchMode=yes|"
      "-o|StrictHostKeyChecking=no|-o|UserKnownHostsFile=/kh|--|10.1.1.1|"
      "sh -c 'virt-ssh-helper 'qemu:///system''" },
    { "qemu+ssh://h/system?socket=/s/sock", false,
      "ssh|-T|-e|none|--|h|sh -c '" NC("/s/sock") "'" },
    { "qemu+ssh://h/system?netcat=/bin/my%20nc", false,
      "ssh|-T|-e|none|--|h|sh -c 'if '''\\''/bin/my nc'\\'''' -q 2>&1 | grep "
      "\"requires an argument\" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;"
      "'''\\''/bin/my nc'\\'''' $ARG -U " SOCK "'" },
    /* The daemon's parameters reach the helper: quoted twice. */
    { "qemu+ssh://h/system?proxy=native&foo=1", true,
      "ssh|-T|-e|none|--|h|"
      "sh -c 'virt-ssh-helper -r '''\\''qemu:///system?foo=1'\\'''''" },
    /* A host is never an option. */
    { "qemu+ssh://-oProxyCommand=x/system?proxy=native", false,
      "ssh|-T|-e|none|--|-oProxyCommand=x|sh -c 'virt-ssh-helper 'qemu:///system''" },
};

static remoteURI *
parse(const char *uriStr, bool readonly)
{
    g_autoptr(GUri) uri = g_uri_parse(uriStr, G_URI_FLAGS_ENCODED_QUERY |
                                      G_URI_FLAGS_NON_DNS, NULL);
    remoteURI *ruri = NULL;

    g_assert_nonnull(uri);
    g_assert_cmpint(remoteURIParse(uri, readonly, DIR, &ruri), ==, 0);
    return ruri;
}

static void
testArgv(const void *data)
{
    const ArgvCase *c = data;
    g_autoptr(remoteURI) ruri = parse(c->uri, c->readonly);
    g_auto(GStrv) argv = remoteSSHArgv(ruri, c->readonly);
    g_autofree char *joined = g_strjoinv("|", argv);

    g_assert_cmpstr(joined, ==, c->argv);
}

/* A directory with stand-ins that print their arguments, one a line,
 * and the two tools the far side command uses: the whole PATH of the
 * far side (the host may have another virt-ssh-helper in /usr/bin). */
static char *
makeStandIns(bool withHelper)
{
    g_autofree char *dir = virTestMakeDir("vbpsshtest-XXXXXX");
    const char *script = "#!/bin/sh\nfor a; do printf '%s\\n' \"$a\"; done\n";
    const char *names[] = { "virt-ssh-helper", "nc", NULL };
    const char *tools[] = { "sh", "which", "grep", NULL };

    for (size_t i = 0; names[i]; i++) {
        g_autofree char *path = g_build_filename(dir, names[i], NULL);

        if (i == 0 && !withHelper)
            continue;
        g_assert_true(g_file_set_contents(path, script, -1, NULL));
        g_assert_cmpint(chmod(path, 0755), ==, 0);
    }
    for (size_t i = 0; tools[i]; i++) {
        g_autofree char *target = g_find_program_in_path(tools[i]);
        g_autofree char *path = g_build_filename(dir, tools[i], NULL);

        g_assert_nonnull(target);
        g_assert_cmpint(symlink(target, path), ==, 0);
    }
    return g_steal_pointer(&dir);
}

typedef struct {
    const char *uri;
    bool readonly;
    bool withHelper;            /* virt-ssh-helper is in the PATH */
    const char *out;            /* what the stand-in got */
} FarCase;

static const FarCase farCases[] = {
    { "qemu+ssh://h/system", false, true, "qemu:///system\n" },
    { "qemu+ssh://h/system", true, true, "-r\nqemu:///system\n" },
    { "qemu+ssh://h/system", false, false, "-U\n" SOCK "\n" },
    { "qemu+ssh://h/system", true, false, "-U\n" SOCK "-ro\n" },
    { "qemu+ssh://h/system?proxy=netcat&socket=/x/s", false, true, "-U\n/x/s\n" },
    /* A socket= of the shell's own characters stays one path. */
    { "qemu+ssh://h/system?socket=/x/a%20b%3Bid%3E/tmp/z%27$(id)", false, true,
      "-U\n/x/a b;id>/tmp/z'$(id)\n" },
    /* Whatever the daemon's parameters hold, the helper gets them as
     * they were: the two rounds of quoting undo each other. */
    { "qemu+ssh://h/system?a=%27%22%24(id)%60x%60%20%5C;b=c&d", false, true,
      "qemu:///system?a=%27%22%24(id)%60x%60%20%5C&b=c&d\n" },
    { "qemu+ssh://h/system?proxy=native&q='it''s'%20$HOME", true, true,
      "-r\nqemu:///system?q='it''s'%20$HOME\n" },
};

static void
testFarCommand(const void *data)
{
    const FarCase *c = data;
    g_autoptr(remoteURI) ruri = parse(c->uri, c->readonly);
    g_autofree char *dir = makeStandIns(c->withHelper);
    g_autofree char *far = remoteSSHFarCommand(ruri, c->readonly);
    g_autofree char *path = g_strdup_printf("PATH=%s", dir);
    const char *argv[] = { "/bin/sh", "-c", far, NULL };
    const char *envp[] = { path, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    /* What sshd does with it: the user's shell runs it as one string. */
    g_assert_true(g_spawn_sync(NULL, (char **) argv, (char **) envp,
                               G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, NULL));
    g_test_message("far side: %s", far);
    g_assert_cmpstr(err, ==, "");
    g_assert_cmpstr(out, ==, c->out);
    virTestCleanupDir(dir);
}

/* A call on @client: the connection's error, if any. */
static int
call(virNetClient *client)
{
    return virNetClientCall(client, 0x20008086, 1, 66,
                            XDR_VOID, NULL, XDR_VOID, NULL);
}

static void
assertLost(virNetClient *client, const char *const *parts)
{
    virResetLastError();
    g_assert_cmpint(call(client), ==, -1);
    g_test_message("%s", virGetLastErrorMessage());
    virTestAssertError(VIR_ERR_RPC);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "the connection to the daemon was lost"));
    for (size_t i = 0; parts[i]; i++)
        g_assert_nonnull(strstr(virGetLastErrorMessage(), parts[i]));
}

/* A command that ends at once: what the error of the calls says. */
typedef struct {
    const char *script;         /* sh -c */
    const char *parts[3];       /* in the message */
    const char *absent;         /* not in it, or NULL */
} LostCase;

static const LostCase lostCases[] = {
    /* ssh that fails to log in: its last words are the error's; empty
     * lines do not count. */
    { "echo 'debug: noise' >&2; echo >&2; "
      "echo 'root@127.0.0.1: Permission denied (publickey).' >&2; exit 255",
      { "'sh' (exit status 255)",
        "said: debug: noise root@127.0.0.1: Permission denied (publickey).", NULL },
      NULL },
    /* Only the last lines; and a command that wrote more than a pipe
     * holds is heard to its end (never blocked on its stderr). */
    { "i=0; while [ $i -lt 3000 ]; do echo \"line $i of chatter\"; i=$((i+1)); "
      "done >&2; echo 'Connection refused' >&2; exit 0",
      { "(exit status 0) said: line 2998 of chatter line 2999 of chatter "
        "Connection refused", NULL },
      "line 2997" },
    { "kill -9 $$",
      { "'sh' (killed by signal 9) said nothing on stderr", NULL }, NULL },
};

static void
testCommandLost(const void *data)
{
    const LostCase *c = data;
    const char *argv[] = { "sh", "-c", c->script, NULL };
    virNetClient *client = virNetClientNewCommand(argv);

    g_assert_nonnull(client);
    assertLost(client, c->parts);
    if (c->absent)
        g_assert_null(strstr(virGetLastErrorMessage(), c->absent));
    /* The next call says the same. */
    assertLost(client, c->parts);
    virNetClientUnref(client);
}

static void
testCommandMissing(const void *data G_GNUC_UNUSED)
{
    const char *argv[] = { "no-such-ssh-client", "-T", NULL };

    virResetLastError();
    g_assert_null(virNetClientNewCommand(argv));
    virTestAssertError(VIR_ERR_NO_CONNECT);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), "'no-such-ssh-client'"));
}

/* The command starts with the signals' default actions and none
 * blocked, whatever the application did with them. (The C library's
 * own signals, 32 and 33, are not ours to reset: an ignored one comes
 * from whoever started the test.) */
static void
testCommandSignals(const void *data G_GNUC_UNUSED)
{
    const char *argv[] = {
        "sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status >&2; exit 3", NULL,
    };
    const char *parts[] = { "exit status 3", NULL };
    const char *said;
    unsigned long long blk = ~0ULL;
    unsigned long long ign = ~0ULL;
    const unsigned long long mine = (1ULL << (SIGPIPE - 1)) | (1ULL << (SIGHUP - 1)) |
                                    (1ULL << (SIGUSR1 - 1));
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    struct sigaction oldPipe;
    struct sigaction oldHup;
    sigset_t usr1;
    sigset_t oldMask;
    virNetClient *client;

    sigaction(SIGPIPE, &ignore, &oldPipe);
    sigaction(SIGHUP, &ignore, &oldHup);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, &oldMask);
    client = virNetClientNewCommand(argv);
    pthread_sigmask(SIG_SETMASK, &oldMask, NULL);
    sigaction(SIGHUP, &oldHup, NULL);
    sigaction(SIGPIPE, &oldPipe, NULL);

    g_assert_nonnull(client);
    assertLost(client, parts);
    said = strstr(virGetLastErrorMessage(), "SigBlk:");
    g_assert_nonnull(said);
    g_assert_cmpint(sscanf(said, "SigBlk: %llx SigIgn: %llx", &blk, &ign), ==, 2);
    g_assert_cmpuint(blk, ==, 0);
    g_assert_cmpuint(ign & mine, ==, 0);
    g_assert_cmpuint(ign & 0xffffffffULL & ~(1ULL << 31), ==, 0);
    virNetClientUnref(client);
}

/* The pid the command wrote to @path ("echo $$ >FILE"): the file is made
 * by the shell's redirection before echo writes the line, so wait for
 * the whole line, not only the file. */
static pid_t
readPid(const char *path)
{
    g_autofree char *data = NULL;

    for (int i = 0; i < 1000; i++) {
        g_clear_pointer(&data, g_free);
        if (g_file_get_contents(path, &data, NULL, NULL) &&
            g_str_has_suffix(data, "\n"))
            break;
        g_usleep(10 * 1000);
    }
    g_assert_nonnull(data);
    g_assert_true(g_str_has_suffix(data, "\n"));
    return (pid_t) g_ascii_strtoll(data, NULL, 10);
}

typedef enum {
    STOP_CLOSE,                 /* virNetClientClose(), then the last unref */
    STOP_CLOSE_IGNORING_TERM,   /* the same, the command ignores SIGTERM */
    STOP_UNREF,                 /* the last unref alone */
} StopHow;

/*
 * Closing the client (or dropping its last reference) ends a command
 * that is still running (SIGTERM, and SIGKILL for one that ignores it)
 * and reaps it: no process and no zombie is left.
 */
static void
testCommandStopped(const void *data)
{
    StopHow how = GPOINTER_TO_INT(data);
    g_autofree char *dir = virTestMakeDir("vbpsshtest-XXXXXX");
    g_autofree char *pidFile = g_build_filename(dir, "pid", NULL);
    g_autofree char *script = NULL;
    const char *argv[] = { "sh", "-c", NULL, NULL };
    g_autofree char *proc = NULL;
    virNetClient *client;
    gint64 start;
    gint64 took;
    pid_t pid;

    script = g_strdup_printf("%s echo $$ > '%s'; exec sleep 120",
                             how == STOP_CLOSE_IGNORING_TERM ? "trap '' TERM;" : "",
                             pidFile);
    argv[2] = script;
    client = virNetClientNewCommand(argv);
    g_assert_nonnull(client);
    pid = readPid(pidFile);
    proc = g_strdup_printf("/proc/%d", (int) pid);
    g_assert_true(virTestProcessAlive(pid));
    start = g_get_monotonic_time();
    if (how != STOP_UNREF)
        virNetClientClose(client);
    else
        g_clear_pointer(&client, virNetClientUnref);
    took = (g_get_monotonic_time() - start) / 1000;
    g_test_message("ended in %" G_GINT64_FORMAT " ms", took);
    /* Gone, not a zombie: /proc has no such entry once it is reaped. */
    g_assert_false(g_file_test(proc, G_FILE_TEST_EXISTS));
    if (how == STOP_CLOSE_IGNORING_TERM)
        g_assert_cmpint(took, >=, 2500);
    else
        g_assert_cmpint(took, <, 2500);
    g_assert_cmpint(took, <, 10000);
    virNetClientUnref(client);
    virTestCleanupDir(dir);
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    for (size_t i = 0; i < G_N_ELEMENTS(argvCases); i++) {
        g_autofree char *path = g_strdup_printf("/remote/ssh/argv/%zu", i);

        g_test_add_data_func(path, &argvCases[i], testArgv);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(farCases); i++) {
        g_autofree char *path = g_strdup_printf("/remote/ssh/far-command/%zu", i);

        g_test_add_data_func(path, &farCases[i], testFarCommand);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(lostCases); i++) {
        g_autofree char *path = g_strdup_printf("/remote/ssh/command/lost/%zu", i);

        g_test_add_data_func(path, &lostCases[i], testCommandLost);
    }
    g_test_add_data_func("/remote/ssh/command/missing", NULL, testCommandMissing);
    g_test_add_data_func("/remote/ssh/command/signals", NULL, testCommandSignals);
    g_test_add_data_func("/remote/ssh/command/stopped", GINT_TO_POINTER(STOP_CLOSE),
                         testCommandStopped);
    g_test_add_data_func("/remote/ssh/command/stopped-ignoring-term",
                         GINT_TO_POINTER(STOP_CLOSE_IGNORING_TERM), testCommandStopped);
    g_test_add_data_func("/remote/ssh/command/unref", GINT_TO_POINTER(STOP_UNREF),
                         testCommandStopped);
    return g_test_run();
}
