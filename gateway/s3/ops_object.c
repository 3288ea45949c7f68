/* SPDX-License-Identifier: Apache-2.0 */
/* Object operations: PutObject (streamed into the store), GetObject / HeadObject (ranges,
 * conditionals, overrides, streamed or sent from the blob file), DeleteObject and
 * DeleteObjects (spec §5.1–§5.4, §6). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../base/log.h"
#include "httpdate.h"
#include "range.h"
#include "s3req.h"
#include "xml.h"
#include "xmlparse.h"

/* ---- response header set with its own storage ---- */

#define HSET_MAX 64
#define HSET_STORE 12288

struct hset {
	struct gw_header h[HSET_MAX];
	size_t n, used;
	bool full; /* a header did not fit: the set is incomplete and must not be sent */
	char store[HSET_STORE];
};

static const char *
hset_dup(struct hset *s, const char *p, size_t n)
{
	char *d;

	if (s->used + n + 1 > sizeof(s->store))
		return NULL;
	d = s->store + s->used;
	memcpy(d, p, n);
	d[n] = '\0';
	s->used += n + 1;
	return d;
}

/* Add a header; the name must be static or already owned, the value is copied. */
static void
hset_add(struct hset *s, const char *name, const char *value, size_t vlen)
{
	const char *v;

	if (s->n >= HSET_MAX || !(v = hset_dup(s, value, vlen))) {
		/* stored data is bounded by S3's metadata limits; response-* overrides are
		 * bounded by the query limit only, so a sender can get here */
		s->full = true;
		return;
	}
	s->h[s->n].name = name;
	s->h[s->n].value = v;
	s->n++;
}

static void
hset_adds(struct hset *s, const char *name, const char *value)
{
	hset_add(s, name, value, strlen(value));
}

/* ---- shared helpers ---- */

enum ol_cksum_alg
s3_ol_alg(enum cr_cksum_alg a)
{
	switch (a) {
	case CR_CKSUM_CRC32: return OL_CKSUM_CRC32;
	case CR_CKSUM_CRC32C: return OL_CKSUM_CRC32C;
	case CR_CKSUM_CRC64NVME: return OL_CKSUM_CRC64NVME;
	case CR_CKSUM_SHA1: return OL_CKSUM_SHA1;
	case CR_CKSUM_SHA256: return OL_CKSUM_SHA256;
	default: return OL_CKSUM_NONE;
	}
}

enum cr_cksum_alg
s3_cr_alg(enum ol_cksum_alg a)
{
	switch (a) {
	case OL_CKSUM_CRC32: return CR_CKSUM_CRC32;
	case OL_CKSUM_CRC32C: return CR_CKSUM_CRC32C;
	case OL_CKSUM_CRC64NVME: return CR_CKSUM_CRC64NVME;
	case OL_CKSUM_SHA1: return CR_CKSUM_SHA1;
	case OL_CKSUM_SHA256: return CR_CKSUM_SHA256;
	default: return CR_CKSUM_NONE;
	}
}

/* versionId query parameter: false (answered) when malformed; *out "" when absent. */
bool
s3_version_param(struct s3_req *r, char out[OL_VERSION_ID_LEN + 1])
{
	const struct slice *v = s3_query_get(&r->route, "versionId");

	out[0] = '\0';
	if (!v)
		return true;
	if (!ol_version_id_valid(v->p, v->n)) {
		char val[64];
		snprintf(val, sizeof(val), "%.*s", (int)(v->n < 60 ? v->n : 60), v->p);
		struct s3_error_extra ex[] = { { "ArgumentName", "versionId" },
		                               { "ArgumentValue", val } };
		s3_reply_error_x(r, S3E_InvalidArgument, "Invalid version id specified", ex, 2);
		return false;
	}
	memcpy(out, v->p, v->n);
	out[v->n] = '\0';
	return true;
}

void
s3_reply_no_such_key(struct s3_req *r, const char *vid)
{
	struct s3_error_extra ex[] = { { "Key", r->route.key }, { "VersionId", vid } };

	if (vid && vid[0])
		s3_reply_error_x(r, S3E_NoSuchVersion, NULL, ex, 2);
	else
		s3_reply_error_x(r, S3E_NoSuchKey, NULL, ex, 1);
}

/* An error document that carries response headers of its own (delete markers, 416). */
static void
reply_error_hset(struct s3_req *r, enum s3_code code, const struct s3_error_extra *ex,
                 size_t nex, struct hset *hs)
{
	struct buf doc;

	buf_init(&doc, 16384);
	hset_adds(hs, "Content-Type", "application/xml");
	if (s3_error_xml(&doc, code, NULL, NULL, ex, nex, r->http->request_id, r->http->host_id))
		s3_reply_error(r, S3E_InternalError, NULL);
	else
		gw_respond(r->http, s3_error_def(code)->status, hs->h, hs->n, doc.ptr, doc.len);
	buf_release(&doc);
}

static bool
storage_class_valid(const char *sc)
{
	static const char *const classes[] = {
		"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
		"GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
	};

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcmp(sc, classes[i]) == 0)
			return true;
	return false;
}

