/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SigV4 request verification (spec/S3.md §2): scheme detection, Authorization header and
 * presigned-query parsing, the S3 flavour of the canonical request, time and scope checks,
 * the signature compare, and the payload mode the body decoder needs next.
 *
 * Pure functions: no HTTP library, no store, no clock, no logging. The request is described
 * by borrowed (pointer, length) views exactly as received; the caller supplies the current
 * time and a secret-lookup callback. Thread-safe on distinct objects.
 *
 * Every function that can refuse a request returns an enum s3_code (S3E_NONE on success)
 * and fills a struct sigv4_err whose message and extra elements go to the S3 error
 * renderer unchanged. Secrets and signing keys never appear in a message or an extra.
 */
#ifndef HOLDFAST_GW_SIGV4_H
#define HOLDFAST_GW_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../crypto/crypto.h"
#include "../base/buf.h"
#include "../s3/errors.h"

#define SIGV4_ACCESS_KEY_MAX 128   /* = GW_ACCESS_KEY_MAX; longer keys are unknown keys */
#define SIGV4_REGION_MAX 63        /* config region rule [a-z0-9-]{1,63} */
#define SIGV4_MAX_SKEW_S 900       /* §2.2: 15 minutes either way */
#define SIGV4_MAX_EXPIRES_S 604800 /* §2.6: 7 days */
#define SIGV4_SIGNED_HEADERS_MAX 64
#define SIGV4_QUERY_PARAMS_MAX 256
/* Hard bound of a canonical request (and of each of its parts while it is built). The
 * HTTP layer already caps the header section at 8 KiB and the request line at MHD's
 * limit; this is the verifier's own backstop. */
#define SIGV4_CANON_MAX (64 * 1024)

/* One request header as received: any case, not trimmed, repeated names allowed. */
struct sigv4_header {
	struct slice name;
	struct slice value;
};

/* The request, borrowed for the duration of a call. */
struct sigv4_request {
	struct slice method;  /* as sent, e.g. "PUT" */
	struct slice target;  /* raw request-target: path ['?' query], undecoded, as sent */
	const struct sigv4_header *headers;
	size_t nheaders;
	int64_t now_s;        /* server time, seconds since the epoch (UTC) */
};

/* §2.1 in order. Only HEADER and PRESIGNED can succeed. */
enum sigv4_scheme {
	SIGV4_SCHEME_ANONYMOUS = 0, /* no Authorization header, no auth query parameters */
	SIGV4_SCHEME_HEADER,        /* Authorization: AWS4-HMAC-SHA256 ... */
	SIGV4_SCHEME_PRESIGNED,     /* ?X-Amz-Algorithm=... (any value but SigV4a) */
	SIGV4_SCHEME_V2_HEADER,     /* Authorization: AWS AKID:sig */
	SIGV4_SCHEME_V2_PRESIGNED,  /* ?AWSAccessKeyId=...&Signature=... */
	SIGV4_SCHEME_V4A,           /* AWS4-ECDSA-P256-SHA256, header or query */
	SIGV4_SCHEME_CONFLICT,      /* Authorization header and auth query parameters */
	SIGV4_SCHEME_UNKNOWN,       /* an Authorization header of any other type */
};

/* §2.4: what x-amz-content-sha256 says about the body. Presigned requests: the
 * X-Amz-Content-Sha256 query parameter, else a (signed) x-amz-content-sha256 header, else
 * UNSIGNED-PAYLOAD — both for the canonical request and for this mode. */
enum sigv4_payload {
	SIGV4_PAYLOAD_SHA256 = 1,                /* body must hash to payload_sha256 */
	SIGV4_PAYLOAD_UNSIGNED,                  /* UNSIGNED-PAYLOAD */
	SIGV4_PAYLOAD_STREAMING_SIGNED,          /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD */
	SIGV4_PAYLOAD_STREAMING_SIGNED_TRAILER,  /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER */
	SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER, /* STREAMING-UNSIGNED-PAYLOAD-TRAILER */
};

/*
 * The secret of @access_key (NUL-terminated, at most SIGV4_ACCESS_KEY_MAX chars): copy it
 * to @secret (@cap bytes, no NUL needed) and set *secret_len. Return GW_OK, GW_ENOTFOUND for
 * an unknown key (-> InvalidAccessKeyId), or another negative enum gw_rc (-> InternalError).
 * The verifier wipes @secret after use.
 */
