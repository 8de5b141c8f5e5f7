/* qemuconftest.c: reading qemu.conf: values, defaults, the sample file and syntax errors. */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutils.h"
#include "testutilsvirt.h"
#include "qemu/qemu_conf.h"
#include "util/virerror.h"

static char *testTmpDir;
static char *testLogFile;

/* Write @content to a fresh file in the temp dir; returns its path. */
static char *
testWriteConf(const char *content)
{
    static unsigned int counter;
    g_autofree char *name = g_strdup_printf("qemu-%u.conf", ++counter);
    char *path = g_build_filename(testTmpDir, name, NULL);

    g_assert_true(g_file_set_contents(path, content, -1, NULL));
    return path;
}

static void
testAssertDefaults(const qemuDriverConfig *cfg)
{
    g_assert_cmpstr(cfg->user, ==, "nobody");
    g_assert_cmpstr(cfg->group, ==, "nogroup");
    g_assert_cmpstr(cfg->securityDriver, ==, "dac");
    g_assert_cmpuint(cfg->blockPullMaxBandwidth, ==, 0);
    g_assert_cmpstr(cfg->emulator, ==, QEMU_SYSTEM_PATH);
    g_assert_cmpint(cfg->monitorTimeout, ==, 30000);
    g_assert_cmpint(cfg->jobWaitTimeout, ==, 30000);
}

static void
testDefaults(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();

    testAssertDefaults(cfg);
    g_assert_null(cfg->configFile);
}

static void
testMissingFile(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = g_build_filename(testTmpDir, "no-such.conf", NULL);

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, 0);
    g_assert_false(virErrorIsSet());
    testAssertDefaults(cfg);
    g_assert_null(cfg->configFile);
}

static void
testEmptyFile(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = testWriteConf("# nothing but a comment\n\n   \n");

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, 0);
    testAssertDefaults(cfg);
    g_assert_cmpstr(cfg->configFile, ==, path);
}

static void
testAllKeys(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = testWriteConf(
        "# all our settings\n"
        "user = \"qemu\"\n"
        "  group='kvm'   # trailing comment\n"
        "\n"
        "security_driver = \"none\";\n"
        "block_pull_max_bandwidth = 1048576\r\n"
        "emulator = \"/opt/qemu/bin/qemu-system-x86_64\"\n"
        "monitor_timeout = +5000\n"
        "job_wait_timeout = 250\n");

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, 0);
    g_assert_cmpstr(cfg->user, ==, "qemu");
    g_assert_cmpstr(cfg->group, ==, "kvm");
    g_assert_cmpstr(cfg->securityDriver, ==, "none");
    g_assert_cmpuint(cfg->blockPullMaxBandwidth, ==, 1048576);
    g_assert_cmpstr(cfg->emulator, ==, "/opt/qemu/bin/qemu-system-x86_64");
    g_assert_cmpint(cfg->monitorTimeout, ==, 5000);
    g_assert_cmpint(cfg->jobWaitTimeout, ==, 250);
    g_assert_cmpstr(cfg->configFile, ==, path);
}

/* A text already read (what the fuzzer feeds): the same settings, the
 * name given in the errors, no NUL needed at the end. */
static void
testLoadString(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    const char text[] = "user = \"qemu\"\nmonitor_timeout = 5000\njob_wait_timeout = 1XYZ";

    /* Only the first two lines: the third's start is cut off by @len. */
    g_assert_cmpint(qemuDriverConfigLoadString(cfg, text,
                                               strchr(text, 'j') - text,
                                               "given.conf"), ==, 0);
    g_assert_cmpstr(cfg->user, ==, "qemu");
    g_assert_cmpint(cfg->monitorTimeout, ==, 5000);
    g_assert_cmpstr(cfg->configFile, ==, "given.conf");

    g_assert_cmpint(qemuDriverConfigLoadString(cfg, text, strlen(text),
                                               "bad.conf"), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_CONF_SYNTAX, "bad.conf", "line 3", NULL);
    g_assert_cmpstr(cfg->configFile, ==, "given.conf");
    g_assert_cmpint(cfg->jobWaitTimeout, ==, 30000);
    virResetLastError();
}

