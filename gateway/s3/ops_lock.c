/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Object Lock on the wire (spec §4.7, §8): Put/GetObjectLockConfiguration, lock headers on
 * writes and on GET/HEAD, Put/GetObjectRetention, Put/GetObjectLegalHold, and the caller's
 * bypass. Every decision about a version is the store's (objectlock/policy.c, judged under
 * the key's lock); this file validates requests in S3's order and maps the answers.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../base/log.h"
#include "httpdate.h"
#include "s3req.h"
#include "xml.h"
#include "xmlparse.h"

_Static_assert(S3_ISO8601_MS_LEN + 1 <= 32, "date buffer of s3_lock_response_headers");

static const char missing_lock_config[] = "Bucket is missing Object Lock Configuration";

static enum ol_lock_mode
ol_mode(enum s3_lock_mode m)
{
	return m == S3_LOCK_GOVERNANCE ? OL_LOCK_GOVERNANCE
	       : m == S3_LOCK_COMPLIANCE ? OL_LOCK_COMPLIANCE : OL_LOCK_NONE;
}

static const char *
mode_name(enum ol_lock_mode m)
{
	return m == OL_LOCK_GOVERNANCE ? "GOVERNANCE" : m == OL_LOCK_COMPLIANCE ? "COMPLIANCE" : "";
}

static void
reply_invalid_argument(struct s3_req *r, const char *msg, const char *arg, const char *val)
{
	struct s3_error_extra ex[] = { { "ArgumentName", arg }, { "ArgumentValue", val } };

	s3_reply_error_x(r, S3E_InvalidArgument, msg, ex, val ? 2 : 1);
}

bool
s3_is_root(const struct s3_req *r)
{
	return r->authed && r->is_root;
}

void
s3_caller(struct s3_req *r, struct ol_caller *who)
{
	const char *bp = s3_hdr(r, "x-amz-bypass-governance-retention");

	/* compared case-insensitively to "true"; any other value is no bypass (§8.2). The
	 * permission s3:BypassGovernanceRetention is the root user's until policies exist. */
	who->bypass_requested = bp && strcasecmp(bp, "true") == 0;
	who->bypass_permitted = who->bypass_requested && s3_is_root(r);
}

/* ---- lock headers on writes (§8.3) ---- */

bool
s3_lock_write_headers(struct s3_req *r, const struct ol_bucket *b)
{
	const char *mode = s3_hdr(r, "x-amz-object-lock-mode");
	const char *date = s3_hdr(r, "x-amz-object-lock-retain-until-date");
	const char *hold = s3_hdr(r, "x-amz-object-lock-legal-hold");
	struct s3_lock_req *lk = &r->lock;
	int64_t until;

	memset(lk, 0, sizeof(*lk));
	if (!mode && !date && !hold)
		return true;
	if (!b->lock_enabled) {
		s3_reply_error(r, S3E_InvalidRequest, missing_lock_config);
		return false;
	}
	if (!mode != !date) {
		s3_reply_error(r, S3E_InvalidArgument, "x-amz-object-lock-retain-until-date and "
		               "x-amz-object-lock-mode must both be supplied.");
		return false;
	}
	if (mode) {
		/* MinIO upper-cases before comparing; accepting lower case is harmless (§8.3) */
		if (strcasecmp(mode, "GOVERNANCE") == 0)
			lk->mode = OL_LOCK_GOVERNANCE;
		else if (strcasecmp(mode, "COMPLIANCE") == 0)
			lk->mode = OL_LOCK_COMPLIANCE;
		else {
			reply_invalid_argument(r, "Unknown wormMode directive.",
			                       "x-amz-object-lock-mode", mode);
			return false;
		}
		if (s3_rfc3339_parse(date, strlen(date), &until) != 0) {
			reply_invalid_argument(r, "The retain until date must be provided in ISO 8601 "
			                       "format", "x-amz-object-lock-retain-until-date", date);
			return false;
		}
		/* "the future" is the compliance clock's: a wall clock set ahead cannot make a
		 * short retention look long, nor one set back a past date look future */
		if (until <= ol_clock_now(r->app->st)) {
			reply_invalid_argument(r, "The retain until date must be in the future!",
			                       "x-amz-object-lock-retain-until-date", date);
			return false;
		}
		lk->until_ns = until;
	}
	if (hold) {
		if (strcmp(hold, "ON") != 0 && strcmp(hold, "OFF") != 0) {
			reply_invalid_argument(r, "Legal Hold must be either of 'ON' or 'OFF'",
			                       "x-amz-object-lock-legal-hold", hold);
			return false;
		}
		lk->hold_set = true;
		lk->hold = hold[1] == 'N';
	}
	lk->given = true;
	return true;
}