typedef int (*sigv4_secret_fn)(void *ctx, const char *access_key, char *secret, size_t cap,
                               size_t *secret_len);

struct sigv4_config {
	/* The configured region. Scopes naming it or "us-east-1" are accepted (§2.2: minio-go
	 * signs GetBucketLocation with us-east-1); the signature is always checked with the
	 * region as written in the scope (§2.8 pitfall 10). */
	const char *region;
	sigv4_secret_fn secret;
	void *secret_ctx;
};

/* A verified request: everything the body phase needs. signing_key is a secret: release
 * with sigv4_auth_wipe as soon as the body is decoded. */
struct sigv4_auth {
	enum sigv4_scheme scheme;      /* HEADER or PRESIGNED */
	enum sigv4_payload payload;
	uint8_t payload_sha256[CR_SHA256_LEN]; /* SIGV4_PAYLOAD_SHA256 only */
	char access_key[SIGV4_ACCESS_KEY_MAX + 1];
	char region[SIGV4_REGION_MAX + 1];     /* as written in the scope */
	char amz_date[CR_SIGV4_AMZ_DATE_LEN + 1]; /* yyyymmddTHHMMSSZ of the string to sign */
	char scope[CR_SIGV4_SCOPE_MAX + 1];    /* yyyymmdd/region/s3/aws4_request */
	char seed_signature[CR_SIGV4_SIG_HEX_LEN + 1]; /* the verified request signature */
	uint8_t signing_key[CR_SIGV4_KEY_LEN];
	int64_t request_time_s;
};

/* Message and extra <Error> elements of a refusal. Values live in @store, so the struct is
 * large (~17 KiB): keep it in the request object, not on a small stack. An extra that does
 * not fit is left out whole rather than truncated. */
#define SIGV4_ERR_EXTRAS 6
#define SIGV4_ERR_STORE 16384
struct sigv4_err {
	char msg[256];                 /* "" = the table's default message */
	struct s3_error_extra extra[SIGV4_ERR_EXTRAS];
	size_t nextra;
	size_t used;
	char store[SIGV4_ERR_STORE];
};

void sigv4_err_clear(struct sigv4_err *e);
/* The message for s3_error_xml / gw_respond_error: NULL when the default applies. */
const char *sigv4_err_message(const struct sigv4_err *e);

/* Classify @rq per §2.1. Never fails; reads only the Authorization header and the query. */
enum sigv4_scheme sigv4_detect(const struct sigv4_request *rq);

/* The refusal for a scheme that cannot succeed: AccessDenied (anonymous), InvalidRequest
 * "The authorization mechanism you have provided is not supported. Please use
 * AWS4-HMAC-SHA256." (SigV2 and SigV4a, §2.1/§2.9), InvalidArgument "Only one auth
 * mechanism allowed; ..." (conflict) or InvalidArgument "Unsupported Authorization Type"
 * (unknown), with ArgumentName/ArgumentValue. S3E_NONE for HEADER and PRESIGNED. */
enum s3_code sigv4_scheme_error(enum sigv4_scheme s, const struct sigv4_request *rq,
                                struct sigv4_err *err);

/* Authorization header fields, borrowed from the header value. */
struct sigv4_authz {
	struct slice access_key, date8, region, service, terminal;
	struct slice scope;           /* date8/region/service/terminal exactly as written */
	struct slice signed_headers;  /* "h1;h2;..." as written */
	struct slice signature;
};

/*
 * Parse "AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/s3/aws4_request,
 * SignedHeaders=h1;h2, Signature=hex" (§2.2): components in any order, separated by ','
 * with optional spaces, each exactly once. Checks the credential shape, the scope date
 * format, service "s3" and terminator "aws4_request"; the region and the date match are
 * checked by sigv4_verify, which knows the configuration and the request time.
 * S3E_NONE, or S3E_AuthorizationHeaderMalformed with AWS's message.
 */
enum s3_code sigv4_parse_authorization(struct slice value, struct sigv4_authz *out,
                                       struct sigv4_err *err);

/* Parse an x-amz-content-sha256 value (§2.4). S3E_NONE; S3E_InvalidArgument (ArgumentName
 * x-amz-content-sha256) for anything unknown; S3E_NotImplemented for the SigV4a streaming
 * modes. @sha is written for SIGV4_PAYLOAD_SHA256 only. */
