/* SPDX-License-Identifier: Apache-2.0 */
/*
 * objectlock/ — the WORM store: buckets, object versions (inline or in blob files), listing,
 * Object Lock (policy, compliance clock, retention and legal hold), a small key-value space
 * for the gateway, and the offline consistency checker. The only public header of the
 * objectlock library. It depends on crypto/ and nothing else of ours; RocksDB is an
 * implementation detail and never leaks through this header.
 *
 * Conventions
 *  - Functions returning int return OL_OK (0) or a negative enum ol_rc. On failure @err (which
 *    may be NULL) gets the code, the errno that caused it (0 if none) and a one-line message.
 *    OL_ENOTFOUND from a plain lookup (a get, an unknown version id) is an expected answer
 *    and leaves err->msg empty; where it interrupts an operation (a put whose bucket went
 *    away, a blob gone under a reader) the message says so.
 *  - Outputs come last and are untouched on failure.
 *  - Inputs are (pointer, length) and never need a trailing NUL, except bucket names and
 *    version ids, which are short, NUL-terminated ASCII.
 *  - Object keys are 1..OL_KEY_MAX arbitrary bytes (S3 keys are UTF-8; the store does not
 *    care, a 0x00 byte included). They sort in plain byte order.
 *  - Thread safety: a struct ol_store is used from many threads at once. A struct ol_put or
 *    struct ol_reader belongs to one thread at a time. struct ol_version is plain data.
 *  - Durability: every function that changes the index returns after one synced RocksDB
 *    write batch — that batch is the commit point; a crash before it leaves nothing visible.
 *
 * Disk layout under data_dir: index/ (RocksDB), blobs/xx/yy/<blob id> (object bodies above
 * the inline limit, multipart parts), tmp/ (bodies being received; never referenced by the
 * index).
 *
 * Every blob file name is referenced by at most one index record (a version, or a part of a
 * multipart upload). Two names may share one inode: ol_version_clone hard-links instead of
 * copying, so a blob file may have st_nlink > 1. Removal always unlinks the removed
 * record's own name, which never affects another name of the same inode, and fsck checks
 * and collects names, not inodes.
 *
 * Object Lock: one pure policy function (ol_policy_check) judges every removal of a version
 * and every change of its lock, under the key's lock, on the record just read, at the time
 * of the compliance clock (ol_clock_now), which a moved system clock cannot drag. Blob files
 * of locked versions are read-only and, where possible, immutable (ol_store_status). There
 * is no unchecked way to remove a version.
 */
#ifndef HOLDFAST_OBJECTLOCK_H
#define HOLDFAST_OBJECTLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- results ------------------------------------------------------------------------------ */

enum ol_rc {
	OL_OK = 0,
	OL_ERR = -1,       /* unexpected (bad permissions, RocksDB internal error): msg says why */
	OL_ENOTFOUND = -2, /* no such bucket / key / version / kv key (expected: no message) */
	OL_EEXIST = -3,    /* bucket already exists */
	OL_EINVAL = -4,    /* malformed argument or operation not allowed in this state */
	OL_ECORRUPT = -5,  /* a stored record or blob failed its checks; fsck reports it */
	OL_ENOTEMPTY = -6, /* bucket still holds versions, delete markers or uploads */
	OL_E2BIG = -7,     /* a field exceeds the limits below */
	OL_ENOMEM = -8,
	OL_EIO = -9,       /* disk or index I/O failed */
	OL_ENOSPC = -10,   /* disk full (ENOSPC, EDQUOT) */
	OL_EBADPART = -11, /* complete: a listed part was never uploaded (or was replaced) or
	                    * its ETag differs: S3 InvalidPart */
	OL_EPARTORDER = -12, /* complete: part numbers not strictly ascending (a duplicate
	                    * included): S3 InvalidPartOrder */
	OL_ELOCKED = -13,  /* refused by Object Lock (retention, legal hold): the call's
	                    * enum ol_verdict output says why; S3 403 AccessDenied */
	OL_EDELMARKER = -14, /* a retention or legal-hold change addressed a delete marker:
	                    * S3 405 MethodNotAllowed */
};

struct ol_err {
	int rc;
	int sys_errno;
	char msg[192];
};

/* Static name of a code ("OL_ENOTFOUND"); "OL_?" for unknown values. */
const char *ol_rc_name(int rc);

/* ---- limits -------------------------------------------------------------------------------- */

#define OL_KEY_MAX 1024             /* bytes in an object key (S3's limit) */
#define OL_BUCKET_NAME_MAX 63       /* bytes in a bucket name */
#define OL_REGION_MAX 32            /* bytes in a region name */
#define OL_VERSION_ID_LEN 32        /* chars in a version id other than "null" */
#define OL_IID_LEN 24               /* bytes of the internal (index) version id */
#define OL_BLOB_ID_LEN 16           /* bytes of a blob id (32 hex chars in file names) */
#define OL_CKSUM_MAX 32             /* bytes of the largest checksum value (SHA-256) */
#define OL_STR_MAX 8192             /* bytes in one stored string (etag, header value, ...) */
#define OL_HDRS_MAX 256             /* stored (name, value) pairs per version */
#define OL_ENC_INFO_MAX 4096        /* bytes of the encryption-info slot */
#define OL_INLINE_DEFAULT (64 * 1024) /* default inline_max_bytes */
#define OL_INLINE_LIMIT (1024 * 1024) /* largest inline_max_bytes the store accepts */
#define OL_UPLOAD_ID_LEN 32         /* chars in a multipart upload id */
#define OL_PART_NUMBER_MAX 10000    /* part numbers are 1..OL_PART_NUMBER_MAX */
#define OL_PARTS_MAX 10000          /* parts in one multipart object */
#define OL_PART_ETAG_MAX 128        /* bytes in a part's ETag */
#define OL_MD5_LEN 16

/* ---- store --------------------------------------------------------------------------------- */

struct ol_store;

struct ol_store_opts {
	const char *data_dir;      /* required */
	uint64_t inline_max_bytes; /* bodies of at most this many bytes live in the index;
	                            * 0 = OL_INLINE_DEFAULT; above OL_INLINE_LIMIT = OL_EINVAL */
	bool read_only;            /* open the index read-only; every mutation then fails with
	                            * OL_EINVAL. Several read-only opens may coexist with one
	                            * writer (they see the state as of their open). */
	uint32_t clock_checkpoint_ms; /* how often the compliance clock's checkpoint is written
	                            * (see "compliance clock"); 0 = OL_CLOCK_CHECKPOINT_MS */
};

/*
 * Open (and, unless read_only, create) the store in o->data_dir: the directory itself, its
 * index/, blobs/ and tmp/ subdirectories. A read-write open takes RocksDB's lock, so a second
 * read-write open of the same data_dir fails with OL_EIO. A read-write open also removes
 * leftover files in tmp/ (bodies of puts that never committed), probes whether blob files
 * can get the immutable inode flag (ol_store_status), starts the compliance clock from its
 * checkpoint (writing the first one for a new store) and a thread that re-writes that
 * checkpoint every clock_checkpoint_ms. A read-only open starts the clock from the
 * checkpoint too but never writes.
 * Returns OL_OK and *out; OL_EINVAL (bad options), OL_ENOTFOUND (read_only and no store
 * there), OL_ECORRUPT (unknown schema version; read-write: the clock checkpoint is damaged
 * — the store refuses to guess a time, see "compliance clock"), OL_EIO / OL_ENOSPC / OL_ERR.
 */
int ol_store_open(const struct ol_store_opts *o, struct ol_store **out, struct ol_err *err);

/* Close the store: stops the checkpoint thread and writes a last clock checkpoint.
 * NULL-safe. Every put, reader and list on it must have finished. */
void ol_store_close(struct ol_store *st);

/* ---- small key-value space (users, meta) --------------------------------------------------- */

/* Column families, one per kind of record. Only OL_CF_USERS and OL_CF_META accept the
 * ol_kv_* calls; the others hold structured records written by the functions below (and by
 * the replication and audit code to come); OL_CF_UPLOADS holds multipart uploads. Keys
 * beginning with "objectlock." in OL_CF_META are reserved for the store itself. */
enum ol_cf {
	OL_CF_BUCKETS = 0,
	OL_CF_VERSIONS,
	OL_CF_UPLOADS,
	OL_CF_REPQ,
	OL_CF_AUDIT,
	OL_CF_USERS,
	OL_CF_META,
};

/* Look up @k. On OL_OK *val_out is a malloc'd copy of the value (with an extra NUL after the
 * last byte, not counted in *vlen_out); the caller frees it with free().
 * Returns OL_OK, OL_ENOTFOUND, OL_EINVAL (cf not a kv family, klen 0), OL_EIO, OL_ENOMEM. */
int ol_kv_get(struct ol_store *st, enum ol_cf cf, const void *k, size_t klen, char **val_out,
              size_t *vlen_out, struct ol_err *err);

/* Store @v under @k (replacing any value), synced. Values up to 16 MiB.
 * Returns OL_OK, OL_EINVAL, OL_E2BIG, OL_EIO. */
int ol_kv_put(struct ol_store *st, enum ol_cf cf, const void *k, size_t klen, const void *v,
              size_t vlen, struct ol_err *err);

/* Remove @k, synced. Removing an absent key is OL_OK. Returns OL_OK, OL_EINVAL, OL_EIO. */
int ol_kv_delete(struct ol_store *st, enum ol_cf cf, const void *k, size_t klen,
                 struct ol_err *err);

/* Called once per key, in byte order. Key and value are borrowed for the call. Return 0 to
 * go on, 1 to stop (ol_kv_iterate then returns OL_OK), or a negative enum ol_rc to stop and
 * have ol_kv_iterate return it. */
typedef int (*ol_kv_cb)(void *ctx, const void *k, size_t klen, const void *v, size_t vlen);

/* Visit every key starting with @prefix (plen 0 = all keys) in @cf.
 * Returns OL_OK, OL_EINVAL, OL_EIO, or the callback's negative code. */
