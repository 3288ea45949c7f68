/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offline consistency check (holdfast fsck). Index and blobs must agree: every record
 * readable, every referenced blob present with its recorded size, no file under blobs/ or
 * tmp/ that no record references. Repair removes only such orphans, and not even those
 * while a damaged record exists whose target blob could not be learned — in a WORM store
 * a kept orphan costs disk space, a wrongly removed blob costs the data.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "store.h"

/* Open-addressing set of blob ids (random, so their first bytes are a fine hash). */
struct idset {
	uint8_t (*ids)[OL_BLOB_ID_LEN];
	uint8_t *used;
	size_t cap, n;
};

static uint64_t
id_hash(const uint8_t *id)
{
	uint64_t h = 0;
	int i;

	for (i = 0; i < 8; i++)
		h = (h << 8) | id[i];
	return h ^ (h >> 29);
}

static bool
idset_has(const struct idset *s, const uint8_t *id)
{
	size_t i;

	if (!s->cap)
		return false;
	for (i = id_hash(id) & (s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (memcmp(s->ids[i], id, OL_BLOB_ID_LEN) == 0)
			return true;
	return false;
}

static void
idset_put(struct idset *s, const uint8_t *id)
{
	size_t i;

	for (i = id_hash(id) & (s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (memcmp(s->ids[i], id, OL_BLOB_ID_LEN) == 0)
			return;
	memcpy(s->ids[i], id, OL_BLOB_ID_LEN);
	s->used[i] = 1;
	s->n++;
}

/* Returns false on out of memory. Load factor stays under 1/2. */
static bool
idset_add(struct idset *s, const uint8_t *id)
{
	if ((s->n + 1) * 2 > s->cap) {
		struct idset g = { 0 };
		size_t i;

		g.cap = s->cap ? s->cap * 2 : 1024;
		g.ids = malloc(g.cap * sizeof(*g.ids));
		g.used = calloc(g.cap, 1);
		if (!g.ids || !g.used) {
			free(g.ids);
			free(g.used);
			return false;
		}
		for (i = 0; i < s->cap; i++)
			if (s->used[i])
				idset_put(&g, s->ids[i]);
		free(s->ids);
		free(s->used);
		*s = g;
	}
	idset_put(s, id);
	return true;
}

static void
idset_free(struct idset *s)
{
	free(s->ids);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

struct fsck {
	struct ol_store *st;
	const struct ol_fsck_opts *o;
	struct ol_fsck_report *r;
	struct idset refs;     /* blobs of readable records */
	struct idset salvaged; /* blobs named by damaged records: kept, whatever happens */
	uint64_t blind;        /* damaged records whose blob (if any) stays unknown */
	int64_t now;           /* compliance time, to count locked versions */
};

static void problem(struct fsck *f, const char *fmt, ...) OL_PRINTF(2, 3);

static void
problem(struct fsck *f, const char *fmt, ...)
{
	char line[OL_FSCK_PROBLEM_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (f->o->line_cb)
		f->o->line_cb(f->o->line_ctx, line);
	if (f->r->n_problems < OL_FSCK_MAX_PROBLEMS)
		memcpy(f->r->problems[f->r->n_problems++], line, sizeof(line));
	else
		f->r->problems_truncated = true;
}

static int
check_buckets(struct fsck *f, struct ol_err *err)
{
	struct ol_iter it = { 0 };
	int rc;

	rc = ol_iter_open(f->st, OL_CF_BUCKETS, NULL, 0, &it, err);
	if (rc != OL_OK)
		return rc;
	for (rocksdb_iter_seek_to_first(it.it); rocksdb_iter_valid(it.it);
	     rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		struct ol_bucket b;
		struct ol_err e = { 0 };
		char q[80];

		f->r->buckets++;
		if (ol_bucket_decode(vp, vl, &b, &e) != OL_OK ||
		    (strlen(b.name) != kl || memcmp(b.name, kp, kl) != 0)) {
			f->r->bad_records++;
			ol_quote(q, sizeof(q), kp, kl);
			problem(f, "bad bucket record '%s': %s", q, e.msg[0] ? e.msg : "wrong name");
		}
	}
	rc = ol_iter_status(&it, "fsck buckets", err);
	ol_iter_close(&it);
	return rc;
}

/* Is there a bucket record for @name? One get per bucket change (keys sort by bucket). */
static int
bucket_exists(struct fsck *f, const char *name, char cache[OL_BUCKET_NAME_MAX + 1],
              bool *cached_exists, bool *out, struct ol_err *err)
{
	char *v = NULL;
	size_t vlen = 0;
	int rc;

	if (strcmp(cache, name) == 0) {
		*out = *cached_exists;
		return OL_OK;
	}
	rc = ol_db_get(f->st, OL_CF_BUCKETS, name, strlen(name), &v, &vlen, err);
	rocksdb_free(v);
	if (rc != OL_OK && rc != OL_ENOTFOUND)
		return rc;
	memcpy(cache, name, strlen(name) + 1);
	*cached_exists = *out = rc == OL_OK;
	return OL_OK;
}

/* Every blob a (possibly damaged) version names goes into @set. */
static int
add_version_blobs(struct idset *set, const struct ol_version *v, struct ol_err *err)
{
	uint32_t i;

	if (v->loc.kind == OL_LOC_BLOB && !idset_add(set, v->loc.blob_id))
		return ol_err_set(err, OL_ENOMEM, "fsck: out of memory");
	if (v->loc.kind == OL_LOC_PARTS)
		for (i = 0; i < v->loc.n_parts; i++)
			if (!idset_add(set, v->loc.parts[i].blob_id))
				return ol_err_set(err, OL_ENOMEM, "fsck: out of memory");
	return OL_OK;
}

/* A damaged record: learn its blobs if its bytes still parse, so repair spares them. */
static int
salvage(struct fsck *f, const char *val, size_t vlen, struct ol_err *err)
{
	struct ol_version v;
	int rc;

	if (ol_version_salvage(val, vlen, &v) != OL_OK) {
		f->blind++;
		return OL_OK;
	}
	rc = add_version_blobs(&f->salvaged, &v, err);
	ol_version_release(&v);
	return rc;
}

/* Is the immutable inode flag set on @path? false when it cannot be read. */
static bool
flagged(const char *path)
{
	bool on = false;
	int fd = ol_io_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);

	if (fd < 0)
		return false;
	if (ol_io_get_immutable(fd, &on) != 0)
		on = false;
	ol_io_close(fd);
	return on;
}

/* A referenced blob: count it, keep it, and check it is there with @len bytes. Hard links
 * (ol_version_clone) need nothing special: each name is checked and kept on its own.
 * @locked: the blob of a version locked now; its immutable flag is counted. */
static int
check_blob_id(struct fsck *f, const uint8_t id[OL_BLOB_ID_LEN], uint64_t len,
              const char *what, const char *where, bool locked, struct ol_err *err)
{
	char path[OL_PATH_MAX], hex[2 * OL_BLOB_ID_LEN + 1];
	struct stat sb;

	f->r->blobs_referenced++;
	if (!idset_add(&f->refs, id))
		return ol_err_set(err, OL_ENOMEM, "fsck: out of memory");
	ol_blob_hex(id, hex);
	if (!ol_blob_path(f->st, id, path))
		return ol_err_set(err, OL_EINVAL, "fsck: blob path too long");
	if (ol_io_stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return ol_err_sys(err, errno, "fsck: stat blob '%s'", hex);
		f->r->missing_blobs++;
		problem(f, "missing blob %s of %s%s", hex, what, where);
		return OL_OK;
	}
	if ((uint64_t)sb.st_size != len) {
		f->r->bad_blob_sizes++;
		problem(f, "blob %s of %s%s has %llu bytes, record says %llu", hex, what, where,
		        (unsigned long long)sb.st_size, (unsigned long long)len);
	}
	if (flagged(path))
		f->r->immutable_blobs++;
	else if (locked)
		f->r->locked_unflagged++;
	return OL_OK;
}

static int
check_blobs(struct fsck *f, const struct ol_version *v, const char *where, struct ol_err *err)
{
	bool locked = ol_locked(v, f->now);
	char what[32];
	uint32_t i;
	int rc = OL_OK;

	if (locked)
		f->r->locked_versions++;
	if (v->loc.kind == OL_LOC_BLOB)
		return check_blob_id(f, v->loc.blob_id, v->loc.blob_len, "", where, locked, err);
	for (i = 0; rc == OL_OK && v->loc.kind == OL_LOC_PARTS && i < v->loc.n_parts; i++) {
		snprintf(what, sizeof(what), "part %u of ", (unsigned)v->loc.parts[i].part_number);
		rc = check_blob_id(f, v->loc.parts[i].blob_id, v->loc.parts[i].size_bytes, what,
		                   where, locked, err);
	}
	return rc;
}

/* A null version must be the one its key's null pointer names: otherwise a later null put
 * would not replace it and versionId=null would not find it. */
static int
check_null_record(struct fsck *f, const char *bucket, const uint8_t *key, size_t keylen,
                  const uint8_t iid[OL_IID_LEN], const char *where, struct ol_err *err)
{
	struct ol_kbuf k;
	char *v = NULL;
	size_t vlen = 0;
	int rc;

	ol_kb_object(&k, bucket, key, keylen);
	rc = ol_db_get(f->st, OL_CFI_NULLV, k.b, k.n, &v, &vlen, err);
	if (rc != OL_OK && rc != OL_ENOTFOUND)
		return rc;
	if (rc == OL_ENOTFOUND || vlen != OL_IID_LEN || memcmp(v, iid, OL_IID_LEN) != 0) {
		f->r->dangling++;
		problem(f, "dangling: %s: null version not named by its key's null pointer", where);
	}
	rocksdb_free(v);
	return OL_OK;
}

static int
check_versions(struct fsck *f, struct ol_err *err)
{
	char bucket[OL_BUCKET_NAME_MAX + 1], cache[OL_BUCKET_NAME_MAX + 1] = "";
	uint8_t *key = NULL, iid[OL_IID_LEN];
	struct ol_iter it = { 0 };
	bool cached_exists = false;
	int rc;

	key = malloc(OL_KEY_MAX);
	if (!key)
		return ol_err_set(err, OL_ENOMEM, "fsck: out of memory");
	rc = ol_iter_open(f->st, OL_CF_VERSIONS, NULL, 0, &it, err);
	if (rc != OL_OK)
		goto out;
	for (rocksdb_iter_seek_to_first(it.it); rocksdb_iter_valid(it.it);
	     rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0, keylen = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		char qk[72], vid[OL_VERSION_ID_LEN + 1], where[200];
		struct ol_version v;
		struct ol_err e = { 0 };
		bool exists = false;

		f->r->versions++;
		if (!ol_vkey_parse((const uint8_t *)kp, kl, bucket, key, &keylen, iid)) {
			f->r->bad_records++;
			ol_quote(qk, sizeof(qk), kp, kl);
			problem(f, "bad index key '%s'", qk);
			if ((rc = salvage(f, vp, vl, err)) != OL_OK)
				goto out;
			continue;
		}
		ol_quote(qk, sizeof(qk), key, keylen);
		ol_iid_to_text(iid, vid);
		snprintf(where, sizeof(where), "bucket '%s' key '%s' version %s", bucket, qk, vid);
		if (ol_version_decode(vp, vl, &v, &e) != OL_OK) {
			f->r->bad_records++;
			problem(f, "bad record: %s: %s", where, e.msg);
			if ((rc = salvage(f, vp, vl, err)) != OL_OK)
				goto out;
			continue;
		}
		if (memcmp(v.iid, iid, OL_IID_LEN) != 0) {
			f->r->bad_records++;
			problem(f, "bad record: %s: filed under another version id", where);
			rc = add_version_blobs(&f->salvaged, &v, err);
			ol_version_release(&v);
			if (rc != OL_OK)
				goto out;
			continue;
		}
		rc = bucket_exists(f, bucket, cache, &cached_exists, &exists, err);
		if (rc == OL_OK && !exists) {
			f->r->dangling++;
			problem(f, "dangling: %s: no such bucket", where);
		}
		if (rc == OL_OK && v.is_null)
			rc = check_null_record(f, bucket, key, keylen, iid, where, err);
		if (rc == OL_OK)
			rc = check_blobs(f, &v, where, err);
		ol_version_release(&v);
		if (rc != OL_OK)
			goto out;
	}
	rc = ol_iter_status(&it, "fsck versions", err);
out:
	ol_iter_close(&it);
	free(key);
	return rc;
}

static int
check_null_pointers(struct fsck *f, struct ol_err *err)
{
	struct ol_iter it = { 0 };
	struct ol_kbuf k;
	int rc;

	rc = ol_iter_open(f->st, OL_CFI_NULLV, NULL, 0, &it, err);
	if (rc != OL_OK)
		return rc;
	for (rocksdb_iter_seek_to_first(it.it); rocksdb_iter_valid(it.it);
	     rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0, i;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		struct ol_version v;
		char *rec = NULL, q[80];
		size_t rlen = 0;

		ol_quote(q, sizeof(q), kp, kl);
		if (vl != OL_IID_LEN || kl + OL_IID_LEN > OL_VKEY_MAX) {
			f->r->bad_records++;
			problem(f, "bad null version pointer '%s'", q);
			continue;
		}
		ol_kb_reset(&k);
		ol_kb_raw(&k, kp, kl);
		for (i = 0; i < OL_IID_LEN; i++)
			ol_kb_byte(&k, (uint8_t)~(uint8_t)vp[i]);
		rc = ol_db_get(f->st, OL_CF_VERSIONS, k.b, k.n, &rec, &rlen, err);
		if (rc == OL_ENOTFOUND) {
			f->r->dangling++;
			problem(f, "dangling: null version pointer '%s' points at no version", q);
			rc = OL_OK;
			continue;
		}
		if (rc != OL_OK)
			break;
		if (ol_version_decode(rec, rlen, &v, NULL) == OL_OK) {
			if (!v.is_null) {
				f->r->dangling++;
				problem(f, "dangling: null version pointer '%s' points at a non-null "
				           "version", q);
			}
			ol_version_release(&v);
		} /* else: counted as a bad record by check_versions */
		rocksdb_free(rec);
	}
	if (rc == OL_OK)
		rc = ol_iter_status(&it, "fsck null pointers", err);
	ol_iter_close(&it);
	return rc;
}

/*
 * The uploads family: every upload record readable and of an existing bucket, every part
 * record readable and right after its upload's record (an upload with its parts is one
 * contiguous key range), every part's blob present with its size. Part blobs are
 * referenced like version blobs: an open upload's parts are never orphans.
 */
static int
check_uploads(struct fsck *f, struct ol_err *err)
{
	char bucket[OL_BUCKET_NAME_MAX + 1], cache[OL_BUCKET_NAME_MAX + 1] = "";
	uint8_t *key = NULL, uid[OL_IID_LEN];
	struct ol_kbuf last; /* key of the last upload record seen */
	struct ol_iter it = { 0 };
	bool cached_exists = false;
	int rc;

	ol_kb_reset(&last);
	key = malloc(OL_KEY_MAX);
	if (!key)
		return ol_err_set(err, OL_ENOMEM, "fsck: out of memory");
	rc = ol_iter_open(f->st, OL_CF_UPLOADS, NULL, 0, &it, err);
	if (rc != OL_OK)
		goto out;
	for (rocksdb_iter_seek_to_first(it.it); rocksdb_iter_valid(it.it);
	     rocksdb_iter_next(it.it)) {
		size_t kl = 0, vl = 0, keylen = 0, ulen = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);
		char qk[72], id[OL_UPLOAD_ID_LEN + 1], where[220];
		struct ol_part_rec pr;
		struct ol_upload u;
		struct ol_err e = { 0 };
		uint32_t pn = 0;
		bool exists = false;

		if (!ol_ukey_parse((const uint8_t *)kp, kl, bucket, key, &keylen, uid, &pn, &ulen)) {
			f->r->bad_records++;
			ol_quote(qk, sizeof(qk), kp, kl);
			problem(f, "bad upload index key '%s'", qk);
			/* a part record names a blob; an upload record none */
			if (ol_part_salvage(vp, vl, &pr) == OL_OK) {
				if (!idset_add(&f->salvaged, pr.blob_id)) {
					rc = ol_err_set(err, OL_ENOMEM, "fsck: out of memory");
					goto out;
				}
			} else if (ol_upload_decode(vp, vl, &u, NULL) == OL_OK) {
				ol_upload_release(&u);
			} else {
				f->blind++;
			}
			continue;
		}
		ol_quote(qk, sizeof(qk), key, keylen);
		ol_iid_to_text(uid, id);
		if (pn == 0) {
			f->r->uploads++;
			ol_kb_reset(&last);
			ol_kb_raw(&last, kp, kl);
			snprintf(where, sizeof(where), "bucket '%s' key '%s' upload %s", bucket, qk, id);
			if (ol_upload_decode(vp, vl, &u, &e) != OL_OK) {
				f->r->bad_records++;
				problem(f, "bad record: %s: %s", where, e.msg);
			} else {
				if (strcmp(u.upload_id, id) != 0) {
					f->r->bad_records++;
					problem(f, "bad record: %s: filed under another upload id", where);
				}
				ol_upload_release(&u);
			}
			rc = bucket_exists(f, bucket, cache, &cached_exists, &exists, err);
			if (rc != OL_OK)
				goto out;
			if (!exists) {
				f->r->dangling++;
				problem(f, "dangling: %s: no such bucket", where);
			}
			continue;
		}
		f->r->parts++;
		snprintf(where, sizeof(where), "bucket '%s' key '%s' upload %s part %u", bucket, qk,
		         id, (unsigned)pn);
		if (last.n != ulen || memcmp(last.b, kp, ulen) != 0) {
			f->r->dangling++;
			problem(f, "dangling: %s: no such upload", where);
		}
		if (ol_part_decode(vp, vl, &pr, &e) != OL_OK || pr.p.part_number != pn) {
			f->r->bad_records++;
			problem(f, "bad record: %s: %s", where, e.msg[0] ? e.msg : "wrong part number");
			if (ol_part_salvage(vp, vl, &pr) == OL_OK) {
				if (!idset_add(&f->salvaged, pr.blob_id)) {
					rc = ol_err_set(err, OL_ENOMEM, "fsck: out of memory");
					goto out;
				}
			} else {
				f->blind++;
			}
			continue;
		}
		rc = check_blob_id(f, pr.blob_id, pr.p.size_bytes, "", where, false, err);
		if (rc != OL_OK)
			goto out;
	}
	rc = ol_iter_status(&it, "fsck uploads", err);
out:
	ol_iter_close(&it);
	free(key);
	return rc;
}

static bool
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

static bool
is_dir(const char *path, const struct dirent *de)
{
	struct stat sb;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return ol_io_stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* An orphan at @path (@what for the report): count it and, on repair, remove it. */
static void
orphan(struct fsck *f, const char *path, const char *what, bool may_remove)
{
	f->r->orphan_blobs++;
	/* Only the blob of a locked version gets the immutable flag. Whatever made this one an
	 * orphan, fsck is no place to lift a lock: keep it, say so. */
	if (flagged(path)) {
		f->r->orphans_immutable++;
		problem(f, "orphan %s kept: immutable flag set (check it, then chattr -i)", what);
		return;
	}
	if (!f->o->repair) {
		problem(f, "orphan %s", what);
		return;
	}
	if (!may_remove) {
		problem(f, "orphan %s kept: %llu damaged record(s) may refer to it", what,
		        (unsigned long long)f->blind);
		return;
	}
	if (ol_io_unlink(path) == 0) {
		f->r->orphans_removed++;
		problem(f, "orphan %s removed", what);
	} else {
		char ebuf[96];

		problem(f, "orphan %s: remove failed: %s", what,
		        strerror_r(errno, ebuf, sizeof(ebuf)));
	}
}

static int
walk_blob_leaf(struct fsck *f, const char *dir, const char *xx, const char *yy,
               struct ol_err *err)
{
	char path[OL_PATH_MAX], what[96];
	uint8_t id[OL_BLOB_ID_LEN];
	struct dirent *de;
	bool removed = false;
	DIR *d;
	int rc = OL_OK;

	d = ol_io_opendir(dir);
	if (!d)
		return ol_err_sys(err, errno, "fsck: open '%s'", dir);
	while ((de = ol_io_readdir(d)) != NULL) {
		const char *n = de->d_name;
		size_t i;

		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (!ol_pathf(path, "%s/%s", dir, n))
			continue; /* cannot be ours: our names are short */
		if (!is_hex(n, 2 * OL_BLOB_ID_LEN) || memcmp(n, xx, 2) || memcmp(n + 2, yy, 2) ||
		    is_dir(path, de)) {
			f->r->unexpected_files++;
			snprintf(what, sizeof(what), "blobs/%.2s/%.2s/%.40s", xx, yy, n);
			problem(f, "unexpected file %s", what);
			continue;
		}
		f->r->blob_files++;
		for (i = 0; i < OL_BLOB_ID_LEN; i++) {
			unsigned hi = (unsigned)(n[2 * i] <= '9' ? n[2 * i] - '0' : n[2 * i] - 'a' + 10);
			unsigned lo = (unsigned)(n[2 * i + 1] <= '9' ? n[2 * i + 1] - '0'
			                                             : n[2 * i + 1] - 'a' + 10);

			id[i] = (uint8_t)(hi << 4 | lo);
		}
		if (idset_has(&f->refs, id) || idset_has(&f->salvaged, id))
			continue;
		snprintf(what, sizeof(what), "blob %.40s", n);
		orphan(f, path, what, f->blind == 0);
		removed = removed || f->o->repair;
	}
	if (errno)
		rc = ol_err_sys(err, errno, "fsck: read '%s'", dir);
	ol_io_closedir(d);
	if (removed)
		ol_io_fsync_dir(dir); /* best effort: a resurrected orphan is found again */
	return rc;
}

static int
walk_blobs(struct fsck *f, struct ol_err *err)
{
	char top[OL_PATH_MAX], mid[OL_PATH_MAX], leaf[OL_PATH_MAX];
	struct dirent *d1, *d2;
	DIR *a = NULL, *b = NULL;
	int rc = OL_OK;

	ol_pathf(top, "%s/blobs", f->st->data_dir);
	a = ol_io_opendir(top);
	if (!a) {
		if (errno == ENOENT)
			return OL_OK;
		return ol_err_sys(err, errno, "fsck: open '%s'", top);
	}
	while (rc == OL_OK && (d1 = ol_io_readdir(a)) != NULL) {
		if (strcmp(d1->d_name, ".") == 0 || strcmp(d1->d_name, "..") == 0)
			continue;
		if (!ol_pathf(mid, "%s/%s", top, d1->d_name) || !is_hex(d1->d_name, 2) || !is_dir(mid, d1)) {
			f->r->unexpected_files++;
			problem(f, "unexpected file blobs/%.40s", d1->d_name);
			continue;
		}
		b = ol_io_opendir(mid);
		if (!b) {
			rc = ol_err_sys(err, errno, "fsck: open '%s'", mid);
			break;
		}
		while (rc == OL_OK && (d2 = ol_io_readdir(b)) != NULL) {
			if (strcmp(d2->d_name, ".") == 0 || strcmp(d2->d_name, "..") == 0)
				continue;
			if (!ol_pathf(leaf, "%s/%s", mid, d2->d_name) || !is_hex(d2->d_name, 2) || !is_dir(leaf, d2)) {
				f->r->unexpected_files++;
				problem(f, "unexpected file blobs/%s/%.40s", d1->d_name, d2->d_name);
				continue;
			}
			rc = walk_blob_leaf(f, leaf, d1->d_name, d2->d_name, err);
		}
		if (rc == OL_OK && errno)
			rc = ol_err_sys(err, errno, "fsck: read '%s'", mid);
		ol_io_closedir(b);
		b = NULL;
	}
	if (rc == OL_OK && errno)
		rc = ol_err_sys(err, errno, "fsck: read '%s'", top);
	ol_io_closedir(a);
	return rc;
}

static int
walk_tmp(struct fsck *f, struct ol_err *err)
{
	char dir[OL_PATH_MAX], path[OL_PATH_MAX], what[96];
	struct dirent *de;
	DIR *d;
	int rc = OL_OK;

	ol_pathf(dir, "%s/tmp", f->st->data_dir);
	d = ol_io_opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return OL_OK;
		return ol_err_sys(err, errno, "fsck: open '%s'", dir);
	}
	while ((de = ol_io_readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!ol_pathf(path, "%s/%s", dir, de->d_name))
			continue;
		snprintf(what, sizeof(what), "temp file tmp/%.40s", de->d_name);
		/* nothing in tmp/ is ever referenced: always safe to remove */
		orphan(f, path, what, true);
	}
	if (errno)
		rc = ol_err_sys(err, errno, "fsck: read '%s'", dir);
	ol_io_closedir(d);
	return rc;
}

static bool
damaged(const struct ol_fsck_report *r)
{
	return r->bad_records || r->missing_blobs || r->bad_blob_sizes || r->dangling;
}

int
ol_fsck_run(const struct ol_fsck_opts *o, struct ol_fsck_report *out, struct ol_err *err)
{
	struct ol_store_opts so = { 0 };
	struct ol_open_internal in = { .keep_tmp = true, .no_create = true };
	struct fsck f = { 0 };
	int rc;

	if (!o || !out)
		return ol_err_set(err, OL_EINVAL, "fsck: options missing");
	memset(out, 0, sizeof(*out));
	so.data_dir = o->data_dir;
	so.read_only = !o->repair;
	rc = ol_store_open_internal(&so, &in, &f.st, err);
	if (rc != OL_OK)
		return rc;
	f.o = o;
	f.r = out;
	f.now = ol_clock_now(f.st);
	rc = check_buckets(&f, err);
	if (rc == OL_OK)
		rc = check_versions(&f, err);
	if (rc == OL_OK)
		rc = check_null_pointers(&f, err);
	if (rc == OL_OK)
		rc = check_uploads(&f, err);
	/* Blobs last: the referenced set must be complete before anything is an orphan. */
	if (rc == OL_OK)
		rc = walk_blobs(&f, err);
	if (rc == OL_OK)
		rc = walk_tmp(&f, err);
	if (rc == OL_OK && damaged(out))
		rc = ol_err_set(err, OL_ECORRUPT,
		                "store damaged: %llu bad records, %llu missing blobs, %llu blobs of "
		                "wrong size, %llu dangling entries",
		                (unsigned long long)out->bad_records,
		                (unsigned long long)out->missing_blobs,
		                (unsigned long long)out->bad_blob_sizes,
		                (unsigned long long)out->dangling);
	idset_free(&f.refs);
	idset_free(&f.salvaged);
	ol_store_close(f.st);
	return rc;
}

int
ol_fsck(const char *data_dir, bool repair, struct ol_fsck_report *out, struct ol_err *err)
{
	struct ol_fsck_opts o = { 0 };

	o.data_dir = data_dir;
	o.repair = repair;
	return ol_fsck_run(&o, out, err);
}

bool
ol_fsck_report_clean(const struct ol_fsck_report *r)
{
	return !damaged(r) && r->orphan_blobs == r->orphans_removed;
}

void
ol_fsck_report_print(FILE *fp, const struct ol_fsck_report *r)
{
	uint32_t i;

	fprintf(fp, "checked: %llu buckets, %llu versions (%llu in blob files), %llu blob files\n",
	        (unsigned long long)r->buckets, (unsigned long long)r->versions,
	        (unsigned long long)r->blobs_referenced, (unsigned long long)r->blob_files);
	fprintf(fp, "multipart: %llu open uploads with %llu parts\n",
	        (unsigned long long)r->uploads, (unsigned long long)r->parts);
	fprintf(fp, "damage: %llu bad records, %llu missing blobs, %llu blobs of wrong size, "
	            "%llu dangling entries\n",
	        (unsigned long long)r->bad_records, (unsigned long long)r->missing_blobs,
	        (unsigned long long)r->bad_blob_sizes, (unsigned long long)r->dangling);
	fprintf(fp, "leftovers: %llu orphan files (%llu removed, %llu kept: immutable), %llu "
	            "unexpected files\n",
	        (unsigned long long)r->orphan_blobs, (unsigned long long)r->orphans_removed,
	        (unsigned long long)r->orphans_immutable, (unsigned long long)r->unexpected_files);
	fprintf(fp, "object lock: %llu locked versions, %llu immutable blob files, %llu blob files "
	            "of locked versions without the flag\n",
	        (unsigned long long)r->locked_versions, (unsigned long long)r->immutable_blobs,
	        (unsigned long long)r->locked_unflagged);
	for (i = 0; i < r->n_problems; i++)
		fprintf(fp, "  %s\n", r->problems[i]);
	if (r->problems_truncated)
		fprintf(fp, "  ... more problems not listed\n");
	if (damaged(r))
		fprintf(fp, "result: damaged\n");
	else if (!ol_fsck_report_clean(r))
		fprintf(fp, "result: orphans left (run with --repair to remove them)\n");
	else
		fprintf(fp, "result: clean\n");
}

static void
json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

void
ol_fsck_report_print_json(FILE *fp, const struct ol_fsck_report *r)
{
	uint32_t i;

	fprintf(fp,
	        "{\"buckets\":%llu,\"versions\":%llu,\"uploads\":%llu,\"parts\":%llu,"
	        "\"blobs_referenced\":%llu,\"blob_files\":%llu,\"bad_records\":%llu,"
	        "\"missing_blobs\":%llu,\"bad_blob_sizes\":%llu,\"dangling\":%llu,\"orphan_blobs\":%llu,"
	        "\"orphans_removed\":%llu,\"unexpected_files\":%llu,\"locked_versions\":%llu,"
	        "\"immutable_blobs\":%llu,\"locked_unflagged\":%llu,\"orphans_immutable\":%llu,"
	        "\"damaged\":%s,"
	        "\"clean\":%s,\"problems_truncated\":%s,\"problems\":[",
	        (unsigned long long)r->buckets, (unsigned long long)r->versions,
	        (unsigned long long)r->uploads, (unsigned long long)r->parts,
	        (unsigned long long)r->blobs_referenced, (unsigned long long)r->blob_files,
	        (unsigned long long)r->bad_records, (unsigned long long)r->missing_blobs,
	        (unsigned long long)r->bad_blob_sizes, (unsigned long long)r->dangling,
	        (unsigned long long)r->orphan_blobs, (unsigned long long)r->orphans_removed,
	        (unsigned long long)r->unexpected_files, (unsigned long long)r->locked_versions,
	        (unsigned long long)r->immutable_blobs, (unsigned long long)r->locked_unflagged,
	        (unsigned long long)r->orphans_immutable, damaged(r) ? "true" : "false",
	        ol_fsck_report_clean(r) ? "true" : "false",
	        r->problems_truncated ? "true" : "false");
	for (i = 0; i < r->n_problems; i++) {
		if (i)
			fputc(',', fp);
		json_str(fp, r->problems[i]);
	}
	fputs("]}\n", fp);
}
