/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP dates, ISO-8601, x-amz-date, RFC 3339: parsed and written without libc time
 * functions, so neither the locale nor TZ nor a thread's state can change an instant. */
#include "httpdate.h"

#include <stdbool.h>
#include <string.h>

/* Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms): exact
 * proleptic Gregorian arithmetic with eras of 400 years, no tables, no loops. */
int64_t
s3_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
s3_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : dim[m - 1];
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b < 0)
		q--;
	return q;
}

/* The broken-down time every parser fills before validation. */
struct tm_utc {
	int64_t year;
	unsigned mon, day, hour, min, sec;
	int64_t frac_ns;    /* 0..999999999 */
	int64_t offset_sec; /* local = UTC + offset */
};

static bool
tm_valid(const struct tm_utc *t)
{
	return t->mon >= 1 && t->mon <= 12 && t->day >= 1 &&
	       t->day <= days_in_month(t->year, t->mon) && t->hour <= 23 && t->min <= 59 &&
	       t->sec <= 60; /* 60: a leap second, which lands on the next minute's :00 */
}

/* S3_TIME_OK with the instant, or S3_TIME_ERANGE outside int64 ns. */
static int
tm_to_ns(const struct tm_utc *t, int64_t *out)
{
	int64_t secs, frac = t->frac_ns, ns;

	/* |year| <= 9999 here, so the seconds always fit; only the ns scaling can overflow */
	secs = s3_days_from_civil(t->year, t->mon, t->day) * 86400 + (int64_t)t->hour * 3600 +
	       (int64_t)t->min * 60 + (int64_t)t->sec - t->offset_sec;
	/* before 1970 borrow a second so INT64_MIN itself (…:43.145224192) is reachable */
	if (secs < 0 && frac > 0) {
		secs++;
		frac -= S3_NS_PER_SEC;
	}
	if (__builtin_mul_overflow(secs, S3_NS_PER_SEC, &ns) ||
	    __builtin_add_overflow(ns, frac, &ns))
		return S3_TIME_ERANGE;
	*out = ns;
	return S3_TIME_OK;
}

/* ---- a tiny cursor over (p, n) ------------------------------------------------------- */

struct cur {
	const char *p;
	size_t n, i;
};

static bool
lit(struct cur *c, char ch)
{
	if (c->i < c->n && c->p[c->i] == ch) {
		c->i++;
		return true;
	}
	return false;
}

static bool
lit_ci(struct cur *c, char ch) /* ch lower case */
{
	if (c->i < c->n && (c->p[c->i] | 0x20) == ch) {
		c->i++;
		return true;
	}
	return false;
}

/* exactly k digits */
static bool
digits(struct cur *c, unsigned k, unsigned *out)
{
	unsigned v = 0;

	if (c->n - c->i < k)
		return false;
	for (unsigned j = 0; j < k; j++) {
		char ch = c->p[c->i + j];
		if (ch < '0' || ch > '9')
			return false;
		v = v * 10 + (unsigned)(ch - '0');
	}
	c->i += k;
	*out = v;
	return true;
}

