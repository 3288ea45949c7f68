/* SPDX-License-Identifier: Apache-2.0 */
/* Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
 * versioning, and the subresource probes s3cmd and rclone make (spec §4, §1.2). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../base/log.h"
#include "httpdate.h"
#include "s3req.h"
#include "xml.h"
#include "xmlparse.h"

/* ---- ListBuckets (with the 2024 paging parameters, spec §4.4) ---- */

struct list_buckets {
	struct buf *doc;
	const struct slice *prefix, *region;
	char after[OL_BUCKET_NAME_MAX + 1]; /* continuation: names after this one */
	uint32_t max, count;
	bool truncated;
	char last[OL_BUCKET_NAME_MAX + 1];
};

static int
list_bucket_cb(void *ctx, const struct ol_bucket *b)
{
	struct list_buckets *lb = ctx;
	struct buf *doc = lb->doc;
	char date[S3_ISO8601_MS_LEN + 1];

	if (lb->after[0] && strcmp(b->name, lb->after) <= 0)
		return 0;
	if (lb->prefix && strncmp(b->name, lb->prefix->p, lb->prefix->n) != 0)
		return 0;
	if (lb->region && !slice_eq_cstr(*lb->region, b->region))
		return 0;
	if (lb->count == lb->max) {
		lb->truncated = true;
		return 1;
	}
	s3_iso8601_ms_format(b->created_ns, date);
	if (buf_puts(doc, "<Bucket>") || xml_elem_str(doc, "Name", b->name) ||
	    xml_elem_str(doc, "CreationDate", date) ||
	    xml_elem_str(doc, "BucketRegion", b->region) || buf_puts(doc, "</Bucket>"))
		return OL_ENOMEM;
	lb->count++;
	snprintf(lb->last, sizeof(lb->last), "%s", b->name);
	return 0;
}

void
s3_op_list_buckets(struct s3_req *r)
{
	const struct slice *max = s3_query_get(&r->route, "max-buckets");
	const struct slice *token = s3_query_get(&r->route, "continuation-token");
	struct list_buckets lb;
	struct buf doc;
	struct ol_err err;
	char tok[CR_BASE64_LEN(OL_BUCKET_NAME_MAX)];
	int rc;

	memset(&lb, 0, sizeof(lb));
	lb.doc = &doc;
	lb.prefix = s3_query_get(&r->route, "prefix");
	lb.region = s3_query_get(&r->route, "bucket-region");
	lb.max = 10000;
	if (max) {
		unsigned long n = 0;
		bool ok = max->n > 0 && max->n <= 5;
		for (size_t i = 0; ok && i < max->n; i++) {
			ok = max->p[i] >= '0' && max->p[i] <= '9';
			n = n * 10 + (unsigned long)(max->p[i] - '0');
		}
		if (!ok || n < 1 || n > 10000) {
			struct s3_error_extra ex[] = { { "ArgumentName", "max-buckets" } };
			s3_reply_error_x(r, S3E_InvalidArgument, "Argument max-buckets must be an "
			                 "integer between 1 and 10000.", ex, 1);
			return;
		}
		lb.max = (uint32_t)n;
	}
	if (token && token->n) {
		int n = cr_base64_decode(token->p, token->n, (uint8_t *)lb.after,
		                         sizeof(lb.after) - 1);
		if (n <= 0) {
			struct s3_error_extra ex[] = { { "ArgumentName", "continuation-token" } };
			s3_reply_error_x(r, S3E_InvalidArgument,
			                 "The continuation token provided is incorrect", ex, 1);
			return;
		}
		lb.after[n] = '\0';
	}
	buf_init(&doc, 64u << 20);
	if (buf_puts(&doc, "<ListAllMyBucketsResult xmlns=\"" S3_XMLNS "\">") ||
	    s3_xml_owner(&doc) || buf_puts(&doc, "<Buckets>")) {
		rc = OL_ENOMEM;
		goto out;
	}
	rc = ol_bucket_list(r->app->st, list_bucket_cb, &lb, &err);
	if (rc == OL_OK && buf_puts(&doc, "</Buckets>"))
		rc = OL_ENOMEM;
	if (rc == OL_OK && lb.truncated) {
		cr_base64_encode(lb.last, strlen(lb.last), tok, sizeof(tok));
		if (xml_elem_str(&doc, "ContinuationToken", tok))
			rc = OL_ENOMEM;
	}
	if (rc == OL_OK && lb.prefix && xml_elem(&doc, "Prefix", lb.prefix->p, lb.prefix->n))
		rc = OL_ENOMEM;
	if (rc == OL_OK && buf_puts(&doc, "</ListAllMyBucketsResult>"))
		rc = OL_ENOMEM;
out:
	if (rc == OL_OK)
		s3_reply_xml(r, 200, &doc);
	else
		s3_reply_store_error(r, rc, rc == OL_ENOMEM ? NULL : &err);
	buf_release(&doc);
}

