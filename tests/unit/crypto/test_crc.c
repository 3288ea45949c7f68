/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CRC-32, CRC-32C and CRC-64/NVME: catalogue check values, values computed by AWS's own
 * SDK code, streaming vs one-shot, combine vs concatenation, hardware vs table CRC-32C,
 * and an informational throughput line.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "crc_internal.h"
#include "crypto.h"

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t
rng(void)
{
	/* xorshift64: deterministic, so a failure reproduces */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void
fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(rng() >> 32);
}

/* the byte pattern used to compute the references below: (i * 31 + 7) mod 256 */
static void
fill_pattern(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + 7);
}

struct crc_vec {
	const char *what;
	size_t pattern_len; /* when msg is NULL: that many pattern bytes */
	const char *msg;
	uint32_t crc32, crc32c;
	uint64_t crc64nvme;
};

/*
 * "123456789" gives the check values of the CRC catalogue (reveng: CRC-32/ISO-HDLC,
 * CRC-32/ISCSI, CRC-64/NVME). The other rows were computed with zlib.crc32 (Python) and
 * AWS's JavaScript SDK packages @aws-crypto/crc32c 5.2.0 and @aws-sdk/crc64-nvme (the code
 * the SDKs run to fill x-amz-checksum-*), and agree with a bitwise reference.
 */
static const struct crc_vec crc_vecs[] = {
	{ "empty", 0, "", 0x00000000u, 0x00000000u, 0x0000000000000000u },
	{ "check", 0, "123456789", 0xcbf43926u, 0xe3069283u, 0xae8b14860a799888u },
	{ "hello world", 0, "hello world", 0x0d4a1185u, 0xc99465aau, 0x8d29d5c3f6ea8ebeu },
	{ "pattern 1000", 1000, NULL, 0x8902161eu, 0xff52ee97u, 0x849baa14c18c6e4eu },
	{ "pattern 100000", 100000, NULL, 0x92858800u, 0xf3cb210bu, 0x0e765ccd2fd06682u },
};

static void
test_reference_values(void)
{
	uint8_t *pat = malloc(100000);
	size_t i;

	CHECK(pat != NULL);
	if (!pat)
		return;
	fill_pattern(pat, 100000);
	for (i = 0; i < sizeof(crc_vecs) / sizeof(crc_vecs[0]); i++) {
		const struct crc_vec *v = &crc_vecs[i];
		const void *p = v->msg ? (const void *)v->msg : pat;
		size_t n = v->msg ? strlen(v->msg) : v->pattern_len;
		int before = check_failures;

		CHECK_INT_EQ(cr_crc32(0, p, n), v->crc32);
		CHECK_INT_EQ(cr_crc32_sw(0, p, n), v->crc32);
		CHECK_INT_EQ(cr_crc32_hw(0, p, n), v->crc32);
		CHECK_INT_EQ(cr_crc32c(0, p, n), v->crc32c);
		CHECK_INT_EQ(cr_crc32c_sw(0, p, n), v->crc32c);
		CHECK_INT_EQ(cr_crc32c_hw(0, p, n), v->crc32c);
		CHECK(cr_crc64nvme(0, p, n) == v->crc64nvme);
		CHECK(cr_crc64nvme_sw(0, p, n) == v->crc64nvme);
		CHECK(cr_crc64nvme_hw(0, p, n) == v->crc64nvme);
		if (check_failures != before)
			fprintf(stderr, "reference '%s' failed\n", v->what);
	}
	/* an empty update is the identity, NULL pointer included */
	CHECK_INT_EQ(cr_crc32(0xcbf43926u, NULL, 0), 0xcbf43926u);
	CHECK_INT_EQ(cr_crc32c(0xe3069283u, NULL, 0), 0xe3069283u);
	CHECK(cr_crc64nvme(0xae8b14860a799888u, NULL, 0) == 0xae8b14860a799888u);
	free(pat);
}

