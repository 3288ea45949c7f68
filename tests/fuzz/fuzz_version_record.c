/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the version record decoder (objectlock/record.c): the bytes every read
 * and fsck trust once their CRC passes. Invariants: decoding never crashes; whatever
 * decodes re-encodes, decodes again to equal fields, and that encoding is canonical (a
 * second encode gives the same bytes). Each input is tried as is and with its CRC32C
 * trailer recomputed, so the fuzzer reaches the field parser instead of stopping at the
 * checksum. The salvage decoder (fsck), the bucket record decoder and the index key parser
 * see the same input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
roundtrip(const uint8_t *data, size_t size)
{
	struct ol_version v, w;
	uint8_t *enc = NULL, *enc2 = NULL;
	size_t n = 0, n2 = 0;

	if (ol_version_decode(data, size, &v, NULL) != OL_OK)
		return;
	if (ol_version_encode(&v, &enc, &n, NULL) != OL_OK)
		abort(); /* a record we accept must be one we can write */
	if (ol_version_decode(enc, n, &w, NULL) != OL_OK)
		abort();
	if (!ol_version_equal(&v, &w))
		abort();
	if (ol_version_encode(&w, &enc2, &n2, NULL) != OL_OK || n2 != n ||
	    memcmp(enc, enc2, n) != 0)
		abort();
	free(enc2);
	free(enc);
	ol_version_release(&w);
	ol_version_release(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ol_version s;
	struct ol_bucket b;
	char bucket[OL_BUCKET_NAME_MAX + 1];
	uint8_t key[OL_KEY_MAX], iid[OL_IID_LEN];
	size_t keylen = 0;

	if (ol_version_salvage(data, size, &s) == OL_OK)
		ol_version_release(&s);
	(void)ol_bucket_decode(data, size, &b, NULL);
	(void)ol_vkey_parse(data, size, bucket, key, &keylen, iid);
	roundtrip(data, size);

	if (size >= 5) {
		uint8_t *fixed = malloc(size);
		uint32_t c;

		if (!fixed)
			return 0;
		memcpy(fixed, data, size);
		c = cr_crc32c(0, fixed, size - 4);
		fixed[size - 4] = (uint8_t)c;
		fixed[size - 3] = (uint8_t)(c >> 8);
		fixed[size - 2] = (uint8_t)(c >> 16);
		fixed[size - 1] = (uint8_t)(c >> 24);
		roundtrip(fixed, size);
		free(fixed);
	}
	return 0;
}
