/* SPDX-License-Identifier: Apache-2.0 */
/* Multipart upload (spec §7, §3.6): Create, UploadPart (streamed into the store like a
 * PutObject), Complete (no data copied: the version refers to its parts), Abort, ListParts,
 * ListMultipartUploads. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/log.h"
#include "httpdate.h"
#include "s3req.h"
#include "xml.h"
#include "xmlparse.h"

#define PART_MIN_BYTES (5ull << 20) /* every part but the last, spec §7.4 */
#define LIST_PARTS_MAX 1000

/* ---- shared ---- */

void
s3_reply_no_such_upload(struct s3_req *r, const char *upload_id)
{
	struct s3_error_extra ex = { "UploadId", upload_id };

	s3_reply_error_x(r, S3E_NoSuchUpload, NULL, &ex, 1);
}

/* The uploadId query parameter; false (answered NoSuchUpload) when it cannot be ours. */
bool
s3_upload_id_param(struct s3_req *r, char out[OL_UPLOAD_ID_LEN + 1])
{
	const struct slice *u = s3_query_get(&r->route, "uploadId");
	char shown[80];

	if (u && u->n == OL_UPLOAD_ID_LEN) {
		memcpy(out, u->p, u->n);
		out[u->n] = '\0';
		return true;
	}
	snprintf(shown, sizeof(shown), "%.*s", u ? (int)(u->n < 64 ? u->n : 64) : 0,
	         u ? u->p : "");
	s3_reply_no_such_upload(r, shown);
	return false;
}

/* Load the upload; answers NoSuchUpload / store errors and returns false. */
bool
s3_upload_load(struct s3_req *r, const char *upload_id, struct ol_upload *out)
{
	struct ol_err err;
	int rc = ol_upload_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                       upload_id, out, &err);

	if (rc == OL_OK)
		return true;
	if (rc == OL_ENOTFOUND || rc == OL_EINVAL)
		s3_reply_no_such_upload(r, upload_id);
	else
		s3_reply_store_error(r, rc, &err);
	return false;
}

static const char *
cksum_xml_name(enum cr_cksum_alg a)
{
	switch (a) {
	case CR_CKSUM_CRC32: return "ChecksumCRC32";
	case CR_CKSUM_CRC32C: return "ChecksumCRC32C";
	case CR_CKSUM_CRC64NVME: return "ChecksumCRC64NVME";
	case CR_CKSUM_SHA1: return "ChecksumSHA1";
	case CR_CKSUM_SHA256: return "ChecksumSHA256";
	default: return NULL;
	}
}

/* Lower-case algorithm name for messages ("crc32"). */
static void
lower_name(enum cr_cksum_alg a, char *out, size_t cap)
{
	const char *n = cr_cksum_name(a);
	size_t i = 0;

	for (; n && n[i] && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)n[i]);
	out[i] = '\0';
}

/* ---- CreateMultipartUpload ---- */

