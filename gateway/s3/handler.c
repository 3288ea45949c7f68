/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The S3 request lifecycle: collect headers, route, authenticate (SigV4, before a byte of
 * body is read), dispatch, and run the body pipeline
 *     wire -> [aws-chunked decode] -> MD5 / SHA-256 / x-amz-checksum -> XML buffer | store
 * whose integrity checks all pass before anything is committed.
 */
#include "handler.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/log.h"
#include "s3req.h"
#include "xml.h"
#include "xmlparse.h"

/* ---- header access ---------------------------------------------------------------------- */

bool
s3_hdr_slice(struct s3_req *r, const char *name, struct slice *out)
{
	for (size_t i = 0; i < r->nhdrs; i++) {
		if (slice_case_eq_cstr(r->hdrs[i].name, name)) {
			*out = r->hdrs[i].value;
			return true;
		}
	}
	return false;
}

const char *
s3_hdr(struct s3_req *r, const char *name)
{
	/* MHD keeps values NUL-terminated for the request's life */
	struct slice s;

	return s3_hdr_slice(r, name, &s) ? s.p : NULL;
}

static void
collect_header(void *ctx, const char *name, size_t nlen, const char *value, size_t vlen)
{
	struct s3_req *r = ctx;

	/* name: value CRLF */
	r->header_bytes += nlen + vlen + 4;
	if (r->nhdrs < S3_MAX_HEADERS) {
		r->hdrs[r->nhdrs].name = (struct slice){ name, nlen };
		r->hdrs[r->nhdrs].value = (struct slice){ value, vlen };
	}
	r->nhdrs++;
}

/* ---- replies ---------------------------------------------------------------------------- */

void
s3_reply_error_x(struct s3_req *r, enum s3_code code, const char *msg,
                 const struct s3_error_extra *extras, size_t n)
{
	if (r->http->responded)
		return;
	if (s3_error_def(code)->status >= 500)
		gw_log(GW_LOG_WARN, "s3_error", "%s %s: %s %s", r->http->method,
		       r->routed ? s3_op_name(r->route.op) : "-", s3_error_def(code)->code,
		       msg ? msg : "");
	gw_respond_error(r->http, code, msg, extras, n);
}

void
s3_reply_error(struct s3_req *r, enum s3_code code, const char *msg)
{
	s3_reply_error_x(r, code, msg, NULL, 0);
}

void
s3_reply_no_such_bucket(struct s3_req *r)
{
	struct s3_error_extra ex = { "BucketName", r->route.bucket };

	s3_reply_error_x(r, S3E_NoSuchBucket, NULL, &ex, 1);
}

void
s3_reply_store_error(struct s3_req *r, int rc, const struct ol_err *err)
{
	switch (rc) {
	case OL_ELOCKED:
		/* the enforcement point refused: never a 5xx, clients must not retry it */
		s3_reply_error(r, S3E_AccessDenied,
		               "Access Denied because object protected by object lock.");
		break;
	case OL_EDELMARKER:
		s3_reply_error(r, S3E_MethodNotAllowed, NULL);
		break;
	case OL_ENOSPC:
		/* retryable for the client, and an operator alarm for us */
		gw_log(GW_LOG_ERROR, "store", "no space: %s", err ? err->msg : "");
		s3_reply_error(r, S3E_ServiceUnavailable, "The storage is full.");
		break;
	default:
		gw_log(GW_LOG_ERROR, "store", "%s: rc %d: %s", s3_op_name(r->route.op), rc,
		       err ? err->msg : "");
		s3_reply_error(r, S3E_InternalError, NULL);
	}
}

void
s3_reply_xml(struct s3_req *r, int status, const struct buf *doc)
{
	s3_reply_xml_h(r, status, doc, NULL, 0);
}

