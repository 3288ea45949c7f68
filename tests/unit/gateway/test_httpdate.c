/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP dates (RFC 9110 §5.6.7 examples), ISO-8601 ms, x-amz-date (SigV4 test-suite date),
 * RFC 3339 forms clients send for retain-until dates, civil-date arithmetic. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "s3/httpdate.h"

#define NS S3_NS_PER_SEC

struct dcase {
	const char *s;
	int rc;
	int64_t ns;
};

static const struct dcase http_cases[] = {
	/* the three RFC 9110 forms of the same instant */
	{ "Sun, 06 Nov 1994 08:49:37 GMT", S3_TIME_OK, 784111777 * NS },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", S3_TIME_OK, 784111777 * NS },
	{ "Sun Nov  6 08:49:37 1994", S3_TIME_OK, 784111777 * NS },
	{ "Sun Nov 06 08:49:37 1994", S3_TIME_OK, 784111777 * NS },
	{ "Mon, 01 Jan 2024 00:00:00 GMT", S3_TIME_OK, 1704067200 * NS },
	{ "Thu, 01 Jan 1970 00:00:00 GMT", S3_TIME_OK, 0 },
	{ "Thu, 29 Feb 2024 12:00:00 GMT", S3_TIME_OK, 1709208000 * NS },
	/* names case-insensitively; the weekday is not checked */
	{ "sun, 06 nov 1994 08:49:37 gmt", S3_TIME_OK, 784111777 * NS },
	{ "SUNDAY, 06-NOV-94 08:49:37 GMT", S3_TIME_OK, 784111777 * NS },
	{ "Mon, 06 Nov 1994 08:49:37 GMT", S3_TIME_OK, 784111777 * NS },
	/* leap second lands on the next minute */
	{ "Sat, 31 Dec 2016 23:59:60 GMT", S3_TIME_OK, 1483228800 * NS },
	/* RFC 850 two-digit years: fixed pivot at 70 */
	{ "Thursday, 01-Jan-70 00:00:00 GMT", S3_TIME_OK, 0 },
	{ "Tuesday, 01-Jan-69 00:00:00 GMT", S3_TIME_OK, 3124224000 * NS },
	/* outside int64 ns: saturated, still ordered */
	{ "Fri, 31 Dec 9999 23:59:59 GMT", S3_TIME_OK, INT64_MAX },
	{ "Mon, 01 Jan 0001 00:00:00 GMT", S3_TIME_OK, INT64_MIN },
	{ "Sat, 12 Apr 2262 00:00:00 GMT", S3_TIME_OK, INT64_MAX },
	{ "Fri, 11 Apr 2262 23:47:16 GMT", S3_TIME_OK, INT64_C(9223372036) * NS },
	/* invalid: the condition is to be ignored */
	{ "Sun, 06 Nov 1994 08:49:37 UTC", S3_TIME_EINVAL, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT ", S3_TIME_EINVAL, 0 },
	{ " Sun, 06 Nov 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 6 Nov 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun,  06 Nov 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 06 Nov 94 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 06 Nvm 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 31 Feb 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Wed, 29 Feb 2023 00:00:00 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 00 Nov 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 06 Nov 1994 24:00:00 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 06 Nov 1994 08:60:00 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 06 Nov 1994 08:49:61 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 06 Nov 1994 8:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun, 06 Nov 1994 08:49:37", S3_TIME_EINVAL, 0 },
	{ "Sunday, 06 Nov 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sunday, 06-Nov-1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Sun Nov 6 08:49:37 1994", S3_TIME_EINVAL, 0 },
	{ "Sun Nov  6 08:49:37 1994 GMT", S3_TIME_EINVAL, 0 },
	{ "Sund, 06 Nov 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "Xyz, 06 Nov 1994 08:49:37 GMT", S3_TIME_EINVAL, 0 },
	{ "2024-01-01T00:00:00Z", S3_TIME_EINVAL, 0 },
	{ "1704067200", S3_TIME_EINVAL, 0 },
	{ "", S3_TIME_EINVAL, 0 },
	{ "Sun", S3_TIME_EINVAL, 0 },
	{ "Sun,", S3_TIME_EINVAL, 0 },
};

static const struct dcase rfc3339_cases[] = {
	{ "2030-01-01T00:00:00Z", S3_TIME_OK, 1893456000 * NS },             /* boto3 */
	{ "2030-01-01T00:00:00.000Z", S3_TIME_OK, 1893456000 * NS },         /* Java SDKs */
	{ "2030-01-01T00:00:00.5Z", S3_TIME_OK, 1893456000 * NS + 500000000 },
	{ "2030-01-01T00:00:00.123456789Z", S3_TIME_OK, 1893456000 * NS + 123456789 }, /* Go */
	{ "2030-01-01T00:00:00.1234567891234Z", S3_TIME_OK, 1893456000 * NS + 123456789 },
	{ "2030-01-01T00:00:00.000001Z", S3_TIME_OK, 1893456000 * NS + 1000 },
	{ "2030-01-01T02:00:00+02:00", S3_TIME_OK, 1893456000 * NS },
	{ "2029-12-31T19:00:00-05:00", S3_TIME_OK, 1893456000 * NS },
	{ "2029-12-31T19:00:00.250-05:00", S3_TIME_OK, 1893456000 * NS + 250000000 },
	{ "2030-01-01T00:00:00+00:00", S3_TIME_OK, 1893456000 * NS },
	{ "2030-01-01T00:00:00-00:00", S3_TIME_OK, 1893456000 * NS },
	{ "2030-01-01T05:30:00+05:30", S3_TIME_OK, 1893456000 * NS },
	{ "2030-01-01t00:00:00z", S3_TIME_OK, 1893456000 * NS },
	{ "2016-12-31T23:59:60Z", S3_TIME_OK, 1483228800 * NS },
	{ "1970-01-01T00:00:00Z", S3_TIME_OK, 0 },
	{ "1969-12-31T23:59:59.999999999Z", S3_TIME_OK, -1 },
	{ "2262-04-11T23:47:16.854775807Z", S3_TIME_OK, INT64_MAX },
	{ "1677-09-21T00:12:43.145224192Z", S3_TIME_OK, INT64_MIN },
	{ "2262-04-11T23:47:16.854775808Z", S3_TIME_ERANGE, 0 },
	{ "1677-09-21T00:12:43.145224191Z", S3_TIME_ERANGE, 0 },
	{ "9999-12-31T23:59:59Z", S3_TIME_ERANGE, 0 },
	{ "0000-01-01T00:00:00Z", S3_TIME_ERANGE, 0 },
	{ "2030-01-01 00:00:00Z", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00+0200", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00+02", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00+24:00", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00+02:60", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00.Z", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00,5Z", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00Z", S3_TIME_EINVAL, 0 },
	{ "2030-01-01", S3_TIME_EINVAL, 0 },
	{ "2030-1-01T00:00:00Z", S3_TIME_EINVAL, 0 },
	{ "2030-02-30T00:00:00Z", S3_TIME_EINVAL, 0 },
	{ "2030-13-01T00:00:00Z", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T24:00:00Z", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00ZZ", S3_TIME_EINVAL, 0 },
	{ "2030-01-01T00:00:00Z ", S3_TIME_EINVAL, 0 },
	{ "+2030-01-01T00:00:00Z", S3_TIME_EINVAL, 0 },
	{ "20300101T000000Z", S3_TIME_EINVAL, 0 },
	{ "", S3_TIME_EINVAL, 0 },
};

static const struct dcase amz_cases[] = {
	{ "20130524T000000Z", S3_TIME_OK, 1369353600 * NS },
	{ "20150830T123600Z", S3_TIME_OK, INT64_C(1440938160) * NS },
	{ "19700101T000000Z", S3_TIME_OK, 0 },
	{ "20130524T000000", S3_TIME_EINVAL, 0 },
	{ "20130524T000000z", S3_TIME_EINVAL, 0 },
	{ "20130524t000000Z", S3_TIME_EINVAL, 0 },
	{ "2013-05-24T00:00:00Z", S3_TIME_EINVAL, 0 },
	{ "20131324T000000Z", S3_TIME_EINVAL, 0 },
	{ "20130230T000000Z", S3_TIME_EINVAL, 0 },
	{ "20130524T240000Z", S3_TIME_EINVAL, 0 },
	{ "2013052aT000000Z", S3_TIME_EINVAL, 0 },
	{ "20130524T000000Z0", S3_TIME_EINVAL, 0 },
	{ "99991231T235959Z", S3_TIME_EINVAL, 0 },
};

typedef int (*parse_fn)(const char *, size_t, int64_t *);

static void
run(const char *what, parse_fn fn, const struct dcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t ns = 42;
		int rc = fn(c[i].s, strlen(c[i].s), &ns);
		if (rc != c[i].rc || (rc == S3_TIME_OK && ns != c[i].ns) ||
		    (rc != S3_TIME_OK && ns != 42)) {
			fprintf(stderr, "%s '%s': rc %d ns %lld, want rc %d ns %lld\n", what, c[i].s, rc,
			        (long long)ns, c[i].rc, (long long)c[i].ns);
			check_failures++;
		}
	}
}

static void
test_format(void)
{
	char h[S3_HTTPDATE_LEN + 1], iso[S3_ISO8601_MS_LEN + 1], amz[S3_AMZDATE_LEN + 1];
	int64_t back;

	s3_httpdate_format(0, h);
	CHECK_STR_EQ(h, "Thu, 01 Jan 1970 00:00:00 GMT");
	s3_httpdate_format(784111777 * NS, h);
	CHECK_STR_EQ(h, "Sun, 06 Nov 1994 08:49:37 GMT");
	s3_httpdate_format(1704067200 * NS + 999999999, h);
	CHECK_STR_EQ(h, "Mon, 01 Jan 2024 00:00:00 GMT"); /* rounded down */
	s3_httpdate_format(-1, h);
	CHECK_STR_EQ(h, "Wed, 31 Dec 1969 23:59:59 GMT"); /* floor, not toward zero */
	s3_httpdate_format(1709208000 * NS, h);
	CHECK_STR_EQ(h, "Thu, 29 Feb 2024 12:00:00 GMT");
	s3_httpdate_format(INT64_MAX, h);
	CHECK_STR_EQ(h, "Fri, 11 Apr 2262 23:47:16 GMT");
	s3_httpdate_format(INT64_MIN, h);
	CHECK_STR_EQ(h, "Tue, 21 Sep 1677 00:12:43 GMT");
	CHECK_INT_EQ(strlen(h), S3_HTTPDATE_LEN);

	s3_iso8601_ms_format(0, iso);
	CHECK_STR_EQ(iso, "1970-01-01T00:00:00.000Z");
	s3_iso8601_ms_format(1893456000 * NS, iso);
	CHECK_STR_EQ(iso, "2030-01-01T00:00:00.000Z");
	s3_iso8601_ms_format(1704067200 * NS + 123456789, iso);
	CHECK_STR_EQ(iso, "2024-01-01T00:00:00.123Z");
	s3_iso8601_ms_format(-1, iso);
	CHECK_STR_EQ(iso, "1969-12-31T23:59:59.999Z");
	s3_iso8601_ms_format(INT64_MAX, iso);
	CHECK_STR_EQ(iso, "2262-04-11T23:47:16.854Z");
	s3_iso8601_ms_format(INT64_MIN, iso);
	CHECK_STR_EQ(iso, "1677-09-21T00:12:43.145Z");
	CHECK_INT_EQ(strlen(iso), S3_ISO8601_MS_LEN);

	s3_amzdate_format(1369353600 * NS + 5, amz);
	CHECK_STR_EQ(amz, "20130524T000000Z");
	s3_amzdate_format(-1, amz);
	CHECK_STR_EQ(amz, "19691231T235959Z");

	/* what we write, we read back (ms precision: §8.5 retain-until round trip) */
	for (int64_t t = -3000000000LL * NS; t < 9000000000LL * NS; t += 7777777777777777LL) {
		int64_t ms = t - ((t % 1000000) + 1000000) % 1000000;
		int64_t s = t - ((t % NS) + NS) % NS;
		s3_iso8601_ms_format(t, iso);
		CHECK(s3_rfc3339_parse(iso, strlen(iso), &back) == S3_TIME_OK && back == ms);
		s3_httpdate_format(t, h);
		CHECK(s3_httpdate_parse(h, strlen(h), &back) == S3_TIME_OK && back == s);
		s3_amzdate_format(t, amz);
		CHECK(s3_amzdate_parse(amz, strlen(amz), &back) == S3_TIME_OK && back == s);
	}
}

static void
test_civil(void)
{
	int64_t y;
	unsigned m, d;

	CHECK_INT_EQ(s3_days_from_civil(1970, 1, 1), 0);
	CHECK_INT_EQ(s3_days_from_civil(2000, 3, 1), 11017);
	CHECK_INT_EQ(s3_days_from_civil(1969, 12, 31), -1);
	CHECK_INT_EQ(s3_days_from_civil(0, 3, 1), -719468);
	/* round trip across leap rules (1900 no, 2000 yes) and negative years */
	for (int64_t days = -1000000; days <= 1000000; days += 13) {
		s3_civil_from_days(days, &y, &m, &d);
		CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		if (s3_days_from_civil(y, m, d) != days) {
			fprintf(stderr, "civil round trip %lld\n", (long long)days);
			check_failures++;
			break;
		}
	}
	s3_civil_from_days(s3_days_from_civil(1900, 2, 28) + 1, &y, &m, &d);
	CHECK(y == 1900 && m == 3 && d == 1);
	s3_civil_from_days(s3_days_from_civil(2000, 2, 28) + 1, &y, &m, &d);
	CHECK(y == 2000 && m == 2 && d == 29);
}

static void
test_ptr_len(void)
{
	int64_t ns = 7;

	/* (ptr, len): trailing bytes outside n are not read; NULL is refused */
	CHECK_INT_EQ(s3_rfc3339_parse("2030-01-01T00:00:00Zjunk", 20, &ns), S3_TIME_OK);
	CHECK_INT_EQ(ns, 1893456000 * NS);
	CHECK_INT_EQ(s3_httpdate_parse("Sun, 06 Nov 1994 08:49:37 GMTxx", 29, &ns), S3_TIME_OK);
	CHECK_INT_EQ(s3_amzdate_parse("20130524T000000Zx", 16, &ns), S3_TIME_OK);
	CHECK_INT_EQ(s3_httpdate_parse(NULL, 0, &ns), S3_TIME_EINVAL);
	CHECK_INT_EQ(s3_rfc3339_parse(NULL, 0, &ns), S3_TIME_EINVAL);
	CHECK_INT_EQ(s3_amzdate_parse(NULL, 16, &ns), S3_TIME_EINVAL);
	CHECK_INT_EQ(s3_rfc3339_parse("2030-01-01T00:00:00\0", 20, &ns), S3_TIME_EINVAL);
}

int
main(void)
{
	/* no TZ or locale dependence: the answers must not move with TZ */
	setenv("TZ", "Pacific/Chatham", 1);
	run("httpdate", s3_httpdate_parse, http_cases, sizeof(http_cases) / sizeof(http_cases[0]));
	run("rfc3339", s3_rfc3339_parse, rfc3339_cases, sizeof(rfc3339_cases) / sizeof(rfc3339_cases[0]));
	run("amzdate", s3_amzdate_parse, amz_cases, sizeof(amz_cases) / sizeof(amz_cases[0]));
	test_format();
	test_civil();
	test_ptr_len();
	return check_done("test_httpdate");
}
