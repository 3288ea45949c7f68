/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private: the byte formats of objectlock — index keys, version ids, version and bucket
 * records — and the error helpers. Pure code without RocksDB, so the fuzz target and the
 * codec tests link it alone.
 */
#ifndef HOLDFAST_OBJECTLOCK_RECORD_H
#define HOLDFAST_OBJECTLOCK_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objectlock.h"

/* ---- errors ---- */

#if defined(__GNUC__)
#define OL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define OL_PRINTF(a, b)
#endif

/* Fill @err (may be NULL) and return @rc. */
int ol_err_set(struct ol_err *err, int rc, const char *fmt, ...) OL_PRINTF(3, 4);
/* Same, with the code chosen from @sys_errno (EIO -> OL_EIO, ENOSPC/EDQUOT -> OL_ENOSPC,
 * ENOMEM -> OL_ENOMEM, ENOENT -> OL_ENOTFOUND, EEXIST -> OL_EEXIST, else OL_ERR) and
 * ": <strerror>" appended. */
int ol_err_sys(struct ol_err *err, int sys_errno, const char *fmt, ...) OL_PRINTF(3, 4);
/* Clear @err for a success or an expected OL_ENOTFOUND; returns @rc. */
int ol_err_quiet(struct ol_err *err, int rc);
/* Write (p, n) into @out (cap bytes, NUL-terminated) with bytes outside printable ASCII,
 * quotes and backslashes as \xNN; truncated with "..." if it does not fit. */
void ol_quote(char *out, size_t cap, const void *p, size_t n);

/* ---- index keys ----
 * Version key:  esc(bucket) 0x00 esc(key) 0x00 ~iid[24]
 * esc() maps 0x00 -> 0x01 0x01, 0x01 -> 0x01 0x02 and every other byte to itself. It is a
 * prefix code that preserves byte order, and 0x00 sorts below every escaped byte, so keys
 * iterate in S3 byte order, "a" < "a\0" < "a/" < "a/b" < "ab", and within a key the inverted
 * time-ordered id puts the newest version first. esc(P) is a prefix of esc(K) exactly when
 * P is a prefix of K, which makes prefix listing a range scan.
 * Null pointer key (OL_CFI_NULLV): esc(bucket) 0x00 esc(key) 0x00 -> iid of the null version.
 * Upload keys (OL_CF_UPLOADS) begin with esc(bucket) 0x00 so bucket delete sees them:
 *   upload record:  esc(bucket) 0x00 esc(key) 0x00 uid[24]
 *   part record:    esc(bucket) 0x00 esc(key) 0x00 uid[24] part_number (u16 big-endian)
 * uid is not inverted: a key's uploads sort in initiation order (ListMultipartUploads), and
 * an upload's parts follow its record in number order, so an upload with its parts is one
 * contiguous range [upload key, successor(upload key)).
 * Completion record (OL_CF_META, a key reserved for the store): OL_DONE_KEY_PREFIX uid[24].
 * By upload id alone (the version the record names is of one bucket and key), and so in
 * initiation order, which bounds the expiry walk; never under esc(bucket) 0x00, so bucket
 * delete, the upload listings and fsck do not see it. */

#define OL_DONE_KEY_PREFIX "objectlock.mpdone."

/* bucket and key escaped (at most doubled), two terminators, the id, and slack for the
 * "just after" bytes a seek target appends */
#define OL_VKEY_MAX (2 * OL_BUCKET_NAME_MAX + 1 + 2 * OL_KEY_MAX + 1 + OL_IID_LEN + 8)

struct ol_kbuf {
	uint8_t b[OL_VKEY_MAX];
	size_t n;
};