void
s3_reply_xml_h(struct s3_req *r, int status, const struct buf *doc, const struct gw_header *extra,
               size_t nextra)
{
	struct gw_header h[8] = { { "Content-Type", "application/xml" } };
	size_t nh = 1;
	struct buf out;

	for (size_t i = 0; i < nextra && nh < 8; i++)
		h[nh++] = extra[i];

	buf_init(&out, doc->len + 64);
	if (buf_puts(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") ||
	    buf_append(&out, doc->ptr, doc->len)) {
		buf_release(&out);
		s3_reply_error(r, S3E_InternalError, "out of memory");
		return;
	}
	gw_respond(r->http, status, h, nh, out.ptr, out.len);
	buf_release(&out);
}

void
s3_reply_empty(struct s3_req *r, int status, const struct gw_header *h, size_t n)
{
	gw_respond(r->http, status, h, n, "", 0);
}

bool
s3_bucket_load(struct s3_req *r, struct ol_bucket *out)
{
	struct ol_err err;
	int rc = ol_bucket_get(r->app->st, r->route.bucket, out, &err);

	if (rc == OL_OK)
		return true;
	if (rc == OL_ENOTFOUND || rc == OL_EINVAL)
		s3_reply_no_such_bucket(r);
	else
		s3_reply_store_error(r, rc, &err);
	return false;
}

int
s3_xml_owner(struct buf *b)
{
	return buf_puts(b, "<Owner><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
	                   "</DisplayName></Owner>");
}

int
s3_url_encode(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)p[i];
		char enc[3];
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
			rc = buf_append(b, p + i, 1);
		} else {
			enc[0] = '%';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			rc = buf_append(b, enc, 3);
		}
	}
	return rc;
}

int
s3_xml_elem_key(struct buf *b, const char *name, const char *p, size_t n, bool url)
{
	int rc;

	if (!url)
		return xml_elem(b, name, p, n);
	if ((rc = buf_printf(b, "<%s>", name)) || (rc = s3_url_encode(b, p, n)))
		return rc;
	return buf_printf(b, "</%s>", name);
}

const char *
s3_cksum_header(enum cr_cksum_alg alg)
{
	switch (alg) {
	case CR_CKSUM_CRC32: return "x-amz-checksum-crc32";
	case CR_CKSUM_CRC32C: return "x-amz-checksum-crc32c";
	case CR_CKSUM_CRC64NVME: return "x-amz-checksum-crc64nvme";
	case CR_CKSUM_SHA1: return "x-amz-checksum-sha1";
	case CR_CKSUM_SHA256: return "x-amz-checksum-sha256";
	default: return NULL;
	}
}

/* ---- authentication --------------------------------------------------------------------- */

static int
lookup_secret(void *ctx, const char *access_key, char *secret, size_t cap, size_t *len)
{
	struct s3_req *r = ctx;
	const struct gw_cred *root = r->app->root;
	struct gw_cred c;
	struct gw_err err;
	size_t n;
	int rc;

	if (strcmp(access_key, root->access_key) == 0) {
		n = strlen(root->secret);
		if (n > cap)
			return GW_ERR;
		memcpy(secret, root->secret, n);
		*len = n;
		snprintf(r->user, sizeof(r->user), "%s", root->user);
		return GW_OK;
	}
	rc = gw_creds_lookup(r->app->kr, access_key, &c, &err);
	if (rc == GW_OK) {
		n = strlen(c.secret);
		if (n > cap) {
			rc = GW_ERR;
		} else {
			memcpy(secret, c.secret, n);
			*len = n;
			snprintf(r->user, sizeof(r->user), "%s", c.user);
		}
	} else if (rc != GW_ENOTFOUND) {
		gw_log(GW_LOG_ERROR, "auth", "credential lookup failed: %s", err.msg);
	}
	gw_cred_wipe(&c);
	return rc;
}

static bool
authenticate(struct s3_req *r)
{
	struct sigv4_request rq;
	struct sigv4_config cfg = { r->app->cfg->region, lookup_secret, r };
	struct sigv4_err *e;
	enum s3_code code;

	rq.method = slice_from_cstr(r->http->method);
	rq.target = slice_from_cstr(r->http->target);
	rq.headers = r->hdrs;
	rq.nheaders = r->nhdrs;
	rq.now_s = (int64_t)time(NULL);
	/* the error carries the canonical request for client debugging: too big for the stack
	 * of a pool thread alongside everything else */
	e = malloc(sizeof(*e));
	if (!e) {
		s3_reply_error(r, S3E_InternalError, "out of memory");
		return false;
	}
	sigv4_err_clear(e);
	code = sigv4_verify(&rq, &cfg, &r->auth, e);
	if (code != S3E_NONE) {
		s3_reply_error_x(r, code, sigv4_err_message(e), e->extra, e->nextra);
		free(e);
		return false;
	}
	free(e);
	r->authed = true;
	/* decided now: r->auth is wiped once the body is decoded */
	r->is_root = strcmp(r->auth.access_key, r->app->root->access_key) == 0;
	return true;
}

