/* SPDX-License-Identifier: Apache-2.0 */
/* The store through its public API: buckets, kv, versions (null, markers, removal), inline
 * and blob bodies at the inline boundary, ranged reads, and concurrent puts to one key. */
#include <pthread.h>

#include "io_test.h"
#include "olt.h"
#include "record.h"

static char dir[64];

static size_t olt_nfiles;

static int
count_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)path;
	(void)sb;
	(void)ftw;
	if (flag == FTW_F)
		olt_nfiles++;
	return 0;
}

/* Regular files under data_dir/@sub. */
static size_t
count_files(const char *sub)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	olt_nfiles = 0;
	nftw(p, count_one, 16, FTW_PHYS);
	return olt_nfiles;
}

/* ---- buckets ---- */

struct names {
	char got[8][OL_BUCKET_NAME_MAX + 1];
	int n, stop_after;
};

static int
collect_bucket(void *ctx, const struct ol_bucket *b)
{
	struct names *nm = ctx;

	if (nm->n < 8)
		memcpy(nm->got[nm->n], b->name, sizeof(b->name));
	nm->n++;
	return nm->stop_after && nm->n >= nm->stop_after ? 1 : 0;
}

static void
test_buckets(void)
{
	struct ol_store *st = olt_open(dir, 0);
	struct ol_bucket b, g;
	struct ol_version v, rm;
	struct ol_err e = { 0 };
	struct names nm;
	struct ol_put *put = NULL;

	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "b1");
	snprintf(b.region, sizeof(b.region), "eu-central-1");
	b.created_ns = 42;
	CHECK_INT_EQ(ol_bucket_create(st, &b, &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_create(st, &b, &e), OL_EEXIST);
	CHECK_STR_EQ(e.msg, "bucket 'b1' exists");
	snprintf(b.name, sizeof(b.name), "a0");
	b.lock_enabled = true;
	b.created_ns = 0;
	CHECK_INT_EQ(ol_bucket_create(st, &b, &e), OL_OK);
	olt_bucket(st, "b", OL_VERSIONING_ENABLED); /* a prefix of "b1" */
	olt_bucket(st, "zz", OL_VERSIONING_ENABLED);

	CHECK_INT_EQ(ol_bucket_get(st, "b1", &g, &e), OL_OK);
	CHECK_STR_EQ(g.name, "b1");
	CHECK_STR_EQ(g.region, "eu-central-1");
	CHECK_INT_EQ(g.created_ns, 42);
	CHECK_INT_EQ(g.versioning, OL_VERSIONING_UNVERSIONED);
	CHECK(!g.lock_enabled);
	CHECK_INT_EQ(ol_bucket_get(st, "a0", &g, &e), OL_OK);
	CHECK(g.lock_enabled);
	CHECK_INT_EQ(g.versioning, OL_VERSIONING_ENABLED); /* forced by the lock */
	CHECK(g.created_ns > 1600000000000000000LL);
	memset(&e, 0, sizeof(e));
	e.msg[0] = 'x';
	CHECK_INT_EQ(ol_bucket_get(st, "nope", &g, &e), OL_ENOTFOUND);
	CHECK_STR_EQ(e.msg, ""); /* expected answer: no message */
	CHECK_INT_EQ(ol_bucket_get(st, "", &g, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "bucket name of 0 bytes (1..63)");
	memset(&b, 0, sizeof(b));
	memset(b.name, 'x', OL_BUCKET_NAME_MAX);
	CHECK_INT_EQ(ol_bucket_create(st, &b, &e), OL_OK); /* 63 bytes is fine */

	memset(&nm, 0, sizeof(nm));
	CHECK_INT_EQ(ol_bucket_list(st, collect_bucket, &nm, &e), OL_OK);
	CHECK_INT_EQ(nm.n, 5);
	CHECK_STR_EQ(nm.got[0], "a0");
	CHECK_STR_EQ(nm.got[1], "b");
	CHECK_STR_EQ(nm.got[2], "b1");
	CHECK(nm.got[3][0] == 'x');
	CHECK_STR_EQ(nm.got[4], "zz");
	memset(&nm, 0, sizeof(nm));
	nm.stop_after = 2;
	CHECK_INT_EQ(ol_bucket_list(st, collect_bucket, &nm, &e), OL_OK);
	CHECK_INT_EQ(nm.n, 2);

	/* versioning state machine */
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "b1", OL_VERSIONING_ENABLED, &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "b1", OL_VERSIONING_SUSPENDED, &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "b1", OL_VERSIONING_UNVERSIONED, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "bucket versioning: cannot return to unversioned");
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "a0", OL_VERSIONING_SUSPENDED, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "bucket 'a0': object lock is enabled, versioning stays enabled");
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "nope", OL_VERSIONING_ENABLED, &e),
	             OL_ENOTFOUND);
	CHECK_INT_EQ(ol_bucket_get(st, "b1", &g, &e), OL_OK);
	CHECK_INT_EQ(g.versioning, OL_VERSIONING_SUSPENDED);

	/* delete refuses while anything of the bucket remains */
	CHECK_INT_EQ(olt_put_str(st, "b1", "k", "body", &v), OL_OK);
	ol_version_release(&v);
	CHECK_INT_EQ(ol_bucket_delete(st, "b", &e), OL_OK); /* "b1"'s keys are not "b"'s */
	CHECK_INT_EQ(ol_bucket_delete(st, "b1", &e), OL_ENOTEMPTY);
	CHECK_STR_EQ(e.msg, "bucket 'b1' is not empty");
	CHECK_INT_EQ(ol_version_remove(st, "b1", "k", 1, "null", &rm, &e), OL_OK);
	CHECK_STR_EQ(rm.version_id, "null");
	ol_version_release(&rm);
	/* a delete marker alone keeps the bucket too */
	CHECK_INT_EQ(ol_delete_marker_put(st, "zz", "gone", 4, &v, &e), OL_OK);
	CHECK(v.is_delete_marker);
	CHECK_INT_EQ(ol_bucket_delete(st, "zz", &e), OL_ENOTEMPTY);
	CHECK_INT_EQ(ol_version_remove(st, "zz", "gone", 4, v.version_id, NULL, &e), OL_OK);
	ol_version_release(&v);
	CHECK_INT_EQ(ol_bucket_delete(st, "zz", &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_delete(st, "b1", &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_delete(st, "b1", &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_put_begin(st, "b1", "k", 1, &put, &e), OL_ENOTFOUND);

	/* a put whose bucket vanished between begin and commit */
	olt_bucket(st, "tmpb", OL_VERSIONING_ENABLED);
	CHECK_INT_EQ(ol_put_begin(st, "tmpb", "k", 1, &put, &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_delete(st, "tmpb", &e), OL_OK);
	ol_version_init(&v);
	CHECK_INT_EQ(ol_put_commit(put, &v, &e), OL_ENOTFOUND);
	CHECK_STR_EQ(e.msg, "bucket 'tmpb' does not exist");

	/* persistence */
	ol_store_close(st);
	st = olt_open(dir, 0);
	memset(&nm, 0, sizeof(nm));
	CHECK_INT_EQ(ol_bucket_list(st, collect_bucket, &nm, &e), OL_OK);
	CHECK_INT_EQ(nm.n, 2);
	CHECK_STR_EQ(nm.got[0], "a0");
	ol_store_close(st);

	/* read-only: reads work, every change is refused */
	{
		struct ol_store_opts o = { 0 };

		o.data_dir = dir;
		o.read_only = true;
		CHECK_INT_EQ(ol_store_open(&o, &st, &e), OL_OK);
		CHECK_INT_EQ(ol_bucket_get(st, "a0", &g, &e), OL_OK);
		memset(&b, 0, sizeof(b));
		snprintf(b.name, sizeof(b.name), "new");
		CHECK_INT_EQ(ol_bucket_create(st, &b, &e), OL_EINVAL);
		CHECK_STR_EQ(e.msg, "bucket create: store is read-only");
		CHECK_INT_EQ(ol_put_begin(st, "a0", "k", 1, &put, &e), OL_EINVAL);
		CHECK_INT_EQ(ol_kv_put(st, OL_CF_META, "k", 1, "v", 1, &e), OL_EINVAL);
		ol_store_close(st);
		o.data_dir = "/tmp/holdfast-ol-does-not-exist";
		CHECK_INT_EQ(ol_store_open(&o, &st, &e), OL_ENOTFOUND);
	}
}

/* ---- kv ---- */

struct kvseen {
	int n;
	char last[32];
};

static int
kv_collect(void *ctx, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct kvseen *s = ctx;

	(void)v;
	(void)vlen;
	s->n++;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)klen, (const char *)k);
	return s->n == 100 ? OL_EIO : 0;
}

static void
test_kv(void)
{
	struct ol_store *st = olt_open(dir, 0);
	struct ol_err e = { 0 };
	struct kvseen s;
	char *val = NULL, k[32];
	size_t vlen = 0;
	int i;

	CHECK_INT_EQ(ol_kv_put(st, OL_CF_USERS, "user/alice", 10, "secret\0x", 8, &e), OL_OK);
	CHECK_INT_EQ(ol_kv_get(st, OL_CF_USERS, "user/alice", 10, &val, &vlen, &e), OL_OK);
	CHECK_INT_EQ(vlen, 8);
	CHECK_MEM_EQ(val, "secret\0x", 8);
	CHECK_INT_EQ(val[8], 0);
	free(val);
	CHECK_INT_EQ(ol_kv_get(st, OL_CF_META, "user/alice", 10, &val, &vlen, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_kv_put(st, OL_CF_VERSIONS, "x", 1, "v", 1, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "kv: column family 1 is not a kv space");
	CHECK_INT_EQ(ol_kv_put(st, OL_CF_META, "", 0, "v", 1, &e), OL_EINVAL);
	CHECK_INT_EQ(ol_kv_put(st, OL_CF_META, "empty", 5, NULL, 0, &e), OL_OK);
	CHECK_INT_EQ(ol_kv_get(st, OL_CF_META, "empty", 5, &val, &vlen, &e), OL_OK);
	CHECK_INT_EQ(vlen, 0);
	free(val);
	for (i = 0; i < 50; i++) {
		snprintf(k, sizeof(k), "p/%03d", i);
		CHECK_INT_EQ(ol_kv_put(st, OL_CF_USERS, k, strlen(k), "v", 1, &e), OL_OK);
	}
	CHECK_INT_EQ(ol_kv_put(st, OL_CF_USERS, "p\xff", 2, "v", 1, &e), OL_OK);
	CHECK_INT_EQ(ol_kv_put(st, OL_CF_USERS, "q", 1, "v", 1, &e), OL_OK);
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(ol_kv_iterate(st, OL_CF_USERS, "p/", 2, kv_collect, &s, &e), OL_OK);
	CHECK_INT_EQ(s.n, 50);
	CHECK_STR_EQ(s.last, "p/049");
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(ol_kv_iterate(st, OL_CF_USERS, "\xff", 1, kv_collect, &s, &e), OL_OK);
	CHECK_INT_EQ(s.n, 0);
	memset(&s, 0, sizeof(s));
	CHECK_INT_EQ(ol_kv_iterate(st, OL_CF_USERS, NULL, 0, kv_collect, &s, &e), OL_OK);
	CHECK_INT_EQ(s.n, 53);
	CHECK_STR_EQ(s.last, "user/alice");
	CHECK_INT_EQ(ol_kv_delete(st, OL_CF_USERS, "q", 1, &e), OL_OK);
	CHECK_INT_EQ(ol_kv_delete(st, OL_CF_USERS, "q", 1, &e), OL_OK); /* idempotent */
	CHECK_INT_EQ(ol_kv_get(st, OL_CF_USERS, "q", 1, &val, &vlen, &e), OL_ENOTFOUND);
	for (i = 50; i < 120; i++) {
		snprintf(k, sizeof(k), "p/%03d", i);
		ol_kv_put(st, OL_CF_USERS, k, strlen(k), "v", 1, &e);
	}
	memset(&s, 0, sizeof(s));
	/* a negative callback code comes back as is */
	CHECK_INT_EQ(ol_kv_iterate(st, OL_CF_USERS, "p/", 2, kv_collect, &s, &e), OL_EIO);
	CHECK_INT_EQ(s.n, 100);
	ol_store_close(st);
}

/* ---- versions ---- */

struct vlist {
	int n;
	char ids[64][OL_VERSION_ID_LEN + 1];
	bool latest[64], marker[64];
	char keys[64][16];
};

static int
vlist_cb(void *ctx, const struct ol_list_entry *e)
{
	struct vlist *l = ctx;

	if (l->n < 64 && !e->is_prefix) {
		memcpy(l->ids[l->n], e->v->version_id, OL_VERSION_ID_LEN + 1);
		l->latest[l->n] = e->is_latest;
		l->marker[l->n] = e->v->is_delete_marker;
		snprintf(l->keys[l->n], sizeof(l->keys[0]), "%.*s", (int)e->keylen, e->key);
	}
	l->n++;
	return 0;
}

static void
list_versions(struct ol_store *st, const char *bucket, struct vlist *l)
{
	struct ol_list_opts o = { 0 };
	struct ol_list_result r;
	struct ol_err e = { 0 };

	memset(l, 0, sizeof(*l));
	o.bucket = bucket;
	o.max_keys = 1000;
	o.want_versions = true;
	CHECK_INT_EQ(ol_list(st, &o, vlist_cb, l, &r, &e), OL_OK);
	CHECK(!r.is_truncated);
	CHECK_INT_EQ(r.count, l->n);
}

static void
check_body(struct ol_store *st, const char *bucket, const char *key, const char *vid,
           const char *want)
{
	struct ol_version v;
	struct ol_err e = { 0 };
	uint8_t *got;
	int rc;

	rc = ol_version_get(st, bucket, key, strlen(key), vid, &v, &e);
	CHECK_INT_EQ(rc, OL_OK);
	if (rc != OL_OK)
		return;
	CHECK(!v.is_delete_marker);
	CHECK_INT_EQ(v.size_bytes, strlen(want));
	got = olt_read(st, &v, 0, v.size_bytes, 3, &rc);
	CHECK_INT_EQ(rc, OL_OK);
	CHECK_MEM_EQ(got, want, strlen(want));
	free(got);
	ol_version_release(&v);
}

static void
test_versions(void)
{
	struct ol_store *st = olt_open(dir, 0);
	struct ol_version v1, v2, v3, m, g;
	struct ol_err e = { 0 };
	struct vlist l;

	olt_bucket(st, "ver", OL_VERSIONING_ENABLED);
	CHECK_INT_EQ(olt_put_str(st, "ver", "k", "one", &v1), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "ver", "k", "two", &v2), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "ver", "k", "three", &v3), OL_OK);
	CHECK(strcmp(v1.version_id, v2.version_id) < 0 && strcmp(v2.version_id, v3.version_id) < 0);
	CHECK(v1.created_ns <= v2.created_ns && v2.created_ns <= v3.created_ns);
	CHECK_INT_EQ(strlen(v1.version_id), OL_VERSION_ID_LEN);
	CHECK(!v1.is_null);
	check_body(st, "ver", "k", NULL, "three");
	check_body(st, "ver", "k", v1.version_id, "one");
	check_body(st, "ver", "k", v2.version_id, "two");

	list_versions(st, "ver", &l);
	CHECK_INT_EQ(l.n, 3);
	CHECK_STR_EQ(l.ids[0], v3.version_id);
	CHECK_STR_EQ(l.ids[2], v1.version_id);
	CHECK(l.latest[0] && !l.latest[1] && !l.latest[2]);

	/* delete marker: the latest, returned as such; older versions stay readable */
	CHECK_INT_EQ(ol_delete_marker_put(st, "ver", "k", 1, &m, &e), OL_OK);
	CHECK(m.is_delete_marker && !m.is_null);
	CHECK(strcmp(m.version_id, v3.version_id) > 0);
	CHECK_INT_EQ(ol_version_get(st, "ver", "k", 1, NULL, &g, &e), OL_OK);
	CHECK(g.is_delete_marker);
	CHECK_STR_EQ(g.version_id, m.version_id);
	{
		struct ol_reader *r = NULL;

		CHECK_INT_EQ(ol_reader_open(st, &g, 0, 0, &r, &e), OL_EINVAL);
	}
	ol_version_release(&g);
	check_body(st, "ver", "k", v3.version_id, "three");

	/* removing the marker undeletes; removing the latest makes the previous current */
	CHECK_INT_EQ(ol_version_remove(st, "ver", "k", 1, m.version_id, NULL, &e), OL_OK);
	check_body(st, "ver", "k", NULL, "three");
	CHECK_INT_EQ(ol_version_remove(st, "ver", "k", 1, v3.version_id, &g, &e), OL_OK);
	CHECK_STR_EQ(g.version_id, v3.version_id);
	ol_version_release(&g);
	check_body(st, "ver", "k", NULL, "two");
	CHECK_INT_EQ(ol_version_remove(st, "ver", "k", 1, v3.version_id, NULL, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_version_remove(st, "ver", "k", 1, "not-an-id", NULL, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "bad version id 'not-an-id'");
	CHECK_INT_EQ(ol_version_get(st, "ver", "k", 1, "bogus", &g, &e), OL_EINVAL);
	CHECK_INT_EQ(ol_version_get(st, "ver", "k", 1, "null", &g, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_version_get(st, "ver", "nokey", 5, NULL, &g, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_version_get(st, "ver", "", 0, NULL, &g, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "object key of 0 bytes (1..1024)");
	/* an id of another key does not leak across keys */
	CHECK_INT_EQ(ol_version_get(st, "ver", "k2", 2, v2.version_id, &g, &e), OL_ENOTFOUND);

	/* metadata round trip through the store */
	{
		struct ol_version in, out;
		struct ol_put *put = NULL;

		ol_version_init(&in);
		ol_version_set_content_type(&in, "application/x-veeam", 19, NULL);
		ol_version_add_header(&in, "x-amz-meta-a", 12, "1", 1, NULL);
		in.lock_mode = OL_LOCK_GOVERNANCE;
		in.retain_until_ns = 1234;
		in.legal_hold = true;
		in.cksum_alg = OL_CKSUM_CRC32C;
		in.cksum_type = OL_CKSUM_FULL_OBJECT;
		in.cksum_len = 4;
		memcpy(in.cksum, "\x01\x02\x03\x04", 4);
		CHECK_INT_EQ(ol_put_begin(st, "ver", "meta", 4, &put, &e), OL_OK);
		CHECK_INT_EQ(ol_put_commit(put, &in, &e), OL_OK);
		CHECK_INT_EQ(ol_version_get(st, "ver", "meta", 4, NULL, &out, &e), OL_OK);
		CHECK(ol_version_equal(&in, &out));
		CHECK_INT_EQ(out.size_bytes, 0);
		CHECK_INT_EQ(out.loc.kind, OL_LOC_INLINE);
		ol_version_release(&out);
		/* bad metadata fails the commit and leaves nothing */
		in.cksum_len = 3;
		CHECK_INT_EQ(ol_put_begin(st, "ver", "meta2", 5, &put, &e), OL_OK);
		CHECK_INT_EQ(ol_put_commit(put, &in, &e), OL_EINVAL);
		CHECK_INT_EQ(ol_version_get(st, "ver", "meta2", 5, NULL, &out, &e), OL_ENOTFOUND);
		ol_version_release(&in);
	}
	ol_version_release(&v1);
	ol_version_release(&v2);
	ol_version_release(&v3);
	ol_version_release(&m);
	ol_store_close(st);
}

static void
test_null_versions(void)
{
	struct ol_store *st = olt_open(dir, 100); /* small inline limit: blobs are cheap here */
	static char big_a[300], big_b[300], big_d[300];
	struct ol_version v, c, e5;
	struct ol_err e = { 0 };
	struct vlist l;

	memset(big_a, 'A', sizeof(big_a) - 1);
	memset(big_b, 'B', sizeof(big_b) - 1);
	memset(big_d, 'D', sizeof(big_d) - 1);
	olt_bucket(st, "nul", OL_VERSIONING_UNVERSIONED);
	CHECK_INT_EQ(olt_put_str(st, "nul", "k", big_a, &v), OL_OK);
	CHECK_STR_EQ(v.version_id, "null");
	CHECK(v.is_null);
	CHECK_INT_EQ(v.loc.kind, OL_LOC_BLOB);
	ol_version_release(&v);
	CHECK_INT_EQ(count_files("blobs"), 1);
	CHECK_INT_EQ(olt_put_str(st, "nul", "k", big_b, &v), OL_OK);
	CHECK_STR_EQ(v.version_id, "null");
	ol_version_release(&v);
	/* replaced, and the replaced blob is gone */
	CHECK_INT_EQ(count_files("blobs"), 1);
	list_versions(st, "nul", &l);
	CHECK_INT_EQ(l.n, 1);
	CHECK_STR_EQ(l.ids[0], "null");
	check_body(st, "nul", "k", NULL, big_b);
	check_body(st, "nul", "k", "null", big_b);
	/* an unversioned bucket has no delete markers */
	CHECK_INT_EQ(ol_delete_marker_put(st, "nul", "k", 1, NULL, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "bucket 'nul' is unversioned: remove the null version instead");

	/* Enabled: the null version stays as an older version */
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "nul", OL_VERSIONING_ENABLED, &e), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "nul", "k", "C", &c), OL_OK);
	CHECK(!c.is_null);
	list_versions(st, "nul", &l);
	CHECK_INT_EQ(l.n, 2);
	CHECK_STR_EQ(l.ids[0], c.version_id);
	CHECK_STR_EQ(l.ids[1], "null");
	CHECK(l.latest[0] && !l.latest[1]);

	/* Suspended: a put replaces the null version and sorts by its own time: newest */
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "nul", OL_VERSIONING_SUSPENDED, &e), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "nul", "k", big_d, &v), OL_OK);
	CHECK_STR_EQ(v.version_id, "null");
	ol_version_release(&v);
	list_versions(st, "nul", &l);
	CHECK_INT_EQ(l.n, 2);
	CHECK_STR_EQ(l.ids[0], "null");
	CHECK_STR_EQ(l.ids[1], c.version_id);
	check_body(st, "nul", "k", "null", big_d);
	check_body(st, "nul", "k", c.version_id, "C");
	CHECK_INT_EQ(count_files("blobs"), 1); /* B's blob went with it */

	/* Suspended delete: a null delete marker replaces the null version */
	CHECK_INT_EQ(ol_delete_marker_put(st, "nul", "k", 1, &v, &e), OL_OK);
	CHECK_STR_EQ(v.version_id, "null");
	CHECK(v.is_delete_marker && v.is_null);
	ol_version_release(&v);
	CHECK_INT_EQ(count_files("blobs"), 0);
	list_versions(st, "nul", &l);
	CHECK_INT_EQ(l.n, 2);
	CHECK(l.marker[0] && l.latest[0]);
	CHECK_STR_EQ(l.ids[0], "null");

	/* Enabled again: new versions go on top of the null marker */
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "nul", OL_VERSIONING_ENABLED, &e), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "nul", "k", "E", &e5), OL_OK);
	list_versions(st, "nul", &l);
	CHECK_INT_EQ(l.n, 3);
	CHECK_STR_EQ(l.ids[0], e5.version_id);
	CHECK_STR_EQ(l.ids[1], "null");
	CHECK_STR_EQ(l.ids[2], c.version_id);
	CHECK_INT_EQ(ol_version_remove(st, "nul", "k", 1, "null", &v, &e), OL_OK);
	CHECK(v.is_delete_marker);
	ol_version_release(&v);
	CHECK_INT_EQ(ol_version_get(st, "nul", "k", 1, "null", &v, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_version_remove(st, "nul", "k", 1, "null", NULL, &e), OL_ENOTFOUND);
	list_versions(st, "nul", &l);
	CHECK_INT_EQ(l.n, 2);

	/* survives a reopen */
	ol_store_close(st);
	st = olt_open(dir, 100);
	check_body(st, "nul", "k", NULL, "E");
	check_body(st, "nul", "k", c.version_id, "C");
	ol_version_release(&c);
	ol_version_release(&e5);
	ol_store_close(st);
}