/* ---- CreateBucket ---- */

static void
create_bucket_finish(struct s3_req *r)
{
	struct s3_create_bucket_conf conf;
	struct s3_xml_err xe;
	struct ol_bucket b;
	struct ol_err err;
	const char *lock = s3_hdr(r, "x-amz-bucket-object-lock-enabled");
	const char *acl = s3_hdr(r, "x-amz-acl");
	char loc[S3_BUCKET_SEGMENT_MAX + 2];
	enum s3_code code;
	int rc;

	memset(&b, 0, sizeof(b));
	if (r->xml.len > 0) {
		memset(&xe, 0, sizeof(xe));
		code = s3_xml_parse_create_bucket(r->xml.ptr, r->xml.len, S3_XML_CONFIG_MAX_BYTES,
		                                  &conf, &xe);
		if (code != S3E_NONE) {
			s3_reply_error(r, code, xe.message);
			return;
		}
		/* empty = the default region, which is ours */
		if (conf.location.n &&
		    !slice_eq_cstr(conf.location, r->app->cfg->region)) {
			s3_create_bucket_conf_release(&conf);
			s3_reply_error(r, S3E_InvalidLocationConstraint, NULL);
			return;
		}
		s3_create_bucket_conf_release(&conf);
	}
	if (lock && strcasecmp(lock, "true") != 0 && strcasecmp(lock, "false") != 0) {
		struct s3_error_extra ex[] = { { "ArgumentName", "x-amz-bucket-object-lock-enabled" },
		                               { "ArgumentValue", lock } };
		s3_reply_error_x(r, S3E_InvalidArgument, NULL, ex, 2);
		return;
	}
	if (acl && strcmp(acl, "private") != 0 && strcmp(acl, "bucket-owner-full-control") != 0) {
		s3_reply_error(r, S3E_AccessControlListNotSupported, NULL);
		return;
	}
	if (!s3_bucket_name_valid(r->route.bucket, r->route.bucket_len)) {
		s3_reply_error(r, S3E_InvalidBucketName, NULL);
		return;
	}
	/* both fit: a valid bucket name is <= 63 bytes, the region is checked at config load */
	if (snprintf(b.name, sizeof(b.name), "%s", r->route.bucket) >= (int)sizeof(b.name) ||
	    snprintf(b.region, sizeof(b.region), "%s", r->app->cfg->region) >= (int)sizeof(b.region)) {
		s3_reply_error(r, S3E_InvalidBucketName, NULL);
		return;
	}
	b.lock_enabled = lock && strcasecmp(lock, "true") == 0;
	b.versioning = b.lock_enabled ? OL_VERSIONING_ENABLED : OL_VERSIONING_UNVERSIONED;
	rc = ol_bucket_create(r->app->st, &b, &err);
	if (rc == OL_EEXIST && strcmp(r->app->cfg->region, "us-east-1") == 0) {
		/* AWS's us-east-1 answers a re-create by the owner with 200 (legacy), other
		 * regions with 409; nothing about the bucket changes either way */
		struct gw_header h[] = { { "Location", loc } };
		snprintf(loc, sizeof(loc), "/%s", r->route.bucket);
		s3_reply_empty(r, 200, h, 1);
		return;
	}
	if (rc == OL_EEXIST) {
		struct s3_error_extra ex = { "BucketName", r->route.bucket };
		s3_reply_error_x(r, S3E_BucketAlreadyOwnedByYou, NULL, &ex, 1);
		return;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		return;
	}
	gw_log(GW_LOG_INFO, "bucket_created", "%s lock=%d by %s", b.name, b.lock_enabled, r->user);
	snprintf(loc, sizeof(loc), "/%s", r->route.bucket);
	struct gw_header h[] = { { "Location", loc } };
	s3_reply_empty(r, 200, h, 1);
}

void
s3_op_create_bucket(struct s3_req *r)
{
	/* the name is judged before the body is read: a bad name needs no 100 Continue */
	if (!s3_bucket_name_valid(r->route.bucket, r->route.bucket_len)) {
		s3_reply_error(r, S3E_InvalidBucketName, NULL);
		return;
	}
	s3_body_begin(r, S3_BODY_XML, create_bucket_finish);
}

/* ---- HeadBucket / DeleteBucket / GetBucketLocation ---- */

