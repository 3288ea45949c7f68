/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store side of Object Lock: retention and legal-hold changes (check and write under the
 * key's lock, on the record just read), the refusal to replace a locked null version, and
 * the defence in depth on disk — read-only blob files with the immutable inode flag, lifted
 * only by a removal the policy allowed.
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

#include "io.h"
#include "store.h"

/* ---- the immutable flag ---- */

static void
imm_unsupported(struct ol_store *st, int e, const char *where)
{
	char ebuf[96];

	pthread_mutex_lock(&st->imm_mu);
	if (e == EPERM || e == EACCES)
		snprintf(st->imm_reason, sizeof(st->imm_reason),
		         "%s: no CAP_LINUX_IMMUTABLE (%s)", where, e == EPERM ? "EPERM" : "EACCES");
	else if (e == ENOTTY || e == EOPNOTSUPP || e == EINVAL || e == ENOSYS)
		snprintf(st->imm_reason, sizeof(st->imm_reason),
		         "%s: filesystem has no immutable inode flag (%s)", where,
		         e == ENOTTY ? "ENOTTY" : e == EINVAL ? "EINVAL" : e == ENOSYS ? "ENOSYS"
		                                                           : "EOPNOTSUPP");
	else
		snprintf(st->imm_reason, sizeof(st->imm_reason), "%s: %s", where,
		         strerror_r(e, ebuf, sizeof(ebuf)));
	atomic_store(&st->imm_support, OL_IMMUTABLE_UNSUPPORTED);
	pthread_mutex_unlock(&st->imm_mu);
}

/* Refusals that say "this will never work here", as opposed to a passing I/O error. */
static bool
refusal(int e)
{
	return e == EPERM || e == EACCES || e == ENOTTY || e == EOPNOTSUPP || e == EINVAL ||
	       e == ENOSYS;
}

void
ol_immutable_probe(struct ol_store *st)
{
	char path[OL_PATH_MAX];
	bool on = false;
	int fd;

	if (st->read_only) {
		/* An offline `holdfast clock status` still answers whether the flag works here:
		 * an unnamed inode in tmp/ (O_TMPFILE) leaves no name behind, crash or not, so
		 * the store is not written. Where that is refused, the answer stays unknown. */
		if (!ol_pathf(path, "%s/tmp", st->data_dir) ||
		    (fd = ol_io_open(path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0) {
			char ebuf[96];

			snprintf(st->imm_reason, sizeof(st->imm_reason),
			         "read-only open: not probed (%s)",
			         strerror_r(errno, ebuf, sizeof(ebuf)));
			atomic_store(&st->imm_support, OL_IMMUTABLE_UNKNOWN);
			return;
		}
		path[0] = '\0'; /* nothing to unlink */
	} else {
		/* In tmp/ (same filesystem as blobs/, never referenced): a leftover of a
		 * crashed probe is swept at the next open, flag and all. */
		if (!ol_pathf(path, "%s/tmp/immutable-probe", st->data_dir)) {
			imm_unsupported(st, ENAMETOOLONG, "probe");
			return;
		}
		fd = ol_io_open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd < 0) {
			imm_unsupported(st, errno, "probe");
			return;
		}
	}
	if (ol_io_set_immutable(fd, true) != 0 || ol_io_get_immutable(fd, &on) != 0) {
		imm_unsupported(st, errno, "probe");
	} else if (!on) {
		imm_unsupported(st, EOPNOTSUPP, "probe (flag did not stick)");
	} else if (ol_io_set_immutable(fd, false) != 0) {
		imm_unsupported(st, errno, "probe (clearing)");
	} else {
		st->imm_reason[0] = '\0';
		atomic_store(&st->imm_support, OL_IMMUTABLE_SUPPORTED);
	}
	ol_io_close(fd);
	if (path[0] && ol_io_unlink(path) != 0 && errno == EPERM)
		ol_unlink_immutable(NULL, path);
}

/* One blob file of a locked version: write bits off, immutable flag on. */
static void
protect_blob(struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN])
{
	char path[OL_PATH_MAX];
	struct stat sb;
	int fd;

	if (!ol_blob_path(st, id, path))
		return;
	fd = ol_io_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd < 0) {
		atomic_fetch_add(&st->imm_failed, 1);
		return;
	}
	if (ol_io_fstat(fd, &sb) != 0) {
		atomic_fetch_add(&st->imm_failed, 1);
		goto out;
	}
	/* 0640 -> 0440: read-only, never wider than it was (no 0444: the blob of an encrypted
	 * or private object is no business of other users) */
	if ((sb.st_mode & 0222) && ol_io_fchmod(fd, sb.st_mode & 07555) != 0)
		atomic_fetch_add(&st->imm_failed, 1);
	if (atomic_load(&st->imm_support) != OL_IMMUTABLE_SUPPORTED)
		goto out;
	/* A name shared with another version (a clone's hard link) is left alone: the flag is
	 * the inode's, and would pin the other name too. */
	if (sb.st_nlink > 1) {
		atomic_fetch_add(&st->imm_shared, 1);
		goto out;
	}
	if (ol_io_set_immutable(fd, true) != 0) {
		int e = errno;

		atomic_fetch_add(&st->imm_failed, 1);
		if (refusal(e))
			imm_unsupported(st, e, "set on a blob");
		goto out;
	}
	/* A clone may have linked the inode between the fstat and the flag (a link after the
	 * flag fails with EPERM and the clone copies instead). Seen now: back off. */
	if (ol_io_fstat(fd, &sb) == 0 && sb.st_nlink > 1) {
		ol_io_set_immutable(fd, false);
		atomic_fetch_add(&st->imm_shared, 1);
		goto out;
	}
	atomic_fetch_add(&st->imm_set, 1);
out:
	ol_io_close(fd);
}

