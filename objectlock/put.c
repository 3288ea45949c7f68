/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The write path: PUT (inline or blob), delete markers, and version removal. Every index
 * change is one synced write batch made under the key's stripe lock, so that picking the
 * version id, finding the null version and writing are one step per key. Multipart
 * completion (multipart.c) and copies (clone.c) commit their versions through the same
 * ol_index_commit_locked. Object Lock is judged in the same step, on the record just read
 * (policy.c): the removal of a version, and the null version a write would replace.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "io.h"
#include "store.h"

int
ol_put_begin(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
             struct ol_put **out, struct ol_err *err)
{
	struct ol_bucket b;
	struct ol_put *p;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "put: store is read-only");
	/* Early answer for NoSuchBucket before the body is read; commit checks again. */
	rc = ol_bucket_read(st, bucket, &b, err);
	if (rc != OL_OK)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ol_err_set(err, OL_ENOMEM, "put: out of memory");
	p->st = st;
	memcpy(p->bucket, bucket, strlen(bucket) + 1);
	memcpy(p->key, key, keylen);
	p->keylen = keylen;
	p->fd = -1;
	*out = p;
	return OL_OK;
}

uint64_t
ol_put_size(const struct ol_put *put)
{
	return put->size;
}

int
ol_put_fail(struct ol_put *put, int rc, const struct ol_err *e, struct ol_err *err)
{
	if (e)
		put->failed = *e;
	else
		ol_err_set(&put->failed, rc, "put failed");
	put->failed.rc = rc;
	if (err)
		*err = put->failed;
	return rc;
}

/* Move the buffered body to a temp file: from here on memory stays flat. */
int
ol_put_spill(struct ol_put *put, struct ol_err *err)
{
	char hex[2 * OL_BLOB_ID_LEN + 1];
	int fd;

	if (cr_random_bytes(put->blob_id, sizeof(put->blob_id)) != CR_OK)
		return ol_err_set(err, OL_ERR, "put: no random bytes for a blob id");
	ol_blob_hex(put->blob_id, hex);
	if (!ol_pathf(put->tmp_path, "%s/tmp/%s", put->st->data_dir, hex)) {
		put->tmp_path[0] = '\0';
		return ol_err_set(err, OL_EINVAL, "temp blob path too long");
	}
	fd = ol_io_open(put->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		int e = errno;

		put->tmp_path[0] = '\0';
		return ol_err_sys(err, e, "create temp blob '%s/tmp/%s'", put->st->data_dir, hex);
	}
	put->fd = fd;
	if (put->buflen && ol_io_write_all(fd, put->buf, put->buflen) != 0)
		return ol_err_sys(err, errno, "write temp blob '%s'", put->tmp_path);
	free(put->buf);
	put->buf = NULL;
	put->buflen = put->bufcap = 0;
	return OL_OK;
}

int
ol_put_write(struct ol_put *put, const void *p, size_t n, struct ol_err *err)
{
	struct ol_err e = { 0 };
	int rc;

	if (put->failed.rc)
		return ol_put_fail(put, put->failed.rc, &put->failed, err);
	if (n == 0)
		return OL_OK;
	if (put->size + n < put->size)
		return ol_put_fail(put, OL_E2BIG, NULL, err);
	/* parts never go inline: a multipart object is a list of blob files */
	if (put->fd < 0 && !put->is_part && put->size + n <= put->st->inline_max) {
		size_t need = put->buflen + n;

		if (need > put->bufcap) {
			size_t cap = put->bufcap ? put->bufcap : 4096;
			uint8_t *nb;

			while (cap < need)
				cap *= 2;
			if (cap > put->st->inline_max)
				cap = (size_t)put->st->inline_max;
			nb = realloc(put->buf, cap);
			if (!nb) {
				ol_err_set(&e, OL_ENOMEM, "put: out of memory");
				return ol_put_fail(put, OL_ENOMEM, &e, err);
			}
			put->buf = nb;
			put->bufcap = cap;
		}
		memcpy(put->buf + put->buflen, p, n);
		put->buflen += n;
		put->size += n;
		return OL_OK;
	}
	if (put->fd < 0) {
		rc = ol_put_spill(put, &e);
		if (rc != OL_OK)
			return ol_put_fail(put, rc, &e, err);
	}
	if (ol_io_write_all(put->fd, p, n) != 0) {
		rc = ol_err_sys(&e, errno, "write temp blob '%s'", put->tmp_path);
		return ol_put_fail(put, rc, &e, err);
	}
	put->size += n;
	return OL_OK;
}

