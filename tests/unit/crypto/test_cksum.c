/* SPDX-License-Identifier: Apache-2.0 */
/* The cr_cksum_* front: the base64 header values S3 and its SDKs produce for the five
 * x-amz-checksum-* algorithms, streaming, lengths, and name parsing. */

#include <string.h>

#include "check.h"
#include "crypto.h"

static const enum cr_cksum_alg all_algs[] = {
	CR_CKSUM_CRC32, CR_CKSUM_CRC32C, CR_CKSUM_CRC64NVME, CR_CKSUM_SHA1, CR_CKSUM_SHA256,
};
#define NALGS (sizeof(all_algs) / sizeof(all_algs[0]))

struct cksum_vec {
	const char *msg;
	const char *b64[NALGS]; /* in all_algs order */
};

/*
 * The x-amz-checksum-* header values (base64 of the big-endian CRC, or of the digest).
 * CRC-32 from Python's zlib.crc32 (botocore's CRC32 implementation), CRC-32C and
 * CRC-64/NVME from AWS's JavaScript SDK checksum packages (@aws-crypto/crc32c,
 * @aws-sdk/crc64-nvme), SHA from hashlib; botocore needs awscrt for the last two and this
 * machine has none.
 */
static const struct cksum_vec cksum_vecs[] = {
	{ "",
	  { "AAAAAA==", "AAAAAA==", "AAAAAAAAAAA=", "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" } },
	{ "hello world",
	  { "DUoRhQ==", "yZRlqg==", "jSnVw/bqjr4=", "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
	    "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=" } },
	{ "123456789",
	  { "y/Q5Jg==", "4waSgw==", "rosUhgp5mIg=", "98O8HYCOBHMq32eZZczDTKeuNEE=",
	    "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=" } },
};

static void
test_header_values(void)
{
	uint8_t raw[CR_MAX_DIGEST_LEN];
	char b64[CR_BASE64_LEN(CR_MAX_DIGEST_LEN)];
	struct cr_cksum c;
	size_t i, a, off, n;

	for (i = 0; i < sizeof(cksum_vecs) / sizeof(cksum_vecs[0]); i++) {
		const struct cksum_vec *v = &cksum_vecs[i];

		n = strlen(v->msg);
		for (a = 0; a < NALGS; a++) {
			size_t len = cr_cksum_len(all_algs[a]);

			/* whole, then one byte at a time (an empty update first) */
			CHECK_INT_EQ(cr_cksum_init(&c, all_algs[a]), CR_OK);
			CHECK_INT_EQ(cr_cksum_update(&c, v->msg, n), CR_OK);
			CHECK_INT_EQ(cr_cksum_final(&c, raw), CR_OK);
			cr_cksum_release(&c);
			CHECK_INT_EQ(cr_base64_encode(raw, len, b64, sizeof(b64)),
			             (int)(CR_BASE64_LEN(len) - 1));
			CHECK_STR_EQ(b64, v->b64[a]);

			CHECK_INT_EQ(cr_cksum_init(&c, all_algs[a]), CR_OK);
			CHECK_INT_EQ(cr_cksum_update(&c, NULL, 0), CR_OK);
			for (off = 0; off < n; off++)
				CHECK_INT_EQ(cr_cksum_update(&c, v->msg + off, 1), CR_OK);
			memset(raw, 0, sizeof(raw));
			CHECK_INT_EQ(cr_cksum_final(&c, raw), CR_OK);
			cr_cksum_release(&c);
			cr_base64_encode(raw, len, b64, sizeof(b64));
			CHECK_STR_EQ(b64, v->b64[a]);
		}
	}
}

/* The raw value is the big-endian CRC, so it matches the direct functions. */
static void
test_crc_byte_order(void)
{
	static const uint8_t want32[4] = { 0xcb, 0xf4, 0x39, 0x26 };
	static const uint8_t want32c[4] = { 0xe3, 0x06, 0x92, 0x83 };
	static const uint8_t want64[8] = { 0xae, 0x8b, 0x14, 0x86, 0x0a, 0x79, 0x98, 0x88 };
	uint8_t raw[8];
	struct cr_cksum c;

	CHECK_INT_EQ(cr_cksum_init(&c, CR_CKSUM_CRC32), CR_OK);
	CHECK_INT_EQ(cr_cksum_update(&c, "123456789", 9), CR_OK);
	CHECK_INT_EQ(cr_cksum_final(&c, raw), CR_OK);
	CHECK_MEM_EQ(raw, want32, 4);
	cr_cksum_release(&c);
	CHECK_INT_EQ(cr_cksum_init(&c, CR_CKSUM_CRC32C), CR_OK);
	CHECK_INT_EQ(cr_cksum_update(&c, "123456789", 9), CR_OK);
	CHECK_INT_EQ(cr_cksum_final(&c, raw), CR_OK);
	CHECK_MEM_EQ(raw, want32c, 4);
	cr_cksum_release(&c);
	CHECK_INT_EQ(cr_cksum_init(&c, CR_CKSUM_CRC64NVME), CR_OK);
	CHECK_INT_EQ(cr_cksum_update(&c, "123456789", 9), CR_OK);
	CHECK_INT_EQ(cr_cksum_final(&c, raw), CR_OK);
	CHECK_MEM_EQ(raw, want64, 8);
	cr_cksum_release(&c);
}

