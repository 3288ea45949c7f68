/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz SigV4 verification: the input is a request as text —
 *   line 1: method, line 2: request-target, then one "Name:value" header per line
 * (LF or CRLF) — verified at two clock readings against a lookup that knows every access
 * key. Nothing may crash; invariants: the verdict is a real S3 code, error text is valid
 * UTF-8 without stray controls and never holds the secret (unless the request did),
 * canonical URIs and queries use only the unreserved set and upper-case escapes, and a
 * success names a consistent scope.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "secret/Key+with=chars0123456789abcdefghij" /* the unit-test fixtures' */
#define NOW 1796293230LL /* 2026-12-03T10:20:30Z, the corpus' signing time */
#define MAXH 48

static int
lookup(void *ctx, const char *access_key, char *secret, size_t cap, size_t *len)
{
	(void)ctx;
	if (strcmp(access_key, "UNKNOWN") == 0)
		return GW_ENOTFOUND;
	if (strcmp(access_key, "BROKEN") == 0)
		return GW_EIO;
	assert(cap >= sizeof(SECRET) - 1);
	memcpy(secret, SECRET, sizeof(SECRET) - 1);
	*len = sizeof(SECRET) - 1;
	return GW_OK;
}

static void
check_utf8_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		if (*p < 0x80) {
			assert(*p >= 0x20 || *p == '\n' || *p == '\t');
			p++;
			continue;
		}
		/* a lead byte followed by the right number of continuation bytes */
		size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		assert(*p >= 0xc2 && *p <= 0xf4);
		for (size_t i = 1; i < n; i++)
			assert((p[i] & 0xc0) == 0x80);
		p += n;
	}
}

/* The secret may be echoed only if the client itself sent it. */
static int input_has_secret;

static void
check_err(enum s3_code c, const struct sigv4_err *e)
{
	assert(c > S3E_NONE && c < S3E_COUNT_);
	assert(e->nextra <= SIGV4_ERR_EXTRAS && e->used <= sizeof(e->store));
	assert(memchr(e->msg, '\0', sizeof(e->msg)));
	check_utf8_text(e->msg);
	assert(input_has_secret || !strstr(e->msg, SECRET));
	for (size_t i = 0; i < e->nextra; i++) {
		assert(e->extra[i].name && e->extra[i].value);
		assert(e->extra[i].value >= e->store && e->extra[i].value < e->store + e->used);
		check_utf8_text(e->extra[i].value);
		assert(input_has_secret || !strstr(e->extra[i].value, SECRET));
	}
}

static int
hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static void
check_encoded(const char *p, size_t n, const char *extra_ok)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || strchr(extra_ok, c))
			continue;
		assert(c == '%' && i + 2 < n);
		assert(hexdig(p[i + 1]) && hexdig(p[i + 2]));
		i += 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sigv4_err err;
	struct sigv4_header h[MAXH];
	struct sigv4_request rq = { 0 };
	struct sigv4_config cfg = { "eu-central-1", lookup, NULL };
	struct sigv4_auth a;
	struct sigv4_authz authz;
	struct slice lines[MAXH + 2], rest = { (const char *)data, size };
	size_t nl = 0, nh = 0;
	struct buf b;
	enum s3_code c;

	input_has_secret = memmem(data, size, SECRET, sizeof(SECRET) - 1) != NULL;
	/* split into lines */
	while (nl < MAXH + 2 && rest.n) {
		const char *lf = memchr(rest.p, '\n', rest.n);
		size_t len = lf ? (size_t)(lf - rest.p) : rest.n;
		struct slice l = { rest.p, len };
		if (l.n && l.p[l.n - 1] == '\r')
			l.n--;
		lines[nl++] = l;
		rest.p += lf ? len + 1 : len;
		rest.n -= lf ? len + 1 : len;
	}
	rq.method = nl > 0 ? lines[0] : (struct slice){ "", 0 };
	rq.target = nl > 1 ? lines[1] : (struct slice){ "", 0 };
	for (size_t i = 2; i < nl; i++) {
		const char *colon = memchr(lines[i].p, ':', lines[i].n);
		if (!colon)
			continue;
		h[nh].name = (struct slice){ lines[i].p, (size_t)(colon - lines[i].p) };
		h[nh].value = (struct slice){ colon + 1, lines[i].n - h[nh].name.n - 1 };
		nh++;
	}
	rq.headers = h;
	rq.nheaders = nh;

	(void)sigv4_detect(&rq);
	for (int pass = 0; pass < 2; pass++) {
		rq.now_s = pass == 0 ? NOW : NOW + (size ? (int64_t)data[size / 2] * 997 - 127000 : 0);
		memset(&a, 0, sizeof(a));
		c = sigv4_verify(&rq, &cfg, &a, &err);
		if (c == S3E_NONE) {
			assert(a.scheme == SIGV4_SCHEME_HEADER || a.scheme == SIGV4_SCHEME_PRESIGNED);
			assert(strlen(a.amz_date) == 16 && strncmp(a.scope, a.amz_date, 8) == 0);
			assert(strlen(a.seed_signature) == 64);
			assert(a.payload >= SIGV4_PAYLOAD_SHA256 &&
			       a.payload <= SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER);
		} else {
			check_err(c, &err);
		}
		sigv4_auth_wipe(&a);
	}
	/* the pieces on their own */
	for (size_t i = 0; i < nh; i++) {
		enum sigv4_payload m;
		uint8_t sha[CR_SHA256_LEN];
		if ((c = sigv4_parse_authorization(h[i].value, &authz, &err)) != S3E_NONE)
			check_err(c, &err);
		if ((c = sigv4_payload_parse(h[i].value, &m, sha, &err)) != S3E_NONE)
			check_err(c, &err);
	}
	buf_init(&b, SIGV4_CANON_MAX);
	{
		struct slice path = rq.target, query = { "", 0 };
		const char *q = rq.target.n ? memchr(rq.target.p, '?', rq.target.n) : NULL;
		if (q) {
			path.n = (size_t)(q - rq.target.p);
			query = (struct slice){ q + 1, rq.target.n - path.n - 1 };
		}
		if (sigv4_canonical_uri(path, &b) == GW_OK)
			check_encoded(b.ptr, b.len, "/");
		buf_reset(&b);
		if (sigv4_canonical_query(query, size & 1, &b) == GW_OK && b.len)
			check_encoded(b.ptr, b.len, "=&");
		buf_reset(&b);
	}
	if (nh)
		(void)sigv4_canonical_request(&rq, h[0].value, h[nh - 1].value, false, &b);
	buf_release(&b);
	return 0;
}
