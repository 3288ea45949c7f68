/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request routing (spec/S3.md §1): from the method, the raw request-target and the Host
 * header to one S3 operation, the bucket, the decoded key and the decoded query parameters.
 * Pure and thread-safe: no I/O, no store, no globals. The handler authenticates first and
 * only then answers a refusal (spec §16.1 step 2), so dispatch refusals are operations too.
 */
#ifndef HOLDFAST_S3_ROUTER_H
#define HOLDFAST_S3_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/buf.h"
#include "errors.h"

#define S3_KEY_MAX 1024           /* bytes of decoded UTF-8 (spec §17) */
#define S3_BUCKET_SEGMENT_MAX 255 /* longest bucket segment routed; valid names are <= 63 */
#define S3_QUERY_MAX_PARAMS 64    /* more parameters -> InvalidArgument */
#define S3_QUERY_MAX_BYTES 16384  /* longer raw query -> InvalidArgument */

/*
 * Every operation of the §1.2 dispatch tables, then the four dispatch refusals. The first
 * column is the enum suffix (S3OP_<id>), the second the name used in logs and audit
 * records (the AWS API action name).
 */
#define S3_OPS(X)                                                                  \
	X(ListBuckets, "ListBuckets")                                              \
	/* bucket */                                                               \
	X(CreateBucket, "CreateBucket")                                            \
	X(HeadBucket, "HeadBucket")                                                \
	X(DeleteBucket, "DeleteBucket")                                            \
	X(ListObjects, "ListObjects")                                              \
	X(ListObjectsV2, "ListObjectsV2")                                          \
	X(ListObjectVersions, "ListObjectVersions")                                \
	X(ListMultipartUploads, "ListMultipartUploads")                            \
	X(GetBucketLocation, "GetBucketLocation")                                  \
	X(PutBucketVersioning, "PutBucketVersioning")                              \
	X(GetBucketVersioning, "GetBucketVersioning")                              \
	X(PutObjectLockConfiguration, "PutObjectLockConfiguration")                \
	X(GetObjectLockConfiguration, "GetObjectLockConfiguration")                \
	X(PutBucketTagging, "PutBucketTagging")                                    \
	X(GetBucketTagging, "GetBucketTagging")                                    \
	X(DeleteBucketTagging, "DeleteBucketTagging")                              \
	X(PutBucketPolicy, "PutBucketPolicy")                                      \
	X(GetBucketPolicy, "GetBucketPolicy")                                      \
	X(DeleteBucketPolicy, "DeleteBucketPolicy")                                \
	X(GetBucketPolicyStatus, "GetBucketPolicyStatus")                          \
	X(PutBucketAcl, "PutBucketAcl")                                            \
	X(GetBucketAcl, "GetBucketAcl")                                            \
	X(GetBucketLifecycle, "GetBucketLifecycleConfiguration")                   \
	X(GetBucketCors, "GetBucketCors")                                          \
	X(GetBucketEncryption, "GetBucketEncryption")                              \
	X(GetBucketWebsite, "GetBucketWebsite")                                    \
	X(GetBucketReplication, "GetBucketReplication")                            \
	X(DeleteBucketLifecycle, "DeleteBucketLifecycle")                          \
	X(DeleteBucketCors, "DeleteBucketCors")                                    \
	X(DeleteBucketEncryption, "DeleteBucketEncryption")                        \
	X(DeleteBucketWebsite, "DeleteBucketWebsite")                              \
	X(DeleteBucketReplication, "DeleteBucketReplication")                      \
	X(GetBucketRequestPayment, "GetBucketRequestPayment")                      \
	X(DeleteObjects, "DeleteObjects")                                          \
	X(PostObject, "PostObject")                                                \
	/* object */                                                               \
	X(PutObject, "PutObject")                                                  \
	X(CopyObject, "CopyObject")                                                \
	X(GetObject, "GetObject")                                                  \
	X(HeadObject, "HeadObject")                                                \
	X(DeleteObject, "DeleteObject")                                            \
	X(GetObjectAttributes, "GetObjectAttributes")                              \
	X(PutObjectRetention, "PutObjectRetention")                                \
	X(GetObjectRetention, "GetObjectRetention")                                \
	X(PutObjectLegalHold, "PutObjectLegalHold")                                \
	X(GetObjectLegalHold, "GetObjectLegalHold")                                \
	X(PutObjectTagging, "PutObjectTagging")                                    \
	X(GetObjectTagging, "GetObjectTagging")                                    \
	X(DeleteObjectTagging, "DeleteObjectTagging")                              \
	X(PutObjectAcl, "PutObjectAcl")                                            \
	X(GetObjectAcl, "GetObjectAcl")                                            \
	X(CreateMultipartUpload, "CreateMultipartUpload")                          \
	X(UploadPart, "UploadPart")                                                \
	X(UploadPartCopy, "UploadPartCopy")                                        \
	X(CompleteMultipartUpload, "CompleteMultipartUpload")                      \
	X(AbortMultipartUpload, "AbortMultipartUpload")                            \
	X(ListParts, "ListParts")                                                  \
	X(RestoreObject, "RestoreObject")                                          \
	X(SelectObjectContent, "SelectObjectContent")                              \
	/* dispatch refusals: answer with s3_op_refusal(op) after authentication */ \
	X(NotImplemented, "NotImplemented")                                        \
	X(MethodNotAllowed, "MethodNotAllowed")                                    \
	X(InvalidRequest, "InvalidRequest")                                        \
	X(InvalidArgument, "InvalidArgument")