void
ol_put_free(struct ol_put *put)
{
	if (put->fd >= 0)
		ol_io_close(put->fd);
	if (put->tmp_path[0])
		ol_io_unlink(put->tmp_path); /* best effort; the next open sweeps tmp/ */
	free(put->buf);
	free(put);
}

void
ol_put_abort(struct ol_put *put)
{
	if (put)
		ol_put_free(put);
}

int
ol_blob_prepare(struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN], char final[OL_PATH_MAX],
                char leaf[OL_PATH_MAX], struct ol_err *err)
{
	char d1[OL_PATH_MAX];

	if (!ol_blob_dir(st, id, 1, d1) || !ol_blob_dir(st, id, 2, leaf) ||
	    !ol_blob_path(st, id, final))
		return ol_err_set(err, OL_EINVAL, "blob path too long");
	if (ol_io_mkdir(leaf, 0750) != 0 && errno != EEXIST) {
		/* the first level is made at open; recreate it if someone removed it */
		if (errno != ENOENT || (ol_io_mkdir(d1, 0750) != 0 && errno != EEXIST) ||
		    (ol_io_mkdir(leaf, 0750) != 0 && errno != EEXIST))
			return ol_err_sys(err, errno, "mkdir '%s'", leaf);
	}
	/* Always, not only when we created the leaf: a concurrent put may have created it and
	 * not yet made its entry durable. Cheap when nothing is dirty. */
	if (ol_io_fsync_dir(d1) != 0)
		return ol_err_sys(err, errno, "fsync '%s'", d1);
	return OL_OK;
}

/* fsync the temp blob, move it to blobs/xx/yy/, make the move durable. */
int
ol_put_place(struct ol_put *put, char final[OL_PATH_MAX], struct ol_err *err)
{
	char d2[OL_PATH_MAX];
	int fd = put->fd, rc;

	put->fd = -1;
	if (ol_io_fsync(fd) != 0) {
		int e = errno;

		ol_io_close(fd);
		return ol_err_sys(err, e, "fsync temp blob '%s'", put->tmp_path);
	}
	ol_io_close(fd);
	rc = ol_blob_prepare(put->st, put->blob_id, final, d2, err);
	if (rc != OL_OK) {
		final[0] = '\0';
		return rc;
	}
	if (ol_io_rename(put->tmp_path, final) != 0)
		return ol_err_sys(err, errno, "rename '%s' to '%s'", put->tmp_path, final);
	put->tmp_path[0] = '\0';
	if (ol_io_fsync_dir(d2) != 0)
		return ol_err_sys(err, errno, "fsync '%s'", d2);
	return OL_OK;
}

int
ol_newest_iid(struct ol_store *st, const struct ol_kbuf *obj, uint8_t iid[OL_IID_LEN],
              bool *found, struct ol_err *err)
{
	struct ol_iter it = { 0 };
	struct ol_kbuf up = *obj;
	int rc;

	*found = false;
	ol_kb_successor(&up);
	rc = ol_iter_open(st, OL_CF_VERSIONS, up.b, up.n, &it, err);
	if (rc != OL_OK)
		return rc;
	rocksdb_iter_seek(it.it, (const char *)obj->b, obj->n);
	if (rocksdb_iter_valid(it.it)) {
		size_t kl = 0, i;
		const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it.it, &kl);

		if (kl != obj->n + OL_IID_LEN) {
			rc = ol_err_set(err, OL_ECORRUPT, "version key of %zu bytes", kl);
		} else {
			for (i = 0; i < OL_IID_LEN; i++)
				iid[i] = (uint8_t)~k[obj->n + i];
			*found = true;
		}
	} else {
		rc = ol_iter_status(&it, "newest version", err);
	}
	ol_iter_close(&it);
	return rc;
}

/*
 * Object Lock state of a version being committed to bucket @b (S3.md 8.3): never on a delete
 * marker; in a lock bucket a version created without an explicit retention
 * receives the bucket's default rule, counted from its creation as the compliance clock sees
 * it, so a wall clock set back cannot shorten it. A legal-hold-only request still gets the
 * default. Every creating path (PutObject, CopyObject, CompleteMultipartUpload) commits here.
 */
static void
stamp_lock_state(struct ol_store *st, const struct ol_bucket *b, struct ol_version *rec)
{
	int64_t base;

	if (rec->is_delete_marker) {
		rec->lock_mode = OL_LOCK_NONE;
		rec->retain_until_ns = 0;
		rec->legal_hold = rec->legal_hold_set = false;
		return;
	}
	if (!b->lock_enabled || rec->lock_mode != OL_LOCK_NONE ||
	    b->default_rule.mode == OL_LOCK_NONE)
		return;
	base = ol_clock_now(st);
	if (base < rec->created_ns)
		base = rec->created_ns;
	rec->lock_mode = b->default_rule.mode;
	rec->retain_until_ns = ol_lock_rule_until(&b->default_rule, base);
}