/* ---- body pipeline ---------------------------------------------------------------------- */

static void
body_fail(struct s3_req *r, enum s3_code code, const char *msg)
{
	if (r->body_err != S3E_NONE)
		return;
	r->body_err = code;
	snprintf(r->body_msg, sizeof(r->body_msg), "%s", msg ? msg : "");
}

/* Decoded payload bytes: hash, count, store. */
static enum s3_code
body_sink(void *ctx, const void *p, size_t n)
{
	struct s3_req *r = ctx;
	struct ol_err err;
	int rc;

	if (r->received + n > (r->body_kind == S3_BODY_XML ? S3_XML_BODY_MAX : S3_PUT_MAX_BYTES)) {
		if (r->body_kind == S3_BODY_XML)
			body_fail(r, S3E_MalformedXML, "The XML you provided was too large.");
		else
			body_fail(r, S3E_EntityTooLarge, NULL);
		return r->body_err;
	}
	r->received += n;
	if (r->md5_on)
		cr_hash_update(&r->md5, p, n);
	if (r->sha256_on)
		cr_hash_update(&r->sha256, p, n);
	if (r->cksum_on)
		cr_cksum_update(&r->cksum, p, n);
	if (r->body_kind == S3_BODY_XML) {
		if (buf_append(&r->xml, p, n) != GW_OK) {
			body_fail(r, S3E_MalformedXML, "The XML you provided was too large.");
			return r->body_err;
		}
	} else if (r->put) {
		rc = ol_put_write(r->put, p, n, &err);
		if (rc != OL_OK) {
			gw_log(GW_LOG_ERROR, "store", "put write: %s", err.msg);
			body_fail(r, rc == OL_ENOSPC ? S3E_ServiceUnavailable : S3E_InternalError,
			          rc == OL_ENOSPC ? "The storage is full." : NULL);
			return r->body_err;
		}
	}
	return S3E_NONE;
}