void
s3_op_head_bucket(struct s3_req *r)
{
	struct ol_bucket b;

	if (!s3_bucket_load(r, &b))
		return;
	struct gw_header h[] = { { "x-amz-bucket-region", b.region[0] ? b.region
	                                                                  : r->app->cfg->region } };
	s3_reply_empty(r, 200, h, 1);
}

void
s3_op_delete_bucket(struct s3_req *r)
{
	struct ol_err err;
	int rc = ol_bucket_delete(r->app->st, r->route.bucket, &err);

	if (rc == OL_ENOTFOUND || rc == OL_EINVAL) {
		s3_reply_no_such_bucket(r);
	} else if (rc == OL_ENOTEMPTY) {
		struct s3_error_extra ex = { "BucketName", r->route.bucket };
		struct ol_bucket b;
		bool versioned = ol_bucket_get(r->app->st, r->route.bucket, &b, &err) == OL_OK &&
		                 b.versioning != OL_VERSIONING_UNVERSIONED;
		/* spec §4.3: versioned buckets name what is left */
		s3_reply_error_x(r, S3E_BucketNotEmpty,
		                 versioned ? "The bucket you tried to delete is not empty. You must "
		                             "delete all versions in the bucket." : NULL, &ex, 1);
	} else if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
	} else {
		gw_log(GW_LOG_INFO, "bucket_deleted", "%s by %s", r->route.bucket, r->user);
		s3_reply_empty(r, 204, NULL, 0);
	}
}

void
s3_op_bucket_location(struct s3_req *r)
{
	struct ol_bucket b;
	struct buf doc;

	if (!s3_bucket_load(r, &b))
		return;
	buf_init(&doc, 4096);
	/* us-east-1 is the empty element (spec §4.5) */
	if (b.region[0] == '\0' || strcmp(b.region, "us-east-1") == 0)
		buf_puts(&doc, "<LocationConstraint xmlns=\"" S3_XMLNS "\"/>");
	else
		buf_printf(&doc, "<LocationConstraint xmlns=\"" S3_XMLNS "\">%s</LocationConstraint>",
		           b.region);
	s3_reply_xml(r, 200, &doc);
	buf_release(&doc);
}

/* ---- versioning ---- */

void
s3_op_get_versioning(struct s3_req *r)
{
	struct ol_bucket b;
	struct buf doc;

	if (!s3_bucket_load(r, &b))
		return;
	buf_init(&doc, 4096);
	buf_puts(&doc, "<VersioningConfiguration xmlns=\"" S3_XMLNS "\">");
	if (b.versioning == OL_VERSIONING_ENABLED)
		buf_puts(&doc, "<Status>Enabled</Status>");
	else if (b.versioning == OL_VERSIONING_SUSPENDED)
		buf_puts(&doc, "<Status>Suspended</Status>");
	buf_puts(&doc, "</VersioningConfiguration>");
	s3_reply_xml(r, 200, &doc);
	buf_release(&doc);
}

static void
put_versioning_finish(struct s3_req *r)
{
	struct s3_versioning_conf conf;
	struct s3_xml_err xe;
	struct ol_bucket b;
	struct ol_err err;
	enum s3_code code;
	int rc;

	if (!s3_bucket_load(r, &b))
		return;
	memset(&xe, 0, sizeof(xe));
	code = s3_xml_parse_versioning(r->xml.ptr, r->xml.len, S3_XML_CONFIG_MAX_BYTES, &conf, &xe);
	if (code != S3E_NONE) {
		s3_reply_error(r, code, xe.message);
		return;
	}
	if (conf.mfa_delete == S3_MFA_DELETE_ENABLED || s3_hdr(r, "x-amz-mfa")) {
		s3_reply_error(r, S3E_NotImplemented, NULL);
		return;
	}
	if (conf.status == S3_VERSIONING_UNSET) {
		s3_reply_error(r, S3E_MalformedXML, NULL);
		return;
	}
	if (conf.status == S3_VERSIONING_SUSPENDED && b.lock_enabled) {
		s3_reply_error(r, S3E_InvalidBucketState,
		               "An Object Lock configuration is present on this bucket, so the "
		               "versioning state cannot be changed.");
		return;
	}
	rc = ol_bucket_set_versioning(r->app->st, r->route.bucket,
	                              conf.status == S3_VERSIONING_ENABLED ? OL_VERSIONING_ENABLED
	                                                                   : OL_VERSIONING_SUSPENDED,
	                              &err);
	if (rc == OL_ENOTFOUND)
		s3_reply_no_such_bucket(r);
	else if (rc != OL_OK)
		s3_reply_store_error(r, rc, &err);
	else
		s3_reply_empty(r, 200, NULL, 0);
}

