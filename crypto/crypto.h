/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto/ — digests, S3 checksums, HMAC, encodings, constant-time compare, random bytes and
 * AEAD for small secrets. The only public header of the crypto library; it depends on OpenSSL
 * (EVP interfaces only) and on nothing of ours.
 *
 * Conventions: inputs are (pointer, length) and never need a trailing NUL; outputs come last
 * and are untouched on failure; every function is thread-safe on distinct objects.
 * Functions returning int return CR_OK (0) or a negative enum cr_rc.
 */
#ifndef HOLDFAST_CRYPTO_H
#define HOLDFAST_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cr_rc {
	CR_OK = 0,
	CR_ERR = -1,    /* OpenSSL failure (allocation, provider missing) */
	CR_EINVAL = -4, /* malformed input (bad base64/hex, wrong length, bad tag) */
};

#define CR_MD5_LEN 16
#define CR_SHA1_LEN 20
#define CR_SHA256_LEN 32
#define CR_MAX_DIGEST_LEN 32

/* ---- streaming digests (MD5 for ETags, SHA-1 and SHA-256 for x-amz-checksum and SigV4) --- */

enum cr_hash_alg { CR_HASH_MD5, CR_HASH_SHA1, CR_HASH_SHA256 };

/* One EVP context per stream, reused across _reset (STYLE: OpenSSL). */
struct cr_hash {
	void *ctx; /* EVP_MD_CTX *, owned */
	enum cr_hash_alg alg;
};

/* Start a stream. On failure @h is left released (safe to cr_hash_release). */
int cr_hash_init(struct cr_hash *h, enum cr_hash_alg alg);
int cr_hash_update(struct cr_hash *h, const void *p, size_t n);
/* Write the digest (cr_hash_len bytes) to @out; the stream must be _reset before reuse. */
int cr_hash_final(struct cr_hash *h, uint8_t *out);
int cr_hash_reset(struct cr_hash *h);
void cr_hash_release(struct cr_hash *h); /* NULL-safe, idempotent */
size_t cr_hash_len(enum cr_hash_alg alg);

/* One-shot helpers; they cannot fail short of OpenSSL being broken (then they abort). */
void cr_md5(const void *p, size_t n, uint8_t out[CR_MD5_LEN]);
void cr_sha1(const void *p, size_t n, uint8_t out[CR_SHA1_LEN]);
void cr_sha256(const void *p, size_t n, uint8_t out[CR_SHA256_LEN]);
void cr_hmac_sha256(const void *key, size_t klen, const void *p, size_t n,
                    uint8_t out[CR_SHA256_LEN]);

/* ---- CRCs as S3 defines them (values are the big-endian bytes of the final CRC) ---------- *
 * All three are streaming (pass the previous return value, start from 0) and combinable:
 * _combine(crc(A), crc(B), len(B)) == crc(A||B), which multipart FULL_OBJECT checksums need. */

uint32_t cr_crc32(uint32_t crc, const void *p, size_t n);   /* ISO-HDLC, zlib's CRC-32 */
uint32_t cr_crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2);
uint32_t cr_crc32c(uint32_t crc, const void *p, size_t n);  /* Castagnoli (iSCSI) */
uint32_t cr_crc32c_combine(uint32_t crc1, uint32_t crc2, uint64_t len2);
uint64_t cr_crc64nvme(uint64_t crc, const void *p, size_t n); /* CRC-64/NVME */
uint64_t cr_crc64nvme_combine(uint64_t crc1, uint64_t crc2, uint64_t len2);

/* ---- one interface over the five x-amz-checksum-* algorithms ------------------------------ */

enum cr_cksum_alg {
	CR_CKSUM_NONE = 0,
	CR_CKSUM_CRC32,
	CR_CKSUM_CRC32C,
	CR_CKSUM_CRC64NVME,
	CR_CKSUM_SHA1,
	CR_CKSUM_SHA256,
};

