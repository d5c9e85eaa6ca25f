#!/bin/sh
# Installs the programs that commis-sandbox's escape suite uses as payloads (python3, strace,
# bash, util-linux's unshare/nsenter/mount/su, getent) and LibreOffice Writer for the
# "real conversion inside the sandbox" test, and bubblewrap so that the fallback backend is
# exercised too (when the tests run as a normal user). Idempotent and quiet.
# The sandbox itself needs no package: it uses the kernel's namespaces, Landlock and seccomp.
# In CI, set COMMIS_REQUIRE_SANDBOX=1 for `cargo test` so that an unusable sandbox fails the
# suite instead of only checking that commands are refused.
set -e
sudo=""
[ "$(id -u)" = "0" ] || sudo="sudo"
missing=""
for tool in /usr/bin/python3 /usr/bin/strace /usr/bin/bash /usr/bin/unshare /usr/bin/nsenter \
            /usr/bin/mount /usr/bin/su /usr/bin/getent /usr/sbin/chroot /usr/bin/mknod \
            /usr/bin/timeout /usr/bin/soffice /usr/bin/bwrap /usr/bin/prlimit; do
    [ -e "$tool" ] || missing="yes"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq >/dev/null
    $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
        python3 strace bash util-linux mount login libc-bin coreutils bubblewrap \
        libreoffice-writer >/dev/null
fi
# Ubuntu >= 23.10 forbids unprivileged user namespaces through AppArmor. On CI runners only
# (never on a developer's machine), lift that so the suite exercises the sandbox itself.
if [ "${CI:-}" = "true" ] &&
   [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null)" = "1" ]; then
    echo "test-deps-sandbox: CI: setting kernel.apparmor_restrict_unprivileged_userns=0" >&2
    $sudo sysctl -qw kernel.apparmor_restrict_unprivileged_userns=0
fi
