/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version, upload, part and bucket records: compact binary, a format byte first and a
 * CRC32C of everything before it last, so a torn or flipped record is caught before any
 * field is trusted.
 *
 * Version record, format 1 (integers little-endian, "var" = LEB128 of at most 10 bytes):
 *   u8 format=1 | u8 flags (1 null, 2 delete marker, 4 legal hold, 8 legal hold status
 *   given) | u8 lock mode |
 *   u8 checksum alg | u8 checksum type | u8 replication status | iid[24] |
 *   u64 size | i64 created_ns | i64 retain_until_ns |
 *   u8 checksum length, checksum bytes |
 *   var etag length+1 (0 = none), bytes | var content-type length+1, bytes |
 *   var pair count, per pair: var name length, bytes, var value length, bytes |
 *   u8 locator kind, var locator length, locator bytes |
 *   var encryption-info length, bytes | u32 crc32c
 * Locator bytes: none = empty; inline = the body; blob = blob id[16] || u64 blob length.
 *
 * Version record, format 2: format 1 plus locator kind 3 (parts), whose bytes are
 *   var part count (1..10000), per part: var part number (strictly ascending, 1..10000),
 *   blob id[16], var size
 * and the sizes must sum to the record's size.
 * Version record, format 3: format 2 with each part of a parts locator followed by its
 * checksum: u8 length (0, or the length of the record's checksum algorithm: the part's
 * value in that algorithm), bytes.
 * A record is written in the oldest format that can hold it: everything but a multipart
 * version stays format 1, a multipart version without any part checksum format 2, byte
 * for byte as before, so a downgraded binary still reads every object it could read when
 * it wrote it (and reports the others as "unknown format N" rather than misreading them).
 * A newer format reads every older body. A 10000-part locator is at most ~280 KB (format
 * 2) or ~610 KB (format 3, SHA-256); RocksDB values have no limit near that.
 *
 * Upload record, format 1: the version record's fields without size and locator (and the
 * checksum value may be empty whatever the algorithm: a template names it before any value
 * exists):
 *   u8 format=1 | u8 flags (4 legal hold, 8 status given) | u8 lock mode | u8 checksum alg |
 *   u8 checksum type | u8 replication status | uid[24] | i64 initiated_ns |
 *   i64 retain_until_ns | checksum | etag | content-type | pairs | encryption info |
 *   u32 crc32c
 * Part record, format 1 (at most OL_PART_REC_MAX bytes):
 *   u8 format=1 | u8 checksum alg | u16 part number | blob id[16] | u64 size |
 *   i64 created_ns | md5[16] | u8 checksum length, bytes | u8 etag length (1..128), bytes |
 *   u32 crc32c
 * Completion record, format 1 (OL_DONE_REC_LEN bytes; multipart.c says what it is for):
 *   u8 format=1 | blob id[16] | i64 completed_ns | parts digest[32] | u32 crc32c
 * A new locator kind or a new field bumps the format byte.
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

/* F_HOLD_SET: a legal-hold status (ON or OFF) was ever given; S3 tells "never set" (404
 * NoSuchObjectLockConfiguration, no header) from OFF. */
enum { F_NULL = 1, F_DELETE_MARKER = 2, F_LEGAL_HOLD = 4, F_HOLD_SET = 8, F_ALL = 15 };

/* What a shared codec path reads or writes. */
enum rec_kind { REC_VERSION, REC_UPLOAD };

#define VERSION_FORMAT_1 1
#define VERSION_FORMAT_2 2 /* parts locators */

/* For messages: never NULL (cr_cksum_name is for NONE and unknown values). */
static const char *
alg_name(enum ol_cksum_alg a)
{
	const char *n = cr_cksum_name((enum cr_cksum_alg)a);

	return n ? n : "no algorithm";
}