int ol_kv_iterate(struct ol_store *st, enum ol_cf cf, const void *prefix, size_t plen,
                  ol_kv_cb cb, void *ctx, struct ol_err *err);

/* ---- buckets ------------------------------------------------------------------------------- */

enum ol_versioning {
	OL_VERSIONING_UNVERSIONED = 0, /* never enabled: PUT writes the null version */
	OL_VERSIONING_ENABLED = 1,
	OL_VERSIONING_SUSPENDED = 2,   /* PUT writes (replaces) the null version */
};

/* Object Lock retention mode of a version (and of a bucket's default rule). */
enum ol_lock_mode { OL_LOCK_NONE = 0, OL_LOCK_GOVERNANCE, OL_LOCK_COMPLIANCE };

/*
 * A bucket's default retention (S3 ObjectLockConfiguration Rule.DefaultRetention): the
 * retention every version created without an explicit one receives at commit. Exactly one of
 * days / years is non-zero when mode is set; mode OL_LOCK_NONE = no default rule.
 */
#define OL_DEFAULT_DAYS_MAX 36500u /* S3: "Default retention period too large." above */
#define OL_DEFAULT_YEARS_MAX 100u
struct ol_lock_rule {
	enum ol_lock_mode mode; /* OL_LOCK_NONE: no default retention */
	uint32_t days;          /* 1..OL_DEFAULT_DAYS_MAX, or 0 */
	uint32_t years;         /* 1..OL_DEFAULT_YEARS_MAX, or 0 */
};

struct ol_bucket {
	char name[OL_BUCKET_NAME_MAX + 1]; /* NUL-terminated */
	bool lock_enabled;                 /* Object Lock enabled; pins versioning to Enabled */
	enum ol_versioning versioning;
	char region[OL_REGION_MAX + 1];    /* NUL-terminated, may be empty */
	int64_t created_ns;                /* Unix time in ns */
	struct ol_lock_rule default_rule;  /* only with lock_enabled */
};

/*
 * Create bucket @b. The store does not judge S3 naming rules (the gateway does); it needs
 * 1..OL_BUCKET_NAME_MAX bytes without NUL. created_ns 0 = now. lock_enabled forces
 * versioning Enabled (S3 creates lock buckets that way).
 * Returns OL_OK, OL_EEXIST, OL_EINVAL, OL_EIO.
 */
int ol_bucket_create(struct ol_store *st, const struct ol_bucket *b, struct ol_err *err);

/* Returns OL_OK and *out, OL_ENOTFOUND, OL_EINVAL, OL_ECORRUPT, OL_EIO. */
int ol_bucket_get(struct ol_store *st, const char *name, struct ol_bucket *out,
                  struct ol_err *err);

/* Called once per bucket in name (byte) order; @b is borrowed for the call. Same return
 * convention as ol_kv_cb. */
typedef int (*ol_bucket_cb)(void *ctx, const struct ol_bucket *b);

/* Returns OL_OK, OL_ECORRUPT, OL_EIO, or the callback's negative code. */
int ol_bucket_list(struct ol_store *st, ol_bucket_cb cb, void *ctx, struct ol_err *err);

/*
 * Set the versioning state. S3's state machine: a bucket never returns to Unversioned, and
 * a lock-enabled bucket stays Enabled. Returns OL_OK, OL_ENOTFOUND, OL_EINVAL (forbidden
 * transition; the gateway checks first to pick the exact S3 error), OL_EIO.
 */
int ol_bucket_set_versioning(struct ol_store *st, const char *name, enum ol_versioning state,
                             struct ol_err *err);

/*
 * PutObjectLockConfiguration: enable Object Lock on @name (irreversible) and set its default
 * retention to @rule (NULL or mode 0: none). Enabling needs versioning Enabled unless lock is
 * already on (S3 allows enabling on an existing Enabled bucket). The rule applies to versions
 * committed afterwards; existing versions keep their own lock state.
 * Returns OL_OK, OL_ENOTFOUND, OL_EINVAL (versioning not Enabled: the gateway checks first to
 * answer 409 InvalidBucketState; or a rule out of range), OL_EIO.
 */
int ol_bucket_set_object_lock(struct ol_store *st, const char *name,
                              const struct ol_lock_rule *rule, struct ol_err *err);

/* The retain-until instant (Unix ns) of @rule applied to a version created at @created_ns:
 * + days x 86400 s, or + calendar years (never fewer than 365 x years days). Pure. */
int64_t ol_lock_rule_until(const struct ol_lock_rule *rule, int64_t created_ns);

/*
 * Delete an empty bucket. Refused with OL_ENOTEMPTY while any version, delete marker or
 * multipart upload of it remains (one seek per column family, never a scan). Puts to the
 * bucket that race with the delete either commit before it (and it fails) or fail with
 * OL_ENOTFOUND. Returns OL_OK, OL_ENOTFOUND, OL_ENOTEMPTY, OL_EIO.
 */
int ol_bucket_delete(struct ol_store *st, const char *name, struct ol_err *err);

/* ---- versions ------------------------------------------------------------------------------ */

/* Values equal enum cr_cksum_alg of crypto.h. */
enum ol_cksum_alg {
	OL_CKSUM_NONE = 0,
	OL_CKSUM_CRC32,
	OL_CKSUM_CRC32C,
	OL_CKSUM_CRC64NVME,
	OL_CKSUM_SHA1,
	OL_CKSUM_SHA256,
};

enum ol_cksum_type { OL_CKSUM_TYPE_NONE = 0, OL_CKSUM_FULL_OBJECT, OL_CKSUM_COMPOSITE };

/* x-amz-replication-status; the replicator owns the transitions. */
enum ol_repl_status {
	OL_REPL_NONE = 0,
	OL_REPL_PENDING,
	OL_REPL_COMPLETED,
	OL_REPL_FAILED,
	OL_REPL_REPLICA,
};

/* Where a version's bytes live. */
enum ol_loc_kind {
	OL_LOC_NONE = 0,   /* delete marker: no bytes */
	OL_LOC_INLINE = 1, /* in the index record */
	OL_LOC_BLOB = 2,   /* in blobs/xx/yy/<hex blob_id> */
	OL_LOC_PARTS = 3,  /* a multipart object: the bytes of its parts' blob files, in order */
};

/* One part of an OL_LOC_PARTS version. */
struct ol_loc_part {
	uint32_t part_number;            /* the number it was uploaded and completed under
	                                  * (1..OL_PART_NUMBER_MAX; ascending, gaps possible) */
	uint8_t blob_id[OL_BLOB_ID_LEN]; /* its blob file */
	uint64_t size_bytes;             /* bytes in that file (0 allowed) */
	uint64_t off;                    /* [derived] object offset of its first byte: the sum
	                                  * of the sizes before it */
	uint8_t cksum[OL_CKSUM_MAX];     /* the part's checksum in the version's algorithm
	                                  * (cksum_alg of struct ol_version): raw big-endian,
	                                  * cksum_len bytes */
	size_t cksum_len;                /* the algorithm's length, or 0: no value for this part
	                                  * (the version has no algorithm, or the part was
	                                  * uploaded with another one) */
};

struct ol_locator {
	enum ol_loc_kind kind;
	uint8_t *inline_data; /* OL_LOC_INLINE: inline_len bytes, owned (may be NULL if 0) */
	size_t inline_len;
	uint8_t blob_id[OL_BLOB_ID_LEN]; /* OL_LOC_BLOB */
	uint64_t blob_len;               /* OL_LOC_BLOB: bytes in the blob file */
	struct ol_loc_part *parts;       /* OL_LOC_PARTS: n_parts entries in object order,
	                                  * owned; their sizes sum to the version's size */
	uint32_t n_parts;                /* OL_LOC_PARTS: 1..OL_PARTS_MAX */
};

/* One stored (name, value) pair: user metadata ("x-amz-meta-foo") and the other stored
 * headers (cache-control, content-disposition, content-encoding, content-language, expires),
 * opaque to the store. Both strings owned, NUL-terminated, without NUL inside. */
struct ol_header {
	char *name;
	char *value;
};

/*
 * A version of an object (or a delete marker) as stored. Plain data: every pointer is owned
 * by the struct and freed by ol_version_release(); set them with the ol_version_set_* and
 * ol_version_add_header helpers (or assign malloc'd memory yourself).
 *
 * Fields marked [store] are written by the store on commit and ignored on input; the others
 * are the caller's metadata, stored verbatim.
 */
struct ol_version {
	char version_id[OL_VERSION_ID_LEN + 1]; /* [store] "null" for the null version, else 32
	                                         * URL-safe chars; NUL-terminated */
	uint8_t iid[OL_IID_LEN]; /* [store] the version's position in the index (time-ordered);
	                          * the null version has one too */
	bool is_null;            /* [store] written while versioning was not Enabled */
	bool is_delete_marker;   /* [store] */
	uint64_t size_bytes;     /* [store] */
	int64_t created_ns;      /* [store] Unix time in ns: S3's LastModified */
	struct ol_locator loc;   /* [store] */

	char *etag;              /* the ETag without quotes; NULL = none */
	enum ol_cksum_alg cksum_alg;
	enum ol_cksum_type cksum_type;
	uint8_t cksum[OL_CKSUM_MAX]; /* raw big-endian value, cksum_len bytes */
	size_t cksum_len;            /* must equal the algorithm's length (0 for NONE) */
	char *content_type;          /* NULL = none */
	struct ol_header *hdrs;      /* n_hdrs pairs, owned */
	size_t n_hdrs;

	/* Object Lock. On commit to a lock bucket without an explicit mode the store fills
	 * lock_mode and retain_until_ns from the bucket's default rule; a delete marker has
	 * none of these. */
	enum ol_lock_mode lock_mode;
	int64_t retain_until_ns;     /* Unix time in ns; 0 = none */
	bool legal_hold;
	bool legal_hold_set;         /* a status (ON or OFF) was given; implied by legal_hold */

	enum ol_repl_status repl_status;
	uint8_t *enc_info;           /* encryption-info slot, opaque (wrapped key, key id, ...) */
	size_t enc_info_len;
};