void
s3_op_create_multipart(struct s3_req *r)
{
	struct ol_bucket b;
	struct ol_version tmpl;
	struct ol_err err;
	struct buf doc;
	const char *alg_h = s3_hdr(r, "x-amz-checksum-algorithm");
	const char *type_h = s3_hdr(r, "x-amz-checksum-type");
	enum cr_cksum_alg alg = CR_CKSUM_NONE;
	bool full = false;
	char upload_id[OL_UPLOAD_ID_LEN + 1], msg[160], lname[16];
	struct gw_header h[2];
	size_t nh = 0;
	int rc;

	ol_version_init(&tmpl);
	if (!s3_bucket_load(r, &b) || !s3_put_precheck(r, &b))
		goto out;
	if (type_h && !alg_h) {
		s3_reply_error(r, S3E_InvalidRequest, "The x-amz-checksum-type header can only be "
		               "used with the x-amz-checksum-algorithm header.");
		goto out;
	}
	if (alg_h) {
		alg = cr_cksum_from_name(alg_h, strlen(alg_h));
		if (alg == CR_CKSUM_NONE) {
			s3_reply_error(r, S3E_InvalidRequest, "Checksum algorithm provided is "
			               "unsupported. Please try again with any of the valid types: "
			               "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
			goto out;
		}
		/* defaults of spec §3.6: CRC64NVME is full-object only, the rest composite */
		full = alg == CR_CKSUM_CRC64NVME;
		if (type_h) {
			if (strcasecmp(type_h, "FULL_OBJECT") == 0)
				full = true;
			else if (strcasecmp(type_h, "COMPOSITE") == 0)
				full = false;
			else {
				s3_reply_error(r, S3E_InvalidRequest, "Value for x-amz-checksum-type header "
				               "is invalid.");
				goto out;
			}
		}
		lower_name(alg, lname, sizeof(lname));
		if (full && (alg == CR_CKSUM_SHA1 || alg == CR_CKSUM_SHA256)) {
			snprintf(msg, sizeof(msg), "The FULL_OBJECT checksum type cannot be used with the "
			         "%s checksum algorithm.", lname);
			s3_reply_error(r, S3E_InvalidRequest, msg);
			goto out;
		}
		if (!full && alg == CR_CKSUM_CRC64NVME) {
			snprintf(msg, sizeof(msg), "The COMPOSITE checksum type cannot be used with the "
			         "%s checksum algorithm.", lname);
			s3_reply_error(r, S3E_InvalidRequest, msg);
			goto out;
		}
		tmpl.cksum_alg = s3_ol_alg(alg);
		tmpl.cksum_type = full ? OL_CKSUM_FULL_OBJECT : OL_CKSUM_COMPOSITE;
	}
	if (!s3_fill_metadata(r, &tmpl))
		goto out;
	/* explicit lock state travels with the upload; a default retention is stamped at
	 * Complete, counted from then (§8.3) */
	s3_lock_apply(r, &tmpl);
	rc = ol_upload_create(r->app->st, r->route.bucket, r->route.key, r->route.key_len, &tmpl,
	                      upload_id, &err);
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_bucket(r);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	buf_init(&doc, 8192);
	buf_puts(&doc, "<InitiateMultipartUploadResult xmlns=\"" S3_XMLNS "\">");
	xml_elem_str(&doc, "Bucket", r->route.bucket);
	xml_elem(&doc, "Key", r->route.key, r->route.key_len);
	xml_elem_str(&doc, "UploadId", upload_id);
	buf_puts(&doc, "</InitiateMultipartUploadResult>");
	if (alg != CR_CKSUM_NONE) {
		h[nh++] = (struct gw_header){ "x-amz-checksum-algorithm", cr_cksum_name(alg) };
		h[nh++] = (struct gw_header){ "x-amz-checksum-type", full ? "FULL_OBJECT" : "COMPOSITE" };
	}
	s3_reply_xml_h(r, 200, &doc, h, nh);
	buf_release(&doc);
out:
	ol_version_release(&tmpl);
}

/* ---- UploadPart ---- */

bool
s3_part_number_param(struct s3_req *r, uint32_t *out)
{
	const struct slice *pn = s3_query_get(&r->route, "partNumber");
	unsigned long n = 0;
	bool ok = pn && pn->n > 0 && pn->n <= 5;

	for (size_t i = 0; ok && i < pn->n; i++) {
		ok = isdigit((unsigned char)pn->p[i]);
		n = n * 10 + (unsigned long)(pn->p[i] - '0');
	}
	if (!ok || n < 1 || n > OL_PART_NUMBER_MAX) {
		char shown[24];
		snprintf(shown, sizeof(shown), "%.*s", pn ? (int)(pn->n < 20 ? pn->n : 20) : 0,
		         pn ? pn->p : "");
		struct s3_error_extra ex[] = { { "ArgumentName", "partNumber" },
		                               { "ArgumentValue", shown } };
		s3_reply_error_x(r, S3E_InvalidArgument,
		                 "Part number must be an integer between 1 and 10000, inclusive.", ex,
		                 2);
		return false;
	}
	*out = (uint32_t)n;
	return true;
}

static void
part_finish(struct s3_req *r)
{
	struct ol_part_meta m;
	struct ol_part part;
	struct ol_err err;
	char etag[2 * CR_MD5_LEN + 1], qetag[2 * CR_MD5_LEN + 3];
	char b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN)];
	struct gw_header h[3];
	size_t nh = 0;
	int rc;

	memset(&m, 0, sizeof(m));
	cr_hex_encode(r->md5_digest, CR_MD5_LEN, etag);
	m.etag = etag;
	m.etag_len = strlen(etag);
	memcpy(m.md5, r->md5_digest, CR_MD5_LEN);
	if (r->cksum_on) {
		m.cksum_alg = s3_ol_alg(r->cksum.alg);
		m.cksum_len = cr_cksum_len(r->cksum.alg);
		memcpy(m.cksum, r->cksum_value, m.cksum_len);
	}
	rc = ol_part_commit(r->put, &m, &part, &err);
	r->put = NULL; /* consumed */
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_upload(r, r->upload_id);
		return;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		return;
	}
	snprintf(qetag, sizeof(qetag), "\"%s\"", etag);
	h[nh++] = (struct gw_header){ "ETag", qetag };
	/* the echo is what makes s3transfer list the part checksum in Complete (§3.3) */
	if (r->cksum_on) {
		cr_base64_encode(r->cksum_value, cr_cksum_len(r->cksum.alg), b64, sizeof(b64));
		h[nh++] = (struct gw_header){ s3_cksum_header(r->cksum.alg), b64 };
	}
	s3_reply_empty(r, 200, h, nh);
}

void
s3_op_upload_part(struct s3_req *r)
{
	struct ol_bucket b;
	struct ol_upload u;
	struct ol_err err;
	uint32_t pn;
	int rc;

	memset(&u, 0, sizeof(u));
	if (!s3_bucket_load(r, &b) || !s3_part_number_param(r, &pn) ||
	    !s3_upload_id_param(r, r->upload_id) || !s3_upload_load(r, r->upload_id, &u))
		return;
	/* parts are checksummed with the upload's algorithm; an upload without one gets
	 * CRC64NVME parts, which combine into the default full-object checksum */
	r->default_cksum = u.tmpl.cksum_alg != OL_CKSUM_NONE ? s3_cr_alg(u.tmpl.cksum_alg)
	                                                      : CR_CKSUM_CRC64NVME;
	r->strict_cksum = u.tmpl.cksum_alg != OL_CKSUM_NONE;
	bool locking = u.tmpl.lock_mode != OL_LOCK_NONE || u.tmpl.legal_hold;
	ol_upload_release(&u);
	if (!s3_lock_integrity_check(r, &b, locking))
		return;
	if (!s3_body_begin(r, S3_BODY_OBJECT, part_finish))
		return;
	rc = ol_part_begin(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                   r->upload_id, pn, &r->put, &err);
	if (rc == OL_ENOTFOUND)
		s3_reply_no_such_upload(r, r->upload_id);
	else if (rc != OL_OK)
		s3_reply_store_error(r, rc, &err);
}

/* ---- CompleteMultipartUpload ---- */

/* ETags as clients send them: quotes optional, case of the hex irrelevant. */
static bool
etag_equal(struct slice given, const char *stored)
{
	size_t n = strlen(stored);

	if (given.n >= 2 && given.p[0] == '"' && given.p[given.n - 1] == '"') {
		given.p++;
		given.n -= 2;
	}
	return given.n == n && strncasecmp(given.p, stored, n) == 0;
}

