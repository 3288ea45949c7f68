/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault loops (STYLE.md "Tests"): rerun an operation with the Nth disk call failing — EIO,
 * ENOSPC, or a short write — for N = 1, 2, ... until it runs without meeting the fault.
 * After each attempt the store is closed and checked from outside: fsck finds no damage,
 * any orphan comes from a faulted attempt and repair removes it; reopened, the version is
 * either wholly visible and byte-exact or absent, and every older version is intact.
 */
#include "io_test.h"
#include "olt.h"

#define INLINE_MAX 1000

static char dir[64];
static uint64_t attempts, failed, repaired;
static const char *kind_name[] = { "none", "EIO", "ENOSPC", "short write" };

/* fsck sees no damage; orphans only when @fired; repair leaves it clean. */
static void
check_fsck(bool fired, const char *what, uint64_t n)
{
	struct ol_fsck_report *r = calloc(1, sizeof(*r));
	struct ol_err e = { 0 };
	int rc;

	rc = ol_fsck(dir, false, r, &e);
	CHECK_INT_EQ(rc, OL_OK);
	CHECK_INT_EQ(r->bad_records, 0);
	CHECK_INT_EQ(r->missing_blobs, 0);
	CHECK_INT_EQ(r->bad_blob_sizes, 0);
	CHECK_INT_EQ(r->dangling, 0);
	if (rc != OL_OK || r->bad_records || r->missing_blobs)
		fprintf(stderr, "  %s, N=%llu: %s\n", what, (unsigned long long)n, e.msg);
	if (r->orphan_blobs) {
		uint64_t orphans = r->orphan_blobs;

		repaired++;
		CHECK(fired);
		CHECK_INT_EQ(ol_fsck(dir, true, r, &e), OL_OK);
		CHECK_INT_EQ(r->orphans_removed, orphans);
		CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_OK);
		CHECK(ol_fsck_report_clean(r));
	}
	free(r);
}

/* The latest version of "k" is (id, seed, size): readable, byte-exact. */
static void
check_latest(struct ol_store *st, const char *id, uint32_t seed, size_t size)
{
	struct ol_version v;
	struct ol_err e = { 0 };
	uint8_t *want = malloc(size + 1), *got;
	int rc;

	olt_fill(want, size, seed);
	rc = ol_version_get(st, "f", "k", 1, NULL, &v, &e);
	CHECK_INT_EQ(rc, OL_OK);
	if (rc == OL_OK) {
		CHECK_STR_EQ(v.version_id, id);
		CHECK_INT_EQ(v.size_bytes, size);
		got = olt_read(st, &v, 0, v.size_bytes, 333, &rc);
		CHECK_INT_EQ(rc, OL_OK);
		if (rc == OL_OK && v.size_bytes == size)
			CHECK_MEM_EQ(got, want, size);
		free(got);
		ol_version_release(&v);
	}
	free(want);
}

struct known {
	char id[OL_VERSION_ID_LEN + 1];
	uint32_t seed;
	size_t size;
};

/* Every version we believe exists, byte-exact (Enabled buckets keep them all). */
static void
check_known(struct ol_store *st, const struct known *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct ol_version v;
		struct ol_err e = { 0 };
		uint8_t *want, *got;
		int rc;

		rc = ol_version_get(st, "f", "k", 1, k[i].id, &v, &e);
		CHECK_INT_EQ(rc, OL_OK);
		if (rc != OL_OK)
			continue;
		want = malloc(k[i].size + 1);
		olt_fill(want, k[i].size, k[i].seed);
		got = olt_read(st, &v, 0, v.size_bytes, 4096, &rc);
		CHECK(rc == OL_OK && v.size_bytes == k[i].size);
		if (rc == OL_OK && v.size_bytes == k[i].size)
			CHECK_MEM_EQ(got, want, k[i].size);
		free(got);
		free(want);
		ol_version_release(&v);
	}
}