static void
test_names(void)
{
	static const struct {
		const char *p;
		size_t n;
		enum cr_cksum_alg want;
	} parse[] = {
		{ "CRC32", 5, CR_CKSUM_CRC32 },
		{ "crc32", 5, CR_CKSUM_CRC32 },
		{ "CRC32C", 6, CR_CKSUM_CRC32C },
		{ "Crc32c", 6, CR_CKSUM_CRC32C },
		{ "CRC64NVME", 9, CR_CKSUM_CRC64NVME },
		{ "crc64nvme", 9, CR_CKSUM_CRC64NVME },
		{ "SHA1", 4, CR_CKSUM_SHA1 },
		{ "sha1", 4, CR_CKSUM_SHA1 },
		{ "SHA256", 6, CR_CKSUM_SHA256 },
		{ "Sha256", 6, CR_CKSUM_SHA256 },
		/* (ptr, len): only the first n bytes count, no NUL needed */
		{ "CRC32C", 5, CR_CKSUM_CRC32 },
		{ "SHA256, SHA1", 6, CR_CKSUM_SHA256 },
		/* unknown */
		{ "", 0, CR_CKSUM_NONE },
		{ "CRC", 3, CR_CKSUM_NONE },
		{ "CRC32CC", 7, CR_CKSUM_NONE },
		{ "CRC64", 5, CR_CKSUM_NONE },
		{ "SHA", 3, CR_CKSUM_NONE },
		{ "SHA2566", 7, CR_CKSUM_NONE },
		{ "SHA-256", 7, CR_CKSUM_NONE },
		{ "MD5", 3, CR_CKSUM_NONE },
		{ "NONE", 4, CR_CKSUM_NONE },
		{ " CRC32", 6, CR_CKSUM_NONE },
		{ "CRC32\0", 6, CR_CKSUM_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(parse) / sizeof(parse[0]); i++) {
		enum cr_cksum_alg got = cr_cksum_from_name(parse[i].p, parse[i].n);

		if (got != parse[i].want)
			fprintf(stderr, "parse '%.*s'\n", (int)parse[i].n, parse[i].p);
		CHECK_INT_EQ(got, parse[i].want);
	}
	CHECK_INT_EQ(cr_cksum_from_name(NULL, 0), CR_CKSUM_NONE);

	CHECK_STR_EQ(cr_cksum_name(CR_CKSUM_CRC32), "CRC32");
	CHECK_STR_EQ(cr_cksum_name(CR_CKSUM_CRC32C), "CRC32C");
	CHECK_STR_EQ(cr_cksum_name(CR_CKSUM_CRC64NVME), "CRC64NVME");
	CHECK_STR_EQ(cr_cksum_name(CR_CKSUM_SHA1), "SHA1");
	CHECK_STR_EQ(cr_cksum_name(CR_CKSUM_SHA256), "SHA256");
	CHECK(cr_cksum_name(CR_CKSUM_NONE) == NULL);
	CHECK(cr_cksum_name((enum cr_cksum_alg)99) == NULL);
	for (i = 0; i < NALGS; i++) {
		const char *name = cr_cksum_name(all_algs[i]);

		CHECK_INT_EQ(cr_cksum_from_name(name, strlen(name)), all_algs[i]);
	}

	CHECK_INT_EQ(cr_cksum_len(CR_CKSUM_CRC32), 4);
	CHECK_INT_EQ(cr_cksum_len(CR_CKSUM_CRC32C), 4);
	CHECK_INT_EQ(cr_cksum_len(CR_CKSUM_CRC64NVME), 8);
	CHECK_INT_EQ(cr_cksum_len(CR_CKSUM_SHA1), 20);
	CHECK_INT_EQ(cr_cksum_len(CR_CKSUM_SHA256), 32);
	CHECK_INT_EQ(cr_cksum_len(CR_CKSUM_NONE), 0);
}

static void
test_misuse(void)
{
	struct cr_cksum c;
	uint8_t raw[CR_MAX_DIGEST_LEN];

	/* NONE and out-of-range values are refused and leave a releasable object */
	CHECK_INT_EQ(cr_cksum_init(&c, CR_CKSUM_NONE), CR_EINVAL);
	CHECK_INT_EQ(c.alg, CR_CKSUM_NONE);
	CHECK_INT_EQ(cr_cksum_update(&c, "x", 1), CR_EINVAL);
	CHECK_INT_EQ(cr_cksum_final(&c, raw), CR_EINVAL);
	cr_cksum_release(&c);
	CHECK_INT_EQ(cr_cksum_init(&c, (enum cr_cksum_alg)99), CR_EINVAL);
	cr_cksum_release(&c);
	cr_cksum_release(NULL);

	/* release twice is harmless */
	CHECK_INT_EQ(cr_cksum_init(&c, CR_CKSUM_SHA256), CR_OK);
	cr_cksum_release(&c);
	cr_cksum_release(&c);
}

int
main(void)
{
	test_header_values();
	test_crc_byte_order();
	test_names();
	test_misuse();
	return check_done("crypto-cksum");
}