struct cr_cksum {
	enum cr_cksum_alg alg;
	uint64_t crc;        /* CRC state */
	struct cr_hash hash; /* SHA state */
};

/* CR_EINVAL for CR_CKSUM_NONE or an unknown value; on failure @c is left released. */
int cr_cksum_init(struct cr_cksum *c, enum cr_cksum_alg alg);
int cr_cksum_update(struct cr_cksum *c, const void *p, size_t n);
/* Raw big-endian value to @out (cr_cksum_len bytes: 4, 4, 8, 20 or 32). */
int cr_cksum_final(struct cr_cksum *c, uint8_t *out);
void cr_cksum_release(struct cr_cksum *c); /* NULL-safe */
size_t cr_cksum_len(enum cr_cksum_alg alg);
/* "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" (case-insensitive parse).
 * cr_cksum_name returns a static string, NULL for CR_CKSUM_NONE or an unknown value. */
const char *cr_cksum_name(enum cr_cksum_alg alg);
enum cr_cksum_alg cr_cksum_from_name(const char *p, size_t n); /* CR_CKSUM_NONE if unknown */

/* ---- encodings ------------------------------------------------------------------------- */

/* Standard base64 with padding. Encoded length for n bytes, including the NUL. */
#define CR_BASE64_LEN(n) ((((n) + 2) / 3) * 4 + 1)
/* Writes NUL-terminated text to @out (cap >= CR_BASE64_LEN(n)); returns chars written
 * (without NUL) or CR_EINVAL if @cap is too small. */
int cr_base64_encode(const void *p, size_t n, char *out, size_t cap);
/* Strict decode (padding required, no whitespace, no URL alphabet). Returns bytes written or
 * CR_EINVAL on bad input or when @cap is too small. */
int cr_base64_decode(const char *p, size_t n, uint8_t *out, size_t cap);
/* Lower-case hex; @out gets 2n chars plus NUL. */
void cr_hex_encode(const void *p, size_t n, char *out);
/* Decode exactly @n hex chars (either case) to n/2 bytes; CR_EINVAL on odd length or non-hex.
 * Returns CR_OK (not a count), or CR_EINVAL also when @cap < n/2. */
int cr_hex_decode(const char *p, size_t n, uint8_t *out, size_t cap);

/* ---- secrets ----------------------------------------------------------------------------- */

/* Constant-time equality (CRYPTO_memcmp); true when equal. */
bool cr_ct_equal(const void *a, const void *b, size_t n);
/* Cryptographically strong random bytes (RAND_bytes). */
int cr_random_bytes(void *out, size_t n);
/* Wipe a secret (OPENSSL_cleanse). */
void cr_wipe(void *p, size_t n);

/* AES-256-GCM for small secrets (stored credentials, wrapped keys). The sealed form is
 * nonce(12) || ciphertext(n) || tag(16), so @cap must be >= n + CR_AEAD_OVERHEAD.
 * @aad binds the ciphertext to its context (e.g. the record key); it may be NULL/0.
 * cr_aead_seal returns bytes written; cr_aead_open returns plaintext bytes or CR_EINVAL when
 * the tag does not verify (tampered data, wrong key or wrong aad). */
#define CR_AEAD_KEY_LEN 32
#define CR_AEAD_OVERHEAD (12 + 16)
int cr_aead_seal(const uint8_t key[CR_AEAD_KEY_LEN], const void *aad, size_t aadlen,
                 const void *p, size_t n, uint8_t *out, size_t cap);
int cr_aead_open(const uint8_t key[CR_AEAD_KEY_LEN], const void *aad, size_t aadlen,
                 const void *p, size_t n, uint8_t *out, size_t cap);

/* ---- SigV4 signing core ------------------------------------------------------------------ *
 * The arithmetic of AWS Signature Version 4 shared by the request verifier (gateway/auth) and
 * the outbound replicator: signing-key derivation, the three string-to-sign shapes and the
 * final HMAC. Canonical requests are built by the caller; these functions only hash them.
 * Text outputs are NUL-terminated; the functions returning int return the number of chars
 * written (without the NUL) or CR_EINVAL when an input breaks its bound or @cap is too
 * small, and then leave @out untouched. Derived keys are secrets: wipe them with cr_wipe. */

