/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multipart uploads (S3.md 7): upload and part records in the uploads column family, part
 * bodies in blob files, and completion as one write batch that turns the listed parts'
 * blob files into an OL_LOC_PARTS version without copying a byte. Every change to one
 * upload (part commit, complete, abort) holds the key's stripe lock and re-reads the upload
 * record under it: that is what makes exactly one of racing completes/aborts win, and a
 * part that arrives after the end refused instead of left dangling.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "io.h"
#include "store.h"

/* ---- helpers ---- */

/* An id the store could have issued; anything else is simply not an upload of ours. */
static bool
parse_uid(const char *upload_id, uint8_t uid[OL_IID_LEN])
{
	if (!upload_id)
		return false;
	return ol_iid_from_text(upload_id, strnlen(upload_id, OL_UPLOAD_ID_LEN + 1), uid);
}

/* Read and decode the upload record at @uk. OL_ENOTFOUND quiet. @out may be NULL. */
static int
upload_read_at(struct ol_store *st, const struct ol_kbuf *uk, const uint8_t uid[OL_IID_LEN],
               struct ol_upload *out, struct ol_err *err)
{
	struct ol_upload u;
	char *val = NULL, id[OL_UPLOAD_ID_LEN + 1];
	size_t vlen = 0;
	int rc;

	rc = ol_db_get(st, OL_CF_UPLOADS, uk->b, uk->n, &val, &vlen, err);
	if (rc != OL_OK)
		return rc;
	rc = ol_upload_decode(val, vlen, &u, err);
	rocksdb_free(val);
	if (rc != OL_OK)
		return rc;
	ol_iid_to_text(uid, id);
	if (strcmp(id, u.upload_id) != 0) {
		ol_upload_release(&u);
		return ol_err_set(err, OL_ECORRUPT, "upload record under another id");
	}
	if (out)
		*out = u;
	else
		ol_upload_release(&u);
	return OL_OK;
}

/* Decode a part record found at a key naming part @pn. */
static int
part_decode_at(const void *val, size_t vlen, uint32_t pn, struct ol_part_rec *out,
               struct ol_err *err)
{
	struct ol_part_rec r;
	int rc = ol_part_decode(val, vlen, &r, err);

	if (rc != OL_OK)
		return rc;
	if (r.p.part_number != pn)
		return ol_err_set(err, OL_ECORRUPT, "part record %u filed under part %u",
		                  (unsigned)r.p.part_number, (unsigned)pn);
	*out = r;
	return OL_OK;
}

static int
part_read(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
          const uint8_t uid[OL_IID_LEN], uint32_t pn, struct ol_part_rec *out,
          struct ol_err *err)
{
	struct ol_kbuf pk;
	char *val = NULL;
	size_t vlen = 0;
	int rc;

	ol_kb_part(&pk, bucket, key, keylen, uid, pn);
	rc = ol_db_get(st, OL_CF_UPLOADS, pk.b, pk.n, &val, &vlen, err);
	if (rc != OL_OK)
		return rc;
	rc = part_decode_at(val, vlen, pn, out, err);
	rocksdb_free(val);
	return rc;
}

/* The part number of a key inside upload range @uk, or 0 for anything else. */
static uint32_t
part_of_key(const struct ol_kbuf *uk, const char *k, size_t kl)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t pn;

	if (kl != uk->n + 2 || memcmp(p, uk->b, uk->n) != 0)
		return 0;
	pn = ((uint32_t)p[uk->n] << 8) | p[uk->n + 1];
	return pn <= OL_PART_NUMBER_MAX ? pn : 0;
}

/* A growable list of blob ids to unlink after a commit. */
struct idlist {
	uint8_t (*ids)[OL_BLOB_ID_LEN];
	size_t n, cap;
};

static bool
idlist_add(struct idlist *l, const uint8_t id[OL_BLOB_ID_LEN])
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		uint8_t (*ids)[OL_BLOB_ID_LEN] = realloc(l->ids, cap * sizeof(*ids));

		if (!ids)
			return false;
		l->ids = ids;
		l->cap = cap;
	}
	memcpy(l->ids[l->n++], id, OL_BLOB_ID_LEN);
	return true;
}

static void
idlist_unlink(struct ol_store *st, const struct idlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		ol_unlink_blob(st, l->ids[i]);
}

static uint64_t
get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
put_be(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = n; i > 0; i--) {
		p[i - 1] = (uint8_t)v;
		v >>= 8;
	}
}

/* ---- create / get ---- */

int
ol_upload_create(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                 const struct ol_version *tmpl, char upload_id_out[OL_UPLOAD_ID_LEN + 1],
                 struct ol_err *err)
{
	rocksdb_writebatch_t *wb = NULL;
	struct ol_upload u;
	struct ol_bucket b;
	struct ol_kbuf uk;
	uint8_t uid[OL_IID_LEN], *enc = NULL;
	size_t enclen = 0;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (!tmpl)
		return ol_err_set(err, OL_EINVAL, "upload create: template missing");
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "upload create: store is read-only");
	rc = ol_iid_next(NULL, uid, err);
	if (rc != OL_OK)
		return rc;
	/* a shallow copy of the caller's metadata without the store fields; only read */
	memset(&u, 0, sizeof(u));
	u.tmpl = *tmpl;
	memset(u.tmpl.version_id, 0, sizeof(u.tmpl.version_id));
	memset(u.tmpl.iid, 0, OL_IID_LEN);
	u.tmpl.is_null = u.tmpl.is_delete_marker = false;
	u.tmpl.size_bytes = 0;
	u.tmpl.created_ns = 0;
	memset(&u.tmpl.loc, 0, sizeof(u.tmpl.loc));
	ol_iid_to_text(uid, u.upload_id);
	u.initiated_ns = ol_now_ns();
	rc = ol_upload_encode(&u, &enc, &enclen, err);
	if (rc != OL_OK)
		return rc;

	/* under the bucket lock: a bucket delete sees the upload or the create fails */
	pthread_rwlock_rdlock(&st->bucket_lock);
	rc = ol_bucket_read(st, bucket, &b, err);
	if (rc == OL_ENOTFOUND)
		rc = ol_err_set(err, OL_ENOTFOUND, "bucket '%s' does not exist", bucket);
	if (rc == OL_OK) {
		ol_kb_upload(&uk, bucket, key, keylen, uid);
		wb = rocksdb_writebatch_create();
		rocksdb_writebatch_put_cf(wb, st->cf[OL_CF_UPLOADS], (const char *)uk.b, uk.n,
		                          (const char *)enc, enclen);
		rc = ol_db_write(st, wb, "upload create", err);
	}
	pthread_rwlock_unlock(&st->bucket_lock);
	if (wb)
		rocksdb_writebatch_destroy(wb);
	free(enc);
	if (rc == OL_OK)
		memcpy(upload_id_out, u.upload_id, OL_UPLOAD_ID_LEN + 1);
	return rc;
}

