/*
 * libvirtdconftest.c: libvirtd.conf (src/remote/remote_daemon_config.h):
 * the defaults and their paths, every key read, every refusal naming the
 * file and line, unknown keys ignored with a warning, and the installed
 * sample libvirtd.conf documenting every key with its default.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <glib.h>

#include "remote/remote_daemon_config.h"
#include "util/virerror.h"
#include "testutils.h"

#define NAME "/etc/libvirtd.conf"

static const char *const keys[] = {
    "unix_sock_dir", "unix_sock_group", "unix_sock_rw_perms",
    "unix_sock_ro_perms", "min_workers", "max_workers", "max_clients",
    "max_client_requests", "max_message_size", "keepalive_interval",
    "keepalive_count", "log_level", "qemu_root",
    "listen_tls", "listen_tcp", "tls_port", "listen_addr", "key_file",
    "cert_file", "ca_file", "crl_file", "tls_no_sanity_certificate",
    "tls_no_verify_certificate", "tls_allowed_dn_list", "tls_priority",
    "auth_tls",
};

static remoteDaemonConfig *
load(const char *text)
{
    remoteDaemonConfig *cfg = remoteDaemonConfigNew();

    if (remoteDaemonConfigLoadString(cfg, text, strlen(text), NAME) < 0)
        g_error("'%s' refused: %s", text, virGetLastErrorMessage());
    return cfg;
}

/* @text is refused with a message containing @msg. */
static void
refused(const char *text, const char *msg)
{
    g_autoptr(remoteDaemonConfig) cfg = remoteDaemonConfigNew();

    if (remoteDaemonConfigLoadString(cfg, text, strlen(text), NAME) == 0)
        g_error("'%s' accepted", text);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_CONF_SYNTAX);
    if (!strstr(virGetLastErrorMessage(), msg))
        g_error("'%s': message '%s' lacks '%s'", text, virGetLastErrorMessage(), msg);
    virResetLastError();
}

static void
testDefaults(void)
{
    g_autoptr(remoteDaemonConfig) cfg = remoteDaemonConfigNew();
    g_autofree char *rw = remoteDaemonConfigSocketPath(cfg, false);
    g_autofree char *ro = remoteDaemonConfigSocketPath(cfg, true);
    g_autofree char *uri = remoteDaemonConfigSystemURI(cfg);

    g_assert_cmpstr(cfg->unixSockDir, ==, RUNSTATEDIR "/libvirt-bp");
    g_assert_cmpstr(rw, ==, RUNSTATEDIR "/libvirt-bp/libvirt-sock");
    g_assert_cmpstr(ro, ==, RUNSTATEDIR "/libvirt-bp/libvirt-sock-ro");
    g_assert_cmpstr(cfg->qemuRoot, ==, LOCALSTATEDIR "/lib/libvirt-bp/qemu");
    g_assert_cmpstr(remoteDaemonConfigDefaultFile(), ==,
                    SYSCONFDIR "/libvirt-bp/libvirtd.conf");
    g_assert_cmpstr(uri, ==, "qemu:///embed?root=" LOCALSTATEDIR "/lib/libvirt-bp/qemu");
    /* Never a distribution libvirt's paths. */
    g_assert_false(g_str_has_prefix(rw, "/run/libvirt/"));
    g_assert_false(g_str_has_prefix(rw, "/var/run/libvirt/"));
    g_assert_false(g_str_has_prefix(cfg->qemuRoot, "/var/lib/libvirt/"));
    g_assert_null(cfg->unixSockGroup);
    g_assert_cmpint(cfg->unixSockGid, ==, (gid_t) -1);
    g_assert_cmphex(cfg->unixSockRwPerms, ==, 0700);
    g_assert_cmphex(cfg->unixSockRoPerms, ==, 0777);
    g_assert_cmpuint(cfg->minWorkers, ==, 5);
    g_assert_cmpuint(cfg->maxWorkers, ==, 20);
    g_assert_cmpuint(cfg->maxClients, ==, 5000);
    g_assert_cmpuint(cfg->maxClientRequests, ==, 5);
    g_assert_cmpuint(cfg->maxMessageSize, ==, 32 * 1024 * 1024);
    g_assert_cmpint(cfg->keepaliveInterval, ==, 5);
    g_assert_cmpuint(cfg->keepaliveCount, ==, 5);
    g_assert_cmpint(cfg->logLevel, ==, 0);
    g_assert_cmpuint(cfg->warnings->len, ==, 0);
    /* TLS: libvirt's defaults and pki layout under our sysconfdir. */
    g_assert_true(cfg->listenTLS);
    g_assert_cmpstr(cfg->tlsPort, ==, "16514");
    g_assert_null(cfg->listenAddr);
    g_assert_cmpstr(cfg->caFile, ==, SYSCONFDIR "/pki/CA/cacert.pem");
    g_assert_cmpstr(cfg->crlFile, ==, SYSCONFDIR "/pki/CA/cacrl.pem");
    g_assert_cmpstr(cfg->certFile, ==, SYSCONFDIR "/pki/libvirt/servercert.pem");
    g_assert_cmpstr(cfg->keyFile, ==, SYSCONFDIR "/pki/libvirt/private/serverkey.pem");
    g_assert_false(cfg->tlsNoSanityCert);
    g_assert_false(cfg->tlsNoVerifyCert);
    g_assert_null(cfg->tlsAllowedDNList);
    g_assert_cmpstr(cfg->tlsPriority, ==, "NORMAL");
}

