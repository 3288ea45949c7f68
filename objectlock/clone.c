/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CopyObject without rewriting bytes (S3.md 5.5): the new version gets NEW blob names,
 * hard-linked to the source's files. Distinct names are the whole point: a WORM store
 * removes a version by unlinking its name, and that must never take bytes from under
 * another version, nor may fsck --repair ever remove a name a record holds. A shared inode
 * is invisible to both. Where the filesystem refuses the link the bytes are copied.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "io.h"
#include "store.h"

#define COPY_CHUNK (256 * 1024)

/* New blob names made so far: removed again if the version never gets committed. */
struct made {
	uint8_t (*ids)[OL_BLOB_ID_LEN];
	size_t n;
};

/* link(2) refusals that copying gets around: another filesystem mounted under blobs/, an
 * immutable or append-only source inode, the inode's link limit, no hard links at all. */
static bool
link_refused(int e)
{
	return e == EXDEV || e == EPERM || e == EMLINK || e == ENOTSUP || e == EOPNOTSUPP;
}

/* Copy the source blob at @src to the new name @dst through a temp file. */
static int
copy_blob(struct ol_store *st, const char *src, const uint8_t dst_id[OL_BLOB_ID_LEN],
          const char *dst, const char *leaf, uint64_t size, struct made *m,
          struct ol_err *err)
{
	char tmp[OL_PATH_MAX], hex[2 * OL_BLOB_ID_LEN + 1];
	uint8_t *buf = NULL;
	uint64_t copied = 0;
	struct stat sb;
	int in = -1, out = -1, rc = OL_OK;

	ol_blob_hex(dst_id, hex);
	if (!ol_pathf(tmp, "%s/tmp/%s", st->data_dir, hex))
		return ol_err_set(err, OL_EINVAL, "clone: temp path too long");
	in = ol_io_open(src, O_RDONLY | O_CLOEXEC, 0);
	if (in < 0) {
		if (errno == ENOENT)
			return ol_err_set(err, OL_ENOTFOUND, "clone: source blob gone (removed?)");
		return ol_err_sys(err, errno, "clone: open source blob");
	}
	if (ol_io_fstat(in, &sb) != 0) {
		rc = ol_err_sys(err, errno, "clone: stat source blob");
		goto out;
	}
	if ((uint64_t)sb.st_size != size) {
		rc = ol_err_set(err, OL_ECORRUPT, "clone: source blob has %llu bytes, record says %llu",
		                (unsigned long long)sb.st_size, (unsigned long long)size);
		goto out;
	}
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		rc = ol_err_set(err, OL_ENOMEM, "clone: out of memory");
		goto out;
	}
	out = ol_io_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (out < 0) {
		rc = ol_err_sys(err, errno, "clone: create temp blob 'tmp/%s'", hex);
		tmp[0] = '\0';
		goto out;
	}
	for (;;) {
		ssize_t k = ol_io_read(in, buf, COPY_CHUNK);

		if (k < 0) {
			rc = ol_err_sys(err, errno, "clone: read source blob");
			goto out;
		}
		if (k == 0)
			break;
		if (ol_io_write_all(out, buf, (size_t)k) != 0) {
			rc = ol_err_sys(err, errno, "clone: write temp blob 'tmp/%s'", hex);
			goto out;
		}
		copied += (uint64_t)k;
	}
	if (copied != size) {
		rc = ol_err_set(err, OL_ECORRUPT, "clone: source blob changed size while copied");
		goto out;
	}
	if (ol_io_fsync(out) != 0) {
		rc = ol_err_sys(err, errno, "clone: fsync temp blob 'tmp/%s'", hex);
		goto out;
	}
	if (ol_io_rename(tmp, dst) != 0) {
		rc = ol_err_sys(err, errno, "clone: rename temp blob to '%s'", dst);
		goto out;
	}
	tmp[0] = '\0';
	memcpy(m->ids[m->n++], dst_id, OL_BLOB_ID_LEN);
	if (ol_io_fsync_dir(leaf) != 0)
		rc = ol_err_sys(err, errno, "clone: fsync '%s'", leaf);
out:
	if (out >= 0)
		ol_io_close(out);
	if (tmp[0] && out >= 0)
		ol_io_unlink(tmp);
	ol_io_close(in);
	free(buf);
	return rc;
}

/* Give the bytes of blob @src_id (of @size bytes) the new name @dst_id, durably. */
static int
link_or_copy(struct ol_store *st, const uint8_t src_id[OL_BLOB_ID_LEN],
             const uint8_t dst_id[OL_BLOB_ID_LEN], uint64_t size, struct made *m,
             struct ol_err *err)
{
	char src[OL_PATH_MAX], dst[OL_PATH_MAX], leaf[OL_PATH_MAX], hex[2 * OL_BLOB_ID_LEN + 1];
	struct stat sb;
	int rc, e;

	if (!ol_blob_path(st, src_id, src))
		return ol_err_set(err, OL_EINVAL, "clone: blob path too long");
	rc = ol_blob_prepare(st, dst_id, dst, leaf, err);
	if (rc != OL_OK)
		return rc;
	if (ol_io_link(src, dst) != 0) {
		e = errno;
		if (e == ENOENT) {
			ol_blob_hex(src_id, hex);
			return ol_err_set(err, OL_ENOTFOUND, "clone: source blob '%s' gone (removed?)",
			                  hex);
		}
		if (!link_refused(e))
			return ol_err_sys(err, e, "clone: link '%s' to '%s'", src, dst);
		return copy_blob(st, src, dst_id, dst, leaf, size, m, err);
	}
	memcpy(m->ids[m->n++], dst_id, OL_BLOB_ID_LEN);
	/* the record will vouch for this size: check it as a reader would */
	if (ol_io_stat(dst, &sb) != 0)
		return ol_err_sys(err, errno, "clone: stat '%s'", dst);
	if ((uint64_t)sb.st_size != size) {
		ol_blob_hex(src_id, hex);
		return ol_err_set(err, OL_ECORRUPT, "clone: source blob '%s' has %llu bytes, "
		                  "record says %llu", hex, (unsigned long long)sb.st_size,
		                  (unsigned long long)size);
	}
	if (ol_io_fsync_dir(leaf) != 0)
		return ol_err_sys(err, errno, "clone: fsync '%s'", leaf);
	return OL_OK;
}