int
ol_upload_get(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
              const char *upload_id, struct ol_upload *out, struct ol_err *err)
{
	uint8_t uid[OL_IID_LEN];
	struct ol_kbuf uk;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (!parse_uid(upload_id, uid))
		return ol_err_quiet(err, OL_ENOTFOUND);
	ol_kb_upload(&uk, bucket, key, keylen, uid);
	return upload_read_at(st, &uk, uid, out, err);
}

/* ---- parts ---- */

int
ol_part_begin(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
              const char *upload_id, uint32_t part_number, struct ol_put **out,
              struct ol_err *err)
{
	struct ol_put *p = NULL;
	uint8_t uid[OL_IID_LEN];
	struct ol_kbuf uk;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (part_number == 0 || part_number > OL_PART_NUMBER_MAX)
		return ol_err_set(err, OL_EINVAL, "part number %u outside 1..%d",
		                  (unsigned)part_number, OL_PART_NUMBER_MAX);
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "part: store is read-only");
	if (!parse_uid(upload_id, uid))
		return ol_err_quiet(err, OL_ENOTFOUND);
	/* Early NoSuchUpload before the body is read; commit checks again. */
	ol_kb_upload(&uk, bucket, key, keylen, uid);
	rc = upload_read_at(st, &uk, uid, NULL, err);
	if (rc != OL_OK)
		return rc;
	rc = ol_put_begin(st, bucket, key, keylen, &p, err);
	if (rc != OL_OK)
		return rc;
	p->is_part = true;
	memcpy(p->uid, uid, OL_IID_LEN);
	p->part_number = part_number;
	*out = p;
	return OL_OK;
}

static int
check_part_meta(const struct ol_part_meta *m, struct ol_err *err)
{
	if (!m)
		return ol_err_set(err, OL_EINVAL, "part commit: metadata missing");
	if (!m->etag || m->etag_len == 0 || m->etag_len > OL_PART_ETAG_MAX)
		return ol_err_set(err, OL_EINVAL, "part commit: etag of %zu bytes (1..%d)",
		                  m->etag ? m->etag_len : 0, OL_PART_ETAG_MAX);
	if (memchr(m->etag, 0, m->etag_len))
		return ol_err_set(err, OL_EINVAL, "part commit: NUL byte inside the etag");
	if ((unsigned)m->cksum_alg > OL_CKSUM_SHA256 ||
	    m->cksum_len != ol_cksum_len_of(m->cksum_alg))
		return ol_err_set(err, OL_EINVAL, "part commit: checksum of %zu bytes for %s",
		                  m->cksum_len, m->cksum_alg == OL_CKSUM_NONE ? "no algorithm"
		                                : cr_cksum_name((enum cr_cksum_alg)m->cksum_alg));
	return OL_OK;
}

int
ol_part_commit(struct ol_put *put, const struct ol_part_meta *m, struct ol_part *out,
               struct ol_err *err)
{
	struct ol_store *st = put->st;
	rocksdb_writebatch_t *wb = NULL;
	pthread_mutex_t *mu = NULL;
	struct ol_part_rec rec, old;
	struct ol_kbuf uk, pk;
	uint8_t enc[OL_PART_REC_MAX];
	char final[OL_PATH_MAX] = "", id[OL_UPLOAD_ID_LEN + 1];
	bool attempted = false, have_old = false, placed = false;
	int rc, n;

	if (put->failed.rc) {
		rc = ol_put_fail(put, put->failed.rc, &put->failed, err);
		goto out;
	}
	if (!put->is_part) {
		rc = ol_err_set(err, OL_EINVAL, "part commit: not a part (use ol_put_commit)");
		goto out;
	}
	if ((rc = check_part_meta(m, err)) != OL_OK)
		goto out;
	/* a part of 0 bytes is a blob file of 0 bytes: never inline */
	if (put->fd < 0 && (rc = ol_put_spill(put, err)) != OL_OK)
		goto out;
	memset(&rec, 0, sizeof(rec));
	rec.p.part_number = put->part_number;
	rec.p.size_bytes = put->size;
	memcpy(rec.p.etag, m->etag, m->etag_len);
	memcpy(rec.p.md5, m->md5, OL_MD5_LEN);
	rec.p.cksum_alg = m->cksum_alg;
	memcpy(rec.p.cksum, m->cksum, m->cksum_len);
	rec.p.cksum_len = m->cksum_len;
	memcpy(rec.blob_id, put->blob_id, OL_BLOB_ID_LEN);

	rc = ol_put_place(put, final, err);
	if (rc != OL_OK) {
		/* renamed but not durable: nothing refers to it, remove it */
		if (!put->tmp_path[0] && final[0])
			ol_io_unlink(final);
		goto out;
	}
	placed = true;

