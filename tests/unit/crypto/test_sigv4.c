/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SigV4 signing core against the worked examples of the AWS S3 API reference (all with
 * AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, 2013-05-24, us-east-1):
 *  - "Signature Calculations for the Authorization Header: Transferring Payload in a Single
 *    Chunk", GET Object (signature f0e8bdb8...);
 *  - "... Transferring Payload in Multiple Chunks" (seed 4f232c43..., chunks ad80c730...,
 *    0055627c..., b6c6ea8a...);
 *  - "... Including Trailing Headers" (seed 106e2a8a..., chunks b474d886..., 1c1344b1...,
 *    2ca2aba2..., trailer d81f82fc...);
 *  - "Authenticating Requests: Using Query Parameters" (aeeed9bb...).
 * The values were also recomputed from the documented canonical requests with Python's
 * hmac/hashlib before being written here.
 */

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define AMZ_DATE "20130524T000000Z"
#define SCOPE "20130524/us-east-1/s3/aws4_request"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static uint8_t key[CR_SIGV4_KEY_LEN];

static void
sign_creq(const char *creq, char sig[CR_SIGV4_SIG_HEX_LEN + 1], char *sts, size_t cap)
{
	int n = cr_sigv4_string_to_sign(AMZ_DATE, 16, SCOPE, strlen(SCOPE), creq, strlen(creq),
	                                sts, cap);
	CHECK(n > 0);
	cr_sigv4_sign(key, sts, n > 0 ? (size_t)n : 0, sig);
}