/* Feeding a buffer in random pieces (empty ones included) gives the one-shot value. */
static void
test_streaming(void)
{
	size_t n = 300000, off, step;
	uint8_t *buf = malloc(n);
	int round;

	CHECK(buf != NULL);
	if (!buf)
		return;
	fill_random(buf, n);
	for (round = 0; round < 20; round++) {
		uint32_t c32 = 0, c32c = 0;
		uint64_t c64 = 0;
		size_t len = round == 0 ? n : rng() % n;

		for (off = 0; off < len; off += step) {
			/* mostly small pieces, sometimes big ones that reach the 3-way loop */
			step = rng() % 4 == 0 ? rng() % 60000 : rng() % 40;
			if (step > len - off)
				step = len - off;
			c32 = cr_crc32(c32, buf + off, step);
			c32c = cr_crc32c(c32c, buf + off, step);
			c64 = cr_crc64nvme(c64, buf + off, step);
		}
		CHECK_INT_EQ(c32, cr_crc32(0, buf, len));
		CHECK_INT_EQ(c32c, cr_crc32c(0, buf, len));
		CHECK(c64 == cr_crc64nvme(0, buf, len));
	}
	free(buf);
}

static void
check_combine(const uint8_t *buf, size_t la, size_t lb)
{
	const uint8_t *b = buf + la;

	CHECK_INT_EQ(cr_crc32_combine(cr_crc32(0, buf, la), cr_crc32(0, b, lb), lb),
	             cr_crc32(0, buf, la + lb));
	CHECK_INT_EQ(cr_crc32c_combine(cr_crc32c(0, buf, la), cr_crc32c(0, b, lb), lb),
	             cr_crc32c(0, buf, la + lb));
	CHECK(cr_crc64nvme_combine(cr_crc64nvme(0, buf, la), cr_crc64nvme(0, b, lb), lb) ==
	      cr_crc64nvme(0, buf, la + lb));
}

/* combine(crc(A), crc(B), |B|) == crc(A||B), which FULL_OBJECT multipart checksums need */
static void
test_combine(void)
{
	static const size_t fixed[] = { 0, 1, 3, 7, 8, 9, 255, 256, 768, 769, 8191, 8192, 24576,
		                        24577, 65536, 1u << 20 };
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	size_t n = 2u << 20, i, j;
	uint8_t *buf = malloc(n);
	int round;

	CHECK(buf != NULL);
	if (!buf)
		return;
	fill_random(buf, n);
	for (i = 0; i < nfixed; i++)
		for (j = 0; j < nfixed; j++)
			check_combine(buf, fixed[i], fixed[j]);
	for (round = 0; round < 200; round++)
		check_combine(buf, rng() % (n / 2), rng() % (n / 2));

	/* combining with an empty B is the identity */
	CHECK_INT_EQ(cr_crc32_combine(0xcbf43926u, 0, 0), 0xcbf43926u);
	CHECK_INT_EQ(cr_crc32c_combine(0xe3069283u, 0, 0), 0xe3069283u);
	CHECK(cr_crc64nvme_combine(0xae8b14860a799888u, 0, 0) == 0xae8b14860a799888u);

	/*
	 * Lengths no test can hash: they must finish (O(log len), no signed-length trap
	 * past 2^63) and stay consistent: (A+B)+C == A+(B+C) for any lengths.
	 */
	{
		uint64_t lb = (UINT64_C(1) << 62) + 12345, lc = (UINT64_C(1) << 63) + 77;
		uint32_t a = 0x11111111u, b = 0x22222222u, c = 0x33333333u;
		uint64_t a64 = 0x1111111111111111u, b64 = 0x2222222222222222u;
		uint64_t c64 = 0x3333333333333333u;

		CHECK_INT_EQ(cr_crc32_combine(cr_crc32_combine(a, b, lb), c, lc),
		             cr_crc32_combine(a, cr_crc32_combine(b, c, lc), lb + lc));
		CHECK_INT_EQ(cr_crc32c_combine(cr_crc32c_combine(a, b, lb), c, lc),
		             cr_crc32c_combine(a, cr_crc32c_combine(b, c, lc), lb + lc));
		CHECK(cr_crc64nvme_combine(cr_crc64nvme_combine(a64, b64, lb), c64, lc) ==
		      cr_crc64nvme_combine(a64, cr_crc64nvme_combine(b64, c64, lc), lb + lc));
	}
	free(buf);
}

/* One signature for the three CRCs so the comparison below runs over a table. */
static uint64_t
w_crc32_sw(uint64_t c, const void *p, size_t n)
{
	return cr_crc32_sw((uint32_t)c, p, n);
}

static uint64_t
w_crc32_hw(uint64_t c, const void *p, size_t n)
{
	return cr_crc32_hw((uint32_t)c, p, n);
}