int
ol_index_commit_locked(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                       struct ol_version *rec, rocksdb_writebatch_t *wb,
                       struct ol_commit_out *co, struct ol_err *err)
{
	struct ol_kbuf obj, vk, oldk;
	struct ol_bucket b;
	uint8_t newest[OL_IID_LEN], old_iid[OL_IID_LEN];
	uint8_t *enc = NULL;
	size_t enclen = 0;
	char *ov = NULL;
	size_t ovlen = 0;
	bool have_newest = false, have_old = false;
	int rc;

	ol_version_init(&co->old);
	rc = ol_bucket_read(st, bucket, &b, err);
	if (rc == OL_ENOTFOUND)
		rc = ol_err_set(err, OL_ENOTFOUND, "bucket '%s' does not exist", bucket);
	if (rc != OL_OK)
		goto out;
	if (rec->is_delete_marker && b.versioning == OL_VERSIONING_UNVERSIONED) {
		rc = ol_err_set(err, OL_EINVAL,
		                "bucket '%s' is unversioned: remove the null version instead", bucket);
		goto out;
	}
	rec->is_null = b.versioning != OL_VERSIONING_ENABLED;

	ol_kb_object(&obj, bucket, key, keylen);
	rc = ol_newest_iid(st, &obj, newest, &have_newest, err);
	if (rc != OL_OK)
		goto out;
	rc = ol_iid_next(have_newest ? newest : NULL, rec->iid, err);
	if (rc != OL_OK)
		goto out;
	rec->created_ns = ol_now_ns();
	stamp_lock_state(st, &b, rec);

	if (rec->is_null) {
		rc = ol_resolve_vid(st, bucket, key, keylen, "null", old_iid, err);
		if (rc == OL_OK)
			have_old = true;
		else if (rc != OL_ENOTFOUND)
			goto out;
	}
	if (have_old) {
		ol_kb_version(&oldk, bucket, key, keylen, old_iid);
		rc = ol_db_get(st, OL_CF_VERSIONS, oldk.b, oldk.n, &ov, &ovlen, err);
		if (rc == OL_OK) {
			/* Object Lock: replacing the null version destroys it, so it is judged as a
			 * removal (lock.c). An unreadable record cannot be judged: it is kept, and
			 * the write refused, rather than destroy what may be locked. */
			if (ol_version_decode(ov, ovlen, &co->old, NULL) != OL_OK) {
				char q[72];

				ol_version_init(&co->old);
				ol_quote(q, sizeof(q), key, keylen);
				rc = ol_err_set(err, OL_ECORRUPT, "null version of key '%s' in bucket '%s' is "
				                "damaged: not replaced", q, bucket);
				goto out;
			}
			rc = ol_check_null_replace(st, bucket, key, keylen, &co->old, err);
			if (rc != OL_OK)
				goto out;
		} else if (rc != OL_ENOTFOUND) {
			goto out;
		}
		rc = OL_OK;
	}

	rc = ol_version_encode(rec, &enc, &enclen, err);
	if (rc != OL_OK)
		goto out;
	ol_kb_version(&vk, bucket, key, keylen, rec->iid);
	if (have_old)
		rocksdb_writebatch_delete_cf(wb, st->cf[OL_CF_VERSIONS], (const char *)oldk.b,
		                             oldk.n);
	rocksdb_writebatch_put_cf(wb, st->cf[OL_CF_VERSIONS], (const char *)vk.b, vk.n,
	                          (const char *)enc, enclen);
	if (rec->is_null)
		rocksdb_writebatch_put_cf(wb, st->cf[OL_CFI_NULLV], (const char *)obj.b, obj.n,
		                          (const char *)rec->iid, OL_IID_LEN);
	co->attempted = true;
	rc = ol_db_write(st, wb, "put", err);
	/* Object Lock, defence in depth: a version committed locked gets read-only, immutable
	 * blob files, before the key's lock is released (lock.c) */
	if (rc == OL_OK && ol_locked(rec, ol_clock_now(st)))
		ol_blobs_protect(st, rec);
out:
	if (rc != OL_OK)
		ol_version_release(&co->old);
	free(enc);
	rocksdb_free(ov);
	return rc;
}