/* Zero @v: no strings, no headers, no locator. */
void ol_version_init(struct ol_version *v);

/* Free what @v owns and zero it. NULL-safe, idempotent. */
void ol_version_release(struct ol_version *v);

/* Replace a string field with a NUL-terminated copy of (p, n); n 0 with p NULL clears it.
 * Returns OL_OK, OL_EINVAL (NUL inside), OL_E2BIG (n > OL_STR_MAX), OL_ENOMEM. */
int ol_version_set_etag(struct ol_version *v, const char *p, size_t n, struct ol_err *err);
int ol_version_set_content_type(struct ol_version *v, const char *p, size_t n,
                                struct ol_err *err);

/* Append a (name, value) pair. Returns OL_OK, OL_EINVAL (empty name, NUL inside),
 * OL_E2BIG (too long or more than OL_HDRS_MAX pairs), OL_ENOMEM. */
int ol_version_add_header(struct ol_version *v, const char *name, size_t nlen,
                          const char *value, size_t vlen, struct ol_err *err);

/* Replace the encryption-info slot. Returns OL_OK, OL_E2BIG, OL_ENOMEM. */
int ol_version_set_enc_info(struct ol_version *v, const void *p, size_t n, struct ol_err *err);

/* Deep copy @src to @out (which is overwritten, not released first).
 * Returns OL_OK or OL_ENOMEM (then @out is untouched). */
int ol_version_copy(const struct ol_version *src, struct ol_version *out, struct ol_err *err);

/* True if (p, n) is a well-formed version id: "null" or OL_VERSION_ID_LEN chars of the
 * store's alphabet. The gateway answers a malformed one with 400 InvalidArgument. */
bool ol_version_id_valid(const char *p, size_t n);

/* Number of parts of a multipart (OL_LOC_PARTS) version; 0 for every other version. The
 * gateway sends x-amz-mp-parts-count only when this is not 0. Pure. */
uint32_t ol_version_parts_count(const struct ol_version *v);

/* Part @part_number (the number it was completed under) of a multipart (OL_LOC_PARTS)
 * version, borrowed from @v; NULL when @v is not multipart or has no such part. Pure. */
const struct ol_loc_part *ol_version_part(const struct ol_version *v, uint32_t part_number);

/*
 * The byte range of part @part_number (the number the part was completed under; S3's
 * ?partNumber=N) of @v, for a ranged read. A version that is not multipart has one part,
 * number 1, which is the whole object (S3 answers partNumber=1 that way). Pure.
 * Returns OL_OK and *off, *len; OL_ENOTFOUND (no such part: S3 416 InvalidPartNumber);
 * OL_EINVAL (delete marker, part number 0).
 */
int ol_version_part_range(const struct ol_version *v, uint32_t part_number, uint64_t *off,
                          uint64_t *len);

/* ---- Object Lock: the policy ------------------------------------------------------------- */

/*
 * One pure function decides whether a version may be removed or its lock changed
 * (S3.md 8.1-8.7, 16.3); every store path that removes or alters a version calls it under
 * the key's lock on the record it just read. The semantics are AWS's:
 *
 *   retained(v) := v.lock_mode != NONE && now < v.retain_until_ns   (expired: no protection)
 *   locked(v)   := retained(v) || v.legal_hold
 *
 *  - delete markers are never protected: removing one is always allowed; a retention or
 *    legal-hold change addressed to one is refused (OL_DENY_DELETE_MARKER);
 *  - removal: a legal hold refuses it whatever the retention and the bypass; an active
 *    COMPLIANCE retention refuses it always; an active GOVERNANCE retention refuses it unless
 *    the bypass is requested AND permitted;
 *  - retention change (PutObjectRetention, the S3.md 8.4 matrix; the legal hold plays no
 *    part): a date not after now is refused first (OL_DENY_PAST_DATE); without an active
 *    retention anything goes (set any mode, remove); keeping the mode with a date at or
 *    after the current one (extend or keep) is always allowed; everything else — shorten,
 *    GOVERNANCE <-> COMPLIANCE either way, remove — is refused under COMPLIANCE and needs
 *    the bypass (requested and permitted) under GOVERNANCE;
 *  - legal hold ON/OFF: always allowed (not on delete markers);
 *  - a new version of the key (PUT, Copy, Complete, a delete marker on top) and metadata
 *    updates (tagging, ACL, replication status) are never blocked.
 *
 * Where a bypass is needed, a bypass requested without the permission is refused with
 * OL_DENY_BYPASS_NOT_PERMITTED; where none is needed the bypass is ignored.
 */

enum ol_op {
	OL_OP_REMOVE_VERSION = 1, /* permanent removal of this version: DeleteObject?versionId, a
	                           * DeleteObjects entry with a VersionId, the admin CLI, lifecycle
	                           * (noncurrent expiration), replication; and the replacement of
	                           * the null version by a write in a bucket that is not Enabled */
	OL_OP_SET_RETENTION,      /* PutObjectRetention: change->lock_mode/retain_until_ns, mode
	                           * OL_LOCK_NONE with date 0 = remove the retention */
	OL_OP_SET_LEGAL_HOLD,     /* PutObjectLegalHold: change->legal_hold */
	OL_OP_NEW_VERSION,        /* PUT / Copy / Complete on the key, DeleteObject without a
	                           * version id (a marker on top): always allowed */
	OL_OP_UPDATE_METADATA,    /* tagging, ACL, replication status: always allowed */
};

/* The requested lock state, for OL_OP_SET_RETENTION and OL_OP_SET_LEGAL_HOLD. */
struct ol_lock_change {
	enum ol_lock_mode lock_mode;
	int64_t retain_until_ns;  /* Unix ns; 0 with OL_LOCK_NONE */
	bool legal_hold;
};

/* Who asks. bypass_requested: x-amz-bypass-governance-retention compared
 * case-insensitively to "true"; bypass_permitted: the caller holds
 * s3:BypassGovernanceRetention on the object. */
struct ol_caller {
	bool bypass_requested;
	bool bypass_permitted;
};

/*
 * The answer, and how the gateway maps it (S3.md 8.2, 8.4, 8.7, 8.9):
 *
 *   verdict                        HTTP  S3 code           message
 *   OL_DENY_LEGAL_HOLD             403   AccessDenied      Access Denied because object protected by object lock.
 *   OL_DENY_COMPLIANCE             403   AccessDenied      (same)
 *   OL_DENY_GOVERNANCE             403   AccessDenied      (same)
 *   OL_DENY_BYPASS_NOT_PERMITTED   403   AccessDenied      Access Denied
 *   OL_DENY_PAST_DATE              400   InvalidArgument   The retain until date must be in the future!
 *   OL_DENY_DELETE_MARKER          405   MethodNotAllowed  The specified method is not allowed against this resource.
 *   OL_DENY_BAD_CHANGE             400   MalformedXML      (a change the XML parser should never have let through)
 *
 * In DeleteObjects each refused entry gets its own <Error><Code>AccessDenied</Code> with
 * the message above; the other entries go on. Never 400 InvalidRequest for a lock refusal
 * (MinIO's divergence, S3.md 13).
 */
enum ol_verdict {
	OL_ALLOW = 0,
	OL_DENY_LEGAL_HOLD,           /* legal hold ON: no removal, bypass or not */
	OL_DENY_COMPLIANCE,           /* active COMPLIANCE retention: nobody may weaken it */
	OL_DENY_GOVERNANCE,           /* active GOVERNANCE retention and no bypass requested */
	OL_DENY_BYPASS_NOT_PERMITTED, /* bypass requested without the permission */
	OL_DENY_PAST_DATE,            /* retention change to a date not after now */
	OL_DENY_DELETE_MARKER,        /* retention / legal hold addressed to a delete marker */
	OL_DENY_BAD_CHANGE,           /* no or malformed change (mode out of range, mode NONE
	                               * with a date), or an unknown op: fails closed */
};

/*
 * Decide whether @op may be done to @v at compliance time @now_ns (ns since the epoch, from
 * ol_clock_now). @change: the requested state for OL_OP_SET_RETENTION (mode and date) and
 * OL_OP_SET_LEGAL_HOLD (legal_hold); NULL otherwise (NULL for those two is
 * OL_DENY_BAD_CHANGE). @who NULL = no bypass. Pure and thread-safe: it reads only its
 * arguments. Returns OL_ALLOW or the reason for the refusal.
 */
enum ol_verdict ol_policy_check(const struct ol_version *v, enum ol_op op,
                                const struct ol_lock_change *change,
                                const struct ol_caller *who, int64_t now_ns);

/* retained(v) and locked(v) above, at @now_ns. A delete marker is never either. Pure. */
bool ol_retained(const struct ol_version *v, int64_t now_ns);
bool ol_locked(const struct ol_version *v, int64_t now_ns);

/* Static name of a verdict ("OL_DENY_COMPLIANCE"), and a short lower-case reason for logs
 * and err->msg ("active compliance retention"); "OL_?" / "unknown" for other values. */
const char *ol_verdict_name(enum ol_verdict v);
const char *ol_verdict_reason(enum ol_verdict v);

/* ---- put ----------------------------------------------------------------------------------- */

struct ol_put;

/*
 * Start receiving a body for (@bucket, @key). The body streams in through ol_put_write with
 * flat memory: up to inline_max_bytes are buffered, beyond that everything goes to a temp
 * file in tmp/. Nothing is visible until ol_put_commit returns OL_OK.
 * Returns OL_OK and *out, OL_ENOTFOUND (no such bucket), OL_EINVAL (key length 0 or above
 * OL_KEY_MAX, read-only store), OL_ENOMEM.
 */
int ol_put_begin(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                 struct ol_put **out, struct ol_err *err);

/*
 * Append @n bytes. After a failure the put is dead: every later write or commit fails with
 * the same code; call ol_put_abort.
 * Returns OL_OK, OL_EIO, OL_ENOSPC, OL_E2BIG (size would overflow), OL_ENOMEM.
 */
int ol_put_write(struct ol_put *put, const void *p, size_t n, struct ol_err *err);

/* Bytes received so far. */
uint64_t ol_put_size(const struct ol_put *put);