enum s3_op {
	S3OP_NONE = 0, /* never returned by a successful s3_route() */
#define S3_OP_ENUM_(id, name) S3OP_##id,
	S3_OPS(S3_OP_ENUM_)
#undef S3_OP_ENUM_
	S3OP_COUNT_
};

/* What the target names; also the <ResourceType> of a MethodNotAllowed error. */
enum s3_resource {
	S3_RES_SERVICE = 0, /* "/" */
	S3_RES_BUCKET,      /* "/{bucket}" or "/{bucket}/" */
	S3_RES_OBJECT,      /* "/{bucket}/{key}" */
	S3_RES_UPLOAD,      /* only on the MethodNotAllowed refusal of PUT ?uploadId without partNumber */
};

/* A decoded query parameter. Both slices point into the route's own memory and are
 * NUL-terminated there, but may contain NUL bytes (from %00): use .n. */
struct s3_qparam {
	struct slice name, value;
};

struct s3_route {
	enum s3_op op;
	enum s3_resource res;
	bool vhost; /* the bucket came from the Host header */

	/* Refusal ops only: the message for <Message> (NULL = the error table's default) and
	 * the <ArgumentName> of an InvalidArgument (NULL = none; the caller supplies
	 * <ArgumentValue>, e.g. the x-amz-copy-source header value). Static strings. */
	const char *refusal_msg;
	const char *refusal_arg;

	/* Decoded once from the path or the Host; "" for the service. Never empty otherwise. */
	char bucket[S3_BUCKET_SEGMENT_MAX + 1];
	size_t bucket_len;

	/* Decoded key, valid UTF-8, 1..S3_KEY_MAX bytes for S3_RES_OBJECT, else "" and 0.
	 * NUL-terminated in owned memory but may hold U+0000: use key_len. */
	const char *key;
	size_t key_len;

	struct s3_qparam query[S3_QUERY_MAX_PARAMS]; /* in request order, duplicates kept */
	size_t nquery;

	char *mem_; /* owned: key and query text */
};

/* Flags for s3_route(). S3_ROUTE_COPY_SOURCE is 1 so a plain `true` works. */
#define S3_ROUTE_COPY_SOURCE 0x1u /* the request carries x-amz-copy-source */
#define S3_ROUTE_FORM_POST 0x2u   /* Content-Type is multipart/form-data (PostObject) */