static void
put_loop(enum ol_io_fault kind, size_t size, bool null_mode)
{
	struct known *known = calloc(256, sizeof(*known));
	size_t nknown = 0;
	struct ol_store *st;
	struct ol_version v;
	struct ol_err e = { 0 };
	uint8_t *body = malloc(size + 1);
	char what[96];
	uint64_t n;
	bool done = false;

	snprintf(what, sizeof(what), "put %zu bytes, %s bucket, %s", size,
	         null_mode ? "unversioned" : "versioned", kind_name[kind]);
	olt_tmpdir(dir);
	st = olt_open(dir, INLINE_MAX);
	olt_bucket(st, "f", null_mode ? OL_VERSIONING_UNVERSIONED : OL_VERSIONING_ENABLED);
	/* a blob-backed first version: a null put then replaces (and unlinks) a blob */
	{
		uint8_t *first = malloc(2500);

		olt_fill(first, 2500, 1);
		CHECK_INT_EQ(olt_put(st, "f", "k", 1, first, 2500, 700, &v, &e), OL_OK);
		free(first);
	}
	memcpy(known[0].id, v.version_id, sizeof(known[0].id));
	known[0].seed = 1;
	known[0].size = 2500;
	nknown = 1;
	ol_version_release(&v);

	for (n = 1; n < 200 && !done; n++) {
		uint32_t seed = (uint32_t)(100 + n);
		bool fired;
		int rc;

		olt_fill(body, size, seed);
		/* @st is open here: the store the previous attempt was checked on */
		memset(&e, 0, sizeof(e));
		ol_io_fault_set(n, kind);
		rc = olt_put(st, "f", "k", 1, body, size, 1000, &v, &e);
		fired = ol_io_fault_fired();
		ol_io_fault_set(0, OL_IO_FAULT_NONE);
		ol_store_close(st);
		attempts++;

		if (rc != OL_OK) {
			failed++;
			CHECK(fired);
			CHECK_INT_EQ(e.rc, rc);
			CHECK(e.msg[0] != '\0');
			if (kind == OL_IO_FAULT_ENOSPC)
				CHECK_INT_EQ(rc, OL_ENOSPC);
			else
				CHECK_INT_EQ(rc, OL_EIO);
		}
		check_fsck(fired, what, n);

		st = olt_open(dir, INLINE_MAX);
		if (rc == OL_OK) {
			check_latest(st, v.version_id, seed, size);
			if (null_mode)
				nknown = 0; /* the null version was replaced */
			if (nknown < 256) {
				memcpy(known[nknown].id, v.version_id, sizeof(known[0].id));
				known[nknown].seed = seed;
				known[nknown].size = size;
				nknown++;
			}
		} else {
			/* nothing of the failed put is visible: the latest is what it was */
			check_latest(st, known[nknown - 1].id, known[nknown - 1].seed,
			             known[nknown - 1].size);
		}
		check_known(st, known, nknown);
		ol_version_release(&v);
		if (!fired) {
			CHECK_INT_EQ(rc, OL_OK);
			done = true;
		}
	}
	CHECK(done);
	ol_store_close(st);
	olt_rmrf(dir);
	free(body);
	free(known);
}

/* Removing a blob version, and a Suspended delete replacing a blob null version. */
static void
remove_loop(enum ol_io_fault kind, bool marker)
{
	struct ol_store *st;
	uint8_t body[3000];
	uint64_t n;
	bool done = false;

	olt_tmpdir(dir);
	st = olt_open(dir, INLINE_MAX);
	olt_bucket(st, "f", marker ? OL_VERSIONING_SUSPENDED : OL_VERSIONING_ENABLED);
	for (n = 1; n < 50 && !done; n++) {
		struct ol_version v, g;
		struct ol_err e = { 0 };
		bool fired;
		int rc, op_rc;

		/* a fresh blob version to remove (or to bury under a null marker) */
		olt_fill(body, sizeof(body), (uint32_t)n);
		CHECK_INT_EQ(olt_put(st, "f", "k", 1, body, sizeof(body), 1000, &v, &e), OL_OK);
		ol_io_fault_set(n, kind);
		if (marker)
			rc = ol_delete_marker_put(st, "f", "k", 1, &g, &e);
		else
			rc = ol_version_remove(st, "f", "k", 1, v.version_id, &g, &e);
		fired = ol_io_fault_fired();
		ol_io_fault_set(0, OL_IO_FAULT_NONE);
		ol_store_close(st);
		if (rc == OL_OK)
			ol_version_release(&g);
		else
			CHECK(fired && e.rc == rc && e.msg[0]);
		check_fsck(fired, marker ? "null delete marker" : "version remove", n);

		/* either the operation happened, or the version is there whole */
		op_rc = rc;
		st = olt_open(dir, INLINE_MAX);
		rc = ol_version_get(st, "f", "k", 1, marker ? NULL : v.version_id, &g, &e);
		if (op_rc == OL_OK && marker) {
			CHECK(rc == OL_OK && g.is_delete_marker && g.is_null);
		} else if (op_rc == OL_OK) {
			CHECK_INT_EQ(rc, OL_ENOTFOUND);
		} else {
			CHECK_INT_EQ(rc, OL_OK);
			if (rc == OL_OK) {
				uint8_t *got = olt_read(st, &g, 0, g.size_bytes, 512, &rc);

				CHECK_STR_EQ(g.version_id, v.version_id);
				CHECK_INT_EQ(rc, OL_OK);
				CHECK_MEM_EQ(got, body, sizeof(body));
				free(got);
			}
		}
		if (rc == OL_OK)
			ol_version_release(&g);
		ol_version_release(&v);
		done = !fired;
	}
	CHECK(done);
	ol_store_close(st);
	olt_rmrf(dir);
}

