/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Object Lock in the store: removal refused for retained and held versions with the right
 * code and verdict, the governance bypass, retention and legal-hold changes through the
 * S3.md 8.4 matrix on the fresh record, delete markers, the null version a write would
 * replace, read-only and immutable blob files (asserted where the filesystem and privileges
 * allow, skipped otherwise), fsck's view of them, a reopen, and threads flipping the legal
 * hold and the retention while others try to remove: a removal never wins against a hold
 * that was on when it was judged.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#include "io_test.h"
#include "olt.h"
#include "record.h"

#define SEC 1000000000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define YEAR (365 * DAY)
#define W0 (1800000000LL * SEC) /* 2027-01-15T08:00:00Z */
#define INLINE_MAX 1000

static char dir[64];
static bool imm_supported;

/* ---- a fake clock, moved by hand ---- */

static _Atomic int64_t f_wall, f_mono;

static int64_t
fake_wall(void *ctx)
{
	(void)ctx;
	return atomic_load(&f_wall);
}

static int64_t
fake_mono(void *ctx)
{
	(void)ctx;
	return atomic_load(&f_mono);
}

static bool
fake_boot(void *ctx, char out[40])
{
	(void)ctx;
	snprintf(out, 40, "boot");
	return true;
}

static void
time_passes(int64_t d)
{
	atomic_fetch_add(&f_mono, d);
	atomic_fetch_add(&f_wall, d);
}

static struct ol_store *
setup(void)
{
	static const struct ol_clock_source src = { fake_wall, fake_mono, fake_boot, NULL };
	struct ol_store *st;
	struct ol_store_status ss;
	struct ol_bucket b;
	struct ol_err e = { 0 };

	if (dir[0])
		olt_rmrf(dir);
	olt_tmpdir(dir);
	atomic_store(&f_wall, W0);
	atomic_store(&f_mono, 1000 * SEC);
	ol_test_clock_source(&src);
	st = olt_open(dir, INLINE_MAX);
	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "lk");
	b.lock_enabled = true;
	CHECK_INT_EQ(ol_bucket_create(st, &b, &e), OL_OK);
	olt_bucket(st, "plain", OL_VERSIONING_ENABLED);
	ol_store_status(st, &ss);
	imm_supported = ss.immutable == OL_IMMUTABLE_SUPPORTED;
	return st;
}

/* ---- helpers ---- */

/* Put @n bytes (blob above INLINE_MAX) with the given lock fields. */
static void
put_locked(struct ol_store *st, const char *bucket, const char *key, size_t n,
           enum ol_lock_mode mode, int64_t until, bool hold, struct ol_version *v)
{
	static uint8_t body[20000];
	struct ol_put *put = NULL;
	struct ol_err e = { 0 };

	olt_fill(body, n, (uint32_t)n);
	ol_version_init(v);
	ol_version_set_etag(v, "etag", 4, NULL);
	v->lock_mode = mode;
	v->retain_until_ns = until;
	v->legal_hold = hold;
	CHECK_INT_EQ(ol_put_begin(st, bucket, key, strlen(key), &put, &e), OL_OK);
	CHECK_INT_EQ(ol_put_write(put, body, n, &e), OL_OK);
	CHECK_INT_EQ(ol_put_commit(put, v, &e), OL_OK);
}

static void
blob_path_of(const uint8_t id[OL_BLOB_ID_LEN], char out[256])
{
	char h[33];

	cr_hex_encode(id, OL_BLOB_ID_LEN, h);
	h[32] = '\0';
	snprintf(out, 256, "%s/blobs/%.2s/%.2s/%s", dir, h, h + 2, h);
}

/* 1 flagged, 0 not, -1 no file */
static int
flag_of(const uint8_t id[OL_BLOB_ID_LEN])
{
	char p[256];
	int fd, fl = 0;

	blob_path_of(id, p);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, FS_IOC_GETFLAGS, &fl) != 0)
		fl = 0;
	close(fd);
	return (fl & FS_IMMUTABLE_FL) ? 1 : 0;
}

static mode_t
mode_of(const uint8_t id[OL_BLOB_ID_LEN])
{
	char p[256];
	struct stat sb;

	blob_path_of(id, p);
	return stat(p, &sb) == 0 ? (sb.st_mode & 07777) : 0;
}

static bool
exists_blob(const uint8_t id[OL_BLOB_ID_LEN])
{
	return flag_of(id) >= 0;
}

/* The flag where supported; never fail where it is not. */
#define CHECK_FLAG(id, want)                                   \
	do {                                                   \
		if (imm_supported)                             \
			CHECK_INT_EQ(flag_of(id), (want) ? 1 : 0); \
	} while (0)

static int
remove_as(struct ol_store *st, const char *bucket, const char *key, const char *vid, int bypass,
          enum ol_verdict *vd, struct ol_err *e)
{
	struct ol_caller who = { bypass > 0, bypass > 1 };

	*vd = OL_ALLOW;
	return ol_version_remove_checked(st, bucket, key, strlen(key), vid, &who, OL_NOW, vd, NULL,
	                                 e);
}

/* ---- removal ---- */