bool
s3_lock_integrity_check(struct s3_req *r, const struct ol_bucket *b, bool locking)
{
	/* a body whose version will be locked must prove its integrity (§3.4 / §8.3 #7), also
	 * when only the bucket's default rule applies */
	locking = locking || (b->lock_enabled && b->default_rule.mode != OL_LOCK_NONE);
	if (!locking || s3_has_integrity(r))
		return true;
	s3_reply_error(r, S3E_InvalidRequest, "Content-MD5 OR x-amz-checksum- HTTP header is "
	               "required for Put Object requests with Object Lock parameters");
	return false;
}

void
s3_lock_apply(const struct s3_req *r, struct ol_version *v)
{
	/* a copy's or an upload's own lock state, never a source's; without an explicit mode
	 * the store stamps the bucket's default at commit */
	v->lock_mode = r->lock.mode;
	v->retain_until_ns = r->lock.mode != OL_LOCK_NONE ? r->lock.until_ns : 0;
	v->legal_hold = r->lock.hold;
	v->legal_hold_set = r->lock.hold_set;
}

int
s3_lock_response_headers(const struct ol_version *v, struct gw_header *h, size_t cap,
                         char date[32])
{
	size_t n = 0;

	if (v->is_delete_marker)
		return 0;
	/* expired retention is reported as stored (§8.8) */
	if (v->lock_mode != OL_LOCK_NONE && n + 2 <= cap) {
		s3_iso8601_ms_format(v->retain_until_ns, date);
		h[n++] = (struct gw_header){ "x-amz-object-lock-mode", mode_name(v->lock_mode) };
		h[n++] = (struct gw_header){ "x-amz-object-lock-retain-until-date", date };
	}
	if ((v->legal_hold || v->legal_hold_set) && n < cap)
		h[n++] = (struct gw_header){ "x-amz-object-lock-legal-hold",
		                             v->legal_hold ? "ON" : "OFF" };
	return (int)n;
}

/* ---- Put/GetObjectLockConfiguration (§4.7) ---- */

static void
put_lock_config_finish(struct s3_req *r)
{
	struct s3_object_lock_conf conf;
	struct ol_lock_rule rule;
	struct s3_xml_err xe;
	struct ol_bucket b;
	struct ol_err err;
	enum s3_code code;
	int rc;

	if (!s3_bucket_load(r, &b))
		return;
	if (r->xml.len == 0) {
		s3_reply_error(r, S3E_MissingRequestBodyError, "Request Body is empty");
		return;
	}
	memset(&xe, 0, sizeof(xe));
	code = s3_xml_parse_object_lock(r->xml.ptr, r->xml.len, S3_XML_CONFIG_MAX_BYTES, &conf, &xe);
	if (code != S3E_NONE) {
		if (xe.arg_name)
			reply_invalid_argument(r, xe.message, xe.arg_name,
			                       xe.arg_value[0] ? xe.arg_value : NULL);
		else
			s3_reply_error(r, code, xe.message);
		return;
	}
	if (!b.lock_enabled && b.versioning != OL_VERSIONING_ENABLED) {
		s3_reply_error(r, S3E_InvalidBucketState, "Versioning must be 'Enabled' on the bucket "
		               "to apply a Object Lock configuration");
		return;
	}
	memset(&rule, 0, sizeof(rule));
	if (conf.has_rule) {
		rule.mode = ol_mode(conf.mode);
		rule.days = conf.days;
		rule.years = conf.years;
	}
	rc = ol_bucket_set_object_lock(r->app->st, b.name, &rule, &err);
	if (rc == OL_ENOTFOUND)
		s3_reply_no_such_bucket(r);
	else if (rc == OL_EINVAL)
		/* versioning changed between the check and the write */
		s3_reply_error(r, S3E_InvalidBucketState, "Versioning must be 'Enabled' on the "
		               "bucket to apply a Object Lock configuration");
	else if (rc != OL_OK)
		s3_reply_store_error(r, rc, &err);
	else {
		gw_log(GW_LOG_INFO, "object_lock_config", "%s mode=%s days=%u years=%u by %s", b.name,
		       rule.mode ? mode_name(rule.mode) : "none", rule.days, rule.years, r->user);
		s3_reply_empty(r, 200, NULL, 0);
	}
}

