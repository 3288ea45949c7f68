# SPDX-License-Identifier: Apache-2.0
#
# restic environment for a repository in a Holdfast WORM bucket. Source it:
#     . ./env.sh && restic snapshots
# Replace YOUR_ACCESS_KEY / YOUR_SECRET_KEY with Holdfast keys, the endpoint with your
# gateway, and "backups" with your bucket (made by ../worm-bucket.sh; restic would
# otherwise create a bucket WITHOUT Object Lock). "restic" is the folder in the bucket.
# Keep this file private (chmod 600): it holds the keys.

# s3:ENDPOINT/BUCKET/FOLDER; use s3:https://... when Holdfast serves TLS
export RESTIC_REPOSITORY="s3:http://127.0.0.1:9000/backups/restic"

export AWS_ACCESS_KEY_ID="YOUR_ACCESS_KEY"
export AWS_SECRET_ACCESS_KEY="YOUR_SECRET_KEY"
# must match Holdfast's "region" (restic also accepts -o s3.region=...)
export AWS_DEFAULT_REGION="us-east-1"

# the repository password, one line in a file readable only by you; losing it loses the
# backups (create it e.g. with: umask 077; openssl rand -base64 32 > FILE)
export RESTIC_PASSWORD_FILE="$HOME/.config/holdfast/restic-password"