static void
test_remove(void)
{
	struct ol_store *st = setup();
	struct ol_version c, g, h, gh, x, n, m, got;
	struct ol_err e = { 0 };
	enum ol_verdict vd;
	char msg[160];

	put_locked(st, "lk", "c", 5000, OL_LOCK_COMPLIANCE, W0 + DAY, false, &c);
	put_locked(st, "lk", "g", 5000, OL_LOCK_GOVERNANCE, W0 + DAY, false, &g);
	put_locked(st, "lk", "h", 100, OL_LOCK_NONE, 0, true, &h);
	put_locked(st, "lk", "gh", 5000, OL_LOCK_GOVERNANCE, W0 + DAY, true, &gh);
	put_locked(st, "lk", "x", 5000, OL_LOCK_COMPLIANCE, W0 - SEC, false, &x); /* expired */
	put_locked(st, "lk", "n", 5000, OL_LOCK_NONE, 0, false, &n);
	CHECK_INT_EQ(ol_delete_marker_put(st, "lk", "c", 1, &m, &e), OL_OK); /* on top of c */

	/* the safe default: no bypass, the compliance clock */
	CHECK_INT_EQ(ol_version_remove(st, "lk", "c", 1, c.version_id, NULL, &e), OL_ELOCKED);
	snprintf(msg, sizeof(msg), "version %s of key 'c' is protected: active compliance retention",
	         c.version_id);
	CHECK_STR_EQ(e.msg, msg);
	CHECK_INT_EQ(e.rc, OL_ELOCKED);
	CHECK_INT_EQ(remove_as(st, "lk", "c", c.version_id, 2, &vd, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_COMPLIANCE);
	/* governance: the header alone is refused, header + permission passes */
	CHECK_INT_EQ(remove_as(st, "lk", "g", g.version_id, 0, &vd, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_GOVERNANCE);
	CHECK_INT_EQ(remove_as(st, "lk", "g", g.version_id, 1, &vd, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_BYPASS_NOT_PERMITTED);
	snprintf(msg, sizeof(msg), "version %s of key 'g' is protected: governance bypass not "
	         "permitted", g.version_id);
	CHECK_STR_EQ(e.msg, msg);
	/* a legal hold: never, bypass or not */
	CHECK_INT_EQ(remove_as(st, "lk", "h", h.version_id, 2, &vd, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_LEGAL_HOLD);
	CHECK_INT_EQ(remove_as(st, "lk", "gh", gh.version_id, 2, &vd, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_LEGAL_HOLD);
	/* no caller can judge as of a moment that has not come: a future now_ns is clamped */
	vd = OL_ALLOW;
	CHECK_INT_EQ(ol_version_remove_checked(st, "lk", "c", 1, c.version_id, NULL, W0 + 2 * DAY,
	                                       &vd, NULL, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_COMPLIANCE);
	/* but an earlier one is stricter: the expired version, judged as of before its end */
	CHECK_INT_EQ(ol_version_remove_checked(st, "lk", "x", 1, x.version_id, NULL, W0 - MIN, &vd,
	                                       NULL, &e), OL_ELOCKED);
	/* refused versions are intact */
	CHECK_INT_EQ(ol_version_get(st, "lk", "c", 1, c.version_id, &got, &e), OL_OK);
	CHECK(ol_version_equal(&got, &c));
	ol_version_release(&got);
	CHECK_FLAG(c.loc.blob_id, true);
	CHECK_FLAG(gh.loc.blob_id, true);
	CHECK_INT_EQ(mode_of(c.loc.blob_id), 0440);
	CHECK_INT_EQ(mode_of(n.loc.blob_id), 0640);
	CHECK_FLAG(n.loc.blob_id, false);
	CHECK_FLAG(x.loc.blob_id, false); /* committed expired: never locked */

	/* allowed: bypass on governance (the flag lifted, the file gone), the expired one,
	 * the unlocked one, the marker above a locked version */
	vd = OL_DENY_BAD_CHANGE;
	CHECK_INT_EQ(ol_version_remove_checked(st, "lk", "g", 1, g.version_id,
	                                       &(struct ol_caller){ true, true }, OL_NOW, &vd, &got,
	                                       &e), OL_OK);
	CHECK_INT_EQ(vd, OL_DENY_BAD_CHANGE); /* left alone on success */
	CHECK_STR_EQ(got.version_id, g.version_id);
	CHECK_INT_EQ(got.lock_mode, OL_LOCK_GOVERNANCE);
	ol_version_release(&got);
	CHECK(!exists_blob(g.loc.blob_id));
	CHECK_INT_EQ(ol_version_remove(st, "lk", "x", 1, x.version_id, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "n", 1, n.version_id, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "c", 1, m.version_id, NULL, &e), OL_OK);
	CHECK(!exists_blob(x.loc.blob_id));
	CHECK(!exists_blob(n.loc.blob_id));
	CHECK_INT_EQ(ol_version_remove(st, "lk", "g", 1, g.version_id, NULL, &e), OL_ENOTFOUND);

	/* time passes by the compliance clock: the retention ends, the hold does not */
	time_passes(DAY);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "c", 1, c.version_id, NULL, &e), OL_OK);
	CHECK(!exists_blob(c.loc.blob_id));
	CHECK_INT_EQ(remove_as(st, "lk", "gh", gh.version_id, 0, &vd, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_LEGAL_HOLD);
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "lk", "gh", 2, gh.version_id, false, &vd, NULL,
	                                       &e), OL_OK);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "gh", 2, gh.version_id, NULL, &e), OL_OK);
	CHECK(!exists_blob(gh.loc.blob_id)); /* the flag (still set) lifted by the removal */
	{
		struct ol_store_status ss;

		ol_store_status(st, &ss);
		if (imm_supported) {
			CHECK(ss.immutable_set >= 3);
			CHECK(ss.immutable_cleared >= 2);
		}
		CHECK_INT_EQ(ss.immutable_failed, 0);
	}
	ol_version_release(&c);
	ol_version_release(&g);
	ol_version_release(&h);
	ol_version_release(&gh);
	ol_version_release(&x);
	ol_version_release(&n);
	ol_version_release(&m);
	ol_store_close(st);
}

/* ---- retention and legal hold through the store ---- */

static void
test_changes(void)
{
	struct ol_store *st = setup();
	struct ol_caller none = { false, false }, bad = { true, false }, ok = { true, true };
	struct ol_version v, out, m, p;
	struct ol_err e = { 0 };
	enum ol_verdict vd = OL_ALLOW;
	char msg[200];

	put_locked(st, "lk", "k", 5000, OL_LOCK_NONE, 0, false, &v);
	CHECK_FLAG(v.loc.blob_id, false);
	/* none -> GOVERNANCE: the record rewritten in place, the blob now immutable */
	time_passes(MIN);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, NULL, OL_LOCK_GOVERNANCE,
	                                      W0 + 10 * DAY, &none, OL_NOW, &vd, &out, &e), OL_OK);
	CHECK_STR_EQ(out.version_id, v.version_id);
	CHECK_INT_EQ(out.created_ns, v.created_ns); /* Last-Modified unchanged */
	CHECK_STR_EQ(out.etag, v.etag);
	CHECK_INT_EQ(out.lock_mode, OL_LOCK_GOVERNANCE);
	CHECK_INT_EQ(out.retain_until_ns, W0 + 10 * DAY);
	ol_version_release(&out);
	CHECK_FLAG(v.loc.blob_id, true);
	CHECK_INT_EQ(mode_of(v.loc.blob_id), 0440);
	/* the matrix, on the stored record */
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_GOVERNANCE,
	                                      W0 + 11 * DAY, NULL, OL_NOW, &vd, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_GOVERNANCE,
	                                      W0 + 11 * DAY, NULL, OL_NOW, &vd, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_GOVERNANCE,
	                                      W0 + 5 * DAY, &none, OL_NOW, &vd, NULL, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_GOVERNANCE);
	snprintf(msg, sizeof(msg), "retention of version %s of key 'k' refused: active governance "
	         "retention", v.version_id);
	CHECK_STR_EQ(e.msg, msg);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_GOVERNANCE,
	                                      W0 + 5 * DAY, &bad, OL_NOW, &vd, NULL, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_BYPASS_NOT_PERMITTED);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_COMPLIANCE,
	                                      W0 + 12 * DAY, &none, OL_NOW, &vd, NULL, &e),
	             OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_GOVERNANCE);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_GOVERNANCE,
	                                      W0 + 5 * DAY, &ok, OL_NOW, &vd, NULL, &e), OL_OK);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_COMPLIANCE,
	                                      W0 + 5 * DAY, &ok, OL_NOW, &vd, NULL, &e), OL_OK);
	/* COMPLIANCE: extend only, whoever asks */
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_COMPLIANCE,
	                                      W0 + 4 * DAY, &ok, OL_NOW, &vd, NULL, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_COMPLIANCE);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_GOVERNANCE,
	                                      W0 + 6 * DAY, &ok, OL_NOW, &vd, NULL, &e), OL_ELOCKED);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_NONE, 0, &ok,
	                                      OL_NOW, &vd, NULL, &e), OL_ELOCKED);
	CHECK_INT_EQ(vd, OL_DENY_COMPLIANCE);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_COMPLIANCE,
	                                      W0 + 6 * DAY, NULL, OL_NOW, &vd, &out, &e), OL_OK);
	CHECK_INT_EQ(out.retain_until_ns, W0 + 6 * DAY);
	ol_version_release(&out);
	/* a date not after now; a malformed change */
	vd = OL_ALLOW;
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_COMPLIANCE,
	                                      W0, NULL, OL_NOW, &vd, NULL, &e), OL_EINVAL);
	CHECK_INT_EQ(vd, OL_DENY_PAST_DATE);
	snprintf(msg, sizeof(msg), "retention of version %s of key 'k' refused: retain-until date "
	         "not in the future", v.version_id);
	CHECK_STR_EQ(e.msg, msg);
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_NONE,
	                                      W0 + 9 * DAY, NULL, OL_NOW, &vd, NULL, &e), OL_EINVAL);
	CHECK_INT_EQ(vd, OL_DENY_BAD_CHANGE);
	/* the stored state is what the last allowed change left */
	CHECK_INT_EQ(ol_version_get(st, "lk", "k", 1, NULL, &out, &e), OL_OK);
	CHECK_INT_EQ(out.lock_mode, OL_LOCK_COMPLIANCE);
	CHECK_INT_EQ(out.retain_until_ns, W0 + 6 * DAY);
	CHECK(!out.legal_hold);
	ol_version_release(&out);

	/* the legal hold: any time, any state; clearing it keeps the flag */
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "lk", "k", 1, NULL, true, &vd, &out, &e), OL_OK);
	CHECK(out.legal_hold);
	CHECK_INT_EQ(out.lock_mode, OL_LOCK_COMPLIANCE);
	ol_version_release(&out);
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "lk", "k", 1, v.version_id, false, &vd, &out, &e),
	             OL_OK);
	CHECK(!out.legal_hold);
	ol_version_release(&out);
	put_locked(st, "lk", "p", 5000, OL_LOCK_NONE, 0, false, &p);
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "lk", "p", 1, NULL, true, &vd, NULL, &e), OL_OK);
	CHECK_FLAG(p.loc.blob_id, true);
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "lk", "p", 1, NULL, false, &vd, NULL, &e), OL_OK);
	CHECK_FLAG(p.loc.blob_id, true);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "p", 1, p.version_id, NULL, &e), OL_OK);
	CHECK(!exists_blob(p.loc.blob_id));

	/* delete markers: MethodNotAllowed, addressed by id or as the latest */
	CHECK_INT_EQ(ol_delete_marker_put(st, "lk", "k", 1, &m, &e), OL_OK);
	vd = OL_ALLOW;
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, NULL, OL_LOCK_COMPLIANCE,
	                                      W0 + 30 * DAY, NULL, OL_NOW, &vd, NULL, &e),
	             OL_EDELMARKER);
	CHECK_INT_EQ(vd, OL_DENY_DELETE_MARKER);
	snprintf(msg, sizeof(msg), "retention of version %s of key 'k' refused: delete marker",
	         m.version_id);
	CHECK_STR_EQ(e.msg, msg);
	vd = OL_ALLOW;
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "lk", "k", 1, m.version_id, true, &vd, NULL, &e),
	             OL_EDELMARKER);
	CHECK_INT_EQ(vd, OL_DENY_DELETE_MARKER);
	/* the version under the marker is still addressable by id */
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "k", 1, v.version_id, OL_LOCK_COMPLIANCE,
	                                      W0 + 7 * DAY, NULL, OL_NOW, &vd, NULL, &e), OL_OK);

	/* refusals before any judging */
	vd = OL_ALLOW;
	CHECK_INT_EQ(ol_version_set_retention(st, "plain", "k", 1, NULL, OL_LOCK_GOVERNANCE,
	                                      W0 + DAY, NULL, OL_NOW, &vd, NULL, &e), OL_EINVAL);
	CHECK_STR_EQ(e.msg, "retention: bucket 'plain' has no object lock configuration");
	CHECK_INT_EQ(vd, OL_ALLOW);
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "plain", "k", 1, NULL, true, &vd, NULL, &e),
	             OL_EINVAL);
	CHECK_STR_EQ(e.msg, "legal hold: bucket 'plain' has no object lock configuration");
	CHECK_INT_EQ(ol_version_set_retention(st, "lk", "nokey", 5, NULL, OL_LOCK_GOVERNANCE,
	                                      W0 + DAY, NULL, OL_NOW, &vd, NULL, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "lk", "k", 1, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	                                       true, &vd, NULL, &e), OL_ENOTFOUND);
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "lk", "k", 1, "bad", true, &vd, NULL, &e),
	             OL_EINVAL);
	CHECK_INT_EQ(ol_version_set_legal_hold(st, "nob", "k", 1, NULL, true, &vd, NULL, &e),
	             OL_ENOTFOUND);
	CHECK_INT_EQ(vd, OL_ALLOW);

	/* expiry by the compliance clock: then the version may go */
	CHECK_INT_EQ(ol_version_remove(st, "lk", "k", 1, v.version_id, NULL, &e), OL_ELOCKED);
	time_passes(7 * DAY);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "k", 1, v.version_id, NULL, &e), OL_OK);
	CHECK(!exists_blob(v.loc.blob_id));
	ol_version_release(&v);
	ol_version_release(&m);
	ol_version_release(&p);
	ol_store_close(st);
}