static void
test_key_and_scope(void)
{
	char hex[2 * CR_SIGV4_KEY_LEN + 1], scope[CR_SIGV4_SCOPE_MAX + 1];
	uint8_t k2[CR_SIGV4_KEY_LEN];
	static char longsecret[CR_SIGV4_SECRET_MAX + 2];

	CHECK_INT_EQ(cr_sigv4_signing_key(SECRET, strlen(SECRET), "20130524", 8, "us-east-1", 9,
	                                  "s3", 2, key), CR_OK);
	cr_hex_encode(key, sizeof(key), hex);
	CHECK_STR_EQ(hex, "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
	CHECK_INT_EQ(cr_sigv4_scope("20130524", 8, "us-east-1", 9, "s3", 2, scope, sizeof(scope)),
	             (int)strlen(SCOPE));
	CHECK_STR_EQ(scope, SCOPE);
	/* bounds: date not 8 chars, secret too long, scope buffer too small; @out untouched */
	memset(k2, 0x5a, sizeof(k2));
	CHECK_INT_EQ(cr_sigv4_signing_key(SECRET, strlen(SECRET), "2013052", 7, "us-east-1", 9,
	                                  "s3", 2, k2), CR_EINVAL);
	memset(longsecret, 'x', sizeof(longsecret) - 1);
	CHECK_INT_EQ(cr_sigv4_signing_key(longsecret, strlen(longsecret), "20130524", 8,
	                                  "us-east-1", 9, "s3", 2, k2), CR_EINVAL);
	CHECK(k2[0] == 0x5a && k2[31] == 0x5a);
	CHECK_INT_EQ(cr_sigv4_signing_key(longsecret, CR_SIGV4_SECRET_MAX, "20130524", 8,
	                                  "us-east-1", 9, "s3", 2, k2), CR_OK);
	strcpy(scope, "keep");
	CHECK_INT_EQ(cr_sigv4_scope("20130524", 8, "us-east-1", 9, "s3", 2, scope, 10), CR_EINVAL);
	CHECK_STR_EQ(scope, "keep");
	/* an empty secret is legal HMAC input */
	CHECK_INT_EQ(cr_sigv4_signing_key("", 0, "20130524", 8, "r", 1, "s3", 2, k2), CR_OK);
}

static void
test_get_object(void)
{
	static const char creq[] =
		"GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
		"x-amz-content-sha256:" EMPTY_SHA256 "\nx-amz-date:" AMZ_DATE "\n\n"
		"host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA256;
	char sts[CR_SIGV4_STS_MAX + 1], sig[CR_SIGV4_SIG_HEX_LEN + 1], small[64];

	sign_creq(creq, sig, sts, sizeof(sts));
	CHECK_STR_EQ(sts, "AWS4-HMAC-SHA256\n" AMZ_DATE "\n" SCOPE "\n"
	                  "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
	CHECK_STR_EQ(sig, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	/* too small an output and a wrong-length date are refused, output untouched */
	strcpy(small, "keep");
	CHECK_INT_EQ(cr_sigv4_string_to_sign(AMZ_DATE, 16, SCOPE, strlen(SCOPE), creq,
	                                     strlen(creq), small, sizeof(small)), CR_EINVAL);
	CHECK_STR_EQ(small, "keep");
	CHECK_INT_EQ(cr_sigv4_string_to_sign("20130524T000000", 15, SCOPE, strlen(SCOPE), creq,
	                                     strlen(creq), sts, sizeof(sts)), CR_EINVAL);
}

static void
test_presigned(void)
{
	static const char creq[] =
		"GET\n/test.txt\n"
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
		"us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
		"X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\n"
		"UNSIGNED-PAYLOAD";
	char sts[CR_SIGV4_STS_MAX + 1], sig[CR_SIGV4_SIG_HEX_LEN + 1];

	sign_creq(creq, sig, sts, sizeof(sts));
	CHECK_STR_EQ(sig, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

/* Sign the 66560-byte body of 'a' as chunks of 65536, 1024 and 0 from @seed. */
static void
chunk_chain(const char *seed, const char *const want[3])
{
	static uint8_t data[65536];
	const size_t sizes[3] = { 65536, 1024, 0 };
	char prev[CR_SIGV4_SIG_HEX_LEN + 1], sig[CR_SIGV4_SIG_HEX_LEN + 1];
	char sts[CR_SIGV4_STS_MAX + 1];
	uint8_t h[CR_SHA256_LEN];

	memset(data, 'a', sizeof(data));
	strcpy(prev, seed);
	for (int i = 0; i < 3; i++) {
		int n;
		cr_sha256(data, sizes[i], h);
		n = cr_sigv4_chunk_string_to_sign(AMZ_DATE, 16, SCOPE, strlen(SCOPE), prev, h, sts,
		                                  sizeof(sts));
		CHECK(n > 0);
		if (i == 2) {
			char want_sts[CR_SIGV4_STS_MAX + 1];
			snprintf(want_sts, sizeof(want_sts),
			         "AWS4-HMAC-SHA256-PAYLOAD\n" AMZ_DATE "\n" SCOPE "\n%s\n" EMPTY_SHA256
			         "\n" EMPTY_SHA256, prev);
			CHECK_STR_EQ(sts, want_sts);
		}
		cr_sigv4_sign(key, sts, (size_t)n, sig);
		CHECK_STR_EQ(sig, want[i]);
		strcpy(prev, sig);
	}
}

static void
test_chunked(void)
{
	static const char creq[] =
		"PUT\n/examplebucket/chunkObject.txt\n\ncontent-encoding:aws-chunked\n"
		"content-length:66824\nhost:s3.amazonaws.com\n"
		"x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD\nx-amz-date:" AMZ_DATE "\n"
		"x-amz-decoded-content-length:66560\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
		"content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
		"x-amz-decoded-content-length;x-amz-storage-class\n"
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
	static const char *const want[3] = {
		"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
	};
	char sts[CR_SIGV4_STS_MAX + 1], sig[CR_SIGV4_SIG_HEX_LEN + 1];

	sign_creq(creq, sig, sts, sizeof(sts));
	CHECK_STR_EQ(sig, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
	chunk_chain(sig, want);
}

static void
test_trailer(void)
{
	static const char creq[] =
		"PUT\n/examplebucket/chunkObject.txt\n\ncontent-encoding:aws-chunked\n"
		"host:s3.amazonaws.com\n"
		"x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER\n"
		"x-amz-date:" AMZ_DATE "\nx-amz-decoded-content-length:66560\n"
		"x-amz-storage-class:REDUCED_REDUNDANCY\nx-amz-trailer:x-amz-checksum-crc32c\n\n"
		"content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
		"x-amz-storage-class;x-amz-trailer\nSTREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
	static const char *const want[3] = {
		"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
		"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
		"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
	};
	static const char trailer[] = "x-amz-checksum-crc32c:sOO8/Q==\n";
	char sts[CR_SIGV4_STS_MAX + 1], sig[CR_SIGV4_SIG_HEX_LEN + 1];
	uint8_t h[CR_SHA256_LEN];
	int n;

	sign_creq(creq, sig, sts, sizeof(sts));
	CHECK_STR_EQ(sig, "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e");
	chunk_chain(sig, want);
	cr_sha256(trailer, strlen(trailer), h);
	n = cr_sigv4_trailer_string_to_sign(AMZ_DATE, 16, SCOPE, strlen(SCOPE), want[2], h, sts,
	                                    sizeof(sts));
	CHECK(n > 0 && strncmp(sts, "AWS4-HMAC-SHA256-TRAILER\n" AMZ_DATE "\n" SCOPE "\n", 61) == 0);
	cr_sigv4_sign(key, sts, n > 0 ? (size_t)n : 0, sig);
	CHECK_STR_EQ(sig, "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435");
	/* a scope over the bound is refused */
	{
		static char scope[CR_SIGV4_SCOPE_MAX + 2];
		memset(scope, 's', sizeof(scope) - 1);
		CHECK_INT_EQ(cr_sigv4_trailer_string_to_sign(AMZ_DATE, 16, scope, strlen(scope),
		                                             want[2], h, sts, sizeof(sts)),
		             CR_EINVAL);
		CHECK_INT_EQ(cr_sigv4_chunk_string_to_sign(AMZ_DATE, 16, scope, CR_SIGV4_SCOPE_MAX,
		                                           want[2], h, sts, sizeof(sts)) > 0, 1);
	}
}

int
main(void)
{
	test_key_and_scope();
	test_get_object();
	test_presigned();
	test_chunked();
	test_trailer();
	cr_wipe(key, sizeof(key));
	return check_done("crypto-sigv4");
}
