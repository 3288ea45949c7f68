/* SPDX-License-Identifier: Apache-2.0 */
/* Request routing: addressing, decoding and the dispatch tables of spec/S3.md §1. */
#include "router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- operation names ----------------------------------------------------------------- */

static const char *const op_names[S3OP_COUNT_] = {
	[S3OP_NONE] = "None",
#define S3_OP_NAME_(id, name) [S3OP_##id] = name,
	S3_OPS(S3_OP_NAME_)
#undef S3_OP_NAME_
};

const char *
s3_op_name(enum s3_op op)
{
	if ((int)op < 0 || op >= S3OP_COUNT_)
		return "Unknown";
	return op_names[op];
}

enum s3_code
s3_op_refusal(enum s3_op op)
{
	switch (op) {
	case S3OP_NotImplemented:
		return S3E_NotImplemented;
	case S3OP_MethodNotAllowed:
		return S3E_MethodNotAllowed;
	case S3OP_InvalidRequest:
		return S3E_InvalidRequest;
	case S3OP_InvalidArgument:
		return S3E_InvalidArgument;
	default:
		return S3E_NONE;
	}
}

const char *
s3_resource_name(enum s3_resource res)
{
	switch (res) {
	case S3_RES_SERVICE:
		return "SERVICE";
	case S3_RES_BUCKET:
		return "BUCKET";
	case S3_RES_OBJECT:
		return "OBJECT";
	case S3_RES_UPLOAD:
		return "UPLOAD";
	}
	return "SERVICE";
}

/* ---- subresources ------------------------------------------------------------------- */

/*
 * Every query name S3 treats as a subresource. Listing the ones we do not serve is what
 * keeps "GET /bucket?logging" from falling through to ListObjects (kopia#913, spec §14
 * #13) and "DELETE /bucket/key?retention" from deleting anything: a known subresource
 * with no rule for the method is 501. Names not listed here are ordinary parameters
 * (prefix, versionId, response-*, x-id, X-Amz-*, ...) and never affect dispatch.
 */
enum sub {
	SUB_accelerate,
	SUB_acl,
	SUB_analytics,
	SUB_attributes,
	SUB_cors,
	SUB_delete,
	SUB_encryption,
	SUB_intelligent_tiering,
	SUB_inventory,
	SUB_legal_hold,
	SUB_lifecycle,
	SUB_location,
	SUB_logging,
	SUB_metrics,
	SUB_notification,
	SUB_object_lock,
	SUB_ownershipControls,
	SUB_policy,
	SUB_policyStatus,
	SUB_publicAccessBlock,
	SUB_replication,
	SUB_requestPayment,
	SUB_restore,
	SUB_retention,
	SUB_select,
	SUB_tagging,
	SUB_torrent,
	SUB_uploadId,
	SUB_uploads,
	SUB_versioning,
	SUB_versions,
	SUB_website,
	SUB_metadataTable,
	SUB_metadataConfiguration,
	SUB_metadataInventoryTable,
	SUB_metadataJournalTable,
	SUB_session,
	SUB_renameObject,
	SUB_abac,
	SUB_KNOWN_COUNT_,
	/* parameters with a routing role that are not subresources */
	SUB_partNumber = SUB_KNOWN_COUNT_,
	SUB_list_type,
	SUB_COUNT_
};