static const struct slice *
xml_part_cksum(const struct s3_complete_part *cp, enum cr_cksum_alg a)
{
	switch (a) {
	case CR_CKSUM_CRC32: return cp->crc32.p ? &cp->crc32 : NULL;
	case CR_CKSUM_CRC32C: return cp->crc32c.p ? &cp->crc32c : NULL;
	case CR_CKSUM_CRC64NVME: return cp->crc64nvme.p ? &cp->crc64nvme : NULL;
	case CR_CKSUM_SHA1: return cp->sha1.p ? &cp->sha1 : NULL;
	case CR_CKSUM_SHA256: return cp->sha256.p ? &cp->sha256 : NULL;
	default: return NULL;
	}
}

/* An x-amz-checksum-<alg> value header (not -mode, -algorithm, -type). */
static bool
is_cksum_value_header(struct slice name, enum cr_cksum_alg *alg)
{
	static const char pfx[] = "x-amz-checksum-";
	const size_t pl = sizeof(pfx) - 1;

	if (name.n <= pl || strncasecmp(name.p, pfx, pl) != 0)
		return false;
	if (alg)
		*alg = cr_cksum_from_name(name.p + pl, name.n - pl);
	name.p += pl;
	name.n -= pl;
	return !slice_case_eq_cstr(name, "mode") && !slice_case_eq_cstr(name, "algorithm") &&
	       !slice_case_eq_cstr(name, "type");
}

/* Is any entity tag of an If-Match / If-None-Match list @etag ("*" matches any)? */
static bool
etag_list_has(const char *list, const char *etag)
{
	const char *p = list;

	while (*p) {
		const char *b, *e;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		b = p;
		while (*p && *p != ',')
			p++;
		e = p;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e - b >= 2 && b[0] == 'W' && b[1] == '/')
			b += 2;
		if (e - b == 1 && *b == '*')
			return true;
		if (etag_equal((struct slice){ b, (size_t)(e - b) }, etag))
			return true;
	}
	return false;
}

/* If-Match / If-None-Match on Complete (spec §7.4) against the current version. Answers
 * and returns false when the object must not be created. */
static bool
complete_conditions(struct s3_req *r)
{
	const char *im = s3_hdr(r, "If-Match"), *inm = s3_hdr(r, "If-None-Match");
	struct ol_version cur;
	struct ol_err err;
	bool exists, ok = false;
	int rc;

	if (!im && !inm)
		return true;
	ol_version_init(&cur);
	rc = ol_version_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len, NULL,
	                    &cur, &err);
	if (rc != OL_OK && rc != OL_ENOTFOUND) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	exists = rc == OL_OK && !cur.is_delete_marker;
	if (im && !exists) {
		struct s3_error_extra ex = { "Key", r->route.key };
		s3_reply_error_x(r, S3E_NoSuchKey, NULL, &ex, 1);
		goto out;
	}
	if ((im && !etag_list_has(im, cur.etag ? cur.etag : "")) ||
	    (inm && exists && etag_list_has(inm, cur.etag ? cur.etag : ""))) {
		struct s3_error_extra ex = { "Condition", im ? "If-Match" : "If-None-Match" };
		s3_reply_error_x(r, S3E_PreconditionFailed, NULL, &ex, 1);
		goto out;
	}
	ok = true;
out:
	ol_version_release(&cur);
	return ok;
}

/* The object checksum as S3 prints it: base64 of @val, and for a COMPOSITE one "-N" after
 * it (spec §3.6). Returns the length of that suffix (0 for FULL_OBJECT). */
static size_t
cksum_text(const uint8_t *val, size_t len, enum ol_cksum_type type, size_t nparts,
           char out[CR_BASE64_LEN(CR_MAX_DIGEST_LEN) + 16])
{
	char num[16];

	cr_base64_encode(val, len, out, CR_BASE64_LEN(CR_MAX_DIGEST_LEN) + 16);
	if (type != OL_CKSUM_COMPOSITE)
		return 0;
	snprintf(num, sizeof(num), "-%zu", nparts);
	strcat(out, num);
	return strlen(num);
}

/* A checksum header on Complete is the expected object value (spec §3.6): the one the
 * object gets, @text (@suffix_len bytes of it the "-N" a client may leave out), or none
 * when !have. One the object will not have cannot be verified and is refused rather than
 * ignored. Answers and returns false on a mismatch. */
static bool
cksum_headers_match(struct s3_req *r, bool have, enum cr_cksum_alg alg, enum ol_cksum_type type,
                    const char *text, size_t suffix_len)
{
	for (size_t i = 0; i < r->nhdrs && i < S3_MAX_HEADERS; i++) {
		enum cr_cksum_alg ha = CR_CKSUM_NONE;
		struct slice given = r->hdrs[i].value;
		char msg[160], want[16], got[16];
		if (!is_cksum_value_header(r->hdrs[i].name, &ha))
			continue;
		if (!have || ha != alg) {
			lower_name(alg, want, sizeof(want));
			if (ha == CR_CKSUM_NONE)
				snprintf(got, sizeof(got), "unknown");
			else
				lower_name(ha, got, sizeof(got));
			snprintf(msg, sizeof(msg), "Checksum Type mismatch occurred, expected checksum "
			         "Type: %s, actual checksum Type: %s", have ? want : "null", got);
			s3_reply_error(r, S3E_InvalidRequest, msg);
			return false;
		}
		/* a composite value may be given with or without its "-N" */
		if (!slice_eq_cstr(given, text) &&
		    !(type == OL_CKSUM_COMPOSITE && given.n == strlen(text) - suffix_len &&
		      strncmp(given.p, text, given.n) == 0)) {
			snprintf(msg, sizeof(msg), "The %s you specified did not match the calculated "
			         "checksum.", cr_cksum_name(alg));
			s3_reply_error(r, S3E_BadDigest, msg);
			return false;
		}
	}
	return true;
}

