/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private: the store handle and the index helpers shared by the objectlock .c files. The
 * only header that includes <rocksdb/c.h>.
 */
#ifndef HOLDFAST_OBJECTLOCK_STORE_H
#define HOLDFAST_OBJECTLOCK_STORE_H

#include <limits.h>
#include <pthread.h>
#include <rocksdb/c.h>
#include <stdatomic.h>

#include "io_test.h" /* struct ol_clock_source */
#include "objectlock.h"
#include "record.h"

/* Internal column family after the public ones: (bucket, key) -> iid of the null version,
 * so versionId=null and null-version replacement are one get, whatever the version count. */
#define OL_CFI_NULLV 7
#define OL_CF_COUNT 8
/* RocksDB memtable budget (store.c): per column family, and for the whole index */
#define OL_MEMTABLE_BYTES (16u << 20)
#define OL_MEMTABLES_TOTAL_BYTES (64u << 20)

/* Puts to one key serialize their read-modify-write of the index on one of these. */
#define OL_STRIPES 256

/* data_dir + "/blobs/xx/yy/" + 32 hex + NUL fits when data_dir fits this */
#define OL_PATH_MAX 4096

/* The compliance clock (clock.c; objectlock.h states its rules). Everything under @mu except
 * the source, which is fixed at open. */
struct ol_clock {
	bool init;                    /* mutexes and condition made */
	pthread_mutex_t mu;
	pthread_cond_t cv;            /* wakes the checkpoint thread (stop, new events) */
	pthread_mutex_t ckpt_mu;      /* one checkpoint write at a time, in reading order */
	struct ol_clock_source src;
	/* the running state */
	int64_t anchor_c, anchor_m;   /* compliance and monotonic time at the anchor */
	int64_t last_c;               /* the largest value handed out */
	int64_t prev_w, prev_m;       /* the previous reading, to see wall clock steps */
	int state;                    /* wall vs compliance: 0 agree, 1 ahead, -1 behind */
	/* status */
	enum ol_clock_start start;
	int64_t started_ns, credited_ns;
	bool boot_trusted;
	char boot_id[40];
	int64_t ckpt_c, ckpt_w;
	int64_t ckpt_m_written;       /* monotonic time of the last write (rate limit) */
	uint64_t ckpt_written, ckpt_failed;
	char ckpt_error[128];
	uint64_t disagreements, events_total;
	int64_t last_dis_w, last_dis_c, max_ahead, max_behind;
	struct ol_clock_event ev[OL_CLOCK_EVENTS_MAX]; /* oldest first */
	uint32_t ev_n;
	uint64_t events_persisted;    /* events_total as of the last checkpoint */
	/* the checkpoint thread */
	pthread_t th;
	bool th_started, stop;
	bool no_close_ckpt;           /* ol_test_close_no_checkpoint */
	uint32_t period_ms;
};

struct ol_store {
	char data_dir[OL_PATH_MAX];
	uint64_t inline_max;
	bool read_only;
	rocksdb_t *db;
	rocksdb_options_t *opts;
	rocksdb_column_family_handle_t *cf[OL_CF_COUNT];
	rocksdb_writeoptions_t *wopt; /* sync = true, except after ol_test_nosync */
	rocksdb_readoptions_t *ropt;
	/* Read-held by every index change inside a bucket, write-held by bucket create, delete
	 * and versioning changes: a put never commits into a bucket being deleted. */
	pthread_rwlock_t bucket_lock;
	pthread_mutex_t stripes[OL_STRIPES];
	struct ol_clock clock;
	/* the immutable inode flag on locked blobs (lock.c) */
	atomic_int imm_support;       /* enum ol_immutable_support */
	pthread_mutex_t imm_mu;       /* guards imm_reason */
	char imm_reason[128];
	atomic_uint_fast64_t imm_set, imm_cleared, imm_shared, imm_failed;
};

/* Open flags beyond struct ol_store_opts, for fsck. */
struct ol_open_internal {
	bool keep_tmp;  /* do not sweep tmp/ (fsck counts what is there) */
	bool no_create; /* fail with OL_ENOTFOUND unless index/ exists */
};

int ol_store_open_internal(const struct ol_store_opts *o, const struct ol_open_internal *in,
                           struct ol_store **out, struct ol_err *err);

