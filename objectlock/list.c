/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ListObjects / ListObjectVersions as one bounded iterator walk over the versions column
 * family (S3.md 5.6, 5.7). The work is proportional to what is returned: a key's older
 * versions are skipped with one seek, a common prefix with one seek past everything under
 * it, and the start is a seek to max(prefix, just after the marker).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <stdlib.h>
#include <string.h>

#include "store.h"

struct walk {
	struct ol_store *st;
	const struct ol_list_opts *o;
	ol_list_cb cb;
	void *ctx;
	struct ol_list_result res;
	struct ol_iter it;
	struct ol_kbuf bpfx;      /* esc(bucket) 0x00 */
	uint8_t key[OL_KEY_MAX];  /* current object key, unescaped */
	size_t keylen;
	uint8_t prev[OL_KEY_MAX]; /* key of the previous version entry (is_latest) */
	size_t prevlen;
	bool have_prev;
	bool stop;                /* callback asked to stop, or page full */
};

static void
step_seek(struct walk *w, const struct ol_kbuf *k)
{
	atomic_fetch_add(&ol_list_steps, 1);
	rocksdb_iter_seek(w->it.it, (const char *)k->b, k->n);
}

static void
step_next(struct walk *w)
{
	atomic_fetch_add(&ol_list_steps, 1);
	rocksdb_iter_next(w->it.it);
}

