/* viruuidtest.c: src/util/viruuid.c: UUIDs parsed, formatted and generated. */
#include <config.h>

#include <string.h>

#include <glib.h>

#include "util/viruuid.h"

static void
testUUID(void)
{
    static const unsigned char raw[VIR_UUID_BUFLEN] = {
        0xc7, 0xa5, 0xfd, 0xbd, 0xcd, 0xaf, 0x94, 0x55,
        0x92, 0x6a, 0xd6, 0x5c, 0x16, 0xdb, 0x18, 0x09,
    };
    static const char *bad[] = {
        "", "c7a5fdbd", "c7a5fdbd-cdaf-9455-926a-d65c16db180",
        "c7a5fdbd-cdaf-9455-926a-d65c16db18091",
        "c7a5fdbdcdaf-9455-926a-d65c16db1809-",
        "c7a5fdbd-cdaf-9455-926a-d65c16db180g",
        "c7a5fdbdcdaf9455926ad65c16db180", "c7a5fdbdcdaf9455926ad65c16db18099",
        " c7a5fdbdcdaf9455926ad65c16db1809",
    };
    unsigned char uuid[VIR_UUID_BUFLEN];
    unsigned char other[VIR_UUID_BUFLEN];
    char str[VIR_UUID_STRING_BUFLEN];
    size_t i;

    g_assert_cmpint(virUUIDParse("c7a5fdbd-cdaf-9455-926a-d65c16db1809", uuid), ==, 0);
    g_assert_cmpmem(uuid, VIR_UUID_BUFLEN, raw, VIR_UUID_BUFLEN);
    g_assert_cmpint(virUUIDParse("C7A5FDBDCDAF9455926AD65C16DB1809", uuid), ==, 0);
    g_assert_cmpmem(uuid, VIR_UUID_BUFLEN, raw, VIR_UUID_BUFLEN);
    virUUIDFormat(uuid, str);
    g_assert_cmpstr(str, ==, "c7a5fdbd-cdaf-9455-926a-d65c16db1809");

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("'%s' must not be a UUID", bad[i]);
        g_assert_cmpint(virUUIDParse(bad[i], uuid), ==, -1);
    }

    virUUIDGenerate(uuid);
    virUUIDGenerate(other);
    g_assert_true(memcmp(uuid, other, VIR_UUID_BUFLEN) != 0);
    g_assert_cmpint(uuid[6] >> 4, ==, 4);
    virUUIDFormat(uuid, str);
    g_assert_cmpint(virUUIDParse(str, other), ==, 0);
    g_assert_cmpmem(uuid, VIR_UUID_BUFLEN, other, VIR_UUID_BUFLEN);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/viruuid/parse-format", testUUID);

    return g_test_run();
}
