/* SPDX-License-Identifier: Apache-2.0 */
/* CopyObject and UploadPartCopy (spec §5.5, §7.3). A CopyObject reuses the source's stored
 * bytes (ol_version_clone hard-links them); the bytes are read only where S3 needs a digest
 * the source does not already have. The copy is a new version with its own lock state. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/log.h"
#include "httpdate.h"
#include "range.h"
#include "s3req.h"
#include "xml.h"

#define COPY_MAX_BYTES (5ull << 30) /* CopyObject source limit: 5 GiB */
#define COPY_CHUNK (256u * 1024)

struct copy_src {
	char bucket[OL_BUCKET_NAME_MAX + 1];
	char *key; /* decoded, owned */
	size_t keylen;
	char vid[OL_VERSION_ID_LEN + 1]; /* "" = latest */
	struct ol_bucket b;
	struct ol_version v;
};

static void
copy_src_release(struct copy_src *s)
{
	free(s->key);
	s->key = NULL;
	ol_version_release(&s->v);
}

/* Percent-decode (p, n) into a new NUL-terminated string (a path: '+' stays '+'); NULL on
 * a bad escape or no memory. */
static char *
pct_decode(const char *p, size_t n, size_t *outlen)
{
	char *o = malloc(n + 1);

	if (!o || !s3_pct_decode(p, n, false, o, n, outlen)) {
		free(o);
		return NULL;
	}
	o[*outlen] = '\0';
	return o;
}

static void
bad_copy_source(struct s3_req *r, const char *msg)
{
	struct s3_error_extra ex[] = { { "ArgumentName", "x-amz-copy-source" } };

	s3_reply_error_x(r, S3E_InvalidArgument, msg, ex, 1);
}

/* Parse x-amz-copy-source ("[/]bucket/key[?versionId=V]", URL-encoded) and load the source
 * version. Answers and returns false on any failure. */
static bool
copy_src_load(struct s3_req *r, struct copy_src *s)
{
	const char *h = s3_hdr(r, "x-amz-copy-source");
	const char *q, *slash;
	char *bucket = NULL;
	size_t hn, blen = 0;
	struct ol_err err;
	int rc;

	memset(s, 0, sizeof(*s));
	ol_version_init(&s->v);
	if (!h || !*h) {
		bad_copy_source(r, "Copy Source must mention the source bucket and key: "
		                   "sourcebucket/sourcekey");
		return false;
	}
	if (*h == '/')
		h++;
	hn = strlen(h);
	q = strchr(h, '?');
	if (q) {
		if (strncmp(q, "?versionId=", 11) != 0 || !ol_version_id_valid(q + 11, strlen(q + 11))) {
			struct s3_error_extra ex[] = { { "ArgumentName", "versionId" } };
			s3_reply_error_x(r, S3E_InvalidArgument, "Invalid version id specified", ex, 1);
			return false;
		}
		snprintf(s->vid, sizeof(s->vid), "%s", q + 11);
		hn = (size_t)(q - h);
	}
	slash = memchr(h, '/', hn);
	if (!slash || slash == h || (size_t)(slash - h) + 1 >= hn) {
		bad_copy_source(r, "Copy Source must mention the source bucket and key: "
		                   "sourcebucket/sourcekey");
		return false;
	}
	bucket = pct_decode(h, (size_t)(slash - h), &blen);
	s->key = pct_decode(slash + 1, hn - (size_t)(slash - h) - 1, &s->keylen);
	if (!bucket || !s->key || blen > OL_BUCKET_NAME_MAX || s->keylen > OL_KEY_MAX ||
	    memchr(bucket, '\0', blen) || memchr(s->key, '\0', s->keylen)) {
		free(bucket);
		bad_copy_source(r, "Invalid copy source encoding");
		return false;
	}
	memcpy(s->bucket, bucket, blen + 1);
	free(bucket);
	rc = ol_bucket_get(r->app->st, s->bucket, &s->b, &err);
	if (rc == OL_ENOTFOUND || rc == OL_EINVAL) {
		struct s3_error_extra ex = { "BucketName", s->bucket };
		s3_reply_error_x(r, S3E_NoSuchBucket, NULL, &ex, 1);
		return false;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		return false;
	}
	rc = ol_version_get(r->app->st, s->bucket, s->key, s->keylen, s->vid[0] ? s->vid : NULL,
	                    &s->v, &err);
	if (rc == OL_OK && s->v.is_delete_marker) {
		if (s->vid[0]) {
			s3_reply_error(r, S3E_InvalidRequest, "The source of a copy request may not "
			               "specifically refer to a delete marker by version id.");
			return false;
		}
		rc = OL_ENOTFOUND;
	}
	if (rc == OL_ENOTFOUND) {
		struct s3_error_extra ex[] = { { "Key", s->key }, { "VersionId", s->vid } };
		s3_reply_error_x(r, s->vid[0] ? S3E_NoSuchVersion : S3E_NoSuchKey, NULL, ex,
		                 s->vid[0] ? 2 : 1);
		return false;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		return false;
	}
	return true;
}