/* Parse the integrity headers (spec §3.1, §3.3) and set up hashing. */
static bool
setup_integrity(struct s3_req *r, bool object)
{
	struct slice v, trailer = { NULL, 0 };
	enum cr_cksum_alg alg = CR_CKSUM_NONE, sdk = CR_CKSUM_NONE;
	uint8_t raw[CR_MAX_DIGEST_LEN + 4];
	char msg[128];
	int n;

	if (s3_hdr_slice(r, "Content-MD5", &v)) {
		n = cr_base64_decode(v.p, v.n, raw, sizeof(raw));
		if (n != CR_MD5_LEN) {
			s3_reply_error(r, S3E_InvalidDigest, NULL);
			return false;
		}
		memcpy(r->content_md5, raw, CR_MD5_LEN);
		r->has_content_md5 = true;
		r->md5_on = true;
	}
	/* On CompleteMultipartUpload the x-amz-checksum-* headers name the expected checksum of
	 * the whole object (spec §3.6), judged by the operation, not of the XML body. */
	for (size_t i = 0; r->route.op != S3OP_CompleteMultipartUpload && i < r->nhdrs &&
	                   i < S3_MAX_HEADERS; i++) {
		struct slice name = r->hdrs[i].name;
		const char *pfx = "x-amz-checksum-";
		size_t pl = strlen(pfx);
		if (name.n <= pl || strncasecmp(name.p, pfx, pl) != 0)
			continue;
		struct slice an = { name.p + pl, name.n - pl };
		if (slice_case_eq_cstr(an, "mode") || slice_case_eq_cstr(an, "algorithm") ||
		    slice_case_eq_cstr(an, "type"))
			continue;
		if (alg != CR_CKSUM_NONE) {
			s3_reply_error(r, S3E_InvalidRequest, "Expecting a single x-amz-checksum- header. "
			               "Multiple checksum Types are not allowed.");
			return false;
		}
		alg = cr_cksum_from_name(an.p, an.n);
		if (alg == CR_CKSUM_NONE) {
			s3_reply_error(r, S3E_InvalidRequest,
			               "Checksum algorithm provided is unsupported. Please try again with "
			               "any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
			return false;
		}
		v = r->hdrs[i].value;
		n = cr_base64_decode(v.p, v.n, raw, sizeof(raw));
		if (n < 0 || (size_t)n != cr_cksum_len(alg)) {
			snprintf(msg, sizeof(msg), "Value for %s header is invalid.", s3_cksum_header(alg));
			s3_reply_error(r, S3E_InvalidRequest, msg);
			return false;
		}
		memcpy(r->cksum_expect, raw, (size_t)n);
		r->cksum_from_header = true;
	}
	s3_hdr_slice(r, "x-amz-trailer", &trailer);
	if (r->chunked_on && s3_chunked_trailer_alg(&r->chunked) != CR_CKSUM_NONE) {
		if (alg != CR_CKSUM_NONE) {
			s3_reply_error(r, S3E_InvalidRequest, "Expecting a single x-amz-checksum- header. "
			               "Multiple checksum Types are not allowed.");
			return false;
		}
		alg = s3_chunked_trailer_alg(&r->chunked);
		r->cksum_from_trailer = true;
	}
	if (r->route.op != S3OP_CompleteMultipartUpload &&
	    s3_hdr_slice(r, "x-amz-sdk-checksum-algorithm", &v)) {
		sdk = cr_cksum_from_name(v.p, v.n);
		if (sdk == CR_CKSUM_NONE || sdk != alg) {
			s3_reply_error(r, S3E_InvalidRequest,
			               "x-amz-sdk-checksum-algorithm specified, but no corresponding "
			               "x-amz-checksum-* or x-amz-trailer headers were found.");
			return false;
		}
	}
	/* AWS computes a CRC64NVME for objects sent without a checksum (spec §3.3) */
	if (alg != CR_CKSUM_NONE && object && r->strict_cksum && alg != r->default_cksum) {
		char lname[16], want[16];
		size_t i;
		for (i = 0; cr_cksum_name(alg)[i] && i < sizeof(lname) - 1; i++)
			lname[i] = (char)tolower((unsigned char)cr_cksum_name(alg)[i]);
		lname[i] = '\0';
		for (i = 0; cr_cksum_name(r->default_cksum)[i] && i < sizeof(want) - 1; i++)
			want[i] = (char)tolower((unsigned char)cr_cksum_name(r->default_cksum)[i]);
		want[i] = '\0';
		snprintf(msg, sizeof(msg), "Checksum Type mismatch occurred, expected checksum Type: "
		         "%s, actual checksum Type: %s", want, lname);
		s3_reply_error(r, S3E_InvalidRequest, msg);
		return false;
	}
	if (alg == CR_CKSUM_NONE && object)
		alg = r->default_cksum != CR_CKSUM_NONE ? r->default_cksum : CR_CKSUM_CRC64NVME;
	if (object)
		r->md5_on = true; /* the ETag */
	if (alg != CR_CKSUM_NONE) {
		if (cr_cksum_init(&r->cksum, alg) != CR_OK) {
			s3_reply_error(r, S3E_InternalError, NULL);
			return false;
		}
		r->cksum_on = true;
	}
	if (r->md5_on && cr_hash_init(&r->md5, CR_HASH_MD5) != CR_OK) {
		r->md5_on = false;
		s3_reply_error(r, S3E_InternalError, NULL);
		return false;
	}
	if (r->auth.payload == SIGV4_PAYLOAD_SHA256) {
		if (cr_hash_init(&r->sha256, CR_HASH_SHA256) != CR_OK) {
			s3_reply_error(r, S3E_InternalError, NULL);
			return false;
		}
		r->sha256_on = true;
	}
	return true;
}

static bool
is_streaming(enum sigv4_payload p)
{
	return p == SIGV4_PAYLOAD_STREAMING_SIGNED ||
	       p == SIGV4_PAYLOAD_STREAMING_SIGNED_TRAILER ||
	       p == SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER;
}

bool
s3_body_begin(struct s3_req *r, enum s3_body_kind kind, s3_finish_fn finish)
{
	struct s3_chunked_params cp;
	struct slice v;
	enum s3_code code;
	const char *cl = s3_hdr(r, "Content-Length");

	r->body_kind = kind;
	if (is_streaming(r->auth.payload)) {
		memset(&cp, 0, sizeof(cp));
		cp.mode = r->auth.payload == SIGV4_PAYLOAD_STREAMING_SIGNED ? S3_CHUNKED_SIGNED
		        : r->auth.payload == SIGV4_PAYLOAD_STREAMING_SIGNED_TRAILER
		                ? S3_CHUNKED_SIGNED_TRAILER
		                : S3_CHUNKED_UNSIGNED_TRAILER;
		if (!s3_hdr_slice(r, "x-amz-decoded-content-length", &cp.decoded_length))
			cp.decoded_length = (struct slice){ NULL, 0 };
		if (!s3_hdr_slice(r, "x-amz-trailer", &cp.trailer))
			cp.trailer = (struct slice){ NULL, 0 };
		cp.signing_key = r->auth.signing_key;
		cp.seed_signature = r->auth.seed_signature;
		cp.amz_date = r->auth.amz_date;
		cp.scope = r->auth.scope;
		cp.sink = body_sink;
		cp.sink_ctx = r;
		code = s3_chunked_init(&r->chunked, &cp);
		if (code != S3E_NONE) {
			const struct s3_error_extra *ex = NULL;
			size_t nex = s3_chunked_extras(&r->chunked, &ex);
			s3_reply_error_x(r, code, s3_chunked_message(&r->chunked), ex, nex);
			return false;
		}
		r->chunked_on = true;
		if (cp.decoded_length.p) {
			uint64_t n = 0;
			for (size_t i = 0; i < cp.decoded_length.n; i++)
				n = n * 10 + (uint64_t)(cp.decoded_length.p[i] - '0');
			r->expect_len = n; /* digits and range checked by s3_chunked_init */
			r->expect_len_known = true;
		}
	} else if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);
		if (*cl < '0' || *cl > '9' || *end) {
			s3_reply_error(r, S3E_InvalidArgument, "Invalid Content-Length");
			return false;
		}
		r->expect_len = n;
		r->expect_len_known = true;
	} else if (!s3_hdr_slice(r, "Transfer-Encoding", &v) && kind == S3_BODY_OBJECT) {
		s3_reply_error(r, S3E_MissingContentLength, NULL);
		return false;
	}
	if (r->expect_len_known && kind == S3_BODY_OBJECT && r->expect_len > S3_PUT_MAX_BYTES) {
		s3_reply_error(r, S3E_EntityTooLarge, NULL);
		return false;
	}
	if (kind == S3_BODY_XML) {
		if (r->expect_len_known && r->expect_len > S3_XML_BODY_MAX) {
			s3_reply_error(r, S3E_MalformedXML, "The XML you provided was too large.");
			return false;
		}
		buf_init(&r->xml, S3_XML_BODY_MAX);
	}
	if (!setup_integrity(r, kind == S3_BODY_OBJECT))
		return false;
	r->finish = finish;
	return true;
}

