#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Debian 12 packages Holdfast needs, and a function that installs only what is missing.
# Sourced by run.sh, test.sh and the Containerfile so the lists live in one place.

HOLDFAST_BUILD_PKGS="gcc libc6-dev meson ninja-build pkg-config libmicrohttpd-dev
 libcurl4-openssl-dev libssl-dev libjansson-dev libxml2-dev librocksdb-dev"
HOLDFAST_TEST_PKGS="python3 curl clang libclang-rt-14-dev e2fsprogs openssl
 python3-boto3 awscli rclone restic s3cmd libfaketime"

# install_missing PKG...: apt-get only when a package is absent, so a warm machine pays
# nothing and a fresh one gets everything in one apt transaction.
install_missing() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "run as root (or install:$missing)" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