int
ol_index_commit(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                struct ol_version *rec, struct ol_commit_out *co, struct ol_err *err)
{
	pthread_mutex_t *mu = ol_stripe(st, bucket, key, keylen);
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	int rc;

	pthread_rwlock_rdlock(&st->bucket_lock);
	pthread_mutex_lock(mu);
	rc = ol_index_commit_locked(st, bucket, key, keylen, rec, wb, co, err);
	pthread_mutex_unlock(mu);
	pthread_rwlock_unlock(&st->bucket_lock);
	rocksdb_writebatch_destroy(wb);
	return rc;
}

void
ol_unlink_blob(struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN])
{
	char path[OL_PATH_MAX];

	/* After the commit: a failure here leaves an orphan for fsck, never a dangling record. */
	if (!ol_blob_path(st, id, path))
		return;
	/* EPERM: the blob of a once-locked version still carries the immutable flag. Every
	 * caller removes a record the policy let go (or one that never was locked), so the flag
	 * is lifted here, just before the unlink (lock.c). */
	if (ol_io_unlink(path) != 0 && errno == EPERM)
		ol_unlink_immutable(st, path);
}

void
ol_unlink_version_blobs(struct ol_store *st, const struct ol_version *v)
{
	uint32_t i;

	if (v->loc.kind == OL_LOC_BLOB)
		ol_unlink_blob(st, v->loc.blob_id);
	else if (v->loc.kind == OL_LOC_PARTS)
		for (i = 0; i < v->loc.n_parts; i++)
			ol_unlink_blob(st, v->loc.parts[i].blob_id);
}

void
ol_commit_out_finish(struct ol_store *st, struct ol_commit_out *co, bool committed)
{
	if (committed)
		ol_unlink_version_blobs(st, &co->old);
	ol_version_release(&co->old);
}

void
ol_version_adopt(struct ol_version *v, struct ol_version *rec)
{
	free(v->loc.inline_data);
	free(v->loc.parts);
	if (rec->is_null)
		memcpy(v->version_id, "null", 5);
	else
		ol_iid_to_text(rec->iid, v->version_id);
	memcpy(v->iid, rec->iid, OL_IID_LEN);
	v->is_null = rec->is_null;
	v->is_delete_marker = false;
	v->size_bytes = rec->size_bytes;
	v->created_ns = rec->created_ns;
	/* the bucket's default retention, when the store applied it */
	v->lock_mode = rec->lock_mode;
	v->retain_until_ns = rec->retain_until_ns;
	v->loc = rec->loc;
	memset(&rec->loc, 0, sizeof(rec->loc));
}

int
ol_put_commit(struct ol_put *put, struct ol_version *v, struct ol_err *err)
{
	struct ol_store *st = put->st;
	struct ol_commit_out co = { 0 };
	struct ol_version rec;
	char final[OL_PATH_MAX] = "";
	bool blob = put->fd >= 0;
	int rc;

	if (put->failed.rc) {
		rc = ol_put_fail(put, put->failed.rc, &put->failed, err);
		goto out;
	}
	if (put->is_part) {
		rc = ol_err_set(err, OL_EINVAL, "put commit: a part is committed with ol_part_commit");
		goto out;
	}
	if (blob) {
		rc = ol_put_place(put, final, err);
		if (rc != OL_OK) {
			/* renamed but not durable: nothing refers to it, remove it */
			if (!put->tmp_path[0] && final[0])
				ol_io_unlink(final);
			goto out;
		}
	}
	/* A shallow copy: the caller's metadata with the store's fields. */
	rec = *v;
	rec.is_delete_marker = false;
	rec.size_bytes = put->size;
	memset(&rec.loc, 0, sizeof(rec.loc));
	if (blob) {
		rec.loc.kind = OL_LOC_BLOB;
		memcpy(rec.loc.blob_id, put->blob_id, OL_BLOB_ID_LEN);
		rec.loc.blob_len = put->size;
	} else {
		rec.loc.kind = OL_LOC_INLINE;
		rec.loc.inline_data = put->buf;
		rec.loc.inline_len = put->buflen;
	}
	rc = ol_index_commit(st, put->bucket, put->key, put->keylen, &rec, &co, err);
	if (rc != OL_OK) {
		/* Before the index write was tried nobody can refer to the blob: remove it.
		 * After a failed write, RocksDB may still have persisted it: keep the bytes. */
		if (blob && !co.attempted)
			ol_io_unlink(final);
		goto out;
	}
	ol_commit_out_finish(st, &co, true);
	ol_version_adopt(v, &rec);
	if (!blob)
		put->buf = NULL; /* now owned by v */
out:
	ol_put_free(put);
	return rc;
}

