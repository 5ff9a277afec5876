#!/usr/bin/env bash
# Usage: scripts/debootstrap-root.sh SUITE    (bookworm = Debian 12, bullseye = Debian 11)
#
# Prints the path of a minimal Debian root (`debootstrap --variant=minbase`) with what the
# release tests use inside it: iproute2 (ss, nstat, ip), man-db (man) and bash-completion. No
# Node.js: the single executable and the .deb are tested there. Run as root.
#
# The root is made once and kept outside the clone, under $SYNQ_CI_CACHE (default
# /var/cache/synq-ci), in a directory named after the suite and a hash of everything that
# shapes it (this script, the mirror, the package list): a later run prints the same path at
# once, and a changed recipe makes a new root. Tests never write into it: they mount an
# overlay on top (scripts/root-overlay.sh). The downloaded .debs are kept too
# (debootstrap --cache-dir), so a new recipe downloads only what changed.
set -euo pipefail

suite=${1:?usage: debootstrap-root.sh SUITE (bookworm, bullseye)}
cache=${SYNQ_CI_CACHE:-/var/cache/synq-ci}
mirror=${SYNQ_DEBIAN_MIRROR:-http://deb.debian.org/debian}
include=iproute2,man-db,bash-completion

if [[ $(id -u) != 0 ]]; then
  echo "debootstrap-root: run as root (debootstrap and chroot need it)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  echo "debootstrap-root: debootstrap is not installed; apt-get install debootstrap" >&2
  exit 1
fi

key=$( { cat "$0"; echo "$suite $mirror $include"; } | sha256sum | cut -c1-12)
root=$cache/roots/$suite-$key
mkdir -p "$cache/roots" "$cache/debs/$suite"

# One builder per suite at a time; a second caller waits, then finds the root made.
exec 9>"$cache/roots/$suite.lock"
flock 9
if [[ -e $root/.synq-root-complete ]]; then
  echo "$root"
  exit 0
fi

partial=$root.partial
rm -rf "$partial"
log=$cache/roots/$suite-$key.log
echo "debootstrap-root: making a $suite minbase root in $root (log: $log)" >&2
# Roots of earlier recipes of this suite are removed: nothing uses them any more.
find "$cache/roots" -maxdepth 1 -name "$suite-*" ! -name "$suite-$key*" -exec rm -rf {} + || true
if ! debootstrap --variant=minbase --include="$include" --cache-dir="$cache/debs/$suite" \
  "$suite" "$partial" "$mirror" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "debootstrap-root: debootstrap $suite failed; the whole log is $log" >&2
  exit 1
fi

# The package lists, so that `apt-get install ./synq_….deb` inside the root can resolve
# dependencies from Debian as on any installed system (tests run offline, in their own netns).
cp /etc/resolv.conf "$partial/etc/resolv.conf"
if ! chroot "$partial" apt-get update -qq >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "debootstrap-root: apt-get update in the $suite root failed; see $log" >&2
  exit 1
fi
chroot "$partial" apt-get clean
# Mount points the tests use; tracefs and bpffs live under /sys.
mkdir -p "$partial/proc" "$partial/sys" "$partial/run/netns"

touch "$partial/.synq-root-complete"
mv "$partial" "$root"
echo "$root"
