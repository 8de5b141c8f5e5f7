/*
 * virconftest.c: libvirt's configuration file format (src/util/virconf.h):
 * what each kind of value reads as, the typed getters, and that every
 * malformed or hostile file is refused with its file, line and reason,
 * never a crash.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>
#include <sys/stat.h>
#include <glib.h>

#include "util/virconf.h"
#include "util/virerror.h"
#include "testutils.h"

static virConf *
parse(const char *text)
{
    return virConfReadString(text, strlen(text), "/etc/x.conf");
}

/* @text is refused with exactly @msg (after "/etc/x.conf:"). */
static void
assertRefusedLen(const char *text, size_t len, const char *msg)
{
    g_autoptr(virConf) conf = virConfReadString(text, len, "/etc/x.conf");
    virErrorPtr err;
    g_autofree char *want = g_strdup_printf("/etc/x.conf:%s", msg);

    if (conf)
        g_error("accepted: '%.*s'", (int) MIN(len, 200), text);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_CONF_SYNTAX);
    g_assert_cmpint(err->domain, ==, VIR_FROM_CONF);
    if (!strstr(err->message, want))
        g_error("for '%.*s': message '%s' lacks '%s'", (int) MIN(len, 200), text,
                err->message, want);
    virResetLastError();
}

#define assertRefused(text, msg) assertRefusedLen(text, strlen(text), msg)

static void
testValues(void)
{
    g_autoptr(virConf) conf = parse(
        "# a comment\n"
        "\n"
        "num = 42   # trailing comment\n"
        "neg = -7\n"
        "zero = 0700\n"
        "str = \"a string # not a comment\"\n"
        "sq = 'single \"quoted\"'\n"
        "empty = \"\"\n"
        "semi = 1;\n"
        "list = [ \"a\", 'b',\n"
        "         \"c\",   # comments inside\n"
        "       ]\n"
        "elist = []\n"
        "indented_key=5\n"
        "dup = 1\n"
        "dup = 2\n");
    virConfValue *v;
    g_autofree char *s = NULL;
    g_auto(GStrv) list = NULL;
    int i = 0;

    g_assert_nonnull(conf);
    v = virConfGetValue(conf, "num");
    g_assert_cmpint(v->type, ==, VIR_CONF_ULLONG);
    g_assert_cmpuint(v->ul, ==, 42);
    g_assert_cmpint(v->line, ==, 3);
    v = virConfGetValue(conf, "neg");
    g_assert_cmpint(v->type, ==, VIR_CONF_LLONG);
    g_assert_cmpint(v->l, ==, -7);
    /* Decimal as in libvirt: a mode is a string ("0700"), never a number. */
    v = virConfGetValue(conf, "zero");
    g_assert_cmpuint(v->ul, ==, 700);
    g_assert_cmpint(virConfGetValueString(conf, "str", &s), ==, 1);
    g_assert_cmpstr(s, ==, "a string # not a comment");
    g_assert_cmpint(virConfGetValueString(conf, "sq", &s), ==, 1);
    g_assert_cmpstr(s, ==, "single \"quoted\"");
    g_assert_cmpint(virConfGetValueString(conf, "empty", &s), ==, 1);
    g_assert_cmpstr(s, ==, "");
    g_assert_cmpint(virConfGetValueInt(conf, "semi", &i), ==, 1);
    g_assert_cmpint(i, ==, 1);
    g_assert_cmpint(virConfGetValueStringList(conf, "list", &list), ==, 1);
    g_assert_cmpuint(g_strv_length(list), ==, 3);
    g_assert_cmpstr(list[2], ==, "c");
    g_assert_cmpint(virConfGetValueStringList(conf, "elist", &list), ==, 1);
    g_assert_cmpuint(g_strv_length(list), ==, 0);
    g_assert_cmpint(virConfGetValueInt(conf, "indented_key", &i), ==, 1);
    g_assert_cmpint(i, ==, 5);
    /* The first setting counts, as in libvirt. */
    g_assert_cmpint(virConfGetValueInt(conf, "dup", &i), ==, 1);
    g_assert_cmpint(i, ==, 1);
    /* Unset: 0, value untouched. */
    i = 99;
    g_assert_cmpint(virConfGetValueInt(conf, "nope", &i), ==, 0);
    g_assert_cmpint(i, ==, 99);
    g_assert_null(virConfGetValue(conf, "nope"));
}