/* Opening (and creating) a store under faults: a clean error, then a working store. */
static void
open_loop(void)
{
	struct ol_store_opts o = { 0 };
	uint64_t n;
	bool done = false;

	olt_tmpdir(dir);
	o.data_dir = dir;
	for (n = 1; n < 400 && !done; n++) {
		struct ol_store *st = NULL;
		struct ol_err e = { 0 };
		bool fired;
		int rc;

		ol_io_fault_set(n, OL_IO_FAULT_EIO);
		rc = ol_store_open(&o, &st, &e);
		fired = ol_io_fault_fired();
		ol_io_fault_set(0, OL_IO_FAULT_NONE);
		if (rc != OL_OK)
			CHECK(fired && rc == OL_EIO && e.msg[0]);
		ol_store_close(st);
		done = !fired;
	}
	CHECK(done);
	olt_rmrf(dir);
}

/* Reads under faults fail with a code, never with wrong bytes. */
static void
read_faults(void)
{
	struct ol_store *st;
	struct ol_version v;
	struct ol_err e = { 0 };
	uint8_t body[5000];
	uint64_t n;

	olt_tmpdir(dir);
	st = olt_open(dir, INLINE_MAX);
	olt_bucket(st, "f", OL_VERSIONING_ENABLED);
	olt_fill(body, sizeof(body), 9);
	CHECK_INT_EQ(olt_put(st, "f", "k", 1, body, sizeof(body), 5000, &v, &e), OL_OK);
	for (n = 1; n < 10; n++) {
		enum ol_io_fault kinds[] = { OL_IO_FAULT_EIO, OL_IO_FAULT_SHORT };
		size_t k;

		for (k = 0; k < 2; k++) {
			uint8_t *got;
			int rc;

			ol_io_fault_set(n, kinds[k]);
			got = olt_read(st, &v, 10, sizeof(body) - 10, 4096, &rc);
			ol_io_fault_set(0, OL_IO_FAULT_NONE);
			if (rc == OL_OK)
				CHECK_MEM_EQ(got, body + 10, sizeof(body) - 10);
			else
				CHECK(kinds[k] == OL_IO_FAULT_EIO && rc == OL_EIO);
			free(got);
		}
	}
	ol_version_release(&v);
	ol_store_close(st);
	olt_rmrf(dir);
}

int
main(void)
{
	enum ol_io_fault kinds[] = { OL_IO_FAULT_EIO, OL_IO_FAULT_ENOSPC, OL_IO_FAULT_SHORT };
	size_t sizes[] = { 100, 1500 }; /* inline; blob (inline limit 1000): spills on the 2nd write */
	size_t k, s;

	/* olt_read prints each failed read; the faulted ones are expected */
	for (k = 0; k < 3; k++) {
		for (s = 0; s < 2; s++) {
			put_loop(kinds[k], sizes[s], false);
			put_loop(kinds[k], sizes[s], true);
		}
		remove_loop(kinds[k], false);
		remove_loop(kinds[k], true);
	}
	open_loop();
	read_faults();
	fprintf(stderr, "objectlock-fault: %llu faulted puts checked, %llu failed, %llu fscks "
	        "repaired orphans\n", (unsigned long long)attempts, (unsigned long long)failed,
	        (unsigned long long)repaired);
	return check_done("objectlock-fault");
}
