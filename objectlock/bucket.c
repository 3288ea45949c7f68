/* SPDX-License-Identifier: Apache-2.0 */
/* Bucket records: one per bucket in the buckets column family, keyed by the bare name. */
#include <string.h>
#include <time.h>

#include "store.h"

static int
check_bucket_name(const char *name, size_t *len, struct ol_err *err)
{
	size_t n;

	if (!name)
		return ol_err_set(err, OL_EINVAL, "bucket name missing");
	n = strnlen(name, OL_BUCKET_NAME_MAX + 1);
	if (n == 0 || n > OL_BUCKET_NAME_MAX)
		return ol_err_set(err, OL_EINVAL, "bucket name of %zu bytes (1..%d)", n,
		                  OL_BUCKET_NAME_MAX);
	*len = n;
	return OL_OK;
}

int
ol_bucket_read(struct ol_store *st, const char *name, struct ol_bucket *out,
               struct ol_err *err)
{
	char *v = NULL;
	size_t n, vlen = 0;
	int rc;

	if ((rc = check_bucket_name(name, &n, err)) != OL_OK)
		return rc;
	rc = ol_db_get(st, OL_CF_BUCKETS, name, n, &v, &vlen, err);
	if (rc != OL_OK)
		return rc;
	rc = ol_bucket_decode(v, vlen, out, err);
	/* a record filed under another name is as corrupt as a bad checksum */
	if (rc == OL_OK && strcmp(out->name, name) != 0)
		rc = ol_err_set(err, OL_ECORRUPT, "bucket record '%s' names '%s'", name, out->name);
	rocksdb_free(v);
	return rc;
}

int
ol_bucket_get(struct ol_store *st, const char *name, struct ol_bucket *out,
              struct ol_err *err)
{
	struct ol_bucket b;
	int rc = ol_bucket_read(st, name, &b, err);

	if (rc == OL_OK)
		*out = b;
	return rc;
}

static int
bucket_write(struct ol_store *st, const struct ol_bucket *b, const char *what,
             struct ol_err *err)
{
	uint8_t rec[OL_BUCKET_REC_MAX];
	rocksdb_writebatch_t *wb;
	int n, rc;

	n = ol_bucket_encode(b, rec, err);
	if (n < 0)
		return n;
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_put_cf(wb, st->cf[OL_CF_BUCKETS], b->name, strlen(b->name),
	                          (const char *)rec, (size_t)n);
	rc = ol_db_write(st, wb, what, err);
	rocksdb_writebatch_destroy(wb);
	return rc;
}

int
ol_bucket_create(struct ol_store *st, const struct ol_bucket *b, struct ol_err *err)
{
	struct ol_bucket nb, old;
	size_t n;
	int rc;

	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "bucket create: store is read-only");
	if ((rc = check_bucket_name(b->name, &n, err)) != OL_OK)
		return rc;
	if (strnlen(b->region, sizeof(b->region)) > OL_REGION_MAX)
		return ol_err_set(err, OL_EINVAL, "bucket '%s': region too long", b->name);
	if ((unsigned)b->versioning > OL_VERSIONING_SUSPENDED)
		return ol_err_set(err, OL_EINVAL, "bucket '%s': bad versioning state", b->name);
	if (b->lock_enabled && b->versioning == OL_VERSIONING_SUSPENDED)
		return ol_err_set(err, OL_EINVAL, "bucket '%s': object lock needs versioning",
		                  b->name);
	nb = *b;
	if (nb.lock_enabled)
		nb.versioning = OL_VERSIONING_ENABLED;
	if (nb.created_ns == 0)
		nb.created_ns = ol_now_ns();

	pthread_rwlock_wrlock(&st->bucket_lock);
	rc = ol_bucket_read(st, nb.name, &old, err);
	if (rc == OL_OK) {
		rc = ol_err_set(err, OL_EEXIST, "bucket '%s' exists", nb.name);
		goto out;
	}
	if (rc != OL_ENOTFOUND)
		goto out;
	rc = bucket_write(st, &nb, "bucket create", err);
out:
	pthread_rwlock_unlock(&st->bucket_lock);
	return rc;
}

int
ol_bucket_list(struct ol_store *st, ol_bucket_cb cb, void *ctx, struct ol_err *err)
{
	struct ol_iter it = { 0 };
	int rc;

	rc = ol_iter_open(st, OL_CF_BUCKETS, NULL, 0, &it, err);
	if (rc != OL_OK)
		return rc;
	for (rocksdb_iter_seek_to_first(it.it); rocksdb_iter_valid(it.it);
	     rocksdb_iter_next(it.it)) {
		struct ol_bucket b;
		size_t vl = 0;
		const char *vp = rocksdb_iter_value(it.it, &vl);
		int r;

		rc = ol_bucket_decode(vp, vl, &b, err);
		if (rc != OL_OK)
			goto out;
		r = cb(ctx, &b);
		if (r < 0) {
			rc = r;
			goto out;
		}
		if (r > 0)
			goto out;
	}
	rc = ol_iter_status(&it, "bucket list", err);
out:
	ol_iter_close(&it);
	return rc;
}

