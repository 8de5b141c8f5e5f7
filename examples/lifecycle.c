/*
 * lifecycle.c: the life of a VM through the public API only: make a qcow2
 * overlay on a backing image, define a domain on it in an embedded QEMU
 * driver, start it, print its live XML (with the backing chain), stop it,
 * and remove it.
 *
 * Build: cc lifecycle.c $(pkg-config --cflags --libs libvirt)
 * Run (as root): ./lifecycle [WORKDIR]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

static int
run(const char *cmd)
{
    printf("$ %s\n", cmd);
    fflush(stdout);
    return system(cmd) == 0 ? 0 : -1;
}

static int
fail(const char *what)
{
    fprintf(stderr, "lifecycle: %s: %s\n", what, virGetLastErrorMessage());
    return 1;
}

int
main(int argc, char **argv)
{
    char dir[] = "/tmp/lifecycle-XXXXXX";
    const char *work = argc > 1 ? argv[1] : mkdtemp(dir);
    char cmd[4096], uri[1024], xml[4096];
    virConnectPtr conn;
    virDomainPtr dom;
    char *live;
    int state, reason;

    if (!work)
        return 1;
    chmod(work, 0755);

    /* A raw base image and a qcow2 overlay that records its backing format. */
    snprintf(cmd, sizeof(cmd),
             "qemu-img create -q -f raw %s/base.raw 64M && "
             "qemu-img create -q -f qcow2 -b %s/base.raw -F raw %s/overlay.qcow2",
             work, work, work);
    if (run(cmd) < 0)
        return 1;

    snprintf(uri, sizeof(uri), "qemu:///embed?root=%s/root", work);
    if (!(conn = virConnectOpen(uri)))
        return fail("open");

    snprintf(xml, sizeof(xml),
             "<domain type='qemu'>\n"
             "  <name>example</name>\n"
             "  <memory unit='MiB'>64</memory>\n"
             "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
             "  <devices>\n"
             "    <disk type='file' device='disk'>\n"
             "      <driver name='qemu' type='qcow2'/>\n"
             "      <source file='%s/overlay.qcow2'/>\n"
             "      <target dev='vda' bus='virtio'/>\n"
             "    </disk>\n"
             "  </devices>\n"
             "</domain>\n", work);
    if (!(dom = virDomainDefineXML(conn, xml)))
        return fail("define");
    if (virDomainCreate(dom) < 0)
        return fail("start");
    if (virDomainGetState(dom, &state, &reason, 0) < 0)
        return fail("state");
    printf("domain '%s' is %s (id %u)\n", virDomainGetName(dom),
           state == VIR_DOMAIN_RUNNING ? "running" : "not running",
           virDomainGetID(dom));
    if (!(live = virDomainGetXMLDesc(dom, 0)))
        return fail("dumpxml");
    printf("%s", live);
    if (!strstr(live, "base.raw")) {
        fprintf(stderr, "lifecycle: the live XML does not show the backing image\n");
        return 1;
    }
    free(live);

    snprintf(cmd, sizeof(cmd), "ls -l %s/base.raw %s/overlay.qcow2", work, work);
    run(cmd);
    if (virDomainDestroy(dom) < 0)
        return fail("destroy");
    printf("domain stopped; image owners are back:\n");
    run(cmd);
    if (virDomainUndefine(dom) < 0)
        return fail("undefine");
    virDomainFree(dom);
    virConnectClose(conn);

    if (argc <= 1) {
        snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
        run(cmd);
    }
    return 0;
}