/*
 * XML 1.0 cannot carry C0 controls other than TAB, LF and CR, not even as character
 * references: a listing without encoding-type=url would have to drop them and name a key
 * that does not exist. Such keys are refused where they are created (spec §16.4).
 */
static bool
key_listable(const char *key, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return false;
	}
	return true;
}

/* The key's current ETag into @etag ("" when the key does not exist or its latest version
 * is a delete marker). */
static int
current_etag(struct s3_req *r, char *etag, size_t cap)
{
	struct ol_version v;
	struct ol_err err;
	int rc;

	etag[0] = '\0';
	ol_version_init(&v);
	rc = ol_version_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len, NULL, &v,
	                    &err);
	if (rc == OL_OK && !v.is_delete_marker)
		snprintf(etag, cap, "%s", v.etag ? v.etag : "");
	ol_version_release(&v);
	return rc == OL_ENOTFOUND ? OL_OK : rc;
}

static bool etag_list_matches(const char *list, const char *etag);

/* Conditional writes (spec §5.1): If-None-Match ('*' or ETags) fails when the current
 * object matches, If-Match when it does not (or is absent: 404). Answers and returns false
 * when the write must not happen. */
static bool
write_conditions(struct s3_req *r)
{
	const char *im = s3_hdr(r, "If-Match"), *inm = s3_hdr(r, "If-None-Match");
	char etag[OL_PART_ETAG_MAX + 1];
	int rc;

	if (!im && !inm)
		return true;
	rc = current_etag(r, etag, sizeof(etag));
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, NULL);
		return false;
	}
	if (im && !etag[0]) {
		struct s3_error_extra ex = { "Key", r->route.key };
		s3_reply_error_x(r, S3E_NoSuchKey, NULL, &ex, 1);
		return false;
	}
	if ((im && !etag_list_matches(im, etag)) || (inm && etag[0] && etag_list_matches(inm, etag))) {
		s3_reply_error(r, S3E_PreconditionFailed, NULL);
		return false;
	}
	return true;
}

/* ---- PutObject ---- */

/* Headers stored with the object and returned on GET (spec §5.1). */
static const char *const stored_headers[] = {
	"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires",
};

static int
strip_aws_chunked(const char *v, char *out, size_t cap)
{
	/* Content-Encoding minus the aws-chunked token (spec §2.4) */
	size_t o = 0;
	const char *p = v;

	out[0] = '\0';
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *t = p;
		size_t tn = n;
		while (tn && isspace((unsigned char)*t))
			t++, tn--;
		while (tn && isspace((unsigned char)t[tn - 1]))
			tn--;
		if (tn && !(tn == 11 && strncasecmp(t, "aws-chunked", 11) == 0)) {
			if (o + tn + 3 >= cap)
				return -1;
			if (o) {
				out[o++] = ',';
				out[o++] = ' ';
			}
			memcpy(out + o, t, tn);
			o += tn;
			out[o] = '\0';
		}
		p = e ? e + 1 : p + n;
	}
	return (int)o;
}

bool
s3_fill_metadata(struct s3_req *r, struct ol_version *v)
{
	struct ol_err err;
	const char *ct = s3_hdr(r, "Content-Type");
	size_t meta_bytes = 0;
	char lname[256];

	if (!ct || !*ct)
		ct = "binary/octet-stream";
	if (ol_version_set_content_type(v, ct, strlen(ct), &err) != OL_OK)
		goto bad;
	for (size_t i = 0; i < sizeof(stored_headers) / sizeof(stored_headers[0]); i++) {
		const char *val = s3_hdr(r, stored_headers[i]);
		char enc[1024];
		if (!val)
			continue;
		if (i == 2) {
			int n = strip_aws_chunked(val, enc, sizeof(enc));
			if (n <= 0)
				continue; /* only aws-chunked: nothing to store */
			val = enc;
		}
		if (ol_version_add_header(v, stored_headers[i], strlen(stored_headers[i]), val,
		                          strlen(val), &err) != OL_OK)
			goto bad;
	}
	for (size_t i = 0; i < r->nhdrs && i < S3_MAX_HEADERS; i++) {
		struct slice n = r->hdrs[i].name, val = r->hdrs[i].value;
		if (n.n <= 11 || strncasecmp(n.p, "x-amz-meta-", 11) != 0)
			continue;
		meta_bytes += (n.n - 11) + val.n;
		if (meta_bytes > S3_META_MAX || n.n >= sizeof(lname)) {
			s3_reply_error(r, S3E_MetadataTooLarge, NULL);
			return false;
		}
		for (size_t j = 0; j < n.n; j++)
			lname[j] = (char)tolower((unsigned char)n.p[j]);
		if (ol_version_add_header(v, lname, n.n, val.p, val.n, &err) != OL_OK)
			goto bad;
	}
	return true;
bad:
	s3_reply_error(r, S3E_InvalidArgument, err.msg);
	return false;
}

