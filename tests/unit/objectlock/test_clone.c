/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ol_version_clone: copies of inline, blob and multipart versions that share bytes, not
 * names (hard links), survive the removal of their source byte-exact and keep fsck clean;
 * the copy fallback where link(2) is refused; the versioning rules of a put; and a fault
 * loop over the clone, linked and copied.
 */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include "io_test.h"
#include "olt.h"
#include "record.h"

#define INLINE_MAX 1000

static char dir[64];
static uint64_t attempts, failed, repaired;

static void
blob_path_of(const uint8_t id[OL_BLOB_ID_LEN], char out[256])
{
	char h[33];

	cr_hex_encode(id, OL_BLOB_ID_LEN, h);
	h[32] = '\0';
	snprintf(out, 256, "%s/blobs/%.2s/%.2s/%s", dir, h, h + 2, h);
}

static nlink_t
links_of(const uint8_t id[OL_BLOB_ID_LEN])
{
	char p[256];
	struct stat sb;

	blob_path_of(id, p);
	return stat(p, &sb) == 0 ? sb.st_nlink : 0;
}

static void
fsck_clean(const char *what)
{
	struct ol_fsck_report *r = calloc(1, sizeof(*r));
	struct ol_err e = { 0 };

	CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_OK);
	CHECK(ol_fsck_report_clean(r));
	if (!ol_fsck_report_clean(r)) {
		fprintf(stderr, "fsck after %s:\n", what);
		ol_fsck_report_print(stderr, r);
	}
	free(r);
}

static void
check_bytes(struct ol_store *st, const struct ol_version *v, const uint8_t *want, size_t n)
{
	uint8_t *got;
	int rc, i;

	CHECK_INT_EQ(v->size_bytes, n);
	got = olt_read(st, v, 0, n, 999, &rc);
	CHECK_INT_EQ(rc, OL_OK);
	if (rc == OL_OK)
		CHECK_MEM_EQ(got, want, n);
	free(got);
	for (i = 0; i < 20 && n; i++) {
		uint64_t off = (uint64_t)rand() % n, len = (uint64_t)rand() % (n - off + 1);

		got = olt_read(st, v, off, len, 512, &rc);
		CHECK_INT_EQ(rc, OL_OK);
		if (rc == OL_OK && len)
			CHECK_MEM_EQ(got, want + off, (size_t)len);
		free(got);
	}
}

/* The latest version of (bucket, key) reads as @want. */
static void
check_key(struct ol_store *st, const char *bucket, const char *key, const uint8_t *want,
          size_t n)
{
	struct ol_version g;
	struct ol_err e = { 0 };

	CHECK_INT_EQ(ol_version_get(st, bucket, key, strlen(key), NULL, &g, &e), OL_OK);
	if (g.size_bytes == n)
		check_bytes(st, &g, want, n);
	ol_version_release(&g);
}

