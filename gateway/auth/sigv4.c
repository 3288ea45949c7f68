/* SPDX-License-Identifier: Apache-2.0 */
/* SigV4 request verification for S3 (spec/S3.md §2.1-2.4, 2.6-2.9): parsing, the canonical
 * request with every pitfall of §2.8, time/scope/region checks and the signature compare. */
#include "sigv4.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"

#define MALFORMED_PREFIX "The authorization header is malformed; "
#define QUERY_CRED_PREFIX "Error parsing the X-Amz-Credential parameter; "
#define UNSUPPORTED_MECHANISM                                                            \
	"The authorization mechanism you have provided is not supported. Please use "     \
	"AWS4-HMAC-SHA256."
#define MISSING_QUERY_PARAMS                                                             \
	"Query-string authentication version 4 requires the X-Amz-Algorithm, "            \
	"X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "        \
	"X-Amz-Expires parameters."
#define NOT_SIGNED "There were headers present in the request which were not signed"

/* ---- error context ------------------------------------------------------------------ */

void
sigv4_err_clear(struct sigv4_err *e)
{
	if (!e)
		return;
	e->msg[0] = '\0';
	e->nextra = 0;
	e->used = 0;
}

const char *
sigv4_err_message(const struct sigv4_err *e)
{
	return e && e->msg[0] ? e->msg : NULL;
}

/* Client bytes end up in <Error> text. The XML writer drops C0 controls but would pass
 * invalid UTF-8 through, and botocore's parser then fails on the whole document, hiding the
 * error code; so anything that is not valid UTF-8 becomes '?'. */
static size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Copy @p into @dst (cap bytes incl. NUL), making it valid UTF-8 without controls other
 * than LF and TAB. Returns the length written or SIZE_MAX when it does not fit. */