size_t
ol_cksum_len_of(enum ol_cksum_alg a)
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
	free(v->loc.parts);
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
	c.loc.parts = NULL;
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
	if (src->loc.n_parts && src->loc.parts) {
		c.loc.parts = malloc(src->loc.n_parts * sizeof(*c.loc.parts));
		if (c.loc.parts)
			memcpy(c.loc.parts, src->loc.parts, src->loc.n_parts * sizeof(*c.loc.parts));
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
	if (a->loc.n_parts != b->loc.n_parts)
		return false;
	for (i = 0; i < a->loc.n_parts; i++) {
		const struct ol_loc_part *x = &a->loc.parts[i], *y = &b->loc.parts[i];

		if (x->part_number != y->part_number || x->size_bytes != y->size_bytes ||
		    x->off != y->off || memcmp(x->blob_id, y->blob_id, OL_BLOB_ID_LEN) ||
		    x->cksum_len != y->cksum_len || !mem_eq(x->cksum, y->cksum, x->cksum_len))
			return false;
	}
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
	       a->legal_hold == b->legal_hold &&
	       (a->legal_hold || a->legal_hold_set) == (b->legal_hold || b->legal_hold_set) &&
	       a->repl_status == b->repl_status &&
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
check_str(const char *s, const char *what, const char *rec, struct ol_err *err)
{
	if (s && strlen(s) > OL_STR_MAX)
		return ol_err_set(err, OL_E2BIG, "%s record: %s longer than %d bytes", rec, what,
		                  OL_STR_MAX);
	return OL_OK;
}

/* The locator checks of the encoder; the decoder makes the same ones. */
static int
check_locator(const struct ol_version *v, struct ol_err *err)
{
	uint64_t sum = 0;
	uint32_t i, prev = 0;

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
	case OL_LOC_PARTS:
		if (v->is_delete_marker || v->loc.n_parts == 0 || v->loc.n_parts > OL_PARTS_MAX ||
		    !v->loc.parts)
			return ol_err_set(err, OL_EINVAL, "version record: bad parts locator");
		for (i = 0; i < v->loc.n_parts; i++) {
			const struct ol_loc_part *p = &v->loc.parts[i];

			if (p->part_number <= prev || p->part_number > OL_PART_NUMBER_MAX)
				return ol_err_set(err, OL_EINVAL,
				                  "version record: part numbers not ascending in 1..%d",
				                  OL_PART_NUMBER_MAX);
			if (sum + p->size_bytes < sum)
				return ol_err_set(err, OL_E2BIG, "version record: part sizes overflow");
			if (p->cksum_len && (v->cksum_alg == OL_CKSUM_NONE ||
			                     p->cksum_len != ol_cksum_len_of(v->cksum_alg)))
				return ol_err_set(err, OL_EINVAL,
				                  "version record: part %u checksum of %zu bytes for %s",
				                  (unsigned)p->part_number, p->cksum_len,
				                  alg_name(v->cksum_alg));
			prev = p->part_number;
			sum += p->size_bytes;
		}
		if (sum != v->size_bytes)
			return ol_err_set(err, OL_EINVAL,
			                  "version record: part sizes do not sum to the size");
		break;
	default:
		return ol_err_set(err, OL_EINVAL, "version record: unknown locator kind %d",
		                  (int)v->loc.kind);
	}
	return OL_OK;
}

/* The oldest format that holds @v (see the top of the file). */
static uint8_t
version_format(const struct ol_version *v)
{
	uint32_t i;

	if (v->loc.kind != OL_LOC_PARTS)
		return VERSION_FORMAT_1;
	for (i = 0; i < v->loc.n_parts; i++)
		if (v->loc.parts[i].cksum_len)
			return OL_VERSION_FORMAT;
	return VERSION_FORMAT_2;
}