static const char *const sub_names[SUB_COUNT_] = {
	[SUB_accelerate] = "accelerate",
	[SUB_acl] = "acl",
	[SUB_analytics] = "analytics",
	[SUB_attributes] = "attributes",
	[SUB_cors] = "cors",
	[SUB_delete] = "delete",
	[SUB_encryption] = "encryption",
	[SUB_intelligent_tiering] = "intelligent-tiering",
	[SUB_inventory] = "inventory",
	[SUB_legal_hold] = "legal-hold",
	[SUB_lifecycle] = "lifecycle",
	[SUB_location] = "location",
	[SUB_logging] = "logging",
	[SUB_metrics] = "metrics",
	[SUB_notification] = "notification",
	[SUB_object_lock] = "object-lock",
	[SUB_ownershipControls] = "ownershipControls",
	[SUB_policy] = "policy",
	[SUB_policyStatus] = "policyStatus",
	[SUB_publicAccessBlock] = "publicAccessBlock",
	[SUB_replication] = "replication",
	[SUB_requestPayment] = "requestPayment",
	[SUB_restore] = "restore",
	[SUB_retention] = "retention",
	[SUB_select] = "select",
	[SUB_tagging] = "tagging",
	[SUB_torrent] = "torrent",
	[SUB_uploadId] = "uploadId",
	[SUB_uploads] = "uploads",
	[SUB_versioning] = "versioning",
	[SUB_versions] = "versions",
	[SUB_website] = "website",
	[SUB_metadataTable] = "metadataTable",
	[SUB_metadataConfiguration] = "metadataConfiguration",
	[SUB_metadataInventoryTable] = "metadataInventoryTable",
	[SUB_metadataJournalTable] = "metadataJournalTable",
	[SUB_session] = "session",
	[SUB_renameObject] = "renameObject",
	[SUB_abac] = "abac",
	[SUB_partNumber] = "partNumber",
	[SUB_list_type] = "list-type",
};

#define BIT(s) ((uint64_t)1 << (s))
#define KNOWN_MASK (BIT(SUB_KNOWN_COUNT_) - 1)

static uint64_t
sub_mask(const struct s3_route *r)
{
	uint64_t m = 0;

	for (size_t i = 0; i < r->nquery; i++) {
		const struct slice *nm = &r->query[i].name;
		for (int s = 0; s < SUB_COUNT_; s++)
			if (slice_eq_cstr(*nm, sub_names[s])) {
				m |= BIT(s);
				break;
			}
	}
	return m;
}

/* ---- dispatch tables (spec §1.2), in precedence order --------------------------------- */

struct rule {
	enum sub sub;
	enum s3_op op;
};

static const struct rule bucket_get[] = {
	{ SUB_versions, S3OP_ListObjectVersions },
	{ SUB_uploads, S3OP_ListMultipartUploads },
	{ SUB_location, S3OP_GetBucketLocation },
	{ SUB_versioning, S3OP_GetBucketVersioning },
	{ SUB_object_lock, S3OP_GetObjectLockConfiguration },
	{ SUB_tagging, S3OP_GetBucketTagging },
	{ SUB_policy, S3OP_GetBucketPolicy },
	{ SUB_acl, S3OP_GetBucketAcl },
	{ SUB_policyStatus, S3OP_GetBucketPolicyStatus },
	{ SUB_lifecycle, S3OP_GetBucketLifecycle },
	{ SUB_cors, S3OP_GetBucketCors },
	{ SUB_encryption, S3OP_GetBucketEncryption },
	{ SUB_website, S3OP_GetBucketWebsite },
	{ SUB_replication, S3OP_GetBucketReplication },
	{ SUB_requestPayment, S3OP_GetBucketRequestPayment },
};

static const struct rule bucket_put[] = {
	{ SUB_versioning, S3OP_PutBucketVersioning },
	{ SUB_object_lock, S3OP_PutObjectLockConfiguration },
	{ SUB_tagging, S3OP_PutBucketTagging },
	{ SUB_policy, S3OP_PutBucketPolicy },
	{ SUB_acl, S3OP_PutBucketAcl },
};

static const struct rule bucket_delete[] = {
	{ SUB_tagging, S3OP_DeleteBucketTagging },
	{ SUB_policy, S3OP_DeleteBucketPolicy },
	{ SUB_lifecycle, S3OP_DeleteBucketLifecycle },
	{ SUB_cors, S3OP_DeleteBucketCors },
	{ SUB_encryption, S3OP_DeleteBucketEncryption },
	{ SUB_website, S3OP_DeleteBucketWebsite },
	{ SUB_replication, S3OP_DeleteBucketReplication },
};