	mu = ol_stripe(st, put->bucket, put->key, put->keylen);
	pthread_rwlock_rdlock(&st->bucket_lock);
	pthread_mutex_lock(mu);
	ol_kb_upload(&uk, put->bucket, put->key, put->keylen, put->uid);
	rc = upload_read_at(st, &uk, put->uid, NULL, err);
	if (rc == OL_ENOTFOUND) {
		ol_iid_to_text(put->uid, id);
		rc = ol_err_set(err, OL_ENOTFOUND, "upload '%s' was completed or aborted", id);
	}
	if (rc != OL_OK)
		goto unlock;
	rc = part_read(st, put->bucket, put->key, put->keylen, put->uid, put->part_number, &old,
	               err);
	if (rc == OL_OK)
		have_old = true;
	/* A damaged earlier record is replaced all the same; its blob stays for fsck. */
	else if (rc != OL_ENOTFOUND && rc != OL_ECORRUPT)
		goto unlock;
	rec.p.created_ns = ol_now_ns();
	n = ol_part_encode(&rec, enc, err);
	if (n < 0) {
		rc = n;
		goto unlock;
	}
	ol_kb_part(&pk, put->bucket, put->key, put->keylen, put->uid, put->part_number);
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_put_cf(wb, st->cf[OL_CF_UPLOADS], (const char *)pk.b, pk.n,
	                          (const char *)enc, (size_t)n);
	attempted = true;
	rc = ol_db_write(st, wb, "part commit", err);
unlock:
	pthread_mutex_unlock(mu);
	pthread_rwlock_unlock(&st->bucket_lock);
out:
	if (rc == OL_OK) {
		/* the replaced part's bytes: only after the new record is durable */
		if (have_old && memcmp(old.blob_id, rec.blob_id, OL_BLOB_ID_LEN) != 0)
			ol_unlink_blob(st, old.blob_id);
		if (out)
			*out = rec.p;
	} else if (placed && !attempted) {
		/* nobody can refer to the blob: the upload ended, or the write never started */
		ol_io_unlink(final);
	}
	if (wb)
		rocksdb_writebatch_destroy(wb);
	ol_put_free(put);
	return rc;
}

int
ol_part_get(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
            const char *upload_id, uint32_t part_number, struct ol_part *out,
            struct ol_err *err)
{
	struct ol_part_rec r;
	uint8_t uid[OL_IID_LEN];
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (part_number == 0 || part_number > OL_PART_NUMBER_MAX)
		return ol_err_set(err, OL_EINVAL, "part number %u outside 1..%d",
		                  (unsigned)part_number, OL_PART_NUMBER_MAX);
	if (!parse_uid(upload_id, uid))
		return ol_err_quiet(err, OL_ENOTFOUND);
	/* part records never outlive their upload: finding one is enough */
	rc = part_read(st, bucket, key, keylen, uid, part_number, &r, err);
	if (rc == OL_OK)
		*out = r.p;
	return rc;
}

int
ol_part_list(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
             const char *upload_id, uint32_t part_marker, uint32_t max_parts, ol_part_cb cb,
             void *ctx, struct ol_part_list_result *out, struct ol_err *err)
{
	struct ol_part_list_result res = { 0 };
	struct ol_iter it = { 0 };
	struct ol_kbuf uk, up, start;
	uint8_t uid[OL_IID_LEN];
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (!cb)
		return ol_err_set(err, OL_EINVAL, "part list: callback missing");
	if (!parse_uid(upload_id, uid))
		return ol_err_quiet(err, OL_ENOTFOUND);
	ol_kb_upload(&uk, bucket, key, keylen, uid);
	rc = upload_read_at(st, &uk, uid, NULL, err);
	if (rc != OL_OK)
		return rc;
	if (max_parts == 0 || part_marker >= OL_PART_NUMBER_MAX)
		goto done;
	up = uk;
	ol_kb_successor(&up);
	ol_kb_part(&start, bucket, key, keylen, uid, part_marker + 1);
	rc = ol_iter_open(st, OL_CF_UPLOADS, up.b, up.n, &it, err);
	if (rc != OL_OK)
		return rc;
	for (rocksdb_iter_seek(it.it, (const char *)start.b, start.n); rocksdb_iter_valid(it.it);
	     rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		uint32_t pn = part_of_key(&uk, kp, kl);
		struct ol_part_rec r;
		int cr;

		if (pn == 0) {
			rc = ol_err_set(err, OL_ECORRUPT, "part list: bad part key of %zu bytes", kl);
			goto out;
		}
		if (res.count >= max_parts) {
			res.is_truncated = true;
			break;
		}
		rc = part_decode_at(vp, vl, pn, &r, err);
		if (rc != OL_OK)
			goto out;
		cr = cb(ctx, &r.p);
		if (cr < 0) {
			rc = cr;
			goto out;
		}
		res.count++;
		res.next_part_marker = pn;
		if (cr > 0) {
			res.is_truncated = true;
			break;
		}
	}
	if (!res.is_truncated) {
		rc = ol_iter_status(&it, "part list", err);
		if (rc != OL_OK)
			goto out;
	}
done:
	if (!res.is_truncated)
		res.next_part_marker = 0;
	*out = res;
	rc = OL_OK;
out:
	if (it.it)
		ol_iter_close(&it);
	return rc;
}

/* ---- abort ---- */

int
ol_upload_abort(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                const char *upload_id, struct ol_err *err)
{
	rocksdb_writebatch_t *wb = NULL;
	pthread_mutex_t *mu;
	struct ol_iter it = { 0 };
	struct idlist blobs = { 0 };
	struct ol_kbuf uk, up;
	struct ol_err e = { 0 };
	uint8_t uid[OL_IID_LEN];
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "upload abort: store is read-only");
	if (!parse_uid(upload_id, uid))
		return ol_err_quiet(err, OL_ENOTFOUND);
	ol_kb_upload(&uk, bucket, key, keylen, uid);
	up = uk;
	ol_kb_successor(&up);
	mu = ol_stripe(st, bucket, key, keylen);
	pthread_rwlock_rdlock(&st->bucket_lock);
	pthread_mutex_lock(mu);
	rc = upload_read_at(st, &uk, uid, NULL, &e);
	if (rc == OL_ECORRUPT)
		rc = OL_OK; /* a damaged upload record can still be aborted */
	if (rc != OL_OK) {
		if (err)
			*err = e;
		goto out;
	}
	/* the upload record and all its parts: one contiguous range */
	rc = ol_iter_open(st, OL_CF_UPLOADS, up.b, up.n, &it, err);
	if (rc != OL_OK)
		goto out;
	wb = rocksdb_writebatch_create();
	for (rocksdb_iter_seek(it.it, (const char *)uk.b, uk.n); rocksdb_iter_valid(it.it);
	     rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		struct ol_part_rec r;

		rocksdb_writebatch_delete_cf(wb, st->cf[OL_CF_UPLOADS], kp, kl);
		if (kl == uk.n)
			continue;
		/* a damaged part record still names its blob if its bytes parse */
		if (ol_part_salvage(vp, vl, &r) == OL_OK && !idlist_add(&blobs, r.blob_id)) {
			rc = ol_err_set(err, OL_ENOMEM, "upload abort: out of memory");
			goto out;
		}
	}
	rc = ol_iter_status(&it, "upload abort", err);
	if (rc == OL_OK)
		rc = ol_db_write(st, wb, "upload abort", err);
