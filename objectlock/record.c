/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version and bucket records: compact binary, a format byte first and a CRC32C of everything
 * before it last, so a torn or flipped record is caught before any field is trusted.
 *
 * Version record, format 1 (integers little-endian, "var" = LEB128 of at most 10 bytes):
 *   u8 format=1 | u8 flags (1 null, 2 delete marker, 4 legal hold) | u8 lock mode |
 *   u8 checksum alg | u8 checksum type | u8 replication status | iid[24] |
 *   u64 size | i64 created_ns | i64 retain_until_ns |
 *   u8 checksum length, checksum bytes |
 *   var etag length+1 (0 = none), bytes | var content-type length+1, bytes |
 *   var pair count, per pair: var name length, bytes, var value length, bytes |
 *   u8 locator kind, var locator length, locator bytes |
 *   var encryption-info length, bytes | u32 crc32c
 * Locator bytes: none = empty; inline = the body; blob = blob id[16] || u64 blob length.
 * A new locator kind (parts) adds a kind value; a new field bumps the format byte.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "record.h"

_Static_assert((int)OL_CKSUM_CRC32 == (int)CR_CKSUM_CRC32 &&
                   (int)OL_CKSUM_CRC32C == (int)CR_CKSUM_CRC32C &&
                   (int)OL_CKSUM_CRC64NVME == (int)CR_CKSUM_CRC64NVME &&
                   (int)OL_CKSUM_SHA1 == (int)CR_CKSUM_SHA1 &&
                   (int)OL_CKSUM_SHA256 == (int)CR_CKSUM_SHA256,
               "enum ol_cksum_alg mirrors enum cr_cksum_alg");

enum { F_NULL = 1, F_DELETE_MARKER = 2, F_LEGAL_HOLD = 4, F_ALL = 7 };

static size_t
cksum_len_of(enum ol_cksum_alg a)
{
	switch (a) {
	case OL_CKSUM_NONE: return 0;
	case OL_CKSUM_CRC32: return 4;
	case OL_CKSUM_CRC32C: return 4;
	case OL_CKSUM_CRC64NVME: return 8;
	case OL_CKSUM_SHA1: return 20;
	case OL_CKSUM_SHA256: return 32;
	}
	return SIZE_MAX;
}

/* ---- struct ol_version helpers ---- */

void
ol_version_init(struct ol_version *v)
{
	memset(v, 0, sizeof(*v));
}

void
ol_version_release(struct ol_version *v)
{
	size_t i;

	if (!v)
		return;
	free(v->etag);
	free(v->content_type);
	for (i = 0; i < v->n_hdrs; i++) {
		free(v->hdrs[i].name);
		free(v->hdrs[i].value);
	}
	free(v->hdrs);
	free(v->enc_info);
	free(v->loc.inline_data);
	memset(v, 0, sizeof(*v));
}

static int
dup_str(char **out, const char *p, size_t n, const char *what, struct ol_err *err)
{
	char *s;

	if (n > OL_STR_MAX)
		return ol_err_set(err, OL_E2BIG, "%s: %zu bytes, limit %d", what, n, OL_STR_MAX);
	if (n && memchr(p, 0, n))
		return ol_err_set(err, OL_EINVAL, "%s: NUL byte inside", what);
	s = malloc(n + 1);
	if (!s)
		return ol_err_set(err, OL_ENOMEM, "%s: out of memory", what);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return OL_OK;
}

static int
set_str(char **field, const char *p, size_t n, const char *what, struct ol_err *err)
{
	char *s = NULL;
	int rc;

	if (!p && n == 0) {
		free(*field);
		*field = NULL;
		return OL_OK;
	}
	if (!p)
		return ol_err_set(err, OL_EINVAL, "%s: NULL with length %zu", what, n);
	rc = dup_str(&s, p, n, what, err);
	if (rc != OL_OK)
		return rc;
	free(*field);
	*field = s;
	return OL_OK;
}

int
ol_version_set_etag(struct ol_version *v, const char *p, size_t n, struct ol_err *err)
{
	return set_str(&v->etag, p, n, "etag", err);
}