/* The 200 of a completion: what @v, the version it made, says (spec §7.4). */
static void
reply_completed(struct s3_req *r, const struct ol_version *v)
{
	char qetag[OL_PART_ETAG_MAX + 3], b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN) + 16];
	struct gw_header h[1];
	struct buf doc;
	size_t nh = 0;

	buf_init(&doc, 8192);
	snprintf(qetag, sizeof(qetag), "\"%s\"", v->etag ? v->etag : "");
	buf_puts(&doc, "<CompleteMultipartUploadResult xmlns=\"" S3_XMLNS "\">");
	buf_printf(&doc, "<Location>/%s/", r->route.bucket);
	s3_url_encode(&doc, r->route.key, r->route.key_len);
	buf_puts(&doc, "</Location>");
	xml_elem_str(&doc, "Bucket", r->route.bucket);
	xml_elem(&doc, "Key", r->route.key, r->route.key_len);
	xml_elem_str(&doc, "ETag", qetag);
	if (v->cksum_alg != OL_CKSUM_NONE) {
		cksum_text(v->cksum, v->cksum_len, v->cksum_type, ol_version_parts_count(v), b64);
		xml_elem_str(&doc, cksum_xml_name(s3_cr_alg(v->cksum_alg)), b64);
		xml_elem_str(&doc, "ChecksumType",
		             v->cksum_type == OL_CKSUM_COMPOSITE ? "COMPOSITE" : "FULL_OBJECT");
	}
	buf_puts(&doc, "</CompleteMultipartUploadResult>");
	if (!v->is_null) /* as PutObject */
		h[nh++] = (struct gw_header){ "x-amz-version-id", v->version_id };
	s3_reply_xml_h(r, 200, &doc, h, nh);
	buf_release(&doc);
}

/* The store's view of the parts a Complete lists (borrowing their ETags from @cr); NULL
 * when out of memory. The caller frees it. */
static struct ol_complete_part *
complete_parts(const struct s3_complete_req *cr)
{
	struct ol_complete_part *cps = calloc(cr->n, sizeof(*cps));

	for (size_t i = 0; cps && i < cr->n; i++)
		cps[i] = (struct ol_complete_part){ cr->parts[i].part_number, cr->parts[i].etag.p,
		                                    cr->parts[i].etag.n };
	return cps;
}

/* The upload is gone. A Complete of it with the parts it was completed with — an SDK
 * retrying after a timeout, or the loser of two racing ones — gets the same 200 as the
 * completion (AWS; spec §7.4 first row), still subject to its checksum headers; anything
 * else is NoSuchUpload. */
static void
reply_done(struct s3_req *r, const struct s3_complete_req *cr)
{
	struct ol_complete_part *cps = complete_parts(cr);
	char b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN) + 16] = "";
	struct ol_version v;
	struct ol_err err;
	size_t suffix = 0;
	int rc;

	ol_version_init(&v);
	if (!cps) {
		s3_reply_error(r, S3E_InternalError, "out of memory");
		return;
	}
	rc = ol_upload_done_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                        r->upload_id, cps, cr->n, &v, &err);
	if (rc == OL_OK) {
		if (v.cksum_alg != OL_CKSUM_NONE)
			suffix = cksum_text(v.cksum, v.cksum_len, v.cksum_type,
			                    ol_version_parts_count(&v), b64);
		if (cksum_headers_match(r, v.cksum_alg != OL_CKSUM_NONE, s3_cr_alg(v.cksum_alg),
		                        v.cksum_type, b64, suffix))
			reply_completed(r, &v);
	} else if (rc == OL_EIO || rc == OL_ENOMEM) {
		s3_reply_store_error(r, rc, &err);
	} else {
		/* never completed, aborted, another part list, forgotten, or its version gone */
		s3_reply_no_such_upload(r, r->upload_id);
	}
	ol_version_release(&v);
	free(cps);
}

/* The upload of this Complete; false once answered — a retry of a completed one included
 * (reply_done). */
static bool
complete_upload_load(struct s3_req *r, const struct s3_complete_req *cr, struct ol_upload *out)
{
	struct ol_err err;
	int rc = ol_upload_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                       r->upload_id, out, &err);

	if (rc == OL_OK)
		return true;
	if (rc == OL_ENOTFOUND || rc == OL_EINVAL)
		reply_done(r, cr);
	else
		s3_reply_store_error(r, rc, &err);
	return false;
}

/* A listed part is missing: if the whole upload ended meanwhile (the loser of a race with
 * another Complete or an Abort, spec §7.4 first row) as reply_done answers, else
 * InvalidPart. */
static void
reply_part_missing(struct s3_req *r, const struct s3_complete_req *cr,
                   const struct s3_error_extra *ex)
{
	struct ol_upload u;

	memset(&u, 0, sizeof(u));
	if (!complete_upload_load(r, cr, &u))
		return; /* answered */
	ol_upload_release(&u);
	s3_reply_error_x(r, S3E_InvalidPart, NULL, ex, 3);
}

static void
reply_mode_mismatch(struct s3_req *r, enum ol_cksum_type t)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "The upload was created using the %s checksum mode. The "
	         "complete request must use the same checksum mode.",
	         t == OL_CKSUM_COMPOSITE ? "COMPOSITE" : "FULL_OBJECT");
	s3_reply_error(r, S3E_InvalidRequest, msg);
}

/*
 * The checks of spec §7.4 after the body parsed, in its order: every listed part uploaded
 * with that ETag (InvalidPart) — all of them before any size is judged —, every part but
 * the last at least 5 MiB (EntityTooSmall), the part checksums listed and the checksum
 * mode and value asserted by headers (InvalidPart / InvalidRequest / BadDigest, §3.6),
 * x-amz-mp-object-size, then the conditional headers; only then the store commits, which
 * re-checks the upload and every ETag under the key's lock.
 */