static void
testNumericIds(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = testWriteConf("user = \"+4294967294\"\ngroup = \"+0\"\n");

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, 0);
    g_assert_cmpstr(cfg->user, ==, "+4294967294");
    g_assert_cmpstr(cfg->group, ==, "+0");
}

static void
testLastWins(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = testWriteConf("user = \"a\"\nuser = \"b\"\n");

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, 0);
    g_assert_cmpstr(cfg->user, ==, "b");
}

static void
testSecurityDriverList(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = testWriteConf(
        "security_driver = [\n"
        "    # the only one\n"
        "    \"none\",\n"
        "]\n"
        "user = \"after-the-list\"\n");

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, 0);
    g_assert_cmpstr(cfg->securityDriver, ==, "none");
    g_assert_cmpstr(cfg->user, ==, "after-the-list");
}

static void
testBandwidthLimits(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *max = testWriteConf("block_pull_max_bandwidth = 18446744073709551615\n");
    g_autofree char *zero = testWriteConf("block_pull_max_bandwidth = -0\n");

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, max), ==, 0);
    g_assert_cmpuint(cfg->blockPullMaxBandwidth, ==, G_MAXUINT64);
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, zero), ==, 0);
    g_assert_cmpuint(cfg->blockPullMaxBandwidth, ==, 0);
}

/* Every key of the sample, uncommented, gives the defaults again. */
static void
testSampleFile(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *sample = virTestSrcPath("docs", "qemu.conf", NULL);
    g_autofree char *content = NULL;
    g_autofree char *copy = NULL;
    g_autofree char *uncommentedPath = NULL;
    g_auto(GStrv) lines = NULL;
    GString *uncommented = g_string_new(NULL);
    const char *keys[] = { "user", "group", "security_driver",
                           "block_pull_max_bandwidth", "emulator",
                           "monitor_timeout", "job_wait_timeout" };
    size_t seen = 0;
    size_t i;

    /* A copy: the checkout may belong to another user than the tests
     * (root running them in a user's tree), which qemu.conf must not. */
    g_assert_true(g_file_get_contents(sample, &content, NULL, NULL));
    copy = testWriteConf(content);
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, copy), ==, 0);
    testAssertDefaults(cfg);
    g_assert_cmpstr(cfg->configFile, ==, copy);

    lines = g_strsplit(content, "\n", -1);
    for (i = 0; lines[i]; i++) {
        const char *line = lines[i];
        size_t k;

        /* "#key = value" lines are settings; "# text" lines are prose. */
        if (line[0] == '#' && g_ascii_isalpha(line[1])) {
            line++;
            for (k = 0; k < G_N_ELEMENTS(keys); k++) {
                if (g_str_has_prefix(line, keys[k]) &&
                    (line[strlen(keys[k])] == ' ' || line[strlen(keys[k])] == '='))
                    seen |= 1u << k;
            }
        }
        g_string_append_printf(uncommented, "%s\n", line);
    }
    g_assert_cmpuint(seen, ==, (1u << G_N_ELEMENTS(keys)) - 1);

    uncommentedPath = testWriteConf(uncommented->str);
    g_string_free(uncommented, TRUE);
    g_clear_pointer(&cfg, qemuDriverConfigFree);
    cfg = qemuDriverConfigNew();
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, uncommentedPath), ==, 0);
    /* The sample shows the usual emulator path; configure may find another. */
    g_assert_cmpstr(cfg->emulator, ==, "/usr/bin/qemu-system-x86_64");
    g_free(cfg->emulator);
    cfg->emulator = g_strdup(QEMU_SYSTEM_PATH);
    testAssertDefaults(cfg);
}

static void
testUnknownKey(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = testWriteConf(
        "vnc_listen = \"0.0.0.0\"\n"
        "cgroup_controllers = [ \"cpu\", \"memory\" ]\n"
        "max_files = 1024\n"
        "user = \"qemu\"\n");
    g_autofree char *log = NULL;

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, 0);
    g_assert_cmpstr(cfg->user, ==, "qemu");

    /* Warned about, not silently dropped. */
    g_assert_true(g_file_get_contents(testLogFile, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "unknown setting 'vnc_listen'"));
    g_assert_nonnull(strstr(log, "unknown setting 'cgroup_controllers'"));
    g_assert_nonnull(strstr(log, "at line 3"));
}