int
ol_version_set_content_type(struct ol_version *v, const char *p, size_t n,
                            struct ol_err *err)
{
	return set_str(&v->content_type, p, n, "content-type", err);
}

int
ol_version_add_header(struct ol_version *v, const char *name, size_t nlen, const char *value,
                      size_t vlen, struct ol_err *err)
{
	struct ol_header *h;
	char *n = NULL, *val = NULL;
	int rc;

	if (!name || nlen == 0)
		return ol_err_set(err, OL_EINVAL, "header: empty name");
	if (!value && vlen)
		return ol_err_set(err, OL_EINVAL, "header: NULL value with length %zu", vlen);
	if (v->n_hdrs >= OL_HDRS_MAX)
		return ol_err_set(err, OL_E2BIG, "header: more than %d pairs", OL_HDRS_MAX);
	rc = dup_str(&n, name, nlen, "header name", err);
	if (rc != OL_OK)
		goto out;
	rc = dup_str(&val, value ? value : "", vlen, "header value", err);
	if (rc != OL_OK)
		goto out;
	h = realloc(v->hdrs, (v->n_hdrs + 1) * sizeof(*h));
	if (!h) {
		rc = ol_err_set(err, OL_ENOMEM, "header: out of memory");
		goto out;
	}
	v->hdrs = h;
	h[v->n_hdrs].name = n;
	h[v->n_hdrs].value = val;
	v->n_hdrs++;
	n = val = NULL;
out:
	free(val);
	free(n);
	return rc;
}

int
ol_version_set_enc_info(struct ol_version *v, const void *p, size_t n, struct ol_err *err)
{
	uint8_t *b = NULL;

	if (n > OL_ENC_INFO_MAX)
		return ol_err_set(err, OL_E2BIG, "encryption info: %zu bytes, limit %d", n,
		                  OL_ENC_INFO_MAX);
	if (n) {
		if (!p)
			return ol_err_set(err, OL_EINVAL, "encryption info: NULL with length %zu", n);
		b = malloc(n);
		if (!b)
			return ol_err_set(err, OL_ENOMEM, "encryption info: out of memory");
		memcpy(b, p, n);
	}
	free(v->enc_info);
	v->enc_info = b;
	v->enc_info_len = n;
	return OL_OK;
}

static char *
strdup_or_null(const char *s, bool *oom)
{
	char *d;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	d = malloc(n + 1);
	if (!d) {
		*oom = true;
		return NULL;
	}
	memcpy(d, s, n + 1);
	return d;
}

int
ol_version_copy(const struct ol_version *src, struct ol_version *out, struct ol_err *err)
{
	struct ol_version c = *src;
	bool oom = false;
	size_t i;

	c.etag = strdup_or_null(src->etag, &oom);
	c.content_type = strdup_or_null(src->content_type, &oom);
	c.hdrs = NULL;
	c.n_hdrs = 0;
	c.enc_info = NULL;
	c.loc.inline_data = NULL;
	if (src->n_hdrs) {
		c.hdrs = calloc(src->n_hdrs, sizeof(*c.hdrs));
		if (!c.hdrs)
			oom = true;
		else
			c.n_hdrs = src->n_hdrs;
		for (i = 0; c.hdrs && i < src->n_hdrs; i++) {
			c.hdrs[i].name = strdup_or_null(src->hdrs[i].name, &oom);
			c.hdrs[i].value = strdup_or_null(src->hdrs[i].value, &oom);
		}
	}
	if (src->enc_info_len) {
		c.enc_info = malloc(src->enc_info_len);
		if (c.enc_info)
			memcpy(c.enc_info, src->enc_info, src->enc_info_len);
		else
			oom = true;
	}
	if (src->loc.inline_len) {
		c.loc.inline_data = malloc(src->loc.inline_len);
		if (c.loc.inline_data)
			memcpy(c.loc.inline_data, src->loc.inline_data, src->loc.inline_len);
		else
			oom = true;
	}
	if (oom) {
		ol_version_release(&c);
		return ol_err_set(err, OL_ENOMEM, "version copy: out of memory");
	}
	*out = c;
	return OL_OK;
}

