/* SPDX-License-Identifier: Apache-2.0 */
/* Store lifecycle, the index helpers every other file uses, and the small kv space. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_DIRECTORY, fdatasync */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "io_test.h"
#include "store.h"

/* RocksDB always has "default"; it is opened (it must be) but holds nothing of ours. */
static const char *const cf_names[OL_CF_COUNT + 1] = {
	"buckets", "versions", "uploads", "repq", "audit", "users", "meta", "nullv", "default",
};

#define KV_VALUE_MAX (16u * 1024 * 1024)
#define SCHEMA_KEY "objectlock.schema"
#define SCHEMA_VERSION "1"

atomic_uint_fast64_t ol_list_steps;

/* ---- index helpers ---- */

int
ol_db_write(struct ol_store *st, rocksdb_writebatch_t *wb, const char *what,
            struct ol_err *err)
{
	char *e = NULL;
	int f, rc = OL_OK;

	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "%s: store is read-only", what);
	f = ol_io_fault_point();
	if (f)
		return ol_err_sys(err, f, "%s: index write failed", what);
	rocksdb_write(st->db, st->wopt, wb, &e);
	if (e) {
		/* RocksDB reports a full disk only as text */
		int code = strstr(e, "No space left") ? OL_ENOSPC : OL_EIO;

		rc = ol_err_set(err, code, "%s: index write failed: %s", what, e);
	}
	rocksdb_free(e);
	return rc;
}

int
ol_db_get(struct ol_store *st, int cf, const void *k, size_t klen, char **val, size_t *vlen,
          struct ol_err *err)
{
	char *e = NULL, *v = NULL;
	size_t n = 0;
	int rc = OL_OK;

	v = rocksdb_get_cf(st->db, st->ropt, st->cf[cf], k, klen, &n, &e);
	if (e) {
		rc = ol_err_set(err, OL_EIO, "index read failed: %s", e);
		goto out;
	}
	if (!v) {
		rc = ol_err_quiet(err, OL_ENOTFOUND);
		goto out;
	}
	*val = v;
	*vlen = n;
	v = NULL;
out:
	rocksdb_free(v);
	rocksdb_free(e);
	return rc;
}

int
ol_iter_open(struct ol_store *st, int cf, const void *upper, size_t ulen, struct ol_iter *out,
             struct ol_err *err)
{
	struct ol_iter i = { 0 };

	i.ro = rocksdb_readoptions_create();
	if (!i.ro)
		return ol_err_set(err, OL_ENOMEM, "iterator: out of memory");
	if (upper) {
		i.upper = malloc(ulen ? ulen : 1);
		if (!i.upper) {
			rocksdb_readoptions_destroy(i.ro);
			return ol_err_set(err, OL_ENOMEM, "iterator: out of memory");
		}
		memcpy(i.upper, upper, ulen);
		rocksdb_readoptions_set_iterate_upper_bound(i.ro, (const char *)i.upper, ulen);
	}
	i.it = rocksdb_create_iterator_cf(st->db, i.ro, st->cf[cf]);
	if (!i.it) {
		free(i.upper);
		rocksdb_readoptions_destroy(i.ro);
		return ol_err_set(err, OL_ENOMEM, "iterator: out of memory");
	}
	*out = i;
	return OL_OK;
}

void
ol_iter_close(struct ol_iter *i)
{
	if (i->it)
		rocksdb_iter_destroy(i->it);
	if (i->ro)
		rocksdb_readoptions_destroy(i->ro);
	free(i->upper);
	memset(i, 0, sizeof(*i));
}

int
ol_iter_status(struct ol_iter *i, const char *what, struct ol_err *err)
{
	char *e = NULL;
	int rc = OL_OK;

	rocksdb_iter_get_error(i->it, &e);
	if (e)
		rc = ol_err_set(err, OL_EIO, "%s: index walk failed: %s", what, e);
	rocksdb_free(e);
	return rc;
}

