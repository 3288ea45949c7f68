/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request-body XML (spec/S3.md §4.1, §4.6, §4.7, §4.8, §5.4, §5.9, §7.4, §8.4, §8.6)
 * parsed with libxml2 into plain C structs.
 *
 * Safety (STYLE "libxml2"; spec §16.4): no network, no DTD at all (a DOCTYPE or an
 * ENTITY declaration is refused before libxml2 sees it, and again from the SAX hook), so
 * no external entity and no entity expansion; the body is read as UTF-8 whatever it
 * declares; a caller-given byte limit; a nesting limit of S3_XML_MAX_DEPTH and an element
 * count limit per document type, enforced while parsing so no large tree is ever built.
 * libxml2 diagnostics never reach stderr.
 *
 * Elements are matched by local name: a namespace, the S3 one or none (Veeam, s3cmd) or
 * any other, is ignored (§0). Attributes are ignored. Unknown child elements are ignored;
 * a repeated single-valued element, text where elements belong, or elements inside a
 * value is MalformedXML. Values are taken exactly (no trimming), entities and character
 * references decoded ("&#34;" in rclone's ETags).
 *
 * Every parser: (p, n) is the body, @max_bytes the caller's limit (n > max_bytes is
 * MalformedXML), @out is written only on S3E_NONE, @err (may be NULL) receives what to
 * put in the <Error> when there is something beyond the code. Returns S3E_NONE, the code
 * named below, or S3E_InternalError when memory runs out. An empty body is MalformedXML
 * unless said otherwise: s3_xml_require_body() gives the spec's answer for operations
 * where a body is mandatory. Thread-safe once s3_xml_init() has run.
 */
#ifndef HOLDFAST_S3_XMLPARSE_H
#define HOLDFAST_S3_XMLPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "errors.h"

#define S3_XML_MAX_DEPTH 16
/* Suggested @max_bytes (spec §16.4): configuration bodies, DeleteObjects, Complete. */
#define S3_XML_CONFIG_MAX_BYTES (64u * 1024)
#define S3_XML_DELETE_MAX_BYTES (2u * 1024 * 1024)
#define S3_XML_COMPLETE_MAX_BYTES (4u * 1024 * 1024)

#define S3_DELETE_MAX_OBJECTS 1000 /* §5.4: more is MalformedXML */
#define S3_COMPLETE_MAX_PARTS 10000
#define S3_TAG_KEY_MAX_CHARS 128
#define S3_TAG_VALUE_MAX_CHARS 256
#define S3_OBJECT_TAGS_MAX 10
#define S3_BUCKET_TAGS_MAX 50

/* What to report besides the code. Static strings; arg_value is a copy. */
struct s3_xml_err {
	const char *message;  /* for <Message>; NULL = the error table's default */
	const char *arg_name; /* <ArgumentName> of an InvalidArgument, else NULL */
	char arg_value[40];   /* <ArgumentValue>, truncated; "" when none */
	const char *detail;   /* for the log only: what exactly was wrong */
};

/* Owned memory of a parse result (a chain of blocks); opaque. */
struct s3_xml_mem {
	void *head;
};

/* Initialise libxml2 once; call from main() before threads start. Idempotent. */
void s3_xml_init(void);

/* S3E_MissingRequestBodyError for an empty body (n == 0), else S3E_NONE: for the
 * operations whose spec says so (PutObjectLockConfiguration §4.7, ...). */
enum s3_code s3_xml_require_body(size_t n);

/* Strings below point into the result's own memory, are NUL-terminated there, and
 * never contain NUL (XML cannot carry it). */

/* ---- CreateBucketConfiguration (§4.1) ------------------------------------------------ */
struct s3_create_bucket_conf {
	struct slice location; /* LocationConstraint; empty = default region */
	struct s3_xml_mem mem;
};
/* An empty body is valid here (no configuration). MalformedXML otherwise. */
enum s3_code s3_xml_parse_create_bucket(const char *p, size_t n, size_t max_bytes,
                                        struct s3_create_bucket_conf *out,
                                        struct s3_xml_err *err);
void s3_create_bucket_conf_release(struct s3_create_bucket_conf *c);

/* ---- Delete (§5.4) ------------------------------------------------------------------- */
struct s3_delete_obj {
	struct slice key;        /* may be empty or longer than a key may be: per-entry error */
	struct slice version_id; /* valid when has_version_id */
	bool has_version_id;
	/* conditional delete (each valid when has_*): ETag as sent, LastModifiedTime as
	 * ISO-8601 text, Size as decimal text; the handler evaluates them */
	struct slice etag, mtime, size;
	bool has_etag, has_mtime, has_size;
};
struct s3_delete_req {
	bool quiet;
	size_t n; /* 1..S3_DELETE_MAX_OBJECTS */
	struct s3_delete_obj *objects;
	struct s3_xml_mem mem;
};
/* MalformedXML also for no <Object>, more than 1000, an <Object> without <Key>, a Quiet
 * other than true/false/1/0. */
enum s3_code s3_xml_parse_delete(const char *p, size_t n, size_t max_bytes,
                                 struct s3_delete_req *out, struct s3_xml_err *err);