static int
countCb(const char *key, virConfValue *value, void *opaque)
{
    GString *keys = opaque;

    g_string_append_printf(keys, "%s:%d ", key, value->line);
    return 0;
}

static void
testWalk(void)
{
    g_autoptr(virConf) conf = parse("a = 1\n\nb = 'x'\nc = [1]\n");
    g_autoptr(GString) keys = g_string_new("");

    g_assert_nonnull(conf);
    g_assert_cmpint(virConfWalk(conf, countCb, keys), ==, 0);
    g_assert_cmpstr(keys->str, ==, "a:1 b:3 c:4 ");
}

static void
testGetters(void)
{
    g_autoptr(virConf) conf = parse(
        "s = \"x\"\n"
        "n = 5\n"
        "neg = -1\n"
        "big = 5000000000\n"
        "l = [ \"a\", 1 ]\n"
        "b = 1\n"
        "b2 = 2\n");
    virErrorPtr err;
    g_autofree char *s = NULL;
    g_auto(GStrv) list = NULL;
    unsigned int u = 0;
    size_t sz = 0;
    bool b = false;
    int i = 0;

    g_assert_nonnull(conf);
    g_assert_cmpint(virConfGetValueString(conf, "n", &s), ==, -1);
    err = virGetLastError();
    g_assert_cmpstr(err->message, ==, "/etc/x.conf:2: 'n' must be a string, not an integer");
    g_assert_null(s);
    g_assert_cmpint(virConfGetValueInt(conf, "s", &i), ==, -1);
    g_assert_cmpstr(virGetLastError()->message, ==,
                    "/etc/x.conf:1: 's' must be an integer, not a string");
    g_assert_cmpint(virConfGetValueUInt(conf, "neg", &u), ==, -1);
    g_assert_cmpstr(virGetLastError()->message, ==,
                    "/etc/x.conf:3: 'neg' must be at least 0, not -1");
    g_assert_cmpint(virConfGetValueInt(conf, "neg", &i), ==, 1);
    g_assert_cmpint(i, ==, -1);
    g_assert_cmpint(virConfGetValueUInt(conf, "big", &u), ==, -1);
    g_assert_nonnull(strstr(virGetLastError()->message, "/etc/x.conf:4: 'big' must be at most"));
    g_assert_cmpint(virConfGetValueSizeT(conf, "big", &sz), ==, 1);
    g_assert_cmpuint(sz, ==, 5000000000ULL);
    g_assert_cmpint(virConfGetValueStringList(conf, "l", &list), ==, -1);
    g_assert_cmpstr(virGetLastError()->message, ==,
                    "/etc/x.conf:5: 'l' must be a list of strings, its item 2 is an integer");
    g_assert_null(list);
    g_assert_cmpint(virConfGetValueStringList(conf, "s", &list), ==, 1);
    g_assert_cmpstr(list[0], ==, "x");
    g_assert_cmpint(virConfGetValueStringList(conf, "n", &list), ==, -1);
    g_assert_cmpint(virConfGetValueBool(conf, "b", &b), ==, 1);
    g_assert_true(b);
    g_assert_cmpint(virConfGetValueBool(conf, "b2", &b), ==, -1);
    g_assert_cmpstr(virGetLastError()->message, ==, "/etc/x.conf:7: 'b2' must be 0 or 1");
    virResetLastError();
}

static void
testErrors(void)
{
    assertRefused("a = 1\nb =\nc = 2\n", "2: expected a value after '='");
    assertRefused("a = 1\nb =", "2: expected a value after '='");
    assertRefused("b =\n 5\n", "1: expected a value after '='");
    assertRefused("a 1\n", "1: expected '=' after 'a'");
    assertRefused("a\n= 1\n", "1: expected '=' after 'a'");
    assertRefused("= 1\n", "1: expected a setting (name = value), found '='");
    assertRefused("\n\n\"a\" = 1\n", "3: expected a setting (name = value), found a string");
    assertRefused("a = yes\n", "1: expected a value, found 'yes' (strings need quotes)");
    assertRefused("a = 1 2\n",
                  "1: expected the end of the line after the value of 'a', found an integer");
    assertRefused("a = 1 b = 2\n",
                  "1: expected the end of the line after the value of 'a', found 'b'");
    assertRefused("a = \"x\" \"y\"\n",
                  "1: expected the end of the line after the value of 'a', found a string");
    assertRefused("a = 0x10\n", "1: malformed number");
    assertRefused("a = 12abc\n", "1: malformed number");
    assertRefused("a = 1.5\n", "1: expected the end of the line after the value of 'a', found '.'");
    assertRefused("a = -\n", "1: expected a number after '-'");
    assertRefused("a = -'x'\n", "1: expected a number after '-'");
    assertRefused("a = @\n", "1: expected a value after '=', found '@'");
    assertRefused("a = [ 'x' 'y' ]\n", "1: expected ',' or ']' in the list, found a string");
    assertRefused("a = [ , ]\n", "1: expected a value in the list, found ','");
    assertRefused("\xff = 1\n", "1: expected a setting (name = value), found the byte 0xff");
}