/* ---- the null version a write would replace ---- */

static void
test_null_replace(void)
{
	struct ol_store *st = setup();
	struct ol_version v, w, g, s;
	struct ol_err e = { 0 };
	size_t blobs;

	olt_bucket(st, "nul", OL_VERSIONING_UNVERSIONED);
	put_locked(st, "nul", "k", 5000, OL_LOCK_COMPLIANCE, W0 + DAY, false, &v);
	CHECK(v.is_null);
	blobs = olt_count_files(dir, "blobs");
	/* a put, a clone and a multipart complete over it: refused, nothing left behind */
	CHECK_INT_EQ(olt_put(st, "nul", "k", 1, (const uint8_t *)"new bytes", 9, 9, &w, &e),
	             OL_ELOCKED);
	CHECK_STR_EQ(e.msg, "null version of key 'k' in bucket 'nul' is locked (active compliance "
	                    "retention): not replaced");
	ol_version_release(&w);
	{
		uint8_t big[3000];

		olt_fill(big, sizeof(big), 7);
		CHECK_INT_EQ(olt_put(st, "nul", "k", 1, big, sizeof(big), 1000, &w, &e), OL_ELOCKED);
		ol_version_release(&w);
	}
	put_locked(st, "plain", "src", 5000, OL_LOCK_NONE, 0, false, &s);
	ol_version_init(&w);
	CHECK_INT_EQ(ol_version_clone(st, &s, "nul", "k", 1, &w, &e), OL_ELOCKED);
	ol_version_release(&w);
	{
		char id[OL_UPLOAD_ID_LEN + 1];
		struct ol_complete_part cp[1];
		struct ol_part part;
		uint8_t body[2000];

		ol_version_init(&w);
		CHECK_INT_EQ(ol_upload_create(st, "nul", "k", 1, &w, id, &e), OL_OK);
		olt_fill(body, sizeof(body), 5);
		CHECK_INT_EQ(olt_part(st, "nul", "k", id, 1, body, sizeof(body), 512, &part, &e),
		             OL_OK);
		cp[0].part_number = 1;
		cp[0].etag = part.etag;
		cp[0].etag_len = strlen(part.etag);
		ol_version_set_etag(&w, "x-1", 3, NULL);
		CHECK_INT_EQ(ol_upload_complete(st, "nul", "k", 1, id, cp, 1, &w, NULL, &e), OL_ELOCKED);
		/* the upload is intact: abort it */
		CHECK_INT_EQ(ol_upload_abort(st, "nul", "k", 1, id, &e), OL_OK);
		ol_version_release(&w);
	}
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), blobs + 1); /* + the clone's source */
	CHECK_INT_EQ(olt_count_files(dir, "tmp"), 0);
	CHECK_INT_EQ(ol_version_remove(st, "nul", "k", 1, "null", NULL, &e), OL_ELOCKED);
	CHECK_INT_EQ(ol_version_get(st, "nul", "k", 1, "null", &g, &e), OL_OK);
	CHECK(ol_version_equal(&g, &v));
	ol_version_release(&g);
	CHECK_FLAG(v.loc.blob_id, true);

	/* a Suspended bucket: a null delete marker would replace it just the same */
	olt_bucket(st, "sus", OL_VERSIONING_ENABLED);
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "sus", OL_VERSIONING_SUSPENDED, &e), OL_OK);
	put_locked(st, "sus", "k", 100, OL_LOCK_NONE, 0, true, &w);
	CHECK(w.is_null);
	ol_version_init(&g);
	CHECK_INT_EQ(ol_delete_marker_put(st, "sus", "k", 1, &g, &e), OL_ELOCKED);
	CHECK_INT_EQ(olt_put_str(st, "sus", "k", "x", &g), OL_ELOCKED);
	ol_version_release(&g);
	/* hold cleared (not possible through S3 here: no lock bucket is Suspended) -> allowed */
	ol_version_release(&w);

	/* once the retention is over, the null version is replaced as before, flag and all */
	time_passes(DAY);
	CHECK_INT_EQ(olt_put_str(st, "nul", "k", "new", &w), OL_OK);
	CHECK(w.is_null);
	CHECK(!exists_blob(v.loc.blob_id));
	ol_version_release(&w);
	ol_version_release(&v);
	ol_version_release(&s);
	ol_store_close(st);
}

