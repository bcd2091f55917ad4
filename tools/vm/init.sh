#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# PID 1 of the test VM (busybox sh): mounts the basics, runs chalkline-v4l2-probe, which loads
# vivid itself (to test a camera missing at start), then powers off. Results go to the serial console.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
export PATH=/bin:/sbin
echo "chalkline-vm: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime) s"
/bin/chalkline-v4l2-probe --modprobe "modprobe vivid n_devs=1 node_types=0x101"
echo "chalkline-vm: probe exited $?, uptime $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