/*
 * Make the body durable and visible as a new version described by @v. The caller fills the
 * metadata fields of @v (initialised with ol_version_init); the store fills the [store]
 * fields on success: version id, internal id, is_null, size, created time and locator (for
 * an inline body @v takes ownership of the bytes; release @v as usual). On failure @v is
 * untouched. The bucket's versioning state decides the version: Enabled -> a new version
 * id; Unversioned or Suspended -> the null version, replacing the previous null version of
 * the key, whose blob is unlinked after the commit.
 *
 * Object Lock: a new version is never blocked by the locks of older ones (S3.md 8.7) — but
 * replacing the null version destroys it, so that replacement is judged like a removal
 * (OL_OP_REMOVE_VERSION, never with a bypass) on the freshly read record, under the key's
 * lock: a locked null version is kept and the put fails with OL_ELOCKED (the gateway answers
 * 403 AccessDenied). This cannot arise through S3 in a lock bucket, which is never
 * Suspended; it keeps lock fields meaningful wherever a record carries them. The same holds
 * for ol_delete_marker_put (Suspended), ol_upload_complete and ol_version_clone. A damaged
 * null version cannot be judged and is not replaced either (OL_ECORRUPT).
 * When @v is locked (ol_locked at the compliance clock's now) its blob files are made
 * read-only and get the immutable inode flag where possible (see ol_store_status).
 *
 * Order: temp file fsync, rename into blobs/, directory fsync, then one synced RocksDB
 * write batch (the commit point). Puts to the same key serialize their index update; the
 * last to commit is the latest version.
 *
 * Always consumes @put (do not call ol_put_abort on it afterwards). On failure nothing is
 * visible and the temp file is removed; a blob whose index write may or may not have reached
 * disk is deliberately left in place (an orphan that fsck --repair removes) rather than risk
 * unlinking the bytes of a committed version.
 * Returns OL_OK; OL_ENOTFOUND (bucket deleted meanwhile); OL_EINVAL / OL_E2BIG (metadata
 * out of bounds); OL_ELOCKED (the null version it would replace is locked); OL_ECORRUPT
 * (the null version it would replace is damaged); OL_EIO, OL_ENOSPC, OL_ENOMEM, or any code
 * a failed ol_put_write left.
 */
int ol_put_commit(struct ol_put *put, struct ol_version *v, struct ol_err *err);

/* Abandon the put: temp file removed, nothing visible. NULL-safe. */
void ol_put_abort(struct ol_put *put);

/* ---- read ---------------------------------------------------------------------------------- */

/*
 * Look up a version of (@bucket, @key): @version_id NULL = the latest (which may be a delete
 * marker: it is returned with is_delete_marker set, the caller decides), "null" = the null
 * version, else that id. On OL_OK the caller owns *out and releases it with
 * ol_version_release.
 * Returns OL_OK, OL_ENOTFOUND (no such bucket, key or version), OL_EINVAL (malformed version
 * id, bad key length), OL_ECORRUPT (record fails its checksum), OL_EIO, OL_ENOMEM.
 */
int ol_version_get(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                   const char *version_id, struct ol_version *out, struct ol_err *err);

struct ol_reader;

/*
 * Open a stream over bytes [@off, @off + @len) of version @v (as returned by ol_version_get
 * or ol_put_commit). @v is only read during the call: the reader keeps its own copy of an
 * inline body and its own descriptor of a blob, so a concurrent ol_version_remove does not
 * cut a read short. A multipart version's range may span thousands of part files, so those
 * are opened one at a time as the stream reaches them (the first at open): a removal racing
 * with the read can end it early with OL_ENOTFOUND from ol_reader_read (a locked version
 * cannot be removed, so this only concerns unprotected versions).
 * Returns OL_OK and *out; OL_EINVAL (range outside the version, delete marker); OL_ENOTFOUND
 * (the blob is gone: the version was removed since it was looked up — or the store is
 * damaged, which fsck reports); OL_ECORRUPT (blob of the wrong size, inline body not matching
 * the size); OL_EIO, OL_ENOMEM.
 */
int ol_reader_open(struct ol_store *st, const struct ol_version *v, uint64_t off, uint64_t len,
                   struct ol_reader **out, struct ol_err *err);

/* Copy up to @cap next bytes to @buf; *got = 0 means the range is exhausted. May return
 * fewer bytes than asked before the end (never more than one part file's worth). Returns
 * OL_OK, OL_EIO, OL_ECORRUPT (blob shrank, part file of the wrong size), OL_ENOTFOUND (the
 * next part file of a multipart version is gone: see ol_reader_open). */
int ol_reader_read(struct ol_reader *r, void *buf, size_t cap, size_t *got, struct ol_err *err);

/* Bytes of the range not yet read. */
uint64_t ol_reader_remaining(const struct ol_reader *r);

/*
 * For sendfile(2): the blob's descriptor (owned by the reader, valid until ol_reader_close)
 * and the file offset of the first byte not yet read; ol_reader_remaining bytes follow it.
 * The caller that sends from the fd directly does not also call ol_reader_read.
 * For a multipart version this works when the rest of the range lies within one part file
 * (a ?partNumber=N read, a Range inside a part): the descriptor is that part's.
 * Returns OL_OK, or OL_ENOTFOUND for an inline body, for a range that still crosses a part
 * boundary and for an empty rest of a multipart range (use ol_reader_read).
 */
int ol_reader_sendfile_fd(struct ol_reader *r, int *fd, uint64_t *file_off);

/* NULL-safe. */
void ol_reader_close(struct ol_reader *r);

/* ---- delete -------------------------------------------------------------------------------- */

/*
 * S3 DeleteObject without a version id on a versioned bucket: Enabled -> a new delete marker
 * becomes the latest version; Suspended -> a null delete marker replaces the null version
 * (whose blob is unlinked after the commit). On OL_OK *out (may be NULL) receives the marker
 * (caller releases it). Adding a marker on top of a locked version is always allowed (S3.md
 * 8.7); replacing a locked null version (Suspended) is not: OL_ELOCKED, as for a put.
 * Returns OL_OK, OL_ENOTFOUND (no bucket), OL_EINVAL (bucket Unversioned: there the caller
 * removes the null version with ol_version_remove; bad key), OL_ELOCKED, OL_ECORRUPT,
 * OL_EIO, OL_ENOSPC.
 */
int ol_delete_marker_put(struct ol_store *st, const char *bucket, const void *key,
                         size_t keylen, struct ol_version *out, struct ol_err *err);

/*
 * Permanently remove one version (or delete marker) — "null" addresses the null version —
 * if Object Lock allows it, then unlink its blob files. This is the only way to remove a
 * version: there is no unchecked removal, not even for the admin CLI, lifecycle, fsck or
 * replication (S3.md 8.1 "no back door"), and each of them calls this.
 *
 * Under the key's lock the record is read afresh and judged by ol_policy_check(rec,
 * OL_OP_REMOVE_VERSION, NULL, @who, now), so a legal hold or retention set concurrently is
 * either seen by the check or set after the removal (and then fails with OL_ENOTFOUND) —
 * never lost in between. A record that does not decode cannot be judged and is not removed.
 * On removal the immutable flag of its blob files is cleared just before each unlink, still
 * under the lock: the one place the flag is lifted.
 *
 * @who: the caller's bypass (x-amz-bypass-governance-retention and the permission); NULL =
 * none. @now_ns: the compliance time to judge at; OL_NOW (0) = ol_clock_now(@st) read under
 * the lock, which is what the gateway passes. A time later than the compliance clock is
 * clamped to it: no caller can judge a version as of a moment that has not come.
 * On OL_ELOCKED *verdict_out (may be NULL) receives the refusal; it is left alone otherwise.
 * On OL_OK *removed_out (may be NULL) receives the removed version (caller releases it).
 * Returns OL_OK; OL_ENOTFOUND (no such version; quiet); OL_ELOCKED (refused: retention or
 * legal hold; err->msg names the version and the reason); OL_EINVAL (malformed id, bad key,
 * read-only store); OL_ECORRUPT (record damaged); OL_EIO.
 */
int ol_version_remove_checked(struct ol_store *st, const char *bucket, const void *key,
                              size_t keylen, const char *version_id,
                              const struct ol_caller *who, int64_t now_ns,
                              enum ol_verdict *verdict_out, struct ol_version *removed_out,
                              struct ol_err *err);

/* ol_version_remove_checked without a bypass, judged at the compliance clock's now: the
 * safe default (a locked version gives OL_ELOCKED). Same return codes. */
int ol_version_remove(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                      const char *version_id, struct ol_version *removed_out,
                      struct ol_err *err);

/* ---- Object Lock: retention and legal hold ---------------------------------------------- */

/* For the @now_ns arguments: judge at the compliance clock's now, read under the key's lock. */
#define OL_NOW ((int64_t)0)

/*
 * PutObjectRetention on version @version_id of (@bucket, @key) (NULL = the latest version,
 * "null" = the null version): set @mode until @retain_until_ns, or remove the retention
 * (OL_LOCK_NONE with 0). Under the key's lock the record is read afresh and the change
 * judged by ol_policy_check(rec, OL_OP_SET_RETENTION, change, @who, now) — the S3.md 8.4
 * matrix; @who and @now_ns as for ol_version_remove_checked. Then one synced batch rewrites
 * the record in place: same version id, same Last-Modified, ETag and bytes (S3.md 8.1). A
 * change to the state already stored writes nothing (S3 retries are idempotent). When the
 * version ends up locked its blob files are made read-only and immutable where possible.
 * The gateway validates the request first (XML, "must be in the future" against
 * ol_clock_now); the store judges again on the fresh record and refuses what slipped by.
 * On refusal by the policy *verdict_out (may be NULL) receives the verdict; otherwise it is
 * left alone. On OL_OK *out (may be NULL) receives the updated version (caller releases).
 * Returns OL_OK; OL_ENOTFOUND (no such bucket, key or version; quiet); OL_ELOCKED (the
 * matrix refuses: OL_DENY_COMPLIANCE / _GOVERNANCE / _BYPASS_NOT_PERMITTED);
 * OL_EDELMARKER (the version is a delete marker); OL_EINVAL (date not in the future:
 * OL_DENY_PAST_DATE; malformed change: OL_DENY_BAD_CHANGE; bucket without Object Lock —
 * S3 400 InvalidRequest "Bucket is missing Object Lock Configuration", the gateway checks it
 * first; malformed id, bad key, read-only store; *verdict_out is set only for the first
 * two); OL_ECORRUPT (record damaged); OL_EIO, OL_ENOSPC, OL_ENOMEM.
 */