static void
testExpectError(const char *content, int code, const char *substring)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = testWriteConf(content);

    virResetLastError();
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, -1);
    virTestAssertErrorFull(-1, code, path, substring, NULL);
    /* A bad file changes nothing. */
    testAssertDefaults(cfg);
    g_assert_null(cfg->configFile);
    virResetLastError();
}

static void
testSyntaxErrors(void)
{
    testExpectError("user = \"qemu\"\n\ngroup \"kvm\"\n",
                    VIR_ERR_CONF_SYNTAX, "line 3: expected '=' after 'group'");
    testExpectError("# x\nuser = \"qemu\n",
                    VIR_ERR_CONF_SYNTAX, "line 2: unterminated string");
    testExpectError("user = \"qemu\" extra\n",
                    VIR_ERR_CONF_SYNTAX, "line 1: unexpected 'e'");
    testExpectError("user =\n",
                    VIR_ERR_CONF_SYNTAX, "line 1: expected a value");
    testExpectError("user = qemu\n",
                    VIR_ERR_CONF_SYNTAX, "line 1: expected a value");
    testExpectError("monitor_timeout = 12abc\n",
                    VIR_ERR_CONF_SYNTAX, "line 1: integers must be whole");
    testExpectError("monitor_timeout = -\n",
                    VIR_ERR_CONF_SYNTAX, "line 1: expected a digit");
    testExpectError("block_pull_max_bandwidth = 18446744073709551616\n",
                    VIR_ERR_CONF_SYNTAX, "line 1: integer '18446744073709551616' is too large");
    testExpectError("security_driver = [ [ \"dac\" ] ]\n",
                    VIR_ERR_CONF_SYNTAX, "line 1: lists cannot be nested");
    testExpectError("security_driver = [\n  \"dac\"\n  \"none\"\n]\n",
                    VIR_ERR_CONF_SYNTAX, "line 3: expected ',' or ']'");
    testExpectError("security_driver = [\n  \"dac\",\n",
                    VIR_ERR_CONF_SYNTAX, "line 3: list is not closed");
    /* Line numbers keep counting after a multi-line list. */
    testExpectError("security_driver = [\n\"dac\",\n# c\n]\nuser = = 1\n",
                    VIR_ERR_CONF_SYNTAX, "line 5: expected a value");
    testExpectError("9lives = 1\n",
                    VIR_ERR_CONF_SYNTAX, "line 1: expected a setting name");
    testExpectError("user = \"a\"\n\n\ngroup = \"b\0\"\n",
                    VIR_ERR_CONF_SYNTAX, "line 4: unterminated string");
}

static void
testNulByte(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *path = g_build_filename(testTmpDir, "nul.conf", NULL);

    g_assert_true(g_file_set_contents(path, "user = \"a\"\ngroup = \"b\0\"\n", 23, NULL));
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_CONF_SYNTAX,
                           "line 2: the file contains a NUL byte", NULL);
    testAssertDefaults(cfg);
    virResetLastError();
}