/**
 * Route one request.
 *
 * @method      the request method as sent (case-sensitive); NULL or unknown ->
 *              S3OP_MethodNotAllowed
 * @target      the request-target exactly as sent (origin-form "/path?query", or
 *              absolute-form "http://host/path?query" whose authority then replaces @host),
 *              not NUL-terminated necessarily; @target_len bytes
 * @host        the Host header value (may carry a port, may be NULL)
 * @base_domain the virtual-host base domain ("" or NULL = path style only)
 * @flags       S3_ROUTE_* facts about headers that take part in dispatch
 *
 * Addressing (§1.1): a Host (port and one trailing dot stripped, lower-cased) ending in
 * "." + @base_domain names the bucket and the whole path is the key; anything else (no
 * Host, the base domain itself, an IP literal) is path style. The key is the raw path
 * after "/{bucket}/" percent-decoded exactly once ('+' stays '+', "//" and dot segments
 * kept, trailing '/' kept). The query is split on '&', each item on its first '=', both
 * halves decoded with '+' = space; empty items are skipped; a bare name has an empty
 * value. Dispatch follows the §1.2 tables and rules 1, 2 and 4 (rule 3, bucket
 * existence, is the handler's).
 *
 * Returns S3E_NONE and fills @out (release it with s3_route_release), or, leaving @out
 * untouched:
 *   S3E_InvalidURI          target empty or not origin/absolute form, a control byte or
 *                           space in it, an invalid percent-escape anywhere, invalid UTF-8
 *                           in the decoded key, an empty bucket segment ("//key")
 *   S3E_InvalidBucketName   bucket segment longer than S3_BUCKET_SEGMENT_MAX bytes
 *   S3E_KeyTooLongError     decoded key longer than S3_KEY_MAX bytes
 *   S3E_InvalidArgument     more than S3_QUERY_MAX_PARAMS parameters or a raw query longer
 *                           than S3_QUERY_MAX_BYTES
 *   S3E_InternalError       out of memory
 * A refusal decided by dispatch is a success with op = S3OP_NotImplemented,
 * S3OP_MethodNotAllowed, S3OP_InvalidRequest or S3OP_InvalidArgument.
 */
enum s3_code s3_route(const char *method, const char *target, size_t target_len,
                      const char *host, const char *base_domain, unsigned flags,
                      struct s3_route *out);

/* Free what @r owns and zero it. NULL-safe, idempotent. */
void s3_route_release(struct s3_route *r);

/* The value of the first query parameter named @name (exact, case-sensitive), or NULL if
 * absent. A bare "?name" gives an empty slice. Borrowed from @r. */
const struct slice *s3_query_get(const struct s3_route *r, const char *name);

/* "PutObject", ...; "Unknown" for values out of range. Static. */
const char *s3_op_name(enum s3_op op);

/* The error a refusal op answers with (S3E_NotImplemented, S3E_MethodNotAllowed,
 * S3E_InvalidRequest, S3E_InvalidArgument); S3E_NONE for a real operation. */
enum s3_code s3_op_refusal(enum s3_op op);

/* "SERVICE", "BUCKET", "OBJECT", "UPLOAD" for <ResourceType>. Static. */
const char *s3_resource_name(enum s3_resource res);

/**
 * The CreateBucket naming rules of spec §4.1 on (p, n): 3..63 bytes of [a-z0-9.-],
 * first and last a letter or digit, no "..", not shaped like an IPv4 address (four
 * dot-separated digit runs), no "xn--" or "sthree-" prefix, no "-s3alias" or "--ol-s3"
 * suffix. False means 400 InvalidBucketName. Pure.
 */
bool s3_bucket_name_valid(const char *p, size_t n);

/*
 * Percent-decode (p, n) once. '+' becomes ' ' only when @plus_space (query, form
 * encoding); in a path it is a literal plus (RFC 3986; spec §1.1). Writes the first @cap
 * decoded bytes to @dst and the full decoded length to @outlen. Returns false on a '%' not
 * followed by two hex digits. Decoded text is never longer than (p, n).
 */
bool s3_pct_decode(const char *p, size_t n, bool plus_space, char *dst, size_t cap,
                   size_t *outlen);

#endif