/* ---- bodies: inline / blob boundary, ranged reads ---- */

static void
check_ranges(struct ol_store *st, const struct ol_version *v, const uint8_t *want, size_t n)
{
	uint64_t offs[] = { 0, 1, 2, 255, 4095, 4096, 4097, 65535, 65536, 65537, 100000 };
	uint64_t lens[] = { 0, 1, 2, 3, 4096, 65536, 1u << 20 };
	size_t i, j;
	int rc;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			uint64_t off = offs[i] < n ? offs[i] : n, len = lens[j];
			uint8_t *got;

			if (len > n - off)
				len = n - off;
			got = olt_read(st, v, off, len, 1000, &rc);
			CHECK_INT_EQ(rc, OL_OK);
			if (rc == OL_OK && len)
				CHECK_MEM_EQ(got, want + off, (size_t)len);
			free(got);
		}
		/* tail from an offset, and one byte from the end */
		if (offs[i] < n) {
			uint8_t *got = olt_read(st, v, offs[i], n - offs[i], 7777, &rc);

			CHECK_INT_EQ(rc, OL_OK);
			if (rc == OL_OK)
				CHECK_MEM_EQ(got, want + offs[i], n - offs[i]);
			free(got);
		}
	}
	if (n) {
		uint8_t *got = olt_read(st, v, n - 1, 1, 1, &rc);

		CHECK_INT_EQ(rc, OL_OK);
		CHECK_INT_EQ(got[0], want[n - 1]);
		free(got);
	}
}