static bool
etag_in_list(const char *list, const char *etag)
{
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *s = p;
		while (*p && *p != ',')
			p++;
		const char *e = p;
		while (e > s && e[-1] == ' ')
			e--;
		if (e - s == 1 && *s == '*')
			return true;
		if (e - s >= 2 && *s == '"' && e[-1] == '"')
			s++, e--;
		if ((size_t)(e - s) == strlen(etag) && strncmp(s, etag, (size_t)(e - s)) == 0)
			return true;
	}
	return false;
}

/* x-amz-copy-source-if-* (spec §5.5): false (answered 412) when a condition fails. */
static bool
copy_conditions(struct s3_req *r, const struct ol_version *v)
{
	const char *im = s3_hdr(r, "x-amz-copy-source-if-match");
	const char *inm = s3_hdr(r, "x-amz-copy-source-if-none-match");
	const char *ims = s3_hdr(r, "x-amz-copy-source-if-modified-since");
	const char *ius = s3_hdr(r, "x-amz-copy-source-if-unmodified-since");
	const char *etag = v->etag ? v->etag : "";
	int64_t mod_s = v->created_ns / 1000000000, t;
	bool fail = false;

	if (im && !etag_in_list(im, etag))
		fail = true;
	else if (!im && ius && s3_httpdate_parse(ius, strlen(ius), &t) == 0 &&
	         mod_s > t / 1000000000)
		fail = true;
	if (inm && etag_in_list(inm, etag))
		fail = true;
	else if (!inm && ims && s3_httpdate_parse(ims, strlen(ims), &t) == 0 &&
	         mod_s <= t / 1000000000)
		fail = true;
	if (fail)
		s3_reply_error(r, S3E_PreconditionFailed, NULL);
	return !fail;
}

/* Read [off, off+len) of @v through MD5 (and @ck when given), writing to @put when given. */
static int
read_through(struct s3_req *r, const struct ol_version *v, uint64_t off, uint64_t len,
             struct cr_hash *md5, struct cr_cksum *ck, struct ol_put *put, struct ol_err *err)
{
	struct ol_reader *rd = NULL;
	char *buf = NULL;
	size_t got;
	int rc;

	rc = ol_reader_open(r->app->st, v, off, len, &rd, err);
	if (rc != OL_OK)
		return rc;
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		ol_reader_close(rd);
		return OL_ENOMEM;
	}
	while (ol_reader_remaining(rd) > 0) {
		rc = ol_reader_read(rd, buf, COPY_CHUNK, &got, err);
		if (rc != OL_OK)
			break;
		if (got == 0) {
			rc = OL_EIO;
			break;
		}
		if (md5)
			cr_hash_update(md5, buf, got);
		if (ck)
			cr_cksum_update(ck, buf, got);
		if (put && (rc = ol_put_write(put, buf, got, err)) != OL_OK)
			break;
	}
	free(buf);
	ol_reader_close(rd);
	return rc;
}