static void
testTLSKeys(void)
{
    g_autoptr(remoteDaemonConfig) cfg = load(
        "listen_tls = 0\n"
        "listen_tcp = 0\n"
        "tls_port = \"1234\"\n"
        "listen_addr = \"::1\"\n"
        "key_file = \"/k/key.pem\"\n"
        "cert_file = \"/k/cert.pem\"\n"
        "ca_file = \"/k/ca.pem\"\n"
        "crl_file = \"/k/crl.pem\"\n"
        "tls_no_sanity_certificate = 1\n"
        "tls_no_verify_certificate = 1\n"
        "tls_allowed_dn_list = [\"C=GB,O=x,CN=*\", \"CN=admin\"]\n"
        "tls_priority = \"NORMAL:-VERS-TLS1.0\"\n"
        "auth_tls = \"none\"\n");

    g_assert_false(cfg->listenTLS);
    g_assert_cmpstr(cfg->tlsPort, ==, "1234");
    g_assert_cmpstr(cfg->listenAddr, ==, "::1");
    g_assert_cmpstr(cfg->keyFile, ==, "/k/key.pem");
    g_assert_cmpstr(cfg->certFile, ==, "/k/cert.pem");
    g_assert_cmpstr(cfg->caFile, ==, "/k/ca.pem");
    g_assert_cmpstr(cfg->crlFile, ==, "/k/crl.pem");
    g_assert_true(cfg->tlsNoSanityCert);
    g_assert_true(cfg->tlsNoVerifyCert);
    g_assert_nonnull(cfg->tlsAllowedDNList);
    g_assert_cmpuint(g_strv_length(cfg->tlsAllowedDNList), ==, 2);
    g_assert_cmpstr(cfg->tlsAllowedDNList[0], ==, "C=GB,O=x,CN=*");
    g_assert_cmpstr(cfg->tlsAllowedDNList[1], ==, "CN=admin");
    g_assert_cmpstr(cfg->tlsPriority, ==, "NORMAL:-VERS-TLS1.0");
    g_assert_cmpuint(cfg->warnings->len, ==, 0);

    /* We only do TLS with certificates: the rest is refused, not ignored. */
    refused("listen_tcp = 1\n",
            NAME ":1: 'listen_tcp': unencrypted TCP is not supported");
    refused("auth_tls = \"sasl\"\n",
            NAME ":1: 'auth_tls' = \"sasl\": only \"none\" is supported");
    refused("tls_port = 16514\n", "'tls_port' must be a string, not an integer");
    refused("tls_port = \"0\"\n", NAME ":1: 'tls_port' = \"0\": not a TCP port");
    refused("tls_port = \"65536\"\n", "not a TCP port");
    refused("tls_port = \"https\"\n", "not a TCP port");
    refused("key_file = \"key.pem\"\n", "'key_file' = \"key.pem\": must be an absolute path");
    refused("ca_file = \"\"\n", "'ca_file' = \"\": must be an absolute path");
    refused("listen_addr = \"\"\n", "'listen_addr' = \"\": must not be empty");
    refused("tls_priority = \"\"\n", "'tls_priority' = \"\": must not be empty");
    refused("tls_allowed_dn_list = [1]\n", "'tls_allowed_dn_list'");
    refused("listen_tls = \"yes\"\n", "'listen_tls' must be");
}