int
ol_delete_marker_put(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                     struct ol_version *out, struct ol_err *err)
{
	struct ol_commit_out co = { 0 };
	struct ol_version rec;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "delete marker: store is read-only");
	ol_version_init(&rec);
	rec.is_delete_marker = true;
	rec.loc.kind = OL_LOC_NONE;
	rc = ol_index_commit(st, bucket, key, keylen, &rec, &co, err);
	if (rc != OL_OK)
		return rc;
	ol_commit_out_finish(st, &co, true);
	if (rec.is_null)
		memcpy(rec.version_id, "null", 5);
	else
		ol_iid_to_text(rec.iid, rec.version_id);
	if (out)
		*out = rec;
	return OL_OK;
}

int
ol_version_remove_checked(struct ol_store *st, const char *bucket, const void *key,
                          size_t keylen, const char *version_id, const struct ol_caller *who,
                          int64_t now_ns, enum ol_verdict *verdict_out,
                          struct ol_version *removed_out, struct ol_err *err)
{
	pthread_mutex_t *mu;
	rocksdb_writebatch_t *wb = NULL;
	struct ol_version rec;
	struct ol_kbuf vk, obj;
	uint8_t iid[OL_IID_LEN], nulliid[OL_IID_LEN];
	enum ol_verdict vd;
	char *val = NULL, q[72];
	size_t vlen = 0;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (!version_id || !ol_version_id_valid(version_id, strnlen(version_id, 40)))
		return ol_err_set(err, OL_EINVAL, "bad version id '%.40s'",
		                  version_id ? version_id : "");
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "version remove: store is read-only");
	ol_version_init(&rec);
	mu = ol_stripe(st, bucket, key, keylen);
	pthread_rwlock_rdlock(&st->bucket_lock);
	pthread_mutex_lock(mu);
	rc = ol_resolve_vid(st, bucket, key, keylen, version_id, iid, err);
	if (rc != OL_OK)
		goto out;
	ol_kb_version(&vk, bucket, key, keylen, iid);
	rc = ol_db_get(st, OL_CF_VERSIONS, vk.b, vk.n, &val, &vlen, err);
	if (rc != OL_OK)
		goto out;
	/* A record that cannot be read cannot be judged by the policy: refuse. */
	rc = ol_version_decode(val, vlen, &rec, err);
	if (rc != OL_OK)
		goto out;
	/* Object Lock: judged on the record just read, under the lock the removal is made
	 * under, so a legal hold or retention set meanwhile is seen or comes after (and then
	 * finds nothing). The compliance time is read here too. */
	vd = ol_policy_check(&rec, OL_OP_REMOVE_VERSION, NULL, who,
	                     ol_clock_judge_time(st, now_ns));
	if (vd != OL_ALLOW) {
		if (verdict_out)
			*verdict_out = vd;
		ol_quote(q, sizeof(q), key, keylen);
		rc = ol_err_set(err, OL_ELOCKED, "version %s of key '%s' is protected: %s",
		                rec.version_id, q, ol_verdict_reason(vd));
		goto out;
	}
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_delete_cf(wb, st->cf[OL_CF_VERSIONS], (const char *)vk.b, vk.n);
	if (rec.is_null) {
		ol_kb_object(&obj, bucket, key, keylen);
		if (ol_resolve_vid(st, bucket, key, keylen, "null", nulliid, NULL) == OL_OK &&
		    memcmp(nulliid, iid, OL_IID_LEN) == 0)
			rocksdb_writebatch_delete_cf(wb, st->cf[OL_CFI_NULLV], (const char *)obj.b,
			                             obj.n);
	}
	rc = ol_db_write(st, wb, "version remove", err);
	/* Still under the lock: the immutable flag of a once-locked blob is lifted here and
	 * nowhere else (ol_unlink_blob), right before its unlink. */
	if (rc == OL_OK)
		ol_unlink_version_blobs(st, &rec);
out:
	pthread_mutex_unlock(mu);
	pthread_rwlock_unlock(&st->bucket_lock);
	if (wb)
		rocksdb_writebatch_destroy(wb);
	rocksdb_free(val);
	if (rc == OL_OK && removed_out)
		*removed_out = rec;
	else
		ol_version_release(&rec);
	return rc;
}

int
ol_version_remove(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                  const char *version_id, struct ol_version *removed_out, struct ol_err *err)
{
	return ol_version_remove_checked(st, bucket, key, keylen, version_id, NULL, OL_NOW, NULL,
	                                 removed_out, err);
}