/* ---- immutable blobs: multipart, clones, fsck, reopen ---- */

static void
test_immutable(void)
{
	struct ol_store *st = setup();
	struct ol_version v, c1, c2, src, g;
	struct ol_err e = { 0 };
	struct ol_store_status ss;
	struct ol_fsck_report *r = calloc(1, sizeof(*r));
	char id[OL_UPLOAD_ID_LEN + 1], orphan[256];
	struct ol_part parts[2];
	struct ol_complete_part cp[2];
	struct ol_upload u;
	uint8_t body[6000];
	uint32_t i;
	int fd;

	ol_store_status(st, &ss);
	fprintf(stderr, "objectlock-lock: immutable flag %s%s%s\n",
	        ol_immutable_support_name(ss.immutable), ss.immutable_reason[0] ? ": " : "",
	        ss.immutable_reason);
	/* a multipart version completed locked: every part file flagged */
	ol_version_init(&v);
	v.lock_mode = OL_LOCK_COMPLIANCE;
	v.retain_until_ns = W0 + DAY;
	CHECK_INT_EQ(ol_upload_create(st, "lk", "mp", 2, &v, id, &e), OL_OK);
	ol_version_release(&v);
	olt_fill(body, sizeof(body), 2);
	CHECK_INT_EQ(olt_part(st, "lk", "mp", id, 1, body, 4000, 1000, &parts[0], &e), OL_OK);
	CHECK_INT_EQ(olt_part(st, "lk", "mp", id, 2, body + 4000, 2000, 1000, &parts[1], &e), OL_OK);
	CHECK_INT_EQ(ol_upload_get(st, "lk", "mp", 2, id, &u, &e), OL_OK);
	CHECK_INT_EQ(ol_version_copy(&u.tmpl, &v, &e), OL_OK);
	ol_upload_release(&u);
	ol_version_set_etag(&v, "abc-2", 5, NULL);
	for (i = 0; i < 2; i++) {
		cp[i].part_number = i + 1;
		cp[i].etag = parts[i].etag;
		cp[i].etag_len = strlen(parts[i].etag);
	}
	CHECK_INT_EQ(ol_upload_complete(st, "lk", "mp", 2, id, cp, 2, &v, NULL, &e), OL_OK);
	for (i = 0; i < v.loc.n_parts; i++) {
		CHECK_FLAG(v.loc.parts[i].blob_id, true);
		CHECK_INT_EQ(mode_of(v.loc.parts[i].blob_id), 0440);
	}
	if (imm_supported) {
		char p[256];

		/* even root cannot unlink or write it */
		blob_path_of(v.loc.parts[0].blob_id, p);
		CHECK(unlink(p) != 0 && errno == EPERM);
		CHECK(open(p, O_WRONLY) < 0 && errno == EPERM);
	}
	/* a linked clone with a lock: the inode is shared with an unlocked name, so not
	 * flagged; a copied one is */
	put_locked(st, "plain", "src", 5000, OL_LOCK_NONE, 0, false, &src);
	ol_version_init(&c1);
	c1.lock_mode = OL_LOCK_GOVERNANCE;
	c1.retain_until_ns = W0 + DAY;
	CHECK_INT_EQ(ol_version_clone(st, &src, "lk", "c1", 2, &c1, &e), OL_OK);
	CHECK_FLAG(c1.loc.blob_id, false);
	ol_version_init(&c2);
	c2.lock_mode = OL_LOCK_GOVERNANCE;
	c2.retain_until_ns = W0 + DAY;
	ol_io_link_errno_set(EXDEV);
	CHECK_INT_EQ(ol_version_clone(st, &src, "lk", "c2", 2, &c2, &e), OL_OK);
	ol_io_link_errno_set(0);
	CHECK_FLAG(c2.loc.blob_id, true);
	/* cloning from a flagged blob: link(2) refused with EPERM, the clone copies */
	ol_version_init(&g);
	CHECK_INT_EQ(ol_version_clone(st, &c2, "plain", "c3", 2, &g, &e), OL_OK);
	CHECK_FLAG(g.loc.blob_id, false);
	CHECK_INT_EQ(ol_version_remove(st, "plain", "c3", 2, g.version_id, NULL, &e), OL_OK);
	ol_version_release(&g);
	/* the unlocked source of c1 goes; c1 keeps its bytes */
	CHECK_INT_EQ(ol_version_remove(st, "plain", "src", 3, src.version_id, NULL, &e), OL_OK);
	ol_store_status(st, &ss);
	if (imm_supported) {
		CHECK_INT_EQ(ss.immutable_shared, 1);
		CHECK_INT_EQ(ss.immutable_set, 3);
	}

	/* an orphan with the flag (as a crash could leave): fsck keeps it and says so */
	snprintf(orphan, sizeof(orphan), "%s/blobs/00/00/0000eeee000000000000000000000000", dir);
	{
		char d[256];

		snprintf(d, sizeof(d), "%s/blobs/00/00", dir);
		mkdir(d, 0750);
	}
	fd = open(orphan, O_WRONLY | O_CREAT | O_EXCL, 0640);
	CHECK(fd >= 0);
	if (fd >= 0) {
		int fl = 0;

		if (write(fd, "x", 1) != 1)
			CHECK(0);
		if (imm_supported && ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0) {
			fl |= FS_IMMUTABLE_FL;
			CHECK_INT_EQ(ioctl(fd, FS_IOC_SETFLAGS, &fl), 0);
		}
		close(fd);
	}
	ol_store_close(st);
	CHECK_INT_EQ(ol_fsck(dir, true, r, &e), OL_OK);
	CHECK_INT_EQ(r->locked_versions, 3);           /* mp, c1, c2 */
	CHECK_INT_EQ(r->immutable_blobs, imm_supported ? 3 : 0);
	CHECK_INT_EQ(r->locked_unflagged, imm_supported ? 1 : 4);
	CHECK_INT_EQ(r->orphan_blobs, 1);
	if (imm_supported) {
		CHECK_INT_EQ(r->orphans_immutable, 1);
		CHECK_INT_EQ(r->orphans_removed, 0);
		CHECK(access(orphan, F_OK) == 0);
		CHECK(!ol_fsck_report_clean(r));
		CHECK(r->n_problems == 1 &&
		      strstr(r->problems[0], "orphan blob 0000eeee000000000000000000000000 kept: "
		                             "immutable flag set") != NULL);
	} else {
		CHECK_INT_EQ(r->orphans_removed, 1);
	}

	/* reopened: still locked, still flagged */
	atomic_fetch_add(&f_mono, HOUR); /* time passes; the clock resumes on the same boot */
	atomic_fetch_add(&f_wall, HOUR);
	st = olt_open(dir, INLINE_MAX);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "mp", 2, v.version_id, NULL, &e), OL_ELOCKED);
	CHECK_INT_EQ(ol_version_remove(st, "lk", "c2", 2, c2.version_id, NULL, &e), OL_ELOCKED);
	CHECK_FLAG(v.loc.parts[1].blob_id, true);
	CHECK_INT_EQ(ol_version_get(st, "lk", "mp", 2, v.version_id, &g, &e), OL_OK);
	{
		int rc;
		uint8_t *got = olt_read(st, &g, 0, g.size_bytes, 4096, &rc);

		CHECK_INT_EQ(rc, OL_OK);
		CHECK(memcmp(got, body, sizeof(body)) == 0);
		free(got);
	}
	ol_version_release(&g);
	/* GOVERNANCE with bypass: goes, flag lifted */
	CHECK_INT_EQ(ol_version_remove_checked(st, "lk", "c2", 2, c2.version_id,
	                                       &(struct ol_caller){ true, true }, OL_NOW, NULL, NULL,
	                                       &e), OL_OK);
	CHECK(!exists_blob(c2.loc.blob_id));
	ol_store_close(st);
	free(r);
	ol_version_release(&v);
	ol_version_release(&c1);
	ol_version_release(&c2);
	ol_version_release(&src);
}

