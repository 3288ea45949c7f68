/* SPDX-License-Identifier: Apache-2.0 */
/* Range and Content-Range (spec/S3.md §5.2, §7.3): single ranges only, AWS's answers. */
#include "range.h"

#include <stdbool.h>
#include <string.h>

/* A run of decimal digits: its value saturated at UINT64_MAX, and the digits themselves
 * without leading zeros so two overflowed values can still be compared exactly. */
struct num {
	uint64_t v;
	bool overflow;
	const char *sig; /* significant digits */
	size_t nsig;
};

/* Parse 1+ digits at p[*i]; false if there is none. Overflow is checked digit by digit
 * (nginx range filter: cutoff/cutlim) so no input can wrap. */
static bool
parse_num(const char *p, size_t n, size_t *i, struct num *out)
{
	const uint64_t cutoff = UINT64_MAX / 10, cutlim = UINT64_MAX % 10;
	size_t start = *i, j = *i;

	out->v = 0;
	out->overflow = false;
	while (j < n && p[j] >= '0' && p[j] <= '9') {
		uint64_t d = (uint64_t)(p[j] - '0');
		if (!out->overflow) {
			if (out->v > cutoff || (out->v == cutoff && d > cutlim))
				out->overflow = true;
			else
				out->v = out->v * 10 + d;
		}
		j++;
	}
	if (j == start)
		return false;
	while (start < j - 1 && p[start] == '0')
		start++;
	out->sig = p + start;
	out->nsig = j - start;
	*i = j;
	return true;
}

/* a < b for two parsed numbers, exact even past UINT64_MAX */
static bool
num_lt(const struct num *a, const struct num *b)
{
	if (!a->overflow && !b->overflow)
		return a->v < b->v;
	if (a->nsig != b->nsig)
		return a->nsig < b->nsig;
	return memcmp(a->sig, b->sig, a->nsig) < 0;
}

static bool
unit_bytes(const char *p, size_t n, size_t *i)
{
	static const char u[] = "bytes=";

	if (n < sizeof(u) - 1)
		return false;
	for (size_t k = 0; k < sizeof(u) - 1; k++) {
		char c = p[k];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != u[k])
			return false;
	}
	*i = sizeof(u) - 1;
	return true;
}

enum s3_range_rc
s3_range_parse(const char *p, size_t n, uint64_t size, struct s3_range *out)
{
	struct num first, last;
	size_t i = 0;

	if (!p || !unit_bytes(p, n, &i))
		return S3_RANGE_WHOLE; /* absent, or a unit we do not serve: ignore */
	if (i < n && p[i] == '-') {
		/* suffix-range "-n": the last n bytes */
		i++;
		if (!parse_num(p, n, &i, &last) || i != n)
			return S3_RANGE_WHOLE; /* "bytes=-", "bytes=-1,2-3", "bytes=-1x" */
		if (last.v == 0 || size == 0)
			return S3_RANGE_UNSATISFIABLE; /* "bytes=-0"; nothing to take from empty */
		if (last.overflow || last.v >= size) {
			out->start = 0;
			out->length = size;
		} else {
			out->start = size - last.v;
			out->length = last.v;
		}
		return S3_RANGE_PARTIAL;
	}
	/* int-range "a-" or "a-b"; anything trailing (",", spaces) makes it ignorable */
	if (!parse_num(p, n, &i, &first) || i >= n || p[i] != '-')
		return S3_RANGE_WHOLE;
	i++;
	if (i == n) {
		if (first.overflow || first.v >= size)
			return S3_RANGE_UNSATISFIABLE;
		out->start = first.v;
		out->length = size - first.v;
		return S3_RANGE_PARTIAL;
	}
	if (!parse_num(p, n, &i, &last) || i != n)
		return S3_RANGE_WHOLE;
	if (num_lt(&last, &first))
		return S3_RANGE_WHOLE; /* "bytes=10-5" is invalid syntax, not unsatisfiable */
	if (first.overflow || first.v >= size)
		return S3_RANGE_UNSATISFIABLE;
	out->start = first.v;
	/* clamp: last beyond the end means "to the end" */
	out->length = (last.overflow || last.v >= size) ? size - first.v : last.v - first.v + 1;
	return S3_RANGE_PARTIAL;
}

/* Decimal digits of v at dst; returns how many. */
static size_t
put_u64(char *dst, uint64_t v)
{
	char tmp[20];
	size_t k = 0, n;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (n = 0; n < k; n++)
		dst[n] = tmp[k - 1 - n];
	return k;
}

int
s3_content_range(char *dst, size_t cap, const struct s3_range *r, uint64_t size)
{
	char tmp[S3_CONTENT_RANGE_MAX];
	size_t k = 0;

	if (r && (r->length == 0 || r->start >= size || r->length > size - r->start))
		return -1;
	memcpy(tmp, "bytes ", 6);
	k = 6;
	if (r) {
		k += put_u64(tmp + k, r->start);
		tmp[k++] = '-';
		k += put_u64(tmp + k, r->start + r->length - 1);
	} else {
		tmp[k++] = '*';
	}
	tmp[k++] = '/';
	k += put_u64(tmp + k, size);
	if (!dst || cap < k + 1)
		return -1;
	memcpy(dst, tmp, k);
	dst[k] = '\0';
	return (int)k;
}

enum s3_copy_range_rc
s3_copy_range_parse(const char *p, size_t n, uint64_t size, struct s3_range *out)
{
	struct num first, last;
	size_t i = 0;

	/* unlike Range, the unit is exact: the header is S3's own, not HTTP's */
	if (!p || n < 6 || memcmp(p, "bytes=", 6) != 0)
		return S3_COPY_RANGE_MALFORMED;
	i = 6;
	if (!parse_num(p, n, &i, &first) || i >= n || p[i] != '-')
		return S3_COPY_RANGE_MALFORMED;
	i++;
	if (!parse_num(p, n, &i, &last) || i != n || num_lt(&last, &first))
		return S3_COPY_RANGE_MALFORMED;
	if (last.overflow || last.v >= size)
		return S3_COPY_RANGE_OUTSIDE;
	out->start = first.v;
	out->length = last.v - first.v + 1;
	return S3_COPY_RANGE_OK;
}