static void
testAllKeys(void)
{
    g_autoptr(remoteDaemonConfig) cfg = load(
        "unix_sock_dir = \"/tmp/x y\"\n"
        "unix_sock_group = \"root\"\n"
        "unix_sock_rw_perms = \"0770\"\n"
        "unix_sock_ro_perms = '0755'\n"
        "min_workers = 2\n"
        "max_workers = 2\n"
        "max_clients = 7\n"
        "max_client_requests = 3\n"
        "max_message_size = 1048576\n"
        "keepalive_interval = -1\n"
        "keepalive_count = 0\n"
        "log_level = 1\n"
        "qemu_root = \"/srv/q r%\"\n");
    g_autofree char *uri = remoteDaemonConfigSystemURI(cfg);
    g_autofree char *rw = remoteDaemonConfigSocketPath(cfg, false);

    g_assert_cmpstr(cfg->unixSockDir, ==, "/tmp/x y");
    g_assert_cmpstr(rw, ==, "/tmp/x y/libvirt-sock");
    g_assert_cmpstr(cfg->unixSockGroup, ==, "root");
    g_assert_cmpint(cfg->unixSockGid, ==, 0);
    g_assert_cmphex(cfg->unixSockRwPerms, ==, 0770);
    g_assert_cmphex(cfg->unixSockRoPerms, ==, 0755);
    g_assert_cmpuint(cfg->minWorkers, ==, 2);
    g_assert_cmpuint(cfg->maxWorkers, ==, 2);
    g_assert_cmpuint(cfg->maxClients, ==, 7);
    g_assert_cmpuint(cfg->maxClientRequests, ==, 3);
    g_assert_cmpuint(cfg->maxMessageSize, ==, 1048576);
    g_assert_cmpint(cfg->keepaliveInterval, ==, -1);
    g_assert_cmpuint(cfg->keepaliveCount, ==, 0);
    g_assert_cmpint(cfg->logLevel, ==, 1);
    g_assert_cmpstr(cfg->qemuRoot, ==, "/srv/q r%");
    /* The root escaped in the URI, as virStateEmbedRoot() unescapes it. */
    g_assert_cmpstr(uri, ==, "qemu:///embed?root=/srv/q%20r%25");
    g_assert_cmpuint(cfg->warnings->len, ==, 0);
}

static void
testGroup(void)
{
    g_autoptr(remoteDaemonConfig) a = load("unix_sock_group = \"+4242\"\n");
    g_autoptr(remoteDaemonConfig) b = load("unix_sock_group = \"root\"\nunix_sock_group = \"x\"\n");
    g_autoptr(remoteDaemonConfig) c = load("unix_sock_group = \"\"\n");

    g_assert_cmpint(a->unixSockGid, ==, 4242);
    g_assert_cmpint(b->unixSockGid, ==, 0);     /* the first one counts */
    g_assert_null(c->unixSockGroup);
    g_assert_cmpint(c->unixSockGid, ==, (gid_t) -1);
    refused("\n\nunix_sock_group = \"no-such-group-here\"\n",
            NAME ":3: 'unix_sock_group' = \"no-such-group-here\": no such group on this host");
    refused("unix_sock_group = \"+x\"\n", NAME ":1: 'unix_sock_group' = \"+x\": '+' must be");
    refused("unix_sock_group = 0\n", NAME ":1: 'unix_sock_group' must be a string, not an integer");
}