/* Every integrity check of a complete body. Answers and returns false on failure. */
static bool
body_verify(struct s3_req *r)
{
	struct sigv4_err *se;
	uint8_t d[CR_SHA256_LEN];
	enum s3_code code;
	char msg[128];

	/* a sink failure (size, store) is the first cause, whatever the decoder made of it */
	if (r->body_err != S3E_NONE) {
		s3_reply_error(r, r->body_err, r->body_msg[0] ? r->body_msg : NULL);
		return false;
	}
	if (r->chunked_on) {
		code = s3_chunked_finish(&r->chunked);
		if (code != S3E_NONE) {
			const struct s3_error_extra *ex = NULL;
			size_t nex = s3_chunked_extras(&r->chunked, &ex);
			s3_reply_error_x(r, code, s3_chunked_message(&r->chunked), ex, nex);
			return false;
		}
	}
	if (r->expect_len_known && r->received != r->expect_len) {
		s3_reply_error(r, S3E_IncompleteBody, NULL);
		return false;
	}
	if (r->sha256_on) {
		cr_hash_final(&r->sha256, d);
		se = malloc(sizeof(*se));
		if (!se) {
			s3_reply_error(r, S3E_InternalError, NULL);
			return false;
		}
		sigv4_err_clear(se);
		code = sigv4_payload_verify(&r->auth, d, se);
		if (code != S3E_NONE) {
			s3_reply_error_x(r, code, sigv4_err_message(se), se->extra, se->nextra);
			free(se);
			return false;
		}
		free(se);
	}
	if (r->md5_on) {
		cr_hash_final(&r->md5, r->md5_digest);
		if (r->has_content_md5 && memcmp(r->md5_digest, r->content_md5, CR_MD5_LEN) != 0) {
			s3_reply_error(r, S3E_BadDigest, NULL);
			return false;
		}
	}
	if (r->cksum_on) {
		size_t n = cr_cksum_len(r->cksum.alg);
		if (cr_cksum_final(&r->cksum, r->cksum_value) != CR_OK) {
			s3_reply_error(r, S3E_InternalError, NULL);
			return false;
		}
		if (r->cksum_from_trailer) {
			code = s3_chunked_check_trailer(&r->chunked, r->cksum_value, n);
			if (code != S3E_NONE) {
				s3_reply_error(r, code, s3_chunked_message(&r->chunked));
				return false;
			}
		} else if (r->cksum_from_header && memcmp(r->cksum_value, r->cksum_expect, n) != 0) {
			snprintf(msg, sizeof(msg),
			         "The %s you specified did not match the calculated checksum.",
			         cr_cksum_name(r->cksum.alg));
			s3_reply_error(r, S3E_BadDigest, msg);
			return false;
		}
	}
	return true;
}