static void
put_finish(struct s3_req *r)
{
	struct ol_version v;
	struct ol_bucket b;
	struct ol_err err;
	struct hset *hs = NULL;
	char etag[2 * CR_MD5_LEN + 1], qetag[2 * CR_MD5_LEN + 3];
	char b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN)];
	int rc;

	ol_version_init(&v);
	if (!s3_bucket_load(r, &b))
		goto out;
	cr_hex_encode(r->md5_digest, CR_MD5_LEN, etag);
	if (ol_version_set_etag(&v, etag, strlen(etag), &err) != OL_OK) {
		s3_reply_store_error(r, OL_ENOMEM, &err);
		goto out;
	}
	if (r->cksum_on) {
		v.cksum_alg = s3_ol_alg(r->cksum.alg);
		v.cksum_type = OL_CKSUM_FULL_OBJECT;
		v.cksum_len = cr_cksum_len(r->cksum.alg);
		memcpy(v.cksum, r->cksum_value, v.cksum_len);
	}
	if (!s3_fill_metadata(r, &v))
		goto out;
	s3_lock_apply(r, &v);
	/* conditional write, checked again at the last moment before the commit */
	if (!write_conditions(r))
		goto out;
	rc = ol_put_commit(r->put, &v, &err);
	r->put = NULL; /* consumed whatever the outcome */
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_bucket(r);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	hs = calloc(1, sizeof(*hs));
	if (!hs) {
		s3_reply_error(r, S3E_InternalError, "out of memory");
		goto out;
	}
	snprintf(qetag, sizeof(qetag), "\"%s\"", etag);
	hset_adds(hs, "ETag", qetag);
	/* a null version (Suspended) is not announced: AWS and s3-tests
	 * test_versioning_bucket_atomic_upload_return_version_id */
	if (!v.is_null)
		hset_adds(hs, "x-amz-version-id", v.version_id);
	if (r->cksum_on) {
		cr_base64_encode(r->cksum_value, cr_cksum_len(r->cksum.alg), b64, sizeof(b64));
		hset_adds(hs, s3_cksum_header(r->cksum.alg), b64);
		hset_adds(hs, "x-amz-checksum-type", "FULL_OBJECT");
	}
	s3_reply_empty(r, 200, hs->h, hs->n);
out:
	free(hs);
	ol_version_release(&v);
}

bool
s3_put_precheck(struct s3_req *r, const struct ol_bucket *b)
{
	const char *sc = s3_hdr(r, "x-amz-storage-class");
	const char *acl = s3_hdr(r, "x-amz-acl");

	if (!key_listable(r->route.key, r->route.key_len)) {
		struct s3_error_extra ex[] = { { "ArgumentName", "key" } };
		s3_reply_error_x(r, S3E_InvalidArgument, "Object key contains a control character "
		                 "that an XML listing cannot carry.", ex, 1);
		return false;
	}
	if (!s3_lock_write_headers(r, b))
		return false;
	if (sc && !storage_class_valid(sc)) {
		s3_reply_error(r, S3E_InvalidStorageClass, NULL);
		return false;
	}
	if (acl && strcmp(acl, "private") != 0 && strcmp(acl, "bucket-owner-full-control") != 0) {
		s3_reply_error(r, S3E_AccessControlListNotSupported, NULL);
		return false;
	}
	return true;
}

void
s3_op_put_object(struct s3_req *r)
{
	struct ol_bucket b;
	struct ol_err err;
	int rc;

	if (!s3_bucket_load(r, &b) || !s3_put_precheck(r, &b) ||
	    !s3_lock_integrity_check(r, &b, r->lock.given) || !write_conditions(r))
		return;
	r->default_cksum = CR_CKSUM_CRC64NVME;
	if (!s3_body_begin(r, S3_BODY_OBJECT, put_finish))
		return;
	rc = ol_put_begin(r->app->st, r->route.bucket, r->route.key, r->route.key_len, &r->put,
	                  &err);
	if (rc == OL_ENOTFOUND)
		s3_reply_no_such_bucket(r);
	else if (rc == OL_EINVAL)
		s3_reply_error(r, S3E_KeyTooLongError, NULL);
	else if (rc != OL_OK)
		s3_reply_store_error(r, rc, &err);
}

/* ---- GetObject / HeadObject ---- */

/* Does any entity tag of the If-Match / If-None-Match list match @etag? */
static bool
etag_list_matches(const char *list, const char *etag)
{
	const char *p = list;

	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *s = p;
		while (*p && *p != ',')
			p++;
		const char *e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e - s >= 2 && s[0] == 'W' && s[1] == '/')
			s += 2;
		if (e - s == 1 && *s == '*')
			return true;
		if (e - s >= 2 && *s == '"' && e[-1] == '"')
			s++, e--;
		if ((size_t)(e - s) == strlen(etag) && memcmp(s, etag, (size_t)(e - s)) == 0)
			return true;
	}
	return false;
}