static void
test_bodies(void)
{
	const size_t lim = OL_INLINE_DEFAULT;
	size_t sizes[] = { 0, 1, lim - 1, lim, lim + 1, 3 * lim + 17 };
	size_t chunks[] = { 1000, 7, 65536, 1 << 20 };
	struct ol_store *st = olt_open(dir, 0);
	uint8_t *body = malloc(4 * lim);
	struct ol_err e = { 0 };
	char key[32];
	size_t i;

	olt_bucket(st, "bod", OL_VERSIONING_ENABLED);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct ol_version v, g;
		struct ol_reader *r = NULL;
		int fd = -1;
		uint64_t foff = 0;
		size_t n = sizes[i];

		olt_fill(body, n, (uint32_t)i + 1);
		snprintf(key, sizeof(key), "obj%zu", i);
		CHECK_INT_EQ(olt_put(st, "bod", key, strlen(key), body, n,
		                     chunks[i % 4], &v, &e), OL_OK);
		CHECK_INT_EQ(v.size_bytes, n);
		CHECK_INT_EQ(v.loc.kind, n <= lim ? OL_LOC_INLINE : OL_LOC_BLOB);
		check_ranges(st, &v, body, n);

		/* sendfile view: blob only, offset moves with reads */
		if (n > 10) {
			CHECK_INT_EQ(ol_reader_open(st, &v, 5, n - 5, &r, &e), OL_OK);
			if (n <= lim) {
				CHECK_INT_EQ(ol_reader_sendfile_fd(r, &fd, &foff), OL_ENOTFOUND);
			} else {
				uint8_t tmp[16];
				size_t got = 0;

				CHECK_INT_EQ(ol_reader_sendfile_fd(r, &fd, &foff), OL_OK);
				CHECK_INT_EQ(foff, 5);
				CHECK_INT_EQ(pread(fd, tmp, 16, (off_t)foff), 16);
				CHECK_MEM_EQ(tmp, body + 5, 16);
				CHECK_INT_EQ(ol_reader_read(r, tmp, 3, &got, &e), OL_OK);
				CHECK_INT_EQ(ol_reader_sendfile_fd(r, &fd, &foff), OL_OK);
				CHECK_INT_EQ(foff, 8);
				CHECK_INT_EQ(ol_reader_remaining(r), n - 8);
			}
			ol_reader_close(r);
		}
		CHECK_INT_EQ(ol_reader_open(st, &v, n, 1, &r, &e), OL_EINVAL);
		CHECK_INT_EQ(ol_reader_open(st, &v, UINT64_MAX, 2, &r, &e), OL_EINVAL);

		/* and the same after a reopen, from the index */
		ol_store_close(st);
		st = olt_open(dir, 0);
		CHECK_INT_EQ(ol_version_get(st, "bod", key, strlen(key), NULL, &g, &e), OL_OK);
		CHECK(ol_version_equal(&v, &g));
		check_ranges(st, &g, body, n);
		ol_version_release(&g);
		ol_version_release(&v);
	}
	{
		struct ol_version v;
		struct ol_reader *r = NULL;
		int rc;

		CHECK_INT_EQ(ol_version_get(st, "bod", "obj5", 4, NULL, &v, &e), OL_OK);
		CHECK_INT_EQ(ol_reader_open(st, &v, 0, v.size_bytes, &r, &e), OL_OK);
		/* a removal under an open reader does not cut it short */
		CHECK_INT_EQ(ol_version_remove(st, "bod", "obj5", 4, v.version_id, NULL, &e), OL_OK);
		olt_fill(body, (size_t)v.size_bytes, 6);
		{
			uint8_t *buf = malloc((size_t)v.size_bytes);
			size_t got = 0, tot = 0;

			while ((rc = ol_reader_read(r, buf + tot, 50000, &got, &e)) == OL_OK && got)
				tot += got;
			CHECK_INT_EQ(tot, v.size_bytes);
			CHECK_MEM_EQ(buf, body, tot);
			free(buf);
		}
		ol_reader_close(r);
		/* a reader opened after the removal reports the blob gone */
		CHECK_INT_EQ(ol_reader_open(st, &v, 0, 1, &r, &e), OL_ENOTFOUND);
		ol_version_release(&v);
	}

	/* abort: no temp file left, nothing visible */
	{
		struct ol_put *put = NULL;
		struct ol_version g;

		CHECK_INT_EQ(ol_put_begin(st, "bod", "aborted", 7, &put, &e), OL_OK);
		CHECK_INT_EQ(ol_put_write(put, body, 3 * lim, &e), OL_OK);
		CHECK_INT_EQ(ol_put_size(put), 3 * lim);
		CHECK_INT_EQ(count_files("tmp"), 1);
		ol_put_abort(put);
		ol_put_abort(NULL);
		CHECK_INT_EQ(count_files("tmp"), 0);
		CHECK_INT_EQ(ol_version_get(st, "bod", "aborted", 7, NULL, &g, &e), OL_ENOTFOUND);
	}
	/* key length bounds */
	{
		char *k = malloc(OL_KEY_MAX + 1);
		struct ol_version v;

		memset(k, 'k', OL_KEY_MAX + 1);
		CHECK_INT_EQ(olt_put(st, "bod", k, OL_KEY_MAX, body, 10, 10, &v, &e), OL_OK);
		ol_version_release(&v);
		CHECK_INT_EQ(olt_put(st, "bod", k, OL_KEY_MAX + 1, body, 10, 10, &v, &e), OL_EINVAL);
		CHECK_STR_EQ(e.msg, "object key of 1025 bytes (1..1024)");
		free(k);
	}
	/* inline limit bounds */
	{
		struct ol_store_opts o = { 0 };
		struct ol_store *s2 = NULL;

		o.data_dir = dir;
		o.inline_max_bytes = OL_INLINE_LIMIT + 1;
		CHECK_INT_EQ(ol_store_open(&o, &s2, &e), OL_EINVAL);
		CHECK_STR_EQ(e.msg, "store: inline_max_bytes 1048577 above 1048576");
	}
	free(body);
	ol_store_close(st);
}