out:
	pthread_mutex_unlock(mu);
	pthread_rwlock_unlock(&st->bucket_lock);
	ol_iter_close(&it);
	if (wb)
		rocksdb_writebatch_destroy(wb);
	if (rc == OL_OK)
		idlist_unlink(st, &blobs);
	free(blobs.ids);
	return rc;
}

/* ---- complete ---- */

/* ETags as S3 compares them: one pair of quotes ignored, hex without case. */
static bool
etag_match(const char *stored, const char *given, size_t glen)
{
	size_t sl = strlen(stored);

	if (glen >= 2 && given[0] == '"' && given[glen - 1] == '"') {
		given++;
		glen -= 2;
	}
	if (sl >= 2 && stored[0] == '"' && stored[sl - 1] == '"') {
		stored++;
		sl -= 2;
	}
	return sl == glen && strncasecmp(stored, given, sl) == 0;
}

static int
complete_check_list(const struct ol_complete_part *parts, size_t n, size_t *bad,
                    bool *have_bad, struct ol_err *err)
{
	size_t i;

	if (!parts || n == 0 || n > OL_PARTS_MAX)
		return ol_err_set(err, OL_EINVAL, "complete: %zu parts listed (1..%d)", n,
		                  OL_PARTS_MAX);
	for (i = 0; i < n; i++) {
		*bad = i;
		*have_bad = true;
		if (parts[i].part_number == 0 || parts[i].part_number > OL_PART_NUMBER_MAX) {
			return ol_err_set(err, OL_EINVAL, "complete: part number %u outside 1..%d",
			                  (unsigned)parts[i].part_number, OL_PART_NUMBER_MAX);
		}
		if (i && parts[i].part_number <= parts[i - 1].part_number)
			return ol_err_set(err, OL_EPARTORDER,
			                  "complete: part %u listed after part %u",
			                  (unsigned)parts[i].part_number,
			                  (unsigned)parts[i - 1].part_number);
	}
	*have_bad = false;
	return OL_OK;
}

/* The digest a completion record keeps of the part list it was given: SHA-256 over each
 * part's number and ETag, the ETag as etag_match compares it (one pair of quotes dropped,
 * hex lower-cased), so the same list sent again gives the same digest. */
static int
parts_digest(const struct ol_complete_part *parts, size_t n, uint8_t out[32],
             struct ol_err *err)
{
	struct cr_hash h;
	uint8_t head[8], low[64];
	size_t i, k, m;

	if (cr_hash_init(&h, CR_HASH_SHA256) != CR_OK)
		return ol_err_set(err, OL_ENOMEM, "complete: out of memory");
	for (i = 0; i < n; i++) {
		const char *e = parts[i].etag ? parts[i].etag : "";
		size_t el = parts[i].etag ? parts[i].etag_len : 0;

		if (el >= 2 && e[0] == '"' && e[el - 1] == '"') {
			e++;
			el -= 2;
		}
		put_be(head, parts[i].part_number, 4);
		put_be(head + 4, el, 4);
		cr_hash_update(&h, head, sizeof(head));
		for (k = 0; k < el; k += m) {
			m = el - k < sizeof(low) ? el - k : sizeof(low);
			for (size_t j = 0; j < m; j++) {
				char c = e[k + j];

				low[j] = (uint8_t)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
			}
			cr_hash_update(&h, low, m);
		}
	}
	cr_hash_final(&h, out);
	cr_hash_release(&h);
	return OL_OK;
}