/* RFC 9110 §13.2.2 order with AWS's quirks (spec §5.2): 0 = go on, else the error. */
static enum s3_code
conditionals(struct s3_req *r, const struct ol_version *v)
{
	const char *im = s3_hdr(r, "If-Match"), *inm = s3_hdr(r, "If-None-Match");
	const char *ius = s3_hdr(r, "If-Unmodified-Since"), *ims = s3_hdr(r, "If-Modified-Since");
	const char *etag = v->etag ? v->etag : "";
	int64_t mod_s = v->created_ns / 1000000000, t;

	if (im && !etag_list_matches(im, etag))
		return S3E_PreconditionFailed;
	if (!im && ius && s3_httpdate_parse(ius, strlen(ius), &t) == 0 && mod_s > t / 1000000000)
		return S3E_PreconditionFailed;
	if (inm && etag_list_matches(inm, etag))
		return S3E_NotModified;
	if (!inm && ims && s3_httpdate_parse(ims, strlen(ims), &t) == 0 && mod_s <= t / 1000000000)
		return S3E_NotModified;
	return S3E_NONE;
}

static long
reader_fn(void *ctx, uint64_t pos, char *buf, size_t cap)
{
	struct ol_reader *rd = ctx;
	struct ol_err err;
	size_t got = 0;

	(void)pos; /* MHD reads in order */
	if (ol_reader_read(rd, buf, cap, &got, &err) != OL_OK || got == 0) {
		gw_log(GW_LOG_ERROR, "store", "read failed mid-response: %s", err.msg);
		return -1;
	}
	return (long)got;
}

static void
reader_free(void *ctx)
{
	ol_reader_close(ctx);
}

static long
never_fn(void *ctx, uint64_t pos, char *buf, size_t cap)
{
	(void)ctx;
	(void)pos;
	(void)buf;
	(void)cap;
	return -1; /* HEAD: MHD never asks for the body */
}

/* Headers shared by 200/206/304 and the delete-marker answers. */
static void
version_headers(struct hset *hs, const struct ol_bucket *b, const struct ol_version *v)
{
	char date[S3_HTTPDATE_LEN + 1];

	s3_httpdate_format(v->created_ns, date);
	hset_adds(hs, "Last-Modified", date);
	if (b->versioning != OL_VERSIONING_UNVERSIONED)
		hset_adds(hs, "x-amz-version-id", v->version_id);
}

static const char *const override_params[] = {
	"response-content-type", "response-cache-control", "response-content-disposition",
	"response-content-encoding", "response-content-language", "response-expires",
};

/*
 * A response-* value becomes a response header verbatim: a control byte in it (CR, LF, NUL
 * from a %-escape) would split the response, or make the HTTP layer drop the header
 * silently, so it is refused. Answers and returns false.
 */
static bool
overrides_valid(struct s3_req *r)
{
	for (size_t i = 0; i < sizeof(override_params) / sizeof(override_params[0]); i++) {
		const struct slice *o = s3_query_get(&r->route, override_params[i]);
		for (size_t j = 0; o && j < o->n; j++) {
			unsigned char c = (unsigned char)o->p[j];
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				struct s3_error_extra ex[] = { { "ArgumentName", override_params[i] } };
				s3_reply_error_x(r, S3E_InvalidArgument, "A response header override "
				                 "contains a control character.", ex, 1);
				return false;
			}
		}
	}
	return true;
}

static void
add_override(struct s3_req *r, struct hset *hs, const char *param, const char *name,
             const char *stored)
{
	const struct slice *o = s3_query_get(&r->route, param);

	if (o)
		hset_add(hs, name, o->p, o->n);
	else if (stored)
		hset_adds(hs, name, stored);
}

