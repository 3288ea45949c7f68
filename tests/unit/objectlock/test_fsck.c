/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ol_fsck: a clean store is clean; planted damage (a record with a flipped byte, a garbage
 * record, a missing blob, a blob of the wrong size) and leftovers (an orphan blob, a temp
 * file, a stray file) are each reported; repair removes orphans and nothing else.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "io_test.h"
#include "olt.h"
#include "record.h"

static char dir[64];

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static bool
has_problem(const struct ol_fsck_report *r, const char *needle)
{
	uint32_t i;

	for (i = 0; i < r->n_problems; i++)
		if (strstr(r->problems[i], needle))
			return true;
	fprintf(stderr, "no problem line with '%s'\n", needle);
	return false;
}

static void
blob_path(const struct ol_version *v, char out[256])
{
	static const char hex[] = "0123456789abcdef";
	char h[33];
	int i;

	for (i = 0; i < 16; i++) {
		h[2 * i] = hex[v->loc.blob_id[i] >> 4];
		h[2 * i + 1] = hex[v->loc.blob_id[i] & 15];
	}
	h[32] = '\0';
	snprintf(out, 256, "%s/blobs/%.2s/%.2s/%s", dir, h, h + 2, h);
}

static int
ignore_entry(void *ctx, const struct ol_list_entry *e)
{
	(void)ctx;
	(void)e;
	return 0;
}

static int lines_seen;

static void
count_line(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
	lines_seen++;
}

static void
test_clean(void)
{
	struct ol_fsck_report *r = calloc(1, sizeof(*r));
	struct ol_store *st = olt_open(dir, 100);
	struct ol_version v;
	struct ol_err e = { 0 };
	static char big[500];

	memset(big, 'x', sizeof(big) - 1);
	olt_bucket(st, "c", OL_VERSIONING_ENABLED);
	CHECK_INT_EQ(olt_put_str(st, "c", "small", "s", &v), OL_OK);
	ol_version_release(&v);
	CHECK_INT_EQ(olt_put_str(st, "c", "large", big, &v), OL_OK);
	ol_version_release(&v);
	CHECK_INT_EQ(ol_delete_marker_put(st, "c", "small", 5, NULL, &e), OL_OK);
	/* read-only fsck next to an open (read-write) store works; repair is locked out */
	CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_OK);
	CHECK_INT_EQ(r->versions, 3);
	CHECK_INT_EQ(ol_fsck(dir, true, r, &e), OL_EIO);
	ol_store_close(st);

	CHECK_INT_EQ(ol_fsck(dir, false, r, &e), OL_OK);
	CHECK(ol_fsck_report_clean(r));
	CHECK_INT_EQ(r->buckets, 1);
	CHECK_INT_EQ(r->versions, 3);
	CHECK_INT_EQ(r->blobs_referenced, 1);
	CHECK_INT_EQ(r->blob_files, 1);
	CHECK_INT_EQ(r->n_problems, 0);
	CHECK_INT_EQ(ol_fsck(dir, true, r, &e), OL_OK);
	CHECK(ol_fsck_report_clean(r));
	CHECK_INT_EQ(ol_fsck("/tmp/holdfast-ol-no-such-dir", false, r, &e), OL_ENOTFOUND);
	CHECK_STR_EQ(e.msg, "no store in '/tmp/holdfast-ol-no-such-dir'");
	free(r);
}

/* A record with one flipped byte (its blob can still be learned), an orphan blob, a temp
 * file, a missing blob, a short blob, a stray file. */