/* A multipart version of (bucket, key) from @body: parts of 3000, 0 and the rest bytes. */
static void
make_parts(struct ol_store *st, const char *bucket, const char *key, const uint8_t *body,
           size_t n, struct ol_version *v)
{
	struct ol_complete_part cp[3];
	struct ol_part p[3];
	struct ol_err e = { 0 };
	char id[OL_UPLOAD_ID_LEN + 1];
	size_t i, bad;

	ol_version_init(v);
	CHECK_INT_EQ(ol_upload_create(st, bucket, key, strlen(key), v, id, &e), OL_OK);
	CHECK_INT_EQ(olt_part(st, bucket, key, id, 1, body, 3000, 3000, &p[0], &e), OL_OK);
	CHECK_INT_EQ(olt_part(st, bucket, key, id, 2, body, 0, 1, &p[1], &e), OL_OK);
	CHECK_INT_EQ(olt_part(st, bucket, key, id, 5, body + 3000, n - 3000, 4096, &p[2], &e),
	             OL_OK);
	for (i = 0; i < 3; i++) {
		cp[i].part_number = p[i].part_number;
		cp[i].etag = p[i].etag;
		cp[i].etag_len = strlen(p[i].etag);
	}
	ol_version_set_etag(v, "abc-3", 5, NULL);
	/* a composite CRC32, so the parts keep their CRC32s */
	v->cksum_alg = OL_CKSUM_CRC32;
	v->cksum_type = OL_CKSUM_COMPOSITE;
	CHECK_INT_EQ(ol_parts_checksum(p, 3, v->cksum_alg, v->cksum_type, v->cksum, &v->cksum_len,
	                               NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_upload_complete(st, bucket, key, strlen(key), id, cp, 3, v, &bad, &e),
	             OL_OK);
	for (i = 0; i < 3; i++)
		CHECK_MEM_EQ(v->loc.parts[i].cksum, p[i].cksum, 4);
}

/* Destination metadata as the gateway builds it (REPLACE: its own content type). */
static void
dst_meta(struct ol_version *v)
{
	ol_version_init(v);
	ol_version_set_etag(v, "copied", 6, NULL);
	ol_version_set_content_type(v, "text/copy", 9, NULL);
	v->lock_mode = OL_LOCK_COMPLIANCE;
	/* expired (2023): a live retention would (rightly) refuse replacing the null version in
	 * test_clone_null; locked clones are tested in test_lock.c */
	v->retain_until_ns = 1700000000000000000LL;
}

static void
test_clone_kinds(void)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_version src[3], dst[3], g;
	struct ol_err e = { 0 };
	static uint8_t body[3][20000];
	static const size_t sizes[3] = { 500, 20000, 17000 };
	static const char *keys[3] = { "inline", "blob", "parts" };
	uint32_t i, j;

	olt_bucket(st, "src", OL_VERSIONING_ENABLED);
	olt_bucket(st, "dst", OL_VERSIONING_ENABLED);
	for (i = 0; i < 3; i++) {
		olt_fill(body[i], sizes[i], i + 1);
		if (i < 2)
			CHECK_INT_EQ(olt_put(st, "src", keys[i], strlen(keys[i]), body[i], sizes[i], 4096,
			                     &src[i], &e), OL_OK);
		else
			make_parts(st, "src", keys[i], body[i], sizes[i], &src[i]);
	}
	CHECK_INT_EQ(src[0].loc.kind, OL_LOC_INLINE);
	CHECK_INT_EQ(src[1].loc.kind, OL_LOC_BLOB);
	CHECK_INT_EQ(src[2].loc.kind, OL_LOC_PARTS);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 4);

	for (i = 0; i < 3; i++) {
		struct ol_version s;

		/* the source as the gateway reads it */
		CHECK_INT_EQ(ol_version_get(st, "src", keys[i], strlen(keys[i]), src[i].version_id,
		                            &s, &e), OL_OK);
		dst_meta(&dst[i]);
		CHECK_INT_EQ(ol_version_clone(st, &s, "dst", "copy", 4, &dst[i], &e), OL_OK);
		ol_version_release(&s);
		CHECK_INT_EQ(dst[i].loc.kind, src[i].loc.kind);
		CHECK_INT_EQ(dst[i].size_bytes, sizes[i]);
		CHECK_STR_EQ(dst[i].content_type, "text/copy");
		CHECK_INT_EQ(dst[i].lock_mode, OL_LOCK_COMPLIANCE);
		CHECK(strcmp(dst[i].version_id, src[i].version_id) != 0);
		CHECK_INT_EQ(ol_version_get(st, "dst", "copy", 4, dst[i].version_id, &g, &e), OL_OK);
		CHECK(ol_version_equal(&g, &dst[i]));
		check_bytes(st, &g, body[i], sizes[i]);
		ol_version_release(&g);
	}
	/* new names, shared inodes */
	CHECK(memcmp(dst[1].loc.blob_id, src[1].loc.blob_id, OL_BLOB_ID_LEN) != 0);
	CHECK_INT_EQ(links_of(src[1].loc.blob_id), 2);
	CHECK_INT_EQ(links_of(dst[1].loc.blob_id), 2);
	CHECK_INT_EQ(ol_version_parts_count(&dst[2]), 3);
	for (j = 0; j < 3; j++) {
		CHECK(memcmp(dst[2].loc.parts[j].blob_id, src[2].loc.parts[j].blob_id,
		             OL_BLOB_ID_LEN) != 0);
		CHECK_INT_EQ(dst[2].loc.parts[j].part_number, src[2].loc.parts[j].part_number);
		CHECK_INT_EQ(links_of(dst[2].loc.parts[j].blob_id), 2);
		/* the copy has no checksum algorithm: no part checksums either */
		CHECK_INT_EQ(src[2].loc.parts[j].cksum_len, 4);
		CHECK_INT_EQ(dst[2].loc.parts[j].cksum_len, 0);
	}
	/* a copy in the source's algorithm keeps them */
	{
		struct ol_version s, k;

		CHECK_INT_EQ(ol_version_get(st, "src", "parts", 5, NULL, &s, &e), OL_OK);
		dst_meta(&k);
		k.cksum_alg = OL_CKSUM_CRC32;
		k.cksum_type = OL_CKSUM_FULL_OBJECT;
		k.cksum_len = 4;
		CHECK_INT_EQ(ol_version_clone(st, &s, "dst", "keep", 4, &k, &e), OL_OK);
		for (j = 0; j < 3; j++) {
			CHECK_INT_EQ(k.loc.parts[j].cksum_len, 4);
			CHECK_MEM_EQ(k.loc.parts[j].cksum, s.loc.parts[j].cksum, 4);
		}
		CHECK_INT_EQ(ol_version_get(st, "dst", "keep", 4, NULL, &g, &e), OL_OK);
		CHECK(ol_version_equal(&g, &k));
		ol_version_release(&g);
		CHECK_INT_EQ(ol_version_remove(st, "dst", "keep", 4, k.version_id, NULL, &e), OL_OK);
		ol_version_release(&k);
		ol_version_release(&s);
	}
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 8);
	ol_store_close(st);
	fsck_clean("clones");

	/* remove every source: the copies stay whole */
	st = olt_open(dir, INLINE_MAX);
	for (i = 0; i < 3; i++)
		CHECK_INT_EQ(ol_version_remove(st, "src", keys[i], strlen(keys[i]), src[i].version_id,
		                               NULL, &e), OL_OK);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 4);
	CHECK_INT_EQ(links_of(dst[1].loc.blob_id), 1);
	for (i = 0; i < 3; i++) {
		CHECK_INT_EQ(ol_version_get(st, "dst", "copy", 4, dst[i].version_id, &g, &e), OL_OK);
		check_bytes(st, &g, body[i], sizes[i]);
		ol_version_release(&g);
	}
	/* a stale source (removed since it was read) is refused, nothing left behind */
	dst_meta(&g);
	CHECK_INT_EQ(ol_version_clone(st, &src[1], "dst", "again", 5, &g, &e), OL_ENOTFOUND);
	CHECK(strstr(e.msg, "gone") != NULL);
	CHECK_INT_EQ(ol_version_clone(st, &src[2], "dst", "again", 5, &g, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 4);
	CHECK_INT_EQ(olt_count_files(dir, "tmp"), 0);
	/* a copy of a copy, into the same key: a new version */
	CHECK_INT_EQ(ol_version_clone(st, &dst[2], "dst", "copy", 4, &g, &e), OL_OK);
	check_key(st, "dst", "copy", body[2], sizes[2]);
	ol_version_release(&g);
	/* refusals */
	dst_meta(&g);
	CHECK_INT_EQ(ol_version_clone(st, &dst[1], "nobucket", "x", 1, &g, &e), OL_ENOTFOUND);
	CHECK_STR_EQ(e.msg, "bucket 'nobucket' does not exist");
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 7);
	{
		struct ol_version m;

		CHECK_INT_EQ(ol_delete_marker_put(st, "dst", "copy", 4, &m, &e), OL_OK);
		CHECK_INT_EQ(ol_version_clone(st, &m, "dst", "x", 1, &g, &e), OL_EINVAL);
		CHECK(strstr(e.msg, "delete marker") != NULL);
		ol_version_release(&m);
	}
	CHECK_INT_EQ(ol_version_clone(st, &dst[1], "dst", "", 0, &g, &e), OL_EINVAL);
	ol_version_release(&g);
	for (i = 0; i < 3; i++) {
		ol_version_release(&src[i]);
		ol_version_release(&dst[i]);
	}
	ol_store_close(st);
	fsck_clean("sources removed");
}