static const struct rule bucket_post[] = {
	{ SUB_delete, S3OP_DeleteObjects },
};

static const struct rule object_get[] = {
	{ SUB_uploadId, S3OP_ListParts },
	{ SUB_retention, S3OP_GetObjectRetention },
	{ SUB_legal_hold, S3OP_GetObjectLegalHold },
	{ SUB_tagging, S3OP_GetObjectTagging },
	{ SUB_acl, S3OP_GetObjectAcl },
	{ SUB_attributes, S3OP_GetObjectAttributes },
};

static const struct rule object_put[] = {
	{ SUB_retention, S3OP_PutObjectRetention },
	{ SUB_legal_hold, S3OP_PutObjectLegalHold },
	{ SUB_tagging, S3OP_PutObjectTagging },
	{ SUB_acl, S3OP_PutObjectAcl },
};

static const struct rule object_delete[] = {
	{ SUB_uploadId, S3OP_AbortMultipartUpload },
	{ SUB_tagging, S3OP_DeleteObjectTagging },
};

static const struct rule object_post[] = {
	{ SUB_uploadId, S3OP_CompleteMultipartUpload },
	{ SUB_uploads, S3OP_CreateMultipartUpload },
	{ SUB_restore, S3OP_RestoreObject },
	{ SUB_select, S3OP_SelectObjectContent },
};

#define NRULES(a) (sizeof(a) / sizeof((a)[0]))

/* The first rule whose subresource is present; else S3OP_NotImplemented if any other
 * known subresource is present; else @fallback. */
static enum s3_op
pick(const struct rule *rules, size_t n, uint64_t mask, enum s3_op fallback)
{
	for (size_t i = 0; i < n; i++)
		if (mask & BIT(rules[i].sub))
			return rules[i].op;
	if (mask & KNOWN_MASK)
		return S3OP_NotImplemented;
	return fallback;
}

enum method { M_GET, M_HEAD, M_PUT, M_POST, M_DELETE, M_OTHER };

static enum method
parse_method(const char *m)
{
	/* HTTP methods are case-sensitive (RFC 9110 §9.1): "get" is an unknown method */
	if (!m)
		return M_OTHER;
	if (strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(m, "PUT") == 0)
		return M_PUT;
	if (strcmp(m, "POST") == 0)
		return M_POST;
	if (strcmp(m, "DELETE") == 0)
		return M_DELETE;
	return M_OTHER;
}

static void
refuse(struct s3_route *r, enum s3_op op, const char *msg, const char *arg)
{
	r->op = op;
	r->refusal_msg = msg;
	r->refusal_arg = arg;
}