int
ol_upload_complete(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                   const char *upload_id, const struct ol_complete_part *parts, size_t n,
                   struct ol_version *v, size_t *bad_part_out, struct ol_err *err)
{
	rocksdb_writebatch_t *wb = NULL;
	pthread_mutex_t *mu;
	struct ol_commit_out co = { 0 };
	struct ol_iter it = { 0 };
	struct idlist unlisted = { 0 };
	struct ol_loc_part *lp = NULL;
	struct ol_version rec;
	struct ol_done_rec done;
	struct ol_kbuf uk, up, dk;
	uint8_t uid[OL_IID_LEN], denc[OL_DONE_REC_LEN];
	uint64_t sum = 0;
	size_t j = 0, bad = 0;
	bool have_bad = false;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (!v)
		return ol_err_set(err, OL_EINVAL, "complete: version missing");
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "complete: store is read-only");
	rc = complete_check_list(parts, n, &bad, &have_bad, err);
	if (rc != OL_OK)
		goto out_nolock;
	if (!parse_uid(upload_id, uid))
		return ol_err_quiet(err, OL_ENOTFOUND);
	rc = parts_digest(parts, n, done.parts_digest, err);
	if (rc != OL_OK)
		return rc;
	lp = calloc(n, sizeof(*lp));
	if (!lp)
		return ol_err_set(err, OL_ENOMEM, "complete: out of memory");
	ol_kb_upload(&uk, bucket, key, keylen, uid);
	up = uk;
	ol_kb_successor(&up);

	mu = ol_stripe(st, bucket, key, keylen);
	pthread_rwlock_rdlock(&st->bucket_lock);
	pthread_mutex_lock(mu);
	/* under the lock: whoever got here first may have completed or aborted it */
	rc = upload_read_at(st, &uk, uid, NULL, err);
	if (rc != OL_OK)
		goto out;
	rc = ol_iter_open(st, OL_CF_UPLOADS, up.b, up.n, &it, err);
	if (rc != OL_OK)
		goto out;
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_delete_cf(wb, st->cf[OL_CF_UPLOADS], (const char *)uk.b, uk.n);
	/* one walk over the stored parts (ascending), merged with the ascending list */
	rocksdb_iter_seek(it.it, (const char *)uk.b, uk.n);
	if (rocksdb_iter_valid(it.it))
		rocksdb_iter_next(it.it); /* the upload record itself */
	for (; rocksdb_iter_valid(it.it); rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		uint32_t pn = part_of_key(&uk, kp, kl);
		struct ol_part_rec r;

		if (pn == 0) {
			rc = ol_err_set(err, OL_ECORRUPT, "complete: bad part key of %zu bytes", kl);
			goto out;
		}
		rocksdb_writebatch_delete_cf(wb, st->cf[OL_CF_UPLOADS], kp, kl);
		if (j < n && parts[j].part_number < pn) {
			bad = j;
			have_bad = true;
			rc = ol_err_set(err, OL_EBADPART, "complete: part %u was not uploaded",
			                (unsigned)parts[j].part_number);
			goto out;
		}
		rc = part_decode_at(vp, vl, pn, &r, err);
		if (rc != OL_OK)
			goto out;
		if (j < n && parts[j].part_number == pn) {
			if (!parts[j].etag || !etag_match(r.p.etag, parts[j].etag, parts[j].etag_len)) {
				bad = j;
				have_bad = true;
				rc = ol_err_set(err, OL_EBADPART,
				                "complete: part %u has etag '%.64s', not the one listed",
				                (unsigned)pn, r.p.etag);
				goto out;
			}
			if (sum + r.p.size_bytes < sum) {
				rc = ol_err_set(err, OL_E2BIG, "complete: part sizes overflow");
				goto out;
			}
			lp[j].part_number = pn;
			memcpy(lp[j].blob_id, r.blob_id, OL_BLOB_ID_LEN);
			lp[j].size_bytes = r.p.size_bytes;
			lp[j].off = sum;
			/* kept in the version's algorithm only: the record holds one algorithm */
			if (v->cksum_alg != OL_CKSUM_NONE && r.p.cksum_alg == v->cksum_alg) {
				memcpy(lp[j].cksum, r.p.cksum, r.p.cksum_len);
				lp[j].cksum_len = r.p.cksum_len;
			}
			sum += r.p.size_bytes;
			j++;
		} else if (!idlist_add(&unlisted, r.blob_id)) {
			rc = ol_err_set(err, OL_ENOMEM, "complete: out of memory");
			goto out;
		}
	}
	rc = ol_iter_status(&it, "complete", err);
	if (rc != OL_OK)
		goto out;
	if (j < n) {
		bad = j;
		have_bad = true;
		rc = ol_err_set(err, OL_EBADPART, "complete: part %u was not uploaded",
		                (unsigned)parts[j].part_number);
		goto out;
	}

	/* remembered in the batch that creates the version (ol_upload_done_get) */
	ol_kb_done(&dk, uid);
	memcpy(done.blob_id, lp[0].blob_id, OL_BLOB_ID_LEN);
	done.completed_ns = ol_now_ns();
	ol_done_encode(&done, denc);
	rocksdb_writebatch_put_cf(wb, st->cf[OL_CF_META], (const char *)dk.b, dk.n,
	                          (const char *)denc, sizeof(denc));

	/* A shallow copy: the caller's metadata with the store's fields. */
	rec = *v;
	rec.is_delete_marker = false;
	rec.size_bytes = sum;
	memset(&rec.loc, 0, sizeof(rec.loc));
	rec.loc.kind = OL_LOC_PARTS;
	rec.loc.parts = lp;
	rec.loc.n_parts = (uint32_t)n;
	rc = ol_index_commit_locked(st, bucket, key, keylen, &rec, wb, &co, err);
	if (rc == OL_OK) {
		lp = NULL; /* moves to v below */
		ol_version_adopt(v, &rec);
	}
out:
	pthread_mutex_unlock(mu);
	pthread_rwlock_unlock(&st->bucket_lock);
	ol_iter_close(&it);
	if (wb)
		rocksdb_writebatch_destroy(wb);
	if (rc == OL_OK) {
		/* not listed: discarded (S3 7.4); a failure leaves orphans for fsck */
		idlist_unlink(st, &unlisted);
		ol_commit_out_finish(st, &co, true);
	}
	free(unlisted.ids);
	free(lp);
out_nolock:
	if (have_bad && bad_part_out)
		*bad_part_out = bad;
	return rc;
}

/* ---- completions remembered (a retried Complete answers the same) ---- */

/* The version of (@bucket, @key) whose first part is blob @id, among the newest
 * OL_DONE_SCAN_MAX: the record names no version id, because the id is picked inside the
 * commit that writes the record with the version (put.c). Newest first: a retry comes
 * soon after the completion, whose version is then usually the newest. */
static int
done_find_version(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                  const uint8_t id[OL_BLOB_ID_LEN], struct ol_version *out, struct ol_err *err)
{
	struct ol_iter it = { 0 };
	struct ol_kbuf obj, up;
	unsigned seen = 0;
	int rc;

	ol_kb_object(&obj, bucket, key, keylen);
	up = obj;
	ol_kb_successor(&up);
	rc = ol_iter_open(st, OL_CF_VERSIONS, up.b, up.n, &it, err);
	if (rc != OL_OK)
		return rc;
	for (rocksdb_iter_seek(it.it, (const char *)obj.b, obj.n);
	     rocksdb_iter_valid(it.it) && seen < OL_DONE_SCAN_MAX; rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0;
		const char *vp = rocksdb_iter_value(it.it, &vl);
		struct ol_version v;

		/* esc() leaves no 0x00 inside a key, so [obj, successor(obj)) holds exactly this
		 * key's versions; a key of another length is damage fsck reports */
		(void)rocksdb_iter_key(it.it, &kl);
		seen++;
		if (kl != obj.n + OL_IID_LEN)
			continue;
		rc = ol_version_decode(vp, vl, &v, err);
		if (rc == OL_ECORRUPT)
			continue; /* fsck names it; it cannot be the version looked for anyway */
		if (rc != OL_OK)
			goto out;
		if (v.loc.kind == OL_LOC_PARTS &&
		    memcmp(v.loc.parts[0].blob_id, id, OL_BLOB_ID_LEN) == 0) {
			*out = v;
			goto out;
		}
		ol_version_release(&v);
	}
	rc = seen < OL_DONE_SCAN_MAX ? ol_iter_status(&it, "completion lookup", err) : OL_OK;
	if (rc == OL_OK)
		rc = ol_err_quiet(err, OL_ENOTFOUND);
out:
	ol_iter_close(&it);
	return rc;
}

