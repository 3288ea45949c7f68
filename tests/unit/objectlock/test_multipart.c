/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multipart uploads through the public API: parts out of order and re-uploaded, ListParts
 * paging, completion with a subset of the parts (the others' blobs gone), byte-exact reads
 * over random ranges across part boundaries and by part number, abort, every refusal of
 * CompleteMultipartUpload leaving the upload intact, racing completes, ListMultipartUploads
 * against a brute-force model, bucket delete, the stale-upload scan, and fault loops over
 * part commit and completion (STYLE.md "Tests").
 */
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "io_test.h"
#include "olt.h"
#include "record.h"

static char dir[64];

#define INLINE_MAX 1000

static struct ol_store *
reopen(struct ol_store *st)
{
	ol_store_close(st);
	return olt_open(dir, INLINE_MAX);
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
tmpl_init(struct ol_version *t)
{
	ol_version_init(t);
	ol_version_set_content_type(t, "application/x-tar", 17, NULL);
	ol_version_add_header(t, "x-amz-meta-job", 14, "nightly", 7, NULL);
	t->cksum_alg = OL_CKSUM_CRC32;
	t->cksum_type = OL_CKSUM_COMPOSITE;
	t->lock_mode = OL_LOCK_GOVERNANCE;
	/* expired (2023): the lock fields only travel through here. A live retention would
	 * (rightly) refuse the removal and the null-version replacements below: Object Lock
	 * is tested in test_lock.c. */
	t->retain_until_ns = 1700000000000000000LL;
}

static void
create(struct ol_store *st, const char *bucket, const char *key, char id[OL_UPLOAD_ID_LEN + 1])
{
	struct ol_version t;
	struct ol_err e = { 0 };

	tmpl_init(&t);
	CHECK_INT_EQ(ol_upload_create(st, bucket, key, strlen(key), &t, id, &e), OL_OK);
	ol_version_release(&t);
}

/* The final version as the gateway builds it: the template plus an "-N" ETag. */
static void
final_version(struct ol_store *st, const char *bucket, const char *key, const char *id,
              size_t nparts, struct ol_version *v)
{
	struct ol_upload u;
	struct ol_err e = { 0 };
	char etag[48];

	ol_version_init(v);
	/* (a test may complete an upload that is gone: then without its template) */
	if (ol_upload_get(st, bucket, key, strlen(key), id, &u, &e) == OL_OK) {
		CHECK_INT_EQ(ol_version_copy(&u.tmpl, v, &e), OL_OK);
		ol_upload_release(&u);
	}
	snprintf(etag, sizeof(etag), "0123456789abcdef0123456789abcdef-%zu", nparts);
	ol_version_set_etag(v, etag, strlen(etag), NULL);
	v->cksum_alg = OL_CKSUM_NONE; /* the composite value is the gateway's to compute */
	v->cksum_len = 0;
}

static int
complete(struct ol_store *st, const char *bucket, const char *key, const char *id,
         const uint32_t *pns, const struct ol_part *parts, size_t n, struct ol_version *v,
         size_t *bad, struct ol_err *e)
{
	struct ol_complete_part *cp = calloc(n ? n : 1, sizeof(*cp));
	struct ol_upload u;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		cp[i].part_number = pns[i];
		cp[i].etag = parts[i].etag;
		cp[i].etag_len = strlen(parts[i].etag);
	}
	final_version(st, bucket, key, id, n, v);
	/* the object checksum as the gateway computes it, when the upload names an algorithm
	 * (a test may list a part that was never uploaded: then none) */
	if (ol_upload_get(st, bucket, key, strlen(key), id, &u, NULL) == OL_OK) {
		if (ol_parts_checksum(parts, n, u.tmpl.cksum_alg, u.tmpl.cksum_type, v->cksum,
		                      &v->cksum_len, NULL, NULL) == OL_OK) {
			v->cksum_alg = u.tmpl.cksum_alg;
			v->cksum_type = u.tmpl.cksum_type;
		}
		ol_upload_release(&u);
	}
	rc = ol_upload_complete(st, bucket, key, strlen(key), id, cp, n, v, bad, e);
	if (rc != OL_OK)
		ol_version_release(v);
	free(cp);
	return rc;
}

/* Read the whole of @v and compare with @want; then @nr random ranges. */
static void
check_bytes(struct ol_store *st, const struct ol_version *v, const uint8_t *want, size_t n,
            int nr, uint32_t seed)
{
	uint8_t *got;
	int rc, i;

	CHECK_INT_EQ(v->size_bytes, n);
	got = olt_read(st, v, 0, n, 4096, &rc);
	CHECK_INT_EQ(rc, OL_OK);
	if (rc == OL_OK)
		CHECK_MEM_EQ(got, want, n);
	free(got);
	srand(seed);
	for (i = 0; i < nr && n; i++) {
		uint64_t off = (uint64_t)rand() % n, len = (uint64_t)rand() % (n - off + 1);
		size_t chunk = 1 + (size_t)rand() % 5000;

		got = olt_read(st, v, off, len, chunk, &rc);
		CHECK_INT_EQ(rc, OL_OK);
		if (rc == OL_OK && len)
			CHECK_MEM_EQ(got, want + off, (size_t)len);
		free(got);
	}
}

struct plist {
	uint32_t pn[64];
	char etag[64][OL_PART_ETAG_MAX + 1];
	int n, stop_after;
};

static int
plist_cb(void *ctx, const struct ol_part *p)
{
	struct plist *l = ctx;

	if (l->n < 64) {
		l->pn[l->n] = p->part_number;
		memcpy(l->etag[l->n], p->etag, sizeof(p->etag));
	}
	l->n++;
	return l->stop_after && l->n >= l->stop_after ? 1 : 0;
}

/* The ETag and checksum helpers against values computed from the bytes. */
static void
check_helpers(const struct ol_part *sel, size_t n, const uint8_t *whole, size_t total)
{
	char etag[OL_MULTIPART_ETAG_MAX + 1], want[OL_MULTIPART_ETAG_MAX + 1];
	uint8_t md5s[4 * OL_MD5_LEN], crcs[4 * 4], out[OL_CKSUM_MAX], md5[OL_MD5_LEN];
	struct ol_part bad[4];
	struct ol_err e = { 0 };
	size_t len = 0, i, bi = 99;
	uint32_t c;

	for (i = 0; i < n; i++) {
		memcpy(md5s + i * OL_MD5_LEN, sel[i].md5, OL_MD5_LEN);
		memcpy(crcs + i * 4, sel[i].cksum, 4);
	}
	cr_md5(md5s, n * OL_MD5_LEN, md5);
	cr_hex_encode(md5, OL_MD5_LEN, want);
	snprintf(want + 32, sizeof(want) - 32, "-%zu", n);
	ol_parts_etag(sel, n, etag);
	CHECK_STR_EQ(etag, want);
	/* FULL_OBJECT: the CRC of the whole object, from the parts' CRCs */
	CHECK_INT_EQ(ol_parts_checksum(sel, n, OL_CKSUM_CRC32, OL_CKSUM_FULL_OBJECT, out, &len, &bi,
	                               &e), OL_OK);
	c = cr_crc32(0, whole, total);
	CHECK_INT_EQ(len, 4);
	CHECK(out[0] == (uint8_t)(c >> 24) && out[3] == (uint8_t)c);
	/* COMPOSITE: CRC32 of the raw part CRCs */
	CHECK_INT_EQ(ol_parts_checksum(sel, n, OL_CKSUM_CRC32, OL_CKSUM_COMPOSITE, out, &len, &bi,
	                               &e), OL_OK);
	c = cr_crc32(0, crcs, n * 4);
	CHECK(out[0] == (uint8_t)(c >> 24) && out[1] == (uint8_t)(c >> 16) &&
	      out[2] == (uint8_t)(c >> 8) && out[3] == (uint8_t)c);
	/* refusals */
	CHECK_INT_EQ(ol_parts_checksum(sel, n, OL_CKSUM_SHA256, OL_CKSUM_FULL_OBJECT, out, &len,
	                               &bi, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "parts checksum: the FULL_OBJECT checksum type cannot be used with "
	                    "the SHA256 algorithm");
	CHECK_INT_EQ(ol_parts_checksum(sel, n, OL_CKSUM_CRC64NVME, OL_CKSUM_COMPOSITE, out, &len,
	                               &bi, &e), OL_EINVAL);
	CHECK_INT_EQ(ol_parts_checksum(sel, n, OL_CKSUM_CRC32C, OL_CKSUM_COMPOSITE, out, &len, &bi,
	                               &e), OL_EINVAL);
	CHECK_INT_EQ(bi, 0);
	memcpy(bad, sel, n * sizeof(*bad));
	bad[2].cksum_alg = OL_CKSUM_NONE;
	bad[2].cksum_len = 0;
	CHECK_INT_EQ(ol_parts_checksum(bad, n, OL_CKSUM_CRC32, OL_CKSUM_COMPOSITE, out, &len, &bi,
	                               &e), OL_EINVAL);
	CHECK_INT_EQ(bi, 2);
	CHECK_INT_EQ(ol_parts_checksum(sel, 0, OL_CKSUM_CRC32, OL_CKSUM_COMPOSITE, out, &len, &bi,
	                               &e), OL_EINVAL);
}

/* ---- the whole flow ---- */

static void
test_flow(void)
{
	/* part number -> size; part 4 is empty, part 3 is re-uploaded, part 7 is not listed */
	static const uint32_t order[] = { 3, 1, 7, 4, 2, 3 };
	static const size_t sizes[] = { 6001, 2999, 4500, 0, 1, 7777 };
	static const uint32_t listed[] = { 1, 2, 3, 4 };
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_part parts[8], got, sel[4];
	struct ol_part_list_result pr;
	struct ol_upload u;
	struct ol_version v, g;
	struct ol_err e = { 0 };
	struct plist l;
	char id[OL_UPLOAD_ID_LEN + 1];
	uint8_t *bodies[8] = { 0 }, *whole;
	size_t lens[8] = { 0 }, total = 0, i, bad = 99;
	uint64_t off = 0, len = 0;
	struct stat sb;
	int rc;

	olt_bucket(st, "mp", OL_VERSIONING_ENABLED);
	create(st, "mp", "big/object.tar", id);
	CHECK_INT_EQ(strlen(id), OL_UPLOAD_ID_LEN);
	/* the template comes back as given, without store fields */
	CHECK_INT_EQ(ol_upload_get(st, "mp", "big/object.tar", 14, id, &u, &e), OL_OK);
	CHECK_STR_EQ(u.upload_id, id);
	CHECK_STR_EQ(u.tmpl.content_type, "application/x-tar");
	CHECK(u.tmpl.n_hdrs == 1 && u.tmpl.lock_mode == OL_LOCK_GOVERNANCE);
	CHECK(u.tmpl.cksum_alg == OL_CKSUM_CRC32 && u.tmpl.cksum_type == OL_CKSUM_COMPOSITE);
	CHECK(u.initiated_ns > 0 && u.tmpl.created_ns == 0 && u.tmpl.version_id[0] == '\0');
	ol_upload_release(&u);
	CHECK_INT_EQ(ol_upload_get(st, "mp", "big/other", 9, id, &u, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_upload_get(st, "mp", "big/object.tar", 14, "x", &u, &e), OL_ENOTFOUND);

	for (i = 0; i < 6; i++) {
		uint32_t pn = order[i];

		free(bodies[pn]);
		bodies[pn] = malloc(sizes[i] + 1);
		lens[pn] = sizes[i];
		olt_fill(bodies[pn], sizes[i], (uint32_t)(pn * 10 + i));
		CHECK_INT_EQ(olt_part(st, "mp", "big/object.tar", id, pn, bodies[pn], sizes[i], 1000,
		                      &parts[pn], &e), OL_OK);
		CHECK_INT_EQ(parts[pn].size_bytes, sizes[i]);
		CHECK_INT_EQ(parts[pn].part_number, pn);
	}
	/* the re-upload replaced part 3, and its first blob went: one file per part */
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 5);
	CHECK_INT_EQ(olt_count_files(dir, "tmp"), 0);
	CHECK_INT_EQ(ol_part_get(st, "mp", "big/object.tar", 14, id, 3, &got, &e), OL_OK);
	CHECK_STR_EQ(got.etag, parts[3].etag);
	CHECK_INT_EQ(got.size_bytes, 7777);
	CHECK(memcmp(got.md5, parts[3].md5, OL_MD5_LEN) == 0);
	CHECK(got.cksum_alg == OL_CKSUM_CRC32 && got.cksum_len == 4);
	CHECK_INT_EQ(ol_part_get(st, "mp", "big/object.tar", 14, id, 5, &got, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_part_get(st, "mp", "big/object.tar", 14, id, 0, &got, &e), OL_EINVAL);

	/* ListParts: number order, paging with a marker */
	memset(&l, 0, sizeof(l));
	CHECK_INT_EQ(ol_part_list(st, "mp", "big/object.tar", 14, id, 0, 1000, plist_cb, &l, &pr,
	                          &e), OL_OK);
	CHECK(l.n == 5 && !pr.is_truncated && pr.count == 5 && pr.next_part_marker == 0);
	CHECK(l.pn[0] == 1 && l.pn[1] == 2 && l.pn[2] == 3 && l.pn[3] == 4 && l.pn[4] == 7);
	CHECK_STR_EQ(l.etag[2], parts[3].etag);
	memset(&l, 0, sizeof(l));
	CHECK_INT_EQ(ol_part_list(st, "mp", "big/object.tar", 14, id, 0, 2, plist_cb, &l, &pr, &e),
	             OL_OK);
	CHECK(l.n == 2 && pr.is_truncated && pr.next_part_marker == 2);
	CHECK_INT_EQ(ol_part_list(st, "mp", "big/object.tar", 14, id, 2, 2, plist_cb, &l, &pr, &e),
	             OL_OK);
	CHECK(l.n == 4 && pr.is_truncated && pr.next_part_marker == 4);
	CHECK_INT_EQ(ol_part_list(st, "mp", "big/object.tar", 14, id, 4, 2, plist_cb, &l, &pr, &e),
	             OL_OK);
	CHECK(l.n == 5 && !pr.is_truncated && pr.next_part_marker == 0 && l.pn[4] == 7);
	memset(&l, 0, sizeof(l));
	l.stop_after = 3;
	CHECK_INT_EQ(ol_part_list(st, "mp", "big/object.tar", 14, id, 0, 100, plist_cb, &l, &pr,
	                          &e), OL_OK);
	CHECK(l.n == 3 && pr.is_truncated && pr.next_part_marker == 3);
	memset(&l, 0, sizeof(l));
	CHECK_INT_EQ(ol_part_list(st, "mp", "big/object.tar", 14, id, 0, 0, plist_cb, &l, &pr, &e),
	             OL_OK);
	CHECK(l.n == 0 && !pr.is_truncated);
	CHECK_INT_EQ(ol_part_list(st, "mp", "big/object.tar", 14, id, 7, 10, plist_cb, &l, &pr,
	                          &e), OL_OK);
	CHECK(l.n == 0 && !pr.is_truncated);
	CHECK_INT_EQ(ol_part_list(st, "mp", "big/object.tar", 14, "0123456789ABCDEFGHIJKLMNOPQRSTUV",
	                          0, 10, plist_cb, &l, &pr, &e), OL_ENOTFOUND);

	/* complete with parts 1..4: part 7 is discarded */
	for (i = 0; i < 4; i++) {
		sel[i] = parts[listed[i]];
		total += lens[listed[i]];
	}
	/* quotes and upper case in the listed ETags are fine */
	{
		char q[OL_PART_ETAG_MAX + 3];

		snprintf(q, sizeof(q), "\"%s\"", parts[2].etag);
		for (i = 1; i < 33; i++)
			if (q[i] >= 'a' && q[i] <= 'f')
				q[i] = (char)(q[i] - 32);
		memcpy(sel[1].etag, q, strlen(q) + 1);
	}
	rc = complete(st, "mp", "big/object.tar", id, listed, sel, 4, &v, &bad, &e);
	CHECK_INT_EQ(rc, OL_OK);
	if (rc != OL_OK)
		fprintf(stderr, "complete: %s\n", e.msg);
	CHECK_INT_EQ(bad, 99);
	CHECK_INT_EQ(v.loc.kind, OL_LOC_PARTS);
	CHECK_INT_EQ(ol_version_parts_count(&v), 4);
	CHECK_INT_EQ(v.size_bytes, total);
	CHECK_INT_EQ(strlen(v.version_id), OL_VERSION_ID_LEN);
	CHECK_STR_EQ(v.etag, "0123456789abcdef0123456789abcdef-4");
	CHECK_INT_EQ(v.lock_mode, OL_LOCK_GOVERNANCE);
	/* each part keeps its checksum, in the version's algorithm */
	CHECK_INT_EQ(v.cksum_alg, OL_CKSUM_CRC32);
	for (i = 0; i < 4; i++) {
		CHECK_INT_EQ(v.loc.parts[i].cksum_len, 4);
		CHECK_MEM_EQ(v.loc.parts[i].cksum, sel[i].cksum, 4);
	}
	/* the upload and its parts are gone, so is part 7's blob */
	CHECK_INT_EQ(ol_upload_get(st, "mp", "big/object.tar", 14, id, &u, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_part_get(st, "mp", "big/object.tar", 14, id, 1, &got, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 4);
	{
		size_t bad2 = 99;
		struct ol_version v2;

		CHECK_INT_EQ(complete(st, "mp", "big/object.tar", id, listed, sel, 4, &v2, &bad2, &e),
		             OL_ENOTFOUND);
		CHECK_INT_EQ(bad2, 99);
	}
	/* ... but the completion is remembered for a retry of the same list */
	{
		struct ol_complete_part cp[4];
		struct ol_version dv;

		for (i = 0; i < 4; i++)
			cp[i] = (struct ol_complete_part){ listed[i], sel[i].etag, strlen(sel[i].etag) };
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, cp, 4, &dv, &e),
		             OL_OK);
		CHECK_STR_EQ(dv.version_id, v.version_id);
		CHECK(ol_version_equal(&dv, &v));
		ol_version_release(&dv);
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, NULL, 0, &dv, &e),
		             OL_OK);
		CHECK_STR_EQ(dv.version_id, v.version_id);
		ol_version_release(&dv);
		/* quotes and case of the ETags are as irrelevant as at the completion */
		cp[1] = (struct ol_complete_part){ 2, parts[2].etag, strlen(parts[2].etag) };
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, cp, 4, &dv, &e),
		             OL_OK);
		ol_version_release(&dv);
		/* another list is not a retry */
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, cp, 3, &dv, &e),
		             OL_EBADPART);
		CHECK(strstr(e.msg, "was completed with another part list") != NULL);
		cp[3] = (struct ol_complete_part){ 4, parts[1].etag, strlen(parts[1].etag) };
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, cp, 4, &dv, &e),
		             OL_EBADPART);
		cp[3] = (struct ol_complete_part){ 5, parts[4].etag, strlen(parts[4].etag) };
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, cp, 4, &dv, &e),
		             OL_EBADPART);
		/* nor another key, nor an id never issued */
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/other", 9, id, NULL, 0, &dv, &e),
		             OL_ENOTFOUND);
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14,
		                                "0123456789ABCDEFGHIJKLMNOPQRSTUV", NULL, 0, &dv, &e),
		             OL_ENOTFOUND);
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, "x", NULL, 0, &dv, &e),
		             OL_ENOTFOUND);
		CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, cp, 0, &dv, &e),
		             OL_EINVAL);
	}

	whole = malloc(total + 1);
	for (i = 0, off = 0; i < 4; i++) {
		memcpy(whole + off, bodies[listed[i]], lens[listed[i]]);
		off += lens[listed[i]];
	}
	check_helpers(sel, 4, whole, total);
	/* read back what ol_version_get returns: the locator survived the index */
	CHECK_INT_EQ(ol_version_get(st, "mp", "big/object.tar", 14, NULL, &g, &e), OL_OK);
	CHECK(ol_version_equal(&g, &v));
	check_bytes(st, &g, whole, total, 400, 7);
	/* every range that starts or ends on a part boundary, +-1 */
	for (i = 0; i < 4; i++) {
		uint64_t b = g.loc.parts[i].off;
		uint64_t starts[] = { b ? b - 1 : 0, b, b + 1 < total ? b + 1 : b };
		size_t s;

		for (s = 0; s < 3; s++) {
			uint8_t *r = olt_read(st, &g, starts[s], total - starts[s], 333, &rc);

			CHECK_INT_EQ(rc, OL_OK);
			if (rc == OL_OK)
				CHECK_MEM_EQ(r, whole + starts[s], total - starts[s]);
			free(r);
			r = olt_read(st, &g, 0, starts[s], 4096, &rc);
			CHECK_INT_EQ(rc, OL_OK);
			if (rc == OL_OK)
				CHECK_MEM_EQ(r, whole, starts[s]);
			free(r);
		}
	}
	/* ?partNumber=N: the range of each part, read byte-exact */
	for (i = 0; i < 4; i++) {
		uint8_t *r;

		CHECK_INT_EQ(ol_version_part_range(&g, listed[i], &off, &len), OL_OK);
		CHECK_INT_EQ(len, lens[listed[i]]);
		r = olt_read(st, &g, off, len, 100, &rc);
		CHECK_INT_EQ(rc, OL_OK);
		if (rc == OL_OK && len)
			CHECK_MEM_EQ(r, bodies[listed[i]], (size_t)len);
		free(r);
	}
	CHECK_INT_EQ(ol_version_part_range(&g, 7, &off, &len), OL_ENOTFOUND);
	/* sendfile: a range inside one part gives that part's fd; across parts it does not */
	{
		struct ol_reader *r = NULL;
		int fd = -1;
		uint64_t foff = 0;

		CHECK_INT_EQ(ol_version_part_range(&g, 3, &off, &len), OL_OK);
		CHECK_INT_EQ(ol_reader_open(st, &g, off + 10, 100, &r, &e), OL_OK);
		CHECK_INT_EQ(ol_reader_sendfile_fd(r, &fd, &foff), OL_OK);
		CHECK(fd >= 0 && foff == 10);
		CHECK(fstat(fd, &sb) == 0 && (uint64_t)sb.st_size == lens[3]);
		ol_reader_close(r);
		CHECK_INT_EQ(ol_reader_open(st, &g, off - 1, 2, &r, &e), OL_OK);
		CHECK_INT_EQ(ol_reader_sendfile_fd(r, &fd, &foff), OL_ENOTFOUND);
		ol_reader_close(r);
		CHECK_INT_EQ(ol_reader_open(st, &g, total, 0, &r, &e), OL_OK);
		CHECK_INT_EQ(ol_reader_sendfile_fd(r, &fd, &foff), OL_ENOTFOUND);
		ol_reader_close(r);
	}
	ol_version_release(&g);

	/* it survives a reopen (part checksums and the completion too), and fsck counts its
	 * part blobs as referenced */
	st = reopen(st);
	CHECK_INT_EQ(ol_version_get(st, "mp", "big/object.tar", 14, v.version_id, &g, &e), OL_OK);
	check_bytes(st, &g, whole, total, 50, 8);
	CHECK(ol_version_equal(&g, &v));
	for (i = 0; i < 4; i++)
		CHECK_MEM_EQ(g.loc.parts[i].cksum, sel[i].cksum, 4);
	ol_version_release(&g);
	CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, NULL, 0, &g, &e),
	             OL_OK);
	ol_version_release(&g);
	ol_store_close(st);
	{
		struct ol_fsck_report *r = calloc(1, sizeof(*r));

		CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_OK);
		CHECK(ol_fsck_report_clean(r));
		CHECK_INT_EQ(r->blobs_referenced, 4);
		CHECK_INT_EQ(r->blob_files, 4);
		CHECK_INT_EQ(r->uploads, 0);
		free(r);
	}
	/* removing the version unlinks every part blob */
	st = olt_open(dir, INLINE_MAX);
	CHECK_INT_EQ(ol_version_remove(st, "mp", "big/object.tar", 14, v.version_id, NULL, &e),
	             OL_OK);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 0);
	/* a completion whose version is gone is no longer one to answer a retry with */
	CHECK_INT_EQ(ol_upload_done_get(st, "mp", "big/object.tar", 14, id, NULL, 0, &g, &e),
	             OL_ENOTFOUND);
	ol_version_release(&v);
	for (i = 0; i < 8; i++)
		free(bodies[i]);
	free(whole);
	ol_store_close(st);
	fsck_clean("flow");
}

