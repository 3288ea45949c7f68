/* SPDX-License-Identifier: Apache-2.0 */
/* Listings: ListObjects (v1), ListObjectsV2, ListObjectVersions (spec §5.6, §5.7) — one
 * seek-and-walk of the index per page — and ListMultipartUploads. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpdate.h"
#include "s3req.h"
#include "xml.h"

#define LIST_MAX_KEYS 1000
#define LIST_DOC_MAX (32u << 20) /* 1000 entries of 1 KiB keys, escaped, with room */

struct list_ctx {
	struct s3_req *r;
	struct buf contents, prefixes;
	bool url, owner, versions;
	int err;
};

static int
entry_common(struct buf *b, const struct ol_version *v)
{
	char date[S3_ISO8601_MS_LEN + 1];

	s3_iso8601_ms_format(v->created_ns, date);
	return xml_elem_str(b, "LastModified", date);
}

static const char *
cksum_alg_name(enum ol_cksum_alg a)
{
	switch (a) {
	case OL_CKSUM_CRC32: return "CRC32";
	case OL_CKSUM_CRC32C: return "CRC32C";
	case OL_CKSUM_CRC64NVME: return "CRC64NVME";
	case OL_CKSUM_SHA1: return "SHA1";
	case OL_CKSUM_SHA256: return "SHA256";
	default: return NULL;
	}
}

static int
list_cb(void *ctx, const struct ol_list_entry *e)
{
	struct list_ctx *lc = ctx;
	struct buf *b = &lc->contents;
	const struct ol_version *v = e->v;
	const char *alg;
	int rc = 0;

	if (e->is_prefix) {
		if (buf_puts(&lc->prefixes, "<CommonPrefixes>") ||
		    s3_xml_elem_key(&lc->prefixes, "Prefix", e->key, e->keylen, lc->url) ||
		    buf_puts(&lc->prefixes, "</CommonPrefixes>"))
			return OL_E2BIG;
		return 0;
	}
	if (lc->versions && v->is_delete_marker) {
		rc = buf_puts(b, "<DeleteMarker>") || s3_xml_elem_key(b, "Key", e->key, e->keylen, lc->url) ||
		     xml_elem_str(b, "VersionId", v->version_id) ||
		     xml_elem_str(b, "IsLatest", e->is_latest ? "true" : "false") ||
		     entry_common(b, v) || s3_xml_owner(b) || buf_puts(b, "</DeleteMarker>");
		return rc ? OL_E2BIG : 0;
	}
	rc = buf_puts(b, lc->versions ? "<Version>" : "<Contents>") ||
	     s3_xml_elem_key(b, "Key", e->key, e->keylen, lc->url);
	if (!rc && lc->versions)
		rc = xml_elem_str(b, "VersionId", v->version_id) ||
		     xml_elem_str(b, "IsLatest", e->is_latest ? "true" : "false");
	if (!rc)
		rc = entry_common(b, v) ||
		     buf_printf(b, "<ETag>&quot;%s&quot;</ETag>", v->etag ? v->etag : "");
	alg = cksum_alg_name(v->cksum_alg);
	if (!rc && alg)
		rc = xml_elem_str(b, "ChecksumAlgorithm", alg) ||
		     xml_elem_str(b, "ChecksumType",
		                  v->cksum_type == OL_CKSUM_COMPOSITE ? "COMPOSITE" : "FULL_OBJECT");
	if (!rc)
		rc = buf_printf(b, "<Size>%" PRIu64 "</Size>", v->size_bytes);
	if (!rc && lc->owner)
		rc = s3_xml_owner(b);
	if (!rc)
		rc = buf_puts(b, "<StorageClass>STANDARD</StorageClass>") ||
		     buf_puts(b, lc->versions ? "</Version>" : "</Contents>");
	return rc ? OL_E2BIG : 0;
}

