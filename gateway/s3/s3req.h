/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to gateway/s3/: the per-request state of the S3 application and the helpers the
 * operation files share. One struct s3_req per HTTP request, owned by the handler (created
 * in begin, freed in done); operations answer through the s3_reply_* helpers.
 */
#ifndef HOLDFAST_S3_REQ_H
#define HOLDFAST_S3_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "../../crypto/crypto.h"
#include "../../objectlock/objectlock.h"
#include "../auth/sigv4.h"
#include "../base/buf.h"
#include "awschunked.h"
#include "errors.h"
#include "handler.h"
#include "router.h"

#define S3_MAX_HEADERS 128
#define S3_HEADER_SECTION_MAX 8192 /* spec §1.3 */
#define S3_META_MAX 2048           /* x-amz-meta-* names + values, spec §1.3 */
#define S3_PUT_MAX_BYTES (5ull << 30) /* 5 GiB, spec §5.1 */
#define S3_XML_BODY_MAX (2u << 20)

enum s3_body_kind {
	S3_BODY_NONE = 0, /* the operation takes no body: it was answered in begin */
	S3_BODY_XML,      /* collect (bounded) into xml, run ->finish at the end */
	S3_BODY_OBJECT,   /* stream into the store (PutObject) */
};

struct s3_req;
typedef void (*s3_finish_fn)(struct s3_req *r);

/* Object Lock headers of a write (x-amz-object-lock-*), validated (ops_lock.c) */
struct s3_lock_req {
	bool given;             /* any of the three headers */
	enum ol_lock_mode mode; /* OL_LOCK_NONE: no explicit retention (the default may apply) */
	int64_t until_ns;       /* with a mode */
	bool hold, hold_set;    /* x-amz-object-lock-legal-hold ON / given */
};

struct s3_req {
	struct s3_app *app;
	struct gw_request *http;
	struct s3_route route;
	bool routed;
	struct sigv4_header hdrs[S3_MAX_HEADERS];
	size_t nhdrs;
	size_t header_bytes;
	struct sigv4_auth auth;
	bool authed;
	bool is_root;                 /* authenticated as the root user */
	char user[64];

	/* body pipeline: wire -> [aws-chunked] -> hashes -> xml buf | store */
	enum s3_body_kind body_kind;
	s3_finish_fn finish;
	struct s3_chunked chunked;
	bool chunked_on;
	struct cr_hash md5, sha256;
	bool md5_on, sha256_on;
	struct cr_cksum cksum;        /* the requested or default checksum */
	bool cksum_on;
	uint8_t cksum_expect[CR_MAX_DIGEST_LEN]; /* from an x-amz-checksum-* header */
	bool cksum_from_header, cksum_from_trailer;
	uint8_t content_md5[CR_MD5_LEN];
	bool has_content_md5;
	uint8_t md5_digest[CR_MD5_LEN];         /* after body_verify, when md5_on */
	uint8_t cksum_value[CR_MAX_DIGEST_LEN]; /* after body_verify, when cksum_on */
	uint64_t received;            /* decoded body bytes */
	uint64_t expect_len;          /* decoded length when known */
	bool expect_len_known;
	struct buf xml;
	struct ol_put *put;
	enum cr_cksum_alg default_cksum; /* computed for objects sent without a checksum */
	bool strict_cksum;            /* a sent checksum must be of default_cksum's algorithm */
	char upload_id[OL_UPLOAD_ID_LEN + 1]; /* multipart operations */
	struct s3_lock_req lock;      /* writes: from s3_put_precheck */
	bool body_dead;               /* a failure while receiving: drop the rest, answer at end */
	enum s3_code body_err;        /* sticky: first sink failure while receiving */
	char body_msg[192];
};

/* ---- header access (case-insensitive; NULL when absent) ---- */
const char *s3_hdr(struct s3_req *r, const char *name);
bool s3_hdr_slice(struct s3_req *r, const char *name, struct slice *out);

/* ---- replies ---- */
void s3_reply_error(struct s3_req *r, enum s3_code code, const char *msg);
void s3_reply_error_x(struct s3_req *r, enum s3_code code, const char *msg,
                      const struct s3_error_extra *extras, size_t n);
void s3_reply_no_such_bucket(struct s3_req *r);
void s3_reply_store_error(struct s3_req *r, int ol_rc, const struct ol_err *err);
/* 200 with an XML document (prolog added) */
void s3_reply_xml(struct s3_req *r, int status, const struct buf *doc);
void s3_reply_xml_h(struct s3_req *r, int status, const struct buf *doc,
                    const struct gw_header *extra, size_t nextra); /* at most 7 extra */
void s3_reply_empty(struct s3_req *r, int status, const struct gw_header *h, size_t n);

/* Load the route's bucket; answers NoSuchBucket (or the store error) and returns false. */
bool s3_bucket_load(struct s3_req *r, struct ol_bucket *out);

/* Does the request prove its body's integrity (spec §3.4): Content-MD5, an x-amz-checksum-*
 * header or trailer, or a signed payload? */
bool s3_has_integrity(struct s3_req *r);
/* The route's ?versionId (out "" when absent); answers 400 InvalidArgument and returns false
 * for a malformed one. */
bool s3_version_param(struct s3_req *r, char out[OL_VERSION_ID_LEN + 1]);
/* 404 NoSuchVersion when @vid is non-empty, else NoSuchKey. */
void s3_reply_no_such_key(struct s3_req *r, const char *vid);