static size_t
sanitize(char *dst, size_t cap, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, o = 0, l;

	while (i < n) {
		l = utf8_seq_len(s + i, n - i);
		if (o + (l ? l : 1) + 1 > cap)
			return SIZE_MAX;
		if (l == 1 && s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
			l = 0;
		if (!l) {
			dst[o++] = '?';
			i++;
			continue;
		}
		memcpy(dst + o, s + i, l);
		o += l;
		i += l;
	}
	dst[o] = '\0';
	return o;
}

static void
err_msg(struct sigv4_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
err_msg(struct sigv4_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* Add an extra element; @name must be a static string. Left out whole if it does not fit. */
static void
err_extra(struct sigv4_err *e, const char *name, const char *p, size_t n)
{
	size_t l;

	if (!e || e->nextra >= SIGV4_ERR_EXTRAS || e->used >= sizeof(e->store))
		return;
	l = sanitize(e->store + e->used, sizeof(e->store) - e->used, p, n);
	if (l == SIZE_MAX)
		return;
	e->extra[e->nextra].name = name;
	e->extra[e->nextra].value = e->store + e->used;
	e->nextra++;
	e->used += l + 1;
}

static void
err_extra_str(struct sigv4_err *e, const char *name, const char *s)
{
	err_extra(e, name, s, strlen(s));
}

/* "41 57 53 34 ..." as AWS writes StringToSignBytes / CanonicalRequestBytes. */
static void
err_extra_bytes(struct sigv4_err *e, const char *name, const char *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char *d;
	size_t need, i;

	if (!e || e->nextra >= SIGV4_ERR_EXTRAS || n == 0 || n > (SIZE_MAX - 1) / 3)
		return;
	need = 3 * n; /* "xx " per byte, the last space becomes the NUL */
	if (e->used >= sizeof(e->store) || need > sizeof(e->store) - e->used)
		return;
	d = e->store + e->used;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		d[3 * i] = hx[c >> 4];
		d[3 * i + 1] = hx[c & 15];
		d[3 * i + 2] = ' ';
	}
	d[need - 1] = '\0';
	e->extra[e->nextra].name = name;
	e->extra[e->nextra].value = d;
	e->nextra++;
	e->used += need;
}

/* Bounded, sanitised "%s" of client text for messages. */
static const char *
show(char *tmp, size_t cap, struct slice s)
{
	size_t n = s.n > cap - 1 ? cap - 1 : s.n;

	if (sanitize(tmp, cap, s.p, n) == SIZE_MAX)
		tmp[0] = '\0';
	return tmp;
}

/* ---- small parsers ------------------------------------------------------------------ */

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static struct slice
trim(struct slice s)
{
	while (s.n && is_ows(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_ows(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool
slice_eq(struct slice s, const char *c, size_t n)
{
	return s.n == n && (n == 0 || memcmp(s.p, c, n) == 0);
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
slice_case_eq(struct slice s, const char *c, size_t n)
{
	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s.p[i]) != lower(c[i]))
			return false;
	return true;
}

static bool
slice_case_prefix(struct slice s, const char *c)
{
	size_t n = strlen(c);

	return s.n >= n && slice_case_eq((struct slice){ s.p, n }, c, n);
}

static bool
slice_prefix(struct slice s, const char *c)
{
	size_t n = strlen(c);

	return s.n >= n && memcmp(s.p, c, n) == 0;
}

/* Split at the first @sep: head before it, *rest after it. False if absent. */
static bool
split_at(struct slice s, char sep, struct slice *head, struct slice *rest)
{
	const char *q = s.n ? memchr(s.p, sep, s.n) : NULL;

	if (!q)
		return false;
	*head = (struct slice){ s.p, (size_t)(q - s.p) };
	*rest = (struct slice){ q + 1, s.n - (size_t)(q - s.p) - 1 };
	return true;
}

static bool
all_digits(struct slice s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return s.n > 0;
}

static unsigned
digits(const char *p, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	return v;
}

/* ---- time --------------------------------------------------------------------------- */

/* Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's algorithms), so we
 * depend on neither timegm() nor the TZ environment. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
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
valid_ymd(unsigned y, unsigned m, unsigned d)
{
	static const unsigned char dim[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1 || d > dim[m - 1])
		return false;
	return !(m == 2 && d == 29 && !leap);
}

/* yyyymmdd */
static bool
parse_date8(struct slice s)
{
	return s.n == 8 && all_digits(s) &&
	       valid_ymd(digits(s.p, 4), digits(s.p + 4, 2), digits(s.p + 6, 2));
}

/* yyyymmddTHHMMSSZ, strictly */
static bool
parse_amz_date(struct slice s, int64_t *out)
{
	unsigned y, mo, d, h, mi, se;

	if (s.n != 16 || s.p[8] != 'T' || s.p[15] != 'Z' ||
	    !all_digits((struct slice){ s.p, 8 }) || !all_digits((struct slice){ s.p + 9, 6 }))
		return false;
	y = digits(s.p, 4);
	mo = digits(s.p + 4, 2);
	d = digits(s.p + 6, 2);
	h = digits(s.p + 9, 2);
	mi = digits(s.p + 11, 2);
	se = digits(s.p + 13, 2);
	if (!valid_ymd(y, mo, d) || h > 23 || mi > 59 || se > 59)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return true;
}

/* IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7), and the same with a
 * "+0000" / "-0000" zone, which botocore's Date-header signing sends (email.utils). */
static bool
parse_http_date(struct slice s, int64_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char wdays[] = "MonTueWedThuFriSatSun";
	unsigned y, mo = 0, d, h, mi, se;
	const char *p = s.p;
	size_t i;

	if (s.n == 31 && (memcmp(p + 25, " +0000", 6) == 0 || memcmp(p + 25, " -0000", 6) == 0))
		;
	else if (s.n != 29 || memcmp(p + 25, " GMT", 4) != 0)
		return false;
	if (p[3] != ',' || p[4] != ' ' || p[7] != ' ' || p[11] != ' ' || p[16] != ' ' ||
	    p[19] != ':' || p[22] != ':')
		return false;
	for (i = 0; i < 7 && memcmp(wdays + 3 * i, p, 3) != 0; i++)
		;
	if (i == 7)
		return false;
	for (i = 0; i < 12; i++)
		if (memcmp(months + 3 * i, p + 8, 3) == 0)
			mo = (unsigned)i + 1;
	if (!mo || !all_digits((struct slice){ p + 5, 2 }) ||
	    !all_digits((struct slice){ p + 12, 4 }) || !all_digits((struct slice){ p + 17, 2 }) ||
	    !all_digits((struct slice){ p + 20, 2 }) || !all_digits((struct slice){ p + 23, 2 }))
		return false;
	d = digits(p + 5, 2);
	y = digits(p + 12, 4);
	h = digits(p + 17, 2);
	mi = digits(p + 20, 2);
	se = digits(p + 23, 2);
	if (!valid_ymd(y, mo, d) || h > 23 || mi > 59 || se > 59)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return true;
}

static void
split_time(int64_t t, int64_t *y, unsigned *mo, unsigned *d, unsigned *h, unsigned *mi,
           unsigned *s)
{
	int64_t days = t / 86400, rem = t % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, y, mo, d);
	*h = (unsigned)(rem / 3600);
	*mi = (unsigned)(rem / 60 % 60);
	*s = (unsigned)(rem % 60);
}

/* yyyymmddTHHMMSSZ; @out has 32 bytes so absurd years cannot overflow it. */
static void
fmt_amz_date(int64_t t, char out[32])
{
	int64_t y;
	unsigned mo, d, h, mi, s;

	split_time(t, &y, &mo, &d, &h, &mi, &s);
	snprintf(out, 32, "%04lld%02u%02uT%02u%02u%02uZ", (long long)y, mo, d, h, mi, s);
}

/* 2013-05-24T00:20:00Z, as AWS writes ServerTime and Expires. */
static void
fmt_iso(int64_t t, char out[32])
{
	int64_t y;
	unsigned mo, d, h, mi, s;

	split_time(t, &y, &mo, &d, &h, &mi, &s);
	snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, mo, d, h, mi, s);
}

/* |a - b| > lim without signed overflow for any int64 pair. */
static bool
differ_by_more(int64_t a, int64_t b, uint64_t lim)
{
	uint64_t diff = a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;

	return diff > lim;
}

/* ---- request views -------------------------------------------------------------------- */

static void
split_target(struct slice t, struct slice *path, struct slice *query)
{
	if (!split_at(t, '?', path, query)) {
		*path = t;
		*query = (struct slice){ "", 0 };
	}
}

/* Next '&'-separated parameter of a raw query; empty segments are skipped. */
static bool
query_next(struct slice *q, struct slice *name, struct slice *value)
{
	struct slice seg;

	for (;;) {
		if (q->n == 0)
			return false;
		if (!split_at(*q, '&', &seg, q)) {
			seg = *q;
			*q = (struct slice){ q->p + q->n, 0 };
		}
		if (seg.n)
			break;
	}
	if (!split_at(seg, '=', name, value)) {
		*name = seg;
		*value = (struct slice){ seg.p + seg.n, 0 };
	}
	return true;
}

/* One byte of a percent-decoded query or path: '%XX' -> byte; '+' -> space in the query;
 * an invalid escape is taken literally. Advances *i. */
static unsigned char
decode_at(struct slice s, size_t *i, bool plus_space)
{
	unsigned char c = (unsigned char)s.p[*i];
	int hi, lo;

	if (c == '%' && s.n - *i >= 3 && (hi = hexval((unsigned char)s.p[*i + 1])) >= 0 &&
	    (lo = hexval((unsigned char)s.p[*i + 2])) >= 0) {
		*i += 3;
		return (unsigned char)(hi << 4 | lo);
	}
	(*i)++;
	return plus_space && c == '+' ? ' ' : c;
}

/* Decoded @raw == @want (exact bytes)? Query names are compared decoded, so that
 * "X-Amz-Signature" and "X%2DAmz-Signature" are the same parameter, as for the server
 * that later routes on the decoded name. */
static bool
query_name_is(struct slice raw, const char *want)
{
	size_t i = 0, k = 0, n = strlen(want);

	while (i < raw.n) {
		if (k == n || decode_at(raw, &i, true) != (unsigned char)want[k])
			return false;
		k++;
	}
	return k == n;
}

/* First parameter named @want: its raw value. */
static bool
query_get(struct slice query, const char *want, struct slice *value)
{
	struct slice name, v;

	while (query_next(&query, &name, &v))
		if (query_name_is(name, want)) {
			*value = v;
			return true;
		}
	return false;
}

/* Decode @raw into @out (cap incl. NUL). False when it does not fit. */
static bool
query_decode(struct slice raw, char *out, size_t cap, size_t *len)
{
	size_t i = 0, o = 0;

	while (i < raw.n) {
		if (o + 1 >= cap)
			return false;
		out[o++] = (char)decode_at(raw, &i, true);
	}
	out[o] = '\0';
	*len = o;
	return true;
}

static bool
header_name_is(struct slice name, const char *lname, size_t n)
{
	return slice_case_eq(name, lname, n);
}

static size_t
header_count(const struct sigv4_request *rq, const char *lname)
{
	size_t n = strlen(lname), c = 0;

	for (size_t i = 0; i < rq->nheaders; i++)
		c += header_name_is(rq->headers[i].name, lname, n);
	return c;
}

/* Append @v trimmed, with internal runs of spaces/tabs collapsed to one space (§2.3). */
static int
canon_value_append(struct buf *out, struct slice v)
{
	size_t i, run = 0;
	int rc;

	v = trim(v);
	for (i = 0; i < v.n; i++) {
		if (!is_ows(v.p[i]))
			continue;
		if ((rc = buf_append(out, v.p + run, i - run)) || (rc = buf_append(out, " ", 1)))
			return rc;
		while (i + 1 < v.n && is_ows(v.p[i + 1]))
			i++;
		run = i + 1;
	}
	return buf_append(out, v.p + run, v.n - run);
}

/* Every header named @name (any case), canonical values joined with ','. */
static int
header_join(const struct sigv4_request *rq, const char *name, size_t n, struct buf *out,
            bool *found)
{
	bool any = false;
	int rc;

	if (found)
		*found = false;
	for (size_t i = 0; i < rq->nheaders; i++) {
		if (!header_name_is(rq->headers[i].name, name, n))
			continue;
		/* set before appending: a value too long for @out is still a present header */
		if (found)
			*found = true;
		if ((any && (rc = buf_append(out, ",", 1))) ||
		    (rc = canon_value_append(out, rq->headers[i].value)))
			return rc;
		any = true;
	}
	return GW_OK;
}

/* The joined value of a short header into @dst (cap incl. NUL). 0 absent, 1 present,
 * -1 present but too long (callers treat that as an invalid value). */
static int
header_small(const struct sigv4_request *rq, const char *lname, char *dst, size_t cap,
             size_t *len)
{
	struct buf b;
	bool found = false;
	int rc;

	buf_init(&b, cap - 1);
	rc = header_join(rq, lname, strlen(lname), &b, &found);
	if (!found) {
		buf_release(&b);
		return 0;
	}
	if (rc != GW_OK) {
		buf_release(&b);
		return -1;
	}
	if (b.len)
		memcpy(dst, b.ptr, b.len);
	dst[b.len] = '\0';
	*len = b.len;
	buf_release(&b);
	return 1;
}

static bool
signed_has(struct slice list, const char *name, size_t n)
{
	struct slice h, rest = list;

	for (;;) {
		if (!split_at(rest, ';', &h, &rest))
			return slice_case_eq(rest, name, n);
		if (slice_case_eq(h, name, n))
			return true;
	}
}

/* SignedHeaders shape: 1..SIGV4_SIGNED_HEADERS_MAX non-empty names without spaces. */
static bool
signed_headers_ok(struct slice list)
{
	size_t count = 1, len = 0;

	if (list.n == 0)
		return false;
	for (size_t i = 0; i < list.n; i++) {
		unsigned char c = (unsigned char)list.p[i];
		if (c == ';') {
			if (len == 0)
				return false;
			len = 0;
			count++;
			continue;
		}
		if (c <= ' ' || c >= 0x7f || c == ':')
			return false;
		len++;
	}
	return len > 0 && count <= SIGV4_SIGNED_HEADERS_MAX;
}

/* ---- encoding ------------------------------------------------------------------------- */

struct encbuf {
	struct buf *out;
	char tmp[256];
	size_t n;
	int rc;
};

static void
enc_flush(struct encbuf *e)
{
	if (e->n && !e->rc)
		e->rc = buf_append(e->out, e->tmp, e->n);
	e->n = 0;
}

static void
enc_raw(struct encbuf *e, unsigned char c)
{
	if (e->n + 1 > sizeof(e->tmp))
		enc_flush(e);
	e->tmp[e->n++] = (char)c;
}

/* RFC 3986 unreserved kept, everything else %XX in upper-case hex (§2.3). */
static void
enc_byte(struct encbuf *e, unsigned char c)
{
	static const char hx[] = "0123456789ABCDEF";

	if (is_unreserved(c)) {
		enc_raw(e, c);
		return;
	}
	if (e->n + 3 > sizeof(e->tmp))
		enc_flush(e);
	e->tmp[e->n++] = '%';
	e->tmp[e->n++] = hx[c >> 4];
	e->tmp[e->n++] = hx[c & 15];
}

int
sigv4_canonical_uri(struct slice path, struct buf *out)
{
	struct encbuf e = { .out = out };
	size_t i = 0;

	if (path.n == 0)
		return buf_append(out, "/", 1);
	/* Per segment: a literal '/' separates, an encoded one (%2F) is data and stays
	 * encoded — what a client that sent %2F signed. Decoding once and re-encoding fixes
	 * lower-case escapes and unescaped ~!*'() (§2.8 pitfalls 1-3). */
	while (i < path.n) {
		if (path.p[i] == '/') {
			enc_raw(&e, '/');
			i++;
			continue;
		}
		enc_byte(&e, decode_at(path, &i, false));
	}
	enc_flush(&e);
	return e.rc;
}

struct qent {
	const char *name, *value;
	size_t nn, vn;
};

static int
qent_cmp(const void *a, const void *b)
{
	const struct qent *x = a, *y = b;
	size_t n = x->nn < y->nn ? x->nn : y->nn;
	int c = n ? memcmp(x->name, y->name, n) : 0;

	if (c || x->nn != y->nn)
		return c ? c : (x->nn < y->nn ? -1 : 1);
	n = x->vn < y->vn ? x->vn : y->vn;
	c = n ? memcmp(x->value, y->value, n) : 0;
	if (c || x->vn == y->vn)
		return c;
	return x->vn < y->vn ? -1 : 1;
}

static void
enc_query_part(struct encbuf *e, struct slice raw)
{
	size_t i = 0;

	while (i < raw.n)
		enc_byte(e, decode_at(raw, &i, true));
}

int
sigv4_canonical_query(struct slice query, bool presigned, struct buf *out)
{
	struct buf enc;
	struct encbuf e;
	struct qent *ents = NULL;
	size_t (*offs)[4] = NULL;
	struct slice q = query, name, value;
	size_t count = 0, k = 0, i;
	int rc;

	while (query_next(&q, &name, &value))
		count++;
	if (count == 0)
		return GW_OK;
	if (count > SIGV4_QUERY_PARAMS_MAX)
		return GW_E2BIG;
	buf_init(&enc, out->max);
	e = (struct encbuf){ .out = &enc };
	offs = calloc(count, sizeof(*offs));
	ents = calloc(count, sizeof(*ents));
	if (!offs || !ents) {
		rc = GW_ENOMEM;
		goto out;
	}
	q = query;
	while (query_next(&q, &name, &value)) {
		if (presigned && query_name_is(name, "X-Amz-Signature"))
			continue;
		enc_flush(&e);
		offs[k][0] = enc.len;
		enc_query_part(&e, name);
		enc_flush(&e);
		offs[k][1] = enc.len - offs[k][0];
		offs[k][2] = enc.len;
		enc_query_part(&e, value);
		enc_flush(&e);
		offs[k][3] = enc.len - offs[k][2];
		k++;
	}
	if ((rc = e.rc))
		goto out;
	/* Pointers only now: enc.ptr moved while it grew. */
	for (i = 0; i < k; i++) {
		const char *base = enc.ptr ? enc.ptr : "";
		ents[i] = (struct qent){ base + offs[i][0], base + offs[i][2], offs[i][1],
			                 offs[i][3] };
	}
	qsort(ents, k, sizeof(*ents), qent_cmp);
	for (i = 0; i < k; i++)
		if ((i && (rc = buf_append(out, "&", 1))) ||
		    (rc = buf_append(out, ents[i].name, ents[i].nn)) ||
		    (rc = buf_append(out, "=", 1)) ||
		    (rc = buf_append(out, ents[i].value, ents[i].vn)))
			goto out;
	rc = GW_OK;
out:
	free(ents);
	free(offs);
	buf_release(&enc);
	return rc;
}

int
sigv4_canonical_headers(const struct sigv4_request *rq, struct slice signed_headers,
                        struct buf *out)
{
	struct slice h, rest = signed_headers;
	bool last = false;
	int rc;

	if (signed_headers.n == 0)
		return GW_OK;
	while (!last) {
		if (!split_at(rest, ';', &h, &rest)) {
			h = rest;
			last = true;
		}
		if ((rc = buf_append(out, h.p, h.n)) || (rc = buf_append(out, ":", 1)))
			return rc;
		if ((rc = header_join(rq, h.p, h.n, out, NULL)) || (rc = buf_append(out, "\n", 1)))
			return rc;
	}
	return GW_OK;
}

int
sigv4_canonical_request(const struct sigv4_request *rq, struct slice signed_headers,
                        struct slice payload, bool presigned, struct buf *out)
{
	struct slice path, query;
	int rc;

	split_target(rq->target, &path, &query);
	if ((rc = buf_append(out, rq->method.p, rq->method.n)) || (rc = buf_append(out, "\n", 1)) ||
	    (rc = sigv4_canonical_uri(path, out)) || (rc = buf_append(out, "\n", 1)) ||
	    (rc = sigv4_canonical_query(query, presigned, out)) ||
	    (rc = buf_append(out, "\n", 1)) ||
	    (rc = sigv4_canonical_headers(rq, signed_headers, out)) ||
	    (rc = buf_append(out, "\n", 1)) ||
	    (rc = buf_append(out, signed_headers.p, signed_headers.n)) ||
	    (rc = buf_append(out, "\n", 1)) || (rc = buf_append(out, payload.p, payload.n)))
		return rc;
	return GW_OK;
}

/* ---- scheme detection ----------------------------------------------------------------- */

/* The first Authorization header, trimmed. */
static bool
authorization(const struct sigv4_request *rq, struct slice *v)
{
	for (size_t i = 0; i < rq->nheaders; i++)
		if (header_name_is(rq->headers[i].name, "authorization", 13)) {
			*v = trim(rq->headers[i].value);
			return true;
		}
	return false;
}

enum sigv4_scheme
sigv4_detect(const struct sigv4_request *rq)
{
	struct slice path, query, auth, algo, tmp;
	bool has_auth, q4, q2;
	char dec[32];
	size_t n;

	split_target(rq->target, &path, &query);
	has_auth = authorization(rq, &auth);
	q4 = query_get(query, "X-Amz-Algorithm", &algo) ||
	     query_get(query, "X-Amz-Credential", &tmp) || query_get(query, "X-Amz-Signature", &tmp);
	q2 = query_get(query, "AWSAccessKeyId", &tmp) && query_get(query, "Signature", &tmp);
	if (has_auth && (q4 || q2))
		return SIGV4_SCHEME_CONFLICT;
	if (has_auth) {
		/* Two Authorization headers: which one a proxy honoured is anybody's guess. */
		if (header_count(rq, "authorization") > 1)
			return SIGV4_SCHEME_UNKNOWN;
		if (slice_prefix(auth, "AWS4-HMAC-SHA256") &&
		    (auth.n == 16 || auth.p[16] == ' ' || auth.p[16] == '\t'))
			return SIGV4_SCHEME_HEADER;
		if (slice_prefix(auth, "AWS4-ECDSA-P256-SHA256"))
			return SIGV4_SCHEME_V4A;
		if (slice_prefix(auth, "AWS "))
			return SIGV4_SCHEME_V2_HEADER;
		return SIGV4_SCHEME_UNKNOWN;
	}
	if (q4) {
		if (query_get(query, "X-Amz-Algorithm", &algo) &&
		    query_decode(algo, dec, sizeof(dec), &n) && n == 22 &&
		    memcmp(dec, "AWS4-ECDSA-P256-SHA256", 22) == 0)
			return SIGV4_SCHEME_V4A;
		return SIGV4_SCHEME_PRESIGNED;
	}
	if (q2)
		return SIGV4_SCHEME_V2_PRESIGNED;
	return SIGV4_SCHEME_ANONYMOUS;
}

static enum s3_code
fail(struct sigv4_err *err, enum s3_code code, const char *msg)
{
	sigv4_err_clear(err);
	if (msg)
		err_msg(err, "%s", msg);
	return code;
}

enum s3_code
sigv4_scheme_error(enum sigv4_scheme s, const struct sigv4_request *rq, struct sigv4_err *err)
{
	struct slice auth = { "", 0 }, word;
	enum s3_code c;

	switch (s) {
	case SIGV4_SCHEME_HEADER:
	case SIGV4_SCHEME_PRESIGNED:
		return S3E_NONE;
	case SIGV4_SCHEME_ANONYMOUS:
		return fail(err, S3E_AccessDenied, NULL);
	case SIGV4_SCHEME_V2_HEADER:
	case SIGV4_SCHEME_V2_PRESIGNED:
	case SIGV4_SCHEME_V4A:
		/* §2.1/§2.9; SigV4a: 400 rather than 501 — a 5xx invites retries (§10.1). */
		return fail(err, S3E_InvalidRequest, UNSUPPORTED_MECHANISM);
	case SIGV4_SCHEME_CONFLICT:
		c = fail(err, S3E_InvalidArgument,
		         "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
		         "parameter, Signature query string parameter or the Authorization header "
		         "should be specified");
		break;
	case SIGV4_SCHEME_UNKNOWN:
	default:
		c = fail(err, S3E_InvalidArgument, "Unsupported Authorization Type");
		break;
	}
	/* Echo only the scheme word: the rest of an Authorization header is never repeated. */
	authorization(rq, &auth);
	word = auth;
	for (size_t i = 0; i < auth.n; i++)
		if (is_ows(auth.p[i])) {
			word.n = i;
			break;
		}
	if (word.n > 64)
		word.n = 64;
	err_extra_str(err, "ArgumentName", "Authorization");
	err_extra(err, "ArgumentValue", word.p, word.n);
	return c;
}

/* ---- Authorization header ------------------------------------------------------------- */

static enum s3_code
malformed(struct sigv4_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static enum s3_code
malformed(struct sigv4_err *err, const char *fmt, ...)
{
	char tail[224];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof(tail), fmt, ap);
	va_end(ap);
	sigv4_err_clear(err);
	err_msg(err, MALFORMED_PREFIX "%s", tail);
	return S3E_AuthorizationHeaderMalformed;
}

/* Credential check shared by the header and the query forms. @query selects the
 * AuthorizationQueryParametersError wording. */
static enum s3_code
parse_credential(struct slice cred, bool query, struct sigv4_authz *out, struct sigv4_err *err)
{
	struct slice part[5], rest = cred;
	enum s3_code code = query ? S3E_AuthorizationQueryParametersError
	                          : S3E_AuthorizationHeaderMalformed;
	const char *prefix = query ? QUERY_CRED_PREFIX : MALFORMED_PREFIX;
	char t[96];
	int i;

	for (i = 0; i < 4; i++)
		if (!split_at(rest, '/', &part[i], &rest))
			break;
	part[4] = rest;
	if (i < 4 || memchr(rest.p, '/', rest.n) || part[0].n == 0) {
		sigv4_err_clear(err);
		err_msg(err,
		        "%sthe Credential is mal-formed; expecting "
		        "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
		        prefix);
		return code;
	}
	if (!parse_date8(part[1])) {
		sigv4_err_clear(err);
		err_msg(err,
		        "%sincorrect date format \"%s\". This date in the credential must be in the "
		        "format \"yyyyMMdd\".",
		        prefix, show(t, sizeof(t), part[1]));
		return code;
	}
	if (!slice_eq(part[3], "s3", 2)) {
		sigv4_err_clear(err);
		err_msg(err, "%sincorrect service \"%s\". This endpoint belongs to \"s3\".", prefix,
		        show(t, sizeof(t), part[3]));
		return code;
	}
	if (!slice_eq(part[4], "aws4_request", 12)) {
		sigv4_err_clear(err);
		err_msg(err, "%sincorrect terminal \"%s\". This endpoint uses \"aws4_request\".",
		        prefix, show(t, sizeof(t), part[4]));
		return code;
	}
	out->access_key = part[0];
	out->date8 = part[1];
	out->region = part[2];
	out->service = part[3];
	out->terminal = part[4];
	out->scope = (struct slice){ part[1].p, (size_t)(cred.p + cred.n - part[1].p) };
	return S3E_NONE;
}

enum s3_code
sigv4_parse_authorization(struct slice value, struct sigv4_authz *out, struct sigv4_err *err)
{
	struct slice v = trim(value), comp[3], rest, name, val, got[3] = { { 0 } };
	static const char *const names[3] = { "Credential", "SignedHeaders", "Signature" };
	struct sigv4_authz a;
	size_t ncomp = 0, i, k;
	bool seen[3] = { false, false, false };
	char t[160];
	enum s3_code c;

	if (!slice_prefix(v, "AWS4-HMAC-SHA256") ||
	    (v.n > 16 && !is_ows(v.p[16])))
		return malformed(err, "the authorization header requires three components: "
		                      "Credential, SignedHeaders, and Signature.");
	rest = trim((struct slice){ v.p + 16, v.n - 16 });
	/* Components are ',' separated with optional spaces: s3cmd sends none, boto3 ", ". */
	for (i = 0; i < rest.n; i++)
		ncomp += rest.p[i] == ',';
	if (ncomp != 2)
		return malformed(err, "the authorization header requires three components: "
		                      "Credential, SignedHeaders, and Signature.");
	split_at(rest, ',', &comp[0], &rest);
	split_at(rest, ',', &comp[1], &comp[2]);
	for (i = 0; i < 3; i++) {
		comp[i] = trim(comp[i]);
		if (!split_at(comp[i], '=', &name, &val))
			return malformed(err, "the authorization component \"%s\" is malformed.",
			                 show(t, sizeof(t), comp[i]));
		for (k = 0; k < 3 && !slice_eq(name, names[k], strlen(names[k])); k++)
			;
		if (k == 3 || seen[k])
			return malformed(err, "the authorization component \"%s\" is malformed.",
			                 show(t, sizeof(t), comp[i]));
		seen[k] = true;
		got[k] = val;
	}
	/* Three distinct known names were seen, so none is missing; keep AWS's wording for
	 * the empty ones. */
	if (got[0].n == 0)
		return malformed(err, "missing Credential.");
	if (got[1].n == 0)
		return malformed(err, "missing SignedHeaders.");
	if (got[2].n == 0)
		return malformed(err, "missing Signature.");
	memset(&a, 0, sizeof(a));
	if ((c = parse_credential(got[0], false, &a, err)) != S3E_NONE)
		return c;
	if (!signed_headers_ok(got[1]))
		return malformed(err, "the authorization component \"SignedHeaders=%s\" is "
		                      "malformed.",
		                 show(t, sizeof(t), got[1]));
	a.signed_headers = got[1];
	a.signature = got[2];
	*out = a;
	return S3E_NONE;
}

/* ---- payload ---------------------------------------------------------------------------- */

enum s3_code
sigv4_payload_parse(struct slice v, enum sigv4_payload *mode, uint8_t sha[CR_SHA256_LEN],
                    struct sigv4_err *err)
{
	static const struct {
		const char *s;
		enum sigv4_payload m;
	} known[] = {
		{ "UNSIGNED-PAYLOAD", SIGV4_PAYLOAD_UNSIGNED },
		{ "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", SIGV4_PAYLOAD_STREAMING_SIGNED },
		{ "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
		  SIGV4_PAYLOAD_STREAMING_SIGNED_TRAILER },
		{ "STREAMING-UNSIGNED-PAYLOAD-TRAILER", SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER },
	};
	bool hex = v.n == 2 * CR_SHA256_LEN;
	size_t i;

	for (i = 0; hex && i < v.n; i++)
		hex = (v.p[i] >= '0' && v.p[i] <= '9') || (v.p[i] >= 'a' && v.p[i] <= 'f');
	if (hex) {
		if (cr_hex_decode(v.p, v.n, sha, CR_SHA256_LEN) != CR_OK)
			return fail(err, S3E_InternalError, NULL);
		*mode = SIGV4_PAYLOAD_SHA256;
		return S3E_NONE;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (slice_eq(v, known[i].s, strlen(known[i].s))) {
			*mode = known[i].m;
			return S3E_NONE;
		}
	if (slice_eq(v, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", 40) ||
	    slice_eq(v, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER", 48)) {
		sigv4_err_clear(err);
		err_msg(err, "The chunk encoding algorithm %.*s is not supported.", (int)v.n, v.p);
		return S3E_NotImplemented;
	}
	fail(err, S3E_InvalidArgument,
	     "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
	     "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
	     "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, "
	     "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
	err_extra_str(err, "ArgumentName", "x-amz-content-sha256");
	err_extra(err, "ArgumentValue", v.p, v.n > 128 ? 128 : v.n);
	return S3E_InvalidArgument;
}

/* ---- verification ------------------------------------------------------------------------ */

/* Header families whose unsigned presence would let anyone holding a captured request
 * change what it does to a locked object (§2.3 "Unsigned x-amz-* headers"). */
static bool
is_guarded_header(struct slice name)
{
	return slice_case_eq(name, "x-amz-bypass-governance-retention", 33) ||
	       slice_case_prefix(name, "x-amz-object-lock-") ||
	       slice_case_prefix(name, "x-amz-server-side-encryption") ||
	       slice_case_prefix(name, "x-amz-copy-source") ||
	       slice_case_prefix(name, "x-amz-checksum-");
}

/* Collect, lower-cased and ", "-joined, the headers that must be signed and are not:
 * @required names (NULL-terminated) and, among the present headers, every x-amz-* one
 * (@all_amz) or the guarded families. AccessDenied with HeadersNotSigned if any. */
static enum s3_code
check_unsigned(const struct sigv4_request *rq, struct slice signed_list,
               const char *const *required, bool all_amz, struct sigv4_err *err)
{
	char list[1024];
	size_t o = 0;
	bool any = false;

	for (size_t i = 0; required[i]; i++) {
		size_t n = strlen(required[i]);
		if (signed_has(signed_list, required[i], n))
			continue;
		if (o + n + 2 < sizeof(list)) {
			if (any) {
				memcpy(list + o, ", ", 2);
				o += 2;
			}
			memcpy(list + o, required[i], n);
			o += n;
		}
		any = true;
	}
	for (size_t i = 0; i < rq->nheaders; i++) {
		struct slice nm = rq->headers[i].name;
		bool dup = false;
		if (!(all_amz ? slice_case_prefix(nm, "x-amz-") : is_guarded_header(nm)) ||
		    signed_has(signed_list, nm.p, nm.n))
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = slice_case_eq(rq->headers[j].name, nm.p, nm.n);
		if (dup)
			continue;
		any = true;
		if (o + nm.n + 2 >= sizeof(list))
			continue; /* listed as far as it fits */
		if (o) {
			memcpy(list + o, ", ", 2);
			o += 2;
		}
		for (size_t k = 0; k < nm.n; k++)
			list[o++] = lower(nm.p[k]);
	}
	if (!any)
		return S3E_NONE;
	fail(err, S3E_AccessDenied, NOT_SIGNED);
	err_extra(err, "HeadersNotSigned", list, o);
	return S3E_AccessDenied;
}

static enum s3_code
sig_mismatch(struct sigv4_err *err, struct slice akid, const char *sts, size_t sts_len,
             struct slice provided, const struct buf *creq)
{
	fail(err, S3E_SignatureDoesNotMatch, NULL);
	err_extra(err, "AWSAccessKeyId", akid.p, akid.n);
	err_extra(err, "StringToSign", sts, sts_len);
	err_extra(err, "SignatureProvided", provided.p, provided.n > 128 ? 128 : provided.n);
	err_extra_bytes(err, "StringToSignBytes", sts, sts_len);
	err_extra(err, "CanonicalRequest", creq->ptr ? creq->ptr : "", creq->len);
	err_extra_bytes(err, "CanonicalRequestBytes", creq->ptr ? creq->ptr : "", creq->len);
	return S3E_SignatureDoesNotMatch;
}

static enum s3_code
region_ok(const struct sigv4_config *cfg, struct slice region, bool query,
          struct sigv4_err *err)
{
	const char *want = cfg->region ? cfg->region : "us-east-1";
	char t[96];

	/* the bound keeps struct sigv4_auth's region and scope from overflowing whatever the
	 * caller configured */
	if (region.n <= SIGV4_REGION_MAX &&
	    (slice_eq(region, want, strlen(want)) || slice_eq(region, "us-east-1", 9)))
		return S3E_NONE;
	sigv4_err_clear(err);
	err_msg(err, "%sthe region '%s' is wrong; expecting '%s'",
	        query ? QUERY_CRED_PREFIX : MALFORMED_PREFIX, show(t, sizeof(t), region), want);
	err_extra_str(err, "Region", want);
	return query ? S3E_AuthorizationQueryParametersError : S3E_AuthorizationHeaderMalformed;
}

/* What both schemes share once the credential, time and payload are settled: look up the
 * secret, derive the key, rebuild and compare. Fills @out on success. */
struct verify_ctx {
	const struct sigv4_request *rq;
	const struct sigv4_config *cfg;
	struct sigv4_authz authz;
	bool presigned;
	struct slice hashed_payload; /* the literal HashedPayload line */
	enum sigv4_payload mode;
	uint8_t sha[CR_SHA256_LEN];
	int64_t t;
	char amz_date[32];
};

static enum s3_code
finish_verify(struct verify_ctx *v, struct sigv4_auth *out, struct sigv4_err *err)
{
	const struct sigv4_authz *a = &v->authz;
	char akid[SIGV4_ACCESS_KEY_MAX + 1], secret[CR_SIGV4_SECRET_MAX + 1];
	char sts[CR_SIGV4_STS_MAX + 1], sig[CR_SIGV4_SIG_HEX_LEN + 1];
	uint8_t key[CR_SIGV4_KEY_LEN];
	size_t secret_len = 0;
	struct buf creq;
	enum s3_code code;
	int rc, sts_len;

	buf_init(&creq, SIGV4_CANON_MAX);
	if (a->access_key.n > SIGV4_ACCESS_KEY_MAX || memchr(a->access_key.p, '\0', a->access_key.n) ||
	    !v->cfg->secret) {
		fail(err, S3E_InvalidAccessKeyId, NULL);
		err_extra(err, "AWSAccessKeyId", a->access_key.p,
		          a->access_key.n > SIGV4_ACCESS_KEY_MAX ? SIGV4_ACCESS_KEY_MAX
		                                                 : a->access_key.n);
		return S3E_InvalidAccessKeyId;
	}
	memcpy(akid, a->access_key.p, a->access_key.n);
	akid[a->access_key.n] = '\0';
	rc = v->cfg->secret(v->cfg->secret_ctx, akid, secret, CR_SIGV4_SECRET_MAX, &secret_len);
	if (rc == GW_ENOTFOUND) {
		fail(err, S3E_InvalidAccessKeyId, NULL);
		err_extra_str(err, "AWSAccessKeyId", akid);
		code = S3E_InvalidAccessKeyId;
		goto out;
	}
	if (rc != GW_OK || secret_len > CR_SIGV4_SECRET_MAX) {
		code = fail(err, S3E_InternalError, NULL);
		goto out;
	}
	/* The key is derived with the scope's region, not ours (§2.8 pitfall 10). */
	if (cr_sigv4_signing_key(secret, secret_len, a->date8.p, a->date8.n, a->region.p,
	                         a->region.n, "s3", 2, key) != CR_OK) {
		code = fail(err, S3E_InternalError, NULL);
		goto out;
	}
	rc = sigv4_canonical_request(v->rq, a->signed_headers, v->hashed_payload, v->presigned,
	                             &creq);
	if (rc == GW_E2BIG) {
		code = fail(err, S3E_RequestHeaderSectionTooLarge, NULL);
		goto out;
	}
	if (rc != GW_OK) {
		code = fail(err, S3E_InternalError, NULL);
		goto out;
	}
	sts_len = cr_sigv4_string_to_sign(v->amz_date, CR_SIGV4_AMZ_DATE_LEN, a->scope.p,
	                                  a->scope.n, creq.ptr ? creq.ptr : "", creq.len, sts,
	                                  sizeof(sts));
	if (sts_len < 0) {
		code = fail(err, S3E_InternalError, NULL);
		goto out;
	}
	cr_sigv4_sign(key, sts, (size_t)sts_len, sig);
	if (a->signature.n != CR_SIGV4_SIG_HEX_LEN ||
	    !cr_ct_equal(sig, a->signature.p, CR_SIGV4_SIG_HEX_LEN)) {
		code = sig_mismatch(err, a->access_key, sts, (size_t)sts_len, a->signature, &creq);
		goto out;
	}
	memset(out, 0, sizeof(*out));
	out->scheme = v->presigned ? SIGV4_SCHEME_PRESIGNED : SIGV4_SCHEME_HEADER;
	out->payload = v->mode;
	if (v->mode == SIGV4_PAYLOAD_SHA256)
		memcpy(out->payload_sha256, v->sha, CR_SHA256_LEN);
	memcpy(out->access_key, akid, a->access_key.n + 1);
	memcpy(out->region, a->region.p, a->region.n); /* region_ok bounded it */
	memcpy(out->amz_date, v->amz_date, CR_SIGV4_AMZ_DATE_LEN);
	memcpy(out->scope, a->scope.p, a->scope.n);
	memcpy(out->seed_signature, sig, CR_SIGV4_SIG_HEX_LEN);
	memcpy(out->signing_key, key, CR_SIGV4_KEY_LEN);
	out->request_time_s = v->t;
	code = S3E_NONE;
out:
	cr_wipe(secret, sizeof(secret));
	cr_wipe(key, sizeof(key));
	buf_release(&creq);
	return code;
}

static enum s3_code
verify_header(const struct sigv4_request *rq, const struct sigv4_config *cfg,
              struct sigv4_auth *out, struct sigv4_err *err)
{
	struct verify_ctx v = { .rq = rq, .cfg = cfg };
	struct slice auth = { "", 0 };
	char date[64], csha[160], t1[64], t2[64];
	const char *required[3] = { "host", NULL, NULL };
	size_t dlen = 0, clen = 0;
	int have;
	enum s3_code c;

	authorization(rq, &auth);
	if ((c = sigv4_parse_authorization(auth, &v.authz, err)) != S3E_NONE)
		return c;
	/* Request time: x-amz-date, else Date; whichever is used must be signed (§2.2). */
	have = header_small(rq, "x-amz-date", date, sizeof(date), &dlen);
	if (have) {
		required[1] = "x-amz-date";
		if (have < 0 || !parse_amz_date((struct slice){ date, dlen }, &v.t))
			have = -1;
	} else {
		have = header_small(rq, "date", date, sizeof(date), &dlen);
		required[1] = "date";
		if (have > 0 && !parse_http_date((struct slice){ date, dlen }, &v.t) &&
		    !parse_amz_date((struct slice){ date, dlen }, &v.t))
			have = -1;
	}
	if (have <= 0)
		return fail(err, S3E_AccessDenied,
		            "AWS authentication requires a valid Date or x-amz-date header");
	if ((c = check_unsigned(rq, v.authz.signed_headers, required, false, err)) != S3E_NONE)
		return c;
	fmt_amz_date(v.t, v.amz_date);
	if (memcmp(v.authz.date8.p, v.amz_date, 8) != 0)
		return malformed(err, "Invalid credential date \"%.8s\". This date is not the "
		                      "same as X-Amz-Date: \"%.8s\".",
		                 v.authz.date8.p, v.amz_date);
	if ((c = region_ok(cfg, v.authz.region, false, err)) != S3E_NONE)
		return c;
	if (differ_by_more(rq->now_s, v.t, SIGV4_MAX_SKEW_S)) {
		fail(err, S3E_RequestTimeTooSkewed, NULL);
		fmt_iso(rq->now_s, t2);
		err_extra(err, "RequestTime", date, dlen);
		err_extra_str(err, "ServerTime", t2);
		snprintf(t1, sizeof(t1), "%d", SIGV4_MAX_SKEW_S * 1000);
		err_extra_str(err, "MaxAllowedSkewMilliseconds", t1);
		return S3E_RequestTimeTooSkewed;
	}
	have = header_small(rq, "x-amz-content-sha256", csha, sizeof(csha), &clen);
	if (have == 0) {
		/* AWS refuses this, but curl --aws-sigv4 (7.75 .. 8.x) sends no
		 * x-amz-content-sha256 and, for uploads from a file (-T), signs the SHA-256 of an
		 * empty payload whatever the body. Such a request is verified with that value and
		 * its body then treated as UNSIGNED-PAYLOAD: the signature still covers method,
		 * path, query and headers, exactly what an UNSIGNED-PAYLOAD request gets. */
		static const char empty_sha[] =
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
		v.hashed_payload = (struct slice){ empty_sha, sizeof(empty_sha) - 1 };
		v.mode = SIGV4_PAYLOAD_UNSIGNED;
		return finish_verify(&v, out, err);
	}
	if (have < 0)
		clen = 0; /* too long: certainly invalid, and not echoed */
	if ((c = sigv4_payload_parse((struct slice){ csha, clen }, &v.mode, v.sha, err)) !=
	    S3E_NONE)
		return c;
	/* The literal header value is hashed, STREAMING-* included (§2.8 pitfall 8). */
	v.hashed_payload = (struct slice){ csha, clen };
	return finish_verify(&v, out, err);
}

static enum s3_code
qerr(struct sigv4_err *err, const char *msg)
{
	return fail(err, S3E_AuthorizationQueryParametersError, msg);
}

/* Decoded presigned parameter into a fixed buffer; false if absent. *too_long set when it
 * does not fit (the caller decides what that means). */
static bool
qparam(struct slice query, const char *name, char *dst, size_t cap, size_t *len,
       bool *too_long)
{
	struct slice raw;

	*too_long = false;
	*len = 0;
	dst[0] = '\0';
	if (!query_get(query, name, &raw))
		return false;
	if (!query_decode(raw, dst, cap, len)) {
		*too_long = true;
		dst[0] = '\0';
		*len = 0;
	}
	return true;
}

struct presign_params {
	char algo[64], cred[512], date[64], expires[64], sig[160], csha[160];
	char sh[SIGV4_SIGNED_HEADERS_MAX * 64];
};

static enum s3_code
verify_presigned(const struct sigv4_request *rq, const struct sigv4_config *cfg,
                 struct sigv4_auth *out, struct sigv4_err *err)
{
	struct verify_ctx v = { .rq = rq, .cfg = cfg, .presigned = true };
	struct presign_params *pp = NULL;
	struct slice path, query;
	size_t lalgo, lcred, ldate, lexp, lsig, lsh, lcsha, clen = 0;
	bool talgo, tcred, tdate, texp, tsig, tsh, tcsha;
	char t1[32], t2[32], t3[32], t[96];
	const char *required[2] = { "host", NULL };
	uint64_t expires = 0;
	enum s3_code c;
	int have;

	split_target(rq->target, &path, &query);
	pp = calloc(1, sizeof(*pp));
	if (!pp)
		return fail(err, S3E_InternalError, NULL);
	if (!qparam(query, "X-Amz-Algorithm", pp->algo, sizeof(pp->algo), &lalgo, &talgo)) {
		c = qerr(err, MISSING_QUERY_PARAMS);
		goto out;
	}
	if (talgo || !slice_eq((struct slice){ pp->algo, lalgo }, "AWS4-HMAC-SHA256", 16)) {
		c = qerr(err, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
		goto out;
	}
	if (!qparam(query, "X-Amz-Credential", pp->cred, sizeof(pp->cred), &lcred, &tcred) ||
	    !qparam(query, "X-Amz-Date", pp->date, sizeof(pp->date), &ldate, &tdate) ||
	    !qparam(query, "X-Amz-Expires", pp->expires, sizeof(pp->expires), &lexp, &texp) ||
	    !qparam(query, "X-Amz-SignedHeaders", pp->sh, sizeof(pp->sh), &lsh, &tsh) ||
	    !qparam(query, "X-Amz-Signature", pp->sig, sizeof(pp->sig), &lsig, &tsig)) {
		c = qerr(err, MISSING_QUERY_PARAMS);
		goto out;
	}
	if ((c = parse_credential(tcred ? (struct slice){ "", 0 }
	                                : (struct slice){ pp->cred, lcred },
	                          true, &v.authz, err)) != S3E_NONE)
		goto out;
	if ((c = region_ok(cfg, v.authz.region, true, err)) != S3E_NONE)
		goto out;
	if (tdate || !parse_amz_date((struct slice){ pp->date, ldate }, &v.t)) {
		c = qerr(err, "X-Amz-Date must be in the ISO8601 Long Format "
		              "\"yyyyMMdd'T'HHmmss'Z'\"");
		goto out;
	}
	if (memcmp(v.authz.date8.p, pp->date, 8) != 0) {
		sigv4_err_clear(err);
		err_msg(err,
		        "Invalid credential date \"%.8s\". This date is not the same as X-Amz-Date: "
		        "\"%.8s\".",
		        v.authz.date8.p, pp->date);
		c = S3E_AuthorizationQueryParametersError;
		goto out;
	}
	if (!texp && lexp > 1 && pp->expires[0] == '-' &&
	    all_digits((struct slice){ pp->expires + 1, lexp - 1 })) {
		c = qerr(err, "X-Amz-Expires must be non-negative");
		goto out;
	}
	if (texp || !all_digits((struct slice){ pp->expires, lexp })) {
		c = qerr(err, "X-Amz-Expires should be a number");
		goto out;
	}
	for (size_t i = 0; i < lexp && expires <= SIGV4_MAX_EXPIRES_S; i++)
		expires = expires * 10 + (uint64_t)(pp->expires[i] - '0');
	if (expires > SIGV4_MAX_EXPIRES_S) {
		c = qerr(err, "X-Amz-Expires must be less than a week (in seconds) that is 604800");
		goto out;
	}
	if (tsh || !signed_headers_ok((struct slice){ pp->sh, lsh })) {
		sigv4_err_clear(err);
		err_msg(err, "X-Amz-SignedHeaders \"%s\" is malformed.",
		        show(t, sizeof(t), (struct slice){ pp->sh, lsh }));
		c = S3E_AuthorizationQueryParametersError;
		goto out;
	}
	v.authz.signed_headers = (struct slice){ pp->sh, lsh };
	v.authz.signature = tsig ? (struct slice){ "", 0 } : (struct slice){ pp->sig, lsig };
	/* AWS refuses any unsigned x-amz-* header on a presigned request. */
	if ((c = check_unsigned(rq, v.authz.signed_headers, required, true, err)) != S3E_NONE)
		goto out;
	if (v.t > rq->now_s && differ_by_more(v.t, rq->now_s, SIGV4_MAX_SKEW_S)) {
		c = fail(err, S3E_AccessDenied, "Request is not valid yet");
		goto out;
	}
	if (rq->now_s > v.t + (int64_t)expires) {
		fail(err, S3E_AccessDenied, "Request has expired");
		snprintf(t1, sizeof(t1), "%llu", (unsigned long long)expires);
		fmt_iso(v.t + (int64_t)expires, t2);
		fmt_iso(rq->now_s, t3);
		err_extra_str(err, "X-Amz-Expires", t1);
		err_extra_str(err, "Expires", t2);
		err_extra_str(err, "ServerTime", t3);
		c = S3E_AccessDenied;
		goto out;
	}
	/* HashedPayload: X-Amz-Content-Sha256 when given (§2.6) — as a query parameter, else
	 * as a header (signed: checked above), as botocore and minio-go compute it — else
	 * UNSIGNED-PAYLOAD. The same value sets the body mode. */
	if (qparam(query, "X-Amz-Content-Sha256", pp->csha, sizeof(pp->csha), &lcsha, &tcsha)) {
		v.hashed_payload = (struct slice){ pp->csha, tcsha ? 0 : lcsha };
	} else if ((have = header_small(rq, "x-amz-content-sha256", pp->csha, sizeof(pp->csha),
	                                &clen)) != 0) {
		v.hashed_payload = (struct slice){ pp->csha, have < 0 ? 0 : clen };
	} else {
		v.hashed_payload = (struct slice){ "UNSIGNED-PAYLOAD", 16 };
	}
	if ((c = sigv4_payload_parse(v.hashed_payload, &v.mode, v.sha, err)) != S3E_NONE)
		goto out;
	memcpy(v.amz_date, pp->date, CR_SIGV4_AMZ_DATE_LEN);
	v.amz_date[CR_SIGV4_AMZ_DATE_LEN] = '\0';
	c = finish_verify(&v, out, err);
out:
	free(pp);
	return c;
}

enum s3_code
sigv4_verify(const struct sigv4_request *rq, const struct sigv4_config *cfg,
             struct sigv4_auth *out, struct sigv4_err *err)
{
	enum sigv4_scheme s = sigv4_detect(rq);

	sigv4_err_clear(err);
	switch (s) {
	case SIGV4_SCHEME_HEADER:
		return verify_header(rq, cfg, out, err);
	case SIGV4_SCHEME_PRESIGNED:
		return verify_presigned(rq, cfg, out, err);
	default:
		return sigv4_scheme_error(s, rq, err);
	}
}

enum s3_code
sigv4_payload_verify(const struct sigv4_auth *a, const uint8_t body_sha256[CR_SHA256_LEN],
                     struct sigv4_err *err)
{
	char want[2 * CR_SHA256_LEN + 1], got[2 * CR_SHA256_LEN + 1];

	if (a->payload != SIGV4_PAYLOAD_SHA256 ||
	    cr_ct_equal(a->payload_sha256, body_sha256, CR_SHA256_LEN))
		return S3E_NONE;
	cr_hex_encode(a->payload_sha256, CR_SHA256_LEN, want);
	cr_hex_encode(body_sha256, CR_SHA256_LEN, got);
	fail(err, S3E_XAmzContentSHA256Mismatch, NULL);
	err_extra_str(err, "ClientComputedContentSHA256", want);
	err_extra_str(err, "S3ComputedContentSHA256", got);
	return S3E_XAmzContentSHA256Mismatch;
}

void
sigv4_auth_wipe(struct sigv4_auth *a)
{
	if (a)
		cr_wipe(a, sizeof(*a));
}