static void
test_damage(void)
{
	struct ol_fsck_report *r = calloc(1, sizeof(*r));
	struct ol_fsck_opts fo = { 0 };
	struct ol_store *st = olt_open(dir, 100);
	struct ol_version a, b, c, d, g;
	struct ol_err e = { 0 };
	static char big[500];
	char pb[256], pc[256], pd[256], orphan[256], tmpf[256], stray[256];
	uint8_t *rec = NULL;
	size_t rlen = 0;
	char *text = NULL;
	size_t tlen = 0;
	FILE *mf;

	memset(big, 'y', sizeof(big) - 1);
	olt_bucket(st, "fb", OL_VERSIONING_ENABLED);
	CHECK_INT_EQ(olt_put_str(st, "fb", "a", "inline", &a), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "fb", "b", big, &b), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "fb", "c", big, &c), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "fb", "d\x01key", big, &d), OL_OK);
	blob_path(&b, pb);
	blob_path(&c, pc);
	blob_path(&d, pd);

	/* flip one byte of b's record (inside its etag): checksum fails, structure holds */
	CHECK_INT_EQ(ol_version_get(st, "fb", "b", 1, NULL, &g, &e), OL_OK);
	CHECK_INT_EQ(ol_version_encode(&g, &rec, &rlen, &e), OL_OK);
	{
		uint8_t *p = memmem(rec, rlen, "etag", 4);

		CHECK(p != NULL);
		if (p)
			p[0] = 'E';
	}
	CHECK_INT_EQ(ol_test_version_raw_put(st, "fb", "b", 1, g.version_id, rec, rlen, &e),
	             OL_OK);
	CHECK_INT_EQ(ol_version_get(st, "fb", "b", 1, g.version_id, &a, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "version record: checksum mismatch");
	ol_version_release(&g);
	free(rec);
	ol_store_close(st);

	CHECK_INT_EQ(unlink(pc), 0);
	CHECK_INT_EQ(truncate(pd, 10), 0);
	snprintf(orphan, sizeof(orphan), "%s/blobs/ab/cd", dir);
	mkdir(orphan, 0750);
	snprintf(orphan, sizeof(orphan), "%s/blobs/ab/cd/abcd0000000000000000000000000000", dir);
	write_file(orphan, "orphan");
	snprintf(tmpf, sizeof(tmpf), "%s/tmp/0123456789abcdef0123456789abcdef", dir);
	write_file(tmpf, "half a body");
	snprintf(stray, sizeof(stray), "%s/blobs/README", dir);
	write_file(stray, "not ours");

	fo.data_dir = dir;
	fo.line_cb = count_line;
	CHECK_INT_EQ(ol_fsck_run(&fo, r, &e), OL_ECORRUPT);
	CHECK_STR_EQ(e.msg, "store damaged: 1 bad records, 1 missing blobs, 1 blobs of wrong "
	                    "size, 0 dangling entries");
	CHECK_INT_EQ(r->buckets, 1);
	CHECK_INT_EQ(r->versions, 4);
	CHECK_INT_EQ(r->bad_records, 1);
	CHECK_INT_EQ(r->missing_blobs, 1);
	CHECK_INT_EQ(r->bad_blob_sizes, 1);
	CHECK_INT_EQ(r->dangling, 0);
	CHECK_INT_EQ(r->orphan_blobs, 2);
	CHECK_INT_EQ(r->orphans_removed, 0);
	CHECK_INT_EQ(r->unexpected_files, 1);
	CHECK_INT_EQ(lines_seen, (int)r->n_problems);
	CHECK(has_problem(r, "bad record: bucket 'fb' key 'b' version "));
	CHECK(has_problem(r, "checksum mismatch"));
	CHECK(has_problem(r, "missing blob "));
	CHECK(has_problem(r, "key 'c'"));
	CHECK(has_problem(r, "key 'd\\x01key'"));
	CHECK(has_problem(r, "has 10 bytes, record says 499"));
	CHECK(has_problem(r, "orphan blob abcd0000000000000000000000000000"));
	CHECK(has_problem(r, "orphan temp file tmp/0123456789abcdef0123456789abcdef"));
	CHECK(has_problem(r, "unexpected file blobs/README"));
	CHECK(!ol_fsck_report_clean(r));
	CHECK(exists(orphan) && exists(tmpf) && exists(pb)); /* read-only: nothing touched */

	mf = open_memstream(&text, &tlen);
	ol_fsck_report_print(mf, r);
	fclose(mf);
	CHECK(strstr(text, "damage: 1 bad records, 1 missing blobs, 1 blobs of wrong size") != NULL);
	CHECK(strstr(text, "result: damaged") != NULL);
	free(text);
	mf = open_memstream(&text, &tlen);
	ol_fsck_report_print_json(mf, r);
	fclose(mf);
	CHECK(strstr(text, "\"bad_records\":1,") != NULL);
	CHECK(strstr(text, "\"damaged\":true") != NULL);
	CHECK(strstr(text, "key 'd\\\\x01key'") != NULL); /* JSON-escaped backslash */
	free(text);

	/* repair: the orphans go; the damaged record's blob, the short blob, the stray stay */
	fo.repair = true;
	CHECK_INT_EQ(ol_fsck_run(&fo, r, &e), OL_ECORRUPT);
	CHECK_INT_EQ(r->orphan_blobs, 2);
	CHECK_INT_EQ(r->orphans_removed, 2);
	CHECK(!exists(orphan));
	CHECK(!exists(tmpf));
	CHECK(exists(pb));
	CHECK(exists(pd));
	CHECK(exists(stray));
	CHECK(has_problem(r, "orphan blob abcd0000000000000000000000000000 removed"));

	fo.repair = false;
	CHECK_INT_EQ(ol_fsck_run(&fo, r, &e), OL_ECORRUPT);
	CHECK_INT_EQ(r->orphan_blobs, 0);
	CHECK_INT_EQ(r->bad_records, 1);

	/* the intact versions still read fine */
	st = olt_open(dir, 100);
	CHECK_INT_EQ(ol_version_get(st, "fb", "a", 1, NULL, &g, &e), OL_OK);
	ol_version_release(&g);
	ol_store_close(st);
	ol_version_release(&a);
	ol_version_release(&b);
	ol_version_release(&c);
	ol_version_release(&d);
	free(r);
}