void
ol_blobs_protect(struct ol_store *st, const struct ol_version *v)
{
	uint32_t i;

	if (v->loc.kind == OL_LOC_BLOB)
		protect_blob(st, v->loc.blob_id);
	else if (v->loc.kind == OL_LOC_PARTS)
		for (i = 0; i < v->loc.n_parts; i++)
			protect_blob(st, v->loc.parts[i].blob_id);
}

int
ol_unlink_immutable(struct ol_store *st, const char *path)
{
	struct stat sb;
	bool shared;
	int fd, rc, e;

	fd = ol_io_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd < 0)
		return -1;
	shared = ol_io_fstat(fd, &sb) == 0 && sb.st_nlink > 1;
	if (ol_io_set_immutable(fd, false) != 0) {
		e = errno;
		ol_io_close(fd);
		errno = e;
		return -1;
	}
	if (st)
		atomic_fetch_add(&st->imm_cleared, 1);
	rc = ol_io_unlink(path);
	e = errno;
	/* another name of the inode (only a lost race with a clone makes one) keeps it */
	if (shared || rc != 0)
		ol_io_set_immutable(fd, true);
	ol_io_close(fd);
	errno = e;
	return rc;
}

/* ---- the null version ---- */

int
ol_check_null_replace(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                      const struct ol_version *old, struct ol_err *err)
{
	enum ol_verdict vd;
	char q[72];

	/* Replacing the null version destroys it: that is a removal, and a write request never
	 * carries a bypass for it. S3 cannot get here in a lock bucket (never Suspended). */
	vd = ol_policy_check(old, OL_OP_REMOVE_VERSION, NULL, NULL, ol_clock_now(st));
	if (vd == OL_ALLOW)
		return OL_OK;
	ol_quote(q, sizeof(q), key, keylen);
	return ol_err_set(err, OL_ELOCKED,
	                  "null version of key '%s' in bucket '%s' is locked (%s): not replaced", q,
	                  bucket, ol_verdict_reason(vd));
}

/* ---- retention and legal hold ---- */

static int
verdict_rc(enum ol_verdict vd)
{
	switch (vd) {
	case OL_ALLOW: return OL_OK;
	case OL_DENY_DELETE_MARKER: return OL_EDELMARKER;
	case OL_DENY_PAST_DATE:
	case OL_DENY_BAD_CHANGE: return OL_EINVAL;
	default: return OL_ELOCKED;
	}
}

