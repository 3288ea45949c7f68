/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming decoder for aws-chunked request bodies (spec/S3.md §2.4-2.5): signed chunks
 * (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), signed chunks with a signed trailer
 * (...-PAYLOAD-TRAILER) and unsigned chunks with an optional trailer
 * (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
 *
 * Feed it the body after HTTP de-chunking, split anywhere (one byte at a time works); it
 * hands the decoded payload to a sink as it arrives and keeps no payload itself: memory is
 * the fixed struct plus one SHA-256 context. Header and trailer lines are bounded by
 * S3_CHUNKED_LINE_MAX, so hostile framing cannot grow memory.
 *
 * Invariant: the concatenated sink output, the result code and the message depend only on
 * the byte stream, never on how it was split. Payload bytes reach the sink BEFORE the
 * signature of their chunk is checked (a chunk can be gigabytes): the caller writes them to
 * a temporary blob and commits only after s3_chunked_finish() returned S3E_NONE and it has
 * compared the trailer checksum (§2.5 "Nothing may be committed ...").
 *
 * Lenient where AWS is: chunk sizes are not held to the 8 KiB minimum (§2.4 MAY), upper-case
 * hex sizes are accepted, unsigned chunks may carry ';' extensions (ignored) and an unsigned
 * trailer may carry an x-amz-trailer-signature line (ignored, never required).
 * Strict where a truncated body could otherwise pass: every CRLF, the final zero chunk and
 * the blank line that closes the trailer section are required.
 *
 * Not thread-safe per object; distinct objects are independent.
 */
#ifndef HOLDFAST_S3_AWSCHUNKED_H
#define HOLDFAST_S3_AWSCHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../crypto/crypto.h"
#include "../base/buf.h"
#include "errors.h"

/* Longest chunk-header or trailer line, CRLF included. A signed header line is at most
 * 16 + 17 + 64 + 2 = 99 bytes, a trailer line about 90. */
#define S3_CHUNKED_LINE_MAX 256

enum s3_chunked_mode {
	S3_CHUNKED_SIGNED = 1,       /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD */
	S3_CHUNKED_SIGNED_TRAILER,   /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER */
	S3_CHUNKED_UNSIGNED_TRAILER, /* STREAMING-UNSIGNED-PAYLOAD-TRAILER */
};

/* Receives decoded payload; return S3E_NONE to go on, anything else stops the decoder with
 * that code (e.g. S3E_EntityTooLarge, S3E_InternalError for a failed write). */
typedef enum s3_code (*s3_chunked_sink)(void *ctx, const void *p, size_t n);

struct s3_chunked_params {
	enum s3_chunked_mode mode;
	/* x-amz-decoded-content-length as received; .p == NULL when the header is absent.
	 * Required for the signed modes (§2.4), optional for the unsigned one. */
	struct slice decoded_length;
	/* x-amz-trailer as received; .p == NULL or empty when absent. */
	struct slice trailer;
	/* Signed modes only, from struct sigv4_auth; copied, the caller may wipe its own. */
	const uint8_t *signing_key;  /* CR_SIGV4_KEY_LEN bytes */
	const char *seed_signature;  /* CR_SIGV4_SIG_HEX_LEN hex chars */
	const char *amz_date;        /* CR_SIGV4_AMZ_DATE_LEN chars */
	const char *scope;           /* NUL-terminated, <= CR_SIGV4_SCOPE_MAX */
	s3_chunked_sink sink;
	void *sink_ctx;
};

struct s3_chunked {
	/* configuration */
	enum s3_chunked_mode mode;
	s3_chunked_sink sink;
	void *sink_ctx;
	bool have_length;
	uint64_t declared_length;
	enum cr_cksum_alg trailer_alg;  /* CR_CKSUM_NONE: no checksum trailer expected */
	char trailer_name[32];          /* lower-case, e.g. "x-amz-checksum-crc32" */
	size_t trailer_name_len;
	uint8_t key[CR_SIGV4_KEY_LEN];
	char prev_sig[CR_SIGV4_SIG_HEX_LEN + 1];
	char amz_date[CR_SIGV4_AMZ_DATE_LEN + 1];
	char scope[CR_SIGV4_SCOPE_MAX + 1];
	size_t scope_len;
	struct cr_hash hash;            /* chunk data, then the trailer lines */
	bool hash_ready;
	/* parser state */
	int state;
	char line[S3_CHUNKED_LINE_MAX];
	size_t line_len;
	uint64_t chunk_left;            /* payload bytes still due in the current chunk */
	uint64_t declared_total;        /* sum of chunk sizes seen so far */
	uint64_t emitted;               /* payload bytes handed to the sink */
	char chunk_sig[CR_SIGV4_SIG_HEX_LEN + 1]; /* signature of the current chunk */
	bool got_checksum, got_trailer_sig;
	uint8_t cksum[CR_MAX_DIGEST_LEN];
	size_t cksum_len;
	char cksum_b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN)];
	/* sticky result */
	enum s3_code err;
	char msg[160];
	char err_sts[CR_SIGV4_STS_MAX + 1];
	char err_sig[CR_SIGV4_SIG_HEX_LEN + 1];
	struct s3_error_extra extra[2];
	size_t nextra;
};