void
s3_op_get_object(struct s3_req *r)
{
	bool head = r->route.op == S3OP_HeadObject;
	char vid[OL_VERSION_ID_LEN + 1], qetag[256], cr[S3_CONTENT_RANGE_MAX], num[32];
	char b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN) + 8]; /* + "-N" */
	struct ol_bucket b;
	struct ol_version v;
	struct ol_reader *rd = NULL;
	struct ol_err err;
	struct hset *hs = NULL;
	struct s3_range rg = { 0, 0 };
	const struct slice *pn = s3_query_get(&r->route, "partNumber");
	uint32_t part_no = 0, nparts;
	bool multipart;
	struct slice range = { NULL, 0 };
	bool has_range = s3_hdr_slice(r, "Range", &range), partial = false;
	enum s3_code code;
	int rc, status = 200;

	ol_version_init(&v);
	if (!s3_bucket_load(r, &b) || !s3_version_param(r, vid) || !overrides_valid(r))
		goto out;
	if (pn) {
		bool ok = pn->n > 0 && pn->n <= 5;
		for (size_t i = 0; ok && i < pn->n; i++) {
			ok = isdigit((unsigned char)pn->p[i]);
			part_no = part_no * 10 + (uint32_t)(pn->p[i] - '0');
		}
		if (!ok || part_no < 1 || part_no > 10000) {
			s3_reply_error(r, S3E_InvalidArgument,
			               "Part number must be an integer between 1 and 10000, inclusive");
			goto out;
		}
		if (has_range) {
			s3_reply_error(r, S3E_InvalidRequest,
			               "Cannot specify both Range header and partNumber query parameter");
			goto out;
		}
	}
	hs = calloc(1, sizeof(*hs));
	if (!hs) {
		s3_reply_error(r, S3E_InternalError, "out of memory");
		goto out;
	}
	rc = ol_version_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                    vid[0] ? vid : NULL, &v, &err);
	if (rc == OL_ENOTFOUND && !vid[0]) {
		/* no current version and no marker: AWS says so (s3-tests delete_marker) */
		struct s3_error_extra ex = { "Key", r->route.key };
		hset_adds(hs, "x-amz-delete-marker", "false");
		reply_error_hset(r, S3E_NoSuchKey, &ex, 1, hs);
		goto out;
	}
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_key(r, vid);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	if (v.is_delete_marker) {
		hset_adds(hs, "x-amz-delete-marker", "true");
		version_headers(hs, &b, &v);
		if (vid[0]) {
			hset_adds(hs, "Allow", "DELETE");
			code = S3E_MethodNotAllowed;
		} else {
			code = S3E_NoSuchKey;
		}
		/* error documents carry these headers too: build them by hand; a 405 names the
		 * method and the resource type as AWS does (spec §10.1) */
		struct s3_error_extra ex[2] = { { "Key", r->route.key } };
		size_t nex = 1;
		if (code == S3E_MethodNotAllowed) {
			ex[0] = (struct s3_error_extra){ "Method", r->http->method };
			ex[1] = (struct s3_error_extra){ "ResourceType", "DeleteMarker" };
			nex = 2;
		}
		reply_error_hset(r, code, ex, nex, hs);
		goto out;
	}
	/* parts are only S3's when the ETag says so: a copy of a multipart object keeps the
	 * store's part layout but is a single-part object to the client */
	multipart = v.etag && strchr(v.etag, '-');
	nparts = multipart ? ol_version_parts_count(&v) : 1;
	code = conditionals(r, &v);
	if (code == S3E_NotModified) {
		snprintf(qetag, sizeof(qetag), "\"%s\"", v.etag ? v.etag : "");
		hset_adds(hs, "ETag", qetag);
		version_headers(hs, &b, &v);
		s3_reply_empty(r, 304, hs->h, hs->n);
		goto out;
	}
	if (code != S3E_NONE) {
		s3_reply_error(r, code, NULL);
		goto out;
	}
	if (has_range) {
		switch (s3_range_parse(range.p, range.n, v.size_bytes, &rg)) {
		case S3_RANGE_PARTIAL:
			partial = true;
			break;
		case S3_RANGE_UNSATISFIABLE:
			s3_content_range(cr, sizeof(cr), NULL, v.size_bytes);
			hset_adds(hs, "Content-Range", cr);
			reply_error_hset(r, S3E_InvalidRange, NULL, 0, hs);
			goto out;
		default:
			break;
		}
	} else if (pn) {
		uint64_t off = 0, len = v.size_bytes;
		if (!multipart && part_no != 1) {
			/* a single-part object has only part 1 (s3-tests, AWS) */
			s3_reply_error(r, S3E_InvalidPart, NULL);
			goto out;
		}
		/* a part the object does not have: 400 InvalidPart (s3-tests
		 * test_multipart_get_part; the spec's 416 InvalidPartNumber is not what AWS
		 * answers there) */
		if (multipart && ol_version_part_range(&v, part_no, &off, &len) != OL_OK) {
			s3_reply_error(r, S3E_InvalidPart, NULL);
			goto out;
		}
		/* a 0-byte object's part 1 is a plain 200 (spec §5.2) */
		if (len > 0) {
			rg = (struct s3_range){ off, len };
			partial = true;
		}
		if (multipart) {
			snprintf(num, sizeof(num), "%u", (unsigned)nparts);
			hset_adds(hs, "x-amz-mp-parts-count", num);
		}
	}
	if (!partial)
		rg = (struct s3_range){ 0, v.size_bytes };
	else {
		status = 206;
		s3_content_range(cr, sizeof(cr), &rg, v.size_bytes);
		hset_adds(hs, "Content-Range", cr);
	}

	add_override(r, hs, override_params[0], "Content-Type", v.content_type);
	snprintf(qetag, sizeof(qetag), "\"%s\"", v.etag ? v.etag : "");
	hset_adds(hs, "ETag", qetag);
	version_headers(hs, &b, &v);
	hset_adds(hs, "Accept-Ranges", "bytes");
	/* override_params[1..5] pair with stored_headers[0..4] */
	for (size_t i = 0; i < 5; i++) {
		const char *stored = NULL;
		for (size_t j = 0; j < v.n_hdrs; j++)
			if (strcasecmp(v.hdrs[j].name, stored_headers[i]) == 0)
				stored = v.hdrs[j].value;
		add_override(r, hs, override_params[i + 1], stored_headers[i], stored);
	}
	for (size_t j = 0; j < v.n_hdrs; j++)
		if (strncmp(v.hdrs[j].name, "x-amz-meta-", 11) == 0)
			hset_adds(hs, v.hdrs[j].name, v.hdrs[j].value);
	{
		/* Object Lock state (§8.8); every caller holds the Get* permissions for now */
		struct gw_header lh[3];
		char ldate[32];
		int nl = s3_lock_response_headers(&v, lh, 3, ldate);
		for (int i = 0; i < nl; i++)
			hset_adds(hs, lh[i].name, lh[i].value);
	}
	{
		const char *mode = s3_hdr(r, "x-amz-checksum-mode");
		enum cr_cksum_alg a = s3_cr_alg(v.cksum_alg);
		const struct ol_loc_part *lp = pn && multipart ? ol_version_part(&v, part_no) : NULL;
		/* a checksum must describe exactly the bytes sent (§3.5): the object's on a
		 * full-object read; on ?partNumber=N of a multipart object the part's own value
		 * (no "-N"; x-amz-checksum-type still the object's), as AWS and s3-tests'
		 * multipart_checksum_3parts_helper expect for COMPOSITE and FULL_OBJECT alike;
		 * the object's value when a lone part without its own is the whole object */
		bool part_value = lp && lp->cksum_len;
		bool whole = (!partial && !pn) ||
		             (lp && !lp->cksum_len && nparts == 1 &&
		              v.cksum_type == OL_CKSUM_FULL_OBJECT);
		if (mode && strcasecmp(mode, "ENABLED") == 0 && a != CR_CKSUM_NONE &&
		    (part_value || whole)) {
			if (part_value)
				cr_base64_encode(lp->cksum, lp->cksum_len, b64, sizeof(b64));
			else
				cr_base64_encode(v.cksum, v.cksum_len, b64, sizeof(b64));
			/* a composite value names its part count (spec §3.6); botocore skips those */
			if (v.cksum_type == OL_CKSUM_COMPOSITE && !part_value) {
				snprintf(num, sizeof(num), "-%u", (unsigned)nparts);
				strcat(b64, num);
			}
			hset_adds(hs, s3_cksum_header(a), b64);
			hset_adds(hs, "x-amz-checksum-type",
			          v.cksum_type == OL_CKSUM_COMPOSITE ? "COMPOSITE" : "FULL_OBJECT");
		}
	}
	if (hs->full) {
		s3_reply_error(r, S3E_InvalidArgument,
		               "The response-* overrides do not fit in a response header section.");
		goto out;
	}

	if (head) {
		gw_respond_stream(r->http, status, hs->h, hs->n, rg.length, never_fn, NULL, NULL);
		goto out;
	}
	if (rg.length == 0) {
		gw_respond(r->http, status, hs->h, hs->n, "", 0);
		goto out;
	}
	rc = ol_reader_open(r->app->st, &v, rg.start, rg.length, &rd, &err);
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_key(r, vid);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	{
		int fd;
		uint64_t off;
		if (ol_reader_sendfile_fd(rd, &fd, &off) == OL_OK && (fd = dup(fd)) >= 0) {
			ol_reader_close(rd);
			gw_respond_fd(r->http, status, hs->h, hs->n, fd, off, rg.length);
		} else {
			gw_respond_stream(r->http, status, hs->h, hs->n, rg.length, reader_fn, rd,
			                  reader_free);
		}
	}
