/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the router: byte 0 picks the method, the flags and the base domain; the rest is
 * "target\0host" (no NUL: no Host). A routed request has a known op, a key of at most
 * 1024 bytes of valid UTF-8 that survives a percent-encode/route round trip, and a
 * refused one allocates nothing (ASan's leak check). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[8] = { "GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS",
	                                "get", NULL };

static void
roundtrip(const struct s3_route *r)
{
	static const char hex[] = "0123456789ABCDEF";
	char *t = malloc(4 + 3 * r->key_len);
	struct s3_route again;
	size_t k = 0;

	if (!t)
		abort();

	/* every key byte escaped: the router must decode it back exactly once */
	memcpy(t, "/b/", 3);
	k = 3;
	for (size_t i = 0; i < r->key_len; i++) {
		unsigned char c = (unsigned char)r->key[i];
		t[k++] = '%';
		t[k++] = hex[c >> 4];
		t[k++] = hex[c & 15];
	}
	assert(s3_route("GET", t, k, NULL, "", 0, &again) == S3E_NONE);
	assert(again.op == S3OP_GetObject);
	assert(again.key_len == r->key_len && memcmp(again.key, r->key, r->key_len) == 0);
	s3_route_release(&again);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3_route r;
	const char *target, *nul;
	char *host = NULL;
	size_t tlen;
	unsigned flags;
	enum s3_code rc;

	if (size < 1)
		return 0;
	flags = (data[0] >> 3) & 3;
	target = (const char *)data + 1;
	tlen = size - 1;
	nul = memchr(target, '\0', tlen);
	if (nul) {
		size_t hl = tlen - (size_t)(nul - target) - 1;
		host = malloc(hl + 1);
		if (!host)
			abort();
		memcpy(host, nul + 1, hl);
		host[hl] = '\0';
		tlen = (size_t)(nul - target);
	}
	memset(&r, 0, sizeof(r));
	rc = s3_route(methods[data[0] & 7], target, tlen, host,
	              (data[0] & 0x20) ? "s3.example.lan" : "", flags, &r);
	if (rc == S3E_NONE) {
		assert(r.op > S3OP_NONE && r.op < S3OP_COUNT_);
		assert(strcmp(s3_op_name(r.op), "Unknown") != 0);
		assert(r.key_len <= S3_KEY_MAX);
		assert(r.key && r.key[r.key_len] == '\0');
		assert(r.bucket_len <= S3_BUCKET_SEGMENT_MAX && r.bucket[r.bucket_len] == '\0');
		assert((r.res == S3_RES_SERVICE) == (r.bucket_len == 0));
		assert(r.nquery <= S3_QUERY_MAX_PARAMS);
		for (size_t i = 0; i < r.nquery; i++) {
			assert(r.query[i].name.p[r.query[i].name.n] == '\0');
			assert(r.query[i].value.p[r.query[i].value.n] == '\0');
		}
		if (s3_op_refusal(r.op) == S3E_NONE && (flags & S3_ROUTE_COPY_SOURCE))
			assert(r.op == S3OP_CopyObject || r.op == S3OP_UploadPartCopy);
		if (r.key_len)
			roundtrip(&r);
		s3_route_release(&r);
	} else {
		assert(rc == S3E_InvalidURI || rc == S3E_KeyTooLongError ||
		       rc == S3E_InvalidBucketName || rc == S3E_InvalidArgument);
		assert(r.mem_ == NULL && r.op == S3OP_NONE);
	}
	free(host);
	return 0;
}