static void
complete_finish(struct s3_req *r)
{
	struct s3_complete_req cr;
	struct s3_xml_err xe;
	struct ol_bucket b;
	struct ol_upload u;
	struct ol_version v;
	struct ol_part *parts = NULL;
	struct ol_complete_part *cps = NULL;
	struct ol_err err;
	uint8_t digest[OL_CKSUM_MAX], raw[CR_MAX_DIGEST_LEN + 4];
	char etag[OL_MULTIPART_ETAG_MAX + 1], pnum[16], etag_shown[OL_PART_ETAG_MAX + 1];
	char b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN) + 16] = "";
	size_t bad = 0, dlen = 0, suffix = 0;
	uint64_t total = 0;
	enum cr_cksum_alg alg;
	enum ol_cksum_type type;
	const char *type_h;
	bool have_cr = false, have_cksum = false;
	enum s3_code code;
	int rc;

	memset(&u, 0, sizeof(u));
	ol_version_init(&v);
	if (!s3_bucket_load(r, &b))
		goto out;
	memset(&xe, 0, sizeof(xe));
	code = s3_xml_parse_complete(r->xml.ptr, r->xml.len, S3_XML_COMPLETE_MAX_BYTES, &cr, &xe);
	if (code != S3E_NONE) {
		struct s3_error_extra ex[] = { { "ArgumentName", xe.arg_name },
		                               { "ArgumentValue", xe.arg_value } };
		s3_reply_error_x(r, code, xe.message, ex, xe.arg_name ? 2 : 0);
		goto out;
	}
	have_cr = true;
	for (size_t i = 1; i < cr.n; i++) {
		if (cr.parts[i].part_number <= cr.parts[i - 1].part_number) {
			s3_reply_error(r, S3E_InvalidPartOrder, NULL);
			goto out;
		}
	}
	if (!complete_upload_load(r, &cr, &u))
		goto out;
	/* an upload created without an algorithm gets the default full-object CRC64NVME,
	 * combined from the CRC64NVME every part of it was given (spec §3.3) */
	alg = u.tmpl.cksum_alg != OL_CKSUM_NONE ? s3_cr_alg(u.tmpl.cksum_alg) : CR_CKSUM_CRC64NVME;
	type = u.tmpl.cksum_alg != OL_CKSUM_NONE ? u.tmpl.cksum_type : OL_CKSUM_FULL_OBJECT;
	parts = calloc(cr.n, sizeof(*parts));
	cps = complete_parts(&cr);
	if (!parts || !cps) {
		s3_reply_error(r, S3E_InternalError, "out of memory");
		goto out;
	}

	/* 1. every listed part exists with the listed ETag */
	for (size_t i = 0; i < cr.n; i++) {
		const struct s3_complete_part *cp = &cr.parts[i];
		snprintf(pnum, sizeof(pnum), "%u", (unsigned)cp->part_number);
		snprintf(etag_shown, sizeof(etag_shown), "%.*s", (int)cp->etag.n, cp->etag.p);
		struct s3_error_extra ex[] = { { "UploadId", r->upload_id }, { "PartNumber", pnum },
		                               { "ETag", etag_shown } };
		/* OL_EINVAL: a number above 10000, which can never have been uploaded */
		rc = ol_part_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
		                 r->upload_id, cp->part_number, &parts[i], &err);
		if (rc == OL_ENOTFOUND || rc == OL_EINVAL) {
			reply_part_missing(r, &cr, ex);
			goto out;
		}
		if (rc != OL_OK) {
			s3_reply_store_error(r, rc, &err);
			goto out;
		}
		if (!etag_equal(cp->etag, parts[i].etag)) {
			s3_reply_error_x(r, S3E_InvalidPart, NULL, ex, 3);
			goto out;
		}
		total += parts[i].size_bytes; /* parts are <= 5 GiB, at most 10000: no overflow */
	}
	/* 2. sizes */
	for (size_t i = 0; i + 1 < cr.n; i++) {
		if (parts[i].size_bytes >= PART_MIN_BYTES)
			continue;
		char size[24];
		snprintf(size, sizeof(size), "%" PRIu64, parts[i].size_bytes);
		snprintf(pnum, sizeof(pnum), "%u", (unsigned)cr.parts[i].part_number);
		snprintf(etag_shown, sizeof(etag_shown), "%.*s", (int)cr.parts[i].etag.n,
		         cr.parts[i].etag.p);
		struct s3_error_extra ts[] = { { "ProposedSize", size },
		                               { "MinSizeAllowed", "5242880" },
		                               { "PartNumber", pnum }, { "ETag", etag_shown } };
		s3_reply_error_x(r, S3E_EntityTooSmall, NULL, ts, 4);
		goto out;
	}
	/* 3. a part checksum the client lists must be the one stored (spec §3.6) */
	for (size_t i = 0; i < cr.n; i++) {
		const struct slice *xc = xml_part_cksum(&cr.parts[i], s3_cr_alg(parts[i].cksum_alg));
		int n;
		if (!xc)
			continue;
		n = cr_base64_decode(xc->p, xc->n, raw, sizeof(raw));
		if (n < 0 || (size_t)n != parts[i].cksum_len ||
		    memcmp(raw, parts[i].cksum, parts[i].cksum_len) != 0) {
			snprintf(pnum, sizeof(pnum), "%u", (unsigned)cr.parts[i].part_number);
			snprintf(etag_shown, sizeof(etag_shown), "%.*s", (int)cr.parts[i].etag.n,
			         cr.parts[i].etag.p);
			struct s3_error_extra ex[] = { { "UploadId", r->upload_id },
			                               { "PartNumber", pnum }, { "ETag", etag_shown } };
			s3_reply_error_x(r, S3E_InvalidPart, NULL, ex, 3);
			goto out;
		}
	}
	/* the checksum mode the Complete asserts must be the upload's */
	type_h = s3_hdr(r, "x-amz-checksum-type");
	if (type_h && u.tmpl.cksum_alg != OL_CKSUM_NONE &&
	    !(strcasecmp(type_h, "COMPOSITE") == 0 && type == OL_CKSUM_COMPOSITE) &&
	    !(strcasecmp(type_h, "FULL_OBJECT") == 0 && type == OL_CKSUM_FULL_OBJECT)) {
		reply_mode_mismatch(r, type);
		goto out;
	}
	ol_parts_etag(parts, cr.n, etag);
	/* the object checksum; none when a part lacks the algorithm (an upload without one
	 * whose parts were sent with another) */
	rc = ol_parts_checksum(parts, cr.n, s3_ol_alg(alg), type, digest, &dlen, NULL, &err);
	if (rc == OL_OK) {
		have_cksum = true;
		suffix = cksum_text(digest, dlen, type, cr.n, b64);
	} else if (rc != OL_EINVAL) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	if (!cksum_headers_match(r, have_cksum, alg, type, b64, suffix))
		goto out;
	{
		const char *mos = s3_hdr(r, "x-amz-mp-object-size");
		if (mos) {
			char tot[24];
			snprintf(tot, sizeof(tot), "%" PRIu64, total);
			if (strcmp(mos, tot) != 0) {
				char msg[192];
				snprintf(msg, sizeof(msg), "The provided 'x-amz-mp-object-size' header value "
				         "\"%.24s\" does not match what was computed: \"%s\"", mos, tot);
				s3_reply_error(r, S3E_InvalidRequest, msg);
				goto out;
			}
		}
	}
	if (!complete_conditions(r))
		goto out;

	if (ol_version_copy(&u.tmpl, &v, &err) != OL_OK ||
	    ol_version_set_etag(&v, etag, strlen(etag), &err) != OL_OK) {
		s3_reply_error(r, S3E_InternalError, "out of memory");
		goto out;
	}
	v.cksum_alg = OL_CKSUM_NONE;
	v.cksum_type = OL_CKSUM_TYPE_NONE;
	v.cksum_len = 0;
	if (have_cksum) {
		v.cksum_alg = s3_ol_alg(alg);
		v.cksum_type = type;
		v.cksum_len = dlen;
		memcpy(v.cksum, digest, dlen);
	}
	rc = ol_upload_complete(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                        r->upload_id, cps, cr.n, &v, &bad, &err);
	if (rc == OL_EPARTORDER) {
		s3_reply_error(r, S3E_InvalidPartOrder, NULL);
		goto out;
	}
	if (rc == OL_EBADPART) {
		/* a part replaced or gone between the checks above and the commit */
		snprintf(pnum, sizeof(pnum), "%u", bad < cr.n ? (unsigned)cr.parts[bad].part_number : 0);
		snprintf(etag_shown, sizeof(etag_shown), "%.*s",
		         bad < cr.n ? (int)cr.parts[bad].etag.n : 0, bad < cr.n ? cr.parts[bad].etag.p : "");
		struct s3_error_extra ex[] = { { "UploadId", r->upload_id }, { "PartNumber", pnum },
		                               { "ETag", etag_shown } };
		s3_reply_error_x(r, S3E_InvalidPart, NULL, ex, 3);
		goto out;
	}
	if (rc == OL_ENOTFOUND) {
		/* another Complete of it won the race (or an Abort did) */
		reply_done(r, &cr);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	gw_log(GW_LOG_DEBUG, "multipart_complete", "%s: %zu part(s), %" PRIu64 " bytes",
	       r->route.bucket, cr.n, v.size_bytes);
	reply_completed(r, &v);
out:
	free(cps);
	free(parts);
	if (have_cr)
		s3_complete_req_release(&cr);
	ol_upload_release(&u);
	ol_version_release(&v);
}