out:
	free(hs);
	ol_version_release(&v);
}

/* ---- DeleteObject / DeleteObjects ---- */

struct del_result {
	enum s3_code code;           /* S3E_NONE = deleted (or nothing to delete) */
	const char *msg;
	char version_id[OL_VERSION_ID_LEN + 1];        /* the version addressed, "" if none */
	bool delete_marker;
	char marker_id[OL_VERSION_ID_LEN + 1];         /* created or removed marker */
};

/* Conditional delete (If-Match / x-amz-if-match-last-modified-time / x-amz-if-match-size,
 * or an entry's ETag / LastModifiedTime / Size): all given ones must hold for the version
 * addressed. A missing object is not an error: there is nothing to delete. */
struct del_cond {
	struct slice etag;       /* .p NULL = none; '*' matches any existing version */
	bool has_mtime, has_size;
	int64_t mtime_s;
	uint64_t size;
};

static bool
parse_u64(struct slice s, uint64_t *out)
{
	uint64_t n = 0;

	if (s.n == 0 || s.n > 19)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		if (!isdigit((unsigned char)s.p[i]))
			return false;
		n = n * 10 + (uint64_t)(s.p[i] - '0');
	}
	*out = n;
	return true;
}

/* S3E_NONE when the delete may go ahead, else S3E_PreconditionFailed. */
static enum s3_code
delete_conditions(struct s3_req *r, const char *bucket, const char *key, size_t keylen,
                  const char *vid, const struct del_cond *c)
{
	struct ol_version v;
	struct ol_err err;
	enum s3_code code = S3E_NONE;
	int rc;

	if (!c || (!c->etag.p && !c->has_mtime && !c->has_size))
		return S3E_NONE;
	ol_version_init(&v);
	rc = ol_version_get(r->app->st, bucket, key, keylen, vid[0] ? vid : NULL, &v, &err);
	if (rc == OL_OK && !v.is_delete_marker) {
		if (c->etag.p && !(c->etag.n == 1 && c->etag.p[0] == '*')) {
			char want[OL_PART_ETAG_MAX + 3];
			snprintf(want, sizeof(want), "%.*s", (int)c->etag.n, c->etag.p);
			if (!etag_list_matches(want, v.etag ? v.etag : ""))
				code = S3E_PreconditionFailed;
		}
		if (c->has_mtime && v.created_ns / 1000000000 != c->mtime_s)
			code = S3E_PreconditionFailed;
		if (c->has_size && v.size_bytes != c->size)
			code = S3E_PreconditionFailed;
	}
	ol_version_release(&v);
	return code;
}

