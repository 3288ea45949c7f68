/* SPDX-License-Identifier: Apache-2.0 */
/* The read path: version lookup and byte streams over inline bodies and blob files. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "store.h"

/* Decode a record found at @k and check it belongs there: a record copied under another
 * version's key would otherwise be served as that version. */
static int
decode_at(const struct ol_kbuf *k, const char *val, size_t vlen, struct ol_version *out,
          struct ol_err *err)
{
	struct ol_version v;
	size_t i;
	int rc;

	rc = ol_version_decode(val, vlen, &v, err);
	if (rc != OL_OK)
		return rc;
	for (i = 0; i < OL_IID_LEN; i++) {
		uint8_t want = (uint8_t)~k->b[k->n - OL_IID_LEN + i];

		if (want != v.iid[i]) {
			ol_version_release(&v);
			return ol_err_set(err, OL_ECORRUPT, "version record under another id");
		}
	}
	*out = v;
	return OL_OK;
}

static int
get_latest(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
           struct ol_version *out, struct ol_err *err)
{
	struct ol_iter it = { 0 };
	struct ol_kbuf obj, up, at;
	int rc;

	ol_kb_object(&obj, bucket, key, keylen);
	up = obj;
	ol_kb_successor(&up);
	rc = ol_iter_open(st, OL_CF_VERSIONS, up.b, up.n, &it, err);
	if (rc != OL_OK)
		return rc;
	rocksdb_iter_seek(it.it, (const char *)obj.b, obj.n);
	if (!rocksdb_iter_valid(it.it)) {
		rc = ol_iter_status(&it, "version get", err);
		if (rc == OL_OK)
			rc = ol_err_quiet(err, OL_ENOTFOUND);
		goto out;
	} else {
		size_t kl = 0, vl = 0;
		const char *kp = rocksdb_iter_key(it.it, &kl);
		const char *vp = rocksdb_iter_value(it.it, &vl);

		if (kl != obj.n + OL_IID_LEN) {
			rc = ol_err_set(err, OL_ECORRUPT, "version key of %zu bytes", kl);
			goto out;
		}
		ol_kb_reset(&at);
		ol_kb_raw(&at, kp, kl);
		rc = decode_at(&at, vp, vl, out, err);
	}
out:
	ol_iter_close(&it);
	return rc;
}

int
ol_version_get(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
               const char *version_id, struct ol_version *out, struct ol_err *err)
{
	uint8_t iid[OL_IID_LEN];
	struct ol_kbuf k;
	char *val = NULL;
	size_t vlen = 0;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (!version_id)
		return get_latest(st, bucket, key, keylen, out, err);
	if (!ol_version_id_valid(version_id, strnlen(version_id, OL_VERSION_ID_LEN + 1)))
		return ol_err_set(err, OL_EINVAL, "bad version id '%.40s'", version_id);
	rc = ol_resolve_vid(st, bucket, key, keylen, version_id, iid, err);
	if (rc != OL_OK)
		return rc;
	ol_kb_version(&k, bucket, key, keylen, iid);
	rc = ol_db_get(st, OL_CF_VERSIONS, k.b, k.n, &val, &vlen, err);
	if (rc != OL_OK)
		return rc;
	rc = decode_at(&k, val, vlen, out, err);
	rocksdb_free(val);
	return rc;
}

/* ---- readers ---- */

struct ol_reader {
	uint8_t *data;      /* inline: a copy of the range */
	size_t pos;
	int fd;             /* blob, or the current part: -1 for inline or none open */
	uint64_t file_off;  /* offset of the next byte in that file */
	uint64_t remaining;
	uint8_t blob_id[OL_BLOB_ID_LEN];
	/* multipart: the parts the range touches, from the first; their file sizes */
	struct ol_store *st;
	struct ol_loc_part *parts;
	uint32_t n_parts, cur; /* cur: the part of fd, or the next to open */
};

/* Open the blob file of @id and check its size. */
static int
open_blob(struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN], uint64_t want, int *fd_out,
          struct ol_err *err)
{
	char path[OL_PATH_MAX], hex[2 * OL_BLOB_ID_LEN + 1];
	struct stat sb;
	int fd, rc;