void
s3_op_put_object_lock_config(struct s3_req *r)
{
	struct ol_bucket b;

	if (!s3_bucket_load(r, &b))
		return;
	if (!s3_has_integrity(r)) {
		s3_reply_error(r, S3E_InvalidRequest, "Missing required header for this request: "
		               "Content-MD5 OR x-amz-checksum-*");
		return;
	}
	s3_body_begin(r, S3_BODY_XML, put_lock_config_finish);
}

void
s3_op_get_object_lock_config(struct s3_req *r)
{
	struct ol_bucket b;
	struct buf doc;
	char num[16];

	if (!s3_bucket_load(r, &b))
		return;
	if (!b.lock_enabled) {
		struct s3_error_extra ex = { "BucketName", r->route.bucket };
		s3_reply_error_x(r, S3E_ObjectLockConfigurationNotFoundError, NULL, &ex, 1);
		return;
	}
	buf_init(&doc, 1024);
	buf_puts(&doc, "<ObjectLockConfiguration xmlns=\"" S3_XMLNS "\">"
	               "<ObjectLockEnabled>Enabled</ObjectLockEnabled>");
	if (b.default_rule.mode != OL_LOCK_NONE) {
		buf_puts(&doc, "<Rule><DefaultRetention>");
		xml_elem_str(&doc, "Mode", mode_name(b.default_rule.mode));
		snprintf(num, sizeof(num), "%u",
		         b.default_rule.days ? b.default_rule.days : b.default_rule.years);
		xml_elem_str(&doc, b.default_rule.days ? "Days" : "Years", num);
		buf_puts(&doc, "</DefaultRetention></Rule>");
	}
	buf_puts(&doc, "</ObjectLockConfiguration>");
	s3_reply_xml(r, 200, &doc);
	buf_release(&doc);
}

/* ---- retention and legal hold of a version (§8.4-8.6) ---- */

/*
 * The common front of the four version-lock operations: bucket (404), lock enabled (400
 * InvalidRequest), versionId syntax (400). The version itself is looked up by the caller
 * (Get) or judged by the store under the key's lock (Put). Answers and returns false.
 */
static bool
lock_target(struct s3_req *r, char vid[OL_VERSION_ID_LEN + 1])
{
	struct ol_bucket b;

	if (!s3_bucket_load(r, &b))
		return false;
	if (!b.lock_enabled) {
		s3_reply_error(r, S3E_InvalidRequest, missing_lock_config);
		return false;
	}
	return s3_version_param(r, vid);
}

/* Load the addressed version for a Get; 404 NoSuchKey/NoSuchVersion, 405 for a marker. */
static bool
lock_version_load(struct s3_req *r, const char *vid, struct ol_version *v)
{
	struct ol_err err;
	int rc;

	rc = ol_version_get(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                    vid[0] ? vid : NULL, v, &err);
	if (rc == OL_ENOTFOUND || rc == OL_EINVAL) {
		s3_reply_no_such_key(r, vid);
		return false;
	}
	if (rc != OL_OK) {
		s3_reply_store_error(r, rc, &err);
		return false;
	}
	if (v->is_delete_marker) {
		s3_reply_error(r, S3E_MethodNotAllowed, NULL);
		return false;
	}
	return true;
}

