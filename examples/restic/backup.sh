#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# backup.sh - back up PATH... with restic into a Holdfast WORM bucket: initialise the
# repository if there is none yet, run the backup, then `restic check`.
#
#   ./backup.sh /home /etc
#
# Settings come from env.sh next to this script (or the file named by
# HOLDFAST_RESTIC_ENV). Create the bucket first with ../worm-bucket.sh (e.g.
# `worm-bucket.sh backups COMPLIANCE 30`): every file restic writes is then locked for
# that long. restic's own deletions (lock files, `forget --prune`) still work: on a
# versioned bucket they only add delete markers, the locked versions stay until their
# retention ends.
set -eu

prog=$(basename "$0")
die() {
    echo "$prog: error: $*" >&2
    exit 1
}

[ $# -ge 1 ] || { echo "usage: $prog PATH..." >&2; exit 2; }
command -v restic >/dev/null 2>&1 || die "restic is not installed"

env_file=${HOLDFAST_RESTIC_ENV:-$(dirname "$0")/env.sh}
[ -r "$env_file" ] || die "cannot read $env_file"
# shellcheck source=env.sh
. "$env_file"
[ -r "$RESTIC_PASSWORD_FILE" ] || die "no password file $RESTIC_PASSWORD_FILE (see env.sh)"

# 1. initialise if needed: only when the repository's config object is missing; any
#    other failure (no bucket, wrong password, no connection) stops here
if ! err=$(restic cat config 2>&1 >/dev/null); then
    case $err in
        *"The specified key does not exist"*)
            echo "no repository at $RESTIC_REPOSITORY yet: initialising"
            restic init ;;
        *"The specified bucket does not exist"*)
            die "no bucket for $RESTIC_REPOSITORY: create it with worm-bucket.sh first" ;;
        *)
            echo "$err" >&2
            die "cannot open the repository at $RESTIC_REPOSITORY" ;;
    esac
fi

# 2. the backup
restic backup "$@"

# 3. verify the repository's structure (add --read-data-subset=5% to also read back
#    a sample of the stored data)
restic check
echo "$prog: backup of $* to $RESTIC_REPOSITORY done and checked"