/* Many parts: a big locator through the index, ListParts pages over it, reads across
 * hundreds of boundaries. Index writes unsynced: this is not about durability. */
static void
test_many_parts(void)
{
	enum { NP = 150 };
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_complete_part *cp = calloc(NP, sizeof(*cp));
	struct ol_part *parts = calloc(NP, sizeof(*parts));
	struct ol_part_list_result pr;
	struct ol_version v, g;
	struct ol_err e = { 0 };
	struct plist l;
	char id[OL_UPLOAD_ID_LEN + 1];
	size_t total = 0, i, bad;
	uint8_t *whole = malloc(NP * 64);
	uint32_t marker = 0;
	int pages = 0;

	ol_test_nosync(st);
	olt_bucket(st, "many", OL_VERSIONING_ENABLED);
	create(st, "many", "k", id);
	olt_fill(whole, NP * 64, 77);
	for (i = 0; i < NP; i++) {
		size_t n = (i * 37) % 64; /* 0..63 bytes, some empty */

		/* part numbers with gaps: 1, 3, 5, ... */
		CHECK_INT_EQ(olt_part(st, "many", "k", id, (uint32_t)(2 * i + 1), whole + total, n, 7,
		                      &parts[i], &e), OL_OK);
		cp[i].part_number = (uint32_t)(2 * i + 1);
		cp[i].etag = parts[i].etag;
		cp[i].etag_len = 32;
		total += n;
	}
	do {
		memset(&l, 0, sizeof(l));
		CHECK_INT_EQ(ol_part_list(st, "many", "k", 1, id, marker, 64, plist_cb, &l, &pr, &e),
		             OL_OK);
		CHECK(l.n == 64 || (!pr.is_truncated && l.n == NP % 64));
		CHECK_INT_EQ(l.pn[0], marker + 1 + (marker ? 1 : 0));
		marker = pr.next_part_marker;
		pages++;
	} while (pr.is_truncated && pages < 10);
	CHECK_INT_EQ(pages, (NP + 63) / 64);
	final_version(st, "many", "k", id, NP, &v);
	CHECK_INT_EQ(ol_upload_complete(st, "many", "k", 1, id, cp, NP, &v, &bad, &e), OL_OK);
	CHECK_INT_EQ(ol_version_parts_count(&v), NP);
	ol_version_release(&v);
	st = reopen(st);
	CHECK_INT_EQ(ol_version_get(st, "many", "k", 1, NULL, &g, &e), OL_OK);
	check_bytes(st, &g, whole, total, 200, 3);
	for (i = 0; i < NP; i += 13) {
		uint64_t off = 0, len = 0;

		CHECK_INT_EQ(ol_version_part_range(&g, (uint32_t)(2 * i + 1), &off, &len), OL_OK);
		CHECK_INT_EQ(len, parts[i].size_bytes);
	}
	{
		uint64_t off = 0, len = 0;

		CHECK_INT_EQ(ol_version_part_range(&g, 2, &off, &len), OL_ENOTFOUND);
	}
	ol_version_release(&g);
	ol_store_close(st);
	fsck_clean("many parts");
	free(whole);
	free(parts);
	free(cp);
}