static void
dispatch(struct s3_route *r, enum method m, unsigned flags)
{
	uint64_t mask = sub_mask(r);
	const struct slice *lt;

	r->op = S3OP_NONE;
	if (m == M_OTHER) {
		/* rule 4: unknown method, before anything else */
		refuse(r, S3OP_MethodNotAllowed, NULL, NULL);
		return;
	}

	switch (r->res) {
	case S3_RES_SERVICE:
		/* the service answers GET only; its query never matters */
		if (m == M_GET)
			r->op = S3OP_ListBuckets;
		else
			refuse(r, S3OP_MethodNotAllowed, NULL, NULL);
		break;

	case S3_RES_BUCKET:
		switch (m) {
		case M_HEAD:
			r->op = S3OP_HeadBucket;
			break;
		case M_GET:
			r->op = pick(bucket_get, NRULES(bucket_get), mask, S3OP_ListObjects);
			if (r->op == S3OP_ListObjects && (lt = s3_query_get(r, "list-type")) &&
			    slice_eq_cstr(*lt, "2"))
				r->op = S3OP_ListObjectsV2;
			break;
		case M_PUT:
			r->op = pick(bucket_put, NRULES(bucket_put), mask, S3OP_CreateBucket);
			break;
		case M_DELETE:
			r->op = pick(bucket_delete, NRULES(bucket_delete), mask, S3OP_DeleteBucket);
			break;
		case M_POST:
			r->op = pick(bucket_post, NRULES(bucket_post), mask,
			             (flags & S3_ROUTE_FORM_POST) ? S3OP_PostObject
			                                          : S3OP_MethodNotAllowed);
			break;
		default:
			break;
		}
		break;

	case S3_RES_OBJECT:
	case S3_RES_UPLOAD:
		/* rule 1: these two name nothing on a key, whatever else is present [VGW, AWS
		 * wording] */
		if (mask & BIT(SUB_versions)) {
			refuse(r, S3OP_InvalidRequest,
			       "There is no such thing as the ?versions sub-resource for a key", NULL);
			return;
		}
		if (m == M_GET && (mask & BIT(SUB_uploads))) {
			refuse(r, S3OP_InvalidRequest,
			       "Key is not expected for the GET method ?uploads subresource", NULL);
			return;
		}
		switch (m) {
		case M_HEAD:
			r->op = S3OP_HeadObject;
			break;
		case M_GET:
			/* GET torrent and other known subresources -> 501 */
			r->op = pick(object_get, NRULES(object_get), mask, S3OP_GetObject);
			break;
		case M_PUT:
			/* uploadId + partNumber is the most specific PUT (rule 1) */
			if ((mask & BIT(SUB_uploadId)) && (mask & BIT(SUB_partNumber))) {
				r->op = (flags & S3_ROUTE_COPY_SOURCE) ? S3OP_UploadPartCopy
				                                        : S3OP_UploadPart;
			} else if (mask & BIT(SUB_partNumber)) {
				/* AWS wording, verified by VGW RouterPutPartNumberWithoutUploadId */
				refuse(r, S3OP_InvalidArgument,
				       "This operation does not accept partNumber without uploadId",
				       "partNumber");
				return;
			} else if (mask & BIT(SUB_uploadId)) {
				/* AWS answers 405 with ResourceType UPLOAD (VGW
				 * RouterPUTObjectOnlyUploadId) */
				r->res = S3_RES_UPLOAD;
				refuse(r, S3OP_MethodNotAllowed, NULL, NULL);
				return;
			} else {
				r->op = pick(object_put, NRULES(object_put), mask,
				             (flags & S3_ROUTE_COPY_SOURCE) ? S3OP_CopyObject
				                                            : S3OP_PutObject);
			}
			break;
		case M_DELETE:
			r->op = pick(object_delete, NRULES(object_delete), mask, S3OP_DeleteObject);
			break;
		case M_POST:
			r->op = pick(object_post, NRULES(object_post), mask, S3OP_MethodNotAllowed);
			break;
		default:
			break;
		}
		break;
	}

	if (r->op == S3OP_MethodNotAllowed) {
		refuse(r, S3OP_MethodNotAllowed, NULL, NULL);
		return;
	}
	/* rule 2: a copy source is only meaningful for CopyObject and UploadPartCopy */
	if ((flags & S3_ROUTE_COPY_SOURCE) && r->op != S3OP_CopyObject &&
	    r->op != S3OP_UploadPartCopy) {
		refuse(r, S3OP_InvalidArgument,
		       "You can only specify a copy source header for copy requests.",
		       "x-amz-copy-source");
		return;
	}
	if (r->op == S3OP_NotImplemented)
		refuse(r, S3OP_NotImplemented, NULL, NULL);
}

/* ---- decoding ------------------------------------------------------------------------ */

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode (p, n) once. '+' becomes ' ' only when @plus_space (query, form
 * encoding); in a path it is a literal plus (RFC 3986; spec §1.1, bug #10 of §14).
 * Writes the first @cap decoded bytes to @dst and the full decoded length to @outlen, so
 * a caller can bound its buffer and still learn how long the input really was.
 * Returns false on a '%' not followed by two hex digits.
 */
bool
s3_pct_decode(const char *p, size_t n, bool plus_space, char *dst, size_t cap, size_t *outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '%') {
			int hi, lo;
			if (n - i < 3 || (hi = hexval((unsigned char)p[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)p[i + 2])) < 0)
				return false;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (o < cap)
			dst[o] = (char)c;
		o++;
	}
	*outlen = o;
	return true;
}

