/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 (RFC 4648 section 10 vectors, strict rejection) and hex. */

#include <string.h>

#include "check.h"
#include "crypto.h"

static uint64_t rng_state = 0x853c49e6748fea9bu;

static uint64_t
rng(void)
{
	/* xorshift64: deterministic, so a failure reproduces */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* RFC 4648 section 10 */
static const struct {
	const char *plain, *b64, *hex;
} rfc4648[] = {
	{ "", "", "" },
	{ "f", "Zg==", "66" },
	{ "fo", "Zm8=", "666f" },
	{ "foo", "Zm9v", "666f6f" },
	{ "foob", "Zm9vYg==", "666f6f62" },
	{ "fooba", "Zm9vYmE=", "666f6f6261" },
	{ "foobar", "Zm9vYmFy", "666f6f626172" },
};

static void
test_rfc4648(void)
{
	char txt[32];
	uint8_t bin[32];
	size_t i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t pn = strlen(rfc4648[i].plain), bn = strlen(rfc4648[i].b64);

		CHECK_INT_EQ(cr_base64_encode(rfc4648[i].plain, pn, txt, sizeof(txt)), (int)bn);
		CHECK_STR_EQ(txt, rfc4648[i].b64);
		CHECK_INT_EQ(cr_base64_decode(rfc4648[i].b64, bn, bin, sizeof(bin)), (int)pn);
		CHECK_MEM_EQ(bin, rfc4648[i].plain, pn);

		cr_hex_encode(rfc4648[i].plain, pn, txt);
		CHECK_STR_EQ(txt, rfc4648[i].hex);
		CHECK_INT_EQ(cr_hex_decode(rfc4648[i].hex, 2 * pn, bin, sizeof(bin)), CR_OK);
		CHECK_MEM_EQ(bin, rfc4648[i].plain, pn);
	}
	/* RFC 4648 section 8 spells base16 in upper case; we accept it, write lower case */
	CHECK_INT_EQ(cr_hex_decode("666F6F626172", 12, bin, sizeof(bin)), CR_OK);
	CHECK_MEM_EQ(bin, "foobar", 6);
	/* the whole alphabet, both extra characters included */
	CHECK_INT_EQ(cr_base64_decode("+/+/", 4, bin, sizeof(bin)), 3);
	CHECK_MEM_EQ(bin, "\xfb\xff\xbf", 3);
}

static void
test_base64_encode_cap(void)
{
	char txt[16];

	memset(txt, 'x', sizeof(txt));
	CHECK_INT_EQ(CR_BASE64_LEN(6), 9);
	CHECK_INT_EQ(CR_BASE64_LEN(0), 1);
	CHECK_INT_EQ(cr_base64_encode("foobar", 6, txt, 8), CR_EINVAL); /* no room for NUL */
	CHECK(txt[0] == 'x');
	CHECK_INT_EQ(cr_base64_encode("foobar", 6, txt, 9), 8);
	CHECK_STR_EQ(txt, "Zm9vYmFy");
	CHECK_INT_EQ(cr_base64_encode("", 0, txt, 0), CR_EINVAL);
	CHECK_INT_EQ(cr_base64_encode(NULL, 0, txt, 1), 0);
	CHECK_STR_EQ(txt, "");
}