pthread_mutex_t *
ol_stripe(struct ol_store *st, const char *bucket, const void *key, size_t keylen)
{
	const uint8_t *p = key;
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	size_t i;

	for (i = 0; bucket[i]; i++)
		h = (h ^ (uint8_t)bucket[i]) * 1099511628211u;
	h = (h ^ 0) * 1099511628211u;
	for (i = 0; i < keylen; i++)
		h = (h ^ p[i]) * 1099511628211u;
	return &st->stripes[h % OL_STRIPES];
}

int
ol_check_names(const char *bucket, const void *key, size_t keylen, struct ol_err *err)
{
	size_t bl;

	if (!bucket)
		return ol_err_set(err, OL_EINVAL, "bucket name missing");
	bl = strnlen(bucket, OL_BUCKET_NAME_MAX + 1);
	if (bl == 0 || bl > OL_BUCKET_NAME_MAX)
		return ol_err_set(err, OL_EINVAL, "bucket name of %zu bytes (1..%d)", bl,
		                  OL_BUCKET_NAME_MAX);
	if (keylen == 0 || keylen > OL_KEY_MAX || !key)
		return ol_err_set(err, OL_EINVAL, "object key of %zu bytes (1..%d)", keylen,
		                  OL_KEY_MAX);
	return OL_OK;
}

int
ol_resolve_vid(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
               const char *version_id, uint8_t iid[OL_IID_LEN], struct ol_err *err)
{
	struct ol_kbuf k;
	char *v = NULL;
	size_t vlen = 0, n = strnlen(version_id, OL_VERSION_ID_LEN + 1);
	int rc;

	if (n == 4 && memcmp(version_id, "null", 4) == 0) {
		ol_kb_object(&k, bucket, key, keylen);
		rc = ol_db_get(st, OL_CFI_NULLV, k.b, k.n, &v, &vlen, err);
		if (rc != OL_OK)
			return rc;
		if (vlen != OL_IID_LEN)
			rc = ol_err_set(err, OL_ECORRUPT, "null version pointer of %zu bytes", vlen);
		else
			memcpy(iid, v, OL_IID_LEN);
		rocksdb_free(v);
		return rc;
	}
	if (!ol_iid_from_text(version_id, n, iid))
		return ol_err_set(err, OL_EINVAL, "bad version id '%.40s'", version_id);
	return OL_OK;
}

bool
ol_pathf(char out[OL_PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, OL_PATH_MAX, fmt, ap);
	va_end(ap);
	return n >= 0 && n < OL_PATH_MAX;
}

void
ol_blob_hex(const uint8_t id[OL_BLOB_ID_LEN], char out[2 * OL_BLOB_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < OL_BLOB_ID_LEN; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 15];
	}
	out[2 * OL_BLOB_ID_LEN] = '\0';
}

bool
ol_blob_path_in(const char *data_dir, const uint8_t id[OL_BLOB_ID_LEN], char out[OL_PATH_MAX])
{
	char h[2 * OL_BLOB_ID_LEN + 1];

	ol_blob_hex(id, h);
	return ol_pathf(out, "%s/blobs/%.2s/%.2s/%s", data_dir, h, h + 2, h);
}

bool
ol_blob_path(const struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN], char out[OL_PATH_MAX])
{
	return ol_blob_path_in(st->data_dir, id, out);
}

bool
ol_blob_dir(const struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN], int depth,
            char out[OL_PATH_MAX])
{
	char h[2 * OL_BLOB_ID_LEN + 1];

	ol_blob_hex(id, h);
	if (depth == 1)
		return ol_pathf(out, "%s/blobs/%.2s", st->data_dir, h);
	return ol_pathf(out, "%s/blobs/%.2s/%.2s", st->data_dir, h, h + 2);
}

/* ---- open / close ---- */

static int
mkdir_one(const char *path, struct ol_err *err)
{
	if (ol_io_mkdir(path, 0750) == 0 || errno == EEXIST)
		return OL_OK;
	return ol_err_sys(err, errno, "mkdir '%s'", path);
}