/* link(2) refused (another filesystem, an immutable inode): the bytes are copied. */
static void
test_copy_fallback(void)
{
	static const int errs[] = { EXDEV, EPERM, EMLINK };
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_version src[2], c;
	struct ol_err e = { 0 };
	static uint8_t body[2][300000]; /* above one copy chunk */
	size_t i, k;

	olt_bucket(st, "f", OL_VERSIONING_ENABLED);
	olt_fill(body[0], sizeof(body[0]), 11);
	olt_fill(body[1], sizeof(body[1]), 12);
	CHECK_INT_EQ(olt_put(st, "f", "blob", 4, body[0], sizeof(body[0]), 65536, &src[0], &e),
	             OL_OK);
	make_parts(st, "f", "parts", body[1], sizeof(body[1]), &src[1]);
	for (k = 0; k < 3; k++) {
		ol_io_link_errno_set(errs[k]);
		for (i = 0; i < 2; i++) {
			dst_meta(&c);
			CHECK_INT_EQ(ol_version_clone(st, &src[i], "f", "copy", 4, &c, &e), OL_OK);
			if (i == 0) {
				CHECK_INT_EQ(links_of(c.loc.blob_id), 1);
			} else {
				CHECK_INT_EQ(links_of(c.loc.parts[0].blob_id), 1);
				CHECK_INT_EQ(links_of(c.loc.parts[2].blob_id), 1);
			}
			check_key(st, "f", "copy", body[i], sizeof(body[i]));
			ol_version_release(&c);
		}
	}
	/* any other link error is an error, and leaves nothing */
	ol_io_link_errno_set(EACCES);
	dst_meta(&c);
	CHECK_INT_EQ(ol_version_clone(st, &src[0], "f", "nope", 4, &c, &e), OL_ERR);
	CHECK(strstr(e.msg, "Permission denied") != NULL);
	CHECK_INT_EQ(e.sys_errno, EACCES);
	ol_version_release(&c);
	ol_io_link_errno_set(0);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 4 + 3 * 4);
	CHECK_INT_EQ(olt_count_files(dir, "tmp"), 0);
	for (i = 0; i < 2; i++)
		ol_version_release(&src[i]);
	ol_store_close(st);
	fsck_clean("copy fallback");
}