/* ---- abort ---- */

static void
test_abort(void)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_put *put = NULL;
	struct ol_part_meta m;
	struct ol_part p;
	struct ol_err e = { 0 };
	char id[OL_UPLOAD_ID_LEN + 1], id2[OL_UPLOAD_ID_LEN + 1], etag[33];
	uint8_t body[3000];
	uint32_t pn;

	olt_bucket(st, "ab", OL_VERSIONING_UNVERSIONED);
	create(st, "ab", "k", id);
	for (pn = 1; pn <= 3; pn++) {
		olt_fill(body, sizeof(body), pn);
		CHECK_INT_EQ(olt_part(st, "ab", "k", id, pn, body, sizeof(body), 700, &p, &e), OL_OK);
	}
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 3);
	CHECK_INT_EQ(ol_upload_abort(st, "ab", "k", 1, id, &e), OL_OK);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 0);
	CHECK_INT_EQ(ol_upload_abort(st, "ab", "k", 1, id, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_upload_get(st, "ab", "k", 1, id, NULL, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_part_begin(st, "ab", "k", 1, id, 1, &put, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_upload_abort(st, "ab", "k", 1, "garbage", &e), OL_ENOTFOUND);

	/* a part in flight when its upload is aborted: refused, nothing left behind */
	create(st, "ab", "k", id2);
	CHECK_INT_EQ(ol_part_begin(st, "ab", "k", 1, id2, 4, &put, &e), OL_OK);
	CHECK_INT_EQ(ol_put_write(put, body, sizeof(body), &e), OL_OK);
	CHECK_INT_EQ(olt_count_files(dir, "tmp"), 1);
	CHECK_INT_EQ(ol_upload_abort(st, "ab", "k", 1, id2, &e), OL_OK);
	olt_part_meta(body, sizeof(body), etag, &m);
	CHECK_INT_EQ(ol_part_commit(put, &m, &p, &e), OL_ENOTFOUND);
	{
		char want[96];

		snprintf(want, sizeof(want), "upload '%s' was completed or aborted", id2);
		CHECK_STR_EQ(e.msg, want);
	}
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 0);
	CHECK_INT_EQ(olt_count_files(dir, "tmp"), 0);

	/* argument checks */
	create(st, "ab", "k", id2);
	CHECK_INT_EQ(ol_part_begin(st, "ab", "k", 1, id2, 0, &put, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "part number 0 outside 1..10000");
	CHECK_INT_EQ(ol_part_begin(st, "ab", "k", 1, id2, 10001, &put, &e), OL_EINVAL);
	CHECK_INT_EQ(ol_part_begin(st, "ab", "k", 1, id2, 10000, &put, &e), OL_OK);
	m.etag_len = 0;
	CHECK_INT_EQ(ol_part_commit(put, &m, &p, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "part commit: etag of 0 bytes (1..128)");
	CHECK_INT_EQ(olt_count_files(dir, "tmp"), 0);
	CHECK_INT_EQ(ol_part_begin(st, "ab", "k", 1, id2, 10000, &put, &e), OL_OK);
	CHECK_INT_EQ(ol_put_commit(put, NULL, &e), OL_EINVAL); /* a part, consumed */
	CHECK_INT_EQ(ol_put_begin(st, "ab", "k", 1, &put, &e), OL_OK);
	olt_part_meta(body, 1, etag, &m);
	CHECK_INT_EQ(ol_part_commit(put, &m, &p, &e), OL_EINVAL); /* not a part, consumed */
	CHECK_INT_EQ(ol_upload_create(st, "nope", "k", 1, NULL, id2, &e), OL_EINVAL);
	{
		struct ol_version t;

		ol_version_init(&t);
		CHECK_INT_EQ(ol_upload_create(st, "nope", "k", 1, &t, id2, &e), OL_ENOTFOUND);
		CHECK_STR_EQ(e.msg, "bucket 'nope' does not exist");
		t.cksum_alg = OL_CKSUM_SHA1; /* a value of the wrong length; none would do */
		t.cksum_len = 4;
		CHECK_INT_EQ(ol_upload_create(st, "ab", "k", 1, &t, id2, &e), OL_EINVAL);
		CHECK_STR_EQ(e.msg, "upload record: checksum of 4 bytes for SHA1");
		CHECK_INT_EQ(ol_upload_create(st, "ab", "", 0, &t, id2, &e), OL_EINVAL);
	}
	/* a zero-byte part is a zero-byte blob file */
	CHECK_INT_EQ(olt_part(st, "ab", "k", id2, 9, body, 0, 1, &p, &e), OL_OK);
	CHECK_INT_EQ(p.size_bytes, 0);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 1);
	ol_store_close(st);
	{
		struct ol_fsck_report *r = calloc(1, sizeof(*r));

		CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_OK);
		CHECK(ol_fsck_report_clean(r));
		CHECK_INT_EQ(r->uploads, 1);
		CHECK_INT_EQ(r->parts, 1);
		CHECK_INT_EQ(r->blobs_referenced, 1);
		free(r);
	}
	st = olt_open(dir, INLINE_MAX);
	CHECK_INT_EQ(ol_upload_abort(st, "ab", "k", 1, id2, &e), OL_OK);
	ol_store_close(st);
	fsck_clean("abort");
}

/* ---- refusals of complete ---- */

static void
check_intact(struct ol_store *st, const char *id, int nparts)
{
	struct ol_part_list_result pr;
	struct ol_version v;
	struct ol_err e = { 0 };
	struct plist l;

	memset(&l, 0, sizeof(l));
	CHECK_INT_EQ(ol_upload_get(st, "ce", "k", 1, id, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_part_list(st, "ce", "k", 1, id, 0, 100, plist_cb, &l, &pr, &e), OL_OK);
	CHECK_INT_EQ(l.n, nparts);
	CHECK_INT_EQ(ol_version_get(st, "ce", "k", 1, NULL, &v, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), (size_t)nparts);
}

static void
test_complete_refusals(void)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_part parts[4], sel[4];
	struct ol_version v;
	struct ol_err e = { 0 };
	char id[OL_UPLOAD_ID_LEN + 1];
	uint8_t body[2000];
	uint32_t pn, pns[4];
	size_t bad;

	olt_bucket(st, "ce", OL_VERSIONING_ENABLED);
	create(st, "ce", "k", id);
	for (pn = 1; pn <= 3; pn++) {
		olt_fill(body, sizeof(body), pn);
		CHECK_INT_EQ(olt_part(st, "ce", "k", id, pn, body, sizeof(body), 2000, &parts[pn], &e),
		             OL_OK);
	}
	/* a part that was never uploaded: InvalidPart at its index */
	pns[0] = 1, pns[1] = 2, pns[2] = 4;
	sel[0] = parts[1], sel[1] = parts[2], sel[2] = parts[3];
	bad = 99;
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 3, &v, &bad, &e), OL_EBADPART);
	CHECK_INT_EQ(bad, 2);
	CHECK_STR_EQ(e.msg, "complete: part 4 was not uploaded");
	check_intact(st, id, 3);
	/* ... also when it lies between uploaded ones (another upload: parts 1 and 3 only) */
	{
		char id2[OL_UPLOAD_ID_LEN + 1];
		struct ol_part q[3];
		uint32_t p2[3] = { 1, 2, 3 };

		create(st, "ce", "k2", id2);
		CHECK_INT_EQ(olt_part(st, "ce", "k2", id2, 1, body, 10, 10, &q[0], &e), OL_OK);
		CHECK_INT_EQ(olt_part(st, "ce", "k2", id2, 3, body, 10, 10, &q[2], &e), OL_OK);
		q[1] = q[0];
		bad = 99;
		CHECK_INT_EQ(complete(st, "ce", "k2", id2, p2, q, 3, &v, &bad, &e), OL_EBADPART);
		CHECK_INT_EQ(bad, 1);
		CHECK_STR_EQ(e.msg, "complete: part 2 was not uploaded");
		CHECK_INT_EQ(ol_upload_abort(st, "ce", "k2", 2, id2, &e), OL_OK);
	}
	pns[0] = 1, pns[1] = 2, pns[2] = 3;
	/* a wrong ETag: InvalidPart at its index */
	memcpy(sel[1].etag, "00000000000000000000000000000000", 33);
	bad = 99;
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 3, &v, &bad, &e), OL_EBADPART);
	CHECK_INT_EQ(bad, 1);
	check_intact(st, id, 3);
	sel[1] = parts[2];
	sel[1].etag[0] = '\0'; /* none at all */
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 3, &v, &bad, &e), OL_EBADPART);
	sel[1] = parts[2];
	/* descending: InvalidPartOrder */
	pns[0] = 2, pns[1] = 1;
	sel[0] = parts[2], sel[1] = parts[1];
	bad = 99;
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 2, &v, &bad, &e), OL_EPARTORDER);
	CHECK_INT_EQ(bad, 1);
	CHECK_STR_EQ(e.msg, "complete: part 1 listed after part 2");
	check_intact(st, id, 3);
	/* a duplicate: InvalidPartOrder too */
	pns[0] = 1, pns[1] = 2, pns[2] = 2;
	sel[0] = parts[1], sel[1] = parts[2], sel[2] = parts[2];
	bad = 99;
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 3, &v, &bad, &e), OL_EPARTORDER);
	CHECK_INT_EQ(bad, 2);
	check_intact(st, id, 3);
	/* part numbers out of range, no parts: InvalidArgument-like */
	pns[0] = 0;
	bad = 99;
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 1, &v, &bad, &e), OL_EINVAL);
	CHECK_INT_EQ(bad, 0);
	pns[0] = 1, pns[1] = 10001;
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 2, &v, &bad, &e), OL_EINVAL);
	CHECK_INT_EQ(bad, 1);
	bad = 99;
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 0, &v, &bad, &e), OL_EINVAL);
	CHECK_INT_EQ(bad, 99);
	CHECK_STR_EQ(e.msg, "complete: 0 parts listed (1..10000)");
	/* an unknown or malformed upload id, another key */
	pns[0] = 1;
	sel[0] = parts[1];
	CHECK_INT_EQ(complete(st, "ce", "k", "0123456789ABCDEFGHIJKLMNOPQRSTUV", pns, sel, 1, &v,
	                      &bad, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(complete(st, "ce", "k", "nope", pns, sel, 1, &v, &bad, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_upload_complete(st, "ce", "j", 1, id, NULL, 0, &v, &bad, &e), OL_EINVAL);
	check_intact(st, id, 3);
	/* and after all that, it completes (gaps allowed: parts 1 and 3) */
	pns[0] = 1, pns[1] = 3;
	sel[0] = parts[1], sel[1] = parts[3];
	CHECK_INT_EQ(complete(st, "ce", "k", id, pns, sel, 2, &v, &bad, &e), OL_OK);
	CHECK_INT_EQ(v.size_bytes, 4000);
	CHECK_INT_EQ(v.loc.parts[1].part_number, 3);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 2);
	ol_version_release(&v);
	ol_store_close(st);
	fsck_clean("complete refusals");
}

/* ---- racing completes and aborts ---- */

struct racer {
	struct ol_store *st;
	const char *id;
	pthread_barrier_t *go;
	bool abort;
	int rc;
	struct ol_part parts[3];
	char vid[OL_VERSION_ID_LEN + 1]; /* the version a winning complete made */
};

static void *
racer_main(void *arg)
{
	struct racer *r = arg;
	struct ol_version v;
	struct ol_err e = { 0 };
	uint32_t pns[3] = { 1, 2, 3 };
	size_t bad;

	pthread_barrier_wait(r->go);
	if (r->abort) {
		r->rc = ol_upload_abort(r->st, "rc", "k", 1, r->id, &e);
	} else {
		struct ol_complete_part cp[3];
		size_t i;

		for (i = 0; i < 3; i++) {
			cp[i].part_number = pns[i];
			cp[i].etag = r->parts[i].etag;
			cp[i].etag_len = strlen(r->parts[i].etag);
		}
		ol_version_init(&v);
		ol_version_set_etag(&v, "x-3", 3, NULL);
		r->rc = ol_upload_complete(r->st, "rc", "k", 1, r->id, cp, 3, &v, &bad, &e);
		/* a loser finds the winner's completion, unless an abort won */
		if (r->rc == OL_ENOTFOUND) {
			ol_version_release(&v);
			if (ol_upload_done_get(r->st, "rc", "k", 1, r->id, cp, 3, &v, &e) != OL_OK)
				ol_version_init(&v);
		}
		memcpy(r->vid, v.version_id, sizeof(r->vid));
		ol_version_release(&v); /* the caller's either way */
	}
	return NULL;
}

static void
test_race(void)
{
	enum { T = 4, ROUNDS = 6 };
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct racer r[T];
	pthread_t th[T];
	pthread_barrier_t go;
	struct ol_err e = { 0 };
	uint8_t body[1500];
	int round, i, wins, winner, versions = 0;

	olt_bucket(st, "rc", OL_VERSIONING_ENABLED);
	for (round = 0; round < ROUNDS; round++) {
		char id[OL_UPLOAD_ID_LEN + 1];
		struct ol_part parts[3];
		uint32_t pn;

		create(st, "rc", "k", id);
		for (pn = 1; pn <= 3; pn++) {
			olt_fill(body, sizeof(body), pn + (uint32_t)round);
			CHECK_INT_EQ(olt_part(st, "rc", "k", id, pn, body, sizeof(body), 1500,
			                      &parts[pn - 1], &e), OL_OK);
		}
		pthread_barrier_init(&go, NULL, T);
		for (i = 0; i < T; i++) {
			r[i].st = st;
			r[i].id = id;
			r[i].go = &go;
			/* odd rounds: one of the racers aborts */
			r[i].abort = (round % 2) && i == T - 1;
			r[i].rc = 1;
			memcpy(r[i].parts, parts, sizeof(parts));
			pthread_create(&th[i], NULL, racer_main, &r[i]);
		}
		wins = 0;
		winner = -1;
		for (i = 0; i < T; i++) {
			pthread_join(th[i], NULL);
			if (r[i].rc == OL_OK) {
				wins++;
				winner = i;
				if (!r[i].abort)
					versions++;
			} else {
				CHECK_INT_EQ(r[i].rc, OL_ENOTFOUND);
			}
		}
		pthread_barrier_destroy(&go);
		CHECK_INT_EQ(wins, 1);
		/* every losing complete found the one version the winner made (none when an
		 * abort won) */
		for (i = 0; i < T && winner >= 0; i++)
			if (!r[i].abort)
				CHECK_STR_EQ(r[i].vid, r[winner].abort ? "" : r[winner].vid);
		CHECK_INT_EQ(ol_upload_get(st, "rc", "k", 1, id, NULL, &e), OL_ENOTFOUND);
	}
	/* every completed version holds its 3 parts, aborted ones nothing */
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), (size_t)versions * 3);
	ol_store_close(st);
	fsck_clean("race");
}