/* mkdir -p: an operator's data_dir may be several levels deep. */
static int
mkdir_p(const char *path, struct ol_err *err)
{
	char tmp[OL_PATH_MAX];
	size_t i, n = strlen(path);
	int rc;

	memcpy(tmp, path, n + 1);
	for (i = 1; i < n; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		rc = mkdir_one(tmp, err);
		tmp[i] = '/';
		if (rc != OL_OK)
			return rc;
	}
	return mkdir_one(tmp, err);
}

static int
make_layout(const char *dir, struct ol_err *err)
{
	char p[OL_PATH_MAX];
	struct stat sb;
	int rc, i;

	/* The layout is made in order and made durable before the first put: when its last
	 * pieces exist, so does the rest (put re-creates a first-level dir if one went away). */
	ol_pathf(p, "%s/blobs/ff", dir);
	if (ol_io_stat(p, &sb) == 0) {
		ol_pathf(p, "%s/tmp", dir);
		if (ol_io_stat(p, &sb) == 0)
			return OL_OK;
	}
	if ((rc = mkdir_p(dir, err)) != OL_OK)
		return rc;
	ol_pathf(p, "%s/blobs", dir);
	if ((rc = mkdir_one(p, err)) != OL_OK)
		return rc;
	/* All 256 first-level blob dirs exist from the start, so a put only ever creates the
	 * second level and only has to fsync its (already durable) parent. */
	for (i = 0; i < 256; i++) {
		ol_pathf(p, "%s/blobs/%02x", dir, i);
		if ((rc = mkdir_one(p, err)) != OL_OK)
			return rc;
	}
	ol_pathf(p, "%s/tmp", dir);
	if ((rc = mkdir_one(p, err)) != OL_OK)
		return rc;
	ol_pathf(p, "%s/blobs", dir);
	if (ol_io_fsync_dir(p) != 0)
		return ol_err_sys(err, errno, "fsync '%s'", p);
	if (ol_io_fsync_dir(dir) != 0)
		return ol_err_sys(err, errno, "fsync '%s'", dir);
	return OL_OK;
}

