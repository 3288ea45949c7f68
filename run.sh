#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Quick start, command 1: install what is missing, build a release build and run
# `holdfast serve` on its embedded default (127.0.0.1:9000, ./holdfast-data).
# Extra arguments go to `holdfast serve` (e.g. --listen 0.0.0.0:9000).
set -eu
cd "$(dirname "$0")"
. container/deps.sh
install_missing $HOLDFAST_BUILD_PKGS
[ -f .build/release/build.ninja ] ||
	meson setup .build/release --buildtype=release -Dintegration=false >/dev/null
meson compile -C .build/release holdfast >/dev/null
exec .build/release/gateway/holdfast serve "$@"