static void
testRefused(void)
{
    /* Modes: octal strings up to 0777. */
    refused("unix_sock_rw_perms = 0700\n",
            NAME ":1: 'unix_sock_rw_perms' must be a string, not an integer");
    refused("unix_sock_rw_perms = \"0800\"\n", NAME ":1: 'unix_sock_rw_perms' = \"0800\": not a file mode");
    refused("unix_sock_ro_perms = \"rwx\"\n", NAME ":1: 'unix_sock_ro_perms' = \"rwx\": not a file mode");
    refused("unix_sock_ro_perms = \"\"\n", "not a file mode");
    refused("unix_sock_ro_perms = \"01777\"\n", "not a file mode");
    refused("unix_sock_ro_perms = \"-1\"\n", "not a file mode");
    /* Workers. */
    refused("min_workers = 0\n", NAME ":1: 'min_workers': 0 is out of range: give 1 to 1000");
    refused("max_workers = \"5\"\n", NAME ":1: 'max_workers' must be an integer, not a string");
    refused("max_workers = -3\n", NAME ":1: 'max_workers' must be at least 0, not -3");
    refused("max_workers = 99999999999\n", NAME ":1: 'max_workers' must be at most");
    refused("# c\nmin_workers = 10\nmax_workers = 4\n",
            NAME ":2: 'min_workers': min_workers (10) must not exceed max_workers (4)");
    refused("min_workers = 30\n", "min_workers (30) must not exceed max_workers (20)");
    refused("max_workers = 2\n", NAME ":1: 'max_workers': min_workers (5) must not exceed max_workers (2)");
    /* Sizes and counts. */
    refused("max_clients = 0\n", "'max_clients': 0 is out of range");
    refused("max_client_requests = 0\n", "'max_client_requests': 0 is out of range");
    refused("max_message_size = 100\n", NAME ":1: 'max_message_size': 100 bytes is out of range");
    refused("max_message_size = 33554433\n", "'max_message_size': 33554433 bytes is out of range");
    refused("max_message_size = [ \"1\" ]\n", "'max_message_size' must be an integer, not a list");
    /* Keepalive. */
    refused("keepalive_interval = 0\n", NAME ":1: 'keepalive_interval': 0 is out of range");
    refused("keepalive_interval = -2\n", "'keepalive_interval': -2 is out of range");
    refused("keepalive_count = -1\n", "'keepalive_count' must be at least 0");
    /* Paths. */
    refused("unix_sock_dir = \"run/x\"\n", NAME ":1: 'unix_sock_dir' = \"run/x\": must be an absolute path");
    refused("qemu_root = \"\"\n", NAME ":1: 'qemu_root' = \"\": must be an absolute path");
    refused("qemu_root = 5\n", "'qemu_root' must be a string, not an integer");
    /* Log level. */
    refused("log_level = 0\n", NAME ":1: 'log_level': 0 is not a level");
    refused("log_level = 5\n", "'log_level': 5 is not a level");
    /* Syntax. */
    refused("max_clients = \n", NAME ":1: expected a value after '='");
    refused("max_clients = 5 6\n", NAME ":1: expected the end of the line");
}

static void
testUnknown(void)
{
    g_autoptr(remoteDaemonConfig) cfg = load(
        "tcp_port = \"1\"\n"
        "\n"
        "max_clients = 9\n"
        "auth_unix_rw = \"none\"\n");

    g_assert_cmpuint(cfg->maxClients, ==, 9);
    g_assert_cmpuint(cfg->warnings->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(cfg->warnings, 0), ==,
                    NAME ":1: unknown setting 'tcp_port' ignored");
    g_assert_cmpstr(g_ptr_array_index(cfg->warnings, 1), ==,
                    NAME ":4: unknown setting 'auth_unix_rw' ignored");
}

static void
testFile(void)
{
    g_autofree char *dir = virTestMakeDir("libvirtdconftest-XXXXXX");
    g_autofree char *path = g_build_filename(dir, "libvirtd.conf", NULL);
    g_autofree char *missing = g_build_filename(dir, "nope.conf", NULL);
    g_autoptr(remoteDaemonConfig) cfg = remoteDaemonConfigNew();
    g_autofree char *want = NULL;

    /* The default file may be missing: defaults. */
    g_assert_cmpint(remoteDaemonConfigLoadFile(cfg, missing, true), ==, 0);
    g_assert_cmpuint(cfg->maxClients, ==, 5000);
    /* A file given may not. */
    g_assert_cmpint(remoteDaemonConfigLoadFile(cfg, missing, false), ==, -1);
    g_assert_nonnull(strstr(virGetLastErrorMessage(), missing));
    g_assert_true(g_file_set_contents(path, "max_clients = 12\nmin_workers = 'x'\n", -1, NULL));
    g_assert_cmpint(remoteDaemonConfigLoadFile(cfg, path, true), ==, -1);
    want = g_strdup_printf("%s:2: 'min_workers' must be an integer, not a string", path);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, want);
    g_assert_true(g_file_set_contents(path, "max_clients = 12\n", -1, NULL));
    g_assert_cmpint(remoteDaemonConfigLoadFile(cfg, path, false), ==, 0);
    g_assert_cmpuint(cfg->maxClients, ==, 12);
    /* A directory is no file. */
    g_assert_cmpint(remoteDaemonConfigLoadFile(cfg, dir, true), ==, -1);
    virResetLastError();
    virTestCleanupDir(dir);
}

/*
 * The sample file: every key there, commented out with its default;
 * uncommented it reads as the defaults.
 */