/* max-keys: default 1000, capped at 1000, junk -> InvalidArgument (spec §5.6). */
static bool
max_keys_param(struct s3_req *r, const char *name, uint32_t *out)
{
	const struct slice *s = s3_query_get(&r->route, name);
	uint64_t n = 0;

	*out = LIST_MAX_KEYS;
	if (!s)
		return true;
	if (s->n == 0 || s->n > 18)
		goto bad;
	for (size_t i = 0; i < s->n; i++) {
		if (!isdigit((unsigned char)s->p[i]))
			goto bad;
		n = n * 10 + (uint64_t)(s->p[i] - '0');
	}
	*out = n > LIST_MAX_KEYS ? LIST_MAX_KEYS : (uint32_t)n;
	return true;
bad:
	{
		char val[40];
		snprintf(val, sizeof(val), "%.*s", (int)(s->n < 32 ? s->n : 32), s->p);
		struct s3_error_extra ex[] = { { "ArgumentName", name }, { "ArgumentValue", val } };
		s3_reply_error_x(r, S3E_InvalidArgument, "Provided max-keys not an integer or within "
		                 "integer range", ex, 2);
	}
	return false;
}

void
s3_op_list_objects(struct s3_req *r)
{
	enum s3_op op = r->route.op;
	bool v2 = op == S3OP_ListObjectsV2, versions = op == S3OP_ListObjectVersions;
	const struct slice *prefix = s3_query_get(&r->route, "prefix");
	const struct slice *delim = s3_query_get(&r->route, "delimiter");
	const struct slice *enc = s3_query_get(&r->route, "encoding-type");
	const struct slice *marker = NULL, *token = NULL, *start_after = NULL, *vid_marker = NULL;
	const struct slice *fetch_owner = s3_query_get(&r->route, "fetch-owner");
	struct ol_bucket b;
	struct ol_list_opts o;
	struct ol_list_result res;
	struct list_ctx lc;
	struct ol_err err;
	struct buf doc;
	uint8_t tokbuf[OL_KEY_MAX + 8];
	char vidm[OL_VERSION_ID_LEN + 1];
	uint32_t max_keys;
	int rc;

	if (!s3_bucket_load(r, &b))
		return;
	if (enc && !slice_eq_cstr(*enc, "url")) {
		s3_reply_error(r, S3E_InvalidArgument, "Invalid Encoding Method specified in Request");
		return;
	}
	if (!max_keys_param(r, "max-keys", &max_keys))
		return;
	memset(&o, 0, sizeof(o));
	o.bucket = r->route.bucket;
	if (prefix) {
		o.prefix = prefix->p;
		o.prefix_len = prefix->n;
	}
	if (delim && delim->n) {
		o.delimiter = delim->p;
		o.delimiter_len = delim->n;
	}
	o.max_keys = max_keys;
	o.want_versions = versions;
	if (versions) {
		marker = s3_query_get(&r->route, "key-marker");
		vid_marker = s3_query_get(&r->route, "version-id-marker");
		if (vid_marker && vid_marker->n) {
			if (!marker || !marker->n) {
				s3_reply_error(r, S3E_InvalidArgument, "A version-id marker cannot be "
				               "specified without a key marker.");
				return;
			}
			if (!ol_version_id_valid(vid_marker->p, vid_marker->n)) {
				s3_reply_error(r, S3E_InvalidArgument, "Invalid version id specified");
				return;
			}
			memcpy(vidm, vid_marker->p, vid_marker->n);
			vidm[vid_marker->n] = '\0';
			o.version_id_marker = vidm;
		}
	} else if (v2) {
		token = s3_query_get(&r->route, "continuation-token");
		start_after = s3_query_get(&r->route, "start-after");
		/* an empty token is no token (it is still echoed) */
		if (token && token->n) {
			int n = cr_base64_decode(token->p, token->n, tokbuf, sizeof(tokbuf));
			if (n <= 0 || n > OL_KEY_MAX) {
				struct s3_error_extra ex[] = { { "ArgumentName", "continuation-token" } };
				s3_reply_error_x(r, S3E_InvalidArgument,
				                 "The continuation token provided is incorrect", ex, 1);
				return;
			}
			o.marker = tokbuf;
			o.marker_len = (size_t)n;
		}
		if (!o.marker && start_after) {
			o.marker = start_after->p;
			o.marker_len = start_after->n;
		}
	} else {
		marker = s3_query_get(&r->route, "marker");
	}
	if (marker && !o.marker) {
		o.marker = marker->p;
		o.marker_len = marker->n;
	}

	memset(&lc, 0, sizeof(lc));
	lc.r = r;
	lc.url = enc != NULL;
	lc.versions = versions;
	lc.owner = versions || !v2 || (fetch_owner && slice_eq_cstr(*fetch_owner, "true"));
	buf_init(&lc.contents, LIST_DOC_MAX);
	buf_init(&lc.prefixes, LIST_DOC_MAX);
	buf_init(&doc, 2 * LIST_DOC_MAX);
	memset(&res, 0, sizeof(res));
	rc = ol_list(r->app->st, &o, list_cb, &lc, &res, &err);
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

	buf_printf(&doc, "<%s xmlns=\"" S3_XMLNS "\">",
	           versions ? "ListVersionsResult" : "ListBucketResult");
	xml_elem_str(&doc, "Name", r->route.bucket);
	/* v1 echoes Prefix as sent even with encoding-type=url: botocore does not decode it */
	s3_xml_elem_key(&doc, "Prefix", prefix ? prefix->p : "", prefix ? prefix->n : 0,
	         lc.url && (v2 || versions));
	if (versions) {
		s3_xml_elem_key(&doc, "KeyMarker", marker ? marker->p : "", marker ? marker->n : 0, lc.url);
		xml_elem(&doc, "VersionIdMarker", vid_marker ? vid_marker->p : "",
		         vid_marker ? vid_marker->n : 0);
		if (res.is_truncated) {
			s3_xml_elem_key(&doc, "NextKeyMarker", res.next_marker, res.next_marker_len, lc.url);
			xml_elem_str(&doc, "NextVersionIdMarker", res.next_version_id);
		}
	} else if (v2) {
		if (token)
			xml_elem(&doc, "ContinuationToken", token->p, token->n);
		if (res.is_truncated) {
			char tok[CR_BASE64_LEN(OL_KEY_MAX)];
			cr_base64_encode(res.next_marker, res.next_marker_len, tok, sizeof(tok));
			xml_elem_str(&doc, "NextContinuationToken", tok);
		}
		if (start_after)
			s3_xml_elem_key(&doc, "StartAfter", start_after->p, start_after->n, lc.url);
		buf_printf(&doc, "<KeyCount>%u</KeyCount>", (unsigned)res.count);
	} else {
		s3_xml_elem_key(&doc, "Marker", marker ? marker->p : "", marker ? marker->n : 0, lc.url);
		/* emitted whenever truncated: v1 clients page on it (spec §5.6) */
		if (res.is_truncated)
			s3_xml_elem_key(&doc, "NextMarker", res.next_marker, res.next_marker_len, lc.url);
	}
	buf_printf(&doc, "<MaxKeys>%u</MaxKeys>", (unsigned)max_keys);
	if (delim && delim->n)
		s3_xml_elem_key(&doc, "Delimiter", delim->p, delim->n, lc.url);
	if (lc.url)
		buf_puts(&doc, "<EncodingType>url</EncodingType>");
	buf_printf(&doc, "<IsTruncated>%s</IsTruncated>", res.is_truncated ? "true" : "false");
	if (lc.contents.len)
		buf_append(&doc, lc.contents.ptr, lc.contents.len);
	if (lc.prefixes.len)
		buf_append(&doc, lc.prefixes.ptr, lc.prefixes.len);
	if (buf_printf(&doc, "</%s>", versions ? "ListVersionsResult" : "ListBucketResult")) {
		s3_reply_error(r, S3E_InternalError, "listing too large");
		goto out;
	}
	s3_reply_xml(r, 200, &doc);
out:
	buf_release(&lc.contents);
	buf_release(&lc.prefixes);
	buf_release(&doc);
}