/* One deletion with S3's semantics (spec §5.3). @vid "" = no versionId. */
static int
delete_one(struct s3_req *r, const struct ol_bucket *b, const char *key, size_t keylen,
           const char *vid, const struct del_cond *cond, struct del_result *out,
           struct ol_err *err)
{
	struct ol_version v;
	int rc;

	memset(out, 0, sizeof(*out));
	ol_version_init(&v);
	snprintf(out->version_id, sizeof(out->version_id), "%s", vid);
	out->code = delete_conditions(r, b->name, key, keylen, vid, cond);
	if (out->code != S3E_NONE)
		return OL_OK;
	if (vid[0] || b->versioning == OL_VERSIONING_UNVERSIONED) {
		/* a permanent removal: judged by the store's one enforcement point under the key's
		 * lock, with the caller's governance bypass (§8.2, §8.7) */
		struct ol_caller who;
		enum ol_verdict vd = OL_ALLOW;

		s3_caller(r, &who);
		rc = ol_version_remove_checked(r->app->st, b->name, key, keylen,
		                               vid[0] ? vid : "null", &who, OL_NOW, &vd, &v, err);
		if (rc == OL_ELOCKED)
			gw_log(GW_LOG_INFO, "object_lock_refused", "delete %s by %s: %s", b->name,
			       r->user, err->msg);
		if (rc == OL_ENOTFOUND)
			return OL_OK; /* idempotent */
		if (rc == OL_OK && v.is_delete_marker) {
			out->delete_marker = true;
			snprintf(out->marker_id, sizeof(out->marker_id), "%s", v.version_id);
		}
		ol_version_release(&v);
		return rc;
	}
	rc = ol_delete_marker_put(r->app->st, b->name, key, keylen, &v, err);
	if (rc == OL_OK) {
		out->delete_marker = true;
		snprintf(out->marker_id, sizeof(out->marker_id), "%s", v.version_id);
	}
	ol_version_release(&v);
	return rc;
}

void
s3_op_delete_object(struct s3_req *r)
{
	char vid[OL_VERSION_ID_LEN + 1];
	struct ol_bucket b;
	struct del_result res;
	struct ol_err err;
	struct gw_header h[2];
	size_t n = 0;
	int rc;

	struct del_cond cond;
	const char *im = s3_hdr(r, "If-Match");
	const char *mt = s3_hdr(r, "x-amz-if-match-last-modified-time");
	const char *sz = s3_hdr(r, "x-amz-if-match-size");
	int64_t t;

	if (!s3_bucket_load(r, &b) || !s3_version_param(r, vid))
		return;
	memset(&cond, 0, sizeof(cond));
	if (im)
		cond.etag = slice_from_cstr(im);
	if (mt) {
		if (s3_httpdate_parse(mt, strlen(mt), &t) != 0 &&
		    s3_rfc3339_parse(mt, strlen(mt), &t) != 0) {
			s3_reply_error(r, S3E_InvalidArgument, "Invalid x-amz-if-match-last-modified-time");
			return;
		}
		cond.has_mtime = true;
		cond.mtime_s = t / 1000000000;
	}
	if (sz) {
		if (!parse_u64(slice_from_cstr(sz), &cond.size)) {
			s3_reply_error(r, S3E_InvalidArgument, "Invalid x-amz-if-match-size");
			return;
		}
		cond.has_size = true;
	}
	rc = delete_one(r, &b, r->route.key, r->route.key_len, vid, &cond, &res, &err);
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		return;
	}
	if (res.code != S3E_NONE) {
		s3_reply_error(r, res.code, NULL);
		return;
	}
	if (res.delete_marker)
		h[n++] = (struct gw_header){ "x-amz-delete-marker", "true" };
	if (vid[0])
		h[n++] = (struct gw_header){ "x-amz-version-id", vid };
	else if (res.delete_marker)
		h[n++] = (struct gw_header){ "x-amz-version-id", res.marker_id };
	s3_reply_empty(r, 204, h, n);
}