int
ol_upload_done_get(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                   const char *upload_id, const struct ol_complete_part *parts, size_t n,
                   struct ol_version *out, struct ol_err *err)
{
	struct ol_done_rec d;
	struct ol_kbuf dk;
	uint8_t uid[OL_IID_LEN], digest[32];
	char *val = NULL;
	size_t vlen = 0;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if ((parts && !n) || (n && !parts) || n > OL_PARTS_MAX)
		return ol_err_set(err, OL_EINVAL, "completion lookup: %zu parts listed", n);
	if (!parse_uid(upload_id, uid))
		return ol_err_quiet(err, OL_ENOTFOUND);
	ol_kb_done(&dk, uid);
	rc = ol_db_get(st, OL_CF_META, dk.b, dk.n, &val, &vlen, err);
	if (rc != OL_OK)
		return rc;
	rc = ol_done_decode(val, vlen, &d, err);
	rocksdb_free(val);
	if (rc != OL_OK)
		return rc;
	if (parts) {
		rc = parts_digest(parts, n, digest, err);
		if (rc != OL_OK)
			return rc;
		if (memcmp(digest, d.parts_digest, sizeof(digest)) != 0)
			return ol_err_set(err, OL_EBADPART, "upload '%.32s' was completed with another "
			                  "part list", upload_id);
	}
	return done_find_version(st, bucket, key, keylen, d.blob_id, out, err);
}

int
ol_upload_done_expire(struct ol_store *st, int64_t cutoff_ns, uint64_t *removed_out,
                      struct ol_err *err)
{
	rocksdb_writebatch_t *wb = NULL;
	struct ol_iter it = { 0 };
	struct ol_kbuf lo, up;
	uint64_t removed = 0;
	uint8_t t[8];
	size_t pending = 0;
	int rc;

	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "completion expiry: store is read-only");
	/* upload ids begin with their initiation time (big-endian ns), and an upload completes
	 * after it began: nothing from @cutoff_ns on can have completed before it */
	ol_kb_reset(&lo);
	ol_kb_raw(&lo, OL_DONE_KEY_PREFIX, sizeof(OL_DONE_KEY_PREFIX) - 1);
	up = lo;
	put_be(t, cutoff_ns > 0 ? (uint64_t)cutoff_ns : 0, sizeof(t));
	ol_kb_raw(&up, t, sizeof(t));
	rc = ol_iter_open(st, OL_CF_META, up.b, up.n, &it, err);
	if (rc != OL_OK)
		goto out;
	wb = rocksdb_writebatch_create();
	for (rocksdb_iter_seek(it.it, (const char *)lo.b, lo.n); rocksdb_iter_valid(it.it);
	     rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		struct ol_done_rec d;

		/* a damaged record is of no use to a retry: it goes too */
		if (ol_done_decode(vp, vl, &d, NULL) == OL_OK && d.completed_ns >= cutoff_ns)
			continue;
		rocksdb_writebatch_delete_cf(wb, st->cf[OL_CF_META], kp, kl);
		/* bounded batches: a long-idle store may have many */
		if (++pending == 1000) {
			rc = ol_db_write(st, wb, "completion expiry", err);
			if (rc != OL_OK)
				goto out;
			removed += pending;
			pending = 0;
			rocksdb_writebatch_clear(wb);
		}
	}
	rc = ol_iter_status(&it, "completion expiry", err);
	if (rc == OL_OK && pending) {
		rc = ol_db_write(st, wb, "completion expiry", err);
		if (rc == OL_OK)
			removed += pending;
	}
out:
	if (wb)
		rocksdb_writebatch_destroy(wb);
	ol_iter_close(&it);
	if (removed_out)
		*removed_out = removed;
	return rc;
}

/* ---- what the gateway computes from the parts (S3.md 3.6, 7.4) ---- */

void
ol_parts_etag(const struct ol_part *parts, size_t n, char out[OL_MULTIPART_ETAG_MAX + 1])
{
	struct cr_hash h;
	uint8_t md5[OL_MD5_LEN];
	char hex[2 * OL_MD5_LEN + 1];
	size_t i;

	/* one MD5 over the raw part MD5s; EVP cannot fail on MD5 short of memory, and then the
	 * digest of nothing is still a well-formed ETag the client will simply not match */
	memset(md5, 0, sizeof(md5));
	if (cr_hash_init(&h, CR_HASH_MD5) == CR_OK) {
		for (i = 0; i < n; i++)
			cr_hash_update(&h, parts[i].md5, OL_MD5_LEN);
		cr_hash_final(&h, md5);
		cr_hash_release(&h);
	}
	cr_hex_encode(md5, OL_MD5_LEN, hex);
	hex[2 * OL_MD5_LEN] = '\0';
	snprintf(out, OL_MULTIPART_ETAG_MAX + 1, "%s-%zu", hex, n);
}