/* Byte order of (a, an) vs (b, bn), shorter first on a tie: S3's key order. */
static int
cmp_bytes(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Hand one entry to the callback, or notice the page is full (then there is more). */
static int
emit(struct walk *w, const uint8_t *key, size_t keylen, bool is_prefix, bool latest,
     const struct ol_version *v)
{
	struct ol_list_entry e;
	int r;

	if (w->res.count >= w->o->max_keys) {
		w->res.is_truncated = true;
		w->stop = true;
		return OL_OK;
	}
	e.key = (const char *)key;
	e.keylen = keylen;
	e.is_prefix = is_prefix;
	e.is_latest = latest;
	e.v = v;
	r = w->cb(w->ctx, &e);
	if (r < 0)
		return r;
	w->res.count++;
	memcpy(w->res.next_marker, key, keylen);
	w->res.next_marker_len = keylen;
	if (v && w->o->want_versions)
		memcpy(w->res.next_version_id, v->version_id, sizeof(w->res.next_version_id));
	else
		w->res.next_version_id[0] = '\0';
	if (r > 0) {
		/* stopped by the caller: there may be more, resume from next_marker */
		w->res.is_truncated = true;
		w->stop = true;
	}
	return OL_OK;
}

/* The current index entry's object key, and the raw prefix esc(bucket)0 esc(key)0. */
static int
parse_current(struct walk *w, struct ol_kbuf *objpfx, struct ol_err *err)
{
	size_t kl = 0, used = 0;
	const uint8_t *k = (const uint8_t *)rocksdb_iter_key(w->it.it, &kl);
	char q[80];

	if (kl >= w->bpfx.n && memcmp(k, w->bpfx.b, w->bpfx.n) == 0)
		used = ol_unesc(k + w->bpfx.n, kl - w->bpfx.n, w->key, sizeof(w->key),
		                &w->keylen);
	if (used == 0 || w->keylen == 0 || kl - w->bpfx.n - used != OL_IID_LEN) {
		ol_quote(q, sizeof(q), k, kl);
		return ol_err_set(err, OL_ECORRUPT, "list: bad index key '%s'", q);
	}
	ol_kb_reset(objpfx);
	ol_kb_raw(objpfx, k, w->bpfx.n + used);
	return OL_OK;
}

static int
decode_current(struct walk *w, struct ol_version *v, struct ol_err *err)
{
	size_t vl = 0;
	const char *vp = rocksdb_iter_value(w->it.it, &vl);
	char q[80];
	int rc;

	rc = ol_version_decode(vp, vl, v, err);
	if (rc == OL_ECORRUPT) {
		ol_quote(q, sizeof(q), w->key, w->keylen);
		ol_err_set(err, OL_ECORRUPT, "list: record of key '%s' is damaged", q);
	}
	return rc;
}

/* Where the walk starts: the first key of the prefix, or just after the marker. */
static int
start_key(struct walk *w, struct ol_kbuf *s, struct ol_err *err)
{
	const struct ol_list_opts *o = w->o;
	struct ol_kbuf mk;
	uint8_t iid[OL_IID_LEN];
	size_t i;
	int rc;

	*s = w->bpfx;
	ol_kb_esc(s, o->prefix, o->prefix_len);
	if (o->marker_len == 0)
		return OL_OK;
	mk = w->bpfx;
	ol_kb_esc(&mk, o->marker, o->marker_len);
	if (o->want_versions && o->version_id_marker) {
		rc = ol_resolve_vid(w->st, o->bucket, o->marker, o->marker_len,
		                    o->version_id_marker, iid, err);
		if (rc == OL_OK) {
			ol_kb_byte(&mk, 0x00);
			for (i = 0; i < OL_IID_LEN; i++)
				ol_kb_byte(&mk, (uint8_t)~iid[i]);
			ol_kb_byte(&mk, 0x00); /* smallest key above that version's */
			/* the versions of the marker key still to come are not its latest */
			memcpy(w->prev, o->marker, o->marker_len);
			w->prevlen = o->marker_len;
			w->have_prev = true;
		} else if (rc == OL_ENOTFOUND) {
			/* no null version any more: resume after the whole key */
			ol_kb_byte(&mk, 0x01);
		} else {
			return rc;
		}
	} else {
		ol_kb_byte(&mk, 0x01); /* after every version of the marker key */
	}
	if (cmp_bytes(mk.b, mk.n, s->b, s->n) > 0)
		*s = mk;
	return OL_OK;
}

static int
walk(struct walk *w, struct ol_err *err)
{
	const struct ol_list_opts *o = w->o;
	struct ol_kbuf objpfx, target;
	struct ol_version v;
	int rc;

	while (!w->stop && rocksdb_iter_valid(w->it.it)) {
		rc = parse_current(w, &objpfx, err);
		if (rc != OL_OK)
			return rc;

		if (o->delimiter_len && w->keylen > o->prefix_len) {
			const uint8_t *d = memmem(w->key + o->prefix_len, w->keylen - o->prefix_len,
			                          o->delimiter, o->delimiter_len);

			if (d) {
				size_t cplen = (size_t)(d - w->key) + o->delimiter_len;

				/* Whatever happens, continue after everything under the prefix. */
				target = w->bpfx;
				ol_kb_esc(&target, w->key, cplen);
				ol_kb_successor(&target);
				/* A prefix that does not sort after the marker was returned on an
				 * earlier page (or the marker lies inside it): never repeat it. */
				if (!o->marker_len ||
				    cmp_bytes(w->key, cplen, o->marker, o->marker_len) > 0) {
					rc = emit(w, w->key, cplen, true, false, NULL);
					if (rc != OL_OK || w->stop)
						return rc;
				}
				step_seek(w, &target);
				continue;
			}
		}

		rc = decode_current(w, &v, err);
		if (rc != OL_OK)
			return rc;
		if (o->want_versions) {
			bool latest = !(w->have_prev && w->prevlen == w->keylen &&
			                memcmp(w->prev, w->key, w->keylen) == 0);

			rc = emit(w, w->key, w->keylen, false, latest, &v);
			ol_version_release(&v);
			if (rc != OL_OK || w->stop)
				return rc;
			memcpy(w->prev, w->key, w->keylen);
			w->prevlen = w->keylen;
			w->have_prev = true;
			step_next(w);
			continue;
		}
		/* Objects: the first entry of a key is its latest; a delete marker hides it. */
		if (!v.is_delete_marker) {
			rc = emit(w, w->key, w->keylen, false, true, &v);
			if (rc != OL_OK || w->stop) {
				ol_version_release(&v);
				return rc;
			}
		}
		ol_version_release(&v);
		/* Usually one next reaches the following key; if not, this key has older
		 * versions and one seek jumps over all of them. */
		step_next(w);
		if (rocksdb_iter_valid(w->it.it)) {
			size_t kl = 0;
			const char *k = rocksdb_iter_key(w->it.it, &kl);

			if (kl >= objpfx.n && memcmp(k, objpfx.b, objpfx.n) == 0) {
				objpfx.b[objpfx.n - 1] = 0x01;
				step_seek(w, &objpfx);
			}
		}
	}
	if (!w->stop || !rocksdb_iter_valid(w->it.it))
		return ol_iter_status(&w->it, "list", err);
	return OL_OK;
}

int
ol_list(struct ol_store *st, const struct ol_list_opts *o, ol_list_cb cb, void *ctx,
        struct ol_list_result *out, struct ol_err *err)
{
	struct walk *w = NULL;
	struct ol_bucket b;
	struct ol_kbuf s, upper;
	int rc;

	if (!o || !cb)
		return ol_err_set(err, OL_EINVAL, "list: options missing");
	if (o->prefix_len > OL_KEY_MAX || o->marker_len > OL_KEY_MAX ||
	    o->delimiter_len > OL_KEY_MAX)
		return ol_err_set(err, OL_EINVAL, "list: prefix, delimiter or marker above %d bytes",
		                  OL_KEY_MAX);
	if ((o->prefix_len && !o->prefix) || (o->marker_len && !o->marker) ||
	    (o->delimiter_len && !o->delimiter))
		return ol_err_set(err, OL_EINVAL, "list: NULL with a length");
	if (o->want_versions && o->version_id_marker) {
		if (!o->marker_len)
			return ol_err_set(err, OL_EINVAL,
			                  "list: version-id marker without key marker");
		if (!ol_version_id_valid(o->version_id_marker,
		                         strnlen(o->version_id_marker, OL_VERSION_ID_LEN + 1)))
			return ol_err_set(err, OL_EINVAL, "list: bad version-id marker '%.40s'",
			                  o->version_id_marker);
	}
	rc = ol_bucket_read(st, o->bucket, &b, err);
	if (rc != OL_OK)
		return rc;

	/* struct walk holds ~8 KiB of key buffers: keep it off the HTTP thread's stack */
	w = calloc(1, sizeof(*w));
	if (!w)
		return ol_err_set(err, OL_ENOMEM, "list: out of memory");
	w->st = st;
	w->o = o;
	w->cb = cb;
	w->ctx = ctx;
	if (o->max_keys == 0)
		goto done;
	ol_kb_bucket(&w->bpfx, o->bucket);
	upper = w->bpfx;
	ol_kb_esc(&upper, o->prefix, o->prefix_len);
	ol_kb_successor(&upper); /* exists: the bucket's 0x00 terminator can always go up */
	rc = start_key(w, &s, err);
	if (rc != OL_OK)
		goto out;
	rc = ol_iter_open(st, OL_CF_VERSIONS, upper.b, upper.n, &w->it, err);
	if (rc != OL_OK)
		goto out;
	step_seek(w, &s);
	rc = walk(w, err);
	if (rc != OL_OK)
		goto out;
done:
	if (!w->res.is_truncated) {
		w->res.next_marker_len = 0;
		w->res.next_version_id[0] = '\0';
	}
	*out = w->res;
out:
	if (w->it.it)
		ol_iter_close(&w->it);
	free(w);
	return rc;
}