/* Streaming UTF-8 check, RFC 3629 table 4: no overlongs, no surrogates, <= U+10FFFF. */
struct u8check {
	unsigned need;
	unsigned char lo, hi;
	bool bad;
};

static void
u8_feed(struct u8check *u, unsigned char b)
{
	if (u->bad)
		return;
	if (u->need) {
		if (b < u->lo || b > u->hi) {
			u->bad = true;
			return;
		}
		u->need--;
		u->lo = 0x80;
		u->hi = 0xBF;
		return;
	}
	u->lo = 0x80;
	u->hi = 0xBF;
	if (b < 0x80)
		return;
	if (b >= 0xC2 && b <= 0xDF)
		u->need = 1;
	else if (b == 0xE0)
		u->need = 2, u->lo = 0xA0;
	else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
		u->need = 2;
	else if (b == 0xED)
		u->need = 2, u->hi = 0x9F;
	else if (b == 0xF0)
		u->need = 3, u->lo = 0x90;
	else if (b >= 0xF1 && b <= 0xF3)
		u->need = 3;
	else if (b == 0xF4)
		u->need = 3, u->hi = 0x8F;
	else
		u->bad = true;
}

/*
 * Decode the raw key into @dst (S3_KEY_MAX bytes). The whole raw key is always walked so
 * a bad escape or bad UTF-8 beyond the first 1024 bytes is still InvalidURI, and the
 * buffer never grows with the input.
 */
static enum s3_code
decode_key(const char *p, size_t n, char *dst, size_t *outlen)
{
	struct u8check u = { 0, 0x80, 0xBF, false };
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '%') {
			int hi, lo;
			if (n - i < 3 || (hi = hexval((unsigned char)p[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)p[i + 2])) < 0)
				return S3E_InvalidURI;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		u8_feed(&u, c);
		if (o < S3_KEY_MAX)
			dst[o] = (char)c;
		o++;
	}
	if (u.bad || u.need)
		return S3E_InvalidURI;
	if (o > S3_KEY_MAX)
		return S3E_KeyTooLongError;
	*outlen = o;
	return S3E_NONE;
}

/* ---- addressing ---------------------------------------------------------------------- */

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool
case_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/*
 * Virtual-host addressing (§1.1). Returns 1 and the lower-cased bucket when (h, hn) is
 * "<bucket>.<base>", 0 for path style, -1 when the bucket label is too long to route.
 */