/* ---- concurrency: puts to one key serialize ---- */

struct worker {
	struct ol_store *st;
	const char *bucket;
	int id, n, fails;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	uint8_t body[700];
	int i;

	for (i = 0; i < w->n; i++) {
		struct ol_version v;
		struct ol_err e = { 0 };
		size_t n = (size_t)(i % 2 ? 600 : 20); /* blob and inline, inline limit 100 */

		olt_fill(body, n, (uint32_t)(w->id * 1000 + i));
		if (olt_put(w->st, w->bucket, "hot", 3, body, n, 128, &v, &e) != OL_OK)
			w->fails++;
		ol_version_release(&v);
	}
	return NULL;
}

static void
test_concurrency(void)
{
	enum { T = 4, N = 12 };
	struct ol_store *st = olt_open(dir, 100);
	struct worker w[T];
	pthread_t th[T];
	struct ol_fsck_report *rep = calloc(1, sizeof(*rep));
	struct ol_err e = { 0 };
	struct vlist l;
	int i, pass;

	ol_test_nosync(st);
	olt_bucket(st, "cu", OL_VERSIONING_UNVERSIONED);
	olt_bucket(st, "ce", OL_VERSIONING_ENABLED);
	for (pass = 0; pass < 2; pass++) {
		const char *b = pass ? "ce" : "cu";

		for (i = 0; i < T; i++) {
			w[i].st = st;
			w[i].bucket = b;
			w[i].id = i;
			w[i].n = N;
			w[i].fails = 0;
			pthread_create(&th[i], NULL, worker_main, &w[i]);
		}
		for (i = 0; i < T; i++) {
			pthread_join(th[i], NULL);
			CHECK_INT_EQ(w[i].fails, 0);
		}
		list_versions(st, b, &l);
		if (pass == 0) {
			/* every put replaced the null version: exactly one left */
			CHECK_INT_EQ(l.n, 1);
			CHECK_STR_EQ(l.ids[0], "null");
		} else {
			CHECK_INT_EQ(l.n, T * N);
			for (i = 1; i < l.n && i < 64; i++)
				CHECK(strcmp(l.ids[i - 1], l.ids[i]) > 0); /* unique, newest first */
		}
	}
	ol_store_close(st);
	/* replaced null versions left no blob behind */
	CHECK_INT_EQ(ol_fsck(dir, false, rep, &e), OL_OK);
	CHECK(ol_fsck_report_clean(rep));
	CHECK_INT_EQ(rep->versions, T * N + 1);
	free(rep);
}

int
main(void)
{
	void (*tests[])(void) = { test_buckets, test_kv, test_versions, test_null_versions,
	                          test_bodies, test_concurrency };
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		olt_tmpdir(dir);
		tests[i]();
		olt_rmrf(dir);
	}
	return check_done("objectlock-store");
}