/* ---- ListMultipartUploads ---- */

struct mu {
	char key[16];
	char id[OL_UPLOAD_ID_LEN + 1];
};

struct ulist {
	char key[64][16];
	char id[64][OL_UPLOAD_ID_LEN + 1];
	bool is_prefix[64];
	int n;
};

static int
ulist_cb(void *ctx, const struct ol_upload_entry *e)
{
	struct ulist *l = ctx;

	if (l->n < 64) {
		snprintf(l->key[l->n], 16, "%.*s", (int)e->keylen, e->key);
		l->is_prefix[l->n] = e->is_prefix;
		if (e->u)
			memcpy(l->id[l->n], e->u->upload_id, OL_UPLOAD_ID_LEN + 1);
		else
			l->id[l->n][0] = '\0';
	}
	l->n++;
	return 0;
}

/* What S3 returns for (prefix, delimiter, marker, id marker), all of it, from @all sorted
 * by (key, id). */
static void
ulist_model(const struct mu *all, int n, const char *prefix, const char *delim,
            const char *km, const char *im, struct ulist *out)
{
	size_t pl = strlen(prefix);
	char last_cp[16] = "";
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const char *k = all[i].key, *d;

		if (strncmp(k, prefix, pl) != 0)
			continue;
		d = delim[0] ? strstr(k + pl, delim) : NULL;
		if (d) {
			char cp[16];

			snprintf(cp, sizeof(cp), "%.*s", (int)(d - k + (long)strlen(delim)), k);
			if ((km[0] && strcmp(cp, km) <= 0) || strcmp(cp, last_cp) == 0)
				continue;
			memcpy(last_cp, cp, sizeof(cp));
			memcpy(out->key[out->n], cp, sizeof(cp));
			out->is_prefix[out->n] = true;
			out->n++;
			continue;
		}
		if (km[0] && strcmp(k, km) < 0)
			continue;
		if (km[0] && strcmp(k, km) == 0 && (!im || strcmp(all[i].id, im) <= 0))
			continue;
		memcpy(out->key[out->n], k, 16);
		memcpy(out->id[out->n], all[i].id, OL_UPLOAD_ID_LEN + 1);
		out->n++;
	}
}