int ol_version_set_retention(struct ol_store *st, const char *bucket, const void *key,
                             size_t keylen, const char *version_id, enum ol_lock_mode mode,
                             int64_t retain_until_ns, const struct ol_caller *who,
                             int64_t now_ns, enum ol_verdict *verdict_out,
                             struct ol_version *out, struct ol_err *err);

/*
 * PutObjectLegalHold: set (@on) or clear the legal hold of version @version_id (NULL = the
 * latest, "null" = the null version), exactly as ol_version_set_retention: fresh record,
 * policy check (OL_OP_SET_LEGAL_HOLD: allowed in every retention state, refused on a delete
 * marker), one synced batch, nothing written if unchanged, blobs made immutable when the
 * hold is set. Clearing the hold never lifts the immutable flag (only a removal does).
 * Returns OL_OK; OL_ENOTFOUND; OL_EDELMARKER (*verdict_out = OL_DENY_DELETE_MARKER);
 * OL_EINVAL (bucket without Object Lock, malformed id, bad key, read-only store);
 * OL_ECORRUPT; OL_EIO, OL_ENOSPC, OL_ENOMEM.
 */
int ol_version_set_legal_hold(struct ol_store *st, const char *bucket, const void *key,
                              size_t keylen, const char *version_id, bool on,
                              enum ol_verdict *verdict_out, struct ol_version *out,
                              struct ol_err *err);

/* ---- Object Lock: the compliance clock ---------------------------------------------------- */

/*
 * Retention is judged against the compliance clock, not the system clock: setting the date
 * ten years ahead (by hand, a rogue NTP server, libfaketime around the process) must not
 * free a single locked version. Rules:
 *
 *  1. Between two readings it advances by the monotonic time elapsed (CLOCK_BOOTTIME, read
 *     with a direct system call: settimeofday cannot move it, and an LD_PRELOAD time shim
 *     such as libfaketime does not see the call), adjusted toward the wall clock
 *     (CLOCK_REALTIME) by at most 1/OL_CLOCK_SLEW_DIV of that elapsed time: with the
 *     default 60, at most 1 s per 60 s (1.67 %) faster or slower. So a wall clock set ahead
 *     by any amount drags compliance time by at most 1 minute per hour (24 min/day), and a
 *     retention of D days cannot end before D x 60/61 days of real time have passed. When
 *     the wall clock is within reach, compliance time equals it.
 *  2. It never goes back: when the wall clock is behind, compliance time still advances, at
 *     least (1 - 1/60) x the monotonic rate, until they meet again.
 *  3. A checkpoint (compliance time, wall time, monotonic time, boot id) is written to the
 *     meta column family at open, every clock_checkpoint_ms (default 60 s) and at close.
 *  4. A new store starts from the wall clock. A restart resumes from the checkpoint and
 *     never from the wall clock: it adds the time elapsed since the checkpoint only when it
 *     can measure it — same boot (boot id), monotonic reading consistent with /proc/uptime
 *     — and then at most min(monotonic elapsed, wall elapsed). After a reboot the downtime
 *     is not measurable: the clock resumes at the checkpoint and catches up at the rate of
 *     rule 1 (an hour of downtime costs 60 hours of catching up, during which retention is
 *     judged later than the wall clock would — the safe side). A wall clock far ahead of the
 *     resumed time is reported, never believed.
 *  5. A damaged checkpoint makes a read-write open fail (OL_ECORRUPT) rather than guess; a
 *     read-only open then starts from the wall clock and reports it.
 *  6. Disagreements are recorded: whenever the wall clock is found more than
 *     OL_CLOCK_ALARM_NS away from compliance time (at open, or after a step of the wall
 *     clock relative to the monotonic one), and when it comes back within it. Each such
 *     event counts in ol_clock_status.disagreements, sets the last (wall, compliance) pair
 *     and enters a log of the last OL_CLOCK_EVENTS_MAX events, persisted with the checkpoint
 *     so an offline `holdfast clock status` sees them.
 *
 * Out of scope, stated: root can rewrite the index itself (or start the process in a time
 * namespace with a moved CLOCK_BOOTTIME); the answer to that is the replicated copy under
 * its own lock, not this clock.
 */

#define OL_CLOCK_SLEW_DIV 60                     /* the drift bound: 1/60 of elapsed time */
#define OL_CLOCK_ALARM_NS 1000000000LL           /* disagreement threshold: 1 s */
#define OL_CLOCK_CHECKPOINT_MS 60000u            /* default checkpoint period */
#define OL_CLOCK_EVENTS_MAX 16                   /* events kept (ring, persisted) */

/*
 * The compliance time in ns since the epoch. Thread-safe, cheap (a mutex, a vDSO read of
 * the wall clock and one clock_gettime system call), never decreasing across calls and
 * across restarts. The gateway uses it for "the retain until date must be in the future"
 * and should compute a default retention (S3.md 8.3) as max(version created_ns,
 * ol_clock_now) + Days, so that a wall clock set back cannot shorten it.
 */
int64_t ol_clock_now(struct ol_store *st);

/* Write the checkpoint now (the thread does it every clock_checkpoint_ms and close does it
 * once more). Returns OL_OK, OL_EINVAL (read-only store), OL_EIO, OL_ENOSPC. */
int ol_clock_checkpoint(struct ol_store *st, struct ol_err *err);

enum ol_clock_event_kind {
	OL_CLOCK_EV_NEW = 1,     /* new store: started from the wall clock */
	OL_CLOCK_EV_RESUME,      /* resumed from the checkpoint; detail_ns = elapsed time
	                          * credited (0 after a reboot or when unmeasurable) */
	OL_CLOCK_EV_WALL_AHEAD,  /* wall clock found ahead by more than OL_CLOCK_ALARM_NS */
	OL_CLOCK_EV_WALL_BEHIND, /* ... behind */
	OL_CLOCK_EV_WALL_STEP,   /* the wall clock stepped relative to the monotonic clock by
	                          * detail_ns while already in disagreement */
	OL_CLOCK_EV_AGREE,       /* back within OL_CLOCK_ALARM_NS */
	OL_CLOCK_EV_NO_CHECKPOINT, /* read-only open of a store without a usable checkpoint:
	                          * started from the wall clock */
};

struct ol_clock_event {
	enum ol_clock_event_kind kind;
	int64_t compliance_ns;   /* at the event */
	int64_t wall_ns;
	int64_t detail_ns;       /* kind-specific (see above); for WALL_AHEAD/BEHIND/AGREE the
	                          * step of the wall clock that caused it (0 at open) */
};

enum ol_clock_start {
	OL_CLOCK_START_NEW = 1,        /* first open: from the wall clock */
	OL_CLOCK_START_CHECKPOINT,     /* from the checkpoint, nothing credited */
	OL_CLOCK_START_CHECKPOINT_BOOT, /* from the checkpoint + measured time (same boot) */
	OL_CLOCK_START_WALL_FALLBACK,  /* read-only open without a usable checkpoint */
};

struct ol_clock_status {
	int64_t compliance_ns;        /* ol_clock_now at the call */
	int64_t wall_ns;              /* the wall clock at the call */
	int64_t offset_ns;            /* wall - compliance (> 0: the wall clock is ahead) */
	uint32_t slew_div;            /* OL_CLOCK_SLEW_DIV */
	int64_t alarm_ns;             /* OL_CLOCK_ALARM_NS */
	enum ol_clock_start start;
	int64_t started_ns;           /* compliance time at open */
	int64_t credited_ns;          /* elapsed time credited at open */
	int64_t checkpoint_ns;        /* compliance time of the last checkpoint written or read */
	int64_t checkpoint_wall_ns;   /* wall time at that checkpoint */
	uint64_t checkpoints_written; /* since open */
	uint64_t checkpoint_failures; /* since open */
	char checkpoint_error[128];   /* the last failure, "" if none */
	bool read_only;               /* nothing is persisted */
	bool boot_trusted;            /* monotonic clock consistent with /proc/uptime */
	uint64_t disagreements;       /* events WALL_AHEAD / WALL_BEHIND / WALL_STEP, ever
	                               * (persisted) */
	int64_t last_disagreement_wall_ns;       /* the pair at the last one; 0 if none */
	int64_t last_disagreement_compliance_ns;
	int64_t max_ahead_ns;         /* largest wall - compliance seen, ever (>= 0) */
	int64_t max_behind_ns;        /* largest compliance - wall seen, ever (>= 0) */
	uint64_t events_total;        /* events ever recorded (persisted) */
	uint32_t n_events;            /* entries in events[], oldest first */
	struct ol_clock_event events[OL_CLOCK_EVENTS_MAX];
};

/* Fill @out. Thread-safe; advances the clock like ol_clock_now. */
void ol_clock_status(struct ol_store *st, struct ol_clock_status *out);

/* ---- Object Lock: store status ------------------------------------------------------------- */

/*
 * Defence in depth on disk: blob files of locked versions are made read-only (write bits
 * removed: 0440, never wider than they were) and get the immutable inode flag
 * (FS_IOC_SETFLAGS FS_IMMUTABLE_FL; needs CAP_LINUX_IMMUTABLE and a filesystem with inode
 * flags — ext4, xfs, btrfs, tmpfs >= 6.0). The flag is set when a locked version is
 * committed (put, complete, clone with lock fields) and when a retention or legal hold is
 * set; it is cleared only by a removal the policy allowed, just before the unlink. An
 * inode shared with another name (ol_version_clone's hard links) is not flagged: the flag
 * would protect the other name too (link(2) onto a flagged inode fails, so the clone copies
 * instead and the copy is flagged). Whether it works is probed at every open (read-write:
 * a temp file in tmp/; read-only: an unnamed O_TMPFILE inode there, which leaves nothing
 * behind) and downgraded when a real attempt is refused.
 */