static int
change_lock(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
            const char *version_id, enum ol_op op, const struct ol_lock_change *chg,
            const struct ol_caller *who, int64_t now_ns, enum ol_verdict *verdict_out,
            struct ol_version *out, struct ol_err *err)
{
	const char *what = op == OL_OP_SET_RETENTION ? "retention" : "legal hold";
	rocksdb_writebatch_t *wb = NULL;
	pthread_mutex_t *mu;
	struct ol_version rec;
	struct ol_bucket b;
	struct ol_kbuf obj, vk;
	enum ol_verdict vd;
	uint8_t iid[OL_IID_LEN];
	uint8_t *enc = NULL;
	size_t enclen = 0, vlen = 0;
	char *val = NULL, q[72], vid[OL_VERSION_ID_LEN + 1];
	bool found = false, changed;
	int64_t now;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (version_id && !ol_version_id_valid(version_id, strnlen(version_id, 40)))
		return ol_err_set(err, OL_EINVAL, "bad version id '%.40s'", version_id);
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "%s: store is read-only", what);
	ol_quote(q, sizeof(q), key, keylen);
	ol_version_init(&rec);
	mu = ol_stripe(st, bucket, key, keylen);
	pthread_rwlock_rdlock(&st->bucket_lock);
	pthread_mutex_lock(mu);
	rc = ol_bucket_read(st, bucket, &b, err);
	if (rc != OL_OK)
		goto out;
	if (!b.lock_enabled) {
		/* S3 400 InvalidRequest "Bucket is missing Object Lock Configuration" */
		rc = ol_err_set(err, OL_EINVAL, "%s: bucket '%s' has no object lock configuration",
		                what, bucket);
		goto out;
	}
	if (version_id) {
		rc = ol_resolve_vid(st, bucket, key, keylen, version_id, iid, err);
	} else {
		ol_kb_object(&obj, bucket, key, keylen);
		rc = ol_newest_iid(st, &obj, iid, &found, err);
		if (rc == OL_OK && !found)
			rc = ol_err_quiet(err, OL_ENOTFOUND);
	}
	if (rc != OL_OK)
		goto out;
	ol_kb_version(&vk, bucket, key, keylen, iid);
	rc = ol_db_get(st, OL_CF_VERSIONS, vk.b, vk.n, &val, &vlen, err);
	if (rc != OL_OK)
		goto out;
	/* a record that does not decode cannot be judged: no change */
	rc = ol_version_decode(val, vlen, &rec, err);
	if (rc != OL_OK)
		goto out;
	if (rec.is_null)
		memcpy(vid, "null", 5);
	else
		ol_iid_to_text(rec.iid, vid);
	/* the check, on the record just read, under the lock the write is made under */
	now = ol_clock_judge_time(st, now_ns);
	vd = ol_policy_check(&rec, op, chg, who, now);
	if (vd != OL_ALLOW) {
		if (verdict_out)
			*verdict_out = vd;
		rc = ol_err_set(err, verdict_rc(vd), "%s of version %s of key '%s' refused: %s",
		                what, vid, q, ol_verdict_reason(vd));
		goto out;
	}
	if (op == OL_OP_SET_RETENTION) {
		changed = rec.lock_mode != chg->lock_mode || rec.retain_until_ns != chg->retain_until_ns;
		rec.lock_mode = chg->lock_mode;
		rec.retain_until_ns = chg->retain_until_ns;
	} else {
		changed = rec.legal_hold != chg->legal_hold || !rec.legal_hold_set;
		rec.legal_hold = chg->legal_hold;
		rec.legal_hold_set = true;
	}
	if (changed) {
		/* same key, same iid: version id, Last-Modified, ETag and bytes unchanged (8.1) */
		rc = ol_version_encode(&rec, &enc, &enclen, err);
		if (rc != OL_OK)
			goto out;
		wb = rocksdb_writebatch_create();
		rocksdb_writebatch_put_cf(wb, st->cf[OL_CF_VERSIONS], (const char *)vk.b, vk.n,
		                          (const char *)enc, enclen);
		rc = ol_db_write(st, wb, what, err);
		if (rc != OL_OK)
			goto out;
	}
	/* still under the lock, so no removal can come between (also when nothing changed: a
	 * flag lost in a crash comes back with the next retention call) */
	if (ol_locked(&rec, now))
		ol_blobs_protect(st, &rec);
out:
	pthread_mutex_unlock(mu);
	pthread_rwlock_unlock(&st->bucket_lock);
	if (wb)
		rocksdb_writebatch_destroy(wb);
	free(enc);
	rocksdb_free(val);
	if (rc == OL_OK && out) {
		*out = rec;
	} else {
		ol_version_release(&rec);
	}
	return rc;
}

int
ol_version_set_retention(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                         const char *version_id, enum ol_lock_mode mode, int64_t retain_until_ns,
                         const struct ol_caller *who, int64_t now_ns,
                         enum ol_verdict *verdict_out, struct ol_version *out,
                         struct ol_err *err)
{
	struct ol_lock_change c = { mode, retain_until_ns, false };

	return change_lock(st, bucket, key, keylen, version_id, OL_OP_SET_RETENTION, &c, who,
	                   now_ns, verdict_out, out, err);
}

int
ol_version_set_legal_hold(struct ol_store *st, const char *bucket, const void *key,
                          size_t keylen, const char *version_id, bool on,
                          enum ol_verdict *verdict_out, struct ol_version *out,
                          struct ol_err *err)
{
	struct ol_lock_change c = { OL_LOCK_NONE, 0, on };

	return change_lock(st, bucket, key, keylen, version_id, OL_OP_SET_LEGAL_HOLD, &c, NULL,
	                   OL_NOW, verdict_out, out, err);
}

/* ---- status ---- */

void
ol_store_status(struct ol_store *st, struct ol_store_status *out)
{
	memset(out, 0, sizeof(*out));
	ol_clock_status(st, &out->clock);
	pthread_mutex_lock(&st->imm_mu);
	out->immutable = (enum ol_immutable_support)atomic_load(&st->imm_support);
	snprintf(out->immutable_reason, sizeof(out->immutable_reason), "%s", st->imm_reason);
	pthread_mutex_unlock(&st->imm_mu);
	out->immutable_set = atomic_load(&st->imm_set);
	out->immutable_cleared = atomic_load(&st->imm_cleared);
	out->immutable_shared = atomic_load(&st->imm_shared);
	out->immutable_failed = atomic_load(&st->imm_failed);
}