int
ol_bucket_set_versioning(struct ol_store *st, const char *name, enum ol_versioning state,
                         struct ol_err *err)
{
	struct ol_bucket b;
	int rc;

	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "bucket versioning: store is read-only");
	if (state != OL_VERSIONING_ENABLED && state != OL_VERSIONING_SUSPENDED)
		return ol_err_set(err, OL_EINVAL, "bucket versioning: cannot return to unversioned");
	pthread_rwlock_wrlock(&st->bucket_lock);
	rc = ol_bucket_read(st, name, &b, err);
	if (rc != OL_OK)
		goto out;
	if (b.lock_enabled && state != OL_VERSIONING_ENABLED) {
		rc = ol_err_set(err, OL_EINVAL,
		                "bucket '%s': object lock is enabled, versioning stays enabled", name);
		goto out;
	}
	if (b.versioning == state)
		goto out;
	b.versioning = state;
	rc = bucket_write(st, &b, "bucket versioning", err);
out:
	pthread_rwlock_unlock(&st->bucket_lock);
	return rc;
}

int
ol_bucket_set_object_lock(struct ol_store *st, const char *name,
                          const struct ol_lock_rule *rule, struct ol_err *err)
{
	static const struct ol_lock_rule none = { OL_LOCK_NONE, 0, 0 };
	struct ol_bucket b;
	int rc;

	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "object lock configuration: store is read-only");
	if (!rule)
		rule = &none;
	if (!ol_lock_rule_ok(rule, true))
		return ol_err_set(err, OL_EINVAL, "object lock configuration: bad default rule");
	pthread_rwlock_wrlock(&st->bucket_lock);
	rc = ol_bucket_read(st, name, &b, err);
	if (rc != OL_OK)
		goto out;
	/* Lock is enabled on an existing bucket only once its versioning is Enabled: a null
	 * version written while unversioned or suspended could not be protected. */
	if (!b.lock_enabled && b.versioning != OL_VERSIONING_ENABLED) {
		rc = ol_err_set(err, OL_EINVAL, "bucket '%s': versioning must be enabled to enable "
		                "object lock", name);
		goto out;
	}
	b.lock_enabled = true;
	b.default_rule = *rule;
	rc = bucket_write(st, &b, "object lock configuration", err);
out:
	pthread_rwlock_unlock(&st->bucket_lock);
	return rc;
}

int64_t
ol_lock_rule_until(const struct ol_lock_rule *rule, int64_t created_ns)
{
	const int64_t sec = 1000000000;
	int64_t s = created_ns / sec, frac = created_ns % sec;
	struct tm tm;
	time_t t;

	if (rule->mode == OL_LOCK_NONE)
		return 0;
	if (rule->days)
		return created_ns + (int64_t)rule->days * 86400 * sec;
	/* calendar years, as MinIO's AddDate: 29 February plus one year is 1 March, so a year is
	 * never shorter than 365 days */
	t = (time_t)s;
	if (!gmtime_r(&t, &tm))
		return created_ns + (int64_t)rule->years * 366 * 86400 * sec;
	tm.tm_year += (int)rule->years;
	t = timegm(&tm);
	return (int64_t)t * sec + frac;
}

/* One seek in @cf: is there any key under esc(bucket) 0x00? */
static int
any_under(struct ol_store *st, int cf, const char *name, bool *found, struct ol_err *err)
{
	struct ol_iter it = { 0 };
	struct ol_kbuf lo, up;
	int rc;

	ol_kb_bucket(&lo, name);
	up = lo;
	ol_kb_successor(&up); /* the terminating 0x00 becomes 0x01: always possible */
	rc = ol_iter_open(st, cf, up.b, up.n, &it, err);
	if (rc != OL_OK)
		return rc;
	rocksdb_iter_seek(it.it, (const char *)lo.b, lo.n);
	*found = rocksdb_iter_valid(it.it);
	if (!*found)
		rc = ol_iter_status(&it, "bucket delete", err);
	ol_iter_close(&it);
	return rc;
}

int
ol_bucket_delete(struct ol_store *st, const char *name, struct ol_err *err)
{
	rocksdb_writebatch_t *wb = NULL;
	struct ol_bucket b;
	bool found = false;
	int rc;

	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "bucket delete: store is read-only");
	/* Exclusive: no put may commit between the emptiness check and the delete. */
	pthread_rwlock_wrlock(&st->bucket_lock);
	rc = ol_bucket_read(st, name, &b, err);
	if (rc != OL_OK)
		goto out;
	rc = any_under(st, OL_CF_VERSIONS, name, &found, err);
	if (rc == OL_OK && !found)
		rc = any_under(st, OL_CF_UPLOADS, name, &found, err);
	if (rc != OL_OK)
		goto out;
	if (found) {
		rc = ol_err_set(err, OL_ENOTEMPTY, "bucket '%s' is not empty", name);
		goto out;
	}
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_delete_cf(wb, st->cf[OL_CF_BUCKETS], name, strlen(name));
	rc = ol_db_write(st, wb, "bucket delete", err);
out:
	if (wb)
		rocksdb_writebatch_destroy(wb);
	pthread_rwlock_unlock(&st->bucket_lock);
	return rc;
}