static void
w_locator(struct wbuf *w, const struct ol_version *v, uint8_t format)
{
	struct wbuf lb = { 0 };
	uint32_t i;

	w_u8(w, (uint8_t)v->loc.kind);
	switch (v->loc.kind) {
	case OL_LOC_INLINE:
		w_var(w, v->loc.inline_len);
		w_bytes(w, v->loc.inline_data, v->loc.inline_len);
		break;
	case OL_LOC_BLOB:
		w_var(w, OL_BLOB_ID_LEN + 8);
		w_bytes(w, v->loc.blob_id, OL_BLOB_ID_LEN);
		w_u64(w, v->loc.blob_len);
		break;
	case OL_LOC_PARTS:
		/* the length comes first: build the parts aside */
		w_var(&lb, v->loc.n_parts);
		for (i = 0; i < v->loc.n_parts; i++) {
			w_var(&lb, v->loc.parts[i].part_number);
			w_bytes(&lb, v->loc.parts[i].blob_id, OL_BLOB_ID_LEN);
			w_var(&lb, v->loc.parts[i].size_bytes);
			if (format >= OL_VERSION_FORMAT) {
				w_u8(&lb, (uint8_t)v->loc.parts[i].cksum_len);
				w_bytes(&lb, v->loc.parts[i].cksum, v->loc.parts[i].cksum_len);
			}
		}
		if (lb.oom)
			w->oom = true;
		w_var(w, lb.n);
		w_bytes(w, lb.p, lb.n);
		free(lb.p);
		break;
	default:
		w_var(w, 0);
		break;
	}
}

/* The version record (REC_VERSION) or the upload record (REC_UPLOAD: @v is the template
 * with iid = upload id and created_ns = initiation time). */
static int
encode_rec(const struct ol_version *v, enum rec_kind kind, uint8_t **out, size_t *outlen,
           struct ol_err *err)
{
	const char *rn = kind == REC_VERSION ? "version" : "upload";
	struct wbuf w = { 0 };
	uint8_t flags = 0, crc[4], format;
	uint32_t c;
	size_t i;
	int rc;

	if ((unsigned)v->lock_mode > OL_LOCK_COMPLIANCE ||
	    (unsigned)v->cksum_type > OL_CKSUM_COMPOSITE ||
	    (unsigned)v->repl_status > OL_REPL_REPLICA || (unsigned)v->cksum_alg > OL_CKSUM_SHA256)
		return ol_err_set(err, OL_EINVAL, "%s record: enum field out of range", rn);
	/* an upload's template names the algorithm before any value exists */
	if (v->cksum_len != ol_cksum_len_of(v->cksum_alg) && (kind == REC_VERSION || v->cksum_len))
		return ol_err_set(err, OL_EINVAL, "%s record: checksum of %zu bytes for %s", rn,
		                  v->cksum_len, alg_name(v->cksum_alg));
	if (v->n_hdrs > OL_HDRS_MAX)
		return ol_err_set(err, OL_E2BIG, "%s record: more than %d headers", rn,
		                  OL_HDRS_MAX);
	if (v->enc_info_len > OL_ENC_INFO_MAX)
		return ol_err_set(err, OL_E2BIG, "%s record: encryption info above %d bytes", rn,
		                  OL_ENC_INFO_MAX);
	if ((rc = check_str(v->etag, "etag", rn, err)) ||
	    (rc = check_str(v->content_type, "content-type", rn, err)))
		return rc;
	for (i = 0; i < v->n_hdrs; i++) {
		if (!v->hdrs[i].name || !v->hdrs[i].name[0])
			return ol_err_set(err, OL_EINVAL, "%s record: header without name", rn);
		if ((rc = check_str(v->hdrs[i].name, "header name", rn, err)) ||
		    (rc = check_str(v->hdrs[i].value, "header value", rn, err)))
			return rc;
	}
	if (kind == REC_VERSION && (rc = check_locator(v, err)) != OL_OK)
		return rc;

	if (kind == REC_VERSION && v->is_null)
		flags |= F_NULL;
	if (kind == REC_VERSION && v->is_delete_marker)
		flags |= F_DELETE_MARKER;
	if (v->legal_hold)
		flags |= F_LEGAL_HOLD;
	if (v->legal_hold || v->legal_hold_set)
		flags |= F_HOLD_SET;
	format = kind == REC_UPLOAD ? OL_UPLOAD_FORMAT : version_format(v);
	w_u8(&w, format);
	w_u8(&w, flags);
	w_u8(&w, (uint8_t)v->lock_mode);
	w_u8(&w, (uint8_t)v->cksum_alg);
	w_u8(&w, (uint8_t)v->cksum_type);
	w_u8(&w, (uint8_t)v->repl_status);
	w_bytes(&w, v->iid, OL_IID_LEN);
	if (kind == REC_VERSION)
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
	if (kind == REC_VERSION)
		w_locator(&w, v, format);
	w_var(&w, v->enc_info_len);
	w_bytes(&w, v->enc_info, v->enc_info_len);
	if (w.oom) {
		free(w.p);
		return ol_err_set(err, OL_ENOMEM, "%s record: out of memory", rn);
	}
	c = cr_crc32c(0, w.p, w.n);
	crc[0] = (uint8_t)c;
	crc[1] = (uint8_t)(c >> 8);
	crc[2] = (uint8_t)(c >> 16);
	crc[3] = (uint8_t)(c >> 24);
	w_bytes(&w, crc, 4);
	if (w.oom) {
		free(w.p);
		return ol_err_set(err, OL_ENOMEM, "%s record: out of memory", rn);
	}
	*out = w.p;
	*outlen = w.n;
	return OL_OK;
}