int
ol_parts_checksum(const struct ol_part *parts, size_t n, enum ol_cksum_alg alg,
                  enum ol_cksum_type type, uint8_t out[OL_CKSUM_MAX], size_t *outlen,
                  size_t *bad_part_out, struct ol_err *err)
{
	struct cr_cksum c;
	size_t len = ol_cksum_len_of(alg), i;
	uint8_t v[OL_CKSUM_MAX];
	uint64_t crc = 0;
	const char *name = cr_cksum_name((enum cr_cksum_alg)alg);

	if (alg == OL_CKSUM_NONE || !name || n == 0 || !parts)
		return ol_err_set(err, OL_EINVAL, "parts checksum: no algorithm or no parts");
	if (type == OL_CKSUM_FULL_OBJECT &&
	    (alg == OL_CKSUM_SHA1 || alg == OL_CKSUM_SHA256))
		return ol_err_set(err, OL_EINVAL,
		                  "parts checksum: the FULL_OBJECT checksum type cannot be used with "
		                  "the %s algorithm", name);
	if (type == OL_CKSUM_COMPOSITE && alg == OL_CKSUM_CRC64NVME)
		return ol_err_set(err, OL_EINVAL,
		                  "parts checksum: the COMPOSITE checksum type cannot be used with "
		                  "the %s algorithm", name);
	if (type != OL_CKSUM_FULL_OBJECT && type != OL_CKSUM_COMPOSITE)
		return ol_err_set(err, OL_EINVAL, "parts checksum: no checksum type");
	for (i = 0; i < n; i++) {
		if (parts[i].cksum_alg != alg || parts[i].cksum_len != len) {
			if (bad_part_out)
				*bad_part_out = i;
			return ol_err_set(err, OL_EINVAL, "parts checksum: part %u has no %s checksum",
			                  (unsigned)parts[i].part_number, name);
		}
	}
	if (type == OL_CKSUM_COMPOSITE) {
		/* H(raw_1 || ... || raw_n); the "-n" suffix is the caller's to print */
		if (cr_cksum_init(&c, (enum cr_cksum_alg)alg) != CR_OK)
			return ol_err_set(err, OL_ENOMEM, "parts checksum: out of memory");
		for (i = 0; i < n; i++)
			cr_cksum_update(&c, parts[i].cksum, len);
		cr_cksum_final(&c, v);
		cr_cksum_release(&c);
	} else {
		/* the CRC of the whole object, combined from the parts' CRCs and sizes */
		for (i = 0; i < n; i++) {
			uint64_t p = get_be(parts[i].cksum, len);

			if (i == 0)
				crc = p;
			else if (alg == OL_CKSUM_CRC32)
				crc = cr_crc32_combine((uint32_t)crc, (uint32_t)p, parts[i].size_bytes);
			else if (alg == OL_CKSUM_CRC32C)
				crc = cr_crc32c_combine((uint32_t)crc, (uint32_t)p, parts[i].size_bytes);
			else
				crc = cr_crc64nvme_combine(crc, p, parts[i].size_bytes);
		}
		put_be(v, crc, len);
	}
	memcpy(out, v, len);
	*outlen = len;
	return OL_OK;
}

/* ---- listing ---- */

struct uwalk {
	struct ol_store *st;
	const struct ol_upload_list_opts *o;
	ol_upload_list_cb cb;
	void *ctx;
	struct ol_upload_list_result res;
	struct ol_iter it;
	struct ol_kbuf bpfx;     /* esc(bucket) 0x00 */
	uint8_t key[OL_KEY_MAX]; /* current key, unescaped */
	size_t keylen;
	bool stop;
};