/* Remove leftovers of puts that never committed: nothing in tmp/ is ever referenced. */
static void
sweep_tmp(const char *dir)
{
	char p[OL_PATH_MAX], f[OL_PATH_MAX];
	struct dirent *de;
	DIR *d;

	ol_pathf(p, "%s/tmp", dir);
	d = ol_io_opendir(p);
	if (!d)
		return;
	while ((de = ol_io_readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		/* best effort: fsck reports what stays. Nothing in tmp/ is ever referenced, so an
		 * immutable flag there (a probe that crashed, lock.c) is lifted too. */
		if (ol_pathf(f, "%s/%s", p, de->d_name) && ol_io_unlink(f) != 0 && errno == EPERM)
			ol_unlink_immutable(NULL, f);
	}
	ol_io_closedir(d);
}

static int
check_schema(struct ol_store *st, struct ol_err *err)
{
	rocksdb_writebatch_t *wb = NULL;
	char *v = NULL;
	size_t vlen = 0;
	int rc;

	rc = ol_db_get(st, OL_CF_META, SCHEMA_KEY, strlen(SCHEMA_KEY), &v, &vlen, err);
	if (rc == OL_OK) {
		if (vlen != strlen(SCHEMA_VERSION) || memcmp(v, SCHEMA_VERSION, vlen) != 0)
			rc = ol_err_set(err, OL_ECORRUPT, "index schema '%.*s' unknown (want %s)",
			                (int)(vlen > 16 ? 16 : vlen), v, SCHEMA_VERSION);
		goto out;
	}
	if (rc != OL_ENOTFOUND)
		goto out;
	if (st->read_only) {
		rc = OL_OK; /* a store created by a crashed first open: nothing to read anyway */
		goto out;
	}
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_put_cf(wb, st->cf[OL_CF_META], SCHEMA_KEY, strlen(SCHEMA_KEY),
	                          SCHEMA_VERSION, strlen(SCHEMA_VERSION));
	rc = ol_db_write(st, wb, "schema", err);
out:
	if (wb)
		rocksdb_writebatch_destroy(wb);
	rocksdb_free(v);
	return rc;
}

int
ol_store_open_internal(const struct ol_store_opts *o, const struct ol_open_internal *in,
                       struct ol_store **out, struct ol_err *err)
{
	const rocksdb_options_t *cfo[OL_CF_COUNT + 1];
	rocksdb_column_family_handle_t *h[OL_CF_COUNT + 1] = { 0 };
	struct ol_store *st = NULL;
	char idx[OL_PATH_MAX], *e = NULL;
	struct stat sb;
	size_t dl;
	int rc = OL_OK, i;

	if (!o || !o->data_dir || !o->data_dir[0])
		return ol_err_set(err, OL_EINVAL, "store: data_dir missing");
	dl = strlen(o->data_dir);
	/* room for "/blobs/xx/yy/" + 32 hex and the index dir */
	if (dl > OL_PATH_MAX - 128)
		return ol_err_set(err, OL_EINVAL, "store: data_dir of %zu bytes is too long", dl);
	if (o->inline_max_bytes > OL_INLINE_LIMIT)
		return ol_err_set(err, OL_EINVAL, "store: inline_max_bytes %llu above %d",
		                  (unsigned long long)o->inline_max_bytes, OL_INLINE_LIMIT);
	st = calloc(1, sizeof(*st));
	if (!st)
		return ol_err_set(err, OL_ENOMEM, "store: out of memory");
	memcpy(st->data_dir, o->data_dir, dl + 1);
	while (dl > 1 && st->data_dir[dl - 1] == '/')
		st->data_dir[--dl] = '\0';
	st->inline_max = o->inline_max_bytes ? o->inline_max_bytes : OL_INLINE_DEFAULT;
	st->read_only = o->read_only;
	pthread_rwlock_init(&st->bucket_lock, NULL);
	for (i = 0; i < OL_STRIPES; i++)
		pthread_mutex_init(&st->stripes[i], NULL);
	pthread_mutex_init(&st->imm_mu, NULL);

	ol_pathf(idx, "%s/index", st->data_dir);
	if (o->read_only || (in && in->no_create)) {
		if (ol_io_stat(idx, &sb) != 0) {
			rc = errno == ENOENT
			         ? ol_err_set(err, OL_ENOTFOUND, "no store in '%s'", st->data_dir)
			         : ol_err_sys(err, errno, "stat '%s'", idx);
			goto out;
		}
	}
	if (!o->read_only) {
		rc = make_layout(st->data_dir, err);
		if (rc != OL_OK)
			goto out;
	}

	st->opts = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(st->opts, !o->read_only);
	rocksdb_options_set_create_missing_column_families(st->opts, !o->read_only);
	rocksdb_options_set_paranoid_checks(st->opts, 1);
	rocksdb_options_set_info_log_level(st->opts, 2 /* WARN: the LOG is not our log */);
	rocksdb_options_set_keep_log_file_num(st->opts, 4);
	/* default 16 threads per column family at open: 140 short-lived threads for a store */
	rocksdb_options_set_max_file_opening_threads(st->opts, 2);
	/* Flat memory: inline bodies (<= inline_max_bytes) live in the memtables until a
	 * flush, and by default each of the 9 column families may hold 2 x 64 MiB of them
	 * (over 1 GiB in all). One budget for all of them instead; RocksDB flushes the
	 * largest memtable when it is spent. */
	rocksdb_options_set_write_buffer_size(st->opts, OL_MEMTABLE_BYTES);
	rocksdb_options_set_db_write_buffer_size(st->opts, OL_MEMTABLES_TOTAL_BYTES);
	for (i = 0; i <= OL_CF_COUNT; i++)
		cfo[i] = st->opts;
	if (o->read_only)
		st->db = rocksdb_open_for_read_only_column_families(
			st->opts, idx, OL_CF_COUNT + 1, cf_names, cfo, h, 0, &e);
	else
		st->db = rocksdb_open_column_families(st->opts, idx, OL_CF_COUNT + 1, cf_names, cfo,
		                                      h, &e);
	if (e || !st->db) {
		rc = ol_err_set(err, OL_EIO, "open index '%s': %s", idx, e ? e : "failed");
		st->db = NULL;
		goto out;
	}
	for (i = 0; i < OL_CF_COUNT; i++)
		st->cf[i] = h[i];
	rocksdb_column_family_handle_destroy(h[OL_CF_COUNT]); /* "default" */
	h[OL_CF_COUNT] = NULL;
	st->wopt = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(st->wopt, 1);
	st->ropt = rocksdb_readoptions_create();
	rocksdb_readoptions_set_verify_checksums(st->ropt, 1);

	rc = check_schema(st, err);
	if (rc != OL_OK)
		goto out;
	if (!o->read_only && !(in && in->keep_tmp))
		sweep_tmp(st->data_dir);
	/* Object Lock: whether blobs can be made immutable, and the compliance clock — both
	 * before the first version is judged */
	ol_immutable_probe(st);
	rc = ol_clock_open(st, o->clock_checkpoint_ms, err);
	if (rc != OL_OK)
		goto out;
	*out = st;
	st = NULL;
out:
	rocksdb_free(e);
	ol_store_close(st);
	return rc;
}

int
ol_store_open(const struct ol_store_opts *o, struct ol_store **out, struct ol_err *err)
{
	return ol_store_open_internal(o, NULL, out, err);
}

void
ol_store_close(struct ol_store *st)
{
	int i;

	if (!st)
		return;
	/* the clock's last checkpoint needs the index still open */
	if (st->db)
		ol_clock_close(st);
	for (i = 0; i < OL_CF_COUNT; i++)
		if (st->cf[i])
			rocksdb_column_family_handle_destroy(st->cf[i]);
	if (st->db)
		rocksdb_close(st->db);
	if (st->wopt)
		rocksdb_writeoptions_destroy(st->wopt);
	if (st->ropt)
		rocksdb_readoptions_destroy(st->ropt);
	if (st->opts)
		rocksdb_options_destroy(st->opts);
	for (i = 0; i < OL_STRIPES; i++)
		pthread_mutex_destroy(&st->stripes[i]);
	pthread_rwlock_destroy(&st->bucket_lock);
	pthread_mutex_destroy(&st->imm_mu);
	free(st);
}

/* ---- kv ---- */

static int
kv_check(struct ol_store *st, enum ol_cf cf, size_t klen, struct ol_err *err)
{
	if (!st || (cf != OL_CF_USERS && cf != OL_CF_META))
		return ol_err_set(err, OL_EINVAL, "kv: column family %d is not a kv space",
		                  (int)cf);
	if (klen == 0)
		return ol_err_set(err, OL_EINVAL, "kv: empty key");
	return OL_OK;
}

int
ol_kv_get(struct ol_store *st, enum ol_cf cf, const void *k, size_t klen, char **val_out,
          size_t *vlen_out, struct ol_err *err)
{
	char *v = NULL, *copy = NULL;
	size_t vlen = 0;
	int rc;

	if ((rc = kv_check(st, cf, klen, err)) != OL_OK)
		return rc;
	rc = ol_db_get(st, (int)cf, k, klen, &v, &vlen, err);
	if (rc != OL_OK)
		goto out;
	/* a malloc'd copy, so the caller frees with free() whatever RocksDB allocates with */
	copy = malloc(vlen + 1);
	if (!copy) {
		rc = ol_err_set(err, OL_ENOMEM, "kv: out of memory");
		goto out;
	}
	if (vlen)
		memcpy(copy, v, vlen);
	copy[vlen] = '\0';
	*val_out = copy;
	*vlen_out = vlen;
out:
	rocksdb_free(v);
	return rc;
}

int
ol_kv_put(struct ol_store *st, enum ol_cf cf, const void *k, size_t klen, const void *v,
          size_t vlen, struct ol_err *err)
{
	rocksdb_writebatch_t *wb = NULL;
	int rc;

	if ((rc = kv_check(st, cf, klen, err)) != OL_OK)
		return rc;
	if (vlen > KV_VALUE_MAX)
		return ol_err_set(err, OL_E2BIG, "kv: value of %zu bytes above %u", vlen,
		                  KV_VALUE_MAX);
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_put_cf(wb, st->cf[cf], k, klen, vlen ? v : "", vlen);
	rc = ol_db_write(st, wb, "kv put", err);
	rocksdb_writebatch_destroy(wb);
	return rc;
}

int
ol_kv_delete(struct ol_store *st, enum ol_cf cf, const void *k, size_t klen,
             struct ol_err *err)
{
	rocksdb_writebatch_t *wb = NULL;
	int rc;

	if ((rc = kv_check(st, cf, klen, err)) != OL_OK)
		return rc;
	wb = rocksdb_writebatch_create();
	rocksdb_writebatch_delete_cf(wb, st->cf[cf], k, klen);
	rc = ol_db_write(st, wb, "kv delete", err);
	rocksdb_writebatch_destroy(wb);
	return rc;
}

int
ol_kv_iterate(struct ol_store *st, enum ol_cf cf, const void *prefix, size_t plen,
              ol_kv_cb cb, void *ctx, struct ol_err *err)
{
	struct ol_iter it = { 0 };
	struct ol_kbuf up;
	bool bounded = false;
	int rc;

	if (!st || (cf != OL_CF_USERS && cf != OL_CF_META))
		return ol_err_set(err, OL_EINVAL, "kv: column family %d is not a kv space",
		                  (int)cf);
	if (plen > OL_VKEY_MAX)
		return ol_err_set(err, OL_EINVAL, "kv: prefix of %zu bytes too long", plen);
	if (plen) {
		ol_kb_reset(&up);
		ol_kb_raw(&up, prefix, plen);
		bounded = ol_kb_successor(&up);
	}
	rc = ol_iter_open(st, (int)cf, bounded ? up.b : NULL, bounded ? up.n : 0, &it, err);
	if (rc != OL_OK)
		return rc;
	if (plen)
		rocksdb_iter_seek(it.it, prefix, plen);
	else
		rocksdb_iter_seek_to_first(it.it);
	for (; rocksdb_iter_valid(it.it); rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		int r;

		/* a prefix of all 0xFF has no successor: stop by comparing instead */
		if (kl < plen || (plen && memcmp(kp, prefix, plen) != 0))
			break;
		r = cb(ctx, kp, kl, vp, vl);
		if (r < 0) {
			rc = r;
			goto out;
		}
		if (r > 0)
			goto out;
	}
	rc = ol_iter_status(&it, "kv iterate", err);
out:
	ol_iter_close(&it);
	return rc;
}

/* ---- test hooks (io_test.h) ---- */

uint64_t
ol_test_list_steps(void)
{
	return atomic_load(&ol_list_steps);
}

void
ol_test_nosync(struct ol_store *st)
{
	rocksdb_writeoptions_set_sync(st->wopt, 0);
}

int
ol_test_version_raw_put(struct ol_store *st, const char *bucket, const void *key,
                        size_t keylen, const char *version_id, const void *p, size_t n,
                        struct ol_err *err)
{
	uint8_t iid[OL_IID_LEN];
	struct ol_kbuf k;
	char *e = NULL;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if ((rc = ol_resolve_vid(st, bucket, key, keylen, version_id, iid, err)) != OL_OK)
		return rc;
	ol_kb_version(&k, bucket, key, keylen, iid);
	rocksdb_put_cf(st->db, st->wopt, st->cf[OL_CF_VERSIONS], (const char *)k.b, k.n, p, n,
	               &e);
	if (e)
		rc = ol_err_set(err, OL_EIO, "raw put: %s", e);
	rocksdb_free(e);
	return rc;
}