/* Every synced index write goes through here: the fault point of the commit. Returns
 * OL_OK, or OL_EIO / OL_ENOSPC with the batch not written. */
int ol_db_write(struct ol_store *st, rocksdb_writebatch_t *wb, const char *what,
                struct ol_err *err);

/* rocksdb_get_cf into a malloc'd buffer. OL_OK, OL_ENOTFOUND (quiet), OL_EIO. */
int ol_db_get(struct ol_store *st, int cf, const void *k, size_t klen, char **val,
              size_t *vlen, struct ol_err *err);

/* An iterator over @cf limited to [lower, upper) (upper may be NULL). The iterator owns its
 * read options and a copy of the upper bound, which RocksDB needs to outlive it. */
struct ol_iter {
	rocksdb_iterator_t *it;
	rocksdb_readoptions_t *ro;
	uint8_t *upper;
};
int ol_iter_open(struct ol_store *st, int cf, const void *upper, size_t ulen,
                 struct ol_iter *out, struct ol_err *err);
void ol_iter_close(struct ol_iter *i);
/* After the iterator stopped being valid: OL_OK for the end, OL_EIO for an error. */
int ol_iter_status(struct ol_iter *i, const char *what, struct ol_err *err);

/* ---- Object Lock in the store ---- */

/* clock.c: start the clock at open (after the index, before anything judges a version) and
 * stop it at close (before the index closes; writes the last checkpoint). */
int ol_clock_open(struct ol_store *st, uint32_t period_ms, struct ol_err *err);
void ol_clock_close(struct ol_store *st);
/* The time to judge at for a caller's @now_ns: OL_NOW -> the compliance clock; a later time
 * than the clock is clamped to it (no judging as of a moment that has not come). */
int64_t ol_clock_judge_time(struct ol_store *st, int64_t now_ns);

/* lock.c: probe the immutable flag in tmp/ (read-write open only). */
void ol_immutable_probe(struct ol_store *st);
/* Make the blob files of @v read-only and immutable (a locked version). Best effort: the
 * policy is the protection, this is the defence in depth; failures are counted. The caller
 * holds the key's stripe. */
void ol_blobs_protect(struct ol_store *st, const struct ol_version *v);
/* Unlink @path whose unlink failed with EPERM: lift the immutable flag, unlink, and put the
 * flag back on the inode if another name still holds it. Only for removals the policy
 * allowed, unlocked blobs and files in tmp/. @st may be NULL (no counters). 0 or -1/errno. */
int ol_unlink_immutable(struct ol_store *st, const char *path);

/* Judge replacing the null version @old (a write in a bucket that is not Enabled): as a
 * removal without bypass at the compliance clock's now. OL_OK or OL_ELOCKED. */
int ol_check_null_replace(struct ol_store *st, const char *bucket, const void *key,
                          size_t keylen, const struct ol_version *old, struct ol_err *err);

/* The newest iid of the key (esc(bucket) 0 esc(key) 0 in @obj), if any: one seek. */
int ol_newest_iid(struct ol_store *st, const struct ol_kbuf *obj, uint8_t iid[OL_IID_LEN],
                  bool *found, struct ol_err *err);

/* Stripe for (bucket, key). */
pthread_mutex_t *ol_stripe(struct ol_store *st, const char *bucket, const void *key,
                           size_t keylen);

/* Check the bucket name and read its record. OL_OK, OL_ENOTFOUND (quiet), OL_EINVAL,
 * OL_ECORRUPT, OL_EIO. */
int ol_bucket_read(struct ol_store *st, const char *name, struct ol_bucket *out,
                   struct ol_err *err);

/* Validate (bucket name, key) arguments. */
int ol_check_names(const char *bucket, const void *key, size_t keylen, struct ol_err *err);

/* Resolve a text version id of (bucket, key) to its iid: "null" through the null pointer
 * (OL_ENOTFOUND if none), others by decoding. OL_EINVAL if malformed. */
int ol_resolve_vid(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                   const char *version_id, uint8_t iid[OL_IID_LEN], struct ol_err *err);

/* snprintf into an OL_PATH_MAX buffer; false if the result did not fit. */
bool ol_pathf(char out[OL_PATH_MAX], const char *fmt, ...) OL_PRINTF(2, 3);