static bool
str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
mem_eq(const void *a, const void *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

bool
ol_version_equal(const struct ol_version *a, const struct ol_version *b)
{
	size_t i;

	if (strcmp(a->version_id, b->version_id) != 0 || memcmp(a->iid, b->iid, OL_IID_LEN) ||
	    a->is_null != b->is_null || a->is_delete_marker != b->is_delete_marker ||
	    a->size_bytes != b->size_bytes || a->created_ns != b->created_ns)
		return false;
	if (a->loc.kind != b->loc.kind || a->loc.inline_len != b->loc.inline_len ||
	    !mem_eq(a->loc.inline_data, b->loc.inline_data, a->loc.inline_len))
		return false;
	if (a->loc.kind == OL_LOC_BLOB &&
	    (memcmp(a->loc.blob_id, b->loc.blob_id, OL_BLOB_ID_LEN) ||
	     a->loc.blob_len != b->loc.blob_len))
		return false;
	if (!str_eq(a->etag, b->etag) || !str_eq(a->content_type, b->content_type) ||
	    a->cksum_alg != b->cksum_alg || a->cksum_type != b->cksum_type ||
	    a->cksum_len != b->cksum_len || !mem_eq(a->cksum, b->cksum, a->cksum_len))
		return false;
	if (a->n_hdrs != b->n_hdrs)
		return false;
	for (i = 0; i < a->n_hdrs; i++)
		if (!str_eq(a->hdrs[i].name, b->hdrs[i].name) ||
		    !str_eq(a->hdrs[i].value, b->hdrs[i].value))
			return false;
	return a->lock_mode == b->lock_mode && a->retain_until_ns == b->retain_until_ns &&
	       a->legal_hold == b->legal_hold && a->repl_status == b->repl_status &&
	       a->enc_info_len == b->enc_info_len &&
	       mem_eq(a->enc_info, b->enc_info, a->enc_info_len);
}

/* ---- writer ---- */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static void
w_reserve(struct wbuf *w, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (w->oom || w->cap - w->n >= more)
		return;
	cap = w->cap ? w->cap : 256;
	while (cap - w->n < more) {
		if (cap > SIZE_MAX / 2) {
			w->oom = true;
			return;
		}
		cap *= 2;
	}
	p = realloc(w->p, cap);
	if (!p) {
		w->oom = true;
		return;
	}
	w->p = p;
	w->cap = cap;
}

static void
w_bytes(struct wbuf *w, const void *p, size_t n)
{
	w_reserve(w, n);
	if (w->oom || n == 0)
		return;
	memcpy(w->p + w->n, p, n);
	w->n += n;
}

static void
w_u8(struct wbuf *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void
w_u64(struct wbuf *w, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	w_bytes(w, b, 8);
}

static void
w_var(struct wbuf *w, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		uint8_t c = v & 0x7f;

		v >>= 7;
		b[n++] = (uint8_t)(v ? c | 0x80 : c);
	} while (v);
	w_bytes(w, b, n);
}

/* A string that may be absent: length+1, 0 = NULL. */
static void
w_optstr(struct wbuf *w, const char *s)
{
	size_t n;

	if (!s) {
		w_var(w, 0);
		return;
	}
	n = strlen(s);
	w_var(w, (uint64_t)n + 1);
	w_bytes(w, s, n);
}

static void
w_str(struct wbuf *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	w_var(w, n);
	w_bytes(w, s, n);
}

static int
check_str(const char *s, const char *what, struct ol_err *err)
{
	if (s && strlen(s) > OL_STR_MAX)
		return ol_err_set(err, OL_E2BIG, "version record: %s longer than %d bytes", what,
		                  OL_STR_MAX);
	return OL_OK;
}

int
ol_version_encode(const struct ol_version *v, uint8_t **out, size_t *outlen,
                  struct ol_err *err)
{
	struct wbuf w = { 0 };
	uint8_t flags = 0, crc[4];
	uint32_t c;
	size_t i;
	int rc;

	if ((unsigned)v->lock_mode > OL_LOCK_COMPLIANCE ||
	    (unsigned)v->cksum_type > OL_CKSUM_COMPOSITE ||
	    (unsigned)v->repl_status > OL_REPL_REPLICA || (unsigned)v->cksum_alg > OL_CKSUM_SHA256)
		return ol_err_set(err, OL_EINVAL, "version record: enum field out of range");
	if (v->cksum_len != cksum_len_of(v->cksum_alg))
		return ol_err_set(err, OL_EINVAL, "version record: checksum of %zu bytes for %s",
		                  v->cksum_len, cr_cksum_name((enum cr_cksum_alg)v->cksum_alg));
	if (v->n_hdrs > OL_HDRS_MAX)
		return ol_err_set(err, OL_E2BIG, "version record: more than %d headers",
		                  OL_HDRS_MAX);
	if (v->enc_info_len > OL_ENC_INFO_MAX)
		return ol_err_set(err, OL_E2BIG, "version record: encryption info above %d bytes",
		                  OL_ENC_INFO_MAX);
	if ((rc = check_str(v->etag, "etag", err)) || (rc = check_str(v->content_type,
	                                                               "content-type", err)))
		return rc;
	for (i = 0; i < v->n_hdrs; i++) {
		if (!v->hdrs[i].name || !v->hdrs[i].name[0])
			return ol_err_set(err, OL_EINVAL, "version record: header without name");
		if ((rc = check_str(v->hdrs[i].name, "header name", err)) ||
		    (rc = check_str(v->hdrs[i].value, "header value", err)))
			return rc;
	}
	switch (v->loc.kind) {
	case OL_LOC_NONE:
		if (!v->is_delete_marker || v->size_bytes != 0)
			return ol_err_set(err, OL_EINVAL,
			                  "version record: no locator on a non-marker");
		break;
	case OL_LOC_INLINE:
		if (v->is_delete_marker || v->loc.inline_len != v->size_bytes ||
		    v->loc.inline_len > OL_INLINE_LIMIT || (v->loc.inline_len && !v->loc.inline_data))
			return ol_err_set(err, OL_EINVAL, "version record: bad inline locator");
		break;
	case OL_LOC_BLOB:
		if (v->is_delete_marker)
			return ol_err_set(err, OL_EINVAL, "version record: delete marker with blob");
		break;
	default:
		return ol_err_set(err, OL_EINVAL, "version record: unknown locator kind %d",
		                  (int)v->loc.kind);
	}

	if (v->is_null)
		flags |= F_NULL;
	if (v->is_delete_marker)
		flags |= F_DELETE_MARKER;
	if (v->legal_hold)
		flags |= F_LEGAL_HOLD;
	w_u8(&w, OL_VERSION_FORMAT);
	w_u8(&w, flags);
	w_u8(&w, (uint8_t)v->lock_mode);
	w_u8(&w, (uint8_t)v->cksum_alg);
	w_u8(&w, (uint8_t)v->cksum_type);
	w_u8(&w, (uint8_t)v->repl_status);
	w_bytes(&w, v->iid, OL_IID_LEN);
	w_u64(&w, v->size_bytes);
	w_u64(&w, (uint64_t)v->created_ns);
	w_u64(&w, (uint64_t)v->retain_until_ns);
	w_u8(&w, (uint8_t)v->cksum_len);
	w_bytes(&w, v->cksum, v->cksum_len);
	w_optstr(&w, v->etag);
	w_optstr(&w, v->content_type);
	w_var(&w, v->n_hdrs);
	for (i = 0; i < v->n_hdrs; i++) {
		w_str(&w, v->hdrs[i].name);
		w_str(&w, v->hdrs[i].value);
	}
	w_u8(&w, (uint8_t)v->loc.kind);
	switch (v->loc.kind) {
	case OL_LOC_INLINE:
		w_var(&w, v->loc.inline_len);
		w_bytes(&w, v->loc.inline_data, v->loc.inline_len);
		break;
	case OL_LOC_BLOB:
		w_var(&w, OL_BLOB_ID_LEN + 8);
		w_bytes(&w, v->loc.blob_id, OL_BLOB_ID_LEN);
		w_u64(&w, v->loc.blob_len);
		break;
	default:
		w_var(&w, 0);
		break;
	}
	w_var(&w, v->enc_info_len);
	w_bytes(&w, v->enc_info, v->enc_info_len);
	if (w.oom) {
		free(w.p);
		return ol_err_set(err, OL_ENOMEM, "version record: out of memory");
	}
	c = cr_crc32c(0, w.p, w.n);
	crc[0] = (uint8_t)c;
	crc[1] = (uint8_t)(c >> 8);
	crc[2] = (uint8_t)(c >> 16);
	crc[3] = (uint8_t)(c >> 24);
	w_bytes(&w, crc, 4);
	if (w.oom) {
		free(w.p);
		return ol_err_set(err, OL_ENOMEM, "version record: out of memory");
	}
	*out = w.p;
	*outlen = w.n;
	return OL_OK;
}

/* ---- reader ---- */

struct rbuf {
	const uint8_t *p;
	size_t n;
	bool bad;
};

static const uint8_t *
r_take(struct rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || r->n < n) {
		r->bad = true;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->n -= n;
	return p;
}

static uint8_t
r_u8(struct rbuf *r)
{
	const uint8_t *p = r_take(r, 1);

	return p ? *p : 0;
}

static uint64_t
r_u64(struct rbuf *r)
{
	const uint8_t *p = r_take(r, 8);
	uint64_t v = 0;
	int i;

	if (!p)
		return 0;
	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t
r_var(struct rbuf *r)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 70; shift += 7) {
		uint8_t c = r_u8(r);

		if (r->bad)
			return 0;
		/* the 10th byte may only carry the top bit of a u64 */
		if (shift == 63 && (c & 0xfe)) {
			r->bad = true;
			return 0;
		}
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

/* A string of @n bytes without NUL, copied; NULL with r->bad on failure. */
static char *
r_strn(struct rbuf *r, uint64_t n, bool *oom)
{
	const uint8_t *p;
	char *s;

	if (n > OL_STR_MAX) {
		r->bad = true;
		return NULL;
	}
	p = r_take(r, (size_t)n);
	if (!p)
		return NULL;
	if (n && memchr(p, 0, (size_t)n)) {
		r->bad = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (!s) {
		*oom = true;
		r->bad = true;
		return NULL;
	}
	if (n)
		memcpy(s, p, (size_t)n);
	s[n] = '\0';
	return s;
}

static int
decode(const void *p, size_t n, bool verify, struct ol_version *out, struct ol_err *err)
{
	struct ol_version v;
	struct rbuf r;
	const uint8_t *b = p, *q;
	uint8_t flags, loc_kind;
	uint64_t len, nh, i;
	uint32_t stored, calc;
	bool oom = false;
	const char *why = "truncated";
	int rc = OL_ECORRUPT; /* until the last field is in */

	ol_version_init(&v);
	if (n < 5)
		return ol_err_set(err, OL_ECORRUPT, "version record: %zu bytes, too short", n);
	if (b[0] != OL_VERSION_FORMAT)
		return ol_err_set(err, OL_ECORRUPT, "version record: unknown format %u",
		                  (unsigned)b[0]);
	stored = (uint32_t)b[n - 4] | ((uint32_t)b[n - 3] << 8) | ((uint32_t)b[n - 2] << 16) |
	         ((uint32_t)b[n - 1] << 24);
	calc = verify ? cr_crc32c(0, b, n - 4) : stored;
	if (stored != calc)
		return ol_err_set(err, OL_ECORRUPT, "version record: checksum mismatch");

	r.p = b + 1;
	r.n = n - 5;
	r.bad = false;
	flags = r_u8(&r);
	v.lock_mode = (enum ol_lock_mode)r_u8(&r);
	v.cksum_alg = (enum ol_cksum_alg)r_u8(&r);
	v.cksum_type = (enum ol_cksum_type)r_u8(&r);
	v.repl_status = (enum ol_repl_status)r_u8(&r);
	if (r.bad)
		goto out;
	if ((flags & ~F_ALL) || (unsigned)v.lock_mode > OL_LOCK_COMPLIANCE ||
	    (unsigned)v.cksum_alg > OL_CKSUM_SHA256 ||
	    (unsigned)v.cksum_type > OL_CKSUM_COMPOSITE ||
	    (unsigned)v.repl_status > OL_REPL_REPLICA) {
		why = "field out of range";
		goto out;
	}
	v.is_null = flags & F_NULL;
	v.is_delete_marker = flags & F_DELETE_MARKER;
	v.legal_hold = flags & F_LEGAL_HOLD;
	q = r_take(&r, OL_IID_LEN);
	if (!q)
		goto out;
	memcpy(v.iid, q, OL_IID_LEN);
	v.size_bytes = r_u64(&r);
	v.created_ns = (int64_t)r_u64(&r);
	v.retain_until_ns = (int64_t)r_u64(&r);
	v.cksum_len = r_u8(&r);
	if (r.bad)
		goto out;
	if (v.cksum_len != cksum_len_of(v.cksum_alg)) {
		why = "checksum length does not fit the algorithm";
		goto out;
	}
	q = r_take(&r, v.cksum_len);
	if (!q)
		goto out;
	if (v.cksum_len)
		memcpy(v.cksum, q, v.cksum_len);

	len = r_var(&r);
	if (!r.bad && len)
		v.etag = r_strn(&r, len - 1, &oom);
	len = r_var(&r);
	if (!r.bad && len)
		v.content_type = r_strn(&r, len - 1, &oom);
	nh = r_var(&r);
	if (r.bad)
		goto out;
	if (nh > OL_HDRS_MAX) {
		why = "too many headers";
		goto out;
	}
	if (nh) {
		v.hdrs = calloc((size_t)nh, sizeof(*v.hdrs));
		if (!v.hdrs) {
			oom = true;
			goto out;
		}
		v.n_hdrs = (size_t)nh;
	}
	for (i = 0; i < nh && !r.bad; i++) {
		len = r_var(&r);
		if (!r.bad && len == 0) {
			why = "header without name";
			r.bad = true;
		}
		if (!r.bad)
			v.hdrs[i].name = r_strn(&r, len, &oom);
		len = r_var(&r);
		if (!r.bad)
			v.hdrs[i].value = r_strn(&r, len, &oom);
	}
	loc_kind = r_u8(&r);
	len = r_var(&r);
	if (r.bad)
		goto out;
	v.loc.kind = (enum ol_loc_kind)loc_kind;
	switch (loc_kind) {
	case OL_LOC_NONE:
		if (len != 0 || !v.is_delete_marker || v.size_bytes != 0) {
			why = "bad empty locator";
			goto out;
		}
		break;
	case OL_LOC_INLINE:
		if (len > OL_INLINE_LIMIT || len != v.size_bytes || v.is_delete_marker) {
			why = "bad inline locator";
			goto out;
		}
		q = r_take(&r, (size_t)len);
		if (!q)
			goto out;
		if (len) {
			v.loc.inline_data = malloc((size_t)len);
			if (!v.loc.inline_data) {
				oom = true;
				goto out;
			}
			memcpy(v.loc.inline_data, q, (size_t)len);
		}
		v.loc.inline_len = (size_t)len;
		break;
	case OL_LOC_BLOB:
		if (len != OL_BLOB_ID_LEN + 8 || v.is_delete_marker) {
			why = "bad blob locator";
			goto out;
		}
		q = r_take(&r, OL_BLOB_ID_LEN);
		if (!q)
			goto out;
		memcpy(v.loc.blob_id, q, OL_BLOB_ID_LEN);
		v.loc.blob_len = r_u64(&r);
		break;
	default:
		why = "unknown locator kind";
		goto out;
	}
	len = r_var(&r);
	if (r.bad)
		goto out;
	if (len > OL_ENC_INFO_MAX) {
		why = "encryption info too long";
		goto out;
	}
	q = r_take(&r, (size_t)len);
	if (!q)
		goto out;
	if (len) {
		v.enc_info = malloc((size_t)len);
		if (!v.enc_info) {
			oom = true;
			goto out;
		}
		memcpy(v.enc_info, q, (size_t)len);
		v.enc_info_len = (size_t)len;
	}
	if (r.bad)
		goto out;
	if (r.n != 0) {
		why = "trailing bytes";
		goto out;
	}
	if (v.is_null)
		memcpy(v.version_id, "null", 5);
	else
		ol_iid_to_text(v.iid, v.version_id);
	*out = v;
	rc = OL_OK;
out:
	if (rc != OL_OK) {
		ol_version_release(&v);
		if (oom)
			rc = ol_err_set(err, OL_ENOMEM, "version record: out of memory");
		else
			rc = ol_err_set(err, OL_ECORRUPT, "version record: %s", why);
	}
	return rc;
}

int
ol_version_decode(const void *p, size_t n, struct ol_version *out, struct ol_err *err)
{
	return decode(p, n, true, out, err);
}

int
ol_version_salvage(const void *p, size_t n, struct ol_version *out)
{
	return decode(p, n, false, out, NULL);
}

/* ---- bucket records ----
 * format 1: u8 format | u8 flags (1 lock enabled) | u8 versioning | u8 name length, name |
 *           u8 region length, region | i64 created_ns | u32 crc32c */

int
ol_bucket_encode(const struct ol_bucket *b, uint8_t out[OL_BUCKET_REC_MAX], struct ol_err *err)
{
	size_t nl = strnlen(b->name, sizeof(b->name)), rl = strnlen(b->region, sizeof(b->region));
	size_t o = 0;
	uint64_t t = (uint64_t)b->created_ns;
	uint32_t c;
	int i;

	if (nl == 0 || nl > OL_BUCKET_NAME_MAX || rl > OL_REGION_MAX ||
	    (unsigned)b->versioning > OL_VERSIONING_SUSPENDED)
		return ol_err_set(err, OL_EINVAL, "bucket record: field out of range");
	out[o++] = OL_BUCKET_FORMAT;
	out[o++] = b->lock_enabled ? 1 : 0;
	out[o++] = (uint8_t)b->versioning;
	out[o++] = (uint8_t)nl;
	memcpy(out + o, b->name, nl);
	o += nl;
	out[o++] = (uint8_t)rl;
	memcpy(out + o, b->region, rl);
	o += rl;
	for (i = 0; i < 8; i++)
		out[o++] = (uint8_t)(t >> (8 * i));
	c = cr_crc32c(0, out, o);
	for (i = 0; i < 4; i++)
		out[o++] = (uint8_t)(c >> (8 * i));
	return (int)o;
}

int
ol_bucket_decode(const void *p, size_t n, struct ol_bucket *out, struct ol_err *err)
{
	const uint8_t *b = p;
	struct ol_bucket bk;
	size_t o = 0, nl, rl;
	uint64_t t = 0;
	uint32_t stored, calc;
	int i;

	memset(&bk, 0, sizeof(bk));
	if (n < 4 + 4 + 8 || b[0] != OL_BUCKET_FORMAT)
		return ol_err_set(err, OL_ECORRUPT, "bucket record: bad format");
	stored = (uint32_t)b[n - 4] | ((uint32_t)b[n - 3] << 8) | ((uint32_t)b[n - 2] << 16) |
	         ((uint32_t)b[n - 1] << 24);
	calc = cr_crc32c(0, b, n - 4);
	if (stored != calc)
		return ol_err_set(err, OL_ECORRUPT, "bucket record: checksum mismatch");
	n -= 4;
	o = 1;
	if (b[o] > 1 || b[o + 1] > OL_VERSIONING_SUSPENDED)
		return ol_err_set(err, OL_ECORRUPT, "bucket record: field out of range");
	bk.lock_enabled = b[o++];
	bk.versioning = (enum ol_versioning)b[o++];
	nl = b[o++];
	if (nl == 0 || nl > OL_BUCKET_NAME_MAX || o + nl + 1 > n || memchr(b + o, 0, nl))
		return ol_err_set(err, OL_ECORRUPT, "bucket record: bad name");
	memcpy(bk.name, b + o, nl);
	o += nl;
	rl = b[o++];
	if (rl > OL_REGION_MAX || o + rl + 8 != n || (rl && memchr(b + o, 0, rl)))
		return ol_err_set(err, OL_ECORRUPT, "bucket record: bad region");
	memcpy(bk.region, b + o, rl);
	o += rl;
	for (i = 7; i >= 0; i--)
		t = (t << 8) | b[o + (size_t)i];
	bk.created_ns = (int64_t)t;
	*out = bk;
	return OL_OK;
}
