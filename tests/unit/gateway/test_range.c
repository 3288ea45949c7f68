/* SPDX-License-Identifier: Apache-2.0 */
/* Range (spec/S3.md §5.2 table, verified against AWS by VGW GetObject_with_range),
 * Content-Range formatting, x-amz-copy-source-range (§7.3). */
#include <string.h>

#include "check.h"
#include "s3/range.h"

struct rcase {
	const char *hdr;
	uint64_t size;
	enum s3_range_rc rc;
	uint64_t start, length; /* for PARTIAL */
	const char *content_range; /* for PARTIAL and UNSATISFIABLE */
};

#define U64MAX UINT64_MAX

static const struct rcase cases[] = {
	/* §5.2 table, object of 100 bytes */
	{ "bytes=0-0", 100, S3_RANGE_PARTIAL, 0, 1, "bytes 0-0/100" },
	{ "bytes=00-01", 100, S3_RANGE_PARTIAL, 0, 2, "bytes 0-1/100" },
	{ "bytes=50-", 100, S3_RANGE_PARTIAL, 50, 50, "bytes 50-99/100" },
	{ "bytes=0-999999", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	{ "bytes=-10", 100, S3_RANGE_PARTIAL, 90, 10, "bytes 90-99/100" },
	{ "bytes=-101", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	{ "bytes=100-100", 100, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */100" },
	{ "bytes=100-110", 100, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */100" },
	{ "bytes=-0", 100, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */100" },
	{ "bytes=10-5", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=abc", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "foo=0-1", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=0-0,1-2", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes= -1", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=,", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	/* more edges */
	{ "bytes=99-", 100, S3_RANGE_PARTIAL, 99, 1, "bytes 99-99/100" },
	{ "bytes=99-99", 100, S3_RANGE_PARTIAL, 99, 1, "bytes 99-99/100" },
	{ "bytes=0-99", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	{ "bytes=0-100", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	{ "bytes=5-5", 100, S3_RANGE_PARTIAL, 5, 1, "bytes 5-5/100" },
	{ "bytes=-100", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	{ "bytes=-1", 100, S3_RANGE_PARTIAL, 99, 1, "bytes 99-99/100" },
	{ "bytes=-00010", 100, S3_RANGE_PARTIAL, 90, 10, "bytes 90-99/100" },
	{ "Bytes=0-0", 100, S3_RANGE_PARTIAL, 0, 1, "bytes 0-0/100" },
	{ "BYTES=1-2", 100, S3_RANGE_PARTIAL, 1, 2, "bytes 1-2/100" },
	{ "bytes=100-", 100, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */100" },
	{ "bytes=200-300", 100, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */100" },
	{ "bytes=-000", 100, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */100" },
	{ "bytes=", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=-", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=--1", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=1", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=1-2-3", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=0-1 ", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes =0-1", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=0 -1", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=+1-2", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=0x1-2", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=-1,-2", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=50-,60-", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=200-300,0-1", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "items=0-1", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	/* 0-byte objects: every valid range is unsatisfiable [S3T test_ranged_request_empty_object] */
	{ "bytes=0-1", 0, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */0" },
	{ "bytes=0-0", 0, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */0" },
	{ "bytes=40-50", 0, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */0" },
	{ "bytes=0-", 0, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */0" },
	{ "bytes=-5", 0, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */0" },
	{ "bytes=-0", 0, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */0" },
	{ "bytes=abc", 0, S3_RANGE_WHOLE, 0, 0, NULL },
	/* 1-byte object */
	{ "bytes=0-0", 1, S3_RANGE_PARTIAL, 0, 1, "bytes 0-0/1" },
	{ "bytes=-5", 1, S3_RANGE_PARTIAL, 0, 1, "bytes 0-0/1" },
	{ "bytes=1-", 1, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */1" },
	/* numbers at and past 2^64: overflow checked digit by digit */
	{ "bytes=0-18446744073709551615", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	{ "bytes=0-18446744073709551616", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	{ "bytes=0-99999999999999999999999999999", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	{ "bytes=18446744073709551616-", 100, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */100" },
	{ "bytes=18446744073709551616-18446744073709551617", 100, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */100" },
	{ "bytes=18446744073709551617-18446744073709551616", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=99999999999999999999-5", 100, S3_RANGE_WHOLE, 0, 0, NULL },
	{ "bytes=00000000000000000000000000001-2", 100, S3_RANGE_PARTIAL, 1, 2, "bytes 1-2/100" },
	{ "bytes=-18446744073709551616", 100, S3_RANGE_PARTIAL, 0, 100, "bytes 0-99/100" },
	/* huge objects */
	{ "bytes=0-", U64MAX, S3_RANGE_PARTIAL, 0, U64MAX, "bytes 0-18446744073709551614/18446744073709551615" },
	{ "bytes=-1", U64MAX, S3_RANGE_PARTIAL, U64MAX - 1, 1, "bytes 18446744073709551614-18446744073709551614/18446744073709551615" },
	{ "bytes=18446744073709551614-18446744073709551615", U64MAX, S3_RANGE_PARTIAL, U64MAX - 1, 1, "bytes 18446744073709551614-18446744073709551614/18446744073709551615" },
	{ "bytes=18446744073709551615-", U64MAX, S3_RANGE_UNSATISFIABLE, 0, 0, "bytes */18446744073709551615" },
	{ "bytes=5368709120-5368709129", 53687091200ULL, S3_RANGE_PARTIAL, 5368709120ULL, 10, "bytes 5368709120-5368709129/53687091200" },
};

static void
run_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		struct s3_range r = { 12345, 54321 };
		char cr[S3_CONTENT_RANGE_MAX];
		enum s3_range_rc rc = s3_range_parse(c->hdr, strlen(c->hdr), c->size, &r);

		if (rc != c->rc) {
			fprintf(stderr, "case %zu '%s' size %llu: rc %d, want %d\n", i, c->hdr,
			        (unsigned long long)c->size, rc, c->rc);
			check_failures++;
			continue;
		}
		if (rc == S3_RANGE_PARTIAL) {
			CHECK_INT_EQ(r.start, c->start);
			if (r.length != c->length) {
				fprintf(stderr, "case %zu '%s': length %llu want %llu\n", i, c->hdr,
				        (unsigned long long)r.length, (unsigned long long)c->length);
				check_failures++;
			}
			CHECK(r.length >= 1 && r.start < c->size && r.length <= c->size - r.start);
			CHECK(s3_content_range(cr, sizeof(cr), &r, c->size) == (int)strlen(c->content_range));
			CHECK_STR_EQ(cr, c->content_range);
		} else {
			/* out untouched */
			CHECK(r.start == 12345 && r.length == 54321);
			if (rc == S3_RANGE_UNSATISFIABLE) {
				CHECK(s3_content_range(cr, sizeof(cr), NULL, c->size) > 0);
				CHECK_STR_EQ(cr, c->content_range);
			}
		}
	}
}

static void
test_ptr_len(void)
{
	struct s3_range r;

	/* (ptr, len): bytes past n are not read */
	CHECK_INT_EQ(s3_range_parse("bytes=0-1,2-3", 9, 100, &r), S3_RANGE_PARTIAL);
	CHECK(r.start == 0 && r.length == 2);
	CHECK_INT_EQ(s3_range_parse("bytes=5-", 8, 100, &r), S3_RANGE_PARTIAL);
	CHECK_INT_EQ(s3_range_parse("bytes=0-1", 5, 100, &r), S3_RANGE_WHOLE);
	CHECK_INT_EQ(s3_range_parse(NULL, 0, 100, &r), S3_RANGE_WHOLE);
	CHECK_INT_EQ(s3_range_parse("bytes=0\0-1", 10, 100, &r), S3_RANGE_WHOLE);
}

static void
test_content_range(void)
{
	char cr[S3_CONTENT_RANGE_MAX];
	struct s3_range r = { 0, 1 }, bad = { 99, 2 }, zero = { 0, 0 };

	CHECK_INT_EQ(s3_content_range(cr, sizeof(cr), &r, 1), 11);
	CHECK_STR_EQ(cr, "bytes 0-0/1");
	/* exact fit and one short */
	CHECK_INT_EQ(s3_content_range(cr, 12, &r, 1), 11);
	CHECK_INT_EQ(s3_content_range(cr, 11, &r, 1), -1);
	CHECK_INT_EQ(s3_content_range(NULL, 0, &r, 1), -1);
	/* spans that are not inside the object */
	CHECK_INT_EQ(s3_content_range(cr, sizeof(cr), &bad, 100), -1);
	CHECK_INT_EQ(s3_content_range(cr, sizeof(cr), &zero, 100), -1);
	CHECK_INT_EQ(s3_content_range(cr, sizeof(cr), &r, 0), -1);
	CHECK_INT_EQ(s3_content_range(cr, sizeof(cr), NULL, 0), 9);
	CHECK_STR_EQ(cr, "bytes */0");
	/* the longest value fits S3_CONTENT_RANGE_MAX */
	r.start = UINT64_MAX - 2;
	r.length = 1;
	CHECK_INT_EQ(s3_content_range(cr, sizeof(cr), &r, UINT64_MAX), S3_CONTENT_RANGE_MAX - 1);
}

static void
test_copy_range(void)
{
	struct s3_range r = { 7, 7 };

	CHECK_INT_EQ(s3_copy_range_parse("bytes=0-9", 9, 100, &r), S3_COPY_RANGE_OK);
	CHECK(r.start == 0 && r.length == 10);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=99-99", 11, 100, &r), S3_COPY_RANGE_OK);
	CHECK(r.start == 99 && r.length == 1);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=0-100", 11, 100, &r), S3_COPY_RANGE_OUTSIDE);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=100-100", 13, 100, &r), S3_COPY_RANGE_OUTSIDE);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=0-99999999999999999999999", 31, 100, &r),
	             S3_COPY_RANGE_OUTSIDE);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=0-0", 9, 0, &r), S3_COPY_RANGE_OUTSIDE);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=5-4", 9, 100, &r), S3_COPY_RANGE_MALFORMED);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=5-", 8, 100, &r), S3_COPY_RANGE_MALFORMED);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=-5", 8, 100, &r), S3_COPY_RANGE_MALFORMED);
	CHECK_INT_EQ(s3_copy_range_parse("Bytes=0-1", 9, 100, &r), S3_COPY_RANGE_MALFORMED);
	CHECK_INT_EQ(s3_copy_range_parse("bytes=0-1,2-3", 13, 100, &r), S3_COPY_RANGE_MALFORMED);
	CHECK_INT_EQ(s3_copy_range_parse("", 0, 100, &r), S3_COPY_RANGE_MALFORMED);
	CHECK_INT_EQ(s3_copy_range_parse(NULL, 0, 100, &r), S3_COPY_RANGE_MALFORMED);
	CHECK(r.start == 99 && r.length == 1); /* untouched by failures */
}

int
main(void)
{
	run_cases();
	test_ptr_len();
	test_content_range();
	test_copy_range();
	return check_done("test_range");
}
