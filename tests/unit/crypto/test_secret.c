/* SPDX-License-Identifier: Apache-2.0 */
/* Constant-time compare, random bytes, wiping, and AES-256-GCM sealing: a published
 * known answer (GCM spec test cases 13, 14, 16), round trips, and every tampering. */

#include <string.h>

#include <openssl/err.h>

#include "check.h"
#include "crypto.h"

static void
test_ct_equal(void)
{
	uint8_t a[32], b[32];

	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	CHECK(cr_ct_equal(a, b, sizeof(a)));
	CHECK(cr_ct_equal(a, b, 0));
	CHECK(cr_ct_equal(NULL, NULL, 0));
	b[0] ^= 1;
	CHECK(!cr_ct_equal(a, b, sizeof(a)));
	CHECK(cr_ct_equal(a + 1, b + 1, sizeof(a) - 1));
	b[0] ^= 1;
	b[31] ^= 0x80;
	CHECK(!cr_ct_equal(a, b, sizeof(a)));
	CHECK(cr_ct_equal(a, b, sizeof(a) - 1));
}

static void
test_random_and_wipe(void)
{
	static const uint8_t zero[64];
	uint8_t a[64], b[64];

	CHECK_INT_EQ(cr_random_bytes(a, sizeof(a)), CR_OK);
	CHECK_INT_EQ(cr_random_bytes(b, sizeof(b)), CR_OK);
	CHECK(memcmp(a, b, sizeof(a)) != 0);  /* 2^-512 */
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
	CHECK_INT_EQ(cr_random_bytes(a, 0), CR_OK);

	cr_wipe(a, sizeof(a));
	CHECK_MEM_EQ(a, zero, sizeof(a));
	cr_wipe(NULL, 0);
	cr_wipe(b, 0);
}

/* GCM specification (McGrew and Viega) test cases for AES-256, through cr_aead_open:
 * our sealed form is nonce || ciphertext || tag, so a published triple can be opened. */
static void
test_aead_known_answer(void)
{
	static const char *const key16_hex =
		"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
	static const char *const sealed16_hex =
		"cafebabefacedbaddecaf888"
		"522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		"8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
		"76fc6ece0f4e1768cddf8853bb2d551b";
	static const char *const aad16_hex = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
	static const char *const plain16_hex =
		"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
	/* cases 13 and 14: zero key, zero nonce, empty and 16 zero bytes of plaintext */
	static const char *const sealed13_hex =
		"000000000000000000000000" "530f8afbc74536b9a963b4f1c4cb738b";
	static const char *const sealed14_hex =
		"000000000000000000000000" "cea7403d4d606b6e074ec5d3baf39d18"
		"d0d1c8a799996bf0265b98b5d48ab919";
	static const uint8_t zero[32];
	uint8_t key[32], sealed[128], aad[32], plain[64], out[64];
	size_t slen = strlen(sealed16_hex) / 2, alen = strlen(aad16_hex) / 2;
	size_t plen = strlen(plain16_hex) / 2;

	CHECK_INT_EQ(cr_hex_decode(key16_hex, 64, key, sizeof(key)), CR_OK);
	CHECK_INT_EQ(cr_hex_decode(sealed16_hex, 2 * slen, sealed, sizeof(sealed)), CR_OK);
	CHECK_INT_EQ(cr_hex_decode(aad16_hex, 2 * alen, aad, sizeof(aad)), CR_OK);
	CHECK_INT_EQ(cr_hex_decode(plain16_hex, 2 * plen, plain, sizeof(plain)), CR_OK);
	CHECK_INT_EQ(cr_aead_open(key, aad, alen, sealed, slen, out, sizeof(out)), (int)plen);
	CHECK_MEM_EQ(out, plain, plen);

	CHECK_INT_EQ(cr_hex_decode(sealed13_hex, 56, sealed, sizeof(sealed)), CR_OK);
	CHECK_INT_EQ(cr_aead_open(zero, NULL, 0, sealed, 28, out, 0), 0);
	CHECK_INT_EQ(cr_hex_decode(sealed14_hex, 88, sealed, sizeof(sealed)), CR_OK);
	CHECK_INT_EQ(cr_aead_open(zero, NULL, 0, sealed, 44, out, sizeof(out)), 16);
	CHECK_MEM_EQ(out, zero, 16);
}