static void
copy_result(struct s3_req *r, const char *root, const char *etag, int64_t created_ns,
            enum cr_cksum_alg a, const uint8_t *ck, size_t cklen, const char *src_vid,
            const char *new_vid)
{
	char date[S3_ISO8601_MS_LEN + 1], qetag[OL_PART_ETAG_MAX + 3];
	char b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN)];
	struct gw_header h[2];
	size_t nh = 0;
	struct buf doc;

	s3_iso8601_ms_format(created_ns, date);
	snprintf(qetag, sizeof(qetag), "\"%s\"", etag);
	buf_init(&doc, 4096);
	buf_printf(&doc, "<%s xmlns=\"" S3_XMLNS "\">", root);
	xml_elem_str(&doc, "ETag", qetag);
	xml_elem_str(&doc, "LastModified", date);
	if (a != CR_CKSUM_NONE && cklen) {
		char name[32];
		cr_base64_encode(ck, cklen, b64, sizeof(b64));
		snprintf(name, sizeof(name), "Checksum%s", cr_cksum_name(a));
		xml_elem_str(&doc, name, b64);
	}
	buf_printf(&doc, "</%s>", root);
	if (src_vid && src_vid[0])
		h[nh++] = (struct gw_header){ "x-amz-copy-source-version-id", src_vid };
	if (new_vid && new_vid[0])
		h[nh++] = (struct gw_header){ "x-amz-version-id", new_vid };
	s3_reply_xml_h(r, 200, &doc, h, nh);
	buf_release(&doc);
}

/* ---- CopyObject ---- */