static void
testSample(void)
{
    g_autofree char *path = g_build_filename(ABS_TOP_BUILDDIR, "src", "remote",
                                             "libvirtd.conf", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GString) uncommented = g_string_new("");
    g_autoptr(remoteDaemonConfig) def = remoteDaemonConfigNew();
    g_autoptr(remoteDaemonConfig) cfg = NULL;
    g_auto(GStrv) lines = NULL;
    gsize len;

    if (!g_file_get_contents(path, &text, &len, NULL))
        g_error("the sample %s is not built", path);
    g_assert_null(strchr(text, '@'));   /* every @dir@ substituted */
    lines = g_strsplit(text, "\n", -1);
    for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
        g_autofree char *setting = g_strdup_printf("#%s = ", keys[k]);
        size_t found = 0;
        for (size_t i = 0; lines[i]; i++)
            found += g_str_has_prefix(lines[i], setting);
        if (found != 1)
            g_error("the sample has '%s' %zu times, not once", setting, found);
    }
    for (size_t i = 0; lines[i]; i++) {
        const char *l = lines[i];
        if (l[0] == '#' && g_ascii_islower(l[1]) && strstr(l, " = ")) {
            g_string_append(uncommented, l + 1);
            g_string_append_c(uncommented, '\n');
        }
    }
    cfg = load(uncommented->str);
    g_assert_cmpstr(cfg->unixSockDir, ==, def->unixSockDir);
    g_assert_null(cfg->unixSockGroup);
    g_assert_cmpint(cfg->unixSockGid, ==, (gid_t) -1);
    g_assert_cmphex(cfg->unixSockRwPerms, ==, def->unixSockRwPerms);
    g_assert_cmphex(cfg->unixSockRoPerms, ==, def->unixSockRoPerms);
    g_assert_cmpuint(cfg->minWorkers, ==, def->minWorkers);
    g_assert_cmpuint(cfg->maxWorkers, ==, def->maxWorkers);
    g_assert_cmpuint(cfg->maxClients, ==, def->maxClients);
    g_assert_cmpuint(cfg->maxClientRequests, ==, def->maxClientRequests);
    g_assert_cmpuint(cfg->maxMessageSize, ==, def->maxMessageSize);
    g_assert_cmpint(cfg->keepaliveInterval, ==, def->keepaliveInterval);
    g_assert_cmpuint(cfg->keepaliveCount, ==, def->keepaliveCount);
    g_assert_cmpint(cfg->logLevel, ==, 3);
    g_assert_cmpstr(cfg->qemuRoot, ==, def->qemuRoot);
    g_assert_cmpint(cfg->listenTLS, ==, def->listenTLS);
    g_assert_cmpstr(cfg->tlsPort, ==, def->tlsPort);
    g_assert_cmpstr(cfg->listenAddr, ==, "192.168.0.1");   /* an example */
    g_assert_cmpstr(cfg->keyFile, ==, def->keyFile);
    g_assert_cmpstr(cfg->certFile, ==, def->certFile);
    g_assert_cmpstr(cfg->caFile, ==, def->caFile);
    g_assert_cmpstr(cfg->crlFile, ==, def->crlFile);
    g_assert_cmpint(cfg->tlsNoSanityCert, ==, def->tlsNoSanityCert);
    g_assert_cmpint(cfg->tlsNoVerifyCert, ==, def->tlsNoVerifyCert);
    g_assert_nonnull(cfg->tlsAllowedDNList);                /* an example */
    g_assert_cmpstr(cfg->tlsAllowedDNList[0], ==, "O=Example Org,CN=*.example.org");
    g_assert_cmpstr(cfg->tlsPriority, ==, def->tlsPriority);
    /* Nothing in it the daemon does not know. */
    g_assert_cmpuint(cfg->warnings->len, ==, 0);
    /* As shipped (all commented out): the defaults, no warning. */
    g_clear_pointer(&cfg, remoteDaemonConfigFree);
    cfg = load(text);
    g_assert_cmpuint(cfg->maxClients, ==, def->maxClients);
    g_assert_cmpuint(cfg->warnings->len, ==, 0);
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    g_test_add_func("/libvirtd/conf/defaults", testDefaults);
    g_test_add_func("/libvirtd/conf/all-keys", testAllKeys);
    g_test_add_func("/libvirtd/conf/group", testGroup);
    g_test_add_func("/libvirtd/conf/tls", testTLSKeys);
    g_test_add_func("/libvirtd/conf/refused", testRefused);
    g_test_add_func("/libvirtd/conf/unknown", testUnknown);
    g_test_add_func("/libvirtd/conf/file", testFile);
    g_test_add_func("/libvirtd/conf/sample", testSample);
    return g_test_run();
}