void ol_kb_reset(struct ol_kbuf *k);
/* Append escaped / raw bytes; the caller bounds inputs so OL_VKEY_MAX always suffices. */
void ol_kb_esc(struct ol_kbuf *k, const void *p, size_t n);
void ol_kb_raw(struct ol_kbuf *k, const void *p, size_t n);
void ol_kb_byte(struct ol_kbuf *k, uint8_t c);
/* esc(bucket) 0x00 */
void ol_kb_bucket(struct ol_kbuf *k, const char *bucket);
/* esc(bucket) 0x00 esc(key) 0x00 */
void ol_kb_object(struct ol_kbuf *k, const char *bucket, const void *key, size_t keylen);
/* esc(bucket) 0x00 esc(key) 0x00 ~iid */
void ol_kb_version(struct ol_kbuf *k, const char *bucket, const void *key, size_t keylen,
                   const uint8_t iid[OL_IID_LEN]);
/* esc(bucket) 0x00 esc(key) 0x00 uid */
void ol_kb_upload(struct ol_kbuf *k, const char *bucket, const void *key, size_t keylen,
                  const uint8_t uid[OL_IID_LEN]);
/* the upload key followed by the big-endian part number */
void ol_kb_part(struct ol_kbuf *k, const char *bucket, const void *key, size_t keylen,
                const uint8_t uid[OL_IID_LEN], uint32_t part_number);
/* OL_DONE_KEY_PREFIX uid */
void ol_kb_done(struct ol_kbuf *k, const uint8_t uid[OL_IID_LEN]);
/* Smallest string above every string that starts with @k: drop trailing 0xFF bytes, then
 * increment the last one. False if @k is empty or all 0xFF. */
bool ol_kb_successor(struct ol_kbuf *k);

/* Unescape from @p up to the 0x00 terminator into @out (cap bytes). Returns the number of
 * input bytes consumed including the terminator, or 0 on a malformed or too long field. */
size_t ol_unesc(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *outlen);

/* Split a version key. Returns true on success. */
bool ol_vkey_parse(const uint8_t *p, size_t n, char bucket[OL_BUCKET_NAME_MAX + 1],
                   uint8_t key[OL_KEY_MAX], size_t *keylen, uint8_t iid[OL_IID_LEN]);
/* Split an uploads-family key: *part_number 0 for an upload record, else the part's
 * (1..OL_PART_NUMBER_MAX). *prefix_len receives the length of the upload key part
 * (everything before the part number). Returns true on success. */
bool ol_ukey_parse(const uint8_t *p, size_t n, char bucket[OL_BUCKET_NAME_MAX + 1],
                   uint8_t key[OL_KEY_MAX], size_t *keylen, uint8_t uid[OL_IID_LEN],
                   uint32_t *part_number, size_t *prefix_len);

/* ---- version ids ----
 * iid = time_ns (8, big-endian) || counter (4, big-endian) || random (12). The text id is
 * those 24 bytes in a 64-char alphabet whose ASCII order is its value order, so text order
 * is time order and the text is URL-safe (RFC 3986 unreserved characters only). */

/* A fresh iid, above every iid this process made before and above @floor (may be NULL).
 * Returns OL_OK or OL_ERR (no randomness). */
int ol_iid_next(const uint8_t *floor, uint8_t out[OL_IID_LEN], struct ol_err *err);
void ol_iid_to_text(const uint8_t iid[OL_IID_LEN], char out[OL_VERSION_ID_LEN + 1]);
bool ol_iid_from_text(const char *p, size_t n, uint8_t out[OL_IID_LEN]);
int64_t ol_now_ns(void);

/* ---- records ---- */

#define OL_VERSION_FORMAT 3 /* newest written; 1 and 2 are still read (and written: see
                             * record.c) */
#define OL_BUCKET_FORMAT 2 /* newest written; 1 is still read */
#define OL_UPLOAD_FORMAT 1
#define OL_PART_FORMAT 1
#define OL_DONE_FORMAT 1

/* Encode @v. On OL_OK *out is malloc'd (*outlen bytes); the caller frees it.
 * Returns OL_OK, OL_EINVAL (enum out of range, NUL inside a string, cksum_len wrong),
 * OL_E2BIG (a field above its limit), OL_ENOMEM. */
int ol_version_encode(const struct ol_version *v, uint8_t **out, size_t *outlen,
                      struct ol_err *err);