#define CR_SIGV4_KEY_LEN 32        /* kSigning */
#define CR_SIGV4_SIG_HEX_LEN 64    /* a signature in lower-case hex, without NUL */
#define CR_SIGV4_AMZ_DATE_LEN 16   /* yyyymmddTHHMMSSZ */
#define CR_SIGV4_SECRET_MAX 256    /* longest secret key accepted */
#define CR_SIGV4_SCOPE_MAX 192     /* longest credential scope accepted */
/* Enough for every string to sign below with a scope of up to CR_SIGV4_SCOPE_MAX. */
#define CR_SIGV4_STS_MAX 512

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date8), region), service), "aws4_request")
 * into @out. @date8 is the yyyymmdd of the scope (exactly 8 chars). The intermediate keys
 * are wiped before return. CR_OK, or CR_EINVAL for a secret longer than CR_SIGV4_SECRET_MAX
 * or a date that is not 8 chars (then @out is untouched). */
int cr_sigv4_signing_key(const char *secret, size_t secret_len, const char *date8,
                         size_t date_len, const char *region, size_t region_len,
                         const char *service, size_t service_len,
                         uint8_t out[CR_SIGV4_KEY_LEN]);

/* "<date8>/<region>/<service>/aws4_request" into @out. Returns its length or CR_EINVAL when
 * it would exceed CR_SIGV4_SCOPE_MAX or @cap. */
int cr_sigv4_scope(const char *date8, size_t date_len, const char *region, size_t region_len,
                   const char *service, size_t service_len, char *out, size_t cap);

/* "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex(SHA256(canonical request))>" into @out.
 * @amz_date must be CR_SIGV4_AMZ_DATE_LEN chars; @creq is the canonical request text. */
int cr_sigv4_string_to_sign(const char *amz_date, size_t amz_len, const char *scope,
                            size_t scope_len, const void *creq, size_t creq_len, char *out,
                            size_t cap);

/* Chunk string to sign (aws-chunked signed payload):
 * "AWS4-HMAC-SHA256-PAYLOAD\n<amz_date>\n<scope>\n<prev_sig>\n<hex(SHA256(""))>\n
 *  <hex(chunk_sha256)>". @prev_sig is the seed signature for the first chunk, then the
 * previous chunk's signature: exactly CR_SIGV4_SIG_HEX_LEN chars, no NUL needed. */
int cr_sigv4_chunk_string_to_sign(const char *amz_date, size_t amz_len, const char *scope,
                                  size_t scope_len, const char *prev_sig,
                                  const uint8_t chunk_sha256[CR_SHA256_LEN], char *out,
                                  size_t cap);

/* Trailer string to sign (signed-trailer variant):
 * "AWS4-HMAC-SHA256-TRAILER\n<amz_date>\n<scope>\n<prev_sig>\n<hex(trailer_sha256)>", where
 * @prev_sig is the final (zero-length) chunk's signature and @trailer_sha256 the SHA-256 of
 * the trailer lines as "name:value\n" each. */
int cr_sigv4_trailer_string_to_sign(const char *amz_date, size_t amz_len, const char *scope,
                                    size_t scope_len, const char *prev_sig,
                                    const uint8_t trailer_sha256[CR_SHA256_LEN], char *out,
                                    size_t cap);

/* Signature = lower-case hex(HMAC-SHA256(@key, @sts)) into @out (64 chars + NUL).
 * Cannot fail short of OpenSSL being broken (then it aborts, like cr_hmac_sha256). */
void cr_sigv4_sign(const uint8_t key[CR_SIGV4_KEY_LEN], const void *sts, size_t sts_len,
                   char out[CR_SIGV4_SIG_HEX_LEN + 1]);

#endif