int
ol_version_encode(const struct ol_version *v, uint8_t **out, size_t *outlen,
                  struct ol_err *err)
{
	return encode_rec(v, REC_VERSION, out, outlen, err);
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

/* The parts locator bytes (q, len) of a record of @format into v->loc (whose checksum
 * algorithm is already read); false with *why set on a bad one. */
static bool
r_parts(const uint8_t *q, size_t len, uint8_t format, struct ol_version *v, bool *oom,
        const char **why)
{
	struct rbuf lr = { q, len, false };
	uint64_t count, i, sum = 0, prev = 0;

	*why = "bad parts locator";
	count = r_var(&lr);
	if (lr.bad || count == 0 || count > OL_PARTS_MAX)
		return false;
	/* every part takes at least 18 bytes: refuse a count the bytes cannot hold before
	 * allocating for it */
	if (count > len / (OL_BLOB_ID_LEN + 2))
		return false;
	v->loc.parts = calloc((size_t)count, sizeof(*v->loc.parts));
	if (!v->loc.parts) {
		*oom = true;
		return false;
	}
	v->loc.n_parts = (uint32_t)count;
	for (i = 0; i < count; i++) {
		struct ol_loc_part *p = &v->loc.parts[i];
		uint64_t pn = r_var(&lr), size;
		const uint8_t *id;

		id = r_take(&lr, OL_BLOB_ID_LEN);
		size = r_var(&lr);
		if (lr.bad || pn <= prev || pn > OL_PART_NUMBER_MAX)
			return false;
		if (format >= OL_VERSION_FORMAT) {
			size_t cl = r_u8(&lr);
			const uint8_t *c;

			if (lr.bad)
				return false;
			if (cl &&
			    (v->cksum_alg == OL_CKSUM_NONE || cl != ol_cksum_len_of(v->cksum_alg))) {
				*why = "part checksum length does not fit the algorithm";
				return false;
			}
			c = r_take(&lr, cl);
			if (!c)
				return false;
			memcpy(p->cksum, c, cl);
			p->cksum_len = cl;
		}
		if (sum + size < sum) {
			*why = "part sizes overflow";
			return false;
		}
		p->part_number = (uint32_t)pn;
		memcpy(p->blob_id, id, OL_BLOB_ID_LEN);
		p->size_bytes = size;
		p->off = sum;
		sum += size;
		prev = pn;
	}
	if (lr.n != 0)
		return false;
	if (sum != v->size_bytes) {
		*why = "part sizes do not sum to the size";
		return false;
	}
	return true;
}

static int
decode_rec(const void *p, size_t n, bool verify, enum rec_kind kind, struct ol_version *out,
           struct ol_err *err)
{
	const char *rn = kind == REC_VERSION ? "version" : "upload";
	struct ol_version v;
	struct rbuf r;
	const uint8_t *b = p, *q;
	uint8_t flags, loc_kind, format;
	uint64_t len, nh, i;
	uint32_t stored, calc;
	bool oom = false;
	const char *why = "truncated";
	int rc = OL_ECORRUPT; /* until the last field is in */

