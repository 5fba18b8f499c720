#!/usr/bin/env bash
# A full disk on a real filesystem: mounts a 256 MiB tmpfs in a private mount
# namespace (as root, or through an unprivileged user namespace) and runs
# small_fs_child there. Skips, saying why, where the machine allows
# neither. Run by ctest as small_fs_test.
#
#   tests/small_fs_test.sh path/to/small_fs_child
set -u
CHILD=${1:?usage: small_fs_test.sh path/to/small_fs_child}
mnt=$(mktemp -d)
trap 'rm -rf "$mnt"' EXIT

run_in_namespace() {  # UNSHARE_FLAGS...
  unshare "$@" bash -c '
    mount -t tmpfs -o size=256m brook-small-fs "$1" || exit 77
    "$2" "$1"
    status=$?
    umount "$1"
    exit $status' _ "$mnt" "$CHILD"
}

if ! command -v unshare >/dev/null; then
  echo "skipped: unshare (util-linux) is not installed"
  exit 77
fi
if [[ $(id -u) -eq 0 ]]; then
  run_in_namespace --mount
else
  run_in_namespace --mount --map-root-user
fi
status=$?
if [[ $status -eq 77 ]]; then
  echo "skipped: this machine allows no tmpfs mount in a private namespace"
fi
exit $status