/*
 * Set up @d from @p. S3E_NONE, or (with @d left released and its message set):
 * S3E_MissingContentLength (signed mode without, or with a non-numeric,
 * x-amz-decoded-content-length), S3E_InvalidRequest ("The value specified in the
 * x-amz-trailer header is not supported": not exactly one x-amz-checksum-* name, or a
 * trailer on the plain signed mode; "Checksum algorithm provided is unsupported. ..." for an
 * algorithm crypto/ cannot compute), S3E_InternalError (missing signing inputs, OpenSSL).
 */
enum s3_code s3_chunked_init(struct s3_chunked *d, const struct s3_chunked_params *p);

/*
 * Decode the next @n bytes. S3E_NONE, or a sticky error (every later feed/finish returns
 * it): S3E_IncompleteBody (malformed framing, a line over S3_CHUNKED_LINE_MAX, a chunk size
 * that overflows, decoded length above or at the end different from the declared one, data
 * after the end), S3E_SignatureDoesNotMatch (a chunk or the trailer signature; extras
 * StringToSign and SignatureProvided), S3E_MalformedTrailerError (an unexpected, repeated,
 * missing or ill-formed trailer line), S3E_InvalidRequest ("Value for x-amz-checksum-<alg>
 * trailing header is invalid."), or whatever the sink returned.
 */
enum s3_code s3_chunked_feed(struct s3_chunked *d, const void *p, size_t n);

/* End of body: S3E_NONE when the final chunk and trailer section were complete and every
 * signature verified; else the sticky error, or S3E_IncompleteBody for a truncated body. */
enum s3_code s3_chunked_finish(struct s3_chunked *d);

/* The received trailer checksum, after a successful finish: algorithm (CR_CKSUM_NONE when
 * none was declared), raw big-endian value (cr_cksum_len bytes) and its base64 text as
 * sent. Pointers live as long as @d. */
enum cr_cksum_alg s3_chunked_trailer_alg(const struct s3_chunked *d);
const uint8_t *s3_chunked_trailer_value(const struct s3_chunked *d, size_t *len);
const char *s3_chunked_trailer_b64(const struct s3_chunked *d);

/* Compare the trailer checksum with @computed (the caller's cr_cksum_final over the decoded
 * payload, for s3_chunked_trailer_alg). S3E_NONE when equal or when no checksum trailer was
 * declared; S3E_BadDigest "The CRC32 you specified did not match the calculated checksum."
 * (sticky) otherwise. */
enum s3_code s3_chunked_check_trailer(struct s3_chunked *d, const uint8_t *computed,
                                      size_t n);

/* Payload bytes handed to the sink so far. */
uint64_t s3_chunked_decoded_bytes(const struct s3_chunked *d);

/* For gw_respond_error: the message (NULL = the table's default) and extra elements of the
 * current error. Pointers live as long as @d. */
const char *s3_chunked_message(const struct s3_chunked *d);
size_t s3_chunked_extras(const struct s3_chunked *d, const struct s3_error_extra **out);

/* Free the hash context and wipe the signing key. NULL-safe, idempotent. */
void s3_chunked_release(struct s3_chunked *d);

#endif