	ol_version_init(&v);
	if (n < 5)
		return ol_err_set(err, OL_ECORRUPT, "%s record: %zu bytes, too short", rn, n);
	format = b[0];
	if (kind == REC_VERSION ? (format < VERSION_FORMAT_1 || format > OL_VERSION_FORMAT)
	                        : format != OL_UPLOAD_FORMAT)
		return ol_err_set(err, OL_ECORRUPT, "%s record: unknown format %u", rn,
		                  (unsigned)format);
	stored = (uint32_t)b[n - 4] | ((uint32_t)b[n - 3] << 8) | ((uint32_t)b[n - 2] << 16) |
	         ((uint32_t)b[n - 1] << 24);
	calc = verify ? cr_crc32c(0, b, n - 4) : stored;
	if (stored != calc)
		return ol_err_set(err, OL_ECORRUPT, "%s record: checksum mismatch", rn);

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
	if ((flags & ~(kind == REC_VERSION ? F_ALL : F_LEGAL_HOLD | F_HOLD_SET)) ||
	    (unsigned)v.lock_mode > OL_LOCK_COMPLIANCE ||
	    (unsigned)v.cksum_alg > OL_CKSUM_SHA256 ||
	    (unsigned)v.cksum_type > OL_CKSUM_COMPOSITE ||
	    (unsigned)v.repl_status > OL_REPL_REPLICA) {
		why = "field out of range";
		goto out;
	}
	v.is_null = flags & F_NULL;
	v.is_delete_marker = flags & F_DELETE_MARKER;
	v.legal_hold = flags & F_LEGAL_HOLD;
	v.legal_hold_set = flags & (F_HOLD_SET | F_LEGAL_HOLD);
	q = r_take(&r, OL_IID_LEN);
	if (!q)
		goto out;
	memcpy(v.iid, q, OL_IID_LEN);
	if (kind == REC_VERSION)
		v.size_bytes = r_u64(&r);
	v.created_ns = (int64_t)r_u64(&r);
	v.retain_until_ns = (int64_t)r_u64(&r);
	v.cksum_len = r_u8(&r);
	if (r.bad)
		goto out;
	if (v.cksum_len != ol_cksum_len_of(v.cksum_alg) && (kind == REC_VERSION || v.cksum_len)) {
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
	if (kind == REC_UPLOAD) {
		v.loc.kind = OL_LOC_NONE;
		goto enc_info;
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
	case OL_LOC_PARTS:
		/* format 1 predates the kind: a format-1 record naming it is damaged */
		if (format < VERSION_FORMAT_2 || v.is_delete_marker || len > r.n) {
			why = "bad parts locator";
			goto out;
		}
		q = r_take(&r, (size_t)len);
		if (!q)
			goto out;
		if (!r_parts(q, (size_t)len, format, &v, &oom, &why))
			goto out;
		break;
	default:
		why = "unknown locator kind";
		goto out;
	}
enc_info:
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
			rc = ol_err_set(err, OL_ENOMEM, "%s record: out of memory", rn);
		else
			rc = ol_err_set(err, OL_ECORRUPT, "%s record: %s", rn, why);
	}
	return rc;
}

int
ol_version_decode(const void *p, size_t n, struct ol_version *out, struct ol_err *err)
{
	return decode_rec(p, n, true, REC_VERSION, out, err);
}

int
ol_version_salvage(const void *p, size_t n, struct ol_version *out)
{
	return decode_rec(p, n, false, REC_VERSION, out, NULL);
}

uint32_t
ol_version_parts_count(const struct ol_version *v)
{
	return v->loc.kind == OL_LOC_PARTS ? v->loc.n_parts : 0;
}

const struct ol_loc_part *
ol_version_part(const struct ol_version *v, uint32_t part_number)
{
	uint32_t lo = 0, hi;

	if (v->loc.kind != OL_LOC_PARTS || !v->loc.parts)
		return NULL;
	/* part numbers ascend (the codec checks it): binary search */
	hi = v->loc.n_parts;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v->loc.parts[mid].part_number < part_number)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->loc.n_parts || v->loc.parts[lo].part_number != part_number)
		return NULL;
	return &v->loc.parts[lo];
}