enum ol_immutable_support {
	OL_IMMUTABLE_UNKNOWN = 0,     /* read-only open that could not probe */
	OL_IMMUTABLE_SUPPORTED,
	OL_IMMUTABLE_UNSUPPORTED,     /* see immutable_reason */
};

struct ol_store_status {
	struct ol_clock_status clock;
	enum ol_immutable_support immutable;
	char immutable_reason[128];   /* "" when supported; else why ("no CAP_LINUX_IMMUTABLE
	                               * (EPERM)", "filesystem has no inode flags (ENOTTY)") */
	uint64_t immutable_set;       /* flags set since open */
	uint64_t immutable_cleared;   /* flags cleared for removals since open */
	uint64_t immutable_shared;    /* blobs left unflagged: inode shared with another name */
	uint64_t immutable_failed;    /* attempts that failed (I/O errors, refusals) */
};

/* Fill @out. Thread-safe. */
void ol_store_status(struct ol_store *st, struct ol_store_status *out);

/* `holdfast clock status`: a human-readable block, and one JSON object on one line. */
void ol_store_status_print(FILE *f, const struct ol_store_status *s);
void ol_store_status_print_json(FILE *f, const struct ol_store_status *s);

/* Static names: "new", "checkpoint", ...; "wall-ahead", ...; "supported", ... */
const char *ol_clock_start_name(enum ol_clock_start s);
const char *ol_clock_event_name(enum ol_clock_event_kind k);
const char *ol_immutable_support_name(enum ol_immutable_support s);

/* ---- list ---------------------------------------------------------------------------------- */

struct ol_list_opts {
	const char *bucket;
	const void *prefix;     /* only keys starting with it; plen 0 = all */
	size_t prefix_len;
	const void *delimiter;  /* roll keys up into common prefixes; dlen 0 = none */
	size_t delimiter_len;
	const void *marker;     /* exclusive start: marker / start-after / continuation /
	                         * key-marker; mlen 0 = from the start */
	size_t marker_len;
	const char *version_id_marker; /* want_versions only: resume strictly after this
	                                * version of key @marker; NULL = after all versions of it */
	uint32_t max_keys;      /* entries (objects, versions and common prefixes) per call; 0
	                         * returns nothing and is_truncated false */
	bool want_versions;     /* false: ListObjects (latest version of each key, keys whose
	                         * latest is a delete marker hidden); true: ListObjectVersions */
};

struct ol_list_entry {
	const char *key;        /* object key, or the common prefix; borrowed for the call */
	size_t keylen;
	bool is_prefix;         /* a common prefix: @v is NULL */
	bool is_latest;         /* the key's current version (always true without versions) */
	const struct ol_version *v; /* borrowed for the call; copy with ol_version_copy */
};

/* Called per entry in S3 order: keys ascending by bytes, versions newest first, each common
 * prefix once at the position of its first key. Return 0 to go on; 1 to stop after this
 * entry (ol_list then returns OL_OK with is_truncated true and next_marker at this entry, so
 * the listing can resume); a negative enum ol_rc to abort (ol_list returns it). */
typedef int (*ol_list_cb)(void *ctx, const struct ol_list_entry *e);

struct ol_list_result {
	bool is_truncated;   /* more entries follow the last one returned */
	uint32_t count;      /* entries returned (common prefixes count one each) */
	char next_marker[OL_KEY_MAX]; /* when truncated: the last key or common prefix returned,
	                               * to pass back as marker */
	size_t next_marker_len;
	char next_version_id[OL_VERSION_ID_LEN + 1]; /* want_versions and truncated after a
	                               * version: its id, to pass back as version_id_marker;
	                               * "" after a common prefix and in object listings */
};

/*
 * One listing page: a seek and a walk of the index, never a scan of the bucket. A common
 * prefix is skipped over with one seek; an entry (key or common prefix) that does not sort
 * after @marker is never returned, so passing next_marker back never repeats an entry.
 * Returns OL_OK and *out; OL_ENOTFOUND (no bucket); OL_EINVAL (version_id_marker without
 * marker or malformed, over-long prefix or marker); OL_ECORRUPT (a record on the way fails
 * its checksum); OL_EIO; or the callback's negative code.
 */
int ol_list(struct ol_store *st, const struct ol_list_opts *o, ol_list_cb cb, void *ctx,
            struct ol_list_result *out, struct ol_err *err);

/* ---- copy ---------------------------------------------------------------------------------- */

/*
 * CopyObject without rewriting bytes: make a new version of (@bucket, @key) — any bucket,
 * the source's own key included — holding the bytes of @src (a version as returned by
 * ol_version_get; only read during the call). @v carries the destination's metadata, which
 * the caller decides (COPY or REPLACE directive, the request's lock fields: S3 never copies
 * lock settings); the store fills the [store] fields on success exactly as ol_put_commit
 * does, and the same versioning rules apply (Enabled: a new version; otherwise the null
 * version is replaced and its blobs unlinked after the commit). On failure @v is untouched.
 *
 * The bytes: an inline source is copied into the new record; a blob source gets a NEW blob
 * name hard-linked (link(2)) to the source's file, a multipart source one new name per part
 * (the part layout is kept: ol_version_parts_count of the copy equals the source's, and so
 * are the parts' checksums if @v has the source's checksum algorithm, else they are
 * dropped; the gateway decides whether to expose the parts, e.g. only when the ETag it
 * stored has the "-N" form). The names are distinct, so removing either version later unlinks only its own
 * name and the other stays readable; fsck and removal work on names and are unaffected by
 * st_nlink > 1. Where link(2) fails with EXDEV, EPERM (e.g. an immutable inode), EMLINK or
 * ENOTSUP the bytes are copied through a temp file instead (fsync, rename, directory fsync).
 * Then one synced write batch commits the version.
 *
 * A crash or failure leaves nothing visible; a new name whose commit may or may not have
 * reached disk is kept (an orphan that fsck --repair removes: removing a name never touches
 * the source's bytes). The immutable inode flag (ol_store_status) and shared inodes: the
 * flag is never set on an inode with another name (a locked clone that was linked stays
 * unflagged, read-only only); link(2) onto a flagged inode fails with EPERM and this copies
 * instead, so the copy of a locked version is a file of its own.
 * Returns OL_OK; OL_ENOTFOUND (no destination bucket, or the source's blob is gone: the
 * source was removed since it was looked up — S3 NoSuchKey); OL_EINVAL (@src is a delete
 * marker or malformed, bad key, read-only store, metadata out of bounds); OL_E2BIG;
 * OL_ECORRUPT (the source blob has the wrong size, or the null version it would replace is
 * damaged); OL_ELOCKED (the null version it would replace is locked: see ol_put_commit);
 * OL_EIO, OL_ENOSPC, OL_ENOMEM, OL_ERR.
 */
int ol_version_clone(struct ol_store *st, const struct ol_version *src, const char *bucket,
                     const void *key, size_t keylen, struct ol_version *v, struct ol_err *err);

/* ---- multipart uploads --------------------------------------------------------------------- */

/*
 * An upload lives in OL_CF_UPLOADS as one record (its id, initiation time and the metadata
 * template given at create) followed by one record per uploaded part (size, ETag, raw MD5,
 * checksum, blob file). Part bodies always go to blob files. Completing an upload turns the
 * listed parts' blob files into the new version's OL_LOC_PARTS locator without copying a
 * byte. The operations on one upload — part commits, complete, abort — serialize on the
 * key's lock and re-check that the upload still exists once they hold it, so exactly one of
 * concurrent completes/aborts wins and the others get OL_ENOTFOUND (ol_upload_done_get then
 * finds the winning completion), and a part committed after the upload ended is refused
 * and leaves nothing behind.
 *
 * Upload ids are OL_UPLOAD_ID_LEN URL-safe chars (the version id alphabet), unique, and sort
 * in initiation order. An id the store could not have issued is simply not found
 * (OL_ENOTFOUND: S3 NoSuchUpload), as is an id of another key of the bucket.
 */

struct ol_upload {
	char upload_id[OL_UPLOAD_ID_LEN + 1]; /* NUL-terminated */
	int64_t initiated_ns;                 /* Unix time in ns: S3's Initiated */
	struct ol_version tmpl; /* the metadata given to ol_upload_create, owned (release with
	                         * ol_upload_release); its [store] fields are zero */
};

/* Free what @u owns and zero it. NULL-safe, idempotent. */
void ol_upload_release(struct ol_upload *u);

/*
 * CreateMultipartUpload: start an upload for (@bucket, @key). @tmpl holds the metadata the
 * final version is to get (content-type, stored headers, checksum algorithm and type, lock
 * mode, retain-until, legal hold, encryption info, ...) and is stored verbatim ([store]
 * fields ignored). Its checksum value may be empty (cksum_len 0) whatever cksum_alg says:
 * at create time S3 knows the algorithm and type only. The store does not apply it at
 * complete: the gateway reads it back with ol_upload_get and builds the version it passes
 * to ol_upload_complete (a default retention is computed at completion time in S3). One
 * synced write.
 * Returns OL_OK and @upload_id_out; OL_ENOTFOUND (no such bucket); OL_EINVAL (bad key,
 * read-only store, malformed metadata); OL_E2BIG; OL_EIO, OL_ENOSPC, OL_ENOMEM, OL_ERR.
 */
int ol_upload_create(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                     const struct ol_version *tmpl, char upload_id_out[OL_UPLOAD_ID_LEN + 1],
                     struct ol_err *err);

/* Look up an upload. On OL_OK the caller releases *out with ol_upload_release.
 * Returns OL_OK, OL_ENOTFOUND (quiet), OL_EINVAL (bad bucket or key), OL_ECORRUPT, OL_EIO,
 * OL_ENOMEM. */
int ol_upload_get(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                  const char *upload_id, struct ol_upload *out, struct ol_err *err);

