#!/bin/sh
# The kernel's module-autoload helper inside the VM: run the chroot's own kmod modprobe,
# which reads this kernel's modules and modules.dep bound in from the host.
exec chroot /newroot /sbin/modprobe "$@"