int
ol_version_part_range(const struct ol_version *v, uint32_t part_number, uint64_t *off,
                      uint64_t *len)
{
	const struct ol_loc_part *p;

	if (v->is_delete_marker || v->loc.kind == OL_LOC_NONE || part_number == 0)
		return OL_EINVAL;
	if (v->loc.kind != OL_LOC_PARTS) {
		if (part_number != 1)
			return OL_ENOTFOUND;
		*off = 0;
		*len = v->size_bytes;
		return OL_OK;
	}
	p = ol_version_part(v, part_number);
	if (!p)
		return OL_ENOTFOUND;
	*off = p->off;
	*len = p->size_bytes;
	return OL_OK;
}

/* ---- upload records ---- */

void
ol_upload_release(struct ol_upload *u)
{
	if (!u)
		return;
	ol_version_release(&u->tmpl);
	memset(u, 0, sizeof(*u));
}

int
ol_upload_encode(const struct ol_upload *u, uint8_t **out, size_t *outlen, struct ol_err *err)
{
	struct ol_version t = u->tmpl; /* shallow: only read */

	if (!ol_iid_from_text(u->upload_id, strnlen(u->upload_id, sizeof(u->upload_id)), t.iid))
		return ol_err_set(err, OL_EINVAL, "upload record: bad upload id");
	t.created_ns = u->initiated_ns;
	return encode_rec(&t, REC_UPLOAD, out, outlen, err);
}

int
ol_upload_decode(const void *p, size_t n, struct ol_upload *out, struct ol_err *err)
{
	struct ol_upload u;
	int rc;

	memset(&u, 0, sizeof(u));
	rc = decode_rec(p, n, true, REC_UPLOAD, &u.tmpl, err);
	if (rc != OL_OK)
		return rc;
	ol_iid_to_text(u.tmpl.iid, u.upload_id);
	u.initiated_ns = u.tmpl.created_ns;
	/* the template's store fields are zero, as documented */
	memset(u.tmpl.iid, 0, OL_IID_LEN);
	memset(u.tmpl.version_id, 0, sizeof(u.tmpl.version_id));
	u.tmpl.created_ns = 0;
	*out = u;
	return OL_OK;
}

bool
ol_upload_equal(const struct ol_upload *a, const struct ol_upload *b)
{
	return strcmp(a->upload_id, b->upload_id) == 0 && a->initiated_ns == b->initiated_ns &&
	       ol_version_equal(&a->tmpl, &b->tmpl);
}

/* ---- part records ---- */

static void
put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int
ol_part_encode(const struct ol_part_rec *r, uint8_t out[OL_PART_REC_MAX], struct ol_err *err)
{
	const struct ol_part *p = &r->p;
	size_t el = strnlen(p->etag, sizeof(p->etag)), o = 0;

	if (p->part_number == 0 || p->part_number > OL_PART_NUMBER_MAX)
		return ol_err_set(err, OL_EINVAL, "part record: part number %u outside 1..%d",
		                  (unsigned)p->part_number, OL_PART_NUMBER_MAX);
	if (el == 0 || el > OL_PART_ETAG_MAX)
		return ol_err_set(err, OL_EINVAL, "part record: etag of %zu bytes (1..%d)", el,
		                  OL_PART_ETAG_MAX);
	if ((unsigned)p->cksum_alg > OL_CKSUM_SHA256 ||
	    p->cksum_len != ol_cksum_len_of(p->cksum_alg))
		return ol_err_set(err, OL_EINVAL, "part record: checksum of %zu bytes for %s",
		                  p->cksum_len, alg_name(p->cksum_alg));
	out[o++] = OL_PART_FORMAT;
	out[o++] = (uint8_t)p->cksum_alg;
	put_le(out + o, p->part_number, 2);
	o += 2;
	memcpy(out + o, r->blob_id, OL_BLOB_ID_LEN);
	o += OL_BLOB_ID_LEN;
	put_le(out + o, p->size_bytes, 8);
	o += 8;
	put_le(out + o, (uint64_t)p->created_ns, 8);
	o += 8;
	memcpy(out + o, p->md5, OL_MD5_LEN);
	o += OL_MD5_LEN;
	out[o++] = (uint8_t)p->cksum_len;
	memcpy(out + o, p->cksum, p->cksum_len);
	o += p->cksum_len;
	out[o++] = (uint8_t)el;
	memcpy(out + o, p->etag, el);
	o += el;
	put_le(out + o, cr_crc32c(0, out, o), 4);
	return (int)(o + 4);
}

