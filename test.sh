#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Quick start, command 2: install what is missing, build, and run every test suite:
#   .build/test (-Dwerror=true)                        unit, fuzz-corpus and integration
#   .build/asan (-Db_sanitize=address,undefined)       the same under ASan/UBSan
# Ends with one line "N passed, N failed" summed from meson's test logs; exit 1 on failure.
set -eu
cd "$(dirname "$0")"
. container/deps.sh
install_missing $HOLDFAST_BUILD_PKGS $HOLDFAST_TEST_PKGS

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export MESON_TESTTHREADS="${MESON_TESTTHREADS:-$(nproc)}"

setup() { # dir, options...
	d=$1
	shift
	if [ -f "$d/build.ninja" ]; then
		meson configure "$d" "$@" >/dev/null
	else
		meson setup "$d" "$@" >/dev/null
	fi
}

status=0
run_build() { # dir, meson options...
	d=$1
	rm -f "$d/meson-logs/testlog.json"
	if setup "$@" && meson compile -C "$d"; then
		meson test -C "$d" --print-errorlogs || status=1
	else
		echo "build of $d failed" >&2
		status=1
	fi
}
run_build .build/test -Dwerror=true
run_build .build/asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false

python3 - .build/test/meson-logs/testlog.json .build/asan/meson-logs/testlog.json <<'PY'
import json, sys
ok = bad = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:  # nothing ran: the build failed
        bad += 1
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r != "SKIP":
            bad += 1
print(f"{ok} passed, {bad} failed")
PY
exit $status