void
s3_op_complete_multipart(struct s3_req *r)
{
	struct ol_bucket b;
	struct ol_version v;
	struct ol_err err;
	int rc;

	if (!s3_bucket_load(r, &b) || !s3_upload_id_param(r, r->upload_id))
		return;
	/* an unknown upload is answered before the body is read; one that completed may be
	 * retried (its part list decides: complete_finish) */
	rc = ol_upload_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                   r->upload_id, NULL, &err);
	if (rc == OL_ENOTFOUND || rc == OL_EINVAL) {
		ol_version_init(&v);
		rc = ol_upload_done_get(r->app->st, r->route.bucket, r->route.key,
		                        r->route.key_len, r->upload_id, NULL, 0, &v, &err);
		ol_version_release(&v);
		if (rc == OL_EIO || rc == OL_ENOMEM) {
			s3_reply_store_error(r, rc, &err);
			return;
		}
		if (rc != OL_OK) {
			s3_reply_no_such_upload(r, r->upload_id);
			return;
		}
	} else if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		return;
	}
	s3_body_begin(r, S3_BODY_XML, complete_finish);
}

/* ---- AbortMultipartUpload ---- */

void
s3_op_abort_multipart(struct s3_req *r)
{
	struct ol_bucket b;
	struct ol_err err;
	int rc;

	if (!s3_bucket_load(r, &b) || !s3_upload_id_param(r, r->upload_id))
		return;
	rc = ol_upload_abort(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                     r->upload_id, &err);
	if (rc == OL_ENOTFOUND || rc == OL_EINVAL)
		s3_reply_no_such_upload(r, r->upload_id);
	else if (rc != OL_OK)
		s3_reply_store_error(r, rc, &err);
	else
		s3_reply_empty(r, 204, NULL, 0);
}

/* ---- ListParts ---- */

struct parts_ctx {
	struct buf doc;
	uint32_t last; /* the last part number listed */
};