static int
cmp_bytes(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static int
uemit(struct uwalk *w, const uint8_t *key, size_t keylen, const struct ol_upload *u)
{
	struct ol_upload_entry e;
	int r;

	if (w->res.count >= w->o->max_uploads) {
		w->res.is_truncated = true;
		w->stop = true;
		return OL_OK;
	}
	e.key = (const char *)key;
	e.keylen = keylen;
	e.is_prefix = u == NULL;
	e.u = u;
	r = w->cb(w->ctx, &e);
	if (r < 0)
		return r;
	w->res.count++;
	memcpy(w->res.next_key_marker, key, keylen);
	w->res.next_key_marker_len = keylen;
	if (u)
		memcpy(w->res.next_upload_id_marker, u->upload_id, OL_UPLOAD_ID_LEN + 1);
	else
		w->res.next_upload_id_marker[0] = '\0';
	if (r > 0) {
		w->res.is_truncated = true;
		w->stop = true;
	}
	return OL_OK;
}

static int
uwalk_run(struct uwalk *w, struct ol_err *err)
{
	const struct ol_upload_list_opts *o = w->o;
	struct ol_kbuf target;
	char q[80];
	int rc;

	while (!w->stop && rocksdb_iter_valid(w->it.it)) {
		size_t kl = 0, vl = 0, used = 0, rest;
		const uint8_t *k = (const uint8_t *)rocksdb_iter_key(w->it.it, &kl);
		const char *vp;
		struct ol_upload u;

		if (kl >= w->bpfx.n && memcmp(k, w->bpfx.b, w->bpfx.n) == 0)
			used = ol_unesc(k + w->bpfx.n, kl - w->bpfx.n, w->key, sizeof(w->key),
			                &w->keylen);
		rest = used ? kl - w->bpfx.n - used : 0;
		if (used == 0 || w->keylen == 0 || (rest != OL_IID_LEN && rest != OL_IID_LEN + 2)) {
			ol_quote(q, sizeof(q), k, kl);
			return ol_err_set(err, OL_ECORRUPT, "upload list: bad index key '%s'", q);
		}
		if (o->delimiter_len && w->keylen > o->prefix_len) {
			const uint8_t *d = memmem(w->key + o->prefix_len, w->keylen - o->prefix_len,
			                          o->delimiter, o->delimiter_len);

			if (d) {
				size_t cplen = (size_t)(d - w->key) + o->delimiter_len;

				target = w->bpfx;
				ol_kb_esc(&target, w->key, cplen);
				ol_kb_successor(&target);
				/* a prefix not after the marker was returned on an earlier page */
				if (!o->key_marker_len ||
				    cmp_bytes(w->key, cplen, o->key_marker, o->key_marker_len) > 0) {
					rc = uemit(w, w->key, cplen, NULL);
					if (rc != OL_OK || w->stop)
						return rc;
				}
				rocksdb_iter_seek(w->it.it, (const char *)target.b, target.n);
				continue;
			}
		}
		/* skip the upload's parts (or a stray part) with one seek, whatever follows */
		ol_kb_reset(&target);
		ol_kb_raw(&target, k, kl - rest + OL_IID_LEN);
		ol_kb_successor(&target);
		if (rest == OL_IID_LEN) {
			vp = rocksdb_iter_value(w->it.it, &vl);
			rc = ol_upload_decode(vp, vl, &u, err);
			if (rc != OL_OK) {
				ol_quote(q, sizeof(q), w->key, w->keylen);
				if (rc == OL_ECORRUPT)
					ol_err_set(err, rc, "upload list: upload record of key '%s' is damaged",
					           q);
				return rc;
			}
			rc = uemit(w, w->key, w->keylen, &u);
			ol_upload_release(&u);
			if (rc != OL_OK || w->stop)
				return rc;
		}
		rocksdb_iter_seek(w->it.it, (const char *)target.b, target.n);
	}
	if (!w->stop || !rocksdb_iter_valid(w->it.it))
		return ol_iter_status(&w->it, "upload list", err);
	return OL_OK;
}

int
ol_upload_list(struct ol_store *st, const struct ol_upload_list_opts *o, ol_upload_list_cb cb,
               void *ctx, struct ol_upload_list_result *out, struct ol_err *err)
{
	struct uwalk *w = NULL;
	struct ol_bucket b;
	struct ol_kbuf s, mk, upper;
	uint8_t uid[OL_IID_LEN];
	int rc;

	if (!o || !cb)
		return ol_err_set(err, OL_EINVAL, "upload list: options missing");
	if (o->prefix_len > OL_KEY_MAX || o->key_marker_len > OL_KEY_MAX ||
	    o->delimiter_len > OL_KEY_MAX)
		return ol_err_set(err, OL_EINVAL,
		                  "upload list: prefix, delimiter or marker above %d bytes",
		                  OL_KEY_MAX);
	if ((o->prefix_len && !o->prefix) || (o->key_marker_len && !o->key_marker) ||
	    (o->delimiter_len && !o->delimiter))
		return ol_err_set(err, OL_EINVAL, "upload list: NULL with a length");
	if (o->upload_id_marker) {
		if (!o->key_marker_len)
			return ol_err_set(err, OL_EINVAL,
			                  "upload list: upload-id marker without key marker");
		if (!parse_uid(o->upload_id_marker, uid))
			return ol_err_set(err, OL_EINVAL, "upload list: bad upload-id marker '%.40s'",
			                  o->upload_id_marker);
	}
	rc = ol_bucket_read(st, o->bucket, &b, err);
	if (rc != OL_OK)
		return rc;
	w = calloc(1, sizeof(*w));
	if (!w)
		return ol_err_set(err, OL_ENOMEM, "upload list: out of memory");
	w->st = st;
	w->o = o;
	w->cb = cb;
	w->ctx = ctx;
	if (o->max_uploads == 0)
		goto done;
	ol_kb_bucket(&w->bpfx, o->bucket);
	upper = w->bpfx;
	ol_kb_esc(&upper, o->prefix, o->prefix_len);
	ol_kb_successor(&upper);
	s = w->bpfx;
	ol_kb_esc(&s, o->prefix, o->prefix_len);
	if (o->key_marker_len) {
		mk = w->bpfx;
		ol_kb_esc(&mk, o->key_marker, o->key_marker_len);
		if (o->upload_id_marker) {
			/* strictly after that upload and its parts */
			ol_kb_byte(&mk, 0x00);
			ol_kb_raw(&mk, uid, OL_IID_LEN);
			ol_kb_successor(&mk);
		} else {
			ol_kb_byte(&mk, 0x01); /* after every upload of the marker key */
		}
		if (cmp_bytes(mk.b, mk.n, s.b, s.n) > 0)
			s = mk;
	}
	rc = ol_iter_open(st, OL_CF_UPLOADS, upper.b, upper.n, &w->it, err);
	if (rc != OL_OK)
		goto out;
	rocksdb_iter_seek(w->it.it, (const char *)s.b, s.n);
	rc = uwalk_run(w, err);
	if (rc != OL_OK)
		goto out;
done:
	if (!w->res.is_truncated) {
		w->res.next_key_marker_len = 0;
		w->res.next_upload_id_marker[0] = '\0';
	}
	*out = w->res;
out:
	if (w->it.it)
		ol_iter_close(&w->it);
	free(w);
	return rc;
}

int
ol_upload_list_older_than(struct ol_store *st, int64_t cutoff_ns, ol_upload_scan_cb cb,
                          void *ctx, struct ol_err *err)
{
	char bucket[OL_BUCKET_NAME_MAX + 1];
	uint8_t *key = NULL, uid[OL_IID_LEN];
	struct ol_iter it = { 0 };
	struct ol_kbuf next;
	uint64_t damaged = 0;
	int rc;

	if (!cb)
		return ol_err_set(err, OL_EINVAL, "upload scan: callback missing");
	key = malloc(OL_KEY_MAX);
	if (!key)
		return ol_err_set(err, OL_ENOMEM, "upload scan: out of memory");
	rc = ol_iter_open(st, OL_CF_UPLOADS, NULL, 0, &it, err);
	if (rc != OL_OK)
		goto out;
	rocksdb_iter_seek_to_first(it.it);
	while (rocksdb_iter_valid(it.it)) {
		size_t kl = 0, vl = 0, keylen = 0, ulen = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		uint32_t pn = 0;
		struct ol_upload u;
		int r;

		if (!ol_ukey_parse((const uint8_t *)kp, kl, bucket, key, &keylen, uid, &pn, &ulen)) {
			damaged++;
			rocksdb_iter_next(it.it);
			continue;
		}
		if (pn == 0) {
			if (ol_upload_decode(vp, vl, &u, NULL) != OL_OK) {
				damaged++;
			} else {
				r = u.initiated_ns < cutoff_ns ? cb(ctx, bucket, key, keylen, &u) : 0;
				ol_upload_release(&u);
				if (r < 0) {
					rc = r;
					goto out;
				}
				if (r > 0)
					goto out;
			}
		}
		/* past this upload's parts: the work follows the uploads, not the parts */
		ol_kb_reset(&next);
		ol_kb_raw(&next, kp, ulen);
		ol_kb_successor(&next);
		rocksdb_iter_seek(it.it, (const char *)next.b, next.n);
	}
	rc = ol_iter_status(&it, "upload scan", err);
	if (rc == OL_OK && damaged)
		rc = ol_err_set(err, OL_ECORRUPT,
		                "upload scan: %llu damaged upload record(s) skipped (see fsck)",
		                (unsigned long long)damaged);
out:
	ol_iter_close(&it);
	free(key);
	return rc;
}
