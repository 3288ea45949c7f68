/* SPDX-License-Identifier: Apache-2.0 */
/* Digests and HMAC against published vectors: RFC 1321 (MD5), FIPS 180 examples
 * (SHA-1, SHA-256), RFC 4231 test cases 1-7 (HMAC-SHA256). */

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto.h"

struct digest_vec {
	enum cr_hash_alg alg;
	const char *msg;
	const char *hex;
};

static const struct digest_vec digest_vecs[] = {
	/* RFC 1321 appendix A.5 */
	{ CR_HASH_MD5, "", "d41d8cd98f00b204e9800998ecf8427e" },
	{ CR_HASH_MD5, "a", "0cc175b9c0f1b6a831c399e269772661" },
	{ CR_HASH_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72" },
	{ CR_HASH_MD5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
	{ CR_HASH_MD5, "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
	{ CR_HASH_MD5, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	  "d174ab98d277d9f5a5611c2c9f419d9f" },
	{ CR_HASH_MD5,
	  "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
	  "57edf4a22be3c955ac49da2e2107b67a" },
	/* FIPS 180-2 appendix A and the NIST example values, plus the empty message */
	{ CR_HASH_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ CR_HASH_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ CR_HASH_SHA1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	{ CR_HASH_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ CR_HASH_SHA256, "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ CR_HASH_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

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
oneshot(enum cr_hash_alg alg, const void *p, size_t n, uint8_t *out)
{
	switch (alg) {
	case CR_HASH_MD5:
		cr_md5(p, n, out);
		break;
	case CR_HASH_SHA1:
		cr_sha1(p, n, out);
		break;
	case CR_HASH_SHA256:
		cr_sha256(p, n, out);
		break;
	}
}

static void
test_digest_vectors(void)
{
	uint8_t d[CR_MAX_DIGEST_LEN];
	char hex[2 * CR_MAX_DIGEST_LEN + 1];
	struct cr_hash h;
	size_t i, off, step;

	for (i = 0; i < sizeof(digest_vecs) / sizeof(digest_vecs[0]); i++) {
		const struct digest_vec *v = &digest_vecs[i];
		size_t n = strlen(v->msg), len = cr_hash_len(v->alg);

		oneshot(v->alg, v->msg, n, d);
		cr_hex_encode(d, len, hex);
		CHECK_STR_EQ(hex, v->hex);

		/* streaming in random pieces, then again on the same context after reset */
		CHECK_INT_EQ(cr_hash_init(&h, v->alg), CR_OK);
		for (int round = 0; round < 2; round++) {
			memset(d, 0, sizeof(d));
			for (off = 0; off < n; off += step) {
				step = 1 + rng() % 7;
				if (step > n - off)
					step = n - off;
				CHECK_INT_EQ(cr_hash_update(&h, v->msg + off, step), CR_OK);
			}
			CHECK_INT_EQ(cr_hash_update(&h, NULL, 0), CR_OK);
			CHECK_INT_EQ(cr_hash_final(&h, d), CR_OK);
			cr_hex_encode(d, len, hex);
			CHECK_STR_EQ(hex, v->hex);
			CHECK_INT_EQ(cr_hash_reset(&h), CR_OK);
		}
		cr_hash_release(&h);
	}
}

/* FIPS 180-2 "one million repetitions of 'a'", streamed and one-shot */
static void
test_million_a(void)
{
	static const struct {
		enum cr_hash_alg alg;
		const char *hex;
	} want[] = {
		{ CR_HASH_MD5, "7707d6ae4e027c70eea2a935c2296f21" },
		{ CR_HASH_SHA1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
		{ CR_HASH_SHA256,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	size_t big = 1000000, i, k;
	char *a = malloc(big);
	uint8_t d[CR_MAX_DIGEST_LEN];
	char hex[2 * CR_MAX_DIGEST_LEN + 1];
	struct cr_hash h;

	CHECK(a != NULL);
	if (!a)
		return;
	memset(a, 'a', big);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		oneshot(want[i].alg, a, big, d);
		cr_hex_encode(d, cr_hash_len(want[i].alg), hex);
		CHECK_STR_EQ(hex, want[i].hex);

		CHECK_INT_EQ(cr_hash_init(&h, want[i].alg), CR_OK);
		for (k = 0; k < 1000; k++)
			CHECK_INT_EQ(cr_hash_update(&h, a + k * 1000, 1000), CR_OK);
		CHECK_INT_EQ(cr_hash_final(&h, d), CR_OK);
		cr_hash_release(&h);
		cr_hex_encode(d, cr_hash_len(want[i].alg), hex);
		CHECK_STR_EQ(hex, want[i].hex);
	}
	free(a);
}

static void
test_hash_misuse(void)
{
	struct cr_hash h;
	uint8_t d[CR_MAX_DIGEST_LEN];

	CHECK_INT_EQ(cr_hash_len(CR_HASH_MD5), 16);
	CHECK_INT_EQ(cr_hash_len(CR_HASH_SHA1), 20);
	CHECK_INT_EQ(cr_hash_len(CR_HASH_SHA256), 32);
	CHECK_INT_EQ(cr_hash_len((enum cr_hash_alg)42), 0);

	/* a failed init leaves a released object that refuses work and frees cleanly */
	CHECK_INT_EQ(cr_hash_init(&h, (enum cr_hash_alg)42), CR_EINVAL);
	CHECK(h.ctx == NULL);
	CHECK_INT_EQ(cr_hash_update(&h, "x", 1), CR_EINVAL);
	CHECK_INT_EQ(cr_hash_final(&h, d), CR_EINVAL);
	CHECK_INT_EQ(cr_hash_reset(&h), CR_EINVAL);
	cr_hash_release(&h);
	cr_hash_release(&h);
	cr_hash_release(NULL);
}

struct hmac_vec {
	const char *key_hex;
	const char *data_hex;
	const char *mac_hex; /* case 5 publishes only the first 128 bits */
};

/* 131 bytes of 0xaa, the key of cases 6 and 7 */
#define KEY_131_AA \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaa"

/* RFC 4231 section 4, HMAC-SHA-256 lines of test cases 1-7 */
static const struct hmac_vec hmac_vecs[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	  "dddddddddddddddd",
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	  "cdcdcdcdcdcdcdcd",
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "546573742057697468205472756e636174696f6e",
	  "a3b6167473100ee06e0c796c2955552b" },
	{ KEY_131_AA,
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048"
	  "617368204b6579204669727374",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ KEY_131_AA,
	  "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d"
	  "73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174"
	  "612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e"
	  "6720757365642062792074686520484d414320616c676f726974686d2e",
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
};

static void
test_hmac_rfc4231(void)
{
	uint8_t key[256], data[256], mac[CR_SHA256_LEN];
	char hex[2 * CR_SHA256_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof(hmac_vecs) / sizeof(hmac_vecs[0]); i++) {
		const struct hmac_vec *v = &hmac_vecs[i];
		size_t klen = strlen(v->key_hex) / 2, dlen = strlen(v->data_hex) / 2;
		size_t mlen = strlen(v->mac_hex) / 2;

		CHECK_INT_EQ(cr_hex_decode(v->key_hex, 2 * klen, key, sizeof(key)), CR_OK);
		CHECK_INT_EQ(cr_hex_decode(v->data_hex, 2 * dlen, data, sizeof(data)), CR_OK);
		cr_hmac_sha256(key, klen, data, dlen, mac);
		cr_hex_encode(mac, mlen, hex);
		if (strcmp(hex, v->mac_hex) != 0)
			fprintf(stderr, "RFC 4231 case %zu\n", i + 1);
		CHECK_STR_EQ(hex, v->mac_hex);
	}
	/* empty key and message: well-known value, and a NULL key must not mean "reuse" */
	cr_hmac_sha256(NULL, 0, NULL, 0, mac);
	cr_hex_encode(mac, sizeof(mac), hex);
	CHECK_STR_EQ(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

int
main(void)
{
	test_digest_vectors();
	test_million_a();
	test_hash_misuse();
	test_hmac_rfc4231();
	return check_done("crypto-hash");
}