void
s3_op_copy_object(struct s3_req *r)
{
	struct copy_src src;
	struct ol_bucket b;
	struct ol_version v;
	struct ol_err err;
	struct cr_hash md5;
	struct cr_cksum ck;
	const char *dir = s3_hdr(r, "x-amz-metadata-directive");
	const char *want = s3_hdr(r, "x-amz-checksum-algorithm");
	enum cr_cksum_alg alg = CR_CKSUM_NONE;
	bool replace = false, md5_on = false, ck_on = false, multipart_src;
	uint8_t digest[CR_MAX_DIGEST_LEN];
	char etag[2 * CR_MD5_LEN + 1];
	int rc;

	ol_version_init(&v);
	if (!s3_bucket_load(r, &b) || !copy_src_load(r, &src))
		goto out;
	if (dir) {
		if (strcmp(dir, "REPLACE") == 0)
			replace = true;
		else if (strcmp(dir, "COPY") != 0) {
			struct s3_error_extra ex[] = { { "ArgumentName", "x-amz-metadata-directive" },
			                               { "ArgumentValue", dir } };
			s3_reply_error_x(r, S3E_InvalidArgument, "Unknown metadata directive.", ex, 2);
			goto out;
		}
	}
	if (want) {
		alg = cr_cksum_from_name(want, strlen(want));
		if (alg == CR_CKSUM_NONE) {
			s3_reply_error(r, S3E_InvalidRequest, "Checksum algorithm provided is "
			               "unsupported. Please try again with any of the valid types: "
			               "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
			goto out;
		}
	}
	if (!s3_put_precheck(r, &b) || !copy_conditions(r, &src.v))
		goto out;
	if (src.v.size_bytes > COPY_MAX_BYTES) {
		s3_reply_error(r, S3E_InvalidRequest, "The specified copy source is larger than the "
		               "maximum allowable size for a copy source: 5368709120");
		goto out;
	}
	/* a copy onto itself must change something (spec §5.5) */
	if (strcmp(src.bucket, r->route.bucket) == 0 && src.keylen == r->route.key_len &&
	    memcmp(src.key, r->route.key, src.keylen) == 0 && !replace &&
	    !s3_hdr(r, "x-amz-storage-class") && !s3_hdr(r, "x-amz-server-side-encryption") &&
	    !s3_hdr(r, "x-amz-website-redirect-location")) {
		s3_reply_error(r, S3E_InvalidRequest, "This copy request is illegal because it is "
		               "trying to copy an object to itself without changing the object's "
		               "metadata, storage class, website redirect location or encryption "
		               "attributes.");
		goto out;
	}

	/* metadata: the source's (COPY) or the request's (REPLACE); lock state never copied */
	if (replace) {
		if (!s3_fill_metadata(r, &v))
			goto out;
	} else {
		if (ol_version_set_content_type(&v, src.v.content_type,
		                                src.v.content_type ? strlen(src.v.content_type) : 0,
		                                &err) != OL_OK)
			goto store_err;
		for (size_t i = 0; i < src.v.n_hdrs; i++)
			if (ol_version_add_header(&v, src.v.hdrs[i].name, strlen(src.v.hdrs[i].name),
			                          src.v.hdrs[i].value, strlen(src.v.hdrs[i].value),
			                          &err) != OL_OK)
				goto store_err;
	}
	s3_lock_apply(r, &v); /* the request's lock headers; the default rule at commit */

	/* digests: a single-part source's ETag and checksum already describe the bytes; a
	 * multipart source's do not (the copy is one part), so those are read and computed */
	multipart_src = src.v.etag && strchr(src.v.etag, '-');
	if (alg == CR_CKSUM_NONE)
		alg = src.v.cksum_type == OL_CKSUM_FULL_OBJECT ? s3_cr_alg(src.v.cksum_alg)
		                                               : CR_CKSUM_CRC64NVME;
	if (multipart_src) {
		if (cr_hash_init(&md5, CR_HASH_MD5) != CR_OK)
			goto internal;
		md5_on = true;
	}
	if (!(s3_cr_alg(src.v.cksum_alg) == alg && src.v.cksum_type == OL_CKSUM_FULL_OBJECT)) {
		if (cr_cksum_init(&ck, alg) != CR_OK)
			goto internal;
		ck_on = true;
	}
	if (md5_on || ck_on) {
		rc = read_through(r, &src.v, 0, src.v.size_bytes, md5_on ? &md5 : NULL,
		                  ck_on ? &ck : NULL, NULL, &err);
		if (rc != OL_OK) {
			s3_reply_store_error(r, rc, &err);
			goto out;
		}
	}
	if (md5_on) {
		cr_hash_final(&md5, digest);
		cr_hex_encode(digest, CR_MD5_LEN, etag);
	} else {
		snprintf(etag, sizeof(etag), "%s", src.v.etag ? src.v.etag : "");
	}
	if (ol_version_set_etag(&v, etag, strlen(etag), &err) != OL_OK)
		goto store_err;
	v.cksum_alg = s3_ol_alg(alg);
	v.cksum_type = OL_CKSUM_FULL_OBJECT;
	v.cksum_len = cr_cksum_len(alg);
	if (ck_on)
		cr_cksum_final(&ck, v.cksum);
	else
		memcpy(v.cksum, src.v.cksum, v.cksum_len);

	rc = ol_version_clone(r->app->st, &src.v, r->route.bucket, r->route.key, r->route.key_len,
	                      &v, &err);
	if (rc == OL_ENOTFOUND) {
		struct s3_error_extra ex = { "Key", src.key };
		s3_reply_error_x(r, S3E_NoSuchKey, NULL, &ex, 1);
		goto out;
	}
	if (rc != OL_OK)
		goto store_err_rc;
	copy_result(r, "CopyObjectResult", etag, v.created_ns, want ? alg : CR_CKSUM_NONE, v.cksum,
	            v.cksum_len,
	            src.b.versioning != OL_VERSIONING_UNVERSIONED ? src.v.version_id : NULL,
	            !v.is_null ? v.version_id : NULL); /* as PutObject */
	goto out;
internal:
	s3_reply_error(r, S3E_InternalError, NULL);
	goto out;
store_err:
	rc = OL_EINVAL;
store_err_rc:
	if (rc == OL_EINVAL || rc == OL_E2BIG)
		s3_reply_error(r, S3E_InvalidArgument, err.msg);
	else
		s3_reply_store_error(r, rc, &err);
out:
	if (md5_on)
		cr_hash_release(&md5);
	if (ck_on)
		cr_cksum_release(&ck);
	copy_src_release(&src);
	ol_version_release(&v);
}

/* ---- UploadPartCopy ---- */

void
s3_op_upload_part_copy(struct s3_req *r)
{
	const char *rh = s3_hdr(r, "x-amz-copy-source-range");
	struct copy_src src;
	struct ol_bucket b;
	struct ol_upload u;
	struct ol_put *put = NULL;
	struct ol_part_meta m;
	struct ol_part part;
	struct ol_err err;
	struct cr_hash md5;
	struct cr_cksum ck;
	struct s3_range rg;
	uint32_t part_no = 0;
	bool md5_on = false, ck_on = false;
	enum cr_cksum_alg alg;
	char etag[2 * CR_MD5_LEN + 1];
	int rc;

	memset(&u, 0, sizeof(u));
	memset(&src, 0, sizeof(src));
	ol_version_init(&src.v);
	if (!s3_bucket_load(r, &b))
		goto out;
	if (!s3_part_number_param(r, &part_no) || !s3_upload_id_param(r, r->upload_id) ||
	    !s3_upload_load(r, r->upload_id, &u))
		goto out;
	if (!copy_src_load(r, &src) || !copy_conditions(r, &src.v))
		goto out;
	rg = (struct s3_range){ 0, src.v.size_bytes };
	if (rh) {
		switch (s3_copy_range_parse(rh, strlen(rh), src.v.size_bytes, &rg)) {
		case S3_COPY_RANGE_OK:
			break;
		case S3_COPY_RANGE_OUTSIDE: {
			char msg[128];
			snprintf(msg, sizeof(msg), "Range specified is not valid for source object of "
			         "size: %" PRIu64, src.v.size_bytes);
			/* s3-tests test_multipart_copy_invalid_range: InvalidRange (400) */
			s3_reply_error_x(r, S3E_InvalidRange, msg, NULL, 0);
			goto out;
		}
		default:
			s3_reply_error(r, S3E_InvalidArgument, "The x-amz-copy-source-range value must "
			               "be of the form bytes=first-last where first and last are the "
			               "zero-based offsets of the first and last bytes to copy");
			goto out;
		}
	}
	if (rg.length > COPY_MAX_BYTES) {
		s3_reply_error(r, S3E_InvalidRequest, "The specified copy source is larger than the "
		               "maximum allowable size for a copy source: 5368709120");
		goto out;
	}
	alg = u.tmpl.cksum_alg != OL_CKSUM_NONE ? s3_cr_alg(u.tmpl.cksum_alg) : CR_CKSUM_CRC64NVME;
	if (cr_hash_init(&md5, CR_HASH_MD5) != CR_OK)
		goto internal;
	md5_on = true;
	if (cr_cksum_init(&ck, alg) != CR_OK)
		goto internal;
	ck_on = true;
	rc = ol_part_begin(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                   r->upload_id, part_no, &put, &err);
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_upload(r, r->upload_id);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	if (rg.length) {
		rc = read_through(r, &src.v, rg.start, rg.length, &md5, &ck, put, &err);
		if (rc != OL_OK) {
			s3_reply_store_error(r, rc, &err);
			goto out;
		}
	}
	memset(&m, 0, sizeof(m));
	cr_hash_final(&md5, m.md5);
	cr_hex_encode(m.md5, CR_MD5_LEN, etag);
	m.etag = etag;
	m.etag_len = strlen(etag);
	m.cksum_alg = s3_ol_alg(alg);
	m.cksum_len = cr_cksum_len(alg);
	cr_cksum_final(&ck, m.cksum);
	rc = ol_part_commit(put, &m, &part, &err);
	put = NULL; /* consumed */
	if (rc == OL_ENOTFOUND) {
		s3_reply_no_such_upload(r, r->upload_id);
		goto out;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		goto out;
	}
	copy_result(r, "CopyPartResult", etag, part.created_ns,
	            u.tmpl.cksum_alg != OL_CKSUM_NONE ? alg : CR_CKSUM_NONE, part.cksum,
	            part.cksum_len,
	            src.b.versioning != OL_VERSIONING_UNVERSIONED ? src.v.version_id : NULL, NULL);
	goto out;
internal:
	s3_reply_error(r, S3E_InternalError, NULL);
out:
	ol_put_abort(put);
	if (md5_on)
		cr_hash_release(&md5);
	if (ck_on)
		cr_cksum_release(&ck);
	copy_src_release(&src);
	ol_upload_release(&u);
}