static int
mu_cmp(const void *a, const void *b)
{
	const struct mu *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->id, y->id);
}

static void
check_ulist_eq(const struct ulist *got, const struct ulist *want, const char *what)
{
	int i;

	CHECK_INT_EQ(got->n, want->n);
	for (i = 0; i < got->n && i < want->n; i++) {
		if (strcmp(got->key[i], want->key[i]) || strcmp(got->id[i], want->id[i]) ||
		    got->is_prefix[i] != want->is_prefix[i]) {
			fprintf(stderr, "%s: entry %d: got '%s' %s, want '%s' %s\n", what, i,
			        got->key[i], got->id[i], want->key[i], want->id[i]);
			check_failures++;
			break;
		}
	}
}

static void
test_list_uploads(void)
{
	static const char *keys[] = { "a", "a/b", "b", "a", "a/c", "b/x/y", "c", "a/b", "a",
	                              "a\x01", "b/x/z", "ab" };
	enum { N = sizeof(keys) / sizeof(keys[0]) };
	static const char *prefixes[] = { "", "a", "a/", "b/", "z" };
	static const char *delims[] = { "", "/", "x/" };
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_upload_list_opts o;
	struct ol_upload_list_result res;
	struct mu all[N];
	struct ulist got, want;
	struct ol_err e = { 0 };
	uint8_t body[10];
	size_t p, d;
	int i, max;

	olt_bucket(st, "lu", OL_VERSIONING_ENABLED);
	olt_bucket(st, "lv", OL_VERSIONING_ENABLED); /* a neighbour that must not show */
	for (i = 0; i < N; i++) {
		snprintf(all[i].key, sizeof(all[i].key), "%s", keys[i]);
		create(st, "lu", keys[i], all[i].id);
		/* parts between the upload records must be skipped, not listed */
		olt_fill(body, sizeof(body), (uint32_t)i);
		CHECK_INT_EQ(olt_part(st, "lu", keys[i], all[i].id, 1, body, sizeof(body), 10, NULL,
		                      &e), OL_OK);
		CHECK_INT_EQ(olt_part(st, "lu", keys[i], all[i].id, 2, body, sizeof(body), 10, NULL,
		                      &e), OL_OK);
		if (i < 3) {
			char id[OL_UPLOAD_ID_LEN + 1];

			create(st, "lv", keys[i], id);
		}
	}
	qsort(all, N, sizeof(all[0]), mu_cmp);

	for (p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		for (d = 0; d < sizeof(delims) / sizeof(delims[0]); d++) {
			char what[64];

			snprintf(what, sizeof(what), "prefix '%s' delimiter '%s'", prefixes[p], delims[d]);
			ulist_model(all, N, prefixes[p], delims[d], "", NULL, &want);
			/* paging at every size: the pages add up to the whole listing */
			for (max = 1; max <= N + 1; max++) {
				char km[OL_KEY_MAX + 1] = "", im[OL_UPLOAD_ID_LEN + 1] = "";
				int pages = 0;

				memset(&got, 0, sizeof(got));
				do {
					memset(&o, 0, sizeof(o));
					o.bucket = "lu";
					o.prefix = prefixes[p];
					o.prefix_len = strlen(prefixes[p]);
					o.delimiter = delims[d];
					o.delimiter_len = strlen(delims[d]);
					o.key_marker = km;
					o.key_marker_len = strlen(km);
					o.upload_id_marker = im[0] ? im : NULL;
					o.max_uploads = (uint32_t)max;
					CHECK_INT_EQ(ol_upload_list(st, &o, ulist_cb, &got, &res, &e), OL_OK);
					CHECK(res.count <= (uint32_t)max);
					snprintf(km, sizeof(km), "%.*s", (int)res.next_key_marker_len,
					         res.next_key_marker);
					memcpy(im, res.next_upload_id_marker, sizeof(im));
					pages++;
				} while (res.is_truncated && pages < 100);
				check_ulist_eq(&got, &want, what);
			}
		}
	}
	/* resuming inside a key's uploads with the id marker */
	{
		int first_a = 0;

		while (strcmp(all[first_a].key, "a") != 0)
			first_a++;
		ulist_model(all, N, "", "", "a", all[first_a].id, &want);
		memset(&got, 0, sizeof(got));
		memset(&o, 0, sizeof(o));
		o.bucket = "lu";
		o.key_marker = "a";
		o.key_marker_len = 1;
		o.upload_id_marker = all[first_a].id;
		o.max_uploads = 1000;
		CHECK_INT_EQ(ol_upload_list(st, &o, ulist_cb, &got, &res, &e), OL_OK);
		check_ulist_eq(&got, &want, "id marker");
		CHECK_INT_EQ(got.n, N - first_a - 1);
		/* the key marker alone skips every upload of that key */
		ulist_model(all, N, "", "", "a", NULL, &want);
		memset(&got, 0, sizeof(got));
		o.upload_id_marker = NULL;
		CHECK_INT_EQ(ol_upload_list(st, &o, ulist_cb, &got, &res, &e), OL_OK);
		check_ulist_eq(&got, &want, "key marker");
		CHECK_INT_EQ(got.n, N - first_a - 3);
	}
	/* argument checks */
	memset(&o, 0, sizeof(o));
	o.bucket = "lu";
	o.upload_id_marker = all[0].id;
	o.max_uploads = 10;
	CHECK_INT_EQ(ol_upload_list(st, &o, ulist_cb, &got, &res, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "upload list: upload-id marker without key marker");
	o.key_marker = "a";
	o.key_marker_len = 1;
	o.upload_id_marker = "bad id";
	CHECK_INT_EQ(ol_upload_list(st, &o, ulist_cb, &got, &res, &e), OL_EINVAL);
	o.bucket = "none";
	o.upload_id_marker = NULL;
	CHECK_INT_EQ(ol_upload_list(st, &o, ulist_cb, &got, &res, &e), OL_ENOTFOUND);
	o.bucket = "lu";
	o.max_uploads = 0;
	memset(&got, 0, sizeof(got));
	CHECK_INT_EQ(ol_upload_list(st, &o, ulist_cb, &got, &res, &e), OL_OK);
	CHECK(got.n == 0 && !res.is_truncated);
	ol_store_close(st);
	fsck_clean("list uploads");
}

/* ---- bucket delete, stale-upload scan, versioning ---- */

struct scan {
	struct ol_store *st;
	int seen, aborted;
	bool abort;
};

static int
scan_cb(void *ctx, const char *bucket, const void *key, size_t keylen,
        const struct ol_upload *u)
{
	struct scan *s = ctx;
	struct ol_err e = { 0 };

	s->seen++;
	if (s->abort && ol_upload_abort(s->st, bucket, key, keylen, u->upload_id, &e) == OL_OK)
		s->aborted++;
	return 0;
}

static void
test_bucket_and_scan(void)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_part p;
	struct ol_err e = { 0 };
	struct scan s = { 0 };
	char old1[OL_UPLOAD_ID_LEN + 1], old2[OL_UPLOAD_ID_LEN + 1], young[OL_UPLOAD_ID_LEN + 1];
	uint8_t body[100];
	int64_t cutoff;
	struct timespec ts = { 0, 2000000 };

	olt_bucket(st, "b1", OL_VERSIONING_ENABLED);
	olt_bucket(st, "b2", OL_VERSIONING_ENABLED);
	olt_bucket(st, "b3", OL_VERSIONING_ENABLED);
	create(st, "b1", "x", old1);
	create(st, "b3", "y", old2);
	olt_fill(body, sizeof(body), 1);
	CHECK_INT_EQ(olt_part(st, "b3", "y", old2, 5, body, sizeof(body), 100, &p, &e), OL_OK);
	nanosleep(&ts, NULL);
	{
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		cutoff = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	}
	nanosleep(&ts, NULL);
	create(st, "b1", "a", young);

	/* an upload keeps its bucket: one seek finds it */
	CHECK_INT_EQ(ol_bucket_delete(st, "b1", &e), OL_ENOTEMPTY);
	CHECK_STR_EQ(e.msg, "bucket 'b1' is not empty");
	CHECK_INT_EQ(ol_bucket_delete(st, "b3", &e), OL_ENOTEMPTY);
	CHECK_INT_EQ(ol_bucket_delete(st, "b2", &e), OL_OK);

	/* the stale-upload scan sees the two old ones, aborts them from the callback */
	s.st = st;
	CHECK_INT_EQ(ol_upload_list_older_than(st, cutoff, scan_cb, &s, &e), OL_OK);
	CHECK_INT_EQ(s.seen, 2);
	s.seen = 0;
	CHECK_INT_EQ(ol_upload_list_older_than(st, INT64_MAX, scan_cb, &s, &e), OL_OK);
	CHECK_INT_EQ(s.seen, 3);
	s.seen = 0;
	s.abort = true;
	CHECK_INT_EQ(ol_upload_list_older_than(st, cutoff, scan_cb, &s, &e), OL_OK);
	CHECK(s.seen == 2 && s.aborted == 2);
	CHECK_INT_EQ(ol_upload_get(st, "b1", "a", 1, young, NULL, &e), OL_OK);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 0);
	CHECK_INT_EQ(ol_bucket_delete(st, "b3", &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_delete(st, "b1", &e), OL_ENOTEMPTY);
	CHECK_INT_EQ(ol_upload_abort(st, "b1", "a", 1, young, &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_delete(st, "b1", &e), OL_OK);
	ol_store_close(st);
	fsck_clean("bucket and scan");
}

static int64_t
now_ns(void)
{
	struct timespec ts = { 0, 2000000 }, now;

	nanosleep(&ts, NULL);
	clock_gettime(CLOCK_REALTIME, &now);
	nanosleep(&ts, NULL);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* One part, completed: the version in *v. */
static void
upload_one(struct ol_store *st, const char *bucket, const char *key, const char *id,
           struct ol_version *v)
{
	struct ol_part p;
	struct ol_err e = { 0 };
	uint32_t pn = 1;
	uint8_t body[10];
	size_t bad;

	olt_fill(body, sizeof(body), 3);
	CHECK_INT_EQ(olt_part(st, bucket, key, id, 1, body, sizeof(body), 10, &p, &e), OL_OK);
	CHECK_INT_EQ(complete(st, bucket, key, id, &pn, &p, 1, v, &bad, &e), OL_OK);
}

static int
done_found(struct ol_store *st, const char *bucket, const char *key, const char *id,
           const char *want_vid)
{
	struct ol_version g;
	struct ol_err e = { 0 };
	int rc = ol_upload_done_get(st, bucket, key, strlen(key), id, NULL, 0, &g, &e);

	if (rc == OL_OK) {
		CHECK_STR_EQ(g.version_id, want_vid);
		ol_version_release(&g);
	}
	return rc;
}

/* Remembered completions: expiry by completion time (walking only uploads initiated before
 * the cutoff), a replaced null version, and no say in bucket delete or fsck. */
static void
test_done(void)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_version a, b, c, z;
	struct ol_err e = { 0 };
	char ida[OL_UPLOAD_ID_LEN + 1], idb[OL_UPLOAD_ID_LEN + 1], idc[OL_UPLOAD_ID_LEN + 1],
	        idz[OL_UPLOAD_ID_LEN + 1];
	uint64_t removed = 99;
	int64_t before, cutoff;

	olt_bucket(st, "dn", OL_VERSIONING_ENABLED);
	before = now_ns();
	create(st, "dn", "a", ida);
	create(st, "dn", "c", idc); /* initiated before the cutoff, completed after */
	upload_one(st, "dn", "a", ida, &a);
	cutoff = now_ns();
	create(st, "dn", "b", idb);
	upload_one(st, "dn", "b", idb, &b);
	upload_one(st, "dn", "c", idc, &c);

	CHECK_INT_EQ(ol_upload_done_expire(st, before, &removed, &e), OL_OK);
	CHECK_INT_EQ(removed, 0);
	CHECK_INT_EQ(ol_upload_done_expire(st, cutoff, &removed, &e), OL_OK);
	CHECK_INT_EQ(removed, 1);
	CHECK_INT_EQ(done_found(st, "dn", "a", ida, ""), OL_ENOTFOUND);
	CHECK_INT_EQ(done_found(st, "dn", "b", idb, b.version_id), OL_OK);
	CHECK_INT_EQ(done_found(st, "dn", "c", idc, c.version_id), OL_OK);
	/* the version outlives its completion record, of course */
	CHECK_INT_EQ(ol_version_get(st, "dn", "a", 1, a.version_id, &z, &e), OL_OK);
	ol_version_release(&z);

	/* a newer version on top: still found (newest first, within OL_DONE_SCAN_MAX) */
	CHECK_INT_EQ(olt_put_str(st, "dn", "b", "on top", &z), OL_OK);
	CHECK_INT_EQ(done_found(st, "dn", "b", idb, b.version_id), OL_OK);

	/* completions never hold up a bucket delete, nor survive into a bucket of the same
	 * name */
	CHECK_INT_EQ(ol_version_remove(st, "dn", "a", 1, a.version_id, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_version_remove(st, "dn", "b", 1, b.version_id, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_version_remove(st, "dn", "b", 1, z.version_id, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_version_remove(st, "dn", "c", 1, c.version_id, NULL, &e), OL_OK);
	ol_version_release(&z);
	CHECK_INT_EQ(ol_bucket_delete(st, "dn", &e), OL_OK);
	olt_bucket(st, "dn", OL_VERSIONING_ENABLED);
	CHECK_INT_EQ(done_found(st, "dn", "c", idc, ""), OL_ENOTFOUND);

	/* a null version replaced since: nothing to answer a retry with */
	olt_bucket(st, "dz", OL_VERSIONING_SUSPENDED);
	create(st, "dz", "k", idz);
	upload_one(st, "dz", "k", idz, &z);
	CHECK_STR_EQ(z.version_id, "null");
	CHECK_INT_EQ(done_found(st, "dz", "k", idz, "null"), OL_OK);
	ol_version_release(&z);
	CHECK_INT_EQ(olt_put_str(st, "dz", "k", "replaced", &z), OL_OK);
	CHECK_INT_EQ(done_found(st, "dz", "k", idz, ""), OL_ENOTFOUND);
	ol_version_release(&z);

	/* the rest expires: b, c, z */
	CHECK_INT_EQ(ol_upload_done_expire(st, INT64_MAX, &removed, &e), OL_OK);
	CHECK_INT_EQ(removed, 3);
	CHECK_INT_EQ(ol_upload_done_expire(st, INT64_MAX, &removed, &e), OL_OK);
	CHECK_INT_EQ(removed, 0);
	ol_version_release(&a);
	ol_version_release(&b);
	ol_version_release(&c);
	ol_store_close(st);
	fsck_clean("done");

	/* read-only: looked up, never expired */
	{
		struct ol_store_opts o = { .data_dir = dir, .read_only = true };

		CHECK_INT_EQ(ol_store_open(&o, &st, &e), OL_OK);
		CHECK_INT_EQ(ol_upload_done_expire(st, INT64_MAX, &removed, &e), OL_EINVAL);
		CHECK_STR_EQ(e.msg, "completion expiry: store is read-only");
		ol_store_close(st);
	}
}

/* Completing in a bucket that is not Enabled replaces the null version and unlinks its
 * blobs, parts included. */
static void
test_null_replace(void)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_version v, g;
	struct ol_part parts[2];
	struct ol_err e = { 0 };
	char id[OL_UPLOAD_ID_LEN + 1];
	uint8_t body[4000];
	uint32_t pns[2] = { 1, 2 };
	size_t bad;
	int round;

	olt_bucket(st, "nu", OL_VERSIONING_UNVERSIONED);
	olt_fill(body, sizeof(body), 1);
	CHECK_INT_EQ(olt_put(st, "nu", "k", 1, body, sizeof(body), 4000, &v, &e), OL_OK);
	ol_version_release(&v);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 1);
	for (round = 0; round < 3; round++) {
		create(st, "nu", "k", id);
		olt_fill(body, sizeof(body), (uint32_t)(10 + round));
		CHECK_INT_EQ(olt_part(st, "nu", "k", id, 1, body, 3000, 512, &parts[0], &e), OL_OK);
		CHECK_INT_EQ(olt_part(st, "nu", "k", id, 2, body + 3000, 1000, 512, &parts[1], &e),
		             OL_OK);
		CHECK_INT_EQ(complete(st, "nu", "k", id, pns, parts, 2, &v, &bad, &e), OL_OK);
		CHECK(v.is_null);
		CHECK_STR_EQ(v.version_id, "null");
		/* the previous null version (blob, then parts) is gone with its files */
		CHECK_INT_EQ(olt_count_files(dir, "blobs"), 2);
		CHECK_INT_EQ(ol_version_get(st, "nu", "k", 1, "null", &g, &e), OL_OK);
		check_bytes(st, &g, body, sizeof(body), 20, (uint32_t)round);
		ol_version_release(&g);
		ol_version_release(&v);
	}
	/* a plain put over a multipart null version unlinks all its parts */
	CHECK_INT_EQ(olt_put(st, "nu", "k", 1, body, 10, 10, &v, &e), OL_OK);
	ol_version_release(&v);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 0);
	ol_store_close(st);
	fsck_clean("null replace");
}

/* ---- fsck with uploads ---- */

static void
blob_path_of(const uint8_t id[OL_BLOB_ID_LEN], char out[256])
{
	char h[33];

	cr_hex_encode(id, OL_BLOB_ID_LEN, h);
	h[32] = '\0';
	snprintf(out, 256, "%s/blobs/%.2s/%.2s/%s", dir, h, h + 2, h);
}

static char found[4][256];
static size_t found_n;

static int
collect_blob(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_F && strstr(path, "/blobs/") && found_n < 4)
		snprintf(found[found_n++], 256, "%s", path);
	return 0;
}