static char
lc(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/* A case-insensitive match of one of @names (lower case) at the cursor, exactly @len
 * letters long; returns its index or -1. */
static int
name_at(const char *p, size_t len, const char *const *names, int count)
{
	for (int k = 0; k < count; k++) {
		if (strlen(names[k]) != len)
			continue;
		size_t j;
		for (j = 0; j < len && lc(p[j]) == names[k][j]; j++)
			;
		if (j == len)
			return k;
	}
	return -1;
}

static const char *const wkday3[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const char *const wkday_full[7] = { "monday",   "tuesday", "wednesday", "thursday",
	                                   "friday",   "saturday", "sunday" };
static const char *const month3[12] = { "jan", "feb", "mar", "apr", "may", "jun",
	                                "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const month_cap[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const wkday_cap[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static bool
month(struct cur *c, unsigned *m)
{
	int k;

	if (c->n - c->i < 3 || (k = name_at(c->p + c->i, 3, month3, 12)) < 0)
		return false;
	c->i += 3;
	*m = (unsigned)k + 1;
	return true;
}

/* "HH:MM:SS" */
static bool
time_of_day(struct cur *c, struct tm_utc *t)
{
	return digits(c, 2, &t->hour) && lit(c, ':') && digits(c, 2, &t->min) && lit(c, ':') &&
	       digits(c, 2, &t->sec);
}

static bool
gmt(struct cur *c)
{
	/* case-insensitive like the names; RFC 9110 spells it "GMT" */
	return lit_ci(c, 'g') && lit_ci(c, 'm') && lit_ci(c, 't');
}

int
s3_httpdate_parse(const char *p, size_t n, int64_t *out_ns)
{
	struct cur c = { p, n, 0 };
	struct tm_utc t;
	size_t letters = 0;
	unsigned v = 0;
	bool ok;

	memset(&t, 0, sizeof(t));
	if (!p)
		return S3_TIME_EINVAL;
	while (letters < n && ((p[letters] | 0x20) >= 'a' && (p[letters] | 0x20) <= 'z'))
		letters++;
	c.i = letters;
	if (letters == 3 && name_at(p, 3, wkday3, 7) >= 0 && lit(&c, ',')) {
		/* IMF-fixdate: ", DD Mon YYYY HH:MM:SS GMT" */
		ok = lit(&c, ' ') && digits(&c, 2, &t.day) && lit(&c, ' ') && month(&c, &t.mon) &&
		     lit(&c, ' ') && digits(&c, 4, &v) && lit(&c, ' ') && time_of_day(&c, &t) &&
		     lit(&c, ' ') && gmt(&c);
		t.year = v;
	} else if (letters == 3 && name_at(p, 3, wkday3, 7) >= 0 && lit(&c, ' ')) {
		/* asctime: " Mon DD HH:MM:SS YYYY", DD may be " D" */
		ok = month(&c, &t.mon) && lit(&c, ' ');
		if (ok && lit(&c, ' '))
			ok = digits(&c, 1, &t.day);
		else
			ok = ok && digits(&c, 2, &t.day);
		ok = ok && lit(&c, ' ') && time_of_day(&c, &t) && lit(&c, ' ') && digits(&c, 4, &v);
		t.year = v;
	} else if (letters > 3 && name_at(p, letters, wkday_full, 7) >= 0 && lit(&c, ',')) {
		/* RFC 850: ", DD-Mon-YY HH:MM:SS GMT" */
		ok = lit(&c, ' ') && digits(&c, 2, &t.day) && lit(&c, '-') && month(&c, &t.mon) &&
		     lit(&c, '-') && digits(&c, 2, &v) && lit(&c, ' ') && time_of_day(&c, &t) &&
		     lit(&c, ' ') && gmt(&c);
		t.year = v < 70 ? 2000 + v : 1900 + v;
	} else {
		return S3_TIME_EINVAL;
	}
	if (!ok || c.i != n || !tm_valid(&t))
		return S3_TIME_EINVAL;
	if (tm_to_ns(&t, out_ns) != S3_TIME_OK)
		*out_ns = t.year < 1970 ? INT64_MIN : INT64_MAX;
	return S3_TIME_OK;
}

/* ---- writers ------------------------------------------------------------------------- */

static void
put_n(char *dst, unsigned v, int width)
{
	for (int k = width - 1; k >= 0; k--) {
		dst[k] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Broken-down UTC of @secs; the year is always 1677..2262 for an int64 ns input. */
static void
split(int64_t secs, int64_t *y, unsigned *mo, unsigned *d, unsigned *h, unsigned *mi,
      unsigned *s, unsigned *wd)
{
	int64_t days = floor_div(secs, 86400), rem = secs - days * 86400;

	s3_civil_from_days(days, y, mo, d);
	*h = (unsigned)(rem / 3600);
	*mi = (unsigned)(rem / 60 % 60);
	*s = (unsigned)(rem % 60);
	/* 1970-01-01 was a Thursday: index 3 of Mon..Sun */
	*wd = (unsigned)((days % 7 + 7 + 3) % 7);
}

void
s3_httpdate_format(int64_t ns, char out[S3_HTTPDATE_LEN + 1])
{
	int64_t y;
	unsigned mo, d, h, mi, s, wd;

	split(floor_div(ns, S3_NS_PER_SEC), &y, &mo, &d, &h, &mi, &s, &wd);
	memcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT", S3_HTTPDATE_LEN + 1);
	memcpy(out, wkday_cap[wd], 3);
	put_n(out + 5, d, 2);
	memcpy(out + 8, month_cap[mo - 1], 3);
	put_n(out + 12, (unsigned)y, 4);
	put_n(out + 17, h, 2);
	put_n(out + 20, mi, 2);
	put_n(out + 23, s, 2);
}

void
s3_iso8601_ms_format(int64_t ns, char out[S3_ISO8601_MS_LEN + 1])
{
	int64_t y, secs = floor_div(ns, S3_NS_PER_SEC), rem = ns % S3_NS_PER_SEC;
	unsigned mo, d, h, mi, s, wd, ms;

	/* the remainder, not ns - secs * 1e9: that product overflows for INT64_MIN */
	if (rem < 0)
		rem += S3_NS_PER_SEC;
	ms = (unsigned)(rem / 1000000);

	split(secs, &y, &mo, &d, &h, &mi, &s, &wd);
	memcpy(out, "1970-01-01T00:00:00.000Z", S3_ISO8601_MS_LEN + 1);
	put_n(out, (unsigned)y, 4);
	put_n(out + 5, mo, 2);
	put_n(out + 8, d, 2);
	put_n(out + 11, h, 2);
	put_n(out + 14, mi, 2);
	put_n(out + 17, s, 2);
	put_n(out + 20, ms, 3);
}

void
s3_amzdate_format(int64_t ns, char out[S3_AMZDATE_LEN + 1])
{
	int64_t y;
	unsigned mo, d, h, mi, s, wd;

	split(floor_div(ns, S3_NS_PER_SEC), &y, &mo, &d, &h, &mi, &s, &wd);
	memcpy(out, "19700101T000000Z", S3_AMZDATE_LEN + 1);
	put_n(out, (unsigned)y, 4);
	put_n(out + 4, mo, 2);
	put_n(out + 6, d, 2);
	put_n(out + 9, h, 2);
	put_n(out + 11, mi, 2);
	put_n(out + 13, s, 2);
}

/* ---- ISO forms ----------------------------------------------------------------------- */

int
s3_amzdate_parse(const char *p, size_t n, int64_t *out_ns)
{
	struct cur c = { p, n, 0 };
	struct tm_utc t;
	unsigned y = 0;

	memset(&t, 0, sizeof(t));
	if (!p || n != S3_AMZDATE_LEN)
		return S3_TIME_EINVAL;
	if (!(digits(&c, 4, &y) && digits(&c, 2, &t.mon) && digits(&c, 2, &t.day) &&
	      lit(&c, 'T') && digits(&c, 2, &t.hour) && digits(&c, 2, &t.min) &&
	      digits(&c, 2, &t.sec) && lit(&c, 'Z')))
		return S3_TIME_EINVAL;
	t.year = y;
	if (!tm_valid(&t))
		return S3_TIME_EINVAL;
	return tm_to_ns(&t, out_ns) == S3_TIME_OK ? S3_TIME_OK : S3_TIME_EINVAL;
}

int
s3_rfc3339_parse(const char *p, size_t n, int64_t *out_ns)
{
	struct cur c = { p, n, 0 };
	struct tm_utc t;
	unsigned y = 0, oh = 0, om = 0;

	memset(&t, 0, sizeof(t));
	if (!p)
		return S3_TIME_EINVAL;
	if (!(digits(&c, 4, &y) && lit(&c, '-') && digits(&c, 2, &t.mon) && lit(&c, '-') &&
	      digits(&c, 2, &t.day) && lit_ci(&c, 't') && time_of_day(&c, &t)))
		return S3_TIME_EINVAL;
	t.year = y;
	if (lit(&c, '.')) {
		unsigned nd = 0;
		int64_t scale = S3_NS_PER_SEC;
		while (c.i < n && p[c.i] >= '0' && p[c.i] <= '9') {
			if (nd < 9) {
				scale /= 10;
				t.frac_ns += (int64_t)(p[c.i] - '0') * scale;
			}
			nd++;
			c.i++;
		}
		if (nd == 0)
			return S3_TIME_EINVAL;
	}
	if (lit_ci(&c, 'z')) {
		t.offset_sec = 0;
	} else if (c.i < n && (p[c.i] == '+' || p[c.i] == '-')) {
		int sign = p[c.i] == '-' ? -1 : 1;
		c.i++;
		if (!(digits(&c, 2, &oh) && lit(&c, ':') && digits(&c, 2, &om)) || oh > 23 || om > 59)
			return S3_TIME_EINVAL;
		t.offset_sec = sign * (int64_t)(oh * 3600 + om * 60);
	} else {
		return S3_TIME_EINVAL;
	}
	if (c.i != n || !tm_valid(&t))
		return S3_TIME_EINVAL;
	return tm_to_ns(&t, out_ns);
}