static void
testValueErrors(void)
{
    testExpectError("user = [ \"qemu\" ]\n",
                    VIR_ERR_CONF_SYNTAX, "'user' in configuration file");
    testExpectError("group = 5\n",
                    VIR_ERR_CONF_SYNTAX, "must be a string, not an integer");
    testExpectError("user = \"\"\n",
                    VIR_ERR_CONF_SYNTAX, "must not be empty");
    /* (uid_t) -1 would leave QEMU running as root. */
    testExpectError("user = \"+4294967295\"\n",
                    VIR_ERR_CONF_SYNTAX,
                    "setting 'user' in configuration file");
    testExpectError("\nuser = \"+4294967295\"\n",
                    VIR_ERR_CONF_SYNTAX,
                    "at line 2 has the value '+4294967295', but a numeric id must be "
                    "'+' followed by a number from 0 to 4294967294");
    testExpectError("group = \"+4294967295\"\n",
                    VIR_ERR_CONF_SYNTAX,
                    "setting 'group' in configuration file");
    testExpectError("group = \"+4294967295\"\n",
                    VIR_ERR_CONF_SYNTAX,
                    "has the value '+4294967295', but a numeric id must be");
    testExpectError("user = \"+18446744073709551616\"\n",
                    VIR_ERR_CONF_SYNTAX, "value '+18446744073709551616'");
    testExpectError("user = \"+\"\n",
                    VIR_ERR_CONF_SYNTAX, "value '+', but a numeric id");
    testExpectError("group = \"+-1\"\n",
                    VIR_ERR_CONF_SYNTAX, "value '+-1', but a numeric id");
    testExpectError("user = \"+ 5\"\n",
                    VIR_ERR_CONF_SYNTAX, "value '+ 5', but a numeric id");
    testExpectError("group = \"+12x\"\n",
                    VIR_ERR_CONF_SYNTAX, "value '+12x', but a numeric id");
    testExpectError("user = \"a\"\n\nblock_pull_max_bandwidth = \"100\"\n",
                    VIR_ERR_CONF_SYNTAX, "at line 3 must be an integer, not a string");
    testExpectError("block_pull_max_bandwidth = -1\n",
                    VIR_ERR_CONF_SYNTAX, "must be between 0 and 18446744073709551615");
    testExpectError("monitor_timeout = 0\n",
                    VIR_ERR_CONF_SYNTAX, "must be between 1 and 2147483647");
    testExpectError("monitor_timeout = 2147483648\n",
                    VIR_ERR_CONF_SYNTAX, "must be between 1 and 2147483647");
    testExpectError("job_wait_timeout = 0\n",
                    VIR_ERR_CONF_SYNTAX, "must be between 1 and 2147483647");
    testExpectError("job_wait_timeout = \"30s\"\n",
                    VIR_ERR_CONF_SYNTAX, "must be an integer, not a string");
    testExpectError("emulator = \"qemu-system-x86_64\"\n",
                    VIR_ERR_CONF_SYNTAX, "must be an absolute path");
    testExpectError("security_driver = \"selinux\"\n",
                    VIR_ERR_CONFIG_UNSUPPORTED, "security driver 'selinux'");
    testExpectError("security_driver = [ \"dac\", \"none\" ]\n",
                    VIR_ERR_CONFIG_UNSUPPORTED, "lists 2 security drivers");
    testExpectError("security_driver = [ ]\n",
                    VIR_ERR_CONFIG_UNSUPPORTED, "lists 0 security drivers");
    testExpectError("security_driver = [ 1 ]\n",
                    VIR_ERR_CONF_SYNTAX, "must be a string, not an integer");
}

static void
testFailureKeepsConfig(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *good = testWriteConf("user = \"qemu\"\nmonitor_timeout = 100\n");
    g_autofree char *bad = testWriteConf("user = \"other\"\nmonitor_timeout = \"x\"\n");

    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, good), ==, 0);
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, bad), ==, -1);
    g_assert_cmpstr(cfg->user, ==, "qemu");
    g_assert_cmpint(cfg->monitorTimeout, ==, 100);
    g_assert_cmpstr(cfg->configFile, ==, good);
    virResetLastError();
}

static void
testUnreadable(void)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();

    /* A directory: not read as a file. */
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, testTmpDir), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_OPERATION_DENIED, testTmpDir,
                           "is not a regular file", NULL);
    testAssertDefaults(cfg);
    virResetLastError();
}

/* Load @path, expecting VIR_ERR_OPERATION_DENIED with @needle, and the
 * settings in it (emulator = "/evil") not applied. */
static void
testExpectDenied(const char *path, const char *needle)
{
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
    g_autofree char *what = g_strdup_printf("configuration file '%s' ", path);

    virResetLastError();
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_OPERATION_DENIED, what, needle, NULL);
    testAssertDefaults(cfg);
    g_assert_null(cfg->configFile);
    virResetLastError();
}

/* Whoever can write qemu.conf chooses the program the driver runs and its
 * user: a file its group or others can write is refused. (A file owned
 * by another user is tested as root, in qemuembedtest.) */