/* What the gateway learned from a part's body. */
struct ol_part_meta {
	const char *etag;            /* the part's ETag without quotes (normally hex MD5) */
	size_t etag_len;             /* 1..OL_PART_ETAG_MAX bytes, no NUL */
	uint8_t md5[OL_MD5_LEN];     /* raw MD5 of the part: the multipart ETag is
	                              * hex(MD5(md5_1 || ... || md5_k)) + "-k" */
	enum ol_cksum_alg cksum_alg; /* the part's checksum (OL_CKSUM_NONE = none) */
	uint8_t cksum[OL_CKSUM_MAX]; /* raw big-endian value */
	size_t cksum_len;            /* must equal the algorithm's length */
};

/* A stored part: plain data. */
struct ol_part {
	uint32_t part_number;
	uint64_t size_bytes;
	int64_t created_ns;                 /* Unix time in ns: S3's LastModified */
	char etag[OL_PART_ETAG_MAX + 1];    /* NUL-terminated */
	uint8_t md5[OL_MD5_LEN];
	enum ol_cksum_alg cksum_alg;
	uint8_t cksum[OL_CKSUM_MAX];
	size_t cksum_len;
};

/*
 * UploadPart: start receiving part @part_number of upload @upload_id of (@bucket, @key).
 * The body streams in with ol_put_write exactly as for a put (flat memory), always into a
 * blob file (even a part of 0 bytes); finish with ol_part_commit or ol_put_abort (never
 * ol_put_commit, which refuses a part with OL_EINVAL).
 * Returns OL_OK and *out; OL_ENOTFOUND (no bucket, no such upload: early NoSuchUpload
 * before the body is read; commit checks again); OL_EINVAL (part number outside
 * 1..OL_PART_NUMBER_MAX, bad key, read-only store); OL_ECORRUPT, OL_EIO, OL_ENOMEM.
 */
int ol_part_begin(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                  const char *upload_id, uint32_t part_number, struct ol_put **out,
                  struct ol_err *err);

/*
 * Make the part durable: blob fsync, rename into blobs/, directory fsync, then one synced
 * write batch stores the part record. A part of the same number uploaded earlier is
 * replaced in that batch, and its blob unlinked after it. On OL_OK *out (may be NULL) gets
 * the stored part. Always consumes @put.
 * If the upload was completed or aborted meanwhile the part is refused and its blob
 * removed: nothing is left. Other failures leave nothing visible; as with ol_put_commit a
 * blob whose index write may have reached disk is left for fsck --repair.
 * Returns OL_OK; OL_ENOTFOUND (upload gone: S3 NoSuchUpload); OL_EINVAL (@put is not a
 * part, @m out of bounds: empty or over-long ETag, checksum length not the algorithm's);
 * OL_ECORRUPT; OL_EIO, OL_ENOSPC, OL_ENOMEM, or any code a failed ol_put_write left.
 */
int ol_part_commit(struct ol_put *put, const struct ol_part_meta *m, struct ol_part *out,
                   struct ol_err *err);

/* One part of an upload. Returns OL_OK and *out, OL_ENOTFOUND (no such upload or part;
 * quiet), OL_EINVAL (bad key, part number 0 or too big), OL_ECORRUPT, OL_EIO. */
int ol_part_get(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                const char *upload_id, uint32_t part_number, struct ol_part *out,
                struct ol_err *err);

/* Called per part in part-number order; @p borrowed for the call. Return 0 to go on, 1 to
 * stop after this part (the listing is then truncated at it), a negative enum ol_rc to
 * abort (the list call returns it). */
typedef int (*ol_part_cb)(void *ctx, const struct ol_part *p);

struct ol_part_list_result {
	bool is_truncated;         /* parts follow the last one returned */
	uint32_t count;            /* parts returned */
	uint32_t next_part_marker; /* when truncated: the last part number returned, to pass
	                            * back as part_marker; else 0 */
};

/*
 * ListParts: up to @max_parts parts with numbers above @part_marker (0 = from the first),
 * in number order; one seek and a walk. max_parts 0 returns nothing, not truncated (S3
 * caps the page at 1000; the gateway applies that).
 * Returns OL_OK and *out; OL_ENOTFOUND (no such upload: NoSuchUpload); OL_EINVAL;
 * OL_ECORRUPT (a part record fails its checks); OL_EIO; or the callback's negative code.
 */
int ol_part_list(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                 const char *upload_id, uint32_t part_marker, uint32_t max_parts,
                 ol_part_cb cb, void *ctx, struct ol_part_list_result *out,
                 struct ol_err *err);

struct ol_upload_list_opts {
	const char *bucket;
	const void *prefix;            /* only keys starting with it; plen 0 = all */
	size_t prefix_len;
	const void *delimiter;         /* roll keys up into common prefixes; dlen 0 = none */
	size_t delimiter_len;
	const void *key_marker;        /* exclusive start: uploads of keys after it (or, with
	                                * upload_id_marker, of this key after that id) */
	size_t key_marker_len;
	const char *upload_id_marker;  /* NULL = none; needs key_marker */
	uint32_t max_uploads;          /* entries (uploads and common prefixes) per call; 0
	                                * returns nothing, not truncated */
};

struct ol_upload_entry {
	const char *key;               /* object key, or the common prefix; borrowed */
	size_t keylen;
	bool is_prefix;                /* a common prefix: @u is NULL */
	const struct ol_upload *u;     /* borrowed for the call */
};

/* Same return convention as ol_list_cb. */
typedef int (*ol_upload_list_cb)(void *ctx, const struct ol_upload_entry *e);

struct ol_upload_list_result {
	bool is_truncated;
	uint32_t count;
	char next_key_marker[OL_KEY_MAX]; /* when truncated: last key or common prefix returned */
	size_t next_key_marker_len;
	char next_upload_id_marker[OL_UPLOAD_ID_LEN + 1]; /* when truncated after an upload:
	                               * its id; "" after a common prefix */
};

/*
 * ListMultipartUploads: the uploads of a bucket in S3 order — key ascending by bytes, then
 * initiation order (= upload id order) — each common prefix once at the place of its first
 * key. One seek and a walk; a key's part records and a common prefix's keys are skipped with
 * one seek each, never scanned. Entries not after the markers are never returned, so
 * passing next_key_marker / next_upload_id_marker back never repeats an entry.
 * Returns OL_OK and *out; OL_ENOTFOUND (no bucket); OL_EINVAL (upload_id_marker without
 * key_marker, or malformed; over-long prefix, delimiter or marker); OL_ECORRUPT; OL_EIO;
 * OL_ENOMEM; or the callback's negative code.
 */
int ol_upload_list(struct ol_store *st, const struct ol_upload_list_opts *o,
                   ol_upload_list_cb cb, void *ctx, struct ol_upload_list_result *out,
                   struct ol_err *err);

/* Called per upload; everything borrowed for the call. Same return convention as
 * ol_kv_cb. The callback may call ol_upload_abort on the upload it is given. */
typedef int (*ol_upload_scan_cb)(void *ctx, const char *bucket, const void *key,
                                 size_t keylen, const struct ol_upload *u);

/*
 * For the stale-upload cleanup task: visit every upload of every bucket initiated before
 * @cutoff_ns (INT64_MAX = all), in (bucket, key, upload id) order. Walks all upload records
 * (the work grows with the number of uploads, not of parts), from a consistent snapshot, so
 * aborting from the callback is safe. A damaged upload record is skipped and the walk goes
 * on; the call then ends with OL_ECORRUPT (fsck names the record).
 * Returns OL_OK, OL_ECORRUPT, OL_EIO, OL_ENOMEM, or the callback's negative code.
 */
int ol_upload_list_older_than(struct ol_store *st, int64_t cutoff_ns, ol_upload_scan_cb cb,
                              void *ctx, struct ol_err *err);

/*
 * AbortMultipartUpload: one synced batch removes the upload record and all its part
 * records, then the parts' blob files are unlinked. A part commit in flight for it fails
 * with OL_ENOTFOUND.
 * Returns OL_OK; OL_ENOTFOUND (no such upload: NoSuchUpload); OL_EINVAL (bad key, read-only
 * store); OL_ECORRUPT; OL_EIO, OL_ENOSPC, OL_ENOMEM.
 */
int ol_upload_abort(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                    const char *upload_id, struct ol_err *err);

/* A part as CompleteMultipartUpload lists it. */
struct ol_complete_part {
	uint32_t part_number;
	const char *etag;  /* as the client sent it, XML entities already decoded; one pair of
	                    * surrounding double quotes is ignored, hex compared without case */
	size_t etag_len;
};