/* Truncations, huge numbers, nesting, NULs, long lines: all refused (or
 * read) cleanly. */
static void
testHostile(void)
{
    g_autofree char *longline = NULL;
    g_autofree char *longkey = NULL;
    g_autofree char *deep = NULL;
    g_autofree char *manylines = NULL;
    g_autofree char *text = NULL;
    g_autoptr(virConf) conf = NULL;
    g_autofree char *s = NULL;
    GString *buf;

    /* Truncated strings. */
    assertRefused("a = \"abc", "1: unterminated string");
    assertRefused("a = 'abc", "1: unterminated string");
    assertRefused("x = 1\n\na = \"abc\nb = 2\n", "3: unterminated string");
    assertRefused("a = 'abc\nb = 'x'\n", "1: unterminated string");
    assertRefused("a = [ \"x\", \"y", "1: unterminated string");
    /* Truncated lists. */
    assertRefused("a = [", "1: unterminated list");
    assertRefused("a = [ 'x',\n 'y'\n", "1: unterminated list");
    assertRefused("a = [ 'x',\n\n", "1: unterminated list");
    /* Huge integers. */
    assertRefused("a = 99999999999999999999999999999\n", "1: integer out of range");
    assertRefused("a = -99999999999999999999999999999\n", "1: integer out of range");
    assertRefused("a = -9223372036854775809\n", "1: integer out of range");
    conf = parse("a = -9223372036854775808\nb = 18446744073709551614\n");
    g_assert_nonnull(conf);
    g_assert_cmpint(virConfGetValue(conf, "a")->l, ==, G_MININT64);
    g_assert_cmpuint(virConfGetValue(conf, "b")->ul, ==, G_MAXUINT64 - 1);
    g_clear_pointer(&conf, virConfFree);
    /* Nested lists, deeply too. */
    assertRefused("a = [ [ 'x' ] ]\n", "1: a list cannot hold a list");
    deep = g_strnfill(100000, '[');
    text = g_strdup_printf("a = %s", deep);
    assertRefused(text, "1: a list cannot hold a list");
    g_clear_pointer(&text, g_free);
    /* NUL bytes. */
    assertRefusedLen("a = 1\nb = \"x\0y\"\n", 16, "2: a NUL byte");
    assertRefusedLen("\0", 1, "1: a NUL byte");
    /* A very long line: a 1 MiB string is read whole. */
    longline = g_strnfill(1024 * 1024, 'x');
    buf = g_string_new("s = \"");
    g_string_append(buf, longline);
    g_string_append(buf, "\"\n");
    conf = virConfReadString(buf->str, buf->len, "/etc/x.conf");
    g_string_free(buf, TRUE);
    g_assert_nonnull(conf);
    g_assert_cmpint(virConfGetValueString(conf, "s", &s), ==, 1);
    g_assert_cmpuint(strlen(s), ==, 1024 * 1024);
    g_clear_pointer(&conf, virConfFree);
    /* A very long key, then an error: the message stays short. */
    longkey = g_strnfill(200000, 'k');
    text = g_strdup_printf("a = %s\n", longkey);
    assertRefused(text, "1: expected a value, found 'kkkkkkkkkk");
    g_clear_pointer(&text, g_free);
    /* Many lines: line numbers still right. */
    manylines = g_strnfill(50000, '\n');
    buf = g_string_new(manylines);
    g_string_append(buf, "a = ]\n");
    assertRefused(buf->str, "50001: expected a value after '=', found ']'");
    g_string_free(buf, TRUE);
    /* Bigger than any configuration file. */
    buf = g_string_sized_new(VIR_CONF_MAX_SIZE + 2);
    g_string_append(buf, "# ");
    while (buf->len <= VIR_CONF_MAX_SIZE)
        g_string_append(buf, longline);
    assertRefused(buf->str, "");
    g_string_free(buf, TRUE);
    /* Control characters and stray bytes. */
    assertRefused("a = \x01\n", "1: expected a value after '=', found the byte 0x01");
    assertRefused("a = 1\x7f\n", "1: expected the end of the line");
    /* Every prefix of a valid file is either read or refused cleanly. */
    {
        const char *full = "a = [ \"x\", 'y' ]\nb = -12 # c\nc = \"s\";\n";
        for (size_t n = 0; n <= strlen(full); n++) {
            g_autoptr(virConf) c = virConfReadString(full, n, "/etc/x.conf");
            if (!c) {
                g_assert_cmpint(virGetLastError()->code, ==, VIR_ERR_CONF_SYNTAX);
                g_assert_true(g_str_has_prefix(virGetLastError()->message, "/etc/x.conf:"));
                virResetLastError();
            }
        }
    }
}