static int
new_blob_id(uint8_t id[OL_BLOB_ID_LEN], struct ol_err *err)
{
	if (cr_random_bytes(id, OL_BLOB_ID_LEN) != CR_OK)
		return ol_err_set(err, OL_ERR, "clone: no random bytes for a blob id");
	return OL_OK;
}

int
ol_version_clone(struct ol_store *st, const struct ol_version *src, const char *bucket,
                 const void *key, size_t keylen, struct ol_version *v, struct ol_err *err)
{
	struct ol_commit_out co = { 0 };
	struct ol_version rec;
	struct made m = { 0 };
	uint32_t i;
	size_t need = 0;
	int rc;

	if ((rc = ol_check_names(bucket, key, keylen, err)) != OL_OK)
		return rc;
	if (!src || !v)
		return ol_err_set(err, OL_EINVAL, "clone: source or version missing");
	if (st->read_only)
		return ol_err_set(err, OL_EINVAL, "clone: store is read-only");
	if (src->is_delete_marker || src->loc.kind == OL_LOC_NONE)
		return ol_err_set(err, OL_EINVAL, "clone: source %s is a delete marker",
		                  src->version_id);
	if (src->loc.kind == OL_LOC_BLOB)
		need = 1;
	else if (src->loc.kind == OL_LOC_PARTS)
		need = src->loc.n_parts;
	if (need) {
		m.ids = malloc(need * sizeof(*m.ids));
		if (!m.ids)
			return ol_err_set(err, OL_ENOMEM, "clone: out of memory");
	}

	/* A shallow copy: the caller's metadata with the store's fields. */
	rec = *v;
	rec.is_delete_marker = false;
	rec.size_bytes = src->size_bytes;
	memset(&rec.loc, 0, sizeof(rec.loc));
	rec.loc.kind = src->loc.kind;
	switch (src->loc.kind) {
	case OL_LOC_INLINE:
		if (src->loc.inline_len != src->size_bytes ||
		    (src->loc.inline_len && !src->loc.inline_data)) {
			rc = ol_err_set(err, OL_EINVAL, "clone: source inline body does not fit its size");
			goto out;
		}
		if (src->loc.inline_len) {
			rec.loc.inline_data = malloc(src->loc.inline_len);
			if (!rec.loc.inline_data) {
				rc = ol_err_set(err, OL_ENOMEM, "clone: out of memory");
				goto out;
			}
			memcpy(rec.loc.inline_data, src->loc.inline_data, src->loc.inline_len);
		}
		rec.loc.inline_len = src->loc.inline_len;
		break;
	case OL_LOC_BLOB:
		rec.loc.blob_len = src->loc.blob_len;
		if ((rc = new_blob_id(rec.loc.blob_id, err)) != OL_OK ||
		    (rc = link_or_copy(st, src->loc.blob_id, rec.loc.blob_id, src->loc.blob_len, &m,
		                       err)) != OL_OK)
			goto out;
		break;
	case OL_LOC_PARTS:
		if (!src->loc.parts || src->loc.n_parts == 0 || src->loc.n_parts > OL_PARTS_MAX) {
			rc = ol_err_set(err, OL_EINVAL, "clone: source parts locator malformed");
			goto out;
		}
		rec.loc.parts = malloc(src->loc.n_parts * sizeof(*rec.loc.parts));
		if (!rec.loc.parts) {
			rc = ol_err_set(err, OL_ENOMEM, "clone: out of memory");
			goto out;
		}
		rec.loc.n_parts = src->loc.n_parts;
		for (i = 0; i < src->loc.n_parts; i++) {
			struct ol_loc_part *p = &rec.loc.parts[i];

			*p = src->loc.parts[i];
			/* part checksums are in the version's algorithm: a copy given another one
			 * has none (the bytes are the same, the values would not be) */
			if (rec.cksum_alg != src->cksum_alg) {
				memset(p->cksum, 0, sizeof(p->cksum));
				p->cksum_len = 0;
			}
			if ((rc = new_blob_id(p->blob_id, err)) != OL_OK ||
			    (rc = link_or_copy(st, src->loc.parts[i].blob_id, p->blob_id, p->size_bytes,
			                       &m, err)) != OL_OK)
				goto out;
		}
		break;
	default:
		rc = ol_err_set(err, OL_EINVAL, "clone: unknown locator kind %d", (int)src->loc.kind);
		goto out;
	}
	rc = ol_index_commit(st, bucket, key, keylen, &rec, &co, err);
	if (rc == OL_OK) {
		ol_commit_out_finish(st, &co, true);
		ol_version_adopt(v, &rec);
	}
out:
	if (rc != OL_OK) {
		/* Before the index write was tried nobody can refer to the new names: remove
		 * them (the source keeps its own). After a failed write, keep them for fsck. */
		if (!co.attempted)
			for (i = 0; i < m.n; i++)
				ol_unlink_blob(st, m.ids[i]);
		free(rec.loc.inline_data);
		free(rec.loc.parts);
	}
	free(m.ids);
	return rc;
}