bool
s3_has_integrity(struct s3_req *r)
{
	/* a signed payload (hex or signed chunks) counts: a deliberate relaxation of AWS that
	 * never weakens integrity (spec §3.4) */
	bool ok = s3_hdr(r, "Content-MD5") || s3_hdr(r, "x-amz-sdk-checksum-algorithm") ||
	          s3_hdr(r, "x-amz-trailer") || r->auth.payload == SIGV4_PAYLOAD_SHA256 ||
	          r->auth.payload == SIGV4_PAYLOAD_STREAMING_SIGNED ||
	          r->auth.payload == SIGV4_PAYLOAD_STREAMING_SIGNED_TRAILER;

	for (size_t i = 0; !ok && i < r->nhdrs && i < S3_MAX_HEADERS; i++) {
		struct slice n = r->hdrs[i].name;
		ok = n.n > 15 && strncasecmp(n.p, "x-amz-checksum-", 15) == 0 &&
		     !slice_case_eq_cstr(n, "x-amz-checksum-mode") &&
		     !slice_case_eq_cstr(n, "x-amz-checksum-type");
	}
	return ok;
}

/* ---- lifecycle -------------------------------------------------------------------------- */

static void
dispatch(struct s3_req *r)
{
	switch (r->route.op) {
	case S3OP_ListBuckets: s3_op_list_buckets(r); break;
	case S3OP_CreateBucket: s3_op_create_bucket(r); break;
	case S3OP_HeadBucket: s3_op_head_bucket(r); break;
	case S3OP_DeleteBucket: s3_op_delete_bucket(r); break;
	case S3OP_GetBucketLocation: s3_op_bucket_location(r); break;
	case S3OP_GetBucketVersioning: s3_op_get_versioning(r); break;
	case S3OP_PutBucketVersioning: s3_op_put_versioning(r); break;
	case S3OP_ListObjects:
	case S3OP_ListObjectsV2:
	case S3OP_ListObjectVersions: s3_op_list_objects(r); break;
	case S3OP_ListMultipartUploads: s3_op_list_uploads(r); break;
	case S3OP_CreateMultipartUpload: s3_op_create_multipart(r); break;
	case S3OP_UploadPart: s3_op_upload_part(r); break;
	case S3OP_CompleteMultipartUpload: s3_op_complete_multipart(r); break;
	case S3OP_AbortMultipartUpload: s3_op_abort_multipart(r); break;
	case S3OP_ListParts: s3_op_list_parts(r); break;
	case S3OP_CopyObject: s3_op_copy_object(r); break;
	case S3OP_GetObjectAttributes: s3_op_get_object_attributes(r); break;
	case S3OP_UploadPartCopy: s3_op_upload_part_copy(r); break;
	case S3OP_GetBucketAcl:
	case S3OP_PutBucketAcl:
	case S3OP_GetObjectAcl:
	case S3OP_PutObjectAcl: s3_op_acl(r); break;
	case S3OP_GetBucketPolicy:
	case S3OP_GetBucketPolicyStatus:
	case S3OP_DeleteBucketPolicy:
	case S3OP_GetBucketTagging:
	case S3OP_DeleteBucketTagging:
	case S3OP_GetBucketLifecycle:
	case S3OP_GetBucketCors:
	case S3OP_GetBucketEncryption:
	case S3OP_GetBucketWebsite:
	case S3OP_GetBucketReplication:
	case S3OP_DeleteBucketLifecycle:
	case S3OP_DeleteBucketCors:
	case S3OP_DeleteBucketEncryption:
	case S3OP_DeleteBucketWebsite:
	case S3OP_DeleteBucketReplication:
	case S3OP_GetBucketRequestPayment: s3_op_bucket_probe(r); break;
	case S3OP_GetObjectLockConfiguration: s3_op_get_object_lock_config(r); break;
	case S3OP_PutObjectLockConfiguration: s3_op_put_object_lock_config(r); break;
	case S3OP_GetObjectRetention: s3_op_get_object_retention(r); break;
	case S3OP_PutObjectRetention: s3_op_put_object_retention(r); break;
	case S3OP_GetObjectLegalHold: s3_op_get_object_legal_hold(r); break;
	case S3OP_PutObjectLegalHold: s3_op_put_object_legal_hold(r); break;
	case S3OP_PutObject: s3_op_put_object(r); break;
	case S3OP_GetObject:
	case S3OP_HeadObject: s3_op_get_object(r); break;
	case S3OP_DeleteObject: s3_op_delete_object(r); break;
	case S3OP_DeleteObjects: s3_op_delete_objects(r); break;
	case S3OP_GetObjectTagging: s3_op_get_object_tagging(r); break;
	default: s3_reply_error(r, S3E_NotImplemented, NULL); break;
	}
}

