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

#include "objectlock.h"
#include "record.h"

/* Internal column family after the public ones: (bucket, key) -> iid of the null version,
 * so versionId=null and null-version replacement are one get, whatever the version count. */
#define OL_CFI_NULLV 7
#define OL_CF_COUNT 8

/* Puts to one key serialize their read-modify-write of the index on one of these. */
#define OL_STRIPES 256

/* data_dir + "/blobs/xx/yy/" + 32 hex + NUL fits when data_dir fits this */
#define OL_PATH_MAX 4096

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

/* Counter of iterator steps in ol_list (io_test.h). */
extern atomic_uint_fast64_t ol_list_steps;

#endif