/* ---- concurrency: check and mutation are one step ---- */

struct race {
	struct ol_store *st;
	char key[16];
	char vid[OL_VERSION_ID_LEN + 1];
	atomic_bool gone;
	/* toggler's result */
	int first_miss_on;     /* 1: the first call to find nothing was an ON, 0: an OFF */
	/* removers' results */
	atomic_int wins;
	atomic_bool won_with_hold;
	atomic_int bad_rc;
};

static void *
toggler(void *arg)
{
	struct race *r = arg;
	struct ol_err e = { 0 };
	bool on = true;
	int i, rc;

	r->first_miss_on = -1;
	for (i = 0; i < 100000; i++) {
		rc = ol_version_set_legal_hold(r->st, "lk", r->key, strlen(r->key), r->vid, on, NULL,
		                               NULL, &e);
		if (rc == OL_ENOTFOUND) {
			r->first_miss_on = on ? 1 : 0;
			break;
		}
		if (rc != OL_OK)
			atomic_store(&r->bad_rc, rc);
		on = !on;
	}
	return NULL;
}

static void *
remover(void *arg)
{
	struct race *r = arg;
	struct ol_version got;
	struct ol_err e = { 0 };
	int rc;

	while (!atomic_load(&r->gone)) {
		rc = ol_version_remove(r->st, "lk", r->key, strlen(r->key), r->vid, &got, &e);
		if (rc == OL_OK) {
			atomic_fetch_add(&r->wins, 1);
			if (got.legal_hold)
				atomic_store(&r->won_with_hold, true);
			ol_version_release(&got);
			atomic_store(&r->gone, true);
		} else if (rc == OL_ENOTFOUND) {
			atomic_store(&r->gone, true);
		} else if (rc != OL_ELOCKED) {
			atomic_store(&r->bad_rc, rc);
			atomic_store(&r->gone, true);
		} else {
			sched_yield(); /* let the toggler on (one core boxes, ASan) */
		}
	}
	return NULL;
}