static int
list_part_cb(void *ctx, const struct ol_part *p)
{
	struct parts_ctx *pc = ctx;
	struct buf *doc = &pc->doc;
	char date[S3_ISO8601_MS_LEN + 1], b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN)];
	enum cr_cksum_alg a = s3_cr_alg(p->cksum_alg);

	s3_iso8601_ms_format(p->created_ns, date);
	if (buf_printf(doc, "<Part><PartNumber>%u</PartNumber>", (unsigned)p->part_number) ||
	    xml_elem_str(doc, "LastModified", date) ||
	    buf_printf(doc, "<ETag>&quot;%s&quot;</ETag><Size>%" PRIu64 "</Size>", p->etag,
	               p->size_bytes))
		return OL_E2BIG;
	if (a != CR_CKSUM_NONE) {
		cr_base64_encode(p->cksum, p->cksum_len, b64, sizeof(b64));
		if (xml_elem_str(doc, cksum_xml_name(a), b64))
			return OL_E2BIG;
	}
	pc->last = p->part_number;
	return buf_puts(doc, "</Part>") ? OL_E2BIG : 0;
}

static bool
uint_param(struct s3_req *r, const char *name, uint32_t dflt, uint32_t cap, uint32_t *out)
{
	const struct slice *s = s3_query_get(&r->route, name);
	uint64_t n = 0;

	*out = dflt;
	if (!s)
		return true;
	for (size_t i = 0; i < s->n; i++) {
		if (!isdigit((unsigned char)s->p[i]) || i >= 10) {
			struct s3_error_extra ex[] = { { "ArgumentName", name } };
			char msg[96];
			snprintf(msg, sizeof(msg), "Provided %s not an integer or within integer range",
			         name);
			s3_reply_error_x(r, S3E_InvalidArgument, msg, ex, 1);
			return false;
		}
		n = n * 10 + (uint64_t)(s->p[i] - '0');
	}
	*out = s->n == 0 ? dflt : n > cap ? cap : (uint32_t)n;
	return true;
}

void
s3_op_list_parts(struct s3_req *r)
{
	struct ol_bucket b;
	struct ol_upload u;
	struct ol_part_list_result res;
	struct ol_err err;
	struct buf doc;
	uint32_t max_parts, marker;
	enum cr_cksum_alg a;
	int rc;

	memset(&u, 0, sizeof(u));
	if (!s3_bucket_load(r, &b) || !s3_upload_id_param(r, r->upload_id) ||
	    !uint_param(r, "max-parts", LIST_PARTS_MAX, LIST_PARTS_MAX, &max_parts) ||
	    !uint_param(r, "part-number-marker", 0, UINT32_MAX, &marker) ||
	    !s3_upload_load(r, r->upload_id, &u))
		return;
	buf_init(&doc, 4u << 20);
	buf_puts(&doc, "<ListPartsResult xmlns=\"" S3_XMLNS "\">");
	xml_elem_str(&doc, "Bucket", r->route.bucket);
	xml_elem(&doc, "Key", r->route.key, r->route.key_len);
	xml_elem_str(&doc, "UploadId", r->upload_id);
	buf_puts(&doc, "<Initiator><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
	               "</DisplayName></Initiator>");
	s3_xml_owner(&doc);
	buf_puts(&doc, "<StorageClass>STANDARD</StorageClass>");
	buf_printf(&doc, "<PartNumberMarker>%u</PartNumberMarker>", (unsigned)marker);
	{
		struct parts_ctx pc = { .last = marker };
		struct buf parts;
		buf_init(&pc.doc, 4u << 20);
		memset(&res, 0, sizeof(res));
		rc = ol_part_list(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
		                  r->upload_id, marker, max_parts, list_part_cb, &pc, &res, &err);
		parts = pc.doc;
		if (rc != OL_OK) {
			buf_release(&parts);
			if (rc == OL_ENOTFOUND)
				s3_reply_no_such_upload(r, r->upload_id);
			else
				s3_reply_store_error(r, rc, &err);
			goto out;
		}
		/* AWS names the last part of every page, truncated or not */
		buf_printf(&doc, "<NextPartNumberMarker>%u</NextPartNumberMarker>",
		           (unsigned)(res.is_truncated ? res.next_part_marker : pc.last));
		buf_printf(&doc, "<MaxParts>%u</MaxParts><IsTruncated>%s</IsTruncated>",
		           (unsigned)max_parts, res.is_truncated ? "true" : "false");
		a = s3_cr_alg(u.tmpl.cksum_alg);
		if (a != CR_CKSUM_NONE) {
			xml_elem_str(&doc, "ChecksumAlgorithm", cr_cksum_name(a));
			xml_elem_str(&doc, "ChecksumType", u.tmpl.cksum_type == OL_CKSUM_COMPOSITE
			                                           ? "COMPOSITE" : "FULL_OBJECT");
		}
		if (parts.len)
			buf_append(&doc, parts.ptr, parts.len);
		buf_release(&parts);
	}
	buf_puts(&doc, "</ListPartsResult>");
	s3_reply_xml(r, 200, &doc);
out:
	buf_release(&doc);
	ol_upload_release(&u);
}

/* ---- ListMultipartUploads ---- */

struct uploads_ctx {
	struct buf uploads, prefixes;
	bool url;
};