/* Random files made of the format's own characters (a fixed seed: the
 * same files every run): each is read or refused with a file:line
 * message, nothing else. */
static void
testFuzz(void)
{
    static const char alphabet[] = "ab_09-=[],;#'\"\\ \t\n\r\x01\xff";
    g_autoptr(GRand) rand = g_rand_new_with_seed(20261201);

    for (int i = 0; i < 5000; i++) {
        size_t len = g_rand_int_range(rand, 0, 200);
        g_autofree char *text = g_new0(char, len + 1);
        g_autoptr(virConf) conf = NULL;

        for (size_t j = 0; j < len; j++)
            text[j] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
        if (!(conf = virConfReadString(text, len, "/etc/x.conf"))) {
            virErrorPtr err = virGetLastError();
            g_assert_nonnull(err);
            g_assert_cmpint(err->code, ==, VIR_ERR_CONF_SYNTAX);
            if (!g_str_has_prefix(err->message, "/etc/x.conf:") ||
                strchr(err->message, '\n'))
                g_error("for '%s': message '%s'", g_strescape(text, NULL), err->message);
            virResetLastError();
        }
    }
}

static void
testFile(void)
{
    g_autofree char *dir = virTestMakeDir("virconftest-XXXXXX");
    g_autofree char *path = g_build_filename(dir, "x.conf", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.conf", NULL);
    g_autofree char *fifo = g_build_filename(dir, "fifo.conf", NULL);
    g_autofree char *want = NULL;
    g_autoptr(virConf) conf = NULL;

    g_assert_true(g_file_set_contents(path, "a = 1\nb = [\n", -1, NULL));
    g_assert_null(virConfReadFile(path));
    want = g_strdup_printf("%s:2: unterminated list", path);
    g_assert_nonnull(strstr(virGetLastError()->message, want));
    g_assert_true(g_file_set_contents(path, "a = 1\n", -1, NULL));
    conf = virConfReadFile(path);
    g_assert_nonnull(conf);
    g_assert_cmpstr(virConfGetName(conf), ==, path);
    g_assert_null(virConfReadFile(missing));
    g_assert_nonnull(strstr(virGetLastError()->message, missing));
    /* Neither a directory, a device nor a FIFO nobody writes to (which
     * would block): regular files only. */
    g_assert_null(virConfReadFile(dir));
    g_assert_nonnull(strstr(virGetLastError()->message, "is not a regular file"));
    g_assert_null(virConfReadFile("/dev/zero"));
    g_assert_nonnull(strstr(virGetLastError()->message, "is not a regular file"));
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_assert_null(virConfReadFile(fifo));
    g_assert_nonnull(strstr(virGetLastError()->message, "is not a regular file"));
    virResetLastError();
    virTestCleanupDir(dir);
}

int
main(int argc, char **argv)
{
    virTestInit(&argc, &argv);
    g_test_add_func("/conf/values", testValues);
    g_test_add_func("/conf/walk", testWalk);
    g_test_add_func("/conf/getters", testGetters);
    g_test_add_func("/conf/errors", testErrors);
    g_test_add_func("/conf/hostile", testHostile);
    g_test_add_func("/conf/fuzz", testFuzz);
    g_test_add_func("/conf/file", testFile);
    return g_test_run();
}