/* A removal never succeeds while a hold was on at the moment of the check. The toggler
 * alternates ON / OFF; if a removal could slip between its check and its write, it would
 * sometimes remove a version whose hold had just been set, and the toggler's next call
 * (an OFF) would be the first to find nothing. With the check inside the key's lock the
 * version can only vanish while the hold is off: the first miss is always an ON. */
static void
test_race_hold(void)
{
	struct ol_store *st = setup();
	struct timespec t0, t1;
	int iters = 200, i, off_misses = 0;

	ol_test_nosync(st);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < iters; i++) {
		struct race r;
		struct ol_version v;
		pthread_t th[3];
		int k;

		memset(&r, 0, sizeof(r));
		r.st = st;
		snprintf(r.key, sizeof(r.key), "r%d", i);
		/* every other one in a blob file, so the flag is set and lifted under the race */
		put_locked(st, "lk", r.key, i % 2 ? 1500 : 100, OL_LOCK_NONE, 0, true, &v);
		memcpy(r.vid, v.version_id, sizeof(r.vid));
		pthread_create(&th[0], NULL, toggler, &r);
		pthread_create(&th[1], NULL, remover, &r);
		pthread_create(&th[2], NULL, remover, &r);
		for (k = 0; k < 3; k++)
			pthread_join(th[k], NULL);
		CHECK_INT_EQ(atomic_load(&r.bad_rc), 0);
		CHECK_INT_EQ(atomic_load(&r.wins), 1);
		CHECK(!atomic_load(&r.won_with_hold));
		CHECK_INT_EQ(r.first_miss_on, 1);
		off_misses += r.first_miss_on == 0;
		if (v.loc.kind == OL_LOC_BLOB)
			CHECK(!exists_blob(v.loc.blob_id));
		ol_version_release(&v);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "objectlock-lock: %d hold races, %d removals after a hold was set, %.2f s\n",
	        iters, off_misses,
	        (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	CHECK_INT_EQ(olt_count_files(dir, "blobs"), 0);
	ol_store_close(st);
}

struct race2 {
	struct ol_store *st;
	char key[16];
	char vid[OL_VERSION_ID_LEN + 1];
	int set_rc;
	atomic_int removed;
};

static void *
retainer(void *arg)
{
	struct race2 *r = arg;
	struct ol_err e = { 0 };

	r->set_rc = ol_version_set_retention(r->st, "lk", r->key, strlen(r->key), r->vid,
	                                     OL_LOCK_COMPLIANCE, W0 + YEAR, NULL, OL_NOW, NULL, NULL,
	                                     &e);
	return NULL;
}

static void *
remover2(void *arg)
{
	struct race2 *r = arg;
	struct ol_err e = { 0 };

	if (ol_version_remove(r->st, "lk", r->key, strlen(r->key), r->vid, NULL, &e) == OL_OK)
		atomic_fetch_add(&r->removed, 1);
	return NULL;
}

/* A retention set concurrently with a removal: either the retention won (and the version
 * is there for good) or the removal did (and the retention found nothing). */
static void
test_race_retention(void)
{
	struct ol_store *st = setup();
	struct ol_err e = { 0 };
	int iters = 300, i, kept = 0;

	ol_test_nosync(st);
	for (i = 0; i < iters; i++) {
		struct race2 r;
		struct ol_version v, g;
		pthread_t th[2];

		memset(&r, 0, sizeof(r));
		r.st = st;
		snprintf(r.key, sizeof(r.key), "t%d", i);
		put_locked(st, "lk", r.key, 100, OL_LOCK_NONE, 0, false, &v);
		memcpy(r.vid, v.version_id, sizeof(r.vid));
		if (i % 2) {
			pthread_create(&th[0], NULL, retainer, &r);
			pthread_create(&th[1], NULL, remover2, &r);
		} else {
			pthread_create(&th[1], NULL, remover2, &r);
			pthread_create(&th[0], NULL, retainer, &r);
		}
		pthread_join(th[0], NULL);
		pthread_join(th[1], NULL);
		if (r.set_rc == OL_OK) {
			kept++;
			CHECK_INT_EQ(atomic_load(&r.removed), 0);
			CHECK_INT_EQ(ol_version_get(st, "lk", r.key, strlen(r.key), r.vid, &g, &e), OL_OK);
			CHECK_INT_EQ(g.lock_mode, OL_LOCK_COMPLIANCE);
			ol_version_release(&g);
		} else {
			CHECK_INT_EQ(r.set_rc, OL_ENOTFOUND);
			CHECK_INT_EQ(atomic_load(&r.removed), 1);
		}
		ol_version_release(&v);
	}
	fprintf(stderr, "objectlock-lock: %d retention races, %d won by the retention\n", iters,
	        kept);
	ol_store_close(st);
}

/* Entries in @path, "." and ".." left out; -1 if it cannot be read. */
static int
dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
test_read_only(void)
{
	struct ol_store_opts o = { 0 };
	struct ol_store *st = setup(), *ro = NULL;
	struct ol_version v;
	struct ol_err e = { 0 };
	struct ol_store_status ss, rw;
	char tmp[600];
	int before;

	put_locked(st, "lk", "k", 100, OL_LOCK_NONE, 0, false, &v);
	ol_store_status(st, &rw);
	ol_store_close(st);
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	before = dir_entries(tmp);
	o.data_dir = dir;
	o.read_only = true;
	CHECK_INT_EQ(ol_store_open(&o, &ro, &e), OL_OK);
	CHECK_INT_EQ(ol_version_set_legal_hold(ro, "lk", "k", 1, NULL, true, NULL, NULL, &e),
	             OL_EINVAL);
	CHECK_STR_EQ(e.msg, "legal hold: store is read-only");
	CHECK_INT_EQ(ol_version_set_retention(ro, "lk", "k", 1, NULL, OL_LOCK_GOVERNANCE, W0 + DAY,
	                                      NULL, OL_NOW, NULL, NULL, &e), OL_EINVAL);
	CHECK_INT_EQ(ol_version_remove(ro, "lk", "k", 1, v.version_id, NULL, &e), OL_EINVAL);
	/* an offline status still knows whether the flag works here (an unnamed O_TMPFILE
	 * probe), the same answer as the read-write open, and leaves nothing in tmp/ */
	ol_store_status(ro, &ss);
	CHECK_INT_EQ(ss.immutable, rw.immutable);
	if (rw.immutable == OL_IMMUTABLE_SUPPORTED)
		CHECK_STR_EQ(ss.immutable_reason, "");
	ol_store_close(ro);
	CHECK(before >= 0);
	CHECK_INT_EQ(dir_entries(tmp), before);
	ol_version_release(&v);
}

/* The bucket's default rule is stamped on every version committed without an explicit
 * retention, counted on the compliance clock; explicit retention wins; a hold-only version
 * still gets it; a delete marker gets nothing; enabling needs versioning Enabled. */
static void
test_default_rule(void)
{
	struct ol_store *st = setup();
	struct ol_lock_rule r = { OL_LOCK_GOVERNANCE, 3, 0 };
	struct ol_bucket b;
	struct ol_version v, dm;
	struct ol_err e = { 0 };
	int64_t now;

	/* no rule yet: no retention */
	put_locked(st, "lk", "a", 10, OL_LOCK_NONE, 0, false, &v);
	CHECK_INT_EQ(v.lock_mode, OL_LOCK_NONE);
	ol_version_release(&v);

	CHECK_INT_EQ(ol_bucket_set_object_lock(st, "lk", &r, &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_get(st, "lk", &b, &e), OL_OK);
	CHECK(b.lock_enabled && b.default_rule.mode == OL_LOCK_GOVERNANCE &&
	      b.default_rule.days == 3);
	/* the wall clock set back a year: the default still counts from the compliance clock */
	time_passes(HOUR);
	now = ol_clock_now(st);
	atomic_fetch_sub(&f_wall, YEAR);
	put_locked(st, "lk", "a", 10, OL_LOCK_NONE, 0, false, &v);
	CHECK_INT_EQ(v.lock_mode, OL_LOCK_GOVERNANCE);
	CHECK(v.retain_until_ns >= now + 3 * DAY && v.retain_until_ns < now + 3 * DAY + MIN);
	ol_version_release(&v);
	atomic_fetch_add(&f_wall, YEAR);
	/* explicit retention wins; legal hold alone still gets the default */
	put_locked(st, "lk", "b", 10, OL_LOCK_COMPLIANCE, W0 + 9 * DAY, false, &v);
	CHECK_INT_EQ(v.lock_mode, OL_LOCK_COMPLIANCE);
	CHECK(v.retain_until_ns == W0 + 9 * DAY);
	ol_version_release(&v);
	put_locked(st, "lk", "c", 10, OL_LOCK_NONE, 0, true, &v);
	CHECK(v.lock_mode == OL_LOCK_GOVERNANCE && v.legal_hold && v.retain_until_ns > W0);
	ol_version_release(&v);
	/* a delete marker carries nothing */
	ol_version_init(&dm);
	CHECK_INT_EQ(ol_delete_marker_put(st, "lk", "c", 1, &dm, &e), OL_OK);
	CHECK(dm.lock_mode == OL_LOCK_NONE && !dm.legal_hold && dm.retain_until_ns == 0);
	ol_version_release(&dm);
	/* rule removed: new versions get none */
	CHECK_INT_EQ(ol_bucket_set_object_lock(st, "lk", NULL, &e), OL_OK);
	put_locked(st, "lk", "d", 10, OL_LOCK_NONE, 0, false, &v);
	CHECK_INT_EQ(v.lock_mode, OL_LOCK_NONE);
	ol_version_release(&v);

	/* enabling: refused while unversioned or suspended, allowed once Enabled */
	olt_bucket(st, "unv", OL_VERSIONING_UNVERSIONED);
	CHECK_INT_EQ(ol_bucket_set_object_lock(st, "unv", NULL, &e), OL_EINVAL);
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "unv", OL_VERSIONING_SUSPENDED, &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_set_object_lock(st, "unv", NULL, &e), OL_EINVAL);
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "unv", OL_VERSIONING_ENABLED, &e), OL_OK);
	r = (struct ol_lock_rule){ OL_LOCK_COMPLIANCE, 0, 1 };
	CHECK_INT_EQ(ol_bucket_set_object_lock(st, "unv", &r, &e), OL_OK);
	CHECK_INT_EQ(ol_bucket_get(st, "unv", &b, &e), OL_OK);
	CHECK(b.lock_enabled && b.default_rule.years == 1);
	CHECK_INT_EQ(ol_bucket_set_versioning(st, "unv", OL_VERSIONING_SUSPENDED, &e), OL_EINVAL);
	r = (struct ol_lock_rule){ OL_LOCK_COMPLIANCE, 0, 0 };
	CHECK_INT_EQ(ol_bucket_set_object_lock(st, "unv", &r, &e), OL_EINVAL);
	CHECK_INT_EQ(ol_bucket_set_object_lock(st, "nope", NULL, &e), OL_ENOTFOUND);
	ol_store_close(st);
}

int
main(void)
{
#define T(f) { f, #f }
	static const struct {
		void (*fn)(void);
		const char *name;
	} t[] = { T(test_remove), T(test_changes), T(test_null_replace), T(test_immutable),
	          T(test_race_hold), T(test_race_retention), T(test_read_only),
	          T(test_default_rule) };
#undef T
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		t[i].fn();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(stderr, "%s: %s %.2f s\n", "objectlock-lock", t[i].name,
		        (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	ol_test_clock_source(NULL);
	olt_rmrf(dir);
	return check_done("objectlock-lock");
}
