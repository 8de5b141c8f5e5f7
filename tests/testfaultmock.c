/*
 * testfaultmock.c: an LD_PRELOAD library that makes a test program die
 * the way g_error() makes it die (SIGTRAP), in the middle of its work,
 * so that testutilstest can see what a failed test leaves behind.
 *
 *   VIR_TEST_FAULT=CALL[:N]   die right after the Nth call of CALL that
 *                             worked (N is 1 unless given), CALL one of
 *                             "connect" (to a Unix socket: a monitor),
 *                             "mount", "g_spawn_sync" (a command, such as
 *                             qemu-img) or "g_file_set_contents"
 *   VIR_TEST_FAULT_PROG=NAME  only in the program NAME (libtool's
 *                             "lt-NAME" too): not in the shell of libtool's
 *                             wrapper script
 *
 * Only that process counts: its forks have other pids, and the programs it
 * runs do not load this library (it drops LD_PRELOAD at once). No GLib
 * call here: the library is loaded into programs without GLib too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

static pid_t faultPid;          /* the process that may die, 0: none */
static char faultCall[32];
static unsigned int faultLeft;  /* calls that worked, to go */

static void __attribute__((constructor))
faultInit(void)
{
    const char *fault = getenv("VIR_TEST_FAULT");
    const char *prog = getenv("VIR_TEST_FAULT_PROG");
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *base;
    size_t callLen;

    if (!fault || !prog || len <= 0)
        return;
    exe[len] = '\0';
    base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
    if (strncmp(base, "lt-", 3) == 0)
        base += 3;
    if (strcmp(base, prog) != 0)
        return;
    unsetenv("LD_PRELOAD");

    callLen = strcspn(fault, ":");
    if (callLen >= sizeof(faultCall))
        return;
    memcpy(faultCall, fault, callLen);
    faultCall[callLen] = '\0';
    faultLeft = fault[callLen] == ':' ? (unsigned int) atoi(fault + callLen + 1) : 1;
    faultPid = getpid();
}

/* A call of @call worked: die if it was the one. */
static void
faultCount(const char *call)
{
    if (faultPid != getpid() || strcmp(call, faultCall) != 0 || faultLeft == 0)
        return;
    if (--faultLeft == 0)
        raise(SIGTRAP);
}

static void *
faultReal(const char *name)
{
    void *fn = dlsym(RTLD_NEXT, name);

    if (!fn)
        abort();
    return fn;
}

int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    static int (*real)(int, const struct sockaddr *, socklen_t);
    int ret;

    if (!real)
        real = faultReal("connect");
    ret = real(fd, addr, len);
    if (ret == 0 && addr && addr->sa_family == AF_UNIX)
        faultCount("connect");
    return ret;
}

int
mount(const char *source, const char *target, const char *fstype,
      unsigned long flags, const void *data)
{
    static int (*real)(const char *, const char *, const char *,
                       unsigned long, const void *);
    int ret;

    if (!real)
        real = faultReal("mount");
    ret = real(source, target, fstype, flags, data);
    if (ret == 0)
        faultCount("mount");
    return ret;
}

gboolean
g_spawn_sync(const gchar *workdir, gchar **argv, gchar **envp,
             GSpawnFlags flags, GSpawnChildSetupFunc setup, gpointer data,
             gchar **out, gchar **err, gint *status, GError **error)
{
    static gboolean (*real)(const gchar *, gchar **, gchar **, GSpawnFlags,
                            GSpawnChildSetupFunc, gpointer, gchar **,
                            gchar **, gint *, GError **);
    gboolean ret;

    if (!real)
        real = faultReal("g_spawn_sync");
    ret = real(workdir, argv, envp, flags, setup, data, out, err, status, error);
    if (ret)
        faultCount("g_spawn_sync");
    return ret;
}

gboolean
g_file_set_contents(const gchar *filename, const gchar *contents,
                    gssize length, GError **error)
{
    static gboolean (*real)(const gchar *, const gchar *, gssize, GError **);
    gboolean ret;

    if (!real)
        real = faultReal("g_file_set_contents");
    ret = real(filename, contents, length, error);
    if (ret)
        faultCount("g_file_set_contents");
    return ret;
}