enum s3_code sigv4_payload_parse(struct slice v, enum sigv4_payload *mode,
                                 uint8_t sha[CR_SHA256_LEN], struct sigv4_err *err);

/*
 * Canonical pieces (§2.3, §2.8), appended to @out (a buf with its own max). GW_OK,
 * GW_E2BIG (past @out's max or SIGV4_QUERY_PARAMS_MAX), GW_ENOMEM. Never fail on junk
 * input: invalid escapes are taken literally, raw bytes outside the unreserved set are
 * encoded.
 * - URI: each '/'-separated segment of the raw path is percent-decoded once ('+' stays
 *   '+') and re-encoded with the unreserved set A-Z a-z 0-9 - _ . ~ in upper-case hex: no
 *   normalisation, no double encoding, "%2F" inside a segment stays "%2F". Empty -> "/".
 * - query: each name and value decoded ('+' = space, §1.1) and re-encoded ('/' -> %2F,
 *   space -> %20), "name=" for empty or missing values, sorted by name then value in byte
 *   order, joined with '&'; X-Amz-Signature is left out when @presigned.
 * - headers: for each name of @signed_headers in the order given: "name:value\n", the value
 *   being every header of that name (case-insensitive) trimmed, runs of spaces and tabs
 *   collapsed to one space, joined with ','. An absent header gives an empty value (the
 *   signature then fails, as on AWS).
 */
int sigv4_canonical_uri(struct slice path, struct buf *out);
int sigv4_canonical_query(struct slice query, bool presigned, struct buf *out);
int sigv4_canonical_headers(const struct sigv4_request *rq, struct slice signed_headers,
                            struct buf *out);
/* METHOD \n URI \n QUERY \n HEADERS \n SIGNED_HEADERS \n PAYLOAD */
int sigv4_canonical_request(const struct sigv4_request *rq, struct slice signed_headers,
                            struct slice payload, bool presigned, struct buf *out);

/*
 * Authenticate @rq: detect the scheme, parse, check time, scope, region and headers, look
 * up the secret, rebuild the canonical request and compare signatures in constant time.
 * On S3E_NONE @out is filled; on failure it is untouched and @err says why:
 *   header auth: AuthorizationHeaderMalformed (+Region for a wrong region), AccessDenied
 *   ("AWS authentication requires a valid Date or x-amz-date header"; "There were headers
 *   present in the request which were not signed" + HeadersNotSigned), RequestTimeTooSkewed
 *   (+RequestTime, ServerTime, MaxAllowedSkewMilliseconds), InvalidRequest (missing
 *   x-amz-content-sha256), InvalidArgument / NotImplemented (its value);
 *   presigned: AuthorizationQueryParametersError, AccessDenied ("Request is not valid
 *   yet"; "Request has expired" + X-Amz-Expires, Expires, ServerTime);
 *   both: InvalidAccessKeyId (+AWSAccessKeyId), SignatureDoesNotMatch (+AWSAccessKeyId,
 *   StringToSign, SignatureProvided, StringToSignBytes, CanonicalRequest,
 *   CanonicalRequestBytes), InternalError (lookup failure, out of memory), and every
 *   refusal of sigv4_scheme_error (anonymous requests get AccessDenied: a WORM gateway
 *   grants nothing anonymously; a caller that wants to can call sigv4_detect first).
 * Unsigned x-amz-* headers: refused on presigned requests (AWS); on header auth refused
 * for the lock/bypass/SSE/copy-source/checksum families (§2.3), which an attacker could
 * otherwise add to a captured request.
 */
enum s3_code sigv4_verify(const struct sigv4_request *rq, const struct sigv4_config *cfg,
                          struct sigv4_auth *out, struct sigv4_err *err);

/* End of body in SIGV4_PAYLOAD_SHA256 mode: @body_sha256 is the SHA-256 of the decoded
 * body. S3E_NONE or S3E_XAmzContentSHA256Mismatch (+ClientComputedContentSHA256,
 * S3ComputedContentSHA256). Other modes: S3E_NONE. */
enum s3_code sigv4_payload_verify(const struct sigv4_auth *a,
                                  const uint8_t body_sha256[CR_SHA256_LEN],
                                  struct sigv4_err *err);

/* Wipe the signing key (and the rest) of @a. NULL-safe. */
void sigv4_auth_wipe(struct sigv4_auth *a);

#endif