void s3_delete_req_release(struct s3_delete_req *d);

/* ---- VersioningConfiguration (§4.6) -------------------------------------------------- */
enum s3_versioning_status { S3_VERSIONING_UNSET = 0, S3_VERSIONING_ENABLED, S3_VERSIONING_SUSPENDED };
enum s3_mfa_delete { S3_MFA_DELETE_UNSET = 0, S3_MFA_DELETE_DISABLED, S3_MFA_DELETE_ENABLED };
struct s3_versioning_conf {
	enum s3_versioning_status status; /* UNSET: no <Status>; the handler decides */
	enum s3_mfa_delete mfa_delete;
};
/* MalformedXML for a Status other than exactly Enabled/Suspended or an MfaDelete other
 * than Enabled/Disabled; then NotImplemented for MfaDelete=Enabled. No release needed. */
enum s3_code s3_xml_parse_versioning(const char *p, size_t n, size_t max_bytes,
                                     struct s3_versioning_conf *out, struct s3_xml_err *err);

/* ---- ObjectLockConfiguration (§4.7), Retention (§8.4), LegalHold (§8.6) -------------- */
enum s3_lock_mode { S3_LOCK_NONE = 0, S3_LOCK_GOVERNANCE, S3_LOCK_COMPLIANCE };

struct s3_object_lock_conf {
	bool has_rule;          /* false: no default retention (removes it) */
	enum s3_lock_mode mode; /* with has_rule */
	uint32_t days;          /* exactly one of days / years is non-zero with has_rule */
	uint32_t years;
};
/* In the §4.7 order: MalformedXML (wrong root, ObjectLockEnabled not exactly "Enabled",
 * Rule without DefaultRetention, no or bad Mode, both or neither of Days/Years, a
 * non-integer); then InvalidArgument "Default retention period must be a positive
 * integer value." for Days/Years <= 0 and "Default retention period too large." above
 * 36500 days / 100 years (arg_name "Days"/"Years", arg_value the number). No release. */
enum s3_code s3_xml_parse_object_lock(const char *p, size_t n, size_t max_bytes,
                                      struct s3_object_lock_conf *out, struct s3_xml_err *err);

struct s3_retention {
	enum s3_lock_mode mode;  /* S3_LOCK_NONE: empty <Retention/>, i.e. remove */
	int64_t retain_until_ns; /* with a mode; Unix ns; "must be in the future" is the
	                          * caller's check (it needs the compliance clock) */
};
/* MalformedXML: root not Retention, Mode not exactly GOVERNANCE/COMPLIANCE, only one of
 * Mode/RetainUntilDate, a date that is not RFC 3339 or not representable. No release. */
enum s3_code s3_xml_parse_retention(const char *p, size_t n, size_t max_bytes,
                                    struct s3_retention *out, struct s3_xml_err *err);

struct s3_legal_hold {
	bool on;
};
/* Root LegalHold (or MinIO's ObjectLockLegalHold); Status exactly ON or OFF, else (and
 * for an empty body, §8.6) MalformedXML. No release. */
enum s3_code s3_xml_parse_legal_hold(const char *p, size_t n, size_t max_bytes,
                                     struct s3_legal_hold *out, struct s3_xml_err *err);

/* ---- CompleteMultipartUpload (§7.4) -------------------------------------------------- */
struct s3_complete_part {
	uint32_t part_number;
	struct slice etag; /* as sent (quotes kept, entities decoded); compare via the handler */
	/* x-amz-checksum values as sent (base64); .p NULL when absent */
	struct slice crc32, crc32c, crc64nvme, sha1, sha256;
};
struct s3_complete_req {
	size_t n; /* 1..S3_COMPLETE_MAX_PARTS */
	struct s3_complete_part *parts;
	struct s3_xml_mem mem;
};
/* In the §7.4 order: MalformedXML (not XML, no <Part>, more than 10000, a Part without
 * PartNumber or ETag, a PartNumber that is not an integer); InvalidArgument "PartNumber
 * must be >= 1" (arg_name "PartNumber"); InvalidPartOrder when the numbers are not
 * strictly ascending. */
enum s3_code s3_xml_parse_complete(const char *p, size_t n, size_t max_bytes,
                                   struct s3_complete_req *out, struct s3_xml_err *err);
void s3_complete_req_release(struct s3_complete_req *c);

/* ---- Tagging (§4.8, §5.9) ------------------------------------------------------------ */
struct s3_tag {
	struct slice key, value;
};
struct s3_tagging {
	size_t n; /* 0..max_tags; 0 = empty TagSet */
	struct s3_tag *tags;
	struct s3_xml_mem mem;
};
/* MalformedXML: root not Tagging, no TagSet, a Tag without Key or Value. InvalidTag
 * (with a message): more than @max_tags (S3_OBJECT_TAGS_MAX or S3_BUCKET_TAGS_MAX), an
 * empty key, a key over 128 or a value over 256 characters, a repeated key. */
enum s3_code s3_xml_parse_tagging(const char *p, size_t n, size_t max_bytes, size_t max_tags,
                                  struct s3_tagging *out, struct s3_xml_err *err);
void s3_tagging_release(struct s3_tagging *t);

#endif
