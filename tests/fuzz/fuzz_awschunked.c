/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the aws-chunked decoder. Input: byte 0 = setup (mode, declared length present,
 * trailer declared), bytes 1-2 = declared length, bytes 3-4 and 5-6 = two split points,
 * the rest = the body. The body is decoded whole, cut at the two points, and byte by byte
 * (short inputs); the invariant asserted is that the three agree exactly: result code,
 * message, extras, decoded bytes, trailer checksum. Signed modes use the key and seed of the
 * unit-test fixtures (secret of tests/unit/gateway/test_awschunked.c, 2026-12-03, us-east-1,
 * seed sha256("seed")), so corpus files can carry valid signatures.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3/awschunked.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "secret/Key+with=chars0123456789abcdefghij"
#define SEED "19b25856e1c150ca834cffc8b59b23adbd0ec0389e58eb22b3b64768098d002b"
#define OUT_MAX (1 << 20)

struct out {
	uint8_t *p;
	size_t n;
	struct cr_hash h;
};

static enum s3_code
sink(void *ctx, const void *p, size_t n)
{
	struct out *o = ctx;

	/* keep the first OUT_MAX bytes, hash all of them */
	if (o->n < OUT_MAX)
		memcpy(o->p + o->n, p, n < OUT_MAX - o->n ? n : OUT_MAX - o->n);
	o->n += n;
	cr_hash_update(&o->h, p, n);
	return S3E_NONE;
}

struct result {
	enum s3_code init, code;
	char msg[160];
	size_t n, nextra;
	uint8_t hash[CR_SHA256_LEN];
	enum cr_cksum_alg alg;
	uint8_t ck[CR_MAX_DIGEST_LEN];
	size_t cklen;
	char extra[2][CR_SIGV4_STS_MAX + 1];
};

static const char *const trailers[4] = { NULL, "x-amz-checksum-crc32", "x-amz-checksum-sha256",
	                                 "x-amz-checksum-crc64nvme" };

static void
decode(const uint8_t *setup, const uint8_t *body, size_t len, const size_t *cuts, size_t nc,
       uint8_t *buf, struct result *r)
{
	static uint8_t key[CR_SIGV4_KEY_LEN];
	static int have_key;
	struct out o = { buf, 0, { 0 } };
	struct s3_chunked d;
	struct s3_chunked_params p = { 0 };
	const struct s3_error_extra *ex;
	char declared[16];
	size_t prev = 0;

	if (!have_key) {
		cr_sigv4_signing_key(SECRET, strlen(SECRET), "20261203", 8, "us-east-1", 9, "s3", 2,
		                     key);
		have_key = 1;
	}
	memset(r, 0, sizeof(*r));
	p.mode = (enum s3_chunked_mode)(setup[0] % 3 + 1);
	if (setup[0] & 0x04) {
		snprintf(declared, sizeof(declared), "%u", (unsigned)setup[1] << 8 | setup[2]);
		p.decoded_length = slice_from_cstr(declared);
	}
	if (trailers[(setup[0] >> 3) & 3])
		p.trailer = slice_from_cstr(trailers[(setup[0] >> 3) & 3]);
	p.signing_key = key;
	p.seed_signature = SEED;
	p.amz_date = "20261203T102030Z";
	p.scope = "20261203/us-east-1/s3/aws4_request";
	p.sink = sink;
	p.sink_ctx = &o;
	r->init = s3_chunked_init(&d, &p);
	if (r->init != S3E_NONE) {
		s3_chunked_release(&d);
		return;
	}
	assert(cr_hash_init(&o.h, CR_HASH_SHA256) == CR_OK);
	for (size_t i = 0; i <= nc; i++) {
		size_t end = i < nc ? cuts[i] : len;
		assert(end >= prev && end <= len);
		(void)s3_chunked_feed(&d, body + prev, end - prev);
		prev = end;
	}
	r->code = s3_chunked_finish(&d);
	if (s3_chunked_message(&d))
		snprintf(r->msg, sizeof(r->msg), "%s", s3_chunked_message(&d));
	r->n = o.n;
	assert(s3_chunked_decoded_bytes(&d) == o.n);
	cr_hash_final(&o.h, r->hash);
	cr_hash_release(&o.h);
	r->alg = s3_chunked_trailer_alg(&d);
	if (r->code == S3E_NONE) {
		const uint8_t *v = s3_chunked_trailer_value(&d, &r->cklen);
		assert(r->cklen <= sizeof(r->ck));
		if (v)
			memcpy(r->ck, v, r->cklen);
		/* a success always carries the checksum it declared */
		assert(r->alg == CR_CKSUM_NONE || (v && r->cklen == cr_cksum_len(r->alg)));
	}
	r->nextra = s3_chunked_extras(&d, &ex);
	assert(r->nextra <= 2);
	for (size_t i = 0; i < r->nextra; i++)
		snprintf(r->extra[i], sizeof(r->extra[i]), "%s", ex[i].value);
	s3_chunked_release(&d);
}

static void
same(const struct result *a, const struct result *b, const uint8_t *oa, const uint8_t *ob)
{
	assert(a->init == b->init);
	assert(a->code == b->code);
	assert(strcmp(a->msg, b->msg) == 0);
	assert(a->n == b->n);
	assert(memcmp(a->hash, b->hash, sizeof(a->hash)) == 0);
	assert(memcmp(oa, ob, a->n < OUT_MAX ? a->n : OUT_MAX) == 0);
	assert(a->alg == b->alg && a->cklen == b->cklen && memcmp(a->ck, b->ck, a->cklen) == 0);
	assert(a->nextra == b->nextra);
	for (size_t i = 0; i < a->nextra; i++)
		assert(strcmp(a->extra[i], b->extra[i]) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out_a[OUT_MAX], out_b[OUT_MAX];
	static struct result ra, rb;
	const uint8_t *body;
	size_t len, cuts[2];

	if (size < 7)
		return 0;
	body = data + 7;
	len = size - 7;
	cuts[0] = len ? ((size_t)data[3] << 8 | data[4]) % (len + 1) : 0;
	cuts[1] = len ? ((size_t)data[5] << 8 | data[6]) % (len + 1) : 0;
	if (cuts[1] < cuts[0]) {
		size_t t = cuts[0];
		cuts[0] = cuts[1];
		cuts[1] = t;
	}
	decode(data, body, len, NULL, 0, out_a, &ra);
	decode(data, body, len, cuts, 2, out_b, &rb);
	same(&ra, &rb, out_a, out_b);
	if (len <= 512) {
		static size_t each[512];
		for (size_t i = 0; i + 1 < len; i++)
			each[i] = i + 1;
		decode(data, body, len, each, len ? len - 1 : 0, out_b, &rb);
		same(&ra, &rb, out_a, out_b);
	}
	/* the invariants of any verdict */
	if (ra.init == S3E_NONE && ra.code == S3E_NONE)
		assert(ra.n <= len);
	return 0;
}