/* Paths of a blob and of its directories; return false if they do not fit. */
bool ol_blob_path(const struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN],
                  char out[OL_PATH_MAX]);
bool ol_blob_path_in(const char *data_dir, const uint8_t id[OL_BLOB_ID_LEN],
                     char out[OL_PATH_MAX]);
bool ol_blob_dir(const struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN], int depth,
                 char out[OL_PATH_MAX]);
void ol_blob_hex(const uint8_t id[OL_BLOB_ID_LEN], char out[2 * OL_BLOB_ID_LEN + 1]);

/* ---- the write path, shared by put.c, multipart.c and clone.c ---- */

/* A body being received: a put (ol_put_begin) or a part (ol_part_begin). */
struct ol_put {
	struct ol_store *st;
	char bucket[OL_BUCKET_NAME_MAX + 1];
	uint8_t key[OL_KEY_MAX];
	size_t keylen;
	uint64_t size;
	/* body up to the inline limit, until it spills (never for a part) */
	uint8_t *buf;
	size_t buflen, bufcap;
	/* temp file once spilled; tmp_path[0] != 0 while it exists */
	int fd;
	uint8_t blob_id[OL_BLOB_ID_LEN];
	char tmp_path[OL_PATH_MAX];
	/* the first failure, replayed by every later call */
	struct ol_err failed;
	/* a part: its upload and number */
	bool is_part;
	uint8_t uid[OL_IID_LEN];
	uint32_t part_number;
};

/* Start the temp file (fresh blob id) and move the buffered bytes into it. */
int ol_put_spill(struct ol_put *put, struct ol_err *err);
/* fsync the temp file, rename it to blobs/xx/yy/<id> (@final), fsync the directory. On
 * failure tmp_path[0] == 0 with final[0] != 0 means the rename happened. */
int ol_put_place(struct ol_put *put, char final[OL_PATH_MAX], struct ol_err *err);
/* Record the put's first failure and return it. */
int ol_put_fail(struct ol_put *put, int rc, const struct ol_err *e, struct ol_err *err);
/* Close and remove the temp file, free. */
void ol_put_free(struct ol_put *put);

/* Make blobs/xx/yy/ for @id exist and its entry in blobs/xx durable (before a name is
 * created in it). Paths of the blob and its leaf directory in @final and @leaf. */
int ol_blob_prepare(struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN],
                    char final[OL_PATH_MAX], char leaf[OL_PATH_MAX], struct ol_err *err);

/* Unlink after a commit: a failure leaves an orphan for fsck, never a dangling record. */
void ol_unlink_blob(struct ol_store *st, const uint8_t id[OL_BLOB_ID_LEN]);
/* Every blob file of @v (blob or parts). */
void ol_unlink_version_blobs(struct ol_store *st, const struct ol_version *v);

struct ol_commit_out {
	bool attempted;        /* the index write was tried: its outcome may be on disk */
	struct ol_version old; /* a replaced null version (decoded; kind NONE if none) whose
	                        * blobs go after the commit */
};

/*
 * Write @rec (store fields except iid, is_null, created_ns already set) as the new version
 * of (bucket, key), adding to @wb (which may already hold other changes of the same logical
 * step) and writing it synced: pick the id, and in a bucket that is not Enabled make it the
 * null version, dropping the previous one in the same batch. The caller holds bucket_lock
 * (read) and the key's stripe. On failure co->old is released.
 */
int ol_index_commit_locked(struct ol_store *st, const char *bucket, const void *key,
                           size_t keylen, struct ol_version *rec, rocksdb_writebatch_t *wb,
                           struct ol_commit_out *co, struct ol_err *err);
/* Same, taking the locks and a batch of its own. */
int ol_index_commit(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
                    struct ol_version *rec, struct ol_commit_out *co, struct ol_err *err);
/* After a successful commit: unlink the replaced version's blobs. Then release. */
void ol_commit_out_finish(struct ol_store *st, struct ol_commit_out *co, bool committed);

/* Fill the [store] fields of the caller's @v from the committed @rec (whose locator @v
 * takes over). */
void ol_version_adopt(struct ol_version *v, struct ol_version *rec);

/* Counter of iterator steps in ol_list (io_test.h). */
extern atomic_uint_fast64_t ol_list_steps;

#endif
