/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only: fault injection into the ol_io layer, counters that let tests bound the work of
 * a listing, raw access to index records, and fake time sources for the compliance clock. Nothing here is for the gateway; a test that
 * includes it links objectlock_dep as usual.
 */
#ifndef HOLDFAST_OBJECTLOCK_IO_TEST_H
#define HOLDFAST_OBJECTLOCK_IO_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objectlock.h"

enum ol_io_fault {
	OL_IO_FAULT_NONE = 0,
	OL_IO_FAULT_EIO,    /* the call fails with EIO and does nothing */
	OL_IO_FAULT_ENOSPC, /* the call fails with ENOSPC and does nothing */
	OL_IO_FAULT_SHORT,  /* write/pwrite/read/pread move only half the bytes (n >= 2) and
	                     * report it; other calls proceed normally */
};

/*
 * Arm a one-shot fault: the @nth counted call from now (1-based) gets @kind. nth 0 or
 * OL_IO_FAULT_NONE disarms. Also clears the "fired" flag. Process-wide.
 */
void ol_io_fault_set(uint64_t nth, enum ol_io_fault kind);

/* True once the armed fault hit a call (whether or not the kind changed its outcome). A
 * fault loop runs N = 1, 2, ... until an attempt ends with the fault not fired. */
bool ol_io_fault_fired(void);

/* Make every ol_io_link fail with @sys_errno (e.g. EXDEV, to exercise the copy fallback of
 * ol_version_clone) until called again with 0. Process-wide; not counted as a fault. */
void ol_io_link_errno_set(int sys_errno);

/* Counted calls since the process started. */
uint64_t ol_io_calls(void);

/* Iterator positioning steps (seek + next) made by ol_list since the process started. */
uint64_t ol_test_list_steps(void);

/* Make index writes of @st unsynced: for tests that load thousands of objects and do not
 * test durability. Never call it elsewhere. */
void ol_test_nosync(struct ol_store *st);

/* Overwrite the raw index record of version @version_id of (@bucket, @key) with (p, n),
 * bypassing the codec (to plant corruption). Returns OL_OK, OL_ENOTFOUND, OL_EINVAL,
 * OL_EIO. */
int ol_test_version_raw_put(struct ol_store *st, const char *bucket, const void *key,
                            size_t keylen, const char *version_id, const void *p, size_t n,
                            struct ol_err *err);

/* ---- the compliance clock's time sources ----
 * The clock reads three things: the wall clock (CLOCK_REALTIME), a monotonic clock that
 * counts suspend time and cannot be set (CLOCK_BOOTTIME, by direct system call), and the
 * identity of the boot (/proc/sys/kernel/random/boot_id, trusted only while the monotonic
 * reading agrees with /proc/uptime). A test feeds fake ones. All three must be thread-safe:
 * the checkpoint thread reads them too. */
struct ol_clock_source {
	int64_t (*wall_ns)(void *ctx);
	int64_t (*mono_ns)(void *ctx);
	/* Copy the boot id (NUL-terminated, < 40 bytes) to @out; false = unknown or not to be
	 * trusted (then no time is credited across a restart). */
	bool (*boot_id)(void *ctx, char out[40]);
	void *ctx;
};

/* Stores opened from now on use @src (copied); NULL = the real clocks again. Process-wide. */
void ol_test_clock_source(const struct ol_clock_source *src);

/* Close @st as a crash would leave the clock: no last checkpoint (the one on disk is the
 * last the thread or ol_clock_checkpoint wrote). */
void ol_test_close_no_checkpoint(struct ol_store *st);

#endif