/*
 * CompleteMultipartUpload: turn the @n listed parts into a new version of (@bucket, @key)
 * without copying data: its locator (OL_LOC_PARTS) lists the parts' blob files in order,
 * its size is the sum of theirs. One synced write batch holds the new version (with the
 * versioning semantics of ol_put_commit: a new version id when Enabled, else replacing the
 * null version, whose blobs are unlinked after the commit) and the removal of the upload and
 * of all its part records; parts uploaded but not listed have their blob files unlinked
 * after the commit.
 *
 * @v in: the final metadata, built by the caller (from the template of ol_upload_get and
 * the part data of ol_part_get / ol_part_list): the ETag "hex(MD5 of the raw part MD5s)-k",
 * the checksum value and type (composite or combined), lock fields. Stored verbatim.
 * @v out: the [store] fields as ol_put_commit fills them; v->loc owns the part list, and
 * each of its parts carries the checksum its part record holds in @v's algorithm (none,
 * cksum_len 0, when @v has no algorithm or the part was uploaded with another: S3 reports
 * part checksums on ?partNumber reads and in GetObjectAttributes). On failure @v is
 * untouched. The same write batch remembers the completion for ol_upload_done_get.
 *
 * The gateway computes the ETag and checksum with ol_parts_etag / ol_parts_checksum over
 * the ol_part data of exactly the listed parts; the ETag check below makes sure the parts
 * assembled are the ones it computed them from (a part re-uploaded meanwhile has another
 * ETag and is refused).
 *
 * Checks, in this order, each failure leaving the upload exactly as it was:
 *  - n is 1..OL_PARTS_MAX and every part number 1..OL_PART_NUMBER_MAX, else OL_EINVAL;
 *  - part numbers strictly ascending, else OL_EPARTORDER (InvalidPartOrder);
 *  - the upload exists, else OL_ENOTFOUND (NoSuchUpload; also the loser of a race with
 *    another complete or an abort: ol_upload_done_get tells a retried or racing complete
 *    of the same parts, which S3 answers with the winner's result);
 *  - every listed part was uploaded and its stored ETag equals the listed one, else
 *    OL_EBADPART (InvalidPart).
 * For OL_EINVAL, OL_EPARTORDER and OL_EBADPART *bad_part_out (may be NULL) receives the
 * index in @parts of the first offending entry. Minimum part sizes and part checksums are
 * the gateway's to judge (from ol_part data) before calling.
 * Returns OL_OK; the codes above; OL_ENOTFOUND also when the bucket is gone; OL_EINVAL
 * also for @v's metadata out of bounds or a read-only store (then *bad_part_out is left
 * alone); OL_E2BIG (metadata too long, sizes overflow); OL_ECORRUPT (an upload or part
 * record fails its checks, or the null version it would replace is damaged); OL_ELOCKED
 * (the null version it would replace is locked, see ol_put_commit: the upload is left as it
 * was); OL_EIO, OL_ENOSPC, OL_ENOMEM.
 */
int ol_upload_complete(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                       const char *upload_id, const struct ol_complete_part *parts, size_t n,
                       struct ol_version *v, size_t *bad_part_out, struct ol_err *err);

/*
 * A repeated CompleteMultipartUpload (an SDK retrying after a timeout, or the loser of two
 * racing ones): S3 answers it with the same 200 as the completion that won. Each successful
 * ol_upload_complete remembers, in the write batch that creates the version, which version
 * it created and a digest of the part list it was given (part numbers and ETags, compared
 * as ol_upload_complete compares them). This looks the completion of @upload_id up: @parts
 * (@n entries) must be the list completed; NULL with n 0 accepts any list (to decide early
 * whether a body is worth reading). On OL_OK *out is that version as ol_version_get returns
 * it (release it with ol_version_release) — the caller answers with its id, ETag and
 * checksum.
 * The version is found again by its first part's blob file among the newest
 * OL_DONE_SCAN_MAX versions of the key, so a completion whose version was removed since
 * (or replaced as the null version, or buried under that many newer versions, or whose
 * bucket was deleted) is no longer found. Completions are forgotten by
 * ol_upload_done_expire; they live in OL_CF_META under keys reserved for the store, so no
 * listing, bucket delete or fsck sees them.
 * Returns OL_OK and *out; OL_ENOTFOUND (quiet: nothing remembered for this upload of this
 * key, or its version is gone as above); OL_EBADPART (completed, but with another part
 * list); OL_EINVAL (bad key); OL_ECORRUPT; OL_EIO; OL_ENOMEM.
 */
#define OL_DONE_SCAN_MAX 1000
int ol_upload_done_get(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                       const char *upload_id, const struct ol_complete_part *parts, size_t n,
                       struct ol_version *out, struct ol_err *err);

/*
 * Forget the completions (see ol_upload_done_get) of uploads completed before @cutoff_ns,
 * and damaged completion records of uploads initiated before it, in synced batches. The
 * walk stops at the first upload initiated at or after @cutoff_ns (completion records are
 * in initiation order). *removed_out (may be NULL) gets the number removed, also on
 * failure. Returns OL_OK, OL_EINVAL (read-only store), OL_EIO, OL_ENOSPC, OL_ENOMEM.
 */
int ol_upload_done_expire(struct ol_store *st, int64_t cutoff_ns, uint64_t *removed_out,
                          struct ol_err *err);

/* chars of a multipart ETag: 32 hex, '-', up to 5 digits */
#define OL_MULTIPART_ETAG_MAX (2 * OL_MD5_LEN + 1 + 5)

/* The multipart ETag over @n (1..OL_PARTS_MAX) parts in completion order (S3.md 7.4):
 * hex(MD5(md5_1 || ... || md5_n)) "-" n, NUL-terminated. Pure, thread-safe. */
void ol_parts_etag(const struct ol_part *parts, size_t n, char out[OL_MULTIPART_ETAG_MAX + 1]);

/*
 * The object checksum of a multipart upload from its parts' stored checksums (S3.md 3.6),
 * raw big-endian into @out (*outlen bytes): COMPOSITE = H(raw_1 || ... || raw_n) with the
 * algorithm's own function (the caller appends "-n" when it prints it), FULL_OBJECT = the
 * CRC of the whole object, combined from the parts' CRCs and sizes without reading a byte.
 * Pure, thread-safe.
 * Returns OL_OK; OL_EINVAL (no parts, no algorithm or type, a combination S3 refuses —
 * FULL_OBJECT with SHA1/SHA256, COMPOSITE with CRC64NVME —, or a part without a checksum of
 * @alg: then *bad_part_out (may be NULL) is its index); OL_ENOMEM.
 */
int ol_parts_checksum(const struct ol_part *parts, size_t n, enum ol_cksum_alg alg,
                      enum ol_cksum_type type, uint8_t out[OL_CKSUM_MAX], size_t *outlen,
                      size_t *bad_part_out, struct ol_err *err);

/* ---- fsck ---------------------------------------------------------------------------------- */

#define OL_FSCK_MAX_PROBLEMS 100
#define OL_FSCK_PROBLEM_LEN 256

struct ol_fsck_report {
	uint64_t buckets;          /* bucket records read */
	uint64_t versions;         /* version records read (delete markers and bad ones too) */
	uint64_t blobs_referenced; /* blob files referenced: versions stored in blob files, parts
	                            * of multipart versions, parts of open uploads */
	uint64_t blob_files;       /* files found under blobs/ */
	uint64_t uploads;          /* multipart upload records read */
	uint64_t parts;            /* part records of uploads read */
	/* damage */
	uint64_t bad_records;      /* key or record that fails to decode or its checksum */
	uint64_t missing_blobs;    /* referenced blob absent */
	uint64_t bad_blob_sizes;   /* referenced blob of the wrong size */
	uint64_t dangling;         /* index entries that do not agree: a null pointer without
	                            * its version, a null version its pointer does not name, a
	                            * version or upload of a bucket that does not exist, a part
	                            * record without its upload */
	/* leftovers */
	uint64_t orphan_blobs;     /* blob files and temp files no version references */
	uint64_t orphans_removed;  /* of those, removed by repair */
	uint64_t unexpected_files; /* files under blobs/ or tmp/ that are not ours; never removed */
	/* Object Lock (informational, not damage) */
	uint64_t locked_versions;  /* versions locked (retention or legal hold) at the store's
	                            * compliance time */
	uint64_t immutable_blobs;  /* referenced blob files carrying the immutable inode flag */
	uint64_t locked_unflagged; /* blob files of locked versions without it: expected where
	                            * the flag is unsupported, for inodes shared by a clone, and
	                            * after a crash between a commit and the flag */
	uint64_t orphans_immutable; /* orphans kept because they carry the immutable flag (also
	                            * counted in orphan_blobs: never removed by repair) */
	uint32_t n_problems;       /* lines in problems[] */
	bool problems_truncated;   /* more problems than OL_FSCK_MAX_PROBLEMS */
	char problems[OL_FSCK_MAX_PROBLEMS][OL_FSCK_PROBLEM_LEN]; /* one line each, bytes of
	                            * keys outside printable ASCII shown as \xNN */
};

/* Called with each problem line as it is found (also when problems[] is full). */
typedef void (*ol_fsck_line_cb)(void *ctx, const char *line);

struct ol_fsck_opts {
	const char *data_dir;
	bool repair;            /* remove orphan blobs and temp files; nothing else, ever */
	ol_fsck_line_cb line_cb; /* NULL = none */
	void *line_ctx;
};

/*
 * Offline check of a store. Without repair the index is opened read-only (safe next to a
 * running server, though then blobs of puts in flight may show up as orphans). With repair
 * the index is opened read-write, which takes RocksDB's lock: it fails with OL_EIO while a
 * server holds the store, so repair never races a put.
 * Walks every bucket, version, upload and part record, checks every referenced blob (of a
 * version, of each part of a multipart version, of each part of an open upload) exists with
 * the recorded size, lists unreferenced files of blobs/ and tmp/ as orphans, and with repair
 * unlinks those orphans only — never a referenced blob, never a record. Blob files are
 * judged by name: a name hard-linked by ol_version_clone (st_nlink > 1) is an ordinary
 * referenced blob, and unlinking an orphan name never touches another name's bytes.
 * Object Lock: fsck removes no version, ever; a blob file with the immutable flag is never
 * removed even when no record references it (it is reported: lift the flag by hand after
 * looking); the flag state of referenced blobs is counted.
 * @out is always filled (zeroed first) once the store opened.
 * Returns OL_OK when no damage was found (orphans may be left if !repair: see
 * ol_fsck_report_clean), OL_ECORRUPT when damage was found, OL_ENOTFOUND (no store in
 * data_dir), OL_EIO / OL_ERR / OL_ENOMEM when the check could not run.
 */
int ol_fsck_run(const struct ol_fsck_opts *o, struct ol_fsck_report *out, struct ol_err *err);

/* ol_fsck_run without a line callback. */
int ol_fsck(const char *data_dir, bool repair, struct ol_fsck_report *out, struct ol_err *err);

/* True when the report shows neither damage nor orphans left behind. A CLI may exit 0 when
 * clean, 1 on damage (OL_ECORRUPT), 2 when only orphans remain. */
bool ol_fsck_report_clean(const struct ol_fsck_report *r);

/* Human-readable summary and problem lines. */
void ol_fsck_report_print(FILE *f, const struct ol_fsck_report *r);

/* One JSON object on one line (counts and problems). */
void ol_fsck_report_print_json(FILE *f, const struct ol_fsck_report *r);

#endif