static int
part_decode(const void *data, size_t n, bool verify, struct ol_part_rec *out,
            struct ol_err *err)
{
	const uint8_t *b = data;
	struct ol_part_rec r;
	size_t o = 0, cl, el;

	memset(&r, 0, sizeof(r));
	/* the fixed part, the two lengths and the CRC */
	if (n < 1 + 1 + 2 + OL_BLOB_ID_LEN + 8 + 8 + OL_MD5_LEN + 1 + 1 + 4 ||
	    n > OL_PART_REC_MAX)
		return ol_err_set(err, OL_ECORRUPT, "part record: %zu bytes", n);
	if (b[0] != OL_PART_FORMAT)
		return ol_err_set(err, OL_ECORRUPT, "part record: unknown format %u",
		                  (unsigned)b[0]);
	if (verify && get_le(b + n - 4, 4) != cr_crc32c(0, b, n - 4))
		return ol_err_set(err, OL_ECORRUPT, "part record: checksum mismatch");
	n -= 4;
	o = 1;
	r.p.cksum_alg = (enum ol_cksum_alg)b[o++];
	r.p.part_number = (uint32_t)get_le(b + o, 2);
	o += 2;
	memcpy(r.blob_id, b + o, OL_BLOB_ID_LEN);
	o += OL_BLOB_ID_LEN;
	r.p.size_bytes = get_le(b + o, 8);
	o += 8;
	r.p.created_ns = (int64_t)get_le(b + o, 8);
	o += 8;
	memcpy(r.p.md5, b + o, OL_MD5_LEN);
	o += OL_MD5_LEN;
	cl = b[o++];
	if ((unsigned)r.p.cksum_alg > OL_CKSUM_SHA256 || cl != ol_cksum_len_of(r.p.cksum_alg) ||
	    r.p.part_number == 0 || r.p.part_number > OL_PART_NUMBER_MAX || o + cl + 1 > n)
		return ol_err_set(err, OL_ECORRUPT, "part record: field out of range");
	memcpy(r.p.cksum, b + o, cl);
	r.p.cksum_len = cl;
	o += cl;
	el = b[o++];
	if (el == 0 || el > OL_PART_ETAG_MAX || o + el != n || memchr(b + o, 0, el))
		return ol_err_set(err, OL_ECORRUPT, "part record: bad etag");
	memcpy(r.p.etag, b + o, el);
	*out = r;
	return OL_OK;
}

int
ol_part_decode(const void *p, size_t n, struct ol_part_rec *out, struct ol_err *err)
{
	return part_decode(p, n, true, out, err);
}

int
ol_part_salvage(const void *p, size_t n, struct ol_part_rec *out)
{
	return part_decode(p, n, false, out, NULL);
}

bool
ol_part_equal(const struct ol_part_rec *a, const struct ol_part_rec *b)
{
	const struct ol_part *x = &a->p, *y = &b->p;

	return x->part_number == y->part_number && x->size_bytes == y->size_bytes &&
	       x->created_ns == y->created_ns && strcmp(x->etag, y->etag) == 0 &&
	       memcmp(x->md5, y->md5, OL_MD5_LEN) == 0 && x->cksum_alg == y->cksum_alg &&
	       x->cksum_len == y->cksum_len && mem_eq(x->cksum, y->cksum, x->cksum_len) &&
	       memcmp(a->blob_id, b->blob_id, OL_BLOB_ID_LEN) == 0;
}

/* ---- completion records ---- */

void
ol_done_encode(const struct ol_done_rec *r, uint8_t out[OL_DONE_REC_LEN])
{
	size_t o = 0;

	out[o++] = OL_DONE_FORMAT;
	memcpy(out + o, r->blob_id, OL_BLOB_ID_LEN);
	o += OL_BLOB_ID_LEN;
	put_le(out + o, (uint64_t)r->completed_ns, 8);
	o += 8;
	memcpy(out + o, r->parts_digest, sizeof(r->parts_digest));
	o += sizeof(r->parts_digest);
	put_le(out + o, cr_crc32c(0, out, o), 4);
}