/* Map a store answer of a retention / legal-hold change. */
static void
reply_change(struct s3_req *r, const char *vid, int rc, enum ol_verdict vd,
             const struct ol_version *out, const struct ol_err *err)
{
	struct gw_header h[1];

	switch (rc) {
	case OL_OK:
		h[0] = (struct gw_header){ "x-amz-version-id", out->version_id };
		s3_reply_empty(r, 200, h, 1);
		return;
	case OL_ENOTFOUND:
		s3_reply_no_such_key(r, vid);
		return;
	case OL_EINVAL:
		if (vd == OL_DENY_PAST_DATE) {
			s3_reply_error(r, S3E_InvalidArgument, "The retain until date must be in the "
			               "future!");
			return;
		}
		if (vd == OL_DENY_BAD_CHANGE) {
			s3_reply_error(r, S3E_MalformedXML, NULL);
			return;
		}
		/* lock turned off cannot happen (irreversible): a bad key or a read-only store */
		s3_reply_store_error(r, OL_ERR, err);
		return;
	default:
		/* OL_ELOCKED -> 403 AccessDenied, OL_EDELMARKER -> 405 */
		if (rc == OL_ELOCKED)
			gw_log(GW_LOG_INFO, "object_lock_refused", "%s by %s: %s", r->route.bucket,
			       r->user, err->msg);
		s3_reply_store_error(r, rc, err);
	}
}

static void
put_retention_finish(struct s3_req *r)
{
	char vid[OL_VERSION_ID_LEN + 1];
	struct s3_retention ret;
	struct s3_xml_err xe;
	struct ol_caller who;
	struct ol_version out;
	struct ol_err err;
	enum ol_verdict vd = OL_ALLOW;
	enum s3_code code;
	int rc;

	if (!lock_target(r, vid))
		return;
	memset(&xe, 0, sizeof(xe));
	code = s3_xml_parse_retention(r->xml.ptr, r->xml.len, S3_XML_CONFIG_MAX_BYTES, &ret, &xe);
	if (code != S3E_NONE) {
		s3_reply_error(r, code, xe.message);
		return;
	}
	/* validated against the compliance clock here for the exact error, and judged again by
	 * the store on the fresh record */
	if (ret.mode != S3_LOCK_NONE && ret.retain_until_ns <= ol_clock_now(r->app->st)) {
		s3_reply_error(r, S3E_InvalidArgument, "The retain until date must be in the future!");
		return;
	}
	s3_caller(r, &who);
	ol_version_init(&out);
	rc = ol_version_set_retention(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                              vid[0] ? vid : NULL, ol_mode(ret.mode),
	                              ret.mode != S3_LOCK_NONE ? ret.retain_until_ns : 0, &who,
	                              OL_NOW, &vd, &out, &err);
	if (rc == OL_OK)
		gw_log(GW_LOG_INFO, "object_retention", "%s/%.*s %s mode=%s until=%lld by %s%s",
		       r->route.bucket, (int)(r->route.key_len > 200 ? 200 : r->route.key_len),
		       r->route.key, out.version_id, ret.mode ? mode_name(ol_mode(ret.mode)) : "none",
		       (long long)(ret.retain_until_ns / 1000000000), r->user,
		       who.bypass_permitted ? " (bypass)" : "");
	reply_change(r, vid, rc, vd, &out, &err);
	ol_version_release(&out);
}

/* Put retention / legal hold before the body: §8.4 checks 1-5 in order (the version is
 * looked up here for the exact error, and judged afresh by the store after the body). */