	ol_blob_hex(id, hex);
	if (!ol_blob_path(st, id, path))
		return ol_err_set(err, OL_EINVAL, "read: blob path too long");
	fd = ol_io_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		/* Most likely the version was removed since it was looked up (S3 then answers
		 * NoSuchKey); a blob lost under a live record is fsck's to report. */
		if (errno == ENOENT)
			return ol_err_set(err, OL_ENOTFOUND, "read: blob '%s' missing", hex);
		return ol_err_sys(err, errno, "read: open blob '%s'", hex);
	}
	if (ol_io_fstat(fd, &sb) != 0) {
		rc = ol_err_sys(err, errno, "read: stat blob '%s'", hex);
		ol_io_close(fd);
		return rc;
	}
	if ((uint64_t)sb.st_size != want) {
		rc = ol_err_set(err, OL_ECORRUPT, "read: blob '%s' has %llu bytes, record says %llu",
		                hex, (unsigned long long)sb.st_size, (unsigned long long)want);
		ol_io_close(fd);
		return rc;
	}
	*fd_out = fd;
	return OL_OK;
}

/* Make r->fd the part holding the next byte: close an exhausted one, skip empty parts. */
static int
part_advance(struct ol_reader *r, struct ol_err *err)
{
	while (r->cur < r->n_parts) {
		const struct ol_loc_part *p = &r->parts[r->cur];
		int rc;

		if (r->fd >= 0 && r->file_off < p->size_bytes)
			return OL_OK;
		if (r->fd >= 0) {
			ol_io_close(r->fd);
			r->fd = -1;
			r->cur++;
			r->file_off = 0;
			continue;
		}
		if (r->file_off >= p->size_bytes) { /* empty part */
			r->cur++;
			r->file_off = 0;
			continue;
		}
		rc = open_blob(r->st, p->blob_id, p->size_bytes, &r->fd, err);
		if (rc != OL_OK)
			return rc;
		memcpy(r->blob_id, p->blob_id, OL_BLOB_ID_LEN);
	}
	return OL_OK;
}

/* The parts of @v that [off, off + len) touches, copied; the reader at @off. */
static int
open_parts(struct ol_store *st, struct ol_reader *r, const struct ol_version *v, uint64_t off,
           uint64_t len, struct ol_err *err)
{
	const struct ol_locator *l = &v->loc;
	uint32_t lo = 0, hi = l->n_parts, first, last;
	uint64_t end = off + len;

	if (!l->parts || l->n_parts == 0)
		return ol_err_set(err, OL_ECORRUPT, "read: empty parts locator");
	r->st = st;
	if (len == 0)
		return OL_OK;
	/* the last part starting at or before off (parts ascend by offset) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (l->parts[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	first = lo;
	last = first;
	while (last + 1 < l->n_parts && l->parts[last + 1].off < end)
		last++;
	r->n_parts = last - first + 1;
	r->parts = malloc(r->n_parts * sizeof(*r->parts));
	if (!r->parts)
		return ol_err_set(err, OL_ENOMEM, "read: out of memory");
	memcpy(r->parts, l->parts + first, r->n_parts * sizeof(*r->parts));
	r->cur = 0;
	r->file_off = off - r->parts[0].off;
	/* open the first part now, so a version removed since its lookup fails here */
	return part_advance(r, err);
}

int
ol_reader_open(struct ol_store *st, const struct ol_version *v, uint64_t off, uint64_t len,
               struct ol_reader **out, struct ol_err *err)
{
	struct ol_reader *r = NULL;
	int rc = OL_OK;