int
ol_done_decode(const void *p, size_t n, struct ol_done_rec *out, struct ol_err *err)
{
	const uint8_t *b = p;
	struct ol_done_rec r;
	size_t o = 1;

	if (n != OL_DONE_REC_LEN || b[0] != OL_DONE_FORMAT)
		return ol_err_set(err, OL_ECORRUPT, "completion record: %zu bytes, format %u", n,
		                  n ? (unsigned)b[0] : 0u);
	if (get_le(b + n - 4, 4) != cr_crc32c(0, b, n - 4))
		return ol_err_set(err, OL_ECORRUPT, "completion record: checksum mismatch");
	memcpy(r.blob_id, b + o, OL_BLOB_ID_LEN);
	o += OL_BLOB_ID_LEN;
	r.completed_ns = (int64_t)get_le(b + o, 8);
	o += 8;
	memcpy(r.parts_digest, b + o, sizeof(r.parts_digest));
	*out = r;
	return OL_OK;
}

/* ---- bucket records ----
 * format 2: u8 format | u8 flags (1 lock enabled) | u8 versioning | u8 name length, name |
 *           u8 region length, region | i64 created_ns | u8 default mode | u32 days |
 *           u32 years | u32 crc32c
 * format 1 (still read): the same without the default rule (mode, days, years). */

bool
ol_lock_rule_ok(const struct ol_lock_rule *r, bool lock_enabled)
{
	if (r->mode == OL_LOCK_NONE)
		return r->days == 0 && r->years == 0;
	if ((unsigned)r->mode > OL_LOCK_COMPLIANCE || !lock_enabled)
		return false;
	if (r->days)
		return r->years == 0 && r->days <= OL_DEFAULT_DAYS_MAX;
	return r->years >= 1 && r->years <= OL_DEFAULT_YEARS_MAX;
}

static void
put_u32le(uint8_t *o, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		o[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get_u32le(const uint8_t *b)
{
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[3] << 24);
}

int
ol_bucket_encode(const struct ol_bucket *b, uint8_t out[OL_BUCKET_REC_MAX], struct ol_err *err)
{
	size_t nl = strnlen(b->name, sizeof(b->name)), rl = strnlen(b->region, sizeof(b->region));
	size_t o = 0;
	uint64_t t = (uint64_t)b->created_ns;
	uint32_t c;
	int i;

	if (nl == 0 || nl > OL_BUCKET_NAME_MAX || rl > OL_REGION_MAX ||
	    (unsigned)b->versioning > OL_VERSIONING_SUSPENDED ||
	    !ol_lock_rule_ok(&b->default_rule, b->lock_enabled))
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
	out[o++] = (uint8_t)b->default_rule.mode;
	put_u32le(out + o, b->default_rule.days);
	put_u32le(out + o + 4, b->default_rule.years);
	o += 8;
	c = cr_crc32c(0, out, o);
	put_u32le(out + o, c);
	return (int)o + 4;
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
	if (n < 4 + 4 + 8 || (b[0] != OL_BUCKET_FORMAT && b[0] != 1))
		return ol_err_set(err, OL_ECORRUPT, "bucket record: bad format");
	stored = get_u32le(b + n - 4);
	calc = cr_crc32c(0, b, n - 4);
	if (stored != calc)
		return ol_err_set(err, OL_ECORRUPT, "bucket record: checksum mismatch");
	n -= 4;
	if (b[0] >= 2) { /* the default rule trails the format-1 fields */
		if (n < 4 + 8 + 9)
			return ol_err_set(err, OL_ECORRUPT, "bucket record: bad format");
		n -= 9;
		if (b[n] > OL_LOCK_COMPLIANCE)
			return ol_err_set(err, OL_ECORRUPT, "bucket record: bad default rule");
		bk.default_rule.mode = (enum ol_lock_mode)b[n];
		bk.default_rule.days = get_u32le(b + n + 1);
		bk.default_rule.years = get_u32le(b + n + 5);
	}
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
	if (!ol_lock_rule_ok(&bk.default_rule, bk.lock_enabled))
		return ol_err_set(err, OL_ECORRUPT, "bucket record: bad default rule");
	*out = bk;
	return OL_OK;
}