/* Into a bucket that is not Enabled: the clone replaces the null version, whose names go
 * (the source's stay). */
static void
test_clone_null(void)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_version s, c;
	struct ol_err e = { 0 };
	uint8_t body[5000];
	int round;

	olt_bucket(st, "u", OL_VERSIONING_UNVERSIONED);
	olt_fill(body, sizeof(body), 4);
	make_parts(st, "u", "src", body, sizeof(body), &s);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 3);
	for (round = 0; round < 3; round++) {
		dst_meta(&c);
		CHECK_INT_EQ(ol_version_clone(st, &s, "u", "dst", 3, &c, &e), OL_OK);
		CHECK(c.is_null);
		CHECK_INT_EQ(olt_count_files(dir, "blobs"), 6);
		check_key(st, "u", "dst", body, sizeof(body));
		ol_version_release(&c);
	}
	/* a clone onto its own source key replaces the source; the bytes live on */
	dst_meta(&c);
	CHECK_INT_EQ(ol_version_clone(st, &s, "u", "src", 3, &c, &e), OL_OK);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 6);
	check_key(st, "u", "src", body, sizeof(body));
	ol_version_release(&c);
	ol_version_release(&s);
	ol_store_close(st);
	fsck_clean("clone null");
}

/* ---- fault loop ---- */

static void
check_fsck(bool fired, uint64_t n)
{
	struct ol_fsck_report *r = calloc(1, sizeof(*r));
	struct ol_err e = { 0 };
	int rc;

	/* read-only first: a read-write open of the index costs fsyncs, and most attempts
	 * leave no orphan to repair */
	rc = ol_fsck(dir, false, r, &e);
	CHECK_INT_EQ(rc, OL_OK);
	CHECK_INT_EQ(r->bad_records + r->missing_blobs + r->bad_blob_sizes + r->dangling, 0);
	if (rc != OL_OK) {
		fprintf(stderr, "  clone, N=%llu: %s\n", (unsigned long long)n, e.msg);
		ol_fsck_report_print(stderr, r);
	}
	if (r->orphan_blobs) {
		uint64_t orphans = r->orphan_blobs;

		repaired++;
		CHECK(fired);
		CHECK_INT_EQ(ol_fsck(dir, true, r, &e), OL_OK);
		CHECK_INT_EQ(r->orphans_removed, orphans);
	}
	free(r);
}