static void
testUntrustedMode(void)
{
    static const struct {
        mode_t mode;
        const char *needle;
    } modes[] = {
        { 0664, "is writable by its group (mode 0664), who could change what "
                "the driver trusts: fix it with chmod go-w '" },
        { 0646, "is writable by others (mode 0646)" },
        { 0666, "is writable by its group and others (mode 0666)" },
        { 0620, "is writable by its group (mode 0620)" },
        { 01666, "is writable by its group and others (mode 1666)" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(modes); i++) {
        g_autofree char *path = testWriteConf("emulator = \"/evil\"\n");

        g_assert_cmpint(chmod(path, modes[i].mode), ==, 0);
        testExpectDenied(path, modes[i].needle);
    }
    /* Readable by all is fine: only writing matters. */
    {
        g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();
        g_autofree char *path = testWriteConf("emulator = \"/good\"\n");

        g_assert_cmpint(chmod(path, 0644), ==, 0);
        g_assert_cmpint(qemuDriverConfigLoadFile(cfg, path), ==, 0);
        g_assert_cmpstr(cfg->emulator, ==, "/good");
    }
}

/* Not through a symbolic link (even to a good file), not a FIFO (which
 * must not hang the driver), not a huge file. */
static void
testUntrustedKind(void)
{
    g_autofree char *good = testWriteConf("emulator = \"/evil\"\n");
    g_autofree char *link = g_build_filename(testTmpDir, "link.conf", NULL);
    g_autofree char *fifo = g_build_filename(testTmpDir, "fifo.conf", NULL);
    g_autofree char *big = g_build_filename(testTmpDir, "big.conf", NULL);
    g_autofree char *content = g_strnfill(1024 * 1024 + 1, '#');
    g_autoptr(qemuDriverConfig) cfg = qemuDriverConfigNew();

    g_assert_cmpint(chmod(good, 0600), ==, 0);
    g_assert_cmpint(symlink(good, link), ==, 0);
    testExpectDenied(link, "is a symbolic link, which is not trusted there");

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    testExpectDenied(fifo, "is not a regular file");

    g_assert_true(g_file_set_contents(big, content, -1, NULL));
    g_assert_cmpint(qemuDriverConfigLoadFile(cfg, big), ==, -1);
    virTestAssertErrorFull(-1, VIR_ERR_READ_FAILED, "is too large", NULL);
    virResetLastError();
}

int
main(int argc, char **argv)
{
    int ret;

    /* Also sets umask 022: the files written here must not be
     * group-writable (see untrusted-mode). */
    virTestInit(&argc, &argv);
    testTmpDir = virTestMakeDir("qemuconftest-XXXXXX");
    /* Capture warnings (before anything logs: the log set-up is read once). */
    testLogFile = g_build_filename(testTmpDir, "log", NULL);
    g_setenv("LIBVIRT_DEBUG", "3", TRUE);
    g_setenv("LIBVIRT_LOG_FILE", testLogFile, TRUE);

    g_test_add_func("/qemuconf/defaults", testDefaults);
    g_test_add_func("/qemuconf/missing-file", testMissingFile);
    g_test_add_func("/qemuconf/empty-file", testEmptyFile);
    g_test_add_func("/qemuconf/all-keys", testAllKeys);
    g_test_add_func("/qemuconf/load-string", testLoadString);
    g_test_add_func("/qemuconf/numeric-ids", testNumericIds);
    g_test_add_func("/qemuconf/last-wins", testLastWins);
    g_test_add_func("/qemuconf/security-driver-list", testSecurityDriverList);
    g_test_add_func("/qemuconf/bandwidth-limits", testBandwidthLimits);
    g_test_add_func("/qemuconf/sample-file", testSampleFile);
    g_test_add_func("/qemuconf/unknown-key", testUnknownKey);
    g_test_add_func("/qemuconf/syntax-errors", testSyntaxErrors);
    g_test_add_func("/qemuconf/nul-byte", testNulByte);
    g_test_add_func("/qemuconf/value-errors", testValueErrors);
    g_test_add_func("/qemuconf/failure-keeps-config", testFailureKeepsConfig);
    g_test_add_func("/qemuconf/unreadable", testUnreadable);
    g_test_add_func("/qemuconf/untrusted-mode", testUntrustedMode);
    g_test_add_func("/qemuconf/untrusted-kind", testUntrustedKind);

    ret = g_test_run();
    virTestCleanupDir(testTmpDir);
    g_free(testTmpDir);
    g_free(testLogFile);
    return ret;
}
