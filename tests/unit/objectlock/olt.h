/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the objectlock unit tests: temp data dirs, store setup, whole-body puts
 * and reads (static inline: each test uses a subset). */
#ifndef HOLDFAST_TESTS_OLT_H
#define HOLDFAST_TESTS_OLT_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/fs.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "crypto.h"
#include "objectlock.h"

/* remove(), lifting the immutable inode flag the store puts on blobs of locked versions
 * (objectlock/lock.c) when that is what refuses it */
static inline int
olt_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	int fd, fl = 0;

	(void)sb;
	(void)ftw;
	if (remove(path) == 0 || errno != EPERM || flag != FTW_F)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		if (ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0 && (fl & FS_IMMUTABLE_FL)) {
			fl &= ~FS_IMMUTABLE_FL;
			ioctl(fd, FS_IOC_SETFLAGS, &fl);
		}
		close(fd);
	}
	remove(path);
	return 0;
}

/* mkdtemp under /tmp; aborts the test on failure (nothing else can run). */
static inline void
olt_tmpdir(char out[64])
{
	snprintf(out, 64, "/tmp/holdfast-ol-XXXXXX");
	if (!mkdtemp(out)) {
		perror("mkdtemp");
		exit(1);
	}
}

static inline void
olt_rmrf(const char *dir)
{
	nftw(dir, olt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline struct ol_store *
olt_open(const char *dir, uint64_t inline_max)
{
	struct ol_store_opts o = { 0 };
	struct ol_store *st = NULL;
	struct ol_err e = { 0 };

	o.data_dir = dir;
	o.inline_max_bytes = inline_max;
	if (ol_store_open(&o, &st, &e) != OL_OK) {
		fprintf(stderr, "open '%s': %s\n", dir, e.msg);
		exit(1);
	}
	return st;
}

static inline void
olt_bucket(struct ol_store *st, const char *name, enum ol_versioning vs)
{
	struct ol_bucket b;
	struct ol_err e = { 0 };

	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "%s", name);
	snprintf(b.region, sizeof(b.region), "us-east-1");
	b.versioning = vs;
	if (ol_bucket_create(st, &b, &e) != OL_OK) {
		fprintf(stderr, "bucket '%s': %s\n", name, e.msg);
		exit(1);
	}
}

/* Deterministic body bytes: depend on seed and position, so an offset mix-up shows. */
static inline void
olt_fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 8)) ^ (seed >> 3));
}

/* Put (p, n) in chunks of @chunk bytes; *v receives the committed version (release it).
 * Returns the first failing code. */
static inline int
olt_put(struct ol_store *st, const char *bucket, const void *key, size_t keylen,
        const uint8_t *p, size_t n, size_t chunk, struct ol_version *v, struct ol_err *e)
{
	struct ol_put *put = NULL;
	size_t off = 0;
	int rc;

	ol_version_init(v);
	rc = ol_put_begin(st, bucket, key, keylen, &put, e);
	if (rc != OL_OK)
		return rc;
	while (off < n) {
		size_t k = n - off < chunk ? n - off : chunk;

		rc = ol_put_write(put, p + off, k, e);
		if (rc != OL_OK) {
			ol_put_abort(put);
			return rc;
		}
		off += k;
	}
	ol_version_set_etag(v, "etag", 4, NULL);
	return ol_put_commit(put, v, e);
}

static inline int
olt_put_str(struct ol_store *st, const char *bucket, const char *key, const char *body,
            struct ol_version *v)
{
	struct ol_err e = { 0 };
	int rc = olt_put(st, bucket, key, strlen(key), (const uint8_t *)body, strlen(body), 4096,
	                 v, &e);

	if (rc != OL_OK)
		fprintf(stderr, "put '%s': %s\n", key, e.msg);
	return rc;
}

/* Read [off, off+len) of @v into a malloc'd buffer (caller frees), in reads of @chunk. */
static inline uint8_t *
olt_read(struct ol_store *st, const struct ol_version *v, uint64_t off, uint64_t len,
         size_t chunk, int *rc_out)
{
	struct ol_reader *r = NULL;
	struct ol_err e = { 0 };
	uint8_t *buf = malloc(len ? (size_t)len : 1);
	size_t got = 0, total = 0;
	int rc;

	rc = ol_reader_open(st, v, off, len, &r, &e);
	while (rc == OL_OK) {
		rc = ol_reader_read(r, buf + total, chunk, &got, &e);
		if (rc != OL_OK || got == 0)
			break;
		total += got;
	}
	if (rc == OL_OK && total != len)
		rc = OL_ERR;
	if (rc != OL_OK)
		fprintf(stderr, "read %llu+%llu: %s (%s)\n", (unsigned long long)off,
		        (unsigned long long)len, ol_rc_name(rc), e.msg);
	ol_reader_close(r);
	*rc_out = rc;
	return buf;
}

/* ---- multipart helpers ---- */

/* Fill the part metadata for body (p, n) as the gateway would: hex MD5 ETag, raw MD5, and
 * a CRC32 checksum. @etag_buf holds the 33-byte hex string. */
static inline void
olt_part_meta(const uint8_t *p, size_t n, char etag_buf[33], struct ol_part_meta *m)
{
	uint32_t c = cr_crc32(0, p, n);

	memset(m, 0, sizeof(*m));
	cr_md5(p, n, m->md5);
	cr_hex_encode(m->md5, OL_MD5_LEN, etag_buf);
	etag_buf[32] = '\0';
	m->etag = etag_buf;
	m->etag_len = 32;
	m->cksum_alg = OL_CKSUM_CRC32;
	m->cksum[0] = (uint8_t)(c >> 24);
	m->cksum[1] = (uint8_t)(c >> 16);
	m->cksum[2] = (uint8_t)(c >> 8);
	m->cksum[3] = (uint8_t)c;
	m->cksum_len = 4;
}

/* Upload part @pn of @upload_id from (p, n) in writes of @chunk; *out (may be NULL) gets
 * the stored part. Returns the first failing code. */
static inline int
olt_part(struct ol_store *st, const char *bucket, const char *key, const char *upload_id,
         uint32_t pn, const uint8_t *p, size_t n, size_t chunk, struct ol_part *out,
         struct ol_err *e)
{
	struct ol_put *put = NULL;
	struct ol_part_meta m;
	char etag[33];
	size_t off = 0;
	int rc;

	rc = ol_part_begin(st, bucket, key, strlen(key), upload_id, pn, &put, e);
	if (rc != OL_OK)
		return rc;
	while (off < n) {
		size_t k = n - off < chunk ? n - off : chunk;

		rc = ol_put_write(put, p + off, k, e);
		if (rc != OL_OK) {
			ol_put_abort(put);
			return rc;
		}
		off += k;
	}
	olt_part_meta(p, n, etag, &m);
	return ol_part_commit(put, &m, out, e);
}

static size_t olt_nfiles_;

static inline int
olt_count_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)path;
	(void)sb;
	(void)ftw;
	if (flag == FTW_F)
		olt_nfiles_++;
	return 0;
}

/* Regular files under @dir/@sub (blobs, tmp). */
static inline size_t
olt_count_files(const char *dir, const char *sub)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	olt_nfiles_ = 0;
	nftw(p, olt_count_one, 16, FTW_PHYS);
	return olt_nfiles_;
}

#endif