static uint64_t
w_crc32c_sw(uint64_t c, const void *p, size_t n)
{
	return cr_crc32c_sw((uint32_t)c, p, n);
}

static uint64_t
w_crc32c_hw(uint64_t c, const void *p, size_t n)
{
	return cr_crc32c_hw((uint32_t)c, p, n);
}

static const struct crc_impl {
	const char *name;
	enum cr_crc_kind kind;
	uint64_t (*sw)(uint64_t, const void *, size_t);
	uint64_t (*hw)(uint64_t, const void *, size_t);
	uint64_t seed_mask;
} crc_impls[] = {
	{ "crc32", CR_CRC_KIND_CRC32, w_crc32_sw, w_crc32_hw, UINT32_MAX },
	{ "crc32c", CR_CRC_KIND_CRC32C, w_crc32c_sw, w_crc32c_hw, UINT32_MAX },
	{ "crc64nvme", CR_CRC_KIND_CRC64NVME, cr_crc64nvme_sw, cr_crc64nvme_hw, UINT64_MAX },
};

/*
 * The CPU-specific paths and the portable ones agree, across alignments, lengths around
 * every internal boundary (16-byte folds, 64-byte folds and the 64-byte threshold,
 * 3 x 8192 and 3 x 256 for CRC-32C streams) and tails, from arbitrary starting values.
 */
static void
test_hw_vs_sw(void)
{
	static const size_t edges[] = { 16, 64, 128, 3 * 256, 3 * 8192, 6 * 8192,
		                        3 * 8192 + 3 * 256 };
	size_t n = 200000 + 16, i, m, off, len;
	uint8_t *buf = malloc(n);
	int round, d;

	CHECK(buf != NULL);
	if (!buf)
		return;
	fill_random(buf, n);
	for (m = 0; m < sizeof(crc_impls) / sizeof(crc_impls[0]); m++) {
		const struct crc_impl *c = &crc_impls[m];
		int before = check_failures;

		fprintf(stderr, "%s fast path: %s\n", c->name,
		        cr_crc_hw_available(c->kind) ? "yes" : "no (portable path vs itself)");
		for (len = 0; len < 300; len++)
			for (off = 0; off < 16; off++)
				CHECK(c->hw(0, buf + off, len) == c->sw(0, buf + off, len));
		for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
			for (d = -17; d <= 17; d++) {
				if ((long)edges[i] + d < 0)
					continue;
				for (off = 0; off < 8; off += 3) {
					uint64_t seed = rng() & c->seed_mask;

					len = (size_t)((long)edges[i] + d);
					CHECK(c->hw(seed, buf + off, len) ==
					      c->sw(seed, buf + off, len));
				}
			}
		for (round = 0; round < 300; round++) {
			uint64_t seed = rng() & c->seed_mask;

			off = rng() % 16;
			len = rng() % (n - 16);
			CHECK(c->hw(seed, buf + off, len) == c->sw(seed, buf + off, len));
		}
		if (check_failures != before)
			fprintf(stderr, "%s: fast and portable paths disagree\n", c->name);
	}
	free(buf);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Informational only, not asserted: a sanitizer or debug build is slower and that is fine. */
static void
print_throughput(void)
{
	size_t n = 64u << 20, m;
	uint8_t *buf = malloc(n);
	volatile uint64_t sink = 0;
	double t0, t_hw, t_sw;

	CHECK(buf != NULL);
	if (!buf)
		return;
	fill_random(buf, n);
	for (m = 0; m < sizeof(crc_impls) / sizeof(crc_impls[0]); m++) {
		const struct crc_impl *c = &crc_impls[m];

		t0 = now_s();
		sink ^= c->hw(0, buf, n);
		t_hw = now_s() - t0;
		t0 = now_s();
		sink ^= c->sw(0, buf, n);
		t_sw = now_s() - t0;
		printf("throughput %s on 64 MiB: %.0f MiB/s (%s), portable %.0f MiB/s\n", c->name,
		       64 / t_hw, cr_crc_hw_available(c->kind) ? "fast path" : "no fast path",
		       64 / t_sw);
	}
	(void)sink;
	free(buf);
}

int
main(void)
{
	test_reference_values();
	test_streaming();
	test_combine();
	test_hw_vs_sw();
	print_throughput();
	return check_done("crypto-crc");
}