static void
test_fsck_parts(void)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_fsck_report *r = calloc(1, sizeof(*r));
	struct ol_version v;
	struct ol_part parts[2];
	struct ol_err e = { 0 };
	char id[OL_UPLOAD_ID_LEN + 1], id2[OL_UPLOAD_ID_LEN + 1], path[256];
	uint8_t body[3000];
	uint32_t pns[2] = { 1, 2 };
	size_t bad;

	olt_bucket(st, "fk", OL_VERSIONING_ENABLED);
	olt_fill(body, sizeof(body), 3);
	create(st, "fk", "done", id);
	CHECK_INT_EQ(olt_part(st, "fk", "done", id, 1, body, 2000, 2000, &parts[0], &e), OL_OK);
	CHECK_INT_EQ(olt_part(st, "fk", "done", id, 2, body, 1000, 1000, &parts[1], &e), OL_OK);
	CHECK_INT_EQ(complete(st, "fk", "done", id, pns, parts, 2, &v, &bad, &e), OL_OK);
	create(st, "fk", "open", id2);
	CHECK_INT_EQ(olt_part(st, "fk", "open", id2, 7, body, 500, 500, NULL, &e), OL_OK);
	ol_store_close(st);
	CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_OK);
	CHECK(ol_fsck_report_clean(r));
	CHECK(r->blobs_referenced == 3 && r->blob_files == 3 && r->uploads == 1 && r->parts == 1);

	/* a missing part blob of the version is damage */
	blob_path_of(v.loc.parts[1].blob_id, path);
	CHECK_INT_EQ(unlink(path), 0);
	CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_ECORRUPT);
	CHECK_INT_EQ(r->missing_blobs, 1);
	CHECK(r->n_problems == 1 && strstr(r->problems[0], "missing blob") &&
	      strstr(r->problems[0], "part 2 of bucket 'fk' key 'done'"));
	/* a part blob of the wrong size too; an orphan is found and repaired */
	{
		FILE *f = fopen(path, "w");

		fputs("short", f);
		fclose(f);
	}
	CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_ECORRUPT);
	CHECK_INT_EQ(r->bad_blob_sizes, 1);
	CHECK_INT_EQ(truncate(path, 1000), 0);
	{
		char d[128];

		snprintf(d, sizeof(d), "%s/blobs/00/00", dir);
		mkdir(d, 0750);
		snprintf(path, sizeof(path), "%s/00000000000000000000000000000aaa", d);
		fclose(fopen(path, "w"));
	}
	CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_OK);
	CHECK_INT_EQ(r->orphan_blobs, 1);
	CHECK_INT_EQ(ol_fsck(dir, true, r, &e), OL_OK);
	CHECK_INT_EQ(r->orphans_removed, 1);
	CHECK(ol_fsck_report_clean(r));
	/* an open upload's part blob missing is damage too: it is the file no version names */
	found_n = 0;
	nftw(dir, collect_blob, 16, FTW_PHYS);
	CHECK_INT_EQ(found_n, 3);
	for (bad = 0; bad < found_n && bad < 4; bad++) {
		char a[256], b[256];

		blob_path_of(v.loc.parts[0].blob_id, a);
		blob_path_of(v.loc.parts[1].blob_id, b);
		if (strcmp(found[bad], a) != 0 && strcmp(found[bad], b) != 0)
			CHECK_INT_EQ(unlink(found[bad]), 0);
	}
	CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_ECORRUPT);
	CHECK_INT_EQ(r->missing_blobs, 1);
	CHECK(r->n_problems == 1 && strstr(r->problems[0], "bucket 'fk' key 'open' upload") &&
	      strstr(r->problems[0], "part 7"));
	/* abort cleans it up: the store is whole again */
	st = olt_open(dir, INLINE_MAX);
	CHECK_INT_EQ(ol_upload_abort(st, "fk", "open", 4, id2, &e), OL_OK);
	ol_store_close(st);
	fsck_clean("fsck parts");
	ol_version_release(&v);
	free(r);
}