/* Garbage where a record was: its blob (if it had one) cannot be learned, so repair keeps
 * orphan blobs (they may be that record's bytes) but still removes temp files. */
static void
test_garbage(void)
{
	struct ol_fsck_report *r = calloc(1, sizeof(*r));
	struct ol_store *st = olt_open(dir, 100);
	struct ol_version x, y;
	struct ol_err e = { 0 };
	static char big[500];
	char py[256], orphan[256], tmpf[256];

	memset(big, 'z', sizeof(big) - 1);
	olt_bucket(st, "gb", OL_VERSIONING_UNVERSIONED);
	CHECK_INT_EQ(olt_put_str(st, "gb", "x", "small", &x), OL_OK);
	CHECK_INT_EQ(olt_put_str(st, "gb", "y", big, &y), OL_OK);
	blob_path(&y, py);
	CHECK_INT_EQ(ol_test_version_raw_put(st, "gb", "x", 1, "null", "garbage!", 8, &e), OL_OK);
	ol_store_close(st);
	snprintf(orphan, sizeof(orphan), "%s/blobs/00/00/0000ffff000000000000000000000000", dir);
	mkdir(strcat(strcpy(tmpf, dir), "/blobs/00/00"), 0750);
	write_file(orphan, "orphan");
	snprintf(tmpf, sizeof(tmpf), "%s/tmp/leftover", dir);
	write_file(tmpf, "x");

	CHECK_INT_EQ(ol_fsck(dir, true, r, &e), OL_ECORRUPT);
	CHECK_INT_EQ(r->bad_records, 1);
	CHECK(has_problem(r, "bad record: bucket 'gb' key 'x' version "));
	CHECK_INT_EQ(r->orphan_blobs, 2);
	CHECK_INT_EQ(r->orphans_removed, 1);
	CHECK(has_problem(r, "orphan blob 0000ffff000000000000000000000000 kept: 1 damaged "
	                     "record(s) may refer to it"));
	CHECK(exists(orphan));
	CHECK(!exists(tmpf));
	CHECK(exists(py));
	/* the garbage is refused by every reader */
	st = olt_open(dir, 100);
	CHECK_INT_EQ(ol_version_get(st, "gb", "x", 1, NULL, &x, &e), OL_ECORRUPT);
	CHECK_INT_EQ(ol_version_remove(st, "gb", "x", 1, "null", NULL, &e), OL_ECORRUPT);
	{
		struct ol_list_opts o = { 0 };
		struct ol_list_result lr;

		o.bucket = "gb";
		o.max_keys = 10;
		CHECK_INT_EQ(ol_list(st, &o, ignore_entry, NULL, &lr, &e), OL_ECORRUPT);
		CHECK_STR_EQ(e.msg, "list: record of key 'x' is damaged");
	}
	ol_store_close(st);
	ol_version_release(&x);
	ol_version_release(&y);
	free(r);
}

int
main(void)
{
	void (*tests[])(void) = { test_clean, test_damage, test_garbage };
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		olt_tmpdir(dir);
		tests[i]();
		olt_rmrf(dir);
	}
	return check_done("objectlock-fsck");
}