static int
list_upload_cb(void *ctx, const struct ol_upload_entry *e)
{
	struct uploads_ctx *uc = ctx;
	struct buf *b = &uc->uploads;
	char date[S3_ISO8601_MS_LEN + 1];
	enum cr_cksum_alg a;

	if (e->is_prefix)
		return buf_puts(&uc->prefixes, "<CommonPrefixes>") ||
		               s3_xml_elem_key(&uc->prefixes, "Prefix", e->key, e->keylen, uc->url) ||
		               buf_puts(&uc->prefixes, "</CommonPrefixes>")
		       ? OL_E2BIG : 0;
	s3_iso8601_ms_format(e->u->initiated_ns, date);
	a = s3_cr_alg(e->u->tmpl.cksum_alg);
	if (buf_puts(b, "<Upload>") || s3_xml_elem_key(b, "Key", e->key, e->keylen, uc->url) ||
	    xml_elem_str(b, "UploadId", e->u->upload_id) ||
	    buf_puts(b, "<Initiator><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
	                "</DisplayName></Initiator>") ||
	    s3_xml_owner(b) || buf_puts(b, "<StorageClass>STANDARD</StorageClass>") ||
	    xml_elem_str(b, "Initiated", date) ||
	    (a != CR_CKSUM_NONE && xml_elem_str(b, "ChecksumAlgorithm", cr_cksum_name(a))) ||
	    (a != CR_CKSUM_NONE &&
	     xml_elem_str(b, "ChecksumType", e->u->tmpl.cksum_type == OL_CKSUM_COMPOSITE
	                                             ? "COMPOSITE" : "FULL_OBJECT")) ||
	    buf_puts(b, "</Upload>"))
		return OL_E2BIG;
	return 0;
}

void
s3_op_list_uploads(struct s3_req *r)
{
	const struct slice *prefix = s3_query_get(&r->route, "prefix");
	const struct slice *delim = s3_query_get(&r->route, "delimiter");
	const struct slice *enc = s3_query_get(&r->route, "encoding-type");
	const struct slice *km = s3_query_get(&r->route, "key-marker");
	const struct slice *um = s3_query_get(&r->route, "upload-id-marker");
	struct ol_upload_list_opts o;
	struct ol_upload_list_result res;
	struct uploads_ctx uc;
	struct ol_bucket b;
	struct ol_err err;
	struct buf doc;
	char umark[OL_UPLOAD_ID_LEN + 1];
	uint32_t max;
	int rc;

	if (!s3_bucket_load(r, &b) || !uint_param(r, "max-uploads", 1000, 1000, &max))
		return;
	if (enc && !slice_eq_cstr(*enc, "url")) {
		s3_reply_error(r, S3E_InvalidArgument, "Invalid Encoding Method specified in Request");
		return;
	}
	memset(&o, 0, sizeof(o));
	o.bucket = r->route.bucket;
	if (prefix)
		o.prefix = prefix->p, o.prefix_len = prefix->n;
	if (delim && delim->n)
		o.delimiter = delim->p, o.delimiter_len = delim->n;
	/* spec §7.7: an upload-id-marker needs a key-marker */
	if (um && um->n && !(km && km->n)) {
		struct s3_error_extra ex[] = { { "ArgumentName", "upload-id-marker" } };
		s3_reply_error_x(r, S3E_InvalidArgument, "A key-marker must be specified when "
		                 "specifying a upload-id-marker.", ex, 1);
		return;
	}
	if (km && km->n) {
		o.key_marker = km->p;
		o.key_marker_len = km->n;
		if (um && um->n) {
			if (um->n != OL_UPLOAD_ID_LEN) {
				s3_reply_error(r, S3E_InvalidArgument, "Invalid uploadId marker");
				return;
			}
			memcpy(umark, um->p, um->n);
			umark[um->n] = '\0';
			o.upload_id_marker = umark;
		}
	}
	o.max_uploads = max;
	memset(&uc, 0, sizeof(uc));
	uc.url = enc != NULL;
	buf_init(&uc.uploads, 16u << 20);
	buf_init(&uc.prefixes, 16u << 20);
	buf_init(&doc, 33u << 20);
	memset(&res, 0, sizeof(res));
	rc = ol_upload_list(r->app->st, &o, list_upload_cb, &uc, &res, &err);
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_bucket(r);
		goto out;
	}
	if (rc == OL_EINVAL) {
		s3_reply_error(r, S3E_InvalidArgument, err.msg);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	buf_puts(&doc, "<ListMultipartUploadsResult xmlns=\"" S3_XMLNS "\">");
	xml_elem_str(&doc, "Bucket", r->route.bucket);
	s3_xml_elem_key(&doc, "KeyMarker", km ? km->p : "", km ? km->n : 0, uc.url);
	xml_elem(&doc, "UploadIdMarker", um ? um->p : "", um ? um->n : 0);
	if (res.is_truncated) {
		s3_xml_elem_key(&doc, "NextKeyMarker", res.next_key_marker, res.next_key_marker_len, uc.url);
		xml_elem_str(&doc, "NextUploadIdMarker", res.next_upload_id_marker);
	} else {
		buf_puts(&doc, "<NextKeyMarker></NextKeyMarker><NextUploadIdMarker>"
		               "</NextUploadIdMarker>");
	}
	if (delim && delim->n)
		s3_xml_elem_key(&doc, "Delimiter", delim->p, delim->n, uc.url);
	if (prefix)
		s3_xml_elem_key(&doc, "Prefix", prefix->p, prefix->n, uc.url);
	if (uc.url)
		buf_puts(&doc, "<EncodingType>url</EncodingType>");
	buf_printf(&doc, "<MaxUploads>%u</MaxUploads><IsTruncated>%s</IsTruncated>",
	           (unsigned)max, res.is_truncated ? "true" : "false");
	if (uc.uploads.len)
		buf_append(&doc, uc.uploads.ptr, uc.uploads.len);
	if (uc.prefixes.len)
		buf_append(&doc, uc.prefixes.ptr, uc.prefixes.len);
	if (buf_puts(&doc, "</ListMultipartUploadsResult>")) {
		s3_reply_error(r, S3E_InternalError, "listing too large");
		goto out;
	}
	s3_reply_xml(r, 200, &doc);
out:
	buf_release(&uc.uploads);
	buf_release(&uc.prefixes);
	buf_release(&doc);
}