/* ---- fault loops ---- */

static uint64_t attempts, failed, repaired;

/* After an attempt: fsck sees no damage; orphans only when the fault fired; repair
 * removes them all. */
static void
check_fsck(bool fired, const char *what, uint64_t n)
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
		fprintf(stderr, "  %s, N=%llu: %s\n", what, (unsigned long long)n, e.msg);
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

static void
check_failure(int rc, bool fired, const struct ol_err *e, enum ol_io_fault kind)
{
	failed++;
	CHECK(fired);
	CHECK_INT_EQ(e->rc, rc);
	CHECK(e->msg[0] != '\0');
	CHECK_INT_EQ(rc, kind == OL_IO_FAULT_ENOSPC ? OL_ENOSPC : OL_EIO);
}

/* Re-upload part 1 of an upload under a fault: afterwards part 1 is the new body or the
 * old one, whole; at the end the upload completes to the last acknowledged body. */
static void
part_loop(enum ol_io_fault kind)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_part cur, p;
	struct ol_version v;
	struct ol_err e = { 0 };
	char id[OL_UPLOAD_ID_LEN + 1];
	uint8_t body[2500], acked[2500];
	uint32_t pn1 = 1;
	uint64_t n;
	bool done = false;
	size_t bad;

	olt_bucket(st, "pf", OL_VERSIONING_ENABLED);
	create(st, "pf", "k", id);
	olt_fill(acked, sizeof(acked), 1);
	CHECK_INT_EQ(olt_part(st, "pf", "k", id, 1, acked, sizeof(acked), 2500, &cur, &e), OL_OK);
	for (n = 1; n < 100 && !done; n++) {
		bool fired;
		int rc;

		olt_fill(body, sizeof(body), (uint32_t)(100 + n));
		memset(&e, 0, sizeof(e));
		ol_io_fault_set(n, kind);
		rc = olt_part(st, "pf", "k", id, 1, body, sizeof(body), 2500, &p, &e);
		fired = ol_io_fault_fired();
		ol_io_fault_set(0, OL_IO_FAULT_NONE);
		ol_store_close(st);
		attempts++;
		if (rc != OL_OK)
			check_failure(rc, fired, &e, kind);
		check_fsck(fired, "part commit", n);
		st = olt_open(dir, INLINE_MAX);
		if (rc == OL_OK) {
			cur = p;
			memcpy(acked, body, sizeof(body));
		}
		CHECK_INT_EQ(ol_part_get(st, "pf", "k", 1, id, 1, &p, &e), OL_OK);
		CHECK_STR_EQ(p.etag, cur.etag);
		CHECK_INT_EQ(olt_count_files(dir, "blobs"), 1);
		done = !fired;
	}
	CHECK(done);
	CHECK_INT_EQ(complete(st, "pf", "k", id, &pn1, &cur, 1, &v, &bad, &e), OL_OK);
	check_bytes(st, &v, acked, sizeof(acked), 0, 0);
	ol_version_release(&v);
	ol_store_close(st);
}