static bool
is_refusal(enum s3_op op)
{
	return op == S3OP_NotImplemented || op == S3OP_MethodNotAllowed ||
	       op == S3OP_InvalidRequest || op == S3OP_InvalidArgument;
}

static void
s3_begin(void *ctx, struct gw_request *req)
{
	struct s3_app *app = ctx;
	struct s3_req *r = calloc(1, sizeof(*r));
	const char *ct, *owner;
	unsigned flags = 0;
	enum s3_code code;

	if (!r) {
		gw_respond_error(req, S3E_InternalError, "out of memory", NULL, 0);
		return;
	}
	r->app = app;
	r->http = req;
	req->app = r;
	gw_request_headers(req, collect_header, r);
	if (r->header_bytes > S3_HEADER_SECTION_MAX || r->nhdrs > S3_MAX_HEADERS) {
		s3_reply_error(r, S3E_RequestHeaderSectionTooLarge, NULL);
		return;
	}
	if (s3_admin_target(req->target)) {
		if (authenticate(r))
			s3_op_admin(r);
		return;
	}
	if (s3_hdr(r, "x-amz-copy-source"))
		flags |= S3_ROUTE_COPY_SOURCE;
	ct = s3_hdr(r, "Content-Type");
	if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0)
		flags |= S3_ROUTE_FORM_POST;
	code = s3_route(req->method, req->target, strlen(req->target), s3_hdr(r, "Host"),
	                app->cfg->domain, flags, &r->route);
	if (code != S3E_NONE) {
		s3_reply_error(r, code, NULL);
		return;
	}
	r->routed = true;
	if (!authenticate(r))
		return;
	if (is_refusal(r->route.op)) {
		struct s3_error_extra ex[2];
		const struct slice *q;
		const char *v;
		size_t n = 0;
		if (r->route.op == S3OP_MethodNotAllowed) {
			/* the extra elements of MethodNotAllowed (spec §10.1) */
			ex[n++] = (struct s3_error_extra){ "Method", req->method ? req->method : "" };
			ex[n++] = (struct s3_error_extra){ "ResourceType",
			                                   s3_resource_name(r->route.res) };
		} else if (r->route.refusal_arg) {
			/* the argument is a header (x-amz-copy-source) or a query parameter */
			ex[n++] = (struct s3_error_extra){ "ArgumentName", r->route.refusal_arg };
			v = s3_hdr(r, r->route.refusal_arg);
			q = s3_query_get(&r->route, r->route.refusal_arg);
			if (v || q)
				ex[n++] = (struct s3_error_extra){ "ArgumentValue", v ? v : q->p };
		}
		s3_reply_error_x(r, s3_op_refusal(r->route.op), r->route.refusal_msg, ex, n);
		return;
	}
	/* one account owns every bucket here (spec §1.3) */
	owner = s3_hdr(r, "x-amz-expected-bucket-owner");
	if (owner && r->route.res != S3_RES_SERVICE && strcmp(owner, S3_OWNER_ID) != 0) {
		s3_reply_error(r, S3E_AccessDenied, NULL);
		return;
	}
	if (is_streaming(r->auth.payload) && r->route.op != S3OP_PutObject &&
	    r->route.op != S3OP_UploadPart) {
		s3_reply_error(r, S3E_InvalidRequest,
		               "The x-amz-content-sha256 value is only valid for object uploads.");
		return;
	}
	dispatch(r);
}