/* Decode a record into @out (overwritten, not released first; untouched on failure).
 * Returns OL_OK, OL_ECORRUPT (checksum, truncation, unknown format, any bound), OL_ENOMEM. */
int ol_version_decode(const void *p, size_t n, struct ol_version *out, struct ol_err *err);
/* Decode without checking the CRC: fsck uses it to learn which blob a damaged record
 * pointed at, so that repair never deletes it as an orphan. Never serve its result. */
int ol_version_salvage(const void *p, size_t n, struct ol_version *out);
/* Field-by-field equality (strings by content). */
bool ol_version_equal(const struct ol_version *a, const struct ol_version *b);

/* Upload record: the upload id (which must be well-formed), initiation time and template.
 * Same return codes as ol_version_encode; the template's [store] fields are not stored. */
int ol_upload_encode(const struct ol_upload *u, uint8_t **out, size_t *outlen,
                     struct ol_err *err);
/* Returns OL_OK, OL_ECORRUPT, OL_ENOMEM; @out untouched on failure. */
int ol_upload_decode(const void *p, size_t n, struct ol_upload *out, struct ol_err *err);
bool ol_upload_equal(const struct ol_upload *a, const struct ol_upload *b);

/* A part record: the public part and the blob file holding it. */
struct ol_part_rec {
	struct ol_part p;
	uint8_t blob_id[OL_BLOB_ID_LEN];
};

#define OL_PART_REC_MAX 256

/* Returns the encoded length (<= OL_PART_REC_MAX) or OL_EINVAL (part number, ETag length,
 * NUL in the ETag, checksum length not the algorithm's). */
int ol_part_encode(const struct ol_part_rec *r, uint8_t out[OL_PART_REC_MAX],
                   struct ol_err *err);
/* Returns OL_OK or OL_ECORRUPT; @out untouched on failure. */
int ol_part_decode(const void *p, size_t n, struct ol_part_rec *out, struct ol_err *err);
/* Decode without checking the CRC (fsck: learn the blob of a damaged record). */
int ol_part_salvage(const void *p, size_t n, struct ol_part_rec *out);
bool ol_part_equal(const struct ol_part_rec *a, const struct ol_part_rec *b);

/* Bytes of a checksum of algorithm @a; SIZE_MAX for an unknown one. */
size_t ol_cksum_len_of(enum ol_cksum_alg a);

/* A completion record (ol_upload_done_get): how to find the version an upload became, and
 * which part list it was completed with. */
struct ol_done_rec {
	uint8_t blob_id[OL_BLOB_ID_LEN]; /* the version's first part's blob file */
	int64_t completed_ns;            /* when (Unix ns): ol_upload_done_expire */
	uint8_t parts_digest[32];        /* SHA-256 of the part list completed */
};

#define OL_DONE_REC_LEN (1 + OL_BLOB_ID_LEN + 8 + 32 + 4)

/* Encode @r into OL_DONE_REC_LEN bytes. */
void ol_done_encode(const struct ol_done_rec *r, uint8_t out[OL_DONE_REC_LEN]);
/* Returns OL_OK or OL_ECORRUPT (length, format, checksum); @out untouched on failure. */
int ol_done_decode(const void *p, size_t n, struct ol_done_rec *out, struct ol_err *err);

#define OL_BUCKET_REC_MAX 128

/* Is @r a well-formed default rule (none, or a mode with exactly one period in range) for a
 * bucket whose lock is @lock_enabled? */
bool ol_lock_rule_ok(const struct ol_lock_rule *r, bool lock_enabled);

/* Returns the encoded length (<= OL_BUCKET_REC_MAX) or OL_EINVAL. */
int ol_bucket_encode(const struct ol_bucket *b, uint8_t out[OL_BUCKET_REC_MAX],
                     struct ol_err *err);
/* Returns OL_OK or OL_ECORRUPT; @out untouched on failure. */
int ol_bucket_decode(const void *p, size_t n, struct ol_bucket *out, struct ol_err *err);

#endif
