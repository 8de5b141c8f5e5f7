#!/usr/bin/python3
# remotepythontest.py: Debian's libvirt-python against our daemon, as Nova
# pulls a disk: blockRebase(disk, None, 0, 0), then blockJobInfo polled
# every 0.5 s until the job is gone or cur == end, the BLOCK_JOB event
# heard through a callback of libvirt's default event loop (run in a
# thread). Run by tests/remotevirshtest.sh on a running domain:
#
#   remotepythontest.py URI DOMAIN DISK OVERLAY
#
# Exits 0 and prints "completed: ..." when the pull completed, the event
# said so and OVERLAY has no backing file left; otherwise exits 1 saying
# what went wrong.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import subprocess
import sys
import threading
import time

import libvirt

HANG = 240  # seconds: a hang catcher, not a timing


def fail(msg):
    print("error: " + msg)
    sys.exit(1)


def main():
    if len(sys.argv) != 5:
        fail("usage: remotepythontest.py URI DOMAIN DISK OVERLAY")
    uri, name, disk, overlay = sys.argv[1:]

    libvirt.virEventRegisterDefaultImpl()

    def loop():
        while True:
            libvirt.virEventRunDefaultImpl()

    threading.Thread(target=loop, daemon=True).start()

    conn = libvirt.open(uri)
    dom = conn.lookupByName(name)
    print("# %s on %s: %s" % (name, uri, conn.getType()))

    heard = []
    ended = threading.Event()

    def on_block_job(conn, dom, path, jobtype, status, opaque):
        heard.append((path, jobtype, status))
        if status in (libvirt.VIR_DOMAIN_BLOCK_JOB_COMPLETED,
                      libvirt.VIR_DOMAIN_BLOCK_JOB_FAILED,
                      libvirt.VIR_DOMAIN_BLOCK_JOB_CANCELED):
            ended.set()

    cb = conn.domainEventRegisterAny(dom, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                                     on_block_job, None)

    if dom.blockJobInfo(disk, 0):
        fail("a block job runs on %s before the rebase" % disk)
    # Nova's live snapshot and volume swap: pull the whole chain in.
    dom.blockRebase(disk, None, 0, 0)

    deadline = time.monotonic() + HANG
    polls = 0
    while True:
        info = dom.blockJobInfo(disk, 0)
        polls += 1
        if not info:
            break                   # the job is gone
        if info["end"] > 0 and info["cur"] == info["end"]:
            break                   # Nova's is_job_complete()
        if info["type"] != libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_PULL:
            fail("the job's type is %d, not a pull" % info["type"])
        if time.monotonic() > deadline:
            fail("the pull did not end within %d s: %r" % (HANG, info))
        time.sleep(0.5)
    print("# polled blockJobInfo %d time(s)" % polls)

    if not ended.wait(HANG):
        fail("no terminal BLOCK_JOB event within %d s (heard %r)" % (HANG, heard))
    path, jobtype, status = heard[-1]
    if status != libvirt.VIR_DOMAIN_BLOCK_JOB_COMPLETED:
        fail("the BLOCK_JOB event says status %d, not COMPLETED" % status)
    if jobtype != libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_PULL:
        fail("the BLOCK_JOB event says type %d, not a pull" % jobtype)
    if path != overlay:
        fail("the BLOCK_JOB event names %r, not %r" % (path, overlay))
    if len(heard) != 1:
        fail("%d BLOCK_JOB events, one expected: %r" % (len(heard), heard))

    # The job is gone by the time the event came.
    deadline = time.monotonic() + HANG
    while dom.blockJobInfo(disk, 0):
        if time.monotonic() > deadline:
            fail("the job is still listed after its COMPLETED event")
        time.sleep(0.1)

    out = subprocess.run(["qemu-img", "info", "-U", "--output=json", overlay],
                         check=True, capture_output=True, text=True).stdout
    if "backing-filename" in json.loads(out):
        fail("%s still has a backing file: %s" % (overlay, out))
    if "<backingStore type=" in dom.XMLDesc(0):
        fail("the live XML still shows a backing chain")

    conn.domainEventDeregisterAny(cb)
    conn.close()
    print("completed: block job event COMPLETED, overlay standalone")


main()