/*
 * A failure while the body arrives is answered at its end, never here: libmicrohttpd 0.9.75
 * refuses MHD_queue_response between the first and the last call of a request with a body,
 * so an answer queued mid-body would be lost and the client left waiting. The rest of the
 * body is read and dropped; the staged data is released at once.
 */
static void
s3_body(void *ctx, struct gw_request *req, const char *p, size_t n)
{
	struct s3_req *r = req->app;
	enum s3_code code;

	(void)ctx;
	if (!r || req->responded || r->body_kind == S3_BODY_NONE || r->body_dead)
		return;
	if (r->chunked_on)
		code = s3_chunked_feed(&r->chunked, p, n); /* sticky: s3_end reports it */
	else
		code = body_sink(r, p, n);
	if (code != S3E_NONE) {
		r->body_dead = true;
		ol_put_abort(r->put);
		r->put = NULL;
	}
}

static void
s3_end(void *ctx, struct gw_request *req)
{
	struct s3_req *r = req->app;

	(void)ctx;
	if (!r || req->responded)
		return;
	if (r->body_kind == S3_BODY_NONE || !r->finish) {
		s3_reply_error(r, S3E_InternalError, "operation gave no response");
		return;
	}
	if (!body_verify(r))
		return;
	sigv4_auth_wipe(&r->auth); /* the body is decoded: the signing key is done with */
	r->finish(r);
}

static void
s3_done(void *ctx, struct gw_request *req, bool ok)
{
	struct s3_req *r = req->app;

	(void)ctx;
	(void)ok;
	if (!r)
		return;
	ol_put_abort(r->put); /* NULL unless the request failed before committing */
	if (r->chunked_on)
		s3_chunked_release(&r->chunked);
	if (r->md5_on)
		cr_hash_release(&r->md5);
	if (r->sha256_on)
		cr_hash_release(&r->sha256);
	if (r->cksum_on)
		cr_cksum_release(&r->cksum);
	buf_release(&r->xml);
	if (r->routed)
		s3_route_release(&r->route);
	sigv4_auth_wipe(&r->auth);
	free(r);
	req->app = NULL;
}

struct gw_handler
s3_handler(struct s3_app *app)
{
	s3_xml_init();
	return (struct gw_handler){ app, s3_begin, s3_body, s3_end, s3_done };
}