static void
test_aead_round_trip(void)
{
	static const char msg[] = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
	static const char aad[] = "user/alice";
	uint8_t key[CR_AEAD_KEY_LEN], sealed[sizeof(msg) + CR_AEAD_OVERHEAD];
	uint8_t sealed2[sizeof(sealed)], out[sizeof(msg)];
	size_t n = sizeof(msg) - 1, slen = n + CR_AEAD_OVERHEAD;

	CHECK_INT_EQ(cr_random_bytes(key, sizeof(key)), CR_OK);
	CHECK_INT_EQ(cr_aead_seal(key, aad, strlen(aad), msg, n, sealed, slen), (int)slen);
	CHECK_INT_EQ(cr_aead_open(key, aad, strlen(aad), sealed, slen, out, n), (int)n);
	CHECK_MEM_EQ(out, msg, n);
	/* the ciphertext does not carry the plaintext in the clear */
	CHECK(memmem(sealed, slen, "AKIA", 4) == NULL);
	/* a fresh nonce each time: sealing twice gives different bytes */
	CHECK_INT_EQ(cr_aead_seal(key, aad, strlen(aad), msg, n, sealed2, slen), (int)slen);
	CHECK(memcmp(sealed, sealed2, 12) != 0); /* the nonce */

	/* empty plaintext and no aad */
	CHECK_INT_EQ(cr_aead_seal(key, NULL, 0, NULL, 0, sealed, CR_AEAD_OVERHEAD),
	             CR_AEAD_OVERHEAD);
	CHECK_INT_EQ(cr_aead_open(key, NULL, 0, sealed, CR_AEAD_OVERHEAD, out, 0), 0);
	CHECK_INT_EQ(cr_aead_open(key, aad, 1, sealed, CR_AEAD_OVERHEAD, out, 0), CR_EINVAL);
}

static void
test_aead_reject(void)
{
	static const char msg[] = "a stored secret";
	static const char aad[] = "record-key-1";
	uint8_t key[CR_AEAD_KEY_LEN], key2[CR_AEAD_KEY_LEN];
	uint8_t sealed[sizeof(msg) + CR_AEAD_OVERHEAD], out[sizeof(msg)];
	size_t n = sizeof(msg) - 1, slen = n + CR_AEAD_OVERHEAD, i;
	int bit;

	CHECK_INT_EQ(cr_random_bytes(key, sizeof(key)), CR_OK);
	memcpy(key2, key, sizeof(key));
	key2[31] ^= 1;
	CHECK_INT_EQ(cr_aead_seal(key, aad, strlen(aad), msg, n, sealed, slen), (int)slen);

	/* every single-bit change anywhere (nonce, ciphertext, tag) is caught, out untouched */
	for (i = 0; i < slen; i++) {
		for (bit = 0; bit < 8; bit++) {
			sealed[i] ^= (uint8_t)(1u << bit);
			memset(out, 0xaa, sizeof(out));
			CHECK_INT_EQ(cr_aead_open(key, aad, strlen(aad), sealed, slen, out, n),
			             CR_EINVAL);
			CHECK(out[0] == 0xaa && out[n - 1] == 0xaa);
			sealed[i] ^= (uint8_t)(1u << bit);
		}
	}
	CHECK_INT_EQ(cr_aead_open(key, aad, strlen(aad), sealed, slen, out, n), (int)n);

	/* wrong key, wrong / missing / truncated aad */
	CHECK_INT_EQ(cr_aead_open(key2, aad, strlen(aad), sealed, slen, out, n), CR_EINVAL);
	CHECK_INT_EQ(cr_aead_open(key, "record-key-2", strlen(aad), sealed, slen, out, n),
	             CR_EINVAL);
	CHECK_INT_EQ(cr_aead_open(key, NULL, 0, sealed, slen, out, n), CR_EINVAL);
	CHECK_INT_EQ(cr_aead_open(key, aad, strlen(aad) - 1, sealed, slen, out, n), CR_EINVAL);
	/* a rejected tag leaves no error on this thread's OpenSSL queue */
	CHECK(ERR_peek_error() == 0);

	/* truncated or extended sealed data, too short to hold nonce and tag */
	CHECK_INT_EQ(cr_aead_open(key, aad, strlen(aad), sealed, slen - 1, out, n), CR_EINVAL);
	CHECK_INT_EQ(cr_aead_open(key, aad, strlen(aad), sealed, CR_AEAD_OVERHEAD - 1, out, n),
	             CR_EINVAL);
	CHECK_INT_EQ(cr_aead_open(key, aad, strlen(aad), sealed, 0, out, n), CR_EINVAL);

	/* capacity: one byte short either way */
	CHECK_INT_EQ(cr_aead_open(key, aad, strlen(aad), sealed, slen, out, n - 1), CR_EINVAL);
	CHECK_INT_EQ(cr_aead_seal(key, aad, strlen(aad), msg, n, sealed, slen - 1), CR_EINVAL);
}

int
main(void)
{
	test_ct_equal();
	test_random_and_wipe();
	test_aead_known_answer();
	test_aead_round_trip();
	test_aead_reject();
	return check_done("crypto-secret");
}