static void
delete_objects_finish(struct s3_req *r)
{
	struct s3_delete_req dr;
	struct s3_xml_err xe;
	struct ol_bucket b;
	struct buf doc;
	struct del_result res;
	struct ol_err err;
	enum s3_code code;
	char vid[OL_VERSION_ID_LEN + 1];

	if (!s3_bucket_load(r, &b))
		return;
	memset(&xe, 0, sizeof(xe));
	code = s3_xml_parse_delete(r->xml.ptr, r->xml.len, S3_XML_DELETE_MAX_BYTES, &dr, &xe);
	if (code != S3E_NONE) {
		s3_reply_error(r, code, xe.message);
		return;
	}
	buf_init(&doc, 16u << 20);
	buf_puts(&doc, "<DeleteResult xmlns=\"" S3_XMLNS "\">");
	for (size_t i = 0; i < dr.n; i++) {
		const struct s3_delete_obj *o = &dr.objects[i];
		const char *ecode = NULL, *emsg = NULL;
		vid[0] = '\0';
		if (o->has_version_id) {
			if (!ol_version_id_valid(o->version_id.p, o->version_id.n)) {
				ecode = "InvalidArgument";
				emsg = "Invalid version id specified";
			} else {
				memcpy(vid, o->version_id.p, o->version_id.n);
				vid[o->version_id.n] = '\0';
			}
		}
		if (!ecode && (o->key.n == 0 || o->key.n > S3_KEY_MAX)) {
			ecode = o->key.n ? "KeyTooLongError" : "InvalidArgument";
			emsg = o->key.n ? "Your key is too long" : "Invalid key";
		}
		struct del_cond cond;
		int64_t t;
		memset(&cond, 0, sizeof(cond));
		if (o->has_etag)
			cond.etag = o->etag;
		if (!ecode && o->has_mtime) {
			if (s3_rfc3339_parse(o->mtime.p, o->mtime.n, &t) != 0) {
				ecode = "InvalidArgument";
				emsg = "Invalid LastModifiedTime";
			} else {
				cond.has_mtime = true;
				cond.mtime_s = t / 1000000000;
			}
		}
		if (!ecode && o->has_size && !(cond.has_size = parse_u64(o->size, &cond.size))) {
			ecode = "InvalidArgument";
			emsg = "Invalid Size";
		}
		if (!ecode) {
			int rc = delete_one(r, &b, o->key.p, o->key.n, vid, &cond, &res, &err);
			if (rc == OL_OK && res.code != S3E_NONE) {
				ecode = s3_error_def(res.code)->code;
				emsg = s3_error_def(res.code)->message;
			} else if (rc == OL_ELOCKED) {
				ecode = "AccessDenied";
				emsg = "Access Denied because object protected by object lock.";
			} else if (rc != OL_OK) {
				gw_log(GW_LOG_ERROR, "store", "delete: %s", err.msg);
				ecode = "InternalError";
				emsg = "We encountered an internal error. Please try again.";
			}
		}
		if (ecode) {
			buf_puts(&doc, "<Error>");
			xml_elem(&doc, "Key", o->key.p, o->key.n);
			if (o->has_version_id)
				xml_elem(&doc, "VersionId", o->version_id.p, o->version_id.n);
			xml_elem_str(&doc, "Code", ecode);
			xml_elem_str(&doc, "Message", emsg);
			buf_puts(&doc, "</Error>");
			continue;
		}
		if (dr.quiet)
			continue;
		buf_puts(&doc, "<Deleted>");
		xml_elem(&doc, "Key", o->key.p, o->key.n);
		if (vid[0])
			xml_elem_str(&doc, "VersionId", vid);
		if (res.delete_marker) {
			buf_puts(&doc, "<DeleteMarker>true</DeleteMarker>");
			xml_elem_str(&doc, "DeleteMarkerVersionId", res.marker_id);
		}
		buf_puts(&doc, "</Deleted>");
	}
	buf_puts(&doc, "</DeleteResult>");
	s3_reply_xml(r, 200, &doc);
	buf_release(&doc);
	s3_delete_req_release(&dr);
}

void
s3_op_delete_objects(struct s3_req *r)
{
	/* lock-critical body: an integrity header is required (spec §3.4) */
	if (!s3_has_integrity(r)) {
		s3_reply_error(r, S3E_InvalidRequest, "Missing required header for this request: "
		               "Content-MD5 OR x-amz-checksum-*");
		return;
	}
	s3_body_begin(r, S3_BODY_XML, delete_objects_finish);
}

void
s3_op_get_object_tagging(struct s3_req *r)
{
	char vid[OL_VERSION_ID_LEN + 1];
	struct ol_bucket b;
	struct ol_version v;
	struct ol_err err;
	struct buf doc;
	struct gw_header h[1];
	size_t n = 0;

	int rc;

	if (!s3_bucket_load(r, &b) || !s3_version_param(r, vid))
		return;
	ol_version_init(&v);
	rc = ol_version_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                    vid[0] ? vid : NULL, &v, &err);
	if (rc == OL_OK && v.is_delete_marker && !vid[0])
		rc = OL_ENOTFOUND;
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_key(r, vid);
	} else if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
	} else {
		if (b.versioning != OL_VERSIONING_UNVERSIONED)
			h[n++] = (struct gw_header){ "x-amz-version-id", v.version_id };
		buf_init(&doc, 1024);
		buf_puts(&doc, "<Tagging xmlns=\"" S3_XMLNS "\"><TagSet></TagSet></Tagging>");
		s3_reply_xml_h(r, 200, &doc, h, n);
		buf_release(&doc);
	}
	ol_version_release(&v);
}