void
s3_op_put_versioning(struct s3_req *r)
{
	s3_body_begin(r, S3_BODY_XML, put_versioning_finish);
}

/* ---- probes: unconfigured subresources answer as AWS does for a plain bucket ---- */

void
s3_op_bucket_probe(struct s3_req *r)
{
	struct ol_bucket b;
	struct buf doc;
	enum s3_code code = S3E_NONE;

	if (!s3_bucket_load(r, &b))
		return;
	switch (r->route.op) {
	case S3OP_GetBucketPolicy:
	case S3OP_GetBucketPolicyStatus: code = S3E_NoSuchBucketPolicy; break;
	case S3OP_GetBucketTagging: code = S3E_NoSuchTagSet; break;
	case S3OP_GetBucketLifecycle: code = S3E_NoSuchLifecycleConfiguration; break;
	case S3OP_GetBucketCors: code = S3E_NoSuchCORSConfiguration; break;
	case S3OP_GetBucketEncryption: code = S3E_ServerSideEncryptionConfigurationNotFoundError; break;
	case S3OP_GetBucketWebsite: code = S3E_NoSuchWebsiteConfiguration; break;
	case S3OP_GetBucketReplication: code = S3E_ReplicationConfigurationNotFoundError; break;
	case S3OP_GetBucketRequestPayment:
		buf_init(&doc, 1024);
		buf_puts(&doc, "<RequestPaymentConfiguration xmlns=\"" S3_XMLNS "\">"
		               "<Payer>BucketOwner</Payer></RequestPaymentConfiguration>");
		s3_reply_xml(r, 200, &doc);
		buf_release(&doc);
		return;
	default:
		/* Delete* of something never configured: done */
		s3_reply_empty(r, 204, NULL, 0);
		return;
	}
	struct s3_error_extra ex = { "BucketName", r->route.bucket };
	s3_reply_error_x(r, code, NULL, &ex, 1);
}

/* ---- ACLs: always private, owner FULL_CONTROL (spec §4.8) ---- */

static void
acl_put_finish(struct s3_req *r)
{
	/* a body-borne ACL can only restate the owner's FULL_CONTROL; anything else is refused */
	if (r->xml.len && !strstr(r->xml.ptr, "FULL_CONTROL")) {
		s3_reply_error(r, S3E_AccessControlListNotSupported, NULL);
		return;
	}
	s3_reply_empty(r, 200, NULL, 0);
}

void
s3_op_acl(struct s3_req *r)
{
	struct ol_bucket b;
	struct ol_version v;
	struct ol_err err;
	struct buf doc;
	const char *acl = s3_hdr(r, "x-amz-acl");
	bool is_object = r->route.op == S3OP_GetObjectAcl || r->route.op == S3OP_PutObjectAcl;
	int rc;

	if (!s3_bucket_load(r, &b))
		return;
	if (is_object) {
		ol_version_init(&v);
		rc = ol_version_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len, NULL,
		                    &v, &err);
		if (rc == OL_OK && v.is_delete_marker)
			rc = OL_ENOTFOUND;
		ol_version_release(&v);
		if (rc == OL_ENOTFOUND) {
			struct s3_error_extra ex = { "Key", r->route.key };
			s3_reply_error_x(r, S3E_NoSuchKey, NULL, &ex, 1);
			return;
		}
		if (rc != OL_OK) {
			s3_reply_store_error(r, rc, &err);
			return;
		}
	}
	if (r->route.op == S3OP_PutBucketAcl || r->route.op == S3OP_PutObjectAcl) {
		if (acl && strcmp(acl, "private") != 0 && strcmp(acl, "bucket-owner-full-control") != 0) {
			s3_reply_error(r, S3E_AccessControlListNotSupported, NULL);
			return;
		}
		s3_body_begin(r, S3_BODY_XML, acl_put_finish);
		return;
	}
	buf_init(&doc, 4096);
	buf_puts(&doc, "<AccessControlPolicy xmlns=\"" S3_XMLNS "\">");
	s3_xml_owner(&doc);
	buf_puts(&doc, "<AccessControlList><Grant><Grantee "
	               "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	               "xsi:type=\"CanonicalUser\"><ID>" S3_OWNER_ID "</ID><DisplayName>"
	               S3_OWNER_NAME "</DisplayName></Grantee><Permission>FULL_CONTROL"
	               "</Permission></Grant></AccessControlList></AccessControlPolicy>");
	s3_reply_xml(r, 200, &doc);
	buf_release(&doc);
}