/* Complete under a fault, in an unversioned bucket so a multipart null version is
 * replaced each time: afterwards either the new version is there whole and the upload gone,
 * or the upload is intact and the previous version still reads. */
static void
complete_loop(enum ol_io_fault kind)
{
	struct ol_store *st = olt_open(dir, INLINE_MAX);
	struct ol_version v, g;
	struct ol_err e = { 0 };
	uint8_t prev[3000], body[3000];
	uint32_t pns[2] = { 1, 3 };
	uint64_t n;
	bool done = false;
	size_t bad;

	olt_bucket(st, "cf", OL_VERSIONING_SUSPENDED);
	olt_fill(prev, sizeof(prev), 7);
	CHECK_INT_EQ(olt_put(st, "cf", "k", 1, prev, sizeof(prev), 3000, &v, &e), OL_OK);
	ol_version_release(&v);
	for (n = 1; n < 100 && !done; n++) {
		char id[OL_UPLOAD_ID_LEN + 1];
		struct ol_part parts[3];
		bool fired;
		int rc;

		/* parts 1 and 3 listed, 2 not (its blob goes after the commit) */
		create(st, "cf", "k", id);
		olt_fill(body, sizeof(body), (uint32_t)(200 + n));
		CHECK_INT_EQ(olt_part(st, "cf", "k", id, 1, body, 1000, 1000, &parts[0], &e), OL_OK);
		CHECK_INT_EQ(olt_part(st, "cf", "k", id, 2, body, 10, 10, &parts[1], &e), OL_OK);
		CHECK_INT_EQ(olt_part(st, "cf", "k", id, 3, body + 1000, 2000, 2000, &parts[2], &e),
		             OL_OK);
		parts[1] = parts[2];
		memset(&e, 0, sizeof(e));
		ol_io_fault_set(n, kind);
		rc = complete(st, "cf", "k", id, pns, parts, 2, &v, &bad, &e);
		fired = ol_io_fault_fired();
		ol_io_fault_set(0, OL_IO_FAULT_NONE);
		ol_store_close(st);
		attempts++;
		if (rc != OL_OK)
			check_failure(rc, fired, &e, kind);
		check_fsck(fired, "complete", n);
		st = olt_open(dir, INLINE_MAX);
		CHECK_INT_EQ(ol_version_get(st, "cf", "k", 1, NULL, &g, &e), OL_OK);
		if (rc == OL_OK) {
			CHECK(g.loc.kind == OL_LOC_PARTS && g.is_null);
			check_bytes(st, &g, body, sizeof(body), 5, (uint32_t)n);
			CHECK_INT_EQ(ol_upload_get(st, "cf", "k", 1, id, NULL, &e), OL_ENOTFOUND);
			CHECK_INT_EQ(olt_count_files(dir, "blobs"), 2);
			memcpy(prev, body, sizeof(body));
			ol_version_release(&v);
		} else {
			check_bytes(st, &g, prev, sizeof(prev), 5, (uint32_t)n);
			CHECK_INT_EQ(ol_upload_get(st, "cf", "k", 1, id, NULL, &e), OL_OK);
			CHECK_INT_EQ(ol_upload_abort(st, "cf", "k", 1, id, &e), OL_OK);
		}
		ol_version_release(&g);
		done = !fired;
	}
	CHECK(done);
	ol_store_close(st);
}

static void
test_faults(void)
{
	enum ol_io_fault kinds[] = { OL_IO_FAULT_EIO, OL_IO_FAULT_ENOSPC, OL_IO_FAULT_SHORT };
	size_t k;

	/* Each attempt costs a close, a repair fsck and a reopen (fsync-bound). A complete
	 * writes no data, so a short write there is only an EIO at the commit point: two
	 * kinds for it, all three for the part, which streams a body. */
	for (k = 0; k < 3; k++) {
		part_loop(kinds[k]);
		olt_rmrf(dir);
		olt_tmpdir(dir);
		if (kinds[k] == OL_IO_FAULT_SHORT)
			continue;
		complete_loop(kinds[k]);
		olt_rmrf(dir);
		olt_tmpdir(dir);
	}
	fprintf(stderr, "objectlock-multipart: %llu faulted attempts, %llu failed, %llu fscks "
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
	} t[] = { T(test_flow), T(test_many_parts), T(test_abort), T(test_complete_refusals),
	          T(test_race), T(test_list_uploads), T(test_bucket_and_scan),
	          T(test_done), T(test_null_replace), T(test_fsck_parts), T(test_faults) };
#undef T
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		olt_tmpdir(dir);
		t[i].fn();
		olt_rmrf(dir);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(stderr, "%s: %s %.2f s\n", "objectlock-multipart", t[i].name,
		        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	return check_done("objectlock-multipart");
}