static int
host_bucket(const char *h, size_t hn, const char *base, char *bucket, size_t *blen)
{
	size_t bn, i, bl;
	bool ipish = true;

	if (!h || !base || !*base)
		return 0;
	/* an IPv6 literal is never a virtual host */
	if (hn && h[0] == '[')
		return 0;
	for (i = 0; i < hn; i++)
		if (h[i] == ':')
			break;
	hn = i; /* port stripped */
	if (hn && h[hn - 1] == '.')
		hn--; /* absolute FQDN "b.s3.lan." */
	bn = strlen(base);
	if (bn && base[bn - 1] == '.')
		bn--;
	if (bn == 0)
		return 0;
	for (i = 0; i < hn; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
			ipish = false;
	if (ipish)
		return 0; /* IPv4 literal */
	if (hn < bn + 2 || h[hn - bn - 1] != '.' || !case_eq(h + hn - bn, base, bn))
		return 0; /* the base domain itself, or another host */
	bl = hn - bn - 1;
	if (bl > S3_BUCKET_SEGMENT_MAX)
		return -1;
	for (i = 0; i < bl; i++)
		bucket[i] = lower(h[i]);
	bucket[bl] = '\0';
	*blen = bl;
	return 1;
}

const struct slice *
s3_query_get(const struct s3_route *r, const char *name)
{
	for (size_t i = 0; i < r->nquery; i++)
		if (slice_eq_cstr(r->query[i].name, name))
			return &r->query[i].value;
	return NULL;
}

void
s3_route_release(struct s3_route *r)
{
	if (!r)
		return;
	free(r->mem_);
	memset(r, 0, sizeof(*r));
}

enum s3_code
s3_route(const char *method, const char *target, size_t target_len, const char *host,
         const char *base_domain, unsigned flags, struct s3_route *out)
{
	struct s3_route r;
	char kbuf[S3_KEY_MAX];
	const char *path, *query = NULL, *hp = host, *seg;
	size_t plen, qlen = 0, hlen = host ? strlen(host) : 0, klen = 0, nparams = 0;
	size_t i, seglen, memsz, off;
	const char *rawkey = NULL;
	size_t rawkey_len = 0;
	enum s3_code rc;
	int vh;

	memset(&r, 0, sizeof(r));
	if (!target || target_len == 0)
		return S3E_InvalidURI;
	/* a request-target has no spaces or control bytes (RFC 9112 §3.2); NUL included */
	for (i = 0; i < target_len; i++) {
		unsigned char c = (unsigned char)target[i];
		if (c <= 0x20 || c == 0x7f)
			return S3E_InvalidURI;
	}

	path = target;
	plen = target_len;
	/* absolute-form (RFC 9112 §3.2.2): the authority replaces Host */
	if ((plen >= 7 && case_eq(path, "http://", 7)) || (plen >= 8 && case_eq(path, "https://", 8))) {
		size_t skip = path[4] == ':' ? 7 : 8, a;
		const char *auth = path + skip;
		for (a = 0; skip + a < plen && auth[a] != '/' && auth[a] != '?'; a++)
			;
		hp = auth;
		hlen = a;
		for (size_t j = 0; j < a; j++)
			if (auth[j] == '@') { /* userinfo@host */
				hp = auth + j + 1;
				hlen = a - j - 1;
			}
		path += skip + a;
		plen -= skip + a;
	} else if (path[0] != '/') {
		return S3E_InvalidURI; /* "*", authority-form, garbage */
	}

	for (i = 0; i < plen; i++)
		if (path[i] == '?') {
			query = path + i + 1;
			qlen = plen - i - 1;
			plen = i;
			break;
		}

	/* addressing: vhost when the Host names a bucket under the base domain */
	vh = host_bucket(hp, hlen, base_domain, r.bucket, &r.bucket_len);
	if (vh < 0)
		return S3E_InvalidBucketName;
	if (vh > 0) {
		r.vhost = true;
		r.res = S3_RES_BUCKET;
		if (plen > 1) { /* path "" (absolute-form) or "/" = the bucket */
			rawkey = path + 1;
			rawkey_len = plen - 1;
		}
	} else if (plen <= 1) {
		r.res = S3_RES_SERVICE;
	} else {
		seg = path + 1;
		for (seglen = 0; seglen < plen - 1 && seg[seglen] != '/'; seglen++)
			;
		if (seglen == 0)
			return S3E_InvalidURI; /* "//key": no bucket */
		/* bucket names never need escapes, but decode them like the rest of the path so
		 * "/%62ucket" is the bucket it spells */
		if (!s3_pct_decode(seg, seglen, false, r.bucket, S3_BUCKET_SEGMENT_MAX, &r.bucket_len))
			return S3E_InvalidURI;
		if (r.bucket_len > S3_BUCKET_SEGMENT_MAX)
			return S3E_InvalidBucketName;
		r.bucket[r.bucket_len] = '\0';
		r.res = S3_RES_BUCKET;
		/* "/bucket" and "/bucket/" are both the bucket; anything after is the key */
		if (seglen + 1 < plen - 1) {
			rawkey = seg + seglen + 1;
			rawkey_len = plen - 1 - seglen - 1;
		}
	}
	if (rawkey) {
		if ((rc = decode_key(rawkey, rawkey_len, kbuf, &klen)) != S3E_NONE)
			return rc;
		r.res = S3_RES_OBJECT;
	}

	/* query: count first, so the one allocation is sized before decoding */
	if (qlen > S3_QUERY_MAX_BYTES)
		return S3E_InvalidArgument;
	for (i = 0; i < qlen;) {
		size_t e = i;
		while (e < qlen && query[e] != '&')
			e++;
		if (e > i)
			nparams++;
		i = e + 1;
	}
	if (nparams > S3_QUERY_MAX_PARAMS)
		return S3E_InvalidArgument;

	/* decoded text is never longer than the raw text; +2 NULs per parameter */
	memsz = klen + 1 + qlen + 2 * nparams + 1;
	r.mem_ = malloc(memsz);
	if (!r.mem_)
		return S3E_InternalError;
	memcpy(r.mem_, kbuf, klen);
	r.mem_[klen] = '\0';
	r.key = r.mem_;
	r.key_len = klen;
	off = klen + 1;

	for (i = 0; i < qlen;) {
		size_t e = i, eq, dn;
		struct s3_qparam *qp;
		while (e < qlen && query[e] != '&')
			e++;
		if (e == i) {
			i = e + 1;
			continue;
		}
		for (eq = i; eq < e && query[eq] != '='; eq++)
			;
		qp = &r.query[r.nquery++];
		if (!s3_pct_decode(query + i, eq - i, true, r.mem_ + off, eq - i, &dn))
			goto bad_uri;
		qp->name.p = r.mem_ + off;
		qp->name.n = dn;
		r.mem_[off + dn] = '\0';
		off += dn + 1;
		if (eq < e) {
			if (!s3_pct_decode(query + eq + 1, e - eq - 1, true, r.mem_ + off, e - eq - 1, &dn))
				goto bad_uri;
		} else {
			dn = 0; /* "?uploads" == "?uploads=" (§1.1) */
		}
		qp->value.p = r.mem_ + off;
		qp->value.n = dn;
		r.mem_[off + dn] = '\0';
		off += dn + 1;
		i = e + 1;
	}

	dispatch(&r, parse_method(method), flags);
	*out = r;
	return S3E_NONE;

bad_uri:
	free(r.mem_);
	return S3E_InvalidURI;
}

/* ---- bucket names -------------------------------------------------------------------- */

static bool
has_prefix(const char *p, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && memcmp(p, pre, k) == 0;
}

static bool
has_suffix(const char *p, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(p + n - k, suf, k) == 0;
}

static bool
alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
s3_bucket_name_valid(const char *p, size_t n)
{
	size_t dots = 0, run = 0;
	bool ip = true;

	if (!p || n < 3 || n > 63)
		return false;
	if (!alnum_lower(p[0]) || !alnum_lower(p[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!alnum_lower(c) && c != '.' && c != '-')
			return false;
		/* no "..", and no label may start or end with '-' (".-" / "-."): DNS names */
		if (c == '.' && i + 1 < n && (p[i + 1] == '.' || p[i + 1] == '-'))
			return false;
		if (c == '-' && i + 1 < n && p[i + 1] == '.')
			return false;
		/* IPv4 shape: exactly four non-empty digit runs separated by dots */
		if (c == '.') {
			if (run == 0)
				ip = false;
			dots++;
			run = 0;
		} else if (c >= '0' && c <= '9') {
			run++;
		} else {
			ip = false;
		}
	}
	if (ip && dots == 3 && run > 0)
		return false;
	if (has_prefix(p, n, "xn--") || has_prefix(p, n, "sthree-"))
		return false;
	if (has_suffix(p, n, "-s3alias") || has_suffix(p, n, "--ol-s3"))
		return false;
	return true;
}
