/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The date and time formats S3 speaks (spec/S3.md §0): HTTP dates (If-Modified-Since,
 * Last-Modified), ISO-8601 with milliseconds (XML timestamps), x-amz-date, and RFC 3339
 * (x-amz-object-lock-retain-until-date, <RetainUntilDate>).
 *
 * One unit everywhere: int64_t nanoseconds since 1970-01-01T00:00:00Z (the store's
 * created_ns / retain_until_ns), so 1677-09-21 .. 2262-04-11 is representable. All UTC,
 * computed with a days-from-civil formula: no locale, no TZ, no strptime/mktime/timegm.
 * Pure and thread-safe. Inputs are (ptr, len) and need no NUL.
 */
#ifndef HOLDFAST_S3_HTTPDATE_H
#define HOLDFAST_S3_HTTPDATE_H

#include <stddef.h>
#include <stdint.h>

#define S3_NS_PER_SEC INT64_C(1000000000)

enum s3_time_rc {
	S3_TIME_OK = 0,
	S3_TIME_EINVAL = -1, /* not in the format */
	S3_TIME_ERANGE = -2, /* well-formed but outside the int64 ns range */
};

/**
 * Parse an HTTP-date (RFC 9110 §5.6.7) in any of its three forms:
 *   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
 *   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (yy < 70 -> 20yy, else 19yy: a fixed
 *                pivot instead of RFC 9110's "50 years from now", to stay pure)
 *   asctime      "Sun Nov  6 08:49:37 1994"
 * Day and month names match case-insensitively; the weekday is not checked against the
 * date; seconds 60 (leap) is accepted. A date outside the ns range saturates to
 * INT64_MIN / INT64_MAX (still ordered right for If-Modified-Since comparisons).
 * Returns S3_TIME_OK or S3_TIME_EINVAL (then the conditional header is to be ignored, as
 * AWS and RFC 9110 §13.1.3 do); @out_ns is written only on success.
 */
int s3_httpdate_parse(const char *p, size_t n, int64_t *out_ns);

#define S3_HTTPDATE_LEN 29 /* "Mon, 01 Jan 2024 00:00:00 GMT" */
/* IMF-fixdate of @ns (rounded down to the second) into @out, NUL-terminated. */
void s3_httpdate_format(int64_t ns, char out[S3_HTTPDATE_LEN + 1]);

#define S3_ISO8601_MS_LEN 24 /* "2024-01-01T00:00:00.000Z" */
/* ISO-8601 UTC with milliseconds (rounded down) into @out, NUL-terminated. */
void s3_iso8601_ms_format(int64_t ns, char out[S3_ISO8601_MS_LEN + 1]);

#define S3_AMZDATE_LEN 16 /* "20130524T000000Z" */
/* Parse x-amz-date / X-Amz-Date (SigV4 basic ISO-8601): exactly "YYYYMMDDTHHMMSSZ".
 * Returns S3_TIME_OK or S3_TIME_EINVAL; @out_ns written only on success. */
int s3_amzdate_parse(const char *p, size_t n, int64_t *out_ns);
/* x-amz-date of @ns (rounded down to the second) into @out, NUL-terminated. */
void s3_amzdate_format(int64_t ns, char out[S3_AMZDATE_LEN + 1]);

/**
 * Parse an RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)"; 'T' and
 * 'Z' also in lower case; any number of fraction digits (the first nine count, the rest
 * are truncated); seconds 60 accepted. Returns S3_TIME_OK, S3_TIME_EINVAL, or
 * S3_TIME_ERANGE for an instant outside the ns range; @out_ns written only on success.
 */
int s3_rfc3339_parse(const char *p, size_t n, int64_t *out_ns);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12, d 1..31), and
 * back. Exact for any y within +-2^40. */
int64_t s3_days_from_civil(int64_t y, unsigned m, unsigned d);
void s3_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