static bool
lock_body_front(struct s3_req *r)
{
	char vid[OL_VERSION_ID_LEN + 1];
	struct ol_version v;
	bool ok;

	if (!lock_target(r, vid))
		return false;
	ol_version_init(&v);
	ok = lock_version_load(r, vid, &v);
	ol_version_release(&v);
	if (!ok)
		return false;
	if (!s3_has_integrity(r)) {
		s3_reply_error(r, S3E_InvalidRequest, "Missing required header for this request: "
		               "Content-MD5 OR x-amz-checksum-*");
		return false;
	}
	return true;
}

void
s3_op_put_object_retention(struct s3_req *r)
{
	if (lock_body_front(r))
		s3_body_begin(r, S3_BODY_XML, put_retention_finish);
}

void
s3_op_get_object_retention(struct s3_req *r)
{
	char vid[OL_VERSION_ID_LEN + 1], date[S3_ISO8601_MS_LEN + 1];
	struct ol_version v;
	struct buf doc;

	if (!lock_target(r, vid))
		return;
	ol_version_init(&v);
	if (!lock_version_load(r, vid, &v))
		goto out;
	if (v.lock_mode == OL_LOCK_NONE) {
		s3_reply_error(r, S3E_NoSuchObjectLockConfiguration, NULL);
		goto out;
	}
	s3_iso8601_ms_format(v.retain_until_ns, date);
	buf_init(&doc, 1024);
	buf_puts(&doc, "<Retention xmlns=\"" S3_XMLNS "\">");
	xml_elem_str(&doc, "Mode", mode_name(v.lock_mode));
	xml_elem_str(&doc, "RetainUntilDate", date);
	buf_puts(&doc, "</Retention>");
	s3_reply_xml(r, 200, &doc);
	buf_release(&doc);
out:
	ol_version_release(&v);
}

static void
put_legal_hold_finish(struct s3_req *r)
{
	char vid[OL_VERSION_ID_LEN + 1];
	struct s3_legal_hold lh;
	struct s3_xml_err xe;
	struct ol_version out;
	struct ol_err err;
	enum ol_verdict vd = OL_ALLOW;
	enum s3_code code;
	int rc;

	if (!lock_target(r, vid))
		return;
	memset(&xe, 0, sizeof(xe));
	code = s3_xml_parse_legal_hold(r->xml.ptr, r->xml.len, S3_XML_CONFIG_MAX_BYTES, &lh, &xe);
	if (code != S3E_NONE) {
		s3_reply_error(r, code, xe.message);
		return;
	}
	ol_version_init(&out);
	rc = ol_version_set_legal_hold(r->app->st, r->route.bucket, r->route.key, r->route.key_len,
	                               vid[0] ? vid : NULL, lh.on, &vd, &out, &err);
	if (rc == OL_OK)
		gw_log(GW_LOG_INFO, "object_legal_hold", "%s/%.*s %s %s by %s", r->route.bucket,
		       (int)(r->route.key_len > 200 ? 200 : r->route.key_len), r->route.key,
		       out.version_id, lh.on ? "ON" : "OFF", r->user);
	reply_change(r, vid, rc, vd, &out, &err);
	ol_version_release(&out);
}

void
s3_op_put_object_legal_hold(struct s3_req *r)
{
	if (lock_body_front(r))
		s3_body_begin(r, S3_BODY_XML, put_legal_hold_finish);
}

void
s3_op_get_object_legal_hold(struct s3_req *r)
{
	char vid[OL_VERSION_ID_LEN + 1];
	struct ol_version v;
	struct buf doc;

	if (!lock_target(r, vid))
		return;
	ol_version_init(&v);
	if (!lock_version_load(r, vid, &v))
		goto out;
	if (!v.legal_hold && !v.legal_hold_set) {
		s3_reply_error(r, S3E_NoSuchObjectLockConfiguration, NULL);
		goto out;
	}
	buf_init(&doc, 512);
	buf_puts(&doc, "<LegalHold xmlns=\"" S3_XMLNS "\">");
	xml_elem_str(&doc, "Status", v.legal_hold ? "ON" : "OFF");
	buf_puts(&doc, "</LegalHold>");
	s3_reply_xml(r, 200, &doc);
	buf_release(&doc);
out:
	ol_version_release(&v);
}