	if (v->is_delete_marker || v->loc.kind == OL_LOC_NONE)
		return ol_err_set(err, OL_EINVAL, "read: version %s is a delete marker",
		                  v->version_id);
	if (off > v->size_bytes || len > v->size_bytes - off)
		return ol_err_set(err, OL_EINVAL,
		                  "read: range %llu+%llu outside version of %llu bytes",
		                  (unsigned long long)off, (unsigned long long)len,
		                  (unsigned long long)v->size_bytes);
	r = calloc(1, sizeof(*r));
	if (!r)
		return ol_err_set(err, OL_ENOMEM, "read: out of memory");
	r->fd = -1;
	r->remaining = len;
	switch (v->loc.kind) {
	case OL_LOC_INLINE:
		if (v->loc.inline_len != v->size_bytes) {
			rc = ol_err_set(err, OL_ECORRUPT, "read: inline body of %zu bytes, size %llu",
			                v->loc.inline_len, (unsigned long long)v->size_bytes);
			goto out;
		}
		if (len) {
			r->data = malloc((size_t)len);
			if (!r->data) {
				rc = ol_err_set(err, OL_ENOMEM, "read: out of memory");
				goto out;
			}
			memcpy(r->data, v->loc.inline_data + off, (size_t)len);
		}
		break;
	case OL_LOC_BLOB:
		rc = open_blob(st, v->loc.blob_id, v->loc.blob_len, &r->fd, err);
		if (rc != OL_OK)
			goto out;
		if (v->loc.blob_len < v->size_bytes) {
			char hex[2 * OL_BLOB_ID_LEN + 1];

			ol_blob_hex(v->loc.blob_id, hex);
			rc = ol_err_set(err, OL_ECORRUPT, "read: blob '%s' has %llu bytes, record says %llu",
			                hex, (unsigned long long)v->loc.blob_len,
			                (unsigned long long)v->size_bytes);
			goto out;
		}
		memcpy(r->blob_id, v->loc.blob_id, OL_BLOB_ID_LEN);
		r->file_off = off;
		break;
	case OL_LOC_PARTS:
		rc = open_parts(st, r, v, off, len, err);
		if (rc != OL_OK)
			goto out;
		break;
	default:
		rc = ol_err_set(err, OL_ECORRUPT, "read: unknown locator kind %d", (int)v->loc.kind);
		goto out;
	}
	*out = r;
	r = NULL;
out:
	ol_reader_close(r);
	return rc;
}

int
ol_reader_read(struct ol_reader *r, void *buf, size_t cap, size_t *got, struct ol_err *err)
{
	size_t n = cap;
	ssize_t k;
	int rc;

	if ((uint64_t)n > r->remaining)
		n = (size_t)r->remaining;
	if (n == 0) {
		*got = 0;
		return OL_OK;
	}
	if (r->parts) {
		uint64_t left;

		rc = part_advance(r, err);
		if (rc != OL_OK)
			return rc;
		if (r->fd < 0) /* the range ends beyond the last part: the locator lied */
			return ol_err_set(err, OL_ECORRUPT, "read: parts end early");
		left = r->parts[r->cur].size_bytes - r->file_off;
		if ((uint64_t)n > left)
			n = (size_t)left;
	} else if (r->fd < 0) {
		memcpy(buf, r->data + r->pos, n);
		r->pos += n;
		r->remaining -= n;
		*got = n;
		return OL_OK;
	}
	k = ol_io_pread(r->fd, buf, n, r->file_off);
	if (k < 0) {
		char hex[2 * OL_BLOB_ID_LEN + 1];

		ol_blob_hex(r->blob_id, hex);
		return ol_err_sys(err, errno, "read: blob '%s'", hex);
	}
	if (k == 0) {
		char hex[2 * OL_BLOB_ID_LEN + 1];

		ol_blob_hex(r->blob_id, hex);
		return ol_err_set(err, OL_ECORRUPT, "read: blob '%s' ends early", hex);
	}
	r->file_off += (uint64_t)k;
	r->remaining -= (uint64_t)k;
	*got = (size_t)k;
	return OL_OK;
}

uint64_t
ol_reader_remaining(const struct ol_reader *r)
{
	return r->remaining;
}

int
ol_reader_sendfile_fd(struct ol_reader *r, int *fd, uint64_t *file_off)
{
	if (r->fd < 0)
		return OL_ENOTFOUND;
	/* a multipart range: only when the rest lies in the open part */
	if (r->parts && (r->remaining == 0 ||
	                 r->parts[r->cur].size_bytes - r->file_off < r->remaining))
		return OL_ENOTFOUND;
	*fd = r->fd;
	*file_off = r->file_off;
	return OL_OK;
}

void
ol_reader_close(struct ol_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		ol_io_close(r->fd);
	free(r->data);
	free(r->parts);
	free(r);
}
