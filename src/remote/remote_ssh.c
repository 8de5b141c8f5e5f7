/*
 * remote_ssh.c: qemu+ssh:// (see remote_transport.h): OpenSSH's ssh with
 * the arguments libvirt's client gives it and the same far side command,
 * so that either client works against either kind of host.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "remote/remote_transport.h"
#include "remote/remote_ssh.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_REMOTE

/* Quote @s for a POSIX shell: as is when it holds none of the shell's
 * special characters, else in single quotes (a quote inside becoming
 * '\''). These are libvirt's rules, so our command line is the same. */
static void
remoteSSHQuote(GString *out, const char *s)
{
    if (!*s) {
        g_string_append(out, "''");
        return;
    }
    if (!strpbrk(s, "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~")) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            g_string_append(out, "'\\'");
        g_string_append_c(out, *s);
    }
    g_string_append_c(out, '\'');
}

/* Quoted twice: the command goes through the far side's login shell and
 * then through the "sh -c '...'" it runs. */
static char *
remoteSSHQuoteTwice(const char *s)
{
    g_autoptr(GString) once = g_string_new(NULL);
    GString *twice = g_string_new(NULL);

    remoteSSHQuote(once, s);
    remoteSSHQuote(twice, once->str);
    return g_string_free(twice, FALSE);
}

/**
 * remoteSSHFarCommand:
 * @ruri: a qemu+ssh:// URI, parsed
 * @readonly: the connection is read-only (virt-ssh-helper -r)
 *
 * The command ssh runs on the far side, libvirt's three forms: for
 * proxy=auto a shell that runs virt-ssh-helper if "which" finds it and
 * nc otherwise; for netcat nc alone (-q0 when this nc knows it, so that
 * it ends when ssh's input does); for native virt-ssh-helper alone. The
 * socket path is quoted like the URI (libvirt's puts it in as it is): a
 * plain path comes out the same, and a URI from elsewhere cannot make the
 * far side's shell run what its socket= says.
 *
 * Returns the command (the caller frees it).
 */
char *
remoteSSHFarCommand(const remoteURI *ruri, bool readonly)
{
    g_autofree char *nc = remoteSSHQuoteTwice(ruri->netcat ? ruri->netcat : "nc");
    g_autofree char *uri = remoteSSHQuoteTwice(ruri->helperURI);
    g_autofree char *sockQuoted = remoteSSHQuoteTwice(NULLSTR(ruri->socket));
    g_autofree char *sock = NULL;
    g_autofree char *nccmd = NULL;
    g_autofree char *helpercmd = NULL;

    /* Inside the quotes of sh -c '...': a plain path as it is (libvirt's
     * command line, word for word), anything else closed out of them. */
    if (strcmp(sockQuoted, NULLSTR(ruri->socket)) == 0)
        sock = g_strdup(sockQuoted);
    else
        sock = g_strdup_printf("'%s'", sockQuoted);
    nccmd = g_strdup_printf("if '%s' -q 2>&1 | grep \"requires an argument\" "
                            ">/dev/null 2>&1; then ARG=-q0;else ARG=;fi;"
                            "'%s' $ARG -U %s",
                            nc, nc, sock);
    helpercmd = g_strdup_printf("virt-ssh-helper%s'%s'",
                                readonly ? " -r " : " ", uri);
    switch (ruri->proxy) {
    case REMOTE_PROXY_AUTO:
        return g_strdup_printf("sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; "
                               "if test $? = 0; then     %s; "
                               "else    %s; fi'", helpercmd, nccmd);
    case REMOTE_PROXY_NETCAT:
        return g_strdup_printf("sh -c '%s'", nccmd);
    case REMOTE_PROXY_NATIVE:
        break;
    }
    return g_strdup_printf("sh -c '%s'", helpercmd);
}

/**
 * remoteSSHArgv:
 * @ruri: a qemu+ssh:// URI, parsed
 * @readonly: the connection is read-only
 *
 * ssh's command line, libvirt's: the port, user and key when given, no
 * tty and no escape character (the stream is binary), BatchMode for
 * no_tty (never a prompt for a password or a host key),
 * StrictHostKeyChecking=no for no_verify, and known_hosts as ssh's
 * UserKnownHostsFile; then the host after "--" (a host cannot be taken
 * for an option) and the far side command.
 *
 * Returns a NULL-terminated vector (g_strfreev).
 */
char **
remoteSSHArgv(const remoteURI *ruri, bool readonly)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);

    g_ptr_array_add(argv, g_strdup(ruri->command ? ruri->command : "ssh"));
    if (ruri->port > 0) {
        g_ptr_array_add(argv, g_strdup("-p"));
        g_ptr_array_add(argv, g_strdup_printf("%d", ruri->port));
    }
    if (ruri->user) {
        g_ptr_array_add(argv, g_strdup("-l"));
        g_ptr_array_add(argv, g_strdup(ruri->user));
    }
    if (ruri->keyfile) {
        g_ptr_array_add(argv, g_strdup("-i"));
        g_ptr_array_add(argv, g_strdup(ruri->keyfile));
    }
    g_ptr_array_add(argv, g_strdup("-T"));
    g_ptr_array_add(argv, g_strdup("-e"));
    g_ptr_array_add(argv, g_strdup("none"));
    if (ruri->noTTY) {
        g_ptr_array_add(argv, g_strdup("-o"));
        g_ptr_array_add(argv, g_strdup("BatchMode=yes"));
    }
    if (ruri->noVerify) {
        g_ptr_array_add(argv, g_strdup("-o"));
        g_ptr_array_add(argv, g_strdup("StrictHostKeyChecking=no"));
    }
    if (ruri->knownHosts) {
        g_ptr_array_add(argv, g_strdup("-o"));
        g_ptr_array_add(argv, g_strdup_printf("UserKnownHostsFile=%s",
                                              ruri->knownHosts));
    }
    g_ptr_array_add(argv, g_strdup("--"));
    g_ptr_array_add(argv, g_strdup(ruri->host));
    g_ptr_array_add(argv, remoteSSHFarCommand(ruri, readonly));
    g_ptr_array_add(argv, NULL);
    return (char **) g_ptr_array_free(g_steal_pointer(&argv), FALSE);
}

virNetClient *
remoteTransportOpenSSH(const remoteURI *ruri, bool readonly)
{
    g_auto(GStrv) argv = remoteSSHArgv(ruri, readonly);

    VIR_DEBUG("ssh to '%s': far side command: %s", ruri->host,
              argv[g_strv_length(argv) - 1]);
    return virNetClientNewCommand((const char *const *) argv);
}