/* Owner id/name of everything (one account for now). */
#define S3_OWNER_ID "holdfast"
#define S3_OWNER_NAME "holdfast"
int s3_xml_owner(struct buf *b);
/* URL-encode for encoding-type=url: unreserved and '/' kept, everything else %XX (a space
 * is %20, never '+': decoders that treat '+' as a literal would read a different key) */
int s3_url_encode(struct buf *b, const char *p, size_t n);
/* <name>text</name>, the text URL-encoded when @url (encoding-type=url), else escaped */
int s3_xml_elem_key(struct buf *b, const char *name, const char *p, size_t n, bool url);
/* x-amz-checksum-<alg> header name */
const char *s3_cksum_header(enum cr_cksum_alg alg);

/* ---- operations (ops_*.c) ---- */
void s3_op_list_buckets(struct s3_req *r);
void s3_op_create_bucket(struct s3_req *r);
void s3_op_head_bucket(struct s3_req *r);
void s3_op_delete_bucket(struct s3_req *r);
void s3_op_bucket_location(struct s3_req *r);
void s3_op_get_versioning(struct s3_req *r);
void s3_op_put_versioning(struct s3_req *r);
void s3_op_bucket_probe(struct s3_req *r);
void s3_op_acl(struct s3_req *r);
void s3_op_list_objects(struct s3_req *r);
void s3_op_put_object(struct s3_req *r);
void s3_op_get_object(struct s3_req *r);
void s3_op_delete_object(struct s3_req *r);
void s3_op_delete_objects(struct s3_req *r);
void s3_op_get_object_tagging(struct s3_req *r);
void s3_op_create_multipart(struct s3_req *r);
void s3_op_upload_part(struct s3_req *r);
void s3_op_complete_multipart(struct s3_req *r);
void s3_op_abort_multipart(struct s3_req *r);
void s3_op_list_parts(struct s3_req *r);
void s3_op_list_uploads(struct s3_req *r);
/* Multipart request parts shared with UploadPartCopy (ops_multipart.c); each answers and
 * returns false on a refusal. */
void s3_reply_no_such_upload(struct s3_req *r, const char *upload_id);
bool s3_upload_id_param(struct s3_req *r, char out[OL_UPLOAD_ID_LEN + 1]);
bool s3_upload_load(struct s3_req *r, const char *upload_id, struct ol_upload *out);
bool s3_part_number_param(struct s3_req *r, uint32_t *out);
void s3_op_copy_object(struct s3_req *r);
void s3_op_get_object_attributes(struct s3_req *r);
void s3_op_upload_part_copy(struct s3_req *r);

/* ---- shared by the object-creating operations (ops_object.c) ---- */
/* Header checks every write of a new object makes before reading a body: key, Object Lock
 * headers, storage class, ACL. Answers and returns false on a refusal. */
bool s3_put_precheck(struct s3_req *r, const struct ol_bucket *b);
/* Content-Type, the stored headers and x-amz-meta-* of the request into @v. */
bool s3_fill_metadata(struct s3_req *r, struct ol_version *v);
enum ol_cksum_alg s3_ol_alg(enum cr_cksum_alg a);
enum cr_cksum_alg s3_cr_alg(enum ol_cksum_alg a);

/* ---- Object Lock (ops_lock.c) ---- */
void s3_op_put_object_lock_config(struct s3_req *r);
void s3_op_get_object_lock_config(struct s3_req *r);
void s3_op_put_object_retention(struct s3_req *r);
void s3_op_get_object_retention(struct s3_req *r);
void s3_op_put_object_legal_hold(struct s3_req *r);
void s3_op_get_object_legal_hold(struct s3_req *r);
/* Is the caller the root user (who holds every permission until policies exist)? */
bool s3_is_root(const struct s3_req *r);
/* The caller's x-amz-bypass-governance-retention and its permission (spec §8.2). */
void s3_caller(struct s3_req *r, struct ol_caller *who);
/* Validate the x-amz-object-lock-* headers of a write in the §8.3 order into r->lock.
 * Answers and returns false on a refusal. */
bool s3_lock_write_headers(struct s3_req *r, const struct ol_bucket *b);
/* PutObject / UploadPart: a body that will be locked (explicit or default retention) needs
 * an integrity proof (§8.3 #7). Answers and returns false. */
bool s3_lock_integrity_check(struct s3_req *r, const struct ol_bucket *b, bool locking);
/* r->lock into the new version's (or upload template's) lock fields. */
void s3_lock_apply(const struct s3_req *r, struct ol_version *v);
/* x-amz-object-lock-* response headers of @v (GET/HEAD, §8.8) into @h (at most @cap, 3
 * suffice); @date is their storage. Returns the count. */
int s3_lock_response_headers(const struct ol_version *v, struct gw_header *h, size_t cap,
                             char date[32]);

/* the admin API (ops_admin.c): requests under /_holdfast/ */
bool s3_admin_target(const char *target);
void s3_op_admin(struct s3_req *r);

/* Set up the body pipeline (framing, integrity headers, limits) for a body of @kind; on
 * success ->finish runs once the body arrived whole and passed every integrity check (with
 * r->xml complete for S3_BODY_XML). Answers and returns false on a bad request. */
bool s3_body_begin(struct s3_req *r, enum s3_body_kind kind, s3_finish_fn finish);

#endif