/* Clone a multipart (or blob) version under a fault, linked or copied: afterwards the
 * copy is there whole or not at all, and the source is intact. */
static void
clone_loop(enum ol_io_fault kind, bool parts, bool copy)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_version s, c, g;
	struct ol_err e = { 0 };
	static uint8_t body[6000];
	uint64_t n;
	size_t files;
	bool done = false;

	olt_bucket(st, "q", OL_VERSIONING_ENABLED);
	olt_fill(body, sizeof(body), 5);
	if (parts)
		make_parts(st, "q", "src", body, sizeof(body), &s);
	else
		CHECK_INT_EQ(olt_put(st, "q", "src", 3, body, sizeof(body), 6000, &s, &e), OL_OK);
	files = olt_count_files(dir, "blobs");
	for (n = 1; n < 200 && !done; n++) {
		char key[16];
		bool fired;
		int rc;

		snprintf(key, sizeof(key), "c%llu", (unsigned long long)n);
		dst_meta(&c);
		memset(&e, 0, sizeof(e));
		ol_io_link_errno_set(copy ? EXDEV : 0);
		ol_io_fault_set(n, kind);
		rc = ol_version_clone(st, &s, "q", key, strlen(key), &c, &e);
		fired = ol_io_fault_fired();
		ol_io_fault_set(0, OL_IO_FAULT_NONE);
		ol_io_link_errno_set(0);
		ol_store_close(st);
		attempts++;
		if (rc != OL_OK) {
			failed++;
			CHECK(fired);
			CHECK(e.rc == rc && e.msg[0]);
			CHECK_INT_EQ(rc, kind == OL_IO_FAULT_ENOSPC ? OL_ENOSPC : OL_EIO);
		}
		check_fsck(fired, n);
		st = olt_open(dir, INLINE_MAX);
		if (rc == OL_OK) {
			check_key(st, "q", key, body, sizeof(body));
			files += parts ? 3 : 1;
		} else {
			CHECK_INT_EQ(ol_version_get(st, "q", key, strlen(key), NULL, &g, &e),
			             OL_ENOTFOUND);
		}
		CHECK_INT_EQ(olt_count_files(dir, "blobs"), files);
		CHECK_INT_EQ(olt_count_files(dir, "tmp"), 0);
		check_key(st, "q", "src", body, sizeof(body));
		ol_version_release(&c);
		done = !fired;
	}
	CHECK(done);
	ol_version_release(&s);
	ol_store_close(st);
}

static void
test_faults(void)
{
	/* Each attempt costs a close, a repair fsck and a reopen (fsync-bound), so the
	 * combinations are chosen, not multiplied: a linked multipart clone makes no write for
	 * a short write to shorten, and ENOSPC takes the EIO paths with another code. */
	static const struct {
		enum ol_io_fault kind;
		bool parts, copy;
	} loops[] = {
		{ OL_IO_FAULT_EIO, true, false },    /* links, undone part by part */
		{ OL_IO_FAULT_ENOSPC, false, true }, /* the copy fallback */
		{ OL_IO_FAULT_SHORT, false, true },
	};
	size_t k;

	for (k = 0; k < sizeof(loops) / sizeof(loops[0]); k++) {
		clone_loop(loops[k].kind, loops[k].parts, loops[k].copy);
		olt_rmrf(dir);
		olt_tmpdir(dir);
	}
	fprintf(stderr, "objectlock-clone: %llu faulted clones checked, %llu failed, %llu fscks "
	        "repaired orphans\n", (unsigned long long)attempts, (unsigned long long)failed,
	        (unsigned long long)repaired);
}

int
main(void)
{
#define T(f) { f, #f }
	static const struct {
		void (*fn)(void);
		const char *name;
	} t[] = { T(test_clone_kinds), T(test_copy_fallback), T(test_clone_null),
	          T(test_faults) };
#undef T
	size_t i;

	srand(42);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		olt_tmpdir(dir);
		t[i].fn();
		olt_rmrf(dir);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(stderr, "%s: %s %.2f s\n", "objectlock-clone", t[i].name,
		        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	return check_done("objectlock-clone");
}