static void
test_base64_reject(void)
{
	static const char *const bad[] = {
		"Zg",        /* wrong length */
		"Zg=",       /* wrong length */
		"Zm9vY",     /* wrong length */
		"Zg===",     /* wrong length */
		"====",      /* padding only */
		"Z===",      /* three pads */
		"Zm=v",      /* pad inside */
		"Zg==Zg==",  /* pad before the end */
		"Zm9v====",  /* a whole quad of padding */
		"Zh==",      /* non-zero bits under the padding */
		"Zm9=",      /* non-zero bits under the padding */
		"Zm9v\n",    /* whitespace */
		"Zm9 v",     /* whitespace */
		"Zm9vYg==\r\n",
		"Pz8_",      /* URL-safe alphabet */
		"Pz8-",      /* URL-safe alphabet */
		"Zm9v!A==",  /* not in the alphabet */
		"Zm\xc3\xa9", /* not ASCII */
	};
	uint8_t out[16];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		memset(out, 0xaa, sizeof(out));
		rc = cr_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out));
		if (rc != CR_EINVAL)
			fprintf(stderr, "accepted bad base64 '%s'\n", bad[i]);
		CHECK_INT_EQ(rc, CR_EINVAL);
		CHECK(out[0] == 0xaa && out[1] == 0xaa && out[2] == 0xaa); /* untouched */
	}
	/* a NUL inside is a bad character, not the end of the input */
	CHECK_INT_EQ(cr_base64_decode("Zm\0v", 4, out, sizeof(out)), CR_EINVAL);
	/* (ptr, len): the bytes after n are not read */
	CHECK_INT_EQ(cr_base64_decode("Zm9v!!!!", 4, out, sizeof(out)), 3);
	/* cap too small, exact, and the canonical form of the rejected ones above */
	memset(out, 0xaa, sizeof(out));
	CHECK_INT_EQ(cr_base64_decode("Zm9vYmFy", 8, out, 5), CR_EINVAL);
	CHECK(out[0] == 0xaa);
	CHECK_INT_EQ(cr_base64_decode("Zm9vYmFy", 8, out, 6), 6);
	CHECK_INT_EQ(cr_base64_decode("Zm9vYg==", 8, out, 4), 4);
	CHECK_INT_EQ(cr_base64_decode("Zm9vYg==", 8, out, 3), CR_EINVAL);
	CHECK_INT_EQ(cr_base64_decode("", 0, NULL, 0), 0);
	CHECK_INT_EQ(cr_base64_decode("Zg==", 4, out, sizeof(out)), 1);
	CHECK_INT_EQ(cr_base64_decode("Zm8=", 4, out, sizeof(out)), 2);
	CHECK_INT_EQ(cr_base64_decode("Pz8/", 4, out, sizeof(out)), 3);
	CHECK_MEM_EQ(out, "\x3f\x3f\x3f", 3); /* three question marks */
}

static void
test_hex_reject(void)
{
	static const char *const bad[] = { "a", "abc", "zz", "0x", "0g", "g0", "12 4", "-1",
		                           "\xff\xff" };
	uint8_t out[8];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 0xaa, sizeof(out));
		CHECK_INT_EQ(cr_hex_decode(bad[i], strlen(bad[i]), out, sizeof(out)), CR_EINVAL);
		CHECK(out[0] == 0xaa); /* untouched */
	}
	/* validated whole before writing: a bad digit late leaves the first byte alone */
	memset(out, 0xaa, sizeof(out));
	CHECK_INT_EQ(cr_hex_decode("00112x", 6, out, sizeof(out)), CR_EINVAL);
	CHECK(out[0] == 0xaa);
	CHECK_INT_EQ(cr_hex_decode("0011", 4, out, 1), CR_EINVAL); /* cap too small */
	CHECK_INT_EQ(cr_hex_decode("0011", 4, out, 2), CR_OK);
	CHECK_INT_EQ(cr_hex_decode("", 0, NULL, 0), CR_OK);
	CHECK_INT_EQ(cr_hex_decode("00fF10", 6, out, sizeof(out)), CR_OK);
	CHECK_MEM_EQ(out, "\x00\xff\x10", 3);
}

/* random binary of every length up to 200 survives both round trips */
static void
test_round_trip(void)
{
	uint8_t bin[200], back[200];
	char b64[CR_BASE64_LEN(200)], hex[2 * 200 + 1];
	size_t n, i;

	for (n = 0; n <= sizeof(bin); n++) {
		for (i = 0; i < n; i++)
			bin[i] = (uint8_t)rng();
		CHECK_INT_EQ(cr_base64_encode(bin, n, b64, sizeof(b64)),
		             (int)(CR_BASE64_LEN(n) - 1));
		CHECK_INT_EQ(cr_base64_decode(b64, strlen(b64), back, n), (int)n);
		CHECK_MEM_EQ(back, bin, n);
		cr_hex_encode(bin, n, hex);
		CHECK_INT_EQ(strlen(hex), 2 * n);
		CHECK_INT_EQ(cr_hex_decode(hex, 2 * n, back, n), CR_OK);
		CHECK_MEM_EQ(back, bin, n);
	}
}

int
main(void)
{
	test_rfc4648();
	test_base64_encode_cap();
	test_base64_reject();
	test_hex_reject();
	test_round_trip();
	return check_done("crypto-encode");
}
