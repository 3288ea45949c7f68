#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# worm-bucket.sh - create a WORM bucket on Holdfast: Object Lock enabled (which also
# pins versioning to Enabled) and, optionally, a default retention that the server
# stamps on every object version written to it.
#
#   worm-bucket.sh BUCKET COMPLIANCE 30   # every new version locked 30 days, for nobody
#   worm-bucket.sh BUCKET GOVERNANCE 7    # locked 7 days; the root user may bypass
#   worm-bucket.sh BUCKET                 # Object Lock but no default retention
#                                         # (Veeam: it sets retention per object itself)
#
# If BUCKET exists already with Object Lock, only its default retention is set (when
# MODE DAYS are given). An existing bucket without Object Lock is left alone and is an
# error: use a new bucket, so that everything in it has been written under the lock.
#
# Needs the AWS CLI (`aws`). Environment:
#   HOLDFAST_ENDPOINT      default http://127.0.0.1:9000
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or AWS_PROFILE): Holdfast keys
#   AWS_DEFAULT_REGION     default us-east-1 (must match Holdfast's "region")
set -eu

prog=$(basename "$0")
ENDPOINT=${HOLDFAST_ENDPOINT:-http://127.0.0.1:9000}
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}
MAX_DAYS=36500

usage() {
    echo "usage: $prog BUCKET [COMPLIANCE|GOVERNANCE DAYS]" >&2
    echo "  e.g. $prog backups COMPLIANCE 30" >&2
    exit 2
}

die() {
    echo "$prog: error: $*" >&2
    exit 1
}

# ---- arguments ------------------------------------------------------------------------
[ $# -eq 1 ] || [ $# -eq 3 ] || usage
bucket=$1
mode=
days=

# S3 bucket naming rules: 3-63 characters of a-z 0-9 . -, starting and ending with a
# letter or digit, no "..", not shaped like an IP address
if ! printf '%s\n' "$bucket" | grep -Eq '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' ||
   printf '%s\n' "$bucket" | grep -Eq '\.\.|^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$'; then
    die "invalid bucket name '$bucket' (3-63 characters: a-z 0-9 . -)"
fi

if [ $# -eq 3 ]; then
    mode=$(printf '%s' "$2" | tr '[:lower:]' '[:upper:]')
    case $mode in
        COMPLIANCE|GOVERNANCE) ;;
        *) die "invalid mode '$2' (COMPLIANCE or GOVERNANCE)" ;;
    esac
    days=$3
    case $days in
        ''|*[!0-9]*|0*) die "invalid days '$3' (a whole number from 1 to $MAX_DAYS)" ;;
    esac
    if [ "${#days}" -gt 5 ] || [ "$days" -gt "$MAX_DAYS" ]; then
        die "invalid days '$3' (a whole number from 1 to $MAX_DAYS)"
    fi
fi

command -v aws >/dev/null 2>&1 || die "the AWS CLI ('aws') is not installed"

export AWS_PAGER=""
s3api() {
    aws --endpoint-url "$ENDPOINT" --region "$REGION" --output json s3api "$@"
}

# ---- the bucket -----------------------------------------------------------------------
existed=no
if s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
    if ! s3api get-object-lock-configuration --bucket "$bucket" >/dev/null 2>&1; then
        die "bucket '$bucket' exists without Object Lock; this script does not" \
            "convert existing buckets: choose a new bucket name"
    fi
    echo "bucket '$bucket' exists with Object Lock enabled ($ENDPOINT)"
    existed=yes
else
    if [ "$REGION" = us-east-1 ]; then
        s3api create-bucket --bucket "$bucket" --object-lock-enabled-for-bucket >/dev/null ||
            die "could not create bucket '$bucket' at $ENDPOINT (see the error above)"
    else
        s3api create-bucket --bucket "$bucket" --object-lock-enabled-for-bucket \
            --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null ||
            die "could not create bucket '$bucket' at $ENDPOINT (see the error above)"
    fi
    echo "created bucket '$bucket' with Object Lock and versioning enabled ($ENDPOINT)"
fi

# ---- the default retention ------------------------------------------------------------
if [ -n "$mode" ]; then
    rule="{\"DefaultRetention\":{\"Mode\":\"$mode\",\"Days\":$days}}"
    config="{\"ObjectLockEnabled\":\"Enabled\",\"Rule\":$rule}"
    s3api put-object-lock-configuration --bucket "$bucket" \
        --object-lock-configuration "$config" >/dev/null ||
        die "could not set the default retention of '$bucket' (see the error above)"
    echo "default retention of '$bucket': $mode for $days day(s) from each new version's creation"
elif [ "$existed" = yes ]; then
    echo "default retention of '$bucket' left as it is (no MODE DAYS given)"
else
    echo "no default retention: the backup software must lock each object itself"
fi

echo "object lock configuration of '$bucket':"
s3api get-object-lock-configuration --bucket "$bucket" ||
    die "could not read back the Object Lock configuration of '$bucket'"
